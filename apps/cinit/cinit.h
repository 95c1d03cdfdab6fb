/* C_INIT console: what its two files share (console output, the command table, limits). */
#pragma once
#include <stdint.h>

#define CINIT_LINE_MAX  128     /* bytes of a command line, NUL included */
#define CINIT_ARGV_MAX  16      /* words of a command line, the command included */

/* Where a command line comes from: the boot script runs some commands differently. */
enum cinit_source { CINIT_FROM_CONSOLE, CINIT_FROM_SCRIPT };

/* cinit_printf: formatted output straight to the console (no stdio buffer); long lines
 * are cut at 511 bytes. cinit_puts writes a string as is. */
void cinit_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cinit_puts(const char *s);

/* cinit_run: runs one command line (split into words in place); from says who typed it. */
void cinit_run(char *line, enum cinit_source from);


/* Whether HR restores the previous run's groups (a warm boot with its registry kept). */
int cinit_hr_restores_groups(void);

/* The aid of the console itself (akill refuses it). */
extern int cinit_self_aid;

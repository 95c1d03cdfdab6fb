/* C_INIT console: what its two files share (console output, the command table, limits). */
#pragma once
#include <stdint.h>

#include <reprise/abi.h>

#define CINIT_LINE_MAX  1024    /* bytes of a command line, NUL included */
/* Words of a command line, the command included: enough for "arun -g gid" and the most
   words an actor takes (ACTOR_ARGC_MAX, its name included). */
#define CINIT_ARGV_MAX  (3 + ACTOR_ARGC_MAX)

/* Where a command line comes from: the boot script runs some commands differently. */
enum cinit_source { CINIT_FROM_CONSOLE, CINIT_FROM_SCRIPT };

/* cinit_printf: formatted output straight to the console (no stdio buffer); lines are cut
 * at CINIT_LINE_MAX + 511 bytes. cinit_puts writes a string as is. */
void cinit_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cinit_puts(const char *s);

/* The index-th command's name (for completion), or NULL past the last. */
const char *cinit_command_name(int index);
/* cinit_run: runs one command line (split into words in place); from says who typed it. */
void cinit_run(char *line, enum cinit_source from);


/* Whether HR restores the previous run's groups (a warm boot with its registry kept). */
int cinit_hr_restores_groups(void);

/* The aid of the console itself (akill refuses it). */
extern int cinit_self_aid;

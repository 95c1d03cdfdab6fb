/* C_INIT: the console actor the kernel starts at boot; runs sysadm.ini, then reads commands.
 *
 * Console transcript (the commands' own formats are in commands.c):
 *
 *   cinit: console aid <aid>, <cold|warm> boot <n>
 *   cinit: running sysadm.ini                     (or "cinit: no sysadm.ini in the image")
 *   sysadm: <line>                                each command line of the script, then its output
 *   sysadm: skipped (warm boot: HR restarts registered groups)
 *                                                 after an "arun -g" line on a warm boot
 *   cinit: HR holds no groups from before this warm boot: arun -g lines run
 *                                                 a warm boot whose bank lost HR's registry
 *   sysadm: line <n> too long (at most 1023 characters), skipped
 *   cinit: sysadm.ini done, <r> run, <s> skipped
 *   cinit: type help for the commands
 *   cinit> _                                      the prompt (no newline)
 *
 * Blank lines and '#' comments (from a word that starts with '#' to the end of the line)
 * are skipped in the script and at the prompt; words split as a shell does (words.h:
 * quotes, backslashes). Input is read raw and edited by lineedit.c: Enter is CR or LF (CR
 * LF counts once); backspace, Delete, Left/Right, Home/End, Up/Down (history), Tab
 * (completion of commands and image names), ctrl-U erases the line; ctrl-C prints "^C" and
 * gives a new prompt (it is also what the kernel sends when ctrl-C takes the console back
 * from an actor). A line longer than 1023 characters says
 * "line too long (at most 1023 characters), not run". A second C_INIT (arun -f cinit) says
 * "cinit: a console already runs (aid <aid>)" and exits. */
#include <chorus.h>
#include <reprise/abi.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cinit.h"
#include "lineedit.h"

#define CINIT_PROMPT "cinit> "

int cinit_self_aid;

/* Writes s to the console with SYS_CONSOLE_WRITE (the kernel turns "\n" into "\r\n"). */
void cinit_puts(const char *s)
{
    size_t len = strlen(s);
    while (len > 0) {
        long n = sys_call2(SYS_CONSOLE_WRITE, (long)s, (long)len);
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

/* Formats into a line buffer and writes it; nothing waits in a stdio buffer. */
void cinit_printf(const char *fmt, ...)
{
    static char buf[CINIT_LINE_MAX + 512];     /* a whole line and some words around it */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    cinit_puts(buf);
}

/* ---- the boot script ------------------------------------------------------------------ */

/* Tells whether a script line is an "arun -g ..." command (words split by blanks). */
static int script_is_group_run(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (strncmp(line, "arun", 4) || (line[4] != ' ' && line[4] != '\t'))
        return 0;
    line += 4;
    while (*line == ' ' || *line == '\t')
        line++;
    return !strncmp(line, "-g", 2) && (line[2] == ' ' || line[2] == '\t' || line[2] == '\0');
}

/* Runs one script line: skips blanks and comments, echoes the rest, skips "arun -g" on a
 * warm boot. Counts what it did in *run and *skipped. */
static void script_line(char *line, int warm, int *run, int *skipped)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        line[--len] = '\0';
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return;
    cinit_printf("sysadm: %s\n", p);
    if (warm && script_is_group_run(p)) {
        cinit_puts("sysadm: skipped (warm boot: HR restarts registered groups)\n");
        (*skipped)++;
        return;
    }
    cinit_run(p, CINIT_FROM_SCRIPT);
    (*run)++;
}

/* Reads the system image's boot script with SYS_BOOT_SCRIPT and runs it line by line. */
static void script_run(int warm)
{
    static char chunk[256];
    static char line[CINIT_LINE_MAX];
    size_t len = 0;
    int too_long = 0, lineno = 1, run = 0, skipped = 0;
    uint32_t off = 0;
    long n = sys_call3(SYS_BOOT_SCRIPT, 0, (long)chunk, sizeof(chunk));
    if (n <= 0) {
        cinit_puts("cinit: no sysadm.ini in the image\n");
        return;
    }
    cinit_puts("cinit: running sysadm.ini\n");
    while (n > 0) {
        for (long i = 0; i < n; i++) {
            char c = chunk[i];
            if (c == '\n') {
                line[len] = '\0';
                if (too_long)
                    cinit_printf("sysadm: line %d too long (at most %d characters), skipped\n",
                                 lineno, CINIT_LINE_MAX - 1);
                else
                    script_line(line, warm, &run, &skipped);
                len = 0;
                too_long = 0;
                lineno++;
            } else if (len < CINIT_LINE_MAX - 1) {
                line[len++] = c;
            } else {
                too_long = 1;
            }
        }
        off += (uint32_t)n;
        n = sys_call3(SYS_BOOT_SCRIPT, (long)off, (long)chunk, sizeof(chunk));
    }
    if (n < 0)
        cinit_printf("cinit: cannot read sysadm.ini: error %ld (%s)\n", n, kErrorName((int)n));
    line[len] = '\0';
    if (too_long)
        cinit_printf("sysadm: line %d too long (at most %d characters), skipped\n", lineno,
                     CINIT_LINE_MAX - 1);
    else if (len)
        script_line(line, warm, &run, &skipped);
    cinit_printf("cinit: sysadm.ini done, %d run, %d skipped\n", run, skipped);
}

/* ---- the console line editor --------------------------------------------------------- */

/* Returns the next input character, waiting for it (the kernel holds a background read
 * while an actor has the console); a read that fails is tried again a little later. */
static char con_getc(void)
{
    static char buf[64];
    static long have, next;
    while (next >= have) {
        long n = sys_call3(SYS_CONSOLE_READ, (long)buf, sizeof(buf), CONSOLE_READ_BACKGROUND);
        if (n <= 0) {
            sys_call1(SYS_DELAY, 20000);
            continue;
        }
        have = n;
        next = 0;
    }
    return buf[next++];
}

static void con_out(const char *s, size_t n)
{
    sys_call2(SYS_CONSOLE_WRITE, (long)s, (long)n);
}

/* Tab completion: command names for the first word, image names after it. */
static const char *con_candidate(int first, int index)
{
    static struct image_info info;
    if (first)
        return cinit_command_name(index);
    if (sys_call2(SYS_IMAGE_INFO, index, (long)&info) != K_OK)
        return NULL;
    info.name[ACTOR_NAME_MAX - 1] = '\0';
    return info.name;
}

/* ---- start ----------------------------------------------------------------------------- */

/* The aid of another actor running this actor's image, or 0. The image is the kernel's word
   (an actor's name is its image's), not argv[0], which whoever starts an actor chooses. */
static int other_console(void)
{
    struct actor_info info, self;
    memset(&self, 0, sizeof(self));
    sys_call2(SYS_ACTOR_INFO, cinit_self_aid % ACTOR_SLOTS - 1, (long)&self);
    for (int i = 0; sys_call2(SYS_ACTOR_INFO, i, (long)&info) == K_OK; i++)
        if (info.aid && info.aid != cinit_self_aid &&
            !strncmp(info.name, self.name, sizeof(info.name)))
            return info.aid;
    return 0;
}

/* Started by the kernel at boot: says who it is, runs sysadm.ini, then reads commands. */
int main(void)
{
    static struct le editor;
    struct boot_info bi;
    cinit_self_aid = (int)sys_call0(SYS_ACTOR_SELF);
    int other = other_console();
    if (other) {
        cinit_printf("cinit: a console already runs (aid %d)\n", other);
        return 1;
    }
    memset(&bi, 0, sizeof(bi));
    sys_call1(SYS_BOOT_INFO, (long)&bi);
    cinit_printf("cinit: console aid %d, %s boot %lu\n", cinit_self_aid,
                 bi.kind == 1 ? "warm" : "cold", (unsigned long)bi.boot_count);
    int restored = bi.kind == 1 && cinit_hr_restores_groups();
    if (bi.kind == 1 && !restored)
        cinit_puts("cinit: HR holds no groups from before this warm boot: arun -g lines run\n");
    script_run(restored);
    cinit_puts("cinit: type help for the commands\n");
    le_init(&editor, con_out, con_candidate, CINIT_PROMPT);
    for (;;) {
        cinit_puts(CINIT_PROMPT);
        le_start(&editor);
        enum le_result r;
        while ((r = le_key(&editor, con_getc())) == LE_MORE)
            ;
        if (r == LE_CANCEL)
            cinit_puts("^C\n");
        else if (r == LE_TOO_LONG)
            cinit_printf("line too long (at most %d characters), not run\n", CINIT_LINE_MAX - 1);
        else
            cinit_run(editor.line, CINIT_FROM_CONSOLE);
    }
}

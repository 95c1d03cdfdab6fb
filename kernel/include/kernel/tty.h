/* Console line discipline: what each typed character does for a cooked or raw reader.
 *
 * Portable (host-tested); kernel/console.c feeds it the characters the UART receives and
 * writes its echo. Cooked (the default for actors): typed text is echoed and edited
 * (backspace, ctrl-U) on a line of at most TTY_LINE_MAX - 1 characters, and a reader gets
 * it a whole line at a time once Enter is typed; ctrl-D on an empty line is end of file;
 * escape sequences (arrow keys) are consumed whole, a lone Esc is ignored; UTF-8 passes through (backspace erases
 * a whole character). Raw: every byte goes to the reader as typed, without echo. */
#pragma once
#include <stdint.h>

#define TTY_LINE_MAX   1024     /* a cooked line, its '\n' included */
#define TTY_QUEUE_SIZE 4096     /* typed bytes waiting for the reader */

struct tty {
    char queue[TTY_QUEUE_SIZE]; /* what the reader may take: whole lines when cooked */
    uint32_t head, tail;        /* free-running indices into queue */
    uint32_t eof_at;            /* ctrl-D: head when it was typed (valid while eof) */
    uint8_t eof;
    uint8_t esc;                /* escape sequence: 0 none, 1 after ESC, 2 in CSI, 3 in SS3 */
    uint8_t after_cr;           /* an LF right after a CR is the same Enter */
    char line[TTY_LINE_MAX];    /* the cooked line being edited */
    uint32_t len;
};

/* Where the echo goes (the console); called with a few bytes at a time. */
typedef void (*tty_echo_fn)(const char *s, uint32_t n);

/* Empties t: queue, line and states. */
void tty_reset(struct tty *t);
/* Feeds one typed character to t, for a raw or a cooked reader, echoing through echo when
   cooked (echo may be NULL for none). Returns 1 when the reader now has something to
   take, else 0. A raw character with no room left is dropped. */
int tty_input(struct tty *t, char c, int raw, tty_echo_fn echo);
/* Whether a read would return now: bytes, or (cooked) the end of file. */
int tty_readable(const struct tty *t, int raw);
/* Takes at most n bytes for the reader: raw, whatever is there; cooked, at most one line
   (the rest of a long line stays for the next read). Returns the count, 0 for the end of
   file (ctrl-D, consumed), or -1 when there is nothing to take. */
int tty_read(struct tty *t, char *buf, uint32_t n, int raw);
/* Takes every byte still queued, in order, and empties t (for handing what was typed to
   another reader); returns the count, at most n. */
uint32_t tty_drain(struct tty *t, char *buf, uint32_t n);

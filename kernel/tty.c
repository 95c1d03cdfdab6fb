/* Console line discipline (see kernel/include/kernel/tty.h): echo, editing and whole lines
   for cooked readers, bytes as typed for raw ones. */
#include <kernel/tty.h>
#include <string.h>

#define TTY_CTRL(c) ((c) & 0x1f)
#define TTY_BS  0x08
#define TTY_DEL 0x7f
#define TTY_ESC 0x1b

void tty_reset(struct tty *t)
{
    memset(t, 0, sizeof(*t));
}

static uint32_t tty_queued(const struct tty *t)
{
    return t->head - t->tail;
}

static void tty_echo(tty_echo_fn echo, const char *s, uint32_t n)
{
    if (echo)
        echo(s, n);
}

/* Erases the last character of the line (a UTF-8 character: its continuation bytes too)
   and its column on the screen. */
static void tty_erase(struct tty *t, tty_echo_fn echo)
{
    if (t->len == 0)
        return;
    while (t->len > 0 && ((uint8_t)t->line[t->len - 1] & 0xc0) == 0x80)
        t->len--;               /* continuation bytes of a multi-byte character */
    if (t->len > 0)
        t->len--;
    tty_echo(echo, "\b \b", 3);
}

/* Enter (or ctrl-D on a non-empty line, without the newline): the line goes to the queue
   whole, or, when the queue has no room for it, stays being edited (a bell says so). */
static int tty_submit(struct tty *t, int newline, tty_echo_fn echo)
{
    uint32_t n = t->len + (newline ? 1u : 0u);
    if (n > TTY_QUEUE_SIZE - tty_queued(t)) {
        tty_echo(echo, "\a", 1);
        return 0;
    }
    for (uint32_t i = 0; i < t->len; i++)
        t->queue[t->head++ % TTY_QUEUE_SIZE] = t->line[i];
    if (newline) {
        t->queue[t->head++ % TTY_QUEUE_SIZE] = '\n';
        tty_echo(echo, "\n", 1);
    }
    t->len = 0;
    return 1;
}

/* Escape sequences (ECMA-48): ESC [ parameters intermediates final, or ESC O x. Esc then
   any other key is the Esc key (ignored) and that key. Returns 1 while c belongs to a
   sequence (and is consumed), else 0. */
static int tty_escape(struct tty *t, uint8_t c)
{
    switch (t->esc) {
    case 1:                     /* a lone Esc key: the next key is itself */
        t->esc = c == '[' ? 2 : c == 'O' ? 3 : 0;
        return t->esc != 0;
    case 2:
        if (c < 0x40 || c > 0x7e)
            return 1;           /* parameter or intermediate byte */
        t->esc = 0;
        return 1;
    case 3:
        t->esc = 0;
        return 1;
    default:
        if (c != TTY_ESC)
            return 0;
        t->esc = 1;
        return 1;
    }
}

int tty_input(struct tty *t, char ch, int raw, tty_echo_fn echo)
{
    uint8_t c = (uint8_t)ch;
    if (raw) {
        if (tty_queued(t) >= TTY_QUEUE_SIZE)
            return 0;
        t->queue[t->head++ % TTY_QUEUE_SIZE] = ch;
        return 1;
    }
    int after_cr = t->after_cr;
    t->after_cr = c == '\r';
    if (tty_escape(t, c))
        return 0;
    if (c == '\r' || c == '\n')
        return c == '\n' && after_cr ? 0 : tty_submit(t, 1, echo);
    if (c == TTY_BS || c == TTY_DEL) {
        tty_erase(t, echo);
        return 0;
    }
    if (c == TTY_CTRL('U')) {
        while (t->len > 0)
            tty_erase(t, echo);
        return 0;
    }
    if (c == TTY_CTRL('D')) {
        if (t->len > 0)
            return tty_submit(t, 0, echo);
        if (!t->eof) {
            t->eof = 1;
            t->eof_at = t->head;
        }
        return 1;
    }
    if (c < 0x20)
        return 0;               /* other control characters mean nothing here */
    if (t->len >= TTY_LINE_MAX - 1) {
        tty_echo(echo, "\a", 1);
        return 0;
    }
    t->line[t->len++] = ch;
    tty_echo(echo, &ch, 1);
    return 0;
}

int tty_readable(const struct tty *t, int raw)
{
    if (raw || !t->eof)
        return tty_queued(t) > 0;
    return 1;
}

int tty_read(struct tty *t, char *buf, uint32_t n, int raw)
{
    uint32_t avail = tty_queued(t);
    if (!raw && t->eof) {
        avail = t->eof_at - t->tail;
        if (avail == 0) {
            t->eof = 0;
            return 0;
        }
    }
    if (avail == 0)
        return -1;
    uint32_t got = 0;
    while (got < n && got < avail) {
        char c = t->queue[t->tail++ % TTY_QUEUE_SIZE];
        buf[got++] = c;
        if (!raw && c == '\n')
            break;
    }
    return (int)got;
}

uint32_t tty_drain(struct tty *t, char *buf, uint32_t n)
{
    uint32_t got = 0;
    while (got < n && t->tail != t->head)
        buf[got++] = t->queue[t->tail++ % TTY_QUEUE_SIZE];
    tty_reset(t);
    return got;
}

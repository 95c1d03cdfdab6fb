/* Kernel console: output on the board UART, and typed input for one reader at a time.
 *
 * Who gets what is typed: the console's foreground actor, or, when there is none, the
 * background reader (C_INIT, which reads with CONSOLE_READ_BACKGROUND). An actor becomes
 * the foreground by reading the console while no other actor is; it keeps the console
 * between its reads, so a line typed to it never goes to the shell, until it ends or the
 * user types ctrl-C. Ctrl-C gives the console back to the background reader at any time
 * (the actor keeps running, its pending read ends with K_EBUSY, and its later reads fail
 * with K_EBUSY too: it is detached); when the foreground actor ends, the background reader
 * gets a ctrl-L (C_INIT shows its prompt again). Input is shaped by kernel/tty.c: cooked (echo, line
 * editing, a whole line a read) for actors unless they ask for raw, raw for the shell. */
#include <kernel/actor.h>
#include <kernel/console.h>
#include <kernel/sched.h>
#include <kernel/tty.h>
#include <kernel/uart.h>
#include <kernel/vm.h>
#include <lib/fmt.h>
#include <reprise/errors.h>
#include <reprise/syscall.h>
#include <stdint.h>

#define CONSOLE_CHUNK 128
#define CONSOLE_WRITE_MAX 4096
#define CONSOLE_CTRL_C 0x03
#define CONSOLE_CTRL_L 0x0c

static struct tty console_tty;
static struct actor *console_fg;        /* the foreground actor; NULL: the background reader */
static struct actor *console_fg_wait;   /* console_fg, blocked in a read */
static struct actor *console_bg_wait;   /* the background reader, blocked in a read */

void console_init(void)
{
    uart_init();
}

void console_putc(char c)
{
    if (c == '\n')
        uart_putc('\r');
    uart_putc(c);
}

static void console_fmt_putc(void *ctx, char c)
{
    (void)ctx;
    console_putc(c);
}

void kvprintf(const char *fmt, va_list ap)
{
    fmt_vformat(console_fmt_putc, NULL, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

static void console_echo(const char *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        console_putc(s[i]);
}

/* Whether what is typed now is read raw: the foreground actor's choice; the background
   reader always reads raw (C_INIT edits its own lines). */
static int console_raw(void)
{
    return console_fg ? console_fg->con_raw : 1;
}

/* Moves typed input into a's buffer: *n is the count, 0 for the end of file, or -1 when
   there is nothing to take. Returns K_OK, or K_EFAULT (K_ENOMEM) when the buffer is no
   longer writable. */
static int console_take(struct actor *a, uaddr_t buf, uint32_t len, int *n)
{
    char chunk[CONSOLE_CHUNK];
    uint32_t want = len < CONSOLE_CHUNK ? len : CONSOLE_CHUNK;
    /* Checked before anything is taken, so that no typed character is lost (the buffer was
       checked at the call, but a privileged actor may have changed the reader's memory). */
    int err = vm_check(&a->vm, buf, want, 1);
    if (err)
        return err;
    *n = tty_read(&console_tty, chunk, want, console_raw());
    if (*n > 0)
        vm_copyout(&a->vm, buf, chunk, (size_t)*n);
    return K_OK;
}

/* Ends a's blocked read with result r. */
static void console_wake(struct actor *a, int r)
{
    a->tf.r[0] = (uint32_t)r;
    sched_ready(a);
}

/* Gives typed input to whoever waits for it and may have it. */
static void console_deliver(void)
{
    struct actor *a = console_fg ? console_fg_wait : console_bg_wait;
    if (!a || !tty_readable(&console_tty, console_raw()))
        return;
    int n, err = console_take(a, a->con_buf, a->con_len, &n);
    if (!err && n < 0)
        return;
    if (a == console_fg_wait)
        console_fg_wait = NULL;
    else
        console_bg_wait = NULL;
    console_wake(a, err ? err : n);
}

/* Ctrl-C while an actor has the console: it is detached, its pending read fails, what was
   typed for it is dropped, and the background reader gets the ctrl-C (C_INIT then shows a
   new prompt). */
static void console_interrupt(void)
{
    struct actor *a = console_fg;
    a->con_detached = 1;
    if (console_fg_wait) {
        console_fg_wait = NULL;
        console_wake(a, K_EBUSY);
    }
    console_fg = NULL;
    tty_reset(&console_tty);
    tty_input(&console_tty, CONSOLE_CTRL_C, 1, NULL);
}

void console_rx(char c)
{
    if (c == CONSOLE_CTRL_C && console_fg)
        console_interrupt();
    else
        tty_input(&console_tty, c, console_raw(), console_echo);
    console_deliver();
}

/* a becomes the foreground: what was typed for the background reader and not yet read is
   typed again for a (it came after the prompt that a's start followed). */
static void console_take_foreground(struct actor *a)
{
    char typed[TTY_QUEUE_SIZE];
    uint32_t n = tty_drain(&console_tty, typed, sizeof(typed));
    console_fg = a;
    for (uint32_t i = 0; i < n; i++)
        if (typed[i] != CONSOLE_CTRL_C)     /* that one was the shell's */
            tty_input(&console_tty, typed[i], a->con_raw, console_echo);
}

void console_actor_gone(struct actor *a)
{
    if (console_bg_wait == a)
        console_bg_wait = NULL;
    if (console_fg == a) {
        console_fg = NULL;
        console_fg_wait = NULL;
        tty_reset(&console_tty);        /* what was typed for a goes with it */
        tty_input(&console_tty, CONSOLE_CTRL_L, 1, NULL);   /* the shell: show the prompt */
        console_deliver();
    }
}

void console_sys_write(struct actor *self)
{
    uaddr_t buf = self->tf.r[0];
    uint32_t len = self->tf.r[1];
    int err = vm_check(&self->vm, buf, len, 0);
    if (err) {
        self->tf.r[0] = (uint32_t)err;
        return;
    }
    /* The kernel does not run other actors while it prints: at most this much a call
       (a partial write, as write(2) may do; libc-glue's _write loops). */
    if (len > CONSOLE_WRITE_MAX)
        len = CONSOLE_WRITE_MAX;
    char chunk[CONSOLE_CHUNK];
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < CONSOLE_CHUNK ? len - done : CONSOLE_CHUNK;
        vm_copyin(&self->vm, chunk, buf + done, n);
        console_echo(chunk, n);
        done += n;
    }
    self->tf.r[0] = len;
}

void console_sys_read(struct actor *self)
{
    uaddr_t buf = self->tf.r[0];
    uint32_t len = self->tf.r[1];
    uint32_t flags = self->tf.r[2];
    int bg = (flags & CONSOLE_READ_BACKGROUND) != 0;
    if (flags & ~(CONSOLE_READ_NONBLOCK | CONSOLE_READ_BACKGROUND)) {
        self->tf.r[0] = (uint32_t)K_EINVAL;
        return;
    }
    int err = vm_check(&self->vm, buf, len, 1);
    if (err) {
        self->tf.r[0] = (uint32_t)err;
        return;
    }
    /* The background reader waits while an actor has the console; another actor that
       reads takes it if it is free, and is refused while someone else has it. */
    if (bg ? console_bg_wait && console_bg_wait != self
           : self->con_detached || (console_fg && console_fg != self)) {
        self->tf.r[0] = (uint32_t)K_EBUSY;
        return;
    }
    if (!bg && !console_fg)
        console_take_foreground(self);
    if (len == 0) {
        self->tf.r[0] = 0;
        return;
    }
    int n = -1;
    if (!(bg && console_fg) && (err = console_take(self, buf, len, &n)) != K_OK) {
        self->tf.r[0] = (uint32_t)err;
        return;
    }
    if (n >= 0 || (flags & CONSOLE_READ_NONBLOCK)) {
        self->tf.r[0] = (uint32_t)(n < 0 ? 0 : n);
        return;
    }
    if (bg)
        console_bg_wait = self;
    else
        console_fg_wait = self;
    self->con_buf = buf;
    self->con_len = len;
    self->state = AS_BLOCKED;
    self->block = AB_CONSOLE;
}

void console_sys_mode(struct actor *self)
{
    uint32_t mode = self->tf.r[0];
    if (mode & ~CONSOLE_MODE_RAW) {
        self->tf.r[0] = (uint32_t)K_EINVAL;
        return;
    }
    uint32_t old = self->con_raw ? CONSOLE_MODE_RAW : 0;
    self->con_raw = (mode & CONSOLE_MODE_RAW) != 0;
    self->tf.r[0] = old;
    if (console_fg == self)
        console_deliver();
}

/* Kernel console: output through a ring on the board UART, and typed input for one reader
 * at a time.
 *
 * Output: what the kernel prints, the echo of typed input and what actors write go into one
 * ring (kernel/include/kernel/outring.h), in the order written; the UART's transmit
 * interrupt drains it, a FIFO's worth at a time, so nobody waits for the line. An actor's
 * write goes into the ring whole, never cut by another's: when the ring has no room for it
 * (or writers of its priority or above already wait), the writer blocks, in line by
 * priority and then in order, until the interrupt has made room, and the kernel then copies
 * it in and ends its call. The kernel's own output cannot wait (it runs with interrupts
 * masked): with the ring full it sends the oldest bytes itself, polled. A panic or a reset
 * sends the whole ring, polled, and everything after it goes straight to the UART
 * (console_sync). See docs/design.md, Console output ring.
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
#include <kernel/outring.h>
#include <kernel/sched.h>
#include <kernel/tty.h>
#include <kernel/uart.h>
#include <kernel/vm.h>
#include <lib/fmt.h>
#include <reprise/errors.h>
#include <reprise/syscall.h>
#include <stdint.h>

#define CONSOLE_CHUNK 128
#define CONSOLE_WRITE_MAX 4096      /* at most half the ring: a write always fits in time */
#define CONSOLE_CTRL_C 0x03
#define CONSOLE_CTRL_L 0x0c

_Static_assert(2 * CONSOLE_WRITE_MAX <= OUTRING_SIZE, "the ring holds two writes");

static struct tty console_tty;
static struct actor *console_fg;        /* the foreground actor; NULL: the background reader */
static struct actor *console_fg_wait;   /* console_fg, blocked in a read */
static struct actor *console_bg_wait;   /* the background reader, blocked in a read */

static struct outring console_out;
static int console_tx_busy;     /* the transmit interrupt is armed: it takes what the ring holds */
static int console_polled;      /* console_sync: the machine stops, output goes straight out */
static int console_held;        /* console_hold: the transmitter takes nothing */
/* Actors blocked in a write for want of room (AB_CONSOLE_OUT), by priority and then oldest
   first, linked by qnext; each waits to put con_len bytes from con_buf in the ring. */
static struct actor *console_wr_head;

void console_init(void)
{
    uart_init();
}

/* Lets the transmitter take what the ring holds, unless it already does (its interrupt
   will) or is held. */
static void console_start(void)
{
    if (!console_tx_busy && !console_held)
        console_tx_busy = uart_tx_fill(&console_out);
}

/* console_putc when the ring is full (its oldest bytes go out polled until c fits) or after
   console_sync (c goes straight out). */
static void __attribute__((noinline)) console_putc_slow(char c)
{
    if (console_polled) {
        if (c == '\n')
            uart_putc('\r');
        uart_putc(c);
        return;
    }
    while (!outring_room(&console_out))
        uart_putc(outring_pop(&console_out));
    outring_push(&console_out, c);
}

/* One character of the kernel's own output into the ring. */
static inline void console_putc(char c)
{
    if (__builtin_expect(console_polled || !outring_room(&console_out), 0))
        console_putc_slow(c);
    else
        outring_push(&console_out, c);
}

/* kprintf's character sink (lib/fmt). */
static void console_fmt_putc(void *ctx, char c)
{
    (void)ctx;
    console_putc(c);
}

void kvprintf(const char *fmt, va_list ap)
{
    fmt_vformat(console_fmt_putc, NULL, fmt, ap);
    console_start();
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void console_sync(void)
{
    console_polled = 1;
    /* Bounded, in case the ring itself is what the panic is about. */
    for (uint32_t n = 2 * OUTRING_SIZE; n && outring_used(&console_out); n--)
        uart_putc(outring_pop(&console_out));
}

void console_hold(int on)
{
    console_held = on;
    console_start();
}

/* The echo of typed input (tty_echo_fn): into the ring like any output. */
static void console_echo(const char *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        console_putc(s[i]);
    console_start();
}

/* Copies a's len bytes at buf into the ring, whole; the caller has checked the room and
   the buffer. */
static void console_put_user(struct actor *a, uaddr_t buf, uint32_t len)
{
    uint32_t first;
    char *at = outring_space(&console_out, len, &first);
    vm_copyin(&a->vm, at, buf, first);
    if (first < len)
        vm_copyin(&a->vm, console_out.buf, buf + first, len - first);
    outring_commit(&console_out, len);
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

/* Ends a's blocked read or write with result r. */
static void console_wake(struct actor *a, int r)
{
    a->tf.r[0] = (uint32_t)r;
    sched_ready(a);
}

/* Puts writer a in the line of those waiting for room: by priority, in arrival order within
   one, so that HR's crash line waits for room for itself, not behind a chatty actor's
   backlog. */
static void console_wait_room(struct actor *a)
{
    struct actor *prev = NULL, *w = console_wr_head;
    while (w && w->prio >= a->prio) {
        prev = w;
        w = w->qnext;
    }
    a->qnext = w;
    if (prev)
        prev->qnext = a;
    else
        console_wr_head = a;
    a->state = AS_BLOCKED;
    a->block = AB_CONSOLE_OUT;
}

/* Lets the waiting writers whose turn it is and whose text now fits put it in the ring, in
   order, and ends their calls. */
static void console_admit(void)
{
    struct actor *a;
    while ((a = console_wr_head) && outring_room(&console_out) >= a->con_len) {
        console_wr_head = a->qnext;
        a->qnext = NULL;
        /* Checked again: a privileged actor may have changed its memory meanwhile. */
        int err = vm_check(&a->vm, a->con_buf, a->con_len, 0);
        if (!err)
            console_put_user(a, a->con_buf, a->con_len);
        console_wake(a, err ? err : (int)a->con_len);
    }
}

void console_tx(void)
{
    if (console_held) {
        uart_tx_off();
        console_tx_busy = 0;
        return;
    }
    console_tx_busy = uart_tx_fill(&console_out);
    if (console_wr_head) {
        console_admit();
        console_start();
    }
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
    struct actor *prev = NULL;
    for (struct actor *w = console_wr_head; w; prev = w, w = w->qnext) {
        if (w != a)
            continue;
        /* Its write never happened; the writers behind it may fit now. */
        if (prev)
            prev->qnext = a->qnext;
        else
            console_wr_head = a->qnext;
        a->qnext = NULL;
        console_admit();
        console_start();
        break;
    }
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
    /* At most this much a call goes in whole (a partial write, as write(2) may do;
       libc-glue's _write loops). */
    if (len > CONSOLE_WRITE_MAX)
        len = CONSOLE_WRITE_MAX;
    if (outring_room(&console_out) < len || (console_wr_head && console_wr_head->prio >= self->prio)) {
        /* No room, or others of its priority or above wait for room first: wait in line
           (console_admit ends the call). */
        self->con_buf = buf;
        self->con_len = len;
        console_wait_room(self);
        return;
    }
    console_put_user(self, buf, len);
    console_start();
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

/* Kernel console: formatted output on the board UART and the interrupt-fed input ring. */
#include <kernel/console.h>
#include <kernel/uart.h>
#include <lib/fmt.h>
#include <stdint.h>

#define CONSOLE_RX_SIZE 256

static struct {
    char buf[CONSOLE_RX_SIZE];
    uint32_t head; /* next slot written by console_rx */
    uint32_t tail; /* next slot read by console_read */
} console_ring;

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

/* Stores one received character; when the ring is full the character is dropped. */
void console_rx(char c)
{
    if (console_ring.head - console_ring.tail < CONSOLE_RX_SIZE)
        console_ring.buf[console_ring.head++ % CONSOLE_RX_SIZE] = c;
}

size_t console_read(char *buf, size_t n)
{
    size_t got = 0;
    while (got < n && console_ring.tail != console_ring.head)
        buf[got++] = console_ring.buf[console_ring.tail++ % CONSOLE_RX_SIZE];
    return got;
}

/* Kernel console: formatted output on the board UART and the interrupt-fed input ring. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

void console_init(void);
void console_putc(char c);
/* %u %x %d take 32-bit values (uint32_t is "long" on arm-none-eabi, so no format attribute). */
void kprintf(const char *fmt, ...);
void kvprintf(const char *fmt, va_list ap);

/* Called from the UART interrupt with each received character. */
void console_rx(char c);
/* Takes up to n received characters into buf; returns how many (0 when none). */
size_t console_read(char *buf, size_t n);

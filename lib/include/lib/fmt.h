/* Freestanding printf-style formatting shared by the kernel and host tests. */
#pragma once
#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_putc_fn)(void *ctx, char c);

/* Formats fmt with ap, handing each character to putc; returns the number of characters.
   Conversions: %d %i %u %x %X %p %s %c %%, with flags '-' '0', a width, and 'l'/'ll'. */
int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap);

/* snprintf over fmt_vformat: always NUL-terminates when n > 0; returns the full length. */
int fmt_snprintf(char *buf, size_t n, const char *fmt, ...);
/* The same with a va_list. */
int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

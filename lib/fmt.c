/* Freestanding printf-style formatting shared by the kernel and host tests. */
#include <lib/fmt.h>
#include <stdint.h>

struct fmt_spec {
    int width;
    int left;
    char pad;
};

static int fmt_emit_padded(fmt_putc_fn putc, void *ctx, const char *s, int len,
                           const struct fmt_spec *sp)
{
    int n = 0;
    int fill = sp->width > len ? sp->width - len : 0;
    /* Zero padding goes after a sign. */
    if (!sp->left && sp->pad == '0' && len > 0 && s[0] == '-') {
        putc(ctx, '-');
        n++;
        s++;
        len--;
    }
    if (!sp->left)
        for (; fill > 0; fill--, n++)
            putc(ctx, sp->pad);
    for (int i = 0; i < len; i++, n++)
        putc(ctx, s[i]);
    for (; fill > 0; fill--, n++)
        putc(ctx, ' ');
    return n;
}

/* Writes v in base into the end of buf; returns the start of the digits. */
static char *fmt_digits(char *end, unsigned long long v, unsigned base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v);
    return p;
}

int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
    int n = 0;
    char buf[24];
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            putc(ctx, *f);
            n++;
            continue;
        }
        struct fmt_spec sp = { 0, 0, ' ' };
        f++;
        for (;; f++) {
            if (*f == '-')
                sp.left = 1;
            else if (*f == '0')
                sp.pad = '0';
            else
                break;
        }
        if (sp.left)
            sp.pad = ' ';
        while (*f >= '0' && *f <= '9')
            sp.width = sp.width * 10 + (*f++ - '0');
        int longs = 0;
        while (*f == 'l') {
            longs++;
            f++;
        }
        char *end = buf + sizeof(buf);
        char *s;
        unsigned long long u;
        switch (*f) {
        case 'd':
        case 'i': {
            long long v = longs >= 2 ? va_arg(ap, long long)
                        : longs ? va_arg(ap, long) : va_arg(ap, int);
            u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            s = fmt_digits(end, u, 10, 0);
            if (v < 0)
                *--s = '-';
            n += fmt_emit_padded(putc, ctx, s, (int)(end - s), &sp);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
            u = longs >= 2 ? va_arg(ap, unsigned long long)
              : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            s = fmt_digits(end, u, *f == 'u' ? 10 : 16, *f == 'X');
            n += fmt_emit_padded(putc, ctx, s, (int)(end - s), &sp);
            break;
        case 'p':
            u = (uintptr_t)va_arg(ap, void *);
            s = fmt_digits(end, u, 16, 0);
            while (end - s < (int)(2 * sizeof(void *)))
                *--s = '0';
            *--s = 'x';
            *--s = '0';
            n += fmt_emit_padded(putc, ctx, s, (int)(end - s), &sp);
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            int len = 0;
            while (str[len])
                len++;
            sp.pad = ' ';
            n += fmt_emit_padded(putc, ctx, str, len, &sp);
            break;
        }
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            sp.pad = ' ';
            n += fmt_emit_padded(putc, ctx, buf, 1, &sp);
            break;
        case '%':
            putc(ctx, '%');
            n++;
            break;
        case '\0':
            return n;
        default:
            putc(ctx, '%');
            putc(ctx, *f);
            n += 2;
            break;
        }
    }
    return n;
}

struct fmt_buf {
    char *buf;
    size_t size;
    size_t len;
};

static void fmt_buf_putc(void *ctx, char c)
{
    struct fmt_buf *b = ctx;
    if (b->len + 1 < b->size)
        b->buf[b->len] = c;
    b->len++;
}

int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct fmt_buf b = { buf, n, 0 };
    int len = fmt_vformat(fmt_buf_putc, &b, fmt, ap);
    if (n > 0)
        buf[b.len < n ? b.len : n - 1] = '\0';
    return len;
}

int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = fmt_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return len;
}

/* Freestanding printf-style formatting shared by the kernel and host tests. */
#include <lib/fmt.h>
#include <stdint.h>

struct fmt_spec {
    int width;
    int left;
    char pad;
};

/* Where formatted characters go: a callback, or (putc NULL) straight into a bounded buffer,
   which saves an indirect call a character. */
struct fmt_sink {
    fmt_putc_fn putc;
    void *ctx;
    char *buf;
    size_t size;
    size_t len;         /* characters produced so far (may exceed size) */
};

static inline void fmt_put(struct fmt_sink *k, char c)
{
    if (k->putc)
        k->putc(k->ctx, c);
    else if (k->len + 1 < k->size)
        k->buf[k->len] = c;
    k->len++;
}

static void fmt_emit_padded(struct fmt_sink *k, const char *s, int len, const struct fmt_spec *sp)
{
    int fill = sp->width > len ? sp->width - len : 0;
    /* Zero padding goes after a sign. */
    if (!sp->left && sp->pad == '0' && len > 0 && s[0] == '-') {
        fmt_put(k, '-');
        s++;
        len--;
    }
    if (!sp->left)
        for (; fill > 0; fill--)
            fmt_put(k, sp->pad);
    for (int i = 0; i < len; i++)
        fmt_put(k, s[i]);
    for (; fill > 0; fill--)
        fmt_put(k, ' ');
}

/* Writes v in base (10 or 16) into the end of buf; returns the start of the digits. Hex
   digits come from shifts and decimal ones from 32-bit division whenever v fits, so the
   common cases never call the 64-bit division helper. */
static char *fmt_digits(char *end, unsigned long long v, unsigned base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    if (base == 16) {
        do {
            *--p = digits[v & 15];
            v >>= 4;
        } while (v);
        return p;
    }
    while (v > 0xffffffffull) {
        *--p = digits[v % 10];
        v /= 10;
    }
    uint32_t w = (uint32_t)v;
    do {
        *--p = digits[w % 10];
        w /= 10;
    } while (w);
    return p;
}

/* Formats into sink k (the one loop behind every entry point). */
static void fmt_core(struct fmt_sink *k, const char *fmt, va_list ap)
{
    char buf[24];
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            fmt_put(k, *f);
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
            fmt_emit_padded(k, s, (int)(end - s), &sp);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
            u = longs >= 2 ? va_arg(ap, unsigned long long)
              : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            s = fmt_digits(end, u, *f == 'u' ? 10 : 16, *f == 'X');
            fmt_emit_padded(k, s, (int)(end - s), &sp);
            break;
        case 'p':
            u = (uintptr_t)va_arg(ap, void *);
            s = fmt_digits(end, u, 16, 0);
            while (end - s < (int)(2 * sizeof(void *)))
                *--s = '0';
            *--s = 'x';
            *--s = '0';
            fmt_emit_padded(k, s, (int)(end - s), &sp);
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            int len = 0;
            while (str[len])
                len++;
            sp.pad = ' ';
            fmt_emit_padded(k, str, len, &sp);
            break;
        }
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            sp.pad = ' ';
            fmt_emit_padded(k, buf, 1, &sp);
            break;
        case '%':
            fmt_put(k, '%');
            break;
        case '\0':
            return;
        default:
            fmt_put(k, '%');
            fmt_put(k, *f);
            break;
        }
    }
}

int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
    struct fmt_sink k = { putc, ctx, NULL, 0, 0 };
    fmt_core(&k, fmt, ap);
    return (int)k.len;
}

int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct fmt_sink k = { NULL, NULL, buf, n, 0 };
    fmt_core(&k, fmt, ap);
    if (n > 0)
        buf[k.len < n ? k.len : n - 1] = '\0';
    return (int)k.len;
}

int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = fmt_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return len;
}

/* The C library's memory and string primitives the kernel and the compiler rely on. */
#include <stddef.h>
#include <stdint.h>

/* Copies blocks * 32 bytes between word-aligned buffers, eight words an ldm/stm pair (its own
   function, so that short copies do not save the eight registers). */
static __attribute__((noinline)) void kstring_copy_blocks(uint32_t *d, const uint32_t *s,
                                                          size_t blocks)
{
    __asm__ volatile("1: ldmia %1!, {r3-r6, r8-r10, ip}\n\t"
                     "stmia %0!, {r3-r6, r8-r10, ip}\n\t"
                     "subs %2, %2, #1\n\t"
                     "bne 1b"
                     : "+r"(d), "+r"(s), "+r"(blocks)
                     :
                     : "r3", "r4", "r5", "r6", "r8", "r9", "r10", "ip", "cc", "memory");
}

/* Copies n bytes: 32 at a time when both sides are word aligned (IPC buffers, pages), then
   words, then bytes. */
void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
        if (n >= 32) {
            kstring_copy_blocks((uint32_t *)d, (const uint32_t *)s, n >> 5);
            d += n & ~(size_t)31;
            s += n & ~(size_t)31;
            n &= 31;
        }
        for (; n >= 4; n -= 4, d += 4, s += 4)
            *(uint32_t *)d = *(const uint32_t *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    if (((uintptr_t)d & 3) == 0) {
        uint32_t w = (uint8_t)c * 0x01010101u;
        for (; n >= 4; n -= 4, d += 4)
            *(uint32_t *)d = w;
    }
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (uint8_t)*a - (uint8_t)*b;
}

void *memchr(const void *s, int c, size_t n)
{
    const uint8_t *p = s;
    for (; n; n--, p++)
        if (*p == (uint8_t)c)
            return (void *)p;
    return NULL;
}

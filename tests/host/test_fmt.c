/* Unit tests of lib/fmt.c: every conversion, flags, widths, length modifiers, snprintf limits. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <lib/fmt.h>

/* Formats through fmt_snprintf into a large buffer; checks the text and the returned length. */
#define CHECK(expected, ...)                                                     \
    do {                                                                         \
        char buf_[128];                                                          \
        int n_ = fmt_snprintf(buf_, sizeof(buf_), __VA_ARGS__);                  \
        assert_string_equal(buf_, (expected));                                   \
        assert_int_equal(n_, (int)strlen(expected));                             \
    } while (0)

struct sink {
    char buf[256];
    size_t len;
};

static void sink_putc(void *ctx, char c)
{
    struct sink *s = ctx;
    if (s->len + 1 < sizeof(s->buf))
        s->buf[s->len] = c;
    s->len++;
}

/* fmt_vformat into a sink. It has no printf attribute, so formats gcc would reject at
   compile time (flags it ignores, unknown conversions) reach the formatter as written. */
static int vformat_to(struct sink *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s->len = 0;
    int n = fmt_vformat(sink_putc, s, fmt, ap);
    va_end(ap);
    s->buf[s->len < sizeof(s->buf) ? s->len : sizeof(s->buf) - 1] = '\0';
    return n;
}

/* Like CHECK, through fmt_vformat: also checks that the count equals the characters emitted. */
#define CHECK_RAW(expected, ...)                                                 \
    do {                                                                         \
        struct sink s_;                                                          \
        int n_ = vformat_to(&s_, __VA_ARGS__);                                   \
        assert_string_equal(s_.buf, (expected));                                 \
        assert_int_equal(n_, (int)strlen(expected));                             \
        assert_int_equal(s_.len, strlen(expected));                              \
    } while (0)

static void test_plain_text_and_percent(void **state)
{
    (void)state;
    CHECK_RAW("", "");
    CHECK("hello, world", "hello, world");
    CHECK("100%", "100%%");
    CHECK("%%", "%%%%");
    CHECK_RAW("a%b", "a%%b");
}

static void test_signed_decimal(void **state)
{
    (void)state;
    CHECK("0", "%d", 0);
    CHECK("42", "%d", 42);
    CHECK("-42", "%d", -42);
    CHECK("7", "%i", 7);
    CHECK("-7", "%i", -7);
    CHECK("2147483647", "%d", INT_MAX);
    CHECK("-2147483648", "%d", INT_MIN);
    CHECK("x=-1,y=1", "x=%d,y=%d", -1, 1);
}

static void test_unsigned_and_hex(void **state)
{
    (void)state;
    CHECK("0", "%u", 0u);
    CHECK("4294967295", "%u", UINT_MAX);
    CHECK("deadbeef", "%x", 0xdeadbeefu);
    CHECK("DEADBEEF", "%X", 0xdeadbeefu);
    CHECK("0", "%x", 0u);
    CHECK("ffffffff", "%x", UINT_MAX);
    CHECK("a", "%x", 10u);
    CHECK("A", "%X", 10u);
    CHECK("89abcdef1234567", "%x%x", 0x89abcdefu, 0x01234567u);
}

static void test_width_right_aligned(void **state)
{
    (void)state;
    CHECK("   42", "%5d", 42);
    CHECK("  -42", "%5d", -42);
    CHECK("   ff", "%5x", 0xffu);
    CHECK("12345", "%3d", 12345);          /* width smaller than the number: no cut */
    CHECK("42", "%1d", 42);
    CHECK("         7", "%10u", 7u);
}

static void test_left_flag(void **state)
{
    (void)state;
    CHECK("42   |", "%-5d|", 42);
    CHECK("-42  |", "%-5d|", -42);
    CHECK("ab   |", "%-5s|", "ab");
    CHECK("r0 =", "r%-2d=", 0);
    CHECK("r12=", "r%-2d=", 12);
    CHECK_RAW("42   |", "%-05d|", 42);     /* '-' wins over '0' */
    CHECK_RAW("42   |", "%0-5d|", 42);
}

static void test_zero_flag(void **state)
{
    (void)state;
    CHECK("00042", "%05d", 42);
    CHECK("00000000", "%08x", 0u);
    CHECK("0000beef", "%08x", 0xbeefu);
    CHECK("0000BEEF", "%08X", 0xbeefu);
    CHECK("deadbeef", "%08x", 0xdeadbeefu);
    CHECK("00deadbeef", "%010x", 0xdeadbeefu);
    CHECK("00007", "%05u", 7u);
}

static void test_negative_with_zero_pad(void **state)
{
    (void)state;
    CHECK("-0042", "%05d", -42);           /* sign first, then the zeros */
    CHECK("-42", "%03d", -42);             /* exactly the width: no zero */
    CHECK("-42", "%02d", -42);
    CHECK("-000000001", "%010d", -1);
    CHECK("-2147483648", "%05d", INT_MIN);
    CHECK("-0000000000000000001", "%020lld", -1LL);
}

static void test_long_and_long_long(void **state)
{
    (void)state;
    CHECK("-1", "%ld", -1L);
    CHECK("123456789", "%lu", 123456789UL);
    CHECK("abcdef", "%lx", 0xabcdefUL);
    if (sizeof(long) == 8) {
        CHECK("-9223372036854775808", "%ld", LONG_MIN);
        CHECK("ffffffffffffffff", "%lx", ULONG_MAX);
    } else {
        CHECK("-2147483648", "%ld", LONG_MIN);
        CHECK("ffffffff", "%lx", ULONG_MAX);
    }
    CHECK("9223372036854775807", "%lld", LLONG_MAX);
    CHECK("-9223372036854775808", "%lld", LLONG_MIN);
    CHECK("18446744073709551615", "%llu", ULLONG_MAX);
    CHECK("123456789abcdef0", "%llx", 0x123456789abcdef0ULL);
    CHECK("123456789ABCDEF0", "%llX", 0x123456789abcdef0ULL);
    CHECK("4294967296", "%llu", 1ULL << 32);
    CHECK("-4294967296", "%lli", -(1LL << 32));
    CHECK("00000001ffffffff", "%016llx", 0x1ffffffffULL);
    CHECK("1 2 3", "%d %lld %d", 1, 2LL, 3);   /* va_arg stays aligned after a long long */
}

static void test_strings(void **state)
{
    (void)state;
    const char *volatile null_str = NULL;
    CHECK("abc", "%s", "abc");
    CHECK("", "%s", "");
    CHECK("  abc", "%5s", "abc");
    CHECK("abc  |", "%-5s|", "abc");
    CHECK("abcdef", "%3s", "abcdef");
    CHECK("(null)", "%s", null_str);
    CHECK("  (null)", "%8s", null_str);
    CHECK("(null)  |", "%-8s|", null_str);
    CHECK_RAW("  abc", "%05s", "abc");     /* '0' pads numbers only */
    CHECK("[ab][cd]", "[%s][%s]", "ab", "cd");
}

static void test_chars(void **state)
{
    (void)state;
    CHECK("A", "%c", 'A');
    CHECK("  A", "%3c", 'A');
    CHECK("A  |", "%-3c|", 'A');
    CHECK_RAW("  A", "%03c", 'A');
    CHECK("xyz", "%c%c%c", 'x', 'y', 'z');
}

static void test_pointers(void **state)
{
    (void)state;
    char expected[32];
    int digits = (int)(2 * sizeof(void *));
    /* "0x" and every digit of the pointer, zero-filled. */
    memcpy(expected, "0x", 2);
    memset(expected + 2, '0', (size_t)digits);
    expected[2 + digits] = '\0';
    CHECK(expected, "%p", (void *)0);
    memcpy(expected + 2 + digits - 4, "1234", 4);
    CHECK(expected, "%p", (void *)(uintptr_t)0x1234);
    memset(expected + 2, 'f', (size_t)digits);
    CHECK(expected, "%p", (void *)UINTPTR_MAX);
    char padded[48];
    int n = fmt_snprintf(padded, sizeof(padded), "%-24p|", (void *)UINTPTR_MAX);
    assert_int_equal(n, 25);
    assert_memory_equal(padded, expected, strlen(expected));
    assert_int_equal(padded[24], '|');
}

static void test_odd_formats(void **state)
{
    (void)state;
    CHECK_RAW("abc", "abc%");              /* a lone '%' at the end is dropped */
    CHECK_RAW("%q", "%q");                 /* unknown conversions print as written */
    CHECK_RAW("x%yz", "x%yz");
    CHECK_RAW("%w", "%5w");                /* ... without the width */
}

static void test_snprintf_truncation(void **state)
{
    (void)state;
    char buf[16];

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(fmt_snprintf(buf, 5, "hello %s", "world"), 11);
    assert_string_equal(buf, "hell");
    assert_int_equal(buf[5], 'X');         /* nothing written past n */

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(fmt_snprintf(buf, 6, "%s", "hello"), 5);   /* exact fit */
    assert_string_equal(buf, "hello");
    assert_int_equal(buf[6], 'X');

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(fmt_snprintf(buf, 5, "%s", "hello"), 5);   /* one short */
    assert_string_equal(buf, "hell");

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(fmt_snprintf(buf, 1, "%d", 12345), 5);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'X');

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(fmt_snprintf(buf, 0, "%d", 12345), 5);     /* n = 0: nothing written */
    assert_int_equal(buf[0], 'X');
    assert_int_equal(fmt_snprintf(NULL, 0, "%s=%d", "answer", 42), 9);

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(fmt_snprintf(buf, 8, "%08x%08x", 0x12345678u, 0x9abcdef0u), 16);
    assert_string_equal(buf, "1234567");

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(fmt_snprintf(buf, 4, "%-6d|", -5), 7);
    assert_string_equal(buf, "-5 ");
}

static void test_vformat_counts_every_character(void **state)
{
    (void)state;
    CHECK_RAW("r1 =0x00000010  pc=0x40010dd4", "r%-2d=0x%08x  pc=0x%08x", 1, 0x10u,
              0x40010dd4u);
    CHECK_RAW("boot 2, 1501232 ns", "boot %u, %llu ns", 2u, 1501232ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_and_percent),
        cmocka_unit_test(test_signed_decimal),
        cmocka_unit_test(test_unsigned_and_hex),
        cmocka_unit_test(test_width_right_aligned),
        cmocka_unit_test(test_left_flag),
        cmocka_unit_test(test_zero_flag),
        cmocka_unit_test(test_negative_with_zero_pad),
        cmocka_unit_test(test_long_and_long_long),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_pointers),
        cmocka_unit_test(test_odd_formats),
        cmocka_unit_test(test_snprintf_truncation),
        cmocka_unit_test(test_vformat_counts_every_character),
    };
    return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}

/* Unit tests of kernel/tty.c: cooked lines with echo and editing, raw bytes, end of file,
   escape sequences, UTF-8, full line and full queue. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/tty.h>

static struct tty t;
static char echoed[8192];
static size_t echoed_len;

static void capture(const char *s, uint32_t n)
{
    assert_true(echoed_len + n < sizeof(echoed));
    memcpy(echoed + echoed_len, s, n);
    echoed_len += n;
    echoed[echoed_len] = '\0';
}

static int setup(void **state)
{
    (void)state;
    tty_reset(&t);
    echoed_len = 0;
    echoed[0] = '\0';
    return 0;
}

/* Types s for a cooked (raw == 0) or raw reader; returns how many characters said
   "something to take". */
static int type(const char *s, size_t n, int raw)
{
    int ready = 0;
    for (size_t i = 0; i < n; i++)
        ready += tty_input(&t, s[i], raw, capture);
    return ready;
}
#define TYPE(s, raw) type(s, sizeof(s) - 1, raw)

static void expect_read(uint32_t cap, int raw, const char *want)
{
    char buf[TTY_QUEUE_SIZE];
    int n = tty_read(&t, buf, cap, raw);
    assert_int_equal(n, (int)strlen(want));
    assert_memory_equal(buf, want, strlen(want));
}

static void test_cooked_line_whole_with_echo(void **state)
{
    (void)state;
    assert_int_equal(TYPE("print(1)", 0), 0);
    assert_false(tty_readable(&t, 0));                  /* nothing until Enter */
    assert_int_equal(tty_read(&t, echoed + 4000, 10, 0), -1);
    assert_int_equal(TYPE("\r", 0), 1);
    assert_string_equal(echoed, "print(1)\n");
    expect_read(100, 0, "print(1)\n");
    assert_false(tty_readable(&t, 0));
}

static void test_cooked_one_line_a_read(void **state)
{
    (void)state;
    TYPE("a\rbb\rccc\r", 0);
    expect_read(100, 0, "a\n");
    expect_read(2, 0, "bb");                            /* the rest stays for the next read */
    expect_read(100, 0, "\n");
    expect_read(100, 0, "ccc\n");
}

static void test_cr_lf_is_one_enter(void **state)
{
    (void)state;
    assert_int_equal(TYPE("x\r\ny\n\n", 0), 3);
    expect_read(100, 0, "x\n");
    expect_read(100, 0, "y\n");
    expect_read(100, 0, "\n");
    assert_int_equal(tty_read(&t, echoed + 4000, 10, 0), -1);
}

static void test_backspace_and_ctrl_u(void **state)
{
    (void)state;
    TYPE("abc\b\x7f" "d\r", 0);
    expect_read(100, 0, "ad\n");
    assert_string_equal(echoed, "abc\b \b\b \bd\n");
    echoed_len = 0;
    TYPE("xyz\x15" "ok\r", 0);
    expect_read(100, 0, "ok\n");
    assert_string_equal(echoed, "xyz\b \b\b \b\b \bok\n");
    echoed_len = 0;
    TYPE("\b\b\r", 0);                                  /* nothing to erase */
    expect_read(100, 0, "\n");
    assert_string_equal(echoed, "\n");
}

static void test_utf8_passes_and_erases_whole(void **state)
{
    (void)state;
    TYPE("\xc3\xa9t\xc3\xa9\r", 0);                     /* "été" */
    expect_read(100, 0, "\xc3\xa9t\xc3\xa9\n");
    TYPE("a\xe2\x82\xac\b!\r", 0);                      /* "a€", backspace: the euro goes */
    expect_read(100, 0, "a!\n");
}

static void test_escape_sequences_consumed_whole(void **state)
{
    (void)state;
    /* Up, Left (CSI), F1 (SS3), ctrl-Delete (CSI with parameters), then text: the text after
       each sequence arrives whole (before the fix the key after Esc was swallowed). */
    TYPE("\x1b[A\x1b[Da\x1bOPb\x1b[3;5~c\r", 0);
    expect_read(100, 0, "abc\n");
    assert_string_equal(echoed, "abc\n");
    TYPE("\x1b" "aps\r", 0);                            /* the Esc key, then a command */
    expect_read(100, 0, "aps\n");
}

static void test_ctrl_d_end_of_file(void **state)
{
    (void)state;
    assert_int_equal(TYPE("\x04", 0), 1);
    assert_true(tty_readable(&t, 0));
    assert_int_equal(tty_read(&t, echoed + 4000, 10, 0), 0);   /* end of file, consumed */
    assert_false(tty_readable(&t, 0));
    TYPE("ab\x04", 0);                                  /* on a non-empty line: the line, no \n */
    expect_read(100, 0, "ab");
    TYPE("x\r\x04y\r", 0);                              /* a line, end of file, a line */
    expect_read(100, 0, "x\n");
    assert_int_equal(tty_read(&t, echoed + 4000, 10, 0), 0);
    expect_read(100, 0, "y\n");
}

static void test_other_controls_ignored(void **state)
{
    (void)state;
    TYPE("a\x01\x02\tb\r", 0);
    expect_read(100, 0, "ab\n");
}

static void test_long_line_refused_past_limit(void **state)
{
    (void)state;
    static char line[TTY_LINE_MAX + 10];
    memset(line, 'x', sizeof(line));
    type(line, sizeof(line), 0);
    assert_non_null(strchr(echoed, '\a'));              /* a bell for each extra character */
    TYPE("\r", 0);
    char buf[TTY_LINE_MAX + 10];
    assert_int_equal(tty_read(&t, buf, sizeof(buf), 0), TTY_LINE_MAX);   /* 1023 + '\n' */
    assert_int_equal(buf[TTY_LINE_MAX - 1], '\n');
}

static void test_full_queue_keeps_the_line(void **state)
{
    (void)state;
    static char line[TTY_LINE_MAX - 1];
    memset(line, 'q', sizeof(line));
    for (int i = 0; i < TTY_QUEUE_SIZE / TTY_LINE_MAX; i++) {
        type(line, sizeof(line), 0);
        assert_int_equal(TYPE("\r", 0), 1);
    }
    TYPE("late", 0);
    echoed_len = 0;
    assert_int_equal(TYPE("\r", 0), 0);                 /* no room: a bell, the line stays */
    assert_string_equal(echoed, "\a");
    char buf[TTY_LINE_MAX];
    assert_int_equal(tty_read(&t, buf, sizeof(buf), 0), TTY_LINE_MAX);
    assert_int_equal(TYPE("\r", 0), 1);                 /* now it fits */
    for (int i = 1; i < TTY_QUEUE_SIZE / TTY_LINE_MAX; i++)
        assert_int_equal(tty_read(&t, buf, sizeof(buf), 0), TTY_LINE_MAX);
    expect_read(100, 0, "late\n");
}

static void test_raw_bytes_as_typed(void **state)
{
    (void)state;
    assert_int_equal(TYPE("a\x1b[A\b\x03\x04\r", 1), 8);
    assert_int_equal(echoed_len, 0u);                   /* no echo */
    expect_read(3, 1, "a\x1b[");
    expect_read(100, 1, "A\b\x03\x04\r");
    assert_int_equal(tty_read(&t, echoed + 4000, 10, 1), -1);
}

static void test_raw_full_queue_drops(void **state)
{
    (void)state;
    static char bytes[TTY_QUEUE_SIZE + 5];
    memset(bytes, 'r', sizeof(bytes));
    assert_int_equal(type(bytes, sizeof(bytes), 1), TTY_QUEUE_SIZE);
}

static void test_drain_hands_over_in_order(void **state)
{
    (void)state;
    TYPE("ls\rap", 1);
    char buf[16];
    assert_int_equal(tty_drain(&t, buf, sizeof(buf)), 5u);
    assert_memory_equal(buf, "ls\rap", 5);
    assert_false(tty_readable(&t, 1));
    for (int i = 0; i < 5; i++)                         /* re-typed for a cooked reader */
        tty_input(&t, buf[i], 0, capture);
    expect_read(100, 0, "ls\n");
    TYPE("s\r", 0);
    expect_read(100, 0, "aps\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cooked_line_whole_with_echo, setup),
        cmocka_unit_test_setup(test_cooked_one_line_a_read, setup),
        cmocka_unit_test_setup(test_cr_lf_is_one_enter, setup),
        cmocka_unit_test_setup(test_backspace_and_ctrl_u, setup),
        cmocka_unit_test_setup(test_utf8_passes_and_erases_whole, setup),
        cmocka_unit_test_setup(test_escape_sequences_consumed_whole, setup),
        cmocka_unit_test_setup(test_ctrl_d_end_of_file, setup),
        cmocka_unit_test_setup(test_other_controls_ignored, setup),
        cmocka_unit_test_setup(test_long_line_refused_past_limit, setup),
        cmocka_unit_test_setup(test_full_queue_keeps_the_line, setup),
        cmocka_unit_test_setup(test_raw_bytes_as_typed, setup),
        cmocka_unit_test_setup(test_raw_full_queue_drops, setup),
        cmocka_unit_test_setup(test_drain_hands_over_in_order, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

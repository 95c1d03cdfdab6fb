/* Unit tests of apps/cinit/lineedit.c: editing keys, cursor movement, history, completion,
   escape sequences, UTF-8 and over-long lines, checked on the line and on the screen. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lineedit.h"

static struct le e;
static char screen[16384];     /* what was written, control characters included */
static size_t screen_len;

static void out(const char *s, size_t n)
{
    assert_true(screen_len + n < sizeof(screen));
    memcpy(screen + screen_len, s, n);
    screen_len += n;
    screen[screen_len] = '\0';
}

static const char *const commands[] = { "help", "ls", "arun", "aps", "akill", "pmm", "hr",
                                        "restart", NULL };
static const char *const images[] = { "hello", "hr", "counter", "cinit", "pmm", NULL };

static const char *candidate(int first, int index)
{
    return first ? commands[index] : images[index];
}

static int setup(void **state)
{
    (void)state;
    le_init(&e, out, candidate, "cinit> ");
    le_start(&e);
    screen_len = 0;
    screen[0] = '\0';
    return 0;
}

/* Types keys; returns what the last one did. */
static enum le_result keys(const char *s)
{
    enum le_result r = LE_MORE;
    for (; *s; s++)
        r = le_key(&e, *s);
    return r;
}

/* Types keys, then Enter; checks the line given. */
static void enter(const char *s, const char *want)
{
    keys(s);
    assert_int_equal(le_key(&e, '\r'), LE_LINE);
    assert_string_equal(e.line, want);
    le_start(&e);
}

/* The screen as a terminal shows the last line: \b moves left, other bytes overwrite. */
static const char *shown(void)
{
    static char row[LE_LINE_MAX];
    size_t col = 0, end = 0;
    const char *last = strrchr(screen, '\n');
    for (const char *p = last ? last + 1 : screen; *p; p++) {
        if (*p == '\b') {
            col--;
        } else if (*p != '\a') {
            row[col++] = *p;
            if (col > end)
                end = col;
        }
    }
    while (end > 0 && row[end - 1] == ' ')
        end--;
    row[end] = '\0';
    return row;
}

static void test_typing_and_enter(void **state)
{
    (void)state;
    keys("aps");
    assert_string_equal(shown(), "aps");
    enter("", "aps");
    assert_int_equal(le_key(&e, '\n'), LE_MORE);       /* the LF of CR LF */
    enter("ls", "ls");
}

static void test_backspace_ctrl_u_ctrl_c(void **state)
{
    (void)state;
    enter("abc\b\x7f" "d", "ad");
    keys("xyz\x15");
    assert_string_equal(shown(), "");
    enter("ok", "ok");
    keys("half");
    assert_int_equal(le_key(&e, '\x03'), LE_CANCEL);
}

static void test_cursor_movement_inserts_and_deletes(void **state)
{
    (void)state;
    keys("arn nop");
    keys("\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D");                 /* Left x5: after "ar" */
    keys("u");
    assert_string_equal(shown(), "arun nop");
    keys("\x1b[F 7");                                   /* End, then type */
    assert_string_equal(shown(), "arun nop 7");
    keys("\x1b[H\x1b[3~");                              /* Home, Delete */
    assert_string_equal(shown(), "run nop 7");
    keys("\x01" "a\x05" "\b");                          /* ctrl-A, a, ctrl-E, backspace */
    enter("", "arun nop ");
}

static void test_history_up_down(void **state)
{
    (void)state;
    enter("aps", "aps");
    enter("pmm", "pmm");
    enter("pmm", "pmm");                                /* a repeat is kept once */
    keys("hr");
    keys("\x1b[A");
    assert_string_equal(shown(), "pmm");
    keys("\x1b[A");
    assert_string_equal(shown(), "aps");
    keys("\x1b[A");                                     /* no older line: stays */
    assert_string_equal(shown(), "aps");
    keys("\x1b[B\x1b[B");                               /* back to what was being typed */
    assert_string_equal(shown(), "hr");
    keys("\x1bOA");                                     /* the SS3 form of Up */
    enter("", "pmm");
}

static void test_history_keeps_the_last_ones(void **state)
{
    (void)state;
    char line[16];
    for (int i = 0; i < LE_HISTORY + 4; i++) {
        snprintf(line, sizeof(line), "c%d", i);
        enter(line, line);
    }
    for (int i = 0; i < LE_HISTORY + 4; i++)
        keys("\x10");                                   /* ctrl-P */
    snprintf(line, sizeof(line), "c%d", 4);
    enter("", line);
}

static void test_completion(void **state)
{
    (void)state;
    keys("re\t");
    assert_string_equal(e.line, "restart ");            /* one match, and a blank */
    keys("\x15" "a\t");
    assert_string_equal(e.line, "a");                   /* arun aps akill: nothing shared */
    assert_non_null(strstr(screen, "\narun  aps  akill\ncinit> a"));
    keys("r\t");
    assert_string_equal(e.line, "arun ");
    keys("c\t");                                        /* an image after the command */
    assert_string_equal(e.line, "arun c");              /* counter cinit: share only c */
    keys("o\t");
    enter("", "arun counter ");
    keys("zz\t");
    assert_non_null(strchr(screen, '\a'));              /* nothing matches: a bell */
}

static void test_ctrl_l_redraws(void **state)
{
    (void)state;
    keys("arun x\x1b[D\x0c");
    assert_non_null(strstr(screen, "cinit> arun x\b"));
    enter("y", "arun yx");
}

static void test_escape_sequences_whole(void **state)
{
    (void)state;
    enter("\x1b[1;5C\x1b[15~a\x1b" "aps", "aaps");       /* ctrl-Right, F5: ignored; lone Esc */
}

static void test_utf8(void **state)
{
    (void)state;
    keys("arun x \xc3\xa9t\xc3\xa9");
    assert_string_equal(shown(), "arun x \xc3\xa9t\xc3\xa9");
    keys("\x1b[D\b");                                   /* erase the t between the two é */
    enter("", "arun x \xc3\xa9\xc3\xa9");
    enter("\x80" "a\xc3", "a");                         /* stray and cut-short bytes dropped */
}

static void test_too_long(void **state)
{
    (void)state;
    for (int i = 0; i < LE_LINE_MAX + 5; i++)
        le_key(&e, 'x');
    assert_int_equal(strlen(e.line), LE_LINE_MAX - 1);
    assert_int_equal(le_key(&e, '\r'), LE_TOO_LONG);
    le_start(&e);
    enter("ls", "ls");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_typing_and_enter, setup),
        cmocka_unit_test_setup(test_backspace_ctrl_u_ctrl_c, setup),
        cmocka_unit_test_setup(test_cursor_movement_inserts_and_deletes, setup),
        cmocka_unit_test_setup(test_history_up_down, setup),
        cmocka_unit_test_setup(test_history_keeps_the_last_ones, setup),
        cmocka_unit_test_setup(test_completion, setup),
        cmocka_unit_test_setup(test_ctrl_l_redraws, setup),
        cmocka_unit_test_setup(test_escape_sequences_whole, setup),
        cmocka_unit_test_setup(test_utf8, setup),
        cmocka_unit_test_setup(test_too_long, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

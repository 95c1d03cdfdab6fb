/* Unit tests of apps/cinit/words.c: C_INIT's shell-like splitting of command lines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "words.h"

#define MAX 35

static char line[1024];
static char *argv[MAX + 1];
static int argc;

static enum words_error split(const char *text)
{
    strcpy(line, text);
    return words_split(line, argv, MAX, &argc);
}

static void expect_words(const char *text, int n, ...)
{
    assert_int_equal(split(text), WORDS_OK);
    assert_int_equal(argc, n);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(argv[i], va_arg(ap, const char *));
    va_end(ap);
    assert_null(argv[n]);
}

static void test_blanks_separate(void **state)
{
    (void)state;
    expect_words("arun  nop\t7 ", 3, "arun", "nop", "7");
    expect_words("", 0);
    expect_words("   \t ", 0);
}

static void test_comments(void **state)
{
    (void)state;
    expect_words("arun nop 3   # a comment", 3, "arun", "nop", "3");
    expect_words("# all comment", 0);
    expect_words("arun a#b", 2, "arun", "a#b");             /* '#' inside a word is text */
    expect_words("arun '#x' \"#y\" \\#z", 4, "arun", "#x", "#y", "#z");
}

static void test_quotes(void **state)
{
    (void)state;
    expect_words("arun lua -e \"print('a b')\"", 4, "arun", "lua", "-e", "print('a b')");
    expect_words("x 'a \"b\" c' \"d 'e' f\"", 3, "x", "a \"b\" c", "d 'e' f");
    expect_words("x a\"b c\"d", 2, "x", "ab cd");               /* parts join */
    expect_words("x \"\" ''", 3, "x", "", "");                  /* empty words */
    expect_words("x \"a\\\"b\\\\c\\n\"", 2, "x", "a\"b\\c\\n"); /* \" and \\ only */
    expect_words("x 'a\\b'", 2, "x", "a\\b");                   /* nothing special in '' */
}

static void test_backslash(void **state)
{
    (void)state;
    expect_words("x a\\ b c", 3, "x", "a b", "c");
    expect_words("x \\'q", 2, "x", "'q");
    expect_words("x end\\", 2, "x", "end\\");                  /* a last backslash stays */
}

static void test_open_quote(void **state)
{
    (void)state;
    assert_int_equal(split("arun x \"open"), WORDS_OPEN_QUOTE);
    assert_int_equal(split("arun x 'open"), WORDS_OPEN_QUOTE);
}

static void test_word_limit(void **state)
{
    (void)state;
    char text[256] = "";
    for (int i = 0; i < MAX; i++)
        strcat(text, "w ");
    assert_int_equal(split(text), WORDS_OK);
    assert_int_equal(argc, MAX);
    strcat(text, "one-more");
    assert_int_equal(split(text), WORDS_TOO_MANY);
    strcpy(text + strlen(text) - strlen("one-more"), "# but a comment is fine");
    assert_int_equal(split(text), WORDS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blanks_separate),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_backslash),
        cmocka_unit_test(test_open_quote),
        cmocka_unit_test(test_word_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

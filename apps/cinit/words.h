/* C_INIT's command-line words: shell-like splitting with quotes, backslashes and comments. */
#pragma once

/* Why a line could not be split. */
enum words_error {
    WORDS_OK = 0,
    WORDS_TOO_MANY,             /* more than max words */
    WORDS_OPEN_QUOTE,           /* a quote was not closed */
};

/* Splits line into at most max words in place, pointers in argv[0..*argc-1] and NULL at
 * argv[*argc] (argv holds max + 1). Blanks and tabs separate words; '...' keeps everything
 * as is; "..." keeps everything but \" and \\, which stand for " and \; outside quotes a
 * backslash keeps the next character as is; a '#' that starts a word begins a comment to
 * the end of the line. Quoted parts join the word they touch (a"b c"d is one word), and ""
 * is an empty word. Portable: host-tested. */
enum words_error words_split(char *line, char **argv, int max, int *argc);

/* C_INIT's line editor: one key at a time, with history, cursor movement and completion.
 *
 * Keys: printable characters and UTF-8 insert at the cursor; backspace and Delete erase;
 * Left/Right (and ctrl-B/ctrl-F) move by a character, Home/End (ctrl-A/ctrl-E) to the ends;
 * Up/Down (ctrl-P/ctrl-N) walk the history; Tab completes the word before the cursor
 * (commands for the first word, names from the completion callback after it); ctrl-U
 * erases the line; ctrl-L shows the prompt and the line again; ctrl-C cancels it. Escape sequences are read whole (an unknown one is
 * ignored); a lone Esc is ignored. A character that does not fit (LE_LINE_MAX - 1 bytes)
 * rings the bell and the line is refused at Enter. Portable: host-tested. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define LE_LINE_MAX 1024        /* bytes of a line, NUL included */
#define LE_HISTORY  16          /* lines kept for Up/Down */

/* What a key did. */
enum le_result {
    LE_MORE,                    /* the line goes on */
    LE_LINE,                    /* Enter: the line is in le->line (NUL-terminated) */
    LE_CANCEL,                  /* ctrl-C */
    LE_TOO_LONG,                /* Enter on a line that overflowed: not to be run */
};

/* Writes n bytes to the terminal. */
typedef void (*le_out_fn)(const char *s, size_t n);
/* The index-th completion candidate for a word that is the line's first (first != 0) or
   a later one, or NULL past the last. */
typedef const char *(*le_candidate_fn)(int first, int index);

struct le {
    le_out_fn out;
    le_candidate_fn candidate;
    const char *prompt;         /* redrawn after a list of completions */
    char line[LE_LINE_MAX];
    uint32_t len, cur;          /* bytes in line, cursor (a byte offset) */
    int overflow;
    uint8_t esc;                /* 0, 1 after ESC, 2 in CSI, 3 in SS3 */
    char param[8];              /* CSI parameter bytes so far */
    uint32_t nparam;
    uint8_t after_cr;
    char utf8[4];               /* a UTF-8 character being typed, inserted once whole */
    uint8_t utf8_len, utf8_need;
    char history[LE_HISTORY][LE_LINE_MAX];
    int nhistory;               /* lines in history, oldest first */
    int browse;                 /* history line shown (nhistory: the line being typed) */
    char typed[LE_LINE_MAX];    /* the line being typed, while browsing the history */
};

/* Sets e up (history empty). */
void le_init(struct le *e, le_out_fn out, le_candidate_fn candidate, const char *prompt);
/* Starts a new, empty line (after the caller printed the prompt). */
void le_start(struct le *e);
/* Takes one key byte. */
enum le_result le_key(struct le *e, char c);

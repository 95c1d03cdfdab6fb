/* C_INIT's line editor (see lineedit.h). */
#include <string.h>
#include "lineedit.h"

#define LE_CTRL(c) ((c) & 0x1f)
#define LE_BS  0x08
#define LE_DEL 0x7f
#define LE_ESC 0x1b

void le_init(struct le *e, le_out_fn out, le_candidate_fn candidate, const char *prompt)
{
    memset(e, 0, sizeof(*e));
    e->out = out;
    e->candidate = candidate;
    e->prompt = prompt;
}

void le_start(struct le *e)
{
    e->len = e->cur = 0;
    e->line[0] = '\0';
    e->overflow = 0;
    e->esc = 0;
    e->browse = e->nhistory;
}

static void le_puts(struct le *e, const char *s)
{
    e->out(s, strlen(s));
}

static int le_continuation(char c)
{
    return ((uint8_t)c & 0xc0) == 0x80;
}

/* Characters (not bytes: UTF-8 continuation bytes do not count) in line[from, to). */
static uint32_t le_columns(const struct le *e, uint32_t from, uint32_t to)
{
    uint32_t n = 0;
    for (uint32_t i = from; i < to; i++)
        n += !le_continuation(e->line[i]);
    return n;
}

static void le_back(struct le *e, uint32_t columns)
{
    while (columns--)
        e->out("\b", 1);
}

/* Redraws line[from, len) from the cursor's screen position (which is at from), blanks
   `erased` columns past its end, and puts the cursor back at e->cur. */
static void le_redraw_tail(struct le *e, uint32_t from, uint32_t erased)
{
    e->out(e->line + from, e->len - from);
    for (uint32_t i = 0; i < erased; i++)
        e->out(" ", 1);
    le_back(e, le_columns(e, e->cur, e->len) + erased);
}

static void le_insert(struct le *e, const char *s, uint32_t n)
{
    if (e->len + n > LE_LINE_MAX - 1) {
        if (!e->overflow)
            e->out("\a", 1);
        e->overflow = 1;
        return;
    }
    memmove(e->line + e->cur + n, e->line + e->cur, e->len - e->cur);
    memcpy(e->line + e->cur, s, n);
    e->len += n;
    e->line[e->len] = '\0';
    uint32_t from = e->cur;
    e->cur += n;
    le_redraw_tail(e, from, 0);
}

/* Byte offset of the character before (or after) the cursor. */
static uint32_t le_prev(const struct le *e, uint32_t at)
{
    if (at == 0)
        return 0;
    do
        at--;
    while (at > 0 && le_continuation(e->line[at]));
    return at;
}

static uint32_t le_next(const struct le *e, uint32_t at)
{
    if (at >= e->len)
        return e->len;
    do
        at++;
    while (at < e->len && le_continuation(e->line[at]));
    return at;
}

/* Erases line[from, to) (a whole number of characters) with the cursor at from. */
static void le_erase(struct le *e, uint32_t from, uint32_t to)
{
    uint32_t columns = le_columns(e, from, to);
    memmove(e->line + from, e->line + to, e->len - to);
    e->len -= to - from;
    e->line[e->len] = '\0';
    e->cur = from;
    le_redraw_tail(e, from, columns);
}

static void le_move(struct le *e, uint32_t to)
{
    if (to < e->cur)
        le_back(e, le_columns(e, to, e->cur));
    else
        e->out(e->line + e->cur, to - e->cur);
    e->cur = to;
}

/* Shows text in place of the whole line, the cursor at its end. */
static void le_replace(struct le *e, const char *text)
{
    le_move(e, 0);
    uint32_t old = le_columns(e, 0, e->len);
    size_t n = strlen(text);
    memcpy(e->line, text, n + 1);
    e->len = e->cur = (uint32_t)n;
    e->overflow = 0;
    e->out(e->line, e->len);
    uint32_t now = le_columns(e, 0, e->len);
    if (old > now) {
        for (uint32_t i = now; i < old; i++)
            e->out(" ", 1);
        le_back(e, old - now);
    }
}

static void le_history_walk(struct le *e, int step)
{
    int to = e->browse + step;
    if (to < 0 || to > e->nhistory)
        return;
    if (e->browse == e->nhistory)
        memcpy(e->typed, e->line, e->len + 1);
    e->browse = to;
    le_replace(e, to == e->nhistory ? e->typed : e->history[to]);
}

static void le_history_add(struct le *e)
{
    if (e->len == 0 || (e->nhistory && !strcmp(e->history[e->nhistory - 1], e->line)))
        return;
    if (e->nhistory == LE_HISTORY) {
        memmove(e->history[0], e->history[1], sizeof(e->history[0]) * (LE_HISTORY - 1));
        e->nhistory--;
    }
    memcpy(e->history[e->nhistory++], e->line, e->len + 1);
}

/* Tab: completes the word before the cursor (at the end of the line) from the candidates:
   one match completes it and adds a blank, several extend it to what they share, or, when
   they share nothing more, are listed and the line drawn again. */
static void le_complete(struct le *e)
{
    uint32_t start = e->cur;
    while (start > 0 && e->line[start - 1] != ' ' && e->line[start - 1] != '\t')
        start--;
    int first = 1;
    for (uint32_t i = 0; i < start; i++)
        if (e->line[i] != ' ' && e->line[i] != '\t')
            first = 0;
    uint32_t typed = e->cur - start;
    const char *match = NULL, *c;
    uint32_t common = 0;
    int matches = 0;
    if (!e->candidate || e->cur != e->len) {
        e->out("\a", 1);
        return;
    }
    for (int i = 0; (c = e->candidate(first, i)) != NULL; i++) {
        if (strncmp(c, e->line + start, typed))
            continue;
        if (!matches++) {
            match = c;
            common = (uint32_t)strlen(c);
        } else {
            uint32_t k = typed;
            while (k < common && c[k] == match[k])
                k++;
            common = k;
        }
    }
    if (matches == 0) {
        e->out("\a", 1);
    } else if (common > typed) {
        le_insert(e, match + typed, common - typed);
        if (matches == 1)
            le_insert(e, " ", 1);
    } else if (matches == 1) {
        le_insert(e, " ", 1);
    } else {
        le_puts(e, "\n");
        for (int i = 0, shown = 0; (c = e->candidate(first, i)) != NULL; i++) {
            if (strncmp(c, e->line + start, typed))
                continue;
            if (shown++)
                le_puts(e, "  ");
            le_puts(e, c);
        }
        le_puts(e, "\n");
        le_puts(e, e->prompt);
        e->out(e->line, e->len);
    }
}

/* A byte of a UTF-8 character: the character goes in once it is whole; a stray
   continuation byte or an invalid lead byte is dropped. */
static void le_utf8(struct le *e, uint8_t c)
{
    if (le_continuation((char)c)) {
        if (e->utf8_need == 0)
            return;
        e->utf8[e->utf8_len++] = (char)c;
        if (--e->utf8_need == 0)
            le_insert(e, e->utf8, e->utf8_len);
        return;
    }
    e->utf8_need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2
                 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    e->utf8_len = 0;
    if (e->utf8_need)
        e->utf8[e->utf8_len++] = (char)c;
}

/* A whole escape sequence: CSI with its parameters and final byte, or SS3 and its key. */
static void le_escape(struct le *e, char final)
{
    int home_end = 0;
    if (e->esc == 2 && final == '~') {
        if (!strcmp(e->param, "3"))                     /* Delete */
            home_end = 3;
        else if (!strcmp(e->param, "1") || !strcmp(e->param, "7"))
            home_end = 1;
        else if (!strcmp(e->param, "4") || !strcmp(e->param, "8"))
            home_end = 2;
    }
    if (home_end == 3) {
        if (e->cur < e->len)
            le_erase(e, e->cur, le_next(e, e->cur));
        return;
    }
    switch (home_end == 1 ? 'H' : home_end == 2 ? 'F' : final) {
    case 'A': le_history_walk(e, -1); break;
    case 'B': le_history_walk(e, +1); break;
    case 'C': le_move(e, le_next(e, e->cur)); break;
    case 'D': le_move(e, le_prev(e, e->cur)); break;
    case 'H': le_move(e, 0); break;
    case 'F': le_move(e, e->len); break;
    default: break;                                     /* a key without a meaning here */
    }
}

enum le_result le_key(struct le *e, char ch)
{
    uint8_t c = (uint8_t)ch;
    int after_cr = e->after_cr;
    if (!le_continuation(ch))
        e->utf8_need = 0;           /* a character cut short by another key is dropped */
    e->after_cr = c == '\r';
    if (e->esc == 1) {
        e->esc = c == '[' ? 2 : c == 'O' ? 3 : 0;
        e->nparam = 0;
        e->param[0] = '\0';
        if (e->esc)
            return LE_MORE;
    } else if (e->esc == 2) {
        if (c >= 0x40 && c <= 0x7e) {
            le_escape(e, (char)c);
            e->esc = 0;
        } else if (e->nparam < sizeof(e->param) - 1) {
            e->param[e->nparam++] = (char)c;
            e->param[e->nparam] = '\0';
        }
        return LE_MORE;
    } else if (e->esc == 3) {
        le_escape(e, (char)c);
        e->esc = 0;
        return LE_MORE;
    }
    switch (c) {
    case '\n':
        if (after_cr)
            return LE_MORE;             /* CR LF: one Enter */
        /* fall through */
    case '\r':
        le_move(e, e->len);
        le_puts(e, "\n");
        if (e->overflow)
            return LE_TOO_LONG;
        le_history_add(e);
        return LE_LINE;
    case LE_BS:
    case LE_DEL:
        if (e->cur > 0) {
            uint32_t to = e->cur;
            le_back(e, 1);
            le_erase(e, le_prev(e, to), to);
        }
        return LE_MORE;
    case LE_CTRL('U'):
        le_replace(e, "");
        return LE_MORE;
    case LE_CTRL('C'):
        le_move(e, e->len);
        return LE_CANCEL;
    case LE_CTRL('A'): le_move(e, 0); return LE_MORE;
    case LE_CTRL('E'): le_move(e, e->len); return LE_MORE;
    case LE_CTRL('B'): le_move(e, le_prev(e, e->cur)); return LE_MORE;
    case LE_CTRL('F'): le_move(e, le_next(e, e->cur)); return LE_MORE;
    case LE_CTRL('L'):                  /* show the prompt and the line again */
        le_puts(e, e->prompt);
        e->out(e->line, e->len);
        le_back(e, le_columns(e, e->cur, e->len));
        return LE_MORE;
    case LE_CTRL('P'): le_history_walk(e, -1); return LE_MORE;
    case LE_CTRL('N'): le_history_walk(e, +1); return LE_MORE;
    case '\t':
        le_complete(e);
        return LE_MORE;
    case LE_ESC:
        e->esc = 1;
        return LE_MORE;
    default:
        if (c >= 0x80)
            le_utf8(e, c);
        else if (c >= 0x20)
            le_insert(e, &ch, 1);
        return LE_MORE;
    }
}

/* C_INIT's command-line words (see words.h). */
#include <stddef.h>
#include "words.h"

static int words_blank(char c)
{
    return c == ' ' || c == '\t';
}

enum words_error words_split(char *line, char **argv, int max, int *argc)
{
    char *in = line, *out = line;
    int n = 0;
    *argc = 0;
    argv[0] = NULL;
    for (;;) {
        while (words_blank(*in))
            in++;
        if (!*in || *in == '#')
            break;
        if (n == max)
            return WORDS_TOO_MANY;
        /* The word is rebuilt from out, never ahead of in: unquoting only shortens it. */
        argv[n++] = out;
        while (*in && !words_blank(*in)) {
            char q = *in;
            if (q == '\'' || q == '"') {
                in++;
                while (*in && *in != q) {
                    if (q == '"' && *in == '\\' && (in[1] == '"' || in[1] == '\\'))
                        in++;
                    *out++ = *in++;
                }
                if (!*in)
                    return WORDS_OPEN_QUOTE;
                in++;
            } else {
                if (q == '\\' && in[1])
                    in++;
                *out++ = *in++;
            }
        }
        int end = !*in;
        *out++ = '\0';
        if (end)
            break;
        in++;
    }
    argv[n] = NULL;
    *argc = n;
    return WORDS_OK;
}

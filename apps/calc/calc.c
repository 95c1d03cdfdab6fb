/* Demo: an interactive calculator, a small interpreter that reads lines from stdin.
 *
 * It shows what an actor that talks to a person gets: whole lines with echo and editing,
 * Ctrl-D to end, Ctrl-C to give the console back to C_INIT; libm and the full newlib
 * (app.mk: calc_LIBC := full, for printf's %g); malloc and realloc for its variables.
 * Usage: arun calc. Lines:
 *   expr                  prints the value (%.15g)
 *   name = expr           sets a variable (and prints it)
 *   vars                  lists the variables
 *   quit                  ends (so does Ctrl-D)
 * expr: numbers, variables, + - * / % ^ (power), unary -, parentheses, and the functions
 * sin cos tan sqrt exp log floor ceil abs (one argument), pow atan2 fmod (two), now() (the
 * wall time, seconds since 1970) and pi. Errors say where: "calc: column N: what". */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CALC_NAME_MAX 32

struct calc_var {
    char name[CALC_NAME_MAX];
    double value;
};

static struct calc_var *calc_vars;
static size_t calc_nvars, calc_cap;

/* The parser's state: the line, where it is, and the first error met. */
static const char *calc_line, *calc_at;
static const char *calc_error;
static size_t calc_error_col;

static void calc_fail(const char *what)
{
    if (!calc_error) {
        calc_error = what;
        calc_error_col = (size_t)(calc_at - calc_line) + 1;
    }
}

static void calc_blanks(void)
{
    while (*calc_at == ' ' || *calc_at == '\t')
        calc_at++;
}

static int calc_take(char c)
{
    calc_blanks();
    if (*calc_at != c)
        return 0;
    calc_at++;
    return 1;
}

/* Reads a name at calc_at into name; returns its length (0: none). */
static size_t calc_name(char *name)
{
    size_t n = 0;
    calc_blanks();
    if (!isalpha((unsigned char)*calc_at) && *calc_at != '_')
        return 0;
    while (isalnum((unsigned char)calc_at[n]) || calc_at[n] == '_') {
        if (n < CALC_NAME_MAX - 1)
            name[n] = calc_at[n];
        n++;
    }
    calc_at += n;
    name[n < CALC_NAME_MAX ? n : CALC_NAME_MAX - 1] = '\0';
    return n;
}

static struct calc_var *calc_find(const char *name)
{
    for (size_t i = 0; i < calc_nvars; i++)
        if (!strcmp(calc_vars[i].name, name))
            return &calc_vars[i];
    return NULL;
}

static double calc_expr(void);

/* A function call's arguments: want of them, in parentheses. */
static int calc_args(double *v, int want)
{
    if (!calc_take('(')) {
        calc_fail("'(' expected");
        return 0;
    }
    for (int i = 0; i < want; i++) {
        if (i && !calc_take(',')) {
            calc_fail("',' expected");
            return 0;
        }
        v[i] = calc_expr();
    }
    if (!calc_take(')')) {
        calc_fail("')' expected");
        return 0;
    }
    return 1;
}

static double calc_call(const char *f)
{
    static const struct { const char *name; double (*fn)(double); } one[] = {
        { "sin", sin }, { "cos", cos }, { "tan", tan }, { "sqrt", sqrt }, { "exp", exp },
        { "log", log }, { "floor", floor }, { "ceil", ceil }, { "abs", fabs },
    };
    static const struct { const char *name; double (*fn)(double, double); } two[] = {
        { "pow", pow }, { "atan2", atan2 }, { "fmod", fmod },
    };
    double v[2] = { 0, 0 };
    for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
        if (!strcmp(f, one[i].name))
            return calc_args(v, 1) ? one[i].fn(v[0]) : 0;
    for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++)
        if (!strcmp(f, two[i].name))
            return calc_args(v, 2) ? two[i].fn(v[0], v[1]) : 0;
    if (!strcmp(f, "now")) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return calc_args(v, 0) ? (double)ts.tv_sec + ts.tv_nsec / 1e9 : 0;
    }
    calc_fail("unknown function");
    return 0;
}

/* primary: number | name | name(args) | (expr) | -primary */
static double calc_primary(void)
{
    char name[CALC_NAME_MAX];
    calc_blanks();
    if (calc_take('-'))
        return -calc_primary();
    if (calc_take('(')) {
        double v = calc_expr();
        if (!calc_take(')'))
            calc_fail("')' expected");
        return v;
    }
    if (isdigit((unsigned char)*calc_at) || *calc_at == '.') {
        char *end;
        double v = strtod(calc_at, &end);
        calc_at = end;
        return v;
    }
    if (calc_name(name)) {
        calc_blanks();
        if (*calc_at == '(')
            return calc_call(name);
        if (!strcmp(name, "pi"))
            return M_PI;
        struct calc_var *var = calc_find(name);
        if (!var)
            calc_fail("unknown variable");
        return var ? var->value : 0;
    }
    calc_fail(*calc_at ? "unexpected character" : "unexpected end of line");
    return 0;
}

/* power: primary [^ power] (right to left) */
static double calc_power(void)
{
    double v = calc_primary();
    return calc_take('^') ? pow(v, calc_power()) : v;
}

static double calc_term(void)
{
    double v = calc_power();
    for (;;) {
        if (calc_take('*'))
            v *= calc_power();
        else if (calc_take('/'))
            v /= calc_power();
        else if (calc_take('%'))
            v = fmod(v, calc_power());
        else
            return v;
    }
}

static double calc_expr(void)
{
    double v = calc_term();
    for (;;) {
        if (calc_take('+'))
            v += calc_term();
        else if (calc_take('-'))
            v -= calc_term();
        else
            return v;
    }
}

/* Sets variable name (a new one grows the table with realloc); 0 when memory ran out. */
static int calc_set(const char *name, double value)
{
    struct calc_var *var = calc_find(name);
    if (!var) {
        if (calc_nvars == calc_cap) {
            size_t cap = calc_cap ? 2 * calc_cap : 8;
            struct calc_var *grown = realloc(calc_vars, cap * sizeof(*grown));
            if (!grown)
                return 0;
            calc_vars = grown;
            calc_cap = cap;
        }
        var = &calc_vars[calc_nvars++];
        strcpy(var->name, name);
    }
    var->value = value;
    return 1;
}

/* Runs one line; returns 0 for quit. */
static int calc_run(const char *line)
{
    char name[CALC_NAME_MAX] = "";
    calc_line = calc_at = line;
    calc_error = NULL;
    calc_blanks();
    if (!*calc_at)
        return 1;
    if (!strcmp(calc_at, "quit"))
        return 0;
    if (!strcmp(calc_at, "vars")) {
        for (size_t i = 0; i < calc_nvars; i++)
            printf("%s = %.15g\n", calc_vars[i].name, calc_vars[i].value);
        printf("%u variable%s\n", (unsigned)calc_nvars, calc_nvars == 1 ? "" : "s");
        return 1;
    }
    const char *start = calc_at;
    if (!(calc_name(name) && calc_take('=')) || calc_take('=')) {
        calc_at = start;        /* not an assignment (== is no operator either) */
        name[0] = '\0';
    }
    double v = calc_expr();
    calc_blanks();
    if (*calc_at)
        calc_fail("unexpected character");
    if (calc_error) {
        printf("calc: column %u: %s\n", (unsigned)calc_error_col, calc_error);
        return 1;
    }
    if (name[0] && !calc_set(name, v)) {
        printf("calc: out of memory for %s\n", name);
        return 1;
    }
    printf(name[0] ? "%s = %.15g\n" : "%s%.15g\n", name, v);
    return 1;
}

int main(void)
{
    static char line[4096];
    printf("calc: type an expression, vars, or quit (Ctrl-D ends too)\n");
    for (;;) {
        printf("> ");
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin))
            break;
        line[strcspn(line, "\n")] = '\0';
        if (!calc_run(line))
            break;
    }
    printf("calc: bye\n");
    return 0;
}

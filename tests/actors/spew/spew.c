/* Test actor for the console's output ring (tests/images/conring.image, started at boot;
 * tests/qemu/test_console.py). Its name (argv[0]) says what it does:
 *   spew*    writes SPEW_LINES numbered lines of 80 bytes, each with its own write, then
 *            SPEW_BLOCK lines with a single write (4,000 bytes), then "NAME done", and exits:
 *              NAME line K xxxx...x        (K from 000, the line 80 bytes with its '\n')
 *              NAME block K xxxx...x
 *   spewk    (the actors privilege) sleeps SPEW_KILL_MS, then kills the actor named spewb,
 *            and says so: "spewk: killed spewb (aid A) = R". Under the console-hold self
 *            test spewb is then blocked in a write, waiting for room in the ring. */
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

#define SPEW_LINES   200
#define SPEW_BLOCK   50
#define SPEW_WIDTH   80
#define SPEW_KILL_MS 300

static char spew_buf[SPEW_BLOCK * SPEW_WIDTH];

/* Formats line k of kind ("line" or "block") at out: SPEW_WIDTH bytes, '\n' last. */
static void spew_line(char *out, const char *name, const char *kind, int k)
{
    int n = snprintf(out, SPEW_WIDTH, "%s %s %03d ", name, kind, k);
    memset(out + n, 'x', (size_t)(SPEW_WIDTH - 1 - n));
    out[SPEW_WIDTH - 1] = '\n';
}

/* Writes n bytes with one call; returns whether all went. */
static int spew_write(const char *s, long n)
{
    return sys_call2(SYS_CONSOLE_WRITE, (long)s, n) == n;
}

/* spewk: kills spewb once it waits in a write. */
static int spew_kill(void)
{
    sys_call1(SYS_DELAY, SPEW_KILL_MS * 1000);
    static struct actor_info info;
    for (int i = 0; sys_call2(SYS_ACTOR_INFO, i, (long)&info) == K_OK; i++) {
        if (info.aid == 0 || strcmp(info.name, "spewb"))
            continue;
        long r = sys_call1(SYS_ACTOR_KILL, info.aid);
        int n = snprintf(spew_buf, sizeof(spew_buf), "spewk: killed spewb (aid %ld) = %ld\n",
                         (long)info.aid, r);
        return !spew_write(spew_buf, n);
    }
    spew_write("spewk: no spewb\n", 16);
    return 1;
}

int main(int argc, char **argv)
{
    const char *name = argc > 0 ? argv[0] : "spew";
    if (!strcmp(name, "spewk"))
        return spew_kill();
    for (int k = 0; k < SPEW_LINES; k++) {
        spew_line(spew_buf, name, "line", k);
        if (!spew_write(spew_buf, SPEW_WIDTH))
            return 1;
    }
    for (int k = 0; k < SPEW_BLOCK; k++)
        spew_line(spew_buf + k * SPEW_WIDTH, name, "block", k);
    if (!spew_write(spew_buf, sizeof(spew_buf)))
        return 1;
    int n = snprintf(spew_buf, sizeof(spew_buf), "%s done\n", name);
    return !spew_write(spew_buf, n);
}

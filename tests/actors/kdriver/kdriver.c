/* Kernel test driver: a console shell that spawns test actors and waits for them, so that
   QEMU scenarios can run kernel tests one command at a time (needs PRIV_ACTORS).
   Commands: run IMAGE [ARGS] (start, wait for the end), start IMAGE [ARGS] (print the aid),
   cycles N IMAGE [ARGS] (N runs; free pages before and after), kill AID, wait AID, mem. */
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRIVER_ARGS_MAX 8

/* Writes n bytes straight to the console (the echo of typed characters). */
static void driver_echo(const char *s, long n)
{
    sys_call2(SYS_CONSOLE_WRITE, (long)s, n);
}

/* Reads one line from the console into buf, echoing it as a shell does (backspace erases);
   returns its length, 0 for an empty line. */
static int driver_readline(char *buf, int n)
{
    int len = 0;
    for (;;) {
        char c;
        long r = sys_call3(SYS_CONSOLE_READ, (long)&c, 1, CONSOLE_READ_BACKGROUND);
        if (r < 0)
            sys_call1(SYS_DELAY, 10000);    /* another actor reads the console: wait */
        if (r <= 0)
            continue;
        if (c == '\r' || c == '\n') {
            driver_echo("\n", 1);
            break;
        }
        if (c == '\b' || c == 0x7f) {
            if (len > 0) {
                len--;
                driver_echo("\b \b", 3);
            }
        } else if (c >= ' ' && len < n - 1) {
            buf[len++] = c;
            driver_echo(&c, 1);
        }
    }
    buf[len] = '\0';
    return len;
}

static uint32_t driver_free_pages(void)
{
    struct mem_info mi;
    sys_call1(SYS_MEM_INFO, (long)&mi);
    return mi.free_pages;
}

/* Starts image with argc arguments (argv[0] is the image name); returns the aid or K_E*. */
static int driver_spawn(int argc, char **argv)
{
    char args[ACTOR_ARGS_MAX];
    uint32_t len = 0;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;
        if (len + l > sizeof(args))
            return K_EINVAL;
        memcpy(args + len, argv[i], l);
        len += (uint32_t)l;
    }
    struct actor_spawn sp;
    memset(&sp, 0, sizeof(sp));
    strncpy(sp.image, argv[0], sizeof(sp.image) - 1);
    sp.argc = (uint32_t)argc;
    sp.args_len = len;
    sp.args = args;
    sp.privileges = ACTOR_PRIVS_IMAGE;
    return (int)sys_call1(SYS_ACTOR_CREATE, (long)&sp);
}

/* Waits until actor aid has ended. */
static void driver_wait(int aid)
{
    struct actor_info info;
    for (;;) {
        if (sys_call2(SYS_ACTOR_INFO, aid % ACTOR_SLOTS - 1, (long)&info) != K_OK || info.aid != aid)
            return;
        sys_call1(SYS_DELAY, 1000);
    }
}

static int driver_run(int argc, char **argv, int quiet)
{
    int aid = driver_spawn(argc, argv);
    if (aid < 0) {
        printf("kdriver: cannot start %s: %d\n", argv[0], aid);
        return aid;
    }
    if (!quiet)
        printf("kdriver: started %s as aid %d\n", argv[0], aid);
    driver_wait(aid);
    if (!quiet)
        printf("kdriver: %s ended\n", argv[0]);
    return aid;
}

int main(void)
{
    char line[160];
    char *av[DRIVER_ARGS_MAX];
    printf("kdriver: ready, %lu free pages\n", (unsigned long)driver_free_pages());
    for (;;) {
        printf("kdriver> ");
        fflush(stdout);
        driver_readline(line, sizeof(line));
        int ac = 0;
        for (char *t = strtok(line, " "); t && ac < DRIVER_ARGS_MAX; t = strtok(NULL, " "))
            av[ac++] = t;
        if (ac == 0)
            continue;
        if (!strcmp(av[0], "run") && ac >= 2) {
            driver_run(ac - 1, av + 1, 0);
        } else if (!strcmp(av[0], "start") && ac >= 2) {
            int aid = driver_spawn(ac - 1, av + 1);
            printf("kdriver: started %s as aid %d\n", av[1], aid);
        } else if (!strcmp(av[0], "cycles") && ac >= 3) {
            int n = atoi(av[1]);
            uint32_t before = driver_free_pages();
            int failed = 0;
            for (int i = 0; i < n; i++)
                if (driver_run(ac - 2, av + 2, 1) < 0)
                    failed++;
            printf("kdriver: %d cycles of %s, %d failed, free pages before %lu after %lu\n", n,
                   av[2], failed, (unsigned long)before, (unsigned long)driver_free_pages());
        } else if (!strcmp(av[0], "kill") && ac == 2) {
            printf("kdriver: kill %s: %ld\n", av[1], sys_call1(SYS_ACTOR_KILL, atol(av[1])));
        } else if (!strcmp(av[0], "wait") && ac == 2) {
            driver_wait(atoi(av[1]));
            printf("kdriver: %s ended\n", av[1]);
        } else if (!strcmp(av[0], "mem")) {
            printf("kdriver: %lu free pages\n", (unsigned long)driver_free_pages());
        } else {
            printf("kdriver: usage: run IMAGE [ARGS] | start IMAGE [ARGS] | cycles N IMAGE [ARGS] | kill AID | wait AID | mem\n");
        }
    }
}

/* Watchdog and backoff test actor (tests/qemu/test_watchdog.py). Its runs are counted in
   block "hrwatch" (key HR_GROUP_KEY), so a restarted incarnation knows its run number; every
   run first says "hrwatch: run R aid A t=S.NNNNNNNNN" (virtual time).

     hrwatch hang HOW MS N   runs 1..N arm a watchdog of MS ms ("hrwatch: run R armed MS ms")
                             and hang: HOW spin (a busy loop) or block (a receive on a port of
                             its own that nobody calls); later runs arm it too and kick it
                             every MS/4 ms for ever ("hrwatch: run R kicking")
     hrwatch kick MS COUNT   arms a watchdog of MS ms, then COUNT times works (busy) 5 ms,
                             sleeps MS/2 ms and kicks; says "hrwatch: kicked COUNT times",
                             stops the watchdog and ends cleanly
     hrwatch crash N         runs 1..N say "hrwatch: run R crash t=..." and take a data abort
                             at once; later runs say "hrwatch: run R steady" and wait
     hrwatch calls           the calls' results, one line each: "hrwatch: CALL = R" (info:
                             SYS_WATCHDOG's WATCHDOG_INFO on itself), then ends cleanly */
#include "../hrtest/hrtest.h"
#include <reprise/counter.h>
#include <stdlib.h>

/* The virtual time now in ns. */
static uint64_t hrwatch_now_ns(void)
{
    uint64_t t = counter_now(), hz = counter_hz();
    return t / hz * 1000000000ull + t % hz * 1000000000ull / hz;
}

/* Writes the virtual time now as "S.NNNNNNNNN" (seconds) into out. */
static const char *hrwatch_time(char *out, size_t size)
{
    uint64_t ns = hrwatch_now_ns();
    snprintf(out, size, "%lu.%09lu", (unsigned long)(ns / 1000000000u),
             (unsigned long)(ns % 1000000000u));
    return out;
}

/* Busy for ms milliseconds of virtual time (no system call). */
static void hrwatch_spin_ms(uint32_t ms)
{
    uint64_t end = hrwatch_now_ns() + ms * 1000000ull;
    while (hrwatch_now_ns() < end)
        ;
}

/* This run's number (1 for the first run of the group), counted in block "hrwatch". */
static uint32_t hrwatch_run(void)
{
    uint32_t *runs = hrt_block("hrwatch", "hrwatch", sizeof(*runs), HR_GROUP_KEY,
                               HR_GROUP_KEYSIZE);
    if (!runs) {
        HR_EXIT_HDL();
        exit(1);
    }
    return ++*runs;
}

/* hang HOW MS N: see the file's header. */
static void hrwatch_hang(const char *how, uint32_t ms, uint32_t n, uint32_t run)
{
    int r = hrWatchdogStart(ms);
    printf("hrwatch: run %lu armed %lu ms = %d\n", (unsigned long)run, (unsigned long)ms, r);
    if (run > n) {
        printf("hrwatch: run %lu kicking\n", (unsigned long)run);
        for (;;) {
            hrt_sleep_ms(ms / 4);
            hrWatchdogKick();
        }
    }
    if (!strcmp(how, "spin"))
        for (;;)
            ;
    int port = (int)sys_call1(SYS_PORT_CREATE, 0);
    for (;;)
        sys_ipc_recv(port, NULL);
}

/* kick MS COUNT: see the file's header. */
static void hrwatch_kick(uint32_t ms, uint32_t count)
{
    int r = hrWatchdogStart(ms);
    printf("hrwatch: armed %lu ms = %d\n", (unsigned long)ms, r);
    for (uint32_t i = 0; i < count; i++) {
        hrwatch_spin_ms(5);
        hrt_sleep_ms(ms / 2);
        hrWatchdogKick();
    }
    printf("hrwatch: kicked %lu times\n", (unsigned long)count);
    printf("hrwatch: stop = %d\n", hrWatchdogStop());
    HR_EXIT_HDL();
    exit(0);
}

/* calls: every call's result, the errors first. */
static void hrwatch_calls(void)
{
    printf("hrwatch: start(0) = %d\n", hrWatchdogStart(0));
    printf("hrwatch: start(%lu) = %d\n", (unsigned long)WATCHDOG_PERIOD_MAX_MS + 1,
           hrWatchdogStart(WATCHDOG_PERIOD_MAX_MS + 1));
    printf("hrwatch: kick = %d\n", hrWatchdogKick());
    printf("hrwatch: stop = %d\n", hrWatchdogStop());
    printf("hrwatch: op 9 = %ld\n", sys_call2(SYS_WATCHDOG, 9, 100));
    printf("hrwatch: start(%lu) = %d\n", (unsigned long)WATCHDOG_PERIOD_MAX_MS,
           hrWatchdogStart(WATCHDOG_PERIOD_MAX_MS));
    printf("hrwatch: start(100) = %d\n", hrWatchdogStart(100));
    struct watchdog_info w = { 7, 7 };
    long r = sys_call3(SYS_WATCHDOG, WATCHDOG_INFO, 0, (long)&w);
    printf("hrwatch: info = %ld, period %lu, left <= period %d\n", r, (unsigned long)w.period_ms,
           w.left_ms <= w.period_ms);
    printf("hrwatch: info(NULL) = %ld\n", sys_call3(SYS_WATCHDOG, WATCHDOG_INFO, 0, 0));
    printf("hrwatch: info(aid -1) = %ld\n", sys_call3(SYS_WATCHDOG, WATCHDOG_INFO, -1, (long)&w));
    printf("hrwatch: kick = %d\n", hrWatchdogKick());
    printf("hrwatch: stop = %d\n", hrWatchdogStop());
    printf("hrwatch: kick = %d\n", hrWatchdogKick());
    printf("hrwatch: stop = %d\n", hrWatchdogStop());
    hrt_sleep_ms(300);          /* stopped: nothing fires */
    printf("hrwatch: done\n");
    HR_EXIT_HDL();
    exit(0);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "calls") && argc == 2)
        hrwatch_calls();
    uint32_t run = hrwatch_run();
    char t[24];
    printf("hrwatch: run %lu aid %d t=%s\n", (unsigned long)run, agetId(),
           hrwatch_time(t, sizeof(t)));
    if (!strcmp(mode, "hang") && argc == 5)
        hrwatch_hang(argv[2], (uint32_t)atoi(argv[3]), (uint32_t)atoi(argv[4]), run);
    if (!strcmp(mode, "kick") && argc == 4)
        hrwatch_kick((uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]));
    if (!strcmp(mode, "crash") && argc == 3) {
        if (run <= (uint32_t)atoi(argv[2])) {
            printf("hrwatch: run %lu crash t=%s\n", (unsigned long)run, hrwatch_time(t, sizeof(t)));
            hrt_fault("data");
        }
        printf("hrwatch: run %lu steady\n", (unsigned long)run);
        hrt_wait_forever();
    }
    printf("hrwatch: usage: hrwatch hang spin|block MS N | kick MS COUNT | crash N | calls\n");
    HR_EXIT_HDL();
    return 1;
}

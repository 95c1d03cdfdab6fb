/* HR bench actor: the cost of a watchdog kick (hrWatchdogKick, one system call).
     hrbkick FIGURE   arms a watchdog of one second, kicks it HRBKICK_ITERS times and prints
                      "bench: FIGURE <ns>", the average kick (watchdog_kick_ns); then stops
                      the watchdog and ends cleanly. Run as a restart group by hrbdrive. */
#include "../hrbench/hrbench.h"

#define HRBKICK_ITERS  10000
#define HRBKICK_WARMUP 16

int main(int argc, char **argv)
{
    if (hrWatchdogStart(1000) != K_OK) {
        printf("hrbkick: hrWatchdogStart failed\n");
        HR_EXIT_HDL();
        return 1;
    }
    for (int i = 0; i < HRBKICK_WARMUP; i++)
        hrWatchdogKick();
    uint64_t t0 = counter_now();
    for (int i = 0; i < HRBKICK_ITERS; i++)
        hrWatchdogKick();
    uint64_t ticks = counter_now() - t0;
    hrb_print(argc > 1 ? argv[1] : "watchdog_kick_ns", hrb_ns(ticks) / HRBKICK_ITERS);
    hrWatchdogStop();
    HR_EXIT_HDL();
    return 0;
}

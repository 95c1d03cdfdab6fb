/* Newlib time calls from the generic timer's virtual counter: gettimeofday, times, clock. */
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <reprise/counter.h>

int _gettimeofday(struct timeval *tv, void *tz);
clock_t _times(struct tms *buf);

static uint64_t time_start_count;

/* time_init: note when the program started, the origin of times() and clock(). Linked
 * only into actors that ask for the time. */
__attribute__((constructor(101))) static void time_init(void)
{
    time_start_count = counter_now();
}

static uint32_t time_hz(void)
{
    uint32_t hz = counter_hz();
    return hz ? hz : 1;
}

/* _gettimeofday: the time since the machine started (there is no real-time clock). */
int _gettimeofday(struct timeval *tv, void *tz)
{
    if (tv) {
        uint64_t now = counter_now();
        uint32_t hz = time_hz();
        tv->tv_sec = (time_t)(now / hz);
        tv->tv_usec = (suseconds_t)((now % hz) * 1000000u / hz);
    }
    if (tz)
        memset(tz, 0, sizeof(struct timezone));
    return 0;
}

/* _times: CLOCKS_PER_SEC ticks since the program started, all counted as user time (the
 * kernel keeps no per-actor CPU time); clock() is built on it. */
clock_t _times(struct tms *buf)
{
    clock_t t = (clock_t)((counter_now() - time_start_count) * CLOCKS_PER_SEC / time_hz());
    if (buf) {
        buf->tms_utime = t;
        buf->tms_stime = 0;
        buf->tms_cutime = 0;
        buf->tms_cstime = 0;
    }
    return t;
}

/* Newlib time calls: wall time from the board's real-time clock (gettimeofday, time,
 * clock_gettime(CLOCK_REALTIME)), the generic timer's virtual counter for CLOCK_MONOTONIC,
 * times() and clock(), and the sleeps (sleep, usleep, nanosleep on SYS_DELAY, clock_nanosleep
 * on SYS_DELAY_UNTIL). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <reprise/abi.h>
#include <reprise/counter.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include "glue.h"

#define NS_PER_S 1000000000u

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

/* time_count_to_ts: ticks of the counter as seconds and nanoseconds, plus base seconds. */
static void time_count_to_ts(uint64_t ticks, uint32_t base, struct timespec *ts)
{
    uint32_t hz = time_hz();
    ts->tv_sec = (time_t)(base + ticks / hz);
    ts->tv_nsec = (long)((ticks % hz) * NS_PER_S / hz);
}

/* time_rtc: the kernel's reading of the real-time clock at boot, in seconds since 1970 (0
 * without a clock), and the counter's value then. Fetched once: it does not change while
 * the actor lives. */
static void time_rtc(uint32_t *seconds, uint64_t *count)
{
    static uint32_t rtc_seconds;
    static uint64_t rtc_count;
    static int known;
    if (!known) {
        static struct boot_info info;
        if (sys_call1(SYS_BOOT_INFO, (long)&info) == K_OK) {
            rtc_seconds = info.rtc_seconds;
            rtc_count = info.rtc_seconds ? info.rtc_count : 0;
        }
        known = 1;
    }
    *seconds = rtc_seconds;
    *count = rtc_count;
}

/* time_wall: the wall time (seconds since 1970): the real-time clock's reading at boot plus
 * the counter since then; the time since power-on without a clock. */
static void time_wall(struct timespec *ts)
{
    uint32_t seconds;
    uint64_t count;
    time_rtc(&seconds, &count);
    time_count_to_ts(counter_now() - count, seconds, ts);
}

/* _gettimeofday: the wall time (time() and gettimeofday() come here). */
int _gettimeofday(struct timeval *tv, void *tz)
{
    if (tv) {
        struct timespec ts;
        time_wall(&ts);
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
    }
    if (tz)
        memset(tz, 0, sizeof(struct timezone));
    return 0;
}

/* clock_gettime: CLOCK_REALTIME is the wall time, CLOCK_MONOTONIC the counter since
 * power-on; EINVAL for another clock, EFAULT for a bad pointer. */
int clock_gettime(clockid_t clock_id, struct timespec *tp)
{
    struct timespec ts;
    if (clock_id == CLOCK_REALTIME)
        time_wall(&ts);
    else if (clock_id == CLOCK_MONOTONIC)
        time_count_to_ts(counter_now(), 0, &ts);
    else
        return glue_errno(EINVAL);
    return sys_user_copy(tp, &ts, sizeof(ts)) ? glue_errno(EFAULT) : 0;
}

/* clock_getres: one tick of the counter (16 ns on virt) for both clocks. */
int clock_getres(clockid_t clock_id, struct timespec *res)
{
    if (clock_id != CLOCK_REALTIME && clock_id != CLOCK_MONOTONIC)
        return glue_errno(EINVAL);
    struct timespec ts = { 0, (long)((NS_PER_S + time_hz() - 1) / time_hz()) };
    if (res && sys_user_copy(res, &ts, sizeof(ts)))
        return glue_errno(EFAULT);
    return 0;
}

/* time_delay_us: sleep at least us microseconds (SYS_DELAY takes 32 bits a call). */
static void time_delay_us(uint64_t us)
{
    do {
        uint32_t step = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
        sys_call1(SYS_DELAY, (long)step);
        us -= step;
    } while (us > 0);
}

/* time_ts_to_count: a time of a clock as ticks of the counter, rounded up; base seconds are
 * taken off first (the wall time's reading of the real-time clock). */
static uint64_t time_ts_to_count(const struct timespec *ts, uint32_t base)
{
    uint32_t hz = time_hz();
    uint64_t s = (uint64_t)ts->tv_sec - base;
    return s * hz + ((uint64_t)ts->tv_nsec * hz + NS_PER_S - 1) / NS_PER_S;
}

/* clock_nanosleep: sleeps for *rqtp of clock_id (CLOCK_REALTIME or CLOCK_MONOTONIC), or with
 * TIMER_ABSTIME until that clock reads *rqtp (at once when it already has); sleepers until
 * the same instant wake together. Returns an error number (POSIX): EINVAL for another clock
 * or a bad time, EFAULT for a bad pointer; nothing interrupts a sleep (*rmtp is set to 0). */
int clock_nanosleep(clockid_t clock_id, int flags, const struct timespec *rqtp,
                    struct timespec *rmtp)
{
    struct timespec rq, zero = { 0, 0 };
    if (clock_id != CLOCK_REALTIME && clock_id != CLOCK_MONOTONIC)
        return EINVAL;
    if (sys_user_copy(&rq, rqtp, sizeof(rq)))
        return EFAULT;
    if (rq.tv_sec < 0 || rq.tv_nsec < 0 || rq.tv_nsec >= (long)NS_PER_S)
        return EINVAL;
    if (!(flags & TIMER_ABSTIME)) {
        if (rmtp && sys_user_copy(rmtp, &zero, sizeof(zero)))
            return EFAULT;
        time_delay_us((uint64_t)rq.tv_sec * 1000000u + ((uint32_t)rq.tv_nsec + 999u) / 1000u);
        return 0;
    }
    uint32_t base = 0;
    uint64_t origin = 0;
    if (clock_id == CLOCK_REALTIME) {
        time_rtc(&base, &origin);       /* wall time base is counter value origin */
        if (rq.tv_sec < (time_t)base)
            return 0;                   /* long past */
    }
    uint64_t when = origin + time_ts_to_count(&rq, base);
    sys_call2(SYS_DELAY_UNTIL, (long)(uint32_t)when, (long)(uint32_t)(when >> 32));
    return 0;
}

/* nanosleep: sleep for *rqtp (rounded up to microseconds); nothing interrupts a sleep, so
 * *rmtp, when given, is set to 0. EINVAL for a bad interval, EFAULT for a bad pointer. */
int nanosleep(const struct timespec *rqtp, struct timespec *rmtp)
{
    int err = clock_nanosleep(CLOCK_MONOTONIC, 0, rqtp, rmtp);
    return err ? glue_errno(err) : 0;
}

/* usleep: sleep at least us microseconds; 0. */
int usleep(useconds_t us)
{
    time_delay_us(us);
    return 0;
}

/* sleep: sleep for seconds; 0 (the whole time slept). */
unsigned sleep(unsigned seconds)
{
    time_delay_us((uint64_t)seconds * 1000000u);
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

/* The ARM generic timer's virtual counter, read straight from user mode.
 *
 * The kernel sets CNTKCTL.PL0VCTEN so that PL0 may read CNTVCT and CNTFRQ
 * (ARM ARM B4.1.26 CNTKCTL, B8.1.2 "Accessing the timer registers"). */
#pragma once
#include <stdint.h>

/* counter_now: CNTVCT, the virtual count (monotonic, counter_hz() ticks a second). */
static inline uint64_t counter_now(void)
{
    uint32_t lo, hi;
    __asm__ volatile("isb\n\tmrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* counter_hz: CNTFRQ, the counter frequency in Hz as firmware or the kernel set it. */
static inline uint32_t counter_hz(void)
{
    uint32_t hz;
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(hz));
    return hz;
}

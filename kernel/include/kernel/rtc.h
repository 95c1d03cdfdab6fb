/* The board's real-time clock: wall time for actors (struct boot_info). */
#pragma once
#include <stdint.h>

/* The clock's seconds since 1970 and the virtual counter at the same instant. */
struct rtc_sample {
    uint32_t seconds;           /* 0: no clock found */
    uint64_t count;
};

/* Reads the clock once; called by kmain after the timer is set up. */
void rtc_init(void);
/* What rtc_init read. */
struct rtc_sample rtc_sample(void);

/* ARM generic timer (ARM ARM B8): the virtual counter and the scheduler's deadline. */
#pragma once
#include <stdint.h>

void timer_init(void);
/* Timer interrupt: hands the time to the scheduler, which sets the next deadline. */
void timer_irq(void);
/* Raises the timer interrupt when CNTVCT reaches when; ~0 turns the timer off. */
void timer_set_deadline(uint64_t when);
/* Virtual counter now, in ticks of timer_hz(). */
uint64_t timer_now(void);
uint32_t timer_hz(void);
/* Counter ticks in at least us microseconds, or ms milliseconds (one tick more at most). */
uint64_t timer_us_to_ticks(uint32_t us);
uint64_t timer_ms_to_ticks(uint32_t ms);
/* Converts counter ticks to nanoseconds. */
uint64_t timer_ticks_to_ns(uint64_t ticks);

/* ARM generic timer (ARM ARM B8): the virtual counter and the periodic scheduler tick. */
#pragma once
#include <stdint.h>

void timer_init(void);
/* Re-arms the tick; called from the timer interrupt. */
void timer_irq(void);
/* Virtual counter now, in ticks of timer_hz(). */
uint64_t timer_now(void);
uint32_t timer_hz(void);
/* Converts counter ticks to nanoseconds. */
uint64_t timer_ticks_to_ns(uint64_t ticks);

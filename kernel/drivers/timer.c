/* ARM generic timer (ARM ARM B8): the virtual counter and the periodic scheduler tick. */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/gic.h>
#include <kernel/timer.h>

static uint32_t timer_freq_hz;
static uint64_t timer_next;

void timer_init(void)
{
    timer_freq_hz = cp15_read_cntfrq();
    cp15_write_cntkctl(1u << 1);        /* PL0VCTEN: user mode may read CNTVCT */
    timer_next = cpu_cntvct() + timer_freq_hz / BOARD_TICK_HZ;
    cpu_cntv_cval_write(timer_next);
    cp15_write_cntv_ctl(1);             /* enabled, interrupt not masked */
    gic_enable(BOARD_TIMER_IRQ);
}

void timer_irq(void)
{
    uint64_t now = cpu_cntvct();
    uint32_t period = timer_freq_hz / BOARD_TICK_HZ;
    while (timer_next <= now)
        timer_next += period;
    cpu_cntv_cval_write(timer_next);
}

uint64_t timer_now(void)
{
    return cpu_cntvct();
}

uint32_t timer_hz(void)
{
    return timer_freq_hz;
}

uint64_t timer_ticks_to_ns(uint64_t ticks)
{
    return ticks * 1000000000ull / timer_freq_hz;
}

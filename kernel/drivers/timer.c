/* ARM generic timer (ARM ARM B8): the virtual counter and the scheduler's deadline. */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/gic.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/timer.h>

static uint32_t timer_freq_hz;
static uint32_t timer_ctl;              /* CNTV_CTL as last written: 1 enabled, 0 off */
/* Ticks per microsecond and per millisecond in 32.32 fixed point, rounded up: the
   conversions multiply, and only timer_init divides (64-bit division is a long call). */
static uint64_t timer_per_us, timer_per_ms;

void timer_init(void)
{
    timer_freq_hz = cp15_read_cntfrq();
    timer_per_us = (((uint64_t)timer_freq_hz << 32) + 999999u) / 1000000u;
    timer_per_ms = (((uint64_t)timer_freq_hz << 32) + 999u) / 1000u;
    cp15_write_cntkctl(1u << 1);        /* PL0VCTEN: user mode may read CNTVCT */
    cpu_cntv_cval_write(~0ull);
    timer_ctl = 1;
    cp15_write_cntv_ctl(1);             /* enabled, interrupt not masked */
    gic_enable(BOARD_TIMER_IRQ);
}

void timer_set_deadline(uint64_t when)
{
    /* ~0 disables the timer rather than setting a far deadline: QEMU under -icount with
       sleep=off would otherwise warp an idle CPU's virtual time straight to it. */
    uint32_t ctl = when == ~0ull ? 0u : 1u;
    if (ctl != timer_ctl) {
        timer_ctl = ctl;
        cp15_write_cntv_ctl(ctl);
    }
    if (ctl)
        cpu_cntv_cval_write(when);
    cpu_isb();
}

void timer_irq(void)
{
    uint64_t now = cpu_cntvct();
    selftest_tick(now);
    sched_timer(now);
}

uint64_t timer_now(void)
{
    return cpu_cntvct();
}

uint32_t timer_hz(void)
{
    return timer_freq_hz;
}

/* ceil(n * per / 2^32): at least the exact count of ticks, at most one more (per is rounded
   up by less than 2^-32 a unit, so n < 2^32 units add less than a tick). */
static uint64_t timer_scale(uint32_t n, uint64_t per)
{
    uint64_t low = (uint64_t)n * (uint32_t)per;
    return (uint64_t)n * (uint32_t)(per >> 32) + ((low + 0xffffffffu) >> 32);
}

uint64_t timer_us_to_ticks(uint32_t us)
{
    return timer_scale(us, timer_per_us);
}

uint64_t timer_ms_to_ticks(uint32_t ms)
{
    return timer_scale(ms, timer_per_ms);
}

uint64_t timer_ticks_to_ns(uint64_t ticks)
{
    /* Whole seconds first, so that nothing overflows (ticks * 1e9 would after ~5 minutes). */
    return ticks / timer_freq_hz * 1000000000ull + ticks % timer_freq_hz * 1000000000ull /
           timer_freq_hz;
}

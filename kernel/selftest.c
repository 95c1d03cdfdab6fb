/* Boot-time self tests chosen by a scenario through fw_cfg (opt/reprise/selftest):
   deliberate kernel faults for the panic path (at boot, or one second later from the timer
   interrupt with the actors running), and a PSCI warm reset on a cold boot. */
#include <arch/cpu.h>
#include <kernel/bootrec.h>
#include <kernel/console.h>
#include <kernel/fwcfg.h>
#include <kernel/reset.h>
#include <kernel/selftest.h>
#include <kernel/timer.h>
#include <stdint.h>

/* Fault addresses go through a volatile so the compiler cannot reason about them. */
static volatile uintptr_t selftest_addr;
/* kfault-late: CNTVCT at which the timer interrupt takes a kernel fault (0: not armed). */
static uint64_t selftest_late_at;

static int selftest_is(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

void selftest_run(void)
{
    char name[32];
    if (fwcfg_read_file("opt/reprise/selftest", name, sizeof(name)) < 0)
        return;
    kprintf("selftest: %s\n", name);
    if (selftest_is(name, "kfault-read")) {
        selftest_addr = 0x00000010u;
        (void)*(volatile uint32_t *)selftest_addr;
    } else if (selftest_is(name, "kfault-write")) {
        selftest_addr = 0x3ffff000u;
        *(volatile uint32_t *)selftest_addr = 0xdeadbeef;
    } else if (selftest_is(name, "kfault-align")) {
        cp15_write_sctlr(cp15_read_sctlr() | 2u);   /* SCTLR.A: check alignment */
        cpu_isb();
        selftest_addr = 0x40010001u;
        (void)*(volatile uint32_t *)selftest_addr;
    } else if (selftest_is(name, "kfault-exec")) {
        selftest_addr = 0x00100000u;
        ((void (*)(void))selftest_addr)();
    } else if (selftest_is(name, "kfault-text-write")) {
        selftest_addr = (uintptr_t)selftest_run & ~3u;     /* kernel text is read-only */
        *(volatile uint32_t *)selftest_addr = 0xe7f000f0;
    } else if (selftest_is(name, "kfault-exec-data")) {
        selftest_addr = (uintptr_t)&selftest_late_at;      /* kernel data is execute-never */
        ((void (*)(void))selftest_addr)();
    } else if (selftest_is(name, "kfault-undef")) {
        __asm__ volatile(".word 0xe7f000f0");   /* permanently undefined (UDF) */
    } else if (selftest_is(name, "kfault-late")) {
        if (bootrec_state()->kind == BOOT_COLD)
            selftest_late_at = timer_now() + timer_hz();   /* one second after boot */
    } else if (selftest_is(name, "psci-reset")) {
        if (bootrec_state()->kind == BOOT_COLD)
            board_reset(RESET_REQUESTED);
    } else {
        kprintf("selftest: unknown test '%s'\n", name);
    }
}

uint64_t selftest_deadline(void)
{
    return selftest_late_at ? selftest_late_at : ~0ull;
}

void selftest_tick(uint64_t now)
{
    if (selftest_late_at && now >= selftest_late_at) {
        selftest_late_at = 0;
        kprintf("selftest: kernel fault in the timer interrupt\n");
        selftest_addr = 0x00000010u;
        (void)*(volatile uint32_t *)selftest_addr;
    }
}

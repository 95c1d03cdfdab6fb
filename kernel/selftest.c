/* Boot-time self tests chosen by a scenario through fw_cfg (opt/reprise/selftest):
   deliberate kernel faults for the panic path, and a PSCI warm reset on a cold boot. */
#include <arch/cpu.h>
#include <kernel/bootrec.h>
#include <kernel/console.h>
#include <kernel/fwcfg.h>
#include <kernel/reset.h>
#include <kernel/selftest.h>
#include <stdint.h>

/* Fault addresses go through a volatile so the compiler cannot reason about them. */
static volatile uintptr_t selftest_addr;

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
    } else if (selftest_is(name, "kfault-undef")) {
        __asm__ volatile(".word 0xe7f000f0");   /* permanently undefined (UDF) */
    } else if (selftest_is(name, "psci-reset")) {
        if (bootrec_state()->kind == BOOT_COLD)
            board_reset(RESET_REQUESTED);
    } else {
        kprintf("selftest: unknown test '%s'\n", name);
    }
}

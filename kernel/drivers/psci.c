/* PSCI (ARM DEN 0022) calls used by the kernel: warm system reset through the board conduit. */
#include <board.h>
#include <kernel/psci.h>
#include <stdint.h>

#define PSCI_SYSTEM_RESET 0x84000009u

static uint32_t psci_call(uint32_t fn)
{
    register uint32_t r0 __asm__("r0") = fn;
#if BOARD_PSCI_CONDUIT_HVC
    __asm__ volatile(".arch_extension virt\n\thvc #0" : "+r"(r0) : : "r1", "r2", "r3", "memory");
#else
    __asm__ volatile(".arch_extension sec\n\tsmc #0" : "+r"(r0) : : "r1", "r2", "r3", "memory");
#endif
    return r0;
}

void psci_system_reset(void)
{
    psci_call(PSCI_SYSTEM_RESET);
    for (;;)
        __asm__ volatile("wfi");
}

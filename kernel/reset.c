/* Site restart: warm reset of the whole machine with the persistent bank kept. */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/bank.h>
#include <kernel/console.h>
#include <kernel/psci.h>
#include <kernel/reset.h>

void board_reset(enum reset_reason reason)
{
    __asm__ volatile("cpsid if");
    bootrec_set_reason(reason);
    console_sync();             /* what the ring holds goes out before the reset */
    kprintf("kernel: site restart (%s)\n", bootrec_reason_name(reason));
    /* The bank must reach RAM before the reset: clean what was written of it out of the
       data cache (kernel/bank.h). */
    bank_clean_dirty();
    /* Stop the timer: under -icount QEMU lets virtual time jump to its next deadline (up
       to a tick) while the reset is carried out, which a site restart would then count. */
    cp15_write_cntv_ctl(0);
    cpu_isb();
    psci_system_reset();
}

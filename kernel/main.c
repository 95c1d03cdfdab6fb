/* Kernel entry after entry.S: bring up the console, interrupts and timer, then run. */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/actor.h>
#include <kernel/bootrec.h>
#include <kernel/console.h>
#include <kernel/gic.h>
#include <kernel/kstack.h>
#include <kernel/memmap.h>
#include <kernel/rtc.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/timer.h>
#include <string.h>

#ifndef BUILD_ID
#define BUILD_ID "unknown"
#endif

/* Prints the boot banner: build, board, RAM, bank and boot kind. */
static void kmain_banner(uint64_t now_ticks)
{
    const struct bootrec_state *bs = bootrec_state();
    uint32_t freq = cp15_read_cntfrq();
    /* Whole seconds first: ticks * 1e9 would overflow 64 bits after ~5 minutes at 62.5 MHz. */
    uint64_t ns = now_ticks / freq * 1000000000ull + now_ticks % freq * 1000000000ull / freq;
    kprintf("\nReprise %s, board %s (%s)\n", BUILD_ID, BOARD_NAME, BOARD_CPU_NAME);
    kprintf("ram 0x%08x-0x%08x (%u MiB), bank 0x%08x-0x%08x (%u KiB)\n", BOARD_RAM_PADDR,
            BOARD_RAM_PADDR + BOARD_RAM_SIZE - 1, BOARD_RAM_SIZE >> 20, BOARD_BANK_PADDR,
            BOARD_BANK_PADDR + BOARD_BANK_SIZE - 1, BOARD_BANK_SIZE >> 10);
    if (bs->kind == BOOT_COLD)
        kprintf("boot: cold, boot 1, bank marker written, %llu ns since power-on\n", ns);
    else
        kprintf("boot: warm (%s), boot %u, bank marker kept, %llu ns since power-on\n",
                bootrec_reason_name(bs->last_reason), bs->boot_count, ns);
}

/* Starts every image the system image marks "boot", in table order. */
static void kmain_boot_actors(void)
{
    const struct sysimg_file *f;
    for (uint32_t i = 0; (f = sysimg_at(actor_sysimg(), i)) != NULL; i++) {
        if (!(f->flags & SYSIMG_FLAG_BOOT))
            continue;
        int err;
        uint32_t prio = (f->flags & SYSIMG_FLAG_PRIO_MASK) >> SYSIMG_FLAG_PRIO_SHIFT;
        if (!actor_create(f, 1, f->name, (uint32_t)strlen(f->name) + 1, f->privileges, prio, 0,
                          ACTOR_CREATE_BOOT, &err))
            kprintf("kernel: cannot start %s: error %d\n", f->name, err);
    }
}

void kmain(void)
{
    kstack_guard_init();            /* guard pages under the kernel-mode stacks */
    console_init();                 /* PL011 output (input once interrupts are on) */
    bootrec_boot();                 /* cold or warm: the marker in the bank */
    kmain_banner(cpu_cntvct());     /* who we are and how we came up */
    gic_init();                     /* distributor and CPU interface */
    timer_init();                   /* periodic tick, user access to CNTVCT */
    rtc_init();                     /* wall time, for actors' clocks */
    gic_enable(BOARD_UART_IRQ);     /* console input by interrupt */
    vm_init();                      /* page pool for address spaces */
    actor_images_init();            /* validate the system image and its ELF files */
    selftest_run();                 /* scenario-selected self test, if any */
    kmain_boot_actors();            /* the actors the image marks to start at boot */
    sched_start();                  /* run them; idle in wfi when none is ready */
}

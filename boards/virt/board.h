/* Facts about QEMU's "virt" board (Cortex-A15): memory map, IRQs, bank range, tunables. */
#pragma once

/* Constants are shared with assembly and the linker script, which take no 'u' suffix. */
#if defined(__ASSEMBLER__) || defined(__LINKER__)
#define U32(x) x
#else
#define U32(x) x##u
#endif

/* RAM as QEMU is started by the board's flags (board.mk: -m 256M); a variant board that
   includes this file may set BOARD_RAM_SIZE first (boards/virt-1g). */
#define BOARD_NAME              "virt"
#define BOARD_CPU_NAME          "cortex-a15"
#define BOARD_RAM_PADDR         U32(0x40000000)
#ifndef BOARD_RAM_SIZE
#define BOARD_RAM_SIZE          U32(0x10000000)            /* 256 MiB */
#endif

/* Where QEMU loads the kernel ELF: RAM start + 64 KiB (first 64 KiB left unused). */
#define BOARD_KERNEL_PADDR      U32(0x40010000)

/* Persistent bank: top of RAM, outside every loaded ELF segment, never in the page pool. */
#define BOARD_BANK_SIZE         U32(0x00400000)            /* 4 MiB */
#define BOARD_BANK_PADDR        (BOARD_RAM_PADDR + BOARD_RAM_SIZE - BOARD_BANK_SIZE)
#define BOARD_PMM_MAX_BLOCKS    256                    /* directory entries in the bank */
/* Bank quotas (the PMM server's): what all actors of one image may hold (a manifest's
   bank=PAGES/BLOCKS overrides it for that image), and what the HR_GROUP_KEY blocks of one
   restart group may hold. A quarter of the data pages and of the directory each, so that
   no image and no group can take the bank from the others. */
#define BOARD_PMM_OWNER_PAGES   256
#define BOARD_PMM_OWNER_BLOCKS  64
#define BOARD_PMM_GROUP_PAGES   256
#define BOARD_PMM_GROUP_BLOCKS  64

/* NVRAM medium: the second flash bank (QEMU -drive if=pflash,unit=1; hw/arm/virt.c), a
   pflash_cfi01 of two 16-bit devices side by side (32-bit words), 256 KiB erase blocks. The
   PMM server drives it (SYS_DEVICE_MAP, DEVICE_NVRAM). */
#define BOARD_NVRAM_PADDR       U32(0x04000000)
#define BOARD_NVRAM_SIZE        U32(0x04000000)            /* 64 MiB */
#define BOARD_NVRAM_BLOCK_SIZE  U32(0x00040000)            /* erase block: 256 KiB */

/* Devices (QEMU hw/arm/virt.c memmap). */
#define BOARD_GICD_PADDR        U32(0x08000000)
#define BOARD_GICC_PADDR        U32(0x08010000)
#define BOARD_UART_PADDR        U32(0x09000000)
#define BOARD_RTC_PADDR         U32(0x09010000)            /* PL031 */
#define BOARD_FWCFG_PADDR       U32(0x09020000)

/* Interrupt ids (GIC): SPIs start at 32; PPIs 16..31. */
#define BOARD_UART_IRQ          (32 + 1)
#define BOARD_TIMER_IRQ         27                     /* virtual timer PPI */

/* PSCI is reached with "hvc #0" on this board (no EL3 firmware, QEMU emulates PSCI). */
#define BOARD_PSCI_CONDUIT_HVC  1

/* Scheduler tick. */
#define BOARD_TICK_HZ           100

/* Page pool tunables. An actor owns at most BOARD_ACTOR_PAGE_QUOTA pool pages (stack, heap,
   regions and page tables together) unless its image's manifest line says pages=N. The
   last BOARD_POOL_RESERVE_SYSTEM_PAGES free pages are kept for the system actors (PMM, HR,
   the console), the BOARD_POOL_RESERVE_RESTART_PAGES before them also for the actors HR
   (re)starts in restart groups (kernel/include/kernel/vm.h). */
#define BOARD_ACTOR_PAGE_QUOTA              8192   /* 32 MiB */
#define BOARD_POOL_RESERVE_SYSTEM_PAGES     256    /* 1 MiB */
#define BOARD_POOL_RESERVE_RESTART_PAGES    1024   /* 4 MiB */

/* Hot-restart policy tunables (SPEC section 5 defaults). */
#define BOARD_HR_MAX_RESTARTS       5
#define BOARD_HR_INTERVAL_MS        10000
#define BOARD_HR_MAX_SITE_RESTARTS  3
#define BOARD_HR_SITE_INTERVAL_MS   60000
/* Restart backoff: the n-th group restart within BOARD_HR_INTERVAL_MS waits
   BACKOFF_BASE * 2^(n-2) ms, at most BACKOFF_MAX (the first is immediate). */
#define BOARD_HR_BACKOFF_BASE_MS    100
#define BOARD_HR_BACKOFF_MAX_MS     500

/* Post-mortem dumps (hr.dumps, hr.dumpStack): HR keeps the last BOARD_HR_DUMPS dumps of
   restartable actors in the bank, each with BOARD_HR_DUMP_STACK bytes of stack from sp
   (a multiple of 4 KiB; the kernel keeps that many bytes at the end). The ring must fit HR's
   dump area of the bank (32 KiB, BANK_HR_DUMPS_SIZE): HR checks it at compile time. */
#define BOARD_HR_DUMPS              4
#define BOARD_HR_DUMP_STACK         4096

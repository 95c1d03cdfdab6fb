/* Kernel virtual memory map: RAM at VA == PA in the TTBR1 half, devices in a fixed window.
 *
 *   0x00000000 +--------------------------+
 *              | user space (TTBR0, ASID) |  per actor, see kernel/include/kernel/vm.h
 *   0x40000000 +--------------------------+
 *              | RAM, VA == PA, PL1 only  |  kernel image, page pool, persistent bank
 *   0x50000000 +--------------------------+
 *              | unmapped                 |
 *   0xf0000000 +--------------------------+
 *              | device window, PL1 only  |  physical 0x00000000-0x0fffffff (GIC, UART...)
 *   0xffffffff +--------------------------+
 */
#pragma once
#include <stdint.h>

#define KERNEL_DEVWIN_VADDR 0xf0000000u
#define KERNEL_USER_TOP_VADDR 0x40000000u

/* Kernel address of a device register block given its physical address. */
#define DEV_VADDR(paddr) ((uintptr_t)(KERNEL_DEVWIN_VADDR + (paddr)))

/* Physical RAM is mapped at the same address: these are identities, kept as names so
   that call sites say which side of the conversion they mean. */
static inline void *phys_to_virt(uint32_t paddr) { return (void *)(uintptr_t)paddr; }
static inline uint32_t virt_to_phys(const void *vaddr) { return (uint32_t)(uintptr_t)vaddr; }

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];
extern char __sysimg_start[], __sysimg_end[];

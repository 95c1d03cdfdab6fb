/* The kernel-mode stacks (SVC, ABT, UND, IRQ, FIQ) and the unmapped guard page under each.
 *
 * They fill the 64 KiB of RAM below the kernel image (linker/kernel.ld.S), one core:
 *
 *   0x40000000 +---------------------------+
 *              | guard (unmapped)          |  4 KiB
 *              | IRQ stack                 |  KSTACK_MODE_SIZE
 *              | guard                     |
 *              | ABT stack                 |
 *              | guard                     |
 *              | UND stack                 |
 *              | guard                     |
 *              | FIQ stack                 |
 *              | guard                     |
 *              | SVC stack (the kernel's)  |  KSTACK_SVC_SIZE
 *              | unused                    |
 *   0x40010000 +---------------------------+ the kernel image
 *
 * An access to a guard page is a data abort; the panic names the stack. */
#pragma once

#define KSTACK_GUARD_SIZE 4096
#define KSTACK_MODE_SIZE  4096
#define KSTACK_SVC_SIZE   16384
/* A fault handler that finds its own stack pointer less than this above its stack's bottom
   (a fault in the panic path that overflowed it) starts again from the top (entry.S). */
#define KSTACK_PANIC_ROOM 512

#if !defined(__ASSEMBLER__) && !defined(__LINKER__)
#include <stdint.h>

/* Unmaps the guard pages (entry.S maps the whole first MiB of RAM); called first by kmain. */
void kstack_guard_init(void);
/* The name ("SVC", "ABT", ...) of the kernel stack that overflowed, or NULL: addr (a data
   abort's address) on its guard page, or sp, the stack pointer of the trapped mode (a PSR
   mode), below its stack. Called by panic_trap. */
const char *kstack_overflow(uint32_t addr, uint32_t mode, uint32_t sp);
/* The handler mode's own stack pointer when a kernel fault found it outside its stack (and
   started again from the top), else 0: set by entry.S, read by panic_trap. */
extern uint32_t kstack_trap_sp;
#endif

/* Kernel panic: print what went wrong and stop the machine. */
#pragma once
#include <arch/cpu.h>

/* Trap kinds, as numbered by entry.S. */
enum trap_kind {
    TRAP_UNDEF = 0,
    TRAP_SVC = 1,
    TRAP_PABT = 2,
    TRAP_DABT = 3,
    TRAP_IRQ = 4,
    TRAP_FIQ = 5,
};

/* Impossible state inside the kernel: print the message and stop. */
void panic(const char *fmt, ...) __attribute__((noreturn));
/* An exception taken in a privileged mode (entry.S): print registers, decoded fault, stop. */
void panic_trap(struct trapframe *tf, enum trap_kind kind) __attribute__((noreturn));
/* Short name of a PSR mode, e.g. "SVC". */
const char *panic_mode_name(uint32_t psr);

/* Trap handlers for exceptions taken from user mode (called by entry.S). */
#include <arch/cpu.h>
#include <kernel/irq.h>
#include <kernel/panic.h>

struct trapframe *trap_svc(struct trapframe *tf);
struct trapframe *trap_undef(struct trapframe *tf);
struct trapframe *trap_pabt(struct trapframe *tf);
struct trapframe *trap_dabt(struct trapframe *tf);
struct trapframe *trap_irq(struct trapframe *tf);

struct trapframe *trap_svc(struct trapframe *tf)
{
    panic("trap_svc: no user actors yet (pc=0x%08x)", tf->pc);
}

struct trapframe *trap_undef(struct trapframe *tf)
{
    panic("trap_undef: no user actors yet (pc=0x%08x)", tf->pc);
}

struct trapframe *trap_pabt(struct trapframe *tf)
{
    panic("trap_pabt: no user actors yet (pc=0x%08x)", tf->pc);
}

struct trapframe *trap_dabt(struct trapframe *tf)
{
    panic("trap_dabt: no user actors yet (pc=0x%08x)", tf->pc);
}

struct trapframe *trap_irq(struct trapframe *tf)
{
    irq_dispatch();
    return tf;
}

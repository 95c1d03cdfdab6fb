/* Trap handlers for aborts, undefined instructions and interrupts taken from user mode
   (called by entry.S; system calls are in syscall.c, how a faulting actor ends in end.c).
   Each returns the frame to resume. */
#include <arch/cpu.h>
#include <lib/fault.h>
#include <kernel/irq.h>
#include <kernel/sched.h>
#include <kernel/end.h>

struct trapframe *trap_undef(struct trapframe *tf);
struct trapframe *trap_pabt(struct trapframe *tf);
struct trapframe *trap_dabt(struct trapframe *tf);
struct trapframe *trap_irq(struct trapframe *tf);

struct trapframe *trap_undef(struct trapframe *tf)
{
    /* The saved pc is the next instruction: 4 on in ARM state, 2 in Thumb (ARM ARM B1.8.4). */
    uint32_t pc = tf->pc - ((tf->cpsr & PSR_T) ? 2 : 4);
    end_fault(sched_current, FAULT_KIND_UNDEFINED, pc, 0, 0, 0);
    return sched_resume();
}

struct trapframe *trap_pabt(struct trapframe *tf)
{
    end_fault(sched_current, FAULT_KIND_PREFETCH_ABORT, tf->pc, cp15_read_ifar(),
                        cp15_read_ifsr(), 0);
    return sched_resume();
}

struct trapframe *trap_dabt(struct trapframe *tf)
{
    uint32_t far = cp15_read_dfar(), fsr = cp15_read_dfsr();
    struct fault_status st = fault_decode(fsr, 1);
    /* A touch of a demand-zero stack page is not a fault: map it and retry. */
    if (st.cls == FAULT_TRANSLATION && vm_fault_in(&sched_current->vm, far) == 1)
        return sched_resume();
    /* Nor is the first write to a bank page since boot: note it dirty, retry (bank.h). */
    if (st.cls == FAULT_PERMISSION && st.write && vm_bank_write(&sched_current->vm, far))
        return sched_resume();
    end_fault(sched_current, FAULT_KIND_DATA_ABORT, tf->pc, far, fsr, st.write);
    return sched_resume();
}

struct trapframe *trap_irq(struct trapframe *tf)
{
    (void)tf;
    irq_dispatch();
    return sched_resume();
}

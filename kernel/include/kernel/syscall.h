/* System call dispatch and the calls that are not IPC (see uapi/reprise/syscall.h). */
#pragma once
#include <arch/cpu.h>
#include <kernel/actor.h>

/* SVC from user mode (entry.S): runs call r7 for the current actor. */
struct trapframe *trap_svc(struct trapframe *tf);
/* Ends the current actor a abnormally with a fault record (trap handlers). */
void syscall_actor_fault(struct actor *a, enum fault_kind kind, uint32_t pc, uint32_t addr,
                         uint32_t fsr, int write);
/* Ends actor a, whose watchdog of period_ms ran out, with a FAULT_KIND_HANG record
   (deadline_tick). */
void syscall_actor_hang(struct actor *a, uint32_t period_ms);

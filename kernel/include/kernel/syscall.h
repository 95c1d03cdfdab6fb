/* System call dispatch (see uapi/reprise/syscall.h). */
#pragma once
#include <arch/cpu.h>
#include <kernel/actor.h>

/* SVC from user mode (entry.S): runs call r7 for the current actor. */
struct trapframe *trap_svc(struct trapframe *tf);

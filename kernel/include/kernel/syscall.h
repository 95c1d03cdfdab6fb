/* System call dispatch (see uapi/reprise/syscall.h). */
#pragma once
#include <arch/cpu.h>
#include <kernel/actor.h>

/* SVC from user mode (entry.S): runs call r7 for the current actor. */
struct trapframe *trap_svc(struct trapframe *tf);

/* A system call's result in the caller's r0. */
static inline void syscall_ret(struct actor *a, int v)
{
    a->tf.r[0] = (uint32_t)v;
}

/* The actor an aid argument names: 0 is the caller; others need PRIV_ACTORS (else NULL with
   *err K_EPRIV, or K_EUNKNOWN for no live actor). */
struct actor *syscall_target(struct actor *self, int32_t aid, int *err);
/* The live actor aid names, for a call that only the fault port's owner may make (else
   NULL with *err K_EPRIV, or K_EUNKNOWN for no live actor). */
struct actor *syscall_owner_target(struct actor *self, int32_t aid, int *err);

/* How an actor ends abnormally or exits (kernel/end.c): the records the fault port receives. */
#pragma once
#include <kernel/actor.h>

/* SYS_EXIT, SYS_ACTOR_KILL, SYS_ACTOR_STOP, SYS_SITE_RESTART and SYS_ACTOR_INJECT for the
   calling actor (kernel/syscall.c's table). */
void end_sys_exit(struct actor *self);
void end_sys_kill(struct actor *self);
void end_sys_stop(struct actor *self);
void end_sys_site_restart(struct actor *self);
void end_sys_inject(struct actor *self);
/* Ends actor a after a fault it took in user mode (the trap handlers). */
void end_fault(struct actor *a, enum fault_kind kind, uint32_t pc, uint32_t addr, uint32_t fsr,
               int write);
/* Ends actor a, whose watchdog of period_ms ran out, with a FAULT_KIND_HANG record
   (deadline_tick). */
void end_hang(struct actor *a, uint32_t period_ms);

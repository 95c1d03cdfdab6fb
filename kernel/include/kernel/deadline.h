/* Per-actor deadlines, seen when the scheduler's timer reaches them: watchdogs and receive
   alarms. */
#pragma once
#include <kernel/actor.h>
#include <stdint.h>

/* SYS_WATCHDOG and SYS_RECV_ALARM (see uapi/reprise/syscall.h); each sets the caller's r0. */
void deadline_sys_watchdog(struct actor *self);
void deadline_sys_recv_alarm(struct actor *self);
/* Called by the scheduler at every timer interrupt: ends the actors whose watchdog ran out
   and wakes the receivers whose alarm is due. Costs one comparison while none can be due. */
void deadline_tick(uint64_t now);
/* The earliest time deadline_tick has work to do (~0: none); the scheduler arms its timer
   for it. */
uint64_t deadline_due(void);

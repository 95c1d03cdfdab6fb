/* Per-actor deadlines checked at the scheduler tick: watchdogs and receive alarms. */
#pragma once
#include <kernel/actor.h>
#include <stdint.h>

/* SYS_WATCHDOG and SYS_RECV_ALARM (see uapi/reprise/syscall.h); each sets the caller's r0. */
void deadline_sys_watchdog(struct actor *self);
void deadline_sys_recv_alarm(struct actor *self);
/* Called by the scheduler at every tick: ends the actors whose watchdog ran out and wakes
   the receivers whose alarm is due. Costs one comparison while no deadline can be due. */
void deadline_tick(uint64_t now);

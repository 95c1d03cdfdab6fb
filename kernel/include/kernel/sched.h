/* Scheduler: preemptive, fixed priorities, round-robin within a priority, wfi when idle. */
#pragma once
#include <kernel/actor.h>

extern struct actor *sched_current;

/* Makes a ready and queues it behind the others of its priority. */
void sched_ready(struct actor *a);
/* The running actor has just blocked and woken a (an IPC message or reply): a runs at once,
   as sched_resume would have chosen, without the run queue, and 1 is returned (a is then the
   running actor and its frame the one to resume); unless an actor of a's priority or higher
   is ready: a then queues behind it, as sched_ready, and 0 is returned. */
int sched_switch(struct actor *a);
/* Removes a from the run queue (it blocked or ended). */
void sched_unready(struct actor *a);
/* Blocks the current actor until deadline (CNTVCT ticks). */
void sched_sleep_until(struct actor *a, uint64_t deadline);
/* Removes a from the sleep list (it ended). */
void sched_cancel_sleep(struct actor *a);
/* Ends the running actor's time slice (yield). */
void sched_yield(void);
/* Timer interrupt: wakes sleepers, ends the running actor's time slice. */
void sched_timer(uint64_t now);
/* Picks what runs next (idling with wfi until something is ready) and returns the frame
   to resume; called at the end of every trap from user mode. */
struct trapframe *sched_resume(void);
/* Starts scheduling the boot actors; does not return. */
void sched_start(void) __attribute__((noreturn));

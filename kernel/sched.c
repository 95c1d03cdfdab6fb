/* Scheduler: preemptive, fixed priorities, round-robin within a priority, wfi when idle.
   The running actor is not in the run queue; sched_resume decides at every return to
   user mode whether it keeps the CPU. The tick runs only while an actor does: an idle CPU
   waits for the first sleeper (or an interrupt) with no timer armed before it. */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/deadline.h>
#include <kernel/ipc.h>
#include <kernel/irq.h>
#include <kernel/page.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/timer.h>
#include <reprise/errors.h>

struct actor *sched_current;

static struct {
    struct actor *head, *tail;
} sched_queue[ACTOR_PRIO_LEVELS];
static uint32_t sched_ready_mask;      /* bit p: queue p is not empty */
static struct actor *sched_sleepers;   /* sorted by wake_at */
static uint64_t sched_next_tick;
static int sched_slice_over;

void trap_return(struct trapframe *tf) __attribute__((noreturn));

void sched_ready(struct actor *a)
{
    a->state = AS_READY;
    a->block = AB_NONE;
    if (a == sched_current)
        return;             /* the running actor is not queued; sched_resume decides */
    a->qnext = NULL;
    if (sched_queue[a->prio].tail)
        sched_queue[a->prio].tail->qnext = a;
    else
        sched_queue[a->prio].head = a;
    sched_queue[a->prio].tail = a;
    sched_ready_mask |= 1u << a->prio;
}

int sched_switch(struct actor *a)
{
    struct actor *cur = sched_current;
    if (sched_ready_mask >> a->prio) {
        sched_ready(a);     /* one as urgent waits already: a queues behind it */
        return 0;
    }
    a->state = AS_READY;
    a->block = AB_NONE;
    cur->tpidrurw = cp15_read_tpidrurw();
    cp15_write_tpidrurw(a->tpidrurw);
    cp15_write_tpidruro(a->bank_epoch);
    vm_switch(&a->vm);
    sched_current = a;
    sched_slice_over = 0;
    return 1;
}

void sched_unready(struct actor *a)
{
    struct actor **pp = &sched_queue[a->prio].head, *prev = NULL;
    while (*pp && *pp != a) {
        prev = *pp;
        pp = &(*pp)->qnext;
    }
    if (!*pp)
        return;
    *pp = a->qnext;
    if (sched_queue[a->prio].tail == a)
        sched_queue[a->prio].tail = prev;
    if (!sched_queue[a->prio].head)
        sched_ready_mask &= ~(1u << a->prio);
    a->qnext = NULL;
}

/* Programs the timer for the earliest of the next tick (only while an actor runs or waits
   for the CPU), the first sleeper, the first watchdog or receive alarm and a self test's
   deadline; none: the timer stays quiet. */
static void sched_arm_timer(void)
{
    uint64_t when = sched_current || sched_ready_mask ? sched_next_tick : ~0ull;
    if (deadline_due() < when)
        when = deadline_due();
    if (selftest_deadline() < when)
        when = selftest_deadline();
    if (sched_sleepers && sched_sleepers->wake_at < when)
        when = sched_sleepers->wake_at;
    timer_set_deadline(when);
}

void sched_sleep_until(struct actor *a, uint64_t deadline)
{
    a->state = AS_BLOCKED;
    a->block = AB_DELAY;
    a->wake_at = deadline;
    struct actor **pp = &sched_sleepers;
    while (*pp && (*pp)->wake_at <= deadline)
        pp = &(*pp)->qnext;
    a->qnext = *pp;
    *pp = a;
    sched_arm_timer();
}

void sched_cancel_sleep(struct actor *a)
{
    for (struct actor **pp = &sched_sleepers; *pp; pp = &(*pp)->qnext) {
        if (*pp == a) {
            *pp = a->qnext;
            a->qnext = NULL;
            return;
        }
    }
}

void sched_yield(void)
{
    sched_slice_over = 1;
}

void sched_timer(uint64_t now)
{
    while (sched_sleepers && sched_sleepers->wake_at <= now) {
        struct actor *a = sched_sleepers;
        sched_sleepers = a->qnext;
        a->tf.r[0] = K_OK;
        sched_ready(a);
    }
    deadline_tick(now);         /* watchdogs and receive alarms */
    ipc_later_wake(now, 0);
    ipc_idle_wake(now, 0);
    if (now >= sched_next_tick) {
        sched_slice_over = 1;
        sched_next_tick = now + timer_hz() / BOARD_TICK_HZ;
    }
    sched_arm_timer();
}

/* The highest-priority ready actor, taken off its queue; NULL when none is ready. */
static struct actor *sched_pick(void)
{
    if (!sched_ready_mask)
        return NULL;
    uint32_t p = 31u - (uint32_t)__builtin_clz(sched_ready_mask);
    struct actor *a = sched_queue[p].head;
    sched_queue[p].head = a->qnext;
    if (!a->qnext) {
        sched_queue[p].tail = NULL;
        sched_ready_mask &= ~(1u << p);
    }
    a->qnext = NULL;
    return a;
}

struct trapframe *sched_resume(void)
{
    struct actor *cur = sched_current;
    if (cur && cur->state == AS_READY) {
        uint32_t top = sched_ready_mask ? 31u - (uint32_t)__builtin_clz(sched_ready_mask) : 0;
        if (!sched_ready_mask || top < cur->prio || (top == cur->prio && !sched_slice_over))
            return &cur->tf;
        sched_current = NULL;
        sched_ready(cur);
    }
    sched_slice_over = 0;
    sched_current = NULL;   /* while idle, nothing runs: wakeups must queue their actor */
    struct actor *next = sched_pick();
    if (!next) {
        /* Idle: no tick until an actor runs again, so an idle system takes no interrupts
           (and under QEMU -icount with sleep=off, waiting costs no virtual time). */
        sched_arm_timer();
        do {
            page_zero_idle();   /* pages zeroed ahead for the next creation or restart */
            if (ipc_later_wake(0, 1) || ipc_idle_wake(0, 1))
                continue;   /* a record waits for HR, or an IPC_RECV_IDLE receive ends */
            cpu_wfi();      /* interrupts stay masked: wfi wakes on a pending one */
            irq_dispatch();
        } while (!(next = sched_pick()));
        sched_next_tick = timer_now() + timer_hz() / BOARD_TICK_HZ;
        sched_current = next;
        sched_arm_timer();
    }
    if (next != cur) {
        /* TPIDRURW is user-writable state: it belongs to the actor, not the CPU; TPIDRURO
           shows it its bank epoch. */
        if (cur)
            cur->tpidrurw = cp15_read_tpidrurw();
        cp15_write_tpidrurw(next->tpidrurw);
        cp15_write_tpidruro(next->bank_epoch);
        vm_activate(&next->vm);
    }
    sched_current = next;
    return &next->tf;
}

void sched_start(void)
{
    sched_next_tick = timer_now() + timer_hz() / BOARD_TICK_HZ;
    sched_arm_timer();
    trap_return(sched_resume());
}

/* Per-actor deadlines, checked at the scheduler tick: watchdogs (SYS_WATCHDOG: a restartable
   actor that does not kick within its period ends as hung, with a FAULT_KIND_HANG record that
   reaches HR like a fault) and receive alarms (SYS_RECV_ALARM: a receive still waiting ends
   with K_ETIMEOUT; HR waits so for a group's restart backoff).

   Nothing here is on the IPC or restart paths: arming or kicking stores a deadline in the
   actor, and the tick compares the time with deadline_next, a bound no armed deadline is
   earlier than, so a tick costs one comparison until a deadline may be due; only then does
   it look at the actor slots and compute the bound again. A kick moves a deadline later,
   which keeps the bound valid. The price is precision: a deadline is seen at the first tick
   at or after it, at most one tick (1/BOARD_TICK_HZ, 10 ms on virt) late. */
#include <arch/cpu.h>
#include <kernel/deadline.h>
#include <kernel/ipc.h>
#include <kernel/memmap.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/timer.h>
#include <reprise/errors.h>

static uint64_t deadline_next = ~0ull;   /* no armed deadline is earlier */

/* Counter ticks in us microseconds, rounded up. */
static uint64_t deadline_ticks(uint64_t us)
{
    return (us * timer_hz() + 999999u) / 1000000u;
}

/* Lowers the bound to when, a deadline just armed. */
static void deadline_note(uint64_t when)
{
    if (when < deadline_next)
        deadline_next = when;
}

void deadline_sys_watchdog(struct actor *self)
{
    uint32_t op = self->tf.r[0], ms = self->tf.r[1];
    int err = K_OK;
    if (op == WATCHDOG_KICK && self->wd_period_ms) {
        self->wd_deadline = timer_now() + self->wd_ticks;   /* the cheap, frequent case */
    } else if (op == WATCHDOG_START) {
        /* Only HR restarts a hung actor: a watchdog needs a group and the fault port. */
        if (!self->group || !ipc_fault_port_owner())
            err = K_EPRIV;
        else if (ms == 0 || ms > WATCHDOG_PERIOD_MAX_MS)
            err = K_EINVAL;
        else {
            self->wd_period_ms = ms;
            self->wd_ticks = deadline_ticks((uint64_t)ms * 1000u);
            self->wd_deadline = timer_now() + self->wd_ticks;
            deadline_note(self->wd_deadline);
        }
    } else if (op == WATCHDOG_STOP && self->wd_period_ms) {
        self->wd_period_ms = 0;
    } else {
        err = K_EINVAL;         /* an unknown op, or a kick or stop with none armed */
    }
    self->tf.r[0] = (uint32_t)err;
}

void deadline_sys_recv_alarm(struct actor *self)
{
    uint32_t us = self->tf.r[0];
    self->alarm_at = us ? timer_now() + deadline_ticks(us) : 0;
    if (us)
        deadline_note(self->alarm_at);
    self->tf.r[0] = K_OK;
}

uint32_t deadline_watchdog_left_ms(const struct actor *a)
{
    uint64_t now = timer_now();
    if (!a->wd_period_ms || a->wd_deadline <= now)
        return 0;
    return (uint32_t)(timer_ticks_to_ns(a->wd_deadline - now) / 1000000u);
}

/* Ends a, whose watchdog ran out. A tick taken while the CPU idles (sched_resume's wfi) may
   find a hung actor whose tables the MMU still walks (the last one that ran, now blocked):
   user walks are turned off before they are freed; sched_resume activates the next actor's
   space, which cannot be a's. */
static void deadline_hang(struct actor *a)
{
    if (!sched_current && (cp15_read_ttbr0() & ~0xfffu) == virt_to_phys(a->vm.l1))
        vm_activate(NULL);
    syscall_actor_hang(a);
}

void deadline_tick(uint64_t now)
{
    if (now < deadline_next)
        return;
    uint64_t next = ~0ull;
    for (uint32_t i = 1; i < ACTORS_MAX; i++) {
        struct actor *a = actor_at(i);
        if (!a || a->state == AS_ENDED)
            continue;
        if (a->wd_period_ms && a->wd_deadline <= now) {
            deadline_hang(a);
            continue;
        }
        /* An alarm that finds its actor busy waits for a tick that finds it receiving. */
        if (a->alarm_at && a->alarm_at <= now && a->state == AS_BLOCKED && a->block == AB_RECV) {
            a->alarm_at = 0;
            ipc_recv_timeout(a);
        }
        if (a->alarm_at && a->alarm_at < next)
            next = a->alarm_at;
        if (a->wd_period_ms && a->wd_deadline < next)
            next = a->wd_deadline;
    }
    deadline_next = next;
}

/* Per-actor deadlines: watchdogs (SYS_WATCHDOG: a restartable actor that does not kick
   within its period ends as hung, with a FAULT_KIND_HANG record that reaches HR like a
   fault) and receive alarms (SYS_RECV_ALARM: a receive still waiting ends with K_ETIMEOUT;
   HR waits so for a group's restart backoff).

   Nothing here is on the IPC or restart paths. The deadlines live in a table of their own,
   one entry a slot, tagged with the actor id that armed them: a new actor in the slot has a
   different id, so its entry is stale without anyone clearing it, and creating or ending an
   actor costs nothing more. Arming or kicking stores a deadline; every timer interrupt
   compares the time with deadline_next, a bound no armed deadline is earlier than, so it
   costs one comparison until a deadline may be due; only then does it look at the slots and
   compute the bound again. A kick moves a deadline later, which keeps the bound valid. The
   scheduler arms its timer for the bound too (deadline_due), also while the CPU idles and
   the tick is off, so a deadline is seen when it comes, or at the latest at the next tick
   after an arming that lowered the bound (1/BOARD_TICK_HZ, 10 ms on virt). */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/deadline.h>
#include <kernel/ipc.h>
#include <kernel/memmap.h>
#include <kernel/sched.h>
#include <kernel/end.h>
#include <kernel/timer.h>
#include <reprise/errors.h>
#include <string.h>

struct deadline_slot {
    int32_t aid;                /* the actor the entry belongs to; stale for any other */
    uint32_t wd_period_ms;      /* armed watchdog: its period, 0 when none */
    uint64_t wd_ticks;          /* the period in CNTVCT ticks */
    uint64_t wd_deadline;       /* CNTVCT by which the next kick must come */
    uint64_t alarm_at;          /* receive alarm: CNTVCT, 0 when none */
};

static struct deadline_slot deadline_slots[ACTORS_MAX];
static uint64_t deadline_next = ~0ull;   /* no armed deadline is earlier */

/* Lowers the bound to when, a deadline just armed. */
static void deadline_note(uint64_t when)
{
    if (when < deadline_next)
        deadline_next = when;
}

/* a's entry, or NULL when it has none (the slot's entry is another actor's). */
static struct deadline_slot *deadline_find(const struct actor *a)
{
    struct deadline_slot *d = &deadline_slots[(uint32_t)a->aid % ACTORS_MAX];
    return d->aid == a->aid ? d : NULL;
}

/* a's entry, made empty for it when it had none. */
static struct deadline_slot *deadline_claim(const struct actor *a)
{
    struct deadline_slot *d = &deadline_slots[(uint32_t)a->aid % ACTORS_MAX];
    if (d->aid != a->aid) {
        memset(d, 0, sizeof(*d));
        d->aid = a->aid;
    }
    return d;
}

/* WATCHDOG_INFO: actor aid's watchdog (period and time left) into the caller's *out. */
static int deadline_info(struct actor *self, int32_t aid, uaddr_t out)
{
    struct actor *a = aid ? actor_by_aid(aid) : self;
    if (!a || a->state == AS_ENDED)
        return K_EUNKNOWN;
    const struct deadline_slot *d = deadline_find(a);
    struct watchdog_info info = { 0, 0 };
    uint64_t now = timer_now();
    if (d && d->wd_period_ms) {
        info.period_ms = d->wd_period_ms;
        if (d->wd_deadline > now)
            info.left_ms = (uint32_t)(timer_ticks_to_ns(d->wd_deadline - now) / 1000000u);
    }
    return vm_copyout(&self->vm, out, &info, sizeof(info));
}

/* SYS_WATCHDOG for the caller: start, kick, stop or info (see uapi/reprise/syscall.h);
   the result in its r0. */
void deadline_sys_watchdog(struct actor *self)
{
    uint32_t op = self->tf.r[0], ms = self->tf.r[1];
    struct deadline_slot *d = deadline_find(self);
    int armed = d && d->wd_period_ms;
    int err = K_OK;
    if (op == WATCHDOG_KICK && armed) {
        d->wd_deadline = timer_now() + d->wd_ticks;     /* the cheap, frequent case */
    } else if (op == WATCHDOG_START) {
        /* Only HR restarts a hung actor: a watchdog needs a group and the fault port. */
        if (!self->group || !ipc_fault_port_owner())
            err = K_EPRIV;
        else if (ms == 0 || ms > WATCHDOG_PERIOD_MAX_MS)
            err = K_EINVAL;
        else {
            d = deadline_claim(self);
            d->wd_period_ms = ms;
            d->wd_ticks = timer_ms_to_ticks(ms);
            d->wd_deadline = timer_now() + d->wd_ticks;
            deadline_note(d->wd_deadline);
        }
    } else if (op == WATCHDOG_STOP && armed) {
        d->wd_period_ms = 0;
    } else if (op == WATCHDOG_INFO) {
        err = deadline_info(self, (int32_t)self->tf.r[1], self->tf.r[2]);
    } else {
        err = K_EINVAL;         /* an unknown op, or a kick or stop with none armed */
    }
    self->tf.r[0] = (uint32_t)err;
}

/* SYS_RECV_ALARM for the caller: sets (or with 0 cancels) its receive alarm; K_OK. */
void deadline_sys_recv_alarm(struct actor *self)
{
    uint32_t us = self->tf.r[0];
    struct deadline_slot *d = deadline_claim(self);
    d->alarm_at = us ? timer_now() + timer_us_to_ticks(us) : 0;
    if (us)
        deadline_note(d->alarm_at);
    self->tf.r[0] = K_OK;
}

/* Ends a, whose watchdog of period_ms ran out. A tick taken while the CPU idles
   (sched_resume's wfi) may find a hung actor whose tables the MMU still walks (the last
   one that ran, now blocked): user walks are turned off before they are freed;
   sched_resume then activates the next actor's space, which cannot be a's. */
static void deadline_hang(struct actor *a, uint32_t period_ms)
{
    if (!sched_current && (cp15_read_ttbr0() & ~0xfffu) == virt_to_phys(a->vm.l1))
        vm_activate(NULL);
    end_hang(a, period_ms);
}

uint64_t deadline_due(void)
{
    return deadline_next;
}

/* The scheduler's timer interrupt (sched_timer): past the bound, ends the hung actors, wakes the
   receivers whose alarm is due, and computes the bound again. */
void deadline_tick(uint64_t now)
{
    if (now < deadline_next)
        return;
    uint64_t next = ~0ull;
    for (uint32_t i = 1; i < ACTORS_MAX; i++) {
        struct actor *a = actor_at(i);
        struct deadline_slot *d = &deadline_slots[i];
        if (!a || a->aid != d->aid || a->state == AS_ENDED)
            continue;
        if (d->wd_period_ms && d->wd_deadline <= now) {
            d->aid = 0;
            deadline_hang(a, d->wd_period_ms);
            continue;
        }
        /* An alarm that finds its actor busy waits for a tick that finds it receiving. */
        if (d->alarm_at && d->alarm_at <= now && a->state == AS_BLOCKED && a->block == AB_RECV) {
            d->alarm_at = 0;
            ipc_recv_timeout(a);
        }
        if (d->alarm_at && d->alarm_at < next)      /* a busy actor's: try a tick later */
            next = d->alarm_at > now ? d->alarm_at : now + timer_hz() / BOARD_TICK_HZ;
        if (d->wd_period_ms && d->wd_deadline < next)
            next = d->wd_deadline;
    }
    deadline_next = next;
}

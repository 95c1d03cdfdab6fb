/* How an actor ends: exit, a fault taken in user mode, a watchdog that ran out, an injected
   fault, a kill, a request for a site restart. Each builds the record the fault port receives, raw fields only (HR puts
   them in words after the restart: lib/fault.h), and ends the actor through actor_end: HR
   restarts what it must, or the console says why the actor was deleted; a critical actor
   takes the site down with it. */
#include <board.h>
#include <kernel/bootrec.h>
#include <kernel/console.h>
#include <kernel/end.h>
#include <kernel/ipc.h>
#include <kernel/syscall.h>
#include <kernel/reset.h>
#include <kernel/timer.h>
#include <kernel/vm.h>
#include <lib/fault.h>
#include <reprise/errors.h>
#include <string.h>

/* Builds the record of how a ended (the fault port receives it); by: who ended it, or NULL. */
static void end_record(struct actor *a, struct fault_record *rec, enum fault_kind kind,
                       const struct actor *by)
{
    memset(rec, 0, sizeof(*rec));
    rec->aid = a->aid;
    actor_name_copy(rec->name, a->name);
    rec->group = a->group;
    rec->kind = kind;
    rec->time = timer_now();
    if (by) {
        rec->by_aid = by->aid;
        actor_name_copy(rec->by_name, by->name);
    }
}

/* The console line of an end that no fault port hears of: made here, off any restart path. */
static void end_say(const char *what, const struct actor *a, const struct fault_record *rec,
                    const char *then)
{
    char text[112];
    fault_text(text, sizeof(text), rec);
    kprintf("kernel: %s%s (aid %d) %s%s\n", what, a->name, (int)a->aid, text, then);
}

/* SYS_EXIT: a restartable actor's exit goes to the fault port (HR decides whether it was
   clean); any other's is said on the console. */
void end_sys_exit(struct actor *self)
{
    int32_t status = (int32_t)self->tf.r[0];
    struct fault_record rec;
    end_record(self, &rec, FAULT_KIND_EXIT, NULL);
    rec.status = status;
    if (self->group && ipc_fault_port_owner()) {
        actor_end(self, &rec, 0);
        return;
    }
    kprintf("kernel: %s (aid %d) exited with status %d\n", self->name, (int)self->aid, (int)status);
    actor_end(self, NULL, 0);
}

/* A critical actor (PMM, HR) cannot be restarted alone: when it ends abnormally the
   kernel says so, keeps rec in the boot record for HR to log, and restarts the site. */
static void end_critical(struct actor *a, const struct fault_record *rec)
{
    if (!(a->privs & PRIV_CRITICAL))
        return;
    end_say("critical actor ", a, rec, "");
    bootrec_set_end(rec);
    board_reset(RESET_CRITICAL);
}

/* Ends actor a after a fault described by rec: a critical actor takes the site down with
   it; otherwise the fault port's owner gets the record, or, with none, a console line. */
static void end_abnormal(struct actor *a, const struct fault_record *rec)
{
    end_critical(a, rec);
    struct actor *owner = ipc_fault_port_owner();
    if (!owner || owner == a) {
        end_say("", a, rec, "; actor deleted");
        actor_end(a, NULL, 0);
        return;
    }
    actor_end(a, rec, 0);
}

/* A fault taken in user mode: its record says what, where and why. */
void end_fault(struct actor *a, enum fault_kind kind, uint32_t pc, uint32_t addr,
                         uint32_t fsr, int write)
{
    struct fault_record rec;
    end_record(a, &rec, kind, NULL);
    rec.pc = pc;
    rec.addr = addr;
    rec.fsr = fsr;
    rec.write = (uint32_t)write;
    if (kind != FAULT_KIND_UNDEFINED) {
        struct vm_region *r = vm_region_find(&a->vm, addr);
        /* A stack page missing at a data abort is one trap_dabt could not bring in: the
           actor is at its page quota or the page pool is empty (down to what the actor may
           take), which the record says rather than a bare translation fault. */
        int nostack = r && r->kind == VM_RGN_STACK && kind == FAULT_KIND_DATA_ABORT &&
                      fault_decode(fsr, 1).cls == FAULT_TRANSLATION;
        rec.where = addr >= ACTOR_USER_TOP_VADDR ? FAULT_WHERE_KERNEL
                  : r && r->kind == VM_RGN_GUARD ? FAULT_WHERE_GUARD
                  : r && r->kind == VM_RGN_RESERVED ? FAULT_WHERE_RESERVED
                  : nostack && a->vm.pages >= a->vm.quota ? FAULT_WHERE_STACK_QUOTA
                  : nostack ? FAULT_WHERE_STACK_NOPAGE : FAULT_WHERE_NONE;
    }
    end_abnormal(a, &rec);
}

/* Ends a, whose watchdog ran out, with a FAULT_KIND_HANG record saying what it was doing
   (deadline_tick); like a fault, the record goes to the fault port. */
void end_hang(struct actor *a, uint32_t period_ms)
{
    static const uint8_t doing[] = {
        [AB_NONE] = FAULT_DOING_RUNNING, [AB_RECV] = FAULT_DOING_RECV,
        [AB_CALL] = FAULT_DOING_CALL, [AB_REPLY] = FAULT_DOING_CALL,
        [AB_DELAY] = FAULT_DOING_SLEEP, [AB_CONSOLE] = FAULT_DOING_CONSOLE,
        [AB_CONSOLE_OUT] = FAULT_DOING_CONSOLE_OUT, [AB_HELD] = FAULT_DOING_HELD,
        [AB_RECORD] = FAULT_DOING_RECV,
    };
    struct fault_record rec;
    end_record(a, &rec, FAULT_KIND_HANG, NULL);
    rec.pc = a->tf.pc;
    rec.period_ms = period_ms;
    rec.doing = a->state == AS_BLOCKED ? doing[a->block] : FAULT_DOING_RUNNING;
    end_abnormal(a, &rec);
}

/* SYS_ACTOR_INJECT: actor aid ends as if it had taken a fault of that kind at its pc. */
void end_sys_inject(struct actor *self)
{
    int32_t aid = (int32_t)self->tf.r[0];
    struct actor *a = aid == 0 ? self : actor_by_aid(aid);
    uint32_t kind = self->tf.r[1];
    if (a != self && !(self->privs & PRIV_ACTORS)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    if (!a || a->state == AS_ENDED) {
        syscall_ret(self, K_EUNKNOWN);
        return;
    }
    if ((kind < FAULT_KIND_DATA_ABORT || kind > FAULT_KIND_UNDEFINED) &&
        (kind != FAULT_KIND_ABORT || a != self)) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    struct fault_record rec;
    end_record(a, &rec, (enum fault_kind)kind, kind == FAULT_KIND_ABORT ? NULL : self);
    rec.pc = a->tf.pc;
    syscall_ret(self, K_OK);
    end_abnormal(a, &rec);
}

/* SYS_ACTOR_KILL: the record says who killed it; a restartable actor's goes to the fault
   port unless its killer is the fault port's owner (HR ending a group). */
void end_sys_kill(struct actor *self)
{
    int32_t aid = (int32_t)self->tf.r[0];
    struct actor *a = actor_by_aid(aid);
    struct actor *owner = ipc_fault_port_owner();
    if (a && a->kept && self == owner) {
        actor_release(a);       /* a slot kept for a restart in place that will not come */
        syscall_ret(self, K_OK);
        return;
    }
    if (!a || a->state == AS_ENDED) {
        syscall_ret(self, K_EUNKNOWN);
        return;
    }
    if (a != self && !(self->privs & PRIV_ACTORS)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    struct fault_record rec;
    end_record(a, &rec, FAULT_KIND_KILLED, self);
    syscall_ret(self, K_OK);
    end_critical(a, &rec);
    actor_end(a, a->group && owner && owner != self ? &rec : NULL, 0);
}

/* SYS_ACTOR_STOP: the fault port's owner ends a member of a restart group with no record
   and keeps its slot for a restart in place (SYS_ACTOR_RESTART), as a fault would; held
   (ACTOR_STOP_HOLD) across its receives. */
void end_sys_stop(struct actor *self)
{
    int err;
    struct actor *a = syscall_owner_target(self, (int32_t)self->tf.r[0], &err);
    if (!a) {
        syscall_ret(self, err);
        return;
    }
    uint32_t flags = self->tf.r[1];
    if (!a->group || a == self || (flags & ~ACTOR_STOP_HOLD)) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    syscall_ret(self, K_OK);
    actor_end(a, NULL, (flags & ACTOR_STOP_HOLD) ? ACTOR_HELD : ACTOR_KEPT);
}

/* SYS_SITE_RESTART: with a fault port, its owner makes the site restart after the records
   queued before this one (HR says and writes what waits first); the caller ends here, with
   the site. Without one, or from the owner itself, the site restarts now. */
void end_sys_site_restart(struct actor *self)
{
    if (!(self->privs & PRIV_SITE)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    struct actor *owner = ipc_fault_port_owner();
    if (!owner || owner == self)
        board_reset(RESET_REQUESTED);
    struct fault_record rec;
    end_record(self, &rec, FAULT_KIND_SITE_REQUEST, NULL);
    rec.pc = self->tf.pc;
    actor_end(self, &rec, 0);
}

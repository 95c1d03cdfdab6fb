/* How an actor ends: exit, a fault taken in user mode, a watchdog that ran out, an injected
   fault. Each builds the record the fault port receives (raw fields and their text) and
   ends the actor through actor_end: HR restarts what it must, or the console says why the
   actor was deleted; a critical actor takes the site down with it. */
#include <board.h>
#include <kernel/bootrec.h>
#include <kernel/console.h>
#include <kernel/end.h>
#include <kernel/fault.h>
#include <kernel/ipc.h>
#include <kernel/syscall.h>
#include <kernel/reset.h>
#include <kernel/timer.h>
#include <kernel/vm.h>
#include <lib/fmt.h>
#include <reprise/errors.h>
#include <string.h>

/* Builds the record of how a ended (the fault port receives it). */
static void end_record(struct actor *a, struct fault_record *rec, enum fault_kind kind)
{
    memset(rec, 0, sizeof(*rec));
    rec->aid = a->aid;
    memcpy(rec->name, a->name, sizeof(rec->name));
    rec->group = a->group;
    rec->kind = kind;
    rec->time = timer_now();
}

/* SYS_EXIT: a restartable actor's exit goes to the fault port (HR decides whether it was
   clean); any other's is said on the console. */
void end_sys_exit(struct actor *self)
{
    int32_t status = (int32_t)self->tf.r[0];
    struct fault_record rec;
    end_record(self, &rec, FAULT_KIND_EXIT);
    rec.status = status;
    fmt_snprintf(rec.text, sizeof(rec.text), "exit(%d)", (int)status);
    if (self->group && ipc_fault_port_owner()) {
        actor_end(self, &rec);
        return;
    }
    kprintf("kernel: %s (aid %d) exited with status %d\n", self->name, (int)self->aid, (int)status);
    actor_end(self, NULL);
}

static const char *const end_fault_names[] = {
    [FAULT_KIND_DATA_ABORT] = "data abort",
    [FAULT_KIND_PREFETCH_ABORT] = "prefetch abort",
    [FAULT_KIND_UNDEFINED] = "undefined instruction",
};

/* A critical actor (PMM, HR) cannot be restarted alone: when it ends abnormally the
   kernel says so, keeps rec in the boot record for HR to log, and restarts the site. */
static void end_critical(struct actor *a, const struct fault_record *rec)
{
    if (!(a->privs & PRIV_CRITICAL))
        return;
    kprintf("kernel: critical actor %s (aid %d) %s\n", a->name, (int)a->aid, rec->text);
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
        kprintf("kernel: %s (aid %d) %s; actor deleted\n", a->name, (int)a->aid, rec->text);
        actor_end(a, NULL);
        return;
    }
    actor_end(a, rec);
}

/* A fault taken in user mode: its record says what, where and why in words. */
void end_fault(struct actor *a, enum fault_kind kind, uint32_t pc, uint32_t addr,
                         uint32_t fsr, int write)
{
    struct fault_record rec;
    end_record(a, &rec, kind);
    rec.pc = pc;
    rec.addr = addr;
    rec.fsr = fsr;
    rec.write = (uint32_t)write;
    if (kind == FAULT_KIND_UNDEFINED) {
        fmt_snprintf(rec.text, sizeof(rec.text), "undefined instruction pc=0x%08x", pc);
    } else {
        struct fault_status st = fault_decode(fsr, kind == FAULT_KIND_DATA_ABORT);
        struct vm_region *r = vm_region_find(&a->vm, addr);
        /* A stack page missing at a data abort is one trap_dabt could not bring in: the
           actor is at its page quota or the page pool is empty (down to what the actor may
           take), which the record says rather than a bare translation fault. */
        int nostack = r && r->kind == VM_RGN_STACK && kind == FAULT_KIND_DATA_ABORT &&
                      st.cls == FAULT_TRANSLATION;
        const char *where = addr >= ACTOR_USER_TOP_VADDR ? ", kernel address"
                          : r && r->kind == VM_RGN_GUARD ? ", stack guard page"
                          : r && r->kind == VM_RGN_RESERVED ? ", reserved region"
                          : nostack && a->vm.pages >= a->vm.quota ? ", stack page over the page quota"
                          : nostack ? ", no free page for the stack" : "";
        fmt_snprintf(rec.text, sizeof(rec.text), "%s pc=0x%08x addr=0x%08x %s, %s%s", end_fault_names[kind],
                     pc, addr, kind == FAULT_KIND_PREFETCH_ABORT ? "execute" : write ? "write" : "read",
                     fault_class_name(st.cls), where);
    }
    end_abnormal(a, &rec);
}

/* Ends a, whose watchdog ran out, with a FAULT_KIND_HANG record saying what it was doing
   (deadline_tick); like a fault, the record goes to the fault port. */
void end_hang(struct actor *a, uint32_t period_ms)
{
    static const char *const doing[] = {
        [AB_NONE] = "running", [AB_RECV] = "in a receive", [AB_CALL] = "in a call",
        [AB_REPLY] = "in a call", [AB_DELAY] = "sleeping", [AB_CONSOLE] = "reading the console",
        [AB_CONSOLE_OUT] = "writing the console", [AB_HELD] = "held",
    };
    struct fault_record rec;
    end_record(a, &rec, FAULT_KIND_HANG);
    rec.pc = a->tf.pc;
    fmt_snprintf(rec.text, sizeof(rec.text), "hang: no watchdog kick for %u ms, %s at pc=0x%08x",
                 (unsigned)period_ms, a->state == AS_BLOCKED ? doing[a->block] : "running",
                 rec.pc);
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
    end_record(a, &rec, (enum fault_kind)kind);
    rec.pc = a->tf.pc;
    if (kind == FAULT_KIND_ABORT)
        fmt_snprintf(rec.text, sizeof(rec.text), "abort() called, pc=0x%08x", rec.pc);
    else
        fmt_snprintf(rec.text, sizeof(rec.text), "%s pc=0x%08x, injected by %s (aid %d)",
                     end_fault_names[kind], rec.pc, self->name, (int)self->aid);
    syscall_ret(self, K_OK);
    end_abnormal(a, &rec);
}

/* SYS_ACTOR_KILL: the record says who killed it; a restartable actor's goes to the fault
   port unless its killer is the fault port's owner (HR ending a group). */
void end_sys_kill(struct actor *self)
{
    int32_t aid = (int32_t)self->tf.r[0];
    struct actor *a = actor_by_aid(aid);
    if (!a || a->state == AS_ENDED) {
        syscall_ret(self, K_EUNKNOWN);
        return;
    }
    if (a != self && !(self->privs & PRIV_ACTORS)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    struct actor *owner = ipc_fault_port_owner();
    struct fault_record rec;
    end_record(a, &rec, FAULT_KIND_KILLED);
    fmt_snprintf(rec.text, sizeof(rec.text), "killed by %s (aid %d)", self->name, (int)self->aid);
    syscall_ret(self, K_OK);
    end_critical(a, &rec);
    actor_end(a, a->group && owner && owner != self ? &rec : NULL);
}

/* System call dispatch and the calls that are not IPC, console, actor ends (kernel/end.c) or
   mappings (kernel/sysmem.c): time, actors, information. Every pointer argument goes through
   the checked copies. */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/bootrec.h>
#include <kernel/console.h>
#include <kernel/deadline.h>
#include <kernel/dump.h>
#include <kernel/elf.h>
#include <kernel/end.h>
#include <kernel/ipc.h>
#include <kernel/page.h>
#include <kernel/reset.h>
#include <kernel/rtc.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/sysmem.h>
#include <kernel/timer.h>
#include <reprise/errors.h>
#include <reprise/syscall.h>
#include <string.h>

/* The actor an aid argument names (see kernel/syscall.h). */
struct actor *syscall_target(struct actor *self, int32_t aid, int *err)
{
    if (aid == 0 || aid == self->aid)
        return self;
    if (!(self->privs & PRIV_ACTORS)) {
        *err = K_EPRIV;
        return NULL;
    }
    struct actor *a = actor_by_aid(aid);
    if (!a || a->state == AS_ENDED) {
        *err = K_EUNKNOWN;
        return NULL;
    }
    return a;
}

struct actor *syscall_owner_target(struct actor *self, int32_t aid, int *err)
{
    struct actor *a = actor_by_aid(aid);
    *err = self != ipc_fault_port_owner() ? K_EPRIV : !a || a->state == AS_ENDED ? K_EUNKNOWN
                                                                                : K_OK;
    return *err == K_OK ? a : NULL;
}

static void sys_null(struct actor *self)
{
    syscall_ret(self, K_OK);
}

static void sys_actor_self(struct actor *self)
{
    syscall_ret(self, self->aid);
}

static void sys_delay(struct actor *self)
{
    uint32_t us = self->tf.r[0];
    if (us == 0) {
        sched_yield();
        syscall_ret(self, K_OK);
        return;
    }
    sched_sleep_until(self, timer_now() + timer_us_to_ticks(us));
}

/* Sleeps until the counter reaches an absolute value: sleepers with the same deadline wake
   at the same instant, in the order they went to sleep, however late each asked. */
static void sys_delay_until(struct actor *self)
{
    uint64_t when = (uint64_t)self->tf.r[1] << 32 | self->tf.r[0];
    if (when <= timer_now()) {
        syscall_ret(self, K_OK);
        return;
    }
    sched_sleep_until(self, when);
}

static void sys_yield(struct actor *self)
{
    sched_yield();
    syscall_ret(self, K_OK);
}

/* Reads and checks the struct actor_spawn at user address spec and its argument strings
   (into args): the image file, and the privileges bounded by the caller's (and, for
   ACTOR_PRIVS_IMAGE, the image's); a restartable actor is never critical nor takes the
   fault port. hint, when not NULL, is the image the caller most likely names. */
static int sys_spawn_spec(struct actor *self, uaddr_t spec, struct actor_spawn *sp, char *args,
                          const struct sysimg_file *hint, const struct sysimg_file **f)
{
    int err = vm_copyin(&self->vm, sp, spec, sizeof(*sp));
    if (err)
        return err;
    if (sp->args_len > ACTOR_ARGS_MAX || sp->argc > ACTOR_ARGC_MAX ||
        (sp->flags & ~ACTOR_SPAWN_HELD) || memchr(sp->image, '\0', sizeof(sp->image)) == NULL)
        return K_EINVAL;
    if ((err = vm_copyin(&self->vm, args, (uaddr_t)(uintptr_t)sp->args, sp->args_len)))
        return err;
    /* A restart names the image the actor runs already: no search of the image table. */
    if (hint && !strcmp(hint->name, sp->image))
        *f = hint;
    else if (!(*f = sysimg_find(actor_sysimg(), sp->image)))
        return K_EUNKNOWN;
    if (!sp->priority)
        sp->priority = ((*f)->flags & SYSIMG_FLAG_PRIO_MASK) >> SYSIMG_FLAG_PRIO_SHIFT;
    if (sp->privileges == ACTOR_PRIVS_IMAGE)
        sp->privileges = (*f)->privileges & self->privs;
    else if (sp->privileges & ~self->privs)
        return K_EPRIV;
    if (sp->group)
        sp->privileges &= ~(PRIV_CRITICAL | PRIV_FAULTS);
    return K_OK;
}

/* A new actor created or restarted as sp says waits to be released when it asked so. */
static void sys_spawn_hold(struct actor *a, const struct actor_spawn *sp)
{
    if (a && (sp->flags & ACTOR_SPAWN_HELD)) {
        sched_unready(a);
        a->state = AS_BLOCKED;
        a->block = AB_HELD;
    }
}

static void sys_actor_create(struct actor *self)
{
    struct actor_spawn sp;
    char args[ACTOR_ARGS_MAX];
    const struct sysimg_file *f;
    int err;
    if (!(self->privs & PRIV_ACTORS)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    if ((err = sys_spawn_spec(self, self->tf.r[0], &sp, args, NULL, &f))) {
        syscall_ret(self, err);
        return;
    }
    /* HR (the fault port's owner) starting a group member may use the restart reserve. */
    struct actor *a = actor_create(f, sp.argc, args, sp.args_len, sp.privileges, sp.priority,
                                   sp.group, sp.group && self == ipc_fault_port_owner() ?
                                   ACTOR_CREATE_BY_HR : 0, &err);
    sys_spawn_hold(a, &sp);
    syscall_ret(self, a ? a->aid : err);
}

/* SYS_ACTOR_RESTART: the fault port's owner restarts a kept actor in place. */
static void sys_actor_restart(struct actor *self)
{
    struct actor_spawn sp;
    char args[ACTOR_ARGS_MAX];
    const struct sysimg_file *f;
    int err;
    struct actor *a = actor_by_aid((int32_t)self->tf.r[0]);
    if (self != ipc_fault_port_owner()) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    if ((err = sys_spawn_spec(self, self->tf.r[1], &sp, args, a && a->kept ? a->image : NULL,
                              &f))) {
        syscall_ret(self, err);
        return;
    }
    if (!a || !a->kept) {
        syscall_ret(self, K_EUNKNOWN);
        return;
    }
    if (!sp.group) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    a = actor_restart(a, f, sp.argc, args, sp.args_len, sp.privileges, sp.priority, sp.group,
                      &err);
    sys_spawn_hold(a, &sp);
    syscall_ret(self, a ? a->aid : err);
}

/* SYS_ACTOR_ARM: the fault port's owner arms a live restartable actor for one restart in
   place by the kernel at its next abnormal end (spec 0: disarms it). */
static void sys_actor_arm(struct actor *self)
{
    struct actor_spawn sp;
    char args[ACTOR_ARGS_MAX];
    const struct sysimg_file *f;
    int err;
    struct actor *a = syscall_owner_target(self, (int32_t)self->tf.r[0], &err);
    if (!a) {
        syscall_ret(self, err);
        return;
    }
    if (!self->tf.r[1]) {
        syscall_ret(self, actor_arm(a, 0, NULL, 0, 0, 0, 0));
        return;
    }
    if ((err = sys_spawn_spec(self, self->tf.r[1], &sp, args, a->image, &f))) {
        syscall_ret(self, err);
        return;
    }
    if (f != a->image || !a->group || sp.group != a->group || (sp.flags & ACTOR_SPAWN_HELD)) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    syscall_ret(self, actor_arm(a, sp.argc, args, sp.args_len, sp.privileges, sp.priority,
                                sp.group));
}

static void sys_actor_release(struct actor *self)
{
    struct actor *a = actor_by_aid((int32_t)self->tf.r[0]);
    if (!(self->privs & PRIV_ACTORS)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    if (!a || a->state == AS_ENDED) {
        syscall_ret(self, K_EUNKNOWN);
        return;
    }
    if (a->state != AS_BLOCKED || a->block != AB_HELD) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    sched_ready(a);
    syscall_ret(self, K_OK);
}

static void sys_actor_info(struct actor *self)
{
    uint32_t index = self->tf.r[0];
    if (index >= ACTORS_MAX - 1) {
        syscall_ret(self, K_EUNKNOWN);
        return;
    }
    struct actor_info info;
    memset(&info, 0, sizeof(info));
    struct actor *a = actor_at(index + 1);
    if (a && a->state != AS_ENDED) {
        info.aid = a->aid;
        memcpy(info.name, a->name, sizeof(info.name));
        info.state = a->state == AS_READY ? ACTOR_READY : ACTOR_BLOCKED;
        info.group = a->group;
        info.priority = a->prio;
        info.pages = a->vm.pages;
        info.page_quota = a->vm.quota;
        info.privileges = a->privs;
        info.flags = a->arm ? ACTOR_INFO_ARMED : 0;
    }
    syscall_ret(self, vm_copyout(&self->vm, self->tf.r[1], &info, sizeof(info)));
}

static void sys_port_create(struct actor *self) { ipc_port_create(self, (int32_t)self->tf.r[0]); }
static void sys_port_lookup(struct actor *self) { ipc_port_lookup(self, (int32_t)self->tf.r[0]); }
static void sys_ipc_call(struct actor *self) { ipc_call(self, (int32_t)self->tf.r[0], self->tf.r[5]); }
/* The fault port's owner receiving again (here or in SYS_IPC_REPLY_RECV) has decided on the
   slots it kept: those it did not restart in place are freed. */
static void sys_ipc_recv(struct actor *self)
{
    if (actor_any_kept())
        actor_discard_kept(self);
    ipc_recv(self, (int32_t)self->tf.r[0], self->tf.r[1], self->tf.r[2]);
}
static void sys_ipc_reply(struct actor *self) { ipc_reply(self, (int32_t)self->tf.r[0], self->tf.r[5]); }
static void sys_ipc_reply_recv(struct actor *self)
{
    if (actor_any_kept())
        actor_discard_kept(self);
    ipc_reply_recv(self, (int32_t)self->tf.r[0], self->tf.r[5], (int32_t)self->tf.r[6]);
}
static void sys_fault_port_set(struct actor *self) { ipc_fault_port_set(self, (int32_t)self->tf.r[0]); }

static void sys_image_info(struct actor *self)
{
    const struct sysimg_file *f = sysimg_at(actor_sysimg(), self->tf.r[0]);
    if (!f) {
        syscall_ret(self, K_EUNKNOWN);
        return;
    }
    struct image_info info;
    memset(&info, 0, sizeof(info));
    memcpy(info.name, f->name, sizeof(info.name));
    info.size = f->size;
    info.privileges = f->privileges;
    info.bank_pages = f->bank_pages;
    info.bank_blocks = f->bank_blocks;
    const struct elf_image *e = actor_image_elf(f);
    if (e) {
        info.text_bytes = e->text_bytes;
        info.data_bytes = e->data_bytes;
        info.bss_bytes = e->bss_bytes;
    }
    syscall_ret(self, vm_copyout(&self->vm, self->tf.r[1], &info, sizeof(info)));
}

static void sys_boot_info(struct actor *self)
{
    const struct bootrec_state *bs = bootrec_state();
    struct rtc_sample rtc = rtc_sample();
    struct boot_info info = {
        .kind = bs->kind == BOOT_WARM,
        .boot_count = bs->boot_count,
        .last_reset_reason = bs->last_reason,
        .bank_paddr = BOARD_BANK_PADDR,
        .bank_size = BOARD_BANK_SIZE,
        .timer_hz = timer_hz(),
        .last_end = bs->last_end,
        .rtc_seconds = rtc.seconds,
        .rtc_count = rtc.count,
    };
    syscall_ret(self, vm_copyout(&self->vm, self->tf.r[0], &info, sizeof(info)));
}

static void sys_mem_info(struct actor *self)
{
    struct mem_info info = {
        .free_pages = page_free_count(),
        .total_pages = page_total_count(),
        .actors_used = actor_slots_used(),
        .actors_total = ACTORS_MAX - 1,
        .ports_used = ipc_ports_used(),
        .ports_total = PORTS_MAX - 1,
        .reserve_system_pages = BOARD_POOL_RESERVE_SYSTEM_PAGES,
        .reserve_restart_pages = BOARD_POOL_RESERVE_RESTART_PAGES,
        .default_page_quota = BOARD_ACTOR_PAGE_QUOTA,
    };
    syscall_ret(self, vm_copyout(&self->vm, self->tf.r[0], &info, sizeof(info)));
}

static void sys_boot_script(struct actor *self)
{
    const struct sysimg *img = actor_sysimg();
    uint32_t off = self->tf.r[0], len = self->tf.r[2];
    if (off >= img->script_len) {
        syscall_ret(self, 0);
        return;
    }
    if (len > img->script_len - off)
        len = img->script_len - off;
    int err = vm_copyout(&self->vm, self->tf.r[1], img->script + off, len);
    syscall_ret(self, err ? err : (int)len);
}

static void sys_user_copy(struct actor *self)
{
    /* vm_copy_between checks both ranges whole before it copies anything. */
    syscall_ret(self, vm_copy_between(&self->vm, self->tf.r[0], &self->vm, self->tf.r[1],
                                      self->tf.r[2]));
}

typedef void (*sys_fn)(struct actor *self);

static const sys_fn sys_table[SYS_COUNT] = {
    [SYS_NULL] = sys_null,
    [SYS_EXIT] = end_sys_exit,
    [SYS_CONSOLE_WRITE] = console_sys_write,
    [SYS_CONSOLE_READ] = console_sys_read,
    [SYS_CONSOLE_MODE] = console_sys_mode,
    [SYS_ACTOR_RELEASE] = sys_actor_release,
    [SYS_ACTOR_SELF] = sys_actor_self,
    [SYS_DELAY] = sys_delay,
    [SYS_DELAY_UNTIL] = sys_delay_until,
    [SYS_YIELD] = sys_yield,
    [SYS_RGN_ALLOCATE] = sysmem_rgn_allocate,
    [SYS_RGN_FREE] = sysmem_rgn_free,
    [SYS_ACTOR_CREATE] = sys_actor_create,
    [SYS_ACTOR_KILL] = end_sys_kill,
    [SYS_ACTOR_STOP] = end_sys_stop,
    [SYS_ACTOR_RESTART] = sys_actor_restart,
    [SYS_ACTOR_ARM] = sys_actor_arm,
    [SYS_ACTOR_INFO] = sys_actor_info,
    [SYS_ACTOR_INJECT] = end_sys_inject,
    [SYS_PORT_CREATE] = sys_port_create,
    [SYS_PORT_LOOKUP] = sys_port_lookup,
    [SYS_IPC_CALL] = sys_ipc_call,
    [SYS_IPC_RECV] = sys_ipc_recv,
    [SYS_IPC_REPLY] = sys_ipc_reply,
    [SYS_IPC_REPLY_RECV] = sys_ipc_reply_recv,
    [SYS_FAULT_PORT_SET] = sys_fault_port_set,
    [SYS_BANK_MAP] = sysmem_bank_map,
    [SYS_BANK_UNMAP] = sysmem_bank_unmap,
    [SYS_BANK_SYNC] = sysmem_bank_sync,
    [SYS_BANK_HOLDERS] = sysmem_bank_holders,
    [SYS_SITE_RESTART] = end_sys_site_restart,
    [SYS_IMAGE_INFO] = sys_image_info,
    [SYS_BOOT_INFO] = sys_boot_info,
    [SYS_MEM_INFO] = sys_mem_info,
    [SYS_BOOT_SCRIPT] = sys_boot_script,
    [SYS_USER_COPY] = sys_user_copy,
    [SYS_WATCHDOG] = deadline_sys_watchdog,
    [SYS_RECV_ALARM] = deadline_sys_recv_alarm,
    [SYS_ACTOR_DUMP] = dump_sys_take,
    [SYS_DEVICE_MAP] = sysmem_device_map,
};

struct trapframe *trap_svc(struct trapframe *tf)
{
    struct actor *self = sched_current;
    uint32_t n = tf->r[7];
    struct trapframe *next;
    /* The IPC fast path (kernel/ipc.c) first: it finishes the register-only calls it can. */
    if (n == SYS_IPC_CALL && (next = ipc_fast_call(self)))
        return next;
    if (n == SYS_IPC_REPLY_RECV && (next = ipc_fast_reply_recv(self)))
        return next;
    if (n < SYS_COUNT)
        sys_table[n](self);
    else
        tf->r[0] = (uint32_t)K_ENOTIMP;
    return sched_resume();
}

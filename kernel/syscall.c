/* System call dispatch and the calls that are not IPC, console or actor ends (kernel/end.c):
   time, regions, actors, bank mappings, information. Every pointer argument goes through the
   checked copies. */
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
#include <kernel/timer.h>
#include <reprise/errors.h>
#include <reprise/rgn.h>
#include <reprise/syscall.h>
#include <string.h>

#define RGN_KINDS_USER ((1u << VM_RGN_USER) | (1u << VM_RGN_RESERVED))
#define RGN_SIZE_MAX (ACTOR_USER_TOP_VADDR - ACTOR_IMAGE_VADDR)
#define BANK_FIRST_OFF VM_PAGE_SIZE   /* the kernel's boot record page is never mapped */

static inline void sys_ret(struct actor *a, int v)
{
    a->tf.r[0] = (uint32_t)v;
}

/* The actor an aid argument names: 0 is the caller; others need PRIV_ACTORS. */
static struct actor *sys_target(struct actor *self, int32_t aid, int *err)
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

static void sys_null(struct actor *self)
{
    sys_ret(self, K_OK);
}

static void sys_actor_self(struct actor *self)
{
    sys_ret(self, self->aid);
}

static void sys_delay(struct actor *self)
{
    uint32_t us = self->tf.r[0];
    if (us == 0) {
        sched_yield();
        sys_ret(self, K_OK);
        return;
    }
    uint64_t ticks = ((uint64_t)us * timer_hz() + 999999u) / 1000000u;
    sched_sleep_until(self, timer_now() + ticks);
}

/* Sleeps until the counter reaches an absolute value: sleepers with the same deadline wake
   at the same instant, in the order they went to sleep, however late each asked. */
static void sys_delay_until(struct actor *self)
{
    uint64_t when = (uint64_t)self->tf.r[1] << 32 | self->tf.r[0];
    if (when <= timer_now()) {
        sys_ret(self, K_OK);
        return;
    }
    sched_sleep_until(self, when);
}

static void sys_yield(struct actor *self)
{
    sched_yield();
    sys_ret(self, K_OK);
}

static void sys_rgn_allocate(struct actor *self)
{
    int err = K_OK;
    struct actor *a = sys_target(self, (int32_t)self->tf.r[0], &err);
    uaddr_t udesc = self->tf.r[1];
    struct rgn_desc d;
    if (!a) {
        sys_ret(self, err);
        return;
    }
    /* Read, and check the descriptor can be written back, before changing anything. */
    if ((err = vm_copyin(&self->vm, &d, udesc, sizeof(d))) ||
        (err = vm_check(&self->vm, udesc, sizeof(d), 1))) {
        sys_ret(self, err);
        return;
    }
    uint32_t opt = d.options;
    if ((opt & ~RGN_OPTIONS_MASK) || (opt & K_FREEALL) ||
        ((opt & K_WRITABLE) && (opt & K_EXECUTABLE)) || d.size == 0 || d.size > RGN_SIZE_MAX) {
        sys_ret(self, K_EINVAL);
        return;
    }
    uint32_t size = (d.size + VM_PAGE_MASK) & ~VM_PAGE_MASK;
    uint32_t start = d.start_addr;
    if (opt & K_ANYWHERE) {
        start = vm_region_gap(&a->vm, ACTOR_RGN_VADDR, ACTOR_RGN_END_VADDR, size);
        if (!start) {
            sys_ret(self, K_ENOMEM);
            return;
        }
    } else if ((start & VM_PAGE_MASK) || start < ACTOR_IMAGE_VADDR ||
               start + size > ACTOR_USER_TOP_VADDR || start + size < start ||
               (start < ACTOR_PMM_END_VADDR && start + size > ACTOR_PMM_VADDR)) {
        sys_ret(self, K_EINVAL);
        return;
    }
    unsigned prot = VM_R | ((opt & K_WRITABLE) ? VM_W : 0) | ((opt & K_EXECUTABLE) ? VM_X : 0);
    enum vm_region_kind kind = (opt & K_RESERVED) ? VM_RGN_RESERVED : VM_RGN_USER;
    /* Writable memory at a fixed address right after .data/.bss (or the heap so far) is
       heap growth (_sbrk): it joins the data region, which rgnFree(K_FREEALL) leaves alone. */
    struct vm_region *below = start ? vm_region_find(&a->vm, start - 1) : NULL;
    if (!(opt & (K_ANYWHERE | K_RESERVED | K_EXECUTABLE)) && (opt & K_WRITABLE) && below &&
        below->kind == VM_RGN_DATA && below->end == start)
        kind = VM_RGN_DATA;
    /* ... as far as the image's heap limit (manifest heap=, or app.mk's <name>_HEAP_MAX). */
    if (kind == VM_RGN_DATA && start + size > a->heap_end) {
        sys_ret(self, K_ENOMEM);
        return;
    }
    /* The pages and the tables under them must fit the actor's quota and the pool: then
       nothing below can run out half-way (as many tables as 4 MiB stretches first, a cheap
       bound; the tables really missing only when that does not fit). */
    if (kind != VM_RGN_RESERVED &&
        vm_room(&a->vm, size / VM_PAGE_SIZE + ((start + size - 1) >> 22) - (start >> 22) + 1) &&
        (err = vm_room(&a->vm, size / VM_PAGE_SIZE + vm_tables_needed(&a->vm, start, start + size)))) {
        sys_ret(self, err);
        return;
    }
    err = vm_region_add(&a->vm, start, start + size, kind, prot,
                        kind == VM_RGN_DATA ? 0 : (uint16_t)opt, 0);
    /* Fresh pages are always zeroed: no actor ever sees another's old data. */
    if (err == K_OK && kind != VM_RGN_RESERVED &&
        (err = vm_map_fresh(&a->vm, start, start + size, prot, 1)) != K_OK)
        vm_region_remove(&a->vm, start, start + size, 1u << kind);
    if (err == K_OK) {
        d.start_addr = start;
        d.size = size;
        d.end_addr = start + size;
        vm_copyout(&self->vm, udesc, &d, sizeof(d));
    }
    sys_ret(self, err);
}

static void sys_rgn_free(struct actor *self)
{
    int err = K_OK;
    struct actor *a = sys_target(self, (int32_t)self->tf.r[0], &err);
    struct rgn_desc d;
    if (!a) {
        sys_ret(self, err);
        return;
    }
    if ((err = vm_copyin(&self->vm, &d, self->tf.r[1], sizeof(d)))) {
        sys_ret(self, err);
        return;
    }
    if (d.options == K_FREEALL) {
        sys_ret(self, vm_region_remove(&a->vm, 0, ACTOR_USER_TOP_VADDR, RGN_KINDS_USER));
        return;
    }
    uint32_t start = d.start_addr;
    uint32_t size = (d.size + VM_PAGE_MASK) & ~VM_PAGE_MASK;
    if (d.options || (start & VM_PAGE_MASK) || d.size == 0 || d.size > RGN_SIZE_MAX ||
        start + size < start || start + size > ACTOR_USER_TOP_VADDR) {
        sys_ret(self, K_EINVAL);
        return;
    }
    /* Only what rgnAllocate made can be freed: not the image, stack, or bank mappings. */
    for (uint32_t i = 0; i < a->vm.nregions; i++) {
        struct vm_region *r = &a->vm.regions[i];
        if (r->start < start + size && r->end > start && !(RGN_KINDS_USER & (1u << r->kind))) {
            sys_ret(self, K_EINVAL);
            return;
        }
    }
    sys_ret(self, vm_region_remove(&a->vm, start, start + size, RGN_KINDS_USER));
}

static void sys_actor_create(struct actor *self)
{
    struct actor_spawn sp;
    char args[ACTOR_ARGS_MAX];
    int err = K_OK;
    if (!(self->privs & PRIV_ACTORS)) {
        sys_ret(self, K_EPRIV);
        return;
    }
    if ((err = vm_copyin(&self->vm, &sp, self->tf.r[0], sizeof(sp)))) {
        sys_ret(self, err);
        return;
    }
    if (sp.args_len > ACTOR_ARGS_MAX || sp.argc > ACTOR_ARGC_MAX || (sp.flags & ~ACTOR_SPAWN_HELD) ||
        memchr(sp.image, '\0', sizeof(sp.image)) == NULL) {
        sys_ret(self, K_EINVAL);
        return;
    }
    if ((err = vm_copyin(&self->vm, args, (uaddr_t)(uintptr_t)sp.args, sp.args_len))) {
        sys_ret(self, err);
        return;
    }
    const struct sysimg_file *f = sysimg_find(actor_sysimg(), sp.image);
    if (!f) {
        sys_ret(self, K_EUNKNOWN);
        return;
    }
    if (!sp.priority)
        sp.priority = (f->flags & SYSIMG_FLAG_PRIO_MASK) >> SYSIMG_FLAG_PRIO_SHIFT;
    if (sp.privileges == ACTOR_PRIVS_IMAGE)
        sp.privileges = f->privileges & self->privs;
    else if (sp.privileges & ~self->privs) {
        sys_ret(self, K_EPRIV);
        return;
    }
    /* A restartable actor is restarted by HR, so it cannot be critical, nor take HR's
       fault port. */
    if (sp.group)
        sp.privileges &= ~(PRIV_CRITICAL | PRIV_FAULTS);
    /* HR (the fault port's owner) starting a group member may use the restart reserve. */
    struct actor *a = actor_create(f, sp.argc, args, sp.args_len, sp.privileges, sp.priority,
                                   sp.group, sp.group && self == ipc_fault_port_owner() ?
                                   ACTOR_CREATE_BY_HR : 0, &err);
    if (a && (sp.flags & ACTOR_SPAWN_HELD)) {
        sched_unready(a);
        a->state = AS_BLOCKED;
        a->block = AB_HELD;
    }
    sys_ret(self, a ? a->aid : err);
}

static void sys_actor_release(struct actor *self)
{
    struct actor *a = actor_by_aid((int32_t)self->tf.r[0]);
    if (!(self->privs & PRIV_ACTORS)) {
        sys_ret(self, K_EPRIV);
        return;
    }
    if (!a || a->state == AS_ENDED) {
        sys_ret(self, K_EUNKNOWN);
        return;
    }
    if (a->state != AS_BLOCKED || a->block != AB_HELD) {
        sys_ret(self, K_EINVAL);
        return;
    }
    sched_ready(a);
    sys_ret(self, K_OK);
}

static void sys_actor_info(struct actor *self)
{
    uint32_t index = self->tf.r[0];
    if (index >= ACTORS_MAX - 1) {
        sys_ret(self, K_EUNKNOWN);
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
    }
    sys_ret(self, vm_copyout(&self->vm, self->tf.r[1], &info, sizeof(info)));
}

static void sys_port_create(struct actor *self) { ipc_port_create(self, (int32_t)self->tf.r[0]); }
static void sys_port_lookup(struct actor *self) { ipc_port_lookup(self, (int32_t)self->tf.r[0]); }
static void sys_ipc_call(struct actor *self) { ipc_call(self, (int32_t)self->tf.r[0], self->tf.r[5]); }
static void sys_ipc_recv(struct actor *self) { ipc_recv(self, (int32_t)self->tf.r[0], self->tf.r[1], self->tf.r[2]); }
static void sys_ipc_reply(struct actor *self) { ipc_reply(self, (int32_t)self->tf.r[0], self->tf.r[5]); }
static void sys_fault_port_set(struct actor *self) { ipc_fault_port_set(self, (int32_t)self->tf.r[0]); }

/* Checks a bank range: page aligned, not empty, inside the bank past the boot record. */
static int sys_bank_range_ok(uint32_t off, uint32_t size)
{
    return !(off & VM_PAGE_MASK) && !(size & VM_PAGE_MASK) && size && off >= BANK_FIRST_OFF &&
           off < BOARD_BANK_SIZE && size <= BOARD_BANK_SIZE - off;
}

static void sys_bank_map(struct actor *self)
{
    int err = K_OK;
    uint32_t off = self->tf.r[1], va = self->tf.r[2], size = self->tf.r[3];
    unsigned prot = VM_R | (self->tf.r[4] ? VM_W : 0);
    if (!(self->privs & PRIV_BANK)) {
        sys_ret(self, K_EPRIV);
        return;
    }
    struct actor *a = self->tf.r[0] ? actor_by_aid((int32_t)self->tf.r[0]) : self;
    if (!a || a->state == AS_ENDED) {
        sys_ret(self, K_EUNKNOWN);
        return;
    }
    if (!sys_bank_range_ok(off, size) || (va & VM_PAGE_MASK) || va < ACTOR_PMM_VADDR ||
        va >= ACTOR_PMM_END_VADDR || size > ACTOR_PMM_END_VADDR - va) {
        sys_ret(self, K_EINVAL);
        return;
    }
    /* A range inside an existing bank region (a retrieval) only needs its pages mapped
       again; otherwise it becomes a region of its own, merged with contiguous neighbours. */
    struct vm_region *r = vm_region_find(&a->vm, va);
    int inside = r && r->kind == VM_RGN_BANK && r->prot == prot && va + size <= r->end &&
                 r->bank_off + (va - r->start) == off;
    /* Bank pages are not the actor's, the tables under them are: they count. */
    if ((err = vm_room(&a->vm, vm_tables_needed(&a->vm, va, va + size)))) {
        sys_ret(self, err);
        return;
    }
    if (!inside)
        err = vm_region_add(&a->vm, va, va + size, VM_RGN_BANK, prot, 0, off);
    for (uint32_t i = 0; err == K_OK && i < size; i += VM_PAGE_SIZE)
        err = vm_map(&a->vm, va + i, BOARD_BANK_PADDR + off + i, prot);
    if (err == K_ENOMEM && !inside)
        vm_region_remove(&a->vm, va, va + size, 1u << VM_RGN_BANK);
    sys_ret(self, err);
}

static void sys_bank_unmap(struct actor *self)
{
    uint32_t off = self->tf.r[0], size = self->tf.r[1];
    if (!(self->privs & PRIV_BANK)) {
        sys_ret(self, K_EPRIV);
        return;
    }
    if (!sys_bank_range_ok(off, size)) {
        sys_ret(self, K_EINVAL);
        return;
    }
    for (uint32_t i = 1; i < ACTORS_MAX; i++) {
        struct actor *a = actor_at(i);
        if (!a || a->state == AS_ENDED || a == self)   /* the PMM keeps its own bank view */
            continue;
        for (uint32_t k = 0; k < a->vm.nregions; k++) {
            struct vm_region *r = &a->vm.regions[k];
            uint32_t rend = r->bank_off + (r->end - r->start);
            if (r->kind != VM_RGN_BANK || rend <= off || r->bank_off >= off + size)
                continue;
            uint32_t lo = r->bank_off > off ? r->bank_off : off;
            uint32_t hi = rend < off + size ? rend : off + size;
            uint32_t va = r->start + (lo - r->bank_off);
            /* A middle part splits the region; with the table full, the pages go and the
               region stays (an access faults, a later map fills the hole again). */
            if (vm_region_remove(&a->vm, va, va + (hi - lo), 1u << VM_RGN_BANK) == K_OK)
                k = (uint32_t)-1;   /* the table changed: look again from the start */
            else
                vm_unmap_range(&a->vm, va, va + (hi - lo));
        }
    }
    sys_ret(self, K_OK);
}

static void sys_bank_sync(struct actor *self)
{
    uint32_t off = self->tf.r[0], size = self->tf.r[1];
    if (!(self->privs & PRIV_BANK)) {
        sys_ret(self, K_EPRIV);
        return;
    }
    if (off < BANK_FIRST_OFF || off >= BOARD_BANK_SIZE || size > BOARD_BANK_SIZE - off) {
        sys_ret(self, K_EINVAL);
        return;
    }
    cpu_dcache_clean_range(BOARD_BANK_PADDR + off, size);
    sys_ret(self, K_OK);
}

/* The board's devices for user-mode drivers, by DEVICE_* number. */
static const struct { uint32_t paddr, size; } sys_devices[] = {
#ifdef BOARD_NVRAM_PADDR
    [DEVICE_NVRAM] = { BOARD_NVRAM_PADDR, BOARD_NVRAM_SIZE },
#endif
};

/* SYS_DEVICE_MAP: a whole board device into the caller, device memory, read/write, XN. */
static void sys_device_map(struct actor *self)
{
    uint32_t dev = self->tf.r[0], va = self->tf.r[1];
    if (!(self->privs & PRIV_DEVICE)) {
        sys_ret(self, K_EPRIV);
        return;
    }
    if (dev >= sizeof(sys_devices) / sizeof(sys_devices[0]) || !sys_devices[dev].size) {
        sys_ret(self, K_EUNKNOWN);
        return;
    }
    uint32_t pa = sys_devices[dev].paddr, size = sys_devices[dev].size;
    if ((va & VM_PAGE_MASK) || va < ACTOR_RGN_VADDR || va >= ACTOR_RGN_END_VADDR ||
        size > ACTOR_RGN_END_VADDR - va) {
        sys_ret(self, K_EINVAL);
        return;
    }
    unsigned prot = VM_R | VM_W | VM_DEV;
    int err = vm_region_add(&self->vm, va, va + size, VM_RGN_DEVICE, prot, 0, 0);
    if (err == K_OK)
        err = vm_map_range(&self->vm, va, pa, size, prot);
    if (err == K_ENOMEM)
        vm_region_remove(&self->vm, va, va + size, 1u << VM_RGN_DEVICE);
    sys_ret(self, err == K_OK ? (int)size : err);
}

static void sys_site_restart(struct actor *self)
{
    if (!(self->privs & PRIV_SITE)) {
        sys_ret(self, K_EPRIV);
        return;
    }
    board_reset(RESET_REQUESTED);
}

static void sys_image_info(struct actor *self)
{
    const struct sysimg_file *f = sysimg_at(actor_sysimg(), self->tf.r[0]);
    if (!f) {
        sys_ret(self, K_EUNKNOWN);
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
    sys_ret(self, vm_copyout(&self->vm, self->tf.r[1], &info, sizeof(info)));
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
    sys_ret(self, vm_copyout(&self->vm, self->tf.r[0], &info, sizeof(info)));
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
    sys_ret(self, vm_copyout(&self->vm, self->tf.r[0], &info, sizeof(info)));
}

static void sys_boot_script(struct actor *self)
{
    const struct sysimg *img = actor_sysimg();
    uint32_t off = self->tf.r[0], len = self->tf.r[2];
    if (off >= img->script_len) {
        sys_ret(self, 0);
        return;
    }
    if (len > img->script_len - off)
        len = img->script_len - off;
    int err = vm_copyout(&self->vm, self->tf.r[1], img->script + off, len);
    sys_ret(self, err ? err : (int)len);
}

static void sys_user_copy(struct actor *self)
{
    uaddr_t dst = self->tf.r[0], src = self->tf.r[1];
    uint32_t len = self->tf.r[2];
    int err = vm_check(&self->vm, dst, len, 1);
    if (err || (err = vm_check(&self->vm, src, len, 0))) {
        sys_ret(self, err);
        return;
    }
    sys_ret(self, vm_copy_between(&self->vm, dst, &self->vm, src, len));
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
    [SYS_RGN_ALLOCATE] = sys_rgn_allocate,
    [SYS_RGN_FREE] = sys_rgn_free,
    [SYS_ACTOR_CREATE] = sys_actor_create,
    [SYS_ACTOR_KILL] = end_sys_kill,
    [SYS_ACTOR_INFO] = sys_actor_info,
    [SYS_ACTOR_INJECT] = end_sys_inject,
    [SYS_PORT_CREATE] = sys_port_create,
    [SYS_PORT_LOOKUP] = sys_port_lookup,
    [SYS_IPC_CALL] = sys_ipc_call,
    [SYS_IPC_RECV] = sys_ipc_recv,
    [SYS_IPC_REPLY] = sys_ipc_reply,
    [SYS_FAULT_PORT_SET] = sys_fault_port_set,
    [SYS_BANK_MAP] = sys_bank_map,
    [SYS_BANK_UNMAP] = sys_bank_unmap,
    [SYS_BANK_SYNC] = sys_bank_sync,
    [SYS_SITE_RESTART] = sys_site_restart,
    [SYS_IMAGE_INFO] = sys_image_info,
    [SYS_BOOT_INFO] = sys_boot_info,
    [SYS_MEM_INFO] = sys_mem_info,
    [SYS_BOOT_SCRIPT] = sys_boot_script,
    [SYS_USER_COPY] = sys_user_copy,
    [SYS_WATCHDOG] = deadline_sys_watchdog,
    [SYS_RECV_ALARM] = deadline_sys_recv_alarm,
    [SYS_ACTOR_DUMP] = dump_sys_take,
    [SYS_DEVICE_MAP] = sys_device_map,
};

struct trapframe *trap_svc(struct trapframe *tf)
{
    struct actor *self = sched_current;
    uint32_t n = tf->r[7];
    if (n < SYS_COUNT)
        sys_table[n](self);
    else
        tf->r[0] = (uint32_t)K_ENOTIMP;
    return sched_resume();
}

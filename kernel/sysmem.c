/* The mapping calls: rgnAllocate and rgnFree (SYS_RGN_*), bank pages for the PMM server
   (SYS_BANK_MAP, SYS_BANK_UNMAP, SYS_BANK_SYNC) and board devices for user drivers
   (SYS_DEVICE_MAP). Each checks its arguments before it changes anything. */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/page.h>
#include <kernel/syscall.h>
#include <kernel/sysmem.h>
#include <kernel/vm.h>
#include <reprise/errors.h>
#include <reprise/rgn.h>
#include <reprise/syscall.h>
#include <string.h>

#define RGN_KINDS_USER ((1u << VM_RGN_USER) | (1u << VM_RGN_RESERVED))
#define RGN_SIZE_MAX (ACTOR_USER_TOP_VADDR - ACTOR_IMAGE_VADDR)
#define BANK_FIRST_OFF VM_PAGE_SIZE   /* the kernel's boot record page is never mapped */

/* SYS_RGN_ALLOCATE: rgnAllocate for actor aid (0: the caller) from its descriptor. */
void sysmem_rgn_allocate(struct actor *self)
{
    int err = K_OK;
    struct actor *a = syscall_target(self, (int32_t)self->tf.r[0], &err);
    uaddr_t udesc = self->tf.r[1];
    struct rgn_desc d;
    if (!a) {
        syscall_ret(self, err);
        return;
    }
    /* Read, and check the descriptor can be written back, before changing anything. */
    if ((err = vm_copyin(&self->vm, &d, udesc, sizeof(d))) ||
        (err = vm_check(&self->vm, udesc, sizeof(d), 1))) {
        syscall_ret(self, err);
        return;
    }
    uint32_t opt = d.options;
    if ((opt & ~RGN_OPTIONS_MASK) || (opt & K_FREEALL) ||
        ((opt & K_WRITABLE) && (opt & K_EXECUTABLE)) || d.size == 0 || d.size > RGN_SIZE_MAX) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    uint32_t size = (d.size + VM_PAGE_MASK) & ~VM_PAGE_MASK;
    uint32_t start = d.start_addr;
    if (opt & K_ANYWHERE) {
        start = vm_region_gap(&a->vm, ACTOR_RGN_VADDR, ACTOR_RGN_END_VADDR, size);
        if (!start) {
            syscall_ret(self, K_ENOMEM);
            return;
        }
    } else if ((start & VM_PAGE_MASK) || start < ACTOR_IMAGE_VADDR ||
               start + size > ACTOR_USER_TOP_VADDR || start + size < start ||
               (start < ACTOR_PMM_END_VADDR && start + size > ACTOR_PMM_VADDR)) {
        syscall_ret(self, K_EINVAL);
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
        syscall_ret(self, K_ENOMEM);
        return;
    }
    /* The pages and the tables under them must fit the actor's quota and the pool: then
       nothing below can run out half-way (as many tables as 4 MiB stretches first, a cheap
       bound; the tables really missing only when that does not fit). */
    if (kind != VM_RGN_RESERVED &&
        vm_room(&a->vm, size / VM_PAGE_SIZE + ((start + size - 1) >> 22) - (start >> 22) + 1) &&
        (err = vm_room(&a->vm, size / VM_PAGE_SIZE + vm_tables_needed(&a->vm, start, start + size)))) {
        syscall_ret(self, err);
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
    syscall_ret(self, err);
}

/* SYS_RGN_FREE: rgnFree of a region of actor aid (0: the caller), pages back to the pool. */
void sysmem_rgn_free(struct actor *self)
{
    int err = K_OK;
    struct actor *a = syscall_target(self, (int32_t)self->tf.r[0], &err);
    struct rgn_desc d;
    if (!a) {
        syscall_ret(self, err);
        return;
    }
    if ((err = vm_copyin(&self->vm, &d, self->tf.r[1], sizeof(d)))) {
        syscall_ret(self, err);
        return;
    }
    if (d.options == K_FREEALL) {
        syscall_ret(self, vm_region_remove(&a->vm, 0, ACTOR_USER_TOP_VADDR, RGN_KINDS_USER));
        return;
    }
    uint32_t start = d.start_addr;
    uint32_t size = (d.size + VM_PAGE_MASK) & ~VM_PAGE_MASK;
    if (d.options || (start & VM_PAGE_MASK) || d.size == 0 || d.size > RGN_SIZE_MAX ||
        start + size < start || start + size > ACTOR_USER_TOP_VADDR) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    /* Only what rgnAllocate made can be freed: not the image, stack, or bank mappings. */
    for (uint32_t i = 0; i < a->vm.nregions; i++) {
        struct vm_region *r = &a->vm.regions[i];
        if (r->start < start + size && r->end > start && !(RGN_KINDS_USER & (1u << r->kind))) {
            syscall_ret(self, K_EINVAL);
            return;
        }
    }
    syscall_ret(self, vm_region_remove(&a->vm, start, start + size, RGN_KINDS_USER));
}

/* Checks a bank range: page aligned, not empty, inside the bank past the boot record. */
static int sysmem_bank_range_ok(uint32_t off, uint32_t size)
{
    return !(off & VM_PAGE_MASK) && !(size & VM_PAGE_MASK) && size && off >= BANK_FIRST_OFF &&
           off < BOARD_BANK_SIZE && size <= BOARD_BANK_SIZE - off;
}

/* SYS_BANK_MAP: bank pages into actor aid at a user address (the PMM server's). */
void sysmem_bank_map(struct actor *self)
{
    int err = K_OK;
    uint32_t off = self->tf.r[1], va = self->tf.r[2], size = self->tf.r[3];
    unsigned prot = VM_R | (self->tf.r[4] ? VM_W : 0);
    if (!(self->privs & PRIV_BANK)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    struct actor *a = self->tf.r[0] ? actor_by_aid((int32_t)self->tf.r[0]) : self;
    if (!a || a->state == AS_ENDED) {
        syscall_ret(self, K_EUNKNOWN);
        return;
    }
    if (!sysmem_bank_range_ok(off, size) || (va & VM_PAGE_MASK) || va < ACTOR_PMM_VADDR ||
        va >= ACTOR_PMM_END_VADDR || size > ACTOR_PMM_END_VADDR - va) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    /* A range inside an existing bank region (a retrieval) only needs its pages mapped
       again; otherwise it becomes a region of its own, merged with contiguous neighbours. */
    struct vm_region *r = vm_region_find(&a->vm, va);
    int inside = r && r->kind == VM_RGN_BANK && r->prot == prot && va + size <= r->end &&
                 r->bank_off + (va - r->start) == off;
    /* Bank pages are not the actor's, the tables under them are: they count. */
    if ((err = vm_room(&a->vm, vm_tables_needed(&a->vm, va, va + size)))) {
        syscall_ret(self, err);
        return;
    }
    if (!inside)
        err = vm_region_add(&a->vm, va, va + size, VM_RGN_BANK, prot, 0, off);
    if (err == K_OK)
        err = vm_map_bank(&a->vm, va, off, size, prot);
    if (err == K_ENOMEM && !inside)
        vm_region_remove(&a->vm, va, va + size, 1u << VM_RGN_BANK);
    syscall_ret(self, err);
}

/* SYS_BANK_UNMAP: those bank pages out of every actor but the caller, and out of every
   slot kept for a restart in place (which keeps bank mappings); each one that loses a
   mapping gets a new bank epoch, so its PMM client trusts no retrieval it cached. */
void sysmem_bank_unmap(struct actor *self)
{
    uint32_t off = self->tf.r[0], size = self->tf.r[1];
    if (!(self->privs & PRIV_BANK)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    if (!sysmem_bank_range_ok(off, size)) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    for (uint32_t i = 1; i < ACTORS_MAX; i++) {
        struct actor *a = actor_at(i);
        if (!a || !a->vm.l1 || a == self)   /* the PMM keeps its own bank view */
            continue;
        for (uint32_t k = 0; k < a->vm.nregions; k++) {
            struct vm_region *r = &a->vm.regions[k];
            uint32_t rend = r->bank_off + (r->end - r->start);
            if (r->kind != VM_RGN_BANK || rend <= off || r->bank_off >= off + size)
                continue;
            uint32_t lo = r->bank_off > off ? r->bank_off : off;
            uint32_t hi = rend < off + size ? rend : off + size;
            uint32_t va = r->start + (lo - r->bank_off);
            a->bank_epoch++;
            /* A middle part splits the region; with the table full, the pages go and the
               region stays (an access faults, a later map fills the hole again). */
            if (vm_region_remove(&a->vm, va, va + (hi - lo), 1u << VM_RGN_BANK) == K_OK)
                k = (uint32_t)-1;   /* the table changed: look again from the start */
            else
                vm_unmap_range(&a->vm, va, va + (hi - lo));
        }
    }
    syscall_ret(self, K_OK);
}

/* SYS_BANK_HOLDERS: which live actors (but the caller) have some of those bank bytes
   mapped; the PMM server's word for who holds a block, whether a retrieval told it or a
   restart in place kept the mapping. */
void sysmem_bank_holders(struct actor *self)
{
    uint32_t off = self->tf.r[0], size = self->tf.r[1], max = self->tf.r[4];
    int32_t only = (int32_t)self->tf.r[2];
    uaddr_t out = self->tf.r[3];
    int err = K_OK;
    if (!(self->privs & PRIV_BANK)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    if (!sysmem_bank_range_ok(off, size) || only < 0 || max > ACTORS_MAX) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    if (max && (err = vm_check(&self->vm, out, max * sizeof(int32_t), 1))) {
        syscall_ret(self, err);
        return;
    }
    uint32_t n = 0;
    for (uint32_t i = 1; i < ACTORS_MAX; i++) {
        struct actor *a = only ? actor_by_aid(only) : actor_at(i);
        if (a && a->state != AS_ENDED && a != self && vm_maps_bank(&a->vm, off, size)) {
            if (n < max)
                vm_copyout(&self->vm, out + n * sizeof(int32_t), &a->aid, sizeof(int32_t));
            n++;
        }
        if (only)
            break;      /* the one actor asked about */
    }
    syscall_ret(self, (int)n);
}

/* SYS_BANK_SYNC: cleans bank bytes from the data cache to memory. */
void sysmem_bank_sync(struct actor *self)
{
    uint32_t off = self->tf.r[0], size = self->tf.r[1];
    if (!(self->privs & PRIV_BANK)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    if (off < BANK_FIRST_OFF || off >= BOARD_BANK_SIZE || size > BOARD_BANK_SIZE - off) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    cpu_dcache_clean_range(BOARD_BANK_PADDR + off, size);
    syscall_ret(self, K_OK);
}

/* The board's devices for user-mode drivers, by DEVICE_* number. */
static const struct { uint32_t paddr, size; } sysmem_devices[] = {
#ifdef BOARD_NVRAM_PADDR
    [DEVICE_NVRAM] = { BOARD_NVRAM_PADDR, BOARD_NVRAM_SIZE },
#endif
};

/* SYS_DEVICE_MAP: a whole board device into the caller, device memory, read/write, XN. */
void sysmem_device_map(struct actor *self)
{
    uint32_t dev = self->tf.r[0], va = self->tf.r[1];
    if (!(self->privs & PRIV_DEVICE)) {
        syscall_ret(self, K_EPRIV);
        return;
    }
    if (dev >= sizeof(sysmem_devices) / sizeof(sysmem_devices[0]) || !sysmem_devices[dev].size) {
        syscall_ret(self, K_EUNKNOWN);
        return;
    }
    uint32_t pa = sysmem_devices[dev].paddr, size = sysmem_devices[dev].size;
    if ((va & VM_PAGE_MASK) || va < ACTOR_RGN_VADDR || va >= ACTOR_RGN_END_VADDR ||
        size > ACTOR_RGN_END_VADDR - va) {
        syscall_ret(self, K_EINVAL);
        return;
    }
    unsigned prot = VM_R | VM_W | VM_DEV;
    int err = vm_region_add(&self->vm, va, va + size, VM_RGN_DEVICE, prot, 0, 0);
    if (err == K_OK)
        err = vm_map_device(&self->vm, va, pa, size);
    if (err == K_ENOMEM)
        vm_region_remove(&self->vm, va, va + size, 1u << VM_RGN_DEVICE);
    syscall_ret(self, err == K_OK ? (int)size : err);
}

/* Actors: an address space and one thread, created from a system image ELF file, and
   restarted in place: a restart keeps the slot, the page tables, the text mappings and the
   region layout, copies .data again, zeroes .bss and drops what the run added. Creation
   maps text straight from the image, copies .data, zeroes .bss, and leaves the stack to
   demand-zero faults. */
#include <kernel/actor.h>
#include <kernel/bootrec.h>
#include <kernel/console.h>
#include <kernel/dump.h>
#include <kernel/elf.h>
#include <kernel/ipc.h>
#include <kernel/memmap.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <reprise/errors.h>
#include <string.h>

_Static_assert((uint64_t)BOOTREC_GEN_MAX * ACTORS_MAX + ACTORS_MAX - 1 <= 0x7fffffff,
               "an aid of any generation is a positive int32_t");

static struct actor actors[ACTORS_MAX];
static struct sysimg actor_img;
static struct elf_image actor_elfs[SYSIMG_MAX_ENTRIES];
static uint8_t actor_elf_ok[SYSIMG_MAX_ENTRIES];

void actor_images_init(void)
{
    char err[80];
    uint32_t len = (uint32_t)(__sysimg_end - __sysimg_start);
    if (len == 0)
        return;
    if (sysimg_parse(__sysimg_start, len, &actor_img, err, sizeof(err)) != 0) {
        kprintf("kernel: system image rejected: %s\n", err);
        return;
    }
    for (uint32_t i = 0; i < actor_img.count; i++) {
        const struct sysimg_file *f = &actor_img.files[i];
        if (elf_parse(f->data, f->size, &actor_elfs[i], err, sizeof(err)) == 0)
            actor_elf_ok[i] = 1;
        else
            kprintf("kernel: image %s rejected: %s\n", f->name, err);
    }
}

const struct sysimg *actor_sysimg(void)
{
    return &actor_img;
}

const struct elf_image *actor_image_elf(const struct sysimg_file *f)
{
    uint32_t i = (uint32_t)(f - actor_img.files);
    if (i >= actor_img.count || !actor_elf_ok[i])
        return NULL;
    return &actor_elfs[i];
}

/* Maps a read-only segment straight from the image pages: elf_parse checked that they
   are all pages of this file. */
static int actor_map_text(struct actor *a, const struct sysimg_file *f, const struct elf_seg *s)
{
    uint32_t start = s->vaddr & ~VM_PAGE_MASK;
    uint32_t end = (s->vaddr + s->memsz + VM_PAGE_MASK) & ~VM_PAGE_MASK;
    unsigned prot = VM_R | ((s->flags & ELF_SEG_X) ? VM_X : 0);
    uint32_t pa = virt_to_phys(f->data) + (s->offset & ~VM_PAGE_MASK);
    for (uint32_t va = start; va < end; va += VM_PAGE_SIZE, pa += VM_PAGE_SIZE) {
        int err = vm_map(&a->vm, va, pa, prot);
        if (err)
            return err;
    }
    return vm_region_add(&a->vm, start, end, VM_RGN_TEXT, prot, 0, 0);
}

/* Fills the page at va of writable segment s of image f: its file bytes, zeros elsewhere
   (already there when zeroed is set). */
static void actor_fill_data_page(uint8_t *page, uint32_t va, const struct sysimg_file *f,
                                 const struct elf_seg *s, int zeroed)
{
    const uint8_t *file = (const uint8_t *)f->data + s->offset;
    uint32_t fstart = s->vaddr, fend = s->vaddr + s->filesz;
    if (va >= fstart && va + VM_PAGE_SIZE <= fend) {
        page_copy(page, file + (va - fstart));
        return;
    }
    if (!zeroed)
        page_zero(page);
    uint32_t lo = va > fstart ? va : fstart;
    uint32_t hi = va + VM_PAGE_SIZE < fend ? va + VM_PAGE_SIZE : fend;
    if (lo < hi)
        memcpy(page + (lo - va), file + (lo - fstart), hi - lo);
}

/* Gives a writable segment its pages: with renew set (a restart in place), the pages it
   has are filled again; fresh pages otherwise, or where one is missing. */
static int actor_load_data(struct actor *a, const struct sysimg_file *f, const struct elf_seg *s,
                           int renew)
{
    uint32_t start = s->vaddr & ~VM_PAGE_MASK;
    uint32_t end = (s->vaddr + s->memsz + VM_PAGE_MASK) & ~VM_PAGE_MASK;
    const uint8_t *file = (const uint8_t *)f->data + s->offset;
    for (uint32_t va = start; va < end; va += VM_PAGE_SIZE) {
        uint32_t pa = renew ? vm_owned_page(&a->vm, va) : 0;
        if (pa && va >= s->vaddr && va + VM_PAGE_SIZE <= s->vaddr + s->filesz) {
            page_copy(phys_to_virt(pa), file + (va - s->vaddr));    /* the file's, whole */
            continue;
        }
        if (pa) {
            /* A page the file does not fill whole: one zeroed ahead, if there is one. */
            uint32_t fresh = vm_swap_zeroed(&a->vm, va);
            actor_fill_data_page(phys_to_virt(fresh ? fresh : pa), va, f, s, fresh != 0);
            continue;
        }
        pa = vm_page_alloc(&a->vm, 1);
        if (!pa)
            return K_ENOMEM;
        actor_fill_data_page(phys_to_virt(pa), va, f, s, 1);
        int err = vm_map(&a->vm, va, pa, VM_R | VM_W);
        if (err) {
            vm_page_free(&a->vm, pa);
            return err;
        }
    }
    /* The heap grows the data region (rgnAllocate at its end) up to the image's limit. */
    a->heap_base = end;
    a->heap_end = end + (f->heap_max < ACTOR_RGN_VADDR - end ? f->heap_max : ACTOR_RGN_VADDR - end);
    return renew ? K_OK : vm_region_add(&a->vm, start, end, VM_RGN_DATA, VM_R | VM_W, 0, 0);
}

/* An argument block checked once: argc NUL-terminated strings in len bytes of text, and
   where each starts (so that a restart need neither check nor measure them again). */
struct actor_argv {
    uint32_t argc, len;
    const char *text;
    uint16_t at[ACTOR_ARGC_MAX];
};

/* The strings, argv[] and alignment fit the stack's top page, which push_args writes. */
_Static_assert(ACTOR_ARGS_MAX + (ACTOR_ARGC_MAX + 1) * 4 + 16 <= VM_PAGE_SIZE,
               "the arguments fit one page");

/* Fills av from args when it holds exactly argc NUL-terminated strings; returns 0 if not. */
static int actor_argv_parse(struct actor_argv *av, uint32_t argc, const char *args,
                            uint32_t len)
{
    if (argc > ACTOR_ARGC_MAX || len > ACTOR_ARGS_MAX || (len && args[len - 1] != '\0'))
        return 0;
    uint32_t n = 0, start = 0;
    for (uint32_t i = 0; i < len; i++) {
        /* An aligned word at a time over bytes with no NUL among them (the usual test for a
           zero byte in a word), never past the end: the last byte is a NUL. */
        typedef uint32_t __attribute__((may_alias)) actor_word;
        const actor_word *w = (const actor_word *)(args + i);
        if (!((uintptr_t)w & 3))
            for (; len - i >= 4 && !((*w - 0x01010101u) & ~*w & 0x80808080u); w++)
                i += 4;
        if (args[i] != '\0')
            continue;
        if (n == argc)
            return 0;
        av->at[n++] = (uint16_t)start;
        start = i + 1;
    }
    av->argc = argc;
    av->len = len;
    av->text = args;
    return n == argc;
}

/* Puts the argument strings and argv[] at the top of the stack, straight into its top page
   (mapped now, zeroed, unless the stack is already there); sets r0, r1 and sp. */
static int actor_push_args(struct actor *a, const struct actor_argv *av)
{
    const uint32_t page_va = ACTOR_STACK_TOP_VADDR - VM_PAGE_SIZE;
    uint32_t pa = vm_owned_page(&a->vm, page_va);
    if (!pa) {
        if (vm_map_fresh(&a->vm, page_va, ACTOR_STACK_TOP_VADDR, VM_R | VM_W, 1) != K_OK)
            return K_ENOMEM;
        pa = vm_owned_page(&a->vm, page_va);
    }
    uint8_t *page = phys_to_virt(pa);
    uint32_t strings = (ACTOR_STACK_TOP_VADDR - av->len) & ~7u;
    uint32_t argv = (strings - (av->argc + 1) * 4) & ~7u;
    uint32_t *vec = (uint32_t *)(page + (argv - page_va));
    memcpy(page + (strings - page_va), av->text, av->len);
    for (uint32_t i = 0; i < av->argc; i++)
        vec[i] = strings + av->at[i];
    vec[av->argc] = 0;
    a->tf.r[0] = av->argc;
    a->tf.r[1] = argv;
    a->tf.sp = argv - 8;
    return K_OK;
}

/* The pool pages actor a may never take (VM_KEEP_*): none for the system actors, the
   system's reserve for actors HR started in a restart group, both reserves for others. */
static uint32_t actor_keep(uint32_t privs, int32_t group, uint32_t how)
{
    if (privs & (PRIV_CRITICAL | PRIV_SITE))
        return VM_KEEP_SYSTEM;
    return group && (how & ACTOR_CREATE_BY_HR) ? VM_KEEP_RESTART : VM_KEEP_ORDINARY;
}

/* Sets up the stack region's pages and the arguments: a critical actor (PMM, HR) gets its
   whole stack now (were the page pool drained by others later, a demand-zero fault would
   otherwise take the site down with it); others fault theirs in, all but the top page, which
   takes the arguments now. */
static int actor_stack(struct actor *a, uint32_t privs, const struct actor_argv *av)
{
    memset(&a->tf, 0, sizeof(a->tf));
    int err = K_OK;
    if (privs & PRIV_CRITICAL)
        err = vm_map_fresh(&a->vm, ACTOR_STACK_LOW_VADDR, ACTOR_STACK_TOP_VADDR, VM_R | VM_W, 1);
    return err == K_OK ? actor_push_args(a, av) : err;
}

/* Starts a new incarnation in slot a, creation and restart alike: sets every field a run
   uses (no whole-structure clear) but the image and name, which a restart in place keeps,
   and makes it ready. */
static void actor_begin(struct actor *a, const struct sysimg_file *f, uint32_t gen,
                        uint32_t privs, uint32_t prio, int32_t group, uint32_t keep)
{
    const struct elf_image *elf = actor_image_elf(f);
    a->vm.keep = keep;
    a->gen = gen;
    a->aid = (int32_t)(gen * ACTORS_MAX + (uint32_t)(a - actors));
    a->privs = privs;
    a->prio = (uint8_t)(prio ? prio : ACTOR_PRIO_DEFAULT);
    a->group = group;
    a->kept = 0;
    a->con_raw = 0;
    a->con_detached = 0;
    a->tpidrurw = 0;
    a->wake_at = 0;
    a->wait_port = 0;
    a->server = NULL;
    a->ipc_bufs = 0;
    a->con_buf = 0;
    a->con_len = 0;
    a->tf.pc = elf->entry & ~1u;
    a->tf.cpsr = PSR_MODE_USR | ((elf->entry & 1) ? PSR_T : 0);
    sched_ready(a);
}

static uint32_t actor_quota(const struct sysimg_file *f)
{
    return f->page_quota ? f->page_quota : BOARD_ACTOR_PAGE_QUOTA;
}

struct actor *actor_create(const struct sysimg_file *f, uint32_t argc, const char *args,
                           uint32_t args_len, uint32_t privs, uint32_t prio, int32_t group,
                           uint32_t how, int *err)
{
    const struct elf_image *elf = actor_image_elf(f);
    struct actor_argv av;
    if (!elf || !actor_argv_parse(&av, argc, args, args_len) || prio >= ACTOR_PRIO_LEVELS) {
        *err = K_EINVAL;
        return NULL;
    }
    uint32_t slot = 1;
    while (slot < ACTORS_MAX && actors[slot].state != AS_FREE)
        slot++;
    if (slot == ACTORS_MAX && actor_release_held()) {
        slot = 1;       /* a slot held for a group restart goes before a creation fails */
        while (actors[slot].state != AS_FREE)
            slot++;
    }
    if (slot == ACTORS_MAX) {
        *err = K_ETOOMUCH;
        return NULL;
    }
    struct actor *a = &actors[slot];
    uint32_t gen = actor_next_gen(a->gen);
    a->gen = gen;
    /* Creation by HR (a restart) and at boot may use the reserves the actor itself may
       not: what it then takes counts against its quota like any page. */
    if ((*err = vm_space_init(&a->vm, (uint8_t)slot, actor_quota(f),
                              how & (ACTOR_CREATE_BY_HR | ACTOR_CREATE_BOOT) ? VM_KEEP_SYSTEM
                                                                            : actor_keep(privs, group, how))) != K_OK)
        return NULL;
    for (uint32_t i = 0; i < elf->nsegs && *err == K_OK; i++) {
        const struct elf_seg *s = &elf->segs[i];
        *err = (s->flags & ELF_SEG_W) ? actor_load_data(a, f, s, 0) : actor_map_text(a, f, s);
    }
    /* In address order, so that each region goes at the end of the table. The restart page
       is empty until touched: its bank epoch may start anywhere. */
    if (*err == K_OK)
        *err = vm_region_add(&a->vm, ACTOR_KEEP_VADDR, ACTOR_KEEP_VADDR + VM_PAGE_SIZE,
                             VM_RGN_KEEP, VM_R | VM_W, 0, 0);
    if (*err == K_OK)
        *err = vm_region_add(&a->vm, ACTOR_STACK_LOW_VADDR - VM_PAGE_SIZE,
                             ACTOR_STACK_LOW_VADDR, VM_RGN_GUARD, 0, 0, 0);
    if (*err == K_OK)
        *err = vm_region_add(&a->vm, ACTOR_STACK_LOW_VADDR, ACTOR_STACK_TOP_VADDR,
                             VM_RGN_STACK, VM_R | VM_W, 0, 0);
    if (*err == K_OK)
        *err = actor_stack(a, privs, &av);
    if (*err != K_OK) {
        vm_space_destroy(&a->vm);
        return NULL;
    }
    actor_name_copy(a->name, f->name);  /* a restart in place keeps image and name */
    a->image = f;
    actor_begin(a, f, gen, privs, prio, group, actor_keep(privs, group, how));
    return a;
}

/* Slots kept for a restart in place, linked through qnext: few, and only while the fault
   port's owner decides. */
struct actor *actor_kept_list;

/* Takes a off the kept list. */
static void actor_unkeep(struct actor *a)
{
    struct actor **pp = &actor_kept_list;
    while (*pp && *pp != a)
        pp = &(*pp)->qnext;
    if (*pp)
        *pp = a->qnext;
    a->qnext = NULL;
    a->kept = 0;
}

/* Keeps a's ended slot, with its address space, for a restart in place, as how says
   (ACTOR_KEPT or ACTOR_HELD). */
static void actor_keep_slot(struct actor *a, uint32_t how)
{
    a->state = AS_ENDED;
    a->kept = (uint8_t)how;
    a->qnext = actor_kept_list;
    actor_kept_list = a;
}

/* actor_restart with arguments already checked: what the kernel's own restart (of an armed
   actor) runs, its arm's arguments having been checked when it was armed. */
static struct actor *actor_renew(struct actor *a, const struct sysimg_file *f,
                                 const struct actor_argv *av, uint32_t privs, uint32_t prio,
                                 int32_t group, int *err)
{
    const struct elf_image *elf = actor_image_elf(f);
    actor_unkeep(a);
    struct vm_space *vs = &a->vm;
    /* What the run added: regions, device mappings, the heap, the stack's pages. Whole
       regions and a region's tail: never a split, so these cannot fail. Bank mappings stay
       for the same privileges and group, so that the new run has its blocks back at once
       (the PMM client's retrieval cache in the restart page, which stays too); otherwise
       they go, and the bank epoch tells the cache. */
    uint32_t drop = 1u << VM_RGN_USER | 1u << VM_RGN_RESERVED | 1u << VM_RGN_DEVICE;
    if (privs != a->privs || group != a->group) {
        drop |= 1u << VM_RGN_BANK;
        a->bank_epoch++;
    }
    vm_region_renew(vs, drop, a->heap_base);
    vm_unmap_range(vs, ACTOR_STACK_LOW_VADDR, ACTOR_STACK_TOP_VADDR);
    /* HR restarts it: the reserves are open while it is set up, as for a creation. */
    vs->quota = actor_quota(f);
    vs->keep = VM_KEEP_SYSTEM;
    *err = K_OK;
    for (uint32_t i = 0; i < elf->nsegs && *err == K_OK; i++)
        if (elf->segs[i].flags & ELF_SEG_W)
            *err = actor_load_data(a, f, &elf->segs[i], 1);
    if (*err == K_OK)
        *err = actor_stack(a, privs, av);
    if (*err != K_OK) {
        actor_release(a);
        return NULL;
    }
    actor_begin(a, f, actor_next_gen(a->gen), privs, prio, group,
                actor_keep(privs, group, ACTOR_CREATE_BY_HR));
    return a;
}

struct actor *actor_restart(struct actor *a, const struct sysimg_file *f, uint32_t argc,
                            const char *args, uint32_t args_len, uint32_t privs, uint32_t prio,
                            int32_t group, int *err)
{
    struct actor_argv av;
    if (!a->kept || a->image != f || !actor_image_elf(f) ||
        !actor_argv_parse(&av, argc, args, args_len) || prio >= ACTOR_PRIO_LEVELS) {
        *err = K_EINVAL;
        return NULL;
    }
    return actor_renew(a, f, &av, privs, prio, group, err);
}

struct actor *actor_by_aid(int32_t aid)
{
    if (aid <= 0)
        return NULL;
    struct actor *a = &actors[aid % ACTORS_MAX];
    return a->state != AS_FREE && a->aid == aid ? a : NULL;
}

struct actor *actor_at(uint32_t i)
{
    if (i == 0 || i >= ACTORS_MAX || actors[i].state == AS_FREE)
        return NULL;
    return &actors[i];
}

uint32_t actor_slots_used(void)
{
    uint32_t n = 0;
    for (uint32_t i = 1; i < ACTORS_MAX; i++)
        n += actors[i].state != AS_FREE;
    return n;
}

/* What an armed actor restarts as (SYS_ACTOR_ARM): a few, for single-member groups whose
   next restart HR's policy would make at once, with short arguments (longer ones stay on
   HR's way, SYS_ACTOR_RESTART). */
#define ACTOR_ARMS_MAX 16
#define ACTOR_ARM_ARGS_MAX 256
static struct actor_arm {
    uint32_t privs, prio;
    int32_t group;
    struct actor_argv av;       /* over args */
    char args[ACTOR_ARM_ARGS_MAX];
} actor_arms[ACTOR_ARMS_MAX];
static uint8_t actor_arm_used[ACTOR_ARMS_MAX];

int actor_arm(struct actor *a, uint32_t argc, const char *args, uint32_t args_len,
              uint32_t privs, uint32_t prio, int32_t group)
{
    uint32_t i = a->arm ? a->arm - 1u : 0;
    if (!args) {
        if (a->arm)
            actor_arm_used[i] = 0;
        a->arm = 0;
        return K_OK;
    }
    struct actor_argv av;
    if (!actor_argv_parse(&av, argc, args, args_len) || prio >= ACTOR_PRIO_LEVELS)
        return K_EINVAL;
    if (args_len > ACTOR_ARM_ARGS_MAX)
        return K_ETOOMUCH;
    while (!a->arm && i < ACTOR_ARMS_MAX && actor_arm_used[i])
        i++;
    if (i == ACTOR_ARMS_MAX)
        return K_ETOOMUCH;
    struct actor_arm *arm = &actor_arms[i];
    arm->av = av;
    arm->av.text = arm->args;
    arm->privs = privs;
    arm->prio = prio;
    arm->group = group;
    memcpy(arm->args, args, args_len);
    actor_arm_used[i] = 1;
    a->arm = (uint8_t)(i + 1);
    return K_OK;
}

/* Restarts in place restartable actor a, which just ended with rec for the fault port, as
   its arm says, and gives the record to the fault port's owner (which the kernel wakes
   later: ipc_post_restarted). Returns 0, doing nothing, unless a is armed, the record is
   one HR restarts for, and the owner waits with nothing queued before it (so that the
   record keeps its place among the others). */
static int actor_end_restart(struct actor *a, const struct fault_record *rec, uint32_t arm_i)
{
    if (!arm_i || rec->kind == FAULT_KIND_SITE_REQUEST || !ipc_fault_ready())
        return 0;
    struct actor_arm *arm = &actor_arms[arm_i - 1];
    int err;
    actor_keep_slot(a, ACTOR_KEPT);
    struct actor *n = actor_renew(a, a->image, &arm->av, arm->privs, arm->prio, arm->group,
                                  &err);
    ipc_post_restarted(rec, n ? n->aid : 0);    /* rec: the caller's, untouched by a restart */
    return 1;
}

void actor_end(struct actor *a, const struct fault_record *rec, uint32_t keep)
{
    uint32_t arm_i = a->arm;
    if (arm_i) {
        actor_arm_used[arm_i - 1] = 0;  /* one restart at most: HR arms again */
        a->arm = 0;
    }
    if (a->state == AS_READY && a != sched_current)
        sched_unready(a);
    if (a->block == AB_DELAY)
        sched_cancel_sleep(a);
    console_actor_gone(a);
    ipc_actor_gone(a);
    if (a == sched_current) {
        vm_activate(NULL);
        sched_current = NULL;
    }
    a->block = AB_NONE;
    struct actor *owner = ipc_fault_port_owner();
    if (rec && owner && owner != a) {
        /* A restartable actor keeps its space for a restart in place and leaves a dump
           (taken out of the space now); any other's space goes now. */
        if (a->group)
            dump_capture(a, rec);
        else
            vm_space_destroy(&a->vm);
        if (a->group && actor_end_restart(a, rec, arm_i))
            return;
        a->rec = *rec;
        a->state = AS_ENDED;
        ipc_post_fault(a);
    } else if (keep) {
        actor_keep_slot(a, keep);
    } else {
        actor_release(a);
    }
}

void actor_delivered(struct actor *a)
{
    if (a->group && a->vm.l1)
        actor_keep_slot(a, ACTOR_KEPT);
    else
        actor_release(a);
}

void actor_discard_kept(const struct actor *receiver)
{
    if (receiver != ipc_fault_port_owner())
        return;
    struct actor **pp = &actor_kept_list;
    while (*pp) {
        if ((*pp)->kept == ACTOR_HELD)
            pp = &(*pp)->qnext;
        else
            actor_release(*pp);     /* takes it off the list */
    }
}

int actor_release_held(void)
{
    struct actor *oldest = NULL;
    for (struct actor *a = actor_kept_list; a; a = a->qnext)
        if (a->kept == ACTOR_HELD)
            oldest = a;     /* the list is newest first */
    if (!oldest)
        return 0;
    actor_release(oldest);
    return 1;
}

uint32_t actor_next_gen(uint32_t gen)
{
    /* A slot's first generation in a boot is above every one the earlier boots gave (the
       boot record's lease), and the lease always covers what this boot gives. */
    gen = gen ? gen + 1 : bootrec_state()->id_base + 1;
    if (gen > BOOTREC_GEN_MAX)
        gen = 1;    /* 2^25 generations: the id space starts over (docs/design.md) */
    bootrec_id_reserve(gen);
    return gen;
}

void actor_release(struct actor *a)
{
    if (a->kept)
        actor_unkeep(a);
    actor_arm(a, 0, NULL, 0, 0, 0, 0);
    vm_space_destroy(&a->vm);
    a->state = AS_FREE;
    a->aid = 0;
    a->block = AB_NONE;
}

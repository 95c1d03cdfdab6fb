/* Post-mortem dumps: at an abnormal end the kernel keeps an actor's registers and the pages
   under the top of its stack; HR copies them into its dump ring in the bank off the restart
   path (SYS_ACTOR_DUMP), after which the pages go back to the pool. */
#include <board.h>
#include <kernel/dump.h>
#include <kernel/elf.h>
#include <kernel/memmap.h>
#include <kernel/page.h>
#include <reprise/errors.h>
#include <string.h>

_Static_assert(BOARD_HR_DUMP_STACK % VM_PAGE_SIZE == 0 && BOARD_HR_DUMP_STACK > 0 &&
               BOARD_HR_DUMP_STACK <= ACTOR_STACK_SIZE, "hr.dumpStack: whole pages of the stack");
_Static_assert(ELF_BUILD_ID_MAX == ACTOR_BUILD_ID_MAX, "build ids fit a dump");

/* sp need not be page aligned, so the bytes kept may touch one page more. */
#define DUMP_PAGES (BOARD_HR_DUMP_STACK / VM_PAGE_SIZE + 1)
/* Dumps kept at once; with all taken, a new one replaces the oldest. HR takes each as soon as
   the CPU is idle, so more than a few wait only in a burst of ends. */
#define DUMP_KEPT_MAX 8

/* A dump kept for one ended actor: its registers, and the stack pages taken out of the space
   (page_pa[i] maps the page at stack_vaddr's page + i * 4 KiB; 0: never touched, zeros). */
struct dump_kept {
    struct actor_dump d;        /* d.aid 0: none kept */
    uint32_t page_pa[DUMP_PAGES];
    uint32_t order;             /* when it was kept: the lowest is the oldest */
    char image[ACTOR_NAME_MAX]; /* the actor's image: its build id is looked up when taken */
};

static struct dump_kept dump_kept[DUMP_KEPT_MAX];
static uint32_t dump_order;
static uint32_t dump_npages;    /* pages kept, all dumps together */
static const uint8_t dump_zeros[256];    /* what a never-touched stack page holds */

/* Gives a kept dump's pages back to the pool and forgets it. */
static void dump_forget(struct dump_kept *k)
{
    for (uint32_t i = 0; i < DUMP_PAGES; i++) {
        if (k->page_pa[i]) {
            page_free(k->page_pa[i]);
            dump_npages--;
        }
    }
    memset(k, 0, sizeof(*k));
}

uint32_t dump_pages_kept(void)
{
    return dump_npages;
}

int dump_reclaim(void)
{
    struct dump_kept *k = NULL;
    for (uint32_t i = 0; i < DUMP_KEPT_MAX; i++) {
        struct dump_kept *c = &dump_kept[i];
        int pages = 0;
        for (uint32_t j = 0; j < DUMP_PAGES; j++)
            pages |= c->page_pa[j] != 0;
        if (pages && (!k || c->order < k->order))
            k = c;
    }
    if (!k)
        return 0;
    for (uint32_t j = 0; j < DUMP_PAGES; j++) {
        if (k->page_pa[j]) {
            page_free(k->page_pa[j]);
            dump_npages--;
        }
        k->page_pa[j] = 0;
    }
    k->d.stack_len = 0;     /* the registers stay */
    return 1;
}

/* The kept dump of aid, or NULL. */
static struct dump_kept *dump_find(int32_t aid)
{
    for (uint32_t i = 0; aid > 0 && i < DUMP_KEPT_MAX; i++)
        if (dump_kept[i].d.aid == aid)
            return &dump_kept[i];
    return NULL;
}

void dump_capture(struct actor *a, const struct fault_record *rec)
{
    struct dump_kept *k = &dump_kept[0];
    for (uint32_t i = 1; k->d.aid && i < DUMP_KEPT_MAX; i++)
        if (!dump_kept[i].d.aid || dump_kept[i].order < k->order)
            k = &dump_kept[i];
    dump_forget(k);
    k->order = ++dump_order;
    struct actor_dump *d = &k->d;
    d->aid = a->aid;
    memcpy(d->r, a->tf.r, sizeof(a->tf.r));
    d->r[13] = a->tf.sp;
    d->r[14] = a->tf.lr;
    /* A fault's record has the instruction that faulted; the frame may be past it. */
    d->r[15] = rec->kind <= FAULT_KIND_UNDEFINED && rec->pc ? rec->pc : a->tf.pc;
    d->cpsr = a->tf.cpsr;
    actor_name_copy(k->image, a->name);
    uint32_t sp = a->tf.sp;
    if (sp < ACTOR_STACK_LOW_VADDR || sp >= ACTOR_STACK_TOP_VADDR)
        return;     /* sp is not on the stack: registers only */
    uint32_t end = ACTOR_STACK_TOP_VADDR - sp > BOARD_HR_DUMP_STACK ? sp + BOARD_HR_DUMP_STACK
                                                                     : ACTOR_STACK_TOP_VADDR;
    d->stack_vaddr = sp;
    d->stack_len = end - sp;
    uint32_t first = sp & ~VM_PAGE_MASK;
    for (uint32_t i = 0; first + i * VM_PAGE_SIZE < end; i++) {
        k->page_pa[i] = vm_take_page(&a->vm, first + i * VM_PAGE_SIZE);
        dump_npages += k->page_pa[i] != 0;
    }
}

void dump_sys_take(struct actor *self)
{
    int32_t aid = (int32_t)self->tf.r[0];
    uaddr_t out = self->tf.r[1], stack = self->tf.r[2];
    uint32_t cap = self->tf.r[3];
    if (!(self->privs & PRIV_FAULTS)) {
        self->tf.r[0] = (uint32_t)K_EPRIV;
        return;
    }
    struct dump_kept *k = dump_find(aid);
    if (!k) {
        self->tf.r[0] = (uint32_t)K_EUNKNOWN;
        return;
    }
    uint32_t n = k->d.stack_len < cap ? k->d.stack_len : cap;
    /* Both outputs checked whole first: a failing call changes nothing, the dump stays. */
    int err = vm_check(&self->vm, out, sizeof(k->d), 1);
    if (!err && n)
        err = vm_check(&self->vm, stack, n, 1);
    if (err) {
        self->tf.r[0] = (uint32_t)err;
        return;
    }
    uint32_t first = k->d.stack_vaddr & ~VM_PAGE_MASK;
    for (uint32_t done = 0; done < n;) {
        uint32_t va = k->d.stack_vaddr + done, off = va & VM_PAGE_MASK;
        uint32_t chunk = VM_PAGE_SIZE - off < n - done ? VM_PAGE_SIZE - off : n - done;
        uint32_t pa = k->page_pa[(va - first) / VM_PAGE_SIZE];
        if (!pa && chunk > sizeof(dump_zeros))
            chunk = sizeof(dump_zeros);
        const uint8_t *src = pa ? (const uint8_t *)phys_to_virt(pa) + off : dump_zeros;
        vm_copyout(&self->vm, stack + done, src, chunk);
        done += chunk;
    }
    k->d.stack_len = n;
    const struct sysimg_file *f = sysimg_find(actor_sysimg(), k->image);
    const struct elf_image *e = f ? actor_image_elf(f) : NULL;
    if (e) {
        k->d.build_id_len = e->build_id_len;
        memcpy(k->d.build_id, e->build_id, e->build_id_len);
    }
    vm_copyout(&self->vm, out, &k->d, sizeof(k->d));
    dump_forget(k);
    self->tf.r[0] = n;
}

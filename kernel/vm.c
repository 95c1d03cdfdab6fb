/* User address spaces: ARMv7-A short-descriptor tables under TTBR0, regions, checked copies.
 *
 * With TTBCR.N = 2 the first-level table of an actor covers 1 GiB with 1024 entries, one
 * page (ARM ARM B3.5.4). Second-level tables are 1 KiB; one pool page holds the four
 * tables of an aligned 4 MiB stretch, so L1 entries 4k..4k+3 point into the same page. */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/bank.h>
#include <kernel/memmap.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/vm.h>
#include <reprise/abi.h>
#include <reprise/errors.h>
#include <string.h>

#define L1_ENTRIES      1024u
#define L1_PAGE_TABLE   0x1u          /* descriptor type: page table */
#define L1_PXN          (1u << 2)     /* the kernel never executes user pages */
#define L1_SECTION      0x2u          /* descriptor type: section (device ones only) */
/* A device section (ARM ARM B3.5.1): 1 MiB, B (TEX 000, C 0: shareable device), XN (no
   execution at any level: bit 0, PXN, stays clear, so that bit 0 tells a page table from a
   section), AP[1:0] = 11 (PL0 read/write), nG. Only device regions are mapped with
   sections (vm_map_device). */
#define L1_SECTION_DEVICE (L1_SECTION | (1u << 2) | (1u << 4) | (3u << 10) | (1u << 17))
#define PTE_SMALL       0x2u
#define PTE_XN          0x1u
#define PTE_B           (1u << 2)
#define PTE_C           (1u << 3)
#define PTE_AP_RW       (3u << 4)     /* AP[1:0] = 11: PL1 and PL0 read/write */
#define PTE_AP_RO       ((1u << 9) | (2u << 4)) /* AP[2:0] = 110: read-only at every level */
#define PTE_AP_USER     (2u << 4)     /* AP[1]: PL0 may access */
#define PTE_AP2         (1u << 9)
#define PTE_TEX1        (1u << 6)     /* with C, B: normal write-back write-allocate */
#define PTE_S           (1u << 10)
#define PTE_NG          (1u << 11)

/* Turns portable protection bits into a small-page descriptor's attributes (ARM ARM B3.5.1). */
static uint32_t vm_pte_attrs(unsigned prot)
{
    uint32_t d = PTE_SMALL | PTE_B | PTE_C | PTE_TEX1 | PTE_S | PTE_NG;
    if (prot & VM_DEV)
        d = PTE_SMALL | PTE_B | PTE_NG;         /* TEX 000, C 0, B 1: shareable device */
    d |= (prot & VM_W) ? PTE_AP_RW : PTE_AP_RO;
    if (!(prot & VM_X) || (prot & VM_DEV))
        d |= PTE_XN;
    return d;
}

static void vm_tlb_flush_page(struct vm_space *vs, uint32_t va)
{
    cpu_dsb();
    cp15_write_tlbimva((va & ~VM_PAGE_MASK) | vs->asid);
    cpu_dsb();
    cpu_isb();
}

void vm_init(void)
{
    page_init();
}

int vm_space_init(struct vm_space *vs, uint8_t asid, uint32_t quota, uint32_t keep)
{
    vs->nregions = 0;
    vs->ntables = 0;
    vs->pages = 0;
    vs->asid = asid;
    vs->quota = quota;
    vs->keep = keep;
    uint32_t l1 = vm_page_alloc(vs, 1);
    if (!l1)
        return K_ENOMEM;
    vs->l1 = phys_to_virt(l1);
    return K_OK;
}

/* The second-level table page of the 4 MiB stretch of L1 entries group..group+3, or 0. */
static uint32_t vm_l2_page(struct vm_space *vs, uint32_t group)
{
    uint32_t l2page = 0;
    for (uint32_t j = group; j < group + 4; j++)
        if (vs->l1[j] & L1_PAGE_TABLE)
            l2page = vs->l1[j] & ~VM_PAGE_MASK;
    return l2page;
}

uint32_t vm_tables_needed(struct vm_space *vs, uint32_t start, uint32_t end)
{
    uint32_t n = 0;
    for (uint32_t group = (start >> 20) & ~3u; group <= (end - 1) >> 20; group += 4)
        n += !((vs->l1[group] | vs->l1[group + 1] | vs->l1[group + 2] | vs->l1[group + 3]) &
               L1_PAGE_TABLE);      /* bit 0: set in a table's entry, clear in a section's */
    return n;
}

/* Returns the address of the descriptor for va, allocating its second-level table when
   alloc is set; NULL when absent (or out of pages). va is never in a device section: the
   callers that may meet one (vm_user_ptr, vm_unmap_range) read the first-level entry
   themselves, the others walk data, stack, user, image and bank regions only. */
static uint32_t *vm_pte_slot(struct vm_space *vs, uint32_t va, int alloc)
{
    uint32_t i = va >> 20;
    if (!vs->l1[i]) {
        if (!alloc)
            return NULL;
        uint32_t group = i & ~3u;
        uint32_t l2page = vm_l2_page(vs, group);
        if (!l2page) {
            l2page = vm_page_alloc(vs, 1);
            if (!l2page)
                return NULL;
            if (vs->ntables < VM_TABLES_MAX)
                vs->tables[vs->ntables] = (uint8_t)(group / 4);
            if (vs->ntables < 255)
                vs->ntables++;
        }
        vs->l1[i] = (l2page + (i - group) * 1024u) | L1_PAGE_TABLE | L1_PXN;
        cpu_dsb();
    }
    uint32_t *l2 = phys_to_virt(vs->l1[i] & ~0x3ffu);
    return &l2[(va >> 12) & 0xff];
}

int vm_map(struct vm_space *vs, uint32_t va, uint32_t pa, unsigned prot)
{
    uint32_t *pte = vm_pte_slot(vs, va, 1);
    if (!pte)
        return K_ENOMEM;
    *pte = (pa & ~VM_PAGE_MASK) | vm_pte_attrs(prot);
    cpu_dsb();
    return K_OK;
}

int vm_map_range(struct vm_space *vs, uint32_t va, uint32_t pa, uint32_t size, unsigned prot)
{
    uint32_t attrs = vm_pte_attrs(prot);
    for (uint32_t off = 0; off < size;) {
        uint32_t *pte = vm_pte_slot(vs, va + off, 1);
        if (!pte)
            return K_ENOMEM;
        /* The rest of this megabyte: one second-level table, 256 descriptors. */
        uint32_t n = (0x100000u - ((va + off) & 0xfffffu)) / VM_PAGE_SIZE;
        if (n > (size - off) / VM_PAGE_SIZE)
            n = (size - off) / VM_PAGE_SIZE;
        for (uint32_t k = 0; k < n; k++)
            pte[k] = ((pa + off) & ~VM_PAGE_MASK) + k * VM_PAGE_SIZE + attrs;
        off += n * VM_PAGE_SIZE;
    }
    cpu_dsb();
    return K_OK;
}

void vm_unmap_range(struct vm_space *vs, uint32_t start, uint32_t end)
{
    /* One table look-up per megabyte, not per page: a restart unmaps a whole stack. */
    for (uint32_t va = start; va < end;) {
        uint32_t next = (va | 0xfffffu) + 1;
        if (next > end || next == 0)
            next = end;
        uint32_t *l1 = &vs->l1[va >> 20];
        if (*l1 & L1_SECTION) {             /* a device section goes whole */
            *l1 = 0;
            vm_tlb_flush_page(vs, va & ~0xfffffu);
            va = next;
            continue;
        }
        uint32_t *pte = vm_pte_slot(vs, va, 0);
        for (; pte && va < next; va += VM_PAGE_SIZE, pte++) {
            if (!(*pte & PTE_SMALL))
                continue;
            uint32_t pa = *pte & ~VM_PAGE_MASK;
            *pte = 0;
            vm_tlb_flush_page(vs, va);
            vs->pages -= (uint32_t)page_free_owned(pa, vs->asid);
        }
        va = next;
    }
}

uint32_t vm_owned_page(struct vm_space *vs, uint32_t va)
{
    uint32_t *pte = vm_pte_slot(vs, va, 0);
    if (!pte || !(*pte & PTE_SMALL) || !page_owned_by(*pte & ~VM_PAGE_MASK, vs->asid))
        return 0;
    return *pte & ~VM_PAGE_MASK;
}

uint32_t vm_take_page(struct vm_space *vs, uint32_t va)
{
    uint32_t *pte = vm_pte_slot(vs, va, 0);
    if (!pte || !(*pte & PTE_SMALL) || !page_disown(*pte & ~VM_PAGE_MASK, vs->asid))
        return 0;
    uint32_t pa = *pte & ~VM_PAGE_MASK;
    *pte = 0;
    vm_tlb_flush_page(vs, va);  /* a restart in place runs on with the same ASID */
    vs->pages--;
    return pa;
}

uint32_t vm_swap_zeroed(struct vm_space *vs, uint32_t va)
{
    if (!page_zeroed_count || page_pool.free_count + page_zeroed_count <= vs->keep)
        return 0;
    uint32_t *pte = vm_pte_slot(vs, va, 0);
    if (!pte || !(*pte & PTE_SMALL) || !page_owned_by(*pte & ~VM_PAGE_MASK, vs->asid))
        return 0;
    uint32_t old = *pte & ~VM_PAGE_MASK;
    uint32_t pa = page_alloc_zeroed(vs->asid, vs->keep);
    *pte = pa | (*pte & VM_PAGE_MASK);
    vm_tlb_flush_page(vs, va);
    page_free_owned(old, vs->asid);
    return pa;
}

int vm_map_fresh(struct vm_space *vs, uint32_t start, uint32_t end, unsigned prot, int zero)
{
    for (uint32_t va = start; va < end; va += VM_PAGE_SIZE) {
        uint32_t pa = vm_page_alloc(vs, zero);
        if (!pa)
            goto fail;
        if (prot & VM_X)
            cpu_sync_icache_range(pa, VM_PAGE_SIZE);   /* no stale code behind the zeros */
        if (vm_map(vs, va, pa, prot) != K_OK) {
            vm_page_free(vs, pa);
            goto fail;
        }
        continue;
    fail:
        vm_unmap_range(vs, start, va);
        return K_ENOMEM;
    }
    return K_OK;
}

/* Frees the page *pte maps if the space owns it, and clears the descriptor; returns pages
   freed. Pages the space does not own (image text, bank, anything else a table may map)
   are left alone, whatever the walk that found them. */
static uint32_t vm_free_pte(struct vm_space *vs, uint32_t *pte)
{
    if (!(*pte & PTE_SMALL) || !page_free_owned(*pte & ~VM_PAGE_MASK, vs->asid))
        return 0;
    *pte = 0;
    return 1;
}


/* Frees the second-level table of L1 entries group..group+3, if any, and clears those
   entries; with scan set, first frees every pool page it maps. Returns pages freed.
   Called by vm_space_destroy. */
static uint32_t vm_free_l2(struct vm_space *vs, uint32_t group, int scan)
{
    uint32_t l2page = vm_l2_page(vs, group), freed = 0;
    if (!l2page)
        return 0;
    for (uint32_t j = group; j < group + 4; j++)
        vs->l1[j] = 0;
    uint32_t *pte = phys_to_virt(l2page);
    for (uint32_t k = 0; scan && k < 1024; k++)
        freed += vm_free_pte(vs, &pte[k]);
    return freed + (uint32_t)page_free_owned(l2page, vs->asid);
}

void vm_space_destroy(struct vm_space *vs)
{
    if (!vs->l1)
        return;
    /* This is the restart path, and a look at every descriptor of every table costs ~25 us.
       Owned pages normally lie in the data, stack, user and restart-page regions (text and
       bank pages are not the pool's) and in the tables the space lists: free those pages,
       and when that accounts for every page the space owns, the listed tables. Otherwise
       (pages mapped outside every region by a creation that failed half-way, a table left
       by a removed region, or more tables than the list holds), look at every table. */
    uint32_t freed = 1;                             /* 1: the first-level table */
    for (uint32_t i = 0; i < vs->nregions; i++) {
        const struct vm_region *r = &vs->regions[i];
        if (r->kind != VM_RGN_DATA && r->kind != VM_RGN_STACK && r->kind != VM_RGN_USER &&
            r->kind != VM_RGN_KEEP)
            continue;
        /* One table look-up per megabyte, as vm_unmap_range. */
        for (uint32_t va = r->start, next; va < r->end; va = next) {
            next = (va | 0xfffffu) + 1;
            if (next > r->end || next == 0)
                next = r->end;
            uint32_t *pte = vm_pte_slot(vs, va, 0);
            for (uint32_t n = pte ? (next - va) / VM_PAGE_SIZE : 0; n; n--, pte++)
                freed += vm_free_pte(vs, pte);
        }
    }
    if (vs->ntables <= VM_TABLES_MAX && freed + vs->ntables == vs->pages) {
        for (uint32_t i = 0; i < vs->ntables; i++)
            vm_free_l2(vs, vs->tables[i] * 4u, 0);
    } else {
        for (uint32_t group = 0; group < L1_ENTRIES; group += 4)
            vm_free_l2(vs, group, 1);
    }
    page_free(virt_to_phys(vs->l1));
    vs->l1 = NULL;
    vs->pages = 0;
    vs->nregions = 0;
    vs->ntables = 0;
    cpu_dsb();
    cp15_write_tlbiasid(vs->asid);
    cpu_dsb();
    cpu_isb();
}

void vm_activate(struct vm_space *vs)
{
    if (!vs) {
        cp15_write_ttbcr(2u | (1u << 4));       /* N = 2, PD0: no user walks */
        cpu_isb();
        return;
    }
    cp15_write_contextidr(0);                   /* reserved ASID while TTBR0 changes */
    cpu_isb();
    cp15_write_ttbr0(virt_to_phys(vs->l1) | 0x4au);
    cp15_write_ttbcr(2u);
    cpu_isb();
    cp15_write_contextidr(vs->asid);
    cpu_isb();
}

/* ---- regions ------------------------------------------------------------------------ */

int vm_region_add(struct vm_space *vs, uint32_t start, uint32_t end, enum vm_region_kind kind,
                  unsigned prot, uint16_t flags, uint32_t bank_off)
{
    uint32_t i = 0;
    while (i < vs->nregions && vs->regions[i].start < start)
        i++;
    if (i > 0 && vs->regions[i - 1].end > start)
        return K_EEXIST;
    if (i < vs->nregions && vs->regions[i].start < end)
        return K_EEXIST;
    /* Grow a neighbour instead when this one continues it (heap growth, adjacent bank
       blocks): bank regions also need contiguous bank offsets. */
    if (i > 0) {
        struct vm_region *p = &vs->regions[i - 1];
        if (p->end == start && p->kind == kind && p->prot == prot && p->flags == flags &&
            (kind != VM_RGN_BANK || p->bank_off + (p->end - p->start) == bank_off)) {
            p->end = end;
            if (i < vs->nregions) {
                struct vm_region *n = &vs->regions[i];
                if (n->start == end && n->kind == kind && n->prot == prot && n->flags == flags &&
                    (kind != VM_RGN_BANK || bank_off + (end - start) == n->bank_off)) {
                    p->end = n->end;
                    memmove(n, n + 1, (vs->nregions - i - 1) * sizeof(*n));
                    vs->nregions--;
                }
            }
            return K_OK;
        }
    }
    if (i < vs->nregions) {
        struct vm_region *n = &vs->regions[i];
        if (n->start == end && n->kind == kind && n->prot == prot && n->flags == flags &&
            (kind != VM_RGN_BANK || bank_off + (end - start) == n->bank_off)) {
            n->start = start;
            n->bank_off = bank_off;
            return K_OK;
        }
    }
    if (vs->nregions == VM_REGIONS_MAX)
        return K_ETOOMUCH;
    if (i < vs->nregions)       /* creation adds in address order: mostly at the end */
        memmove(&vs->regions[i + 1], &vs->regions[i], (vs->nregions - i) * sizeof(vs->regions[0]));
    vs->regions[i] = (struct vm_region){ start, end, (uint8_t)kind, (uint8_t)prot, flags, bank_off };
    vs->nregions++;
    return K_OK;
}

struct vm_region *vm_region_find(struct vm_space *vs, uint32_t va)
{
    for (uint32_t i = 0; i < vs->nregions; i++) {
        if (va < vs->regions[i].start)
            return NULL;
        if (va < vs->regions[i].end)
            return &vs->regions[i];
    }
    return NULL;
}

uint32_t vm_region_gap(struct vm_space *vs, uint32_t lo, uint32_t hi, uint32_t size)
{
    uint32_t cand = lo;
    for (uint32_t i = 0; i < vs->nregions; i++) {
        struct vm_region *r = &vs->regions[i];
        if (r->end <= cand)
            continue;
        if (r->start >= hi)
            break;
        if (r->start >= cand && r->start - cand >= size)
            return cand;
        cand = r->end;
    }
    if (cand < hi && hi - cand >= size)
        return cand;
    return 0;
}

int vm_region_remove(struct vm_space *vs, uint32_t start, uint32_t end, unsigned kind_mask)
{
    /* A range strictly inside one region splits it in two: with the table full, check for
       that first, so that a failing call changes nothing. */
    for (uint32_t i = 0; vs->nregions == VM_REGIONS_MAX && i < vs->nregions; i++) {
        struct vm_region *r = &vs->regions[i];
        if ((kind_mask & (1u << r->kind)) && r->start < start && r->end > end)
            return K_ENOMEM;
    }
    for (uint32_t i = 0; i < vs->nregions; i++) {
        struct vm_region *r = &vs->regions[i];
        if (!(kind_mask & (1u << r->kind)) || r->end <= start || r->start >= end)
            continue;
        uint32_t lo = r->start > start ? r->start : start;
        uint32_t hi = r->end < end ? r->end : end;
        if (r->kind != VM_RGN_RESERVED)
            vm_unmap_range(vs, lo, hi);
        if (lo == r->start && hi == r->end) {
            memmove(r, r + 1, (vs->nregions - i - 1) * sizeof(*r));
            vs->nregions--;
            i--;
        } else if (lo == r->start) {
            r->bank_off += hi - r->start;
            r->start = hi;
        } else if (hi == r->end) {
            r->end = lo;
        } else {
            struct vm_region tail = *r;
            tail.bank_off += hi - r->start;
            tail.start = hi;
            r->end = lo;
            memmove(r + 2, r + 1, (vs->nregions - i - 1) * sizeof(*r));
            r[1] = tail;
            vs->nregions++;
            i++;
        }
    }
    return K_OK;
}

void vm_region_renew(struct vm_space *vs, unsigned drop_mask, uint32_t data_end)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < vs->nregions; i++) {
        struct vm_region *r = &vs->regions[i];
        if (drop_mask & (1u << r->kind)) {
            if (r->kind != VM_RGN_RESERVED)
                vm_unmap_range(vs, r->start, r->end);
            continue;
        }
        if (r->kind == VM_RGN_DATA && r->end > data_end) {
            vm_unmap_range(vs, data_end, r->end);
            r->end = data_end;
        }
        if (n != i)
            vs->regions[n] = *r;
        n++;
    }
    vs->nregions = n;
}

int vm_fault_in(struct vm_space *vs, uint32_t va)
{
    struct vm_region *r = vm_region_find(vs, va);
    if (!r || (r->kind != VM_RGN_STACK && r->kind != VM_RGN_KEEP))
        return 0;
    uint32_t *pte = vm_pte_slot(vs, va, 0);
    if (pte && (*pte & PTE_SMALL))
        return 0;   /* present: the fault was a permission fault */
    uint32_t page = va & ~VM_PAGE_MASK;
    int err = vm_map_fresh(vs, page, page + VM_PAGE_SIZE, r->prot, 1);
    return err == K_OK ? 1 : err;
}

/* Maps device memory [pa, pa + size) at va: a section for each MiB that VA and PA align
   on and nothing maps yet, pages (vm_map_range) for the rest. */
int vm_map_device(struct vm_space *vs, uint32_t va, uint32_t pa, uint32_t size)
{
    int err = K_OK;
    for (uint32_t off = 0, n; err == K_OK && off < size; off += n) {
        uint32_t v = va + off, p = pa + off;
        if (!((v | p) & 0xfffffu) && size - off >= 0x100000u && !vs->l1[v >> 20]) {
            vs->l1[v >> 20] = (p & ~0xfffffu) | L1_SECTION_DEVICE;
            n = 0x100000u;
            continue;
        }
        n = 0x100000u - (v & 0xfffffu);
        if (n > size - off)
            n = size - off;
        err = vm_map_range(vs, v, p, n, VM_R | VM_W | VM_DEV);
    }
    cpu_dsb();
    return err;
}

/* Maps bank bytes [off, off + size) at va (all page aligned); writable pages the bank has
   not seen written since boot are mapped read-only until their first write (kernel/bank.h),
   in runs of pages alike. K_ENOMEM as vm_map_range. */
int vm_map_bank(struct vm_space *vs, uint32_t va, uint32_t off, uint32_t size, unsigned prot)
{
    int err = K_OK;
    for (uint32_t i = 0, n; err == K_OK && i < size; i += n) {
        int dirty;
        n = bank_dirty_run(off + i, size - i, &dirty);
        err = vm_map_range(vs, va + i, BOARD_BANK_PADDR + off + i, n,
                           dirty ? prot : prot & ~VM_W);
    }
    return err;
}

int vm_bank_write(struct vm_space *vs, uint32_t va)
{
    struct vm_region *r = vm_region_find(vs, va);
    if (!r || r->kind != VM_RGN_BANK || !(r->prot & VM_W))
        return 0;
    uint32_t *pte = vm_pte_slot(vs, va, 0);
    if (!pte || !(*pte & PTE_SMALL))
        return 0;
    bank_mark_dirty((*pte & ~VM_PAGE_MASK) - BOARD_BANK_PADDR);
    *pte = (*pte & ~(PTE_AP2 | PTE_AP_RW)) | PTE_AP_RW;     /* writable at last, or already */
    vm_tlb_flush_page(vs, va);
    return 1;
}

/* ---- checked copies ------------------------------------------------------------------ */

/* The descriptor that maps user page va (va below ACTOR_USER_TOP_VADDR), 0 when none: one
   look at each level, no allocation. First-level entries are page tables or empty. */
static inline uint32_t vm_pte_get(const struct vm_space *vs, uint32_t va)
{
    uint32_t l1 = vs->l1[va >> 20];
    if (!(l1 & L1_PAGE_TABLE))
        return 0;       /* none, or a device section: no RAM behind it */
    return ((const uint32_t *)phys_to_virt(l1 & ~0x3ffu))[(va >> 12) & 0xff];
}

int vm_maps_bank(const struct vm_space *vs, uint32_t off, uint32_t size)
{
    for (uint32_t i = 0; vs->l1 && i < vs->nregions; i++) {
        const struct vm_region *r = &vs->regions[i];
        uint32_t rend = r->bank_off + (r->end - r->start);
        if (r->kind != VM_RGN_BANK || rend <= off || r->bank_off >= off + size)
            continue;
        uint32_t lo = r->bank_off > off ? r->bank_off : off;
        uint32_t hi = rend < off + size ? rend : off + size;
        for (uint32_t b = lo; b < hi; b += VM_PAGE_SIZE) {
            uint32_t d = vm_pte_get(vs, r->start + (b - r->bank_off));
            if ((d & PTE_SMALL) && (d & ~VM_PAGE_MASK) == BOARD_BANK_PADDR + b)
                return 1;
        }
    }
    return 0;
}

/* vm_user_ptr's slow way: no vs, a kernel address, a page to bring in, or no right. */
static __attribute__((noinline)) uint8_t *vm_user_ptr_slow(struct vm_space *vs, uint32_t va,
                                                           int write, int *err)
{
    if (!vs || va >= ACTOR_USER_TOP_VADDR) {
        *err = K_EFAULT;
        return NULL;
    }
    uint32_t d = vm_pte_get(vs, va);
    if (!(d & PTE_SMALL)) {
        int in = vm_fault_in(vs, va);
        if (in != 1) {
            *err = in < 0 ? in : K_EFAULT;
            return NULL;
        }
        d = vm_pte_get(vs, va);
    } else if (write && (d & PTE_AP2) && (d & PTE_AP_USER) && vm_bank_write(vs, va)) {
        d = vm_pte_get(vs, va);     /* a bank page's first write since boot (kernel/bank.h) */
    }
    /* PL0 access, normal (cached) memory: device pages are not RAM, the kernel's linear map
       does not reach them; and for a write, not read-only. */
    uint32_t need = PTE_AP_USER | PTE_C;
    if ((d & (need | (write ? PTE_AP2 : 0))) != need) {
        *err = K_EFAULT;
        return NULL;
    }
    return phys_to_virt((d & ~VM_PAGE_MASK) | (va & VM_PAGE_MASK));
}

/* Kernel address of user address va if the actor may access it (writing when write is
   set), bringing in a demand-zero page if needed; NULL otherwise, with *err K_EFAULT (not
   the actor's to access) or K_ENOMEM (a demand-zero page it may use, but the pool is
   empty: the pointer is good, memory ran out). One walk of the tables, inline when the page
   is there and the actor may use it. */
static inline uint8_t *vm_user_ptr(struct vm_space *vs, uint32_t va, int write, int *err)
{
    uint32_t want = PTE_SMALL | PTE_AP_USER | PTE_C;
    if (vs && va < ACTOR_USER_TOP_VADDR) {
        uint32_t d = vm_pte_get(vs, va);
        if ((d & (want | (write ? PTE_AP2 : 0))) == want)
            return phys_to_virt((d & ~VM_PAGE_MASK) | (va & VM_PAGE_MASK));
    }
    return vm_user_ptr_slow(vs, va, write, err);
}

/* The pages a copy of at most IPC_BUF_MAX bytes can touch: translated once each, before the
   copy, so that a bad page stops it before anything is written. */
#define VM_SPAN_PAGES 2
struct vm_span {
    uint32_t va;                      /* first user address */
    uint8_t *page[VM_SPAN_PAGES];     /* kernel address of each page's first byte */
};

/* vm_span_get's way for a range that crosses a page boundary (or wraps, or is empty). */
static __attribute__((noinline)) int vm_span_get2(struct vm_space *vs, uint32_t va, size_t n,
                                                  int write, struct vm_span *sp)
{
    _Static_assert(VM_SPAN_PAGES == 2, "a span is a page and the next one");
    int err = K_OK;
    uint32_t last = va + n - 1;
    if (!n)
        return K_OK;
    if (last < va)
        return K_EFAULT;
    if ((last >> 12) - (va >> 12) > 1)
        return 1;
    uint8_t *k = vm_user_ptr(vs, va, write, &err);
    if (!k)
        return err;
    sp->page[0] = k - (va & VM_PAGE_MASK);
    if (!(sp->page[1] = vm_user_ptr(vs, last & ~VM_PAGE_MASK, write, &err)))
        return err;
    return K_OK;
}

/* Translates [va, va + n) into sp when it spans at most VM_SPAN_PAGES pages: K_OK, the error
   of its first bad page (as vm_user_ptr), or 1 when it spans more (the caller checks and
   copies page by page instead). Inline for the common case, a range inside one page. */
static inline int vm_span_get(struct vm_space *vs, uint32_t va, size_t n, int write,
                              struct vm_span *sp)
{
    sp->va = va;
    if (n && n <= VM_PAGE_SIZE - (va & VM_PAGE_MASK)) {
        int err;
        uint8_t *k = vm_user_ptr(vs, va, write, &err);
        if (!k)
            return err;
        sp->page[0] = k - (va & VM_PAGE_MASK);
        return K_OK;
    }
    return vm_span_get2(vs, va, n, write, sp);
}

/* The bytes of a copy of n from src to dst that stay inside one page on both sides. */
static inline size_t vm_chunk(uint32_t dst, uint32_t src, size_t n)
{
    size_t chunk = VM_PAGE_SIZE - (src & VM_PAGE_MASK);
    size_t dchunk = VM_PAGE_SIZE - (dst & VM_PAGE_MASK);
    if (dchunk < chunk)
        chunk = dchunk;
    return chunk < n ? chunk : n;
}

/* Kernel address of user address va inside span sp. */
static inline uint8_t *vm_span_at(const struct vm_span *sp, uint32_t va)
{
    return sp->page[((va & ~VM_PAGE_MASK) - (sp->va & ~VM_PAGE_MASK)) >> 12] + (va & VM_PAGE_MASK);
}

int vm_check(struct vm_space *vs, uaddr_t addr, size_t n, int write)
{
    int err = K_OK;
    if (n && n <= VM_PAGE_SIZE - (addr & VM_PAGE_MASK))    /* inside one page: one walk */
        return vm_user_ptr(vs, addr, write, &err) ? K_OK : err;
    if (addr + n < addr)
        return K_EFAULT;
    for (uint32_t va = addr & ~VM_PAGE_MASK; n && va < addr + n; va += VM_PAGE_SIZE)
        if (!vm_user_ptr(vs, va < addr ? addr : va, write, &err))
            return err;
    return K_OK;
}

int vm_copyin(struct vm_space *vs, void *dst, uaddr_t src, size_t n)
{
    uint8_t *d = dst;
    if (src + n < src)
        return K_EFAULT;
    while (n) {
        int err;
        uint8_t *s = vm_user_ptr(vs, src, 0, &err);
        if (!s)
            return err;
        size_t chunk = VM_PAGE_SIZE - (src & VM_PAGE_MASK);
        if (chunk > n)
            chunk = n;
        memcpy(d, s, chunk);
        d += chunk;
        src += chunk;
        n -= chunk;
    }
    return K_OK;
}

int vm_copyin_writable(struct vm_space *vs, void *dst, uaddr_t src, size_t n)
{
    struct vm_span sp;
    int err = vm_span_get(vs, src, n, 1, &sp);
    if (err == 1)
        return K_EINVAL;    /* longer than a span: not what this is for */
    if (err || !n)
        return err;
    size_t chunk = VM_PAGE_SIZE - (src & VM_PAGE_MASK);
    if (chunk > n)
        chunk = n;
    memcpy(dst, vm_span_at(&sp, src), chunk);
    if (n > chunk)
        memcpy((uint8_t *)dst + chunk, sp.page[1], n - chunk);
    return K_OK;
}

int vm_copyout(struct vm_space *vs, uaddr_t dst, const void *src, size_t n)
{
    const uint8_t *s = src;
    struct vm_span sp;
    if (!n)
        return K_OK;
    /* Every page is translated (or, for a long copy, checked) first, so that a failing
       copy changes nothing. */
    int err = vm_span_get(vs, dst, n, 1, &sp);
    if (err == 1)
        err = vm_check(vs, dst, n, 1);
    else if (err == K_OK) {
        size_t chunk = VM_PAGE_SIZE - (dst & VM_PAGE_MASK);
        if (chunk > n)
            chunk = n;
        memcpy(vm_span_at(&sp, dst), s, chunk);
        if (n > chunk)
            memcpy(sp.page[1], s + chunk, n - chunk);
        return K_OK;
    }
    if (err)
        return err;
    while (n) {
        uint8_t *d = vm_user_ptr(vs, dst, 1, &err);
        size_t chunk = VM_PAGE_SIZE - (dst & VM_PAGE_MASK);
        if (chunk > n)
            chunk = n;
        memcpy(d, s, chunk);
        s += chunk;
        dst += chunk;
        n -= chunk;
    }
    return K_OK;
}

int vm_copyin_str(struct vm_space *vs, char *dst, uaddr_t src, size_t max)
{
    size_t i = 0;
    while (i < max) {
        int err;
        const uint8_t *s = vm_user_ptr(vs, src + i, 0, &err);
        if (!s)
            return err;
        size_t chunk = VM_PAGE_SIZE - ((src + i) & VM_PAGE_MASK);
        if (chunk > max - i)
            chunk = max - i;
        for (size_t k = 0; k < chunk; k++, i++) {
            dst[i] = (char)s[k];
            if (!s[k])
                return (int)i;
        }
    }
    return K_EINVAL;
}

int vm_copy_between(struct vm_space *to, uaddr_t dst, struct vm_space *from, uaddr_t src,
                    size_t n)
{
    struct vm_span ds, ss;
    int err = vm_span_get(to, dst, n, 1, &ds);
    int serr = err ? err : vm_span_get(from, src, n, 0, &ss);
    if (err == K_OK && serr == K_OK) {
        /* Both sides translated, one walk a page: copy up to each page boundary. */
        while (n) {
            size_t chunk = vm_chunk(dst, src, n);
            memcpy(vm_span_at(&ds, dst), vm_span_at(&ss, src), chunk);
            src += chunk;
            dst += chunk;
            n -= chunk;
        }
        return K_OK;
    }
    if ((err && err != 1) || (serr && serr != 1))
        return err && err != 1 ? err : serr;
    /* A long copy (not IPC's): check every page of both sides, then copy page by page. */
    if ((err = vm_check(to, dst, n, 1)) || (err = vm_check(from, src, n, 0)))
        return err;
    while (n) {
        uint8_t *s = vm_user_ptr(from, src, 0, &err);
        if (!s)
            return err;
        uint8_t *d = vm_user_ptr(to, dst, 1, &err);
        if (!d)
            return err;
        size_t chunk = vm_chunk(dst, src, n);
        memcpy(d, s, chunk);
        src += chunk;
        dst += chunk;
        n -= chunk;
    }
    return K_OK;
}

/* User address spaces: ARMv7-A short-descriptor tables under TTBR0 (TTBCR.N = 2, 1 GiB),
   regions, and the checked copy routines that are the kernel's only way into user memory.
   The user layout is drawn in kernel/include/uapi/reprise/abi.h. */
#pragma once
#include <arch/cpu.h>
#include <board.h>
#include <kernel/memmap.h>
#include <kernel/page.h>
#include <reprise/errors.h>
#include <stddef.h>
#include <stdint.h>

/* A user virtual address. An integer, not a pointer: the kernel cannot dereference one by
   accident; every access goes through vm_copyin/vm_copyout, which walk the tables. */
typedef uint32_t uaddr_t;

#define VM_PAGE_SIZE   4096u
#define VM_PAGE_MASK   (VM_PAGE_SIZE - 1)
#define VM_REGIONS_MAX 32
#define VM_TABLES_MAX 8     /* table pages a space lists for vm_space_destroy; more: a scan */

enum vm_prot { VM_R = 1, VM_W = 2, VM_X = 4, VM_DEV = 8 /* device memory, uncached */ };

enum vm_region_kind {
    VM_RGN_TEXT = 1,   /* image pages mapped from the system image, shared, never freed */
    VM_RGN_DATA,       /* .data/.bss and heap pages: fresh, owned */
    VM_RGN_STACK,      /* demand-zero, owned; the page below it is a guard */
    VM_RGN_USER,       /* rgnAllocate: owned pages */
    VM_RGN_RESERVED,   /* rgnAllocate(K_RESERVED): address space only, any access faults */
    VM_RGN_BANK,       /* persistent bank pages mapped by the PMM: never freed here */
    VM_RGN_GUARD,      /* the page under the stack: no memory, cannot be freed or reused */
    VM_RGN_DEVICE,     /* board device pages (SYS_DEVICE_MAP): never freed here */
    VM_RGN_KEEP,       /* the restart page: demand-zero, owned, kept by a restart in place */
};

struct vm_region {
    uint32_t start;
    uint32_t end;      /* exclusive */
    uint8_t kind;
    uint8_t prot;
    uint16_t flags;    /* rgnAllocate options, kept for rgnFree(K_FREEALL) */
    uint32_t bank_off; /* VM_RGN_BANK: bank offset of start */
};

/* The page pool's reserves (board tunables): the last VM_KEEP_SYSTEM free pages are for
   the system actors alone (PMM, HR, the console), the VM_KEEP_RESTART before them also for
   actors that HR (re)starts in a restart group. Ordinary actors stop at VM_KEEP_ORDINARY. */
#define VM_KEEP_SYSTEM   0u
#define VM_KEEP_RESTART  BOARD_POOL_RESERVE_SYSTEM_PAGES
#define VM_KEEP_ORDINARY (BOARD_POOL_RESERVE_SYSTEM_PAGES + BOARD_POOL_RESERVE_RESTART_PAGES)

struct vm_space {
    uint32_t *l1;      /* 1024-entry first-level table (one page), kernel address */
    uint8_t asid;      /* also the owner tag of every pool page the space takes */
    uint8_t nregions;
    uint32_t pages;    /* pool pages owned, page tables included */
    uint32_t quota;    /* pages may not exceed this */
    uint32_t keep;     /* VM_KEEP_*: free pool pages this space may not take */
    uint8_t ntables;   /* second-level table pages made, up to VM_TABLES_MAX listed */
    uint8_t tables[VM_TABLES_MAX];  /* their 4 MiB stretches (first-level index / 4) */
    struct vm_region regions[VM_REGIONS_MAX]; /* sorted by start, never overlapping */
};

/* Sets up an empty space with its own first-level table, owning at most quota pool pages
   and leaving keep pages free in the pool; K_ENOMEM without a page. */
int vm_space_init(struct vm_space *vs, uint8_t asid, uint32_t quota, uint32_t keep);
/* Unmaps everything, returns the pages the space owns (and only those: never image, bank
   or another space's pages, whatever its tables map) to the pool, flushes the ASID. */
void vm_space_destroy(struct vm_space *vs);
/* Second-level table pages that mapping [start, end) would have to create. */
uint32_t vm_tables_needed(struct vm_space *vs, uint32_t start, uint32_t end);

/* A fresh pool page owned by vs: full of zeros with zero set (one zeroed ahead while the
   CPU was idle, when there is one), its contents as they are otherwise; 0 when vs is at
   its quota or the pool has no page beyond vs->keep. */
static inline uint32_t vm_page_alloc(struct vm_space *vs, int zero)
{
    if (vs->pages >= vs->quota)
        return 0;
    uint32_t pa = zero ? page_alloc_zeroed(vs->asid, vs->keep) : page_alloc(vs->asid, vs->keep);
    vs->pages += pa != 0;
    return pa;
}

/* Returns a page of vs's to the pool. */
static inline void vm_page_free(struct vm_space *vs, uint32_t pa)
{
    page_free(pa);
    vs->pages--;
}

/* K_OK when vs can take n more pages now (quota and pool, pages zeroed ahead and what
   page_reclaim can take back included), else K_ENOMEM. */
static inline int vm_room(struct vm_space *vs, uint32_t n)
{
    if (n > vs->quota - vs->pages)
        return K_ENOMEM;
    if (page_pool.free_count + page_zeroed_count < vs->keep + n &&
        !page_reclaim(vs->keep + n - 1))
        return K_ENOMEM;
    return K_OK;
}
/* Makes vs the current TTBR0 space (NULL: no user space; TTBR0 walks disabled). */
void vm_activate(struct vm_space *vs);

/* vm_activate(vs) from another actor's space, TTBR0 walks already on (the IPC fast path's
   switch, sched_switch): through the reserved ASID 0 while TTBR0 changes (ARM ARM B3.10.4). */
static inline void vm_switch(struct vm_space *vs)
{
    cp15_write_contextidr(0);
    cpu_isb();
    cp15_write_ttbr0(virt_to_phys(vs->l1) | 0x4au);
    cpu_isb();
    cp15_write_contextidr(vs->asid);
    cpu_isb();
}

/* Adds a region; K_EEXIST when it overlaps another, K_ETOOMUCH when the table is full. */
int vm_region_add(struct vm_space *vs, uint32_t start, uint32_t end, enum vm_region_kind kind,
                  unsigned prot, uint16_t flags, uint32_t bank_off);
/* The region holding va, or NULL. */
struct vm_region *vm_region_find(struct vm_space *vs, uint32_t va);
/* Lowest free gap of size bytes in [lo, hi); returns its start or 0. */
uint32_t vm_region_gap(struct vm_space *vs, uint32_t lo, uint32_t hi, uint32_t size);
/* Removes [start, end) from the regions of the given kinds (1 << kind bits), splitting or
   shrinking them, and unmaps the pages; owned pages go back to the pool. K_ENOMEM (and
   nothing changed) when a split finds the region table full. */
int vm_region_remove(struct vm_space *vs, uint32_t start, uint32_t end, unsigned kind_mask);
/* A restart in place's pass over the regions: removes every region of the kinds in
   drop_mask and the tail of the data region past data_end (what the heap added), unmapping
   their pages; owned pages go back to the pool. Whole regions and a tail: it cannot fail. */
void vm_region_renew(struct vm_space *vs, unsigned drop_mask, uint32_t data_end);

/* Maps one page; K_ENOMEM when a second-level table cannot be allocated. */
int vm_map(struct vm_space *vs, uint32_t va, uint32_t pa, unsigned prot);
/* Maps the pages of [va, va + size) to [pa, pa + size) (page aligned, nothing mapped there
   yet) with one barrier at the end: large device ranges. K_ENOMEM when a second-level table
   cannot be had (what was mapped stays: the caller removes its region). */
int vm_map_range(struct vm_space *vs, uint32_t va, uint32_t pa, uint32_t size, unsigned prot);
/* Unmaps the pages of [start, end) and leaves the regions as they are (owned pages go
   back to the pool). */
void vm_unmap_range(struct vm_space *vs, uint32_t start, uint32_t end);
/* The pool page vs owns mapped at va (its physical address), or 0. */
uint32_t vm_owned_page(struct vm_space *vs, uint32_t va);
/* Takes the pool page mapped at va out of the space, which no longer owns it (the mapping is
   cleared, its TLB entry flushed): its physical address, or 0 when va maps no pool page.
   Post-mortem dumps keep stack pages this way. */
uint32_t vm_take_page(struct vm_space *vs, uint32_t va);
/* Maps a page zeroed ahead (page_zero_idle) at va in place of the pool page vs owns there,
   which goes back to the pool: a restart's .data/.bss page without zeroing one now. Returns
   the new page, or 0 (nothing changed) when va maps no owned page or none is at hand. */
uint32_t vm_swap_zeroed(struct vm_space *vs, uint32_t va);
/* Allocates fresh pages for [start, end) and maps them; zeroes them when zero is set. */
int vm_map_fresh(struct vm_space *vs, uint32_t start, uint32_t end, unsigned prot, int zero);
/* Brings in a demand-zero page for a fault at va: returns 1 if it did, 0 if va is not
   demand-paged, K_ENOMEM when out of pages. */
int vm_fault_in(struct vm_space *vs, uint32_t va);
/* Maps device memory [pa, pa + size) at va (page aligned; the caller made the VM_RGN_DEVICE
   region) read/write, execute-never: 1 MiB sections where VA and PA align, pages for the
   rest. Unmapping any page of a section unmaps the section. K_ENOMEM as vm_map_range. */
int vm_map_device(struct vm_space *vs, uint32_t va, uint32_t pa, uint32_t size);
/* Maps bank bytes [off, off + size) at va with prot (page aligned; the caller made the
   VM_RGN_BANK region). A writable page not yet written since boot is mapped read-only, so
   that its first write comes to vm_bank_write (kernel/bank.h). K_ENOMEM as vm_map_range. */
int vm_map_bank(struct vm_space *vs, uint32_t va, uint32_t off, uint32_t size, unsigned prot);
/* A write to va (a permission fault, or the kernel writing for the actor): when va is in a
   writable bank region, marks its page dirty, makes it writable (a stale read-only TLB
   entry goes too) and returns 1; 0 otherwise (a real fault). */
int vm_bank_write(struct vm_space *vs, uint32_t va);
/* Whether vs maps a page of bank bytes [off, off + size) where a bank region puts it (its
   table entry there present and naming that bank page): 1 or 0. */
int vm_maps_bank(const struct vm_space *vs, uint32_t off, uint32_t size);

/* Checked copies between kernel memory and user space: K_OK, K_EFAULT (nothing is copied
   past the first bad page; outputs need user-writable pages) or K_ENOMEM (a demand-zero
   stack page the copy needs cannot be had: the pool is empty). */
int vm_copyin(struct vm_space *vs, void *dst, uaddr_t src, size_t n);
/* vm_copyin of at most a page that also needs [src, src + n) writable (K_EFAULT if not), in
   one walk of each page: a descriptor the kernel will write back into (struct ipc_bufs). */
int vm_copyin_writable(struct vm_space *vs, void *dst, uaddr_t src, size_t n);
int vm_copyout(struct vm_space *vs, uaddr_t dst, const void *src, size_t n);
/* K_OK when the actor may read (or write, when write is set) all of [addr, addr + n),
   bringing in the demand-zero pages it needs; else K_EFAULT, or K_ENOMEM (the pool is
   empty). */
int vm_check(struct vm_space *vs, uaddr_t addr, size_t n, int write);
/* Copies a NUL-terminated string of at most max bytes (NUL included): its length,
   K_EFAULT (or K_ENOMEM, as above), or K_EINVAL when no NUL is found within max. */
int vm_copyin_str(struct vm_space *vs, char *dst, uaddr_t src, size_t max);
/* Copies n bytes from one space to another (IPC buffers): K_OK, K_EFAULT or K_ENOMEM. */
int vm_copy_between(struct vm_space *to, uaddr_t dst, struct vm_space *from, uaddr_t src,
                    size_t n);

/* Page pool in use by address spaces: set up once by kmain. */
void vm_init(void);

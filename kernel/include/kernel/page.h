/* The kernel's page pool: physical pages between the kernel image and the persistent bank,
   each allocated page tagged with its owner. The calls on every page an address space takes
   or gives back are inline: they are on the hot-restart path. */
#pragma once
#include <board.h>
#include <kernel/memmap.h>
#include <kernel/palloc.h>
#include <stdint.h>

/* Owner tag of a page no address space owns. Address spaces use their ASID (1..255). */
#define PAGE_OWNER_NONE 0u
/* RAM pages, each with an owner byte (those outside the pool never get an owner). */
#define PAGE_RAM_PAGES (BOARD_RAM_SIZE / PALLOC_PAGE_SIZE)

/* The pool and the owner byte of every RAM page below the pool's high-water mark
   (PAGE_OWNER_NONE unless allocated; above the mark no page was ever handed out and the
   bytes are not read): the inline calls below use them; nothing else should. */
extern struct palloc page_pool;
extern uint8_t *page_owner;

/* Sets up the pool over the RAM the kernel image and the bank leave free. */
void page_init(void);
/* Takes back the stack pages of kept post-mortem dumps, oldest first, then the slots held
   for a group restart (actor_release_held), until more than keep pages are free; 0 when
   there are not enough. page_alloc's slow path. */
int page_reclaim(uint32_t keep);
/* Returns a page taken with page_alloc; panics on a page the pool never handed out. */
void page_free(uint32_t pa);
/* Panics: page_free_owned found an owned page the pool had not handed out. */
void page_free_bad(uint32_t pa) __attribute__((noreturn));
uint32_t page_free_count(void);
uint32_t page_total_count(void);

/* Page-sized fill and copy with burst stores (kernel/arch/arm/page.S). */
void page_zero(void *page);
void page_copy(void *dst, const void *src);

/* Pages zeroed ahead while the CPU is idle (page_zero_idle): taken from the pool, owned by
   no address space, and counted as free. page_alloc_zeroed hands them out first. */
#define PAGE_ZEROED_MAX 64
extern uint32_t page_zeroed[PAGE_ZEROED_MAX];
extern uint32_t page_zeroed_count;

/* Zeroes free pages ahead for page_alloc_zeroed, up to PAGE_ZEROED_MAX, until an interrupt
   is pending: the idle loop's work, which delays an interrupt by one page's zeroing at most. */
void page_zero_idle(void);

/* One page (physical address, mapped at the same kernel address) tagged as owner's (not
   PAGE_OWNER_NONE), or 0 when no more than keep pages are free: keep is the part of the
   pool the caller may not touch (the reserves, see kernel/vm.h). */
static inline uint32_t page_alloc(uint8_t owner, uint32_t keep)
{
    if (page_pool.free_count + page_zeroed_count <= keep && !page_reclaim(keep))
        return 0;
    uint32_t pa = page_pool.free_count ? palloc_alloc(&page_pool) : page_zeroed[--page_zeroed_count];
    page_owner[(pa - BOARD_RAM_PADDR) >> PALLOC_PAGE_SHIFT] = owner;
    return pa;
}

/* page_alloc of a page full of zeros: one zeroed while the CPU was idle when there is one. */
static inline uint32_t page_alloc_zeroed(uint8_t owner, uint32_t keep)
{
    if (!page_zeroed_count || page_pool.free_count + page_zeroed_count <= keep) {
        uint32_t pa = page_alloc(owner, keep);
        if (pa)
            page_zero(phys_to_virt(pa));
        return pa;
    }
    uint32_t pa = page_zeroed[--page_zeroed_count];
    page_owner[(pa - BOARD_RAM_PADDR) >> PALLOC_PAGE_SHIFT] = owner;
    return pa;
}

/* Whether pa is a pool page that page_alloc handed to owner (not PAGE_OWNER_NONE) and that
   is still allocated: what an address space may free. Image, bank, device and other
   spaces' pages are not. */
static inline int page_owned_by(uint32_t pa, uint8_t owner)
{
    uint32_t i = (pa - BOARD_RAM_PADDR) >> PALLOC_PAGE_SHIFT;
    return i < page_pool.hwm && page_owner[i] == owner;
}

/* Takes pa away from owner, if it is owner's: it stays allocated, owned by no address space
   (a stack page kept for a post-mortem dump, freed later with page_free). Returns 1 if it
   was owner's. */
static inline int page_disown(uint32_t pa, uint8_t owner)
{
    if (!page_owned_by(pa, owner))
        return 0;
    page_owner[(pa - BOARD_RAM_PADDR) >> PALLOC_PAGE_SHIFT] = PAGE_OWNER_NONE;
    return 1;
}

/* Frees pa if it is owner's (page_owned_by); returns 1 if it did, 0 otherwise. */
static inline int page_free_owned(uint32_t pa, uint8_t owner)
{
    uint32_t i = (pa - BOARD_RAM_PADDR) >> PALLOC_PAGE_SHIFT;
    if (i >= page_pool.hwm || page_owner[i] != owner)
        return 0;
    page_owner[i] = PAGE_OWNER_NONE;
    if (palloc_free(&page_pool, pa) != 0)
        page_free_bad(pa);
    return 1;
}

/* The physical page allocator: 4 KiB pages with reference counts, O(1) alloc and free (portable).
 *
 * The pool covers [base_paddr, base_paddr + npages * PALLOC_PAGE_SIZE). Its state lives in
 * a caller-provided array of one uint32_t per page, never in the pages themselves, so the
 * allocator neither reads nor writes managed memory (pages are handed out as they are;
 * the kernel zeroes them through its linear map). meta[i] describes page i:
 *
 *   PALLOC_META_NONE           not managed: outside every usable range, or reserved
 *   PALLOC_META_FREE | next    free; next is the index of the next free page, or
 *                              PALLOC_META_END at the end of the free list
 *   1 .. PALLOC_REF_MAX        allocated, with that many references
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PALLOC_PAGE_SHIFT   12
#define PALLOC_PAGE_SIZE    (1u << PALLOC_PAGE_SHIFT)
#define PALLOC_MAX_PAGES    (1u << 20)      /* the whole 32-bit physical space */

#define PALLOC_META_NONE    0xffffffffu
#define PALLOC_META_FREE    0x80000000u
#define PALLOC_META_END     0x7fffffffu
#define PALLOC_REF_MAX      0x7ffffffeu

/* A physical byte range [paddr, paddr + size), size in bytes. */
struct palloc_range {
    uint32_t paddr;
    uint32_t size;
};

struct palloc {
    uint32_t base_paddr;
    uint32_t npages;
    uint32_t *meta;             /* npages entries, owned by the caller */
    uint32_t free_head;         /* index of the first free page, or PALLOC_META_END */
    uint32_t free_count;
    uint32_t total_count;       /* managed pages: free + allocated */
};

/* Sets up the pool over npages pages from base_paddr (page aligned), with meta[npages]
   as its state; called once by the kernel at boot and by host tests. A page is managed
   when it lies wholly inside a usable range and touches no reserved range (usable ranges
   are rounded inwards to pages, reserved ones outwards; both may come in any order, overlap
   and extend past the pool, which clips them). Physical page 0 is never managed, so 0 can
   mean "no page". Free pages are handed out lowest address first after init.
   Returns 0, or K_EINVAL (misaligned base, npages 0 or above PALLOC_MAX_PAGES, pool past
   4 GiB, NULL pointers with a nonzero count) leaving *pa an empty pool. */
int palloc_init(struct palloc *pa, uint32_t base_paddr, uint32_t npages, uint32_t *meta,
                const struct palloc_range *usable, size_t nusable,
                const struct palloc_range *reserved, size_t nreserved);

/* Takes one free page with a reference count of 1; returns its physical address, or 0
   when none is left. Contents are whatever the page held. O(1). */
uint32_t palloc_alloc(struct palloc *pa);

/* Returns an allocated page with exactly one reference to the pool. O(1). Returns 0, or
   K_EINVAL for an address that is misaligned, outside the pool, reserved or already free,
   or K_EBUSY for a page that still has other references (use palloc_unref); on error
   nothing changes, and the kernel panics. */
int palloc_free(struct palloc *pa, uint32_t paddr);

/* Adds a reference to an allocated page (a page shared between actors). Returns the new
   count, or K_EINVAL for a page that is not allocated, K_ETOOMUCH at PALLOC_REF_MAX. */
int32_t palloc_ref(struct palloc *pa, uint32_t paddr);

/* Drops a reference to an allocated page, freeing it at zero. Returns the new count (0 when
   the page went back to the pool), or K_EINVAL for a page that is not allocated. */
int32_t palloc_unref(struct palloc *pa, uint32_t paddr);

/* The reference count of a page: 0 for a free or unmanaged page. */
uint32_t palloc_refcount(const struct palloc *pa, uint32_t paddr);

/* Whether paddr is a page the pool manages (free or allocated), e.g. for kernel checks. */
bool palloc_manages(const struct palloc *pa, uint32_t paddr);

/* Free pages now; pages managed in all (for `mem` statistics and leak checks). */
uint32_t palloc_free_count(const struct palloc *pa);
uint32_t palloc_total_count(const struct palloc *pa);

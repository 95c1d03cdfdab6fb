/* The physical page allocator: 4 KiB pages with reference counts, O(1) alloc and free, and
 * an O(ranges) set-up that does not grow with the pool (portable).
 *
 * The pool covers [base_paddr, base_paddr + npages * PALLOC_PAGE_SIZE). Its state lives in
 * a caller-provided array of one uint32_t per page, never in the pages themselves, so the
 * allocator neither reads nor writes managed memory (pages are handed out as they are;
 * the kernel zeroes them through its linear map). The array is filled lazily: init turns
 * the ranges into a few extents of managed pages and writes no per-page word; the pages
 * from the high-water mark `hwm` up have never been handed out, and the free ones among
 * them come out in address order, one extent after the other, once the free list is empty.
 * Below hwm, meta[i] describes page i:
 *
 *   PALLOC_META_NONE           not managed: outside every usable range, or reserved
 *   PALLOC_META_FREE | next    free; next is the index of the next free page, or
 *                              PALLOC_META_END at the end of the free list
 *   1 .. PALLOC_REF_MAX        allocated, with that many references
 *
 * At and above hwm, meta[] holds whatever the memory held (a warm reset keeps RAM): a page
 * there is free when an extent holds it, unmanaged otherwise, and never allocated.
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
#define PALLOC_META_END     0x7ffffffeu     /* FREE | END must not read as NONE */
#define PALLOC_REF_MAX      0x7ffffffeu
/* Usable and reserved ranges together that palloc_init accepts; they make at most
   PALLOC_MAX_RANGES + 2 extents (each extent ends where a range starts or ends, and the
   extents are apart). */
#define PALLOC_MAX_RANGES   16
#define PALLOC_MAX_EXTENTS  (PALLOC_MAX_RANGES + 2)

/* A physical byte range [paddr, paddr + size), size in bytes. */
struct palloc_range {
    uint32_t paddr;
    uint32_t size;
};

/* Pages [first, end) of the pool, all managed. */
struct palloc_extent {
    uint32_t first;
    uint32_t end;
};

struct palloc {
    uint32_t base_paddr;
    uint32_t npages;
    uint32_t *meta;             /* npages entries, owned by the caller; set below hwm only */
    uint32_t free_head;         /* index of the first free page, or PALLOC_META_END */
    uint32_t free_count;        /* free list and untouched free pages together */
    uint32_t total_count;       /* managed pages: free + allocated */
    uint32_t hwm;               /* high-water mark: the next untouched page, if hwm < hwm_end */
    uint32_t hwm_end;           /* end of the extent hwm is in */
    uint32_t next_extent;       /* the extent after that one */
    uint32_t nextents;
    struct palloc_extent extents[PALLOC_MAX_EXTENTS];   /* in address order, apart */
};

/* Sets up the pool over npages pages from base_paddr (page aligned), with meta[npages]
   as its state; called once by the kernel at boot and by host tests. A page is managed
   when it lies wholly inside a usable range and touches no reserved range (usable ranges
   are rounded inwards to pages, reserved ones outwards; both may come in any order, overlap
   and extend past the pool, which clips them). Physical page 0 is never managed, so 0 can
   mean "no page". Free pages are handed out lowest address first after init. Writes no
   word of meta[] above the first managed page, whatever npages is: the time it takes
   grows with the number of ranges only.
   Returns 0, or K_EINVAL (misaligned base, npages 0 or above PALLOC_MAX_PAGES, pool past
   4 GiB, NULL pointers with a nonzero count, more than PALLOC_MAX_RANGES ranges) leaving
   *pa an empty pool. */
int palloc_init(struct palloc *pa, uint32_t base_paddr, uint32_t npages, uint32_t *meta,
                const struct palloc_range *usable, size_t nusable,
                const struct palloc_range *reserved, size_t nreserved);

/* Takes one free page with a reference count of 1: the last one freed, or when none is on
   the free list the lowest untouched one; returns its physical address, or 0 when none is
   left. Contents are whatever the page held. O(1), but for the one call that moves the
   high-water mark past a gap between extents: it marks the gap's pages unmanaged. */
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

/* The physical page allocator: 4 KiB pages with reference counts, O(1) alloc and free (portable). */
#include <kernel/palloc.h>
#include <reprise/errors.h>

#define PALLOC_PAGE_MASK ((uint64_t)PALLOC_PAGE_SIZE - 1)
#define PALLOC_META_USABLE 0u   /* transient mark during palloc_init only */

_Static_assert(PALLOC_MAX_PAGES - 1 < PALLOC_META_END, "page indices fit beside the free bit");
_Static_assert(PALLOC_REF_MAX < PALLOC_META_FREE, "reference counts never look free");

/* Writes value into the metadata of every page of the page-aligned byte range [lo, hi)
   that lies in the pool; used by palloc_init. */
static void palloc_mark(struct palloc *pa, uint64_t lo, uint64_t hi, uint32_t value)
{
    uint64_t pool_lo = pa->base_paddr;
    uint64_t pool_hi = pool_lo + ((uint64_t)pa->npages << PALLOC_PAGE_SHIFT);
    if (lo < pool_lo)
        lo = pool_lo;
    if (hi > pool_hi)
        hi = pool_hi;
    for (uint64_t p = lo; p < hi; p += PALLOC_PAGE_SIZE)
        pa->meta[(p - pool_lo) >> PALLOC_PAGE_SHIFT] = value;
}

/* Sets up the pool (see kernel/palloc.h); called once by the kernel at boot. Returns 0 or
   K_EINVAL. */
int palloc_init(struct palloc *pa, uint32_t base_paddr, uint32_t npages, uint32_t *meta,
                const struct palloc_range *usable, size_t nusable,
                const struct palloc_range *reserved, size_t nreserved)
{
    if (pa == NULL)
        return K_EINVAL;
    pa->base_paddr = 0;
    pa->npages = 0;
    pa->meta = NULL;
    pa->free_head = PALLOC_META_END;
    pa->free_count = 0;
    pa->total_count = 0;
    if (meta == NULL || (usable == NULL && nusable > 0) || (reserved == NULL && nreserved > 0))
        return K_EINVAL;
    if ((base_paddr & PALLOC_PAGE_MASK) != 0 || npages == 0 || npages > PALLOC_MAX_PAGES)
        return K_EINVAL;
    if ((uint64_t)base_paddr + ((uint64_t)npages << PALLOC_PAGE_SHIFT) > (1ull << 32))
        return K_EINVAL;
    pa->base_paddr = base_paddr;
    pa->npages = npages;
    pa->meta = meta;

    for (uint32_t i = 0; i < npages; i++)
        meta[i] = PALLOC_META_NONE;
    /* Usable ranges count whole pages only: round inwards. */
    for (size_t r = 0; r < nusable; r++) {
        uint64_t lo = ((uint64_t)usable[r].paddr + PALLOC_PAGE_MASK) & ~PALLOC_PAGE_MASK;
        uint64_t hi = ((uint64_t)usable[r].paddr + usable[r].size) & ~PALLOC_PAGE_MASK;
        palloc_mark(pa, lo, hi, PALLOC_META_USABLE);
    }
    /* Reserved ranges take every page they touch: round outwards, after all usable ones. */
    for (size_t r = 0; r < nreserved; r++) {
        if (reserved[r].size == 0)
            continue;
        uint64_t lo = (uint64_t)reserved[r].paddr & ~PALLOC_PAGE_MASK;
        uint64_t hi = ((uint64_t)reserved[r].paddr + reserved[r].size + PALLOC_PAGE_MASK) &
                      ~PALLOC_PAGE_MASK;
        palloc_mark(pa, lo, hi, PALLOC_META_NONE);
    }
    if (base_paddr == 0)
        meta[0] = PALLOC_META_NONE;     /* 0 means "no page" to palloc_alloc's callers */

    /* Thread the free list from the top so that the lowest page comes out first. */
    for (uint32_t i = npages; i-- > 0;) {
        if (meta[i] != PALLOC_META_USABLE)
            continue;
        meta[i] = PALLOC_META_FREE | pa->free_head;
        pa->free_head = i;
        pa->free_count++;
    }
    pa->total_count = pa->free_count;
    return 0;
}

/* Finds the metadata index of paddr for the calls below; returns false when paddr is
   misaligned or outside the pool. */
static bool palloc_index(const struct palloc *pa, uint32_t paddr, uint32_t *index)
{
    if ((paddr & PALLOC_PAGE_MASK) != 0 || paddr < pa->base_paddr)
        return false;
    uint32_t i = (paddr - pa->base_paddr) >> PALLOC_PAGE_SHIFT;
    if (i >= pa->npages)
        return false;
    *index = i;
    return true;
}

/* Whether a metadata word describes an allocated page. */
static bool palloc_allocated(uint32_t m)
{
    return m >= 1 && m <= PALLOC_REF_MAX;
}

/* Pushes page i, whose last reference just went, on the free list (palloc_free, unref). */
static void palloc_push(struct palloc *pa, uint32_t i)
{
    pa->meta[i] = PALLOC_META_FREE | pa->free_head;
    pa->free_head = i;
    pa->free_count++;
}

/* Pops the free list head for the kernel's page users; returns its address or 0. */
uint32_t palloc_alloc(struct palloc *pa)
{
    uint32_t i = pa->free_head;
    if (i == PALLOC_META_END)
        return 0;
    pa->free_head = pa->meta[i] & ~PALLOC_META_FREE;
    pa->meta[i] = 1;
    pa->free_count--;
    return pa->base_paddr + (i << PALLOC_PAGE_SHIFT);
}

/* Returns a singly referenced page to the pool; returns 0, K_EINVAL or K_EBUSY. */
int palloc_free(struct palloc *pa, uint32_t paddr)
{
    uint32_t i;
    if (!palloc_index(pa, paddr, &i) || !palloc_allocated(pa->meta[i]))
        return K_EINVAL;
    if (pa->meta[i] != 1)
        return K_EBUSY;
    palloc_push(pa, i);
    return 0;
}

/* Adds a reference to an allocated page; returns the new count, K_EINVAL or K_ETOOMUCH. */
int32_t palloc_ref(struct palloc *pa, uint32_t paddr)
{
    uint32_t i;
    if (!palloc_index(pa, paddr, &i) || !palloc_allocated(pa->meta[i]))
        return K_EINVAL;
    if (pa->meta[i] == PALLOC_REF_MAX)
        return K_ETOOMUCH;
    return (int32_t)++pa->meta[i];
}

/* Drops a reference, freeing the page at zero; returns the new count or K_EINVAL. */
int32_t palloc_unref(struct palloc *pa, uint32_t paddr)
{
    uint32_t i;
    if (!palloc_index(pa, paddr, &i) || !palloc_allocated(pa->meta[i]))
        return K_EINVAL;
    if (pa->meta[i] == 1) {
        palloc_push(pa, i);
        return 0;
    }
    return (int32_t)--pa->meta[i];
}

/* Reports a page's reference count, 0 when it is free or unmanaged. */
uint32_t palloc_refcount(const struct palloc *pa, uint32_t paddr)
{
    uint32_t i;
    if (!palloc_index(pa, paddr, &i) || !palloc_allocated(pa->meta[i]))
        return 0;
    return pa->meta[i];
}

/* Tells whether the pool manages paddr (free or allocated). */
bool palloc_manages(const struct palloc *pa, uint32_t paddr)
{
    uint32_t i;
    return palloc_index(pa, paddr, &i) && pa->meta[i] != PALLOC_META_NONE;
}

/* Reports the free pages. */
uint32_t palloc_free_count(const struct palloc *pa)
{
    return pa->free_count;
}

/* Reports the managed pages. */
uint32_t palloc_total_count(const struct palloc *pa)
{
    return pa->total_count;
}

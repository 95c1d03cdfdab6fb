/* The physical page allocator: 4 KiB pages with reference counts, O(1) alloc and free, lazy set-up (portable). */
#include <kernel/palloc.h>
#include <reprise/errors.h>

#define PALLOC_PAGE_MASK ((uint64_t)PALLOC_PAGE_SIZE - 1)

_Static_assert(PALLOC_MAX_PAGES - 1 < PALLOC_META_END, "page indices fit beside the free bit");
_Static_assert(PALLOC_REF_MAX < PALLOC_META_FREE, "reference counts never look free");
_Static_assert((PALLOC_META_FREE | PALLOC_META_END) != PALLOC_META_NONE,
               "the free list's last page is managed");

/* Pages [lo, hi) of the pool that byte range r covers: rounded inwards (whole pages only)
   for a usable range, outwards (every page it touches) for a reserved one, then clipped to
   the pool. Used by palloc_init. */
static struct palloc_extent palloc_pages_of(const struct palloc *pa,
                                            const struct palloc_range *r, bool inwards)
{
    uint64_t pool_lo = pa->base_paddr;
    uint64_t pool_hi = pool_lo + ((uint64_t)pa->npages << PALLOC_PAGE_SHIFT);
    uint64_t lo = r->paddr, hi = (uint64_t)r->paddr + r->size;
    if (inwards) {
        lo = (lo + PALLOC_PAGE_MASK) & ~PALLOC_PAGE_MASK;
        hi &= ~PALLOC_PAGE_MASK;
    } else {
        lo &= ~PALLOC_PAGE_MASK;
        hi = (hi + PALLOC_PAGE_MASK) & ~PALLOC_PAGE_MASK;
    }
    lo = lo < pool_lo ? pool_lo : lo > pool_hi ? pool_hi : lo;
    hi = hi < lo ? lo : hi > pool_hi ? pool_hi : hi;
    return (struct palloc_extent){ (uint32_t)((lo - pool_lo) >> PALLOC_PAGE_SHIFT),
                                   (uint32_t)((hi - pool_lo) >> PALLOC_PAGE_SHIFT) };
}

/* Moves the high-water mark to the start of the next extent, marking the pages it passes
   over unmanaged; when no extent is left it stays where it is. Called by init and when
   palloc_alloc takes the last untouched page of an extent. */
static void palloc_next_extent(struct palloc *pa)
{
    if (pa->next_extent == pa->nextents)
        return;
    const struct palloc_extent *e = &pa->extents[pa->next_extent++];
    for (uint32_t i = pa->hwm; i < e->first; i++)
        pa->meta[i] = PALLOC_META_NONE;
    pa->hwm = e->first;
    pa->hwm_end = e->end;
}

/* Sets up the pool (see kernel/palloc.h); called once by the kernel at boot. The ranges'
   page boundaries cut the pool into pieces, each wholly in or out of every range; the
   managed pieces (in a usable range, in no reserved one) make the extents. Returns 0 or
   K_EINVAL. */
int palloc_init(struct palloc *pa, uint32_t base_paddr, uint32_t npages, uint32_t *meta,
                const struct palloc_range *usable, size_t nusable,
                const struct palloc_range *reserved, size_t nreserved)
{
    struct palloc_extent u[PALLOC_MAX_RANGES], r[PALLOC_MAX_RANGES + 1];
    uint32_t cut[2 * PALLOC_MAX_RANGES + 4];
    size_t nu = 0, nr = 0, ncut = 0;

    if (pa == NULL)
        return K_EINVAL;
    pa->base_paddr = 0;
    pa->npages = 0;
    pa->meta = NULL;
    pa->free_head = PALLOC_META_END;
    pa->free_count = 0;
    pa->total_count = 0;
    pa->hwm = 0;
    pa->hwm_end = 0;
    pa->next_extent = 0;
    pa->nextents = 0;
    if (meta == NULL || (usable == NULL && nusable > 0) || (reserved == NULL && nreserved > 0))
        return K_EINVAL;
    if ((base_paddr & PALLOC_PAGE_MASK) != 0 || npages == 0 || npages > PALLOC_MAX_PAGES)
        return K_EINVAL;
    if ((uint64_t)base_paddr + ((uint64_t)npages << PALLOC_PAGE_SHIFT) > (1ull << 32))
        return K_EINVAL;
    if (nusable + nreserved > PALLOC_MAX_RANGES)
        return K_EINVAL;
    pa->base_paddr = base_paddr;
    pa->npages = npages;
    pa->meta = meta;

    cut[ncut++] = 0;
    cut[ncut++] = npages;
    for (size_t k = 0; k < nusable; k++) {
        u[nu] = palloc_pages_of(pa, &usable[k], true);
        cut[ncut++] = u[nu].first;
        cut[ncut++] = u[nu++].end;
    }
    for (size_t k = 0; k < nreserved; k++) {
        if (reserved[k].size == 0)
            continue;                   /* reserves nothing, not even a page it points into */
        r[nr] = palloc_pages_of(pa, &reserved[k], false);
        cut[ncut++] = r[nr].first;
        cut[ncut++] = r[nr++].end;
    }
    if (base_paddr == 0) {              /* 0 means "no page" to palloc_alloc's callers */
        r[nr++] = (struct palloc_extent){ 0, 1 };
        cut[ncut++] = 1;
    }
    for (size_t k = 1; k < ncut; k++)   /* insertion sort: a few dozen cuts at most */
        for (size_t j = k; j > 0 && cut[j - 1] > cut[j]; j--) {
            uint32_t t = cut[j];
            cut[j] = cut[j - 1];
            cut[j - 1] = t;
        }
    for (size_t k = 0; k + 1 < ncut; k++) {
        uint32_t lo = cut[k], hi = cut[k + 1];
        bool in = false;
        if (lo == hi)
            continue;
        for (size_t j = 0; j < nu; j++)     /* no cut inside [lo, hi): in wholly or not */
            in |= u[j].first <= lo && hi <= u[j].end;
        for (size_t j = 0; j < nr; j++)
            in &= !(r[j].first <= lo && hi <= r[j].end);
        if (!in)
            continue;
        if (pa->nextents > 0 && pa->extents[pa->nextents - 1].end == lo)
            pa->extents[pa->nextents - 1].end = hi;
        else
            pa->extents[pa->nextents++] = (struct palloc_extent){ lo, hi };
        pa->total_count += hi - lo;
    }
    pa->free_count = pa->total_count;
    palloc_next_extent(pa);
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

/* Whether page i is allocated: below the high-water mark, with a reference count. */
static bool palloc_allocated(const struct palloc *pa, uint32_t i)
{
    return i < pa->hwm && pa->meta[i] >= 1 && pa->meta[i] <= PALLOC_REF_MAX;
}

/* Pushes page i, whose last reference just went, on the free list (palloc_free, unref). */
static void palloc_push(struct palloc *pa, uint32_t i)
{
    pa->meta[i] = PALLOC_META_FREE | pa->free_head;
    pa->free_head = i;
    pa->free_count++;
}

/* Pops the free list head, or takes the page at the high-water mark, for the kernel's page
   users; returns its address or 0. */
uint32_t palloc_alloc(struct palloc *pa)
{
    uint32_t i = pa->free_head;
    if (i != PALLOC_META_END) {
        pa->free_head = pa->meta[i] & ~PALLOC_META_FREE;
    } else if (pa->hwm < pa->hwm_end) {
        i = pa->hwm++;
        if (pa->hwm == pa->hwm_end)
            palloc_next_extent(pa);
    } else {
        return 0;
    }
    pa->meta[i] = 1;
    pa->free_count--;
    return pa->base_paddr + (i << PALLOC_PAGE_SHIFT);
}

/* Returns a singly referenced page to the pool; returns 0, K_EINVAL or K_EBUSY. */
int palloc_free(struct palloc *pa, uint32_t paddr)
{
    uint32_t i;
    if (!palloc_index(pa, paddr, &i) || !palloc_allocated(pa, i))
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
    if (!palloc_index(pa, paddr, &i) || !palloc_allocated(pa, i))
        return K_EINVAL;
    if (pa->meta[i] == PALLOC_REF_MAX)
        return K_ETOOMUCH;
    return (int32_t)++pa->meta[i];
}

/* Drops a reference, freeing the page at zero; returns the new count or K_EINVAL. */
int32_t palloc_unref(struct palloc *pa, uint32_t paddr)
{
    uint32_t i;
    if (!palloc_index(pa, paddr, &i) || !palloc_allocated(pa, i))
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
    if (!palloc_index(pa, paddr, &i) || !palloc_allocated(pa, i))
        return 0;
    return pa->meta[i];
}

/* Tells whether the pool manages paddr (free or allocated): below the high-water mark its
   metadata says, above it the extents. */
bool palloc_manages(const struct palloc *pa, uint32_t paddr)
{
    uint32_t i;
    if (!palloc_index(pa, paddr, &i))
        return false;
    if (i < pa->hwm)
        return pa->meta[i] != PALLOC_META_NONE;
    for (uint32_t k = 0; k < pa->nextents; k++)
        if (pa->extents[k].first <= i && i < pa->extents[k].end)
            return true;
    return false;
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

/* The PMM client's retrieval cache (pmm/lib/pmm_client.c), portable: the requests that
   pmmAllocate answered, each with the address it got and the bank epoch it got it in. The
   client keeps one in its restart page; the host tests keep theirs in memory.

   An entry is trusted only under the bank epoch it was made in: every unmap of bank pages
   from the actor changes the epoch (uapi/reprise/abi.h), so a block freed since (whose pages
   may now be another block's) is never answered from the cache: the server is asked again.
   Entries are matched on the exact words of the request (name, key with zeros after its
   bytes, key length, size) and carry a check word, so that a stray write into the cache
   makes a miss, never a wrong answer. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define PMM_CACHE_WORDS 20              /* name (10 words), key (8), key length, size */
#define PMM_CACHE_MAX 32
#define PMM_CACHE_MAGIC 0x9e3779b9u

struct pmm_cache_entry {
    uint32_t hash;                      /* pmm_cache_hash of w; 0: empty */
    uint32_t check;                     /* hash ^ epoch ^ addr ^ PMM_CACHE_MAGIC */
    uint32_t epoch;                     /* the bank epoch it was made in */
    uint32_t addr;
    uint32_t w[PMM_CACHE_WORDS];
};

struct pmm_cache {
    uint32_t last;                      /* the entry hit or made last: searches start there */
    struct pmm_cache_entry e[PMM_CACHE_MAX];
};

/* The hash of request words w: never 0, the empty mark. */
static inline uint32_t pmm_cache_hash(const uint32_t *w)
{
    uint32_t h = PMM_CACHE_MAGIC;
#pragma GCC unroll 20
    for (int i = 0; i < PMM_CACHE_WORDS; i++)
        h = (h ^ w[i]) * 0x01000193u;
    return h | 1;
}

/* The entry of c for request words w (hash h) trusted in epoch, or NULL; then *spare is
   where to remember the answer the server will give: the entry with that hash, else an
   empty or stale one, else the one after the entry used last. The search starts at the
   entry used last: a block retrieved again, or the next of blocks retrieved in the order
   they were allocated (a restarted run), is found in a step or two. */
static inline struct pmm_cache_entry *pmm_cache_find(struct pmm_cache *c, const uint32_t *w,
                                                     uint32_t h, uint32_t epoch,
                                                     struct pmm_cache_entry **spare)
{
    struct pmm_cache_entry *first = &c->e[c->last % PMM_CACHE_MAX], *end = &c->e[PMM_CACHE_MAX];
    struct pmm_cache_entry *e = first, *unused = NULL;
    while (e->hash != h) {
        if (!unused && (!e->hash || e->epoch != epoch))
            unused = e;
        if (++e == end)
            e = c->e;
        if (e == first) {
            *spare = unused ? unused : &c->e[(c->last + 1) % PMM_CACHE_MAX];
            return NULL;
        }
    }
    *spare = e;
    if (e->epoch != epoch || e->check != (h ^ epoch ^ e->addr ^ PMM_CACHE_MAGIC))
        return NULL;
    uint32_t diff = 0;
#pragma GCC unroll 20
    for (int k = 0; k < PMM_CACHE_WORDS; k++)
        diff |= e->w[k] ^ w[k];
    if (diff)
        return NULL;
    c->last = (uint32_t)(e - c->e);
    return e;
}

/* Remembers in entry e of c that request w (hash h) got addr, made in epoch. */
static inline void pmm_cache_put(struct pmm_cache *c, struct pmm_cache_entry *e,
                                 const uint32_t *w, uint32_t h, uint32_t epoch, uint32_t addr)
{
    c->last = (uint32_t)(e - c->e);
    e->hash = 0;
    for (int k = 0; k < PMM_CACHE_WORDS; k++)
        e->w[k] = w[k];
    e->epoch = epoch;
    e->addr = addr;
    e->check = h ^ epoch ^ addr ^ PMM_CACHE_MAGIC;
    e->hash = h;
}

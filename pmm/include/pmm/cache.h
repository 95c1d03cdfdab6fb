/* The PMM client's retrieval cache (pmm/lib/pmm_client.c), portable: the requests that
   pmmAllocate answered, each with the address it got and the bank epoch it got it in. The
   client keeps one in its restart page; the host tests keep theirs in memory.

   An entry is trusted only under the bank epoch it was made in: every unmap of bank pages
   from the actor changes the epoch (uapi/reprise/abi.h), so a block freed since (whose pages
   may now be another block's) is never answered from the cache: the server is asked again.
   Entries are matched on the exact words of the request (name, key with zeros after its
   bytes, key length, size; of the key, the words its length reaches) and carry a check
   word, so that a stray write into the cache makes a miss, never a wrong answer. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define PMM_CACHE_WORDS 20              /* name (10 words), key (8), key length, size */
#define PMM_CACHE_PAIRS (PMM_CACHE_WORDS / 2)
#define PMM_CACHE_MAX 32
#define PMM_CACHE_MAGIC 0x9e3779b9u

/* A request's words, read a pair at a time (one load of two words on the target). The
   key's words past its length are zeros (the client makes them so, and the server reads
   the length's bytes alone): only the key's own pairs count. */
union pmm_cache_req {
    uint32_t w[PMM_CACHE_WORDS];
    uint64_t p[PMM_CACHE_PAIRS];
};
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "pair 9's low word is the key length");

struct pmm_cache_entry {
    uint32_t hash;                      /* pmm_cache_hash of r; 0: empty */
    uint32_t check;                     /* hash ^ epoch ^ addr ^ PMM_CACHE_MAGIC */
    uint32_t epoch;                     /* the bank epoch it was made in */
    uint32_t addr;
    union pmm_cache_req r;
};

struct pmm_cache {
    uint32_t last;                      /* the entry hit or made last: searches start there */
    uint32_t used;                      /* entries made; 0: none, nothing to search (a new
                                           actor's first requests) */
    struct pmm_cache_entry e[PMM_CACHE_MAX];
};

/* The key's pairs that count: those its length (pair 9's low word, at most 32) reaches. */
static inline uint32_t pmm_cache_key_pairs(const union pmm_cache_req *r)
{
    uint32_t len = (uint32_t)r->p[9];
    return len < 32 ? (len + 7) / 8 : 4;
}

/* The hash of request r: never 0, the empty mark. */
static inline uint32_t pmm_cache_hash(const union pmm_cache_req *r)
{
    uint32_t h = PMM_CACHE_MAGIC, keys = pmm_cache_key_pairs(r);
#define PMM_CACHE_MIX(x) (h = (h ^ (uint32_t)(x) ^ ((uint32_t)((x) >> 32) << 16 | \
                                                     (uint32_t)((x) >> 48))) * 0x01000193u)
#pragma GCC unroll 5
    for (int i = 0; i < 5; i++)
        PMM_CACHE_MIX(r->p[i]);
    for (uint32_t i = 5; i < 5 + keys; i++)
        PMM_CACHE_MIX(r->p[i]);
    PMM_CACHE_MIX(r->p[9]);
#undef PMM_CACHE_MIX
    return h | 1;
}

/* The entry of c for request r (hash h) trusted in epoch, or NULL; then *spare is where to
   remember the answer the server will give: the entry with that hash, else an empty or
   stale one, else the one after the entry used last. The search starts at the entry used
   last: a block retrieved again, or the next of blocks retrieved in the order they were
   allocated (a restarted run), is found in a step or two. */
static inline struct pmm_cache_entry *pmm_cache_find(struct pmm_cache *c,
                                                     const union pmm_cache_req *r, uint32_t h,
                                                     uint32_t epoch,
                                                     struct pmm_cache_entry **spare)
{
    struct pmm_cache_entry *first = &c->e[c->last % PMM_CACHE_MAX], *end = &c->e[PMM_CACHE_MAX];
    struct pmm_cache_entry *e = first, *unused = NULL;
    if (!c->used) {
        *spare = first;
        return NULL;
    }
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
    /* The exact words: what makes a hit never wrong. */
    uint64_t diff = e->r.p[9] ^ r->p[9];
    uint32_t keys = pmm_cache_key_pairs(r);
#pragma GCC unroll 5
    for (int i = 0; i < 5; i++)
        diff |= e->r.p[i] ^ r->p[i];
    for (uint32_t i = 5; i < 5 + keys; i++)
        diff |= e->r.p[i] ^ r->p[i];
    if (diff)
        return NULL;
    c->last = (uint32_t)(e - c->e);
    return e;
}

/* Remembers in entry e of c that request r (hash h) got addr, made in epoch. */
static inline void pmm_cache_put(struct pmm_cache *c, struct pmm_cache_entry *e,
                                 const union pmm_cache_req *r, uint32_t h, uint32_t epoch,
                                 uint32_t addr)
{
    c->last = (uint32_t)(e - c->e);
    c->used += !e->hash;
    e->hash = 0;
    e->r = *r;
    e->epoch = epoch;
    e->addr = addr;
    e->check = h ^ epoch ^ addr ^ PMM_CACHE_MAGIC;
    e->hash = h;
}

/* PMM client library: pmmAllocate, pmmFree, pmmFreeAll, pmmSync over IPC to the PMM server,
   and the retrieval cache that gives a restarted actor its blocks back without a call.
   Caller pointers are used directly only where the actor certainly has memory
   (sys_plain_range), else checked with SYS_USER_COPY: a bad one is K_EFAULT, never a fault. */
#include <pmm/proto.h>
#include <reprise/errors.h>
#include <reprise/sys.h>

/* The retrieval cache lives in the restart page (ACTOR_KEEP_VADDR), which a restart in place
   keeps, as it keeps the actor's bank mappings: a pmmAllocate the previous run made is
   answered from it with no call to the server. An entry is trusted only under the bank
   epoch (TPIDRURO) it was made in: every unmap of bank pages from this actor changes the
   epoch, so a block freed since (whose pages may now be another block's) is never returned
   from the cache; the server is asked again. Entries are matched on the exact bytes of the
   name, the key's delKeySize bytes and the size, and carry a check word, so that a stray
   write into the page makes a miss, never a wrong answer. */
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
_Static_assert(sizeof(struct pmm_cache) <= ACTOR_PAGE_SIZE, "the cache fits the restart page");
_Static_assert(sizeof(PmmName) + PMM_KEY_SIZE + 8 == PMM_CACHE_WORDS * 4, "a request's words");

#define PMM_CACHE ((struct pmm_cache *)ACTOR_KEEP_VADDR)

/* Whether the restart page is there. It is demand-zero, and a touch of it with the page pool
   empty would be a fault: the first use in a run brings it in through SYS_USER_COPY, which
   says K_ENOMEM instead (then the cache is not used, and the server answers). Once in, it
   stays as long as the actor's slot, restarts in place included; this flag, in .bss, is
   asked again in each run. */
static int pmm_cache_ready(void)
{
    static int ready;
    uint32_t probe;
    if (!ready)
        ready = sys_user_copy(&probe, (const void *)ACTOR_KEEP_VADDR, sizeof(probe)) == K_OK;
    return ready;
}

/* The bank epoch: this actor's TPIDRURO, which only the kernel writes. */
static inline uint32_t pmm_epoch(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(v));
    return v;
}

static inline uint32_t pmm_cache_hash(const uint32_t *w)
{
    uint32_t h = PMM_CACHE_MAGIC;
#pragma GCC unroll 20
    for (int i = 0; i < PMM_CACHE_WORDS; i++)
        h = (h ^ w[i]) * 0x01000193u;
    return h | 1;                       /* never 0, the empty mark */
}

/* The entry for request words w (hash h) trusted now, or NULL; then *spare is where to
   remember the answer the server will give: the entry with that hash, else an empty or
   stale one, else the one after the entry used last. The search starts at the entry used
   last: a block retrieved again, or the next of blocks retrieved in the order they were
   allocated (a restarted run), is found in a step or two. */
static inline struct pmm_cache_entry *pmm_cache_find(const uint32_t *w, uint32_t h,
                                                     struct pmm_cache_entry **spare)
{
    struct pmm_cache *c = PMM_CACHE;
    uint32_t epoch = pmm_epoch();
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

/* Remembers in entry e that request w (hash h) got addr, made in epoch. */
static void pmm_cache_put(struct pmm_cache_entry *e, const uint32_t *w, uint32_t h,
                          uint32_t epoch, uint32_t addr)
{
    PMM_CACHE->last = (uint32_t)(e - PMM_CACHE->e);
    e->hash = 0;
    for (int k = 0; k < PMM_CACHE_WORDS; k++)
        e->w[k] = w[k];
    e->epoch = epoch;
    e->addr = addr;
    e->check = h ^ epoch ^ addr ^ PMM_CACHE_MAGIC;
    e->hash = h;
}

static int pmm_port;

/* Calls the PMM server; finds its port again when it changed (after a site restart). */
static struct sys_ipc_ret pmm_call(uint32_t op, uint32_t w1, struct ipc_bufs *bufs)
{
    struct sys_ipc_ret r = { .status = K_EUNKNOWN };
    for (int attempt = 0; attempt < 2; attempt++) {
        if (pmm_port <= 0 || attempt)
            pmm_port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
        if (pmm_port < 0)
            return (struct sys_ipc_ret){ .status = K_EUNKNOWN };
        r = sys_ipc_call(pmm_port, op, w1, 0, 0, bufs);
        if (r.status != K_EDEAD && r.status != K_EUNKNOWN)
            break;
    }
    if (r.status == K_OK)
        r.status = (long)(int32_t)r.w[0];
    return r;
}

KnError pmmAllocate(VmAddr *addr, PmmName *blockName, size_t memSize, PmmDelKey delKey,
                    size_t delKeySize)
{
    union {
        struct pmm_alloc_req req;
        uint32_t w[PMM_CACHE_WORDS];
    } u;
    struct pmm_alloc_req *req = &u.req;
    _Static_assert(sizeof(struct pmm_alloc_req) == PMM_CACHE_WORDS * 4, "the request is the words");
    if (delKeySize > PMM_KEY_SIZE)
        return K_EINVAL;
    /* The name is copied whole; of the key, what follows its bytes is zeroed. */
    _Static_assert(PMM_KEY_SIZE == 32, "the key is words 10 to 17");
    u.w[10] = u.w[11] = u.w[12] = u.w[13] = u.w[14] = u.w[15] = u.w[16] = u.w[17] = 0;
    if (sys_plain_range(blockName, sizeof(*blockName), 0) && sys_plain_range(delKey, delKeySize, 0)) {
        memcpy(&req->name, blockName, sizeof(req->name));
        for (size_t k = 0; k < delKeySize; k++)
            req->key[k] = delKey[k];
    } else if (sys_user_copy(&req->name, blockName, sizeof(req->name)) ||
               sys_user_copy(req->key, delKey, delKeySize)) {
        return K_EFAULT;
    }
    req->key_len = (uint32_t)delKeySize;
    req->size = (uint32_t)memSize;
    uint32_t h = pmm_cache_hash(u.w);
    struct pmm_cache_entry *e, *spare = NULL;
    if (pmm_cache_ready() && sys_plain_range(addr, sizeof(*addr), 1) &&
        (e = pmm_cache_find(u.w, h, &spare))) {
        *addr = (VmAddr)e->addr;
        return K_OK;
    }
    /* Read before the call: a mapping the reply makes is at least this new. */
    uint32_t epoch = pmm_epoch();
    /* *addr is offered as the reply buffer, which the server leaves empty: the kernel checks
       that it is writable before the request leaves (K_EFAULT, nothing sent), a check that
       costs less than another SYS_USER_COPY. */
    struct ipc_bufs b = { req, sizeof(*req), addr, sizeof(*addr), 0 };
    struct sys_ipc_ret r = pmm_call(PMM_OP_ALLOCATE, 0, &b);
    if (r.status == K_OK) {
        *addr = (VmAddr)r.w[1];
        if (spare)
            pmm_cache_put(spare, u.w, h, epoch, r.w[1]);
    }
    return (KnError)r.status;
}

/* A request whose buffer is the caller's own bytes, sent as they are: the kernel checks the
   area before the request leaves (K_EFAULT, nothing sent). */
static int pmm_send(uint32_t op, uint32_t w1, const void *buf, uint32_t len)
{
    struct ipc_bufs b = { buf, len, 0, 0, 0 };
    return (int)pmm_call(op, w1, &b).status;
}

int pmmFree(PmmName *blockName)
{
    return pmm_send(PMM_OP_FREE, 0, blockName, sizeof(PmmName));
}

int pmmFreeAll(PmmDelKey delKey, size_t delKeySize)
{
    if (delKeySize > PMM_KEY_SIZE)
        return K_EINVAL;
    return pmm_send(PMM_OP_FREE_ALL, (uint32_t)delKeySize, delKey, (uint32_t)delKeySize);
}

/* pmmSync (a Reprise extension, chPmm.h): commits an NVRAM block, cleans a RAM block. */
int pmmSync(PmmName *blockName)
{
    return pmm_send(PMM_OP_SYNC, 0, blockName, sizeof(PmmName));
}

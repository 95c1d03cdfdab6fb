/* PMM client library: pmmAllocate, pmmFree, pmmFreeAll, pmmSync over IPC to the PMM server,
   and the retrieval cache that gives a restarted actor its blocks back without a call.
   Caller pointers are used directly only where the actor certainly has memory
   (sys_plain_range), else checked with SYS_USER_COPY: a bad one is K_EFAULT, never a fault. */
#include <pmm/cache.h>
#include <pmm/proto.h>
#include <reprise/errors.h>
#include <reprise/sys.h>

/* The retrieval cache (pmm/cache.h) lives in the restart page (ACTOR_KEEP_VADDR), which a
   restart in place keeps, as it keeps the actor's bank mappings: a pmmAllocate the previous
   run made is answered from it with no call to the server. */
#define PMM_CACHE ((struct pmm_cache *)ACTOR_KEEP_VADDR)
_Static_assert(sizeof(struct pmm_cache) <= ACTOR_PAGE_SIZE, "the cache fits the restart page");
_Static_assert(sizeof(struct pmm_alloc_req) == sizeof(union pmm_cache_req), "a request is the words");

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
        union pmm_cache_req c;
    } u;
    struct pmm_alloc_req *req = &u.req;
    if (delKeySize > PMM_KEY_SIZE)
        return K_EINVAL;
    /* The name is copied whole; of the key, what follows its bytes is zeroed. */
    _Static_assert(PMM_KEY_SIZE == 32, "the key is pairs 5 to 8");
    u.c.p[5] = u.c.p[6] = u.c.p[7] = u.c.p[8] = 0;
    if (sys_plain_range(blockName, sizeof(*blockName), 0) && sys_plain_range(delKey, delKeySize, 0)) {
        memcpy(&req->name, blockName, sizeof(req->name));
        memcpy(req->key, delKey, delKeySize);
    } else if (sys_user_copy(&req->name, blockName, sizeof(req->name)) ||
               sys_user_copy(req->key, delKey, delKeySize)) {
        return K_EFAULT;
    }
    req->key_len = (uint32_t)delKeySize;
    req->size = (uint32_t)memSize;
    uint32_t h = pmm_cache_hash(&u.c);
    struct pmm_cache_entry *e, *spare = NULL;
    if (pmm_cache_ready() && sys_plain_range(addr, sizeof(*addr), 1) &&
        (e = pmm_cache_find(PMM_CACHE, &u.c, h, pmm_epoch(), &spare))) {
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
            pmm_cache_put(PMM_CACHE, spare, &u.c, h, epoch, r.w[1]);
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

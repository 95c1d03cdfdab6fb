/* HR test actor for state back at once (tests/qemu/test_hr.py): a restart in place keeps the
   actor's bank mappings and the PMM client's retrieval cache, and nothing stale is ever
   answered from that cache.

     hrcache      run 1 allocates "ca" and "cb" (its own key), marks them and crashes; run 2
                  (restarted in place) says whether it holds "ca" before any pmmAllocate,
                  retrieves both, then: damages the cache's entry for "ca" (its address made
                  that of "cb") and retrieves "ca" again; frees "cb" (which only the kernel
                  knows it holds); allocates "cx", which takes "cb"'s pages, and asks for "cb"
                  again, which must be a new, zeroed block, never "cx".

     hrcache: run 1, ca at X, cb at Y
     hrcache: run 2, holds ca before retrieval: yes|no
     hrcache: run 2, ca at X, cb at Y, marks ok|bad
     hrcache: damaged entry: ca at X
     hrcache: free cb: STATUS
     hrcache: cx at Z, cb again at W, mark M */
#include "../hrtest/hrtest.h"
#include <stdlib.h>

#define HRCACHE_KEY "HRCACHE"

static uint32_t *hrcache_block(const char *name)
{
    return hrt_block("hrcache", name, 4096, HRCACHE_KEY, sizeof(HRCACHE_KEY));
}

/* Replaces every word of the restart page equal to from with to: the retrieval cache's
   record of an address, damaged as a stray write would. */
static void hrcache_damage(uint32_t from, uint32_t to)
{
    volatile uint32_t *w = (volatile uint32_t *)ACTOR_KEEP_VADDR;
    for (uint32_t i = 0; i < ACTOR_PAGE_SIZE / 4; i++)
        if (w[i] == from)
            w[i] = to;
}

int main(void)
{
    int held = hrt_block_held("ca");
    uint32_t *ca = hrcache_block("ca"), *cb = hrcache_block("cb");
    if (!ca || !cb) {
        HR_EXIT_HDL();
        exit(1);
    }
    if (++ca[0] == 1) {
        ca[1] = 0xca;
        cb[1] = 0xcb;
        printf("hrcache: run 1, ca at 0x%08lx, cb at 0x%08lx\n", (unsigned long)(uintptr_t)ca,
               (unsigned long)(uintptr_t)cb);
        hrt_fault("data");
    }
    printf("hrcache: run 2, holds ca before retrieval: %s\n", held ? "yes" : "no");
    printf("hrcache: run 2, ca at 0x%08lx, cb at 0x%08lx, marks %s\n", (unsigned long)(uintptr_t)ca,
           (unsigned long)(uintptr_t)cb, ca[1] == 0xca && cb[1] == 0xcb ? "ok" : "bad");

    hrcache_damage((uint32_t)(uintptr_t)ca, (uint32_t)(uintptr_t)cb);
    uint32_t *again = hrcache_block("ca");
    printf("hrcache: damaged entry: ca at 0x%08lx\n", (unsigned long)(uintptr_t)again);

    PmmName n;
    memset(&n, 0, sizeof(n));
    strcpy(n.medium, "RAM");
    strcpy(n.name, "cb");
    printf("hrcache: free cb: %d\n", pmmFree(&n));
    uint32_t *cx = hrcache_block("cx");
    if (cx)
        cx[1] = 0xc5;
    uint32_t *cb2 = hrcache_block("cb");
    printf("hrcache: cx at 0x%08lx, cb again at 0x%08lx, mark %lu\n", (unsigned long)(uintptr_t)cx,
           (unsigned long)(uintptr_t)cb2, cb2 ? (unsigned long)cb2[1] : 0ul);
    pmmFreeAll(HRCACHE_KEY, sizeof(HRCACHE_KEY));
    HR_EXIT_HDL();
    exit(0);
}

/* PMM bench (make bench, tests/images/benchpmm.image): times pmmAllocate (new block and
   retrieval), pmmFree, and retrieval with 1, 64 and 256 blocks in the bank, with CNTVCT, and
   prints `bench: <name> <ns>` lines, then `bench: done`. Under -icount shift=0 the figures
   are exact and repeat. `pmmbench fill FIRST N` is the helper it spawns to fill the bank
   (an actor maps a limited number of blocks, so others allocate them). */
#include <pmm/chPmm.h>
#include <pmm/proto.h>
#include <reprise/counter.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_ITERS      256     /* calls averaged per figure */
#define BENCH_NEW_ITERS  64      /* new blocks: each is freed again, timed as pmm_free_ns */
#define BENCH_MAP_BLOCKS 16      /* first retrievals in this actor (it maps each block once) */
#define BENCH_FILL_EACH  16      /* blocks per filler actor */

static uint32_t bench_hz;

/* Ticks of CNTVCT to nanoseconds, averaged over n. */
static unsigned long bench_ns(uint64_t ticks, uint32_t n)
{
    return (unsigned long)((ticks * 1000000000ull / bench_hz + n / 2) / n);
}

static void bench_name(PmmName *n, const char *prefix, uint32_t i)
{
    memset(n, 0, sizeof(*n));
    strcpy(n->medium, "RAM");
    snprintf(n->name, sizeof(n->name), "%s%03lu", prefix, (unsigned long)i);   /* same length */
}

static void bench_fail(const char *what, int err)
{
    printf("bench: error: %s: %d\n", what, err);
    printf("bench: done\n");
    exit(1);
}

/* Allocates (or retrieves) block prefix<i>, one page, key "bench"; exits on error. */
static VmAddr bench_alloc(const char *prefix, uint32_t i)
{
    PmmName n;
    VmAddr a = 0;
    bench_name(&n, prefix, i);
    int err = pmmAllocate(&a, &n, 4096, "bench", 6);
    if (err != K_OK)
        bench_fail("pmmAllocate", err);
    return a;
}

/* Average time of retrieving a block this actor has already mapped. */
static unsigned long bench_retrieve(const char *prefix, uint32_t i)
{
    PmmName n;
    VmAddr a;
    bench_name(&n, prefix, i);
    bench_alloc(prefix, i);
    uint64_t t0 = counter_now();
    for (int k = 0; k < BENCH_ITERS; k++)
        pmmAllocate(&a, &n, 4096, "bench", 6);
    return bench_ns(counter_now() - t0, BENCH_ITERS);
}

/* Starts `pmmbench fill first n` and waits for it to end. */
static void bench_fill(uint32_t first, uint32_t n)
{
    char args[48];
    int len = snprintf(args, sizeof(args), "pmmbench%cfill%c%lu%c%lu", 0, 0,
                       (unsigned long)first, 0, (unsigned long)n);
    struct actor_spawn sp;
    memset(&sp, 0, sizeof(sp));
    strcpy(sp.image, "pmmbench");
    sp.argc = 4;
    sp.args_len = (uint32_t)len + 1;
    sp.args = args;
    sp.privileges = 0;
    int aid = (int)sys_call1(SYS_ACTOR_CREATE, (long)&sp);
    if (aid < 0)
        bench_fail("start a filler", aid);
    struct actor_info info;
    while (sys_call2(SYS_ACTOR_INFO, aid % 64 - 1, (long)&info) == K_OK && info.aid == aid)
        sys_call1(SYS_DELAY, 1000);
}

/* Fills the bank up to total blocks, filler actors allocating f<k>. */
static void bench_fill_to(uint32_t *have, uint32_t total)
{
    while (*have < total) {
        uint32_t n = total - *have < BENCH_FILL_EACH ? total - *have : BENCH_FILL_EACH;
        bench_fill(*have, n);
        *have += n;
    }
}

static void bench_print(const char *name, unsigned long ns)
{
    printf("bench: %s %lu\n", name, ns);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "fill")) {
        uint32_t first = (uint32_t)atol(argv[2]), n = (uint32_t)atol(argv[3]);
        for (uint32_t i = 0; i < n; i++)
            bench_alloc("f", first + i);
        return 0;
    }
    bench_hz = counter_hz();
    while (sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM) < 0)
        sys_call1(SYS_DELAY, 1000);

    /* A call the server answers at once (unknown operation): IPC and the caller lookup. */
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
    uint64_t t0 = counter_now();
    for (int k = 0; k < BENCH_ITERS; k++)
        sys_ipc_call(port, 0, 0, 0, 0, NULL);
    bench_print("pmm_null_call_ns", bench_ns(counter_now() - t0, BENCH_ITERS));

    /* New one-page blocks, each freed again. */
    uint64_t alloc_ticks = 0, free_ticks = 0;
    for (uint32_t i = 0; i < BENCH_NEW_ITERS; i++) {
        PmmName n;
        VmAddr a;
        bench_name(&n, "new", i);
        t0 = counter_now();
        int err = pmmAllocate(&a, &n, 4096, "bench", 6);
        uint64_t t1 = counter_now();
        if (err != K_OK)
            bench_fail("pmmAllocate new", err);
        err = pmmFree(&n);
        uint64_t t2 = counter_now();
        if (err != K_OK)
            bench_fail("pmmFree", err);
        alloc_ticks += t1 - t0;
        free_ticks += t2 - t1;
    }
    bench_print("pmm_alloc_new_ns", bench_ns(alloc_ticks, BENCH_NEW_ITERS));
    bench_print("pmm_free_ns", bench_ns(free_ticks, BENCH_NEW_ITERS));

    /* Retrieval of a mapped block with 1, 64 and 256 blocks in the bank (the target last). */
    unsigned long r1 = bench_retrieve("t", 1);
    bench_print("pmm_retrieve_ns", r1);
    bench_print("pmm_retrieve_1_ns", r1);
    PmmName target;
    bench_name(&target, "t", 1);
    pmmFree(&target);
    uint32_t have = 0;
    bench_fill_to(&have, 63);
    bench_print("pmm_retrieve_64_ns", bench_retrieve("t", 64));
    pmmFree(&target);
    bench_name(&target, "t", 64);
    pmmFree(&target);
    bench_fill_to(&have, 255);
    bench_print("pmm_retrieve_256_ns", bench_retrieve("t", 256));

    /* First retrieval in this actor (the block gets mapped), as after an actor restart. */
    uint64_t map_ticks = 0;
    for (uint32_t i = 0; i < BENCH_MAP_BLOCKS; i++) {
        PmmName n;
        VmAddr a;
        bench_name(&n, "f", 255 - BENCH_MAP_BLOCKS + i);
        t0 = counter_now();
        int err = pmmAllocate(&a, &n, 4096, "bench", 6);
        map_ticks += counter_now() - t0;
        if (err != K_OK)
            bench_fail("pmmAllocate map", err);
    }
    bench_print("pmm_retrieve_map_ns", bench_ns(map_ticks, BENCH_MAP_BLOCKS));
    pmmFreeAll("bench", 6);
    printf("bench: done\n");
    return 0;
}

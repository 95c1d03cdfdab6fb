/* NVRAM bench (make bench, tests/images/benchnvram.image): on its first start it times pmmSync
   of a 4 KiB NVRAM block whose contents changed (pmm_sync_4k_ns), commits 64 NVRAM blocks of
   a page and asks for a site restart; started again after it, it reports how long the PMM's
   validation of the medium with those 64 blocks took at that boot (nvram_open_ns, from
   PMM_OP_NV_STAT). Prints `bench: <name> <ns>` lines, then `bench: done`. */
#include <pmm/chPmm.h>
#include <pmm/proto.h>
#include <reprise/counter.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NVBENCH_ITERS  32       /* pmmSync calls averaged */
#define NVBENCH_BLOCKS 64       /* blocks on the medium for nvram_open_ns */

static void nvbench_name(PmmName *n, uint32_t i)
{
    memset(n, 0, sizeof(*n));
    strcpy(n->medium, "NVRAM");
    snprintf(n->name, sizeof(n->name), "nv%03lu", (unsigned long)i);
}

static void nvbench_fail(const char *what, int err)
{
    printf("bench: error: %s: %d\n", what, err);
    printf("bench: done\n");
    exit(1);
}

/* Allocates (or retrieves) block nv<i>, one page; exits on error. */
static uint32_t *nvbench_alloc(uint32_t i)
{
    PmmName n;
    VmAddr a = 0;
    nvbench_name(&n, i);
    int err = pmmAllocate(&a, &n, 4096, "bench", 6);
    if (err != K_OK)
        nvbench_fail("pmmAllocate", err);
    return (uint32_t *)a;
}

/* Fills a page with words from seed. */
static void nvbench_fill(uint32_t *p, uint32_t seed)
{
    for (uint32_t i = 0; i < 1024; i++)
        p[i] = seed * 2654435761u + i * 40503u;
}

/* The medium's figures (PMM_OP_NV_STAT). */
static void nvbench_stat(struct pmm_nv_stat *st)
{
    struct ipc_bufs b = { 0, 0, st, sizeof(*st), 0 };
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
    struct sys_ipc_ret r = sys_ipc_call(port, PMM_OP_NV_STAT, 0, 0, 0, &b);
    if (r.status != K_OK || (int32_t)r.w[0] != K_OK)
        nvbench_fail("PMM_OP_NV_STAT", r.status != K_OK ? (int)r.status : (int)r.w[0]);
}

int main(void)
{
    struct pmm_nv_stat st;
    nvbench_stat(&st);
    if (st.blocks == NVBENCH_BLOCKS) {
        printf("bench: nvram_open_ns %lu\n", (unsigned long)st.open_ns);
        printf("bench: done\n");
        return 0;
    }
    uint32_t hz = counter_hz(), *p = nvbench_alloc(0);
    PmmName n;
    nvbench_name(&n, 0);
    uint64_t ticks = 0;
    for (uint32_t k = 0; k < NVBENCH_ITERS; k++) {
        nvbench_fill(p, k + 1);
        uint64_t t0 = counter_now();
        int err = pmmSync(&n);
        ticks += counter_now() - t0;
        if (err != K_OK)
            nvbench_fail("pmmSync", err);
    }
    printf("bench: pmm_sync_4k_ns %lu\n",
           (unsigned long)((ticks * 1000000000ull / hz + NVBENCH_ITERS / 2) / NVBENCH_ITERS));
    for (uint32_t i = 1; i < NVBENCH_BLOCKS; i++) {
        nvbench_fill(nvbench_alloc(i), i + 100);
        nvbench_name(&n, i);
        int err = pmmSync(&n);
        if (err != K_OK)
            nvbench_fail("pmmSync", err);
    }
    sys_call0(SYS_SITE_RESTART);
    nvbench_fail("site restart", -1);
    return 1;
}

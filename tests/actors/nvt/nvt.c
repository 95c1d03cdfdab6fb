/* NVRAM test actor (tests/qemu/test_nvram.py, tests/torture/powercut.py): one operation per
   run, from argv, printing lines that the scenarios match.
     alloc NAME SIZE            allocate or retrieve NAME (medium NVRAM, key "nvt")
     fill NAME SIZE SEED        allocate or retrieve, write SEED's pattern over SIZE bytes
     sync NAME                  retrieve (size from the listing), then pmmSync
     check NAME SIZE            retrieve, print its size and hash
     free NAME                  retrieve (size from the listing), then pmmFree
     dump                       every NVRAM block "nvt: block NAME SIZE HASH", then a count
     churn SEED N               N steps on blocks c0..c3 from SEED: allocate, write + pmmSync,
                                or free; each "nvt: step K begin OP NAME SIZE HASH" (what the
                                block holds committed once the step is done) then "... done"
     ramsync NAME               a RAM block: allocate, pmmSync (a cache clean), free
     errors                     pmmSync's bad input and errors
     bench N                    N pmmSync of a 4 KiB block, each with a new word: one line
     later MS OP ...            sleeps MS milliseconds, then does OP (time to arm a breakpoint)
     devmap                     SYS_DEVICE_MAP's checks (as nvdev, with the device privilege:
                                maps the flash, reads its first segment's magic, and no
                                system call takes a pointer into it); without it, K_EPRIV
   Hashes are FNV-1a over the block's SIZE bytes. */
#include <pmm/chPmm.h>
#include <pmm/proto.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NVT_KEY "nvt"

/* Fills a PmmName of medium medium. */
static void nvt_name(PmmName *n, const char *medium, const char *name)
{
    memset(n, 0, sizeof(*n));
    strcpy(n->medium, medium);
    strncpy(n->name, name, sizeof(n->name) - 1);
}

static int nvt_alloc(VmAddr *addr, const char *name, size_t size)
{
    PmmName n;
    nvt_name(&n, "NVRAM", name);
    return pmmAllocate(addr, &n, size, NVT_KEY, sizeof(NVT_KEY));
}

static int nvt_sync(const char *name)
{
    PmmName n;
    nvt_name(&n, "NVRAM", name);
    return pmmSync(&n);
}

static int nvt_free(const char *name)
{
    PmmName n;
    nvt_name(&n, "NVRAM", name);
    return pmmFree(&n);
}

/* FNV-1a of len bytes. */
static uint32_t nvt_hash(const uint8_t *p, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Writes seed's pattern over len bytes. */
static void nvt_pattern(uint8_t *p, size_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1u;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}

/* The hash of len zero bytes. */
static uint32_t nvt_zero_hash(size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h *= 16777619u;
    return h;
}

static uint32_t nvt_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Lists every NVRAM block through the PMM's block listing. */
static int nvt_dump(void)
{
    static struct pmm_block_info b;
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM), n = 0;
    for (uint32_t i = 0;; i++) {
        struct ipc_bufs bufs = { 0, 0, &b, sizeof(b), 0 };
        struct sys_ipc_ret r = sys_ipc_call(port, PMM_OP_BLOCK_INFO, i, 0, 0, &bufs);
        if (r.status != K_OK || (int32_t)r.w[0] != K_OK)
            break;
        if (strcmp(b.name.medium, "NVRAM") != 0)
            continue;
        VmAddr a;
        PmmName nm = b.name;
        int err = pmmAllocate(&a, &nm, 1, NVT_KEY, sizeof(NVT_KEY));   /* no key is listed */
        if (err != K_OK) {
            printf("nvt: block %s: retrieve %d\n", b.name.name, err);
            continue;
        }
        printf("nvt: block %s %lu %08lx\n", b.name.name, (unsigned long)b.size,
               (unsigned long)nvt_hash((const uint8_t *)a, b.size));
        n++;
    }
    printf("nvt: dump done %d\n", n);
    return 0;
}

/* The size of NVRAM block name from the PMM's listing, 0 when there is none. */
static uint32_t nvt_size(const char *name)
{
    static struct pmm_block_info b;
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
    for (uint32_t i = 0;; i++) {
        struct ipc_bufs bufs = { 0, 0, &b, sizeof(b), 0 };
        struct sys_ipc_ret r = sys_ipc_call(port, PMM_OP_BLOCK_INFO, i, 0, 0, &bufs);
        if (r.status != K_OK || (int32_t)r.w[0] != K_OK)
            return 0;
        if (strcmp(b.name.medium, "NVRAM") == 0 && strcmp(b.name.name, name) == 0)
            return b.size;
    }
}

/* Retrieves block name with the key, as its owner must before pmmSync or pmmFree (each run
   is a new actor: it holds nothing until it proves the key). Nothing when it is not listed. */
static void nvt_hold(const char *name)
{
    VmAddr a;
    uint32_t size = nvt_size(name);
    if (size)
        nvt_alloc(&a, name, size);
}

/* The churn of the power-cut scenarios: see the top of the file. */
static int nvt_churn(uint32_t seed, int steps)
{
    uint32_t s = seed ? seed : 1;
    for (int k = 1; k <= steps; k++) {
        char name[4] = { 'c', (char)('0' + nvt_rand(&s) % 4), 0, 0 };
        VmAddr a;
        size_t size = 1 + nvt_rand(&s) % (3 * 4096);
        uint32_t size_now = nvt_size(name);
        int err;
        if (size_now == 0) {
            printf("nvt: step %d begin alloc %s %lu %08lx\n", k, name, (unsigned long)size,
                   (unsigned long)nvt_zero_hash(size));
            err = nvt_alloc(&a, name, size);
        } else if (nvt_rand(&s) % 4 == 0) {
            printf("nvt: step %d begin free %s\n", k, name);
            err = nvt_free(name);
        } else if ((err = nvt_alloc(&a, name, size_now)) == K_OK) {
            uint32_t pseed = nvt_rand(&s);
            nvt_pattern((uint8_t *)a, size_now, pseed);
            printf("nvt: step %d begin sync %s %lu %08lx\n", k, name, (unsigned long)size_now,
                   (unsigned long)nvt_hash((const uint8_t *)a, size_now));
            err = nvt_sync(name);
        }
        if (err != K_OK) {
            printf("nvt: step %d failed: %d\n", k, err);
            return 1;
        }
        printf("nvt: step %d done\n", k);
    }
    printf("nvt: churn done\n");
    return 0;
}

/* pmmSync's bad input: each error, nothing changed. */
static int nvt_errors(void)
{
    PmmName n;
    int fails = 0;
    nvt_name(&n, "NVRAM", "nosuch");
    fails += pmmSync(&n) != K_EUNKNOWN;
    nvt_name(&n, "DISK", "x");
    fails += pmmSync(&n) != K_EINVAL;
    nvt_name(&n, "NVRAM", "");
    fails += pmmSync(&n) != K_EINVAL;
    fails += pmmSync((PmmName *)0x40010000) != K_EFAULT;
    fails += pmmSync(NULL) != K_EFAULT;
    VmAddr a;
    nvt_name(&n, "NVRAM", "errs");
    fails += pmmAllocate(&a, &n, 4096, NVT_KEY, sizeof(NVT_KEY)) != K_OK;
    fails += pmmAllocate(&a, &n, 4096, "other", 6) != K_EPRIV;      /* same rules as RAM */
    fails += pmmAllocate(&a, &n, 8192, NVT_KEY, sizeof(NVT_KEY)) != K_EINVAL;
    nvt_name(&n, "NVRAM", "__SYSx");
    fails += pmmAllocate(&a, &n, 4096, "__SYSk", 7) != K_EPRIV;
    nvt_name(&n, "NVRAM", "errs");
    fails += pmmFree(&n) != K_OK;
    fails += pmmFree(&n) != K_EUNKNOWN;
    printf("nvt: errors %s (%d wrong)\n", fails ? "FAIL" : "ok", fails);
    return fails != 0;
}

/* SYS_DEVICE_MAP: its errors, and a mapped flash the kernel's checked copies refuse. */
static int nvt_devmap(void)
{
    const uint32_t va = 0x20000000u;
    int fails = 0;
    long size = sys_call2(SYS_DEVICE_MAP, DEVICE_NVRAM, va);
    if (size == K_EPRIV) {
        printf("nvt: devmap K_EPRIV\n");
        return 0;
    }
    fails += size != 0x04000000;
    fails += sys_call2(SYS_DEVICE_MAP, 99, va) != K_EUNKNOWN;
    fails += sys_call2(SYS_DEVICE_MAP, DEVICE_NVRAM, va + 1) != K_EINVAL;
    fails += sys_call2(SYS_DEVICE_MAP, DEVICE_NVRAM, 0x30000000u) != K_EINVAL;
    fails += sys_call2(SYS_DEVICE_MAP, DEVICE_NVRAM, va) != K_EEXIST;
    uint32_t magic = *(volatile uint32_t *)va, copy = 0;
    fails += magic != 0x4753564eu;                                  /* "NVSG" */
    fails += sys_user_copy(&copy, (const void *)va, 4) != K_EFAULT;
    fails += sys_call2(SYS_CONSOLE_WRITE, va, 4) != K_EFAULT;
    printf("nvt: devmap %s (%d wrong), magic %08lx\n", fails ? "FAIL" : "ok", fails,
           (unsigned long)magic);
    return fails != 0;
}

/* pmmSync of a 4 KiB block n times, for the bench (a word changes each time). */
static int nvt_bench(int n)
{
    VmAddr a;
    if (nvt_alloc(&a, "bench", 4096) != K_OK)
        return 1;
    for (int i = 0; i < n; i++) {
        nvt_pattern((uint8_t *)a, 4096, (uint32_t)i + 1u);
        if (nvt_sync("bench") != K_OK)
            return 1;
    }
    printf("nvt: bench done %d\n", n);
    return nvt_free("bench") != K_OK;
}

int main(int argc, char **argv)
{
    VmAddr a;
    int err;
    if (argc > 3 && !strcmp(argv[1], "later")) {
        sys_call1(SYS_DELAY, strtoul(argv[2], NULL, 0) * 1000u);
        argc -= 2;
        argv += 2;
    }
    const char *op = argc > 1 ? argv[1] : "";
    if (!strcmp(op, "alloc") && argc == 4) {
        err = nvt_alloc(&a, argv[2], strtoul(argv[3], NULL, 0));
        printf("nvt: alloc %s %d addr 0x%08lx\n", argv[2], err, (unsigned long)a);
    } else if (!strcmp(op, "fill") && argc == 5) {
        size_t size = strtoul(argv[3], NULL, 0);
        err = nvt_alloc(&a, argv[2], size);
        if (err == K_OK) {
            nvt_pattern((uint8_t *)a, size, (uint32_t)strtoul(argv[4], NULL, 0));
            printf("nvt: filled %s %08lx\n", argv[2], (unsigned long)nvt_hash((uint8_t *)a, size));
        } else {
            printf("nvt: fill %s %d\n", argv[2], err);
        }
    } else if (!strcmp(op, "sync") && argc == 3) {
        nvt_hold(argv[2]);
        err = nvt_sync(argv[2]);
        printf("nvt: sync %s %d\n", argv[2], err);
    } else if (!strcmp(op, "check") && argc == 4) {
        size_t size = strtoul(argv[3], NULL, 0);
        err = nvt_alloc(&a, argv[2], size);
        printf("nvt: check %s %d %08lx addr 0x%08lx\n", argv[2], err,
               err ? 0ul : (unsigned long)nvt_hash((uint8_t *)a, size), (unsigned long)a);
    } else if (!strcmp(op, "free") && argc == 3) {
        nvt_hold(argv[2]);
        err = nvt_free(argv[2]);
        printf("nvt: free %s %d\n", argv[2], err);
    } else if (!strcmp(op, "dump")) {
        err = nvt_dump();
    } else if (!strcmp(op, "churn") && argc == 4) {
        err = nvt_churn((uint32_t)strtoul(argv[2], NULL, 0), atoi(argv[3]));
    } else if (!strcmp(op, "ramsync") && argc == 3) {
        PmmName n;
        nvt_name(&n, "RAM", argv[2]);
        err = pmmAllocate(&a, &n, 4096, NVT_KEY, sizeof(NVT_KEY));
        if (err == K_OK) {
            *(volatile uint32_t *)a = 0x5eed;
            err = pmmSync(&n);
            pmmFree(&n);
        }
        printf("nvt: ramsync %s %d\n", argv[2], err);
    } else if (!strcmp(op, "errors")) {
        err = nvt_errors();
    } else if (!strcmp(op, "devmap")) {
        err = nvt_devmap();
    } else if (!strcmp(op, "bench") && argc == 3) {
        err = nvt_bench(atoi(argv[2]));
    } else {
        printf("nvt: usage: alloc|fill|sync|check|free|dump|churn|ramsync|errors|devmap|bench\n");
        return 2;
    }
    return err ? 1 : 0;
}

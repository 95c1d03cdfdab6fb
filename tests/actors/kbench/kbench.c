/* Kernel benchmarks: times the kernel's basic operations with the virtual counter (CNTVCT,
   read from user mode) and prints `bench: <name> <ns>` lines for scripts/bench.py, which
   runs this image under -icount shift=0 (one instruction = 1 ns of virtual time, CNTVCT
   at 62.5 MHz: 16 ns a tick). Each figure is the average of many iterations:

   null_syscall_ns       SYS_NULL: user -> kernel -> user, nothing done.
   ipc_roundtrip_ns      sys_ipc_call to kbsrv, which answers and waits for the next call
                         with sys_ipc_reply_recv: four words each way, no buffer; two
                         context switches and two system calls (the IPC fast path).
   ipc_roundtrip_split_ns  the same with a server that answers with sys_ipc_reply, then
                         waits with sys_ipc_recv: three system calls.
   ipc_4k_ns             as ipc_roundtrip_ns with 4 KiB each way: the call's buffer copied
                         to kbsrv, which sends it back in its reply.
   rgn_alloc_free_ns     rgnAllocate(K_ANYWHERE | K_WRITABLE) of one page (zeroed, mapped),
                         then rgnFree of it.
   actor_create_exit_ns  SYS_ACTOR_CREATE of nop, which runs crt0, main and exit(0), until
                         its exit record reaches this actor on its fault port: creation,
                         a whole (short) life, and deletion; each from an idle system (a
                         millisecond's sleep first, untimed), as a console's arun is, so the
                         pages the kernel zeroes while idle are there.
   actor_create_exit_burst_ns  the same back to back, with no idle moment: the kernel zeroes
                         pages on demand once those zeroed ahead are used up.
   context_switch_ns     two actors of the same priority (this one and `kbsrv yield`)
                         handing the processor to each other with SYS_YIELD: the time of one
                         SYS_YIELD that switches address spaces (trap, scheduler, TTBR0 and
                         ASID switch, return to the other actor), i.e. a round of both
                         actors' yields divided by two.

   Needs PRIV_ACTORS (spawn and kill its partners), PRIV_SERVER (to pass on to kbsrv) and
   PRIV_FAULTS (its fault port). */
#include <chorus.h>
#include <reprise/counter.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

#define KBENCH_NULL_ITERS    10000
#define KBENCH_IPC_ITERS     2000
#define KBENCH_RGN_ITERS     1000
#define KBENCH_CREATE_ITERS  200
#define KBENCH_SWITCH_ITERS  2000
#define KBENCH_WARMUP        16
#define KBSRV_PORT           6
#define KBENCH_GROUP         1      /* a group makes exits go to the fault port, unprinted */

static uint32_t kbench_hz;

/* Prints the average time of one operation: ticks over count operations, in ns. */
static void kbench_report(const char *name, uint64_t ticks, uint32_t count)
{
    uint64_t ns = (ticks * 1000000000ull + (uint64_t)kbench_hz * count / 2) /
                  ((uint64_t)kbench_hz * count);
    printf("bench: %s %lu\n", name, (unsigned long)ns);
}

/* Starts image with one argument (or none); returns its aid or K_E*. */
static int kbench_spawn(const char *image, const char *arg, int32_t group)
{
    char args[64];
    size_t n = strlen(image) + 1;
    memcpy(args, image, n);
    if (arg) {
        memcpy(args + n, arg, strlen(arg) + 1);
        n += strlen(arg) + 1;
    }
    struct actor_spawn sp;
    memset(&sp, 0, sizeof(sp));
    strcpy(sp.image, image);
    sp.argc = arg ? 2 : 1;
    sp.args_len = (uint32_t)n;
    sp.args = args;
    sp.privileges = ACTOR_PRIVS_IMAGE;
    sp.group = group;
    return (int)sys_call1(SYS_ACTOR_CREATE, (long)&sp);
}

static void kbench_null(void)
{
    for (int i = 0; i < KBENCH_WARMUP; i++)
        sys_call0(SYS_NULL);
    uint64_t t0 = counter_now();
    for (int i = 0; i < KBENCH_NULL_ITERS; i++)
        sys_call0(SYS_NULL);
    kbench_report("null_syscall_ns", counter_now() - t0, KBENCH_NULL_ITERS);
}

static char kbench_out[IPC_BUF_MAX], kbench_in[IPC_BUF_MAX];

/* Times calls to `kbsrv mode` as figure name: four words each way, and with bufs (NULL: none)
   the buffers too, whose reply must be what was sent. Kills kbsrv at the end. */
static int kbench_ipc(const char *mode, const char *name, struct ipc_bufs *bufs)
{
    int srv = kbench_spawn("kbsrv", mode, 0);
    int port = K_EUNKNOWN;
    if (srv < 0)
        return srv;
    for (int i = 0; i < 1000 && (port = (int)sys_call1(SYS_PORT_LOOKUP, KBSRV_PORT)) < 0; i++)
        sys_call0(SYS_YIELD);       /* until kbsrv has made its port */
    if (port < 0)
        return port;
    for (int i = 0; i < KBENCH_WARMUP; i++)
        sys_ipc_call(port, 1, 2, 3, 4, bufs);
    uint64_t t0 = counter_now();
    for (uint32_t i = 0; i < KBENCH_IPC_ITERS; i++) {
        struct sys_ipc_ret r = sys_ipc_call(port, i, 2, 3, 4, bufs);
        if (r.status != K_OK || r.w[0] != i + 1 || r.r5 != (bufs ? bufs->send_len : 0))
            return r.status != K_OK ? (int)r.status : K_EINVAL;
    }
    uint64_t t = counter_now() - t0;
    if (bufs && memcmp(kbench_in, kbench_out, bufs->send_len))
        return K_EINVAL;
    kbench_report(name, t, KBENCH_IPC_ITERS);
    return (int)sys_call1(SYS_ACTOR_KILL, srv);
}

static int kbench_rgn(void)
{
    KnRgnDesc r;
    int err = K_OK;
    uint64_t t0 = 0;
    for (int i = -KBENCH_WARMUP; i < KBENCH_RGN_ITERS && err == K_OK; i++) {
        if (i == 0)
            t0 = counter_now();
        memset(&r, 0, sizeof(r));
        r.size = ACTOR_PAGE_SIZE;
        r.options = K_ANYWHERE | K_WRITABLE;
        err = rgnAllocate(K_MYACTOR, &r);
        r.options = 0;
        if (err == K_OK)
            err = rgnFree(K_MYACTOR, &r);
    }
    if (err == K_OK)
        kbench_report("rgn_alloc_free_ns", counter_now() - t0, KBENCH_RGN_ITERS);
    return err;
}

static int kbench_create(void)
{
    int fport = (int)sys_call1(SYS_PORT_CREATE, 0);
    int err = fport < 0 ? fport : (int)sys_call1(SYS_FAULT_PORT_SET, fport);
    uint64_t ticks = 0;
    for (int i = -KBENCH_WARMUP; i < KBENCH_CREATE_ITERS && err == K_OK; i++) {
        sys_call1(SYS_DELAY, 1000);
        uint64_t t0 = counter_now();
        int aid = kbench_spawn("nop", NULL, KBENCH_GROUP);
        if (aid < 0)
            return aid;
        struct sys_ipc_ret m = sys_ipc_recv(fport, NULL);
        if (i >= 0)
            ticks += counter_now() - t0;
        if (m.status != K_OK || m.r6 != IPC_SENDER_KERNEL || m.w[0] != FAULT_KIND_EXIT ||
            (int)m.w[1] != aid)
            err = m.status != K_OK ? (int)m.status : K_EINVAL;
    }
    if (err == K_OK)
        kbench_report("actor_create_exit_ns", ticks, KBENCH_CREATE_ITERS);
    uint64_t t0 = counter_now();
    for (int i = 0; i < KBENCH_CREATE_ITERS && err == K_OK; i++) {
        int aid = kbench_spawn("nop", NULL, KBENCH_GROUP);
        if (aid < 0)
            return aid;
        struct sys_ipc_ret m = sys_ipc_recv(fport, NULL);
        if (m.status != K_OK || m.r6 != IPC_SENDER_KERNEL || m.w[0] != FAULT_KIND_EXIT ||
            (int)m.w[1] != aid)
            err = m.status != K_OK ? (int)m.status : K_EINVAL;
    }
    if (err == K_OK)
        kbench_report("actor_create_exit_burst_ns", counter_now() - t0, KBENCH_CREATE_ITERS);
    return err;
}

static int kbench_switch(void)
{
    int other = kbench_spawn("kbsrv", "yield", 0);
    if (other < 0)
        return other;
    for (int i = 0; i < KBENCH_WARMUP; i++)
        sys_call0(SYS_YIELD);
    uint64_t t0 = counter_now();
    for (int i = 0; i < KBENCH_SWITCH_ITERS; i++)
        sys_call0(SYS_YIELD);
    kbench_report("context_switch_ns", counter_now() - t0, 2 * KBENCH_SWITCH_ITERS);
    return (int)sys_call1(SYS_ACTOR_KILL, other);
}

int main(void)
{
    int err;
    kbench_hz = counter_hz();
    kbench_null();
    if ((err = kbench_ipc("echo", "ipc_roundtrip_ns", NULL)) != K_OK)
        printf("kbench: ipc_roundtrip failed: %d\n", err);
    if ((err = kbench_ipc("split", "ipc_roundtrip_split_ns", NULL)) != K_OK)
        printf("kbench: ipc_roundtrip_split failed: %d\n", err);
    for (uint32_t i = 0; i < sizeof(kbench_out); i++)
        kbench_out[i] = (char)(i * 7 + 1);
    struct ipc_bufs b = { kbench_out, sizeof(kbench_out), kbench_in, sizeof(kbench_in), 0 };
    if ((err = kbench_ipc("bulk", "ipc_4k_ns", &b)) != K_OK)
        printf("kbench: ipc_4k failed: %d\n", err);
    if ((err = kbench_rgn()) != K_OK)
        printf("kbench: rgn_alloc_free failed: %d\n", err);
    if ((err = kbench_create()) != K_OK)
        printf("kbench: actor_create_exit failed: %d\n", err);
    if ((err = kbench_switch()) != K_OK)
        printf("kbench: context_switch failed: %d\n", err);
    printf("bench: done\n");
    return 0;
}

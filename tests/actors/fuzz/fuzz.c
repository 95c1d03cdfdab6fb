/* Test actor of the torture suite's system-call fuzzer (tests/torture/fuzz.py): calls every
 * system call number, and numbers out of range, with random and edge-case arguments, sends
 * random requests to the PMM server and the HR controller, and prints one summary line.
 *
 *   fuzz run SEED COUNT   the fuzzer: COUNT fuzzed calls from xorshift32(SEED), then
 *                         "fuzz: done seed=S calls=N fuzzed=F priv=P server=V children=C
 *                          neutered=X wrong=W okmask=M okmask2=M2 ok=.. einval=.. ..." and
 *                         exit(0) (M, M2: bit n of M, bit n - 32 of M2, set when call n
 *                         succeeded at least once)
 *                         (W: wrong results, calls that succeeded with a pointer they must
 *                         refuse; the first few are also said as "fuzz: FAIL call ...")
 *   fuzz idle             a child that sleeps for ever (a live target to kill, inject, map into)
 *   fuzz call PORT CAP W0 a child that calls PORT once with word W0 (no send buffer, CAP
 *                         bytes to receive): a port of the fuzzer's, or a server's
 *   fuzz read             a child that reads the console without NONBLOCK (blocks until killed)
 *   fuzz delay US         a child that sleeps US microseconds, then until the counter reads
 *                         US:US (huge values: until killed)
 * Any other arguments: exit at once (children may be given random ones).
 *
 * What the fuzzer may do depends on the privileges it runs with (tests/images/fuzz.image: none;
 * fuzzpriv.image: actors, server, faults, bank, site). The calls that legitimately end the run
 * or harm the actors the driver checks through are neutered: their arguments are changed just
 * before the call, every other argument check stays fuzzed. The rules (fuzz_neuter):
 *  - Pointers the kernel may write through (outputs, ipc_bufs.recv) never reach the fuzzer's
 *    own state: data, bss, heap and stack ([__data_start, ACTOR_RGN_VADDR) and the PMM area
 *    above its first page up to the stack top) are replaced by the stack guard page. Valid
 *    pointers point into a scratch region at FUZZ_SCRATCH_VA (rebuilt after any rgnFree),
 *    followed by a K_RESERVED page, so that lengths running past it fault.
 *  - SYS_EXIT is never fuzzed (its status takes any value): the run ends with it; children
 *    (nop, fuzz delay) exit with random statuses. SYS_SITE_RESTART is never made with
 *    PRIV_SITE (it takes no argument; without the privilege it is fuzzed: K_EPRIV).
 *  - SYS_ACTOR_KILL and SYS_ACTOR_INJECT never name the fuzzer itself (nor aid 0, which
 *    names the caller for SYS_ACTOR_INJECT: abort() uses it); with PRIV_ACTORS,
 *    they, SYS_RGN_ALLOCATE/FREE and SYS_BANK_MAP never name a live actor other than the
 *    fuzzer and its children (PMM, HR and C_INIT are what the driver checks through).
 *  - SYS_CONSOLE_READ gets CONSOLE_READ_NONBLOCK when its flags are otherwise valid (a
 *    blocking read waits for typed input; the "read" child covers it and is killed).
 *    SYS_DELAY is capped to 255 us, SYS_DELAY_UNTIL to 255 us from now (the "delay" child
 *    takes the huge values).
 *  - SYS_IPC_RECV (and SYS_IPC_REPLY_RECV) on a port of the fuzzer's with no caller coming
 *    would wait for ever: its bufs then point to the guard page (K_EFAULT, nothing done).
 *    With PRIV_ACTORS, "call" children provide callers, and the receive is made for real.
 *  - SYS_CONSOLE_WRITE from valid memory prints at most 2 characters of a row of dots.
 *  - SYS_RGN_ALLOCATE of more than 1 MiB and less than the whole page pool is cut to 1 MiB
 *    (zeroing hundreds of MiB costs time, not coverage: sizes above the pool fail K_ENOMEM).
 *  - SYS_ACTOR_CREATE starts only nop and fuzz (in a child mode): a second PMM, HR or C_INIT
 *    would take over the bank, the fault port or the console; other images are refused.
 *    At most FUZZ_CHILDREN_MAX children live at once; all are killed at the end.
 *  - SYS_FAULT_PORT_SET with a port of the fuzzer's would take the fault port from HR for
 *    good (only a port's owner may set it, and HR sets it once at start): another port is
 *    given instead (K_EPRIV). SYS_BANK_UNMAP with a valid range would unmap the bank from the
 *    PMM server too (it unmaps from every actor but the caller): its size is made invalid.
 *    SYS_BANK_MAP never maps at ACTOR_PMM_VADDR, the page kept unmapped as a bad pointer;
 *    into the fuzzer itself it maps only within FUZZ_BANK_WINDOW_VA's 4 pages (+ size): no
 *    call removes an actor's own bank regions, and they would fill its region table.
 *  - HR_OP_RUN (with PRIV_ACTORS) names no real image, except "fuzz idle" in a group that is
 *    killed at once (HR_OP_KILL_GROUP): a restartable nop would loop into a site restart.
 *    PMM requests need no neutering: the image holds no other blocks; the fuzzer frees every
 *    block at the end.
 *
 * Without privileges, each run ends with the protection attacks (docs/design.md, Protection)
 * on a victim the driver starts in tests/images/fuzz.image (image protvic, restart group
 * FUZZ_VICTIM_GID, block FUZZ_VICTIM under key FUZZ_VICTIM_KEY): the listing must show no
 * block of another image, group or holder and no reply the victim's key; freeing the victim's
 * block and retrieving it with a guessed key must be K_EPRIV; HR must spawn nothing for it
 * (K_EPRIV: hrfexec outside a group, a direct actor without PRIV_ACTORS) and kill no group
 * of others. Each failure is a wrong result, said as "fuzz: FAIL call attack=N ...". */
#include <hr/hr.h>
#include <hr/proto.h>
#include <pmm/proto.h>
#include <reprise/counter.h>
#include <reprise/errors.h>
#include <reprise/rgn.h>
#include <reprise/sys.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_SCRATCH_VA     0x2f000000u
#define FUZZ_SCRATCH_SIZE   0x4000u
#define FUZZ_RESERVED_VA    (FUZZ_SCRATCH_VA + FUZZ_SCRATCH_SIZE)
#define FUZZ_GUARD_VA       (ACTOR_STACK_LOW_VADDR - ACTOR_PAGE_SIZE)
#define FUZZ_PMM_PROBE_VA   ACTOR_PMM_VADDR
#define FUZZ_BANK_WINDOW_VA (ACTOR_PMM_END_VADDR - 64 * ACTOR_PAGE_SIZE)
#define FUZZ_RGN_CAP        0x100000u
#define FUZZ_POOL_BYTES     0x10000000u      /* above this, rgnAllocate fails K_ENOMEM */
#define FUZZ_CHILDREN_MAX   6
#define FUZZ_PORTS_MAX      8
#define FUZZ_NAMES          8
#define FUZZ_BLOCKS_MAX     256              /* the bank's directory holds no more */
#define FUZZ_RUN_GID        7001             /* HR_OP_RUN's valid path: killed at once */
#define FUZZ_VICTIM         "fz.victim"      /* the attacks' victim (tests/torture/fuzz.py) */
#define FUZZ_VICTIM_KEY     "FZ-SECRET-KEY"
#define FUZZ_VICTIM_GID     9

/* Where the fuzzer builds structures in the scratch region (offsets). */
#define FUZZ_S_BUFS   0x3000u
#define FUZZ_S_DESC   0x3040u
#define FUZZ_S_SPEC   0x3080u
#define FUZZ_S_ARGS   0x3100u
#define FUZZ_S_REQ    0x3200u
#define FUZZ_S_REPLY  0x3800u

extern char __data_start[], __text_end[];

enum fuzz_child_kind { FUZZ_CHILD_OTHER, FUZZ_CHILD_CALL };

struct fuzz_child {
    int32_t aid;            /* 0: free entry */
    int32_t port;           /* FUZZ_CHILD_CALL: the port it calls, until received */
    uint8_t kind;
};

static uint32_t fuzz_rng;
static int32_t fuzz_self;
static uint32_t fuzz_privs;
static uint32_t fuzz_bank_size;
static int fuzz_pmm_port, fuzz_hr_port;
static int fuzz_scratch_ok;
static int fuzz_stop;                   /* the run cannot go on: clean up and say so */
static int32_t fuzz_ports[FUZZ_PORTS_MAX];
static uint32_t fuzz_nports;
static struct fuzz_child fuzz_children[FUZZ_CHILDREN_MAX];
static int32_t fuzz_stale_aids[8];
static uint32_t fuzz_tokens[4];
static char fuzz_images[16][ACTOR_NAME_MAX];
static uint32_t fuzz_nimages;

/* Counters of the summary line. */
static uint32_t fuzz_calls, fuzz_fuzzed, fuzz_server, fuzz_spawned, fuzz_neutered, fuzz_wrong;
static uint64_t fuzz_ok_mask;           /* bit n: call n succeeded at least once */
_Static_assert(SYS_COUNT <= 64, "fuzz_ok_mask has a bit for each call");
static uint32_t fuzz_results[16];       /* [0] K_OK or > 0, [-e] K_E*, [15] anything else */

static const char fuzz_dots[] = "................................";
static const char *const fuzz_pmm_names[FUZZ_NAMES] = {
    "f0", "f1", "f2", "f3", "fuzz-block", "x", "", "a-rather-long-name-of-31-chars-x",
};

/* ---- randomness and output ------------------------------------------------------------ */

/* xorshift32: the fuzzer's only source of randomness, so that a seed replays exactly. */
static uint32_t fuzz_rand(void)
{
    uint32_t x = fuzz_rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return fuzz_rng = x;
}

/* A number in 0..n-1. */
static uint32_t fuzz_below(uint32_t n)
{
    return fuzz_rand() % n;
}

/* One in n. */
static int fuzz_chance(uint32_t n)
{
    return fuzz_below(n) == 0;
}

/* Any system call, r0-r6 back; every call the fuzzer makes goes through here. */
static struct sys_ipc_ret fuzz_svc(uint32_t n, const uint32_t a[7])
{
    fuzz_calls++;
    if (n == SYS_IPC_REPLY_RECV)     /* the one call with a seventh argument (r6) */
        return sys_ipc_reply_recv(a[0], a[1], a[2], a[3], a[4], (struct ipc_bufs *)a[5], (int)a[6]);
    return sys_ipc6((long)n, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
}

/* A call with up to three arguments (the fuzzer's own bookkeeping). */
static long fuzz_call3(uint32_t n, uint32_t a0, uint32_t a1, uint32_t a2)
{
    const uint32_t a[7] = { a0, a1, a2, 0, 0, 0, 0 };
    return fuzz_svc(n, a).status;
}

/* Writes a string to the console. */
static void fuzz_puts(const char *s)
{
    fuzz_call3(SYS_CONSOLE_WRITE, (uint32_t)(uintptr_t)s, (uint32_t)strlen(s), 0);
}

/* Appends the decimal form of v to the string at *p. */
static void fuzz_fmt_u32(char **p, uint32_t v)
{
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *(*p)++ = tmp[--n];
    **p = '\0';
}

/* Appends string s to the string at *p. */
static void fuzz_fmt_str(char **p, const char *s)
{
    while (*s)
        *(*p)++ = *s++;
    **p = '\0';
}

/* Appends " name=v". */
static void fuzz_fmt_field(char **p, const char *name, uint32_t v)
{
    fuzz_fmt_str(p, " ");
    fuzz_fmt_str(p, name);
    fuzz_fmt_str(p, "=");
    fuzz_fmt_u32(p, v);
}

/* ---- argument generators -------------------------------------------------------------- */

static const uint32_t fuzz_edges[] = {
    0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 4095, 4096, 4097,
    0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe, 0xfffff000, 0x7ffff000,
    0x40000000, 0x3fffffff, 0x10000, 0xffff, 0x100000,
};

/* A word: edge values, small numbers, single bits or anything. */
static uint32_t fuzz_word(void)
{
    switch (fuzz_below(6)) {
    case 0:
    case 1:
        return fuzz_edges[fuzz_below(sizeof(fuzz_edges) / sizeof(fuzz_edges[0]))];
    case 2:
        return fuzz_below(70);
    case 3:
        return 1u << fuzz_below(32);
    case 4:
        return (uint32_t)-(int32_t)fuzz_below(16);
    default:
        return fuzz_rand();
    }
}

/* A length: edge values around pages, chunks and IPC_BUF_MAX, small, or anything. */
static uint32_t fuzz_len(void)
{
    switch (fuzz_below(5)) {
    case 0:
        return fuzz_edges[fuzz_below(sizeof(fuzz_edges) / sizeof(fuzz_edges[0]))];
    case 1:
    case 2:
        return fuzz_below(200);
    case 3:
        return IPC_BUF_MAX - 2 + fuzz_below(5);
    default:
        return fuzz_rand() >> fuzz_below(32);
    }
}

/* Tells whether [p, p + len) may hold the fuzzer's own state (data, bss, heap, stack, or
   the PMM area where bank blocks may be mapped writable). A range that wraps round is
   refused by the kernel whatever it holds. */
static int fuzz_protected(uint32_t p, uint32_t len)
{
    uint64_t lo = p, hi = (uint64_t)p + (len ? len : 1);
    if (hi > 0x100000000ull)
        return 0;
    return (lo < ACTOR_RGN_VADDR && hi > (uintptr_t)__data_start) ||
           (lo < ACTOR_STACK_TOP_VADDR && hi > FUZZ_PMM_PROBE_VA + ACTOR_PAGE_SIZE);
}

/* A pointer: NULL, into the scratch region (valid, aligned or not), straddling its ends
   into unmapped pages, the fuzzer's own text, kernel and device addresses, the stack guard
   page, a K_RESERVED page, the unmapped first page of the PMM area, edge values, anything.
   *valid says whether it points into valid scratch memory. */
static uint32_t fuzz_ptr(int *valid)
{
    uint32_t text = (uint32_t)(uintptr_t)__text_end - ACTOR_IMAGE_VADDR;
    *valid = 0;
    switch (fuzz_below(16)) {
    case 0:
        return 0;
    case 1:
    case 2:
    case 3:
        *valid = 1;
        return FUZZ_SCRATCH_VA + fuzz_below(FUZZ_SCRATCH_SIZE);
    case 4:
    case 5:
        *valid = 1;
        return FUZZ_SCRATCH_VA + (fuzz_below(FUZZ_SCRATCH_SIZE / 8) * 8);
    case 6:
        return FUZZ_RESERVED_VA - 1 - fuzz_below(64);
    case 7:
        return FUZZ_SCRATCH_VA - 1 - fuzz_below(64);
    case 8:
        return ACTOR_IMAGE_VADDR + fuzz_below(text);
    case 9: {
        static const uint32_t kernel[] = { 0x40000000, 0x40010000, 0x40008000, 0x4fc00000,
                                           0xc0000000, 0xffff0000, 0xfffffffc, 0x3ffffffc };
        return kernel[fuzz_below(8)] + (fuzz_chance(2) ? fuzz_below(4096) : 0);
    }
    case 10: {
        static const uint32_t device[] = { 0x08000000, 0x08010000, 0x09000000, 0x0a000000,
                                           0xf0000000, 0xf8000000 };
        return device[fuzz_below(6)] + fuzz_below(4096);
    }
    case 11:
        return FUZZ_GUARD_VA + fuzz_below(ACTOR_PAGE_SIZE);
    case 12:
        return (fuzz_chance(2) ? FUZZ_RESERVED_VA : FUZZ_PMM_PROBE_VA) + fuzz_below(ACTOR_PAGE_SIZE);
    case 13:
        return fuzz_edges[fuzz_below(sizeof(fuzz_edges) / sizeof(fuzz_edges[0]))];
    case 14:
        return ACTOR_RGN_VADDR + (fuzz_rand() & 0x0ffffffc);
    default: {
        uint32_t p = fuzz_rand();
        return fuzz_protected(p, 1) ? FUZZ_GUARD_VA + (p & 0xfff) : p;
    }
    }
}

/* A pointer for an output of len bytes, never into the fuzzer's own state. */
static uint32_t fuzz_out(uint32_t p, uint32_t len)
{
    if (!fuzz_protected(p, len))
        return p;
    fuzz_neutered++;
    return FUZZ_GUARD_VA + (p & 0xfff);
}

/* Whether aid names a live actor (SYS_ACTOR_INFO on its slot). */
static int fuzz_alive(int32_t aid)
{
    static struct actor_info info;
    if (aid <= 0)
        return 0;
    return fuzz_call3(SYS_ACTOR_INFO, (uint32_t)(aid % ACTOR_SLOTS - 1), (uint32_t)(uintptr_t)&info, 0) == K_OK &&
           info.aid == aid;
}

/* The entry of child aid, or NULL. */
static struct fuzz_child *fuzz_child(int32_t aid)
{
    for (int i = 0; aid > 0 && i < FUZZ_CHILDREN_MAX; i++)
        if (fuzz_children[i].aid == aid)
            return &fuzz_children[i];
    return NULL;
}

/* Forgets a child (it ended or was killed), remembering its aid as a stale one. */
static void fuzz_child_gone(struct fuzz_child *c)
{
    fuzz_stale_aids[fuzz_below(8)] = c->aid;
    memset(c, 0, sizeof(*c));
}

/* An actor id: 0 (the caller), the fuzzer, its children, stale ones, live actors of
   others (from a random slot), numbers around them, anything. */
static int32_t fuzz_aid(void)
{
    static struct actor_info info;
    switch (fuzz_below(9)) {
    case 0:
        return 0;
    case 1:
        return fuzz_self;
    case 2:
    case 3:
        return fuzz_children[fuzz_below(FUZZ_CHILDREN_MAX)].aid;
    case 4:
        return fuzz_stale_aids[fuzz_below(8)];
    case 5:
        fuzz_call3(SYS_ACTOR_INFO, fuzz_below(8), (uint32_t)(uintptr_t)&info, 0);
        return info.aid;
    case 6:
        return fuzz_self + (int32_t)(fuzz_below(5) - 2) * ACTOR_SLOTS;
    case 7:
        return (int32_t)fuzz_below(200);
    default:
        return (int32_t)fuzz_word();
    }
}

/* A port id: the PMM's, HR's, the fuzzer's, ids of other generations, small, anything. */
static int32_t fuzz_port(void)
{
    switch (fuzz_below(8)) {
    case 0:
        return fuzz_pmm_port;
    case 1:
        return fuzz_hr_port;
    case 2:
    case 3:
        return fuzz_nports ? fuzz_ports[fuzz_below(fuzz_nports)] : 0;
    case 4: {   /* the same slot in other generations: K_EDEAD or K_EUNKNOWN */
        int32_t p = fuzz_chance(2) ? fuzz_pmm_port : fuzz_nports ? fuzz_ports[0] : fuzz_hr_port;
        return p + (int32_t)(fuzz_below(5) - 2) * 64;
    }
    case 5:
        return (int32_t)fuzz_below(200) - 2;
    default:
        return (int32_t)fuzz_word();
    }
}

/* Fills n bytes of the scratch region at off with random bytes. */
static void fuzz_fill(uint32_t off, uint32_t n)
{
    uint8_t *p = (uint8_t *)(FUZZ_SCRATCH_VA + off);
    for (uint32_t i = 0; i < n; i += 4) {
        uint32_t r = fuzz_rand();
        for (uint32_t k = 0; k < 4 && i + k < n; k++)
            p[i + k] = (uint8_t)(r >> (8 * k));
    }
}

/* A name in the fuzzer's pool of names (for blocks, images), or garbage; NUL-terminated
   unless garbage says otherwise. Garbage is upper case: never a real image name. */
static void fuzz_name(char *dst, uint32_t size, const char *pool)
{
    uint32_t n;
    switch (fuzz_below(4)) {
    case 0:
        memset(dst, 'Q', size);           /* no NUL at all */
        return;
    case 1:
        n = fuzz_below(size);
        for (uint32_t i = 0; i < n; i++)
            dst[i] = (char)('A' + fuzz_below(26));
        memset(dst + n, 0, size - n);
        return;
    default:
        memset(dst, 0, size);
        strncpy(dst, pool, size);
        return;
    }
}

/* ---- the scratch region ---------------------------------------------------------------- */

/* (Re)makes the scratch region and the K_RESERVED page after it, after whatever a fuzzed
   rgnFree left there. Returns 0 when the kernel refuses (no pages, no region slot). */
static int fuzz_scratch_build(void)
{
    static struct rgn_desc d;
    for (int attempt = 0; attempt < 2; attempt++) {
        d = (struct rgn_desc){ .start_addr = FUZZ_SCRATCH_VA, .size = FUZZ_SCRATCH_SIZE + ACTOR_PAGE_SIZE };
        if (attempt)
            d = (struct rgn_desc){ .options = K_FREEALL };
        fuzz_call3(SYS_RGN_FREE, 0, (uint32_t)(uintptr_t)&d, 0);
        d = (struct rgn_desc){ .start_addr = FUZZ_SCRATCH_VA, .size = FUZZ_SCRATCH_SIZE,
                               .options = K_WRITABLE };
        if (fuzz_call3(SYS_RGN_ALLOCATE, 0, (uint32_t)(uintptr_t)&d, 0) != K_OK)
            continue;
        d = (struct rgn_desc){ .start_addr = FUZZ_RESERVED_VA, .size = ACTOR_PAGE_SIZE,
                               .options = K_RESERVED };
        if (fuzz_call3(SYS_RGN_ALLOCATE, 0, (uint32_t)(uintptr_t)&d, 0) == K_OK)
            return fuzz_scratch_ok = 1;
    }
    return 0;
}

/* Makes sure the scratch region is there and writable before the fuzzer writes into it. */
static void fuzz_scratch_check(void)
{
    if (fuzz_scratch_ok)
        return;
    if (fuzz_call3(SYS_USER_COPY, FUZZ_SCRATCH_VA, FUZZ_SCRATCH_VA, FUZZ_SCRATCH_SIZE) == K_OK &&
        fuzz_call3(SYS_USER_COPY, FUZZ_RESERVED_VA - 1, FUZZ_SCRATCH_VA, 2) == K_EFAULT) {
        fuzz_scratch_ok = 1;
        return;
    }
    if (!fuzz_scratch_build()) {
        fuzz_puts("\nfuzz: FAIL cannot rebuild the scratch region\n");
        fuzz_stop = 1;
    }
}

/* ---- children ------------------------------------------------------------------------ */

/* Writes a child's packed arguments "fuzz MODE [ARG [ARG]]" at FUZZ_S_ARGS; returns argc
   and sets *len. The mode is picked at random, "call" with the port in *port. */
static uint32_t fuzz_child_args(uint32_t *len, int32_t *port)
{
    static const char *const modes[] = { "idle", "call", "read", "delay", "nop" };
    char *p = (char *)(FUZZ_SCRATCH_VA + FUZZ_S_ARGS), *start = p;
    uint32_t mode = fuzz_below(5), argc = 2;
    *port = 0;
    if (mode == 1 && !fuzz_nports)
        mode = 0;
    if (mode == 2 && !fuzz_chance(8))
        mode = 0;               /* one reader at a time is enough */
    fuzz_fmt_str(&p, mode == 4 ? "nop" : "fuzz");
    p++;
    if (mode == 4) {
        fuzz_fmt_u32(&p, fuzz_word());
        p++;
        *len = (uint32_t)(p - start);
        return 2;
    }
    fuzz_fmt_str(&p, modes[mode]);
    p++;
    if (mode == 1) {
        /* The fuzzer's port (a caller to receive from), or a server's (a caller that may be
           killed while the server works on its request); the fuzzer's half the time, which
           SYS_IPC_RECV and SYS_IPC_REPLY_RECV both need to succeed. */
        uint32_t which = fuzz_chance(2) ? 2 : fuzz_below(2);
        int32_t target = which == 0 ? fuzz_pmm_port : which == 1 ? fuzz_hr_port
                       : fuzz_ports[fuzz_below(fuzz_nports)];
        *port = which == 2 ? target : 0;
        fuzz_fmt_u32(&p, (uint32_t)target);
        p++;
        fuzz_fmt_u32(&p, fuzz_below(64));
        p++;
        fuzz_fmt_u32(&p, which == 2 ? 9 + fuzz_below(1000) : 1 + fuzz_below(8));
        p++;
        argc = 5;
    } else if (mode == 3) {
        fuzz_fmt_u32(&p, fuzz_word());
        p++;
        argc = 3;
    }
    *len = (uint32_t)(p - start);
    return argc;
}

/* Records a new child; when the table is full, the oldest entry that still lives is killed
   first (entries of children that ended are reused). */
static void fuzz_child_add(int32_t aid, enum fuzz_child_kind kind, int32_t port)
{
    struct fuzz_child *c = NULL;
    for (int i = 0; !c && i < FUZZ_CHILDREN_MAX; i++)
        if (!fuzz_children[i].aid || !fuzz_alive(fuzz_children[i].aid))
            c = &fuzz_children[i];
    if (!c) {
        c = &fuzz_children[fuzz_below(FUZZ_CHILDREN_MAX)];
        fuzz_call3(SYS_ACTOR_KILL, (uint32_t)c->aid, 0, 0);
    }
    if (c->aid)
        fuzz_child_gone(c);
    c->aid = aid;
    c->kind = (uint8_t)kind;
    c->port = port;
    fuzz_spawned++;
}

/* Whether a caller is certain to come to the fuzzer's port: a live "call" child whose call
   has not been received yet. */
static int fuzz_caller_coming(int32_t port)
{
    for (int i = 0; i < FUZZ_CHILDREN_MAX; i++) {
        struct fuzz_child *c = &fuzz_children[i];
        if (c->aid && c->kind == FUZZ_CHILD_CALL && c->port == port && fuzz_alive(c->aid))
            return 1;
    }
    return 0;
}

/* After a receive on port from sender: that child's call has come. */
static void fuzz_call_received(int32_t sender)
{
    struct fuzz_child *c = fuzz_child(sender);
    if (c)
        c->port = 0;
    fuzz_tokens[fuzz_below(4)] = (uint32_t)sender;
}

/* Kills every child and waits until their slots are free (records go to HR first). */
static void fuzz_children_end(void)
{
    for (int i = 0; i < FUZZ_CHILDREN_MAX; i++)
        if (fuzz_children[i].aid)
            fuzz_call3(SYS_ACTOR_KILL, (uint32_t)fuzz_children[i].aid, 0, 0);
    for (int i = 0; i < FUZZ_CHILDREN_MAX; i++) {
        for (int wait = 0; fuzz_children[i].aid && fuzz_alive(fuzz_children[i].aid); wait++) {
            if (wait == 1000) {
                fuzz_puts("\nfuzz: FAIL a child does not end\n");
                break;
            }
            fuzz_call3(SYS_DELAY, 1000, 0, 0);
        }
        memset(&fuzz_children[i], 0, sizeof(fuzz_children[i]));
    }
}

/* ---- requests to the servers --------------------------------------------------------- */

/* Builds a request for the PMM server or HR: op in a[1] (w0), words, and a struct ipc_bufs
   at FUZZ_S_BUFS whose send buffer is a well-formed request of that op (random fields) or
   anything, a[5] pointing to it (or anything). */
static void fuzz_server_request(uint32_t a[7], int hr)
{
    struct ipc_bufs *b = (struct ipc_bufs *)(FUZZ_SCRATCH_VA + FUZZ_S_BUFS);
    uint32_t reqsize = 0, repsize = 0;
    int valid;
    a[1] = fuzz_chance(8) ? fuzz_word() : 1 + fuzz_below(8);
    a[2] = fuzz_chance(2) ? fuzz_below(8) : fuzz_word();
    a[3] = fuzz_word();
    a[4] = fuzz_word();
    fuzz_fill(FUZZ_S_REQ, 0x400 + 0x60);
    if (!hr && a[1] == PMM_OP_ALLOCATE) {
        struct pmm_alloc_req *r = (struct pmm_alloc_req *)(FUZZ_SCRATCH_VA + FUZZ_S_REQ);
        fuzz_name(r->name.medium, sizeof(r->name.medium), "RAM");
        fuzz_name(r->name.name, sizeof(r->name.name), fuzz_pmm_names[fuzz_below(FUZZ_NAMES)]);
        static const char *const keys[] = { "", "k", "__SYS_FUZZ", HR_GROUP_KEY, "key-of-32-bytes-exactly-xxxxxxx" };
        fuzz_name(r->key, sizeof(r->key), keys[fuzz_below(5)]);
        r->key_len = fuzz_chance(4) ? fuzz_word() : (uint32_t)strnlen(r->key, sizeof(r->key)) + fuzz_below(2);
        r->size = fuzz_chance(2) ? fuzz_below(3 * ACTOR_PAGE_SIZE) : fuzz_len();
        reqsize = sizeof(*r);
    } else if (!hr && a[1] == PMM_OP_FREE) {
        PmmName *n = (PmmName *)(FUZZ_SCRATCH_VA + FUZZ_S_REQ);
        fuzz_name(n->medium, sizeof(n->medium), "RAM");
        fuzz_name(n->name, sizeof(n->name), fuzz_pmm_names[fuzz_below(FUZZ_NAMES)]);
        reqsize = sizeof(*n);
    } else if (!hr && a[1] == PMM_OP_FREE_ALL) {
        char *k = (char *)(FUZZ_SCRATCH_VA + FUZZ_S_REQ);
        fuzz_name(k, PMM_KEY_SIZE, fuzz_chance(2) ? "k" : "__SYS_FUZZ");
        a[2] = fuzz_chance(2) ? (uint32_t)strnlen(k, PMM_KEY_SIZE) : fuzz_below(40);
        reqsize = a[2];
    } else if (!hr) {
        repsize = a[1] == PMM_OP_BLOCK_INFO ? sizeof(struct pmm_block_info)
                : a[1] == PMM_OP_USAGE ? sizeof(struct pmm_usage) : sizeof(struct pmm_stat);
    } else if (a[1] == HR_OP_FEXEC || a[1] == HR_OP_RUN) {
        struct hr_exec_req *r = (struct hr_exec_req *)(FUZZ_SCRATCH_VA + FUZZ_S_REQ);
        fuzz_name(r->base.medium, sizeof(r->base.medium), "RAM");
        fuzz_name(r->base.name, sizeof(r->base.name), "child");
        fuzz_name(r->image, sizeof(r->image), "NOPE");
        r->argc = fuzz_chance(2) ? 1 : fuzz_word();
        r->args_len = fuzz_chance(2) ? 5 : fuzz_len();
        reqsize = sizeof(*r);
    } else {
        repsize = a[1] == HR_OP_GROUP_INFO ? sizeof(struct hr_group_info)
                : a[1] == HR_OP_CRASH_INFO ? sizeof(struct hr_crash_info) : sizeof(struct hr_status);
    }
    b->send = (const void *)(FUZZ_SCRATCH_VA + FUZZ_S_REQ);
    b->send_len = fuzz_chance(8) ? fuzz_len() : reqsize;
    b->recv = (void *)(FUZZ_SCRATCH_VA + FUZZ_S_REPLY);
    b->recv_cap = fuzz_chance(8) ? fuzz_len() : repsize + fuzz_below(2) * 8;
    if (fuzz_chance(6))
        b->send = (const void *)fuzz_ptr(&valid);
    if (fuzz_chance(6))
        b->recv = (void *)fuzz_ptr(&valid);
    b->recv_len = fuzz_rand();
    a[5] = fuzz_chance(10) ? fuzz_ptr(&valid) : fuzz_chance(6) ? 0 : FUZZ_SCRATCH_VA + FUZZ_S_BUFS;
    fuzz_server++;
}

/* HR_OP_RUN's valid path, with PRIV_ACTORS: "fuzz idle" in group FUZZ_RUN_GID, which is
   killed at once with HR_OP_KILL_GROUP (the group never gets to restart anything). */
static void fuzz_hr_run(void)
{
    struct hr_exec_req *r = (struct hr_exec_req *)(FUZZ_SCRATCH_VA + FUZZ_S_REQ);
    struct ipc_bufs *b = (struct ipc_bufs *)(FUZZ_SCRATCH_VA + FUZZ_S_BUFS);
    memset(r, 0, sizeof(*r));
    strcpy(r->image, "fuzz");
    r->argc = 2;
    memcpy(r->args, "fuzz\0idle", 10);
    r->args_len = 10;
    *b = (struct ipc_bufs){ r, sizeof(*r), 0, 0, 0 };
    uint32_t a[7] = { (uint32_t)fuzz_hr_port, HR_OP_RUN, FUZZ_RUN_GID, 0, 0, (uint32_t)(uintptr_t)b, 0 };
    fuzz_svc(SYS_IPC_CALL, a);
    uint32_t k[7] = { (uint32_t)fuzz_hr_port, HR_OP_KILL_GROUP, FUZZ_RUN_GID, 0, 0, 0, 0 };
    fuzz_svc(SYS_IPC_CALL, k);
    fuzz_server += 2;
}

/* Checks the struct ipc_bufs at p: its recv area must not reach the fuzzer's state (the
   kernel writes there). Returns p, or the guard page when it would. */
static uint32_t fuzz_bufs_out(uint32_t p)
{
    static struct ipc_bufs b;
    if (!p || fuzz_call3(SYS_USER_COPY, (uint32_t)(uintptr_t)&b, p, sizeof(b)) != K_OK)
        return p;
    if (b.recv_cap <= IPC_BUF_MAX && fuzz_protected((uint32_t)(uintptr_t)b.recv, b.recv_cap)) {
        fuzz_neutered++;
        return FUZZ_GUARD_VA;
    }
    return p;
}

/* Whether an actor spawn descriptor at p would start something other than nop or the
   fuzzer's own child modes (built at FUZZ_S_SPEC): a real image of the system image. */
static int fuzz_spec_unsafe(uint32_t p)
{
    static struct actor_spawn sp;
    if (fuzz_call3(SYS_USER_COPY, (uint32_t)(uintptr_t)&sp, p, sizeof(sp)) != K_OK ||
        !memchr(sp.image, '\0', sizeof(sp.image)) || !strcmp(sp.image, "nop"))
        return 0;
    if (!strcmp(sp.image, "fuzz"))
        return p != FUZZ_SCRATCH_VA + FUZZ_S_SPEC ||
               (uint32_t)(uintptr_t)sp.args != FUZZ_SCRATCH_VA + FUZZ_S_ARGS;
    for (uint32_t i = 0; i < fuzz_nimages; i++)
        if (!strcmp(sp.image, fuzz_images[i]))
            return 1;
    return 0;
}

/* ---- one fuzzed call ----------------------------------------------------------------- */

/* A struct actor_spawn for SYS_ACTOR_CREATE and SYS_ACTOR_RESTART in the scratch region (its
   arguments too), mostly good; returns the pointer to pass, now and then a random one. */
static uint32_t fuzz_spawn_spec(void)
{
    int valid;
    struct actor_spawn *sp = (struct actor_spawn *)(FUZZ_SCRATCH_VA + FUZZ_S_SPEC);
    int32_t port;
    uint32_t len, argc = fuzz_child_args(&len, &port);
    fuzz_fill(FUZZ_S_SPEC, sizeof(*sp));
    fuzz_name(sp->image, sizeof(sp->image), (const char *)(FUZZ_SCRATCH_VA + FUZZ_S_ARGS));
    sp->argc = fuzz_chance(6) ? fuzz_word() : argc;
    sp->args_len = fuzz_chance(6) ? fuzz_len() : len;
    sp->args = fuzz_chance(6) ? (const char *)fuzz_ptr(&valid) : (const char *)(FUZZ_SCRATCH_VA + FUZZ_S_ARGS);
    sp->privileges = fuzz_chance(2) ? ACTOR_PRIVS_IMAGE : fuzz_chance(2) ? 0 : fuzz_word();
    sp->priority = fuzz_chance(2) ? 0 : fuzz_word();
    sp->group = fuzz_chance(2) ? 0 : (int32_t)fuzz_word();
    /* Held (until a SYS_ACTOR_RELEASE names it), but never a caller of the fuzzer's own
       port: a receive counts on that one to come. */
    sp->flags = port ? 0 : fuzz_chance(3) ? ACTOR_SPAWN_HELD : fuzz_chance(2) ? 0 : fuzz_word();
    return fuzz_chance(8) ? fuzz_ptr(&valid) : FUZZ_SCRATCH_VA + FUZZ_S_SPEC;
}

/* Builds the arguments of call n in a[] (random, shaped by what the call takes). */
static void fuzz_args(uint32_t n, uint32_t a[7])
{
    int valid;
    for (int i = 0; i < 7; i++)
        a[i] = fuzz_chance(2) ? fuzz_word() : fuzz_ptr(&valid);
    if (fuzz_chance(10))
        return;                         /* unshaped: anything in every register */
    switch (n) {
    case SYS_CONSOLE_WRITE:
        a[0] = fuzz_ptr(&valid);
        a[1] = fuzz_len();
        if (valid) {
            a[0] = (uint32_t)(uintptr_t)fuzz_dots + fuzz_below(8);
            a[1] = fuzz_below(3);
        }
        break;
    case SYS_CONSOLE_READ:
        a[0] = fuzz_ptr(&valid);
        a[1] = fuzz_len();
        a[2] = fuzz_chance(4) ? fuzz_word() : fuzz_below(4);
        break;
    case SYS_RGN_ALLOCATE:
    case SYS_RGN_FREE: {
        struct rgn_desc *d = (struct rgn_desc *)(FUZZ_SCRATCH_VA + FUZZ_S_DESC);
        static const uint32_t starts[] = { 0, ACTOR_IMAGE_VADDR, ACTOR_RGN_VADDR, 0x20000000,
                                           ACTOR_RGN_END_VADDR - ACTOR_PAGE_SIZE, ACTOR_PMM_VADDR,
                                           ACTOR_STACK_TOP_VADDR, FUZZ_SCRATCH_VA, FUZZ_RESERVED_VA,
                                           ACTOR_USER_TOP_VADDR - ACTOR_PAGE_SIZE, 0xfffff000 };
        a[0] = (uint32_t)fuzz_aid();
        fuzz_fill(FUZZ_S_DESC, sizeof(*d));
        d->start_addr = fuzz_chance(2) ? starts[fuzz_below(11)] + fuzz_below(8) * ACTOR_PAGE_SIZE
                      : fuzz_chance(2) ? 0x10000000 + (fuzz_rand() & 0x1ffff000) : fuzz_word();
        d->size = fuzz_chance(2) ? (1 + fuzz_below(8)) * ACTOR_PAGE_SIZE : fuzz_len();
        d->options = fuzz_chance(4) ? fuzz_word() : fuzz_rand() & RGN_OPTIONS_MASK;
        if (n == SYS_RGN_FREE)
            d->options = fuzz_chance(8) ? K_FREEALL : fuzz_chance(4) ? fuzz_word() : 0;
        a[1] = fuzz_chance(6) ? fuzz_ptr(&valid) : FUZZ_SCRATCH_VA + FUZZ_S_DESC;
        break;
    }
    case SYS_ACTOR_CREATE:
        a[0] = fuzz_spawn_spec();
        break;
    case SYS_ACTOR_RESTART:     /* HR's alone: K_EPRIV for the fuzzer */
    case SYS_ACTOR_ARM:
        a[0] = (uint32_t)fuzz_aid();
        a[1] = fuzz_chance(4) ? 0 : fuzz_spawn_spec();
        break;
    case SYS_ACTOR_STOP:        /* HR's alone: K_EPRIV for the fuzzer */
        a[0] = (uint32_t)fuzz_aid();
        break;
    case SYS_ACTOR_KILL:
    case SYS_ACTOR_INJECT:
        a[0] = (uint32_t)fuzz_aid();
        a[1] = fuzz_chance(2) ? fuzz_below(8) : fuzz_word();
        break;
    case SYS_ACTOR_RELEASE:
        a[0] = (uint32_t)fuzz_aid();
        break;
    case SYS_CONSOLE_MODE:
        a[0] = fuzz_chance(2) ? fuzz_below(3) : fuzz_word();
        break;
    case SYS_ACTOR_INFO:
    case SYS_IMAGE_INFO:
        a[0] = fuzz_chance(2) ? fuzz_below(70) : fuzz_word();
        a[1] = fuzz_ptr(&valid);
        break;
    case SYS_PORT_CREATE:
    case SYS_PORT_LOOKUP:
        a[0] = fuzz_chance(2) ? fuzz_below(12) - 1 : fuzz_word();
        break;
    case SYS_IPC_CALL:
    case SYS_IPC_REPLY: {
        a[0] = (uint32_t)fuzz_port();
        if (n == SYS_IPC_CALL && !fuzz_chance(4))
            a[0] = (uint32_t)(fuzz_chance(2) ? fuzz_pmm_port : fuzz_hr_port);
        if (n == SYS_IPC_REPLY)
            a[0] = fuzz_chance(2) ? fuzz_tokens[fuzz_below(4)] : (uint32_t)fuzz_aid();
        if (n == SYS_IPC_CALL && (a[0] == (uint32_t)fuzz_pmm_port || a[0] == (uint32_t)fuzz_hr_port)) {
            fuzz_server_request(a, a[0] == (uint32_t)fuzz_hr_port);
            break;
        }
        struct ipc_bufs *b = (struct ipc_bufs *)(FUZZ_SCRATCH_VA + FUZZ_S_BUFS);
        b->send = (const void *)fuzz_ptr(&valid);
        b->send_len = fuzz_len();
        b->recv = (void *)fuzz_ptr(&valid);
        b->recv_cap = fuzz_len();
        b->recv_len = fuzz_rand();
        a[5] = fuzz_chance(3) ? 0 : fuzz_chance(3) ? fuzz_ptr(&valid) : FUZZ_SCRATCH_VA + FUZZ_S_BUFS;
        break;
    }
    case SYS_IPC_RECV: {
        struct ipc_bufs *b = (struct ipc_bufs *)(FUZZ_SCRATCH_VA + FUZZ_S_BUFS);
        a[0] = (uint32_t)fuzz_port();
        b->send = (const void *)fuzz_ptr(&valid);
        b->send_len = fuzz_len();
        b->recv = (void *)fuzz_ptr(&valid);
        b->recv_cap = fuzz_len();
        a[1] = fuzz_chance(3) ? 0 : fuzz_chance(3) ? fuzz_ptr(&valid) : FUZZ_SCRATCH_VA + FUZZ_S_BUFS;
        /* flags: mostly none, so that a receive from a "call" child can succeed; sometimes
           IPC_RECV_IDLE (HR's only: K_EPRIV) or any word (K_EINVAL) */
        a[2] = fuzz_chance(4) ? fuzz_word() : fuzz_chance(4) ? IPC_RECV_IDLE : 0;
        break;
    }
    case SYS_IPC_REPLY_RECV: {
        struct ipc_bufs *b = (struct ipc_bufs *)(FUZZ_SCRATCH_VA + FUZZ_S_BUFS);
        a[0] = fuzz_chance(2) ? 0 : fuzz_chance(2) ? fuzz_tokens[fuzz_below(4)] : (uint32_t)fuzz_aid();
        for (int i = 1; i <= 4; i++)
            a[i] = fuzz_word();
        b->send = (const void *)fuzz_ptr(&valid);
        b->send_len = fuzz_len();
        b->recv = (void *)fuzz_ptr(&valid);
        b->recv_cap = fuzz_len();
        a[5] = fuzz_chance(3) ? 0 : fuzz_chance(3) ? fuzz_ptr(&valid) : FUZZ_SCRATCH_VA + FUZZ_S_BUFS;
        a[6] = (uint32_t)fuzz_port();
        break;
    }
    case SYS_ACTOR_DUMP:
        a[0] = (uint32_t)fuzz_aid();
        a[1] = fuzz_ptr(&valid);
        a[2] = fuzz_ptr(&valid);
        a[3] = fuzz_len();
        break;
    case SYS_FAULT_PORT_SET:
        a[0] = (uint32_t)fuzz_port();
        break;
    case SYS_BANK_MAP: {
        a[0] = (uint32_t)fuzz_aid();
        a[1] = fuzz_chance(2) ? fuzz_below(fuzz_bank_size / ACTOR_PAGE_SIZE + 2) * ACTOR_PAGE_SIZE : fuzz_word();
        a[2] = fuzz_chance(2) ? ACTOR_PMM_VADDR + fuzz_below(0x0fe00) * ACTOR_PAGE_SIZE : fuzz_word();
        a[3] = fuzz_chance(2) ? (1 + fuzz_below(16)) * ACTOR_PAGE_SIZE : fuzz_len();
        a[4] = fuzz_chance(2) ? fuzz_below(2) : fuzz_word();
        break;
    }
    case SYS_BANK_HOLDERS:
        a[0] = fuzz_chance(2) ? fuzz_below(fuzz_bank_size / ACTOR_PAGE_SIZE + 2) * ACTOR_PAGE_SIZE : fuzz_word();
        a[1] = fuzz_chance(2) ? (1 + fuzz_below(16)) * ACTOR_PAGE_SIZE : fuzz_len();
        a[2] = fuzz_chance(2) ? 0 : (uint32_t)fuzz_aid();
        a[3] = fuzz_ptr(&valid);
        a[4] = fuzz_chance(2) ? fuzz_below(ACTOR_SLOTS + 2) : fuzz_word();
        break;
    case SYS_BANK_UNMAP:
    case SYS_BANK_SYNC:
        a[0] = fuzz_chance(2) ? fuzz_below(fuzz_bank_size / ACTOR_PAGE_SIZE + 2) * ACTOR_PAGE_SIZE : fuzz_word();
        a[1] = fuzz_chance(2) ? (1 + fuzz_below(16)) * ACTOR_PAGE_SIZE : fuzz_len();
        break;
    case SYS_BOOT_INFO:
    case SYS_MEM_INFO:
        a[0] = fuzz_ptr(&valid);
        break;
    case SYS_BOOT_SCRIPT:
        a[0] = fuzz_chance(2) ? fuzz_below(300) : fuzz_word();
        a[1] = fuzz_ptr(&valid);
        a[2] = fuzz_len();
        break;
    case SYS_USER_COPY:
        a[0] = fuzz_ptr(&valid);
        a[1] = fuzz_ptr(&valid);
        a[2] = fuzz_len();
        break;
    case SYS_DELAY:
        a[0] = fuzz_word();
        break;
    case SYS_WATCHDOG:
        a[0] = fuzz_chance(2) ? fuzz_below(6) : fuzz_word();
        if (a[0] == WATCHDOG_INFO) {
            a[1] = (uint32_t)fuzz_aid();
            a[2] = fuzz_ptr(&valid);
        } else {
            a[1] = fuzz_chance(2) ? fuzz_below(WATCHDOG_PERIOD_MAX_MS + 2) : fuzz_word();
        }
        break;
    case SYS_RECV_ALARM:
        a[0] = fuzz_chance(2) ? fuzz_below(100000) : fuzz_word();
        break;
    default:
        break;
    }
}

/* Whether aid may be named as a target by a privileged call: 0, the fuzzer (unless self is
   refused), its children, or an id that names no live actor. */
static int fuzz_target_ok(int32_t aid, int self_ok)
{
    if (aid == 0 || aid == fuzz_self)       /* 0 names the caller too */
        return self_ok;
    return fuzz_child(aid) || !fuzz_alive(aid);
}

/* Replaces an unsafe target aid by a stale one. */
static uint32_t fuzz_target(uint32_t aid, int self_ok, uint32_t priv)
{
    int self = aid == 0 || (int32_t)aid == fuzz_self;
    if (!(fuzz_privs & priv) && (!self || self_ok))
        return aid;             /* refused with K_EPRIV, or the fuzzer itself */
    if (fuzz_target_ok((int32_t)aid, self_ok))
        return aid;
    fuzz_neutered++;
    return (uint32_t)(fuzz_self + 7 * ACTOR_SLOTS);   /* a generation to come: K_EUNKNOWN */
}

/* Whether port is one of the fuzzer's own live ports. */
static int fuzz_own_port(uint32_t port)
{
    for (uint32_t i = 0; i < fuzz_nports; i++)
        if ((uint32_t)fuzz_ports[i] == port)
            return 1;
    return 0;
}

/* Applies the rules of the file's header to call n's arguments; returns 0 when the call
   must not be made at all. */
static int fuzz_neuter(uint32_t n, uint32_t a[7])
{
    int priv = (fuzz_privs & PRIV_ACTORS) != 0;
    switch (n) {
    case SYS_EXIT:
        return 0;
    case SYS_SITE_RESTART:
        return !(fuzz_privs & PRIV_SITE);
    case SYS_CONSOLE_WRITE:
        /* Readable (all of it, or its first byte when longer than the scratch region): print
           dots instead. */
        if (a[1] && a[0] != (uint32_t)(uintptr_t)fuzz_dots &&
            fuzz_call3(SYS_USER_COPY, FUZZ_SCRATCH_VA, a[0],
                       a[1] <= FUZZ_SCRATCH_SIZE ? a[1] : 1) == K_OK) {
            a[0] = (uint32_t)(uintptr_t)fuzz_dots;
            a[1] = a[1] < 2 ? a[1] : 2;
            fuzz_neutered++;
        }
        break;
    case SYS_CONSOLE_READ:
        if (!(a[2] & ~(CONSOLE_READ_NONBLOCK | CONSOLE_READ_BACKGROUND)))
            a[2] |= CONSOLE_READ_NONBLOCK;
        a[0] = fuzz_out(a[0], a[1] < 128 ? a[1] : 128);
        break;
    case SYS_DELAY:
        a[0] &= 0xff;
        break;
    case SYS_DELAY_UNTIL: {
        uint64_t now = counter_now(), when = (uint64_t)a[1] << 32 | a[0];
        uint64_t cap = now + 255u * counter_hz() / 1000000u;
        if (when > cap) {
            when = now + (when & 0x3fff) % (cap - now + 1);
            a[0] = (uint32_t)when;
            a[1] = (uint32_t)(when >> 32);
            fuzz_neutered++;
        }
        break;
    }
    case SYS_RGN_ALLOCATE: {
        a[0] = fuzz_target(a[0], 1, PRIV_ACTORS);
        a[1] = fuzz_out(a[1], sizeof(struct rgn_desc));
        static struct rgn_desc d;
        if (fuzz_call3(SYS_USER_COPY, (uint32_t)(uintptr_t)&d, a[1], sizeof(d)) == K_OK &&
            !(d.options & K_RESERVED) && d.size > FUZZ_RGN_CAP && d.size <= FUZZ_POOL_BYTES) {
            if (fuzz_protected(a[1], sizeof(d)) || a[1] < FUZZ_SCRATCH_VA ||
                a[1] + sizeof(d) > FUZZ_SCRATCH_VA + FUZZ_SCRATCH_SIZE)
                return 0;       /* not in the scratch region: cannot be changed */
            uint32_t cap = FUZZ_RGN_CAP;
            memcpy((char *)a[1] + offsetof(struct rgn_desc, size), &cap, sizeof(cap));
            fuzz_neutered++;
        }
        break;
    }
    case SYS_RGN_FREE:
        a[0] = fuzz_target(a[0], 1, PRIV_ACTORS);
        break;
    case SYS_ACTOR_CREATE:
        if (priv && fuzz_spec_unsafe(a[0])) {
            ((struct actor_spawn *)(FUZZ_SCRATCH_VA + FUZZ_S_SPEC))->image[0] = 'Z';
            a[0] = FUZZ_SCRATCH_VA + FUZZ_S_SPEC;
            fuzz_neutered++;
            if (fuzz_spec_unsafe(a[0]))
                return 0;
        }
        break;
    case SYS_ACTOR_KILL:
    case SYS_ACTOR_INJECT:
        a[0] = fuzz_target(a[0], 0, PRIV_ACTORS);
        break;
    case SYS_ACTOR_INFO:
        a[1] = fuzz_out(a[1], sizeof(struct actor_info));
        break;
    case SYS_WATCHDOG:
        if (a[0] == WATCHDOG_INFO)
            a[2] = fuzz_out(a[2], sizeof(struct watchdog_info));
        break;
    case SYS_IMAGE_INFO:
        a[1] = fuzz_out(a[1], sizeof(struct image_info));
        break;
    case SYS_BOOT_INFO:
        a[0] = fuzz_out(a[0], sizeof(struct boot_info));
        break;
    case SYS_MEM_INFO:
        a[0] = fuzz_out(a[0], sizeof(struct mem_info));
        break;
    case SYS_BANK_HOLDERS:
        a[3] = fuzz_out(a[3], a[4] <= ACTOR_SLOTS ? a[4] * 4 : 4);
        break;
    case SYS_BOOT_SCRIPT:
        a[1] = fuzz_out(a[1], a[2] < 4096 ? a[2] : 4096);
        break;
    case SYS_USER_COPY:
        a[0] = fuzz_out(a[0], a[2]);
        break;
    case SYS_IPC_CALL:
        if (priv && a[0] == (uint32_t)fuzz_hr_port && a[1] == HR_OP_RUN) {
            struct hr_exec_req *r = (struct hr_exec_req *)(FUZZ_SCRATCH_VA + FUZZ_S_REQ);
            struct ipc_bufs *b = (struct ipc_bufs *)(FUZZ_SCRATCH_VA + FUZZ_S_BUFS);
            r->image[0] = 'Z';              /* never a real image (they are lower case) */
            b->send = r;
            b->recv = 0;
            a[5] = (uint32_t)(uintptr_t)b;
            fuzz_neutered++;
        }
        a[5] = fuzz_bufs_out(a[5]);
        break;
    case SYS_IPC_RECV:
        a[1] = fuzz_out(a[1], sizeof(struct ipc_bufs));
        a[1] = fuzz_bufs_out(a[1]);
        if (fuzz_own_port(a[0]) && a[1] != FUZZ_GUARD_VA && !fuzz_caller_coming((int32_t)a[0])) {
            a[1] = FUZZ_GUARD_VA;       /* nobody would ever call: K_EFAULT instead */
            fuzz_neutered++;
        }
        break;
    case SYS_IPC_REPLY_RECV:
        a[5] = fuzz_out(a[5], sizeof(struct ipc_bufs));
        a[5] = fuzz_bufs_out(a[5]);
        /* Nobody would ever call: K_EFAULT, nothing done. A quarter of the callers coming are
           left to SYS_IPC_RECV, which must succeed too. */
        if (fuzz_own_port(a[6]) && a[5] != FUZZ_GUARD_VA &&
            (!fuzz_caller_coming((int32_t)a[6]) || fuzz_chance(4))) {
            a[5] = FUZZ_GUARD_VA;
            fuzz_neutered++;
        } else if (fuzz_own_port(a[6]) && a[5] != FUZZ_GUARD_VA && fuzz_chance(2)) {
            /* A caller is coming: half the time no reply and no buffers, so that the call
               succeeds often enough to be seen doing so (random tokens and buffers mostly
               fail it before it receives). */
            a[0] = 0;
            a[5] = 0;
            fuzz_neutered++;
        }
        break;
    case SYS_FAULT_PORT_SET:
        if ((fuzz_privs & PRIV_FAULTS) && fuzz_own_port(a[0])) {
            a[0] = (uint32_t)fuzz_pmm_port;
            fuzz_neutered++;
        }
        break;
    case SYS_BANK_MAP:
        a[0] = fuzz_target(a[0], 1, PRIV_BANK);
        if ((a[0] == 0 || (int32_t)a[0] == fuzz_self) && a[2] >= ACTOR_PMM_VADDR &&
            a[2] < ACTOR_PMM_END_VADDR && (fuzz_privs & PRIV_BANK)) {
            a[2] = FUZZ_BANK_WINDOW_VA + (a[2] & (3 * ACTOR_PAGE_SIZE | 0xfff));
            fuzz_neutered++;
        }
        if (a[2] == FUZZ_PMM_PROBE_VA) {
            a[2] += ACTOR_PAGE_SIZE;
            fuzz_neutered++;
        }
        break;
    case SYS_BANK_UNMAP: {
        uint32_t off = a[0], size = a[1];
        if ((fuzz_privs & PRIV_BANK) && !(off & 0xfff) && !(size & 0xfff) && size &&
            off >= ACTOR_PAGE_SIZE && off < fuzz_bank_size && size <= fuzz_bank_size - off) {
            a[1] |= 1;
            fuzz_neutered++;
        }
        break;
    }
    default:
        break;
    }
    return 1;
}

/* Whether [p, p + len) touches a page no call may accept: one that is never mapped (below
   the image, the stack guard page, the first page of the PMM area, the kernel's, or past
   the end of the address space), or, for an output, the fuzzer's read-only text. */
static int fuzz_never_ok(uint32_t p, uint32_t len, int out)
{
    uint64_t lo = p, hi = (uint64_t)p + len;
    if (!len)
        return 0;
    return lo < ACTOR_IMAGE_VADDR || hi > ACTOR_USER_TOP_VADDR ||
           (lo < FUZZ_GUARD_VA + ACTOR_PAGE_SIZE && hi > FUZZ_GUARD_VA) ||
           (lo < FUZZ_PMM_PROBE_VA + ACTOR_PAGE_SIZE && hi > FUZZ_PMM_PROBE_VA) ||
           (out && lo < (uintptr_t)__text_end);
}

/* The oracle: a call that succeeded with a pointer it must refuse is a wrong result, said
   on the console (the first few) and counted in the summary. */
static void fuzz_check(uint32_t n, const uint32_t a[7], long st)
{
    uint32_t p = 0, len = 0;
    int out = 1;
    if (st < 0)
        return;
    switch (n) {
    case SYS_CONSOLE_WRITE:
        p = a[0], len = a[1], out = 0;
        break;
    case SYS_CONSOLE_READ:
        p = a[0], len = a[1];
        break;
    case SYS_RGN_ALLOCATE:
        p = a[1], len = sizeof(struct rgn_desc);
        break;
    case SYS_RGN_FREE:
        p = a[1], len = sizeof(struct rgn_desc), out = 0;
        break;
    case SYS_ACTOR_CREATE:
        p = a[0], len = sizeof(struct actor_spawn), out = 0;
        break;
    case SYS_ACTOR_INFO:
        p = a[1], len = sizeof(struct actor_info);
        break;
    case SYS_WATCHDOG:
        if (a[0] == WATCHDOG_INFO)
            p = a[2], len = sizeof(struct watchdog_info);
        break;
    case SYS_IMAGE_INFO:
        p = a[1], len = sizeof(struct image_info);
        break;
    case SYS_BOOT_INFO:
        p = a[0], len = sizeof(struct boot_info);
        break;
    case SYS_BANK_HOLDERS:
        p = a[3], len = a[4] * sizeof(int32_t);
        break;
    case SYS_MEM_INFO:
        p = a[0], len = sizeof(struct mem_info);
        break;
    case SYS_BOOT_SCRIPT:
        p = a[1], len = (uint32_t)st;
        break;
    case SYS_USER_COPY:
        if (fuzz_never_ok(a[1], a[2], 0)) {
            p = a[1], len = a[2], out = 0;
            break;
        }
        p = a[0], len = a[2];
        break;
    case SYS_IPC_CALL:
    case SYS_IPC_REPLY:
        p = a[5], len = a[5] ? sizeof(struct ipc_bufs) : 0, out = 0;
        break;
    case SYS_IPC_RECV:
        p = a[1], len = a[1] ? sizeof(struct ipc_bufs) : 0;
        break;
    case SYS_IPC_REPLY_RECV:
        p = a[5], len = a[5] ? sizeof(struct ipc_bufs) : 0;
        break;
    case SYS_ACTOR_DUMP:
        p = a[1], len = sizeof(struct actor_dump);
        break;
    default:
        return;
    }
    if (!fuzz_never_ok(p, len, out))
        return;
    if (fuzz_wrong++ < 5) {
        static char line[128];
        char *q = line;
        fuzz_fmt_str(&q, "\nfuzz: FAIL call");
        fuzz_fmt_field(&q, "n", n);
        fuzz_fmt_field(&q, "ptr", p);
        fuzz_fmt_field(&q, "len", len);
        fuzz_fmt_field(&q, "result", (uint32_t)st);
        fuzz_fmt_str(&q, "\n");
        fuzz_puts(line);
    }
}

/* Bookkeeping after call n returned r. */
static void fuzz_after(uint32_t n, const uint32_t a[7], struct sys_ipc_ret r)
{
    long st = r.status;
    fuzz_results[st >= 0 ? 0 : st >= -14 ? -st : 15]++;
    if (st >= 0 && n < 64)
        fuzz_ok_mask |= 1ull << n;
    fuzz_check(n, a, st);
    switch (n) {
    case SYS_PORT_CREATE:
        if (st > 0 && fuzz_nports < FUZZ_PORTS_MAX)
            fuzz_ports[fuzz_nports++] = (int32_t)st;
        break;
    case SYS_ACTOR_CREATE:
        if (st > 0) {
            const struct actor_spawn *sp = (const struct actor_spawn *)a[0];
            const char *mode = (const char *)(FUZZ_SCRATCH_VA + FUZZ_S_ARGS + 5);
            int call = a[0] == FUZZ_SCRATCH_VA + FUZZ_S_SPEC && !strcmp(sp->image, "fuzz") &&
                       !strcmp(mode, "call");
            int32_t port = call ? (int32_t)strtoul(mode + 5, NULL, 10) : 0;
            call = call && fuzz_own_port((uint32_t)port);
            fuzz_child_add((int32_t)st, call ? FUZZ_CHILD_CALL : FUZZ_CHILD_OTHER, call ? port : 0);
        }
        break;
    case SYS_ACTOR_KILL:
    case SYS_ACTOR_INJECT:
        if (st == K_OK && fuzz_child((int32_t)a[0]))
            fuzz_child_gone(fuzz_child((int32_t)a[0]));
        break;
    case SYS_IPC_RECV:
    case SYS_IPC_REPLY_RECV:
        if (st == K_OK)
            fuzz_call_received((int32_t)r.r6);
        break;
    case SYS_RGN_FREE:
        if (st == K_OK)
            fuzz_scratch_ok = 0;
        break;
    default:
        break;
    }
}

/* One fuzzed call: a number (mostly a real one), arguments, the rules, the call. */
static void fuzz_one(void)
{
    static const uint32_t beyond[] = { SYS_COUNT, SYS_COUNT + 1, SYS_COUNT + 7, 64, 255, 256,
                                       0x7fffffff, 0x80000000, 0xffffffff };
    uint32_t n, a[7];
    fuzz_scratch_check();
    if (fuzz_stop)
        return;
    if (fuzz_chance(32))
        n = fuzz_chance(2) ? beyond[fuzz_below(9)] : fuzz_rand();
    else
        n = fuzz_below(SYS_COUNT);
    if ((fuzz_privs & PRIV_ACTORS) && fuzz_chance(4096)) {
        fuzz_hr_run();
        return;
    }
    if (fuzz_chance(10))
        n = SYS_IPC_CALL;       /* more requests to the servers */
    fuzz_args(n, a);
    if (!fuzz_neuter(n, a)) {
        fuzz_neutered++;
        return;
    }
    fuzz_fuzzed++;
    fuzz_after(n, a, fuzz_svc(n, a));
}

/* ---- the run ---------------------------------------------------------------------------- */

/* Frees every block of the bank (the fuzz images hold no other). */
static void fuzz_free_blocks(void)
{
    static struct pmm_block_info info;
    static struct ipc_bufs b;
    for (int i = 0; i < FUZZ_BLOCKS_MAX; i++) {
        b = (struct ipc_bufs){ 0, 0, &info, sizeof(info), 0 };
        uint32_t a[7] = { (uint32_t)fuzz_pmm_port, PMM_OP_BLOCK_INFO, 0, 0, 0, (uint32_t)(uintptr_t)&b, 0 };
        struct sys_ipc_ret r = fuzz_svc(SYS_IPC_CALL, a);
        if (r.status != K_OK || r.w[0] != K_OK)
            return;
        b = (struct ipc_bufs){ &info.name, sizeof(info.name), 0, 0, 0 };
        uint32_t f[7] = { (uint32_t)fuzz_pmm_port, PMM_OP_FREE, 0, 0, 0, (uint32_t)(uintptr_t)&b, 0 };
        r = fuzz_svc(SYS_IPC_CALL, f);
        if (r.status != K_OK || r.w[0] != K_OK) {
            fuzz_puts("\nfuzz: FAIL cannot free a block\n");
            return;
        }
    }
}

/* Counts a failed protection attack as a wrong result: said with its number and result. */
static void fuzz_attack_failed(uint32_t attack, long st)
{
    if (fuzz_wrong++ < 5) {
        static char line[96];
        char *q = line;
        fuzz_fmt_str(&q, "\nfuzz: FAIL call");
        fuzz_fmt_field(&q, "attack", attack);
        fuzz_fmt_field(&q, "result", (uint32_t)st);
        fuzz_fmt_str(&q, "\n");
        fuzz_puts(line);
    }
}

/* Whether the n bytes at p hold the first 8 bytes of the victim's key anywhere. */
static int fuzz_holds_key(const void *p, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i++)
        if (!memcmp((const char *)p + i, FUZZ_VICTIM_KEY, 8))
            return 1;
    return 0;
}

/* A request to a server with word w1 and buffers: the reply's status (or the kernel's). */
static long fuzz_request(int port, uint32_t op, uint32_t w1, const void *send, uint32_t send_len,
                         void *recv, uint32_t recv_cap)
{
    struct ipc_bufs b = { send, send_len, recv, recv_cap, 0 };
    struct sys_ipc_ret r = sys_ipc_call(port, op, w1, 0, 0, &b);
    return r.status != K_OK ? r.status : (long)(int32_t)r.w[0];
}

/* The protection attacks of an unprivileged fuzzer (see the file's header). */
static void fuzz_attacks(void)
{
    static struct pmm_block_info info;
    static struct pmm_usage use;
    static struct pmm_alloc_req req;
    static struct hr_exec_req ex;
    PmmName victim;
    memset(&victim, 0, sizeof(victim));
    memcpy(victim.medium, "RAM", 4);
    memcpy(victim.name, FUZZ_VICTIM, sizeof(FUZZ_VICTIM));
    /* 1. Listings: only the fuzzer's own blocks, never a key. */
    for (uint32_t i = 0; i < FUZZ_BLOCKS_MAX; i++) {
        memset(&info, 0, sizeof(info));
        long st = fuzz_request(fuzz_pmm_port, PMM_OP_BLOCK_INFO, i, NULL, 0, &info, sizeof(info));
        if (st != K_OK)
            break;
        if (strcmp(info.owner, "fuzz") || fuzz_holds_key(&info, sizeof(info)))
            fuzz_attack_failed(1, st);
    }
    for (uint32_t i = 0; i < FUZZ_BLOCKS_MAX; i++) {
        long st = fuzz_request(fuzz_pmm_port, PMM_OP_USAGE, i, NULL, 0, &use, sizeof(use));
        if (st != K_OK)
            break;
        if (strcmp(use.image, "fuzz") || fuzz_holds_key(&use, sizeof(use)))
            fuzz_attack_failed(2, st);
    }
    /* 2. The victim's block: not freed, not retrieved with a guessed key. */
    long st = fuzz_request(fuzz_pmm_port, PMM_OP_FREE, 0, &victim, sizeof(victim), NULL, 0);
    if (st != K_EPRIV)
        fuzz_attack_failed(3, st);
    memset(&req, 0, sizeof(req));
    req.name = victim;
    memcpy(req.key, "FZ-SECRET-KEZ", 14);
    req.key_len = 14;
    req.size = 1;
    st = fuzz_request(fuzz_pmm_port, PMM_OP_ALLOCATE, 0, &req, sizeof(req), NULL, 0);
    if (st != K_EPRIV)
        fuzz_attack_failed(4, st);
    /* 3. HR: nothing spawned for the fuzzer (a real image, C_INIT's), no group of others
       killed. */
    memset(&ex, 0, sizeof(ex));
    memcpy(ex.base.medium, "RAM", 4);
    memcpy(ex.base.name, "fz.child", 9);
    memcpy(ex.image, "cinit", 6);
    memcpy(ex.args, "cinit", 6);
    ex.argc = 1;
    ex.args_len = 6;
    st = fuzz_request(fuzz_hr_port, HR_OP_FEXEC, 0, &ex, sizeof(ex), NULL, 0);
    if (st != K_EPRIV)
        fuzz_attack_failed(5, st);
    st = fuzz_request(fuzz_hr_port, HR_OP_RUN, FUZZ_RUN_GID, &ex, sizeof(ex), NULL, 0);
    if (st != K_EPRIV)
        fuzz_attack_failed(6, st);
    st = fuzz_request(fuzz_hr_port, HR_OP_KILL_GROUP, FUZZ_VICTIM_GID, NULL, 0, NULL, 0);
    if (st != K_EPRIV)
        fuzz_attack_failed(7, st);
}

/* Prints the summary line the driver parses. */
static void fuzz_summary(uint32_t seed)
{
    static const char *const names[16] = {
        "ok", "einval", "enomem", "efault", "eunknown", "eexist", "epriv", "etoomuch",
        "ebusy", "enotimp", "edead", "etimeout", "e12", "e13", "e14", "other" };
    static char line[512];
    char *p = line;
    fuzz_fmt_str(&p, "\nfuzz: done");
    fuzz_fmt_field(&p, "seed", seed);
    fuzz_fmt_field(&p, "calls", fuzz_calls + 1);     /* and the exit to come */
    fuzz_fmt_field(&p, "fuzzed", fuzz_fuzzed);
    fuzz_fmt_field(&p, "priv", fuzz_privs);
    fuzz_fmt_field(&p, "server", fuzz_server);
    fuzz_fmt_field(&p, "children", fuzz_spawned);
    fuzz_fmt_field(&p, "neutered", fuzz_neutered);
    fuzz_fmt_field(&p, "wrong", fuzz_wrong);
    fuzz_fmt_field(&p, "okmask", (uint32_t)fuzz_ok_mask);
    fuzz_fmt_field(&p, "okmask2", (uint32_t)(fuzz_ok_mask >> 32));
    for (int i = 0; i < 16; i++)
        if (fuzz_results[i])
            fuzz_fmt_field(&p, names[i], fuzz_results[i]);
    fuzz_fmt_str(&p, "\n");
    fuzz_puts(line);
}

/* The fuzzer: seed, call count; the setup, the calls, the clean-up. */
static int fuzz_run(uint32_t seed, uint32_t count)
{
    static struct actor_info self;
    static struct boot_info boot;
    static struct image_info img;
    fuzz_rng = seed ^ 0x9e3779b9u;
    if (!fuzz_rng)
        fuzz_rng = 1;
    fuzz_self = (int32_t)fuzz_call3(SYS_ACTOR_SELF, 0, 0, 0);
    fuzz_call3(SYS_ACTOR_INFO, (uint32_t)(fuzz_self % ACTOR_SLOTS - 1), (uint32_t)(uintptr_t)&self, 0);
    fuzz_privs = self.privileges;
    fuzz_call3(SYS_BOOT_INFO, (uint32_t)(uintptr_t)&boot, 0, 0);
    fuzz_bank_size = boot.bank_size;
    for (fuzz_nimages = 0; fuzz_nimages < 16 &&
         fuzz_call3(SYS_IMAGE_INFO, fuzz_nimages, (uint32_t)(uintptr_t)&img, 0) == K_OK; fuzz_nimages++)
        memcpy(fuzz_images[fuzz_nimages], img.name, ACTOR_NAME_MAX);
    fuzz_pmm_port = (int)fuzz_call3(SYS_PORT_LOOKUP, PORT_WK_PMM, 0, 0);
    fuzz_hr_port = (int)fuzz_call3(SYS_PORT_LOOKUP, PORT_WK_HR, 0, 0);
    if (!fuzz_scratch_build()) {
        fuzz_puts("\nfuzz: FAIL cannot make the scratch region\n");
        return 3;
    }
    while (fuzz_fuzzed < count && !fuzz_stop)
        fuzz_one();
    fuzz_children_end();
    if (!fuzz_privs)
        fuzz_attacks();
    fuzz_free_blocks();
    fuzz_summary(seed);
    return fuzz_stop ? 3 : 0;
}

/* A child: see the file's header. */
static int fuzz_child_main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "idle")) {
        for (;;)
            sys_call1(SYS_DELAY, 1000000);
    }
    if (argc == 5 && !strcmp(argv[1], "call")) {
        /* A server's reply lands in a region of its own, which the fuzzer may free meanwhile
           (rgnFree on this child): the reply must then fail, not write. A call to the
           fuzzer's port must reach it (the fuzzer waits for it): its buffer is in .bss. */
        static char fallback[64];
        static struct rgn_desc d = { .size = ACTOR_PAGE_SIZE, .options = K_ANYWHERE | K_WRITABLE };
        int server = strtoul(argv[4], NULL, 10) <= 8;
        char *buf = server && sys_call2(SYS_RGN_ALLOCATE, 0, (long)&d) == K_OK ? (char *)d.start_addr
                                                                               : fallback;
        struct ipc_bufs b = { 0, 0, buf, (uint32_t)strtoul(argv[3], NULL, 10) % 64, 0 };
        return (int)sys_ipc_call((int)strtoul(argv[2], NULL, 10), (uint32_t)strtoul(argv[4], NULL, 10),
                                 2, 3, 4, &b).status;
    }
    if (argc == 2 && !strcmp(argv[1], "read")) {
        static char buf[16];
        return (int)sys_call3(SYS_CONSOLE_READ, (long)buf, sizeof(buf), 0);
    }
    if (argc == 3 && !strcmp(argv[1], "delay")) {
        long us = (long)strtoul(argv[2], NULL, 10);
        sys_call1(SYS_DELAY, us);
        return (int)sys_call2(SYS_DELAY_UNTIL, us, us);
    }
    return 0;
}

/* "fuzz run SEED COUNT": the fuzzer; anything else: a child (see the file's header). */
int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "run")) {
        int st = fuzz_run((uint32_t)strtoul(argv[2], NULL, 10), (uint32_t)strtoul(argv[3], NULL, 10));
        sys_call1(SYS_EXIT, st);
    }
    return fuzz_child_main(argc, argv);
}

/* Restart-storm test actor (tests/torture/storms.py): restartable members that end abnormally
   at seeded instants of virtual time, a parent whose hrfexecl children crash, a privileged
   killer, and a sleeper that lets virtual time pass. The image holds it twice: hrstorm, and
   hrstormk with the actors privilege (the killer).

     hrstorm crash KIND SEED G LIMIT   direct member of group G: runs 1..LIMIT print their
                                  start, sleep D(SEED, N) ms, print their end and end so;
                                  KIND: data, undef, exit (exit(3) without HR_EXIT_HDL) or
                                  mixed (one of the three, chosen by SEED and N); later runs
                                  say "quiet" and wait
     hrstorm parent NCHILD SEED G LIMIT   direct member: spawns NCHILD children c1..cNCHILD
                                  (hrfexecl); in runs 1..LIMIT one of them, or the parent
                                  (chosen by SEED and N), takes a data abort after D(SEED, N) ms
     hrstorm child cK G N MODE MS a parent's child: MODE wait, or crash (data abort after MS ms)
     hrstorm wait G               direct member that waits to be killed
     hrstormk HOW G MS COUNT      restartable killer: sleeps MS ms, then ends the live hrstorm
                                  of group G: HOW kill (SYS_ACTOR_KILL), data or undef
                                  (SYS_ACTOR_INJECT); after COUNT ends (counted in block
                                  "stormkG", so across its restarts) it says "done" and ends
                                  cleanly
     hrstormk restart MS          not restartable: waits for the gate, sleeps MS ms (ending on
                                  the grid), says "hrstormk: restart t=NS" and asks for a site
                                  restart (the image gives hrstormk the site privilege), so a
                                  site restart lands at the same instant in every run
     hrstormk round "G CMD ARGS" ...   the round's driver: opens the gate (the grid's origin),
                                  then starts each group's member at once, with no typing
                                  between them: G > 0 through HR_OP_RUN into group G, G 0 an
                                  actor of no group; says "hrstormk: round of N groups"
     hrstorm sleep MS             sleeps MS ms of virtual time, says so, ends
     hrstorm go V                 sets the start gate to V: the first run of a crash, parent
                                  or killer member waits until it is 1

   D(SEED, N) is 300 + 1000 * k ms (k in 0..3; k = 0 for SEED 0), and every end (the killer's too) falls on the
   next instant of a 700 ms grid of virtual time (counted from the gate's opening) after the pause: members of different groups end
   at the same instants, and the time between two ends of a group is a multiple of 700 ms,
   at least 200 ms away from the policy's 10 s window: the driver knows every escalation.
   Waiting members wait on a port of their own, with no timer, so that an idle system skips
   no virtual time.

     hrstorm: gG ROLE run N aid A                    (ROLE: d direct, p parent, cK child, w)
     hrstorm: gG ROLE run N crash KIND t=NS          (just before the end; NS: virtual time)
     hrstorm: gG quiet
     hrstormk: gG HOW aid A = R t=NS
     hrstormk: gG done
     hrstorm: slept MS */
#include "../hrtest/hrtest.h"
#include <hr/proto.h>
#include <reprise/counter.h>
#include <stdlib.h>
#include <time.h>

#define HRSTORM_CHILDREN_MAX 8
#define HRSTORM_GRID_MS      700u     /* ends fall on multiples of 700 ms (see above) */
#define HRSTORM_GO_KEY       "HRSTORM_GO"

/* The virtual time now in ns. */
static uint64_t hrstorm_now_ns(void)
{
    uint64_t t = counter_now(), hz = counter_hz();
    return t / hz * 1000000000ull + t % hz * 1000000000ull / hz;
}

/* Writes the virtual time now as "S.NNNNNNNNN" (seconds) into out. */
static const char *hrstorm_time(char *out, size_t size)
{
    uint64_t ns = hrstorm_now_ns();
    snprintf(out, size, "%lu.%09lu", (unsigned long)(ns / 1000000000u),
             (unsigned long)(ns % 1000000000u));
    return out;
}

/* The start gate, block "storm.go" (an ordinary key): `hrstorm go 1` opens it and notes the
   virtual time, the origin of the round's grid. */
struct hrstorm_gate {
    uint32_t open;
    uint32_t pad;
    uint64_t origin_ns;
};

static volatile struct hrstorm_gate *hrstorm_go(void);

/* Sleeps until the next instant of the round's grid (the gate's opening time plus a multiple
   of HRSTORM_GRID_MS) after ms from now: members of different groups end on the same
   instants, and where those fall does not depend on when the driver opened the gate. */
static void hrstorm_sleep_grid(uint32_t ms)
{
    uint64_t grid = HRSTORM_GRID_MS * 1000000ull, origin = hrstorm_go()->origin_ns;
    uint64_t now = hrstorm_now_ns(), due = now + ms * 1000000ull;
    uint64_t at = due <= origin ? origin : origin + (due - origin + grid - 1) / grid * grid;
    /* An absolute deadline: members ending at one instant wake in one tick, in the order they
       went to sleep, even when the host's clock makes a sleep end late (-icount sleep on). */
    struct timespec ts = { (time_t)(at / 1000000000u), (long)(at % 1000000000u) };
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* xorshift32 of seed mixed with run: the per-run random word. */
static uint32_t hrstorm_rand(uint32_t seed, uint32_t run)
{
    uint32_t x = seed ^ (run * 0x9e3779b9u) ^ 0x5bd1e995u;
    for (int i = 0; i < 4; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
    }
    return x ? x : 1;
}

/* The pause of run run, in ms: 300, 1300, 2300 or 3300 (then to the grid); always 300 for
   seed 0 (a crash loop: every group restart within the window). */
static uint32_t hrstorm_pause_ms(uint32_t seed, uint32_t run)
{
    return 300 + (seed ? 1000 * (hrstorm_rand(seed, run) % 4) : 0);
}

/* Waits for ever on a port of its own (no timer), until HR or the console ends it. */
static void hrstorm_idle(void)
{
    int port = (int)sys_call1(SYS_PORT_CREATE, 0);
    for (;;)
        if (port < 0 || sys_ipc_recv(port, NULL).status != K_OK)
            hrt_sleep_ms(1000);
}

/* Prints the end line, then ends as kind says (data, undef, exit). Not inlined: the storm
   campaign resets the machine at its entry (reset_at). */
__attribute__((noinline)) static void hrstorm_end(int gid, const char *role, uint32_t run, const char *kind)
{
    char t[24];
    printf("hrstorm: g%d %s run %lu crash %s t=%s\n", gid, role, (unsigned long)run, kind,
           hrstorm_time(t, sizeof(t)));
    if (!strcmp(kind, "exit"))
        exit(3);
    hrt_fault(kind);
    printf("hrstorm: unknown kind %s\n", kind);
    HR_EXIT_HDL();
    exit(2);
}

/* The counter of group gid's direct member (prefix "storm", or "stormk" for the killer), in
   block "<prefix>G" (key HR_GROUP_KEY), incremented by add; returns its new value. */
static uint32_t hrstorm_count(const char *prefix, int gid, uint32_t add)
{
    char name[32];
    snprintf(name, sizeof(name), "%s%d", prefix, gid);
    uint32_t *runs = hrt_block("hrstorm", name, sizeof(*runs), HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    if (!runs) {
        HR_EXIT_HDL();
        exit(1);
    }
    return *runs += add;
}

/* The start gate's block. */
static volatile struct hrstorm_gate *hrstorm_go(void)
{
    volatile struct hrstorm_gate *go = hrt_block("hrstorm", "storm.go", sizeof(*go),
                                                 HRSTORM_GO_KEY, sizeof(HRSTORM_GO_KEY));
    if (!go) {
        HR_EXIT_HDL();
        exit(1);
    }
    return go;
}

/* In a group's first run: waits until the gate opens, so that the groups of a storm start
   together (every later run, also after a site restart, goes at once). */
static void hrstorm_gate(uint32_t run)
{
    volatile struct hrstorm_gate *go = hrstorm_go();
    while (run == 1 && !go->open)
        hrt_sleep_ms(50);
}

/* Spawns child cK of group gid for run run: hrstorm child cK G N MODE MS. */
static void hrstorm_spawn(int gid, int k, uint32_t run, const char *mode, uint32_t ms)
{
    PmmName base;
    char role[8], g[12], n[12], t[12];
    memset(&base, 0, sizeof(base));
    strcpy(base.medium, "RAM");
    snprintf(role, sizeof(role), "c%d", k);
    snprintf(base.name, sizeof(base.name), "%s", role);
    snprintf(g, sizeof(g), "%d", gid);
    snprintf(n, sizeof(n), "%lu", (unsigned long)run);
    snprintf(t, sizeof(t), "%lu", (unsigned long)ms);
    int res = hrfexecl(&base, "hrstorm", NULL, NULL, "hrstorm", "child", role, g, n, mode, t,
                       NULL);
    if (res != K_OK)
        printf("hrstorm: g%d hrfexecl %s failed: %d\n", gid, role, res);
}

/* The live hrstorm of group gid (not stopped or ended), or 0. */
static int hrstorm_member(int gid)
{
    struct actor_info info;
    for (int i = 0; sys_call2(SYS_ACTOR_INFO, i, (long)&info) == K_OK; i++)
        if (info.aid && info.group == gid && !strcmp(info.name, "hrstorm") &&
            (info.state == ACTOR_READY || info.state == ACTOR_BLOCKED))
            return info.aid;
    return 0;
}

/* hrstormk HOW G MS COUNT: the killer; ends cleanly after COUNT ends of its victims. */
static int hrstorm_killer(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "kill";
    int gid = argc > 2 ? atoi(argv[2]) : 0;
    uint32_t ms = argc > 3 ? (uint32_t)atoi(argv[3]) : 1000;
    uint32_t count = argc > 4 ? (uint32_t)atoi(argv[4]) : 1;
    hrstorm_gate(hrstorm_count("stormk", gid, 0) + 1);
    while (hrstorm_count("stormk", gid, 0) < count) {
        hrstorm_sleep_grid(ms);
        int aid = hrstorm_member(gid);
        if (!aid)
            continue;
        long res = !strcmp(how, "kill") ? sys_call1(SYS_ACTOR_KILL, aid)
                 : sys_call2(SYS_ACTOR_INJECT, aid, !strcmp(how, "undef") ? FAULT_KIND_UNDEFINED
                                                                          : FAULT_KIND_DATA_ABORT);
        if (res == K_OK)
            hrstorm_count("stormk", gid, 1);
        char t[24];
        printf("hrstormk: g%d %s aid %d = %ld t=%s\n", gid, how, aid, res,
               hrstorm_time(t, sizeof(t)));
    }
    printf("hrstormk: g%d done\n", gid);
    HR_EXIT_HDL();
    return 0;
}

/* Starts one member of a round from spec "G NAME ARGS..." (words separated by blanks): G > 0
   through HR_OP_RUN into restart group G, G 0 as an actor of no group. Returns its aid or a
   negative code. */
static int hrstorm_start(const char *spec)
{
    static struct hr_exec_req req;
    char *end;
    long gid = strtol(spec, &end, 10);
    memset(&req, 0, sizeof(req));
    uint32_t len = 0, argc = 0;
    for (const char *p = end; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, " ");
        if (len + n + 1 > sizeof(req.args))
            return K_EINVAL;
        memcpy(req.args + len, p, n);
        if (argc == 0 && n < sizeof(req.image))
            memcpy(req.image, p, n);
        len += (uint32_t)n + 1;
        argc++;
        p += n;
    }
    if (argc == 0 || gid < 0)
        return K_EINVAL;
    req.argc = argc;
    req.args_len = len;
    if (gid == 0) {
        struct actor_spawn sp;
        memset(&sp, 0, sizeof(sp));
        memcpy(sp.image, req.image, sizeof(sp.image));
        sp.argc = argc;
        sp.args_len = len;
        sp.args = req.args;
        sp.privileges = ACTOR_PRIVS_IMAGE;
        return (int)sys_call1(SYS_ACTOR_CREATE, (long)&sp);
    }
    struct ipc_bufs bufs = { &req, sizeof(req), NULL, 0, 0 };
    struct sys_ipc_ret r = sys_ipc_call((int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_HR), HR_OP_RUN,
                                        (uint32_t)gid, 0, 0, &bufs);
    return r.status != K_OK ? (int)r.status : (int)r.w[0];
}

/* hrstormk round SPEC...: opens the gate, then starts every group of the round. */
static int hrstorm_round(int argc, char **argv)
{
    volatile struct hrstorm_gate *go = hrstorm_go();
    go->origin_ns = hrstorm_now_ns();
    go->open = 1;
    printf("hrstormk: round of %d groups\n", argc - 2);
    for (int i = 2; i < argc; i++) {
        int aid = hrstorm_start(argv[i]);
        if (aid < 0)
            printf("hrstormk: cannot start %s: %d\n", argv[i], aid);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const kinds[] = { "data", "undef", "exit" };
    const char *mode = argc > 1 ? argv[1] : "";
    int aid = agetId();
    if (!strcmp(argv[0], "hrstormk") && !strcmp(mode, "restart") && argc == 3) {
        char t[24];
        hrstorm_gate(1);
        hrstorm_sleep_grid((uint32_t)atoi(argv[2]));
        printf("hrstormk: restart t=%s\n", hrstorm_time(t, sizeof(t)));
        return (int)sys_call0(SYS_SITE_RESTART);
    }
    if (!strcmp(argv[0], "hrstormk") && !strcmp(mode, "round"))
        return hrstorm_round(argc, argv);
    if (!strcmp(argv[0], "hrstormk"))
        return hrstorm_killer(argc, argv);
    if (!strcmp(mode, "go") && argc == 3) {
        volatile struct hrstorm_gate *go = hrstorm_go();
        go->origin_ns = hrstorm_now_ns();
        go->open = (uint32_t)atoi(argv[2]);
        printf("hrstorm: go %s\n", argv[2]);
        return 0;
    }
    if (!strcmp(mode, "sleep") && argc == 3) {
        hrt_sleep_ms((uint32_t)atoi(argv[2]));
        printf("hrstorm: slept %s\n", argv[2]);
        return 0;
    }
    if (!strcmp(mode, "child") && argc == 7) {
        int gid = atoi(argv[3]);
        uint32_t run = (uint32_t)strtoul(argv[4], NULL, 0);
        printf("hrstorm: g%d %s run %lu aid %d\n", gid, argv[2], (unsigned long)run, aid);
        if (!strcmp(argv[5], "crash")) {
            hrstorm_sleep_grid((uint32_t)atoi(argv[6]));
            hrstorm_end(gid, argv[2], run, "data");
        }
        hrstorm_idle();
    }
    if (!strcmp(mode, "crash") && argc == 6) {
        uint32_t seed = (uint32_t)strtoul(argv[3], NULL, 0);
        int gid = atoi(argv[4]);
        uint32_t run = hrstorm_count("storm", gid, 1);
        printf("hrstorm: g%d d run %lu aid %d\n", gid, (unsigned long)run, aid);
        hrstorm_gate(run);
        if (run > strtoul(argv[5], NULL, 0)) {
            printf("hrstorm: g%d quiet\n", gid);
            hrstorm_idle();
        }
        hrstorm_sleep_grid(hrstorm_pause_ms(seed, run));
        const char *kind = argv[2];
        if (!strcmp(kind, "mixed"))
            kind = kinds[(hrstorm_rand(seed, run) >> 8) % 3];
        hrstorm_end(gid, "d", run, kind);
    }
    if (!strcmp(mode, "parent") && argc == 6) {
        int n = atoi(argv[2]);
        uint32_t seed = (uint32_t)strtoul(argv[3], NULL, 0);
        int gid = atoi(argv[4]);
        if (n < 1 || n > HRSTORM_CHILDREN_MAX)
            n = 1;
        uint32_t run = hrstorm_count("storm", gid, 1);
        uint32_t pause = hrstorm_pause_ms(seed, run);
        int victim = (int)((hrstorm_rand(seed, run) >> 8) % (uint32_t)(n + 1));   /* 0: parent */
        int quiet = run > strtoul(argv[5], NULL, 0);
        printf("hrstorm: g%d p run %lu aid %d\n", gid, (unsigned long)run, aid);
        hrstorm_gate(run);
        for (int k = 1; k <= n; k++)
            hrstorm_spawn(gid, k, run, k == victim && !quiet ? "crash" : "wait", pause);
        if (quiet)
            printf("hrstorm: g%d quiet\n", gid);
        else if (victim == 0) {
            hrstorm_sleep_grid(pause);
            hrstorm_end(gid, "p", run, "data");
        }
        hrstorm_idle();
    }
    if (!strcmp(mode, "wait") && argc == 3) {
        int gid = atoi(argv[2]);
        uint32_t run = hrstorm_count("storm", gid, 1);
        printf("hrstorm: g%d w run %lu aid %d\n", gid, (unsigned long)run, aid);
        hrstorm_idle();
    }
    printf("hrstorm: usage: hrstorm crash KIND SEED G LIMIT | parent NCHILD SEED G LIMIT | "
           "wait G | sleep MS | go V; hrstormk HOW G MS COUNT\n");
    HR_EXIT_HDL();
    return 1;
}

/* Test actor of the exhaustion campaign (tests/torture/exhaust.py): takes every page of the
   kernel's pool an ordinary actor may have (its own page quota, then pagers', down to the
   pool's reserves), every actor slot, every port, every bank page and every bank block, in
   the order it is given, says what it got and which errors ended each grab, and holds it
   all until its sentinel is killed.

     exhog hog SEED ORDER [US]
                            ORDER: kinds separated by commas (pages, slots, ports, bank,
                            blocks). With US, a killer (exhog killer) kills the hog after US
                            microseconds, wherever it is then. Prints, once all is taken:
       exhog: ready aid A group G sentinel S pages N/E slots N/E ports N/E bank N/E
              blocks N/E odd K deep D quota O/Q
                                      (one line; N taken, E the error that ended the grab,
                                       0 when not tried; pages counts the pagers' too, and
                                       ends with K_ENOMEM when a pager got less than its
                                       quota or could not start for want of pages, with
                                       K_ETOOMUCH when no slot was left for one; K: calls
                                       that failed with an error the call does not document,
                                       named by "exhog: odd"; O/Q: the pages the hog owns
                                       and its quota, just before D: what SYS_MEM_INFO gave
                                       with its output on a stack page not touched before:
                                       K_OK, or K_ENOMEM when the hog can have no page, being
                                       at its quota or the pool at its reserves)
                            then waits until the sentinel dies (akill S), frees its blocks
                            (pmmFreeAll of its key, or HR_EXIT_HDL so that its group ends
                            and HR frees them) and exits: "exhog: done".
     exhog killer A US      sleeps US microseconds, kills actor A: "exhog: killer killed hog
                            A: E" (E: K_OK, or K_EUNKNOWN when A had already ended).
     exhog child P N        holds a slot (and N ports) for the hog: reports to port P, then
                            waits on it until the hog is gone.
     exhog pager P 0        takes pages up to its quota for the hog: reports to port P (pages
                            taken, the error that ended it, whether its quota did), then
                            waits on it until the hog is gone.
     exhog sentinel P       the hog waits on it; killing it makes the hog end.
     exhog victim           a member of a restart group, holding a port: "exhog: victim up
                            aid A group G port P" (P: the port, or the error of its
                            creation), then sleeps for ever.
     exhog victim starve    the same, but it takes a stack page every 10 ms while no more
                            than the pool's reserves are free, up to 8 pages: started by HR
                            (arun -g) it gets them from the restart reserve and keeps running
                            however the hog drained the pool; started as an ordinary actor
                            it faults ("no free page for the stack").
     exhog free             pmmFreeAll of the hog's key: "exhog: freed E".

   The hog's own memory is all taken before it starts grabbing (stack touched, static
   buffers), so that it never needs a page once the pool is empty. */
#include <chorus.h>
#include <hr/hr.h>
#include <pmm/chPmm.h>
#include <reprise/abi.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXHOG_KEY       "EXHOG_KEY"
#define EXHOG_STACK_USE (24 * 1024)       /* bytes of stack touched before anything else */
#define EXHOG_CHUNK_MAX 16384u            /* pages of the first rgnAllocate */
#define EXHOG_STARVE_PAGES 8              /* a starving victim eats pages below this many */
#define EXHOG_KILLER_PRIO 30              /* above PMM (20) and HR (19) */
#define EXHOG_OP_CHILD  1                 /* a child's report: w1 ports taken, w2 last error */
#define EXHOG_OP_SENT   2                 /* the sentinel's port: w1 */
#define EXHOG_OP_WAIT   3                 /* the hog waits on the sentinel's port */
#define EXHOG_OP_PAGER  4                 /* a pager's report: w1 pages, w2 error, w3 at quota */

enum exhog_kind { EX_PAGES, EX_SLOTS, EX_PORTS, EX_BANK, EX_BLOCKS, EX_KINDS };
static const char *const exhog_kinds[EX_KINDS] = { "pages", "slots", "ports", "bank", "blocks" };

static char exhog_line[512];
static int exhog_port;                    /* the hog's own port: children report there */
static int exhog_group;
static uint32_t exhog_rng;
static uint32_t exhog_blocks_named;
static int exhog_odd;                     /* calls that failed with an undocumented error */

/* Writes a formatted line straight to the console (no stdio buffer, no heap). */
static void exhog_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void exhog_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(exhog_line, sizeof(exhog_line), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(exhog_line) - 1)
        n = (int)sizeof(exhog_line) - 1;
    sys_call2(SYS_CONSOLE_WRITE, (long)exhog_line, n);
}

/* xorshift32: the hog's random choices, from the seed it is given. */
static uint32_t exhog_random(void)
{
    exhog_rng ^= exhog_rng << 13;
    exhog_rng ^= exhog_rng >> 17;
    exhog_rng ^= exhog_rng << 5;
    return exhog_rng;
}

/* Counts an error that the call does not document (ok1, ok2: the documented ones). */
static void exhog_check(const char *what, int err, int ok1, int ok2)
{
    if (err < 0 && err != ok1 && err != ok2) {
        exhog_odd++;
        exhog_say("exhog: odd: %s failed with %d\n", what, err);
    }
}

/* Touches the stack the hog will use, so that no demand-zero fault comes later. */
static void __attribute__((noinline)) exhog_touch_stack(void)
{
    volatile char area[EXHOG_STACK_USE];
    for (size_t i = 0; i < sizeof(area); i += 256)
        area[i] = 0;
}

/* Packs argc strings for SYS_ACTOR_CREATE and spawns "exhog mode a b" with the given
   privileges and priority (0: the image's); its aid or K_E*. */
static int exhog_spawn_as(const char *mode, long a, long b, uint32_t privs, uint32_t prio)
{
    static char args[64];
    struct actor_spawn sp;
    int len = snprintf(args, sizeof(args), "exhog%c%s%c%ld%c%ld", 0, mode, 0, a, 0, b) + 1;
    memset(&sp, 0, sizeof(sp));
    strcpy(sp.image, "exhog");
    sp.argc = 4;
    sp.args_len = (uint32_t)len;
    sp.args = args;
    sp.privileges = privs;
    sp.priority = prio;
    return (int)sys_call1(SYS_ACTOR_CREATE, (long)&sp);
}

/* Spawns a helper of the hog (child, sentinel) without privileges. */
static int exhog_spawn(const char *mode, int port, int nports)
{
    return exhog_spawn_as(mode, port, nports, 0, 0);
}

/* The caller's pages owned and page quota (SYS_ACTOR_INFO on its own slot). */
static void exhog_quota(uint32_t *owns, uint32_t *quota)
{
    static struct actor_info info;
    sys_call2(SYS_ACTOR_INFO, agetId() % ACTOR_SLOTS - 1, (long)&info);
    *owns = info.pages;
    *quota = info.page_quota;
}

/* Takes pool pages with rgnAllocate, halving the chunk on failure, until the caller's quota
   or the pool's reserves stop it; *err: the last error. */
static int exhog_own_pages(int *err)
{
    int got = 0;
    for (uint32_t chunk = EXHOG_CHUNK_MAX; chunk; chunk /= 2) {
        for (;;) {
            KnRgnDesc rgn;
            memset(&rgn, 0, sizeof(rgn));
            rgn.size = chunk * ACTOR_PAGE_SIZE;
            rgn.options = K_ANYWHERE | K_WRITABLE | K_FILLZERO;
            int r = rgnAllocate(K_MYACTOR, &rgn);
            if (r != K_OK) {
                exhog_check("rgnAllocate", r, K_ENOMEM, K_ENOMEM);
                *err = r;
                break;
            }
            got += (int)chunk;
        }
    }
    return got;
}

/* Takes every page ordinary actors may have: its own quota, then pagers' (each takes its
   quota) until one gets less than its quota or cannot start; *err: K_ENOMEM when the pool
   ran down to its reserves, K_ETOOMUCH when no slot was left for a pager. */
static int exhog_pages(int *err)
{
    int got = exhog_own_pages(err);
    for (;;) {
        int aid = exhog_spawn("pager", exhog_port, 0);
        if (aid < 0) {
            exhog_check("actor create", aid, K_ETOOMUCH, K_ENOMEM);
            *err = aid;
            return got;
        }
        for (;;) {
            struct sys_ipc_ret m = sys_ipc_recv(exhog_port, NULL);
            if (m.status == K_OK && (int32_t)m.r6 == aid && m.w[0] == EXHOG_OP_PAGER) {
                got += (int)m.w[1];
                *err = (int)m.w[2];
                if (!m.w[3])
                    return got;     /* the pool stopped it, not its quota */
                break;              /* no reply: the pager holds its pages while the hog lives */
            }
        }
    }
}

/* A pager: takes its quota of pages, reports to the hog and waits on its port until it is
   gone. */
static int exhog_pager_main(int port)
{
    int err = 0;
    uint32_t owns, quota;
    int got = exhog_own_pages(&err);
    exhog_quota(&owns, &quota);
    sys_ipc_call(port, EXHOG_OP_PAGER, (uint32_t)got, (uint32_t)err, owns >= quota - 2, NULL);
    return 0;
}

/* Spawns a child holding nports ports and waits for its report; returns its aid or K_E*,
   with the ports it took in *ports. */
static int exhog_child(int nports, int *ports, int *perr)
{
    int aid = exhog_spawn("child", exhog_port, nports);
    *ports = 0;
    if (aid < 0)
        return aid;
    for (;;) {
        struct sys_ipc_ret m = sys_ipc_recv(exhog_port, NULL);
        if (m.status == K_OK && (int32_t)m.r6 == aid && m.w[0] == EXHOG_OP_CHILD) {
            *ports = (int)m.w[1];
            *perr = (int)m.w[2];
            return aid;     /* no reply: the child waits on the hog's port while it lives */
        }
    }
}

/* Takes every free actor slot with children; *err: the error that ended it. */
static int exhog_slots(int *err)
{
    int got = 0, ports, perr;
    for (;;) {
        int aid = exhog_child(0, &ports, &perr);
        if (aid < 0) {
            exhog_check("actor create", aid, K_ETOOMUCH, K_ENOMEM);
            *err = aid;
            return got;
        }
        got++;
    }
}

/* Takes every free port: its own, then children's (8 an actor at most); *err: the error of
   the last port creation that failed; *children: slots taken for it. */
static int exhog_ports(int *err, int *children)
{
    int got = 0;
    for (;;) {
        int p = (int)sys_call1(SYS_PORT_CREATE, 0);
        if (p < 0) {
            exhog_check("port create", p, K_ETOOMUCH, K_ETOOMUCH);
            *err = p;
            break;
        }
        got++;
    }
    for (;;) {
        int ports, perr = 0;
        int aid = exhog_child(ACTOR_SLOTS, &ports, &perr);
        if (aid < 0) {
            exhog_check("actor create", aid, K_ETOOMUCH, K_ENOMEM);
            return got;     /* no child, no more ports: *err is the last port error */
        }
        (*children)++;
        got += ports;
        exhog_check("port create", perr, K_ETOOMUCH, K_ETOOMUCH);
        *err = perr;
        if (ports == 0)
            return got;     /* the table is full */
    }
}

/* Allocates one block of pages pages under the hog's key; K_OK or K_E*. */
static int exhog_block(uint32_t pages)
{
    PmmName n;
    VmAddr addr = 0;
    memset(&n, 0, sizeof(n));
    strcpy(n.medium, "RAM");
    snprintf(n.name, sizeof(n.name), "exhog%lu", (unsigned long)exhog_blocks_named++);
    int r = exhog_group > 0
                ? pmmAllocate(&addr, &n, pages * ACTOR_PAGE_SIZE, HR_GROUP_KEY, HR_GROUP_KEYSIZE)
                : pmmAllocate(&addr, &n, pages * ACTOR_PAGE_SIZE, EXHOG_KEY, sizeof(EXHOG_KEY));
    exhog_check("pmmAllocate", r, K_ENOMEM, K_ETOOMUCH);
    if (r == K_OK)
        *(volatile uint32_t *)addr = 1;     /* mapped and writable */
    return r;
}

/* Takes every bank page with blocks of random sizes, halving on K_ENOMEM; stops at a full
   directory. Blocks of 4 pages or more, so that the directory (256 entries) outlasts the
   bank's pages (998 on virt). Returns pages taken; *err: the error that ended it. */
static int exhog_bank(int *err)
{
    int got = 0;
    for (uint32_t size = 4 + exhog_random() % 61; size; size /= 2) {
        for (;;) {
            int r = exhog_block(size);
            if (r != K_OK) {
                *err = r;
                break;
            }
            got += (int)size;
        }
        if (*err == K_ETOOMUCH)
            break;
    }
    return got;
}

/* Takes every free directory entry with one-page blocks; *err: the error that ended it. */
static int exhog_blocks(int *err)
{
    int got = 0, r;
    while ((r = exhog_block(1)) == K_OK)
        got++;
    *err = r;
    return got;
}

/* A call whose output lies on a stack page never touched yet (deeper than the hog ever went):
   the kernel must bring the page in, or, with the pool empty, fail with K_ENOMEM. */
static int __attribute__((noinline)) exhog_deep(void)
{
    char area[EXHOG_STACK_USE + 8 * 1024];
    return (int)sys_call1(SYS_MEM_INFO, (long)area);
}

/* The starving victim: every 10 ms it looks at the pool, and while no more than the pool's
   reserves are free it touches one more page of its stack, EXHOG_STARVE_PAGES at most: an
   actor that needs memory when ordinary actors can have none. */
static void __attribute__((noinline, noreturn)) exhog_starve(void)
{
    static struct mem_info mi;
    volatile char area[EXHOG_STACK_USE + (EXHOG_STARVE_PAGES + 1) * ACTOR_PAGE_SIZE];
    size_t next = sizeof(area) - 1 - EXHOG_STACK_USE;
    for (;;) {
        sys_call1(SYS_DELAY, 10000);
        if (sys_call1(SYS_MEM_INFO, (long)&mi) == K_OK &&
            mi.free_pages <= mi.reserve_system_pages + mi.reserve_restart_pages &&
            next >= ACTOR_PAGE_SIZE) {
            area[next] = 1;
            next -= ACTOR_PAGE_SIZE;
        }
    }
}

/* The killer: sleeps us microseconds of virtual time, then kills the hog wherever it is
   (its priority is above the servers', so the hog may be waiting for the PMM's reply). */
static int exhog_killer_main(int hog, long us)
{
    sys_call1(SYS_DELAY, us);
    int r = (int)sys_call1(SYS_ACTOR_KILL, hog);
    exhog_say("exhog: killer killed hog %d: %d\n", hog, r);
    return 0;
}

/* The hog: grabs the kinds of ORDER in turn, reports, waits for its sentinel, ends. */
static int exhog_hog(uint32_t seed, const char *order, long kill_us)
{
    int got[EX_KINDS] = { 0 }, err[EX_KINDS] = { 0 }, children = 0;
    int self = agetId();
    exhog_rng = seed ? seed : 1;
    exhog_group = hrGetActorGroup(self);
    if (kill_us >= 0) {
        int killer = exhog_spawn_as("killer", self, kill_us, ACTOR_PRIVS_IMAGE, EXHOG_KILLER_PRIO);
        if (killer < 0) {
            exhog_say("exhog: cannot start the killer: %d\n", killer);
            return 1;
        }
    }
    exhog_port = (int)sys_call1(SYS_PORT_CREATE, 0);
    if (exhog_port < 0) {
        exhog_say("exhog: cannot create a port: %d\n", exhog_port);
        return 1;
    }
    int sentinel = exhog_spawn("sentinel", exhog_port, 0);
    if (sentinel < 0) {
        exhog_say("exhog: cannot start the sentinel: %d\n", sentinel);
        return 1;
    }
    int sport = -1;
    while (sport < 0) {
        struct sys_ipc_ret m = sys_ipc_recv(exhog_port, NULL);
        if (m.status == K_OK && (int32_t)m.r6 == sentinel && m.w[0] == EXHOG_OP_SENT)
            sport = (int)m.w[1];    /* no reply: the sentinel waits on the hog while it lives */
    }
    for (const char *p = order; *p;) {
        size_t len = strcspn(p, ",");
        for (int k = 0; k < EX_KINDS; k++) {
            if (strlen(exhog_kinds[k]) != len || strncmp(p, exhog_kinds[k], len))
                continue;
            switch (k) {
            case EX_PAGES: got[k] += exhog_pages(&err[k]); break;
            case EX_SLOTS: got[k] += exhog_slots(&err[k]); break;
            case EX_PORTS: got[k] += exhog_ports(&err[k], &children); break;
            case EX_BANK: got[k] += exhog_bank(&err[k]); break;
            case EX_BLOCKS: got[k] += exhog_blocks(&err[k]); break;
            }
        }
        p += len + (p[len] == ',');
    }
    uint32_t owns, quota;
    exhog_quota(&owns, &quota);
    int deep = exhog_deep();
    exhog_say("exhog: ready aid %d group %d sentinel %d pages %d/%d slots %d/%d ports %d/%d "
              "bank %d/%d blocks %d/%d odd %d deep %d quota %lu/%lu\n", self, exhog_group,
              sentinel, got[EX_PAGES], err[EX_PAGES], got[EX_SLOTS], err[EX_SLOTS],
              got[EX_PORTS], err[EX_PORTS], got[EX_BANK], err[EX_BANK], got[EX_BLOCKS],
              err[EX_BLOCKS], exhog_odd, deep, (unsigned long)owns, (unsigned long)quota);
    /* Waits in a call to the sentinel's port: the sentinel never receives it (it waits for
       the hog's reply), so the call ends (K_EDEAD) when the sentinel dies. */
    struct sys_ipc_ret w = sys_ipc_call(sport, EXHOG_OP_WAIT, 0, 0, 0, NULL);
    if (w.status != K_EDEAD)
        exhog_say("exhog: odd: the wait on the sentinel ended with %ld\n", w.status);
    if (exhog_group > 0) {
        exhog_say("exhog: done\n");
        HR_EXIT_HDL();
        exit(0);
    }
    int r = pmmFreeAll(EXHOG_KEY, sizeof(EXHOG_KEY));
    exhog_say("exhog: done, blocks freed: %d\n", r);
    return 0;
}

/* A child: takes nports ports, reports to the hog and waits on its port until it is gone. */
static int exhog_child_main(int port, int nports)
{
    int got = 0, err = 0;
    while (got < nports) {
        int p = (int)sys_call1(SYS_PORT_CREATE, 0);
        if (p < 0) {
            err = p;
            break;
        }
        got++;
    }
    sys_ipc_call(port, EXHOG_OP_CHILD, (uint32_t)got, (uint32_t)err, 0, NULL);
    return 0;
}

/* The sentinel: gives the hog a port of its own, on which it never receives, in a call the
   hog never answers: the hog's wait on that port ends when the sentinel dies, and the
   sentinel ends when the hog does, whenever that is. */
static int exhog_sentinel_main(int port)
{
    int mine = (int)sys_call1(SYS_PORT_CREATE, 0);
    if (mine < 0) {
        exhog_say("exhog: sentinel cannot create its port: %d\n", mine);
        return 1;
    }
    sys_ipc_call(port, EXHOG_OP_SENT, (uint32_t)mine, 0, 0, NULL);
    return 0;
}

int main(int argc, char **argv)
{
    exhog_touch_stack();
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "hog") && argc > 3)
        return exhog_hog((uint32_t)strtoul(argv[2], NULL, 0), argv[3],
                         argc > 4 ? strtol(argv[4], NULL, 0) : -1);
    if (!strcmp(mode, "killer") && argc > 3)
        return exhog_killer_main(atoi(argv[2]), strtol(argv[3], NULL, 0));
    if (!strcmp(mode, "child") && argc > 3)
        return exhog_child_main(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(mode, "pager") && argc > 2)
        return exhog_pager_main(atoi(argv[2]));
    if (!strcmp(mode, "sentinel") && argc > 2)
        return exhog_sentinel_main(atoi(argv[2]));
    if (!strcmp(mode, "victim")) {
        int self = agetId();
        int port = (int)sys_call1(SYS_PORT_CREATE, 0);
        exhog_say("exhog: victim up aid %d group %d port %d\n", self, hrGetActorGroup(self),
                  port);
        if (argc > 2 && !strcmp(argv[2], "starve"))
            exhog_starve();
        for (;;)
            sys_call1(SYS_DELAY, 1000000);
    }
    if (!strcmp(mode, "free")) {
        exhog_say("exhog: freed %d\n", pmmFreeAll(EXHOG_KEY, sizeof(EXHOG_KEY)));
        return 0;
    }
    exhog_say("usage: exhog hog SEED ORDER [US] | killer AID US | child PORT N | pager PORT 0 | "
              "sentinel PORT | victim [starve] | free\n");
    return 2;
}

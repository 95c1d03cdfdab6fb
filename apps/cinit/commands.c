/* C_INIT console commands: help, ls, arun, aps, akill, pmm, hr, hr resume, restart.
 *
 * Output formats (one line each; scenarios match them, so keep them stable):
 *
 *   help            "commands:", then one "  <usage>  <what it does>" line a command
 *   ls              the header "name size text data bss", then "%-15s %8u %8u %8u %8u" an
 *                   image in the same columns (bytes), then "<n> image[s]"
 *   arun name args  "started <name>, aid <aid>"
 *   arun -g gid ... "started <name>, aid <aid>, group <gid>"            (through HR_OP_RUN)
 *                   "arun: cannot start <name>: error <n> (<K_E...>)"
 *                   | "arun: <name> already runs (aid <aid>): a second server or console
 *                   cannot work (arun -f starts it all the same)"
 *   aps             the header "aid name group state pages restarts quota", then
 *                   "%7d %-15s %5s %-7s %5u %8s %6u" an actor in the same columns (state:
 *                   ready, blocked, stopped, zombie; group and restarts "-" for none,
 *                   restarts also when HR does not run; quota: the pages it may own),
 *                   followed by "  watchdog <p> ms, <l> ms left" when it armed one, then
 *                   "<n> actor[s]" and "kernel: <f> of <t> pages free, <a> of <m> actor
 *                   slots used, <p> of <q> ports used" and "kernel: page reserve <s> for
 *                   the system, <r> for restarts; quota <d> pages by default"
 *   akill aid       "killed aid <aid>" | "akill: cannot kill aid <aid>: error <n> (<K_E...>)"
 *                   | "akill: <name> (aid <aid>) is critical: its end restarts the site
 *                   (akill -f kills it all the same)"
 *   akill -g gid    "killed group <gid>" | "akill: no restart group <gid>"
 *                   | "akill: cannot kill group <gid>: error <n> (<K_E...>)"
 *   pmm             "bank: <u> of <t> pages used (<u> KiB of <t> KiB), <b> of <m> blocks"
 *                   then "no blocks", or the header "name size owner group mapped by" and
 *                   "%-31s %8u %-15s %5s %s" a block, in the same columns (owner: the image
 *                   that allocated it, "-" unknown; group "-" for none; mapped by: aids
 *                   separated by spaces, or "-"; keys are never shown); then a line an
 *                   owner or group holding blocks: "quota <image>: <p> of <P> pages, <b> of
 *                   <B> blocks" | "quota group <gid>: ..." ("of -" for no limit)
 *   hr              "hr: auto-start on, <n> site restart[s] recorded"
 *                   | "hr: auto-start off (<reason>), <n> site restart[s] recorded"
 *                   "group <gid>: <running|stopped|ended|waiting>, <n> restart[s], <m>
 *                   member[s]", and for a waiting group "; restart at t=<s>.<us>s, in <ms> ms"
 *                   "  aid <aid|-> <name> <direct|indirect>[, clean exit]" a member
 *                   "  bank: <p> of <P> pages, <b> of <B> blocks" (its HR_GROUP_KEY
 *                   blocks against the group's quota, when it holds any)
 *                   or "no groups"; then "crash log: empty", or "crash log, oldest first:"
 *                   and "  #<seq> boot <b> t=<s>.<us>s <name> (aid <aid>[, group <gid>])
 *                   <fault text>; <action>" a record
 *   hr resume       "hr resume: auto-start on, <n> group[s] started" (HR says "hr: restarting
 *                   group <gid> on hr resume" for each) | "hr resume: auto-start is on already"
 *                   | "hr resume: error <n> (<K_E...>)"
 *   hr dump         "dumps: none", or "dumps, oldest first:" and "  #<seq> boot <b> t=<s>.<us>s
 *                   <name> (aid <aid>, group <gid>) <fault text>; <n> stack bytes, build id
 *                   <hex|none>" a dump
 *   hr dump N       dump #N: "dump #<seq>: boot <b> t=... <name> (aid <aid>, group <gid>)
 *                   <fault text>", "build id <hex|none>", four lines of registers
 *                   "r0  <hex8> r1  <hex8> r2  <hex8> r3  <hex8>" ... "r12 <hex8> sp  <hex8>
 *                   lr  <hex8> pc  <hex8>", "cpsr <hex8>", "stack at <hex8>, <n> bytes:" and
 *                   "<address>: <4 words in hex>" lines (words as the CPU reads them)
 *                   | "hr: no dump #N"
 *   restart         "restart: site restart requested" (then the kernel resets the machine)
 *
 * Mistakes never stop the console: a bad argument prints "<cmd>: <what is wrong>" and the
 * command's "usage: ..." line; an unknown command prints "unknown command '<word>'" and
 * "usage: <command> [args]; commands: help ls arun aps akill pmm hr restart". A server
 * that does not run gives "<cmd>: PMM server not running" or "<cmd>: HR controller not running". */
#include <hr/dumps.h>
#include <hr/proto.h>
#include <pmm/proto.h>
#include <chorus.h>
#include <reprise/abi.h>
#include <reprise/counter.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cinit.h"
#include "words.h"

#define CINIT_PMM_IMAGE  "pmm"      /* image names of the servers, for the boot-time wait */
#define CINIT_HR_IMAGE   "hr"
#define CINIT_SERVER_WAIT_MS 2000   /* how long the boot script waits for a starting server */
#define CINIT_LIST_MAX   4096       /* bound on any index walk, against a server gone wrong */
#define CINIT_GROUPS_MAX 64         /* groups whose restart counts aps shows */

struct cinit_cmd {
    const char *name;
    void (*run)(int argc, char **argv, enum cinit_source from);
    const char *usage;
    const char *what;
};

static const struct cinit_cmd *cmd_find(const char *name);

/* Prints "<cmd>: <reason>" (when reason is not NULL) and the command's usage line. */
static void cmd_usage(const char *name, const char *reason, const char *arg)
{
    const struct cinit_cmd *c = cmd_find(name);
    if (reason)
        cinit_printf(arg ? "%s: %s '%s'\n" : "%s: %s\n", name, reason, arg);
    cinit_printf("usage: %s\n", c->usage);
}

/* "s" after a count other than 1. */
static const char *plural(unsigned long n)
{
    return n == 1 ? "" : "s";
}

/* Parses a decimal number 1..INT32_MAX (an aid or a group id); 0 when it is not one. */
static int32_t cmd_number(const char *s)
{
    if (!s || *s < '0' || *s > '9')
        return 0;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (*s - '0');
        if (v > INT32_MAX)
            return 0;
    }
    return (int32_t)v;
}

/* ---- servers ------------------------------------------------------------------------ */

/* Tells whether the system image holds an actor image called name. */
static int image_exists(const char *name)
{
    struct image_info info;
    for (int i = 0; i < CINIT_LIST_MAX; i++) {
        if (sys_call2(SYS_IMAGE_INFO, i, (long)&info) != K_OK)
            return 0;
        if (!strncmp(info.name, name, sizeof(info.name)))
            return 1;
    }
    return 0;
}

/* The port of well-known server wk, or a negative code when none runs. While the boot
 * script runs and the image holds the server, waits for it to come up (boot actors start
 * together, so sysadm.ini may get there first). */
static int server_port(int wk, const char *image, enum cinit_source from)
{
    int port = (int)sys_call1(SYS_PORT_LOOKUP, wk);
    if (port >= 0 || from != CINIT_FROM_SCRIPT || !image_exists(image))
        return port;
    for (int ms = 0; port < 0 && ms < CINIT_SERVER_WAIT_MS; ms += 10) {
        sys_call1(SYS_DELAY, 10000);
        port = (int)sys_call1(SYS_PORT_LOOKUP, wk);
    }
    return port;
}

/* One request to a server: op and w1 (and an optional buffer each way). Returns the reply's
 * word 0 (K_OK, a value >= 0, or K_E*) or the call's own error (K_EDEAD: the server died). */
static int server_call(int port, uint32_t op, uint32_t w1, const void *send, uint32_t send_len,
                       void *recv, uint32_t recv_cap)
{
    struct ipc_bufs bufs = { send, send_len, recv, recv_cap, 0 };
    struct sys_ipc_ret r = sys_ipc_call(port, op, w1, 0, 0, &bufs);
    if (r.status != K_OK)
        return (int)r.status;
    return (int)r.w[0];
}

/* Whether HR will restore the restart groups of the previous run by itself (its registry
   was kept in the bank): then a warm boot skips the script's arun -g lines. */
int cinit_hr_restores_groups(void)
{
    static struct hr_status st;
    int port = server_port(PORT_WK_HR, CINIT_HR_IMAGE, CINIT_FROM_SCRIPT);
    return port >= 0 && server_call(port, HR_OP_STATUS, 0, NULL, 0, &st, sizeof(st)) == K_OK &&
           st.registry_kept;
}

/* The PMM server's port, or a negative code after printing "<cmd>: PMM server not running". */
static int pmm_port(const char *cmd, enum cinit_source from)
{
    int port = server_port(PORT_WK_PMM, CINIT_PMM_IMAGE, from);
    if (port < 0)
        cinit_printf("%s: PMM server not running\n", cmd);
    return port;
}

/* The HR controller's port, or a negative code after printing
 * "<cmd>: HR controller not running". */
static int hr_port(const char *cmd, enum cinit_source from)
{
    int port = server_port(PORT_WK_HR, CINIT_HR_IMAGE, from);
    if (port < 0)
        cinit_printf("%s: HR controller not running\n", cmd);
    return port;
}

/* ---- help, ls --------------------------------------------------------------------------- */

static void cmd_help(int argc, char **argv, enum cinit_source from);

/* ls: the actor images of the system image (SYS_IMAGE_INFO over the indexes). */
static void cmd_ls(int argc, char **argv, enum cinit_source from)
{
    (void)argc, (void)argv, (void)from;
    struct image_info info;
    int n = 0;
    cinit_printf("%-15s %8s %8s %8s %8s\n", "name", "size", "text", "data", "bss");
    while (n < CINIT_LIST_MAX && sys_call2(SYS_IMAGE_INFO, n, (long)&info) == K_OK) {
        info.name[ACTOR_NAME_MAX - 1] = '\0';
        cinit_printf("%-15s %8lu %8lu %8lu %8lu\n", info.name, (unsigned long)info.size,
                     (unsigned long)info.text_bytes, (unsigned long)info.data_bytes,
                     (unsigned long)info.bss_bytes);
        n++;
    }
    cinit_printf("%d image%s\n", n, plural((unsigned long)n));
}

/* ---- arun ---------------------------------------------------------------------------- */

/* Packs name and args as argc NUL-terminated strings (argv[0] is the image name). */
static uint32_t arun_pack(char *buf, const char *name, int nargs, char **args)
{
    uint32_t len = 0;
    size_t l = strlen(name) + 1;
    memcpy(buf, name, l);
    len += (uint32_t)l;
    for (int i = 0; i < nargs; i++) {
        l = strlen(args[i]) + 1;
        memcpy(buf + len, args[i], l);   /* fits: a command line is shorter than the buffer */
        len += (uint32_t)l;
    }
    return len;
}

/* The information of live actor aid into *info; 0 when there is none. */
static int actor_find(int32_t aid, struct actor_info *info)
{
    return aid > 0 && sys_call2(SYS_ACTOR_INFO, aid % ACTOR_SLOTS - 1, (long)info) == K_OK &&
           info->aid == aid;
}

/* The aid of a running actor of image name when that image is a server (PMM, HR: each
   owns a well-known port, which a second one cannot take) or the console's own, else 0. */
static int arun_server_running(const char *name)
{
    static struct image_info image;
    static struct actor_info info;
    int server = actor_find(cinit_self_aid, &info) && !strncmp(info.name, name, sizeof(info.name));
    for (int i = 0; sys_call2(SYS_IMAGE_INFO, i, (long)&image) == K_OK; i++)
        if (!strncmp(image.name, name, sizeof(image.name)))
            server |= (image.privileges & (PRIV_SERVER | PRIV_CRITICAL)) != 0;
    for (int i = 0; server && sys_call2(SYS_ACTOR_INFO, i, (long)&info) == K_OK; i++)
        if (info.aid && !strncmp(info.name, name, sizeof(info.name)))
            return info.aid;
    return 0;
}

/* arun [-f] [-g gid] name [args]: SYS_ACTOR_CREATE, or HR_OP_RUN for a restartable group; the new
   actor is held until the "started" line is printed. */
static void cmd_arun(int argc, char **argv, enum cinit_source from)
{
    int32_t gid = 0;
    int first = 1, force = 0;
    while (argc > first && argv[first][0] == '-') {
        if (!strcmp(argv[first], "-f")) {
            force = 1;
            first++;
        } else if (!strcmp(argv[first], "-g")) {
            if (argc < first + 2) {
                cmd_usage("arun", "missing group id", NULL);
                return;
            }
            gid = cmd_number(argv[first + 1]);
            if (gid <= 0) {
                cmd_usage("arun", "bad group id", argv[first + 1]);
                return;
            }
            first += 2;
        } else {
            cmd_usage("arun", "unknown option", argv[first]);
            return;
        }
    }
    if (argc <= first) {
        cmd_usage("arun", "missing actor name", NULL);
        return;
    }
    const char *name = argv[first];
    if (strlen(name) >= ACTOR_NAME_MAX) {
        cmd_usage("arun", "actor name too long", name);
        return;
    }
    int other = force ? 0 : arun_server_running(name);
    if (other) {
        cinit_printf("arun: %s already runs (aid %d): a second server or console cannot work "
                     "(arun -f starts it all the same)\n", name, other);
        return;
    }
    int nargs = argc - first - 1;
    char **args = argv + first + 1;
    int aid;
    if (gid == 0) {
        static char packed[CINIT_LINE_MAX];
        struct actor_spawn sp;
        memset(&sp, 0, sizeof(sp));
        strncpy(sp.image, name, sizeof(sp.image) - 1);
        sp.argc = (uint32_t)(nargs + 1);
        sp.args_len = arun_pack(packed, name, nargs, args);
        sp.args = packed;
        sp.privileges = ACTOR_PRIVS_IMAGE;
        sp.flags = ACTOR_SPAWN_HELD;
        aid = (int)sys_call1(SYS_ACTOR_CREATE, (long)&sp);
    } else {
        static struct hr_exec_req req;
        int port = hr_port("arun", from);
        if (port < 0)
            return;
        memset(&req, 0, sizeof(req));
        strncpy(req.image, name, sizeof(req.image) - 1);
        req.argc = (uint32_t)(nargs + 1);
        req.args_len = arun_pack(req.args, name, nargs, args);
        struct ipc_bufs bufs = { &req, sizeof(req), NULL, 0, 0 };
        struct sys_ipc_ret r = sys_ipc_call(port, HR_OP_RUN, (uint32_t)gid, HR_RUN_HELD, 0, &bufs);
        aid = r.status != K_OK ? (int)r.status : (int)r.w[0];
    }
    if (aid <= 0) {
        cinit_printf("arun: cannot start %s: error %d (%s)\n", name, aid, kErrorName(aid));
        return;
    }
    /* The actor waits (held) until this line is out, so its own lines come after it. */
    if (gid)
        cinit_printf("started %s, aid %d, group %d\n", name, aid, (int)gid);
    else
        cinit_printf("started %s, aid %d\n", name, aid);
    sys_call1(SYS_ACTOR_RELEASE, aid);
}

/* ---- aps ----------------------------------------------------------------------------- */

/* The name of an enum actor_state value, for aps. */
static const char *aps_state(uint32_t state)
{
    switch (state) {
    case ACTOR_READY: return "ready";
    case ACTOR_BLOCKED: return "blocked";
    case ACTOR_STOPPED: return "stopped";
    case ACTOR_ZOMBIE: return "zombie";
    default: return "?";
    }
}

/* aps: the live actors (SYS_ACTOR_INFO over the slots), with the restart count of their
 * group when HR runs (HR_OP_GROUP_INFO) and their armed watchdog (SYS_WATCHDOG). */
static void cmd_aps(int argc, char **argv, enum cinit_source from)
{
    (void)argc, (void)argv;
    static int32_t gids[CINIT_GROUPS_MAX];
    static uint32_t restarts[CINIT_GROUPS_MAX];
    static struct hr_group_info g;
    int ngroups = 0;
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_HR);
    (void)from;
    for (int i = 0; port >= 0 && ngroups < CINIT_GROUPS_MAX; i++) {
        if (server_call(port, HR_OP_GROUP_INFO, (uint32_t)i, NULL, 0, &g, sizeof(g)) != K_OK)
            break;
        gids[ngroups] = g.gid;
        restarts[ngroups++] = g.restarts;
    }

    struct actor_info info;
    int n = 0;
    cinit_printf("%7s %-15s %5s %-7s %5s %8s %6s\n", "aid", "name", "group", "state", "pages",
                 "restarts", "quota");
    for (int i = 0; i < CINIT_LIST_MAX; i++) {
        if (sys_call2(SYS_ACTOR_INFO, i, (long)&info) != K_OK)
            break;
        if (info.aid == 0)
            continue;
        char group[12] = "-", rs[12] = "-";
        if (info.group) {
            snprintf(group, sizeof(group), "%d", (int)info.group);
            for (int k = 0; k < ngroups; k++)
                if (gids[k] == info.group)
                    snprintf(rs, sizeof(rs), "%lu", (unsigned long)restarts[k]);
        }
        info.name[ACTOR_NAME_MAX - 1] = '\0';
        char wd[48] = "";
        struct watchdog_info w;
        if (info.group && sys_call3(SYS_WATCHDOG, WATCHDOG_INFO, info.aid, (long)&w) == K_OK &&
            w.period_ms)
            snprintf(wd, sizeof(wd), "  watchdog %lu ms, %lu ms left",
                     (unsigned long)w.period_ms, (unsigned long)w.left_ms);
        cinit_printf("%7d %-15s %5s %-7s %5lu %8s %6lu%s\n", (int)info.aid, info.name, group,
                     aps_state(info.state), (unsigned long)info.pages, rs,
                     (unsigned long)info.page_quota, wd);
        n++;
    }
    cinit_printf("%d actor%s\n", n, plural((unsigned long)n));
    struct mem_info mi;
    if (sys_call1(SYS_MEM_INFO, (long)&mi) == K_OK) {
        cinit_printf("kernel: %lu of %lu pages free, %lu of %lu actor slots used, "
                     "%lu of %lu ports used\n", (unsigned long)mi.free_pages,
                     (unsigned long)mi.total_pages, (unsigned long)mi.actors_used,
                     (unsigned long)mi.actors_total, (unsigned long)mi.ports_used,
                     (unsigned long)mi.ports_total);
        cinit_printf("kernel: page reserve %lu for the system, %lu for restarts; quota %lu "
                     "pages by default\n", (unsigned long)mi.reserve_system_pages,
                     (unsigned long)mi.reserve_restart_pages,
                     (unsigned long)mi.default_page_quota);
    }
}

/* ---- akill --------------------------------------------------------------------------- */

/* Tells whether HR knows group gid: 1 yes, 0 no, -1 when it cannot tell. */
static int akill_group_known(int port, int32_t gid)
{
    static struct hr_group_info g;
    for (int i = 0; i < CINIT_LIST_MAX; i++) {
        int r = server_call(port, HR_OP_GROUP_INFO, (uint32_t)i, NULL, 0, &g, sizeof(g));
        if (r == K_EUNKNOWN)
            return 0;
        if (r != K_OK)
            return -1;
        if (g.gid == gid)
            return 1;
    }
    return -1;
}

/* akill [-f] aid: SYS_ACTOR_KILL (never the console itself; a critical actor, whose end is a
   site restart, only with -f); akill -g gid: HR_OP_KILL_GROUP. */
static void cmd_akill(int argc, char **argv, enum cinit_source from)
{
    int force = argc > 1 && !strcmp(argv[1], "-f");
    if (force) {
        argc--;
        argv++;
    }
    if (argc < 2) {
        cmd_usage("akill", "missing actor id", NULL);
        return;
    }
    if (!strcmp(argv[1], "-g")) {
        if (argc < 3) {
            cmd_usage("akill", "missing group id", NULL);
            return;
        }
        if (argc > 3) {
            cmd_usage("akill", "too many arguments", NULL);
            return;
        }
        int32_t gid = cmd_number(argv[2]);
        if (gid <= 0) {
            cmd_usage("akill", "bad group id", argv[2]);
            return;
        }
        int port = hr_port("akill", from);
        if (port < 0)
            return;
        if (akill_group_known(port, gid) == 0) {
            cinit_printf("akill: no restart group %d\n", (int)gid);
            return;
        }
        int r = server_call(port, HR_OP_KILL_GROUP, (uint32_t)gid, NULL, 0, NULL, 0);
        if (r < 0)
            cinit_printf("akill: cannot kill group %d: error %d (%s)\n", (int)gid, r,
                         kErrorName(r));
        else
            cinit_printf("killed group %d\n", (int)gid);
        return;
    }
    if (argc > 2) {
        cmd_usage("akill", "too many arguments", NULL);
        return;
    }
    int32_t aid = cmd_number(argv[1]);
    if (aid <= 0) {
        cmd_usage("akill", "bad actor id", argv[1]);
        return;
    }
    if (aid == cinit_self_aid) {
        cinit_printf("akill: aid %d is this console\n", (int)aid);
        return;
    }
    static struct actor_info info;
    if (!force && actor_find(aid, &info) && (info.privileges & PRIV_CRITICAL)) {
        info.name[ACTOR_NAME_MAX - 1] = '\0';
        cinit_printf("akill: %s (aid %d) is critical: its end restarts the site "
                     "(akill -f kills it all the same)\n", info.name, (int)aid);
        return;
    }
    int r = (int)sys_call1(SYS_ACTOR_KILL, aid);
    if (r < 0)
        cinit_printf("akill: cannot kill aid %d: error %d (%s)\n", (int)aid, r, kErrorName(r));
    else
        cinit_printf("killed aid %d\n", (int)aid);
}

/* ---- pmm ----------------------------------------------------------------------------- */

/* Copies a name or key of at most n bytes into out (cap bytes) as printable text. */
static void pmm_text(char *out, size_t cap, const char *in, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && in[i] && k + 1 < cap; i++)
        out[k++] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
    if (k == 0 && cap > 1)
        out[k++] = '-';
    out[k] = '\0';
}

/* Prints "<p> of <P> pages, <b> of <B> blocks" of u after prefix. */
static void pmm_usage_line(const char *prefix, const struct pmm_usage *u)
{
    char mp[12] = "-", mb[12] = "-";
    if (u->max_pages)
        snprintf(mp, sizeof(mp), "%lu", (unsigned long)u->max_pages);
    if (u->max_blocks)
        snprintf(mb, sizeof(mb), "%lu", (unsigned long)u->max_blocks);
    cinit_printf("%s%lu of %s page%s, %lu of %s block%s\n", prefix, (unsigned long)u->pages, mp,
                 u->max_pages == 1 ? "" : "s", (unsigned long)u->blocks, mb,
                 u->max_blocks == 1 ? "" : "s");
}

/* pmm: the bank use (PMM_OP_STAT), the NVRAM medium's (PMM_OP_NV_STAT, when there is a
   flash), every block (PMM_OP_BLOCK_INFO over the indexes; NVRAM blocks as NVRAM:name), then
   what each owner and group holds against its quota (PMM_OP_USAGE). */
static void cmd_pmm(int argc, char **argv, enum cinit_source from)
{
    (void)argc, (void)argv;
    static struct pmm_stat st;
    static struct pmm_block_info b;
    static struct pmm_usage u;
    static struct pmm_nv_stat nv;
    int port = pmm_port("pmm", from);
    if (port < 0)
        return;
    int r = server_call(port, PMM_OP_STAT, 0, NULL, 0, &st, sizeof(st));
    if (r < 0) {
        cinit_printf("pmm: cannot read the bank state: error %d (%s)\n", r, kErrorName(r));
        return;
    }
    cinit_printf("bank: %lu of %lu pages used (%lu KiB of %lu KiB), %lu of %lu blocks\n",
                 (unsigned long)st.pages_used, (unsigned long)st.pages_total,
                 (unsigned long)st.pages_used * (ACTOR_PAGE_SIZE / 1024),
                 (unsigned long)st.pages_total * (ACTOR_PAGE_SIZE / 1024),
                 (unsigned long)st.blocks, (unsigned long)st.max_blocks);
    if (server_call(port, PMM_OP_NV_STAT, 0, NULL, 0, &nv, sizeof(nv)) >= 0)
        cinit_printf("nvram: blocks %lu of %lu, pages %lu of %lu committed, %lu commit%s since "
                     "boot, erase counts %lu-%lu over %lu erase blocks\n",
                     (unsigned long)nv.blocks, (unsigned long)nv.max_blocks,
                     (unsigned long)nv.pages, (unsigned long)nv.max_pages,
                     (unsigned long)nv.commits, plural(nv.commits), (unsigned long)nv.erases_min,
                     (unsigned long)nv.erases_max, (unsigned long)nv.segments);
    int n = 0;
    for (int i = 0; i < CINIT_LIST_MAX; i++) {
        r = server_call(port, PMM_OP_BLOCK_INFO, (uint32_t)i, NULL, 0, &b, sizeof(b));
        if (r == K_EUNKNOWN)
            break;
        if (r < 0) {
            cinit_printf("pmm: cannot read block %d: error %d (%s)\n", i, r, kErrorName(r));
            return;
        }
        if (b.name.name[0] == '\0')
            continue;
        char name[sizeof(PmmMemName) + 8], owner[ACTOR_NAME_MAX], group[12] = "-", by[96];
        int nvram = strncmp(b.name.medium, "NVRAM", sizeof(b.name.medium)) == 0;
        if (nvram)
            strcpy(name, "NVRAM:");
        pmm_text(name + (nvram ? 6 : 0), sizeof(PmmMemName), b.name.name, sizeof(b.name.name));
        pmm_text(owner, sizeof(owner), b.owner, sizeof(b.owner));
        if (b.group)
            snprintf(group, sizeof(group), "%d", (int)b.group);
        size_t k = 0;
        uint32_t nm = b.nmappers < PMM_MAPPERS_MAX ? b.nmappers : PMM_MAPPERS_MAX;
        by[0] = '\0';
        for (uint32_t m = 0; m < nm; m++) {
            snprintf(by + k, sizeof(by) - k, "%d", (int)b.mappers[m]);
            k = strlen(by);
            if (m + 1 < nm && k + 1 < sizeof(by)) {
                by[k++] = ' ';
                by[k] = '\0';
            }
        }
        if (n == 0)
            cinit_printf("%-31s %8s %-15s %5s %s\n", "name", "size", "owner", "group",
                         "mapped by");
        cinit_printf("%-31s %8lu %-15s %5s %s\n", name, (unsigned long)b.size, owner, group,
                     nm ? by : "-");
        n++;
    }
    if (n == 0)
        cinit_puts("no blocks\n");
    for (int i = 0; i < CINIT_LIST_MAX; i++) {
        if (server_call(port, PMM_OP_USAGE, (uint32_t)i, NULL, 0, &u, sizeof(u)) != K_OK)
            break;
        char prefix[48], image[ACTOR_NAME_MAX];
        pmm_text(image, sizeof(image), u.image, sizeof(u.image));
        if (u.group)
            snprintf(prefix, sizeof(prefix), "quota group %d: ", (int)u.group);
        else
            snprintf(prefix, sizeof(prefix), "quota %s: ", image);
        pmm_usage_line(prefix, &u);
    }
}

/* The bank use of restart group gid against its quota, from the PMM server; 1 with *u, or 0
   when it holds no block (or no PMM server answers). */
static int pmm_group_usage(int32_t gid, struct pmm_usage *u)
{
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
    for (int i = 0; port > 0 && i < CINIT_LIST_MAX; i++) {
        if (server_call(port, PMM_OP_USAGE, (uint32_t)i, NULL, 0, u, sizeof(*u)) != K_OK)
            return 0;
        if (u->group == gid)
            return 1;
    }
    return 0;
}

/* ---- hr ------------------------------------------------------------------------------ */

/* The name of an enum hr_group_state value, for hr. */
static const char *hr_state(uint32_t state)
{
    switch (state) {
    case HR_GROUP_RUNNING: return "running";
    case HR_GROUP_STOPPED: return "stopped";
    case HR_GROUP_ENDED: return "ended";
    case HR_GROUP_WAITING: return "waiting";
    default: return "?";
    }
}

/* hr resume: HR_OP_RESUME, auto-start on again after the loop breaker stopped it. */
static void hr_resume(enum cinit_source from)
{
    int port = hr_port("hr resume", from);
    if (port < 0)
        return;
    int r = server_call(port, HR_OP_RESUME, 0, NULL, 0, NULL, 0);
    if (r == K_EINVAL)
        cinit_puts("hr resume: auto-start is on already\n");
    else if (r < 0)
        cinit_printf("hr resume: error %d (%s)\n", r, kErrorName(r));
    else
        cinit_printf("hr resume: auto-start on, %d group%s started\n", r, plural((unsigned long)r));
}

/* The virtual time now in ns, for the restart times of waiting groups. */
static uint64_t hr_now_ns(void)
{
    uint64_t t = counter_now(), hz = counter_hz();
    return t / hz * 1000000000u + t % hz * 1000000000u / hz;
}

/* The build id of dump h in hex, or "none", into out (41 bytes at least). */
static const char *hr_build_id(const struct hrdump_header *h, char *out)
{
    uint32_t n = h->build_id_len < HRDUMP_BUILD_ID_MAX ? h->build_id_len : HRDUMP_BUILD_ID_MAX;
    for (uint32_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", h->build_id[i]);
    return n ? out : "none";
}

/* Prints the first line of dump h: "boot <b> t=... <name> (aid, group) <fault text>". */
static void hr_dump_line(const char *lead, struct hrdump_header *h, const char *tail)
{
    h->name[HRDUMP_NAME_SIZE - 1] = '\0';
    h->text[HRDUMP_TEXT_SIZE - 1] = '\0';
    cinit_printf("%s#%lu boot %lu t=%lu.%06lus %s (aid %d, group %d) %s%s\n", lead,
                 (unsigned long)h->seq, (unsigned long)h->boot,
                 (unsigned long)(h->time_ns / 1000000000u),
                 (unsigned long)(h->time_ns % 1000000000u / 1000u), h->name, (int)h->aid,
                 (int)h->group, h->text, tail);
}

/* hr dump [N]: the post-mortem dumps, oldest first (HR_OP_DUMP_INFO), or dump #N's registers
 * and raw stack (HR_OP_DUMP_STACK). */
static void cmd_hr_dump(int port, int argc, char **argv)
{
    static struct hrdump_header h;
    static uint8_t stack[HR_DUMP_STACK_CHUNK];
    char id[2 * HRDUMP_BUILD_ID_MAX + 1], tail[96];
    char *end;
    unsigned long want = argc > 1 ? strtoul(argv[1], &end, 10) : 0;
    if (argc > 1 && (!argv[1][0] || *end || want == 0)) {
        cmd_usage("hr", "bad dump number", argv[1]);
        return;
    }
    int n = 0, r = K_OK;
    for (int i = 0; i < CINIT_LIST_MAX; i++) {
        r = server_call(port, HR_OP_DUMP_INFO, (uint32_t)i, NULL, 0, &h, sizeof(h));
        if (r < 0)
            break;
        if (argc > 1) {
            if (h.seq == want)
                break;
            continue;
        }
        if (n++ == 0)
            cinit_puts("dumps, oldest first:\n");
        snprintf(tail, sizeof(tail), "; %lu stack bytes, build id %s",
                 (unsigned long)h.stack_len, hr_build_id(&h, id));
        hr_dump_line("  ", &h, tail);
    }
    if (r < 0 && r != K_EUNKNOWN) {
        cinit_printf("hr: cannot read the dumps: error %d (%s)\n", r, kErrorName(r));
        return;
    }
    if (argc == 1) {
        if (n == 0)
            cinit_puts("dumps: none\n");
        return;
    }
    if (r < 0) {
        cinit_printf("hr: no dump #%lu\n", want);
        return;
    }
    hr_dump_line("dump ", &h, "");
    cinit_printf("build id %s\n", hr_build_id(&h, id));
    static const char *const names[16] = { "r0 ", "r1 ", "r2 ", "r3 ", "r4 ", "r5 ", "r6 ",
                                            "r7 ", "r8 ", "r9 ", "r10", "r11", "r12", "sp ",
                                            "lr ", "pc " };
    for (int i = 0; i < 16; i += 4)
        cinit_printf("%s %08lx %s %08lx %s %08lx %s %08lx\n", names[i], (unsigned long)h.r[i],
                     names[i + 1], (unsigned long)h.r[i + 1], names[i + 2],
                     (unsigned long)h.r[i + 2], names[i + 3], (unsigned long)h.r[i + 3]);
    cinit_printf("cpsr %08lx\n", (unsigned long)h.cpsr);
    cinit_printf("stack at %08lx, %lu bytes:\n", (unsigned long)h.stack_vaddr,
                 (unsigned long)h.stack_len);
    for (uint32_t off = 0; off < h.stack_len;) {
        struct ipc_bufs bufs = { NULL, 0, stack, sizeof(stack), 0 };
        struct sys_ipc_ret s = sys_ipc_call(port, HR_OP_DUMP_STACK, h.seq, off, 0, &bufs);
        int got = s.status != K_OK ? (int)s.status : (int)s.w[0];
        if (got <= 0) {
            cinit_printf("hr: cannot read the stack of dump #%lu: error %d (%s)\n", want, got,
                         kErrorName(got));
            return;
        }
        for (int k = 0; k + 4 <= got; k += 16) {
            uint32_t w[4] = { 0, 0, 0, 0 };
            memcpy(w, stack + k, got - k < 16 ? (size_t)(got - k) & ~3u : 16);
            cinit_printf("%08lx: %08lx %08lx %08lx %08lx\n", (unsigned long)(h.stack_vaddr + off + k),
                         (unsigned long)w[0], (unsigned long)w[1], (unsigned long)w[2],
                         (unsigned long)w[3]);
        }
        off += (uint32_t)got;
    }
}

/* hr: HR's state (HR_OP_STATUS), its groups (HR_OP_GROUP_INFO) and the crash log, oldest
 * first (HR_OP_CRASH_INFO); hr resume: see hr_resume; hr dump [N]: the post-mortem dumps. */
static void cmd_hr(int argc, char **argv, enum cinit_source from)
{
    static struct hr_status st;
    static struct hr_group_info g;
    static struct hr_crash_info c;
    static struct pmm_usage u;
    if (argc > 1 && strcmp(argv[1], "dump") && strcmp(argv[1], "resume")) {
        cmd_usage("hr", "unknown argument", argv[1]);
        return;
    }
    if (argc > 1 && !strcmp(argv[1], "resume")) {
        if (argc > 2)
            cmd_usage("hr", "too many arguments", NULL);
        else
            hr_resume(from);
        return;
    }
    int port = hr_port("hr", from);
    if (port < 0)
        return;
    if (argc > 1) {
        cmd_hr_dump(port, argc - 1, argv + 1);
        return;
    }
    int r = server_call(port, HR_OP_STATUS, 0, NULL, 0, &st, sizeof(st));
    if (r < 0) {
        cinit_printf("hr: cannot read the HR state: error %d (%s)\n", r, kErrorName(r));
        return;
    }
    st.reason[sizeof(st.reason) - 1] = '\0';
    if (st.auto_start)
        cinit_printf("hr: auto-start on, %lu site restart%s recorded\n",
                     (unsigned long)st.site_restarts, plural(st.site_restarts));
    else
        cinit_printf("hr: auto-start off (%s), %lu site restart%s recorded\n",
                     st.reason[0] ? st.reason : "no reason given", (unsigned long)st.site_restarts,
                     plural(st.site_restarts));

    int n = 0;
    for (int i = 0; i < CINIT_LIST_MAX; i++) {
        r = server_call(port, HR_OP_GROUP_INFO, (uint32_t)i, NULL, 0, &g, sizeof(g));
        if (r == K_EUNKNOWN)
            break;
        if (r < 0) {
            cinit_printf("hr: cannot read group %d: error %d (%s)\n", i, r, kErrorName(r));
            break;
        }
        uint32_t nm = g.nmembers < HR_GROUP_MEMBERS_MAX ? g.nmembers : HR_GROUP_MEMBERS_MAX;
        char when[64] = "";
        if (g.state == HR_GROUP_WAITING) {
            uint64_t now = hr_now_ns();
            snprintf(when, sizeof(when), "; restart at t=%lu.%06lus, in %lu ms",
                     (unsigned long)(g.restart_at_ns / 1000000000u),
                     (unsigned long)(g.restart_at_ns % 1000000000u / 1000u),
                     (unsigned long)(g.restart_at_ns > now ? (g.restart_at_ns - now) / 1000000u : 0));
        }
        cinit_printf("group %d: %s, %lu restart%s, %lu member%s%s\n", (int)g.gid,
                     hr_state(g.state), (unsigned long)g.restarts, plural(g.restarts),
                     (unsigned long)g.nmembers, plural(g.nmembers), when);
        for (uint32_t m = 0; m < nm; m++) {
            struct hr_member_info *mi = &g.members[m];
            char aid[12] = "-";
            if (mi->aid > 0)
                snprintf(aid, sizeof(aid), "%d", (int)mi->aid);
            mi->name[ACTOR_NAME_MAX - 1] = '\0';
            cinit_printf("  aid %s %s %s%s\n", aid, mi->name, mi->direct ? "direct" : "indirect",
                         mi->clean_exit ? ", clean exit" : "");
        }
        if (pmm_group_usage(g.gid, &u))
            pmm_usage_line("  bank: ", &u);
        n++;
    }
    if (n == 0)
        cinit_puts("no groups\n");

    int nc = 0;
    for (int i = 0; i < CINIT_LIST_MAX; i++) {
        r = server_call(port, HR_OP_CRASH_INFO, (uint32_t)i, NULL, 0, &c, sizeof(c));
        if (r == K_EUNKNOWN)
            break;
        if (r < 0) {
            cinit_printf("hr: cannot read crash record %d: error %d (%s)\n", i, r,
                         kErrorName(r));
            return;
        }
        if (nc++ == 0)
            cinit_puts("crash log, oldest first:\n");
        c.name[ACTOR_NAME_MAX - 1] = '\0';
        c.text[sizeof(c.text) - 1] = '\0';
        c.action[sizeof(c.action) - 1] = '\0';
        /* The same words as HR's live crash line: the group only for a restartable actor. */
        char group[24] = "";
        if (c.group)
            snprintf(group, sizeof(group), ", group %d", (int)c.group);
        cinit_printf("  #%lu boot %lu t=%lu.%06lus %s (aid %d%s) %s; %s\n",
                     (unsigned long)c.seq, (unsigned long)c.boot,
                     (unsigned long)(c.time_ns / 1000000000u),
                     (unsigned long)(c.time_ns % 1000000000u / 1000u), c.name, (int)c.aid,
                     group, c.text, c.action[0] ? c.action : "-");
    }
    if (nc == 0)
        cinit_puts("crash log: empty\n");
}

/* ---- restart ------------------------------------------------------------------------- */

/* restart: a site restart (SYS_SITE_RESTART); it returns only when refused. */
static void cmd_restart(int argc, char **argv, enum cinit_source from)
{
    (void)argc, (void)argv;
    if (from == CINIT_FROM_SCRIPT) {
        /* Every boot runs the script again: a restart there would loop for ever. */
        cinit_puts("restart: not run from sysadm.ini (it would restart every boot)\n");
        return;
    }
    cinit_puts("restart: site restart requested\n");
    int r = (int)sys_call0(SYS_SITE_RESTART);
    cinit_printf("restart: refused: error %d (%s)\n", r, kErrorName(r));
}

/* ---- table and dispatch ---------------------------------------------------------------- */

/* max_args: the most words after the command a command takes (-1: as many as fit). */
static const struct {
    struct cinit_cmd cmd;
    int max_args;
} cmd_table[] = {
    { { "help", cmd_help, "help [command]", "this list, or one command's usage" }, 1 },
    { { "ls", cmd_ls, "ls", "actors in the system image: name, size, text, data, bss" }, 0 },
    { { "arun", cmd_arun, "arun [-f] [-g gid] name [args...]",
        "start an actor and print its aid (-g: restartable, in group gid, by HR;"
        " -f: a second server too)" }, -1 },
    { { "aps", cmd_aps, "aps", "actors: aid, name, group, state, pages, restarts, quota" }, 0 },
    { { "akill", cmd_akill, "akill [-f] aid | akill -g gid",
        "kill an actor (-f: a critical one too), or a restart group (by HR)" }, -1 },
    { { "pmm", cmd_pmm, "pmm",
        "persistent blocks: name, size, owner, group, mapped by; bank use and quotas" }, 0 },
    { { "hr", cmd_hr, "hr [resume | dump [N]]",
        "restart groups: members, restarts, state, bank use; HR state; crash log (resume:"
        " auto-start on again; dump: the post-mortem dumps, or dump N's registers and stack)" }, 2 },
    { { "restart", cmd_restart, "restart",
        "site restart (warm reset; HR restarts its groups)" }, 0 },
};
#define CMD_COUNT (sizeof(cmd_table) / sizeof(cmd_table[0]))
#define CMD_USAGE_ALL "usage: <command> [args]; commands: help ls arun aps akill pmm hr restart\n"

const char *cinit_command_name(int index)
{
    return index >= 0 && (unsigned)index < CMD_COUNT ? cmd_table[index].cmd.name : NULL;
}

/* The command called name, or NULL. */
static const struct cinit_cmd *cmd_find(const char *name)
{
    for (unsigned i = 0; i < CMD_COUNT; i++)
        if (!strcmp(cmd_table[i].cmd.name, name))
            return &cmd_table[i].cmd;
    return NULL;
}

/* help [command]: every command's usage and purpose, or one command's usage. */
static void cmd_help(int argc, char **argv, enum cinit_source from)
{
    (void)from;
    if (argc > 1) {
        const struct cinit_cmd *c = cmd_find(argv[1]);
        if (!c) {
            cmd_usage("help", "unknown command", argv[1]);
            return;
        }
        cinit_printf("usage: %s\n", c->usage);
        return;
    }
    cinit_puts("commands:\n");
    for (unsigned i = 0; i < CMD_COUNT; i++)
        cinit_printf("  %-29s %s\n", cmd_table[i].cmd.usage, cmd_table[i].cmd.what);
    cinit_puts("editing: Left/Right/Home/End move, backspace/Delete erase, ctrl-U erases the line,\n"
               "  Up/Down recall earlier lines, Tab completes commands and image names,\n"
               "  ctrl-C cancels the line, or takes the console back from an actor reading it\n");
}

/* Splits line into words (words.h: blanks, quotes, backslashes, '#' comments), checks the
 * number of arguments and runs the command; called for each script line and typed line. */
void cinit_run(char *line, enum cinit_source from)
{
    char *argv[CINIT_ARGV_MAX + 1];
    int argc = 0;
    enum words_error err = words_split(line, argv, CINIT_ARGV_MAX, &argc);
    if (err != WORDS_OK) {
        if (err == WORDS_TOO_MANY)
            cinit_printf("%s: too many words (at most %d)\n", argv[0], CINIT_ARGV_MAX);
        else
            cinit_printf("%s: a quote is not closed\n", argv[0] ? argv[0] : "cinit");
        const struct cinit_cmd *c = argv[0] ? cmd_find(argv[0]) : NULL;
        if (c)
            cinit_printf("usage: %s\n", c->usage);
        else
            cinit_puts(CMD_USAGE_ALL);
        return;
    }
    if (argc == 0)
        return;
    for (unsigned i = 0; i < CMD_COUNT; i++) {
        if (strcmp(cmd_table[i].cmd.name, argv[0]))
            continue;
        if (cmd_table[i].max_args >= 0 && argc - 1 > cmd_table[i].max_args) {
            cmd_usage(argv[0], "too many arguments", NULL);
            return;
        }
        cmd_table[i].cmd.run(argc, argv, from);
        return;
    }
    cinit_printf("unknown command '%s'\n", argv[0]);
    cinit_puts(CMD_USAGE_ALL);
}

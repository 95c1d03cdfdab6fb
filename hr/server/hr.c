/* The HR controller actor: receives the kernel's fault records, restarts restart groups,
   escalates to a site restart when a group keeps failing, and after a site restart brings
   every registered group back by itself. Its registry and crash log live in the bank.

   The restart path is kept short: on an abnormal end HR decides, stops the members (their
   slots kept) and restarts the direct ones in place (SYS_ACTOR_RESTART) before anything
   else. The crash line, the crash-log record and the post-mortem dump of each end wait in
   one queue, in order, until the CPU is idle (IPC_RECV_IDLE): HR then puts the kernel's raw
   record in words (lib/fault.h), prints, logs and writes the dump. Whatever HR prints
   otherwise and every request off the restart path (all but hrfexec and hrGetActorGroup)
   first say what waits, a site restart and a request for the dumps first write it all, so
   no crash line, record or dump is lost or out of order; a full queue empties its oldest
   entry at once. Counting the restart in the registry (a commit of a
   whole registry copy, ~40 us of CRC) waits until HR handles a request that is not on a
   restart path, or asks for a site restart. The check of the crash log and the dump ring
   at start (hr_open_logs) waits for an idle CPU too: a warm boot restarts the groups first.
   An actor's SYS_SITE_RESTART reaches HR as a record (FAULT_KIND_SITE_REQUEST) behind the
   ones before it, and HR makes the restart once everything that waits is said and written.

   Backoff: the second and later restarts of a group within hr.interval wait
   (hrpol_backoff_ns). The group's members are stopped at once; the group waits in
   HR_GROUP_WAITING until a receive alarm (SYS_RECV_ALARM) ends HR's receive with
   K_ETIMEOUT, and HR restarts the groups whose time has come. The kernel keeps an alarm
   that finds HR busy until a tick finds it receiving, so only that error path looks at
   waiting groups: the request loop costs nothing more.

   Privileges never grow through HR: an actor it starts for a requester gets at most the
   requester's privileges, intersected with its image's (and HR's own, which the kernel
   enforces); a direct actor keeps that set in the registry for every restart. */
#include <board.h>
#include <hr/crashlog.h>
#include <hr/dumps.h>
#include <hr/hr.h>
#include <hr/policy.h>
#include <hr/proto.h>
#include <hr/registry.h>
#include <lib/fault.h>
#include <lib/fmt.h>
#include <pmm/bank.h>
#include <pmm/proto.h>
#include <reprise/counter.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdarg.h>
#include <string.h>

#define HR_GROUPS_MAX HRREG_MAX_GROUPS
#define HR_PENDING_MAX 16       /* ends whose report and dump wait for an idle CPU */

_Static_assert(HRREG_NAME_SIZE == ACTOR_NAME_MAX, "registry names are image names (hr_spawn)");

_Static_assert(HRDUMP_AREA_SIZE == BANK_HR_DUMPS_SIZE, "the dump ring is the bank's dump area");
_Static_assert(BOARD_HR_DUMPS >= 1 && BOARD_HR_DUMPS * (HRDUMP_HEADER_SIZE + BOARD_HR_DUMP_STACK) <=
               HRDUMP_AREA_SIZE, "hr.dumps dumps of hr.dumpStack bytes fit the bank's dump area");

/* A member of a group in this run: direct (from the registry) or indirect (hrfexec). */
struct hr_member {
    int32_t aid;                /* 0 when not running */
    char name[ACTOR_NAME_MAX];
    PmmName base;               /* indirect members: their persistent name */
    uint8_t direct;
    uint8_t clean_exit;         /* HR_EXIT_HDL called */
    uint8_t used;
    uint8_t reg_index;          /* direct members: their index in the group's registry entry */
    uint8_t armed;              /* the kernel restarts it itself at its next abnormal end */
};

struct hr_group {
    int32_t gid;                /* 0: free slot */
    uint32_t state;             /* enum hr_group_state */
    struct hrpol_group pol;
    uint32_t unsaved;           /* restarts not yet counted in the registry */
    struct hr_member members[HR_GROUP_MEMBERS_MAX];
};

static struct hr_group hr_groups[HR_GROUPS_MAX];
static struct hrreg hr_reg;
static struct hrlog hr_log;
static struct hrdump hr_dumps;
/* The crash log's and the dump ring's areas, mapped at start; checked and opened by
   hr_open_logs once the CPU is first idle (the groups are back by then), or earlier when a
   crash or the console needs them. */
static uintptr_t hr_log_area, hr_dumps_area;
static uint32_t hr_log_size, hr_dumps_size;
static int hr_logs_open;
/* What HR says of an end once the CPU is idle: the crash line and crash-log record. */
enum hr_report {
    HR_REPORT_NONE = 0,         /* nothing (a clean end, a member HR stopped itself) */
    HR_REPORT_DELETED,          /* "not restartable, deleted" */
    HR_REPORT_RESTART,          /* "restarting group G (n/max)" */
    HR_REPORT_SITE,             /* "group G failed n times: site restart" */
};

/* Ends waiting for an idle CPU, oldest first: the report, and the dump the kernel keeps of a
   restartable actor (discard: a clean end or a member already gone, whose dump is only
   dropped). */
static struct hr_pending {
    struct fault_record rec;
    uint32_t boot;
    uint8_t report;             /* enum hr_report */
    uint8_t discard;
    uint16_t n, max;            /* the restart count and its limit, for the report */
} hr_pending[HR_PENDING_MAX];
static uint32_t hr_npending;
static struct hrpol_tunables hr_tun;
static struct hrpol_clock hr_clock;    /* CNTVCT to ns */
static struct boot_info hr_boot;
static int hr_auto_start = 1;
static int hr_registry_kept;            /* the registry in the bank was valid at boot */
/* When each waiting group's restart is due (ns), by slot of hr_groups. Kept out of struct
   hr_group: the hrfexec requests of a group restart measurably slow down when it grows
   (1.5 us more for group_restart_16_ns). */
static uint64_t hr_restart_at[HR_GROUPS_MAX];
/* The slots of a group's direct actors kept for a restart in place (SYS_ACTOR_STOP, or the
   end HR was told of), by slot of hr_groups and registry index: an aid for
   SYS_ACTOR_RESTART, valid until HR's next receive; 0 for none. */
static int32_t hr_kept[HR_GROUPS_MAX][HRREG_MAX_ACTORS];
/* The slots of a restarting group's indirect members, held by the kernel (SYS_ACTOR_STOP,
   ACTOR_STOP_HOLD) until the restarted members hrfexec them again, by slot of hr_groups:
   an hrfexec of the same persistent name and image restarts one in place, with its blocks
   (hr_fexec). HR frees what is left when the CPU is next idle (hr_release_held). */
static struct hr_held {
    int32_t aid;                        /* 0: none */
    uint32_t mix;                       /* hr_name_mix(base) */
    PmmMemName base;
    char image[ACTOR_NAME_MAX];
} hr_held[HR_GROUPS_MAX][HR_GROUP_MEMBERS_MAX];
static uint32_t hr_nheld;
/* hr_name_mix of each indirect member's persistent name, by slot of hr_groups and member. */
static uint32_t hr_base_mix[HR_GROUPS_MAX][HR_GROUP_MEMBERS_MAX];
static char hr_stop_reason[96];
static uint32_t hr_privs;               /* HR's own privileges */
/* The system image's actors and the privileges each gives, read once at start-up. */
static struct image_info hr_images[64];
static uint32_t hr_nimages;

/* Prints to the console with lib/fmt, straight through the kernel: several times cheaper
   than newlib's stdio. */
static void hr_vput(const char *fmt, va_list ap)
{
    char line[256];
    int n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
    if (n > (int)sizeof(line) - 1)
        n = (int)sizeof(line) - 1;
    sys_call2(SYS_CONSOLE_WRITE, (long)line, n);
}

/* A crash line (hr_report_write). */
static void hr_put(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hr_vput(fmt, ap);
    va_end(ap);
}

static void hr_pending_say(void);

/* Prints a line of HR's own, after every crash line still waiting, so that order is kept. */
static void hr_say(const char *fmt, ...)
{
    hr_pending_say();
    va_list ap;
    va_start(ap, fmt);
    hr_vput(fmt, ap);
    va_end(ap);
}

/* Copies string src into dst (size bytes), always NUL-terminated, truncating. */
static void hr_copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Zeroes what follows the first NUL of s (size bytes), so that names compare a word at a
   time (hr_same); 0 when s holds no NUL. */
static int hr_pad(char *s, size_t size)
{
    char *nul = memchr(s, '\0', size);
    if (!nul)
        return 0;
    memset(nul, 0, (size_t)(s + size - nul));
    return 1;
}

/* Whether names a and b, padded with zeros (hr_pad), are the same: size is 16 or 32 bytes,
   compared a word at a time (hrfexec compares each new child's names with every member's
   and every held slot's). */
_Static_assert(sizeof(PmmMemName) == 32 && ACTOR_NAME_MAX == 16, "hr_same's sizes");
static int hr_same(const char *a, const char *b, size_t size)
{
    uint32_t x[8], y[8], d = 0;
    memcpy(x, a, size);
    memcpy(y, b, size);
    for (size_t i = 0; i < size / 4; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

/* The virtual time now, in ns (the policy's clock). */
static uint64_t hr_now_ns(void)
{
    return hrpol_ticks_to_ns(&hr_clock, counter_now());
}

/* The running group gid, or NULL. */
static struct hr_group *hr_group_find(int32_t gid)
{
    for (int i = 0; i < HR_GROUPS_MAX; i++)
        if (hr_groups[i].gid == gid && gid > 0)
            return &hr_groups[i];
    return NULL;
}

/* The running group gid, made in a free slot when it is new; NULL when no slot is free. */
static struct hr_group *hr_group_get(int32_t gid)
{
    struct hr_group *g = hr_group_find(gid);
    for (int i = 0; !g && i < HR_GROUPS_MAX; i++) {
        if (!hr_groups[i].gid) {
            g = &hr_groups[i];
            memset(g, 0, sizeof(*g));
            g->gid = gid;
            g->state = HR_GROUP_RUNNING;
            hrpol_group_init(&g->pol);
        }
    }
    return g;
}

/* The member whose current incarnation is aid, and its group in *gout; NULL for none. */
static struct hr_member *hr_member_by_aid(int32_t aid, struct hr_group **gout)
{
    for (int i = 0; i < HR_GROUPS_MAX; i++) {
        struct hr_group *g = &hr_groups[i];
        for (int k = 0; g->gid && k < HR_GROUP_MEMBERS_MAX; k++) {
            if (g->members[k].used && g->members[k].aid == aid) {
                *gout = g;
                return &g->members[k];
            }
        }
    }
    return NULL;
}

/* A word that differs, mostly, between different persistent names (padded: hr_pad), so
   that hrfexec compares a new child's name with the others' whole only when it matches. */
static uint32_t hr_name_mix(const char *name)
{
    uint32_t x[8], h = 0;
    memcpy(x, name, sizeof(x));
    for (int i = 0; i < 8; i++)
        h = (h << 5 | h >> 27) ^ x[i];
    return h;
}

/* A free member slot of g, cleared and marked used; NULL when the group is full. */
static struct hr_member *hr_member_add(struct hr_group *g)
{
    for (int k = 0; k < HR_GROUP_MEMBERS_MAX; k++) {
        struct hr_member *m = &g->members[k];
        if (!m->used) {
            m->used = 1;    /* the caller sets the name, and the base of an indirect member */
            m->aid = 0;
            m->direct = 0;
            m->clean_exit = 0;
            m->reg_index = 0;
            m->armed = 0;
            return m;
        }
    }
    return NULL;
}

/* The privileges an actor of image (a name zero padded to ACTOR_NAME_MAX bytes, as the
   registry and the client library send it) started for a requester holding privs gets: what
   the image gives, as far as the requester and HR have them; 0 for a name not found so (the
   kernel then refuses an unknown image). Names are compared a word at a time: this is on the
   restart path. */
static uint32_t hr_grant(const char *image, uint32_t privs)
{
    uint32_t want[ACTOR_NAME_MAX / 4], have[ACTOR_NAME_MAX / 4];
    memcpy(want, image, sizeof(want));
    for (uint32_t i = 0; i < hr_nimages; i++) {
        memcpy(have, hr_images[i].name, sizeof(have));
        if (((want[0] ^ have[0]) | (want[1] ^ have[1]) | (want[2] ^ have[2]) |
             (want[3] ^ have[3])) == 0)
            return hr_images[i].privileges & privs & hr_privs;
    }
    return 0;
}

/* Creates an actor from image (a name of ACTOR_NAME_MAX bytes, zero padded) with packed args
   in group gid and privileges privs (flags: ACTOR_SPAWN_*), or restarts kept actor kept in
   place as that; returns its aid or K_E*. */
static int hr_spawn(const char *image, uint32_t argc, const char *args, uint32_t args_len, int32_t gid,
                    uint32_t privs, uint32_t flags, int32_t kept)
{
    struct actor_spawn sp = {
        .argc = argc, .args_len = args_len, .args = args, .privileges = privs, .group = gid,
        .flags = flags,
    };
    memcpy(sp.image, image, sizeof(sp.image));     /* the kernel checks its NUL */
    if (kept) {
        long aid = sys_call2(SYS_ACTOR_RESTART, kept, (long)&sp);
        if (aid != K_EUNKNOWN)
            return (int)aid;
    }
    return (int)sys_call1(SYS_ACTOR_CREATE, (long)&sp);
}

/* Starts the direct actors of group g from the registry, at their original arguments,
   except those that ended cleanly; in place where their slot is kept. Returns how many
   run now. */
static int hr_start_direct(struct hr_group *g)
{
    struct hrreg_group_info gi;
    int32_t *kept = hr_kept[g - hr_groups];
    if (hrreg_group_find(&hr_reg, g->gid, &gi) != K_OK)
        return 0;
    int started = 0;
    for (uint32_t i = 0; i < gi.nactors; i++) {
        struct hrreg_actor_info ai;
        int32_t k = i < HRREG_MAX_ACTORS ? kept[i] : 0;
        if (k)
            kept[i] = 0;
        if (hrreg_actor_at(&hr_reg, g->gid, i, &ai) != K_OK || ai.ended)
            continue;
        struct hr_member *m = hr_member_add(g);
        if (!m)
            break;
        m->direct = 1;
        m->reg_index = (uint8_t)i;
        memcpy(m->name, ai.name, sizeof(m->name));
        int aid = hr_spawn(ai.name, ai.argc, ai.args, ai.args_len, g->gid,
                           hr_grant(ai.name, ai.privs), 0, k);
        if (aid < 0) {
            hr_say("hr: cannot restart %s in group %ld: error %d\n", ai.name, (long)g->gid, aid);
            m->used = 0;
        } else {
            m->aid = aid;
            started++;
        }
    }
    return started;
}

/* g's one running member, when it is direct and no clean exit is on its way: the member
   hr_arm may arm. NULL otherwise. */
static struct hr_member *hr_arm_candidate(struct hr_group *g);

/* Lets the kernel make g's next restart itself (SYS_ACTOR_ARM), so that HR is not on its
   path, when g runs one member, direct, with no clean exit on its way, and the policy would
   restart it at once (no backoff, no escalation); disarms it otherwise. HR hears of such a
   restart afterwards, by the record with the new id (hr_on_end). */
static struct hr_member *hr_arm_candidate(struct hr_group *g)
{
    struct hr_member *only = NULL;
    int running = 0;
    for (int k = 0; k < HR_GROUP_MEMBERS_MAX; k++) {
        if (g->members[k].used && g->members[k].aid) {
            running++;
            only = &g->members[k];
        }
    }
    return running == 1 && only->direct && !only->clean_exit ? only : NULL;
}

static void hr_arm(struct hr_group *g)
{
    struct hr_member *only = hr_arm_candidate(g);
    int want = only && hrpol_restart_at_once(&g->pol, &hr_tun, hr_now_ns());
    for (int k = 0; k < HR_GROUP_MEMBERS_MAX; k++) {
        struct hr_member *m = &g->members[k];
        if (m->used && m->armed && (!want || m != only)) {
            sys_call2(SYS_ACTOR_ARM, m->aid, 0);
            m->armed = 0;
        }
    }
    struct hrreg_actor_info ai;
    if (!want || only->armed || hrreg_actor_at(&hr_reg, g->gid, only->reg_index, &ai) != K_OK)
        return;
    struct actor_spawn sp = {
        .argc = ai.argc, .args_len = ai.args_len, .args = ai.args,
        .privileges = hr_grant(ai.name, ai.privs), .group = g->gid,
    };
    memcpy(sp.image, ai.name, sizeof(sp.image));
    only->armed = sys_call2(SYS_ACTOR_ARM, only->aid, (long)&sp) == K_OK;
}

/* Frees the held slots of group g (NULL: of every group). */
static void hr_release_held(struct hr_group *g)
{
    for (int i = 0; hr_nheld && i < HR_GROUPS_MAX; i++) {
        for (int k = 0; (!g || g == &hr_groups[i]) && k < HR_GROUP_MEMBERS_MAX; k++) {
            struct hr_held *h = &hr_held[i][k];
            if (!h->aid)
                continue;
            sys_call1(SYS_ACTOR_KILL, h->aid);      /* K_EUNKNOWN if the kernel took it */
            h->aid = 0;
            hr_nheld--;
        }
    }
}

/* Stops every running member of g (no fault records come back for HR's own kills). With
   keep set, the direct members' slots are kept for a restart in place, the one that ended
   (aid ended, whose record HR just received) included, and the indirect members' slots are
   held for the hrfexec that starts them again. */
static void hr_stop_members(struct hr_group *g, int32_t ended, int keep)
{
    int32_t *kept = hr_kept[g - hr_groups];
    struct hr_held *held = hr_held[g - hr_groups];
    hr_release_held(g);
    for (int k = 0; k < HR_GROUP_MEMBERS_MAX; k++) {
        struct hr_member *m = &g->members[k];
        int32_t aid = m->aid;
        if (!m->used)
            continue;
        m->used = 0;
        m->aid = 0;
        if (!aid)
            continue;
        if (m->direct && m->reg_index < HRREG_MAX_ACTORS)
            kept[m->reg_index] = 0;
        if (keep && m->direct && m->reg_index < HRREG_MAX_ACTORS &&
            (aid == ended || sys_call2(SYS_ACTOR_STOP, aid, 0) == K_OK)) {
            kept[m->reg_index] = aid;
        } else if (keep && !m->direct && aid != ended &&
                   sys_call2(SYS_ACTOR_STOP, aid, ACTOR_STOP_HOLD) == K_OK) {
            held[k].aid = aid;
            held[k].mix = hr_base_mix[g - hr_groups][k];
            memcpy(held[k].base, m->base.name, sizeof(held[k].base));
            memcpy(held[k].image, m->name, sizeof(held[k].image));
            hr_nheld++;
        } else if (aid != ended) {
            sys_call1(SYS_ACTOR_KILL, aid);
        }
    }
}

/* Asks the PMM server to free group gid's HR_GROUP_KEY blocks. */
static void hr_free_group_blocks(int32_t gid)
{
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
    if (port > 0)
        sys_ipc_call(port, PMM_OP_FREE_GROUP, (uint32_t)gid, 0, 0, NULL);
}

/* Ends group g for good: members stopped, unregistered, HR_GROUP_KEY blocks freed. */
static void hr_group_end(struct hr_group *g)
{
    int32_t gid = g->gid;
    hr_stop_members(g, 0, 0);
    hrreg_remove_group(&hr_reg, gid);
    hr_free_group_blocks(gid);
    memset(g, 0, sizeof(*g));
}

/* Restarts group g's direct actors; when none can run, the group does not linger as a
   running group without members: if every one had ended cleanly it ends, otherwise it
   is stopped in the registry (kept for inspection; akill -g unregisters it). */
static void hr_group_relaunch(struct hr_group *g)
{
    if (hr_start_direct(g) > 0) {
        hr_arm(g);
        return;
    }
    int32_t gid = g->gid;
    struct hrreg_group_info gi;
    int pending = 0;
    for (uint32_t i = 0; hrreg_group_find(&hr_reg, gid, &gi) == K_OK && i < gi.nactors; i++) {
        struct hrreg_actor_info ai;
        if (hrreg_actor_at(&hr_reg, gid, i, &ai) == K_OK && !ai.ended)
            pending++;
    }
    if (!pending) {
        hr_group_end(g);
        hr_say("hr: group %ld ended cleanly\n", (long)gid);
        return;
    }
    hrreg_set_group_state(&hr_reg, gid, HRREG_GROUP_STOPPED);
    hr_release_held(g);     /* no member is left to hrfexec them, and the slot is freed */
    memset(g, 0, sizeof(*g));
    hr_say("hr: group %ld: no actor could be restarted; group stopped\n", (long)gid);
}

/* Counts in the registry the restarts that the restart path left out. Called before a request
   that is not on a restart path is handled, and before HR asks for a site restart. */
static void hr_save_restarts(void)
{
    for (int i = 0; i < HR_GROUPS_MAX; i++) {
        struct hr_group *g = &hr_groups[i];
        for (; g->gid && g->unsaved; g->unsaved--)
            hrreg_count_restart(&hr_reg, g->gid);
    }
}

/* Checks and opens the crash log and the dump ring (every record: a warm boot may find
   them damaged, and says so), once; every user of hr_log or hr_dumps calls it first. Off
   the site restart's path: HR calls it when the CPU is first idle, after the groups are
   back, unless a crash or the console comes first. */
static void hr_open_logs(void)
{
    char why[96];
    if (hr_logs_open)
        return;
    hr_logs_open = 1;
    if (!hr_log_area)
        return;
    hrlog_open(&hr_log, (void *)hr_log_area, hr_log_size, why, sizeof(why));
    if (hr_log.damaged)
        hr_say("hr: crash log: %s\n", why);       /* damaged or torn records, skipped */
    if (hr_dumps_area && hrdump_open(&hr_dumps, (void *)hr_dumps_area, hr_dumps_size,
                                     BOARD_HR_DUMPS, BOARD_HR_DUMP_STACK, why, sizeof(why)) >= 0 &&
        hr_dumps.damaged)
        hr_say("hr: dumps: %s\n", why);           /* damaged dumps, zeroed */
}

/* The words of an end: the kernel's record in words, or what an exit without HR_EXIT_HDL is. */
static void hr_what(char *buf, size_t size, const struct fault_record *rec)
{
    if (rec->kind == FAULT_KIND_EXIT)
        fmt_snprintf(buf, size, "exit(%ld) without HR_EXIT_HDL", (long)rec->status);
    else
        fault_text(buf, size, rec);
}

/* Appends a crash record to the log in the bank. */
static void hr_log_crash(const struct fault_record *rec, uint32_t boot, uint32_t action, uint32_t n,
                         uint32_t max)
{
    struct hrlog_record r;
    memset(&r, 0, sizeof(r));
    r.boot = boot;
    r.kind = rec->kind;
    r.time_ns = hrpol_ticks_to_ns(&hr_clock, rec->time);
    r.aid = rec->aid;
    r.group = rec->group;
    r.pc = rec->pc;
    r.addr = rec->addr;
    r.fsr = rec->fsr;
    r.status = rec->status;
    r.action = action;
    r.action_n = (uint16_t)n;
    r.action_max = (uint16_t)max;
    memcpy(r.name, rec->name, sizeof(r.name) - 1);
    hr_what(r.text, sizeof(r.text), rec);
    hr_open_logs();
    hrlog_append(&hr_log, &r);
}

/* Restarts the waiting groups whose backoff is over and arms the groups whose restarts have
   left the policy's window, then sets HR's receive alarm for the next of either (or cancels
   it when there is none). Called after every restart HR makes or hears of, and when the
   alarm ends HR's receive. */
static void hr_relaunch_due(void)
{
    uint64_t now = hr_now_ns(), next = ~0ull;
    uint32_t waiting = 0;
    for (int i = 0; i < HR_GROUPS_MAX; i++) {
        struct hr_group *g = &hr_groups[i];
        if (g->gid && g->state == HR_GROUP_WAITING && hr_restart_at[i] <= now) {
            g->state = HR_GROUP_RUNNING;
            hr_group_relaunch(g);
        }
    }
    for (int i = 0; i < HR_GROUPS_MAX; i++) {
        struct hr_group *g = &hr_groups[i];
        struct hr_member *c = g->gid && g->state == HR_GROUP_RUNNING ? hr_arm_candidate(g) : NULL;
        /* A group waits for its backoff, or for its restarts to leave the policy's window
           (then it is armed again). */
        uint64_t at = !g->gid ? 0 : g->state == HR_GROUP_WAITING ? hr_restart_at[i]
                      : c && !c->armed ? hrpol_quiet_at(&g->pol, &hr_tun) : 0;
        if (at && at <= now)
            hr_arm(g);
        else if (at) {
            waiting++;
            next = at < next ? at : next;
        }
    }
    /* A 32-bit division, never a 64-bit one: a wait past 4.29 s (none under the board's
       hr.backoffMax) is cut there, and the alarm is set again when it ends. */
    uint64_t wait = waiting ? next - now : 0;
    uint32_t us = wait > UINT32_MAX - 999 ? UINT32_MAX / 1000 : ((uint32_t)wait + 999) / 1000;
    sys_call1(SYS_RECV_ALARM, (long)us);
}

static void hr_pending_write(void);

/* Queues what HR says and writes of the end rec describes, once the CPU is idle: its report
   (enum hr_report, with restart n of max) and, for a restartable actor, the dump the kernel
   keeps (written, or dropped when discard is set). A full queue first empties its oldest
   entry. */
static void hr_note(const struct fault_record *rec, enum hr_report report, uint32_t n,
                    uint32_t max, int discard)
{
    if (rec->group == 0 && report == HR_REPORT_NONE)
        return;
    if (hr_npending == HR_PENDING_MAX)
        hr_pending_write();
    struct hr_pending *p = &hr_pending[hr_npending++];
    p->rec = *rec;
    p->boot = hr_boot.boot_count;
    p->report = (uint8_t)report;
    p->discard = (uint8_t)(discard || rec->group == 0);
    p->n = (uint16_t)n;
    p->max = (uint16_t)max;
}

/* Prints the crash line of pending end p and appends its crash-log record. */
static void hr_report_write(const struct hr_pending *p)
{
    static const uint32_t actions[] = {
        [HR_REPORT_DELETED] = HRLOG_ACTION_STOPPED,
        [HR_REPORT_RESTART] = HRLOG_ACTION_RESTART_GROUP,
        [HR_REPORT_SITE] = HRLOG_ACTION_SITE_RESTART,
    };
    const struct fault_record *rec = &p->rec;
    char what[128];
    hr_what(what, sizeof(what), rec);
    if (p->report == HR_REPORT_DELETED)
        hr_put("hr: %s (aid %ld) %s; not restartable, deleted\n", rec->name, (long)rec->aid, what);
    else if (p->report == HR_REPORT_SITE)
        hr_put("hr: %s (aid %ld, group %ld) %s; group %ld failed %lu times: site restart\n",
               rec->name, (long)rec->aid, (long)rec->group, what, (long)rec->group,
               (unsigned long)p->n);
    else
        hr_put("hr: %s (aid %ld, group %ld) %s; restarting group %ld (%lu/%lu)\n", rec->name,
               (long)rec->aid, (long)rec->group, what, (long)rec->group, (unsigned long)p->n,
               (unsigned long)p->max);
    hr_log_crash(rec, p->boot, actions[p->report], p->n, p->max);
}

/* Writes the dump of pending end p into the ring in the bank (the kernel copies the registers
   and the stack bytes straight into the ring's head slot), or drops it. */
static void hr_dump_write(const struct hr_pending *p)
{
    static struct actor_dump ad;
    if (p->rec.group == 0)
        return;     /* the kernel keeps dumps of restartable actors only */
    hr_open_logs();
    if (p->discard || !hr_dumps.base) {
        sys_call4(SYS_ACTOR_DUMP, p->rec.aid, (long)&ad, 0, 0);
        return;
    }
    /* The kernel copies into the head slot, so it is freed first: should the kernel have
       dropped this dump meanwhile, the slot stays free for the next one. */
    uint8_t *stack = hrdump_begin(&hr_dumps);
    long n = sys_call4(SYS_ACTOR_DUMP, p->rec.aid, (long)&ad, (long)stack,
                       (long)hr_dumps.stack_cap);
    if (n < 0)
        return;
    struct hrdump_header h;
    memset(&h, 0, sizeof(h));
    h.boot = p->boot;
    h.kind = p->rec.kind;
    h.time_ns = hrpol_ticks_to_ns(&hr_clock, p->rec.time);
    h.aid = p->rec.aid;
    h.group = p->rec.group;
    h.pc = p->rec.pc;
    h.addr = p->rec.addr;
    h.fsr = p->rec.fsr;
    h.status = p->rec.status;
    memcpy(h.r, ad.r, sizeof(h.r));
    h.cpsr = ad.cpsr;
    h.stack_vaddr = ad.stack_vaddr;
    h.stack_len = ad.stack_len;
    h.build_id_len = ad.build_id_len;
    memcpy(h.build_id, ad.build_id, sizeof(h.build_id));
    memcpy(h.name, p->rec.name, sizeof(h.name) - 1);
    hr_what(h.text, sizeof(h.text), &p->rec);
    hrdump_commit(&hr_dumps, &h);
}

/* Says and writes the oldest pending end: its crash line and record, then its dump. Called
   when the CPU is idle, with the queue full, and by hr_pending_flush. */
static void hr_pending_write(void)
{
    if (!hr_npending)
        return;
    struct hr_pending *p = &hr_pending[0];
    if (p->report != HR_REPORT_NONE)
        hr_report_write(p);
    hr_dump_write(p);
    memmove(&hr_pending[0], &hr_pending[1], (hr_npending - 1) * sizeof(hr_pending[0]));
    hr_npending--;
}

/* Says every pending end now (crash lines and records; the dumps still wait for an idle
   CPU): before HR prints anything else, and before it answers a request off the restart path. */
static void hr_pending_say(void)
{
    for (uint32_t i = 0; i < hr_npending; i++) {
        if (hr_pending[i].report != HR_REPORT_NONE) {
            hr_report_write(&hr_pending[i]);
            hr_pending[i].report = HR_REPORT_NONE;
        }
    }
}

/* Says and writes every pending end now: before HR answers a request that reads the dumps,
   or asks for a site restart. */
static void hr_pending_flush(void)
{
    while (hr_npending)
        hr_pending_write();
}

/* The kernel reports that an actor ended: decide what happens to its group, restart it,
   and leave the words for later (hr_note). */
static void hr_on_end(const struct fault_record *rec, int32_t restarted)
{
    struct hr_group *g;
    if (rec->kind == FAULT_KIND_SITE_REQUEST) {
        /* An actor asked for a site restart: what waits is said and written first. */
        hr_save_restarts();
        hr_pending_flush();
        long err = sys_call0(SYS_SITE_RESTART);
        hr_say("hr: site restart refused (%ld)\n", err);
        return;
    }
    struct hr_member *m = hr_member_by_aid(rec->aid, &g);
    if (!m && restarted > 0)
        sys_call1(SYS_ACTOR_KILL, restarted);   /* no group to run in any more */
    if (!m) {
        /* A fault of an actor that is not restartable is logged, it stays deleted; otherwise
           a member HR stopped itself, or a group already gone. */
        hr_note(rec, rec->group == 0 && rec->kind != FAULT_KIND_EXIT ? HR_REPORT_DELETED
                                                                      : HR_REPORT_NONE, 0, 0, 1);
        return;
    }
    if (rec->kind == FAULT_KIND_EXIT && m->clean_exit) {
        if (restarted > 0)
            sys_call1(SYS_ACTOR_KILL, restarted);   /* it was meant to end: never armed so */
        hr_note(rec, HR_REPORT_NONE, 0, 0, 1);
        if (m->direct)
            hrreg_actor_set_ended(&hr_reg, g->gid, m->reg_index);   /* not started again */
        m->aid = 0;
        m->used = 0;
        for (int k = 0; k < HR_GROUP_MEMBERS_MAX; k++)
            if (g->members[k].used && g->members[k].aid)
                return;
        int32_t gid = g->gid;
        hr_group_end(g);    /* unregistered first: the line means it is gone for good */
        hr_say("hr: group %ld ended cleanly\n", (long)gid);
        return;
    }
    if (restarted > 0) {
        m->aid = restarted;     /* the kernel restarted it in place, as HR armed it to */
        m->armed = 0;
    }
    struct hrpol_decision d = hrpol_group_restart(&g->pol, &hr_tun, hr_now_ns());
    if (d.action == HRPOL_SITE_RESTART) {
        hr_note(rec, HR_REPORT_SITE, d.n, d.max, 0);
        hr_save_restarts();
        hr_pending_flush();
        long err = sys_call0(SYS_SITE_RESTART);
        hr_say("hr: site restart refused (%ld); restarting group %ld instead\n", err, (long)g->gid);
        hr_stop_members(g, rec->aid, 1);
        hr_group_relaunch(g);
        return;
    }
    hr_note(rec, HR_REPORT_RESTART, d.n, d.max, 0);
    if (restarted > 0) {        /* done already: armed only for a restart at once */
        g->unsaved++;
        hr_arm(g);
        hr_relaunch_due();      /* the alarm that arms it again */
        return;
    }
    int wait = d.n > 1 && hr_tun.backoff_base_ns;
    hr_stop_members(g, rec->aid, !wait);    /* a restart now is in place */
    g->unsaved++;
    if (wait) {
        g->state = HR_GROUP_WAITING;        /* hr_relaunch_due restarts it */
        hr_restart_at[g - hr_groups] = hr_now_ns() + hrpol_backoff_ns(&hr_tun, d.n);
        hr_relaunch_due();                  /* sets the alarm */
        return;
    }
    hr_group_relaunch(g);
    hr_relaunch_due();                      /* the alarm that arms it again */
}

/* arun -g gid image args (console, holding privs): registers a direct actor and starts it
   (held, for the console to release once it said so, with HR_RUN_HELD in flags). */
static int hr_run(int32_t gid, uint32_t flags, uint32_t privs, const struct hr_exec_req *req)
{
    if (gid <= 0 || !memchr(req->image, '\0', sizeof(req->image)))
        return K_EINVAL;
    struct hrreg_group_info gi;
    struct hr_group *g = hr_group_find(gid);
    if (!g && hrreg_group_find(&hr_reg, gid, &gi) == K_OK)
        return K_EBUSY;         /* registered but not running (stopped): akill -g it first */
    if (g && g->state == HR_GROUP_WAITING)
        return K_EBUSY;         /* its restart (backoff) starts every direct member */
    if (!g && !(g = hr_group_get(gid)))
        return K_ETOOMUCH;
    struct hr_member *m = hr_member_add(g);
    uint32_t spawn = (flags & HR_RUN_HELD) ? ACTOR_SPAWN_HELD : 0;
    uint32_t grant = hr_grant(req->image, privs);
    int aid = m ? hr_spawn(req->image, req->argc, req->args, req->args_len, gid, grant, spawn, 0)
                : K_ETOOMUCH;
    /* Registered only once it runs, so that a failed start leaves no trace in the bank. */
    int err = aid < 0 ? aid : hrreg_add_actor(&hr_reg, gid, req->image, req->argc, req->args,
                                              req->args_len, grant);
    if (err) {
        if (aid > 0)
            sys_call1(SYS_ACTOR_KILL, aid);     /* HR's own kill: no record comes back */
        if (m)
            m->used = 0;
        for (int k = 0; k < HR_GROUP_MEMBERS_MAX; k++)
            if (g->members[k].used)
                return err;
        memset(g, 0, sizeof(*g));
        return err;
    }
    hrreg_group_find(&hr_reg, gid, &gi);
    m->aid = aid;
    m->direct = 1;
    m->reg_index = (uint8_t)(gi.nactors - 1);
    hr_copy_str(m->name, sizeof(m->name), req->image);
    hr_arm(g);
    return aid;
}

/* hrfexec*: an indirect member of the caller's group, with at most the caller's privileges
   (privs). */
static int hr_fexec(int32_t caller, uint32_t privs, struct hr_exec_req *req)
{
    struct hr_group *g;
    struct hr_member *parent = hr_member_by_aid(caller, &g);
    PmmName *b = &req->base;
    if (!hr_pad(req->image, sizeof(req->image)) || memcmp(b->medium, "RAM", 4) ||
        !b->name[0] || !hr_pad(b->name, sizeof(b->name)))
        return K_EINVAL;        /* the medium must be "RAM" and the name set (ChorusOS) */
    if (!parent)
        return K_EPRIV;         /* only a restartable actor may spawn one */
    uint32_t mix = hr_name_mix(b->name), *mixes = hr_base_mix[g - hr_groups];
    for (int k = 0; k < HR_GROUP_MEMBERS_MAX; k++) {
        struct hr_member *o = &g->members[k];
        if (mixes[k] == mix && o->used && !o->direct && o->aid &&
            hr_same(o->base.name, b->name, sizeof(b->name)))
            return K_EEXIST;    /* persistent names are unique in a group */
    }
    struct hr_member *m = hr_member_add(g);
    if (!m)
        return K_ETOOMUCH;
    /* The slot this child had before the group restarted, held: restarted in place. */
    int32_t kept = 0;
    struct hr_held *held = hr_held[g - hr_groups];
    for (int k = 0; hr_nheld && !kept && k < HR_GROUP_MEMBERS_MAX; k++) {
        if (held[k].aid && held[k].mix == mix && hr_same(held[k].base, b->name, sizeof(b->name)) &&
            hr_same(held[k].image, req->image, sizeof(req->image))) {
            kept = held[k].aid;
            held[k].aid = 0;
            hr_nheld--;
        }
    }
    int aid = hr_spawn(req->image, req->argc, req->args, req->args_len, g->gid,
                       hr_grant(req->image, privs), 0, kept);
    if (aid < 0) {
        if (kept)
            sys_call1(SYS_ACTOR_KILL, kept);    /* a spec the restart refused: free the slot */
        m->used = 0;
        return aid;
    }
    m->aid = aid;
    m->base = *b;
    mixes[m - g->members] = mix;
    memcpy(m->name, req->image, sizeof(m->name));
    /* A group restart now restarts more than the direct member: disarm it. Only the group's
       one running member can be armed, so it is the caller if anyone. */
    if (parent->armed)
        hr_arm(g);
    return aid;
}

/* Describes the index-th registered group for the console (HR_OP_GROUP_INFO). */
static int hr_group_info(uint32_t index, struct hr_group_info *out)
{
    struct hrreg_group_info gi;
    if (hrreg_group_at(&hr_reg, index, &gi) != K_OK)
        return K_EUNKNOWN;
    memset(out, 0, sizeof(*out));
    out->gid = gi.gid;
    out->restarts = gi.restarts;
    struct hr_group *g = hr_group_find(gi.gid);
    out->state = gi.state == HRREG_GROUP_STOPPED || !g ? HR_GROUP_STOPPED : g->state;
    out->restart_at_ns = out->state == HR_GROUP_WAITING ? hr_restart_at[g - hr_groups] : 0;
    for (int k = 0; g && k < HR_GROUP_MEMBERS_MAX; k++) {
        struct hr_member *m = &g->members[k];
        if (!m->used)
            continue;
        struct hr_member_info *mi = &out->members[out->nmembers++];
        mi->aid = m->aid;
        memcpy(mi->name, m->name, sizeof(mi->name));
        mi->direct = m->direct;
        mi->clean_exit = m->clean_exit;
    }
    return K_OK;
}

/* Describes the index-th crash record, oldest first, for the console (HR_OP_CRASH_INFO). */
static int hr_crash_info(uint32_t index, struct hr_crash_info *out)
{
    struct hrlog_iter it;
    struct hrlog_record r;
    hr_open_logs();
    hrlog_iter_begin(&hr_log, &it);
    do {
        if (!hrlog_iter_next(&hr_log, &it, &r))
            return K_EUNKNOWN;
    } while (index--);
    memset(out, 0, sizeof(*out));
    out->seq = r.seq;
    out->boot = r.boot;
    out->time_ns = r.time_ns;
    out->aid = r.aid;
    out->group = r.group;
    memcpy(out->name, r.name, sizeof(out->name) - 1);
    memcpy(out->text, r.text, sizeof(out->text) - 1);
    if (r.action == HRLOG_ACTION_RESTART_GROUP)
        fmt_snprintf(out->action, sizeof(out->action), "restarting group %ld (%u/%u)", (long)r.group,
                 r.action_n, r.action_max);
    else if (r.action == HRLOG_ACTION_SITE_RESTART && r.group && r.action_n)
        fmt_snprintf(out->action, sizeof(out->action), "group %ld failed %u times: site restart",
                     (long)r.group, r.action_n);
    else if (r.action == HRLOG_ACTION_SITE_RESTART)
        fmt_snprintf(out->action, sizeof(out->action), "site restart");
    else
        fmt_snprintf(out->action, sizeof(out->action), r.group ? "stopped"
                                                                : "not restartable, deleted");
    return K_OK;
}

/* Describes the index-th dump, oldest first, for the console (HR_OP_DUMP_INFO). */
static int hr_dump_info(uint32_t index, struct hrdump_header *out)
{
    hr_open_logs();
    return hrdump_at(&hr_dumps, index, out, NULL) ? K_OK : K_EUNKNOWN;
}

/* Copies up to HR_DUMP_STACK_CHUNK stack bytes of dump seq from offset into out, for the
   console (HR_OP_DUMP_STACK); returns the byte count or K_EUNKNOWN. */
static int hr_dump_stack(uint32_t seq, uint32_t offset, uint8_t *out)
{
    struct hrdump_header h;
    const uint8_t *stack;
    hr_open_logs();
    if (!hrdump_find(&hr_dumps, seq, &h, &stack))
        return K_EUNKNOWN;
    if (offset >= h.stack_len)
        return 0;
    uint32_t n = h.stack_len - offset < HR_DUMP_STACK_CHUNK ? h.stack_len - offset
                                                            : HR_DUMP_STACK_CHUNK;
    memcpy(out, stack + offset, n);
    return (int)n;
}

/* Maps area (PMM_AREA_*) of the bank into HR, or, when the PMM server cannot (none runs,
   or it refuses), gives HR zeroed memory of its own instead, which a site restart loses;
   *size gets the area's size. Returns its address (0 when there is no memory either) and
   sets *kept to whether it is the bank's. */
static uintptr_t hr_area(int port, uint32_t area, uint32_t *size, int *kept)
{
    struct sys_ipc_ret r = { .status = K_EUNKNOWN };
    if (port >= 0)
        r = sys_ipc_call(port, PMM_OP_SYS_AREA, area, 0, 0, NULL);
    *kept = r.status == K_OK && r.w[0] == K_OK;
    if (*kept) {
        *size = r.w[2];
        return r.w[1];
    }
    KnRgnDesc rgn;
    memset(&rgn, 0, sizeof(rgn));
    rgn.size = area == PMM_AREA_HR_REGISTRY ? HRREG_AREA_SIZE
             : area == PMM_AREA_HR_DUMPS ? HRDUMP_AREA_SIZE : HRLOG_AREA_SIZE;
    rgn.options = K_ANYWHERE | K_WRITABLE | K_FILLZERO;
    *size = rgn.size;
    return rgnAllocate(K_MYACTOR, &rgn) == K_OK ? rgn.startAddr : 0;
}

/* Opens the registry in the bank (through the PMM server) and maps the crash log and dump
   ring (hr_open_logs checks them later). Without the bank the registry and crash log live
   in HR's memory for this boot only, so that every later call finds them open.
   Returns K_OK when the registry is the bank's (a warm boot may restore its groups),
   K_EUNKNOWN when it is in HR's memory, K_ENOMEM when neither can be had. */
static int hr_open_bank(void)
{
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
    char why[96];
    uint32_t reg_size, log_size;
    int reg_kept, log_kept;
    uintptr_t reg = hr_area(port, PMM_AREA_HR_REGISTRY, &reg_size, &reg_kept);
    uintptr_t log = hr_area(port, PMM_AREA_HR_CRASHLOG, &log_size, &log_kept);
    if (!reg || !log) {
        hr_say("hr: no memory for the registry and crash log\n");
        return K_ENOMEM;
    }
    if (!reg_kept || !log_kept)
        hr_say("hr: %s: registry and crash log in HR's memory, lost on a site restart\n",
               port < 0 ? "no PMM server" : "the PMM server refused the bank areas");
    int st = hrreg_open(&hr_reg, (void *)reg, reg_size, why, sizeof(why));
    /* why: "invalid (copy A: ...; copy B: ...), re-initialised empty", or "kept, ...; copy
       X: ..." when one copy was damaged or torn and the other is used. */
    if (st == HRREG_INVALID_REINITIALISED || (st == HRREG_KEPT && hr_reg.other_bad))
        hr_say("hr: registry %s\n", why);
    hr_registry_kept = reg_kept && st == HRREG_KEPT;
    hr_log_area = log;
    hr_log_size = log_size;
    int dumps_kept;
    hr_dumps_area = hr_area(port, PMM_AREA_HR_DUMPS, &hr_dumps_size, &dumps_kept);
    return reg_kept ? K_OK : K_EUNKNOWN;
}

/* After a warm boot: the fault that ended the previous run (a critical actor's, or a kernel
   panic, as the kernel's boot record has it) gets its crash line and crash-log record. */
static void hr_log_previous_end(void)
{
    const struct fault_record *rec = &hr_boot.last_end;
    if (rec->kind == 0)
        return;
    char what[128];
    hr_what(what, sizeof(what), rec);
    hr_say("hr: previous run: %s (aid %ld) %s; site restart\n", rec->name, (long)rec->aid, what);
    hr_log_crash(rec, hr_boot.boot_count - 1, HRLOG_ACTION_SITE_RESTART, 0, 0);   /* it ended boot - 1 */
}

/* Starts every registered group that is neither stopped nor running, saying "hr: restarting
   group G <when>". Returns how many were started. */
static int hr_start_registered(const char *when)
{
    /* The gids first: relaunching may end a group, which compacts the registry's table. */
    int32_t gids[HRREG_MAX_GROUPS];
    uint32_t ng = 0, n = hrreg_group_count(&hr_reg);
    for (uint32_t i = 0; i < n && ng < HRREG_MAX_GROUPS; i++) {
        struct hrreg_group_info gi;
        if (hrreg_group_at(&hr_reg, i, &gi) == K_OK && gi.state == HRREG_GROUP_ACTIVE &&
            !hr_group_find(gi.gid))
            gids[ng++] = gi.gid;
    }
    int started = 0;
    for (uint32_t i = 0; i < ng; i++) {
        struct hr_group *g = hr_group_get(gids[i]);
        if (!g)
            break;
        hr_say("hr: restarting group %ld %s\n", (long)gids[i], when);
        hr_group_relaunch(g);
        started++;
    }
    return started;
}

/* hr resume (console): auto-start on again after the loop breaker stopped it. The site
   restart times are forgotten, so that the loop breaker counts afresh from now, and the
   registered groups start. Returns how many, or K_EINVAL when auto-start is on. */
static int hr_resume(void)
{
    if (hr_auto_start)
        return K_EINVAL;
    hrreg_site_clear(&hr_reg);
    hr_auto_start = 1;
    hr_stop_reason[0] = '\0';
    return hr_start_registered("on hr resume");
}

/* After a warm boot: records the site restart, then restarts every registered group, unless
   the site is crash-looping (too many site restarts within the site interval). */
static void hr_restore_groups(void)
{
    struct hrreg_site_history h;
    /* Every site restart counts, whoever asked for it (HR's policy, the console, a kernel
       panic, a failed PMM or HR): a loop through any of them is broken the same way. A reset
       from outside (QMP, a debugger, a power button) is the operator's, not a failure. */
    if (hr_boot.last_reset_reason != 0)
        hrreg_site_record(&hr_reg, hr_now_ns());
    hrreg_site_get(&hr_reg, &h);
    struct hrpol_site_decision d = hrpol_site_decide(&hr_tun, h.times, h.count, hr_now_ns(),
                                                     hr_stop_reason, sizeof(hr_stop_reason));
    uint32_t n = hrreg_group_count(&hr_reg);
    if (!d.auto_start) {
        hr_auto_start = 0;
        hr_say("hr: auto-restart stopped: %s; %lu group%s kept in the registry, not started\n",
               hr_stop_reason, (unsigned long)n, n == 1 ? "" : "s");
        return;
    }
    hr_stop_reason[0] = '\0';
    hr_start_registered("after the site restart");
}

int main(void)
{
    static union {
        struct fault_record fault;
        struct hr_exec_req exec;
    } in;
    static union {
        struct hr_group_info group;
        struct hr_crash_info crash;
        struct hr_status status;
        struct hrdump_header dump;
        uint8_t stack[HR_DUMP_STACK_CHUNK];
    } out;
    sys_call1(SYS_BOOT_INFO, (long)&hr_boot);
    hrpol_clock_init(&hr_clock, counter_hz());
    struct actor_info self;
    int32_t self_aid = (int32_t)sys_call0(SYS_ACTOR_SELF);
    if (sys_call2(SYS_ACTOR_INFO, self_aid % ACTOR_SLOTS - 1, (long)&self) == K_OK)
        hr_privs = self.privileges;
    while (hr_nimages < sizeof(hr_images) / sizeof(hr_images[0]) &&
           sys_call2(SYS_IMAGE_INFO, hr_nimages, (long)&hr_images[hr_nimages]) == K_OK)
        hr_nimages++;
    if (hrpol_tunables_init(&hr_tun, BOARD_HR_MAX_RESTARTS, BOARD_HR_INTERVAL_MS,
                            BOARD_HR_MAX_SITE_RESTARTS, BOARD_HR_SITE_INTERVAL_MS) != K_OK) {
        hr_say("hr: the board's restart policy is out of range; using the defaults\n");
        hrpol_tunables_init(&hr_tun, HRPOL_DEFAULT_MAX_RESTARTS, HRPOL_DEFAULT_INTERVAL_MS,
                            HRPOL_DEFAULT_MAX_SITE_RESTARTS, HRPOL_DEFAULT_SITE_INTERVAL_MS);
    }
    if (hrpol_backoff_init(&hr_tun, BOARD_HR_BACKOFF_BASE_MS, BOARD_HR_BACKOFF_MAX_MS) != K_OK)
        hr_say("hr: the board's restart backoff is out of range; restarts do not wait\n");
    int port = (int)sys_call1(SYS_PORT_CREATE, PORT_WK_HR);
    if (port < 0 || sys_call1(SYS_FAULT_PORT_SET, port) != K_OK) {
        hr_say("hr: cannot take the fault port\n");
        return 1;
    }
    int bank = hr_open_bank();
    if (bank == K_ENOMEM)
        return 1;
    if (hr_boot.kind != 1)
        hr_open_logs();             /* a cold boot has no groups to restart first */
    if (bank == K_OK && hr_boot.kind == 1) {
        hr_log_previous_end();
        hr_restore_groups();
    }
    for (;;) {
        struct ipc_bufs b = { 0, 0, &in, sizeof(in), 0 };
        /* With dumps to write, the logs still to check or slots held: they wait until
           nothing else would run. */
        struct sys_ipc_ret m = sys_ipc_recv_flags(port, &b, hr_npending || !hr_logs_open ||
                                                                hr_nheld ? IPC_RECV_IDLE : 0);
        if (m.status != K_OK) {
            if (m.status == K_ETIMEOUT) {
                hr_release_held(NULL);      /* no hrfexec came for them: the restart is over */
                hr_relaunch_due();          /* the alarm of a waiting group, if it was that */
                hr_open_logs();             /* the CPU is idle, if it was that */
                hr_pending_write();
            }
            continue;
        }
        if (m.r6 == IPC_SENDER_KERNEL) {
            if (b.recv_len == sizeof(in.fault))
                hr_on_end(&in.fault, (int32_t)m.r5);
            continue;
        }
        int32_t caller = (int32_t)m.r6;
        int st = K_OK;
        uint32_t out_len = 0;
        struct actor_info ci;
        memset(&ci, 0, sizeof(ci));
        sys_call2(SYS_ACTOR_INFO, caller % ACTOR_SLOTS - 1, (long)&ci);
        if (ci.aid != caller)
            ci.privileges = 0;
        if (m.w[0] != HR_OP_FEXEC && m.w[0] != HR_OP_GET_GROUP) {
            hr_pending_say();       /* not on a restart path: the time is there */
            hr_save_restarts();
        }
        switch (m.w[0]) {
        case HR_OP_EXIT_HDL: {
            struct hr_group *g;
            struct hr_member *mem = hr_member_by_aid(caller, &g);
            if (mem) {
                mem->clean_exit = 1;
                hr_arm(g);      /* its exit must come to HR */
            }
            break;
        }
        case HR_OP_KILL_GROUP: {
            /* Members may kill their own group, the console (actors privilege) any group;
               a gid not in use is not an error for anyone. */
            int32_t gid = (int32_t)m.w[1];
            struct hr_group *g = hr_group_find(gid), *cg = NULL;
            struct hrreg_group_info gi;
            int in_use = g || hrreg_group_find(&hr_reg, gid, &gi) == K_OK;
            if (!in_use)
                break;
            if (!(ci.privileges & PRIV_ACTORS) && !(hr_member_by_aid(caller, &cg) && cg == g))
                st = K_EPRIV;
            else if (g)
                hr_group_end(g);
            else if (hrreg_remove_group(&hr_reg, gid) == K_OK)
                hr_free_group_blocks(gid);
            break;
        }
        case HR_OP_GET_GROUP: {
            struct hr_group *g;
            st = hr_member_by_aid((int32_t)m.w[1], &g) ? g->gid : -1;
            break;
        }
        case HR_OP_FEXEC:
            st = hr_exec_req_whole(&in.exec, b.recv_len) ? hr_fexec(caller, ci.privileges, &in.exec)
                                                         : K_EINVAL;
            break;
        case HR_OP_RUN:
            if (!(ci.privileges & PRIV_ACTORS))
                st = K_EPRIV;
            else
                st = hr_exec_req_whole(&in.exec, b.recv_len) && !(m.w[2] & ~HR_RUN_HELD)
                         ? hr_run((int32_t)m.w[1], m.w[2], ci.privileges, &in.exec) : K_EINVAL;
            break;
        case HR_OP_GROUP_INFO:
            st = hr_group_info(m.w[1], &out.group);
            out_len = st == K_OK ? sizeof(out.group) : 0;
            break;
        case HR_OP_CRASH_INFO:
            st = hr_crash_info(m.w[1], &out.crash);
            out_len = st == K_OK ? sizeof(out.crash) : 0;
            break;
        case HR_OP_RESUME:
            st = ci.privileges & PRIV_ACTORS ? hr_resume() : K_EPRIV;
            break;
        case HR_OP_DUMP_INFO:
            hr_pending_flush();
            st = hr_dump_info(m.w[1], &out.dump);
            out_len = st == K_OK ? sizeof(out.dump) : 0;
            break;
        case HR_OP_DUMP_STACK:
            st = hr_dump_stack(m.w[1], m.w[2], out.stack);
            out_len = st > 0 ? (uint32_t)st : 0;
            break;
        case HR_OP_STATUS: {
            struct hrreg_site_history h;
            hrreg_site_get(&hr_reg, &h);
            memset(&out.status, 0, sizeof(out.status));
            out.status.auto_start = (uint32_t)hr_auto_start;
            out.status.registry_kept = (uint32_t)hr_registry_kept;
            out.status.site_restarts = h.total;
            hr_copy_str(out.status.reason, sizeof(out.status.reason), hr_stop_reason);
            out_len = sizeof(out.status);
            break;
        }
        default:
            st = K_EINVAL;
        }
        struct ipc_bufs r = { &out, out_len, 0, 0, 0 };
        /* A reply that does not fit the caller's buffer would leave it waiting: say so. */
        if (sys_ipc_reply(m.r5, (uint32_t)st, 0, 0, 0, &r) == K_EINVAL && out_len)
            sys_ipc_reply(m.r5, (uint32_t)K_EINVAL, 0, 0, 0, NULL);
    }
}

/* HR test tool: one operation per run, printing one line that the scenarios match. The image
   holds it twice: hrctl with the actors privilege, hrctlu without; either may also run as a
   restartable actor (arun -g), and ends cleanly (HR_EXIT_HDL, then exit).

     hrctl killgroup GID         hrctl: hrKillGroup(GID) = R
     hrctl group AID             hrctl: hrGetActorGroup(AID) = G
     hrctl inject NAME KIND      hrctl: injecting KIND into NAME (aid A), then
                                 SYS_ACTOR_INJECT(A, FAULT_KIND_*); KIND: data, prefetch, undef
                                 (a critical actor takes the site down: nothing more prints)
     hrctl call PORT OP          hrctl: call port P op O: status S, reply R
     hrctl kill AID              hrctl: kill aid A: R
     hrctl fexec MEDIUM NAME     hrctl: hrfexecl(MEDIUM/NAME, hrchild) = R (then the child,
                                 if any, runs in the caller's group)
     hrctl armed NAME            hrctl: NAME (aid A) armed Y|N: whether the kernel restarts
                                 it itself at its next abnormal end (SYS_ACTOR_ARM)
     hrctl sleep MS              hrctl: slept MS ms */
#include "../hrtest/hrtest.h"

/* The FAULT_KIND_* of a kind name, or 0. */
static int hrctl_kind(const char *kind)
{
    if (!strcmp(kind, "data"))
        return FAULT_KIND_DATA_ABORT;
    if (!strcmp(kind, "prefetch"))
        return FAULT_KIND_PREFETCH_ABORT;
    if (!strcmp(kind, "undef"))
        return FAULT_KIND_UNDEFINED;
    return 0;
}

int main(int argc, char **argv)
{
    const char *op = argc > 1 ? argv[1] : "";
    long a = argc > 2 ? strtol(argv[2], NULL, 0) : 0;
    long b = argc > 3 ? strtol(argv[3], NULL, 0) : 0;
    if (!strcmp(op, "killgroup") && argc == 3) {
        printf("hrctl: hrKillGroup(%ld) = %d\n", a, hrKillGroup((int)a));
    } else if (!strcmp(op, "group") && argc == 3) {
        printf("hrctl: hrGetActorGroup(%ld) = %d\n", a, hrGetActorGroup((int)a));
    } else if (!strcmp(op, "inject") && argc == 4) {
        int kind = hrctl_kind(argv[3]);
        int aid = hrt_find_aid(argv[2]);
        if (!kind || !aid) {
            printf("hrctl: no actor %s or bad kind %s\n", argv[2], argv[3]);
            HR_EXIT_HDL();
            return 1;
        }
        printf("hrctl: injecting %s into %s (aid %d)\n", argv[3], argv[2], aid);
        long res = sys_call2(SYS_ACTOR_INJECT, aid, kind);
        printf("hrctl: inject = %ld\n", res);
    } else if (!strcmp(op, "call") && argc == 4) {
        struct sys_ipc_ret r = sys_ipc_call((int)a, (uint32_t)b, 0, 0, 0, NULL);
        printf("hrctl: call port %ld op %ld: status %ld, reply %ld\n", a, b, r.status,
               r.status == K_OK ? (long)(int32_t)r.w[0] : 0L);
    } else if (!strcmp(op, "fexec") && argc == 4) {
        PmmName base;
        memset(&base, 0, sizeof(base));
        strncpy(base.medium, argv[2], sizeof(base.medium) - 1);
        strncpy(base.name, argv[3], sizeof(base.name) - 1);
        int res = hrfexecl(&base, "hrchild", NULL, NULL, "hrchild", "fexec", "clean", NULL);
        printf("hrctl: hrfexecl(%s/%s, hrchild) = %d\n", argv[2], argv[3], res);
    } else if (!strcmp(op, "armed") && argc == 3) {
        struct actor_info info;
        int aid = hrt_find_aid(argv[2]);
        if (!aid || sys_call2(SYS_ACTOR_INFO, aid % ACTOR_SLOTS - 1, (long)&info) != K_OK)
            printf("hrctl: no actor %s\n", argv[2]);
        else
            printf("hrctl: %s (aid %d) armed %s\n", argv[2], aid,
                   (info.flags & ACTOR_INFO_ARMED) ? "Y" : "N");
    } else if (!strcmp(op, "sleep") && argc == 3) {
        hrt_sleep_ms((uint32_t)a);
        printf("hrctl: slept %ld ms\n", a);
    } else if (!strcmp(op, "kill") && argc == 3) {
        printf("hrctl: kill aid %ld: %ld\n", a, sys_call1(SYS_ACTOR_KILL, a));
    } else {
        printf("hrctl: usage: hrctl killgroup GID | group AID | inject NAME KIND | "
               "call PORT OP | kill AID | fexec MEDIUM NAME\n");
        HR_EXIT_HDL();
        return 1;
    }
    HR_EXIT_HDL();
    return 0;
}

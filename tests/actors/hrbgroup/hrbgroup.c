/* HR bench: group restart with N actors, crash instant -> the last member back in main.

     hrbgroup FIGURE N   the direct member; spawns N-1 indirect hrbchild members with hrfexecl
                         and, once all N are in main, records the crash instant and takes a
                         data abort. HR restarts it; it spawns the children again, waits until
                         all N are back in main, prints "bench: FIGURE <ns>" and kills its
                         group (hrKillGroup).

   The group's block (named FIGURE, key HR_GROUP_KEY) holds the run count, the crash instant
   and, for the measured run, how many members are up and the latest main entry. */
#include "../hrbench/hrbench.h"

/* Notes that a member entered main at t (every member calls it once per run). */
static void hrbgroup_up(struct hrb_state *st, uint64_t t)
{
    if (t > st->t_last)
        st->t_last = t;
    st->up++;
}

int main(int argc, char **argv)
{
    uint64_t t = counter_now();
    const char *figure = argc > 1 ? argv[1] : "group_restart_ns";
    int n = argc > 2 ? atoi(argv[2]) : 1;
    struct hrb_state *st = hrb_block(figure, HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    if (!st || n < 1 || n > HRB_MEMBERS_MAX) {
        printf("hrbgroup: bad arguments or no block\n");
        HR_EXIT_HDL();
        exit(1);
    }
    st->runs++;
    st->up = 0;
    st->t_last = 0;
    hrbgroup_up(st, t);
    for (int i = 1; i < n; i++) {
        PmmName base;
        memset(&base, 0, sizeof(base));
        strcpy(base.medium, "RAM");
        snprintf(base.name, sizeof(base.name), "%s.%d", figure, i);
        int res = hrfexecl(&base, "hrbchild", NULL, NULL, "hrbchild", figure, NULL);
        if (res != K_OK) {
            printf("hrbgroup: hrfexecl failed: %d\n", res);
            hrKillGroup(hrGetActorGroup(agetId()));
        }
    }
    while (st->up < (uint32_t)n)
        sys_call1(SYS_DELAY, 100);
    if (st->runs == 1) {
        st->t_crash = counter_now();
        hrb_crash();
    }
    hrb_print(figure, hrb_ns(st->t_last - st->t_crash));
    hrKillGroup(hrGetActorGroup(agetId()));
    return 0;
}

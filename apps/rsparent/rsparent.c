/* Demo in the manner of ChorusOS's restartSpawn: a parent keeps its progress in a
   persistent block, spawns rschild with hrfexecl on every start, and crashes on purpose a
   few times; each crash restarts the whole group. The child's message comes out exactly
   once whatever the crashes. Usage: arun -g GID rsparent */
#include <hr/hr.h>
#include <stdio.h>

#define RS_LOOPS 8

struct rsparent_state {
    int starts;
    int loops;
    int crashed_at;     /* the loop at which it crashed last, so it crashes once there */
};

struct rschild_state {  /* as rschild keeps it: the parent waits for done */
    int step;
    int done;
};

static void rsparent_sleep_ms(long ms)
{
    KnTimeVal d = { ms / 1000, (ms % 1000) * 1000000 };
    threadDelay(&d);
}

static void *rsparent_block(const char *id, size_t size)
{
    PmmName name;
    VmAddr addr;
    bzero(&name, sizeof(name));
    strcpy(name.medium, "RAM");
    strcpy(name.name, id);
    int res = pmmAllocate(&addr, &name, size, HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    if (res != K_OK) {
        printf("rsparent: cannot get block %s: %d\n", id, res);
        HR_EXIT_HDL();
        exit(1);
    }
    return (void *)addr;
}

int main(void)
{
    struct rsparent_state *st = rsparent_block("RS_PARENT", sizeof(*st));
    struct rschild_state *child = rsparent_block("RS_CHILD", sizeof(*child));
    PmmName child_name;
    KnCap child_cap;

    st->starts++;
    if (st->starts == 1)
        printf("rsparent: started\n");
    else
        printf("rsparent: restarted (start %d, loop %d)\n", st->starts, st->loops);
    bzero(&child_name, sizeof(child_name));
    strcpy(child_name.medium, "RAM");
    strcpy(child_name.name, "rschild");
    int res = hrfexecl(&child_name, "rschild", &child_cap, NULL, "rschild", NULL);
    if (res != K_OK) {
        printf("rsparent: hrfexecl failed: %d\n", res);
        HR_EXIT_HDL();
        exit(1);
    }
    while (st->loops < RS_LOOPS) {
        rsparent_sleep_ms(400);
        st->loops++;
        if (st->loops % 3 == 0 && st->crashed_at != st->loops) {
            st->crashed_at = st->loops;
            printf("rsparent: loop %d, crashing on purpose\n", st->loops);
            *(volatile int *)0 = 0;
        }
    }
    while (!child->done)
        rsparent_sleep_ms(200);
    printf("rsparent: child done, %d starts, exiting\n", st->starts);
    HR_EXIT_HDL();
    return 0;
}

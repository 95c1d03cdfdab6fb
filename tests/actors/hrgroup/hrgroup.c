/* Direct member of the HR group scenario: spawns two indirect members with hrfexecl
   (hrchild "child1", which waits, and "child2", which crashes in its first run), then waits
   in the first run and ends cleanly in the next. With the argument "once" it spawns them in
   the first run only, and its next run waits (for the console to kill the group).

     hrgroup: run N, aid A, group G
     hrgroup: spawned child1, aid X            (or "hrgroup: hrfexecl child1 failed: E")
     hrgroup: spawned child2, aid Y
     hrgroup: finished                         (second run on: HR_EXIT_HDL, exit(0)) */
#include "../hrtest/hrtest.h"

/* Starts hrchild NAME MODE as an indirect member with the persistent name NAME. */
static void hrgroup_spawn(const char *name, const char *mode)
{
    PmmName base;
    KnCap cap = { 0 };
    memset(&base, 0, sizeof(base));
    strcpy(base.medium, "RAM");
    memcpy(base.name, name, strnlen(name, sizeof(base.name) - 1));
    int res = hrfexecl(&base, "hrchild", &cap, NULL, "hrchild", name, mode, NULL);
    if (res != K_OK)
        printf("hrgroup: hrfexecl %s failed: %d\n", name, res);
    else
        printf("hrgroup: spawned %s, aid %d\n", name, cap.aid);
}

int main(int argc, char **argv)
{
    int once = argc > 1 && !strcmp(argv[1], "once");
    int aid = agetId();
    uint32_t *runs = hrt_block("hrgroup", "hrgroup", sizeof(*runs), HR_GROUP_KEY,
                               HR_GROUP_KEYSIZE);
    if (!runs) {
        HR_EXIT_HDL();
        exit(1);
    }
    uint32_t run = ++*runs;
    printf("hrgroup: run %lu, aid %d, group %d\n", (unsigned long)run, aid, hrGetActorGroup(aid));
    if (run == 1 || !once) {
        hrgroup_spawn("child1", "wait");
        hrgroup_spawn("child2", "crash");
    }
    if (run == 1 || once)
        hrt_wait_forever();
    printf("hrgroup: finished\n");
    HR_EXIT_HDL();
    exit(0);
}

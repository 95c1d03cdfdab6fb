/* Demo child of rsparent: prints a four-step message, one step at a time, keeping the
   next step in a persistent block, so a restart resumes where it was and every step is
   printed exactly once. It runs above its parent's priority (manifest prio), so the
   parent can only crash while the child sleeps between steps. */
#include <hr/hr.h>
#include <stdio.h>

#define RS_STEPS 4

struct rschild_state {
    int step;   /* steps printed */
    int done;
};

int main(void)
{
    PmmName name;
    struct rschild_state *st;
    KnTimeVal d = { 0, 700 * 1000000 };

    bzero(&name, sizeof(name));
    strcpy(name.medium, "RAM");
    strcpy(name.name, "RS_CHILD");
    int res = pmmAllocate((VmAddr *)&st, &name, sizeof(*st), HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    if (res != K_OK) {
        printf("rschild: cannot get its block: %d\n", res);
        HR_EXIT_HDL();
        exit(1);
    }
    if (st->done) {
        HR_EXIT_HDL();
        exit(0);
    }
    if (st->step == 0)
        printf("rschild: =========== Message ===========\n");
    else
        printf("rschild: resuming after step %d\n", st->step);
    while (st->step < RS_STEPS) {
        threadDelay(&d);
        st->step++;
        printf("rschild: STEP %d\n", st->step);
    }
    printf("rschild: ======== End of message ========\n");
    st->done = 1;
    HR_EXIT_HDL();
    return 0;
}

/* HR bench: an indirect member of the hrbgroup bench. Notes its main entry in the group's
   block (named by argv[1]) and waits until the group is restarted or killed. */
#include "../hrbench/hrbench.h"

int main(int argc, char **argv)
{
    uint64_t t = counter_now();
    struct hrb_state *st = hrb_block(argc > 1 ? argv[1] : "group_restart_ns", HR_GROUP_KEY,
                                     HR_GROUP_KEYSIZE);
    if (st) {
        if (t > st->t_last)
            st->t_last = t;
        st->up++;
    }
    for (;;)
        sys_call1(SYS_DELAY, 1000000);
}

/* HR bench: the member of each group of the site restart bench (hrbsite). Notes its main
   entry in block "hrbsite" and waits until its group is killed. */
#include "../hrbench/hrbench.h"

int main(void)
{
    uint64_t t = counter_now();
    struct hrb_state *st = hrb_block("hrbsite", "HRBSITE", sizeof("HRBSITE"));
    if (st) {
        if (t > st->t_last)
            st->t_last = t;
        st->up++;
    }
    for (;;)
        sys_call1(SYS_DELAY, 1000000);
}

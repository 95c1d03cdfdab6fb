/* HR bench actor holding persistent blocks: one hot restart, crash instant -> the restarted
   run has all its blocks back.
     hrbstate FIGURE N   the first run allocates N blocks of 4 KiB (HR_GROUP_KEY, so the
                         group's clean end frees them) and faults; the restarted run
                         retrieves the N blocks with pmmAllocate, checks what the first run
                         wrote in each, and prints "bench: FIGURE <ns>" (restart_state_N_ns). */
#include "../hrbench/hrbench.h"
#include <stdlib.h>

#define HRBSTATE_MAX 16
#define HRBSTATE_SIZE 4096

/* Allocates or retrieves block "st<i>"; NULL when pmmAllocate fails. */
static uint32_t *hrbstate_block(int i)
{
    PmmName n;
    VmAddr addr = 0;
    memset(&n, 0, sizeof(n));
    strcpy(n.medium, "RAM");
    n.name[0] = 's';
    n.name[1] = 't';
    n.name[2] = (char)('a' + i);
    if (pmmAllocate(&addr, &n, HRBSTATE_SIZE, HR_GROUP_KEY, HR_GROUP_KEYSIZE) != K_OK)
        return NULL;
    return (uint32_t *)addr;
}

int main(int argc, char **argv)
{
    uint64_t t_main = counter_now();
    const char *figure = argc > 1 ? argv[1] : "restart_state_16_ns";
    int n = argc > 2 ? atoi(argv[2]) : 16;
    uint32_t *blocks[HRBSTATE_MAX];
    (void)t_main;
    if (n < 1 || n > HRBSTATE_MAX) {
        printf("hrbstate: bad count %d\n", n);
        exit(1);
    }
    for (int i = 0; i < n; i++)
        blocks[i] = hrbstate_block(i);
    uint64_t t_back = counter_now();
    struct hrb_state *st = hrb_block(figure, HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    int ok = st != NULL;
    for (int i = 0; i < n; i++)
        ok = ok && blocks[i];
    if (ok && ++st->runs == 1) {
        for (int i = 0; i < n; i++)
            blocks[i][HRBSTATE_SIZE / 4 - 1] = 0x5eed0000u + (uint32_t)i;
        st->t_crash = counter_now();
        hrb_crash();
    }
    for (int i = 0; ok && i < n; i++)
        ok = blocks[i][HRBSTATE_SIZE / 4 - 1] == 0x5eed0000u + (uint32_t)i;
    if (ok)
        hrb_print(figure, hrb_ns(t_back - st->t_crash));
    else
        printf("hrbstate: blocks not back\n");
    HR_EXIT_HDL();
    exit(ok ? 0 : 1);
}

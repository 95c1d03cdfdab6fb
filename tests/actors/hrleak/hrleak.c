/* Leak campaign test actor (tests/torture/leaks.py): a small restart group that holds every
   kind of resource the restart path must give back, and ends abnormally again and again.

     hrleak PERIOD   direct member; each run N: block "leak.state" (key HR_GROUP_KEY, the run
                     counter), block "leak.own" (an ordinary key, kept), block "leak.tmp" (an
                     ordinary key, allocated and freed), a port, a 3-page region and 48 KiB of
                     heap (both touched), and an indirect child (hrfexecl, "hrleak child":
                     a port and 16 KiB of heap, waits). When N is a multiple of PERIOD it says
                     "hrleak: steady run N aid A" and waits (the driver counts, then kills
                     it); otherwise it sleeps 2.1 s of virtual time, so that at most 5
                     restarts fall within the policy's 10 s, and ends by a data abort, an
                     undefined instruction or exit(3) without HR_EXIT_HDL, in turn.
     hrleak child    the child: a port, 16 KiB of heap, waits */
#include "../hrtest/hrtest.h"
#include <mem/chMem.h>
#include <stdlib.h>

#define HRLEAK_KEY       "HRLEAK_KEY"
#define HRLEAK_PAUSE_MS  2100

/* Takes a port and touches size bytes of heap; prints what failed. */
static void hrleak_hold(const char *who, size_t size)
{
    if (sys_call1(SYS_PORT_CREATE, 0) < 0)
        printf("hrleak: %s: no port\n", who);
    char *heap = malloc(size);
    if (!heap)
        printf("hrleak: %s: no heap\n", who);
    else
        memset(heap, 0x5a, size);
}

/* The run's blocks: the state and own blocks (kept), the tmp block (allocated, freed). */
static uint32_t hrleak_blocks(void)
{
    uint32_t *runs = hrt_block("hrleak", "leak.state", sizeof(*runs), HR_GROUP_KEY,
                               HR_GROUP_KEYSIZE);
    uint32_t *own = hrt_block("hrleak", "leak.own", 4096, HRLEAK_KEY, sizeof(HRLEAK_KEY));
    uint32_t *tmp = hrt_block("hrleak", "leak.tmp", 8192, HRLEAK_KEY, sizeof(HRLEAK_KEY));
    if (!runs || !own || !tmp) {
        HR_EXIT_HDL();
        exit(1);
    }
    own[0]++;
    tmp[1] = ++runs[0];
    PmmName n;
    memset(&n, 0, sizeof(n));
    strcpy(n.medium, "RAM");
    strcpy(n.name, "leak.tmp");
    int res = pmmFree(&n);
    if (res != K_OK)
        printf("hrleak: pmmFree(leak.tmp) failed: %d\n", res);
    return runs[0];
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "child")) {
        hrleak_hold("child", 16384);
        hrt_wait_forever();
    }
    uint32_t period = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 0;
    if (!period) {
        printf("hrleak: usage: hrleak PERIOD | child\n");
        HR_EXIT_HDL();
        return 1;
    }
    uint32_t run = hrleak_blocks();
    hrleak_hold("parent", 48 * 1024);
    KnRgnDesc rgn;
    memset(&rgn, 0, sizeof(rgn));
    rgn.size = 3 * 4096;
    rgn.options = K_ANYWHERE | K_WRITABLE | K_FILLZERO;
    if (rgnAllocate(K_MYACTOR, &rgn) != K_OK)
        printf("hrleak: no region\n");
    else
        memset((void *)rgn.startAddr, 0xa5, rgn.size);
    PmmName base;
    memset(&base, 0, sizeof(base));
    strcpy(base.medium, "RAM");
    strcpy(base.name, "leak.child");
    int res = hrfexecl(&base, "hrleak", NULL, NULL, "hrleak", "child", NULL);
    if (res != K_OK)
        printf("hrleak: hrfexecl failed: %d\n", res);
    if (run % period == 0) {
        printf("hrleak: steady run %lu aid %d\n", (unsigned long)run, agetId());
        hrt_wait_forever();
    }
    hrt_sleep_ms(HRLEAK_PAUSE_MS);
    switch (run % 3) {
    case 0:
        hrt_fault("data");
        break;
    case 1:
        hrt_fault("undef");
        break;
    default:
        exit(3);
    }
    return 0;
}

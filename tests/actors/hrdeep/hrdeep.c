/* Restartable test actor for post-mortem dumps (tests/qemu/test_dump.py): its first run takes
   a data abort three calls below main (main -> hrdeep_outer -> hrdeep_middle -> hrdeep_crash),
   so that the dump's backtrace names each; the restarted run ends cleanly.

     hrdeep        "hrdeep: run 1, crashing 3 calls deep" then the fault;
                   "hrdeep: run 2, exiting" in the restarted run
   The run counter lives in block "hrdeep" (key HR_GROUP_KEY). */
#include "../hrtest/hrtest.h"
#include <stdlib.h>

static volatile uint32_t hrdeep_sink;   /* keeps each call a call: work after it, no tail call */

/* Writes through a pointer into unmapped memory: the data abort the dump records. */
static __attribute__((noinline)) uint32_t hrdeep_crash(uint32_t depth)
{
    volatile uint32_t *p = (volatile uint32_t *)(HRT_UNMAPPED_VADDR + depth * 4);
    *p = depth;
    hrdeep_sink = depth;
    return depth + 1;
}

/* One level above the crash, with a local on the stack. */
static __attribute__((noinline)) uint32_t hrdeep_middle(uint32_t depth)
{
    volatile uint32_t local = depth * 3;
    uint32_t r = hrdeep_crash(local + 1);
    hrdeep_sink = r + local;
    return r;
}

/* The outermost level under main. */
static __attribute__((noinline)) uint32_t hrdeep_outer(uint32_t depth)
{
    uint32_t r = hrdeep_middle(depth + 1);
    hrdeep_sink = r;
    return r + 1;
}

int main(void)
{
    uint32_t *runs = hrt_block("hrdeep", "hrdeep", sizeof(*runs), HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    if (!runs)
        return 1;
    if (++*runs == 1) {
        printf("hrdeep: run 1, crashing 3 calls deep\n");
        hrdeep_outer(1);
    }
    printf("hrdeep: run %lu, exiting\n", (unsigned long)*runs);
    HR_EXIT_HDL();
    exit(0);
}

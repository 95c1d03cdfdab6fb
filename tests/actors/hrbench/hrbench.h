/* Helpers shared by the HR bench actors (tests/actors/hrb*, images tests/images/benchhr*):
   persistent bench state, CNTVCT in ns, and the one-restart measurement. Header only: this
   folder holds no .c file, so it is not an actor itself.

   Figures are printed as "bench: <name> <ns>" (scripts/bench.py), in virtual time: under
   -icount shift=0 one guest instruction is 1 ns. */
#pragma once
#include <hr/hr.h>
#include <hr/proto.h>
#include <pmm/chPmm.h>
#include <reprise/counter.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

#define HRB_MEMBERS_MAX 16

/* What a bench keeps in its persistent block across the restart it measures. */
struct hrb_state {
    uint32_t runs;          /* runs of the direct actor */
    uint32_t up;            /* members in main in this run */
    uint64_t t_crash;       /* CNTVCT right before the fault (or the reset request) */
    uint64_t t_last;        /* CNTVCT of the latest member's main in the measured run */
};

/* Converts counter ticks to ns (seconds split off first, so nothing overflows). */
static inline uint64_t hrb_ns(uint64_t ticks)
{
    uint32_t hz = counter_hz();
    return ticks / hz * 1000000000ull + ticks % hz * 1000000000ull / hz;
}

/* Prints "bench: <figure> <ns>" (newlib-nano's printf has no %llu). */
static inline void hrb_print(const char *figure, uint64_t ns)
{
    if (ns >= 1000000000ull)
        printf("bench: %s %lu%09lu\n", figure, (unsigned long)(ns / 1000000000ull),
               (unsigned long)(ns % 1000000000ull));
    else
        printf("bench: %s %lu\n", figure, (unsigned long)ns);
}

/* Allocates or retrieves block name with key (its NUL included); NULL after printing why. */
static inline struct hrb_state *hrb_block(const char *name, const char *key, size_t key_size)
{
    PmmName n;
    VmAddr addr = 0;
    memset(&n, 0, sizeof(n));
    strcpy(n.medium, "RAM");
    memcpy(n.name, name, strnlen(name, sizeof(n.name) - 1));
    int res = pmmAllocate(&addr, &n, sizeof(struct hrb_state), (char *)key, key_size);
    if (res != K_OK) {
        printf("hrbench: pmmAllocate(%s) failed: %d\n", name, res);
        return NULL;
    }
    return (struct hrb_state *)addr;
}

/* Takes a data abort (write to an unmapped page of the rgnAllocate area). */
static inline void hrb_crash(void)
{
    *(volatile uint32_t *)0x20000000u = 0;
}

/* The hot restart measurement of a single restartable actor, called first thing in main with
   the CNTVCT read at main's entry: the first run records the crash instant and faults; the
   restarted run prints "bench: <figure> <ns>" (crash instant -> restarted main) and ends
   its group cleanly. */
static inline void hrb_restart_once(uint64_t t_main, const char *figure)
{
    struct hrb_state *st = hrb_block(figure, HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    if (st && ++st->runs == 1) {
        st->t_crash = counter_now();
        hrb_crash();
    }
    if (st)
        hrb_print(figure, hrb_ns(t_main - st->t_crash));
    HR_EXIT_HDL();
    exit(st ? 0 : 1);
}

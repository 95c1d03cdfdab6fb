/* The kernel's boot record at the start of the persistent bank: boot kind and reset reason. */
#pragma once
#include <reprise/abi.h>
#include <stdint.h>

enum boot_kind { BOOT_COLD, BOOT_WARM };

enum reset_reason {
    RESET_NONE = 0,      /* nothing recorded: power-on, or a reset from outside (QMP, debugger) */
    RESET_REQUESTED = 1, /* the kernel asked PSCI for a site restart */
    RESET_PANIC = 2,     /* a kernel panic ended in a site restart */
    RESET_CRITICAL = 3,  /* a critical actor (PMM, HR) ended abnormally */
};

struct bootrec_state {
    enum boot_kind kind;
    uint32_t boot_count;           /* boots since the bank was created, this one included */
    enum reset_reason last_reason; /* why the previous run ended (warm boots) */
    struct fault_record last_end;  /* the fault that ended it, when recorded (kind 0: none) */
    uint32_t id_base;              /* every generation the previous boots gave is below it */
};

/* Generations of actor and port ids (kernel/actor.c): at most BOOTREC_GEN_MAX, so that
   generation * 64 + slot stays a positive int32_t. The record keeps a lease, an upper bound
   on every generation given in this boot, renewed BOOTREC_ID_LEASE generations at a time;
   the next boot starts its generations at the lease. */
#define BOOTREC_GEN_MAX   ((uint32_t)0x7fffffff / 64u)
#define BOOTREC_ID_LEASE  256u

/* Reads and validates the record, then writes this boot's: called once, early in kmain. */
struct bootrec_state bootrec_boot(void);
/* This boot's state as bootrec_boot found it. */
const struct bootrec_state *bootrec_state(void);
/* Makes sure the record's lease covers generation gen before an id with it is handed out:
   renews the lease (a record write) when gen reaches it; called by actor_next_gen. */
void bootrec_id_reserve(uint32_t gen);
/* Records the fault that is about to end this run (a critical actor's, or a panic), for
   the next boot to report; board_reset records the reason itself. */
void bootrec_set_end(const struct fault_record *rec);
/* Records why the machine is about to be reset. */
void bootrec_set_reason(enum reset_reason reason);
const char *bootrec_reason_name(enum reset_reason reason);

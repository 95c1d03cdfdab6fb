/* The kernel's boot record at the start of the persistent bank: boot kind and reset reason. */
#pragma once
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
};

/* Reads and validates the record, then writes this boot's: called once, early in kmain. */
struct bootrec_state bootrec_boot(void);
/* This boot's state as bootrec_boot found it. */
const struct bootrec_state *bootrec_state(void);
/* Records why the machine is about to be reset. */
void bootrec_set_reason(enum reset_reason reason);
const char *bootrec_reason_name(enum reset_reason reason);

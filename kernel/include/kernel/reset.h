/* Site restart: warm reset of the whole machine with the persistent bank kept. */
#pragma once
#include <kernel/bootrec.h>

/* Records reason in the boot record, cleans the bank to memory and resets through PSCI. */
void board_reset(enum reset_reason reason) __attribute__((noreturn));

/* Boot-time self tests chosen by a scenario through fw_cfg (opt/reprise/selftest). */
#pragma once
#include <stdint.h>

/* Runs the self test named by fw_cfg, if any; most of them end in a panic or a reset. */
void selftest_run(void);
/* Timer interrupt hook: takes the armed kfault-late fault once its time has come. */
void selftest_tick(uint64_t now);
/* When the timer must next call selftest_tick: the armed kfault-late time, or ~0 for never. */
uint64_t selftest_deadline(void);

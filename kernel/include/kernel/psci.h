/* PSCI (ARM DEN 0022) calls used by the kernel: warm system reset. */
#pragma once

/* Resets the whole machine, keeping RAM; does not return. */
void psci_system_reset(void) __attribute__((noreturn));

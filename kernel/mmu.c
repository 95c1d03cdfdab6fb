/* Kernel translation table (TTBR1 half): built by entry.S before the MMU is on. */
#include <stdint.h>

/* 4096 first-level entries, 16 KiB aligned (ARM ARM B3.5.4); filled by entry.S. Its own
   section, which the linker script puts first in .bss, where the alignment costs nothing. */
uint32_t kernel_l1[4096] __attribute__((aligned(16384), section(".bss.kernel_l1")));

/* The first MiB of RAM (the kernel image) in 4 KiB pages, 1 KiB aligned; filled by entry.S. */
uint32_t kernel_l2[256] __attribute__((aligned(1024), section(".bss.kernel_l2")));

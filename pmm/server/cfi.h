/* CFI flash driver of the PMM server (Intel/Sharp command set, QEMU's pflash_cfi01): program,
   erase by block, status polling. The flash is mapped into the server by SYS_DEVICE_MAP. */
#pragma once
#include <stdint.h>

/* One flash bank: 32-bit words made of two 16-bit devices side by side (board.h). */
struct cfi_flash {
    volatile uint32_t *base;       /* the mapping, device memory */
    uint32_t size;
    uint32_t block_size;           /* erase block */
};

/* Programs n words at byte offset off (nvram_program_fn; ctx: struct cfi_flash): K_OK,
   K_EIO (the status register reports an error, or a word reads back wrong), K_ETIMEOUT
   (the device never became ready), K_EINVAL (outside the flash). Leaves read-array mode. */
int cfi_program(void *ctx, uint32_t off, const uint32_t *words, uint32_t n);
/* Erases the block at byte offset off (nvram_erase_fn): K_OK, K_EIO, K_ETIMEOUT, K_EINVAL. */
int cfi_erase(void *ctx, uint32_t off);

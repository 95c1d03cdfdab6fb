/* The NVRAM medium in the PMM server: the hooks pmm.c calls (pmm_nvram.c). */
#pragma once
#include <pmm/bank.h>
#include <pmm/proto.h>
#include <stdint.h>

/* Maps and opens the flash after the bank is open; prints the pmm: nvram line. */
void pmm_nv_open(struct bank *bank);
/* Whether a bank entry is the working copy of an NVRAM block. */
int pmm_nv_is(const struct bank_entry *e);
/* K_OK when NVRAM blocks can be allocated, else K_EUNKNOWN (no usable flash). */
int pmm_nv_available(void);
/* A working copy was just allocated: commits the new block to flash (K_OK or an error). */
int pmm_nv_created(const struct bank_entry *e);
/* Blocks about to be freed: drops the NVRAM ones from flash first, in one commit. */
int pmm_nv_remove(const struct bank_entry *const *es, uint32_t n);
/* As pmm_nv_remove for the blocks of a key (group 0) or of a group (> 0). */
int pmm_nv_remove_matching(struct bank *bank, const void *key, uint32_t key_len, int32_t group);
/* pmmSync of an NVRAM block: commits copy (its working copy in the server's bank view). */
int pmm_nv_sync(const struct bank_entry *e, const void *copy);
/* PMM_OP_NV_STAT. */
int pmm_nv_stat(struct pmm_nv_stat *st);

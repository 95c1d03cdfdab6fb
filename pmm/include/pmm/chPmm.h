/* ChorusOS Persistent Memory Manager API: named memory blocks that survive actor restarts
   and site restarts (SPEC section 4). Calls reach the PMM server over IPC. */
#pragma once
#include <chorus.h>

typedef char PmmMedium[8];          /* "RAM": the persistent bank */
typedef char PmmMemName[32];        /* NUL-terminated, unique within the medium */
typedef struct {
    PmmMedium medium;
    PmmMemName name;
} PmmName;
typedef char PmmDelKey[32];         /* deletion key; a string literal decays to it */

/* The key is read for delKeySize bytes, not sizeof(PmmDelKey): a shorter literal is fine. */
#define PMM_KEY_ACCESS(key, size) __attribute__((access(read_only, key, size)))

/* Allocates the block blockName (memSize bytes, rounded up to pages, zero-filled) or, when
   it exists, maps the same pages again; *addr gets its address, the same in every run of
   the same image. K_OK, or K_EINVAL, K_EPRIV, K_ENOMEM (the bank is full, or the kernel has
   no page left for the caller's page table of the mapping), K_ETOOMUCH (the block directory
   is full), K_EFAULT. */
KnError pmmAllocate(VmAddr *addr, PmmName *blockName, size_t memSize, PmmDelKey delKey,
                    size_t delKeySize) PMM_KEY_ACCESS(4, 5);
/* Frees a block and unmaps it from every actor that mapped it. */
int pmmFree(PmmName *blockName);
/* Frees every block allocated with this deletion key (HR_GROUP_KEY: K_EPRIV). */
int pmmFreeAll(PmmDelKey delKey, size_t delKeySize) PMM_KEY_ACCESS(1, 2);

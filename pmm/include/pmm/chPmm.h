/* ChorusOS Persistent Memory Manager API: named memory blocks that survive actor restarts
   and site restarts (SPEC section 4). Calls reach the PMM server over IPC. */
#pragma once
#include <chorus.h>

typedef char PmmMedium[8];          /* "RAM": the persistent bank; "NVRAM": flash (Reprise) */
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
/* Reprise extension. A block of medium "NVRAM" is used through its RAM working copy, which
   survives actor restarts and site restarts like a "RAM" block; pmmSync commits the copy's
   current contents to flash atomically: after a power cut at any instant the block holds
   the last committed contents, whole (writes since the last pmmSync are lost). On a "RAM"
   block it cleans the block from the data cache to memory. K_OK, K_EINVAL (bad name),
   K_EUNKNOWN (no such block), K_EFAULT, or K_ENOMEM / K_EIO (the flash is full or failed:
   the previous contents stay committed). */
int pmmSync(PmmName *blockName);

/* ChorusOS memory calls for Reprise actors: region descriptors, K_* options, rgnAllocate. */
#pragma once
#include <reprise/errors.h>
#include <reprise/rgn.h>

typedef unsigned long VmAddr;     /* a virtual address in the actor */
typedef unsigned long VmSize;     /* a size in bytes */
typedef unsigned long VmFlags;    /* K_ANYWHERE | K_WRITABLE | ... (<reprise/rgn.h>) */

typedef struct KnCap KnCap;       /* an actor, defined in <chorus.h>; K_MYACTOR is the caller */

/* A region: the six words the kernel reads as struct rgn_desc. */
typedef struct {
    VmAddr startAddr;             /* in (fixed address, page-aligned) or out (K_ANYWHERE) */
    VmSize size;                  /* bytes, rounded up to pages */
    VmFlags options;              /* K_* options */
    VmAddr endAddr;               /* out: startAddr + size */
    void *opaque1;                /* unused, set to NULL */
    void *opaque2;                /* unused, set to NULL */
} KnRgnDesc;

_Static_assert(sizeof(KnRgnDesc) == sizeof(struct rgn_desc), "KnRgnDesc is struct rgn_desc");
_Static_assert(__builtin_offsetof(KnRgnDesc, options) == __builtin_offsetof(struct rgn_desc, options),
               "KnRgnDesc.options");
_Static_assert(__builtin_offsetof(KnRgnDesc, endAddr) == __builtin_offsetof(struct rgn_desc, end_addr),
               "KnRgnDesc.endAddr");
_Static_assert(__builtin_offsetof(KnRgnDesc, opaque2) == __builtin_offsetof(struct rgn_desc, opaque2),
               "KnRgnDesc.opaque2");

/* rgnAllocate: map a region into actorCap's space (K_MYACTOR: the caller); K_OK or K_E*. */
int rgnAllocate(KnCap *actorCap, KnRgnDesc *rgnDesc);
/* rgnFree: with options 0, unmap [startAddr, startAddr + size) of actorCap; with options
 * K_FREEALL (alone), every region it got from rgnAllocate. K_OK or K_E*. */
int rgnFree(KnCap *actorCap, KnRgnDesc *rgnDesc);
/* vmPageSize: the page size in bytes (4096). */
int vmPageSize(void);

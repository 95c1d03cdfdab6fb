/* Memory region descriptor and options of SYS_RGN_ALLOCATE / SYS_RGN_FREE (ChorusOS rgnAllocate).
 *
 * User code sees the same six words as KnRgnDesc (<mem/chMem.h>); the kernel reads them as
 * struct rgn_desc. Options are the ChorusOS K_* names, one bit each. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define K_ANYWHERE    0x01u  /* the kernel picks the address (ACTOR_RGN_VADDR..ACTOR_RGN_END_VADDR), returns it */
#define K_WRITABLE    0x02u  /* read-write; without it the region is read-only */
#define K_FILLZERO    0x04u  /* zero-filled (fresh pages are always zeroed here; accepted for ChorusOS code) */
#define K_EXECUTABLE  0x08u  /* executable; never together with K_WRITABLE (W^X) */
#define K_RESERVED    0x10u  /* address space only, no memory behind it: any access faults */
#define K_FREEALL     0x20u  /* rgnFree, alone: every region from rgnAllocate (else options must be 0) */

#define RGN_OPTIONS_MASK  (K_ANYWHERE | K_WRITABLE | K_FILLZERO | K_EXECUTABLE | K_RESERVED | K_FREEALL)

/* The kernel's view of KnRgnDesc: start_addr and size in bytes (page-aligned for a fixed
 * address; size is rounded up to pages); end_addr is set on return to start_addr + size;
 * opaque1/opaque2 are ignored. */
struct rgn_desc {
    uint32_t start_addr;
    uint32_t size;
    uint32_t options;
    uint32_t end_addr;
    uint32_t opaque1;
    uint32_t opaque2;
};

_Static_assert(sizeof(struct rgn_desc) == 24, "rgn_desc is six 32-bit words");
_Static_assert(offsetof(struct rgn_desc, start_addr) == 0, "rgn_desc.start_addr");
_Static_assert(offsetof(struct rgn_desc, size) == 4, "rgn_desc.size");
_Static_assert(offsetof(struct rgn_desc, options) == 8, "rgn_desc.options");
_Static_assert(offsetof(struct rgn_desc, end_addr) == 12, "rgn_desc.end_addr");
_Static_assert(offsetof(struct rgn_desc, opaque1) == 16, "rgn_desc.opaque1");
_Static_assert(offsetof(struct rgn_desc, opaque2) == 20, "rgn_desc.opaque2");

/* HR's post-mortem dumps: a ring of CRC-sealed dumps in a 32 KiB area of the persistent bank,
 * one per abnormal end of a restartable actor, kept across site restarts and shown by the
 * console's `hr dump`; scripts/mkcore.py turns one into an ELF core file for gdb.
 *
 *   area + 0          +-----------------------------+ slot 0
 *                     | header (256 B):             |
 *                     |   magic, seq, boot, kind,   |
 *                     |   time_ns, aid, group, pc,  |
 *                     |   addr, fsr, status,        |
 *                     |   r0-r15, cpsr,             |
 *                     |   stack_vaddr, stack_len,   |
 *                     |   build id, name, text, crc |
 *   area + 256        | stack bytes from sp up      |  stack_len of stack_cap bytes used
 *   area + slot_size  +-----------------------------+ slot 1 (slot_size = 256 + stack_cap)
 *                     | ...                         |
 *
 * The number of slots and stack_cap are the board's tunables (hr.dumps, hr.dumpStack), as
 * far as the area holds them. Dumps get sequence numbers 1, 2, ...; the ring's head is the
 * slot after the valid dump with the highest one, so the oldest dump is replaced first. A
 * slot whose magic word is 0 is free. A dump is written with its magic word zeroed first and
 * set last, after the CRC (which covers the header and the stack bytes kept): a reset in the
 * middle leaves a free slot. At open, a slot neither free nor valid is damaged: it is zeroed
 * (re-initialised) and counted, and HR says so on the console. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HRDUMP_AREA_SIZE      32768u
#define HRDUMP_HEADER_SIZE    256u
#define HRDUMP_NAME_SIZE      16
#define HRDUMP_TEXT_SIZE      88       /* the crash line's fault text, NUL included (cut) */
#define HRDUMP_BUILD_ID_MAX   20
#define HRDUMP_MAGIC          0x31504448u   /* "HDP1": also the layout version */

/* The header of a dump, as stored at the start of its slot. */
struct hrdump_header {
    uint32_t magic;                 /* HRDUMP_MAGIC; 0: free slot; set by hrdump_commit */
    uint32_t seq;                   /* 1, 2, ... in append order; set by hrdump_commit */
    uint32_t boot;                  /* the bank's boot counter */
    uint32_t kind;                  /* enum fault_kind of <reprise/abi.h> */
    uint64_t time_ns;               /* virtual time of the end */
    int32_t aid;
    int32_t group;
    uint32_t pc;                    /* the fault record's pc, addr, fsr, exit status */
    uint32_t addr;
    uint32_t fsr;
    int32_t status;
    uint32_t r[16];                 /* r0-r12, sp, lr, pc (the faulting instruction) */
    uint32_t cpsr;
    uint32_t stack_vaddr;           /* user address of the first stack byte kept (sp) */
    uint32_t stack_len;             /* stack bytes kept, after the header */
    uint32_t build_id_len;          /* 0: the image has none */
    uint8_t build_id[HRDUMP_BUILD_ID_MAX];
    char name[HRDUMP_NAME_SIZE];    /* image name, NUL-terminated */
    char text[HRDUMP_TEXT_SIZE];    /* e.g. "data abort pc=0x... addr=0x... write, ..." */
    uint32_t crc;                   /* CRC32 of the 252 bytes above, then of the stack bytes */
};

_Static_assert(sizeof(struct hrdump_header) == HRDUMP_HEADER_SIZE, "dump header layout");
_Static_assert(offsetof(struct hrdump_header, r) == 48, "dump registers offset");
_Static_assert(offsetof(struct hrdump_header, stack_vaddr) == 116, "dump stack offset");
_Static_assert(offsetof(struct hrdump_header, name) == 148, "dump name offset");
_Static_assert(offsetof(struct hrdump_header, crc) == HRDUMP_HEADER_SIZE - 4, "crc is last");

struct hrdump {
    uint8_t *base;
    uint32_t slots;                 /* dumps the ring holds */
    uint32_t stack_cap;             /* stack bytes a slot holds */
    uint32_t slot_size;             /* HRDUMP_HEADER_SIZE + stack_cap */
    uint32_t head;                  /* slot of the next dump */
    uint32_t next_seq;
    uint32_t count;                 /* valid dumps */
    uint32_t damaged;               /* slots hrdump_open found damaged and zeroed */
};

/* Scans the area at base (size bytes, 8-byte aligned) for a ring of at most slots dumps of
   stack_cap bytes (a multiple of 8) each, as many as fit; zeroes every damaged slot (counted
   in d->damaged) and finds the head. Writes a summary to why, e.g. "3 dumps, seq 4..6, 1
   damaged dump cleared". HR calls it once at start-up. Returns the number of valid dumps, or
   K_EINVAL when not even one dump fits. */
int hrdump_open(struct hrdump *d, void *base, uint32_t size, uint32_t slots, uint32_t stack_cap,
                char *why, size_t n);

/* Frees the head slot for a new dump (magic word zeroed; it held the oldest dump, if any) and
   returns where its stack bytes go (stack_cap bytes), for the kernel to copy them there.
   HR calls it, then SYS_ACTOR_DUMP, then hrdump_commit. */
uint8_t *hrdump_begin(struct hrdump *d);

/* Seals the dump begun in the head slot: writes hdr (magic, seq and crc are filled in; strings
   cut to fit), the CRC over it and stack_len stack bytes, then the magic word, and advances the
   head. Returns the dump's sequence number (> 0), or K_EINVAL when stack_len exceeds
   stack_cap or build_id_len HRDUMP_BUILD_ID_MAX. */
int hrdump_commit(struct hrdump *d, const struct hrdump_header *hdr);

/* Number of valid dumps. */
uint32_t hrdump_count(const struct hrdump *d);

/* The index-th valid dump, oldest first (index 0), checked again (CRC) as it is read: copies
   its header to out and points *stack at its stack bytes. Called by the console's `hr dump`.
   Returns false past the newest or for a dump damaged since the open. */
bool hrdump_at(const struct hrdump *d, uint32_t index, struct hrdump_header *out,
               const uint8_t **stack);

/* The valid dump with sequence number seq, as hrdump_at. */
bool hrdump_find(const struct hrdump *d, uint32_t seq, struct hrdump_header *out,
                 const uint8_t **stack);

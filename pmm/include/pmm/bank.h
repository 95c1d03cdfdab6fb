/* The persistent bank of the PMM server: on-bank layout, block directory, crash-safe updates. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/*
 * On-bank layout: offsets from the bank's base, M = max blocks (board default 256). The figures
 * on the right are those of the default board (4 MiB, M = 256).
 *
 *   0x00000  +--------------------------------+
 *            | kernel boot record (4 KiB)     |  the kernel's; never read or written here
 *   0x01000  +--------------------------------+ BANK_HEADER_OFF
 *            | header (64 B)                  |  geometry; written only by initialisation
 *   0x01100  | directory root, copy 0         |  BANK_ROOT0_OFF: 32 B + 4 B per 32 slots
 *   0x01140  | directory root, copy 1         |  copy 0 + root size rounded up to 64 B
 *   0x02000  +--------------------------------+ BANK_DIR_OFF
 *            | slot 0 entry, slot 1 entry ... |  128 B per slot, M slots
 *            |                                |  (32 KiB for 256 slots)
 *   0x0a000  +--------------------------------+ HR group registry (page aligned)
 *            | HR group registry (16 KiB)     |  reserved for HR, not interpreted here
 *   0x0e000  +--------------------------------+ HR crash log
 *            | HR crash log (16 KiB)          |  reserved for HR, not interpreted here
 *   0x12000  +--------------------------------+ HR post-mortem dumps
 *            | HR dump ring (32 KiB)          |  reserved for HR, not interpreted here
 *   0x1a000  +--------------------------------+ data area (998 pages on the default board)
 *            | blocks: whole pages            |  a block's offset never changes while it lives
 *   0x400000 +--------------------------------+ bank size
 *
 * A directory root says which slots are used. An update writes a new entry only into a slot the
 * current root marks free (live entries never change), then writes a new root (sequence + 1)
 * over the older of the two root copies; bank_open takes the valid root with the higher
 * sequence. See the comment at the top of bank.c.
 *
 * The user address of a block is ACTOR_PMM_VADDR + entry->offset (the server maps it there).
 */

#define BANK_PAGE_SIZE        4096u
#define BANK_BOOTREC_SIZE     4096u          /* the kernel's boot record, first in the bank */
#define BANK_HEADER_OFF       0x1000u
#define BANK_ROOT0_OFF        0x1100u
#define BANK_DIR_OFF          0x2000u
#define BANK_ENTRY_SIZE       128u
#define BANK_HR_REGISTRY_SIZE 0x4000u        /* 16 KiB */
#define BANK_HR_CRASHLOG_SIZE 0x4000u        /* 16 KiB */
#define BANK_HR_DUMPS_SIZE    0x8000u        /* 32 KiB */
#define BANK_MAX_BLOCKS       4096u          /* hard limit of the max_blocks parameter */
#define BANK_MAX_SIZE         0x0fe00000u    /* ACTOR_PMM_VADDR + offset stays below the stack */
#define BANK_MAGIC            0x4b4e4252u    /* "RBNK" */
#define BANK_ROOT_MAGIC       0x544f4f52u    /* "ROOT" */
#define BANK_LAYOUT_VERSION   2u             /* 2: the HR dump area */

#define BANK_MEDIUM_SIZE      8u             /* PmmMedium */
#define BANK_NAME_SIZE        32u            /* PmmMemName */
#define BANK_KEY_SIZE         32u            /* PmmDelKey */
#define BANK_MEDIUM_RAM       "RAM"
#define BANK_MEDIUM_NVRAM     "NVRAM"        /* working copies of NVRAM blocks (server: nvram.c) */
#define BANK_SYS_KEY_PREFIX   "__SYS"        /* keys reserved to privileged callers */
#define BANK_OWNER_SIZE       16u            /* an image name, NUL included (ACTOR_NAME_MAX) */

/* Request flags. */
#define BANK_PRIV             (1u << 0)      /* the caller may use __SYS keys (HR_GROUP_KEY) */

/* Entry flags. */
#define BANK_ENTRY_SYSKEY     (1u << 0)      /* the key begins with __SYS */

/* A block's name, laid out as PmmName (chPmm.h): NUL-terminated strings, padding ignored. */
struct bank_name {
    char medium[BANK_MEDIUM_SIZE];
    char name[BANK_NAME_SIZE];
};

/* On-bank header at BANK_HEADER_OFF: written once when the bank is initialised. */
struct bank_header {
    uint32_t magic;                /* BANK_MAGIC */
    uint32_t version;              /* BANK_LAYOUT_VERSION */
    uint32_t bank_size;            /* bytes, the board's tunable */
    uint32_t max_blocks;           /* directory slots, the board's tunable */
    uint32_t root_off[2];          /* the two directory root copies */
    uint32_t root_size;            /* bytes of one root, bitmaps included */
    uint32_t dir_off;              /* slot i at dir_off + i * entry_size */
    uint32_t entry_size;           /* BANK_ENTRY_SIZE */
    uint32_t hr_registry_off;
    uint32_t hr_registry_size;
    uint32_t hr_crashlog_off;
    uint32_t hr_crashlog_size;
    uint32_t data_off;             /* first data page */
    uint32_t data_pages;
    uint32_t crc;                  /* CRC-32 of the 60 bytes above */
};
_Static_assert(sizeof(struct bank_header) == 64, "bank header is 64 bytes on the bank");

/* On-bank directory root: one of two copies; the valid one with the higher seq is current. */
struct bank_root {
    uint32_t magic;                /* BANK_ROOT_MAGIC */
    uint32_t copy;                 /* where it lives: 0 or 1, always seq & 1 */
    uint64_t seq;                  /* update count; the new root gets seq + 1 */
    uint32_t blocks;               /* used slots */
    uint32_t pages_used;           /* data pages of all blocks */
    uint32_t words;                /* bitmap words: (max_blocks + 31) / 32 */
    uint32_t crc;                  /* CRC-32 of the 28 bytes above, then of bits[] */
    uint32_t bits[];               /* used[words]: bit i is slot i */
};
_Static_assert(sizeof(struct bank_root) == 32, "bank root is 32 bytes before its bitmaps");

/* On-bank directory entry (one slot): a named block; never changed while its slot is used. */
struct bank_entry {
    uint64_t seq;                  /* the update that wrote it, <= its root's seq */
    char medium[BANK_MEDIUM_SIZE]; /* "RAM" or "NVRAM", zero padded */
    char name[BANK_NAME_SIZE];     /* non-empty, NUL-terminated, zero padded */
    uint8_t key[BANK_KEY_SIZE];    /* deletion key, key_len bytes, zero padded */
    uint32_t key_len;              /* 0..BANK_KEY_SIZE */
    uint32_t size;                 /* bytes asked for at allocation */
    uint32_t pages;                /* size rounded up to pages */
    uint32_t offset;               /* bank offset of the first page, in the data area */
    int32_t group;                 /* restart group owning it (HR_GROUP_KEY), 0 = none */
    uint32_t flags;                /* BANK_ENTRY_* */
    uint32_t slot;                 /* its own slot index, against misplaced entries */
    char owner[BANK_OWNER_SIZE];   /* image of the actor that allocated it, zero padded ("" in
                                      banks from before owners were recorded: no owner) */
    uint32_t crc;                  /* CRC-32 of the 124 bytes above */
};
_Static_assert(sizeof(struct bank_entry) == BANK_ENTRY_SIZE, "bank entry is 128 bytes");
_Static_assert(offsetof(struct bank_entry, key_len) == 80, "bank entry layout");
_Static_assert(offsetof(struct bank_entry, crc) == 124, "bank entry layout");

/* Store hook: copies len bytes (src NULL: zeros) to dst inside the bank. Every bank write. */
typedef void (*bank_store_fn)(void *ctx, void *dst, const void *src, size_t len);
/* Order point: every store before it reaches the bank before any store after it. */
typedef void (*bank_sync_fn)(void *ctx);
/* Who allocates a block, and the quotas it is held to: the owner is an identity an actor
   cannot multiply (its image's name, which survives its restarts and site restarts), not a
   key; group blocks (group > 0) count against their restart group too. A limit of 0 is no
   limit. */
struct bank_owner {
    char image[BANK_OWNER_SIZE];   /* NUL-terminated; "" for none */
    uint32_t max_pages;            /* data pages all blocks of this owner may hold */
    uint32_t max_blocks;           /* blocks this owner may hold */
    uint32_t group_max_pages;      /* the same for the blocks of the request's group */
    uint32_t group_max_blocks;
};

/* What one owner (image) or one restart group holds in the bank. */
struct bank_tally {
    char image[BANK_OWNER_SIZE];   /* an owner's tally: its image, zero padded; a group's: "" */
    int32_t group;                 /* a group's tally: the group (> 0); an owner's: 0 */
    uint32_t pages;
    uint32_t blocks;               /* 0: it holds nothing now (kept for its next block) */
    uint32_t used;                 /* 0: a free tally */
};

/* The contents of page `page` of a block being restored (a page's bytes), or NULL for zeros. */
typedef const void *(*bank_page_fn)(void *ctx, uint32_t page);

/* Called once per block freed by bank_free_all and bank_free_group, after the commit. */
typedef void (*bank_each_fn)(void *ctx, const struct bank_entry *e);

/*
 * The bank as the PMM server sees it: a handle onto the mapped bank plus the volatile index
 * (name hash table, page bitmap, copy of the current root) kept in the caller's work area.
 * Zero it once (static storage is), optionally call bank_set_hooks, then bank_open. The fields
 * are private to bank.c.
 */
struct bank {
    bank_store_fn store;
    bank_sync_fn sync;
    void *hook_ctx;
    uint8_t *base;
    uint32_t size;
    uint32_t max_blocks;
    uint32_t words;
    uint32_t root_off[2];
    uint32_t root_size;
    uint32_t hr_registry_off;
    uint32_t hr_crashlog_off;
    uint32_t hr_dumps_off;
    uint32_t data_off;
    uint32_t data_pages;
    uint32_t hash_mask;
    uint32_t blocks;
    uint32_t pages_used;
    struct bank_root *root;        /* current root, in the work area */
    uint32_t *name_hash;           /* per slot */
    uint32_t *prev_used;           /* used bitmap before a batch free */
    uint32_t *pagemap;             /* per data page: 1 = used (tail bits set) */
    uint16_t *bucket;              /* hash buckets: slot + 1, 0 = empty */
    uint16_t *chain;               /* per slot: next slot + 1 in its bucket */
    struct bank_tally *tally;      /* 2 x max_blocks: what each owner and group holds */
    uint32_t ntally;               /* tallies used so far (high-water mark) */
};

enum bank_open_result {
    BANK_UNUSABLE = -1,            /* bad geometry or work area: bank untouched, why says */
    BANK_KEPT = 0,                 /* warm boot, valid bank kept (why may note a bad root copy) */
    BANK_INITIALISED = 1,          /* cold boot: initialised (why = "cold boot") */
    BANK_INVALID_REINITIALISED = 2 /* warm boot, validation failed (why says what), initialised */
};

/*
 * Upper bound of the work area bank_open needs, for static arrays (bytes; align it to 8): the
 * root copy and a spare used bitmap (8 B per 32 slots + 32), 4 B name hash + 2 B chain per slot,
 * at most 8 B of buckets per slot, a bit per page, and two 32-byte tallies per slot (an owner
 * and a group for each block at most). 4 MiB and 256 blocks: at most 19.8 KiB (bank_work_size
 * gives the exact figure, 18.7 KiB).
 */
#define BANK_WORK_SIZE(size, max_blocks)                                                     \
    (32u + 8u * (((max_blocks) + 31u) / 32u) + 14u * (max_blocks) +                          \
     4u * ((((size) / BANK_PAGE_SIZE) + 31u) / 32u) + 8u +                                   \
     2u * (uint32_t)sizeof(struct bank_tally) * (max_blocks) + 8u)

/* Exact work area size for a bank of size bytes and max_blocks slots, 0 if impossible. */
size_t bank_work_size(uint32_t size, uint32_t max_blocks);

/* Routes every bank store through store and every order point through sync (NULL: defaults,
 * memcpy/memset and a compiler barrier; the server passes a cache clean + DSB on hardware). */
void bank_set_hooks(struct bank *b, bank_store_fn store, bank_sync_fn sync, void *ctx);

/*
 * Opens the bank at base (size bytes, max_blocks slots) with work (work_size bytes, 8-aligned)
 * for the index. warm = 0 (cold boot): initialises. warm = 1: validates everything and keeps
 * the bank, or re-initialises it. why (whylen bytes, may be NULL) receives the reason, one of
 * "cold boot"; "header magic", "header crc", "header version", "header geometry",
 * "directory copies both bad", "directory root bitmap", "directory counts",
 * "entry N crc|slot|newer than directory|medium|name|key|flags|group|size|offset",
 * "entry N overlaps entry M", "entries N and M have the same name"; on a kept bank,
 * "directory copy C bad, copy D used" (a torn or damaged root copy; the other one, a whole
 * state, is used) or ""; on BANK_UNUSABLE "bank geometry", "work area too small" (too small or
 * not 8-aligned). Initialising on a cold boot zeroes the HR areas; re-initialising on a warm
 * boot leaves them (HR validates them itself); the data area is zeroed block by block, at
 * allocation.
 */
enum bank_open_result bank_open(struct bank *b, void *base, uint32_t size, uint32_t max_blocks,
                                void *work, size_t work_size, int warm, char *why,
                                size_t whylen);

/* Checks a pmmAllocate request (SPEC 4 bad input): K_OK, K_EINVAL or K_EPRIV. key is key_len
 * bytes (compared as bytes); group is the restart group that owns the block (the server passes
 * the caller's group with HR_GROUP_KEY, and BANK_PRIV), 0 = none: a retrieval must give the
 * same key and the same group. */
int bank_check_request(const struct bank *b, const struct bank_name *name, size_t size,
                       const void *key, size_t key_len, int32_t group, unsigned flags);

/* Finds a block by name in O(1) average: its entry in the bank, or NULL (also for bad names). */
const struct bank_entry *bank_lookup(const struct bank *b, const struct bank_name *name);

/* Retrieves an existing block under SPEC 4 rules: K_OK (*out set), bad input as
 * bank_check_request, K_EUNKNOWN (no such block), K_EPRIV (other key or group, checked first),
 * K_EINVAL (size larger than the block's). Stores nothing. */
int bank_retrieve(const struct bank *b, const struct bank_name *name, size_t size,
                  const void *key, size_t key_len, int32_t group, unsigned flags,
                  const struct bank_entry **out);

/* Allocates a new zero-filled block for owner (NULL: no owner, no quota): K_OK (*out set), bad
 * input as bank_check_request (and K_EINVAL for an owner name not terminated), K_EEXIST (name
 * taken), K_ETOOMUCH (directory full, or the owner or the group would hold more blocks than
 * its quota), K_ENOMEM (no run of free pages, or more pages than a quota). Stores: the block's
 * pages (zeros), one entry, one root; nothing on an error. */
int bank_alloc(struct bank *b, const struct bank_name *name, size_t size, const void *key,
               size_t key_len, int32_t group, unsigned flags, const struct bank_owner *owner,
               const struct bank_entry **out);

/* What an owner (image != NULL, "" included) or a group (image NULL, group > 0) holds now:
 * *pages and *blocks, 0 when nothing. */
void bank_usage(const struct bank *b, const char *image, int32_t group, uint32_t *pages,
                uint32_t *blocks);

/* Iterates the owners and groups that hold blocks: start with *cursor = 0; NULL at the end. */
const struct bank_tally *bank_next_tally(const struct bank *b, uint32_t *cursor);

/* As bank_alloc, for the working copy of an NVRAM block restored from flash: at bank offset
 * prefer when those pages are free (else first fit), its pages filled from page_src before
 * the entry is committed, so a reset never leaves a half-filled copy. */
int bank_alloc_restore(struct bank *b, const struct bank_name *name, size_t size,
                       const void *key, size_t key_len, int32_t group, unsigned flags,
                       const struct bank_owner *owner, uint32_t prefer, bank_page_fn page_src,
                       void *ctx, const struct bank_entry **out);

/* pmmFree: K_OK, K_EINVAL (bad name), K_EUNKNOWN. *freed (may be NULL) points at the old
 * entry, readable until the next allocation. Stores: one root. */
int bank_free(struct bank *b, const struct bank_name *name, const struct bank_entry **freed);

/* pmmFreeAll: frees every block of this key in one commit; returns how many (>= 0), K_EINVAL
 * (key_len > 32) or K_EPRIV (__SYS key without BANK_PRIV). each (may be NULL) sees every one. */
int bank_free_all(struct bank *b, const void *key, size_t key_len, unsigned flags,
                  bank_each_fn each, void *ctx);

/* Frees every block of restart group (> 0) in one commit, for HR: count, or K_EINVAL. */
int bank_free_group(struct bank *b, int32_t group, bank_each_fn each, void *ctx);

/* Iterates the blocks in slot order: start with *cursor = 0; NULL at the end. */
const struct bank_entry *bank_next(const struct bank *b, uint32_t *cursor);

uint32_t bank_block_count(const struct bank *b);
uint32_t bank_used_pages(const struct bank *b);
uint32_t bank_free_pages(const struct bank *b);
uint32_t bank_data_pages(const struct bank *b);

/* The areas reserved for HR (bank offsets and sizes); zeroed when the bank is initialised. */
void bank_hr_registry(const struct bank *b, uint32_t *off, uint32_t *size);
void bank_hr_crashlog(const struct bank *b, uint32_t *off, uint32_t *size);
void bank_hr_dumps(const struct bank *b, uint32_t *off, uint32_t *size);

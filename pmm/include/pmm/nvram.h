/* The NVRAM medium of the PMM server: a log of CRC-sealed records on NOR flash that keeps the
   committed contents of NVRAM blocks across power-off. Portable: flash access goes through
   hooks, so the host tests run it on a simulated flash that can stop after any step. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/*
 * Flash layout: the medium is cut into erase blocks ("segments", 256 KiB on virt). A segment
 * holds a header, then records appended one after the other:
 *
 *   segment +------------------------------------+
 *           | header (36 B, padded to 64 B)      |  seq (log order), erase count, the
 *           |                                    |  directory current when it was opened
 *      +64  | record | record | record | ...    |  each: 16 B header, payload, CRC, commit
 *           | erased (0xff) up to the end        |
 *           +------------------------------------+
 *
 * Two record types: a page record (block id, page index, 4 KiB of contents) and a directory
 * record (every block's name, key, group, size, and where each of its pages lies; a page of
 * zeros needs no record). The newest complete directory is the state. A commit appends the
 * page records that changed, then a directory record; its commit word, programmed last, is
 * the instant the new state exists. Nothing is ever programmed over a record that the
 * current directory uses, and a segment is erased only when it holds none of them, so a
 * power cut at any instant leaves the previous directory and its pages whole. The head (the
 * segment written to) moves round the flash in turn; a segment still holding pages in use
 * when the head comes near has them copied forward in a commit first, so every segment is
 * erased once a round (wear spread evenly, static data included).
 */

#define NVRAM_PAGE_SIZE      4096u
#define NVRAM_NAME_SIZE      32u
#define NVRAM_KEY_SIZE       32u
#define NVRAM_OWNER_SIZE     16u            /* an image name, NUL included */
#define NVRAM_MAX_BLOCKS     128u          /* blocks the directory can hold */
#define NVRAM_MAX_PAGES      1024u         /* pages of all blocks together (4 MiB) */
#define NVRAM_MAX_SEGS       1024u
#define NVRAM_SEG_HDR_SIZE   64u
#define NVRAM_REC_HDR_SIZE   16u
#define NVRAM_REC_TAIL_SIZE  8u
#define NVRAM_NONE           0xffffffffu   /* no location */
#define NVRAM_ZERO_PAGE      0u            /* location of a page of zeros: no record */

#define NVRAM_SEG_MAGIC      0x4753564eu   /* "NVSG" */
#define NVRAM_REC_MAGIC      0x4352564eu   /* "NVRC" */
#define NVRAM_COMMIT         0x54494d43u   /* "CMIT": programmed last in every structure */
#define NVRAM_VERSION        2u             /* 2: entries carry their owner image */
#define NVRAM_REC_PAGE       1u
#define NVRAM_REC_DIR        2u

#define NVRAM_ENTRY_SYSKEY   (1u << 0)     /* the key begins with __SYS */

/* On-flash segment header (the first 36 bytes of a segment). */
struct nvram_seg_header {
    uint32_t magic;                /* NVRAM_SEG_MAGIC */
    uint32_t version;              /* NVRAM_VERSION */
    uint32_t seq;                  /* order of the segments in the log: the head has the highest */
    uint32_t erase_count;          /* erasures of this segment, this one included */
    uint32_t dir_off;              /* the directory record current when it was opened */
    uint32_t seg_size;
    uint32_t nsegs;
    uint32_t crc;                  /* CRC-32 of the 28 bytes above */
    uint32_t commit;               /* NVRAM_COMMIT, programmed last */
};
_Static_assert(sizeof(struct nvram_seg_header) == 36, "segment header is 36 bytes");

/* On-flash record header; the payload follows, then the CRC-32 of header and payload, then
   the commit word. */
struct nvram_rec_header {
    uint32_t magic;                /* NVRAM_REC_MAGIC */
    uint32_t type;                 /* NVRAM_REC_* */
    uint32_t len;                  /* payload bytes, a multiple of 4 */
    uint32_t seq;                  /* the commit it belongs to */
};

/* A block as the directory records it (88 bytes on flash, then its page locations). */
struct nvram_entry {
    uint32_t id;                   /* never reused: page records name their block by it */
    uint32_t size;                 /* bytes asked for at allocation */
    uint32_t pages;                /* size rounded up to pages */
    int32_t group;                 /* restart group (HR_GROUP_KEY), 0 = none */
    uint32_t key_len;
    uint32_t flags;                /* NVRAM_ENTRY_* */
    uint32_t bank_off;             /* where its working copy lived: asked for again after a
                                      power-off, so the address stays when it can */
    uint32_t reserved;             /* zero */
    char name[NVRAM_NAME_SIZE];    /* non-empty, NUL-terminated, zero padded */
    uint8_t key[NVRAM_KEY_SIZE];   /* key_len bytes, zero padded */
    char owner[NVRAM_OWNER_SIZE];  /* image that allocated it (its quotas), NUL-terminated,
                                      zero padded; may be empty */
};
_Static_assert(sizeof(struct nvram_entry) == 112, "nvram entry is 112 bytes");

/* Programs n words at flash offset off (word aligned, erased before): K_OK or an error. */
typedef int (*nvram_program_fn)(void *ctx, uint32_t off, const uint32_t *words, uint32_t n);
/* Erases the segment at flash offset off: K_OK or an error. */
typedef int (*nvram_erase_fn)(void *ctx, uint32_t off);

/* A block in the server's memory: its entry and where its page locations start in locs. */
struct nvram_block {
    struct nvram_entry e;
    uint32_t loc0;
};

/* The medium as the server sees it; fields written only by nvram.c (the server and the tests
   read the figures: npages, size, nsegs, commits, seg_live, head, dir_off, locs). */
struct nvram {
    const uint8_t *base;           /* the flash, readable (read-array mode) */
    uint32_t size, seg_size, nsegs;
    nvram_program_fn program;
    nvram_erase_fn erase;
    void *ctx;
    uint32_t seq;                  /* commit number of the current directory */
    uint32_t dir_off;              /* the current directory record */
    uint32_t head;                 /* segment written to */
    uint32_t head_seq;
    uint32_t append;               /* flash offset of the next record, NVRAM_NONE: head closed */
    uint32_t next_id;
    uint32_t nblocks, npages;
    struct nvram_block blocks[NVRAM_MAX_BLOCKS];
    uint32_t locs[NVRAM_MAX_PAGES];
    uint32_t seg_live[NVRAM_MAX_SEGS];    /* pages in use per segment */
    uint32_t seg_erases[NVRAM_MAX_SEGS];
    uint8_t seg_pending[NVRAM_MAX_SEGS];  /* opened during the commit in progress */
    uint32_t commits, relocated, erases;  /* since open, for the figures */
};

enum nvram_open_result {
    NVRAM_UNUSABLE = -1,           /* bad geometry, or formatting failed: why says */
    NVRAM_KEPT = 0,                /* valid: the last committed state (why may note a torn tail) */
    NVRAM_BLANK = 1,               /* erased (or all-zero) medium: formatted */
    NVRAM_INVALID = 2              /* validation failed (why says what): formatted */
};

/*
 * Opens the medium at base (size bytes, erase blocks of seg_size; flash writes through
 * program and erase): validates it and loads the directory, or formats it. why (whylen bytes)
 * gets the reason: "segment N header", "segment N sequence", "no valid segment",
 * "segment N record at 0xOFF", "directory ...", "block N ...", "no directory"; on a kept
 * medium "" or "torn record in segment N" (a cut in the middle of a commit).
 */
enum nvram_open_result nvram_open(struct nvram *nv, const void *base, uint32_t size,
                                  uint32_t seg_size, nvram_program_fn program,
                                  nvram_erase_fn erase, void *ctx, char *why, size_t whylen);

/* The block named name, or NULL. */
const struct nvram_entry *nvram_lookup(const struct nvram *nv, const char *name);
/* Iterates the blocks: *cursor = 0 first; NULL at the end. */
const struct nvram_entry *nvram_next(const struct nvram *nv, uint32_t *cursor);
uint32_t nvram_block_count(const struct nvram *nv);

/* Adds a block of zeros with e's name, key, group, size, bank_off (id, pages set here) in one
   commit: K_OK, K_EEXIST, K_ETOOMUCH (directory full), K_ENOMEM (pages or flash full),
   K_EINVAL (bad entry), or the flash's error with the previous state kept. */
int nvram_create(struct nvram *nv, const struct nvram_entry *e);
/* Drops the n blocks named names[] in one commit: K_OK, K_EUNKNOWN (one is not there:
   nothing changes) or a flash error. */
int nvram_remove(struct nvram *nv, const char *const *names, uint32_t n);
/* Commits data (the block's size in bytes, rounded up to pages) as the block's contents:
   K_OK, K_EUNKNOWN, or a flash error with the previous contents kept. bank_off is recorded. */
int nvram_commit(struct nvram *nv, const char *name, const void *data, uint32_t bank_off);
/* Copies the committed contents of a block (pages * 4 KiB bytes) to out: K_OK, K_EUNKNOWN. */
int nvram_read(const struct nvram *nv, const char *name, void *out);

/* Where page `page` of a block's committed contents lies (4 KiB), NULL for zeros. */
const void *nvram_page(const struct nvram *nv, const char *name, uint32_t page);

/* Figures: lowest and highest erase count of the segments. */
void nvram_wear(const struct nvram *nv, uint32_t *min, uint32_t *max);

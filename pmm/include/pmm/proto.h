/* The PMM server's IPC protocol (well-known port PORT_WK_PMM), shared by the client library,
   the server, HR and the console. Word 0 of a request is the operation; the reply's word 0
   is the status (K_OK or K_E*), further words as each operation says. No reply ever holds a
   deletion key. "Privileged" below is PRIV_ACTORS (the console): it may list and free every
   block; others list only their own (docs/design.md, Protection). */
#pragma once
#include <pmm/chPmm.h>
#include <reprise/abi.h>
#include <stdint.h>

enum pmm_op {
    PMM_OP_ALLOCATE = 1,    /* buf: struct pmm_alloc_req -> w1: address */
    PMM_OP_FREE,            /* buf: PmmName; K_EPRIV unless the caller holds the block (it
                               retrieved it in this incarnation), is in its group (HR_GROUP_KEY
                               blocks) or is privileged */
    PMM_OP_FREE_ALL,        /* buf: the key; w1: key size */
    PMM_OP_FREE_GROUP,      /* w1: group id; frees its HR_GROUP_KEY blocks (HR only) */
    PMM_OP_BLOCK_INFO,      /* w1: index -> reply buf: struct pmm_block_info; K_EUNKNOWN past the
                               end. Privileged: every block; others: the blocks of their image,
                               of their group (HR_GROUP_KEY) and those they hold */
    PMM_OP_STAT,            /* -> reply buf: struct pmm_stat */
    PMM_OP_SYS_AREA,        /* w1: PMM_AREA_* -> maps it into the caller (HR only); w1: address, w2: size */
    PMM_OP_USAGE,           /* w1: index -> reply buf: struct pmm_usage, an owner or group that
                               holds blocks; K_EUNKNOWN past the end. Privileged: all; others:
                               their image's and their group's */
    PMM_OP_SYNC,            /* buf: PmmName; commits an NVRAM block, cleans a RAM block */
    PMM_OP_NV_STAT,         /* -> reply buf: struct pmm_nv_stat; K_EUNKNOWN without a flash */
};

enum pmm_area { PMM_AREA_HR_REGISTRY = 1, PMM_AREA_HR_CRASHLOG, PMM_AREA_HR_DUMPS };

#define PMM_KEY_SIZE 32
#define PMM_MAPPERS_MAX 8

struct pmm_alloc_req {
    PmmName name;
    char key[PMM_KEY_SIZE];
    uint32_t key_len;
    uint32_t size;
};

struct pmm_block_info {
    PmmName name;
    uint32_t size;
    uint32_t pages;
    uint32_t offset;                     /* in the bank */
    uint32_t vaddr;                      /* where every actor maps it */
    char owner[ACTOR_NAME_MAX];          /* image of the actor that allocated it, "" unknown */
    uint32_t flags;                      /* PMM_BLOCK_*; never the key itself */
    int32_t group;                       /* restart group (HR_GROUP_KEY blocks), 0 = none */
    uint32_t nmappers;
    int32_t mappers[PMM_MAPPERS_MAX];    /* actors that have it mapped now */
};

#define PMM_BLOCK_GROUP_KEY 1u     /* allocated with HR_GROUP_KEY */
#define PMM_BLOCK_SYS_KEY   2u     /* allocated with another __SYS key (HR's) */
#define PMM_BLOCK_HELD      4u     /* the caller has it mapped now */

/* What an owner (an image: group 0) or a restart group (image "") holds, against its quota. */
struct pmm_usage {
    char image[ACTOR_NAME_MAX];
    int32_t group;
    uint32_t pages;
    uint32_t blocks;
    uint32_t max_pages;                  /* 0: no limit */
    uint32_t max_blocks;
};

/* The NVRAM medium (PMM_OP_NV_STAT). */
struct pmm_nv_stat {
    uint32_t blocks;
    uint32_t max_blocks;
    uint32_t pages;                      /* committed pages of all blocks */
    uint32_t max_pages;
    uint32_t flash_size;
    uint32_t segments;                   /* erase blocks */
    uint32_t erases_min;                 /* erase counts of the erase blocks */
    uint32_t erases_max;
    uint32_t commits;                    /* since boot */
    uint32_t open_ns;                    /* how long the boot's validation took */
};

struct pmm_stat {
    uint32_t blocks;
    uint32_t max_blocks;
    uint32_t pages_used;
    uint32_t pages_total;
    uint32_t bank_size;
};

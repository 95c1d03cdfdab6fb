/* HR's persistent group registry: restart groups, their direct actors and arguments, and the
 * site restart history, kept crash-consistently in a 16 KiB area of the persistent bank.
 *
 * The area holds two copies of the whole registry, each with a sequence number; the valid copy
 * with the newer sequence number is the registry. An update writes the complete new state into
 * the other copy, sections first and the header (sequence number, section CRCs, header CRC)
 * last, then switches to it; words that already hold their new value are not stored again, so
 * an update costs tens of stores. A warm reset between any two 32-bit stores (each one
 * single-copy atomic) leaves the copy being written invalid, whatever the order of the stores:
 * the header's CRCs cover every section, so a copy is valid only when all of it is one state.
 * hrreg_open then finds the old state, or the new one once the last store is done. (On real
 * hardware with write-back caches the store function must also clean the cache line before
 * the header is written; QEMU does not model caches.)
 *
 *   area + 0x0000  +------------------------------------+  copy A (8 KiB)
 *                  | header   64 B  magic, version, seq,|
 *                  |                section CRCs, crc   |
 *          0x0040  | site    72 B  total, count,        |
 *                  |               times[8] oldest first|
 *          0x0088  | groups 3336 B ngroups, 16 x group: |
 *                  |   gid, state, restarts, nactors,   |
 *                  |   8 x actor: name[16], argc,       |
 *                  |   args_len, args_off               |
 *          0x0d90  | args pool 4720 B: argument strings |
 *                  |   (argc NUL-terminated strings     |
 *                  |   back to back per actor)          |
 *   area + 0x2000  +------------------------------------+  copy B (same layout)
 *   area + 0x4000  +------------------------------------+
 *
 * The aid of an actor's current incarnation is volatile and stays in HR's own memory. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HRREG_AREA_SIZE      16384u
#define HRREG_COPY_SIZE      (HRREG_AREA_SIZE / 2)
#define HRREG_MAX_GROUPS     16
#define HRREG_MAX_ACTORS     8        /* direct actors per group */
#define HRREG_NAME_SIZE      16       /* image name, NUL included: 15 characters */
#define HRREG_ARGS_MAX       256      /* argument strings of one actor, NULs included */
#define HRREG_ARGC_MAX       32
#define HRREG_SITE_HISTORY   8        /* site restart times kept */
#define HRREG_MAGIC          0x47525248u   /* "HRRG" */
#define HRREG_VERSION        1u

enum hrreg_open_status {
    HRREG_KEPT = 1,                 /* a valid registry was found */
    HRREG_INITIALISED,              /* no registry was there (blank area): an empty one made */
    HRREG_INVALID_REINITIALISED,    /* a damaged registry was replaced by an empty one */
};

enum hrreg_group_state {
    HRREG_GROUP_ACTIVE = 1,         /* restarted on faults and after a site restart */
    HRREG_GROUP_STOPPED,            /* stopped by the restart policy: not restarted */
};

/* ---- on-bank layout of one copy ---- */

struct hrreg_hdr {
    uint32_t magic;
    uint32_t version;
    uint32_t seq;                   /* newer copy wins (serial number comparison) */
    uint32_t copy_size;             /* HRREG_COPY_SIZE */
    uint32_t site_crc;              /* CRC32 of struct hrreg_site */
    uint32_t groups_crc;            /* CRC32 of struct hrreg_groups */
    uint32_t args_used;             /* bytes of the args pool in use */
    uint32_t args_crc;              /* CRC32 of args[0..args_used) */
    uint32_t reserved[7];
    uint32_t hdr_crc;               /* CRC32 of the words above; stored last */
};

struct hrreg_site {
    uint32_t total;                 /* site restarts recorded since the registry was made */
    uint32_t count;                 /* valid entries of times */
    uint64_t times[HRREG_SITE_HISTORY];   /* ns, oldest first */
};

struct hrreg_actor_ent {
    char name[HRREG_NAME_SIZE];     /* image name, NUL-terminated */
    uint16_t argc;
    uint16_t args_len;              /* bytes in the args pool, NULs included */
    uint16_t args_off;              /* offset in the args pool */
    uint16_t flags;                 /* HRREG_ACTOR_* */
};

#define HRREG_ACTOR_ENDED 1u        /* ended cleanly (HR_EXIT_HDL, exit): not started again */
#define HRREG_ACTOR_PRIVS_SHIFT 8   /* bits 8-15: the privileges it was started with (at most */
#define HRREG_ACTOR_PRIVS_MASK 0xff00u   /* those of whoever asked), the most a restart gives */

struct hrreg_group_ent {
    int32_t gid;                    /* > 0 */
    uint32_t state;                 /* enum hrreg_group_state */
    uint32_t restarts;              /* group restarts since registration */
    uint32_t nactors;
    struct hrreg_actor_ent actors[HRREG_MAX_ACTORS];
};

struct hrreg_groups {
    uint32_t ngroups;               /* groups[0..ngroups) in use, the rest zero */
    uint32_t reserved;
    struct hrreg_group_ent groups[HRREG_MAX_GROUPS];
};

#define HRREG_ARGS_POOL_SIZE (HRREG_COPY_SIZE - sizeof(struct hrreg_hdr) - \
                              sizeof(struct hrreg_site) - sizeof(struct hrreg_groups))

struct hrreg_copy {
    struct hrreg_hdr hdr;
    struct hrreg_site site;
    struct hrreg_groups groups;
    uint8_t args[HRREG_ARGS_POOL_SIZE];
};

_Static_assert(sizeof(struct hrreg_hdr) == 64, "hrreg header layout");
_Static_assert(sizeof(struct hrreg_site) == 72, "hrreg site layout");
_Static_assert(sizeof(struct hrreg_actor_ent) == 24, "hrreg actor layout");
_Static_assert(sizeof(struct hrreg_group_ent) == 208, "hrreg group layout");
_Static_assert(offsetof(struct hrreg_copy, site) == 0x40, "hrreg site offset");
_Static_assert(offsetof(struct hrreg_copy, groups) == 0x88, "hrreg groups offset");
_Static_assert(offsetof(struct hrreg_copy, args) == 0xd90, "hrreg args offset");
_Static_assert(sizeof(struct hrreg_copy) == HRREG_COPY_SIZE, "hrreg copy fills half the area");
_Static_assert(HRREG_ARGS_POOL_SIZE >= HRREG_ARGS_MAX && HRREG_ARGS_POOL_SIZE <= 0xffff,
               "args offsets fit 16 bits");

/* ---- in HR's memory ---- */

/* Writes one 32-bit word of the area. Every store to the area goes through this, so a test can
   stop an update after N stores; the default is a plain volatile store. */
typedef void (*hrreg_store_fn)(void *ctx, volatile uint32_t *dst, uint32_t value);

struct hrreg {
    uint8_t *base;                  /* the 16 KiB area */
    uint32_t active;                /* copy holding img: 0 = A, 1 = B */
    bool other_bad;                 /* hrreg_open kept one copy, the other was not valid */
    hrreg_store_fn store;
    void *store_ctx;
    struct hrreg_copy img;          /* the current registry, validated */
};

struct hrreg_group_info {
    int32_t gid;
    uint32_t state;                 /* enum hrreg_group_state */
    uint32_t restarts;
    uint32_t nactors;
};

struct hrreg_actor_info {
    char name[HRREG_NAME_SIZE];
    uint32_t argc;
    uint32_t args_len;
    uint32_t ended;                 /* HRREG_ACTOR_ENDED was set */
    uint32_t privs;                 /* PRIV_* it was started with (bits 0-7) */
    char args[HRREG_ARGS_MAX];      /* argc NUL-terminated strings back to back */
};

struct hrreg_site_history {
    uint32_t total;
    uint32_t count;
    uint64_t times[HRREG_SITE_HISTORY];   /* ns, oldest first */
};

/* Sets the store function (NULL: plain stores). Tests call it before an update to stop it
   after N stores; may be called before hrreg_open. */
void hrreg_set_store(struct hrreg *reg, hrreg_store_fn fn, void *ctx);

/* Validates the registry in the area at base (size >= HRREG_AREA_SIZE, 8-byte aligned) and
   loads it into reg; makes an empty one when none is valid. reg must be zeroed (static) or
   have had hrreg_set_store called. Sets reg->other_bad when it kept one copy and the other
   was damaged or torn (why then names it). Writes what it found to why
   (n bytes, NUL-terminated). HR calls it once at start-up. Returns an enum hrreg_open_status,
   or K_EINVAL for a bad area (nothing written). */
int hrreg_open(struct hrreg *reg, void *base, uint32_t size, char *why, size_t n);

/* Adds a direct actor (image name, argc strings packed in args[0..args_len), the privileges
   it was started with, bits 0-7) to group gid, creating the group (active, 0 restarts) if it
   is new. Called by HR for `arun -g`.
   Returns K_OK; K_EINVAL for a bad gid, name or args; K_ETOOMUCH when the group has
   HRREG_MAX_ACTORS actors or HRREG_MAX_GROUPS groups exist; K_ENOMEM when the args pool is
   full. On error nothing changes. */
int hrreg_add_actor(struct hrreg *reg, int32_t gid, const char *name, uint32_t argc,
                    const char *args, uint32_t args_len, uint32_t privs);

/* Removes group gid and its actors (hrKillGroup, clean termination). K_OK or K_EUNKNOWN. */
int hrreg_remove_group(struct hrreg *reg, int32_t gid);

/* Sets a group's state (enum hrreg_group_state). K_OK, K_EUNKNOWN, or K_EINVAL. */
int hrreg_set_group_state(struct hrreg *reg, int32_t gid, uint32_t state);

/* Counts one restart of group gid; HR calls it after the group is running again, off the
   restart's critical path. K_OK or K_EUNKNOWN. */
int hrreg_count_restart(struct hrreg *reg, int32_t gid);

/* Number of registered groups. */
uint32_t hrreg_group_count(const struct hrreg *reg);

/* The idx-th group (0 .. count-1, registration order). K_OK or K_EUNKNOWN past the end. */
int hrreg_group_at(const struct hrreg *reg, uint32_t idx, struct hrreg_group_info *out);

/* The group gid. K_OK or K_EUNKNOWN. */
int hrreg_group_find(const struct hrreg *reg, int32_t gid, struct hrreg_group_info *out);

/* The idx-th direct actor of group gid (registration order); out->args holds args_len bytes,
   the rest is not written. K_OK or K_EUNKNOWN. */
int hrreg_actor_at(const struct hrreg *reg, int32_t gid, uint32_t idx,
                   struct hrreg_actor_info *out);

/* Marks direct actor idx of group gid as ended cleanly, so that neither a group restart nor
   a site restart starts it again. K_OK, or K_EUNKNOWN (no such group or actor). */
int hrreg_actor_set_ended(struct hrreg *reg, int32_t gid, uint32_t idx);

/* Records a site restart at time now (ns), dropping the oldest time past HRREG_SITE_HISTORY.
   HR calls it once at boot on a warm boot, before hrpol_site_decide. K_OK. */
int hrreg_site_record(struct hrreg *reg, uint64_t now);

/* Forgets the site restart times (the total stays): the operator's way back to auto-start
   on a board whose counter resets. K_OK. */
int hrreg_site_clear(struct hrreg *reg);

/* Copies the site restart history out. */
void hrreg_site_get(const struct hrreg *reg, struct hrreg_site_history *out);

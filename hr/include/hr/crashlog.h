/* HR's crash log: a bounded ring of CRC-checked crash records in a 16 KiB area of the persistent
 * bank, kept across site restarts and shown by the console's `hr` command.
 *
 *   area + 0      +-----------------------------+ slot 0
 *                 | record (192 B):             |
 *                 |   magic, seq, boot, kind,   |
 *                 |   time_ns, aid, group, pc,  |
 *                 |   addr, fsr, status,        |
 *                 |   action, action_n/max,     |
 *                 |   name[16], text[112], crc  |
 *   area + 192    +-----------------------------+ slot 1
 *                 | ...                         |
 *   area + 84*192 +-----------------------------+ slot 84 (85 slots in 16 KiB)
 *
 * There is no header: records are appended to consecutive slots with sequence numbers 1, 2, ...
 * so the ring's head is the slot after the valid record with the highest sequence number, and
 * the oldest record is overwritten first. A record is written with its CRC word last; a warm
 * reset in the middle of an append leaves a record whose CRC does not match, which is skipped
 * (with the oldest record it was replacing), never shown. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HRLOG_AREA_SIZE      16384u
#define HRLOG_NAME_SIZE      16
#define HRLOG_TEXT_SIZE      112      /* decoded fault line, NUL included */
#define HRLOG_RECORD_SIZE    192
#define HRLOG_SLOTS_MAX      (HRLOG_AREA_SIZE / HRLOG_RECORD_SIZE)   /* 85 in the bank area */
#define HRLOG_MAGIC          0x31474c48u   /* "HLG1": also the record layout version */

/* How the actor ended: the values of enum fault_kind in <reprise/abi.h>. */
enum hrlog_kind {
    HRLOG_KIND_DATA_ABORT = 1,
    HRLOG_KIND_PREFETCH_ABORT,
    HRLOG_KIND_UNDEFINED,
    HRLOG_KIND_EXIT,                /* exit() without HR_EXIT_HDL() */
    HRLOG_KIND_KILLED,
    HRLOG_KIND_PANIC,               /* a kernel panic (logged at the next boot) */
    HRLOG_KIND_ABORT,               /* abort() */
    HRLOG_KIND_HANG,                /* its watchdog was not kicked in time */
};

/* What HR did about it. */
enum hrlog_action {
    HRLOG_ACTION_RESTART_GROUP = 1, /* "restarting group g (n/max)" */
    HRLOG_ACTION_SITE_RESTART,
    HRLOG_ACTION_STOPPED,           /* not restarted (policy, or no auto-start this boot) */
};

/* One record, as stored in a slot. */
struct hrlog_record {
    uint32_t magic;                 /* HRLOG_MAGIC; set by hrlog_append */
    uint32_t seq;                   /* 1, 2, ... in append order; set by hrlog_append */
    uint32_t boot;                  /* the bank's boot counter */
    uint32_t kind;                  /* enum hrlog_kind */
    uint64_t time_ns;               /* virtual time of the fault */
    int32_t aid;
    int32_t group;
    uint32_t pc;
    uint32_t addr;                  /* fault address; 0 when none */
    uint32_t fsr;                   /* DFSR/IFSR as read */
    int32_t status;                 /* exit status for HRLOG_KIND_EXIT */
    uint32_t action;                /* enum hrlog_action */
    uint16_t action_n;              /* restart number within the window ... */
    uint16_t action_max;            /* ... out of max_restarts */
    char name[HRLOG_NAME_SIZE];     /* actor (image) name, NUL-terminated */
    char text[HRLOG_TEXT_SIZE];     /* decoded line, e.g. "data abort pc=0x... write, ..." */
    uint32_t reserved;
    uint32_t crc;                   /* CRC32 of the bytes above; stored last */
};

_Static_assert(sizeof(struct hrlog_record) == HRLOG_RECORD_SIZE, "crash record layout");
_Static_assert(offsetof(struct hrlog_record, time_ns) == 16, "crash record time offset");
_Static_assert(offsetof(struct hrlog_record, name) == 56, "crash record name offset");
_Static_assert(offsetof(struct hrlog_record, crc) == HRLOG_RECORD_SIZE - 4, "crc is last");

/* Writes one 32-bit word of the area. Every store to the area goes through this, so a test can
   stop an append after N stores; the default is a plain volatile store. */
typedef void (*hrlog_store_fn)(void *ctx, volatile uint32_t *dst, uint32_t value);

struct hrlog {
    uint8_t *base;
    uint32_t slots;                 /* records that fit the area */
    uint32_t head;                  /* slot of the next append */
    uint32_t next_seq;
    uint32_t count;                 /* valid records */
    uint32_t damaged;               /* slots hrlog_open found neither valid nor blank */
    hrlog_store_fn store;
    void *store_ctx;
};

/* Position of an oldest-to-newest walk; start it with hrlog_iter_begin. */
struct hrlog_iter {
    uint32_t k;                     /* slots visited */
    uint32_t last_seq;              /* sequence number last returned */
};

/* Sets the store function (NULL: plain stores); tests call it to stop an append midway. */
void hrlog_set_store(struct hrlog *log, hrlog_store_fn fn, void *ctx);

/* Scans the area at base (size bytes, 8-byte aligned, room for 2 records at least) and finds
   the head; damaged slots are counted (log->damaged) and skipped, never rewritten here. Writes a summary to
   why, e.g. "12 records, seq 3..14, 1 damaged slot skipped". HR calls it once at start-up
   (log zeroed or hrlog_set_store called first). Returns the number of valid records, or
   K_EINVAL for a bad area. */
int hrlog_open(struct hrlog *log, void *base, uint32_t size, char *why, size_t n);

/* Appends rec (magic, seq and crc are filled in; name and text are cut to fit), dropping the
   oldest record when the ring is full. HR calls it for every abnormal end. Returns the new
   record's sequence number (> 0), or K_EINVAL for an unknown kind or action. */
int hrlog_append(struct hrlog *log, const struct hrlog_record *rec);

/* Number of valid records. */
uint32_t hrlog_count(const struct hrlog *log);

/* Starts a walk from the oldest record. */
void hrlog_iter_begin(const struct hrlog *log, struct hrlog_iter *it);

/* Copies the next valid record (oldest first) to out; damaged slots are skipped. Called by
   the `hr` console command. Returns false after the newest record. */
bool hrlog_iter_next(const struct hrlog *log, struct hrlog_iter *it, struct hrlog_record *out);

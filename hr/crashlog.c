/* HR's crash log: a ring of CRC-checked records in the bank, head found by sequence number. */
#include <hr/crashlog.h>
#include <lib/fmt.h>
#include <lib/crc32.h>
#include <reprise/abi.h>
#include <reprise/errors.h>
#include <string.h>

_Static_assert((int)HRLOG_KIND_DATA_ABORT == (int)FAULT_KIND_DATA_ABORT &&
               (int)HRLOG_KIND_PREFETCH_ABORT == (int)FAULT_KIND_PREFETCH_ABORT &&
               (int)HRLOG_KIND_UNDEFINED == (int)FAULT_KIND_UNDEFINED &&
               (int)HRLOG_KIND_EXIT == (int)FAULT_KIND_EXIT &&
               (int)HRLOG_KIND_KILLED == (int)FAULT_KIND_KILLED &&
               (int)HRLOG_KIND_PANIC == (int)FAULT_KIND_PANIC &&
               (int)HRLOG_KIND_ABORT == (int)FAULT_KIND_ABORT &&
               (int)HRLOG_KIND_HANG == (int)FAULT_KIND_HANG,
               "crash record kinds are the kernel's fault kinds");
_Static_assert(HRLOG_NAME_SIZE == ACTOR_NAME_MAX, "actor names fit a crash record");
_Static_assert(HRLOG_RECORD_SIZE % 8 == 0, "slots stay 8-byte aligned");

/* The plain store used outside tests. */
static void hrlog_store_plain(void *ctx, volatile uint32_t *dst, uint32_t value)
{
    (void)ctx;
    *dst = value;
}

/* Sets the store every append goes through (tests: a store that stops after N). */
void hrlog_set_store(struct hrlog *log, hrlog_store_fn fn, void *ctx)
{
    log->store = fn ? fn : hrlog_store_plain;
    log->store_ctx = ctx;
}

/* The record in slot i of the area. */
static const struct hrlog_record *hrlog_slot(const struct hrlog *log, uint32_t i)
{
    return (const struct hrlog_record *)(const void *)(log->base + i * HRLOG_RECORD_SIZE);
}

/* CRC of a record, all of it but the CRC word. */
static uint32_t hrlog_crc(const struct hrlog_record *r)
{
    return crc32_update(0, r, offsetof(struct hrlog_record, crc));
}

/* True when kind and action are known values; checked on append and on read. */
static bool hrlog_known(uint32_t kind, uint32_t action)
{
    return kind >= HRLOG_KIND_DATA_ABORT && kind <= HRLOG_KIND_HANG &&
           action >= HRLOG_ACTION_RESTART_GROUP && action <= HRLOG_ACTION_STOPPED;
}

/* True when a slot holds a whole, well-formed record: magic, CRC, sequence number, values and
   NUL-terminated strings. Called by open, append and the walk. */
static bool hrlog_valid(const struct hrlog_record *r)
{
    return r->magic == HRLOG_MAGIC && r->crc == hrlog_crc(r) && r->seq != 0 &&
           hrlog_known(r->kind, r->action) && r->name[HRLOG_NAME_SIZE - 1] == '\0' &&
           r->text[HRLOG_TEXT_SIZE - 1] == '\0';
}

/* True when a slot was never written (all zeros); a word at a time, eight words a step
   (slots are 8-byte aligned): every blank slot is read at each HR start. */
static bool hrlog_blank(const struct hrlog_record *r)
{
    const uint32_t *w = (const uint32_t *)(const void *)r;
    _Static_assert(HRLOG_RECORD_SIZE % 32 == 0, "slots are whole steps of eight words");
    for (uint32_t i = 0; i < HRLOG_RECORD_SIZE / 4; i += 8)
        if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7])
            return false;
    return true;
}

/* Scans every slot for valid records, finds the head after the highest sequence number and
   summarises what it found; HR calls it at start-up. Returns the valid record count or K_EINVAL. */
int hrlog_open(struct hrlog *log, void *base, uint32_t size, char *why, size_t n)
{
    uint32_t damaged = 0, min_seq = 0, max_seq = 0, max_slot = 0;

    if (why && n)
        why[0] = '\0';
    if (!log || !base || ((uintptr_t)base & 7u) || size / HRLOG_RECORD_SIZE < 2)
        return K_EINVAL;
    if (!log->store)
        hrlog_set_store(log, NULL, NULL);
    log->base = base;
    log->slots = size / HRLOG_RECORD_SIZE;
    log->count = 0;
    for (uint32_t i = 0; i < log->slots; i++) {
        const struct hrlog_record *r = hrlog_slot(log, i);
        if (!hrlog_valid(r)) {
            damaged += !hrlog_blank(r);
            continue;
        }
        if (log->count == 0 || r->seq < min_seq)
            min_seq = r->seq;
        if (log->count == 0 || r->seq > max_seq) {
            max_seq = r->seq;
            max_slot = i;
        }
        log->count++;
    }
    log->damaged = damaged;
    log->head = log->count ? (max_slot + 1) % log->slots : 0;
    log->next_seq = max_seq + 1;

    char found[48] = "empty";
    if (log->count)
        fmt_snprintf(found, sizeof(found), "%u record%s, seq %u..%u", (unsigned)log->count,
                     log->count == 1 ? "" : "s", (unsigned)min_seq, (unsigned)max_seq);
    if (why)
        fmt_snprintf(why, n, damaged ? "%s, %u damaged slot%s skipped" : "%s", found,
                     (unsigned)damaged, damaged == 1 ? "" : "s");
    return (int)log->count;
}

/* Writes rec into the head slot, CRC word last, and advances the head; HR calls it for each
   abnormal end. Returns the record's sequence number, or K_EINVAL. */
int hrlog_append(struct hrlog *log, const struct hrlog_record *rec)
{
    struct hrlog_record r;
    volatile uint32_t *dst = (volatile uint32_t *)(void *)(log->base +
                                                           log->head * HRLOG_RECORD_SIZE);
    const uint32_t *src = (const uint32_t *)(const void *)&r;

    if (!hrlog_known(rec->kind, rec->action))
        return K_EINVAL;
    r = *rec;
    r.magic = HRLOG_MAGIC;
    r.seq = log->next_seq ? log->next_seq : 1;
    r.name[HRLOG_NAME_SIZE - 1] = '\0';
    r.text[HRLOG_TEXT_SIZE - 1] = '\0';
    r.reserved = 0;
    r.crc = hrlog_crc(&r);

    if (!hrlog_valid(hrlog_slot(log, log->head)))
        log->count++;
    for (uint32_t i = 0; i < HRLOG_RECORD_SIZE / 4; i++)
        log->store(log->store_ctx, &dst[i], src[i]);
    log->head = (log->head + 1) % log->slots;
    log->next_seq = r.seq + 1;
    return (int)r.seq;
}

/* Returns the number of valid records (console `hr`). */
uint32_t hrlog_count(const struct hrlog *log)
{
    return log->count;
}

/* Starts an oldest-first walk at the head (the oldest slot once the ring has wrapped). */
void hrlog_iter_begin(const struct hrlog *log, struct hrlog_iter *it)
{
    (void)log;
    it->k = 0;
    it->last_seq = 0;
}

/* Returns the next valid record of the walk in out, skipping damaged slots and anything out of
   sequence order; false at the end. Called by the console's `hr` command. */
bool hrlog_iter_next(const struct hrlog *log, struct hrlog_iter *it, struct hrlog_record *out)
{
    while (it->k < log->slots) {
        *out = *hrlog_slot(log, (log->head + it->k) % log->slots);
        it->k++;
        if (!hrlog_valid(out) || out->seq <= it->last_seq)
            continue;
        it->last_seq = out->seq;
        return true;
    }
    return false;
}

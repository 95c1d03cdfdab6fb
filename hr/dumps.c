/* HR's post-mortem dump ring: CRC-sealed dumps in the bank, head found by sequence number,
   damaged slots zeroed at open. */
#include <hr/dumps.h>
#include <lib/crc32.h>
#include <lib/fmt.h>
#include <reprise/abi.h>
#include <reprise/errors.h>
#include <string.h>

_Static_assert(HRDUMP_NAME_SIZE == ACTOR_NAME_MAX, "actor names fit a dump");
_Static_assert(HRDUMP_BUILD_ID_MAX == ACTOR_BUILD_ID_MAX, "build ids fit a dump");

/* The header of slot i. */
static struct hrdump_header *hrdump_slot(const struct hrdump *d, uint32_t i)
{
    return (struct hrdump_header *)(void *)(d->base + i * d->slot_size);
}

/* CRC of a dump: its header but the CRC word, then its stack bytes. */
static uint32_t hrdump_crc(const struct hrdump_header *h, const uint8_t *stack)
{
    return crc32_update(crc32_update(0, h, offsetof(struct hrdump_header, crc)), stack,
                        h->stack_len);
}

/* True when slot h (of ring d) holds a whole, well-formed dump: magic, sequence number, sizes
   and NUL-terminated strings in range, and the CRC. Called by open and by every read. */
static bool hrdump_valid(const struct hrdump *d, const struct hrdump_header *h)
{
    return h->magic == HRDUMP_MAGIC && h->seq != 0 && h->stack_len <= d->stack_cap &&
           h->build_id_len <= HRDUMP_BUILD_ID_MAX && h->name[HRDUMP_NAME_SIZE - 1] == '\0' &&
           h->text[HRDUMP_TEXT_SIZE - 1] == '\0' &&
           h->crc == hrdump_crc(h, (const uint8_t *)h + HRDUMP_HEADER_SIZE);
}

/* Scans the slots, zeroes the damaged ones and finds the head; HR calls it at start-up.
   Returns the valid dump count or K_EINVAL. */
int hrdump_open(struct hrdump *d, void *base, uint32_t size, uint32_t slots, uint32_t stack_cap,
                char *why, size_t n)
{
    uint32_t min_seq = 0, max_seq = 0, max_slot = 0;

    if (why && n)
        why[0] = '\0';
    if (!d || !base || ((uintptr_t)base & 7u) || (stack_cap & 7u) || !slots ||
        size < HRDUMP_HEADER_SIZE + stack_cap || stack_cap > size)
        return K_EINVAL;
    d->base = base;
    d->stack_cap = stack_cap;
    d->slot_size = HRDUMP_HEADER_SIZE + stack_cap;
    d->slots = size / d->slot_size < slots ? size / d->slot_size : slots;
    d->count = 0;
    d->damaged = 0;
    for (uint32_t i = 0; i < d->slots; i++) {
        struct hrdump_header *h = hrdump_slot(d, i);
        if (h->magic == 0)
            continue;
        if (!hrdump_valid(d, h)) {
            memset(h, 0, d->slot_size);     /* re-initialised: a free slot */
            d->damaged++;
            continue;
        }
        if (d->count == 0 || h->seq < min_seq)
            min_seq = h->seq;
        if (d->count == 0 || h->seq > max_seq) {
            max_seq = h->seq;
            max_slot = i;
        }
        d->count++;
    }
    d->head = d->count ? (max_slot + 1) % d->slots : 0;
    d->next_seq = max_seq + 1;

    char found[48] = "no dumps";
    if (d->count)
        fmt_snprintf(found, sizeof(found), "%u dump%s, seq %u..%u", (unsigned)d->count,
                     d->count == 1 ? "" : "s", (unsigned)min_seq, (unsigned)max_seq);
    if (why)
        fmt_snprintf(why, n, d->damaged ? "%s, %u damaged dump%s cleared" : "%s", found,
                     (unsigned)d->damaged, d->damaged == 1 ? "" : "s");
    return (int)d->count;
}

/* Frees the head slot and returns its stack area; HR calls it before SYS_ACTOR_DUMP. */
uint8_t *hrdump_begin(struct hrdump *d)
{
    struct hrdump_header *h = hrdump_slot(d, d->head);
    if (h->magic == HRDUMP_MAGIC && d->count)
        d->count--;     /* the oldest dump goes */
    *(volatile uint32_t *)&h->magic = 0;
    return (uint8_t *)h + HRDUMP_HEADER_SIZE;
}

/* Writes the header of the dump begun in the head slot, CRC then magic last, and advances
   the head. Returns the sequence number or K_EINVAL. */
int hrdump_commit(struct hrdump *d, const struct hrdump_header *hdr)
{
    struct hrdump_header *h = hrdump_slot(d, d->head);
    if (hdr->stack_len > d->stack_cap || hdr->build_id_len > HRDUMP_BUILD_ID_MAX)
        return K_EINVAL;
    struct hrdump_header r = *hdr;
    r.magic = HRDUMP_MAGIC;         /* as the CRC will see it */
    r.seq = d->next_seq ? d->next_seq : 1;
    r.name[HRDUMP_NAME_SIZE - 1] = '\0';
    r.text[HRDUMP_TEXT_SIZE - 1] = '\0';
    r.crc = hrdump_crc(&r, (const uint8_t *)h + HRDUMP_HEADER_SIZE);
    r.magic = 0;                    /* the slot stays free until the last store */
    memcpy(h, &r, sizeof(r));
    *(volatile uint32_t *)&h->magic = HRDUMP_MAGIC;
    d->count++;
    d->head = (d->head + 1) % d->slots;
    d->next_seq = r.seq + 1;
    return (int)r.seq;
}

/* Returns the number of valid dumps. */
uint32_t hrdump_count(const struct hrdump *d)
{
    return d->count;
}

/* Copies the valid dump of slot i to out and its stack to *stack when it is valid. */
static bool hrdump_read(const struct hrdump *d, uint32_t i, struct hrdump_header *out,
                        const uint8_t **stack)
{
    const struct hrdump_header *h = hrdump_slot(d, i);
    if (!hrdump_valid(d, h))
        return false;
    *out = *h;
    if (stack)
        *stack = (const uint8_t *)h + HRDUMP_HEADER_SIZE;
    return true;
}

/* The index-th valid dump from the oldest (the slots from the head on are in sequence order,
   the ring having been filled in order). Called by HR for the console. */
bool hrdump_at(const struct hrdump *d, uint32_t index, struct hrdump_header *out,
               const uint8_t **stack)
{
    for (uint32_t k = 0; k < d->slots; k++) {
        uint32_t i = (d->head + k) % d->slots;
        if (hrdump_read(d, i, out, stack) && index-- == 0)
            return true;
    }
    return false;
}

/* The valid dump with sequence number seq. */
bool hrdump_find(const struct hrdump *d, uint32_t seq, struct hrdump_header *out,
                 const uint8_t **stack)
{
    for (uint32_t i = 0; seq && i < d->slots; i++)
        if (hrdump_slot(d, i)->seq == seq && hrdump_read(d, i, out, stack))
            return true;
    return false;
}

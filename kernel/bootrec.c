/* The kernel's boot record at the start of the persistent bank: boot kind and reset reason.
   A record with a good magic, size and CRC means RAM was kept: the boot is warm. */
#include <board.h>
#include <kernel/bootrec.h>
#include <kernel/memmap.h>
#include <lib/crc32.h>
#include <string.h>

#define BOOTREC_MAGIC   0x52505253u /* "RPRS" */
#define BOOTREC_VERSION 4u
#define BOOTREC_COPY_OFF 2048u      /* copy 1 of the record; copy 0 at the bank's start */

/*
 * Two copies of the record in the bank's first page, each with a sequence number: the valid
 * copy with the higher one is the record. A write fills the other copy (CRC last) and only
 * then makes it the current one, so a reset in the middle of any write (this boot's record,
 * the reason or fault before a site restart) leaves the previous record whole: the next boot
 * is still warm. With a single copy rewritten in place such a reset made the next boot cold,
 * and the PMM then initialised the whole bank.
 */
struct bootrec {
    uint32_t magic;
    uint32_t version;
    uint32_t bank_size;
    uint32_t seq;                 /* writes since the record was made: the newer copy wins */
    uint32_t boot_count;
    uint32_t reset_reason;
    uint32_t id_lease;            /* every actor and port generation of this boot is below it */
    struct fault_record last_end; /* kind 0 when the run did not end on a recorded fault */
    uint32_t crc;                 /* CRC-32 of the fields above */
};
_Static_assert(sizeof(struct bootrec) <= BOOTREC_COPY_OFF, "two copies fit the boot record page");

static struct bootrec_state bootrec_now;
static struct bootrec bootrec_cur;  /* the record as last written */
static uint32_t bootrec_copy;       /* the copy that holds it */

/* Copy c (0 or 1) of the record in the bank. */
static struct bootrec *bootrec_get(uint32_t c)
{
    return (struct bootrec *)((uint8_t *)phys_to_virt(BOARD_BANK_PADDR) + c * BOOTREC_COPY_OFF);
}

static uint32_t bootrec_crc(const struct bootrec *r)
{
    return crc32_update(0, r, __builtin_offsetof(struct bootrec, crc));
}

/* Whether a copy is a whole record of this layout and bank. */
static int bootrec_valid(const struct bootrec *r)
{
    return r->magic == BOOTREC_MAGIC && r->version == BOOTREC_VERSION &&
           r->bank_size == BOARD_BANK_SIZE && r->crc == bootrec_crc(r);
}

/* Writes bootrec_cur, with the next sequence number, over the other copy (its CRC last),
   then takes that copy as the current one. */
static void bootrec_write(void)
{
    uint32_t c = bootrec_copy ^ 1u;
    volatile struct bootrec *r = bootrec_get(c);
    bootrec_cur.seq++;
    bootrec_cur.crc = bootrec_crc(&bootrec_cur);
    memcpy((void *)r, &bootrec_cur, __builtin_offsetof(struct bootrec, crc));
    __asm__ volatile("" ::: "memory");
    r->crc = bootrec_cur.crc;
    bootrec_copy = c;
}

struct bootrec_state bootrec_boot(void)
{
    const struct bootrec *a = bootrec_get(0), *b = bootrec_get(1);
    int va = bootrec_valid(a), vb = bootrec_valid(b);
    if (va || vb) {
        bootrec_copy = va && vb ? (int32_t)(b->seq - a->seq) > 0 : (uint32_t)vb;
        bootrec_cur = *bootrec_get(bootrec_copy);
        bootrec_now.kind = BOOT_WARM;
        bootrec_now.boot_count = bootrec_cur.boot_count + 1;
        bootrec_now.last_reason = (enum reset_reason)bootrec_cur.reset_reason;
        bootrec_now.last_end = bootrec_cur.last_end;
        bootrec_now.id_base = bootrec_cur.id_lease;
    } else {
        memset(&bootrec_cur, 0, sizeof(bootrec_cur));
        bootrec_cur.magic = BOOTREC_MAGIC;
        bootrec_cur.version = BOOTREC_VERSION;
        bootrec_cur.bank_size = BOARD_BANK_SIZE;
        bootrec_copy = 1;
        bootrec_now.kind = BOOT_COLD;
        bootrec_now.boot_count = 1;
        bootrec_now.last_reason = RESET_NONE;
    }
    /* The id space starts over only when the generations ran out (see actor_next_gen). */
    if (bootrec_now.id_base > BOOTREC_GEN_MAX - BOOTREC_ID_LEASE)
        bootrec_now.id_base = 0;
    bootrec_cur.id_lease = bootrec_now.id_base + BOOTREC_ID_LEASE;
    bootrec_cur.boot_count = bootrec_now.boot_count;
    bootrec_cur.reset_reason = RESET_NONE;
    memset(&bootrec_cur.last_end, 0, sizeof(bootrec_cur.last_end));
    bootrec_write();
    return bootrec_now;
}

const struct bootrec_state *bootrec_state(void)
{
    return &bootrec_now;
}

void bootrec_id_reserve(uint32_t gen)
{
    if (gen < bootrec_cur.id_lease && gen >= bootrec_now.id_base)
        return;
    bootrec_cur.id_lease = gen + BOOTREC_ID_LEASE;
    bootrec_write();
}

void bootrec_set_end(const struct fault_record *rec)
{
    bootrec_cur.last_end = *rec;
    bootrec_write();
}

void bootrec_set_reason(enum reset_reason reason)
{
    bootrec_cur.reset_reason = reason;
    bootrec_write();
}

const char *bootrec_reason_name(enum reset_reason reason)
{
    switch (reason) {
    case RESET_REQUESTED: return "site restart requested";
    case RESET_PANIC: return "kernel panic";
    case RESET_CRITICAL: return "critical actor failed";
    default: return "external reset";
    }
}

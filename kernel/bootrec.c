/* The kernel's boot record at the start of the persistent bank: boot kind and reset reason.
   A record with a good magic, size and CRC means RAM was kept: the boot is warm. */
#include <board.h>
#include <kernel/bootrec.h>
#include <kernel/memmap.h>
#include <lib/crc32.h>
#include <string.h>

#define BOOTREC_MAGIC   0x52505253u /* "RPRS" */
#define BOOTREC_VERSION 2u

struct bootrec {
    uint32_t magic;
    uint32_t version;
    uint32_t bank_size;
    uint32_t boot_count;
    uint32_t reset_reason;
    struct fault_record last_end; /* kind 0 when the run did not end on a recorded fault */
    uint32_t crc; /* CRC-32 of the fields above */
};

static struct bootrec_state bootrec_now;

static struct bootrec *bootrec_get(void)
{
    return phys_to_virt(BOARD_BANK_PADDR);
}

static uint32_t bootrec_crc(const struct bootrec *r)
{
    return crc32_update(0, r, __builtin_offsetof(struct bootrec, crc));
}

static void bootrec_seal(struct bootrec *r)
{
    r->crc = bootrec_crc(r);
}

struct bootrec_state bootrec_boot(void)
{
    struct bootrec *r = bootrec_get();
    int valid = r->magic == BOOTREC_MAGIC && r->version == BOOTREC_VERSION &&
                r->bank_size == BOARD_BANK_SIZE && r->crc == bootrec_crc(r);
    if (valid) {
        bootrec_now.kind = BOOT_WARM;
        bootrec_now.boot_count = r->boot_count + 1;
        bootrec_now.last_reason = (enum reset_reason)r->reset_reason;
        bootrec_now.last_end = r->last_end;
    } else {
        bootrec_now.kind = BOOT_COLD;
        bootrec_now.boot_count = 1;
        bootrec_now.last_reason = RESET_NONE;
    }
    r->magic = BOOTREC_MAGIC;
    r->version = BOOTREC_VERSION;
    r->bank_size = BOARD_BANK_SIZE;
    r->boot_count = bootrec_now.boot_count;
    r->reset_reason = RESET_NONE;
    memset(&r->last_end, 0, sizeof(r->last_end));
    bootrec_seal(r);
    return bootrec_now;
}

const struct bootrec_state *bootrec_state(void)
{
    return &bootrec_now;
}

void bootrec_set_end(const struct fault_record *rec)
{
    struct bootrec *r = bootrec_get();
    r->last_end = *rec;
    bootrec_seal(r);
}

void bootrec_set_reason(enum reset_reason reason)
{
    struct bootrec *r = bootrec_get();
    r->reset_reason = reason;
    bootrec_seal(r);
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

/* The persistent bank's dirty pages: which to clean from the data cache before a warm reset (see kernel/bank.h). */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/bank.h>
#include <kernel/memmap.h>
#include <kernel/vm.h>

#define BANK_PAGES (BOARD_BANK_SIZE / VM_PAGE_SIZE)

/* Bit p: bank page p was written since boot (zero at boot: a reset leaves no dirty line). */
static uint32_t bank_dirty_bits[BANK_PAGES / 32];
static uint32_t bank_dirty_pages;

int bank_page_dirty(uint32_t off)
{
    uint32_t p = off / VM_PAGE_SIZE;
    return p < BANK_PAGES && (bank_dirty_bits[p / 32] >> (p % 32) & 1u);
}

void bank_mark_dirty(uint32_t off)
{
    uint32_t p = off / VM_PAGE_SIZE;
    if (p >= BANK_PAGES || (bank_dirty_bits[p / 32] >> (p % 32) & 1u))
        return;
    bank_dirty_bits[p / 32] |= 1u << (p % 32);
    bank_dirty_pages++;
}

uint32_t bank_dirty_run(uint32_t off, uint32_t size, int *dirty)
{
    uint32_t p = off / VM_PAGE_SIZE, end = p + size / VM_PAGE_SIZE, q = p + 1;
    *dirty = bank_page_dirty(off);
    uint32_t want = *dirty ? ~0u : 0u;
    if (end > BANK_PAGES)
        end = BANK_PAGES;
    while (q < end) {
        uint32_t diff = (bank_dirty_bits[q / 32] ^ want) >> (q % 32);   /* pages unlike p's */
        if (diff) {
            q += (uint32_t)__builtin_ctz(diff);
            break;
        }
        q = (q | 31u) + 1;
    }
    return ((q < end ? q : end) - p) * VM_PAGE_SIZE;
}

uint32_t bank_dirty_count(void)
{
    return bank_dirty_pages;
}

void bank_clean_dirty(void)
{
    cpu_dcache_clean_range(BOARD_BANK_PADDR, VM_PAGE_SIZE);     /* the boot record */
    for (uint32_t w = 0; w < BANK_PAGES / 32; w++)
        for (uint32_t bits = bank_dirty_bits[w]; bits; bits &= bits - 1) {
            uint32_t p = w * 32 + (uint32_t)__builtin_ctz(bits);
            cpu_dcache_clean_range(BOARD_BANK_PADDR + p * VM_PAGE_SIZE, VM_PAGE_SIZE);
        }
}

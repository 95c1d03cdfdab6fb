/* The persistent bank's dirty pages: those the data cache may hold newer bytes of than RAM.
 *
 * A site restart is a warm reset, and a reset drops the caches: what a write-back cache
 * holds of the bank is lost unless it was cleaned to RAM first. Cleaning the whole 4 MiB
 * bank line by line costs 65,536 cache operations on every site restart, so the kernel
 * cleans only the pages written since boot: a bank page is mapped read-only into an actor
 * until its first write there (its region still says writable); that write faults, and
 * vm_bank_write marks the page dirty and makes it writable for good. The kernel's own writes
 * to bank pages through an actor's addresses (vm_copyout) go the same way; its other writes
 * to the bank are to the boot record page, which is always cleaned. Under QEMU the caches
 * are not modelled (every store is in RAM at once), so only real hardware needs this; the
 * tests check the bookkeeping, not the cache.
 */
#pragma once
#include <stdint.h>

/* Whether bank page off (a byte offset in the bank) was written since boot. */
int bank_page_dirty(uint32_t off);
/* Notes that bank page off is being written (by an actor or the kernel). */
void bank_mark_dirty(uint32_t off);
/* Bytes from bank page off (of at most size) whose pages are all dirty, or all clean, as
   page off is (*dirty says which): a word of the page set at a time (vm_map_bank maps such
   runs). */
uint32_t bank_dirty_run(uint32_t off, uint32_t size, int *dirty);
/* The dirty page count (`aps`, tests). */
uint32_t bank_dirty_count(void);
/* Cleans the boot record page and every dirty page from the data cache to RAM; board_reset
   calls it last before the reset. */
void bank_clean_dirty(void);

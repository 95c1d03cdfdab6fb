/* The kernel's page pool: physical pages between the kernel image and the persistent bank. */
#pragma once
#include <stdint.h>

/* Owner tag of a page no address space owns. Address spaces use their ASID (1..255). */
#define PAGE_OWNER_NONE 0u

/* Sets up the pool over the RAM the kernel image and the bank leave free. */
void page_init(void);
/* One page (physical address, mapped at the same kernel address) tagged as owner's, or 0
   when no more than keep pages are free: keep is the part of the pool the caller may not
   touch (the reserves, see kernel/vm.h). */
uint32_t page_alloc(uint8_t owner, uint32_t keep);
/* Returns a page taken with page_alloc; panics on a page the pool never handed out. */
void page_free(uint32_t pa);
/* Whether pa is a pool page that page_alloc handed to owner and that is still allocated:
   what an address space may free. Image, bank, device and other spaces' pages are not. */
int page_owned_by(uint32_t pa, uint8_t owner);
uint32_t page_free_count(void);
uint32_t page_total_count(void);

/* Page-sized fill and copy with burst stores (kernel/arch/arm/page.S). */
void page_zero(void *page);
void page_copy(void *dst, const void *src);

/* The kernel's page pool: physical pages between the kernel image and the persistent bank. */
#pragma once
#include <stdint.h>

/* Sets up the pool over the RAM the kernel image and the bank leave free. */
void page_init(void);
/* One page (physical address, mapped at the same kernel address), or 0 when none is left. */
uint32_t page_alloc(void);
/* Returns a page taken with page_alloc; panics on a page the pool never handed out. */
void page_free(uint32_t pa);
/* Whether pa is a pool page (owned by whoever mapped it), as opposed to image or bank. */
int page_is_pool(uint32_t pa);
uint32_t page_free_count(void);
uint32_t page_total_count(void);

/* Page-sized fill and copy with burst stores (kernel/arch/arm/page.S). */
void page_zero(void *page);
void page_copy(void *dst, const void *src);

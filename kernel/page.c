/* The kernel's page pool: every RAM page outside the kernel image, the pool's own metadata
   and the persistent bank, handed out by the portable allocator in palloc.c. The stack pages
   kept for post-mortem dumps (kernel/dump.c) count as free: the pool takes them back when it
   runs out. */
#include <board.h>
#include <kernel/dump.h>
#include <kernel/memmap.h>
#include <kernel/page.h>
#include <kernel/palloc.h>
#include <kernel/panic.h>

#define PAGE_POOL_PAGES (BOARD_RAM_SIZE / PALLOC_PAGE_SIZE)

static struct palloc page_pool;

void page_init(void)
{
    /* The metadata array (one word a page) sits right after the kernel image. */
    uint32_t meta_paddr = virt_to_phys(__kernel_end);
    uint32_t meta_size = (PAGE_POOL_PAGES * 4 + PALLOC_PAGE_SIZE - 1) & ~(PALLOC_PAGE_SIZE - 1);
    const struct palloc_range usable[] = { { BOARD_RAM_PADDR, BOARD_RAM_SIZE } };
    const struct palloc_range reserved[] = {
        { BOARD_RAM_PADDR, meta_paddr + meta_size - BOARD_RAM_PADDR }, /* image, metadata */
        { BOARD_BANK_PADDR, BOARD_BANK_SIZE },                        /* persistent bank */
    };
    if (palloc_init(&page_pool, BOARD_RAM_PADDR, PAGE_POOL_PAGES, phys_to_virt(meta_paddr),
                    usable, 1, reserved, 2) != 0)
        panic("page_init: bad pool layout");
}

uint32_t page_alloc(void)
{
    uint32_t pa = palloc_alloc(&page_pool);
    while (!pa && dump_reclaim())
        pa = palloc_alloc(&page_pool);
    return pa;
}

void page_free(uint32_t pa)
{
    if (palloc_free(&page_pool, pa) != 0)
        panic("page_free: page 0x%08x is not an allocated pool page", pa);
}

int page_is_pool(uint32_t pa)
{
    return palloc_manages(&page_pool, pa);
}

uint32_t page_free_count(void)
{
    return palloc_free_count(&page_pool) + dump_pages_kept();
}

uint32_t page_total_count(void)
{
    return palloc_total_count(&page_pool);
}

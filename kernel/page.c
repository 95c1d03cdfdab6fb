/* The kernel's page pool: every RAM page outside the kernel image, the pool's own metadata
   and the persistent bank, handed out by the portable allocator in palloc.c, with the
   owner of each allocated page alongside (the inline calls are in kernel/page.h). The stack
   pages kept for post-mortem dumps (kernel/dump.c) count as free: the pool takes them back
   when it runs out. So do the pages zeroed ahead while the CPU is idle. */
#include <board.h>
#include <kernel/actor.h>
#include <kernel/dump.h>
#include <kernel/gic.h>
#include <kernel/memmap.h>
#include <kernel/page.h>
#include <kernel/palloc.h>
#include <kernel/panic.h>
#include <string.h>

struct palloc page_pool;
/* page_owner[i]: the owner tag of RAM page i while it is allocated, PAGE_OWNER_NONE
   otherwise, for every page below the pool's high-water mark (page.h reads no byte above
   it: those pages were never handed out). Kept beside the allocator's metadata, outside
   every page it hands out. */
uint8_t *page_owner;

/* Sets up the pool in time that does not grow with RAM: palloc_init writes no per-page word
   above the pool's first page, and only the owner bytes below that page (the kernel image
   and the metadata, a few hundred) are cleared; each page's byte is set as the pool hands
   the page out. */
void page_init(void)
{
    /* The metadata (one word a page, then one owner byte a page) sits right after the
       kernel image. */
    uint32_t meta_paddr = virt_to_phys(__kernel_end);
    uint32_t meta_size = (PAGE_RAM_PAGES * 5 + PALLOC_PAGE_SIZE - 1) & ~(PALLOC_PAGE_SIZE - 1);
    const struct palloc_range usable[] = { { BOARD_RAM_PADDR, BOARD_RAM_SIZE } };
    const struct palloc_range reserved[] = {
        { BOARD_RAM_PADDR, meta_paddr + meta_size - BOARD_RAM_PADDR }, /* image, metadata */
        { BOARD_BANK_PADDR, BOARD_BANK_SIZE },                        /* persistent bank */
    };
    if (palloc_init(&page_pool, BOARD_RAM_PADDR, PAGE_RAM_PAGES, phys_to_virt(meta_paddr),
                    usable, 1, reserved, 2) != 0)
        panic("page_init: bad pool layout");
    /* One extent, from the metadata to the bank: the high-water mark passes no gap, so the
       owner bytes below it are those of pages the pool handed out, and those cleared here. */
    if (page_pool.nextents != 1)
        panic("page_init: the pool is not one range");
    page_owner = (uint8_t *)phys_to_virt(meta_paddr) + PAGE_RAM_PAGES * 4;
    memset(page_owner, PAGE_OWNER_NONE, page_pool.hwm);
}

uint32_t page_zeroed[PAGE_ZEROED_MAX];
uint32_t page_zeroed_count;

void page_zero_idle(void)
{
    while (!gic_pending() && page_zeroed_count < PAGE_ZEROED_MAX && page_pool.free_count) {
        uint32_t pa = palloc_alloc(&page_pool);
        page_owner[(pa - BOARD_RAM_PADDR) >> PALLOC_PAGE_SHIFT] = PAGE_OWNER_NONE;
        page_zero(phys_to_virt(pa));
        page_zeroed[page_zeroed_count++] = pa;
    }
}

int page_reclaim(uint32_t keep)
{
    while (page_pool.free_count + page_zeroed_count <= keep)
        if (!dump_reclaim() && !actor_release_held())
            return 0;
    return 1;
}

void page_free(uint32_t pa)
{
    if (palloc_free(&page_pool, pa) != 0)
        page_free_bad(pa);
    page_owner[(pa - BOARD_RAM_PADDR) >> PALLOC_PAGE_SHIFT] = PAGE_OWNER_NONE;
}

void page_free_bad(uint32_t pa)
{
    panic("page_free: page 0x%08x is not an allocated pool page", pa);
}

uint32_t page_free_count(void)
{
    return palloc_free_count(&page_pool) + page_zeroed_count + dump_pages_kept();
}

uint32_t page_total_count(void)
{
    return palloc_total_count(&page_pool);
}

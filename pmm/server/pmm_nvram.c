/* The NVRAM medium in the PMM server: maps the flash (SYS_DEVICE_MAP), opens it with the
   portable layout (pmm/nvram.c) through the CFI driver, keeps the bank's working copies in
   step with it at boot, and the hooks pmm.c calls for NVRAM blocks. */
#include "pmm_nvram.h"

#include "cfi.h"

#include <board.h>
#include <pmm/nvram.h>
#include <reprise/counter.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

#define PMM_NV_VADDR 0x20000000u   /* where the flash is mapped in the server */
#define PMM_NV_NAMES_MAX 256u      /* BOARD_PMM_MAX_BLOCKS: blocks one free can drop */

static struct cfi_flash pmm_flash;
static struct nvram pmm_nv;
static int pmm_nv_ready;
static uint32_t pmm_nv_open_ns;
static const char *pmm_nv_names[PMM_NV_NAMES_MAX];

/* Whether a bank entry is the working copy of an NVRAM block. */
int pmm_nv_is(const struct bank_entry *e)
{
    return strcmp(e->medium, BANK_MEDIUM_NVRAM) == 0;
}

/* Whether the flash block and the bank's working copy describe the same block. */
static int pmm_nv_same(const struct nvram_entry *n, const struct bank_entry *e)
{
    return n->size == e->size && n->group == e->group && n->key_len == e->key_len &&
           memcmp(n->key, e->key, sizeof(n->key)) == 0;
}

/* The bank name of an NVRAM block's working copy. */
static struct bank_name pmm_nv_name(const char *name)
{
    struct bank_name n;
    memset(&n, 0, sizeof(n));
    memcpy(n.medium, BANK_MEDIUM_NVRAM, sizeof(BANK_MEDIUM_NVRAM));
    memcpy(n.name, name, strnlen(name, sizeof(n.name) - 1));
    return n;
}

/* Page contents of a block being restored (bank_page_fn; ctx: its name). */
static const void *pmm_nv_page(void *ctx, uint32_t page)
{
    return nvram_page(&pmm_nv, ctx, page);
}

/* Makes the bank's working copies match the flash: a copy whose block the flash does not
   hold (an allocation cut before its commit, a free cut after) is dropped; a block without
   a copy (after a power-off or a re-initialised bank) gets one with its committed contents,
   at its old bank offset when free. Copies that match are kept as they are: a site restart
   loses nothing. */
static void pmm_nv_reconcile(struct bank *bank)
{
    static struct bank_name drop[PMM_NV_NAMES_MAX];
    uint32_t cursor = 0, ndrop = 0, restored = 0, failed = 0;
    const struct bank_entry *e;
    while ((e = bank_next(bank, &cursor)) != NULL && ndrop < PMM_NV_NAMES_MAX) {
        const struct nvram_entry *n = pmm_nv_is(e) ? nvram_lookup(&pmm_nv, e->name) : NULL;
        if (pmm_nv_is(e) && (n == NULL || !pmm_nv_same(n, e)))
            drop[ndrop++] = pmm_nv_name(e->name);
    }
    for (uint32_t i = 0; i < ndrop; i++)
        bank_free(bank, &drop[i], NULL);
    cursor = 0;
    const struct nvram_entry *n;
    while ((n = nvram_next(&pmm_nv, &cursor)) != NULL) {
        struct bank_name name = pmm_nv_name(n->name);
        if (bank_lookup(bank, &name) != NULL)
            continue;
        unsigned flags = (n->flags & NVRAM_ENTRY_SYSKEY) ? BANK_PRIV : 0;
        /* Its owner as the flash recorded it, with no limits: a restore never fails on a
           quota (the block counts against its owner's all the same). */
        struct bank_owner owner;
        memset(&owner, 0, sizeof(owner));
        memcpy(owner.image, n->owner, sizeof(owner.image));
        int err = bank_alloc_restore(bank, &name, n->size, n->key, n->key_len, n->group, flags,
                                     &owner, n->bank_off, pmm_nv_page, (void *)n->name, NULL);
        if (err == K_OK) {
            restored++;
        } else {
            failed++;
            printf("pmm: nvram block %s: no working copy (%d)\n", n->name, err);
        }
    }
    if (ndrop || restored)
        printf("pmm: nvram working copies: %lu restored, %lu dropped\n",
               (unsigned long)restored, (unsigned long)ndrop);
}

/* Maps and opens the flash at boot, after the bank (pmm.c): prints what it found. */
void pmm_nv_open(struct bank *bank)
{
    char why[96];
    long size = sys_call2(SYS_DEVICE_MAP, DEVICE_NVRAM, PMM_NV_VADDR);
    if (size < 0) {
        printf("pmm: nvram unavailable (cannot map the flash: %ld)\n", size);
        return;
    }
    pmm_flash = (struct cfi_flash){ (volatile uint32_t *)PMM_NV_VADDR, (uint32_t)size,
                                    BOARD_NVRAM_BLOCK_SIZE };
    uint64_t t0 = counter_now();
    enum nvram_open_result r = nvram_open(&pmm_nv, (const void *)PMM_NV_VADDR, (uint32_t)size,
                                          BOARD_NVRAM_BLOCK_SIZE, cfi_program, cfi_erase,
                                          &pmm_flash, why, sizeof(why));
    pmm_nv_open_ns = (uint32_t)((counter_now() - t0) * 1000000000ull / counter_hz());
    switch (r) {
    case NVRAM_KEPT:
        printf("pmm: nvram kept, %lu block%s\n", (unsigned long)nvram_block_count(&pmm_nv),
               nvram_block_count(&pmm_nv) == 1 ? "" : "s");
        if (why[0])
            printf("pmm: note: nvram %s\n", why);
        break;
    case NVRAM_BLANK:
        printf("pmm: nvram blank, initialised\n");
        break;
    case NVRAM_INVALID:
        printf("pmm: nvram invalid (%s), initialised\n", why);
        break;
    default:
        printf("pmm: nvram unusable (%s)\n", why);
        return;
    }
    pmm_nv_ready = 1;
    pmm_nv_reconcile(bank);
}

/* Before an NVRAM block is allocated (pmm.c): K_OK, or K_EUNKNOWN without a usable flash. */
int pmm_nv_available(void)
{
    return pmm_nv_ready ? K_OK : K_EUNKNOWN;
}

/* Records a working copy just allocated in the bank as a new NVRAM block (zeros), in one
   commit: K_OK or the flash's error (the caller then frees the copy). */
int pmm_nv_created(const struct bank_entry *e)
{
    struct nvram_entry n;
    memset(&n, 0, sizeof(n));
    memcpy(n.name, e->name, sizeof(n.name));
    memcpy(n.key, e->key, sizeof(n.key));
    n.key_len = e->key_len;
    n.size = e->size;
    n.group = e->group;
    n.flags = (e->flags & BANK_ENTRY_SYSKEY) ? NVRAM_ENTRY_SYSKEY : 0;
    n.bank_off = e->offset;
    _Static_assert(sizeof(n.owner) == sizeof(e->owner), "owner names are alike");
    memcpy(n.owner, e->owner, sizeof(n.owner));
    return nvram_create(&pmm_nv, &n);
}

/* Drops NVRAM blocks from the flash before their working copies are freed (pmmFree): one
   commit; K_OK or the flash's error (nothing freed then). */
int pmm_nv_remove(const struct bank_entry *const *es, uint32_t n)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && k < PMM_NV_NAMES_MAX; i++)
        if (pmm_nv_is(es[i]) && nvram_lookup(&pmm_nv, es[i]->name) != NULL)
            pmm_nv_names[k++] = es[i]->name;
    return k ? nvram_remove(&pmm_nv, pmm_nv_names, k) : K_OK;
}

/* Drops from the flash the NVRAM blocks a batch free is about to free (pmmFreeAll: key;
   a group's end: group > 0), in one commit before the bank's; K_OK or the flash's error. */
int pmm_nv_remove_matching(struct bank *bank, const void *key, uint32_t key_len, int32_t group)
{
    static const struct bank_entry *es[PMM_NV_NAMES_MAX];
    uint32_t cursor = 0, n = 0;
    const struct bank_entry *e;
    while ((e = bank_next(bank, &cursor)) != NULL && n < PMM_NV_NAMES_MAX) {
        if (!pmm_nv_is(e))
            continue;
        if (group > 0 ? e->group == group
                      : e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            es[n++] = e;
    }
    return pmm_nv_remove(es, n);
}

/* pmmSync of a working copy (pmm.c): commits its current contents. */
int pmm_nv_sync(const struct bank_entry *e, const void *copy)
{
    if (!pmm_nv_ready)
        return K_EUNKNOWN;
    return nvram_commit(&pmm_nv, e->name, copy, e->offset);
}

/* The medium's figures (PMM_OP_NV_STAT): K_OK, or K_EUNKNOWN without a usable flash. */
int pmm_nv_stat(struct pmm_nv_stat *st)
{
    if (!pmm_nv_ready)
        return K_EUNKNOWN;
    memset(st, 0, sizeof(*st));
    st->blocks = nvram_block_count(&pmm_nv);
    st->max_blocks = NVRAM_MAX_BLOCKS;
    st->pages = pmm_nv.npages;
    st->max_pages = NVRAM_MAX_PAGES;
    st->flash_size = pmm_nv.size;
    st->segments = pmm_nv.nsegs;
    nvram_wear(&pmm_nv, &st->erases_min, &st->erases_max);
    st->commits = pmm_nv.commits;
    st->open_ns = pmm_nv_open_ns;
    return K_OK;
}

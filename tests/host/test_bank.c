/* Unit tests of pmm/bank.c: boot paths, SPEC 4 semantics and errors, corruption, crash sweeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lib/crc32.h>
#include <pmm/bank.h>
#include <reprise/errors.h>

/* The default board: 4 MiB, 256 blocks. */
#define SIZE  0x400000u
#define MAXB  256u
#define PAGE  BANK_PAGE_SIZE
#define DATA_OFF   0x1a000u      /* as laid out in bank.h for 256 blocks */
#define DATA_PAGES 998u
#define GARBAGE    0xee          /* what free pages hold before a block is allocated there */

static uint8_t *img;             /* the bank under test */
static uint8_t *s0;              /* a saved image */
static uint64_t work[BANK_WORK_SIZE(SIZE, 2 * MAXB) / 8 + 1];
static struct bank bk;
static char why[96];

/* ---- helpers ------------------------------------------------------------------------------ */

static struct bank_name nm(const char *name)
{
    struct bank_name n;
    memset(&n, 0, sizeof(n));
    memcpy(n.medium, "RAM", 4);
    memcpy(n.name, name, strlen(name) < BANK_NAME_SIZE ? strlen(name) : BANK_NAME_SIZE);
    return n;
}

/* pmmAllocate as the server does it: retrieves the block if the name exists, else allocates
   it (*created, may be NULL, says which). */
static int acquire(struct bank *b, const struct bank_name *name, size_t size, const void *key,
                   size_t key_len, int32_t group, unsigned flags, const struct bank_owner *owner,
                   const struct bank_entry **out, int *created)
{
    int rc = bank_retrieve(b, name, size, key, key_len, group, flags, out);
    if (created != NULL)
        *created = 0;
    if (rc != K_EUNKNOWN)
        return rc;
    rc = bank_alloc(b, name, size, key, key_len, group, flags, owner, out);
    if (created != NULL)
        *created = rc == K_OK;
    return rc;
}

static enum bank_open_result open_bank(int warm)
{
    return bank_open(&bk, img, SIZE, MAXB, work, sizeof(work), warm, why, sizeof(why));
}

/* Allocates name (size bytes, key string, group) and asserts success; returns the entry. */
static const struct bank_entry *alloc_ok(const char *name, size_t size, const char *key,
                                         int32_t group)
{
    struct bank_name n = nm(name);
    const struct bank_entry *e = NULL;
    unsigned flags = strncmp(key, "__SYS", 5) == 0 ? BANK_PRIV : 0;
    assert_int_equal(bank_alloc(&bk, &n, size, key, strlen(key), group, flags, NULL, &e), K_OK);
    assert_non_null(e);
    return e;
}

static const struct bank_entry *find(const char *name)
{
    struct bank_name n = nm(name);
    return bank_lookup(&bk, &n);
}

/* The pattern byte i of a block named name holds in the tests. */
static uint8_t pattern(const char *name, uint32_t i)
{
    return (uint8_t)(name[0] * 7 + name[strlen(name) - 1] * 13 + i * 31 + 1);
}

static void fill_pattern(const struct bank_entry *e)
{
    for (uint32_t i = 0; i < e->pages * PAGE; i++)
        img[e->offset + i] = pattern(e->name, i);
}

static int has_pattern(const struct bank_entry *e)
{
    for (uint32_t i = 0; i < e->pages * PAGE; i++)
        if (img[e->offset + i] != pattern(e->name, i))
            return 0;
    return 1;
}

static int is_zero(uint32_t off, uint32_t len)
{
    static const uint8_t zero_page[PAGE];
    for (uint32_t i = 0; i < len; i += PAGE)
        if (memcmp(img + off + i, zero_page, len - i < PAGE ? len - i : PAGE) != 0)
            return 0;
    return 1;
}

/* A listing of the directory, as the console would show it. */
struct item {
    char name[BANK_NAME_SIZE];
    uint8_t key[BANK_KEY_SIZE];
    uint32_t key_len, size, pages, offset;
    int32_t group;
};
struct listing {
    uint32_t n;
    struct item it[MAXB];
};

static void list_bank(struct listing *l)
{
    uint32_t cursor = 0;
    const struct bank_entry *e;
    memset(l, 0, sizeof(*l));
    while ((e = bank_next(&bk, &cursor)) != NULL) {
        assert_true(l->n < MAXB);
        struct item *it = &l->it[l->n++];
        memcpy(it->name, e->name, sizeof(it->name));
        memcpy(it->key, e->key, sizeof(it->key));
        it->key_len = e->key_len;
        it->size = e->size;
        it->pages = e->pages;
        it->offset = e->offset;
        it->group = e->group;
    }
    assert_int_equal(l->n, bank_block_count(&bk));
}

static int listing_equal(const struct listing *a, const struct listing *b)
{
    return a->n == b->n && memcmp(a->it, b->it, a->n * sizeof(a->it[0])) == 0;
}

static const struct item *listing_find(const struct listing *l, const char *name)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (strcmp(l->it[i].name, name) == 0)
            return &l->it[i];
    return NULL;
}

/* Saved state to prove that a failing call changed nothing. */
static struct listing before_list;
static uint32_t before_blocks, before_used;

static void snapshot(void)
{
    memcpy(s0, img, SIZE);
    list_bank(&before_list);
    before_blocks = bank_block_count(&bk);
    before_used = bank_used_pages(&bk);
}

static void assert_unchanged(const char *what)
{
    struct listing now;
    if (memcmp(s0, img, SIZE) != 0)
        fail_msg("%s: the bank changed", what);
    list_bank(&now);
    if (!listing_equal(&now, &before_list) || bank_block_count(&bk) != before_blocks ||
        bank_used_pages(&bk) != before_used)
        fail_msg("%s: the directory index changed", what);
}

static const struct bank_header *header(void)
{
    return (const struct bank_header *)(img + BANK_HEADER_OFF);
}

static struct bank_root *root_copy(uint32_t c)
{
    return (struct bank_root *)(img + header()->root_off[c]);
}

static void root_recrc(struct bank_root *r)
{
    uint32_t words = r->words;
    r->crc = crc32_update(crc32_update(0, r, offsetof(struct bank_root, crc)), r->bits, 4u * words);
}

/* The newer of two valid root copies. */
static uint32_t newest_root(void)
{
    return root_copy(1)->seq > root_copy(0)->seq ? 1u : 0u;
}

static struct bank_entry *live_entry(const char *name)
{
    return (struct bank_entry *)(uintptr_t)find(name);
}

static void entry_recrc(struct bank_entry *e)
{
    e->crc = crc32_update(0, e, offsetof(struct bank_entry, crc));
}

/* ---- fixtures ----------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    img = aligned_alloc(PAGE, SIZE);
    s0 = aligned_alloc(PAGE, SIZE);
    return img == NULL || s0 == NULL;
}

static int group_teardown(void **state)
{
    (void)state;
    free(img);
    free(s0);
    return 0;
}

/* Every test starts from RAM full of garbage and a cold boot. */
static int setup(void **state)
{
    (void)state;
    memset(img, GARBAGE, SIZE);
    memset(&bk, 0, sizeof(bk));
    assert_int_equal(open_bank(0), BANK_INITIALISED);
    return 0;
}

/* ---- boot paths --------------------------------------------------------------------------- */

/* A cold boot initialises: empty directory, HR areas zeroed, the boot record left alone. */
static void test_cold_boot_initialises(void **state)
{
    uint32_t off, size;
    (void)state;
    memset(img, GARBAGE, SIZE);
    memset(img, 0xb0, BANK_BOOTREC_SIZE);
    memset(&bk, 0, sizeof(bk));
    assert_int_equal(open_bank(0), BANK_INITIALISED);
    assert_string_equal(why, "cold boot");
    for (uint32_t i = 0; i < BANK_BOOTREC_SIZE; i++)
        assert_int_equal(img[i], 0xb0);
    assert_int_equal(bank_block_count(&bk), 0);
    assert_int_equal(bank_data_pages(&bk), DATA_PAGES);
    assert_int_equal(bank_free_pages(&bk), DATA_PAGES);
    assert_int_equal(bank_used_pages(&bk), 0);
    bank_hr_registry(&bk, &off, &size);
    assert_int_equal(off, 0xa000);
    assert_int_equal(size, 16384);
    assert_true(is_zero(off, size));
    bank_hr_crashlog(&bk, &off, &size);
    assert_int_equal(off, 0xe000);
    assert_int_equal(size, 16384);
    assert_true(is_zero(off, size));
    bank_hr_dumps(&bk, &off, &size);
    assert_int_equal(off, 0x12000);
    assert_int_equal(size, 32768);
    assert_true(is_zero(off, size));
    assert_int_equal(header()->data_off, DATA_OFF);
    assert_int_equal(header()->hr_registry_off, 0xa000);
    assert_int_equal(header()->root_off[0], 0x1100);
    assert_int_equal(header()->root_off[1], 0x1140);
    assert_int_equal(bank_work_size(SIZE, MAXB), 19168);
    assert_true(bank_work_size(SIZE, MAXB) <= BANK_WORK_SIZE(SIZE, MAXB));
    /* The data area is not touched by initialisation (blocks are zeroed when allocated). */
    assert_int_equal(img[DATA_OFF], GARBAGE);
    assert_int_equal(img[SIZE - 1], GARBAGE);
}

/* A warm boot keeps a valid bank: same blocks at the same offsets, data intact. */
static void test_warm_boot_keeps(void **state)
{
    struct listing a, b;
    (void)state;
    fill_pattern(alloc_ok("one", 100, "k", 0));
    fill_pattern(alloc_ok("two", 3 * PAGE, "k", 0));
    fill_pattern(alloc_ok("three", 2 * PAGE + 1, "other", 0));
    list_bank(&a);
    memset(&bk, 0, sizeof(bk));
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_string_equal(why, "");
    assert_int_equal(bank_block_count(&bk), 3);
    assert_int_equal(bank_used_pages(&bk), 1 + 3 + 3);
    list_bank(&b);
    assert_true(listing_equal(&a, &b));
    assert_true(has_pattern(find("one")));
    assert_true(has_pattern(find("two")));
    assert_true(has_pattern(find("three")));
    assert_int_equal(find("one")->offset, DATA_OFF);
}

/* A warm boot over garbage (no bank ever written) re-initialises it, then keeps it. */
static void test_warm_boot_garbage(void **state)
{
    (void)state;
    memset(img, GARBAGE, SIZE);
    assert_int_equal(open_bank(1), BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "header magic");
    assert_int_equal(bank_block_count(&bk), 0);
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_string_equal(why, "");
}

/* A warm re-initialisation (damaged directory or header) leaves HR's registry, crash log and
 * dump ring to HR: they have their own checks, and the PMM's damage is not theirs. */
static void test_warm_reinit_keeps_hr_areas(void **state)
{
    uint32_t reg, log, dumps, dumps_size, size;
    (void)state;
    alloc_ok("blk", 10, "", 0);
    bank_hr_registry(&bk, &reg, &size);
    bank_hr_dumps(&bk, &dumps, &dumps_size);
    bank_hr_crashlog(&bk, &log, &size);
    memset(img + reg, 0x5a, size);
    memset(img + log, 0xa5, size);
    memset(img + dumps, 0x3c, dumps_size);
    img[BANK_DIR_OFF + offsetof(struct bank_entry, size)] ^= 1;
    assert_int_equal(open_bank(1), BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "entry 0 crc");
    assert_int_equal(bank_block_count(&bk), 0);
    for (uint32_t i = 0; i < size; i++) {
        assert_int_equal(img[reg + i], 0x5a);
        assert_int_equal(img[log + i], 0xa5);
    }
    img[BANK_HEADER_OFF] ^= 1;
    assert_int_equal(open_bank(1), BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "header magic");
    assert_int_equal(img[reg], 0x5a);
    assert_int_equal(img[log + size - 1], 0xa5);
    for (uint32_t i = 0; i < dumps_size; i++)
        assert_int_equal(img[dumps + i], 0x3c);
}

/* Header damage: CRC, layout version, and a geometry the board no longer has. */
static void test_header_corruption(void **state)
{
    struct bank_header *h = (struct bank_header *)(img + BANK_HEADER_OFF);
    (void)state;
    alloc_ok("blk", 10, "", 0);
    memcpy(s0, img, SIZE);

    img[BANK_HEADER_OFF + offsetof(struct bank_header, data_off)] ^= 0x10;
    assert_int_equal(open_bank(1), BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "header crc");
    assert_int_equal(bank_block_count(&bk), 0);

    memcpy(img, s0, SIZE);
    h->crc ^= 1;
    assert_int_equal(open_bank(1), BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "header crc");

    memcpy(img, s0, SIZE);
    h->version = BANK_LAYOUT_VERSION - 1;     /* a bank of the layout before the dump ring */
    h->crc = crc32_update(0, h, offsetof(struct bank_header, crc));
    assert_int_equal(open_bank(1), BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "header version");

    memcpy(img, s0, SIZE);
    assert_int_equal(bank_open(&bk, img, SIZE, 2 * MAXB, work, sizeof(work), 1, why, sizeof(why)),
                     BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "header geometry");

    memcpy(img, s0, SIZE);
    assert_int_equal(bank_open(&bk, img, SIZE / 2, MAXB, work, sizeof(work), 1, why, sizeof(why)),
                     BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "header geometry");

    memcpy(img, s0, SIZE);
    img[BANK_HEADER_OFF] ^= 0x01;
    assert_int_equal(open_bank(1), BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "header magic");

    memcpy(img, s0, SIZE);
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(bank_block_count(&bk), 1);
}

/* Each directory root copy: a damaged newest one falls back to the previous state (exactly
 * one update older), a damaged older one changes nothing, both damaged re-initialise. */
static void test_root_corruption(void **state)
{
    uint32_t newest, older;
    (void)state;
    alloc_ok("a", 10, "", 0);
    alloc_ok("b", 10, "", 0);
    newest = newest_root();
    older = 1u - newest;
    assert_true(root_copy(newest)->seq == root_copy(older)->seq + 1);
    memcpy(s0, img, SIZE);

    root_copy(newest)->bits[0] ^= 0x4;
    assert_int_equal(open_bank(1), BANK_KEPT);
    char expect[64];
    snprintf(expect, sizeof(expect), "directory copy %u bad, copy %u used", newest, older);
    assert_string_equal(why, expect);
    assert_int_equal(bank_block_count(&bk), 1);
    assert_non_null(find("a"));
    assert_null(find("b"));
    alloc_ok("c", 10, "", 0);         /* the damaged copy is the next one written */
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_string_equal(why, "");
    assert_int_equal(bank_block_count(&bk), 2);

    memcpy(img, s0, SIZE);
    root_copy(older)->seq += 2;       /* CRC no longer matches */
    assert_int_equal(open_bank(1), BANK_KEPT);
    snprintf(expect, sizeof(expect), "directory copy %u bad, copy %u used", older, newest);
    assert_string_equal(why, expect);
    assert_int_equal(bank_block_count(&bk), 2);

    memcpy(img, s0, SIZE);
    root_copy(0)->magic = 0;
    root_copy(1)->crc ^= 0x80000000u;
    assert_int_equal(open_bank(1), BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "directory copies both bad");
    assert_int_equal(bank_block_count(&bk), 0);

    /* A root that names slots past max_blocks, or counts that do not add up. */
    memcpy(img, s0, SIZE);
    open_bank(1);
    memcpy(s0, img, SIZE);
    struct bank_root *r = root_copy(newest_root());
    r->blocks = 3;
    root_recrc(r);
    assert_int_equal(open_bank(1), BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "directory counts");
    assert_int_equal(bank_open(&bk, img, SIZE, 250, work, sizeof(work), 0, why, sizeof(why)),
                     BANK_INITIALISED);
    alloc_ok("x", 1, "", 0);
    r = root_copy(newest_root());
    r->bits[7] |= 1u << 30;           /* slot 254: there are 250 */
    root_recrc(r);
    assert_int_equal(bank_open(&bk, img, SIZE, 250, work, sizeof(work), 1, why, sizeof(why)),
                     BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "directory root bitmap");
}

/* A forged entry (valid CRC, bad content) and the message bank_open must give. */
struct forgery {
    const char *slot_name;       /* the live entry to change */
    void (*change)(struct bank_entry *e);
    const char *why;
};

static void forge_overlap(struct bank_entry *e)
{
    e->offset = find("b3")->offset;
}
static void forge_same_name(struct bank_entry *e)
{
    memcpy(e->name, "b3\0", 3);
}
static void forge_in_hr_area(struct bank_entry *e)
{
    e->offset = DATA_OFF - PAGE;
}
static void forge_past_end(struct bank_entry *e)
{
    e->offset = SIZE - PAGE;
    e->pages = 2;
    e->size = 2 * PAGE;
}
static void forge_unaligned(struct bank_entry *e)
{
    e->offset += 8;
}
static void forge_unterminated(struct bank_entry *e)
{
    memset(e->name, 'x', BANK_NAME_SIZE);
}
static void forge_empty_name(struct bank_entry *e)
{
    memset(e->name, 0, BANK_NAME_SIZE);
}
static void forge_name_padding(struct bank_entry *e)
{
    e->name[BANK_NAME_SIZE - 1] = 'z';
}
static void forge_medium(struct bank_entry *e)
{
    memcpy(e->medium, "ROM", 4);
}
static void forge_key_len(struct bank_entry *e)
{
    e->key_len = 33;
}
static void forge_seq(struct bank_entry *e)
{
    e->seq = 1000;
}
static void forge_slot(struct bank_entry *e)
{
    e->slot = 7;
}
static void forge_pages(struct bank_entry *e)
{
    e->pages = 0;
}
static void forge_size(struct bank_entry *e)
{
    e->size = 0;
}
static void forge_group(struct bank_entry *e)
{
    e->group = -3;
}
static void forge_flags(struct bank_entry *e)
{
    e->flags = 0x80;
}
static void forge_syskey_flag(struct bank_entry *e)
{
    e->flags = BANK_ENTRY_SYSKEY;
}
static void forge_owner_unterminated(struct bank_entry *e)
{
    memset(e->owner, 'o', sizeof(e->owner));
}
static void forge_owner_padding(struct bank_entry *e)
{
    e->owner[sizeof(e->owner) - 1] = 'x';
}

static const struct forgery forgeries[] = {
    {"b5", forge_overlap, "entry 3 overlaps entry 5"},
    {"b5", forge_same_name, "entries 3 and 5 have the same name"},
    {"b4", forge_in_hr_area, "entry 4 offset"},
    {"b4", forge_past_end, "entry 4 offset"},
    {"b4", forge_unaligned, "entry 4 offset"},
    {"b4", forge_unterminated, "entry 4 name"},
    {"b4", forge_empty_name, "entry 4 name"},
    {"b4", forge_name_padding, "entry 4 name"},
    {"b4", forge_medium, "entry 4 medium"},
    {"b4", forge_key_len, "entry 4 key"},
    {"b4", forge_seq, "entry 4 newer than directory"},
    {"b4", forge_slot, "entry 4 slot"},
    {"b4", forge_pages, "entry 4 size"},
    {"b4", forge_size, "entry 4 size"},
    {"b4", forge_group, "entry 4 group"},
    {"b4", forge_flags, "entry 4 flags"},
    {"b4", forge_syskey_flag, "entry 4 flags"},
    {"b4", forge_owner_unterminated, "entry 4 owner"},
    {"b4", forge_owner_padding, "entry 4 owner"},
};

/* Entry damage: a flipped bit in a live entry, forged entries; a free slot does not matter. */
static void test_entry_corruption(void **state)
{
    char name[16];
    (void)state;
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof(name), "b%d", i);
        alloc_ok(name, PAGE, "key", 0);
    }
    memcpy(s0, img, SIZE);

    live_entry("b3")->name[5] ^= 0x01;
    assert_int_equal(open_bank(1), BANK_INVALID_REINITIALISED);
    assert_string_equal(why, "entry 3 crc");
    assert_int_equal(bank_block_count(&bk), 0);

    memcpy(img, s0, SIZE);
    open_bank(1);
    memset(img + BANK_DIR_OFF + 6 * BANK_ENTRY_SIZE, 0x5a, BANK_ENTRY_SIZE);    /* slot 6 */
    memset(img + BANK_DIR_OFF + 255 * BANK_ENTRY_SIZE, 0x5a, BANK_ENTRY_SIZE);  /* slot 255 */
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(bank_block_count(&bk), 6);
    struct bank_name n2 = nm("b2");
    assert_int_equal(bank_free(&bk, &n2, NULL), K_OK);
    memset(img + BANK_DIR_OFF + 2 * BANK_ENTRY_SIZE, 0x5a, BANK_ENTRY_SIZE);    /* freed slot 2 */
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(bank_block_count(&bk), 5);

    for (size_t i = 0; i < sizeof(forgeries) / sizeof(forgeries[0]); i++) {
        memcpy(img, s0, SIZE);
        assert_int_equal(open_bank(1), BANK_KEPT);
        struct bank_entry *e = live_entry(forgeries[i].slot_name);
        forgeries[i].change(e);
        entry_recrc(e);
        if (open_bank(1) != BANK_INVALID_REINITIALISED || strcmp(why, forgeries[i].why) != 0)
            fail_msg("forgery %zu: got \"%s\", want \"%s\"", i, why, forgeries[i].why);
        assert_int_equal(bank_block_count(&bk), 0);
        alloc_ok("after", 1, "", 0);  /* the re-initialised bank works */
    }
}

/* Geometry or work area the bank cannot use: reported, the bank untouched. */
static void test_unusable(void **state)
{
    (void)state;
    memcpy(s0, img, SIZE);
    assert_int_equal(bank_open(&bk, img, SIZE + 100, MAXB, work, sizeof(work), 1, why, sizeof(why)),
                     BANK_UNUSABLE);
    assert_string_equal(why, "bank geometry");
    assert_int_equal(bank_open(&bk, img, SIZE, 0, work, sizeof(work), 1, why, sizeof(why)),
                     BANK_UNUSABLE);
    assert_int_equal(bank_open(&bk, img, SIZE, BANK_MAX_BLOCKS + 1, work, sizeof(work), 0, why,
                               sizeof(why)),
                     BANK_UNUSABLE);
    assert_int_equal(bank_open(&bk, img, DATA_OFF, MAXB, work, sizeof(work), 0, why, sizeof(why)),
                     BANK_UNUSABLE);
    assert_int_equal(bank_work_size(DATA_OFF, MAXB), 0);
    assert_int_equal(bank_open(&bk, img, SIZE, MAXB, work, 64, 0, why, sizeof(why)),
                     BANK_UNUSABLE);
    assert_string_equal(why, "work area too small");
    assert_int_equal(bank_open(&bk, img, SIZE, MAXB, (uint8_t *)work + 4, sizeof(work) - 8, 0,
                               why, sizeof(why)),
                     BANK_UNUSABLE);
    assert_true(memcmp(s0, img, SIZE) == 0);
    /* A short why buffer is truncated, never overrun. */
    char small[6];
    memset(small, 'x', sizeof(small));
    assert_int_equal(bank_open(&bk, img, SIZE, 0, work, sizeof(work), 0, small, 5),
                     BANK_UNUSABLE);
    assert_string_equal(small, "bank");
    assert_int_equal(small[5], 'x');
}

/* ---- allocate, retrieve, free ------------------------------------------------------------- */

/* pmmAllocate: a new block is zero-filled; the same name retrieves the same pages. */
static void test_alloc_and_retrieve(void **state)
{
    struct bank_name n = nm("PM1");
    const struct bank_entry *e = NULL, *r = NULL;
    int created = -1;
    (void)state;

    assert_int_equal(acquire(&bk, &n, 10000, "k1", 2, 0, 0, NULL, &e, &created), K_OK);
    assert_int_equal(created, 1);
    assert_string_equal(e->name, "PM1");
    assert_string_equal(e->medium, "RAM");
    assert_int_equal(e->size, 10000);
    assert_int_equal(e->pages, 3);
    assert_int_equal(e->offset % PAGE, 0);
    assert_true(e->offset >= DATA_OFF && e->offset + 3 * PAGE <= SIZE);
    assert_int_equal(e->key_len, 2);
    assert_memory_equal(e->key, "k1", 2);
    assert_int_equal(e->group, 0);
    assert_true(is_zero(e->offset, 3 * PAGE));
    assert_int_equal(bank_used_pages(&bk), 3);
    assert_int_equal(bank_free_pages(&bk), DATA_PAGES - 3);
    fill_pattern(e);

    assert_int_equal(acquire(&bk, &n, 10000, "k1", 2, 0, 0, NULL, &r, &created), K_OK);
    assert_int_equal(created, 0);
    assert_ptr_equal(r, e);
    assert_true(has_pattern(r));
    assert_int_equal(acquire(&bk, &n, 1, "k1", 2, 0, 0, NULL, &r, &created), K_OK);
    assert_int_equal(bank_retrieve(&bk, &n, 10000, "k1", 2, 0, 0, &r), K_OK);
    assert_ptr_equal(r, e);
    assert_ptr_equal(find("PM1"), e);
    assert_int_equal(bank_block_count(&bk), 1);

    /* Retrieval errors: larger size, other key (bytes or length), other group, no block. */
    assert_int_equal(bank_retrieve(&bk, &n, 10001, "k1", 2, 0, 0, &r), K_EINVAL);
    assert_int_equal(bank_retrieve(&bk, &n, 10000, "k2", 2, 0, 0, &r), K_EPRIV);
    assert_int_equal(bank_retrieve(&bk, &n, 10000, "k1", 3, 0, 0, &r), K_EPRIV);
    assert_int_equal(bank_retrieve(&bk, &n, 10000, "", 0, 0, 0, &r), K_EPRIV);
    assert_int_equal(bank_retrieve(&bk, &n, 10000, "k1", 2, 4, 0, &r), K_EPRIV);
    assert_int_equal(bank_retrieve(&bk, &n, 10001, "k2", 2, 0, 0, &r), K_EPRIV);
    struct bank_name other = nm("PM2");
    assert_int_equal(bank_retrieve(&bk, &other, 1, "k1", 2, 0, 0, &r), K_EUNKNOWN);
    assert_null(bank_lookup(&bk, &other));

    /* An empty key and a __SYS key with the privilege flag (HR_GROUP_KEY) are fine. */
    e = alloc_ok("nokey", 1, "", 0);
    assert_int_equal(e->key_len, 0);
    assert_int_equal(e->flags, 0);
    e = alloc_ok("grp", 1, "__SYS_HRGROUP", 3);
    assert_int_equal(e->group, 3);
    assert_int_equal(e->flags, BANK_ENTRY_SYSKEY);
    struct bank_name g = nm("grp");
    assert_int_equal(bank_retrieve(&bk, &g, 1, "__SYS_HRGROUP", 13, 3, BANK_PRIV, &r), K_OK);
    assert_int_equal(bank_retrieve(&bk, &g, 1, "__SYS_HRGROUP", 13, 2, BANK_PRIV, &r), K_EPRIV);
    assert_int_equal(bank_retrieve(&bk, &g, 1, "__SYS_HRGROUP", 13, 3, 0, &r), K_EPRIV);

    /* Free: the name is gone, a new block of that name is zero-filled again. */
    const struct bank_entry *freed = NULL;
    assert_int_equal(bank_free(&bk, &n, &freed), K_OK);
    assert_non_null(freed);
    assert_string_equal(freed->name, "PM1");
    assert_null(find("PM1"));
    assert_int_equal(bank_free(&bk, &n, NULL), K_EUNKNOWN);
    assert_int_equal(acquire(&bk, &n, 10000, "k1", 2, 0, 0, NULL, &e, &created), K_OK);
    assert_int_equal(created, 1);
    assert_true(is_zero(e->offset, 3 * PAGE));
}

/* Names: the medium and name compare as strings (padding ignored), names are per medium. */
static void test_names(void **state)
{
    struct bank_name n = nm("pad");
    (void)state;
    alloc_ok("pad", 1, "", 0);
    n.name[10] = 'q';                 /* bytes after the NUL do not matter */
    n.medium[6] = 'q';
    assert_non_null(bank_lookup(&bk, &n));
    assert_int_equal(bank_alloc(&bk, &n, 1, "", 0, 0, 0, NULL, NULL), K_EEXIST);
    assert_string_equal(find("pad")->name, "pad");
    assert_int_equal(find("pad")->name[10], 0);

    char longest[BANK_NAME_SIZE];
    memset(longest, 'L', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    alloc_ok(longest, 1, "0123456789abcdef0123456789abcdef", 0);
    assert_non_null(find(longest));
    assert_int_equal(find(longest)->key_len, 32);
    assert_null(find("pa"));
    assert_null(find("padd"));
}

/* The page contents of a restored block in test_nvram_working_copies: page i all i + 1. */
static const void *restore_page(void *ctx, uint32_t page)
{
    static uint8_t buf[4][PAGE];
    (void)ctx;
    memset(buf[page], (int)page + 1, PAGE);
    return page == 2 ? NULL : buf[page];
}

/* Medium "NVRAM" (the working copies of NVRAM blocks): a name space of its own, kept by a
   warm boot; a restored copy lands at the offset asked for when free, filled before its
   entry is committed, and elsewhere (first fit) when not. */
static void test_nvram_working_copies(void **state)
{
    (void)state;
    struct bank_name r = nm("same"), v = nm("same");
    const struct bank_entry *e;
    memcpy(v.medium, "NVRAM", 6);
    assert_int_equal(bank_alloc(&bk, &r, 1, "k", 1, 0, 0, NULL, &e), K_OK);
    assert_int_equal(bank_alloc(&bk, &v, 1, "k", 1, 0, 0, NULL, &e), K_OK);
    assert_string_equal(e->medium, "NVRAM");
    assert_int_equal(bank_block_count(&bk), 2);
    struct bank_name w = nm("restored");
    memcpy(w.medium, "NVRAM", 6);
    uint32_t at = DATA_OFF + 10 * PAGE;
    assert_int_equal(bank_alloc_restore(&bk, &w, 3 * PAGE, "k", 1, 0, 0, NULL, at, restore_page, NULL,
                                        &e), K_OK);
    assert_int_equal(e->offset, at);
    for (uint32_t i = 0; i < 3 * PAGE; i++)
        assert_int_equal(img[at + i], i / PAGE == 2 ? 0 : i / PAGE + 1);
    struct bank_name x = nm("taken");
    memcpy(x.medium, "NVRAM", 6);
    assert_int_equal(bank_alloc_restore(&bk, &x, PAGE, "k", 1, 0, 0, NULL, at, restore_page, NULL,
                                        &e), K_OK);
    assert_true(e->offset != at);
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(bank_block_count(&bk), 4);
    e = bank_lookup(&bk, &w);
    assert_non_null(e);
    assert_int_equal(e->offset, at);
    assert_string_equal(bank_lookup(&bk, &v)->medium, "NVRAM");
    assert_string_equal(bank_lookup(&bk, &r)->medium, "RAM");
}

static int bad_medium(void)
{
    struct bank_name n = nm("x");
    memcpy(n.medium, "ROM", 4);
    return acquire(&bk, &n, 1, "k", 1, 0, 0, NULL, NULL, NULL);
}
static int bad_medium_unterminated(void)
{
    struct bank_name n = nm("x");
    memset(n.medium, 'R', BANK_MEDIUM_SIZE);
    return acquire(&bk, &n, 1, "k", 1, 0, 0, NULL, NULL, NULL);
}
static int bad_name_empty(void)
{
    struct bank_name n = nm("");
    return acquire(&bk, &n, 1, "k", 1, 0, 0, NULL, NULL, NULL);
}
static int bad_name_unterminated(void)
{
    struct bank_name n = nm("x");
    memset(n.name, 'x', BANK_NAME_SIZE);
    return acquire(&bk, &n, 1, "k", 1, 0, 0, NULL, NULL, NULL);
}
static int bad_size_zero(void)
{
    struct bank_name n = nm("new");
    return acquire(&bk, &n, 0, "k", 1, 0, 0, NULL, NULL, NULL);
}
static int bad_size_zero_existing(void)
{
    struct bank_name n = nm("keep");
    return acquire(&bk, &n, 0, "k", 1, 0, 0, NULL, NULL, NULL);
}
static int bad_size_over_bank(void)
{
    struct bank_name n = nm("new");
    return acquire(&bk, &n, (size_t)SIZE + 1, "k", 1, 0, 0, NULL, NULL, NULL);
}
static int bad_key_len(void)
{
    struct bank_name n = nm("new");
    return acquire(&bk, &n, 1, "0123456789abcdef0123456789abcdefX", 33, 0, 0, NULL, NULL, NULL);
}
static int bad_key_missing(void)
{
    struct bank_name n = nm("new");
    return acquire(&bk, &n, 1, NULL, 4, 0, 0, NULL, NULL, NULL);
}
static int bad_sys_key(void)
{
    struct bank_name n = nm("new");
    return acquire(&bk, &n, 1, "__SYSx", 6, 0, 0, NULL, NULL, NULL);
}
static int bad_sys_key_existing(void)
{
    struct bank_name n = nm("keep");
    return acquire(&bk, &n, 1, "__SYS", 5, 0, 0, NULL, NULL, NULL);
}
static int bad_group(void)
{
    struct bank_name n = nm("new");
    return acquire(&bk, &n, 1, "k", 1, -1, 0, NULL, NULL, NULL);
}
static int bad_flags(void)
{
    struct bank_name n = nm("new");
    return acquire(&bk, &n, 1, "k", 1, 0, 0x100, NULL, NULL, NULL);
}
static int bad_retrieve_larger(void)
{
    struct bank_name n = nm("keep");
    return acquire(&bk, &n, 2 * PAGE + 1, "k", 1, 0, 0, NULL, NULL, NULL);
}
static int bad_retrieve_key(void)
{
    struct bank_name n = nm("keep");
    return acquire(&bk, &n, 1, "j", 1, 0, 0, NULL, NULL, NULL);
}
static int bad_alloc_existing(void)
{
    struct bank_name n = nm("keep");
    return bank_alloc(&bk, &n, 1, "k", 1, 0, 0, NULL, NULL);
}
static int bad_bank_full(void)
{
    struct bank_name n = nm("new");
    return acquire(&bk, &n, (size_t)(bank_free_pages(&bk) + 1) * PAGE, "k", 1, 0, 0, NULL, NULL,
                        NULL);
}
static int bad_bank_size(void)
{
    struct bank_name n = nm("new");
    return acquire(&bk, &n, SIZE, "k", 1, 0, 0, NULL, NULL, NULL);
}
static int bad_free_unknown(void)
{
    struct bank_name n = nm("nothere");
    return bank_free(&bk, &n, NULL);
}
static int bad_free_name(void)
{
    struct bank_name n = nm("");
    return bank_free(&bk, &n, NULL);
}
static int bad_free_medium(void)
{
    struct bank_name n = nm("keep");
    memcpy(n.medium, "FLASH", 6);
    return bank_free(&bk, &n, NULL);
}
static int bad_free_all_key_len(void)
{
    return bank_free_all(&bk, "0123456789abcdef0123456789abcdefX", 33, 0, NULL, NULL);
}
static int bad_free_all_sys(void)
{
    return bank_free_all(&bk, "__SYS_HRGROUP", 13, 0, NULL, NULL);
}
static int bad_free_all_none(void)
{
    return bank_free_all(&bk, "nobody", 6, 0, NULL, NULL);
}
static int bad_free_group_zero(void)
{
    return bank_free_group(&bk, 0, NULL, NULL);
}
static int bad_free_group_negative(void)
{
    return bank_free_group(&bk, -2, NULL, NULL);
}
static int bad_free_group_none(void)
{
    return bank_free_group(&bk, 99, NULL, NULL);
}

/* One bad call of each SPEC 4 kind; each returns its code and changes nothing. */
static const struct {
    const char *what;
    int (*call)(void);
    int expect;
} bad_calls[] = {
    {"medium not RAM", bad_medium, K_EINVAL},
    {"medium unterminated", bad_medium_unterminated, K_EINVAL},
    {"empty name", bad_name_empty, K_EINVAL},
    {"unterminated name", bad_name_unterminated, K_EINVAL},
    {"size 0", bad_size_zero, K_EINVAL},
    {"size 0, existing block", bad_size_zero_existing, K_EINVAL},
    {"size larger than the bank", bad_size_over_bank, K_EINVAL},
    {"key longer than 32", bad_key_len, K_EINVAL},
    {"key NULL", bad_key_missing, K_EINVAL},
    {"__SYS key", bad_sys_key, K_EPRIV},
    {"__SYS key, existing block", bad_sys_key_existing, K_EPRIV},
    {"negative group", bad_group, K_EINVAL},
    {"unknown flags", bad_flags, K_EINVAL},
    {"retrieve larger", bad_retrieve_larger, K_EINVAL},
    {"retrieve other key", bad_retrieve_key, K_EPRIV},
    {"allocate an existing name", bad_alloc_existing, K_EEXIST},
    {"bank full", bad_bank_full, K_ENOMEM},
    {"bank size, larger than the data area", bad_bank_size, K_ENOMEM},
    {"free unknown", bad_free_unknown, K_EUNKNOWN},
    {"free empty name", bad_free_name, K_EINVAL},
    {"free other medium", bad_free_medium, K_EINVAL},
    {"free all, key longer than 32", bad_free_all_key_len, K_EINVAL},
    {"free all, __SYS key", bad_free_all_sys, K_EPRIV},
    {"free all, no such key", bad_free_all_none, 0},
    {"free group 0", bad_free_group_zero, K_EINVAL},
    {"free group -2", bad_free_group_negative, K_EINVAL},
    {"free group without blocks", bad_free_group_none, 0},
};

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    fill_pattern(alloc_ok("keep", 2 * PAGE, "k", 0));
    alloc_ok("grp", 1, "__SYS_HRGROUP", 5);
    alloc_ok("tmp", 1, "k", 0);
    struct bank_name t = nm("tmp");
    assert_int_equal(bank_free(&bk, &t, NULL), K_OK);   /* a freed slot and hole too */
    for (size_t i = 0; i < sizeof(bad_calls) / sizeof(bad_calls[0]); i++) {
        snapshot();
        int rc = bad_calls[i].call();
        if (rc != bad_calls[i].expect)
            fail_msg("%s: got %d, want %d", bad_calls[i].what, rc, bad_calls[i].expect);
        assert_unchanged(bad_calls[i].what);
    }
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(bank_block_count(&bk), 2);
    assert_true(has_pattern(find("keep")));
}

/* The directory full (256 blocks): ETOOMUCH changes nothing; list, keep, look up, free all. */
static void test_directory_full(void **state)
{
    char name[16];
    struct listing l;
    (void)state;
    for (uint32_t i = 0; i < MAXB; i++) {
        snprintf(name, sizeof(name), "blk%03u", i);
        fill_pattern(alloc_ok(name, 1 + i, i % 2 ? "odd" : "even", 0));
    }
    assert_int_equal(bank_block_count(&bk), MAXB);
    assert_int_equal(bank_used_pages(&bk), MAXB);
    snapshot();
    struct bank_name n = nm("one-more");
    assert_int_equal(acquire(&bk, &n, 1, "", 0, 0, 0, NULL, NULL, NULL), K_ETOOMUCH);
    assert_unchanged("directory full");

    list_bank(&l);
    assert_int_equal(l.n, MAXB);
    for (uint32_t i = 0; i < MAXB; i++) {
        snprintf(name, sizeof(name), "blk%03u", i);
        assert_string_equal(l.it[i].name, name);      /* slot order = allocation order here */
        assert_int_equal(l.it[i].offset, DATA_OFF + i * PAGE);
    }
    memset(&bk, 0, sizeof(bk));
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(bank_block_count(&bk), MAXB);
    for (uint32_t i = 0; i < MAXB; i++) {
        snprintf(name, sizeof(name), "blk%03u", i);
        const struct bank_entry *e = find(name);
        assert_non_null(e);
        assert_string_equal(e->name, name);
        assert_int_equal(e->size, 1 + i);
        assert_true(has_pattern(e));
    }
    for (uint32_t i = 0; i < MAXB; i += 2) {
        snprintf(name, sizeof(name), "blk%03u", i);
        n = nm(name);
        assert_int_equal(bank_free(&bk, &n, NULL), K_OK);
    }
    assert_int_equal(bank_free_all(&bk, "odd", 3, 0, NULL, NULL), MAXB / 2);
    assert_int_equal(bank_block_count(&bk), 0);
    assert_int_equal(bank_free_pages(&bk), DATA_PAGES);
    uint32_t cursor = 0;
    assert_null(bank_next(&bk, &cursor));
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(bank_block_count(&bk), 0);
}

/* The bank full: one block of every data page, then ENOMEM; an exact fit works again. */
static void test_bank_full(void **state)
{
    (void)state;
    const struct bank_entry *e = alloc_ok("all", DATA_PAGES * PAGE, "", 0);
    assert_int_equal(e->offset, DATA_OFF);
    assert_true(is_zero(DATA_OFF, DATA_PAGES * PAGE));
    assert_int_equal(bank_free_pages(&bk), 0);
    snapshot();
    struct bank_name n = nm("byte");
    assert_int_equal(acquire(&bk, &n, 1, "", 0, 0, 0, NULL, NULL, NULL), K_ENOMEM);
    assert_unchanged("bank full");
    n = nm("all");
    assert_int_equal(bank_free(&bk, &n, NULL), K_OK);
    alloc_ok("all2", DATA_PAGES * PAGE - 1, "", 0);
}

static char seen[16][BANK_NAME_SIZE];
static int seen_n;

static void record_freed(void *ctx, const struct bank_entry *e)
{
    assert_ptr_equal(ctx, &seen_n);
    assert_true(seen_n < 16);
    memcpy(seen[seen_n++], e->name, BANK_NAME_SIZE);
}

/* pmmFreeAll: exactly the blocks of that key (bytes and length), one commit. */
static void test_free_all_by_key(void **state)
{
    char name[16];
    (void)state;
    for (int i = 0; i < 9; i++) {
        snprintf(name, sizeof(name), "k%d", i);
        alloc_ok(name, PAGE, i % 3 == 0 ? "B" : "A", 0);
    }
    struct bank_name n = nm("A0");
    assert_int_equal(bank_alloc(&bk, &n, 1, "A\0", 2, 0, 0, NULL, NULL), K_OK);
    seen_n = 0;
    assert_int_equal(bank_free_all(&bk, "A", 1, 0, record_freed, &seen_n), 6);
    assert_int_equal(seen_n, 6);
    const char *gone[] = {"k1", "k2", "k4", "k5", "k7", "k8"};
    for (int i = 0; i < 6; i++) {
        assert_string_equal(seen[i], gone[i]);
        assert_null(find(gone[i]));
    }
    assert_non_null(find("k0"));
    assert_non_null(find("k3"));
    assert_non_null(find("k6"));
    assert_non_null(find("A0"));
    assert_int_equal(bank_block_count(&bk), 4);
    assert_int_equal(bank_free_all(&bk, "A", 1, 0, NULL, NULL), 0);
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(bank_block_count(&bk), 4);
    assert_int_equal(bank_free_all(&bk, "A\0", 2, 0, NULL, NULL), 1);
    assert_int_equal(bank_free_all(&bk, "B", 1, 0, NULL, NULL), 3);
    assert_int_equal(bank_block_count(&bk), 0);
    /* HR may free by __SYS key when privileged. */
    alloc_ok("g", 1, "__SYS_HRGROUP", 2);
    assert_int_equal(bank_free_all(&bk, "__SYS_HRGROUP", 13, BANK_PRIV, NULL, NULL), 1);
}

/* A restart group's blocks go when HR says so; other groups and ungrouped blocks stay. */
static void test_free_group(void **state)
{
    (void)state;
    alloc_ok("g1a", 1, "__SYS_HRGROUP", 1);
    alloc_ok("g2a", 1, "__SYS_HRGROUP", 2);
    alloc_ok("g1b", PAGE * 2, "__SYS_HRGROUP", 1);
    alloc_ok("none", 1, "mine", 0);
    alloc_ok("g1c", 1, "other", 1);
    seen_n = 0;
    assert_int_equal(bank_free_group(&bk, 1, record_freed, &seen_n), 3);
    assert_int_equal(seen_n, 3);
    assert_string_equal(seen[0], "g1a");
    assert_string_equal(seen[1], "g1b");
    assert_string_equal(seen[2], "g1c");
    assert_int_equal(bank_free_group(&bk, 1, NULL, NULL), 0);
    assert_non_null(find("g2a"));
    assert_non_null(find("none"));
    assert_int_equal(bank_used_pages(&bk), 2);
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(bank_block_count(&bk), 2);
}

/* First fit reuses holes; a block never moves; free pages in pieces are not one run. */
static void test_fragmentation(void **state)
{
    (void)state;
    const struct bank_entry *a = alloc_ok("a", PAGE, "", 0);
    const struct bank_entry *b = alloc_ok("b", 2 * PAGE, "", 0);
    const struct bank_entry *c = alloc_ok("c", PAGE, "", 0);
    const struct bank_entry *d = alloc_ok("d", 3 * PAGE, "", 0);
    uint32_t b_off = b->offset;
    fill_pattern(a);
    fill_pattern(b);
    fill_pattern(c);
    fill_pattern(d);
    struct bank_name n = nm("b");
    assert_int_equal(bank_free(&bk, &n, NULL), K_OK);
    const struct bank_entry *e = alloc_ok("e", 3 * PAGE, "", 0);
    assert_int_equal(e->offset, d->offset + 3 * PAGE);   /* does not fit the 2-page hole */
    const struct bank_entry *f = alloc_ok("f", 2 * PAGE, "", 0);
    assert_int_equal(f->offset, b_off);                  /* fills it */
    assert_true(is_zero(f->offset, 2 * PAGE));
    const struct bank_entry *g = alloc_ok("g", 1, "", 0);
    assert_int_equal(g->offset, e->offset + 3 * PAGE);
    assert_true(has_pattern(find("a")));
    assert_true(has_pattern(find("c")));
    assert_true(has_pattern(find("d")));
    /* Holes that add up but are not contiguous: ENOMEM. */
    assert_int_equal(bank_free_all(&bk, "", 0, 0, NULL, NULL), 6);
    alloc_ok("h1", PAGE, "", 0);
    alloc_ok("mid", (DATA_PAGES - 3) * PAGE, "", 0);
    alloc_ok("h2", PAGE, "", 0);
    alloc_ok("end", PAGE, "", 0);
    n = nm("h1");
    assert_int_equal(bank_free(&bk, &n, NULL), K_OK);
    n = nm("h2");
    assert_int_equal(bank_free(&bk, &n, NULL), K_OK);
    assert_int_equal(bank_free_pages(&bk), 2);
    snapshot();
    n = nm("two");
    assert_int_equal(acquire(&bk, &n, 2 * PAGE, "", 0, 0, 0, NULL, NULL, NULL), K_ENOMEM);
    assert_unchanged("fragmented");
    assert_int_equal(alloc_ok("one", 1, "", 0)->offset, DATA_OFF);
}

/* ---- store order and crash consistency ---------------------------------------------------- */

static struct {
    int n;
    struct {
        int sync;
        uint32_t off, len;
        int zero;
    } ev[32];
} trace;

static void trace_store(void *ctx, void *dst, const void *src, size_t len)
{
    (void)ctx;
    assert_true(trace.n < 32);
    trace.ev[trace.n].sync = 0;
    trace.ev[trace.n].off = (uint32_t)((uint8_t *)dst - img);
    trace.ev[trace.n].len = (uint32_t)len;
    trace.ev[trace.n].zero = src == NULL;
    trace.n++;
    if (src != NULL)
        memcpy(dst, src, len);
    else
        memset(dst, 0, len);
}

static void trace_sync(void *ctx)
{
    (void)ctx;
    assert_true(trace.n < 32);
    trace.ev[trace.n++].sync = 1;
}

static int is_root_store(int i)
{
    return !trace.ev[i].sync &&
           (trace.ev[i].off == header()->root_off[0] || trace.ev[i].off == header()->root_off[1]);
}

/* The stores of each update, in order: data and entry, order point, one root, order point;
 * read-only calls store nothing. */
static void test_store_order(void **state)
{
    (void)state;
    alloc_ok("a", 1, "", 0);
    bank_set_hooks(&bk, trace_store, trace_sync, NULL);
    trace.n = 0;
    const struct bank_entry *e = alloc_ok("b", 2 * PAGE, "", 0);
    assert_int_equal(trace.n, 5);
    assert_true(!trace.ev[0].sync && trace.ev[0].zero && trace.ev[0].off == e->offset &&
                trace.ev[0].len == 2 * PAGE);
    assert_true(!trace.ev[1].sync && trace.ev[1].off == (uint32_t)((const uint8_t *)e - img) &&
                trace.ev[1].len == BANK_ENTRY_SIZE);
    assert_true(trace.ev[2].sync);
    assert_true(is_root_store(3) && trace.ev[3].len == 32 + 4 * 8);
    assert_true(trace.ev[4].sync);

    trace.n = 0;
    struct bank_name n = nm("a");
    assert_int_equal(bank_free(&bk, &n, NULL), K_OK);
    assert_int_equal(trace.n, 3);
    assert_true(trace.ev[0].sync && is_root_store(1) && trace.ev[2].sync);

    trace.n = 0;
    n = nm("b");
    const struct bank_entry *r;
    assert_int_equal(bank_retrieve(&bk, &n, 1, "", 0, 0, 0, &r), K_OK);
    assert_non_null(bank_lookup(&bk, &n));
    uint32_t cursor = 0;
    assert_non_null(bank_next(&bk, &cursor));
    assert_int_equal(acquire(&bk, &n, 1, "", 0, 0, 0, NULL, &r, NULL), K_OK);
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(trace.n, 0);
    bank_set_hooks(&bk, NULL, NULL, NULL);
}

/* Crash injection: the store hook writes word by word and longjmps out before word `budget`,
 * as a site restart between two stores would; it records what it touched for a cheap undo. */
static struct {
    long budget;                 /* -1: never stop */
    long words;
    jmp_buf jb;
    int ndirty;
    struct {
        uint32_t off, len;
    } dirty[64];
} crash;

static void crash_store(void *ctx, void *dst, const void *src, size_t len)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    (void)ctx;
    assert_true(((uintptr_t)d & 3u) == 0 && (len & 3u) == 0);
    if (crash.ndirty < 64) {
        crash.dirty[crash.ndirty].off = (uint32_t)(d - img);
        crash.dirty[crash.ndirty].len = (uint32_t)len;
    }
    crash.ndirty++;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        if (crash.budget >= 0 && crash.words == crash.budget)
            longjmp(crash.jb, 1);
        if (s != NULL)
            memcpy(&v, s + i, 4);
        memcpy(d + i, &v, 4);
        crash.words++;
    }
}

/* Puts back the saved image s0 where the hook wrote since the last restore. */
static void crash_restore(void)
{
    if (crash.ndirty > 64) {
        memcpy(img, s0, SIZE);
    } else {
        for (int i = 0; i < crash.ndirty; i++)
            memcpy(img + crash.dirty[i].off, s0 + crash.dirty[i].off, crash.dirty[i].len);
    }
    crash.ndirty = 0;
}

/* The bank every sweep starts from: 20 blocks of 1 to 3 pages with patterned data, two of
 * them freed (a free slot with a live-looking old copy, and a hole with old data). */
static void crash_prepare(void)
{
    char name[16];
    memset(img, GARBAGE, SIZE);
    memset(&bk, 0, sizeof(bk));
    assert_int_equal(open_bank(0), BANK_INITIALISED);
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "b%02d", i);
        fill_pattern(alloc_ok(name, (size_t)(i % 3 + 1) * PAGE - 100,
                              i % 4 == 0 ? "__SYS_HRGROUP" : i % 2 ? "kA" : "kB",
                              i % 4 == 0 ? 7 : 0));
    }
    struct bank_name n = nm("b02");
    assert_int_equal(bank_free(&bk, &n, NULL), K_OK);
    n = nm("b05");
    assert_int_equal(bank_free(&bk, &n, NULL), K_OK);
}

static int op_alloc(void)
{
    struct bank_name n = nm("new");
    return bank_alloc(&bk, &n, 2 * PAGE - 1, "kN", 2, 0, 0, NULL, NULL);
}
static int op_alloc_big(void)
{
    struct bank_name n = nm("big");
    return bank_alloc(&bk, &n, 5 * PAGE, "kN", 2, 0, 0, NULL, NULL);
}
static int op_free(void)
{
    struct bank_name n = nm("b03");
    return bank_free(&bk, &n, NULL);
}
static int op_free_all(void)
{
    return bank_free_all(&bk, "kA", 2, 0, NULL, NULL);
}
static int op_free_group(void)
{
    return bank_free_group(&bk, 7, NULL, NULL);
}
static int op_format(void)
{
    return open_bank(0);
}

/* Checks data after a crash: blocks of the old state keep their data (as saved in s0, where
 * each has its pattern), new ones read zero. */
static void crash_check_data(const struct listing *l, const struct listing *old)
{
    for (uint32_t i = 0; i < l->n; i++) {
        const struct bank_entry *e = find(l->it[i].name);
        const struct item *o = listing_find(old, l->it[i].name);
        if (o != NULL && o->offset == e->offset)
            assert_true(memcmp(img + e->offset, s0 + e->offset, e->pages * PAGE) == 0);
        else
            assert_true(is_zero(e->offset, e->pages * PAGE));
    }
}

/*
 * Runs op on the current bank, stopped before its 1st, 2nd, ... word store (full), or only
 * before the first store and each word of its last store, the root (not full), and after each
 * stop boots warm: the directory must be exactly the old one or the new one (never mixed, and
 * never the old one again after the new one was seen), block data as that state says, and the
 * bank must keep working. format: the op is an initialisation, which may also be found invalid.
 * Leaves the bank as it was before op.
 */
static void crash_sweep_current(int (*op)(void), int format, int full)
{
    static struct listing old_l, new_l, got;
    /* static: kept intact across the longjmp of the store hook */
    static long total, n_old, n_new, n_invalid, last_store;
    static int seen_new;

    n_old = n_new = n_invalid = 0;
    seen_new = 0;

    memcpy(s0, img, SIZE);
    crash.ndirty = 0;
    crash.budget = -1;
    bank_set_hooks(&bk, crash_store, NULL, NULL);
    assert_int_equal(open_bank(1), BANK_KEPT);
    list_bank(&old_l);
    crash.words = 0;
    op();
    total = crash.words;
    last_store = total - (long)(crash.dirty[crash.ndirty - 1].len / 4);
    list_bank(&new_l);
    assert_false(listing_equal(&old_l, &new_l));
    crash_restore();
    assert_true(memcmp(img, s0, SIZE) == 0);

    for (long budget = 0; budget <= total; budget++) {
        volatile int finished = 0;
        if (!full && budget != 0 && budget < last_store)
            continue;
        crash_restore();
        crash.budget = -1;
        assert_int_equal(open_bank(1), BANK_KEPT);
        crash.words = 0;
        crash.budget = budget;
        if (setjmp(crash.jb) == 0) {
            op();
            finished = 1;
        }
        crash.budget = -1;
        assert_int_equal(finished, budget == total);

        enum bank_open_result r = open_bank(1);
        if (r == BANK_INVALID_REINITIALISED && format) {
            assert_int_equal(bank_block_count(&bk), 0);
            n_invalid++;
            seen_new = 1;
        } else {
            if (r != BANK_KEPT)
                fail_msg("stopped before store %ld of %ld: %d (%s)", budget, total, r, why);
            list_bank(&got);
            if (listing_equal(&got, &new_l)) {
                seen_new = 1;
                n_new++;
            } else if (listing_equal(&got, &old_l)) {
                if (seen_new)
                    fail_msg("stopped before store %ld: old state after the new one", budget);
                n_old++;
            } else {
                fail_msg("stopped before store %ld of %ld: mixed directory", budget, total);
            }
            crash_check_data(&got, &old_l);
        }
        alloc_ok("later", 1, "", 0);  /* the kept bank and its index work */
        assert_int_equal(open_bank(1), BANK_KEPT);
        assert_non_null(find("later"));
    }
    assert_true(n_old > 0);
    assert_true(n_new > 0);
    if (full)
        assert_int_equal(n_old + n_new + n_invalid, total + 1);
    crash_restore();
    assert_int_equal(open_bank(1), BANK_KEPT);
    bank_set_hooks(&bk, NULL, NULL, NULL);
}

static void crash_sweep(int (*op)(void), int format)
{
    crash_prepare();
    crash_sweep_current(op, format, 1);
}

/* Allocation: zeroing, entry and root each cut at every word. */
static void test_crash_alloc(void **state)
{
    (void)state;
    crash_sweep(op_alloc, 0);
    crash_sweep(op_alloc_big, 0);
}

static void test_crash_free(void **state)
{
    (void)state;
    crash_sweep(op_free, 0);
}

static void test_crash_free_all(void **state)
{
    (void)state;
    crash_sweep(op_free_all, 0);
}

static void test_crash_free_group(void **state)
{
    (void)state;
    crash_sweep(op_free_group, 0);
}

/* Initialisation over a kept bank: old bank, invalid (redone), or the new empty one; with
 * the current root in either copy. */
static void test_crash_format(void **state)
{
    (void)state;
    crash_sweep(op_format, 1);
    crash_prepare();
    alloc_ok("parity", 1, "", 0);
    crash_sweep_current(op_format, 1, 1);
}

static int seq_step;

/* Step i of a long run: allocate s<i>, every third step free the block before instead. */
static int op_seq(void)
{
    char name[16];
    snprintf(name, sizeof(name), "s%d", seq_step % 3 == 2 ? seq_step - 1 : seq_step);
    struct bank_name n = nm(name);
    if (seq_step % 3 == 2)
        return bank_free(&bk, &n, NULL);
    return bank_alloc(&bk, &n, (size_t)(seq_step % 4 + 1) * 1000, "", 0, 0, 0, NULL, NULL);
}

/* Many updates in a row (roots and entry copies alternate, slots are reused), each cut at
 * every word of its root: old or new at every step. */
static void test_crash_sequence(void **state)
{
    (void)state;
    for (seq_step = 0; seq_step < 60; seq_step++) {
        crash_sweep_current(op_seq, 0, 0);
        assert_int_equal(op_seq(), K_OK);
        if (seq_step % 3 != 2) {
            char name[16];
            snprintf(name, sizeof(name), "s%d", seq_step);
            fill_pattern(find(name));
        }
    }
    assert_int_equal(open_bank(1), BANK_KEPT);
    assert_int_equal(bank_block_count(&bk), 20);
}

/* Allocates name for owner o (key "k", group) and returns the code. */
static int alloc_for(const struct bank_owner *o, const char *name, size_t size, int32_t group)
{
    struct bank_name n = nm(name);
    const char *key = group ? "__SYS_HR_GROUP" : "k";
    return bank_alloc(&bk, &n, size, key, strlen(key) + (group ? 1 : 0), group,
                      group ? BANK_PRIV : 0, o, NULL);
}

/* Quotas: an owner (image) and a restart group are held to their page and block limits;
   over one, K_ENOMEM (pages) or K_ETOOMUCH (blocks) and nothing stored; other owners are not
   affected; freeing gives the room back; the tallies are rebuilt from the bank at open and
   blocks outliving their owner's run keep counting; an owner name must be terminated. */
static void test_quotas(void **state)
{
    (void)state;
    struct bank_owner a = { "alpha", 3, 2, 0, 0 }, b = { "beta", 0, 0, 0, 0 };
    struct bank_owner g = { "gamma", 0, 0, 3, 3 };
    uint32_t pages, blocks;
    assert_int_equal(alloc_for(&a, "a1", 2 * PAGE, 0), K_OK);
    snapshot();
    assert_int_equal(alloc_for(&a, "a2", 2 * PAGE, 0), K_ENOMEM);   /* 4 pages > 3 */
    assert_unchanged("owner page quota");
    assert_int_equal(alloc_for(&a, "a2", PAGE, 0), K_OK);           /* 3 pages, 2 blocks */
    snapshot();
    assert_int_equal(alloc_for(&a, "a3", 1, 0), K_ETOOMUCH);        /* a third block */
    assert_unchanged("owner block quota");
    assert_int_equal(alloc_for(&b, "b1", 10 * PAGE, 0), K_OK);      /* another owner: free */
    bank_usage(&bk, "alpha", 0, &pages, &blocks);
    assert_int_equal(pages, 3);
    assert_int_equal(blocks, 2);
    struct bank_name n = nm("a1");
    assert_int_equal(bank_free(&bk, &n, NULL), K_OK);
    bank_usage(&bk, "alpha", 0, &pages, &blocks);
    assert_int_equal(pages, 1);
    assert_int_equal(blocks, 1);
    assert_int_equal(alloc_for(&a, "a3", 2 * PAGE, 0), K_OK);       /* room given back */

    /* A group's blocks count against the group whoever allocates them. */
    assert_int_equal(alloc_for(&g, "g1", PAGE, 7), K_OK);
    assert_int_equal(alloc_for(&b, "g2", PAGE, 7), K_OK);           /* beta: no group limit */
    bank_usage(&bk, NULL, 7, &pages, &blocks);
    assert_int_equal(blocks, 2);
    snapshot();
    assert_int_equal(alloc_for(&g, "g3", 2 * PAGE, 7), K_ENOMEM);   /* 2 + 2 > 3 pages */
    assert_unchanged("group page quota");
    assert_int_equal(alloc_for(&g, "g3", PAGE, 7), K_OK);
    snapshot();
    assert_int_equal(alloc_for(&g, "g4", 1, 7), K_ETOOMUCH);        /* 4 blocks > 3 */
    assert_unchanged("group block quota");
    assert_int_equal(alloc_for(&g, "g4", PAGE, 8), K_OK);           /* another group */

    /* Kept across a warm open: the tallies come from the entries' owners and groups. */
    assert_int_equal(open_bank(1), BANK_KEPT);
    bank_usage(&bk, "alpha", 0, &pages, &blocks);
    assert_int_equal(pages, 3);
    assert_int_equal(blocks, 2);
    assert_string_equal(find("a3")->owner, "alpha");
    snapshot();
    assert_int_equal(alloc_for(&a, "a4", 1, 0), K_ETOOMUCH);
    assert_unchanged("quota after a warm open");
    uint32_t cursor = 0, owners = 0, groups = 0;
    for (const struct bank_tally *t; (t = bank_next_tally(&bk, &cursor)) != NULL;) {
        owners += t->group == 0;
        groups += t->group != 0;
    }
    assert_int_equal(owners, 3);     /* alpha, beta, gamma */
    assert_int_equal(groups, 2);     /* 7, 8 */
    assert_int_equal(bank_free_group(&bk, 7, NULL, NULL), 3);
    bank_usage(&bk, NULL, 7, &pages, &blocks);
    assert_int_equal(blocks, 0);
    bank_usage(&bk, "beta", 0, &pages, &blocks);
    assert_int_equal(pages, 10);     /* g2 counted for beta too, and gone with it */

    struct bank_owner bad;
    memset(&bad, 'x', sizeof(bad));
    assert_int_equal(alloc_for(&bad, "bad", 1, 0), K_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cold_boot_initialises, setup),
        cmocka_unit_test_setup(test_warm_boot_keeps, setup),
        cmocka_unit_test_setup(test_warm_boot_garbage, setup),
        cmocka_unit_test_setup(test_warm_reinit_keeps_hr_areas, setup),
        cmocka_unit_test_setup(test_header_corruption, setup),
        cmocka_unit_test_setup(test_root_corruption, setup),
        cmocka_unit_test_setup(test_entry_corruption, setup),
        cmocka_unit_test_setup(test_unusable, setup),
        cmocka_unit_test_setup(test_alloc_and_retrieve, setup),
        cmocka_unit_test_setup(test_names, setup),
        cmocka_unit_test_setup(test_nvram_working_copies, setup),
        cmocka_unit_test_setup(test_bad_input_changes_nothing, setup),
        cmocka_unit_test_setup(test_directory_full, setup),
        cmocka_unit_test_setup(test_bank_full, setup),
        cmocka_unit_test_setup(test_free_all_by_key, setup),
        cmocka_unit_test_setup(test_free_group, setup),
        cmocka_unit_test_setup(test_fragmentation, setup),
        cmocka_unit_test_setup(test_quotas, setup),
        cmocka_unit_test_setup(test_store_order, setup),
        cmocka_unit_test_setup(test_crash_alloc, setup),
        cmocka_unit_test_setup(test_crash_free, setup),
        cmocka_unit_test_setup(test_crash_free_all, setup),
        cmocka_unit_test_setup(test_crash_free_group, setup),
        cmocka_unit_test_setup(test_crash_format, setup),
        cmocka_unit_test_setup(test_crash_sequence, setup),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

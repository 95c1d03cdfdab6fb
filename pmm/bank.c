/* The persistent bank of the PMM server: layout, validation, block directory and its index. */

/*
 * Crash consistency: entries written only into free slots, and a double root (layout in
 * pmm/bank.h).
 *
 * The directory root holds a "used" bit per slot, the update's sequence number and a CRC; two
 * root copies live at fixed offsets, the root of sequence seq in copy seq & 1. A live entry
 * never changes. An update (alloc, free, free_all, free_group) makes its stores in this order:
 *   1. zero the new block's pages (alloc): pages that the current root leaves free;
 *   2. write the new entry into a slot that the current root marks free (alloc);
 *   3. order point (sync hook);
 *   4. write the new root, seq + 1 with the used bits changed, over the older root copy;
 *   5. order point.
 * Until the last store of step 4 the current root and all it names are untouched and the
 * half-written root fails its CRC, so bank_open finds the old state; once step 4 is complete
 * the new root is valid with the higher sequence: the new state. A block the directory records
 * was therefore always zeroed before (steps 1-3 before 4). A free writes only step 4; a
 * free_all of many blocks is still one root write, so it is atomic as a whole.
 *
 * Why this scheme: an allocation writes its pages, 128 bytes and one root (32 B + 4 B per 32
 * slots: 64 B for 256 slots); a free writes one root. Two full directory copies would rewrite
 * 32 KiB per update at 256 slots, and a journal needs replay code and a second validation path;
 * here validation is one pass over the current root's entries, every one checked (CRC, slot,
 * name, key, size, offset inside the data area, no overlap, no duplicate name). Shadow copies
 * of each entry are not needed because entries are immutable (a future in-place change would
 * write the new version into a free slot and swap both used bits in one root). Each entry also
 * carries the seq of the update that wrote it, which may not exceed its root's: should the
 * newest root be damaged (not by a crash) and the older one be taken, an entry that a later
 * update rewrote is refused rather than mixed in.
 *
 * The volatile index (work area given to bank_open): a copy of the current root, a hash table
 * of names (buckets and chains of slot numbers, a hash per slot) for O(1) lookups, and a bitmap
 * of used data pages for first-fit allocation. It is rebuilt by every bank_open.
 */
#include <pmm/bank.h>

#include <string.h>

#include <lib/crc32.h>
#include <reprise/errors.h>

#define ROOT_ALIGN 64u
#define ROOT_SIZE_MAX (sizeof(struct bank_root) + 4u * ((BANK_MAX_BLOCKS + 31u) / 32u))

_Static_assert(BANK_HEADER_OFF >= BANK_BOOTREC_SIZE, "the boot record stays the kernel's");
_Static_assert(BANK_HEADER_OFF + sizeof(struct bank_header) <= BANK_ROOT0_OFF,
               "header before the roots");
_Static_assert(BANK_ROOT0_OFF + 2u * ((ROOT_SIZE_MAX + ROOT_ALIGN - 1u) & ~(ROOT_ALIGN - 1u)) <=
                   BANK_DIR_OFF,
               "both roots fit before the directory at the largest max_blocks");
_Static_assert(BANK_MAX_BLOCKS < 0xffffu, "slot numbers + 1 fit the 16-bit hash chains");
_Static_assert(BANK_DIR_OFF % BANK_PAGE_SIZE == 0, "directory page aligned");

/* Where everything lives, for one bank size and max_blocks. */
struct layout {
    uint32_t words;              /* root bitmap words */
    uint32_t root_size;
    uint32_t root_off[2];
    uint32_t hr_registry_off;
    uint32_t hr_crashlog_off;
    uint32_t hr_dumps_off;
    uint32_t data_off;
    uint32_t data_pages;
    uint32_t buckets;            /* hash buckets: a power of two >= 2 x max_blocks */
    uint32_t work_hash;          /* offsets in the work area */
    uint32_t work_prev;
    uint32_t work_pagemap;
    uint32_t work_bucket;
    uint32_t work_chain;
    uint32_t work_tally;
    uint32_t work_size;
};

/* Rounds v up to a multiple of a (a power of two). */
static uint32_t align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1u) & ~(a - 1u);
}

/* Computes the on-bank layout and the work area; called by bank_open and bank_work_size.
 * Returns 1, or 0 when size or max_blocks is out of range or the data area would be empty. */
static int layout_compute(struct layout *l, uint32_t size, uint32_t max_blocks)
{
    if (max_blocks == 0 || max_blocks > BANK_MAX_BLOCKS || size > BANK_MAX_SIZE ||
        size % BANK_PAGE_SIZE != 0)
        return 0;
    l->words = (max_blocks + 31u) / 32u;
    l->root_size = (uint32_t)sizeof(struct bank_root) + 4u * l->words;
    l->root_off[0] = BANK_ROOT0_OFF;
    l->root_off[1] = BANK_ROOT0_OFF + align_up(l->root_size, ROOT_ALIGN);
    l->hr_registry_off = align_up(BANK_DIR_OFF + max_blocks * BANK_ENTRY_SIZE,
                                  BANK_PAGE_SIZE);
    l->hr_crashlog_off = l->hr_registry_off + BANK_HR_REGISTRY_SIZE;
    l->hr_dumps_off = l->hr_crashlog_off + BANK_HR_CRASHLOG_SIZE;
    l->data_off = l->hr_dumps_off + BANK_HR_DUMPS_SIZE;
    if (l->data_off >= size)
        return 0;
    l->data_pages = (size - l->data_off) / BANK_PAGE_SIZE;
    l->buckets = 1;
    while (l->buckets < 2u * max_blocks)
        l->buckets <<= 1;
    l->work_hash = l->root_size;
    l->work_prev = l->work_hash + 4u * max_blocks;
    l->work_pagemap = l->work_prev + 4u * l->words;
    l->work_bucket = l->work_pagemap + 4u * ((l->data_pages + 31u) / 32u);
    l->work_chain = l->work_bucket + 2u * l->buckets;
    l->work_tally = align_up(l->work_chain + 2u * max_blocks, 8u);
    l->work_size = align_up(l->work_tally + 2u * max_blocks * (uint32_t)sizeof(struct bank_tally),
                            8u);
    return 1;
}

/* Writes fmt into why (whylen bytes, may be NULL), each "%u" taking a then b; truncates. */
static void why_fmt(char *why, size_t whylen, const char *fmt, uint32_t a, uint32_t b)
{
    uint32_t args[2] = {a, b};
    unsigned next = 0;
    size_t n = 0;

    if (why == NULL || whylen == 0)
        return;
    for (; *fmt != '\0'; fmt++) {
        if (fmt[0] == '%' && fmt[1] == 'u') {
            char digits[10];
            int k = 0;
            uint32_t v = args[next++ & 1u];
            do {
                digits[k++] = (char)('0' + v % 10u);
                v /= 10u;
            } while (v != 0);
            while (k > 0 && n + 1 < whylen)
                why[n++] = digits[--k];
            fmt++;
        } else if (n + 1 < whylen) {
            why[n++] = *fmt;
        }
    }
    why[n] = '\0';
}

/* Default store hook: plain memory copy or zero fill. */
static void default_store(void *ctx, void *dst, const void *src, size_t len)
{
    (void)ctx;
    if (src != NULL)
        memcpy(dst, src, len);
    else
        memset(dst, 0, len);
}

/* Default order point: keeps the compiler from moving stores across it. */
static void default_sync(void *ctx)
{
    (void)ctx;
    __asm__ volatile("" ::: "memory");
}

/* Stores len bytes of src (NULL: zeros) at bank offset off, through the store hook. */
static void bank_store(struct bank *b, uint32_t off, const void *src, size_t len)
{
    b->store(b->hook_ctx, b->base + off, src, len);
}

/* Order point between the phases of an update. */
static void bank_sync(struct bank *b)
{
    b->sync(b->hook_ctx);
}

static int bit_get(const uint32_t *map, uint32_t i)
{
    return (int)((map[i >> 5] >> (i & 31u)) & 1u);
}

static void bit_set(uint32_t *map, uint32_t i)
{
    map[i >> 5] |= 1u << (i & 31u);
}

static void bit_clear(uint32_t *map, uint32_t i)
{
    map[i >> 5] &= ~(1u << (i & 31u));
}

static uint32_t *used_map(const struct bank *b)
{
    return b->root->bits;
}

/* Bank offset of the entry of slot s. */
static uint32_t entry_off(uint32_t s)
{
    return BANK_DIR_OFF + s * BANK_ENTRY_SIZE;
}

/* The entry of slot s (meaningful when the current root marks s used). */
static const struct bank_entry *entry_live(const struct bank *b, uint32_t s)
{
    return (const struct bank_entry *)(b->base + entry_off(s));
}

static uint32_t entry_crc(const struct bank_entry *e)
{
    return crc32_update(0, e, offsetof(struct bank_entry, crc));
}

static uint32_t root_crc(const struct bank_root *r, uint32_t words)
{
    return crc32_update(crc32_update(0, r, offsetof(struct bank_root, crc)), r->bits, 4u * words);
}

/* Fills the header this geometry must have; used to write it and to validate it. */
static void header_build(const struct bank *b, struct bank_header *h)
{
    memset(h, 0, sizeof(*h));
    h->magic = BANK_MAGIC;
    h->version = BANK_LAYOUT_VERSION;
    h->bank_size = b->size;
    h->max_blocks = b->max_blocks;
    h->root_off[0] = b->root_off[0];
    h->root_off[1] = b->root_off[1];
    h->root_size = b->root_size;
    h->dir_off = BANK_DIR_OFF;
    h->entry_size = BANK_ENTRY_SIZE;
    h->hr_registry_off = b->hr_registry_off;
    h->hr_registry_size = BANK_HR_REGISTRY_SIZE;
    h->hr_crashlog_off = b->hr_crashlog_off;
    h->hr_crashlog_size = BANK_HR_CRASHLOG_SIZE;
    h->data_off = b->data_off;
    h->data_pages = b->data_pages;
    h->crc = crc32_update(0, h, offsetof(struct bank_header, crc));
}

/* The byte loops of the retrieval path (names and keys are a few bytes: a call of the C
   library's word-at-a-time routines costs more than the loop). */

/* Whether s holds a NUL in its first n bytes. */
static inline int bytes_have_nul(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\0')
            return 1;
    return 0;
}

/* Whether the n bytes at a and b are equal. */
static inline int bytes_equal(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--)
        if (*x++ != *y++)
            return 0;
    return 1;
}

/* Whether the NUL-terminated strings a and b are equal. */
static inline int str_equal(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* A string of n bytes that is non-empty, NUL-terminated and zero after its NUL. */
static int padded_string_ok(const char *s, size_t n)
{
    const char *z = memchr(s, '\0', n);
    if (z == NULL || z == s)
        return 0;
    for (; z < s + n; z++)
        if (*z != '\0')
            return 0;
    return 1;
}

/* A medium the bank holds blocks of: "RAM", or "NVRAM" (the working copies of NVRAM blocks,
   whose committed contents the server keeps on flash). */
static int medium_ok(const char *m)
{
    static const char ram[4] = BANK_MEDIUM_RAM;     /* "RAM" and its NUL: one word */
    uint32_t medium, want;
    memcpy(&medium, m, sizeof(medium));
    memcpy(&want, ram, sizeof(want));
    return medium == want || (memchr(m, '\0', BANK_MEDIUM_SIZE) != NULL &&
                              strcmp(m, BANK_MEDIUM_NVRAM) == 0);
}

/* A caller's name: a known medium, name non-empty and terminated inside its 32 bytes. */
static int name_ok(const struct bank_name *n)
{
    if (n == NULL)
        return 0;
    return medium_ok(n->medium) && n->name[0] != '\0' && bytes_have_nul(n->name, BANK_NAME_SIZE);
}

/* An owner's name: NUL-terminated inside its BANK_OWNER_SIZE bytes, zero after the NUL (it
 * may be empty: no owner). */
static int owner_ok(const char *s)
{
    const char *z = memchr(s, '\0', BANK_OWNER_SIZE);
    if (z == NULL)
        return 0;
    for (; z < s + BANK_OWNER_SIZE; z++)
        if (*z != '\0')
            return 0;
    return 1;
}

static int key_is_sys(const void *key, size_t key_len)
{
    return key_len >= sizeof(BANK_SYS_KEY_PREFIX) - 1 &&
           bytes_equal(key, BANK_SYS_KEY_PREFIX, sizeof(BANK_SYS_KEY_PREFIX) - 1);
}

/* Bad input of a key: K_EINVAL (too long, or missing), K_EPRIV (__SYS unprivileged), K_OK. */
static int key_check(const void *key, size_t key_len, unsigned flags)
{
    if (key_len > BANK_KEY_SIZE || (key_len != 0 && key == NULL) || (flags & ~BANK_PRIV) != 0)
        return K_EINVAL;
    if (key_is_sys(key, key_len) && !(flags & BANK_PRIV))
        return K_EPRIV;
    return K_OK;
}

static int key_equal(const struct bank_entry *e, const void *key, size_t key_len)
{
    return e->key_len == key_len && bytes_equal(e->key, key, key_len);
}

static uint32_t pages_for(uint32_t size)
{
    return (uint32_t)((size + (uint64_t)BANK_PAGE_SIZE - 1u) / BANK_PAGE_SIZE);
}

/* FNV-1a of a NUL-terminated name: the index's hash. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s != '\0') {
        h ^= (uint8_t)*s++;
        h *= 16777619u;
    }
    return h;
}

/* Finds the used slot named medium/name (hash h) through the index; -1 if none. */
static int index_find(const struct bank *b, const char *medium, const char *name, uint32_t h)
{
    for (uint32_t s1 = b->bucket[h & b->hash_mask]; s1 != 0; s1 = b->chain[s1 - 1]) {
        uint32_t s = s1 - 1;
        if (b->name_hash[s] != h)
            continue;
        const struct bank_entry *e = entry_live(b, s);
        if (str_equal(e->name, name) && str_equal(e->medium, medium))
            return (int)s;
    }
    return -1;
}

static void index_insert(struct bank *b, uint32_t s, uint32_t h)
{
    uint16_t *head = &b->bucket[h & b->hash_mask];
    b->name_hash[s] = h;
    b->chain[s] = *head;
    *head = (uint16_t)(s + 1);
}

static void index_remove(struct bank *b, uint32_t s)
{
    uint16_t *link = &b->bucket[b->name_hash[s] & b->hash_mask];
    while (*link != 0 && *link != s + 1)
        link = &b->chain[*link - 1];
    if (*link != 0)
        *link = b->chain[s];
    b->chain[s] = 0;
}

/* Marks n data pages from first as used (1) or free (0) in the page bitmap. */
static void pages_mark(struct bank *b, uint32_t first, uint32_t n, int used)
{
    for (uint32_t p = first; p < first + n; p++) {
        if (used)
            bit_set(b->pagemap, p);
        else
            bit_clear(b->pagemap, p);
    }
}

/* Whether two owner names, each zero padded to BANK_OWNER_SIZE bytes, are the same. */
static int owner_equal(const char *a, const char *b)
{
    uint32_t x[BANK_OWNER_SIZE / 4], y[BANK_OWNER_SIZE / 4];
    memcpy(x, a, sizeof(x));
    memcpy(y, b, sizeof(y));
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}

/* The tally of owner image (image != NULL, zero padded) or of group (image NULL): what it
 * holds; NULL when it holds nothing. */
static struct bank_tally *tally_find(const struct bank *b, const char *image, int32_t group)
{
    for (uint32_t i = 0; i < b->ntally; i++) {
        struct bank_tally *t = &b->tally[i];
        if (t->used && (image != NULL ? t->group == 0 && owner_equal(t->image, image)
                                      : t->image[0] == '\0' && t->group == group))
            return t;
    }
    return NULL;
}

/* Counts pages in one more block (sign 1) or one less (sign -1) for an owner (image, zero
 * padded) or a group, whose tally is t when the caller found it already (else NULL). A tally
 * that holds nothing stays for its owner's next block (an owner that allocates and frees in
 * turn finds it at once) until another one needs its place: there is always one, since at
 * most 2 tallies a slot hold blocks. */
static void tally_add(struct bank *b, struct bank_tally *t, const char *image, int32_t group,
                      uint32_t pages, int sign)
{
    if (t == NULL)
        t = tally_find(b, image, group);
    if (t == NULL && sign < 0)
        return;
    if (t == NULL) {
        uint32_t i = 0;
        while (i < b->ntally && b->tally[i].used)
            i++;
        if (i == b->ntally && i == 2u * b->max_blocks)
            for (i = 0; b->tally[i].blocks != 0; i++)
                ;
        if (i == b->ntally)
            b->ntally++;
        t = &b->tally[i];
        memset(t, 0, sizeof(*t));
        t->used = 1;
        if (image != NULL)
            memcpy(t->image, image, sizeof(t->image));
        else
            t->group = group;
    }
    if (sign > 0) {
        t->blocks++;
        t->pages += pages;
    } else {
        t->blocks--;
        t->pages -= pages;
    }
}

/* Counts entry e in (sign 1) or out (sign -1) of its owner's and its group's tallies. */
static void tally_entry(struct bank *b, const struct bank_entry *e, int sign)
{
    tally_add(b, NULL, e->owner, 0, e->pages, sign);
    if (e->group > 0)
        tally_add(b, NULL, NULL, e->group, e->pages, sign);
}

/* Empties the index; the page bitmap's bits past the data area read as used. */
static void index_reset(struct bank *b)
{
    uint32_t pm_words = (b->data_pages + 31u) / 32u;

    memset(b->name_hash, 0, 4u * b->max_blocks);
    memset(b->pagemap, 0, 4u * pm_words);
    if (b->data_pages % 32u != 0)
        b->pagemap[pm_words - 1] = ~((1u << (b->data_pages % 32u)) - 1u);
    memset(b->bucket, 0, 2u * (b->hash_mask + 1u));
    memset(b->chain, 0, 2u * b->max_blocks);
    memset(b->tally, 0, 2u * b->max_blocks * sizeof(struct bank_tally));
    b->ntally = 0;
    b->blocks = 0;
    b->pages_used = 0;
}

/* First free slot, or -1 when the directory is full. */
static int slot_find_free(const struct bank *b)
{
    const uint32_t *used = used_map(b);
    for (uint32_t w = 0; w < b->words; w++) {
        uint32_t v = used[w];
        if (w == b->words - 1 && b->max_blocks % 32u != 0)
            v |= ~((1u << (b->max_blocks % 32u)) - 1u);
        if (v != UINT32_MAX)
            return (int)(w * 32u + (uint32_t)__builtin_ctz(~v));
    }
    return -1;
}

/* First fit: the lowest run of n free data pages; 1 with *first set, or 0. */
static int pages_find_run(const struct bank *b, uint32_t n, uint32_t *first)
{
    uint32_t run = 0, start = 0, p = 0;

    while (p < b->data_pages) {
        uint32_t w = b->pagemap[p >> 5];
        if ((p & 31u) == 0 && w == UINT32_MAX) {
            run = 0;
            p += 32;
            continue;
        }
        if ((p & 31u) == 0 && w == 0) {
            if (run == 0)
                start = p;
            run += 32;
            p += 32;
        } else {
            if ((w >> (p & 31u)) & 1u) {
                run = 0;
            } else {
                if (run == 0)
                    start = p;
                run++;
            }
            p++;
        }
        if (run >= n) {
            *first = start;
            return 1;
        }
    }
    return 0;
}

/* Whether the n data pages from first are all free. */
static int pages_free(const struct bank *b, uint32_t first, uint32_t n)
{
    for (uint32_t p = first; p < first + n; p++)
        if (bit_get(b->pagemap, p))
            return 0;
    return 1;
}

/* Drops slot s from the cached root and the index (no store): part of a free. */
static void slot_release(struct bank *b, uint32_t s)
{
    const struct bank_entry *e = entry_live(b, s);
    tally_entry(b, e, -1);
    index_remove(b, s);
    pages_mark(b, (e->offset - b->data_off) / BANK_PAGE_SIZE, e->pages, 0);
    bit_clear(used_map(b), s);
    b->blocks--;
    b->pages_used -= e->pages;
}

/* Commits the cached root, already changed, as sequence seq + 1 over the older root copy:
 * the single store that makes an update happen. Called last by every update. */
static void root_commit(struct bank *b)
{
    struct bank_root *r = b->root;
    r->seq++;
    r->copy = (uint32_t)(r->seq & 1u);
    r->blocks = b->blocks;
    r->pages_used = b->pages_used;
    r->crc = root_crc(r, b->words);
    bank_sync(b);
    bank_store(b, b->root_off[r->copy], r, b->root_size);
    bank_sync(b);
}

/* Writes an empty bank: header invalidated first and written last, so an initialisation cut
 * short is found invalid (and redone) at the next open. Both root copies are written (empty,
 * seq 0 and 1) so that no stale root survives. zero_hr (a cold boot): zeroes the HR areas;
 * a warm re-initialisation leaves them to HR, which validates its registry and crash log
 * itself, so damage to the directory does not wipe them too. */
static void bank_format(struct bank *b, int zero_hr)
{
    const uint32_t zero = 0;
    struct bank_header h;
    struct bank_root *r = b->root;

    header_build(b, &h);
    bank_store(b, BANK_HEADER_OFF + offsetof(struct bank_header, magic), &zero, sizeof(zero));
    bank_sync(b);
    if (zero_hr) {
        bank_store(b, b->hr_registry_off, NULL, BANK_HR_REGISTRY_SIZE);
        bank_store(b, b->hr_crashlog_off, NULL, BANK_HR_CRASHLOG_SIZE);
        bank_store(b, b->hr_dumps_off, NULL, BANK_HR_DUMPS_SIZE);
    }
    memset(r, 0, b->root_size);
    r->magic = BANK_ROOT_MAGIC;
    r->words = b->words;
    for (uint32_t c = 0; c < 2; c++) {
        r->copy = c;
        r->seq = c;
        r->crc = root_crc(r, b->words);
        bank_store(b, b->root_off[c], r, b->root_size);
    }
    bank_sync(b);
    bank_store(b, BANK_HEADER_OFF, &h, sizeof(h));
    bank_sync(b);
    index_reset(b);
}

/* Whether the root copy c on the bank is whole: magic, place, size and CRC. */
static int root_valid(const struct bank *b, uint32_t c)
{
    const struct bank_root *r = (const struct bank_root *)(b->base + b->root_off[c]);
    return r->magic == BANK_ROOT_MAGIC && r->copy == c && (r->seq & 1u) == c &&
           r->words == b->words && r->crc == root_crc(r, b->words);
}

/* Checks the entry of used slot s on its own; a why format with %u = slot, or NULL. */
static const char *entry_check(const struct bank *b, const struct bank_entry *e, uint32_t s)
{
    if (e->crc != entry_crc(e))
        return "entry %u crc";
    if (e->slot != s)
        return "entry %u slot";
    if (e->seq > b->root->seq)
        return "entry %u newer than directory";
    if (!padded_string_ok(e->medium, BANK_MEDIUM_SIZE) || !medium_ok(e->medium))
        return "entry %u medium";
    if (!padded_string_ok(e->name, BANK_NAME_SIZE))
        return "entry %u name";
    if (e->key_len > BANK_KEY_SIZE)
        return "entry %u key";
    for (uint32_t i = e->key_len; i < BANK_KEY_SIZE; i++)
        if (e->key[i] != 0)
            return "entry %u key";
    if ((e->flags & ~BANK_ENTRY_SYSKEY) != 0 ||
        !(e->flags & BANK_ENTRY_SYSKEY) != !key_is_sys(e->key, e->key_len))
        return "entry %u flags";
    if (!owner_ok(e->owner))
        return "entry %u owner";
    if (e->group < 0)
        return "entry %u group";
    if (e->size == 0 || e->size > b->size || e->pages != pages_for(e->size))
        return "entry %u size";
    if (e->offset % BANK_PAGE_SIZE != 0 || e->offset < b->data_off || e->offset > b->size ||
        e->pages > (b->size - e->offset) / BANK_PAGE_SIZE)
        return "entry %u offset";
    return NULL;
}

/* The used slot below s whose pages meet [first, first + n), for the overlap message. */
static uint32_t overlap_owner(const struct bank *b, uint32_t s, uint32_t first, uint32_t n)
{
    for (uint32_t j = 0; j < s; j++) {
        if (!bit_get(used_map(b), j))
            continue;
        const struct bank_entry *o = entry_live(b, j);
        uint32_t ofirst = (o->offset - b->data_off) / BANK_PAGE_SIZE;
        if (ofirst < first + n && first < ofirst + o->pages)
            return j;
    }
    return s;
}

/* Validates the whole bank and builds the index on success; returns 1 (why = "" or a note
 * about a bad root copy), or 0 with why saying what is wrong. Called by bank_open (warm). */
static int bank_load(struct bank *b, char *why, size_t whylen)
{
    const struct bank_header *h = (const struct bank_header *)(b->base + BANK_HEADER_OFF);
    struct bank_header want;
    int ok[2];
    uint32_t cur, count = 0, pages = 0;

    header_build(b, &want);
    if (h->magic != BANK_MAGIC)
        return why_fmt(why, whylen, "header magic", 0, 0), 0;
    if (h->crc != crc32_update(0, h, offsetof(struct bank_header, crc)))
        return why_fmt(why, whylen, "header crc", 0, 0), 0;
    if (h->version != BANK_LAYOUT_VERSION)
        return why_fmt(why, whylen, "header version", 0, 0), 0;
    if (memcmp(h, &want, sizeof(want)) != 0)
        return why_fmt(why, whylen, "header geometry", 0, 0), 0;

    ok[0] = root_valid(b, 0);
    ok[1] = root_valid(b, 1);
    if (!ok[0] && !ok[1])
        return why_fmt(why, whylen, "directory copies both bad", 0, 0), 0;
    if (ok[0] && ok[1]) {
        const struct bank_root *r0 = (const void *)(b->base + b->root_off[0]);
        const struct bank_root *r1 = (const void *)(b->base + b->root_off[1]);
        cur = r1->seq > r0->seq ? 1u : 0u;
    } else {
        cur = ok[1] ? 1u : 0u;
    }
    memcpy(b->root, b->base + b->root_off[cur], b->root_size);

    if (b->max_blocks % 32u != 0) {
        uint32_t tail = ~((1u << (b->max_blocks % 32u)) - 1u);
        if ((used_map(b)[b->words - 1] & tail) != 0)
            return why_fmt(why, whylen, "directory root bitmap", 0, 0), 0;
    }

    index_reset(b);
    for (uint32_t s = 0; s < b->max_blocks; s++) {
        if (!bit_get(used_map(b), s))
            continue;
        const struct bank_entry *e = entry_live(b, s);
        const char *what = entry_check(b, e, s);
        if (what != NULL)
            return why_fmt(why, whylen, what, s, 0), 0;
        uint32_t first = (e->offset - b->data_off) / BANK_PAGE_SIZE;
        for (uint32_t p = first; p < first + e->pages; p++)
            if (bit_get(b->pagemap, p))
                return why_fmt(why, whylen, "entry %u overlaps entry %u",
                               overlap_owner(b, s, first, e->pages), s), 0;
        uint32_t hash = name_hash(e->name);
        int dup = index_find(b, e->medium, e->name, hash);
        if (dup >= 0)
            return why_fmt(why, whylen, "entries %u and %u have the same name",
                           (uint32_t)dup, s), 0;
        pages_mark(b, first, e->pages, 1);
        index_insert(b, s, hash);
        tally_entry(b, e, 1);
        count++;
        pages += e->pages;
    }
    if (count != b->root->blocks || pages != b->root->pages_used)
        return why_fmt(why, whylen, "directory counts", 0, 0), 0;
    b->blocks = count;
    b->pages_used = pages;
    if (ok[0] && ok[1])
        why_fmt(why, whylen, "", 0, 0);
    else
        why_fmt(why, whylen, "directory copy %u bad, copy %u used", 1u - cur, cur);
    return 1;
}

/* Work area bytes for a bank: called by the PMM server to size its buffer; 0 if impossible. */
size_t bank_work_size(uint32_t size, uint32_t max_blocks)
{
    struct layout l;
    return layout_compute(&l, size, max_blocks) ? l.work_size : 0;
}

/* Sets the store and sync hooks (NULL: defaults); called before bank_open by the server
 * (cache maintenance on hardware) and by the host tests (crash injection). */
void bank_set_hooks(struct bank *b, bank_store_fn store, bank_sync_fn sync, void *ctx)
{
    b->store = store != NULL ? store : default_store;
    b->sync = sync != NULL ? sync : default_sync;
    b->hook_ctx = ctx;
}

/* Opens the bank at boot (PMM server): validates it on a warm boot, else initialises it;
 * builds the index. Returns what happened, with why. */
enum bank_open_result bank_open(struct bank *b, void *base, uint32_t size, uint32_t max_blocks,
                                void *work, size_t work_size, int warm, char *why,
                                size_t whylen)
{
    struct layout l;
    uint8_t *w = work;

    why_fmt(why, whylen, "", 0, 0);
    if (b == NULL || base == NULL || ((uintptr_t)base & 7u) != 0 ||
        !layout_compute(&l, size, max_blocks)) {
        why_fmt(why, whylen, "bank geometry", 0, 0);
        return BANK_UNUSABLE;
    }
    if (w == NULL || ((uintptr_t)w & 7u) != 0 || work_size < l.work_size) {
        why_fmt(why, whylen, "work area too small", 0, 0);
        return BANK_UNUSABLE;
    }
    if (b->store == NULL)
        b->store = default_store;
    if (b->sync == NULL)
        b->sync = default_sync;
    b->base = base;
    b->size = size;
    b->max_blocks = max_blocks;
    b->words = l.words;
    b->root_off[0] = l.root_off[0];
    b->root_off[1] = l.root_off[1];
    b->root_size = l.root_size;
    b->hr_registry_off = l.hr_registry_off;
    b->hr_crashlog_off = l.hr_crashlog_off;
    b->hr_dumps_off = l.hr_dumps_off;
    b->data_off = l.data_off;
    b->data_pages = l.data_pages;
    b->hash_mask = l.buckets - 1u;
    b->root = (struct bank_root *)(void *)w;
    b->name_hash = (uint32_t *)(void *)(w + l.work_hash);
    b->prev_used = (uint32_t *)(void *)(w + l.work_prev);
    b->pagemap = (uint32_t *)(void *)(w + l.work_pagemap);
    b->bucket = (uint16_t *)(void *)(w + l.work_bucket);
    b->chain = (uint16_t *)(void *)(w + l.work_chain);
    b->tally = (struct bank_tally *)(void *)(w + l.work_tally);

    if (warm && bank_load(b, why, whylen))
        return BANK_KEPT;
    bank_format(b, !warm);
    if (!warm) {
        why_fmt(why, whylen, "cold boot", 0, 0);
        return BANK_INITIALISED;
    }
    return BANK_INVALID_REINITIALISED;
}

/* Checks the bad input of SPEC 4 for pmmAllocate; called by bank_alloc, bank_retrieve and the
 * server. Returns K_OK, K_EINVAL or K_EPRIV. */
int bank_check_request(const struct bank *b, const struct bank_name *name, size_t size,
                       const void *key, size_t key_len, int32_t group, unsigned flags)
{
    if (!name_ok(name) || size == 0 || size > b->size || group < 0)
        return K_EINVAL;
    return key_check(key, key_len, flags);
}

/* Looks a block up by name (server, every pmm call): its live entry, or NULL. */
const struct bank_entry *bank_lookup(const struct bank *b, const struct bank_name *name)
{
    if (!name_ok(name))
        return NULL;
    int s = index_find(b, name->medium, name->name, name_hash(name->name));
    return s >= 0 ? entry_live(b, (uint32_t)s) : NULL;
}

/* Retrieves an existing block for pmmAllocate (server): K_OK with *out, or an error. */
int bank_retrieve(const struct bank *b, const struct bank_name *name, size_t size,
                  const void *key, size_t key_len, int32_t group, unsigned flags,
                  const struct bank_entry **out)
{
    int rc = bank_check_request(b, name, size, key, key_len, group, flags);
    if (rc != K_OK)
        return rc;
    int s = index_find(b, name->medium, name->name, name_hash(name->name));  /* name checked */
    if (s < 0)
        return K_EUNKNOWN;
    const struct bank_entry *e = entry_live(b, (uint32_t)s);
    if (!key_equal(e, key, key_len) || e->group != group)
        return K_EPRIV;
    if (size > e->size)
        return K_EINVAL;
    if (out != NULL)
        *out = e;
    return K_OK;
}

/* Whether one more block of pages pages stays within a quota (limits 0: none) over what the
 * tally t (NULL: nothing yet) holds: K_OK, K_ETOOMUCH (blocks) or K_ENOMEM (pages). */
static int quota_check(const struct bank_tally *t, uint32_t pages, uint32_t max_pages,
                       uint32_t max_blocks)
{
    uint32_t held_pages = t != NULL ? t->pages : 0, held_blocks = t != NULL ? t->blocks : 0;
    if (max_blocks != 0 && held_blocks >= max_blocks)
        return K_ETOOMUCH;
    if (max_pages != 0 && (pages > max_pages || held_pages > max_pages - pages))
        return K_ENOMEM;
    return K_OK;
}

/* Allocates a new block (bank_alloc, bank_alloc_restore): checks the owner's and the group's
 * quotas, takes its pages at bank offset prefer when they are free (0: first fit), fills them
 * from page_src (NULL: zeros), then commits its entry. Returns K_OK with *out, or an error
 * having stored nothing. */
static int alloc_at(struct bank *b, const struct bank_name *name, size_t size, const void *key,
                    size_t key_len, int32_t group, unsigned flags, const struct bank_owner *owner,
                    uint32_t prefer, bank_page_fn page_src, void *ctx,
                    const struct bank_entry **out)
{
    static const struct bank_owner nobody;
    struct bank_entry e;
    struct bank_tally *ot, *gt = NULL;
    uint32_t first, hash, pages;
    int rc = bank_check_request(b, name, size, key, key_len, group, flags);
    if (rc != K_OK)
        return rc;
    if (owner == NULL)
        owner = &nobody;
    size_t owner_len = strnlen(owner->image, BANK_OWNER_SIZE);
    if (owner_len == BANK_OWNER_SIZE)
        return K_EINVAL;
    hash = name_hash(name->name);
    if (index_find(b, name->medium, name->name, hash) >= 0)
        return K_EEXIST;
    int s = slot_find_free(b);
    if (s < 0)
        return K_ETOOMUCH;
    pages = pages_for((uint32_t)size);
    memset(&e, 0, sizeof(e));
    memcpy(e.owner, owner->image, owner_len);      /* zero padded, as tallies compare it */
    ot = tally_find(b, e.owner, 0);
    rc = quota_check(ot, pages, owner->max_pages, owner->max_blocks);
    if (rc == K_OK && group > 0) {
        gt = tally_find(b, NULL, group);
        rc = quota_check(gt, pages, owner->group_max_pages, owner->group_max_blocks);
    }
    if (rc != K_OK)
        return rc;
    first = (prefer - b->data_off) / BANK_PAGE_SIZE;
    if (prefer < b->data_off || prefer % BANK_PAGE_SIZE != 0 || first >= b->data_pages ||
        pages > b->data_pages - first || !pages_free(b, first, pages)) {
        if (!pages_find_run(b, pages, &first))
            return K_ENOMEM;
    }

    e.seq = b->root->seq + 1u;
    memcpy(e.medium, name->medium, strlen(name->medium));
    memcpy(e.name, name->name, strlen(name->name));
    if (key_len != 0)
        memcpy(e.key, key, key_len);
    e.key_len = (uint32_t)key_len;
    e.size = (uint32_t)size;
    e.pages = pages;
    e.offset = b->data_off + first * BANK_PAGE_SIZE;
    e.group = group;
    e.flags = key_is_sys(key, key_len) ? BANK_ENTRY_SYSKEY : 0u;
    e.slot = (uint32_t)s;
    e.crc = entry_crc(&e);

    if (page_src == NULL)
        bank_store(b, e.offset, NULL, (size_t)pages * BANK_PAGE_SIZE);
    for (uint32_t p = 0; page_src != NULL && p < pages; p++)
        bank_store(b, e.offset + p * BANK_PAGE_SIZE, page_src(ctx, p), BANK_PAGE_SIZE);
    bank_store(b, entry_off((uint32_t)s), &e, sizeof(e));

    bit_set(used_map(b), (uint32_t)s);
    pages_mark(b, first, pages, 1);
    index_insert(b, (uint32_t)s, hash);
    tally_add(b, ot, e.owner, 0, pages, 1);
    if (group > 0)
        tally_add(b, NULL, NULL, group, pages, 1);  /* gt may have become the owner's */
    b->blocks++;
    b->pages_used += pages;
    root_commit(b);
    if (out != NULL)
        *out = entry_live(b, (uint32_t)s);
    return K_OK;
}

/* Allocates a new block for pmmAllocate (server): checks the owner's and the group's quotas,
 * zeroes its pages, then commits its entry. Returns K_OK with *out, or an error having stored
 * nothing. */
int bank_alloc(struct bank *b, const struct bank_name *name, size_t size, const void *key,
               size_t key_len, int32_t group, unsigned flags, const struct bank_owner *owner,
               const struct bank_entry **out)
{
    return alloc_at(b, name, size, key, key_len, group, flags, owner, 0, NULL, NULL, out);
}

/* Allocates the working copy of an NVRAM block after a power-off (server at boot): at prefer
 * if free, with its committed contents, in one commit. As bank_alloc. */
int bank_alloc_restore(struct bank *b, const struct bank_name *name, size_t size,
                       const void *key, size_t key_len, int32_t group, unsigned flags,
                       const struct bank_owner *owner, uint32_t prefer, bank_page_fn page_src,
                       void *ctx, const struct bank_entry **out)
{
    return alloc_at(b, name, size, key, key_len, group, flags, owner, prefer, page_src, ctx,
                    out);
}

/* pmmFree (server): drops the block in one root commit. K_OK, K_EINVAL or K_EUNKNOWN. */
int bank_free(struct bank *b, const struct bank_name *name, const struct bank_entry **freed)
{
    if (!name_ok(name))
        return K_EINVAL;
    int s = index_find(b, name->medium, name->name, name_hash(name->name));
    if (s < 0)
        return K_EUNKNOWN;
    slot_release(b, (uint32_t)s);
    root_commit(b);
    if (freed != NULL)
        *freed = entry_live(b, (uint32_t)s);
    return K_OK;
}

/* What a batch free matches: a key, or a group. */
struct match {
    const void *key;
    size_t key_len;
    int32_t group;               /* > 0: match the group, else the key */
};

/* Frees every block matching m in one root commit, then shows each to `each`; the count. */
static int free_matching(struct bank *b, const struct match *m, bank_each_fn each, void *ctx)
{
    uint32_t *used = used_map(b);
    int n = 0;

    memcpy(b->prev_used, used, 4u * b->words);
    for (uint32_t s = 0; s < b->max_blocks; s++) {
        if (!bit_get(used, s))
            continue;
        const struct bank_entry *e = entry_live(b, s);
        if (m->group > 0 ? e->group == m->group : key_equal(e, m->key, m->key_len)) {
            slot_release(b, s);
            n++;
        }
    }
    if (n == 0)
        return 0;
    root_commit(b);
    for (uint32_t s = 0; each != NULL && s < b->max_blocks; s++)
        if (bit_get(b->prev_used, s) && !bit_get(used, s))
            each(ctx, entry_live(b, s));
    return n;
}

/* pmmFreeAll (server): every block of this key; the count, K_EINVAL or K_EPRIV. */
int bank_free_all(struct bank *b, const void *key, size_t key_len, unsigned flags,
                  bank_each_fn each, void *ctx)
{
    int rc = key_check(key, key_len, flags);
    if (rc != K_OK)
        return rc;
    struct match m = {key, key_len, 0};
    return free_matching(b, &m, each, ctx);
}

/* A restart group's blocks (HR, group ended or killed): the count, or K_EINVAL. */
int bank_free_group(struct bank *b, int32_t group, bank_each_fn each, void *ctx)
{
    if (group <= 0)
        return K_EINVAL;
    struct match m = {NULL, 0, group};
    return free_matching(b, &m, each, ctx);
}

/* Iterates the blocks in slot order (console listing, server restart): next entry or NULL. */
const struct bank_entry *bank_next(const struct bank *b, uint32_t *cursor)
{
    for (uint32_t s = *cursor; s < b->max_blocks; s++) {
        if (bit_get(used_map(b), s)) {
            *cursor = s + 1;
            return entry_live(b, s);
        }
    }
    *cursor = b->max_blocks;
    return NULL;
}

/* What an owner or a group holds (host tests; the server lists the tallies instead). */
void bank_usage(const struct bank *b, const char *image, int32_t group, uint32_t *pages,
                uint32_t *blocks)
{
    char padded[BANK_OWNER_SIZE] = {0};
    if (image != NULL)
        memcpy(padded, image, strnlen(image, BANK_OWNER_SIZE - 1));
    const struct bank_tally *t = tally_find(b, image != NULL ? padded : NULL, group);
    *pages = t != NULL ? t->pages : 0;
    *blocks = t != NULL ? t->blocks : 0;
}

/* Iterates the tallies that hold blocks (server, PMM_OP_USAGE): the next one or NULL. */
const struct bank_tally *bank_next_tally(const struct bank *b, uint32_t *cursor)
{
    for (uint32_t i = *cursor; i < b->ntally; i++) {
        if (b->tally[i].blocks != 0) {
            *cursor = i + 1;
            return &b->tally[i];
        }
    }
    *cursor = b->ntally;
    return NULL;
}

/* Blocks in the directory. */
uint32_t bank_block_count(const struct bank *b)
{
    return b->blocks;
}

/* Data pages held by blocks. */
uint32_t bank_used_pages(const struct bank *b)
{
    return b->pages_used;
}

/* Data pages not held by any block (not necessarily contiguous). */
uint32_t bank_free_pages(const struct bank *b)
{
    return b->data_pages - b->pages_used;
}

/* Data pages of the bank. */
uint32_t bank_data_pages(const struct bank *b)
{
    return b->data_pages;
}

/* The HR group registry's place (HR controller, through the server). */
void bank_hr_registry(const struct bank *b, uint32_t *off, uint32_t *size)
{
    *off = b->hr_registry_off;
    *size = BANK_HR_REGISTRY_SIZE;
}

/* The HR crash log's place (HR controller, through the server). */
void bank_hr_crashlog(const struct bank *b, uint32_t *off, uint32_t *size)
{
    *off = b->hr_crashlog_off;
    *size = BANK_HR_CRASHLOG_SIZE;
}

/* The HR post-mortem dump ring's place (HR controller, through the server). */
void bank_hr_dumps(const struct bank *b, uint32_t *off, uint32_t *size)
{
    *off = b->hr_dumps_off;
    *size = BANK_HR_DUMPS_SIZE;
}

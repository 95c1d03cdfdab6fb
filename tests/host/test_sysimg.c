/* Host tests of kernel/sysimg.c: a good system image and every malformed one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/sysimg.h>
#include <reprise/errors.h>

#define IMG_CAP (80 * 4096)

static uint8_t img[IMG_CAP] __attribute__((aligned(4096)));
static char err[128];
static struct sysimg si;

/* A file as the tests describe it; its bytes are a pattern derived from its index. */
struct ent {
    const char *name;
    uint32_t size;
    uint32_t privileges;
};

static const struct ent good_ents[] = {
    { "hello", 0x1234, 0 },
    { "pmm", 0x2000, PRIV_SERVER | PRIV_BANK },
    { "cinit", 0x0010, PRIV_ACTORS | PRIV_SITE | PRIV_FAULTS },
};
static const char good_script[] = "# boot script\narun -g 1 hello\n";

static struct sysimg_disk_header *hdr(void) { return (struct sysimg_disk_header *)img; }
static struct sysimg_disk_entry *ent(unsigned i)
{
    return (struct sysimg_disk_entry *)(img + SYSIMG_TABLE_OFFSET) + i;
}

/* Lays out an image as scripts/mkimage.py does (files on page boundaries, then the script,
   padded to a page) into img[]; returns its size. */
static uint32_t build(const struct ent *e, unsigned n, const char *script)
{
    memset(img, 0, sizeof(img));
    uint32_t off = SYSIMG_HEADER_SIZE;
    for (unsigned i = 0; i < n; i++) {
        struct sysimg_disk_entry *d = ent(i);
        strncpy(d->name, e[i].name, sizeof(d->name));
        d->offset = off;
        d->size = e[i].size;
        d->privileges = e[i].privileges;
        for (uint32_t b = 0; b < e[i].size; b++)
            img[off + b] = (uint8_t)(i + 1 + b);
        off += (e[i].size + 4095) & ~4095u;
    }
    struct sysimg_disk_header *h = hdr();
    memcpy(h->magic, SYSIMG_MAGIC, SYSIMG_MAGIC_SIZE);
    h->version = SYSIMG_VERSION;
    h->count = n;
    if (script != NULL) {
        h->script_offset = off;
        h->script_size = (uint32_t)strlen(script);
        memcpy(img + off, script, h->script_size);
        off += h->script_size;
    }
    h->image_size = (off + 4095) & ~4095u;
    return h->image_size;
}

static uint32_t build_good(void)
{
    return build(good_ents, 3, good_script);
}

/* Parses a copy of img[0, len) in a buffer of exactly len bytes, so that ASan catches any
   read past the end. The copy is kept (leaked until the next call) because si points in. */
static int parse(uint32_t len)
{
    static uint8_t *copy;
    free(copy);
    copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, img, len);
    memset(err, 'x', sizeof(err));
    memset(&si, 0xa5, sizeof(si));
    int rc = sysimg_parse(copy, len, &si, err, sizeof(err));
    assert_non_null(memchr(err, '\0', sizeof(err)));
    return rc;
}

/* Parses img[0, len) expecting failure with code, a message containing want, and an empty
   result. */
static void expect_fail(uint32_t len, int code, const char *want)
{
    int rc = parse(len);
    if (rc != code || strstr(err, want) == NULL)
        fail_msg("rc %d (want %d), message \"%s\" (want \"%s\")", rc, code, err, want);
    assert_int_equal(si.count, 0);
    assert_null(si.base);
    assert_null(si.script);
    assert_int_equal(si.script_len, 0);
    assert_null(sysimg_at(&si, 0));
    assert_null(sysimg_find(&si, "hello"));
}

static void test_good_image(void **state)
{
    (void)state;
    uint32_t len = build_good();
    assert_int_equal(len, 7 * 4096);
    assert_int_equal(parse(len), 0);
    assert_string_equal(err, "");
    assert_int_equal(si.count, 3);
    assert_int_equal(si.size, len);
    const uint32_t offsets[] = { 0x1000, 0x3000, 0x5000 };
    for (unsigned i = 0; i < 3; i++) {
        const struct sysimg_file *f = sysimg_at(&si, i);
        assert_non_null(f);
        assert_string_equal(f->name, good_ents[i].name);
        assert_int_equal(f->offset, offsets[i]);
        assert_int_equal(f->size, good_ents[i].size);
        assert_int_equal(f->privileges, good_ents[i].privileges);
        assert_int_equal(f->flags, 0);
        assert_ptr_equal(f->data, si.base + offsets[i]);
        assert_int_equal(((const uint8_t *)f->data)[0], i + 1);
        assert_int_equal(((const uint8_t *)f->data)[f->size - 1], (uint8_t)(i + f->size));
    }
    assert_null(sysimg_at(&si, 3));
    assert_null(sysimg_at(&si, 0xffffffff));
    assert_int_equal(si.script_len, strlen(good_script));
    assert_memory_equal(si.script, good_script, si.script_len);
    assert_ptr_equal(si.script, (const char *)si.base + 0x6000);
}

static void test_find(void **state)
{
    (void)state;
    assert_int_equal(parse(build_good()), 0);
    assert_ptr_equal(sysimg_find(&si, "pmm"), sysimg_at(&si, 1));
    assert_ptr_equal(sysimg_find(&si, "cinit"), sysimg_at(&si, 2));
    assert_ptr_equal(sysimg_find(&si, "hello"), sysimg_at(&si, 0));
    assert_null(sysimg_find(&si, "hell"));
    assert_null(sysimg_find(&si, "hello2"));
    assert_null(sysimg_find(&si, ""));
}

static void test_iteration(void **state)
{
    (void)state;
    assert_int_equal(parse(build_good()), 0);
    const struct sysimg_file *f;
    uint32_t i, total = 0;
    for (i = 0; (f = sysimg_at(&si, i)) != NULL; i++)
        total += f->size;
    assert_int_equal(i, 3);
    assert_int_equal(total, 0x1234 + 0x2000 + 0x10);
}

static void test_padding_after_image_is_fine(void **state)
{
    (void)state;
    uint32_t len = build_good();
    assert_int_equal(parse(len + 3 * 4096 + 7), 0);
    assert_int_equal(si.size, len);
}

static void test_empty_image_and_no_script(void **state)
{
    (void)state;
    assert_int_equal(parse(build(NULL, 0, NULL)), 0);
    assert_int_equal(si.count, 0);
    assert_null(si.script);
    assert_int_equal(si.script_len, 0);
    assert_null(sysimg_find(&si, "hello"));

    assert_int_equal(parse(build(good_ents, 2, NULL)), 0);
    assert_int_equal(si.count, 2);
    assert_null(si.script);

    assert_int_equal(parse(build(NULL, 0, "arun hello\n")), 0);
    assert_int_equal(si.script_len, 11);
}

static void test_truncated_at_every_length(void **state)
{
    (void)state;
    uint32_t len = build_good();
    for (uint32_t n = 0; n < len; n++) {
        int rc = parse(n);
        if (rc != K_EINVAL)
            fail_msg("length %u: rc %d", n, rc);
        assert_true(strlen(err) > 0);
    }
    expect_fail(100, K_EINVAL, "truncated header");
    expect_fail(len - 1, K_EINVAL, "image size");
    assert_int_equal(parse(len), 0);
}

static void test_null_image_and_null_err(void **state)
{
    (void)state;
    uint32_t len = build_good();
    assert_int_equal(sysimg_parse(NULL, len, &si, err, sizeof(err)), K_EINVAL);
    assert_int_equal(sysimg_parse(img, 10, &si, NULL, 0), K_EINVAL);
    assert_int_equal(sysimg_parse(img, len, &si, NULL, 0), 0);
    char small[4];
    assert_int_equal(sysimg_parse(img, 10, &si, small, sizeof(small)), K_EINVAL);
    assert_string_equal(small, "tru");
}

static void test_bad_header(void **state)
{
    (void)state;
    uint32_t len = build_good();
    hdr()->magic[7] = '2';
    expect_fail(len, K_EINVAL, "bad magic");
    build_good();
    memset(img, 0, 64);
    expect_fail(len, K_EINVAL, "bad magic");
    build_good();
    hdr()->version = 1;                 /* the 32-byte entries of before */
    expect_fail(len, K_EINVAL, "unsupported version 1");
    build_good();
    hdr()->version = 0;
    expect_fail(len, K_EINVAL, "unsupported version 0");
    build_good();
    hdr()->reserved = 1;
    expect_fail(len, K_EINVAL, "reserved header field");
    build_good();
    hdr()->image_size = len + 1;
    expect_fail(len, K_EINVAL, "image size");
    build_good();
    hdr()->image_size = 0xffffffff;
    expect_fail(len, K_EINVAL, "image size");
    build_good();
    hdr()->image_size = 4095;
    expect_fail(len, K_EINVAL, "image size");
    build_good();
    hdr()->image_size = 0;
    expect_fail(len, K_EINVAL, "image size");
}

static void test_count_limits(void **state)
{
    (void)state;
    static struct ent many[SYSIMG_MAX_ENTRIES + 1];
    static char names[SYSIMG_MAX_ENTRIES + 1][16];
    for (unsigned i = 0; i <= SYSIMG_MAX_ENTRIES; i++) {
        snprintf(names[i], sizeof(names[i]), "actor%u", i);
        many[i] = (struct ent){ names[i], 100 + i, 0 };
    }
    uint32_t len = build(many, SYSIMG_MAX_ENTRIES, "x");
    assert_int_equal(parse(len), 0);
    assert_int_equal(si.count, SYSIMG_MAX_ENTRIES);
    assert_non_null(sysimg_find(&si, "actor63"));
    hdr()->count = SYSIMG_MAX_ENTRIES + 1;
    expect_fail(len, K_ETOOMUCH, "too many entries");
    hdr()->count = 0xffffffff;
    expect_fail(len, K_ETOOMUCH, "too many entries");
    /* A count larger than the table written: the extra entries are zero, hence nameless. */
    len = build_good();
    hdr()->count = 4;
    expect_fail(len, K_EINVAL, "entry 3: empty name");
}

static void test_bad_names(void **state)
{
    (void)state;
    uint32_t len = build_good();
    memset(ent(1)->name, 'a', 16);
    expect_fail(len, K_EINVAL, "entry 1: name not terminated");
    build_good();
    ent(0)->name[0] = '\0';
    expect_fail(len, K_EINVAL, "entry 0: empty name");
    build_good();
    ent(2)->name[1] = ' ';
    expect_fail(len, K_EINVAL, "entry 2: name has a space");
    build_good();
    ent(2)->name[0] = '\n';
    expect_fail(len, K_EINVAL, "non-printable");
    build_good();
    ent(2)->name[0] = (char)0xc3;
    expect_fail(len, K_EINVAL, "non-printable");
    build_good();
    ent(0)->name[10] = 'x';         /* garbage after "hello\0" */
    expect_fail(len, K_EINVAL, "entry 0: name not zero-padded");
    /* Fifteen characters is the longest name. */
    build_good();
    memcpy(ent(0)->name, "abcdefghijklmno", 16);
    assert_int_equal(parse(len), 0);
    assert_non_null(sysimg_find(&si, "abcdefghijklmno"));
}

static void test_duplicate_names(void **state)
{
    (void)state;
    uint32_t len = build_good();
    memcpy(ent(2)->name, "pmm\0\0", 5);
    expect_fail(len, K_EINVAL, "entry 2: duplicate name 'pmm'");
}

static void test_bad_file_ranges(void **state)
{
    (void)state;
    uint32_t len = build_good();
    ent(1)->offset += 8;
    expect_fail(len, K_EINVAL, "entry 1 (pmm): offset 0x3008 not page aligned");
    build_good();
    ent(0)->offset = 0;
    expect_fail(len, K_EINVAL, "entry 0 (hello): overlaps the header page");
    build_good();
    ent(2)->size = 0;
    expect_fail(len, K_EINVAL, "entry 2 (cinit): empty file");
    build_good();
    ent(2)->offset = len;
    expect_fail(len, K_EINVAL, "entry 2 (cinit): file past end of image");
    build_good();
    ent(2)->size = len - ent(2)->offset + 1;
    expect_fail(len, K_EINVAL, "file past end of image");
    build_good();
    ent(2)->offset = 0xfffff000;    /* offset + size wraps in 32 bits */
    ent(2)->size = 0x2000;
    expect_fail(len, K_EINVAL, "file past end of image");
    build_good();
    ent(2)->size = 0xffffffff;
    expect_fail(len, K_EINVAL, "file past end of image");
}

static void test_unknown_bits(void **state)
{
    (void)state;
    uint32_t len = build_good();
    ent(1)->privileges = 1u << 31;
    expect_fail(len, K_EINVAL, "entry 1 (pmm): unknown privileges 0x80000000");
    build_good();
    ent(0)->flags = 1u << 31;
    expect_fail(len, K_EINVAL, "entry 0 (hello): unknown flags 0x80000000");
    build_good();
    ent(0)->flags = ~SYSIMG_FLAGS_KNOWN;
    expect_fail(len, K_EINVAL, "entry 0 (hello): unknown flags");
    build_good();
    ent(0)->privileges = SYSIMG_PRIVS_KNOWN;
    ent(0)->flags = SYSIMG_FLAGS_KNOWN;
    ent(1)->flags = SYSIMG_FLAG_BOOT | (20u << SYSIMG_FLAG_PRIO_SHIFT);
    assert_int_equal(parse(len), 0);
    assert_int_equal(sysimg_at(&si, 0)->privileges, SYSIMG_PRIVS_KNOWN);
    assert_int_equal(sysimg_at(&si, 0)->flags, SYSIMG_FLAGS_KNOWN);
    assert_int_equal(sysimg_at(&si, 1)->flags & SYSIMG_FLAG_BOOT, SYSIMG_FLAG_BOOT);
    assert_int_equal((sysimg_at(&si, 1)->flags & SYSIMG_FLAG_PRIO_MASK) >> SYSIMG_FLAG_PRIO_SHIFT,
                     20);
}

static void test_overlapping_files(void **state)
{
    (void)state;
    uint32_t len = build_good();
    ent(1)->offset = ent(0)->offset;
    expect_fail(len, K_EINVAL, "entry 1 (pmm) overlaps entry 0 (hello)");
    /* hello is 0x1234 bytes at 0x1000: its second page is 0x2000, which pmm may not share. */
    build_good();
    ent(1)->offset = 0x2000;
    expect_fail(len, K_EINVAL, "entry 1 (pmm) overlaps entry 0 (hello)");
    /* Later entry placed before an earlier one, overlapping it. */
    build_good();
    ent(2)->offset = 0x2000;
    ent(2)->size = 0x1001;
    expect_fail(len, K_EINVAL, "entry 2 (cinit) overlaps entry");
    /* Files in any order are fine when they do not share pages. */
    build_good();
    uint32_t t = ent(0)->offset;
    ent(0)->offset = ent(2)->offset;
    ent(0)->size = 0x10;
    ent(2)->offset = t;
    assert_int_equal(parse(len), 0);
}

static void test_bad_script(void **state)
{
    (void)state;
    uint32_t len = build_good();
    hdr()->script_offset = 0x100;
    expect_fail(len, K_EINVAL, "script overlaps the header page");
    build_good();
    hdr()->script_size = len;
    expect_fail(len, K_EINVAL, "script past end of image");
    build_good();
    hdr()->script_offset = 0xffffff00;  /* offset + size wraps in 32 bits */
    hdr()->script_size = 0x200;
    expect_fail(len, K_EINVAL, "script past end of image");
    build_good();
    img[hdr()->script_offset + 3] = '\0';
    expect_fail(len, K_EINVAL, "script contains a NUL byte");
    build_good();
    hdr()->script_size = 0;
    expect_fail(len, K_EINVAL, "empty script with offset");
    build_good();
    hdr()->script_offset = 0x5800;      /* inside cinit's page, past its bytes */
    memcpy(img + 0x5800, good_script, strlen(good_script));
    expect_fail(len, K_EINVAL, "entry 2 (cinit) overlaps the script");
    build_good();
    hdr()->script_offset = 0x2300;      /* inside hello's second page, past its bytes */
    memcpy(img + 0x2300, good_script, strlen(good_script));
    expect_fail(len, K_EINVAL, "entry 0 (hello) overlaps the script");
    build_good();
    hdr()->script_offset = 0x1100;      /* inside hello's bytes */
    memcpy(img + 0x1100, good_script, strlen(good_script));
    expect_fail(len, K_EINVAL, "entry 0 (hello) overlaps the script");
}

/* The heap limit: 0 is the default, a value up to the room below rgnAllocate's area is kept,
   a larger one or a reserved word set is refused. */
static void test_heap_limit(void **state)
{
    (void)state;
    uint32_t len = build_good();
    ent(1)->heap_max = 40u << 20;
    assert_int_equal(parse(len), 0);
    assert_int_equal(si.files[0].heap_max, ACTOR_HEAP_MAX);
    assert_int_equal(si.files[1].heap_max, 40u << 20);
    ent(1)->heap_max = SYSIMG_HEAP_MAX_LIMIT + 1;
    expect_fail(len, K_EINVAL, "entry 1 (pmm): heap 0xfff0001 larger than 0xfff0000");
    ent(1)->heap_max = 0;
    ent(2)->reserved[1] = 7;
    expect_fail(len, K_EINVAL, "entry 2 (cinit): reserved words not zero");
}

/* The page quota: 0 is the board's default (left 0 for the kernel to fill in), a value up
   to the whole user space is kept, a larger one is refused. */
static void test_page_quota(void **state)
{
    (void)state;
    uint32_t len = build_good();
    ent(1)->page_quota = 12345;
    assert_int_equal(parse(len), 0);
    assert_int_equal(si.files[0].page_quota, 0);
    assert_int_equal(si.files[1].page_quota, 12345);
    ent(1)->page_quota = SYSIMG_PAGE_QUOTA_LIMIT;
    assert_int_equal(parse(len), 0);
    ent(1)->page_quota = SYSIMG_PAGE_QUOTA_LIMIT + 1;
    expect_fail(len, K_EINVAL, "entry 1 (pmm): page quota 263169 larger than 263168");
}

/* Sweeps header and table words through awkward values: never a crash, and an accepted
   image always keeps the documented invariants. */
static void test_field_sweep_keeps_invariants(void **state)
{
    (void)state;
    static const uint32_t values[] = { 0, 1, 0xfff, 0x1000, 0x1001, 0x2000, 0x3000, 0x5000,
                                       0x6000, 0x7fffffff, 0x80000000, 0xfffff000, 0xffffffff };
    for (unsigned w = 2; w < (SYSIMG_TABLE_OFFSET + 3 * sizeof(struct sysimg_disk_entry)) / 4; w++) {
        for (unsigned v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
            uint32_t len = build_good();
            ((uint32_t *)img)[w] = values[v];
            if (parse(len) != 0)
                continue;
            assert_true(si.count <= SYSIMG_MAX_ENTRIES);
            assert_true(si.size <= len);
            for (uint32_t i = 0; i < si.count; i++) {
                const struct sysimg_file *f = &si.files[i];
                assert_int_equal(f->offset % 4096, 0);
                assert_true(f->offset >= 4096);
                assert_true(f->size > 0);
                assert_true((uint64_t)f->offset + f->size <= si.size);
                assert_true(memchr(f->name, '\0', sizeof(f->name)) != NULL);
                for (uint32_t j = 0; j < i; j++) {
                    const struct sysimg_file *g = &si.files[j];
                    assert_true(f->offset >= g->offset + g->size ||
                                g->offset >= f->offset + f->size);
                }
            }
            if (si.script_len)
                assert_true((const uint8_t *)si.script + si.script_len <= si.base + si.size);
        }
    }
}

/* Parses an image written by scripts/mkimage.py, named by SYSIMG_TEST_FILE (make test-host
   gives the default image). */
static void test_mkimage_output(void **state)
{
    (void)state;
    const char *path = getenv("SYSIMG_TEST_FILE");
    if (path == NULL || *path == '\0')
        fail_msg("%s is not set (make test-host sets it to %s)", "SYSIMG_TEST_FILE", "an image mkimage.py wrote");
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static uint8_t real[16 << 20] __attribute__((aligned(4096)));
    size_t len = fread(real, 1, sizeof(real), fp);
    fclose(fp);
    int rc = sysimg_parse(real, (uint32_t)len, &si, err, sizeof(err));
    if (rc != 0)
        fail_msg("%s: %s", path, err);
    const struct sysimg_file *f;
    for (uint32_t i = 0; (f = sysimg_at(&si, i)) != NULL; i++)
        printf("  %-15s 0x%08x %8u privileges 0x%x flags 0x%x\n", f->name, f->offset, f->size,
               f->privileges, f->flags);
    printf("  script %u bytes\n", si.script_len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_image),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_iteration),
        cmocka_unit_test(test_padding_after_image_is_fine),
        cmocka_unit_test(test_empty_image_and_no_script),
        cmocka_unit_test(test_truncated_at_every_length),
        cmocka_unit_test(test_null_image_and_null_err),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_count_limits),
        cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_bad_file_ranges),
        cmocka_unit_test(test_unknown_bits),
        cmocka_unit_test(test_overlapping_files),
        cmocka_unit_test(test_bad_script),
        cmocka_unit_test(test_heap_limit),
        cmocka_unit_test(test_page_quota),
        cmocka_unit_test(test_field_sweep_keeps_invariants),
        cmocka_unit_test(test_mkimage_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

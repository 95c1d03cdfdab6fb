/* Host tests of kernel/palloc.c: reserved ranges, lazy set-up, exhaustion, frees, bad frees, references. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/palloc.h>
#include <reprise/errors.h>

#define RAM     0x40000000u     /* fake physical addresses: palloc never touches the pages */
#define NPAGES  256u
#define PG      PALLOC_PAGE_SIZE

static struct palloc pa;
static uint32_t meta[4096];
static bool expected[4096];     /* reference model: page i may be handed out */

/* Fills expected[] the slow, obvious way: a page is usable when wholly inside a usable
   range and not touching any reserved range. */
static void model(uint32_t base, uint32_t npages, const struct palloc_range *u, size_t nu,
                  const struct palloc_range *r, size_t nr)
{
    for (uint32_t i = 0; i < npages; i++) {
        uint64_t lo = (uint64_t)base + (uint64_t)i * PG, hi = lo + PG;
        bool ok = false;
        for (size_t k = 0; k < nu; k++)
            if (lo >= u[k].paddr && hi <= (uint64_t)u[k].paddr + u[k].size)
                ok = true;
        for (size_t k = 0; k < nr; k++)
            if (r[k].size != 0 && lo < (uint64_t)r[k].paddr + r[k].size && r[k].paddr < hi)
                ok = false;
        if (lo == 0)
            ok = false;
        expected[i] = ok;
    }
}

/* Allocates every page and checks the set against expected[]; returns how many came out.
   The pages stay allocated. */
static uint32_t drain_and_check(uint32_t base, uint32_t npages)
{
    static bool seen[4096];
    memset(seen, 0, sizeof(seen));
    uint32_t n = 0, want = 0, p;
    for (uint32_t i = 0; i < npages; i++)
        want += expected[i];
    assert_int_equal(palloc_total_count(&pa), want);
    assert_int_equal(palloc_free_count(&pa), want);
    while ((p = palloc_alloc(&pa)) != 0) {
        assert_int_equal(p % PG, 0);
        assert_true(p >= base);
        uint32_t i = (p - base) / PG;
        assert_true(i < npages);
        if (!expected[i])
            fail_msg("handed out page 0x%x, which is reserved or unusable", p);
        assert_false(seen[i]);
        seen[i] = true;
        assert_int_equal(palloc_refcount(&pa, p), 1);
        n++;
        assert_int_equal(palloc_free_count(&pa), want - n);
    }
    assert_int_equal(n, want);
    assert_int_equal(palloc_free_count(&pa), 0);
    assert_int_equal(palloc_alloc(&pa), 0);
    return n;
}

/* Fills meta[] as a warm reset leaves it: words of a previous boot, many of them looking
   like allocated pages (1), free ones or unmanaged ones. */
static void meta_garbage(void)
{
    static const uint32_t looks[] = { 1, 2, PALLOC_META_NONE, PALLOC_META_FREE | 3,
                                      PALLOC_META_FREE | PALLOC_META_END, 0x12345678 };
    for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
        meta[i] = looks[(size_t)rand() % (sizeof(looks) / sizeof(looks[0]))];
}

/* Initialises the pool and the model with the same ranges over a meta[] of garbage,
   asserting success. */
static void setup(uint32_t base, uint32_t npages, const struct palloc_range *u, size_t nu,
                  const struct palloc_range *r, size_t nr)
{
    assert_true(npages <= sizeof(meta) / sizeof(meta[0]));
    meta_garbage();
    assert_int_equal(palloc_init(&pa, base, npages, meta, u, nu, r, nr), 0);
    model(base, npages, u, nu, r, nr);
}

static const struct palloc_range whole = { RAM, NPAGES * PG };

static void test_plain_pool(void **state)
{
    (void)state;
    setup(RAM, NPAGES, &whole, 1, NULL, 0);
    assert_int_equal(palloc_total_count(&pa), NPAGES);
    /* Lowest first after init. */
    assert_int_equal(palloc_alloc(&pa), RAM);
    assert_int_equal(palloc_alloc(&pa), RAM + PG);
    setup(RAM, NPAGES, &whole, 1, NULL, 0);
    assert_int_equal(drain_and_check(RAM, NPAGES), NPAGES);
}

static void test_reserved_overlapping_unordered_at_edges(void **state)
{
    (void)state;
    const struct palloc_range reserved[] = {
        { RAM + 0x5800, 0x2000 },               /* unaligned: pages 5, 6, 7 */
        { RAM + (NPAGES - 1) * PG + 0x800, 0x800 }, /* half of the last page */
        { RAM + 0x6000, 0x3000 },               /* overlaps the first: pages 6, 7, 8 */
        { RAM, 0x1000 },                        /* the first page */
        { RAM - 0x1000, 0x3000 },               /* starts below the pool: pages 0, 1 */
        { RAM + 0x20000, 0 },                   /* empty: reserves nothing */
        { RAM + 0x40fff, 2 },                   /* two bytes over a boundary: 0x40, 0x41 */
        { RAM + NPAGES * PG - 0x100, 0x10000 }, /* runs past the pool's end */
        { 0xfffff000, 0x1000 },                 /* far outside */
    };
    setup(RAM, NPAGES, &whole, 1, reserved, sizeof(reserved) / sizeof(reserved[0]));
    for (uint32_t i = 0; i <= 8; i++)
        assert_false(expected[i] && i != 2 && i != 3 && i != 4);
    assert_true(expected[2] && expected[9] && expected[0x20] && expected[0x42]);
    assert_false(expected[0x40] || expected[0x41] || expected[NPAGES - 1]);
    assert_false(palloc_manages(&pa, RAM));
    assert_false(palloc_manages(&pa, RAM + 0x7000));
    assert_true(palloc_manages(&pa, RAM + 0x2000));
    assert_int_equal(drain_and_check(RAM, NPAGES), NPAGES - 9);   /* 0 1 5 6 7 8 0x40 0x41 last */
}

static void test_usable_ranges_rounded_inwards_and_clipped(void **state)
{
    (void)state;
    const struct palloc_range usable[] = {
        { RAM + 0x10800, 0x2000 },              /* only page 0x11 is whole */
        { RAM + 0x30000, 0x4000 },              /* pages 0x30..0x33 */
        { RAM + 0x32000, 0x4000 },              /* overlaps: 0x32..0x35 */
        { RAM - 0x2000, 0x3000 },               /* below the pool: page 0 */
        { RAM + (NPAGES - 2) * PG, 0x100000 },  /* past the end: the last two pages */
        { RAM + 0x50000, 0xfff },               /* less than a page: nothing */
    };
    const struct palloc_range reserved[] = { { RAM + 0x33000, 1 } };
    setup(RAM, NPAGES, usable, sizeof(usable) / sizeof(usable[0]), reserved, 1);
    assert_int_equal(drain_and_check(RAM, NPAGES), 1 + 5 + 1 + 2);
}

static void test_no_usable_ranges(void **state)
{
    (void)state;
    setup(RAM, NPAGES, NULL, 0, &whole, 1);
    assert_int_equal(palloc_total_count(&pa), 0);
    assert_int_equal(palloc_alloc(&pa), 0);
    setup(RAM, NPAGES, &whole, 1, &whole, 1);
    assert_int_equal(palloc_alloc(&pa), 0);
}

static void test_random_ranges_match_model(void **state)
{
    (void)state;
    srand(1234);
    for (int round = 0; round < 300; round++) {
        struct palloc_range u[4], r[6];
        size_t nu = (size_t)(rand() % 5), nr = (size_t)(rand() % 7);
        for (size_t k = 0; k < nu; k++)
            u[k] = (struct palloc_range){ RAM - 0x8000 + (uint32_t)(rand() % 0x120000),
                                          (uint32_t)(rand() % 0x80000) };
        for (size_t k = 0; k < nr; k++)
            r[k] = (struct palloc_range){ RAM - 0x8000 + (uint32_t)(rand() % 0x120000),
                                          (uint32_t)(rand() % 0x8000) };
        setup(RAM, NPAGES, u, nu, r, nr);
        drain_and_check(RAM, NPAGES);
    }
}

/* Set-up is lazy: init writes no metadata word from the first managed page up, however
   large the pool, and the words a previous boot left there (pages that look allocated)
   are never taken for allocated pages: frees and references of pages never handed out
   fail, the refcount is 0, and every page comes out once, gap included. */
static void test_lazy_init_ignores_old_metadata(void **state)
{
    (void)state;
    static uint32_t before[4096];
    const uint32_t npages = 4096;
    const struct palloc_range usable = { RAM, npages * PG };
    const struct palloc_range reserved[] = { { RAM, 4 * PG }, { RAM + 100 * PG, 50 * PG } };
    meta_garbage();
    for (uint32_t i = 0; i < npages; i++)
        meta[i] = (i % 3) ? 1 : meta[i];        /* most look allocated */
    memcpy(before, meta, sizeof(before));
    assert_int_equal(palloc_init(&pa, RAM, npages, meta, &usable, 1, reserved, 2), 0);
    model(RAM, npages, &usable, 1, reserved, 2);
    for (uint32_t i = 4; i < npages; i++)
        assert_int_equal(meta[i], before[i]);
    assert_int_equal(palloc_total_count(&pa), npages - 54);
    for (uint32_t i = 4; i < npages; i += 7) {
        assert_int_equal(palloc_free(&pa, RAM + i * PG), K_EINVAL);
        assert_int_equal(palloc_unref(&pa, RAM + i * PG), K_EINVAL);
        assert_int_equal(palloc_ref(&pa, RAM + i * PG), K_EINVAL);
        assert_int_equal(palloc_refcount(&pa, RAM + i * PG), 0);
        assert_int_equal(palloc_manages(&pa, RAM + i * PG), i < 100 || i >= 150);
    }
    assert_false(palloc_manages(&pa, RAM + 3 * PG));
    assert_int_equal(palloc_free_count(&pa), npages - 54);

    /* Past the gap: its pages are unmanaged, below the high-water mark too. */
    for (uint32_t i = 4; i < 160; i++)
        assert_int_equal(palloc_alloc(&pa), RAM + (i < 100 ? i : i + 50) * PG);
    assert_false(palloc_manages(&pa, RAM + 120 * PG));
    assert_int_equal(palloc_free(&pa, RAM + 120 * PG), K_EINVAL);
    assert_true(palloc_manages(&pa, RAM + 300 * PG));
    assert_int_equal(palloc_free(&pa, RAM + 300 * PG), K_EINVAL);
    assert_int_equal(palloc_free(&pa, RAM + 150 * PG), 0);
    assert_int_equal(palloc_alloc(&pa), RAM + 150 * PG);   /* the free list first */
    assert_int_equal(palloc_alloc(&pa), RAM + 210 * PG);   /* then the high-water mark */
}

/* More ranges than PALLOC_MAX_RANGES are refused. */
static void test_too_many_ranges(void **state)
{
    (void)state;
    struct palloc_range r[PALLOC_MAX_RANGES];
    for (uint32_t k = 0; k < PALLOC_MAX_RANGES; k++)
        r[k] = (struct palloc_range){ RAM + 2 * k * PG, PG };
    assert_int_equal(palloc_init(&pa, RAM, NPAGES, meta, &whole, 1, r, PALLOC_MAX_RANGES),
                     K_EINVAL);
    assert_int_equal(palloc_alloc(&pa), 0);
    setup(RAM, NPAGES, &whole, 1, r, PALLOC_MAX_RANGES - 1);    /* 16 ranges: 16 extents */
    assert_int_equal(drain_and_check(RAM, NPAGES), NPAGES - (PALLOC_MAX_RANGES - 1));
}

static void test_page_zero_never_handed_out(void **state)
{
    (void)state;
    const struct palloc_range all = { 0, 16 * PG };
    setup(0, 16, &all, 1, NULL, 0);
    assert_false(expected[0]);
    assert_int_equal(drain_and_check(0, 16), 15);
    assert_int_equal(palloc_free(&pa, 0), K_EINVAL);
}

static void test_pool_at_top_of_address_space(void **state)
{
    (void)state;
    const struct palloc_range top = { 0xfff00000, 0x100000 };   /* ends at 2^32 */
    const struct palloc_range res = { 0xffffff00, 0x100 };
    setup(0xfff00000, 256, &top, 1, &res, 1);
    assert_int_equal(drain_and_check(0xfff00000, 256), 255);
    assert_int_equal(palloc_free(&pa, 0xffffe000), 0);
    assert_int_equal(palloc_free(&pa, 0xfffff000), K_EINVAL);
    assert_int_equal(palloc_alloc(&pa), 0xffffe000);
}

static void test_bad_init(void **state)
{
    (void)state;
    assert_int_equal(palloc_init(&pa, RAM + 0x800, NPAGES, meta, &whole, 1, NULL, 0), K_EINVAL);
    assert_int_equal(palloc_alloc(&pa), 0);
    assert_int_equal(palloc_free_count(&pa), 0);
    assert_int_equal(palloc_total_count(&pa), 0);
    assert_int_equal(palloc_free(&pa, RAM), K_EINVAL);
    assert_int_equal(palloc_init(&pa, RAM, 0, meta, &whole, 1, NULL, 0), K_EINVAL);
    assert_int_equal(palloc_init(&pa, 0, PALLOC_MAX_PAGES + 1, meta, &whole, 1, NULL, 0),
                     K_EINVAL);
    assert_int_equal(palloc_init(&pa, 0xfffff000, 2, meta, &whole, 1, NULL, 0), K_EINVAL);
    assert_int_equal(palloc_init(&pa, RAM, NPAGES, NULL, &whole, 1, NULL, 0), K_EINVAL);
    assert_int_equal(palloc_init(&pa, RAM, NPAGES, meta, NULL, 1, NULL, 0), K_EINVAL);
    assert_int_equal(palloc_init(&pa, RAM, NPAGES, meta, &whole, 1, NULL, 1), K_EINVAL);
    assert_int_equal(palloc_init(NULL, RAM, NPAGES, meta, &whole, 1, NULL, 0), K_EINVAL);
    assert_int_equal(palloc_alloc(&pa), 0);
}

static void test_free_and_realloc(void **state)
{
    (void)state;
    setup(RAM, NPAGES, &whole, 1, NULL, 0);
    uint32_t p = palloc_alloc(&pa), q = palloc_alloc(&pa);
    assert_int_equal(palloc_free_count(&pa), NPAGES - 2);
    assert_int_equal(palloc_free(&pa, p), 0);
    assert_int_equal(palloc_refcount(&pa, p), 0);
    assert_true(palloc_manages(&pa, p));
    assert_int_equal(palloc_free_count(&pa), NPAGES - 1);
    assert_int_equal(palloc_alloc(&pa), p);     /* last freed, first reused */
    assert_int_equal(palloc_free(&pa, q), 0);
    assert_int_equal(palloc_free(&pa, p), 0);
    assert_int_equal(palloc_free_count(&pa), NPAGES);

    /* Exhaust, free all in a scrambled order, exhaust again: the same set comes back. */
    setup(RAM, NPAGES, &whole, 1, NULL, 0);
    static uint32_t pages[NPAGES];
    for (uint32_t i = 0; i < NPAGES; i++)
        pages[i] = palloc_alloc(&pa);
    assert_int_equal(palloc_alloc(&pa), 0);
    for (uint32_t i = 0; i < NPAGES; i++)
        assert_int_equal(palloc_free(&pa, pages[(i * 37) % NPAGES]), 0);
    assert_int_equal(palloc_free_count(&pa), NPAGES);
    assert_int_equal(drain_and_check(RAM, NPAGES), NPAGES);
}

/* Bad frees change nothing: same counts, and the next allocations are the same pages. */
static void test_bad_frees_detected_and_harmless(void **state)
{
    (void)state;
    const struct palloc_range reserved[] = { { RAM + 0x3000, 0x1000 } };
    setup(RAM, NPAGES, &whole, 1, reserved, 1);
    uint32_t a = palloc_alloc(&pa), b = palloc_alloc(&pa);
    assert_int_equal(palloc_free(&pa, a), 0);
    uint32_t free_before = palloc_free_count(&pa);
    static uint32_t meta_before[NPAGES];
    memcpy(meta_before, meta, sizeof(meta_before));

    assert_int_equal(palloc_free(&pa, a), K_EINVAL);                /* double free */
    assert_int_equal(palloc_free(&pa, b + 4), K_EINVAL);            /* misaligned */
    assert_int_equal(palloc_free(&pa, b + 0x800), K_EINVAL);
    assert_int_equal(palloc_free(&pa, RAM + 0x3000), K_EINVAL);     /* reserved */
    assert_int_equal(palloc_free(&pa, RAM + 0x9000), K_EINVAL);     /* never allocated */
    assert_int_equal(palloc_free(&pa, RAM - PG), K_EINVAL);         /* below the pool */
    assert_int_equal(palloc_free(&pa, RAM + NPAGES * PG), K_EINVAL); /* above */
    assert_int_equal(palloc_free(&pa, 0), K_EINVAL);
    assert_int_equal(palloc_free(&pa, 0xfffff000), K_EINVAL);
    assert_int_equal(palloc_unref(&pa, a), K_EINVAL);
    assert_int_equal(palloc_ref(&pa, a), K_EINVAL);
    assert_int_equal(palloc_ref(&pa, RAM + 0x3000), K_EINVAL);
    assert_int_equal(palloc_unref(&pa, b + 1), K_EINVAL);

    assert_int_equal(palloc_free_count(&pa), free_before);
    assert_memory_equal(meta, meta_before, sizeof(meta_before));
    assert_int_equal(palloc_alloc(&pa), a);
    assert_int_equal(palloc_free(&pa, b), 0);
    assert_int_equal(palloc_free(&pa, a), 0);
    assert_int_equal(palloc_free_count(&pa), NPAGES - 1);
}

static void test_reference_counts(void **state)
{
    (void)state;
    setup(RAM, NPAGES, &whole, 1, NULL, 0);
    uint32_t p = palloc_alloc(&pa);
    assert_int_equal(palloc_refcount(&pa, p), 1);
    assert_int_equal(palloc_ref(&pa, p), 2);
    assert_int_equal(palloc_ref(&pa, p), 3);
    assert_int_equal(palloc_free(&pa, p), K_EBUSY);     /* still shared: nothing changes */
    assert_int_equal(palloc_refcount(&pa, p), 3);
    assert_int_equal(palloc_free_count(&pa), NPAGES - 1);
    assert_int_equal(palloc_unref(&pa, p), 2);
    assert_int_equal(palloc_unref(&pa, p), 1);
    assert_int_equal(palloc_free_count(&pa), NPAGES - 1);
    assert_int_equal(palloc_unref(&pa, p), 0);          /* last reference: freed */
    assert_int_equal(palloc_free_count(&pa), NPAGES);
    assert_int_equal(palloc_unref(&pa, p), K_EINVAL);
    assert_int_equal(palloc_free(&pa, p), K_EINVAL);
    assert_int_equal(palloc_refcount(&pa, p), 0);
    assert_int_equal(palloc_refcount(&pa, RAM + 0x801), 0);
    assert_int_equal(palloc_alloc(&pa), p);

    /* The count saturates with an error instead of wrapping into the free encoding. */
    meta[(p - RAM) / PG] = PALLOC_REF_MAX - 1;
    assert_int_equal(palloc_ref(&pa, p), (int32_t)PALLOC_REF_MAX);
    assert_int_equal(palloc_ref(&pa, p), K_ETOOMUCH);
    assert_int_equal(palloc_refcount(&pa, p), PALLOC_REF_MAX);
    assert_int_equal(palloc_unref(&pa, p), (int32_t)PALLOC_REF_MAX - 1);
}

/* Random alloc/ref/unref/free against a model; everything returns to the pool at the end. */
static void test_cycles_return_to_start(void **state)
{
    (void)state;
    const struct palloc_range reserved[] = { { RAM + 0x10000, 0x8000 } };
    setup(RAM, NPAGES, &whole, 1, reserved, 1);
    const uint32_t start = palloc_free_count(&pa);
    static uint32_t held[NPAGES], refs[NPAGES];
    uint32_t nheld = 0;
    srand(99);
    for (int cycle = 0; cycle < 200; cycle++) {
        for (int op = 0; op < 500; op++) {
            int what = rand() % 4;
            if (what <= 1) {
                uint32_t p = palloc_alloc(&pa);
                if (p == 0) {
                    assert_int_equal(nheld, start);
                    continue;
                }
                for (uint32_t i = 0; i < nheld; i++)
                    assert_int_not_equal(held[i], p);
                held[nheld] = p;
                refs[nheld++] = 1;
            } else if (nheld > 0) {
                uint32_t i = (uint32_t)rand() % nheld;
                if (what == 2 && refs[i] < 4) {
                    assert_int_equal(palloc_ref(&pa, held[i]), (int32_t)++refs[i]);
                    continue;
                }
                int32_t left = palloc_unref(&pa, held[i]);
                assert_int_equal(left, (int32_t)--refs[i]);
                if (left == 0) {
                    held[i] = held[--nheld];
                    refs[i] = refs[nheld];
                }
            }
            assert_int_equal(palloc_free_count(&pa), start - nheld);
        }
        while (nheld > 0) {
            nheld--;
            while (refs[nheld] > 1)
                assert_int_equal(palloc_unref(&pa, held[nheld]), (int32_t)--refs[nheld]);
            assert_int_equal(palloc_free(&pa, held[nheld]), 0);
        }
        assert_int_equal(palloc_free_count(&pa), start);
        assert_int_equal(palloc_total_count(&pa), start);
    }
    assert_int_equal(drain_and_check(RAM, NPAGES), start);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_pool),
        cmocka_unit_test(test_reserved_overlapping_unordered_at_edges),
        cmocka_unit_test(test_usable_ranges_rounded_inwards_and_clipped),
        cmocka_unit_test(test_no_usable_ranges),
        cmocka_unit_test(test_random_ranges_match_model),
        cmocka_unit_test(test_lazy_init_ignores_old_metadata),
        cmocka_unit_test(test_too_many_ranges),
        cmocka_unit_test(test_page_zero_never_handed_out),
        cmocka_unit_test(test_pool_at_top_of_address_space),
        cmocka_unit_test(test_bad_init),
        cmocka_unit_test(test_free_and_realloc),
        cmocka_unit_test(test_bad_frees_detected_and_harmless),
        cmocka_unit_test(test_reference_counts),
        cmocka_unit_test(test_cycles_return_to_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

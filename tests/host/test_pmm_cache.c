/* Unit tests of pmm/include/pmm/cache.h, the PMM client's retrieval cache: a request comes
   back only with its exact words and under the epoch it was answered in; a damaged entry is
   a miss; the entry to remember an answer in is the request's own, else an empty or stale
   one, else the one after the entry used last; a run that asks again in the order it
   allocated finds each entry where the search starts or next to it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/cache.h>

static struct pmm_cache c;

static int setup(void **state)
{
    (void)state;
    memset(&c, 0, sizeof(c));
    return 0;
}

/* The words of a request for block "blk<i>", key "key", one page, laid out as struct
   pmm_alloc_req (pmm/proto.h): PmmName (medium 8 bytes, name 32), key 32, key length, size. */
static void request(union pmm_cache_req *w, int i)
{
    unsigned char b[PMM_CACHE_WORDS * 4];
    memset(b, 0, sizeof(b));
    memcpy(b, "RAM", 4);
    memcpy(b + 8, "blk", 3);
    b[11] = (unsigned char)('a' + i % 26);
    b[12] = (unsigned char)('a' + i / 26);
    memcpy(b + 40, "key", 4);
    uint32_t key_len = 4, size = 4096;
    memcpy(b + 72, &key_len, 4);
    memcpy(b + 76, &size, 4);
    memcpy(w->w, b, sizeof(b));
}

/* Answers request i under epoch as the client does after the server's reply: addr. */
static void answer(int i, uint32_t epoch, uint32_t addr)
{
    union pmm_cache_req w;
    struct pmm_cache_entry *spare = NULL;
    request(&w, i);
    uint32_t h = pmm_cache_hash(&w);
    assert_null(pmm_cache_find(&c, &w, h, epoch, &spare));
    assert_non_null(spare);
    pmm_cache_put(&c, spare, &w, h, epoch, addr);
}

/* The cache's entry for request w under epoch, as the client looks (its hash first). */
static struct pmm_cache_entry *find(const union pmm_cache_req *w, uint32_t epoch,
                                    struct pmm_cache_entry **spare)
{
    return pmm_cache_find(&c, w, pmm_cache_hash(w), epoch, spare);
}

/* The address the cache gives for request i under epoch, or 0 for a miss. */
static uint32_t ask(int i, uint32_t epoch)
{
    union pmm_cache_req w;
    struct pmm_cache_entry *spare = NULL;
    request(&w, i);
    struct pmm_cache_entry *e = find(&w, epoch, &spare);
    return e ? e->addr : 0;
}

static void test_empty_cache_misses(void **state)
{
    (void)state;
    assert_int_equal(ask(0, 0), 0);
    assert_int_equal(ask(0, 7), 0);
}

static void test_answer_comes_back_under_its_epoch_only(void **state)
{
    (void)state;
    answer(1, 5, 0x30001000);
    assert_int_equal(ask(1, 5), 0x30001000);
    assert_int_equal(ask(1, 6), 0);     /* something was unmapped since: ask the server */
    assert_int_equal(ask(2, 5), 0);     /* another name */
}

static void test_other_size_key_or_padding_misses(void **state)
{
    (void)state;
    union pmm_cache_req w;
    struct pmm_cache_entry *spare;
    answer(3, 1, 0x30002000);
    request(&w, 3);
    w.w[PMM_CACHE_WORDS - 1] = 8192;    /* the size */
    assert_null(find(&w, 1, &spare));
    request(&w, 3);
    w.w[10] ^= 1;                       /* the key's first word */
    assert_null(find(&w, 1, &spare));
    request(&w, 3);
    w.w[9] = 0x41414141;                /* bytes after the name's NUL: not the same words */
    assert_null(find(&w, 1, &spare));
}

/* The key is compared by pairs of words as far as its length reaches: its words past that
   are zeros in every request the client makes, and the server reads only the length's
   bytes. */
static void test_key_compared_to_its_length(void **state)
{
    (void)state;
    union pmm_cache_req w;
    struct pmm_cache_entry *spare;
    answer(6, 1, 0x30005000);
    request(&w, 6);
    w.w[12] = 0x5a5a5a5a;               /* past the 4-byte key's pair */
    assert_non_null(find(&w, 1, &spare));
    request(&w, 6);
    w.w[11] = 1;                        /* in the key's pair */
    assert_null(find(&w, 1, &spare));
    request(&w, 6);
    w.w[18] = 8;                        /* the key length */
    assert_null(find(&w, 1, &spare));
}

static void test_damaged_entry_is_a_miss(void **state)
{
    (void)state;
    answer(4, 2, 0x30003000);
    answer(5, 2, 0x30004000);
    struct pmm_cache_entry *e4 = &c.e[0], *e5 = &c.e[1];
    assert_int_equal(e4->addr, 0x30003000);
    e4->addr = 0x30004000;              /* made to name another block */
    assert_int_equal(ask(4, 2), 0);
    e4->addr = 0x30003000;
    assert_int_equal(ask(4, 2), 0x30003000);
    e4->r = e5->r;                      /* made to look like another request */
    assert_int_equal(ask(5, 2), 0x30004000);
    assert_int_equal(ask(4, 2), 0);
    e5->epoch = 3;                      /* made to look current */
    assert_int_equal(ask(5, 3), 0);
}

/* The count of entries made: with none, nothing is searched; damaged to 0, a miss. */
static void test_used_count_is_a_hint_only(void **state)
{
    (void)state;
    union pmm_cache_req w;
    struct pmm_cache_entry *spare = NULL;
    request(&w, 8);
    assert_null(find(&w, 1, &spare));
    assert_ptr_equal(spare, &c.e[0]);
    answer(8, 1, 0x30006000);
    answer(9, 1, 0x30007000);
    assert_int_equal(c.used, 2);
    answer(8, 2, 0x30008000);           /* its own entry again: no new one */
    assert_int_equal(c.used, 2);
    c.used = 0;
    assert_int_equal(ask(8, 2), 0);
    c.used = 2;
    assert_int_equal(ask(8, 2), 0x30008000);
}

static void test_spare_is_own_then_empty_or_stale_then_next(void **state)
{
    (void)state;
    union pmm_cache_req w;
    struct pmm_cache_entry *spare;
    for (int i = 0; i < PMM_CACHE_MAX; i++)
        answer(i, 9, 0x30000000u + (uint32_t)i * 0x1000u);
    request(&w, 7);
    assert_null(find(&w, 10, &spare));
    assert_ptr_equal(spare, &c.e[7]);   /* its own entry, stale now */
    request(&w, 40);
    c.last = 3;
    assert_null(find(&w, 9, &spare));
    assert_ptr_equal(spare, &c.e[4]);   /* all current: the one after the entry used last */
    c.e[20].epoch = 8;
    c.e[20].check = c.e[20].hash ^ 8 ^ c.e[20].addr ^ PMM_CACHE_MAGIC;
    assert_null(find(&w, 9, &spare));
    assert_ptr_equal(spare, &c.e[20]);  /* a stale one before that */
    answer(40, 9, 0x30100000);
    assert_int_equal(ask(40, 9), 0x30100000);
    assert_int_equal(ask(20, 9), 0);    /* the stale entry it replaced */
    for (int i = 0; i < PMM_CACHE_MAX; i++)
        if (i != 20)
            assert_int_equal(ask(i, 9), 0x30000000u + (uint32_t)i * 0x1000u);
}

static void test_run_in_allocation_order_finds_each_at_once(void **state)
{
    (void)state;
    for (int i = 0; i < 16; i++)
        answer(i, 1, 0x30000000u + (uint32_t)i * 0x1000u);
    c.last = 0;
    for (int i = 0; i < 16; i++) {
        uint32_t start = c.last;
        assert_int_equal(ask(i, 1), 0x30000000u + (uint32_t)i * 0x1000u);
        assert_true(c.last == start || c.last == start + 1);
    }
}

static void test_hash_is_never_the_empty_mark(void **state)
{
    (void)state;
    union pmm_cache_req w;
    for (uint32_t k = 0; k < 100000; k++) {
        memset(&w, 0, sizeof(w));
        w.w[0] = k;
        w.w[7] = k * 2654435761u;
        assert_int_not_equal(pmm_cache_hash(&w), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_empty_cache_misses, setup),
        cmocka_unit_test_setup(test_answer_comes_back_under_its_epoch_only, setup),
        cmocka_unit_test_setup(test_other_size_key_or_padding_misses, setup),
        cmocka_unit_test_setup(test_key_compared_to_its_length, setup),
        cmocka_unit_test_setup(test_damaged_entry_is_a_miss, setup),
        cmocka_unit_test_setup(test_used_count_is_a_hint_only, setup),
        cmocka_unit_test_setup(test_spare_is_own_then_empty_or_stale_then_next, setup),
        cmocka_unit_test_setup(test_run_in_allocation_order_finds_each_at_once, setup),
        cmocka_unit_test_setup(test_hash_is_never_the_empty_mark, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

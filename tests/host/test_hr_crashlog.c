/* Host tests of HR's crash log: order, wrap-around, torn and damaged records, head recovery. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hr/crashlog.h>
#include <reprise/errors.h>

static uint8_t area[HRLOG_AREA_SIZE] __attribute__((aligned(8)));
static struct hrlog hl;
static char why[128];

/* A store counter: lets the first `limit` stores through (all when limit < 0), drops the rest,
   as if the machine had been reset right after store number `limit`. */
struct store_limit {
    long limit;
    long count;
};

static void limited_store(void *ctx, volatile uint32_t *dst, uint32_t value)
{
    struct store_limit *s = ctx;
    if (s->limit < 0 || s->count < s->limit)
        *dst = value;
    s->count++;
}

/* Opens the log afresh, as HR does after a reset; returns the number of records. */
static int reopen(void)
{
    memset(&hl, 0, sizeof(hl));
    return hrlog_open(&hl, area, sizeof(area), why, sizeof(why));
}

/* The record HR would append for crash number i (fields derived from i, to check later). */
static struct hrlog_record crash(uint32_t i)
{
    struct hrlog_record r;
    memset(&r, 0, sizeof(r));
    r.boot = 1 + i / 10;
    r.kind = HRLOG_KIND_DATA_ABORT + i % 5;
    r.time_ns = 1000000000ull * i + 17;
    r.aid = (int32_t)(100 + i);
    r.group = 1 + (int32_t)(i % 3);
    r.pc = 0x10000 + 4 * i;
    r.addr = 0x40000000u + i;
    r.fsr = 0x805;
    r.status = -(int32_t)i;
    r.action = HRLOG_ACTION_RESTART_GROUP + i % 3;
    r.action_n = (uint16_t)(1 + i % 5);
    r.action_max = 5;
    snprintf(r.name, sizeof(r.name), "actor%u", i);
    snprintf(r.text, sizeof(r.text),
             "data abort pc=0x%08x addr=0x%08x write, translation fault", r.pc, r.addr);
    return r;
}

/* Checks that rec is crash(i) as appended, with sequence number seq. */
static void expect_crash(const struct hrlog_record *rec, uint32_t i, uint32_t seq)
{
    struct hrlog_record want = crash(i);
    assert_int_equal(rec->seq, seq);
    assert_int_equal(rec->boot, want.boot);
    assert_int_equal(rec->kind, want.kind);
    assert_true(rec->time_ns == want.time_ns);
    assert_int_equal(rec->aid, want.aid);
    assert_int_equal(rec->group, want.group);
    assert_int_equal(rec->pc, want.pc);
    assert_int_equal(rec->addr, want.addr);
    assert_int_equal(rec->status, want.status);
    assert_int_equal(rec->action, want.action);
    assert_int_equal(rec->action_n, want.action_n);
    assert_int_equal(rec->action_max, want.action_max);
    assert_string_equal(rec->name, want.name);
    assert_string_equal(rec->text, want.text);
}

/* Walks the log oldest first into seqs[]; returns how many records it saw. */
static uint32_t walk(uint32_t *seqs, uint32_t max)
{
    struct hrlog_iter it;
    struct hrlog_record r;
    uint32_t n = 0;
    hrlog_iter_begin(&hl, &it);
    while (hrlog_iter_next(&hl, &it, &r)) {
        assert_true(n < max);
        if (n)
            assert_true(r.seq > seqs[n - 1]);
        seqs[n++] = r.seq;
    }
    return n;
}

/* Every test starts on a blank (zeroed) area. */
static int setup(void **state)
{
    (void)state;
    memset(area, 0, sizeof(area));
    assert_int_equal(reopen(), 0);
    return 0;
}

/* A blank area is an empty log; a bad area is refused. */
static void test_empty_and_bad_area(void **state)
{
    struct hrlog_iter it;
    struct hrlog_record r;
    (void)state;
    assert_string_equal(why, "empty");
    assert_int_equal(hrlog_count(&hl), 0);
    assert_int_equal(hl.slots, HRLOG_SLOTS_MAX);
    hrlog_iter_begin(&hl, &it);
    assert_false(hrlog_iter_next(&hl, &it, &r));
    assert_int_equal(hrlog_open(&hl, area, 2 * HRLOG_RECORD_SIZE - 1, why, sizeof(why)),
                     K_EINVAL);
    assert_int_equal(hrlog_open(&hl, area + 4, 4096, why, sizeof(why)), K_EINVAL);
    assert_int_equal(hrlog_open(&hl, NULL, 4096, why, sizeof(why)), K_EINVAL);
}

/* Records come back in append order with every field, after a reopen too. */
static void test_append_and_read(void **state)
{
    struct hrlog_iter it;
    struct hrlog_record r;
    (void)state;
    for (uint32_t i = 0; i < 3; i++) {
        r = crash(i);
        assert_int_equal(hrlog_append(&hl, &r), (int)i + 1);
    }
    assert_int_equal(hrlog_count(&hl), 3);
    assert_int_equal(reopen(), 3);
    assert_string_equal(why, "3 records, seq 1..3");
    hrlog_iter_begin(&hl, &it);
    for (uint32_t i = 0; i < 3; i++) {
        assert_true(hrlog_iter_next(&hl, &it, &r));
        expect_crash(&r, i, i + 1);
        assert_int_equal(r.magic, HRLOG_MAGIC);
    }
    assert_false(hrlog_iter_next(&hl, &it, &r));
    r = crash(3);
    assert_int_equal(hrlog_append(&hl, &r), 4);
}

/* More records than slots: the oldest go first, the newest N stay in order, across reopens. */
static void test_wrap_keeps_newest(void **state)
{
    uint32_t seqs[HRLOG_SLOTS_MAX];
    struct hrlog_iter it;
    struct hrlog_record r;
    const uint32_t total = 3 * HRLOG_SLOTS_MAX + 7;
    (void)state;
    for (uint32_t i = 0; i < total; i++) {
        r = crash(i);
        assert_int_equal(hrlog_append(&hl, &r), (int)i + 1);
        if (i % 50 == 0)
            assert_int_equal(reopen(), (int)(i + 1 < HRLOG_SLOTS_MAX ? i + 1 : HRLOG_SLOTS_MAX));
    }
    assert_int_equal(hrlog_count(&hl), HRLOG_SLOTS_MAX);
    assert_int_equal(reopen(), HRLOG_SLOTS_MAX);
    assert_int_equal(walk(seqs, HRLOG_SLOTS_MAX), HRLOG_SLOTS_MAX);
    hrlog_iter_begin(&hl, &it);
    for (uint32_t k = 0; k < HRLOG_SLOTS_MAX; k++) {
        uint32_t i = total - HRLOG_SLOTS_MAX + k;
        assert_true(hrlog_iter_next(&hl, &it, &r));
        expect_crash(&r, i, i + 1);
    }
    r = crash(total);
    assert_int_equal(hrlog_append(&hl, &r), (int)total + 1);
}

/* A smaller area makes a smaller ring with the same behaviour. */
static void test_small_ring(void **state)
{
    uint32_t seqs[8];
    struct hrlog_record r;
    (void)state;
    memset(&hl, 0, sizeof(hl));
    assert_int_equal(hrlog_open(&hl, area, 3 * HRLOG_RECORD_SIZE + 100, why, sizeof(why)), 0);
    assert_int_equal(hl.slots, 3);
    for (uint32_t i = 0; i < 10; i++) {
        r = crash(i);
        hrlog_append(&hl, &r);
    }
    memset(&hl, 0, sizeof(hl));
    assert_int_equal(hrlog_open(&hl, area, 3 * HRLOG_RECORD_SIZE, why, sizeof(why)), 3);
    assert_int_equal(walk(seqs, 8), 3);
    assert_int_equal(seqs[0], 8);
    assert_int_equal(seqs[2], 10);
}

/* Stops an append after every number of stores, on a half-full ring and on a full one: the
   torn record is never shown, the others are intact, and the next append works. */
static void test_torn_append(void **state)
{
    static uint8_t base[HRLOG_AREA_SIZE];
    uint32_t seqs[HRLOG_SLOTS_MAX];
    const uint32_t words = HRLOG_RECORD_SIZE / 4;
    const uint32_t fills[2] = { 10, HRLOG_SLOTS_MAX + 10 };
    (void)state;

    for (int f = 0; f < 2; f++) {
        struct hrlog_record r;
        uint32_t before;
        memset(area, 0, sizeof(area));
        assert_int_equal(reopen(), 0);
        for (uint32_t i = 0; i < fills[f]; i++) {
            r = crash(i);
            hrlog_append(&hl, &r);
        }
        memcpy(base, area, sizeof(area));
        before = hrlog_count(&hl);

        for (uint32_t n = 0; n <= words; n++) {
            struct store_limit sl = { (long)n, 0 };
            struct hrlog_iter it;
            uint32_t seen;
            int count;
            memcpy(area, base, sizeof(area));
            assert_int_equal(reopen(), (int)before);
            hrlog_set_store(&hl, limited_store, &sl);
            r = crash(fills[f]);
            assert_int_equal(hrlog_append(&hl, &r), (int)fills[f] + 1);
            assert_int_equal(sl.count, words);

            count = reopen();
            seen = walk(seqs, HRLOG_SLOTS_MAX);
            assert_int_equal(seen, (uint32_t)count);
            if (n == words) {
                assert_int_equal(seqs[seen - 1], fills[f] + 1);
            } else {
                /* The new record is not there; at most the one it replaced is gone. */
                assert_int_equal(seqs[seen - 1], fills[f]);
                assert_true(seen == before || seen == before - 1);
                if (seen == before - 1)
                    assert_non_null(strstr(why, "1 damaged slot skipped"));
            }
            hrlog_iter_begin(&hl, &it);
            while (hrlog_iter_next(&hl, &it, &r))
                expect_crash(&r, r.seq - 1, r.seq);

            /* The next append after the reset lands in the torn slot's place and is the newest. */
            r = crash(fills[f] + 1);
            int seq = hrlog_append(&hl, &r);
            int after = reopen();
            assert_true(after == count || after == count + 1);
            assert_true(after <= (int)HRLOG_SLOTS_MAX);
            seen = walk(seqs, HRLOG_SLOTS_MAX);
            assert_int_equal(seqs[seen - 1], (uint32_t)seq);
        }
    }
}

/* A damaged record in the middle is skipped and reported; order and head are unaffected. */
static void test_damaged_record_skipped(void **state)
{
    uint32_t seqs[HRLOG_SLOTS_MAX];
    struct hrlog_record r;
    (void)state;
    for (uint32_t i = 0; i < 6; i++) {
        r = crash(i);
        hrlog_append(&hl, &r);
    }
    area[2 * HRLOG_RECORD_SIZE + offsetof(struct hrlog_record, text) + 5] ^= 0x20;
    area[4 * HRLOG_RECORD_SIZE + offsetof(struct hrlog_record, pc)] ^= 0x01;
    assert_int_equal(reopen(), 4);
    assert_string_equal(why, "4 records, seq 1..6, 2 damaged slots skipped");
    assert_int_equal(hl.damaged, 2);
    assert_int_equal(walk(seqs, HRLOG_SLOTS_MAX), 4);
    assert_int_equal(seqs[0], 1);
    assert_int_equal(seqs[1], 2);
    assert_int_equal(seqs[2], 4);
    assert_int_equal(seqs[3], 6);
    r = crash(6);
    assert_int_equal(hrlog_append(&hl, &r), 7);
    assert_int_equal(reopen(), 5);

    /* The newest record damaged: the head falls back onto it and the next append replaces it. */
    area[6 * HRLOG_RECORD_SIZE + offsetof(struct hrlog_record, crc)] ^= 0xff;
    assert_int_equal(reopen(), 4);
    assert_int_equal(hl.head, 6);
    r = crash(7);
    assert_int_equal(hrlog_append(&hl, &r), 7);
    assert_int_equal(reopen(), 5);
    assert_string_equal(why, "5 records, seq 1..7, 2 damaged slots skipped");
}

/* Garbage in the area (never a log) shows no records, whatever it holds. */
static void test_garbage_area(void **state)
{
    uint32_t seqs[HRLOG_SLOTS_MAX];
    uint32_t x = 12345;
    struct hrlog_record r;
    (void)state;
    for (size_t i = 0; i < sizeof(area); i++) {
        x = x * 1103515245u + 12345u;
        area[i] = (uint8_t)(x >> 16);
    }
    assert_int_equal(reopen(), 0);
    assert_non_null(strstr(why, "empty, 85 damaged slots skipped"));
    r = crash(0);
    assert_int_equal(hrlog_append(&hl, &r), 1);
    assert_int_equal(reopen(), 1);
    assert_int_equal(walk(seqs, HRLOG_SLOTS_MAX), 1);
}

/* Unknown kinds and actions are refused unwritten (a watchdog's hang, the last kind, is
   known); over-long strings are cut, not overrun. */
static void test_append_checks(void **state)
{
    struct hrlog_iter it;
    struct hrlog_record r = crash(0);
    (void)state;
    r.kind = 0;
    assert_int_equal(hrlog_append(&hl, &r), K_EINVAL);
    r.kind = HRLOG_KIND_HANG + 1;
    assert_int_equal(hrlog_append(&hl, &r), K_EINVAL);
    r = crash(0);
    r.action = HRLOG_ACTION_STOPPED + 1;
    assert_int_equal(hrlog_append(&hl, &r), K_EINVAL);
    assert_int_equal(reopen(), 0);

    r = crash(0);
    memset(r.name, 'n', sizeof(r.name));
    memset(r.text, 't', sizeof(r.text));
    assert_int_equal(hrlog_append(&hl, &r), 1);
    assert_int_equal(reopen(), 1);
    hrlog_iter_begin(&hl, &it);
    assert_true(hrlog_iter_next(&hl, &it, &r));
    assert_int_equal(strlen(r.name), HRLOG_NAME_SIZE - 1);
    assert_int_equal(strlen(r.text), HRLOG_TEXT_SIZE - 1);

    r = crash(1);
    r.kind = HRLOG_KIND_HANG;
    assert_int_equal(hrlog_append(&hl, &r), 2);
    assert_int_equal(reopen(), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_empty_and_bad_area, setup),
        cmocka_unit_test_setup(test_append_and_read, setup),
        cmocka_unit_test_setup(test_wrap_keeps_newest, setup),
        cmocka_unit_test_setup(test_small_ring, setup),
        cmocka_unit_test_setup(test_torn_append, setup),
        cmocka_unit_test_setup(test_damaged_record_skipped, setup),
        cmocka_unit_test_setup(test_garbage_area, setup),
        cmocka_unit_test_setup(test_append_checks, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

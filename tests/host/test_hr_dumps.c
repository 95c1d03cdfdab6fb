/* Host tests of HR's post-mortem dump ring: append, order, wrap-around, torn and damaged dumps
   (CRC), head recovery, bad arguments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hr/dumps.h>
#include <reprise/errors.h>

#define STACK 1024u     /* stack bytes a slot holds in these tests */
#define SLOTS 3u

static uint8_t area[HRDUMP_AREA_SIZE] __attribute__((aligned(8)));
static struct hrdump hd;
static char why[128];

/* Opens the ring afresh, as HR does after a reset; returns the number of dumps. */
static int reopen(void)
{
    memset(&hd, 0, sizeof(hd));
    return hrdump_open(&hd, area, sizeof(area), SLOTS, STACK, why, sizeof(why));
}

/* Appends dump number i as HR does: begin, the stack bytes (i's pattern, len bytes), commit.
   Returns the sequence number. */
static int append(uint32_t i, uint32_t len)
{
    uint8_t *stack = hrdump_begin(&hd);
    struct hrdump_header h;
    memset(&h, 0, sizeof(h));
    for (uint32_t k = 0; k < len; k++)
        stack[k] = (uint8_t)(i * 7 + k);
    h.boot = 1;
    h.kind = 1;
    h.time_ns = 1000ull * i;
    h.aid = (int32_t)(64 + i);
    h.group = 1;
    for (uint32_t k = 0; k < 16; k++)
        h.r[k] = i * 100 + k;
    h.cpsr = 0x30;
    h.stack_vaddr = 0x3ffef000u + i;
    h.stack_len = len;
    h.build_id_len = 20;
    memset(h.build_id, (int)i, sizeof(h.build_id));
    snprintf(h.name, sizeof(h.name), "actor%u", i);
    snprintf(h.text, sizeof(h.text), "data abort pc=0x%08x", 0x10000 + i);
    return hrdump_commit(&hd, &h);
}

/* Checks that dump hdr (with its stack) is dump number i of append(). */
static void check(const struct hrdump_header *h, const uint8_t *stack, uint32_t i)
{
    char name[16];
    snprintf(name, sizeof(name), "actor%u", i);
    assert_string_equal(h->name, name);
    assert_int_equal(h->aid, 64 + i);
    assert_int_equal(h->r[15], i * 100 + 15);
    assert_int_equal(h->stack_vaddr, 0x3ffef000u + i);
    for (uint32_t k = 0; k < h->stack_len; k++)
        assert_int_equal(stack[k], (uint8_t)(i * 7 + k));
}

static int setup(void **state)
{
    (void)state;
    memset(area, 0, sizeof(area));
    return reopen() == 0 ? 0 : -1;
}

/* An empty area: no dumps, nothing damaged. */
static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(hrdump_count(&hd), 0);
    assert_string_equal(why, "no dumps");
    struct hrdump_header h;
    assert_false(hrdump_at(&hd, 0, &h, NULL));
    assert_false(hrdump_find(&hd, 1, &h, NULL));
}

/* Appended dumps come back in order, with their bytes, and after a reopen. */
static void test_append_and_reopen(void **state)
{
    struct hrdump_header h;
    const uint8_t *stack;
    (void)state;
    assert_int_equal(append(1, STACK), 1);
    assert_int_equal(append(2, 100), 2);
    assert_int_equal(hrdump_count(&hd), 2);
    assert_int_equal(reopen(), 2);
    assert_string_equal(why, "2 dumps, seq 1..2");
    assert_true(hrdump_at(&hd, 0, &h, &stack));
    assert_int_equal(h.seq, 1);
    check(&h, stack, 1);
    assert_true(hrdump_at(&hd, 1, &h, &stack));
    assert_int_equal(h.seq, 2);
    assert_int_equal(h.stack_len, 100);
    check(&h, stack, 2);
    assert_false(hrdump_at(&hd, 2, &h, &stack));
    assert_true(hrdump_find(&hd, 2, &h, &stack));
    check(&h, stack, 2);
    assert_int_equal(append(3, 8), 3);
}

/* The ring keeps the newest SLOTS dumps, oldest replaced first, across reopens. */
static void test_wrap(void **state)
{
    struct hrdump_header h;
    const uint8_t *stack;
    (void)state;
    for (uint32_t i = 1; i <= 7; i++) {
        assert_int_equal(append(i, 64 * i), (int)i);
        if (i == 4)
            assert_int_equal(reopen(), 3);
    }
    assert_int_equal(hrdump_count(&hd), SLOTS);
    assert_int_equal(reopen(), 3);
    assert_string_equal(why, "3 dumps, seq 5..7");
    for (uint32_t k = 0; k < SLOTS; k++) {
        assert_true(hrdump_at(&hd, k, &h, &stack));
        assert_int_equal(h.seq, 5 + k);
        check(&h, stack, 5 + k);
    }
    assert_false(hrdump_find(&hd, 4, &h, &stack));
    assert_int_equal(append(8, 16), 8);
    assert_true(hrdump_at(&hd, 0, &h, &stack));
    assert_int_equal(h.seq, 6);
}

/* A damaged byte anywhere in a dump (header or stack) fails its CRC: the open zeroes that slot
   and says so; the other dumps stay. A damaged magic word counts the same. */
static void test_damage(void **state)
{
    struct hrdump_header h;
    const uint8_t *stack;
    uint32_t slot = HRDUMP_HEADER_SIZE + STACK;
    (void)state;
    for (uint32_t i = 1; i <= 3; i++)
        append(i, STACK);
    area[slot + HRDUMP_HEADER_SIZE + 5] ^= 0x40;        /* dump 2's stack */
    assert_int_equal(reopen(), 2);
    assert_int_equal(hd.damaged, 1);
    assert_string_equal(why, "2 dumps, seq 1..3, 1 damaged dump cleared");
    for (uint32_t k = 0; k < slot; k++)
        assert_int_equal(area[slot + k], 0);
    assert_true(hrdump_at(&hd, 1, &h, &stack));
    check(&h, stack, 3);
    area[offsetof(struct hrdump_header, r) + 3] ^= 1;   /* dump 1's registers */
    area[2 * slot + 1] ^= 0xff;                         /* dump 3's magic */
    assert_false(hrdump_find(&hd, 1, &h, &stack));      /* read checks again */
    assert_int_equal(reopen(), 0);
    assert_string_equal(why, "no dumps, 2 damaged dumps cleared");
    assert_int_equal(reopen(), 0);
    assert_int_equal(hd.damaged, 0);
}

/* A dump cut short by a reset (begun, never committed) leaves a free slot, not a damaged one;
   the dump it replaced, the oldest, is gone. */
static void test_torn(void **state)
{
    (void)state;
    for (uint32_t i = 1; i <= 3; i++)
        append(i, STACK);
    uint8_t *stack = hrdump_begin(&hd);
    memset(stack, 0x77, STACK);
    assert_int_equal(reopen(), 2);
    assert_int_equal(hd.damaged, 0);
    assert_string_equal(why, "2 dumps, seq 2..3");
    assert_int_equal(append(4, 32), 4);
}

/* Bad arguments: no ring, nothing written. */
static void test_bad_args(void **state)
{
    struct hrdump_header h;
    (void)state;
    assert_int_equal(hrdump_open(&hd, area + 4, sizeof(area) - 8, SLOTS, STACK, why, sizeof(why)),
                     K_EINVAL);
    assert_int_equal(hrdump_open(&hd, NULL, sizeof(area), SLOTS, STACK, why, sizeof(why)), K_EINVAL);
    assert_int_equal(hrdump_open(&hd, area, sizeof(area), 0, STACK, why, sizeof(why)), K_EINVAL);
    assert_int_equal(hrdump_open(&hd, area, sizeof(area), SLOTS, 12, why, sizeof(why)), K_EINVAL);
    assert_int_equal(hrdump_open(&hd, area, HRDUMP_HEADER_SIZE + STACK - 8, 1, STACK, why,
                                 sizeof(why)), K_EINVAL);
    /* As many slots as fit, no more. */
    assert_int_equal(hrdump_open(&hd, area, sizeof(area), 1000, STACK, why, sizeof(why)), 0);
    assert_int_equal(hd.slots, sizeof(area) / (HRDUMP_HEADER_SIZE + STACK));
    memset(&h, 0, sizeof(h));
    hrdump_begin(&hd);
    h.stack_len = STACK + 8;
    assert_int_equal(hrdump_commit(&hd, &h), K_EINVAL);
    h.stack_len = 0;
    h.build_id_len = HRDUMP_BUILD_ID_MAX + 1;
    assert_int_equal(hrdump_commit(&hd, &h), K_EINVAL);
    assert_int_equal(hrdump_count(&hd), 0);
}

/* Names and texts are cut to fit, always NUL-terminated. */
static void test_strings_cut(void **state)
{
    struct hrdump_header h;
    (void)state;
    memset(&h, 'x', sizeof(h));
    h.stack_len = 0;
    h.build_id_len = 0;
    hrdump_begin(&hd);
    assert_int_equal(hrdump_commit(&hd, &h), 1);
    assert_int_equal(reopen(), 1);
    assert_true(hrdump_at(&hd, 0, &h, NULL));
    assert_int_equal(strlen(h.name), HRDUMP_NAME_SIZE - 1);
    assert_int_equal(strlen(h.text), HRDUMP_TEXT_SIZE - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_empty, setup),
        cmocka_unit_test_setup(test_append_and_reopen, setup),
        cmocka_unit_test_setup(test_wrap, setup),
        cmocka_unit_test_setup(test_damage, setup),
        cmocka_unit_test_setup(test_torn, setup),
        cmocka_unit_test_setup(test_bad_args, setup),
        cmocka_unit_test_setup(test_strings_cut, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of lib/crc32.c: known CRC-32 (IEEE, zlib) vectors and incremental updates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <lib/crc32.h>

/* Bit-at-a-time reference: reflected polynomial 0xEDB88320, initial and final inversion. */
static uint32_t crc32_reference(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xffffffffu;
    while (len--) {
        crc ^= *p++;
        for (int i = 0; i < 8; i++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint32_t crc_of(const char *s)
{
    return crc32_update(0, s, strlen(s));
}

static void test_check_value(void **state)
{
    (void)state;
    assert_int_equal(crc_of("123456789"), 0xcbf43926u);    /* the catalogue's check value */
}

static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(crc_of(""), 0);
    assert_int_equal(crc32_update(0, NULL, 0), 0);
    assert_int_equal(crc32_update(0xcbf43926u, "", 0), 0xcbf43926u);   /* no bytes: unchanged */
}

static void test_known_vectors(void **state)
{
    (void)state;
    static const uint8_t zeros[32];
    static const uint8_t ones[4] = { 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(crc_of("a"), 0xe8b7be43u);
    assert_int_equal(crc_of("abc"), 0x352441c2u);
    assert_int_equal(crc_of("The quick brown fox jumps over the lazy dog"), 0x414fa339u);
    assert_int_equal(crc32_update(0, zeros, sizeof(zeros)), 0x190a55adu);
    assert_int_equal(crc32_update(0, ones, sizeof(ones)), 0xffffffffu);
}

static void test_every_byte_value_matches_reference(void **state)
{
    (void)state;
    uint8_t all[256];
    for (int i = 0; i < 256; i++) {
        all[i] = (uint8_t)i;
        assert_int_equal(crc32_update(0, &all[i], 1), crc32_reference(&all[i], 1));
    }
    assert_int_equal(crc32_update(0, all, sizeof(all)), crc32_reference(all, sizeof(all)));
    assert_int_equal(crc32_update(0, all, sizeof(all)), 0x29058c73u);
}

static void test_incremental_equals_one_shot(void **state)
{
    (void)state;
    uint8_t data[300];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + 3);
    uint32_t whole = crc32_update(0, data, sizeof(data));
    assert_int_equal(whole, crc32_reference(data, sizeof(data)));
    for (size_t cut = 0; cut <= sizeof(data); cut++) {
        uint32_t crc = crc32_update(0, data, cut);
        assert_int_equal(crc32_update(crc, data + cut, sizeof(data) - cut), whole);
    }
    uint32_t crc = 0;
    for (size_t i = 0; i < sizeof(data); i++)      /* one byte at a time */
        crc = crc32_update(crc, &data[i], 1);
    assert_int_equal(crc, whole);
    const char *s = "123456789";
    assert_int_equal(crc32_update(crc32_update(crc32_update(0, s, 2), s + 2, 3), s + 5, 4),
                     0xcbf43926u);
}

static void test_detects_a_changed_bit(void **state)
{
    (void)state;
    uint8_t data[64] = { 0 };
    uint32_t base = crc32_update(0, data, sizeof(data));
    for (size_t bit = 0; bit < 8 * sizeof(data); bit++) {
        data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_not_equal(crc32_update(0, data, sizeof(data)), base);
        data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_known_vectors),
        cmocka_unit_test(test_every_byte_value_matches_reference),
        cmocka_unit_test(test_incremental_equals_one_shot),
        cmocka_unit_test(test_detects_a_changed_bit),
    };
    return cmocka_run_group_tests_name("crc32", tests, NULL, NULL);
}

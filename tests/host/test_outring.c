/* Unit tests of kernel/include/kernel/outring.h: room and wrap, whole writes, '\n' sent as
   "\r\n", sends that stop at the device's room (between a '\r' and its '\n' too) and lose or
   reorder nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/outring.h>

static struct outring r;
static char sent[1 << 18];
static size_t sent_len;

static void capture(char c)
{
    assert_true(sent_len < sizeof(sent));
    sent[sent_len++] = c;
}

static int setup(void **state)
{
    (void)state;
    memset(&r, 0, sizeof(r));
    sent_len = 0;
    return 0;
}

/* Writes s whole through outring_space and outring_commit, as the console does. */
static void put(const char *s, uint32_t n)
{
    assert_true(n <= outring_room(&r));
    uint32_t first;
    char *at = outring_space(&r, n, &first);
    memcpy(at, s, first);
    memcpy(r.buf, s + first, n - first);
    outring_commit(&r, n);
}

/* One send of at most room bytes; checks it sent no more, and returns how many it sent. */
static size_t send(uint32_t room)
{
    size_t before = sent_len;
    int more = outring_send(&r, room, capture);
    assert_true(sent_len - before <= room);
    assert_int_equal(more, outring_used(&r) != 0);
    return sent_len - before;
}

/* s with each '\n' as "\r\n", into out; returns the length. */
static size_t wire(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            out[k++] = '\r';
        out[k++] = s[i];
    }
    return k;
}

static void test_newline_goes_out_as_cr_lf(void **state)
{
    (void)state;
    put("ab\ncd\n", 6);
    assert_int_equal(outring_used(&r), 6);
    assert_int_equal(send(16), 8);
    assert_memory_equal(sent, "ab\r\ncd\r\n", 8);
    assert_int_equal(outring_used(&r), 0);
    assert_int_equal(outring_room(&r), OUTRING_SIZE);
}

static void test_send_stops_at_the_room(void **state)
{
    (void)state;
    put("abcdef", 6);
    assert_int_equal(send(4), 4);
    assert_int_equal(outring_used(&r), 2);
    assert_int_equal(send(4), 2);
    assert_memory_equal(sent, "abcdef", 6);
    assert_int_equal(send(4), 0);           /* nothing left: nothing sent */
}

static void test_room_between_cr_and_lf(void **state)
{
    (void)state;
    put("ab\nc", 4);
    assert_int_equal(send(3), 3);           /* "ab\r": the '\n' waits, still in the ring */
    assert_memory_equal(sent, "ab\r", 3);
    assert_int_equal(outring_used(&r), 2);
    assert_int_equal(send(1), 1);           /* its '\n', without a second '\r' */
    assert_int_equal(send(1), 1);
    assert_memory_equal(sent, "ab\r\nc", 5);
    assert_int_equal(send(0), 0);
}

static void test_cr_takes_the_spare_room(void **state)
{
    (void)state;
    put("a\n", 2);
    assert_int_equal(send(3), 3);           /* room for both bytes and the '\r' */
    assert_memory_equal(sent, "a\r\n", 3);
    assert_int_equal(outring_used(&r), 0);
    put("\n\n", 2);
    assert_int_equal(send(2), 2);
    assert_int_equal(send(2), 2);
    assert_memory_equal(sent + 3, "\r\n\r\n", 4);
}

static void test_write_across_the_wrap(void **state)
{
    (void)state;
    r.head = r.tail = OUTRING_SIZE - 3;     /* the next write starts 3 bytes before the end */
    uint32_t first;
    outring_space(&r, 8, &first);
    assert_int_equal(first, 3);
    put("0123456\n", 8);
    assert_int_equal(outring_room(&r), OUTRING_SIZE - 8);
    assert_int_equal(send(16), 9);
    assert_memory_equal(sent, "0123456\r\n", 9);
}

static void test_full_ring_then_pop(void **state)
{
    (void)state;
    static char big[OUTRING_SIZE];
    memset(big, 'x', sizeof(big));
    big[OUTRING_SIZE - 1] = '\n';
    put(big, OUTRING_SIZE);
    assert_int_equal(outring_room(&r), 0);
    for (int i = 0; i < OUTRING_SIZE - 1; i++)
        assert_int_equal(outring_pop(&r), 'x');
    assert_int_equal(outring_pop(&r), '\r');
    assert_int_equal(outring_used(&r), 1);  /* the '\n' is still to go */
    assert_int_equal(outring_pop(&r), '\n');
    assert_int_equal(outring_room(&r), OUTRING_SIZE);
}

/* Random writes (newlines often) and random device room, sends and pops mixed, with the
   indices near their wrap: what comes out is what went in, "\r\n" for '\n', in order. */
static void test_random_writes_and_sends_keep_everything(void **state)
{
    (void)state;
    static char in[1 << 16], want[1 << 17];
    srand(12);
    r.head = r.tail = 0xffffffffu - 3000;   /* the free-running indices wrap too */
    size_t in_len = 0;
    while (in_len < sizeof(in) - 4096 || outring_used(&r)) {
        if (in_len < sizeof(in) - 4096 && rand() % 2) {
            uint32_t n = (uint32_t)rand() % 300;
            if (n > outring_room(&r))
                n = outring_room(&r);
            for (uint32_t i = 0; i < n; i++)
                in[in_len + i] = rand() % 5 ? (char)('a' + rand() % 26) : '\n';
            put(in + in_len, n);
            in_len += n;
        } else if (rand() % 8) {
            send((uint32_t)rand() % 20);
        } else if (outring_used(&r)) {
            capture(outring_pop(&r));
        }
    }
    size_t k = wire(in, in_len, want);
    assert_int_equal(k, sent_len);
    assert_memory_equal(want, sent, k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_newline_goes_out_as_cr_lf, setup),
        cmocka_unit_test_setup(test_send_stops_at_the_room, setup),
        cmocka_unit_test_setup(test_room_between_cr_and_lf, setup),
        cmocka_unit_test_setup(test_cr_takes_the_spare_room, setup),
        cmocka_unit_test_setup(test_write_across_the_wrap, setup),
        cmocka_unit_test_setup(test_full_ring_then_pop, setup),
        cmocka_unit_test_setup(test_random_writes_and_sends_keep_everything, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

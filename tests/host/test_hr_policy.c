/* Host tests of the HR restart policy: group restart windows and the site restart decision. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hr/policy.h>
#include <reprise/errors.h>

#define SEC(x) ((uint64_t)(x) * HRPOL_NS_PER_SEC)
#define MS(x) ((uint64_t)(x) * HRPOL_NS_PER_MS)

/* The board's defaults: 5 restarts in 10 s, 3 site restarts in 60 s, backoff from 100 ms
   to 500 ms. */
static struct hrpol_tunables defaults(void)
{
    struct hrpol_tunables t;
    assert_int_equal(hrpol_tunables_init(&t, HRPOL_DEFAULT_MAX_RESTARTS,
                                         HRPOL_DEFAULT_INTERVAL_MS,
                                         HRPOL_DEFAULT_MAX_SITE_RESTARTS,
                                         HRPOL_DEFAULT_SITE_INTERVAL_MS), K_OK);
    assert_int_equal(hrpol_backoff_init(&t, HRPOL_DEFAULT_BACKOFF_BASE_MS,
                                        HRPOL_DEFAULT_BACKOFF_MAX_MS), K_OK);
    return t;
}

/* Tunables come in milliseconds and are range-checked. */
static void test_tunables(void **state)
{
    struct hrpol_tunables t = defaults();
    (void)state;
    assert_int_equal(t.max_restarts, 5);
    assert_int_equal(t.max_site_restarts, 3);
    assert_true(t.interval_ns == SEC(10));
    assert_true(t.site_interval_ns == SEC(60));
    assert_int_equal(hrpol_tunables_init(&t, 5, 0, 3, 60000), K_EINVAL);
    assert_int_equal(hrpol_tunables_init(&t, 5, 10000, 3, 0), K_EINVAL);
    assert_int_equal(hrpol_tunables_init(&t, HRPOL_MAX_RESTARTS_LIMIT + 1, 10000, 3, 60000),
                     K_EINVAL);
    assert_int_equal(hrpol_tunables_init(&t, 5, 10000, HRPOL_MAX_SITE_RESTARTS_LIMIT + 1,
                                         60000), K_EINVAL);
    assert_int_equal(hrpol_tunables_init(&t, HRPOL_MAX_RESTARTS_LIMIT, 1,
                                         HRPOL_MAX_SITE_RESTARTS_LIMIT, 1), K_OK);
}

/* CNTVCT ticks convert to ns without a division or an overflow, even after days at 62.5
   MHz, exactly when 1e9 / hz is whole, within the documented bound otherwise. */
static void test_ticks_to_ns(void **state)
{
    (void)state;
    struct hrpol_clock c;
    assert_int_equal(hrpol_clock_init(&c, 62500000), K_OK);
    assert_int_equal(c.shift, 27);
    assert_true(hrpol_ticks_to_ns(&c, 62500000) == SEC(1));
    assert_true(hrpol_ticks_to_ns(&c, 1) == 16);
    assert_true(hrpol_ticks_to_ns(&c, 62500000ull * 86400 * 3 + 625) == SEC(86400 * 3) + 10000);
    assert_true(hrpol_ticks_to_ns(&c, 62500000ull * 86400 * 365 * 100) == SEC(86400ull * 365 * 100));
    assert_int_equal(hrpol_clock_init(&c, 1000000000), K_OK);
    assert_true(hrpol_ticks_to_ns(&c, 1000) == 1000);
    assert_true(hrpol_ticks_to_ns(&c, 0x123456789abcull) == 0x123456789abcull);
    /* 24 MHz: 41.666... ns a tick, no whole multiplier; a day of ticks is within a few us. */
    assert_int_equal(hrpol_clock_init(&c, 24000000), K_OK);
    uint64_t day = 24000000ull * 86400, want = SEC(86400);
    uint64_t got = hrpol_ticks_to_ns(&c, day);
    assert_true(got <= want && want - got < day / ((1ull << c.shift) / 42) + 1);
    assert_true(hrpol_ticks_to_ns(&c, 24) == 999 || hrpol_ticks_to_ns(&c, 24) == 1000);
    assert_int_equal(hrpol_clock_init(&c, 0), K_EINVAL);
    assert_true(hrpol_ticks_to_ns(&c, 5) == 0);
}

/* Five restarts within 10 s are allowed and numbered 1/5..5/5; the sixth escalates. */
static void test_exactly_max_then_escalate(void **state)
{
    struct hrpol_tunables t = defaults();
    struct hrpol_group g;
    struct hrpol_decision d;
    (void)state;
    hrpol_group_init(&g);
    for (uint32_t i = 1; i <= 5; i++) {
        d = hrpol_group_restart(&g, &t, SEC(100) + MS(100 * i));
        assert_int_equal(d.action, HRPOL_RESTART_GROUP);
        assert_int_equal(d.n, i);
        assert_int_equal(d.max, 5);
    }
    d = hrpol_group_restart(&g, &t, SEC(100) + MS(600));
    assert_int_equal(d.action, HRPOL_SITE_RESTART);
    assert_int_equal(d.n, 6);
}

/* Backoff: the first restart within the window is immediate, the n-th waits 100 ms * 2^(n-2)
   up to the 500 ms cap (100, 200, 400, 500); the sixth escalates; after a quiet
   spell the first restart is immediate again. */
static void test_backoff_grows_and_caps(void **state)
{
    static const uint64_t want[] = { 0, MS(100), MS(200), MS(400), MS(500) };
    struct hrpol_tunables t = defaults();
    struct hrpol_group g;
    struct hrpol_decision d;
    uint64_t now = SEC(100);
    (void)state;
    hrpol_group_init(&g);
    for (uint32_t i = 0; i < 5; i++) {
        d = hrpol_group_restart(&g, &t, now);
        assert_int_equal(d.action, HRPOL_RESTART_GROUP);
        assert_int_equal(d.n, i + 1);
        assert_true(hrpol_backoff_ns(&t, d.n) == want[i]);
        now += hrpol_backoff_ns(&t, d.n) + MS(50);  /* it waits, then the group fails again */
    }
    d = hrpol_group_restart(&g, &t, now);
    assert_int_equal(d.action, HRPOL_SITE_RESTART);

    hrpol_group_init(&g);
    hrpol_group_restart(&g, &t, SEC(0));
    assert_true(hrpol_backoff_ns(&t, hrpol_group_restart(&g, &t, SEC(1)).n) == MS(100));
    d = hrpol_group_restart(&g, &t, SEC(30));          /* the window is empty again */
    assert_true(d.n == 1 && hrpol_backoff_ns(&t, d.n) == 0);
    assert_true(hrpol_backoff_ns(&t, hrpol_group_restart(&g, &t, SEC(31)).n) == MS(100));
}

/* hrpol_backoff_ns on its own: 0 for n <= 1, doubling from the base, capped; a cap far above
   the base never overflows; no backoff without hrpol_backoff_init or with a base of 0; the
   tunables are checked (base <= max <= interval). */
static void test_backoff_values(void **state)
{
    struct hrpol_tunables t = defaults();
    (void)state;
    assert_true(hrpol_backoff_ns(&t, 0) == 0 && hrpol_backoff_ns(&t, 1) == 0);
    assert_true(hrpol_backoff_ns(&t, 2) == MS(100) && hrpol_backoff_ns(&t, 4) == MS(400));
    assert_true(hrpol_backoff_ns(&t, 5) == MS(500) && hrpol_backoff_ns(&t, 16) == MS(500));
    assert_true(hrpol_backoff_ns(&t, 0xffffffffu) == MS(500));

    assert_int_equal(hrpol_backoff_init(&t, 1, 10000), K_OK);
    assert_true(hrpol_backoff_ns(&t, 15) == MS(8192) && hrpol_backoff_ns(&t, 16) == MS(10000));
    assert_true(hrpol_backoff_ns(&t, 0xffffffffu) == MS(10000));

    assert_int_equal(hrpol_backoff_init(&t, 0, 0), K_OK);
    assert_true(hrpol_backoff_ns(&t, 5) == 0);
    assert_int_equal(hrpol_tunables_init(&t, 5, 10000, 3, 60000), K_OK);
    assert_true(hrpol_backoff_ns(&t, 5) == 0);

    assert_int_equal(hrpol_backoff_init(&t, 200, 100), K_EINVAL);
    assert_int_equal(hrpol_backoff_init(&t, 100, 10001), K_EINVAL);
    assert_true(hrpol_backoff_ns(&t, 5) == 0);          /* refused: unchanged */
    assert_int_equal(hrpol_backoff_init(&t, 10000, 10000), K_OK);
    assert_true(hrpol_backoff_ns(&t, 2) == SEC(10));
    assert_int_equal(hrpol_backoff_init(NULL, 1, 1), K_EINVAL);
}

/* The window slides: a restart exactly one interval old no longer counts, one ns younger does. */
static void test_window_slides(void **state)
{
    struct hrpol_tunables t = defaults();
    struct hrpol_group g;
    struct hrpol_decision d;
    (void)state;
    hrpol_group_init(&g);
    for (uint32_t i = 0; i < 5; i++)
        assert_int_equal(hrpol_group_restart(&g, &t, SEC(i)).n, i + 1);
    d = hrpol_group_restart(&g, &t, SEC(10));          /* the one at 0 s slid out */
    assert_int_equal(d.action, HRPOL_RESTART_GROUP);
    assert_int_equal(d.n, 5);
    d = hrpol_group_restart(&g, &t, SEC(11) - 1);      /* the one at 1 s is 1 ns short */
    assert_int_equal(d.action, HRPOL_SITE_RESTART);
    assert_int_equal(d.n, 6);

    hrpol_group_init(&g);
    for (uint32_t i = 0; i < 5; i++)
        hrpol_group_restart(&g, &t, SEC(i));
    d = hrpol_group_restart(&g, &t, SEC(10) - 1);      /* all six within 10 s */
    assert_int_equal(d.action, HRPOL_SITE_RESTART);
}

/* A restart is made at once (HR lets the kernel make it) only when it would be the first in
   the window, with a backoff; as restarts slide out of the window it is again; without a
   backoff every restart up to the maximum is; never with a maximum of 0. The decision the
   restart then gets agrees. */
static void test_restart_at_once(void **state)
{
    struct hrpol_tunables t = defaults();
    struct hrpol_group g;
    (void)state;
    hrpol_group_init(&g);
    assert_true(hrpol_restart_at_once(&g, &t, SEC(0)));
    assert_int_equal(hrpol_group_restart(&g, &t, SEC(1)).n, 1);
    assert_false(hrpol_restart_at_once(&g, &t, SEC(1)));
    assert_false(hrpol_restart_at_once(&g, &t, SEC(11) - 1));
    assert_true(hrpol_restart_at_once(&g, &t, SEC(11)));    /* the one at 1 s slid out */
    assert_int_equal(hrpol_group_restart(&g, &t, SEC(11)).n, 1);

    assert_int_equal(hrpol_backoff_init(&t, 0, 0), K_OK);
    hrpol_group_init(&g);
    for (uint32_t i = 0; i < 5; i++) {
        assert_true(hrpol_restart_at_once(&g, &t, SEC(i)));
        assert_int_equal(hrpol_group_restart(&g, &t, SEC(i)).action, HRPOL_RESTART_GROUP);
    }
    assert_false(hrpol_restart_at_once(&g, &t, SEC(5)));     /* the sixth escalates */
    assert_int_equal(hrpol_group_restart(&g, &t, SEC(5)).action, HRPOL_SITE_RESTART);

    assert_int_equal(hrpol_tunables_init(&t, 0, 10000, 3, 60000), K_OK);
    hrpol_group_init(&g);
    assert_false(hrpol_restart_at_once(&g, &t, SEC(0)));
}

/* A group that fails every 2 s never escalates (five in any 10 s); every 1.9 s it does. */
static void test_steady_rate(void **state)
{
    struct hrpol_tunables t = defaults();
    struct hrpol_group g;
    struct hrpol_decision d;
    uint32_t i;
    (void)state;
    hrpol_group_init(&g);
    for (i = 0; i < 200; i++) {
        d = hrpol_group_restart(&g, &t, SEC(2 * i));
        assert_int_equal(d.action, HRPOL_RESTART_GROUP);
        assert_true(d.n >= 1 && d.n <= 5);
    }
    assert_int_equal(d.n, 5);

    hrpol_group_init(&g);
    for (i = 0; i < 200; i++) {
        d = hrpol_group_restart(&g, &t, MS(1900 * i));
        if (d.action == HRPOL_SITE_RESTART)
            break;
    }
    assert_int_equal(i, 5);
}

/* A long quiet spell empties the window: the count starts again from 1. */
static void test_quiet_spell_resets(void **state)
{
    struct hrpol_tunables t = defaults();
    struct hrpol_group g;
    (void)state;
    hrpol_group_init(&g);
    for (uint32_t i = 0; i < 5; i++)
        hrpol_group_restart(&g, &t, MS(10 * i));
    assert_int_equal(hrpol_group_restart(&g, &t, SEC(3600)).n, 1);
    assert_int_equal(hrpol_group_restart(&g, &t, SEC(3601)).n, 2);
}

/* max_restarts 0: the first abnormal end escalates; other maxima are honoured exactly. */
static void test_other_maxima(void **state)
{
    struct hrpol_tunables t;
    struct hrpol_group g;
    (void)state;
    assert_int_equal(hrpol_tunables_init(&t, 0, 10000, 3, 60000), K_OK);
    hrpol_group_init(&g);
    assert_int_equal(hrpol_group_restart(&g, &t, SEC(1)).action, HRPOL_SITE_RESTART);

    assert_int_equal(hrpol_tunables_init(&t, HRPOL_MAX_RESTARTS_LIMIT, 10000, 3, 60000), K_OK);
    hrpol_group_init(&g);
    for (uint32_t i = 1; i <= HRPOL_MAX_RESTARTS_LIMIT; i++)
        assert_int_equal(hrpol_group_restart(&g, &t, MS(i)).action, HRPOL_RESTART_GROUP);
    assert_int_equal(hrpol_group_restart(&g, &t, MS(100)).action, HRPOL_SITE_RESTART);
}

/* A counter that went backwards (times recorded after "now") counts those times as recent. */
static void test_group_counter_backwards(void **state)
{
    struct hrpol_tunables t = defaults();
    struct hrpol_group g;
    struct hrpol_decision d;
    (void)state;
    hrpol_group_init(&g);
    for (uint32_t i = 0; i < 5; i++)
        hrpol_group_restart(&g, &t, SEC(1000 + i));
    d = hrpol_group_restart(&g, &t, SEC(1));
    assert_int_equal(d.action, HRPOL_SITE_RESTART);
    assert_int_equal(d.n, 6);
}

/* Three site restarts within 60 s still auto-start; a fourth stops it, with the reason. */
static void test_site_fourth_stops(void **state)
{
    struct hrpol_tunables t = defaults();
    uint64_t times[8] = { SEC(100), SEC(110), SEC(120), SEC(130) };
    char reason[64];
    struct hrpol_site_decision d;
    (void)state;

    d = hrpol_site_decide(&t, times, 0, SEC(5), reason, sizeof(reason));
    assert_true(d.auto_start);
    assert_int_equal(d.n, 0);
    assert_string_equal(reason, "0 site restarts within 60 s");

    d = hrpol_site_decide(&t, times, 1, SEC(100), reason, sizeof(reason));
    assert_true(d.auto_start);
    assert_string_equal(reason, "1 site restart within 60 s");

    d = hrpol_site_decide(&t, times, 3, SEC(120) + MS(5), reason, sizeof(reason));
    assert_true(d.auto_start);
    assert_int_equal(d.n, 3);

    d = hrpol_site_decide(&t, times, 4, SEC(130) + MS(5), reason, sizeof(reason));
    assert_false(d.auto_start);
    assert_int_equal(d.n, 4);
    assert_string_equal(reason, "4 site restarts within 60 s");
}

/* Site restarts spaced more than 60 s / 3 apart never stop auto-start, however many. */
static void test_site_spaced(void **state)
{
    struct hrpol_tunables t = defaults();
    uint64_t times[8];
    char reason[64];
    struct hrpol_site_decision d;
    (void)state;
    for (uint32_t i = 0; i < 8; i++)
        times[i] = SEC(25 * i);
    d = hrpol_site_decide(&t, times, 8, SEC(175), reason, sizeof(reason));
    assert_true(d.auto_start);
    assert_int_equal(d.n, 3);     /* 125, 150, 175 */
    assert_string_equal(reason, "3 site restarts within 60 s");

    /* The same four, the oldest just 60 s old: it no longer counts. */
    uint64_t four[4] = { SEC(0), SEC(20), SEC(40), SEC(60) };
    assert_true(hrpol_site_decide(&t, four, 4, SEC(60), reason, sizeof(reason)).auto_start);
    assert_false(hrpol_site_decide(&t, four, 4, SEC(60) - 1, reason, sizeof(reason)).auto_start);
}

/* History order does not matter; times after "now" (counter reset) count as recent. */
static void test_site_counter_backwards(void **state)
{
    struct hrpol_tunables t = defaults();
    uint64_t times[4] = { SEC(900), SEC(50), SEC(700), SEC(800) };
    char reason[64];
    struct hrpol_site_decision d;
    (void)state;
    d = hrpol_site_decide(&t, times, 4, SEC(1), reason, sizeof(reason));
    assert_false(d.auto_start);
    assert_int_equal(d.n, 4);
    d = hrpol_site_decide(&t, times, 4, SEC(100), reason, sizeof(reason));
    assert_false(d.auto_start);   /* 50 is within 60 s, the other three "in the future" */
    d = hrpol_site_decide(&t, times, 4, SEC(1000), reason, sizeof(reason));
    assert_true(d.auto_start);
    assert_int_equal(d.n, 0);
}

/* The reason names a non-whole interval in ms and is cut to the buffer, NUL-terminated. */
static void test_site_reason_format(void **state)
{
    struct hrpol_tunables t;
    uint64_t times[2] = { SEC(1), SEC(2) };
    char reason[64];
    char small[8];
    (void)state;
    assert_int_equal(hrpol_tunables_init(&t, 5, 10000, 1, 1500), K_OK);
    assert_false(hrpol_site_decide(&t, times, 2, SEC(2), reason, sizeof(reason)).auto_start);
    assert_string_equal(reason, "2 site restarts within 1500 ms");
    memset(small, 'x', sizeof(small));
    hrpol_site_decide(&t, times, 2, SEC(2), small, sizeof(small));
    assert_string_equal(small, "2 site ");
    hrpol_site_decide(&t, times, 2, SEC(2), NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tunables),
        cmocka_unit_test(test_ticks_to_ns),
        cmocka_unit_test(test_exactly_max_then_escalate),
        cmocka_unit_test(test_backoff_grows_and_caps),
        cmocka_unit_test(test_backoff_values),
        cmocka_unit_test(test_window_slides),
        cmocka_unit_test(test_restart_at_once),
        cmocka_unit_test(test_steady_rate),
        cmocka_unit_test(test_quiet_spell_resets),
        cmocka_unit_test(test_other_maxima),
        cmocka_unit_test(test_group_counter_backwards),
        cmocka_unit_test(test_site_fourth_stops),
        cmocka_unit_test(test_site_spaced),
        cmocka_unit_test(test_site_counter_backwards),
        cmocka_unit_test(test_site_reason_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Host tests of HR's persistent group registry: round trips, limits, corruption, torn updates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <hr/registry.h>
#include <lib/crc32.h>
#include <reprise/errors.h>

static uint8_t area[HRREG_AREA_SIZE] __attribute__((aligned(8)));
static uint8_t saved[HRREG_AREA_SIZE];
static struct hrreg reg;
static char why[160];

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

/* Opens the registry afresh on the area, as HR does after a reset; returns the status. */
static int reopen(void)
{
    memset(&reg, 0, sizeof(reg));
    return hrreg_open(&reg, area, sizeof(area), why, sizeof(why));
}

/* Every group, actor, argument and site time as one string, to compare states. */
static void dump(char *out, size_t n)
{
    struct hrreg_group_info g;
    struct hrreg_actor_info a;
    struct hrreg_site_history s;
    size_t len = 0;

    for (uint32_t i = 0; hrreg_group_at(&reg, i, &g) == K_OK; i++) {
        len += (size_t)snprintf(out + len, n - len, "g%d s%u r%u n%u:", g.gid, g.state,
                                g.restarts, g.nactors);
        for (uint32_t k = 0; hrreg_actor_at(&reg, g.gid, k, &a) == K_OK; k++) {
            len += (size_t)snprintf(out + len, n - len, " %s(%u)", a.name, a.argc);
            for (uint32_t b = 0; b < a.args_len; b++)
                len += (size_t)snprintf(out + len, n - len, "%c", a.args[b] ? a.args[b] : '|');
        }
        len += (size_t)snprintf(out + len, n - len, ";");
    }
    hrreg_site_get(&reg, &s);
    len += (size_t)snprintf(out + len, n - len, " site %u/%u:", s.count, s.total);
    for (uint32_t i = 0; i < s.count; i++)
        len += (size_t)snprintf(out + len, n - len, " %llu", (unsigned long long)s.times[i]);
    assert_true(len < n);
}

/* Starts every test on a blank (zeroed) area with a fresh, empty registry. */
static int setup(void **state)
{
    (void)state;
    memset(area, 0, sizeof(area));
    assert_int_equal(reopen(), HRREG_INITIALISED);
    return 0;
}

/* Adds an actor with args given as one string with '|' between arguments. */
static int add(int32_t gid, const char *name, const char *argstr)
{
    char args[HRREG_ARGS_MAX + 8];
    uint32_t len = 0, argc = 0;
    if (argstr) {
        len = (uint32_t)strlen(argstr) + 1;
        memcpy(args, argstr, len);
        for (uint32_t i = 0; i < len; i++)
            if (args[i] == '|' || args[i] == '\0') {
                args[i] = '\0';
                argc++;
            }
    }
    return hrreg_add_actor(&reg, gid, name, argc, args, len, (uint32_t)gid & 0x3fu);
}

/* A blank area is initialised and says so; the next open keeps the empty registry. */
static void test_blank_then_kept(void **state)
{
    (void)state;
    memset(area, 0, sizeof(area));
    assert_int_equal(reopen(), HRREG_INITIALISED);
    assert_string_equal(why, "none found, initialised empty");
    assert_int_equal(reopen(), HRREG_KEPT);
    assert_string_equal(why, "kept, 0 groups (copy B, seq 2)");
    assert_int_equal(hrreg_group_count(&reg), 0);
}

/* A bad area is refused without a store. */
static void test_bad_area(void **state)
{
    (void)state;
    assert_int_equal(hrreg_open(&reg, area, HRREG_AREA_SIZE - 1, why, sizeof(why)), K_EINVAL);
    assert_int_equal(hrreg_open(&reg, area + 4, HRREG_AREA_SIZE - 4, why, sizeof(why)),
                     K_EINVAL);
    assert_int_equal(hrreg_open(&reg, NULL, HRREG_AREA_SIZE, why, sizeof(why)), K_EINVAL);
}

/* Groups, actors and their arguments come back identical after a reopen. */
static void test_round_trip(void **state)
{
    struct hrreg_group_info g;
    struct hrreg_actor_info a;
    char before[4096], after[4096];
    (void)state;

    assert_int_equal(add(1, "hello", "hello|-v"), K_OK);
    assert_int_equal(add(7, "server", NULL), K_OK);
    assert_int_equal(add(1, "worker", "worker|3|x y"), K_OK);
    assert_int_equal(hrreg_set_group_state(&reg, 7, HRREG_GROUP_STOPPED), K_OK);
    assert_int_equal(hrreg_count_restart(&reg, 1), K_OK);
    assert_int_equal(hrreg_count_restart(&reg, 1), K_OK);
    dump(before, sizeof(before));
    assert_string_equal(before, "g1 s1 r2 n2: hello(2)hello|-v| worker(3)worker|3|x y|;"
                                "g7 s2 r0 n1: server(0); site 0/0:");

    assert_int_equal(reopen(), HRREG_KEPT);
    assert_string_equal(why, "kept, 2 groups (copy B, seq 8)");
    dump(after, sizeof(after));
    assert_string_equal(before, after);

    assert_int_equal(hrreg_group_count(&reg), 2);
    assert_int_equal(hrreg_group_find(&reg, 7, &g), K_OK);
    assert_int_equal(g.state, HRREG_GROUP_STOPPED);
    assert_int_equal(hrreg_actor_at(&reg, 1, 1, &a), K_OK);
    assert_string_equal(a.name, "worker");
    assert_int_equal(a.argc, 3);
    assert_int_equal(a.args_len, 13);
    assert_memory_equal(a.args, "worker\0003\0x y", 13);
    assert_int_equal(hrreg_actor_at(&reg, 1, 2, &a), K_EUNKNOWN);
    assert_int_equal(hrreg_actor_at(&reg, 3, 0, &a), K_EUNKNOWN);
    assert_int_equal(hrreg_group_at(&reg, 2, &g), K_EUNKNOWN);
    assert_int_equal(hrreg_group_find(&reg, 3, &g), K_EUNKNOWN);
}

/* Removing a group frees its arguments; the others' arguments stay intact. */
/* A direct actor that ended cleanly stays registered but marked, across a reopen. */
static void test_actor_ended(void **state)
{
    struct hrreg_actor_info a;
    (void)state;

    assert_int_equal(add(2, "parent", NULL), K_OK);
    assert_int_equal(add(2, "logger", "logger|-q"), K_OK);
    assert_int_equal(hrreg_actor_set_ended(&reg, 2, 1), K_OK);
    assert_int_equal(hrreg_actor_set_ended(&reg, 2, 2), K_EUNKNOWN);
    assert_int_equal(hrreg_actor_set_ended(&reg, 9, 0), K_EUNKNOWN);
    assert_int_equal(reopen(), HRREG_KEPT);
    assert_int_equal(hrreg_actor_at(&reg, 2, 0, &a), K_OK);
    assert_string_equal(a.name, "parent");
    assert_int_equal(a.ended, 0);
    assert_int_equal(hrreg_actor_at(&reg, 2, 1, &a), K_OK);
    assert_string_equal(a.name, "logger");
    assert_int_equal(a.ended, 1);
    assert_int_equal(a.privs, 2);       /* add() gives gid as privileges: kept beside ended */
    assert_memory_equal(a.args, "logger\0-q", 10);
}

static void test_remove_compacts(void **state)
{
    char out[4096];
    (void)state;
    assert_int_equal(add(1, "a", "a1|a2"), K_OK);
    assert_int_equal(add(2, "b", "b1"), K_OK);
    assert_int_equal(add(1, "c", "c1|c2|c3"), K_OK);
    assert_int_equal(add(3, "d", "d1"), K_OK);
    assert_int_equal(hrreg_remove_group(&reg, 1), K_OK);
    assert_int_equal(hrreg_remove_group(&reg, 1), K_EUNKNOWN);
    assert_int_equal(reg.img.hdr.args_used, 6);
    assert_int_equal(reopen(), HRREG_KEPT);
    dump(out, sizeof(out));
    assert_string_equal(out, "g2 s1 r0 n1: b(1)b1|;g3 s1 r0 n1: d(1)d1|; site 0/0:");
    assert_int_equal(add(4, "e", "e1"), K_OK);
    assert_int_equal(hrreg_remove_group(&reg, 3), K_OK);
    assert_int_equal(hrreg_remove_group(&reg, 2), K_OK);
    assert_int_equal(reopen(), HRREG_KEPT);
    dump(out, sizeof(out));
    assert_string_equal(out, "g4 s1 r0 n1: e(1)e1|; site 0/0:");
}

/* Bad names, gids, states and argument blocks are refused and change nothing. */
static void test_bad_input(void **state)
{
    char args[HRREG_ARGS_MAX + 1];
    char name16[HRREG_NAME_SIZE];
    (void)state;
    memcpy(saved, area, sizeof(area));

    assert_int_equal(add(0, "x", NULL), K_EINVAL);
    assert_int_equal(add(-3, "x", NULL), K_EINVAL);
    assert_int_equal(add(1, "", NULL), K_EINVAL);
    assert_int_equal(hrreg_add_actor(&reg, 1, NULL, 0, NULL, 0, 0), K_EINVAL);
    memset(name16, 'n', sizeof(name16));                    /* 16 characters, no NUL */
    assert_int_equal(hrreg_add_actor(&reg, 1, name16, 0, NULL, 0, 0), K_EINVAL);
    assert_int_equal(hrreg_add_actor(&reg, 1, "x", 1, NULL, 0, 0), K_EINVAL);   /* argc, no bytes */
    assert_int_equal(hrreg_add_actor(&reg, 1, "x", 0, "a", 2, 0), K_EINVAL);    /* bytes, argc 0 */
    assert_int_equal(hrreg_add_actor(&reg, 1, "x", 2, "a\0\0", 4, 0), K_EINVAL); /* 3 NULs */
    assert_int_equal(hrreg_add_actor(&reg, 1, "x", 1, "ab", 2, 0), K_EINVAL);   /* unterminated */
    assert_int_equal(hrreg_add_actor(&reg, 1, "x", 1, NULL, 2, 0), K_EINVAL);
    memset(args, 'a', sizeof(args));                       /* 257 bytes: one too many */
    args[HRREG_ARGS_MAX] = '\0';
    assert_int_equal(hrreg_add_actor(&reg, 1, "x", 1, args, HRREG_ARGS_MAX + 1, 0), K_EINVAL);
    for (uint32_t i = 0; i < 2 * (HRREG_ARGC_MAX + 1); i += 2) {   /* 33 arguments */
        args[i] = 'a';
        args[i + 1] = '\0';
    }
    assert_int_equal(hrreg_add_actor(&reg, 1, "x", HRREG_ARGC_MAX + 1, args,
                                     2 * (HRREG_ARGC_MAX + 1), 0), K_EINVAL);
    assert_int_equal(hrreg_set_group_state(&reg, 1, HRREG_GROUP_ACTIVE), K_EUNKNOWN);
    assert_int_equal(hrreg_count_restart(&reg, 1), K_EUNKNOWN);
    assert_memory_equal(saved, area, sizeof(area));
    assert_int_equal(hrreg_group_count(&reg), 0);

    /* The limits themselves are fine: 15 characters, 256 bytes, 32 arguments. */
    memset(name16, 'n', sizeof(name16) - 1);
    name16[HRREG_NAME_SIZE - 1] = '\0';
    memset(args, 'a', HRREG_ARGS_MAX);
    args[HRREG_ARGS_MAX - 1] = '\0';
    assert_int_equal(hrreg_add_actor(&reg, 1, name16, 1, args, HRREG_ARGS_MAX, 0), K_OK);
    for (uint32_t i = 0; i < 2 * HRREG_ARGC_MAX; i += 2) {
        args[i] = 'a';
        args[i + 1] = '\0';
    }
    assert_int_equal(hrreg_add_actor(&reg, 1, "x", HRREG_ARGC_MAX, args, 2 * HRREG_ARGC_MAX, 0),
                     K_OK);
    assert_int_equal(hrreg_set_group_state(&reg, 1, 0), K_EINVAL);
    assert_int_equal(hrreg_set_group_state(&reg, 1, 3), K_EINVAL);
    memcpy(saved, area, sizeof(area));
    assert_int_equal(hrreg_set_group_state(&reg, 1, 3), K_EINVAL);
    assert_memory_equal(saved, area, sizeof(area));
}

/* A ninth actor in a group and a seventeenth group are refused; nothing changes. */
static void test_table_limits(void **state)
{
    char name[HRREG_NAME_SIZE];
    char before[8192], after[8192];
    (void)state;
    for (int i = 0; i < HRREG_MAX_ACTORS; i++) {
        memcpy(name, "actor0", 7);
        name[5] = (char)('0' + i);
        assert_int_equal(add(5, name, "x"), K_OK);
    }
    for (int32_t gid = 100; gid < 100 + HRREG_MAX_GROUPS - 1; gid++)
        assert_int_equal(add(gid, "solo", NULL), K_OK);
    assert_int_equal(hrreg_group_count(&reg), HRREG_MAX_GROUPS);
    dump(before, sizeof(before));
    memcpy(saved, area, sizeof(area));

    assert_int_equal(add(5, "ninth", "x"), K_ETOOMUCH);
    assert_int_equal(add(999, "new", NULL), K_ETOOMUCH);
    assert_memory_equal(saved, area, sizeof(area));
    dump(after, sizeof(after));
    assert_string_equal(before, after);
    assert_int_equal(add(100, "second", "ok"), K_OK);     /* existing groups still take more */
    assert_int_equal(reopen(), HRREG_KEPT);
    assert_int_equal(hrreg_group_count(&reg), HRREG_MAX_GROUPS);
}

/* The shared args pool fills up: K_ENOMEM, nothing changed; removing a group makes room. */
static void test_args_pool_full(void **state)
{
    char args[HRREG_ARGS_MAX];
    int added = 0;
    int32_t gid = 1;
    int rc;
    (void)state;
    memset(args, 'p', sizeof(args));
    args[sizeof(args) - 1] = '\0';
    for (;;) {
        if (added && added % HRREG_MAX_ACTORS == 0)
            gid++;
        rc = hrreg_add_actor(&reg, gid, "big", 1, args, sizeof(args), 0);
        if (rc != K_OK)
            break;
        added++;
    }
    assert_int_equal(rc, K_ENOMEM);
    assert_int_equal(added, HRREG_ARGS_POOL_SIZE / HRREG_ARGS_MAX);
    memcpy(saved, area, sizeof(area));
    assert_int_equal(hrreg_add_actor(&reg, gid, "big", 1, args, sizeof(args), 0), K_ENOMEM);
    assert_memory_equal(saved, area, sizeof(area));
    assert_int_equal(hrreg_remove_group(&reg, 1), K_OK);
    assert_int_equal(hrreg_add_actor(&reg, 9, "big", 1, args, sizeof(args), 0), K_OK);
    assert_int_equal(reopen(), HRREG_KEPT);
    assert_int_equal(reg.img.hdr.args_used, (uint32_t)(added - 7) * HRREG_ARGS_MAX);
}

/* The site history keeps the last HRREG_SITE_HISTORY times, oldest first, and a total. */
static void test_site_history(void **state)
{
    struct hrreg_site_history s;
    (void)state;
    hrreg_site_get(&reg, &s);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.total, 0);
    for (uint64_t i = 1; i <= 11; i++)
        assert_int_equal(hrreg_site_record(&reg, i * 1000), K_OK);
    assert_int_equal(reopen(), HRREG_KEPT);
    hrreg_site_get(&reg, &s);
    assert_int_equal(s.count, HRREG_SITE_HISTORY);
    assert_int_equal(s.total, 11);
    for (uint32_t i = 0; i < HRREG_SITE_HISTORY; i++)
        assert_true(s.times[i] == (4 + i) * 1000ull);
    assert_int_equal(hrreg_site_clear(&reg), K_OK);
    assert_int_equal(reopen(), HRREG_KEPT);
    hrreg_site_get(&reg, &s);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.total, 11);
}

/* Recomputes the CRCs of copy c after a test changed it on purpose. */
static void reseal(int c)
{
    struct hrreg_copy *p = (struct hrreg_copy *)(void *)(area + c * HRREG_COPY_SIZE);
    p->hdr.site_crc = crc32_update(0, &p->site, sizeof(p->site));
    p->hdr.groups_crc = crc32_update(0, &p->groups, sizeof(p->groups));
    if (p->hdr.args_used <= HRREG_ARGS_POOL_SIZE)
        p->hdr.args_crc = crc32_update(0, p->args, p->hdr.args_used);
    p->hdr.hdr_crc = crc32_update(0, &p->hdr, offsetof(struct hrreg_hdr, hdr_crc));
}

/* Damage at offset off of copy c (XOR a byte), or of both copies when c < 0. */
static void damage(int c, size_t off)
{
    for (int i = 0; i < 2; i++)
        if (c < 0 || c == i)
            area[i * HRREG_COPY_SIZE + off] ^= 0x5a;
}

/* Both copies hold groups with arguments (two successive states). */
static void two_states(void)
{
    assert_int_equal(add(1, "hello", "hello|a"), K_OK);
    assert_int_equal(add(2, "other", "other|b"), K_OK);
    assert_int_equal(hrreg_site_record(&reg, 42), K_OK);
}

/* Damage to each structure of both copies is detected, named, and re-initialised. */
static void test_corruption_each_structure(void **state)
{
    static const struct {
        size_t off;
        const char *reason;
    } cases[] = {
        { offsetof(struct hrreg_copy, hdr.magic), "bad magic" },
        { offsetof(struct hrreg_copy, hdr.version), "unknown layout version" },
        { offsetof(struct hrreg_copy, hdr.seq), "header CRC mismatch" },
        { offsetof(struct hrreg_copy, hdr.hdr_crc) + 3, "header CRC mismatch" },
        { offsetof(struct hrreg_copy, hdr.reserved), "header CRC mismatch" },
        { offsetof(struct hrreg_copy, site.times), "site history CRC mismatch" },
        { offsetof(struct hrreg_copy, groups.groups[1].actors[0].name),
          "group table CRC mismatch" },
        { offsetof(struct hrreg_copy, groups.groups[15]), "group table CRC mismatch" },
        { offsetof(struct hrreg_copy, args) + 1, "args pool CRC mismatch" },
    };
    char expect[160];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(area, 0, sizeof(area));
        assert_int_equal(reopen(), HRREG_INITIALISED);
        two_states();
        damage(-1, cases[i].off);
        assert_int_equal(reopen(), HRREG_INVALID_REINITIALISED);
        snprintf(expect, sizeof(expect), "invalid (copy A: %s; copy B: %s), re-initialised empty",
                 cases[i].reason, cases[i].reason);
        assert_string_equal(why, expect);
        assert_int_equal(hrreg_group_count(&reg), 0);
        assert_int_equal(reopen(), HRREG_KEPT);
        assert_int_equal(hrreg_group_count(&reg), 0);
        assert_int_equal(add(3, "again", NULL), K_OK);
    }
}

/* Contents that pass the CRCs but make no sense (resealed on purpose) are refused too. */
static void test_inconsistent_contents(void **state)
{
    struct hrreg_copy *c[2] = { (struct hrreg_copy *)(void *)area,
                                (struct hrreg_copy *)(void *)(area + HRREG_COPY_SIZE) };
    (void)state;
    two_states();
    for (int i = 0; i < 2; i++) {
        c[i]->groups.groups[0].actors[0].args_off = (uint16_t)(c[i]->hdr.args_used);
        reseal(i);
    }
    assert_int_equal(reopen(), HRREG_INVALID_REINITIALISED);
    assert_non_null(strstr(why, "copy A: group table inconsistent"));

    two_states();
    for (int i = 0; i < 2; i++) {
        c[i]->groups.groups[1].gid = c[i]->groups.groups[0].gid;
        reseal(i);
    }
    assert_int_equal(reopen(), HRREG_INVALID_REINITIALISED);
    assert_non_null(strstr(why, "copy B: group table inconsistent"));

    two_states();
    for (int i = 0; i < 2; i++) {
        c[i]->site.count = HRREG_SITE_HISTORY + 1;
        reseal(i);
    }
    assert_int_equal(reopen(), HRREG_INVALID_REINITIALISED);
    assert_non_null(strstr(why, "site history inconsistent"));

    two_states();
    for (int i = 0; i < 2; i++) {
        c[i]->hdr.args_used = HRREG_ARGS_POOL_SIZE + 1;
        reseal(i);
    }
    assert_int_equal(reopen(), HRREG_INVALID_REINITIALISED);
    assert_non_null(strstr(why, "header sizes wrong"));
}

/* Damage to one copy only: the other is used and the damage is reported; a newer copy that is
   damaged falls back to the previous state, never a mix. */
static void test_one_copy_damaged(void **state)
{
    char older[4096], newer[4096], out[4096];
    (void)state;
    assert_int_equal(add(1, "hello", "hello|a"), K_OK);
    dump(older, sizeof(older));
    assert_int_equal(add(1, "more", "more"), K_OK);     /* goes to the other copy */
    dump(newer, sizeof(newer));
    uint32_t newest = reg.active;

    damage((int)(newest ^ 1), offsetof(struct hrreg_copy, groups.groups[0]));
    assert_int_equal(reopen(), HRREG_KEPT);
    dump(out, sizeof(out));
    assert_string_equal(out, newer);
    assert_non_null(strstr(why, "group table CRC mismatch"));
    assert_true(reg.other_bad);

    memset(area, 0, sizeof(area));
    assert_int_equal(reopen(), HRREG_INITIALISED);
    assert_int_equal(add(1, "hello", "hello|a"), K_OK);
    assert_int_equal(add(1, "more", "more"), K_OK);
    damage((int)reg.active, offsetof(struct hrreg_copy, args));
    assert_int_equal(reopen(), HRREG_KEPT);
    dump(out, sizeof(out));
    assert_string_equal(out, older);
    assert_non_null(strstr(why, "args pool CRC mismatch"));

    /* The next update goes over the damaged copy and both are good again. */
    assert_int_equal(add(2, "x", NULL), K_OK);
    assert_int_equal(reopen(), HRREG_KEPT);
    assert_null(strstr(why, "mismatch"));
    assert_false(reg.other_bad);
    assert_int_equal(hrreg_group_count(&reg), 2);
}

/* The second copy is checked by comparing its sections with the first's where their CRCs
   agree: damage to a section both copies share is found all the same, in either copy, and
   the first copy's damage does not make the second one's compare pass. Every update also
   keeps the CRCs of the sections it did not change right (the reopen checks them all). */
static void test_alike_copies_damaged(void **state)
{
    char state_now[4096], out[4096];
    (void)state;
    assert_int_equal(add(1, "hello", "hello|a"), K_OK);
    assert_int_equal(hrreg_site_record(&reg, 1000), K_OK);
    assert_int_equal(hrreg_site_record(&reg, 2000), K_OK);  /* groups alike in both copies */
    dump(state_now, sizeof(state_now));
    const struct hrreg_copy *c[2] = { (const void *)area, (const void *)(area + HRREG_COPY_SIZE) };
    assert_int_equal(c[0]->hdr.groups_crc, c[1]->hdr.groups_crc);
    assert_int_equal(c[0]->hdr.args_crc, c[1]->hdr.args_crc);
    for (int copy = 0; copy < 2; copy++) {
        memcpy(saved, area, sizeof(area));
        damage(copy, offsetof(struct hrreg_copy, groups.groups[0].actors[0].name[1]));
        assert_int_equal(reopen(), HRREG_KEPT);
        assert_true(reg.other_bad);
        assert_non_null(strstr(why, copy ? "copy B: group table CRC mismatch"
                                         : "copy A: group table CRC mismatch"));
        memcpy(area, saved, sizeof(area));
        damage(copy, offsetof(struct hrreg_copy, args) + 2);
        assert_int_equal(reopen(), HRREG_KEPT);
        assert_non_null(strstr(why, "args pool CRC mismatch"));
        memcpy(area, saved, sizeof(area));
    }
    assert_int_equal(reopen(), HRREG_KEPT);
    assert_false(reg.other_bad);
    dump(out, sizeof(out));
    assert_string_equal(out, state_now);
    /* Each kind of update, then a reopen that checks every CRC of both copies. */
    assert_int_equal(hrreg_count_restart(&reg, 1), K_OK);
    assert_int_equal(hrreg_set_group_state(&reg, 1, HRREG_GROUP_STOPPED), K_OK);
    assert_int_equal(hrreg_actor_set_ended(&reg, 1, 0), K_OK);
    assert_int_equal(add(2, "two", "two|b"), K_OK);
    assert_int_equal(hrreg_remove_group(&reg, 1), K_OK);
    assert_int_equal(hrreg_site_clear(&reg), K_OK);
    dump(state_now, sizeof(state_now));
    assert_int_equal(reopen(), HRREG_KEPT);
    assert_false(reg.other_bad);
    dump(out, sizeof(out));
    assert_string_equal(out, state_now);
}

typedef int (*update_fn)(void);

static int op_new_group(void) { return add(9, "fresh", "fresh|--fast"); }
static int op_join_group(void) { return add(1, "second", "second|x|y"); }
static int op_remove_group(void) { return hrreg_remove_group(&reg, 1); }
static int op_remove_last(void) { return hrreg_remove_group(&reg, 2); }
static int op_set_state(void) { return hrreg_set_group_state(&reg, 2, HRREG_GROUP_STOPPED); }
static int op_count_restart(void) { return hrreg_count_restart(&reg, 1); }
static int op_site_record(void) { return hrreg_site_record(&reg, 123456789ull); }
static int op_site_clear(void) { return hrreg_site_clear(&reg); }

/* The state an update starts from: two groups, arguments, a site restart. */
static void sweep_base(void)
{
    memset(area, 0, sizeof(area));
    assert_int_equal(reopen(), HRREG_INITIALISED);
    assert_int_equal(add(1, "hello", "hello|a"), K_OK);
    assert_int_equal(add(2, "other", "other|b|c"), K_OK);
    assert_int_equal(add(1, "third", NULL), K_OK);
    assert_int_equal(hrreg_site_record(&reg, 1000), K_OK);
}

/* Stops each kind of update after every possible number of stores, reopens as after a warm
   reset, and checks the registry is exactly the old state (all stores but the last) or the new
   one (all stores); then that a later update works from there. */
static void test_crash_consistency_sweep(void **state)
{
    static const update_fn ops[] = {
        op_new_group, op_join_group, op_remove_group, op_remove_last,
        op_set_state, op_count_restart, op_site_record, op_site_clear,
    };
    static uint8_t base[HRREG_AREA_SIZE];
    char old_state[4096], new_state[4096], out[4096];
    long total_points = 0;
    (void)state;

    for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
        struct store_limit sl = { -1, 0 };
        sweep_base();
        memcpy(base, area, sizeof(area));
        dump(old_state, sizeof(old_state));
        hrreg_set_store(&reg, limited_store, &sl);
        assert_int_equal(ops[o](), K_OK);
        dump(new_state, sizeof(new_state));
        assert_string_not_equal(old_state, new_state);
        long stores = sl.count;
        assert_true(stores > 0);

        for (long n = 0; n <= stores; n++) {
            memcpy(area, base, sizeof(area));
            assert_int_equal(reopen(), HRREG_KEPT);
            sl.limit = n;
            sl.count = 0;
            hrreg_set_store(&reg, limited_store, &sl);
            assert_int_equal(ops[o](), K_OK);
            assert_int_equal(sl.count, stores);
            assert_int_equal(reopen(), HRREG_KEPT);
            dump(out, sizeof(out));
            if (n < stores)
                assert_string_equal(out, old_state);
            else
                assert_string_equal(out, new_state);
            /* Life goes on after the reset: the next update lands and survives a reopen. */
            assert_int_equal(hrreg_site_record(&reg, 777), K_OK);
            assert_int_equal(reopen(), HRREG_KEPT);
            assert_null(strstr(why, "mismatch"));
            total_points++;
        }
    }
    assert_true(total_points > 8);
}

/* A reset while a blank area is being initialised leaves either nothing or a valid registry. */
static void test_crash_during_initialise(void **state)
{
    struct store_limit sl = { -1, 0 };
    long stores;
    (void)state;
    memset(area, 0, sizeof(area));
    memset(&reg, 0, sizeof(reg));
    hrreg_set_store(&reg, limited_store, &sl);
    assert_int_equal(hrreg_open(&reg, area, sizeof(area), why, sizeof(why)), HRREG_INITIALISED);
    stores = sl.count;
    for (long n = 0; n < stores; n++) {
        int rc;
        memset(area, 0, sizeof(area));
        memset(&reg, 0, sizeof(reg));
        sl.limit = n;
        sl.count = 0;
        hrreg_set_store(&reg, limited_store, &sl);
        assert_int_equal(hrreg_open(&reg, area, sizeof(area), why, sizeof(why)),
                         HRREG_INITIALISED);
        rc = reopen();
        assert_true(rc == HRREG_KEPT || rc == HRREG_INITIALISED ||
                    rc == HRREG_INVALID_REINITIALISED);
        assert_int_equal(hrreg_group_count(&reg), 0);
        assert_int_equal(reopen(), HRREG_KEPT);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_blank_then_kept, setup),
        cmocka_unit_test_setup(test_bad_area, setup),
        cmocka_unit_test_setup(test_round_trip, setup),
        cmocka_unit_test_setup(test_actor_ended, setup),
        cmocka_unit_test_setup(test_remove_compacts, setup),
        cmocka_unit_test_setup(test_bad_input, setup),
        cmocka_unit_test_setup(test_table_limits, setup),
        cmocka_unit_test_setup(test_args_pool_full, setup),
        cmocka_unit_test_setup(test_site_history, setup),
        cmocka_unit_test_setup(test_corruption_each_structure, setup),
        cmocka_unit_test_setup(test_inconsistent_contents, setup),
        cmocka_unit_test_setup(test_one_copy_damaged, setup),
        cmocka_unit_test_setup(test_alike_copies_damaged, setup),
        cmocka_unit_test_setup(test_crash_consistency_sweep, setup),
        cmocka_unit_test_setup(test_crash_during_initialise, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

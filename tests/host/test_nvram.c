/* Unit tests of pmm/nvram.c on a simulated NOR flash that can stop after any program or erase
   step: formats, commits, power cuts at every step, wear, damage to every structure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pmm/nvram.h>
#include <reprise/errors.h>

#define SEG   0x8000u            /* 32 KiB erase blocks: small, so the log wraps often */
#define NSEG  8u
#define FSIZE (SEG * NSEG)
#define PAGE  NVRAM_PAGE_SIZE
#define MAXM  8                  /* blocks in the model */

static uint8_t *fl;              /* the flash under test */
static uint8_t *saved;
static struct nvram nv;
static char why[96];
static long steps;               /* program (word) and erase steps done */
static long cut_at = -1;         /* the step that does not happen: the power cut */
static int dead;                 /* the flash stopped */
static int erase_garbage;        /* a cut erase leaves random contents (else untouched) */

/* Programs words: only erased words may be programmed, as on NOR flash. */
static int sim_program(void *ctx, uint32_t off, const uint32_t *w, uint32_t n)
{
    (void)ctx;
    for (uint32_t i = 0; i < n; i++) {
        if (dead || steps == cut_at) {
            dead = 1;
            return K_EBUSY;
        }
        steps++;
        uint32_t old;
        memcpy(&old, fl + off + 4 * i, 4);
        assert_int_equal(old, 0xffffffffu);
        assert_true(off + 4 * i + 4 <= FSIZE);
        memcpy(fl + off + 4 * i, &w[i], 4);
    }
    return K_OK;
}

/* Erases a segment; a cut erase leaves random bytes when erase_garbage is set. */
static int sim_erase(void *ctx, uint32_t off)
{
    (void)ctx;
    assert_int_equal(off % SEG, 0);
    if (dead || steps == cut_at) {
        if (!dead && erase_garbage)
            for (uint32_t i = 0; i < SEG; i++)
                fl[off + i] = (uint8_t)rand();
        dead = 1;
        return K_EBUSY;
    }
    steps++;
    memset(fl + off, 0xff, SEG);
    return K_OK;
}

static enum nvram_open_result reopen(void)
{
    dead = 0;
    cut_at = -1;
    return nvram_open(&nv, fl, FSIZE, SEG, sim_program, sim_erase, NULL, why, sizeof(why));
}

/* ---- the model: what the medium must hold -------------------------------------------------- */

struct mblock {
    char name[NVRAM_NAME_SIZE];
    uint32_t size;
    uint8_t *data;              /* pages * PAGE */
};
struct model {
    int n;
    struct mblock b[MAXM];
};

static uint32_t pages_of(uint32_t size)
{
    return (size + PAGE - 1) / PAGE;
}

static void model_free(struct model *m)
{
    for (int i = 0; i < m->n; i++)
        free(m->b[i].data);
    m->n = 0;
}

static void model_copy(struct model *dst, const struct model *src)
{
    model_free(dst);
    *dst = *src;
    for (int i = 0; i < src->n; i++) {
        size_t len = pages_of(src->b[i].size) * PAGE;
        dst->b[i].data = malloc(len);
        memcpy(dst->b[i].data, src->b[i].data, len);
    }
}

static int model_find(const struct model *m, const char *name)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->b[i].name, name) == 0)
            return i;
    return -1;
}

/* Whether the opened medium holds exactly the model's blocks and contents. */
static int matches(const struct model *m)
{
    if ((int)nvram_block_count(&nv) != m->n)
        return 0;
    for (int i = 0; i < m->n; i++) {
        const struct nvram_entry *e = nvram_lookup(&nv, m->b[i].name);
        if (!e || e->size != m->b[i].size)
            return 0;
        size_t len = pages_of(e->size) * PAGE;
        uint8_t *buf = malloc(len);
        assert_int_equal(nvram_read(&nv, e->name, buf), K_OK);
        int same = memcmp(buf, m->b[i].data, len) == 0;
        free(buf);
        if (!same)
            return 0;
    }
    return 1;
}

/* ---- operations, applied to the medium and to the model ------------------------------------ */

enum op_kind { OP_CREATE, OP_COMMIT, OP_REMOVE };
struct op {
    enum op_kind kind;
    const char *name;
    uint32_t size;              /* create */
    uint32_t seed;              /* commit: the contents; 0 = zeros */
    uint32_t touch;             /* commit: pages to change (bit mask, 0 = all) */
};

static void fill(uint8_t *data, uint32_t pages, uint32_t seed, uint32_t touch)
{
    for (uint32_t p = 0; p < pages; p++) {
        if (touch && !(touch & (1u << (p % 32))))
            continue;
        for (uint32_t i = 0; i < PAGE; i++)
            data[p * PAGE + i] = seed ? (uint8_t)(seed * 31 + p * 7 + i * 13 + (i >> 8)) : 0;
    }
}

/* Applies op to the model. */
static void model_apply(struct model *m, const struct op *op)
{
    int i = model_find(m, op->name);
    switch (op->kind) {
    case OP_CREATE:
        assert_true(i < 0 && m->n < MAXM);
        i = m->n++;
        memset(&m->b[i], 0, sizeof(m->b[i]));
        strcpy(m->b[i].name, op->name);
        m->b[i].size = op->size;
        m->b[i].data = calloc(pages_of(op->size), PAGE);
        break;
    case OP_COMMIT:
        assert_true(i >= 0);
        fill(m->b[i].data, pages_of(m->b[i].size), op->seed, op->touch);
        break;
    case OP_REMOVE:
        assert_true(i >= 0);
        free(m->b[i].data);
        m->b[i] = m->b[--m->n];
        break;
    }
}

/* Applies op to the medium (whose state is model m before op): the result. */
static int medium_apply(const struct model *m, const struct op *op)
{
    switch (op->kind) {
    case OP_CREATE: {
        struct nvram_entry e;
        memset(&e, 0, sizeof(e));
        strcpy(e.name, op->name);
        e.size = op->size;
        memcpy(e.key, "k", 1);
        e.key_len = 1;
        return nvram_create(&nv, &e);
    }
    case OP_COMMIT: {
        int i = model_find(m, op->name);
        size_t len = pages_of(m->b[i].size) * PAGE;
        uint8_t *data = malloc(len);
        memcpy(data, m->b[i].data, len);
        fill(data, pages_of(m->b[i].size), op->seed, op->touch);
        int err = nvram_commit(&nv, op->name, data, 0);
        free(data);
        return err;
    }
    case OP_REMOVE: {
        const char *names[1] = {op->name};
        return nvram_remove(&nv, names, 1);
    }
    }
    return K_EINVAL;
}

static int setup(void **state)
{
    (void)state;
    fl = malloc(FSIZE);
    saved = malloc(FSIZE);
    memset(fl, 0xff, FSIZE);
    steps = 0;
    erase_garbage = 0;
    srand(1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(fl);
    free(saved);
    return 0;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_blank_then_kept(void **state)
{
    (void)state;
    assert_int_equal(reopen(), NVRAM_BLANK);
    assert_string_equal(why, "blank medium");
    assert_int_equal(nvram_block_count(&nv), 0);
    assert_int_equal(reopen(), NVRAM_KEPT);
    assert_string_equal(why, "");
    assert_int_equal(nvram_block_count(&nv), 0);
}

static void test_zero_medium_blank(void **state)
{
    (void)state;
    memset(fl, 0, FSIZE);           /* QEMU's pflash without a file reads zeros */
    assert_int_equal(reopen(), NVRAM_BLANK);
    assert_string_equal(why, "zeroed medium");
    assert_int_equal(reopen(), NVRAM_KEPT);
    memset(fl + 3 * SEG, 0, SEG);   /* a zeroed segment among formatted ones: damage */
    assert_int_equal(reopen(), NVRAM_INVALID);
    assert_string_equal(why, "segment 3 header");
}

static void test_geometry(void **state)
{
    (void)state;
    assert_int_equal(nvram_open(&nv, fl, FSIZE, 4096, sim_program, sim_erase, NULL, why,
                                sizeof(why)), NVRAM_UNUSABLE);
    assert_string_equal(why, "flash geometry");
    assert_int_equal(nvram_open(&nv, fl, SEG * 2, SEG, sim_program, sim_erase, NULL, why,
                                sizeof(why)), NVRAM_UNUSABLE);
}

static void test_create_commit_read_remove(void **state)
{
    (void)state;
    struct model m = {0};
    struct op ops[] = {
        {OP_CREATE, "alpha", 5000, 0, 0},
        {OP_CREATE, "beta", 100, 0, 0},
        {OP_COMMIT, "alpha", 0, 7, 0},
        {OP_COMMIT, "beta", 0, 9, 0},
        {OP_COMMIT, "alpha", 0, 8, 2},
    };
    reopen();
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        assert_int_equal(medium_apply(&m, &ops[i]), K_OK);
        model_apply(&m, &ops[i]);
        assert_true(matches(&m));
    }
    assert_int_equal(reopen(), NVRAM_KEPT);
    assert_true(matches(&m));
    const struct nvram_entry *e = nvram_lookup(&nv, "alpha");
    assert_non_null(e);
    assert_int_equal(e->pages, 2);
    assert_int_equal(e->key_len, 1);
    /* Errors change nothing. */
    struct nvram_entry dup;
    memset(&dup, 0, sizeof(dup));
    strcpy(dup.name, "alpha");
    dup.size = 1;
    assert_int_equal(nvram_create(&nv, &dup), K_EEXIST);
    dup.size = 0;
    strcpy(dup.name, "gamma");
    assert_int_equal(nvram_create(&nv, &dup), K_EINVAL);
    const char *bad[2] = {"beta", "nosuch"};
    assert_int_equal(nvram_remove(&nv, bad, 2), K_EUNKNOWN);
    assert_int_equal(nvram_commit(&nv, "nosuch", fl, 0), K_EUNKNOWN);
    assert_true(matches(&m));
    struct op rm = {OP_REMOVE, "alpha", 0, 0, 0};
    assert_int_equal(medium_apply(&m, &rm), K_OK);
    model_apply(&m, &rm);
    assert_int_equal(reopen(), NVRAM_KEPT);
    assert_true(matches(&m));
    model_free(&m);
}

/* An unchanged commit writes only a directory; a page of zeros needs no page record. */
static void test_commit_writes_changed_pages_only(void **state)
{
    (void)state;
    struct model m = {0};
    struct op ops[] = {
        {OP_CREATE, "big", 8 * PAGE, 0, 0},
        {OP_COMMIT, "big", 0, 3, 0},
    };
    reopen();
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(medium_apply(&m, &ops[i]), K_OK);
        model_apply(&m, &ops[i]);
    }
    long before = steps;
    struct op same = {OP_COMMIT, "big", 0, 3, 1};
    assert_int_equal(medium_apply(&m, &same), K_OK);
    long dir_only = steps - before;
    assert_true(dir_only < 400);                  /* a directory: a few hundred bytes */
    before = steps;
    struct op one = {OP_COMMIT, "big", 0, 4, 1};
    assert_int_equal(medium_apply(&m, &one), K_OK);
    model_apply(&m, &one);
    assert_true(steps - before < dir_only + PAGE / 4 + 40);
    assert_int_equal(reopen(), NVRAM_KEPT);
    assert_true(matches(&m));
    model_free(&m);
}

/* Runs ops from a blank medium; before each op of index >= from, cuts the power after every
   step (every `stride`th) of that op and checks the reopened medium holds the state before or
   after it, whole. */
static void sweep(const struct op *ops, size_t nops, size_t from, long stride, int garbage)
{
    struct model m = {0}, next = {0};
    long cuts = 0, olds = 0, news = 0;
    assert_int_equal(reopen(), NVRAM_BLANK);
    for (size_t i = 0; i < nops; i++) {
        model_copy(&next, &m);
        model_apply(&next, &ops[i]);
        if (i >= from) {
            memcpy(saved, fl, FSIZE);
            struct nvram *keep = malloc(sizeof(nv));
            memcpy(keep, &nv, sizeof(nv));
            long start = steps;
            assert_int_equal(medium_apply(&m, &ops[i]), K_OK);
            long total = steps - start;
            for (long c = 0; c <= total; c = c < total && c + stride > total ? total : c + stride) {
                memcpy(fl, saved, FSIZE);
                memcpy(&nv, keep, sizeof(nv));
                steps = 0;
                cut_at = c;
                dead = 0;
                erase_garbage = garbage;
                medium_apply(&m, &ops[i]);
                enum nvram_open_result r = reopen();
                if (r != NVRAM_KEPT)
                    fail_msg("op %zu cut at step %ld of %ld: %d (%s)", i, c, total, r, why);
                int is_old = matches(&m), is_new = matches(&next);
                if (!is_old && !is_new)
                    fail_msg("op %zu cut at step %ld of %ld: neither state", i, c, total);
                olds += is_old;
                news += is_new && !is_old;
                cuts++;
                /* After the cut the medium takes the op again (or went on with it). */
                if (is_old && !is_new) {
                    assert_int_equal(medium_apply(&m, &ops[i]), K_OK);
                    assert_true(matches(&next));
                    assert_int_equal(reopen(), NVRAM_KEPT);
                    assert_true(matches(&next));
                }
            }
            memcpy(fl, saved, FSIZE);
            memcpy(&nv, keep, sizeof(nv));
            free(keep);
            erase_garbage = 0;
        }
        assert_int_equal(medium_apply(&m, &ops[i]), K_OK);
        model_copy(&m, &next);
        assert_int_equal(reopen(), NVRAM_KEPT);
        assert_true(matches(&m));
    }
    assert_true(cuts > 0 && olds > 0 && news > 0);
    model_free(&m);
    model_free(&next);
}

static void test_cut_every_step_create_commit_remove(void **state)
{
    (void)state;
    const struct op ops[] = {
        {OP_CREATE, "a", 2 * PAGE, 0, 0},
        {OP_COMMIT, "a", 0, 5, 0},
        {OP_CREATE, "b", 100, 0, 0},
        {OP_COMMIT, "b", 0, 6, 0},
        {OP_COMMIT, "a", 0, 7, 2},
        {OP_REMOVE, "b", 0, 0, 0},
    };
    sweep(ops, sizeof(ops) / sizeof(ops[0]), 0, 1, 0);
}

/* Commits that wrap the log round the flash many times: cuts during segment switches,
   erases (leaving garbage) and relocations. */
static void test_cut_while_wrapping(void **state)
{
    (void)state;
    struct op ops[64];
    size_t n = 0;
    ops[n++] = (struct op){OP_CREATE, "static", 3 * PAGE, 0, 0};
    ops[n++] = (struct op){OP_COMMIT, "static", 0, 11, 0};
    ops[n++] = (struct op){OP_CREATE, "hot", 2 * PAGE, 0, 0};
    while (n < 60)
        ops[n] = (struct op){OP_COMMIT, "hot", 0, (uint32_t)n, 0}, n++;
    ops[n++] = (struct op){OP_REMOVE, "static", 0, 0, 0};
    sweep(ops, n, 3, 5, 1);
}

/* Every segment is erased once a round, static data included. */
static void test_wear_spread(void **state)
{
    (void)state;
    struct model m = {0};
    struct op c1 = {OP_CREATE, "static", 4 * PAGE, 0, 0};
    struct op c2 = {OP_COMMIT, "static", 0, 3, 0};
    struct op c3 = {OP_CREATE, "hot", PAGE, 0, 0};
    reopen();
    assert_int_equal(medium_apply(&m, &c1), K_OK);
    model_apply(&m, &c1);
    assert_int_equal(medium_apply(&m, &c2), K_OK);
    model_apply(&m, &c2);
    assert_int_equal(medium_apply(&m, &c3), K_OK);
    model_apply(&m, &c3);
    for (uint32_t i = 1; i <= 2000; i++) {
        struct op c = {OP_COMMIT, "hot", 0, i, 0};
        assert_int_equal(medium_apply(&m, &c), K_OK);
        model_apply(&m, &c);
    }
    uint32_t lo, hi;
    assert_true(nv.relocated >= 4);               /* the static pages were moved forward */
    nvram_wear(&nv, &lo, &hi);
    assert_true(lo >= 20);
    assert_true(hi - lo <= 2);
    assert_int_equal(reopen(), NVRAM_KEPT);
    assert_true(matches(&m));
    nvram_wear(&nv, &lo, &hi);
    assert_true(hi - lo <= 2);
    model_free(&m);
}

/* A full medium refuses with K_ENOMEM and keeps its state. */
static void test_limits(void **state)
{
    (void)state;
    struct nvram_entry e;
    reopen();
    memset(&e, 0, sizeof(e));
    strcpy(e.name, "huge");
    e.size = (NVRAM_MAX_PAGES + 1) * PAGE;
    assert_int_equal(nvram_create(&nv, &e), K_ENOMEM);
    for (uint32_t i = 0; i < NVRAM_MAX_BLOCKS; i++) {
        memset(e.name, 0, sizeof(e.name));
        snprintf(e.name, sizeof(e.name), "b%u", (unsigned)i);
        e.size = 1;
        assert_int_equal(nvram_create(&nv, &e), K_OK);
    }
    memset(e.name, 0, sizeof(e.name));
    strcpy(e.name, "more");
    assert_int_equal(nvram_create(&nv, &e), K_ETOOMUCH);
    assert_int_equal(reopen(), NVRAM_KEPT);
    assert_int_equal(nvram_block_count(&nv), NVRAM_MAX_BLOCKS);
}

/* Builds a known medium: 3 blocks with contents, the log wrapped past segment 0. */
static void build_known(struct model *m)
{
    struct op ops[] = {
        {OP_CREATE, "one", 2 * PAGE, 0, 0},
        {OP_CREATE, "two", PAGE, 0, 0},
        {OP_CREATE, "three", 3 * PAGE, 0, 0},
        {OP_COMMIT, "one", 0, 1, 0},
        {OP_COMMIT, "two", 0, 2, 0},
        {OP_COMMIT, "three", 0, 3, 0},
    };
    assert_int_equal(reopen(), NVRAM_BLANK);
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        assert_int_equal(medium_apply(m, &ops[i]), K_OK);
        model_apply(m, &ops[i]);
    }
    for (uint32_t i = 0; i < 12; i++) {
        struct op c = {OP_COMMIT, "two", 0, 10 + i, 0};
        assert_int_equal(medium_apply(m, &c), K_OK);
        model_apply(m, &c);
    }
}

/* Writes 1-8 random bytes (each one changed) in [off, off + len). */
static void damage(uint32_t off, uint32_t len)
{
    int n = 1 + rand() % 8;
    for (int i = 0; i < n; i++)
        fl[off + (uint32_t)rand() % len] ^= (uint8_t)(1 + rand() % 255);
}

/* Damage to any structure the state depends on is detected, named, and formatted away. */
static void test_damage_every_structure(void **state)
{
    (void)state;
    struct model m = {0};
    build_known(&m);
    memcpy(saved, fl, FSIZE);
    /* The structures: headers of the segments in use, the current directory, every page. */
    uint32_t offs[64], lens[64], n = 0;
    const char *kinds[64];
    assert_int_equal(reopen(), NVRAM_KEPT);
    for (uint32_t s = 0; s < NSEG; s++) {
        if (nv.seg_live[s] || s == nv.head || s == nv.dir_off / SEG) {
            offs[n] = s * SEG, lens[n] = sizeof(struct nvram_seg_header), kinds[n++] = "segment";
        }
    }
    uint32_t dlen, dir = nv.dir_off;
    memcpy(&dlen, fl + dir + 8, 4);
    offs[n] = nv.dir_off, lens[n] = NVRAM_REC_HDR_SIZE + dlen + 8, kinds[n++] = "directory";
    for (uint32_t i = 0; i < nv.npages; i++)
        if (nv.locs[i] != NVRAM_ZERO_PAGE)
            offs[n] = nv.locs[i], lens[n] = NVRAM_REC_HDR_SIZE + 8 + PAGE + 8, kinds[n++] = "page";
    assert_true(n >= 8);
    for (uint32_t k = 0; k < n; k++) {
        for (int trial = 0; trial < 20; trial++) {
            memcpy(fl, saved, FSIZE);
            damage(offs[k], lens[k]);
            enum nvram_open_result r = reopen();
            if (r != NVRAM_INVALID)
                fail_msg("%s at 0x%x trial %d: not detected (%d, %s)", kinds[k], offs[k], trial,
                         r, why);
            assert_true(why[0] != '\0');
            assert_int_equal(nvram_block_count(&nv), 0);
            assert_int_equal(reopen(), NVRAM_KEPT);            /* cleanly formatted */
            assert_int_equal(nvram_block_count(&nv), 0);
        }
    }
    /* A damaged length that makes the directory look cut: its commit word read in the
       erased space after it (longer), or on an erased word inside it (shorter: its real CRC
       word erased too). */
    uint32_t bad_len[3] = {dlen + 64, dlen + 0x1000, dlen - 4}, ff = 0xffffffffu;
    for (int i = 0; i < 3; i++) {
        memcpy(fl, saved, FSIZE);
        memcpy(fl + dir + 8, &bad_len[i], 4);
        if (bad_len[i] < dlen)
            memcpy(fl + dir + NVRAM_REC_HDR_SIZE + dlen, &ff, 4);
        fl[dir + NVRAM_REC_HDR_SIZE + 40] ^= 0x5a;      /* and a byte of an entry */
        if (reopen() != NVRAM_INVALID)
            fail_msg("directory length %u for %u not detected (%s)", bad_len[i], dlen, why);
    }
    memcpy(fl, saved, FSIZE);
    assert_int_equal(reopen(), NVRAM_KEPT);
    assert_true(matches(&m));
    model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_blank_then_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_medium_blank, setup, teardown),
        cmocka_unit_test_setup_teardown(test_geometry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_commit_read_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_writes_changed_pages_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_every_step_create_commit_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_while_wrapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wear_spread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damage_every_structure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

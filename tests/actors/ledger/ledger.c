/* Torture actor of the warm-reset campaign (tests/torture/resets.py): churns PMM blocks for
   ever and keeps a ledger of checksummed records of every step in the bank; after each warm
   boot it checks every committed record and every block against what its seed says.

     ledger SEED [STEPS]     STEPS: stop churning after step STEPS ("ledger: idle at step
                             STEPS"), for a quiet bank (tests/torture/corrupt.py)

   Step k (k = 1, 2, ...) is a function of SEED and k alone, given the steps before it: slot
   s = h(k) % LEDGER_SLOTS; a free slot gets block "lbS" (size from h(k), filled with a pattern
   of SEED and k), a live one is freed. The record of step k (step, op, slot, gen, size,
   checksum) is written into block "ledger" once the step is done, so after a reset the last
   valid record M says that steps 1..M are done and step M+1 may be in flight: its allocate
   or free may have happened or not, never half. The check replays steps 1..M from the seed
   and compares: each record of the ring's window, each block that must exist (size and every
   byte, zeros past the size), no block that must not; then it completes step M+1 and prints

     ledger: fresh, seed S                                   (first run: no ledger yet)
     ledger: checked step M, records V verified L lost, blocks V verified L lost, inflight X

   X: none, alloc-done, alloc-undone, alloc-partial (the block exists, its fill cut short),
   free-done, free-undone. Then it churns from step M+2 on (ledger_churn). */
#include <pmm/chPmm.h>
#include <pmm/proto.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEDGER_SLOTS      16
#define LEDGER_MAX_WORDS  4096            /* a block holds up to 16 KiB of pattern */
#define LEDGER_PAGES      8               /* block "ledger": a head page and a ring of 896 */
#define LEDGER_RING       ((LEDGER_PAGES - 1) * 4096 / sizeof(struct ledger_rec))
#define LEDGER_MAGIC      0x5247444cu     /* "LDGR" */
#define LEDGER_KEY        "LEDGER"
#define LEDGER_IMAGE      "ledger"        /* its image's name: the owner of its blocks */
#define LEDGER_OP_ALLOC   1u
#define LEDGER_OP_FREE    2u

/* One record of the ring: step k lives at index (k - 1) % LEDGER_RING. */
struct ledger_rec {
    uint32_t step;
    uint32_t op;
    uint32_t slot;
    uint32_t gen;                         /* the step that allocated the block */
    uint32_t size;
    uint32_t reserved[2];
    uint32_t sum;                         /* ledger_sum of the words above */
};

/* Page 0 of block "ledger", written once when the ledger is made. */
struct ledger_head {
    uint32_t magic;
    uint32_t seed;
    uint32_t sum;
};

/* The blocks the steps so far leave: per slot, live or not, and the step that made it. */
struct ledger_state {
    uint32_t live[LEDGER_SLOTS];
    uint32_t gen[LEDGER_SLOTS];
    uint32_t size[LEDGER_SLOTS];
};

/* What a step does, from the seed and the state before it. */
struct ledger_step {
    uint32_t step, op, slot, gen, size;
};

static uint32_t ledger_seed;
static uint32_t ledger_last_step;          /* 0: churn for ever */
static struct ledger_head *ledger_head;
static struct ledger_rec *ledger_ring;
static struct ledger_state ledger_now;

/* A 32-bit mix (lowbias32): the campaign's randomness, from the seed. */
static uint32_t ledger_mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

/* Checksum of n words (records and the head). */
static __attribute__((noinline)) uint32_t ledger_sum(const uint32_t *w, uint32_t n)
{
    uint32_t h = 0x9e3779b9u;
    for (uint32_t i = 0; i < n; i++)
        h = ledger_mix(h ^ w[i]);
    return h;
}

/* Word i of the pattern of the block made by step gen. */
static uint32_t ledger_pattern(uint32_t gen, uint32_t i)
{
    return ledger_mix(ledger_seed ^ ledger_mix(gen * 0x9e3779b9u + i));
}

/* Step k as the seed has it, from the state before it. */
static void ledger_plan(const struct ledger_state *s, uint32_t k, struct ledger_step *out)
{
    uint32_t h = ledger_mix(ledger_seed ^ ledger_mix(k));
    out->step = k;
    out->slot = h % LEDGER_SLOTS;
    if (s->live[out->slot]) {
        out->op = LEDGER_OP_FREE;
        out->gen = s->gen[out->slot];
        out->size = s->size[out->slot];
    } else {
        out->op = LEDGER_OP_ALLOC;
        out->gen = k;
        out->size = 4u * (1u + ledger_mix(h) % LEDGER_MAX_WORDS);
    }
}

/* Applies a done step to a state. */
static void ledger_apply(struct ledger_state *s, const struct ledger_step *st)
{
    s->live[st->slot] = st->op == LEDGER_OP_ALLOC;
    s->gen[st->slot] = st->gen;
    s->size[st->slot] = st->size;
}

static void ledger_name(PmmName *n, const char *name)
{
    memset(n, 0, sizeof(*n));
    strcpy(n->medium, "RAM");
    strncpy(n->name, name, sizeof(n->name) - 1);
}

static void ledger_slot_name(PmmName *n, uint32_t slot)
{
    char name[8];
    snprintf(name, sizeof(name), "lb%lu", (unsigned long)slot);
    ledger_name(n, name);
}

/* pmmAllocate of a block of the ledger's key: its address, or NULL (error printed). */
static uint32_t *ledger_block(const PmmName *n, uint32_t size)
{
    VmAddr addr = 0;
    int res = pmmAllocate(&addr, (PmmName *)n, size, LEDGER_KEY, sizeof(LEDGER_KEY));
    if (res != K_OK) {
        printf("ledger: pmmAllocate(%s, %lu) failed: %d\n", n->name, (unsigned long)size, res);
        return NULL;
    }
    return (uint32_t *)addr;
}

/* Block info by listing index (PMM_OP_BLOCK_INFO): K_OK, K_EUNKNOWN past the end. */
static int ledger_info(uint32_t index, struct pmm_block_info *bi)
{
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
    if (port < 0)
        return port;
    struct ipc_bufs b = { 0, 0, bi, sizeof(*bi), 0 };
    struct sys_ipc_ret r = sys_ipc_call(port, PMM_OP_BLOCK_INFO, index, 0, 0, &b);
    return r.status != K_OK ? (int)r.status : (int)(int32_t)r.w[0];
}

/* Fills the block of step gen with its pattern (words in ascending order). */
static __attribute__((noinline)) void ledger_fill(uint32_t *w, uint32_t gen, uint32_t size)
{
    for (uint32_t i = 0; i < size / 4; i++)
        w[i] = ledger_pattern(gen, i);
}

/* Checks a block's words: 1 when all size bytes hold the pattern and the rest of its pages
   zeros; with partial, a pattern prefix then zeros also passes (a fill cut short). */
static int ledger_block_ok(const uint32_t *w, uint32_t gen, uint32_t size, int partial)
{
    uint32_t words = size / 4, pages_words = (size + 4095u) / 4096u * 1024u, i = 0;
    while (i < words && w[i] == ledger_pattern(gen, i))
        i++;
    if (i < words && !partial)
        return 0;
    for (; i < pages_words; i++)
        if (w[i] != 0)
            return 0;
    return 1;
}

/* Writes the record of a done step into the ring, checksum last. */
static __attribute__((noinline)) void ledger_record(const struct ledger_step *st)
{
    struct ledger_rec r = { st->step, st->op, st->slot, st->gen, st->size, { 0, 0 }, 0 };
    volatile struct ledger_rec *dst = &ledger_ring[(st->step - 1) % LEDGER_RING];
    r.sum = ledger_sum((const uint32_t *)&r, 7);
    dst->step = r.step;
    dst->op = r.op;
    dst->slot = r.slot;
    dst->gen = r.gen;
    dst->size = r.size;
    dst->reserved[0] = 0;
    dst->reserved[1] = 0;
    __asm__ volatile("dmb" ::: "memory");
    dst->sum = r.sum;
    __asm__ volatile("dmb" ::: "memory");
}

/* Whether a record is whole and is step k's. */
static int ledger_rec_valid(const struct ledger_rec *r)
{
    return r->step != 0 && r->sum == ledger_sum((const uint32_t *)r, 7) &&
           (r->step - 1) % LEDGER_RING == (uint32_t)(r - ledger_ring);
}

/* Does step st: allocate and fill, or free. 0, or -1 when PMM refused (printed). */
static __attribute__((noinline)) int ledger_do(const struct ledger_step *st)
{
    PmmName n;
    ledger_slot_name(&n, st->slot);
    if (st->op == LEDGER_OP_ALLOC) {
        uint32_t *w = ledger_block(&n, st->size);
        if (!w)
            return -1;
        ledger_fill(w, st->gen, st->size);
        return 0;
    }
    int res = pmmFree(&n);
    if (res != K_OK) {
        printf("ledger: pmmFree(%s) failed: %d\n", n.name, res);
        return -1;
    }
    return 0;
}

/* One step of the churn: plan, do, record, apply. */
static __attribute__((noinline)) int ledger_step(uint32_t k)
{
    struct ledger_step st;
    ledger_plan(&ledger_now, k, &st);
    if (ledger_do(&st) != 0)
        return -1;
    ledger_record(&st);
    ledger_apply(&ledger_now, &st);
    return 0;
}

/* Churns from step k on, for ever or up to step ledger_last_step (the driver's point of
   reference after each check). */
static __attribute__((noinline)) void ledger_churn(uint32_t k)
{
    for (; ledger_last_step == 0 || k <= ledger_last_step; k++) {
        if (ledger_step(k) != 0) {
            printf("ledger: churn stopped at step %lu\n", (unsigned long)k);
            break;
        }
    }
    if (ledger_last_step != 0 && k > ledger_last_step)
        printf("ledger: idle at step %lu\n", (unsigned long)(k - 1));
    for (;;)
        sys_call1(SYS_DELAY, 1000000);
}

/* The blocks of the bank that are the ledger's: per slot, listed or not, with its size. */
struct ledger_listing {
    int ledger;                           /* block "ledger" exists */
    uint32_t ledger_size;
    int present[LEDGER_SLOTS];
    uint32_t size[LEDGER_SLOTS];
    uint32_t strays;                      /* ledger-key blocks of no slot */
};

static void ledger_list(struct ledger_listing *l)
{
    struct pmm_block_info bi;
    memset(l, 0, sizeof(*l));
    for (uint32_t i = 0; ledger_info(i, &bi) == K_OK; i++) {
        if (strcmp(bi.owner, LEDGER_IMAGE) != 0)     /* keys are not listed: the owner is */
            continue;
        char *end;
        if (!strcmp(bi.name.name, "ledger")) {
            l->ledger = 1;
            l->ledger_size = bi.size;
        } else if (!strncmp(bi.name.name, "lb", 2) &&
                   strtoul(bi.name.name + 2, &end, 10) < LEDGER_SLOTS && *end == '\0' &&
                   bi.name.name[2] != '\0') {
            uint32_t s = (uint32_t)strtoul(bi.name.name + 2, NULL, 10);
            l->present[s] = 1;
            l->size[s] = bi.size;
        } else {
            l->strays++;
        }
    }
}

/* Makes the ledger on a first run; 0, or -1. */
static int ledger_create(void)
{
    PmmName n;
    ledger_name(&n, "ledger");
    uint32_t *w = ledger_block(&n, LEDGER_PAGES * 4096);
    if (!w)
        return -1;
    ledger_head = (struct ledger_head *)w;
    ledger_ring = (struct ledger_rec *)(w + 1024);
    ledger_head->magic = LEDGER_MAGIC;
    ledger_head->seed = ledger_seed;
    ledger_head->sum = ledger_sum(w, 2);
    printf("ledger: fresh, seed %lu\n", (unsigned long)ledger_seed);
    return 0;
}

/* The check after a (re)start: replays the seed up to the last record, compares records and
   blocks, completes the step in flight. Returns the next step, or 0 when it cannot go on. */
static __attribute__((noinline)) uint32_t ledger_check(const struct ledger_listing *l)
{
    PmmName n;
    ledger_name(&n, "ledger");
    uint32_t *w = ledger_block(&n, LEDGER_PAGES * 4096);
    if (!w)
        return 0;
    ledger_head = (struct ledger_head *)w;
    ledger_ring = (struct ledger_rec *)(w + 1024);
    if (ledger_head->magic != LEDGER_MAGIC || ledger_head->seed != ledger_seed ||
        ledger_head->sum != ledger_sum(w, 2)) {
        printf("ledger: head damaged or of another seed\n");
        return 0;
    }

    uint32_t last = 0, rec_ok = 0, rec_lost = 0, blk_ok = 0, blk_lost = 0;
    for (uint32_t i = 0; i < LEDGER_RING; i++)
        if (ledger_rec_valid(&ledger_ring[i]) && ledger_ring[i].step > last)
            last = ledger_ring[i].step;
    uint32_t first = last + 2 > LEDGER_RING ? last + 2 - LEDGER_RING : 1;

    /* Replay steps 1..last; the records of the window must be exactly those steps. */
    memset(&ledger_now, 0, sizeof(ledger_now));
    for (uint32_t k = 1; k <= last; k++) {
        struct ledger_step st;
        ledger_plan(&ledger_now, k, &st);
        if (k >= first) {
            const struct ledger_rec *r = &ledger_ring[(k - 1) % LEDGER_RING];
            if (ledger_rec_valid(r) && r->step == k && r->op == st.op && r->slot == st.slot &&
                r->gen == st.gen && r->size == st.size) {
                rec_ok++;
            } else {
                rec_lost++;
                printf("ledger: record of step %lu lost\n", (unsigned long)k);
            }
        }
        ledger_apply(&ledger_now, &st);
    }

    /* The blocks: those of the replayed state, and step last + 1 either way (none when the
       ledger stopped at its last step). */
    struct ledger_step next;
    int more = ledger_last_step == 0 || last < ledger_last_step;
    ledger_plan(&ledger_now, last + 1, &next);
    const char *inflight = "none";
    int redo = 0;
    for (uint32_t s = 0; s < LEDGER_SLOTS; s++) {
        int want = (int)ledger_now.live[s], in_flight = more && s == next.slot;
        if (in_flight)
            want = l->present[s];           /* either is right; contents checked below */
        if (l->present[s] != want) {
            blk_lost++;
            printf("ledger: block lb%lu %s\n", (unsigned long)s,
                   want ? "missing" : "still there, freed");
            continue;
        }
        if (!want)
            continue;
        uint32_t gen = in_flight && next.op == LEDGER_OP_ALLOC ? next.gen : ledger_now.gen[s];
        uint32_t size = in_flight && next.op == LEDGER_OP_ALLOC ? next.size : ledger_now.size[s];
        ledger_slot_name(&n, s);
        uint32_t *b = l->size[s] == size ? ledger_block(&n, size) : NULL;
        int partial = in_flight && next.op == LEDGER_OP_ALLOC;
        if (!b || !ledger_block_ok(b, gen, size, partial)) {
            blk_lost++;
            printf("ledger: block lb%lu has a wrong size or contents (size %lu, want %lu)\n",
                   (unsigned long)s, (unsigned long)l->size[s], (unsigned long)size);
            continue;
        }
        blk_ok++;
        if (partial && !ledger_block_ok(b, gen, size, 0)) {
            inflight = "alloc-partial";
            ledger_fill(b, gen, size);      /* the fill completes step last + 1 */
        }
    }
    if (more && strcmp(inflight, "alloc-partial") != 0) {
        if (next.op == LEDGER_OP_ALLOC)
            inflight = l->present[next.slot] ? "alloc-done" : "alloc-undone";
        else
            inflight = l->present[next.slot] ? "free-undone" : "free-done";
        redo = !strcmp(inflight, "alloc-undone") || !strcmp(inflight, "free-undone");
    }
    if (last == 0 && more && !l->present[next.slot])
        inflight = "none";
    if (l->strays) {
        blk_lost += l->strays;
        printf("ledger: %lu blocks of the ledger's key that no step made\n",
               (unsigned long)l->strays);
    }
    if (redo && ledger_do(&next) != 0)
        return 0;
    if (more) {
        ledger_record(&next);
        ledger_apply(&ledger_now, &next);
    }
    printf("ledger: checked step %lu, records %lu verified %lu lost, blocks %lu verified "
           "%lu lost, inflight %s\n", (unsigned long)last, (unsigned long)rec_ok,
           (unsigned long)rec_lost, (unsigned long)blk_ok, (unsigned long)blk_lost, inflight);
    return more ? last + 2 : last + 1;
}

int main(int argc, char **argv)
{
    struct ledger_listing l;
    uint32_t next = 1;
    if (argc < 2) {
        printf("ledger: usage: ledger SEED [STEPS]\n");
        return 1;
    }
    ledger_seed = (uint32_t)strtoul(argv[1], NULL, 0);
    ledger_last_step = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 0;
    ledger_list(&l);
    if (!l.ledger) {
        int any = l.strays != 0;
        for (uint32_t s = 0; s < LEDGER_SLOTS; s++)
            any |= l.present[s];
        if (any)
            printf("ledger: block ledger lost, its blocks are still there\n");
        if (ledger_create() != 0)
            return 1;
    } else if ((next = ledger_check(&l)) == 0) {
        printf("ledger: cannot go on\n");
        for (;;)
            sys_call1(SYS_DELAY, 1000000);
    }
    ledger_churn(next);
    return 0;
}

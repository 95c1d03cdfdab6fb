/* PMM test actor: one operation per run, from argv, printing lines that scenarios match.
     set NAME SIZE KEY VALUE   allocate or retrieve, store VALUE in the first word
     get NAME SIZE KEY         allocate or retrieve, print the first word
     free NAME [KEY]           pmmFree (with KEY: retrieve it first, which entitles this run)
     freeall KEY               pmmFreeAll
     stat                      the bank's block and page counts (PMM_OP_STAT)
     list [KEY]                every block it may see (PMM_OP_BLOCK_INFO; KEY: those a retrieval
                               with KEY maps), then the counts
     hold NAME SIZE KEY UNTIL  map a block, wait for a block UNTIL, write (faults once freed)
     errors [FOREIGN KEY]      every bad input of SPEC 4 and its code, nothing changed after
                               each; FOREIGN: a block of another run (key KEY), never mapped here
     full                      with the directory full: a new block is K_ETOOMUCH
     fill KEY N                allocate N more blocks named KEY<k> (1-3 pages, k counts on)
     drain KEY                 pmmFree every block of key KEY, one by one
     many N                    allocate N blocks, list and check them, free them
     stress ID N               N rounds of allocate/check/free beside another stress actor
     freeallcheck KEY N        N blocks of KEY and one other, pmmFreeAll(KEY), pages back
     restart                   site restart (SYS_SITE_RESTART; needs the site privilege)
   A key is the string with its NUL (strlen + 1 bytes), as the scenarios type it. */
#include <hr/hr.h>
#include <pmm/chPmm.h>
#include <pmm/proto.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PMMT_KERNEL_ADDR   0x40010000u   /* kernel memory: never reachable from PL0 */
#define PMMT_UNMAPPED_ADDR 0x20000000u   /* inside the rgnAllocate area, nothing there */
#define PMMT_LIVE_MAX      8             /* blocks a stress actor holds at once */
#define PMMT_MANY_MAX      256

static int pmmt_checks, pmmt_failed;

/* Fills a PmmName: medium "RAM", name zero padded. */
static void pmmt_name(PmmName *n, const char *name)
{
    memset(n, 0, sizeof(*n));
    strcpy(n->medium, "RAM");
    strncpy(n->name, name, sizeof(n->name) - 1);
}

/* pmmAllocate with a string key (its NUL included). */
static int pmmt_alloc(VmAddr *addr, const char *name, size_t size, const char *key)
{
    PmmName n;
    pmmt_name(&n, name);
    return pmmAllocate(addr, &n, size, (char *)key, strlen(key) + 1);
}

static int pmmt_free(const char *name)
{
    PmmName n;
    pmmt_name(&n, name);
    return pmmFree(&n);
}

/* Calls the PMM server directly (its protocol, pmm/proto.h): the reply's status, or the
   kernel's error; w (may be NULL) gets reply words 1 and 2. */
static int pmmt_raw(uint32_t op, uint32_t w1, const void *send, uint32_t send_len, void *recv,
                    uint32_t recv_cap, uint32_t *w)
{
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
    if (port < 0)
        return port;
    struct ipc_bufs b = { send, send_len, recv, recv_cap, 0 };
    struct sys_ipc_ret r = sys_ipc_call(port, op, w1, 0, 0, &b);
    if (r.status != K_OK)
        return (int)r.status;
    if (w) {
        w[0] = r.w[1];
        w[1] = r.w[2];
    }
    return (int)(int32_t)r.w[0];
}

static int pmmt_stat(struct pmm_stat *st)
{
    memset(st, 0, sizeof(*st));
    return pmmt_raw(PMM_OP_STAT, 0, NULL, 0, st, sizeof(*st), NULL);
}

static int pmmt_info(uint32_t index, struct pmm_block_info *bi)
{
    return pmmt_raw(PMM_OP_BLOCK_INFO, index, NULL, 0, bi, sizeof(*bi), NULL);
}

/* Whether addr can be read by this actor (a checked copy, so never a fault). */
static int pmmt_mapped(uint32_t addr)
{
    uint32_t word;
    return sys_call3(SYS_USER_COPY, (long)&word, (long)addr, sizeof(word)) == K_OK;
}

/* Whether block bi has the string key key: a retrieval with that key succeeds (listings never
   show keys), which maps the block here. */
static int pmmt_key_is(const struct pmm_block_info *bi, const char *key)
{
    VmAddr a;
    PmmName n = bi->name;
    return pmmAllocate(&a, &n, bi->size, (char *)key, strlen(key) + 1) == K_OK;
}

/* Finds block name in the directory listing: 1 with *bi, or 0. */
static int pmmt_find(const char *name, struct pmm_block_info *bi)
{
    for (uint32_t i = 0; pmmt_info(i, bi) == K_OK; i++)
        if (!strcmp(bi->name.name, name))
            return 1;
    return 0;
}

/* What the bank holds: counts and a hash of every block's name, size, place and key. */
struct pmmt_snap {
    struct pmm_stat st;
    uint32_t listed;
    uint32_t hash;
};

static uint32_t pmmt_hash(uint32_t h, const void *p, size_t n)
{
    for (const unsigned char *c = p; n--; c++)
        h = (h ^ *c) * 16777619u;
    return h;
}

static void pmmt_snapshot(struct pmmt_snap *s)
{
    struct pmm_block_info bi;
    memset(s, 0, sizeof(*s));
    pmmt_stat(&s->st);
    s->hash = 2166136261u;
    for (uint32_t i = 0; pmmt_info(i, &bi) == K_OK; i++) {
        s->listed++;
        s->hash = pmmt_hash(s->hash, &bi.name, sizeof(bi.name));
        s->hash = pmmt_hash(s->hash, &bi.size, 4 * sizeof(uint32_t));   /* size..vaddr */
        s->hash = pmmt_hash(s->hash, bi.owner, sizeof(bi.owner) + sizeof(uint32_t)); /* ..flags */
        s->hash = pmmt_hash(s->hash, &bi.group, sizeof(bi.group));
    }
}

static int pmmt_same(const struct pmmt_snap *a, const struct pmmt_snap *b)
{
    return a->st.blocks == b->st.blocks && a->st.pages_used == b->st.pages_used &&
           a->listed == b->listed && a->hash == b->hash;
}

/* Counts one check; prints it when it fails. */
static void pmmt_check(const char *what, long got, long want)
{
    pmmt_checks++;
    if (got != want) {
        pmmt_failed++;
        printf("pmmt: FAILED %s: got %ld, want %ld\n", what, got, want);
    }
}

/* Checks that the bank is as in snapshot before. */
static void pmmt_unchanged(const char *what, const struct pmmt_snap *before)
{
    struct pmmt_snap now;
    pmmt_snapshot(&now);
    pmmt_checks++;
    if (!pmmt_same(before, &now)) {
        pmmt_failed++;
        printf("pmmt: FAILED %s changed the bank: %lu blocks, %lu pages -> %lu blocks, %lu pages\n",
               what, (unsigned long)before->st.blocks, (unsigned long)before->st.pages_used,
               (unsigned long)now.st.blocks, (unsigned long)now.st.pages_used);
    }
}

/* Checks a call's result, and that the bank is as before (snapshot) when it failed. */
static void pmmt_expect(const char *what, long got, long want, const struct pmmt_snap *before)
{
    pmmt_check(what, got, want);
    if (want != K_OK)
        pmmt_unchanged(what, before);
}

static int pmmt_report(const char *op)
{
    printf("pmmt: %s: %d checks, %d failed\n", op, pmmt_checks, pmmt_failed);
    return pmmt_failed != 0;
}

/* pmmAllocate with a raw name, size and key, checking the code, that *addr is untouched,
   and that nothing changed. */
static void pmmt_bad_alloc(const char *what, PmmName *n, size_t size, const void *key,
                           size_t key_size, int want, const struct pmmt_snap *before)
{
    VmAddr addr = (VmAddr)0x5a5a5a5a;
    pmmt_expect(what, pmmAllocate(&addr, n, size, (char *)key, key_size), want, before);
    pmmt_check("addr untouched by a failed call", (long)addr, 0x5a5a5a5a);
}

/* Every bad input of SPEC 4 (K_ETOOMUCH aside: see `full`), each followed by a check that
   the bank did not change. foreign (may be NULL): a block this actor never mapped. */
static int pmmt_errors(const char *foreign, const char *foreign_key)
{
    struct pmmt_snap start, s;
    PmmName n;
    VmAddr addr = 0, again = 0;
    pmmt_snapshot(&start);

    /* A block to retrieve badly. */
    pmmt_check("allocate e.ok", pmmt_alloc(&addr, "e.ok", 4096, "ekey"), K_OK);
    if (addr)
        *(volatile uint32_t *)addr = 0xfeed;
    pmmt_snapshot(&s);

    /* Medium and name. */
    pmmt_name(&n, "e.new");
    strcpy(n.medium, "ROM");
    pmmt_bad_alloc("medium ROM", &n, 4096, "ekey", 5, K_EINVAL, &s);
    memset(n.medium, 0, sizeof(n.medium));
    pmmt_bad_alloc("empty medium", &n, 4096, "ekey", 5, K_EINVAL, &s);
    memcpy(n.medium, "RAMRAMRA", sizeof(n.medium));
    pmmt_bad_alloc("unterminated medium", &n, 4096, "ekey", 5, K_EINVAL, &s);
    pmmt_name(&n, "");
    pmmt_bad_alloc("empty name", &n, 4096, "ekey", 5, K_EINVAL, &s);
    pmmt_name(&n, "");
    memset(n.name, 'n', sizeof(n.name));
    pmmt_bad_alloc("unterminated name", &n, 4096, "ekey", 5, K_EINVAL, &s);

    /* Sizes. */
    pmmt_name(&n, "e.new");
    pmmt_bad_alloc("memSize 0", &n, 0, "ekey", 5, K_EINVAL, &s);
    pmmt_bad_alloc("memSize bank + 1", &n, s.st.bank_size + 1, "ekey", 5, K_EINVAL, &s);
    pmmt_bad_alloc("memSize 0xffffffff", &n, 0xffffffffu, "ekey", 5, K_EINVAL, &s);

    /* Keys. */
    pmmt_bad_alloc("delKeySize 33", &n, 4096, "0123456789abcdef0123456789abcdef", 33, K_EINVAL, &s);
    pmmt_bad_alloc("key __SYSX", &n, 4096, "__SYSX", 7, K_EPRIV, &s);
    pmmt_bad_alloc("key __SYS", &n, 4096, "__SYS", 5, K_EPRIV, &s);
    pmmt_bad_alloc("HR_GROUP_KEY, not restartable", &n, 4096, HR_GROUP_KEY, HR_GROUP_KEYSIZE,
                   K_EINVAL, &s);

    /* Retrievals of e.ok that do not match it. */
    pmmt_name(&n, "e.ok");
    pmmt_bad_alloc("retrieve with a larger size", &n, 4097, "ekey", 5, K_EINVAL, &s);
    pmmt_bad_alloc("retrieve with another key", &n, 4096, "other", 6, K_EPRIV, &s);
    pmmt_bad_alloc("retrieve with a shorter key", &n, 4096, "ekey", 4, K_EPRIV, &s);
    pmmt_bad_alloc("retrieve without a key", &n, 4096, NULL, 0, K_EPRIV, &s);
    pmmt_expect("retrieve with a smaller size", pmmAllocate(&again, &n, 1, "ekey", 5), K_OK, &s);
    pmmt_check("retrieved at the same address", (long)again, (long)addr);

    /* Bank full: a block larger than the data area, then one more page after a block that
       takes every free page. */
    pmmt_name(&n, "e.new");
    pmmt_bad_alloc("more than the data area", &n, (s.st.pages_total + 1) * 4096u, "ekey", 5,
                   K_ENOMEM, &s);
    uint32_t free_pages = s.st.pages_total - s.st.pages_used;
    VmAddr big = 0;
    pmmt_check("allocate every free page", pmmt_alloc(&big, "e.big", free_pages * 4096u, "ekey"),
               K_OK);
    struct pmmt_snap full;
    pmmt_snapshot(&full);
    pmmt_check("no free page left", (long)full.st.pages_used, (long)full.st.pages_total);
    pmmt_bad_alloc("bank full", &n, 1, "ekey", 5, K_ENOMEM, &full);
    pmmt_check("free e.big", pmmt_free("e.big"), K_OK);

    /* Pointers outside the caller: K_EFAULT, nothing sent. */
    static const uint32_t bad_ptrs[] = { 0, PMMT_KERNEL_ADDR, PMMT_UNMAPPED_ADDR };
    for (unsigned i = 0; i < sizeof(bad_ptrs) / sizeof(bad_ptrs[0]); i++) {
        char what[64];
        uint32_t p = bad_ptrs[i];
        pmmt_name(&n, "e.new");
        snprintf(what, sizeof(what), "addr at 0x%08lx", (unsigned long)p);
        pmmt_expect(what, pmmAllocate((VmAddr *)p, &n, 4096, "ekey", 5), K_EFAULT, &s);
        snprintf(what, sizeof(what), "name at 0x%08lx", (unsigned long)p);
        pmmt_bad_alloc(what, (PmmName *)p, 4096, "ekey", 5, K_EFAULT, &s);
        snprintf(what, sizeof(what), "key at 0x%08lx", (unsigned long)p);
        pmmt_bad_alloc(what, &n, 4096, (const void *)p, 5, K_EFAULT, &s);
        snprintf(what, sizeof(what), "pmmFree name at 0x%08lx", (unsigned long)p);
        pmmt_expect(what, pmmFree((PmmName *)p), K_EFAULT, &s);
        snprintf(what, sizeof(what), "pmmFreeAll key at 0x%08lx", (unsigned long)p);
        pmmt_expect(what, pmmFreeAll((char *)p, 5), K_EFAULT, &s);
    }
    uint32_t edge = ACTOR_STACK_TOP_VADDR - 8;     /* a name running off the stack's top */
    pmmt_bad_alloc("name across the end of the stack", (PmmName *)edge, 4096, "ekey", 5,
                   K_EFAULT, &s);
    pmmt_expect("pmmFree name across the end of the stack", pmmFree((PmmName *)edge), K_EFAULT, &s);
    uint32_t text = (uint32_t)(uintptr_t)pmmt_errors & ~3u;       /* mapped, read-only */
    pmmt_expect("addr in read-only text", pmmAllocate((VmAddr *)text, &n, 4096, "ekey", 5),
                K_EFAULT, &s);

    /* pmmFree and pmmFreeAll. */
    pmmt_name(&n, "e.none");
    pmmt_expect("pmmFree of an unknown name", pmmFree(&n), K_EUNKNOWN, &s);
    strcpy(n.medium, "ROM");
    pmmt_expect("pmmFree medium ROM", pmmFree(&n), K_EINVAL, &s);
    pmmt_name(&n, "");
    pmmt_expect("pmmFree empty name", pmmFree(&n), K_EINVAL, &s);
    pmmt_expect("pmmFreeAll HR_GROUP_KEY", pmmFreeAll(HR_GROUP_KEY, HR_GROUP_KEYSIZE), K_EPRIV, &s);
    pmmt_expect("pmmFreeAll __SYSX", pmmFreeAll("__SYSX", 7), K_EPRIV, &s);
    pmmt_expect("pmmFreeAll delKeySize 33", pmmFreeAll("0123456789abcdef0123456789abcdef", 33),
                K_EINVAL, &s);
    pmmt_expect("pmmFreeAll of a key nobody has", pmmFreeAll("nokey", 6), K_OK, &s);
    pmmt_unchanged("pmmFreeAll of a key nobody has", &s);

    /* The server's protocol, past the client library's checks. */
    struct pmm_alloc_req req;
    memset(&req, 0, sizeof(req));
    pmmt_name(&req.name, "e.raw");
    memcpy(req.key, "ekey", 5);
    req.key_len = 33;
    req.size = 4096;
    pmmt_expect("raw allocate key_len 33", pmmt_raw(PMM_OP_ALLOCATE, 0, &req, sizeof(req), NULL, 0, NULL),
                K_EINVAL, &s);
    req.key_len = 5;
    pmmt_expect("raw allocate short request", pmmt_raw(PMM_OP_ALLOCATE, 0, &req, sizeof(req) - 4, NULL, 0, NULL),
                K_EINVAL, &s);
    pmmt_expect("raw free short name", pmmt_raw(PMM_OP_FREE, 0, &req.name, 8, NULL, 0, NULL), K_EINVAL, &s);
    pmmt_expect("raw free-all length mismatch", pmmt_raw(PMM_OP_FREE_ALL, 3, "ekey", 5, NULL, 0, NULL),
                K_EINVAL, &s);
    pmmt_expect("raw free-group (HR only)", pmmt_raw(PMM_OP_FREE_GROUP, 1, NULL, 0, NULL, 0, NULL), K_EPRIV, &s);
    pmmt_expect("raw sys-area (HR only)", pmmt_raw(PMM_OP_SYS_AREA, PMM_AREA_HR_REGISTRY, NULL, 0, NULL, 0, NULL),
                K_EPRIV, &s);
    pmmt_expect("raw block-info past the end", pmmt_raw(PMM_OP_BLOCK_INFO, 9999, NULL, 0, NULL, 0, NULL),
                K_EUNKNOWN, &s);
    pmmt_expect("raw stat without a reply buffer", pmmt_raw(PMM_OP_STAT, 0, NULL, 0, NULL, 0, NULL),
                K_EINVAL, &s);
    pmmt_expect("raw unknown operation", pmmt_raw(99, 0, NULL, 0, NULL, 0, NULL), K_EINVAL, &s);

    /* A block this actor never mapped: refused retrievals map nothing. */
    struct pmm_block_info bi;
    if (foreign && pmmt_find(foreign, &bi)) {
        pmmt_name(&n, foreign);
        pmmt_bad_alloc("foreign: retrieve with a larger size", &n, bi.size + 1, foreign_key,
                       strlen(foreign_key) + 1, K_EINVAL, &s);
        pmmt_bad_alloc("foreign: retrieve with another key", &n, bi.size, "other", 6, K_EPRIV, &s);
        pmmt_check("foreign: still not mapped here", pmmt_mapped(bi.vaddr), 0);
        pmmt_check("foreign: pmmFreeAll with another key", pmmFreeAll("other", 6), K_OK);
        pmmt_check("foreign: still there", pmmt_find(foreign, &bi), 1);
    } else if (foreign) {
        pmmt_check("foreign block exists", 0, 1);
    }

    /* e.ok is intact; freeing it unmaps it here too, and the bank is back as it started. */
    pmmt_name(&n, "e.ok");
    pmmt_check("retrieve e.ok", pmmAllocate(&again, &n, 4096, "ekey", 5), K_OK);
    pmmt_check("e.ok at the same address", (long)again, (long)addr);
    pmmt_check("e.ok contents kept", addr ? (long)*(volatile uint32_t *)addr : 0, 0xfeed);
    pmmt_check("free e.ok", pmmFree(&n), K_OK);
    pmmt_check("e.ok no longer mapped", pmmt_mapped(addr), 0);
    pmmt_check("pmmFree twice", pmmFree(&n), K_EUNKNOWN);
    struct pmmt_snap end;
    pmmt_snapshot(&end);
    pmmt_check("bank as it started", pmmt_same(&start, &end), 1);
    return pmmt_report("errors");
}

/* With every directory slot used: a new block is K_ETOOMUCH and changes nothing, a free
   slot makes it possible again. */
static int pmmt_full(void)
{
    struct pmmt_snap s;
    pmmt_snapshot(&s);
    pmmt_check("directory full", (long)s.st.blocks, (long)s.st.max_blocks);
    PmmName n;
    pmmt_name(&n, "f.new");
    pmmt_bad_alloc("directory full", &n, 4096, "fkey", 5, K_ETOOMUCH, &s);
    pmmt_bad_alloc("directory full, one byte", &n, 1, "fkey", 5, K_ETOOMUCH, &s);
    return pmmt_report("full");
}

/* Number of the blocks in the directory whose key is key. */
static uint32_t pmmt_count_key(const char *key)
{
    struct pmm_block_info bi;
    uint32_t n = 0;
    for (uint32_t i = 0; pmmt_info(i, &bi) == K_OK; i++)
        n += pmmt_key_is(&bi, key);
    return n;
}

/* How many blocks of the listing have a name that starts with prefix. Unlike pmmt_count_key
   it calls nothing but the listing, so it is safe while another actor frees blocks (a key
   test of a block freed meanwhile would allocate it anew). */
static uint32_t pmmt_count_prefix(const char *prefix)
{
    struct pmm_block_info bi;
    uint32_t n = 0;
    for (uint32_t i = 0; pmmt_info(i, &bi) == K_OK; i++)
        n += !strncmp(bi.name.name, prefix, strlen(prefix));
    return n;
}

/* Allocates n more blocks KEY<k>, 1-3 pages each, writing k in the first and last word. */
static int pmmt_fill(const char *key, int n)
{
    uint32_t k0 = pmmt_count_key(key);
    int done = 0, err = K_OK;
    for (; done < n; done++) {
        char name[32];
        VmAddr a;
        uint32_t k = k0 + (uint32_t)done, size = 4096u * (1 + k % 3);
        snprintf(name, sizeof(name), "%s%lu", key, (unsigned long)k);
        err = pmmt_alloc(&a, name, size, key);
        if (err != K_OK)
            break;
        ((volatile uint32_t *)a)[0] = k;
        ((volatile uint32_t *)(a + size))[-1] = k;
    }
    printf("pmmt: fill %s: %d allocated, %s%lu..%s%lu", key, done, key, (unsigned long)k0, key,
           (unsigned long)(k0 + (uint32_t)done - 1));
    printf(err ? ", error %d\n" : "\n", err);
    return err != K_OK;
}

/* Frees every block of key, by name, as another actor would. */
static int pmmt_drain(const char *key)
{
    struct pmm_block_info bi;
    int freed = 0, failed = 0;
    uint32_t i = 0;
    while (pmmt_info(i, &bi) == K_OK) {
        if (!pmmt_key_is(&bi, key)) {
            i++;
            continue;
        }
        int err = pmmFree(&bi.name);
        if (err == K_OK)
            freed++;
        else {
            failed++;
            i++;
        }
    }
    struct pmm_stat st;
    pmmt_stat(&st);
    printf("pmmt: drain %s: %d freed, %d failed, %lu blocks left, %lu pages used\n", key, freed,
           failed, (unsigned long)st.blocks, (unsigned long)st.pages_used);
    return failed != 0;
}

/* Prints every block (with key: only those of the key) and checks that the directory is
   consistent: names unique, blocks inside the bank and apart, the counts those of PMM_OP_STAT. */
static int pmmt_list(const char *key)
{
    static struct pmm_block_info all[PMMT_MANY_MAX];
    struct pmm_stat st;
    uint32_t n = 0, of_key = 0, pages = 0, bad = 0;
    while (n < PMMT_MANY_MAX && pmmt_info(n, &all[n]) == K_OK) {
        const struct pmm_block_info *bi = &all[n++];
        pages += bi->pages;
        if (key && !pmmt_key_is(bi, key))
            continue;
        of_key++;
        printf("pmmt: block %s size %lu pages %lu at 0x%08lx owner %s group %ld mappers %lu\n",
               bi->name.name, (unsigned long)bi->size, (unsigned long)bi->pages,
               (unsigned long)bi->vaddr, bi->owner, (long)bi->group, (unsigned long)bi->nmappers);
    }
    pmmt_stat(&st);
    for (uint32_t i = 0; i < n; i++) {
        const struct pmm_block_info *a = &all[i];
        if (a->vaddr != ACTOR_PMM_VADDR + a->offset || a->pages != (a->size + 4095u) / 4096u ||
            a->offset + a->pages * 4096u > st.bank_size) {
            printf("pmmt: block %s: bad place or size\n", a->name.name);
            bad++;
        }
        for (uint32_t j = i + 1; j < n; j++) {
            const struct pmm_block_info *b = &all[j];
            if (!strcmp(a->name.name, b->name.name) ||
                (a->offset < b->offset + b->pages * 4096u && b->offset < a->offset + a->pages * 4096u)) {
                printf("pmmt: blocks %s and %s clash\n", a->name.name, b->name.name);
                bad++;
            }
        }
    }
    if (n != st.blocks || pages != st.pages_used) {
        printf("pmmt: the listing does not add up to the counts\n");
        bad++;
    }
    printf("pmmt: list: %lu blocks", (unsigned long)n);
    if (key)
        printf(" (%lu of key %s)", (unsigned long)of_key, key);
    printf(", %lu of %lu pages used, %s\n", (unsigned long)st.pages_used,
           (unsigned long)st.pages_total, bad ? "INCONSISTENT" : "consistent");
    return bad != 0;
}

/* Allocates n blocks in this actor, checks the listing shows each once at its address with
   its contents, frees them one by one; the bank's used pages come back. */
static int pmmt_many(int n)
{
    static VmAddr addrs[PMMT_MANY_MAX];
    struct pmm_stat before, mid, after;
    struct pmm_block_info bi;
    int made = 0, listed = 0, freed = 0;
    if (n < 0 || n > (int)(sizeof(addrs) / sizeof(addrs[0])))
        n = 0;
    pmmt_stat(&before);
    for (; made < n; made++) {
        char name[16];
        snprintf(name, sizeof(name), "many%d", made);
        int err = pmmt_alloc(&addrs[made], name, 4096, "many");
        if (err != K_OK) {
            pmmt_check("allocate", err, K_OK);
            break;
        }
        *(volatile uint32_t *)addrs[made] = 0x6d000000u + (uint32_t)made;
    }
    pmmt_stat(&mid);
    for (uint32_t i = 0; pmmt_info(i, &bi) == K_OK; i++) {
        int k;
        if (!pmmt_key_is(&bi, "many") || sscanf(bi.name.name, "many%d", &k) != 1 || k < 0 || k >= made)
            continue;
        listed++;
        pmmt_check("listed at its address", (long)bi.vaddr, (long)addrs[k]);
        pmmt_check("contents", (long)*(volatile uint32_t *)addrs[k], (long)(0x6d000000u + (uint32_t)k));
    }
    pmmt_check("listed", listed, made);
    pmmt_check("blocks counted", (long)mid.blocks, (long)(before.blocks + (uint32_t)made));
    for (int k = 0; k < made; k++) {
        char name[16];
        snprintf(name, sizeof(name), "many%d", k);
        freed += pmmt_free(name) == K_OK;
    }
    pmmt_stat(&after);
    pmmt_check("freed", freed, made);
    pmmt_check("used pages back", (long)after.pages_used, (long)before.pages_used);
    printf("pmmt: many %d: allocated %d, listed %d, freed %d, used pages %lu -> %lu -> %lu\n",
           n, made, listed, freed, (unsigned long)before.pages_used, (unsigned long)mid.pages_used,
           (unsigned long)after.pages_used);
    return pmmt_report("many");
}

/* One stress block: its name and where it is. */
struct pmmt_live {
    char name[16];
    VmAddr addr;
    uint32_t size;
    uint32_t tag;
};

/* Checks that a stress block still holds its tag in the first and last word. */
static void pmmt_live_check(const struct pmmt_live *l)
{
    volatile uint32_t *p = (volatile uint32_t *)l->addr;
    pmmt_check("first word", (long)p[0], (long)l->tag);
    pmmt_check("last word", (long)p[l->size / 4 - 1], (long)l->tag);
}

/* The block two stress actors share: they meet there before starting and note whose turn
   it was, to count how often their calls alternated. */
struct pmmt_sync {
    uint32_t arrived;
    uint32_t done;
    uint32_t turn;
};

/* Meets the other stress actor in the shared block: the block, or NULL after 10 s alone. */
static volatile struct pmmt_sync *pmmt_meet(void)
{
    VmAddr a = 0;
    if (pmmt_alloc(&a, "stress-sync", 4096, "stress-sync") != K_OK)
        return NULL;
    volatile struct pmmt_sync *sync = (volatile struct pmmt_sync *)a;
    __atomic_add_fetch(&sync->arrived, 1, __ATOMIC_SEQ_CST);
    for (int ms = 0; sync->arrived < 2; ms++) {
        if (ms == 10000)
            return NULL;
        sys_call1(SYS_DELAY, 1000);
    }
    return sync;
}

/* Allocates, checks and frees blocks for n rounds, yielding between calls so that the other
   stress actor's calls come between; up to PMMT_LIVE_MAX blocks live at once. The two meet
   first in a shared block, which the last one to finish frees. */
static int pmmt_stress(const char *id, int n)
{
    struct pmmt_live live[PMMT_LIVE_MAX];
    char key[16];
    int nlive = 0, switches = 0;
    volatile struct pmmt_sync *sync = pmmt_meet();
    if (!sync) {
        printf("pmmt: stress %s: no other stress actor came\n", id);
        return 1;
    }
    snprintf(key, sizeof(key), "stress-%s", id);
    for (int i = 0; i < n; i++) {
        struct pmmt_live *l = &live[nlive];
        if (sync->turn != (uint32_t)id[0])
            switches++;
        sync->turn = (uint32_t)id[0];
        snprintf(l->name, sizeof(l->name), "s-%s-%d", id, i);
        l->size = 4096u * (1 + (uint32_t)i % 3);
        l->tag = ((uint32_t)id[0] << 24) | (uint32_t)i;
        int err = pmmt_alloc(&l->addr, l->name, l->size, key);
        pmmt_check("allocate", err, K_OK);
        if (err != K_OK)
            break;
        volatile uint32_t *p = (volatile uint32_t *)l->addr;
        pmmt_check("fresh block zeroed", (long)(p[0] | p[l->size / 4 - 1]), 0);
        p[0] = l->tag;
        p[l->size / 4 - 1] = l->tag;
        nlive++;
        sys_call0(SYS_YIELD);
        struct pmmt_live *r = &live[(uint32_t)i % (uint32_t)nlive];
        VmAddr again = 0;
        pmmt_check("retrieve", pmmt_alloc(&again, r->name, r->size, key), K_OK);
        pmmt_check("same address", (long)again, (long)r->addr);
        pmmt_live_check(r);
        sys_call0(SYS_YIELD);
        if (nlive == PMMT_LIVE_MAX) {
            pmmt_live_check(&live[0]);
            pmmt_check("free", pmmt_free(live[0].name), K_OK);
            memmove(&live[0], &live[1], sizeof(live[0]) * (PMMT_LIVE_MAX - 1));
            nlive--;
            sys_call0(SYS_YIELD);
        }
    }
    while (nlive > 0) {
        pmmt_live_check(&live[nlive - 1]);
        pmmt_check("free", pmmt_free(live[nlive - 1].name), K_OK);
        nlive--;
    }
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "s-%s-", id);
    pmmt_check("no block of its own left", (long)pmmt_count_prefix(prefix), 0);
    printf("pmmt: stress %s: %d rounds, %d switches, %d checks, %d failed\n", id, n, switches,
           pmmt_checks, pmmt_failed);
    if (__atomic_add_fetch(&sync->done, 1, __ATOMIC_SEQ_CST) == 2)
        pmmt_free("stress-sync");       /* the other one is past its last touch */
    return pmmt_failed != 0;
}

/* n blocks of key and one of another key; pmmFreeAll(key) frees exactly the n, unmaps them,
   and the bank's used pages come back to where they were. */
static int pmmt_freeall_check(const char *key, int n)
{
    static VmAddr addrs[16];
    struct pmm_stat before, mid, after;
    VmAddr keep = 0;
    if (n < 0 || n > 16)
        n = 16;
    pmmt_stat(&before);
    for (int i = 0; i < n; i++) {
        char name[24];
        snprintf(name, sizeof(name), "fa-%s-%d", key, i);
        pmmt_check("allocate", pmmt_alloc(&addrs[i], name, 4096u * (1 + (uint32_t)i % 4), key), K_OK);
    }
    pmmt_check("allocate the other block", pmmt_alloc(&keep, "fa-keep", 4096, "fa-other"), K_OK);
    if (keep)
        *(volatile uint32_t *)keep = 0x4b454550;
    pmmt_stat(&mid);
    pmmt_check("pmmFreeAll", pmmFreeAll((char *)key, strlen(key) + 1), K_OK);
    pmmt_check("no block of the key left", (long)pmmt_count_key(key), 0);
    for (int i = 0; i < n; i++)
        pmmt_check("freed block unmapped", pmmt_mapped(addrs[i]), 0);
    pmmt_check("other block kept", (long)pmmt_count_key("fa-other"), 1);
    pmmt_check("other block readable", keep ? (long)*(volatile uint32_t *)keep : 0, 0x4b454550);
    pmmt_check("free the other block", pmmt_free("fa-keep"), K_OK);
    pmmt_stat(&after);
    pmmt_check("used pages back", (long)after.pages_used, (long)before.pages_used);
    pmmt_check("blocks back", (long)after.blocks, (long)before.blocks);
    printf("pmmt: freeallcheck %s: %d freed, used pages %lu -> %lu -> %lu\n", key, n,
           (unsigned long)before.pages_used, (unsigned long)mid.pages_used,
           (unsigned long)after.pages_used);
    return pmmt_report("freeallcheck");
}

/* Maps a block, waits until a block named until exists (polling every 10 ms, 30 s at
   most), then writes to it: once another actor freed the block, the write faults. */
static int pmmt_hold(const char *name, size_t size, const char *key, const char *until)
{
    struct pmm_block_info bi;
    VmAddr addr;
    int err = pmmt_alloc(&addr, name, size, key);
    if (err != K_OK) {
        printf("pmmt: hold %s: error %d\n", name, err);
        return 1;
    }
    volatile uint32_t *p = (volatile uint32_t *)addr;
    printf("pmmt: hold %s at 0x%08lx = %lu, waiting for %s\n", name, (unsigned long)addr,
           (unsigned long)*p, until);
    for (int ms = 0; ms < 30000 && !pmmt_find(until, &bi); ms += 10)
        sys_call1(SYS_DELAY, 10000);
    printf("pmmt: hold %s: writing 0x%08lx\n", name, (unsigned long)addr);
    *p = 0xdead;
    printf("pmmt: hold %s: still mapped, wrote %lu\n", name, (unsigned long)*p);
    return 0;
}

/* set and get: allocate or retrieve, then print the first word (after storing value). */
static int pmmt_set_get(int argc, char **argv)
{
    VmAddr addr = 0;
    int res = pmmt_alloc(&addr, argv[2], (size_t)strtoul(argv[3], NULL, 0), argv[4]);
    if (res != K_OK) {
        printf("pmmt: %s %s: error %d\n", argv[1], argv[2], res);
        return 1;
    }
    volatile unsigned long *p = (volatile unsigned long *)addr;
    if (!strcmp(argv[1], "set") && argc >= 6)
        *p = strtoul(argv[5], NULL, 0);
    printf("pmmt: %s %s at 0x%08lx = %lu\n", argv[1], argv[2], (unsigned long)addr, *p);
    return 0;
}

int main(int argc, char **argv)
{
    const char *op = argc >= 2 ? argv[1] : "";
    struct pmm_stat st;
    if (argc >= 5 && (!strcmp(op, "set") || !strcmp(op, "get")))
        return pmmt_set_get(argc, argv);
    if ((argc == 3 || argc == 4) && !strcmp(op, "free")) {
        VmAddr a;
        int err = argc == 4 ? pmmt_alloc(&a, argv[2], 1, argv[3]) : K_OK;   /* holds it then */
        printf("pmmt: free %s: %d\n", argv[2], err != K_OK ? err : pmmt_free(argv[2]));
        return 0;
    }
    if (argc == 3 && !strcmp(op, "freeall")) {
        printf("pmmt: freeall %s: %d\n", argv[2], pmmFreeAll(argv[2], strlen(argv[2]) + 1));
        return 0;
    }
    if (argc == 2 && !strcmp(op, "stat")) {
        int err = pmmt_stat(&st);
        printf("pmmt: stat: %d, %lu blocks of %lu, %lu of %lu pages used, bank %lu bytes\n", err,
               (unsigned long)st.blocks, (unsigned long)st.max_blocks,
               (unsigned long)st.pages_used, (unsigned long)st.pages_total,
               (unsigned long)st.bank_size);
        return err != K_OK;
    }
    if ((argc == 2 || argc == 3) && !strcmp(op, "list"))
        return pmmt_list(argc == 3 ? argv[2] : NULL);
    if (argc == 6 && !strcmp(op, "hold"))
        return pmmt_hold(argv[2], strtoul(argv[3], NULL, 0), argv[4], argv[5]);
    if ((argc == 2 || argc == 4) && !strcmp(op, "errors"))
        return pmmt_errors(argc >= 3 ? argv[2] : NULL, argc >= 4 ? argv[3] : "");
    if (argc == 2 && !strcmp(op, "full"))
        return pmmt_full();
    if (argc == 4 && !strcmp(op, "fill"))
        return pmmt_fill(argv[2], atoi(argv[3]));
    if (argc == 3 && !strcmp(op, "drain"))
        return pmmt_drain(argv[2]);
    if (argc == 3 && !strcmp(op, "many"))
        return pmmt_many(atoi(argv[2]));
    if (argc == 4 && !strcmp(op, "stress"))
        return pmmt_stress(argv[2], atoi(argv[3]));
    if (argc == 4 && !strcmp(op, "freeallcheck"))
        return pmmt_freeall_check(argv[2], atoi(argv[3]));
    if (argc == 2 && !strcmp(op, "restart")) {
        printf("pmmt: site restart\n");
        printf("pmmt: site restart refused: %ld\n", sys_call0(SYS_SITE_RESTART));
        return 1;
    }
    printf("pmmt: usage: set NAME SIZE KEY VALUE | get NAME SIZE KEY | free NAME [KEY] | freeall KEY |"
           " stat | list [KEY] | hold NAME SIZE KEY UNTIL | errors [FOREIGN KEY] | full | fill KEY N |"
           " drain KEY | many N | stress ID N | freeallcheck KEY N | restart\n");
    return 2;
}

/* The PMM server actor: owns the persistent bank, hands out named blocks over IPC and maps
   them into its clients at ACTOR_PMM_VADDR + bank offset, the same address in every run.
   Who may do what (docs/design.md, Protection): a block is retrieved by its key; freed by
   an actor that holds it, a member of its group (HR_GROUP_KEY) or a privileged one
   (PRIV_ACTORS: the console); listed to its image, its group, its holders and privileged
   actors, never with its key; and its pages and blocks count against the quota of the
   image that allocated it (and of its group), whatever the key. NVRAM blocks
   (pmm_nvram.c) follow the same rules; pmmSync is their owner's as pmmFree is. */
#include "pmm_nvram.h"

#include <board.h>
#include <hr/hr.h>
#include <pmm/bank.h>
#include <pmm/proto.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

#define PMM_SYS_PREFIX "__SYS"

static struct bank pmm_bank;
static uint64_t pmm_work[(BANK_WORK_SIZE(BOARD_BANK_SIZE, BOARD_PMM_MAX_BLOCKS) + 7) / 8];

/* What the server knows about the actor that sent a request: the kernel's word for each
   (the sender's aid comes with the message; its image, group and privileges are set when it
   is created), never something the caller says. */
struct pmm_caller {
    int32_t aid;
    int32_t group;
    uint32_t privs;
    int quotas_known;           /* owner's limits filled in (at its first allocation) */
    struct bank_owner owner;    /* its image (zero padded) and the quotas it is held to */
};

/* The system image's actors and their bank quotas (manifest bank=PAGES/BLOCKS), read once. */
struct pmm_image {
    char name[ACTOR_NAME_MAX];
    uint32_t max_pages;
    uint32_t max_blocks;
};
static struct pmm_image pmm_images[64];
static uint32_t pmm_nimages;

/* Reads every image's quota from the kernel (SYS_IMAGE_INFO), the board's default filled in. */
static void pmm_load_images(void)
{
    struct image_info info;
    while (pmm_nimages < sizeof(pmm_images) / sizeof(pmm_images[0]) &&
           sys_call2(SYS_IMAGE_INFO, pmm_nimages, (long)&info) == K_OK) {
        struct pmm_image *im = &pmm_images[pmm_nimages++];
        memcpy(im->name, info.name, sizeof(im->name));
        im->name[sizeof(im->name) - 1] = '\0';
        im->max_pages = info.bank_pages ? info.bank_pages : BOARD_PMM_OWNER_PAGES;
        im->max_blocks = info.bank_blocks ? info.bank_blocks : BOARD_PMM_OWNER_BLOCKS;
    }
}

/* Fills in the quotas of o, whose image is set (the board's for an image not in the system
   image). */
static void pmm_quotas_of(struct bank_owner *o)
{
    o->max_pages = BOARD_PMM_OWNER_PAGES;
    o->max_blocks = BOARD_PMM_OWNER_BLOCKS;
    o->group_max_pages = BOARD_PMM_GROUP_PAGES;
    o->group_max_blocks = BOARD_PMM_GROUP_BLOCKS;
    for (uint32_t i = 0; i < pmm_nimages; i++) {
        if (!strcmp(pmm_images[i].name, o->image)) {
            o->max_pages = pmm_images[i].max_pages;
            o->max_blocks = pmm_images[i].max_blocks;
        }
    }
}

/* A privileged caller (the console): lists every block and may free any. */
static int pmm_privileged(const struct pmm_caller *c)
{
    return (c->privs & PRIV_ACTORS) != 0;
}

/* Callers already looked up, by aid modulo the size: an actor's group and privileges are
   set when it is created and an aid is never given again, so one SYS_ACTOR_INFO per actor
   is enough. */
#define PMM_CALLERS_CACHED 64
static struct pmm_caller pmm_callers[PMM_CALLERS_CACHED];

/* What the sender of a request is (alive: it waits for the reply): its entry of the cache,
   asked of the kernel the first time; NULL when it has ended. */
static struct pmm_caller *pmm_caller_info(int32_t aid)
{
    struct pmm_caller *c = &pmm_callers[(uint32_t)aid % PMM_CALLERS_CACHED];
    struct actor_info info;
    if (aid > 0 && c->aid == aid)
        return c;
    if (sys_call2(SYS_ACTOR_INFO, aid % 64 - 1, (long)&info) != K_OK || info.aid != aid)
        return NULL;
    memset(c, 0, sizeof(*c));
    c->aid = aid;
    c->group = info.group;
    c->privs = info.privileges;
    memcpy(c->owner.image, info.name, sizeof(c->owner.image) - 1);
    return c;
}

/* The owner c allocates as, its quotas filled in the first time. */
static const struct bank_owner *pmm_owner(struct pmm_caller *c)
{
    if (!c->quotas_known) {
        pmm_quotas_of(&c->owner);
        c->quotas_known = 1;
    }
    return &c->owner;
}

/* Whether actor aid holds block e: the kernel's word (SYS_BANK_HOLDERS), since a restart in
   place keeps an actor's bank mappings under its new aid without a word to the server. */
static int pmm_is_mapper(const struct bank_entry *e, int32_t aid)
{
    return sys_call5(SYS_BANK_HOLDERS, (long)e->offset, (long)(e->pages * BANK_PAGE_SIZE), aid,
                     0, 0) > 0;
}

/* Unmaps a freed block from every actor (bank_each_fn). */
static void pmm_unmap_entry(void *ctx, const struct bank_entry *e)
{
    (void)ctx;
    sys_call2(SYS_BANK_UNMAP, (long)e->offset, (long)(e->pages * BANK_PAGE_SIZE));
}

static int pmm_is_group_key(const char *key, uint32_t len)
{
    return len == HR_GROUP_KEYSIZE && memcmp(key, HR_GROUP_KEY, HR_GROUP_KEYSIZE) == 0;
}

/* Decides the group and flags a request's key stands for: HR_GROUP_KEY ties the block to
   the caller's restart group; other __SYS keys are for HR alone. */
static int pmm_key_rights(const struct pmm_caller *c, const char *key, uint32_t len,
                          int32_t *group, unsigned *flags)
{
    *group = 0;
    *flags = 0;
    if (pmm_is_group_key(key, len)) {
        if (c->group <= 0)
            return K_EINVAL;       /* not a restartable actor: it has no group */
        *group = c->group;
        *flags = BANK_PRIV;
    } else if (len >= 5 && memcmp(key, PMM_SYS_PREFIX, 5) == 0 && (c->privs & PRIV_FAULTS)) {
        *flags = BANK_PRIV;
    }
    return K_OK;
}

static int pmm_allocate(struct pmm_caller *c, const struct pmm_alloc_req *req, uint32_t *vaddr)
{
    int32_t group;
    unsigned flags;
    if (req->key_len > PMM_KEY_SIZE)
        return K_EINVAL;
    int err = pmm_key_rights(c, req->key, req->key_len, &group, &flags);
    if (err)
        return err;
    const struct bank_name *name = (const struct bank_name *)&req->name;
    const struct bank_entry *e;
    int created = 0;
    err = bank_retrieve(&pmm_bank, name, req->size, req->key, req->key_len, group, flags, &e);
    if (err == K_EUNKNOWN) {    /* a new block: its owner and quotas count */
        err = bank_alloc(&pmm_bank, name, req->size, req->key, req->key_len, group, flags,
                         pmm_owner(c), &e);
        created = err == K_OK;
    }
    if (err)
        return err;
    if (created && pmm_nv_is(e)) {
        err = pmm_nv_available();
        if (err == K_OK)
            err = pmm_nv_created(e);
        if (err) {
            bank_free(&pmm_bank, name, NULL);   /* the flash did not take the new block */
            return err;
        }
    }
    *vaddr = ACTOR_PMM_VADDR + e->offset;
    if (!created && pmm_is_mapper(e, c->aid))
        return K_OK;        /* a retrieval by an actor that has it mapped already */
    err = (int)sys_call5(SYS_BANK_MAP, c->aid, (long)e->offset, (long)*vaddr,
                         (long)(e->pages * BANK_PAGE_SIZE), 1);
    if (err && created && (!pmm_nv_is(e) || pmm_nv_remove(&e, 1) == K_OK))
        bank_free(&pmm_bank, name, NULL);   /* a failed call changes nothing */
    return err;
}

/* Whether c may free block e: it holds it in this incarnation (it proved the key: a retrieval
   or the allocation mapped it), it is a member of the block's group (HR_GROUP_KEY), or it is
   privileged. ChorusOS lets any actor free any block; Reprise does not. */
static int pmm_may_free(const struct pmm_caller *c, const struct bank_entry *e)
{
    return pmm_privileged(c) || (e->group > 0 && e->group == c->group) || pmm_is_mapper(e, c->aid);
}

/* Whether c may see block e in a listing: privileged, or the block is its image's, its
   group's, or held by it. */
static int pmm_may_see(const struct pmm_caller *c, const struct bank_entry *e)
{
    return pmm_may_free(c, e) || !strcmp(e->owner, c->owner.image);
}

/* pmmFree for c: K_OK, K_EINVAL, K_EUNKNOWN, or K_EPRIV (not entitled: nothing changes). */
static int pmm_free(const struct pmm_caller *c, const PmmName *pname)
{
    const struct bank_name *name = (const struct bank_name *)pname;
    const struct bank_entry *e = bank_lookup(&pmm_bank, name);
    if (!e)
        return bank_free(&pmm_bank, name, NULL);   /* K_EINVAL or K_EUNKNOWN */
    if (!pmm_may_free(c, e))
        return K_EPRIV;
    struct bank_entry copy = *e;
    int err = pmm_nv_remove(&e, 1);             /* an NVRAM block leaves the flash first */
    if (err == K_OK)
        err = bank_free(&pmm_bank, name, NULL);
    if (err == K_OK)
        pmm_unmap_entry(NULL, &copy);
    return err;
}

/* The index-th block c may see (PMM_OP_BLOCK_INFO): K_OK with *out, K_EUNKNOWN past the end.
   The key stays in the bank: only its kind is told. */
static int pmm_block_info(const struct pmm_caller *c, uint32_t index, struct pmm_block_info *out)
{
    uint32_t cursor = 0;
    const struct bank_entry *e;
    do {
        while ((e = bank_next(&pmm_bank, &cursor)) && !pmm_may_see(c, e))
            ;
    } while (e && index--);
    if (!e)
        return K_EUNKNOWN;
    memset(out, 0, sizeof(*out));
    memcpy(out->name.medium, e->medium, sizeof(out->name.medium));
    memcpy(out->name.name, e->name, sizeof(out->name.name));
    out->size = e->size;
    out->pages = e->pages;
    out->offset = e->offset;
    out->vaddr = ACTOR_PMM_VADDR + e->offset;
    memcpy(out->owner, e->owner, sizeof(out->owner));
    out->flags = (e->group > 0 ? PMM_BLOCK_GROUP_KEY : 0) |
                 (e->group == 0 && (e->flags & BANK_ENTRY_SYSKEY) ? PMM_BLOCK_SYS_KEY : 0) |
                 (pmm_is_mapper(e, c->aid) ? PMM_BLOCK_HELD : 0);
    out->group = e->group;
    long n = sys_call5(SYS_BANK_HOLDERS, (long)e->offset, (long)(e->pages * BANK_PAGE_SIZE), 0,
                       (long)out->mappers, PMM_MAPPERS_MAX);
    out->nmappers = n < 0 ? 0 : n < PMM_MAPPERS_MAX ? (uint32_t)n : PMM_MAPPERS_MAX;
    return K_OK;
}

/* The index-th owner or group c may see that holds blocks, with its quota (PMM_OP_USAGE):
   K_OK with *out, K_EUNKNOWN past the end. */
static int pmm_usage(const struct pmm_caller *c, uint32_t index, struct pmm_usage *out)
{
    uint32_t cursor = 0;
    const struct bank_tally *t;
    do {
        while ((t = bank_next_tally(&pmm_bank, &cursor)) && !pmm_privileged(c) &&
               !(t->group ? t->group == c->group : !strcmp(t->image, c->owner.image)))
            ;
    } while (t && index--);
    if (!t)
        return K_EUNKNOWN;
    memset(out, 0, sizeof(*out));
    memcpy(out->image, t->image, sizeof(out->image));
    out->group = t->group;
    out->pages = t->pages;
    out->blocks = t->blocks;
    if (t->group) {
        out->max_pages = BOARD_PMM_GROUP_PAGES;
        out->max_blocks = BOARD_PMM_GROUP_BLOCKS;
    } else {
        struct bank_owner o;
        memcpy(o.image, t->image, sizeof(o.image));
        pmm_quotas_of(&o);
        out->max_pages = o.max_pages;
        out->max_blocks = o.max_blocks;
    }
    return K_OK;
}

/* pmmSync for c: commits an NVRAM block's working copy to flash; cleans a RAM block from the
   data cache to memory. K_OK, K_EINVAL (bad name), K_EUNKNOWN, K_EPRIV (c may not free it
   either: a commit at another's chosen instant could make a half-written state the one a
   power cut keeps), or the flash's error. */
static int pmm_sync(const struct pmm_caller *c, const PmmName *pname)
{
    const struct bank_name *name = (const struct bank_name *)pname;
    const struct bank_entry *e = bank_lookup(&pmm_bank, name);
    if (!e) {
        int err = bank_check_request(&pmm_bank, name, 1, NULL, 0, 0, 0);
        return err ? err : K_EUNKNOWN;
    }
    if (!pmm_may_free(c, e))
        return K_EPRIV;
    if (pmm_nv_is(e))
        return pmm_nv_sync(e, (const void *)(ACTOR_PMM_VADDR + e->offset));
    return (int)sys_call2(SYS_BANK_SYNC, (long)e->offset, (long)(e->pages * BANK_PAGE_SIZE));
}

/* Every store to the bank (bank_store_fn): the bytes are cleaned from the data cache to
   memory right away, so that at the bank logic's next order point they are in RAM, where a
   warm reset finds them, whatever the caches hold. */
static void pmm_bank_store(void *ctx, void *dst, const void *src, size_t len)
{
    (void)ctx;
    if (src)
        memcpy(dst, src, len);
    else
        memset(dst, 0, len);
    sys_call2(SYS_BANK_SYNC, (long)((uintptr_t)dst - ACTOR_PMM_VADDR), (long)len);
}

/* An order point of the bank logic (bank_sync_fn): the stores before it are in memory
   (pmm_bank_store cleaned them and waited); this orders the server's own accesses. */
static void pmm_bank_sync(void *ctx)
{
    (void)ctx;
    __asm__ volatile("dsb" ::: "memory");
}

/* Maps the whole bank (past the kernel's boot record) into the server and opens it. */
static void pmm_open_bank(void)
{
    struct boot_info bi;
    char why[96];
    sys_call1(SYS_BOOT_INFO, (long)&bi);
    long err = sys_call5(SYS_BANK_MAP, 0, BANK_BOOTREC_SIZE, ACTOR_PMM_VADDR + BANK_BOOTREC_SIZE,
                         (long)(bi.bank_size - BANK_BOOTREC_SIZE), 1);
    if (err) {
        printf("pmm: cannot map the bank: %ld\n", err);
        sys_call1(SYS_EXIT, 1);
    }
    bank_set_hooks(&pmm_bank, pmm_bank_store, pmm_bank_sync, NULL);
    enum bank_open_result r = bank_open(&pmm_bank, (void *)ACTOR_PMM_VADDR, bi.bank_size,
                                        BOARD_PMM_MAX_BLOCKS, pmm_work, sizeof(pmm_work),
                                        bi.kind == 1, why, sizeof(why));
    switch (r) {
    case BANK_KEPT:
        printf("pmm: bank kept, %lu block%s\n", (unsigned long)bank_block_count(&pmm_bank),
               bank_block_count(&pmm_bank) == 1 ? "" : "s");
        if (why[0])
            printf("pmm: note: %s\n", why);
        break;
    case BANK_INITIALISED:
        printf("pmm: bank initialised\n");
        break;
    case BANK_INVALID_REINITIALISED:
        printf("pmm: bank invalid (%s), initialised\n", why);
        break;
    default:
        printf("pmm: bank unusable (%s)\n", why);
        sys_call1(SYS_EXIT, 1);
    }
}

int main(void)
{
    static union {
        struct pmm_alloc_req alloc;
        PmmName name;
        char key[PMM_KEY_SIZE];
    } req;
    static union {
        struct pmm_block_info block;
        struct pmm_stat stat;
        struct pmm_usage usage;
        struct pmm_nv_stat nv;
    } rep;
    pmm_load_images();
    pmm_open_bank();
    pmm_nv_open(&pmm_bank);
    int port = (int)sys_call1(SYS_PORT_CREATE, PORT_WK_PMM);
    if (port < 0) {
        printf("pmm: cannot create its port: %d\n", port);
        return 1;
    }
    /* Requests come into req, replies go from rep: one SYS_IPC_REPLY_RECV answers a request
       and waits for the next. */
    struct ipc_bufs b = { &rep, 0, &req, sizeof(req), 0 };
    struct sys_ipc_ret m = sys_ipc_recv(port, &b);
    for (;;) {
        uint32_t token = m.status == K_OK && m.r6 != IPC_SENDER_KERNEL ? m.r5 : 0;
        uint32_t w1 = 0, w2 = 0, rep_len = 0;
        struct pmm_caller *c = token ? pmm_caller_info((int32_t)m.r6) : NULL;
        int st = c ? K_OK : K_EUNKNOWN;
        if (c) {
            switch (m.w[0]) {
            case PMM_OP_ALLOCATE:
                st = b.recv_len == sizeof(req.alloc) ? pmm_allocate(c, &req.alloc, &w1) : K_EINVAL;
                break;
            case PMM_OP_FREE:
                st = b.recv_len == sizeof(req.name) ? pmm_free(c, &req.name) : K_EINVAL;
                break;
            case PMM_OP_FREE_ALL:
                if (m.w[1] > PMM_KEY_SIZE || b.recv_len != m.w[1])
                    st = K_EINVAL;
                else if (pmm_is_group_key(req.key, m.w[1]) ||
                         (m.w[1] >= 5 && memcmp(req.key, PMM_SYS_PREFIX, 5) == 0 && !(c->privs & PRIV_FAULTS)))
                    st = K_EPRIV;
                else if ((st = pmm_nv_remove_matching(&pmm_bank, req.key, m.w[1], 0)) == K_OK) {
                    st = bank_free_all(&pmm_bank, req.key, m.w[1],
                                       (c->privs & PRIV_FAULTS) ? BANK_PRIV : 0, pmm_unmap_entry, NULL);
                    st = st < 0 ? st : K_OK;
                }
                break;
            case PMM_OP_FREE_GROUP:
                st = !(c->privs & PRIV_FAULTS) ? K_EPRIV
                     : (int32_t)m.w[1] > 0 ? pmm_nv_remove_matching(&pmm_bank, NULL, 0, (int32_t)m.w[1])
                     : K_OK;
                if (st == K_OK)
                    st = bank_free_group(&pmm_bank, (int32_t)m.w[1], pmm_unmap_entry, NULL);
                st = st < 0 ? st : K_OK;
                break;
            case PMM_OP_SYNC:
                st = b.recv_len == sizeof(req.name) ? pmm_sync(c, &req.name) : K_EINVAL;
                break;
            case PMM_OP_NV_STAT:
                st = pmm_nv_stat(&rep.nv);
                rep_len = st == K_OK ? sizeof(rep.nv) : 0;
                break;
            case PMM_OP_BLOCK_INFO:
                st = pmm_block_info(c, m.w[1], &rep.block);
                rep_len = st == K_OK ? sizeof(rep.block) : 0;
                break;
            case PMM_OP_USAGE:
                st = pmm_usage(c, m.w[1], &rep.usage);
                rep_len = st == K_OK ? sizeof(rep.usage) : 0;
                break;
            case PMM_OP_STAT:
                rep.stat = (struct pmm_stat){ bank_block_count(&pmm_bank), BOARD_PMM_MAX_BLOCKS,
                                              bank_used_pages(&pmm_bank), bank_data_pages(&pmm_bank),
                                              BOARD_BANK_SIZE };
                rep_len = sizeof(rep.stat);
                break;
            case PMM_OP_SYS_AREA: {
                uint32_t off = 0, size = 0;
                if (!(c->privs & PRIV_FAULTS)) {
                    st = K_EPRIV;
                    break;
                }
                if (m.w[1] == PMM_AREA_HR_REGISTRY)
                    bank_hr_registry(&pmm_bank, &off, &size);
                else if (m.w[1] == PMM_AREA_HR_CRASHLOG)
                    bank_hr_crashlog(&pmm_bank, &off, &size);
                else if (m.w[1] == PMM_AREA_HR_DUMPS)
                    bank_hr_dumps(&pmm_bank, &off, &size);
                if (!size) {
                    st = K_EINVAL;
                    break;
                }
                w1 = ACTOR_PMM_VADDR + off;
                w2 = size;
                st = (int)sys_call5(SYS_BANK_MAP, c->aid, (long)off, (long)w1, (long)size, 1);
                break;
            }
            default:
                st = K_EINVAL;
            }
        }
        b.send_len = rep_len;
        m = sys_ipc_reply_recv(token, (uint32_t)st, w1, w2, 0, &b, port);
        if (m.status != K_OK) {
            /* Nothing received. A reply that does not fit the caller's buffer fails and leaves
               the caller waiting: answer K_EINVAL without the buffer instead. */
            if (m.status == K_EINVAL && rep_len && token)
                sys_ipc_reply(token, (uint32_t)K_EINVAL, 0, 0, 0, NULL);
            b.send_len = 0;
            m = sys_ipc_recv(port, &b);
        }
    }
}

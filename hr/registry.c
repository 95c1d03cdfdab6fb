/* HR's persistent group registry: two CRC-checked copies in the bank, updated crash-safely. */
#include <hr/policy.h>
#include <hr/registry.h>
#include <lib/fmt.h>
#include <lib/crc32.h>
#include <reprise/errors.h>
#include <string.h>

_Static_assert(HRREG_SITE_HISTORY >= HRPOL_MAX_SITE_RESTARTS_LIMIT + 1,
               "the site history must see more than max_site_restarts restarts");
_Static_assert(HRREG_COPY_SIZE % 4 == 0, "copies are written in words");

/* Bounded string builder for the why text: never overflows, always NUL-terminated. */
/* The plain store used outside tests. */
static void hrreg_store_plain(void *ctx, volatile uint32_t *dst, uint32_t value)
{
    (void)ctx;
    *dst = value;
}

/* Sets the store every update goes through (tests: a store that stops after N). */
void hrreg_set_store(struct hrreg *reg, hrreg_store_fn fn, void *ctx)
{
    reg->store = fn ? fn : hrreg_store_plain;
    reg->store_ctx = ctx;
}

/* CRC of a copy's header, all of it but the CRC word itself. */
static uint32_t hrreg_hdr_crc(const struct hrreg_hdr *h)
{
    return crc32_update(0, h, offsetof(struct hrreg_hdr, hdr_crc));
}

/* Checks one actor entry against the args pool; called by hrreg_check_groups. */
static bool hrreg_check_actor(const struct hrreg_actor_ent *a, const uint8_t *pool,
                              uint32_t used)
{
    const char *end = memchr(a->name, '\0', sizeof(a->name));
    uint32_t nuls = 0;

    if (!end || end == a->name || a->argc > HRREG_ARGC_MAX || a->args_len > HRREG_ARGS_MAX)
        return false;
    if ((a->argc == 0) != (a->args_len == 0))
        return false;
    if ((uint32_t)a->args_off + a->args_len > used)
        return false;
    for (uint32_t i = 0; i < a->args_len; i++)
        nuls += pool[a->args_off + i] == '\0';
    return a->args_len == 0 || (nuls == a->argc && pool[a->args_off + a->args_len - 1] == '\0');
}

/* Checks the group table's contents (after its CRC): counts, gids, states, actors. */
static bool hrreg_check_groups(const struct hrreg_copy *c)
{
    const struct hrreg_groups *gs = &c->groups;

    if (gs->ngroups > HRREG_MAX_GROUPS)
        return false;
    for (uint32_t i = 0; i < gs->ngroups; i++) {
        const struct hrreg_group_ent *g = &gs->groups[i];
        if (g->gid <= 0 || g->nactors == 0 || g->nactors > HRREG_MAX_ACTORS ||
            (g->state != HRREG_GROUP_ACTIVE && g->state != HRREG_GROUP_STOPPED))
            return false;
        for (uint32_t j = 0; j < i; j++)
            if (gs->groups[j].gid == g->gid)
                return false;
        for (uint32_t k = 0; k < g->nactors; k++)
            if (!hrreg_check_actor(&g->actors[k], c->args, c->hdr.args_used))
                return false;
    }
    return true;
}

/* Whether section [off, off + len) of copy c holds the bytes whose CRC is crc: compared with
   the same section of ref when ref (a copy already validated) has that CRC for it, computed
   otherwise. The two copies of the registry are alike but for the last update, so the
   second copy's check is mostly a compare, a fifth of a CRC's work. */
static bool hrreg_section_ok(const struct hrreg_copy *c, const struct hrreg_copy *ref,
                             uint32_t off, uint32_t len, uint32_t crc, uint32_t ref_crc)
{
    const uint8_t *p = (const uint8_t *)c + off;
    if (ref && ref_crc == crc && memcmp(p, (const uint8_t *)ref + off, len) == 0)
        return true;
    return crc32_update(0, p, len) == crc;
}

/* Validates one copy in the bank (ref: the other copy when it is valid, or NULL). Returns 1
   when valid, 0 when invalid (reason in why), -1 when blank (a header of zeros: never
   written). Called by hrreg_open. */
static int hrreg_check_copy(const struct hrreg_copy *c, const struct hrreg_copy *ref,
                            const char **why)
{
    const struct hrreg_hdr *h = &c->hdr;
    const struct hrreg_hdr *rh = ref ? &ref->hdr : NULL;
    static const struct hrreg_hdr zero;

    if (memcmp(h, &zero, sizeof(zero)) == 0) {
        *why = "empty";
        return -1;
    }
    if (h->magic != HRREG_MAGIC)
        *why = "bad magic";
    else if (h->version != HRREG_VERSION)
        *why = "unknown layout version";
    else if (hrreg_hdr_crc(h) != h->hdr_crc)
        *why = "header CRC mismatch";
    else if (h->copy_size != HRREG_COPY_SIZE || h->args_used > HRREG_ARGS_POOL_SIZE)
        *why = "header sizes wrong";
    else if (!hrreg_section_ok(c, ref, offsetof(struct hrreg_copy, site), sizeof(c->site),
                               h->site_crc, rh ? rh->site_crc : 0))
        *why = "site history CRC mismatch";
    else if (c->site.count > HRREG_SITE_HISTORY)
        *why = "site history inconsistent";
    else if (!hrreg_section_ok(c, ref, offsetof(struct hrreg_copy, groups), sizeof(c->groups),
                               h->groups_crc, rh ? rh->groups_crc : 0))
        *why = "group table CRC mismatch";
    else if (!hrreg_section_ok(c, rh && rh->args_used == h->args_used ? ref : NULL,
                               offsetof(struct hrreg_copy, args), h->args_used, h->args_crc,
                               rh ? rh->args_crc : 0))
        *why = "args pool CRC mismatch";
    else if (!hrreg_check_groups(c))
        *why = "group table inconsistent";
    else
        return 1;
    return 0;
}

/* Stores words [from, to) of img into the same place of copy dst, skipping words that already
   hold the value (that only saves stores: the copy is invalid until its header is stored). */
static void hrreg_write_words(struct hrreg *reg, uint8_t *dst, uint32_t from, uint32_t to)
{
    const uint8_t *src = (const uint8_t *)&reg->img;

    for (uint32_t off = from; off < to; off += 4) {
        volatile uint32_t *w = (volatile uint32_t *)(void *)(dst + off);
        uint32_t v;
        memcpy(&v, src + off, 4);
        if (*w != v)
            reg->store(reg->store_ctx, w, v);
    }
}

/* Sections of the registry an update changed (hrreg_commit recomputes only their CRCs). */
#define HRREG_SITE   1u
#define HRREG_GROUPS 2u
#define HRREG_ARGS   4u

/* Writes img as the next state into the inactive copy (sections, then the header, its CRC
   word last) and makes that copy active. Called by every update once its change is in img,
   with the sections it changed: the others keep their CRCs, computed when they last changed
   or checked by hrreg_open. */
static void hrreg_commit(struct hrreg *reg, unsigned changed)
{
    struct hrreg_copy *c = &reg->img;
    uint32_t target = reg->active ^ 1u;
    uint8_t *dst = reg->base + target * HRREG_COPY_SIZE;
    uint32_t used_end = (uint32_t)offsetof(struct hrreg_copy, args) +
                        ((c->hdr.args_used + 3u) & ~3u);

    c->hdr.magic = HRREG_MAGIC;
    c->hdr.version = HRREG_VERSION;
    c->hdr.copy_size = HRREG_COPY_SIZE;
    c->hdr.seq++;
    if (changed & HRREG_SITE)
        c->hdr.site_crc = crc32_update(0, &c->site, sizeof(c->site));
    if (changed & HRREG_GROUPS)
        c->hdr.groups_crc = crc32_update(0, &c->groups, sizeof(c->groups));
    if (changed & HRREG_ARGS)
        c->hdr.args_crc = crc32_update(0, c->args, c->hdr.args_used);
    c->hdr.hdr_crc = hrreg_hdr_crc(&c->hdr);
    hrreg_write_words(reg, dst, sizeof(struct hrreg_hdr), used_end);
    hrreg_write_words(reg, dst, 0, sizeof(struct hrreg_hdr));
    reg->active = target;
}

/* Makes an empty registry in both copies (A then B). Called by hrreg_open. */
static void hrreg_format(struct hrreg *reg)
{
    memset(&reg->img, 0, sizeof(reg->img));
    reg->active = 1;
    hrreg_commit(reg, HRREG_SITE | HRREG_GROUPS | HRREG_ARGS);
    hrreg_commit(reg, 0);
}

/* Validates both copies, loads the newer valid one, or formats an empty registry when none is
   valid; HR calls it at start-up. Returns an enum hrreg_open_status or K_EINVAL. */
int hrreg_open(struct hrreg *reg, void *base, uint32_t size, char *why, size_t n)
{
    const struct hrreg_copy *copy[2];
    const char *reason[2];
    int ok[2];
    uint32_t pick;

    if (why && n)
        why[0] = '\0';
    if (!reg || !base || size < HRREG_AREA_SIZE || ((uintptr_t)base & 7u))
        return K_EINVAL;
    if (!reg->store)
        hrreg_set_store(reg, NULL, NULL);
    reg->base = base;
    reg->other_bad = false;
    for (int i = 0; i < 2; i++) {
        copy[i] = (const struct hrreg_copy *)(const void *)(reg->base + i * HRREG_COPY_SIZE);
        ok[i] = hrreg_check_copy(copy[i], i == 1 && ok[0] == 1 ? copy[0] : NULL, &reason[i]);
    }

    if (ok[0] != 1 && ok[1] != 1) {
        bool blank = ok[0] == -1 && ok[1] == -1;
        hrreg_format(reg);
        if (blank) {
            if (why)
                fmt_snprintf(why, n, "none found, initialised empty");
            return HRREG_INITIALISED;
        }
        if (why)
            fmt_snprintf(why, n, "invalid (copy A: %s; copy B: %s), re-initialised empty",
                         reason[0], reason[1]);
        return HRREG_INVALID_REINITIALISED;
    }

    if (ok[0] == 1 && ok[1] == 1)
        pick = (int32_t)(copy[1]->hdr.seq - copy[0]->hdr.seq) > 0 ? 1 : 0;
    else
        pick = ok[0] == 1 ? 0 : 1;
    memcpy(&reg->img, copy[pick], sizeof(reg->img));
    memset(reg->img.args + reg->img.hdr.args_used, 0,
           HRREG_ARGS_POOL_SIZE - reg->img.hdr.args_used);
    reg->active = pick;
    reg->other_bad = ok[pick ^ 1] != 1;
    if (why)
        fmt_snprintf(why, n, ok[pick ^ 1] != 1 ? "kept, %u group%s (copy %s, seq %u); copy %s: %s"
                                               : "kept, %u group%s (copy %s, seq %u)",
                     (unsigned)reg->img.groups.ngroups, reg->img.groups.ngroups == 1 ? "" : "s",
                     pick ? "B" : "A", (unsigned)reg->img.hdr.seq, pick ? "A" : "B",
                     reason[pick ^ 1]);
    return HRREG_KEPT;
}

/* Index of group gid in the table, or -1. */
static int hrreg_find(const struct hrreg *reg, int32_t gid)
{
    for (uint32_t i = 0; i < reg->img.groups.ngroups; i++)
        if (reg->img.groups.groups[i].gid == gid)
            return (int)i;
    return -1;
}

/* Checks a new actor's name and packed arguments; called by hrreg_add_actor. */
static bool hrreg_valid_actor(const char *name, uint32_t argc, const char *args,
                              uint32_t args_len)
{
    const char *end;
    uint32_t nuls = 0;

    if (!name || !(end = memchr(name, '\0', HRREG_NAME_SIZE)) || end == name)
        return false;
    if (argc > HRREG_ARGC_MAX || args_len > HRREG_ARGS_MAX || (argc == 0) != (args_len == 0))
        return false;
    if (args_len == 0)
        return true;
    if (!args || args[args_len - 1] != '\0')
        return false;
    for (uint32_t i = 0; i < args_len; i++)
        nuls += args[i] == '\0';
    return nuls == argc;
}

/* Checks the request completely, then adds the actor (and its group if new) and commits;
   HR calls it for `arun -g`. Returns K_OK or an error with nothing changed. */
int hrreg_add_actor(struct hrreg *reg, int32_t gid, const char *name, uint32_t argc,
                    const char *args, uint32_t args_len, uint32_t privs)
{
    struct hrreg_groups *gs = &reg->img.groups;
    struct hrreg_group_ent *g;
    struct hrreg_actor_ent *a;
    int idx;

    if (gid <= 0 || !hrreg_valid_actor(name, argc, args, args_len))
        return K_EINVAL;
    idx = hrreg_find(reg, gid);
    if (idx < 0 && gs->ngroups == HRREG_MAX_GROUPS)
        return K_ETOOMUCH;
    if (idx >= 0 && gs->groups[idx].nactors == HRREG_MAX_ACTORS)
        return K_ETOOMUCH;
    if (reg->img.hdr.args_used + args_len > HRREG_ARGS_POOL_SIZE)
        return K_ENOMEM;

    if (idx < 0) {
        idx = (int)gs->ngroups++;
        g = &gs->groups[idx];
        memset(g, 0, sizeof(*g));
        g->gid = gid;
        g->state = HRREG_GROUP_ACTIVE;
    }
    g = &gs->groups[idx];
    a = &g->actors[g->nactors++];
    memset(a, 0, sizeof(*a));
    memcpy(a->name, name, (size_t)((const char *)memchr(name, '\0', HRREG_NAME_SIZE) - name));
    a->argc = (uint16_t)argc;
    a->args_len = (uint16_t)args_len;
    a->flags = (uint16_t)((privs << HRREG_ACTOR_PRIVS_SHIFT) & HRREG_ACTOR_PRIVS_MASK);
    if (args_len) {
        a->args_off = (uint16_t)reg->img.hdr.args_used;
        memcpy(reg->img.args + a->args_off, args, args_len);
        reg->img.hdr.args_used += args_len;
    }
    hrreg_commit(reg, HRREG_GROUPS | HRREG_ARGS);
    return K_OK;
}

/* Cuts len bytes at off out of the args pool and moves the offsets after it down; called by
   hrreg_remove_group for each actor it removes. */
static void hrreg_cut_args(struct hrreg *reg, uint32_t off, uint32_t len)
{
    struct hrreg_groups *gs = &reg->img.groups;
    uint32_t used = reg->img.hdr.args_used;

    memmove(reg->img.args + off, reg->img.args + off + len, used - off - len);
    memset(reg->img.args + used - len, 0, len);
    reg->img.hdr.args_used = used - len;
    for (uint32_t i = 0; i < gs->ngroups; i++)
        for (uint32_t k = 0; k < gs->groups[i].nactors; k++) {
            struct hrreg_actor_ent *a = &gs->groups[i].actors[k];
            if (a->args_len && a->args_off > off)
                a->args_off = (uint16_t)(a->args_off - len);
        }
}

/* Drops group gid, its actors and their arguments, and commits; HR calls it on hrKillGroup
   and on a group's clean end. Returns K_OK or K_EUNKNOWN. */
int hrreg_remove_group(struct hrreg *reg, int32_t gid)
{
    struct hrreg_groups *gs = &reg->img.groups;
    struct hrreg_group_ent *g;
    int idx = hrreg_find(reg, gid);

    if (idx < 0)
        return K_EUNKNOWN;
    g = &gs->groups[idx];
    for (uint32_t k = 0; k < g->nactors; k++)
        if (g->actors[k].args_len)
            hrreg_cut_args(reg, g->actors[k].args_off, g->actors[k].args_len);
    memmove(&gs->groups[idx], &gs->groups[idx + 1],
            (gs->ngroups - (uint32_t)idx - 1) * sizeof(gs->groups[0]));
    gs->ngroups--;
    memset(&gs->groups[gs->ngroups], 0, sizeof(gs->groups[0]));
    hrreg_commit(reg, HRREG_GROUPS | HRREG_ARGS);
    return K_OK;
}

/* Sets group gid's state and commits; HR calls it when the policy stops a group.
   Returns K_OK, K_EINVAL or K_EUNKNOWN. */
int hrreg_set_group_state(struct hrreg *reg, int32_t gid, uint32_t state)
{
    int idx = hrreg_find(reg, gid);

    if (state != HRREG_GROUP_ACTIVE && state != HRREG_GROUP_STOPPED)
        return K_EINVAL;
    if (idx < 0)
        return K_EUNKNOWN;
    reg->img.groups.groups[idx].state = state;
    hrreg_commit(reg, HRREG_GROUPS);
    return K_OK;
}

/* Adds one to group gid's restart count and commits; HR calls it after a group restart.
   Returns K_OK or K_EUNKNOWN. */
int hrreg_count_restart(struct hrreg *reg, int32_t gid)
{
    int idx = hrreg_find(reg, gid);

    if (idx < 0)
        return K_EUNKNOWN;
    reg->img.groups.groups[idx].restarts++;
    hrreg_commit(reg, HRREG_GROUPS);
    return K_OK;
}

/* Returns the number of registered groups (console `hr`, HR's boot-time restart loop). */
uint32_t hrreg_group_count(const struct hrreg *reg)
{
    return reg->img.groups.ngroups;
}

/* Copies a group entry's public fields; called by hrreg_group_at and hrreg_group_find. */
static void hrreg_group_info(const struct hrreg_group_ent *g, struct hrreg_group_info *out)
{
    out->gid = g->gid;
    out->state = g->state;
    out->restarts = g->restarts;
    out->nactors = g->nactors;
}

/* Copies the idx-th group out; returns K_OK or K_EUNKNOWN past the end. */
int hrreg_group_at(const struct hrreg *reg, uint32_t idx, struct hrreg_group_info *out)
{
    if (idx >= reg->img.groups.ngroups)
        return K_EUNKNOWN;
    hrreg_group_info(&reg->img.groups.groups[idx], out);
    return K_OK;
}

/* Copies group gid out; returns K_OK or K_EUNKNOWN. */
int hrreg_group_find(const struct hrreg *reg, int32_t gid, struct hrreg_group_info *out)
{
    int idx = hrreg_find(reg, gid);

    if (idx < 0)
        return K_EUNKNOWN;
    hrreg_group_info(&reg->img.groups.groups[idx], out);
    return K_OK;
}

/* Copies the idx-th direct actor of group gid out, with its arguments (args_len bytes; the
   rest of out->args is left as it was: a restart copies no more than it needs). HR calls it
   to (re)start the group. Returns K_OK or K_EUNKNOWN. */
int hrreg_actor_at(const struct hrreg *reg, int32_t gid, uint32_t idx,
                   struct hrreg_actor_info *out)
{
    int g = hrreg_find(reg, gid);
    const struct hrreg_actor_ent *a;

    if (g < 0 || idx >= reg->img.groups.groups[g].nactors)
        return K_EUNKNOWN;
    a = &reg->img.groups.groups[g].actors[idx];
    memcpy(out->name, a->name, sizeof(out->name));
    out->argc = a->argc;
    out->args_len = a->args_len;
    out->ended = (a->flags & HRREG_ACTOR_ENDED) != 0;
    out->privs = (a->flags & HRREG_ACTOR_PRIVS_MASK) >> HRREG_ACTOR_PRIVS_SHIFT;
    memcpy(out->args, reg->img.args + a->args_off, a->args_len);
    return K_OK;
}

/* Marks a direct actor as ended cleanly (HR, on its clean exit); one commit. */
int hrreg_actor_set_ended(struct hrreg *reg, int32_t gid, uint32_t idx)
{
    int g = hrreg_find(reg, gid);
    if (g < 0 || idx >= reg->img.groups.groups[g].nactors)
        return K_EUNKNOWN;
    reg->img.groups.groups[g].actors[idx].flags |= HRREG_ACTOR_ENDED;
    hrreg_commit(reg, HRREG_GROUPS);
    return K_OK;
}

/* Appends a site restart time, dropping the oldest past HRREG_SITE_HISTORY, and commits;
   HR calls it at boot after a warm reset. Returns K_OK. */
int hrreg_site_record(struct hrreg *reg, uint64_t now)
{
    struct hrreg_site *s = &reg->img.site;

    if (s->count == HRREG_SITE_HISTORY) {
        memmove(&s->times[0], &s->times[1], (HRREG_SITE_HISTORY - 1) * sizeof(s->times[0]));
        s->count--;
    }
    s->times[s->count++] = now;
    s->total++;
    hrreg_commit(reg, HRREG_SITE);
    return K_OK;
}

/* Forgets the site restart times (the total stays) and commits; the console's way back to
   auto-start. Returns K_OK. */
int hrreg_site_clear(struct hrreg *reg)
{
    struct hrreg_site *s = &reg->img.site;

    s->count = 0;
    memset(s->times, 0, sizeof(s->times));
    hrreg_commit(reg, HRREG_SITE);
    return K_OK;
}

/* Copies the site restart history out, oldest first (HR at boot, console `hr`). */
void hrreg_site_get(const struct hrreg *reg, struct hrreg_site_history *out)
{
    memset(out, 0, sizeof(*out));
    out->total = reg->img.site.total;
    out->count = reg->img.site.count;
    memcpy(out->times, reg->img.site.times, out->count * sizeof(out->times[0]));
}

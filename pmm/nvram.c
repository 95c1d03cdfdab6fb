/* The NVRAM medium's layout on flash: segments, records, commits, validation (see nvram.h). */

/*
 * Crash consistency. Flash is only ever programmed on erased words, in this order:
 *   - a segment: erase, then its header's words, the commit word last;
 *   - a record: header, payload, CRC, the commit word last.
 * A commit appends the page records that changed (and those it moves forward), then one
 * directory record. Until that record's commit word is programmed, the newest complete
 * directory is the previous one, and every record it names lies in segments that no erase has
 * touched (a segment is erased only when neither the current directory nor any page it names
 * lies there). A cut leaves at most one torn structure, at the end of the log: a record or a
 * segment header whose commit word is still erased. Opening the medium takes the segment of
 * the highest sequence (the head), reads its records up to the first erased or torn one, and
 * uses the last directory among them (or the one its header names, for a head opened just
 * before the cut). A structure whose commit word is programmed but whose contents do not
 * check (magic, CRC, geometry, names, locations) was damaged, not cut: the medium is invalid
 * and formatted again. After a torn record the head takes no more records.
 */
#include <pmm/nvram.h>

#include <stdio.h>
#include <string.h>

#include <lib/crc32.h>
#include <reprise/errors.h>

#define PAGE_REC_LEN (8u + NVRAM_PAGE_SIZE)
#define CHUNK_WORDS 64u

/* Reads the flash word at off. */
static uint32_t rd32(const struct nvram *nv, uint32_t off)
{
    uint32_t v;
    memcpy(&v, nv->base + off, 4);
    return v;
}

/* Whether len bytes at off are all erased (0xff). */
static int erased(const struct nvram *nv, uint32_t off, uint32_t len)
{
    for (uint32_t i = 0; i < len; i += 4)
        if (rd32(nv, off + i) != 0xffffffffu)
            return 0;
    return 1;
}

/* Flash offset of segment s. */
static uint32_t seg_start(const struct nvram *nv, uint32_t s)
{
    return s * nv->seg_size;
}

/* The segment holding flash offset off. */
static uint32_t seg_of(const struct nvram *nv, uint32_t off)
{
    return off / nv->seg_size;
}

/* Pages of a block of size bytes. */
static uint32_t pages_for(uint32_t size)
{
    return (uint32_t)((size + (uint64_t)NVRAM_PAGE_SIZE - 1u) / NVRAM_PAGE_SIZE);
}

/* CRC-32 of a segment header's first seven words. */
static uint32_t hdr_crc(const struct nvram_seg_header *h)
{
    return crc32_update(0, h, offsetof(struct nvram_seg_header, crc));
}

/* ---- writing ------------------------------------------------------------------------------ */

/* A record being written: where, and its CRC so far. */
struct writer {
    uint32_t off;
    uint32_t crc;
};

/* Programs n words at off through the hook; closes the head on an error. */
static int prog(struct nvram *nv, uint32_t off, const uint32_t *w, uint32_t n)
{
    int err = nv->program(nv->ctx, off, w, n);
    if (err != K_OK)
        nv->append = NVRAM_NONE;
    return err;
}

/* Whether segment s holds something the current state or the commit in progress needs. */
static int seg_busy(const struct nvram *nv, uint32_t s)
{
    return nv->seg_live[s] != 0 || nv->seg_pending[s] ||
           (nv->dir_off != NVRAM_NONE && seg_of(nv, nv->dir_off) == s);
}

/* Erases segment s and writes its header (seq); K_OK or the flash's error. */
static int seg_format(struct nvram *nv, uint32_t s, uint32_t seq)
{
    struct nvram_seg_header h;
    int err = nv->erase(nv->ctx, seg_start(nv, s));
    nv->erases++;
    if (err != K_OK)
        return err;
    nv->seg_erases[s]++;
    memset(&h, 0, sizeof(h));
    h.magic = NVRAM_SEG_MAGIC;
    h.version = NVRAM_VERSION;
    h.seq = seq;
    h.erase_count = nv->seg_erases[s];
    h.dir_off = nv->dir_off;
    h.seg_size = nv->seg_size;
    h.nsegs = nv->nsegs;
    h.crc = hdr_crc(&h);
    h.commit = NVRAM_COMMIT;
    err = nv->program(nv->ctx, seg_start(nv, s), (const uint32_t *)&h, 8);
    if (err == K_OK)
        err = nv->program(nv->ctx, seg_start(nv, s) + 32, &h.commit, 1);
    return err;
}

/* The segment the log takes next: the first one after the head that nothing needs. */
static uint32_t seg_next_free(const struct nvram *nv)
{
    for (uint32_t k = 1; k < nv->nsegs; k++) {
        uint32_t s = (nv->head + k) % nv->nsegs;
        if (!seg_busy(nv, s))
            return s;
    }
    return NVRAM_NONE;
}

/* Opens the next free segment after the head, in turn round the flash, as the new head. */
static int seg_open_next(struct nvram *nv)
{
    for (uint32_t k = 1; k < nv->nsegs; k++) {
        uint32_t s = (nv->head + k) % nv->nsegs;
        if (seg_busy(nv, s))
            continue;
        if (seg_format(nv, s, nv->head_seq + 1u) != K_OK)
            continue;   /* a segment that fails is skipped; the next one is tried */
        nv->head = s;
        nv->head_seq++;
        nv->append = seg_start(nv, s) + NVRAM_SEG_HDR_SIZE;
        nv->seg_pending[s] = 1;
        return K_OK;
    }
    nv->append = NVRAM_NONE;
    return K_ENOMEM;
}

/* Starts a record of len payload bytes in the head (opening a segment when it lacks room). */
static int rec_begin(struct nvram *nv, struct writer *w, uint32_t type, uint32_t len,
                     uint32_t seq)
{
    uint32_t need = NVRAM_REC_HDR_SIZE + len + NVRAM_REC_TAIL_SIZE;
    if (need > nv->seg_size - NVRAM_SEG_HDR_SIZE)
        return K_ENOMEM;
    if (nv->append == NVRAM_NONE ||
        need > seg_start(nv, nv->head) + nv->seg_size - nv->append ||
        !erased(nv, nv->append, need)) {
        int err = seg_open_next(nv);
        if (err != K_OK)
            return err;
    }
    struct nvram_rec_header h = {NVRAM_REC_MAGIC, type, len, seq};
    w->off = nv->append;
    w->crc = crc32_update(0, &h, sizeof(h));
    nv->append += need;
    int err = prog(nv, w->off, (const uint32_t *)&h, 4);
    w->off += NVRAM_REC_HDR_SIZE;
    return err;
}

/* Appends n bytes (a multiple of 4) of src to the record; src may lie in the flash. */
static int rec_put(struct nvram *nv, struct writer *w, const void *src, uint32_t n)
{
    uint32_t buf[CHUNK_WORDS];
    const uint8_t *p = src;
    while (n > 0) {
        uint32_t k = n < sizeof(buf) ? n : (uint32_t)sizeof(buf);
        memcpy(buf, p, k);
        w->crc = crc32_update(w->crc, buf, k);
        int err = prog(nv, w->off, buf, k / 4);
        if (err != K_OK)
            return err;
        w->off += k;
        p += k;
        n -= k;
    }
    return K_OK;
}

/* Seals the record: its CRC, then the commit word. */
static int rec_end(struct nvram *nv, struct writer *w)
{
    uint32_t crc = w->crc, commit = NVRAM_COMMIT;
    int err = prog(nv, w->off, &crc, 1);
    return err != K_OK ? err : prog(nv, w->off + 4, &commit, 1);
}

/* Writes a page record for page `page` of block id from src; *loc gets its location. */
static int page_write(struct nvram *nv, uint32_t id, uint32_t page, const void *src,
                      uint32_t seq, uint32_t *loc)
{
    struct writer w;
    uint32_t head[2] = {id, page};
    int err = rec_begin(nv, &w, NVRAM_REC_PAGE, PAGE_REC_LEN, seq);
    if (err == K_OK)
        *loc = w.off - NVRAM_REC_HDR_SIZE;
    if (err == K_OK)
        err = rec_put(nv, &w, head, sizeof(head));
    if (err == K_OK)
        err = rec_put(nv, &w, src, NVRAM_PAGE_SIZE);
    return err == K_OK ? rec_end(nv, &w) : err;
}

/* The new state a commit builds: blocks and page locations, as in struct nvram. */
struct draft {
    uint32_t nblocks, npages;
    struct nvram_block blocks[NVRAM_MAX_BLOCKS];
    uint32_t locs[NVRAM_MAX_PAGES];
};
static struct draft nvram_draft;   /* one commit at a time: the server is single-threaded */

/* Copies the current state into the draft. */
static struct draft *draft_start(const struct nvram *nv)
{
    struct draft *d = &nvram_draft;
    d->nblocks = nv->nblocks;
    d->npages = nv->npages;
    memcpy(d->blocks, nv->blocks, nv->nblocks * sizeof(nv->blocks[0]));
    memcpy(d->locs, nv->locs, nv->npages * sizeof(nv->locs[0]));
    return d;
}

/* Recounts the pages in use per segment from the current state. */
static void live_recount(struct nvram *nv)
{
    memset(nv->seg_live, 0, nv->nsegs * sizeof(nv->seg_live[0]));
    for (uint32_t i = 0; i < nv->npages; i++)
        if (nv->locs[i] != NVRAM_ZERO_PAGE)
            nv->seg_live[seg_of(nv, nv->locs[i])]++;
}

/* Moves the draft's pages out of segment next (unless this commit opened it). */
static int relocate_from(struct nvram *nv, struct draft *d, uint32_t next, uint32_t seq)
{
    for (uint32_t b = 0; b < d->nblocks; b++) {
        struct nvram_block *k = &d->blocks[b];
        for (uint32_t p = 0; p < k->e.pages; p++) {
            uint32_t *loc = &d->locs[k->loc0 + p];
            if (*loc == NVRAM_ZERO_PAGE || seg_of(nv, *loc) != next || nv->seg_pending[next])
                continue;
            int err = page_write(nv, k->e.id, p, nv->base + *loc + NVRAM_REC_HDR_SIZE + 8u,
                                 seq, loc);
            if (err != K_OK)
                return err;
            nv->relocated++;
        }
    }
    return K_OK;
}

/* Moves the draft's pages out of the segment that follows the head (again when that moved
   the head), so that the head never has to skip a segment: every segment is erased once a
   round, static data included. */
static int draft_relocate(struct nvram *nv, struct draft *d, uint32_t seq)
{
    for (uint32_t round = 0; round < nv->nsegs; round++) {
        uint32_t head = nv->head;
        int err = relocate_from(nv, d, (head + 1u) % nv->nsegs, seq);
        if (err != K_OK || nv->head == head)
            return err;
    }
    return K_OK;
}

/* Writes the draft's directory, the commit point, and makes the draft the current state. */
static int draft_commit(struct nvram *nv, struct draft *d, uint32_t seq)
{
    struct writer w = {0, 0};
    uint32_t len = 16u, head[4] = {nv->next_id, d->nblocks, d->npages, 0};
    int err = draft_relocate(nv, d, seq);
    for (uint32_t b = 0; b < d->nblocks; b++)
        len += (uint32_t)sizeof(struct nvram_entry) + 4u * d->blocks[b].e.pages;
    if (err == K_OK)
        err = rec_begin(nv, &w, NVRAM_REC_DIR, len, seq);
    uint32_t dir = w.off - NVRAM_REC_HDR_SIZE;
    if (err == K_OK)
        err = rec_put(nv, &w, head, sizeof(head));
    for (uint32_t b = 0; err == K_OK && b < d->nblocks; b++) {
        err = rec_put(nv, &w, &d->blocks[b].e, sizeof(struct nvram_entry));
        if (err == K_OK)
            err = rec_put(nv, &w, &d->locs[d->blocks[b].loc0], 4u * d->blocks[b].e.pages);
    }
    if (err == K_OK)
        err = rec_end(nv, &w);
    memset(nv->seg_pending, 0, nv->nsegs);
    if (err != K_OK)
        return err;
    nv->seq = seq;
    nv->dir_off = dir;
    nv->nblocks = d->nblocks;
    nv->npages = d->npages;
    memcpy(nv->blocks, d->blocks, d->nblocks * sizeof(d->blocks[0]));
    memcpy(nv->locs, d->locs, d->npages * sizeof(d->locs[0]));
    live_recount(nv);
    nv->commits++;
    return K_OK;
}

/* ---- validation --------------------------------------------------------------------------- */

/* What a segment header says. */
enum seg_kind { SEG_ERASED, SEG_TORN, SEG_VALID, SEG_CORRUPT };

/* Reads segment s's header into *h and says what it is (nvram_load). */
static enum seg_kind seg_classify(const struct nvram *nv, uint32_t s, struct nvram_seg_header *h)
{
    memcpy(h, nv->base + seg_start(nv, s), sizeof(*h));
    if (erased(nv, seg_start(nv, s), sizeof(*h)))
        return SEG_ERASED;
    if (h->commit == 0xffffffffu)
        return SEG_TORN;
    if (h->commit != NVRAM_COMMIT || h->magic != NVRAM_SEG_MAGIC || h->crc != hdr_crc(h) ||
        h->version != NVRAM_VERSION || h->seg_size != nv->seg_size || h->nsegs != nv->nsegs ||
        h->seq == 0 || h->erase_count == 0)
        return SEG_CORRUPT;
    return SEG_VALID;
}

/* What reading a record at off finds. */
enum rec_kind { REC_END, REC_TORN, REC_OK, REC_BAD };

/* Whether a record at off that looks cut (a header word or its commit word erased) was cut:
   a cut leaves nothing programmed after the record's end (the head takes no more records),
   and cannot leave a whole record whose length word is wrong (its last programmed words a
   commit word and the CRC of a shorter record). A damaged record can look cut; this tells. */
static int torn_real(const struct nvram *nv, uint32_t off, const struct nvram_rec_header *h,
                     uint32_t limit)
{
    uint32_t last = off;              /* just past the last programmed word before limit */
    for (uint32_t p = limit; p > off; p -= 4) {
        if (rd32(nv, p - 4) != 0xffffffffu) {
            last = p;
            break;
        }
    }
    int whole_header = h->type != 0xffffffffu && h->len != 0xffffffffu && h->seq != 0xffffffffu;
    uint32_t end = whole_header ? off + NVRAM_REC_HDR_SIZE + h->len + NVRAM_REC_TAIL_SIZE
                                : off + NVRAM_REC_HDR_SIZE;
    if (last > end)
        return 0;
    if (last >= off + NVRAM_REC_HDR_SIZE + NVRAM_REC_TAIL_SIZE && rd32(nv, last - 4) == NVRAM_COMMIT) {
        struct nvram_rec_header s = *h;
        s.len = last - off - NVRAM_REC_HDR_SIZE - NVRAM_REC_TAIL_SIZE;
        uint32_t crc = crc32_update(crc32_update(0, &s, sizeof(s)),
                                    nv->base + off + NVRAM_REC_HDR_SIZE, s.len);
        if (rd32(nv, last - 8) == crc)
            return 0;
    }
    return 1;
}

/* Reads the record at off, which must end by limit: its kind, with *h filled when REC_OK. */
static enum rec_kind rec_read(const struct nvram *nv, uint32_t off, uint32_t limit,
                              struct nvram_rec_header *h)
{
    if (off + NVRAM_REC_HDR_SIZE + NVRAM_REC_TAIL_SIZE > limit)
        return REC_END;
    memcpy(h, nv->base + off, sizeof(*h));
    if (h->magic == 0xffffffffu)
        return REC_END;
    if (h->magic != NVRAM_REC_MAGIC)
        return REC_BAD;
    if (h->type == 0xffffffffu || h->len == 0xffffffffu || h->seq == 0xffffffffu)
        return torn_real(nv, off, h, limit) ? REC_TORN : REC_BAD;
    if ((h->type != NVRAM_REC_PAGE && h->type != NVRAM_REC_DIR) || h->len % 4u != 0 ||
        h->len > limit - off - NVRAM_REC_HDR_SIZE - NVRAM_REC_TAIL_SIZE ||
        (h->type == NVRAM_REC_PAGE && h->len != PAGE_REC_LEN))
        return REC_BAD;
    /* A directory's length follows from its counts, once they are programmed. */
    uint32_t nb = rd32(nv, off + NVRAM_REC_HDR_SIZE + 4), np = rd32(nv, off + NVRAM_REC_HDR_SIZE + 8);
    if (h->type == NVRAM_REC_DIR && h->len >= 12 && nb != 0xffffffffu && np != 0xffffffffu &&
        (nb > NVRAM_MAX_BLOCKS || np > NVRAM_MAX_PAGES ||
         h->len != 16u + nb * (uint32_t)sizeof(struct nvram_entry) + 4u * np))
        return REC_BAD;
    uint32_t tail = off + NVRAM_REC_HDR_SIZE + h->len;
    uint32_t commit = rd32(nv, tail + 4);
    if (commit == 0xffffffffu)
        return torn_real(nv, off, h, limit) ? REC_TORN : REC_BAD;
    if (commit != NVRAM_COMMIT ||
        rd32(nv, tail) != crc32_update(0, nv->base + off, NVRAM_REC_HDR_SIZE + h->len))
        return REC_BAD;
    return REC_OK;
}

/* Writes a reason into why. */
static void why_set(char *why, size_t whylen, const char *fmt, uint32_t a, uint32_t b)
{
    if (why != NULL && whylen != 0)
        snprintf(why, whylen, fmt, (unsigned)a, (unsigned)b);
}

/* A string of n bytes: non-empty, NUL-terminated, zero after its NUL. */
static int padded_ok(const char *s, size_t n, int empty_ok)
{
    const char *z = memchr(s, '\0', n);
    if (z == NULL || (z == s && !empty_ok))
        return 0;
    for (; z < s + n; z++)
        if (*z != '\0')
            return 0;
    return 1;
}

/* Whether a key begins with __SYS (the entry's NVRAM_ENTRY_SYSKEY flag must say so). */
static int key_is_sys(const uint8_t *key, uint32_t len)
{
    return len >= 5 && memcmp(key, "__SYS", 5) == 0;
}

/* Checks an entry on its own: 0 or 1. */
static int entry_ok(const struct nvram_entry *e, uint32_t next_id)
{
    if (!padded_ok(e->name, NVRAM_NAME_SIZE, 0) || !padded_ok(e->owner, NVRAM_OWNER_SIZE, 1) || e->key_len > NVRAM_KEY_SIZE || e->size == 0 ||
        e->pages != pages_for(e->size) || e->group < 0 || e->reserved != 0 ||
        e->id >= next_id || (e->flags & ~NVRAM_ENTRY_SYSKEY) != 0 ||
        !(e->flags & NVRAM_ENTRY_SYSKEY) != !key_is_sys(e->key, e->key_len) ||
        e->bank_off % NVRAM_PAGE_SIZE != 0)
        return 0;
    for (uint32_t i = e->key_len; i < NVRAM_KEY_SIZE; i++)
        if (e->key[i] != 0)
            return 0;
    return 1;
}

/* Loads and checks the directory record at dir (already read as REC_OK, kind DIR) and every
   page it names; valid[] marks the valid segments. 1, or 0 with why. */
static int dir_load(struct nvram *nv, uint32_t dir, const uint8_t *valid, const uint32_t *segseq,
                    char *why, size_t whylen)
{
    struct nvram_rec_header h;
    uint32_t head[4], off, end, npages = 0;

    memcpy(&h, nv->base + dir, sizeof(h));
    off = dir + NVRAM_REC_HDR_SIZE;
    end = off + h.len;
    if (h.len < sizeof(head))
        return why_set(why, whylen, "directory size", 0, 0), 0;
    memcpy(head, nv->base + off, sizeof(head));
    off += sizeof(head);
    if (head[1] > NVRAM_MAX_BLOCKS || head[2] > NVRAM_MAX_PAGES || head[3] != 0)
        return why_set(why, whylen, "directory counts", 0, 0), 0;
    nv->next_id = head[0];
    for (uint32_t b = 0; b < head[1]; b++) {
        struct nvram_block *k = &nv->blocks[b];
        if (end - off < sizeof(k->e))
            return why_set(why, whylen, "directory size", 0, 0), 0;
        memcpy(&k->e, nv->base + off, sizeof(k->e));
        off += sizeof(k->e);
        if (!entry_ok(&k->e, head[0]))
            return why_set(why, whylen, "block %u entry", b, 0), 0;
        for (uint32_t j = 0; j < b; j++)
            if (nv->blocks[j].e.id == k->e.id || strcmp(nv->blocks[j].e.name, k->e.name) == 0)
                return why_set(why, whylen, "blocks %u and %u same name or id", j, b), 0;
        if (k->e.pages > head[2] - npages || (end - off) / 4u < k->e.pages)
            return why_set(why, whylen, "directory counts", 0, 0), 0;
        k->loc0 = npages;
        for (uint32_t p = 0; p < k->e.pages; p++, off += 4) {
            uint32_t loc = rd32(nv, off), s = seg_of(nv, loc), pl[2];
            struct nvram_rec_header ph;
            nv->locs[npages++] = loc;
            if (loc == NVRAM_ZERO_PAGE)
                continue;
            if (loc % 4u != 0 || loc >= nv->size || !valid[s] || segseq[s] > segseq[seg_of(nv, dir)] ||
                loc - seg_start(nv, s) < NVRAM_SEG_HDR_SIZE ||
                rec_read(nv, loc, seg_start(nv, s) + nv->seg_size, &ph) != REC_OK ||
                ph.type != NVRAM_REC_PAGE || ph.len != PAGE_REC_LEN || ph.seq > h.seq)
                return why_set(why, whylen, "block %u page %u", b, p), 0;
            memcpy(pl, nv->base + loc + NVRAM_REC_HDR_SIZE, sizeof(pl));
            if (pl[0] != k->e.id || pl[1] != p)
                return why_set(why, whylen, "block %u page %u", b, p), 0;
        }
    }
    if (off != end || npages != head[2])
        return why_set(why, whylen, "directory counts", 0, 0), 0;
    nv->nblocks = head[1];
    nv->npages = npages;
    nv->seq = h.seq;
    nv->dir_off = dir;
    return 1;
}

/* Validates the medium and loads its state: NVRAM_KEPT, NVRAM_BLANK or NVRAM_INVALID (why). */
static enum nvram_open_result nvram_load(struct nvram *nv, char *why, size_t whylen)
{
    static uint8_t valid[NVRAM_MAX_SEGS];
    static uint32_t segseq[NVRAM_MAX_SEGS];
    struct nvram_seg_header h, hh;
    uint32_t nvalid = 0, ncorrupt = 0, corrupt = 0, nzero = 0, maxerase = 0;

    for (uint32_t s = 0; s < nv->nsegs; s++) {
        enum seg_kind k = seg_classify(nv, s, &h);
        valid[s] = k == SEG_VALID;
        segseq[s] = valid[s] ? h.seq : 0;
        if (k == SEG_CORRUPT && ncorrupt++ == 0)
            corrupt = s;
        nzero += k == SEG_CORRUPT && h.magic == 0 && h.crc == 0 && h.commit == 0;
        if (!valid[s])
            continue;
        nv->seg_erases[s] = h.erase_count;
        maxerase = h.erase_count > maxerase ? h.erase_count : maxerase;
        if (nvalid == 0 || h.seq > nv->head_seq) {
            nv->head = s;
            nv->head_seq = h.seq;
        }
        nvalid++;
    }
    for (uint32_t s = 0; s < nv->nsegs; s++) {
        if (!valid[s])
            nv->seg_erases[s] = maxerase;   /* unknown: an erased or torn segment */
        for (uint32_t t = 0; valid[s] && t < s; t++)
            if (valid[t] && segseq[t] == segseq[s])
                return why_set(why, whylen, "segment %u sequence", s, 0), NVRAM_INVALID;
    }
    if (nvalid == 0 && ncorrupt == 0)
        return why_set(why, whylen, "blank medium", 0, 0), NVRAM_BLANK;
    if (nzero == nv->nsegs)     /* QEMU's flash without a file reads zeros */
        return why_set(why, whylen, "zeroed medium", 0, 0), NVRAM_BLANK;
    if (nvalid == 0 || ncorrupt > 1)
        return why_set(why, whylen, "segment %u header", corrupt, 0), NVRAM_INVALID;

    /* The head's records, up to the first erased or torn one. */
    uint32_t off = seg_start(nv, nv->head) + NVRAM_SEG_HDR_SIZE;
    uint32_t limit = seg_start(nv, nv->head) + nv->seg_size, dir = NVRAM_NONE;
    enum rec_kind rk;
    struct nvram_rec_header rh;
    while ((rk = rec_read(nv, off, limit, &rh)) == REC_OK) {
        if (rh.type == NVRAM_REC_DIR)
            dir = off;
        off += NVRAM_REC_HDR_SIZE + rh.len + NVRAM_REC_TAIL_SIZE;
    }
    if (rk == REC_BAD)
        return why_set(why, whylen, "segment %u record at 0x%x", nv->head, off), NVRAM_INVALID;
    nv->append = rk == REC_END ? off : NVRAM_NONE;
    if (dir == NVRAM_NONE) {
        seg_classify(nv, nv->head, &hh);
        dir = hh.dir_off;
        if (dir == NVRAM_NONE && nvalid == 1)
            return why_set(why, whylen, "blank medium", 0, 0), NVRAM_BLANK;
        uint32_t ds = seg_of(nv, dir);
        if (dir == NVRAM_NONE || dir >= nv->size || dir % 4u != 0 || !valid[ds] ||
            segseq[ds] >= nv->head_seq || dir - seg_start(nv, ds) < NVRAM_SEG_HDR_SIZE ||
            rec_read(nv, dir, seg_start(nv, ds) + nv->seg_size, &rh) != REC_OK ||
            rh.type != NVRAM_REC_DIR)
            return why_set(why, whylen, "segment %u directory", nv->head, 0), NVRAM_INVALID;
    }
    if (!dir_load(nv, dir, valid, segseq, why, whylen))
        return NVRAM_INVALID;
    live_recount(nv);
    /* One damaged header is allowed: the segment the log was about to take, which a cut in
       the middle of its erase leaves with any contents (but then no valid record either: a
       damaged head's header would leave its records whole). */
    if (ncorrupt == 1 && (corrupt != seg_next_free(nv) ||
                          rec_read(nv, seg_start(nv, corrupt) + NVRAM_SEG_HDR_SIZE,
                                   seg_start(nv, corrupt) + nv->seg_size, &rh) == REC_OK))
        return why_set(why, whylen, "segment %u header", corrupt, 0), NVRAM_INVALID;
    if (rk == REC_TORN)
        why_set(why, whylen, "torn record in segment %u", nv->head, 0);
    else
        why_set(why, whylen, "", 0, 0);
    return NVRAM_KEPT;
}

/* Erases every segment that is not blank and starts an empty log in segment 0. */
static int nvram_format(struct nvram *nv)
{
    struct draft *d = &nvram_draft;
    for (uint32_t s = 0; s < nv->nsegs; s++) {
        if (!erased(nv, seg_start(nv, s), NVRAM_SEG_HDR_SIZE) ||
            !erased(nv, seg_start(nv, s) + NVRAM_SEG_HDR_SIZE, 64)) {
            int err = nv->erase(nv->ctx, seg_start(nv, s));
            nv->erases++;
            if (err != K_OK)
                return err;
            nv->seg_erases[s]++;
        }
    }
    nv->nblocks = nv->npages = 0;
    nv->next_id = 1;
    nv->dir_off = NVRAM_NONE;
    nv->head = nv->nsegs - 1u;
    nv->head_seq = 0;
    nv->append = NVRAM_NONE;
    d->nblocks = d->npages = 0;
    return draft_commit(nv, d, 1);
}

/* Opens the medium at boot (PMM server, host tests): see nvram.h. */
enum nvram_open_result nvram_open(struct nvram *nv, const void *base, uint32_t size,
                                  uint32_t seg_size, nvram_program_fn program,
                                  nvram_erase_fn erase, void *ctx, char *why, size_t whylen)
{
    why_set(why, whylen, "", 0, 0);
    if (nv == NULL || base == NULL || ((uintptr_t)base & 3u) != 0 || program == NULL ||
        erase == NULL || seg_size < 4u * (NVRAM_PAGE_SIZE + 64u) || seg_size % NVRAM_PAGE_SIZE ||
        size % seg_size != 0 || size / seg_size < 3u || size / seg_size > NVRAM_MAX_SEGS) {
        why_set(why, whylen, "flash geometry", 0, 0);
        return NVRAM_UNUSABLE;
    }
    memset(nv, 0, sizeof(*nv));
    nv->base = base;
    nv->size = size;
    nv->seg_size = seg_size;
    nv->nsegs = size / seg_size;
    nv->program = program;
    nv->erase = erase;
    nv->ctx = ctx;
    nv->dir_off = NVRAM_NONE;
    enum nvram_open_result r = nvram_load(nv, why, whylen);
    if (r == NVRAM_KEPT)
        return r;
    if (nvram_format(nv) != K_OK) {
        why_set(why, whylen, "flash error while formatting", 0, 0);
        return NVRAM_UNUSABLE;
    }
    return r;
}

/* ---- blocks ------------------------------------------------------------------------------- */

/* Index of the block named name in the current state, or -1. */
static int find(const struct nvram *nv, const char *name)
{
    for (uint32_t b = 0; b < nv->nblocks; b++)
        if (strncmp(nv->blocks[b].e.name, name, NVRAM_NAME_SIZE) == 0)
            return (int)b;
    return -1;
}

/* The block named name (server: reconciling, listing, sync): its entry or NULL. */
const struct nvram_entry *nvram_lookup(const struct nvram *nv, const char *name)
{
    int b = find(nv, name);
    return b < 0 ? NULL : &nv->blocks[b].e;
}

/* Iterates the blocks in directory order (server at boot). */
const struct nvram_entry *nvram_next(const struct nvram *nv, uint32_t *cursor)
{
    if (*cursor >= nv->nblocks)
        return NULL;
    return &nv->blocks[(*cursor)++].e;
}

/* Blocks in the current state. */
uint32_t nvram_block_count(const struct nvram *nv)
{
    return nv->nblocks;
}

/* Adds a block of zeros in one commit (server, pmmAllocate of a new NVRAM block). */
int nvram_create(struct nvram *nv, const struct nvram_entry *e)
{
    struct nvram_entry n = *e;
    n.id = nv->next_id;
    n.pages = pages_for(n.size);
    if (n.size == 0 || !entry_ok(&n, n.id + 1u))
        return K_EINVAL;
    if (find(nv, n.name) >= 0)
        return K_EEXIST;
    if (nv->nblocks == NVRAM_MAX_BLOCKS)
        return K_ETOOMUCH;
    if (n.pages > NVRAM_MAX_PAGES - nv->npages)
        return K_ENOMEM;
    struct draft *d = draft_start(nv);
    struct nvram_block *k = &d->blocks[d->nblocks++];
    k->e = n;
    k->loc0 = d->npages;
    for (uint32_t p = 0; p < n.pages; p++)
        d->locs[d->npages++] = NVRAM_ZERO_PAGE;
    nv->next_id++;
    int err = draft_commit(nv, d, nv->seq + 1u);
    if (err != K_OK)
        nv->next_id--;
    return err;
}

/* Drops blocks in one commit (server: pmmFree, pmmFreeAll, a group's end). */
int nvram_remove(struct nvram *nv, const char *const *names, uint32_t n)
{
    struct draft *d = draft_start(nv);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = 0;
        while (b < d->nblocks && strncmp(d->blocks[b].e.name, names[i], NVRAM_NAME_SIZE) != 0)
            b++;
        if (b == d->nblocks)
            return K_EUNKNOWN;
        uint32_t l0 = d->blocks[b].loc0, np = d->blocks[b].e.pages;
        memmove(&d->locs[l0], &d->locs[l0 + np], (d->npages - l0 - np) * 4u);
        d->npages -= np;
        memmove(&d->blocks[b], &d->blocks[b + 1], (d->nblocks - b - 1u) * sizeof(d->blocks[0]));
        d->nblocks--;
        for (uint32_t j = b; j < d->nblocks; j++)
            d->blocks[j].loc0 -= np;
    }
    return n == 0 ? K_OK : draft_commit(nv, d, nv->seq + 1u);
}

/* Whether a page is all zeros. */
static int page_zero(const uint8_t *p)
{
    for (uint32_t i = 0; i < NVRAM_PAGE_SIZE; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

/* Commits a block's contents (server, pmmSync): only the pages that differ from the
   committed ones are written, then the directory. */
int nvram_commit(struct nvram *nv, const char *name, const void *data, uint32_t bank_off)
{
    int b = find(nv, name);
    if (b < 0)
        return K_EUNKNOWN;
    struct draft *d = draft_start(nv);
    struct nvram_block *k = &d->blocks[b];
    uint32_t seq = nv->seq + 1u;
    int err = K_OK;
    k->e.bank_off = bank_off % NVRAM_PAGE_SIZE == 0 ? bank_off : 0;
    for (uint32_t p = 0; err == K_OK && p < k->e.pages; p++) {
        const uint8_t *src = (const uint8_t *)data + p * NVRAM_PAGE_SIZE;
        uint32_t *loc = &d->locs[k->loc0 + p];
        if (*loc == NVRAM_ZERO_PAGE ? page_zero(src)
                                    : memcmp(src, nv->base + *loc + NVRAM_REC_HDR_SIZE + 8u,
                                             NVRAM_PAGE_SIZE) == 0)
            continue;
        if (page_zero(src))
            *loc = NVRAM_ZERO_PAGE;
        else
            err = page_write(nv, k->e.id, p, src, seq, loc);
    }
    if (err != K_OK) {
        memset(nv->seg_pending, 0, nv->nsegs);
        return err;
    }
    return draft_commit(nv, d, seq);
}

/* Copies a block's committed contents (server: a working copy restored after power-off). */
int nvram_read(const struct nvram *nv, const char *name, void *out)
{
    int b = find(nv, name);
    if (b < 0)
        return K_EUNKNOWN;
    const struct nvram_block *k = &nv->blocks[b];
    for (uint32_t p = 0; p < k->e.pages; p++) {
        uint8_t *dst = (uint8_t *)out + p * NVRAM_PAGE_SIZE;
        uint32_t loc = nv->locs[k->loc0 + p];
        if (loc == NVRAM_ZERO_PAGE)
            memset(dst, 0, NVRAM_PAGE_SIZE);
        else
            memcpy(dst, nv->base + loc + NVRAM_REC_HDR_SIZE + 8u, NVRAM_PAGE_SIZE);
    }
    return K_OK;
}

/* Where page `page` of a committed block lies in the flash (server: restoring a working
   copy), or NULL for a page of zeros or an unknown block. */
const void *nvram_page(const struct nvram *nv, const char *name, uint32_t page)
{
    int b = find(nv, name);
    if (b < 0 || page >= nv->blocks[b].e.pages)
        return NULL;
    uint32_t loc = nv->locs[nv->blocks[b].loc0 + page];
    return loc == NVRAM_ZERO_PAGE ? NULL : nv->base + loc + NVRAM_REC_HDR_SIZE + 8u;
}

/* Lowest and highest erase counts (figures, tests). */
void nvram_wear(const struct nvram *nv, uint32_t *min, uint32_t *max)
{
    *min = 0xffffffffu;
    *max = 0;
    for (uint32_t s = 0; s < nv->nsegs; s++) {
        *min = nv->seg_erases[s] < *min ? nv->seg_erases[s] : *min;
        *max = nv->seg_erases[s] > *max ? nv->seg_erases[s] : *max;
    }
}

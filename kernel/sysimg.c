/* The system image: actor ELF files and the boot script packed by scripts/mkimage.py (portable). */
#include <kernel/sysimg.h>
#include <lib/fmt.h>
#include <reprise/errors.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "sysimg.c copies little-endian fields straight into host structures");

#define SYSIMG_PAGE_MASK (SYSIMG_PAGE_SIZE - 1)

struct sysimg_errbuf {
    char *buf;
    size_t size;
    size_t len;
};

/* fmt_vformat sink for sysimg_fail: stores what fits, keeping room for the NUL. */
static void sysimg_errbuf_putc(void *ctx, char c)
{
    struct sysimg_errbuf *b = ctx;
    if (b->len + 1 < b->size)
        b->buf[b->len++] = c;
}

/* Writes the formatted reason into err (if any) for sysimg_parse; returns code. */
__attribute__((format(printf, 4, 5)))
static int sysimg_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return code;
    struct sysimg_errbuf b = { err, errlen, 0 };
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(sysimg_errbuf_putc, &b, fmt, ap);
    va_end(ap);
    err[b.len] = '\0';
    return code;
}

/* Checks a table name for sysimg_parse: non-empty, terminated, printable without spaces,
   zero after the NUL. Returns NULL when good, else what is wrong. */
static const char *sysimg_name_problem(const char name[SYSIMG_NAME_MAX])
{
    size_t n = 0;
    while (n < SYSIMG_NAME_MAX && name[n] != '\0')
        n++;
    if (n == SYSIMG_NAME_MAX)
        return "name not terminated";
    if (n == 0)
        return "empty name";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] <= ' ' || (unsigned char)name[i] > '~')
            return "name has a space or a non-printable character";
    for (size_t i = n; i < SYSIMG_NAME_MAX; i++)
        if (name[i] != '\0')
            return "name not zero-padded";
    return NULL;
}

/* Checks a single table entry i for sysimg_parse against the image size; returns 0 or
   sysimg_fail's code. */
static int sysimg_check_entry(const struct sysimg_disk_entry *e, uint32_t i, uint32_t size,
                              char *err, size_t errlen)
{
    const char *problem = sysimg_name_problem(e->name);
    if (problem != NULL)
        return sysimg_fail(err, errlen, K_EINVAL, "entry %u: %s", (unsigned)i, problem);
    if (e->offset & SYSIMG_PAGE_MASK)
        return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s): offset 0x%x not page aligned",
                           (unsigned)i, e->name, (unsigned)e->offset);
    if (e->offset < SYSIMG_HEADER_SIZE)
        return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s): overlaps the header page",
                           (unsigned)i, e->name);
    if (e->size == 0)
        return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s): empty file", (unsigned)i,
                           e->name);
    if ((uint64_t)e->offset + e->size > size)
        return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s): file past end of image",
                           (unsigned)i, e->name);
    if (e->privileges & ~SYSIMG_PRIVS_KNOWN)
        return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s): unknown privileges 0x%x",
                           (unsigned)i, e->name, (unsigned)e->privileges);
    if (e->flags & ~SYSIMG_FLAGS_KNOWN)
        return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s): unknown flags 0x%x",
                           (unsigned)i, e->name, (unsigned)e->flags);
    if (e->heap_max > SYSIMG_HEAP_MAX_LIMIT)
        return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s): heap 0x%x larger than 0x%x",
                           (unsigned)i, e->name, (unsigned)e->heap_max,
                           (unsigned)SYSIMG_HEAP_MAX_LIMIT);
    if (e->page_quota > SYSIMG_PAGE_QUOTA_LIMIT)
        return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s): page quota %u larger than %u",
                           (unsigned)i, e->name, (unsigned)e->page_quota,
                           (unsigned)SYSIMG_PAGE_QUOTA_LIMIT);
    if (e->reserved[0] || e->reserved[1])
        return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s): reserved words not zero",
                           (unsigned)i, e->name);
    return 0;
}

/* Tells sysimg_parse_into whether [p, p + n) holds a NUL byte. */
static bool sysimg_has_nul(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i] == 0)
            return true;
    return false;
}

/* Does the work of sysimg_parse; returns 0 or sysimg_fail's code. */
static int sysimg_parse_into(const void *image, uint32_t len, struct sysimg *out, char *err,
                             size_t errlen)
{
    const uint8_t *base = image;
    struct sysimg_disk_header h;
    int rc;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (image == NULL || len < SYSIMG_HEADER_SIZE)
        return sysimg_fail(err, errlen, K_EINVAL, "truncated header (%u bytes)", (unsigned)len);
    memcpy(&h, base, sizeof(h));
    if (memcmp(h.magic, SYSIMG_MAGIC, SYSIMG_MAGIC_SIZE) != 0)
        return sysimg_fail(err, errlen, K_EINVAL, "bad magic (not a system image)");
    if (h.version != SYSIMG_VERSION)
        return sysimg_fail(err, errlen, K_EINVAL, "unsupported version %u (want %u)",
                           (unsigned)h.version, SYSIMG_VERSION);
    if (h.reserved != 0)
        return sysimg_fail(err, errlen, K_EINVAL, "reserved header field not zero");
    if (h.image_size < SYSIMG_HEADER_SIZE || h.image_size > len)
        return sysimg_fail(err, errlen, K_EINVAL, "image size %u outside %u..%u",
                           (unsigned)h.image_size, SYSIMG_HEADER_SIZE, (unsigned)len);
    if (h.count > SYSIMG_MAX_ENTRIES)
        return sysimg_fail(err, errlen, K_ETOOMUCH, "too many entries (%u, at most %u)",
                           (unsigned)h.count, SYSIMG_MAX_ENTRIES);

    /* The script: any byte range after the header page, text without NULs. */
    if (h.script_size == 0) {
        if (h.script_offset != 0)
            return sysimg_fail(err, errlen, K_EINVAL, "empty script with offset 0x%x",
                               (unsigned)h.script_offset);
    } else {
        if (h.script_offset < SYSIMG_HEADER_SIZE)
            return sysimg_fail(err, errlen, K_EINVAL, "script overlaps the header page");
        if ((uint64_t)h.script_offset + h.script_size > h.image_size)
            return sysimg_fail(err, errlen, K_EINVAL, "script past end of image");
        if (sysimg_has_nul(base + h.script_offset, h.script_size))
            return sysimg_fail(err, errlen, K_EINVAL, "script contains a NUL byte");
    }

    out->base = base;
    out->size = h.image_size;
    out->count = h.count;
    out->script = h.script_size ? (const char *)base + h.script_offset : NULL;
    out->script_len = h.script_size;

    for (uint32_t i = 0; i < h.count; i++) {
        struct sysimg_disk_entry e;
        memcpy(&e, base + SYSIMG_TABLE_OFFSET + i * sizeof(e), sizeof(e));
        rc = sysimg_check_entry(&e, i, h.image_size, err, errlen);
        if (rc < 0)
            return rc;
        struct sysimg_file *f = &out->files[i];
        memcpy(f->name, e.name, SYSIMG_NAME_MAX);
        f->data = base + e.offset;
        f->offset = e.offset;
        f->size = e.size;
        f->privileges = e.privileges;
        f->flags = e.flags;
        f->heap_max = e.heap_max ? e.heap_max : ACTOR_HEAP_MAX;
        f->page_quota = e.page_quota;

        /* Against the earlier entries: unique names, no shared page. End rounding cannot
           wrap: offset + size <= image_size <= UINT32_MAX, computed in 64 bits. */
        uint64_t end = ((uint64_t)e.offset + e.size + SYSIMG_PAGE_MASK) & ~(uint64_t)SYSIMG_PAGE_MASK;
        for (uint32_t j = 0; j < i; j++) {
            const struct sysimg_file *g = &out->files[j];
            uint64_t gend = ((uint64_t)g->offset + g->size + SYSIMG_PAGE_MASK) &
                            ~(uint64_t)SYSIMG_PAGE_MASK;
            if (strcmp(g->name, f->name) == 0)
                return sysimg_fail(err, errlen, K_EINVAL, "entry %u: duplicate name '%s'",
                                   (unsigned)i, f->name);
            if (f->offset < gend && g->offset < end)
                return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s) overlaps entry %u (%s)",
                                   (unsigned)i, f->name, (unsigned)j, g->name);
        }
        if (h.script_size != 0 && h.script_offset < end &&
            e.offset < (uint64_t)h.script_offset + h.script_size)
            return sysimg_fail(err, errlen, K_EINVAL, "entry %u (%s) overlaps the script",
                               (unsigned)i, f->name);
    }
    return 0;
}

/* Validates the untrusted image and fills *out; called by the kernel at boot and by host
   tests. Returns 0 or a negative K_* code with the reason in err (see kernel/sysimg.h);
   on failure *out describes an empty image. */
int sysimg_parse(const void *image, uint32_t len, struct sysimg *out, char *err, size_t errlen)
{
    int rc = sysimg_parse_into(image, len, out, err, errlen);
    if (rc < 0) {
        out->base = NULL;
        out->size = 0;
        out->count = 0;
        out->script = NULL;
        out->script_len = 0;
    }
    return rc;
}

/* Looks a file up by name for actor creation; returns it or NULL. */
const struct sysimg_file *sysimg_find(const struct sysimg *img, const char *name)
{
    for (uint32_t i = 0; i < img->count; i++)
        if (strcmp(img->files[i].name, name) == 0)
            return &img->files[i];
    return NULL;
}

/* Returns the index-th file for iteration (`ls`), or NULL past the end. */
const struct sysimg_file *sysimg_at(const struct sysimg *img, uint32_t index)
{
    return index < img->count ? &img->files[index] : NULL;
}

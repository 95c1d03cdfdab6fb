/* Parsing and validation of the ELF32 ARM executables that actors are loaded from (portable). */
#include <kernel/elf.h>
#include <lib/fmt.h>
#include <reprise/abi.h>
#include <reprise/errors.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "elf.c copies little-endian fields straight into host structures");
_Static_assert(ELF_PAGE_SIZE == ACTOR_PAGE_SIZE, "ELF segments are laid out in actor pages");

#define ELF_PAGE_MASK (ELF_PAGE_SIZE - 1)

struct elf_errbuf {
    char *buf;
    size_t size;
    size_t len;
};

/* fmt_vformat sink for elf_fail: stores what fits, keeping room for the NUL. */
static void elf_errbuf_putc(void *ctx, char c)
{
    struct elf_errbuf *b = ctx;
    if (b->len + 1 < b->size)
        b->buf[b->len++] = c;
}

/* Writes the formatted reason into err (if any) for elf_parse; returns code. */
__attribute__((format(printf, 4, 5)))
static int elf_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return code;
    struct elf_errbuf b = { err, errlen, 0 };
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(elf_errbuf_putc, &b, fmt, ap);
    va_end(ap);
    err[b.len] = '\0';
    return code;
}

/* Turns ELF PF_* bits into ELF_SEG_* bits for elf_parse. */
static uint32_t elf_seg_flags(uint32_t pf)
{
    return ((pf & ELF_PF_R) ? ELF_SEG_R : 0) | ((pf & ELF_PF_W) ? ELF_SEG_W : 0) |
           ((pf & ELF_PF_X) ? ELF_SEG_X : 0);
}

/* Checks the file header of elf_parse's input; returns 0 or elf_fail's code. */
static int elf_check_ehdr(const struct elf32_ehdr *eh, uint32_t len, char *err, size_t errlen)
{
    static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

    if (memcmp(eh->e_ident, magic, sizeof(magic)) != 0)
        return elf_fail(err, errlen, K_EINVAL, "not an ELF file (bad magic)");
    if (eh->e_ident[ELF_EI_CLASS] != ELF_CLASS32)
        return elf_fail(err, errlen, K_EINVAL, "not a 32-bit ELF file (class %u)",
                        eh->e_ident[ELF_EI_CLASS]);
    if (eh->e_ident[ELF_EI_DATA] != ELF_DATA2LSB)
        return elf_fail(err, errlen, K_EINVAL, "not little-endian (data encoding %u)",
                        eh->e_ident[ELF_EI_DATA]);
    if (eh->e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT)
        return elf_fail(err, errlen, K_EINVAL, "unsupported ELF version %u",
                        (unsigned)eh->e_version);
    if (eh->e_type != ELF_ET_EXEC)
        return elf_fail(err, errlen, K_EINVAL, "not a static executable (type %u, want ET_EXEC)",
                        eh->e_type);
    if (eh->e_machine != ELF_EM_ARM)
        return elf_fail(err, errlen, K_EINVAL, "not ARM (machine %u)", eh->e_machine);
    if (eh->e_ehsize != sizeof(struct elf32_ehdr))
        return elf_fail(err, errlen, K_EINVAL, "bad ELF header size %u", eh->e_ehsize);
    if (eh->e_phnum == 0)
        return elf_fail(err, errlen, K_EINVAL, "no program headers");
    if (eh->e_phentsize != sizeof(struct elf32_phdr))
        return elf_fail(err, errlen, K_EINVAL, "bad program header size %u", eh->e_phentsize);
    if ((uint64_t)eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(struct elf32_phdr) > len)
        return elf_fail(err, errlen, K_EINVAL, "truncated program header table");
    return 0;
}

/* Checks one PT_LOAD header (program header index i) of elf_parse's input on its own;
   returns 0 or elf_fail's code. */
static int elf_check_load(const struct elf32_phdr *ph, unsigned i, uint32_t len, char *err,
                          size_t errlen)
{
    if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
        return elf_fail(err, errlen, K_EINVAL, "segment %u writable and executable", i);
    if (ph->p_filesz > ph->p_memsz)
        return elf_fail(err, errlen, K_EINVAL, "segment %u file size larger than memory size", i);
    /* Whatever p_filesz is: the loader derives page addresses in the file from p_offset
       (a read-only segment is mapped from its file pages even with no file bytes). */
    if ((uint64_t)ph->p_offset + ph->p_filesz > len)
        return elf_fail(err, errlen, K_EINVAL, "segment %u file range past end of file", i);
    if ((ph->p_vaddr & ELF_PAGE_MASK) != (ph->p_offset & ELF_PAGE_MASK))
        return elf_fail(err, errlen, K_EINVAL,
                        "misaligned segment %u (vaddr 0x%x, offset 0x%x differ modulo %u)", i,
                        (unsigned)ph->p_vaddr, (unsigned)ph->p_offset, ELF_PAGE_SIZE);
    if (ph->p_vaddr < ACTOR_IMAGE_VADDR ||
        (uint64_t)ph->p_vaddr + ph->p_memsz > ACTOR_RGN_VADDR)
        return elf_fail(err, errlen, K_EINVAL,
                        "segment %u outside user space (0x%x+0x%x, allowed 0x%x-0x%x)", i,
                        (unsigned)ph->p_vaddr, (unsigned)ph->p_memsz, ACTOR_IMAGE_VADDR,
                        ACTOR_RGN_VADDR);
    /* A read-only segment is mapped straight from the file, page for page: every page it
       covers must hold file bytes, so it may not end in zero-fill pages. */
    if (!(ph->p_flags & ELF_PF_W) &&
        (((uint64_t)ph->p_vaddr + ph->p_memsz + ELF_PAGE_MASK) & ~(uint64_t)ELF_PAGE_MASK) !=
        (((uint64_t)ph->p_vaddr + ph->p_filesz + ELF_PAGE_MASK) & ~(uint64_t)ELF_PAGE_MASK))
        return elf_fail(err, errlen, K_EINVAL,
                        "read-only segment %u has pages with no file bytes behind them", i);
    return 0;
}

/* Looks for a GNU build id in the notes of one PT_NOTE header (untrusted: every length is
   checked against the segment and the file); fills img->build_id when it finds one.
   Called by elf_parse; a malformed note only means no build id. */
static void elf_find_build_id(const uint8_t *bytes, uint32_t len, const struct elf32_phdr *ph,
                              struct elf_image *img)
{
    if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
        return;
    uint32_t off = ph->p_offset, end = ph->p_offset + ph->p_filesz;
    while (end - off >= 12) {
        uint32_t h[3];      /* namesz, descsz, type */
        memcpy(h, bytes + off, sizeof(h));
        uint32_t name_len = (h[0] + 3u) & ~3u, desc_len = (h[1] + 3u) & ~3u;
        if (h[0] > end - off || h[1] > end - off || name_len + desc_len > end - off - 12)
            return;
        const uint8_t *name = bytes + off + 12, *desc = name + name_len;
        if (h[2] == ELF_NT_GNU_BUILD_ID && h[0] == 4 && !memcmp(name, "GNU", 4) && h[1]) {
            img->build_id_len = h[1] < ELF_BUILD_ID_MAX ? h[1] : ELF_BUILD_ID_MAX;
            memcpy(img->build_id, desc, img->build_id_len);
            return;
        }
        off += 12 + name_len + desc_len;
    }
}

/* Validates an untrusted ELF file and describes its loadable segments; called by the
   kernel to list and load actor images. Returns 0 or a negative K_* code with the reason
   in err (see kernel/elf.h). */
int elf_parse(const void *file, uint32_t len, struct elf_image *out, char *err, size_t errlen)
{
    const uint8_t *bytes = file;
    struct elf32_ehdr eh;
    struct elf_image img;
    uint16_t phidx[ELF_MAX_SEGS];    /* program header index of each kept segment */
    int rc;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (file == NULL || len < sizeof(eh))
        return elf_fail(err, errlen, K_EINVAL, "truncated ELF header (%u bytes)", (unsigned)len);
    memcpy(&eh, bytes, sizeof(eh));
    rc = elf_check_ehdr(&eh, len, err, errlen);
    if (rc < 0)
        return rc;

    memset(&img, 0, sizeof(img));
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        struct elf32_phdr ph;
        memcpy(&ph, bytes + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type == ELF_PT_NOTE && !img.build_id_len)
            elf_find_build_id(bytes, len, &ph, &img);
        if (ph.p_type != ELF_PT_LOAD)
            continue;
        rc = elf_check_load(&ph, i, len, err, errlen);
        if (rc < 0)
            return rc;
        if (ph.p_memsz == 0)
            continue;   /* occupies nothing; linkers emit these for empty output sections */
        if (img.nsegs == ELF_MAX_SEGS)
            return elf_fail(err, errlen, K_ETOOMUCH, "too many segments (more than %u)",
                            ELF_MAX_SEGS);
        /* Insertion by vaddr keeps segs sorted. */
        unsigned j = img.nsegs++;
        for (; j > 0 && img.segs[j - 1].vaddr > ph.p_vaddr; j--) {
            img.segs[j] = img.segs[j - 1];
            phidx[j] = phidx[j - 1];
        }
        img.segs[j] = (struct elf_seg){ ph.p_vaddr, ph.p_memsz, ph.p_filesz, ph.p_offset,
                                        elf_seg_flags(ph.p_flags) };
        phidx[j] = (uint16_t)i;
    }
    if (img.nsegs == 0)
        return elf_fail(err, errlen, K_EINVAL, "no loadable segments");

    /* Each page has one owner, hence one set of permissions. Ends cannot wrap: every
       segment ends at or below ACTOR_RGN_VADDR. */
    for (unsigned j = 1; j < img.nsegs; j++) {
        const struct elf_seg *prev = &img.segs[j - 1], *cur = &img.segs[j];
        uint32_t prev_end = (prev->vaddr + prev->memsz + ELF_PAGE_MASK) & ~ELF_PAGE_MASK;
        if ((cur->vaddr & ~ELF_PAGE_MASK) < prev_end)
            return elf_fail(err, errlen, K_EINVAL, "segment %u overlaps segment %u", phidx[j],
                            phidx[j - 1]);
    }

    /* ARM code is word aligned; Thumb code (bit 0 set) halfword aligned. */
    uint32_t entry = eh.e_entry & ~1u;
    if ((eh.e_entry & 1) == 0 && (entry & 3) != 0)
        return elf_fail(err, errlen, K_EINVAL, "entry point 0x%x misaligned", (unsigned)entry);
    bool entry_ok = false;
    for (unsigned j = 0; j < img.nsegs; j++) {
        const struct elf_seg *s = &img.segs[j];
        if ((s->flags & ELF_SEG_X) && entry >= s->vaddr && entry - s->vaddr < s->filesz)
            entry_ok = true;
    }
    if (!entry_ok)
        return elf_fail(err, errlen, K_EINVAL, "entry point 0x%x outside text",
                        (unsigned)eh.e_entry);
    img.entry = eh.e_entry;

    for (unsigned j = 0; j < img.nsegs; j++) {
        const struct elf_seg *s = &img.segs[j];
        if (s->flags & ELF_SEG_W) {
            img.data_bytes += s->filesz;
            img.bss_bytes += s->memsz - s->filesz;
        } else {
            img.text_bytes += s->memsz;
        }
    }
    const struct elf_seg *last = &img.segs[img.nsegs - 1];
    img.image_end = (last->vaddr + last->memsz + ELF_PAGE_MASK) & ~ELF_PAGE_MASK;

    *out = img;
    return 0;
}

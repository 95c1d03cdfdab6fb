/* Host tests of kernel/elf.c: good executables, every malformed header, and truncation. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/elf.h>
#include <reprise/errors.h>

#define FILE_CAP 0x20000

static uint8_t file[FILE_CAP] __attribute__((aligned(8)));
static char err[128];

/* A program header as the tests describe it. */
struct seg {
    uint32_t type, offset, vaddr, filesz, memsz, flags;
};

/* Writes an ARM executable with the given program headers (placed right after the file
   header) into file[]; returns the file length: the end of the furthest segment or header. */
static uint32_t build(uint32_t entry, const struct seg *segs, unsigned n)
{
    memset(file, 0, sizeof(file));
    Elf32_Ehdr *eh = (Elf32_Ehdr *)file;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS32;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_ARM;
    eh->e_version = EV_CURRENT;
    eh->e_entry = entry;
    eh->e_phoff = sizeof(Elf32_Ehdr);
    eh->e_flags = 0x05000200;
    eh->e_ehsize = sizeof(Elf32_Ehdr);
    eh->e_phentsize = sizeof(Elf32_Phdr);
    eh->e_phnum = (uint16_t)n;
    uint32_t len = sizeof(Elf32_Ehdr) + n * sizeof(Elf32_Phdr);
    Elf32_Phdr *ph = (Elf32_Phdr *)(file + eh->e_phoff);
    for (unsigned i = 0; i < n; i++) {
        ph[i] = (Elf32_Phdr){ .p_type = segs[i].type, .p_offset = segs[i].offset,
                              .p_vaddr = segs[i].vaddr, .p_paddr = segs[i].vaddr,
                              .p_filesz = segs[i].filesz, .p_memsz = segs[i].memsz,
                              .p_flags = segs[i].flags, .p_align = 0x1000 };
        uint64_t end = (uint64_t)segs[i].offset + segs[i].filesz;
        if (segs[i].type == PT_LOAD && end > len && end <= FILE_CAP)
            len = (uint32_t)end;
    }
    /* Recognisable code and data bytes past the headers. */
    for (uint32_t i = sizeof(Elf32_Ehdr) + n * sizeof(Elf32_Phdr); i < len; i++)
        file[i] = (uint8_t)(i * 7);
    return len;
}

static Elf32_Ehdr *ehdr(void) { return (Elf32_Ehdr *)file; }
static Elf32_Phdr *phdr(unsigned i) { return (Elf32_Phdr *)(file + sizeof(Elf32_Ehdr)) + i; }

/* Text RX at 0x10000 (headers included, as ld lays it out), a PT_ARM_EXIDX header to ignore,
   data+bss RW at 0x12000. Thumb entry. */
static const struct seg good_segs[] = {
    { PT_LOAD, 0x0000, 0x10000, 0x1800, 0x1800, PF_R | PF_X },
    { PT_ARM_EXIDX, 0x1700, 0x11700, 0x10, 0x10, PF_R },
    { PT_LOAD, 0x2000, 0x12000, 0x0100, 0x3000, PF_R | PF_W },
};
#define GOOD_ENTRY 0x10101u

static uint32_t build_good(void)
{
    return build(GOOD_ENTRY, good_segs, 3);
}

/* Parses a copy of file[0, len) in a buffer of exactly len bytes, so that ASan catches any
   read past the end. */
static int parse(uint32_t len, struct elf_image *img)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, file, len);
    memset(err, 'x', sizeof(err));
    int rc = elf_parse(copy, len, img, err, sizeof(err));
    free(copy);
    assert_non_null(memchr(err, '\0', sizeof(err)));
    return rc;
}

/* Parses file[0, len) expecting failure with code and a message containing want. */
static void expect_fail(uint32_t len, int code, const char *want)
{
    struct elf_image img;
    memset(&img, 0xa5, sizeof(img));
    int rc = parse(len, &img);
    if (rc != code || strstr(err, want) == NULL)
        fail_msg("rc %d (want %d), message \"%s\" (want \"%s\")", rc, code, err, want);
    for (size_t i = 0; i < sizeof(img); i++)
        assert_int_equal(((uint8_t *)&img)[i], 0xa5);
}

static void test_good_file(void **state)
{
    (void)state;
    struct elf_image img;
    uint32_t len = build_good();
    assert_int_equal(parse(len, &img), 0);
    assert_string_equal(err, "");
    assert_int_equal(img.entry, GOOD_ENTRY);
    assert_int_equal(img.nsegs, 2);
    assert_int_equal(img.segs[0].vaddr, 0x10000);
    assert_int_equal(img.segs[0].memsz, 0x1800);
    assert_int_equal(img.segs[0].filesz, 0x1800);
    assert_int_equal(img.segs[0].offset, 0);
    assert_int_equal(img.segs[0].flags, ELF_SEG_R | ELF_SEG_X);
    assert_int_equal(img.segs[1].vaddr, 0x12000);
    assert_int_equal(img.segs[1].memsz, 0x3000);
    assert_int_equal(img.segs[1].filesz, 0x100);
    assert_int_equal(img.segs[1].offset, 0x2000);
    assert_int_equal(img.segs[1].flags, ELF_SEG_R | ELF_SEG_W);
    assert_int_equal(img.text_bytes, 0x1800);
    assert_int_equal(img.data_bytes, 0x100);
    assert_int_equal(img.bss_bytes, 0x2f00);
    assert_int_equal(img.image_end, 0x15000);
}

static void test_unsorted_segments_are_sorted(void **state)
{
    (void)state;
    static const struct seg segs[] = {
        { PT_LOAD, 0x3000, 0x13000, 0x10, 0x10, PF_R | PF_W },
        { PT_LOAD, 0x2000, 0x12000, 0x80, 0x80, PF_R },
        { PT_LOAD, 0x1000, 0x11000, 0x100, 0x100, PF_R | PF_X },
    };
    struct elf_image img;
    assert_int_equal(parse(build(0x11000, segs, 3), &img), 0);
    assert_int_equal(img.nsegs, 3);
    assert_int_equal(img.segs[0].vaddr, 0x11000);
    assert_int_equal(img.segs[1].vaddr, 0x12000);
    assert_int_equal(img.segs[2].vaddr, 0x13000);
    assert_int_equal(img.segs[1].flags, ELF_SEG_R);
    assert_int_equal(img.text_bytes, 0x180);
    assert_int_equal(img.data_bytes, 0x10);
    assert_int_equal(img.bss_bytes, 0);
    assert_int_equal(img.image_end, 0x14000);
}

static void test_empty_and_other_headers_ignored(void **state)
{
    (void)state;
    static const struct seg segs[] = {
        { PT_NOTE, 0xffffff00, 0xffffff00, 0xffffffff, 0, PF_R | PF_W | PF_X },
        { PT_LOAD, 0x1000, 0x11000, 0x100, 0x100, PF_R | PF_X },
        { PT_LOAD, 0x0000, 0x20000, 0, 0, PF_R | PF_W },
        { PT_GNU_STACK, 0, 0, 0, 0, PF_R | PF_W },
    };
    struct elf_image img;
    assert_int_equal(parse(build(0x11000, segs, 4), &img), 0);
    assert_int_equal(img.nsegs, 1);
    assert_int_equal(img.image_end, 0x12000);
}

static void test_truncated_at_every_length(void **state)
{
    (void)state;
    struct elf_image img;
    uint32_t len = build_good();
    for (uint32_t n = 0; n < len; n++) {
        int rc = parse(n, &img);
        if (rc != K_EINVAL)
            fail_msg("length %u: rc %d", n, rc);
        assert_true(strlen(err) > 0);
    }
    assert_int_equal(parse(len, &img), 0);
}

static void test_truncated_messages(void **state)
{
    (void)state;
    uint32_t len = build_good();
    expect_fail(0, K_EINVAL, "truncated ELF header");
    expect_fail(51, K_EINVAL, "truncated ELF header");
    expect_fail(52, K_EINVAL, "truncated program header table");
    expect_fail(52 + 3 * 32 - 1, K_EINVAL, "truncated program header table");
    expect_fail(len - 1, K_EINVAL, "segment 2 file range past end of file");
}

static void test_null_file_and_null_err(void **state)
{
    (void)state;
    struct elf_image img;
    uint32_t len = build_good();
    assert_int_equal(elf_parse(NULL, 100, &img, err, sizeof(err)), K_EINVAL);
    assert_int_equal(elf_parse(file, 10, &img, NULL, 0), K_EINVAL);
    assert_int_equal(elf_parse(file, len, &img, NULL, 0), 0);
    /* A tiny buffer gets a truncated, terminated message. */
    char small[8];
    memset(small, 'x', sizeof(small));
    assert_int_equal(elf_parse(file, 10, &img, small, sizeof(small)), K_EINVAL);
    assert_string_equal(small, "truncat");
    small[0] = 'x';
    assert_int_equal(elf_parse(file, 10, &img, small, 1), K_EINVAL);
    assert_int_equal(small[0], '\0');
}

static void test_bad_identification(void **state)
{
    (void)state;
    uint32_t len = build_good();
    ehdr()->e_ident[1] = 'X';
    expect_fail(len, K_EINVAL, "not an ELF file");
    build_good();
    ehdr()->e_ident[EI_CLASS] = ELFCLASS64;
    expect_fail(len, K_EINVAL, "not a 32-bit ELF");
    build_good();
    ehdr()->e_ident[EI_DATA] = ELFDATA2MSB;
    expect_fail(len, K_EINVAL, "not little-endian");
    build_good();
    ehdr()->e_ident[EI_VERSION] = 2;
    expect_fail(len, K_EINVAL, "unsupported ELF version");
    build_good();
    ehdr()->e_version = 0;
    expect_fail(len, K_EINVAL, "unsupported ELF version");
}

static void test_bad_type_machine_sizes(void **state)
{
    (void)state;
    uint32_t len = build_good();
    ehdr()->e_type = ET_DYN;
    expect_fail(len, K_EINVAL, "not a static executable");
    build_good();
    ehdr()->e_type = ET_REL;
    expect_fail(len, K_EINVAL, "not a static executable");
    build_good();
    ehdr()->e_machine = EM_386;
    expect_fail(len, K_EINVAL, "not ARM");
    build_good();
    ehdr()->e_machine = EM_AARCH64;
    expect_fail(len, K_EINVAL, "not ARM");
    build_good();
    ehdr()->e_ehsize = 64;
    expect_fail(len, K_EINVAL, "bad ELF header size");
    build_good();
    ehdr()->e_phentsize = 56;
    expect_fail(len, K_EINVAL, "bad program header size");
    build_good();
    ehdr()->e_phentsize = 0;
    expect_fail(len, K_EINVAL, "bad program header size");
    build_good();
    ehdr()->e_phnum = 0;
    expect_fail(len, K_EINVAL, "no program headers");
}

static void test_program_header_table_out_of_file(void **state)
{
    (void)state;
    uint32_t len = build_good();
    ehdr()->e_phoff = len;
    expect_fail(len, K_EINVAL, "truncated program header table");
    build_good();
    ehdr()->e_phoff = len - 32 * 3 + 1;
    expect_fail(len, K_EINVAL, "truncated program header table");
    build_good();
    ehdr()->e_phoff = 0xffffffe0;       /* phoff + phnum * 32 wraps in 32 bits */
    expect_fail(len, K_EINVAL, "truncated program header table");
    build_good();
    ehdr()->e_phnum = 0xffff;
    expect_fail(len, K_EINVAL, "truncated program header table");
}

static void test_misaligned_program_header_table_is_fine(void **state)
{
    (void)state;
    /* Move the table to an odd offset inside the text page: fields are copied out. */
    uint32_t len = build_good();
    memmove(file + 0x101, file + sizeof(Elf32_Ehdr), 3 * sizeof(Elf32_Phdr));
    ehdr()->e_phoff = 0x101;
    struct elf_image img;
    assert_int_equal(parse(len, &img), 0);
    assert_int_equal(img.nsegs, 2);
}

static void test_file_range_overflow(void **state)
{
    (void)state;
    uint32_t len = build_good();
    /* offset + filesz wraps to a small number; the congruence holds. */
    phdr(2)->p_offset = 0xfffff000;
    phdr(2)->p_vaddr = 0x12000;
    phdr(2)->p_filesz = 0x2000;
    phdr(2)->p_memsz = 0x3000;
    expect_fail(len, K_EINVAL, "segment 2 file range past end of file");
    build_good();
    phdr(2)->p_filesz = 0x1000;         /* the file ends 0xf00 bytes early */
    expect_fail(len, K_EINVAL, "segment 2 file range past end of file");
    /* A segment with no file bytes (pure bss) still has its offset checked: inside the
       file it is fine, past its end it is refused. */
    build_good();
    phdr(2)->p_offset = 0x2000;
    phdr(2)->p_filesz = 0;
    struct elf_image img;
    assert_int_equal(parse(len, &img), 0);
    assert_int_equal(img.bss_bytes, 0x3000);
    phdr(2)->p_offset = 0x3000;
    expect_fail(len, K_EINVAL, "segment 2 file range past end of file");
}

/* Headers crafted to make the loader map or copy what is not the actor's file: each is
   refused, whatever p_filesz says (issue: a read-only segment with p_filesz 0 was mapped
   from image + p_offset unchecked, so an image could map any physical page). */
static void test_crafted_headers(void **state)
{
    (void)state;
    static const uint32_t wild[] = { 0x00100000, 0x0fff0100, 0x7ffff100, 0xfffff100 };
    for (unsigned i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
        /* Read-only, no file bytes, a wild offset congruent with an unaligned vaddr: the
           page under vaddr would be mapped from image + (offset rounded down). */
        uint32_t len = build_good();
        phdr(1)->p_type = PT_LOAD;
        phdr(1)->p_flags = PF_R;
        phdr(1)->p_vaddr = 0x20100;
        phdr(1)->p_offset = wild[i];
        phdr(1)->p_filesz = 0;
        phdr(1)->p_memsz = 0x10;
        expect_fail(len, K_EINVAL, "segment 1 file range past end of file");
        /* The same with file bytes: offset + filesz past the end, or wrapping. */
        phdr(1)->p_filesz = 0x10;
        expect_fail(len, K_EINVAL, "segment 1 file range past end of file");
        phdr(1)->p_filesz = 0xffffffff - wild[i] + 0x200;
        phdr(1)->p_memsz = phdr(1)->p_filesz;
        expect_fail(len, K_EINVAL, "segment 1");
        /* Writable (copied rather than mapped): the same check. */
        build_good();
        phdr(2)->p_offset = wild[i];
        phdr(2)->p_vaddr = 0x12000 | (wild[i] & 0xfff);
        phdr(2)->p_filesz = 0;
        expect_fail(len, K_EINVAL, "segment 2 file range past end of file");
    }
    /* Offset inside the file but a read-only segment longer than its file bytes: its tail
       pages would be mapped from whatever follows in the image. */
    uint32_t len = build_good();
    phdr(0)->p_memsz = 0x2800;
    expect_fail(len, K_EINVAL, "read-only segment 0 has pages with no file bytes");
    build_good();
    phdr(1)->p_type = PT_LOAD;
    phdr(1)->p_flags = PF_R;
    phdr(1)->p_vaddr = 0x20000;
    phdr(1)->p_offset = 0x1000;
    phdr(1)->p_filesz = 0;
    phdr(1)->p_memsz = 0x10;
    expect_fail(len, K_EINVAL, "read-only segment 1 has pages with no file bytes");
    /* ... while zero-fill within the last file page is fine (it holds file bytes). */
    phdr(1)->p_filesz = 0x8;
    struct elf_image img;
    assert_int_equal(parse(len, &img), 0);
    /* filesz larger than memsz, with an offset that is otherwise fine. */
    build_good();
    phdr(2)->p_filesz = 0x3100;
    expect_fail(len, K_EINVAL, "segment 2 file size larger than memory size");
    /* Kernel, device or wrapping virtual addresses, and overlap with another segment. */
    static const uint32_t vaddrs[] = { 0x40000000, 0xc0000000, 0xf0000000, 0xfffff000, 0 };
    for (unsigned i = 0; i < sizeof(vaddrs) / sizeof(vaddrs[0]); i++) {
        build_good();
        phdr(2)->p_vaddr = vaddrs[i];
        expect_fail(len, K_EINVAL, "segment 2 outside user space");
    }
    build_good();
    phdr(2)->p_vaddr = 0xfffff000;
    phdr(2)->p_memsz = 0x2000;          /* vaddr + memsz wraps to 0x1000 */
    expect_fail(len, K_EINVAL, "segment 2 outside user space");
    build_good();
    phdr(2)->p_vaddr = 0x11000;         /* on the text's last page */
    phdr(2)->p_offset = 0x1000;
    expect_fail(len, K_EINVAL, "segment 2 overlaps segment 0");
}

static void test_filesz_larger_than_memsz(void **state)
{
    (void)state;
    uint32_t len = build_good();
    phdr(2)->p_filesz = 0x3001;
    expect_fail(len, K_EINVAL, "segment 2 file size larger than memory size");
}

static void test_misaligned_segment(void **state)
{
    (void)state;
    uint32_t len = build_good();
    phdr(2)->p_vaddr = 0x12010;
    expect_fail(len, K_EINVAL, "misaligned segment 2");
    build_good();
    phdr(0)->p_offset = 4;
    phdr(0)->p_filesz = 0x17fc;
    expect_fail(len, K_EINVAL, "misaligned segment 0");
}

static void test_overlapping_segments(void **state)
{
    (void)state;
    /* Data starting in the last page of text. */
    static const struct seg same_page[] = {
        { PT_LOAD, 0x0000, 0x10000, 0x0800, 0x0800, PF_R | PF_X },
        { PT_LOAD, 0x0c00, 0x10c00, 0x0100, 0x0200, PF_R | PF_W },
    };
    expect_fail(build(0x10000, same_page, 2), K_EINVAL, "segment 1 overlaps segment 0");
    /* Byte-level overlap, listed in reverse order. */
    static const struct seg reversed[] = {
        { PT_LOAD, 0x1000, 0x11000, 0x0100, 0x2000, PF_R | PF_W },
        { PT_LOAD, 0x0000, 0x10000, 0x1800, 0x1800, PF_R | PF_X },
    };
    expect_fail(build(0x10000, reversed, 2), K_EINVAL, "segment 0 overlaps segment 1");
    /* One segment inside another. */
    static const struct seg inside[] = {
        { PT_LOAD, 0x0000, 0x10000, 0x4000, 0x4000, PF_R | PF_X },
        { PT_LOAD, 0x1000, 0x11000, 0x0100, 0x0100, PF_R },
    };
    expect_fail(build(0x10000, inside, 2), K_EINVAL, "segment 1 overlaps segment 0");
    /* Identical ranges. */
    static const struct seg same[] = {
        { PT_LOAD, 0x0000, 0x10000, 0x100, 0x100, PF_R | PF_X },
        { PT_LOAD, 0x0000, 0x10000, 0x100, 0x100, PF_R | PF_X },
    };
    expect_fail(build(0x10000, same, 2), K_EINVAL, "overlaps segment");
    /* Back to back on a page boundary is fine. */
    static const struct seg adjacent[] = {
        { PT_LOAD, 0x0000, 0x10000, 0x1000, 0x1000, PF_R | PF_X },
        { PT_LOAD, 0x1000, 0x11000, 0x0100, 0x0100, PF_R | PF_W },
    };
    struct elf_image img;
    assert_int_equal(parse(build(0x10000, adjacent, 2), &img), 0);
}

static void test_segment_outside_user_space(void **state)
{
    (void)state;
    static const struct seg text_only[] = {
        { PT_LOAD, 0x0000, 0x10000, 0x100, 0x100, PF_R | PF_X },
    };
    uint32_t len = build(0x10000, text_only, 1);
    struct elf_image img;
    assert_int_equal(parse(len, &img), 0);

    phdr(0)->p_vaddr = 0x40000000;     /* kernel space */
    ehdr()->e_entry = 0x40000000;
    expect_fail(len, K_EINVAL, "segment 0 outside user space");
    phdr(0)->p_vaddr = 0x8000;         /* below ACTOR_IMAGE_VADDR */
    ehdr()->e_entry = 0x8000;
    expect_fail(len, K_EINVAL, "segment 0 outside user space");
    phdr(0)->p_vaddr = 0;              /* the NULL page */
    ehdr()->e_entry = 0;
    expect_fail(len, K_EINVAL, "segment 0 outside user space");
    phdr(0)->p_vaddr = 0x10000000;     /* the rgnAllocate area */
    ehdr()->e_entry = 0x10000000;
    expect_fail(len, K_EINVAL, "segment 0 outside user space");
    phdr(0)->p_vaddr = 0x0ffff000;     /* runs past 0x10000000 */
    phdr(0)->p_memsz = 0x2000;
    ehdr()->e_entry = 0x0ffff000;
    expect_fail(len, K_EINVAL, "segment 0 outside user space");
    phdr(0)->p_vaddr = 0x0ffff000;     /* ends exactly at 0x10000000: fine */
    phdr(0)->p_memsz = 0x1000;
    assert_int_equal(parse(len, &img), 0);
    assert_int_equal(img.image_end, 0x10000000);
    phdr(0)->p_vaddr = 0x10000;        /* memsz huge: vaddr + memsz wraps */
    phdr(0)->p_memsz = 0xffff0000;
    ehdr()->e_entry = 0x10000;
    expect_fail(len, K_EINVAL, "segment 0 outside user space");
    phdr(0)->p_memsz = 0xfffff000;
    expect_fail(len, K_EINVAL, "segment 0 outside user space");
}

static void test_writable_and_executable(void **state)
{
    (void)state;
    uint32_t len = build_good();
    phdr(2)->p_flags = PF_R | PF_W | PF_X;
    expect_fail(len, K_EINVAL, "segment 2 writable and executable");
    build_good();
    phdr(0)->p_flags = PF_W | PF_X;
    expect_fail(len, K_EINVAL, "segment 0 writable and executable");
}

static void test_entry_point(void **state)
{
    (void)state;
    uint32_t len = build_good();
    ehdr()->e_entry = 0x12000;         /* in data */
    expect_fail(len, K_EINVAL, "entry point 0x12000 outside text");
    ehdr()->e_entry = 0;
    expect_fail(len, K_EINVAL, "outside text");
    ehdr()->e_entry = 0x11800;         /* just past text */
    expect_fail(len, K_EINVAL, "outside text");
    ehdr()->e_entry = 0x0fffc;         /* just before text */
    expect_fail(len, K_EINVAL, "outside text");
    ehdr()->e_entry = 0x10002;         /* ARM code must be word aligned */
    expect_fail(len, K_EINVAL, "misaligned");

    struct elf_image img;
    ehdr()->e_entry = 0x10000;         /* ARM, first word */
    assert_int_equal(parse(len, &img), 0);
    ehdr()->e_entry = 0x117fc;         /* ARM, last word */
    assert_int_equal(parse(len, &img), 0);
    ehdr()->e_entry = 0x117ff;         /* Thumb, last halfword */
    assert_int_equal(parse(len, &img), 0);
    assert_int_equal(img.entry, 0x117ff);

    /* An executable segment's zero-filled tail is not text (within its last file page;
       zero-fill pages past it are refused for any read-only segment). */
    static const struct seg xbss[] = {
        { PT_LOAD, 0x0000, 0x10000, 0x100, 0x200, PF_R | PF_X },
    };
    len = build(0x10180, xbss, 1);
    expect_fail(len, K_EINVAL, "outside text");
    static const struct seg xbss_pages[] = {
        { PT_LOAD, 0x0000, 0x10000, 0x100, 0x2000, PF_R | PF_X },
    };
    len = build(0x11000, xbss_pages, 1);
    expect_fail(len, K_EINVAL, "read-only segment 0 has pages with no file bytes");
    /* Entry in a readable, non-executable segment. */
    static const struct seg rodata[] = {
        { PT_LOAD, 0x0000, 0x10000, 0x100, 0x100, PF_R },
    };
    expect_fail(build(0x10000, rodata, 1), K_EINVAL, "outside text");
}

static void test_too_many_segments(void **state)
{
    (void)state;
    struct seg segs[9];
    for (unsigned i = 0; i < 9; i++)
        segs[i] = (struct seg){ PT_LOAD, 0x1000 * i, 0x10000 + 0x1000 * i, 0x10, 0x10,
                                i == 0 ? PF_R | PF_X : PF_R };
    struct elf_image img;
    assert_int_equal(parse(build(0x10000, segs, 8), &img), 0);
    assert_int_equal(img.nsegs, 8);
    expect_fail(build(0x10000, segs, 9), K_ETOOMUCH, "too many segments");
}

static void test_no_loadable_segments(void **state)
{
    (void)state;
    static const struct seg none[] = {
        { PT_NOTE, 0x100, 0x10100, 0x10, 0x10, PF_R },
    };
    expect_fail(build(0x10000, none, 1), K_EINVAL, "no loadable segments");
}

/* Sweeps every header field through awkward values: never a crash, never an accepted file
   that breaks the documented invariants. */
static void test_field_sweep_keeps_invariants(void **state)
{
    (void)state;
    static const uint32_t values[] = { 0, 1, 0xfff, 0x1000, 0x10000, 0x12000, 0x7fffffff,
                                       0x80000000, 0x0fffffff, 0x10000000, 0xfffff000,
                                       0xffffffff };
    struct elf_image img;
    for (unsigned h = 0; h < 3; h++) {
        for (unsigned f = 1; f < 8; f++) {          /* p_offset .. p_align */
            for (unsigned v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
                uint32_t len = build_good();
                ((uint32_t *)phdr(h))[f] = values[v];
                if (parse(len, &img) != 0)
                    continue;
                assert_in_range(img.nsegs, 1, ELF_MAX_SEGS);
                for (unsigned j = 0; j < img.nsegs; j++) {
                    const struct elf_seg *s = &img.segs[j];
                    assert_true(s->vaddr >= 0x10000);
                    assert_true((uint64_t)s->vaddr + s->memsz <= 0x10000000);
                    assert_true(s->filesz <= s->memsz);
                    assert_true((uint64_t)s->offset + s->filesz <= len);
                    if (!(s->flags & ELF_SEG_W))
                        assert_true(((s->vaddr + s->memsz + 0xfff) & ~0xfffu) ==
                                    ((s->vaddr + s->filesz + 0xfff) & ~0xfffu));
                    assert_int_equal(s->vaddr & 0xfff, s->offset & 0xfff);
                    assert_false((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X));
                    if (j > 0)
                        assert_true(s->vaddr >= img.segs[j - 1].vaddr + img.segs[j - 1].memsz);
                }
            }
        }
    }
}

/* Parses a real ARM executable named by ELF_TEST_FILE (make test-host gives hello). */
/* Writes a note (name, type, desc of len bytes) at file[off]; returns the offset after it. */
static uint32_t put_note(uint32_t off, const char *name, uint32_t type, const uint8_t *desc,
                         uint32_t len)
{
    uint32_t namesz = (uint32_t)strlen(name) + 1;
    uint32_t h[3] = { namesz, len, type };
    memcpy(file + off, h, sizeof(h));
    memset(file + off + 12, 0, ((namesz + 3) & ~3u) + ((len + 3) & ~3u));
    memcpy(file + off + 12, name, namesz);
    memcpy(file + off + 12 + ((namesz + 3) & ~3u), desc, len);
    return off + 12 + ((namesz + 3) & ~3u) + ((len + 3) & ~3u);
}

/* The GNU build id comes from a PT_NOTE header's notes (other notes skipped); a malformed note
   or a note range past the file only means no build id, never a rejected file. */
static void test_build_id_note(void **state)
{
    (void)state;
    struct elf_image img;
    static const uint8_t id[20] = { 0x99, 0xd6, 0x2f, 0x88, 0x88, 0xf6, 0xa0, 0xc9, 0x58, 0xdf,
                                    0x21, 0x66, 0x04, 0x38, 0xc4, 0xbd, 0x2c, 0x6b, 0x1d, 0x5c };
    const struct seg segs[] = {
        good_segs[0], good_segs[2],
        { PT_NOTE, 0x1000, 0x11000, 0, 0, PF_R },
    };
    uint32_t len = build(GOOD_ENTRY, segs, 3);
    uint32_t end = put_note(0x1000, "Other", 1, (const uint8_t *)"abc", 3);
    end = put_note(end, "GNU", 3, id, sizeof(id));
    phdr(2)->p_filesz = phdr(2)->p_memsz = end - 0x1000;
    assert_int_equal(parse(len, &img), 0);
    assert_int_equal(img.build_id_len, 20);
    assert_memory_equal(img.build_id, id, 20);

    put_note(0x1000, "GNU", 3, id, 8);      /* shorter ids are kept whole */
    phdr(2)->p_filesz = 12 + 4 + 8;
    assert_int_equal(parse(len, &img), 0);
    assert_int_equal(img.build_id_len, 8);

    ((uint32_t *)(void *)(file + 0x1000))[1] = 0x7fffffff;     /* descsz past the segment */
    assert_int_equal(parse(len, &img), 0);
    assert_int_equal(img.build_id_len, 0);

    put_note(0x1000, "GNU", 3, id, sizeof(id));
    phdr(2)->p_offset = len - 8;                                /* notes past the file end */
    phdr(2)->p_filesz = 36;
    assert_int_equal(parse(len, &img), 0);
    assert_int_equal(img.build_id_len, 0);
}

static void test_real_arm_executable(void **state)
{
    (void)state;
    const char *path = getenv("ELF_TEST_FILE");
    if (path == NULL || *path == '\0')
        fail_msg("%s is not set (make test-host sets it to %s)", "ELF_TEST_FILE", "a built actor");
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static uint8_t real[4 << 20];
    size_t len = fread(real, 1, sizeof(real), fp);
    fclose(fp);
    struct elf_image img;
    int rc = elf_parse(real, (uint32_t)len, &img, err, sizeof(err));
    if (rc != 0)
        fail_msg("%s: %s", path, err);
    assert_true(img.nsegs >= 1);
    assert_true(img.text_bytes > 0);
    assert_int_equal(img.build_id_len, 20);     /* actors are linked with --build-id */
    printf("%s: entry 0x%x, %u segments, text %u data %u bss %u, end 0x%x\n", path, img.entry,
           img.nsegs, img.text_bytes, img.data_bytes, img.bss_bytes, img.image_end);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_unsorted_segments_are_sorted),
        cmocka_unit_test(test_empty_and_other_headers_ignored),
        cmocka_unit_test(test_truncated_at_every_length),
        cmocka_unit_test(test_truncated_messages),
        cmocka_unit_test(test_null_file_and_null_err),
        cmocka_unit_test(test_bad_identification),
        cmocka_unit_test(test_bad_type_machine_sizes),
        cmocka_unit_test(test_program_header_table_out_of_file),
        cmocka_unit_test(test_misaligned_program_header_table_is_fine),
        cmocka_unit_test(test_file_range_overflow),
        cmocka_unit_test(test_crafted_headers),
        cmocka_unit_test(test_filesz_larger_than_memsz),
        cmocka_unit_test(test_misaligned_segment),
        cmocka_unit_test(test_overlapping_segments),
        cmocka_unit_test(test_segment_outside_user_space),
        cmocka_unit_test(test_writable_and_executable),
        cmocka_unit_test(test_entry_point),
        cmocka_unit_test(test_too_many_segments),
        cmocka_unit_test(test_no_loadable_segments),
        cmocka_unit_test(test_field_sweep_keeps_invariants),
        cmocka_unit_test(test_build_id_note),
        cmocka_unit_test(test_real_arm_executable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Parsing and validation of the ELF32 ARM executables that actors are loaded from (portable). */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* On-file layouts (ELF specification, "ELF for the ARM Architecture" IHI 0044). Fields are
   read by copying the bytes out of the file, so the file needs no particular alignment. */
#define ELF_IDENT_SIZE  16
#define ELF_EI_CLASS    4
#define ELF_EI_DATA     5
#define ELF_EI_VERSION  6
#define ELF_CLASS32     1
#define ELF_DATA2LSB    1
#define ELF_EV_CURRENT  1
#define ELF_ET_EXEC     2
#define ELF_EM_ARM      40
#define ELF_PT_LOAD     1
#define ELF_PT_NOTE     4
#define ELF_NT_GNU_BUILD_ID 3           /* note type of a GNU build id, owner "GNU" */
#define ELF_PF_X        1u
#define ELF_PF_W        2u
#define ELF_PF_R        4u

struct elf32_ehdr {
    uint8_t e_ident[ELF_IDENT_SIZE];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint32_t e_entry;
    uint32_t e_phoff;
    uint32_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};
_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 file header is 52 bytes");
_Static_assert(offsetof(struct elf32_ehdr, e_phoff) == 28, "ELF32 e_phoff offset");
_Static_assert(offsetof(struct elf32_ehdr, e_phnum) == 44, "ELF32 e_phnum offset");

struct elf32_phdr {
    uint32_t p_type;
    uint32_t p_offset;
    uint32_t p_vaddr;
    uint32_t p_paddr;
    uint32_t p_filesz;
    uint32_t p_memsz;
    uint32_t p_flags;
    uint32_t p_align;
};
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header is 32 bytes");
_Static_assert(offsetof(struct elf32_phdr, p_flags) == 24, "ELF32 p_flags offset");

/* Limits of an actor image. */
#define ELF_MAX_SEGS     8
#define ELF_BUILD_ID_MAX 20             /* bytes of a build id kept (SHA-1, ld --build-id) */
#define ELF_PAGE_SIZE    4096u

/* Permissions of a loadable segment (our bits, not the ELF PF_* values). */
#define ELF_SEG_R  (1u << 0)
#define ELF_SEG_W  (1u << 1)
#define ELF_SEG_X  (1u << 2)

/* One PT_LOAD segment: memory [vaddr, vaddr + memsz) gets the file bytes
   [offset, offset + filesz) followed by zeros. vaddr and offset are congruent modulo
   ELF_PAGE_SIZE, so a page of the segment is a page of the file (when the file starts
   on a page boundary). */
struct elf_seg {
    uint32_t vaddr;
    uint32_t memsz;
    uint32_t filesz;
    uint32_t offset;
    uint32_t flags;         /* ELF_SEG_R | ELF_SEG_W | ELF_SEG_X, never both W and X */
};

/* A validated executable. Segments are sorted by vaddr and share no page; all lie in
   [ACTOR_IMAGE_VADDR, ACTOR_RGN_VADDR). Every segment's file range [offset, offset +
   filesz) lies inside the file, whatever filesz is; a read-only segment's pages all hold
   file bytes (its memsz ends in the page its filesz ends in), so mapping it page for page
   from the file, from offset rounded down to a page, never leaves the file's own pages. */
struct elf_image {
    uint32_t entry;         /* inside the file part of an X segment; bit 0 set = Thumb */
    uint32_t nsegs;
    struct elf_seg segs[ELF_MAX_SEGS];
    uint32_t text_bytes;    /* sum of memsz of the non-writable segments */
    uint32_t data_bytes;    /* sum of filesz of the writable segments */
    uint32_t bss_bytes;     /* sum of (memsz - filesz) of the writable segments */
    uint32_t image_end;     /* highest segment end, rounded up to a page: the heap starts here */
    uint32_t build_id_len;  /* bytes of build_id: the GNU build id note of a PT_NOTE segment
                               (at most ELF_BUILD_ID_MAX kept), 0 when there is none or a
                               note is malformed */
    uint8_t build_id[ELF_BUILD_ID_MAX];
};

/* Parses and validates the ELF file [file, file + len), both untrusted; called by the
   kernel when it lists or loads an actor image, and by host tests. On success fills *out
   and returns 0. On failure returns K_EINVAL (K_ETOOMUCH for more than ELF_MAX_SEGS
   loadable segments), writes a one-line reason such as "segment 2 overlaps segment 1"
   into err (when err is not NULL and errlen > 0; segments are numbered by program header
   index, as readelf -l shows them) and leaves *out untouched. */
int elf_parse(const void *file, uint32_t len, struct elf_image *out, char *err, size_t errlen);

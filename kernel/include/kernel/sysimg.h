/* The system image: actor ELF files and the boot script packed by scripts/mkimage.py (portable).
 *
 * Layout (all fields little-endian; offsets from the image start, which the kernel places
 * on a page boundary so that actor text pages are image pages):
 *
 *   0x0000 +-----------------------------------+
 *          | header (32 bytes)                 |  magic "RPRSIMG1", version, count,
 *          |                                   |  image size, script offset and size
 *   0x0020 | entry table: count x 48 bytes     |  name[16], offset, size, privileges, flags,
 *          |                                   |  heap_max, page_quota, bank_pages,
 *          |                                   |  bank_blocks
 *          | zeros up to the page end          |
 *   0x1000 +-----------------------------------+
 *          | ELF file of entry 0               |  each file starts on a page boundary,
 *          | zeros up to the page end          |  files share no page
 *          +-----------------------------------+
 *          | ... one per entry                 |
 *          +-----------------------------------+
 *          | boot script (sysadm.ini) text     |  script_size bytes, no NUL inside
 *          +-----------------------------------+ image_size
 */
#pragma once
#include <reprise/abi.h>
#include <stddef.h>
#include <stdint.h>

#define SYSIMG_MAGIC        "RPRSIMG1"      /* 8 bytes, no NUL stored */
#define SYSIMG_MAGIC_SIZE   8
#define SYSIMG_VERSION      2u
#define SYSIMG_PAGE_SIZE    4096u
#define SYSIMG_HEADER_SIZE  4096u           /* header and table: the whole first page */
#define SYSIMG_TABLE_OFFSET 32u
#define SYSIMG_MAX_ENTRIES  64u
#define SYSIMG_NAME_MAX     ACTOR_NAME_MAX  /* NUL included */

/* Privilege bits an entry may carry: every PRIV_* of abi.h (mkimage.py reads them there;
   a new PRIV_* must be added here too). */
#define SYSIMG_PRIVS_KNOWN  (PRIV_ACTORS | PRIV_SERVER | PRIV_FAULTS | PRIV_BANK | PRIV_SITE | \
                             PRIV_CRITICAL | PRIV_DEVICE)
/* Entry flags; the parser refuses unknown bits. */
#define SYSIMG_FLAG_BOOT        (1u << 0)   /* the kernel starts it at boot */
#define SYSIMG_FLAG_PRIO_SHIFT  8           /* bits 8-12: its priority (0: the default) */
#define SYSIMG_FLAG_PRIO_MASK   (0x1fu << SYSIMG_FLAG_PRIO_SHIFT)
#define SYSIMG_FLAGS_KNOWN      (SYSIMG_FLAG_BOOT | SYSIMG_FLAG_PRIO_MASK)

struct sysimg_disk_header {
    char magic[SYSIMG_MAGIC_SIZE];
    uint32_t version;
    uint32_t count;             /* entries in the table */
    uint32_t image_size;        /* bytes, header included */
    uint32_t script_offset;     /* 0 with script_size 0 when there is no script */
    uint32_t script_size;
    uint32_t reserved;          /* zero */
};
_Static_assert(sizeof(struct sysimg_disk_header) == SYSIMG_TABLE_OFFSET, "image header layout");

struct sysimg_disk_entry {
    char name[SYSIMG_NAME_MAX]; /* NUL-terminated, zero-padded, printable ASCII, no space */
    uint32_t offset;            /* page aligned, at or above SYSIMG_HEADER_SIZE */
    uint32_t size;              /* bytes of the ELF file, not 0 */
    uint32_t privileges;        /* PRIV_* */
    uint32_t flags;             /* SYSIMG_FLAGS_KNOWN bits only */
    uint32_t heap_max;          /* bytes its heap may grow to; 0: ACTOR_HEAP_MAX */
    uint32_t page_quota;        /* pool pages its actors may own; 0: the board's default */
    uint32_t bank_pages;        /* its quota in the persistent bank (PMM's); 0: the board's */
    uint32_t bank_blocks;
};
_Static_assert(sizeof(struct sysimg_disk_entry) == 48, "image entry layout");
/* The most heap an entry may ask for: the room between the image and rgnAllocate's area. */
#define SYSIMG_HEAP_MAX_LIMIT (ACTOR_RGN_VADDR - ACTOR_IMAGE_VADDR)
/* The largest page quota an entry may give: every page of the 1 GiB user space and its
   tables. */
#define SYSIMG_PAGE_QUOTA_LIMIT (ACTOR_USER_TOP_VADDR / ACTOR_PAGE_SIZE + 1024u)
_Static_assert(offsetof(struct sysimg_disk_entry, offset) == 16, "image entry offset field");
_Static_assert(SYSIMG_TABLE_OFFSET + SYSIMG_MAX_ENTRIES * sizeof(struct sysimg_disk_entry) <=
               SYSIMG_HEADER_SIZE, "the entry table fits in the header page");

/* One file of a parsed image. */
struct sysimg_file {
    char name[SYSIMG_NAME_MAX];
    const void *data;           /* the file's bytes inside the image */
    uint32_t offset;            /* from the image start (page aligned) */
    uint32_t size;
    uint32_t privileges;
    uint32_t flags;
    uint32_t heap_max;          /* bytes, never 0 (the default filled in) */
    uint32_t page_quota;        /* pages; 0: the board's default (BOARD_ACTOR_PAGE_QUOTA) */
    uint32_t bank_pages;        /* bank quota, 0: the board's default (the PMM decides) */
    uint32_t bank_blocks;
};

/* A validated image; it points into the image, which must stay in place. */
struct sysimg {
    const uint8_t *base;
    uint32_t size;              /* image_size from the header */
    uint32_t count;
    struct sysimg_file files[SYSIMG_MAX_ENTRIES];   /* in table order */
    const char *script;         /* not NUL-terminated; NULL when script_len is 0 */
    uint32_t script_len;
};

/* Validates the image [image, image + len) (untrusted: bounds, alignment, terminated
   unique names, known bits, no overlaps, count limit) and fills *out; called by the kernel
   at boot on the embedded image, and by host tests. len may exceed the header's image_size
   (padding). Returns 0, or K_EINVAL (K_ETOOMUCH for too many entries) with a one-line
   reason in err (when err is not NULL and errlen > 0), leaving *out an empty image.
   ELF contents are not checked here: elf_parse does that per file. */
int sysimg_parse(const void *image, uint32_t len, struct sysimg *out, char *err, size_t errlen);

/* The file called name, or NULL; used by actor creation (arun, hrfexec). */
const struct sysimg_file *sysimg_find(const struct sysimg *img, const char *name);

/* The index-th file in table order, or NULL past the end: iterate with
   for (i = 0; (f = sysimg_at(img, i)) != NULL; i++). Used by `ls`. */
const struct sysimg_file *sysimg_at(const struct sysimg *img, uint32_t index);

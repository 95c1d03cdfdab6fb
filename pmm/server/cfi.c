/* CFI flash driver of the PMM server: Intel command set as QEMU's hw/block/pflash_cfi01.c
   emulates it. Every command goes to both 16-bit devices of a 32-bit word at once. */
#include "cfi.h"

#include <reprise/errors.h>

/* A command byte for both devices of the word. */
#define CFI_CMD(c)           ((uint32_t)(c) * 0x00010001u)
#define CFI_READ_ARRAY       CFI_CMD(0xff)
#define CFI_READ_STATUS      CFI_CMD(0x70)
#define CFI_CLEAR_STATUS     CFI_CMD(0x50)
#define CFI_PROGRAM          CFI_CMD(0x40)    /* then the data word */
#define CFI_BLOCK_ERASE      CFI_CMD(0x20)    /* then CFI_CONFIRM at an address in the block */
#define CFI_CONFIRM          CFI_CMD(0xd0)
/* Status register bits, in both devices. */
#define CFI_SR_READY         CFI_CMD(0x80)
#define CFI_SR_ERASE_ERR     CFI_CMD(0x20)
#define CFI_SR_PROGRAM_ERR   CFI_CMD(0x10)
#define CFI_SR_VPP_ERR       CFI_CMD(0x08)
#define CFI_SR_LOCKED        CFI_CMD(0x02)
#define CFI_SR_ERRORS        (CFI_SR_ERASE_ERR | CFI_SR_PROGRAM_ERR | CFI_SR_VPP_ERR | CFI_SR_LOCKED)
#define CFI_POLL_MAX         1000000u

/* Waits until both devices are ready (the status register is what a read gives after a
   program or erase command), then checks its error bits, clearing them on an error; the
   device stays in status mode. K_OK, K_EIO or K_ETIMEOUT. */
static int cfi_wait(volatile uint32_t *word)
{
    uint32_t st = 0, n = 0;
    while (n++ < CFI_POLL_MAX && ((st = *word) & CFI_SR_READY) != CFI_SR_READY)
        ;
    int err = (st & CFI_SR_READY) != CFI_SR_READY ? K_ETIMEOUT : (st & CFI_SR_ERRORS) ? K_EIO : K_OK;
    if (err != K_OK)
        *word = CFI_CLEAR_STATUS;
    return err;
}

/* Programs the words one by one in status mode, then goes back to read-array mode once and
   reads them back (a mode switch is costly in QEMU: it remaps the flash). */
int cfi_program(void *ctx, uint32_t off, const uint32_t *words, uint32_t n)
{
    struct cfi_flash *f = ctx;
    if ((off & 3u) != 0 || off > f->size || n > (f->size - off) / 4u)
        return K_EINVAL;
    volatile uint32_t *w = f->base + off / 4u;
    int err = K_OK;
    for (uint32_t i = 0; err == K_OK && i < n; i++) {
        w[i] = CFI_PROGRAM;
        w[i] = words[i];
        err = cfi_wait(&w[i]);
    }
    *w = CFI_READ_ARRAY;
    for (uint32_t i = 0; err == K_OK && i < n; i++)
        if (w[i] != words[i])
            err = K_EIO;        /* the word did not take: a worn or non-erased word */
    return err;
}

/* Erases one block (both devices), waits, and checks its first words read erased. */
int cfi_erase(void *ctx, uint32_t off)
{
    struct cfi_flash *f = ctx;
    if (off % f->block_size != 0 || off >= f->size)
        return K_EINVAL;
    volatile uint32_t *w = f->base + off / 4u;
    *w = CFI_BLOCK_ERASE;
    *w = CFI_CONFIRM;
    int err = cfi_wait(w);
    *w = CFI_READ_ARRAY;
    /* The block's first words read erased, or the erase did not happen. */
    for (uint32_t i = 0; err == K_OK && i < 16; i++)
        if (w[i] != 0xffffffffu)
            err = K_EIO;
    return err;
}

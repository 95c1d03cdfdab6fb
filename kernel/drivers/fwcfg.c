/* QEMU fw_cfg device (docs/specs/fw_cfg.rst): reads named files passed with -fw_cfg. */
#include <board.h>
#include <kernel/fwcfg.h>
#include <kernel/memmap.h>
#include <stdint.h>

#define FWCFG_DATA     0x0
#define FWCFG_SELECTOR 0x8
#define FWCFG_SIGNATURE 0x0000
#define FWCFG_FILE_DIR  0x0019

static void fwcfg_select(uint16_t key)
{
    /* The selector register is big-endian on the MMIO interface. */
    *(volatile uint16_t *)(DEV_VADDR(BOARD_FWCFG_PADDR) + FWCFG_SELECTOR) =
        (uint16_t)((key >> 8) | (key << 8));
}

static uint8_t fwcfg_byte(void)
{
    return *(volatile uint8_t *)(DEV_VADDR(BOARD_FWCFG_PADDR) + FWCFG_DATA);
}

static uint32_t fwcfg_be(int bytes)
{
    uint32_t v = 0;
    while (bytes--)
        v = (v << 8) | fwcfg_byte();
    return v;
}

int fwcfg_read_file(const char *name, char *buf, size_t n)
{
    fwcfg_select(FWCFG_SIGNATURE);
    if (fwcfg_byte() != 'Q' || fwcfg_byte() != 'E' || fwcfg_byte() != 'M' || fwcfg_byte() != 'U')
        return -1;
    fwcfg_select(FWCFG_FILE_DIR);
    uint32_t count = fwcfg_be(4);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t size = fwcfg_be(4);
        uint16_t select = (uint16_t)fwcfg_be(2);
        fwcfg_be(2);
        char fname[56];
        for (int j = 0; j < 56; j++)
            fname[j] = (char)fwcfg_byte();
        int k = 0;
        while (k < 55 && name[k] && fname[k] == name[k])
            k++;
        if (name[k] != '\0' || fname[k] != '\0')
            continue;
        fwcfg_select(select);
        size_t len = size < n - 1 ? size : n - 1;
        for (size_t j = 0; j < len; j++)
            buf[j] = (char)fwcfg_byte();
        buf[len] = '\0';
        return (int)len;
    }
    return -1;
}

/* GICv2 interrupt controller (ARM IHI 0048B): distributor and CPU interface. */
#include <board.h>
#include <kernel/gic.h>
#include <kernel/memmap.h>

#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICC_CTLR       0x000
#define GICC_PMR        0x004
#define GICC_IAR        0x00c
#define GICC_EOIR       0x010
#define GICC_HPPIR      0x018

static inline volatile uint32_t *gicd(uint32_t off)
{
    return (volatile uint32_t *)(DEV_VADDR(BOARD_GICD_PADDR) + off);
}

static inline volatile uint32_t *gicc(uint32_t off)
{
    return (volatile uint32_t *)(DEV_VADDR(BOARD_GICC_PADDR) + off);
}

void gic_init(void)
{
    uint32_t lines = ((*gicd(GICD_TYPER) & 0x1f) + 1) * 32;
    *gicd(GICD_CTLR) = 0;
    for (uint32_t i = 0; i < lines / 32; i++)
        *gicd(GICD_ICENABLER + 4 * i) = 0xffffffffu;
    for (uint32_t i = 0; i < lines / 4; i++)
        *gicd(GICD_IPRIORITYR + 4 * i) = 0xa0a0a0a0u;
    for (uint32_t i = 8; i < lines / 4; i++)
        *gicd(GICD_ITARGETSR + 4 * i) = 0x01010101u;   /* every SPI to CPU 0 */
    *gicd(GICD_CTLR) = 1;
    *gicc(GICC_PMR) = 0xf0;
    *gicc(GICC_CTLR) = 1;
}

void gic_enable(uint32_t irq)
{
    *gicd(GICD_ISENABLER + 4 * (irq / 32)) = 1u << (irq % 32);
}

uint32_t gic_ack(void)
{
    return *gicc(GICC_IAR) & 0x3ff;
}

int gic_pending(void)
{
    return (*gicc(GICC_HPPIR) & 0x3ff) != GIC_SPURIOUS;
}

void gic_eoi(uint32_t irq)
{
    *gicc(GICC_EOIR) = irq;
}

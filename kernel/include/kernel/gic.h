/* GICv2 interrupt controller (ARM IHI 0048B): distributor and CPU interface. */
#pragma once
#include <stdint.h>

#define GIC_SPURIOUS 1023u

void gic_init(void);
void gic_enable(uint32_t irq);
/* Acknowledges the highest-priority pending interrupt; returns its id or GIC_SPURIOUS. */
uint32_t gic_ack(void);
void gic_eoi(uint32_t irq);
/* Whether an interrupt is pending (GICC_HPPIR), without acknowledging it. */
int gic_pending(void);

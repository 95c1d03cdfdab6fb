/* Interrupt dispatch: acknowledges pending GIC interrupts and runs their drivers. */
#pragma once

/* Handles every pending interrupt; called from the IRQ trap and from the idle loop. */
void irq_dispatch(void);

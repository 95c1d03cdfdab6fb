/* Interrupt dispatch: acknowledges pending GIC interrupts and runs their drivers. */
#include <board.h>
#include <kernel/gic.h>
#include <kernel/irq.h>
#include <kernel/panic.h>
#include <kernel/timer.h>
#include <kernel/uart.h>

void irq_dispatch(void)
{
    for (;;) {
        uint32_t irq = gic_ack();
        if (irq == GIC_SPURIOUS)
            return;
        switch (irq) {
        case BOARD_TIMER_IRQ:
            timer_irq();
            break;
        case BOARD_UART_IRQ:
            uart_irq();
            break;
        default:
            panic("irq_dispatch: unexpected interrupt %u", irq);
        }
        gic_eoi(irq);
    }
}

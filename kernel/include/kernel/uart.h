/* PL011 UART driver (ARM PrimeCell UART TRM DDI 0183). */
#pragma once

void uart_init(void);
void uart_putc(char c);
/* Drains the receive FIFO into console_rx and clears the interrupt. */
void uart_irq(void);

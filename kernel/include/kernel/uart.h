/* PL011 UART driver (ARM PrimeCell UART TRM DDI 0183). */
#pragma once
#include <kernel/outring.h>

/* FIFOs on, receive interrupts on, transmit interrupt off. */
void uart_init(void);
/* Sends c, waiting for room in the transmit FIFO (polled: a panic, a reset, a full ring). */
void uart_putc(char c);
/* Moves what the transmit FIFO takes from r into it (a FIFO's worth, again while the
   transmit interrupt is raised at once, as under QEMU), and arms that interrupt while r
   holds more; returns whether it does. Never waits. */
int uart_tx_fill(struct outring *r);
/* Disarms the transmit interrupt. */
void uart_tx_off(void);
/* The UART interrupt: drains the receive FIFO into console_rx; a transmit interrupt (the
   FIFO down to its level) calls console_tx. */
void uart_irq(void);

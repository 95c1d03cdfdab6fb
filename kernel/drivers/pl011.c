/* PL011 UART driver (ARM PrimeCell UART TRM DDI 0183): polled output, interrupt input. */
#include <board.h>
#include <kernel/console.h>
#include <kernel/memmap.h>
#include <kernel/uart.h>
#include <stdint.h>

#define UART_DR    0x000
#define UART_FR    0x018
#define UART_IMSC  0x038
#define UART_ICR   0x044
#define UART_CR    0x030
#define UART_FR_TXFF (1u << 5)
#define UART_FR_RXFE (1u << 4)
#define UART_INT_RX  (1u << 4)
#define UART_INT_RT  (1u << 6)

static inline volatile uint32_t *uart_reg(uint32_t off)
{
    return (volatile uint32_t *)(DEV_VADDR(BOARD_UART_PADDR) + off);
}

void uart_init(void)
{
    *uart_reg(UART_CR) = (1u << 0) | (1u << 8) | (1u << 9);   /* UARTEN, TXE, RXE */
    *uart_reg(UART_ICR) = 0x7ff;
    *uart_reg(UART_IMSC) = UART_INT_RX | UART_INT_RT;
}

void uart_putc(char c)
{
    while (*uart_reg(UART_FR) & UART_FR_TXFF)
        ;
    *uart_reg(UART_DR) = (uint8_t)c;
}

void uart_irq(void)
{
    /* Clear first, then drain: a character that arrives after the last FR read raises
       the interrupt again instead of waiting unseen in the receive register. */
    *uart_reg(UART_ICR) = UART_INT_RX | UART_INT_RT;
    while (!(*uart_reg(UART_FR) & UART_FR_RXFE))
        console_rx((char)(*uart_reg(UART_DR) & 0xff));
}

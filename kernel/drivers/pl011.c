/* PL011 UART driver (ARM PrimeCell UART TRM DDI 0183): FIFOs on, interrupt-driven output
   from the console's ring, interrupt input; polled output for a panic or a reset. */
#include <board.h>
#include <kernel/console.h>
#include <kernel/memmap.h>
#include <kernel/uart.h>
#include <stdint.h>

#define UART_DR      0x000
#define UART_FR      0x018
#define UART_LCR_H   0x02c
#define UART_CR      0x030
#define UART_IFLS    0x034
#define UART_IMSC    0x038
#define UART_MIS     0x040
#define UART_ICR     0x044
#define UART_FR_BUSY (1u << 3)
#define UART_FR_RXFE (1u << 4)
#define UART_FR_TXFF (1u << 5)
#define UART_FR_TXFE (1u << 7)
#define UART_LCR_H_FEN   (1u << 4)          /* FIFOs enabled */
#define UART_LCR_H_WLEN8 (3u << 5)          /* 8 data bits, no parity, 1 stop bit */
#define UART_CR_ENABLE   ((1u << 0) | (1u << 8) | (1u << 9))   /* UARTEN, TXE, RXE */
/* Interrupt FIFO levels: transmit when the FIFO is down to 1/4 full (TXIFLSEL 001: 12 of
   16 places free to refill, 4 characters, 350 us at 115,200 baud, for the kernel to answer
   before the line idles), receive at 1/2 full (RXIFLSEL 010, the reset value; the receive
   timeout brings single keys). */
#define UART_IFLS_LEVELS ((1u << 0) | (2u << 3))
#define UART_INT_RX  (1u << 4)
#define UART_INT_TX  (1u << 5)
#define UART_INT_RT  (1u << 6)
/* Transmit FIFO places: 16 on the PL011 before r1p5 (QEMU's model reads r1p1 in
   UARTPeriphID2), 32 on r1p5, where a fill of 16 still brings the FIFO above its level. */
#define UART_TX_FIFO 16

static uint32_t uart_imsc;     /* what UARTIMSC holds */

static inline volatile uint32_t *uart_reg(uint32_t off)
{
    return (volatile uint32_t *)(DEV_VADDR(BOARD_UART_PADDR) + off);
}

/* Arms (on) or disarms the transmit interrupt. */
static void uart_tx_irq(int on)
{
    uint32_t imsc = on ? uart_imsc | UART_INT_TX : uart_imsc & ~UART_INT_TX;
    if (imsc != uart_imsc) {
        uart_imsc = imsc;
        *uart_reg(UART_IMSC) = imsc;
    }
}

void uart_init(void)
{
    /* The TRM's order: disable (once what firmware sent is out), set the frame and FIFOs,
       then enable. */
    while (*uart_reg(UART_FR) & UART_FR_BUSY)
        ;
    *uart_reg(UART_CR) = 0;
    *uart_reg(UART_LCR_H) = UART_LCR_H_WLEN8 | UART_LCR_H_FEN;
    *uart_reg(UART_IFLS) = UART_IFLS_LEVELS;
    *uart_reg(UART_ICR) = 0x7ff;
    uart_imsc = UART_INT_RX | UART_INT_RT;
    *uart_reg(UART_IMSC) = uart_imsc;
    *uart_reg(UART_CR) = UART_CR_ENABLE;
}

/* Whether the transmit FIFO is full. */
static inline int uart_tx_full(void)
{
    return (*uart_reg(UART_FR) & UART_FR_TXFF) != 0;
}

/* Puts c in the transmit FIFO (which has room). */
static inline void uart_tx_put(char c)
{
    *uart_reg(UART_DR) = (uint8_t)c;
}

void uart_putc(char c)
{
    while (uart_tx_full())
        ;
    uart_tx_put(c);
}

int uart_tx_fill(struct outring *r)
{
    int more;
    do {
        *uart_reg(UART_ICR) = UART_INT_TX;  /* cleared before refilling */
        if (*uart_reg(UART_FR) & UART_FR_TXFE) {
            /* Empty: it takes a FIFO's worth at once, with no more flag reads (QEMU, which
               transmits at once, always says empty). */
            more = outring_send(r, UART_TX_FIFO, uart_tx_put);
        } else {
            do
                more = outring_send(r, 1, uart_tx_put);
            while (more && !uart_tx_full());
        }
        /* Armed, the interrupt is raised again at once only where the FIFO is already down
           to its level: QEMU, which raises it with every character written. Refill here
           then, rather than through the GIC for every FIFO's worth. */
    } while (more && (*uart_reg(UART_MIS) & UART_INT_TX));
    uart_tx_irq(more);
    return more;
}

void uart_tx_off(void)
{
    uart_tx_irq(0);
}

void uart_irq(void)
{
    uint32_t mis = *uart_reg(UART_MIS);
    if (mis & (UART_INT_RX | UART_INT_RT)) {
        /* Clear first, then drain: a character that arrives after the last FR read raises
           the interrupt again instead of waiting unseen in the receive FIFO. */
        *uart_reg(UART_ICR) = UART_INT_RX | UART_INT_RT;
        while (!(*uart_reg(UART_FR) & UART_FR_RXFE))
            console_rx((char)(*uart_reg(UART_DR) & 0xff));
    }
    if (mis & UART_INT_TX)
        console_tx();
}

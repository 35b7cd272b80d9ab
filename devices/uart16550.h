/* National Semiconductor 16550A UART, as COM1-COM4 of a PC (0x3F8/IRQ4,
 * 0x2F8/IRQ3, 0x3E8/IRQ4, 0x2E8/IRQ3).
 *
 * Host side: transmitted bytes go to a sink callback (one call per byte,
 * when its last stop bit would have left the wire at the programmed baud
 * rate); received bytes are given with uart_receive, which queues them in
 * a host-side buffer and feeds the receive FIFO from it as the guest
 * makes room.  Both are paced by the virtual clock, so a run stays
 * deterministic for the same input.
 */
#ifndef PCVM_UART16550_H
#define PCVM_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bus/bus.h"
#include "../bus/clock.h"
#include "../bus/irq.h"

#define UART_FIFO 16
#define UART_HOSTQ 4096
#define UART_CLOCK 1843200u   /* the PC's UART crystal: 115200 baud at divisor 1 */

typedef void (*uart_sink_fn)(void *opaque, uint8_t byte);

enum {
    UART_LSR_DR = 0x01, UART_LSR_OE = 0x02, UART_LSR_PE = 0x04, UART_LSR_FE = 0x08,
    UART_LSR_BI = 0x10, UART_LSR_THRE = 0x20, UART_LSR_TEMT = 0x40, UART_LSR_FIFOERR = 0x80,
};

struct uart_fifo {
    uint8_t data[UART_FIFO];
    unsigned head, count;
};

struct uart16550 {
    uint16_t base;
    struct uart_fifo rx, tx;
    uint8_t tsr;                 /* byte being shifted out */
    bool tsr_busy;
    uint8_t ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
    bool fifo_on;
    bool thre_int;               /* THRE interrupt pending */
    bool timeout_int;            /* character timeout pending */
    struct clock *clk;
    struct clock_timer tx_timer, rx_timer;
    struct irq_line irq;
    uart_sink_fn sink;
    void *sink_opaque;
    uint8_t hostq[UART_HOSTQ];   /* received bytes not yet in the FIFO */
    unsigned hq_head, hq_count;
    uint64_t tx_bytes, rx_bytes; /* statistics */
};

void uart_init(struct uart16550 *u, uint16_t base, struct clock *clk, struct irq_line irq,
               uart_sink_fn sink, void *sink_opaque);
void uart_reset(struct uart16550 *u);
void uart_register_io(struct uart16550 *u, struct bus *b);

uint8_t uart_read(struct uart16550 *u, unsigned reg);
void uart_write(struct uart16550 *u, unsigned reg, uint8_t v);

/* The machine stops: what the guest already gave the UART (the shift
 * register and the transmit FIFO) goes to the sink now, as the wire would
 * have carried it a few character times later. */
void uart_drain(struct uart16550 *u);

/* Host input: queues up to n bytes, returns how many fitted. */
size_t uart_receive(struct uart16550 *u, const uint8_t *bytes, size_t n);
/* Room left in the host-side queue. */
static inline size_t uart_receive_room(const struct uart16550 *u) { return UART_HOSTQ - u->hq_count; }

/* One character's time on the wire in instructions (start + data +
 * parity + stop bits at the programmed divisor). */
uint64_t uart_char_time(const struct uart16550 *u);

#endif

/* 16550A UART.  Reference: National Semiconductor PC16550D datasheet
 * (register map, IIR priorities and codes, FIFO trigger levels, the
 * character timeout of 4 character times, loopback wiring of the modem
 * control outputs to the modem status inputs).
 *
 * Model notes: the line is ideal (no parity/framing errors or breaks from
 * the host); the modem status inputs read CTS, DSR and DCD asserted
 * outside loopback; OUT2 gates the IRQ line, as PC serial cards wire it.
 */
#include "uart16550.h"

#include <string.h>

static void fifo_clear(struct uart_fifo *f) { f->head = f->count = 0; }

static bool fifo_push(struct uart_fifo *f, uint8_t v)
{
    if (f->count >= UART_FIFO)
        return false;
    f->data[(f->head + f->count) % UART_FIFO] = v;
    f->count++;
    return true;
}

static uint8_t fifo_pop(struct uart_fifo *f)
{
    if (!f->count)
        return 0;
    uint8_t v = f->data[f->head];
    f->head = (f->head + 1) % UART_FIFO;
    f->count--;
    return v;
}

static unsigned capacity(const struct uart16550 *u) { return u->fifo_on ? UART_FIFO : 1; }

static unsigned trigger(const struct uart16550 *u)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };
    return u->fifo_on ? levels[u->fcr >> 6] : 1;
}

uint64_t uart_char_time(const struct uart16550 *u)
{
    unsigned div = (unsigned)u->dll | ((unsigned)u->dlm << 8);
    if (div == 0)
        div = 65536;
    unsigned bits = 1 + 5 + (u->lcr & 3) + ((u->lcr & 8) ? 1 : 0) + ((u->lcr & 4) ? 2 : 1);
    return clock_scale((uint64_t)bits * div * 16, CLOCK_HZ, UART_CLOCK);
}

static uint8_t iir(const struct uart16550 *u)
{
    uint8_t id = 0x01;
    if ((u->ier & 4) && (u->lsr & (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)))
        id = 0x06;
    else if ((u->ier & 1) && u->rx.count >= trigger(u) && u->rx.count)
        id = 0x04;
    else if ((u->ier & 1) && u->timeout_int)
        id = 0x0C;
    else if ((u->ier & 2) && u->thre_int)
        id = 0x02;
    else if ((u->ier & 8) && (u->msr & 0x0F))
        id = 0x00;
    return (uint8_t)(id | (u->fifo_on ? 0xC0 : 0));
}

static void update_irq(struct uart16550 *u)
{
    irq_set(&u->irq, !(iir(u) & 1) && (u->mcr & 0x08));
}

/* Restarts the character timeout: 4 character times without FIFO
 * activity while data sits below the trigger level. */
static void rx_activity(struct uart16550 *u)
{
    u->timeout_int = false;
    if (u->fifo_on && u->rx.count)
        clock_timer_set(&u->rx_timer, clock_now(u->clk) + 4 * uart_char_time(u));
    else
        clock_timer_cancel(&u->rx_timer);
}

/* A byte arrives at the receiver (from the host or through loopback). */
static void rx_byte(struct uart16550 *u, uint8_t v)
{
    if (u->rx.count >= capacity(u)) {
        u->lsr |= UART_LSR_OE; /* overrun: the new byte is lost */
    } else {
        fifo_push(&u->rx, v);
        u->rx_bytes++;
    }
    rx_activity(u);
}

/* Moves host bytes into the receive FIFO while there is room. */
static void feed(struct uart16550 *u)
{
    if (u->mcr & 0x10)
        return; /* loopback: the receiver is disconnected from the line */
    bool any = false;
    while (u->hq_count && u->rx.count < capacity(u)) {
        rx_byte(u, u->hostq[u->hq_head]);
        u->hq_head = (u->hq_head + 1) % UART_HOSTQ;
        u->hq_count--;
        any = true;
    }
    if (any)
        update_irq(u);
}

size_t uart_receive(struct uart16550 *u, const uint8_t *bytes, size_t n)
{
    size_t k = 0;
    for (; k < n && u->hq_count < UART_HOSTQ; k++) {
        u->hostq[(u->hq_head + u->hq_count) % UART_HOSTQ] = bytes[k];
        u->hq_count++;
    }
    feed(u);
    return k;
}

/* Loads the shift register from the transmit FIFO and starts the clock. */
static void tx_start(struct uart16550 *u)
{
    if (u->tsr_busy || !u->tx.count)
        return;
    u->tsr = fifo_pop(&u->tx);
    u->tsr_busy = true;
    if (!u->tx.count) {
        u->thre_int = true; /* the holding register became empty */
    }
    clock_timer_set(&u->tx_timer, clock_now(u->clk) + uart_char_time(u));
}

static void tx_done(void *opaque, uint64_t now)
{
    (void)now;
    struct uart16550 *u = opaque;
    if (!u->tsr_busy)
        return;
    u->tsr_busy = false;
    u->tx_bytes++;
    if (u->mcr & 0x10)
        rx_byte(u, u->tsr);
    else if (u->sink)
        u->sink(u->sink_opaque, u->tsr);
    tx_start(u);
    update_irq(u);
}

void uart_drain(struct uart16550 *u)
{
    while (u->tsr_busy) {
        clock_timer_cancel(&u->tx_timer);
        tx_done(u, clock_now(u->clk));
    }
}

static void rx_timeout(void *opaque, uint64_t now)
{
    (void)now;
    struct uart16550 *u = opaque;
    if (u->fifo_on && u->rx.count) {
        u->timeout_int = true;
        update_irq(u);
    }
}

static uint8_t lsr(const struct uart16550 *u)
{
    uint8_t v = u->lsr & (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI);
    if (u->rx.count)
        v |= UART_LSR_DR;
    if (!u->tx.count)
        v |= UART_LSR_THRE;
    if (!u->tx.count && !u->tsr_busy)
        v |= UART_LSR_TEMT;
    return v;
}

/* Modem status inputs: loopback wires DTR->DSR, RTS->CTS, OUT1->RI,
 * OUT2->DCD; otherwise the host side is always "connected". */
static uint8_t msr_inputs(const struct uart16550 *u)
{
    if (u->mcr & 0x10)
        return (uint8_t)(((u->mcr & 2) ? 0x10 : 0) | ((u->mcr & 1) ? 0x20 : 0) |
                         ((u->mcr & 4) ? 0x40 : 0) | ((u->mcr & 8) ? 0x80 : 0));
    return 0xB0;
}

static void set_msr_inputs(struct uart16550 *u, uint8_t in)
{
    uint8_t old = u->msr & 0xF0, delta = 0;
    if ((old ^ in) & 0x10) delta |= 0x01;
    if ((old ^ in) & 0x20) delta |= 0x02;
    if ((old & 0x40) && !(in & 0x40)) delta |= 0x04; /* TERI: trailing edge of RI */
    if ((old ^ in) & 0x80) delta |= 0x08;
    u->msr = (uint8_t)(in | (u->msr & 0x0F) | delta);
}

void uart_reset(struct uart16550 *u)
{
    fifo_clear(&u->rx);
    fifo_clear(&u->tx);
    u->tsr_busy = false;
    u->ier = u->fcr = u->lcr = u->mcr = u->lsr = 0;
    u->scr = 0;
    u->dll = 12; /* 9600 baud until programmed */
    u->dlm = 0;
    u->fifo_on = false;
    u->thre_int = false;
    u->timeout_int = false;
    u->msr = msr_inputs(u);
    clock_timer_cancel(&u->tx_timer);
    clock_timer_cancel(&u->rx_timer);
    update_irq(u);
}

void uart_init(struct uart16550 *u, uint16_t base, struct clock *clk, struct irq_line irq,
               uart_sink_fn sink, void *sink_opaque)
{
    memset(u, 0, sizeof *u);
    u->base = base;
    u->clk = clk;
    u->irq = irq;
    u->sink = sink;
    u->sink_opaque = sink_opaque;
    clock_timer_init(clk, &u->tx_timer, tx_done, u, "uart-tx");
    clock_timer_init(clk, &u->rx_timer, rx_timeout, u, "uart-rx");
    uart_reset(u);
}

uint8_t uart_read(struct uart16550 *u, unsigned reg)
{
    uint8_t v = 0xFF;
    bool dlab = u->lcr & 0x80;
    switch (reg & 7) {
    case 0:
        if (dlab)
            return u->dll;
        v = fifo_pop(&u->rx);
        rx_activity(u);
        feed(u);
        break;
    case 1:
        return dlab ? u->dlm : u->ier;
    case 2:
        v = iir(u);
        if ((v & 0x0F) == 0x02)
            u->thre_int = false; /* reading IIR clears a THRE interrupt it reports */
        break;
    case 3:
        return u->lcr;
    case 4:
        return u->mcr;
    case 5:
        v = lsr(u);
        u->lsr &= (uint8_t)~(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI);
        break;
    case 6:
        v = u->msr;
        u->msr &= 0xF0;
        break;
    case 7:
        return u->scr;
    }
    update_irq(u);
    return v;
}

void uart_write(struct uart16550 *u, unsigned reg, uint8_t v)
{
    bool dlab = u->lcr & 0x80;
    switch (reg & 7) {
    case 0:
        if (dlab) {
            u->dll = v;
            break;
        }
        u->thre_int = false;
        if (u->tx.count < capacity(u))
            fifo_push(&u->tx, v);
        tx_start(u);
        break;
    case 1:
        if (dlab) {
            u->dlm = v;
            break;
        }
        /* Enabling the THRE interrupt with the holding register empty
         * raises it at once. */
        if ((v & 2) && !(u->ier & 2) && !u->tx.count)
            u->thre_int = true;
        u->ier = v & 0x0F;
        break;
    case 2: {
        bool on = v & 1;
        if (on != u->fifo_on) {
            fifo_clear(&u->rx);
            fifo_clear(&u->tx);
        }
        u->fifo_on = on;
        if (v & 2) {
            fifo_clear(&u->rx);
            u->timeout_int = false;
        }
        if (v & 4)
            fifo_clear(&u->tx);
        u->fcr = on ? (uint8_t)(v & 0xC0) : 0;
        rx_activity(u);
        feed(u);
        break;
    }
    case 3:
        u->lcr = v;
        break;
    case 4:
        u->mcr = v & 0x1F;
        set_msr_inputs(u, msr_inputs(u));
        feed(u);
        break;
    case 5:
    case 6:
        break; /* factory test / read-only */
    case 7:
        u->scr = v;
        break;
    }
    update_irq(u);
}

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    (void)size;
    struct uart16550 *u = opaque;
    return uart_read(u, port - u->base);
}

static void io_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    (void)size;
    struct uart16550 *u = opaque;
    uart_write(u, port - u->base, (uint8_t)v);
}

void uart_register_io(struct uart16550 *u, struct bus *b)
{
    bus_register_io(b, u->base, 8, io_read, io_write, u, BUS_SIZE8);
}

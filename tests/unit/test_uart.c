/* The 16550A (devices/uart16550.c) against the PC16550D datasheet:
 * divisor latch, transmit timing at the programmed baud rate, THRE and
 * TEMT, FIFOs and trigger levels, interrupt identification and priority,
 * the character timeout, line status (overrun), modem status and
 * loopback, OUT2 gating the IRQ. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/uart16550.h"
#include "devtest.h"

static uint64_t now;
static struct clock clk;
static struct irq_probe irq;
static struct uart16550 u;
static uint8_t out[256];
static unsigned nout;
static uint64_t out_time[256];

static void sink(void *o, uint8_t b)
{
    (void)o;
    out_time[nout] = now;
    out[nout++] = b;
}

static void setup(void)
{
    now = 0;
    nout = 0;
    irq = (struct irq_probe){ 0 };
    clock_init(&clk, &now);
    uart_init(&u, 0x3F8, &clk, irq_probe_line(&irq), sink, NULL);
}

TestSuite(uart, .init = setup);

static void w(unsigned reg, uint8_t v) { uart_write(&u, reg, v); }
static uint8_t r(unsigned reg) { return uart_read(&u, reg); }
static void run(uint64_t t) { clock_advance_to(&clk, &now, now + t); }

/* 115200 baud, 8N1, OUT2 on (interrupts reach the PIC). */
static void line_115200(void)
{
    w(3, 0x80);
    w(0, 1);
    w(1, 0);
    w(3, 0x03);
    w(4, 0x08);
}

Test(uart, divisor_latch_and_scratch)
{
    w(3, 0x80);
    w(0, 0x0C);
    w(1, 0x00);
    cr_assert_eq(r(0), 0x0C);
    cr_assert_eq(r(1), 0x00);
    w(3, 0x03);
    cr_assert_eq(r(1), 0x00, "IER, not DLM");
    w(7, 0x5A);
    cr_assert_eq(r(7), 0x5A);
    cr_assert_eq(r(5), UART_LSR_THRE | UART_LSR_TEMT);
    cr_assert_eq(r(2), 0x01, "no interrupt pending, FIFOs off");
}

Test(uart, transmit_takes_a_character_time)
{
    line_115200();
    /* 10 bits at 115200 baud = 86.8 us = 8680 instructions */
    cr_assert_eq(uart_char_time(&u), 8680);
    w(0, 'A');
    cr_assert_eq(r(5) & UART_LSR_TEMT, 0, "shifting");
    cr_assert_eq(r(5) & UART_LSR_THRE, UART_LSR_THRE, "THR moved to the shift register");
    w(0, 'B');
    cr_assert_eq(r(5) & UART_LSR_THRE, 0);
    run(8679);
    cr_assert_eq(nout, 0);
    run(1);
    cr_assert_eq(nout, 1);
    cr_assert_eq(out[0], 'A');
    run(8680);
    cr_assert_eq(nout, 2);
    cr_assert_eq(out[1], 'B');
    cr_assert_eq(r(5) & (UART_LSR_THRE | UART_LSR_TEMT), UART_LSR_THRE | UART_LSR_TEMT);
    /* 9600 baud 7E2: 11 bits * 12 * 16 / 1843200 s */
    w(3, 0x80); w(0, 12); w(3, 0x1E);
    cr_assert_eq(uart_char_time(&u), 114583);
}

Test(uart, thre_interrupt)
{
    line_115200();
    w(1, 0x02); /* ETBEI with THR empty: at once */
    cr_assert_eq(irq.level, 1);
    cr_assert_eq(r(2), 0x02);
    cr_assert_eq(irq.level, 0, "reading IIR clears THRE");
    cr_assert_eq(r(2), 0x01);
    w(0, 'x');
    cr_assert_eq(r(2), 0x02, "THR empties as the byte enters the shift register");
    w(0, 'y');
    cr_assert_eq(irq.level, 0, "writing THR clears THRE");
    run(8680);
    cr_assert_eq(r(2), 0x02, "second byte moved in");
    w(4, 0x00); /* OUT2 off */
    w(0, 'z');
    run(20000);
    cr_assert_eq(irq.level, 0, "OUT2 gates the IRQ line");
}

Test(uart, fifo_trigger_levels_and_timeout)
{
    line_115200();
    w(2, 0x87); /* FIFO on, clear both, trigger 8 */
    w(1, 0x01);
    cr_assert_eq(r(2) & 0xC0, 0xC0, "FIFOs enabled in IIR");
    uint8_t data[7] = "1234567";
    uart_receive(&u, data, 7);
    cr_assert_eq(irq.level, 0, "7 bytes: below the trigger");
    cr_assert_eq(r(5) & UART_LSR_DR, UART_LSR_DR);
    uart_receive(&u, (const uint8_t *)"8", 1);
    cr_assert_eq(irq.level, 1);
    cr_assert_eq(r(2), 0xC4, "received data available");
    for (int i = 0; i < 8; i++)
        cr_assert_eq(r(0), '1' + i);
    cr_assert_eq(irq.level, 0);
    /* 3 bytes then silence: the character timeout after 4 char times */
    uart_receive(&u, (const uint8_t *)"abc", 3);
    cr_assert_eq(irq.level, 0);
    run(4 * 8680 - 1);
    cr_assert_eq(irq.level, 0);
    run(1);
    cr_assert_eq(irq.level, 1);
    cr_assert_eq(r(2), 0xCC, "character timeout");
    cr_assert_eq(r(0), 'a');
    cr_assert_eq(irq.level, 0, "reading RBR clears the timeout");
    w(2, 0xC7); /* trigger 14 */
    cr_assert_eq(r(5) & UART_LSR_DR, 0, "FCR bit 1 cleared the receive FIFO");
}

Test(uart, fifo_depth_and_host_queue)
{
    line_115200();
    w(2, 0x01);
    uint8_t data[40];
    for (int i = 0; i < 40; i++)
        data[i] = (uint8_t)i;
    cr_assert_eq(uart_receive(&u, data, 40), 40, "the host queue takes all");
    cr_assert_eq(u.rx.count, 16);
    for (int i = 0; i < 40; i++)
        cr_assert_eq(r(0), i, "in order, refilled from the host side");
    cr_assert_eq(r(5) & (UART_LSR_OE | UART_LSR_DR), 0, "no overrun");
    /* 16 bytes queued for transmit */
    for (int i = 0; i < 16; i++)
        w(0, (uint8_t)('a' + i));
    run(17 * 8680);
    cr_assert_eq(nout, 16);
    cr_assert_eq(memcmp(out, "abcdefghijklmnop", 16), 0);
    cr_assert_eq(out_time[15] - out_time[0], 15 * 8680, "back to back at the baud rate");
}

Test(uart, loopback_and_overrun)
{
    line_115200();
    w(4, 0x10 | 0x0B); /* loopback, DTR, RTS, OUT2 */
    cr_assert_eq(r(6) & 0xF0, 0x10 | 0x20 | 0x80, "CTS=RTS, DSR=DTR, DCD=OUT2");
    w(1, 0x05); /* RDA + line status */
    w(0, 'L');
    run(8680);
    cr_assert_eq(nout, 0, "loopback: nothing reaches the line");
    cr_assert_eq(r(2), 0x04);
    cr_assert_eq(r(0), 'L');
    /* without FIFOs a second byte before the read is an overrun */
    w(0, '1');
    run(8680);
    w(0, '2');
    run(8680);
    cr_assert_eq(r(2), 0x06, "line status has the highest priority");
    cr_assert_eq(r(5) & UART_LSR_OE, UART_LSR_OE);
    cr_assert_eq(r(5) & UART_LSR_OE, 0, "cleared by reading LSR");
    cr_assert_eq(r(0), '1');
}

Test(uart, modem_status_interrupt)
{
    line_115200();
    w(4, 0x18); /* loopback, OUT2 */
    r(6);
    w(1, 0x08);
    cr_assert_eq(r(2), 0x01);
    w(4, 0x1A); /* RTS on -> CTS changes */
    cr_assert_eq(r(2), 0x00, "modem status interrupt");
    cr_assert_eq(r(6) & 0x11, 0x11, "CTS and delta CTS");
    cr_assert_eq(r(6) & 0x0F, 0, "deltas clear on read");
    cr_assert_eq(r(2), 0x01);
}

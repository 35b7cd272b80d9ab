/* The 8254 (devices/pit8254.c) against the Intel 8254 datasheet: the six
 * modes' OUT waveforms and counts, BCD, lo/hi byte access, counter latch,
 * read-back with status and null count, gates, port 0x61. */
#include <criterion/criterion.h>

#include "devices/pit8254.h"
#include "devtest.h"

static uint64_t now;
static struct clock clk;
static struct irq_probe irq0;
static struct pit8254 pit;

static void setup(void)
{
    now = 0;
    irq0 = (struct irq_probe){ 0 };
    clock_init(&clk, &now);
    pit_init(&pit, &clk, irq_probe_line(&irq0));
}

/* The first instruction count at which PIT tick t has happened. */
static uint64_t at(uint64_t t) { return clock_unscale(t, PIT_HZ, CLOCK_HZ); }
static void go(uint64_t tick) { clock_advance_to(&clk, &now, at(tick)); }

static void count16(int ch, uint16_t n)
{
    pit_write(&pit, 0x40 + ch, (uint8_t)n);
    pit_write(&pit, 0x40 + ch, (uint8_t)(n >> 8));
}

static uint16_t read16(int ch)
{
    uint16_t lo = pit_read(&pit, 0x40 + ch);
    return (uint16_t)(lo | pit_read(&pit, 0x40 + ch) << 8);
}

TestSuite(pit, .init = setup);

Test(pit, clock_mapping)
{
    cr_assert_eq(pit_ticks(CLOCK_HZ), PIT_HZ, "one virtual second is 1193182 ticks");
    cr_assert_eq(pit_ticks(at(12345)), 12345);
    cr_assert_eq(pit_ticks(at(12345) - 1), 12344);
}

Test(pit, mode0_interrupt_on_terminal_count)
{
    pit_write(&pit, 0x43, 0x30);
    cr_assert(!pit_out(&pit, 0), "mode 0: OUT low after the control word");
    count16(0, 100);
    cr_assert_eq(pit_counter(&pit, 0), 100);
    go(1);
    cr_assert_eq(pit_counter(&pit, 0), 100, "loaded on the first CLK");
    go(51);
    cr_assert_eq(pit_counter(&pit, 0), 50);
    go(100);
    cr_assert(!pit_out(&pit, 0));
    cr_assert_eq(irq0.rises, 0);
    go(101);
    cr_assert(pit_out(&pit, 0), "OUT rises N+1 clocks after the count write");
    cr_assert_eq(irq0.rises, 1);
    cr_assert_eq(irq0.level, 1);
    go(102);
    cr_assert_eq(pit_counter(&pit, 0), 0xFFFF, "the counter keeps counting down");
    go(5000);
    cr_assert_eq(irq0.rises, 1, "mode 0 fires once");
}

Test(pit, mode2_rate_generator)
{
    pit_write(&pit, 0x43, 0x34);
    cr_assert_eq(irq0.rises, 1, "the control word sets OUT high: an edge");
    count16(0, 10);
    cr_assert(pit_out(&pit, 0));
    go(9);
    cr_assert(pit_out(&pit, 0));
    cr_assert_eq(pit_counter(&pit, 0), 2);
    go(10);
    cr_assert(!pit_out(&pit, 0), "OUT low for one clock when the count is 1");
    cr_assert_eq(pit_counter(&pit, 0), 1);
    go(11);
    cr_assert(pit_out(&pit, 0));
    cr_assert_eq(pit_counter(&pit, 0), 10, "reloaded");
    go(1001);
    cr_assert_eq(irq0.rises, 1 + 100, "one IRQ0 edge per period");
}

Test(pit, mode2_new_count_at_end_of_period)
{
    pit_write(&pit, 0x43, 0x34);
    count16(0, 100);
    go(31);
    count16(0, 20);
    cr_assert_eq(pit_counter(&pit, 0), 70, "the current period continues");
    go(101);
    cr_assert_eq(pit_counter(&pit, 0), 20, "the new count is loaded at the reload");
    go(120);
    cr_assert(!pit_out(&pit, 0));
}

Test(pit, mode3_square_wave_even)
{
    pit_write(&pit, 0x43, 0x36);
    count16(0, 10);
    go(1);
    cr_assert(pit_out(&pit, 0));
    cr_assert_eq(pit_counter(&pit, 0), 10);
    go(2);
    cr_assert_eq(pit_counter(&pit, 0), 8, "mode 3 counts by two");
    go(5);
    cr_assert(pit_out(&pit, 0));
    go(6);
    cr_assert(!pit_out(&pit, 0), "low for the second half");
    cr_assert_eq(pit_counter(&pit, 0), 10);
    go(10);
    cr_assert(!pit_out(&pit, 0));
    go(11);
    cr_assert(pit_out(&pit, 0));
    go(10001);
    cr_assert_eq(irq0.rises, 1 + 1000);
}

Test(pit, mode3_square_wave_odd)
{
    pit_write(&pit, 0x43, 0x36);
    count16(0, 5); /* high (N+1)/2 = 3 clocks, low 2 */
    go(3);
    cr_assert(pit_out(&pit, 0));
    go(4);
    cr_assert(!pit_out(&pit, 0));
    go(5);
    cr_assert(!pit_out(&pit, 0));
    go(6);
    cr_assert(pit_out(&pit, 0));
}

Test(pit, mode4_software_strobe)
{
    pit_write(&pit, 0x43, 0x38);
    count16(0, 50);
    go(50);
    cr_assert(pit_out(&pit, 0));
    go(51);
    cr_assert(!pit_out(&pit, 0), "one clock low at terminal count");
    go(52);
    cr_assert(pit_out(&pit, 0));
    go(10000);
    cr_assert_eq(irq0.rises, 1 + 1, "control word, then the strobe's end");
}

/* Linux's PIT clockevent in one-shot mode (control word 0x38, then a
 * two-byte count per event) re-arms a channel that is still counting:
 * "If a new count is written during counting, it will be loaded on the
 * next CLK pulse and counting will continue from the new count" (8254
 * datasheet, mode 4).  The old count's strobe never comes; after the
 * strobe the counter wraps to FFFFh and keeps counting. */
Test(pit, mode4_new_count_while_counting)
{
    pit_write(&pit, 0x43, 0x38);
    count16(0, 100);
    go(40);
    cr_assert_eq(pit_counter(&pit, 0), 61);
    count16(0, 30);
    go(41);
    cr_assert_eq(pit_counter(&pit, 0), 30, "loaded on the next CLK");
    go(70);
    cr_assert(pit_out(&pit, 0));
    go(71);
    cr_assert(!pit_out(&pit, 0), "strobe N+1 clocks after the write");
    cr_assert_eq(pit_counter(&pit, 0), 0);
    go(72);
    cr_assert(pit_out(&pit, 0));
    cr_assert_eq(pit_counter(&pit, 0), 0xFFFF, "counting goes on through zero");
    go(1000);
    cr_assert_eq(irq0.rises, 1 + 1, "control word, then one strobe (none for the old count)");
}

Test(pit, mode1_hardware_one_shot_on_channel2)
{
    pit_write(&pit, 0x43, 0xB2); /* ch2, lo/hi, mode 1 */
    count16(2, 5);
    go(10);
    cr_assert(pit_out(&pit, 2), "OUT high until triggered");
    cr_assert(pit_read(&pit, 0x61) & 0x20, "port 0x61 bit 5 is OUT2");
    pit_write(&pit, 0x61, 0x00);
    cr_assert(pit_out(&pit, 2));
    pit_write(&pit, 0x61, 0x01); /* gate 2 rising edge: trigger */
    go(11);
    cr_assert(!pit_out(&pit, 2));
    cr_assert_eq(pit_read(&pit, 0x61) & 0x21, 0x01);
    go(15);
    cr_assert(!pit_out(&pit, 2));
    go(16);
    cr_assert(pit_out(&pit, 2));
    cr_assert_eq(pit_read(&pit, 0x61) & 0x20, 0x20);
    /* retrigger */
    pit_write(&pit, 0x61, 0x00);
    pit_write(&pit, 0x61, 0x01);
    go(18);
    cr_assert(!pit_out(&pit, 2));
}

Test(pit, mode5_hardware_strobe)
{
    pit_write(&pit, 0x43, 0xBA);
    count16(2, 3);
    pit_write(&pit, 0x61, 0x01);
    go(3);
    cr_assert(pit_out(&pit, 2));
    go(4);
    cr_assert(!pit_out(&pit, 2));
    go(5);
    cr_assert(pit_out(&pit, 2));
}

Test(pit, gate_low_suspends_mode0)
{
    pit_write(&pit, 0x43, 0xB0); /* ch2 mode 0; gate 2 is low */
    count16(2, 10);
    go(20);
    cr_assert_eq(pit_counter(&pit, 2), 10, "no counting with the gate low");
    pit_write(&pit, 0x61, 0x01);
    go(25);
    cr_assert_eq(pit_counter(&pit, 2), 5);
    pit_write(&pit, 0x61, 0x00);
    go(100);
    cr_assert_eq(pit_counter(&pit, 2), 5);
    pit_write(&pit, 0x61, 0x01);
    go(105);
    cr_assert(pit_out(&pit, 2));
}

Test(pit, bcd_counting)
{
    pit_write(&pit, 0x43, 0x31); /* mode 0, BCD */
    count16(0, 0x0100);          /* 100 decimal */
    go(11);
    cr_assert_eq(read16(0), 0x0090);
    go(102);
    cr_assert_eq(read16(0), 0x9999, "BCD wraps to 9999");
}

Test(pit, lsb_only_and_msb_only)
{
    pit_write(&pit, 0x43, 0x10); /* ch0 lsb only, mode 0 */
    pit_write(&pit, 0x40, 0x80);
    cr_assert_eq(pit_counter(&pit, 0), 0x80);
    cr_assert_eq(pit_read(&pit, 0x40), 0x80);
    cr_assert_eq(pit_read(&pit, 0x40), 0x80, "lsb-only reads never toggle");
    pit_write(&pit, 0x43, 0x20); /* msb only */
    pit_write(&pit, 0x40, 0x01);
    cr_assert_eq(pit_counter(&pit, 0), 0x100);
    cr_assert_eq(pit_read(&pit, 0x40), 0x01);
}

Test(pit, zero_count_is_65536)
{
    pit_write(&pit, 0x43, 0x34);
    count16(0, 0);
    go(2);
    cr_assert_eq(pit_counter(&pit, 0), 65535);
    go(65536);
    cr_assert(!pit_out(&pit, 0));
    go(65537);
    cr_assert_eq(irq0.rises, 1 + 1);
}

Test(pit, counter_latch)
{
    pit_write(&pit, 0x43, 0x34);
    count16(0, 1000);
    go(101);
    pit_write(&pit, 0x43, 0x00); /* latch ch0 */
    go(301);
    pit_write(&pit, 0x43, 0x00); /* ignored: already latched */
    cr_assert_eq(read16(0), 900, "the latched value, not the live one");
    cr_assert_eq(read16(0), 700, "the latch is released after both bytes");
}

Test(pit, read_back_status_and_count)
{
    pit_write(&pit, 0x43, 0x34);
    pit_write(&pit, 0x43, 0xE2); /* read back status of ch0 */
    cr_assert_eq(pit_read(&pit, 0x40), 0x40 | 0x80 | 0x34, "null count, OUT high, rw/mode");
    count16(0, 500);
    go(2);
    pit_write(&pit, 0x43, 0xC2); /* count and status */
    cr_assert_eq(pit_read(&pit, 0x40), 0x80 | 0x34, "count loaded: null count clear");
    cr_assert_eq(read16(0), 499);
    /* several counters at once: ch1 and ch2 counts only */
    pit_write(&pit, 0x43, 0x74);
    count16(1, 0x1234);
    pit_write(&pit, 0x43, 0xB4);
    count16(2, 0x4321);
    go(3);
    pit_write(&pit, 0x43, 0xDC);
    go(1000);
    cr_assert_eq(read16(1), 0x1234);
    cr_assert_eq(read16(2), 0x4321, "gate 2 low: mode 2 does not count");
}

Test(pit, refresh_toggle_in_port61)
{
    uint8_t first = pit_read(&pit, 0x61) & 0x10;
    now += 1509; /* 15.09 us at 100 MHz */
    uint8_t second = pit_read(&pit, 0x61) & 0x10;
    cr_assert_neq(first, second, "bit 4 toggles every 15.085 us");
    pit_write(&pit, 0x61, 0x03);
    cr_assert_eq(pit_read(&pit, 0x61) & 0x0F, 0x03);
}

Test(pit, speaker_output)
{
    pit_write(&pit, 0x43, 0xB6); /* ch2 square wave */
    count16(2, 1000);
    pit_write(&pit, 0x61, 0x03);
    go(100);
    cr_assert(pit_speaker(&pit));
    go(600);
    cr_assert(!pit_speaker(&pit));
    pit_write(&pit, 0x61, 0x01);
    go(1200);
    cr_assert(!pit_speaker(&pit), "speaker data disabled");
}

Test(pit, mode0_first_byte_stops_the_count)
{
    pit_write(&pit, 0x43, 0x30);
    count16(0, 10);
    go(20);
    cr_assert(pit_out(&pit, 0));
    pit_write(&pit, 0x40, 50); /* LSB of a new count */
    cr_assert(!pit_out(&pit, 0), "OUT low at once");
    go(100);
    cr_assert(!pit_out(&pit, 0), "no counting until the MSB");
    pit_write(&pit, 0x40, 0);
    go(150);
    cr_assert(!pit_out(&pit, 0));
    go(151);
    cr_assert(pit_out(&pit, 0), "the new count of 50 ran from the MSB write");
}

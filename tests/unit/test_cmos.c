/* The MC146818 RTC/NVRAM (devices/cmos.c) against the datasheet: time
 * registers in BCD and binary, 12/24 hour, the update cycle and UIP, SET,
 * alarm (with don't-care bytes), periodic rates, update-ended interrupts
 * on IRQ8 with register C read-to-clear; and the machine's NVRAM bytes. */
#include <criterion/criterion.h>

#include "bus/machine.h"
#include "devices/cmos.h"
#include "devtest.h"
#include "roms/roms.h"

static uint64_t now;
static struct clock clk;
static struct irq_probe irq8;
static struct cmos rtc;

/* 2024-02-29 23:59:58 UTC, a Thursday. */
#define T0 1709251198

static void setup(void)
{
    now = 0;
    irq8 = (struct irq_probe){ 0 };
    clock_init(&clk, &now);
    cmos_init(&rtc, &clk, irq_probe_line(&irq8), T0);
}

static uint8_t rd(uint8_t idx)
{
    cmos_write(&rtc, 0x70, idx);
    return cmos_read(&rtc, 0x71);
}

static void wr(uint8_t idx, uint8_t v)
{
    cmos_write(&rtc, 0x70, idx);
    cmos_write(&rtc, 0x71, v);
}

static void go_us(uint64_t us) { clock_advance_to(&clk, &now, now + us * (CLOCK_HZ / 1000000)); }

TestSuite(cmos, .init = setup);

Test(cmos, calendar_helpers)
{
    cr_assert_eq(cmos_days_from_civil(1970, 1, 1), 0);
    cr_assert_eq(cmos_days_from_civil(2000, 3, 1), 11017);
    int y;
    unsigned m, d;
    cmos_civil_from_days(19782, &y, &m, &d); /* 2024-02-29 */
    cr_assert(y == 2024 && m == 2 && d == 29, "%d-%u-%u", y, m, d);
    for (int64_t z = -800000; z < 800000; z += 997) {
        cmos_civil_from_days(z, &y, &m, &d);
        cr_assert_eq(cmos_days_from_civil(y, m, d), z);
    }
}

Test(cmos, power_on_registers)
{
    cr_assert_eq(rd(CMOS_A), 0x26);
    cr_assert_eq(rd(CMOS_B), 0x02, "24 hour, BCD");
    cr_assert_eq(rd(CMOS_D), 0x80, "valid RAM and time");
    cr_assert_eq(rd(CMOS_C), 0x00);
}

Test(cmos, bcd_time_and_leap_day_rollover)
{
    cr_assert_eq(rd(CMOS_SEC), 0x58);
    cr_assert_eq(rd(CMOS_MIN), 0x59);
    cr_assert_eq(rd(CMOS_HOUR), 0x23);
    cr_assert_eq(rd(CMOS_MDAY), 0x29);
    cr_assert_eq(rd(CMOS_MONTH), 0x02);
    cr_assert_eq(rd(CMOS_YEAR), 0x24);
    cr_assert_eq(rd(CMOS_CENTURY), 0x20);
    cr_assert_eq(rd(CMOS_WDAY), 5, "Thursday (Sunday = 1)");
    go_us(2000000);
    cr_assert_eq(rd(CMOS_SEC), 0x00);
    cr_assert_eq(rd(CMOS_HOUR), 0x00);
    cr_assert_eq(rd(CMOS_MDAY), 0x01);
    cr_assert_eq(rd(CMOS_MONTH), 0x03);
    cr_assert_eq(rd(CMOS_WDAY), 6);
}

Test(cmos, binary_and_12_hour_modes)
{
    wr(CMOS_B, CMOS_B_DM); /* binary, 12 hour */
    cr_assert_eq(rd(CMOS_SEC), 58);
    cr_assert_eq(rd(CMOS_HOUR), 0x80 | 11, "11 PM: bit 7 set");
    cr_assert_eq(rd(CMOS_YEAR), 24);
    go_us(3000000);
    cr_assert_eq(rd(CMOS_HOUR), 12, "midnight is 12 AM");
    wr(CMOS_B, CMOS_B_24H);
    cr_assert_eq(rd(CMOS_HOUR), 0x00);
}

Test(cmos, uip_before_each_update)
{
    /* The second boundaries are at whole virtual seconds from power-on. */
    go_us(999000);
    cr_assert_eq(rd(CMOS_A) & 0x80, 0);
    go_us(800); /* 999.8 ms: within 244 us of the update */
    cr_assert_eq(rd(CMOS_A) & 0x80, 0x80);
    cr_assert_eq(rd(CMOS_SEC), 0x58, "not updated yet");
    go_us(300);
    cr_assert_eq(rd(CMOS_A) & 0x80, 0);
    cr_assert_eq(rd(CMOS_SEC), 0x59);
}

Test(cmos, set_bit_stops_and_sets_the_clock)
{
    wr(CMOS_B, CMOS_B_SET | CMOS_B_24H | CMOS_B_UIE);
    cr_assert_eq(rd(CMOS_B) & CMOS_B_UIE, 0, "SET clears UIE");
    wr(CMOS_HOUR, 0x08);
    wr(CMOS_MIN, 0x30);
    wr(CMOS_SEC, 0x00);
    wr(CMOS_YEAR, 0x99);
    wr(CMOS_CENTURY, 0x19);
    wr(CMOS_MONTH, 0x12);
    wr(CMOS_MDAY, 0x31);
    go_us(5000000);
    cr_assert_eq(rd(CMOS_SEC), 0x00, "no updates while SET");
    cr_assert_eq(rd(CMOS_A) & 0x80, 0);
    wr(CMOS_B, CMOS_B_24H);
    go_us(1000000);
    cr_assert_eq(rd(CMOS_SEC), 0x01);
    cr_assert_eq(rd(CMOS_MIN), 0x30);
    cr_assert_eq(cmos_time(&rtc), 946629001, "1999-12-31 08:30:01");
}

Test(cmos, update_ended_interrupt)
{
    wr(CMOS_B, CMOS_B_24H | CMOS_B_UIE);
    go_us(999000);
    cr_assert_eq(irq8.rises, 0);
    go_us(1000);
    cr_assert_eq(irq8.rises, 1);
    cr_assert_eq(irq8.level, 1);
    cr_assert_eq(rd(CMOS_C) & ~CMOS_C_PF, CMOS_C_IRQF | CMOS_C_UF,
                 "PF is set at the periodic rate even with PIE off");
    cr_assert_eq(irq8.level, 0, "reading C releases IRQ8");
    cr_assert_eq(rd(CMOS_C), 0x00, "read to clear");
    go_us(3000000);
    cr_assert_eq(irq8.rises, 2, "one per second, no more while C is unread");
    rd(CMOS_C);
    go_us(1000000);
    cr_assert_eq(irq8.rises, 3);
}

Test(cmos, flags_set_without_enables)
{
    go_us(1500000);
    cr_assert_eq(rd(CMOS_C), CMOS_C_UF | CMOS_C_PF, "flags without IRQF when disabled");
    cr_assert_eq(irq8.rises, 0);
}

Test(cmos, periodic_interrupt_rates)
{
    wr(CMOS_A, 0x26); /* 1024 Hz */
    wr(CMOS_B, CMOS_B_24H | CMOS_B_PIE);
    unsigned n = 0;
    for (int k = 0; k < 1024; k++) {
        go_us(977);
        if (irq8.level) {
            cr_assert(rd(CMOS_C) & CMOS_C_PF);
            n++;
        }
    }
    cr_assert(n >= 1020 && n <= 1024, "%u interrupts in ~1 s at 1024 Hz", n);
    wr(CMOS_A, 0x2F); /* rate 15: 2 Hz */
    rd(CMOS_C);
    unsigned r0 = irq8.rises;
    go_us(2000000);
    cr_assert_eq(irq8.rises - r0, 1, "the first 500 ms tick, then C unread");
    rd(CMOS_C);
    go_us(500000);
    cr_assert_eq(irq8.rises - r0, 2);
    wr(CMOS_A, 0x23); /* rate 3: 122.07 us = 8192 Hz */
    rd(CMOS_C);
    r0 = irq8.rises;
    for (int k = 0; k < 100; k++) {
        go_us(123);
        rd(CMOS_C);
    }
    cr_assert(irq8.rises - r0 >= 99 && irq8.rises - r0 <= 101, "%u", irq8.rises - r0);
}

Test(cmos, alarm_with_dont_care)
{
    /* time is 23:59:58; alarm at hh:00:05 for any hour */
    wr(CMOS_SEC_ALARM, 0x05);
    wr(CMOS_MIN_ALARM, 0x00);
    wr(CMOS_HOUR_ALARM, 0xC0);
    wr(CMOS_B, CMOS_B_24H | CMOS_B_AIE);
    go_us(6500000);
    cr_assert_eq(irq8.rises, 0, "00:00:04");
    go_us(1000000);
    cr_assert_eq(irq8.rises, 1);
    cr_assert_eq(rd(CMOS_C) & ~CMOS_C_PF, CMOS_C_IRQF | CMOS_C_AF | CMOS_C_UF);
    cr_assert_eq(rd(CMOS_SEC), 0x05);
    /* every second: all three don't care */
    wr(CMOS_SEC_ALARM, 0xFF);
    wr(CMOS_MIN_ALARM, 0xFF);
    wr(CMOS_HOUR_ALARM, 0xFF);
    go_us(1000000);
    cr_assert(rd(CMOS_C) & CMOS_C_AF);
}

Test(cmos, nvram_and_nmi_mask)
{
    wr(0x40, 0xA5);
    cr_assert_eq(rd(0x40), 0xA5);
    cmos_write(&rtc, 0x70, 0x80 | 0x40);
    cr_assert(rtc.nmi_masked);
    cr_assert_eq(cmos_read(&rtc, 0x71), 0xA5, "bit 7 of the index is the NMI mask");
    wr(CMOS_D, 0x00);
    cr_assert_eq(rd(CMOS_D), 0x80, "D is read-only");
    for (unsigned i = 0x10; i <= 0x2D; i++)
        cmos_set(&rtc, i, (uint8_t)i);
    cmos_update_checksum(&rtc);
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum += i;
    cr_assert_eq(rd(0x2E), sum >> 8);
    cr_assert_eq(rd(0x2F), sum & 0xFF);
}

Test(cmos, machine_nvram_bytes)
{
    struct machine_config cfg = {
        .bios = rom_test_halt, .bios_size = rom_test_halt_size,
        .ram_bytes = 64u << 20, .boot_order = "dca", .rtc_start = T0,
    };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    struct cmos *c = &m->cmos;
    cr_assert_eq(cmos_get(c, 0x15) | cmos_get(c, 0x16) << 8, 640);
    cr_assert_eq(cmos_get(c, 0x17) | cmos_get(c, 0x18) << 8, 63 * 1024);
    cr_assert_eq(cmos_get(c, 0x30) | cmos_get(c, 0x31) << 8, 63 * 1024);
    cr_assert_eq(cmos_get(c, 0x34) | cmos_get(c, 0x35) << 8, (48u << 20) >> 16);
    cr_assert_eq(cmos_get(c, 0x5B) | cmos_get(c, 0x5C) | cmos_get(c, 0x5D), 0);
    cr_assert_eq(cmos_get(c, 0x3D), 0x23, "CD-ROM first, hard disk second");
    cr_assert_eq(cmos_get(c, 0x38) >> 4, 1, "floppy third");
    machine_cmos_set_floppy(m, 0, 4);
    cr_assert_eq(cmos_get(c, 0x10), 0x40);
    cr_assert_eq(cmos_get(c, 0x14) & 0xC1, 0x01, "one floppy drive");
    machine_cmos_set_disk(m, 0, 1024, 16, 63);
    cr_assert_eq(cmos_get(c, 0x12), 0xF0);
    cr_assert_eq(cmos_get(c, 0x19), 47);
    cr_assert_eq(cmos_get(c, 0x1B) | cmos_get(c, 0x1C) << 8, 1024);
    cr_assert_eq(cmos_get(c, 0x1D), 16);
    cr_assert_eq(cmos_get(c, 0x23), 63);
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum += cmos_get(c, i);
    cr_assert_eq(cmos_get(c, 0x2E) << 8 | cmos_get(c, 0x2F), sum);
    cr_assert_eq(cmos_get(c, CMOS_CENTURY), 0x20);
    machine_free(m);
}

Test(cmos, machine_rejects_bad_boot_order)
{
    struct machine_config cfg = {
        .bios = rom_test_halt, .bios_size = rom_test_halt_size, .boot_order = "cc",
    };
    char err[200] = "";
    cr_assert_null(machine_create(&cfg, err, sizeof err));
    cr_assert(strstr(err, "boot order"), "%s", err);
}

Test(cmos, divider_reset_stops_the_clock)
{
    go_us(300000);
    rd(CMOS_C);
    wr(CMOS_A, 0x66); /* divider reset */
    go_us(5000000);
    cr_assert_eq(rd(CMOS_SEC), 0x58, "no time passes in divider reset");
    cr_assert_eq(rd(CMOS_C), 0x00, "no periodic flag either");
    wr(CMOS_A, 0x26);
    go_us(499000);
    cr_assert_eq(rd(CMOS_SEC), 0x58);
    go_us(1000);
    cr_assert_eq(rd(CMOS_SEC), 0x59, "first update 500 ms after leaving reset");
}

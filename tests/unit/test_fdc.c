/* The 82077AA floppy controller (devices/fdc82077.c) with memory-backed
 * disks, the real 8237 DMA pair and a free-standing clock: reset and the
 * polling statuses, the housekeeping commands, seeks, DMA and non-DMA
 * transfers with their exact result bytes, errors, FORMAT TRACK, the
 * disk change line; the media table (devices/floppy.c) and the machine
 * wiring (CMOS types, machine_floppy_change). */
#include <criterion/criterion.h>
#include <string.h>

#include "bus/machine.h"
#include "devices/dma8237.h"
#include "devices/fdc82077.h"
#include "devices/floppy.h"
#include "devtest.h"
#include "memdisk.h"
#include "roms/roms.h"

#define MB144 (1474560u)

static uint8_t mem[1u << 20];
static uint8_t img[2 * 2949120u];   /* room for two 1.44M (or one 2.88M) images */
static struct dma8237 dma;
static struct clock clk;
static uint64_t now;
static struct irq_probe irq;
static struct fdc82077 fdc;
static struct memdisk md, md_b;
static struct blockdev *disk;

static void mrd(void *o, uint32_t a, uint8_t *b, size_t n) { (void)o; memcpy(b, mem + a, n); }
static void mwr(void *o, uint32_t a, const uint8_t *b, size_t n) { (void)o; memcpy(mem + a, b, n); }

/* Byte k of LBA sector s: distinct per sector and position. */
static uint8_t pattern(unsigned s, unsigned k) { return (uint8_t)(s * 7 + k + (s >> 8) * 13); }

static void fill_image(uint8_t *data, uint64_t size)
{
    for (uint64_t i = 0; i < size; i++)
        data[i] = pattern((unsigned)(i / 512), (unsigned)(i % 512));
}

static void setup(void)
{
    memset(mem, 0, sizeof mem);
    fill_image(img, MB144);
    now = 0;
    memset(&irq, 0, sizeof irq);
    clock_init(&clk, &now);
    dma_init(&dma, mrd, mwr, NULL);
    dma_write(&dma, 0xD6, 0xC0); /* channel 4 cascades DMA1, as a BIOS sets it */
    dma_write(&dma, 0xD4, 0x00);
    fdc_init(&fdc, 0x3F0, &clk, irq_probe_line(&irq), &dma, 2);
    fdc_attach(&fdc, 0, FLOPPY_DRIVE_1440K);
    disk = memdisk_init(&md, img, MB144, false);
    cr_assert(fdc_insert(&fdc, 0, disk));
}

TestSuite(fdc, .init = setup);

static uint8_t in(unsigned reg) { return fdc_read(&fdc, reg); }
static void out(unsigned reg, uint8_t v) { fdc_write(&fdc, reg, v); }
static void run_us(uint64_t us) { clock_advance_to(&clk, &now, now + us * (CLOCK_HZ / 1000000)); }

/* Sends a command, checking that the controller asks for every byte. */
static void cmd(const uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        cr_assert_eq(in(4) & 0xC0, 0x80, "MSR 0x%02x before command byte %u", in(4), i);
        out(5, b[i]);
    }
}
#define CMD(...) do { const uint8_t c_[] = { __VA_ARGS__ }; cmd(c_, sizeof c_); } while (0)

/* Reads the result phase; returns its length. */
static unsigned results(uint8_t *r, unsigned max)
{
    unsigned n = 0;
    while ((in(4) & 0xC0) == 0xC0) {
        cr_assert_lt(n, max, "result longer than %u bytes", max);
        r[n++] = in(5);
    }
    cr_assert_eq(in(4) & 0xD0, 0x80, "back in the command phase");
    return n;
}

/* Runs virtual time until INT rises (at most `ms` ms); returns the
 * microseconds it took. */
static uint64_t wait_irq(uint64_t ms)
{
    uint64_t t0 = now, end = now + ms * (CLOCK_HZ / 1000);
    while (!irq.level) {
        uint64_t d = clock_next_deadline(&clk);
        cr_assert(d <= end, "no interrupt within %llu ms", (unsigned long long)ms);
        clock_advance_to(&clk, &now, d);
    }
    return (now - t0) / (CLOCK_HZ / 1000000);
}

static void sense(uint8_t st0, uint8_t pcn)
{
    uint8_t r[4];
    CMD(0x08);
    cr_assert_eq(results(r, 4), 2);
    cr_assert_eq(r[0], st0, "ST0 0x%02x, expected 0x%02x", r[0], st0);
    cr_assert_eq(r[1], pcn, "PCN %u, expected %u", r[1], pcn);
}

/* What a BIOS does first: reset through the DOR, then the four polling
 * statuses; SPECIFY for DMA; 500 kbps. */
static void enable(uint8_t specify2)
{
    out(2, 0x00);
    out(2, 0x1C); /* motor A, DMA/IRQ gate, out of reset, drive 0 */
    wait_irq(1);
    for (int i = 0; i < 4; i++)
        sense((uint8_t)(0xC0 | i), 0);
    CMD(0x03, 0xAF, specify2);
    out(7, 0x00);
}

static void prog_dma(uint8_t mode, uint32_t addr, uint16_t count)
{
    dma_write(&dma, 0x0A, 0x06);
    dma_write(&dma, 0x0C, 0);
    dma_write(&dma, 0x0B, mode);
    dma_write(&dma, 0x04, (uint8_t)addr);
    dma_write(&dma, 0x04, (uint8_t)(addr >> 8));
    dma_write(&dma, 0x81, (uint8_t)(addr >> 16));
    dma_write(&dma, 0x05, (uint8_t)count);
    dma_write(&dma, 0x05, (uint8_t)(count >> 8));
    dma_write(&dma, 0x0A, 0x02);
}

static void expect7(const uint8_t *r, const uint8_t *want)
{
    for (int i = 0; i < 7; i++)
        cr_assert_eq(r[i], want[i], "result byte %d: 0x%02x, expected 0x%02x "
                     "(%02x %02x %02x %02x %02x %02x %02x)", i, r[i], want[i],
                     r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
}
#define RESULT7(...) do { uint8_t r_[8], w_[] = { __VA_ARGS__ }; \
        cr_assert_eq(results(r_, 8), 7); expect7(r_, w_); } while (0)

static unsigned lba(unsigned c, unsigned h, unsigned r) { return (c * 2 + h) * 18 + r - 1; }

static void seek(unsigned drive_head, uint8_t cyl)
{
    CMD(0x0F, (uint8_t)drive_head, cyl);
    wait_irq(2000);
    sense((uint8_t)(0x20 | drive_head), cyl);
}

/* ------------------------------------------------------------ reset */

Test(fdc, dor_reset_then_four_polling_statuses)
{
    out(2, 0x00);
    cr_assert_eq(in(4), 0x00, "held in reset: no RQM");
    cr_assert_eq(irq.level, 0);
    out(2, 0x0C);
    cr_assert_eq(irq.level, 1, "a reset with polling on interrupts");
    cr_assert_eq(in(4), 0x80);
    for (int i = 0; i < 4; i++)
        sense((uint8_t)(0xC0 | i), 0);
    cr_assert_eq(irq.level, 0);
    uint8_t r[2];
    CMD(0x08);
    cr_assert_eq(results(r, 2), 1, "no status left: invalid");
    cr_assert_eq(r[0], 0x80);
}

Test(fdc, dsr_software_reset_and_irq_gate)
{
    out(2, 0x04); /* out of reset with the DMA/IRQ gate off */
    cr_assert_eq(irq.level, 0, "DOR bit 3 gates INT");
    out(2, 0x0C);
    cr_assert_eq(irq.level, 1, "the pending interrupt shows once gated on");
    for (int i = 0; i < 4; i++)
        sense((uint8_t)(0xC0 | i), 0);
    out(4, 0x80); /* DSR software reset */
    cr_assert_eq(irq.level, 1);
    cr_assert_eq(in(4), 0x80, "the DSR reset bit clears itself");
    for (int i = 0; i < 4; i++)
        sense((uint8_t)(0xC0 | i), 0);
}

/* ------------------------------------------------------------ housekeeping */

Test(fdc, specify_version_configure_dumpreg_lock)
{
    enable(0x02);
    uint8_t r[12];
    CMD(0x10);
    cr_assert_eq(results(r, 12), 1);
    cr_assert_eq(r[0], 0x90, "VERSION of an 82077AA");
    CMD(0x13, 0x00, 0x57, 0x05); /* EIS, POLL off, FIFO on, threshold 7, PRETRK 5 */
    cr_assert_eq(in(4), 0x80, "CONFIGURE has no result phase");
    CMD(0x12, 0x87); /* PERPENDICULAR: OW, D0, GAP, WGATE */
    CMD(0x0E);
    cr_assert_eq(results(r, 12), 10);
    const uint8_t want[10] = { 0, 0, 0, 0, 0xAF, 0x02, 0, 0x07, 0x57, 0x05 };
    for (int i = 0; i < 10; i++)
        cr_assert_eq(r[i], want[i], "DUMPREG byte %d: 0x%02x", i, r[i]);
    CMD(0x94);
    cr_assert_eq(results(r, 12), 1);
    cr_assert_eq(r[0], 0x10, "LOCK");
    out(4, 0x80); /* software reset: locked FIFO settings survive */
    for (int i = 0; i < 4; i++)
        sense((uint8_t)(0xC0 | i), 0);
    CMD(0x0E);
    cr_assert_eq(results(r, 12), 10);
    cr_assert_eq(r[4], 0xAF, "SPECIFY survives a reset");
    cr_assert_eq(r[7], 0x80 | 0x04, "LOCK; GAP/WGATE cleared, D0 kept");
    cr_assert_eq(r[8], 0x07, "EIS and POLL reset, EFIFO/FIFOTHR locked");
    cr_assert_eq(r[9], 0x05);
    CMD(0x14);
    cr_assert_eq(results(r, 12), 1);
    cr_assert_eq(r[0], 0x00, "UNLOCK");
    out(4, 0x80);
    for (int i = 0; i < 4; i++)
        sense((uint8_t)(0xC0 | i), 0);
    CMD(0x0E);
    cr_assert_eq(results(r, 12), 10);
    cr_assert_eq(r[8], 0x20, "defaults: FIFO disabled, threshold 0");
    cr_assert_eq(r[9], 0x00);
}

/* The sequence Linux's floppy driver uses to tell the controller apart
 * (a 10-byte DUMPREG, CONFIGURE and PERPENDICULAR asking for their
 * parameters, UNLOCK answering 0x00, PART ID invalid: a post-1991
 * 82077), after a DSR reset of which it reads one status only. */
Test(fdc, linux_probe_sequence)
{
    enable(0x02);
    out(4, 0x80);
    cr_assert_eq(irq.level, 1);
    sense(0xC0, 0);
    uint8_t r[12];
    CMD(0x0E);
    cr_assert_eq(results(r, 12), 10);
    out(5, 0x13);
    cr_assert_eq(in(4) & 0xC0, 0x80, "CONFIGURE wants parameters");
    CMD(0x00, 0x1A, 0x00);
    out(5, 0x12);
    cr_assert_eq(in(4) & 0xC0, 0x80, "PERPENDICULAR MODE wants a parameter");
    CMD(0x00);
    CMD(0x14);
    cr_assert_eq(results(r, 12), 1);
    cr_assert_eq(r[0], 0x00, "UNLOCK");
    CMD(0x18);
    cr_assert_eq(results(r, 12), 1);
    cr_assert_eq(r[0], 0x80, "PART ID: invalid on an 82077AA");
    /* Drive 0's seek status replaces its polling status; drives 1-3
     * still hold theirs. */
    seek(0, 4);
    sense(0xC1, 0);
}

Test(fdc, invalid_commands)
{
    enable(0x02);
    const uint8_t bad[] = { 0x18 /* PART ID: 82078 only */, 0x00, 0x1F, 0x8A /* MT on READ ID */ };
    for (unsigned i = 0; i < sizeof bad; i++) {
        uint8_t r[2];
        out(5, bad[i]);
        cr_assert_eq(results(r, 2), 1, "command 0x%02x", bad[i]);
        cr_assert_eq(r[0], 0x80, "command 0x%02x", bad[i]);
    }
    cr_assert_eq(irq.level, 0, "no interrupt for an invalid command");
}

/* ------------------------------------------------------------ seeks */

Test(fdc, recalibrate_seek_relative_seek_and_drive_status)
{
    enable(0x02);
    CMD(0x07, 0x00);
    cr_assert_eq(in(4), 0x81, "drive 0 busy seeking, controller free");
    wait_irq(10);
    cr_assert_eq(in(4), 0x80);
    sense(0x20, 0);
    /* SRT 0xA: 6 ms per step at 500 kbps; 10 steps take 60 ms. */
    CMD(0x0F, 0x04, 10);
    run_us(59000);
    cr_assert_eq(irq.level, 0, "still stepping");
    run_us(1001);
    cr_assert_eq(irq.level, 1);
    sense(0x24, 10);
    uint8_t r[2];
    CMD(0x04, 0x00);
    cr_assert_eq(results(r, 2), 1);
    cr_assert_eq(r[0], 0x28, "ST3: ready, two-sided, not track 0");
    CMD(0xCF, 0x00, 5); /* relative seek in by 5 */
    wait_irq(100);
    sense(0x20, 15);
    CMD(0x8F, 0x00, 20); /* relative seek out by 20: stops at 0 */
    wait_irq(200);
    sense(0x20, 0);
    CMD(0x04, 0x01);
    cr_assert_eq(results(r, 2), 1);
    cr_assert_eq(r[0], 0x21, "drive 1 (none): ready only");
    CMD(0x04, 0x04);
    cr_assert_eq(results(r, 2), 1);
    cr_assert_eq(r[0], 0x3C, "track 0, two-sided, head 1");
    /* No drive 2: TRK0 never comes; equipment check after 79 steps. */
    CMD(0x07, 0x02);
    wait_irq(1000);
    sense(0x72, 0);
}

Test(fdc, write_protect_in_st3)
{
    disk = memdisk_init(&md, img, MB144, true);
    fdc_insert(&fdc, 0, disk);
    enable(0x02);
    uint8_t r[2];
    CMD(0x04, 0x00);
    cr_assert_eq(results(r, 2), 1);
    cr_assert_eq(r[0], 0x78, "write protected, ready, track 0, two-sided");
}

/* ------------------------------------------------------------ DMA transfers */

Test(fdc, read_one_sector_dma)
{
    enable(0x02);
    prog_dma(0x46, 0x10000, 511);
    CMD(0xE6, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    cr_assert_eq(in(4), 0x10, "execution phase in DMA mode: busy, no RQM");
    uint64_t us = wait_irq(1000);
    cr_assert_geq(us, 11000, "one sector time at 300 rpm, 18 sectors: %llu us",
                  (unsigned long long)us);
    RESULT7(0x00, 0x00, 0x00, 0, 0, 2, 2);
    cr_assert_eq(memcmp(mem + 0x10000, img, 512), 0);
    cr_assert_eq(mem[0x10200], 0, "only 512 bytes");
    cr_assert_eq(irq.level, 0, "reading the result clears INT");
}

Test(fdc, read_multitrack_run_ends_at_terminal_count)
{
    enable(0x02);
    seek(0, 3);
    prog_dma(0x46, 0x20000, 4 * 512 - 1);
    CMD(0xE6, 0x00, 3, 0, 17, 2, 18, 0x1B, 0xFF);
    wait_irq(1000);
    /* Sectors 17, 18 of side 0, then 1, 2 of side 1; TC ends the run. */
    RESULT7(0x04, 0x00, 0x00, 3, 1, 3, 2);
    cr_assert_eq(memcmp(mem + 0x20000, img + 512 * lba(3, 0, 17), 2048), 0);
}

Test(fdc, read_to_end_of_cylinder)
{
    enable(0x02);
    /* Side 1 sector 18 with MT and TC at its end: next cylinder, side 0. */
    prog_dma(0x46, 0x10000, 511);
    CMD(0xE6, 0x04, 0, 1, 18, 2, 18, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x04, 0x00, 0x00, 1, 0, 1, 2);
    cr_assert_eq(memcmp(mem + 0x10000, img + 512 * lba(0, 1, 18), 512), 0);
    /* No MT, DMA count beyond EOT: the run stops at EOT with EN. */
    prog_dma(0x46, 0x10000, 8191);
    CMD(0x66, 0x00, 0, 0, 17, 2, 18, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x40, 0x80, 0x00, 1, 0, 1, 2);
    cr_assert_eq(memcmp(mem + 0x10000, img + 512 * lba(0, 0, 17), 1024), 0);
}

Test(fdc, write_data_lands_in_image)
{
    enable(0x02);
    seek(0, 1);
    for (int i = 0; i < 1024; i++)
        mem[0x30000 + i] = (uint8_t)(0xA5 ^ i);
    prog_dma(0x4A, 0x30000, 1023);
    CMD(0xC5, 0x04, 1, 1, 5, 2, 18, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x04, 0x00, 0x00, 1, 1, 7, 2);
    cr_assert_eq(memcmp(img + 512 * lba(1, 1, 5), mem + 0x30000, 1024), 0);
    cr_assert_eq(img[512 * lba(1, 1, 7)], pattern(lba(1, 1, 7), 0), "nothing past TC");
    cr_assert_eq(md.writes, 2, "each sector written at once");
}

Test(fdc, terminal_count_inside_a_sector)
{
    enable(0x02);
    /* A read cut by TC: the sector still passes, R moves past it. */
    prog_dma(0x46, 0x10000, 700 - 1);
    CMD(0xE6, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x00, 0x00, 0x00, 0, 0, 3, 2);
    cr_assert_eq(memcmp(mem + 0x10000, img, 700), 0);
    cr_assert_eq(mem[0x10000 + 700], 0);
    /* A write cut by TC: the rest of the sector is written as zeros. */
    memset(mem + 0x30000, 0x77, 1024);
    prog_dma(0x4A, 0x30000, 700 - 1);
    CMD(0xC5, 0x00, 0, 0, 5, 2, 18, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x00, 0x00, 0x00, 0, 0, 7, 2);
    const uint8_t *s6 = img + 512 * lba(0, 0, 6);
    cr_assert_eq(s6[187], 0x77);
    cr_assert_eq(s6[188], 0x00);
    cr_assert_eq(s6[511], 0x00);
    cr_assert_eq(img[512 * lba(0, 0, 7)], pattern(lba(0, 0, 7), 0));
}

Test(fdc, deleted_data_and_read_track)
{
    enable(0x02);
    /* Every sector has a normal data mark: READ DELETED DATA reads the
     * first with a control mark and stops there... */
    prog_dma(0x46, 0x10000, 3 * 512 - 1);
    CMD(0x4C, 0x00, 0, 0, 1, 2, 3, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x00, 0x00, 0x40, 0, 0, 2, 2);
    cr_assert_eq(memcmp(mem + 0x10000, img, 512), 0);
    cr_assert_eq(mem[0x10000 + 512], 0);
    /* ...or, with SK, skips them all up to EOT. */
    memset(mem + 0x10000, 0, 512);
    prog_dma(0x46, 0x10000, 3 * 512 - 1);
    CMD(0x6C, 0x00, 0, 0, 1, 2, 3, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x40, 0x80, 0x40, 1, 0, 1, 2);
    cr_assert_eq(mem[0x10000], 0, "nothing transferred");
    /* READ TRACK: sectors from the index on, EOT of them. */
    prog_dma(0x46, 0x20000, 3 * 512 - 1);
    CMD(0x42, 0x00, 0, 0, 1, 2, 3, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x00, 0x00, 0x00, 1, 0, 1, 2);
    cr_assert_eq(memcmp(mem + 0x20000, img, 3 * 512), 0);
    /* WRITE DELETED DATA writes the data (the mark is not kept). */
    memset(mem + 0x30000, 0x3C, 512);
    prog_dma(0x4A, 0x30000, 511);
    CMD(0x49, 0x00, 0, 0, 9, 2, 18, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x00, 0x00, 0x00, 0, 0, 10, 2);
    cr_assert_eq(img[512 * lba(0, 0, 9)], 0x3C);
}

Test(fdc, write_protected_medium)
{
    disk = memdisk_init(&md, img, MB144, true);
    fdc_insert(&fdc, 0, disk);
    enable(0x02);
    prog_dma(0x4A, 0x30000, 511);
    CMD(0xC5, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    wait_irq(100);
    RESULT7(0x40, 0x02, 0x00, 0, 0, 1, 2);
    cr_assert_eq(md.writes, 0);
    /* FORMAT too. */
    prog_dma(0x4A, 0x30000, 71);
    CMD(0x4D, 0x00, 2, 18, 0x6C, 0xF6);
    wait_irq(100);
    uint8_t r[8];
    cr_assert_eq(results(r, 8), 7);
    cr_assert_eq(r[0], 0x40);
    cr_assert_eq(r[1], 0x02);
}

Test(fdc, no_medium_or_no_drive_is_not_ready)
{
    fdc_insert(&fdc, 0, NULL);
    enable(0x02);
    prog_dma(0x46, 0x10000, 511);
    CMD(0xE6, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    wait_irq(100);
    RESULT7(0x48, 0x00, 0x00, 0, 0, 1, 2);
    CMD(0x4A, 0x05); /* READ ID on drive 1: no drive there */
    wait_irq(100);
    uint8_t r[8];
    cr_assert_eq(results(r, 8), 7);
    cr_assert_eq(r[0], 0x4D);
}

Test(fdc, sector_not_found)
{
    enable(0x02);
    prog_dma(0x46, 0x10000, 511);
    CMD(0xE6, 0x00, 0, 0, 19, 2, 19, 0x1B, 0xFF);
    uint64_t us = wait_irq(1000);
    cr_assert_geq(us, 400000, "two revolutions before giving up");
    RESULT7(0x40, 0x04, 0x00, 0, 0, 19, 2);
    CMD(0xE6, 0x00, 5, 0, 1, 2, 18, 0x1B, 0xFF); /* head is on cylinder 0 */
    wait_irq(1000);
    RESULT7(0x40, 0x04, 0x10, 5, 0, 1, 2);
    CMD(0xE6, 0x00, 0, 0, 1, 3, 18, 0x1B, 0xFF); /* 1024-byte sectors: none */
    wait_irq(1000);
    RESULT7(0x40, 0x04, 0x00, 0, 0, 1, 3);
    cr_assert_eq(mem[0x10000], 0, "nothing transferred");
}

Test(fdc, dma_channel_masked_is_an_overrun)
{
    enable(0x02);
    dma_write(&dma, 0x0A, 0x06);
    CMD(0xE6, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x40, 0x10, 0x00, 0, 0, 1, 2);
}

/* ------------------------------------------------------------ READ ID, rates */

Test(fdc, read_id_and_data_rates)
{
    enable(0x02);
    seek(4, 7);
    CMD(0x4A, 0x04);
    wait_irq(1000);
    uint8_t r[8];
    cr_assert_eq(results(r, 8), 7);
    cr_assert_eq(r[0], 0x04);
    cr_assert_eq(r[1], 0x00);
    cr_assert_eq(r[3], 7, "C");
    cr_assert_eq(r[4], 1, "H");
    cr_assert(r[5] >= 1 && r[5] <= 18, "R %u", r[5]);
    cr_assert_eq(r[6], 2, "N");
    /* An HD medium at 250 kbps: no address marks in two revolutions. */
    out(7, 0x02);
    CMD(0x4A, 0x00);
    uint64_t us = wait_irq(1000);
    cr_assert_geq(us, 400000);
    RESULT7(0x40, 0x01, 0x00, 0, 0, 0, 0);
    /* FM (MFM bit clear) finds nothing either. */
    out(7, 0x00);
    CMD(0x0A, 0x00);
    wait_irq(1000);
    cr_assert_eq(results(r, 8), 7);
    cr_assert_eq(r[1], 0x01);
}

Test(fdc, dd_medium_in_hd_drive_reads_at_250k)
{
    static uint8_t dd[737280];
    fill_image(dd, sizeof dd);
    disk = memdisk_init(&md, dd, sizeof dd, false);
    fdc_insert(&fdc, 0, disk);
    enable(0x02);
    prog_dma(0x46, 0x10000, 511);
    CMD(0xE6, 0x00, 0, 0, 9, 2, 9, 0x1B, 0xFF); /* at 500 kbps: nothing */
    wait_irq(1000);
    RESULT7(0x40, 0x01, 0x00, 0, 0, 9, 2);
    out(7, 0x02);
    prog_dma(0x46, 0x10000, 1023);
    CMD(0xE6, 0x00, 0, 0, 9, 2, 9, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x04, 0x00, 0x00, 0, 1, 2, 2);
    cr_assert_eq(memcmp(mem + 0x10000, dd + 8 * 512, 1024), 0);
}

Test(fdc, drive_b_double_steps_a_360k_disk_in_a_1200k_drive)
{
    static uint8_t dd[368640];
    fill_image(dd, sizeof dd);
    fdc_attach(&fdc, 1, FLOPPY_DRIVE_1200K);
    cr_assert(fdc_insert(&fdc, 1, memdisk_init(&md_b, dd, sizeof dd, false)));
    enable(0x02);
    out(7, 0x01); /* 300 kbps: a DD disk in a 360 rpm drive */
    CMD(0x07, 0x01);
    wait_irq(1000);
    sense(0x21, 0);
    seek(1, 4);   /* track 4 of the drive: cylinder 2 of the disk */
    prog_dma(0x46, 0x10000, 511);
    CMD(0xE6, 0x01, 2, 0, 1, 2, 9, 0x1B, 0xFF);
    wait_irq(1000);
    RESULT7(0x01, 0x00, 0x00, 2, 0, 2, 2);
    cr_assert_eq(memcmp(mem + 0x10000, dd + 512 * 36, 512), 0);
    seek(1, 3);   /* between two of the disk's tracks */
    CMD(0x4A, 0x01);
    wait_irq(1000);
    uint8_t r[8];
    cr_assert_eq(results(r, 8), 7);
    cr_assert_eq(r[0], 0x41);
    cr_assert_eq(r[1], 0x01, "no address mark");
    seek(1, 4);
    out(7, 0x02); /* 250 kbps: the rate of a 300 rpm drive, wrong here */
    CMD(0x4A, 0x01);
    wait_irq(1000);
    cr_assert_eq(results(r, 8), 7);
    cr_assert_eq(r[1], 0x01);
}

/* ------------------------------------------------------------ FORMAT */

Test(fdc, format_track_fills_sectors)
{
    enable(0x02);
    seek(4, 2);
    for (int s = 0; s < 18; s++) {
        mem[0x40000 + 4 * s] = 2;
        mem[0x40000 + 4 * s + 1] = 1;
        mem[0x40000 + 4 * s + 2] = (uint8_t)(s + 1);
        mem[0x40000 + 4 * s + 3] = 2;
    }
    prog_dma(0x4A, 0x40000, 71);
    CMD(0x4D, 0x04, 2, 18, 0x6C, 0xF6);
    uint64_t us = wait_irq(1000);
    cr_assert_geq(us, 190000, "a revolution");
    uint8_t r[8];
    cr_assert_eq(results(r, 8), 7);
    cr_assert_eq(r[0], 0x04);
    cr_assert_eq(r[1], 0x00);
    cr_assert_eq(r[2], 0x00);
    for (unsigned i = 0; i < 18 * 512; i++)
        cr_assert_eq(img[512 * lba(2, 1, 1) + i], 0xF6, "byte %u", i);
    cr_assert_eq(img[512 * lba(2, 0, 18)], pattern(lba(2, 0, 18), 0), "side 0 untouched");
    cr_assert_eq(img[512 * lba(3, 0, 1)], pattern(lba(3, 0, 1), 0), "next track untouched");
}

/* ------------------------------------------------------------ disk change */

Test(fdc, disk_change_line)
{
    enable(0x02);
    cr_assert_eq(in(7) & 0x80, 0x80, "set at power-on");
    seek(0, 0);
    cr_assert_eq(in(7) & 0x80, 0x80, "a seek without step pulses leaves it");
    seek(0, 1);
    cr_assert_eq(in(7) & 0x80, 0x00, "a step with a disk in clears it");
    cr_assert(fdc_insert(&fdc, 0, NULL));
    cr_assert_eq(in(7) & 0x80, 0x80, "eject");
    seek(0, 2);
    cr_assert_eq(in(7) & 0x80, 0x80, "no disk: stays set");
    cr_assert(fdc_insert(&fdc, 0, disk));
    seek(0, 3);
    cr_assert_eq(in(7) & 0x80, 0x00);
    cr_assert(fdc_insert(&fdc, 0, disk));
    cr_assert_eq(in(7) & 0x80, 0x80, "a change sets it again");
    out(2, 0x1D); /* drive 1 selected: not connected */
    cr_assert_eq(in(7) & 0x80, 0x00);
    cr_assert(!fdc_insert(&fdc, 1, disk), "no drive 1");
    struct memdisk odd;
    cr_assert(!fdc_insert(&fdc, 0, memdisk_init(&odd, img, 1000000, false)),
              "no floppy format of that size");
}

/* ------------------------------------------------------------ non-DMA */

Test(fdc, pio_read_interrupts_per_byte)
{
    enable(0x03); /* ND: non-DMA */
    CMD(0x46, 0x00, 0, 0, 1, 2, 2, 0x1B, 0xFF);
    cr_assert_eq(in(4), 0x30, "non-DMA execution phase, no data yet");
    wait_irq(1000);
    uint8_t buf[1024];
    for (int s = 0; s < 2; s++) {
        if (s)
            wait_irq(1000);
        unsigned rises = irq.rises;
        for (int i = 0; i < 512; i++) {
            uint8_t m = in(4);
            cr_assert_eq(m, 0xF0, "MSR 0x%02x at byte %d", m, i);
            buf[512 * s + i] = in(5);
        }
        /* One per further byte; after the last sector's last byte, the
         * result phase's. */
        cr_assert_eq(irq.rises - rises, 511u + (unsigned)s, "an interrupt for each further byte (%u)",
                     irq.rises - rises);
    }
    cr_assert_eq(memcmp(buf, img, 1024), 0);
    /* No TC without DMA: the run ends at EOT with EN. */
    wait_irq(10);
    RESULT7(0x40, 0x80, 0x00, 1, 0, 1, 2);
}

Test(fdc, pio_data_left_alone_is_an_overrun)
{
    enable(0x03);
    CMD(0x46, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
    wait_irq(1000);
    for (int i = 0; i < 100; i++)
        in(5);
    run_us(5000);
    cr_assert_eq(in(4), 0xF0, "the host may pause a while");
    in(5);
    run_us(12000);
    RESULT7(0x40, 0x10, 0x00, 0, 0, 1, 2);
}

Test(fdc, pio_write)
{
    enable(0x03);
    CMD(0x45, 0x00, 0, 0, 3, 2, 3, 0x1B, 0xFF);
    wait_irq(1000);
    cr_assert_eq(in(4), 0xB0, "RQM, host to controller, non-DMA, busy");
    for (int i = 0; i < 512; i++)
        out(5, (uint8_t)(i ^ 0x3C));
    wait_irq(10);
    RESULT7(0x40, 0x80, 0x00, 1, 0, 1, 2);
    for (int i = 0; i < 512; i++)
        cr_assert_eq(img[2 * 512 + i], (uint8_t)(i ^ 0x3C));
}

Test(fdc, verify_and_implied_seek)
{
    enable(0x02);
    CMD(0x13, 0x00, 0x40, 0x00); /* EIS */
    CMD(0xF6, 0x84, 9, 1, 1, 2, 18, 0x1B, 4); /* VERIFY, EC: 4 sectors */
    wait_irq(1000);
    RESULT7(0x04, 0x00, 0x00, 9, 1, 5, 2);
    CMD(0x08);
    uint8_t r[2];
    cr_assert_eq(results(r, 2), 1, "an implied seek leaves no seek status");
    CMD(0x0E);
    uint8_t d[10];
    cr_assert_eq(results(d, 10), 10);
    cr_assert_eq(d[0], 9, "PCN after the implied seek");
}

Test(fdc, scan_commands)
{
    enable(0x02);
    /* SCAN EQUAL over sectors 1-5: the host's third sector equals the
     * disk's sector 3 (0xFF bytes match anything). */
    memset(mem + 0x50000, 0x11, 3 * 512);
    memcpy(mem + 0x50000 + 1024, img + 2 * 512, 512);
    memset(mem + 0x50000 + 1024 + 100, 0xFF, 20);
    prog_dma(0x4A, 0x50000, 5 * 512 - 1);
    CMD(0x71, 0x00, 0, 0, 1, 2, 5, 0x1B, 1);
    wait_irq(1000);
    RESULT7(0x00, 0x00, 0x08, 0, 0, 3, 2);
    /* Not found up to EOT: SN. */
    memset(mem + 0x50000, 0x11, 3 * 512);
    prog_dma(0x4A, 0x50000, 5 * 512 - 1);
    CMD(0x71, 0x00, 0, 0, 1, 2, 3, 0x1B, 1);
    wait_irq(1000);
    RESULT7(0x00, 0x00, 0x04, 0, 0, 3, 2);
    /* LOW OR EQUAL (disk <= host) with STP 2: sectors 2, 4; 0xFE beats
     * every byte but 0xFF. */
    memset(mem + 0x50000, 0x00, 512);
    memset(mem + 0x50000 + 512, 0xFE, 512);
    prog_dma(0x4A, 0x50000, 5 * 512 - 1);
    CMD(0x79, 0x00, 0, 0, 2, 2, 9, 0x1B, 2);
    wait_irq(1000);
    RESULT7(0x00, 0x00, 0x00, 0, 0, 4, 2);
    /* HIGH OR EQUAL (disk >= host): zeros are met at once. */
    memset(mem + 0x50000, 0x00, 512);
    prog_dma(0x4A, 0x50000, 511);
    CMD(0x7D, 0x00, 0, 0, 1, 2, 9, 0x1B, 1);
    wait_irq(1000);
    RESULT7(0x00, 0x00, 0x00, 0, 0, 1, 2);
}

/* ------------------------------------------------------------ media */

Test(fdc, media_geometry_and_drive_types)
{
    static const struct { uint32_t kb; unsigned cyl, heads, spt; uint8_t type; } t[] = {
        { 160, 40, 1, 8, 1 }, { 180, 40, 1, 9, 1 }, { 320, 40, 2, 8, 1 }, { 360, 40, 2, 9, 1 },
        { 720, 80, 2, 9, 4 }, { 1200, 80, 2, 15, 2 }, { 1440, 80, 2, 18, 4 },
        { 1680, 80, 2, 21, 4 }, { 2880, 80, 2, 36, 5 },
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        const struct floppy_geometry *g = floppy_geometry_for_size((uint64_t)t[i].kb * 1024);
        cr_assert_not_null(g, "%uK", t[i].kb);
        cr_assert_eq(g->cylinders, t[i].cyl, "%uK", t[i].kb);
        cr_assert_eq(g->heads, t[i].heads, "%uK", t[i].kb);
        cr_assert_eq(g->sectors, t[i].spt, "%uK", t[i].kb);
        cr_assert_eq(floppy_drive_for(g), t[i].type, "%uK", t[i].kb);
    }
    cr_assert_null(floppy_geometry_for_size(1474561));
    cr_assert_null(floppy_geometry_for_size(0));
    const struct floppy_geometry *dd360 = floppy_geometry_for_size(368640);
    const struct floppy_geometry *hd = floppy_geometry_for_size(1474560);
    const struct floppy_geometry *ed = floppy_geometry_for_size(2949120);
    cr_assert(floppy_rate_ok(FLOPPY_DRIVE_360K, dd360, FLOPPY_250K));
    cr_assert(!floppy_rate_ok(FLOPPY_DRIVE_360K, dd360, FLOPPY_300K));
    cr_assert(floppy_rate_ok(FLOPPY_DRIVE_1200K, dd360, FLOPPY_300K), "360 rpm drive");
    cr_assert_eq(floppy_step_factor(FLOPPY_DRIVE_1200K, dd360), 2, "double stepping");
    cr_assert(!floppy_rate_ok(FLOPPY_DRIVE_1440K, dd360, FLOPPY_250K), "5.25\" in 3.5\"");
    cr_assert(floppy_rate_ok(FLOPPY_DRIVE_1440K, hd, FLOPPY_500K));
    cr_assert(!floppy_rate_ok(FLOPPY_DRIVE_720K, hd, FLOPPY_500K));
    cr_assert(!floppy_rate_ok(FLOPPY_DRIVE_1440K, ed, FLOPPY_1M));
    cr_assert(floppy_rate_ok(FLOPPY_DRIVE_2880K, ed, FLOPPY_1M));
    cr_assert(floppy_rate_ok(FLOPPY_DRIVE_2880K, hd, FLOPPY_500K));
}

Test(fdc, machine_wires_drives_and_cmos_types)
{
    static uint8_t b[368640];
    disk = memdisk_init(&md, img, 737280, false);
    struct blockdev *disk_b = memdisk_init(&md_b, b, sizeof b, false);
    struct machine_config cfg = {
        .bios = rom_test_halt, .bios_size = rom_test_halt_size,
        .floppy = { disk, disk_b },
    };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(cmos_get(&m->cmos, 0x10), 0x41, "A: 1.44M drive, B: 360K drive");
    cr_assert_eq(cmos_get(&m->cmos, 0x14) & 0xC1, 0x41, "two floppy drives");
    cr_assert_eq(bus_in(&m->bus, 0x3F4, 1), 0x00, "held in reset after power-on");
    bus_out(&m->bus, 0x3F2, 0x0C, 1);
    cr_assert_eq(bus_in(&m->bus, 0x3F4, 1), 0x80);
    cr_assert_eq(bus_in(&m->bus, 0x3F6, 1), 0xFF, "0x3F6 is left to the hard disk controller");
    cr_assert(machine_floppy_change(m, 1, NULL));
    cr_assert(machine_floppy_change(m, 1, disk_b));
    struct memdisk odd;
    struct blockdev *odd_bd = memdisk_init(&odd, img, 12345, false);
    cr_assert(!machine_floppy_change(m, 0, odd_bd));
    cr_assert(!machine_floppy_change(m, 2, disk));
    machine_reset(m);
    cr_assert_eq(bus_in(&m->bus, 0x3F4, 1), 0x00, "reset with the machine");
    machine_free(m);

    struct machine_config none = { .bios = rom_test_halt, .bios_size = rom_test_halt_size };
    m = machine_create(&none, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(cmos_get(&m->cmos, 0x10), 0x00, "no drives");
    cr_assert_eq(cmos_get(&m->cmos, 0x14) & 0xC1, 0x00);
    cr_assert(!machine_floppy_change(m, 0, disk));
    machine_free(m);

    cfg.floppy[1] = odd_bd;
    cr_assert_null(machine_create(&cfg, err, sizeof err));
    cr_assert(strstr(err, "no floppy format"), "%s", err);
}

/* The ATAPI CD-ROM (devices/atapi.c) on the secondary master, as QEMU's
 * -cdrom: IDENTIFY (PACKET) DEVICE, the PACKET protocol (interrupt
 * reason, byte count limit, DRQ blocks, PIO and DMA), and the MMC
 * commands against MMC-3/SPC-2: INQUIRY, TEST UNIT READY and REQUEST
 * SENSE without a disc and after a media change, READ CAPACITY, READ(10),
 * READ(12), READ CD, READ TOC formats 0-2, MODE SENSE/SELECT, GET
 * CONFIGURATION, GET EVENT STATUS NOTIFICATION, eject and lock, disc and
 * track information, READ SUB-CHANNEL, MECHANISM STATUS, errors. */
#include "idetest.h"

#define CD_SECTORS 300u

static struct memdisk mdc;
static struct blockdev cd;
static uint8_t data[1u << 17];
static unsigned nblocks;         /* DRQ data blocks in the last command */
static uint32_t block_len[64];

static void setup(void)
{
    ide_fixture_init();
    cd = memdisk_new(&mdc, (uint64_t)CD_SECTORS * CD_SECTOR, false);
}

static void teardown(void)
{
    free(mdc.data);
    mdc.data = NULL;
    ide_fixture_fini();
}

TestSuite(atapi, .init = setup, .fini = teardown);

static void with_disc(bool disc)
{
    ide_attach(&ide, 2, DRIVE_CDROM, disc ? &cd : NULL);
    ide_start();
    out8(0x176, 0xA0);
}

/* Sends a 12-byte packet by PIO with the given byte count limit and runs
 * the data-in phase; returns the final status.  The bytes land in data[],
 * *got says how many. */
static uint8_t packet_lim(const uint8_t cdb[12], uint16_t limit, uint32_t *got)
{
    out8(0x171, 0);
    out8(0x174, (uint8_t)limit);
    out8(0x175, (uint8_t)(limit >> 8));
    out8(0x177, 0xA0);
    cr_assert_eq(in8(0x376) & (ATA_BSY | ATA_DRQ), ATA_DRQ, "ready for the packet");
    cr_assert_eq(in8(0x172) & 3, ATAPI_COD, "interrupt reason: command packet");
    for (int i = 0; i < 12; i += 2)
        out16(0x170, (uint16_t)(cdb[i] | cdb[i + 1] << 8));
    uint32_t n = 0;
    nblocks = 0;
    for (;;) {
        uint8_t st = wait_not_busy(0x170);
        cr_assert_eq(irq15.level, 1, "every phase interrupts");
        st = in8(0x177);
        if (!(st & ATA_DRQ)) {
            cr_assert_eq(in8(0x172) & 3, ATAPI_IO | ATAPI_COD, "status phase");
            *got = n;
            return st;
        }
        cr_assert_eq(in8(0x172) & 3, ATAPI_IO, "data to the host");
        uint32_t cnt = in8(0x174) | (uint32_t)in8(0x175) << 8;
        cr_assert(cnt > 0 && cnt <= (limit ? limit : 0xFFFEu));
        cr_assert(n + cnt <= sizeof data);
        block_len[nblocks++ & 63] = cnt;
        for (uint32_t k = 0; k < cnt; k += 2) {
            uint16_t w = in16(0x170);
            data[n + k] = (uint8_t)w;
            if (k + 1 < cnt)
                data[n + k + 1] = (uint8_t)(w >> 8);
        }
        n += cnt;
    }
}

static uint8_t packet(const uint8_t cdb[12], uint32_t *got)
{
    return packet_lim(cdb, 0xFFFE, got);
}

/* Runs a command that must fail; returns its sense "KK AA QQ" through
 * REQUEST SENSE. */
static uint32_t fails_with(const uint8_t cdb[12])
{
    uint32_t n;
    uint8_t st = packet(cdb, &n);
    cr_assert_eq(st & ATA_ERR, ATA_ERR, "command 0x%02x should fail", cdb[0]);
    uint8_t key = in8(0x171) >> 4;
    uint8_t rs[12] = { 0x03, 0, 0, 0, 18 };
    cr_assert_eq(packet(rs, &n) & ATA_ERR, 0);
    cr_assert_eq(n, 18);
    cr_assert_eq(data[0], 0x70);
    cr_assert_eq(data[2] & 15, key, "error register holds the sense key");
    return (uint32_t)data[2] << 16 | (uint32_t)data[12] << 8 | data[13];
}

static void ok(const uint8_t cdb[12], uint32_t expect_len)
{
    uint32_t n;
    cr_assert_eq(packet(cdb, &n) & ATA_ERR, 0, "command 0x%02x", cdb[0]);
    cr_assert_eq(n, expect_len, "command 0x%02x: %u bytes", cdb[0], n);
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

Test(atapi, identify_device_aborts_identify_packet_answers)
{
    with_disc(true);
    out8(0x177, 0xEC);
    cr_assert_eq(in8(0x177) & ATA_ERR, ATA_ERR);
    cr_assert_eq(in8(0x171), ATA_ABRT);
    cr_assert_eq(in8(0x174), 0x14, "signature left in the taskfile");
    cr_assert_eq(in8(0x175), 0xEB);
    out8(0x177, 0xA1);
    cr_assert_eq(wait_not_busy(0x170) & ATA_DRQ, ATA_DRQ);
    cr_assert_eq(irq15.level, 1);
    uint16_t w[256];
    for (int i = 0; i < 256; i++)
        w[i] = in16(0x170);
    cr_assert_eq(in8(0x177) & (ATA_DRQ | ATA_BSY | ATA_ERR), 0);
    cr_assert_eq(w[0], 0x85C0, "ATAPI CD-ROM, removable, 12-byte packets");
    cr_assert_eq(w[27], ('P' << 8) | 'C');
    cr_assert_eq(w[28], ('V' << 8) | 'M');
    cr_assert_eq(w[49] & 0x0300, 0x0300, "LBA, DMA");
    cr_assert_eq(w[82] & 0x0010, 0x0010, "PACKET feature set");
}

Test(atapi, inquiry_and_allocation_length)
{
    with_disc(true);
    uint8_t cdb[12] = { 0x12, 0, 0, 0, 96 };
    ok(cdb, 36);
    cr_assert_eq(data[0], 0x05, "CD-ROM");
    cr_assert_eq(data[1], 0x80, "removable");
    cr_assert_eq(memcmp(data + 8, "PCVM    CD-ROM", 14), 0);
    cdb[4] = 5;
    ok(cdb, 5);
    cdb[1] = 1; /* EVPD */
    cr_assert_eq(fails_with(cdb) >> 8, 0x0524);
}

Test(atapi, no_disc_not_ready)
{
    with_disc(false);
    uint8_t tur[12] = { 0x00 };
    cr_assert_eq(fails_with(tur), 0x023A01, "NOT READY, medium not present, tray closed");
    uint8_t cap[12] = { 0x25 };
    cr_assert_eq(fails_with(cap), 0x023A01);
    uint8_t rs[12] = { 0x03, 0, 0, 0, 18 };
    ok(rs, 18);
    cr_assert_eq(data[2], 0, "sense cleared by REQUEST SENSE");
    uint8_t ms[12] = { 0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64 };
    ok(ms, 28);
    cr_assert_eq(data[2], 0x70, "medium type: no disc");
}

Test(atapi, media_change_unit_attention)
{
    with_disc(false);
    cr_assert(ide_cdrom_change(&ide, 2, &cd));
    cr_assert(!ide_cdrom_change(&ide, 0, &cd), "no CD-ROM at unit 0");
    uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
    ok(inq, 36); /* INQUIRY does not report the unit attention */
    uint8_t tur[12] = { 0x00 };
    cr_assert_eq(fails_with(tur), 0x062800, "UNIT ATTENTION, medium may have changed");
    ok(tur, 0);
    /* Eject and insert again: REQUEST SENSE reports it and clears it. */
    ide_cdrom_change(&ide, 2, NULL);
    cr_assert_eq(fails_with(tur), 0x023A01);
    ide_cdrom_change(&ide, 2, &cd);
    uint8_t rs[12] = { 0x03, 0, 0, 0, 18 };
    ok(rs, 18);
    cr_assert_eq(data[2], 0x06);
    cr_assert_eq(data[12], 0x28);
    ok(tur, 0);
}

Test(atapi, read_capacity_and_read10_with_byte_count_limit)
{
    with_disc(true);
    uint8_t cap[12] = { 0x25 };
    ok(cap, 8);
    cr_assert_eq(be32_at(data), CD_SECTORS - 1);
    cr_assert_eq(be32_at(data + 4), 2048);
    uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 10, 0, 0, 3 };
    uint32_t n;
    cr_assert_eq(packet_lim(rd, 0x1000, &n) & ATA_ERR, 0);
    cr_assert_eq(n, 3 * 2048);
    cr_assert_eq(nblocks, 2, "4096 + 2048 bytes");
    cr_assert_eq(block_len[0], 4096);
    cr_assert_eq(block_len[1], 2048);
    cr_assert_eq(memcmp(data, mdc.data + 10 * 2048, n), 0);
    /* An odd limit is rounded down to even. */
    cr_assert_eq(packet_lim(rd, 0x0801, &n) & ATA_ERR, 0);
    cr_assert_eq(block_len[0], 0x800);
    cr_assert_eq(memcmp(data, mdc.data + 10 * 2048, n), 0);
    /* A read longer than the drive's buffer (64 KiB) streams through it. */
    uint8_t big[12] = { 0xA8, 0, 0, 0, 0, 1, 0, 0, 0, 40 };
    cr_assert_eq(packet(big, &n) & ATA_ERR, 0);
    cr_assert_eq(n, 40 * 2048);
    cr_assert_eq(memcmp(data, mdc.data + 2048, n), 0, "READ(12)");
    uint8_t zero[12] = { 0x28, 0, 0, 0, 0, 10 };
    ok(zero, 0);
}

Test(atapi, read_errors)
{
    with_disc(true);
    uint8_t past[12] = { 0x28, 0, 0, 0, 0x01, 0x2B, 0, 0, 2 }; /* 299 + 2 */
    cr_assert_eq(fails_with(past), 0x052100, "LBA out of range");
    uint8_t bad[12] = { 0xFF };
    cr_assert_eq(fails_with(bad), 0x052000, "invalid opcode");
    uint8_t wr[12] = { 0x2A, 0, 0, 0, 0, 0, 0, 0, 1 };
    cr_assert_eq(fails_with(wr), 0x052000, "WRITE(10) on a CD-ROM");
    mdc.fail_reads = true;
    uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1 };
    cr_assert_eq(fails_with(rd), 0x031100, "host error: MEDIUM ERROR");
}

Test(atapi, read10_by_dma)
{
    with_disc(true);
    /* PRD: 3000 bytes then the rest of 3 sectors. */
    bus_write(&bus, 0x800, 0x20000, 4);
    bus_write(&bus, 0x804, 3000, 4);
    bus_write(&bus, 0x808, 0x30000, 4);
    bus_write(&bus, 0x80C, 0x80000000u | (3 * 2048 - 3000), 4);
    out8(0x171, 1); /* DMA */
    out8(0x177, 0xA0);
    cr_assert_eq(in8(0x376) & ATA_DRQ, ATA_DRQ);
    uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 50, 0, 0, 3 };
    for (int i = 0; i < 12; i += 2)
        out16(0x170, (uint16_t)(rd[i] | rd[i + 1] << 8));
    bus_out(&bus, 0xC00C, 0x800, 4);
    bus_out(&bus, 0xC008, BM_START | BM_READ, 1);
    run_for(4 * IDE_CMD_DELAY);
    cr_assert_eq(irq15.level, 1);
    cr_assert_eq(bus_in(&bus, 0xC00A, 1) & (BM_ACTIVE | BM_INTR), BM_INTR);
    cr_assert_eq(in8(0x177) & (ATA_ERR | ATA_DRQ | ATA_BSY), 0);
    cr_assert_eq(in8(0x172) & 3, ATAPI_IO | ATAPI_COD);
    cr_assert_eq(memcmp(bus.ram + 0x20000, mdc.data + 50 * 2048, 3000), 0);
    cr_assert_eq(memcmp(bus.ram + 0x30000, mdc.data + 50 * 2048 + 3000, 3 * 2048 - 3000), 0);
    cr_assert_eq(irq14.rises, 0, "the secondary channel is IRQ15");
}

Test(atapi, read_toc_formats)
{
    with_disc(true);
    uint8_t toc[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 100 };
    ok(toc, 20);
    cr_assert_eq(data[0] << 8 | data[1], 18);
    cr_assert_eq(data[2], 1);
    cr_assert_eq(data[3], 1);
    cr_assert_eq(data[5], 0x14, "data track");
    cr_assert_eq(data[6], 1);
    cr_assert_eq(be32_at(data + 8), 0);
    cr_assert_eq(data[14], 0xAA, "lead-out");
    cr_assert_eq(be32_at(data + 16), CD_SECTORS);
    toc[1] = 2; /* MSF */
    ok(toc, 20);
    cr_assert_eq(be32_at(data + 8), 0x000200, "track 1 at 00:02:00");
    cr_assert_eq(be32_at(data + 16), 0x000600, "lead-out at 300+150 frames = 00:06:00");
    toc[6] = 0xAA; /* starting at the lead-out */
    ok(toc, 12);
    toc[6] = 2;
    cr_assert_eq(fails_with(toc), 0x052400);
    uint8_t ses[12] = { 0x43, 0, 1, 0, 0, 0, 0, 0, 12 };
    ok(ses, 12);
    cr_assert_eq(data[0] << 8 | data[1], 10);
    cr_assert_eq(data[6], 1, "first track of the last session");
    uint8_t full[12] = { 0x43, 2, 2, 0, 0, 0, 0, 0, 200 };
    ok(full, 4 + 4 * 11);
    cr_assert_eq(data[4 + 3], 0xA0);
    cr_assert_eq(data[4 + 8], 1, "first track");
    cr_assert_eq(data[15 + 3], 0xA1);
    cr_assert_eq(data[26 + 3], 0xA2);
    cr_assert_eq(data[26 + 8], 0);
    cr_assert_eq(data[26 + 9], 6, "lead-out 00:06:00");
    cr_assert_eq(data[37 + 3], 1);
    /* The old place of the format: byte 9 bits 7-6. */
    uint8_t old[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0x40 };
    ok(old, 12);
}

Test(atapi, mode_sense_pages_and_mode_select)
{
    with_disc(true);
    uint8_t ms[12] = { 0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 128 };
    ok(ms, 28);
    cr_assert_eq(data[0] << 8 | data[1], 26);
    cr_assert_eq(data[2], 0x01, "120 mm data disc");
    cr_assert_eq(data[6] | data[7], 0, "no block descriptors");
    cr_assert_eq(data[8], 0x2A);
    cr_assert_eq(data[9], 0x12);
    cr_assert_eq(data[8 + 6] & 0x29, 0x29, "tray, eject, lock");
    cr_assert_eq(data[8 + 8] << 8 | data[8 + 9], 2816, "16x");
    uint8_t all[12] = { 0x1A, 0, 0x3F, 0, 255 };
    ok(all, 4 + 8 + 20);
    cr_assert_eq(data[0], 31);
    cr_assert_eq(data[4], 0x01, "error recovery page first");
    cr_assert_eq(data[12], 0x2A);
    uint8_t none[12] = { 0x5A, 0, 0x0E, 0, 0, 0, 0, 0, 128 };
    cr_assert_eq(fails_with(none), 0x052400);
    uint8_t saved[12] = { 0x5A, 0, 0xEA, 0, 0, 0, 0, 0, 128 };
    cr_assert_eq(fails_with(saved), 0x053900);
    /* MODE SELECT(10): 16 parameter bytes taken in a data-out phase. */
    uint8_t sel[12] = { 0x55, 0x10, 0, 0, 0, 0, 0, 0, 16 };
    out8(0x174, 0xFE);
    out8(0x175, 0xFF);
    out8(0x177, 0xA0);
    for (int i = 0; i < 12; i += 2)
        out16(0x170, (uint16_t)(sel[i] | sel[i + 1] << 8));
    cr_assert_eq(wait_not_busy(0x170) & ATA_DRQ, ATA_DRQ);
    cr_assert_eq(in8(0x172) & 3, 0, "data from the host");
    cr_assert_eq(in8(0x174), 16);
    for (int i = 0; i < 8; i++)
        out16(0x170, 0);
    cr_assert_eq(wait_not_busy(0x170) & (ATA_DRQ | ATA_ERR), 0);
    cr_assert_eq(in8(0x172) & 3, ATAPI_IO | ATAPI_COD);
}

Test(atapi, eject_lock_and_media_events)
{
    with_disc(true);
    uint8_t ev[12] = { 0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    ok(ev, 8);
    cr_assert_eq(data[2], 0x04, "media class");
    cr_assert_eq(data[4], 0, "no change");
    cr_assert_eq(data[5], 0x02, "medium present");
    uint8_t lock[12] = { 0x1E, 0, 0, 0, 1 };
    ok(lock, 0);
    uint8_t eject[12] = { 0x1B, 0, 0, 0, 0x02 };
    cr_assert_eq(fails_with(eject), 0x055302, "removal prevented");
    lock[4] = 0;
    ok(lock, 0);
    ok(eject, 0);
    uint8_t tur[12] = { 0x00 };
    cr_assert_eq(fails_with(tur), 0x023A02, "tray open");
    ok(ev, 8);
    cr_assert_eq(data[4], 3, "media removal");
    cr_assert_eq(data[5], 0x01, "tray open, no medium");
    ok(ev, 8);
    cr_assert_eq(data[4], 0, "reported once");
    uint8_t load[12] = { 0x1B, 0, 0, 0, 0x03 };
    ok(load, 0);
    cr_assert_eq(fails_with(tur), 0x062800);
    ok(ev, 8);
    cr_assert_eq(data[4], 2, "new media");
    ok(tur, 0);
    uint8_t async[12] = { 0x4A, 0, 0, 0, 0x10, 0, 0, 0, 8 };
    cr_assert_eq(fails_with(async), 0x052400, "only polled");
    uint8_t other[12] = { 0x4A, 1, 0, 0, 0x02, 0, 0, 0, 8 };
    ok(other, 4);
    cr_assert_eq(data[2], 0x80, "NEA for a class not supported");
}

Test(atapi, get_configuration_disc_and_track_information)
{
    with_disc(true);
    uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 1, 0 };
    uint32_t n;
    cr_assert_eq(packet(gc, &n) & ATA_ERR, 0);
    cr_assert_eq(data[6] << 8 | data[7], 0x0008, "current profile: CD-ROM");
    cr_assert_eq(be32_at(data), n - 4);
    cr_assert_eq(data[8] << 8 | data[9], 0x0000, "profile list first");
    cr_assert_eq(data[12] << 8 | data[13], 0x0008);
    cr_assert_eq(data[14] & 1, 1, "current");
    uint8_t one[12] = { 0x46, 2, 0, 0x10, 0, 0, 0, 1, 0 };
    ok(one, 8 + 12);
    cr_assert_eq(data[8] << 8 | data[9], 0x0010, "random readable");
    cr_assert_eq(be32_at(data + 12), 2048);
    uint8_t di[12] = { 0x51, 0, 0, 0, 0, 0, 0, 0, 34 };
    ok(di, 34);
    cr_assert_eq(data[2], 0x0E, "complete disc");
    cr_assert_eq(data[3], 1);
    uint8_t ti[12] = { 0x52, 1, 0, 0, 0, 1, 0, 0, 36 };
    ok(ti, 36);
    cr_assert_eq(be32_at(data + 24), CD_SECTORS, "track size");
    ti[5] = 2;
    cr_assert_eq(fails_with(ti), 0x052400, "no track 2");
    uint8_t rc[12] = { 0xBE, 0, 0, 0, 0, 7, 0, 0, 2, 0x10 };
    ok(rc, 2 * 2048);
    cr_assert_eq(memcmp(data, mdc.data + 7 * 2048, 2 * 2048), 0, "READ CD user data");
    rc[9] = 0xF8;
    cr_assert_eq(fails_with(rc), 0x052400, "raw sectors not offered");
    uint8_t speed[12] = { 0xBB, 0, 0xFF, 0xFF };
    ok(speed, 0);
    uint8_t sk[12] = { 0x2B, 0, 0, 0, 0, 100 };
    ok(sk, 0);
    sk[4] = 0x10;
    cr_assert_eq(fails_with(sk), 0x052100);
}

Test(atapi, read_subchannel_and_mechanism_status)
{
    with_disc(true);
    uint8_t sc[12] = { 0x42, 2, 0x40, 1, 0, 0, 0, 0, 16 };
    ok(sc, 16);
    cr_assert_eq(data[1], 0x15, "no audio status");
    cr_assert_eq(data[2] << 8 | data[3], 12);
    cr_assert_eq(data[4], 1);
    cr_assert_eq(data[6], 1, "track 1");
    cr_assert_eq(be32_at(data + 8), 0x000200, "MSF 00:02:00");
    cr_assert_eq(be32_at(data + 12), 0);
    sc[2] = 0;
    ok(sc, 4);
    sc[2] = 0x40;
    sc[3] = 9;
    cr_assert_eq(fails_with(sc), 0x052400);
    uint8_t mech[12] = { 0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8 };
    ok(mech, 8);
    cr_assert_eq(data[1], 0x00, "door closed");
    uint8_t eject[12] = { 0x1B, 0, 0, 0, 0x02 };
    ok(eject, 0);
    ok(mech, 8);
    cr_assert_eq(data[1], 0x10, "door open");
}

Test(atapi, device_reset_and_slave_alone_on_the_channel)
{
    ide_attach(&ide, 3, DRIVE_CDROM, &cd);
    ide_start();
    cr_assert_eq(in8(0x177), 0x00, "master absent: 00h");
    out8(0x176, 0xB0);
    cr_assert_eq(in8(0x174), 0x14);
    out8(0x174, 0x00);
    out8(0x177, 0x08);
    cr_assert_eq(in8(0x174), 0x14, "DEVICE RESET restores the signature");
    cr_assert_eq(in8(0x176) & 0x10, 0x10, "still selected");
    cr_assert_eq(irq15.rises, 0);
}

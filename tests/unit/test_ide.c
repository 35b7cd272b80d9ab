/* The PIIX3 IDE controller and ATA disks (devices/ide.c, ata_disk.c)
 * against ATA/ATAPI-6 and SFF-8038i: the PCI function, signatures after
 * reset and SRST, absent devices, IDENTIFY DEVICE, PIO reads and writes
 * in CHS, LBA28 and LBA48, READ/WRITE MULTIPLE, BSY/DRQ/INTRQ sequencing
 * and nIEN, errors, bus-master DMA through PRD tables, and the machine's
 * wiring (CMOS geometry, 00:01.1). */
#include "idetest.h"

#include "bus/machine.h"
#include "roms/roms.h"

static struct memdisk md0, md1;
static struct blockdev bd0, bd1;

#define DISK_SECTORS 8192u /* 4 MiB: 8 cylinders of 16 x 63 */

static void setup(void)
{
    ide_fixture_init();
    bd0 = memdisk_new(&md0, (uint64_t)DISK_SECTORS * 512, false);
}

static void teardown(void)
{
    free(md0.data);
    free(md1.data);
    md0.data = md1.data = NULL;
    ide_fixture_fini();
}

TestSuite(ide, .init = setup, .fini = teardown);

/* The primary master alone. */
static void one_disk(void)
{
    ide_attach(&ide, 0, DRIVE_DISK, &bd0);
    ide_start();
}

static void lba28(uint8_t cmd, uint32_t lba, uint8_t count)
{
    out8(0x1F2, count);
    out8(0x1F3, (uint8_t)lba);
    out8(0x1F4, (uint8_t)(lba >> 8));
    out8(0x1F5, (uint8_t)(lba >> 16));
    out8(0x1F6, (uint8_t)(0xE0 | ((lba >> 24) & 15)));
    out8(0x1F7, cmd);
}

static void lba48(uint8_t cmd, uint64_t lba, uint16_t count)
{
    out8(0x1F2, (uint8_t)(count >> 8));
    out8(0x1F3, (uint8_t)(lba >> 24));
    out8(0x1F4, (uint8_t)(lba >> 32));
    out8(0x1F5, (uint8_t)(lba >> 40));
    out8(0x1F2, (uint8_t)count);
    out8(0x1F3, (uint8_t)lba);
    out8(0x1F4, (uint8_t)(lba >> 8));
    out8(0x1F5, (uint8_t)(lba >> 16));
    out8(0x1F6, 0xE0);
    out8(0x1F7, cmd);
}

static void read_words(uint8_t *dst, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i += 2)
        st16(dst + i, in16(0x1F0));
}

static void write_words(const uint8_t *src, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i += 2)
        out16(0x1F0, le16(src + i));
}

/* IDENTIFY DEVICE on the primary channel's selected drive into w. */
static void identify(uint16_t *w)
{
    uint8_t b[512];
    out8(0x1F7, 0xEC);
    cr_assert_eq(wait_not_busy(0x1F0) & (ATA_DRQ | ATA_ERR), ATA_DRQ);
    read_words(b, 512);
    for (int i = 0; i < 256; i++)
        w[i] = le16(b + 2 * i);
}

static void ata_string(const uint16_t *w, unsigned words, char *out)
{
    for (unsigned i = 0; i < words; i++) {
        out[2 * i] = (char)(w[i] >> 8);
        out[2 * i + 1] = (char)w[i];
    }
    out[2 * words] = 0;
}

Test(ide, pci_function_identity_and_bar4)
{
    one_disk();
    cr_assert_eq(cfgr(0x00, 4), 0x70108086u);
    cr_assert_eq(cfgr(0x08, 4) >> 8, 0x010180u, "mass storage, IDE, bus master, legacy");
    cr_assert_eq(cfgr(0x0E, 1), 0x00);
    cr_assert_eq(cfgr(0x20, 4), 0xC001u, "BMIBA: I/O space");
    cfgw(0x20, 0xFFFFFFFFu, 4);
    cr_assert_eq(cfgr(0x20, 4), 0xFFFFFFF1u, "16 bytes of I/O");
    cfgw(0x20, 0xD000, 4);
    cfgw(0x40, 0xA307, 2);
    cr_assert_eq(cfgr(0x40, 2), 0xA307, "IDETIM stored");
    cfgw(0x44, 0x5A, 1);
    cr_assert_eq(cfgr(0x44, 1), 0x5A, "SIDETIM stored");
    /* The bus master registers moved with the BAR. */
    bus_out(&bus, 0xD004, 0x12345678u, 4);
    cr_assert_eq(bus_in(&bus, 0xD004, 4), 0x12345678u & ~3u);
    cr_assert_eq(bus_in(&bus, 0xC004, 4), 0xFFFFFFFFu, "old base released");
}

Test(ide, decode_follows_iose_and_idetim)
{
    ide_attach(&ide, 0, DRIVE_DISK, &bd0);
    ide_register_io(&ide, &bus);
    pci_add(&pcib, &ide.dev, 0x09);
    ide_reset(&ide);
    cr_assert_eq(in8(0x1F7), 0xFF, "PCICMD I/O off, channels disabled: nothing answers");
    cfgw(0x04, 0x0001, 2);
    cr_assert_eq(in8(0x1F7), 0xFF, "IDETIM decode still off");
    cfgw(0x40, 0x8000, 2);
    cr_assert_eq(in8(0x1F7), ATA_DRDY | ATA_DSC);
    cr_assert_eq(in8(0x177), 0xFF, "secondary still off");
}

Test(ide, signatures_after_reset_and_srst)
{
    bd1 = memdisk_new(&md1, 2048 * 16, false);
    ide_attach(&ide, 0, DRIVE_DISK, &bd0);
    ide_attach(&ide, 3, DRIVE_CDROM, &bd1);
    ide_start();
    cr_assert_eq(in8(0x1F2), 1);
    cr_assert_eq(in8(0x1F3), 1);
    cr_assert_eq(in8(0x1F4), 0);
    cr_assert_eq(in8(0x1F5), 0);
    cr_assert_eq(in8(0x1F1), 1, "diagnostic code: passed");
    cr_assert_eq(in8(0x1F7), 0x50);
    out8(0x176, 0x10);
    cr_assert_eq(in8(0x172), 1);
    cr_assert_eq(in8(0x173), 1);
    cr_assert_eq(in8(0x174), 0x14, "ATAPI signature");
    cr_assert_eq(in8(0x175), 0xEB);
    cr_assert_eq(in8(0x177), 0x00, "a packet device has DRDY clear after reset");

    /* SRST: BSY while set, signature once released. */
    out8(0x1F2, 0x55);
    out8(0x1F4, 0xAA);
    out8(0x3F6, ATA_SRST);
    cr_assert_eq(in8(0x3F6) & ATA_BSY, ATA_BSY);
    out8(0x3F6, 0);
    cr_assert_eq(in8(0x3F6), 0x50);
    cr_assert_eq(in8(0x1F2), 1);
    cr_assert_eq(in8(0x1F4), 0);
    out8(0x176, 0x10);
    out8(0x174, 0);
    out8(0x376, ATA_SRST);
    out8(0x376, 0);
    cr_assert_eq(in8(0x177), 0x00, "device 0 selected after SRST; absent: 00h");
    out8(0x176, 0x10);
    cr_assert_eq(in8(0x174), 0x14);
    cr_assert_eq(in8(0x175), 0xEB);
    cr_assert_eq(irq14.rises + irq15.rises, 0, "no interrupt from a reset");
}

Test(ide, absent_devices)
{
    one_disk();
    /* Device 1 absent: device 0 answers 00h for it, so writes do not read back. */
    out8(0x1F6, 0xB0);
    out8(0x1F2, 0x55);
    out8(0x1F3, 0xAA);
    cr_assert_eq(in8(0x1F2), 0x00);
    cr_assert_eq(in8(0x1F3), 0x00);
    cr_assert_eq(in8(0x1F7), 0x00);
    cr_assert_eq(in8(0x3F6), 0x00);
    out8(0x1F7, 0xEC);
    cr_assert_eq(in8(0x1F7), 0x00, "no command runs for an absent device");
    run_for(10 * IDE_CMD_DELAY);
    cr_assert_eq(irq14.rises, 0);
    /* Back on device 0, its copy got the writes. */
    out8(0x1F6, 0xA0);
    cr_assert_eq(in8(0x1F2), 0x55);
    /* The secondary channel has nothing: the bus floats (7Fh). */
    cr_assert_eq(in8(0x177), 0x7F);
    cr_assert_eq(in8(0x376), 0x7F);
    out8(0x172, 0x55);
    cr_assert_eq(in8(0x172), 0x7F);
}

Test(ide, identify_device_contents_and_sequencing)
{
    one_disk();
    uint16_t w[256];
    uint8_t b[512];
    out8(0x1F7, 0xEC);
    cr_assert_eq(in8(0x3F6) & (ATA_BSY | ATA_DRQ), ATA_BSY);
    cr_assert_eq(irq14.level, 0);
    run_for(IDE_CMD_DELAY);
    cr_assert_eq(in8(0x3F6), ATA_DRDY | ATA_DSC | ATA_DRQ);
    cr_assert_eq(irq14.level, 1, "data ready: interrupt");
    cr_assert_eq(in8(0x3F6), ATA_DRDY | ATA_DSC | ATA_DRQ, "alternate status keeps it");
    cr_assert_eq(irq14.level, 1);
    cr_assert_eq(in8(0x1F7) & ATA_DRQ, ATA_DRQ);
    cr_assert_eq(irq14.level, 0, "status read acknowledges");
    read_words(b, 512);
    cr_assert_eq(in8(0x1F7), ATA_DRDY | ATA_DSC, "DRQ clear after 256 words");
    cr_assert_eq(irq14.rises, 1, "no interrupt at the end of a PIO read");
    for (int i = 0; i < 256; i++)
        w[i] = le16(b + 2 * i);
    cr_assert_eq(w[0], 0x0040);
    cr_assert_eq(w[1], 8, "cylinders: 8192 / (16 * 63)");
    cr_assert_eq(w[3], 16);
    cr_assert_eq(w[6], 63);
    char s[41];
    ata_string(w + 27, 20, s);
    cr_assert_str_eq(s, "PCVM HARDDISK                           ");
    cr_assert_eq(b[54], 'C', "byte-swapped: the first character in the high byte");
    cr_assert_eq(b[55], 'P');
    ata_string(w + 10, 10, s);
    cr_assert_eq(strncmp(s, "PCVM1000D", 9), 0, "serial %s", s);
    ata_string(w + 23, 4, s);
    cr_assert_str_eq(s, "1.0     ");
    cr_assert_eq(w[47], 0x8010, "READ/WRITE MULTIPLE up to 16");
    cr_assert_eq(w[49] & 0x0300, 0x0300, "LBA and DMA");
    cr_assert_eq(w[53] & 7, 7);
    cr_assert_eq(w[54], 8);
    cr_assert_eq(w[55], 16);
    cr_assert_eq(w[56], 63);
    cr_assert_eq(w[57] | (uint32_t)w[58] << 16, 8u * 16 * 63);
    cr_assert_eq(w[60] | (uint32_t)w[61] << 16, DISK_SECTORS);
    cr_assert_eq(w[83] & 0xC400, 0x4400, "48-bit addressing");
    cr_assert_eq(w[86] & 0x0400, 0x0400);
    cr_assert_eq(w[100] | (uint32_t)w[101] << 16, DISK_SECTORS);
    cr_assert_eq(w[102] | w[103], 0);
    cr_assert_eq(w[255] & 0xFF, 0xA5);
    uint8_t sum = 0;
    for (int i = 0; i < 512; i++)
        sum = (uint8_t)(sum + b[i]);
    cr_assert_eq(sum, 0, "integrity word checksum");
}

Test(ide, identify_large_disk_caps_chs_and_lba28)
{
    uint64_t sectors = 200ull << 21; /* 200 GiB */
    bd0 = memdisk_new(&md0, sectors * 512, true);
    one_disk();
    uint16_t w[256];
    identify(w);
    cr_assert_eq(w[1], 16383);
    cr_assert_eq(w[3], 16);
    cr_assert_eq(w[6], 63);
    cr_assert_eq(w[60] | (uint32_t)w[61] << 16, 0x0FFFFFFFu);
    uint64_t cap = w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32 | (uint64_t)w[103] << 48;
    cr_assert_eq(cap, sectors);
    unsigned c, h, s;
    cr_assert(ide_disk_geometry(&ide, 0, &c, &h, &s));
    cr_assert_eq(c, 16383);
    cr_assert(!ide_disk_geometry(&ide, 1, &c, &h, &s));
}

Test(ide, pio_read_lba28_one_interrupt_per_sector)
{
    one_disk();
    uint8_t b[3 * 512];
    lba28(0x20, 5, 3);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(wait_not_busy(0x1F0) & (ATA_DRQ | ATA_ERR), ATA_DRQ, "block %d", i);
        cr_assert_eq(irq14.level, 1);
        cr_assert_eq(in8(0x1F7) & ATA_DRQ, ATA_DRQ);
        read_words(b + 512 * i, 512);
    }
    cr_assert_eq(in8(0x1F7), 0x50);
    cr_assert_eq(irq14.rises, 3);
    cr_assert_eq(memcmp(b, md0.data + 5 * 512, sizeof b), 0);
    cr_assert_eq(in8(0x1F3), 7, "the taskfile holds the last sector read");
}

/* READ SECTORS of one sector at cylinder c, head h, sector s. */
static void read_chs(uint8_t *b, unsigned c, unsigned h, unsigned s)
{
    out8(0x1F2, 1);
    out8(0x1F3, (uint8_t)s);
    out8(0x1F4, (uint8_t)c);
    out8(0x1F5, (uint8_t)(c >> 8));
    out8(0x1F6, (uint8_t)(0xA0 | h));
    out8(0x1F7, 0x20);
    cr_assert_eq(wait_not_busy(0x1F0) & (ATA_DRQ | ATA_ERR), ATA_DRQ);
    read_words(b, 512);
}

Test(ide, pio_read_chs_with_initialize_device_parameters)
{
    one_disk();
    uint8_t b[512];
    /* Default translation 16/63: C=2 H=3 S=4 is (2*16+3)*63+3. */
    read_chs(b, 2, 3, 4);
    cr_assert_eq(memcmp(b, md0.data + (uint64_t)((2 * 16 + 3) * 63 + 3) * 512, 512), 0);
    /* INITIALIZE DEVICE PARAMETERS: 4 heads, 17 sectors per track. */
    out8(0x1F2, 17);
    out8(0x1F6, 0xA3);
    out8(0x1F7, 0x91);
    cr_assert_eq(wait_not_busy(0x1F0) & ATA_ERR, 0);
    uint16_t w[256];
    out8(0x1F6, 0xA0);
    identify(w);
    cr_assert_eq(w[55], 4);
    cr_assert_eq(w[56], 17);
    cr_assert_eq(w[54], DISK_SECTORS / (4 * 17));
    cr_assert_eq(w[1], 8, "the default geometry is unchanged");
    read_chs(b, 1, 2, 3);
    cr_assert_eq(memcmp(b, md0.data + (uint64_t)((1 * 4 + 2) * 17 + 2) * 512, 512), 0);
    /* WRITE SECTORS in CHS: C=3 H=1 S=17 of 4/17 is (3*4+1)*17+16. */
    uint8_t src[512];
    for (unsigned i = 0; i < 512; i++)
        src[i] = (uint8_t)(i ^ 0xC3);
    out8(0x1F2, 1);
    out8(0x1F3, 17);
    out8(0x1F4, 3);
    out8(0x1F5, 0);
    out8(0x1F6, 0xA1);
    out8(0x1F7, 0x30);
    write_words(src, 512);
    cr_assert_eq(wait_not_busy(0x1F0), 0x50);
    cr_assert_eq(memcmp(md0.data + (uint64_t)((3 * 4 + 1) * 17 + 16) * 512, src, 512), 0);
    /* Head 4 or sector 18 are outside that translation. */
    out8(0x1F3, 18);
    out8(0x1F6, 0xA0);
    out8(0x1F7, 0x20);
    cr_assert_eq(in8(0x1F7) & ATA_ERR, ATA_ERR);
    cr_assert_eq(in8(0x1F1), ATA_IDNF);
}

Test(ide, pio_read_lba48_and_hob_readback)
{
    uint64_t sectors = 0x200000000ull; /* 8 Ti sectors: needs 48 bits */
    bd0 = memdisk_new(&md0, sectors * 512, true);
    one_disk();
    uint64_t lba = 0x123456789ull;
    uint8_t b[1024];
    lba48(0x24, lba, 2);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(wait_not_busy(0x1F0) & (ATA_DRQ | ATA_ERR), ATA_DRQ);
        read_words(b + 512 * i, 512);
    }
    cr_assert_eq(in8(0x1F7), 0x50);
    for (int i = 0; i < 2; i++) {
        uint64_t got = 0;
        for (int k = 0; k < 8; k++)
            got |= (uint64_t)b[512 * i + k] << (8 * k);
        cr_assert_eq(got, lba + (uint64_t)i, "sector %d", i);
    }
    /* The last sector's address: low bytes, then with HOB the high ones. */
    cr_assert_eq(in8(0x1F3), 0x8A);
    cr_assert_eq(in8(0x1F4), 0x67);
    cr_assert_eq(in8(0x1F5), 0x45);
    out8(0x3F6, ATA_HOB);
    cr_assert_eq(in8(0x1F3), 0x23);
    cr_assert_eq(in8(0x1F4), 0x01);
    cr_assert_eq(in8(0x1F5), 0x00);
    out8(0x1F2, 9); /* a taskfile write clears HOB */
    cr_assert_eq(in8(0x1F3), 0x8A);
    /* READ NATIVE MAX ADDRESS EXT */
    out8(0x1F6, 0xE0);
    out8(0x1F7, 0x27);
    cr_assert_eq(wait_not_busy(0x1F0) & ATA_ERR, 0);
    uint64_t max = in8(0x1F3) | (uint64_t)in8(0x1F4) << 8 | (uint64_t)in8(0x1F5) << 16;
    out8(0x3F6, ATA_HOB);
    max |= (uint64_t)in8(0x1F3) << 24 | (uint64_t)in8(0x1F4) << 32 | (uint64_t)in8(0x1F5) << 40;
    cr_assert_eq(max, sectors - 1);
}

Test(ide, pio_write_lands_in_the_image)
{
    one_disk();
    uint8_t src[2 * 512];
    for (unsigned i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 7 + 3);
    lba28(0x30, 100, 2);
    cr_assert_eq(in8(0x3F6), ATA_DRDY | ATA_DSC | ATA_DRQ, "first block asked at once");
    cr_assert_eq(irq14.rises, 0, "without an interrupt");
    write_words(src, 512);
    cr_assert_eq(in8(0x3F6) & (ATA_BSY | ATA_DRQ), ATA_BSY);
    cr_assert_eq(memcmp(md0.data + 100 * 512, src, 512), 0, "written at once");
    run_for(IDE_CMD_DELAY);
    cr_assert_eq(in8(0x3F6) & ATA_DRQ, ATA_DRQ);
    cr_assert_eq(irq14.rises, 1);
    in8(0x1F7);
    write_words(src + 512, 512);
    cr_assert_eq(in8(0x3F6) & ATA_BSY, ATA_BSY);
    run_for(IDE_CMD_DELAY);
    cr_assert_eq(irq14.rises, 2, "completion interrupt");
    cr_assert_eq(in8(0x1F7), 0x50);
    cr_assert_eq(memcmp(md0.data + 100 * 512, src, sizeof src), 0);
    cr_assert_eq(md0.data[102 * 512], synth_byte(102 * 512), "nothing beyond");
}

Test(ide, read_write_multiple_blocks)
{
    one_disk();
    uint8_t b[10 * 512];
    uint16_t w[256];
    identify(w);
    cr_assert_eq(w[59], 0x0110, "enabled at 16 sectors after reset");
    out8(0x1F2, 0);
    out8(0x1F7, 0xC6);
    cr_assert_eq(wait_not_busy(0x1F0) & ATA_ERR, 0, "0 disables");
    identify(w);
    cr_assert_eq(w[59] & 0x0100, 0);
    lba28(0xC4, 0, 10);
    cr_assert_eq(in8(0x1F7) & ATA_ERR, ATA_ERR, "READ MULTIPLE while disabled aborts");
    cr_assert_eq(in8(0x1F1), ATA_ABRT);
    out8(0x1F2, 3);
    out8(0x1F7, 0xC6);
    cr_assert_eq(in8(0x1F7) & ATA_ERR, ATA_ERR, "3 is not a power of two");
    out8(0x1F2, 4);
    out8(0x1F7, 0xC6);
    cr_assert_eq(wait_not_busy(0x1F0) & ATA_ERR, 0);
    identify(w);
    cr_assert_eq(w[59], 0x0104);
    irq14.rises = 0;
    lba28(0xC4, 20, 10);
    unsigned blocks[3] = { 4, 4, 2 }, off = 0;
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(wait_not_busy(0x1F0) & (ATA_DRQ | ATA_ERR), ATA_DRQ);
        in8(0x1F7);
        read_words(b + off, blocks[i] * 512);
        off += blocks[i] * 512;
        if (i < 2)
            cr_assert_eq(in8(0x3F6) & ATA_BSY, ATA_BSY, "block %d ends: next one coming", i);
    }
    cr_assert_eq(in8(0x1F7), 0x50);
    cr_assert_eq(irq14.rises, 3, "one interrupt per block");
    cr_assert_eq(memcmp(b, md0.data + 20 * 512, sizeof b), 0);
    /* WRITE MULTIPLE EXT: 6 sectors as 4 + 2. */
    for (unsigned i = 0; i < 6 * 512; i++)
        b[i] = (uint8_t)~i;
    lba48(0x39, 300, 6);
    cr_assert_eq(in8(0x3F6) & ATA_DRQ, ATA_DRQ);
    write_words(b, 4 * 512);
    cr_assert_eq(wait_not_busy(0x1F0) & ATA_DRQ, ATA_DRQ);
    write_words(b + 4 * 512, 512);
    cr_assert_eq(in8(0x3F6) & ATA_DRQ, ATA_DRQ, "a 2-sector block takes 512 words");
    write_words(b + 5 * 512, 512);
    cr_assert_eq(wait_not_busy(0x1F0), 0x50);
    cr_assert_eq(memcmp(md0.data + 300 * 512, b, 6 * 512), 0);
}

Test(ide, nien_masks_the_interrupt)
{
    one_disk();
    out8(0x3F6, ATA_NIEN);
    out8(0x1F7, 0xEC);
    run_for(IDE_CMD_DELAY);
    cr_assert_eq(in8(0x3F6) & ATA_DRQ, ATA_DRQ);
    cr_assert_eq(irq14.level, 0, "nIEN: INTRQ not driven");
    out8(0x3F6, 0);
    cr_assert_eq(irq14.level, 1, "the pending interrupt shows once enabled");
    in8(0x1F7);
    cr_assert_eq(irq14.level, 0);
}

Test(ide, errors_idnf_abrt_unc)
{
    one_disk();
    lba28(0x20, DISK_SECTORS - 2, 4);
    cr_assert_eq(in8(0x3F6), ATA_DRDY | ATA_DSC | ATA_ERR);
    cr_assert_eq(in8(0x1F1), ATA_IDNF);
    cr_assert_eq(irq14.level, 1, "an error interrupts");
    in8(0x1F7);
    lba48(0x24, DISK_SECTORS, 1);
    cr_assert_eq(in8(0x1F1), ATA_IDNF, "LBA48 beyond the end");
    out8(0x1F7, 0xB0);
    cr_assert_eq(in8(0x1F7), ATA_DRDY | ATA_DSC | ATA_ERR, "SMART: not supported");
    cr_assert_eq(in8(0x1F1), ATA_ABRT);
    out8(0x1F7, 0xA0);
    cr_assert_eq(in8(0x1F1), ATA_ABRT, "PACKET to a disk");
    out8(0x1F7, 0xA1);
    cr_assert_eq(in8(0x1F1), ATA_ABRT, "IDENTIFY PACKET to a disk");
    md0.fail_reads = true;
    lba28(0x20, 40, 1);
    cr_assert_eq(wait_not_busy(0x1F0) & (ATA_ERR | ATA_DRQ), ATA_ERR);
    cr_assert_eq(in8(0x1F1), ATA_UNC, "host read error");
    cr_assert_eq(in8(0x1F3), 40, "failing sector in the taskfile");
    md0.fail_reads = false;
    lba28(0x20, 40, 1);
    cr_assert_eq(wait_not_busy(0x1F0) & (ATA_ERR | ATA_DRQ), ATA_DRQ, "recovers");
}

Test(ide, read_only_medium_fails_writes)
{
    bd0.read_only = true;
    one_disk();
    uint8_t before = md0.data[7 * 512];
    lba28(0x30, 7, 1);
    cr_assert_eq(in8(0x1F7), ATA_DRDY | ATA_DSC | ATA_ERR);
    cr_assert_eq(in8(0x1F1), ATA_ABRT);
    lba28(0xCA, 7, 1);
    cr_assert_eq(in8(0x1F1), ATA_ABRT, "WRITE DMA too");
    cr_assert_eq(md0.writes, 0);
    cr_assert_eq(md0.data[7 * 512], before);
    lba28(0x20, 7, 1);
    cr_assert_eq(wait_not_busy(0x1F0) & ATA_DRQ, ATA_DRQ, "reads still work");
}

Test(ide, data_port_32bit)
{
    one_disk();
    uint8_t b[512];
    lba28(0x20, 33, 1);
    wait_not_busy(0x1F0);
    for (int i = 0; i < 128; i++)
        st32(b + 4 * i, bus_in(&bus, 0x1F0, 4));
    cr_assert_eq(in8(0x1F7), 0x50);
    cr_assert_eq(memcmp(b, md0.data + 33 * 512, 512), 0);
    lba28(0x30, 34, 1);
    for (int i = 0; i < 128; i++)
        bus_out(&bus, 0x1F0, 0xA5A50000u | (uint32_t)i, 4);
    cr_assert_eq(wait_not_busy(0x1F0), 0x50);
    cr_assert_eq(le32(md0.data + 34 * 512 + 4 * 9), 0xA5A50009u);
}

/* A PRD entry at `at`: region address, byte count (0 = 64 KiB), EOT. */
static void prd(uint32_t at, uint32_t addr, uint32_t count, bool eot)
{
    bus_write(&bus, at, addr, 4);
    bus_write(&bus, at + 4, (count & 0xFFFF) | (eot ? 0x80000000u : 0), 4);
}

static void bm_go(uint32_t table, bool to_memory)
{
    bus_out(&bus, 0xC004, table, 4);
    bus_out(&bus, 0xC002, BM_INTR | BM_ERROR, 1);
    bus_out(&bus, 0xC000, (uint8_t)(BM_START | (to_memory ? BM_READ : 0)), 1);
}

/* Stops the bus master, starts it again on a table (device to memory)
 * and expects the drive's interrupt. */
static void bm_restart(uint32_t table, unsigned rises)
{
    bus_out(&bus, 0xC000, 0, 1);
    bm_go(table, true);
    run_for(2 * IDE_DMA_DELAY);
    cr_assert_eq(irq14.level, 1);
    cr_assert_eq(irq14.rises, rises);
}

Test(ide, dma_read_through_a_prd_table)
{
    one_disk();
    prd(0x1000, 0x10000, 512, false);
    prd(0x1008, 0x20000, 1024, false);
    prd(0x1010, 0x30000, 512, true);
    lba28(0xC8, 7, 4);
    bm_go(0x1000, true);
    cr_assert_eq(bus_in(&bus, 0xC002, 1) & BM_ACTIVE, BM_ACTIVE);
    cr_assert_eq(irq14.rises, 0);
    run_for(2 * IDE_CMD_DELAY + IDE_DMA_DELAY);
    cr_assert_eq(irq14.level, 1);
    cr_assert_eq(bus_in(&bus, 0xC002, 1) & (BM_ACTIVE | BM_INTR | BM_ERROR), BM_INTR,
                 "table used up exactly: Active clear, Interrupt set");
    bus_out(&bus, 0xC000, 0, 1);
    cr_assert_eq(in8(0x1F7), 0x50);
    cr_assert_eq(memcmp(bus.ram + 0x10000, md0.data + 7 * 512, 512), 0);
    cr_assert_eq(memcmp(bus.ram + 0x20000, md0.data + 8 * 512, 1024), 0);
    cr_assert_eq(memcmp(bus.ram + 0x30000, md0.data + 10 * 512, 512), 0);
    cr_assert_eq(bus.ram[0x30200], 0, "nothing past the region");
    bus_out(&bus, 0xC002, BM_INTR, 1);
    cr_assert_eq(bus_in(&bus, 0xC002, 1) & BM_INTR, 0, "write 1 clears");
}

Test(ide, dma_write_ext_and_a_larger_table)
{
    one_disk();
    for (unsigned i = 0; i < 1536; i++)
        bus.ram[0x40000 + i] = (uint8_t)(i * 13);
    prd(0x2000, 0x40000, 1000, false);   /* regions need not be sector-sized */
    prd(0x2008, 0x40000 + 1000, 0, true); /* 64 KiB: more than the transfer */
    lba48(0x35, 200, 3);
    bm_go(0x2000, false);
    run_for(3 * IDE_CMD_DELAY);
    cr_assert_eq(irq14.level, 1);
    cr_assert_eq(bus_in(&bus, 0xC002, 1) & (BM_ACTIVE | BM_INTR), BM_ACTIVE | BM_INTR,
                 "table larger than the transfer: Active stays set");
    cr_assert_eq(in8(0x1F7), 0x50);
    cr_assert_eq(memcmp(md0.data + 200 * 512, bus.ram + 0x40000, 1536), 0);
}

Test(ide, dma_table_smaller_than_the_transfer)
{
    one_disk();
    prd(0x3000, 0x50000, 512, true);
    lba28(0xC8, 0, 2);
    bm_go(0x3000, true);
    run_for(4 * IDE_CMD_DELAY);
    cr_assert_eq(bus_in(&bus, 0xC002, 1) & (BM_ACTIVE | BM_INTR), 0, "Active and Interrupt clear");
    cr_assert_eq(irq14.level, 0);
    cr_assert_eq(in8(0x3F6) & ATA_DRQ, ATA_DRQ, "the drive still wants to transfer");
    cr_assert_eq(memcmp(bus.ram + 0x50000, md0.data, 512), 0);
    /* A second table finishes it. */
    prd(0x3000, 0x60000, 512, true);
    bm_restart(0x3000, 1);
    cr_assert_eq(memcmp(bus.ram + 0x60000, md0.data + 512, 512), 0);
}

Test(ide, dma_needs_bus_master_enable)
{
    one_disk();
    cfgw(0x04, 0x0001, 2);
    prd(0x1000, 0x10000, 512, true);
    lba28(0xC8, 1, 1);
    bm_go(0x1000, true);
    run_for(4 * IDE_CMD_DELAY);
    cr_assert_eq(irq14.rises, 0, "BME off: no transfer");
    cfgw(0x04, 0x0005, 2);
    bm_restart(0x1000, 1);
    cr_assert_eq(memcmp(bus.ram + 0x10000, md0.data + 512, 512), 0);
}

Test(ide, housekeeping_commands)
{
    one_disk();
    /* FLUSH CACHE reaches the blockdev. */
    out8(0x1F7, 0xE7);
    cr_assert_eq(wait_not_busy(0x1F0), 0x50);
    cr_assert_eq(md0.flushes, 1);
    out8(0x1F7, 0xEA);
    wait_not_busy(0x1F0);
    cr_assert_eq(md0.flushes, 2);
    /* Power states. */
    out8(0x1F7, 0xE0);
    wait_not_busy(0x1F0);
    out8(0x1F7, 0xE5);
    wait_not_busy(0x1F0);
    cr_assert_eq(in8(0x1F2), 0x00, "standby");
    out8(0x1F7, 0xE1);
    wait_not_busy(0x1F0);
    out8(0x1F7, 0xE5);
    wait_not_busy(0x1F0);
    cr_assert_eq(in8(0x1F2), 0xFF, "active or idle");
    /* SET FEATURES: write cache off shows in word 85; transfer mode in 63. */
    out8(0x1F1, 0x82);
    out8(0x1F7, 0xEF);
    cr_assert_eq(wait_not_busy(0x1F0) & ATA_ERR, 0);
    out8(0x1F1, 0x03);
    out8(0x1F2, 0x22);
    out8(0x1F7, 0xEF);
    cr_assert_eq(wait_not_busy(0x1F0) & ATA_ERR, 0);
    uint16_t w[256];
    identify(w);
    cr_assert_eq(w[85] & 0x20, 0);
    cr_assert_eq(w[82] & 0x20, 0x20);
    cr_assert_eq(w[63], 0x0407, "MW DMA 2 selected");
    out8(0x1F1, 0x03);
    out8(0x1F2, 0x50);
    out8(0x1F7, 0xEF);
    cr_assert_eq(in8(0x1F1), ATA_ABRT, "no such transfer mode");
    /* READ NATIVE MAX ADDRESS, VERIFY, SEEK, RECALIBRATE. */
    out8(0x1F6, 0xE0);
    out8(0x1F7, 0xF8);
    wait_not_busy(0x1F0);
    cr_assert_eq(in8(0x1F3) | in8(0x1F4) << 8 | in8(0x1F5) << 16, DISK_SECTORS - 1);
    lba28(0x40, 10, 5);
    cr_assert_eq(wait_not_busy(0x1F0), 0x50);
    cr_assert_eq(md0.reads, 0, "verify moves no data");
    lba28(0x40, DISK_SECTORS - 1, 2);
    cr_assert_eq(in8(0x1F1), ATA_IDNF);
    lba28(0x70, 1000, 0);
    cr_assert_eq(wait_not_busy(0x1F0), 0x50);
    out8(0x1F7, 0x10);
    cr_assert_eq(wait_not_busy(0x1F0), 0x50);
}

Test(ide, execute_device_diagnostic_both_devices)
{
    bd1 = memdisk_new(&md1, 512 * 2048, false);
    ide_attach(&ide, 0, DRIVE_DISK, &bd0);
    ide_attach(&ide, 1, DRIVE_DISK, &bd1);
    ide_start();
    out8(0x1F6, 0xB0);
    out8(0x1F2, 0x33);
    out8(0x1F7, 0x90);
    cr_assert_eq(irq14.level, 1);
    cr_assert_eq(in8(0x1F6), 0x00, "device 0 selected afterwards");
    cr_assert_eq(in8(0x1F2), 1);
    cr_assert_eq(in8(0x1F1), 0x01);
    out8(0x1F6, 0xB0);
    cr_assert_eq(in8(0x1F2), 1, "device 1 has its signature too");
    cr_assert_eq(in8(0x1F7), 0x50);
    /* Slave identify: its own capacity and serial. */
    uint16_t w[256];
    identify(w);
    cr_assert_eq(w[60], 2048);
    cr_assert_eq(w[93] & 0x0100, 0x0100, "device 1 reset result");
}

Test(ide, machine_wiring)
{
    struct memdisk cdm;
    struct blockdev cd = memdisk_new(&cdm, 2048 * 100, false);
    struct machine_config cfg = { .bios = rom_test_halt, .bios_size = rom_test_halt_size };
    cfg.ide[0].kind = DRIVE_DISK;
    cfg.ide[0].media = &bd0;
    struct memdisk bigm;
    struct blockdev big = memdisk_new(&bigm, 10ull << 30, true);
    cfg.ide[1].kind = DRIVE_DISK;
    cfg.ide[1].media = &big;
    cfg.ide[2].kind = DRIVE_CDROM;
    cfg.ide[2].media = NULL;
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(cmos_get(&m->cmos, 0x19), 47);
    cr_assert_eq(cmos_get(&m->cmos, 0x1B) | cmos_get(&m->cmos, 0x1C) << 8, 8);
    cr_assert_eq(cmos_get(&m->cmos, 0x1D), 16);
    cr_assert_eq(cmos_get(&m->cmos, 0x23), 63);
    cr_assert_eq(cmos_get(&m->cmos, 0x12), 0xFF, "drive 1: type 47 in 0x1A");
    cr_assert_eq(cmos_get(&m->cmos, 0x24) | cmos_get(&m->cmos, 0x25) << 8, 16383);
    cr_assert_eq(cmos_get(&m->cmos, 0x39), 0x04, "LBA translation for drive 1 only");
    bus_out(&m->bus, 0xCF8, 0x80000900u, 4);
    cr_assert_eq(bus_in(&m->bus, 0xCFC, 4), 0x70108086u, "00:01.1");
    cr_assert(machine_cdrom_change(m, 2, &cd));
    cr_assert(!machine_cdrom_change(m, 0, &cd));
    cr_assert(m->ide.ch[1].drive[0].ua, "medium changed: unit attention");
    machine_reset(m);
    bus_out(&m->bus, 0xCF8, 0x80000900u, 4);
    cr_assert_eq(bus_in(&m->bus, 0xCFC, 4), 0x70108086u);
    machine_free(m);
    free(cdm.data);

    /* A disk without an image is refused with a message. */
    cfg.ide[0].media = NULL;
    cfg.ide[1].kind = DRIVE_NONE;
    cr_assert_null(machine_create(&cfg, err, sizeof err));
    cr_assert(strstr(err, "IDE drive 0") != NULL, "%s", err);
}

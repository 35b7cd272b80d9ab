/* The ATA command set of a hard disk (ATA/ATAPI-6, T13 1410D): IDENTIFY
 * DEVICE, PIO, multiple and DMA reads and writes in CHS, LBA28 and LBA48,
 * READ VERIFY, SEEK, INITIALIZE DEVICE PARAMETERS, SET MULTIPLE MODE,
 * SET FEATURES, FLUSH CACHE, READ NATIVE MAX ADDRESS.
 *
 * Geometry: the default translation is 16 heads and 63 sectors per track
 * with the cylinder count capped at 16383, the values BIOSes expect
 * (ATA/ATAPI-6 annex: devices above 8.4 GB report 16383/16/63).
 *
 * Every write goes to the blockdev at once; a read-only medium fails
 * writes with ABRT before any data moves, a host read error is UNC and a
 * host write error ABRT, with the failing sector's address left in the
 * taskfile.
 */
#include "ide.h"

#include <string.h>

#define MAX_LBA28 0x0FFFFFFFull

void ata_disk_setup(struct ide_drive *d)
{
    d->sectors = d->bd ? d->bd->size / IDE_SECTOR : 0;
    uint64_t cyl = d->sectors / (16 * 63);
    if (cyl > 16383)
        cyl = 16383;
    if (cyl == 0)
        cyl = 1;
    d->cyls = (uint16_t)cyl;
    d->heads = 16;
    d->secs = 63;
}

void ata_disk_reset(struct ide_drive *d)
{
    d->cur_cyls = d->cyls;
    d->cur_heads = d->heads;
    d->cur_secs = d->secs;
    /* READ/WRITE MULTIPLE enabled at the largest block after a hardware
     * reset (word 59 says so; SET MULTIPLE MODE 0 disables it), so a
     * driver that only reads word 59, as Linux's libata does, uses it. */
    d->mult = IDE_MAX_MULT;
    d->wcache = true;
}

static bool is_lba(const struct ide_drive *d) { return (d->select & 0x40) != 0; }

/* The starting sector from the taskfile; false for a CHS address outside
 * the current translation. */
static bool tf_lba(const struct ide_drive *d, bool lba48, uint64_t *out)
{
    if (lba48) {
        *out = (uint64_t)d->hob_hcyl << 40 | (uint64_t)d->hob_lcyl << 32 |
               (uint64_t)d->hob_sector << 24 | (uint64_t)d->hcyl << 16 |
               (uint64_t)d->lcyl << 8 | d->sector;
        return true;
    }
    if (is_lba(d)) {
        *out = (uint64_t)(d->select & 0x0F) << 24 | (uint64_t)d->hcyl << 16 |
               (uint64_t)d->lcyl << 8 | d->sector;
        return true;
    }
    unsigned cyl = (unsigned)d->lcyl | (unsigned)d->hcyl << 8;
    unsigned head = d->select & 0x0F, sec = d->sector;
    if (sec == 0 || sec > d->cur_secs || head >= d->cur_heads || cyl >= d->cur_cyls)
        return false;
    *out = ((uint64_t)cyl * d->cur_heads + head) * d->cur_secs + (sec - 1);
    return true;
}

/* Puts a sector's address back in the taskfile (the last one moved, or
 * the one that failed). */
static void tf_set_lba(struct ide_drive *d, uint64_t lba)
{
    if (d->lba48) {
        d->sector = (uint8_t)lba;
        d->lcyl = (uint8_t)(lba >> 8);
        d->hcyl = (uint8_t)(lba >> 16);
        d->hob_sector = (uint8_t)(lba >> 24);
        d->hob_lcyl = (uint8_t)(lba >> 32);
        d->hob_hcyl = (uint8_t)(lba >> 40);
    } else if (is_lba(d)) {
        d->sector = (uint8_t)lba;
        d->lcyl = (uint8_t)(lba >> 8);
        d->hcyl = (uint8_t)(lba >> 16);
        d->select = (uint8_t)((d->select & 0xF0) | ((lba >> 24) & 0x0F));
    } else {
        unsigned spc = (unsigned)d->cur_heads * d->cur_secs;
        uint64_t cyl = lba / spc;
        unsigned rem = (unsigned)(lba % spc);
        d->lcyl = (uint8_t)cyl;
        d->hcyl = (uint8_t)(cyl >> 8);
        d->select = (uint8_t)((d->select & 0xF0) | (rem / d->cur_secs));
        d->sector = (uint8_t)(rem % d->cur_secs + 1);
    }
}

static uint32_t tf_count(const struct ide_drive *d, bool lba48)
{
    if (lba48) {
        uint32_t n = (uint32_t)d->hob_nsect << 8 | d->nsect;
        return n ? n : 65536;
    }
    return d->nsect ? d->nsect : 256;
}

/* ------------------------------------------------------------ PIO */

static void read_block(struct ide_drive *d);
static void write_block(struct ide_drive *d, bool irq);

static void fail_at(struct ide_drive *d, uint8_t error)
{
    tf_set_lba(d, d->lba);
    ide_fail(d, error);
}

static void read_done(struct ide_drive *d)
{
    d->lba += d->xfer;
    d->left -= d->xfer;
    tf_set_lba(d, d->lba - 1);
    if (d->left)
        ide_schedule(d, IDE_CMD_DELAY, read_block);
    else
        d->status = ATA_DRDY | ATA_DSC; /* the last block: no interrupt */
}

static void read_block(struct ide_drive *d)
{
    uint32_t n = d->left < d->block ? d->left : d->block;
    if (blockdev_read(d->bd, d->lba * IDE_SECTOR, d->buf, (size_t)n * IDE_SECTOR)) {
        fail_at(d, ATA_UNC);
        return;
    }
    d->xfer = n;
    ide_pio(d, 0, n * IDE_SECTOR, false, read_done, true);
}

static void write_next(struct ide_drive *d) { write_block(d, true); }

static void write_done(struct ide_drive *d)
{
    if (blockdev_write(d->bd, d->lba * IDE_SECTOR, d->buf, (size_t)d->xfer * IDE_SECTOR)) {
        fail_at(d, ATA_ABRT);
        return;
    }
    d->lba += d->xfer;
    d->left -= d->xfer;
    tf_set_lba(d, d->lba - 1);
    ide_schedule(d, IDE_CMD_DELAY, d->left ? write_next : ide_complete);
}

/* The first block of a write is requested without an interrupt; later
 * ones with one (ATA/ATAPI-6 9.8, PIO data-out). */
static void write_block(struct ide_drive *d, bool irq)
{
    uint32_t n = d->left < d->block ? d->left : d->block;
    d->xfer = n;
    ide_pio(d, 0, n * IDE_SECTOR, true, write_done, irq);
}

/* ------------------------------------------------------------ DMA */

static int dma_next(struct ide_drive *d)
{
    if (d->write && d->len) {
        if (blockdev_write(d->bd, d->lba * IDE_SECTOR, d->buf, d->len))
            return -1;
    }
    d->lba += d->xfer;
    d->left -= d->xfer;
    d->xfer = 0;
    if (!d->left)
        return 0;
    uint32_t n = d->left < IDE_BUF_SIZE / IDE_SECTOR ? d->left : IDE_BUF_SIZE / IDE_SECTOR;
    if (!d->write && blockdev_read(d->bd, d->lba * IDE_SECTOR, d->buf, (size_t)n * IDE_SECTOR))
        return -1;
    d->xfer = n;
    d->pos = 0;
    d->len = n * IDE_SECTOR;
    return 1;
}

static void dma_end(struct ide_drive *d, int result)
{
    if (result < 0) {
        fail_at(d, d->write ? ATA_ABRT : ATA_UNC);
        return;
    }
    tf_set_lba(d, d->lba - 1);
    ide_complete(d);
}

/* ------------------------------------------------------------ commands */

enum xfer { PIO, MULTIPLE, DMA };

static void rw(struct ide_drive *d, bool write, bool lba48, enum xfer how)
{
    uint64_t lba;
    uint32_t n = tf_count(d, lba48);
    d->lba48 = lba48;
    if (how == MULTIPLE && !d->mult) {
        ide_fail(d, ATA_ABRT); /* SET MULTIPLE MODE has not enabled it */
        return;
    }
    if (!tf_lba(d, lba48, &lba) || lba >= d->sectors || n > d->sectors - lba) {
        ide_fail(d, ATA_IDNF);
        return;
    }
    if (write && (!d->bd || d->bd->read_only)) {
        ide_fail(d, ATA_ABRT);
        return;
    }
    d->power = 0xFF; /* media access spins the drive up */
    d->write = write;
    d->lba = lba;
    d->left = n;
    d->xfer = 0;
    d->block = how == MULTIPLE ? d->mult : 1;
    if (how == DMA) {
        d->dma_in = !write;
        d->dma_next = dma_next;
        d->dma_end = dma_end;
        d->pos = d->len = 0;
        ide_dma_begin(d);
    } else if (write) {
        write_block(d, false);
    } else {
        ide_schedule(d, IDE_CMD_DELAY, read_block);
    }
}

static void verify(struct ide_drive *d, bool lba48)
{
    uint64_t lba;
    uint32_t n = tf_count(d, lba48);
    d->lba48 = lba48;
    if (!tf_lba(d, lba48, &lba) || lba >= d->sectors || n > d->sectors - lba) {
        ide_fail(d, ATA_IDNF);
        return;
    }
    tf_set_lba(d, lba + n - 1);
    ide_complete_later(d);
}

static void seek(struct ide_drive *d)
{
    uint64_t lba;
    d->lba48 = false;
    if (!tf_lba(d, false, &lba) || lba >= d->sectors) {
        ide_fail(d, ATA_IDNF);
        return;
    }
    ide_complete_later(d);
}

static void identify(struct ide_drive *d)
{
    uint16_t w[256];
    ide_identify_common(d, w, "PCVM HARDDISK");
    uint64_t cap28 = d->sectors < MAX_LBA28 ? d->sectors : MAX_LBA28;
    uint32_t cur = (uint32_t)d->cur_cyls * d->cur_heads * d->cur_secs;
    w[0] = 0x0040;                        /* fixed device */
    w[1] = d->cyls;
    w[3] = d->heads;
    w[4] = (uint16_t)(IDE_SECTOR * d->secs); /* retired: bytes per track */
    w[5] = IDE_SECTOR;                       /* retired: bytes per sector */
    w[6] = d->secs;
    w[20] = 3;                            /* retired: buffer type */
    w[21] = 512;                          /* retired: buffer size, sectors */
    w[22] = 4;                            /* ECC bytes on READ/WRITE LONG */
    w[47] = (uint16_t)(0x8000 | IDE_MAX_MULT);
    w[48] = 0x0001;                       /* (ATA-1: doubleword I/O) */
    w[53] |= 0x0001;                      /* words 54-58 valid */
    w[54] = d->cur_cyls;
    w[55] = d->cur_heads;
    w[56] = d->cur_secs;
    w[57] = (uint16_t)cur;
    w[58] = (uint16_t)(cur >> 16);
    w[59] = d->mult ? (uint16_t)(0x0100 | d->mult) : 0;
    w[60] = (uint16_t)cap28;
    w[61] = (uint16_t)(cap28 >> 16);
    /* Supported / enabled: NOP, host protected area (READ NATIVE MAX),
     * write cache, power management; 48-bit, FLUSH CACHE (EXT). */
    w[82] = 0x4428;
    w[83] = 0x7400;
    w[84] = 0x4000;
    w[85] = (uint16_t)(0x4408 | (d->wcache ? 0x0020 : 0));
    w[86] = 0x3400;
    w[87] = 0x4000;
    for (int i = 0; i < 4; i++)
        w[100 + i] = (uint16_t)(d->sectors >> (16 * i));
    ide_identify_store(d, w);
    ide_pio_reply(d, 512);
}

/* INITIALIZE DEVICE PARAMETERS: the CHS translation later commands use. */
static void init_params(struct ide_drive *d)
{
    unsigned heads = (d->select & 0x0F) + 1u, secs = d->nsect;
    if (secs == 0) {
        ide_fail(d, ATA_ABRT);
        return;
    }
    uint64_t cyl = d->sectors / (heads * secs);
    if (cyl > 65535)
        cyl = 65535;
    d->cur_heads = (uint16_t)heads;
    d->cur_secs = (uint16_t)secs;
    d->cur_cyls = (uint16_t)cyl;
    ide_complete_later(d);
}

static void set_multiple(struct ide_drive *d)
{
    unsigned n = d->nsect;
    /* 0 disables; otherwise a power of two up to the word 47 maximum. */
    if (n > IDE_MAX_MULT || (n & (n - 1))) {
        ide_fail(d, ATA_ABRT);
        return;
    }
    d->mult = (uint8_t)n;
    ide_complete_later(d);
}

static void flush(struct ide_drive *d)
{
    if (blockdev_flush(d->bd))
        ide_fail(d, ATA_ABRT);
    else
        ide_complete_later(d);
}

static void read_native_max(struct ide_drive *d, bool lba48)
{
    uint64_t max = d->sectors ? d->sectors - 1 : 0;
    d->lba48 = lba48;
    if (!lba48 && max > MAX_LBA28)
        max = MAX_LBA28;
    if (!lba48)
        d->select |= 0x40;
    tf_set_lba(d, max);
    ide_complete_later(d);
}

void ata_disk_command(struct ide_drive *d)
{
    uint8_t c = d->cmd;
    if ((c & 0xF0) == 0x10) {            /* RECALIBRATE (obsolete, BIOSes send it) */
        ide_complete_later(d);
        return;
    }
    if ((c & 0xF0) == 0x70) {            /* SEEK */
        seek(d);
        return;
    }
    switch (c) {
    case 0x20: case 0x21: rw(d, false, false, PIO); return;      /* READ SECTORS */
    case 0x24: rw(d, false, true, PIO); return;                  /* READ SECTORS EXT */
    case 0x30: case 0x31: rw(d, true, false, PIO); return;       /* WRITE SECTORS */
    case 0x34: rw(d, true, true, PIO); return;                   /* WRITE SECTORS EXT */
    case 0xC4: rw(d, false, false, MULTIPLE); return;            /* READ MULTIPLE */
    case 0x29: rw(d, false, true, MULTIPLE); return;             /* READ MULTIPLE EXT */
    case 0xC5: rw(d, true, false, MULTIPLE); return;             /* WRITE MULTIPLE */
    case 0x39: rw(d, true, true, MULTIPLE); return;              /* WRITE MULTIPLE EXT */
    case 0xC8: case 0xC9: rw(d, false, false, DMA); return;      /* READ DMA */
    case 0x25: rw(d, false, true, DMA); return;                  /* READ DMA EXT */
    case 0xCA: case 0xCB: rw(d, true, false, DMA); return;       /* WRITE DMA */
    case 0x35: rw(d, true, true, DMA); return;                   /* WRITE DMA EXT */
    case 0x40: case 0x41: verify(d, false); return;              /* READ VERIFY SECTORS */
    case 0x42: verify(d, true); return;                          /* READ VERIFY SECTORS EXT */
    case 0x91: init_params(d); return;
    case 0xC6: set_multiple(d); return;
    case 0xEC: identify(d); return;
    case 0xE7: case 0xEA: flush(d); return;                      /* FLUSH CACHE (EXT) */
    case 0xF8: read_native_max(d, false); return;
    case 0x27: read_native_max(d, true); return;
    case 0xEF:
        if (d->feature == 0x02 || d->feature == 0x82) {          /* write cache on/off */
            d->wcache = d->feature == 0x02;
            ide_complete_later(d);
            return;
        }
        break;
    }
    if (!ide_common_command(d))
        ide_fail(d, ATA_ABRT); /* unknown or unsupported (NOP, IDENTIFY PACKET, PACKET, ...) */
}

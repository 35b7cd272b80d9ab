/* Intel 82077AA floppy disk controller, PC/AT mode.  Reference: Intel
 * 82077AA CHMOS Single-Chip Floppy Disk Controller datasheet (register
 * map, command set and result phases, status registers ST0-ST3, drive
 * polling after reset, the C/H/R/N table for the end of a transfer).
 *
 * Model notes:
 * - AT mode: SRA/SRB (0x3F0/0x3F1) exist only in PS/2 and Model 30 modes;
 *   in AT mode the chip leaves the bus alone, so they read 0xFF, as do
 *   the undriven bits of TDR (7-2) and DIR (6-0: they are the hard disk
 *   controller's on an AT).  DOR bit 3 gates INT and DRQ.
 * - Each sector carries a normal data mark; a deleted mark is not kept
 *   (raw images cannot hold one), so WRITE DELETED DATA writes plain data.
 * - The disk turns at the drive's speed: each sector passes the head one
 *   revolution / sectors-per-track after the previous one; a sector that
 *   is not found ends the command after two index pulses (two
 *   revolutions), as the datasheet says.  The controller has no READY
 *   input in AT mode, so an empty (or missing) drive would never give an
 *   index pulse and hang real hardware; here the command ends at once
 *   with ST0 NR (not ready) instead.
 * - DMA: the host's terminal count ends a transfer (normal termination,
 *   C/H/R/N point at the next sector); without it a transfer runs to EOT
 *   and ends with abnormal termination and ST1 EN, which is always the
 *   case in non-DMA mode (a PC asserts TC only through the DMA chip).
 *   A DMA channel that is masked or programmed the wrong way when a
 *   sector passes is an overrun (ST1 OR).
 * - SCAN commands compare whole sectors and step by STP without the
 *   multi-track side change.  PART ID is an 82078 command: an 82077AA answers it as invalid, which is how Linux
 *   tells a post-1991 82077AA.
 */
#include "fdc82077.h"

#include <string.h>

enum {
    CMD_READ_TRACK = 0x02, CMD_SPECIFY = 0x03, CMD_SENSE_DRIVE = 0x04, CMD_WRITE = 0x05,
    CMD_READ = 0x06, CMD_RECALIBRATE = 0x07, CMD_SENSE_INT = 0x08, CMD_WRITE_DELETED = 0x09,
    CMD_READ_ID = 0x0A, CMD_READ_DELETED = 0x0C, CMD_FORMAT = 0x0D, CMD_DUMPREG = 0x0E,
    CMD_SEEK = 0x0F, CMD_VERSION = 0x10, CMD_PERPENDICULAR = 0x12, CMD_CONFIGURE = 0x13,
    CMD_LOCK = 0x14, CMD_VERIFY = 0x16, CMD_SCAN_EQUAL = 0x11, CMD_SCAN_LOW = 0x19,
    CMD_SCAN_HIGH = 0x1D,
};

/* First command byte flags. */
enum { F_MT = 0x80, F_MFM = 0x40, F_SK = 0x20 };

enum {
    ST0_ABNORMAL = 0x40, ST0_INVALID = 0x80, ST0_POLL = 0xC0, ST0_SE = 0x20, ST0_EC = 0x10,
    ST0_NR = 0x08,
    ST1_EN = 0x80, ST1_DE = 0x20, ST1_OR = 0x10, ST1_ND = 0x04, ST1_NW = 0x02, ST1_MA = 0x01,
    ST2_CM = 0x40, ST2_DD = 0x20, ST2_WC = 0x10, ST2_SH = 0x08, ST2_SN = 0x04, ST2_BC = 0x02,
    ST3_WP = 0x40, ST3_RDY = 0x20, ST3_T0 = 0x10, ST3_TS = 0x08,
};

/* Command length (with the first byte) and the flag bits it may carry;
 * 0: invalid. */
static unsigned command_length(uint8_t v)
{
    static const struct { uint8_t len, flags; } t[32] = {
        [CMD_READ_TRACK] = { 9, F_MFM | F_SK },
        [CMD_SPECIFY] = { 3, 0 },
        [CMD_SENSE_DRIVE] = { 2, 0 },
        [CMD_WRITE] = { 9, F_MT | F_MFM },
        [CMD_READ] = { 9, F_MT | F_MFM | F_SK },
        [CMD_RECALIBRATE] = { 2, 0 },
        [CMD_SENSE_INT] = { 1, 0 },
        [CMD_WRITE_DELETED] = { 9, F_MT | F_MFM },
        [CMD_READ_ID] = { 2, F_MFM },
        [CMD_READ_DELETED] = { 9, F_MT | F_MFM | F_SK },
        [CMD_FORMAT] = { 6, F_MFM },
        [CMD_DUMPREG] = { 1, 0 },
        [CMD_SEEK] = { 3, 0xC0 },          /* RELATIVE SEEK: bit 7 RT, bit 6 DIR */
        [CMD_VERSION] = { 1, 0 },
        [CMD_PERPENDICULAR] = { 2, 0 },
        [CMD_CONFIGURE] = { 4, 0 },
        [CMD_LOCK] = { 1, 0x80 },
        [CMD_VERIFY] = { 9, F_MT | F_MFM | F_SK },
        [CMD_SCAN_EQUAL] = { 9, F_MT | F_MFM | F_SK },
        [CMD_SCAN_LOW] = { 9, F_MT | F_MFM | F_SK },
        [CMD_SCAN_HIGH] = { 9, F_MT | F_MFM | F_SK },
    };
    unsigned code = v & 0x1F;
    if ((v & 0xE0 & (uint8_t)~t[code].flags) ||
        (code == CMD_SEEK && (v & 0xC0) == 0x40))  /* DIR without RT */
        return 0;
    return t[code].len;
}

static bool is_read_op(uint8_t op)
{
    return op == CMD_READ || op == CMD_READ_DELETED || op == CMD_READ_TRACK;
}

static bool is_scan_op(uint8_t op)
{
    return op == CMD_SCAN_EQUAL || op == CMD_SCAN_LOW || op == CMD_SCAN_HIGH;
}

static bool dma_mode(const struct fdc82077 *f) { return !(f->specify[1] & 1); }

/* ------------------------------------------------------------ timing */

static uint64_t rev_time(const struct fdc_drive *d)
{
    return CLOCK_HZ * 60 / floppy_drive_rpm(d->type);
}

static uint64_t sector_time(const struct fdc_drive *d)
{
    return rev_time(d) / (d->geo ? d->geo->sectors : 18);
}

/* One step pulse: SPECIFY's SRT counts (16 - SRT) ms at 500 kbps,
 * scaled by 500 kbps / the data rate (0.5 ms units at 1 Mbps, 2 ms at
 * 250 kbps). */
static uint64_t step_time(const struct fdc82077 *f)
{
    uint64_t srt = 16 - (f->specify[0] >> 4);
    return srt * (CLOCK_HZ / 1000) * 500000 / floppy_rate_bps(f->rate);
}

/* ------------------------------------------------------------ interrupts */

static void update_irq(struct fdc82077 *f)
{
    bool on = (f->dor & 0x0C) == 0x0C && (f->int_result || f->int_sense || f->pio);
    irq_set(&f->irq, on);
}

/* ------------------------------------------------------------ phases */

static void result(struct fdc82077 *f, const uint8_t *bytes, unsigned n, bool interrupt)
{
    memcpy(f->res, bytes, n);
    f->res_len = n;
    f->res_pos = 0;
    f->phase = FDC_RESULT;
    if (interrupt)
        f->int_result = true;
    update_irq(f);
}

static void invalid(struct fdc82077 *f)
{
    uint8_t st0 = ST0_INVALID;
    result(f, &st0, 1, false);
}

/* The execution phase ends: ST0-ST2 and C/H/R/N, with an interrupt. */
static void finish(struct fdc82077 *f)
{
    struct fdc_exec *x = &f->x;
    clock_timer_cancel(&f->exec_timer);
    f->pio = false;
    uint8_t r[7] = { (uint8_t)((x->st0 & ~4u) | (x->head << 2) | x->drive), x->st1, x->st2,
                     x->c, x->h, x->r, x->n };
    result(f, r, 7, true);
}

/* The controller gives up: after `delay` the command ends abnormally. */
static void fail(struct fdc82077 *f, uint8_t st0, uint8_t st1, uint8_t st2, uint64_t delay)
{
    struct fdc_exec *x = &f->x;
    x->st0 |= (uint8_t)(ST0_ABNORMAL | st0);
    x->st1 |= st1;
    x->st2 |= st2;
    x->failing = true;
    f->pio = false;
    clock_timer_set(&f->exec_timer, clock_now(f->clk) + delay);
}

/* ------------------------------------------------------------ drives */

static bool has_media(const struct fdc_drive *d)
{
    return d->type != FLOPPY_DRIVE_NONE && d->media && d->geo;
}

/* The medium cylinder under the head, or -1 when the controller finds
 * no address marks there: no medium, the head between a 40-track
 * medium's tracks or beyond its last, a data rate the drive cannot read
 * the medium at, FM recording, side 1 of a single-sided disk. */
static int medium_track(const struct fdc82077 *f, const struct fdc_drive *d, unsigned head,
                        bool mfm)
{
    if (!has_media(d) || !mfm || head >= d->geo->heads ||
        !floppy_rate_ok(d->type, d->geo, (enum floppy_rate)f->rate))
        return -1;
    unsigned k = floppy_step_factor(d->type, d->geo);
    if (d->pos % k || d->pos / k >= d->geo->cylinders)
        return -1;
    return (int)(d->pos / k);
}

static uint64_t sector_offset(const struct fdc_drive *d, unsigned track, unsigned head,
                              unsigned r)
{
    const struct floppy_geometry *g = d->geo;
    return (((uint64_t)track * g->heads + head) * g->sectors + r - 1) * FLOPPY_SECTOR;
}

/* Moves the head `steps` tracks (outwards, towards track 0, when !in).
 * A step pulse with a disk in the drive resets its disk change line. */
static void step_head(struct fdc_drive *d, unsigned steps, bool in)
{
    if (d->type == FLOPPY_DRIVE_NONE || steps == 0)
        return;
    unsigned last = floppy_drive_tracks(d->type) + 2; /* the stop past the last track */
    if (in)
        d->pos = d->pos + steps > last ? last : d->pos + steps;
    else
        d->pos = steps > d->pos ? 0 : d->pos - steps;
    if (d->media)
        d->dskchg = false;
}

/* Seeks `drive` from its PCN to ncn (implied seeks and SEEK); returns
 * the time the steps take. */
static uint64_t seek_to(struct fdc82077 *f, unsigned drive, uint8_t ncn)
{
    struct fdc_drive *d = &f->drv[drive];
    unsigned steps = ncn > d->pcn ? (unsigned)(ncn - d->pcn) : (unsigned)(d->pcn - ncn);
    step_head(d, steps, ncn > d->pcn);
    d->pcn = ncn;
    return steps * step_time(f);
}

static void seek_timer_fn(void *opaque, uint64_t now)
{
    struct fdc82077 *f = opaque;
    uint64_t next = CLOCK_NEVER;
    for (unsigned i = 0; i < FDC_DRIVES; i++) {
        struct fdc_drive *d = &f->drv[i];
        if (!d->seeking)
            continue;
        if (d->seek_done <= now) {
            d->seeking = false;
            d->status = true;
            d->st0 = d->seek_st0;
            f->int_sense = true;
        } else if (d->seek_done < next) {
            next = d->seek_done;
        }
    }
    clock_timer_set(&f->seek_timer, next);
    update_irq(f);
}

/* A seek or recalibrate runs in the background; its end raises INT and
 * leaves ST0 for SENSE INTERRUPT STATUS. */
static void start_seek(struct fdc82077 *f, unsigned drive, uint64_t time, uint8_t st0)
{
    struct fdc_drive *d = &f->drv[drive];
    /* Even a seek without steps takes the controller a moment. */
    d->seek_done = clock_now(f->clk) + (time ? time : CLOCK_HZ / 100000);
    d->seek_st0 = st0;
    d->seeking = true;
    d->status = false;
    if (d->seek_done < f->seek_timer.deadline)
        clock_timer_set(&f->seek_timer, d->seek_done);
    f->phase = FDC_CMD;
}

/* ------------------------------------------------------------ data transfer */

/* Moves len bytes over DMA; false when the channel does not answer (an
 * overrun).  Notes terminal count; a write cut short by it ends the
 * sector with zeros. */
static bool dma_move(struct fdc82077 *f, uint8_t *buf, size_t len, bool to_memory)
{
    if (!(f->dor & 0x08) || !f->dma || !dma_channel_ready(f->dma, f->dma_channel))
        return false;
    size_t left = dma_remaining(f->dma, f->dma_channel);
    size_t n = dma_transfer(f->dma, f->dma_channel, buf, len, to_memory);
    if (n == 0)
        return false;
    if (left <= len)
        f->x.tc = true;
    if (n < len && !to_memory)
        memset(buf + n, 0, len - n);
    return true;
}

static void schedule_next(struct fdc82077 *f, uint64_t period)
{
    uint64_t now = clock_now(f->clk);
    f->x.next += period;
    clock_timer_set(&f->exec_timer, f->x.next > now ? f->x.next : now);
}

/* A sector is done: C/H/R advance as the datasheet's table says, and the
 * command ends at terminal count, at EOT, or goes on to the next sector
 * (in multi-track mode, from the end of side 0 to sector 1 of side 1). */
static void sector_done(struct fdc82077 *f)
{
    struct fdc_exec *x = &f->x;
    struct fdc_drive *d = &f->drv[x->drive];
    x->done++;
    bool at_eot = x->op == CMD_READ_TRACK ? x->done >= x->eot : x->r == x->eot;
    bool more = true;
    if (at_eot) {
        if (x->mt && x->head == 0) {
            x->head = 1;
            x->h ^= 1;
        } else {
            x->c++;
            if (x->mt)
                x->h ^= 1;
            more = false;
        }
        x->r = 1;
    } else {
        x->r++;
    }
    if (x->tc || x->stop || (x->op == CMD_VERIFY && x->ec && x->done >= x->dtl)) {
        finish(f);
    } else if (!more) {
        if (x->op != CMD_VERIFY) { /* VERIFY ends at EOT successfully */
            x->st0 |= ST0_ABNORMAL;
            x->st1 |= ST1_EN;
        }
        finish(f);
    } else {
        schedule_next(f, sector_time(d));
    }
}

/* SCAN: the host's sector (buf) against the disk's (sbuf), byte by byte;
 * 0xFF on either side matches anything.  The first sector that meets the
 * condition ends the command (ST2 SH when it was equal throughout);
 * otherwise sectors R, R+STP, ... up to EOT, then ST2 SN. */
static void scan_sector(struct fdc82077 *f)
{
    struct fdc_exec *x = &f->x;
    bool equal = true, met = true;
    for (unsigned k = 0; k < FLOPPY_SECTOR; k++) {
        uint8_t disk = f->sbuf[k], host = f->buf[k];
        if (disk == 0xFF || host == 0xFF)
            continue;
        equal &= disk == host;
        met &= x->op == CMD_SCAN_EQUAL ? disk == host
             : x->op == CMD_SCAN_LOW ? disk <= host : disk >= host;
    }
    x->done++;
    unsigned stp = x->dtl ? x->dtl : 1;
    if (met) {
        x->st2 |= equal ? ST2_SH : 0;
        finish(f);
    } else if (x->tc || x->r + stp > x->eot) {
        x->st2 |= ST2_SN;
        finish(f);
    } else {
        x->r = (uint8_t)(x->r + stp);
        schedule_next(f, sector_time(&f->drv[x->drive]) * stp);
    }
}

static void host_error(struct fdc82077 *f)
{
    /* The image could not be read or written: a drive fault (equipment
     * check) with a data error, never silence. */
    fail(f, ST0_EC, ST1_DE, ST2_DD, 1);
}

/* The medium track under the selected head, or -1 after starting the
 * "missing address mark" ending (two revolutions without an ID). */
static int find_track(struct fdc82077 *f)
{
    struct fdc_drive *d = &f->drv[f->x.drive];
    int t = medium_track(f, d, f->x.head, f->x.mfm);
    if (t < 0)
        fail(f, 0, ST1_MA, 0, 2 * rev_time(d));
    return t;
}

/* Non-DMA data that the host leaves alone for a sector time is an
 * overrun (real hardware allows a FIFO's worth of byte times; this is
 * generous, but still ends a command nobody services). */
static void pio_deadline(struct fdc82077 *f)
{
    clock_timer_set(&f->exec_timer, clock_now(f->clk) + sector_time(&f->drv[f->x.drive]));
}

/* Non-DMA: len bytes wait for the host (RQM, INT). */
static void pio_wait(struct fdc82077 *f, unsigned len)
{
    f->buf_pos = 0;
    f->buf_len = len;
    f->pio = true;
    pio_deadline(f);
    update_irq(f);
}

/* The sector x->r of the current track passes under the head. */
static void rw_event(struct fdc82077 *f)
{
    struct fdc_exec *x = &f->x;
    struct fdc_drive *d = &f->drv[x->drive];
    int t = find_track(f);
    if (t < 0)
        return;
    unsigned r = x->r;
    if (x->op == CMD_READ_TRACK) {
        /* Sectors in physical order from the index; an ID that differs
         * from the command's is reported, not skipped. */
        r = x->done + 1;
        if (r > d->geo->sectors) {
            fail(f, 0, ST1_EN, 0, 1);
            return;
        }
        if (x->c != t || x->h != x->head || x->r != r || x->n != 2)
            x->st1 |= ST1_ND;
    } else if (x->c != (unsigned)t || x->h != x->head || r < 1 || r > d->geo->sectors ||
               x->n != 2) {
        uint8_t st2 = x->c == (unsigned)t ? 0 : x->c == 0xFF ? ST2_BC : ST2_WC;
        fail(f, 0, ST1_ND, st2, 2 * rev_time(d));
        return;
    }
    uint64_t off = sector_offset(d, (unsigned)t, x->head, r);
    if (x->op == CMD_READ_DELETED) {
        /* Every sector has a normal data mark: a control mark for this
         * command; skipped with SK, else read and the command ends. */
        x->st2 |= ST2_CM;
        if (x->sk) {
            sector_done(f);
            return;
        }
        x->stop = true;
    }
    if (is_read_op(x->op) || x->op == CMD_VERIFY) {
        if (blockdev_read(d->media, off, f->buf, FLOPPY_SECTOR) != 0) {
            host_error(f);
            return;
        }
        f->sectors_read++;
        if (x->op == CMD_VERIFY) {
            sector_done(f);
        } else if (dma_mode(f)) {
            if (!dma_move(f, f->buf, FLOPPY_SECTOR, true))
                fail(f, 0, ST1_OR, 0, 1);
            else
                sector_done(f);
        } else {
            pio_wait(f, FLOPPY_SECTOR);
        }
        return;
    }
    if (is_scan_op(x->op)) {
        if (blockdev_read(d->media, off, f->sbuf, FLOPPY_SECTOR) != 0) {
            host_error(f);
            return;
        }
        f->sectors_read++;
        if (!dma_mode(f))
            pio_wait(f, FLOPPY_SECTOR);
        else if (!dma_move(f, f->buf, FLOPPY_SECTOR, false))
            fail(f, 0, ST1_OR, 0, 1);
        else
            scan_sector(f);
        return;
    }
    /* WRITE DATA, WRITE DELETED DATA */
    if (dma_mode(f)) {
        if (!dma_move(f, f->buf, FLOPPY_SECTOR, false)) {
            fail(f, 0, ST1_OR, 0, 1);
            return;
        }
        if (blockdev_write(d->media, off, f->buf, FLOPPY_SECTOR) != 0) {
            host_error(f);
            return;
        }
        f->sectors_written++;
        sector_done(f);
    } else {
        pio_wait(f, FLOPPY_SECTOR);
    }
}

/* FORMAT TRACK: one ID (C, H, R, N) per sector from the host, then the
 * sector filled with the filler byte.  IDs the raw image cannot hold
 * (another size, a sector number past the image's, another track) are
 * taken and dropped. */
static void format_sector(struct fdc82077 *f, const uint8_t *id)
{
    struct fdc_exec *x = &f->x;
    struct fdc_drive *d = &f->drv[x->drive];
    int t = medium_track(f, d, x->head, x->mfm);
    x->c = id[0];
    x->h = id[1];
    x->r = id[2];
    x->n = id[3];
    if (t >= 0 && id[0] == t && id[1] == x->head && id[2] >= 1 && id[2] <= d->geo->sectors &&
        id[3] == 2) {
        uint8_t fill[FLOPPY_SECTOR];
        memset(fill, x->dtl, sizeof fill);
        if (blockdev_write(d->media, sector_offset(d, (unsigned)t, x->head, id[2]), fill,
                           sizeof fill) != 0) {
            host_error(f);
            return;
        }
        f->sectors_written++;
    }
    if (++x->done >= x->eot) /* SC sectors */
        finish(f);
    else
        schedule_next(f, rev_time(d) / (x->eot ? x->eot : 1));
}

static void format_event(struct fdc82077 *f)
{
    if (find_track(f) < 0)
        return;
    if (dma_mode(f)) {
        uint8_t id[4];
        if (!dma_move(f, id, 4, false))
            fail(f, 0, ST1_OR, 0, 1);
        else
            format_sector(f, id);
    } else {
        pio_wait(f, 4);
    }
}

static void read_id_event(struct fdc82077 *f)
{
    struct fdc_exec *x = &f->x;
    struct fdc_drive *d = &f->drv[x->drive];
    int t = find_track(f);
    if (t < 0)
        return;
    /* The first ID field that passes the head, from the disk's angle. */
    x->c = (uint8_t)t;
    x->h = (uint8_t)x->head;
    x->r = (uint8_t)(1 + clock_now(f->clk) / sector_time(d) % d->geo->sectors);
    x->n = 2;
    finish(f);
}

static void exec_timer_fn(void *opaque, uint64_t now)
{
    (void)now;
    struct fdc82077 *f = opaque;
    if (f->phase != FDC_EXEC)
        return;
    if (f->pio) { /* the host did not keep up */
        f->x.st0 |= ST0_ABNORMAL;
        f->x.st1 |= ST1_OR;
        finish(f);
        return;
    }
    if (f->x.failing) {
        finish(f);
        return;
    }
    switch (f->x.op) {
    case CMD_READ_ID: read_id_event(f); break;
    case CMD_FORMAT: format_event(f); break;
    default: rw_event(f); break;
    }
}

/* Non-DMA data: one byte to or from the host. */
static uint8_t pio_read(struct fdc82077 *f)
{
    uint8_t v = f->buf[f->buf_pos++];
    irq_set(&f->irq, 0); /* each byte is its own interrupt */
    if (f->buf_pos >= f->buf_len) {
        f->pio = false;
        sector_done(f);
    } else {
        pio_deadline(f);
    }
    update_irq(f);
    return v;
}

static void pio_write(struct fdc82077 *f, uint8_t v)
{
    struct fdc_exec *x = &f->x;
    struct fdc_drive *d = &f->drv[x->drive];
    f->buf[f->buf_pos++] = v;
    irq_set(&f->irq, 0);
    if (f->buf_pos < f->buf_len) {
        pio_deadline(f);
    } else {
        f->pio = false;
        if (x->op == CMD_FORMAT) {
            format_sector(f, f->buf);
        } else if (is_scan_op(x->op)) {
            scan_sector(f);
        } else {
            int t = medium_track(f, d, x->head, x->mfm);
            if (t < 0 || blockdev_write(d->media, sector_offset(d, (unsigned)t, x->head, x->r),
                                        f->buf, FLOPPY_SECTOR) != 0) {
                host_error(f);
            } else {
                f->sectors_written++;
                sector_done(f);
            }
        }
    }
    update_irq(f);
}

/* ------------------------------------------------------------ commands */

/* READ/WRITE/VERIFY/READ TRACK/READ ID/FORMAT: checks that need no disk
 * rotation, then the execution phase. */
static void start_transfer(struct fdc82077 *f)
{
    const uint8_t *c = f->cmd;
    struct fdc_exec *x = &f->x;
    memset(x, 0, sizeof *x);
    x->op = c[0] & 0x1F;
    x->mt = (c[0] & F_MT) != 0;
    x->mfm = (c[0] & F_MFM) != 0;
    x->sk = (c[0] & F_SK) != 0;
    x->drive = c[1] & 3;
    x->head = (c[1] >> 2) & 1;
    if (x->op == CMD_FORMAT) {
        x->n = c[2];
        x->eot = c[3];             /* SC: sectors per track */
        x->gpl = c[4];
        x->dtl = c[5];             /* filler byte */
    } else if (x->op != CMD_READ_ID) {
        x->ec = x->op == CMD_VERIFY && (c[1] & 0x80);
        x->c = c[2];
        x->h = c[3];
        x->r = c[4];
        x->n = c[5];
        x->eot = c[6];
        x->gpl = c[7];
        x->dtl = c[8];
        f->last_eot = x->eot;
    }
    f->phase = FDC_EXEC;
    f->buf_pos = f->buf_len = 0;
    struct fdc_drive *d = &f->drv[x->drive];
    uint64_t now = clock_now(f->clk);
    if (!has_media(d)) {
        fail(f, ST0_NR, 0, 0, CLOCK_HZ / 10000);
        return;
    }
    bool writes = x->op == CMD_WRITE || x->op == CMD_WRITE_DELETED || x->op == CMD_FORMAT;
    if (writes && d->media->read_only) {
        fail(f, 0, ST1_NW, 0, CLOCK_HZ / 10000);
        return;
    }
    uint64_t delay = 0;
    if (f->eis && x->op != CMD_READ_ID && x->op != CMD_FORMAT)
        delay = seek_to(f, x->drive, x->c); /* implied seek */
    /* The first sector (ID field) reaches the head after a sector time. */
    x->next = now + delay + sector_time(d);
    clock_timer_set(&f->exec_timer, x->next);
    update_irq(f);
}

static void sense_interrupt(struct fdc82077 *f)
{
    /* Each drive holds one status (a seek's end, or the "ready changed"
     * of the polling after a reset); the lowest drive's comes first. */
    unsigned i;
    for (i = 0; i < FDC_DRIVES && !f->drv[i].status; i++)
        ;
    if (i == FDC_DRIVES) {
        invalid(f);
        return;
    }
    f->drv[i].status = false;
    uint8_t r[2] = { f->drv[i].st0, f->drv[i].pcn };
    f->int_sense = false;
    result(f, r, 2, false);
}

static void command(struct fdc82077 *f)
{
    const uint8_t *c = f->cmd;
    unsigned drive = c[1] & 3, head = (c[1] >> 2) & 1;
    struct fdc_drive *d = &f->drv[drive];
    f->int_result = false;
    switch (c[0] & 0x1F) {
    case CMD_SPECIFY:
        f->specify[0] = c[1];
        f->specify[1] = c[2];
        f->phase = FDC_CMD;
        break;
    case CMD_SENSE_DRIVE: {
        uint8_t st3 = (uint8_t)(ST3_RDY | (head << 2) | drive);
        if (d->type != FLOPPY_DRIVE_NONE) {
            if (d->pos == 0)
                st3 |= ST3_T0;
            if (!d->geo || d->geo->heads == 2)
                st3 |= ST3_TS;
            if (d->media && d->media->read_only)
                st3 |= ST3_WP;
        }
        result(f, &st3, 1, false);
        break;
    }
    case CMD_RECALIBRATE: {
        /* Step pulses towards track 0 until the drive reports it, at most
         * 79; a drive that never does is an equipment check. */
        unsigned steps = d->type != FLOPPY_DRIVE_NONE && d->pos <= 79 ? d->pos : 79;
        step_head(d, steps, false);
        d->pcn = 0;
        bool t0 = d->type != FLOPPY_DRIVE_NONE && d->pos == 0;
        start_seek(f, drive, steps * step_time(f),
                   (uint8_t)(ST0_SE | drive | (t0 ? 0 : ST0_ABNORMAL | ST0_EC)));
        break;
    }
    case CMD_SEEK: {
        uint8_t ncn = c[2];
        if (c[0] & 0x80) { /* RELATIVE SEEK: DIR 1 = towards higher tracks */
            unsigned pcn = d->pcn;
            if (c[0] & 0x40)
                ncn = (uint8_t)(pcn + c[2] > 255 ? 255 : pcn + c[2]);
            else
                ncn = (uint8_t)(c[2] > pcn ? 0 : pcn - c[2]);
        }
        uint64_t t = seek_to(f, drive, ncn);
        start_seek(f, drive, t, (uint8_t)(ST0_SE | (head << 2) | drive));
        break;
    }
    case CMD_SENSE_INT:
        sense_interrupt(f);
        break;
    case CMD_DUMPREG: {
        uint8_t r[10] = {
            f->drv[0].pcn, f->drv[1].pcn, f->drv[2].pcn, f->drv[3].pcn,
            f->specify[0], f->specify[1], f->last_eot,
            (uint8_t)((f->lock ? 0x80 : 0) | (f->perp & 0x3F)),
            (uint8_t)((f->eis ? 0x40 : 0) | (f->efifo_off ? 0x20 : 0) | (f->poll_off ? 0x10 : 0) |
                      f->fifothr),
            f->pretrk,
        };
        result(f, r, 10, false);
        break;
    }
    case CMD_VERSION: {
        uint8_t v = FDC_VERSION;
        result(f, &v, 1, false);
        break;
    }
    case CMD_CONFIGURE:
        f->eis = (c[2] & 0x40) != 0;
        f->efifo_off = (c[2] & 0x20) != 0;
        f->poll_off = (c[2] & 0x10) != 0;
        f->fifothr = c[2] & 0x0F;
        f->pretrk = c[3];
        f->phase = FDC_CMD;
        break;
    case CMD_PERPENDICULAR:
        /* OW (bit 7) set: D3-D0 are written too; GAP and WGATE always. */
        if (c[1] & 0x80)
            f->perp = c[1] & 0x3F;
        else
            f->perp = (uint8_t)((f->perp & 0x3C) | (c[1] & 0x03));
        f->phase = FDC_CMD;
        break;
    case CMD_LOCK: {
        f->lock = (c[0] & 0x80) != 0;
        uint8_t v = f->lock ? 0x10 : 0x00;
        result(f, &v, 1, false);
        break;
    }
    default:
        start_transfer(f);
        break;
    }
    update_irq(f);
}

/* ------------------------------------------------------------ resets */

/* What DOR bit 2 and DSR bit 7 reset: the command state, the PCNs and
 * CONFIGURE (EFIFO, FIFOTHR and PRETRK survive when LOCKed), the
 * perpendicular GAP/WGATE bits.  SPECIFY's values and the data rate stay. */
static void soft_reset(struct fdc82077 *f)
{
    clock_timer_cancel(&f->exec_timer);
    clock_timer_cancel(&f->seek_timer);
    f->phase = FDC_CMD;
    f->cmd_len = 0;
    f->res_len = f->res_pos = 0;
    f->pio = false;
    f->int_result = f->int_sense = false;
    for (unsigned i = 0; i < FDC_DRIVES; i++) {
        f->drv[i].pcn = 0;
        f->drv[i].seeking = false;
        f->drv[i].status = false;
    }
    f->eis = false;
    f->poll_off = false;
    if (!f->lock) {
        f->efifo_off = true;
        f->fifothr = 0;
        f->pretrk = 0;
    }
    f->perp &= 0x3C;
    update_irq(f);
}

/* The end of a reset: with polling on (as a reset leaves it) the
 * controller polls the four drives, finds each "ready" changed (IC = 11:
 * ST0 0xC0-0xC3 for SENSE INTERRUPT STATUS) and interrupts. */
static void reset_done(struct fdc82077 *f)
{
    if (!f->poll_off) {
        for (unsigned i = 0; i < FDC_DRIVES; i++) {
            f->drv[i].status = true;
            f->drv[i].st0 = (uint8_t)(ST0_POLL | i);
        }
        f->int_sense = true;
    }
    update_irq(f);
}

void fdc_reset(struct fdc82077 *f)
{
    f->lock = false;
    soft_reset(f);
    f->dor = 0;
    f->tdr = 0;
    f->rate = FLOPPY_250K;
    f->precomp = 0;
    f->specify[0] = f->specify[1] = 0;
    f->perp = 0;
    f->last_eot = 0;
    update_irq(f);
}

/* ------------------------------------------------------------ registers */

static uint8_t msr(const struct fdc82077 *f)
{
    if (!(f->dor & 0x04))
        return 0;
    uint8_t m = 0;
    for (unsigned i = 0; i < FDC_DRIVES; i++)
        if (f->drv[i].seeking)
            m |= (uint8_t)(1u << i);
    switch (f->phase) {
    case FDC_CMD:
        m |= FDC_MSR_RQM | (f->cmd_len ? FDC_MSR_CB : 0);
        break;
    case FDC_EXEC:
        m |= FDC_MSR_CB;
        if (!dma_mode(f)) {
            m |= FDC_MSR_NDMA;
            if (f->pio)
                m |= FDC_MSR_RQM | (is_read_op(f->x.op) ? FDC_MSR_DIO : 0);
        }
        break;
    case FDC_RESULT:
        m |= FDC_MSR_RQM | FDC_MSR_DIO | FDC_MSR_CB;
        break;
    }
    return m;
}

static uint8_t fifo_read(struct fdc82077 *f)
{
    if (!(f->dor & 0x04))
        return 0xFF;
    if (f->phase == FDC_RESULT) {
        uint8_t v = f->res[f->res_pos++];
        f->int_result = false;
        if (f->res_pos >= f->res_len)
            f->phase = FDC_CMD;
        update_irq(f);
        return v;
    }
    if (f->phase == FDC_EXEC && f->pio && is_read_op(f->x.op))
        return pio_read(f);
    return 0xFF;
}

static void fifo_write(struct fdc82077 *f, uint8_t v)
{
    if (!(f->dor & 0x04))
        return;
    if (f->phase == FDC_EXEC) {
        if (f->pio && !is_read_op(f->x.op))
            pio_write(f, v);
        return;
    }
    if (f->phase != FDC_CMD)
        return;
    if (f->cmd_len == 0) {
        f->cmd_need = command_length(v);
        if (!f->cmd_need) {
            f->int_result = false;
            invalid(f);
            return;
        }
    }
    f->cmd[f->cmd_len++] = v;
    if (f->cmd_len >= f->cmd_need) {
        f->cmd_len = 0;
        command(f);
    }
}

uint8_t fdc_read(struct fdc82077 *f, unsigned reg)
{
    switch (reg & 7) {
    case 2: return f->dor;
    case 3: return (uint8_t)(0xFC | f->tdr);
    case 4: return msr(f);
    case 5: return fifo_read(f);
    case 7: {
        const struct fdc_drive *d = &f->drv[f->dor & 3];
        return (uint8_t)(0x7F | (d->type != FLOPPY_DRIVE_NONE && d->dskchg ? 0x80 : 0));
    }
    default: return 0xFF; /* SRA, SRB: PS/2 modes only */
    }
}

void fdc_write(struct fdc82077 *f, unsigned reg, uint8_t v)
{
    switch (reg & 7) {
    case 2: {
        uint8_t old = f->dor;
        f->dor = v;
        if (!(v & 0x04))
            soft_reset(f);       /* held in reset while bit 2 is 0 */
        else if (!(old & 0x04))
            reset_done(f);
        update_irq(f);
        break;
    }
    case 3:
        f->tdr = v & 3;
        break;
    case 4: /* DSR */
        f->rate = v & 3;
        f->precomp = (v >> 2) & 7;
        if ((v & 0x80) && (f->dor & 0x04)) { /* software reset, self-clearing */
            soft_reset(f);
            reset_done(f);
        }
        break;
    case 5:
        fifo_write(f, v);
        break;
    case 7: /* CCR */
        f->rate = v & 3;
        break;
    }
}

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    (void)size;
    struct fdc82077 *f = opaque;
    return fdc_read(f, port - f->base);
}

static void io_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    (void)size;
    struct fdc82077 *f = opaque;
    fdc_write(f, port - f->base, (uint8_t)v);
}

void fdc_register_io(struct fdc82077 *f, struct bus *b)
{
    bus_register_io(b, f->base, 6, io_read, io_write, f, BUS_SIZE8);
    bus_register_io(b, (uint16_t)(f->base + 7), 1, io_read, io_write, f, BUS_SIZE8);
}

/* ------------------------------------------------------------ setup */

void fdc_init(struct fdc82077 *f, uint16_t base, struct clock *clk, struct irq_line irq,
              struct dma8237 *dma, int dma_channel)
{
    memset(f, 0, sizeof *f);
    f->base = base;
    f->clk = clk;
    f->irq = irq;
    f->dma = dma;
    f->dma_channel = dma_channel;
    clock_timer_init(clk, &f->exec_timer, exec_timer_fn, f, "fdc");
    clock_timer_init(clk, &f->seek_timer, seek_timer_fn, f, "fdc-seek");
    fdc_reset(f);
}

void fdc_attach(struct fdc82077 *f, unsigned drive, enum floppy_drive_type type)
{
    if (drive >= FDC_DRIVES)
        return;
    struct fdc_drive *d = &f->drv[drive];
    d->type = type;
    d->media = NULL;
    d->geo = NULL;
    d->pos = 0;
    d->dskchg = true; /* power-on: the line is active until a step with a disk */
}

bool fdc_insert(struct fdc82077 *f, unsigned drive, struct blockdev *media)
{
    if (drive >= FDC_DRIVES || f->drv[drive].type == FLOPPY_DRIVE_NONE)
        return false;
    const struct floppy_geometry *g = media ? floppy_geometry_for_size(media->size) : NULL;
    if (media && !g)
        return false;
    struct fdc_drive *d = &f->drv[drive];
    d->media = media;
    d->geo = g;
    d->dskchg = true;
    return true;
}

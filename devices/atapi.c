/* An ATAPI CD-ROM drive: the PACKET protocol (ATA/ATAPI-6 9.10 and 9.11:
 * byte count limit, interrupt reason, one DRQ block per interrupt, PIO or
 * DMA) and the SCSI MMC commands that firmware (El Torito), DOS drivers
 * and Linux's sr/cdrom drivers use (MMC-2/MMC-3, SPC-2 for the common
 * ones).  2048-byte sectors, one data track; a disc comes and goes
 * through atapi_media_changed (UNIT ATTENTION, a media event).
 *
 * Sense data is kept until the next command other than REQUEST SENSE;
 * UNIT ATTENTION is reported once, by the first command that is not
 * INQUIRY, REQUEST SENSE, GET CONFIGURATION or GET EVENT STATUS
 * NOTIFICATION (MMC-3 4.1.6).
 */
#include "ide.h"

#include <string.h>

enum {
    SK_NO_SENSE = 0x0, SK_NOT_READY = 0x2, SK_MEDIUM_ERROR = 0x3,
    SK_ILLEGAL_REQUEST = 0x5, SK_UNIT_ATTENTION = 0x6,
};
/* Additional sense codes */
enum {
    ASC_UNRECOVERED_READ = 0x11, ASC_INVALID_OPCODE = 0x20, ASC_LBA_OUT_OF_RANGE = 0x21,
    ASC_INVALID_FIELD = 0x24, ASC_MEDIUM_CHANGED = 0x28, ASC_SAVING_UNSUPPORTED = 0x39,
    ASC_NO_MEDIUM = 0x3A, ASC_REMOVAL_PREVENTED = 0x53, ASC_ILLEGAL_MODE = 0x64,
};
/* GET EVENT STATUS NOTIFICATION media event codes */
enum { EV_NONE = 0, EV_NEW_MEDIA = 2, EV_MEDIA_REMOVAL = 3 };

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static bool has_medium(const struct ide_drive *d) { return d->bd && !d->tray_open; }

static uint32_t disc_sectors(const struct ide_drive *d)
{
    if (!has_medium(d))
        return 0;
    uint64_t n = d->bd->size / CD_SECTOR;
    return n > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)n;
}

void atapi_setup(struct ide_drive *d)
{
    d->tray_open = false;
}

void atapi_reset(struct ide_drive *d)
{
    d->sense_key = d->asc = d->ascq = 0;
    d->ua = false;
    d->locked = false;
    d->media_event = EV_NONE;
}

void atapi_media_changed(struct ide_drive *d, struct blockdev *bd)
{
    d->bd = bd;
    d->tray_open = false;
    d->locked = false; /* the host overrides PREVENT MEDIUM REMOVAL */
    d->ua = bd != NULL;
    d->media_event = bd ? EV_NEW_MEDIA : EV_MEDIA_REMOVAL;
}

/* ------------------------------------------------------------ phases */

/* Status phase: interrupt reason I/O=1 C/D=1, then the interrupt. */
static void good(struct ide_drive *d)
{
    d->nsect = ATAPI_IO | ATAPI_COD;
    d->error = 0;
    ide_complete(d);
}

static void check_condition(struct ide_drive *d, uint8_t key, uint8_t asc, uint8_t ascq)
{
    d->sense_key = key;
    d->asc = asc;
    d->ascq = ascq;
    d->nsect = ATAPI_IO | ATAPI_COD;
    ide_fail(d, (uint8_t)(key << 4)); /* error register: sense key in bits 7-4 */
}

static bool need_medium(struct ide_drive *d)
{
    if (has_medium(d))
        return true;
    check_condition(d, SK_NOT_READY, ASC_NO_MEDIUM, d->tray_open ? 0x02 : 0x01);
    return false;
}

/* The next sectors of a READ into buf; false on a host error. */
static bool refill(struct ide_drive *d)
{
    uint32_t n = d->cd_left < IDE_BUF_SIZE / CD_SECTOR ? d->cd_left : IDE_BUF_SIZE / CD_SECTOR;
    if (blockdev_read(d->bd, (uint64_t)d->cd_lba * CD_SECTOR, d->buf, (size_t)n * CD_SECTOR))
        return false;
    d->cd_lba += n;
    d->cd_left -= n;
    d->pos = 0;
    d->len = n * CD_SECTOR;
    return true;
}

static void pio_chunk(struct ide_drive *d);

static void pio_chunk_done(struct ide_drive *d)
{
    ide_schedule(d, IDE_CMD_DELAY, pio_chunk);
}

/* One DRQ block of the data phase: at most the byte count limit (made
 * even; 0 taken as the largest), with the count in LBA mid/high. */
static void pio_chunk(struct ide_drive *d)
{
    if (d->pos >= d->len) {
        if (d->write || !d->cd_left) {
            good(d);
            return;
        }
        if (!refill(d)) {
            check_condition(d, SK_MEDIUM_ERROR, ASC_UNRECOVERED_READ, 0);
            return;
        }
    }
    uint32_t limit = d->limit & 0xFFFEu;
    if (!limit)
        limit = 0xFFFE;
    uint32_t n = d->len - d->pos;
    if (n > limit)
        n = limit;
    d->lcyl = (uint8_t)n;
    d->hcyl = (uint8_t)(n >> 8);
    d->nsect = d->write ? 0 : ATAPI_IO;
    ide_pio(d, d->pos, n, d->write, pio_chunk_done, true);
}

static int dma_next(struct ide_drive *d)
{
    if (d->write || !d->cd_left)
        return 0;
    return refill(d) ? 1 : -1;
}

static void dma_end(struct ide_drive *d, int result)
{
    if (result < 0)
        check_condition(d, SK_MEDIUM_ERROR, ASC_UNRECOVERED_READ, 0);
    else
        good(d);
}

/* The data phase for buf[0, len) (or a READ stream: cd_left sectors). */
static void data_phase(struct ide_drive *d, bool out)
{
    d->write = out;
    if (d->packet_dma) {
        d->dma_in = !out;
        d->dma_next = dma_next;
        d->dma_end = dma_end;
        ide_dma_begin(d);
    } else {
        pio_chunk(d);
    }
}

/* Sends buf[0, min(n, alloc)) to the host. */
static void send(struct ide_drive *d, uint32_t n, uint32_t alloc)
{
    d->cd_left = 0;
    d->pos = 0;
    d->len = n < alloc ? n : alloc;
    if (!d->len)
        good(d);
    else
        data_phase(d, false);
}

/* Takes n parameter bytes from the host (MODE SELECT) and drops them. */
static void receive(struct ide_drive *d, uint32_t n)
{
    d->cd_left = 0;
    d->pos = 0;
    d->len = n < IDE_BUF_SIZE ? n : IDE_BUF_SIZE;
    if (!d->len)
        good(d);
    else
        data_phase(d, true);
}

static void start_read(struct ide_drive *d, uint32_t lba, uint32_t count)
{
    uint32_t total = disc_sectors(d);
    if (lba >= total || count > total - lba) {
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        return;
    }
    if (!count) {
        good(d);
        return;
    }
    d->cd_lba = lba;
    d->cd_left = count;
    d->pos = d->len = 0;
    data_phase(d, false);
}

/* ------------------------------------------------------------ commands */

static void request_sense(struct ide_drive *d)
{
    uint8_t *b = d->buf;
    memset(b, 0, 18);
    b[0] = 0x70;                           /* current error, fixed format */
    if (d->ua) {
        d->ua = false;
        b[2] = SK_UNIT_ATTENTION;
        b[12] = ASC_MEDIUM_CHANGED;
    } else {
        b[2] = d->sense_key;
        b[12] = d->asc;
        b[13] = d->ascq;
    }
    b[7] = 10;                             /* additional sense length */
    d->sense_key = d->asc = d->ascq = 0;
    send(d, 18, d->cdb[4]);
}

static void inquiry(struct ide_drive *d)
{
    uint8_t *b = d->buf;
    if (d->cdb[1] & 1) { /* no vital product data pages */
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(b, 0, 36);
    b[0] = 0x05;                           /* CD-ROM device */
    b[1] = 0x80;                           /* removable */
    b[2] = 0x00;
    b[3] = 0x21;                           /* ATAPI version 2, response format 1 */
    b[4] = 31;
    memcpy(b + 8, "PCVM    ", 8);
    memcpy(b + 16, "CD-ROM          ", 16);
    memcpy(b + 32, "1.0 ", 4);
    send(d, 36, be16(d->cdb + 3));
}

static void read_capacity(struct ide_drive *d)
{
    if (!need_medium(d))
        return;
    uint32_t n = disc_sectors(d);
    put32(d->buf, n ? n - 1 : 0);
    put32(d->buf + 4, CD_SECTOR);
    send(d, 8, 8);
}

static void lba_to_msf(uint32_t lba, uint8_t *p)
{
    uint64_t f = (uint64_t)lba + 150;      /* MSF 00:02:00 is LBA 0 */
    uint64_t m = f / (75 * 60);
    p[0] = (uint8_t)(m > 0xFF ? 0xFF : m);
    p[1] = (uint8_t)((f / 75) % 60);
    p[2] = (uint8_t)(f % 75);
}

static uint8_t *toc_entry(uint8_t *p, uint8_t track, uint32_t lba, bool msf)
{
    p[0] = 0;
    p[1] = 0x14;                           /* ADR 1, data track, copy permitted */
    p[2] = track;
    p[3] = 0;
    if (msf) {
        p[4] = 0;
        lba_to_msf(lba, p + 5);
    } else {
        put32(p + 4, lba);
    }
    return p + 8;
}

static uint8_t *full_toc_entry(uint8_t *p, uint8_t point, const uint8_t pm[3])
{
    memset(p, 0, 11);
    p[0] = 1;                              /* session */
    p[1] = 0x14;
    p[3] = point;
    memcpy(p + 8, pm, 3);
    return p + 11;
}

static void read_toc(struct ide_drive *d)
{
    if (!need_medium(d))
        return;
    const uint8_t *c = d->cdb;
    uint8_t *b = d->buf, *p = b + 4;
    bool msf = (c[1] & 2) != 0;
    unsigned format = c[2] & 0x0F, track = c[6];
    uint32_t total = disc_sectors(d);
    if (!format)
        format = c[9] >> 6;                /* the older place of the format field */
    memset(b, 0, 64);
    switch (format) {
    case 0: /* TOC: track 1, then the lead-out */
        if (track > 1 && track != 0xAA) {
            check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            return;
        }
        if (track <= 1)
            p = toc_entry(p, 1, 0, msf);
        p = toc_entry(p, 0xAA, total, msf);
        break;
    case 1: /* session information: the first track of the last session */
        p = toc_entry(p, 1, 0, msf);
        break;
    case 2: { /* full TOC (always MSF): A0 first track, A1 last track, A2 lead-out, track 1 */
        uint8_t first[3] = { 1, 0x00, 0 }, last[3] = { 1, 0, 0 }, lo[3], t1[3];
        lba_to_msf(total, lo);
        lba_to_msf(0, t1);
        p = full_toc_entry(p, 0xA0, first);
        p = full_toc_entry(p, 0xA1, last);
        p = full_toc_entry(p, 0xA2, lo);
        p = full_toc_entry(p, 0x01, t1);
        break;
    }
    default:
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    uint32_t len = (uint32_t)(p - b);
    put16(b, len - 2);
    b[2] = 1;                              /* first track / session */
    b[3] = 1;                              /* last */
    send(d, len, be16(c + 7));
}

/* Read error recovery parameters page (MMC-2 5.5.3). */
static uint8_t *page_error_recovery(uint8_t *p, bool changeable)
{
    memset(p, 0, 8);
    p[0] = 0x01;
    p[1] = 0x06;
    if (!changeable)
        p[3] = 5;                          /* read retry count */
    return p + 8;
}

/* CD capabilities and mechanical status page (MMC-2 5.5.10). */
static uint8_t *page_capabilities(const struct ide_drive *d, uint8_t *p, bool changeable)
{
    memset(p, 0, 20);
    p[0] = 0x2A;
    p[1] = 0x12;
    if (changeable)
        return p + 20;
    p[4] = 0x70;                           /* mode 2 form 1 and 2, multisession */
    p[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0)); /* tray, eject, lock (state) */
    put16(p + 8, 16 * 176);                /* maximum read speed, kB/s (16x) */
    put16(p + 10, 256);                    /* volume levels */
    put16(p + 12, 512);                    /* buffer, KiB */
    put16(p + 14, 16 * 176);               /* current read speed */
    return p + 20;
}

static void mode_sense(struct ide_drive *d, bool ten)
{
    const uint8_t *c = d->cdb;
    unsigned page = c[2] & 0x3F, pc = c[2] >> 6, hdr = ten ? 8 : 4;
    uint32_t alloc = ten ? be16(c + 7) : c[4];
    if (pc == 3) {
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_SAVING_UNSUPPORTED, 0);
        return;
    }
    uint8_t *b = d->buf, *p = b + hdr;
    memset(b, 0, hdr);
    if (page == 0x01 || page == 0x3F)
        p = page_error_recovery(p, pc == 1);
    if (page == 0x2A || page == 0x3F)
        p = page_capabilities(d, p, pc == 1);
    if (p == b + hdr) {
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    uint32_t len = (uint32_t)(p - b);
    uint8_t medium = has_medium(d) ? 0x01 : 0x70; /* 120 mm data disc / door closed, no disc */
    if (ten) {
        put16(b, len - 2);
        b[2] = medium;
    } else {
        b[0] = (uint8_t)(len - 1);
        b[1] = medium;
    }
    send(d, len, alloc);
}

static void start_stop(struct ide_drive *d)
{
    uint8_t f = d->cdb[4];
    if (f & 0x02) {                        /* LoEj */
        if (!(f & 0x01)) {                 /* eject */
            if (d->locked) {
                check_condition(d, SK_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED, 0x02);
                return;
            }
            if (!d->tray_open && d->bd)
                d->media_event = EV_MEDIA_REMOVAL;
            d->tray_open = true;
        } else if (d->tray_open) {         /* load */
            d->tray_open = false;
            if (d->bd) {
                d->ua = true;
                d->media_event = EV_NEW_MEDIA;
            }
        }
    }
    good(d);
}

/* GET CONFIGURATION (MMC-3 6.6): the CD-ROM profile and the features a
 * read-only drive has. */
static void get_configuration(struct ide_drive *d)
{
    const uint8_t *c = d->cdb;
    unsigned rt = c[1] & 3, start = be16(c + 2);
    bool cur = has_medium(d);
    uint8_t *b = d->buf, *p = b + 8;
    memset(b, 0, 128);
    put16(b + 6, cur ? 0x0008 : 0x0000);   /* current profile: CD-ROM */
    static const struct { uint16_t code; uint8_t flags, len; bool media; } feat[] = {
        { 0x0000, 0x03, 4, false },        /* profile list */
        { 0x0001, 0x0B, 8, false },        /* core, version 2 */
        { 0x0002, 0x07, 4, false },        /* morphing, version 1 */
        { 0x0003, 0x03, 4, false },        /* removable medium */
        { 0x0010, 0x00, 8, true },         /* random readable */
        { 0x001E, 0x00, 4, true },         /* CD read */
    };
    for (size_t i = 0; i < sizeof feat / sizeof feat[0]; i++) {
        bool current = !feat[i].media || cur;
        if (feat[i].code < start || (rt == 2 && feat[i].code != start) || (rt == 1 && !current))
            continue;
        put16(p, feat[i].code);
        p[2] = (uint8_t)(feat[i].flags | (current ? 1 : 0));
        p[3] = feat[i].len;
        uint8_t *q = p + 4;
        switch (feat[i].code) {
        case 0x0000: put16(q, 0x0008); q[2] = cur ? 1 : 0; break;
        case 0x0001: put32(q, 2); break;   /* physical interface: ATAPI */
        case 0x0002: q[0] = 0x02; break;   /* OCEvent: GESN supported */
        case 0x0003: q[0] = 0x29; break;   /* tray, eject, lock */
        case 0x0010: put32(q, CD_SECTOR); put16(q + 4, 1); break;
        }
        p += 4 + feat[i].len;
    }
    uint32_t len = (uint32_t)(p - b);
    put32(b, len - 4);
    send(d, len, be16(c + 7));
}

/* GET EVENT STATUS NOTIFICATION, polled only, media class only. */
static void get_event_status(struct ide_drive *d)
{
    const uint8_t *c = d->cdb;
    uint8_t *b = d->buf;
    uint32_t len;
    if (!(c[1] & 1)) {
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(b, 0, 8);
    b[3] = 0x10;                           /* supported classes: media */
    if (c[4] & 0x10) {
        put16(b, 6);
        b[2] = 0x04;                       /* media class */
        b[4] = d->media_event;
        b[5] = (uint8_t)((d->tray_open ? 1 : 0) | (has_medium(d) ? 2 : 0));
        d->media_event = EV_NONE;
        len = 8;
    } else {
        put16(b, 2);
        b[2] = 0x80;                       /* NEA: no event of a requested class */
        len = 4;
    }
    send(d, len, be16(c + 7));
}

static void read_disc_information(struct ide_drive *d)
{
    if (!need_medium(d))
        return;
    uint8_t *b = d->buf;
    if (d->cdb[1] & 7) {                   /* only standard disc information */
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(b, 0, 34);
    put16(b, 32);
    b[2] = 0x0E;                           /* last session complete, disc finalized */
    b[3] = 1;                              /* first track */
    b[4] = 1;                              /* sessions */
    b[5] = 1;                              /* first / last track in the last session */
    b[6] = 1;
    put32(b + 16, 0xFFFFFFFFu);            /* no next session */
    put32(b + 20, 0xFFFFFFFFu);
    send(d, 34, be16(d->cdb + 7));
}

static void read_track_information(struct ide_drive *d)
{
    if (!need_medium(d))
        return;
    const uint8_t *c = d->cdb;
    uint32_t addr = be32(c + 2), total = disc_sectors(d);
    bool ok;
    switch (c[1] & 3) {
    case 0: ok = addr < total; break;      /* by LBA */
    case 1:                                /* by track */
    case 2: ok = addr == 1; break;         /* by session */
    default: ok = false;
    }
    if (!ok) {
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    uint8_t *b = d->buf;
    memset(b, 0, 36);
    put16(b, 34);
    b[2] = 1;                              /* track */
    b[3] = 1;                              /* session */
    b[5] = 0x04;                           /* data track, uninterrupted */
    b[6] = 0x01;                           /* data mode 1 */
    put32(b + 24, total);                  /* track size */
    send(d, 36, be16(c + 7));
}

static void read_cd(struct ide_drive *d)
{
    if (!need_medium(d))
        return;
    const uint8_t *c = d->cdb;
    unsigned type = (c[1] >> 2) & 7, flags = c[9];
    uint32_t lba = be32(c + 2), n = (uint32_t)c[6] << 16 | (uint32_t)c[7] << 8 | c[8];
    if (type != 0 && type != 2) {          /* any type or mode 1 only: a data track */
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_ILLEGAL_MODE, 0);
        return;
    }
    if (c[10] & 7 || (flags != 0 && (flags & 0xFE) != 0x10)) {
        /* user data only: no sync, headers, EDC/ECC, C2 or sub-channel */
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    start_read(d, lba, flags ? n : 0);
}

/* READ SUB-CHANNEL (MMC-2 6.1.24): no audio is ever played, so the audio
 * status is "none"; the current position (format 1) is the start of the
 * data track; no media catalogue number or ISRC. */
static void read_subchannel(struct ide_drive *d)
{
    if (!need_medium(d))
        return;
    const uint8_t *c = d->cdb;
    uint8_t *b = d->buf;
    bool msf = (c[1] & 2) != 0;
    unsigned format = c[3];
    uint32_t len = 4;
    memset(b, 0, 24);
    b[1] = 0x15;                           /* audio status: none to report */
    if (c[2] & 0x40) {                     /* SubQ: the data block */
        if (format < 1 || format > 3) {
            check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            return;
        }
        b[4] = (uint8_t)format;
        if (format == 1) {
            b[5] = 0x14;                   /* ADR 1, data track */
            b[6] = 1;                      /* track */
            b[7] = 1;                      /* index */
            if (msf)
                lba_to_msf(0, b + 9);      /* absolute 00:02:00; relative 0 */
            len = 16;
        } else {
            if (format == 3)
                b[6] = c[6];               /* track number */
            len = 24;                      /* MCVal / TCVal 0: none recorded */
        }
        put16(b + 2, len - 4);
    }
    send(d, len, be16(c + 7));
}

/* MECHANISM STATUS (MMC-2 6.1.10): not a changer, tray state, no slots. */
static void mechanism_status(struct ide_drive *d)
{
    uint8_t *b = d->buf;
    memset(b, 0, 8);
    b[1] = d->tray_open ? 0x10 : 0x00;     /* door open */
    send(d, 8, be16(d->cdb + 8));
}

static void seek(struct ide_drive *d)
{
    if (!need_medium(d))
        return;
    if (be32(d->cdb + 2) >= disc_sectors(d))
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
    else
        good(d);
}

static void execute(struct ide_drive *d)
{
    const uint8_t *c = d->cdb;
    uint8_t op = c[0];
    if (op != 0x03)
        d->sense_key = d->asc = d->ascq = 0;
    bool ua_exempt = op == 0x03 || op == 0x12 || op == 0x46 || op == 0x4A;
    if (d->ua && !ua_exempt) {
        d->ua = false;
        check_condition(d, SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
        return;
    }
    switch (op) {
    case 0x00: if (need_medium(d)) good(d); return;          /* TEST UNIT READY */
    case 0x03: request_sense(d); return;
    case 0x12: inquiry(d); return;
    case 0x1A: mode_sense(d, false); return;
    case 0x5A: mode_sense(d, true); return;
    case 0x15: receive(d, c[4]); return;                       /* MODE SELECT(6) */
    case 0x55: receive(d, be16(c + 7)); return;                /* MODE SELECT(10) */
    case 0x1B: start_stop(d); return;
    case 0x1E: d->locked = c[4] & 1; good(d); return;          /* PREVENT ALLOW MEDIUM REMOVAL */
    case 0x25: read_capacity(d); return;
    case 0x28:                                                 /* READ(10) */
        if (need_medium(d))
            start_read(d, be32(c + 2), be16(c + 7));
        return;
    case 0xA8:                                                 /* READ(12) */
        if (need_medium(d))
            start_read(d, be32(c + 2), be32(c + 6));
        return;
    case 0x2B: seek(d); return;
    case 0x43: read_toc(d); return;
    case 0x46: get_configuration(d); return;
    case 0x4A: get_event_status(d); return;
    case 0x51: read_disc_information(d); return;
    case 0x52: read_track_information(d); return;
    case 0xBE: read_cd(d); return;
    case 0xBB: good(d); return;                                /* SET CD SPEED */
    case 0x42: read_subchannel(d); return;
    case 0xBD: mechanism_status(d); return;
    }
    check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
}

static void packet_received(struct ide_drive *d)
{
    memcpy(d->cdb, d->buf, sizeof d->cdb);
    ide_schedule(d, IDE_CMD_DELAY, execute);
}

/* PACKET: features bit 0 asks for DMA; LBA mid/high hold the byte count
 * limit.  The packet is taken without an interrupt (IDENTIFY PACKET word
 * 0 says "DRQ within 50 us"). */
static void packet(struct ide_drive *d)
{
    d->packet_dma = (d->feature & 1) != 0;
    d->limit = (uint32_t)d->lcyl | (uint32_t)d->hcyl << 8;
    d->nsect = ATAPI_COD;
    ide_pio(d, 0, sizeof d->cdb, true, packet_received, false);
}

static void identify_packet(struct ide_drive *d)
{
    uint16_t w[256];
    ide_identify_common(d, w, "PCVM CD-ROM");
    /* ATAPI, CD-ROM, removable, DRQ within 50 us, 12-byte packets */
    w[0] = 0x85C0;
    w[71] = 30;                            /* PACKET to bus release, ns */
    w[72] = 30;                            /* SERVICE to BSY clear, ns */
    w[82] = 0x4210;                        /* NOP, DEVICE RESET, PACKET */
    w[83] = 0x4000;
    w[84] = 0x4000;
    w[85] = 0x4210;
    w[87] = 0x4000;
    ide_identify_store(d, w);
    ide_pio_reply(d, 512);
}

void atapi_command(struct ide_drive *d)
{
    switch (d->cmd) {
    case 0xA0: packet(d); return;
    case 0xA1: identify_packet(d); return;
    case 0x08: { /* DEVICE RESET: this device only, no interrupt */
        uint8_t sel = d->select;
        ide_set_signature(d);
        d->select = sel;
        d->error = 0x01;
        d->status = 0;
        return;
    }
    case 0xEC: case 0x20: case 0x21: case 0x24: {
        /* A packet device aborts IDENTIFY DEVICE and READ SECTORS with its
         * signature in the taskfile (ATA/ATAPI-6 8.15.7, 8.27.7). */
        uint8_t sel = d->select;
        ide_set_signature(d);
        d->select = sel;
        ide_fail(d, ATA_ABRT);
        return;
    }
    }
    if (!ide_common_command(d))
        ide_fail(d, ATA_ABRT);
}

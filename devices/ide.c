/* PIIX3 IDE controller: channels, taskfile, PIO, interrupts, bus-master
 * DMA and the PCI function.  References (see ide.h): ATA/ATAPI-6 for the
 * register protocol, SFF-8038i for the bus master, PIIX3 datasheet for
 * the configuration space (IDETIM 0x40-0x43: bit 15 enables a channel's
 * legacy decode; BMIBA at 0x20; class 01 01 80).
 *
 * Absent devices: when device 1 is selected and not present, device 0
 * answers for it with 00h in every register (ATA/ATAPI-6 9.16.1: Status
 * and Alternate Status read 00h), so neither firmware nor Linux finds a
 * ghost; on a channel with no device at all the bus floats and, with the
 * pull-down the spec requires on DD7, every register reads 7Fh.
 */
#include "ide.h"

#include <stdio.h>
#include <string.h>

static const uint16_t cmd_base[2] = { 0x1F0, 0x170 };
static const uint16_t ctl_port[2] = { 0x3F6, 0x376 };

static bool present(const struct ide_drive *d) { return d->kind != DRIVE_NONE; }

static bool channel_empty(const struct ide_channel *ch)
{
    return !present(&ch->drive[0]) && !present(&ch->drive[1]);
}

/* PCICMD I/O space enable and the channel's IDETIM IDE decode enable. */
static bool decodes(const struct ide_channel *ch)
{
    const uint8_t *cfg = ch->ide->dev.cfg;
    return (cfg[0x04] & 1) && (cfg[0x41 + 2 * ch->index] & 0x80);
}

/* What a register of an absent device reads as. */
static uint8_t absent_value(const struct ide_channel *ch)
{
    return channel_empty(ch) ? 0x7F : 0x00;
}

/* ------------------------------------------------------------ interrupts */

/* The selected device drives INTRQ while nIEN is clear. */
static void update_irq(struct ide_channel *ch)
{
    const struct ide_drive *d = &ch->drive[ch->cur];
    bool lv = present(d) && d->intrq && !(ch->devctl & ATA_NIEN);
    if (lv != ch->irq_level) {
        ch->irq_level = lv;
        irq_set(&ch->irq, lv);
    }
}

void ide_raise_irq(struct ide_drive *d)
{
    struct ide_channel *ch = d->ch;
    d->intrq = true;
    /* SFF-8038i: the bus master's Interrupt bit follows the device's
     * interrupt, whether or not a DMA transfer ran. */
    if (&ch->drive[ch->cur] == d && !(ch->devctl & ATA_NIEN))
        ch->bm_status |= BM_INTR;
    update_irq(ch);
}

/* ------------------------------------------------------------ timer, states */

static void timer_fired(void *opaque, uint64_t now)
{
    (void)now;
    struct ide_channel *ch = opaque;
    struct ide_drive *d = ch->timer_drive;
    ch->timer_drive = NULL;
    if (!d)
        return;
    ide_fn fn = d->timer_fn;
    d->timer_fn = NULL;
    if (fn)
        fn(d);
}

void ide_schedule(struct ide_drive *d, uint64_t delay, ide_fn fn)
{
    struct ide_channel *ch = d->ch;
    d->status = (uint8_t)((d->status & ~ATA_DRQ) | ATA_BSY);
    d->timer_fn = fn;
    ch->timer_drive = d;
    clock_timer_set(&ch->timer, clock_now(ch->ide->clk) + delay);
}

/* Drops whatever the drive was doing (a new command, a reset). */
static void stop(struct ide_drive *d)
{
    struct ide_channel *ch = d->ch;
    d->pio_done = NULL;
    d->pos = d->end = 0;
    d->dma_ready = false;
    d->timer_fn = NULL;
    if (ch->timer_drive == d) {
        ch->timer_drive = NULL;
        clock_timer_cancel(&ch->timer);
    }
    d->status &= (uint8_t)~(ATA_BSY | ATA_DRQ);
}

void ide_complete(struct ide_drive *d)
{
    d->status = ATA_DRDY | ATA_DSC;
    ide_raise_irq(d);
}

void ide_fail(struct ide_drive *d, uint8_t error)
{
    d->status = ATA_DRDY | ATA_DSC | ATA_ERR;
    d->error = error;
    ide_raise_irq(d);
}

void ide_complete_later(struct ide_drive *d)
{
    ide_schedule(d, IDE_CMD_DELAY, ide_complete);
}

void ide_pio(struct ide_drive *d, uint32_t from, uint32_t n, bool out, ide_fn done, bool irq)
{
    d->pos = from;
    d->end = from + n;
    d->pio_out = out;
    d->pio_done = done;
    d->status = ATA_DRDY | ATA_DSC | ATA_DRQ;
    if (irq)
        ide_raise_irq(d);
}

static void pio_finish(struct ide_drive *d)
{
    d->status = ATA_DRDY | ATA_DSC; /* PIO data-in ends without an interrupt */
}

static void reply_ready(struct ide_drive *d)
{
    ide_pio(d, 0, d->len, false, pio_finish, true);
}

void ide_pio_reply(struct ide_drive *d, uint32_t n)
{
    d->len = n;
    ide_schedule(d, IDE_CMD_DELAY, reply_ready);
}

void ide_set_signature(struct ide_drive *d)
{
    bool atapi = d->kind == DRIVE_CDROM;
    d->nsect = d->sector = 1;
    d->lcyl = atapi ? 0x14 : 0x00;
    d->hcyl = atapi ? 0xEB : 0x00;
    d->select = 0;
    d->hob_feature = d->hob_nsect = d->hob_sector = d->hob_lcyl = d->hob_hcyl = 0;
}

/* The state after a reset: signature, diagnostic code 01h (passed), an
 * ATA device ready (DRDY), an ATAPI device with DRDY clear (ATA/ATAPI-6
 * 9.12: packet devices keep DRDY 0 after a reset until IDENTIFY PACKET). */
static void drive_reset_state(struct ide_drive *d)
{
    stop(d);
    ide_set_signature(d);
    d->error = 0x01;
    d->feature = 0;
    d->intrq = false;
    d->status = d->kind == DRIVE_DISK ? ATA_DRDY | ATA_DSC : 0;
}

/* ------------------------------------------------------------ bus master */

static struct ide_drive *dma_drive(struct ide_channel *ch)
{
    for (int i = 0; i < 2; i++)
        if (present(&ch->drive[i]) && ch->drive[i].dma_ready)
            return &ch->drive[i];
    return NULL;
}

/* Moves data between the drive and the PRD regions until the drive is
 * done or the table runs out (then the drive keeps waiting with DRQ, as
 * SFF-8038i's "PRD smaller than the transfer": Active 0, Interrupt 0). */
static void bm_run(struct ide_channel *ch)
{
    struct ide *s = ch->ide;
    struct ide_drive *d = dma_drive(ch);
    if (!d || !(ch->bm_status & BM_ACTIVE) || !(s->dev.cfg[0x04] & 0x04))
        return;
    for (;;) {
        if (d->pos >= d->len) {
            int r = d->dma_next(d);
            if (r <= 0) {
                d->dma_ready = false;
                /* Table used up exactly: Active clears; a larger table
                 * leaves it set (both with Interrupt). */
                if (ch->prd_left == 0 && ch->prd_eot)
                    ch->bm_status &= (uint8_t)~BM_ACTIVE;
                d->dma_end(d, r);
                return;
            }
            continue;
        }
        if (ch->prd_left == 0) {
            if (ch->prd_eot || ch->prd_fetched >= 8192) {
                ch->bm_status &= (uint8_t)~BM_ACTIVE;
                d->status = ATA_DRDY | ATA_DSC | ATA_DRQ;
                return;
            }
            uint8_t e[8];
            s->mem_read(s->mem_opaque, ch->prd_next, e, 8);
            ch->prd_next += 8;
            ch->prd_fetched++;
            ch->prd_addr = le32(e) & ~1u;
            ch->prd_left = le16(e + 4) & 0xFFFEu;
            if (!ch->prd_left)
                ch->prd_left = 0x10000;       /* a count of 0 means 64 KiB */
            ch->prd_eot = (e[7] & 0x80) != 0;
            continue;
        }
        uint32_t n = d->len - d->pos;
        if (n > ch->prd_left)
            n = ch->prd_left;
        if (d->dma_in)
            s->mem_write(s->mem_opaque, ch->prd_addr, d->buf + d->pos, n);
        else
            s->mem_read(s->mem_opaque, ch->prd_addr, d->buf + d->pos, n);
        d->pos += n;
        ch->prd_addr += n;
        ch->prd_left -= n;
    }
}

static void dma_go(struct ide_drive *d)
{
    d->status = ATA_DRDY | ATA_DSC | ATA_DRQ;
    d->dma_ready = true;
    bm_run(d->ch);
}

void ide_dma_begin(struct ide_drive *d)
{
    ide_schedule(d, IDE_CMD_DELAY, dma_go);
}

static void bm_command(struct ide_channel *ch, uint8_t v)
{
    v &= BM_START | BM_READ;
    if (!(v & BM_START)) {
        /* Stop: a transfer in progress is abandoned. */
        ch->bm_cmd = v;
        ch->bm_status &= (uint8_t)~BM_ACTIVE;
        return;
    }
    if (ch->bm_cmd & BM_START)
        return; /* the direction only changes while stopped */
    ch->bm_cmd = v;
    ch->bm_status |= BM_ACTIVE;
    ch->prd_next = ch->bm_prd;
    ch->prd_left = 0;
    ch->prd_eot = false;
    ch->prd_fetched = 0;
    struct ide_drive *d = dma_drive(ch);
    if (d) {
        d->dma_ready = false;
        ide_schedule(d, IDE_DMA_DELAY, dma_go);
    }
}

static uint8_t bm_reg_read(const struct ide_channel *ch, unsigned r)
{
    switch (r) {
    case 0: return ch->bm_cmd;
    case 2: return ch->bm_status;
    case 4: case 5: case 6: case 7: return (uint8_t)(ch->bm_prd >> (8 * (r - 4)));
    }
    return 0;
}

static void bm_reg_write(struct ide_channel *ch, unsigned r, uint8_t v)
{
    switch (r) {
    case 0:
        bm_command(ch, v);
        break;
    case 2: /* bits 1-2 write 1 to clear; 5-6 (drive DMA capable) plain */
        ch->bm_status = (uint8_t)((ch->bm_status & ~0x60 & ~(v & 0x06)) | (v & 0x60));
        break;
    case 4: case 5: case 6: case 7: {
        unsigned sh = 8 * (r - 4);
        ch->bm_prd = (ch->bm_prd & ~(0xFFu << sh)) | ((uint32_t)v << sh);
        ch->bm_prd &= ~3u;
        break;
    }
    }
}

static uint32_t bm_read(void *opaque, uint32_t port, unsigned size)
{
    struct ide *s = opaque;
    uint32_t v = 0;
    for (unsigned k = 0; k < size; k++) {
        unsigned off = (port + k - s->bm_base) & 15;
        uint8_t b = (s->dev.cfg[0x04] & 1) ? bm_reg_read(&s->ch[off >> 3], off & 7) : 0xFF;
        v |= (uint32_t)b << (8 * k);
    }
    return v;
}

static void bm_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    struct ide *s = opaque;
    if (!(s->dev.cfg[0x04] & 1))
        return;
    for (unsigned k = 0; k < size; k++) {
        unsigned off = (port + k - s->bm_base) & 15;
        bm_reg_write(&s->ch[off >> 3], off & 7, (uint8_t)(v >> (8 * k)));
    }
}

/* Claims the 16 bus master ports at BAR4's base (releasing the old ones). */
static void map_bm(struct ide *s)
{
    uint32_t bar = le32(s->dev.cfg + 0x20) & 0xFFFFFFF0u;
    uint16_t base = bar <= 0xFFF0u ? (uint16_t)bar : 0;
    if (base == s->bm_base || !s->bus)
        return;
    if (s->bm_base)
        for (unsigned k = 0; k < 16; k++)
            if (s->bus->ports[(uint16_t)(s->bm_base + k)].opaque == s)
                bus_register_io(s->bus, (uint16_t)(s->bm_base + k), 1, NULL, NULL, NULL, 0);
    if (base)
        bus_register_io(s->bus, base, 16, bm_read, bm_write, s,
                        BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32);
    s->bm_base = base;
}

/* ------------------------------------------------------------ registers */

static void pio_end(struct ide_drive *d)
{
    d->status &= (uint8_t)~ATA_DRQ;
    ide_fn fn = d->pio_done;
    d->pio_done = NULL;
    if (fn)
        fn(d);
}

static uint32_t data_read(struct ide_channel *ch, unsigned size)
{
    struct ide_drive *d = &ch->drive[ch->cur];
    if (!present(d)) {
        uint32_t v = absent_value(ch);
        return v | v << 8 | v << 16 | v << 24;
    }
    if (!(d->status & ATA_DRQ) || d->pio_out || !d->pio_done)
        return 0;
    uint32_t v = 0;
    for (unsigned k = 0; k < size && d->pos < d->end; k++)
        v |= (uint32_t)d->buf[d->pos++] << (8 * k);
    if (d->pos >= d->end)
        pio_end(d);
    return v;
}

static void data_write(struct ide_channel *ch, uint32_t v, unsigned size)
{
    struct ide_drive *d = &ch->drive[ch->cur];
    if (!present(d) || !(d->status & ATA_DRQ) || !d->pio_out || !d->pio_done)
        return;
    for (unsigned k = 0; k < size && d->pos < d->end; k++)
        d->buf[d->pos++] = (uint8_t)(v >> (8 * k));
    if (d->pos >= d->end)
        pio_end(d);
}

static uint8_t reg_read(struct ide_channel *ch, unsigned reg)
{
    struct ide_drive *d = &ch->drive[ch->cur];
    if (!present(d))
        return absent_value(ch);
    bool hob = (ch->devctl & ATA_HOB) != 0;
    switch (reg) {
    case 1: return d->error;
    case 2: return hob ? d->hob_nsect : d->nsect;
    case 3: return hob ? d->hob_sector : d->sector;
    case 4: return hob ? d->hob_lcyl : d->lcyl;
    case 5: return hob ? d->hob_hcyl : d->hcyl;
    case 6: return d->select;
    default: /* 7: status; reading it acknowledges the interrupt */
        d->intrq = false;
        update_irq(ch);
        return d->status;
    }
}

/* Writes to the command block go to both devices; the previous value
 * moves to the "high order byte" copy (48-bit addressing). */
static void shift(uint8_t *reg, uint8_t *hob, uint8_t v)
{
    *hob = *reg;
    *reg = v;
}

static void diagnose(struct ide_channel *ch)
{
    for (int i = 0; i < 2; i++)
        if (present(&ch->drive[i]))
            drive_reset_state(&ch->drive[i]);
    ch->cur = 0;
    /* Device 0 (or device 1 alone) posts the result. */
    struct ide_drive *d = present(&ch->drive[0]) ? &ch->drive[0] : &ch->drive[1];
    ide_raise_irq(d);
}

static void command(struct ide_channel *ch, uint8_t v)
{
    struct ide_drive *d = &ch->drive[ch->cur];
    if (!present(d))
        return; /* device 0 does not execute commands for an absent device 1 */
    /* A busy device takes no command, save DEVICE RESET for a packet device. */
    if ((d->status & ATA_BSY) && !(v == 0x08 && d->kind == DRIVE_CDROM))
        return;
    stop(d);
    d->intrq = false;
    update_irq(ch);
    d->cmd = v;
    if (v == 0x90) { /* EXECUTE DEVICE DIAGNOSTIC: both devices */
        diagnose(ch);
        return;
    }
    if (d->kind == DRIVE_DISK)
        ata_disk_command(d);
    else
        atapi_command(d);
}

static void reg_write(struct ide_channel *ch, unsigned reg, uint8_t v)
{
    ch->devctl &= (uint8_t)~ATA_HOB;
    for (int i = 0; i < 2 && reg < 7; i++) {
        struct ide_drive *d = &ch->drive[i];
        switch (reg) {
        case 1: shift(&d->feature, &d->hob_feature, v); break;
        case 2: shift(&d->nsect, &d->hob_nsect, v); break;
        case 3: shift(&d->sector, &d->hob_sector, v); break;
        case 4: shift(&d->lcyl, &d->hob_lcyl, v); break;
        case 5: shift(&d->hcyl, &d->hob_hcyl, v); break;
        case 6: d->select = v; break;
        }
    }
    if (reg == 6) {
        ch->cur = (v >> 4) & 1;
        update_irq(ch);
    } else if (reg == 7) {
        command(ch, v);
    }
}

static void devctl_write(struct ide_channel *ch, uint8_t v)
{
    uint8_t old = ch->devctl;
    ch->devctl = v & (ATA_NIEN | ATA_SRST | ATA_HOB);
    if ((v & ATA_SRST) && !(old & ATA_SRST)) {
        for (int i = 0; i < 2; i++) {
            struct ide_drive *d = &ch->drive[i];
            if (present(d)) {
                stop(d);
                d->intrq = false;
                d->status = ATA_BSY;
            }
        }
    } else if (!(v & ATA_SRST) && (old & ATA_SRST)) {
        /* Software reset: signatures; settings (multiple mode, the
         * translation) are kept, as ATA/ATAPI-6 9.2 allows by default. */
        for (int i = 0; i < 2; i++)
            if (present(&ch->drive[i]))
                drive_reset_state(&ch->drive[i]);
        ch->cur = 0;
    }
    update_irq(ch);
}

static uint32_t cmd_read(void *opaque, uint32_t port, unsigned size)
{
    struct ide_channel *ch = opaque;
    uint32_t ones = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    if (!decodes(ch))
        return ones;
    unsigned reg = (port - cmd_base[ch->index]) & 7;
    if (reg == 0)
        return data_read(ch, size) & ones;
    return reg_read(ch, reg);
}

static void cmd_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    struct ide_channel *ch = opaque;
    if (!decodes(ch))
        return;
    unsigned reg = (port - cmd_base[ch->index]) & 7;
    if (reg == 0)
        data_write(ch, v, size);
    else
        reg_write(ch, reg, (uint8_t)v);
}

static uint32_t ctl_read(void *opaque, uint32_t port, unsigned size)
{
    (void)port;
    (void)size;
    struct ide_channel *ch = opaque;
    if (!decodes(ch))
        return 0xFF;
    const struct ide_drive *d = &ch->drive[ch->cur];
    return present(d) ? d->status : absent_value(ch); /* alternate status */
}

static void ctl_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    (void)port;
    (void)size;
    struct ide_channel *ch = opaque;
    if (decodes(ch))
        devctl_write(ch, (uint8_t)v);
}

void ide_register_io(struct ide *s, struct bus *b)
{
    s->bus = b;
    for (unsigned c = 0; c < 2; c++) {
        struct ide_channel *ch = &s->ch[c];
        bus_register_io(b, cmd_base[c], 1, cmd_read, cmd_write, ch,
                        BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32);
        bus_register_io(b, (uint16_t)(cmd_base[c] + 1), 7, cmd_read, cmd_write, ch, BUS_SIZE8);
        /* Only 0x3F6/0x376: 0x3F7/0x377 belong to the floppy controller. */
        bus_register_io(b, ctl_port[c], 1, ctl_read, ctl_write, ch, BUS_SIZE8);
    }
    map_bm(s);
}

/* ------------------------------------------------------------ common commands */

/* ATA string: two characters per word, the first in the high byte. */
static void ata_string(uint16_t *w, const char *str, unsigned words)
{
    size_t len = strlen(str);
    for (unsigned i = 0; i < words * 2; i++) {
        uint8_t c = i < len ? (uint8_t)str[i] : ' ';
        if (i & 1)
            w[i / 2] = (uint16_t)(w[i / 2] | c);
        else
            w[i / 2] = (uint16_t)(c << 8);
    }
}

void ide_identify_common(struct ide_drive *d, uint16_t *w, const char *model)
{
    char serial[24];
    memset(w, 0, 256 * sizeof *w);
    snprintf(serial, sizeof serial, "PCVM%04u%c", 1000u + d->unit, d->kind == DRIVE_DISK ? 'D' : 'C');
    ata_string(w + 10, serial, 10);
    ata_string(w + 23, "1.0", 4);
    ata_string(w + 27, model, 20);
    w[49] = 0x0F00;                       /* IORDY, IORDY may be disabled, LBA, DMA */
    w[50] = 0x4000;
    w[51] = 0x0200;                       /* PIO timing mode 2 (obsolete field) */
    w[52] = 0x0200;
    w[53] = 0x0006;                       /* words 64-70 and 88 valid */
    w[63] = 0x0007;                       /* multiword DMA 0-2 supported */
    if ((d->dma_mode & 0xF8) == 0x20)
        w[63] = (uint16_t)(w[63] | (0x0100u << (d->dma_mode & 7)));
    w[64] = 0x0003;                       /* PIO 3 and 4 */
    w[65] = w[66] = w[67] = w[68] = 120;  /* cycle times, ns */
    w[80] = 0x007E;                       /* ATA-1 .. ATA/ATAPI-6 */
    w[88] = 0x003F;                       /* Ultra DMA 0-5 supported */
    if ((d->dma_mode & 0xF8) == 0x40)
        w[88] = (uint16_t)(w[88] | (0x0100u << (d->dma_mode & 7)));
    /* Hardware reset result: bit 14 set, device 0 "jumper, passed" or
     * device 1 "jumper"; bit 13 CBLID- above VIH (80-conductor cable). */
    w[93] = (uint16_t)(0x6000 | ((d->unit & 1) ? 0x0300 : 0x000B));
}

void ide_identify_store(struct ide_drive *d, uint16_t *w)
{
    /* Word 255: signature A5h and a checksum making all 512 bytes sum
     * to 0 (ATA/ATAPI-6 8.15.61). */
    uint8_t sum = 0xA5;
    for (int i = 0; i < 255; i++)
        sum = (uint8_t)(sum + (w[i] & 0xFF) + (w[i] >> 8));
    w[255] = (uint16_t)(0x00A5 | ((uint8_t)(0x100 - sum) << 8));
    for (int i = 0; i < 256; i++)
        st16(d->buf + 2 * i, w[i]);
}

static bool set_features_common(struct ide_drive *d)
{
    switch (d->feature) {
    case 0x03: { /* set transfer mode from the sector count */
        uint8_t m = d->nsect;
        if (m <= 0x01 || (m >= 0x08 && m <= 0x0C))
            d->pio_mode = m;
        else if ((m >= 0x20 && m <= 0x22) || (m >= 0x40 && m <= 0x45))
            d->dma_mode = m;
        else
            return false;
        return true;
    }
    case 0x66: case 0xCC: /* revert to power-on defaults: off / on */
    case 0x55: case 0xAA: /* read look-ahead off / on */
        return true;
    }
    return false;
}

bool ide_common_command(struct ide_drive *d)
{
    switch (d->cmd) {
    case 0xEF: /* SET FEATURES */
        if (set_features_common(d))
            ide_complete_later(d);
        else
            ide_fail(d, ATA_ABRT);
        return true;
    case 0xE0: case 0x94: /* STANDBY IMMEDIATE */
    case 0xE2: case 0x96: /* STANDBY */
    case 0xE6: case 0x99: /* SLEEP (state only: any command wakes the drive) */
        d->power = 0x00;
        ide_complete_later(d);
        return true;
    case 0xE1: case 0x95: /* IDLE IMMEDIATE */
    case 0xE3: case 0x97: /* IDLE */
        d->power = 0xFF;
        ide_complete_later(d);
        return true;
    case 0xE5: case 0x98: /* CHECK POWER MODE */
        d->nsect = d->power;
        ide_complete_later(d);
        return true;
    }
    return false;
}

/* ------------------------------------------------------------ PCI function */

static void pci_after_write(struct pci_dev *pd, unsigned off, unsigned size)
{
    struct ide *s = pd->opaque;
    if (off < 0x24 && off + size > 0x20)
        map_bm(s);
    for (unsigned c = 0; c < 2; c++)
        update_irq(&s->ch[c]);
}

static void pci_setup(struct ide *s)
{
    struct pci_dev *d = &s->dev;
    pci_dev_setup(d, 0x8086, 0x7010, 0x00, 0x010180, 0x00, "piix3-ide");
    d->after_write = pci_after_write;
    d->opaque = s;
    d->wmask[0x04] = 0x05;                /* IOSE, BME */
    d->wmask[0x05] = 0x00;
    d->cfg[0x06] = 0x80;                  /* fast back-to-back capable */
    d->cfg[0x07] = 0x02;                  /* DEVSEL medium */
    d->wmask[0x0C] = 0x00;
    d->wmask[0x0D] = 0xF0;                /* MLT */
    d->cfg[0x20] = 0x01;                  /* BMIBA: I/O space, 16 bytes */
    /* Bits 31-16 are writable too (a 32-bit I/O BAR, as firmware that
     * sizes BARs generically expects: SeaBIOS computes the size from all
     * 32 bits); only a base below 64 KiB decodes. */
    d->wmask[0x20] = 0xF0;
    d->wmask[0x21] = d->wmask[0x22] = d->wmask[0x23] = 0xFF;
    d->wmask[0x3C] = 0xFF;                /* interrupt line (unused in legacy mode) */
    for (unsigned o = 0x40; o <= 0x44; o++)
        d->wmask[o] = 0xFF;               /* IDETIM primary/secondary, SIDETIM */
    d->wmask[0x41] = 0xF3;
    d->wmask[0x43] = 0xF3;
}

/* ------------------------------------------------------------ host side */

void ide_init(struct ide *s, struct clock *clk, struct irq_line irq14, struct irq_line irq15,
              ide_mem_fn mem_read, ide_memw_fn mem_write, void *mem_opaque)
{
    memset(s, 0, sizeof *s);
    s->clk = clk;
    s->mem_read = mem_read;
    s->mem_write = mem_write;
    s->mem_opaque = mem_opaque;
    for (unsigned c = 0; c < 2; c++) {
        struct ide_channel *ch = &s->ch[c];
        ch->ide = s;
        ch->index = c;
        ch->irq = c ? irq15 : irq14;
        clock_timer_init(clk, &ch->timer, timer_fired, ch, c ? "ide1" : "ide0");
        for (unsigned i = 0; i < 2; i++) {
            ch->drive[i].ch = ch;
            ch->drive[i].unit = c * 2 + i;
        }
    }
    pci_setup(s);
}

void ide_attach(struct ide *s, unsigned unit, enum drive_kind kind, struct blockdev *bd)
{
    if (unit > 3)
        return;
    struct ide_drive *d = &s->ch[unit >> 1].drive[unit & 1];
    d->kind = kind;
    d->bd = bd;
    if (kind == DRIVE_DISK)
        ata_disk_setup(d);
    else if (kind == DRIVE_CDROM)
        atapi_setup(d);
}

void ide_reset(struct ide *s)
{
    pci_setup(s);
    map_bm(s);
    for (unsigned c = 0; c < 2; c++) {
        struct ide_channel *ch = &s->ch[c];
        ch->cur = 0;
        ch->devctl = 0;
        ch->bm_cmd = ch->bm_status = 0;
        ch->bm_prd = 0;
        ch->prd_left = 0;
        ch->prd_eot = false;
        for (unsigned i = 0; i < 2; i++) {
            struct ide_drive *d = &ch->drive[i];
            if (!present(d))
                continue;
            drive_reset_state(d);
            d->pio_mode = 0;
            d->dma_mode = 0;
            d->power = 0xFF;
            if (d->kind == DRIVE_DISK)
                ata_disk_reset(d);
            else
                atapi_reset(d);
        }
        update_irq(ch);
    }
}

bool ide_disk_geometry(const struct ide *s, unsigned unit, unsigned *c, unsigned *h,
                       unsigned *sec)
{
    if (unit > 3)
        return false;
    const struct ide_drive *d = &s->ch[unit >> 1].drive[unit & 1];
    if (d->kind != DRIVE_DISK)
        return false;
    *c = d->cyls;
    *h = d->heads;
    *sec = d->secs;
    return true;
}

bool ide_cdrom_change(struct ide *s, unsigned unit, struct blockdev *bd)
{
    if (unit > 3)
        return false;
    struct ide_drive *d = &s->ch[unit >> 1].drive[unit & 1];
    if (d->kind != DRIVE_CDROM)
        return false;
    atapi_media_changed(d, bd);
    return true;
}

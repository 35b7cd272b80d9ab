/* PIIX4 power management function (see piix4pm.h).  Reference: Intel
 * 82371AB PCI-to-ISA/IDE Xcelerator (PIIX4) datasheet, order 290562:
 * function 3 configuration registers (PMBA 40h-43h, bit 0 hardwired to 1
 * for I/O space; PMREGMISC 80h bit 0 PMIOSE; SMBBA 90h-93h; SMBHSTCFG D2h)
 * and the PM I/O registers; ACPI 1.0 section 4.7.3 for the PM1 fixed
 * registers' meaning (SCI_EN, SLP_TYP/SLP_EN: the PIIX4 calls them
 * SUS_TYP/SUS_EN). */
#include "piix4pm.h"

#include <string.h>

#define SCI_EVENTS (PM1_TMROF | PM1_GBL | PM1_PWRBTN | PM1_RTC)

static uint64_t ticks(const struct piix4pm *p)
{
    return clock_scale(clock_now(p->clk), PIIX4PM_TIMER_HZ, CLOCK_HZ);
}

uint32_t piix4pm_timer(const struct piix4pm *p)
{
    return (uint32_t)(ticks(p) & 0xFFFFFFu);
}

/* TMROF_STS: the timer's bit 23 changed since we last looked. */
static void update_ovf(struct piix4pm *p)
{
    uint64_t period = ticks(p) >> 23;
    if (period != p->ovf_seen) {
        p->ovf_seen = period;
        p->sts |= PM1_TMROF;
    }
}

/* The SCI (IRQ 9): level, while SCI_EN and an enabled event's status bit. */
static void update_sci(struct piix4pm *p)
{
    irq_set(&p->sci, (p->cnt & PM1_SCI_EN) && (p->sts & p->en & SCI_EVENTS));
    if (p->en & PM1_TMROF)
        clock_timer_set(&p->ovf_timer,
                        clock_unscale((p->ovf_seen + 1) << 23, PIIX4PM_TIMER_HZ, CLOCK_HZ));
    else
        clock_timer_cancel(&p->ovf_timer);
}

static void ovf_fire(void *opaque, uint64_t now)
{
    (void)now;
    struct piix4pm *p = opaque;
    update_ovf(p);
    update_sci(p);
}

static uint8_t reg_byte(struct piix4pm *p, unsigned off)
{
    switch (off) {
    case 0: case 1:
        update_ovf(p);
        return (uint8_t)(p->sts >> (8 * off));
    case 2: case 3:
        return (uint8_t)(p->en >> (8 * (off - 2)));
    case 4: case 5:
        return (uint8_t)(p->cnt >> (8 * (off - 4)));
    case 8: case 9: case 10:
        return (uint8_t)(piix4pm_timer(p) >> (8 * (off - 8)));
    }
    return 0;
}

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    struct piix4pm *p = opaque;
    unsigned off = (port - p->io_base) & (PIIX4PM_IO_SIZE - 1);
    if (off == 8 && size == 4)
        return piix4pm_timer(p);   /* one sample for all bytes */
    uint32_t v = 0;
    for (unsigned k = 0; k < size; k++)
        v |= (uint32_t)reg_byte(p, off + k) << (8 * k);
    return v;
}

static void write_cnt(struct piix4pm *p, uint16_t v)
{
    p->cnt = v & (uint16_t)~PM1_SUS_EN;   /* SUS_EN reads 0 */
    if (v & PM1_SUS_EN) {
        unsigned typ = (v >> PM1_SUS_TYP_SHIFT) & 7;
        if (typ == 0 && p->poweroff)       /* soft off (S5) */
            p->poweroff(p->opaque);
        else
            p->sleeps_ignored++;
    }
}

static void io_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    struct piix4pm *p = opaque;
    unsigned off = (port - p->io_base) & (PIIX4PM_IO_SIZE - 1);
    for (unsigned k = 0; k < size; k++, off++, v >>= 8) {
        uint16_t b = (uint16_t)(v & 0xFF);
        unsigned shift = 8 * (off & 1);
        switch (off) {
        case 0: case 1:
            update_ovf(p);
            p->sts &= (uint16_t)~(b << shift);     /* write 1 to clear */
            break;
        case 2: case 3:
            p->en = (uint16_t)((p->en & ~(0xFF << shift)) | (b << shift));
            break;
        case 4: case 5:
            write_cnt(p, (uint16_t)(((p->cnt & ~(0xFF << shift)) | (b << shift))));
            break;
        }
    }
    update_sci(p);
}

/* The GPE0 block (see piix4pm.h): status bytes 0-1 read 0 (no event
 * sources) and ignore writes of 1s; enable bytes 2-3 are read/write. */
static uint32_t gpe_read(void *opaque, uint32_t port, unsigned size)
{
    (void)size;
    struct piix4pm *p = opaque;
    unsigned off = port - PIIX4PM_GPE0_BASE;
    return off >= 2 ? (uint8_t)(p->gpe_en >> (8 * (off - 2))) : 0;
}

static void gpe_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    (void)size;
    struct piix4pm *p = opaque;
    unsigned off = port - PIIX4PM_GPE0_BASE;
    if (off >= 2) {
        unsigned shift = 8 * (off - 2);
        p->gpe_en = (uint16_t)((p->gpe_en & ~(0xFFu << shift)) | ((v & 0xFFu) << shift));
    }
}

static uint32_t apm_read(void *opaque, uint32_t port, unsigned size)
{
    (void)size;
    struct piix4pm *p = opaque;
    return port == 0xB2 ? p->apmc : p->apms;
}

static void apm_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    (void)size;
    struct piix4pm *p = opaque;
    if (port == 0xB3) {
        p->apms = (uint8_t)v;
        return;
    }
    p->apmc = (uint8_t)v;
    if (p->apmc == 0xF1)
        p->cnt |= PM1_SCI_EN;
    else if (p->apmc == 0xF0)
        p->cnt &= (uint16_t)~PM1_SCI_EN;
    update_sci(p);
}

/* Maps or unmaps the PM I/O space after PMBA or PMREGMISC changed. */
static void remap(struct piix4pm *p)
{
    uint16_t base = (uint16_t)(pci_get16(&p->dev, 0x40) & 0xFFC0u);
    bool on = (p->dev.cfg[0x80] & 1) && base != 0;
    uint16_t want = on ? base : 0;
    if (want == p->io_base)
        return;
    if (p->io_base) {
        for (unsigned k = 0; k < PIIX4PM_IO_SIZE; k++)
            if (p->bus->ports[(uint16_t)(p->io_base + k)].opaque == p)
                bus_register_io(p->bus, (uint16_t)(p->io_base + k), 1, NULL, NULL, NULL, 0);
    }
    p->io_base = want;
    if (want)
        bus_register_io(p->bus, want, PIIX4PM_IO_SIZE, io_read, io_write, p,
                        BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32);
}

static void after_write(struct pci_dev *d, unsigned off, unsigned size)
{
    if ((off < 0x44 && off + size > 0x40) || (off <= 0x80 && off + size > 0x80))
        remap(d->opaque);
}

void piix4pm_reset(struct piix4pm *p)
{
    struct pci_dev *d = &p->dev;
    /* Class 06 80 00 (bridge, other), as the datasheet gives it. */
    pci_dev_setup(d, 0x8086, 0x7113, 0x03, 0x068000, 0x00, "piix4-pm");
    d->after_write = after_write;
    d->opaque = p;
    d->cfg[0x07] = 0x02;       /* DEVSEL medium */
    d->cfg[0x3D] = 0x01;       /* INTA# */
    d->wmask[0x3C] = 0xFF;     /* interrupt line */
    d->cfg[0x40] = 0x01;       /* PMBA: I/O space indicator */
    d->wmask[0x40] = 0xC0;
    d->wmask[0x41] = 0xFF;
    d->wmask[0x80] = 0x01;     /* PMREGMISC: PMIOSE */
    d->cfg[0x90] = 0x01;       /* SMBBA (no SMBus controller behind it) */
    d->wmask[0x90] = 0xF0;
    d->wmask[0x91] = 0xFF;
    d->wmask[0xD2] = 0x0F;     /* SMBHSTCFG */
    /* DEVACTB (58h-5Bh): bit 25 APMC_EN, "SMI on a write to APMC", reads
     * as 1 and stays: pcvm has no SMM, the APMC writes are acted on
     * directly (apm_write).  SeaBIOS takes a set APMC_EN as "SMM already
     * set up" and skips its SMM relocation handshake, which would wait
     * forever for an SMI handler to clear APMS. */
    for (unsigned o = 0x58; o <= 0x5B; o++)
        d->wmask[o] = 0xFF;
    d->cfg[0x5B] = 0x02;
    d->wmask[0x5B] = 0xFD;
    piix4pm_set_serial(p, p->com1, p->com2);
    p->sts = p->en = p->cnt = 0;
    p->gpe_en = 0;
    p->apmc = p->apms = 0;
    p->ovf_seen = ticks(p) >> 23;
    remap(p);
    update_sci(p);
}

/* Device resource registers: the decode enables for COM1 (67h bit 3) and
 * COM2 (67h bit 7) that SeaBIOS's DSDT (acpi-dsdt.dsl, CAEN/CBEN) turns
 * into the _STA of its COM1/COM2 devices; no parallel port (5Fh bit 7,
 * LPEN, stays 0). */
void piix4pm_set_serial(struct piix4pm *p, bool com1, bool com2)
{
    p->com1 = com1;
    p->com2 = com2;
    p->dev.cfg[0x67] = (uint8_t)((com1 ? 0x08 : 0) | (com2 ? 0x80 : 0));
}

void piix4pm_init(struct piix4pm *p, struct bus *b, struct clock *clk, struct irq_line sci,
                  void (*poweroff)(void *), void *opaque)
{
    memset(p, 0, sizeof *p);
    p->bus = b;
    p->clk = clk;
    p->sci = sci;
    p->poweroff = poweroff;
    p->opaque = opaque;
    clock_timer_init(clk, &p->ovf_timer, ovf_fire, p, "piix4-pm-tmrof");
    bus_register_io(b, 0xB2, 2, apm_read, apm_write, p, BUS_SIZE8);
    bus_register_io(b, PIIX4PM_GPE0_BASE, PIIX4PM_GPE0_LEN, gpe_read, gpe_write, p, BUS_SIZE8);
    piix4pm_reset(p);
}

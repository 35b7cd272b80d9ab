/* PIIX3 PCI-to-ISA bridge.  Reference: Intel 82371FB/82371SB (PIIX/PIIX3)
 * datasheet (order 290550): register defaults, PIRQRC[A:D] (bit 7 =
 * routing disabled, bits 3-0 = IRQ 3-7, 9-12, 14 or 15), the reset
 * control register (port 0xCF9: bit 2 RCPU starts a reset, bit 1 SRST
 * makes it a hard reset). */
#include "piix3.h"

#include <string.h>

static bool valid_irq(unsigned irq)
{
    return (irq >= 3 && irq <= 7) || (irq >= 9 && irq <= 12) || irq == 14 || irq == 15;
}

/* Recomputes which ISA IRQs the asserted PIRQs drive. */
static void route(struct piix3 *p)
{
    uint16_t lv = 0;
    for (int n = 0; n < 4; n++) {
        uint8_t r = p->dev.cfg[0x60 + n];
        if ((p->pirq_level & (1u << n)) && !(r & 0x80) && valid_irq(r & 15))
            lv |= (uint16_t)(1u << (r & 15));
    }
    uint16_t changed = lv ^ p->isa_level;
    p->isa_level = lv;
    for (int irq = 0; irq < 16; irq++)
        if ((changed & (1u << irq)) && p->set_isa_irq)
            p->set_isa_irq(p->opaque, irq, (lv >> irq) & 1);
}

void piix3_set_pirq(void *opaque, int pirq, int level)
{
    struct piix3 *p = opaque;
    if (level)
        p->pirq_level |= (uint8_t)(1u << (pirq & 3));
    else
        p->pirq_level &= (uint8_t)~(1u << (pirq & 3));
    route(p);
}

static void after_write(struct pci_dev *d, unsigned off, unsigned size)
{
    if (off + size > 0x60 && off <= 0x63)
        route(d->opaque);
}

static uint8_t rc_read(void *opaque)
{
    return ((struct piix3 *)opaque)->rc;
}

static void rc_write(void *opaque, uint8_t v)
{
    struct piix3 *p = opaque;
    p->rc = v & 0x02;
    if ((v & 0x04) && p->reset)
        p->reset(p->opaque, (v & 0x02) != 0);
}

void piix3_reset(struct piix3 *p)
{
    struct pci_dev *d = &p->dev;
    pci_dev_setup(d, 0x8086, 0x7000, 0x00, 0x060100, 0x80, "piix3");
    d->after_write = after_write;
    d->opaque = p;
    d->cfg[0x04] = 0x07;   /* I/O, memory, bus master */
    d->cfg[0x06] = 0x00;
    d->cfg[0x07] = 0x02;   /* DEVSEL medium */
    for (unsigned o = 0x40; o < 0x100; o++)
        d->wmask[o] = 0xFF;
    d->cfg[0x4C] = 0x4D;   /* IORT */
    d->cfg[0x4E] = 0x03;   /* XBCS */
    for (unsigned o = 0x60; o <= 0x63; o++) {
        d->cfg[o] = 0x80;  /* routing disabled */
        d->wmask[o] = 0x8F;
    }
    d->cfg[0x69] = 0x02;   /* TOM */
    d->cfg[0x70] = 0x80;   /* MBIRQ0 */
    d->cfg[0x71] = 0x80;
    d->cfg[0x76] = 0x0C;   /* MBDMA */
    d->cfg[0x77] = 0x0C;
    d->cfg[0x78] = 0x02;   /* PCSC */
    d->cfg[0xA0] = 0x08;   /* SMICNTL */
    d->cfg[0xA8] = 0x0F;
    p->rc = 0;
    p->pirq_level = 0;
    route(p);
}

void piix3_init(struct piix3 *p, struct pci_bus *pb,
                void (*set_isa_irq)(void *, int, int), void (*reset)(void *, bool), void *opaque)
{
    memset(p, 0, sizeof *p);
    p->set_isa_irq = set_isa_irq;
    p->reset = reset;
    p->opaque = opaque;
    piix3_reset(p);
    pb->route_irq = piix3_set_pirq;
    pb->route_opaque = p;
    pb->rc_read = rc_read;
    pb->rc_write = rc_write;
    pb->rc_opaque = p;
}

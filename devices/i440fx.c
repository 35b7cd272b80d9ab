/* i440FX host bridge.  Reference: Intel 82441FX PCI and Memory Controller
 * (PMC) datasheet (order 290549): register defaults, PAM0-PAM6 layout
 * (each nibble: bit 0 RE, bit 1 WE; PAM0's low nibble is reserved), SMRAM
 * at 0x72. */
#include "i440fx.h"

#include <string.h>

enum { PAM0 = 0x59, SMRAM = 0x72 };

uint32_t pam_seg_start(unsigned s) { return s == 0 ? 0xF0000u : 0xC0000u + (s - 1) * 0x4000u; }
uint32_t pam_seg_size(unsigned s) { return s == 0 ? 0x10000u : 0x4000u; }

unsigned i440fx_pam(const struct i440fx *h, unsigned s)
{
    if (s == 0)
        return (h->dev.cfg[PAM0] >> 4) & 3;
    unsigned reg = PAM0 + 1 + (s - 1) / 2;
    return (h->dev.cfg[reg] >> (((s - 1) & 1) ? 4 : 0)) & 3;
}

static void after_write(struct pci_dev *d, unsigned off, unsigned size)
{
    struct i440fx *h = d->opaque;
    if (off + size > PAM0 && off <= PAM0 + 6 && h->pam_changed)
        h->pam_changed(h->opaque);
}

void i440fx_reset(struct i440fx *h)
{
    struct pci_dev *d = &h->dev;
    pci_dev_setup(d, 0x8086, 0x1237, 0x02, 0x060000, 0x00, "i440fx");
    d->after_write = after_write;
    d->opaque = h;
    d->cfg[0x04] = 0x06;                  /* memory space, bus master */
    d->cfg[0x06] = 0x80;                  /* status: fast back-to-back capable */
    d->cfg[0x07] = 0x02;                  /* DEVSEL medium */
    for (unsigned o = 0x50; o <= 0x58; o++)
        d->wmask[o] = 0xFF;               /* PMCCFG, DETURBO, DBC, AXC, DRAMR, DRAMC, DRAMT */
    d->wmask[PAM0] = 0x30;
    for (unsigned o = PAM0 + 1; o <= PAM0 + 6; o++)
        d->wmask[o] = 0x33;
    for (unsigned o = 0x60; o <= 0x67; o++) {
        d->wmask[o] = 0xFF;               /* DRB: DRAM row boundaries */
        d->cfg[o] = 0x01;
    }
    d->wmask[0x68] = 0xFF;                /* FDHC */
    d->wmask[0x70] = 0xFF;                /* MTT */
    d->wmask[0x71] = 0xFF;                /* CLT */
    d->cfg[SMRAM] = 0x02;                 /* C_BASE_SEG fixed at 010 (A0000) */
    d->wmask[SMRAM] = 0x78;
    d->cfg[0x50] = 0x00;
    d->cfg[0x51] = 0x80;
    d->cfg[0x58] = 0x10;
    if (h->pam_changed)
        h->pam_changed(h->opaque);
}

void i440fx_init(struct i440fx *h, void (*pam_changed)(void *), void *opaque)
{
    memset(h, 0, sizeof *h);
    h->pam_changed = pam_changed;
    h->opaque = opaque;
    i440fx_reset(h);
}

/* PCI configuration mechanism #1.  Reference: PCI Local Bus Specification
 * 2.1, section 3.7.4.1 (CONFIG_ADDRESS/CONFIG_DATA); a read of a missing
 * function returns all ones (master abort). */
#include "pci.h"

#include <string.h>

void pci_bus_init(struct pci_bus *pb)
{
    memset(pb, 0, sizeof *pb);
}

void pci_dev_setup(struct pci_dev *d, uint16_t vendor, uint16_t device, uint8_t rev,
                   uint32_t class_code, uint8_t header_type, const char *name)
{
    memset(d->cfg, 0, sizeof d->cfg);
    memset(d->wmask, 0, sizeof d->wmask);
    d->cfg[0] = (uint8_t)vendor;
    d->cfg[1] = (uint8_t)(vendor >> 8);
    d->cfg[2] = (uint8_t)device;
    d->cfg[3] = (uint8_t)(device >> 8);
    d->cfg[8] = rev;
    d->cfg[9] = (uint8_t)class_code;          /* programming interface */
    d->cfg[10] = (uint8_t)(class_code >> 8);  /* subclass */
    d->cfg[11] = (uint8_t)(class_code >> 16); /* base class */
    d->cfg[14] = header_type;
    if ((header_type & 0x7F) == 0) {
        /* Subsystem vendor/ID 1AF4:1100, what QEMU's emulated devices
         * carry: firmware built for emulators (SeaBIOS's QEMU build) looks
         * for it on 00:00.0 before it uses the fw_cfg interface, which
         * pcvm provides (devices/fw_cfg.c). */
        d->cfg[0x2C] = 0xF4;
        d->cfg[0x2D] = 0x1A;
        d->cfg[0x2E] = 0x00;
        d->cfg[0x2F] = 0x11;
    }
    d->wmask[4] = 0xFF;                       /* command register */
    d->wmask[5] = 0x03;
    d->wmask[0x0C] = 0xFF;                    /* cache line size */
    d->wmask[0x0D] = 0xFF;                    /* latency timer */
    d->name = name;
}

bool pci_add(struct pci_bus *pb, struct pci_dev *d, uint8_t devfn)
{
    if (pb->dev[devfn])
        return false;
    d->devfn = devfn;
    pb->dev[devfn] = d;
    return true;
}

uint32_t pci_cfg_read(struct pci_bus *pb, uint8_t devfn, unsigned off, unsigned size)
{
    struct pci_dev *d = pb->dev[devfn];
    uint32_t ones = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    if (!d)
        return ones;
    uint32_t v = 0;
    for (unsigned k = 0; k < size; k++)
        v |= (uint32_t)d->cfg[(off + k) & 0xFF] << (8 * k);
    return v;
}

void pci_cfg_write(struct pci_bus *pb, uint8_t devfn, unsigned off, uint32_t v, unsigned size)
{
    struct pci_dev *d = pb->dev[devfn];
    if (!d)
        return;
    for (unsigned k = 0; k < size; k++) {
        unsigned o = (off + k) & 0xFF;
        uint8_t b = (uint8_t)(v >> (8 * k));
        d->cfg[o] = (uint8_t)((d->cfg[o] & ~d->wmask[o]) | (b & d->wmask[o]));
    }
    if (d->after_write)
        d->after_write(d, off & 0xFF, size);
}

void pci_set_irq(struct pci_bus *pb, struct pci_dev *d, int pin, int level)
{
    int pirq = ((d->devfn >> 3) + pin) & 3;
    if (pb->route_irq)
        pb->route_irq(pb->route_opaque, pirq, level);
}

/* The function CONFIG_ADDRESS selects, or -1 (disabled, other bus). */
static int selected(const struct pci_bus *pb)
{
    if (!(pb->addr & 0x80000000u) || ((pb->addr >> 16) & 0xFF) != 0)
        return -1;
    return (int)((pb->addr >> 8) & 0xFF);
}

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    struct pci_bus *pb = opaque;
    if (port < 0xCFC) {
        if (port == 0xCF8 && size == 4)
            return pb->addr;
        if (port == 0xCF9 && size == 1 && pb->rc_read)
            return pb->rc_read(pb->rc_opaque);
        return 0xFFFFFFFFu;
    }
    int devfn = selected(pb);
    uint32_t ones = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    if (devfn < 0)
        return ones;
    return pci_cfg_read(pb, (uint8_t)devfn, (pb->addr & 0xFC) + (port & 3), size);
}

static void io_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    struct pci_bus *pb = opaque;
    if (port < 0xCFC) {
        /* Only a dword access at 0xCF8 is CONFIG_ADDRESS; bits 1-0 read 0. */
        if (port == 0xCF8 && size == 4)
            pb->addr = v & 0x80FFFFFCu;
        else if (port == 0xCF9 && size == 1 && pb->rc_write)
            pb->rc_write(pb->rc_opaque, (uint8_t)v);
        return;
    }
    int devfn = selected(pb);
    if (devfn >= 0)
        pci_cfg_write(pb, (uint8_t)devfn, (pb->addr & 0xFC) + (port & 3), v, size);
}

void pci_register_io(struct pci_bus *pb, struct bus *b)
{
    bus_register_io(b, 0xCF8, 8, io_read, io_write, pb, BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32);
}

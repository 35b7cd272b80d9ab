/* PCI configuration space, mechanism #1 (ports 0xCF8 address, 0xCFC-0xCFF
 * data), bus 0 only.  A function is a struct pci_dev with 256 bytes of
 * configuration space and a write mask; devices that need to act on a
 * write (the i440FX's PAM registers, the PIIX3's PIRQ routing) get a hook
 * after the bytes are stored.  PCI interrupts go to the interrupt router
 * (the PIIX3) through pci_set_irq.
 */
#ifndef PCVM_PCI_H
#define PCVM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "../bus/bus.h"

struct pci_dev;
typedef void (*pci_write_hook)(struct pci_dev *d, unsigned off, unsigned size);

struct pci_dev {
    uint8_t cfg[256];
    uint8_t wmask[256];          /* 1 bits are writable */
    uint8_t devfn;               /* device << 3 | function */
    pci_write_hook after_write;
    void *opaque;
    const char *name;
};

struct pci_bus {
    struct pci_dev *dev[256];    /* by devfn */
    uint32_t addr;               /* 0xCF8 */
    /* The interrupt router: PIRQ A-D (0-3) to `level`. */
    void (*route_irq)(void *opaque, int pirq, int level);
    void *route_opaque;
    /* Port 0xCF9 (the PIIX3's reset control register) lives in the same
     * dword as 0xCF8; its byte accesses are passed here when set. */
    uint8_t (*rc_read)(void *opaque);
    void (*rc_write)(void *opaque, uint8_t v);
    void *rc_opaque;
};

void pci_bus_init(struct pci_bus *pb);
void pci_register_io(struct pci_bus *pb, struct bus *b);
/* Adds a function at devfn; false if the slot is taken. */
bool pci_add(struct pci_bus *pb, struct pci_dev *d, uint8_t devfn);
/* Fills the identity fields of a header type 0 configuration space. */
void pci_dev_setup(struct pci_dev *d, uint16_t vendor, uint16_t device, uint8_t rev,
                   uint32_t class_code, uint8_t header_type, const char *name);

/* Configuration access by bus/devfn/offset (what the ports do). */
uint32_t pci_cfg_read(struct pci_bus *pb, uint8_t devfn, unsigned off, unsigned size);
void pci_cfg_write(struct pci_bus *pb, uint8_t devfn, unsigned off, uint32_t v, unsigned size);

/* A device's interrupt pin (0 = INTA# .. 3 = INTD#) to `level`; routed to
 * PIRQ (slot + pin) mod 4, the usual swizzle on the PIIX boards. */
void pci_set_irq(struct pci_bus *pb, struct pci_dev *d, int pin, int level);

static inline uint16_t pci_get16(const struct pci_dev *d, unsigned off)
{
    return (uint16_t)(d->cfg[off] | (d->cfg[off + 1] << 8));
}

#endif

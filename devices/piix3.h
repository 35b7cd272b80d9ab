/* Intel 82371SB (PIIX3) function 0, the PCI-to-ISA bridge at PCI 00:01.0:
 * identity, the PIRQ route control registers (0x60-0x63) that steer PCI
 * interrupts A-D to ISA IRQs of the 8259 pair, and the reset control
 * register at port 0xCF9.  (The ELCR at 0x4D0/0x4D1 is part of the PIC
 * model; the IDE function 00:01.1 belongs to the disk controller.)
 */
#ifndef PCVM_PIIX3_H
#define PCVM_PIIX3_H

#include "../bus/irq.h"
#include "pci.h"

struct piix3 {
    struct pci_dev dev;
    uint8_t pirq_level;          /* bit n: PIRQ n asserted */
    uint16_t isa_level;          /* ISA IRQs we drive high */
    uint8_t rc;                  /* port 0xCF9 */
    void (*set_isa_irq)(void *opaque, int irq, int level);
    void (*reset)(void *opaque, bool hard);
    void *opaque;
};

void piix3_init(struct piix3 *p, struct pci_bus *pb,
                void (*set_isa_irq)(void *, int, int), void (*reset)(void *, bool), void *opaque);
void piix3_reset(struct piix3 *p);
/* PIRQ n (0-3) to `level`; the PCI bus's router callback. */
void piix3_set_pirq(void *opaque, int pirq, int level);

#endif

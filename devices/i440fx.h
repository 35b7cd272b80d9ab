/* Intel 82441FX (i440FX PMC), the host bridge at PCI 00:00.0: identity,
 * the PAM registers (0x59-0x5F) that decide whether each segment of
 * 0xC0000-0xFFFFF reads and writes DRAM or goes to the PCI/ISA side
 * (ROM), and the SMRAM control register (0x72, stored; pcvm has no SMM).
 *
 * The bridge only decodes the registers; the machine applies them to the
 * memory map through the `pam_changed` callback.
 */
#ifndef PCVM_I440FX_H
#define PCVM_I440FX_H

#include "pci.h"

/* PAM segments: 0 is 0xF0000-0xFFFFF (64 KiB); 1-12 are 16 KiB segments
 * from 0xC0000 to 0xEFFFF. */
#define PAM_SEGMENTS 13
enum { PAM_PCI = 0, PAM_READ = 1, PAM_WRITE = 2, PAM_RW = 3 };

struct i440fx {
    struct pci_dev dev;
    void (*pam_changed)(void *opaque);
    void *opaque;
};

void i440fx_init(struct i440fx *h, void (*pam_changed)(void *), void *opaque);
void i440fx_reset(struct i440fx *h);
/* PAM_* attributes of segment s, and its address range. */
unsigned i440fx_pam(const struct i440fx *h, unsigned s);
uint32_t pam_seg_start(unsigned s);
uint32_t pam_seg_size(unsigned s);

#endif

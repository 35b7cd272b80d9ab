/* System Control Port A (port 0x92, "fast A20"), as on PS/2 and every
 * PC chipset since (Intel PIIX/PIIX3 datasheets, "Port 92h"):
 *   bit 0  fast reset: a 0 -> 1 transition resets the CPU (the machine
 *          does the reset through the callback); reads back as written
 *   bit 1  A20 gate: 1 passes address line 20, 0 forces it to 0
 *   bits 2-7  kept as written (security lock, disk activity LEDs)
 * Reading bit 1 gives the current A20 state, whoever set it (the
 * keyboard controller may change it too). */
#ifndef PCVM_PORT92_H
#define PCVM_PORT92_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct cpu;

#define PORT92_PORT 0x92u

struct port92 {
    struct cpu *cpu;
    void (*reset)(void *opaque);   /* asks the machine for a reset */
    void *reset_opaque;
    uint8_t value;                 /* last value written (bit 1 is read live) */
};

void port92_init(struct port92 *p, struct bus *b, struct cpu *cpu,
                 void (*reset)(void *opaque), void *reset_opaque);
/* Machine reset: bit 0 and the kept bits back to 0. */
void port92_reset(struct port92 *p);

#endif

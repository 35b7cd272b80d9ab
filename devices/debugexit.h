/* QEMU's isa-debug-exit: a write of value V to any of its ports asks the
 * machine to stop with exit status (V << 1) | 1.  The device only records
 * the request and asks the CPU to stop after the current instruction; the
 * machine turns it into its result.  Reads return 0xFF.. like an empty
 * bus (QEMU's device has no read side). */
#ifndef PCVM_DEBUGEXIT_H
#define PCVM_DEBUGEXIT_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct cpu;

struct debugexit {
    struct cpu *cpu;
    uint16_t iobase, iosize;
    bool requested;
    uint32_t value;          /* the value written */
};

void debugexit_init(struct debugexit *d, struct bus *b, struct cpu *cpu,
                    uint16_t iobase, uint16_t iosize);

/* (value << 1) | 1, the status the guest asked for. */
static inline uint32_t debugexit_status(const struct debugexit *d)
{
    return (d->value << 1) | 1u;
}

#endif

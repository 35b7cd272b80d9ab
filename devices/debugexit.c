#include "debugexit.h"

#include "../bus/bus.h"
#include "../cpu/cpu.h"

static uint32_t debugexit_read(void *opaque, uint32_t addr, unsigned size)
{
    (void)opaque;
    (void)addr;
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static void debugexit_write(void *opaque, uint32_t addr, uint32_t val, unsigned size)
{
    struct debugexit *d = opaque;
    (void)addr;
    (void)size;
    if (d->requested)
        return; /* the first request wins */
    d->requested = true;
    d->value = val;
    cpu_request_stop(d->cpu);
}

void debugexit_init(struct debugexit *d, struct bus *b, struct cpu *cpu,
                    uint16_t iobase, uint16_t iosize)
{
    d->cpu = cpu;
    d->iobase = iobase;
    d->iosize = iosize;
    d->requested = false;
    d->value = 0;
    /* Any access size: a word write to the base port is one request with
     * the whole word as its value, as in QEMU. */
    bus_register_io(b, iobase, iosize, debugexit_read, debugexit_write, d,
                    BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32);
}

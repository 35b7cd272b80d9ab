#include "debugcon.h"

#include "../bus/bus.h"

static uint32_t debugcon_read(void *opaque, uint32_t addr, unsigned size)
{
    const struct debugcon *d = opaque;
    (void)addr;
    (void)size;
    (void)d;
    /* "Is a debug console here?": 0xE9 whatever the port, as Bochs's and
     * QEMU's consoles answer (SeaBIOS checks for it on port 0x402). */
    return 0xE9;
}

static void debugcon_write(void *opaque, uint32_t addr, uint32_t val, unsigned size)
{
    struct debugcon *d = opaque;
    (void)addr;
    (void)size;
    if (d->sink)
        d->sink(d->opaque, (uint8_t)val);
}

void debugcon_init(struct debugcon *d, struct bus *b, uint16_t port,
                   debugcon_sink_fn sink, void *opaque)
{
    d->sink = sink;
    d->opaque = opaque;
    d->port = port;
    /* Byte-wide: the bus splits wider accesses, so OUT DX,AX sends AL
     * here and AH to the next port, as on an 8-bit ISA device. */
    bus_register_io(b, port, 1, debugcon_read, debugcon_write, d, BUS_SIZE8);
}

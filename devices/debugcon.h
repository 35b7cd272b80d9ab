/* Bochs/QEMU debug console: a byte written to the port goes to a sink the
 * frontend supplies (stdout, a file); a read returns the port number's low
 * byte (0xE9), which is how guests detect the device. */
#ifndef PCVM_DEBUGCON_H
#define PCVM_DEBUGCON_H

#include <stdint.h>

struct bus;

/* Receives every byte the guest writes, in order. */
typedef void (*debugcon_sink_fn)(void *opaque, uint8_t byte);

struct debugcon {
    debugcon_sink_fn sink;
    void *opaque;
    uint16_t port;
};

/* Claims `port` (one byte wide) on the bus. */
void debugcon_init(struct debugcon *d, struct bus *b, uint16_t port,
                   debugcon_sink_fn sink, void *opaque);

#endif

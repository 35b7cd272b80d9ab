/* The PC/AT's two Intel 8237A DMA controllers: DMA1 (channels 0-3, byte
 * transfers, ports 0x00-0x0F), DMA2 (channels 4-7, word transfers, ports
 * 0xC0-0xDE; channel 4 cascades DMA1) and the page registers (0x80-0x8F).
 *
 * Devices (the floppy controller, later) move data with dma_transfer();
 * memory is reached through the callbacks given at init, which the
 * machine points at its physical-memory helpers (which keep decoded code
 * honest).
 */
#ifndef PCVM_DMA8237_H
#define PCVM_DMA8237_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bus/bus.h"

struct dma_channel {
    uint16_t base_addr, base_count;   /* programmed values (auto-init reloads them) */
    uint16_t addr, count;             /* current address and count (count = n - 1) */
    uint8_t mode;                     /* mode register: 7-6 mode, 5 decrement, 4 auto-init, 3-2 type */
    uint8_t page;
};

struct dma_ctrl {
    struct dma_channel ch[4];
    uint8_t command, status, mask, request, temp;
    bool flipflop;                    /* false: next byte is the low one */
};

struct dma8237 {
    struct dma_ctrl c[2];             /* 0 = DMA1 (8-bit), 1 = DMA2 (16-bit) */
    uint8_t pages[16];                /* 0x80-0x8F as written */
    void (*mem_read)(void *opaque, uint32_t phys, uint8_t *buf, size_t n);
    void (*mem_write)(void *opaque, uint32_t phys, const uint8_t *buf, size_t n);
    void *opaque;
};

/* Transfer types (mode register bits 3-2). */
enum { DMA_VERIFY = 0, DMA_WRITE = 1 /* device -> memory */, DMA_READ = 2 /* memory -> device */ };

void dma_init(struct dma8237 *d,
              void (*mem_read)(void *, uint32_t, uint8_t *, size_t),
              void (*mem_write)(void *, uint32_t, const uint8_t *, size_t), void *opaque);
void dma_reset(struct dma8237 *d);
void dma_register_io(struct dma8237 *d, struct bus *b);

uint8_t dma_read(struct dma8237 *d, uint16_t port);
void dma_write(struct dma8237 *d, uint16_t port, uint8_t v);

/* A device moves up to len bytes on `channel` (0-3, 5-7): into guest
 * memory when to_memory, else out of it into buf.  Stops at terminal
 * count (then sets the status TC bit, and reloads the channel when it is
 * in auto-init mode).  Returns the bytes moved: less than len means the
 * channel reached terminal count (or is masked: 0).  A channel whose
 * programmed direction disagrees with to_memory moves nothing either. */
size_t dma_transfer(struct dma8237 *d, int channel, uint8_t *buf, size_t len, bool to_memory);
/* True when the channel is unmasked (a device may request it). */
bool dma_channel_ready(const struct dma8237 *d, int channel);
/* Bytes left before terminal count on the channel. */
size_t dma_remaining(const struct dma8237 *d, int channel);

#endif

/* Intel 8237A DMA pair.  References: Intel 8237A datasheet (registers,
 * modes, auto-initialize, address decrement, the byte pointer flip-flop,
 * master clear), IBM PC/AT Technical Reference (the cascade, page
 * registers, 16-bit channels that address words and cannot cross a
 * 128 KiB boundary; 8-bit ones stay within a 64 KiB page).
 *
 * Transfers happen at once when a device calls dma_transfer; there is no
 * bus timing.  Memory-to-memory mode (channels 0/1) is not implemented.
 */
#include "dma8237.h"

#include <string.h>

/* Page register port offsets (0x80 + x) for channels 0-7 (4: unused). */
static const uint8_t page_port[8] = { 0x07, 0x03, 0x01, 0x02, 0x0F, 0x0B, 0x09, 0x0A };

void dma_reset(struct dma8237 *d)
{
    for (int i = 0; i < 2; i++) {
        struct dma_ctrl *c = &d->c[i];
        c->command = c->status = c->request = c->temp = 0;
        c->mask = 0x0F; /* master clear masks all channels */
        c->flipflop = false;
    }
}

void dma_init(struct dma8237 *d,
              void (*mem_read)(void *, uint32_t, uint8_t *, size_t),
              void (*mem_write)(void *, uint32_t, const uint8_t *, size_t), void *opaque)
{
    memset(d, 0, sizeof *d);
    d->mem_read = mem_read;
    d->mem_write = mem_write;
    d->opaque = opaque;
    dma_reset(d);
}

static uint8_t ch_page(const struct dma8237 *d, int channel)
{
    return d->pages[page_port[channel]];
}

uint8_t dma_read(struct dma8237 *d, uint16_t port)
{
    if (port >= 0x80 && port <= 0x8F)
        return d->pages[port - 0x80];
    int hi = port >= 0xC0;
    struct dma_ctrl *c = &d->c[hi];
    unsigned reg = hi ? (port - 0xC0) >> 1 : port;
    if (reg < 8) {
        struct dma_channel *ch = &c->ch[reg >> 1];
        uint16_t v = (reg & 1) ? ch->count : ch->addr;
        uint8_t b = c->flipflop ? (uint8_t)(v >> 8) : (uint8_t)v;
        c->flipflop = !c->flipflop;
        return b;
    }
    switch (reg) {
    case 8: { /* status: TC bits clear on read */
        uint8_t s = (uint8_t)(c->status | (c->request << 4));
        c->status &= 0xF0;
        return s;
    }
    case 13: return c->temp;
    case 15: return (uint8_t)(0xF0 | c->mask); /* some chipsets read the mask back */
    default: return 0xFF;
    }
}

void dma_write(struct dma8237 *d, uint16_t port, uint8_t v)
{
    if (port >= 0x80 && port <= 0x8F) {
        d->pages[port - 0x80] = v;
        return;
    }
    int hi = port >= 0xC0;
    struct dma_ctrl *c = &d->c[hi];
    unsigned reg = hi ? (port - 0xC0) >> 1 : port;
    if (reg < 8) {
        struct dma_channel *ch = &c->ch[reg >> 1];
        uint16_t *base = (reg & 1) ? &ch->base_count : &ch->base_addr;
        uint16_t *cur = (reg & 1) ? &ch->count : &ch->addr;
        if (c->flipflop)
            *base = (uint16_t)((*base & 0x00FF) | (v << 8));
        else
            *base = (uint16_t)((*base & 0xFF00) | v);
        *cur = *base; /* writes go to the base and current registers */
        c->flipflop = !c->flipflop;
        return;
    }
    switch (reg) {
    case 8: c->command = v; break;
    case 9: /* request register */
        if (v & 4)
            c->request |= (uint8_t)(1u << (v & 3));
        else
            c->request &= (uint8_t)~(1u << (v & 3));
        break;
    case 10: /* single mask bit */
        if (v & 4)
            c->mask |= (uint8_t)(1u << (v & 3));
        else
            c->mask &= (uint8_t)~(1u << (v & 3));
        break;
    case 11: c->ch[v & 3].mode = v; break;
    case 12: c->flipflop = false; break;
    case 13: /* master clear */
        c->command = c->status = c->request = c->temp = 0;
        c->mask = 0x0F;
        c->flipflop = false;
        break;
    case 14: c->mask = 0; break;
    case 15: c->mask = v & 0x0F; break;
    default: break;
    }
}

bool dma_channel_ready(const struct dma8237 *d, int channel)
{
    if (channel < 0 || channel > 7 || channel == 4)
        return false;
    const struct dma_ctrl *c = &d->c[channel >> 2];
    if (c->command & 4)
        return false; /* controller disabled */
    if (channel < 4 && (d->c[1].mask & 1))
        return false; /* DMA1 cascades through DMA2's channel 4 */
    return !(c->mask & (1u << (channel & 3)));
}

size_t dma_remaining(const struct dma8237 *d, int channel)
{
    const struct dma_channel *ch = &d->c[channel >> 2].ch[channel & 3];
    size_t n = (size_t)ch->count + 1;
    return channel >= 4 ? n * 2 : n;
}

size_t dma_transfer(struct dma8237 *d, int channel, uint8_t *buf, size_t len, bool to_memory)
{
    if (!dma_channel_ready(d, channel))
        return 0;
    struct dma_ctrl *c = &d->c[channel >> 2];
    struct dma_channel *ch = &c->ch[channel & 3];
    unsigned type = (ch->mode >> 2) & 3;
    if (type == 3 || (type == DMA_WRITE) != to_memory)
        return 0;
    if (type == DMA_VERIFY)
        to_memory = false;
    bool word = channel >= 4, down = (ch->mode & 0x20) != 0;
    unsigned unit = word ? 2 : 1;
    size_t done = 0;
    while (done + unit <= len) {
        uint32_t phys = word ? ((uint32_t)(ch_page(d, channel) & 0xFE) << 16) | ((uint32_t)ch->addr << 1)
                             : ((uint32_t)ch_page(d, channel) << 16) | ch->addr;
        if (type != DMA_VERIFY) {
            if (to_memory)
                d->mem_write(d->opaque, phys, buf + done, unit);
            else
                d->mem_read(d->opaque, phys, buf + done, unit);
        }
        done += unit;
        ch->addr = (uint16_t)(down ? ch->addr - 1 : ch->addr + 1);
        if (ch->count-- == 0) { /* terminal count: 0 -> FFFF */
            c->status |= (uint8_t)(1u << (channel & 3));
            c->request &= (uint8_t)~(1u << (channel & 3));
            if (ch->mode & 0x10) {
                ch->addr = ch->base_addr;
                ch->count = ch->base_count;
            } else {
                c->mask |= (uint8_t)(1u << (channel & 3)); /* EOP masks the channel */
            }
            break;
        }
    }
    return done;
}

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    (void)size;
    return dma_read(opaque, (uint16_t)port);
}

static void io_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    (void)size;
    dma_write(opaque, (uint16_t)port, (uint8_t)v);
}

void dma_register_io(struct dma8237 *d, struct bus *b)
{
    bus_register_io(b, 0x00, 16, io_read, io_write, d, BUS_SIZE8);
    for (unsigned p = 0xC0; p <= 0xDE; p += 2)
        bus_register_io(b, (uint16_t)p, 1, io_read, io_write, d, BUS_SIZE8);
    /* The page registers the channels use; 0x80 (the POST code port)
     * and the spare page registers stay free for other devices. */
    bus_register_io(b, 0x81, 3, io_read, io_write, d, BUS_SIZE8);
    bus_register_io(b, 0x87, 1, io_read, io_write, d, BUS_SIZE8);
    bus_register_io(b, 0x89, 3, io_read, io_write, d, BUS_SIZE8);
    bus_register_io(b, 0x8F, 1, io_read, io_write, d, BUS_SIZE8);
}

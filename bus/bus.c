#include "bus.h"

#include <stdlib.h>
#include <string.h>

bool bus_init(struct bus *b, uint32_t ram_size)
{
    memset(b, 0, sizeof *b);
    ram_size = (ram_size + 4095u) & ~4095u;
    b->ram = calloc(1, ram_size ? ram_size : 4096);
    if (!b->ram)
        return false;
    b->ram_size = ram_size;
    return true;
}

void bus_free(struct bus *b)
{
    free(b->ram);
    b->ram = NULL;
}

static bool add_region(struct bus *b, const struct bus_region *r)
{
    if (b->nregions >= BUS_MAX_REGIONS)
        return false;
    /* Newest first, so a later mapping shadows an older one. */
    memmove(&b->regions[1], &b->regions[0], sizeof(b->regions[0]) * (size_t)b->nregions);
    b->regions[0] = *r;
    b->nregions++;
    b->map_generation++;
    return true;
}

bool bus_map_region(struct bus *b, const struct bus_region *r)
{
    return add_region(b, r);
}

bool bus_replace_region(struct bus *b, const struct bus_region *r)
{
    for (int i = 0; i < b->nregions; i++) {
        struct bus_region *o = &b->regions[i];
        if (o->start == r->start && o->size == r->size && o->name == r->name) {
            *o = *r;
            b->map_generation++;
            return true;
        }
    }
    return false;
}

bool bus_unmap_region(struct bus *b, uint32_t start, uint32_t size, const char *name)
{
    for (int i = 0; i < b->nregions; i++) {
        struct bus_region *o = &b->regions[i];
        if (o->start == start && o->size == size && o->name == name) {
            memmove(o, o + 1, sizeof *o * (size_t)(b->nregions - i - 1));
            b->nregions--;
            b->map_generation++;
            return true;
        }
    }
    return false;
}

bool bus_map_rom(struct bus *b, uint32_t start, uint32_t size,
                 const uint8_t *data, const char *name)
{
    struct bus_region r = { .start = start, .size = size, .kind = REGION_ROM,
                            .host = (uint8_t *)data, .name = name };
    return add_region(b, &r);
}

bool bus_map_mmio(struct bus *b, uint32_t start, uint32_t size,
                  bus_read_fn rd, bus_write_fn wr, void *opaque,
                  unsigned sizes, const char *name)
{
    struct bus_region r = { .start = start, .size = size, .kind = REGION_MMIO,
                            .read = rd, .write = wr, .opaque = opaque,
                            .sizes = sizes ? sizes : BUS_SIZE8, .name = name };
    return add_region(b, &r);
}

static bool in_region(const struct bus_region *r, uint32_t addr)
{
    return addr - r->start < r->size;
}

const struct bus_region *bus_find(const struct bus *b, uint32_t addr)
{
    for (int i = 0; i < b->nregions; i++)
        if (in_region(&b->regions[i], addr))
            return &b->regions[i];
    return NULL;
}

uint8_t *bus_page_ptr(const struct bus *b, uint32_t addr, bool *writable)
{
    uint32_t page = addr & ~4095u;
    for (int i = 0; i < b->nregions; i++) {
        const struct bus_region *r = &b->regions[i];
        bool hit_first = in_region(r, page), hit_last = in_region(r, page + 4095);
        if (!hit_first && !hit_last)
            continue;
        if (!hit_first || !hit_last || r->kind == REGION_MMIO)
            return NULL; /* page only partly covered, or device memory */
        *writable = r->kind == REGION_RAM;
        return r->host + (addr - r->start);
    }
    if (addr < b->ram_size) {
        *writable = true;
        return b->ram + addr;
    }
    return NULL;
}

static uint32_t read_byte(struct bus *b, uint32_t addr)
{
    const struct bus_region *r = bus_find(b, addr);
    if (r) {
        if (r->kind == REGION_MMIO)
            return r->read ? r->read(r->opaque, addr - r->start, 1) & 0xFF : 0xFF;
        return r->host[addr - r->start];
    }
    if (addr < b->ram_size)
        return b->ram[addr];
    return 0xFF;
}

static void write_byte(struct bus *b, uint32_t addr, uint8_t v)
{
    const struct bus_region *r = bus_find(b, addr);
    if (r) {
        if (r->kind == REGION_MMIO && r->write)
            r->write(r->opaque, addr - r->start, v, 1);
        else if (r->kind == REGION_RAM)
            r->host[addr - r->start] = v;
        return; /* ROM ignores writes */
    }
    if (addr < b->ram_size)
        b->ram[addr] = v;
}

uint32_t bus_read(struct bus *b, uint32_t addr, unsigned size)
{
    const struct bus_region *r = bus_find(b, addr);
    if (r && r->kind == REGION_MMIO && (r->sizes & size) &&
        in_region(r, addr + size - 1))
        return r->read ? r->read(r->opaque, addr - r->start, size) : 0xFFFFFFFFu;
    uint32_t v = 0;
    for (unsigned k = 0; k < size; k++)
        v |= read_byte(b, addr + k) << (8 * k);
    return v;
}

void bus_write(struct bus *b, uint32_t addr, uint32_t val, unsigned size)
{
    const struct bus_region *r = bus_find(b, addr);
    if (r && r->kind == REGION_MMIO && (r->sizes & size) &&
        in_region(r, addr + size - 1)) {
        if (r->write)
            r->write(r->opaque, addr - r->start, val, size);
        return;
    }
    for (unsigned k = 0; k < size; k++)
        write_byte(b, addr + k, (uint8_t)(val >> (8 * k)));
}

void bus_register_io(struct bus *b, uint16_t first, unsigned count,
                     bus_read_fn rd, bus_write_fn wr, void *opaque,
                     unsigned sizes)
{
    for (unsigned k = 0; k < count && first + k < 65536u; k++) {
        struct io_port *p = &b->ports[first + k];
        p->read = rd;
        p->write = wr;
        p->opaque = opaque;
        p->sizes = sizes ? sizes : BUS_SIZE8;
    }
}

uint32_t bus_in(struct bus *b, uint16_t port, unsigned size)
{
    const struct io_port *p = &b->ports[port];
    uint32_t ones = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    if (p->read && (p->sizes & size))
        return p->read(p->opaque, port, size) & ones;
    if (!p->read && size == 1)
        return 0xFF;
    /* Split into bytes: each port answers for itself. */
    uint32_t v = 0;
    for (unsigned k = 0; k < size; k++) {
        const struct io_port *q = &b->ports[(uint16_t)(port + k)];
        uint32_t byte = q->read ? q->read(q->opaque, (uint16_t)(port + k), 1) & 0xFF : 0xFF;
        v |= byte << (8 * k);
    }
    return v;
}

void bus_out(struct bus *b, uint16_t port, uint32_t val, unsigned size)
{
    const struct io_port *p = &b->ports[port];
    if (p->write && (p->sizes & size)) {
        p->write(p->opaque, port, val, size);
        return;
    }
    for (unsigned k = 0; k < size; k++) {
        const struct io_port *q = &b->ports[(uint16_t)(port + k)];
        if (q->write)
            q->write(q->opaque, (uint16_t)(port + k), (val >> (8 * k)) & 0xFF, 1);
    }
}

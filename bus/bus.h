/* Physical memory map and port I/O dispatch.
 *
 * The bus knows three kinds of physical memory: RAM (one host buffer,
 * mapped from physical 0), ROM (host buffers that ignore writes) and MMIO
 * (a device's callbacks).  Lookups happen only on TLB misses and in slow
 * paths, so they are a simple search over a short region list.
 *
 * Devices use the TinyEMU-style contract: an opaque pointer, read/write
 * callbacks and the access sizes the device handles.  A wider access to a
 * device that only handles bytes is split into byte accesses by the bus.
 *
 * No OS calls here: host I/O lives in frontends.
 */
#ifndef PCVM_BUS_H
#define PCVM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Access-size bit masks for devices: which sizes a callback accepts. */
enum { BUS_SIZE8 = 1, BUS_SIZE16 = 2, BUS_SIZE32 = 4 };

typedef uint32_t (*bus_read_fn)(void *opaque, uint32_t addr, unsigned size);
typedef void (*bus_write_fn)(void *opaque, uint32_t addr, uint32_t val,
                             unsigned size);

enum region_kind { REGION_RAM, REGION_ROM, REGION_MMIO };

struct bus_region {
    uint32_t start;          /* physical address of the first byte */
    uint32_t size;           /* bytes; a multiple of 4096 for RAM/ROM */
    enum region_kind kind;
    uint8_t *host;           /* RAM/ROM backing store (not owned for ROM) */
    bus_read_fn read;        /* MMIO */
    bus_write_fn write;      /* MMIO */
    void *opaque;            /* MMIO */
    unsigned sizes;          /* MMIO: BUS_SIZE* accepted */
    const char *name;
};

struct io_port {
    bus_read_fn read;
    bus_write_fn write;
    void *opaque;
    unsigned sizes;
};

#define BUS_MAX_REGIONS 32

struct bus {
    uint8_t *ram;            /* host buffer, ram_size bytes, owned */
    uint32_t ram_size;
    int nregions;
    struct bus_region regions[BUS_MAX_REGIONS]; /* searched in order: first match wins */
    struct io_port ports[65536];
    /* Bumped whenever the memory map changes, so translation caches can
     * notice that their host pointers are stale. */
    uint32_t map_generation;
};

/* Creates the bus with ram_size bytes of zeroed RAM at physical 0.
 * Returns false (and leaves *b cleared) when memory cannot be allocated. */
bool bus_init(struct bus *b, uint32_t ram_size);
void bus_free(struct bus *b);

/* Maps a ROM image; the bus copies nothing: `data` must outlive the bus.
 * Later mappings take precedence over earlier ones and over RAM. */
bool bus_map_rom(struct bus *b, uint32_t start, uint32_t size,
                 const uint8_t *data, const char *name);
bool bus_map_mmio(struct bus *b, uint32_t start, uint32_t size,
                  bus_read_fn rd, bus_write_fn wr, void *opaque,
                  unsigned sizes, const char *name);

/* Adds a region of any kind (REGION_RAM regions alias host memory that
 * the caller owns, e.g. a part of the RAM buffer: the i440FX's shadow
 * RAM).  It takes precedence over the older ones. */
bool bus_map_region(struct bus *b, const struct bus_region *r);
/* Replaces, in place (same precedence), the region with the same start,
 * size and name pointer as *r.  False when there is none. */
bool bus_replace_region(struct bus *b, const struct bus_region *r);

/* Removes the region with this start, size and name pointer (a PCI BAR
 * that moved or was disabled).  False when there is none. */
bool bus_unmap_region(struct bus *b, uint32_t start, uint32_t size, const char *name);

/* The region holding `addr`, or NULL for unmapped space (reads as 0xFF). */
const struct bus_region *bus_find(const struct bus *b, uint32_t addr);

/* Host pointer to the RAM/ROM byte at `addr` when the whole 4 KiB page
 * containing it is plain memory, else NULL.  *writable says whether writes
 * may go straight to the pointer (RAM) or must be dropped (ROM). */
uint8_t *bus_page_ptr(const struct bus *b, uint32_t addr, bool *writable);

/* Physical accesses through the map (slow path, any size 1/2/4, little
 * endian, may cross regions). */
uint32_t bus_read(struct bus *b, uint32_t addr, unsigned size);
void bus_write(struct bus *b, uint32_t addr, uint32_t val, unsigned size);

/* Port I/O.  Unclaimed ports read as all ones and ignore writes. */
void bus_register_io(struct bus *b, uint16_t first, unsigned count,
                     bus_read_fn rd, bus_write_fn wr, void *opaque,
                     unsigned sizes);
uint32_t bus_in(struct bus *b, uint16_t port, unsigned size);
void bus_out(struct bus *b, uint16_t port, uint32_t val, unsigned size);

/* Little-endian helpers that never rely on host endianness or alignment. */
static inline uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline void st16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

#endif

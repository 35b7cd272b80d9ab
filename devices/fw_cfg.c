/* fw_cfg.  Reference: QEMU's specification docs/specs/fw_cfg.rst (the
 * interface is a documented ABI): selector and data registers, the file
 * directory (a big-endian count, then 64-byte entries of big-endian size,
 * select, reserved, and a NUL-padded name), the DMA interface (a
 * big-endian descriptor { control, length, address } whose address is
 * written big-endian to 0x514/0x518; control bits error 0x01, read 0x02,
 * skip 0x04, select 0x08 with the selector in bits 31-16, write 0x10).
 * Numbers in items are little-endian; the directory and DMA descriptor
 * are big-endian. */
#include "fw_cfg.h"

#include <stdlib.h>
#include <string.h>

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

bool fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len)
{
    if (key >= FW_CFG_MAX_ITEMS)
        return false;
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return false;
    if (len)
        memcpy(copy, data, len);
    free(f->item[key].data);
    f->item[key].data = copy;
    f->item[key].len = len;
    return true;
}

bool fw_cfg_add_i16(struct fw_cfg *f, uint16_t key, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    return fw_cfg_add_bytes(f, key, b, 2);
}

bool fw_cfg_add_i32(struct fw_cfg *f, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    st32(b, v);
    return fw_cfg_add_bytes(f, key, b, 4);
}

bool fw_cfg_add_i64(struct fw_cfg *f, uint16_t key, uint64_t v)
{
    uint8_t b[8];
    st32(b, (uint32_t)v);
    st32(b + 4, (uint32_t)(v >> 32));
    return fw_cfg_add_bytes(f, key, b, 8);
}

static bool rebuild_dir(struct fw_cfg *f)
{
    uint32_t len = 4 + 64 * f->nfiles;
    uint8_t *dir = calloc(1, len);
    if (!dir)
        return false;
    put_be32(dir, f->nfiles);
    for (unsigned i = 0; i < f->nfiles; i++) {
        uint8_t *e = dir + 4 + 64 * i;
        uint16_t key = (uint16_t)(FW_CFG_FILE_FIRST + i);
        put_be32(e, f->item[key].len);
        e[4] = (uint8_t)(key >> 8);
        e[5] = (uint8_t)key;
        memcpy(e + 8, f->names[i], strlen(f->names[i]));
    }
    bool ok = fw_cfg_add_bytes(f, FW_CFG_FILE_DIR, dir, len);
    free(dir);
    return ok;
}

bool fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t len)
{
    size_t n = strlen(name);
    if (n == 0 || n > 55)
        return false;
    unsigned i;
    for (i = 0; i < f->nfiles; i++)
        if (strcmp(f->names[i], name) == 0)
            break; /* replace */
    if (i == f->nfiles) {
        if (f->nfiles >= FW_CFG_MAX_FILES)
            return false;
        memset(f->names[i], 0, sizeof f->names[i]);
        memcpy(f->names[i], name, n);
        f->nfiles++;
    }
    return fw_cfg_add_bytes(f, (uint16_t)(FW_CFG_FILE_FIRST + i), data, len) && rebuild_dir(f);
}

void fw_cfg_init(struct fw_cfg *f,
                 void (*mem_read)(void *, uint32_t, uint8_t *, size_t),
                 void (*mem_write)(void *, uint32_t, const uint8_t *, size_t), void *opaque)
{
    memset(f, 0, sizeof *f);
    f->mem_read = mem_read;
    f->mem_write = mem_write;
    f->mem_opaque = opaque;
    fw_cfg_add_bytes(f, FW_CFG_SIGNATURE, "QEMU", 4);
    /* ID: bit 0 traditional interface, bit 1 DMA interface. */
    fw_cfg_add_i32(f, FW_CFG_ID, mem_read && mem_write ? 3u : 1u);
    rebuild_dir(f);
}

void fw_cfg_free(struct fw_cfg *f)
{
    for (unsigned i = 0; i < FW_CFG_MAX_ITEMS; i++) {
        free(f->item[i].data);
        f->item[i].data = NULL;
    }
}

void fw_cfg_select(struct fw_cfg *f, uint16_t key)
{
    f->sel = key;
    f->off = 0;
}

uint8_t fw_cfg_read_byte(struct fw_cfg *f)
{
    uint16_t key = f->sel & 0x3FFF; /* bit 14: write, bit 15: arch-specific */
    if (f->sel & 0x8000)
        return 0; /* no architecture-specific items */
    if (key >= FW_CFG_MAX_ITEMS || f->off >= f->item[key].len)
        return 0;
    return f->item[key].data[f->off++];
}

/* Runs the DMA descriptor at guest address `addr`. */
static void dma(struct fw_cfg *f, uint32_t addr)
{
    uint8_t d[16];
    f->mem_read(f->mem_opaque, addr, d, 16);
    uint32_t control = get_be32(d), len = get_be32(d + 4);
    uint32_t dst = get_be32(d + 12); /* the high half must be 0 on a 32-bit PC */
    bool error = get_be32(d + 8) != 0;
    if (control & 0x08)
        fw_cfg_select(f, (uint16_t)(control >> 16));
    if (!error && (control & 0x02)) {
        uint8_t buf[256];
        while (len) {
            uint32_t n = len < sizeof buf ? len : (uint32_t)sizeof buf;
            for (uint32_t k = 0; k < n; k++)
                buf[k] = fw_cfg_read_byte(f);
            f->mem_write(f->mem_opaque, dst, buf, n);
            dst += n;
            len -= n;
        }
    } else if (!error && (control & 0x04)) {
        while (len--)
            fw_cfg_read_byte(f);
    } else if (control & 0x10) {
        error = true; /* items are read-only */
    }
    uint8_t done[4];
    put_be32(done, error ? 1u : 0u);
    f->mem_write(f->mem_opaque, addr, done, 4);
}

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    struct fw_cfg *f = opaque;
    if (port == 0x511 || port == 0x510) {
        if (port == 0x510)
            return 0xFFFF;
        uint32_t v = 0;
        for (unsigned k = 0; k < size; k++)
            v |= (uint32_t)fw_cfg_read_byte(f) << (8 * k);
        return v;
    }
    /* 0x514-0x51B: the DMA address register reads as "QEMU CFG". */
    static const char sig[8] = { 'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G' };
    uint32_t v = 0;
    for (unsigned k = 0; k < size; k++)
        v |= (uint32_t)(uint8_t)sig[(port - 0x514 + k) & 7] << (8 * k);
    return v;
}

static uint32_t bswap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
}

static void io_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    struct fw_cfg *f = opaque;
    if (port == 0x510) {
        fw_cfg_select(f, (uint16_t)(size == 1 ? (f->sel & 0xFF00) | (v & 0xFF) : v));
        return;
    }
    if (port == 0x511)
        return; /* the legacy write path is gone */
    if (!f->mem_read || size != 4)
        return;
    /* The address is big-endian: a 32-bit OUT of the guest's
     * cpu_to_be32(value) arrives here byte-swapped. */
    if (port == 0x514)
        f->dma_hi = bswap32(v);
    else if (port == 0x518) {
        if (f->dma_hi == 0)
            dma(f, bswap32(v));
        f->dma_hi = 0;
    }
}

void fw_cfg_register_io(struct fw_cfg *f, struct bus *b)
{
    bus_register_io(b, 0x510, 2, io_read, io_write, f, BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32);
    bus_register_io(b, 0x514, 8, io_read, io_write, f, BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32);
}

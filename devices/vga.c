/* VGA registers, video memory and the PCI function (see vga.h).
 *
 * Memory access follows the IBM VGA Technical Reference / FreeVGA:
 *  - addressing: chain 4 (sequencer memory mode bit 3: address bits 1-0
 *    pick the plane, bits 15-14 replace them in the plane offset),
 *    odd/even (sequencer memory mode bit 2 clear for writes, graphics mode
 *    bit 4 for reads: address bit 0 picks plane 0/2 or 1/3, the offset is
 *    the address with bit 0 cleared), else sequential (map mask / read map
 *    select);
 *  - every read loads the four latches; read mode 0 returns one plane,
 *    read mode 1 the colour compare result (colour don't care);
 *  - write modes 0-3: data rotate, set/reset and enable set/reset, the
 *    logical function with the latches, the bit mask, the map mask.
 */
#include "vga.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ memory */

static inline uint8_t *plane_byte(struct vga *v, uint32_t off, unsigned plane)
{
    return &v->vram[((off & (VGA_VRAM_SIZE / 4 - 1)) << 2) | (plane & 3)];
}

/* The window offset of a legacy address (0 = 0xA0000), or -1 when the
 * graphics controller's memory map leaves it undecoded. */
static int32_t window_offset(const struct vga *v, uint32_t addr)
{
    switch ((v->gc[6] >> 2) & 3) {
    case 0: return (int32_t)addr;                                   /* A0000, 128K */
    case 1: return addr < 0x10000 ? (int32_t)addr : -1;             /* A0000, 64K */
    case 2: return addr - 0x10000 < 0x8000 ? (int32_t)(addr - 0x10000) : -1; /* B0000 */
    default: return addr - 0x18000 < 0x8000 ? (int32_t)(addr - 0x18000) : -1; /* B8000 */
    }
}

/* VBE modes above 4 bpp: the window is a 64 KiB bank of linear memory. */
static bool vbe_banked(const struct vga *v)
{
    return vga_vbe_enabled(v) && v->vbe_regs[VBE_INDEX_BPP] > 4;
}

static uint32_t bank_address(const struct vga *v, uint32_t addr)
{
    return ((uint32_t)v->vbe_regs[VBE_INDEX_BANK] * 65536u + (addr & 0xFFFF)) &
           (VGA_VRAM_SIZE - 1);
}

/* Where a legacy-window address goes before the addressing mode: *a and
 * the plane-offset mask (the VGA's 64 KiB a plane; VBE 4-bpp modes use
 * planes of a quarter of the video memory, the bank in 64 KiB steps).
 * False when the address is not decoded. */
static bool decode(const struct vga *v, uint32_t addr, uint32_t *a, uint32_t *mask)
{
    if (vga_vbe_enabled(v)) {              /* 4 bpp (vbe_banked handles the rest) */
        if (addr >= 0x10000)
            return false;
        *a = (uint32_t)v->vbe_regs[VBE_INDEX_BANK] * 65536u + addr;
        *mask = VGA_VRAM_SIZE / 4 - 1;
        return true;
    }
    int32_t w = window_offset(v, addr);
    *a = (uint32_t)w;
    *mask = VGA_PLANE_SIZE - 1;
    return w >= 0;
}

/* Chain 4: address bits 1-0 pick the plane; the plane offset is the
 * address with bits 15-14 rotated into bits 1-0, the same rotation the
 * CRTC's doubleword mode applies to its counter, so 13h's 64000 bytes
 * land where the CRTC scans them. */
static uint32_t chain4_offset(uint32_t a)
{
    return (a & 0xFFFCu) | ((a >> 14) & 3u);
}

static void load_latches(struct vga *v, uint32_t off)
{
    for (unsigned p = 0; p < 4; p++)
        v->latch[p] = *plane_byte(v, off, p);
}

uint8_t vga_mem_read(struct vga *v, uint32_t addr)
{
    if (vbe_banked(v))
        return addr < 0x10000 ? v->vram[bank_address(v, addr)] : 0xFF;
    uint32_t a, off, lim;
    if (!decode(v, addr, &a, &lim))
        return 0xFF;
    unsigned plane;
    if (v->seq[4] & 0x08) {                 /* chain 4 */
        plane = a & 3;
        off = chain4_offset(a);
    } else if (v->gc[5] & 0x10) {           /* host odd/even */
        plane = (v->gc[4] & 2) | (a & 1);
        off = a & ~1u;
    } else {
        plane = v->gc[4] & 3;
        off = a;
    }
    off &= lim;
    load_latches(v, off);
    if (!(v->gc[5] & 0x08))                 /* read mode 0 */
        return v->latch[plane];
    /* Read mode 1: 1 where every plane not "don't care" matches the
     * colour compare register. */
    uint8_t r = 0xFF;
    for (unsigned p = 0; p < 4; p++) {
        if (!(v->gc[7] & (1u << p)))
            continue;
        uint8_t want = (v->gc[2] >> p) & 1 ? 0xFF : 0x00;
        r &= (uint8_t)~(v->latch[p] ^ want);
    }
    return r;
}

static uint8_t logical(const struct vga *v, uint8_t d, uint8_t latch)
{
    switch ((v->gc[3] >> 3) & 3) {
    case 1: return d & latch;
    case 2: return d | latch;
    case 3: return d ^ latch;
    default: return d;
    }
}

void vga_mem_write(struct vga *v, uint32_t addr, uint8_t val)
{
    if (vbe_banked(v)) {
        if (addr < 0x10000)
            v->vram[bank_address(v, addr)] = val;
        return;
    }
    uint32_t a, off, lim;
    if (!decode(v, addr, &a, &lim))
        return;
    unsigned planes = v->seq[2] & 15;
    if (v->seq[4] & 0x08) {                 /* chain 4 */
        planes &= 1u << (a & 3);
        off = chain4_offset(a);
    } else if (!(v->seq[4] & 0x04)) {       /* odd/even */
        planes &= (a & 1) ? 0x0A : 0x05;
        off = a & ~1u;
    } else {
        off = a;
    }
    off &= lim;
    if (!planes)
        return;
    unsigned rot = v->gc[3] & 7;
    uint8_t rotated = (uint8_t)(((unsigned)val >> rot) | ((unsigned)val << (8 - rot)));
    uint8_t bm = v->gc[8];
    unsigned mode = v->gc[5] & 3;
    for (unsigned p = 0; p < 4; p++) {
        if (!(planes & (1u << p)))
            continue;
        uint8_t sr = (v->gc[0] >> p) & 1 ? 0xFF : 0x00;
        uint8_t d, mask = bm;
        switch (mode) {
        case 0:
            d = (v->gc[1] >> p) & 1 ? sr : rotated;
            d = logical(v, d, v->latch[p]);
            break;
        case 1:                            /* the latches, as they are */
            d = v->latch[p];
            mask = 0xFF;
            break;
        case 2:
            d = logical(v, (val >> p) & 1 ? 0xFF : 0x00, v->latch[p]);
            break;
        default:                           /* 3: rotated data ANDed into the bit mask */
            mask = rotated & bm;
            d = logical(v, sr, v->latch[p]);
            break;
        }
        *plane_byte(v, off, p) = (uint8_t)((d & mask) | (v->latch[p] & ~mask));
    }
}

/* ------------------------------------------------------------ timing */

/* Dot clock in Hz from MISC bits 3-2 (0: 25.175 MHz, 1: 28.322 MHz). */
static uint32_t dot_clock(const struct vga *v)
{
    return (v->misc & 0x0C) == 0x04 ? 28322000u : 25175000u;
}

/* Input status 1: bit 3 vertical retrace, bit 0 "display disabled"
 * (horizontal or vertical blanking interval), from the CRTC's totals,
 * display ends and retrace positions and the dot clock, against virtual
 * time.  Unreasonable timings fall back to 640x480 at 60 Hz. */
static uint8_t input_status1(const struct vga *v)
{
    uint64_t htotal = v->crtc[0] + 5u, hde = v->crtc[1] + 1u;
    uint64_t vtotal = vga_crtc_bits(v, 6, 0, 5) + 2u;
    uint64_t vde = vga_crtc_bits(v, 0x12, 1, 6) + 1u;
    uint64_t vrs = vga_crtc_bits(v, 0x10, 2, 7);
    uint64_t dots = (v->seq[1] & 1) ? 8 : 9;
    uint64_t clk = dot_clock(v);
    if (v->seq[1] & 0x08)
        clk /= 2;
    if (vga_vbe_enabled(v) || htotal < hde || vtotal < vde || vtotal < 100) {
        htotal = 100; hde = 80; vtotal = 525; vde = 480; vrs = 490; dots = 8; clk = 25175000;
    }
    uint64_t line_ns = htotal * dots * 1000000000ull / clk;
    if (!line_ns)
        line_ns = 1;
    uint64_t now = v->clk ? clock_ns(clock_now(v->clk)) : 0;
    uint64_t t = now % (line_ns * vtotal);
    uint64_t line = t / line_ns, pos = t % line_ns;
    /* Vertical retrace end: 4 bits, compared against the line counter. */
    uint64_t vre = (vrs & ~15ull) | (v->crtc[0x11] & 15u);
    if (vre <= vrs)
        vre += 16;
    uint8_t r = 0;
    if (line >= vde || pos >= line_ns * hde / htotal)
        r |= 0x01;
    if (line >= vrs && line < vre)
        r |= 0x08;
    return r;
}

/* ------------------------------------------------------------ ports */

static bool colour_io(const struct vga *v) { return v->misc & 1; }

/* Whether a 0x3Bx/0x3Dx port is the one MISC bit 0 selects. */
static bool crtc_port_live(const struct vga *v, uint16_t port)
{
    return ((port & 0xFFF0) == 0x3D0) == colour_io(v);
}

uint8_t vga_port_read(struct vga *v, uint16_t port)
{
    if ((port & 0xFFF0) != 0x3C0 && !crtc_port_live(v, port))
        return 0xFF;
    switch (port) {
    case 0x3C0:
        return v->ar_index;
    case 0x3C1:
        return v->ar[v->ar_index & 0x1F];
    case 0x3C2:                            /* input status 0: switch sense = 1 (colour) */
        return 0x10;
    case 0x3C4:
        return v->seq_index;
    case 0x3C5:
        return v->seq[v->seq_index & 7];
    case 0x3C6:
        return v->pel_mask;
    case 0x3C7:
        return v->dac_state;
    case 0x3C8:
        return v->dac_write;
    case 0x3C9: {
        uint8_t r = v->dac[v->dac_read][v->dac_sub];
        if (++v->dac_sub == 3) {
            v->dac_sub = 0;
            v->dac_read++;
        }
        return r;
    }
    case 0x3CA:
        return v->fcr;
    case 0x3CC:
        return v->misc;
    case 0x3CE:
        return v->gc_index;
    case 0x3CF:
        return v->gc[v->gc_index & 15];
    case 0x3B4: case 0x3D4:
        return v->crtc_index;
    case 0x3B5: case 0x3D5:
        return v->crtc[v->crtc_index & 0x1F];
    case 0x3BA: case 0x3DA:
        v->ar_flipflop = false;            /* reading input status 1 resets it */
        return input_status1(v);
    }
    return 0xFF;
}

static void crtc_write(struct vga *v, uint8_t val)
{
    unsigned i = v->crtc_index & 0x1F;
    if (i > 0x18)
        return;
    /* CR11 bit 7 protects CR00-CR07, except CR07 bit 4 (line compare bit 8). */
    if ((v->crtc[0x11] & 0x80) && i <= 7) {
        if (i == 7)
            v->crtc[7] = (uint8_t)((v->crtc[7] & ~0x10) | (val & 0x10));
        return;
    }
    v->crtc[i] = val;
}

void vga_port_write(struct vga *v, uint16_t port, uint8_t val)
{
    if ((port & 0xFFF0) != 0x3C0 && !crtc_port_live(v, port))
        return;
    switch (port) {
    case 0x3C0:
        if (!v->ar_flipflop)
            v->ar_index = val & 0x3F;
        else if ((v->ar_index & 0x1F) <= 0x14)   /* palette entries: 6 bits */
            v->ar[v->ar_index & 0x1F] = (v->ar_index & 0x10) ? val : val & 0x3F;
        v->ar_flipflop = !v->ar_flipflop;
        break;
    case 0x3C2:
        v->misc = val;
        break;
    case 0x3C4:
        v->seq_index = val & 7;
        break;
    case 0x3C5:
        if (v->seq_index <= 4)
            v->seq[v->seq_index] = val;
        break;
    case 0x3C6:
        v->pel_mask = val;
        break;
    case 0x3C7:
        v->dac_read = val;
        v->dac_sub = 0;
        v->dac_state = 3;
        break;
    case 0x3C8:
        v->dac_write = val;
        v->dac_sub = 0;
        v->dac_state = 0;
        break;
    case 0x3C9: {
        bool wide = v->vbe_regs[VBE_INDEX_ENABLE] & VBE_8BIT_DAC;
        v->dac_latch[v->dac_sub] = wide ? val : val & 0x3F;
        if (++v->dac_sub == 3) {
            memcpy(v->dac[v->dac_write], v->dac_latch, 3);
            v->dac_sub = 0;
            v->dac_write++;
        }
        break;
    }
    case 0x3CE:
        v->gc_index = val & 15;
        break;
    case 0x3CF:
        if (v->gc_index <= 8)
            v->gc[v->gc_index] = val;
        break;
    case 0x3B4: case 0x3D4:
        v->crtc_index = val & 0x3F;
        break;
    case 0x3B5: case 0x3D5:
        crtc_write(v, val);
        break;
    case 0x3BA: case 0x3DA:
        v->fcr = val;
        break;
    }
}

uint32_t vga_dac_rgb(const struct vga *v, uint8_t index)
{
    const uint8_t *e = v->dac[index];
    if (v->vbe_regs[VBE_INDEX_ENABLE] & VBE_8BIT_DAC)
        return ((uint32_t)e[0] << 16) | ((uint32_t)e[1] << 8) | e[2];
    /* 6 bits to 8: the top bits repeated, so 0x3F is 0xFF. */
    uint32_t r = (uint32_t)((e[0] << 2) | (e[0] >> 4)) & 0xFF;
    uint32_t g = (uint32_t)((e[1] << 2) | (e[1] >> 4)) & 0xFF;
    uint32_t b = (uint32_t)((e[2] << 2) | (e[2] >> 4)) & 0xFF;
    return (r << 16) | (g << 8) | b;
}

/* ------------------------------------------------------------ bus glue */

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    struct vga *v = opaque;
    if (port == 0x1CE || port == 0x1CF || port == 0x1D0) {
        if (port == 0x1CE)
            return v->vbe_index;
        uint16_t r = vga_vbe_read(v);
        return size == 1 ? (uint32_t)(r & 0xFF) : r;
    }
    return vga_port_read(v, (uint16_t)port);
}

static void io_write(void *opaque, uint32_t port, uint32_t val, unsigned size)
{
    struct vga *v = opaque;
    if (port == 0x1CE || port == 0x1CF || port == 0x1D0) {
        if (port == 0x1CE)
            v->vbe_index = (uint16_t)val;
        else
            vga_vbe_write(v, (uint16_t)val);
        return;
    }
    if (size == 2) {                       /* OUT DX, AX: index, then data */
        vga_port_write(v, (uint16_t)port, (uint8_t)val);
        vga_port_write(v, (uint16_t)(port + 1), (uint8_t)(val >> 8));
        return;
    }
    vga_port_write(v, (uint16_t)port, (uint8_t)val);
}

static uint32_t win_read(void *opaque, uint32_t addr, unsigned size)
{
    uint32_t r = 0;
    for (unsigned k = 0; k < size; k++)
        r |= (uint32_t)vga_mem_read(opaque, addr + k) << (8 * k);
    return r;
}

static void win_write(void *opaque, uint32_t addr, uint32_t val, unsigned size)
{
    for (unsigned k = 0; k < size; k++)
        vga_mem_write(opaque, addr + k, (uint8_t)(val >> (8 * k)));
}

/* BAR2, QEMU's stdvga MMIO area (QEMU docs/specs/standard-vga): 0x400-
 * 0x41F the ports 0x3C0-0x3DF (a word access is index then data), 0x500-
 * 0x515 the DISPI registers flat (index << 1), 0x600 the size of the
 * extended registers (8) and 0x604 the frame buffer's byte order
 * (0x1E1E1E1E: little endian, fixed here).  The EDID area below 0x400
 * reads as zeros (no EDID). */
static uint32_t dispi_reg(struct vga *v, uint32_t idx, const uint16_t *write)
{
    uint16_t save = v->vbe_index, r = 0;
    v->vbe_index = (uint16_t)idx;
    if (write)
        vga_vbe_write(v, *write);
    else
        r = vga_vbe_read(v);
    v->vbe_index = save;
    return r;
}

static uint32_t mmio_read(void *opaque, uint32_t off, unsigned size)
{
    struct vga *v = opaque;
    uint32_t r = 0;
    for (unsigned k = 0; k < size; k++) {
        uint32_t o = off + k, b = 0;
        if (o - 0x400 < 0x20)
            b = vga_port_read(v, (uint16_t)(0x3C0 + o - 0x400));
        else if (o - 0x500 < 0x16)
            b = (dispi_reg(v, (o - 0x500) >> 1, NULL) >> (8 * (o & 1))) & 0xFF;
        else if (o - 0x600 < 4)
            b = (8u >> (8 * (o & 3))) & 0xFF;
        else if (o - 0x604 < 4)
            b = 0x1E;
        r |= b << (8 * k);
    }
    return r;
}

static void mmio_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    struct vga *v = opaque;
    for (unsigned k = 0; k < size; k++) {
        uint32_t o = off + k;
        if (o - 0x400 < 0x20) {
            vga_port_write(v, (uint16_t)(0x3C0 + o - 0x400), (uint8_t)(val >> (8 * k)));
        } else if (o - 0x500 < 0x16 && !(o & 1)) {
            /* A DISPI register is written whole: from a 16-bit access, or a
             * byte access with the other byte as it is. */
            uint16_t cur = (uint16_t)dispi_reg(v, (o - 0x500) >> 1, NULL);
            uint16_t x = (uint16_t)(val >> (8 * k));
            if (k + 1 < size)
                k++;
            else
                x = (uint16_t)((x & 0xFF) | (cur & 0xFF00));
            dispi_reg(v, (o - 0x500) >> 1, &x);
        }
    }
}

/* ------------------------------------------------------------ PCI */

static const char lfb_name[] = "vga-lfb";
static const char rom_name[] = "vga-rom";
static const char mmio_name[] = "vga-mmio";

/* A memory BAR's address when the function decodes memory and the BAR
 * holds a real address (not 0, not the all-ones sizing pattern). */
static uint32_t bar_address(const struct vga *v, unsigned off, uint32_t size)
{
    uint32_t bar = le32(&v->pci.cfg[off]) & ~(size - 1);
    if (!(v->pci.cfg[4] & 0x02) || bar == 0 || bar == ~(size - 1))
        return 0;
    return bar;
}

static void remap(struct vga *v)
{
    if (!v->bus)
        return;
    uint32_t lfb = bar_address(v, 0x10, VGA_VRAM_SIZE);
    if (lfb != v->lfb_mapped) {
        if (v->lfb_mapped)
            bus_unmap_region(v->bus, v->lfb_mapped, VGA_VRAM_SIZE, lfb_name);
        struct bus_region r = { .start = lfb, .size = VGA_VRAM_SIZE, .kind = REGION_RAM,
                                .host = v->vram, .name = lfb_name };
        v->lfb_mapped = lfb && bus_map_region(v->bus, &r) ? lfb : 0;
    }
    uint32_t mmio = bar_address(v, 0x18, VGA_MMIO_SIZE);
    if (mmio != v->mmio_mapped) {
        if (v->mmio_mapped)
            bus_unmap_region(v->bus, v->mmio_mapped, VGA_MMIO_SIZE, mmio_name);
        v->mmio_mapped = mmio && bus_map_mmio(v->bus, mmio, VGA_MMIO_SIZE, mmio_read, mmio_write,
                                              v, BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32,
                                              mmio_name) ? mmio : 0;
    }
    uint32_t rom = 0;
    if (v->rom_size && (v->pci.cfg[0x30] & 1))
        rom = bar_address(v, 0x30, v->rom_size);
    if (rom != v->rom_mapped) {
        if (v->rom_mapped)
            bus_unmap_region(v->bus, v->rom_mapped, v->rom_size, rom_name);
        v->rom_mapped = rom && bus_map_rom(v->bus, rom, v->rom_size, v->rom, rom_name) ? rom : 0;
    }
}

static void pci_after_write(struct pci_dev *d, unsigned off, unsigned size)
{
    if ((off <= 0x05 && off + size > 0x04) || (off < 0x1C && off + size > 0x10) ||
        (off < 0x34 && off + size > 0x30))
        remap(d->opaque);
}

static void pci_setup(struct vga *v)
{
    struct pci_dev *d = &v->pci;
    pci_dev_setup(d, 0x1234, 0x1111, 0x02, 0x030000, 0x00, "vga");
    d->after_write = pci_after_write;
    d->opaque = v;
    /* BAR0: 16 MiB of prefetchable 32-bit memory (type bits 0x08). */
    d->cfg[0x10] = 0x08;
    st32(&d->wmask[0x10], ~(VGA_VRAM_SIZE - 1));
    /* BAR2: the 4 KiB MMIO area (32-bit memory, not prefetchable). */
    st32(&d->wmask[0x18], ~(VGA_MMIO_SIZE - 1));
    /* Subsystem: the same identity. */
    st16(&d->cfg[0x2C], 0x1AF4);
    st16(&d->cfg[0x2E], 0x1100);
    /* Expansion ROM BAR: address bits above the ROM's size, bit 0 enable. */
    if (v->rom_size)
        st32(&d->wmask[0x30], ~(v->rom_size - 1) | 1u);
}

/* ------------------------------------------------------------ life cycle */

struct vga *vga_create(const struct clock *clk, const uint8_t *rom, size_t rom_size)
{
    struct vga *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->clk = clk;
    v->vram = calloc(1, VGA_VRAM_SIZE);
    v->fb = calloc((size_t)VGA_MAX_WIDTH * VGA_MAX_HEIGHT, sizeof *v->fb);
    if (rom && rom_size) {
        uint32_t n = 2048;                 /* PCI: a ROM BAR decodes at least 2 KiB */
        while (n < rom_size && n < (16u << 20))
            n <<= 1;
        if (n < 4096)
            n = 4096;                      /* the bus maps ROM in whole pages */
        v->rom_size = n;
        v->rom = calloc(1, n);
        if (v->rom)
            memcpy(v->rom, rom, rom_size < n ? rom_size : n);
    }
    if (!v->vram || !v->fb || (rom && rom_size && !v->rom)) {
        vga_free(v);
        return NULL;
    }
    vga_reset(v);
    return v;
}

void vga_free(struct vga *v)
{
    if (!v)
        return;
    free(v->vram);
    free(v->fb);
    free(v->rom);
    free(v);
}

bool vga_attach(struct vga *v, struct bus *b, struct pci_bus *pb, uint8_t devfn)
{
    v->bus = b;
    bus_register_io(b, 0x3B0, 0x30, io_read, io_write, v, BUS_SIZE8 | BUS_SIZE16);
    bus_register_io(b, 0x1CE, 3, io_read, io_write, v, BUS_SIZE8 | BUS_SIZE16);
    if (!bus_map_mmio(b, 0xA0000, 0x20000, win_read, win_write, v,
                      BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32, "vga-window"))
        return false;
    return pb ? pci_add(pb, &v->pci, devfn) : true;
}

void vga_reset(struct vga *v)
{
    v->misc = 0x01;                        /* colour I/O at 0x3Dx */
    v->fcr = 0;
    memset(v->seq, 0, sizeof v->seq);
    memset(v->gc, 0, sizeof v->gc);
    memset(v->crtc, 0, sizeof v->crtc);
    memset(v->ar, 0, sizeof v->ar);
    v->seq_index = v->gc_index = v->crtc_index = v->ar_index = 0;
    v->ar_flipflop = false;
    memset(v->dac, 0, sizeof v->dac);
    v->dac_read = v->dac_write = v->dac_sub = v->dac_state = 0;
    v->pel_mask = 0xFF;
    memset(v->latch, 0, sizeof v->latch);
    v->gc[8] = 0xFF;                       /* bit mask: all bits from the data */
    v->seq[2] = 0x0F;                      /* map mask: all planes */
    vga_vbe_reset(v);
    v->fb_valid = false;
    pci_setup(v);
    remap(v);                              /* memory decoding is off: unmaps */
}

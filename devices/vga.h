/* A standard VGA with the Bochs VBE "DISPI" extension, as the PCI device
 * QEMU calls stdvga (1234:1111, class 03 00 00): what SeaVGABIOS's stdvga
 * build drives.
 *
 * References: IBM VGA Technical Reference (registers, write/read modes),
 * FreeVGA (http://www.osdever.net/FreeVGA/vga/vga.htm), Bochs VBE
 * (vbe_display_api.txt: the DISPI registers), PCI Local Bus 2.1 (BARs, the
 * expansion ROM BAR).
 *
 * PCI: BAR0 the linear frame buffer, BAR2 QEMU's 4 KiB MMIO area (the
 * VGA ports and the DISPI registers as memory), the expansion ROM BAR the
 * VGA BIOS that SeaBIOS copies and runs.
 *
 * Video memory: VGA_VRAM_SIZE bytes.  The VGA's 256 KiB are the first
 * 256 KiB, as four planes interleaved: byte (offset * 4 + plane), offset
 * 0-65535.  The VBE modes use the whole memory as a linear frame buffer.
 *
 * Host side: vga_render gives the screen as 0x00RRGGBB pixels (no host
 * format), vga_text_view the text cells.  The core makes no OS calls;
 * frontends/ show or save the frames.
 */
#ifndef PCVM_VGA_H
#define PCVM_VGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bus/bus.h"
#include "../bus/clock.h"
#include "pci.h"

#define VGA_VRAM_SIZE (16u << 20)        /* 16 MiB: the LFB BAR's size */
#define VGA_PLANE_SIZE 65536u            /* one plane of the VGA's 256 KiB */
#define VGA_MMIO_SIZE 4096u              /* BAR2: ports and DISPI as memory */
#define VGA_MAX_WIDTH 1600u              /* DISPI limits (also the render buffer) */
#define VGA_MAX_HEIGHT 1200u
#define VGA_MAX_BPP 32u

/* The frame vga_render produces. */
struct vga_frame {
    uint32_t width, height;
    const uint32_t *pixels;              /* 0x00RRGGBB, row-major, width*height */
};

/* The text screen of a text mode. */
struct vga_text {
    unsigned cols, rows;
    const uint8_t *cells;                /* cols*rows pairs: char, attribute */
    unsigned cursor_col, cursor_row;
    bool cursor_visible;
};

/* Bochs DISPI register indexes (port 0x1CE) and ENABLE bits. */
enum {
    VBE_INDEX_ID, VBE_INDEX_XRES, VBE_INDEX_YRES, VBE_INDEX_BPP, VBE_INDEX_ENABLE,
    VBE_INDEX_BANK, VBE_INDEX_VIRT_WIDTH, VBE_INDEX_VIRT_HEIGHT, VBE_INDEX_X_OFFSET,
    VBE_INDEX_Y_OFFSET, VBE_INDEX_VIDEO_MEMORY_64K, VBE_INDEX_COUNT
};
enum {
    VBE_ENABLED = 0x01, VBE_GETCAPS = 0x02, VBE_8BIT_DAC = 0x20, VBE_LFB_ENABLED = 0x40,
    VBE_NOCLEARMEM = 0x80,
};
#define VBE_ID0 0xB0C0u
#define VBE_ID5 0xB0C5u

struct vga {
    /* Registers. */
    uint8_t misc;                        /* 0x3C2 write, 0x3CC read */
    uint8_t fcr;                         /* feature control */
    uint8_t seq_index, seq[8];
    uint8_t gc_index, gc[16];
    uint8_t crtc_index, crtc[32];
    uint8_t ar_index, ar[32];            /* ar_index bit 5: palette address source */
    bool ar_flipflop;                    /* true: the next 0x3C0 write is data */
    uint8_t dac[256][3];                 /* 6-bit (8-bit with VBE_8BIT_DAC) */
    uint8_t dac_read, dac_write, dac_sub, dac_state; /* state: 0 write, 3 read */
    uint8_t dac_latch[3];
    uint8_t pel_mask;
    uint8_t latch[4];                    /* the four planes' read latches */

    /* Bochs VBE DISPI. */
    uint16_t vbe_index;
    uint16_t vbe_regs[VBE_INDEX_COUNT];
    uint32_t vbe_start;                  /* first byte shown (offsets applied) */
    uint32_t vbe_pitch;                  /* bytes per line of the virtual screen */

    uint8_t *vram;                       /* VGA_VRAM_SIZE bytes, owned */

    /* PCI function and what it has mapped. */
    struct pci_dev pci;
    struct bus *bus;
    uint8_t *rom;                        /* the option ROM, padded to rom_size */
    uint32_t rom_size;                   /* power of two, 0: no ROM */
    uint32_t lfb_mapped, rom_mapped, mmio_mapped; /* addresses, 0: not mapped */

    /* Virtual time (input status 1, blinking). */
    const struct clock *clk;

    /* The last frame rendered (VGA_MAX_WIDTH * VGA_MAX_HEIGHT pixels). */
    uint32_t *fb;
    uint32_t fb_width, fb_height;
    bool fb_valid;
    uint8_t text_cells[2 * 132 * 60 + 2 * 256]; /* vga_text_view's copy */
};

/* Creates the VGA (16 MiB of video memory; NULL when out of memory).
 * rom/rom_size: the option ROM image for the expansion ROM BAR (copied;
 * NULL: none).  Maps nothing yet: vga_attach does. */
struct vga *vga_create(const struct clock *clk, const uint8_t *rom, size_t rom_size);
void vga_free(struct vga *v);
/* Registers the ports, maps the legacy window 0xA0000-0xBFFFF on the bus
 * (as MMIO) and adds the PCI function at devfn. */
bool vga_attach(struct vga *v, struct bus *b, struct pci_bus *pb, uint8_t devfn);
/* Power-on state: registers, DAC, DISPI, PCI configuration (BARs off). */
void vga_reset(struct vga *v);

/* Port and legacy-window accesses (what the bus callbacks do; tests call
 * them directly).  Window addresses are offsets from 0xA0000. */
uint8_t vga_port_read(struct vga *v, uint16_t port);
void vga_port_write(struct vga *v, uint16_t port, uint8_t val);
uint8_t vga_mem_read(struct vga *v, uint32_t addr);
void vga_mem_write(struct vga *v, uint32_t addr, uint8_t val);

/* DISPI (devices/vga_vbe.c). */
uint16_t vga_vbe_read(struct vga *v);
void vga_vbe_write(struct vga *v, uint16_t val);
void vga_vbe_reset(struct vga *v);
static inline bool vga_vbe_enabled(const struct vga *v)
{
    return (v->vbe_regs[VBE_INDEX_ENABLE] & VBE_ENABLED) != 0;
}

/* Renders the current screen; returns false when the display is off
 * (blank: the frame is black, at the mode's size).  The pixels stay valid
 * until the next call.  Sizes are the mode's own pixels, one per dot the
 * memory defines: text 720x400 (80 columns, 9 dots) or 360x400 (40
 * columns: the monitor shows it twice as wide), 13h and 0Dh 320x200, 12h
 * 640x480, VBE modes their resolution; a frontend scales to its window. */
bool vga_render(struct vga *v, struct vga_frame *out);
/* The text screen in a text mode; false in graphics modes. */
bool vga_text_view(struct vga *v, struct vga_text *out);
/* The last frame vga_render produced (false: none yet). */
bool vga_last_frame(const struct vga *v, struct vga_frame *out);

/* Internal to devices/vga*.c: a DAC entry as 0x00RRGGBB. */
uint32_t vga_dac_rgb(const struct vga *v, uint8_t index);
/* Internal: a vertical CRTC value, register `reg` with bits 8 and 9 from
 * the overflow register CR07 bits b8 and b9. */
static inline unsigned vga_crtc_bits(const struct vga *v, unsigned reg, unsigned b8, unsigned b9)
{
    return v->crtc[reg] | (((v->crtc[7] >> b8) & 1u) << 8) | (((v->crtc[7] >> b9) & 1u) << 9);
}

#endif

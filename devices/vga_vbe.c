/* The Bochs VBE "DISPI" interface: index port 0x1CE, data port 0x1CF
 * (0x1D0 an alias), as Bochs's vbe_display_api.txt describes it.
 *
 * ID: the guest writes the version it speaks (0xB0C0-0xB0C5) and reads it
 * back.  XRES/YRES/BPP are latched while the display is disabled; with
 * GETCAPS set in ENABLE they read as the maxima instead.  Enabling a mode
 * resets the virtual width/height to the resolution, the offsets and the
 * bank to 0, and clears the visible memory unless NOCLEARMEM.  BANK
 * selects which 64 KiB of video memory the 0xA0000 window shows;
 * VIRT_WIDTH/X_OFFSET/Y_OFFSET pan a larger virtual screen.
 * VIDEO_MEMORY_64K reads the memory size.
 */
#include "vga.h"

#include <string.h>

static unsigned bytes_pp(unsigned bpp)
{
    return (bpp + 7) / 8;
}

static bool bpp_ok(unsigned bpp)
{
    return bpp == 4 || bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

/* Pitch and first shown byte from the virtual width and the offsets. */
static void vbe_geometry(struct vga *v)
{
    uint16_t *r = v->vbe_regs;
    unsigned bpp = r[VBE_INDEX_BPP];
    uint32_t pitch = bpp == 4 ? r[VBE_INDEX_VIRT_WIDTH] / 2u
                              : (uint32_t)r[VBE_INDEX_VIRT_WIDTH] * bytes_pp(bpp);
    v->vbe_pitch = pitch;
    uint32_t start = (uint32_t)r[VBE_INDEX_Y_OFFSET] * pitch;
    start += bpp == 4 ? r[VBE_INDEX_X_OFFSET] / 2u : (uint32_t)r[VBE_INDEX_X_OFFSET] * bytes_pp(bpp);
    v->vbe_start = start & (VGA_VRAM_SIZE - 1);
}

void vga_vbe_reset(struct vga *v)
{
    memset(v->vbe_regs, 0, sizeof v->vbe_regs);
    v->vbe_index = 0;
    v->vbe_regs[VBE_INDEX_ID] = VBE_ID5;
    v->vbe_regs[VBE_INDEX_XRES] = 640;
    v->vbe_regs[VBE_INDEX_YRES] = 480;
    v->vbe_regs[VBE_INDEX_BPP] = 8;
    v->vbe_regs[VBE_INDEX_VIDEO_MEMORY_64K] = (uint16_t)(VGA_VRAM_SIZE >> 16);
    vbe_geometry(v);
}

uint16_t vga_vbe_read(struct vga *v)
{
    unsigned i = v->vbe_index;
    if (i >= VBE_INDEX_COUNT)
        return 0;
    if (v->vbe_regs[VBE_INDEX_ENABLE] & VBE_GETCAPS) {
        switch (i) {
        case VBE_INDEX_XRES: return VGA_MAX_WIDTH;
        case VBE_INDEX_YRES: return VGA_MAX_HEIGHT;
        case VBE_INDEX_BPP: return VGA_MAX_BPP;
        }
    }
    return v->vbe_regs[i];
}

static void vbe_enable(struct vga *v, uint16_t val)
{
    uint16_t *r = v->vbe_regs;
    bool was = r[VBE_INDEX_ENABLE] & VBE_ENABLED;
    if ((val & VBE_ENABLED) && !was) {
        unsigned bpp = r[VBE_INDEX_BPP];
        uint64_t need = (uint64_t)r[VBE_INDEX_XRES] * r[VBE_INDEX_YRES] * bytes_pp(bpp);
        if (r[VBE_INDEX_XRES] == 0 || r[VBE_INDEX_YRES] == 0 || need > VGA_VRAM_SIZE)
            val &= (uint16_t)~VBE_ENABLED;   /* a mode that cannot exist stays off */
        else {
            r[VBE_INDEX_VIRT_WIDTH] = r[VBE_INDEX_XRES];
            r[VBE_INDEX_VIRT_HEIGHT] = r[VBE_INDEX_YRES];
            r[VBE_INDEX_X_OFFSET] = r[VBE_INDEX_Y_OFFSET] = 0;
            r[VBE_INDEX_BANK] = 0;
            if (!(val & VBE_NOCLEARMEM))
                memset(v->vram, 0, (size_t)need);
        }
    }
    r[VBE_INDEX_ENABLE] = val & (VBE_ENABLED | VBE_GETCAPS | VBE_8BIT_DAC |
                                 VBE_LFB_ENABLED | VBE_NOCLEARMEM);
    vbe_geometry(v);
}

void vga_vbe_write(struct vga *v, uint16_t val)
{
    uint16_t *r = v->vbe_regs;
    bool on = vga_vbe_enabled(v);
    switch (v->vbe_index) {
    case VBE_INDEX_ID:
        if (val >= VBE_ID0 && val <= VBE_ID5)
            r[VBE_INDEX_ID] = val;
        break;
    case VBE_INDEX_XRES:
        if (!on && val <= VGA_MAX_WIDTH)
            r[VBE_INDEX_XRES] = val;
        break;
    case VBE_INDEX_YRES:
        if (!on && val <= VGA_MAX_HEIGHT)
            r[VBE_INDEX_YRES] = val;
        break;
    case VBE_INDEX_BPP:
        if (val == 0)
            val = 8;
        if (!on && bpp_ok(val))
            r[VBE_INDEX_BPP] = val;
        break;
    case VBE_INDEX_ENABLE:
        vbe_enable(v, val);
        break;
    case VBE_INDEX_BANK:
        r[VBE_INDEX_BANK] = (uint16_t)(val % (VGA_VRAM_SIZE >> 16));
        break;
    case VBE_INDEX_VIRT_WIDTH: {
        unsigned bpp = r[VBE_INDEX_BPP];
        if (val < r[VBE_INDEX_XRES] || val > 8192)
            break;
        r[VBE_INDEX_VIRT_WIDTH] = val;
        uint32_t pitch = bpp == 4 ? val / 2u : (uint32_t)val * bytes_pp(bpp);
        uint32_t h = pitch ? VGA_VRAM_SIZE / pitch : 0;
        r[VBE_INDEX_VIRT_HEIGHT] = (uint16_t)(h > 0xFFFF ? 0xFFFF : h);
        vbe_geometry(v);
        break;
    }
    case VBE_INDEX_X_OFFSET:
    case VBE_INDEX_Y_OFFSET:
        r[v->vbe_index] = val;
        vbe_geometry(v);
        break;
    default:                               /* VIRT_HEIGHT, VIDEO_MEMORY_64K: read-only */
        break;
    }
}

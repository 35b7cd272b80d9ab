/* Rendering the VGA's memory to 0x00RRGGBB pixels, as the CRT controller
 * scans it out (IBM VGA Technical Reference; FreeVGA "CRTC registers",
 * "Attribute controller registers", "VGA Memory Organization").
 *
 * The CRT controller walks video memory with a character-clock address
 * counter: each scan line reads CR01+1 character clocks from the current
 * row address; the row scan counter runs 0..max scan line (CR09 bits 4-0),
 * then the row address advances by the offset register (CR13 * 2).  Double
 * scan (CR09 bit 7) clocks the row scan counter every second line; the
 * preset row scan and byte panning (CR08) set where the first row starts;
 * the line compare register (CR18, CR07 bit 4, CR09 bit 6) restarts the
 * address at 0 (the split screen).  The counter becomes a memory address
 * by the byte/word/doubleword mode (CR17 bit 6, CR14 bit 6); it advances
 * every character clock, or every 2nd or 4th (count by 2/4: CR17 bit 3,
 * CR14 bit 5); in the CGA-compatible modes row scan bits 0/1 replace
 * address bits 13/14 (CR17 bits 0/1 clear).
 *
 * What one character clock's four plane bytes become:
 *  - text (graphics controller misc bit 0 clear): plane 0 the character,
 *    plane 1 the attribute, plane 2 the font (map select from sequencer
 *    register 3; 32 bytes a glyph), 8 or 9 dots (sequencer 1 bit 0);
 *  - 256 colours (graphics mode bit 6): four 8-bit pixels;
 *  - CGA interleave (graphics mode bit 5): planes 0/1 (and 2/3 for the
 *    upper bits) as 2-bit pixels, plane 0's byte first;
 *  - planar: eight 4-bit pixels, bit 7 first.
 * 4-bit values go through the colour plane enable mask, the attribute
 * palette and colour select (AR10 bit 7, AR14) to an 8-bit DAC index;
 * every DAC index is ANDed with the pel mask.
 *
 * Displayed size: character clocks times 8/9 dots (four pixels for
 * 256-colour modes, whose dots are doubled) by the vertical display end,
 * one output line per repeated memory row in graphics modes (so 13h is
 * 320x200 and 12h 640x480).
 */
#include "vga.h"

#include <string.h>

#define BLINK_NS 266666667ull        /* half of the 1.875 Hz character blink */
#define CURSOR_NS 133333333ull       /* the cursor blinks twice as fast */

static uint64_t now_ns(const struct vga *v)
{
    return v->clk ? clock_ns(clock_now(v->clk)) : 0;
}

struct crtc_geom {
    unsigned hchars;        /* character clocks per line */
    unsigned vde;           /* scan lines shown */
    unsigned maxscan;       /* row scan counter's last value */
    bool dscan;             /* double scan */
    unsigned line_compare;
    uint32_t start;         /* start address (counter units) */
    uint32_t pitch;         /* counter increment per row */
    uint32_t cursor;        /* cursor location (counter units) */
    unsigned count_shift;   /* count by 4 (CR14 bit 5): 2, by 2 (CR17 bit 3): 1 */
};

static void geometry(const struct vga *v, struct crtc_geom *g)
{
    g->hchars = v->crtc[1] + 1u;
    g->vde = vga_crtc_bits(v, 0x12, 1, 6) + 1u;
    g->maxscan = v->crtc[9] & 0x1Fu;
    g->dscan = (v->crtc[9] & 0x80) != 0;
    g->line_compare = v->crtc[0x18] | (((v->crtc[7] >> 4) & 1u) << 8) |
                      (((v->crtc[9] >> 6) & 1u) << 9);
    g->start = ((uint32_t)v->crtc[0x0C] << 8) | v->crtc[0x0D];
    g->pitch = v->crtc[0x13] * 2u;
    g->cursor = ((uint32_t)v->crtc[0x0E] << 8) | v->crtc[0x0F];
    g->count_shift = (v->crtc[0x14] & 0x20) ? 2 : (v->crtc[0x17] & 0x08) ? 1 : 0;
}

/* The plane offset the CRTC reads for counter value c on row scan rs. */
static uint32_t crtc_address(const struct vga *v, uint32_t c, unsigned rs)
{
    uint32_t a;
    if (v->crtc[0x14] & 0x40)                              /* doubleword */
        a = (c << 2) | ((c >> 12) & 3);
    else if (!(v->crtc[0x17] & 0x40))                      /* word */
        a = c << 1; /* (the hardware's bit 13/15 wrap into bit 0 is left out:
                       odd/even host addressing here keeps bit 0 clear) */
    else                                                   /* byte */
        a = c;
    if (!(v->crtc[0x17] & 0x01))
        a = (a & ~0x2000u) | ((rs & 1u) << 13);
    if (!(v->crtc[0x17] & 0x02))
        a = (a & ~0x4000u) | ((rs & 2u) << 13);
    return a & (VGA_PLANE_SIZE - 1);
}

static inline const uint8_t *planes_at(const struct vga *v, uint32_t off)
{
    return &v->vram[(off & (VGA_PLANE_SIZE - 1)) << 2];
}

/* The sixteen attribute colours as RGB. */
static void palette16(const struct vga *v, uint32_t pal[16])
{
    for (unsigned i = 0; i < 16; i++) {
        uint8_t p = v->ar[i] & 0x3F;
        if (v->ar[0x10] & 0x80)                            /* P5,P4 from colour select */
            p = (uint8_t)((p & 0x0F) | ((v->ar[0x14] & 3) << 4));
        p |= (uint8_t)((v->ar[0x14] & 0x0C) << 4);         /* P7,P6 */
        pal[i] = vga_dac_rgb(v, p & v->pel_mask);
    }
}

/* The 256 DAC colours as RGB, through the pel mask. */
static void palette256(const struct vga *v, uint32_t pal[256])
{
    for (unsigned i = 0; i < 256; i++)
        pal[i] = vga_dac_rgb(v, (uint8_t)(i & v->pel_mask));
}

/* One scan line's pixels, panned: lines are drawn into `line` (one
 * character clock more than shown) and copied from `shift`. */
struct line_ctx {
    const struct vga *v;
    const struct crtc_geom *g;
    uint32_t pal[16];
    uint32_t pal256[256];            /* 256-colour modes */
    uint32_t *line;
    bool blink_on, cursor_on;
};

static void text_line(struct line_ctx *x, uint32_t addr, unsigned rs, unsigned dots)
{
    const struct vga *v = x->v;
    uint8_t s = v->seq[3];
    uint32_t map_a = (((s >> 5) & 1u) << 2) | ((s >> 2) & 3u);
    uint32_t map_b = (((s >> 4) & 1u) << 2) | (s & 3u);
    uint32_t font_a = (map_a & 3) * 0x4000 + (map_a >> 2) * 0x2000;
    uint32_t font_b = (map_b & 3) * 0x4000 + (map_b >> 2) * 0x2000;
    bool blink = v->ar[0x10] & 0x08, line_gfx = v->ar[0x10] & 0x04;
    bool mono_ul = v->ar[0x10] & 0x02;
    unsigned cs = v->crtc[0x0A] & 0x1F, ce = v->crtc[0x0B] & 0x1F;
    bool cursor_row = !(v->crtc[0x0A] & 0x20) && rs >= cs && rs <= ce && x->cursor_on;
    unsigned ul = v->crtc[0x14] & 0x1F;
    uint32_t *px = x->line;
    for (unsigned col = 0; col <= x->g->hchars; col++, px += dots) {
        uint32_t c = addr + (col >> x->g->count_shift);
        const uint8_t *p = planes_at(v, crtc_address(v, c, rs));
        uint8_t ch = p[0], at = p[1];
        uint32_t font = (at & 0x08) ? font_a : font_b;
        uint8_t bits = *(planes_at(v, font + ch * 32u + rs) + 2);
        unsigned fg = at & 15, bg = at >> 4;
        if (blink) {
            bg &= 7;
            if ((at & 0x80) && !x->blink_on)
                fg = bg;
        }
        if (mono_ul && rs == ul && (at & 0x77) == 0x01)
            bits = 0xFF;
        bool cur = cursor_row && c == x->g->cursor;   /* in the attribute's colour */
        if (cur)
            bits = 0xFF, fg = at & 15;
        uint32_t f = x->pal[fg], b = x->pal[bg];
        for (unsigned d = 0; d < 8; d++)
            px[d] = (bits & (0x80 >> d)) ? f : b;
        /* The 9th column is background, except that it repeats the 8th
         * for the line characters 0xC0-0xDF (AR10 bit 2). */
        if (dots == 9)
            px[8] = cur || ((bits & 1) && line_gfx && ch >= 0xC0 && ch <= 0xDF) ? f : b;
    }
}

static void graphics_line(struct line_ctx *x, uint32_t addr, unsigned rs)
{
    const struct vga *v = x->v;
    uint32_t *px = x->line;
    uint8_t en = v->ar[0x12] & 15;
    for (unsigned col = 0; col <= x->g->hchars; col++) {
        const uint8_t *p = planes_at(v, crtc_address(v, addr + (col >> x->g->count_shift), rs));
        if (v->gc[5] & 0x40) {                             /* 256 colours */
            for (unsigned k = 0; k < 4; k++)
                *px++ = x->pal256[p[k]];
        } else if (v->gc[5] & 0x20) {                      /* CGA 2-bit interleave */
            for (unsigned d = 0; d < 8; d++) {
                unsigned sh = 6 - 2 * (d & 3), hi = d >> 2;
                unsigned c = ((p[hi] >> sh) & 3) | (((p[2 + hi] >> sh) & 3) << 2);
                *px++ = x->pal[c & en];
            }
        } else {                                           /* planar */
            for (unsigned d = 0; d < 8; d++) {
                unsigned b = 7 - d;
                unsigned c = ((p[0] >> b) & 1) | (((p[1] >> b) & 1) << 1) |
                             (((p[2] >> b) & 1) << 2) | (((p[3] >> b) & 1) << 3);
                *px++ = x->pal[c & en];
            }
        }
    }
}

/* Pixels the horizontal pel panning register shifts the line left by. */
static unsigned pan_shift(const struct vga *v, bool text, unsigned dots)
{
    unsigned pan = v->ar[0x13] & 15;
    if (text && dots == 9)
        return pan >= 8 ? 0 : pan + 1;
    if (!text && (v->gc[5] & 0x40))
        return (pan & 7) >> 1;
    return pan & 7;
}

static void clip(uint32_t *w, uint32_t *h)
{
    if (*w > VGA_MAX_WIDTH)
        *w = VGA_MAX_WIDTH;
    if (*h > VGA_MAX_HEIGHT)
        *h = VGA_MAX_HEIGHT;
}

static bool render_vga(struct vga *v)
{
    struct crtc_geom g;
    geometry(v, &g);
    bool text = !(v->gc[6] & 1);
    unsigned dots = text && !(v->seq[1] & 1) ? 9 : 8;
    uint32_t pix_per_clock = text ? dots : (v->gc[5] & 0x40) ? 4 : 8;
    unsigned dup = g.dscan ? 2 : 1;
    if (!text && (v->crtc[0x17] & 1))
        dup *= g.maxscan + 1;
    uint32_t w = g.hchars * pix_per_clock, h = g.vde / dup;
    clip(&w, &h);
    v->fb_width = w;
    v->fb_height = h;
    if ((v->seq[1] & 0x20) || !(v->ar_index & 0x20) || !w || !h) {
        memset(v->fb, 0, sizeof *v->fb * w * h);           /* screen off: blank */
        return false;
    }
    uint32_t line[(256 + 1) * 9];
    struct line_ctx x = { .v = v, .g = &g, .line = line };
    palette16(v, x.pal);
    if (!text && (v->gc[5] & 0x40))
        palette256(v, x.pal256);
    uint64_t t = now_ns(v);
    x.blink_on = (t / BLINK_NS) % 2 == 0;
    x.cursor_on = (t / CURSOR_NS) % 2 == 0;
    unsigned shift = pan_shift(v, text, dots);
    /* Preset row scan (CR08 bits 4-0: the first row starts that many scan
     * lines into its characters) and byte panning (bits 6-5: character
     * clocks added to the start address); both for smooth scrolling. */
    uint32_t addr = g.start + ((v->crtc[8] >> 5) & 3u);
    unsigned rs = v->crtc[8] & 0x1Fu, y = 0;
    for (unsigned l = 0; l < g.vde && y < h; l++) {
        if (l == g.line_compare) {
            addr = 0;
            rs = 0;
            if (v->ar[0x10] & 0x20)                        /* pel panning compatibility */
                shift = 0;
        }
        if (l % dup == 0) {
            if (text)
                text_line(&x, addr, rs, dots);
            else
                graphics_line(&x, addr, rs);
            memcpy(v->fb + (size_t)y * w, line + shift, sizeof *line * w);
            y++;
        }
        if (!g.dscan || (l & 1)) {
            if (rs >= g.maxscan) {
                rs = 0;
                addr += g.pitch;
            } else {
                rs++;
            }
        }
    }
    return true;
}

static uint32_t expand5(uint32_t c) { return (c << 3) | (c >> 2); }
static uint32_t expand6(uint32_t c) { return (c << 2) | (c >> 4); }

static bool render_vbe(struct vga *v)
{
    const uint16_t *r = v->vbe_regs;
    uint32_t w = r[VBE_INDEX_XRES], h = r[VBE_INDEX_YRES];
    unsigned bpp = r[VBE_INDEX_BPP];
    clip(&w, &h);
    v->fb_width = w;
    v->fb_height = h;
    const uint32_t mask = VGA_VRAM_SIZE - 1;
    if (bpp == 4) {
        /* Planar, as the VGA's 16-colour modes: eight pixels a plane
         * offset, the pitch and start in interleaved bytes (4 a plane
         * offset), the colours through the attribute palette. */
        uint32_t pal[16];
        palette16(v, pal);
        uint8_t en = v->ar[0x12] & 15;
        for (uint32_t y = 0; y < h; y++) {
            uint32_t off = (v->vbe_start + y * v->vbe_pitch) >> 2;
            uint32_t *out = v->fb + (size_t)y * w;
            for (uint32_t xx = 0; xx < w; xx++) {
                const uint8_t *p = &v->vram[((off + xx / 8) << 2) & mask];
                unsigned b = 7 - (xx & 7);
                unsigned c = ((p[0] >> b) & 1) | (((p[1] >> b) & 1) << 1) |
                             (((p[2] >> b) & 1) << 2) | (((p[3] >> b) & 1) << 3);
                out[xx] = pal[c & en];
            }
        }
        return true;
    }
    uint32_t pal[256];
    if (bpp == 8)
        palette256(v, pal);
    unsigned bytes = (bpp + 7) / 8;
    uint8_t buf[VGA_MAX_WIDTH * 4];
    for (uint32_t y = 0; y < h; y++) {
        /* The line's bytes, wrapping at the end of video memory. */
        uint32_t a = (v->vbe_start + y * v->vbe_pitch) & mask, n = w * bytes;
        uint32_t first = n < VGA_VRAM_SIZE - a ? n : VGA_VRAM_SIZE - a;
        memcpy(buf, v->vram + a, first);
        memcpy(buf + first, v->vram, n - first);
        uint32_t *out = v->fb + (size_t)y * w;
        const uint8_t *b = buf;
        switch (bpp) {
        case 8:
            for (uint32_t x = 0; x < w; x++)
                out[x] = pal[b[x]];
            break;
        case 15:
            for (uint32_t x = 0; x < w; x++, b += 2) {
                uint32_t px = b[0] | ((uint32_t)b[1] << 8);
                out[x] = (expand5((px >> 10) & 31) << 16) | (expand5((px >> 5) & 31) << 8) |
                         expand5(px & 31);
            }
            break;
        case 16:
            for (uint32_t x = 0; x < w; x++, b += 2) {
                uint32_t px = b[0] | ((uint32_t)b[1] << 8);
                out[x] = (expand5((px >> 11) & 31) << 16) | (expand6((px >> 5) & 63) << 8) |
                         expand5(px & 31);
            }
            break;
        default: /* 24: B, G, R; 32: B, G, R, unused */
            for (uint32_t x = 0; x < w; x++, b += bytes)
                out[x] = b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16);
            break;
        }
    }
    return true;
}

bool vga_render(struct vga *v, struct vga_frame *out)
{
    bool on = vga_vbe_enabled(v) ? render_vbe(v) : render_vga(v);
    v->fb_valid = true;
    out->width = v->fb_width;
    out->height = v->fb_height;
    out->pixels = v->fb;
    return on;
}

bool vga_last_frame(const struct vga *v, struct vga_frame *out)
{
    if (!v->fb_valid)
        return false;
    out->width = v->fb_width;
    out->height = v->fb_height;
    out->pixels = v->fb;
    return true;
}

bool vga_text_view(struct vga *v, struct vga_text *out)
{
    if (vga_vbe_enabled(v) || (v->gc[6] & 1))
        return false;
    struct crtc_geom g;
    geometry(v, &g);
    unsigned cheight = g.maxscan + 1;
    unsigned cols = g.hchars, rows = g.vde / (g.dscan ? 2 : 1) / cheight;
    if (cols > 132)
        cols = 132;
    if (rows > 60)
        rows = 60;
    uint8_t *cell = v->text_cells;
    for (unsigned row = 0; row < rows; row++) {
        for (unsigned col = 0; col < cols; col++) {
            const uint8_t *p = planes_at(v, crtc_address(v, g.start + row * g.pitch + col, 0));
            *cell++ = p[0];
            *cell++ = p[1];
        }
    }
    out->cols = cols;
    out->rows = rows;
    out->cells = v->text_cells;
    uint32_t rel = (g.cursor - g.start) & 0xFFFF;
    unsigned cs = v->crtc[0x0A] & 0x1F, ce = v->crtc[0x0B] & 0x1F;
    out->cursor_col = out->cursor_row = 0;
    out->cursor_visible = false;
    if (g.pitch) {
        out->cursor_row = rel / g.pitch;
        out->cursor_col = rel % g.pitch;
        out->cursor_visible = !(v->crtc[0x0A] & 0x20) && cs <= ce && cs < cheight &&
                              out->cursor_row < rows && out->cursor_col < cols;
    }
    return true;
}

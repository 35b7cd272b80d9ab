/* Rendering (devices/vga_render.c) to exact pixels: a text screen with a
 * font the test writes to plane 2 (8/9-dot columns, the line-character
 * rule, blink and the cursor against virtual time, character map select,
 * pel panning), the text view; mode 13h through the DAC and the pel mask,
 * start address, line compare and panning; mode X; mode 12h written with
 * write mode 2; CGA modes 04h and 06h; the VBE modes from the linear
 * frame buffer with virtual width and offsets; the display switched off.
 * The register sets are the standard BIOS mode tables (IBM VGA Technical
 * Reference, "BIOS video modes"). */
#include <criterion/criterion.h>
#include <string.h>

#include "vgatest.h"

static const uint8_t m3_seq[4] = { 0x00, 0x03, 0x00, 0x02 };
static const uint8_t m3_crtc[25] = { 0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00,
    0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9,
    0xA3, 0xFF };
static const uint8_t m3_gc[9] = { 0, 0, 0, 0, 0, 0x10, 0x0E, 0x00, 0xFF };
static const uint8_t m3_ar[21] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38,
    0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00 };

static const uint8_t m13_seq[4] = { 0x01, 0x0F, 0x00, 0x0E };
static const uint8_t m13_crtc[25] = { 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00,
    0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x0E, 0x8F, 0x28, 0x40, 0x96, 0xB9,
    0xA3, 0xFF };
static const uint8_t m13_gc[9] = { 0, 0, 0, 0, 0, 0x40, 0x05, 0x0F, 0xFF };
static const uint8_t m13_ar[21] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x41, 0x00, 0x0F, 0x00, 0x00 };

static const uint8_t m12_seq[4] = { 0x01, 0x0F, 0x00, 0x06 };
static const uint8_t m12_crtc[25] = { 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00,
    0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04,
    0xE3, 0xFF };
static const uint8_t m12_gc[9] = { 0, 0, 0, 0, 0, 0x00, 0x05, 0x0F, 0xFF };
static const uint8_t m12_ar[21] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38,
    0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x01, 0x00, 0x0F, 0x00, 0x00 };

static const uint8_t m4_seq[4] = { 0x09, 0x03, 0x00, 0x02 };
static const uint8_t m4_crtc[25] = { 0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00,
    0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9,
    0xA2, 0xFF };
static const uint8_t m4_gc[9] = { 0, 0, 0, 0, 0, 0x30, 0x0F, 0x0F, 0xFF };
static const uint8_t m4_ar[21] = { 0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10,
    0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x01, 0x00, 0x03, 0x00, 0x00 };

static const uint8_t m6_seq[4] = { 0x01, 0x01, 0x00, 0x06 };
static const uint8_t m6_crtc[25] = { 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00,
    0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9,
    0xC2, 0xFF };
static const uint8_t m6_gc[9] = { 0, 0, 0, 0, 0, 0x00, 0x0D, 0x0F, 0xFF };
static const uint8_t m6_ar[21] = { 0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17,
    0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x01, 0x00, 0x01, 0x00, 0x00 };

static uint32_t px(const struct vga_frame *f, uint32_t x, uint32_t y)
{
    cr_assert(x < f->width && y < f->height, "pixel %u,%u outside %ux%u", x, y, f->width,
              f->height);
    return f->pixels[(size_t)y * f->width + x];
}

/* ------------------------------------------------------------ text */

#define YELLOW rgb6(63, 63, 21)
#define BLUE rgb6(0, 0, 42)
#define GREY rgb6(42, 42, 42)
#define BLACK 0u

/* Writes glyph rows into plane 2 at a font offset, as a BIOS loads fonts
 * (plane 2 alone, sequential addressing), then back to text addressing. */
static void font_rows(struct vga *v, uint32_t font, uint8_t ch, const uint8_t *rows, unsigned n)
{
    seq_w(v, 2, 0x04);
    seq_w(v, 4, 0x06);
    gc_w(v, 5, 0x00);
    gc_w(v, 6, 0x04);
    for (unsigned r = 0; r < n; r++)
        vga_mem_write(v, font + ch * 32u + r, rows[r]);
    seq_w(v, 2, 0x03);
    seq_w(v, 4, 0x02);
    gc_w(v, 5, 0x10);
    gc_w(v, 6, 0x0E);
}

static void cell(struct vga *v, unsigned i, uint8_t ch, uint8_t at)
{
    vga_mem_write(v, 0x18000 + 2 * i, ch);
    vga_mem_write(v, 0x18000 + 2 * i + 1, at);
}

static void text_setup(struct vgat *t)
{
    vgat_init(t);
    struct vga *v = t->v;
    vgat_mode(v, 0x67, m3_seq, m3_crtc, m3_gc, m3_ar);
    dac_w(v, 0x00, 0, 0, 0);
    dac_w(v, 0x01, 0, 0, 42);
    dac_w(v, 0x07, 42, 42, 42);
    dac_w(v, 0x39, 21, 21, 63);
    dac_w(v, 0x3E, 63, 63, 21);
    static const uint8_t a[3] = { 0x81, 0xFF, 0x01 };
    static const uint8_t line[2] = { 0x01, 0xFF };
    font_rows(v, 0, 0x41, a, 3);
    font_rows(v, 0, 0xC4, line, 2);
    cell(v, 0, 0x41, 0x1E);            /* yellow on blue */
    cell(v, 1, 0xC4, 0x07);            /* a line character */
    cell(v, 80, 0x41, 0x9E);           /* blinking */
    cell(v, 81, 0x41, 0x07);
    crtc_w(v, 0x0E, 0x00);
    crtc_w(v, 0x0F, 0x01);             /* cursor on cell 1, rows 14-15 */
    crtc_w(v, 0x0A, 0x0E);
    crtc_w(v, 0x0B, 0x0F);
}

Test(vga_render, text_pixels_9_dot_and_line_characters)
{
    struct vgat t;
    text_setup(&t);
    struct vga_frame f;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(f.width, 720);
    cr_assert_eq(f.height, 400);
    cr_assert_eq(px(&f, 0, 0), YELLOW, "row 0x81: dot 0");
    cr_assert_eq(px(&f, 1, 0), BLUE);
    cr_assert_eq(px(&f, 7, 0), YELLOW, "dot 7");
    cr_assert_eq(px(&f, 8, 0), BLUE, "9th column: background for 'A'");
    cr_assert_eq(px(&f, 7, 2), YELLOW);
    cr_assert_eq(px(&f, 8, 2), BLUE);
    for (unsigned x = 0; x < 9; x++)
        cr_assert_eq(px(&f, x, 1), x < 8 ? YELLOW : BLUE, "row 0xFF dot %u", x);
    cr_assert_eq(px(&f, 9 + 7, 0), GREY, "line character dot 7");
    cr_assert_eq(px(&f, 9 + 8, 0), GREY, "9th column repeats dot 7 for 0xC0-0xDF");
    cr_assert_eq(px(&f, 9 + 6, 0), BLACK);
    cr_assert_eq(px(&f, 0, 3), BLUE, "empty glyph row");
    /* 8-dot characters: 640 wide, the second cell starts at 8. */
    seq_w(t.v, 1, 0x01);
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(f.width, 640);
    cr_assert_eq(px(&f, 8 + 7, 0), GREY);
    cr_assert_eq(px(&f, 7, 0), YELLOW);
    vgat_fini(&t);
}

Test(vga_render, text_blink_and_cursor_follow_virtual_time)
{
    struct vgat t;
    text_setup(&t);
    struct vga_frame f;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 16), YELLOW, "blinking cell, phase on");
    cr_assert_eq(px(&f, 1, 16), BLUE, "background: attribute bit 7 is blink, not colour");
    for (unsigned x = 9; x < 18; x++) {
        cr_assert_eq(px(&f, x, 14), GREY, "cursor row 14, dot %u", x);
        cr_assert_eq(px(&f, x, 15), GREY, "cursor row 15, dot %u", x);
    }
    cr_assert_eq(px(&f, 9, 13), BLACK, "above the cursor");
    t.now = 15000000;                  /* 150 ms: cursor off, text still on */
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 9, 14), BLACK, "cursor blinked off");
    cr_assert_eq(px(&f, 0, 16), YELLOW);
    t.now = 30000000;                  /* 300 ms: the blinking text is off */
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 16), BLUE, "blink phase off");
    cr_assert_eq(px(&f, 0, 0), YELLOW, "non-blinking text unaffected");
    t.now = 55000000;                  /* 550 ms: on again (period 533 ms) */
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 16), YELLOW);
    /* Blink disabled: bit 7 is background intensity (colour 9). */
    ar_w(t.v, 0x10, 0x04);
    t.now = 30000000;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 16), YELLOW);
    cr_assert_eq(px(&f, 1, 16), rgb6(21, 21, 63));
    /* Cursor disabled by CR0A bit 5. */
    crtc_w(t.v, 0x0A, 0x2E);
    t.now = 0;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 9, 14), BLACK);
    vgat_fini(&t);
}

Test(vga_render, text_character_map_select_and_scrolling)
{
    struct vgat t;
    text_setup(&t);
    static const uint8_t b[1] = { 0xF0 };
    font_rows(t.v, 0x4000, 0x41, b, 1);  /* map 1 lives at 16 KiB */
    seq_w(t.v, 3, 0x01);               /* map A = 0 (attr bit 3 set), map B = 1 */
    struct vga_frame f;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 7, 16), YELLOW, "attr 0x9E: bit 3 set, map A (row 0x81)");
    cr_assert_eq(px(&f, 9 + 0, 16), GREY, "attr 0x07: map B (row 0xF0)");
    cr_assert_eq(px(&f, 9 + 3, 16), GREY);
    cr_assert_eq(px(&f, 9 + 4, 16), BLACK);
    /* Preset row scan: the screen starts at glyph row 2 (pattern 0x01). */
    crtc_w(t.v, 0x08, 0x02);
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 0), BLUE);
    cr_assert_eq(px(&f, 7, 0), YELLOW);
    cr_assert_eq(px(&f, 0, 14), YELLOW, "row 1 starts 14 lines down ('A' row 0: 0x81)");
    /* Byte panning: one character clock on, cell 1 at the left edge. */
    seq_w(t.v, 3, 0x00);               /* (its attribute 0x07 picks map B) */
    crtc_w(t.v, 0x08, 0x20);
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 7, 0), GREY, "the line character's dot 7");
    crtc_w(t.v, 0x08, 0x00);
    /* Pel panning 0 in 9-dot mode shifts by one dot (8 is no shift). */
    ar_w(t.v, 0x13, 0x00);
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 0), BLUE, "dot 1 now at 0");
    cr_assert_eq(px(&f, 6, 0), YELLOW, "dot 7 now at 6");
    vgat_fini(&t);
}

Test(vga_render, text_view)
{
    struct vgat t;
    text_setup(&t);
    struct vga_text tv;
    cr_assert(vga_text_view(t.v, &tv));
    cr_assert_eq(tv.cols, 80);
    cr_assert_eq(tv.rows, 25);
    cr_assert_eq(tv.cells[0], 0x41);
    cr_assert_eq(tv.cells[1], 0x1E);
    cr_assert_eq(tv.cells[2], 0xC4);
    cr_assert_eq(tv.cells[160], 0x41);
    cr_assert_eq(tv.cells[161], 0x9E);
    cr_assert_eq(tv.cursor_col, 1);
    cr_assert_eq(tv.cursor_row, 0);
    cr_assert(tv.cursor_visible);
    crtc_w(t.v, 0x09, 0x47);           /* 8-line characters: 80x50 */
    crtc_w(t.v, 0x0F, 82);             /* row 1, column 2 */
    cr_assert(vga_text_view(t.v, &tv));
    cr_assert_eq(tv.rows, 50);
    cr_assert_eq(tv.cursor_row, 1);
    cr_assert_eq(tv.cursor_col, 2);
    cr_assert(!tv.cursor_visible, "cursor rows 14-15 do not fit 8-line cells");
    gc_w(t.v, 6, 0x05);
    cr_assert(!vga_text_view(t.v, &tv), "graphics mode");
    vgat_fini(&t);
}

/* ------------------------------------------------------------ 13h, mode X */

static void mode13(struct vgat *t)
{
    vgat_init(t);
    vgat_mode(t->v, 0x63, m13_seq, m13_crtc, m13_gc, m13_ar);
    for (unsigned i = 0; i < 256; i++)
        dac_w(t->v, (uint8_t)i, (uint8_t)(i & 63), (uint8_t)(i >> 6), 5);
}

static uint32_t ramp(unsigned i) { return rgb6((uint8_t)(i & 63), (uint8_t)(i >> 6), 5); }

Test(vga_render, mode13_through_the_dac)
{
    struct vgat t;
    mode13(&t);
    dac_w(t.v, 0x2A, 63, 0, 32);
    vga_mem_write(t.v, 50 * 320 + 100, 0x2A);
    struct vga_frame f;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(f.width, 320);
    cr_assert_eq(f.height, 200);
    cr_assert_eq(px(&f, 100, 50), 0xFF0082u);
    cr_assert_eq(px(&f, 101, 50), ramp(0));
    cr_assert_eq(px(&f, 100, 51), ramp(0));
    vga_port_write(t.v, 0x3C6, 0x0F);  /* pel mask: index 0x0A */
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 100, 50), ramp(0x0A));
    vgat_fini(&t);
}

Test(vga_render, mode13_start_address_line_compare_panning)
{
    struct vgat t;
    mode13(&t);
    for (unsigned r = 0; r < 200; r++)
        vga_mem_write(t.v, r * 320, (uint8_t)(r + 1));
    vga_mem_write(t.v, 10 * 320 + 5, 7);
    struct vga_frame f;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 0), ramp(1));
    cr_assert_eq(px(&f, 0, 199), ramp(200));
    crtc_w(t.v, 0x0D, 80);             /* start: one row (80 doublewords) on */
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 0), ramp(2));
    cr_assert_eq(px(&f, 0, 98), ramp(100));
    crtc_w(t.v, 0x18, 100);            /* split at scan line 100 = row 50 */
    crtc_w(t.v, 0x07, 0x0F);
    crtc_w(t.v, 0x09, 0x01);
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 49), ramp(51), "above the split: from the start address");
    cr_assert_eq(px(&f, 0, 50), ramp(1), "below: memory from 0");
    cr_assert_eq(px(&f, 0, 51), ramp(2));
    crtc_w(t.v, 0x0D, 0);
    crtc_w(t.v, 0x18, 0xFF);
    crtc_w(t.v, 0x07, 0x1F);
    ar_w(t.v, 0x13, 2);                /* 256 colours: 2 = one pixel */
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 4, 10), ramp(7));
    cr_assert_eq(px(&f, 5, 10), ramp(0));
    vgat_fini(&t);
}

Test(vga_render, count_by_two)
{
    struct vgat t;
    mode13(&t);
    for (unsigned x = 0; x < 8; x++)
        vga_mem_write(t.v, x, (uint8_t)(x + 1));
    crtc_w(t.v, 0x17, 0xA3 | 0x08);    /* the address counter every 2nd clock */
    struct vga_frame f;
    cr_assert(vga_render(t.v, &f));
    for (unsigned x = 0; x < 8; x++)
        cr_assert_eq(px(&f, x, 0), ramp((x & 3) + 1), "pixel %u repeats pixels 0-3", x);
    cr_assert_eq(px(&f, 8, 0), ramp(5));
    vgat_fini(&t);
}

Test(vga_render, mode_x_unchained)
{
    struct vgat t;
    mode13(&t);
    seq_w(t.v, 4, 0x06);               /* chain 4 off */
    crtc_w(t.v, 0x14, 0x00);           /* doubleword off */
    crtc_w(t.v, 0x17, 0xE3);           /* byte mode */
    seq_w(t.v, 2, 1u << (6 & 3));      /* pixel (6, 3): plane 2 */
    vga_mem_write(t.v, 3 * 80 + 6 / 4, 9);
    struct vga_frame f;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(f.width, 320);
    cr_assert_eq(px(&f, 6, 3), ramp(9));
    cr_assert_eq(px(&f, 7, 3), ramp(0));
    cr_assert_eq(px(&f, 2, 3), ramp(0));
    cr_assert_eq(px(&f, 6, 2), ramp(0));
    vgat_fini(&t);
}

/* ------------------------------------------------------------ 12h, CGA */

Test(vga_render, mode12_planar_pixel)
{
    struct vgat t;
    vgat_init(&t);
    vgat_mode(t.v, 0xE3, m12_seq, m12_crtc, m12_gc, m12_ar);
    dac_w(t.v, 0x39, 1, 2, 3);
    gc_w(t.v, 5, 0x02);                /* write mode 2 */
    gc_w(t.v, 8, 0x80 >> (10 & 7));
    (void)vga_mem_read(t.v, 20 * 80 + 10 / 8);
    vga_mem_write(t.v, 20 * 80 + 10 / 8, 9);
    struct vga_frame f;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(f.width, 640);
    cr_assert_eq(f.height, 480);
    cr_assert_eq(px(&f, 10, 20), rgb6(1, 2, 3), "colour 9 -> palette 0x39");
    cr_assert_eq(px(&f, 11, 20), 0u);
    cr_assert_eq(px(&f, 10, 21), 0u);
    ar_w(t.v, 0x12, 0x07);             /* colour plane 3 disabled: 9 -> 1 */
    dac_w(t.v, 0x01, 4, 5, 6);
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 10, 20), rgb6(4, 5, 6));
    ar_w(t.v, 0x12, 0x0F);
    ar_w(t.v, 0x10, 0x81);             /* P5-P4 from colour select */
    ar_w(t.v, 0x14, 0x02);
    dac_w(t.v, 0x29, 7, 8, 9);         /* 0x39 & 0x0F | 2 << 4 */
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 10, 20), rgb6(7, 8, 9));
    vgat_fini(&t);
}

Test(vga_render, cga_modes_04_and_06)
{
    struct vgat t;
    vgat_init(&t);
    vgat_mode(t.v, 0x63, m4_seq, m4_crtc, m4_gc, m4_ar);
    dac_w(t.v, 0x15, 10, 20, 30);
    /* Pixel (5, 3): odd line -> 0x2000 bank, byte 80 + 1, bits 5-4. */
    vga_mem_write(t.v, 0x18000 + 0x2000 + 80 + 1, 2 << 4);
    struct vga_frame f;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(f.width, 320);
    cr_assert_eq(f.height, 200);
    cr_assert_eq(px(&f, 5, 3), rgb6(10, 20, 30));
    cr_assert_eq(px(&f, 4, 3), 0u);
    cr_assert_eq(px(&f, 5, 2), 0u);
    vgat_fini(&t);

    vgat_init(&t);
    vgat_mode(t.v, 0x63, m6_seq, m6_crtc, m6_gc, m6_ar);
    dac_w(t.v, 0x17, 40, 41, 42);
    vga_mem_write(t.v, 0x18000 + 0x2000 + 1, 0x40);   /* pixel (9, 1) */
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(f.width, 640);
    cr_assert_eq(f.height, 200);
    cr_assert_eq(px(&f, 9, 1), rgb6(40, 41, 42));
    cr_assert_eq(px(&f, 8, 1), 0u);
    cr_assert_eq(px(&f, 9, 0), 0u);
    vgat_fini(&t);
}

/* ------------------------------------------------------------ VBE, blank */

static void dispi(struct vga *v, uint16_t i, uint16_t x)
{
    v->vbe_index = i;
    vga_vbe_write(v, x);
}

static void vbe_mode(struct vga *v, uint16_t w, uint16_t h, uint16_t bpp, uint16_t extra)
{
    dispi(v, VBE_INDEX_ENABLE, 0);
    dispi(v, VBE_INDEX_XRES, w);
    dispi(v, VBE_INDEX_YRES, h);
    dispi(v, VBE_INDEX_BPP, bpp);
    dispi(v, VBE_INDEX_ENABLE, (uint16_t)(VBE_ENABLED | VBE_LFB_ENABLED | extra));
}

Test(vga_render, vbe_modes_from_the_lfb)
{
    struct vgat t;
    vgat_init(&t);
    struct vga *v = t.v;
    struct vga_frame f;
    vbe_mode(v, 64, 48, 32, 0);
    uint8_t *p = v->vram + (5 * 64 + 7) * 4;
    p[0] = 0x33; p[1] = 0x22; p[2] = 0x11;
    cr_assert(vga_render(v, &f));
    cr_assert_eq(f.width, 64);
    cr_assert_eq(f.height, 48);
    cr_assert_eq(px(&f, 7, 5), 0x112233u);
    cr_assert_eq(px(&f, 6, 5), 0u);

    vbe_mode(v, 32, 16, 24, 0);
    p = v->vram + (2 * 32 + 1) * 3;
    p[0] = 0x01; p[1] = 0x02; p[2] = 0x03;
    cr_assert(vga_render(v, &f));
    cr_assert_eq(px(&f, 1, 2), 0x030201u);

    vbe_mode(v, 32, 16, 16, 0);
    dispi(v, VBE_INDEX_VIRT_WIDTH, 64);
    dispi(v, VBE_INDEX_X_OFFSET, 3);
    dispi(v, VBE_INDEX_Y_OFFSET, 2);
    st16(v->vram + (2 * 64 + 3) * 2, 0xF800);          /* red */
    st16(v->vram + (3 * 64 + 4) * 2, 0x07E0);          /* green */
    cr_assert(vga_render(v, &f));
    cr_assert_eq(px(&f, 0, 0), 0xFF0000u, "virtual (3,2) at the top left");
    cr_assert_eq(px(&f, 1, 1), 0x00FF00u, "pitch = virtual width");

    vbe_mode(v, 32, 16, 15, 0);
    st16(v->vram + 2 * 5, 0x001F);                     /* blue at (5, 0) */
    st16(v->vram + 2 * 6, 0x7C00);                     /* red at (6, 0) */
    cr_assert(vga_render(v, &f));
    cr_assert_eq(px(&f, 5, 0), 0x0000FFu);
    cr_assert_eq(px(&f, 6, 0), 0xFF0000u);

    vbe_mode(v, 32, 16, 8, VBE_8BIT_DAC);
    dac_w(v, 0x42, 0x80, 0x81, 0xFF);                  /* 8-bit values kept */
    v->vram[32 + 3] = 0x42;
    cr_assert(vga_render(v, &f));
    cr_assert_eq(px(&f, 3, 1), 0x8081FFu);
    vgat_fini(&t);
}

Test(vga_render, vbe_4bpp_planar_with_banks)
{
    struct vgat t;
    vgat_init(&t);
    struct vga *v = t.v;
    for (uint8_t i = 0; i < 16; i++)
        ar_w(v, i, i);
    ar_w(v, 0x12, 0x0F);
    dac_w(v, 9, 1, 2, 3);
    vbe_mode(v, 1024, 768, 4, 0);
    seq_w(v, 4, 0x06);
    gc_w(v, 6, 0x05);
    seq_w(v, 2, 0x09);                 /* planes 0 and 3: colour 9 */
    /* Pixel (8, 700): plane offset 700 * 128 + 1 = 89601, bank 1. */
    dispi(v, VBE_INDEX_BANK, 1);
    vga_mem_write(v, 89601 - 65536, 0x80);
    cr_assert_eq(v->vram[89601 * 4 + 3], 0x80, "plane 3 beyond the VGA's 64 KiB");
    struct vga_frame f;
    cr_assert(vga_render(v, &f));
    cr_assert_eq(f.width, 1024);
    cr_assert_eq(f.height, 768);
    cr_assert_eq(px(&f, 8, 700), rgb6(1, 2, 3));
    cr_assert_eq(px(&f, 9, 700), 0u);
    cr_assert_eq(px(&f, 8, 699), 0u);
    vgat_fini(&t);
}

Test(vga_render, display_off_is_blank)
{
    struct vgat t;
    mode13(&t);
    vga_mem_write(t.v, 0, 0x3F);
    struct vga_frame f;
    cr_assert(vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 0), ramp(0x3F));
    seq_w(t.v, 1, 0x21);               /* screen off */
    cr_assert(!vga_render(t.v, &f));
    cr_assert_eq(px(&f, 0, 0), 0u);
    seq_w(t.v, 1, 0x01);
    (void)vga_port_read(t.v, 0x3DA);
    vga_port_write(t.v, 0x3C0, 0x00);  /* palette address source cleared */
    cr_assert(!vga_render(t.v, &f));
    struct vga_frame last;
    cr_assert(vga_last_frame(t.v, &last));
    cr_assert_eq(last.width, 320);
    vgat_fini(&t);
}

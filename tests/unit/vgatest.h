/* Helpers for the VGA tests: a free-standing VGA on a test clock and
 * register writes by index. */
#ifndef PCVM_TEST_VGATEST_H
#define PCVM_TEST_VGATEST_H

#include <criterion/criterion.h>
#include <stdint.h>

#include "devices/vga.h"
#include "devtest.h"

struct vgat {
    uint64_t now;
    struct clock clk;
    struct vga *v;
};

static inline void vgat_init(struct vgat *t)
{
    t->now = 0;
    clock_init(&t->clk, &t->now);
    t->v = vga_create(&t->clk, NULL, 0);
    cr_assert_not_null(t->v);
}

static inline void vgat_fini(struct vgat *t) { vga_free(t->v); }

static inline void seq_w(struct vga *v, uint8_t i, uint8_t x)
{
    vga_port_write(v, 0x3C4, i);
    vga_port_write(v, 0x3C5, x);
}

static inline void gc_w(struct vga *v, uint8_t i, uint8_t x)
{
    vga_port_write(v, 0x3CE, i);
    vga_port_write(v, 0x3CF, x);
}

static inline void crtc_w(struct vga *v, uint8_t i, uint8_t x)
{
    vga_port_write(v, 0x3D4, i);
    vga_port_write(v, 0x3D5, x);
}

/* Attribute register i (the flip-flop reset first); keeps the palette
 * address source bit set so the screen shows. */
static inline void ar_w(struct vga *v, uint8_t i, uint8_t x)
{
    (void)vga_port_read(v, 0x3DA);
    vga_port_write(v, 0x3C0, (uint8_t)(i | 0x20));
    vga_port_write(v, 0x3C0, x);
}

static inline void dac_w(struct vga *v, uint8_t i, uint8_t r, uint8_t g, uint8_t b)
{
    vga_port_write(v, 0x3C8, i);
    vga_port_write(v, 0x3C9, r);
    vga_port_write(v, 0x3C9, g);
    vga_port_write(v, 0x3C9, b);
}

/* A 6-bit DAC value as the renderer widens it to 8 bits. */
static inline uint32_t dac8(uint8_t c) { return (uint32_t)((c << 2) | (c >> 4)); }
static inline uint32_t rgb6(uint8_t r, uint8_t g, uint8_t b)
{
    return (dac8(r) << 16) | (dac8(g) << 8) | dac8(b);
}

/* Loads a whole register set: misc, sequencer 1-4, CRTC 0-0x18, GC 0-8,
 * attribute 0-0x14 (the CRTC protect bit cleared first). */
static inline void vgat_mode(struct vga *v, uint8_t misc, const uint8_t seq[4],
                             const uint8_t crtc[25], const uint8_t gc[9], const uint8_t ar[21])
{
    vga_port_write(v, 0x3C2, misc);
    for (unsigned i = 0; i < 4; i++)
        seq_w(v, (uint8_t)(i + 1), seq[i]);
    crtc_w(v, 0x11, 0);
    for (unsigned i = 0; i < 25; i++)
        crtc_w(v, (uint8_t)i, crtc[i]);
    for (unsigned i = 0; i < 9; i++)
        gc_w(v, (uint8_t)i, gc[i]);
    for (unsigned i = 0; i < 21; i++)
        ar_w(v, (uint8_t)i, ar[i]);
}

#endif

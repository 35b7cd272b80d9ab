/* The VGA's registers and memory (devices/vga.c): write modes 0-3 with
 * rotate, set/reset, logical functions, bit mask and map mask; read modes
 * 0 and 1 with the latches and colour compare/don't care; chain-4 and
 * odd/even addressing; the memory map windows; DAC index sequencing; the
 * attribute flip-flop; the CRTC protect bit and the MISC I/O select;
 * input status 1 against virtual time; the PCI function (identity, BAR
 * sizing, the LFB and the expansion ROM mapped and moved on the bus);
 * the Bochs DISPI registers (devices/vga_vbe.c); option ROMs as fw_cfg
 * genroms/ files (-option-rom). */
#include <criterion/criterion.h>
#include <string.h>

#include "bus/machine.h"
#include "roms/roms.h"
#include "vgatest.h"

static const uint8_t pv[4] = { 0x0F, 0x33, 0x55, 0xAA };

/* Planar, sequential addressing at A0000 (64 KiB), write mode 0, the
 * planes at offset `off` loaded with pv[] through the map mask. */
static void planar_setup(struct vga *v, uint32_t off)
{
    seq_w(v, 4, 0x06);                 /* sequential, no chain 4 */
    gc_w(v, 6, 0x05);                  /* graphics, A0000 64K */
    gc_w(v, 5, 0x00);
    for (unsigned p = 0; p < 4; p++) {
        seq_w(v, 2, (uint8_t)(1u << p));
        vga_mem_write(v, off, pv[p]);
    }
    seq_w(v, 2, 0x0F);
}

static uint8_t plane_at(struct vga *v, uint32_t off, unsigned p)
{
    return v->vram[(off << 2) | p];
}

Test(vga, planes_read_mode0_read_map_select)
{
    struct vgat t;
    vgat_init(&t);
    planar_setup(t.v, 0x123);
    for (unsigned p = 0; p < 4; p++) {
        cr_assert_eq(plane_at(t.v, 0x123, p), pv[p], "plane %u stored", p);
        gc_w(t.v, 4, (uint8_t)p);
        cr_assert_eq(vga_mem_read(t.v, 0x123), pv[p], "read map %u", p);
        cr_assert_eq(t.v->latch[p], pv[p], "latch %u loaded", p);
    }
    vgat_fini(&t);
}

Test(vga, write_mode0_rotate_set_reset_xor_bit_mask)
{
    struct vgat t;
    vgat_init(&t);
    planar_setup(t.v, 0);
    (void)vga_mem_read(t.v, 0);        /* latches = pv */
    gc_w(t.v, 3, (3 << 3) | 1);        /* XOR, rotate right 1 */
    gc_w(t.v, 1, 0x01);                /* enable set/reset: plane 0 */
    gc_w(t.v, 0, 0x01);                /* set/reset: plane 0 = 1s */
    gc_w(t.v, 8, 0xF0);
    vga_mem_write(t.v, 0, 0x81);       /* rotated: 0xC0 */
    /* plane 0: (0xFF ^ 0x0F) under the mask, low nibble from the latch */
    cr_assert_eq(plane_at(t.v, 0, 0), 0xFF);
    cr_assert_eq(plane_at(t.v, 0, 1), 0xF3);   /* 0xC0 ^ 0x33 = 0xF3 */
    cr_assert_eq(plane_at(t.v, 0, 2), 0x95);   /* 0xC0 ^ 0x55 = 0x95 */
    cr_assert_eq(plane_at(t.v, 0, 3), 0x6A);   /* 0xC0 ^ 0xAA = 0x6A */
    vgat_fini(&t);
}

Test(vga, write_mode0_and_or_functions)
{
    struct vgat t;
    vgat_init(&t);
    planar_setup(t.v, 0);
    (void)vga_mem_read(t.v, 0);
    gc_w(t.v, 3, 1 << 3);              /* AND */
    vga_mem_write(t.v, 1, 0x3C);
    gc_w(t.v, 3, 2 << 3);              /* OR */
    vga_mem_write(t.v, 2, 0x3C);
    for (unsigned p = 0; p < 4; p++) {
        cr_assert_eq(plane_at(t.v, 1, p), pv[p] & 0x3C, "AND plane %u", p);
        cr_assert_eq(plane_at(t.v, 2, p), pv[p] | 0x3C, "OR plane %u", p);
    }
    vgat_fini(&t);
}

Test(vga, write_mode1_copies_latches)
{
    struct vgat t;
    vgat_init(&t);
    planar_setup(t.v, 0);
    (void)vga_mem_read(t.v, 0);
    gc_w(t.v, 5, 0x01);
    gc_w(t.v, 8, 0x00);                /* the bit mask does not apply */
    vga_mem_write(t.v, 7, 0x00);
    for (unsigned p = 0; p < 4; p++)
        cr_assert_eq(plane_at(t.v, 7, p), pv[p], "plane %u", p);
    vgat_fini(&t);
}

Test(vga, write_mode2_colour_bits)
{
    struct vgat t;
    vgat_init(&t);
    planar_setup(t.v, 0);
    (void)vga_mem_read(t.v, 0);
    gc_w(t.v, 5, 0x02);
    gc_w(t.v, 8, 0x3C);
    vga_mem_write(t.v, 0, 0x05);       /* planes 0 and 2 set, 1 and 3 clear */
    cr_assert_eq(plane_at(t.v, 0, 0), 0x3F);
    cr_assert_eq(plane_at(t.v, 0, 1), 0x03);
    cr_assert_eq(plane_at(t.v, 0, 2), 0x7D);
    cr_assert_eq(plane_at(t.v, 0, 3), 0x82);
    vgat_fini(&t);
}

Test(vga, write_mode3_rotated_data_masks_set_reset)
{
    struct vgat t;
    vgat_init(&t);
    planar_setup(t.v, 0);
    (void)vga_mem_read(t.v, 0);
    gc_w(t.v, 5, 0x03);
    gc_w(t.v, 0, 0x0A);                /* set/reset: planes 1 and 3 */
    gc_w(t.v, 1, 0x00);                /* (enable set/reset is not used) */
    gc_w(t.v, 8, 0xF0);
    vga_mem_write(t.v, 0, 0xC3);       /* mask = 0xC3 & 0xF0 = 0xC0 */
    cr_assert_eq(plane_at(t.v, 0, 0), 0x0F);
    cr_assert_eq(plane_at(t.v, 0, 1), 0xF3);
    cr_assert_eq(plane_at(t.v, 0, 2), 0x15);
    cr_assert_eq(plane_at(t.v, 0, 3), 0xEA);
    vgat_fini(&t);
}

Test(vga, map_mask_selects_planes)
{
    struct vgat t;
    vgat_init(&t);
    planar_setup(t.v, 0);
    seq_w(t.v, 2, 0x05);
    vga_mem_write(t.v, 0, 0xEE);
    cr_assert_eq(plane_at(t.v, 0, 0), 0xEE);
    cr_assert_eq(plane_at(t.v, 0, 1), pv[1]);
    cr_assert_eq(plane_at(t.v, 0, 2), 0xEE);
    cr_assert_eq(plane_at(t.v, 0, 3), pv[3]);
    vgat_fini(&t);
}

Test(vga, read_mode1_colour_compare_and_dont_care)
{
    struct vgat t;
    vgat_init(&t);
    planar_setup(t.v, 0);
    gc_w(t.v, 5, 0x08);
    gc_w(t.v, 2, 0x05);                /* want p0=1 p1=0 p2=1 p3=0 */
    gc_w(t.v, 7, 0x0F);
    cr_assert_eq(vga_mem_read(t.v, 0), 0x04, "only bit 2 matches all four");
    gc_w(t.v, 7, 0x01);
    cr_assert_eq(vga_mem_read(t.v, 0), 0x0F, "plane 0 alone");
    gc_w(t.v, 7, 0x00);
    cr_assert_eq(vga_mem_read(t.v, 0), 0xFF, "all don't care");
    cr_assert_eq(t.v->latch[3], 0xAA, "latches loaded in read mode 1 too");
    vgat_fini(&t);
}

Test(vga, chain4_addressing)
{
    struct vgat t;
    vgat_init(&t);
    seq_w(t.v, 4, 0x0E);
    gc_w(t.v, 6, 0x05);
    gc_w(t.v, 5, 0x40);
    vga_mem_write(t.v, 0x1235, 0x77);
    cr_assert_eq(plane_at(t.v, 0x1234, 1), 0x77, "plane 1, offset with bits 1-0 clear");
    cr_assert_eq(plane_at(t.v, 0x1234, 0), 0x00);
    cr_assert_eq(plane_at(t.v, 0x1235, 1), 0x00);
    cr_assert_eq(vga_mem_read(t.v, 0x1235), 0x77);
    cr_assert_eq(vga_mem_read(t.v, 0x1234), 0x00);
    vga_mem_write(t.v, 0xC002, 0x66);  /* bits 15-14 rotate into the offset */
    cr_assert_eq(plane_at(t.v, 0xC003, 2), 0x66);
    cr_assert_eq(vga_mem_read(t.v, 0xC002), 0x66);
    vgat_fini(&t);
}

Test(vga, odd_even_addressing)
{
    struct vgat t;
    vgat_init(&t);
    seq_w(t.v, 4, 0x02);               /* odd/even (bit 2 clear) */
    seq_w(t.v, 2, 0x03);               /* map mask as in text modes: planes 0, 1 */
    gc_w(t.v, 5, 0x10);
    gc_w(t.v, 6, 0x0E);                /* text, B8000 */
    vga_mem_write(t.v, 0x18100, 0x41);
    vga_mem_write(t.v, 0x18101, 0x1E);
    cr_assert_eq(plane_at(t.v, 0x100, 0), 0x41, "even byte: plane 0");
    cr_assert_eq(plane_at(t.v, 0x100, 1), 0x1E, "odd byte: plane 1, same offset");
    cr_assert_eq(plane_at(t.v, 0x100, 2), 0x00, "plane 2 (the font) untouched");
    cr_assert_eq(plane_at(t.v, 0x101, 1), 0x00);
    cr_assert_eq(vga_mem_read(t.v, 0x18100), 0x41);
    cr_assert_eq(vga_mem_read(t.v, 0x18101), 0x1E);
    gc_w(t.v, 4, 2);                   /* read map 2: planes 2/3 */
    cr_assert_eq(vga_mem_read(t.v, 0x18101), 0x00);
    vgat_fini(&t);
}

Test(vga, memory_map_windows)
{
    struct vgat t;
    vgat_init(&t);
    seq_w(t.v, 4, 0x06);
    gc_w(t.v, 6, 0x0C);                /* B8000-BFFFF only */
    vga_mem_write(t.v, 0x00010, 0x99); /* A0010: not decoded */
    cr_assert_eq(plane_at(t.v, 0x10, 0), 0);
    cr_assert_eq(vga_mem_read(t.v, 0x00010), 0xFF);
    vga_mem_write(t.v, 0x18010, 0x99);
    cr_assert_eq(plane_at(t.v, 0x10, 0), 0x99, "B8010 is offset 0x10");
    gc_w(t.v, 6, 0x08);                /* B0000-B7FFF */
    cr_assert_eq(vga_mem_read(t.v, 0x10010), 0x99);
    cr_assert_eq(vga_mem_read(t.v, 0x18010), 0xFF);
    gc_w(t.v, 6, 0x00);                /* A0000-BFFFF */
    cr_assert_eq(vga_mem_read(t.v, 0x18010), 0x00, "offset 0x18010 there");
    cr_assert_eq(vga_mem_read(t.v, 0x00010), 0x99);
    vgat_fini(&t);
}

Test(vga, dac_sequencing)
{
    struct vgat t;
    vgat_init(&t);
    struct vga *v = t.v;
    vga_port_write(v, 0x3C8, 5);
    cr_assert_eq(vga_port_read(v, 0x3C7) & 3, 0, "DAC state: write");
    const uint8_t w[6] = { 0x01, 0x02, 0xFF, 0x3F, 0x20, 0x10 };
    for (unsigned i = 0; i < 6; i++)
        vga_port_write(v, 0x3C9, w[i]);
    cr_assert_eq(vga_port_read(v, 0x3C8), 7, "write index advanced by two entries");
    vga_port_write(v, 0x3C9, 0x11);    /* a partial entry is not stored */
    vga_port_write(v, 0x3C8, 9);       /* and a new index restarts the triple */
    vga_port_write(v, 0x3C9, 0x21);
    vga_port_write(v, 0x3C9, 0x22);
    vga_port_write(v, 0x3C9, 0x23);
    vga_port_write(v, 0x3C7, 5);
    cr_assert_eq(vga_port_read(v, 0x3C7) & 3, 3, "DAC state: read");
    const uint8_t want[6] = { 0x01, 0x02, 0x3F, 0x3F, 0x20, 0x10 };  /* 6 bits */
    for (unsigned i = 0; i < 6; i++)
        cr_assert_eq(vga_port_read(v, 0x3C9), want[i], "read %u", i);
    cr_assert_eq(vga_port_read(v, 0x3C9), 0, "entry 7 untouched (partial write)");
    vga_port_write(v, 0x3C7, 9);
    cr_assert_eq(vga_port_read(v, 0x3C9), 0x21);
    cr_assert_eq(vga_port_read(v, 0x3C9), 0x22);
    cr_assert_eq(vga_port_read(v, 0x3C9), 0x23);
    vga_port_write(v, 0x3C6, 0x0F);
    cr_assert_eq(vga_port_read(v, 0x3C6), 0x0F, "pel mask");
    vgat_fini(&t);
}

Test(vga, attribute_flip_flop)
{
    struct vgat t;
    vgat_init(&t);
    struct vga *v = t.v;
    (void)vga_port_read(v, 0x3DA);
    vga_port_write(v, 0x3C0, 0x21);    /* index 1, PAS */
    vga_port_write(v, 0x3C0, 0x3F);    /* data */
    cr_assert_eq(v->ar[1], 0x3F);
    cr_assert_eq(vga_port_read(v, 0x3C0), 0x21, "index reads back");
    cr_assert_eq(vga_port_read(v, 0x3C1), 0x3F, "data reads at 0x3C1");
    vga_port_write(v, 0x3C0, 0x22);    /* index again: the flip-flop toggled */
    vga_port_write(v, 0x3C0, 0xD5);
    cr_assert_eq(v->ar[2], 0x15, "palette entries keep 6 bits");
    vga_port_write(v, 0x3C0, 0x30);
    vga_port_write(v, 0x3C0, 0xC1);
    cr_assert_eq(v->ar[0x10], 0xC1, "the mode control register keeps 8");
    vga_port_write(v, 0x3C0, 0x23);    /* index 3 ... */
    (void)vga_port_read(v, 0x3DA);     /* ... and input status 1 resets it */
    vga_port_write(v, 0x3C0, 0x24);    /* so this is an index, not data for 3 */
    vga_port_write(v, 0x3C0, 0x09);
    cr_assert_eq(v->ar[3], 0x00);
    cr_assert_eq(v->ar[4], 0x09);
    vgat_fini(&t);
}

Test(vga, crtc_protect_and_io_select)
{
    struct vgat t;
    vgat_init(&t);
    struct vga *v = t.v;
    crtc_w(v, 0x01, 0x4F);
    crtc_w(v, 0x07, 0x00);
    crtc_w(v, 0x11, 0x80);             /* protect CR00-CR07 */
    crtc_w(v, 0x01, 0x27);
    crtc_w(v, 0x07, 0xFF);
    crtc_w(v, 0x13, 0x28);
    cr_assert_eq(v->crtc[1], 0x4F, "protected");
    cr_assert_eq(v->crtc[7], 0x10, "only line compare bit 8 writes");
    cr_assert_eq(v->crtc[0x13], 0x28, "CR13 is not protected");
    vga_port_write(v, 0x3D4, 0x13);
    cr_assert_eq(vga_port_read(v, 0x3D5), 0x28);
    cr_assert_eq(vga_port_read(v, 0x3B5), 0xFF, "mono ports off in colour mode");
    vga_port_write(v, 0x3C2, 0x66);    /* MISC bit 0 clear: 0x3Bx */
    cr_assert_eq(vga_port_read(v, 0x3CC), 0x66);
    vga_port_write(v, 0x3B4, 0x13);
    cr_assert_eq(vga_port_read(v, 0x3B5), 0x28);
    cr_assert_eq(vga_port_read(v, 0x3D5), 0xFF);
    vgat_fini(&t);
}

/* Mode 3's timing: 28.322 MHz, 9 dots, 100 character clocks a line
 * (80 shown), 449 lines (400 shown), retrace at lines 412-413. */
static void mode3_timing(struct vga *v)
{
    vga_port_write(v, 0x3C2, 0x67);
    seq_w(v, 1, 0x00);
    crtc_w(v, 0x11, 0x0E);
    crtc_w(v, 0x00, 0x5F);
    crtc_w(v, 0x01, 0x4F);
    crtc_w(v, 0x06, 0xBF);
    crtc_w(v, 0x07, 0x1F);
    crtc_w(v, 0x10, 0x9C);
    crtc_w(v, 0x11, 0x8E);
    crtc_w(v, 0x12, 0x8F);
}

Test(vga, input_status1_follows_virtual_time)
{
    struct vgat t;
    vgat_init(&t);
    mode3_timing(t.v);
    /* One sample a microsecond (100 instructions) for 50 ms. */
    uint64_t rises[8];
    unsigned nrise = 0, de_changes = 0, vr_samples = 0;
    uint8_t prev = vga_port_read(t.v, 0x3DA);
    for (uint64_t i = 1; i <= 50000; i++) {
        t.now = i * 100;
        uint8_t s = vga_port_read(t.v, 0x3DA);
        if ((s & 8) && !(prev & 8) && nrise < 8)
            rises[nrise++] = t.now;
        if ((s ^ prev) & 1)
            de_changes++;
        vr_samples += (s >> 3) & 1;
        prev = s;
    }
    cr_assert_geq(nrise, 3, "retrace starts every frame (%u seen)", nrise);
    /* Frame: 449 lines of 900 dots at 28.322 MHz = 14.268 ms. */
    for (unsigned k = 1; k < nrise; k++) {
        uint64_t d = rises[k] - rises[k - 1];
        cr_assert(d >= 1426000 && d <= 1428000, "frame period %llu instructions",
                  (unsigned long long)d);
    }
    /* Two retrace lines of 449, each 31.8 us: about 64 us a frame. */
    cr_assert(vr_samples >= 3 * 60 && vr_samples <= 4 * 66, "retrace samples %u", vr_samples);
    cr_assert_gt(de_changes, 1000, "display enable toggles every line (%u)", de_changes);
    /* Deterministic: the same instant reads the same. */
    t.now = 12345678;
    uint8_t a = vga_port_read(t.v, 0x3DA);
    cr_assert_eq(vga_port_read(t.v, 0x3DA), a);
    vgat_fini(&t);
}

/* ------------------------------------------------------------ DISPI */

static void dispi_w(struct vga *v, uint16_t i, uint16_t x)
{
    v->vbe_index = i;
    vga_vbe_write(v, x);
}

static uint16_t dispi_r(struct vga *v, uint16_t i)
{
    v->vbe_index = i;
    return vga_vbe_read(v);
}

Test(vga, dispi_registers)
{
    struct vgat t;
    vgat_init(&t);
    struct vga *v = t.v;
    dispi_w(v, VBE_INDEX_ID, 0xB0C0);
    cr_assert_eq(dispi_r(v, VBE_INDEX_ID), 0xB0C0);
    dispi_w(v, VBE_INDEX_ID, 0x1234);
    cr_assert_eq(dispi_r(v, VBE_INDEX_ID), 0xB0C0, "unknown ID ignored");
    dispi_w(v, VBE_INDEX_ID, 0xB0C5);
    cr_assert_eq(dispi_r(v, VBE_INDEX_ID), 0xB0C5);
    cr_assert_eq(dispi_r(v, VBE_INDEX_VIDEO_MEMORY_64K), 256, "16 MiB");
    dispi_w(v, VBE_INDEX_ENABLE, VBE_GETCAPS);
    cr_assert_eq(dispi_r(v, VBE_INDEX_XRES), 1600);
    cr_assert_eq(dispi_r(v, VBE_INDEX_YRES), 1200);
    cr_assert_eq(dispi_r(v, VBE_INDEX_BPP), 32);
    dispi_w(v, VBE_INDEX_ENABLE, 0);
    dispi_w(v, VBE_INDEX_XRES, 1024);
    dispi_w(v, VBE_INDEX_YRES, 768);
    dispi_w(v, VBE_INDEX_BPP, 16);
    cr_assert_eq(dispi_r(v, VBE_INDEX_XRES), 1024);
    dispi_w(v, VBE_INDEX_BPP, 12);
    cr_assert_eq(dispi_r(v, VBE_INDEX_BPP), 16, "12 bpp does not exist");
    memset(v->vram, 0x5A, 4096);
    dispi_w(v, VBE_INDEX_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
    cr_assert(vga_vbe_enabled(v));
    cr_assert_eq(v->vram[100], 0, "enabling clears the memory");
    dispi_w(v, VBE_INDEX_XRES, 640);
    cr_assert_eq(dispi_r(v, VBE_INDEX_XRES), 1024, "resolution fixed while enabled");
    cr_assert_eq(dispi_r(v, VBE_INDEX_VIRT_WIDTH), 1024);
    dispi_w(v, VBE_INDEX_VIRT_WIDTH, 2048);
    cr_assert_eq(dispi_r(v, VBE_INDEX_VIRT_HEIGHT), (16u << 20) / 4096u);
    dispi_w(v, VBE_INDEX_ENABLE, 0);
    memset(v->vram, 0x5A, 4096);
    dispi_w(v, VBE_INDEX_ENABLE, VBE_ENABLED | VBE_NOCLEARMEM);
    cr_assert_eq(v->vram[100], 0x5A, "NOCLEARMEM keeps it");
    /* Banked window: bank 3 at A0000. */
    dispi_w(v, VBE_INDEX_BANK, 3);
    vga_mem_write(v, 0x10, 0xC3);
    cr_assert_eq(v->vram[3 * 65536 + 0x10], 0xC3);
    cr_assert_eq(vga_mem_read(v, 0x10), 0xC3);
    vgat_fini(&t);
}

/* ------------------------------------------------------------ PCI, machine */

static uint8_t fake_rom[1024];

static struct machine *mk(void)
{
    memset(fake_rom, 0, sizeof fake_rom);
    fake_rom[0] = 0x55;
    fake_rom[1] = 0xAA;
    fake_rom[2] = 2;                   /* 1 KiB */
    fake_rom[3] = 0xCB;                /* RETF */
    struct machine_config cfg = { .bios = rom_test_halt, .bios_size = rom_test_halt_size,
                                  .vga_bios = fake_rom, .vga_bios_size = sizeof fake_rom };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_not_null(machine_vga(m));
    return m;
}

static uint32_t cfg_rd(struct machine *m, unsigned off)
{
    bus_out(&m->bus, 0xCF8, 0x80000000u | (2u << 11) | (off & 0xFC), 4);
    return bus_in(&m->bus, 0xCFC, 4);
}

static void cfg_wr(struct machine *m, unsigned off, uint32_t v)
{
    bus_out(&m->bus, 0xCF8, 0x80000000u | (2u << 11) | (off & 0xFC), 4);
    bus_out(&m->bus, 0xCFC, v, 4);
}

Test(vga, no_vga_without_bios)
{
    struct machine_config cfg = { .bios = rom_test_halt, .bios_size = rom_test_halt_size };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_null(machine_vga(m));
    cr_assert_eq(cfg_rd(m, 0), 0xFFFFFFFFu, "no function at 00:02.0");
    machine_free(m);
}

Test(vga, pci_identity_and_bars)
{
    struct machine *m = mk();
    struct vga *v = machine_vga(m);
    cr_assert_eq(cfg_rd(m, 0x00), 0x11111234u, "1234:1111");
    cr_assert_eq(cfg_rd(m, 0x08) >> 8, 0x030000u, "VGA class");
    cfg_wr(m, 0x10, 0xFFFFFFFFu);
    cr_assert_eq(cfg_rd(m, 0x10), 0xFF000008u, "16 MiB prefetchable");
    cfg_wr(m, 0x30, 0xFFFFFFFEu);
    cr_assert_eq(cfg_rd(m, 0x30), 0xFFFFF000u, "ROM BAR: 4 KiB (the bus maps pages)");
    /* LFB at 0xE0000000: nothing until memory decoding is on. */
    cfg_wr(m, 0x10, 0xE0000000u);
    bus_write(&m->bus, 0xE0000010u, 0x11223344u, 4);
    cr_assert_eq(v->vram[0x10], 0);
    cfg_wr(m, 0x04, 0x0003);
    bus_write(&m->bus, 0xE0000010u, 0x11223344u, 4);
    cr_assert_eq(le32(&v->vram[0x10]), 0x11223344u);
    bool wr = false;
    cr_assert_eq(bus_page_ptr(&m->bus, 0xE0FFF000u, &wr), v->vram + 0xFFF000, "RAM-like LFB");
    cr_assert(wr);
    /* Moved: the old address is gone, the new one shows the same memory. */
    cfg_wr(m, 0x10, 0xE1000000u);
    cr_assert_eq(bus_read(&m->bus, 0xE0000010u, 4), 0xFFFFFFFFu);
    cr_assert_eq(bus_read(&m->bus, 0xE1000010u, 4), 0x11223344u);
    /* The expansion ROM, when enabled. */
    cfg_wr(m, 0x30, 0xE2000000u);
    cr_assert_eq(bus_read(&m->bus, 0xE2000000u, 2), 0xFFFFu, "ROM BAR disabled");
    cfg_wr(m, 0x30, 0xE2000001u);
    cr_assert_eq(bus_read(&m->bus, 0xE2000000u, 2), 0xAA55u);
    cr_assert_eq(bus_read(&m->bus, 0xE2000003u, 1), 0xCB);
    cfg_wr(m, 0x04, 0x0000);
    cr_assert_eq(bus_read(&m->bus, 0xE2000000u, 2), 0xFFFFu, "memory decoding off");
    cr_assert_eq(bus_read(&m->bus, 0xE1000010u, 4), 0xFFFFFFFFu);
    machine_free(m);
}

Test(vga, vbe_mode_lfb_write_rendered_pixel)
{
    /* As a driver does it: BAR0 programmed, memory decoding on, a DISPI
     * mode through the ports, a pixel stored through the LFB on the bus. */
    struct machine *m = mk();
    cfg_wr(m, 0x10, 0xFD000000u);
    cfg_wr(m, 0x04, 0x0003);
    const uint16_t regs[][2] = { { VBE_INDEX_ENABLE, 0 }, { VBE_INDEX_XRES, 800 },
                                 { VBE_INDEX_YRES, 600 }, { VBE_INDEX_BPP, 32 },
                                 { VBE_INDEX_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED } };
    for (unsigned i = 0; i < 5; i++) {
        bus_out(&m->bus, 0x1CE, regs[i][0], 2);
        bus_out(&m->bus, 0x1CF, regs[i][1], 2);
    }
    bus_write(&m->bus, 0xFD000000u + (123u * 800 + 456) * 4, 0x00A1B2C3u, 4);
    struct vga_frame f;
    cr_assert(vga_render(machine_vga(m), &f));
    cr_assert_eq(f.width, 800);
    cr_assert_eq(f.height, 600);
    cr_assert_eq(f.pixels[123 * 800 + 456], 0xA1B2C3u);
    cr_assert_eq(f.pixels[123 * 800 + 457], 0u);
    struct vga_text tv;
    cr_assert(!vga_text_view(machine_vga(m), &tv), "no text view in a VBE mode");
    machine_free(m);
}

Test(vga, mmio_bar2)
{
    struct machine *m = mk();
    struct vga *v = machine_vga(m);
    cfg_wr(m, 0x18, 0xFFFFFFFFu);
    cr_assert_eq(cfg_rd(m, 0x18), 0xFFFFF000u, "4 KiB memory BAR");
    cfg_wr(m, 0x18, 0xE3000000u);
    cfg_wr(m, 0x04, 0x0002);
    bus_write(&m->bus, 0xE3000400u + 0x0E, 0xFF08, 2);   /* 0x3CE/0x3CF: GC8 = 0xFF */
    bus_write(&m->bus, 0xE3000400u + 0x0E, 0x3C08, 2);
    cr_assert_eq(v->gc[8], 0x3C, "a word: index, then data");
    cr_assert_eq(bus_read(&m->bus, 0xE3000400u + 0x0F, 1), 0x3C);
    bus_write(&m->bus, 0xE3000500u + 2 * VBE_INDEX_XRES, 800, 2);
    cr_assert_eq(v->vbe_regs[VBE_INDEX_XRES], 800, "DISPI registers flat");
    bus_write(&m->bus, 0xE3000500u + 2 * VBE_INDEX_YRES, 600, 4);  /* and the next: BPP = 0 */
    cr_assert_eq(v->vbe_regs[VBE_INDEX_YRES], 600);
    cr_assert_eq(v->vbe_regs[VBE_INDEX_BPP], 8, "BPP 0 is taken as 8");
    cr_assert_eq(bus_read(&m->bus, 0xE3000500u + 2 * VBE_INDEX_VIDEO_MEMORY_64K, 2), 256);
    cr_assert_eq(bus_read(&m->bus, 0xE3000500u, 2), VBE_ID5);
    cr_assert_eq(bus_read(&m->bus, 0xE3000600u, 4), 8, "extended registers: 8 bytes");
    cr_assert_eq(bus_read(&m->bus, 0xE3000604u, 4), 0x1E1E1E1Eu, "little endian");
    cr_assert_eq(bus_read(&m->bus, 0xE3000000u, 4), 0, "no EDID");
    cfg_wr(m, 0x18, 0xE3001000u);
    cr_assert_eq(bus_read(&m->bus, 0xE3000600u, 4), 0xFFFFFFFFu, "moved away");
    cr_assert_eq(bus_read(&m->bus, 0xE3001600u, 4), 8);
    machine_free(m);
}

Test(vga, legacy_window_and_ports_on_the_bus)
{
    struct machine *m = mk();
    struct vga *v = machine_vga(m);
    bus_out(&m->bus, 0x3C4, 0x0204, 2);   /* OUT DX, AX: seq 4 = 0x02 */
    cr_assert_eq(v->seq[4], 0x02);
    bus_out(&m->bus, 0x3CE, 0x1005, 2);
    bus_out(&m->bus, 0x3CE, 0x0E06, 2);
    bus_write(&m->bus, 0xB8000, 0x1E41, 2);
    cr_assert_eq(v->vram[0], 0x41);
    cr_assert_eq(v->vram[1], 0x1E);
    cr_assert_eq(bus_read(&m->bus, 0xB8000, 2), 0x1E41);
    bool wr;
    cr_assert_null(bus_page_ptr(&m->bus, 0xB8000, &wr), "the window is MMIO");
    /* DISPI through its ports (the 16-bit data port). */
    bus_out(&m->bus, 0x1CE, VBE_INDEX_ID, 2);
    bus_out(&m->bus, 0x1CF, 0xB0C4, 2);
    cr_assert_eq(bus_in(&m->bus, 0x1CF, 2), 0xB0C4);
    machine_free(m);
}

/* ------------------------------------------------------------ -option-rom */

Test(vga, option_roms_as_fw_cfg_genroms)
{
    static const uint8_t rom[512] = { 0x55, 0xAA, 1, 0xCB };
    struct machine_config cfg = { .bios = rom_test_halt, .bios_size = rom_test_halt_size };
    cfg.option_roms[1] = (struct machine_option_rom){ "test.rom", rom, sizeof rom };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    int found = -1;
    for (unsigned i = 0; i < m->fw_cfg.nfiles; i++)
        if (strcmp(m->fw_cfg.names[i], "genroms/test.rom") == 0)
            found = (int)i;
    cr_assert_geq(found, 0, "genroms/test.rom in the fw_cfg directory");
    const struct fw_cfg_item *it = &m->fw_cfg.item[FW_CFG_FILE_FIRST + found];
    cr_assert_eq(it->len, sizeof rom);
    cr_assert_eq(memcmp(it->data, rom, sizeof rom), 0);
    machine_free(m);

    cfg.option_roms[1].name = "a-name-that-is-much-too-long-for-a-fw_cfg-file.rom";
    m = machine_create(&cfg, err, sizeof err);
    cr_assert_null(m);
    cr_assert(strstr(err, "option ROM 'a-name-that-is-much-too-long-for-a-fw_cfg-file.rom': "
                     "the name is too long"), "%s", err);
}

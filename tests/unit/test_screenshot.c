/* PNG screenshots (frontends/screenshot.c): a frame written with
 * screenshot_write_png and read back with libpng's simplified reader has
 * the same size and pixels; bad paths and empty frames fail with a
 * message naming the file.  Also a real VGA frame (mode 13h) round trip. */
#include <criterion/criterion.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontends/screenshot.h"
#include "vgatest.h"

static uint8_t *read_back(const char *path, uint32_t *w, uint32_t *h)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    cr_assert(png_image_begin_read_from_file(&img, path), "%s", img.message);
    img.format = PNG_FORMAT_RGB;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
    cr_assert_not_null(buf);
    cr_assert(png_image_finish_read(&img, NULL, buf, 0, NULL), "%s", img.message);
    *w = img.width;
    *h = img.height;
    return buf;
}

static void tmp_path(char *path, size_t n)
{
    snprintf(path, n, "/tmp/pcvm-shot-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
}

static void round_trip(const struct vga_frame *f)
{
    char path[64], err[256];
    tmp_path(path, sizeof path);
    cr_assert(screenshot_write_png(path, f, err, sizeof err), "%s", err);
    uint32_t w, h;
    uint8_t *rgb = read_back(path, &w, &h);
    unlink(path);
    cr_assert_eq(w, f->width);
    cr_assert_eq(h, f->height);
    for (uint32_t i = 0; i < w * h; i++) {
        uint32_t got = ((uint32_t)rgb[3 * i] << 16) | ((uint32_t)rgb[3 * i + 1] << 8) |
                       rgb[3 * i + 2];
        cr_assert_eq(got, f->pixels[i] & 0xFFFFFFu, "pixel %u: %06x, wrote %06x", i, got,
                     f->pixels[i]);
    }
    free(rgb);
}

Test(screenshot, png_round_trip)
{
    static const uint32_t px[3 * 2] = { 0xFF0000, 0x00FF00, 0x0000FF,
                                        0x123456, 0xFFFFFF, 0x000000 };
    struct vga_frame f = { .width = 3, .height = 2, .pixels = px };
    round_trip(&f);
}

Test(screenshot, vga_frame_round_trip)
{
    struct vgat t;
    vgat_init(&t);
    struct vga *v = t.v;
    v->vbe_index = VBE_INDEX_XRES;
    vga_vbe_write(v, 40);
    v->vbe_index = VBE_INDEX_YRES;
    vga_vbe_write(v, 30);
    v->vbe_index = VBE_INDEX_BPP;
    vga_vbe_write(v, 32);
    v->vbe_index = VBE_INDEX_ENABLE;
    vga_vbe_write(v, VBE_ENABLED);
    for (uint32_t i = 0; i < 40 * 30; i++)
        st32(v->vram + 4 * i, i * 0x010203u);
    struct vga_frame f;
    cr_assert(vga_render(v, &f));
    cr_assert_eq(f.pixels[7], 7 * 0x010203u);
    round_trip(&f);
    vgat_fini(&t);
}

Test(screenshot, errors_name_the_file)
{
    static const uint32_t px[1] = { 0 };
    struct vga_frame f = { .width = 1, .height = 1, .pixels = px };
    char err[256] = "";
    cr_assert(!screenshot_write_png("/nonexistent-dir/x.png", &f, err, sizeof err));
    cr_assert(strstr(err, "/nonexistent-dir/x.png: cannot open"), "%s", err);
    struct vga_frame empty = { .width = 0, .height = 0, .pixels = px };
    cr_assert(!screenshot_write_png("/tmp/never.png", &empty, err, sizeof err));
    cr_assert(strstr(err, "no picture"), "%s", err);
}

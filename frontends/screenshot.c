/* PNG screenshots through libpng's write API (libpng manual, "Writing"):
 * errors come back through setjmp/longjmp, so everything the function
 * allocates is released on both paths. */
#include "screenshot.h"

#include <errno.h>
#include <stdio.h>

#ifdef PCVM_NO_PNG
bool screenshot_write_png(const char *path, const struct vga_frame *f, char *err,
                          size_t errlen)
{
    (void)f;
    snprintf(err, errlen, "%s: this pcvm was built without PNG support (libpng)", path);
    return false;
}
#else
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct png_err {
    char msg[200];
};

static void on_error(png_structp png, png_const_charp msg)
{
    struct png_err *e = png_get_error_ptr(png);
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

bool screenshot_write_png(const char *path, const struct vga_frame *f, char *err,
                          size_t errlen)
{
    if (!f || !f->pixels || f->width == 0 || f->height == 0) {
        snprintf(err, errlen, "%s: no picture to save (the screen has no size)", path);
        return false;
    }
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    struct png_err pe = { "" };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &pe, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *volatile row = malloc((size_t)f->width * 3);
    if (!png || !info || !row) {
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(fp);
        snprintf(err, errlen, "%s: out of memory", path);
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(fp);
        snprintf(err, errlen, "%s: cannot write the PNG: %s", path, pe.msg);
        return false;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, f->width, f->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < f->height; y++) {
        const uint32_t *src = f->pixels + (size_t)y * f->width;
        for (uint32_t x = 0; x < f->width; x++) {
            row[3 * x] = (unsigned char)(src[x] >> 16);
            row[3 * x + 1] = (unsigned char)(src[x] >> 8);
            row[3 * x + 2] = (unsigned char)src[x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    if (fclose(fp) != 0) {
        snprintf(err, errlen, "%s: write error: %s", path, strerror(errno));
        return false;
    }
    return true;
}
#endif

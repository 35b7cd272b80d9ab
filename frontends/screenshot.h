/* PNG screenshots of the VGA's frames (libpng).  Host I/O: frontends only. */
#ifndef PCVM_SCREENSHOT_H
#define PCVM_SCREENSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/vga.h"

/* Writes the frame as an 8-bit RGB PNG.  On failure returns false and
 * writes a one-line reason (naming the file, no newline) into err. */
bool screenshot_write_png(const char *path, const struct vga_frame *f, char *err,
                          size_t errlen);

#endif

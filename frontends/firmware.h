/* Finding the firmware files: SeaBIOS and SeaVGABIOS as Debian's
 * 'seabios' package installs them, or whatever -bios/-vga-bios name.
 *
 * A bare file name (no directory part) is looked up in the -L
 * directories, then $PCVM_FIRMWARE_DIR, then the places where SeaBIOS is
 * installed on Debian, Homebrew and MSYS2 hosts; a name with a directory
 * is used as it is. */
#ifndef PCVM_FIRMWARE_H
#define PCVM_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define FIRMWARE_BIOS "bios-256k.bin"          /* SeaBIOS as QEMU's pc machine uses it */
#define FIRMWARE_VGA_BIOS "vgabios-stdvga.bin" /* SeaVGABIOS for the Bochs VBE VGA */
#define FIRMWARE_PACKAGE "seabios"             /* the Debian package with both */

/* -L DIR: searched first, in the order given. */
void firmware_add_dir(const char *dir);

/* The path of a firmware file (malloc'd), or NULL with a one-line reason
 * in err.  `is_default`: the user named no file, so the reason says which
 * package provides it. */
char *firmware_find(const char *name, bool is_default, char *err, size_t errlen);

/* Reads a PCI/ISA option ROM image (0x55 0xAA signature, at most 256 KiB);
 * malloc'd, or NULL with a reason in err. */
uint8_t *firmware_read_option_rom(const char *path, size_t *size, char *err, size_t errlen);

#endif

/* -kernel, -initrd, -append: booting a Linux bzImage or a Multiboot 1
 * kernel through the firmware, the way QEMU does it with SeaBIOS.
 *
 * pcvm does not put the kernel into RAM itself.  It checks the image,
 * decides where every piece goes and hands the pieces to the firmware as
 * fw_cfg items (QEMU's FW_CFG_KERNEL_*, _INITRD_*, _CMDLINE_*, _SETUP_*),
 * together with one of pcvm's own option ROMs (roms/linuxboot.asm,
 * roms/multiboot.asm) as the fw_cfg file "genroms/NAME.bin" and a
 * "bootorder" naming it first.  SeaBIOS runs genroms/ ROMs during POST and
 * boots a PnP ROM's BEV in boot order: the ROM copies the pieces with
 * fw_cfg DMA straight to their addresses and starts the kernel (real-mode
 * setup entry for Linux; protected mode with EAX=0x2BADB002 for Multiboot),
 * after the firmware has built its tables (e820, ACPI) as for any boot.
 *
 * The images are parsed here in the core (no OS call: the frontend reads
 * the files); a bad image gives a one-line reason in err.
 */
#ifndef PCVM_KERNELBOOT_H
#define PCVM_KERNELBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;

/* QEMU's fw_cfg keys for a kernel to boot (docs/specs/fw_cfg.rst; the
 * values are an ABI SeaBIOS-era option ROMs use). */
enum {
    FW_CFG_KERNEL_ADDR = 0x07, FW_CFG_KERNEL_SIZE = 0x08, FW_CFG_KERNEL_CMDLINE = 0x09,
    FW_CFG_INITRD_ADDR = 0x0A, FW_CFG_INITRD_SIZE = 0x0B, FW_CFG_KERNEL_ENTRY = 0x10,
    FW_CFG_KERNEL_DATA = 0x11, FW_CFG_INITRD_DATA = 0x12, FW_CFG_CMDLINE_ADDR = 0x13,
    FW_CFG_CMDLINE_SIZE = 0x14, FW_CFG_CMDLINE_DATA = 0x15, FW_CFG_SETUP_ADDR = 0x16,
    FW_CFG_SETUP_SIZE = 0x17, FW_CFG_SETUP_DATA = 0x18,
};

enum kernel_kind { KERNEL_UNKNOWN, KERNEL_LINUX, KERNEL_MULTIBOOT };

/* What the image is: a Linux boot-protocol image ("HdrS" at 0x202, checked
 * first, as QEMU does), a Multiboot 1 kernel (header in the first 8 KiB),
 * or neither. */
enum kernel_kind kernel_kind(const uint8_t *image, size_t size);

struct kernel_module {
    const uint8_t *data;
    size_t size;
    const char *cmdline;       /* Multiboot: "file args" as given to -initrd */
};

struct kernel_boot {
    const uint8_t *image;      /* -kernel file */
    size_t size;
    const char *name;          /* its path: Multiboot's cmdline starts with it */
    const char *cmdline;       /* -append, or NULL */
    const struct kernel_module *initrd;   /* Linux: at most one */
    unsigned ninitrd;
    /* The option ROMs (roms/linuxboot.asm, roms/multiboot.asm): images of
     * a multiple of 512 bytes whose checksums kernelboot fixes. */
    const uint8_t *linuxboot_rom;
    size_t linuxboot_rom_size;
    const uint8_t *multiboot_rom;
    size_t multiboot_rom_size;
};

/* Fills the machine's fw_cfg with the kernel, initrd/modules and command
 * line, and the option ROM that boots them.  False with a one-line reason
 * (no prefix, no newline) in err. */
bool machine_boot_kernel(struct machine *m, const struct kernel_boot *kb, char *err,
                         size_t errlen);

/* Shared by the two loaders (bus/linuxboot.c, bus/multiboot.c). */
bool kernelboot_linux(struct machine *m, const struct kernel_boot *kb, char *err, size_t errlen);
bool kernelboot_multiboot(struct machine *m, const struct kernel_boot *kb, char *err,
                          size_t errlen);
/* Registers an option ROM as "genroms/NAME" (size and checksums fixed in
 * a copy) and makes it the first boot entry. */
bool kernelboot_add_rom(struct machine *m, const char *name, const uint8_t *rom, size_t size,
                        char *err, size_t errlen);
/* The top of RAM the loaders may fill: SeaBIOS keeps its ACPI and other
 * tables in the last part of RAM (its "high zone", returned to the e820
 * map as RAM except for what it used, a few hundred KiB at the very top),
 * so the loaders stay 1 MiB below the top, as QEMU stays below its ACPI area. */
uint32_t kernelboot_ram_top(const struct machine *m);

#endif

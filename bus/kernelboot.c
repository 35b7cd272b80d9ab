/* -kernel: which loader, the option ROM registration, the RAM limit
 * (see kernelboot.h). */
#include "kernelboot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

#define MULTIBOOT_MAGIC 0x1BADB002u
#define MULTIBOOT_SEARCH 8192u    /* the header lies in the first 8 KiB */

enum kernel_kind kernel_kind(const uint8_t *image, size_t size)
{
    if (size >= 0x206 && le32(image + 0x202) == 0x53726448u) /* "HdrS" */
        return KERNEL_LINUX;
    for (size_t off = 0; off + 12 <= size && off < MULTIBOOT_SEARCH; off += 4) {
        uint32_t magic = le32(image + off), flags = le32(image + off + 4);
        if (magic == MULTIBOOT_MAGIC && (uint32_t)(magic + flags + le32(image + off + 8)) == 0)
            return KERNEL_MULTIBOOT;
    }
    return KERNEL_UNKNOWN;
}

uint32_t kernelboot_ram_top(const struct machine *m)
{
    uint32_t ram = m->bus.ram_size;
    return ram > (2u << 20) ? ram - (1u << 20) : ram;
}

/* An option ROM (the "Plug and Play BIOS Specification" 1.0A, appendix A
 * "Option ROM header"): 0x55 0xAA, the length in 512-byte blocks at 2,
 * the offset of the $PnP expansion header at 0x1A; the PnP header's
 * checksum byte (offset 9) makes its bytes (length at 5, in 16-byte units)
 * sum to 0, and the last byte of the image makes the whole ROM sum to 0. */
bool kernelboot_add_rom(struct machine *m, const char *name, const uint8_t *rom, size_t size,
                        char *err, size_t errlen)
{
    size_t len = (size + 1 + 511) & ~(size_t)511;   /* room for the checksum byte */
    if (!rom || size < 0x20 || rom[0] != 0x55 || rom[1] != 0xAA || len > 0x10000) {
        snprintf(err, errlen, "internal error: option ROM %s is not a ROM image", name);
        return false;
    }
    uint8_t *buf = calloc(1, len);
    if (!buf) {
        snprintf(err, errlen, "out of memory for the option ROM");
        return false;
    }
    memcpy(buf, rom, size);
    buf[2] = (uint8_t)(len / 512);
    unsigned pnp = le16(buf + 0x1A);
    if (pnp && pnp + 32 <= len && memcmp(buf + pnp, "$PnP", 4) == 0) {
        unsigned plen = buf[pnp + 5] * 16u;
        uint8_t sum = 0;
        buf[pnp + 9] = 0;
        for (unsigned k = 0; k < plen && pnp + k < len; k++)
            sum = (uint8_t)(sum + buf[pnp + k]);
        buf[pnp + 9] = (uint8_t)-sum;
    }
    uint8_t sum = 0;
    for (size_t k = 0; k + 1 < len; k++)
        sum = (uint8_t)(sum + buf[k]);
    buf[len - 1] = (uint8_t)-sum;

    char file[64], order[80];
    snprintf(file, sizeof file, "genroms/%s", name);
    /* SeaBIOS boots the entries the "bootorder" file names first, in its
     * order; a genroms ROM's BEV is "/rom@genroms/NAME". */
    snprintf(order, sizeof order, "/rom@%s\n", file);
    bool ok = fw_cfg_add_file(&m->fw_cfg, file, buf, (uint32_t)len) &&
              fw_cfg_add_file(&m->fw_cfg, "bootorder", order, (uint32_t)strlen(order));
    free(buf);
    if (!ok)
        snprintf(err, errlen, "out of memory for the fw_cfg items");
    return ok;
}

bool machine_boot_kernel(struct machine *m, const struct kernel_boot *kb, char *err,
                         size_t errlen)
{
    switch (kernel_kind(kb->image, kb->size)) {
    case KERNEL_LINUX:
        return kernelboot_linux(m, kb, err, errlen);
    case KERNEL_MULTIBOOT:
        return kernelboot_multiboot(m, kb, err, errlen);
    case KERNEL_UNKNOWN:
        break;
    }
    snprintf(err, errlen, "%s: not a Linux kernel (no \"HdrS\" boot header at 0x202) "
             "nor a Multiboot kernel (no header in the first 8 KiB)", kb->name);
    return false;
}

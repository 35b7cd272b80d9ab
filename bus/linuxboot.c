/* The Linux/x86 boot protocol 2.02 and later (the kernel's
 * Documentation/x86/boot.rst): the bzImage is a real-mode setup part of
 * (setup_sects + 1) sectors followed by the protected-mode kernel.  The
 * layout is boot.rst's "modern bzImage" memory map:
 *
 *   0x10000  X        the setup part (X + 0x8000 at most), then its stack
 *                     and heap up to X + 0xE000 (heap_end_ptr = 0xDE00)
 *   0x20000  X+0x10000 the command line (cmdline_size + 1 bytes at most)
 *   0x100000          the protected-mode kernel (LOADED_HIGH)
 *   top               the initrd: below initrd_addr_max and the RAM the
 *                     firmware leaves us, page-aligned
 *
 * roms/linuxboot.asm copies them there and fills the header fields the
 * loader owns (type_of_loader, loadflags CAN_USE_HEAP, heap_end_ptr,
 * cmd_line_ptr, ramdisk_image, ramdisk_size) from the fw_cfg items.
 */
#include <stdio.h>
#include <string.h>

#include "kernelboot.h"
#include "machine.h"

#define SETUP_ADDR 0x10000u
#define CMDLINE_ADDR 0x20000u
#define KERNEL_ADDR 0x100000u
#define SETUP_MAX 0x8000u         /* boot.rst: the setup code fits in 32 KiB */
#define LOADED_HIGH 0x01u

bool kernelboot_linux(struct machine *m, const struct kernel_boot *kb, char *err, size_t errlen)
{
    const uint8_t *h = kb->image;
    size_t n = kb->size;
    if (n < 0x400) {   /* the header's fields read below end before 0x270 */
        snprintf(err, errlen, "%s: %zu bytes: too short for a Linux kernel", kb->name, n);
        return false;
    }
    uint16_t version = le16(h + 0x206);
    if (version < 0x0202) {
        snprintf(err, errlen, "%s: Linux boot protocol %u.%02u is too old "
                 "(pcvm needs 2.02 or later: a kernel from 2.4 on)", kb->name,
                 version >> 8, version & 0xFF);
        return false;
    }
    if (!(h[0x211] & LOADED_HIGH)) {
        snprintf(err, errlen, "%s: a zImage (loaded low); pcvm boots bzImage kernels only",
                 kb->name);
        return false;
    }
    unsigned sects = h[0x1F1] ? h[0x1F1] : 4;       /* 0 means 4 */
    uint32_t setup_size = (sects + 1) * 512u;
    if (setup_size > SETUP_MAX || setup_size >= n) {
        snprintf(err, errlen, "%s: setup_sects %u does not fit the file (%zu bytes) "
                 "or boot.rst's 32 KiB", kb->name, sects, n);
        return false;
    }
    uint32_t kernel_size = (uint32_t)(n - setup_size);
    /* initrd_addr_max: 2.03 and later; before, 0x37FFFFFF (boot.rst). */
    uint32_t initrd_max = version >= 0x0203 ? le32(h + 0x22C) : 0x37FFFFFFu;
    /* cmdline_size: 2.06 and later; before, 255 characters. */
    uint32_t cmdline_max = version >= 0x0206 ? le32(h + 0x238) : 255u;
    /* init_size (2.10 and later): the memory the kernel needs at its load
     * address to decompress itself; before, the image size has to do. */
    uint32_t need = kernel_size;
    if (version >= 0x020A && le32(h + 0x260) > need)
        need = le32(h + 0x260);

    uint32_t top = kernelboot_ram_top(m);
    if ((uint64_t)KERNEL_ADDR + need > top) {
        snprintf(err, errlen, "%s: the kernel needs %u KiB from 1 MiB on, more than the "
                 "%u MiB of RAM give (try a larger -m)", kb->name, need >> 10,
                 (unsigned)(m->bus.ram_size >> 20));
        return false;
    }

    const char *cmdline = kb->cmdline ? kb->cmdline : "";
    size_t cmdlen = strlen(cmdline);
    if (cmdlen > cmdline_max || cmdlen > 0xFFFF) {
        snprintf(err, errlen, "-append: %zu characters; this kernel takes at most %u",
                 cmdlen, cmdline_max);
        return false;
    }

    uint32_t initrd_addr = 0, initrd_size = 0;
    if (kb->ninitrd > 1) {
        snprintf(err, errlen, "-initrd: a Linux kernel takes one initrd file, not %u "
                 "(several are for Multiboot kernels)", kb->ninitrd);
        return false;
    }
    if (kb->ninitrd == 1) {
        uint64_t limit = (uint64_t)initrd_max + 1;
        if (limit > top)
            limit = top;
        uint64_t size = kb->initrd[0].size;
        uint64_t lowest = KERNEL_ADDR + (uint64_t)need;
        if (size > limit || ((limit - size) & ~(uint64_t)0xFFF) < lowest) {
            snprintf(err, errlen, "-initrd: %llu KiB do not fit in RAM between the kernel "
                     "(up to 0x%llx) and 0x%llx (RAM %u MiB, initrd_addr_max 0x%x): try a "
                     "larger -m", (unsigned long long)(size >> 10),
                     (unsigned long long)lowest, (unsigned long long)limit,
                     (unsigned)(m->bus.ram_size >> 20), initrd_max);
            return false;
        }
        initrd_addr = (uint32_t)((limit - size) & ~(uint64_t)0xFFF);
        initrd_size = (uint32_t)size;
    }

    struct fw_cfg *f = &m->fw_cfg;
    bool ok = fw_cfg_add_i32(f, FW_CFG_SETUP_ADDR, SETUP_ADDR) &&
              fw_cfg_add_i32(f, FW_CFG_SETUP_SIZE, setup_size) &&
              fw_cfg_add_bytes(f, FW_CFG_SETUP_DATA, h, setup_size) &&
              fw_cfg_add_i32(f, FW_CFG_KERNEL_ADDR, KERNEL_ADDR) &&
              fw_cfg_add_i32(f, FW_CFG_KERNEL_SIZE, kernel_size) &&
              fw_cfg_add_bytes(f, FW_CFG_KERNEL_DATA, h + setup_size, kernel_size) &&
              fw_cfg_add_i32(f, FW_CFG_INITRD_ADDR, initrd_addr) &&
              fw_cfg_add_i32(f, FW_CFG_INITRD_SIZE, initrd_size) &&
              fw_cfg_add_bytes(f, FW_CFG_INITRD_DATA, initrd_size ? kb->initrd[0].data : NULL,
                               initrd_size) &&
              fw_cfg_add_i32(f, FW_CFG_CMDLINE_ADDR, CMDLINE_ADDR) &&
              fw_cfg_add_i32(f, FW_CFG_CMDLINE_SIZE, (uint32_t)cmdlen + 1) &&
              fw_cfg_add_bytes(f, FW_CFG_CMDLINE_DATA, cmdline, (uint32_t)cmdlen + 1) &&
              fw_cfg_add_bytes(f, FW_CFG_KERNEL_CMDLINE, cmdline, (uint32_t)cmdlen + 1);
    if (!ok) {
        snprintf(err, errlen, "out of memory for the kernel's fw_cfg items");
        return false;
    }
    return kernelboot_add_rom(m, "linuxboot.bin", kb->linuxboot_rom, kb->linuxboot_rom_size,
                              err, errlen);
}

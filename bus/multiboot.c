/* Multiboot 1 (the Multiboot Specification version 0.6.96): an ELF32
 * kernel, or any image whose header has the "a.out kludge" flag (bit 16)
 * and gives its load addresses, with the header in its first 8 KiB.
 *
 * The pieces, as fw_cfg items for roms/multiboot.asm:
 *   KERNEL_ADDR/SIZE/DATA   the kernel from its lowest to its highest load
 *                           address, BSS included (zeros)
 *   INITRD_ADDR/SIZE/DATA   the modules, each on a page boundary, from the
 *                           first page after the kernel
 *   SETUP_ADDR/SIZE/DATA    the Multiboot information at MBI_ADDR: the info
 *                           structure, the module list, the strings and
 *                           room for the memory map
 *   KERNEL_ENTRY            the entry point (physical)
 * The ROM fills mem_lower (INT 12h), the memory map and mem_upper from
 * the firmware's INT 15h E820 (so the kernel sees the map the firmware
 * reserves its own areas in), then enters 32-bit protected mode with flat
 * segments, paging off, IF=0, A20 on, EAX=0x2BADB002 and EBX=MBI_ADDR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernelboot.h"
#include "machine.h"

#define MULTIBOOT_MAGIC 0x1BADB002u
#define MBI_ADDR 0x10000u          /* free conventional memory after POST */
#define MBI_MAX 0x10000u           /* up to 0x1FFFF */
#define MBI_SIZE 0x60u             /* the info structure (88 bytes), rounded */
#define MMAP_ENTRIES 64u           /* room the ROM may fill: 24 bytes each */
#define LOW_LIMIT 0x100000u        /* kernels load from 1 MiB on */

/* Info structure flags (spec 3.3). */
#define MBI_MEM (1u << 0)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)
#define MBI_LOADER_NAME (1u << 9)

struct mb_seg {
    uint32_t file_off, addr, filesz, memsz;
};

#define MAX_SEGS 16

struct mb_image {
    struct mb_seg seg[MAX_SEGS];
    unsigned nseg;
    uint32_t entry;
};

/* The ELF32 program headers (the System V ABI's "Program Header"): every
 * PT_LOAD segment at its physical address; the entry point translated
 * from virtual to physical through the segment that holds it (a kernel
 * linked high but loaded low). */
static bool parse_elf(const uint8_t *p, size_t n, struct mb_image *im, const char *name,
                      char *err, size_t errlen)
{
    if (p[4] != 1 || p[5] != 1 || le16(p + 18) != 3) {
        snprintf(err, errlen, "%s: a Multiboot ELF kernel must be ELF32, little-endian, "
                 "for the i386 (class %u, data %u, machine %u)", name, p[4], p[5], le16(p + 18));
        return false;
    }
    uint32_t phoff = le32(p + 28), entry = le32(p + 24);
    unsigned phentsize = le16(p + 42), phnum = le16(p + 44);
    if (phentsize < 32 || (uint64_t)phoff + (uint64_t)phentsize * phnum > n) {
        snprintf(err, errlen, "%s: ELF program headers lie outside the file", name);
        return false;
    }
    bool entry_found = false;
    im->entry = entry;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = p + phoff + (size_t)i * phentsize;
        if (le32(ph) != 1 || le32(ph + 20) == 0) /* PT_LOAD with memory */
            continue;
        if (im->nseg == MAX_SEGS) {
            snprintf(err, errlen, "%s: more than %u ELF load segments", name, MAX_SEGS);
            return false;
        }
        struct mb_seg *s = &im->seg[im->nseg++];
        s->file_off = le32(ph + 4);
        uint32_t vaddr = le32(ph + 8);
        s->addr = le32(ph + 12);
        s->filesz = le32(ph + 16);
        s->memsz = le32(ph + 20);
        if (s->filesz > s->memsz || (uint64_t)s->file_off + s->filesz > n) {
            snprintf(err, errlen, "%s: ELF segment %u lies outside the file", name, i);
            return false;
        }
        if (!entry_found && entry - vaddr < s->memsz) {
            im->entry = s->addr + (entry - vaddr);
            entry_found = true;
        }
    }
    if (im->nseg == 0) {
        snprintf(err, errlen, "%s: no ELF segment to load", name);
        return false;
    }
    return true;
}

/* The a.out kludge (spec 3.1.3): header_addr, load_addr, load_end_addr,
 * bss_end_addr, entry_addr at header offsets 12-28. */
static bool parse_aout(const uint8_t *p, size_t n, size_t hoff, struct mb_image *im,
                       const char *name, char *err, size_t errlen)
{
    const uint8_t *h = p + hoff;
    if (hoff + 32 > n) {
        snprintf(err, errlen, "%s: the Multiboot header's address fields run past the file",
                 name);
        return false;
    }
    uint32_t header_addr = le32(h + 12), load_addr = le32(h + 16);
    uint32_t load_end = le32(h + 20), bss_end = le32(h + 24);
    if (header_addr < load_addr || header_addr - load_addr > hoff) {
        snprintf(err, errlen, "%s: Multiboot header_addr 0x%x and load_addr 0x%x do not "
                 "match the header's place in the file", name, header_addr, load_addr);
        return false;
    }
    uint32_t off = (uint32_t)hoff - (header_addr - load_addr);
    uint32_t filesz = load_end ? load_end - load_addr : (uint32_t)(n - off);
    if (load_end && (load_end < load_addr || (uint64_t)off + filesz > n)) {
        snprintf(err, errlen, "%s: Multiboot load_end_addr 0x%x lies outside the file",
                 name, load_end);
        return false;
    }
    uint32_t memsz = filesz;
    if (bss_end) {
        if (bss_end < load_addr + filesz) {
            snprintf(err, errlen, "%s: Multiboot bss_end_addr 0x%x is below the loaded data",
                     name, bss_end);
            return false;
        }
        memsz = bss_end - load_addr;
    }
    im->seg[0] = (struct mb_seg){ off, load_addr, filesz, memsz };
    im->nseg = 1;
    im->entry = le32(h + 28);
    return true;
}

static uint32_t align_page(uint64_t v)
{
    return (uint32_t)((v + 0xFFFu) & ~(uint64_t)0xFFFu);
}

bool kernelboot_multiboot(struct machine *m, const struct kernel_boot *kb, char *err,
                          size_t errlen)
{
    const uint8_t *p = kb->image;
    size_t n = kb->size, hoff = 0;
    for (;; hoff += 4) {
        if (hoff + 12 > n || hoff >= 8192) {
            snprintf(err, errlen, "%s: no Multiboot header in the first 8 KiB", kb->name);
            return false;
        }
        if (le32(p + hoff) == MULTIBOOT_MAGIC &&
            (uint32_t)(le32(p + hoff) + le32(p + hoff + 4) + le32(p + hoff + 8)) == 0)
            break;
    }
    uint32_t flags = le32(p + hoff + 4);
    /* Bits 0-15 are requirements the loader must meet or refuse (spec
     * 3.1.2): 0 page-aligned modules, 1 memory information, 2 a video
     * mode, which pcvm has no way to give. */
    if (flags & 0xFFFCu) {
        snprintf(err, errlen, "%s: the Multiboot header requires flags 0x%x that pcvm "
                 "cannot meet (it provides module alignment and memory information only)",
                 kb->name, flags & 0xFFFCu);
        return false;
    }
    struct mb_image im = { .nseg = 0 };
    bool ok;
    if (flags & (1u << 16))
        ok = parse_aout(p, n, hoff, &im, kb->name, err, errlen);
    else if (n >= 52 && p[0] == 0x7F && p[1] == 'E' && p[2] == 'L' && p[3] == 'F')
        ok = parse_elf(p, n, &im, kb->name, err, errlen);
    else {
        snprintf(err, errlen, "%s: a Multiboot kernel that is not ELF needs the a.out "
                 "kludge addresses (header flag 16)", kb->name);
        ok = false;
    }
    if (!ok)
        return false;

    uint64_t lo = UINT64_MAX, hi = 0;
    for (unsigned i = 0; i < im.nseg; i++) {
        if (im.seg[i].addr < lo)
            lo = im.seg[i].addr;
        if ((uint64_t)im.seg[i].addr + im.seg[i].memsz > hi)
            hi = (uint64_t)im.seg[i].addr + im.seg[i].memsz;
    }
    uint32_t top = kernelboot_ram_top(m);
    if (lo < LOW_LIMIT || hi > top) {
        snprintf(err, errlen, "%s: loads at 0x%llx-0x%llx; pcvm loads Multiboot kernels "
                 "between 1 MiB and 0x%x (RAM %u MiB: try a larger -m)", kb->name,
                 (unsigned long long)lo, (unsigned long long)hi, top,
                 (unsigned)(m->bus.ram_size >> 20));
        return false;
    }
    if (im.entry < lo || im.entry >= hi) {
        snprintf(err, errlen, "%s: entry point 0x%x lies outside the loaded kernel "
                 "(0x%llx-0x%llx)", kb->name, im.entry, (unsigned long long)lo,
                 (unsigned long long)hi);
        return false;
    }

    /* Modules, page-aligned after the kernel. */
    uint32_t mods_addr = align_page(hi);
    uint64_t mods_end = mods_addr;
    for (unsigned i = 0; i < kb->ninitrd; i++)
        mods_end = align_page(mods_end) + (uint64_t)kb->initrd[i].size;
    if (mods_end > top) {
        snprintf(err, errlen, "-initrd: the modules end at 0x%llx, above the usable RAM "
                 "(0x%x with %u MiB): try a larger -m", (unsigned long long)mods_end, top,
                 (unsigned)(m->bus.ram_size >> 20));
        return false;
    }

    /* The information area: struct, module list, strings, memory map. */
    const char *append = kb->cmdline ? kb->cmdline : "";
    size_t strings = strlen(kb->name) + 1 + strlen(append) + 1 + sizeof "pcvm";
    for (unsigned i = 0; i < kb->ninitrd; i++)
        strings += strlen(kb->initrd[i].cmdline) + 1;
    uint64_t mbi_len = MBI_SIZE + 16ull * kb->ninitrd + strings;
    mbi_len = (mbi_len + 7) & ~7ull;
    uint32_t mmap_off = (uint32_t)mbi_len;
    mbi_len += 24ull * MMAP_ENTRIES;
    if (mbi_len > MBI_MAX) {
        snprintf(err, errlen, "-append/-initrd: the command lines take more than the %u KiB "
                 "of the Multiboot information area", MBI_MAX >> 10);
        return false;
    }
    uint8_t *mbi = calloc(1, (size_t)mbi_len);
    uint32_t ksize = (uint32_t)(hi - lo), msize = (uint32_t)(mods_end - mods_addr);
    uint8_t *kern = calloc(1, ksize ? ksize : 1);
    uint8_t *mods = calloc(1, msize ? msize : 1);
    if (!mbi || !kern || !mods) {
        free(mbi);
        free(kern);
        free(mods);
        snprintf(err, errlen, "out of memory for the Multiboot kernel");
        return false;
    }
    for (unsigned i = 0; i < im.nseg; i++)
        memcpy(kern + (im.seg[i].addr - lo), p + im.seg[i].file_off, im.seg[i].filesz);

    uint32_t str = MBI_SIZE + 16u * kb->ninitrd;
    uint32_t modlist = MBI_SIZE;
    uint32_t addr = mods_addr;
    for (unsigned i = 0; i < kb->ninitrd; i++) {
        addr = align_page(addr);
        memcpy(mods + (addr - mods_addr), kb->initrd[i].data, kb->initrd[i].size);
        uint8_t *e = mbi + modlist + 16u * i;
        st32(e, addr);                                      /* mod_start */
        st32(e + 4, addr + (uint32_t)kb->initrd[i].size);   /* mod_end */
        st32(e + 8, MBI_ADDR + str);                        /* string */
        size_t l = strlen(kb->initrd[i].cmdline) + 1;
        memcpy(mbi + str, kb->initrd[i].cmdline, l);
        str += (uint32_t)l;
        addr += (uint32_t)kb->initrd[i].size;
    }
    /* The kernel's command line: its file name, then -append (GRUB's and
     * QEMU's convention). */
    st32(mbi + 16, MBI_ADDR + str);
    size_t l = strlen(kb->name);
    memcpy(mbi + str, kb->name, l);
    str += (uint32_t)l;
    if (*append) {
        mbi[str++] = ' ';
        l = strlen(append);
        memcpy(mbi + str, append, l);
        str += (uint32_t)l;
    }
    mbi[str++] = 0;
    st32(mbi + 64, MBI_ADDR + str);                         /* boot_loader_name */
    memcpy(mbi + str, "pcvm", 5);
    str += 5;

    /* mem_lower/mem_upper: what the RAM size says; the ROM replaces them
     * with the firmware's view (INT 12h, E820) when it has one. */
    uint32_t ram = m->bus.ram_size;
    st32(mbi + 4, 640);
    st32(mbi + 8, ram > LOW_LIMIT ? (ram - LOW_LIMIT) >> 10 : 0);
    st32(mbi + 20, kb->ninitrd);                            /* mods_count */
    st32(mbi + 24, kb->ninitrd ? MBI_ADDR + modlist : 0);   /* mods_addr */
    st32(mbi + 44, 0);                                      /* mmap_length: the ROM */
    st32(mbi + 48, MBI_ADDR + mmap_off);                    /* mmap_addr */
    st32(mbi, MBI_MEM | MBI_CMDLINE | MBI_LOADER_NAME | MBI_MMAP |
              (kb->ninitrd ? MBI_MODS : 0));

    struct fw_cfg *f = &m->fw_cfg;
    ok = fw_cfg_add_i32(f, FW_CFG_KERNEL_ADDR, (uint32_t)lo) &&
         fw_cfg_add_i32(f, FW_CFG_KERNEL_SIZE, ksize) &&
         fw_cfg_add_bytes(f, FW_CFG_KERNEL_DATA, kern, ksize) &&
         fw_cfg_add_i32(f, FW_CFG_KERNEL_ENTRY, im.entry) &&
         fw_cfg_add_i32(f, FW_CFG_INITRD_ADDR, mods_addr) &&
         fw_cfg_add_i32(f, FW_CFG_INITRD_SIZE, msize) &&
         fw_cfg_add_bytes(f, FW_CFG_INITRD_DATA, mods, msize) &&
         fw_cfg_add_i32(f, FW_CFG_SETUP_ADDR, MBI_ADDR) &&
         fw_cfg_add_i32(f, FW_CFG_SETUP_SIZE, (uint32_t)mbi_len) &&
         fw_cfg_add_bytes(f, FW_CFG_SETUP_DATA, mbi, (uint32_t)mbi_len);
    free(mbi);
    free(kern);
    free(mods);
    if (!ok) {
        snprintf(err, errlen, "out of memory for the kernel's fw_cfg items");
        return false;
    }
    return kernelboot_add_rom(m, "multiboot.bin", kb->multiboot_rom, kb->multiboot_rom_size,
                              err, errlen);
}

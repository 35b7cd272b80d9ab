/* -kernel's loaders (bus/kernelboot.c, linuxboot.c, multiboot.c) without
 * running a guest: the fw_cfg items a fake bzImage and a fake Multiboot
 * kernel produce, the option ROM's size and checksums, the boot order. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bus/kernelboot.h"
#include "bus/machine.h"
#include "roms/roms.h"

static struct machine *mk(uint32_t ram_mib)
{
    struct machine_config cfg = { .bios = rom_test_halt, .bios_size = rom_test_halt_size,
                                  .ram_bytes = (uint64_t)ram_mib << 20 };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    return m;
}

static const struct fw_cfg_item *item(struct machine *m, uint16_t key)
{
    return &m->fw_cfg.item[key];
}

static uint32_t item32(struct machine *m, uint16_t key)
{
    cr_assert_eq(item(m, key)->len, 4, "item 0x%x", key);
    return le32(item(m, key)->data);
}

static const struct fw_cfg_item *file(struct machine *m, const char *name)
{
    for (unsigned i = 0; i < m->fw_cfg.nfiles; i++)
        if (strcmp(m->fw_cfg.names[i], name) == 0)
            return &m->fw_cfg.item[FW_CFG_FILE_FIRST + i];
    return NULL;
}

static void check_rom(struct machine *m, const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "genroms/%s", name);
    const struct fw_cfg_item *r = file(m, path);
    cr_assert_not_null(r, "%s registered", path);
    cr_assert_eq(r->len % 512, 0);
    cr_assert_eq(r->data[0], 0x55);
    cr_assert_eq(r->data[1], 0xAA);
    cr_assert_eq(r->data[2] * 512u, r->len, "length byte");
    uint8_t sum = 0;
    for (uint32_t k = 0; k < r->len; k++)
        sum = (uint8_t)(sum + r->data[k]);
    cr_assert_eq(sum, 0, "ROM checksum");
    unsigned pnp = le16(r->data + 0x1A);
    cr_assert_eq(memcmp(r->data + pnp, "$PnP", 4), 0);
    sum = 0;
    for (unsigned k = 0; k < r->data[pnp + 5] * 16u; k++)
        sum = (uint8_t)(sum + r->data[pnp + k]);
    cr_assert_eq(sum, 0, "PnP header checksum");
    cr_assert_neq(le16(r->data + pnp + 0x1A), 0, "a BEV");
    const struct fw_cfg_item *order = file(m, "bootorder");
    char want[80];
    snprintf(want, sizeof want, "/rom@%s\n", path);
    cr_assert_eq(order->len, strlen(want));
    cr_assert_eq(memcmp(order->data, want, order->len), 0, "booted first");
}

static struct kernel_boot kb_for(const uint8_t *img, size_t n)
{
    struct kernel_boot kb = {
        .image = img, .size = n, .name = "test",
        .linuxboot_rom = rom_linuxboot, .linuxboot_rom_size = rom_linuxboot_size,
        .multiboot_rom = rom_multiboot, .multiboot_rom_size = rom_multiboot_size,
    };
    return kb;
}

Test(kernelboot, bzimage_layout)
{
    static uint8_t img[0x10000];
    memset(img, 0x90, sizeof img);
    img[0x1F1] = 7;                         /* 8 sectors of setup */
    memcpy(img + 0x202, "HdrS", 4);
    st16(img + 0x206, 0x020F);
    img[0x211] = 0x01;                      /* LOADED_HIGH */
    st32(img + 0x22C, 0x37FFFFFF);
    st32(img + 0x238, 2047);
    st32(img + 0x260, 0x200000);            /* init_size */
    cr_assert_eq(kernel_kind(img, sizeof img), KERNEL_LINUX);
    struct machine *m = mk(32);
    static const uint8_t initrd[10000] = { 1, 2, 3 };
    struct kernel_module mod = { .data = initrd, .size = sizeof initrd, .cmdline = "x" };
    struct kernel_boot kb = kb_for(img, sizeof img);
    kb.cmdline = "console=ttyS0";
    kb.initrd = &mod;
    kb.ninitrd = 1;
    char err[256] = "";
    cr_assert(machine_boot_kernel(m, &kb, err, sizeof err), "%s", err);
    cr_assert_eq(item32(m, FW_CFG_SETUP_ADDR), 0x10000);
    cr_assert_eq(item32(m, FW_CFG_SETUP_SIZE), 8 * 512);
    cr_assert_eq(item32(m, FW_CFG_KERNEL_ADDR), 0x100000);
    cr_assert_eq(item32(m, FW_CFG_KERNEL_SIZE), sizeof img - 8 * 512);
    cr_assert_eq(memcmp(item(m, FW_CFG_KERNEL_DATA)->data, img + 8 * 512, 16), 0);
    uint32_t ia = item32(m, FW_CFG_INITRD_ADDR);
    cr_assert_eq(ia & 0xFFF, 0, "page-aligned");
    cr_assert_leq(ia + sizeof initrd, (32u << 20) - (1u << 20), "below the firmware's tables");
    cr_assert_gt(ia + sizeof initrd, (32u << 20) - (1u << 20) - 4096, "as high as it goes");
    cr_assert_eq(item32(m, FW_CFG_INITRD_SIZE), sizeof initrd);
    cr_assert_eq(item32(m, FW_CFG_CMDLINE_ADDR), 0x20000);
    cr_assert_eq(item32(m, FW_CFG_CMDLINE_SIZE), 14);
    cr_assert_str_eq((const char *)item(m, FW_CFG_CMDLINE_DATA)->data, "console=ttyS0");
    check_rom(m, "linuxboot.bin");
    machine_free(m);

    /* Refusals: an old protocol, a command line over cmdline_size. */
    m = mk(32);
    st16(img + 0x206, 0x0201);
    cr_assert_not(machine_boot_kernel(m, &kb, err, sizeof err));
    cr_assert(strstr(err, "too old"), "%s", err);
    st16(img + 0x206, 0x020F);
    st32(img + 0x238, 5);
    cr_assert_not(machine_boot_kernel(m, &kb, err, sizeof err));
    cr_assert(strstr(err, "at most 5"), "%s", err);
    machine_free(m);
}

Test(kernelboot, multiboot_aout_layout)
{
    static uint8_t img[0x3000];
    memset(img, 0xCC, sizeof img);
    uint8_t *h = img + 0x100;
    st32(h, 0x1BADB002);
    st32(h + 4, 0x00010003);
    st32(h + 8, (uint32_t)-(0x1BADB002u + 0x00010003u));
    st32(h + 12, 0x300100);                 /* header_addr */
    st32(h + 16, 0x300000);                 /* load_addr */
    st32(h + 20, 0x302000);                 /* load_end_addr: 8 KiB of the file */
    st32(h + 24, 0x305000);                 /* bss_end_addr */
    st32(h + 28, 0x300200);                 /* entry */
    cr_assert_eq(kernel_kind(img, sizeof img), KERNEL_MULTIBOOT);
    struct machine *m = mk(16);
    static const uint8_t d0[5] = "abcde", d1[3] = "xyz";
    struct kernel_module mods[2] = { { d0, 5, "m0 a" }, { d1, 3, "m1 b,c" } };
    struct kernel_boot kb = kb_for(img, sizeof img);
    kb.cmdline = "hello";
    kb.initrd = mods;
    kb.ninitrd = 2;
    char err[256] = "";
    cr_assert(machine_boot_kernel(m, &kb, err, sizeof err), "%s", err);
    cr_assert_eq(item32(m, FW_CFG_KERNEL_ADDR), 0x300000);
    cr_assert_eq(item32(m, FW_CFG_KERNEL_SIZE), 0x5000, "data and BSS");
    const uint8_t *k = item(m, FW_CFG_KERNEL_DATA)->data;
    cr_assert_eq(k[0x1FFF], 0xCC);
    cr_assert_eq(k[0x2000], 0, "BSS zeroed");
    cr_assert_eq(item32(m, FW_CFG_KERNEL_ENTRY), 0x300200);
    cr_assert_eq(item32(m, FW_CFG_INITRD_ADDR), 0x305000, "modules from the next page");
    cr_assert_eq(item32(m, FW_CFG_INITRD_SIZE), 0x1000 + 3);
    const uint8_t *mbi = item(m, FW_CFG_SETUP_DATA)->data;
    uint32_t base = item32(m, FW_CFG_SETUP_ADDR);
    cr_assert_eq(le32(mbi) & 0x24D, 0x24D, "mem, cmdline, mods, mmap, loader name");
    cr_assert_eq(le32(mbi + 20), 2, "mods_count");
    const uint8_t *ml = mbi + (le32(mbi + 24) - base);
    cr_assert_eq(le32(ml), 0x305000);
    cr_assert_eq(le32(ml + 4), 0x305005);
    cr_assert_eq(le32(ml + 16), 0x306000, "second module page-aligned");
    cr_assert_str_eq((const char *)mbi + (le32(ml + 24) - base), "m1 b,c");
    cr_assert_str_eq((const char *)mbi + (le32(mbi + 16) - base), "test hello");
    cr_assert_str_eq((const char *)mbi + (le32(mbi + 64) - base), "pcvm");
    check_rom(m, "multiboot.bin");
    machine_free(m);
}

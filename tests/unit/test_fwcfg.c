/* fw_cfg (devices/fw_cfg.c) as SeaBIOS reads it: signature and ID, RAM
 * size, CPU count, the file directory with etc/e820, bootorder and
 * etc/boot-fail-wait, reading past the end, and the DMA interface. */
#include <criterion/criterion.h>
#include <string.h>

#include "bus/machine.h"
#include "roms/roms.h"

static struct machine *mk(uint64_t ram)
{
    struct machine_config cfg = { .bios = rom_test_halt, .bios_size = rom_test_halt_size,
                                  .ram_bytes = ram, .boot_order = "dc" };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    return m;
}

static void sel(struct machine *m, uint16_t key) { bus_out(&m->bus, 0x510, key, 2); }

static void rd(struct machine *m, void *buf, size_t n)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)bus_in(&m->bus, 0x511, 1);
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

/* Looks a file up in the directory: its selector and size. */
static bool find(struct machine *m, const char *name, uint16_t *key, uint32_t *size)
{
    uint8_t cnt[4];
    sel(m, FW_CFG_FILE_DIR);
    rd(m, cnt, 4);
    for (uint32_t i = 0; i < be32(cnt); i++) {
        uint8_t e[64];
        rd(m, e, 64);
        if (strcmp((char *)e + 8, name) == 0) {
            *size = be32(e);
            *key = (uint16_t)(e[4] << 8 | e[5]);
            return true;
        }
    }
    return false;
}

Test(fwcfg, signature_id_and_numbers)
{
    struct machine *m = mk(48u << 20);
    char sig[5] = "";
    sel(m, FW_CFG_SIGNATURE);
    rd(m, sig, 4);
    cr_assert_str_eq(sig, "QEMU");
    uint8_t id[4];
    sel(m, FW_CFG_ID);
    rd(m, id, 4);
    cr_assert_eq(id[0], 3, "traditional and DMA interfaces");
    uint8_t ram[8];
    sel(m, FW_CFG_RAM_SIZE);
    rd(m, ram, 8);
    cr_assert_eq(le32(ram), 48u << 20);
    cr_assert_eq(le32(ram + 4), 0);
    uint8_t n[2];
    sel(m, FW_CFG_NB_CPUS);
    rd(m, n, 2);
    cr_assert_eq(n[0] | n[1] << 8, 1);
    sel(m, FW_CFG_BOOT_DEVICE);
    rd(m, n, 2);
    cr_assert_eq(n[0], 'd');
    sel(m, FW_CFG_SIGNATURE);
    rd(m, sig, 4);
    uint8_t past;
    rd(m, &past, 1);
    cr_assert_eq(past, 0, "reads past the end give 0");
    sel(m, 0x1234);
    rd(m, &past, 1);
    cr_assert_eq(past, 0, "unknown selector");
    machine_free(m);
}

Test(fwcfg, files)
{
    struct machine *m = mk(64u << 20);
    uint16_t key;
    uint32_t size;
    cr_assert(find(m, "etc/e820", &key, &size));
    cr_assert_eq(size, 20);
    uint8_t e[20];
    sel(m, key);
    rd(m, e, 20);
    cr_assert_eq(le32(e), 0);
    cr_assert_eq(le32(e + 8), 64u << 20);
    cr_assert_eq(le32(e + 16), 1, "usable RAM");
    cr_assert(find(m, "bootorder", &key, &size));
    cr_assert_eq(size, 0);
    cr_assert(find(m, "etc/boot-fail-wait", &key, &size));
    cr_assert_eq(size, 4);
    uint8_t w[4];
    sel(m, key);
    rd(m, w, 4);
    cr_assert_eq(le32(w), 0xFFFFFFFFu);
    cr_assert(!find(m, "etc/nonexistent", &key, &size));
    cr_assert(fw_cfg_add_file(&m->fw_cfg, "etc/extra", "hello", 5));
    cr_assert(find(m, "etc/extra", &key, &size));
    cr_assert_eq(size, 5);
    machine_free(m);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* The guest writes the big-endian descriptor address with 32-bit OUTs of
 * the byte-swapped value, as SeaBIOS does (outl(cpu_to_be32(addr))). */
static void dma_go(struct machine *m, uint32_t desc)
{
    uint32_t swapped = (desc >> 24) | ((desc >> 8) & 0xFF00u) | ((desc << 8) & 0xFF0000u) | (desc << 24);
    bus_out(&m->bus, 0x514, 0, 4);
    bus_out(&m->bus, 0x518, swapped, 4);
}

Test(fwcfg, dma_interface)
{
    struct machine *m = mk(16u << 20);
    cr_assert_eq(bus_in(&m->bus, 0x514, 4), le32((const uint8_t *)"QEMU"));
    uint8_t d[16];
    put_be32(d, (uint32_t)FW_CFG_SIGNATURE << 16 | 0x08 | 0x02); /* select + read */
    put_be32(d + 4, 4);
    put_be32(d + 8, 0);
    put_be32(d + 12, 0x9000);
    machine_phys_write(m, 0x8000, d, 16);
    dma_go(m, 0x8000);
    uint8_t got[4];
    machine_phys_read(m, 0x9000, got, 4);
    cr_assert_eq(memcmp(got, "QEMU", 4), 0);
    machine_phys_read(m, 0x8000, d, 4);
    cr_assert_eq(be32(d), 0, "control 0: done, no error");
    /* skip then read continues at the offset */
    put_be32(d, (uint32_t)FW_CFG_FILE_DIR << 16 | 0x08 | 0x04);
    put_be32(d + 4, 4 + 8);
    put_be32(d + 8, 0);
    put_be32(d + 12, 0);
    machine_phys_write(m, 0x8000, d, 16);
    dma_go(m, 0x8000);
    put_be32(d, 0x02);
    put_be32(d + 4, 8);
    put_be32(d + 12, 0x9100);
    machine_phys_write(m, 0x8000, d, 16);
    dma_go(m, 0x8000);
    char name[9] = "";
    machine_phys_read(m, 0x9100, (uint8_t *)name, 8);
    cr_assert_str_eq(name, "etc/e820", "first directory entry's name");
    /* writes are refused */
    put_be32(d, 0x10);
    machine_phys_write(m, 0x8000, d, 16);
    dma_go(m, 0x8000);
    machine_phys_read(m, 0x8000, d, 4);
    cr_assert_eq(be32(d), 1, "error bit");
    machine_free(m);
}

/* SeaBIOS (Debian's /usr/share/seabios/bios.bin) boots a 1.44M floppy
 * from the 82077AA: the boot sector (roms/test/fdboot.asm) reads and
 * writes the disk through INT 13h and prints its verdict on COM1.
 * Skipped (and said so) where that firmware file is absent. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/machine.h"
#include "memdisk.h"
#include "roms/roms.h"

#define SEABIOS "/usr/share/seabios/bios.bin"
#define IMG_SIZE 1474560u

static uint8_t image[IMG_SIZE];
static char out[4096];
static size_t out_len;

static void com1(void *opaque, uint8_t byte)
{
    (void)opaque;
    if (out_len + 1 < sizeof out)
        out[out_len++] = (char)byte;
    out[out_len] = 0;
}

static uint8_t *load_bios(size_t *size)
{
    FILE *f = fopen(SEABIOS, "rb");
    if (!f)
        return NULL;
    static uint8_t buf[256 * 1024];
    *size = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return buf;
}

Test(fdc_boot, seabios_boots_a_floppy_and_int13_reads_and_writes, .timeout = 120)
{
    size_t bios_size = 0;
    uint8_t *bios = load_bios(&bios_size);
    if (!bios || !machine_bios_size_ok(bios_size))
        cr_skip_test("no SeaBIOS image at " SEABIOS);
    cr_assert_eq(rom_test_fdboot_size, 512);
    memcpy(image, rom_test_fdboot, 512);
    for (uint32_t i = 512; i < IMG_SIZE; i++)
        image[i] = (uint8_t)((i / 512) * 7 + i % 512);
    struct memdisk fd;
    struct machine_config cfg = {
        .bios = bios, .bios_size = bios_size, .boot_order = "a",
        .floppy = { memdisk_init(&fd, image, IMG_SIZE, false), NULL },
        .max_insns = 3000000000ull,
    };
    cfg.serial[0].present = true;
    cfg.serial[0].sink = com1;
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    enum machine_exit e = machine_run(m);
    cr_assert(strstr(out, "fdboot: PASS"), "exit %s after %llu instructions, COM1: %s",
              machine_exit_name(e), (unsigned long long)machine_icount(m), out);
    cr_assert_eq(e, MACHINE_EXIT_DEAD);
    uint32_t lba = (2 * 2 + 1) * 18 + 2;
    for (unsigned k = 0; k < 512; k++)
        cr_assert_eq(image[lba * 512 + k], (uint8_t)(k ^ 0x5A), "written sector, byte %u", k);
    for (unsigned k = 0; k < 18 * 512; k++)
        cr_assert_eq(image[108 * 512 + k], 0xF6, "formatted track, byte %u", k);
    cr_assert_eq(image[126 * 512], (uint8_t)(126 * 7), "the next track is left alone");
    cr_assert_geq(fd.writes, 19);
    machine_free(m);
}

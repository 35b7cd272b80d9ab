/* The PIIX4 power-management function (devices/piix4pm.c), alone with a
 * test clock and bus, and in a whole machine: configuration identity and
 * masks, the PM I/O space appearing at PMBA only while PMIOSE is set, the
 * 24-bit PM timer against virtual time, TMROF_STS and the SCI, the APMC
 * ACPI enable, and S5 soft off ending machine_run with
 * MACHINE_EXIT_POWEROFF. */
#include <criterion/criterion.h>
#include <string.h>

#include "bus/machine.h"
#include "devtest.h"
#include "devices/piix4pm.h"
#include "roms/roms.h"

struct rig {
    struct bus bus;
    struct clock clk;
    uint64_t now;
    struct irq_probe sci;
    struct piix4pm pm;
    unsigned poweroffs;
};

static void count_poweroff(void *opaque)
{
    ((struct rig *)opaque)->poweroffs++;
}

static struct rig *rig_new(void)
{
    struct rig *r = calloc(1, sizeof *r);
    cr_assert_not_null(r);
    cr_assert(bus_init(&r->bus, 1u << 20));
    clock_init(&r->clk, &r->now);
    piix4pm_init(&r->pm, &r->bus, &r->clk, irq_probe_line(&r->sci), count_poweroff, r);
    return r;
}

static void rig_free(struct rig *r)
{
    bus_free(&r->bus);
    free(r);
}

/* What SeaBIOS does: PMBA = 0xB000 | 1, PMREGMISC = 1. */
static void enable_io(struct rig *r, uint16_t base)
{
    struct pci_dev *d = &r->pm.dev;
    uint32_t v = base | 1u;
    for (unsigned k = 0; k < 4; k++) {
        unsigned o = 0x40 + k;
        d->cfg[o] = (uint8_t)((d->cfg[o] & ~d->wmask[o]) | ((v >> (8 * k)) & d->wmask[o]));
    }
    d->after_write(d, 0x40, 4);
    d->cfg[0x80] = 1;
    d->after_write(d, 0x80, 1);
}

Test(piix4pm, identity_and_masks)
{
    struct rig *r = rig_new();
    const uint8_t *c = r->pm.dev.cfg;
    cr_assert_eq(le16(c), 0x8086);
    cr_assert_eq(le16(c + 2), 0x7113, "82371AB function 3");
    cr_assert_eq(c[0x0B], 0x06, "bridge class");
    cr_assert_eq(c[0x40] & 1, 1, "PMBA: I/O space indicator");
    cr_assert_eq(c[0x5B] & 2, 2, "DEVACTB APMC_EN");
    cr_assert_eq(r->pm.dev.wmask[0x40], 0xC0, "PMBA: 64-byte aligned");
    rig_free(r);
}

Test(piix4pm, io_space_follows_pmba_and_pmiose)
{
    struct rig *r = rig_new();
    cr_assert_eq(bus_in(&r->bus, 0xB008, 4), 0xFFFFFFFFu, "nothing before PMBA is set");
    r->now = 123456789;
    enable_io(r, 0xB000);
    uint32_t t = bus_in(&r->bus, 0xB008, 4);
    cr_assert_eq(t, (uint32_t)(clock_scale(r->now, 3579545, 100000000) & 0xFFFFFF));
    cr_assert_eq(bus_in(&r->bus, 0xB004, 2), 0, "PM1_CNT after reset");
    /* Moving the block: the old ports go away. */
    enable_io(r, 0x6000);
    cr_assert_eq(bus_in(&r->bus, 0xB004, 2), 0xFFFF);
    cr_assert_eq(bus_in(&r->bus, 0x6008, 4), t, "the same timer at the new base");
    /* PMIOSE off: no ports. */
    r->pm.dev.cfg[0x80] = 0;
    r->pm.dev.after_write(&r->pm.dev, 0x80, 1);
    cr_assert_eq(bus_in(&r->bus, 0x6004, 2), 0xFFFF);
    rig_free(r);
}

Test(piix4pm, timer_counts_at_3_579545_mhz_and_wraps_at_24_bits)
{
    struct rig *r = rig_new();
    enable_io(r, 0xB000);
    uint32_t a = bus_in(&r->bus, 0xB008, 4);
    clock_advance_to(&r->clk, &r->now, 100000000);  /* one virtual second */
    uint32_t b = bus_in(&r->bus, 0xB008, 4);
    cr_assert_eq((b - a) & 0xFFFFFF, 3579545u);
    cr_assert_eq(b >> 24, 0, "24 bits");
    clock_advance_to(&r->clk, &r->now, 500000000);  /* 5 s: past 2^24 ticks */
    cr_assert_eq(bus_in(&r->bus, 0xB008, 4), (uint32_t)((5ull * 3579545u) & 0xFFFFFF));
    rig_free(r);
}

Test(piix4pm, overflow_status_raises_sci_when_enabled)
{
    struct rig *r = rig_new();
    enable_io(r, 0xB000);
    bus_out(&r->bus, 0xB002, PM1_TMROF, 2);          /* TMROF_EN */
    bus_out(&r->bus, 0xB004, PM1_SCI_EN, 2);
    cr_assert_eq(r->sci.level, 0);
    /* Bit 23 changes after 2^23 ticks = 2.3435 s. */
    uint64_t when = clock_unscale(1u << 23, 3579545, 100000000);
    clock_advance_to(&r->clk, &r->now, when - 1);
    cr_assert_eq(r->sci.level, 0, "not yet");
    clock_advance_to(&r->clk, &r->now, when);
    cr_assert_eq(r->sci.level, 1, "TMROF with TMROF_EN and SCI_EN");
    cr_assert_eq(bus_in(&r->bus, 0xB000, 2) & PM1_TMROF, PM1_TMROF);
    bus_out(&r->bus, 0xB000, PM1_TMROF, 2);          /* write 1 to clear */
    cr_assert_eq(bus_in(&r->bus, 0xB000, 2) & PM1_TMROF, 0);
    cr_assert_eq(r->sci.level, 0);
    rig_free(r);
}

Test(piix4pm, apmc_enables_acpi_and_s5_powers_off)
{
    struct rig *r = rig_new();
    enable_io(r, 0xB000);
    bus_out(&r->bus, 0xB2, 0xF1, 1);                 /* SeaBIOS's ACPI_ENABLE */
    cr_assert_eq(bus_in(&r->bus, 0xB004, 2) & PM1_SCI_EN, PM1_SCI_EN);
    bus_out(&r->bus, 0xB2, 0xF0, 1);
    cr_assert_eq(bus_in(&r->bus, 0xB004, 2) & PM1_SCI_EN, 0);
    bus_out(&r->bus, 0xB004, (1u << 10) | PM1_SUS_EN, 2);   /* S3 (type 1): ignored */
    cr_assert_eq(r->poweroffs, 0);
    cr_assert_eq(r->pm.sleeps_ignored, 1);
    cr_assert_eq(bus_in(&r->bus, 0xB004, 2) & PM1_SUS_EN, 0, "SUS_EN reads 0");
    bus_out(&r->bus, 0xB004, 0x0000, 2);             /* type 0 without SUS_EN */
    cr_assert_eq(r->poweroffs, 0);
    bus_out(&r->bus, 0xB005, PM1_SUS_EN >> 8, 1);    /* type 0 + SUS_EN, byte write */
    cr_assert_eq(r->poweroffs, 1);
    rig_free(r);
}

/* The GPE0 block SeaBIOS's FADT names at 0xAFE0: no status ever set (not
 * the all-ones of an undecoded port, which makes the OS run every _Exx
 * method), enables read back, the SCI stays low. */
Test(piix4pm, gpe0_block_at_afe0)
{
    struct rig *r = rig_new();
    enable_io(r, 0xB000);
    bus_out(&r->bus, 0xB004, PM1_SCI_EN, 2);
    cr_assert_eq(bus_in(&r->bus, 0xAFE0, 2), 0, "GPE0_STS");
    cr_assert_eq(bus_in(&r->bus, 0xAFE2, 2), 0, "GPE0_EN after reset");
    bus_out(&r->bus, 0xAFE0, 0xFFFFFFFFu, 4);        /* clear all, enable all */
    cr_assert_eq(bus_in(&r->bus, 0xAFE0, 4), 0xFFFF0000u);
    bus_out(&r->bus, 0xAFE3, 0x12, 1);
    cr_assert_eq(bus_in(&r->bus, 0xAFE2, 2), 0x12FF);
    cr_assert_eq(r->sci.level, 0);
    cr_assert_eq(bus_in(&r->bus, 0xAFE4, 1), 0xFF, "4 bytes only");
    piix4pm_reset(&r->pm);
    cr_assert_eq(bus_in(&r->bus, 0xAFE2, 2), 0, "reset clears GPE0_EN");
    rig_free(r);
}

/* In a machine: a guest program that writes SLP_EN with type 0 ends
 * machine_run with MACHINE_EXIT_POWEROFF. */
Test(piix4pm, machine_exit_poweroff)
{
    /* PMBA through PCI configuration (00:01.3), then S5. */
    static const uint8_t prog[] = {
        0x66, 0xB8, 0x40, 0x0B, 0x00, 0x80, /* mov eax, 0x80000B40 */
        0xBA, 0xF8, 0x0C,                   /* mov dx, 0xCF8 */
        0x66, 0xEF,                         /* out dx, eax */
        0x66, 0xB8, 0x01, 0xB0, 0x00, 0x00, /* mov eax, 0xB001 */
        0xB2, 0xFC,                         /* mov dl, 0xFC */
        0x66, 0xEF,                         /* out dx, eax */
        0x66, 0xB8, 0x80, 0x0B, 0x00, 0x80, /* mov eax, 0x80000B80 */
        0xB2, 0xF8,                         /* mov dl, 0xF8 */
        0x66, 0xEF,                         /* out dx, eax */
        0xB0, 0x01,                         /* mov al, 1 */
        0xB2, 0xFC,                         /* mov dl, 0xFC */
        0xEE,                               /* out dx, al */
        0xBA, 0x04, 0xB0,                   /* mov dx, 0xB004 */
        0xB8, 0x00, 0x20,                   /* mov ax, 0x2000 (SLP_TYP 0, SLP_EN) */
        0xEF,                               /* out dx, ax */
        0xEB, 0xFE,                         /* jmp $ */
    };
    static uint8_t rom[65536];
    memset(rom, 0xF4, sizeof rom);
    memcpy(rom, prog, sizeof prog);
    /* reset vector: jmp far F000:0000 */
    static const uint8_t reset[] = { 0xEA, 0x00, 0x00, 0x00, 0xF0 };
    memcpy(rom + 0xFFF0, reset, sizeof reset);
    struct machine_config cfg = { .bios = rom, .bios_size = sizeof rom, .max_insns = 1000000 };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(m->pm.dev.cfg[0x67], 0x08, "COM1 decode enabled, no COM2 (DSDT CAEN/CBEN)");
    cr_assert_eq(machine_run(m), MACHINE_EXIT_POWEROFF, "exit: %s", machine_exit_name(m->exit));
    cr_assert_lt(machine_icount(m), 100, "stops right after the write");
    machine_free(m);
}

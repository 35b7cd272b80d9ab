/* PCI configuration mechanism #1, the i440FX and PIIX3 (devices/pci.c,
 * i440fx.c, piix3.c) in a whole machine: identity reads in every access
 * size, master abort, write masks, PAM shadow RAM over the BIOS (with the
 * decoded-block cache noticing), PIRQ routing to the 8259, and the reset
 * control register at 0xCF9. */
#include <criterion/criterion.h>
#include <string.h>

#include "bus/machine.h"
#include "roms/roms.h"

static struct machine *mk(void)
{
    struct machine_config cfg = { .bios = rom_test_halt, .bios_size = rom_test_halt_size };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    return m;
}

static uint32_t cfg_rd(struct machine *m, unsigned dev, unsigned fn, unsigned off, unsigned size)
{
    bus_out(&m->bus, 0xCF8, 0x80000000u | (dev << 11) | (fn << 8) | (off & 0xFC), 4);
    return bus_in(&m->bus, (uint16_t)(0xCFC + (off & 3)), size);
}

static void cfg_wr(struct machine *m, unsigned dev, unsigned fn, unsigned off, uint32_t v, unsigned size)
{
    bus_out(&m->bus, 0xCF8, 0x80000000u | (dev << 11) | (fn << 8) | (off & 0xFC), 4);
    bus_out(&m->bus, (uint16_t)(0xCFC + (off & 3)), v, size);
}

Test(pci, bridges_identity)
{
    struct machine *m = mk();
    cr_assert_eq(cfg_rd(m, 0, 0, 0, 4), 0x12378086u, "i440FX");
    cr_assert_eq(cfg_rd(m, 0, 0, 0x08, 4) >> 8, 0x060000u, "host bridge class");
    cr_assert_eq(cfg_rd(m, 0, 0, 0x0E, 1), 0x00);
    cr_assert_eq(cfg_rd(m, 1, 0, 0, 4), 0x70008086u, "PIIX3");
    cr_assert_eq(cfg_rd(m, 1, 0, 0x0A, 2), 0x0601, "ISA bridge class");
    cr_assert_eq(cfg_rd(m, 1, 0, 0x0E, 1), 0x80, "multi-function");
    cr_assert_eq(cfg_rd(m, 1, 0, 0x02, 2), 0x7000, "word read at offset 2");
    cr_assert_eq(cfg_rd(m, 0, 0, 0x03, 1), 0x12, "byte read at offset 3");
    cr_assert_eq(cfg_rd(m, 1, 0, 0x60, 4), 0x80808080u, "PIRQ routing disabled");
    cr_assert_eq(cfg_rd(m, 5, 0, 0, 4), 0xFFFFFFFFu, "no device: master abort");
    cr_assert_eq(cfg_rd(m, 0, 3, 0, 2), 0xFFFF);
    bus_out(&m->bus, 0xCF8, 0x00000000u, 4);
    cr_assert_eq(bus_in(&m->bus, 0xCFC, 4), 0xFFFFFFFFu, "enable bit clear");
    bus_out(&m->bus, 0xCF8, 0x80010000u, 4);
    cr_assert_eq(bus_in(&m->bus, 0xCFC, 4), 0xFFFFFFFFu, "bus 1: nothing");
    bus_out(&m->bus, 0xCF8, 0x8000005Bu, 4);
    cr_assert_eq(bus_in(&m->bus, 0xCF8, 4), 0x80000058u, "bits 1-0 read as 0");
    machine_free(m);
}

Test(pci, write_masks)
{
    struct machine *m = mk();
    cfg_wr(m, 0, 0, 0x00, 0xFFFFFFFFu, 4);
    cr_assert_eq(cfg_rd(m, 0, 0, 0, 4), 0x12378086u, "IDs are read-only");
    cfg_wr(m, 0, 0, 0x72, 0xFF, 1);
    cr_assert_eq(cfg_rd(m, 0, 0, 0x72, 1), 0x7A, "SMRAM: C_BASE_SEG fixed at 010");
    cfg_wr(m, 0, 0, 0x59, 0xFF, 1);
    cr_assert_eq(cfg_rd(m, 0, 0, 0x59, 1), 0x30, "PAM0 low nibble reserved");
    cfg_wr(m, 1, 0, 0x60, 0xFF, 1);
    cr_assert_eq(cfg_rd(m, 1, 0, 0x60, 1), 0x8F);
    machine_free(m);
}

Test(pci, pam_shadows_the_bios)
{
    struct machine *m = mk();
    uint32_t a = 0xFFF00; /* inside the BIOS image */
    uint8_t rom = rom_test_halt[0xFF00];
    cr_assert_eq(bus_read(&m->bus, a, 1), rom, "power-on: reads go to the ROM");
    bus_write(&m->bus, a, (uint8_t)~rom, 1);
    cr_assert_eq(bus_read(&m->bus, a, 1), rom, "and writes are dropped");
    uint32_t gen = m->bus.map_generation;
    cfg_wr(m, 0, 0, 0x59, 0x20, 1); /* WE only: write DRAM, read ROM */
    cr_assert_neq(m->bus.map_generation, gen, "the map changed");
    for (uint32_t k = 0; k < 0x10000; k++) /* copy the BIOS into shadow RAM */
        bus_write(&m->bus, 0xF0000 + k, bus_read(&m->bus, 0xF0000 + k, 1), 1);
    bus_write(&m->bus, a, 0x77, 1);
    cr_assert_eq(bus_read(&m->bus, a, 1), rom, "WE only: reads still from ROM");
    cfg_wr(m, 0, 0, 0x59, 0x10, 1); /* RE only */
    cr_assert_eq(bus_read(&m->bus, a, 1), 0x77, "now reads come from DRAM");
    cr_assert_eq(bus_read(&m->bus, 0xFFFF0, 1), rom_test_halt[0xFFF0], "the copy");
    bus_write(&m->bus, a, 0x66, 1);
    cr_assert_eq(bus_read(&m->bus, a, 1), 0x77, "read-only DRAM");
    cfg_wr(m, 0, 0, 0x59, 0x30, 1);
    bus_write(&m->bus, a, 0x66, 1);
    cr_assert_eq(bus_read(&m->bus, a, 1), 0x66, "read/write DRAM");
    bool wr = false;
    cr_assert_not_null(bus_page_ptr(&m->bus, a, &wr));
    cr_assert(wr, "RW shadow RAM is plain RAM for the TLB");
    cr_assert_eq(bus_read(&m->bus, 0xFFFFFF00u, 1), rom, "the top-of-4G alias stays ROM");
    /* C0000-C3FFF: nothing on the PCI side; RW gives RAM */
    cr_assert_eq(bus_read(&m->bus, 0xC0000, 1), 0xFF);
    cfg_wr(m, 0, 0, 0x5A, 0x03, 1);
    bus_write(&m->bus, 0xC0000, 0x12, 1);
    cr_assert_eq(bus_read(&m->bus, 0xC0000, 1), 0x12);
    cr_assert_eq(bus_read(&m->bus, 0xC4000, 1), 0xFF, "the next segment is still PCI");
    machine_free(m);
}

Test(pci, pam_change_flushes_decoded_code)
{
    struct machine *m = mk();
    struct cpu *c = &m->cpu;
    /* Shadow RAM at F0000 with different code than the ROM's: after the
     * switch the CPU must run the RAM's bytes. */
    cfg_wr(m, 0, 0, 0x59, 0x30, 1);
    const uint8_t prog[] = { 0x40, 0xF4 }; /* INC AX; HLT */
    for (unsigned k = 0; k < sizeof prog; k++)
        bus_write(&m->bus, 0xF8000 + k, prog[k], 1);
    cpu_load_seg_real(c, S_CS, 0xF800);
    c->eip = 0;
    c->reg[R_EAX] = 0;
    c->eflags &= ~(uint32_t)F_IF;
    cpu_run(c, 10);
    cr_assert_eq(c->reg[R_EAX] & 0xFFFF, 1);
    cfg_wr(m, 0, 0, 0x59, 0x00, 1); /* back to the ROM (0xFF bytes there) */
    cr_assert_eq(bus_read(&m->bus, 0xF8000, 1), rom_test_halt[0x8000]);
    cfg_wr(m, 0, 0, 0x59, 0x30, 1);
    bus_write(&m->bus, 0xF8000, 0x48, 1); /* DEC AX, written while RW */
    c->halted = false;
    c->eip = 0;
    c->reg[R_EAX] = 0;
    cpu_run(c, 10);
    cr_assert_eq(c->reg[R_EAX] & 0xFFFF, 0xFFFF);
    machine_free(m);
}

Test(pci, pirq_routing_to_the_pic)
{
    struct machine *m = mk();
    /* PIC: master base 0x08, slave 0x70, everything unmasked; IRQ11 level */
    const uint8_t m_init[] = { 0x11, 0x08, 0x04, 0x01 }, s_init[] = { 0x11, 0x70, 0x02, 0x01 };
    bus_out(&m->bus, 0x20, m_init[0], 1);
    for (int i = 1; i < 4; i++)
        bus_out(&m->bus, 0x21, m_init[i], 1);
    bus_out(&m->bus, 0xA0, s_init[0], 1);
    for (int i = 1; i < 4; i++)
        bus_out(&m->bus, 0xA1, s_init[i], 1);
    bus_out(&m->bus, 0x21, 0x00, 1);
    bus_out(&m->bus, 0xA1, 0x00, 1);
    bus_out(&m->bus, 0x4D1, 0x08, 1);
    struct pci_dev dummy = { 0 };
    dummy.devfn = 3 << 3;                         /* slot 3, INTA# -> PIRQ D */
    pci_set_irq(&m->pci, &dummy, 0, 1);
    cr_assert(!pic_has_int(&m->pic), "routing disabled");
    cfg_wr(m, 1, 0, 0x63, 0x0B, 1);               /* PIRQD -> IRQ11 */
    cr_assert(pic_has_int(&m->pic));
    cr_assert_eq(pic_intack(&m->pic), 0x73);
    pci_set_irq(&m->pci, &dummy, 0, 0);
    cfg_wr(m, 1, 0, 0x63, 0x8B, 1);
    pci_set_irq(&m->pci, &dummy, 1, 1);          /* INTB# of slot 3 -> PIRQ A */
    cfg_wr(m, 1, 0, 0x60, 0x02, 1);               /* IRQ2 is not routable */
    cr_assert_eq(m->piix3.isa_level, 0);
    cfg_wr(m, 1, 0, 0x60, 0x05, 1);
    cr_assert_eq(m->piix3.isa_level, 1u << 5);
    machine_free(m);
}

Test(pci, reset_control_register)
{
    struct machine *m = mk();
    bus_out(&m->bus, 0xCF9, 0x02, 1);
    cr_assert_eq(bus_in(&m->bus, 0xCF9, 1), 0x02);
    cr_assert(!m->reset_requested);
    cfg_wr(m, 0, 0, 0x59, 0x30, 1);
    m->cpu.eip = 0x1234;
    bus_out(&m->bus, 0xCF9, 0x06, 1); /* hard reset */
    cr_assert(m->reset_requested);
    machine_reset(m);
    cr_assert_eq(m->cpu.eip, 0xFFF0);
    cr_assert_eq(cfg_rd(m, 0, 0, 0x59, 1), 0x00, "PAM back to power-on");
    cr_assert_eq(m->resets, 1);
    machine_free(m);
}

Test(pci, guest_resets_through_8042_and_cf9)
{
    struct machine_config cfg = { .bios = rom_test_reset, .bios_size = rom_test_reset_size,
                                  .debugexit_iobase = 0xF4, .max_insns = 1000000 };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    enum machine_exit e = machine_run(m);
    cr_assert_eq(e, MACHINE_EXIT_DEBUG, "%s", machine_exit_name(e));
    cr_assert_eq(m->exit_code, (0x2A << 1) | 1, "guest check %d failed", m->exit_code >> 1);
    cr_assert_eq(m->resets, 2);
    cr_assert_lt(machine_icount(m), 200, "no instruction ran between a reset request and the reset");
    machine_free(m);
}

/* The 8042 controller with its PS/2 keyboard and mouse (devices/i8042.c,
 * ps2kbd.c, ps2mouse.c): controller commands and self-tests, the command
 * byte, output port (A20, reset), keyboard commands and scancode sets
 * with the set 2 -> set 1 translation, mouse packets and IRQ12. */
#include <criterion/criterion.h>

#include "bus/machine.h"
#include "devices/i8042.h"
#include "devtest.h"
#include "mmu/mem.h"
#include "roms/roms.h"

static struct i8042 kbc;
static struct irq_probe irq1, irq12;
static int a20_state = -1, resets;

static void on_a20(void *o, bool on) { (void)o; a20_state = on; }
static void on_reset(void *o) { (void)o; resets++; }

static void setup(void)
{
    irq1 = (struct irq_probe){ 0 };
    irq12 = (struct irq_probe){ 0 };
    a20_state = -1;
    resets = 0;
    i8042_init(&kbc, NULL, irq_probe_line(&irq1), irq_probe_line(&irq12), on_a20, on_reset, NULL);
}

static void cmd(uint8_t c) { i8042_write(&kbc, 0x64, c); }
static void dat(uint8_t v) { i8042_write(&kbc, 0x60, v); }
static uint8_t st(void) { return i8042_read(&kbc, 0x64); }

static uint8_t next(void)
{
    cr_assert(st() & KBC_OBF, "output buffer should be full");
    return i8042_read(&kbc, 0x60);
}

TestSuite(i8042, .init = setup);

Test(i8042, self_tests_and_command_byte)
{
    cr_assert_eq(st() & KBC_OBF, 0);
    cmd(0xAA);
    cr_assert_eq(next(), 0x55, "controller self-test passes");
    cr_assert(st() & KBC_SYS, "system flag after self-test");
    cmd(0xAB);
    cr_assert_eq(next(), 0x00, "keyboard interface test");
    cmd(0xA9);
    cr_assert_eq(next(), 0x00, "aux interface test");
    cmd(0x20);
    uint8_t cb = next();
    cr_assert_eq(cb & (KBC_CB_KBDINT | KBC_CB_XLATE), KBC_CB_KBDINT | KBC_CB_XLATE);
    cmd(0x60);
    cr_assert(st() & KBC_CMD, "status bit 3: last write was a command");
    dat(0x47);
    cmd(0x20);
    cr_assert_eq(next(), 0x47);
    cmd(0xA8);
    cmd(0x20);
    cr_assert_eq(next() & KBC_CB_AUXDIS, 0, "A8 enables the aux port");
    cmd(0xA7);
    cmd(0x20);
    cr_assert(next() & KBC_CB_AUXDIS);
}

Test(i8042, output_port_a20_and_reset)
{
    cmd(0xD0);
    uint8_t op = next();
    cr_assert_eq(op & 3, 3, "A20 on, reset line high");
    cmd(0xD1);
    dat(0x01); /* A20 off */
    cr_assert_eq(a20_state, 0);
    cr_assert_eq(resets, 0);
    cmd(0xD1);
    dat(0x03);
    cr_assert_eq(a20_state, 1);
    cmd(0xDD);
    cr_assert_eq(a20_state, 0);
    cmd(0xDF);
    cr_assert_eq(a20_state, 1);
    cmd(0xFF);
    cr_assert_eq(resets, 0, "pulsing no line");
    cmd(0xFE);
    cr_assert_eq(resets, 1, "FE pulses the reset line");
    cmd(0xD1);
    dat(0x02);
    cr_assert_eq(resets, 2, "output port bit 0 low resets");
}

Test(i8042, keyboard_reset_and_irq1)
{
    dat(0xFF);
    cr_assert_eq(irq1.level, 1);
    cr_assert_eq(next(), 0xFA);
    cr_assert_eq(irq1.rises, 2, "the line drops on read and rises for the next byte");
    cr_assert_eq(next(), 0xAA, "BAT passed");
    cr_assert_eq(irq1.level, 0);
    cr_assert_eq(st() & KBC_OBF, 0);
}

Test(i8042, keyboard_commands)
{
    dat(0xEE);
    cr_assert_eq(next(), 0xEE, "echo");
    dat(0xF2);
    cr_assert_eq(next(), 0xFA);
    cr_assert_eq(next(), 0xAB);
    cr_assert_eq(next(), 0x41, "MF2 id 0x83, translated to 0x41");
    dat(0xED);
    cr_assert_eq(next(), 0xFA);
    dat(0x07);
    cr_assert_eq(next(), 0xFA);
    cr_assert_eq(kbc.kbd.leds, 7);
    dat(0xF3);
    next();
    dat(0x20);
    cr_assert_eq(next(), 0xFA);
    cr_assert_eq(kbc.kbd.typematic, 0x20);
    dat(0xF0);
    next();
    dat(0x00);
    cr_assert_eq(next(), 0xFA);
    cr_assert_eq(next(), 0x41, "set 2 (0x02) reads as 0x41 through translation");
    dat(0x99);
    cr_assert_eq(next(), 0xFE, "unknown command: resend");
}

Test(i8042, scancodes_translated_to_set1)
{
    i8042_key(&kbc, 0x1E, true);  /* A */
    cr_assert_eq(next(), 0x1E);
    i8042_key(&kbc, 0x1E, false);
    cr_assert_eq(next(), 0x9E, "F0 1C becomes the set 1 break code");
    i8042_key(&kbc, 0xE048, true); /* cursor up */
    cr_assert_eq(next(), 0xE0);
    cr_assert_eq(next(), 0x48);
    i8042_key(&kbc, 0xE048, false);
    cr_assert_eq(next(), 0xE0);
    cr_assert_eq(next(), 0xC8);
    i8042_key(&kbc, 0x41, true); /* F7: set 2 0x83 */
    cr_assert_eq(next(), 0x41);
}

Test(i8042, raw_set2_without_translation)
{
    cmd(0x60);
    dat(0x01); /* interrupts on, no translation */
    i8042_key(&kbc, 0x1E, true);
    cr_assert_eq(next(), 0x1C);
    i8042_key(&kbc, 0x1E, false);
    cr_assert_eq(next(), 0xF0);
    cr_assert_eq(next(), 0x1C);
    /* scancode set 1 selected in the keyboard */
    dat(0xF0);
    next();
    dat(0x01);
    next();
    i8042_key(&kbc, 0x10, false);
    cr_assert_eq(next(), 0x90);
}

Test(i8042, keyboard_disable)
{
    cmd(0xAD);
    i8042_key(&kbc, 0x1E, true);
    cr_assert_eq(st() & KBC_OBF, 0, "interface disabled: the byte waits");
    cmd(0xAE);
    cr_assert_eq(next(), 0x1E);
    dat(0xF5);
    cr_assert_eq(next(), 0xFA);
    i8042_key(&kbc, 0x1E, true);
    cr_assert_eq(st() & KBC_OBF, 0, "F5: the keyboard stops scanning");
    dat(0xF4);
    cr_assert_eq(next(), 0xFA);
    i8042_key(&kbc, 0x1E, true);
    cr_assert_eq(next(), 0x1E);
}

Test(i8042, controller_writes_output_buffers)
{
    cmd(0xD2);
    dat(0x5A);
    cr_assert_eq(st() & (KBC_OBF | KBC_AUXOBF), KBC_OBF);
    cr_assert_eq(next(), 0x5A);
    cmd(0x60);
    dat(0x03); /* both interrupts */
    cmd(0xD3);
    dat(0x42);
    cr_assert_eq(st() & (KBC_OBF | KBC_AUXOBF), KBC_OBF | KBC_AUXOBF);
    cr_assert_eq(irq12.level, 1);
    cr_assert_eq(next(), 0x42);
    cr_assert_eq(irq12.level, 0);
}

static void mouse(uint8_t v)
{
    cmd(0xD4);
    dat(v);
}

Test(i8042, mouse_stream_packets)
{
    cmd(0xA8);
    cmd(0x60);
    dat(0x47);
    mouse(0xFF);
    cr_assert_eq(st() & KBC_AUXOBF, KBC_AUXOBF);
    cr_assert_eq(next(), 0xFA);
    cr_assert_eq(next(), 0xAA);
    cr_assert_eq(next(), 0x00, "device id after reset");
    mouse(0xF2);
    cr_assert_eq(next(), 0xFA);
    cr_assert_eq(next(), 0x00);
    i8042_mouse(&kbc, 5, 5, 0, 1);
    cr_assert_eq(st() & KBC_OBF, 0, "no reporting before F4");
    mouse(0xF4);
    cr_assert_eq(next(), 0xFA);
    unsigned r0 = irq12.rises;
    i8042_mouse(&kbc, 10, -3, 0, 1);
    cr_assert_gt(irq12.rises, r0);
    cr_assert_eq(next(), 0x08 | 0x01 | 0x20 | 0, "left button, Y negative");
    cr_assert_eq(next(), 10, "motion before F4 is not counted");
    cr_assert_eq(next(), 0xFD);
    i8042_mouse(&kbc, -300, 0, 0, 0);
    cr_assert_eq(next(), 0x08 | 0x10 | 0x40, "X negative with overflow");
    cr_assert_eq(next(), 0x00);
    cr_assert_eq(next(), 0x00);
}

Test(i8042, mouse_settings_and_wheel_id)
{
    cmd(0xA8);
    mouse(0xF3); next(); mouse(40); next();
    mouse(0xE8); next(); mouse(3); next();
    mouse(0xE7); next();
    mouse(0xE9);
    cr_assert_eq(next(), 0xFA);
    cr_assert_eq(next(), 0x10, "status: stream, disabled, 2:1 scaling");
    cr_assert_eq(next(), 3);
    cr_assert_eq(next(), 40);
    /* IntelliMouse unlock: rates 200, 100, 80 */
    mouse(0xF3); next(); mouse(200); next();
    mouse(0xF3); next(); mouse(100); next();
    mouse(0xF3); next(); mouse(80); next();
    mouse(0xF2);
    cr_assert_eq(next(), 0xFA);
    cr_assert_eq(next(), 0x03);
    mouse(0xF4); next();
    i8042_mouse(&kbc, 1, 1, -1, 0);
    next(); next(); next();
    cr_assert_eq(next(), 0xFF, "fourth byte: wheel -1");
}

/* ------------------------------------------------ in a machine */

static struct machine *mk(const char *cpu)
{
    struct machine_config cfg = { .bios = rom_test_halt, .bios_size = rom_test_halt_size,
                                  .cpu_model = cpu };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    return m;
}

Test(i8042_machine, output_port_gates_a20)
{
    struct machine *m = mk("80386");
    bus_write(&m->bus, 0x000500, 0x11, 1);
    bus_write(&m->bus, 0x100500, 0x22, 1);
    struct cpu *c = &m->cpu;
    cr_assert_eq(c->a20_mask & (1u << 20), 1u << 20, "A20 on at power-on");
    bus_out(&m->bus, 0x64, 0xD1, 1);
    bus_out(&m->bus, 0x60, 0x01, 1); /* A20 off, reset line high */
    cr_assert_eq(c->a20_mask & (1u << 20), 0);
    cr_assert(!m->reset_requested);
    /* FFFF:0510 = 0x100500 wraps to 0x000500 */
    cpu_load_seg_real(c, S_DS, 0xFFFF);
    cr_assert_eq(cpu_rd8(c, S_DS, 0x0510), 0x11);
    bus_out(&m->bus, 0x64, 0xD1, 1);
    bus_out(&m->bus, 0x60, 0x03, 1);
    cr_assert_eq(cpu_rd8(c, S_DS, 0x0510), 0x22, "the TLB saw the change");
    machine_free(m);
}

Test(i8042_machine, key_raises_irq1_at_the_pic)
{
    struct machine *m = mk(NULL);
    const uint8_t mi[] = { 0x11, 0x08, 0x04, 0x01 };
    bus_out(&m->bus, 0x20, mi[0], 1);
    for (int i = 1; i < 4; i++)
        bus_out(&m->bus, 0x21, mi[i], 1);
    bus_out(&m->bus, 0x21, 0xFD, 1);
    machine_key(m, 0x1C, true); /* Enter */
    cr_assert(pic_has_int(&m->pic));
    cr_assert_eq(pic_intack(&m->pic), 0x09);
    cr_assert_eq(bus_in(&m->bus, 0x60, 1), 0x1C);
    bus_out(&m->bus, 0x20, 0x20, 1);
    cr_assert(!pic_has_int(&m->pic));
    /* the mouse on IRQ12 through the slave */
    const uint8_t si[] = { 0x11, 0x70, 0x02, 0x01 };
    bus_out(&m->bus, 0xA0, si[0], 1);
    for (int i = 1; i < 4; i++)
        bus_out(&m->bus, 0xA1, si[i], 1);
    bus_out(&m->bus, 0x21, 0xF9, 1);
    bus_out(&m->bus, 0xA1, 0xEF, 1);
    bus_out(&m->bus, 0x64, 0x60, 1);
    bus_out(&m->bus, 0x60, 0x43, 1); /* both interrupts, translation */
    bus_out(&m->bus, 0x64, 0xD4, 1);
    bus_out(&m->bus, 0x60, 0xF4, 1); /* mouse: enable reporting -> FA */
    cr_assert(pic_has_int(&m->pic));
    cr_assert_eq(pic_intack(&m->pic), 0x74);
    cr_assert_eq(bus_in(&m->bus, 0x64, 1) & 0x21, 0x21);
    cr_assert_eq(bus_in(&m->bus, 0x60, 1), 0xFA);
    machine_free(m);
}

Test(i8042, typematic_repeat_on_the_virtual_clock)
{
    uint64_t now = 0;
    struct clock clk;
    clock_init(&clk, &now);
    struct i8042 k;
    i8042_init(&k, &clk, irq_line_make(NULL, NULL, 0), irq_line_make(NULL, NULL, 0), NULL, NULL, NULL);
    cr_assert_eq(ps2kbd_typematic_delay(0x2B), CLOCK_HZ / 2, "default: 500 ms");
    cr_assert_eq(ps2kbd_typematic_period(0x2B), 9174000, "default: 91.74 ms (10.9/s)");
    cr_assert_eq(ps2kbd_typematic_period(0x00), 3336000, "fastest: 33.36 ms (30/s)");
    i8042_key(&k, 0x1E, true);
    cr_assert_eq(i8042_read(&k, 0x60), 0x1E);
    clock_advance_to(&clk, &now, CLOCK_HZ / 2 - 1);
    cr_assert_eq(i8042_read(&k, 0x64) & KBC_OBF, 0, "nothing before the delay");
    clock_advance_to(&clk, &now, CLOCK_HZ / 2);
    cr_assert_eq(i8042_read(&k, 0x60), 0x1E, "first repeat after 500 ms");
    clock_advance_to(&clk, &now, CLOCK_HZ / 2 + 9174000 * 3);
    unsigned n = 0;
    while (i8042_read(&k, 0x64) & KBC_OBF) {
        cr_assert_eq(i8042_read(&k, 0x60), 0x1E);
        n++;
    }
    cr_assert_eq(n, 3);
    i8042_key(&k, 0x1E, false);
    cr_assert_eq(i8042_read(&k, 0x60), 0x9E);
    clock_advance_to(&clk, &now, 10 * CLOCK_HZ);
    cr_assert_eq(i8042_read(&k, 0x64) & KBC_OBF, 0, "released: no more repeats");
    cr_assert_eq(k.kbd.repeats, 4);
}

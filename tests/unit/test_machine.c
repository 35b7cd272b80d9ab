/* The machine (bus/machine.c), its debug devices and the ROMs in roms/:
 * firmware mapping, debugcon, isa-debug-exit, exit conditions, the demo
 * ROM's exact output, and two machines running side by side. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/machine.h"
#include "roms/roms.h"

/* ------------------------------------------------------------ helpers */

struct outbuf {
    char text[8192];
    size_t n;
};

static void out_sink(void *opaque, uint8_t byte)
{
    struct outbuf *o = opaque;
    if (o->n + 1 < sizeof o->text)
        o->text[o->n++] = (char)byte;
    o->text[o->n] = 0;
}

static struct machine_config config(const unsigned char *rom, size_t size,
                                    const char *cpu, struct outbuf *out)
{
    struct machine_config cfg = {
        .cpu_model = cpu,
        .bios = rom,
        .bios_size = size,
        .debugcon = out ? out_sink : NULL,
        .debugcon_opaque = out,
        .max_insns = 50000000, /* a broken CPU must not hang the test */
    };
    return cfg;
}

static struct machine *create(const struct machine_config *cfg)
{
    char err[256] = "";
    struct machine *m = machine_create(cfg, err, sizeof err);
    cr_assert_not_null(m, "machine_create failed: %s", err);
    return m;
}

static uint8_t *image(size_t size)
{
    uint8_t *img = malloc(size);
    cr_assert_not_null(img);
    for (size_t k = 0; k < size; k++)
        img[k] = (uint8_t)(k * 7 + (k >> 12));
    return img;
}

/* ------------------------------------------------------------ creation */

Test(machine, rejects_unknown_cpu)
{
    struct machine_config cfg = config(rom_test_spin, rom_test_spin_size, "z80", NULL);
    char err[256] = "";
    cr_assert_null(machine_create(&cfg, err, sizeof err));
    cr_assert_str_eq(err, "unknown CPU model 'z80' (known: 8086, 80186, 80286, 80386, "
                          "80486, pentium, pentium2)");
}

Test(machine, rejects_bad_bios_sizes)
{
    static const size_t bad[] = { 0, 1, 65535, 65537, 96u << 10, 512u << 10 };
    uint8_t *img = image(512u << 10);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        struct machine_config cfg = config(img, bad[k], NULL, NULL);
        char err[256] = "";
        cr_expect_null(machine_create(&cfg, err, sizeof err), "size %zu accepted", bad[k]);
        cr_expect(strstr(err, "a BIOS image must be 64, 128 or 256 KiB") != NULL, "%s", err);
    }
    struct machine_config cfg = config(NULL, 65536, NULL, NULL);
    char err[256] = "";
    cr_expect_null(machine_create(&cfg, err, sizeof err));
    free(img);
}

Test(machine, rejects_bad_ram_sizes)
{
    static const uint64_t bad[] = { 4096, (1u << 20) - 4096, (3584ull << 20) + 4096,
                                    4096ull << 20, (32u << 20) + 1 };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        struct machine_config cfg = config(rom_test_spin, rom_test_spin_size, NULL, NULL);
        cfg.ram_bytes = bad[k];
        char err[256] = "";
        cr_expect_null(machine_create(&cfg, err, sizeof err), "RAM %llu accepted",
                       (unsigned long long)bad[k]);
        cr_expect(strstr(err, "RAM size") != NULL, "%s", err);
    }
}

Test(machine, defaults)
{
    struct machine_config cfg = config(rom_test_spin, rom_test_spin_size, NULL, NULL);
    struct machine *m = create(&cfg);
    cr_expect_str_eq(m->cpu.model->name, MACHINE_DEFAULT_CPU);
    cr_expect_eq(m->bus.ram_size, 32u << 20);
    cr_expect_eq(machine_icount(m), 0);
    cr_expect_eq(m->exit, MACHINE_RUNNING);
    machine_free(m);
}

/* ------------------------------------------------------------ firmware */

/* The whole image ends at the top of the address space, its last 128 KiB
 * at most at the top of the first MiB. */
Test(machine, bios_mapping_32bit)
{
    static const size_t sizes[] = { 64u << 10, 128u << 10, 256u << 10 };
    for (size_t k = 0; k < 3; k++) {
        size_t size = sizes[k];
        uint8_t *img = image(size);
        struct machine_config cfg = config(img, size, "80386", NULL);
        struct machine *m = create(&cfg);
        free(img); /* the machine owns a copy */
        img = image(size);
        uint32_t top = (uint32_t)(0x100000000ull - size);
        for (uint32_t off = 0; off < size; off += 0x1001)
            cr_assert_eq(bus_read(&m->bus, top + off, 1), img[off], "size %zu off %x", size, off);
        cr_expect_eq(bus_read(&m->bus, 0xFFFFFFF0u, 4), le32(img + size - 16));
        size_t low = size < (128u << 10) ? size : (128u << 10);
        for (uint32_t off = 0; off < low; off += 0x1001)
            cr_assert_eq(bus_read(&m->bus, (uint32_t)(0x100000 - low + off), 1),
                         img[size - low + off], "size %zu low off %x", size, off);
        cr_expect_eq(bus_read(&m->bus, 0xFFFFF, 1), img[size - 1]);
        /* below the low copy: the i440FX's PAM windows (0xC0000-0xFFFFF)
         * reach nothing on the PCI side until shadow RAM is enabled there
         * (PCI config 00:00.0 0x59-0x5F); below 0xC0000: RAM */
        bus_write(&m->bus, (uint32_t)(0x100000 - low - 1), 0x5A, 1);
        cr_expect_eq(bus_read(&m->bus, (uint32_t)(0x100000 - low - 1), 1), 0xFF);
        bus_write(&m->bus, 0xBFFFF, 0x5A, 1);
        cr_expect_eq(bus_read(&m->bus, 0xBFFFF, 1), 0x5A);
        /* ROM ignores writes */
        bus_write(&m->bus, 0xFFFF0, 0x00, 1);
        cr_expect_eq(bus_read(&m->bus, 0xFFFF0, 1), img[size - 16]);
        machine_free(m);
        free(img);
    }
}

Test(machine, bios_mapping_286_and_8086)
{
    uint8_t *img = image(128u << 10);
    struct machine_config cfg = config(img, 128u << 10, "80286", NULL);
    struct machine *m = create(&cfg);
    cr_expect_eq(bus_read(&m->bus, 0xFFFFF0, 1), img[(128u << 10) - 16]);
    cr_expect_eq(bus_read(&m->bus, 0xFE0000, 1), img[0]);
    cr_expect_eq(bus_read(&m->bus, 0xE0000, 1), img[0]);
    /* the CPU's first fetch: CS base FF0000 + FFF0 */
    cr_expect_eq(m->cpu.seg[S_CS].base + m->cpu.eip, 0xFFFFF0u);
    machine_free(m);

    cfg.cpu_model = "8086";
    m = create(&cfg);
    cr_expect_eq(bus_read(&m->bus, 0xFFFF0, 1), img[(128u << 10) - 16]);
    cr_expect_eq(m->cpu.seg[S_CS].base + m->cpu.eip, 0xFFFF0u);
    machine_free(m);
    free(img);
}

/* ------------------------------------------------------------ devices */

Test(devices, debugcon)
{
    struct outbuf out = { .n = 0 };
    struct machine_config cfg = config(rom_test_spin, rom_test_spin_size, NULL, &out);
    struct machine *m = create(&cfg);
    cr_expect_eq(bus_in(&m->bus, 0xE9, 1), 0xE9);
    bus_out(&m->bus, 0xE9, 'h', 1);
    bus_out(&m->bus, 0xE9, 'i', 1);
    bus_out(&m->bus, 0xE9, 0x0A21, 2); /* '!' here, 0x0A to port 0xEA (nobody) */
    cr_expect_str_eq(out.text, "hi!");
    machine_free(m);

    cfg.debugcon = NULL; /* -debugcon none: an empty port */
    m = create(&cfg);
    cr_expect_eq(bus_in(&m->bus, 0xE9, 1), 0xFF);
    machine_free(m);
}

Test(devices, debugexit_ports_and_status)
{
    struct machine_config cfg = config(rom_test_spin, rom_test_spin_size, NULL, NULL);
    cfg.debugexit_iobase = 0xF4;
    cfg.debugexit_iosize = 4;
    struct machine *m = create(&cfg);
    cr_expect(!m->debugexit.requested);
    bus_out(&m->bus, 0xF3, 0x55, 1); /* below the device: ignored */
    bus_out(&m->bus, 0xF8, 0x55, 1); /* above it */
    cr_expect(!m->debugexit.requested);
    bus_out(&m->bus, 0xF7, 0x21, 1);
    cr_expect(m->debugexit.requested);
    cr_expect(m->cpu.attention & ATT_STOP);
    /* the stop is taken before any instruction runs */
    cr_expect_eq(machine_run(m), MACHINE_EXIT_DEBUG);
    cr_expect_eq(m->exit_code, 0x43);
    cr_expect_eq(machine_icount(m), 0);
    /* an exit is final */
    cr_expect_eq(machine_run_slice(m, 100), MACHINE_EXIT_DEBUG);
    machine_free(m);

    cfg.debugexit_iosize = 0; /* QEMU's default: 2 ports */
    m = create(&cfg);
    bus_out(&m->bus, 0xF6, 1, 1);
    cr_expect(!m->debugexit.requested);
    bus_out(&m->bus, 0xF4, 0x1234, 2);
    cr_expect(m->debugexit.requested);
    cr_expect_eq(debugexit_status(&m->debugexit), 0x2469);
    machine_free(m);
}

/* ------------------------------------------------------------ running ROMs */

Test(rom, debug_exit, .timeout = 20)
{
    struct machine_config cfg = config(rom_test_exit, rom_test_exit_size, NULL, NULL);
    cfg.debugexit_iobase = 0xF4;
    cfg.debugexit_iosize = 4;
    struct machine *m = create(&cfg);
    cr_assert_eq(machine_run(m), MACHINE_EXIT_DEBUG, "exit %s",
                 machine_exit_name(m->exit));
    cr_expect_eq(m->exit_code, 0x43);
    cr_expect_eq(machine_icount(m), 3, "far jump, MOV, OUT: %llu",
                 (unsigned long long)machine_icount(m));
    machine_free(m);
}

Test(rom, debugcon_reads_e9, .timeout = 20)
{
    struct outbuf out = { .n = 0 };
    struct machine_config cfg = config(rom_test_echo, rom_test_echo_size, "8086", &out);
    cfg.debugexit_iobase = 0xF4;
    struct machine *m = create(&cfg);
    cr_assert_eq(machine_run(m), MACHINE_EXIT_DEBUG, "exit %s", machine_exit_name(m->exit));
    cr_expect_eq(m->exit_code, 0x1D3);
    machine_free(m);

    cfg.debugcon = NULL;
    m = create(&cfg);
    cr_assert_eq(machine_run(m), MACHINE_EXIT_DEBUG, "exit %s", machine_exit_name(m->exit));
    cr_expect_eq(m->exit_code, 0x1FF);
    machine_free(m);
}

Test(rom, halted_waiting, .timeout = 20)
{
    struct machine_config cfg = config(rom_test_halt, rom_test_halt_size, NULL, NULL);
    struct machine *m = create(&cfg);
    cr_expect_eq(machine_run(m), MACHINE_EXIT_HALTED, "exit %s", machine_exit_name(m->exit));
    machine_free(m);
}

Test(rom, triple_fault, .timeout = 20)
{
    static const char *const models[] = { "80286", "80386", "pentium2" };
    for (int k = 0; k < 3; k++) {
        struct machine_config cfg = config(rom_test_triple, rom_test_triple_size, models[k], NULL);
        cfg.no_reboot = true;
        struct machine *m = create(&cfg);
        cr_expect_eq(machine_run(m), MACHINE_EXIT_SHUTDOWN, "%s: exit %s", models[k],
                     machine_exit_name(m->exit));
        machine_free(m);
    }
}

/* Without no_reboot a triple fault resets the machine, as a PC does: the
 * ROM starts again at the reset vector and keeps faulting until the
 * instruction limit. */
Test(rom, triple_fault_resets, .timeout = 20)
{
    struct machine_config cfg = config(rom_test_triple, rom_test_triple_size, "pentium2", NULL);
    cfg.max_insns = 100000;
    struct machine *m = create(&cfg);
    cr_expect_eq(machine_run(m), MACHINE_EXIT_LIMIT, "exit %s", machine_exit_name(m->exit));
    cr_expect_gt(m->resets, 100, "resets: %llu", (unsigned long long)m->resets);
    machine_free(m);
}

Test(rom, instruction_limit_is_exact, .timeout = 20)
{
    static const uint64_t limits[] = { 1, 2, 1000, MACHINE_SLICE + 3, 3 * MACHINE_SLICE };
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        struct machine_config cfg = config(rom_test_spin, rom_test_spin_size, NULL, NULL);
        cfg.max_insns = limits[k];
        struct machine *m = create(&cfg);
        cr_expect_eq(machine_run(m), MACHINE_EXIT_LIMIT, "exit %s", machine_exit_name(m->exit));
        cr_expect_eq(machine_icount(m), limits[k]);
        machine_free(m);
    }
}

#define DEMO_TAIL \
    "primes below 100: 2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97\n" \
    "fibonacci: 0 1 1 2 3 5 8 13 21 34 55 89 144 233 377 610 987 1597 2584 4181 6765 " \
    "10946 17711 28657 46368\n" \
    "1 + 2 + ... + 1000 = 500500\n" \
    "12! = 479001600\n" \
    "crc16-ccitt(\"123456789\") = 0x29B1\n" \
    "pcvm: demo done; halting with interrupts disabled\n"

static const struct {
    const char *model, *cpu_line;
} demo_cpu_lines[] = {
    { "8086", "8086 (FLAGS bits 12-15 stuck at 1, shift counts not masked)" },
    { "80186", "80186 (FLAGS bits 12-15 stuck at 1, shift counts masked)" },
    { "80286", "80286 (FLAGS bits 12-15 clear in real mode)" },
    { "80386", "80386 (EFLAGS.AC cannot be set)" },
    { "80486", "80486 without CPUID (EFLAGS.AC works, EFLAGS.ID does not)" },
    { "pentium", "CPUID GenuineIntel family 5 model 2 stepping 12" },
    { "pentium2", "CPUID GenuineIntel family 6 model 5 stepping 2" },
};

static void run_demo(const char *model, const char *cpu_line)
{
    struct outbuf out = { .n = 0 };
    struct machine_config cfg = config(rom_demo, rom_demo_size, model, &out);
    struct machine *m = create(&cfg);
    enum machine_exit e = machine_run(m);
    char want[2048];
    snprintf(want, sizeof want, "pcvm: hello from the demo ROM\ncpu: %s\n" DEMO_TAIL, cpu_line);
    cr_expect_str_eq(out.text, want, "-cpu %s", model ? model : "(default)");
    cr_expect_eq(e, MACHINE_EXIT_DEAD, "-cpu %s: exit %s", model ? model : "(default)",
                 machine_exit_name(e));
    machine_free(m);
}

Test(rom, demo_output_default_cpu, .timeout = 30)
{
    run_demo(NULL, "CPUID GenuineIntel family 6 model 5 stepping 2");
}

Test(rom, demo_identifies_every_model, .timeout = 60)
{
    for (size_t k = 0; k < sizeof demo_cpu_lines / sizeof demo_cpu_lines[0]; k++)
        run_demo(demo_cpu_lines[k].model, demo_cpu_lines[k].cpu_line);
}

Test(rom, demo_is_deterministic, .timeout = 30)
{
    uint64_t count[2];
    for (int k = 0; k < 2; k++) {
        struct outbuf out = { .n = 0 };
        struct machine_config cfg = config(rom_demo, rom_demo_size, "80386", &out);
        struct machine *m = create(&cfg);
        cr_assert_eq(machine_run(m), MACHINE_EXIT_DEAD);
        count[k] = machine_icount(m);
        machine_free(m);
    }
    cr_expect_eq(count[0], count[1]);
    cr_expect_gt(count[0], 1000);
}

/* Two machines in one process, run in interleaved slices: each prints its
 * own lines to its own sink, and neither notices the other. */
Test(rom, two_machines_side_by_side, .timeout = 30)
{
    struct outbuf out[2] = { { .n = 0 }, { .n = 0 } };
    struct machine_config cfg0 = config(rom_test_hello, rom_test_hello_size, "8086", &out[0]);
    struct machine_config cfg1 = config(rom_test_hello, rom_test_hello_size, "pentium2", &out[1]);
    struct machine *m[2] = { create(&cfg0), create(&cfg1) };
    enum machine_exit e[2] = { MACHINE_RUNNING, MACHINE_RUNNING };
    for (int round = 0; round < 100000 && (e[0] == MACHINE_RUNNING || e[1] == MACHINE_RUNNING);
         round++) {
        e[0] = machine_run_slice(m[0], 7);
        e[1] = machine_run_slice(m[1], 5);
    }
    static const char want[] = "hello 0\nhello 1\nhello 2\nhello 3\nhello 4\n"
                               "hello 5\nhello 6\nhello 7\nhello 8\nhello 9\n";
    for (int k = 0; k < 2; k++) {
        cr_expect_eq(e[k], MACHINE_EXIT_DEAD, "machine %d: %s", k, machine_exit_name(e[k]));
        cr_expect_str_eq(out[k].text, want, "machine %d", k);
    }
    cr_expect_eq(machine_icount(m[0]), machine_icount(m[1]));
    machine_free(m[0]);
    machine_free(m[1]);

    /* and the demo, twice, one after the other from the same process */
    struct outbuf d[2] = { { .n = 0 }, { .n = 0 } };
    struct machine_config c0 = config(rom_demo, rom_demo_size, NULL, &d[0]);
    struct machine_config c1 = config(rom_demo, rom_demo_size, NULL, &d[1]);
    struct machine *a = create(&c0), *b = create(&c1);
    cr_expect_eq(machine_run(b), MACHINE_EXIT_DEAD);
    cr_expect_eq(machine_run(a), MACHINE_EXIT_DEAD);
    cr_expect_str_eq(d[0].text, d[1].text);
    cr_expect(strncmp(d[0].text, "pcvm: hello from the demo ROM\n", 30) == 0, "%s", d[0].text);
    machine_free(a);
    machine_free(b);
}

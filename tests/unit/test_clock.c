/* The virtual clock and scheduler (bus/clock.c) and the machine's use of
 * it: deadline order, rate conversions, idle HLT skipping to the next
 * timer, a guest taking PIT interrupts, determinism of whole runs. */
#include <criterion/criterion.h>
#include <string.h>

#include "bus/clock.h"
#include "bus/machine.h"
#include "roms/roms.h"

static int order[16];
static int norder;

static void rec(void *opaque, uint64_t t)
{
    (void)t;
    order[norder++] = (int)(intptr_t)opaque;
}

Test(clock, timers_fire_in_deadline_order)
{
    uint64_t now = 0;
    struct clock clk;
    struct clock_timer a, b, c;
    clock_init(&clk, &now);
    cr_assert(clock_timer_init(&clk, &a, rec, (void *)1, "a"));
    cr_assert(clock_timer_init(&clk, &b, rec, (void *)2, "b"));
    cr_assert(clock_timer_init(&clk, &c, rec, (void *)3, "c"));
    cr_assert_eq(clock_next_deadline(&clk), CLOCK_NEVER);
    clock_timer_set(&a, 300);
    clock_timer_set(&b, 100);
    clock_timer_set(&c, 300);
    cr_assert_eq(clock_next_deadline(&clk), 100);
    now = 99;
    cr_assert_eq(clock_run_due(&clk), 0);
    now = 1000;
    norder = 0;
    cr_assert_eq(clock_run_due(&clk), 3);
    cr_assert_eq(norder, 3);
    cr_assert_eq(order[0], 2);
    cr_assert_eq(order[1], 1, "equal deadlines: registration order");
    cr_assert_eq(order[2], 3);
    cr_assert_eq(clock_next_deadline(&clk), CLOCK_NEVER, "fired timers are disarmed");
    clock_timer_set(&a, 2000);
    clock_timer_cancel(&a);
    cr_assert_eq(clock_next_deadline(&clk), CLOCK_NEVER);
}

static int kicks;
static void kick(void *o) { (void)o; kicks++; }

Test(clock, kick_when_a_deadline_moves_earlier)
{
    uint64_t now = 0;
    struct clock clk;
    struct clock_timer a;
    clock_init(&clk, &now);
    clk.kick = kick;
    kicks = 0;
    clock_timer_init(&clk, &a, rec, NULL, "a");
    clock_timer_set(&a, 500);
    cr_assert_eq(kicks, 1);
    clock_timer_set(&a, 800);
    cr_assert_eq(kicks, 1, "later: no kick");
    clock_timer_set(&a, 200);
    cr_assert_eq(kicks, 2);
}

Test(clock, scale_and_unscale)
{
    cr_assert_eq(clock_scale(CLOCK_HZ, 1193182, CLOCK_HZ), 1193182);
    cr_assert_eq(clock_ns(1), 10, "one instruction is 10 ns at 100 MHz");
    cr_assert_eq(clock_scale(UINT64_MAX / 2, 32768, CLOCK_HZ),
                 (UINT64_MAX / 2 / CLOCK_HZ) * 32768 + ((UINT64_MAX / 2) % CLOCK_HZ) * 32768 / CLOCK_HZ);
    for (uint64_t n = 0; n < 200000; n += 7) {
        uint64_t t = clock_unscale(n, 1193182, CLOCK_HZ);
        cr_assert_eq(clock_scale(t, 1193182, CLOCK_HZ), n);
        if (t)
            cr_assert_lt(clock_scale(t - 1, 1193182, CLOCK_HZ), n);
    }
}

static struct machine *pictimer_machine(void)
{
    struct machine_config cfg = {
        .bios = rom_test_pictimer,
        .bios_size = rom_test_pictimer_size,
        .debugexit_iobase = 0xF4,
        .max_insns = 100000000,
    };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    return m;
}

Test(clock, guest_takes_timer_interrupts_and_idles_cheaply)
{
    struct machine *m = pictimer_machine();
    enum machine_exit e = machine_run(m);
    cr_assert_eq(e, MACHINE_EXIT_DEBUG, "exit %s", machine_exit_name(e));
    cr_assert_eq(m->exit_code, (0x2A << 1) | 1, "guest check %d failed", m->exit_code >> 1);
    /* The control word's edge, then 19 periods of 1193 ticks: about 1.9
     * million instructions of virtual time, nearly all skipped in HLT. */
    uint64_t t = machine_icount(m);
    cr_assert_gt(t, 1890000);
    cr_assert_lt(t, 2100000);
    machine_free(m);
}

Test(clock, same_program_twice_is_identical)
{
    struct machine *a = pictimer_machine(), *b = pictimer_machine();
    machine_run(a);
    machine_run(b);
    cr_assert_eq(machine_icount(a), machine_icount(b));
    cr_assert_eq(a->exit_code, b->exit_code);
    cr_assert_eq(memcmp(&a->pit.ch, &b->pit.ch, sizeof a->pit.ch), 0);
    cr_assert_eq(memcmp(&a->pic.chip, &b->pic.chip, sizeof a->pic.chip), 0);
    cr_assert_eq(memcmp(a->cpu.reg, b->cpu.reg, sizeof a->cpu.reg), 0);
    cr_assert_eq(memcmp(a->bus.ram, b->bus.ram, a->bus.ram_size), 0);
    cr_assert_eq(a->clock.fired, b->clock.fired);
    machine_free(a);
    machine_free(b);
}

Test(clock, halt_without_timers_is_final)
{
    struct machine_config cfg = {
        .bios = rom_test_halt,
        .bios_size = rom_test_halt_size,
        .max_insns = 1000000,
    };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m);
    cr_assert_eq(machine_run(m), MACHINE_EXIT_HALTED);
    machine_free(m);
}

/* A fake host clock: time passes only when the machine sleeps. */
struct fake_host {
    uint64_t ns, slept, sleeps;
};

static uint64_t fake_now(void *o) { return ((struct fake_host *)o)->ns; }

static void fake_sleep(void *o, uint64_t ns)
{
    struct fake_host *h = o;
    h->ns += ns;
    h->slept += ns;
    h->sleeps++;
}

Test(clock, pacing_sleeps_to_the_host_clock)
{
    struct fake_host host = { .ns = 1000000000 };
    struct machine_config cfg = {
        .bios = rom_test_pictimer,
        .bios_size = rom_test_pictimer_size,
        .debugexit_iobase = 0xF4,
        .max_insns = 100000000,
        .pace = true,
        .host_now_ns = fake_now,
        .host_sleep_ns = fake_sleep,
        .host_opaque = &host,
    };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(machine_run(m), MACHINE_EXIT_DEBUG);
    cr_assert_eq(m->exit_code, (0x2A << 1) | 1);
    uint64_t virt_ns = clock_ns(machine_icount(m));
    /* The host clock never runs ahead: the machine slept until the host
     * caught up with virtual time, to within the 2 ms slack. */
    cr_assert_gt(host.sleeps, 5, "%llu sleeps", (unsigned long long)host.sleeps);
    cr_assert_leq(host.slept, virt_ns);
    cr_assert_geq(host.slept + 2000000, virt_ns, "slept %llu ns for %llu ns of guest time",
                  (unsigned long long)host.slept, (unsigned long long)virt_ns);
    /* the same run without pacing is the same run */
    struct machine_config cfg2 = cfg;
    cfg2.pace = false;
    struct machine *m2 = machine_create(&cfg2, err, sizeof err);
    machine_run(m2);
    cr_assert_eq(machine_icount(m2), machine_icount(m), "pacing does not change the guest's run");
    machine_free(m);
    machine_free(m2);
}

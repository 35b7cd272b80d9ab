/* Data movement, stack, string and port I/O handlers (cpu/exec_mov.c,
 * exec_stack.c, exec_string.c, exec_io.c).
 *
 * Registers and flags are set directly in struct cpu, so these tests do
 * not depend on other handlers (CLD, MOV imm...) beyond the ones tested. */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/flags.h"
#include "harness.h"
#include "mmu/mem.h"

#define CODE 0x1000u

static struct harness *h;
static struct cpu *c;

static void setup(const char *model)
{
    h = harness_new(model, 1u << 20);
    cr_assert_not_null(h);
    c = &h->cpu;
}

static void teardown(void)
{
    harness_free(h);
    h = NULL;
}

static uint8_t peek8(uint32_t a) { return h->bus.ram[a]; }
static uint16_t peek16(uint32_t a) { return (uint16_t)(peek8(a) | peek8(a + 1) << 8); }
static uint32_t peek32(uint32_t a) { return peek16(a) | (uint32_t)peek16(a + 2) << 16; }
static void poke8(uint32_t a, uint8_t v) { bus_write(&h->bus, a, v, 1); }
static void poke16(uint32_t a, uint16_t v) { bus_write(&h->bus, a, v, 2); }
static void poke32(uint32_t a, uint32_t v) { bus_write(&h->bus, a, v, 4); }

static void seg(int s, uint16_t sel) { cpu_load_seg_real(c, s, sel); }

/* Loads code at CS:CODE (CS base 0) and steps until EIP is past it;
 * returns the number of cpu_run steps. */
static unsigned run(const uint8_t *code, size_t n, unsigned max)
{
    /* The same address gets new code each time: drop decoded blocks. */
    blockcache_flush(&h->bc);
    tlb_flush(c);
    harness_load(h, CODE, code, n);
    c->eip = CODE;
    c->halted = false;
    unsigned steps = 0;
    while (c->eip != CODE + n && steps < max) {
        cpu_run(c, 1);
        steps++;
    }
    cr_assert_eq(c->eip, CODE + n, "stopped at %08X after %u steps", c->eip, steps);
    return steps;
}
#define RUN(...) run((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }), 100000)

/* ---------------- string instructions ---------------- */

/* x86 MOVS semantics on plain bytes: element by element, each element read
 * whole before it is written. */
static void ref_movs(uint8_t *mem, uint32_t si, uint32_t di, uint32_t count, unsigned n, bool df)
{
    for (uint32_t k = 0; k < count; k++) {
        uint8_t t[4];
        memcpy(t, mem + si, n);
        memcpy(mem + di, t, n);
        si += df ? (uint32_t)-n : n;
        di += df ? (uint32_t)-n : n;
    }
}

static uint32_t rng = 12345;
static uint8_t rnd8(void)
{
    rng = rng * 1103515245u + 12345u;
    return (uint8_t)(rng >> 16);
}

Test(datamove, rep_movs_overlap_matches_reference)
{
    static const int deltas[] = { -7, -4, -2, -1, 1, 2, 3, 4, 9, 300, -300 };
    static const uint32_t bases[] = { 0x3000, 0x2FF3, 0x3FFE };
    static uint8_t ref[1u << 20];
    for (unsigned n = 1; n <= 4; n *= 2)
        for (int df = 0; df <= 1; df++)
            for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++)
                for (size_t d = 0; d < sizeof deltas / sizeof deltas[0]; d++) {
                    setup("pentium2");
                    for (uint32_t a = 0x2000; a < 0x5000; a++)
                        poke8(a, rnd8());
                    memcpy(ref, h->bus.ram, 1u << 20);
                    uint32_t si = bases[b], di = (uint32_t)((int)si + deltas[d]);
                    uint32_t count = 211;
                    c->reg[R_ESI] = si;
                    c->reg[R_EDI] = di;
                    c->reg[R_ECX] = count;
                    if (df)
                        c->eflags |= F_DF;
                    if (n == 1)
                        RUN(0xF3, 0xA4);
                    else if (n == 2)
                        RUN(0xF3, 0xA5);
                    else
                        RUN(0xF3, 0x66, 0xA5);
                    ref_movs(ref, si, di, count, n, df);
                    for (uint32_t a = 0x2000; a < 0x5000; a++)
                        cr_assert_eq(peek8(a), ref[a], "n=%u df=%d si=%X di=%X: byte %X is %02X, want %02X",
                                     n, df, si, di, a, peek8(a), ref[a]);
                    uint32_t moved = count * n;
                    cr_assert_eq(c->reg[R_ESI], df ? si - moved : si + moved);
                    cr_assert_eq(c->reg[R_EDI], df ? di - moved : di + moved);
                    cr_assert_eq(c->reg[R_ECX], 0);
                    teardown();
                }
}

Test(datamove, movsb_forward_onto_next_byte_replicates)
{
    setup("pentium2");
    poke8(0x3000, 0xAB);
    c->reg[R_ESI] = 0x3000;
    c->reg[R_EDI] = 0x3001;
    c->reg[R_ECX] = 100;
    RUN(0xF3, 0xA4);
    for (uint32_t a = 0x3000; a <= 0x3064; a++)
        cr_assert_eq(peek8(a), 0xAB);
    teardown();
}

Test(datamove, movs_segment_override_source)
{
    setup("pentium2");
    seg(S_ES, 0x0500);  /* dest base 0x5000 */
    seg(S_DS, 0x0600);
    /* CS base is 0: the source is CS:0x2000 */
    poke16(0x2000, 0xBEEF);
    poke16(0x6000 + 0x2000, 0x1111);
    c->reg[R_ESI] = 0x2000;
    c->reg[R_EDI] = 0x0010;
    RUN(0x2E, 0xA5);
    cr_assert_eq(peek16(0x5010), 0xBEEF);
    cr_assert_eq(c->reg[R_ESI], 0x2002);
    cr_assert_eq(c->reg[R_EDI], 0x0012);
    teardown();
}

Test(datamove, repe_cmpsb_stops_at_mismatch)
{
    setup("pentium2");
    memcpy(h->bus.ram + 0x2000, "hello world", 11);
    memcpy(h->bus.ram + 0x3000, "hello wOrld", 11);
    c->reg[R_ESI] = 0x2000;
    c->reg[R_EDI] = 0x3000;
    c->reg[R_ECX] = 11;
    RUN(0xF3, 0xA6);
    cr_assert_eq(c->reg[R_ECX], 3);
    cr_assert_eq(c->reg[R_ESI], 0x2008);
    cr_assert_eq(c->reg[R_EDI], 0x3008);
    cr_assert_eq(flag_zf(c), 0);
    cr_assert_eq(flag_cf(c), 0); /* 'o' - 'O' */

    /* All equal: runs out with ZF=1. */
    c->reg[R_ESI] = 0x2000;
    c->reg[R_EDI] = 0x3000;
    c->reg[R_ECX] = 7;
    RUN(0xF3, 0xA6);
    cr_assert_eq(c->reg[R_ECX], 0);
    cr_assert_eq(flag_zf(c), 1);

    /* REPNE: stops at the first equal element. */
    c->reg[R_ESI] = 0x2006;
    c->reg[R_EDI] = 0x3000;
    c->reg[R_ECX] = 11;
    RUN(0xF2, 0xA6); /* "world" vs "hello wOrld": 'l' == 'l' at index 3 */
    cr_assert_eq(c->reg[R_ECX], 7);
    cr_assert_eq(c->reg[R_ESI], 0x200A);
    cr_assert_eq(flag_zf(c), 1);

    /* CX = 0: nothing at all, flags included. */
    c->lf.res = 1;
    c->lf.eager = 0;
    c->reg[R_ECX] = 0;
    c->reg[R_ESI] = 0x2000;
    RUN(0xF3, 0xA6);
    cr_assert_eq(c->reg[R_ESI], 0x2000);
    cr_assert_eq(flag_zf(c), 0);
    teardown();
}

Test(datamove, repne_scasb_strlen)
{
    setup("pentium2");
    memcpy(h->bus.ram + 0x2000, "abcd", 5);
    c->reg[R_EAX] = 0x1200;
    c->reg[R_EDI] = 0x2000;
    c->reg[R_ECX] = 0xFFFF;
    RUN(0xF2, 0xAE);
    cr_assert_eq(c->reg[R_EDI], 0x2005);
    cr_assert_eq(c->reg[R_ECX], 0xFFFF - 5);
    cr_assert_eq(flag_zf(c), 1);
    teardown();
}

Test(datamove, address_size_selects_registers)
{
    setup("pentium2");
    /* a16: only CX/DI count and move. */
    c->reg[R_EAX] = 0x5A;
    c->reg[R_ECX] = 0xABCD0003u;
    c->reg[R_EDI] = 0x12340100u;
    RUN(0xF3, 0xAA);
    cr_assert_eq(c->reg[R_ECX], 0xABCD0000u);
    cr_assert_eq(c->reg[R_EDI], 0x12340103u);
    cr_assert_eq(peek8(0x100), 0x5A);
    cr_assert_eq(peek8(0x102), 0x5A);
    cr_assert_eq(peek8(0x103), 0);
    /* a16: DI wraps at 64 KiB, the upper half of EDI stays. */
    c->reg[R_ECX] = 2;
    c->reg[R_EDI] = 0x7777FFFFu;
    RUN(0xF3, 0xAA);
    cr_assert_eq(c->reg[R_EDI], 0x77770001u);
    cr_assert_eq(peek8(0xFFFF), 0x5A);
    cr_assert_eq(peek8(0x0000), 0x5A);
    /* a32 (67 prefix): ECX and EDI in full. */
    c->reg[R_ECX] = 3;
    c->reg[R_EDI] = 0x200;
    RUN(0x67, 0xF3, 0xAA);
    cr_assert_eq(c->reg[R_ECX], 0);
    cr_assert_eq(c->reg[R_EDI], 0x203);
    /* a32 LODSD in 32-bit code. */
    harness_flat32(h);
    poke32(0x45678, 0xCAFEF00D);
    c->reg[R_ESI] = 0x45678;
    RUN(0xAD);
    cr_assert_eq(c->reg[R_EAX], 0xCAFEF00D);
    cr_assert_eq(c->reg[R_ESI], 0x4567C);
    teardown();
}

Test(datamove, rep_stosd_crosses_page_flat32)
{
    for (int df = 0; df <= 1; df++) {
        setup("pentium2");
        harness_flat32(h);
        uint32_t start = 0x10FFE, n = 1100;
        c->reg[R_EAX] = 0x11223344;
        c->reg[R_ECX] = n;
        c->reg[R_EDI] = start;
        if (df)
            c->eflags |= F_DF;
        RUN(0xF3, 0xAB);
        uint32_t lo = df ? start - 4 * (n - 1) : start;
        for (uint32_t k = 0; k < n; k++)
            cr_assert_eq(peek32(lo + 4 * k), 0x11223344, "df=%d element %u", df, k);
        cr_assert_eq(peek8(lo - 1), 0);
        cr_assert_eq(peek8(lo + 4 * n), 0);
        cr_assert_eq(c->reg[R_ECX], 0);
        cr_assert_eq(c->reg[R_EDI], df ? start - 4 * n : start + 4 * n);
        teardown();
    }
}

Test(datamove, long_rep_runs_in_chunks)
{
    setup("pentium2");
    seg(S_ES, 0x2000);
    c->reg[R_EAX] = 0xC3;
    c->reg[R_ECX] = 0xF000;
    c->reg[R_EDI] = 0;
    unsigned steps = RUN(0xF3, 0xAA);
    cr_assert_gt(steps, 1);
    cr_assert_eq(c->reg[R_ECX], 0);
    cr_assert_eq(c->reg[R_EDI], 0xF000);
    for (uint32_t a = 0x20000; a < 0x2F000; a++)
        cr_assert_eq(peek8(a), 0xC3);
    cr_assert_eq(peek8(0x2F000), 0);
    teardown();
}

/* Real mode on the 286+: a word at ES:FFFF is a #GP(0) (interrupt 13).
 * Runs REP MOVSW into it and returns at the handler's entry. */
static void rep_movsw_into_ffff(const char *model)
{
    setup(model);
    poke16(13 * 4, 0x0500);  /* IVT[13] = 0000:0500 */
    poke16(13 * 4 + 2, 0);
    harness_load(h, 0x500, (const uint8_t[]){ 0x90, 0x90, 0x90 }, 3);
    seg(S_SS, 0);
    c->reg[R_ESP] = 0x8000;
    seg(S_ES, 0x3000);
    c->reg[R_ESI] = 0x2000;
    c->reg[R_EDI] = 0xFFF1;
    c->reg[R_ECX] = 20;
    harness_load(h, CODE, (const uint8_t[]){ 0xF3, 0xA5 }, 2);
    c->eip = CODE;
    for (int k = 0; k < 10 && (c->eip < 0x500 || c->eip > 0x502); k++)
        cpu_run(c, 1);
    cr_assert(c->eip >= 0x500 && c->eip <= 0x501, "eip %X", c->eip);
    cr_assert_eq(c->reg[R_ESP], 0x7FFA);
    cr_assert_eq(peek16(0x7FFA), CODE); /* IP of the REP itself */
}

/* 386+: precise; the registers are those of the 7 elements done. */
Test(datamove, rep_movsw_fault_is_restartable)
{
    rep_movsw_into_ffff("80386");
    cr_assert_eq(c->reg[R_ECX], 13);
    cr_assert_eq(c->reg[R_EDI], 0xFFFF);
    cr_assert_eq(c->reg[R_ESI], 0x200E);
    teardown();
}

/* 80286: SI, DI and CX have already moved for the faulting element
 * (SingleStepTests 80286 A5/6F data). */
Test(datamove, rep_movsw_fault_286_updates_early)
{
    rep_movsw_into_ffff("80286");
    cr_assert_eq(c->reg[R_ECX], 12);
    cr_assert_eq(c->reg[R_EDI], 0x0001);
    cr_assert_eq(c->reg[R_ESI], 0x2010);
    teardown();
}

Test(datamove, xlat)
{
    setup("pentium2");
    seg(S_DS, 0x0200);
    seg(S_ES, 0x0300);
    poke8(0x2405, 0x77);
    poke8(0x3405, 0x99);
    c->reg[R_EBX] = 0xFFFF0400u; /* a16: only BX counts */
    c->reg[R_EAX] = 0x1205;
    RUN(0xD7);
    cr_assert_eq(c->reg[R_EAX], 0x1277);
    c->reg[R_EAX] = 0x05;
    RUN(0x26, 0xD7);
    cr_assert_eq(c->reg[R_EAX], 0x99);
    /* BX + AL wraps at 64 KiB */
    poke8(0x2000 + 0x0002, 0x42);
    c->reg[R_EBX] = 0xFFF0;
    c->reg[R_EAX] = 0x12;
    RUN(0xD7);
    cr_assert_eq(c->reg[R_EAX], 0x42);
    teardown();
}

/* ---------------- port I/O ---------------- */

static uint32_t port_reads, port_last_out, port_last_size;
static uint32_t port_rd(void *o, uint32_t addr, unsigned size)
{
    (void)o;
    (void)addr;
    port_reads++;
    return size == 1 ? 0x40 + port_reads : size == 2 ? 0x1000 + port_reads : 0xA0000000u + port_reads;
}
static void port_wr(void *o, uint32_t addr, uint32_t v, unsigned size)
{
    (void)o;
    (void)addr;
    port_last_out = v;
    port_last_size = size;
}

Test(datamove, in_out_ins_outs)
{
    setup("pentium2");
    port_reads = 0;
    bus_register_io(&h->bus, 0x1F0, 1, port_rd, port_wr, NULL, BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32);
    bus_register_io(&h->bus, 0x60, 1, port_rd, port_wr, NULL, BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32);
    c->reg[R_EDX] = 0x1F0;
    c->reg[R_EAX] = 0xFFFFFFFFu;
    RUN(0xEC); /* in al, dx */
    cr_assert_eq(c->reg[R_EAX], 0xFFFFFF41u);
    RUN(0xED); /* in ax, dx */
    cr_assert_eq(c->reg[R_EAX], 0xFFFF1002u);
    RUN(0x66, 0xED); /* in eax, dx */
    cr_assert_eq(c->reg[R_EAX], 0xA0000003u);
    RUN(0xE4, 0x60); /* in al, 60h */
    cr_assert_eq(c->reg[R_EAX] & 0xFF, 0x44);
    c->reg[R_EAX] = 0x12345678;
    RUN(0xE7, 0x60); /* out 60h, ax */
    cr_assert_eq(port_last_out, 0x5678);
    cr_assert_eq(port_last_size, 2);
    RUN(0x66, 0xEF); /* out dx, eax */
    cr_assert_eq(port_last_out, 0x12345678);
    cr_assert_eq(port_last_size, 4);
    /* rep insw */
    port_reads = 0;
    c->reg[R_EDI] = 0x4000;
    c->reg[R_ECX] = 3;
    RUN(0xF3, 0x6D);
    cr_assert_eq(peek16(0x4000), 0x1001);
    cr_assert_eq(peek16(0x4004), 0x1003);
    cr_assert_eq(c->reg[R_EDI], 0x4006);
    cr_assert_eq(c->reg[R_ECX], 0);
    /* outsb with DS override to ES */
    seg(S_ES, 0x0500);
    poke8(0x5000 + 0x20, 0x9C);
    c->reg[R_ESI] = 0x20;
    RUN(0x26, 0x6E);
    cr_assert_eq(port_last_out, 0x9C);
    cr_assert_eq(port_last_size, 1);
    cr_assert_eq(c->reg[R_ESI], 0x21);
    teardown();
}

/* ---------------- stack ---------------- */

Test(datamove, pusha_popa_round_trip)
{
    setup("pentium2");
    seg(S_SS, 0x0700);
    const uint32_t v[8] = { 0x11110001, 0x22220002, 0x33330003, 0x44440004,
                            0x55558000, 0x66660006, 0x77770007, 0x88880008 };
    memcpy(c->reg, v, sizeof v);
    RUN(0x60);
    cr_assert_eq(c->reg[R_ESP], 0x55557FF0u);
    /* DI SI BP SP BX DX CX AX from low to high */
    const uint16_t want[8] = { 0x0008, 0x0007, 0x0006, 0x8000, 0x0004, 0x0003, 0x0002, 0x0001 };
    for (int k = 0; k < 8; k++)
        cr_assert_eq(peek16(0x7000 + 0x7FF0 + 2 * k), want[k], "slot %d", k);
    poke16(0x7000 + 0x7FF6, 0x1234); /* the SP slot is skipped by POPA */
    for (int r = 0; r < 8; r++)
        if (r != R_ESP)
            c->reg[r] = 0xDEADBEEF;
    RUN(0x61);
    for (int r = 0; r < 8; r++)
        if (r != R_ESP)
            cr_assert_eq(c->reg[r], 0xDEAD0000u | (v[r] & 0xFFFF), "reg %d", r);
    cr_assert_eq(c->reg[R_ESP], 0x55558000u);

    /* 32-bit */
    memcpy(c->reg, v, sizeof v);
    c->reg[R_ESP] = 0x8000;
    RUN(0x66, 0x60);
    cr_assert_eq(c->reg[R_ESP], 0x7FE0);
    cr_assert_eq(peek32(0x7000 + 0x7FE0 + 12), 0x8000); /* original ESP */
    cr_assert_eq(peek32(0x7000 + 0x7FE0 + 28), 0x11110001);
    for (int r = 0; r < 8; r++)
        if (r != R_ESP)
            c->reg[r] = 0;
    RUN(0x66, 0x61);
    for (int r = 0; r < 8; r++)
        if (r != R_ESP)
            cr_assert_eq(c->reg[r], v[r], "reg %d", r);
    cr_assert_eq(c->reg[R_ESP], 0x8000);
    teardown();
}

Test(datamove, enter_leave_nesting)
{
    setup("pentium2");
    seg(S_SS, 0);
    /* level 0 */
    c->reg[R_EBP] = 0x7000;
    c->reg[R_ESP] = 0x6000;
    RUN(0xC8, 0x10, 0x00, 0x00);
    cr_assert_eq(c->reg[R_EBP], 0x5FFE);
    cr_assert_eq(c->reg[R_ESP], 0x5FEE);
    cr_assert_eq(peek16(0x5FFE), 0x7000);
    RUN(0xC9);
    cr_assert_eq(c->reg[R_EBP], 0x7000);
    cr_assert_eq(c->reg[R_ESP], 0x6000);

    /* level 1: push BP, push the frame pointer */
    RUN(0xC8, 0x04, 0x00, 0x01);
    cr_assert_eq(peek16(0x5FFE), 0x7000);
    cr_assert_eq(peek16(0x5FFC), 0x5FFE);
    cr_assert_eq(c->reg[R_EBP], 0x5FFE);
    cr_assert_eq(c->reg[R_ESP], 0x5FF8);

    /* level 3: two frame pointers copied from the old frame */
    c->reg[R_EBP] = 0x7000;
    c->reg[R_ESP] = 0x6000;
    poke16(0x6FFE, 0x1111);
    poke16(0x6FFC, 0x2222);
    RUN(0xC8, 0x10, 0x00, 0x03);
    cr_assert_eq(peek16(0x5FFE), 0x7000);
    cr_assert_eq(peek16(0x5FFC), 0x1111);
    cr_assert_eq(peek16(0x5FFA), 0x2222);
    cr_assert_eq(peek16(0x5FF8), 0x5FFE);
    cr_assert_eq(c->reg[R_EBP], 0x5FFE);
    cr_assert_eq(c->reg[R_ESP], 0x5FE8);

    /* level 0x23 is 3 (mod 32), 32-bit operand size */
    c->reg[R_EBP] = 0x7000;
    c->reg[R_ESP] = 0x6000;
    poke32(0x6FFC, 0xAAAA1111);
    poke32(0x6FF8, 0xBBBB2222);
    RUN(0x66, 0xC8, 0x08, 0x00, 0x23);
    cr_assert_eq(peek32(0x5FFC), 0x7000);
    cr_assert_eq(peek32(0x5FF8), 0xAAAA1111);
    cr_assert_eq(peek32(0x5FF4), 0xBBBB2222);
    cr_assert_eq(peek32(0x5FF0), 0x5FFC);
    cr_assert_eq(c->reg[R_EBP], 0x5FFC);
    cr_assert_eq(c->reg[R_ESP], 0x5FE8);
    RUN(0x66, 0xC9);
    cr_assert_eq(c->reg[R_EBP], 0x7000);
    cr_assert_eq(c->reg[R_ESP], 0x6000);
    teardown();
}

Test(datamove, push_sp_by_model)
{
    setup("8086");
    seg(S_SS, 0);
    c->reg[R_ESP] = 0x100;
    RUN(0x54);
    cr_assert_eq(peek16(0xFE), 0xFE);
    RUN(0xFF, 0xF4); /* push sp through FF /6 */
    cr_assert_eq(peek16(0xFC), 0xFC);
    teardown();

    setup("80286");
    seg(S_SS, 0);
    c->reg[R_ESP] = 0x100;
    RUN(0x54);
    cr_assert_eq(peek16(0xFE), 0x100);
    RUN(0xFF, 0xF4);
    cr_assert_eq(peek16(0xFC), 0xFE);
    teardown();
}

Test(datamove, push_wraps_on_8086)
{
    setup("8086");
    seg(S_SS, 0x1000);
    c->reg[R_ESP] = 1;
    c->reg[R_EAX] = 0xBEEF;
    RUN(0x50);
    cr_assert_eq(c->reg[R_ESP], 0xFFFF);
    cr_assert_eq(peek8(0x1FFFF), 0xEF);
    cr_assert_eq(peek8(0x10000), 0xBE);
    RUN(0x5B); /* pop bx: wraps back */
    cr_assert_eq(c->reg[R_EBX], 0xBEEF);
    cr_assert_eq(c->reg[R_ESP], 1);
    teardown();
}

Test(datamove, push_at_sp1_shuts_down_286)
{
    setup("80286");
    seg(S_SS, 0x1000);
    c->reg[R_ESP] = 1;
    harness_load(h, CODE, (const uint8_t[]){ 0x50 }, 1);
    c->eip = CODE;
    enum run_status st = RUN_LIMIT;
    for (int k = 0; k < 5 && st == RUN_LIMIT; k++)
        st = cpu_run(c, 1);
    cr_assert_eq(st, RUN_SHUTDOWN);
    teardown();
}

Test(datamove, pop_esp_based_memory)
{
    setup("pentium2");
    harness_flat32(h);
    c->reg[R_ESP] = 0x8000;
    poke32(0x8000, 0xCAFEBABE);
    RUN(0x8F, 0x04, 0x24); /* pop dword [esp] */
    cr_assert_eq(c->reg[R_ESP], 0x8004);
    cr_assert_eq(peek32(0x8004), 0xCAFEBABE);
    c->reg[R_ESP] = 0x8000;
    poke32(0x8000, 0x01020304);
    RUN(0x8F, 0x44, 0x24, 0x04); /* pop dword [esp+4]: [0x8004 + 4] */
    cr_assert_eq(c->reg[R_ESP], 0x8004);
    cr_assert_eq(peek32(0x8008), 0x01020304);
    /* push dword [esp]: address before the decrement */
    c->reg[R_ESP] = 0x8000;
    RUN(0xFF, 0x34, 0x24);
    cr_assert_eq(peek32(0x7FFC), 0x01020304);
    teardown();
}

Test(datamove, push_pop_sreg)
{
    setup("pentium2");
    seg(S_SS, 0);
    seg(S_DS, 0x1234);
    c->reg[R_ESP] = 0x1000 + 0x800;
    poke32(0x17FC, 0xAAAAAAAA);
    RUN(0x66, 0x1E); /* push ds, o32: only the low word is written */
    cr_assert_eq(c->reg[R_ESP], 0x17FC);
    cr_assert_eq(peek32(0x17FC), 0xAAAA1234);
    poke32(0x17FC, 0x55550200);
    RUN(0x66, 0x07); /* pop es, o32 */
    cr_assert_eq(c->seg[S_ES].sel, 0x0200);
    cr_assert_eq(c->seg[S_ES].base, 0x2000);
    cr_assert_eq(c->reg[R_ESP], 0x1800);
    RUN(0x0F, 0xA8); /* push gs */
    cr_assert_eq(c->reg[R_ESP], 0x17FE);
    poke16(0x17FE, 0x0300);
    c->attention = 0;
    run((const uint8_t[]){ 0x17 }, 1, 10); /* pop ss */
    cr_assert_eq(c->seg[S_SS].sel, 0x0300);
    cr_assert(c->attention & ATT_SHADOW);
    teardown();
}

Test(datamove, pop_cs_8086)
{
    setup("8086");
    seg(S_SS, 0);
    c->reg[R_ESP] = 0x800;
    poke16(0x800, 0x0040);
    harness_load(h, CODE, (const uint8_t[]){ 0x0F }, 1);
    c->eip = CODE;
    cpu_run(c, 1);
    cr_assert_eq(c->seg[S_CS].sel, 0x0040);
    cr_assert_eq(c->eip, CODE + 1);
    cr_assert_eq(c->reg[R_ESP], 0x802);
    teardown();
}

Test(datamove, pushf_popf)
{
    setup("8086");
    seg(S_SS, 0);
    c->reg[R_ESP] = 0x800;
    poke16(0x800, 0x0000);
    RUN(0x9D, 0x9C);
    cr_assert_eq(peek16(0x800), 0xF002);
    teardown();

    setup("pentium2");
    seg(S_SS, 0);
    c->reg[R_ESP] = 0x800;
    poke32(0x800, 0xFFFFFEFFu); /* all but TF */
    RUN(0x66, 0x9D, 0x66, 0x9C);
    /* writable 0x277FD5 minus VM RF VIP VIF (and TF), plus bit 1 */
    cr_assert_eq(peek32(0x800), 0x00247ED7u);
    cr_assert_eq(flag_of(c), 1);
    cr_assert_eq(flag_zf(c), 1);
    cr_assert(c->eflags & F_IF);
    poke16(0x7FE, 0x0000);
    c->reg[R_ESP] = 0x7FE;
    RUN(0x9D); /* 16-bit: only the low word */
    cr_assert_eq(c->eflags & 0xFFFF0000u, 0x00240000u);
    cr_assert_eq(flag_cf(c), 0);
    teardown();
}

/* ---------------- MOV family ---------------- */

Test(datamove, lahf_sahf)
{
    setup("pentium2");
    c->reg[R_EAX] = 0xFF00;
    c->lf.of = 1;
    RUN(0x9E); /* sahf */
    cr_assert_eq(flag_sf(c), 1);
    cr_assert_eq(flag_zf(c), 1);
    cr_assert_eq(flag_af(c), 1);
    cr_assert_eq(flag_pf(c), 1);
    cr_assert_eq(flag_cf(c), 1);
    cr_assert_eq(flag_of(c), 1);
    c->reg[R_EAX] = 0;
    RUN(0x9F); /* lahf */
    cr_assert_eq(c->reg[R_EAX], 0xD700);
    c->reg[R_EAX] = 0;
    RUN(0x9E, 0x9F);
    cr_assert_eq(c->reg[R_EAX], 0x0200);
    cr_assert_eq(flag_of(c), 1);
    teardown();
}

Test(datamove, far_pointer_loads)
{
    setup("pentium2");
    seg(S_DS, 0x0300);
    poke16(0x3000 + 0xFFFE, 0x1234);
    poke16(0x3000 + 0x0000, 0x0567);
    RUN(0xC4, 0x06, 0xFE, 0xFF); /* les ax, [0xFFFE]: selector wraps to DS:0 */
    cr_assert_eq(c->reg[R_EAX] & 0xFFFF, 0x1234);
    cr_assert_eq(c->seg[S_ES].sel, 0x0567);
    poke32(0x3000 + 0x40, 0x89ABCDEF);
    poke16(0x3000 + 0x44, 0x0222);
    c->reg[R_EBX] = 0x40;
    RUN(0x66, 0x0F, 0xB2, 0x27); /* lss esp, [bx] */
    cr_assert_eq(c->reg[R_ESP], 0x89ABCDEF);
    cr_assert_eq(c->seg[S_SS].sel, 0x0222);
    RUN(0x0F, 0xB5, 0x0F); /* lgs cx, [bx] */
    cr_assert_eq(c->reg[R_ECX] & 0xFFFF, 0xCDEF);
    cr_assert_eq(c->seg[S_GS].sel, 0x89AB);
    teardown();
}

Test(datamove, mov_sreg_forms)
{
    setup("pentium2");
    seg(S_DS, 0x1234);
    c->reg[R_EAX] = 0xFFFFFFFFu;
    RUN(0x66, 0x8C, 0xD8); /* mov eax, ds: zero-extended */
    cr_assert_eq(c->reg[R_EAX], 0x1234);
    c->reg[R_EAX] = 0xFFFFFFFFu;
    RUN(0x8C, 0xD8); /* mov ax, ds */
    cr_assert_eq(c->reg[R_EAX], 0xFFFF1234u);
    poke32(0x12340 + 0x10, 0xAAAAAAAA);
    RUN(0x66, 0x8C, 0x1E, 0x10, 0x00); /* mov [0x10], ds with o32: 16 bits */
    cr_assert_eq(peek32(0x12350), 0xAAAA1234);
    c->reg[R_EBX] = 0x0400;
    RUN(0x8E, 0xE3); /* mov fs, bx */
    cr_assert_eq(c->seg[S_FS].sel, 0x0400);
    cr_assert_eq(c->seg[S_FS].base, 0x4000);
    teardown();
}

Test(datamove, mov_cs_8086_and_ud_later)
{
    setup("8086");
    c->reg[R_EAX] = 0x0100;
    harness_load(h, CODE, (const uint8_t[]){ 0x8E, 0xC8 }, 2);
    c->eip = CODE;
    cpu_run(c, 1);
    cr_assert_eq(c->seg[S_CS].sel, 0x0100);
    cr_assert_eq(c->eip, CODE + 2);
    teardown();

    setup("80186");
    seg(S_SS, 0);
    c->reg[R_ESP] = 0x800;
    poke16(6 * 4, 0x0600); /* IVT[6] = 0000:0600 */
    harness_load(h, 0x600, (const uint8_t[]){ 0x90, 0x90, 0x90 }, 3);
    c->reg[R_EAX] = 0x0100;
    harness_load(h, CODE, (const uint8_t[]){ 0x8E, 0xC8 }, 2);
    c->eip = CODE;
    cpu_run(c, 1);
    cr_assert(c->eip >= 0x600 && c->eip <= 0x601, "eip %X", c->eip);
    cr_assert_eq(c->seg[S_CS].sel, 0);
    cr_assert_eq(peek16(0x7FA), CODE);
    teardown();
}

Test(datamove, mov_moffs_and_imm)
{
    setup("pentium2");
    seg(S_DS, 0x0200);
    poke32(0x2000 + 0x1234, 0x89ABCDEF);
    RUN(0x66, 0xA1, 0x34, 0x12); /* mov eax, [0x1234] */
    cr_assert_eq(c->reg[R_EAX], 0x89ABCDEF);
    RUN(0xA2, 0x00, 0x01); /* mov [0x100], al */
    cr_assert_eq(peek8(0x2100), 0xEF);
    RUN(0xBE, 0x22, 0x11); /* mov si, 0x1122 */
    cr_assert_eq(c->reg[R_ESI] & 0xFFFF, 0x1122);
    RUN(0xB4, 0x99); /* mov ah, 0x99 */
    cr_assert_eq(c->reg[R_EAX], 0x89AB99EF);
    RUN(0xC7, 0x06, 0x00, 0x02, 0x34, 0x12); /* mov word [0x200], 0x1234 */
    cr_assert_eq(peek16(0x2200), 0x1234);
    teardown();
}

Test(datamove, movzx_movsx_cbw_cwd_lea_xchg)
{
    setup("pentium2");
    c->reg[R_EBX] = 0x0000F0F0;
    RUN(0x66, 0x0F, 0xBE, 0xC3); /* movsx eax, bl */
    cr_assert_eq(c->reg[R_EAX], 0xFFFFFFF0u);
    RUN(0x66, 0x0F, 0xB7, 0xCB); /* movzx ecx, bx */
    cr_assert_eq(c->reg[R_ECX], 0xF0F0);
    RUN(0x66, 0x0F, 0xBF, 0xD3); /* movsx edx, bx */
    cr_assert_eq(c->reg[R_EDX], 0xFFFFF0F0u);
    c->reg[R_EAX] = 0x12340080;
    RUN(0x98); /* cbw */
    cr_assert_eq(c->reg[R_EAX], 0x1234FF80u);
    RUN(0x66, 0x98); /* cwde */
    cr_assert_eq(c->reg[R_EAX], 0xFFFFFF80u);
    c->reg[R_EDX] = 0x55555555;
    RUN(0x99); /* cwd */
    cr_assert_eq(c->reg[R_EDX], 0x5555FFFFu);
    c->reg[R_EAX] = 0x7FFFFFFF;
    RUN(0x66, 0x99); /* cdq */
    cr_assert_eq(c->reg[R_EDX], 0);
    c->reg[R_EBX] = 0xFFF0;
    c->reg[R_ESI] = 0x20;
    c->reg[R_EDI] = 0xAAAAAAAA;
    RUN(0x66, 0x8D, 0x38); /* lea edi, [bx+si]: a16 wraps, then zero-extends */
    cr_assert_eq(c->reg[R_EDI], 0x0010);
    RUN(0x8D, 0x79, 0xFF); /* lea di, [bx+di-1] */
    cr_assert_eq(c->reg[R_EDI], 0xFFFF);
    c->reg[R_EAX] = 1;
    c->reg[R_ECX] = 2;
    RUN(0x91); /* xchg ax, cx */
    cr_assert_eq(c->reg[R_EAX], 2);
    cr_assert_eq(c->reg[R_ECX], 1);
    poke16(0x300, 0xABCD);
    c->reg[R_EBX] = 0x300;
    RUN(0x86, 0x27); /* xchg [bx], ah */
    cr_assert_eq(peek16(0x300), 0xAB00);
    cr_assert_eq(c->reg[R_EAX], 0xCD02);
    RUN(0x0F, 0x1F, 0x80, 0x00, 0x00); /* nop word [bx+si+0] */
    teardown();
}

Test(datamove, single_string_ops)
{
    setup("pentium2");
    seg(S_DS, 0x0200);
    seg(S_ES, 0x0300);
    poke16(0x2000 + 0x10, 0xA1B2);
    poke16(0x3000 + 0x20, 0xA1B2);
    poke32(0x2000 + 0x40, 0x00000001);
    poke32(0x3000 + 0x50, 0x00000002);
    c->reg[R_ESI] = 0x10;
    c->reg[R_EDI] = 0x20;
    c->reg[R_ECX] = 0x1234; /* ignored without REP */
    RUN(0xAD); /* lodsw */
    cr_assert_eq(c->reg[R_EAX] & 0xFFFF, 0xA1B2);
    cr_assert_eq(c->reg[R_ESI], 0x12);
    RUN(0xAF); /* scasw: equal */
    cr_assert_eq(flag_zf(c), 1);
    cr_assert_eq(c->reg[R_EDI], 0x22);
    c->reg[R_ESI] = 0x40;
    c->reg[R_EDI] = 0x50;
    RUN(0x66, 0xA7); /* cmpsd: 1 - 2 borrows */
    cr_assert_eq(flag_zf(c), 0);
    cr_assert_eq(flag_cf(c), 1);
    cr_assert_eq(flag_sf(c), 1);
    cr_assert_eq(c->reg[R_ESI], 0x44);
    cr_assert_eq(c->reg[R_EDI], 0x54);
    c->eflags |= F_DF;
    c->reg[R_EAX] = 0x77;
    RUN(0xAA); /* stosb, DF=1 */
    cr_assert_eq(peek8(0x3054), 0x77);
    cr_assert_eq(c->reg[R_EDI], 0x53);
    cr_assert_eq(c->reg[R_ECX], 0x1234);
    /* rep lodsb leaves the last element in AL */
    c->eflags &= ~(uint32_t)F_DF;
    memcpy(h->bus.ram + 0x2000 + 0x60, "xyz", 3);
    c->reg[R_ESI] = 0x60;
    c->reg[R_ECX] = 3;
    RUN(0xF3, 0xAC);
    cr_assert_eq(c->reg[R_EAX] & 0xFF, 'z');
    cr_assert_eq(c->reg[R_ESI], 0x63);
    cr_assert_eq(c->reg[R_ECX], 0);
    teardown();
}

Test(datamove, rep_outsb_and_ins_protected)
{
    setup("pentium2");
    port_reads = 0;
    bus_register_io(&h->bus, 0x3F8, 1, port_rd, port_wr, NULL, BUS_SIZE8 | BUS_SIZE16 | BUS_SIZE32);
    memcpy(h->bus.ram + 0x2000, "ABC", 3);
    c->reg[R_EDX] = 0x3F8;
    c->reg[R_ESI] = 0x2000;
    c->reg[R_ECX] = 3;
    RUN(0xF3, 0x6E);
    cr_assert_eq(port_last_out, 'C');
    cr_assert_eq(c->reg[R_ESI], 0x2003);

    /* 32-bit protected mode, CPL 0 = IOPL: allowed; INSD goes through
     * the write probe on a page the TLB does not know yet. */
    harness_flat32(h);
    c->reg[R_EDI] = 0x9FFFE; /* straddles a page */
    c->reg[R_ECX] = 2;
    RUN(0xF3, 0x6D);
    cr_assert_eq(peek32(0x9FFFE), 0xA0000001u);
    cr_assert_eq(peek32(0xA0002), 0xA0000002u);
    cr_assert_eq(c->reg[R_EDI], 0xA0006);

    /* CPL 3 > IOPL 0 and a TSS whose bitmap lies beyond its limit: #GP
     * before the port is touched (the IDT holds no gates, so the machine
     * shuts down; the point is that nothing was read). */
    c->cpl = 3;
    c->tr.limit = 0x67;
    unsigned before = port_reads;
    harness_load(h, CODE, (const uint8_t[]){ 0xEC }, 1);
    blockcache_flush(&h->bc);
    c->eip = CODE;
    enum run_status st = RUN_LIMIT;
    for (int k = 0; k < 5 && st == RUN_LIMIT; k++)
        st = cpu_run(c, 1);
    cr_assert_eq(st, RUN_SHUTDOWN);
    cr_assert_eq(port_reads, before);
    teardown();
}

/* 80286 real mode: POPF cannot change IOPL/NT (bits 12-15 stay as they
 * were); the 386 can set them. */
Test(datamove, popf_iopl_nt_in_real_mode)
{
    setup("80286");
    seg(S_SS, 0);
    c->reg[R_ESP] = 0x800;
    poke16(0x800, 0xF0FF & ~0x100); /* all but TF */
    RUN(0x9D, 0x9C);
    cr_assert_eq(peek16(0x800), 0x00D7);
    /* bits already set (e.g. by LOADALL) are kept */
    cpu_set_eflags(c, 0x3000, 0x3000);
    poke16(0x7FE, 0x0000);
    c->reg[R_ESP] = 0x7FE;
    RUN(0x9D, 0x9C);
    cr_assert_eq(peek16(0x7FE), 0x3002);
    teardown();

    setup("80386");
    seg(S_SS, 0);
    c->reg[R_ESP] = 0x800;
    poke16(0x800, 0xF000);
    RUN(0x9D, 0x9C);
    cr_assert_eq(peek16(0x800), 0x7002);
    teardown();
}

/* REP MOVS between pages that share a TLB entry (1 MiB apart), in both
 * directions and with elements straddling pages: same result as the
 * reference. */
Test(datamove, rep_movs_tlb_colliding_pages)
{
    static uint8_t ref[4u << 20];
    static const uint32_t dsts[] = { 0x200000, 0x200003, 0x180000, 0x1FFFFE };
    for (unsigned n = 1; n <= 4; n *= 2)
        for (int df = 0; df <= 1; df++)
            for (size_t d = 0; d < sizeof dsts / sizeof dsts[0]; d++) {
                h = harness_new("pentium2", 4u << 20);
                cr_assert_not_null(h);
                c = &h->cpu;
                harness_flat32(h);
                for (uint32_t a = 0x0F0000; a < 0x120000; a++)
                    h->bus.ram[a] = rnd8();
                memcpy(ref, h->bus.ram, 4u << 20);
                uint32_t si = df ? 0x11F001 : 0x100001, di = dsts[d] + (df ? 0x1F000 : 0);
                uint32_t count = 0x1C000 / n;
                c->reg[R_ESI] = si;
                c->reg[R_EDI] = di;
                c->reg[R_ECX] = count;
                if (df)
                    c->eflags |= F_DF;
                if (n == 1)
                    RUN(0xF3, 0xA4);
                else if (n == 2)
                    RUN(0xF3, 0x66, 0xA5);
                else
                    RUN(0xF3, 0xA5);
                ref_movs(ref, si, di, count, n, df);
                uint32_t bad = 0x2000; /* the code is below */
                while (bad < (4u << 20) && ref[bad] == h->bus.ram[bad])
                    bad++;
                cr_assert_eq(bad, 4u << 20, "n=%u df=%d di=%X: byte %X is %02X, want %02X", n, df,
                             di, bad, h->bus.ram[bad % (4u << 20)], ref[bad % (4u << 20)]);
                cr_assert_eq(c->reg[R_ECX], 0);
                teardown();
            }
}

/* A device source is read exactly once per element. */
static unsigned mmio_reads;
static uint32_t mmio_rd(void *o, uint32_t addr, unsigned size)
{
    (void)o;
    (void)size;
    mmio_reads++;
    return addr & 0xFF;
}
static void mmio_wr(void *o, uint32_t addr, uint32_t v, unsigned size)
{
    (void)o;
    (void)addr;
    (void)v;
    (void)size;
}

Test(datamove, rep_movsb_from_mmio_reads_once)
{
    setup("pentium2");
    harness_flat32(h);
    cr_assert(bus_map_mmio(&h->bus, 0xE0000000u, 0x2000, mmio_rd, mmio_wr, NULL, BUS_SIZE8, "t"));
    mmio_reads = 0;
    c->reg[R_ESI] = 0xE0000F80u;
    c->reg[R_EDI] = 0x40000;
    c->reg[R_ECX] = 0x100;
    RUN(0xF3, 0xA4);
    cr_assert_eq(mmio_reads, 0x100);
    for (uint32_t k = 0; k < 0x100; k++)
        cr_assert_eq(peek8(0x40000 + k), (0x80 + k) & 0xFF);
    teardown();
}

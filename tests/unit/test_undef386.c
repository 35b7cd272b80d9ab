/* The 80386's values for flags the SDM leaves undefined (model
 * undef_flags = UF_80386: cpu/exec_shift.c, cpu/exec_bit.c, and the BCD
 * rules it shares with later parts in cpu/exec_bcd.c).
 *
 * Every expectation here is one of test386.asm's TEST_UNDEF checks (POST
 * E0, "results have been validated against 386SX hardware"), run the same
 * way: FLAGS set from a value, the operands loaded, one instruction, and
 * FLAGS compared under OF|SF|ZF|AF|PF|CF.  Each table is also run on
 * models that must NOT give the 386 values, so a rule leaking to other
 * models (or the 386 losing it) fails here. */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/flags.h"
#include "harness.h"
#include "mmu/mem.h"

#define CODE 0x1000u
#define ARITH 0x8D5u /* OF SF ZF AF PF CF */
#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u

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

/* Runs one instruction at CS:CODE with EAX, ECX and the arithmetic flags
 * given; returns the arithmetic flags after it. */
static uint32_t exec(const uint8_t *code, size_t n, uint32_t eax, uint32_t ecx, uint32_t fl)
{
    blockcache_flush(&h->bc);
    tlb_flush(c);
    harness_load(h, CODE, code, n);
    c->eip = CODE;
    c->halted = false;
    c->reg[R_EAX] = eax;
    c->reg[R_ECX] = ecx;
    cpu_set_eflags(c, fl, ARITH);
    cpu_run(c, 1);
    cr_assert_eq(c->eip, CODE + n, "%02X %02X: stopped at %08X", code[0], code[1], c->eip);
    return cpu_get_eflags(c) & ARITH;
}

/* ---------------- SHL / SHR by CL ---------------- */

struct shift_case {
    uint8_t op[2];       /* D2/D3 and the ModRM (AL/AX, CL) */
    uint16_t val;        /* AL or AX */
    uint8_t cnt;         /* CL */
    uint16_t fin;        /* flags before */
    uint16_t fout;       /* flags after, on the 80386 */
};

#define SHR_B 0xD2, 0xE8
#define SHL_B 0xD2, 0xE0
#define SHR_W 0xD3, 0xE8
#define SHL_W 0xD3, 0xE0
#define RCR_B 0xD2, 0xD8
#define RCL_B 0xD2, 0xD0
#define RCR_W 0xD3, 0xD8
#define RCL_W 0xD3, 0xD0

/* test386.asm, shifts386FlagsTest: AF = 1 for any count > 0; byte
 * counts 8/16/24 give CF = MSB (SHR) or LSB (SHL, with OF = CF); other
 * counts past the width give CF = OF = 0; count 32 is masked to 0. */
static const struct shift_case shifts[] = {
    { { SHR_B }, 0x81, 1, 0, CF | AF | OF },
    { { SHR_B }, 0x82, 2, 0, CF | AF },
    { { SHR_B }, 0x80, 8, 0, CF | PF | AF | ZF },
    { { SHR_B }, 0x00, 8, CF, PF | AF | ZF },
    { { SHR_B }, 0x80, 16, 0, CF | PF | AF | ZF },
    { { SHR_B }, 0x00, 16, CF, PF | AF | ZF },
    { { SHR_B }, 0x80, 24, 0, CF | PF | AF | ZF },
    { { SHR_B }, 0x00, 24, CF, PF | AF | ZF },
    { { SHR_B }, 0x80, 32, 0, 0 },
    { { SHR_W }, 0x8000, 16, 0, CF | PF | AF | ZF },
    { { SHR_W }, 0x0000, 16, CF, PF | AF | ZF },
    { { SHR_W }, 0x8000, 32, 0, 0 },
    { { SHL_B }, 0x81, 1, 0, CF | AF | OF },
    { { SHL_B }, 0x41, 2, 0, CF | AF | OF },
    { { SHL_B }, 0x01, 8, 0, CF | PF | AF | ZF | OF },
    { { SHL_B }, 0x00, 8, CF, PF | AF | ZF },
    { { SHL_B }, 0x01, 16, 0, CF | PF | AF | ZF | OF },
    { { SHL_B }, 0x00, 16, CF, PF | AF | ZF },
    { { SHL_B }, 0x01, 24, 0, CF | PF | AF | ZF | OF },
    { { SHL_B }, 0x00, 24, CF, PF | AF | ZF },
    { { SHL_B }, 0x01, 32, 0, 0 },
    { { SHL_W }, 0x01, 16, 0, CF | PF | AF | ZF | OF },
    { { SHL_W }, 0x00, 16, CF, PF | AF | ZF },
    { { SHL_W }, 0x01, 32, 0, 0 },
};

/* test386.asm, rotate386FlagsTest: RCR/RCL by 9 (byte) and 17 (word). */
static const struct shift_case rotates[] = {
    { { RCR_B }, 0, 9, 0, 0 },
    { { RCR_B }, 0, 9, CF | OF, CF },
    { { RCR_B }, 0x40, 9, 0, OF },
    { { RCR_B }, 0x40, 9, CF | OF, CF | OF },
    { { RCR_W }, 0, 17, 0, 0 },
    { { RCR_W }, 0, 17, CF | OF, CF },
    { { RCR_W }, 0x4000, 17, 0, OF },
    { { RCR_W }, 0x4000, 17, CF | OF, CF | OF },
    { { RCL_B }, 0, 9, 0, 0 },
    { { RCL_B }, 0, 9, CF | OF, CF | OF },
    { { RCL_B }, 0x80, 9, 0, OF },
    { { RCL_B }, 0x80, 9, CF | OF, CF },
    { { RCL_W }, 0, 17, 0, 0 },
    { { RCL_W }, 0, 17, CF | OF, CF | OF },
    { { RCL_W }, 0x8000, 17, 0, OF },
    { { RCL_W }, 0x8000, 17, CF | OF, CF },
};

/* Runs a table; returns how many rows gave the expected flags. */
static unsigned run_shifts(const struct shift_case *t, size_t n, bool want_match)
{
    unsigned match = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t ax = t[k].op[0] == 0xD2 ? 0xFF00u | t[k].val : t[k].val;
        uint32_t f = exec(t[k].op, 2, ax, t[k].cnt, t[k].fin);
        if (f == t[k].fout)
            match++;
        else if (want_match)
            cr_expect_eq(f, t[k].fout, "row %zu: %02X %02X val=%04X cl=%u in=%03X: flags %03X, want %03X",
                         k, t[k].op[0], t[k].op[1], t[k].val, t[k].cnt, t[k].fin, f, t[k].fout);
    }
    return match;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(undef386, shl_shr_flags_match_test386, .fini = teardown)
{
    setup("80386");
    cr_expect_eq(run_shifts(shifts, N(shifts), true), N(shifts));
}

Test(undef386, rcl_rcr_by_9_and_17_match_test386, .fini = teardown)
{
    setup("80386");
    cr_expect_eq(run_shifts(rotates, N(rotates), true), N(rotates));
}

Test(undef386, shift_results_unchanged_by_386_rules, .fini = teardown)
{
    setup("80386");
    static const uint8_t shr_b[] = { SHR_B }, shl_b[] = { SHL_B };
    (void)exec(shr_b, 2, 0x1280, 16, 0);
    cr_expect_eq(c->reg[R_EAX], 0x1200u, "SHR AL,16 leaves AL 0, AH alone");
    (void)exec(shl_b, 2, 0x1201, 24, 0);
    cr_expect_eq(c->reg[R_EAX], 0x1200u, "SHL AL,24 leaves AL 0, AH alone");
    (void)exec(shr_b, 2, 0x1282, 2, 0);
    cr_expect_eq(c->reg[R_EAX], 0x1220u);
}

/* SAR: not covered by test386; pcvm gives it the 386's SHR AF (= 1). */
Test(undef386, sar_sets_af, .fini = teardown)
{
    setup("80386");
    static const uint8_t sar_b[] = { 0xD2, 0xF8 };
    cr_expect_eq(exec(sar_b, 2, 0x40, 2, 0) & AF, AF);
}

/* The 486 and P6 keep their own values: AF 0 after SHR, CF 0 for a byte
 * SHR by 16.  The 80286 sets AF after SHR but SHL's AF is bit 4 of the
 * result. */
Test(undef386, other_models_do_not_take_386_shift_rules, .fini = teardown)
{
    static const char *const models[] = { "80486", "pentium2", "80286" };
    static const uint8_t shr_b[] = { SHR_B }, shl_b[] = { SHL_B };
    for (size_t m = 0; m < N(models); m++) {
        setup(models[m]);
        cr_expect_eq(exec(shr_b, 2, 0x80, 16, 0) & CF, 0, "%s: SHR AL(80h),16 CF", models[m]);
        cr_expect_eq(exec(shl_b, 2, 0x81, 1, 0) & AF, 0, "%s: SHL AL(81h),1 AF", models[m]);
        cr_expect_lt(run_shifts(shifts, N(shifts), false), N(shifts), "%s", models[m]);
        teardown();
    }
}

/* ---------------- BT / BTS / BTR / BTC ---------------- */

/* test386.asm, bt386FlagsTest: operand 1, bit offsets 0-3, flags in
 * 0 or CF; OF as an RCR with CF = 0 would give. */
static const struct { uint8_t bit; uint16_t fin, fout; } bts[] = {
    { 0, 0, CF }, { 0, CF, CF }, { 1, 0, OF }, { 1, CF, OF },
    { 2, 0, OF }, { 2, CF, OF }, { 3, 0, 0 }, { 3, CF, 0 },
};

/* ModRM reg field of 0F BA /4../7, and the 0F opcode of the r/m, r form. */
static const struct { const char *name; uint8_t ext, op; } btops[] = {
    { "bt", 4, 0xA3 }, { "bts", 5, 0xAB }, { "btr", 6, 0xB3 }, { "btc", 7, 0xBB },
};

/* All 16 forms (BT BTS BTR BTC x imm8/reg x 16/32-bit) of each row;
 * returns the number of (row, form) pairs that matched. */
static unsigned run_bts(bool want_match)
{
    unsigned match = 0;
    for (size_t k = 0; k < N(bts); k++)
        for (size_t o = 0; o < N(btops); o++)
            for (int o32 = 0; o32 < 2; o32++)
                for (int imm = 0; imm < 2; imm++) {
                    uint8_t code[5];
                    size_t n = 0;
                    if (o32)
                        code[n++] = 0x66;
                    code[n++] = 0x0F;
                    if (imm) {
                        code[n++] = 0xBA;
                        code[n++] = (uint8_t)(0xC0 | btops[o].ext << 3); /* AX/EAX */
                        code[n++] = bts[k].bit;
                    } else {
                        code[n++] = btops[o].op;
                        code[n++] = 0xC8; /* r/m AX/EAX, reg CX/ECX */
                    }
                    uint32_t f = exec(code, n, 1, bts[k].bit, bts[k].fin);
                    if (f == bts[k].fout)
                        match++;
                    else if (want_match)
                        cr_expect_eq(f, bts[k].fout, "%s %s, %s bit %u in=%03X: flags %03X, want %03X",
                                     btops[o].name, o32 ? "eax" : "ax", imm ? "imm8" : "cx",
                                     bts[k].bit, bts[k].fin, f, bts[k].fout);
                }
    return match;
}

Test(undef386, bt_family_of_matches_test386, .fini = teardown)
{
    setup("80386");
    cr_expect_eq(run_bts(true), N(bts) * N(btops) * 4);
}

/* The rotate's wrap-around: offset 0 gives OF = the operand's MSB
 * (bit -2 of the CF:operand ring), offset 1 gives bit 0. */
Test(undef386, bt_of_wraps_through_cf_and_msb, .fini = teardown)
{
    setup("80386");
    static const uint8_t bt_ax_0[] = { 0x0F, 0xBA, 0xE0, 0 }, bt_eax_0[] = { 0x66, 0x0F, 0xBA, 0xE0, 0 };
    static const uint8_t bt_ax_15[] = { 0x0F, 0xBA, 0xE0, 15 };
    cr_expect_eq(exec(bt_ax_0, 4, 0x8000, 0, 0), OF);
    cr_expect_eq(exec(bt_ax_0, 4, 0x0000, 0, OF), 0);
    cr_expect_eq(exec(bt_eax_0, 5, 0x80000000u, 0, 0), OF);
    cr_expect_eq(exec(bt_eax_0, 5, 0x00008000u, 0, 0), 0);
    cr_expect_eq(exec(bt_ax_15, 4, 0xE000, 0, 0), CF); /* bits 14 ^ 13 = 0 */
    cr_expect_eq(exec(bt_ax_15, 4, 0x4000, 0, 0), OF);
}

Test(undef386, other_models_leave_bt_of_alone, .fini = teardown)
{
    static const char *const models[] = { "80486", "pentium2" };
    for (size_t m = 0; m < N(models); m++) {
        setup(models[m]);
        cr_expect_lt(run_bts(false), N(bts) * N(btops) * 4, "%s", models[m]);
        teardown();
    }
}

/* ---------------- AAA AAD AAM AAS DAA DAS ---------------- */

/* test386.asm, bcd386FlagsTest (AX, flags before, flags after). */
static const struct { uint8_t op[2]; uint8_t n; uint16_t ax, fin, fout; } bcd[] = {
    { { 0x37 }, 1, 0x0000, 0, PF | ZF },
    { { 0x37 }, 1, 0x0001, PF | ZF | SF | OF, 0 },
    { { 0x37 }, 1, 0x007A, 0, CF | AF | SF | OF },
    { { 0x37 }, 1, 0x007B, AF, CF | PF | AF | SF | OF },
    { { 0xD5, 0x0A }, 2, 0x0001, CF | AF | OF, 0 },
    { { 0xD5, 0x0A }, 2, 0x0D8E, 0, CF | AF | OF },
    { { 0xD5, 0x0A }, 2, 0x0106, 0, AF },
    { { 0xD5, 0x0A }, 2, 0x01F7, 0, CF | AF },
    { { 0xD4, 0x0A }, 2, 0x0000, 0, ZF | PF },
    { { 0xD4, 0x0A }, 2, 0x0000, CF | AF | OF, ZF | PF },
    { { 0x3F }, 1, 0x0000, SF | OF, PF | ZF },
    { { 0x3F }, 1, 0x0000, AF, CF | PF | AF | SF },
    { { 0x3F }, 1, 0x0001, PF | ZF | SF | OF, 0 },
    { { 0x3F }, 1, 0x0680, AF, CF | AF | OF },
    { { 0x27 }, 1, 0x001A, AF | OF, AF },
    { { 0x27 }, 1, 0x001A, CF, CF | AF | SF | OF },
    { { 0x2F }, 1, 0x0080, OF, SF },
    { { 0x2F }, 1, 0x0080, AF, AF | OF },
};

Test(undef386, bcd_flags_match_test386, .fini = teardown)
{
    setup("80386");
    for (size_t k = 0; k < N(bcd); k++) {
        uint32_t f = exec(bcd[k].op, bcd[k].n, bcd[k].ax, 0, bcd[k].fin);
        cr_expect_eq(f, bcd[k].fout, "row %zu: %02X ax=%04X in=%03X: flags %03X, want %03X",
                     k, bcd[k].op[0], bcd[k].ax, bcd[k].fin, f, bcd[k].fout);
    }
}

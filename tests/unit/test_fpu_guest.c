/* x87 programs run by the interpreter (cpu/exec_fpu.c, cpu/fpu.c):
 * loads, stores and arithmetic end to end, stack overflow/underflow,
 * FSAVE/FRSTOR and FSTENV images in the 16- and 32-bit real-mode layouts
 * and the 32-bit protected-mode layout, FXSAVE, #MF with CR0.NE = 1 and
 * the FERR#/IRQ 13 path with NE = 0, #NM with EM/TS/MP, the P6-only
 * instructions per model, and the models without a coprocessor.
 *
 * Real-mode layout (CS = DS = SS = 0): IVT vectors 0-31 point at HLT
 * stubs (vector v stops at STUB + 2v + 1); code at CODE, data at DATA.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bus/machine.h"
#include "devices/cmos.h"
#include "cpu/flags.h"
#include "cpu/fpu.h"
#include "harness.h"
#include "roms/roms.h"

#define CODE 0x1000u
#define DATA 0x2000u
#define SAVE 0x3000u
#define STUB 0x5000u
#define STACK 0x8000u
#define NONE (-1)

static struct harness *mk(const char *model)
{
    struct harness *h = harness_new(model, 1u << 20);
    cr_assert_not_null(h, "harness for %s", model);
    harness_real_stubs(h, STUB);
    h->cpu.reg[R_ESP] = STACK;
    return h;
}

static uint32_t rd(struct harness *h, uint32_t a, unsigned n) { return bus_read(&h->bus, a, n); }
static void wr(struct harness *h, uint32_t a, uint32_t v, unsigned n) { bus_write(&h->bus, a, v, n); }

#define LOAD(h, addr, ...)                                              \
    do {                                                                \
        static const uint8_t code_[] = { __VA_ARGS__ };                 \
        harness_load((h), (addr), code_, sizeof code_);                 \
    } while (0)

static int run_vec(struct harness *h, uint32_t eip, uint64_t max)
{
    harness_run(h, eip, max);
    return harness_stub_vector(h, STUB);
}

static fx80 st(struct harness *h, unsigned i) { return fpu_st(&h->cpu, i); }

Test(fpu_guest, arithmetic_loads_stores)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    wr(h, DATA, 7, 2);                       /* int16 7 */
    wr(h, DATA + 4, 0x40490FDBu, 4);         /* float32 pi */
    LOAD(h, CODE,
         0xDB, 0xE3,                         /* fninit */
         0xDF, 0x06, 0x00, 0x20,             /* fild word [2000] */
         0xD9, 0xE8,                         /* fld1 */
         0xDE, 0xC1,                         /* faddp: 8 */
         0xD9, 0xFA,                         /* fsqrt: 2.828.. */
         0xD8, 0xC8,                         /* fmul st0, st0: 8 (rounded) */
         0xDF, 0x1E, 0x10, 0x20,             /* fistp word [2010] */
         0xD9, 0x06, 0x04, 0x20,             /* fld dword [2004] */
         0xDD, 0x1E, 0x20, 0x20,             /* fstp qword [2020] */
         0xDF, 0xE0,                         /* fnstsw ax */
         0xF4);
    cr_assert_eq(run_vec(h, CODE, 100), NONE);
    cr_assert_eq(rd(h, DATA + 0x10, 2), 8);
    cr_assert_eq(rd(h, DATA + 0x20, 4), 0x60000000u, "pi as double, low dword");
    cr_assert_eq(rd(h, DATA + 0x24, 4), 0x400921FBu, "pi as double, high dword");
    cr_assert_eq(c->reg[R_EAX] & 0xFFFF, 0x0020, "PE from the square root, stack empty (TOP 0)");
    cr_assert_eq(c->fpu.tw, 0xFFFF);
    harness_free(h);
}

Test(fpu_guest, stack_overflow_and_underflow)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xDB, 0xE3,                /* fninit */
         0xD9, 0xE8, 0xD9, 0xE8, 0xD9, 0xE8, 0xD9, 0xE8,
         0xD9, 0xE8, 0xD9, 0xE8, 0xD9, 0xE8, 0xD9, 0xE8, /* 8 x fld1 */
         0xD9, 0xEE,                         /* fldz: overflow */
         0xF4);
    cr_assert_eq(run_vec(h, CODE, 100), NONE);
    cr_assert_eq(c->fpu.sw & (SW_IE | SW_SF | SW_C1), SW_IE | SW_SF | SW_C1, "sw %04x", c->fpu.sw);
    fx80 v = st(h, 0);
    cr_assert(v.se == 0xFFFF && v.sig == 0xC000000000000000ull, "masked overflow: indefinite");

    LOAD(h, 0x1100, 0xDB, 0xE3,              /* fninit */
         0xD8, 0xC1,                         /* fadd st0, st1: both empty */
         0xDD, 0x1E, 0x00, 0x20,             /* fstp qword [2000]: stores the indefinite */
         0xF4);
    cr_assert_eq(run_vec(h, 0x1100, 100), NONE);
    cr_assert_eq(c->fpu.sw & (SW_IE | SW_SF | SW_C1), SW_IE | SW_SF, "underflow: C1 = 0");
    cr_assert_eq(rd(h, DATA + 4, 4), 0xFFF80000u, "double indefinite");
    cr_assert_eq(rd(h, DATA, 4), 0);
    harness_free(h);
}

/* The 94-byte 16-bit real-mode FSAVE image: linear FIP and FDP, FOP. */
Test(fpu_guest, fsave_frstor_16bit_real)
{
    struct harness *h = mk("80486");
    struct cpu *c = &h->cpu;
    wr(h, DATA, 0x3FC00000u, 4);             /* 1.5f */
    LOAD(h, CODE, 0xDB, 0xE3,                /* 1000 fninit */
         0xD9, 0xEB,                         /* 1002 fldpi */
         0xD9, 0x06, 0x00, 0x20,             /* 1004 fld dword [2000] */
         0xDD, 0x36, 0x00, 0x30,             /* 1008 fnsave [3000] */
         0xD9, 0xE8,                         /* 100C fld1 */
         0xDD, 0x26, 0x00, 0x30,             /* 100E frstor [3000] */
         0xF4);
    cr_assert_eq(run_vec(h, CODE, 3), NONE);
    fx80 pi = st(h, 1);
    cr_assert_eq(run_vec(h, c->eip, 1), NONE);   /* fnsave */
    cr_assert_eq(c->fpu.tw, 0xFFFF, "FNSAVE ends with FNINIT");
    cr_assert_eq(c->fpu.cw, 0x037F);
    cr_assert_eq(rd(h, SAVE + 0, 2), 0x037F, "CW");
    cr_assert_eq(rd(h, SAVE + 2, 2), 0x3000, "SW: TOP 6");
    cr_assert_eq(rd(h, SAVE + 4, 2), 0x0FFF, "TW: R6 R7 valid");
    cr_assert_eq(rd(h, SAVE + 6, 2), 0x1004, "FIP 15-0 (linear)");
    cr_assert_eq(rd(h, SAVE + 8, 2), 0x0106, "FIP 19-16 = 0, FOP D9 06 -> 106");
    cr_assert_eq(rd(h, SAVE + 10, 2), 0x2000, "FDP 15-0");
    cr_assert_eq(rd(h, SAVE + 12, 2), 0x0000, "FDP 19-16");
    cr_assert_eq(rd(h, SAVE + 14 + 8, 2), 0x3FFF, "ST0 = 1.5: exponent");
    cr_assert_eq(rd(h, SAVE + 14 + 4, 4), 0xC0000000u, "ST0 = 1.5: significand");
    cr_assert_eq(rd(h, SAVE + 24 + 8, 2), 0x4000, "ST1 = pi");
    cr_assert_eq(run_vec(h, c->eip, 10), NONE);
    cr_assert_eq(c->fpu.sw, 0x3000);
    cr_assert_eq(c->fpu.tw, 0x0FFF);
    cr_assert(st(h, 1).sig == pi.sig && st(h, 1).se == pi.se);
    cr_assert_eq(c->fpu.fip, 0x1004);
    harness_free(h);
}

/* FSTENV with a 66 prefix in real mode (28 bytes) and in 32-bit
 * protected mode. */
Test(fpu_guest, fstenv_layouts)
{
    struct harness *h = mk("pentium");
    struct cpu *c = &h->cpu;
    c->seg[S_CS].sel = 0;
    LOAD(h, CODE, 0xDB, 0xE3,                /* fninit */
         0xDD, 0x06, 0x10, 0x20,             /* 1002 fld qword [2010] */
         0x66, 0xD9, 0x36, 0x00, 0x30,       /* fnstenv [3000] (32-bit layout) */
         0xF4);
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(rd(h, SAVE + 0, 4), 0xFFFF037Fu, "CW, reserved ones above");
    cr_assert_eq(rd(h, SAVE + 12, 4), 0xFFFF1002u, "FIP 15-0");
    cr_assert_eq(rd(h, SAVE + 16, 4), 0x00000506u, "FOP DD 06 = 506, FIP 31-16 = 0");
    cr_assert_eq(rd(h, SAVE + 20, 4), 0xFFFF2010u, "FDP 15-0");
    cr_assert_eq(c->fpu.cw, 0x037F, "FNSTENV masks all exceptions (already masked)");
    harness_free(h);

    h = mk("pentium");
    c = &h->cpu;
    harness_flat32(h);
    c->seg[S_CS].sel = 0x08;
    c->seg[S_DS].sel = 0x10;
    wr(h, DATA, 0x3F800000u, 4);             /* 1.0f */
    LOAD(h, 0xFFE, 0xDB, 0xE3,               /* fninit (power-on: TW 5555, all unmasked) */
         0xD9, 0xE8,                         /* fld1 */
         0xD8, 0x0D, 0x00, 0x20, 0x00, 0x00, /* 1002 fmul dword [2000] */
         0xD9, 0x35, 0x00, 0x30, 0x00, 0x00, /* fnstenv [3000] */
         0xF4);
    cr_assert_eq(run_vec(h, 0xFFE, 10), NONE);
    cr_assert_eq(rd(h, SAVE + 12, 4), 0x1002u, "FIP offset");
    cr_assert_eq(rd(h, SAVE + 16, 4), 0x000D0008u, "FCS 08, FOP 00D");
    cr_assert_eq(rd(h, SAVE + 20, 4), 0x2000u, "FDP");
    cr_assert_eq(rd(h, SAVE + 24, 4), 0xFFFF0010u, "FDS");
    cr_assert_eq(rd(h, SAVE + 8, 4), 0xFFFF3FFFu, "TW: ST0 (R7) valid");
    harness_free(h);
}

/* An unmasked zero divide: nothing changes, ES/B set, and the next
 * waiting instruction takes #MF (CR0.NE = 1). */
Test(fpu_guest, mf_with_ne)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    c->cr[0] |= CR0_NE;
    wr(h, DATA, 0x037B, 2);                  /* ZE unmasked */
    LOAD(h, CODE, 0xDB, 0xE3,                /* 1000 fninit */
         0xD9, 0x2E, 0x00, 0x20,             /* 1002 fldcw [2000] */
         0xD9, 0xE8,                         /* 1006 fld1 */
         0xD9, 0xEE,                         /* 1008 fldz */
         0xDE, 0xF9,                         /* 100A fdivp st1, st0: ZE */
         0xDF, 0xE0,                         /* 100C fnstsw ax (no wait) */
         0x9B,                               /* 100E fwait: #MF */
         0xF4);
    cr_assert_eq(run_vec(h, CODE, 20), EX_MF);
    cr_assert_eq(rd(h, STACK - 6, 2), 0x100E, "#MF at the FWAIT");
    cr_assert_eq(c->reg[R_EAX] & 0xFFFF, 0xB084, "ZE ES B, TOP 6: sw %04x", c->reg[R_EAX] & 0xFFFF);
    cr_assert_eq(c->fpu.sw & 0x3800, 0x3000, "FDIVP did not pop");
    cr_assert(fx_is_zero(st(h, 0)), "operands unchanged");
    cr_assert_eq(c->fpu.fip, 0x100A, "FIP at the faulting FDIVP");
    harness_free(h);
}

struct ferr_log {
    int raised, lowered;
};
static void on_ferr(void *opaque, bool level)
{
    struct ferr_log *l = opaque;
    if (level)
        l->raised++;
    else
        l->lowered++;
}

/* CR0.NE = 0: FERR# goes up (the PC's IRQ 13), the next waiting
 * instruction waits until IGNNE# (port F0) or FNCLEX. */
Test(fpu_guest, ferr_irq13_without_ne)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    struct ferr_log log = { 0, 0 };
    c->ferr = on_ferr;
    c->ferr_opaque = &log;
    wr(h, DATA, 0x037B, 2);
    LOAD(h, CODE, 0xDB, 0xE3,                /* 1000 fninit */
         0xD9, 0x2E, 0x00, 0x20,             /* 1002 fldcw [2000] */
         0xD9, 0xE8, 0xD9, 0xEE,             /* fld1; fldz */
         0xDE, 0xF9,                         /* 100A fdivp: ZE, FERR# */
         0xD9, 0xE8,                         /* 100C fld1: waits */
         0xF4);
    harness_run(h, CODE, 5);
    cr_assert_eq(log.raised, 1, "FERR# asserted");
    harness_run(h, c->eip, 50);
    cr_assert_eq(c->eip, 0x100C, "the waiting instruction does not run");
    cr_assert_eq(c->fpu.sw & 0x3800, 0x3000);
    cpu_fpu_ignne(c);                         /* OUT F0h */
    cr_assert_eq(run_vec(h, c->eip, 5), NONE);
    cr_assert_eq(c->eip, 0x100F, "IGNNE#: it ran");
    cr_assert_eq(c->fpu.sw & 0x3800, 0x2800, "fld1 pushed");
    LOAD(h, 0x1100, 0xDB, 0xE2, 0xF4);        /* fnclex */
    cr_assert_eq(run_vec(h, 0x1100, 5), NONE);
    cr_assert_eq(log.lowered, 1, "FNCLEX drops FERR#");
    cr_assert_eq(c->fpu.sw & (SW_ES | SW_B | SW_ZE), 0);
    harness_free(h);
}

Test(fpu_guest, nm_with_em_ts_mp)
{
    struct harness *h = mk("80486");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xD9, 0xE8, 0xF4);         /* fld1 */
    c->cr[0] |= CR0_TS;
    cr_assert_eq(run_vec(h, CODE, 10), EX_NM, "TS: ESC faults");
    c->reg[R_ESP] = STACK;
    c->cr[0] &= ~(uint32_t)CR0_TS;
    c->cr[0] |= CR0_EM;
    cr_assert_eq(run_vec(h, CODE, 10), EX_NM, "EM: ESC faults");
    c->reg[R_ESP] = STACK;
    c->cr[0] &= ~(uint32_t)CR0_EM;
    LOAD(h, 0x1100, 0x9B, 0xF4);             /* fwait */
    c->cr[0] |= CR0_TS;
    cr_assert_eq(run_vec(h, 0x1100, 10), NONE, "WAIT with TS but not MP runs");
    c->cr[0] |= CR0_MP;
    cr_assert_eq(run_vec(h, 0x1100, 10), EX_NM, "WAIT with MP and TS faults");
    harness_free(h);
}

/* FCMOVcc and FCOMI are P6 instructions; FISTTP (SSE3) is #UD everywhere. */
Test(fpu_guest, p6_instructions_per_model)
{
    struct harness *h = mk("pentium");
    LOAD(h, CODE, 0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xEE, 0xDB, 0xF1, 0xF4); /* fcomi st1 */
    cr_assert_eq(run_vec(h, CODE, 10), EX_UD, "FCOMI on a Pentium");
    harness_free(h);

    h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xEE, /* fninit; fld1; fldz */
         0xDB, 0xF1,                          /* fcomi st0, st1: 0 < 1 -> CF */
         0xDA, 0xC1,                          /* fcmovb st0, st1: CF -> st0 = 1 */
         0xF4);
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(cpu_get_eflags(c) & (F_ZF | F_PF | F_CF), F_CF);
    cr_assert_eq(st(h, 0).se, 0x3FFF, "FCMOVB moved 1.0");
    LOAD(h, 0x1100, 0xDF, 0x0E, 0x00, 0x20, 0xF4);   /* fisttp word [2000] */
    cr_assert_eq(run_vec(h, 0x1100, 10), EX_UD);
    harness_free(h);
}

Test(fpu_guest, fxsave_image)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xDB, 0xE3, 0xD9, 0xEB,    /* fninit; fldpi */
         0x0F, 0xAE, 0x06, 0x00, 0x30,       /* fxsave [3000] */
         0xDB, 0xE3,                         /* fninit */
         0x0F, 0xAE, 0x0E, 0x00, 0x30,       /* fxrstor [3000] */
         0xF4);
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(rd(h, SAVE + 0, 2), 0x037F, "FCW");
    cr_assert_eq(rd(h, SAVE + 2, 2), 0x3800, "FSW: TOP 7");
    cr_assert_eq(rd(h, SAVE + 4, 1), 0x80, "abridged FTW: R7");
    cr_assert_eq(rd(h, SAVE + 6, 2), 0x01EB, "FOP D9 EB");
    cr_assert_eq(rd(h, SAVE + 8, 4), 0x1002, "FIP");
    cr_assert_eq(rd(h, SAVE + 32 + 4, 4), 0xC90FDAA2u, "ST0 = pi");
    cr_assert_eq(rd(h, SAVE + 32 + 8, 2), 0x4000);
    cr_assert_eq(rd(h, SAVE + 32 + 10, 4), 0, "reserved bytes of the slot");
    cr_assert_eq(c->fpu.tw, 0x3FFF, "FXRSTOR: R7 valid again");
    cr_assert_eq(st(h, 0).sig, 0xC90FDAA22168C235ull);
    LOAD(h, 0x1100, 0x0F, 0xAE, 0x06, 0x08, 0x30, 0xF4);  /* fxsave [3008]: misaligned */
    cr_assert_eq(run_vec(h, 0x1100, 10), EX_GP);
    harness_free(h);

    h = mk("pentium");
    LOAD(h, CODE, 0x0F, 0xAE, 0x06, 0x00, 0x30, 0xF4);
    cr_assert_eq(run_vec(h, CODE, 10), EX_UD, "no FXSR on the Pentium");
    harness_free(h);
}

/* FSIN out of range: C2 set, operand unchanged; FPREM's quotient bits. */
Test(fpu_guest, c2_and_fprem)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    wr(h, DATA, 0x5F800000u, 4);            /* 2^64 as float */
    wr(h, DATA + 4, 17, 2);
    wr(h, DATA + 6, 5, 2);
    LOAD(h, CODE, 0xDB, 0xE3,
         0xD9, 0x06, 0x00, 0x20,            /* fld dword [2000] */
         0xD9, 0xFE,                        /* fsin */
         0xF4);
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert(c->fpu.sw & SW_C2);
    cr_assert_eq(st(h, 0).se, 0x403F, "2^64 stays");
    LOAD(h, 0x1100, 0xDB, 0xE3,
         0xDF, 0x06, 0x06, 0x20,            /* fild word [2006]: 5 */
         0xDF, 0x06, 0x04, 0x20,            /* fild word [2004]: 17 */
         0xD9, 0xF8,                        /* fprem: 17 mod 5 = 2, Q = 3 */
         0xF4);
    cr_assert_eq(run_vec(h, 0x1100, 10), NONE);
    cr_assert_eq(c->fpu.sw & SW_CC, SW_C3 | SW_C1, "Q = 3: C3 = Q1, C1 = Q0; sw %04x", c->fpu.sw);
    cr_assert_eq(st(h, 0).se, 0x4000);
    cr_assert_eq(st(h, 0).sig, 0x8000000000000000ull);
    harness_free(h);
}

Test(fpu_guest, cpuid_fpu_bits)
{
    struct harness *h = mk("pentium2");
    LOAD(h, CODE, 0x0F, 0xA2, 0xF4);
    h->cpu.reg[R_EAX] = 1;
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert(h->cpu.reg[R_EDX] & 1, "FPU");
    cr_assert(h->cpu.reg[R_EDX] & (1u << 24), "FXSR");
    harness_free(h);
    h = mk("pentium");
    LOAD(h, CODE, 0x0F, 0xA2, 0xF4);
    h->cpu.reg[R_EAX] = 1;
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert(h->cpu.reg[R_EDX] & 1, "FPU");
    cr_assert(!(h->cpu.reg[R_EDX] & (1u << 24)), "no FXSR");
    harness_free(h);
}

/* Power-on state (SDM Vol. 3 table 9-1) and FNINIT. */
Test(fpu_guest, reset_and_fninit)
{
    struct harness *h = mk("80486");
    struct cpu *c = &h->cpu;
    cpu_reset(c);
    cr_assert_eq(c->fpu.cw, 0x0040);
    cr_assert_eq(c->fpu.tw, 0x5555);
    cr_assert_eq(c->fpu.sw, 0);
    harness_free(h);
}

/* FNSTENV then FLDENV restores the environment, in the 16-bit (66 prefix)
 * and 32-bit protected-mode layouts. */
Test(fpu_guest, fstenv_fldenv_round_trip_pm)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    harness_flat32(h);
    wr(h, DATA, 0x0B7A, 2);                     /* a control word: RC up, PC 53, ZE/IE unmasked */
    LOAD(h, 0xFF0, 0xDB, 0xE3,                  /* fninit */
         0xD9, 0x2D, 0x00, 0x20, 0x00, 0x00,    /* fldcw [2000] */
         0xD9, 0xEB, 0xD9, 0xEE,                /* fldpi; fldz */
         0xD9, 0x35, 0x00, 0x30, 0x00, 0x00,    /* fnstenv [3000] (32-bit) */
         0x66, 0xD9, 0x35, 0x00, 0x31, 0x00, 0x00, /* fnstenv [3100] (16-bit) */
         0xDB, 0xE3,                            /* fninit */
         0x66, 0xD9, 0x25, 0x00, 0x31, 0x00, 0x00, /* fldenv [3100] */
         0xF4);
    cr_assert_eq(run_vec(h, 0xFF0, 20), NONE);
    cr_assert_eq(rd(h, SAVE + 0, 2), 0x0B7A, "32-bit image: CW");
    cr_assert_eq(rd(h, SAVE + 0x100, 2), 0x0B7F, "16-bit image: CW masked by the first FNSTENV");
    cr_assert_eq(rd(h, SAVE + 0x104, 2), 0x1FFF, "16-bit image: TW (R6 zero, R7 valid)");
    cr_assert_eq(rd(h, SAVE + 0x108, 2), 0x08, "16-bit image: FCS");
    cr_assert_eq(c->fpu.cw, 0x0B7F, "FLDENV: CW back");
    cr_assert_eq(c->fpu.sw & SW_TOP, 6u << 11);
    cr_assert_eq(c->fpu.tw, 0x1FFF, "tags recomputed: R6 zero, R7 valid");
    cr_assert_eq(c->fpu.fcs, 0x08);
    cr_assert_eq(c->fpu.fip & 0xFFFF, 0x0FFA, "FIP of the fldz");
    LOAD(h, 0x1100, 0xD9, 0x25, 0x00, 0x30, 0x00, 0x00, 0xF4);  /* fldenv [3000] (32-bit) */
    c->fpu.cw = 0x037F;
    cr_assert_eq(run_vec(h, 0x1100, 5), NONE);
    cr_assert_eq(c->fpu.cw, 0x0B7A, "the 32-bit image: ZE and IE unmasked again");
    cr_assert_eq(c->fpu.fip, 0x0FFA);
    harness_free(h);
}

/* The PC wiring (bus/pcdevices.c): FERR# on IRQ 13 (slave IR5), port F0h
 * drops it and asserts IGNNE#; the equipment byte tells whether there is
 * a coprocessor. */
static struct machine *pc(const char *model)
{
    struct machine_config cfg = {
        .cpu_model = model, .bios = rom_test_halt, .bios_size = rom_test_halt_size,
        .ram_bytes = 1u << 20,
    };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    return m;
}

Test(fpu_guest, pc_irq13_and_port_f0)
{
    struct machine *m = pc("pentium2");
    struct cpu *c = &m->cpu;
    cr_assert_eq(cmos_get(&m->cmos, 0x14) & 2, 2, "equipment byte: coprocessor");
    cr_assert_not_null(c->ferr, "FERR# wired");
    /* an unmasked exception with CR0.NE = 0 */
    c->fpu.cw = 0x037B;
    c->fpu.sw |= SW_ZE;
    fpu_update_es(c);
    cr_assert(m->pic.chip[1].lines & (1u << 5), "IRQ 13 asserted");
    bus_out(&m->bus, 0xF0, 0, 1);
    cr_assert(!(m->pic.chip[1].lines & (1u << 5)), "port F0h clears it");
    cr_assert(c->fpu.ignne, "and asserts IGNNE#");
    c->fpu.sw &= (uint16_t)~SW_ZE;
    fpu_update_es(c);
    cr_assert(!c->fpu.ignne, "FERR# gone: IGNNE# released");
    machine_free(m);

    m = pc("80386");
    cr_assert_eq(cmos_get(&m->cmos, 0x14) & 2, 0, "no 387 on the 80386 model");
    machine_free(m);
}

/* The software x87 arithmetic (cpu/fpu_float.c, cpu/fpu_trans.c) against
 * the host's x87, bit for bit.
 *
 * For each operation: random operands (normals over the whole exponent
 * range and near 1, denormals, pseudo-denormals, zeros, infinities,
 * QNaNs, SNaNs, unsupported encodings, and constructed hard-rounding
 * cases: significands with long runs of ones or zeros at the rounding
 * point of each precision, and close pairs for cancellation), with every
 * rounding mode and every precision control setting, all exceptions
 * masked (fixed seeds: the same cases on every run).  The host runs the
 * instruction natively (inline asm; only in this test file) and its
 * result and status word (exception flags, C0-C3) are compared with
 * pcvm's.  Transcendentals are compared within 1 ulp of the host's
 * result (and exactly for special values).
 *
 * A summary line per operation, rounding mode and precision is printed
 * (cr_log_info), e.g. "fadd rc=near pc=64: 2000 cases, 0 mismatches".
 *
 * Only on x86 hosts; elsewhere the test reports itself skipped.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#if !defined(__x86_64__) && !defined(__i386__)

Test(fpu_host, skipped)
{
    cr_skip_test("fpu_host: the host has no x87 to compare the software FPU with "
                 "(these tests run on x86 hosts only)");
}

#else

#include <stdio.h>
#include <string.h>

#include "cpu/fpu_float.h"
#include "cpu/fpu_trans.h"

#define NCASE 1500u     /* random cases per operation, rounding mode and precision */

static uint64_t rs;
static void rseed(uint64_t s) { rs = (s + 1) * 0x9E3779B97F4A7C15ull; }
static uint64_t r64(void)
{
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return rs * 0x2545F4914F6CDD1Dull;
}
static uint32_t rbelow(uint32_t n) { return (uint32_t)(r64() >> 32) % n; }

static void put80(uint8_t b[10], fx80 v)
{
    for (int k = 0; k < 8; k++)
        b[k] = (uint8_t)(v.sig >> (8 * k));
    b[8] = (uint8_t)v.se;
    b[9] = (uint8_t)(v.se >> 8);
}
static fx80 get80(const uint8_t b[10])
{
    fx80 v = { 0, 0 };
    for (int k = 0; k < 8; k++)
        v.sig |= (uint64_t)b[k] << (8 * k);
    v.se = (uint16_t)(b[8] | b[9] << 8);
    return v;
}

/* Random significand with hard-rounding patterns. */
static uint64_t rsig(void)
{
    uint64_t s = r64();
    switch (rbelow(8)) {
    case 0: {   /* run of ones or zeros below a rounding point */
        static const unsigned pts[] = { 40, 11, 0, 1, 2, 20 };
        unsigned p = pts[rbelow(6)];
        uint64_t m = p ? (1ull << p) - 1 : 0;
        s = rbelow(2) ? (s | m) : (s & ~m);
        if (rbelow(2) && p)
            s ^= 1ull << (p - 1);
        break;
    }
    case 1: s = 0xFFFFFFFFFFFFFFFFull << rbelow(64); break;
    case 2: s = 0x8000000000000000ull | (r64() & 0xFF); break;
    default: break;
    }
    return s | 0x8000000000000000ull;
}

static fx80 rval(void)
{
    bool sg = rbelow(2);
    switch (rbelow(20)) {
    case 0: return fx_make(sg, 0, 0);
    case 1: return fx_make(sg, 0, rsig() >> (1 + rbelow(63)));                  /* denormal */
    case 2: return fx_make(sg, 0x7FFF, 0x8000000000000000ull);                  /* inf */
    case 3: return fx_make(sg, 0x7FFF, 0xC000000000000000ull | (r64() >> 2));   /* QNaN */
    case 4: return fx_make(sg, 0x7FFF, 0x8000000000000000ull | ((r64() >> 2) | 1)); /* SNaN */
    case 5: return fx_make(sg, 1 + rbelow(0x7FFE), r64() >> 1);                 /* unnormal */
    case 6: return fx_make(sg, 0, rsig());                                      /* pseudo-denormal */
    case 7: return fx_make(sg, rbelow(2) ? 1 + rbelow(80) : 0x7FFE - rbelow(80), rsig());
    case 8: return fx_make(sg, rbelow(2) ? 0x3F81 - 30 + rbelow(60) : 0x3C01 - 60 + rbelow(120), rsig());
    case 9: return fx_make(sg, rbelow(2) ? 0x407E - 5 + rbelow(10) : 0x43FE - 5 + rbelow(10), rsig());
    case 10: case 11: case 12:
        return fx_make(sg, 0x3FFF - 70 + rbelow(140), rsig());
    default:
        return fx_make(sg, 1 + rbelow(0x7FFE), rsig());
    }
}

/* Second operand: often close to the first (cancellation, equal values). */
static fx80 rval_near(fx80 a)
{
    if (rbelow(4) == 0) {
        fx80 b = a;
        if (rbelow(2))
            b.se ^= 0x8000;
        unsigned d = rbelow(4);
        b.se = (uint16_t)((b.se & 0x8000) | ((fx_exp(b) + d <= 0x7FFE && fx_exp(b) > 3) ? fx_exp(b) - d : fx_exp(b)));
        if (rbelow(2))
            b.sig ^= r64() >> (rbelow(64));
        b.sig |= fx_exp(b) ? 0x8000000000000000ull : 0;
        return b;
    }
    return rval();
}

static const char *rc_name[4] = { "near", "down", "up", "zero" };
static const unsigned pc_code[3] = { 0, 2, 3 };
static const char *pc_name[3] = { "24", "53", "64" };

/* ------------------------------------------------------------------ */
/* Host side.  All exceptions masked; results come back through memory. */

/* fn(cw, a, b): ST1 = b, ST0 = a, the instruction, then ST0 is the
 * result; `tail` pops what the instruction leaves above it. */
#define HOSTOP(fn, insn, tail)                                                  \
    static fx80 fn(uint16_t cw, fx80 a, fx80 b, uint16_t *sw)                  \
    {                                                                           \
        uint8_t ba[10], bb[10], br[10];                                         \
        put80(ba, a);                                                           \
        put80(bb, b);                                                           \
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" \
                         insn "\n\tfnstsw %[sw]\n\tfstpt %[r]" tail             \
                         : [r] "=m"(br), [sw] "=m"(*sw)                         \
                         : [a] "m"(ba), [b] "m"(bb), [cw] "m"(cw)               \
                         : "memory");                                           \
        return get80(br);                                                       \
    }
#define HOST2(fn, insn) HOSTOP(fn, insn, "\n\tfstp %%st(0)")
HOST2(h_add, "fadd %%st(1), %%st")
HOST2(h_sub, "fsub %%st(1), %%st")
HOST2(h_mul, "fmul %%st(1), %%st")
HOST2(h_div, "fdiv %%st(1), %%st")
HOST2(h_sqrt, "fsqrt")
HOST2(h_prem, "fprem")
HOST2(h_prem1, "fprem1")
HOST2(h_rndint, "frndint")
HOST2(h_scale, "fscale")
HOST2(h_sin, "fsin")
HOST2(h_cos, "fcos")
HOST2(h_f2xm1, "f2xm1")

/* FPATAN, FYL2X, FYL2XP1 pop (ST1 op ST0 -> ST0). */
HOSTOP(h_patan, "fpatan", "")
HOSTOP(h_yl2x, "fyl2x", "")
HOSTOP(h_yl2xp1, "fyl2xp1", "")

/* Two results (ST0 and ST1 after the instruction). */
#define HOSTPUSH(fn, insn)                                                      \
    static fx80 fn(uint16_t cw, fx80 a, fx80 *second, uint16_t *sw)            \
    {                                                                           \
        uint8_t ba[10], br[10], b2[10];                                         \
        put80(ba, a);                                                           \
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t"              \
                         insn "\n\tfnstsw %[sw]\n\tfstpt %[r]\n\tfstpt %[r2]"   \
                         : [r] "=m"(br), [r2] "=m"(b2), [sw] "=m"(*sw)          \
                         : [a] "m"(ba), [cw] "m"(cw)                            \
                         : "memory");                                           \
        *second = get80(b2);                                                    \
        return get80(br);                                                       \
    }
HOSTPUSH(h_xtract, "fxtract")
HOSTPUSH(h_ptan, "fptan")
HOSTPUSH(h_sincos, "fsincos")

static uint16_t h_com(uint16_t cw, fx80 a, fx80 b, bool quiet, uint32_t *eflags)
{
    uint8_t ba[10], bb[10];
    uint16_t sw, sw2;
    uintptr_t fl = 0;   /* PUSHF's width on either host */
    put80(ba, a);
    put80(bb, b);
    if (quiet)
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfucom %%st(1)\n\t"
                         "fnstsw %[sw]\n\tfnclex\n\tfucomi %%st(1), %%st\n\tfnstsw %[sw2]\n\t"
                         "pushf\n\tpop %[fl]\n\tfstp %%st(0)\n\tfstp %%st(0)"
                         : [sw] "=m"(sw), [sw2] "=m"(sw2), [fl] "=r"(fl)
                         : [a] "m"(ba), [b] "m"(bb), [cw] "m"(cw) : "memory", "cc");
    else
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfcom %%st(1)\n\t"
                         "fnstsw %[sw]\n\tfnclex\n\tfcomi %%st(1), %%st\n\tfnstsw %[sw2]\n\t"
                         "pushf\n\tpop %[fl]\n\tfstp %%st(0)\n\tfstp %%st(0)"
                         : [sw] "=m"(sw), [sw2] "=m"(sw2), [fl] "=r"(fl)
                         : [a] "m"(ba), [b] "m"(bb), [cw] "m"(cw) : "memory", "cc");
    *eflags = ((uint32_t)fl & 0x45) | ((uint32_t)(sw2 & 0x3F) << 16);
    return sw;
}

static fx80 h_fild(uint16_t cw, int64_t v, uint16_t *sw)
{
    uint8_t br[10];
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfildll %[v]\n\tfnstsw %[sw]\n\tfstpt %[r]"
                     : [r] "=m"(br), [sw] "=m"(*sw) : [v] "m"(v), [cw] "m"(cw) : "memory");
    return get80(br);
}

/* FIST m16/m32/m64 of a: returns the stored integer. */
static int64_t h_fist(uint16_t cw, fx80 a, unsigned bits, uint16_t *sw)
{
    uint8_t ba[10];
    int16_t w = 0;
    int32_t d = 0;
    int64_t q = 0;
    put80(ba, a);
    if (bits == 16)
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfistps %[o]\n\tfnstsw %[sw]"
                         : [o] "=m"(w), [sw] "=m"(*sw) : [a] "m"(ba), [cw] "m"(cw) : "memory");
    else if (bits == 32)
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfistpl %[o]\n\tfnstsw %[sw]"
                         : [o] "=m"(d), [sw] "=m"(*sw) : [a] "m"(ba), [cw] "m"(cw) : "memory");
    else
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfistpll %[o]\n\tfnstsw %[sw]"
                         : [o] "=m"(q), [sw] "=m"(*sw) : [a] "m"(ba), [cw] "m"(cw) : "memory");
    return bits == 16 ? w : bits == 32 ? d : q;
}

static uint64_t h_fst(uint16_t cw, fx80 a, unsigned bits, uint16_t *sw)
{
    uint8_t ba[10];
    uint32_t f = 0;
    uint64_t d = 0;
    put80(ba, a);
    if (bits == 32)
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfstps %[o]\n\tfnstsw %[sw]"
                         : [o] "=m"(f), [sw] "=m"(*sw) : [a] "m"(ba), [cw] "m"(cw) : "memory");
    else
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfstpl %[o]\n\tfnstsw %[sw]"
                         : [o] "=m"(d), [sw] "=m"(*sw) : [a] "m"(ba), [cw] "m"(cw) : "memory");
    return bits == 32 ? f : d;
}

static fx80 h_fld(uint16_t cw, uint64_t v, unsigned bits, uint16_t *sw)
{
    uint8_t br[10];
    uint32_t f = (uint32_t)v;
    if (bits == 32)
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tflds %[v]\n\tfnstsw %[sw]\n\tfstpt %[r]"
                         : [r] "=m"(br), [sw] "=m"(*sw) : [v] "m"(f), [cw] "m"(cw) : "memory");
    else
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[v]\n\tfnstsw %[sw]\n\tfstpt %[r]"
                         : [r] "=m"(br), [sw] "=m"(*sw) : [v] "m"(v), [cw] "m"(cw) : "memory");
    return get80(br);
}

static void h_fbstp(uint16_t cw, fx80 a, uint8_t out[10], uint16_t *sw)
{
    uint8_t ba[10];
    put80(ba, a);
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfbstp %[o]\n\tfnstsw %[sw]"
                     : [o] "=m"(*(uint8_t(*)[10])out), [sw] "=m"(*sw) : [a] "m"(ba), [cw] "m"(cw)
                     : "memory");
}

static fx80 h_fbld(uint16_t cw, const uint8_t in[10], uint16_t *sw)
{
    uint8_t br[10];
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfbld %[v]\n\tfnstsw %[sw]\n\tfstpt %[r]"
                     : [r] "=m"(br), [sw] "=m"(*sw) : [v] "m"(*(const uint8_t(*)[10])in), [cw] "m"(cw)
                     : "memory");
    return get80(br);
}

/* ------------------------------------------------------------------ */
/* Comparison bookkeeping. */

#define SW_MASK 0x3Fu           /* exception flags */
#define SW_C1 0x0200u
#define SW_C2 0x0400u
#define SW_CC 0x4700u

static unsigned long fails;

static bool same80(fx80 a, fx80 b) { return a.sig == b.sig && a.se == b.se; }

static void report(const char *op, unsigned rc, int pc, unsigned long n, unsigned long bad)
{
    if (pc >= 0)
        cr_log_info("%s rc=%s pc=%s: %lu cases, %lu mismatches", op, rc_name[rc], pc_name[pc], n, bad);
    else
        cr_log_info("%s rc=%s: %lu cases, %lu mismatches", op, rc_name[rc], n, bad);
    printf("fpu_host: %s rc=%s%s%s: %lu cases, %lu mismatches\n", op, rc_name[rc],
           pc >= 0 ? " pc=" : "", pc >= 0 ? pc_name[pc] : "", n, bad);
    fails += bad;
}

static void show(const char *op, uint16_t cw, fx80 a, fx80 b, fx80 want, uint16_t wsw,
                 fx80 got, uint16_t gsw, unsigned *shown)
{
    if ((*shown)++ >= 6)
        return;
    cr_log_error("%s cw=%04x a=%04x:%016llx b=%04x:%016llx host %04x:%016llx sw=%04x "
                 "pcvm %04x:%016llx sw=%04x", op, cw, a.se, (unsigned long long)a.sig, b.se,
                 (unsigned long long)b.sig, want.se, (unsigned long long)want.sig, wsw, got.se,
                 (unsigned long long)got.sig, gsw);
}

typedef fx80 (*host2_fn)(uint16_t, fx80, fx80, uint16_t *);
typedef fx80 (*soft2_fn)(struct fx_env *, fx80, fx80);

static fx80 s_sqrt(struct fx_env *e, fx80 a, fx80 b) { (void)b; return fx_sqrt(e, a); }
static fx80 s_rndint(struct fx_env *e, fx80 a, fx80 b) { (void)b; return fx_rndint(e, a); }

static uint16_t soft_sw(const struct fx_env *e) { return (uint16_t)(e->exc | (e->c1 ? SW_C1 : 0)); }

static void run2(const char *op, uint64_t seed, host2_fn h, soft2_fn s, bool with_pc)
{
    for (unsigned rc = 0; rc < 4; rc++)
        for (int pc = 0; pc < 3; pc++) {
            if (!with_pc && pc != 2)
                continue;
            rseed(seed * 16 + rc * 4 + (unsigned)pc);
            uint16_t cw = (uint16_t)(0x003F | (pc_code[pc] << 8) | (rc << 10));
            unsigned long bad = 0;
            unsigned shown = 0;
            for (unsigned n = 0; n < NCASE; n++) {
                fx80 a = rval(), b = rval_near(a);
                uint16_t hsw;
                fx80 want = h(cw, a, b, &hsw);
                struct fx_env e = { cw, 0, false };
                fx80 got = s(&e, a, b);
                uint16_t ssw = soft_sw(&e);
                if (!same80(want, got) || (hsw & (SW_MASK | SW_C1)) != ssw) {
                    bad++;
                    show(op, cw, a, b, want, hsw, got, ssw, &shown);
                }
            }
            report(op, rc, with_pc ? pc : -1, NCASE, bad);
        }
}

Test(fpu_host, arith)
{
    fails = 0;
    run2("fadd", 1, h_add, fx_add, true);
    run2("fsub", 2, h_sub, fx_sub, true);
    run2("fmul", 3, h_mul, fx_mul, true);
    run2("fdiv", 4, h_div, fx_div, true);
    run2("fsqrt", 5, h_sqrt, s_sqrt, true);
    run2("frndint", 6, h_rndint, s_rndint, false);
    run2("fscale", 7, h_scale, fx_scale, true);
    cr_expect_eq(fails, 0, "%lu mismatches with the host x87", fails);
}

/* FPREM/FPREM1: the result and C0-C3 (the quotient bits, C2). */
static void run_rem(const char *op, uint64_t seed, host2_fn h, bool nearest)
{
    for (unsigned rc = 0; rc < 4; rc++) {
        rseed(seed * 16 + rc);
        uint16_t cw = (uint16_t)(0x033F | (rc << 10));
        unsigned long bad = 0;
        unsigned shown = 0;
        for (unsigned n = 0; n < NCASE; n++) {
            fx80 a = rval(), b = rval_near(a);
            if (rbelow(2) && fx_exp(a) > 0 && fx_exp(a) < 0x7FFF) {
                /* exponent differences around the 64-bit step */
                unsigned d = rbelow(140);
                unsigned eb = fx_exp(a) > d ? fx_exp(a) - d : 1;
                b = fx_make(rbelow(2), eb, rsig());
            }
            uint16_t hsw;
            fx80 want = h(cw, a, b, &hsw);
            struct fx_env e = { cw, 0, false };
            uint16_t cc;
            fx80 got = fx_rem(&e, a, b, nearest, &cc);
            /* FX_CC_KEEP: C0-C3 as they were, 0 after the host's FNINIT */
            uint16_t ssw = (uint16_t)(e.exc | (cc == FX_CC_KEEP ? 0 : cc));
            if (!same80(want, got) || (hsw & (SW_MASK | SW_CC | SW_C1)) != ssw) {
                bad++;
                show(op, cw, a, b, want, hsw, got, ssw, &shown);
            }
        }
        report(op, rc, -1, NCASE, bad);
    }
}

typedef fx80 (*hostpush_fn)(uint16_t, fx80, fx80 *, uint16_t *);

static void run_xtract(void)
{
    for (unsigned rc = 0; rc < 4; rc++) {
        rseed(900 + rc);
        uint16_t cw = (uint16_t)(0x033F | (rc << 10));
        unsigned long bad = 0;
        unsigned shown = 0;
        for (unsigned n = 0; n < NCASE; n++) {
            fx80 a = rval(), w2, g2;
            uint16_t hsw;
            fx80 want = h_xtract(cw, a, &w2, &hsw);
            struct fx_env e = { cw, 0, false };
            fx80 got = fx_xtract(&e, a, &g2);
            uint16_t ssw = soft_sw(&e);
            if (!same80(want, got) || !same80(w2, g2) || (hsw & (SW_MASK | SW_C1)) != ssw) {
                bad++;
                show("fxtract", cw, a, w2, want, hsw, got, ssw, &shown);
            }
        }
        report("fxtract", rc, -1, NCASE, bad);
    }
}

Test(fpu_host, rem_xtract)
{
    fails = 0;
    run_rem("fprem", 11, h_prem, false);
    run_rem("fprem1", 12, h_prem1, true);
    run_xtract();
    cr_expect_eq(fails, 0, "%lu mismatches with the host x87", fails);
}

/* FCOM/FUCOM (C0 C2 C3 and flags) and FCOMI/FUCOMI (ZF PF CF). */
Test(fpu_host, compare)
{
    fails = 0;
    for (int quiet = 0; quiet < 2; quiet++) {
        rseed(20 + (unsigned)quiet);
        uint16_t cw = 0x037F;
        unsigned long bad = 0;
        unsigned shown = 0;
        for (unsigned n = 0; n < 4 * NCASE; n++) {
            fx80 a = rval(), b = rbelow(4) ? rval_near(a) : a;
            uint32_t hfl;
            uint16_t hsw = h_com(cw, a, b, quiet, &hfl);
            struct fx_env e = { cw, 0, false };
            int r = fx_compare(&e, a, b, quiet);
            static const uint16_t ccs[4] = { 0x0100, 0x4000, 0x0000, 0x4500 };
            static const uint32_t fls[4] = { 0x01, 0x40, 0x00, 0x45 };
            uint16_t ssw = (uint16_t)(e.exc | ccs[r + 1]);
            uint32_t sfl = fls[r + 1] | ((uint32_t)e.exc << 16);
            if ((hsw & (SW_MASK | SW_CC)) != ssw || hfl != sfl) {
                bad++;
                show(quiet ? "fucom" : "fcom", cw, a, b, a, hsw, b, ssw, &shown);
            }
        }
        report(quiet ? "fucom/fucomi" : "fcom/fcomi", 0, -1, 4 * NCASE, bad);
    }
    cr_expect_eq(fails, 0, "%lu mismatches with the host x87", fails);
}

static int64_t rint64(void)
{
    switch (rbelow(4)) {
    case 0: return (int64_t)(r64() >> rbelow(64)) * (rbelow(2) ? -1 : 1);
    case 1: return (int64_t)rbelow(65536) - 32768;
    case 2: return rbelow(2) ? INT64_MIN : INT64_MAX - (int64_t)rbelow(3);
    default: return (int64_t)r64();
    }
}

Test(fpu_host, convert)
{
    fails = 0;
    for (unsigned rc = 0; rc < 4; rc++) {
        uint16_t cw = (uint16_t)(0x033F | (rc << 10));
        /* FILD m64 (exact) */
        rseed(30 + rc);
        unsigned long bad = 0;
        unsigned shown = 0;
        for (unsigned n = 0; n < NCASE; n++) {
            int64_t v = rint64();
            uint16_t hsw;
            fx80 want = h_fild(cw, v, &hsw);
            fx80 got = fx_from_int((uint64_t)v, 64);
            if (!same80(want, got) || (hsw & SW_MASK)) {
                bad++;
                show("fild", cw, got, got, want, hsw, got, 0, &shown);
            }
        }
        report("fild", rc, -1, NCASE, bad);
        /* FISTP m16/m32/m64 */
        for (unsigned bits = 16; bits <= 64; bits *= 2) {
            rseed(40 + rc * 8 + bits);
            bad = shown = 0;
            for (unsigned n = 0; n < NCASE; n++) {
                fx80 a = rbelow(3) ? rval() : fx_make(rbelow(2), 0x3FFF + rbelow(bits + 2), rsig());
                if (rbelow(4) == 0)
                    a = fx_from_int((uint64_t)rint64(), 64);
                uint16_t hsw;
                uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
                uint64_t want = (uint64_t)h_fist(cw, a, bits, &hsw) & mask;
                struct fx_env e = { cw, 0, false };
                uint64_t got = fx_to_int(&e, a, bits, false) & mask;
                uint16_t ssw = soft_sw(&e);
                if (want != got || (hsw & (SW_MASK | SW_C1)) != ssw) {
                    bad++;
                    show(bits == 16 ? "fist16" : bits == 32 ? "fist32" : "fist64", cw, a, a,
                         fx_from_int(want, bits), hsw, fx_from_int(got, bits), ssw, &shown);
                }
            }
            report(bits == 16 ? "fistp m16" : bits == 32 ? "fistp m32" : "fistp m64", rc, -1, NCASE, bad);
        }
        /* FST m32/m64 and FLD m32/m64 */
        for (unsigned bits = 32; bits <= 64; bits *= 2) {
            rseed(60 + rc * 8 + bits);
            bad = shown = 0;
            for (unsigned n = 0; n < NCASE; n++) {
                fx80 a = rval();
                uint16_t hsw;
                uint64_t want = h_fst(cw, a, bits, &hsw);
                struct fx_env e = { cw, 0, false };
                uint64_t got = bits == 32 ? fx_to_f32(&e, a) : fx_to_f64(&e, a);
                uint16_t ssw = soft_sw(&e);
                if (want != got || (hsw & (SW_MASK | SW_C1)) != ssw) {
                    bad++;
                    fx80 w = { want, 0 }, g = { got, 0 };
                    show(bits == 32 ? "fst m32" : "fst m64", cw, a, a, w, hsw, g, ssw, &shown);
                }
            }
            report(bits == 32 ? "fstp m32" : "fstp m64", rc, -1, NCASE, bad);
            bad = shown = 0;
            for (unsigned n = 0; n < NCASE; n++) {
                uint64_t v = r64();
                if (rbelow(3) == 0)
                    v &= bits == 32 ? 0x807FFFFFu : 0x800FFFFFFFFFFFFFull;  /* denormal/zero */
                else if (rbelow(3) == 0)
                    v |= bits == 32 ? 0x7F800000u : 0x7FF0000000000000ull;  /* inf/NaN */
                if (bits == 32)
                    v &= 0xFFFFFFFFu;
                uint16_t hsw;
                fx80 want = h_fld(cw, v, bits, &hsw);
                struct fx_env e = { cw, 0, false };
                fx80 got = bits == 32 ? fx_from_f32(&e, (uint32_t)v) : fx_from_f64(&e, v);
                uint16_t ssw = soft_sw(&e);
                if (!same80(want, got) || (hsw & (SW_MASK | SW_C1)) != ssw) {
                    bad++;
                    fx80 in = { v, 0 };
                    show(bits == 32 ? "fld m32" : "fld m64", cw, in, in, want, hsw, got, ssw, &shown);
                }
            }
            report(bits == 32 ? "fld m32" : "fld m64", rc, -1, NCASE, bad);
        }
        /* FBSTP and FBLD */
        rseed(80 + rc);
        bad = shown = 0;
        for (unsigned n = 0; n < NCASE; n++) {
            fx80 a = rbelow(2) ? rval() : fx_make(rbelow(2), 0x3FFF + rbelow(64), rsig());
            uint8_t hb[10], sb[10];
            uint16_t hsw;
            h_fbstp(cw, a, hb, &hsw);
            struct fx_env e = { cw, 0, false };
            fx_to_bcd(&e, a, sb);
            uint16_t ssw = soft_sw(&e);
            if (memcmp(hb, sb, 10) != 0 || (hsw & (SW_MASK | SW_C1)) != ssw) {
                bad++;
                show("fbstp", cw, a, a, get80(hb), hsw, get80(sb), ssw, &shown);
            }
            fx80 back = h_fbld(cw, sb, &hsw);
            if (!same80(back, fx_from_bcd(sb)) || (hsw & SW_MASK)) {
                bad++;
                show("fbld", cw, get80(sb), a, back, hsw, fx_from_bcd(sb), 0, &shown);
            }
        }
        report("fbstp/fbld", rc, -1, NCASE, bad);
    }
    cr_expect_eq(fails, 0, "%lu mismatches with the host x87", fails);
}

/* ------------------------------------------------------------------ */
/* Transcendentals: within 1 ulp of the host; special values exact. */

static bool special80(fx80 v)
{
    enum fx_class k = fx_classify(v);
    return k != FXC_NORMAL && k != FXC_DENORMAL;
}

/* |a - b| in ulps of the 64-bit significand, capped at 1000. */
static unsigned ulps(fx80 a, fx80 b)
{
    if (fx_sign(a) != fx_sign(b))
        return fx_is_zero(a) && fx_is_zero(b) ? 0 : 1000;
    /* raw significands: a denormal has the scale of exponent 1 */
    int32_t ea = fx_exp(a) ? (int32_t)fx_exp(a) : 1, eb = fx_exp(b) ? (int32_t)fx_exp(b) : 1;
    uint64_t ma = a.sig, mb = b.sig;
    if (ea == eb)
        return ma > mb ? (ma - mb > 1000 ? 1000 : (unsigned)(ma - mb)) : (mb - ma > 1000 ? 1000 : (unsigned)(mb - ma));
    if (ea + 1 == eb || eb + 1 == ea) {
        uint64_t lo = ea < eb ? ma : mb, hi = ea < eb ? mb : ma;
        /* hi at the bigger exponent is just above 2^63 * 2, lo just below */
        uint64_t d = (0 - lo) + (hi - 0x8000000000000000ull) * 2;
        return d > 1000 ? 1000 : (unsigned)d;
    }
    return 1000;
}

#define SW_HARD (FX_IE | FX_DE | FX_ZE | FX_OE | SW_C2)

struct tstat {
    unsigned long n, exact, one, bad;
};

static void tcheck(struct tstat *t, const char *op, uint16_t cw, fx80 a, fx80 b, fx80 want,
                   uint16_t hsw, fx80 got, uint16_t ssw, unsigned *shown)
{
    t->n++;
    unsigned u = special80(want) || special80(got) ? (same80(want, got) ? 0 : 1000) : ulps(want, got);
    if ((hsw & SW_HARD) != (ssw & SW_HARD))
        u = 1000;
    if (u == 0)
        t->exact++;
    else if (u == 1)
        t->one++;
    else {
        t->bad++;
        show(op, cw, a, b, want, hsw, got, ssw, shown);
    }
}

static void treport(const char *op, unsigned rc, int pc, const struct tstat *t)
{
    cr_log_info("%s rc=%s pc=%s: %lu cases, %lu exact, %lu within 1 ulp, %lu worse", op,
                rc_name[rc], pc_name[pc], t->n, t->exact, t->one, t->bad);
    printf("fpu_host: %s rc=%s pc=%s: %lu cases, %lu exact, %lu within 1 ulp, %lu worse\n", op,
           rc_name[rc], pc_name[pc], t->n, t->exact, t->one, t->bad);
    fails += t->bad;
}

static fx80 rtrig(void)
{
    bool sg = rbelow(2);
    switch (rbelow(6)) {
    case 0: return rval();
    case 1: return fx_make(sg, 0x3FFF - 40 + rbelow(50), rsig());     /* up to 2^10 */
    case 2: return fx_make(sg, 0x3FFF + rbelow(64), rsig());         /* up to 2^64 */
    case 3: {   /* near a multiple of pi/2 */
        struct fx_env e = { 0x037F, 0, false };
        fx80 k = fx_from_int(1 + rbelow(1000), 64);
        fx80 hp = fx_const(3, 0);
        hp.se--;
        fx80 v = fx_mul(&e, k, hp);
        v.sig += r64() % 5 - 2;
        v.sig |= 0x8000000000000000ull;
        return sg ? fx_neg(v) : v;
    }
    default: return fx_make(sg, 0x3FFF - 3 + rbelow(4), rsig());
    }
}

static fx80 s_sin(struct fx_env *e, fx80 a, bool *c2) { return fx_sin(e, a, c2); }
static fx80 s_cos(struct fx_env *e, fx80 a, bool *c2) { return fx_cos(e, a, c2); }

static void run_trig1(const char *op, uint64_t seed, host2_fn h, fx80 (*s)(struct fx_env *, fx80, bool *))
{
    for (unsigned rc = 0; rc < 4; rc++)
        for (int pc = 0; pc < 3; pc++) {
            rseed(seed * 16 + rc * 4 + (unsigned)pc);
            uint16_t cw = (uint16_t)(0x003F | (pc_code[pc] << 8) | (rc << 10));
            struct tstat t = { 0, 0, 0, 0 };
            unsigned shown = 0;
            for (unsigned n = 0; n < NCASE / 2; n++) {
                fx80 a = rtrig(), b = fx_make(false, 0, 0);
                uint16_t hsw;
                fx80 want = h(cw, a, b, &hsw);
                struct fx_env e = { cw, 0, false };
                bool c2;
                fx80 got = s(&e, a, &c2);
                tcheck(&t, op, cw, a, b, want, hsw, got, (uint16_t)(soft_sw(&e) | (c2 ? SW_C2 : 0)), &shown);
            }
            treport(op, rc, pc, &t);
        }
}

static void run_push2(const char *op, uint64_t seed, hostpush_fn h, bool tan)
{
    for (unsigned rc = 0; rc < 4; rc++)
        for (int pc = 0; pc < 3; pc++) {
            rseed(seed * 16 + rc * 4 + (unsigned)pc);
            uint16_t cw = (uint16_t)(0x003F | (pc_code[pc] << 8) | (rc << 10));
            struct tstat t = { 0, 0, 0, 0 };
            unsigned shown = 0;
            for (unsigned n = 0; n < NCASE / 2; n++) {
                fx80 a = rtrig(), w2, g0, g1;
                uint16_t hsw;
                fx80 w1 = h(cw, a, &w2, &hsw);   /* ST0, ST1 after */
                struct fx_env e = { cw, 0, false };
                bool c2;
                if (tan) {
                    fx80 r = fx_tan(&e, a, &c2);
                    g0 = fx_is_nan(r) ? r : fx_make(false, 0x3FFF, 0x8000000000000000ull);
                    g1 = r;
                } else {
                    fx80 cr;
                    fx80 sr = fx_sincos(&e, a, &cr, &c2);
                    g0 = cr;
                    g1 = sr;
                }
                if (c2) {   /* out of range: the operand stays, nothing pushed */
                    g0 = a;
                    g1 = w2;
                }
                uint16_t ssw = (uint16_t)(soft_sw(&e) | (c2 ? SW_C2 : 0));
                if (c2 && (hsw & SW_C2))
                    w1 = a.se == w1.se && a.sig == w1.sig ? w1 : w1;
                tcheck(&t, op, cw, a, w2, w1, hsw, g0, ssw, &shown);
                if (!c2)
                    tcheck(&t, op, cw, a, w1, w2, hsw, g1, ssw, &shown);
            }
            treport(op, rc, pc, &t);
        }
}

typedef fx80 (*soft_pop_fn)(struct fx_env *, fx80 st0, fx80 st1);
static fx80 s_patan(struct fx_env *e, fx80 x, fx80 y) { return fx_atan2(e, y, x); }

static void run_pop(const char *op, uint64_t seed, host2_fn h, soft_pop_fn s, int domain)
{
    for (unsigned rc = 0; rc < 4; rc++)
        for (int pc = 0; pc < 3; pc++) {
            rseed(seed * 16 + rc * 4 + (unsigned)pc);
            uint16_t cw = (uint16_t)(0x003F | (pc_code[pc] << 8) | (rc << 10));
            struct tstat t = { 0, 0, 0, 0 };
            unsigned shown = 0;
            for (unsigned n = 0; n < NCASE / 2; n++) {
                fx80 x = rval(), y = rval();
                if (domain == 1 && rbelow(4))       /* log: positive x */
                    x = fx_abs(x);
                if (domain == 2 && rbelow(4))       /* log1p: |x| < 1 - sqrt(2)/2 */
                    x = fx_make(rbelow(2), 0x3FFF - 2 - rbelow(70), rsig() & 0x95FFFFFFFFFFFFFFull);
                if (domain == 3 && rbelow(4))       /* f2xm1: |x| <= 1 */
                    x = fx_make(rbelow(2), 0x3FFF - 1 - rbelow(70), rsig());
                uint16_t hsw;
                fx80 want = h(cw, x, y, &hsw);
                struct fx_env e = { cw, 0, false };
                fx80 got = s(&e, x, y);
                tcheck(&t, op, cw, x, y, want, hsw, got, soft_sw(&e), &shown);
            }
            treport(op, rc, pc, &t);
        }
}

static fx80 s_f2xm1(struct fx_env *e, fx80 x, fx80 y) { (void)y; return fx_f2xm1(e, x); }

Test(fpu_host, transcendental)
{
    fails = 0;
    run_trig1("fsin", 101, h_sin, s_sin);
    run_trig1("fcos", 102, h_cos, s_cos);
    run_push2("fptan", 103, h_ptan, true);
    run_push2("fsincos", 104, h_sincos, false);
    run_pop("fpatan", 105, h_patan, s_patan, 0);
    run_pop("fyl2x", 106, h_yl2x, fx_yl2x, 1);
    run_pop("fyl2xp1", 107, h_yl2xp1, fx_yl2xp1, 2);
    run_pop("f2xm1", 108, h_f2xm1, s_f2xm1, 3);
    cr_expect_eq(fails, 0, "%lu results more than 1 ulp from the host x87", fails);
}

/* FLD1 ... FLDZ in every rounding mode. */
Test(fpu_host, constants)
{
    for (unsigned rc = 0; rc < 4; rc++)
        for (unsigned k = 0; k < 7; k++) {
            uint16_t cw = (uint16_t)(0x037F | (rc << 10));
            uint8_t br[10];
            switch (k) {
            case 0: __asm__ volatile("fninit\n\tfldcw %1\n\tfld1\n\tfstpt %0" : "=m"(br) : "m"(cw)); break;
            case 1: __asm__ volatile("fninit\n\tfldcw %1\n\tfldl2t\n\tfstpt %0" : "=m"(br) : "m"(cw)); break;
            case 2: __asm__ volatile("fninit\n\tfldcw %1\n\tfldl2e\n\tfstpt %0" : "=m"(br) : "m"(cw)); break;
            case 3: __asm__ volatile("fninit\n\tfldcw %1\n\tfldpi\n\tfstpt %0" : "=m"(br) : "m"(cw)); break;
            case 4: __asm__ volatile("fninit\n\tfldcw %1\n\tfldlg2\n\tfstpt %0" : "=m"(br) : "m"(cw)); break;
            case 5: __asm__ volatile("fninit\n\tfldcw %1\n\tfldln2\n\tfstpt %0" : "=m"(br) : "m"(cw)); break;
            default: __asm__ volatile("fninit\n\tfldcw %1\n\tfldz\n\tfstpt %0" : "=m"(br) : "m"(cw)); break;
            }
            fx80 want = get80(br), got = fx_const(k, rc);
            cr_expect(same80(want, got), "constant %u rc=%s: host %04x:%016llx pcvm %04x:%016llx", k,
                      rc_name[rc], want.se, (unsigned long long)want.sig, got.se,
                      (unsigned long long)got.sig);
        }
}

#endif

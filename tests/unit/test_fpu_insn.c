/* Whole x87 instructions against the host's x87: random FPU states and
 * random D8-DF encodings run by pcvm (a "pentium2" in flat 32-bit mode)
 * and natively, then the FNSAVE images, the memory operand and EFLAGS
 * compared.
 *
 * Each case: a random register file (values from every class, random
 * TOP, some registers empty), a random control word (any rounding and
 * precision, sometimes unmasked exceptions, so the unmasked responses --
 * no store, wrapped exponents, ES -- are compared too), random status
 * flags (only masked ones, so nothing is pending), random EFLAGS (for
 * FCMOVcc) and a random 16-byte memory operand.  The instruction is one
 * random encoding of the D8-DF rows, memory form at [esi] / [rsi].  Both
 * sides run FRSTOR, POPF, the instruction, FNSAVE, PUSHF.
 *
 * Compared bit for bit: FCW, FSW, the tag word, all eight registers, the
 * memory operand, EFLAGS ZF PF CF; for the transcendental instructions a
 * register may differ by one unit in the last place (the x87's own
 * accuracy; test_fpu_host.c has the details), and then C1, PE and UE may
 * too.  Not compared: FIP/FCS/FOP/FDP/FDS (addresses differ between the
 * two), FLDENV/FSTENV/
 * FSAVE/FRSTOR (images with addresses), FISTTP (the host has SSE3, no
 * pcvm model does), FNSTSW AX and the reserved encodings.
 *
 * Only on x86-64 hosts (the host side runs the bytes in an executable
 * buffer); elsewhere the test reports itself skipped.
 */
#define _DEFAULT_SOURCE 1  /* MAP_ANONYMOUS under -std=c11 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#if !defined(__x86_64__) || !defined(__linux__)

Test(fpu_insn, skipped)
{
    cr_skip_test("fpu_insn: needs an x86-64 Linux host to run x87 instructions natively");
}

#else

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/fpu.h"
#include "harness.h"

#define NCASE 100000u

static uint64_t rs;
static uint64_t r64(void)
{
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return rs * 0x2545F4914F6CDD1Dull;
}
static uint32_t rbelow(uint32_t n) { return (uint32_t)(r64() >> 32) % n; }

static uint64_t rsig(void)
{
    uint64_t s = r64();
    if (rbelow(4) == 0)
        s = rbelow(2) ? s | ((1ull << rbelow(41)) - 1) : s & ~((1ull << rbelow(41)) - 1);
    return s | 0x8000000000000000ull;
}

static fx80 rval(void)
{
    bool sg = rbelow(2);
    switch (rbelow(16)) {
    case 0: return fx_make(sg, 0, 0);
    case 1: return fx_make(sg, 0, rsig() >> (1 + rbelow(63)));
    case 2: return fx_make(sg, 0x7FFF, 0x8000000000000000ull);
    case 3: return fx_make(sg, 0x7FFF, 0xC000000000000000ull | (r64() >> 2));
    case 4: return fx_make(sg, 0x7FFF, 0x8000000000000000ull | ((r64() >> 2) | 1));
    case 5: return fx_make(sg, rbelow(2) ? 1 + rbelow(40) : 0x7FFE - rbelow(40), rsig());
    case 6: return fx_from_int((uint64_t)rbelow(2000) - 1000, 64);
    case 7: return fx_make(sg, 0x3FFF + rbelow(70), rsig());
    default: return fx_make(sg, 0x3FFF - 30 + rbelow(60), rsig());
    }
}

static void put80(uint8_t *b, fx80 v)
{
    for (int k = 0; k < 8; k++)
        b[k] = (uint8_t)(v.sig >> (8 * k));
    b[8] = (uint8_t)v.se;
    b[9] = (uint8_t)(v.se >> 8);
}

static unsigned u16at(const uint8_t *b) { return (unsigned)(b[0] | b[1] << 8); }
static unsigned long long u64at(const uint8_t *b)
{
    unsigned long long v = 0;
    for (int k = 7; k >= 0; k--)
        v = v << 8 | b[k];
    return v;
}

/* Which encodings are compared (see the header). */
static bool wanted(unsigned op, unsigned modrm)
{
    unsigned reg = (modrm >> 3) & 7, rm = modrm & 7;
    bool mem = (modrm >> 6) != 3;
    unsigned e = op - 0xD8;
    if (mem) {
        static const uint8_t skip[8] = {
            [1] = 0xD2,     /* D9: /1 reserved, /4 FLDENV, /6 FNSTENV, /7 kept */
            [3] = 0x52,     /* DB: /1 FISTTP, /4 /6 reserved */
            [5] = 0x72,     /* DD: /1 FISTTP, /4 FRSTOR, /5 reserved, /6 FNSAVE */
            [7] = 0x02,     /* DF: /1 FISTTP */
        };
        return !(skip[e] >> reg & 1);
    }
    switch (op) {
    case 0xD9:
        if (reg == 2) return rm == 0;
        if (reg == 4) return rm == 0 || rm == 1 || rm == 4 || rm == 5;
        if (reg == 5) return rm != 7;
        return true;
        return true;
    case 0xDA:
        if (reg == 5) return rm == 1;
        return reg < 4;
    case 0xDB:
        if (reg == 4) return rm <= 4;
        return reg != 7;
    case 0xDD: return reg < 6;
    case 0xDE: return reg != 3 || rm == 1;
    case 0xDF: return reg < 4 || reg == 5 || reg == 6;
    default: return true;
    }
}

struct state {
    uint8_t img[108];       /* FRSTOR image, 32-bit protected-mode layout */
    uint8_t mem[16];
    uint32_t eflags;
};

static void random_state(struct state *s)
{
    memset(s->img, 0, sizeof s->img);
    uint16_t cw = 0x037F;
    if (rbelow(3) == 0)
        cw = (uint16_t)(0x0040 | (r64() & 0x0F3F));
    else
        cw = (uint16_t)((cw & ~0x0F00u) | (r64() & 0x0F00));
    uint16_t sw = (uint16_t)((r64() & 0x4700) | (rbelow(8) << 11) | (r64() & cw & 0x3F));
    uint16_t tw = 0;
    for (unsigned p = 0; p < 8; p++)
        tw |= (uint16_t)((rbelow(4) == 0 ? 3u : 0u) << (2 * p));
    s->img[0] = (uint8_t)cw;
    s->img[1] = (uint8_t)(cw >> 8);
    s->img[4] = (uint8_t)sw;
    s->img[5] = (uint8_t)(sw >> 8);
    s->img[8] = (uint8_t)tw;
    s->img[9] = (uint8_t)(tw >> 8);
    for (unsigned k = 0; k < 8; k++)
        put80(s->img + 28 + 10 * k, rval());
    /* memory operand: a float32/float64/float80/int/BCD-ish pattern */
    for (unsigned k = 0; k < 16; k++)
        s->mem[k] = (uint8_t)r64();
    switch (rbelow(7)) {
    case 0: put80(s->mem, rval()); break;
    case 5: /* float32 / float64 denormals and zeros, any sign */
        s->mem[3] &= 0x80;
        s->mem[2] &= rbelow(2) ? 0x7F : 0;
        break;
    case 6:
        s->mem[7] &= 0x80;
        s->mem[6] &= 0x0F;
        break;
    case 1: {   /* float64 of a nice value */
        uint64_t v = r64();
        v = (v & 0x800FFFFFFFFFFFFFull) | ((uint64_t)(0x3FF - 40 + rbelow(80)) << 52);
        for (int k = 0; k < 8; k++)
            s->mem[k] = (uint8_t)(v >> (8 * k));
        break;
    }
    case 2: {   /* float32 */
        uint32_t v = (uint32_t)r64();
        v = (v & 0x807FFFFFu) | ((uint32_t)(0x7F - 20 + rbelow(40)) << 23);
        for (int k = 0; k < 4; k++)
            s->mem[k] = (uint8_t)(v >> (8 * k));
        break;
    }
    case 3:     /* valid BCD digits */
        for (int k = 0; k < 9; k++)
            s->mem[k] = (uint8_t)(rbelow(10) << 4 | rbelow(10));
        s->mem[9] &= 0x80;
        break;
    default: break;
    }
    s->eflags = (uint32_t)(r64() & 0x8D5) | 2;
}

/* ---------------- host ---------------- */

typedef uint64_t (*host_fn)(void *img, void *mem);

static uint8_t *host_code;

static void host_run(struct state *s, const uint8_t *insn, unsigned n)
{
    uint8_t *p = host_code;
    *p++ = 0xDD; *p++ = 0x27;                           /* frstor [rdi] */
    *p++ = 0x68;                                        /* push imm32 */
    for (int k = 0; k < 4; k++)
        *p++ = (uint8_t)(s->eflags >> (8 * k));
    *p++ = 0x9D;                                        /* popfq */
    memcpy(p, insn, n);
    p += n;
    *p++ = 0xDD; *p++ = 0x37;                           /* fnsave [rdi] */
    *p++ = 0x9C; *p++ = 0x58;                           /* pushfq; pop rax */
    *p++ = 0xC3;                                        /* ret */
    __builtin___clear_cache((char *)host_code, (char *)p);
    s->eflags = (uint32_t)((host_fn)(void *)host_code)(s->img, s->mem);
}

/* ---------------- pcvm ---------------- */

#define PCODE 0x1000u
#define PIMG 0x3000u
#define PMEM 0x4000u

static void pcvm_run(struct harness *h, struct state *s, const uint8_t *insn, unsigned n)
{
    struct cpu *c = &h->cpu;
    uint8_t code[64];
    unsigned k = 0;
    code[k++] = 0xDD; code[k++] = 0x27;                 /* frstor [edi] */
    code[k++] = 0x68;
    for (int b = 0; b < 4; b++)
        code[k++] = (uint8_t)(s->eflags >> (8 * b));
    code[k++] = 0x9D;                                   /* popfd */
    memcpy(code + k, insn, n);
    k += n;
    code[k++] = 0xDD; code[k++] = 0x37;                 /* fnsave [edi] */
    code[k++] = 0x9C; code[k++] = 0x58;                 /* pushfd; pop eax */
    code[k++] = 0xF4;
    harness_load(h, PCODE, code, k);
    harness_load(h, PIMG, s->img, sizeof s->img);
    harness_load(h, PMEM, s->mem, sizeof s->mem);
    c->reg[R_EDI] = PIMG;
    c->reg[R_ESI] = PMEM;
    c->reg[R_ESP] = 0x8000;
    /* the blocks are rebuilt: the code changed behind the decoder's back */
    blockcache_flush(&h->bc);
    harness_run(h, PCODE, 20);
    for (unsigned b = 0; b < sizeof s->img; b++)
        s->img[b] = (uint8_t)bus_read(&h->bus, PIMG + b, 1);
    for (unsigned b = 0; b < sizeof s->mem; b++)
        s->mem[b] = (uint8_t)bus_read(&h->bus, PMEM + b, 1);
    s->eflags = c->reg[R_EAX];
}



/* F2XM1 FYL2X FPTAN FPATAN / FYL2XP1 FSINCOS FSIN FCOS: the x87 promises
 * 1 ulp, pcvm rounds the exact value: registers may differ in the last
 * bit (and then C1, PE, UE may too); everything else must match. */
static bool is_transcendental(unsigned op, unsigned modrm)
{
    return op == 0xD9 && ((modrm >= 0xF0 && modrm <= 0xF3) || modrm == 0xF9 || modrm == 0xFB ||
                          modrm == 0xFE || modrm == 0xFF);
}

static bool close80(const uint8_t *x, const uint8_t *y, bool loose)
{
    if (memcmp(x, y, 10) == 0)
        return true;
    if (!loose || u16at(x + 8) != u16at(y + 8))
        return false;
    unsigned long long a = u64at(x), b = u64at(y);
    return (a > b ? a - b : b - a) == 1 && (a >> 63) == (b >> 63);
}

static const char *names[8][8] = {
    { "fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr" },
    { "fld", "fxch", "fst/fnop", "fstp", "fldenv/fchs..", "fldcw/fldconst", "fnstenv/fxtract..", "fnstcw/fprem.." },
    { "fiadd/fcmovb", "fimul/fcmove", "ficom/fcmovbe", "ficomp/fcmovu", "fisub", "fisubr/fucompp", "fidiv", "fidivr" },
    { "fild/fcmovnb", "fisttp/fcmovne", "fist/fcmovnbe", "fistp/fcmovnu", "fnclex..", "fld80/fucomi", "fcomi", "fstp80" },
    { "fadd", "fmul", "fcom", "fcomp", "fsub/fsubr", "fsubr/fsub", "fdiv/fdivr", "fdivr/fdiv" },
    { "fld64/ffree", "fxch", "fst", "fstp", "frstor/fucom", "fucomp", "fnsave", "fnstsw" },
    { "fiadd/faddp", "fimul/fmulp", "ficom/fcomp", "ficomp/fcompp", "fisub/fsubrp", "fisubr/fsubp", "fidiv/fdivrp", "fidivr/fdivp" },
    { "fild/ffreep", "fxch", "fist/fstp", "fistp/fstp", "fbld", "fild64/fucomip", "fbstp/fcomip", "fistp64" },
};

Test(fpu_insn, random_instructions, .timeout = 300)
{
    host_code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(host_code != MAP_FAILED, "executable buffer");
    struct harness *h = harness_new("pentium2", 1u << 20);
    cr_assert_not_null(h);
    harness_flat32(h);
    rs = 0x1234567 * 0x9E3779B97F4A7C15ull;
    static unsigned long count[8][8][2], bad[8][8][2];
    unsigned long total = 0, total_bad = 0, shown = 0, one_ulp = 0;
    for (unsigned n = 0; n < NCASE; n++) {
        unsigned op = 0xD8 + rbelow(8), modrm;
        do {
            modrm = rbelow(256);
            if ((modrm >> 6) != 3)
                modrm = (modrm & 0x38) | 0x06;          /* [esi] / [rsi] */
        } while (!wanted(op, modrm));
        uint8_t insn[2] = { (uint8_t)op, (uint8_t)modrm };
        struct state a, b;
        random_state(&a);
        b = a;
        struct state in = a;
        host_run(&a, insn, 2);
        pcvm_run(h, &b, insn, 2);
        unsigned e = op - 0xD8, reg = (modrm >> 3) & 7, mem = (modrm >> 6) != 3;
        count[e][reg][mem]++;
        total++;
        /* compare: CW, SW, TW, registers, memory, ZF PF CF */
        bool trans = is_transcendental(op, modrm), regs_same = true;
        unsigned swmask = 0xFFFF;
        for (unsigned k = 0; k < 8; k++)
            if (!close80(a.img + 28 + 10 * k, b.img + 28 + 10 * k, trans))
                regs_same = false;
        if (trans && memcmp(a.img + 28, b.img + 28, 80) != 0) {
            one_ulp++;
            swmask = (unsigned)~(SW_C1 | SW_PE | SW_UE);  /* follow the last bit */
        } else if (trans && ((u16at(a.img + 4) | u16at(b.img + 4)) & SW_PE)) {
            swmask = (unsigned)~SW_C1;  /* inexact: the x87's C1 is its own rounding's */
        }
        bool same = u16at(a.img) == u16at(b.img) &&
                    (u16at(a.img + 4) & swmask) == (u16at(b.img + 4) & swmask) &&
                    u16at(a.img + 8) == u16at(b.img + 8) && regs_same &&
                    memcmp(a.mem, b.mem, 16) == 0 && (a.eflags & 0x45) == (b.eflags & 0x45);
        if (!same) {
            bad[e][reg][mem]++;
            total_bad++;
            if (bad[e][reg][mem] <= 2 && shown++ < 200) {
                char diff[400];
                int l = snprintf(diff, sizeof diff, "%02X %02X (%s %s): host cw %04x sw %04x tw %04x fl %02x / pcvm cw %04x sw %04x tw %04x fl %02x",
                                 op, modrm, names[e][reg], mem ? "mem" : "reg", u16at(a.img),
                                 u16at(a.img + 4), u16at(a.img + 8), a.eflags & 0x45, u16at(b.img),
                                 u16at(b.img + 4), u16at(b.img + 8), b.eflags & 0x45);
                for (unsigned k = 0; k < 8 && l < (int)sizeof diff - 60; k++)
                    if (memcmp(a.img + 28 + 10 * k, b.img + 28 + 10 * k, 10))
                        l += snprintf(diff + l, sizeof diff - (size_t)l, " st%u %04x:%016llx/%04x:%016llx", k,
                                      u16at(a.img + 36 + 10 * k), u64at(a.img + 28 + 10 * k),
                                      u16at(b.img + 36 + 10 * k), u64at(b.img + 28 + 10 * k));
                if (memcmp(a.mem, b.mem, 16))
                    l += snprintf(diff + l, sizeof diff - (size_t)l, " mem differs");
                cr_log_error("%s", diff);
                unsigned top = (u16at(in.img + 4) >> 11) & 7;
                cr_log_error("   in: sw %04x tw %04x st0 %04x:%016llx st1 %04x:%016llx mem %016llx %04x",
                             u16at(in.img + 4), u16at(in.img + 8), u16at(in.img + 36), u64at(in.img + 28),
                             u16at(in.img + 46), u64at(in.img + 38), u64at(in.mem), u16at(in.mem + 8));
                (void)top;
            }
        }
    }
    for (unsigned e = 0; e < 8; e++)
        for (unsigned reg = 0; reg < 8; reg++)
            for (unsigned mem = 0; mem < 2; mem++)
                if (count[e][reg][mem])
                    printf("fpu_insn: %02X /%u %-4s %-22s %6lu cases, %lu mismatches\n", 0xD8 + e, reg,
                           mem ? "mem" : "reg", names[e][reg], count[e][reg][mem], bad[e][reg][mem]);
    printf("fpu_insn: %lu instructions, %lu mismatches (%lu transcendental results 1 ulp apart)\n",
           total, total_bad, one_ulp);
    fflush(stdout);
    harness_free(h);
    munmap(host_code, 4096);
    cr_expect_eq(total_bad, 0, "%lu of %lu instructions differ from the host", total_bad, total);
}

#endif

/* Differential tests of the integer ALU handlers (cpu/exec_alu.c,
 * exec_shift.c, exec_muldiv.c, exec_bit.c) against the host CPU.
 *
 * Each case runs an instruction natively (inline asm, EFLAGS in and out
 * through POPF/PUSHF) and in pcvm (a "pentium2" in flat 32-bit mode, in
 * every register and memory form of the instruction) with the same random
 * operands and input flags (fixed seeds, so runs are reproducible), and
 * compares results and the flags the SDM defines for the instruction.
 * Flags and results the SDM leaves undefined are compared as well but only
 * counted: the host may be an AMD or an Intel part, and they differ there.
 *
 * What cannot be compared natively is checked against other references:
 * the BCD instructions (invalid in 64-bit mode) against the SDM
 * pseudo-code, and divide errors in pcvm alone (real mode: the #DE handler
 * is entered with nothing changed).
 *
 * Compiled only on x86-64 hosts; elsewhere one test reports the skip.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#if !defined(__x86_64__)

Test(hostdiff, skipped)
{
    cr_skip_test("hostdiff: the host is not x86-64, so there is no native CPU to compare "
                 "the ALU handlers with; these tests only run on x86-64 hosts");
}

#else

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpu/flags.h"
#include "harness.h"
#include "mmu/mem.h"

#define NCASE 4000u           /* random operand sets per instruction and size */

/* ------------------------------------------------------------------ */
/* Deterministic random numbers (xorshift64*). */

static uint64_t rs;

static void rseed(uint64_t s)
{
    rs = (s + 1) * 0x9E3779B97F4A7C15ull;
}

static uint32_t r32(void)
{
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return (uint32_t)((rs * 0x2545F4914F6CDD1Dull) >> 32);
}

static uint32_t rbelow(uint32_t n) { return r32() % n; }

static uint32_t mask_of(unsigned bits) { return bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1; }

static uint32_t sx(uint32_t v, unsigned bits)
{
    uint32_t m = mask_of(bits);
    v &= m;
    return (v & (1u << (bits - 1))) ? v | ~m : v;
}

/* Operand values, biased towards the edges where flags change. */
static uint32_t rval(unsigned bits)
{
    uint32_t m = mask_of(bits), top = 1u << (bits - 1);
    switch (rbelow(12)) {
    case 0: return 0;
    case 1: return m;
    case 2: return top;
    case 3: return top - 1;
    case 4: return rbelow(17);
    case 5: return (0u - rbelow(17)) & m;
    case 6: return (top + rbelow(9) - 4) & m;
    case 7: return (1u << rbelow(bits)) & m;
    default: return r32() & m;
    }
}

/* Random OSZAPC input flags. */
static uint32_t rflags(void)
{
    return r32() & F_OSZAPC;
}

static unsigned szi(unsigned bits) { return bits == 8 ? 0 : bits == 16 ? 1 : 2; }

/* ------------------------------------------------------------------ */
/* Native execution.  The red zone below RSP is stepped over before the
 * PUSH/POPF pair so compiler data kept there survives. */

#define PRE "lea -128(%%rsp), %%rsp\n\tpushq %[f]\n\tpopfq\n\t"
#define POST "\n\tpushfq\n\tpopq %[f]\n\tlea 128(%%rsp), %%rsp"

typedef uint32_t nat2_fn(uint32_t a, uint32_t b, uint64_t *fl);
typedef uint32_t nat1_fn(uint32_t a, uint64_t *fl);
typedef uint32_t natsh_fn(uint32_t a, uint32_t cnt, uint64_t *fl);
typedef uint32_t natds_fn(uint32_t a, uint32_t b, uint32_t cnt, uint64_t *fl);

/* dst = dst op src (two-operand register form, AT&T order "op src, dst") */
#define NAT2(NAME, INSN, T) \
    static uint32_t NAME(uint32_t x, uint32_t y, uint64_t *fl) \
    { \
        T a = (T)x, b = (T)y; \
        uint64_t f = *fl; \
        __asm__ volatile(PRE INSN " %[b], %[a]" POST \
                         : [a] "+r"(a), [f] "+r"(f) : [b] "r"(b) : "cc", "memory"); \
        *fl = f; \
        return a; \
    }
#define NAT2_ALL(OP) \
    NAT2(nat_##OP##8, #OP, uint8_t) NAT2(nat_##OP##16, #OP, uint16_t) \
    NAT2(nat_##OP##32, #OP, uint32_t)
#define NAT2_V(OP) NAT2(nat_##OP##16, #OP, uint16_t) NAT2(nat_##OP##32, #OP, uint32_t)

NAT2_ALL(add) NAT2_ALL(or) NAT2_ALL(adc) NAT2_ALL(sbb) NAT2_ALL(and)
NAT2_ALL(sub) NAT2_ALL(xor) NAT2_ALL(cmp) NAT2_ALL(test)
NAT2_V(imul) NAT2_V(bt) NAT2_V(bts) NAT2_V(btr) NAT2_V(btc) NAT2_V(bsf) NAT2_V(bsr)

#define NAT1(NAME, INSN, T) \
    static uint32_t NAME(uint32_t x, uint64_t *fl) \
    { \
        T a = (T)x; \
        uint64_t f = *fl; \
        __asm__ volatile(PRE INSN " %[a]" POST : [a] "+r"(a), [f] "+r"(f) : : "cc", "memory"); \
        *fl = f; \
        return a; \
    }
#define NAT1_ALL(OP) \
    NAT1(nat_##OP##8, #OP, uint8_t) NAT1(nat_##OP##16, #OP, uint16_t) \
    NAT1(nat_##OP##32, #OP, uint32_t)

NAT1_ALL(inc) NAT1_ALL(dec) NAT1_ALL(neg) NAT1_ALL(not)

/* shift/rotate by CL and by 1 */
#define NATSH(NAME, INSN, T) \
    static uint32_t NAME(uint32_t x, uint32_t cnt, uint64_t *fl) \
    { \
        T a = (T)x; \
        uint8_t n = (uint8_t)cnt; \
        uint64_t f = *fl; \
        __asm__ volatile(PRE INSN " %%cl, %[a]" POST \
                         : [a] "+r"(a), [f] "+r"(f) : "c"(n) : "cc", "memory"); \
        *fl = f; \
        return a; \
    } \
    static uint32_t NAME##_1(uint32_t x, uint32_t cnt, uint64_t *fl) \
    { \
        (void)cnt; \
        T a = (T)x; \
        uint64_t f = *fl; \
        __asm__ volatile(PRE INSN " $1, %[a]" POST : [a] "+r"(a), [f] "+r"(f) : : "cc", "memory"); \
        *fl = f; \
        return a; \
    }
#define NATSH_ALL(OP) \
    NATSH(nat_##OP##8, #OP, uint8_t) NATSH(nat_##OP##16, #OP, uint16_t) \
    NATSH(nat_##OP##32, #OP, uint32_t)

NATSH_ALL(rol) NATSH_ALL(ror) NATSH_ALL(rcl) NATSH_ALL(rcr) NATSH_ALL(shl) NATSH_ALL(shr)
NATSH_ALL(sar)

/* SHLD/SHRD dst, src, CL */
#define NATDS(NAME, INSN, T) \
    static uint32_t NAME(uint32_t x, uint32_t y, uint32_t cnt, uint64_t *fl) \
    { \
        T a = (T)x, b = (T)y; \
        uint8_t n = (uint8_t)cnt; \
        uint64_t f = *fl; \
        __asm__ volatile(PRE INSN " %%cl, %[b], %[a]" POST \
                         : [a] "+r"(a), [f] "+r"(f) : [b] "r"(b), "c"(n) : "cc", "memory"); \
        *fl = f; \
        return a; \
    }
NATDS(nat_shld16, "shld", uint16_t) NATDS(nat_shld32, "shld", uint32_t)
NATDS(nat_shrd16, "shrd", uint16_t) NATDS(nat_shrd32, "shrd", uint32_t)

/* BT/BTS/BTR/BTC with a memory bit string at p and a register offset */
#define NATBTM(NAME, INSN, T) \
    static void NAME(uint8_t *p, uint32_t off, uint64_t *fl) \
    { \
        T o = (T)off; \
        uint64_t f = *fl; \
        __asm__ volatile(PRE INSN " %[o], (%[p])" POST \
                         : [f] "+r"(f) : [o] "r"(o), [p] "r"(p) : "cc", "memory"); \
        *fl = f; \
    }
NATBTM(nat_btm16, "btw", uint16_t) NATBTM(nat_btsm16, "btsw", uint16_t)
NATBTM(nat_btrm16, "btrw", uint16_t) NATBTM(nat_btcm16, "btcw", uint16_t)
NATBTM(nat_btm32, "btl", uint32_t) NATBTM(nat_btsm32, "btsl", uint32_t)
NATBTM(nat_btrm32, "btrl", uint32_t) NATBTM(nat_btcm32, "btcl", uint32_t)

/* MUL/IMUL (one operand): lo/hi of the double-size product */
#define NATMUL(NAME, INSN, T) \
    static void NAME(uint32_t x, uint32_t y, uint32_t *lo, uint32_t *hi, uint64_t *fl) \
    { \
        T a = (T)x, d, b = (T)y; \
        uint64_t f = *fl; \
        __asm__ volatile(PRE INSN " %[b]" POST \
                         : "+a"(a), "=&d"(d), [f] "+r"(f) : [b] "r"(b) : "cc", "memory"); \
        *lo = a; \
        *hi = d; \
        *fl = f; \
    }
NATMUL(nat_mulw, "mulw", uint16_t) NATMUL(nat_mull, "mull", uint32_t)
NATMUL(nat_imulw, "imulw", uint16_t) NATMUL(nat_imull, "imull", uint32_t)

static void nat_mul8(bool sign, uint32_t x, uint32_t y, uint32_t *lo, uint32_t *hi, uint64_t *fl)
{
    uint16_t ax = (uint8_t)x;
    uint8_t b = (uint8_t)y;
    uint64_t f = *fl;
    if (sign)
        __asm__ volatile(PRE "imulb %[b]" POST : "+a"(ax), [f] "+r"(f) : [b] "q"(b) : "cc", "memory");
    else
        __asm__ volatile(PRE "mulb %[b]" POST : "+a"(ax), [f] "+r"(f) : [b] "q"(b) : "cc", "memory");
    *lo = ax & 0xFF;
    *hi = ax >> 8;
    *fl = f;
}

/* DIV/IDIV of hi:lo by d (the caller makes sure it does not fault) */
#define NATDIV(NAME, INSN, T) \
    static void NAME(uint32_t lo, uint32_t hi, uint32_t dv, uint32_t *q, uint32_t *r, uint64_t *fl) \
    { \
        T a = (T)lo, d = (T)hi, b = (T)dv; \
        uint64_t f = *fl; \
        __asm__ volatile(PRE INSN " %[b]" POST \
                         : "+a"(a), "+d"(d), [f] "+r"(f) : [b] "r"(b) : "cc", "memory"); \
        *q = a; \
        *r = d; \
        *fl = f; \
    }
NATDIV(nat_div16, "divw", uint16_t) NATDIV(nat_div32, "divl", uint32_t)
NATDIV(nat_idiv16, "idivw", uint16_t) NATDIV(nat_idiv32, "idivl", uint32_t)

static void nat_div8(bool sign, uint32_t lo, uint32_t hi, uint32_t dv, uint32_t *q, uint32_t *r,
                     uint64_t *fl)
{
    uint16_t ax = (uint16_t)((hi & 0xFF) << 8 | (lo & 0xFF));
    uint8_t b = (uint8_t)dv;
    uint64_t f = *fl;
    if (sign)
        __asm__ volatile(PRE "idivb %[b]" POST : "+a"(ax), [f] "+r"(f) : [b] "q"(b) : "cc", "memory");
    else
        __asm__ volatile(PRE "divb %[b]" POST : "+a"(ax), [f] "+r"(f) : [b] "q"(b) : "cc", "memory");
    *q = ax & 0xFF;
    *r = ax >> 8;
    *fl = f;
}

/* CMPXCHG dst, src (accumulator in and out) and XADD dst, src */
#define NATCX(NAME, T) \
    static void NAME(uint32_t *dst, uint32_t src, uint32_t *acc, uint64_t *fl) \
    { \
        T d = (T)*dst, s = (T)src, a = (T)*acc; \
        uint64_t f = *fl; \
        __asm__ volatile(PRE "cmpxchg %[s], %[d]" POST \
                         : [d] "+r"(d), "+a"(a), [f] "+r"(f) : [s] "r"(s) : "cc", "memory"); \
        *dst = d; \
        *acc = a; \
        *fl = f; \
    } \
    static void NAME##_xadd(uint32_t *dst, uint32_t *src, uint64_t *fl) \
    { \
        T d = (T)*dst, s = (T)*src; \
        uint64_t f = *fl; \
        __asm__ volatile(PRE "xadd %[s], %[d]" POST \
                         : [d] "+r"(d), [s] "+r"(s), [f] "+r"(f) : : "cc", "memory"); \
        *dst = d; \
        *src = s; \
        *fl = f; \
    }
NATCX(nat_cx8, uint8_t) NATCX(nat_cx16, uint16_t) NATCX(nat_cx32, uint32_t)

static void nat_cx8b(uint64_t *m, uint32_t *eax, uint32_t *edx, uint32_t ebx, uint32_t ecx,
                     uint64_t *fl)
{
    uint64_t f = *fl;
    /* The operand is addressed through a register: an "m" operand could be
     * RSP-relative, and RSP moves in PRE. */
    __asm__ volatile(PRE "cmpxchg8b (%[p])" POST
                     : "+a"(*eax), "+d"(*edx), [f] "+r"(f)
                     : [p] "r"(m), "b"(ebx), "c"(ecx) : "cc", "memory");
    *fl = f;
}

static uint32_t nat_bswap32(uint32_t x)
{
    __asm__("bswap %0" : "+r"(x));
    return x;
}

/* BSWAP with a 16-bit operand size (undefined; no assembler mnemonic). */
static uint32_t nat_bswap16(uint32_t x)
{
    __asm__(".byte 0x66, 0x0f, 0xc8" : "+a"(x));
    return x;
}

/* SETcc / CMOVcc for the 16 conditions */
#define NATCC(CC) \
    static uint32_t nat_set##CC(uint64_t fl) \
    { \
        uint8_t r; \
        uint64_t f = fl; \
        __asm__ volatile(PRE "set" #CC " %[r]" POST : [r] "=&r"(r), [f] "+r"(f) : : "cc", "memory"); \
        return r; \
    } \
    static uint32_t nat_cmov##CC(unsigned bits, uint32_t d, uint32_t s, uint64_t fl) \
    { \
        uint64_t f = fl; \
        if (bits == 16) { \
            uint16_t dd = (uint16_t)d, ss = (uint16_t)s; \
            __asm__ volatile(PRE "cmov" #CC " %[s], %[d]" POST \
                             : [d] "+r"(dd), [f] "+r"(f) : [s] "r"(ss) : "cc", "memory"); \
            return dd; \
        } \
        __asm__ volatile(PRE "cmov" #CC " %[s], %[d]" POST \
                         : [d] "+r"(d), [f] "+r"(f) : [s] "r"(s) : "cc", "memory"); \
        return d; \
    }
NATCC(o) NATCC(no) NATCC(b) NATCC(ae) NATCC(e) NATCC(ne) NATCC(be) NATCC(a)
NATCC(s) NATCC(ns) NATCC(p) NATCC(np) NATCC(l) NATCC(ge) NATCC(le) NATCC(g)

static uint32_t (*const nat_set[16])(uint64_t) = {
    nat_seto, nat_setno, nat_setb, nat_setae, nat_sete, nat_setne, nat_setbe, nat_seta,
    nat_sets, nat_setns, nat_setp, nat_setnp, nat_setl, nat_setge, nat_setle, nat_setg,
};
static uint32_t (*const nat_cmov[16])(unsigned, uint32_t, uint32_t, uint64_t) = {
    nat_cmovo, nat_cmovno, nat_cmovb, nat_cmovae, nat_cmove, nat_cmovne, nat_cmovbe, nat_cmova,
    nat_cmovs, nat_cmovns, nat_cmovp, nat_cmovnp, nat_cmovl, nat_cmovge, nat_cmovle, nat_cmovg,
};

/* ------------------------------------------------------------------ */
/* The emulator side. */

#define RAM (1u << 20)
#define CODE_LO 0x1000u
#define CODE_HI 0xE0000u
#define SLOT 32u
#define DATA 0xF0000u   /* mach.mem is guest memory DATA..DATA+MEMSZ */
#define MEMSZ 64u

static struct harness *H;
static struct cpu *C;
static uint32_t next_slot;

static void emu_open(const char *model, bool flat)
{
    H = harness_new(model, RAM);
    cr_assert_not_null(H);
    C = &H->cpu;
    if (flat)
        harness_flat32(H);
    next_slot = CODE_LO;
}

static void emu_close(void)
{
    harness_free(H);
    H = NULL;
}

/* Every instruction gets its own code address: decoded blocks are cached
 * by address and harness_load does not tell the block cache. */
static uint32_t code_slot(void)
{
    if (next_slot + SLOT > CODE_HI) {
        blockcache_flush(&H->bc);
        tlb_flush(C);
        next_slot = CODE_LO;
    }
    uint32_t a = next_slot;
    next_slot += SLOT;
    return a;
}

/* Machine state a case starts from / ends with. */
struct mach {
    uint32_t r[8];
    uint32_t fl;            /* OSZAPC bits */
    uint8_t mem[MEMSZ];
};

static void rput(uint32_t *r, unsigned n, unsigned bits, uint32_t v)
{
    if (bits == 8) {
        unsigned sh = (n & 4) << 1;
        r[n & 3] = (r[n & 3] & ~(0xFFu << sh)) | (v & 0xFF) << sh;
    } else if (bits == 16) {
        r[n] = (r[n] & 0xFFFF0000u) | (v & 0xFFFF);
    } else {
        r[n] = v;
    }
}

static void mput(uint8_t *m, unsigned off, unsigned bits, uint32_t v)
{
    for (unsigned k = 0; k < bits / 8; k++)
        m[off + k] = (uint8_t)(v >> (8 * k));
}

static void mach_random(struct mach *m)
{
    for (int k = 0; k < 8; k++)
        m->r[k] = r32();
    m->fl = rflags();
    for (unsigned k = 0; k < MEMSZ; k++)
        m->mem[k] = (uint8_t)r32();
}

/* Instruction bytes. */
struct enc {
    uint8_t b[16];
    unsigned n;
};

static void eb(struct enc *e, unsigned v) { e->b[e->n++] = (uint8_t)v; }

static void eimm(struct enc *e, uint32_t v, unsigned bits)
{
    for (unsigned k = 0; k < bits / 8; k++)
        eb(e, v >> (8 * k));
}

/* 32-bit code: a 0x66 prefix makes the operand size 16. */
static void e_start(struct enc *e, unsigned bits)
{
    e->n = 0;
    if (bits == 16)
        eb(e, 0x66);
}

static void e_rr(struct enc *e, unsigned reg, unsigned rm) { eb(e, 0xC0 | reg << 3 | rm); }

/* ModRM memory operand at DATA + off ([disp32]). */
static void e_rm(struct enc *e, unsigned reg, unsigned off)
{
    eb(e, reg << 3 | 5);
    eimm(e, DATA + off, 32);
}

/* Runs the instruction once from state m; m gets the state after it.
 * False when it did not complete (fault, unimplemented handler). */
static bool emu_run(const struct enc *e, struct mach *m)
{
    uint32_t at = code_slot();
    uint8_t code[SLOT];
    memcpy(code, e->b, e->n);
    code[e->n] = 0xF4;  /* HLT: not executed, it ends the decoded block */
    harness_load(H, at, code, e->n + 1);
    for (int k = 0; k < 8; k++)
        C->reg[k] = m->r[k];
    cpu_set_eflags(C, m->fl, F_OSZAPC);
    memcpy(H->bus.ram + DATA, m->mem, MEMSZ);
    enum run_status st = harness_run(H, at, 1);
    for (int k = 0; k < 8; k++)
        m->r[k] = C->reg[k];
    m->fl = cpu_get_eflags(C) & F_OSZAPC;
    memcpy(m->mem, H->bus.ram + DATA, MEMSZ);
    return st == RUN_LIMIT && C->eip == at + e->n;
}

/* ------------------------------------------------------------------ */
/* Comparing and counting. */

struct stats {
    const char *name;
    unsigned cases;         /* operand sets */
    unsigned runs;          /* pcvm executions (one per instruction form) */
    unsigned fails;
    unsigned uflags;        /* runs whose undefined flags differ from the host */
    unsigned ubit[12];      /* ... per flag (index: bit number) */
    unsigned ures;          /* runs whose undefined result differs from the host */
    bool sdm_ref;           /* the reference is the SDM, not the host: its
                               undefined flags mean nothing */
};

static const char *const reg_name[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };

static void flags_str(char *out, uint32_t f)
{
    sprintf(out, "%c%c%c%c%c%c", f & F_OF ? 'O' : 'o', f & F_SF ? 'S' : 's', f & F_ZF ? 'Z' : 'z',
            f & F_AF ? 'A' : 'a', f & F_PF ? 'P' : 'p', f & F_CF ? 'C' : 'c');
}

static void report(struct stats *s, const struct enc *e, const struct mach *in,
                   const struct mach *exp, const struct mach *got, uint32_t fmask, const char *why)
{
    if (s->fails++ >= 8)
        return;
    char buf[1600];
    int n = snprintf(buf, sizeof buf, "%s: bytes", s->name);
    for (unsigned k = 0; k < e->n; k++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, " %02X", e->b[k]);
    char fi[8], fe[8], fg[8];
    flags_str(fi, in->fl);
    flags_str(fe, exp->fl);
    flags_str(fg, got->fl);
    n += snprintf(buf + n, sizeof buf - (size_t)n, ": %s\n  in:", why);
    for (int k = 0; k < 8; k++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, " %s=%08X", reg_name[k], in->r[k]);
    n += snprintf(buf + n, sizeof buf - (size_t)n, " flags=%s mem[16..23]=", fi);
    for (unsigned k = 16; k < 24; k++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%02X", in->mem[k]);
    for (int k = 0; k < 8; k++)
        if (exp->r[k] != got->r[k])
            n += snprintf(buf + n, sizeof buf - (size_t)n, "\n  %s: host %08X pcvm %08X",
                          reg_name[k], exp->r[k], got->r[k]);
    for (unsigned k = 0; k < MEMSZ; k++)
        if (exp->mem[k] != got->mem[k]) {
            n += snprintf(buf + n, sizeof buf - (size_t)n, "\n  mem[%u]: host %02X pcvm %02X", k,
                          exp->mem[k], got->mem[k]);
            break;
        }
    if ((exp->fl ^ got->fl) & fmask) {
        char fm[8];
        flags_str(fm, fmask);
        snprintf(buf + n, sizeof buf - (size_t)n, "\n  flags: host %s pcvm %s (compared: %s)", fe, fg,
                 fm);
    }
    cr_log_error("%s", buf);
}

/* One pcvm run of `e` from `in`, compared with the host's `exp`: registers
 * and memory exactly (with res_undef: counted only), the flags in fmask
 * exactly (the others: counted only). */
static void check(struct stats *s, const struct enc *e, const struct mach *in,
                  const struct mach *exp, uint32_t fmask, bool res_undef)
{
    struct mach got = *in;
    s->runs++;
    if (!emu_run(e, &got)) {
        report(s, e, in, exp, &got, fmask, "did not complete (fault or unimplemented handler)");
        return;
    }
    bool res_ok = memcmp(got.r, exp->r, sizeof got.r) == 0 && memcmp(got.mem, exp->mem, MEMSZ) == 0;
    uint32_t udiff = (got.fl ^ exp->fl) & F_OSZAPC & ~fmask;
    if (udiff && !s->sdm_ref) {
        s->uflags++;
        for (unsigned k = 0; k < 12; k++)
            s->ubit[k] += (udiff >> k) & 1;
    }
    if (!res_ok && res_undef) {
        s->ures++;
        res_ok = true;
    }
    if (!res_ok || ((got.fl ^ exp->fl) & fmask))
        report(s, e, in, exp, &got, fmask, "differs from the host");
}

static void stats_end(const struct stats *s)
{
    if (s->sdm_ref)
        cr_log_info("hostdiff %-9s %6u cases, %7u pcvm runs (against the SDM pseudo-code)", s->name,
                    s->cases, s->runs);
    else
        cr_log_info("hostdiff %-9s %6u cases, %7u pcvm runs; undefined flags differ from the host "
                    "in %u runs (O%u S%u Z%u A%u P%u C%u), undefined results in %u", s->name, s->cases,
                    s->runs, s->uflags, s->ubit[11], s->ubit[7], s->ubit[6], s->ubit[4], s->ubit[2],
                    s->ubit[0], s->ures);
    cr_expect_eq(s->fails, 0, "%s: %u of %u pcvm runs differ from the host", s->name, s->fails,
                 s->runs);
}

/* Two different registers (for byte registers: different byte registers),
 * neither of them in `avoid` (a bit mask of register numbers). */
static void pick2(unsigned *d, unsigned *s, unsigned avoid)
{
    do
        *d = rbelow(8);
    while (avoid >> *d & 1);
    do
        *s = rbelow(8);
    while (*s == *d || (avoid >> *s & 1));
}

/* Offset of the memory operand inside mach.mem (unaligned on purpose). */
static unsigned mem_off(void) { return 16 + rbelow(16); }

/* ------------------------------------------------------------------ */
/* ADD OR ADC SBB AND SUB XOR CMP TEST: every encoding. */

static nat2_fn *const nat_alu[9][3] = {
    { nat_add8, nat_add16, nat_add32 }, { nat_or8, nat_or16, nat_or32 },
    { nat_adc8, nat_adc16, nat_adc32 }, { nat_sbb8, nat_sbb16, nat_sbb32 },
    { nat_and8, nat_and16, nat_and32 }, { nat_sub8, nat_sub16, nat_sub32 },
    { nat_xor8, nat_xor16, nat_xor32 }, { nat_cmp8, nat_cmp16, nat_cmp32 },
    { nat_test8, nat_test16, nat_test32 },
};
static const char *const alu_name[9] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test" };

enum { FM_EG_R, FM_EG_M, FM_GE_R, FM_GE_M, FM_ACC, FM_EI_R, FM_EI_M, FM_EIB_R, FM_EIB_M,
       FM_ALIAS_R, FM_ALIAS_M, FM_N };

Test(hostdiff, alu)
{
    emu_open("pentium2", true);
    for (unsigned k = 0; k < 9; k++) {
        struct stats st = { .name = alu_name[k] };
        bool test = k == 8, writes = k != 7 && k != 8;
        bool logic = k == 1 || k == 4 || k == 6 || k == 8;
        uint32_t fmask = logic ? F_OSZAPC & ~F_AF : F_OSZAPC; /* logic ops: AF undefined */
        rseed(100 + k);
        for (unsigned bits = 8; bits <= 32; bits *= 2) {
            unsigned w = bits != 8;
            for (unsigned n = 0; n < NCASE; n++) {
                uint32_t a = rval(bits), b = rval(bits), fl = rflags();
                bool s8 = rbelow(3) == 0; /* representable as a sign-extended imm8 */
                if (s8)
                    b = sx(r32(), 8) & mask_of(bits);
                uint64_t nf = fl | 2;
                uint32_t r = nat_alu[k][szi(bits)](a, b, &nf);
                st.cases++;
                for (unsigned f = 0; f < FM_N; f++) {
                    struct mach in, exp;
                    struct enc e;
                    unsigned d, s, off = mem_off();
                    bool mdst = false, msrc = false, rsrc = false;
                    mach_random(&in);
                    in.fl = fl;
                    pick2(&d, &s, 0);
                    e_start(&e, bits);
                    switch (f) {
                    case FM_EG_R:
                    case FM_EG_M:
                        eb(&e, test ? 0x84 + w : k * 8 + w);
                        if (f == FM_EG_R)
                            e_rr(&e, s, d);
                        else
                            e_rm(&e, s, off), mdst = true;
                        rsrc = true;
                        break;
                    case FM_GE_R:
                    case FM_GE_M:
                        if (test)
                            continue;
                        eb(&e, k * 8 + 2 + w);
                        if (f == FM_GE_R)
                            e_rr(&e, d, s), rsrc = true;
                        else
                            e_rm(&e, d, off), msrc = true;
                        break;
                    case FM_ACC:
                        d = 0;
                        eb(&e, test ? 0xA8 + w : k * 8 + 4 + w);
                        eimm(&e, b, bits);
                        break;
                    case FM_EI_R:
                    case FM_EI_M:
                        eb(&e, test ? 0xF6 + w : 0x80 + w);
                        if (f == FM_EI_R)
                            e_rr(&e, test ? 0 : k, d);
                        else
                            e_rm(&e, test ? 0 : k, off), mdst = true;
                        eimm(&e, b, bits);
                        break;
                    case FM_EIB_R:
                    case FM_EIB_M:
                        if (test || bits == 8 || !s8)
                            continue;
                        eb(&e, 0x83);
                        if (f == FM_EIB_R)
                            e_rr(&e, k, d);
                        else
                            e_rm(&e, k, off), mdst = true;
                        eb(&e, b);
                        break;
                    default: /* 82 /k ib (alias of 80), F6/F7 /1 (alias of TEST /0) */
                        if (!test && bits != 8)
                            continue;
                        eb(&e, test ? 0xF6 + w : 0x82);
                        if (f == FM_ALIAS_R)
                            e_rr(&e, test ? 1 : k, d);
                        else
                            e_rm(&e, test ? 1 : k, off), mdst = true;
                        eimm(&e, b, bits);
                        break;
                    }
                    if (mdst)
                        mput(in.mem, off, bits, a);
                    else
                        rput(in.r, d, bits, a);
                    if (msrc)
                        mput(in.mem, off, bits, b);
                    else if (rsrc)
                        rput(in.r, s, bits, b);
                    exp = in;
                    if (writes) {
                        if (mdst)
                            mput(exp.mem, off, bits, r);
                        else
                            rput(exp.r, d, bits, r);
                    }
                    exp.fl = (uint32_t)nf & F_OSZAPC;
                    check(&st, &e, &in, &exp, fmask, false);
                }
            }
        }
        stats_end(&st);
    }
    emu_close();
}

/* ------------------------------------------------------------------ */
/* INC DEC NEG NOT */

Test(hostdiff, incdec_negnot)
{
    static nat1_fn *const nat[4][3] = {
        { nat_inc8, nat_inc16, nat_inc32 }, { nat_dec8, nat_dec16, nat_dec32 },
        { nat_neg8, nat_neg16, nat_neg32 }, { nat_not8, nat_not16, nat_not32 },
    };
    static const char *const name[4] = { "inc", "dec", "neg", "not" };
    static const unsigned ext[4] = { 0, 1, 3, 2 }; /* ModRM.reg in FE/FF (inc, dec), F6/F7 */
    emu_open("pentium2", true);
    for (unsigned k = 0; k < 4; k++) {
        struct stats st = { .name = name[k] };
        rseed(200 + k);
        for (unsigned bits = 8; bits <= 32; bits *= 2) {
            unsigned w = bits != 8;
            for (unsigned n = 0; n < NCASE; n++) {
                uint32_t a = rval(bits), fl = rflags();
                uint64_t nf = fl | 2;
                uint32_t r = nat[k][szi(bits)](a, &nf);
                st.cases++;
                for (unsigned f = 0; f < 3; f++) {
                    struct mach in, exp;
                    struct enc e;
                    unsigned d = rbelow(8), off = mem_off();
                    mach_random(&in);
                    in.fl = fl;
                    e_start(&e, bits);
                    if (f == 2) { /* 40+r / 48+r */
                        if (k > 1 || bits == 8)
                            continue;
                        eb(&e, (k ? 0x48 : 0x40) + d);
                    } else {
                        eb(&e, (k < 2 ? 0xFE : 0xF6) + w);
                        if (f == 0)
                            e_rr(&e, ext[k], d);
                        else
                            e_rm(&e, ext[k], off);
                    }
                    if (f == 1)
                        mput(in.mem, off, bits, a);
                    else
                        rput(in.r, d, bits, a);
                    exp = in;
                    if (f == 1)
                        mput(exp.mem, off, bits, r);
                    else
                        rput(exp.r, d, bits, r);
                    exp.fl = (uint32_t)nf & F_OSZAPC;
                    check(&st, &e, &in, &exp, F_OSZAPC, false);
                }
            }
        }
        stats_end(&st);
    }
    emu_close();
}

/* ------------------------------------------------------------------ */
/* ROL ROR RCL RCR SHL SHR SAL SAR by 1, CL and imm8 */

static natsh_fn *const nat_sh[8][3] = {
    { nat_rol8, nat_rol16, nat_rol32 }, { nat_ror8, nat_ror16, nat_ror32 },
    { nat_rcl8, nat_rcl16, nat_rcl32 }, { nat_rcr8, nat_rcr16, nat_rcr32 },
    { nat_shl8, nat_shl16, nat_shl32 }, { nat_shr8, nat_shr16, nat_shr32 },
    { nat_shl8, nat_shl16, nat_shl32 }, { nat_sar8, nat_sar16, nat_sar32 },
};
static natsh_fn *const nat_sh1[8][3] = {
    { nat_rol8_1, nat_rol16_1, nat_rol32_1 }, { nat_ror8_1, nat_ror16_1, nat_ror32_1 },
    { nat_rcl8_1, nat_rcl16_1, nat_rcl32_1 }, { nat_rcr8_1, nat_rcr16_1, nat_rcr32_1 },
    { nat_shl8_1, nat_shl16_1, nat_shl32_1 }, { nat_shr8_1, nat_shr16_1, nat_shr32_1 },
    { nat_shl8_1, nat_shl16_1, nat_shl32_1 }, { nat_sar8_1, nat_sar16_1, nat_sar32_1 },
};
static const char *const sh_name[8] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar" };

/* Shift counts, biased towards the interesting ones; above 31 they test
 * the 5-bit count mask. */
static unsigned rcount(unsigned bits)
{
    switch (rbelow(10)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return bits - 1;
    case 3: return bits;
    case 4: return bits + 1;
    case 5: return 32 + rbelow(224);
    default: return rbelow(32);
    }
}

/* Flags the SDM defines after a shift/rotate by the masked count mc. */
static uint32_t shift_fmask(unsigned op, unsigned bits, unsigned mc)
{
    if (mc == 0)
        return F_OSZAPC;                      /* nothing changes */
    uint32_t m;
    if (op <= 3) {
        m = F_OSZAPC & ~F_OF;                 /* rotates: SZAP unaffected */
    } else {
        m = F_SF | F_ZF | F_PF | F_CF;        /* AF undefined */
        if (op != 7 && mc >= bits)
            m &= ~F_CF;                       /* SHL/SHR: CF undefined for count >= size */
    }
    if (mc == 1)
        m |= F_OF;                            /* OF only for 1-bit shifts */
    return m;
}

Test(hostdiff, shifts)
{
    emu_open("pentium2", true);
    for (unsigned op = 0; op < 8; op++) {
        struct stats st = { .name = sh_name[op] };
        rseed(300 + op);
        for (unsigned bits = 8; bits <= 32; bits *= 2) {
            unsigned w = bits != 8;
            for (unsigned n = 0; n < NCASE; n++) {
                uint32_t a = rval(bits), fl = rflags();
                unsigned cnt = rcount(bits);
                uint64_t nf = fl | 2, nf1 = fl | 2;
                uint32_t r = nat_sh[op][szi(bits)](a, cnt, &nf);
                uint32_t r1 = nat_sh1[op][szi(bits)](a, 1, &nf1);
                st.cases++;
                /* forms: by 1, by CL, by imm8; each register and memory */
                for (unsigned f = 0; f < 6; f++) {
                    struct mach in, exp;
                    struct enc e;
                    unsigned d, s, off = mem_off(), form = f >> 1;
                    bool mem = f & 1;
                    mach_random(&in);
                    in.fl = fl;
                    pick2(&d, &s, 1u << R_ECX);  /* not CL/ECX: it holds the count */
                    e_start(&e, bits);
                    eb(&e, (form == 0 ? 0xD0 : form == 1 ? 0xD2 : 0xC0) + w);
                    if (mem)
                        e_rm(&e, op, off);
                    else
                        e_rr(&e, op, d);
                    if (form == 2)
                        eb(&e, cnt);
                    rput(in.r, R_ECX, 8, form == 1 ? cnt : r32());
                    if (mem)
                        mput(in.mem, off, bits, a);
                    else
                        rput(in.r, d, bits, a);
                    exp = in;
                    uint32_t res = form == 0 ? r1 : r;
                    if (mem)
                        mput(exp.mem, off, bits, res);
                    else
                        rput(exp.r, d, bits, res);
                    exp.fl = (uint32_t)(form == 0 ? nf1 : nf) & F_OSZAPC;
                    check(&st, &e, &in, &exp, shift_fmask(op, bits, form == 0 ? 1 : cnt & 31), false);
                }
            }
        }
        stats_end(&st);
    }
    emu_close();
}

/* ------------------------------------------------------------------ */
/* SHLD SHRD, by imm8 and CL */

Test(hostdiff, shld_shrd)
{
    static natds_fn *const nat[2][2] = { { nat_shld16, nat_shld32 }, { nat_shrd16, nat_shrd32 } };
    static const char *const name[2] = { "shld", "shrd" };
    emu_open("pentium2", true);
    for (unsigned k = 0; k < 2; k++) {
        struct stats st = { .name = name[k] };
        rseed(400 + k);
        for (unsigned bits = 16; bits <= 32; bits *= 2) {
            for (unsigned n = 0; n < NCASE * 2; n++) {
                uint32_t a = rval(bits), b = rval(bits), fl = rflags();
                unsigned cnt = rbelow(4) ? rbelow(32) : rbelow(256), mc = cnt & 31;
                uint64_t nf = fl | 2;
                uint32_t r = nat[k][bits == 32](a, b, cnt, &nf);
                /* 16-bit counts above 16: result and flags undefined */
                bool undef = bits == 16 && mc > 16;
                uint32_t fmask = mc == 0 ? F_OSZAPC
                               : undef ? 0 : (F_SF | F_ZF | F_PF | F_CF | (mc == 1 ? F_OF : 0));
                st.cases++;
                for (unsigned f = 0; f < 4; f++) {
                    struct mach in, exp;
                    struct enc e;
                    unsigned d, s, off = mem_off();
                    bool cl = f & 2, mem = f & 1;
                    mach_random(&in);
                    in.fl = fl;
                    pick2(&d, &s, 1u << R_ECX);
                    e_start(&e, bits);
                    eb(&e, 0x0F);
                    eb(&e, (k ? 0xAC : 0xA4) + cl);
                    if (mem)
                        e_rm(&e, s, off);
                    else
                        e_rr(&e, s, d);
                    if (!cl)
                        eb(&e, cnt);
                    rput(in.r, R_ECX, 8, cl ? cnt : r32());
                    rput(in.r, s, bits, b);
                    if (mem)
                        mput(in.mem, off, bits, a);
                    else
                        rput(in.r, d, bits, a);
                    exp = in;
                    if (mem)
                        mput(exp.mem, off, bits, r);
                    else
                        rput(exp.r, d, bits, r);
                    exp.fl = (uint32_t)nf & F_OSZAPC;
                    check(&st, &e, &in, &exp, fmask, undef);
                }
            }
        }
        stats_end(&st);
    }
    emu_close();
}

/* ------------------------------------------------------------------ */
/* MUL IMUL (one, two, three operands) */

Test(hostdiff, mul_imul)
{
    emu_open("pentium2", true);
    for (unsigned k = 0; k < 2; k++) {          /* MUL, IMUL: F6/F7 /4 /5 */
        struct stats st = { .name = k ? "imul" : "mul" };
        rseed(500 + k);
        for (unsigned bits = 8; bits <= 32; bits *= 2) {
            unsigned w = bits != 8;
            for (unsigned n = 0; n < NCASE; n++) {
                uint32_t a = rval(bits), b = rval(bits), fl = rflags(), lo, hi;
                uint64_t nf = fl | 2;
                if (bits == 8)
                    nat_mul8(k, a, b, &lo, &hi, &nf);
                else if (bits == 16)
                    (k ? nat_imulw : nat_mulw)(a, b, &lo, &hi, &nf);
                else
                    (k ? nat_imull : nat_mull)(a, b, &lo, &hi, &nf);
                st.cases++;
                for (unsigned f = 0; f < 2; f++) {
                    struct mach in, exp;
                    struct enc e;
                    unsigned d, s, off = mem_off();
                    mach_random(&in);
                    in.fl = fl;
                    /* the source is not the accumulator or (E)DX/AH */
                    pick2(&d, &s, bits == 8 ? 0x11u : 0x05u);
                    e_start(&e, bits);
                    eb(&e, 0xF6 + w);
                    if (f)
                        e_rm(&e, 4 + k, off), mput(in.mem, off, bits, b);
                    else
                        e_rr(&e, 4 + k, s), rput(in.r, s, bits, b);
                    rput(in.r, R_EAX, bits, a);
                    exp = in;
                    if (bits == 8) {
                        rput(exp.r, R_EAX, 16, lo | hi << 8);
                    } else {
                        rput(exp.r, R_EAX, bits, lo);
                        rput(exp.r, R_EDX, bits, hi);
                    }
                    exp.fl = (uint32_t)nf & F_OSZAPC;
                    check(&st, &e, &in, &exp, F_OF | F_CF, false);
                }
            }
        }
        stats_end(&st);
    }

    /* IMUL Gv,Ev (0F AF), Gv,Ev,Iv (69), Gv,Ev,Ib (6B) */
    struct stats st = { .name = "imul2/3" };
    rseed(510);
    for (unsigned bits = 16; bits <= 32; bits *= 2) {
        for (unsigned n = 0; n < NCASE * 2; n++) {
            uint32_t a = rval(bits), b = rval(bits), fl = rflags();
            bool s8 = rbelow(3) == 0;
            if (s8)
                b = sx(r32(), 8) & mask_of(bits);
            uint64_t nf = fl | 2;
            uint32_t r = (bits == 16 ? nat_imul16 : nat_imul32)(a, b, &nf);
            st.cases++;
            for (unsigned f = 0; f < 6; f++) {
                struct mach in, exp;
                struct enc e;
                unsigned d, s, off = mem_off(), form = f >> 1;
                bool mem = f & 1;
                if (form == 2 && !s8)
                    continue;
                mach_random(&in);
                in.fl = fl;
                pick2(&d, &s, 0);
                e_start(&e, bits);
                if (form == 0)
                    eb(&e, 0x0F), eb(&e, 0xAF);
                else
                    eb(&e, form == 1 ? 0x69 : 0x6B);
                if (mem)
                    e_rm(&e, d, off);
                else
                    e_rr(&e, d, s);
                /* 0F AF: d = d * Ev; 69/6B: d = Ev * imm */
                uint32_t ev = form == 0 ? b : a;
                if (form == 1)
                    eimm(&e, b, bits);
                else if (form == 2)
                    eb(&e, b);
                if (form == 0)
                    rput(in.r, d, bits, a);
                if (mem)
                    mput(in.mem, off, bits, ev);
                else
                    rput(in.r, s, bits, ev);
                exp = in;
                rput(exp.r, d, bits, r);
                exp.fl = (uint32_t)nf & F_OSZAPC;
                check(&st, &e, &in, &exp, F_OF | F_CF, false);
            }
        }
    }
    stats_end(&st);
    emu_close();
}

/* ------------------------------------------------------------------ */
/* DIV IDIV (operand pairs that do not fault; faults: div_faults) */

/* Would DIV/IDIV of hi:lo by d raise #DE? */
static bool div_faults(bool sign, unsigned bits, uint32_t lo, uint32_t hi, uint32_t d)
{
    uint32_t m = mask_of(bits);
    if ((d & m) == 0)
        return true;
    unsigned __int128 un = (unsigned __int128)(hi & m) << bits | (lo & m);
    if (!sign)
        return un / (d & m) > m;
    __int128 n = (__int128)un;
    if ((un >> (2 * bits - 1)) & 1)
        n -= (__int128)1 << (2 * bits);
    __int128 q = n / (int32_t)sx(d, bits);
    return q > (__int128)(m >> 1) || q < -(__int128)(m >> 1) - 1;
}

Test(hostdiff, div_idiv)
{
    emu_open("pentium2", true);
    for (unsigned k = 0; k < 2; k++) {          /* DIV, IDIV: F6/F7 /6 /7 */
        struct stats st = { .name = k ? "idiv" : "div" };
        unsigned skipped = 0;
        rseed(600 + k);
        for (unsigned bits = 8; bits <= 32; bits *= 2) {
            unsigned w = bits != 8;
            uint32_t m = mask_of(bits);
            for (unsigned n = 0; n < NCASE * 2; n++) {
                uint32_t lo = rval(bits), hi = rval(bits), d = rval(bits), fl = rflags();
                if (rbelow(2)) {
                    /* make a quotient that fits likely: |hi| small */
                    if (d == 0)
                        d = 1 + rbelow(m);
                    hi = k ? (rbelow(2) ? 0 : m) : rbelow(d & m);
                    if (k && hi == m && !(lo >> (bits - 1)))
                        lo |= 1u << (bits - 1);
                }
                if (div_faults(k, bits, lo, hi, d)) {
                    skipped++;
                    continue;
                }
                uint32_t q, r;
                uint64_t nf = fl | 2;
                if (bits == 8)
                    nat_div8(k, lo, hi, d, &q, &r, &nf);
                else if (bits == 16)
                    (k ? nat_idiv16 : nat_div16)(lo, hi, d, &q, &r, &nf);
                else
                    (k ? nat_idiv32 : nat_div32)(lo, hi, d, &q, &r, &nf);
                st.cases++;
                for (unsigned f = 0; f < 2; f++) {
                    struct mach in, exp;
                    struct enc e;
                    unsigned dd, s, off = mem_off();
                    mach_random(&in);
                    in.fl = fl;
                    pick2(&dd, &s, bits == 8 ? 0x11u : 0x05u);
                    e_start(&e, bits);
                    eb(&e, 0xF6 + w);
                    if (f)
                        e_rm(&e, 6 + k, off), mput(in.mem, off, bits, d);
                    else
                        e_rr(&e, 6 + k, s), rput(in.r, s, bits, d);
                    if (bits == 8) {
                        rput(in.r, R_EAX, 16, (hi & 0xFF) << 8 | (lo & 0xFF));
                    } else {
                        rput(in.r, R_EAX, bits, lo);
                        rput(in.r, R_EDX, bits, hi);
                    }
                    exp = in;
                    if (bits == 8) {
                        rput(exp.r, R_EAX, 16, (r & 0xFF) << 8 | (q & 0xFF));
                    } else {
                        rput(exp.r, R_EAX, bits, q);
                        rput(exp.r, R_EDX, bits, r);
                    }
                    exp.fl = (uint32_t)nf & F_OSZAPC;
                    check(&st, &e, &in, &exp, 0, false); /* all six flags undefined */
                }
            }
        }
        cr_log_info("hostdiff %-9s %u faulting operand sets skipped (see div_faults)", st.name, skipped);
        stats_end(&st);
    }
    emu_close();
}

/* Divide errors, in pcvm alone: real mode, INT 0 vector -> 0000:0500 where
 * the handler's first instruction is INC BP.  After one step the CPU must
 * have entered the handler with AX/DX/flags unchanged and the right return
 * address pushed (the faulting instruction; the next one on the 8086). */
#define DE_HANDLER 0x0500u
#define DE_CODE 0x1000u

struct de_case {
    const char *model;
    uint8_t code[6];
    unsigned len;
    uint32_t eax, edx, ebx;
    bool de;                 /* #DE expected */
    uint32_t eax_after, edx_after;
};

static void run_de_case(const struct de_case *t)
{
    struct harness *h = harness_new(t->model, RAM);
    cr_assert_not_null(h);
    struct cpu *c = &h->cpu;
    const uint8_t ivt0[4] = { DE_HANDLER & 0xFF, DE_HANDLER >> 8, 0, 0 };
    const uint8_t handler[2] = { 0x45, 0xF4 }; /* INC BP; HLT */
    uint8_t code[8];
    harness_load(h, 0, ivt0, 4);
    harness_load(h, DE_HANDLER, handler, 2);
    memcpy(code, t->code, t->len);
    code[t->len] = 0xF4;
    harness_load(h, DE_CODE, code, t->len + 1);
    c->reg[R_EAX] = t->eax;
    c->reg[R_EDX] = t->edx;
    c->reg[R_EBX] = t->ebx;
    c->reg[R_ESP] = 0x8000;
    c->reg[R_EBP] = 0x1234;
    cpu_set_eflags(c, F_CF | F_ZF | F_OF, F_OSZAPC);
    uint16_t flags_before = (uint16_t)cpu_get_eflags(c);
    harness_run(h, DE_CODE, 1);
    char what[64];
    snprintf(what, sizeof what, "%s %02X %02X %02X", t->model, t->code[0], t->code[1], t->code[2]);
    if (t->de) {
        uint32_t ret = c->model->div_err_next_eip ? DE_CODE + t->len : DE_CODE;
        /* cpu_run(c, 1) may stop at the handler's entry or run its first
         * instruction too: either shows the exception was delivered. */
        bool entered = c->eip == DE_HANDLER ||
                       (c->eip == DE_HANDLER + 1 && c->reg[R_EBP] == 0x1235);
        cr_expect(entered, "%s: #DE handler not entered (EIP %X)", what, c->eip);
        cr_expect_eq(c->reg[R_ESP], 0x8000 - 6, "%s: SP %X", what, c->reg[R_ESP]);
        uint16_t ip = (uint16_t)(h->bus.ram[0x7FFA] | h->bus.ram[0x7FFB] << 8);
        uint16_t fl = (uint16_t)(h->bus.ram[0x7FFE] | h->bus.ram[0x7FFF] << 8);
        cr_expect_eq(ip, ret, "%s: pushed IP %X, want %X", what, ip, ret);
        cr_expect_eq(fl & F_OSZAPC, flags_before & F_OSZAPC, "%s: flags changed before #DE", what);
        cr_expect_eq(c->reg[R_EAX], t->eax, "%s: EAX changed (%08X) before #DE", what, c->reg[R_EAX]);
        cr_expect_eq(c->reg[R_EDX], t->edx, "%s: EDX changed (%08X) before #DE", what, c->reg[R_EDX]);
    } else {
        cr_expect_eq(c->eip, DE_CODE + t->len, "%s: unexpected exception (EIP %X)", what, c->eip);
        cr_expect_eq(c->reg[R_EAX], t->eax_after, "%s: EAX %08X, want %08X", what, c->reg[R_EAX],
                     t->eax_after);
        cr_expect_eq(c->reg[R_EDX], t->edx_after, "%s: EDX %08X, want %08X", what, c->reg[R_EDX],
                     t->edx_after);
    }
    harness_free(h);
}

Test(hostdiff, div_faults)
{
    static const struct de_case cases[] = {
        /* divide by zero, every size */
        { "pentium2", { 0xF6, 0xF3 }, 2, 0x1234, 0, 0x100, true, 0, 0 },            /* div bl */
        { "pentium2", { 0xF7, 0xF3 }, 2, 0x1234, 0x5, 0xFFFF0000u, true, 0, 0 },    /* div bx */
        { "pentium2", { 0x66, 0xF7, 0xF3 }, 3, 1, 0, 0, true, 0, 0 },              /* div ebx */
        { "pentium2", { 0xF6, 0xFB }, 2, 0x1234, 0, 0, true, 0, 0 },                /* idiv bl */
        { "pentium2", { 0x66, 0xF7, 0xFB }, 3, 1, 0, 0, true, 0, 0 },              /* idiv ebx */
        /* quotient too large */
        { "pentium2", { 0xF6, 0xF3 }, 2, 0x0200, 0, 2, true, 0, 0 },                /* 200h/2 */
        { "pentium2", { 0xF7, 0xF3 }, 2, 0, 0x10, 0x10, true, 0, 0 },               /* 100000h/10h */
        { "pentium2", { 0x66, 0xF7, 0xF3 }, 3, 0, 5, 5, true, 0, 0 },
        { "pentium2", { 0xF6, 0xFB }, 2, 0x0080, 0, 1, true, 0, 0 },                /* +128 */
        { "pentium2", { 0x66, 0xF7, 0xFB }, 3, 0, 0x80000000u, 0xFFFFFFFFu, true, 0, 0 },
        /* most negative quotient: fine from the 80286 on, #DE on the 8086 */
        { "pentium2", { 0xF6, 0xFB }, 2, 0xFF80, 0, 1, false, 0x0080, 0 },          /* -128/1 */
        { "pentium2", { 0xF7, 0xFB }, 2, 0x8000, 0xFFFF, 1, false, 0x8000, 0 },     /* -32768/1 */
        { "80286", { 0xF6, 0xFB }, 2, 0xFF80, 0, 1, false, 0x0080, 0 },
        { "8086", { 0xF6, 0xFB }, 2, 0xFF80, 0, 1, true, 0, 0 },
        { "8086", { 0xF7, 0xFB }, 2, 0x8000, 0xFFFF, 1, true, 0, 0 },
        /* 8086: #DE pushes the address of the next instruction */
        { "8086", { 0xF6, 0xF3 }, 2, 0x1234, 0, 0x100, true, 0, 0 },
        { "8086", { 0xF7, 0x33 }, 2, 0x1234, 0x5, 0, true, 0, 0 },                  /* div [bp+di] */
        /* 8086: REP/REPNE before IDIV negates the quotient; later chips ignore it */
        { "8086", { 0xF3, 0xF6, 0xFB }, 3, 100, 0, 7, false, 0x02F2, 0 },           /* 100/7: -14 r 2 */
        { "8086", { 0xF2, 0xF7, 0xFB }, 3, 100, 0, 0xFFF9, false, 0x000E, 2 },      /* 100/-7: +14 r 2 */
        { "pentium2", { 0xF3, 0xF6, 0xFB }, 3, 100, 0, 7, false, 0x020E, 0 },
        /* AAM 0 */
        { "pentium2", { 0xD4, 0x00 }, 2, 0x1234, 0, 0, true, 0, 0 },
        { "8086", { 0xD4, 0x00 }, 2, 0x1234, 0, 0, true, 0, 0 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        run_de_case(&cases[k]);
    cr_log_info("hostdiff div_faults: %zu divide-error cases", sizeof cases / sizeof cases[0]);
}

/* ------------------------------------------------------------------ */
/* BT BTS BTR BTC, BSF BSR, BSWAP */

Test(hostdiff, bit_ops)
{
    static nat2_fn *const nat_btr_[4][2] = {
        { nat_bt16, nat_bt32 }, { nat_bts16, nat_bts32 },
        { nat_btr16, nat_btr32 }, { nat_btc16, nat_btc32 },
    };
    static void (*const nat_btm_[4][2])(uint8_t *, uint32_t, uint64_t *) = {
        { nat_btm16, nat_btm32 }, { nat_btsm16, nat_btsm32 },
        { nat_btrm16, nat_btrm32 }, { nat_btcm16, nat_btcm32 },
    };
    static const char *const name[4] = { "bt", "bts", "btr", "btc" };
    static const uint8_t op_rr[4] = { 0xA3, 0xAB, 0xB3, 0xBB };
    emu_open("pentium2", true);
    for (unsigned k = 0; k < 4; k++) {
        struct stats st = { .name = name[k] };
        rseed(700 + k);
        for (unsigned bits = 16; bits <= 32; bits *= 2) {
            for (unsigned n = 0; n < NCASE; n++) {
                uint32_t a = rval(bits), fl = rflags();
                uint32_t off = rbelow(4) ? rbelow(256) : r32();   /* register/immediate offset */
                uint64_t nf = fl | 2;
                uint32_t r = nat_btr_[k][bits == 32](a, off, &nf);
                /* memory bit string with a signed register offset */
                int moff = (int)rbelow(512) - 256;
                uint8_t buf[MEMSZ];
                for (unsigned j = 0; j < MEMSZ; j++)
                    buf[j] = (uint8_t)r32();
                uint8_t nbuf[MEMSZ];
                memcpy(nbuf, buf, MEMSZ);
                uint64_t nfm = fl | 2;
                nat_btm_[k][bits == 32](nbuf + 32, (uint32_t)moff, &nfm);
                st.cases++;
                for (unsigned f = 0; f < 4; f++) {
                    struct mach in, exp;
                    struct enc e;
                    unsigned d, s, moff2 = mem_off();
                    mach_random(&in);
                    in.fl = fl;
                    pick2(&d, &s, 0);
                    e_start(&e, bits);
                    eb(&e, 0x0F);
                    switch (f) {
                    case 0: /* Ev,Gv register */
                        eb(&e, op_rr[k]);
                        e_rr(&e, s, d);
                        rput(in.r, d, bits, a);
                        rput(in.r, s, bits, off);
                        exp = in;
                        rput(exp.r, d, bits, r);
                        exp.fl = (uint32_t)nf & F_OSZAPC;
                        break;
                    case 1: /* Ev,Ib register */
                        eb(&e, 0xBA);
                        e_rr(&e, 4 + k, d);
                        eb(&e, off);
                        rput(in.r, d, bits, a);
                        exp = in;
                        if ((off & 0xFF) % bits == off % bits) {
                            rput(exp.r, d, bits, r);
                            exp.fl = (uint32_t)nf & F_OSZAPC;
                        } else {
                            continue; /* imm8 differs from the 32-bit register offset */
                        }
                        break;
                    case 2: /* Ev,Ib memory */
                        eb(&e, 0xBA);
                        e_rm(&e, 4 + k, moff2);
                        eb(&e, off);
                        if ((off & 0xFF) % bits != off % bits)
                            continue;
                        mput(in.mem, moff2, bits, a);
                        exp = in;
                        mput(exp.mem, moff2, bits, r);
                        exp.fl = (uint32_t)nf & F_OSZAPC;
                        break;
                    default: /* Ev,Gv memory: the offset reaches outside the operand */
                        eb(&e, op_rr[k]);
                        e_rm(&e, s, 32);
                        memcpy(in.mem, buf, MEMSZ);
                        rput(in.r, s, bits, (uint32_t)moff);
                        exp = in;
                        memcpy(exp.mem, nbuf, MEMSZ);
                        exp.fl = (uint32_t)nfm & F_OSZAPC;
                        break;
                    }
                    /* CF defined, ZF unaffected; OF SF AF PF undefined */
                    check(&st, &e, &in, &exp, F_CF | F_ZF, false);
                }
            }
        }
        stats_end(&st);
    }

    for (unsigned k = 0; k < 2; k++) {          /* BSF, BSR */
        struct stats st = { .name = k ? "bsr" : "bsf" };
        rseed(710 + k);
        for (unsigned bits = 16; bits <= 32; bits *= 2) {
            for (unsigned n = 0; n < NCASE; n++) {
                uint32_t src = rbelow(5) ? rval(bits) : 0, d0 = r32(), fl = rflags();
                uint64_t nf = fl | 2;
                uint32_t r = (k ? (bits == 16 ? nat_bsr16 : nat_bsr32)
                                : (bits == 16 ? nat_bsf16 : nat_bsf32))(d0, src, &nf);
                st.cases++;
                for (unsigned f = 0; f < 2; f++) {
                    struct mach in, exp;
                    struct enc e;
                    unsigned d, s, off = mem_off();
                    mach_random(&in);
                    in.fl = fl;
                    pick2(&d, &s, 0);
                    e_start(&e, bits);
                    eb(&e, 0x0F);
                    eb(&e, 0xBC + k);
                    if (f)
                        e_rm(&e, d, off), mput(in.mem, off, bits, src);
                    else
                        e_rr(&e, d, s), rput(in.r, s, bits, src);
                    rput(in.r, d, bits, d0);
                    exp = in;
                    rput(exp.r, d, bits, r);
                    exp.fl = (uint32_t)nf & F_OSZAPC;
                    check(&st, &e, &in, &exp, F_ZF, false);
                }
            }
        }
        stats_end(&st);
    }

    struct stats st = { .name = "bswap" };
    rseed(720);
    for (unsigned bits = 16; bits <= 32; bits *= 2) {
        for (unsigned n = 0; n < NCASE; n++) {
            uint32_t v = r32();
            uint32_t r = bits == 32 ? nat_bswap32(v) : nat_bswap16(v);
            struct mach in, exp;
            struct enc e;
            unsigned d = rbelow(8);
            st.cases++;
            mach_random(&in);
            e_start(&e, bits);
            eb(&e, 0x0F);
            eb(&e, 0xC8 + d);
            in.r[d] = v;
            exp = in;
            exp.r[d] = r;
            /* 16-bit operand size: result undefined (counted only) */
            check(&st, &e, &in, &exp, F_OSZAPC, bits == 16);
        }
    }
    stats_end(&st);
    emu_close();
}

/* ------------------------------------------------------------------ */
/* CMPXCHG XADD CMPXCHG8B */

Test(hostdiff, xchg_ops)
{
    emu_open("pentium2", true);
    struct stats sc = { .name = "cmpxchg" }, sx_ = { .name = "xadd" }, s8 = { .name = "cmpxchg8b" };
    rseed(800);
    for (unsigned bits = 8; bits <= 32; bits *= 2) {
        unsigned w = bits != 8;
        for (unsigned n = 0; n < NCASE; n++) {
            uint32_t dv = rval(bits), sv = rval(bits), fl = rflags();
            uint32_t acc = rbelow(2) ? dv : rval(bits);
            uint32_t nd = dv, nacc = acc, xd = dv, xs = sv;
            uint64_t nf = fl | 2, xf = fl | 2;
            void (*cx)(uint32_t *, uint32_t, uint32_t *, uint64_t *) =
                bits == 8 ? nat_cx8 : bits == 16 ? nat_cx16 : nat_cx32;
            void (*xa)(uint32_t *, uint32_t *, uint64_t *) =
                bits == 8 ? nat_cx8_xadd : bits == 16 ? nat_cx16_xadd : nat_cx32_xadd;
            cx(&nd, sv, &nacc, &nf);
            xa(&xd, &xs, &xf);
            sc.cases++;
            sx_.cases++;
            for (unsigned f = 0; f < 4; f++) {
                struct mach in, exp;
                struct enc e;
                unsigned d, s, off = mem_off();
                bool mem = f & 1, xadd = f & 2;
                mach_random(&in);
                in.fl = fl;
                pick2(&d, &s, bits == 8 ? 0x11u : 0x01u); /* not the accumulator */
                e_start(&e, bits);
                eb(&e, 0x0F);
                eb(&e, (xadd ? 0xC0 : 0xB0) + w);
                if (mem)
                    e_rm(&e, s, off), mput(in.mem, off, bits, dv);
                else
                    e_rr(&e, s, d), rput(in.r, d, bits, dv);
                rput(in.r, s, bits, sv);
                if (!xadd)
                    rput(in.r, R_EAX, bits, acc);
                exp = in;
                if (mem)
                    mput(exp.mem, off, bits, xadd ? xd : nd);
                else
                    rput(exp.r, d, bits, xadd ? xd : nd);
                if (xadd)
                    rput(exp.r, s, bits, xs);
                else
                    rput(exp.r, R_EAX, bits, nacc);
                exp.fl = (uint32_t)(xadd ? xf : nf) & F_OSZAPC;
                check(xadd ? &sx_ : &sc, &e, &in, &exp, F_OSZAPC, false);
            }
        }
    }
    for (unsigned n = 0; n < NCASE; n++) {
        uint64_t mv = (uint64_t)rval(32) << 32 | rval(32);
        uint32_t eax = (uint32_t)mv, edx = (uint32_t)(mv >> 32), ebx = r32(), ecx = r32();
        if (rbelow(2)) {  /* half of the cases do not match */
            if (rbelow(2))
                eax ^= 1u << rbelow(32);
            else
                edx ^= 1u << rbelow(32);
        }
        uint32_t fl = rflags();
        uint64_t nm = mv, nf = fl | 2;
        uint32_t neax = eax, nedx = edx;
        nat_cx8b(&nm, &neax, &nedx, ebx, ecx, &nf);
        s8.cases++;
        struct mach in, exp;
        struct enc e;
        unsigned off = mem_off();
        mach_random(&in);
        in.fl = fl;
        e_start(&e, 32);
        eb(&e, 0x0F);
        eb(&e, 0xC7);
        e_rm(&e, 1, off);
        in.r[R_EAX] = eax;
        in.r[R_EDX] = edx;
        in.r[R_EBX] = ebx;
        in.r[R_ECX] = ecx;
        mput(in.mem, off, 32, (uint32_t)mv);
        mput(in.mem, off + 4, 32, (uint32_t)(mv >> 32));
        exp = in;
        exp.r[R_EAX] = neax;
        exp.r[R_EDX] = nedx;
        mput(exp.mem, off, 32, (uint32_t)nm);
        mput(exp.mem, off + 4, 32, (uint32_t)(nm >> 32));
        exp.fl = (uint32_t)nf & F_OSZAPC;
        check(&s8, &e, &in, &exp, F_OSZAPC, false);
    }
    stats_end(&sc);
    stats_end(&sx_);
    stats_end(&s8);
    emu_close();
}

/* ------------------------------------------------------------------ */
/* SETcc CMOVcc, all 16 conditions */

Test(hostdiff, setcc_cmovcc)
{
    emu_open("pentium2", true);
    struct stats ss = { .name = "setcc" }, sm = { .name = "cmovcc" };
    rseed(900);
    for (unsigned cc = 0; cc < 16; cc++) {
        for (unsigned n = 0; n < NCASE / 4; n++) {
            uint32_t fl = rflags();
            uint32_t set = nat_set[cc](fl | 2);
            ss.cases++;
            for (unsigned f = 0; f < 2; f++) {
                struct mach in, exp;
                struct enc e;
                unsigned d = rbelow(8), off = mem_off();
                mach_random(&in);
                in.fl = fl;
                e_start(&e, 8);
                eb(&e, 0x0F);
                eb(&e, 0x90 + cc);
                if (f)
                    e_rm(&e, 0, off);
                else
                    e_rr(&e, 0, d);
                exp = in;
                if (f)
                    mput(exp.mem, off, 8, set);
                else
                    rput(exp.r, d, 8, set);
                check(&ss, &e, &in, &exp, F_OSZAPC, false);
            }
            for (unsigned bits = 16; bits <= 32; bits *= 2) {
                uint32_t dv = r32(), sv = r32();
                uint32_t r = nat_cmov[cc](bits, dv & mask_of(bits), sv & mask_of(bits), fl | 2);
                sm.cases++;
                for (unsigned f = 0; f < 2; f++) {
                    struct mach in, exp;
                    struct enc e;
                    unsigned d, s, off = mem_off();
                    mach_random(&in);
                    in.fl = fl;
                    pick2(&d, &s, 0);
                    e_start(&e, bits);
                    eb(&e, 0x0F);
                    eb(&e, 0x40 + cc);
                    if (f)
                        e_rm(&e, d, off), mput(in.mem, off, bits, sv);
                    else
                        e_rr(&e, d, s), rput(in.r, s, bits, sv);
                    rput(in.r, d, bits, dv);
                    exp = in;
                    rput(exp.r, d, bits, r);
                    check(&sm, &e, &in, &exp, F_OSZAPC, false);
                }
            }
        }
    }
    stats_end(&ss);
    stats_end(&sm);
    emu_close();
}

/* ------------------------------------------------------------------ */
/* DAA DAS AAA AAS AAM AAD SALC: invalid in 64-bit mode, so checked against
 * the SDM pseudo-code (the defined outputs only) for every AL, AF, CF. */

struct bcd_out {
    uint32_t ax;
    uint32_t fl;
    uint32_t fmask;
};

static uint32_t szp8(uint32_t v)
{
    v &= 0xFF;
    uint32_t f = v == 0 ? F_ZF : 0;
    if (v & 0x80)
        f |= F_SF;
    unsigned ones = 0;
    for (unsigned k = 0; k < 8; k++)
        ones += (v >> k) & 1;
    if (!(ones & 1))
        f |= F_PF;
    return f;
}

static struct bcd_out sdm_bcd(unsigned op, uint32_t ax, uint32_t fl, uint32_t imm)
{
    uint32_t al = ax & 0xFF, ah = (ax >> 8) & 0xFF, cf = fl & F_CF, af = fl & F_AF;
    struct bcd_out o = { ax, fl, F_OSZAPC };
    switch (op) {
    case 0: /* DAA */
    case 1: { /* DAS */
        uint32_t old_al = al, ncf = 0, naf = 0;
        if ((al & 0xF) > 9 || af) {
            if (op == 0) {
                ncf = cf || al + 6 > 0xFF;
                al = (al + 6) & 0xFF;
            } else {
                ncf = cf || al < 6;
                al = (al - 6) & 0xFF;
            }
            naf = 1;
        }
        if (old_al > 0x99 || cf) {
            al = op == 0 ? (al + 0x60) & 0xFF : (al - 0x60) & 0xFF;
            ncf = 1;
        } else if (op == 0) {
            ncf = 0;
        }
        o.ax = (ax & 0xFF00) | al;
        o.fl = szp8(al) | (naf ? F_AF : 0) | (ncf ? F_CF : 0);
        o.fmask = F_OSZAPC & ~F_OF;
        break;
    }
    case 2: /* AAA */
    case 3: /* AAS */
        if ((al & 0xF) > 9 || af) {
            ax = op == 2 ? ax + 0x106 : ax - 6 - 0x100;
            o.fl = F_AF | F_CF;
        } else {
            o.fl = 0;
        }
        o.ax = ax & 0xFF0F;
        o.fmask = F_AF | F_CF;
        break;
    case 4: /* AAM imm */
        o.ax = (al / imm) << 8 | (al % imm);
        o.fl = szp8(al % imm);
        o.fmask = F_SF | F_ZF | F_PF;
        break;
    case 5: /* AAD imm */
        o.ax = (al + ah * imm) & 0xFF;
        o.fl = szp8(o.ax);
        o.fmask = F_SF | F_ZF | F_PF;
        break;
    default: /* SALC */
        o.ax = (ax & 0xFF00) | (cf ? 0xFF : 0);
        o.fl = fl;
        break;
    }
    o.ax &= 0xFFFF;
    return o;
}

Test(hostdiff, bcd_sdm_reference)
{
    static const uint8_t opc[7] = { 0x27, 0x2F, 0x37, 0x3F, 0xD4, 0xD5, 0xD6 };
    static const char *const name[7] = { "daa", "das", "aaa", "aas", "aam", "aad", "salc" };
    emu_open("pentium2", true);
    rseed(1000);
    for (unsigned op = 0; op < 7; op++) {
        struct stats st = { .name = name[op], .sdm_ref = true };
        for (uint32_t al = 0; al < 256; al++)
            for (uint32_t fl4 = 0; fl4 < 4; fl4++) {
                uint32_t imm = op == 4 ? 1 + rbelow(255) : rbelow(3) ? 10 : rbelow(256);
                uint32_t fl = (rflags() & ~(F_AF | F_CF)) | (fl4 & 1 ? F_AF : 0) | (fl4 & 2 ? F_CF : 0);
                uint32_t ax = (r32() & 0xFF00) | al;
                struct bcd_out o = sdm_bcd(op, ax, fl, imm);
                struct mach in, exp;
                struct enc e;
                st.cases++;
                mach_random(&in);
                in.fl = fl;
                rput(in.r, R_EAX, 16, ax);
                e_start(&e, 32);
                eb(&e, opc[op]);
                if (op == 4 || op == 5)
                    eb(&e, imm);
                exp = in;
                rput(exp.r, R_EAX, 16, o.ax);
                exp.fl = o.fl & F_OSZAPC;
                check(&st, &e, &in, &exp, o.fmask, false);
            }
        stats_end(&st);
    }
    emu_close();
}

#endif /* __x86_64__ */

/* The decoder against Capstone 4.
 *
 * decoder/random: for every row of cpu/opcodes.def that a Pentium II has,
 * many random instances (random legal prefixes, a ModRM whose reg field
 * selects the row, random mod/rm, SIB, displacement and immediate bytes)
 * are decoded by pcvm (through the fetcher's buffer hook) and by Capstone
 * in 16-bit and 32-bit mode.  Length must match exactly; the mnemonic must
 * match after the normalisation below; the memory operand (base, index,
 * scale, displacement, segment override) and the immediates must match.
 *
 * decoder/coverage: every encoding of the one-byte and 0F maps (each
 * ModRM.reg, memory and register forms) is classified defined/#UD by pcvm
 * and by Capstone; the #UD encodings must be exactly the documented list
 * `undocumented_ok` below, each with its reason.
 *
 * Every case where pcvm and Capstone legitimately disagree is listed in
 * the `quirks` table with a reason, and counted separately; nothing is
 * skipped silently.
 */
#include <capstone/capstone.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cpu/decode.h"
#include "cpu/optable.h"
#include "harness.h"

/* ------------------------------------------------------------------ */
/* pcvm side                                                           */

static struct cpu *cpu_of(const char *model)
{
    /* decode_insn only needs c->model when reading from a buffer */
    static struct cpu cpus[8];
    static const char *names[8];
    for (int k = 0; k < 8; k++) {
        if (names[k] && strcmp(names[k], model) == 0)
            return &cpus[k];
        if (!names[k]) {
            names[k] = model;
            cpus[k].model = cpu_model_find(model);
            cr_assert_not_null(cpus[k].model, "model %s", model);
            return &cpus[k];
        }
    }
    cr_assert_fail("too many models");
    return NULL;
}

static void pcvm_decode(struct cpu *c, bool code32, const uint8_t *buf, unsigned n,
                        struct insn *i)
{
    struct fetcher f = { .c = c, .code32 = code32, .buf = buf, .buflen = n };
    decode_insn(&f, optable_for(c->model->gen), i);
    cr_assert(!f.failed, "decoder read past the %u-byte buffer", n);
}

/* Does the instruction execute (rather than raise #UD / #GP for length)? */
static bool pcvm_defined(struct cpu *c, const struct insn *i)
{
    if (i->fn == op_UD)
        return false;
    if (c->model->max_insn_len && i->len > c->model->max_insn_len)
        return false;
    return true;
}

static bool pcvm_is_modrm_mem(struct cpu *c, const struct insn *i)
{
    const struct opdesc *d = &optable_for(c->model->gen)->d[i->op][i->row];
    return (d->attrs & A_MODRM) && !(d->attrs & A_MODREG) && (i->modrm >> 6) != 3;
}

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static uint64_t rng_state;
static uint32_t rnd(void)
{
    /* xorshift64*: fixed seed, same cases on every run and host */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static void hex(char *out, const uint8_t *b, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        sprintf(out + 3 * k, "%02x ", b[k]);
    if (n)
        out[3 * n - 1] = 0;
    else
        out[0] = 0;
}

/* Capstone's mnemonic without the prefix words it prints in front
 * ("rep movsb", "lock add", "repne scasb" -> "movsb", "add", "scasb"). */
static const char *cs_base_mnem(const char *m)
{
    const char *sp = strrchr(m, ' ');
    return sp ? sp + 1 : m;
}

static bool has_prefix(const uint8_t *b, unsigned nprefix, uint8_t p)
{
    for (unsigned k = 0; k < nprefix; k++)
        if (b[k] == p)
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* Mnemonic normalisation: pcvm's spelling -> Capstone 4's.             */
/* opcodes.def uses Capstone's spelling wherever that is simply the     */
/* better name (retf, xlatb, int1, pushaw/pushal, iretd, lcall/ljmp,    */
/* jae, sal for /6 ...).  What is left are real disagreements:          */

static bool mnem_alias(const char *pcvm, const char *cs)
{
    /* ESC D8-DF: pcvm's decoder does not name x87 instructions (the
     * x87 work will); any x87 mnemonic (all start with 'f') is accepted. */
    if (strcmp(pcvm, "fpu") == 0)
        return cs[0] == 'f';
    return false;
}

/* ------------------------------------------------------------------ */
/* Quirks: cases where pcvm and Capstone disagree for a documented      */
/* reason.  Each is counted.                                            */

struct ctx {
    struct cpu *c;
    bool mode32;
    const uint8_t *b;
    unsigned n;
    const struct insn *i;       /* pcvm */
    bool pv_def;
    const cs_insn *ci;          /* Capstone, NULL when it did not decode */
};

enum {
    Q_CS_OPSIZE, Q_VEX, Q_0F01_REG, Q_X87_RESERVED, Q_SREG67, Q_0FC7_LATER,
    Q_HINTNOP_REG, Q_CS_TARGET16, Q_COUNT
};

static const struct quirk {
    const char *id;
    const char *why;
} quirks[Q_COUNT] = {
    [Q_CS_OPSIZE] = { "cs-opsize",
        "Capstone 4 bug: names that depend on operand or address size "
        "(cbw/cwde, cwd/cdq, jcxz/jecxz, movsw/movsd.. with REP) ignore a 66/67 "
        "prefix unless it is the last prefix, and 98/99 are always cwde/cdq "
        "in 16-bit mode.  The SDM name is computed here from the prefixes and "
        "pcvm's must equal it; Capstone's is then the other size's name; "
        "lengths and operands must still match" },
    [Q_VEX] = { "vex/evex",
        "C4/C5 (and 62) with ModRM.mod=3: Capstone decodes a VEX (EVEX) prefix "
        "(AVX/AVX-512, later CPUs, and only in protected mode even there); on "
        "a Pentium II the register forms of LES/LDS/BOUND are #UD" },
    [Q_0F01_REG] = { "0f01-reg",
        "0F 01 /0-/3,/5,/7 with mod=3: Capstone decodes later extensions (VMX "
        "vmcall.., monitor/mwait, xgetbv, swapgs, rdtscp, clac/stac, SVM ...); "
        "on a Pentium II these register forms are #UD" },
    [Q_X87_RESERVED] = { "x87-reserved",
        "D8-DF: pcvm decodes every ESC encoding (opcode, ModRM, displacement; "
        "the x87 work decides what runs); Capstone rejects reserved x87 "
        "encodings (e.g. D9 D1, D9 /1 memory, DB E5)" },
    [Q_SREG67] = { "sreg",
        "8C/8E with ModRM.reg 6/7: the table row is ANY because the segment "
        "field is decoded per model by the handler (the 8086 ignores bit 2); "
        "on 286+ the handler raises #UD.  Capstone rejects them at decode time" },
    [Q_0FC7_LATER] = { "0fc7-later",
        "0F C7 other than /1 memory: Capstone decodes later instructions "
        "(vmptrld/vmptrst/vmclear/vmxon, rdrand, rdseed, xrstors, xsavec, "
        "xsaves); on a Pentium II they are #UD" },
    [Q_HINTNOP_REG] = { "nop-ev-reg",
        "0F 1F (and the reserved-NOP space 0F 19-0F 1E) with mod=3: NOP Ev "
        "takes a register operand too (0F 1F C0 is a 3-byte NOP on every P6); "
        "Capstone 4 rejects the register forms" },
    [Q_CS_TARGET16] = { "cs-target16",
        "Capstone 4 display bug: it cuts a 32-bit-operand branch target to 16 "
        "bits in 16-bit mode or under a 67 prefix (address size does not "
        "affect EIP; SDM JMP/Jcc/CALL).  Only the low 16 bits of the target "
        "are compared there (the case is still counted as agreeing)" },
};
static unsigned long quirk_count[Q_COUNT];

static int classify(const struct ctx *x)
{
    const struct insn *i = x->i;
    unsigned op = i->op;
    unsigned mod = i->modrm >> 6, reg = (i->modrm >> 3) & 7;
    const char *csm = x->ci ? cs_base_mnem(x->ci->mnemonic) : NULL;

    if (x->pv_def && x->ci && i->len == x->ci->size) {
        /* Rows named by operand size ("a/b") or address size ("a|b"):
         * the SDM's name from the prefixes, independently of pcvm. */
        const char *tm = optable_for(x->c->model->gen)->d[op][i->row].mnem;
        const char *sep = strpbrk(tm, "/|");
        if (sep) {
            bool big = x->mode32 != has_prefix(x->b, i->nprefix, *sep == '/' ? 0x66 : 0x67);
            char sdm[16], other[16], m[16];
            int len0 = (int)(sep - tm);
            snprintf(sdm, sizeof sdm, "%.*s", big ? 15 : len0, big ? sep + 1 : tm);
            snprintf(other, sizeof other, "%.*s", big ? len0 : 15, big ? tm : sep + 1);
            insn_mnemonic(x->c, i, m, sizeof m);
            cr_assert_str_eq(m, sdm, "pcvm names %s, the SDM %s", m, sdm);
            if (strcmp(csm, other) == 0)
                return Q_CS_OPSIZE;
        }
    }
    if (!x->pv_def && x->ci && (op == 0xC4 || op == 0xC5 || op == 0x62) && mod == 3)
        return Q_VEX;
    if (!x->pv_def && x->ci && op == 0x101 && mod == 3)
        return Q_0F01_REG;
    if (x->pv_def && !x->ci && op >= 0xD8 && op <= 0xDF)
        return Q_X87_RESERVED;
    if (x->pv_def && !x->ci && (op == 0x8C || op == 0x8E) && reg >= 6)
        return Q_SREG67;
    if (!x->pv_def && x->ci && op == 0x1C7 && !(reg == 1 && mod != 3))
        return Q_0FC7_LATER;
    if (x->pv_def && !x->ci && op >= 0x119 && op <= 0x11F && mod == 3)
        return Q_HINTNOP_REG;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Operand checks against Capstone's detail                             */

static const x86_reg cs_r16[8] = { X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX,
                                   X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI };
static const x86_reg cs_r32[8] = { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
                                   X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI };
static const x86_reg cs_sreg[6] = { X86_REG_ES, X86_REG_CS, X86_REG_SS,
                                    X86_REG_DS, X86_REG_FS, X86_REG_GS };

/* ModRM number (0-7) of a general register of any size, else -1. */
static int cs_gpr_number(x86_reg r)
{
    static const x86_reg r8[8] = { X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL,
                                   X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH };
    for (int k = 0; k < 8; k++)
        if (r == r8[k] || r == cs_r16[k] || r == cs_r32[k])
            return k;
    return -1;
}

static x86_reg pcvm_reg_to_cs(unsigned r, bool a32)
{
    if (r == R_ZERO)
        return X86_REG_INVALID;
    return a32 ? cs_r32[r] : cs_r16[r];
}

/* Returns NULL when the operands agree, else a description. */
static const char *check_operands(struct cpu *c, bool mode32, const struct insn *i,
                                  const cs_insn *ci, char *why, size_t wn)
{
    const cs_x86 *x = &ci->detail->x86;
    const struct opdesc *d = &optable_for(c->model->gen)->d[i->op][i->row];
    bool a32 = i->flags & I_A32, o32 = i->flags & I_O32;
    unsigned imm_kind = d->attrs & IMM_MASK;
    const cs_x86_op *mem = NULL;
    const cs_x86_op *imm[2] = { NULL, NULL };
    int nimm = 0;
    for (int k = 0; k < x->op_count; k++) {
        if (x->operands[k].type == X86_OP_MEM && !mem)
            mem = &x->operands[k];
        if (x->operands[k].type == X86_OP_IMM && nimm < 2)
            imm[nimm++] = &x->operands[k];
    }

    if (pcvm_is_modrm_mem(c, i) || imm_kind == IMM_A) {
        if (!mem) {
            snprintf(why, wn, "Capstone has no memory operand");
            return why;
        }
        uint32_t amask = a32 ? 0xFFFFFFFFu : 0xFFFFu;
        x86_reg idx = mem->mem.index == X86_REG_EIZ ? X86_REG_INVALID : mem->mem.index;
        if (mem->mem.base != pcvm_reg_to_cs(i->base, a32) ||
            idx != pcvm_reg_to_cs(i->index, a32) ||
            (idx != X86_REG_INVALID && mem->mem.scale != (1 << i->scale)) ||
            (((uint32_t)mem->mem.disp ^ i->disp) & amask) != 0) {
            snprintf(why, wn, "EA: pcvm base %u index %u scale %u disp %#x, "
                     "Capstone base %d index %d scale %d disp %#llx",
                     i->base, i->index, 1u << i->scale, i->disp, mem->mem.base,
                     mem->mem.index, mem->mem.scale, (unsigned long long)mem->mem.disp);
            return why;
        }
        /* Capstone names the (last) override; else the default is SS for
         * BP/EBP/ESP-based addresses and DS otherwise (SDM Vol. 1 3.7.5). */
        x86_reg b = mem->mem.base;
        x86_reg want_seg = (i->flags & I_SEGOVR) ? cs_sreg[i->seg] : X86_REG_INVALID;
        int want_default = (b == X86_REG_BP || b == X86_REG_EBP || b == X86_REG_ESP) &&
                           imm_kind != IMM_A ? S_SS : S_DS;
        if (mem->mem.segment != want_seg ||
            (!(i->flags & I_SEGOVR) && i->seg != want_default)) {
            snprintf(why, wn, "segment: pcvm %u%s, Capstone %d", i->seg,
                     (i->flags & I_SEGOVR) ? " (override)" : "", mem->mem.segment);
            return why;
        }
    }

    /* Register operands: a ModRM register form names register rm, a "+r"
     * opcode register reg (numbers as in ModRM; AL..BH are 0..7). */
    const struct opdesc *d0 = d;
    int want_reg = -1;
    if ((d0->attrs & A_MODRM) && (i->modrm >> 6) == 3 && !(d0->attrs & A_MODREG))
        want_reg = i->rm;
    else if ((d0->attrs & A_MODRM) && (d0->attrs & A_MODREG))
        want_reg = i->rm;
    else if (!(d0->attrs & A_MODRM) &&
             ((i->op >= 0x40 && i->op <= 0x5F) || (i->op >= 0x91 && i->op <= 0x97) ||
              (i->op >= 0xB0 && i->op <= 0xBF) || (i->op >= 0x1C8 && i->op <= 0x1CF)))
        want_reg = i->reg;
    if (want_reg >= 0) {
        bool found = false;
        for (int k = 0; k < x->op_count; k++)
            if (x->operands[k].type == X86_OP_REG && cs_gpr_number(x->operands[k].reg) == want_reg)
                found = true;
        if (!found) {
            snprintf(why, wn, "no register operand number %d in Capstone's", want_reg);
            return why;
        }
    }

    uint32_t vmask = o32 ? 0xFFFFFFFFu : 0xFFFFu;
    uint32_t want[2];
    uint32_t mask[2] = { 0, 0 };
    int nwant = 0;
    switch (imm_kind) {
    case IMM_B: want[0] = i->imm; mask[0] = 0xFF; nwant = 1; break;
    case IMM_BS: want[0] = i->imm; mask[0] = 0xFF; nwant = 1; break;
    case IMM_W: want[0] = i->imm; mask[0] = 0xFFFF; nwant = 1; break;
    case IMM_V: want[0] = i->imm; mask[0] = vmask; nwant = 1; break;
    case IMM_J8:
    case IMM_JV:
        /* Capstone shows the target for address 0, len + rel (see
         * Q_CS_TARGET16 for when it cuts it to 16 bits). */
        want[0] = i->len + i->imm;
        mask[0] = vmask;
        if ((i->flags & I_O32) && (!mode32 || (i->flags & I_A32) != mode32 * I_A32)) {
            quirk_count[Q_CS_TARGET16]++;
            mask[0] = 0xFFFF;
        }
        nwant = 1;
        break;
    case IMM_P:
        want[0] = i->imm2; mask[0] = 0xFFFF;
        want[1] = i->imm; mask[1] = vmask; nwant = 2; break;
    case IMM_WB:
        want[0] = i->imm; mask[0] = 0xFFFF;
        want[1] = i->imm2; mask[1] = 0xFF; nwant = 2; break;
    default: break;
    }
    /* Capstone omits AAM/AAD's immediate when it is 10. */
    if ((i->op == 0xD4 || i->op == 0xD5) && nimm == 0 && i->imm == 10)
        nwant = 0;
    /* x87 and the 0F 20-23 register moves never have immediates. */
    if (nwant > nimm) {
        snprintf(why, wn, "Capstone shows %d immediates, pcvm has %d", nimm, nwant);
        return why;
    }
    /* The immediates are the last ones Capstone lists (after 0:... for
     * far pointers, "enter size, level" in order). */
    for (int k = 0; k < nwant; k++) {
        const cs_x86_op *op = imm[nimm - nwant + k];
        if ((((uint32_t)op->imm ^ want[k]) & mask[k]) != 0) {
            snprintf(why, wn, "immediate %d: pcvm %#x, Capstone %#llx", k, want[k],
                     (unsigned long long)op->imm);
            return why;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Random instances of every row                                        */

struct stats {
    unsigned long cases, agree_def, agree_undef, quirk;
};

static csh cs_open_mode(bool mode32)
{
    csh h;
    cr_assert_eq(cs_open(CS_ARCH_X86, mode32 ? CS_MODE_32 : CS_MODE_16, &h), CS_ERR_OK);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    return h;
}

/* Does any row of this code (for the model's table) take a ModRM byte? */
static bool code_has_modrm(const struct optable *t, unsigned code)
{
    for (int r = 0; r < 8; r++)
        if (t->d[code][r].present && (t->d[code][r].attrs & A_MODRM))
            return true;
    return false;
}

/* Builds one instance of `r` into b[32]; returns the prefix count. */
static unsigned make_instance(const struct optable_row *r, bool has_modrm, uint8_t *b)
{
    static const uint8_t segs[6] = { 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 };
    uint8_t pool[12];
    unsigned npool = 0;
    pool[npool++] = 0x66;
    pool[npool++] = 0x67;
    for (int k = 0; k < 6; k++)
        pool[npool++] = segs[k];
    if (r->attrs & A_REP) {
        pool[npool++] = 0xF3;
        pool[npool++] = 0xF2;
    }
    unsigned mod = rnd() & 3, rm = rnd() & 7;
    unsigned reg = r->reg == ANY ? (rnd() & 7) : (unsigned)r->reg;
    /* LOCK only where the instruction allows it: a memory operand of a
     * lockable row (elsewhere pcvm raises #UD and Capstone prints it
     * anyway; that is checked in decoder/lock). */
    if ((r->attrs & A_LOCK) && mod != 3)
        pool[npool++] = 0xF0;

    unsigned n = 0, np = rnd() % 4;
    if (rnd() % 8 == 0)
        np = 4 + rnd() % 3; /* sometimes more: redundant prefixes */
    for (unsigned k = 0; k < np; k++)
        b[n++] = pool[rnd() % npool];
    unsigned nprefix = n;
    if (r->code >= 0x100)
        b[n++] = 0x0F;
    b[n++] = (uint8_t)r->code;
    if (has_modrm)
        b[n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
    while (n < 32)
        b[n++] = (uint8_t)rnd();
    return nprefix;
}

#define PER_ROW 300

static void run_random(const char *model, bool mode32, struct stats *st)
{
    struct cpu *c = cpu_of(model);
    const struct optable *t = optable_for(c->model->gen);
    csh h = cs_open_mode(mode32);
    cs_insn *ci = cs_malloc(h);
    unsigned long failures = 0;

    for (size_t k = 0; k < optable_nrows(); k++) {
        const struct optable_row *r = optable_row(k);
        /* only the rows this model's table holds */
        if (r->old ? c->model->gen > r->gen : c->model->gen < r->gen)
            continue;
        bool has_modrm = code_has_modrm(t, (unsigned)r->code);
        for (int n = 0; n < PER_ROW; n++) {
            uint8_t b[32];
            unsigned nprefix = make_instance(r, has_modrm, b);
            struct insn i;
            pcvm_decode(c, mode32, b, sizeof b, &i);
            st->cases++;
            /* the decoder must have picked this row */
            cr_assert_eq(i.op, (unsigned)r->code);
            cr_assert_eq(i.nprefix, nprefix);
            if (r->reg != ANY)
                cr_assert_eq(i.row, (unsigned)r->reg);

            const uint8_t *p = b;
            size_t left = sizeof b;
            uint64_t addr = 0;
            bool cs_ok = cs_disasm_iter(h, &p, &left, &addr, ci);
            struct ctx x = { c, mode32, b, sizeof b, &i, pcvm_defined(c, &i), cs_ok ? ci : NULL };
            char why[200], hx[100];
            char m[32];
            insn_mnemonic(c, &i, m, sizeof m);
            hex(hx, b, i.len > 20 ? 20 : i.len);

            int q = classify(&x);
            if (q >= 0) {
                quirk_count[q]++;
                st->quirk++;
                continue;
            }
            if (!x.pv_def && !cs_ok) {
                st->agree_undef++;
                continue;
            }
            if (x.pv_def != cs_ok) {
                if (failures++ < 60)
                    cr_log_error("%s %d-bit [%s]: pcvm %s (%s, len %u), Capstone %s%s%s",
                                 model, mode32 ? 32 : 16, hx,
                                 x.pv_def ? "decodes" : "#UD", m, i.len,
                                 cs_ok ? ci->mnemonic : "rejects",
                                 cs_ok ? " " : "", cs_ok ? ci->op_str : "");
                continue;
            }
            const char *csm = cs_base_mnem(ci->mnemonic);
            const char *err = NULL;
            if (ci->size != i.len) {
                snprintf(why, sizeof why, "length pcvm %u, Capstone %u", i.len, ci->size);
                err = why;
            } else if (strcmp(m, csm) != 0 && !mnem_alias(m, csm)) {
                snprintf(why, sizeof why, "mnemonic pcvm %s", m);
                err = why;
            } else if (!(i.op >= 0xD8 && i.op <= 0xDF)) {
                err = check_operands(c, mode32, &i, ci, why, sizeof why);
            }
            if (err) {
                hex(hx, b, ci->size > i.len ? ci->size : i.len);
                if (failures++ < 60)
                    cr_log_error("%s %d-bit [%s] %s: %s (Capstone: %s %s)", model,
                                 mode32 ? 32 : 16, hx, r->name, err, ci->mnemonic,
                                 ci->op_str);
                continue;
            }
            st->agree_def++;
        }
    }
    cs_free(ci, 1);
    cs_close(&h);
    cr_expect_eq(failures, 0, "%s %d-bit: %lu mismatches", model, mode32 ? 32 : 16, failures);
}

static void print_quirks(void)
{
    for (int q = 0; q < Q_COUNT; q++)
        printf("    quirk %-14s %8lu  %s\n", quirks[q].id, quirk_count[q], quirks[q].why);
}

Test(decoder, random_vs_capstone)
{
    rng_state = 0x9E3779B97F4A7C15ULL;
    struct stats st16 = { 0 }, st32 = { 0 };
    run_random("pentium2", false, &st16);
    run_random("pentium2", true, &st32);
    printf("decoder/random pentium2: 16-bit %lu cases (%lu agree, %lu both #UD, %lu quirks); "
           "32-bit %lu cases (%lu agree, %lu both #UD, %lu quirks); total %lu\n",
           st16.cases, st16.agree_def, st16.agree_undef, st16.quirk,
           st32.cases, st32.agree_def, st32.agree_undef, st32.quirk,
           st16.cases + st32.cases);
    print_quirks();
    fflush(stdout);
}

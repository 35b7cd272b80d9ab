/* The decoder against Capstone 4.
 *
 * decoder/random: for every OP row of cpu/opcodes.def a model has, many
 * random instances (random legal prefixes, a ModRM whose reg field selects
 * the row, random mod/rm, SIB, displacement and immediate bytes) are
 * decoded by pcvm (through the fetcher's buffer hook) and by Capstone:
 * pentium2 down to 80386 in 16-bit and 32-bit mode, 80286/80186/8086 in
 * 16-bit mode (fixed seed).  Length must match exactly; the mnemonic must
 * match after the normalisation below; the memory operand (base, index,
 * scale, displacement, segment override), the register operand and the
 * immediates must match.
 *
 * decoder/old_models_and_prefix_rules: explicit expectations where
 * Capstone cannot judge (8086/80186/80286 aliases, model limits, LOCK).
 *
 * decoder/buffer_hook_matches_memory: the buffer hook decodes exactly what
 * the guest-memory fetcher does.
 *
 * decoder/coverage: every encoding of the one-byte and 0F maps (each
 * ModRM.reg, memory and register forms) is classified defined/#UD by pcvm
 * and by Capstone; the #UD encodings must be exactly the documented list
 * `ud_docs` below, each with its reason.
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
    /* none left: the x87 rows name every form (cpu/opcodes.def) */
    (void)pcvm;
    (void)cs;
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
    Q_CS_OPSIZE, Q_VEX, Q_0F01_REG, Q_X87_RESERVED, Q_SREG67,
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
        "D8-DF: pcvm decodes every ESC encoding (opcode, ModRM, displacement) "
        "and its handler raises #UD for the reserved ones (cpu/exec_fpu.c); "
        "Capstone rejects reserved x87 encodings (e.g. D9 D1, D9 /1 memory, DB E5)" },
    [Q_SREG67] = { "sreg",
        "8C/8E with ModRM.reg 6/7: the table row is ANY because the segment "
        "field is decoded per model by the handler (the 8086 ignores bit 2); "
        "on 286+ the handler raises #UD.  Capstone rejects them at decode time" },
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
        unsigned pbase = i->base, pindex = i->index;
        /* 80386 (models.h sib_scales_base): SIB index 4 with a non-zero
         * scale scales the base, which pcvm decodes as index = base, no
         * base; Capstone shows the plain base. */
        if (c->model->sib_scales_base && a32 && pbase == R_ZERO && pindex != R_ZERO &&
            i->scale && idx == X86_REG_INVALID && mem->mem.base == pcvm_reg_to_cs(pindex, a32)) {
            pbase = pindex;
            pindex = R_ZERO;
        }
        if (mem->mem.base != pcvm_reg_to_cs(pbase, a32) ||
            idx != pcvm_reg_to_cs(pindex, a32) ||
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
    unsigned long cases, agree_def, agree_undef, quirk, too_long;
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
static unsigned make_instance(const struct optable_row *r, int gen, bool has_modrm, uint8_t *b)
{
    static const uint8_t segs[6] = { 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 };
    uint8_t pool[12];
    unsigned npool = 0;
    if (gen >= GEN_80386) {
        pool[npool++] = 0x66;
        pool[npool++] = 0x67;
    }
    for (int k = 0; k < (gen >= GEN_80386 ? 6 : 4); k++)
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
        /* Only the OP rows this model's table holds.  OLD rows (8086
         * aliases) are beyond Capstone: decoder/old_models checks them. */
        if (r->old || c->model->gen < r->gen)
            continue;
        const struct opdesc *td = &t->d[r->code][r->reg == ANY ? 0 : r->reg];
        if (strcmp(td->mnem, r->mnem) != 0 || td->attrs != r->attrs)
            continue; /* replaced by an OLD row on this model */
        bool has_modrm = code_has_modrm(t, (unsigned)r->code);
        for (int n = 0; n < PER_ROW; n++) {
            uint8_t b[32];
            unsigned nprefix = make_instance(r, c->model->gen, has_modrm, b);
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

            if (c->model->max_insn_len && i.len > c->model->max_insn_len) {
                /* over the model's limit: pcvm faults; the length it
                 * computed must still be Capstone's */
                st->too_long++;
                cr_assert(!x.pv_def);
                if (cs_ok && ci->size != i.len && failures++ < 60)
                    cr_log_error("%s [%s]: over-long, length pcvm %u, Capstone %u", model,
                                 hx, i.len, ci->size);
                continue;
            }
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

static void report(const char *model, bool mode32, const struct stats *st)
{
    printf("decoder/random %-8s %d-bit: %7lu cases: %7lu agree, %5lu both #UD, "
           "%5lu quirks, %5lu over the length limit\n", model, mode32 ? 32 : 16,
           st->cases, st->agree_def, st->agree_undef, st->quirk, st->too_long);
}

Test(decoder, random_vs_capstone)
{
    static const struct { const char *model; bool m32; } runs[] = {
        { "pentium2", false }, { "pentium2", true },
        { "pentium", false }, { "pentium", true },
        { "80486", false }, { "80486", true },
        { "80386", false }, { "80386", true },
        { "80286", false }, { "80186", false }, { "8086", false },
    };
    unsigned long total = 0, total_p2 = 0;
    rng_state = 0x9E3779B97F4A7C15ULL;
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        struct stats st = { 0 };
        run_random(runs[k].model, runs[k].m32, &st);
        report(runs[k].model, runs[k].m32, &st);
        total += st.cases;
        if (strcmp(runs[k].model, "pentium2") == 0)
            total_p2 += st.cases;
    }
    printf("decoder/random total: %lu cases (pentium2 %lu)\n", total, total_p2);
    print_quirks();
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Coverage: which encodings are #UD on a Pentium II                    */

enum { U_MEM = 1, U_REG = 2, U_ALL = 3 };

/* Every encoding of the one-byte and 0F maps that pcvm decodes as #UD on
 * a Pentium II (no row, or the #UD form of a memory-only row).  `cs`:
 * Capstone may decode it (a later CPU's instruction, or an instruction
 * defined to raise #UD); otherwise Capstone must reject it too. */
static const struct ud_doc {
    uint16_t lo, hi;     /* codes */
    uint8_t regs;        /* ModRM.reg mask (0xFF: any) */
    uint8_t forms;       /* U_MEM / U_REG */
    bool cs;
    const char *why;
} ud_docs[] = {
    /* one-byte map */
    { 0x62, 0x62, 0xFF, U_REG, true, "BOUND needs a memory operand (EVEX on AVX-512 CPUs)" },
    { 0x8D, 0x8D, 0xFF, U_REG, false, "LEA needs a memory operand" },
    { 0x8F, 0x8F, 0xFE, U_ALL, false, "POP Ev group: only /0 is defined (XOP on AMD64)" },
    { 0xC4, 0xC5, 0xFF, U_REG, true, "LES/LDS need a memory operand (VEX on AVX CPUs)" },
    { 0xC6, 0xC7, 0xFE, U_ALL, true, "MOV Eb,Ib / Ev,Iv groups: only /0 is defined "
                                     "(C6 F8 XABORT, C7 F8 XBEGIN are TSX, Haswell)" },
    { 0xFE, 0xFE, 0xFC, U_ALL, false, "INC/DEC Eb group: only /0 and /1" },
    { 0xFF, 0xFF, 0x28, U_REG, false, "far CALL/JMP (FF /3, /5) need a memory operand" },
    { 0xFF, 0xFF, 0x80, U_ALL, false, "FF /7 is undefined from the 386 (an alias of /6 before)" },
    /* 0F map */
    { 0x100, 0x100, 0xC0, U_ALL, false, "0F 00 /6, /7: undefined (JMPE on Itanium)" },
    { 0x101, 0x101, 0x0F, U_REG, true, "0F 01 /0-/3 register forms: later (VMX, MONITOR/MWAIT, "
                                       "XGETBV/XSETBV, CLAC/STAC, SVM ...)" },
    { 0x101, 0x101, 0x20, U_ALL, false, "0F 01 /5: undefined (later: RDPKRU, SERIALIZE ...)" },
    { 0x101, 0x101, 0x80, U_REG, true, "INVLPG needs a memory operand (0F 01 F8 SWAPGS, F9 "
                                       "RDTSCP are later)" },
    { 0x104, 0x104, 0xFF, U_ALL, false, "0F 04: undefined" },
    { 0x105, 0x105, 0xFF, U_ALL, true, "0F 05: SYSCALL (AMD K6, Intel 64); LOADALL on the 286 "
                                       "(not emulated)" },
    { 0x107, 0x107, 0xFF, U_ALL, true, "0F 07: SYSRET (AMD K6, Intel 64); LOADALL on the 386 "
                                       "(not emulated)" },
    { 0x10A, 0x10A, 0xFF, U_ALL, false, "0F 0A: undefined" },
    { 0x10C, 0x10C, 0xFF, U_ALL, false, "0F 0C: undefined" },
    { 0x10D, 0x10F, 0xFF, U_ALL, true, "0F 0D-0F 0F: AMD 3DNow! (PREFETCH/W, FEMMS, 3DNow!)" },
    { 0x110, 0x117, 0xFF, U_ALL, true, "0F 10-17: SSE (Pentium III), later work" },
    { 0x118, 0x118, 0xFF, U_ALL, true, "0F 18: SSE prefetch hints (Pentium III), later work" },
    { 0x124, 0x124, 0xFF, U_ALL, true, "0F 24: MOV from test registers (386/486 only)" },
    { 0x125, 0x125, 0xFF, U_ALL, false, "0F 25: undefined" },
    { 0x126, 0x126, 0xFF, U_ALL, true, "0F 26: MOV to test registers (386/486 only)" },
    { 0x127, 0x127, 0xFF, U_ALL, false, "0F 27: undefined" },
    { 0x128, 0x12F, 0xFF, U_ALL, true, "0F 28-2F: SSE (Pentium III), later work" },
    { 0x136, 0x136, 0xFF, U_ALL, false, "0F 36: undefined" },
    { 0x137, 0x137, 0xFF, U_ALL, true, "0F 37: GETSEC (SMX, later)" },
    { 0x138, 0x138, 0xFF, U_ALL, true, "0F 38: three-byte map (SSSE3 and later)" },
    { 0x139, 0x139, 0xFF, U_ALL, false, "0F 39: undefined" },
    { 0x13A, 0x13A, 0xFF, U_ALL, true, "0F 3A: three-byte map (SSSE3 and later)" },
    { 0x13B, 0x13F, 0xFF, U_ALL, false, "0F 3B-3F: undefined" },
    { 0x150, 0x177, 0xFF, U_ALL, true, "0F 50-77: MMX (Pentium MMX / II) and SSE, later work" },
    { 0x178, 0x179, 0xFF, U_ALL, true, "0F 78/79: VMREAD/VMWRITE (VMX, later)" },
    { 0x17A, 0x17B, 0xFF, U_ALL, false, "0F 7A/7B: undefined" },
    { 0x17C, 0x17D, 0xFF, U_ALL, true, "0F 7C/7D: SSE3 (with 66/F2), later" },
    { 0x17E, 0x17F, 0xFF, U_ALL, true, "0F 7E/7F: MMX MOVD/MOVQ, later work" },
    { 0x1A6, 0x1A7, 0xFF, U_ALL, true, "0F A6/A7: undefined on Intel (withdrawn 386 XBTS/IBTS and "
                                       "early-486 CMPXCHG encodings); Capstone decodes VIA PadLock "
                                       "(XSTORE, XCRYPT*, XSHA*, MONTMUL) register forms" },
    { 0x1AA, 0x1AA, 0xFF, U_ALL, true, "0F AA: RSM, valid only in SMM, which pcvm does not "
                                       "emulate (#UD outside SMM)" },
    { 0x1AE, 0x1AE, 0xFC, U_ALL, true, "0F AE /2-/7: SSE LDMXCSR/STMXCSR, later XSAVE, fences, "
                                       "CLFLUSH" },
    { 0x1AE, 0x1AE, 0x03, U_REG, true, "FXSAVE/FXRSTOR need a memory operand (later: "
                                       "RDFSBASE.. with F3)" },
    { 0x1B8, 0x1B8, 0xFF, U_ALL, true, "0F B8: JMPE (Itanium); POPCNT with F3 (later)" },
    { 0x1B9, 0x1B9, 0xFF, U_ALL, true, "0F B9: UD1, defined to raise #UD" },
    { 0x1B2, 0x1B2, 0xFF, U_REG, false, "LSS needs a memory operand" },
    { 0x1B4, 0x1B5, 0xFF, U_REG, false, "LFS/LGS need a memory operand" },
    { 0x1BA, 0x1BA, 0x0F, U_ALL, false, "0F BA /0-/3: undefined" },
    { 0x1C2, 0x1C6, 0xFF, U_ALL, true, "0F C2-C6: SSE/MMX (CMPPS, MOVNTI, PINSRW, PEXTRW, SHUFPS), "
                                       "later work" },
    { 0x1C7, 0x1C7, 0xFD, U_ALL, true, "0F C7 other than /1: later (VMX VMPTRLD.., RDRAND, "
                                       "RDSEED, XSAVES ...)" },
    { 0x1C7, 0x1C7, 0x02, U_REG, false, "CMPXCHG8B needs a memory operand" },
    { 0x1D0, 0x1FE, 0xFF, U_ALL, true, "0F D0-FE: MMX and SSE, later work" },
    { 0x1FF, 0x1FF, 0xFF, U_ALL, true, "0F FF: UD0, defined to raise #UD" },
};
#define N_UD_DOCS (sizeof ud_docs / sizeof ud_docs[0])

static const struct ud_doc *ud_doc_for(unsigned code, unsigned reg, bool mem)
{
    for (size_t k = 0; k < N_UD_DOCS; k++) {
        const struct ud_doc *u = &ud_docs[k];
        if (code >= u->lo && code <= u->hi && (u->regs >> reg & 1) &&
            (u->forms & (mem ? U_MEM : U_REG)))
            return u;
    }
    return NULL;
}

static bool is_prefix_p2(unsigned b)
{
    switch (b) {
    case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65: case 0x66:
    case 0x67: case 0xF0: case 0xF2: case 0xF3:
        return true;
    default:
        return false;
    }
}

Test(decoder, coverage_pentium2)
{
    struct cpu *c = cpu_of("pentium2");
    unsigned long units = 0, defined = 0, ud = 0, cs_later = 0, quirk = 0, failures = 0;
    unsigned long doc_hits[N_UD_DOCS] = { 0 };

    /* The prefixes are consumed as prefixes: "P 90" is a 2-byte NOP. */
    for (unsigned b = 0; b < 256; b++) {
        if (!is_prefix_p2(b))
            continue;
        uint8_t buf[16] = { (uint8_t)b, 0x90 };
        struct insn i;
        pcvm_decode(c, true, buf, sizeof buf, &i);
        cr_expect(i.len == 2 && i.op == 0x90 && i.nprefix == 1, "prefix %02x", b);
    }

    for (int mode32 = 0; mode32 < 2; mode32++) {
        csh h = cs_open_mode(mode32);
        cs_insn *ci = cs_malloc(h);
        for (unsigned code = 0; code < 0x200; code++) {
            if (code < 0x100 && (is_prefix_p2(code) || code == 0x0F))
                continue;
            /* x87: every ESC encoding has a row; the handlers raise #UD for
             * the reserved ones (decoder/random counts them as quirks) */
            if (code >= 0xD8 && code <= 0xDF)
                continue;
            for (unsigned reg = 0; reg < 8; reg++) {
                for (unsigned form = 0; form < 9; form++) {
                    /* form 0: memory ([bx+si] / [eax]), 1-8: register rm 0-7 */
                    bool mem = form == 0;
                    uint8_t modrm = (uint8_t)(mem ? reg << 3 : 0xC0 | reg << 3 | (form - 1));
                    uint8_t buf[16] = { 0 };
                    unsigned n = 0;
                    if (code >= 0x100)
                        buf[n++] = 0x0F;
                    buf[n++] = (uint8_t)code;
                    buf[n++] = modrm;
                    struct insn i;
                    pcvm_decode(c, mode32, buf, sizeof buf, &i);
                    bool pv = pcvm_defined(c, &i);
                    const uint8_t *p = buf;
                    size_t left = sizeof buf;
                    uint64_t addr = 0;
                    bool cs = cs_disasm_iter(h, &p, &left, &addr, ci);
                    units++;
                    if (pv) {
                        defined++;
                        if (cs)
                            continue;
                        struct ctx x = { c, mode32, buf, sizeof buf, &i, true, NULL };
                        int q = classify(&x);
                        if (q >= 0) {
                            quirk_count[q]++;
                            quirk++;
                            continue;
                        }
                        if (failures++ < 4000)
                            cr_log_error("%d-bit %03x /%u %s: pcvm decodes, Capstone rejects",
                                         mode32 ? 32 : 16, code, reg, mem ? "mem" : "reg");
                        continue;
                    }
                    ud++;
                    const struct ud_doc *u = ud_doc_for(code, reg, mem);
                    if (!u) {
                        if (failures++ < 4000)
                            cr_log_error("%d-bit %03x /%u %s (modrm %02x): #UD in pcvm but not "
                                         "in the documented list (Capstone: %s %s)",
                                         mode32 ? 32 : 16, code, reg, mem ? "mem" : "reg",
                                         modrm, cs ? ci->mnemonic : "rejects",
                                         cs ? ci->op_str : "");
                        continue;
                    }
                    doc_hits[u - ud_docs]++;
                    if (cs) {
                        cs_later++;
                        if (!u->cs && failures++ < 40)
                            cr_log_error("%d-bit %03x /%u %s: listed as undefined (%s) but "
                                         "Capstone decodes %s %s", mode32 ? 32 : 16, code,
                                         reg, mem ? "mem" : "reg", u->why, ci->mnemonic,
                                         ci->op_str);
                    }
                }
            }
        }
        cs_free(ci, 1);
        cs_close(&h);
    }
    /* no stale entries */
    for (size_t k = 0; k < N_UD_DOCS; k++)
        cr_expect(doc_hits[k] > 0, "documented #UD entry never hit: %s", ud_docs[k].why);
    cr_expect_eq(failures, 0, "%lu coverage failures", failures);
    printf("decoder/coverage pentium2: %lu encodings (16+32-bit): %lu defined, %lu #UD "
           "(all in the %zu-entry list; Capstone decodes %lu of them as later or "
           "fault-by-definition instructions), %lu quirks\n",
           units, defined, ud, N_UD_DOCS, cs_later, quirk);
    print_quirks();
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Older models and prefix rules: explicit expectations                 */

struct spot {
    const char *model;
    bool m32;
    const char *hex;        /* instruction bytes */
    unsigned len;           /* decoded length (not checked for #UD) */
    const char *mnem;       /* NULL: #UD (or over-long) */
    uint8_t flags;          /* I_* bits that must be set */
    const char *why;
};

static const struct spot spots[] = {
    /* 8086: the aliases Capstone cannot know (SingleStepTests 8086 metadata) */
    { "8086", 0, "60 05", 2, "jo", 0, "60-6F alias 70-7F" },
    { "8086", 0, "6f fe", 2, "jg", 0, "60-6F alias 70-7F" },
    { "8086", 0, "66 05", 2, "jbe", 0, "66 is JBE, not a prefix" },
    { "8086", 0, "64 00", 2, "je", 0, "64 is JE, not a prefix" },
    { "8086", 0, "c0 34 12", 3, "ret", 0, "C0 alias of C2" },
    { "8086", 0, "c1", 1, "ret", 0, "C1 alias of C3" },
    { "8086", 0, "c8 34 12", 3, "retf", 0, "C8 alias of CA" },
    { "8086", 0, "c9", 1, "retf", 0, "C9 alias of CB" },
    { "8086", 0, "d0 f0", 2, "setmo", 0, "D0 /6 SETMO" },
    { "8086", 0, "d1 30", 2, "setmo", 0, "D1 /6 SETMO, memory" },
    { "8086", 0, "d2 36 34 12", 4, "setmoc", 0, "D2 /6 SETMOC, disp16" },
    { "8086", 0, "d3 f1", 2, "setmoc", 0, "D3 /6 SETMOC" },
    { "8086", 0, "0f", 1, "pop", 0, "0F is POP CS" },
    { "8086", 0, "ff f8", 2, "push", 0, "FF /7 alias of FF /6" },
    { "8086", 0, "ff 3e 34 12", 4, "push", 0, "FF /7 alias of FF /6, disp16" },
    { "8086", 0, "f1 90", 2, "nop", I_LOCK, "F1 is a LOCK prefix" },
    { "8086", 0, "c6 c8 12", 3, "mov", 0, "C6 ignores ModRM.reg" },
    { "8086", 0, "c7 f8 34 12", 4, "mov", 0, "C7 ignores ModRM.reg" },
    { "8086", 0, "8f c8", 2, "pop", 0, "8F ignores ModRM.reg" },
    { "8086", 0, "8c f0", 2, "mov", 0, "8C: the handler uses sreg bits 1:0" },
    { "8086", 0, "82 c8 12", 3, "or", 0, "82 alias of 80" },
    { "8086", 0, "d6", 1, "salc", 0, "SALC" },
    { "8086", 0, "f6 c8 12", 3, "test", 0, "F6 /1 alias of F6 /0" },
    { "8086", 0, "f7 48 05 34 12", 5, "test", 0, "F7 /1 alias, disp8 then imm16" },
    { "8086", 0, "26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 90", 21, "nop", 0,
      "no length limit on the 8086" },
    /* 80186 */
    { "80186", 0, "0f", 1, NULL, 0, "0F: #UD (POP CS is 8086-only)" },
    { "80186", 0, "60", 1, "pushaw", 0, "PUSHA" },
    { "80186", 0, "c8 34 12 01", 4, "enter", 0, "ENTER" },
    { "80186", 0, "c0 f0 05", 3, "sal", 0, "C0 /6 alias of SHL" },
    { "80186", 0, "d0 f0", 2, "sal", 0, "D0 /6 alias of SHL from the 186" },
    { "80186", 0, "f1 90", 2, "nop", I_LOCK, "F1 is a LOCK prefix before the 386" },
    { "80186", 0, "66 90", 1, NULL, 0, "66 is not a prefix before the 386" },
    { "80186", 0, "ff f8", 2, "push", 0, "FF /7 alias of FF /6" },
    /* 80286 (SingleStepTests 80286 metadata) */
    { "80286", 0, "0f 01 e0", 3, "smsw", 0, "SMSW AX" },
    { "80286", 0, "0f 05", 2, NULL, 0, "LOADALL: not emulated" },
    { "80286", 0, "0f 20 c0", 3, NULL, 0, "MOV CR is 386+" },
    { "80286", 0, "0f 01 38", 3, NULL, 0, "INVLPG is 486+" },
    { "80286", 0, "63 c0", 2, "arpl", 0, "ARPL register form" },
    { "80286", 0, "d0 f0", 2, "sal", 0, "D0 /6 alias of SHL" },
    { "80286", 0, "ff f8", 2, "push", 0, "FF /7 alias of FF /6" },
    { "80286", 0, "f1 90", 2, "nop", I_LOCK, "F1 is a LOCK prefix" },
    { "80286", 0, "64 90", 1, NULL, 0, "64 is not a prefix on the 286" },
    { "80286", 0, "c6 c8 12", 3, NULL, 0, "C6 /1 is #UD" },
    { "80286", 0, "8f c8", 2, NULL, 0, "8F /1 is #UD" },
    { "80286", 0, "26 26 26 26 26 26 26 26 26 90", 10, "nop", 0, "10 bytes: the limit" },
    { "80286", 0, "26 26 26 26 26 26 26 26 26 26 90", 11, NULL, 0, "11 bytes: over the limit" },
    /* 80386 and later */
    { "80386", 0, "f1", 1, "int1", 0, "F1 is INT1 (ICEBP)" },
    { "80386", 0, "ff f8", 2, NULL, 0, "FF /7 is #UD" },
    { "80386", 1, "0f 20 c0", 3, "mov", 0, "MOV EAX,CR0" },
    { "80386", 1, "0f 22 00", 3, "mov", 0, "MOV CR0,EAX: mod is ignored" },
    { "80386", 1, "0f a2", 2, NULL, 0, "CPUID is Pentium+" },
    { "80386", 1, "0f c8", 2, NULL, 0, "BSWAP is 486+" },
    { "80386", 1, "26 26 26 26 26 26 26 26 26 26 26 26 26 26 90", 15, "nop", 0, "15 bytes: the limit" },
    { "80386", 1, "26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 90", 16, NULL, 0,
      "16 bytes: over the limit" },
    { "80486", 1, "0f c9", 2, "bswap", 0, "BSWAP ECX" },
    { "pentium", 1, "0f 40 c0", 3, NULL, 0, "CMOV is P6+" },
    { "pentium", 1, "0f 1f 00", 3, NULL, 0, "NOP Ev is P6+" },
    { "pentium2", 1, "0f 40 c0", 3, "cmovo", 0, "CMOVO" },
    { "pentium2", 1, "0f 1f 84 00 00 00 00 00", 8, "nop", 0, "8-byte NOP" },
    { "pentium2", 1, "66 0f 1f 44 00 00", 6, "nop", 0, "6-byte NOP (SIB, disp8)" },
    { "pentium2", 0, "66 0f 1f 44 00", 5, "nop", I_O32, "in 16-bit code the same bytes are [si+0]" },
    { "pentium2", 1, "0f 1a c0", 3, "nop", 0, "reserved NOP, register form" },
    /* LOCK (386+): only on a lockable instruction with a memory operand */
    { "pentium2", 1, "f0 01 00", 3, "add", I_LOCK, "LOCK ADD [EAX],EAX" },
    { "pentium2", 1, "f0 01 c0", 3, NULL, 0, "LOCK on a register form" },
    { "pentium2", 1, "f0 90", 2, NULL, 0, "LOCK NOP" },
    { "pentium2", 1, "f0 39 00", 3, NULL, 0, "LOCK CMP: CMP is not lockable" },
    { "pentium2", 1, "f0 0f a3 00", 4, NULL, 0, "LOCK BT: BT is not lockable" },
    { "pentium2", 1, "f0 0f ab 00", 4, "bts", I_LOCK, "LOCK BTS" },
    { "pentium2", 1, "f0 87 00", 3, "xchg", I_LOCK, "LOCK XCHG" },
    { "pentium2", 1, "f0 0f c7 08", 4, "cmpxchg8b", I_LOCK, "LOCK CMPXCHG8B" },
    { "80286", 0, "f0 01 c0", 3, "add", I_LOCK, "the 286 ignores a misplaced LOCK" },
    /* prefixes: last segment override and last REP win */
    { "pentium2", 1, "f3 f2 a4", 3, "movsb", I_REPNE, "F3 F2: REPNE" },
    { "pentium2", 1, "f2 f3 a4", 3, "movsb", I_REP, "F2 F3: REP" },
    { "pentium2", 0, "66 67 e3 fe", 4, "jecxz", I_O32 | I_A32, "JECXZ by address size" },
    { "pentium2", 1, "66 e3 fe", 3, "jecxz", 0, "66 does not make JCXZ" },
    /* immediates and special operands */
    { "pentium2", 0, "c8 34 12 05", 4, "enter", 0, "ENTER Iw,Ib" },
    { "pentium2", 1, "66 c8 34 12 05", 5, "enter", 0, "ENTER is Iw,Ib at any size" },
    { "pentium2", 0, "ea 78 56 34 12", 5, "ljmp", 0, "JMP ptr16:16" },
    { "pentium2", 0, "66 ea 78 56 34 12 00 f0", 8, "ljmp", I_O32, "JMP ptr16:32" },
    { "pentium2", 1, "9a 78 56 34 12 00 f0", 7, "lcall", I_O32, "CALL ptr16:32" },
    { "pentium2", 1, "66 9a 78 56 34 12", 6, "lcall", 0, "CALL ptr16:16" },
    { "pentium2", 0, "a0 34 12", 3, "mov", 0, "moffs16" },
    { "pentium2", 0, "67 a1 78 56 34 12", 6, "mov", I_A32, "moffs32 in 16-bit code" },
    { "pentium2", 1, "67 a3 34 12", 4, "mov", 0, "moffs16 in 32-bit code" },
    { "pentium2", 1, "66 a1 78 56 34 12", 6, "mov", 0, "66 does not change the moffs size" },
    { "pentium2", 0, "f6 06 34 12 56", 5, "test", 0, "F6 /0: disp16 then imm8" },
    { "pentium2", 0, "f6 16 34 12", 4, "not", 0, "F6 /2: no immediate" },
    { "pentium2", 1, "f7 04 25 78 56 34 12 01 00 00 00", 11, "test", 0, "F7 /0 SIB no base: disp32, imm32" },
    { "pentium2", 1, "f7 1c 25 78 56 34 12", 7, "neg", 0, "F7 /3 SIB no base: disp32 only" },
    { "pentium2", 1, "8b 44 24 08", 4, "mov", 0, "[esp+8]" },
    { "pentium2", 1, "8b 45 00", 3, "mov", 0, "[ebp+0]: mod 1 rm 5" },
    { "pentium2", 1, "8b 05 78 56 34 12", 6, "mov", 0, "[disp32]: mod 0 rm 5" },
    { "pentium2", 1, "8b 84 cd 78 56 34 12", 7, "mov", 0, "[ebp+ecx*8+disp32]" },
    { "pentium2", 0, "8b 46 00", 3, "mov", 0, "[bp+0]" },
    { "pentium2", 0, "8b 06 34 12", 4, "mov", 0, "[disp16]: mod 0 rm 6" },
    { "pentium2", 0, "67 8b 04 24", 4, "mov", I_A32, "32-bit SIB in 16-bit code" },
    { "pentium2", 1, "67 8b 06 34 12", 5, "mov", 0, "16-bit [disp16] in 32-bit code" },
    { "pentium2", 1, "69 c0 78 56 34 12", 6, "imul", 0, "IMUL Gv,Ev,Iv" },
    { "pentium2", 1, "6b 44 24 04 ff", 5, "imul", 0, "IMUL Gv,Ev,Ib sign-extended" },
    { "pentium2", 1, "0f ba 20 05", 4, "bt", 0, "0F BA /4 Ib" },
    { "pentium2", 1, "0f a4 c0 05", 4, "shld", 0, "SHLD Ib" },
    { "pentium2", 1, "0f 80 fe ff ff ff", 6, "jo", 0, "Jcc rel32" },
    { "pentium2", 0, "0f 80 fe ff", 4, "jo", 0, "Jcc rel16" },
};

static unsigned parse_hex(const char *h, uint8_t *out, unsigned max)
{
    unsigned n = 0, v;
    int used;
    while (n < max && sscanf(h, " %2x%n", &v, &used) == 1) {
        out[n++] = (uint8_t)v;
        h += used;
    }
    return n;
}

Test(decoder, old_models_and_prefix_rules)
{
    unsigned checked = 0;
    for (size_t k = 0; k < sizeof spots / sizeof spots[0]; k++) {
        const struct spot *sp = &spots[k];
        struct cpu *c = cpu_of(sp->model);
        uint8_t buf[32] = { 0 };
        parse_hex(sp->hex, buf, sizeof buf);
        struct insn i;
        pcvm_decode(c, sp->m32, buf, sizeof buf, &i);
        char m[32];
        insn_mnemonic(c, &i, m, sizeof m);
        bool def = pcvm_defined(c, &i);
        if (sp->mnem) {
            cr_expect_eq(i.len, sp->len, "%s [%s] (%s): length %u, expected %u", sp->model,
                         sp->hex, sp->why, i.len, sp->len);
            cr_expect(def, "%s [%s] (%s): #UD, expected %s", sp->model, sp->hex, sp->why, sp->mnem);
            cr_expect_str_eq(m, sp->mnem, "%s [%s] (%s): %s", sp->model, sp->hex, sp->why, m);
            cr_expect_eq(i.flags & sp->flags, sp->flags, "%s [%s] (%s): flags %#x", sp->model,
                         sp->hex, sp->why, i.flags);
        } else {
            cr_expect(!def, "%s [%s] (%s): decodes as %s, expected #UD/#GP", sp->model, sp->hex,
                      sp->why, m);
            if (i.fn != op_UD) /* over-long: the length is still exact */
                cr_expect_eq(i.len, sp->len, "%s [%s] (%s): length %u, expected %u", sp->model,
                             sp->hex, sp->why, i.len, sp->len);
        }
        checked++;
    }
    printf("decoder/old_models_and_prefix_rules: %u explicit cases\n", checked);
    fflush(stdout);
}

/* The buffer hook decodes exactly what the guest-memory fetcher does. */
Test(decoder, buffer_hook_matches_memory)
{
    struct harness *h = harness_new("pentium2", 1 << 20);
    cr_assert_not_null(h);
    struct cpu *c = &h->cpu;
    const struct optable *t = optable_for(c->model->gen);
    rng_state = 12345;
    unsigned n = 0;
    for (int mode32 = 0; mode32 < 2; mode32++) {
        if (mode32)
            harness_flat32(h);
        for (size_t k = 0; k < optable_nrows(); k++) {
            const struct optable_row *r = optable_row(k);
            if (r->old || c->model->gen < r->gen)
                continue;
            for (int rep = 0; rep < 4; rep++) {
                uint8_t b[32];
                make_instance(r, c->model->gen, code_has_modrm(t, (unsigned)r->code), b);
                /* sometimes across a page boundary */
                uint32_t at = 0x3000 + (rnd() & 1 ? 0xFF8 + (rnd() & 7) : (rnd() & 0x7FF));
                harness_load(h, at, b, sizeof b);
                struct insn a, m;
                pcvm_decode(c, mode32, b, sizeof b, &a);
                struct fetcher f = { .c = c, .eip = at, .code32 = mode32 };
                decode_insn(&f, t, &m);
                cr_assert(a.fn == m.fn && a.disp == m.disp && a.imm == m.imm &&
                          a.imm2 == m.imm2 && a.op == m.op && a.len == m.len &&
                          a.flags == m.flags && a.modrm == m.modrm && a.reg == m.reg &&
                          a.rm == m.rm && a.base == m.base && a.index == m.index &&
                          a.scale == m.scale && a.seg == m.seg && a.nprefix == m.nprefix &&
                          a.row == m.row, "row %s differs between buffer and memory", r->name);
                n++;
            }
        }
    }
    harness_free(h);
    printf("decoder/buffer_hook_matches_memory: %u instances\n", n);
    fflush(stdout);
}

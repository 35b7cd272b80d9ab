/* Integer ALU: ADD OR ADC SBB AND SUB XOR CMP TEST, INC DEC, NOT NEG
 * (SDM Vol. 2 instruction pages of the same names).
 *
 * One inline kernel per operation (alu_calc/alu_flags, folded by the
 * constant `k`), one inline body per operand shape, and ALU_STAMP_* to
 * produce the register/memory and 8/16/32-bit handlers.  Order inside a
 * body: read operands (may fault), write the destination (may fault),
 * then flags, so a fault leaves the flags of the previous instruction. */
#include "exec_alu.h"

enum alu_kind { K_ADD, K_OR, K_ADC, K_SBB, K_AND, K_SUB, K_XOR, K_CMP, K_TEST };

ALU_INLINE uint32_t alu_calc(unsigned k, uint32_t a, uint32_t b, uint32_t cf)
{
    switch (k) {
    case K_ADD: return a + b;
    case K_ADC: return a + b + cf;
    case K_SBB: return a - b - cf;
    case K_SUB:
    case K_CMP: return a - b;
    case K_OR: return a | b;
    case K_XOR: return a ^ b;
    default: return a & b;  /* AND, TEST */
    }
}

ALU_INLINE void alu_flags(struct cpu *c, unsigned k, uint32_t a, uint32_t b, uint32_t r,
                          unsigned bits, uint32_t cf)
{
    switch (k) {
    case K_ADD: flags_add(c, a, b, r, bits, 0); break;
    case K_ADC: flags_add(c, a, b, r, bits, cf); break;
    case K_SBB: flags_sub(c, a, b, r, bits, cf); break;
    case K_SUB:
    case K_CMP: flags_sub(c, a, b, r, bits, 0); break;
    /* AND/OR/XOR/TEST: CF = OF = 0; AF is undefined, we clear it (as
     * P6-family parts do). */
    default: flags_logic(c, r, bits); break;
    }
}

ALU_INLINE bool alu_writes(unsigned k) { return k != K_CMP && k != K_TEST; }

/* E = E op b */
ALU_INLINE void alu_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits,
                      unsigned k, uint32_t b)
{
    uint32_t off, a = rm_rd(c, i, mem, bits, &off);
    uint32_t cf = flag_cf(c);
    uint32_t r = alu_calc(k, a, b, cf);
    if (alu_writes(k))
        rm_wr(c, i, mem, bits, off, r);
    alu_flags(c, k, a, b, r, bits, cf);
}

/* Eb,Gb / Ev,Gv */
ALU_INLINE void alu_EG(struct cpu *c, const struct insn *i, bool mem, unsigned bits, unsigned k)
{
    alu_E(c, i, mem, bits, k, reg_rd(c, i->reg, bits));
}

/* Eb,Ib / Ev,Iv / Ev,Ib (83: the decoder sign-extended the byte) */
ALU_INLINE void alu_EI(struct cpu *c, const struct insn *i, bool mem, unsigned bits, unsigned k)
{
    alu_E(c, i, mem, bits, k, i->imm);
}

/* Gb,Eb / Gv,Ev: G = G op E */
ALU_INLINE void alu_GE(struct cpu *c, const struct insn *i, bool mem, unsigned bits, unsigned k)
{
    uint32_t off, b = rm_rd(c, i, mem, bits, &off);
    uint32_t a = reg_rd(c, i->reg, bits);
    uint32_t cf = flag_cf(c);
    uint32_t r = alu_calc(k, a, b, cf);
    if (alu_writes(k))
        reg_wr(c, i->reg, bits, r);
    alu_flags(c, k, a, b, r, bits, cf);
}

/* AL,Ib / eAX,Iv */
ALU_INLINE void alu_A(struct cpu *c, unsigned bits, unsigned k, uint32_t b)
{
    uint32_t a = reg_rd(c, R_EAX, bits);
    uint32_t cf = flag_cf(c);
    uint32_t r = alu_calc(k, a, b, cf);
    if (alu_writes(k))
        reg_wr(c, R_EAX, bits, r);
    alu_flags(c, k, a, b, r, bits, cf);
}

/* The E-destination and accumulator forms (all eight ops and TEST). */
#define ALU_FORMS_E(NAME, K) \
    ALU_STAMP_B(NAME##_EbGb, alu_EG, K) \
    ALU_STAMP_V(NAME##_EvGv, alu_EG, K) \
    ALU_STAMP_B(NAME##_EbIb, alu_EI, K) \
    ALU_STAMP_V(NAME##_EvIv, alu_EI, K) \
    HANDLER(op_##NAME##_ALIb) { alu_A(c, 8, K, i->imm); } \
    HANDLER(op_##NAME##_eAXIv_16) { alu_A(c, 16, K, i->imm); } \
    HANDLER(op_##NAME##_eAXIv_32) { alu_A(c, 32, K, i->imm); }

/* The G-destination forms (not TEST). */
#define ALU_FORMS_G(NAME, K) \
    ALU_STAMP_B(NAME##_GbEb, alu_GE, K) \
    ALU_STAMP_V(NAME##_GvEv, alu_GE, K)

ALU_FORMS_E(ADD, K_ADD) ALU_FORMS_G(ADD, K_ADD)
ALU_FORMS_E(OR, K_OR)   ALU_FORMS_G(OR, K_OR)
ALU_FORMS_E(ADC, K_ADC) ALU_FORMS_G(ADC, K_ADC)
ALU_FORMS_E(SBB, K_SBB) ALU_FORMS_G(SBB, K_SBB)
ALU_FORMS_E(AND, K_AND) ALU_FORMS_G(AND, K_AND)
ALU_FORMS_E(SUB, K_SUB) ALU_FORMS_G(SUB, K_SUB)
ALU_FORMS_E(XOR, K_XOR) ALU_FORMS_G(XOR, K_XOR)
ALU_FORMS_E(CMP, K_CMP) ALU_FORMS_G(CMP, K_CMP)
ALU_FORMS_E(TEST, K_TEST)

/* ---- INC / DEC: flags as ADD/SUB 1, CF preserved (SDM "INC", "DEC") ---- */

ALU_INLINE void incdec_flags(struct cpu *c, bool dec, uint32_t a, uint32_t r, unsigned bits)
{
    uint32_t cf = c->lf.cf;
    if (dec)
        flags_sub(c, a, 1, r, bits, 0);
    else
        flags_add(c, a, 1, r, bits, 0);
    c->lf.cf = cf;
}

ALU_INLINE void incdec_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, bool dec)
{
    uint32_t off, a = rm_rd(c, i, mem, bits, &off);
    uint32_t r = dec ? a - 1 : a + 1;
    rm_wr(c, i, mem, bits, off, r);
    incdec_flags(c, dec, a, r, bits);
}

ALU_INLINE void incdec_reg(struct cpu *c, unsigned n, unsigned bits, bool dec)
{
    uint32_t a = reg_rd(c, n, bits);
    uint32_t r = dec ? a - 1 : a + 1;
    reg_wr(c, n, bits, r);
    incdec_flags(c, dec, a, r, bits);
}

ALU_STAMP_B(INC_Eb, incdec_E, false)
ALU_STAMP_V(INC_Ev, incdec_E, false)
ALU_STAMP_B(DEC_Eb, incdec_E, true)
ALU_STAMP_V(DEC_Ev, incdec_E, true)
/* 40+r / 48+r: the decoder puts opcode & 7 in i->reg. */
HANDLER(op_INC_r_16) { incdec_reg(c, i->reg, 16, false); }
HANDLER(op_INC_r_32) { incdec_reg(c, i->reg, 32, false); }
HANDLER(op_DEC_r_16) { incdec_reg(c, i->reg, 16, true); }
HANDLER(op_DEC_r_32) { incdec_reg(c, i->reg, 32, true); }

/* ---- NOT (no flags), NEG (flags as 0 - x: CF = x != 0) ---- */

ALU_INLINE void not_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, int unused)
{
    (void)unused;
    uint32_t off, a = rm_rd(c, i, mem, bits, &off);
    rm_wr(c, i, mem, bits, off, ~a);
}

ALU_INLINE void neg_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, int unused)
{
    (void)unused;
    uint32_t off, a = rm_rd(c, i, mem, bits, &off);
    uint32_t r = 0u - a;
    rm_wr(c, i, mem, bits, off, r);
    flags_sub(c, 0, a, r, bits, 0);
}

ALU_STAMP_B(NOT_Eb, not_E, 0)
ALU_STAMP_V(NOT_Ev, not_E, 0)
ALU_STAMP_B(NEG_Eb, neg_E, 0)
ALU_STAMP_V(NEG_Ev, neg_E, 0)

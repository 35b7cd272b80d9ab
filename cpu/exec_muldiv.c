/* MUL, IMUL (one, two and three operands), DIV, IDIV
 * (SDM Vol. 2 "MUL", "IMUL", "DIV", "IDIV").
 *
 * Signed values are handled as two's complement in unsigned arithmetic
 * (sign-extended to 64 bits), so nothing relies on signed overflow or on
 * conversions of out-of-range values to signed types.
 *
 * MUL/IMUL: CF = OF = "the high half is significant".  SF/ZF/PF/AF are
 * undefined; see mul_flags() for the values pcvm gives them.  DIV/IDIV:
 * all six flags are undefined; pcvm leaves them unchanged.
 * #DE (divide by zero, quotient too large) is raised before anything is
 * changed. */
#include "exec_alu.h"

/* v (of `bits`) sign-extended to 64 bits. */
ALU_INLINE uint64_t sx64(uint32_t v, unsigned bits)
{
    uint64_t s = sext(v, bits);
    return (s & 0x80000000u) ? s | 0xFFFFFFFF00000000u : s;
}

/* SF ZF PF AF after MUL/IMUL, from the low and high halves of the
 * product (high half: of the full product, also for the truncating
 * IMUL forms):
 *   8086/80186: as the microcode's last step, an ADD of the high half and
 *               (IMUL only) the sign bit of the low half;
 *   80286:      SF/ZF/PF from the high half, AF = 1;
 *   later:      SF/ZF/PF from the low half, AF = 0 (P6-like); the 80386
 *               too, for want of data (test386.asm does not check them). */
ALU_INLINE void mul_flags(struct cpu *c, uint32_t lo, uint32_t hi, unsigned bits, bool sign,
                          uint32_t ovf)
{
    switch (c->model->undef_flags) {
    case UF_8086: {
        uint32_t add = sign ? sz_msb(lo, bits) : 0, v = hi + add;
        flags_all(c, v, bits, ovf, ovf, ((hi ^ add ^ v) >> 4) & 1);
        break;
    }
    case UF_80286:
        flags_all(c, hi, bits, ovf, ovf, 1);
        break;
    default:
        flags_all(c, lo, bits, ovf, ovf, 0);
        break;
    }
}

/* ---- one-operand MUL / IMUL: AX = AL * Eb, DX:AX = AX * Ew, EDX:EAX = EAX * Ed ---- */
ALU_INLINE void mul_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, bool sign)
{
    const uint32_t m = sz_mask(bits);
    uint32_t off, b = rm_rd(c, i, mem, bits, &off);
    uint32_t a = reg_rd(c, R_EAX, bits);
    uint64_t p = sign ? sx64(a, bits) * sx64(b, bits) : (uint64_t)a * b;
    uint32_t lo = (uint32_t)p & m, hi = (uint32_t)(p >> bits) & m;
    uint32_t ovf = sign ? hi != (sz_msb(lo, bits) ? m : 0) : hi != 0;
    if (bits == 8) {
        set_r16(c, R_EAX, (uint16_t)(lo | hi << 8));
    } else {
        reg_wr(c, R_EAX, bits, lo);
        reg_wr(c, R_EDX, bits, hi);
    }
    mul_flags(c, lo, hi, bits, sign, ovf);
}

ALU_STAMP_B(MUL_Eb, mul_E, false)
ALU_STAMP_V(MUL_Ev, mul_E, false)
ALU_STAMP_B(IMUL_Eb, mul_E, true)
ALU_STAMP_V(IMUL_Ev, mul_E, true)

/* ---- IMUL Gv,Ev (0F AF), Gv,Ev,Iv (69), Gv,Ev,Ib (6B): Gv = truncated product ---- */
enum { IM_G, IM_I };

ALU_INLINE void imul_G(struct cpu *c, const struct insn *i, bool mem, unsigned bits, unsigned form)
{
    const uint32_t m = sz_mask(bits);
    uint32_t off, b = rm_rd(c, i, mem, bits, &off);
    /* 69: the 16-bit immediate is zero-extended by the decoder; 6B: already
     * sign-extended.  sext() to the operand size covers both. */
    uint32_t a = form == IM_G ? reg_rd(c, i->reg, bits) : sext(i->imm & m, bits);
    uint64_t p = sx64(a, bits) * sx64(b, bits);
    uint32_t lo = (uint32_t)p & m, hi = (uint32_t)(p >> bits) & m;
    uint32_t ovf = sx64(lo, bits) != p;
    reg_wr(c, i->reg, bits, lo);
    mul_flags(c, lo, hi, bits, true, ovf);
}

ALU_STAMP_V(IMUL_GvEv, imul_G, IM_G)
ALU_STAMP_V(IMUL_GvEvIv, imul_G, IM_I)
ALU_STAMP_V(IMUL_GvEvIb, imul_G, IM_I)

/* ---- DIV / IDIV: AX / Eb -> AL rem AH, DX:AX / Ew -> AX rem DX,
 *      EDX:EAX / Ed -> EAX rem EDX ---- */
ALU_INLINE void div_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, bool sign)
{
    const uint32_t m = sz_mask(bits);
    uint32_t off, d = rm_rd(c, i, mem, bits, &off);
    uint64_t n;
    if (bits == 8)
        n = get_r16(c, R_EAX);
    else
        n = (uint64_t)reg_rd(c, R_EDX, bits) << bits | reg_rd(c, R_EAX, bits);
    if (d == 0)
        cpu_raise(c, EX_DE);
    uint32_t q, r;
    if (!sign) {
        uint64_t uq = n / d;
        if (uq > m)
            cpu_raise(c, EX_DE);
        q = (uint32_t)uq;
        r = (uint32_t)(n % d);
    } else {
        /* Work on magnitudes: |n| fits 2*bits bits, |d| fits bits bits. */
        const unsigned nb = 2 * bits;
        bool nneg = (n >> (nb - 1)) & 1, dneg = sz_msb(d, bits);
        uint64_t nmask = nb == 64 ? ~(uint64_t)0 : ((uint64_t)1 << nb) - 1;
        uint64_t na = nneg ? (0 - n) & nmask : n;
        uint32_t da = dneg ? (0u - d) & m : d;
        uint64_t uq = na / da, ur = na % da;
        bool qneg = nneg != dneg;
        /* 8086: a REP/REPNE prefix flips the sign of the quotient (the
         * microcode shares the F1 flag that tracks signs with REP), and
         * the most negative quotient is refused. */
        uint64_t qmax = (uint64_t)1 << (bits - 1);
        if (c->model->idiv_8086) {
            if (i->flags & (I_REP | I_REPNE))
                qneg = !qneg;
            qmax--;
        }
        if (qneg ? uq > qmax : uq > ((uint64_t)1 << (bits - 1)) - 1)
            cpu_raise(c, EX_DE);
        q = qneg ? 0u - (uint32_t)uq : (uint32_t)uq;
        r = nneg ? 0u - (uint32_t)ur : (uint32_t)ur;  /* remainder has the dividend's sign */
    }
    if (bits == 8) {
        set_r16(c, R_EAX, (uint16_t)((q & 0xFF) | (r & 0xFF) << 8));
    } else {
        reg_wr(c, R_EAX, bits, q);
        reg_wr(c, R_EDX, bits, r);
    }
}

ALU_STAMP_B(DIV_Eb, div_E, false)
ALU_STAMP_V(DIV_Ev, div_E, false)
ALU_STAMP_B(IDIV_Eb, div_E, true)
ALU_STAMP_V(IDIV_Ev, div_E, true)

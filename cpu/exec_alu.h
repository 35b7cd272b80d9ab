/* Private helpers of the integer ALU handlers (exec_alu.c, exec_shift.c,
 * exec_muldiv.c, exec_bcd.c, exec_bit.c).
 *
 * Operand access is written once, generic in the operand size (`bits`, 8,
 * 16 or 32) and in register/memory (`mem`).  Every handler passes
 * constants for both, and the helpers are forced inline, so each stamped
 * handler compiles to straight-line code for its one size and form.
 *
 * ALU_STAMP_B / ALU_STAMP_V stamp out the handlers of one opcode-table row
 * (RMB: _r _m, RMV: _r16 _r32 _m16 _m32) from one inline body
 *     body(struct cpu *c, const struct insn *i, bool mem, unsigned bits, ARG)
 * so no size variant is written by hand.
 */
#ifndef PCVM_EXEC_ALU_H
#define PCVM_EXEC_ALU_H

#include <stdbool.h>
#include <stdint.h>

#include "../mmu/mem.h"
#include "flags.h"
#include "insn.h"

#if defined(__GNUC__) || defined(__clang__)
#define ALU_INLINE static inline __attribute__((always_inline))
#else
#define ALU_INLINE static inline
#endif

ALU_INLINE uint32_t sz_mask(unsigned bits)
{
    return bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
}

/* Bit `bits - 1` (the sign bit of the operand size) of v, as 0 or 1. */
ALU_INLINE uint32_t sz_msb(uint32_t v, unsigned bits)
{
    return (v >> (bits - 1)) & 1;
}

/* Index of the lowest / highest set bit of v (v != 0). */
ALU_INLINE unsigned bit_lowest(uint32_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctz(v);
#else
    unsigned k = 0;
    while (!((v >> k) & 1))
        k++;
    return k;
#endif
}

ALU_INLINE unsigned bit_highest(uint32_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return 31u - (unsigned)__builtin_clz(v);
#else
    unsigned k = 31;
    while (!((v >> k) & 1))
        k--;
    return k;
#endif
}

/* ---- registers by operand size (byte registers: AL CL DL BL AH CH DH BH) ---- */
enum { R8_AL = 0, R8_CL = 1, R8_AH = 4 };

ALU_INLINE uint32_t reg_rd(const struct cpu *c, unsigned n, unsigned bits)
{
    return bits == 8 ? get_r8(c, n) : bits == 16 ? get_r16(c, n) : get_r32(c, n);
}

ALU_INLINE void reg_wr(struct cpu *c, unsigned n, unsigned bits, uint32_t v)
{
    if (bits == 8)
        set_r8(c, n, (uint8_t)v);
    else if (bits == 16)
        set_r16(c, n, (uint16_t)v);
    else
        set_r32(c, n, v);
}

/* ---- memory by operand size ---- */
ALU_INLINE uint32_t mem_rd(struct cpu *c, int seg, uint32_t off, unsigned bits)
{
    return bits == 8 ? cpu_rd8(c, seg, off) : bits == 16 ? cpu_rd16(c, seg, off)
                                                         : cpu_rd32(c, seg, off);
}

ALU_INLINE void mem_wr(struct cpu *c, int seg, uint32_t off, unsigned bits, uint32_t v)
{
    if (bits == 8)
        cpu_wr8(c, seg, off, (uint8_t)v);
    else if (bits == 16)
        cpu_wr16(c, seg, off, (uint16_t)v);
    else
        cpu_wr32(c, seg, off, v);
}

/* ---- the ModRM r/m operand: register i->rm, or memory at insn_ea() ---- */
ALU_INLINE uint32_t rm_rd(struct cpu *c, const struct insn *i, bool mem, unsigned bits,
                          uint32_t *off)
{
    if (mem) {
        *off = insn_ea(c, i);
        return mem_rd(c, i->seg, *off, bits);
    }
    *off = 0;
    return reg_rd(c, i->rm, bits);
}

ALU_INLINE void rm_wr(struct cpu *c, const struct insn *i, bool mem, unsigned bits,
                      uint32_t off, uint32_t v)
{
    if (mem)
        mem_wr(c, i->seg, off, bits, v);
    else
        reg_wr(c, i->rm, bits, v);
}

/* ---- flags ---- */
/* Writes all of OSZAPC: S, Z, P from res (of `bits`), AF = af. */
ALU_INLINE void flags_all(struct cpu *c, uint32_t res, unsigned bits, uint32_t cf,
                          uint32_t of, uint32_t af)
{
    c->lf.cf = cf;
    c->lf.of = of;
    flags_lazy(c, res, bits, res ^ (af << 4));
}

/* ---- handler stampers ---- */
#define ALU_STAMP_B(NAME, BODY, ARG) \
    HANDLER(op_##NAME##_r) { BODY(c, i, false, 8, ARG); } \
    HANDLER(op_##NAME##_m) { BODY(c, i, true, 8, ARG); }

#define ALU_STAMP_V(NAME, BODY, ARG) \
    HANDLER(op_##NAME##_r16) { BODY(c, i, false, 16, ARG); } \
    HANDLER(op_##NAME##_r32) { BODY(c, i, false, 32, ARG); } \
    HANDLER(op_##NAME##_m16) { BODY(c, i, true, 16, ARG); } \
    HANDLER(op_##NAME##_m32) { BODY(c, i, true, 32, ARG); }

#endif

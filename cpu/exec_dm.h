/* Private helpers of the data-movement handlers (exec_mov.c,
 * exec_stack.c, exec_string.c, exec_io.c): operand-size generic register
 * and memory access, and macros that stamp out the size variants of a
 * handler from one inline body.  Each body takes `bool o32` (or a size in
 * bytes) as a constant, so the compiler folds the size tests away. */
#ifndef PCVM_EXEC_DM_H
#define PCVM_EXEC_DM_H

#include "../mmu/mem.h"
#include "flags.h"
#include "insn.h"

#if defined(__GNUC__) || defined(__clang__)
#define DM_INLINE static inline __attribute__((always_inline))
#else
#define DM_INLINE static inline
#endif

/* Address-size mask: 0xFFFF or 0xFFFFFFFF. */
DM_INLINE uint32_t amask(const struct insn *i)
{
    return (i->flags & I_A32) ? 0xFFFFFFFFu : 0xFFFFu;
}

/* Register n as an operand of the operand size. */
DM_INLINE uint32_t getv(const struct cpu *c, unsigned n, bool o32)
{
    return o32 ? c->reg[n] : (c->reg[n] & 0xFFFFu);
}
DM_INLINE void setv(struct cpu *c, unsigned n, uint32_t v, bool o32)
{
    if (o32)
        c->reg[n] = v;
    else
        set_r16(c, n, (uint16_t)v);
}
/* Writes the low bits of `v` selected by mask m into register n. */
DM_INLINE void set_masked(struct cpu *c, unsigned n, uint32_t v, uint32_t m)
{
    c->reg[n] = (c->reg[n] & ~m) | (v & m);
}

DM_INLINE uint32_t rdv(struct cpu *c, int s, uint32_t off, bool o32)
{
    return o32 ? cpu_rd32(c, s, off) : cpu_rd16(c, s, off);
}
DM_INLINE void wrv(struct cpu *c, int s, uint32_t off, uint32_t v, bool o32)
{
    if (o32)
        cpu_wr32(c, s, off, v);
    else
        cpu_wr16(c, s, off, (uint16_t)v);
}

/* Sized access by byte count (1, 2 or 4). */
DM_INLINE uint32_t rd_n(struct cpu *c, int s, uint32_t off, unsigned n)
{
    switch (n) {
    case 1: return cpu_rd8(c, s, off);
    case 2: return cpu_rd16(c, s, off);
    default: return cpu_rd32(c, s, off);
    }
}
DM_INLINE void wr_n(struct cpu *c, int s, uint32_t off, uint32_t v, unsigned n)
{
    switch (n) {
    case 1: cpu_wr8(c, s, off, (uint8_t)v); break;
    case 2: cpu_wr16(c, s, off, (uint16_t)v); break;
    default: cpu_wr32(c, s, off, v); break;
    }
}
/* The accumulator (AL, AX, EAX) by byte count. */
DM_INLINE uint32_t acc_get(const struct cpu *c, unsigned n)
{
    return n == 1 ? get_r8(c, R_EAX) : n == 2 ? get_r16(c, R_EAX) : c->reg[R_EAX];
}
DM_INLINE void acc_set(struct cpu *c, uint32_t v, unsigned n)
{
    if (n == 1)
        set_r8(c, R_EAX, (uint8_t)v);
    else if (n == 2)
        set_r16(c, R_EAX, (uint16_t)v);
    else
        c->reg[R_EAX] = v;
}

/* Handler stamps: IMPL is an inline function (c, i, o32) or (c, i, n). */
#define DM_RMV(N, IMPL_R, IMPL_M)                                  \
    HANDLER(op_##N##_r16) { IMPL_R(c, i, false); }                 \
    HANDLER(op_##N##_r32) { IMPL_R(c, i, true); }                  \
    HANDLER(op_##N##_m16) { IMPL_M(c, i, false); }                 \
    HANDLER(op_##N##_m32) { IMPL_M(c, i, true); }
#define DM_MV(N, IMPL_M)                                           \
    HANDLER(op_##N##_m16) { IMPL_M(c, i, false); }                 \
    HANDLER(op_##N##_m32) { IMPL_M(c, i, true); }
#define DM_V(N, IMPL)                                              \
    HANDLER(op_##N##_16) { IMPL(c, i, false); }                    \
    HANDLER(op_##N##_32) { IMPL(c, i, true); }

#endif

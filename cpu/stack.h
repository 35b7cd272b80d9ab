/* Stack access for instruction handlers (PUSH/POP, CALL/RET, ENTER,
 * interrupts...).
 *
 * The stack pointer is ESP when SS's B bit is set and SP otherwise (SDM
 * Vol. 1 6.2.3 "Stack Alignment"/Vol. 3 5.2 "Fields and flags used for
 * segment-level protection"): with a 16-bit stack only SP moves, wraps at
 * 64 KiB, and the upper half of ESP is left alone.
 *
 * Two layers:
 *   push16/push32/pop16/pop32      one value, precise on their own
 *   stk_sp / stk_push* / stk_pop* / stk_commit
 *                                  several values: work on a local copy of
 *                                  the stack pointer, write memory, then
 *                                  commit it once nothing can fault any more
 *                                  (so a fault mid-way leaves ESP untouched).
 *
 * Limit checks, the 8086 wrap of a word at SS:FFFF and #SS(0) on 286+ are
 * done by cpu_rdN/cpu_wrN (mmu/mem.h).
 */
#ifndef PCVM_STACK_H
#define PCVM_STACK_H

#include "../mmu/mem.h"
#include "cpu.h"

/* Mask of the stack pointer's width: 0xFFFF (SP) or 0xFFFFFFFF (ESP). */
static inline uint32_t stk_mask(const struct cpu *c)
{
    return cpu_stack32(c) ? 0xFFFFFFFFu : 0xFFFFu;
}

/* The current stack pointer (SP zero-extended, or ESP). */
static inline uint32_t stk_sp(const struct cpu *c)
{
    return c->reg[R_ESP] & stk_mask(c);
}

/* Makes `sp` the stack pointer (only SP for a 16-bit stack). */
static inline void stk_commit(struct cpu *c, uint32_t sp)
{
    uint32_t m = stk_mask(c);
    c->reg[R_ESP] = (c->reg[R_ESP] & ~m) | (sp & m);
}

/* Pushes onto the local stack pointer *sp (not committed). */
static inline void stk_push16(struct cpu *c, uint32_t *sp, uint16_t v)
{
    uint32_t n = (*sp - 2) & stk_mask(c);
    cpu_wr16(c, S_SS, n, v);
    *sp = n;
}
static inline void stk_push32(struct cpu *c, uint32_t *sp, uint32_t v)
{
    uint32_t n = (*sp - 4) & stk_mask(c);
    cpu_wr32(c, S_SS, n, v);
    *sp = n;
}
/* Operand-size push: 16 or 32 bits. */
static inline void stk_push(struct cpu *c, uint32_t *sp, uint32_t v, bool o32)
{
    if (o32)
        stk_push32(c, sp, v);
    else
        stk_push16(c, sp, (uint16_t)v);
}

/* Pops from the local stack pointer *sp (not committed). */
static inline uint16_t stk_pop16(struct cpu *c, uint32_t *sp)
{
    uint16_t v = cpu_rd16(c, S_SS, *sp);
    *sp = (*sp + 2) & stk_mask(c);
    return v;
}
static inline uint32_t stk_pop32(struct cpu *c, uint32_t *sp)
{
    uint32_t v = cpu_rd32(c, S_SS, *sp);
    *sp = (*sp + 4) & stk_mask(c);
    return v;
}
static inline uint32_t stk_pop(struct cpu *c, uint32_t *sp, bool o32)
{
    return o32 ? stk_pop32(c, sp) : stk_pop16(c, sp);
}

/* Reads the value `k` bytes above the stack pointer without popping. */
static inline uint16_t stk_peek16(struct cpu *c, uint32_t k)
{
    return cpu_rd16(c, S_SS, (c->reg[R_ESP] + k) & stk_mask(c));
}
static inline uint32_t stk_peek32(struct cpu *c, uint32_t k)
{
    return cpu_rd32(c, S_SS, (c->reg[R_ESP] + k) & stk_mask(c));
}

/* Single pushes and pops: the stack pointer moves only after the access
 * succeeded. */
static inline void push16(struct cpu *c, uint16_t v)
{
    uint32_t sp = stk_sp(c);
    stk_push16(c, &sp, v);
    stk_commit(c, sp);
}
static inline void push32(struct cpu *c, uint32_t v)
{
    uint32_t sp = stk_sp(c);
    stk_push32(c, &sp, v);
    stk_commit(c, sp);
}
static inline uint16_t pop16(struct cpu *c)
{
    uint32_t sp = stk_sp(c);
    uint16_t v = stk_pop16(c, &sp);
    stk_commit(c, sp);
    return v;
}
static inline uint32_t pop32(struct cpu *c)
{
    uint32_t sp = stk_sp(c);
    uint32_t v = stk_pop32(c, &sp);
    stk_commit(c, sp);
    return v;
}

#endif

/* Lazy arithmetic flags: how instructions write OSZAPC and how conditions
 * read them.  See struct lazyflags in cpu.h for the representation.
 *
 * Writers (each sets all of O S Z A P C it defines; res is sign-extended
 * from the operand size so ZF/SF need no size):
 *   flags_add(c, a, b, res, bits, carry_in)    ADD/ADC/INC (INC: keep CF)
 *   flags_sub(c, a, b, res, bits, borrow_in)   SUB/SBB/CMP/NEG/DEC
 *   flags_logic(c, res, bits)                  AND/OR/XOR/TEST: CF=OF=0, AF=0
 *   flags_szp(c, res, bits)                    S,Z,P from res; AF=0; C,O untouched
 *   flags_set_cf / flags_set_of                single flags
 * Readers: flag_cf() ... flag_of(), and cond(c, cc) for Jcc/SETcc/CMOVcc.
 * cpu_get_eflags()/cpu_set_eflags() in flags.c are the one materialiser.
 */
#ifndef PCVM_FLAGS_H
#define PCVM_FLAGS_H

#include "cpu.h"

static inline uint32_t sext(uint32_t v, unsigned bits)
{
    return bits == 32 ? v : (uint32_t)(((int32_t)(v << (32 - bits))) >> (32 - bits));
}

static inline void flags_lazy(struct cpu *c, uint32_t res, unsigned bits, uint32_t afx)
{
    c->lf.res = sext(res, bits);
    c->lf.afx = afx;
    c->lf.eager = 0;
}

/* res = a + b + carry_in (truncated to `bits` by the caller or not). */
static inline void flags_add(struct cpu *c, uint32_t a, uint32_t b, uint32_t res,
                             unsigned bits, uint32_t carry_in)
{
    uint32_t m = bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
    a &= m; b &= m; res &= m;
    c->lf.cf = carry_in ? (res <= a) : (res < a);
    c->lf.of = (((a ^ res) & (b ^ res)) >> (bits - 1)) & 1;
    flags_lazy(c, res, bits, a ^ b);
}

/* res = a - b - borrow_in. */
static inline void flags_sub(struct cpu *c, uint32_t a, uint32_t b, uint32_t res,
                             unsigned bits, uint32_t borrow_in)
{
    uint32_t m = bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
    a &= m; b &= m; res &= m;
    c->lf.cf = borrow_in ? (a <= b) : (a < b);
    c->lf.of = (((a ^ b) & (a ^ res)) >> (bits - 1)) & 1;
    flags_lazy(c, res, bits, a ^ b);
}

static inline void flags_logic(struct cpu *c, uint32_t res, unsigned bits)
{
    c->lf.cf = 0;
    c->lf.of = 0;
    flags_lazy(c, res, bits, res); /* afx ^ res = 0: AF clear */
}

/* S, Z, P from res, AF clear; CF and OF are left for the caller. */
static inline void flags_szp(struct cpu *c, uint32_t res, unsigned bits)
{
    flags_lazy(c, res, bits, res);
}

static inline void flags_set_cf(struct cpu *c, uint32_t v) { c->lf.cf = v & 1; }
static inline void flags_set_of(struct cpu *c, uint32_t v) { c->lf.of = v & 1; }

static inline uint32_t flag_cf(const struct cpu *c) { return c->lf.cf; }
static inline uint32_t flag_of(const struct cpu *c) { return c->lf.of; }
static inline uint32_t flag_zf(const struct cpu *c)
{
    return c->lf.eager ? (c->eflags >> 6) & 1 : c->lf.res == 0;
}
static inline uint32_t flag_sf(const struct cpu *c)
{
    return c->lf.eager ? (c->eflags >> 7) & 1 : c->lf.res >> 31;
}
static inline uint32_t parity8(uint32_t v)
{
    v &= 0xFF;
    v ^= v >> 4;
    return (0x9669u >> (v & 0xF)) & 1; /* 1 = even number of ones (PF) */
}
static inline uint32_t flag_pf(const struct cpu *c)
{
    return c->lf.eager ? (c->eflags >> 2) & 1 : parity8(c->lf.res);
}
static inline uint32_t flag_af(const struct cpu *c)
{
    return c->lf.eager ? (c->eflags >> 4) & 1 : ((c->lf.afx ^ c->lf.res) >> 4) & 1;
}

/* Makes the ZSPA flags explicit in c->eflags (before changing one of them
 * alone: BSF's ZF, SAHF, AAA's AF...). */
static inline void flags_make_eager(struct cpu *c)
{
    if (c->lf.eager)
        return;
    uint32_t f = c->eflags & ~(uint32_t)(F_ZF | F_SF | F_PF | F_AF);
    f |= flag_zf(c) << 6 | flag_sf(c) << 7 | flag_pf(c) << 2 | flag_af(c) << 4;
    c->eflags = f;
    c->lf.eager = 1;
}
/* Sets or clears one of ZF/SF/PF/AF, keeping the others. */
static inline void flags_put(struct cpu *c, uint32_t bit, uint32_t on)
{
    flags_make_eager(c);
    c->eflags = on ? (c->eflags | bit) : (c->eflags & ~bit);
}

/* Condition codes 0-15 as encoded in Jcc/SETcc/CMOVcc (SDM Vol. 2 B.1.4.7). */
static inline bool cond(const struct cpu *c, unsigned cc)
{
    bool r;
    switch (cc >> 1) {
    case 0: r = flag_of(c); break;                              /* O */
    case 1: r = flag_cf(c); break;                              /* B */
    case 2: r = flag_zf(c); break;                              /* Z */
    case 3: r = flag_cf(c) | flag_zf(c); break;                 /* BE */
    case 4: r = flag_sf(c); break;                              /* S */
    case 5: r = flag_pf(c); break;                              /* P */
    case 6: r = flag_sf(c) != flag_of(c); break;                /* L */
    default: r = (flag_sf(c) != flag_of(c)) | flag_zf(c); break; /* LE */
    }
    return r ^ (cc & 1);
}

#endif

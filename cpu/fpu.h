/* The x87 register stack, status/control/tag words, exception signalling
 * (cpu/fpu.c), shared by the instruction handlers (cpu/exec_fpu.c). */
#ifndef PCVM_FPU_H
#define PCVM_FPU_H

#include "cpu.h"
#include "fpu_float.h"

/* Status word bits. */
enum {
    SW_IE = 1u << 0, SW_DE = 1u << 1, SW_ZE = 1u << 2, SW_OE = 1u << 3,
    SW_UE = 1u << 4, SW_PE = 1u << 5, SW_SF = 1u << 6, SW_ES = 1u << 7,
    SW_C0 = 1u << 8, SW_C1 = 1u << 9, SW_C2 = 1u << 10, SW_C3 = 1u << 14,
    SW_TOP = 7u << 11, SW_B = 1u << 15,
};
#define SW_CC (SW_C0 | SW_C1 | SW_C2 | SW_C3)
enum { TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3 };

/* Power-on (SDM Vol. 3 table 9-1: CW 0040H, TW 5555H, registers +0) and
 * FNINIT (CW 037FH, TW FFFFH; the registers keep their contents). */
void fpu_power_on(struct cpu *c);
void fpu_init(struct cpu *c);

static inline unsigned fpu_top(const struct cpu *c) { return (c->fpu.sw >> 11) & 7; }
static inline unsigned fpu_phys(const struct cpu *c, unsigned i) { return (fpu_top(c) + i) & 7; }
static inline unsigned fpu_tag(const struct cpu *c, unsigned phys) { return (c->fpu.tw >> (2 * phys)) & 3; }
static inline bool fpu_empty(const struct cpu *c, unsigned i) { return fpu_tag(c, fpu_phys(c, i)) == TAG_EMPTY; }
static inline fx80 fpu_st(const struct cpu *c, unsigned i) { return c->fpu.r[fpu_phys(c, i)]; }
/* The tag a value gets (valid, zero, special). */
unsigned fpu_tag_of(fx80 v);
void fpu_set_st(struct cpu *c, unsigned i, fx80 v);
void fpu_set_tag(struct cpu *c, unsigned phys, unsigned tag);
void fpu_push(struct cpu *c, fx80 v);      /* TOP-1, then ST(0) = v */
void fpu_pop(struct cpu *c);               /* ST(0) empty, TOP+1 */
/* The full tag word as FSTENV/FSAVE store it (recomputed from contents). */
uint16_t fpu_tag_word(const struct cpu *c);

/* Condition codes C0-C3 (SW_C* bits in cc, the others cleared). */
static inline void fpu_set_cc(struct cpu *c, uint16_t cc)
{
    c->fpu.sw = (uint16_t)((c->fpu.sw & ~SW_CC) | (cc & SW_CC));
}
static inline void fpu_set_c1(struct cpu *c, bool v)
{
    c->fpu.sw = (uint16_t)((c->fpu.sw & ~SW_C1) | (v ? SW_C1 : 0));
}

/* Records exception flags (FX_* bits) in the status word; sets ES/B and
 * FERR# when one is unmasked.  Returns true when the destination is to be
 * written: no unmasked IE, DE or ZE (SDM Vol. 1 8.5: those leave the
 * operands unchanged; unmasked OE/UE still deliver the wrapped result). */
bool fpu_signal(struct cpu *c, unsigned exc);
/* The flags and C1 of an operation in e (C1 only when it produced a
 * result); returns fpu_signal's answer. */
bool fpu_result(struct cpu *c, const struct fx_env *e);
/* Recomputes ES and B from the flags and masks (after FLDCW, FLDENV...). */
void fpu_update_es(struct cpu *c);
/* Stack overflow/underflow: IE|SF with C1 = overflow.  Returns true when
 * masked (the caller then writes the indefinite). */
bool fpu_stack_fault(struct cpu *c, bool overflow);

/* An environment for fpu_float.c from the control word. */
static inline struct fx_env fpu_env(const struct cpu *c)
{
    struct fx_env e = { c->fpu.cw, 0, false };
    return e;
}

/* PC wiring: IGNNE# from a write to port F0 (clears the IRQ 13 latch). */
void cpu_fpu_ignne(struct cpu *c);

#endif

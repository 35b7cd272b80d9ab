/* Stack instructions: PUSH/POP (registers, segment registers, immediates,
 * r/m), PUSHA/POPA, PUSHF/POPF, ENTER, LEAVE (SDM Vol. 2).
 *
 * Every handler works on a local copy of the stack pointer (cpu/stack.h)
 * and commits it after the last access that can fault, so a fault leaves
 * ESP as it was before the instruction. */
#include "../mmu/paging.h"
#include "exec_dm.h"
#include "stack.h"

#define CR4_VME 1u

DM_INLINE uint32_t iopl(const struct cpu *c) { return (c->eflags >> 12) & 3; }

/* ---------------- PUSH/POP general registers ---------------- */

/* The value PUSH r / PUSH r/m stores for register n.  For SP the 8086 and
 * 80186 store the value after the decrement; the 286 and later the value
 * before it (SDM Vol. 3 22.17 "PUSH SP"). */
DM_INLINE uint32_t push_reg_value(const struct cpu *c, unsigned n, uint32_t sp, bool o32)
{
    if (unlikely(n == R_ESP) && c->model->push_sp_new)
        return (sp - (o32 ? 4u : 2u)) & stk_mask(c);
    return getv(c, n, o32);
}

DM_INLINE void push_reg(struct cpu *c, unsigned n, bool o32)
{
    uint32_t sp = stk_sp(c);
    stk_push(c, &sp, push_reg_value(c, n, sp, o32), o32);
    stk_commit(c, sp);
}

/* POP into register n: POP SP/ESP ends with the popped value. */
DM_INLINE void pop_reg(struct cpu *c, unsigned n, bool o32)
{
    uint32_t sp = stk_sp(c);
    uint32_t v = stk_pop(c, &sp, o32);
    stk_commit(c, sp);
    setv(c, n, v, o32);
}

DM_INLINE void push_r(struct cpu *c, const struct insn *i, bool o32) { push_reg(c, i->reg, o32); }
DM_INLINE void pop_r(struct cpu *c, const struct insn *i, bool o32) { pop_reg(c, i->reg, o32); }
DM_V(PUSH_r, push_r)
DM_V(POP_r, pop_r)

/* ---------------- PUSH/POP segment registers ---------------- */

/* With a 32-bit operand the stack pointer moves by 4 but only the low
 * word of the slot is written; the upper two bytes keep their old
 * contents (SDM Vol. 2 "PUSH": the 16-bit move of recent processors,
 * P6 included). */
DM_INLINE void push_sreg(struct cpu *c, int s, bool o32)
{
    uint32_t sp = stk_sp(c);
    uint16_t sel = c->seg[s].sel;
    if (o32) {
        sp = (sp - 4) & stk_mask(c);
        cpu_wr16(c, S_SS, sp, sel);
    } else {
        stk_push16(c, &sp, sel);
    }
    stk_commit(c, sp);
}

/* A 32-bit pop reads the doubleword and discards the upper half.  The
 * stack pointer moves with the width of the stack it was popped from
 * (POP SS may change SS.B), and only after the load succeeded. */
DM_INLINE void pop_sreg(struct cpu *c, int s, bool o32)
{
    uint32_t m = stk_mask(c);
    uint32_t sp = c->reg[R_ESP] & m;
    uint16_t sel = (uint16_t)(o32 ? cpu_rd32(c, S_SS, sp) : cpu_rd16(c, S_SS, sp));
    cpu_load_seg(c, s, sel);
    set_masked(c, R_ESP, sp + (o32 ? 4u : 2u), m);
    if (s == S_SS)
        c->attention |= ATT_SHADOW; /* SDM Vol. 2 "POP": inhibits interrupts for one insn */
}

#define DM_SREG(S)                                                              \
    HANDLER(op_PUSH_##S##_16) { (void)i; push_sreg(c, S_##S, false); }          \
    HANDLER(op_PUSH_##S##_32) { (void)i; push_sreg(c, S_##S, true); }
#define DM_SREG_POP(S)                                                          \
    HANDLER(op_POP_##S##_16) { (void)i; pop_sreg(c, S_##S, false); }            \
    HANDLER(op_POP_##S##_32) { (void)i; pop_sreg(c, S_##S, true); }
DM_SREG(ES)
DM_SREG(CS)
DM_SREG(SS)
DM_SREG(DS)
DM_SREG(FS)
DM_SREG(GS)
DM_SREG_POP(ES)
DM_SREG_POP(SS)
DM_SREG_POP(DS)
DM_SREG_POP(FS)
DM_SREG_POP(GS)

/* 8086 only (0F): POP CS, a far jump to CS:next-IP.  The row ends the
 * block; ATT_MODE makes sure the next lookup uses the new CS. */
DM_INLINE void pop_cs(struct cpu *c, const struct insn *i, bool o32)
{
    (void)i;
    pop_sreg(c, S_CS, o32);
    c->attention |= ATT_MODE;
}
DM_V(POP_CS, pop_cs)

/* ---------------- PUSH immediate ---------------- */

/* i->imm is already sign-extended for 6A (IMM_BS). */
DM_INLINE void push_imm(struct cpu *c, const struct insn *i, bool o32)
{
    uint32_t sp = stk_sp(c);
    stk_push(c, &sp, i->imm, o32);
    stk_commit(c, sp);
}
DM_V(PUSH_Iv, push_imm)
DM_V(PUSH_Ib, push_imm)

/* ---------------- PUSH r/m, POP r/m ---------------- */

DM_INLINE void push_ev_r(struct cpu *c, const struct insn *i, bool o32) { push_reg(c, i->rm, o32); }
/* The operand's address is computed with ESP before the push. */
DM_INLINE void push_ev_m(struct cpu *c, const struct insn *i, bool o32)
{
    uint32_t v = rdv(c, i->seg, insn_ea(c, i), o32);
    uint32_t sp = stk_sp(c);
    stk_push(c, &sp, v, o32);
    stk_commit(c, sp);
}
DM_RMV(PUSH_Ev, push_ev_r, push_ev_m)

DM_INLINE void pop_ev_r(struct cpu *c, const struct insn *i, bool o32) { pop_reg(c, i->rm, o32); }
/* SDM Vol. 2 "POP": with ESP as the base register the address is computed
 * after ESP was incremented.  ESP itself only changes once the store has
 * succeeded. */
DM_INLINE void pop_ev_m(struct cpu *c, const struct insn *i, bool o32)
{
    uint32_t sp = stk_sp(c);
    uint32_t v = stk_pop(c, &sp, o32);
    uint32_t old = c->reg[R_ESP];
    stk_commit(c, sp);
    uint32_t off = insn_ea(c, i);
    c->reg[R_ESP] = old;
    wrv(c, i->seg, off, v, o32);
    stk_commit(c, sp);
}
DM_RMV(POP_Ev, pop_ev_r, pop_ev_m)

/* ---------------- PUSHA / POPA ---------------- */

/* Pushes (E)AX (E)CX (E)DX (E)BX, the original (E)SP, (E)BP (E)SI (E)DI. */
DM_INLINE void pusha(struct cpu *c, const struct insn *i, bool o32)
{
    (void)i;
    uint32_t sp = stk_sp(c);
    for (unsigned r = R_EAX; r <= R_EDI; r++)
        stk_push(c, &sp, getv(c, r, o32), o32);
    stk_commit(c, sp);
}
DM_V(PUSHA, pusha)

/* Pops in the reverse order; the (E)SP slot is read past and discarded. */
DM_INLINE void popa(struct cpu *c, const struct insn *i, bool o32)
{
    (void)i;
    uint32_t sp = stk_sp(c);
    uint32_t v[8];
    for (int r = R_EDI; r >= R_EAX; r--)
        v[r] = stk_pop(c, &sp, o32);
    stk_commit(c, sp);
    for (unsigned r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            setv(c, r, v[r], o32);
    /* The 80386 loads the popped ESP image and then puts SP back, so with
     * a 16-bit stack ESP's upper half comes from the stack (test386
     * README, "POPAD"; the SDM calls the value discarded). */
    if (o32 && c->model->popad_esp_msw && !cpu_stack32(c))
        c->reg[R_ESP] = (v[R_ESP] & 0xFFFF0000u) | (c->reg[R_ESP] & 0xFFFFu);
}
DM_V(POPA, popa)

/* ---------------- PUSHF / POPF ---------------- */

/* V86 mode with IOPL < 3: #GP(0), except a 16-bit PUSHF with CR4.VME,
 * which pushes VIF as IF and IOPL as 3 (SDM Vol. 3 20.3). */
DM_INLINE void pushf(struct cpu *c, const struct insn *i, bool o32)
{
    (void)i;
    uint32_t f = cpu_get_eflags(c);
    if (unlikely(cpu_vm86(c)) && iopl(c) < 3) {
        if (o32 || !(c->cr[4] & CR4_VME))
            cpu_raise_err(c, EX_GP, 0);
        f = (f & ~(uint32_t)F_IF) | ((f & F_VIF) ? F_IF : 0) | F_IOPL;
    }
    /* The image has VM and RF clear (SDM Vol. 2 "PUSHF"). */
    f &= ~(uint32_t)(F_VM | F_RF);
    uint32_t sp = stk_sp(c);
    stk_push(c, &sp, f, o32);
    stk_commit(c, sp);
}
DM_V(PUSHF, pushf)

/* SDM Vol. 2 "POPF": which bits change depends on mode, CPL and IOPL.
 * VM, VIP and VIF never change through POPF (outside the VME case); a
 * 32-bit POPF clears RF.  IOPL changes only at CPL 0, IF only when
 * CPL <= IOPL; real mode counts as CPL 0 (but see real_iopl_nt_fixed in
 * models.h for the 80286).  Bits the model does not have
 * are outside eflags_writable; the model's always-one bits are put back
 * by cpu_set_eflags, which also re-arms interrupt checks when IF is 1. */
DM_INLINE void popf(struct cpu *c, const struct insn *i, bool o32)
{
    (void)i;
    uint32_t mask = c->model->eflags_writable & ~(uint32_t)(F_VM | F_RF | F_VIP | F_VIF);
    bool vme = false;
    if (unlikely(cpu_vm86(c))) {
        if (iopl(c) < 3) {
            if (o32 || !(c->cr[4] & CR4_VME))
                cpu_raise_err(c, EX_GP, 0);
            vme = true;
        }
        mask &= ~(uint32_t)F_IOPL; /* CPL 3 */
    } else if (cpu_pe(c)) {
        if (c->cpl > 0)
            mask &= ~(uint32_t)F_IOPL;
        if (c->cpl > iopl(c))
            mask &= ~(uint32_t)F_IF;
    } else if (c->model->real_iopl_nt_fixed) {
        /* 80286 real mode: IOPL and NT keep their value (the classic
         * 286-vs-386 test: FLAGS bits 12-15 cannot be set). */
        mask &= ~(uint32_t)(F_IOPL | F_NT);
    }
    uint32_t sp = stk_sp(c);
    uint32_t v = stk_pop(c, &sp, o32);
    if (o32) {
        mask |= F_RF;
        v &= ~(uint32_t)F_RF;
    } else {
        mask &= 0xFFFF;
    }
    if (unlikely(vme)) {
        /* SDM Vol. 3 20.3.3.1: TF set, or IF set with VIP pending: #GP(0);
         * else the popped IF goes to VIF and IF/IOPL stay. */
        if ((v & F_TF) || ((v & F_IF) && (c->eflags & F_VIP)))
            cpu_raise_err(c, EX_GP, 0);
        mask = (mask & ~(uint32_t)F_IF) | F_VIF;
        v = (v & ~(uint32_t)F_VIF) | ((v & F_IF) ? F_VIF : 0);
    }
    stk_commit(c, sp);
    cpu_set_eflags(c, v, mask);
}
DM_V(POPF, popf)

/* ---------------- ENTER / LEAVE ---------------- */

/* #SS(0) when the new stack pointer is outside SS's limit (SDM Vol. 2
 * "ENTER"; expand-down segments allow only offsets above the limit). */
static void enter_check_sp(struct cpu *c, uint32_t sp)
{
    const struct seg *s = &c->seg[S_SS];
    bool expand_down = (s->ar & 0x1C) == 0x14;
    if (expand_down ? sp <= s->limit : sp > s->limit)
        cpu_raise_err(c, EX_SS, 0);
}

/* SDM Vol. 2 "ENTER": push (E)BP; FrameTemp = stack pointer; for a
 * nesting level L > 0 copy L-1 frame pointers from the old frame
 * ((E)BP - 2/4 each, walking with the stack's address size) and push
 * FrameTemp; then (E)BP = FrameTemp (operand size) and the stack pointer
 * drops by the allocation size.  Pushes and reads use the operand size. */
DM_INLINE void enter(struct cpu *c, const struct insn *i, bool o32)
{
    const uint32_t m = stk_mask(c);
    const uint32_t size = i->imm & 0xFFFF;
    const unsigned level = i->imm2 & 31;
    uint32_t sp = stk_sp(c);
    stk_push(c, &sp, getv(c, R_EBP, o32), o32);
    /* FrameTemp is ESP after the push: with a 16-bit stack only SP moved
     * and ESP's upper half stays in it (an o32 ENTER then pushes and
     * loads all 32 bits; test386 POST 1A checks this). */
    uint32_t frame = (c->reg[R_ESP] & ~m) | sp;
    if (level > 0) {
        uint32_t bp = c->reg[R_EBP] & m;
        for (unsigned k = 1; k < level; k++) {
            bp = (bp - (o32 ? 4u : 2u)) & m;
            stk_push(c, &sp, rdv(c, S_SS, bp, o32), o32);
        }
        stk_push(c, &sp, frame, o32);
    }
    sp = (sp - size) & m;
    enter_check_sp(c, sp);
    /* "The ENTER instruction causes a page fault whenever a write using
     * the final value of the stack pointer (within the current stack
     * segment) would do so" (SDM Vol. 2 ENTER). */
    if (size && paging_on(c)) {
        uint32_t lin = c->seg[S_SS].base + sp, err;
        struct pg_result r;
        if (!paging_walk(c, lin, MMU_WRITE, false, &r, &err)) {
            c->cr[2] = lin;
            cpu_raise_err(c, EX_PF, err);
        }
    }
    stk_commit(c, sp);
    setv(c, R_EBP, frame, o32);
}
DM_V(ENTER, enter)

/* (E)SP = (E)BP (stack size), then pop (E)BP (operand size). */
DM_INLINE void leave(struct cpu *c, const struct insn *i, bool o32)
{
    (void)i;
    uint32_t sp = c->reg[R_EBP] & stk_mask(c);
    uint32_t v = stk_pop(c, &sp, o32);
    stk_commit(c, sp);
    setv(c, R_EBP, v, o32);
}
DM_V(LEAVE, leave)

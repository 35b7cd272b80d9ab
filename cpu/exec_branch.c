/* Control transfer: Jcc, JMP, CALL, RET, far JMP/CALL/RET, LOOP/JCXZ,
 * INT n/INT3/INTO/INT1, IRET and BOUND (SDM Vol. 2, one section each).
 *
 * Real-address and virtual-8086 mode are complete here.  Protected-mode
 * far transfers (descriptor checks, conforming segments, call gates,
 * task gates, returns to an outer level, IRET to V86 or through NT) live
 * in cpu/farxfer.c: far_jump(), far_return() and do_iret() below hand
 * protected mode to it.
 *
 * Near branches check the target against the CS limit (#GP(0)), as the
 * SDM's pseudocode does for every near transfer on the 286 and later.
 * On the 8086/80186 the check can never fire: CS's limit is 0xFFFF and
 * 16-bit targets are already cut to 16 bits.
 */
#include "../mmu/mem.h"
#include "descriptor.h"
#include "flags.h"
#include "insn.h"
#include "stack.h"

/* ---------------- helpers ---------------- */

static inline unsigned iopl(const struct cpu *c)
{
    return (c->eflags >> 12) & 3;
}

/* Protected mode proper (PE=1 and not V86). */
static inline bool pm_proper(const struct cpu *c)
{
    return cpu_pe(c) && !cpu_vm86(c);
}

/* #GP(0) when a new EIP lies outside CS (SDM Vol. 2 JMP/CALL/RET/Jcc:
 * "IF tempEIP is not within code segment limit THEN #GP(0)"). */
static inline void check_cs_limit(struct cpu *c, uint32_t eip)
{
    if (unlikely(eip > c->seg[S_CS].limit))
        cpu_raise_err(c, EX_GP, 0);
}

static inline void near_jump(struct cpu *c, uint32_t target)
{
    check_cs_limit(c, target);
    c->eip = target;
}

/* Offset `n` bytes past a memory operand's offset.  With 16-bit
 * addressing the 8086/80186 wrap inside the segment; later chips do not
 * (the access then fails the segment limit check). */
static inline uint32_t ea_next(const struct cpu *c, const struct insn *i,
                               uint32_t ea, uint32_t n)
{
    uint32_t r = ea + n;
    if (!(i->flags & I_A32) && c->model->seg_wrap)
        r &= 0xFFFF;
    return r;
}

/* Signed a < b on 32-bit two's complement values, without converting
 * out-of-range values to int32_t. */
static inline bool slt(uint32_t a, uint32_t b)
{
    return (a ^ 0x80000000u) < (b ^ 0x80000000u);
}

/* ---------------- Jcc, JMP, CALL, RET (near) ---------------- */

#define JCC(NAME, CC)                                                   \
    HANDLER(op_##NAME##_16)                                             \
    {                                                                   \
        if (cond(c, CC))                                                \
            near_jump(c, (c->eip + i->imm) & 0xFFFFu);                  \
    }                                                                   \
    HANDLER(op_##NAME##_32)                                             \
    {                                                                   \
        if (cond(c, CC))                                                \
            near_jump(c, c->eip + i->imm);                              \
    }

JCC(JO, 0x0)
JCC(JNO, 0x1)
JCC(JB, 0x2)
JCC(JAE, 0x3)
JCC(JE, 0x4)
JCC(JNE, 0x5)
JCC(JBE, 0x6)
JCC(JA, 0x7)
JCC(JS, 0x8)
JCC(JNS, 0x9)
JCC(JP, 0xA)
JCC(JNP, 0xB)
JCC(JL, 0xC)
JCC(JGE, 0xD)
JCC(JLE, 0xE)
JCC(JG, 0xF)

HANDLER(op_JMP_Jb_16) { near_jump(c, (c->eip + i->imm) & 0xFFFFu); }
HANDLER(op_JMP_Jb_32) { near_jump(c, c->eip + i->imm); }
HANDLER(op_JMP_Jv_16) { near_jump(c, (c->eip + i->imm) & 0xFFFFu); }
HANDLER(op_JMP_Jv_32) { near_jump(c, c->eip + i->imm); }

HANDLER(op_JMP_Ev_r16) { near_jump(c, get_r16(c, i->rm)); }
HANDLER(op_JMP_Ev_r32) { near_jump(c, get_r32(c, i->rm)); }
HANDLER(op_JMP_Ev_m16) { near_jump(c, cpu_rd16(c, i->seg, insn_ea(c, i))); }
HANDLER(op_JMP_Ev_m32) { near_jump(c, cpu_rd32(c, i->seg, insn_ea(c, i))); }

/* Near CALL: the target is checked before the return address is pushed
 * (SDM Vol. 2 CALL: #GP(0) for the target, then #SS(0) for the push). */
static inline void near_call16(struct cpu *c, uint32_t target)
{
    check_cs_limit(c, target);
    push16(c, (uint16_t)c->eip);
    c->eip = target;
}

static inline void near_call32(struct cpu *c, uint32_t target)
{
    check_cs_limit(c, target);
    push32(c, c->eip);
    c->eip = target;
}

HANDLER(op_CALL_Jv_16) { near_call16(c, (c->eip + i->imm) & 0xFFFFu); }
HANDLER(op_CALL_Jv_32) { near_call32(c, c->eip + i->imm); }
HANDLER(op_CALL_Ev_r16) { near_call16(c, get_r16(c, i->rm)); }
HANDLER(op_CALL_Ev_r32) { near_call32(c, get_r32(c, i->rm)); }
HANDLER(op_CALL_Ev_m16) { near_call16(c, cpu_rd16(c, i->seg, insn_ea(c, i))); }
HANDLER(op_CALL_Ev_m32) { near_call32(c, cpu_rd32(c, i->seg, insn_ea(c, i))); }

/* Near RET [imm16]: pop EIP, then release imm16 bytes of parameters
 * (SP or ESP by the stack's B bit). */
static inline void near_ret(struct cpu *c, bool o32, uint32_t imm)
{
    uint32_t sp = stk_sp(c);
    uint32_t target = o32 ? stk_pop32(c, &sp) : stk_pop16(c, &sp);
    check_cs_limit(c, target);
    stk_commit(c, sp + imm);
    c->eip = target;
}

HANDLER(op_RET_16) { (void)i; near_ret(c, false, 0); }
HANDLER(op_RET_32) { (void)i; near_ret(c, true, 0); }
HANDLER(op_RET_Iw_16) { near_ret(c, false, i->imm & 0xFFFFu); }
HANDLER(op_RET_Iw_32) { near_ret(c, true, i->imm & 0xFFFFu); }

/* ---------------- far JMP / CALL / RET ---------------- */

/* Protected-mode far JMP/CALL (descriptor checks, call gates, task gates
 * and TSS selectors) live in cpu/farxfer.c. */
/* Far JMP or CALL to sel:off with the instruction's operand size.  Every
 * far JMP/CALL form comes through here. */
static void far_jump(struct cpu *c, uint16_t sel, uint32_t off, bool is_call, bool o32)
{
    if (pm_proper(c)) {
        far_jump_pm(c, sel, off, is_call, o32);   /* cpu/farxfer.c */
        return;
    }

    /* Real-address and virtual-8086 mode (SDM Vol. 2 JMP, CALL: "IF far
     * call and (PE = 0 or VM = 1)").  The offset must lie inside the
     * current CS limit; a real-mode CS load keeps the cached limit. */
    if (!o32)
        off &= 0xFFFFu;
    check_cs_limit(c, off);
    if (is_call) {
        /* Push CS then the return EIP; ESP moves only once both are
         * written.  A 32-bit push of CS is zero-extended ("padded with 16
         * high-order bits" in the SDM's CALL pseudocode). */
        uint32_t sp = stk_sp(c);
        stk_push(c, &sp, c->seg[S_CS].sel, o32);
        stk_push(c, &sp, c->eip, o32);
        stk_commit(c, sp);
    }
    cpu_load_seg_real(c, S_CS, sel);
    c->eip = off;
}

/* Far RET [imm16]: every RETF form comes through here. */
static void far_return(struct cpu *c, bool o32, uint32_t imm)
{
    if (pm_proper(c)) {
        far_return_pm(c, o32, imm);   /* cpu/farxfer.c */
        return;
    }

    /* Real-address and virtual-8086 mode (SDM Vol. 2 RET, "far return
     * and (PE = 0 or VM = 1)"): pop EIP then CS (a 32-bit pop whose high
     * half is discarded), then release the parameters. */
    uint32_t sp = stk_sp(c);
    uint32_t off = stk_pop(c, &sp, o32);
    uint16_t sel = (uint16_t)stk_pop(c, &sp, o32);
    check_cs_limit(c, off);
    stk_commit(c, sp + imm);
    cpu_load_seg_real(c, S_CS, sel);
    c->eip = off;
}

HANDLER(op_JMPF_Ap_16) { far_jump(c, i->imm2, i->imm, false, false); }
HANDLER(op_JMPF_Ap_32) { far_jump(c, i->imm2, i->imm, false, true); }
HANDLER(op_CALLF_Ap_16) { far_jump(c, i->imm2, i->imm, true, false); }
HANDLER(op_CALLF_Ap_32) { far_jump(c, i->imm2, i->imm, true, true); }

/* m16:16 and m16:32 far pointers: offset first, then the selector. */
static inline void far_ptr16(struct cpu *c, const struct insn *i, uint32_t *off, uint16_t *sel)
{
    uint32_t ea = insn_ea(c, i);
    *off = cpu_rd16(c, i->seg, ea);
    *sel = cpu_rd16(c, i->seg, ea_next(c, i, ea, 2));
}

static inline void far_ptr32(struct cpu *c, const struct insn *i, uint32_t *off, uint16_t *sel)
{
    uint32_t ea = insn_ea(c, i);
    *off = cpu_rd32(c, i->seg, ea);
    *sel = cpu_rd16(c, i->seg, ea_next(c, i, ea, 4));
}

HANDLER(op_JMPF_Ep_m16)
{
    uint32_t off;
    uint16_t sel;
    far_ptr16(c, i, &off, &sel);
    far_jump(c, sel, off, false, false);
}
HANDLER(op_JMPF_Ep_m32)
{
    uint32_t off;
    uint16_t sel;
    far_ptr32(c, i, &off, &sel);
    far_jump(c, sel, off, false, true);
}
HANDLER(op_CALLF_Ep_m16)
{
    uint32_t off;
    uint16_t sel;
    far_ptr16(c, i, &off, &sel);
    far_jump(c, sel, off, true, false);
}
HANDLER(op_CALLF_Ep_m32)
{
    uint32_t off;
    uint16_t sel;
    far_ptr32(c, i, &off, &sel);
    far_jump(c, sel, off, true, true);
}

HANDLER(op_RETF_16) { (void)i; far_return(c, false, 0); }
HANDLER(op_RETF_32) { (void)i; far_return(c, true, 0); }
HANDLER(op_RETF_Iw_16) { far_return(c, false, i->imm & 0xFFFFu); }
HANDLER(op_RETF_Iw_32) { far_return(c, true, i->imm & 0xFFFFu); }

/* ---------------- LOOP, LOOPE, LOOPNE, JCXZ ---------------- */

/* The count register is CX or ECX by the ADDRESS size (SDM Vol. 2 LOOP);
 * the new EIP is cut by the operand size.  ECX is written only once the
 * branch can no longer fault. */
enum { LOOP_ANY = -1, LOOP_NZ = 0, LOOP_Z = 1 };

static inline void do_loop(struct cpu *c, const struct insn *i, uint32_t ipmask, int need_zf)
{
    uint32_t cmask = (i->flags & I_A32) ? 0xFFFFFFFFu : 0xFFFFu;
    uint32_t count = (c->reg[R_ECX] - 1) & cmask;
    bool take = count != 0 && (need_zf == LOOP_ANY || flag_zf(c) == (uint32_t)need_zf);
    if (take)
        near_jump(c, (c->eip + i->imm) & ipmask);
    c->reg[R_ECX] = (c->reg[R_ECX] & ~cmask) | count;
}

HANDLER(op_LOOP_16) { do_loop(c, i, 0xFFFFu, LOOP_ANY); }
HANDLER(op_LOOP_32) { do_loop(c, i, 0xFFFFFFFFu, LOOP_ANY); }
HANDLER(op_LOOPE_16) { do_loop(c, i, 0xFFFFu, LOOP_Z); }
HANDLER(op_LOOPE_32) { do_loop(c, i, 0xFFFFFFFFu, LOOP_Z); }
HANDLER(op_LOOPNE_16) { do_loop(c, i, 0xFFFFu, LOOP_NZ); }
HANDLER(op_LOOPNE_32) { do_loop(c, i, 0xFFFFFFFFu, LOOP_NZ); }

static inline void do_jcxz(struct cpu *c, const struct insn *i, uint32_t ipmask)
{
    uint32_t cmask = (i->flags & I_A32) ? 0xFFFFFFFFu : 0xFFFFu;
    if ((c->reg[R_ECX] & cmask) == 0)
        near_jump(c, (c->eip + i->imm) & ipmask);
}

HANDLER(op_JCXZ_16) { do_jcxz(c, i, 0xFFFFu); }
HANDLER(op_JCXZ_32) { do_jcxz(c, i, 0xFFFFFFFFu); }

/* ---------------- software interrupts ---------------- */

/* INT n.  In virtual-8086 mode the IOPL and CR4.VME rules (#GP(0) with
 * IOPL < 3, redirection through the TSS bitmap) are in cpu/interrupt.c. */
HANDLER(op_INT_Ib)
{
    if (cpu_vm86(c)) {
        v86_int_n(c, (int)(i->imm & 0xFF), c->eip);   /* cpu/interrupt.c */
        return;
    }
    cpu_interrupt(c, (int)(i->imm & 0xFF), c->eip, false, 0, true);
}

/* INT3 and INTO are not IOPL-sensitive in V86 mode. */
HANDLER(op_INT3)
{
    (void)i;
    cpu_interrupt(c, EX_BP, c->eip, false, 0, true);
}

HANDLER(op_INTO)
{
    (void)i;
    if (flag_of(c))
        cpu_interrupt(c, EX_OF, c->eip, false, 0, true);
}

/* INT1 / ICEBP (F1): a trap to vector 1 that is delivered like a
 * hardware #DB, not like INT n (no DPL check, no IOPL check; SDM Vol. 2
 * INT n, "INT1"). */
HANDLER(op_INT1)
{
    (void)i;
    cpu_interrupt(c, EX_DB, c->eip, false, 0, false);
}

/* ---------------- IRET ---------------- */

static void do_iret(struct cpu *c, bool o32)
{
    if (pm_proper(c)) {
        iret_pm(c, o32);   /* cpu/farxfer.c */
        return;
    }
    /* Virtual-8086 mode: IRET is IOPL-sensitive; with CR4.VME a 16-bit
     * IRET works on VIF instead (cpu/farxfer.c). */
    if (cpu_vm86(c) && iopl(c) < 3) {
        iret_v86(c, o32);
        return;
    }

    uint32_t sp = stk_sp(c);
    uint32_t eip = stk_pop(c, &sp, o32);
    uint16_t cs = (uint16_t)stk_pop(c, &sp, o32);
    uint32_t fl = stk_pop(c, &sp, o32);
    check_cs_limit(c, eip);

    /* Real mode (SDM Vol. 2 IRET, REAL-ADDRESS-MODE): the 32-bit form
     * loads (tempEFLAGS AND 257FD5H) OR (EFLAGS AND 1A0000H), i.e.
     * everything this model implements except VM, VIF and VIP; the 16-bit
     * form loads FLAGS[15:0].  Bits the model lacks stay as they are, and
     * cpu_set_eflags applies the bits that read as 1 (8086: 12-15).
     * The 80286 in real mode keeps FLAGS bits 12-15 clear: NT and IOPL
     * cannot be set there (the classic 286 test in Intel's CPU
     * identification code, AP-485; SDM Vol. 3 ch. 22 "EFLAGS"). */
    uint32_t mask = c->model->eflags_writable & ~(uint32_t)(F_VM | F_VIF | F_VIP);
    if (!o32)
        mask &= 0xFFFFu;
    if (cpu_vm86(c))
        mask &= ~(uint32_t)F_IOPL;   /* V86, IOPL = 3: IOPL is not popped */
    else if (c->model->real_iopl_nt_fixed)
        mask &= ~(uint32_t)(F_NT | F_IOPL);  /* 80286 real mode: bits 12-15 stay 0 */

    stk_commit(c, sp);
    cpu_load_seg_real(c, S_CS, cs);
    c->eip = eip;
    cpu_set_eflags(c, fl, mask);
    /* Not modelled: NMI blocking, which IRET would end (no NMI source
     * exists yet).  A TF popped as 1 traps after the next instruction
     * (cpu/debug.c). */
}

HANDLER(op_IRET_16) { (void)i; do_iret(c, false); }
HANDLER(op_IRET_32) { (void)i; do_iret(c, true); }

/* ---------------- BOUND ---------------- */

/* BOUND r, m: #BR (a fault: the pushed address is the BOUND itself) when
 * the signed index is below the lower or above the upper bound. */
HANDLER(op_BOUND_m16)
{
    uint32_t ea = insn_ea(c, i);
    uint32_t lo = sext(cpu_rd16(c, i->seg, ea), 16);
    uint32_t hi = sext(cpu_rd16(c, i->seg, ea_next(c, i, ea, 2)), 16);
    uint32_t idx = sext(get_r16(c, i->reg), 16);
    if (slt(idx, lo) || slt(hi, idx))
        cpu_raise(c, EX_BR);
}

HANDLER(op_BOUND_m32)
{
    uint32_t ea = insn_ea(c, i);
    uint32_t lo = cpu_rd32(c, i->seg, ea);
    uint32_t hi = cpu_rd32(c, i->seg, ea_next(c, i, ea, 4));
    uint32_t idx = get_r32(c, i->reg);
    if (slt(idx, lo) || slt(hi, idx))
        cpu_raise(c, EX_BR);
}

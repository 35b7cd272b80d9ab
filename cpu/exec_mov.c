/* Data movement: MOV (all forms, segment registers), MOVZX/MOVSX, XCHG,
 * LEA, CBW/CWDE, CWD/CDQ, XLAT, LAHF/SAHF, LES/LDS/LSS/LFS/LGS and NOPs
 * (SDM Vol. 2). */
#include "exec_dm.h"

/* ---------------- MOV r/m, r and r, r/m ---------------- */

HANDLER(op_MOV_EbGb_r) { set_r8(c, i->rm, get_r8(c, i->reg)); }
HANDLER(op_MOV_EbGb_m) { cpu_wr8(c, i->seg, insn_ea(c, i), get_r8(c, i->reg)); }
HANDLER(op_MOV_GbEb_r) { set_r8(c, i->reg, get_r8(c, i->rm)); }
HANDLER(op_MOV_GbEb_m) { set_r8(c, i->reg, cpu_rd8(c, i->seg, insn_ea(c, i))); }

DM_INLINE void mov_evgv_r(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->rm, getv(c, i->reg, o32), o32);
}
DM_INLINE void mov_evgv_m(struct cpu *c, const struct insn *i, bool o32)
{
    wrv(c, i->seg, insn_ea(c, i), getv(c, i->reg, o32), o32);
}
DM_RMV(MOV_EvGv, mov_evgv_r, mov_evgv_m)

DM_INLINE void mov_gvev_r(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, getv(c, i->rm, o32), o32);
}
DM_INLINE void mov_gvev_m(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, rdv(c, i->seg, insn_ea(c, i), o32), o32);
}
DM_RMV(MOV_GvEv, mov_gvev_r, mov_gvev_m)

/* ---------------- MOV with moffs (A0-A3): offset in i->disp ---------------- */

HANDLER(op_MOV_ALOb) { set_r8(c, R_EAX, cpu_rd8(c, i->seg, i->disp)); }
HANDLER(op_MOV_ObAL) { cpu_wr8(c, i->seg, i->disp, get_r8(c, R_EAX)); }

DM_INLINE void mov_eaxov(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, R_EAX, rdv(c, i->seg, i->disp, o32), o32);
}
DM_V(MOV_eAXOv, mov_eaxov)

DM_INLINE void mov_oveax(struct cpu *c, const struct insn *i, bool o32)
{
    wrv(c, i->seg, i->disp, getv(c, R_EAX, o32), o32);
}
DM_V(MOV_OveAX, mov_oveax)

/* ---------------- MOV immediate ---------------- */

HANDLER(op_MOV_rbIb) { set_r8(c, i->reg, (uint8_t)i->imm); }

DM_INLINE void mov_rviv(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, i->imm, o32);
}
DM_V(MOV_rvIv, mov_rviv)

HANDLER(op_MOV_EbIb_r) { set_r8(c, i->rm, (uint8_t)i->imm); }
HANDLER(op_MOV_EbIb_m) { cpu_wr8(c, i->seg, insn_ea(c, i), (uint8_t)i->imm); }

DM_INLINE void mov_eviv_r(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->rm, i->imm, o32);
}
DM_INLINE void mov_eviv_m(struct cpu *c, const struct insn *i, bool o32)
{
    wrv(c, i->seg, insn_ea(c, i), i->imm, o32);
}
DM_RMV(MOV_EvIv, mov_eviv_r, mov_eviv_m)

/* ---------------- MOV to and from segment registers ---------------- */

/* The segment register named by ModRM.reg.  The 8086 decodes only two
 * bits (reg 4-7 alias ES/CS/SS/DS); later chips raise #UD for registers
 * they lack: 4-7 before the 386 (no FS/GS), 6-7 after (SDM Vol. 2 "MOV"). */
static unsigned sreg_of(struct cpu *c, unsigned r)
{
    if (c->model->gen >= GEN_80386) {
        if (unlikely(r > 5))
            cpu_raise(c, EX_UD);
        return r;
    }
    if (unlikely(r > 3)) {
        if (c->model->has_ud)
            cpu_raise(c, EX_UD);
        r &= 3;
    }
    return r;
}

/* MOV Ew,Sw.  Register destination with 32-bit operand size: the P6 and
 * later zero-extend the selector into the full register (SDM Vol. 2
 * "MOV": older IA-32 chips leave the upper bits undefined); a memory
 * destination is always written as 16 bits whatever the operand size. */
DM_INLINE void mov_ewsw_r(struct cpu *c, const struct insn *i, bool o32)
{
    uint16_t sel = c->seg[sreg_of(c, i->reg)].sel;
    if (o32)
        c->reg[i->rm] = sel;
    else
        set_r16(c, i->rm, sel);
}
DM_INLINE void mov_ewsw_m(struct cpu *c, const struct insn *i, bool o32)
{
    (void)o32;
    unsigned s = sreg_of(c, i->reg);
    cpu_wr16(c, i->seg, insn_ea(c, i), c->seg[s].sel);
}
DM_RMV(MOV_EwSw, mov_ewsw_r, mov_ewsw_m)

/* The sreg of MOV Sw,Ew, checked before the source is read (#UD is a
 * decode-time fault).  MOV CS is #UD from the 80186 on; the 8086 loads CS
 * (a far jump to CS:next-IP). */
static unsigned mov_sw_target(struct cpu *c, const struct insn *i)
{
    unsigned s = sreg_of(c, i->reg);
    if (unlikely(s == S_CS) && c->model->has_ud)
        cpu_raise(c, EX_UD);
    return s;
}

static void mov_sw_load(struct cpu *c, unsigned s, uint16_t sel)
{
    cpu_load_seg(c, (int)s, sel);
    if (s == S_SS)
        c->attention |= ATT_SHADOW; /* no interrupt before the next insn (SDM Vol. 3 6.8.3) */
    else if (unlikely(s == S_CS))
        c->attention |= ATT_MODE;   /* 8086: code moved; leave the block */
}

HANDLER(op_MOV_SwEw_r)
{
    unsigned s = mov_sw_target(c, i);
    mov_sw_load(c, s, get_r16(c, i->rm));
}
HANDLER(op_MOV_SwEw_m)
{
    unsigned s = mov_sw_target(c, i);
    mov_sw_load(c, s, cpu_rd16(c, i->seg, insn_ea(c, i)));
}

/* ---------------- MOVZX / MOVSX ---------------- */

DM_INLINE void movzx_b_r(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, get_r8(c, i->rm), o32);
}
DM_INLINE void movzx_b_m(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, cpu_rd8(c, i->seg, insn_ea(c, i)), o32);
}
DM_RMV(MOVZX_GvEb, movzx_b_r, movzx_b_m)

DM_INLINE void movzx_w_r(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, get_r16(c, i->rm), o32);
}
DM_INLINE void movzx_w_m(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, cpu_rd16(c, i->seg, insn_ea(c, i)), o32);
}
DM_RMV(MOVZX_GvEw, movzx_w_r, movzx_w_m)

DM_INLINE void movsx_b_r(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, sext(get_r8(c, i->rm), 8), o32);
}
DM_INLINE void movsx_b_m(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, sext(cpu_rd8(c, i->seg, insn_ea(c, i)), 8), o32);
}
DM_RMV(MOVSX_GvEb, movsx_b_r, movsx_b_m)

DM_INLINE void movsx_w_r(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, sext(get_r16(c, i->rm), 16), o32);
}
DM_INLINE void movsx_w_m(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, sext(cpu_rd16(c, i->seg, insn_ea(c, i)), 16), o32);
}
DM_RMV(MOVSX_GvEw, movsx_w_r, movsx_w_m)

/* ---------------- XCHG ---------------- */

HANDLER(op_XCHG_EbGb_r)
{
    uint8_t a = get_r8(c, i->rm), b = get_r8(c, i->reg);
    set_r8(c, i->rm, b);
    set_r8(c, i->reg, a);
}
HANDLER(op_XCHG_EbGb_m)
{
    uint32_t off = insn_ea(c, i);
    uint8_t m = cpu_rd8(c, i->seg, off);
    cpu_wr8(c, i->seg, off, get_r8(c, i->reg));
    set_r8(c, i->reg, m);
}

DM_INLINE void xchg_evgv_r(struct cpu *c, const struct insn *i, bool o32)
{
    uint32_t a = getv(c, i->rm, o32), b = getv(c, i->reg, o32);
    setv(c, i->rm, b, o32);
    setv(c, i->reg, a, o32);
}
DM_INLINE void xchg_evgv_m(struct cpu *c, const struct insn *i, bool o32)
{
    uint32_t off = insn_ea(c, i);
    uint32_t m = rdv(c, i->seg, off, o32);
    wrv(c, i->seg, off, getv(c, i->reg, o32), o32);
    setv(c, i->reg, m, o32);
}
DM_RMV(XCHG_EvGv, xchg_evgv_r, xchg_evgv_m)

DM_INLINE void xchg_reax(struct cpu *c, const struct insn *i, bool o32)
{
    uint32_t a = getv(c, R_EAX, o32), b = getv(c, i->reg, o32);
    setv(c, R_EAX, b, o32);
    setv(c, i->reg, a, o32);
}
DM_V(XCHG_reAX, xchg_reax)

/* ---------------- LEA ---------------- */

/* The offset only (no segment, no access), computed in the address size
 * and then cut to the operand size (SDM Vol. 2 "LEA", table 3-53). */
DM_INLINE void lea(struct cpu *c, const struct insn *i, bool o32)
{
    setv(c, i->reg, insn_ea(c, i), o32);
}
DM_MV(LEA, lea)

/* ---------------- CBW/CWDE, CWD/CDQ ---------------- */

DM_INLINE void cbw(struct cpu *c, const struct insn *i, bool o32)
{
    (void)i;
    if (o32)
        c->reg[R_EAX] = sext(c->reg[R_EAX] & 0xFFFF, 16);
    else
        set_r16(c, R_EAX, (uint16_t)sext(get_r8(c, R_EAX), 8));
}
DM_V(CBW, cbw)

DM_INLINE void cwd(struct cpu *c, const struct insn *i, bool o32)
{
    (void)i;
    if (o32)
        c->reg[R_EDX] = (c->reg[R_EAX] & 0x80000000u) ? 0xFFFFFFFFu : 0;
    else
        set_r16(c, R_EDX, (c->reg[R_EAX] & 0x8000u) ? 0xFFFF : 0);
}
DM_V(CWD, cwd)

/* ---------------- XLAT ---------------- */

/* AL = [seg:(E)BX + AL], the sum wrapped to the address size. */
HANDLER(op_XLAT)
{
    uint32_t off = (c->reg[R_EBX] + get_r8(c, R_EAX)) & amask(i);
    set_r8(c, R_EAX, cpu_rd8(c, i->seg, off));
}

/* ---------------- LAHF / SAHF ---------------- */

/* AH = SF:ZF:0:AF:0:PF:1:CF (SDM Vol. 2 "LAHF"). */
HANDLER(op_LAHF)
{
    (void)i;
    uint32_t f = cpu_get_eflags(c);
    set_r8(c, 4, (uint8_t)((f & (F_SF | F_ZF | F_AF | F_PF | F_CF)) | F_RES1));
}

/* SF ZF AF PF CF from AH; OF and the rest are unchanged. */
HANDLER(op_SAHF)
{
    (void)i;
    const uint32_t m = F_SF | F_ZF | F_AF | F_PF | F_CF;
    uint32_t ah = get_r8(c, 4);
    flags_make_eager(c);
    c->eflags = (c->eflags & ~m) | (ah & m);
    c->lf.cf = ah & 1;
}

/* ---------------- far pointer loads ---------------- */

/* Reads offset then selector (at offset + 2 or 4, wrapping with the
 * address size), loads the segment register (which may fault) and only
 * then writes the general register (SDM Vol. 2 "LDS/LES/LFS/LGS/LSS"). */
DM_INLINE void load_far(struct cpu *c, const struct insn *i, int sreg, bool o32)
{
    uint32_t off = insn_ea(c, i);
    uint32_t v = rdv(c, i->seg, off, o32);
    uint16_t sel = cpu_rd16(c, i->seg, (off + (o32 ? 4u : 2u)) & amask(i));
    cpu_load_seg(c, sreg, sel);
    setv(c, i->reg, v, o32);
}
DM_INLINE void les(struct cpu *c, const struct insn *i, bool o32) { load_far(c, i, S_ES, o32); }
DM_INLINE void lds(struct cpu *c, const struct insn *i, bool o32) { load_far(c, i, S_DS, o32); }
DM_INLINE void lss(struct cpu *c, const struct insn *i, bool o32) { load_far(c, i, S_SS, o32); }
DM_INLINE void lfs(struct cpu *c, const struct insn *i, bool o32) { load_far(c, i, S_FS, o32); }
DM_INLINE void lgs(struct cpu *c, const struct insn *i, bool o32) { load_far(c, i, S_GS, o32); }
DM_MV(LES, les)
DM_MV(LDS, lds)
DM_MV(LSS, lss)
DM_MV(LFS, lfs)
DM_MV(LGS, lgs)

/* ---------------- NOPs ---------------- */

/* F3 90 is PAUSE (a NOP with REP before the Pentium 4, which named it):
 * code that spins waiting for time to pass or for a device says so with
 * it, as Linux's delay loops and cpu_relax() do.  pcvm lets virtual time
 * run on by CPU_SPIN_SKIP instruction times there (never past
 * c->spin_limit: the next device timer or the -max-insns limit), so such a
 * loop costs the host fewer instructions for the same virtual time.  The
 * skip depends only on the instruction stream and the timer deadlines, so
 * runs stay deterministic.  Architecturally PAUSE is a NOP: nothing else
 * changes. */
#define CPU_SPIN_SKIP 100u
static void cpu_spin_hint(struct cpu *c)
{
    /* run_blocks adds one for the instruction itself */
    if (c->spin_limit <= c->icount + 1)
        return;
    uint64_t room = c->spin_limit - c->icount - 1;
    uint64_t skip = room < CPU_SPIN_SKIP ? room : CPU_SPIN_SKIP;
    c->icount += skip;
    c->spin_skipped += skip;
    c->attention |= ATT_MODE; /* end the block: the run's end may have passed */
}

HANDLER(op_NOP)
{
    if (unlikely(i->flags & I_REP))
        cpu_spin_hint(c);
}

/* 0F 1F /0: the memory form computes nothing and touches no memory. */
DM_INLINE void nop_ev(struct cpu *c, const struct insn *i, bool o32)
{
    (void)c;
    (void)i;
    (void)o32;
}
DM_RMV(NOP_Ev, nop_ev, nop_ev)

/* Bit and exchange-type instructions: BT BTS BTR BTC, BSF BSR, BSWAP,
 * XADD, CMPXCHG, CMPXCHG8B, SETcc, CMOVcc (SDM Vol. 2 pages of the same
 * names). */
#include "exec_alu.h"

/* ---- BT / BTS / BTR / BTC ----
 * CF = the selected bit; ZF unaffected; OF SF AF PF undefined: pcvm leaves
 * them unchanged (only CF is written), except that the 80386 sets OF as
 * an RCR of the operand with CF = 0 by (bit offset + 1) would, the count
 * that brings the selected bit into CF (test386.asm TEST_UNDEF, "OF: same
 * as RCR with CF=0", 386SX hardware): OF = MSB ^ MSB-1 of that rotate's
 * result, i.e. bit (n-1) ^ bit (n-2) of the operand, where bit -1 is the
 * CF of 0 and bit -2 the operand's MSB (bits+1-bit rotation).
 * Register offset with a memory operand: the offset is a signed bit index
 * into the bit string starting at the operand, so the accessed word/dword
 * is EA + 2 * (offset SAR 4) or EA + 4 * (offset SAR 5) (SDM "BT",
 * table 3-2), wrapped to the address size.  Immediate offsets and register
 * operands use the offset modulo the operand size. */
enum { BT_T, BT_S, BT_R, BT_C };
enum { BO_REG = 0, BO_IMM = 4 };

ALU_INLINE uint32_t bt_apply(unsigned op, uint32_t v, uint32_t bit)
{
    switch (op) {
    case BT_S: return v | bit;
    case BT_R: return v & ~bit;
    case BT_C: return v ^ bit;
    default: return v;
    }
}

ALU_INLINE void bt_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, unsigned how)
{
    unsigned op = how & 3;
    uint32_t off = 0, a;
    uint32_t idx = (how & BO_IMM) ? i->imm : reg_rd(c, i->reg, bits);
    if (mem) {
        off = insn_ea(c, i);
        if (!(how & BO_IMM)) {
            /* Arithmetic shift of the sign-extended offset, done unsigned. */
            uint32_t s = sext(idx, bits);
            unsigned sh = bits == 16 ? 4 : 5;
            uint32_t units = (s >> sh) | ((s & 0x80000000u) ? ~(0xFFFFFFFFu >> sh) : 0);
            off += units * (bits / 8);
            if (!(i->flags & I_A32))
                off &= 0xFFFF;
        }
        a = mem_rd(c, i->seg, off, bits);
    } else {
        a = reg_rd(c, i->rm, bits);
    }
    uint32_t bit = 1u << (idx & (bits - 1));
    if (op != BT_T)
        rm_wr(c, i, mem, bits, off, bt_apply(op, a, bit));
    c->lf.cf = (a & bit) != 0;
    if (c->model->undef_flags == UF_80386) {
        unsigned n = idx & (bits - 1);
        c->lf.of = (n >= 2 ? (a >> (n - 1)) ^ (a >> (n - 2)) : n == 1 ? a : a >> (bits - 1)) & 1;
    }
}

ALU_STAMP_V(BT_EvGv, bt_E, BT_T | BO_REG)
ALU_STAMP_V(BTS_EvGv, bt_E, BT_S | BO_REG)
ALU_STAMP_V(BTR_EvGv, bt_E, BT_R | BO_REG)
ALU_STAMP_V(BTC_EvGv, bt_E, BT_C | BO_REG)
ALU_STAMP_V(BT_EvIb, bt_E, BT_T | BO_IMM)
ALU_STAMP_V(BTS_EvIb, bt_E, BT_S | BO_IMM)
ALU_STAMP_V(BTR_EvIb, bt_E, BT_R | BO_IMM)
ALU_STAMP_V(BTC_EvIb, bt_E, BT_C | BO_IMM)

/* ---- BSF / BSR ----
 * Source 0: ZF = 1 and the destination is left unchanged (what Intel and
 * AMD parts do; the SDM calls it undefined).  Otherwise ZF = 0 and the
 * destination gets the bit index.  CF OF SF AF PF are undefined: pcvm
 * derives SF/PF from the source, clears AF and keeps CF/OF. */
ALU_INLINE void bsx_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, bool rev)
{
    uint32_t off, s = rm_rd(c, i, mem, bits, &off);
    if (s != 0)
        reg_wr(c, i->reg, bits, rev ? bit_highest(s) : bit_lowest(s));
    flags_szp(c, s, bits);
}

ALU_STAMP_V(BSF, bsx_E, false)
ALU_STAMP_V(BSR, bsx_E, true)

/* ---- BSWAP r32 (0F C8+r).  With a 16-bit operand size the result is
 * undefined; Intel parts clear the low 16 bits (the upper half of the
 * register is kept). ---- */
HANDLER(op_BSWAP)
{
    uint32_t v = c->reg[i->reg];
    if (i->flags & I_O32)
        v = (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);
    else
        v &= 0xFFFF0000u;
    c->reg[i->reg] = v;
}

/* ---- XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP; flags of the ADD ---- */
ALU_INLINE void xadd_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, int unused)
{
    (void)unused;
    uint32_t off, d = rm_rd(c, i, mem, bits, &off);
    uint32_t s = reg_rd(c, i->reg, bits);
    uint32_t t = d + s;
    if (mem) {
        mem_wr(c, i->seg, off, bits, t);
        reg_wr(c, i->reg, bits, d);
    } else {
        reg_wr(c, i->reg, bits, d);
        reg_wr(c, i->rm, bits, t);  /* DEST last: XADD r,r with r == r gives the sum */
    }
    flags_add(c, d, s, t, bits, 0);
}

ALU_STAMP_B(XADD_EbGb, xadd_E, 0)
ALU_STAMP_V(XADD_EvGv, xadd_E, 0)

/* ---- CMPXCHG: compare the accumulator with DEST (flags as CMP acc, DEST);
 * equal: DEST = SRC; else acc = DEST.  The memory destination is always
 * written, with its old value when the comparison fails (SDM "CMPXCHG"). ---- */
ALU_INLINE void cmpxchg_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, int unused)
{
    (void)unused;
    uint32_t off, d = rm_rd(c, i, mem, bits, &off);
    uint32_t acc = reg_rd(c, R_EAX, bits);
    uint32_t s = reg_rd(c, i->reg, bits);
    bool eq = ((acc ^ d) & sz_mask(bits)) == 0;
    if (mem)
        mem_wr(c, i->seg, off, bits, eq ? s : d);
    else if (eq)
        reg_wr(c, i->rm, bits, s);
    if (!eq)
        reg_wr(c, R_EAX, bits, d);
    flags_sub(c, acc, d, acc - d, bits, 0);
}

ALU_STAMP_B(CMPXCHG_EbGb, cmpxchg_E, 0)
ALU_STAMP_V(CMPXCHG_EvGv, cmpxchg_E, 0)

/* ---- CMPXCHG8B m64: EDX:EAX vs m64; equal: m64 = ECX:EBX, else
 * EDX:EAX = m64 (and m64 is written back).  Only ZF changes. ---- */
HANDLER(op_CMPXCHG8B_m)
{
    uint32_t off = insn_ea(c, i);
    uint32_t off_hi = (i->flags & I_A32) ? off + 4 : (off + 4) & 0xFFFF;
    uint32_t lo = cpu_rd32(c, i->seg, off), hi = cpu_rd32(c, i->seg, off_hi);
    bool eq = lo == c->reg[R_EAX] && hi == c->reg[R_EDX];
    /* The high dword is written first: a write fault there (the only one
     * that can differ from the reads' checks, at a page boundary) leaves
     * memory untouched. */
    cpu_wr32(c, i->seg, off_hi, eq ? c->reg[R_ECX] : hi);
    cpu_wr32(c, i->seg, off, eq ? c->reg[R_EBX] : lo);
    if (!eq) {
        c->reg[R_EAX] = lo;
        c->reg[R_EDX] = hi;
    }
    flags_put(c, F_ZF, eq);
}

/* ---- SETcc Eb (0F 90+cc) ---- */
ALU_INLINE void setcc_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, unsigned cc)
{
    uint32_t v = cond(c, cc);
    if (mem)
        mem_wr(c, i->seg, insn_ea(c, i), bits, v);
    else
        reg_wr(c, i->rm, bits, v);
}

/* ---- CMOVcc Gv,Ev (0F 40+cc).  The source is read (and can fault) even
 * when the condition is false, as the SDM says. ---- */
ALU_INLINE void cmov_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits, unsigned cc)
{
    uint32_t off, s = rm_rd(c, i, mem, bits, &off);
    if (cond(c, cc))
        reg_wr(c, i->reg, bits, s);
}

#define CC_FORMS(CC, N) \
    ALU_STAMP_B(SET##CC, setcc_E, N) \
    ALU_STAMP_V(CMOV##CC, cmov_E, N)

CC_FORMS(O, 0) CC_FORMS(NO, 1) CC_FORMS(B, 2) CC_FORMS(AE, 3)
CC_FORMS(E, 4) CC_FORMS(NE, 5) CC_FORMS(BE, 6) CC_FORMS(A, 7)
CC_FORMS(S, 8) CC_FORMS(NS, 9) CC_FORMS(P, 10) CC_FORMS(NP, 11)
CC_FORMS(L, 12) CC_FORMS(GE, 13) CC_FORMS(LE, 14) CC_FORMS(G, 15)

/* Shifts and rotates: ROL ROR RCL RCR SHL/SAL SHR SAR by 1, CL and imm8,
 * the 8086/80186 SETMO/SETMOC (shift group reg 6), SHLD and SHRD
 * (SDM Vol. 2 "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "SHLD", "SHRD").
 *
 * Count: masked to 5 bits from the 80186 on (model->shift_mask); the
 * 8086 does not mask and shifts CL times (CL = 255 shifts 255 times), which
 * the closed forms below reproduce by clamping.  A count of 0 changes
 * neither the operand nor any flag.
 *
 * Flags the SDM leaves undefined, as pcvm defines them:
 *   - OF for counts > 1: the count-1 formula applied to the final result,
 *     which is also what a loop of 1-bit steps (8086 microcode) leaves:
 *       ROL  OF = MSB(res) ^ CF        ROR  OF = MSB(res) ^ MSB-1(res)
 *       RCL  OF = MSB(res) ^ CF        RCR  OF = MSB(res) ^ MSB-1(res)
 *       SHL  OF = MSB(res) ^ CF        SHR  OF = MSB(res) ^ MSB-1(res)
 *       SAR  OF = 0
 *     (for SHR with count 1 this is MSB(original), as the SDM says).
 *   - AF after SHL: bit 4 of the result (what the ADD x,x of the last
 *     1-bit step gives; 8086 and 80286 agree); after SHR/SAR: 0 (8086),
 *     1 (80286); after SHLD/SHRD: 0.  80386: 1 after SHL/SHR/SAR.
 *   - CF of SHL/SHR for count >= operand size: the last bit shifted out of
 *     a wide shifter (0 past the operand's width).  80386 byte shifts by
 *     16 or 24 act as a shift by 8 (CF = LSB for SHL, MSB for SHR of the
 *     operand; OF = CF for SHL).  These 80386 rules are test386.asm's
 *     (TEST_UNDEF, "results validated against 386SX hardware").
 *   - SHLD/SHRD r16 with count > 16: as Intel parts do, the shift runs
 *     through dest:src:dest (48 bits), so bits of src come in first and
 *     then bits of dest again.
 */
#include "exec_alu.h"

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAR };
enum { CNT_1, CNT_CL, CNT_IB };
#define SH(op, cnt) ((op) | (cnt) << 3)

struct shres {
    uint32_t r, cf, of;
};

ALU_INLINE unsigned shift_count(const struct cpu *c, const struct insn *i, unsigned src)
{
    if (src == CNT_1)
        return 1;
    unsigned n = src == CNT_CL ? get_r8(c, R8_CL) : (i->imm & 0xFF);
    return c->model->shift_mask ? (n & 31) : n;
}

/* n >= 1; on the 8086 n may be up to 255. */
ALU_INLINE struct shres shift_calc(unsigned op, uint32_t a, unsigned n, uint32_t cf_in,
                                   unsigned bits)
{
    const uint32_t m = sz_mask(bits);
    struct shres s;
    switch (op) {
    case SH_ROL: {
        unsigned k = n & (bits - 1);
        s.r = k ? ((a << k) | (a >> (bits - k))) & m : a;
        s.cf = s.r & 1;
        s.of = sz_msb(s.r, bits) ^ s.cf;
        break;
    }
    case SH_ROR: {
        unsigned k = n & (bits - 1);
        s.r = k ? ((a >> k) | (a << (bits - k))) & m : a;
        s.cf = sz_msb(s.r, bits);
        s.of = s.cf ^ sz_msb(s.r, bits - 1);
        break;
    }
    case SH_RCL:
    case SH_RCR: {
        /* Rotation through bits+1 bits (CF above the operand). */
        unsigned k = n % (bits + 1);
        uint64_t w = (uint64_t)cf_in << bits | a;
        uint64_t wm = ((uint64_t)1 << (bits + 1)) - 1;
        if (k)
            w = op == SH_RCL ? ((w << k) | (w >> (bits + 1 - k))) & wm
                             : ((w >> k) | (w << (bits + 1 - k))) & wm;
        s.r = (uint32_t)w & m;
        s.cf = (uint32_t)(w >> bits) & 1;
        s.of = op == SH_RCL ? sz_msb(s.r, bits) ^ s.cf
                            : sz_msb(s.r, bits) ^ sz_msb(s.r, bits - 1);
        break;
    }
    case SH_SHL: {
        unsigned k = n > bits ? bits + 1 : n;
        uint64_t w = (uint64_t)a << k;
        s.r = (uint32_t)w & m;
        s.cf = (uint32_t)(w >> bits) & 1;
        s.of = sz_msb(s.r, bits) ^ s.cf;
        break;
    }
    case SH_SHR: {
        unsigned k = n > bits ? bits + 1 : n;
        uint64_t w = (uint64_t)a << 1;  /* bit 0 of w: the last bit out */
        w >>= k;
        s.r = (uint32_t)(w >> 1);
        s.cf = (uint32_t)w & 1;
        s.of = sz_msb(s.r, bits) ^ sz_msb(s.r, bits - 1);
        break;
    }
    default: { /* SAR */
        unsigned k = n >= bits ? bits : n;
        uint64_t w = (uint64_t)sext(a, bits) << 1;
        if (sz_msb(a, bits))
            w |= (uint64_t)0xFFFFFFFFu << 33;  /* sign above bit 32 */
        w >>= k;
        s.r = (uint32_t)(w >> 1) & m;
        s.cf = (uint32_t)w & 1;
        s.of = 0;
        break;
    }
    }
    return s;
}

ALU_INLINE void shift_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits,
                        unsigned how)
{
    unsigned op = how & 7;
    unsigned n = shift_count(c, i, how >> 3);
    uint32_t off, a = rm_rd(c, i, mem, bits, &off);
    if (n == 0)
        return;
    const unsigned uf = c->model->undef_flags;
    /* 80386, byte shifts by 16 or 24: CF and OF as for a count of 8
     * (the operand's LSB/MSB), where other counts past 8 leave them 0
     * (test386.asm TEST_UNDEF, checked on 386SX hardware). */
    if (op >= SH_SHL && bits == 8 && n > 8 && (n & 7) == 0 && uf == UF_80386)
        n = 8;
    struct shres s = shift_calc(op, a, n, flag_cf(c), bits);
    rm_wr(c, i, mem, bits, off, s.r);
    if (op <= SH_RCR) {
        /* Rotates change only CF and OF. */
        c->lf.cf = s.cf;
        c->lf.of = s.of;
    } else {
        /* AF (undefined): SHL as the ADD x,x of its last step, bit 4 of
         * the result; SHR/SAR clear it, except the 80286 sets it.  The
         * 80386 sets it after every SHL/SHR with a non-zero count
         * (test386.asm); pcvm gives SAR the same, by analogy only. */
        uint32_t af = op == SH_SHL ? ((s.r >> 4) & 1) | (uf == UF_80386)
                                   : uf >= UF_80286; /* 80286, 80386 */
        flags_all(c, s.r, bits, s.cf, s.of, af);
    }
}

#define SHIFT_OP(NAME, OP) \
    ALU_STAMP_B(NAME##_Eb1, shift_E, SH(OP, CNT_1)) \
    ALU_STAMP_V(NAME##_Ev1, shift_E, SH(OP, CNT_1)) \
    ALU_STAMP_B(NAME##_EbCL, shift_E, SH(OP, CNT_CL)) \
    ALU_STAMP_V(NAME##_EvCL, shift_E, SH(OP, CNT_CL)) \
    ALU_STAMP_B(NAME##_EbIb, shift_E, SH(OP, CNT_IB)) \
    ALU_STAMP_V(NAME##_EvIb, shift_E, SH(OP, CNT_IB))

SHIFT_OP(ROL, SH_ROL)
SHIFT_OP(ROR, SH_ROR)
SHIFT_OP(RCL, SH_RCL)
SHIFT_OP(RCR, SH_RCR)
SHIFT_OP(SHL, SH_SHL)
SHIFT_OP(SHR, SH_SHR)
SHIFT_OP(SAR, SH_SAR)

/* ---- SETMO / SETMOC (8086, 80186: D0-D3 /6) ----
 * Undocumented: the operand becomes all ones when the count is non-zero,
 * flags as after OR with all ones (SF=1 ZF=0 PF=1, CF=OF=AF=0). */
ALU_INLINE void setmo_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits,
                        unsigned src)
{
    unsigned n = shift_count(c, i, src);
    uint32_t off;
    (void)rm_rd(c, i, mem, bits, &off);
    if (n == 0)
        return;
    uint32_t r = sz_mask(bits);
    rm_wr(c, i, mem, bits, off, r);
    flags_logic(c, r, bits);
}

ALU_STAMP_B(SETMO_Eb1, setmo_E, CNT_1)
ALU_STAMP_V(SETMO_Ev1, setmo_E, CNT_1)
ALU_STAMP_B(SETMO_EbCL, setmo_E, CNT_CL)
ALU_STAMP_V(SETMO_EvCL, setmo_E, CNT_CL)

/* ---- SHLD / SHRD (386+): count always masked to 5 bits ---- */
enum { DS_LEFT = 1, DS_CL = 2 };

ALU_INLINE void shxd_E(struct cpu *c, const struct insn *i, bool mem, unsigned bits,
                       unsigned how)
{
    unsigned n = ((how & DS_CL) ? get_r8(c, R8_CL) : i->imm) & 31;
    uint32_t off, a = rm_rd(c, i, mem, bits, &off);
    uint32_t b = reg_rd(c, i->reg, bits);
    if (n == 0)
        return;
    uint32_t r, cf;
    if (bits == 32) {
        if (how & DS_LEFT) {
            r = (a << n) | (b >> (32 - n));
            cf = (a >> (32 - n)) & 1;
        } else {
            r = (a >> n) | (b << (32 - n));
            cf = (a >> (n - 1)) & 1;
        }
    } else if (how & DS_LEFT) {
        /* dest:src:dest shifted left; the result is the top 16 bits. */
        uint64_t w = (uint64_t)a << 32 | (uint64_t)b << 16 | a;
        w <<= n;
        r = (uint32_t)(w >> 32) & 0xFFFF;
        cf = (uint32_t)(w >> 48) & 1;
    } else {
        /* dest:src:dest (dest in the low bits) shifted right. */
        uint64_t w = (uint64_t)a << 32 | (uint64_t)b << 16 | a;
        r = (uint32_t)(w >> n) & 0xFFFF;
        cf = (uint32_t)(w >> (n - 1)) & 1;
    }
    rm_wr(c, i, mem, bits, off, r);
    /* OF: sign change (defined for count 1, same formula for more). */
    flags_all(c, r, bits, cf, sz_msb(r ^ a, bits), 0);
}

ALU_STAMP_V(SHLD_EvGvIb, shxd_E, DS_LEFT)
ALU_STAMP_V(SHLD_EvGvCL, shxd_E, DS_LEFT | DS_CL)
ALU_STAMP_V(SHRD_EvGvIb, shxd_E, 0)
ALU_STAMP_V(SHRD_EvGvCL, shxd_E, DS_CL)

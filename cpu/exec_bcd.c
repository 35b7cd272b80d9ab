/* Decimal adjust: DAA DAS AAA AAS AAM AAD, and SALC
 * (SDM Vol. 2 pages of the same names; SALC is undocumented: AL = CF ? FF : 00).
 *
 * The defined results follow the SDM pseudo-code.  For the flags the SDM
 * leaves undefined, pcvm gives what the adjustment as one ALU operation
 * on AL produces; the model differences (model->undef_flags) were read
 * from the SingleStepTests 8086 and 80286 captures.  The 80386 (UF_80386)
 * takes the same path as later parts: that gives exactly the AAA/AAS
 * pseudo-code and the AAD/AAM/DAA/DAS flags test386.asm documents and
 * checks for the 386 (TEST_UNDEF, 386SX hardware). */
#include "exec_alu.h"

/* DAA (SDM "DAA").  OF (undefined): overflow of the ADD AL, adjustment. */
HANDLER(op_DAA)
{
    (void)i;
    uint32_t old_al = get_r8(c, R8_AL), al = old_al;
    uint32_t old_cf = flag_cf(c), af = flag_af(c), cf;
    if ((al & 0x0F) > 9 || af) {
        al += 6;
        cf = old_cf | (al >> 8);
        af = 1;
    } else {
        af = 0;
    }
    if (old_al > 0x99 || old_cf) {
        al += 0x60;
        cf = 1;
    } else {
        cf = 0;
    }
    al &= 0xFF;
    set_r8(c, R8_AL, (uint8_t)al);
    uint32_t adj = (al - old_al) & 0xFF;
    flags_all(c, al, 8, cf, ((old_al ^ al) & (adj ^ al)) >> 7, af);
}

/* DAS (SDM "DAS").  OF (undefined): overflow of the SUB AL, adjustment.
 * The 8086 does not set CF from the borrow of AL - 6 (AL < 6 with AF = 1
 * and CF = 0 gives CF = 0); the 80286 and later do, as the SDM says. */
HANDLER(op_DAS)
{
    (void)i;
    uint32_t old_al = get_r8(c, R8_AL), al = old_al;
    uint32_t old_cf = flag_cf(c), af = flag_af(c), cf = 0;
    if ((al & 0x0F) > 9 || af) {
        cf = old_cf;
        if (al < 6 && c->model->undef_flags != UF_8086)
            cf = 1;
        al -= 6;
        af = 1;
    } else {
        af = 0;
    }
    if (old_al > 0x99 || old_cf) {
        al -= 0x60;
        cf = 1;
    }
    al &= 0xFF;
    set_r8(c, R8_AL, (uint8_t)al);
    uint32_t adj = (old_al - al) & 0xFF;
    flags_all(c, al, 8, cf, ((old_al ^ adj) & (old_al ^ al)) >> 7, af);
}

/* AAA / AAS (SDM "AAA", "AAS"): when (AL & 0Fh) > 9 or AF, AL +/- 6 and
 * AH +/- 1, CF = AF = 1, then AL &= 0Fh.  The 80286 and later add/subtract
 * 6 to AX (the carry/borrow of AL reaches AH); the 8086 adjusts AL and AH
 * separately.  OF SF ZF PF (undefined): those of the 8-bit AL +/- 6 (or
 * +/- 0), before the final AND. */
ALU_INLINE void ascii_adjust(struct cpu *c, bool sub)
{
    uint32_t ax = get_r16(c, R_EAX), al = ax & 0xFF;
    uint32_t adj = (al & 0x0F) > 9 || flag_af(c);
    uint32_t d = adj ? 6 : 0, r;
    if (sub) {
        r = (al - d) & 0xFF;
        ax = c->model->undef_flags == UF_8086 ? (ax & 0xFF00) | r : ax - d;
        ax -= adj << 8;
    } else {
        r = (al + d) & 0xFF;
        ax = c->model->undef_flags == UF_8086 ? (ax & 0xFF00) | r : ax + d;
        ax += adj << 8;
    }
    set_r16(c, R_EAX, (uint16_t)(ax & 0xFF0F));
    uint32_t of = sub ? ((al ^ d) & (al ^ r)) >> 7 : ((al ^ r) & (d ^ r)) >> 7;
    flags_all(c, r, 8, adj, of, adj);
}

HANDLER(op_AAA) { (void)i; ascii_adjust(c, false); }
HANDLER(op_AAS) { (void)i; ascii_adjust(c, true); }

/* AAM imm8: AH = AL / imm, AL = AL % imm; imm 0 raises #DE.  SF/ZF/PF
 * from AL; OF, AF, CF (undefined) are cleared (8086 and 80286 agree). */
HANDLER(op_AAM)
{
    uint32_t base = i->imm & 0xFF;
    if (base == 0)
        cpu_raise(c, EX_DE);
    uint32_t al = get_r8(c, R8_AL);
    uint32_t q = al / base, r = al % base;
    set_r16(c, R_EAX, (uint16_t)(q << 8 | r));
    flags_all(c, r, 8, 0, 0, 0);
}

/* AAD imm8: AL = (AL + AH * imm) & FFh, AH = 0.  SF/ZF/PF from AL; OF,
 * AF, CF (undefined): those of the 8-bit ADD AL, (AH * imm) the
 * instruction performs, except that the 80286 copies CF into OF. */
HANDLER(op_AAD)
{
    uint32_t base = i->imm & 0xFF;
    uint32_t al = get_r8(c, R8_AL), ah = get_r8(c, R8_AH);
    uint32_t t = (ah * base) & 0xFF;
    uint32_t r = (al + t) & 0xFF;
    set_r16(c, R_EAX, (uint16_t)r);
    flags_add(c, al, t, r, 8, 0);
    if (c->model->undef_flags == UF_80286)
        c->lf.of = c->lf.cf;
}

/* SALC (D6, undocumented): AL = CF ? FFh : 00h, flags unchanged. */
HANDLER(op_SALC)
{
    (void)i;
    set_r8(c, R8_AL, flag_cf(c) ? 0xFF : 0x00);
}

/* Descriptor tables and protected-mode segment loads (SDM Vol. 3 3.4-3.5,
 * 5.5-5.7; Vol. 2 MOV, POP, LDS/LES/LFS/LGS/LSS, LLDT, LTR, LAR, LSL,
 * VERR/VERW). */
#include "descriptor.h"

#include "../mmu/mem.h"

bool desc_addr(struct cpu *c, uint16_t sel, uint32_t *lin)
{
    uint32_t idx = sel & 0xFFF8u;
    if (sel & 4) {
        /* An LDT selector needs a usable LDT (LDTR not null). */
        if (!(c->ldtr.ar & 0x80) || sel_null(c->ldtr.sel))
            return false;
        if (idx + 7 > c->ldtr.limit)
            return false;
        *lin = c->ldtr.base + idx;
    } else {
        if (idx + 7 > c->gdtr.limit)
            return false;
        *lin = c->gdtr.base + idx;
    }
    return true;
}

bool desc_read(struct cpu *c, uint16_t sel, struct desc *d)
{
    uint32_t a;
    if (!desc_addr(c, sel, &a))
        return false;
    d->lo = lin_rd32(c, a);
    d->hi = lin_rd32(c, a + 4);
    return true;
}

void desc_read_or(struct cpu *c, uint16_t sel, struct desc *d, int vec, unsigned ext)
{
    if (!desc_read(c, sel, d))
        cpu_raise_err(c, vec, (sel & 0xFFFCu) | ext);
}

void desc_set_accessed(struct cpu *c, uint16_t sel, struct desc *d)
{
    if (!desc_is_seg(d) || (d->hi & 0x100u))
        return;
    d->hi |= 0x100u;
    uint32_t a;
    if (desc_addr(c, sel, &a))
        lin_wr8(c, a + 5, (uint8_t)(d->hi >> 8));
}

void desc_write_hi(struct cpu *c, uint16_t sel, uint32_t hi)
{
    uint32_t a;
    if (desc_addr(c, sel, &a))
        lin_wr32(c, a + 4, hi);
}

void seg_from_desc(struct cpu *c, struct seg *s, uint16_t sel, const struct desc *d)
{
    s->sel = sel;
    s->base = desc_base(d);
    s->limit = desc_limit(d);
    s->ar = desc_ar(d);
    cpu_seg_update_fast(c, s);
}

void seg_load_null(struct cpu *c, int sreg, uint16_t sel)
{
    struct seg *s = &c->seg[sreg];
    s->sel = sel;
    s->base = 0;
    s->limit = 0;
    s->ar = 0;      /* P = 0: any access through it is #GP(0) */
    cpu_seg_update_fast(c, s);
}

void seg_refresh_all(struct cpu *c)
{
    for (int s = 0; s < S_NSEG; s++)
        cpu_seg_update_fast(c, &c->seg[s]);
}

/* SDM Vol. 2 MOV/POP/LxS, "IF SS is loaded" and "IF DS, ES, FS, or GS is
 * loaded with non-null selector" in protected mode. */
void pm_load_seg(struct cpu *c, int sreg, uint16_t sel)
{
    struct desc d;
    uint32_t err = sel & 0xFFFCu;
    unsigned cpl = c->cpl, rpl = sel & 3;
    if (sreg == S_SS) {
        if (sel_null(sel))
            cpu_raise_err(c, EX_GP, 0);
        if (!desc_read(c, sel, &d))
            cpu_raise_err(c, EX_GP, err);
        if (rpl != cpl || !desc_writable(&d) || desc_dpl(&d) != cpl)
            cpu_raise_err(c, EX_GP, err);
        if (!desc_present(&d))
            cpu_raise_err(c, EX_SS, err);
    } else {
        if (sreg == S_CS)
            cpu_raise_err(c, EX_GP, err);  /* CS is loaded by far transfers only */
        if (sel_null(sel)) {
            seg_load_null(c, sreg, sel);
            return;
        }
        if (!desc_read(c, sel, &d))
            cpu_raise_err(c, EX_GP, err);
        if (!desc_readable(&d) || !desc_is_seg(&d))
            cpu_raise_err(c, EX_GP, err);
        /* Data and non-conforming code: DPL >= max(CPL, RPL). */
        if (!desc_conforming(&d) && (rpl > desc_dpl(&d) || cpl > desc_dpl(&d)))
            cpu_raise_err(c, EX_GP, err);
        if (!desc_present(&d))
            cpu_raise_err(c, EX_NP, err);
    }
    desc_set_accessed(c, sel, &d);
    seg_from_desc(c, &c->seg[sreg], sel, &d);
}

bool seg_range_ok(const struct seg *s, uint32_t off, unsigned n)
{
    uint64_t last = (uint64_t)off + n - 1;
    bool data = (s->ar & 0x18) == 0x10;
    if (data && (s->ar & 0x04)) {
        uint64_t upper = (s->ar & 0x4000) ? 0xFFFFFFFFu : 0xFFFFu;
        return off > s->limit && last <= upper;
    }
    return last <= s->limit;
}

/* ---------------- side stacks ---------------- */

void xstack_init(struct xstack *x, const struct seg *s, uint32_t esp, uint32_t err)
{
    x->s = *s;
    x->mask = (s->ar & 0x4000) ? 0xFFFFFFFFu : 0xFFFFu;
    x->sp = esp & x->mask;
    x->err = err;
    x->sys = false;
}

void xpush(struct cpu *c, struct xstack *x, uint32_t v, unsigned n)
{
    uint32_t sp = (x->sp - n) & x->mask;
    if (!seg_range_ok(&x->s, sp, n))
        cpu_raise_err(c, EX_SS, x->err);
    uint32_t lin = x->s.base + sp;
    if (x->sys)
        n == 2 ? lin_wr16(c, lin, (uint16_t)v) : lin_wr32(c, lin, v);
    else
        n == 2 ? dlin_wr16(c, lin, (uint16_t)v) : dlin_wr32(c, lin, v);
    x->sp = sp;
}

uint32_t xpeek(struct cpu *c, struct xstack *x, uint32_t k, unsigned n)
{
    uint32_t sp = (x->sp + k) & x->mask;
    if (!seg_range_ok(&x->s, sp, n))
        cpu_raise_err(c, EX_SS, x->err);
    uint32_t lin = x->s.base + sp;
    if (x->sys)
        return n == 2 ? lin_rd16(c, lin) : lin_rd32(c, lin);
    return n == 2 ? dlin_rd16(c, lin) : dlin_rd32(c, lin);
}

uint32_t xpop(struct cpu *c, struct xstack *x, unsigned n)
{
    uint32_t v = xpeek(c, x, 0, n);
    x->sp = (x->sp + n) & x->mask;
    return v;
}

/* ---------------- CS ---------------- */

void cpu_set_cs(struct cpu *c, uint16_t sel, const struct desc *d, unsigned cpl)
{
    bool changed = c->cpl != cpl;
    seg_from_desc(c, &c->seg[S_CS], (uint16_t)((sel & 0xFFFCu) | cpl), d);
    c->cpl = (uint8_t)cpl;
    if (changed && (c->cr[0] & CR0_AM))
        seg_refresh_all(c);   /* #AC applies at CPL 3 only */
    c->attention |= ATT_MODE;  /* CS.D may have changed: look the block up again */
}

/* ---------------- TSS ---------------- */

static bool tss_is32(const struct cpu *c)
{
    return (c->tr.ar & 0x8) != 0;   /* type 9/11: 32-bit TSS */
}

void tss_ring_stack(struct cpu *c, unsigned dpl, unsigned ext, uint16_t *ss, uint32_t *esp)
{
    uint32_t err = (c->tr.sel & 0xFFFCu) | ext;
    if (tss_is32(c)) {
        uint32_t off = 4 + 8 * dpl;
        if (off + 7 > c->tr.limit)
            cpu_raise_err(c, EX_TS, err);
        *esp = lin_rd32(c, c->tr.base + off);
        *ss = lin_rd16(c, c->tr.base + off + 4);
    } else {
        uint32_t off = 2 + 4 * dpl;
        if (off + 3 > c->tr.limit)
            cpu_raise_err(c, EX_TS, err);
        *esp = lin_rd16(c, c->tr.base + off);
        *ss = lin_rd16(c, c->tr.base + off + 2);
    }
}

void check_inner_ss(struct cpu *c, uint16_t ss, unsigned dpl, unsigned ext, struct desc *d)
{
    uint32_t err = (ss & 0xFFFCu) | ext;
    if (sel_null(ss))
        cpu_raise_err(c, EX_TS, ext);
    if (!desc_read(c, ss, d))
        cpu_raise_err(c, EX_TS, err);
    if ((ss & 3) != dpl || desc_dpl(d) != dpl || !desc_writable(d))
        cpu_raise_err(c, EX_TS, err);
    if (!desc_present(d))
        cpu_raise_err(c, EX_SS, err);
}

bool tss_io_permits(struct cpu *c, uint16_t port, unsigned size)
{
    /* Only a 32-bit TSS has a bitmap; its base is the word at 0x66.  Every
     * bit for port..port+size-1 must be 0, and the bytes read must lie
     * inside the TSS limit (SDM Vol. 1 19.5.2). */
    if (!tss_is32(c) || !(c->tr.ar & 0x80) || c->tr.limit < 0x67)
        return false;
    uint32_t base = lin_rd16(c, c->tr.base + 0x66);
    uint32_t byte = base + (port >> 3);
    if (byte + 1 > c->tr.limit)
        return false;
    uint32_t bits = lin_rd16(c, c->tr.base + byte);
    uint32_t want = ((1u << size) - 1) << (port & 7);
    return (bits & want) == 0;
}

/* ---------------- LLDT, LTR, VERR/VERW, LAR, LSL ---------------- */

void pm_lldt(struct cpu *c, uint16_t sel)
{
    struct desc d;
    uint32_t err = sel & 0xFFFCu;
    if (sel_null(sel)) {
        c->ldtr.sel = sel;
        c->ldtr.base = 0;
        c->ldtr.limit = 0;
        c->ldtr.ar = 0;
        return;
    }
    if (sel & 4)
        cpu_raise_err(c, EX_GP, err);
    if (!desc_read(c, sel, &d))
        cpu_raise_err(c, EX_GP, err);
    if (desc_is_seg(&d) || desc_type(&d) != DT_LDT)
        cpu_raise_err(c, EX_GP, err);
    if (!desc_present(&d))
        cpu_raise_err(c, EX_NP, err);
    c->ldtr.sel = sel;
    c->ldtr.base = desc_base(&d);
    c->ldtr.limit = desc_limit(&d);
    c->ldtr.ar = desc_ar(&d);
}

void pm_ltr(struct cpu *c, uint16_t sel)
{
    struct desc d;
    uint32_t err = sel & 0xFFFCu;
    if (sel_null(sel))
        cpu_raise_err(c, EX_GP, 0);
    if (sel & 4)
        cpu_raise_err(c, EX_GP, err);
    if (!desc_read(c, sel, &d))
        cpu_raise_err(c, EX_GP, err);
    if (desc_is_seg(&d) || (desc_type(&d) != DT_TSS16 && desc_type(&d) != DT_TSS32))
        cpu_raise_err(c, EX_GP, err);
    if (!desc_present(&d))
        cpu_raise_err(c, EX_NP, err);
    d.hi |= 0x200u;  /* busy */
    desc_write_hi(c, sel, d.hi);
    c->tr.sel = sel;
    c->tr.base = desc_base(&d);
    c->tr.limit = desc_limit(&d);
    c->tr.ar = desc_ar(&d);
}

/* VERR/VERW (SDM Vol. 2): ZF = 1 when the segment is readable/writable
 * at the current CPL and the selector's RPL. */
bool pm_verr(struct cpu *c, uint16_t sel, bool write)
{
    struct desc d;
    if (sel_null(sel) || !desc_read(c, sel, &d) || !desc_is_seg(&d))
        return false;
    unsigned dpl = desc_dpl(&d), rpl = sel & 3;
    if (write)
        return desc_writable(&d) && dpl >= c->cpl && dpl >= rpl;
    if (!desc_readable(&d))
        return false;
    if (desc_conforming(&d))
        return true;
    return dpl >= c->cpl && dpl >= rpl;
}

static bool visible(const struct cpu *c, uint16_t sel, const struct desc *d)
{
    if (desc_conforming(d))
        return true;
    unsigned dpl = desc_dpl(d);
    return dpl >= c->cpl && dpl >= (sel & 3u);
}

bool pm_lar(struct cpu *c, uint16_t sel, uint32_t *ar)
{
    struct desc d;
    if (sel_null(sel) || !desc_read(c, sel, &d))
        return false;
    if (!desc_is_seg(&d)) {
        /* Valid system types for LAR (SDM Vol. 2 LAR table). */
        switch (desc_type(&d)) {
        case DT_TSS16: case DT_LDT: case DT_TSS16_BUSY: case DT_CALL16:
        case DT_TASK: case DT_TSS32: case DT_TSS32_BUSY: case DT_CALL32:
            break;
        default:
            return false;
        }
    }
    if (!visible(c, sel, &d))
        return false;
    *ar = d.hi & 0x00FFFF00u;
    return true;
}

bool pm_lsl(struct cpu *c, uint16_t sel, uint32_t *limit)
{
    struct desc d;
    if (sel_null(sel) || !desc_read(c, sel, &d))
        return false;
    if (!desc_is_seg(&d)) {
        switch (desc_type(&d)) {
        case DT_TSS16: case DT_LDT: case DT_TSS16_BUSY: case DT_TSS32: case DT_TSS32_BUSY:
            break;
        default:
            return false;
        }
    }
    if (!visible(c, sel, &d))
        return false;
    *limit = desc_limit(&d);
    return true;
}

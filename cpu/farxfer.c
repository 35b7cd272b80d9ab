/* Protected-mode far JMP, CALL, RET and IRET (SDM Vol. 2 JMP, CALL, RET,
 * IRET operation sections; Vol. 3 5.8 "Privilege level checking when
 * transferring program control between code segments").
 *
 * Every path reads and checks everything, builds the new stack on the
 * side (struct xstack) and only then commits registers, so a fault leaves
 * the CPU as it was before the instruction (memory below the new stack
 * pointer may have been written, which is invisible).
 */
#include "../mmu/mem.h"
#include "descriptor.h"
#include "flags.h"
#include "task.h"

static inline unsigned iopl(const struct cpu *c) { return (c->eflags >> 12) & 3; }

static void check_eip(struct cpu *c, const struct desc *cs, uint32_t eip)
{
    if (eip > desc_limit(cs))
        cpu_raise_err(c, EX_GP, 0);
}

static void commit_stack(struct cpu *c, const struct xstack *x)
{
    c->reg[R_ESP] = (c->reg[R_ESP] & ~x->mask) | (x->sp & x->mask);
}

/* The current stack as an xstack (errors #SS(0)). */
static void cur_stack(struct cpu *c, struct xstack *x)
{
    xstack_init(x, &c->seg[S_SS], c->reg[R_ESP], 0);
}

/* Checks a code-segment target of a direct far JMP/CALL (no gate). */
static void check_direct_cs(struct cpu *c, uint16_t sel, const struct desc *d)
{
    uint32_t err = sel & 0xFFFCu;
    if (desc_conforming(d)) {
        if (desc_dpl(d) > c->cpl)
            cpu_raise_err(c, EX_GP, err);
    } else if ((sel & 3u) > c->cpl || desc_dpl(d) != c->cpl) {
        cpu_raise_err(c, EX_GP, err);
    }
    if (!desc_present(d))
        cpu_raise_err(c, EX_NP, err);
}

/* A far CALL through a call gate to a more privileged non-conforming
 * segment: new stack from the TSS, old SS:ESP, the parameters, then the
 * return address (SDM Vol. 3 5.8.5, figure 5-13). */
static void call_gate_inner(struct cpu *c, const struct desc *gate, uint16_t tsel,
                            const struct desc *td, uint32_t off)
{
    unsigned dpl = desc_dpl(td);
    unsigned n = (desc_type(gate) & 8) ? 4 : 2;
    unsigned count = gate->hi & 0x1F;
    uint16_t ss;
    uint32_t esp;
    struct desc sd;
    tss_ring_stack(c, dpl, 0, &ss, &esp);
    check_inner_ss(c, ss, dpl, 0, &sd);

    struct xstack nx, ox;
    struct seg nseg;
    seg_from_desc(c, &nseg, ss, &sd);
    xstack_init(&nx, &nseg, esp, ss & 0xFFFCu);
    nx.sys = true;
    cur_stack(c, &ox);
    /* Room for everything first: #SS(SS selector) (SDM CALL pseudocode). */
    uint32_t need = (4 + count) * n;
    if (!seg_range_ok(&nx.s, (nx.sp - need) & nx.mask, need))
        cpu_raise_err(c, EX_SS, ss & 0xFFFCu);
    check_eip(c, td, off);
    xpush(c, &nx, c->seg[S_SS].sel, n);
    xpush(c, &nx, c->reg[R_ESP] & ox.mask, n);
    for (unsigned k = count; k-- > 0;)
        xpush(c, &nx, xpeek(c, &ox, k * n, n), n);
    xpush(c, &nx, c->seg[S_CS].sel, n);
    xpush(c, &nx, c->eip, n);

    desc_set_accessed(c, ss, &sd);
    desc_set_accessed(c, tsel, (struct desc *)td);
    seg_from_desc(c, &c->seg[S_SS], ss, &sd);
    c->reg[R_ESP] = (c->reg[R_ESP] & ~nx.mask) | nx.sp;
    cpu_set_cs(c, tsel, td, dpl);
    c->eip = off;
}

void far_jump_pm(struct cpu *c, uint16_t sel, uint32_t off, bool is_call, bool o32)
{
    struct desc d;
    uint32_t err = sel & 0xFFFCu;
    if (sel_null(sel))
        cpu_raise_err(c, EX_GP, 0);
    desc_read_or(c, sel, &d, EX_GP, 0);

    if (desc_is_seg(&d)) {
        if (!desc_is_code(&d))
            cpu_raise_err(c, EX_GP, err);
        check_direct_cs(c, sel, &d);
        if (!o32)
            off &= 0xFFFFu;
        check_eip(c, &d, off);
        if (is_call) {
            struct xstack x;
            cur_stack(c, &x);
            unsigned n = o32 ? 4 : 2;
            xpush(c, &x, c->seg[S_CS].sel, n);
            xpush(c, &x, c->eip, n);
            commit_stack(c, &x);
        }
        desc_set_accessed(c, sel, &d);
        cpu_set_cs(c, sel, &d, c->cpl);
        c->eip = off;
        return;
    }

    unsigned type = desc_type(&d);
    unsigned rpl = sel & 3;
    switch (type) {
    case DT_CALL16:
    case DT_CALL32: {
        if (desc_dpl(&d) < c->cpl || desc_dpl(&d) < rpl)
            cpu_raise_err(c, EX_GP, err);
        if (!desc_present(&d))
            cpu_raise_err(c, EX_NP, err);
        uint16_t tsel = gate_sel(&d);
        uint32_t terr = tsel & 0xFFFCu;
        struct desc td;
        if (sel_null(tsel))
            cpu_raise_err(c, EX_GP, 0);
        desc_read_or(c, tsel, &td, EX_GP, 0);
        if (!desc_is_code(&td) || desc_dpl(&td) > c->cpl)
            cpu_raise_err(c, EX_GP, terr);
        if (!is_call && !desc_conforming(&td) && desc_dpl(&td) != c->cpl)
            cpu_raise_err(c, EX_GP, terr);
        if (!desc_present(&td))
            cpu_raise_err(c, EX_NP, terr);
        uint32_t toff = gate_off(&d);
        if (is_call && !desc_conforming(&td) && desc_dpl(&td) < c->cpl) {
            call_gate_inner(c, &d, tsel, &td, toff);
            return;
        }
        check_eip(c, &td, toff);
        if (is_call) {
            struct xstack x;
            cur_stack(c, &x);
            unsigned n = type == DT_CALL32 ? 4 : 2;
            xpush(c, &x, c->seg[S_CS].sel, n);
            xpush(c, &x, c->eip, n);
            commit_stack(c, &x);
        }
        desc_set_accessed(c, tsel, &td);
        cpu_set_cs(c, tsel, &td, c->cpl);
        c->eip = toff;
        return;
    }
    case DT_TASK: {
        if (desc_dpl(&d) < c->cpl || desc_dpl(&d) < rpl)
            cpu_raise_err(c, EX_GP, err);
        if (!desc_present(&d))
            cpu_raise_err(c, EX_NP, err);
        uint16_t tss = gate_sel(&d);
        struct desc td;
        /* The TSS selector in a task gate must name the GDT. */
        if ((tss & 4) || !desc_read(c, tss, &td))
            cpu_raise_err(c, EX_GP, tss & 0xFFFCu);
        task_switch(c, tss, td.lo, td.hi, is_call ? TASK_CALL : TASK_JMP, c->eip, false, 0);
        return;
    }
    case DT_TSS16:
    case DT_TSS32:
        if (desc_dpl(&d) < c->cpl || desc_dpl(&d) < rpl)
            cpu_raise_err(c, EX_GP, err);
        task_switch(c, sel, d.lo, d.hi, is_call ? TASK_CALL : TASK_JMP, c->eip, false, 0);
        return;
    default:
        cpu_raise_err(c, EX_GP, err);
    }
}

/* Checks the CS popped by RET/IRET; returns its descriptor. */
static void check_return_cs(struct cpu *c, uint16_t sel, struct desc *d)
{
    uint32_t err = sel & 0xFFFCu;
    if (sel_null(sel))
        cpu_raise_err(c, EX_GP, 0);
    desc_read_or(c, sel, d, EX_GP, 0);
    if (!desc_is_code(d))
        cpu_raise_err(c, EX_GP, err);
    unsigned rpl = sel & 3;
    if (rpl < c->cpl)
        cpu_raise_err(c, EX_GP, err);
    if (desc_conforming(d) ? desc_dpl(d) > rpl : desc_dpl(d) != rpl)
        cpu_raise_err(c, EX_GP, err);
    if (!desc_present(d))
        cpu_raise_err(c, EX_NP, err);
}

/* The SS popped by a return to an outer level (rpl = new CPL). */
static void check_return_ss(struct cpu *c, uint16_t ss, unsigned rpl, struct desc *d)
{
    uint32_t err = ss & 0xFFFCu;
    if (sel_null(ss))
        cpu_raise_err(c, EX_GP, 0);
    desc_read_or(c, ss, d, EX_GP, 0);
    if ((ss & 3u) != rpl || !desc_writable(d) || desc_dpl(d) != rpl)
        cpu_raise_err(c, EX_GP, err);
    if (!desc_present(d))
        cpu_raise_err(c, EX_SS, err);
}

/* After a return to an outer level: data segments the new CPL may not use
 * are nulled (SDM Vol. 2 RET: "FOR each of segment register (ES, FS, GS,
 * and DS) IF segment register points to data or non-conforming code
 * segment AND CPL > segment descriptor DPL THEN load a null selector"). */
static void null_inaccessible(struct cpu *c)
{
    static const int regs[] = { S_ES, S_DS, S_FS, S_GS };
    for (unsigned k = 0; k < 4; k++) {
        struct seg *s = &c->seg[regs[k]];
        bool data_or_nc = (s->ar & 0x10) && !seg_conforming(s);
        if (data_or_nc && seg_dpl(s) < c->cpl)
            seg_load_null(c, regs[k], 0);
    }
}

void far_return_pm(struct cpu *c, bool o32, uint32_t imm)
{
    struct xstack x;
    cur_stack(c, &x);
    unsigned n = o32 ? 4 : 2;
    uint32_t eip = xpop(c, &x, n);
    uint16_t sel = (uint16_t)xpop(c, &x, n);
    struct desc d;
    check_return_cs(c, sel, &d);
    unsigned rpl = sel & 3;
    if (!o32)
        eip &= 0xFFFFu;
    x.sp = (x.sp + imm) & x.mask;
    if (rpl == c->cpl) {
        check_eip(c, &d, eip);
        desc_set_accessed(c, sel, &d);
        commit_stack(c, &x);
        cpu_set_cs(c, sel, &d, rpl);
        c->eip = eip;
        return;
    }
    /* Outer level: the caller's SS:ESP follow the parameters. */
    uint32_t esp = xpop(c, &x, n);
    uint16_t ss = (uint16_t)xpop(c, &x, n);
    struct desc sd;
    check_return_ss(c, ss, rpl, &sd);
    check_eip(c, &d, eip);
    desc_set_accessed(c, sel, &d);
    desc_set_accessed(c, ss, &sd);
    cpu_set_cs(c, sel, &d, rpl);
    seg_from_desc(c, &c->seg[S_SS], ss, &sd);
    uint32_t m = (sd.hi & 0x400000u) ? 0xFFFFFFFFu : 0xFFFFu;
    if (!o32)
        esp &= 0xFFFFu;
    esp += imm;
    c->reg[R_ESP] = (c->reg[R_ESP] & ~m) | (esp & m);
    c->eip = eip;
    null_inaccessible(c);
}

/* IRET back to virtual-8086 mode (SDM Vol. 2 IRET, RETURN-TO-VIRTUAL-8086-
 * MODE): only from CPL 0 with a 32-bit IRET whose EFLAGS image has VM. */
static void iret_to_v86(struct cpu *c, struct xstack *x, uint32_t eip, uint16_t cs, uint32_t fl)
{
    uint32_t esp = xpop(c, x, 4);
    uint16_t ss = (uint16_t)xpop(c, x, 4);
    uint16_t es = (uint16_t)xpop(c, x, 4);
    uint16_t ds = (uint16_t)xpop(c, x, 4);
    uint16_t fs = (uint16_t)xpop(c, x, 4);
    uint16_t gs = (uint16_t)xpop(c, x, 4);
    cpu_set_eflags(c, fl, c->model->eflags_writable | F_VM);
    c->cpl = 3;
    cpu_load_seg_real(c, S_CS, cs);
    cpu_load_seg_real(c, S_SS, ss);
    cpu_load_seg_real(c, S_ES, es);
    cpu_load_seg_real(c, S_DS, ds);
    cpu_load_seg_real(c, S_FS, fs);
    cpu_load_seg_real(c, S_GS, gs);
    seg_refresh_all(c);
    c->reg[R_ESP] = esp;
    c->eip = eip & 0xFFFFu;
    c->attention |= ATT_MODE;
}

void iret_pm(struct cpu *c, bool o32)
{
    if (c->eflags & F_NT) {
        task_iret(c, c->eip);
        return;
    }
    struct xstack x;
    cur_stack(c, &x);
    unsigned n = o32 ? 4 : 2;
    uint32_t eip = xpop(c, &x, n);
    uint16_t sel = (uint16_t)xpop(c, &x, n);
    uint32_t fl = xpop(c, &x, n);
    if (o32 && (fl & F_VM) && c->cpl == 0) {
        iret_to_v86(c, &x, eip, sel, fl);
        return;
    }
    struct desc d;
    check_return_cs(c, sel, &d);
    unsigned rpl = sel & 3;
    if (!o32)
        eip &= 0xFFFFu;

    /* Which EFLAGS bits the popped image may change (SDM Vol. 2 IRET,
     * RETURN-TO-SAME/OUTER-PRIVILEGE-LEVEL), judged at the old CPL. */
    uint32_t mask = c->model->eflags_writable & ~(uint32_t)F_VM;
    if (c->cpl > 0)
        mask &= ~(uint32_t)(F_IOPL | F_VIF | F_VIP);
    if (c->cpl > iopl(c))
        mask &= ~(uint32_t)F_IF;
    if (!o32)
        mask &= 0xFFFFu;

    if (rpl == c->cpl) {
        check_eip(c, &d, eip);
        desc_set_accessed(c, sel, &d);
        commit_stack(c, &x);
        cpu_set_cs(c, sel, &d, rpl);
        c->eip = eip;
        cpu_set_eflags(c, fl, mask);
        return;
    }
    uint32_t esp = xpop(c, &x, n);
    uint16_t ss = (uint16_t)xpop(c, &x, n);
    struct desc sd;
    check_return_ss(c, ss, rpl, &sd);
    check_eip(c, &d, eip);
    desc_set_accessed(c, sel, &d);
    desc_set_accessed(c, ss, &sd);
    cpu_set_eflags(c, fl, mask);
    cpu_set_cs(c, sel, &d, rpl);
    seg_from_desc(c, &c->seg[S_SS], ss, &sd);
    uint32_t m = (sd.hi & 0x400000u) ? 0xFFFFFFFFu : 0xFFFFu;
    if (!o32)
        esp &= 0xFFFFu;
    c->reg[R_ESP] = (c->reg[R_ESP] & ~m) | (esp & m);
    c->eip = eip;
    null_inaccessible(c);
}

/* IRET in V86 mode with IOPL < 3: #GP(0), except a 16-bit IRET with
 * CR4.VME, which loads the popped IF into VIF and leaves IF and IOPL
 * (SDM Vol. 3 20.3.3.1; Vol. 2 IRET: #GP(0) when the popped TF is 1 or
 * the popped IF is 1 with VIP set). */
void iret_v86(struct cpu *c, bool o32)
{
    if (o32 || !(c->cr[4] & 1u))
        cpu_raise_err(c, EX_GP, 0);
    struct xstack x;
    cur_stack(c, &x);
    uint32_t eip = xpop(c, &x, 2);
    uint16_t cs = (uint16_t)xpop(c, &x, 2);
    uint32_t fl = xpop(c, &x, 2);
    if ((fl & F_TF) || ((fl & F_IF) && (c->eflags & F_VIP)))
        cpu_raise_err(c, EX_GP, 0);
    if (eip > c->seg[S_CS].limit)
        cpu_raise_err(c, EX_GP, 0);
    commit_stack(c, &x);
    cpu_load_seg_real(c, S_CS, cs);
    c->eip = eip;
    uint32_t v = (fl & ~(uint32_t)F_IF) | ((fl & F_IF) ? F_VIF : 0);
    uint32_t mask = (0xFFFFu & c->model->eflags_writable & ~(uint32_t)(F_IF | F_IOPL)) | F_VIF;
    cpu_set_eflags(c, v, mask);
}

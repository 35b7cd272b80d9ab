/* The x87 register stack, tags and exception signalling (SDM Vol. 1
 * 8.1-8.2, 8.5-8.7). */
#include "fpu.h"

void fpu_init(struct cpu *c)
{
    struct fpu *f = &c->fpu;
    f->cw = 0x037F;
    f->sw = 0;
    f->tw = 0xFFFF;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
    f->ignne = false;
    if (f->ferr) {
        f->ferr = false;
        if (c->ferr)
            c->ferr(c->ferr_opaque, false);
    }
}

void fpu_power_on(struct cpu *c)
{
    fpu_init(c);
    c->fpu.cw = 0x0040;
    c->fpu.tw = 0x5555;
    for (int k = 0; k < 8; k++)
        c->fpu.r[k] = fx_make(false, 0, 0);
}

unsigned fpu_tag_of(fx80 v)
{
    switch (fx_classify(v)) {
    case FXC_ZERO: return TAG_ZERO;
    case FXC_NORMAL: return TAG_VALID;
    default: return TAG_SPECIAL;
    }
}

void fpu_set_tag(struct cpu *c, unsigned phys, unsigned tag)
{
    c->fpu.tw = (uint16_t)((c->fpu.tw & ~(3u << (2 * phys))) | (tag << (2 * phys)));
}

void fpu_set_st(struct cpu *c, unsigned i, fx80 v)
{
    unsigned p = fpu_phys(c, i);
    c->fpu.r[p] = v;
    fpu_set_tag(c, p, fpu_tag_of(v));
}

static void set_top(struct cpu *c, unsigned top)
{
    c->fpu.sw = (uint16_t)((c->fpu.sw & ~SW_TOP) | ((top & 7) << 11));
}

void fpu_push(struct cpu *c, fx80 v)
{
    set_top(c, fpu_top(c) - 1);
    fpu_set_st(c, 0, v);
}

void fpu_pop(struct cpu *c)
{
    fpu_set_tag(c, fpu_phys(c, 0), TAG_EMPTY);
    set_top(c, fpu_top(c) + 1);
}

uint16_t fpu_tag_word(const struct cpu *c)
{
    uint16_t tw = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned t = fpu_tag(c, p);
        if (t != TAG_EMPTY)
            t = fpu_tag_of(c->fpu.r[p]);
        tw |= (uint16_t)(t << (2 * p));
    }
    return tw;
}

static void set_ferr(struct cpu *c, bool level)
{
    if (c->fpu.ferr == level)
        return;
    c->fpu.ferr = level;
    if (!level)
        c->fpu.ignne = false;
    if (c->ferr)
        c->ferr(c->ferr_opaque, level);
}

void fpu_update_es(struct cpu *c)
{
    struct fpu *f = &c->fpu;
    bool es = (f->sw & ~f->cw & 0x3F) != 0;
    f->sw = (uint16_t)(es ? (f->sw | SW_ES | SW_B) : (f->sw & ~(SW_ES | SW_B)));
    /* FERR# follows ES (SDM Vol. 1 8.7, D.2: the PC-style external
     * error reporting to IRQ 13).  It is reported only with CR0.NE = 0:
     * with NE = 1 the exception is delivered as #MF, and a system using
     * that mode does not expect IRQ 13 as well. */
    set_ferr(c, es && !(c->cr[0] & CR0_NE));
}

bool fpu_signal(struct cpu *c, unsigned exc)
{
    exc &= 0x7F;
    if (!exc)
        return true;
    /* An unmasked IE, DE or ZE stops the operation before it produces a
     * result: no OE/UE/PE from it (measured against the host x87). */
    if (exc & ~c->fpu.cw & (FX_IE | FX_DE | FX_ZE))
        exc &= FX_IE | FX_DE | FX_ZE | FX_SF;
    c->fpu.sw |= (uint16_t)exc;
    unsigned unmasked = exc & ~c->fpu.cw & 0x3F;
    if (unmasked)
        fpu_update_es(c);
    return !(unmasked & (FX_IE | FX_DE | FX_ZE));
}

bool fpu_result(struct cpu *c, const struct fx_env *e)
{
    /* C1: rounded up; 0 when an unmasked IE/DE/ZE stopped the operation
     * (measured against the host x87) */
    bool stop = (e->exc & ~c->fpu.cw & (FX_IE | FX_DE | FX_ZE)) != 0;
    fpu_set_c1(c, !stop && e->c1);
    return fpu_signal(c, e->exc);
}

bool fpu_stack_fault(struct cpu *c, bool overflow)
{
    fpu_set_c1(c, overflow);
    return fpu_signal(c, FX_IE | FX_SF);
}

void cpu_fpu_ignne(struct cpu *c)
{
    if (c->fpu.ferr)
        c->fpu.ignne = true;
}

/* The one EFLAGS materialiser: PUSHF, interrupts, exceptions, the
 * debugger, the gdb stub and save states all come through here. */
#include "flags.h"

uint32_t cpu_get_eflags(const struct cpu *c)
{
    uint32_t f = c->eflags & ~(uint32_t)F_OSZAPC;
    f |= flag_cf(c) | flag_pf(c) << 2 | flag_af(c) << 4 | flag_zf(c) << 6 |
         flag_sf(c) << 7 | flag_of(c) << 11;
    return f | c->model->eflags_fixed1;
}

void cpu_set_eflags(struct cpu *c, uint32_t val, uint32_t mask)
{
    uint32_t f = cpu_get_eflags(c);
    uint32_t old = f;
    f = (f & ~mask) | (val & mask);
    f |= c->model->eflags_fixed1;
    c->eflags = f;
    c->lf.cf = f & 1;
    c->lf.of = (f >> 11) & 1;
    c->lf.eager = 1;
    if (f & F_IF)
        c->attention |= ATT_IRQ; /* a pending interrupt may now be taken */
    if ((old ^ f) & F_AC)
        for (int s = 0; s < S_NSEG; s++)
            cpu_seg_update_fast(c, &c->seg[s]);  /* #AC checks on or off */
    if (f & (F_TF | F_RF))
        c->attention |= ATT_TRAP; /* leave the block: cpu/debug.c takes over */
}

/* CPU lifecycle and segment-register loading. */
#include "cpu.h"

#include <string.h>

#include "../jit/blockcache.h"
#include "../mmu/mem.h"
#include "debug.h"
#include "descriptor.h"
#include "flags.h"
#include "fpu.h"

void cpu_init(struct cpu *c, const struct cpu_model *m, struct bus *bus,
              struct blockcache *bc)
{
    memset(c, 0, sizeof *c);
    c->model = m;
    c->bus = bus;
    c->bc = bc;
    cpu_reset(c);
}

void cpu_seg_update_fast(struct cpu *c, struct seg *s)
{
    bool pm = cpu_pe(c) && !cpu_vm86(c);
    bool data = (s->ar & 0x18) == 0x10;
    bool expand_down = data && (s->ar & 0x04);
    bool usable = (s->ar & 0x80) != 0; /* present; null selectors load P=0 */
    /* Alignment checks and data breakpoints look at every access in the
     * slow path (cpu/debug.h). */
    if (expand_down || (pm && !usable) || debug_mem_checks(c)) {
        s->fast_limit = -1;
        s->fast_limit_w = -1;
        return;
    }
    /* Execute-only code segments cannot be read (SDM Vol. 3 5.4). */
    s->fast_limit = (pm && (s->ar & 0x1A) == 0x18) ? -1 : (int64_t)s->limit;
    bool writable = data && (s->ar & 0x02);
    s->fast_limit_w = (pm && !writable) ? -1 : (int64_t)s->limit;
}

static void seg_set(struct cpu *c, int sreg, uint16_t sel, uint32_t base,
                    uint32_t limit, uint32_t ar)
{
    struct seg *s = &c->seg[sreg];
    s->sel = sel;
    s->base = base;
    s->limit = limit;
    s->ar = ar;
    cpu_seg_update_fast(c, s);
}

/* Power-on state (SDM Vol. 3 table 9-1). */
void cpu_reset(struct cpu *c)
{
    const struct cpu_model *m = c->model;
    memset(c->reg, 0, sizeof c->reg);
    /* EDX holds the processor signature after reset (386+). */
    if (m->gen >= GEN_80386)
        c->reg[R_EDX] = m->cpuid1_eax ? m->cpuid1_eax : (m->gen == GEN_80386 ? 0x0303 : 0x0421);
    c->cr[0] = m->cr0_fixed1 | (m->gen >= GEN_80486 ? CR0_CD | CR0_NW : 0);
    c->cr[2] = c->cr[3] = c->cr[4] = 0;
    fpu_power_on(c);
    memset(c->dr, 0, sizeof c->dr);
    c->dr[6] = 0xFFFF0FF0u;
    c->dr[7] = 0x400;
    c->eflags = m->eflags_fixed1;
    c->lf = (struct lazyflags){ .res = 1, .afx = 1, .eager = 1 };
    c->eip = 0xFFF0;
    for (int s = 0; s < S_NSEG; s++)
        seg_set(c, s, 0, 0, 0xFFFF, 0x93);
    /* CS = F000 with base FFFF0000 on 286+, so the first fetch is near the
     * top of the address space (the 286 has 24 address lines: FF0000). */
    if (m->addr_bits == 20) {
        /* 8086/80186: CS:IP = FFFF:0000 (physical FFFF0). */
        seg_set(c, S_CS, 0xFFFF, 0xFFFF0, 0xFFFF, 0x9B);
        c->eip = 0;
    } else {
        uint32_t cs_base = m->addr_bits >= 32 ? 0xFFFF0000u : 0xFF0000u;
        seg_set(c, S_CS, 0xF000, cs_base, 0xFFFF, 0x9B);
    }
    c->gdtr.base = c->idtr.base = 0;
    c->gdtr.limit = c->idtr.limit = 0xFFFF;
    c->ldtr = (struct seg){ .limit = 0xFFFF, .ar = 0x82 };
    c->tr = (struct seg){ .limit = 0xFFFF, .ar = 0x8B };
    c->cpl = 0;
    c->halted = false;
    c->tsc_offset = (uint64_t)0 - c->icount;
    c->msr_apicbase = 0xFEE00900u;
    c->msr_efer = 0;
    /* Power-up and RESET clear the performance-monitoring MSRs. */
    memset(c->msr_perfevtsel, 0, sizeof c->msr_perfevtsel);
    memset(c->msr_perfctr, 0, sizeof c->msr_perfctr);
    c->attention = ATT_MODE;
    c->exc_nesting = 0;
    c->a20_mask = m->addr_bits >= 32 ? 0xFFFFFFFFu : (1u << m->addr_bits) - 1;
    if (c->bus)
        tlb_flush(c);
}

void cpu_load_seg_real(struct cpu *c, int sreg, uint16_t sel)
{
    struct seg *s = &c->seg[sreg];
    s->sel = sel;
    s->base = (uint32_t)sel << 4;
    if (cpu_vm86(c)) {
        /* V86 mode: every segment is a 64 KiB DPL-3 data segment. */
        s->limit = 0xFFFF;
        s->ar = (sreg == S_CS) ? 0xFB : 0xF3;
    }
    cpu_seg_update_fast(c, s);
}

void cpu_load_seg(struct cpu *c, int sreg, uint16_t sel)
{
    if (!cpu_pe(c) || cpu_vm86(c)) {
        cpu_load_seg_real(c, sreg, sel);
        return;
    }
    pm_load_seg(c, sreg, sel);   /* cpu/descriptor.c */
}

void cpu_request_stop(struct cpu *c)
{
    c->attention |= ATT_STOP;
}

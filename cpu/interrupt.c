/* Interrupt and exception delivery through the IDT in protected and
 * virtual-8086 mode (SDM Vol. 3 6.10-6.13, 20.3; Vol. 2 INT n operation
 * section), and INT n in V86 mode with CR4.VME (SDM Vol. 3 20.3.3).
 *
 * EXT: errors found while delivering an event that did not come from an
 * INT n/INT3/INTO instruction (exceptions, hardware interrupts, INT1) have
 * bit 0 of the error code set (SDM Vol. 3 6.13).
 */
#include "../mmu/mem.h"
#include "descriptor.h"
#include "flags.h"
#include "stack.h"
#include "task.h"

#define CR4_VME 1u

static inline unsigned iopl(const struct cpu *c) { return (c->eflags >> 12) & 3; }

static unsigned cur_cpl(const struct cpu *c)
{
    return cpu_vm86(c) ? 3 : c->cpl;
}

void pm_interrupt(struct cpu *c, int vector, uint32_t next_eip, bool has_error,
                  uint32_t error, bool software)
{
    unsigned ext = software ? 0 : 1;
    uint32_t idt_err = (uint32_t)vector * 8 + 2 + ext;
    unsigned cpl = cur_cpl(c);
    bool v86 = cpu_vm86(c);

    if ((uint32_t)vector * 8 + 7 > c->idtr.limit)
        cpu_raise_err(c, EX_GP, idt_err);
    struct desc g;
    uint32_t ga = c->idtr.base + (uint32_t)vector * 8;
    g.lo = lin_rd32(c, ga);
    g.hi = lin_rd32(c, ga + 4);
    unsigned type = desc_type(&g);
    if (desc_is_seg(&g) || !(type == DT_TASK || type == DT_INT16 || type == DT_TRAP16 ||
                             type == DT_INT32 || type == DT_TRAP32))
        cpu_raise_err(c, EX_GP, idt_err);
    /* INT n, INT3, INTO: the gate's DPL must allow the caller (SDM 6.12.1.1). */
    if (software && desc_dpl(&g) < cpl)
        cpu_raise_err(c, EX_GP, (uint32_t)vector * 8 + 2);
    if (!desc_present(&g))
        cpu_raise_err(c, EX_NP, idt_err);

    if (type == DT_TASK) {
        uint16_t tss = gate_sel(&g);
        struct desc td;
        if ((tss & 4) || !desc_read(c, tss, &td))
            cpu_raise_err(c, EX_GP, (tss & 0xFFFCu) | ext);
        enum task_reason why = (enum task_reason)(TASK_INT | (ext ? TASK_EXT : 0));
        task_switch(c, tss, td.lo, td.hi, why, next_eip, has_error, error);
        return;
    }

    uint16_t tsel = gate_sel(&g);
    uint32_t terr = (tsel & 0xFFFCu) | ext;
    struct desc td;
    if (sel_null(tsel))
        cpu_raise_err(c, EX_GP, ext);
    desc_read_or(c, tsel, &td, EX_GP, ext);
    if (!desc_is_code(&td) || desc_dpl(&td) > cpl)
        cpu_raise_err(c, EX_GP, terr);
    if (!desc_present(&td))
        cpu_raise_err(c, EX_NP, terr);

    unsigned n = (type & 8) ? 4 : 2;
    uint32_t off = gate_off(&g);
    unsigned dpl = desc_dpl(&td);
    bool inner = !desc_conforming(&td) && dpl < cpl;
    if (v86 && (!inner || dpl != 0))
        cpu_raise_err(c, EX_GP, terr);  /* a V86 interrupt must reach ring 0 */

    uint32_t flags = cpu_get_eflags(c);
    struct xstack x;
    struct desc sd;
    uint16_t ss = 0;
    if (inner) {
        uint32_t esp;
        tss_ring_stack(c, dpl, ext, &ss, &esp);
        check_inner_ss(c, ss, dpl, ext, &sd);
        struct seg nseg;
        seg_from_desc(c, &nseg, ss, &sd);
        xstack_init(&x, &nseg, esp, (ss & 0xFFFCu) | ext);
        x.sys = true;
        if (v86) {
            xpush(c, &x, c->seg[S_GS].sel, n);
            xpush(c, &x, c->seg[S_FS].sel, n);
            xpush(c, &x, c->seg[S_DS].sel, n);
            xpush(c, &x, c->seg[S_ES].sel, n);
        }
        xpush(c, &x, c->seg[S_SS].sel, n);
        xpush(c, &x, c->reg[R_ESP] & stk_mask(c), n);
    } else {
        xstack_init(&x, &c->seg[S_SS], c->reg[R_ESP], ext);
    }
    xpush(c, &x, flags, n);
    xpush(c, &x, c->seg[S_CS].sel, n);
    xpush(c, &x, next_eip, n);
    if (has_error)
        xpush(c, &x, error, n);
    if (off > desc_limit(&td))
        cpu_raise_err(c, EX_GP, ext);

    /* Commit. */
    desc_set_accessed(c, tsel, &td);
    if (inner) {
        desc_set_accessed(c, ss, &sd);
        seg_from_desc(c, &c->seg[S_SS], ss, &sd);
    }
    c->reg[R_ESP] = (c->reg[R_ESP] & ~x.mask) | x.sp;
    uint32_t clear = F_TF | F_NT | F_RF | F_VM;
    if (!(type & 1))
        clear |= F_IF;          /* interrupt gate (trap gates leave IF) */
    c->eflags &= ~clear;
    cpu_set_cs(c, tsel, &td, inner ? dpl : cpl);
    if (v86) {
        seg_load_null(c, S_ES, 0);
        seg_load_null(c, S_DS, 0);
        seg_load_null(c, S_FS, 0);
        seg_load_null(c, S_GS, 0);
    }
    seg_refresh_all(c);
    c->eip = off;
}

/* Bit `vector` of the V86 interrupt redirection bitmap: the 32 bytes just
 * below the I/O permission bitmap of the 32-bit TSS (SDM Vol. 3 20.3.3.5).
 * A set bit means "not redirected". */
static bool redir_bit(struct cpu *c, int vector)
{
    if (!(c->tr.ar & 0x8) || c->tr.limit < 0x67)
        cpu_raise_err(c, EX_GP, 0);
    uint32_t base = lin_rd16(c, c->tr.base + 0x66);
    uint32_t byte = base - 32 + ((uint32_t)vector >> 3);
    if (base < 32 || byte > c->tr.limit)
        cpu_raise_err(c, EX_GP, 0);
    return (lin_rd8(c, c->tr.base + byte) >> (vector & 7)) & 1;
}

/* INT n redirected to the V86 program's own handler through its IVT at
 * linear 0 (SDM Vol. 3 20.3.3.5 methods 5 and 6). */
static void v86_redirect(struct cpu *c, int vector, uint32_t next_eip)
{
    uint16_t ip = lin_rd16(c, (uint32_t)vector * 4);
    uint16_t cs = lin_rd16(c, (uint32_t)vector * 4 + 2);
    uint32_t fl = cpu_get_eflags(c);
    bool virt = iopl(c) < 3;
    if (virt)
        fl = (fl & ~(uint32_t)F_IF) | ((fl & F_VIF) ? F_IF : 0) | F_IOPL;
    uint32_t sp = stk_sp(c);
    stk_push16(c, &sp, (uint16_t)fl);
    stk_push16(c, &sp, c->seg[S_CS].sel);
    stk_push16(c, &sp, (uint16_t)next_eip);
    stk_commit(c, sp);
    c->eflags &= ~(uint32_t)(F_TF | F_RF | (virt ? F_VIF : F_IF));
    cpu_load_seg_real(c, S_CS, cs);
    c->eip = ip;
}

void v86_int_n(struct cpu *c, int vector, uint32_t next_eip)
{
    if (c->cr[4] & CR4_VME) {
        if (!redir_bit(c, vector)) {
            v86_redirect(c, vector, next_eip);
            return;
        }
    }
    if (iopl(c) < 3)
        cpu_raise_err(c, EX_GP, 0);
    pm_interrupt(c, vector, next_eip, false, 0, true);
}

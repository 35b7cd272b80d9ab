/* Hardware task switching: SDM Vol. 3A ch. 7 (7.3 "Task Switching",
 * Table 7-1 "Exception Conditions Checked During a Task Switch", Table 7-2
 * "Effect of a Task Switch on Busy Flag, NT Flag, Previous Task Link
 * Field, and TS Flag") and the 80286 Programmer's Reference Manual ch. 8
 * for the 16-bit TSS.  See task.h for the interface.
 *
 * Two phases, split by the commit point:
 *   1. checks on the new TSS descriptor, saving the outgoing state into the
 *      current TSS and reading the whole new TSS: any fault here is taken
 *      in the outgoing task, which is left as it was;
 *   2. TR, busy bits, back link, NT, CR0.TS, CR3, the general registers,
 *      EFLAGS, EIP and the segment selectors take the new task's values;
 *      then the LDT and the segment descriptors are loaded and checked.  A
 *      fault here is delivered in the new task (EIP = its first
 *      instruction), with the selectors of the segments not yet loaded
 *      present but unusable (SDM 7.3 step 13).
 */
#include "task.h"

#include "../mmu/mem.h"
#include "../mmu/paging.h"
#include "cpu.h"
#include "descriptor.h"
#include "flags.h"

/* TSS layouts (SDM Figure 7-2, 80286 PRM Figure 8-1). */
enum {
    T32_LINK = 0x00, T32_CR3 = 0x1C, T32_EIP = 0x20, T32_EFLAGS = 0x24,
    T32_EAX = 0x28, T32_ES = 0x48, T32_LDT = 0x60, T32_TBIT = 0x64,
    T32_IOMAP = 0x66, T32_MIN_LIMIT = 0x67,
    T16_LINK = 0x00, T16_IP = 0x0E, T16_FLAGS = 0x10, T16_AX = 0x12,
    T16_ES = 0x22, T16_LDT = 0x2A, T16_MIN_LIMIT = 0x2B,
};

static bool ar_present(uint32_t ar) { return ar & 0x80u; }
static unsigned ar_type(uint32_t ar) { return ar & 0x1Fu; } /* S + type */

static bool tss_type_32(unsigned type) { return type & 8u; }

/* Reads a code/data descriptor for a segment load in the new task (the
 * new LDT is in place); false when outside the table. */
static bool read_desc(struct cpu *c, uint16_t sel, struct desc *d)
{
    return desc_read(c, sel, d);
}

/* Loads a segment cache the way a segment load does: accessed bit set in
 * memory and in the cache. */
static void seg_fill(struct cpu *c, struct seg *s, uint16_t sel, struct desc *d)
{
    desc_set_accessed(c, sel, d);
    seg_from_desc(c, s, sel, d);
}

/* A selector loaded but its descriptor not (yet): unusable (P=0). */
static void seg_unusable(struct cpu *c, int sreg, uint16_t sel)
{
    struct seg *s = &c->seg[sreg];
    s->sel = sel;
    s->ar = 0;
    cpu_seg_update_fast(c, s);
}

/* ---------------------------------------------------------- new task */

struct tss_image {
    bool is32;
    uint32_t cr3, eip, eflags, reg[8], ldt, tbit;
    uint16_t sel[S_NSEG];
};

static void read_tss(struct cpu *c, uint32_t base, bool is32, struct tss_image *t)
{
    t->is32 = is32;
    if (is32) {
        t->cr3 = lin_rd32(c, base + T32_CR3);
        t->eip = lin_rd32(c, base + T32_EIP);
        t->eflags = lin_rd32(c, base + T32_EFLAGS);
        for (int r = 0; r < 8; r++)
            t->reg[r] = lin_rd32(c, base + T32_EAX + 4u * (uint32_t)r);
        for (int s = 0; s < S_NSEG; s++)
            t->sel[s] = lin_rd16(c, base + T32_ES + 4u * (uint32_t)s);
        t->ldt = lin_rd16(c, base + T32_LDT);
        t->tbit = lin_rd16(c, base + T32_TBIT) & 1u;
    } else {
        /* A 16-bit TSS holds no CR3, FS, GS nor upper register halves.
         * SDM 7.6: "the upper 16 bits of the registers are modified and
         * not maintained"; the 80386 sets them to all ones (test386's
         * 128 KiB build checks EAX = FFFF1234 etc. after such a switch).
         * FS and GS are loaded with null selectors. */
        t->cr3 = c->cr[3];
        t->eip = lin_rd16(c, base + T16_IP);
        /* The upper EFLAGS bits (VM, RF, AC...) do not survive: a 16-bit
         * task never runs in virtual-8086 mode. */
        t->eflags = lin_rd16(c, base + T16_FLAGS);
        for (int r = 0; r < 8; r++)
            t->reg[r] = 0xFFFF0000u | lin_rd16(c, base + T16_AX + 2u * (uint32_t)r);
        for (int s = 0; s < 4; s++)
            t->sel[s] = lin_rd16(c, base + T16_ES + 2u * (uint32_t)s);
        t->sel[S_FS] = t->sel[S_GS] = 0;
        t->ldt = lin_rd16(c, base + T16_LDT);
        t->tbit = 0;
    }
}

/* ---------------------------------------------------------- old task */

static void save_tss(struct cpu *c, uint32_t next_eip, uint32_t eflags)
{
    uint32_t base = c->tr.base;
    if (tss_type_32(ar_type(c->tr.ar))) {
        lin_wr32(c, base + T32_EIP, next_eip);
        lin_wr32(c, base + T32_EFLAGS, eflags);
        for (int r = 0; r < 8; r++)
            lin_wr32(c, base + T32_EAX + 4u * (uint32_t)r, c->reg[r]);
        for (int s = 0; s < S_NSEG; s++)
            lin_wr16(c, base + T32_ES + 4u * (uint32_t)s, c->seg[s].sel);
    } else {
        lin_wr16(c, base + T16_IP, (uint16_t)next_eip);
        lin_wr16(c, base + T16_FLAGS, (uint16_t)eflags);
        for (int r = 0; r < 8; r++)
            lin_wr16(c, base + T16_AX + 2u * (uint32_t)r, (uint16_t)c->reg[r]);
        for (int s = 0; s < 4; s++)
            lin_wr16(c, base + T16_ES + 2u * (uint32_t)s, c->seg[s].sel);
    }
}

/* Sets or clears the busy bit (type bit 1) of the TSS descriptor `sel` in
 * the GDT. */
static void set_busy(struct cpu *c, uint16_t sel, bool busy)
{
    uint32_t a = c->gdtr.base + (sel & 0xFFF8u) + 5;
    uint8_t b = lin_rd8(c, a);
    lin_wr8(c, a, busy ? (uint8_t)(b | 2u) : (uint8_t)(b & ~2u));
}

/* ---------------------------------------------------------- segment loads
 * After the commit point, with the checks and exceptions of SDM Table 7-1
 * (error codes: the offending selector with RPL cleared, plus EXT). */

/* EXT (error-code bit 0): the switch was caused by an event external to
 * the program (hardware interrupt or exception), SDM 6.13. */
static _Noreturn void fault(struct cpu *c, int vec, uint16_t sel, unsigned ext)
{
    cpu_raise_err(c, vec, (sel & 0xFFFCu) | ext);
}

static void load_ldt(struct cpu *c, uint16_t sel, unsigned ext)
{
    if (sel_null(sel)) {
        c->ldtr = (struct seg){ .sel = sel };
        return;
    }
    struct desc d;
    if ((sel & 4) || !desc_read(c, sel, &d))
        fault(c, EX_TS, sel, ext);
    if (desc_is_seg(&d) || desc_type(&d) != DT_LDT)
        fault(c, EX_TS, sel, ext);
    if (!desc_present(&d))
        fault(c, EX_TS, sel, ext); /* Table 7-1: "LDT of new task is present": #TS */
    c->ldtr.sel = sel;
    c->ldtr.base = desc_base(&d);
    c->ldtr.limit = desc_limit(&d);
    c->ldtr.ar = desc_ar(&d);
}

static void load_ss(struct cpu *c, uint16_t sel, unsigned ext)
{
    struct desc d;
    unsigned cpl = c->cpl;
    if (sel_null(sel) || !read_desc(c, sel, &d))
        fault(c, EX_TS, sel, ext);
    /* A writable data segment, RPL = DPL = CPL. */
    if (!desc_writable(&d) || (sel & 3u) != cpl || desc_dpl(&d) != cpl)
        fault(c, EX_TS, sel, ext);
    if (!desc_present(&d))
        fault(c, EX_SS, sel, ext);
    seg_fill(c, &c->seg[S_SS], sel, &d);
}

static void load_cs(struct cpu *c, uint16_t sel, unsigned ext)
{
    struct desc d;
    if (sel_null(sel) || !read_desc(c, sel, &d))
        fault(c, EX_TS, sel, ext);
    if (!desc_is_code(&d))
        fault(c, EX_TS, sel, ext);
    unsigned dpl = desc_dpl(&d), rpl = sel & 3u;
    /* Conforming: DPL <= RPL; non-conforming: DPL = RPL (the new CPL). */
    if (desc_conforming(&d) ? dpl > rpl : dpl != rpl)
        fault(c, EX_TS, sel, ext);
    if (!desc_present(&d))
        fault(c, EX_NP, sel, ext);
    seg_fill(c, &c->seg[S_CS], sel, &d);
}

static void load_data(struct cpu *c, int sreg, uint16_t sel, unsigned ext)
{
    struct desc d;
    if (sel_null(sel)) {
        seg_unusable(c, sreg, sel); /* a null selector loads fine */
        return;
    }
    if (!read_desc(c, sel, &d))
        fault(c, EX_TS, sel, ext);
    /* A data segment or a readable code segment. */
    if (!desc_is_seg(&d) || !desc_readable(&d))
        fault(c, EX_TS, sel, ext);
    unsigned dpl = desc_dpl(&d), rpl = sel & 3u;
    if (!desc_conforming(&d) && (dpl < c->cpl || dpl < rpl))
        fault(c, EX_TS, sel, ext);
    if (!desc_present(&d))
        fault(c, EX_NP, sel, ext);
    seg_fill(c, &c->seg[sreg], sel, &d);
}

/* ---------------------------------------------------------- the switch */

void task_switch(struct cpu *c, uint16_t sel, uint32_t lo, uint32_t hi,
                 enum task_reason why_ext, uint32_t next_eip, bool has_error,
                 uint32_t error)
{
    unsigned ext = (why_ext & TASK_EXT) ? 1u : 0u;
    enum task_reason why = (enum task_reason)(why_ext & ~TASK_EXT);
    int bad_vec = why == TASK_IRET ? EX_TS : EX_GP;
    struct desc nd = { lo, hi };
    uint32_t ar = desc_ar(&nd);
    unsigned type = ar_type(ar);

    /* SDM 7.3 steps 1-3 and the JMP/CALL/INT/IRET operation sections:
     * the TSS descriptor must be in the GDT and be an available TSS (a
     * busy one for IRET), present, with a limit that holds a whole TSS. */
    if (sel & 4)
        fault(c, bad_vec, sel, ext);
    bool want_busy = why == TASK_IRET;
    bool is32;
    if (type == (want_busy ? DT_TSS16_BUSY : DT_TSS16))
        is32 = false;
    else if (type == (want_busy ? DT_TSS32_BUSY : DT_TSS32) &&
             c->model->gen >= GEN_80386)
        is32 = true;
    else
        fault(c, bad_vec, sel, ext);
    if (!ar_present(ar))
        fault(c, EX_NP, sel, ext);
    uint32_t new_base = desc_base(&nd);
    uint32_t new_limit = desc_limit(&nd);
    if (new_limit < (is32 ? (uint32_t)T32_MIN_LIMIT : (uint32_t)T16_MIN_LIMIT))
        fault(c, EX_TS, sel, ext);

    /* Save the outgoing task (step 6).  IRET saves NT cleared; the other
     * reasons save EFLAGS as it is. */
    uint32_t old_eflags = cpu_get_eflags(c);
    if (why == TASK_IRET)
        old_eflags &= ~(uint32_t)F_NT;
    uint16_t old_sel = c->tr.sel;
    save_tss(c, next_eip, old_eflags);

    /* Read the incoming task (step 4: pages of the new TSS are present
     * before the commit). */
    struct tss_image t;
    read_tss(c, new_base, is32, &t);

    /* Busy bits and the back link (Table 7-2). */
    if (why == TASK_JMP || why == TASK_IRET)
        set_busy(c, old_sel, false);
    if (why == TASK_CALL || why == TASK_INT) {
        lin_wr16(c, new_base + (is32 ? (uint32_t)T32_LINK : (uint32_t)T16_LINK), old_sel);
        t.eflags |= F_NT;
    }
    if (why != TASK_IRET)
        set_busy(c, sel, true);

    /* ---- commit point: from here on we are in the new task ---- */
    c->tr.sel = sel;
    c->tr.base = new_base;
    c->tr.limit = new_limit;
    c->tr.ar = ar | 2u; /* busy */
    c->cr[0] |= CR0_TS;
    /* The local breakpoint enables L0-L3 and LE belong to the old task
     * (SDM 17.2.4): cleared on every task switch. */
    c->dr[7] &= ~(uint32_t)0x155u;

    if (is32 && (c->cr[0] & CR0_PG)) {
        /* A CR3 load as MOV CR3 does it: non-global translations go even
         * with the same value, and under PAE the PDPTEs are reloaded; bad
         * ones fault in the new task (SDM Vol. 3 4.4.1, 7.3). */
        if (!mmu_load_cr3(c, t.cr3))
            cpu_raise_err(c, EX_GP, 0);
    }

    for (int r = 0; r < 8; r++)
        c->reg[r] = t.reg[r];
    uint32_t fl_mask = c->model->eflags_writable | F_VM | F_RF | F_VIF | F_VIP;
    cpu_set_eflags(c, t.eflags, fl_mask);
    c->eip = is32 ? t.eip : (t.eip & 0xFFFFu);
    /* A fault from here on returns to the new task's first instruction. */
    c->prev_eip = c->eip;
    c->attention |= ATT_MODE;
    c->halted = false;

    if (is32 && (t.eflags & F_VM)) {
        /* The new task runs in virtual-8086 mode: real-mode style segments,
         * CPL 3 (SDM 20.2.5). */
        c->cpl = 3;
        load_ldt(c, (uint16_t)t.ldt, ext);
        for (int s = 0; s < S_NSEG; s++)
            cpu_load_seg_real(c, s, t.sel[s]);
    } else {
        c->cpl = t.sel[S_CS] & 3u;
        for (int s = 0; s < S_NSEG; s++)
            seg_unusable(c, s, t.sel[s]);
        load_ldt(c, (uint16_t)t.ldt, ext);
        load_ss(c, t.sel[S_SS], ext);
        load_cs(c, t.sel[S_CS], ext);
        static const int data_order[] = { S_DS, S_ES, S_FS, S_GS };
        for (int k = 0; k < 4; k++)
            load_data(c, data_order[k], t.sel[data_order[k]], ext);
    }

    /* An exception that switched tasks pushes its error code on the new
     * task's stack (SDM 6.12.2), as a word for a 16-bit TSS. */
    if (why == TASK_INT && has_error) {
        uint32_t mask = cpu_stack32(c) ? 0xFFFFFFFFu : 0xFFFFu;
        uint32_t sp = (c->reg[R_ESP] - (is32 ? 4u : 2u)) & mask;
        if (is32)
            cpu_wr32(c, S_SS, sp, error);
        else
            cpu_wr16(c, S_SS, sp, (uint16_t)error);
        c->reg[R_ESP] = (c->reg[R_ESP] & ~mask) | sp;
    }

    /* The new EIP must lie inside CS (a #GP(0) in the new task). */
    if (c->eip > c->seg[S_CS].limit)
        cpu_raise_err(c, EX_GP, 0);

    /* T bit: a debug trap before the new task's first instruction, with
     * DR6.BT set (SDM 17.2.3, 7.2.1). */
    if (t.tbit) {
        c->dr[6] |= 1u << 15;
        cpu_raise(c, EX_DB);
    }
}

void task_switch_sel(struct cpu *c, uint16_t sel, enum task_reason why,
                     uint32_t next_eip, bool has_error, uint32_t error)
{
    int bad_vec = (why & ~TASK_EXT) == TASK_IRET ? EX_TS : EX_GP;
    if ((sel & 4) || (sel & 0xFFF8u) + 7u > c->gdtr.limit)
        fault(c, bad_vec, sel, (why & TASK_EXT) ? 1u : 0u);
    uint32_t lo = lin_rd32(c, c->gdtr.base + (sel & 0xFFF8u));
    uint32_t hi = lin_rd32(c, c->gdtr.base + (sel & 0xFFF8u) + 4);
    task_switch(c, sel, lo, hi, why, next_eip, has_error, error);
}

void task_iret(struct cpu *c, uint32_t next_eip)
{
    uint16_t link = lin_rd16(c, c->tr.base + T32_LINK);
    task_switch_sel(c, link, TASK_IRET, next_eip, false, 0);
}

uint32_t task_iomap_base(struct cpu *c)
{
    if (ar_type(c->tr.ar) != DT_TSS32_BUSY || !ar_present(c->tr.ar) ||
        c->tr.limit < T32_IOMAP + 1u)
        return 0xFFFFFFFFu;
    return lin_rd16(c, c->tr.base + T32_IOMAP);
}

/* x87 instruction handlers: every D8-DF form, FWAIT's exception check,
 * FXSAVE/FXRSTOR (SDM Vol. 1 ch. 8, Vol. 2 "F" instructions, Vol. 3
 * 2.5 for CR0.EM/MP/TS/NE).
 *
 * Each opcodes.def row of D8-DF is one ModRM.reg value of one escape
 * byte; its handlers are op_F_<byte>_<reg>_r (register form, which may
 * decode ModRM.rm further) and op_F_<byte>_<reg>_m (memory form).  The
 * arithmetic is cpu/fpu_float.c and cpu/fpu_trans.c; the register stack
 * and exception signalling cpu/fpu.c.
 *
 * Order inside a handler: the coprocessor checks (#NM, pending #MF),
 * then every memory read, then the computation, then memory writes, and
 * only then FPU state, so a fault leaves the FPU as it was.
 */
#include <string.h>

#include "../mmu/mem.h"
#include "flags.h"
#include "fpu.h"
#include "fpu_trans.h"
#include "insn.h"

/* ---------------- entry checks, FIP/FDP ---------------- */

/* No coprocessor (8086/80186 without an 8087, the 286/386 models): ESC
 * does nothing, as before the FPU existed (cpu/exec_system.c history):
 *   - on the 8086/80186 the instruction just goes by;
 *   - on the 286/386: #NM when CR0.EM or CR0.TS is set (SDM Vol. 3 table
 *     2-2), and the memory form's operand is checked against the segment
 *     limit (SingleStepTests 80286 captures: a D8 operand whose first
 *     word crosses offset FFFF raises interrupt 13). */
static void no_coprocessor(struct cpu *c, const struct insn *i, bool mem)
{
    if (c->model->gen < GEN_80286)
        return;
    if (c->cr[0] & (CR0_EM | CR0_TS))
        cpu_raise(c, EX_NM);
    if (mem)
        (void)cpu_rd16(c, i->seg, insn_ea(c, i));
}

/* A pending unmasked exception at a waiting instruction: #MF with
 * CR0.NE = 1; otherwise (PC style, SDM Vol. 1 8.7 and D.2) FERR# has gone
 * to IRQ 13 and the instruction waits ("freezes") until IGNNE# (a write
 * to port F0) or an interrupt handler clears the exception: pcvm restarts
 * it after looking for interrupts. */
static bool pending(struct cpu *c)
{
    if (c->cr[0] & CR0_NE)
        cpu_raise(c, EX_MF);
    if (c->fpu.ignne)
        return false;
    c->eip = c->prev_eip;
    c->attention |= ATT_IRQ;
    return true;
}

/* Returns false when the instruction must do nothing. */
static bool enter(struct cpu *c, const struct insn *i, bool mem, bool wait)
{
    if (!c->model->fpu) {
        no_coprocessor(c, i, mem);
        return false;
    }
    if (c->cr[0] & (CR0_EM | CR0_TS))
        cpu_raise(c, EX_NM);
    if (wait && (c->fpu.sw & SW_ES) && pending(c))
        return false;
    return true;
}

#define ENTER_R() do { if (!enter(c, i, false, true)) return; } while (0)
#define ENTER_M() do { if (!enter(c, i, true, true)) return; } while (0)

/* FIP/FCS/FOP (and FDP/FDS for memory forms): the last non-control
 * instruction (SDM Vol. 1 8.1.8-8.1.9). */
static void note(struct cpu *c, const struct insn *i, bool mem)
{
    struct fpu *f = &c->fpu;
    unsigned esc = i->op & 7;
    f->fop = (uint16_t)(esc << 8 | i->modrm);
    f->fip = c->prev_eip;
    f->fcs = c->seg[S_CS].sel;
    if (mem) {
        f->fdp = insn_ea(c, i);
        f->fds = c->seg[i->seg].sel;
    }
}

static uint32_t addr_mask(const struct insn *i) { return (i->flags & I_A32) ? 0xFFFFFFFFu : 0xFFFFu; }

static void rd_bytes(struct cpu *c, const struct insn *i, uint32_t off, uint8_t *b, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        b[k] = cpu_rd8(c, i->seg, (off + k) & addr_mask(i));
}

/* The last byte first: a fault on the operand's last page comes before
 * anything is written (a fault on its first page then re-executes an
 * instruction that writes the same bytes). */
static void wr_bytes(struct cpu *c, const struct insn *i, uint32_t off, const uint8_t *b, unsigned n)
{
    cpu_wr8(c, i->seg, (off + n - 1) & addr_mask(i), b[n - 1]);
    for (unsigned k = 0; k < n; k++)
        cpu_wr8(c, i->seg, (off + k) & addr_mask(i), b[k]);
}

static uint64_t rd64(struct cpu *c, const struct insn *i, uint32_t off)
{
    uint8_t b[8];
    rd_bytes(c, i, off, b, 8);
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--)
        v = v << 8 | b[k];
    return v;
}

static void put_le(uint8_t *b, uint64_t v, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        b[k] = (uint8_t)(v >> (8 * k));
}

static fx80 get80(const uint8_t *b)
{
    fx80 v = { 0, 0 };
    for (int k = 7; k >= 0; k--)
        v.sig = v.sig << 8 | b[k];
    v.se = (uint16_t)(b[8] | b[9] << 8);
    return v;
}

static void put80(uint8_t *b, fx80 v)
{
    put_le(b, v.sig, 8);
    b[8] = (uint8_t)v.se;
    b[9] = (uint8_t)(v.se >> 8);
}

/* Exceptions that keep a memory destination from being written. */
static bool store_ok(const struct cpu *c, unsigned exc)
{
    return !(exc & ~c->fpu.cw & (FX_IE | FX_DE | FX_ZE | FX_OE | FX_UE));
}

/* ---------------- arithmetic ---------------- */

enum { A_ADD, A_MUL, A_COM, A_COMP, A_SUB, A_SUBR, A_DIV, A_DIVR };

static fx80 apply(struct fx_env *e, unsigned op, fx80 x, fx80 y)
{
    switch (op) {
    case A_ADD: return fx_add(e, x, y);
    case A_MUL: return fx_mul(e, x, y);
    case A_SUB: return fx_sub(e, x, y);
    case A_SUBR: return fx_sub(e, y, x);
    case A_DIV: return fx_div(e, x, y);
    default: return fx_div(e, y, x);
    }
}

/* ST(dst) = ST(dst) op y; pops after when asked.  y_empty: y is a
 * register that is empty (stack underflow). */
static void arith(struct cpu *c, unsigned op, unsigned dst, fx80 y, bool y_empty, bool pop,
                  unsigned load_exc)
{
    fx80 r;
    if (fpu_empty(c, dst) || y_empty) {
        if (!fpu_stack_fault(c, false))
            return;
        r = fx_indefinite();
    } else {
        struct fx_env e = fpu_env(c);
        r = apply(&e, op, fpu_st(c, dst), y);
        /* a denormal memory operand's DE, unless x/0 raised ZE alone */
        if (!(e.exc & FX_ZE))
            e.exc |= (uint16_t)load_exc;
        if (!fpu_result(c, &e))
            return;
    }
    fpu_set_st(c, dst, r);
    if (pop)
        fpu_pop(c);
}

/* FCOM family: compare ST(0) with y; C3 C2 C0 (or ZF PF CF for FCOMI). */
static void compare(struct cpu *c, fx80 y, bool y_empty, bool quiet, unsigned pops, bool eflags,
                    unsigned load_exc)
{
    int r;
    struct fx_env e = fpu_env(c);
    e.exc = (uint16_t)load_exc;
    if (fpu_empty(c, 0) || y_empty) {
        e.exc = FX_IE | FX_SF;
        r = 2;
    } else {
        r = fx_compare(&e, fpu_st(c, 0), y, quiet);
    }
    /* FCOM* clear C1; FCOMI* leave it, but for a stack underflow (measured
     * against the host x87). */
    if (!eflags || (e.exc & FX_SF))
        fpu_set_c1(c, false);
    bool done = fpu_signal(c, e.exc);
    /* The condition codes are written even when an unmasked invalid
     * operand stops the instruction (unordered; measured), the pops not. */
    if (eflags) {
        static const uint32_t fl[4] = { F_CF, F_ZF, 0, F_ZF | F_PF | F_CF };
        cpu_set_eflags(c, fl[r + 1], F_ZF | F_PF | F_CF | F_OF | F_SF | F_AF);
    } else {
        static const uint16_t cc[4] = { SW_C0, SW_C3, 0, SW_C3 | SW_C2 | SW_C0 };
        c->fpu.sw = (uint16_t)((c->fpu.sw & ~(SW_C0 | SW_C2 | SW_C3)) | cc[r + 1]);
    }
    if (!done)
        return;
    while (pops--)
        fpu_pop(c);
}

/* Memory operand of the D8/DA/DC/DE arithmetic rows. */
enum { M_F32, M_I32, M_F64, M_I16 };

static fx80 load_mem(struct cpu *c, const struct insn *i, unsigned kind, unsigned *exc)
{
    uint32_t off = insn_ea(c, i);
    struct fx_env e = fpu_env(c);
    fx80 v;
    switch (kind) {
    case M_F32: v = fx_from_f32(&e, cpu_rd32(c, i->seg, off)); break;
    case M_I32: v = fx_from_int(cpu_rd32(c, i->seg, off), 32); break;
    case M_F64: v = fx_from_f64(&e, rd64(c, i, off)); break;
    default: v = fx_from_int(cpu_rd16(c, i->seg, off), 16); break;
    }
    *exc = e.exc;
    return v;
}

/* A memory operand of an arithmetic instruction: an SNaN stays signaling
 * (the operation applies the NaN rules to it, as to a register: measured
 * against the host x87), and its DE counts only when no NaN decides the
 * result. */
static fx80 load_operand(struct cpu *c, const struct insn *i, unsigned kind, unsigned *exc)
{
    fx80 v = load_mem(c, i, kind, exc);
    if (*exc & FX_IE) {
        v.sig &= ~0x4000000000000000ull;
        *exc &= ~(unsigned)FX_IE;
    }
    if (fx_is_nan(v) || (!fpu_empty(c, 0) && (fx_is_nan(fpu_st(c, 0)) ||
                                              fx_classify(fpu_st(c, 0)) == FXC_UNSUPPORTED)))
        *exc &= ~(unsigned)FX_DE;
    return v;
}

static void arith_mem(struct cpu *c, const struct insn *i, unsigned kind)
{
    ENTER_M();
    unsigned exc;
    fx80 y = load_operand(c, i, kind, &exc);
    note(c, i, true);
    unsigned op = i->reg;
    if (op == A_COM || op == A_COMP)
        compare(c, y, false, false, op == A_COMP, false, exc);
    else
        arith(c, op, 0, y, false, false, exc);
}

/* D8 /r reg: ST(0) = ST(0) op ST(i); DC/DE reg: ST(i) = ST(i) op ST(0)
 * with /4../7 naming FSUBR FSUB FDIVR FDIV (SDM opcode map table A-10). */
static void arith_reg(struct cpu *c, const struct insn *i, bool to_sti, bool pop)
{
    ENTER_R();
    note(c, i, false);
    unsigned op = i->reg;
    if (op == A_COM || op == A_COMP) {
        compare(c, fpu_st(c, i->rm), fpu_empty(c, i->rm), false, op == A_COMP, false, 0);
        return;
    }
    if (to_sti) {
        if (op >= A_SUB)
            op ^= 1;
        arith(c, op, i->rm, fpu_st(c, 0), fpu_empty(c, 0), pop, 0);
    } else {
        arith(c, op, 0, fpu_st(c, i->rm), fpu_empty(c, i->rm), pop, 0);
    }
}

#define ARITH_ROW(B, R)                                                              \
    HANDLER(op_F_D8_##R##_m) { arith_mem(c, i, M_F32); }                             \
    HANDLER(op_F_D8_##R##_r) { arith_reg(c, i, false, false); }                      \
    HANDLER(op_F_DC_##R##_m) { arith_mem(c, i, M_F64); }                             \
    HANDLER(op_F_DC_##R##_r) { arith_reg(c, i, true, false); }
ARITH_ROW(D8, 0)
ARITH_ROW(D8, 1)
ARITH_ROW(D8, 2)
ARITH_ROW(D8, 3)
ARITH_ROW(D8, 4)
ARITH_ROW(D8, 5)
ARITH_ROW(D8, 6)
ARITH_ROW(D8, 7)

HANDLER(op_F_DA_0_m) { arith_mem(c, i, M_I32); }
HANDLER(op_F_DA_1_m) { arith_mem(c, i, M_I32); }
HANDLER(op_F_DA_2_m) { arith_mem(c, i, M_I32); }
HANDLER(op_F_DA_3_m) { arith_mem(c, i, M_I32); }
HANDLER(op_F_DA_4_m) { arith_mem(c, i, M_I32); }
HANDLER(op_F_DA_5_m) { arith_mem(c, i, M_I32); }
HANDLER(op_F_DA_6_m) { arith_mem(c, i, M_I32); }
HANDLER(op_F_DA_7_m) { arith_mem(c, i, M_I32); }
HANDLER(op_F_DE_0_m) { arith_mem(c, i, M_I16); }
HANDLER(op_F_DE_1_m) { arith_mem(c, i, M_I16); }
HANDLER(op_F_DE_2_m) { arith_mem(c, i, M_I16); }
HANDLER(op_F_DE_3_m) { arith_mem(c, i, M_I16); }
HANDLER(op_F_DE_4_m) { arith_mem(c, i, M_I16); }
HANDLER(op_F_DE_5_m) { arith_mem(c, i, M_I16); }
HANDLER(op_F_DE_6_m) { arith_mem(c, i, M_I16); }
HANDLER(op_F_DE_7_m) { arith_mem(c, i, M_I16); }
/* DE reg: FADDP FMULP (FCOMP alias) FCOMPP FSUBRP FSUBP FDIVRP FDIVP. */
HANDLER(op_F_DE_0_r) { arith_reg(c, i, true, true); }
HANDLER(op_F_DE_1_r) { arith_reg(c, i, true, true); }
HANDLER(op_F_DE_2_r)    /* DE D0+i: FCOMP alias */
{
    ENTER_R();
    note(c, i, false);
    compare(c, fpu_st(c, i->rm), fpu_empty(c, i->rm), false, 1, false, 0);
}
HANDLER(op_F_DE_4_r) { arith_reg(c, i, true, true); }
HANDLER(op_F_DE_5_r) { arith_reg(c, i, true, true); }
HANDLER(op_F_DE_6_r) { arith_reg(c, i, true, true); }
HANDLER(op_F_DE_7_r) { arith_reg(c, i, true, true); }

static void reserved(struct cpu *c, const struct insn *i, bool mem)
{
    /* Reserved x87 encodings: #UD on the FPU's CPUs (checked after the
     * coprocessor checks; nothing to do without one). */
    if (!c->model->fpu) {
        no_coprocessor(c, i, mem);
        return;
    }
    cpu_raise(c, EX_UD);
}

HANDLER(op_F_DE_3_r)    /* DE D9: FCOMPP */
{
    if (i->rm != 1) {
        reserved(c, i, false);
        return;
    }
    ENTER_R();
    note(c, i, false);
    compare(c, fpu_st(c, 1), fpu_empty(c, 1), false, 2, false, 0);
}

HANDLER(op_F_DA_5_r)    /* DA E9: FUCOMPP */
{
    if (i->rm != 1) {
        reserved(c, i, false);
        return;
    }
    ENTER_R();
    note(c, i, false);
    compare(c, fpu_st(c, 1), fpu_empty(c, 1), true, 2, false, 0);
}

/* ---------------- P6: FCMOVcc, FCOMI family ---------------- */

static void need_p6(struct cpu *c, const struct insn *i)
{
    if (c->model->gen < GEN_PENTIUM2)
        reserved(c, i, false);
}

/* FCMOVcc: DA /0-3 B E BE U, DB /0-3 the negations (Jcc codes 2 4 6 10). */
static void fcmov(struct cpu *c, const struct insn *i, bool negate)
{
    static const unsigned cc[4] = { 2, 4, 6, 10 };
    need_p6(c, i);
    if (!c->model->fpu)
        return;
    ENTER_R();
    note(c, i, false);
    if (fpu_empty(c, 0) || fpu_empty(c, i->rm)) {
        if (fpu_stack_fault(c, false))
            fpu_set_st(c, 0, fx_indefinite());
        return;
    }
    /* C1 is left alone (measured; the SDM only defines it for underflow) */
    if (cond(c, cc[i->reg] ^ negate))
        fpu_set_st(c, 0, fpu_st(c, i->rm));
}

HANDLER(op_F_DA_0_r) { fcmov(c, i, false); }
HANDLER(op_F_DA_1_r) { fcmov(c, i, false); }
HANDLER(op_F_DA_2_r) { fcmov(c, i, false); }
HANDLER(op_F_DA_3_r) { fcmov(c, i, false); }
HANDLER(op_F_DB_0_r) { fcmov(c, i, true); }
HANDLER(op_F_DB_1_r) { fcmov(c, i, true); }
HANDLER(op_F_DB_2_r) { fcmov(c, i, true); }
HANDLER(op_F_DB_3_r) { fcmov(c, i, true); }

static void fcomi(struct cpu *c, const struct insn *i, bool quiet, bool pop)
{
    need_p6(c, i);
    if (!c->model->fpu)
        return;
    ENTER_R();
    note(c, i, false);
    compare(c, fpu_st(c, i->rm), fpu_empty(c, i->rm), quiet, pop, true, 0);
}

HANDLER(op_F_DB_5_r) { fcomi(c, i, true, false); }
HANDLER(op_F_DB_6_r) { fcomi(c, i, false, false); }
HANDLER(op_F_DF_5_r) { fcomi(c, i, true, true); }
HANDLER(op_F_DF_6_r) { fcomi(c, i, false, true); }

/* FUCOM/FUCOMP ST(i) (DD /4, /5), FCOM/FCOMP aliases (DC /2 /3 handled by
 * arith_reg). */
HANDLER(op_F_DD_4_r)
{
    ENTER_R();
    note(c, i, false);
    compare(c, fpu_st(c, i->rm), fpu_empty(c, i->rm), true, 0, false, 0);
}
HANDLER(op_F_DD_5_r)
{
    ENTER_R();
    note(c, i, false);
    compare(c, fpu_st(c, i->rm), fpu_empty(c, i->rm), true, 1, false, 0);
}

/* ---------------- loads ---------------- */

/* Push v (with exceptions exc from its conversion). */
static void push_value(struct cpu *c, fx80 v, unsigned exc)
{
    fpu_set_c1(c, false);
    if (!fpu_empty(c, 7)) {
        if (fpu_stack_fault(c, true))
            fpu_push(c, fx_indefinite());
        return;
    }
    /* an unmasked DE (denormal source of FLD m32/m64) does not stop the
     * load (measured) */
    if (!fpu_signal(c, exc & ~(unsigned)FX_DE))
        return;
    fpu_signal(c, exc & FX_DE);
    fpu_push(c, v);
}

static void load_push(struct cpu *c, const struct insn *i, unsigned kind)
{
    ENTER_M();
    unsigned exc;
    fx80 v = load_mem(c, i, kind, &exc);
    note(c, i, true);
    push_value(c, v, exc);
}

HANDLER(op_F_D9_0_m) { load_push(c, i, M_F32); }
HANDLER(op_F_DB_0_m) { load_push(c, i, M_I32); }
HANDLER(op_F_DD_0_m) { load_push(c, i, M_F64); }
HANDLER(op_F_DF_0_m) { load_push(c, i, M_I16); }

HANDLER(op_F_DF_5_m)    /* FILD m64 */
{
    ENTER_M();
    fx80 v = fx_from_int(rd64(c, i, insn_ea(c, i)), 64);
    note(c, i, true);
    push_value(c, v, 0);
}

HANDLER(op_F_DB_5_m)    /* FLD m80: a copy, no conversion exceptions */
{
    ENTER_M();
    uint8_t b[10];
    rd_bytes(c, i, insn_ea(c, i), b, 10);
    note(c, i, true);
    push_value(c, get80(b), 0);
}

HANDLER(op_F_DF_4_m)    /* FBLD */
{
    ENTER_M();
    uint8_t b[10];
    rd_bytes(c, i, insn_ea(c, i), b, 10);
    note(c, i, true);
    push_value(c, fx_from_bcd(b), 0);
}

HANDLER(op_F_D9_0_r)    /* FLD ST(i) */
{
    ENTER_R();
    note(c, i, false);
    if (fpu_empty(c, i->rm)) {
        /* an empty source is an underflow (C1 = 0) even when the push
         * would overflow as well (measured) */
        if (fpu_stack_fault(c, false))
            fpu_push(c, fx_indefinite());
        return;
    }
    push_value(c, fpu_st(c, i->rm), 0);
}

/* ---------------- stores ---------------- */

/* ST(0), or the indefinite after a masked stack underflow.  Returns false
 * (nothing to store) on an unmasked one. */
static bool st0_or_underflow(struct cpu *c, fx80 *v, bool *under)
{
    *under = fpu_empty(c, 0);
    if (!*under) {
        *v = fpu_st(c, 0);
        return true;
    }
    if (c->fpu.cw & FX_IE) {
        *v = fx_indefinite();
        return true;
    }
    fpu_stack_fault(c, false);
    return false;
}

enum { S_F32, S_F64, S_I16, S_I32, S_I64, S_F80, S_BCD };

static void store(struct cpu *c, const struct insn *i, unsigned kind, bool pop)
{
    ENTER_M();
    fx80 v;
    bool under;
    if (!st0_or_underflow(c, &v, &under)) {
        note(c, i, true);
        return;
    }
    struct fx_env e = fpu_env(c);
    uint8_t b[10];
    unsigned n;
    switch (kind) {
    case S_F32: put_le(b, fx_to_f32(&e, v), 4); n = 4; break;
    case S_F64: put_le(b, fx_to_f64(&e, v), 8); n = 8; break;
    case S_I16: put_le(b, fx_to_int(&e, v, 16, false), 2); n = 2; break;
    case S_I32: put_le(b, fx_to_int(&e, v, 32, false), 4); n = 4; break;
    case S_I64: put_le(b, fx_to_int(&e, v, 64, false), 8); n = 8; break;
    case S_F80: put80(b, v); n = 10; break;
    default: fx_to_bcd(&e, v, b); n = 10; break;
    }
    if (under)
        e.exc = FX_IE | FX_SF;
    unsigned unmasked = e.exc & ~c->fpu.cw & 0x3F;
    if (store_ok(c, e.exc))
        wr_bytes(c, i, insn_ea(c, i), b, n);
    note(c, i, true);
    if (unmasked & (FX_OE | FX_UE) && !(unmasked & (FX_IE | FX_DE | FX_ZE))) {
        /* unmasked overflow/underflow to memory: nothing stored, only
         * OE/UE flagged (no PE, C1 = 0; measured), no pop */
        fpu_set_c1(c, false);
        fpu_signal(c, e.exc & (FX_OE | FX_UE));
        return;
    }
    fpu_set_c1(c, !under && !(unmasked & (FX_IE | FX_DE | FX_ZE)) && e.c1);
    if (!fpu_signal(c, e.exc))
        return;
    if (pop)
        fpu_pop(c);
}

HANDLER(op_F_D9_2_m) { store(c, i, S_F32, false); }
HANDLER(op_F_D9_3_m) { store(c, i, S_F32, true); }
HANDLER(op_F_DD_2_m) { store(c, i, S_F64, false); }
HANDLER(op_F_DD_3_m) { store(c, i, S_F64, true); }
HANDLER(op_F_DB_2_m) { store(c, i, S_I32, false); }
HANDLER(op_F_DB_3_m) { store(c, i, S_I32, true); }
HANDLER(op_F_DF_2_m) { store(c, i, S_I16, false); }
HANDLER(op_F_DF_3_m) { store(c, i, S_I16, true); }
HANDLER(op_F_DF_7_m) { store(c, i, S_I64, true); }
HANDLER(op_F_DB_7_m) { store(c, i, S_F80, true); }
HANDLER(op_F_DF_6_m) { store(c, i, S_BCD, true); }

/* FST/FSTP ST(i) (DD /2 /3; D9 /3, DF /2 /3 are FSTP aliases). */
static void fst_reg(struct cpu *c, const struct insn *i, bool pop)
{
    ENTER_R();
    note(c, i, false);
    fx80 v;
    bool under;
    fpu_set_c1(c, false);
    if (!st0_or_underflow(c, &v, &under))
        return;
    if (under)
        fpu_signal(c, FX_IE | FX_SF);
    fpu_set_st(c, i->rm, v);
    if (pop)
        fpu_pop(c);
}

HANDLER(op_F_DD_2_r) { fst_reg(c, i, false); }
HANDLER(op_F_DD_3_r) { fst_reg(c, i, true); }
/* D9 D8+i, "FSTP1" / Capstone's fstpnce: FSTP ST(i) without the empty
 * check: an empty ST(0) is just popped, with no exception (measured
 * against the host x87). */
HANDLER(op_F_D9_3_r)
{
    ENTER_R();
    note(c, i, false);
    fpu_set_c1(c, false);
    if (!fpu_empty(c, 0))
        fpu_set_st(c, i->rm, fpu_st(c, 0));
    fpu_pop(c);
}
HANDLER(op_F_DF_2_r) { fst_reg(c, i, true); }
HANDLER(op_F_DF_3_r) { fst_reg(c, i, true); }

/* FISTTP (SSE3): no pcvm model has it. */
HANDLER(op_F_DB_1_m) { reserved(c, i, true); }
HANDLER(op_F_DD_1_m) { reserved(c, i, true); }
HANDLER(op_F_DF_1_m) { reserved(c, i, true); }

/* ---------------- register operations ---------------- */

static void fxch(struct cpu *c, const struct insn *i)
{
    ENTER_R();
    note(c, i, false);
    fpu_set_c1(c, false);
    if (fpu_empty(c, 0) || fpu_empty(c, i->rm)) {
        if (!fpu_stack_fault(c, false))
            return;
        if (fpu_empty(c, 0))
            fpu_set_st(c, 0, fx_indefinite());
        if (fpu_empty(c, i->rm))
            fpu_set_st(c, i->rm, fx_indefinite());
    }
    fx80 a = fpu_st(c, 0), b = fpu_st(c, i->rm);
    fpu_set_st(c, 0, b);
    fpu_set_st(c, i->rm, a);
}

HANDLER(op_F_D9_1_r) { fxch(c, i); }
HANDLER(op_F_DD_1_r) { fxch(c, i); }
HANDLER(op_F_DF_1_r) { fxch(c, i); }

HANDLER(op_F_DD_0_r)    /* FFREE: C1 = 0 (measured) */
{
    ENTER_R();
    note(c, i, false);
    fpu_set_c1(c, false);
    fpu_set_tag(c, fpu_phys(c, i->rm), TAG_EMPTY);
}

HANDLER(op_F_DF_0_r)    /* FFREEP (undocumented: FFREE, then pop) */
{
    ENTER_R();
    note(c, i, false);
    fpu_set_c1(c, false);
    fpu_set_tag(c, fpu_phys(c, i->rm), TAG_EMPTY);
    fpu_pop(c);
}

HANDLER(op_F_D9_2_r)    /* D9 D0: FNOP */
{
    if (i->rm != 0) {
        reserved(c, i, false);
        return;
    }
    ENTER_R();
    note(c, i, false);
}

/* One-operand ST(0) operations: underflow handling around f. */
static bool st0_ready(struct cpu *c)
{
    if (!fpu_empty(c, 0))
        return true;
    if (fpu_stack_fault(c, false))
        fpu_set_st(c, 0, fx_indefinite());
    return false;
}

static void unary(struct cpu *c, fx80 (*f)(struct fx_env *, fx80))
{
    if (!st0_ready(c))
        return;
    struct fx_env e = fpu_env(c);
    fx80 r = f(&e, fpu_st(c, 0));
    if (fpu_result(c, &e))
        fpu_set_st(c, 0, r);
}

static void fxam(struct cpu *c)
{
    fx80 v = fpu_st(c, 0);
    uint16_t cc;
    if (fpu_empty(c, 0)) {
        cc = SW_C3 | SW_C0;
    } else {
        switch (fx_classify(v)) {
        case FXC_ZERO: cc = SW_C3; break;
        case FXC_DENORMAL: cc = SW_C3 | SW_C2; break;
        case FXC_NORMAL: cc = SW_C2; break;
        case FXC_INF: cc = SW_C2 | SW_C0; break;
        case FXC_QNAN: case FXC_SNAN: cc = SW_C0; break;
        default: cc = 0; break;
        }
    }
    if (fx_sign(v))
        cc |= SW_C1;
    fpu_set_cc(c, cc);
}

static fx80 f_chs(struct fx_env *e, fx80 a) { (void)e; return fx_neg(a); }
static fx80 f_abs(struct fx_env *e, fx80 a) { (void)e; return fx_abs(a); }

HANDLER(op_F_D9_4_r)    /* FCHS FABS - - FTST FXAM */
{
    unsigned k = i->rm;
    if (k == 2 || k == 3 || k > 5) {
        reserved(c, i, false);
        return;
    }
    ENTER_R();
    note(c, i, false);
    switch (k) {
    case 0: unary(c, f_chs); break;
    case 1: unary(c, f_abs); break;
    case 4: compare(c, fx_make(false, 0, 0), false, false, 0, false, 0); break;
    default: fxam(c); break;
    }
}

HANDLER(op_F_D9_5_r)    /* FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ */
{
    if (i->rm == 7) {
        reserved(c, i, false);
        return;
    }
    ENTER_R();
    note(c, i, false);
    push_value(c, fx_const(i->rm, (c->fpu.cw >> 10) & 3), 0);
}

static fx80 f_sqrt(struct fx_env *e, fx80 a) { return fx_sqrt(e, a); }
static fx80 f_rndint(struct fx_env *e, fx80 a) { return fx_rndint(e, a); }
static fx80 f_f2xm1(struct fx_env *e, fx80 a) { return fx_f2xm1(e, a); }

/* Two-operand ST(1), ST(0) operations that pop: FYL2X, FYL2XP1, FPATAN. */
static void binary_pop(struct cpu *c, fx80 (*f)(struct fx_env *, fx80 st0, fx80 st1))
{
    if (fpu_empty(c, 0) || fpu_empty(c, 1)) {
        if (!fpu_stack_fault(c, false))
            return;
        fpu_set_st(c, 1, fx_indefinite());
        fpu_pop(c);
        return;
    }
    struct fx_env e = fpu_env(c);
    fx80 r = f(&e, fpu_st(c, 0), fpu_st(c, 1));
    if (!fpu_result(c, &e))
        return;
    fpu_set_st(c, 1, r);
    fpu_pop(c);
}

static fx80 f_yl2x(struct fx_env *e, fx80 x, fx80 y) { return fx_yl2x(e, x, y); }
static fx80 f_yl2xp1(struct fx_env *e, fx80 x, fx80 y) { return fx_yl2xp1(e, x, y); }
static fx80 f_patan(struct fx_env *e, fx80 x, fx80 y) { return fx_atan2(e, y, x); }

/* FSIN/FCOS/FPTAN/FSINCOS: operand out of range (|x| >= 2^63): C2 = 1,
 * nothing else changes (SDM FSIN). */
enum { T_SIN, T_COS, T_TAN, T_SINCOS };

static void trig(struct cpu *c, unsigned kind)
{
    bool pushes = kind == T_TAN || kind == T_SINCOS;
    bool under = fpu_empty(c, 0);
    if (under || (pushes && !fpu_empty(c, 7))) {
        /* stack underflow (first) or overflow: C2 = 0; masked, ST(0) and,
         * for FPTAN/FSINCOS, the pushed ST(0) are the indefinite
         * (measured) */
        c->fpu.sw &= (uint16_t)~SW_C2;
        if (fpu_stack_fault(c, !under)) {
            fpu_set_st(c, 0, fx_indefinite());
            if (pushes)
                fpu_push(c, fx_indefinite());
        }
        return;
    }
    struct fx_env e = fpu_env(c);
    bool c2 = false;
    fx80 x = fpu_st(c, 0), r, r2 = fx_make(false, FX_BIAS, 0x8000000000000000ull);
    switch (kind) {
    case T_SIN: r = fx_sin(&e, x, &c2); break;
    case T_COS: r = fx_cos(&e, x, &c2); break;
    case T_TAN: r = fx_tan(&e, x, &c2); break;
    default: r = fx_sincos(&e, x, &r2, &c2); break;
    }
    c->fpu.sw = (uint16_t)((c->fpu.sw & ~SW_C2) | (c2 ? SW_C2 : 0));
    if (c2) {
        fpu_set_c1(c, false);
        return;
    }
    if (!fpu_result(c, &e))
        return;
    fpu_set_st(c, 0, r);
    if (kind == T_SINCOS)
        fpu_push(c, r2);                        /* sin in ST(1), cos in ST(0) */
    else if (kind == T_TAN)
        fpu_push(c, fx_is_nan(r) ? r : r2);     /* 1.0 above tan (a NaN: the NaN twice) */
}

static void fxtract(struct cpu *c)
{
    if (fpu_empty(c, 0)) {
        /* masked underflow: both results are the indefinite (measured) */
        if (fpu_stack_fault(c, false)) {
            fpu_set_st(c, 0, fx_indefinite());
            fpu_push(c, fx_indefinite());
        }
        return;
    }
    if (!fpu_empty(c, 7)) {
        if (fpu_stack_fault(c, true)) {
            fpu_set_st(c, 0, fx_indefinite());
            fpu_push(c, fx_indefinite());
        }
        return;
    }
    struct fx_env e = fpu_env(c);
    fx80 ex, sig = fx_xtract(&e, fpu_st(c, 0), &ex);
    if (!fpu_result(c, &e))
        return;
    fpu_set_st(c, 0, ex);
    fpu_push(c, sig);
}

static void fprem(struct cpu *c, bool nearest)
{
    if (fpu_empty(c, 0) || fpu_empty(c, 1)) {
        c->fpu.sw &= (uint16_t)~SW_C2;  /* C1 = C2 = 0 (measured) */
        if (fpu_stack_fault(c, false))
            fpu_set_st(c, 0, fx_indefinite());
        return;
    }
    struct fx_env e = fpu_env(c);
    uint16_t cc;
    fx80 r = fx_rem(&e, fpu_st(c, 0), fpu_st(c, 1), nearest, &cc);
    if (!fpu_signal(c, e.exc)) {
        c->fpu.sw &= (uint16_t)~(SW_C1 | SW_C2);    /* measured */
        return;
    }
    if (cc != FX_CC_KEEP)
        fpu_set_cc(c, cc);
    else
        c->fpu.sw &= (uint16_t)~(SW_C1 | SW_C2);
    fpu_set_st(c, 0, r);
}

static void fscale(struct cpu *c)
{
    if (fpu_empty(c, 0) || fpu_empty(c, 1)) {
        if (fpu_stack_fault(c, false))
            fpu_set_st(c, 0, fx_indefinite());
        return;
    }
    struct fx_env e = fpu_env(c);
    fx80 r = fx_scale(&e, fpu_st(c, 0), fpu_st(c, 1));
    if (fpu_result(c, &e))
        fpu_set_st(c, 0, r);
}

static void set_top(struct cpu *c, unsigned top)
{
    c->fpu.sw = (uint16_t)((c->fpu.sw & ~SW_TOP) | ((top & 7) << 11));
    fpu_set_c1(c, false);
}

HANDLER(op_F_D9_6_r)    /* F2XM1 FYL2X FPTAN FPATAN FXTRACT FPREM1 FDECSTP FINCSTP */
{
    ENTER_R();
    note(c, i, false);
    switch (i->rm) {
    case 0: unary(c, f_f2xm1); break;
    case 1: binary_pop(c, f_yl2x); break;
    case 2: trig(c, T_TAN); break;
    case 3: binary_pop(c, f_patan); break;
    case 4: fxtract(c); break;
    case 5: fprem(c, true); break;
    case 6: set_top(c, fpu_top(c) - 1); break;
    default: set_top(c, fpu_top(c) + 1); break;
    }
}

HANDLER(op_F_D9_7_r)    /* FPREM FYL2XP1 FSQRT FSINCOS FRNDINT FSCALE FSIN FCOS */
{
    ENTER_R();
    note(c, i, false);
    switch (i->rm) {
    case 0: fprem(c, false); break;
    case 1: binary_pop(c, f_yl2xp1); break;
    case 2: unary(c, f_sqrt); break;
    case 3: trig(c, T_SINCOS); break;
    case 4: unary(c, f_rndint); break;
    case 5: fscale(c); break;
    case 6: trig(c, T_SIN); break;
    default: trig(c, T_COS); break;
    }
}

/* ---------------- control instructions ---------------- */

HANDLER(op_F_DB_4_r)    /* FENI FDISI FNCLEX FNINIT FSETPM (DB E0-E4) */
{
    if (i->rm > 4) {
        reserved(c, i, false);
        return;
    }
    if (!enter(c, i, false, false))
        return;
    if (i->rm == 2) {
        c->fpu.sw &= (uint16_t)~(0x00FFu | SW_B);
        fpu_update_es(c);
    } else if (i->rm == 3) {
        fpu_init(c);
    }
    /* FENI/FDISI (8087 interrupt masking) and FSETPM (287 protected
     * mode) are no-ops on the 387 and later (SDM Vol. 1 8.3.x). */
}

HANDLER(op_F_D9_5_m)    /* FLDCW */
{
    ENTER_M();
    uint16_t v = cpu_rd16(c, i->seg, insn_ea(c, i));
    c->fpu.cw = (uint16_t)((v & 0x1F3F) | 0x0040);
    fpu_update_es(c);
}

HANDLER(op_F_D9_7_m)    /* FNSTCW */
{
    if (!enter(c, i, true, false))
        return;
    cpu_wr16(c, i->seg, insn_ea(c, i), c->fpu.cw);
}

HANDLER(op_F_DD_7_m)    /* FNSTSW m16 */
{
    if (!enter(c, i, true, false))
        return;
    cpu_wr16(c, i->seg, insn_ea(c, i), c->fpu.sw);
}

HANDLER(op_F_DF_4_r)    /* DF E0: FNSTSW AX */
{
    if (i->rm != 0) {
        reserved(c, i, false);
        return;
    }
    if (!enter(c, i, false, false))
        return;
    set_r16(c, R_EAX, c->fpu.sw);
}

/* FSTENV/FLDENV images (SDM Vol. 1 figures 8-9 to 8-12): 14 bytes with a
 * 16-bit operand size, 28 with 32; the real-mode (and virtual-8086)
 * layouts hold the 20/32-bit linear instruction and operand addresses
 * and FOP, the protected-mode ones the offsets and selectors. */
static bool env_real(const struct cpu *c) { return !cpu_pe(c) || cpu_vm86(c); }

static unsigned env_image(struct cpu *c, const struct insn *i, uint8_t *b)
{
    struct fpu *f = &c->fpu;
    bool o32 = (i->flags & I_O32) != 0;
    unsigned w = o32 ? 4 : 2;
    uint16_t tw = fpu_tag_word(c);
    memset(b, 0, 28);
    put_le(b + 0 * w, f->cw | (o32 ? 0xFFFF0000u : 0), w);
    put_le(b + 1 * w, f->sw | (o32 ? 0xFFFF0000u : 0), w);
    put_le(b + 2 * w, tw | (o32 ? 0xFFFF0000u : 0), w);
    if (env_real(c)) {
        uint32_t ip = (uint32_t)(f->fcs << 4) + f->fip, dp = (uint32_t)(f->fds << 4) + f->fdp;
        if (o32) {
            put_le(b + 12, (ip & 0xFFFF) | 0xFFFF0000u, 4);
            put_le(b + 16, (uint64_t)(f->fop & 0x7FF) | (uint64_t)(ip >> 16) << 12, 4);
            put_le(b + 20, (dp & 0xFFFF) | 0xFFFF0000u, 4);
            put_le(b + 24, (uint64_t)(dp >> 16) << 12, 4);
        } else {
            put_le(b + 6, ip & 0xFFFF, 2);
            put_le(b + 8, (f->fop & 0x7FF) | ((ip >> 16) & 0xF) << 12, 2);
            put_le(b + 10, dp & 0xFFFF, 2);
            put_le(b + 12, ((dp >> 16) & 0xF) << 12, 2);
        }
    } else if (o32) {
        put_le(b + 12, f->fip, 4);
        put_le(b + 16, f->fcs | (uint64_t)(f->fop & 0x7FF) << 16, 4);
        put_le(b + 20, f->fdp, 4);
        put_le(b + 24, f->fds | 0xFFFF0000u, 4);
    } else {
        put_le(b + 6, f->fip & 0xFFFF, 2);
        put_le(b + 8, f->fcs, 2);
        put_le(b + 10, f->fdp & 0xFFFF, 2);
        put_le(b + 12, f->fds, 2);
    }
    return o32 ? 28 : 14;
}

static uint32_t le(const uint8_t *b, unsigned n)
{
    uint32_t v = 0;
    for (unsigned k = n; k-- > 0;)
        v = v << 8 | b[k];
    return v;
}

static void env_load(struct cpu *c, const struct insn *i, const uint8_t *b)
{
    struct fpu *f = &c->fpu;
    bool o32 = (i->flags & I_O32) != 0;
    unsigned w = o32 ? 4 : 2;
    f->cw = (uint16_t)((le(b, 2) & 0x1F3F) | 0x0040);
    f->sw = (uint16_t)le(b + w, 2);
    uint16_t tw = (uint16_t)le(b + 2 * w, 2);
    /* Empty stays empty; the other tags follow the registers' contents. */
    for (unsigned p = 0; p < 8; p++)
        fpu_set_tag(c, p, ((tw >> (2 * p)) & 3) == TAG_EMPTY ? TAG_EMPTY : fpu_tag_of(f->r[p]));
    if (env_real(c)) {
        uint32_t ip, dp;
        if (o32) {
            ip = (le(b + 12, 2)) | (le(b + 16, 4) >> 12) << 16;
            f->fop = (uint16_t)(le(b + 16, 2) & 0x7FF);
            dp = le(b + 20, 2) | (le(b + 24, 4) >> 12) << 16;
        } else {
            ip = le(b + 6, 2) | (le(b + 8, 2) >> 12) << 16;
            f->fop = (uint16_t)(le(b + 8, 2) & 0x7FF);
            dp = le(b + 10, 2) | (le(b + 12, 2) >> 12) << 16;
        }
        f->fip = ip;
        f->fdp = dp;
        f->fcs = f->fds = 0;
    } else if (o32) {
        f->fip = le(b + 12, 4);
        f->fcs = (uint16_t)le(b + 16, 2);
        f->fop = (uint16_t)(le(b + 18, 2) & 0x7FF);
        f->fdp = le(b + 20, 4);
        f->fds = (uint16_t)le(b + 24, 2);
    } else {
        f->fip = le(b + 6, 2);
        f->fcs = (uint16_t)le(b + 8, 2);
        f->fdp = le(b + 10, 2);
        f->fds = (uint16_t)le(b + 12, 2);
    }
    fpu_update_es(c);
}

HANDLER(op_F_D9_6_m)    /* FNSTENV: then all exceptions masked */
{
    if (!enter(c, i, true, false))
        return;
    uint8_t b[28];
    unsigned n = env_image(c, i, b);
    wr_bytes(c, i, insn_ea(c, i), b, n);
    c->fpu.cw |= 0x3F;
}

HANDLER(op_F_D9_4_m)    /* FLDENV */
{
    ENTER_M();
    uint8_t b[28];
    rd_bytes(c, i, insn_ea(c, i), b, (i->flags & I_O32) ? 28 : 14);
    env_load(c, i, b);
}

HANDLER(op_F_DD_6_m)    /* FNSAVE: environment, ST(0)..ST(7), then FNINIT */
{
    if (!enter(c, i, true, false))
        return;
    uint8_t b[108];
    unsigned n = env_image(c, i, b);
    for (unsigned k = 0; k < 8; k++)
        put80(b + n + 10 * k, fpu_st(c, k));
    wr_bytes(c, i, insn_ea(c, i), b, n + 80);
    fpu_init(c);
}

HANDLER(op_F_DD_4_m)    /* FRSTOR */
{
    ENTER_M();
    uint8_t b[108];
    unsigned n = (i->flags & I_O32) ? 28 : 14;
    rd_bytes(c, i, insn_ea(c, i), b, n + 80);
    /* The registers first (the tags are computed from them), in ST
     * order under the TOP of the loaded status word. */
    unsigned top = (le(b + ((i->flags & I_O32) ? 4 : 2), 2) >> 11) & 7;
    for (unsigned k = 0; k < 8; k++)
        c->fpu.r[(top + k) & 7] = get80(b + n + 10 * k);
    env_load(c, i, b);
}

/* Reserved memory forms: D9 /1, DB /4, DB /6, DD /5. */
HANDLER(op_F_D9_1_m) { reserved(c, i, true); }
HANDLER(op_F_DB_4_m) { reserved(c, i, true); }
HANDLER(op_F_DB_6_m) { reserved(c, i, true); }
HANDLER(op_F_DD_5_m) { reserved(c, i, true); }
/* Reserved register forms: DA /4 /6 /7, DB /7, DD /6 /7, DF /7. */
HANDLER(op_F_DA_4_r) { reserved(c, i, false); }
HANDLER(op_F_DA_6_r) { reserved(c, i, false); }
HANDLER(op_F_DA_7_r) { reserved(c, i, false); }
HANDLER(op_F_DB_7_r) { reserved(c, i, false); }
HANDLER(op_F_DD_6_r) { reserved(c, i, false); }
HANDLER(op_F_DD_7_r) { reserved(c, i, false); }
HANDLER(op_F_DF_7_r) { reserved(c, i, false); }

/* ---------------- WAIT, FXSAVE/FXRSTOR ---------------- */

/* WAIT/FWAIT: #NM when CR0.MP and CR0.TS are both set (SDM Vol. 3 table
 * 2-2); then a pending unmasked x87 exception is taken. */
HANDLER(op_WAIT)
{
    (void)i;
    if ((c->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        cpu_raise(c, EX_NM);
    if (c->model->fpu && (c->fpu.sw & SW_ES))
        pending(c);
}

/* FXSAVE/FXRSTOR 512-byte image (SDM Vol. 2 FXSAVE table 3-53): FCW FSW
 * abridged FTW FOP FIP FCS FDP FDS (MXCSR: no SSE on these models), then
 * ST0-ST7 in 16-byte slots.  #GP(0) unless 16-byte aligned. */
static uint32_t fx_addr(struct cpu *c, const struct insn *i)
{
    if (c->cr[0] & (CR0_EM | CR0_TS))
        cpu_raise(c, EX_NM);
    uint32_t off = insn_ea(c, i);
    if ((c->seg[i->seg].base + off) & 15)
        cpu_raise_err(c, EX_GP, 0);
    return off;
}

HANDLER(op_FXSAVE_m)
{
    uint32_t off = fx_addr(c, i);
    struct fpu *f = &c->fpu;
    uint8_t b[512];
    memset(b, 0, sizeof b);
    put_le(b + 0, f->cw, 2);
    put_le(b + 2, f->sw, 2);
    uint8_t ftw = 0;
    for (unsigned p = 0; p < 8; p++)
        if (fpu_tag(c, p) != TAG_EMPTY)
            ftw |= (uint8_t)(1u << p);
    b[4] = ftw;
    put_le(b + 6, f->fop, 2);
    put_le(b + 8, f->fip, 4);
    put_le(b + 12, f->fcs, 2);
    put_le(b + 16, f->fdp, 4);
    put_le(b + 20, f->fds, 2);
    for (unsigned k = 0; k < 8; k++)
        put80(b + 32 + 16 * k, fpu_st(c, k));
    wr_bytes(c, i, off, b, 512);
}

HANDLER(op_FXRSTOR_m)
{
    uint32_t off = fx_addr(c, i);
    struct fpu *f = &c->fpu;
    uint8_t b[160];
    rd_bytes(c, i, off, b, sizeof b);
    f->cw = (uint16_t)((le(b, 2) & 0x1F3F) | 0x0040);
    f->sw = (uint16_t)le(b + 2, 2);
    f->fop = (uint16_t)(le(b + 6, 2) & 0x7FF);
    f->fip = le(b + 8, 4);
    f->fcs = (uint16_t)le(b + 12, 2);
    f->fdp = le(b + 16, 4);
    f->fds = (uint16_t)le(b + 20, 2);
    unsigned top = (f->sw >> 11) & 7;
    for (unsigned k = 0; k < 8; k++)
        f->r[(top + k) & 7] = get80(b + 32 + 16 * k);
    for (unsigned p = 0; p < 8; p++)
        fpu_set_tag(c, p, (b[4] >> p & 1) ? fpu_tag_of(f->r[p]) : TAG_EMPTY);
    fpu_update_es(c);
}

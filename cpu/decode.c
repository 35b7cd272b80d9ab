/* The decoder: prefixes, opcode, ModRM/SIB, displacement and immediates
 * into a struct insn, with the handler chosen from the opcode table. */
#include "decode.h"

#include <string.h>

#include "../mmu/mem.h"
#include "debughook.h"

static uint8_t fetch(struct fetcher *f, unsigned k)
{
    struct cpu *c = f->c;
    if (unlikely(f->buf != NULL)) {
        if (k < f->buflen)
            return f->buf[k];
        f->failed = true;
        return 0;
    }
    uint32_t off = f->eip + k;
    if (!f->code32 && c->model->seg_wrap)
        off &= 0xFFFF;
    if (f->probe) {
        /* Later instructions of a block never fault here: they stop the
         * block instead, and fault when they are executed on their own. */
        if (f->failed)
            return 0;
        uint32_t lin = c->seg[S_CS].base + off;
        if ((lin & ~0xFFFu) != f->page_lin || off > c->seg[S_CS].limit) {
            f->failed = true;
            return 0;
        }
    }
    return cpu_fetch8(c, off);
}

static uint32_t fetch16(struct fetcher *f, unsigned *k)
{
    uint32_t v = fetch(f, *k) | (uint32_t)fetch(f, *k + 1) << 8;
    *k += 2;
    return v;
}

static uint32_t fetch32(struct fetcher *f, unsigned *k)
{
    uint32_t lo = fetch16(f, k);
    return lo | fetch16(f, k) << 16;
}

/* 16-bit ModRM forms: base, index and default segment by rm (SDM Vol. 2
 * table 2-1). */
static const uint8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
static const uint8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, R_ZERO, R_ZERO, R_ZERO, R_ZERO };

static void decode_modrm_mem(struct fetcher *f, struct insn *i, unsigned *k,
                             unsigned mod, unsigned rm, bool a32)
{
    if (!a32) {
        if (mod == 0 && rm == 6) {
            i->base = R_ZERO;
            i->index = R_ZERO;
            i->disp = fetch16(f, k);
            i->seg = S_DS;
            return;
        }
        i->base = base16[rm];
        i->index = index16[rm];
        i->seg = i->base == R_EBP ? S_SS : S_DS;
        if (mod == 1)
            i->disp = (uint32_t)(int8_t)fetch(f, (*k)++);
        else if (mod == 2)
            i->disp = fetch16(f, k);
        return;
    }
    if (rm == 4) {
        uint8_t sib = fetch(f, (*k)++);
        unsigned base = sib & 7, index = (sib >> 3) & 7;
        i->scale = sib >> 6;
        i->index = index == 4 ? R_ZERO : index;
        if (base == 5 && mod == 0) {
            i->base = R_ZERO;
            i->disp = fetch32(f, k);
        } else {
            i->base = base;
        }
        i->seg = (i->base == R_ESP || i->base == R_EBP) ? S_SS : S_DS;
        /* The 80386 applies a non-zero scale to the base register when
         * the SIB index field is 4, "none" (test386 README, "LEA (32-bit
         * addressing)"; later chips ignore the scale). */
        if (index == 4 && i->scale && i->base != R_ZERO && f->c->model->sib_scales_base) {
            i->index = i->base;
            i->base = R_ZERO;
        }
    } else if (rm == 5 && mod == 0) {
        i->base = R_ZERO;
        i->index = R_ZERO;
        i->disp = fetch32(f, k);
    } else {
        i->base = rm;
        i->index = R_ZERO;
    }
    if (rm != 4)
        i->seg = (i->base == R_ESP || i->base == R_EBP) ? S_SS : S_DS;
    if (mod == 1)
        i->disp = (uint32_t)(int8_t)fetch(f, (*k)++);
    else if (mod == 2)
        i->disp = fetch32(f, k);
}

/* -magic-break: xchg bx,bx (87 DB) is a no-op that stops into the
 * debugger, a convention of Bochs users.  Chosen at decode time so XCHG's
 * own handlers stay as they are. */
static HANDLER(op_magic_break)
{
    (void)i;
    c->dbg->magic_hit = true;
    cpu_request_stop(c);
}

/* An instruction where the debugger may have a breakpoint (debughook.h):
 * stop before it, or decode it again without the mark and run it. */
static HANDLER(op_dbg_break)
{
    struct cpu_dbg_hooks *h = c->dbg;
    if (h->bp_exec(h->opaque)) {
        c->eip = c->prev_eip;   /* not executed: the loop counts it, undo that */
        c->icount--;
        cpu_request_stop(c);
        return;
    }
    struct insn real;
    struct fetcher f = { .c = c, .eip = c->prev_eip, .code32 = cpu_code32(c) };
    const struct optable *t = optable_for(c->model->gen);
    h->bp_on = false;
    decode_insn(&f, t, &real);
    h->bp_on = true;
    (void)i;
    real.fn(c, &real);
    /* An unfinished REP runs again from the same EIP (exec_string.c):
     * that is a continuation, not a new arrival at the breakpoint (a jump
     * to itself is not one). */
    h->rep_cont = c->eip == c->prev_eip && (real.flags & (I_REP | I_REPNE)) &&
                  (t->d[real.op][real.row].attrs & A_REP);
    h->rep_icount = c->icount + 1;
    h->rep_eip = c->prev_eip;
}

static HANDLER(op_too_long)
{
    (void)i;
    cpu_raise_err(c, c->model->long_insn_vector, 0);
}

/* Upper bound on prefix bytes before we stop looking (the 8086 has no
 * length limit; this only keeps a page of prefixes finite). */
#define MAX_SCAN 64

void decode_insn(struct fetcher *f, const struct optable *t, struct insn *i)
{
    struct cpu *c = f->c;
    int gen = c->model->gen;
    bool o32 = f->code32, a32 = f->code32;
    int seg = -1;
    unsigned k = 0;
    uint8_t b;

    memset(i, 0, sizeof *i);
    for (;;) {
        b = fetch(f, k++);
        if (k >= MAX_SCAN)
            break;
        switch (b) {
        case 0x26: seg = S_ES; continue;
        case 0x2E: seg = S_CS; continue;
        case 0x36: seg = S_SS; continue;
        case 0x3E: seg = S_DS; continue;
        case 0x64: if (gen >= GEN_80386) { seg = S_FS; continue; } break;
        case 0x65: if (gen >= GEN_80386) { seg = S_GS; continue; } break;
        case 0x66: if (gen >= GEN_80386) { o32 = !f->code32; continue; } break;
        case 0x67: if (gen >= GEN_80386) { a32 = !f->code32; continue; } break;
        case 0xF0: i->flags |= I_LOCK; continue;
        /* Before the 386, F1 is an undocumented alias of LOCK. */
        case 0xF1: if (gen < GEN_80386) { i->flags |= I_LOCK; continue; } break;
        case 0xF2: i->flags = (i->flags & ~I_REP) | I_REPNE; continue;
        case 0xF3: i->flags = (i->flags & ~I_REPNE) | I_REP; continue;
        default: break;
        }
        break;
    }
    i->nprefix = (uint8_t)(k - 1);

    unsigned code = b;
    if (b == 0x0F && gen >= GEN_80286)
        code = 0x100 | fetch(f, k++);

    /* Every row of an opcode agrees on whether it has ModRM. */
    const struct opdesc *d0 = &t->d[code][0];
    bool has_modrm = false;
    for (int r = 0; r < 8; r++)
        if (t->d[code][r].present && (t->d[code][r].attrs & A_MODRM))
            has_modrm = true;

    bool is_mem = false;
    unsigned reg = code & 7;
    if (has_modrm) {
        uint8_t modrm = fetch(f, k++);
        unsigned mod = modrm >> 6, rm = modrm & 7;
        reg = (modrm >> 3) & 7;
        i->modrm = modrm;
        i->rm = rm;
        const struct opdesc *d = &t->d[code][t->group[code] ? reg : 0];
        if (mod != 3 && !(d->attrs & A_MODREG)) {
            is_mem = true;
            decode_modrm_mem(f, i, &k, mod, rm, a32);
        }
    }
    if (!is_mem) {
        i->base = R_ZERO;
        i->index = R_ZERO;
        i->seg = S_DS; /* string ops, XLAT, moffs use DS by default */
    }
    if (seg >= 0) {
        i->seg = (uint8_t)seg;
        i->flags |= I_SEGOVR;
    }
    i->reg = (uint8_t)reg;
    i->row = (uint8_t)(t->group[code] ? reg : 0);
    const struct opdesc *d = &t->d[code][i->row];
    (void)d0;

    switch (d->attrs & IMM_MASK) {
    case IMM_B: i->imm = fetch(f, k++); break;
    case IMM_BS:
    case IMM_J8: i->imm = (uint32_t)(int8_t)fetch(f, k++); break;
    case IMM_W: i->imm = fetch16(f, &k); break;
    case IMM_V: i->imm = o32 ? fetch32(f, &k) : fetch16(f, &k); break;
    case IMM_JV: i->imm = o32 ? fetch32(f, &k) : (uint32_t)(int16_t)fetch16(f, &k); break;
    case IMM_A: i->disp = a32 ? fetch32(f, &k) : fetch16(f, &k); break;
    case IMM_P:
        i->imm = o32 ? fetch32(f, &k) : fetch16(f, &k);
        i->imm2 = (uint16_t)fetch16(f, &k);
        break;
    case IMM_WB:
        i->imm = fetch16(f, &k);
        i->imm2 = fetch(f, k++);
        break;
    default: break;
    }

    i->len = (uint8_t)k;
    i->op = (uint16_t)code;
    if (o32) i->flags |= I_O32;
    if (a32) i->flags |= I_A32;
    i->fn = d->fn[is_mem][o32];
    if (unlikely(c->dbg != NULL) && c->dbg->magic_break && code == 0x87 && i->modrm == 0xDB)
        i->fn = op_magic_break;

    /* 386+: LOCK is only valid on a read-modify-write memory operand
     * (SDM Vol. 2 "LOCK"); earlier chips ignore it. */
    if ((i->flags & I_LOCK) && gen >= GEN_80386 && (!(d->attrs & A_LOCK) || !is_mem))
        i->fn = op_UD;
    if (c->model->max_insn_len && k > c->model->max_insn_len)
        i->fn = op_too_long;
    if (unlikely(c->dbg != NULL) && c->dbg->bp_on && f->buf == NULL &&
        c->dbg->bp_candidate(c->dbg->opaque, c->seg[S_CS].base + f->eip, f->eip))
        i->fn = op_dbg_break;
}

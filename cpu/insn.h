/* The decoded instruction: a small fixed struct with the handler chosen at
 * decode time.  A block of these is what the interpreter runs and what the
 * JIT will translate.
 *
 * Handler contract (see cpu/exec.c):
 *   - on entry c->prev_eip is this instruction's EIP and c->eip already
 *     points past it (the fall-through address, wrapped to 16 bits for
 *     16-bit code); a branch simply assigns c->eip;
 *   - a fault calls cpu_raise*(); the loop restores EIP = prev_eip, so a
 *     handler must not change architectural state before it can no longer
 *     fault (read operands, write memory, then registers and flags);
 *   - register-form and memory-form handlers are separate, so handlers
 *     never test ModRM.mod.
 */
#ifndef PCVM_INSN_H
#define PCVM_INSN_H

#include <stdint.h>

#include "cpu.h"

struct insn;
typedef void (*insn_fn)(struct cpu *c, const struct insn *i);

/* insn.flags */
enum {
    I_O32 = 1u << 0,     /* 32-bit operand size */
    I_A32 = 1u << 1,     /* 32-bit address size */
    I_REP = 1u << 2,     /* F3 prefix (REP/REPE) */
    I_REPNE = 1u << 3,   /* F2 prefix (REPNE) */
    I_LOCK = 1u << 4,    /* F0 prefix */
    I_SEGOVR = 1u << 5,  /* a segment override prefix was given */
};

struct insn {
    insn_fn fn;
    uint32_t disp;       /* displacement, or the moffs of A0-A3 */
    uint32_t imm;        /* immediate (sign-extended for IMM_BS/J8/JV), far offset */
    uint16_t imm2;       /* far-pointer selector (IMM_P), ENTER nesting level (IMM_WB) */
    uint16_t op;         /* opcode code 0x000-0x1FF (index of the table row) */
    uint8_t len;         /* bytes, prefixes included */
    uint8_t flags;       /* I_* */
    uint8_t modrm;       /* raw ModRM byte (0 when none) */
    uint8_t reg;         /* ModRM.reg, or opcode & 7 for "+r" opcodes */
    uint8_t rm;          /* ModRM.rm (register number for register forms) */
    uint8_t base;        /* EA base register, R_ZERO when none */
    uint8_t index;       /* EA index register, R_ZERO when none */
    uint8_t scale;       /* EA index shift, 0-3 */
    uint8_t seg;         /* segment of the memory operand (S_*), or the
                            default DS/SS when there is no ModRM memory */
    uint8_t nprefix;     /* number of prefix bytes */
    uint8_t row;         /* which ModRM.reg row of a group was chosen */
    uint8_t pad;
};

/* Effective address (offset within i->seg) of the memory operand. */
static inline uint32_t insn_ea(const struct cpu *c, const struct insn *i)
{
    uint32_t ea = c->reg[i->base] + (c->reg[i->index] << i->scale) + i->disp;
    return (i->flags & I_A32) ? ea : (ea & 0xFFFF);
}

/* ---------------- opcode-table vocabulary ---------------- */
#define ANY (-1)

/* ATTRS: low bits are the immediate kind, then A_* flags. */
enum {
    IMM_NONE = 0,
    IMM_B,      /* 8-bit, zero-extended */
    IMM_BS,     /* 8-bit, sign-extended to 32 */
    IMM_W,      /* 16-bit */
    IMM_V,      /* 16 or 32 bits by operand size */
    IMM_A,      /* moffs: 16 or 32 bits by address size, into disp */
    IMM_P,      /* far pointer: offset (v) into imm, selector into imm2 */
    IMM_WB,     /* ENTER: 16-bit size into imm, 8-bit level into imm2 */
    IMM_J8,     /* rel8, sign-extended */
    IMM_JV,     /* rel16/32 by operand size, sign-extended */
    IMM_MASK = 0xF,
};
enum {
    A_MODRM = 1u << 4,   /* has a ModRM byte */
    A_MODREG = 1u << 5,  /* ModRM.mod ignored: rm is always a register */
    A_END = 1u << 6,     /* ends a decoded block (branches, mode changes) */
    A_LOCK = 1u << 7,    /* LOCK prefix allowed with a memory operand */
    A_REP = 1u << 8,     /* string instruction: REP prefixes apply */
};

/* One decoder entry, built from the table (cpu/optable.c). */
struct opdesc {
    insn_fn fn[2][2];    /* [is_memory][o32] */
    const char *mnem;
    uint16_t attrs;
    uint8_t gen;         /* first generation (OP) / last generation (OLD) */
    uint8_t present;
};

/* [code 0..511][ModRM.reg 0..7] for the current generation. */
struct optable {
    struct opdesc d[512][8];
    uint8_t group[512];  /* rows differ by ModRM.reg */
};
/* Tables per generation, built once on first use (read-only after). */
const struct optable *optable_for(int gen);
/* Mnemonic for a decoded instruction ("a/b" forms resolved by operand size,
 * "a|b" forms by address size). */
const char *insn_mnemonic(const struct cpu *c, const struct insn *i, char *buf, unsigned n);

/* ---------------- handler declarations from the table ---------------- */
#define HANDLER(name) void name(struct cpu *c, const struct insn *i)

HANDLER(op_UD);           /* raises #UD */

#define DECL_RMV(N) HANDLER(op_##N##_r16); HANDLER(op_##N##_r32); \
                    HANDLER(op_##N##_m16); HANDLER(op_##N##_m32);
#define DECL_RMB(N) HANDLER(op_##N##_r); HANDLER(op_##N##_m);
#define DECL_MV(N) HANDLER(op_##N##_m16); HANDLER(op_##N##_m32);
#define DECL_MB(N) HANDLER(op_##N##_m);
#define DECL_V(N) HANDLER(op_##N##_16); HANDLER(op_##N##_32);
#define DECL_B(N) HANDLER(op_##N);
#define OP(code, reg, N, mn, FORM, attrs, gen) DECL_##FORM(N)
#define OLD(code, reg, N, mn, FORM, attrs, gen) DECL_##FORM(N)
#include "opcodes.def"
#undef OP
#undef OLD

/* ---------------- helpers shared by handlers ---------------- */
/* Operand-size mask for EIP updates by near branches. */
static inline uint32_t ip_mask(const struct insn *i) { return (i->flags & I_O32) ? 0xFFFFFFFFu : 0xFFFFu; }

#endif

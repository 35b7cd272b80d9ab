/* Architectural state of one x86 CPU and the API the rest of pcvm uses.
 *
 * Everything a save state must capture lives in plain fields of struct
 * cpu (no host pointers except the links to bus/MMU/block cache, which a
 * snapshot re-creates).  There is no global CPU: every function takes one.
 */
#ifndef PCVM_CPU_H
#define PCVM_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"
#include "fpu_state.h"
#include "models.h"
#include "../mmu/tlb.h"

struct bus;
struct blockcache;
struct insn;
struct block;
struct cpu_dbg_hooks;

/* General registers, in ModRM encoding order.  R_ZERO is a ninth slot that
 * is always 0, so effective-address arithmetic needs no branches. */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI, R_ZERO };
/* Segment registers, in ModRM sreg encoding order.  S_NONE marks "no
 * memory operand" in decoded instructions. */
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_NSEG, S_NONE = 7 };

/* EFLAGS bits. */
enum {
    F_CF = 1u << 0, F_RES1 = 1u << 1, F_PF = 1u << 2, F_AF = 1u << 4,
    F_ZF = 1u << 6, F_SF = 1u << 7, F_TF = 1u << 8, F_IF = 1u << 9,
    F_DF = 1u << 10, F_OF = 1u << 11, F_IOPL = 3u << 12, F_NT = 1u << 14,
    F_RF = 1u << 16, F_VM = 1u << 17, F_AC = 1u << 18, F_VIF = 1u << 19,
    F_VIP = 1u << 20, F_ID = 1u << 21,
};
#define F_OSZAPC (F_OF | F_SF | F_ZF | F_AF | F_PF | F_CF)

/* CR0 bits. */
enum {
    CR0_PE = 1u << 0, CR0_MP = 1u << 1, CR0_EM = 1u << 2, CR0_TS = 1u << 3,
    CR0_ET = 1u << 4, CR0_NE = 1u << 5, CR0_WP = 1u << 16, CR0_AM = 1u << 18,
    CR0_NW = 1u << 29, CR0_CD = 1u << 30, CR0_PG = 1u << 31,
};

/* Exception vectors. */
enum {
    EX_DE = 0, EX_DB = 1, EX_NMI = 2, EX_BP = 3, EX_OF = 4, EX_BR = 5,
    EX_UD = 6, EX_NM = 7, EX_DF = 8, EX_TS = 10, EX_NP = 11, EX_SS = 12,
    EX_GP = 13, EX_PF = 14, EX_MF = 16, EX_AC = 17, EX_MC = 18,
};

/* A segment register with its hidden descriptor cache. */
struct seg {
    uint16_t sel;
    uint32_t base;
    uint32_t limit;      /* byte-granular effective limit */
    uint32_t ar;         /* access rights: descriptor bits 8-23 of the high dword
                            (type, S, DPL, P, AVL, D/B, G) */
    /* Fast-path limit: an access of n bytes at offset off is fine without
     * further checks when off + n - 1 <= fast_limit.  -1 forces the slow
     * path (expand-down, unusable segments, 8086 wrap-around). */
    int64_t fast_limit;
    int64_t fast_limit_w;  /* the same for writes (-1: read-only or unusable) */
};

/* Lazy flags: the one representation every instruction writes.
 *   res   result, sign-extended to 32 bits: ZF = res == 0, SF = bit 31,
 *         PF = parity of the low byte.
 *   afx   a value whose bit 4 XOR res bit 4 is AF (a ^ b for add/sub).
 *   cf,of 0 or 1, always exact (never lazy).
 * When `eager` is set, ZF/SF/PF/AF are not derived from res/afx but read
 * from cpu.eflags (after POPF, SAHF and other explicit writes). */
struct lazyflags {
    uint32_t res;
    uint32_t afx;
    uint32_t cf;
    uint32_t of;
    uint32_t eager;
};

/* Why cpu_run returned. */
enum run_status {
    RUN_LIMIT,       /* executed the requested number of instructions */
    RUN_HALTED,      /* HLT with nothing to wake it yet */
    RUN_DEAD,        /* HLT with IF=0: nothing can ever wake it */
    RUN_STOP,        /* someone called cpu_request_stop (device, debugger) */
    RUN_SHUTDOWN,    /* triple fault */
};

/* Bits of cpu.attention: reasons to leave the current block early and look
 * around before running the next one. */
enum {
    ATT_STOP = 1u << 0,        /* cpu_request_stop */
    ATT_SMC = 1u << 1,         /* a write hit the current block's code */
    ATT_IRQ = 1u << 2,         /* an interrupt line may be pending */
    ATT_MODE = 1u << 3,        /* mode/TLB state changed; re-lookup */
    ATT_SHADOW = 1u << 4,      /* interrupt shadow (STI, MOV SS) in effect */
    ATT_TRAP = 1u << 5,        /* single-step trap after this instruction */
};

/* Callback the machine gives the CPU to ask for a pending maskable
 * interrupt: returns the vector, or -1 when none (e.g. the PIC's INTA). */
typedef int (*cpu_intack_fn)(void *opaque);
typedef bool (*cpu_intpending_fn)(void *opaque);

struct cpu {
    /* --- architectural state --- */
    uint32_t reg[9];            /* EAX..EDI, then R_ZERO (always 0) */
    uint32_t eip;
    uint32_t eflags;            /* all bits; OSZAPC valid only via flags_get() */
    struct lazyflags lf;
    struct seg seg[S_NSEG];
    struct { uint32_t base; uint16_t limit; } gdtr, idtr;
    struct seg ldtr, tr;
    uint32_t cr[5];
    uint32_t dr[8];
    uint64_t tsc_offset;
    uint64_t msr_sysenter_cs, msr_sysenter_esp, msr_sysenter_eip;
    /* P6 performance monitoring: PerfEvtSel0/1 (0x186/0x187) and PerfCtr0/1
     * (0xC1/0xC2), kept as storage: the counters do not count. */
    uint64_t msr_perfevtsel[2], msr_perfctr[2];
    uint64_t msr_apicbase, msr_efer;
    uint64_t msr_mtrr[32];      /* fixed and variable MTRRs as plain storage */
    uint8_t cpl;
    bool halted;
    uint8_t dbg_hits;           /* data breakpoints hit by this instruction (DR6 B0-B3) */
    struct fpu fpu;             /* x87 state (cpu/fpu_state.h) */

    /* --- execution bookkeeping (deterministic, part of a snapshot) --- */
    uint64_t icount;            /* retired guest instructions */
    /* Spin-wait hints (F3 90, cpu_spin_hint): virtual time may run on to
     * spin_limit at most (the machine sets it to the next timer deadline
     * or the instruction limit); spin_skipped counts what was skipped. */
    uint64_t spin_limit;
    uint64_t spin_skipped;
    uint32_t prev_eip;          /* EIP of the instruction being executed */
    uint32_t attention;         /* ATT_* */
    uint32_t a20_mask;          /* physical address mask (bus width, A20) */

    /* --- model --- */
    const struct cpu_model *model;

    /* --- exception in flight (set by cpu_raise, read by the loop) --- */
    int exc_vector;
    int exc_has_error;
    uint32_t exc_error;
    int exc_nesting;            /* for double/triple fault */
    int exc_first;              /* first exception of a nested delivery */

    /* --- links (not state) --- */
    struct bus *bus;
    struct blockcache *bc;
    struct tlb tlb;
    void *irq_opaque;
    cpu_intpending_fn irq_pending;
    cpu_intack_fn irq_ack;
    jmp_buf jmp;                /* cpu_raise longjmps here */
    struct block *cur_block;    /* block being executed (for SMC) */
    struct cpu_dbg_hooks *dbg;  /* debugger hooks, NULL when none (cpu/debughook.h) */
    /* FERR# output of the x87 (level: an unmasked exception is pending).
     * A PC routes it to IRQ 13 (used when CR0.NE = 0); NULL: not wired. */
    void (*ferr)(void *opaque, bool level);
    void *ferr_opaque;
};

/* --- lifecycle --- */
void cpu_init(struct cpu *c, const struct cpu_model *m, struct bus *bus,
              struct blockcache *bc);
void cpu_reset(struct cpu *c);           /* power-on/reset state, F000:FFF0 */

/* Runs up to max_insns instructions (or until something stops it). */
enum run_status cpu_run(struct cpu *c, uint64_t max_insns);
void cpu_request_stop(struct cpu *c);
/* An interrupt line changed: look for a deliverable interrupt at the next
 * instruction boundary. */
static inline void cpu_irq_notify(struct cpu *c) { c->attention |= ATT_IRQ; }

/* Raises an exception from inside an instruction handler or memory access:
 * never returns.  The faulting instruction's state is left as it was
 * before that instruction (EIP = prev_eip) for faults. */
_Noreturn void cpu_raise(struct cpu *c, int vector);
_Noreturn void cpu_raise_err(struct cpu *c, int vector, uint32_t error);

/* Delivers interrupt `vector` now (real mode: through the IVT).  `next_eip`
 * is the return address pushed.  Used by INT n, exceptions and IRQs. */
void cpu_interrupt(struct cpu *c, int vector, uint32_t next_eip,
                   bool has_error, uint32_t error, bool software);

/* --- EFLAGS materialiser: the only way to read or write OSZAPC as bits --- */
uint32_t cpu_get_eflags(const struct cpu *c);
/* Writes the bits of `val` selected by `mask` (model rules for reserved
 * bits are applied by the caller, e.g. POPF). */
void cpu_set_eflags(struct cpu *c, uint32_t val, uint32_t mask);

/* --- segments --- */
/* Loads a segment register the real-mode/V86 way (base = sel << 4). */
void cpu_load_seg_real(struct cpu *c, int sreg, uint16_t sel);
/* Loads a segment register in the current mode, with all checks. */
void cpu_load_seg(struct cpu *c, int sreg, uint16_t sel);
/* Recomputes seg->fast_limit from limit/ar and the model. */
void cpu_seg_update_fast(struct cpu *c, struct seg *s);

/* --- mode queries --- */
static inline bool cpu_pe(const struct cpu *c) { return c->cr[0] & CR0_PE; }
static inline bool cpu_vm86(const struct cpu *c) { return c->eflags & F_VM; }
static inline bool cpu_code32(const struct cpu *c) { return (c->seg[S_CS].ar >> 14) & 1; }
static inline bool cpu_stack32(const struct cpu *c) { return (c->seg[S_SS].ar >> 14) & 1; }

/* --- register access (host-endian independent) --- */
static inline uint8_t get_r8(const struct cpu *c, unsigned n)
{
    return (uint8_t)(c->reg[n & 3] >> ((n & 4) << 1));
}
static inline void set_r8(struct cpu *c, unsigned n, uint8_t v)
{
    unsigned sh = (n & 4) << 1;
    c->reg[n & 3] = (c->reg[n & 3] & ~(0xFFu << sh)) | ((uint32_t)v << sh);
}
static inline uint16_t get_r16(const struct cpu *c, unsigned n) { return (uint16_t)c->reg[n]; }
static inline void set_r16(struct cpu *c, unsigned n, uint16_t v)
{
    c->reg[n] = (c->reg[n] & 0xFFFF0000u) | v;
}
static inline uint32_t get_r32(const struct cpu *c, unsigned n) { return c->reg[n]; }
static inline void set_r32(struct cpu *c, unsigned n, uint32_t v) { c->reg[n] = v; }

/* Time stamp counter: advances with the virtual clock (1 per instruction). */
static inline uint64_t cpu_tsc(const struct cpu *c) { return c->icount + c->tsc_offset; }

#endif

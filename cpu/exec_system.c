/* Flag and system instructions: CLC/STC/CMC/CLD/STD/CLI/STI, HLT, WAIT,
 * ESC, CPUID, RDTSC, RDMSR/WRMSR, RDPMC, SYSENTER/SYSEXIT, MOV to and from
 * control and debug registers, CLTS, LMSW/SMSW, LGDT/LIDT/SGDT/SIDT,
 * INVD/WBINVD/INVLPG, UD2 and the 0F 00 group (SLDT STR LLDT LTR VERR
 * VERW) with LAR, LSL and ARPL (SDM Vol. 2, one section each).
 *
 * Privilege: "CPL 0" checks apply in protected mode and in virtual-8086
 * mode (where CPL is 3); real-address mode counts as CPL 0.  Descriptor
 * work (LLDT, LTR, VERR/VERW, LAR, LSL) is in cpu/descriptor.c.
 */
#include "../mmu/mem.h"
#include "descriptor.h"
#include "flags.h"
#include "insn.h"

/* ---------------- helpers ---------------- */

enum {
    CR4_VME = 1u << 0, CR4_PVI = 1u << 1, CR4_TSD = 1u << 2, CR4_DE = 1u << 3,
    CR4_PSE = 1u << 4, CR4_PAE = 1u << 5, CR4_MCE = 1u << 6, CR4_PGE = 1u << 7,
    CR4_PCE = 1u << 8,
};

static inline unsigned iopl(const struct cpu *c)
{
    return (c->eflags >> 12) & 3;
}

/* The current privilege level: 0 in real mode, 3 in V86 mode. */
static inline unsigned cur_cpl(const struct cpu *c)
{
    if (!cpu_pe(c))
        return 0;
    return cpu_vm86(c) ? 3 : c->cpl;
}

/* #GP(0) unless CPL = 0 (privileged instructions). */
static inline void need_cpl0(struct cpu *c)
{
    if (cur_cpl(c) != 0)
        cpu_raise_err(c, EX_GP, 0);
}

/* #UD in real-address and virtual-8086 mode (0F 00 group, LAR, LSL, ARPL:
 * "not recognized in real-address mode" in the SDM). */
static inline void need_pm(struct cpu *c)
{
    if (!cpu_pe(c) || cpu_vm86(c))
        cpu_raise(c, EX_UD);
}

/* Offset `n` bytes past a memory operand (see exec_branch.c). */
static inline uint32_t ea_next(const struct cpu *c, const struct insn *i,
                               uint32_t ea, uint32_t n)
{
    uint32_t r = ea + n;
    if (!(i->flags & I_A32) && c->model->seg_wrap)
        r &= 0xFFFF;
    return r;
}

/* Processor family from the CPUID signature: picks the MSR set (SDM
 * Vol. 4 lists MSRs per family: 5 = Pentium, 6 = P6). */
static inline unsigned cpu_family(const struct cpu *c)
{
    return (c->model->cpuid1_eax >> 8) & 0xF;
}

/* ---------------- flags ---------------- */

HANDLER(op_CLC) { (void)i; flags_set_cf(c, 0); }
HANDLER(op_STC) { (void)i; flags_set_cf(c, 1); }
HANDLER(op_CMC) { (void)i; flags_set_cf(c, flag_cf(c) ^ 1); }
HANDLER(op_CLD) { (void)i; c->eflags &= ~(uint32_t)F_DF; }
HANDLER(op_STD) { (void)i; c->eflags |= F_DF; }

/* CLI/STI are IOPL-sensitive: #GP(0) when CPL > IOPL in protected mode
 * and when IOPL < 3 in V86 mode, except that with CR4.VME (V86) or
 * CR4.PVI (CPL 3) they work on VIF instead (SDM Vol. 2 CLI/STI tables;
 * STI with VIP set is #GP(0)).  Returns true when VIF is the target. */
static inline bool need_iopl_or_vif(struct cpu *c)
{
    if (!cpu_pe(c) || cur_cpl(c) <= iopl(c))
        return false;
    bool vm = cpu_vm86(c);
    if ((vm && (c->cr[4] & CR4_VME)) || (!vm && cur_cpl(c) == 3 && (c->cr[4] & CR4_PVI)))
        return true;
    cpu_raise_err(c, EX_GP, 0);
}

HANDLER(op_CLI)
{
    (void)i;
    if (need_iopl_or_vif(c))
        c->eflags &= ~(uint32_t)F_VIF;
    else
        c->eflags &= ~(uint32_t)F_IF;
}

HANDLER(op_STI)
{
    (void)i;
    if (need_iopl_or_vif(c)) {
        if (c->eflags & F_VIP)
            cpu_raise_err(c, EX_GP, 0);
        c->eflags |= F_VIF;
        return;
    }
    /* Interrupts stay inhibited until after the next instruction, but
     * only when STI actually sets IF (SDM Vol. 2 STI: "If IF = 0,
     * maskable hardware interrupts remain inhibited on the instruction
     * boundary following an execution of STI"). */
    if (!(c->eflags & F_IF))
        c->attention |= ATT_SHADOW;
    c->eflags |= F_IF;
    c->attention |= ATT_IRQ;
}

/* ---------------- HLT ---------------- */

HANDLER(op_HLT)
{
    (void)i;
    need_cpl0(c);
    c->halted = true;
}

/* WAIT and the ESC opcodes D8-DF: cpu/exec_fpu.c. */

/* ---------------- CPUID ---------------- */

HANDLER(op_CPUID)
{
    (void)i;
    const struct cpu_model *m = c->model;
    if (m->cpuid_max == 0)
        cpu_raise(c, EX_UD);
    uint32_t leaf = c->reg[R_EAX];
    /* A leaf above the maximum returns the highest basic leaf's data
     * (SDM Vol. 2 CPUID, "If a value entered for CPUID.EAX is higher than
     * the maximum input value..."). */
    if (leaf > m->cpuid_max)
        leaf = m->cpuid_max;
    uint32_t a = 0, b = 0, cc = 0, d = 0;
    switch (leaf) {
    case 0:
        a = m->cpuid_max;
        b = m->cpuid_vendor[0];
        d = m->cpuid_vendor[1];
        cc = m->cpuid_vendor[2];
        break;
    case 1:
        a = m->cpuid1_eax;
        b = m->cpuid1_ebx;
        cc = m->cpuid1_ecx;
        d = m->cpuid1_edx;
        break;
    case 2:
        /* Cache and TLB descriptors of the Pentium II (Deschutes, 512 KiB
         * L2), the only model with leaf 2 (SDM Vol. 2 CPUID table 3-12):
         * AL=01 (one call), 01 ITLB 4K 32-entry 4-way, 02 ITLB 4M 2-entry,
         * 03 DTLB 4K 64-entry 4-way; EDX: 43 L2 512K 4-way 32B lines,
         * 08 L1I 16K 4-way, 04 DTLB 4M 8-entry 4-way, 0C L1D 16K 4-way.
         * Move this to struct cpu_model when a second model needs leaf 2. */
        a = 0x03020101u;
        d = 0x0C040843u;
        break;
    default:
        break;
    }
    c->reg[R_EAX] = a;
    c->reg[R_EBX] = b;
    c->reg[R_ECX] = cc;
    c->reg[R_EDX] = d;
}

/* ---------------- time stamp counter, MSRs, PMCs ---------------- */

HANDLER(op_RDTSC)
{
    (void)i;
    /* CR4.TSD restricts RDTSC to CPL 0 (real mode counts as CPL 0). */
    if ((c->cr[4] & CR4_TSD) && cur_cpl(c) != 0)
        cpu_raise_err(c, EX_GP, 0);
    uint64_t t = cpu_tsc(c);
    c->reg[R_EAX] = (uint32_t)t;
    c->reg[R_EDX] = (uint32_t)(t >> 32);
}

enum {
    MSR_P5_MC_ADDR = 0x0, MSR_P5_MC_TYPE = 0x1, MSR_TSC = 0x10,
    MSR_P5_CESR = 0x11, MSR_P5_CTR0 = 0x12, MSR_P5_CTR1 = 0x13,
    MSR_PLATFORM_ID = 0x17, MSR_APIC_BASE = 0x1B, MSR_BIOS_SIGN_ID = 0x8B,
    MSR_MTRRCAP = 0xFE, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175,
    MSR_SYSENTER_EIP = 0x176, MSR_MTRR_DEF_TYPE = 0x2FF,
    MSR_P6_PERFCTR0 = 0xC1, MSR_P6_PERFCTR1 = 0xC2,
    MSR_P6_PERFEVTSEL0 = 0x186, MSR_P6_PERFEVTSEL1 = 0x187,
};

/* MTRRcap: 8 variable ranges, fixed ranges supported, WC supported. */
#define MTRRCAP_VALUE 0x508u
/* P6 family physical address width for MSR reserved-bit checks. */
#define P6_PHYS_MASK ((UINT64_C(1) << 36) - 1)

/* Storage slot in c->msr_mtrr[] for an MTRR MSR, or -1:
 * 0-15 PHYSBASE0/PHYSMASK0..7, 16 FIX64K_00000, 17 FIX16K_80000,
 * 18 FIX16K_A0000, 19-26 FIX4K_C0000..F8000, 27 DEF_TYPE. */
static int mtrr_slot(uint32_t msr)
{
    if (msr >= 0x200 && msr <= 0x20F)
        return (int)(msr - 0x200);
    if (msr >= 0x268 && msr <= 0x26F)
        return 19 + (int)(msr - 0x268);
    switch (msr) {
    case 0x250: return 16;
    case 0x258: return 17;
    case 0x259: return 18;
    case MSR_MTRR_DEF_TYPE: return 27;
    default: return -1;
    }
}

/* Memory types MTRRs accept: UC, WC, WT, WP, WB (SDM Vol. 3 11.11.1). */
static bool mtrr_type_ok(uint64_t t)
{
    t &= 0xFF;
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

/* Reserved bits or invalid memory types in an MTRR write: #GP(0) (SDM
 * Vol. 3 11.11.2). */
static bool mtrr_value_ok(int slot, uint64_t v)
{
    if (slot >= 16 && slot <= 26) {          /* fixed ranges: 8 type bytes */
        for (int k = 0; k < 8; k++)
            if (!mtrr_type_ok(v >> (8 * k)))
                return false;
        return true;
    }
    if (slot == 27)                          /* DEF_TYPE: type, FE, E */
        return (v & ~UINT64_C(0xCFF)) == 0 && mtrr_type_ok(v);
    if ((slot & 1) == 0)                     /* PHYSBASEn: type, base */
        return (v & ~(P6_PHYS_MASK & ~UINT64_C(0xF00))) == 0 && mtrr_type_ok(v);
    return (v & ~(P6_PHYS_MASK & ~UINT64_C(0x7FF))) == 0; /* PHYSMASKn: V, mask */
}

/* Reads MSR `msr` into *v; false when the model has no such MSR. */
static bool msr_read(struct cpu *c, uint32_t msr, uint64_t *v)
{
    unsigned fam = cpu_family(c);
    switch (msr) {
    case MSR_TSC:
        *v = cpu_tsc(c);
        return true;
    case MSR_EFER:
        return mmu_efer_read(c, v);   /* models with NX only (mmu/paging.c) */
    case MSR_P5_MC_ADDR:
    case MSR_P5_MC_TYPE:
        *v = 0; /* no machine check has been logged */
        return true;
    default:
        break;
    }
    if (fam == 5) {
        switch (msr) {
        case MSR_P5_CESR:
        case MSR_P5_CTR0:
        case MSR_P5_CTR1:
            *v = 0; /* performance counters: not counting (no storage yet) */
            return true;
        default:
            return false;
        }
    }
    if (fam < 6)
        return false;
    switch (msr) {
    case MSR_PLATFORM_ID: *v = 0; return true;
    case MSR_APIC_BASE: *v = c->msr_apicbase; return true;
    case MSR_BIOS_SIGN_ID: *v = 0; return true;  /* no microcode update loaded */
    case MSR_MTRRCAP: *v = MTRRCAP_VALUE; return true;
    case MSR_SYSENTER_CS: *v = c->msr_sysenter_cs; return true;
    case MSR_SYSENTER_ESP: *v = c->msr_sysenter_esp; return true;
    case MSR_SYSENTER_EIP: *v = c->msr_sysenter_eip; return true;
    case MSR_P6_PERFEVTSEL0: case MSR_P6_PERFEVTSEL1:
        *v = c->msr_perfevtsel[msr - MSR_P6_PERFEVTSEL0];
        return true;
    case MSR_P6_PERFCTR0: case MSR_P6_PERFCTR1:
        *v = c->msr_perfctr[msr - MSR_P6_PERFCTR0];
        return true;
    default: break;
    }
    int slot = mtrr_slot(msr);
    if (slot < 0)
        return false;
    *v = c->msr_mtrr[slot];
    return true;
}

/* Writes MSR `msr`; false (-> #GP(0)) for unknown MSRs, read-only MSRs
 * and reserved bits. */
static bool msr_write(struct cpu *c, uint32_t msr, uint64_t v)
{
    unsigned fam = cpu_family(c);
    switch (msr) {
    case MSR_TSC:
        /* Pentium and P6: only the low 32 bits are writable and a write
         * clears the high 32 bits (SDM Vol. 4, IA32_TIME_STAMP_COUNTER:
         * "On earlier processors, only the lower 32 bits are writable").
         * The counter then keeps advancing from that value. */
        c->tsc_offset = (uint64_t)(uint32_t)v - c->icount;
        return true;
    case MSR_EFER:
        return mmu_efer_write(c, v);  /* models with NX only: NXE (mmu/paging.c) */
    case MSR_P5_MC_ADDR:
    case MSR_P5_MC_TYPE:
        return true; /* nothing is logged; writes are dropped */
    default:
        break;
    }
    if (fam == 5)
        return msr == MSR_P5_CESR || msr == MSR_P5_CTR0 || msr == MSR_P5_CTR1;
    if (fam < 6)
        return false;
    switch (msr) {
    case MSR_BIOS_SIGN_ID:
        return true; /* software writes 0 before reading the signature */
    case MSR_APIC_BASE:
        /* BSP (8), global enable (11), base (12-35); the rest is reserved. */
        if (v & ~(P6_PHYS_MASK & ~UINT64_C(0x6FF)))
            return false;
        c->msr_apicbase = v;
        return true;
    case MSR_SYSENTER_CS: c->msr_sysenter_cs = v; return true;
    case MSR_SYSENTER_ESP: c->msr_sysenter_esp = v; return true;
    case MSR_SYSENTER_EIP: c->msr_sysenter_eip = v; return true;
    case MSR_P6_PERFEVTSEL0: case MSR_P6_PERFEVTSEL1:
        /* Bits 32-63 are reserved (SDM Vol. 3 18.2 / P6 family). */
        if (v >> 32)
            return false;
        c->msr_perfevtsel[msr - MSR_P6_PERFEVTSEL0] = v;
        return true;
    case MSR_P6_PERFCTR0: case MSR_P6_PERFCTR1:
        /* 40-bit counters; a WRMSR writes bits 0-31 and sign-extends bit
         * 31 into 32-39 (P6 family, SDM Vol. 3 "Performance-Monitoring
         * Counters"). */
        v = (uint32_t)v;
        if (v & 0x80000000u)
            v |= UINT64_C(0xFF00000000);
        c->msr_perfctr[msr - MSR_P6_PERFCTR0] = v;
        return true;
    default: break;
    }
    int slot = mtrr_slot(msr);
    if (slot < 0 || !mtrr_value_ok(slot, v))
        return false;
    c->msr_mtrr[slot] = v;
    /* "When the WRMSR instruction is used to write to an MTRR, the TLBs
     * are invalidated" (SDM Vol. 2 WRMSR). */
    tlb_flush(c);
    return true;
}

HANDLER(op_RDMSR)
{
    (void)i;
    need_cpl0(c);
    uint64_t v;
    if (!msr_read(c, c->reg[R_ECX], &v))
        cpu_raise_err(c, EX_GP, 0);
    c->reg[R_EAX] = (uint32_t)v;
    c->reg[R_EDX] = (uint32_t)(v >> 32);
}

HANDLER(op_WRMSR)
{
    (void)i;
    need_cpl0(c);
    uint64_t v = (uint64_t)c->reg[R_EDX] << 32 | c->reg[R_EAX];
    if (!msr_write(c, c->reg[R_ECX], v))
        cpu_raise_err(c, EX_GP, 0);
}

/* RDPMC (P6): counters 0 and 1, the PerfCtr MSRs (kept, not counting);
 * bits 32-39 in EDX. */
HANDLER(op_RDPMC)
{
    (void)i;
    uint32_t n = c->reg[R_ECX];
    if (n > 1 || (!(c->cr[4] & CR4_PCE) && cur_cpl(c) != 0))
        cpu_raise_err(c, EX_GP, 0);
    c->reg[R_EAX] = (uint32_t)c->msr_perfctr[n];
    c->reg[R_EDX] = (uint32_t)(c->msr_perfctr[n] >> 32) & 0xFF;
}

/* ---------------- SYSENTER / SYSEXIT ---------------- */

/* Flat 4 GiB segment straight into a segment cache, as SYSENTER and
 * SYSEXIT do (they read no descriptor; SDM Vol. 2 SYSENTER, SYSEXIT). */
static void load_flat(struct cpu *c, int sreg, uint16_t sel, bool code, unsigned dpl)
{
    struct seg *s = &c->seg[sreg];
    s->sel = sel;
    s->base = 0;
    s->limit = 0xFFFFFFFFu;
    /* G=1, D/B=1, P=1, S=1; type 11 (code, execute/read, accessed) or
     * 3 (data, read/write, accessed). */
    s->ar = 0xC090u | (uint32_t)dpl << 5 | (code ? 0xBu : 0x3u);
}

/* Leaving V86 mode changes the access rules of every segment. */
static void refresh_segments(struct cpu *c)
{
    for (int s = 0; s < S_NSEG; s++)
        cpu_seg_update_fast(c, &c->seg[s]);
}

HANDLER(op_SYSENTER)
{
    (void)i;
    uint16_t cs = (uint16_t)c->msr_sysenter_cs;
    if (!cpu_pe(c) || (cs & 0xFFFC) == 0)
        cpu_raise_err(c, EX_GP, 0);
    c->eflags &= ~(uint32_t)(F_VM | F_IF | F_RF);
    load_flat(c, S_CS, cs & 0xFFFC, true, 0);
    load_flat(c, S_SS, (uint16_t)((cs & 0xFFFC) + 8), false, 0);
    c->cpl = 0;
    refresh_segments(c);
    c->reg[R_ESP] = (uint32_t)c->msr_sysenter_esp;
    c->eip = (uint32_t)c->msr_sysenter_eip;
    c->attention |= ATT_MODE;
}

HANDLER(op_SYSEXIT)
{
    (void)i;
    uint16_t cs = (uint16_t)c->msr_sysenter_cs;
    if (!cpu_pe(c) || (cs & 0xFFFC) == 0 || cur_cpl(c) != 0)
        cpu_raise_err(c, EX_GP, 0);
    uint16_t ncs = (uint16_t)((cs + 16) | 3);
    load_flat(c, S_CS, ncs, true, 3);
    load_flat(c, S_SS, (uint16_t)(ncs + 8), false, 3);
    c->cpl = 3;
    refresh_segments(c);
    c->reg[R_ESP] = c->reg[R_ECX];
    c->eip = c->reg[R_EDX];
    c->attention |= ATT_MODE;
}

/* ---------------- control registers ---------------- */

/* CR0 bits a model implements: PE MP EM TS (286 MSW), + ET PG (386),
 * + NE WP AM NW CD (486 and later). */
static uint32_t cr0_implemented(const struct cpu *c)
{
    if (c->model->gen >= GEN_80486)
        return 0xE005003Fu;
    if (c->model->gen == GEN_80386)
        return 0x8000001Fu;
    return 0x0000000Fu;
}

/* Every CR0 write (MOV CR0, LMSW, CLTS) goes through here. */
static void write_cr0(struct cpu *c, uint32_t val)
{
    uint32_t old = c->cr[0];
    uint32_t v = (val & cr0_implemented(c)) | c->model->cr0_fixed1;
    /* SDM Vol. 2 MOV CR: "#GP(0) ... setting the PG flag to 1 when the
     * PE flag is set to 0, or setting the CD flag to 0 when the NW flag
     * is set to 1". */
    if ((v & CR0_PG) && !(v & CR0_PE))
        cpu_raise_err(c, EX_GP, 0);
    if ((v & CR0_NW) && !(v & CR0_CD))
        cpu_raise_err(c, EX_GP, 0);
    mmu_write_cr0(c, v);  /* mmu/paging.c: PDPTEs, TLB flush on PE/PG/WP */
    uint32_t chg = old ^ v;
    if (chg & CR0_PE) {
        /* Real mode is privilege level 0; entering protected mode keeps
         * CPL 0 until CS is reloaded. */
        c->cpl = 0;
        refresh_segments(c);  /* PE changes the segment write rules */
    } else if (chg & CR0_AM) {
        refresh_segments(c);  /* alignment checks on or off (cpu/debug.h) */
    }
    if (chg & (CR0_PE | CR0_PG))
        c->attention |= ATT_MODE;
}

static void write_cr4(struct cpu *c, uint32_t val)
{
    if (val & ~c->model->cr4_writable)
        cpu_raise_err(c, EX_GP, 0);
    mmu_write_cr4(c, val);  /* mmu/paging.c: PDPTEs, TLB flush on PSE/PAE/PGE */
}

/* CR4 exists on the Pentium and later (MOV CR4 is #UD before). */
static inline bool has_cr4(const struct cpu *c)
{
    return c->model->gen >= GEN_PENTIUM;
}

static inline void check_cr(struct cpu *c, unsigned n)
{
    if (n == 1 || n > 4 || (n == 4 && !has_cr4(c)))
        cpu_raise(c, EX_UD);
}

/* MOV r32, CRn (0F 20): always 32 bits; ModRM.reg = CRn, rm = GPR. */
HANDLER(op_MOV_RdCd)
{
    check_cr(c, i->reg);
    need_cpl0(c);
    c->reg[i->rm] = c->cr[i->reg];
}

/* MOV CRn, r32 (0F 22). */
HANDLER(op_MOV_CdRd)
{
    check_cr(c, i->reg);
    need_cpl0(c);
    uint32_t v = c->reg[i->rm];
    switch (i->reg) {
    case 0:
        write_cr0(c, v);
        break;
    case 2:
        c->cr[2] = v;
        break;
    case 3:
        /* mmu/paging.c: keeps the bits the model has, loads the PAE
         * PDPTEs (#GP(0) on reserved bits), flushes the non-global TLB
         * entries. */
        mmu_write_cr3(c, v);
        break;
    default:
        write_cr4(c, v);
        break;
    }
}

/* DR4/DR5 are aliases of DR6/DR7 unless CR4.DE is set, which makes them
 * #UD (SDM Vol. 3 17.2.2). */
static unsigned dr_index(struct cpu *c, unsigned n)
{
    if (n == 4 || n == 5) {
        if (c->cr[4] & CR4_DE)
            cpu_raise(c, EX_UD);
        n += 2;
    }
    return n;
}

/* MOV r32, DRn (0F 21) and MOV DRn, r32 (0F 23).  The instruction
 * breakpoints are checked by cpu/debug.c. */
/* DR7.GD: any MOV to or from a debug register raises #DB (a fault) with
 * DR6.BD set, and GD is cleared so the handler can use them (SDM Vol. 3
 * 17.2.4). */
static void check_gd(struct cpu *c)
{
    if (c->dr[7] & (1u << 13)) {
        c->dr[6] |= 1u << 13;
        c->dr[7] &= ~(1u << 13);
        cpu_raise(c, EX_DB);
    }
}

HANDLER(op_MOV_RdDd)
{
    unsigned n = dr_index(c, i->reg);
    need_cpl0(c);
    check_gd(c);
    c->reg[i->rm] = c->dr[n];
}

HANDLER(op_MOV_DdRd)
{
    unsigned n = dr_index(c, i->reg);
    need_cpl0(c);
    check_gd(c);
    uint32_t v = c->reg[i->rm];
    if (n == 6)
        v = (v & 0x0000E00Fu) | 0xFFFF0FF0u;  /* B0-B3, BD, BS, BT; rest fixed */
    else if (n == 7)
        v = (v & 0xFFFF23FFu) | 0x400u;       /* bit 10 reads 1; 11, 12, 14, 15 read 0 */
    c->dr[n] = v;
    c->attention |= ATT_TRAP;   /* breakpoints may have changed: leave the block */
    if (n == 7)
        refresh_segments(c);    /* data breakpoints need the slow path */
}

HANDLER(op_CLTS)
{
    (void)i;
    need_cpl0(c);
    c->cr[0] &= ~(uint32_t)CR0_TS;
}

/* LMSW: loads CR0 bits 0-3; it can set PE but never clear it (SDM Vol. 2
 * LMSW). */
static void lmsw(struct cpu *c, uint16_t src)
{
    uint32_t v = (c->cr[0] & ~0xFu) | (src & 0xFu) | (c->cr[0] & CR0_PE);
    write_cr0(c, v);
}

HANDLER(op_LMSW_r)
{
    need_cpl0(c);
    lmsw(c, get_r16(c, i->rm));
}

HANDLER(op_LMSW_m)
{
    need_cpl0(c);
    lmsw(c, cpu_rd16(c, i->seg, insn_ea(c, i)));
}

/* The machine status word as SMSW stores it: on the 80286 the reserved
 * bits 4-15 read as 1. */
static inline uint32_t msw(const struct cpu *c)
{
    return c->model->gen == GEN_80286 ? (c->cr[0] | 0xFFF0u) : c->cr[0];
}

/* SMSW is not privileged.  A 32-bit register destination gets all of
 * CR0; a memory destination always gets 16 bits. */
HANDLER(op_SMSW_r16) { set_r16(c, i->rm, (uint16_t)msw(c)); }
HANDLER(op_SMSW_r32) { set_r32(c, i->rm, msw(c)); }
HANDLER(op_SMSW_m16) { cpu_wr16(c, i->seg, insn_ea(c, i), (uint16_t)msw(c)); }
HANDLER(op_SMSW_m32) { cpu_wr16(c, i->seg, insn_ea(c, i), (uint16_t)msw(c)); }

/* ---------------- descriptor-table registers ---------------- */

/* LGDT/LIDT: 16-bit limit then 32-bit base; with a 16-bit operand size
 * only 24 bits of the base are used (SDM Vol. 2 LGDT/LIDT). */
static void load_dtr(struct cpu *c, const struct insn *i, bool o32,
                     uint32_t *base, uint16_t *limit)
{
    need_cpl0(c);
    uint32_t ea = insn_ea(c, i);
    uint16_t l = cpu_rd16(c, i->seg, ea);
    uint32_t b = cpu_rd32(c, i->seg, ea_next(c, i, ea, 2));
    if (!o32)
        b &= 0x00FFFFFFu;
    *limit = l;
    *base = b;
}

/* SGDT/SIDT (not privileged).  The SDM's operation section stores the
 * full 32-bit base for both operand sizes (SDM Vol. 2 SGDT: "DEST[16:47]
 * := GDTR(Base); (* Full 32-bit base address stored *)"), as the 386
 * manual also says.  The 286 has a 24-bit base and stores 1s in the top
 * byte ("IA-32 Architecture Compatibility"); a base loaded with a 16-bit
 * LGDT has a zero top byte on later chips, which is the 0-fill that
 * section mentions. */
static void store_dtr(struct cpu *c, const struct insn *i, uint32_t base, uint16_t limit)
{
    if (c->model->gen == GEN_80286)
        base = (base & 0x00FFFFFFu) | 0xFF000000u;
    uint32_t ea = insn_ea(c, i);
    cpu_wr16(c, i->seg, ea, limit);
    cpu_wr32(c, i->seg, ea_next(c, i, ea, 2), base);
}

HANDLER(op_LGDT_m16) { load_dtr(c, i, false, &c->gdtr.base, &c->gdtr.limit); }
HANDLER(op_LGDT_m32) { load_dtr(c, i, true, &c->gdtr.base, &c->gdtr.limit); }
HANDLER(op_LIDT_m16) { load_dtr(c, i, false, &c->idtr.base, &c->idtr.limit); }
HANDLER(op_LIDT_m32) { load_dtr(c, i, true, &c->idtr.base, &c->idtr.limit); }
HANDLER(op_SGDT_m16) { store_dtr(c, i, c->gdtr.base, c->gdtr.limit); }
HANDLER(op_SGDT_m32) { store_dtr(c, i, c->gdtr.base, c->gdtr.limit); }
HANDLER(op_SIDT_m16) { store_dtr(c, i, c->idtr.base, c->idtr.limit); }
HANDLER(op_SIDT_m32) { store_dtr(c, i, c->idtr.base, c->idtr.limit); }

/* ---------------- caches and TLB ---------------- */

HANDLER(op_INVD) { (void)i; need_cpl0(c); }
HANDLER(op_WBINVD) { (void)i; need_cpl0(c); }

/* INVLPG m: drops the TLB entries of the page holding the operand's
 * linear address, global or not (the address is not accessed, so no
 * limit check or fault). */
HANDLER(op_INVLPG_m)
{
    need_cpl0(c);
    mmu_invlpg(c, c->seg[i->seg].base + insn_ea(c, i));
}

HANDLER(op_UD2) { (void)i; cpu_raise(c, EX_UD); }

/* ---------------- 0F 00 group, LAR, LSL, ARPL ---------------- */

/* SLDT/STR: store the selector.  A 32-bit register destination is
 * zero-extended (P6 and later; earlier chips leave the top undefined);
 * a memory destination always gets 16 bits. */
HANDLER(op_SLDT_r16) { need_pm(c); set_r16(c, i->rm, c->ldtr.sel); }
HANDLER(op_SLDT_r32) { need_pm(c); set_r32(c, i->rm, c->ldtr.sel); }
HANDLER(op_SLDT_m16) { need_pm(c); cpu_wr16(c, i->seg, insn_ea(c, i), c->ldtr.sel); }
HANDLER(op_SLDT_m32) { need_pm(c); cpu_wr16(c, i->seg, insn_ea(c, i), c->ldtr.sel); }
HANDLER(op_STR_r16) { need_pm(c); set_r16(c, i->rm, c->tr.sel); }
HANDLER(op_STR_r32) { need_pm(c); set_r32(c, i->rm, c->tr.sel); }
HANDLER(op_STR_m16) { need_pm(c); cpu_wr16(c, i->seg, insn_ea(c, i), c->tr.sel); }
HANDLER(op_STR_m32) { need_pm(c); cpu_wr16(c, i->seg, insn_ea(c, i), c->tr.sel); }

/* LLDT, LTR, VERR, VERW, LAR, LSL read descriptors: the work is in
 * cpu/descriptor.c.  LLDT and LTR are CPL-0 instructions. */
static void lldt(struct cpu *c, uint16_t sel) { need_pm(c); need_cpl0(c); pm_lldt(c, sel); }
static void ltr(struct cpu *c, uint16_t sel) { need_pm(c); need_cpl0(c); pm_ltr(c, sel); }
static void ver(struct cpu *c, uint16_t sel, bool w) { need_pm(c); flags_put(c, F_ZF, pm_verr(c, sel, w)); }

HANDLER(op_LLDT_r) { lldt(c, get_r16(c, i->rm)); }
HANDLER(op_LLDT_m) { need_pm(c); need_cpl0(c); lldt(c, cpu_rd16(c, i->seg, insn_ea(c, i))); }
HANDLER(op_LTR_r) { ltr(c, get_r16(c, i->rm)); }
HANDLER(op_LTR_m) { need_pm(c); need_cpl0(c); ltr(c, cpu_rd16(c, i->seg, insn_ea(c, i))); }
HANDLER(op_VERR_r) { ver(c, get_r16(c, i->rm), false); }
HANDLER(op_VERR_m) { need_pm(c); ver(c, cpu_rd16(c, i->seg, insn_ea(c, i)), false); }
HANDLER(op_VERW_r) { ver(c, get_r16(c, i->rm), true); }
HANDLER(op_VERW_m) { need_pm(c); ver(c, cpu_rd16(c, i->seg, insn_ea(c, i)), true); }

/* LAR/LSL: ZF = 1 and the destination written when the descriptor is
 * valid and visible; otherwise ZF = 0 and the destination unchanged.
 * The 16-bit LAR keeps bits 8-15 (SDM Vol. 2 LAR: "AND FF00H"). */
static void lar(struct cpu *c, const struct insn *i, uint16_t sel, bool o32)
{
    uint32_t ar;
    bool ok = pm_lar(c, sel, &ar);
    if (ok) {
        if (o32)
            set_r32(c, i->reg, ar);
        else
            set_r16(c, i->reg, (uint16_t)(ar & 0xFF00u));
    }
    flags_put(c, F_ZF, ok);
}

static void lsl(struct cpu *c, const struct insn *i, uint16_t sel, bool o32)
{
    uint32_t lim;
    bool ok = pm_lsl(c, sel, &lim);
    if (ok) {
        if (o32)
            set_r32(c, i->reg, lim);
        else
            set_r16(c, i->reg, (uint16_t)lim);
    }
    flags_put(c, F_ZF, ok);
}

HANDLER(op_LAR_r16) { need_pm(c); lar(c, i, get_r16(c, i->rm), false); }
HANDLER(op_LAR_r32) { need_pm(c); lar(c, i, get_r16(c, i->rm), true); }
HANDLER(op_LAR_m16) { need_pm(c); lar(c, i, cpu_rd16(c, i->seg, insn_ea(c, i)), false); }
HANDLER(op_LAR_m32) { need_pm(c); lar(c, i, cpu_rd16(c, i->seg, insn_ea(c, i)), true); }
HANDLER(op_LSL_r16) { need_pm(c); lsl(c, i, get_r16(c, i->rm), false); }
HANDLER(op_LSL_r32) { need_pm(c); lsl(c, i, get_r16(c, i->rm), true); }
HANDLER(op_LSL_m16) { need_pm(c); lsl(c, i, cpu_rd16(c, i->seg, insn_ea(c, i)), false); }
HANDLER(op_LSL_m32) { need_pm(c); lsl(c, i, cpu_rd16(c, i->seg, insn_ea(c, i)), true); }

/* ARPL Ew, Gw reads no descriptor, so it is complete here: raise the
 * destination selector's RPL to the source's, ZF says whether it did
 * (SDM Vol. 2 ARPL). */
static uint16_t arpl(uint16_t dst, uint16_t src, bool *changed)
{
    *changed = (dst & 3) < (src & 3);
    return *changed ? (uint16_t)((dst & ~3u) | (src & 3u)) : dst;
}

HANDLER(op_ARPL_r)
{
    need_pm(c);
    bool ch;
    uint16_t r = arpl(get_r16(c, i->rm), get_r16(c, i->reg), &ch);
    set_r16(c, i->rm, r);
    flags_put(c, F_ZF, ch);
}

HANDLER(op_ARPL_m)
{
    need_pm(c);
    uint32_t ea = insn_ea(c, i);
    bool ch;
    uint16_t r = arpl(cpu_rd16(c, i->seg, ea), get_r16(c, i->reg), &ch);
    if (ch)
        cpu_wr16(c, i->seg, ea, r);
    flags_put(c, F_ZF, ch);
}

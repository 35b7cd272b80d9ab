/* CPU models: what differs between the chips pcvm can be.  Handlers test
 * the fields here rather than the model's name, so each difference is
 * named once (SDM Vol. 3 "IA-32 architecture compatibility", ch. 22). */
#ifndef PCVM_MODELS_H
#define PCVM_MODELS_H

#include <stdbool.h>
#include <stdint.h>

/* Generations, in order: an opcode row names the first one that has it. */
enum cpu_gen {
    GEN_8086, GEN_80186, GEN_80286, GEN_80386, GEN_80486, GEN_PENTIUM,
    GEN_PENTIUM2, GEN_COUNT
};

/* Whose values pcvm gives the flags the SDM leaves undefined after
 * MUL/IMUL, shifts, BT*, DAS, AAA/AAS and AAD (cpu/exec_*.c say which; the
 * 8086 and 80286 rules come from the SingleStepTests captures, the 80386
 * rules from test386.asm's TEST_UNDEF checks, validated there against
 * 386SX hardware).  UF_80386 differs from UF_P6 only in the shifts
 * (SHL/SHR/SAR) and BT/BTS/BTR/BTC; everywhere else it gives P6 values. */
enum undef_flags { UF_P6, UF_8086, UF_80286, UF_80386 }; /* order: exec_shift.c
                                                             tests >= UF_80286 */

struct cpu_model {
    const char *name;            /* as given to -cpu */
    enum cpu_gen gen;
    uint32_t addr_bits;          /* physical address bus width: 20, 24, 32 */
    bool push_sp_new;            /* PUSH SP pushes the decremented SP (8086/186) */
    bool shift_mask;             /* shift/rotate counts masked to 5 bits (186+) */
    bool div_err_next_eip;       /* #DE pushes the next instruction's address (8086/186) */
    bool flags_hi_ones;          /* FLAGS bits 12-15 read as 1 (8086/186) */
    bool seg_wrap;               /* word access at offset 0xFFFF wraps to 0 instead of #GP (8086/186) */
    bool has_ud;                 /* undefined opcodes raise #UD (186+) */
    bool real_iopl_nt_fixed;     /* real mode: POPF/IRET leave IOPL and NT unchanged,
                                    so FLAGS bits 12-15 stay 0 there (80286) */
    bool string_early_update;    /* string instructions advance SI/DI (and CX under REP)
                                    before their accesses, so a limit fault is taken with
                                    them already updated (80286, SingleStepTests data) */
    bool popad_esp_msw;          /* POPAD with a 16-bit stack loads ESP's upper half from
                                    the popped image (80386; test386 TEST_UNDEF) */
    bool sib_scales_base;        /* SIB index 4 ("none") with a non-zero scale scales the
                                    base register (80386; test386 TEST_UNDEF POST 0E) */
    bool idiv_8086;              /* IDIV: a quotient of 80h/8000h raises #DE, and a
                                    REP/REPNE prefix negates the quotient (8086) */
    bool fpu;                    /* an x87 is present (integrated on the 486 and later;
                                    pcvm's 286/386 have no 287/387): D8-DF execute */
    uint8_t undef_flags;         /* enum undef_flags */
    uint8_t max_insn_len;        /* longer instructions fault (0: no limit) */
    uint8_t long_insn_vector;    /* ... with this exception */
    uint32_t eflags_fixed1;      /* bits that always read 1 */
    uint32_t eflags_writable;    /* bits POPF/IRET can change at CPL0, PE=0 */
    uint32_t cr0_fixed1;         /* CR0 bits that read as 1 (ET on 386+ with FPU) */
    uint32_t cr4_writable;       /* CR4 bits this model implements (PSE, PAE and PGE
                                    here are what paging supports: mmu/paging.c) */
    bool nx;                     /* EFER (MSR C000_0080) with NXE and the PAE XD bit.
                                    No pcvm model has it (the P6 family has no NX and
                                    no extended CPUID leaves to report it); tests turn
                                    it on in a copy of a model (tests/unit/test_paging.c) */
    /* CPUID (Pentium and later): leaf 0 and 1 values. */
    uint32_t cpuid_max, cpuid_vendor[3];
    uint32_t cpuid1_eax, cpuid1_ebx, cpuid1_ecx, cpuid1_edx;
};

/* The model called `name`, or NULL. */
const struct cpu_model *cpu_model_find(const char *name);
/* Comma-separated list of model names, for error messages. */
const char *cpu_model_names(void);
extern const struct cpu_model cpu_models[];
extern const int cpu_model_count;

#endif

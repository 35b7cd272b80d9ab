/* The CPU models pcvm can be (-cpu NAME).  Where chips differ, the field
 * in struct cpu_model names the difference; the values follow the SDM
 * Vol. 3 ch. 22 ("Architecture compatibility") and the 8086/80286 data
 * sheets. */
#include "models.h"

#include <string.h>

/* CPUID leaf 1 EDX bits: only what pcvm implements is reported. */
#define CPUID_FPU (1u << 0)
#define CPUID_VME (1u << 1)
#define CPUID_PSE (1u << 3)
#define CPUID_TSC (1u << 4)
#define CPUID_MSR (1u << 5)
#define CPUID_PAE (1u << 6)
#define CPUID_CX8 (1u << 8)
#define CPUID_SEP (1u << 11)
#define CPUID_MTRR (1u << 12)  /* the MTRR MSRs, kept as storage (exec_system.c) */
#define CPUID_PGE (1u << 13)
#define CPUID_CMOV (1u << 15)
#define CPUID_FXSR (1u << 24)

/* CR4 bits per model (SDM Vol. 3 2.5): the Pentium has VME PVI TSD DE PSE
 * MCE; the P6 adds PAE PGE PCE, and OSFXSR (bit 9) with FXSAVE/FXRSTOR
 * (CPUID.FXSR, the Pentium II): Linux sets it as soon as CPUID reports FXSR
 * and a #GP there stops the boot. */
#define CR4_P5_BITS 0x5Fu
#define CR4_P6_BITS 0x3FFu

#define VENDOR_INTEL { 0x756e6547, 0x49656e69, 0x6c65746e } /* "GenuineIntel" in EBX, EDX, ECX */

const struct cpu_model cpu_models[] = {
    { .name = "8086", .gen = GEN_8086, .addr_bits = 20, .push_sp_new = true,
      .shift_mask = false, .div_err_next_eip = true, .flags_hi_ones = true,
      .seg_wrap = true, .has_ud = false, .idiv_8086 = true, .undef_flags = UF_8086,
      .max_insn_len = 0,
      .eflags_fixed1 = 0xF002, .eflags_writable = 0x0FD5 },
    { .name = "80186", .gen = GEN_80186, .addr_bits = 20, .push_sp_new = true,
      .shift_mask = true, .div_err_next_eip = false, .flags_hi_ones = true,
      .seg_wrap = true, .has_ud = true, .undef_flags = UF_8086, .max_insn_len = 0,
      .eflags_fixed1 = 0xF002, .eflags_writable = 0x0FD5 },
    { .name = "80286", .gen = GEN_80286, .addr_bits = 24, .shift_mask = true,
      .has_ud = true, .real_iopl_nt_fixed = true,
      .string_early_update = true, .undef_flags = UF_80286,
      .max_insn_len = 10, .long_insn_vector = 13,
      .eflags_fixed1 = 0x0002, .eflags_writable = 0x7FD5 },
    { .name = "80386", .gen = GEN_80386, .addr_bits = 32, .shift_mask = true,
      .popad_esp_msw = true, .sib_scales_base = true, .undef_flags = UF_80386,
      .has_ud = true, .max_insn_len = 15, .long_insn_vector = 13,
      .eflags_fixed1 = 0x0002, .eflags_writable = 0x37FD5 },
    /* The 80486 keeps UF_P6: test386's undefined-flag checks exist only for
     * CPU_FAMILY 3 (validated on a 386SX), and nothing pcvm has measured
     * says the 486's redesigned shifter/ALU repeats the 386's values. */
    { .name = "80486", .gen = GEN_80486, .addr_bits = 32, .shift_mask = true,
      .has_ud = true, .max_insn_len = 15, .long_insn_vector = 13,
      .eflags_fixed1 = 0x0002, .eflags_writable = 0x77FD5, .cr0_fixed1 = 0x10, .fpu = true },
    { .name = "pentium", .gen = GEN_PENTIUM, .addr_bits = 32, .shift_mask = true,
      .has_ud = true, .max_insn_len = 15, .long_insn_vector = 13,
      .eflags_fixed1 = 0x0002, .eflags_writable = 0x277FD5, .cr0_fixed1 = 0x10, .fpu = true,
      .cpuid_max = 1, .cpuid_vendor = VENDOR_INTEL,
      .cr4_writable = CR4_P5_BITS,
      .cpuid1_eax = 0x052C,
      .cpuid1_edx = CPUID_FPU | CPUID_VME | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_CX8 },
    { .name = "pentium2", .gen = GEN_PENTIUM2, .addr_bits = 32, .shift_mask = true,
      .has_ud = true, .max_insn_len = 15, .long_insn_vector = 13,
      .eflags_fixed1 = 0x0002, .eflags_writable = 0x277FD5, .cr0_fixed1 = 0x10, .fpu = true,
      .cpuid_max = 2, .cpuid_vendor = VENDOR_INTEL,
      .cr4_writable = CR4_P6_BITS,
      .cpuid1_eax = 0x0652,
      .cpuid1_edx = CPUID_FPU | CPUID_VME | CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_PAE |
                    CPUID_CX8 | CPUID_SEP | CPUID_MTRR | CPUID_PGE | CPUID_CMOV | CPUID_FXSR },
};
const int cpu_model_count = sizeof cpu_models / sizeof cpu_models[0];

const struct cpu_model *cpu_model_find(const char *name)
{
    for (int k = 0; k < cpu_model_count; k++)
        if (strcmp(cpu_models[k].name, name) == 0)
            return &cpu_models[k];
    return NULL;
}

const char *cpu_model_names(void)
{
    return "8086, 80186, 80286, 80386, 80486, pentium, pentium2";
}

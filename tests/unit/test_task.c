/* Hardware task switches (cpu/task.c) driven directly through
 * task_switch_sel / task_iret on a bare 80386 in protected mode: the
 * architectural results of SDM Vol. 3A ch. 7 (Table 7-1 exceptions and
 * their error codes, Table 7-2 busy/NT/back-link effects, the state saved
 * in and loaded from 16- and 32-bit TSSs).
 *
 * Physical layout (paging off, flat segments):
 *   0x1000 GDT        0x2000 TSS A (32-bit, the current task)
 *   0x2100 TSS B      0x2200 TSS C (16-bit)     0x2300 TSS D (32-bit)
 *   0x3000 LDT        0x7000 data through the LDT
 */
#include <criterion/criterion.h>
#include <setjmp.h>
#include <string.h>

#include "cpu/flags.h"
#include "cpu/task.h"
#include "harness.h"
#include "mmu/mem.h"

#define GDT 0x1000u
#define TSS_A 0x2000u
#define TSS_B 0x2100u
#define TSS_C 0x2200u
#define TSS_D 0x2300u
#define LDT 0x3000u

enum {
    SEL_CODE = 0x08, SEL_DATA = 0x10, SEL_A = 0x18, SEL_B = 0x20,
    SEL_C = 0x28, SEL_LDT = 0x30, SEL_CODE3 = 0x38, SEL_DATA3 = 0x40,
    SEL_CODE16 = 0x48, SEL_DATA16 = 0x50, SEL_NP = 0x58, SEL_D = 0x60,
    SEL_SS_NP = 0x68,
};

static struct harness *h;
static struct cpu *c;

static void wr32(uint32_t a, uint32_t v) { bus_write(&h->bus, a, v, 4); }
static void wr16(uint32_t a, uint16_t v) { bus_write(&h->bus, a, v, 2); }
static uint32_t rd32(uint32_t a) { return bus_read(&h->bus, a, 4); }
static uint16_t rd16(uint32_t a) { return (uint16_t)bus_read(&h->bus, a, 2); }

/* A descriptor: base, byte limit (< 1 MiB), access byte, flags nibble
 * (G D/B 0 AVL) in bits 0-3. */
static void gdt_set(unsigned sel, uint32_t base, uint32_t limit, unsigned access,
                    unsigned flags)
{
    uint32_t lo = (base << 16) | (limit & 0xFFFFu);
    uint32_t hi = (base & 0xFF000000u) | ((base >> 16) & 0xFFu) |
                  (access << 8) | (limit & 0xF0000u) | (flags << 20);
    uint32_t tab = (sel & 4) ? LDT : GDT;
    wr32(tab + (sel & 0xFFF8u), lo);
    wr32(tab + (sel & 0xFFF8u) + 4, hi);
}

static uint8_t access_byte(unsigned sel)
{
    return (uint8_t)bus_read(&h->bus, GDT + (sel & 0xFFF8u) + 5, 1);
}

/* A 32-bit TSS whose task runs flat ring-0 code at `eip`, registers
 * EAX..EDI = seed + 0x11111111 * n. */
static void tss32(uint32_t base, uint32_t eip, uint32_t seed)
{
    for (uint32_t k = 0; k < 0x68; k += 4)
        wr32(base + k, 0);
    wr32(base + 0x20, eip);
    wr32(base + 0x24, 0x2 | F_CF | F_ZF);
    for (uint32_t r = 0; r < 8; r++)
        wr32(base + 0x28 + 4 * r, seed + 0x11111111u * r);
    wr32(base + 0x38, 0x9000); /* ESP */
    static const uint16_t sel[6] = { SEL_DATA, SEL_CODE, SEL_DATA, SEL_DATA, SEL_DATA, 0 };
    for (uint32_t s = 0; s < 6; s++)
        wr32(base + 0x48 + 4 * s, sel[s]);
    wr16(base + 0x66, 0x68);
}

static void setup(void)
{
    h = harness_new("80386", 1u << 20);
    cr_assert_not_null(h);
    c = &h->cpu;
    harness_flat32(h);
    c->gdtr.base = GDT;
    c->gdtr.limit = 0x6F;
    gdt_set(SEL_CODE, 0, 0xFFFFF, 0x9B, 0xC);
    gdt_set(SEL_DATA, 0, 0xFFFFF, 0x93, 0xC);
    gdt_set(SEL_A, TSS_A, 0x67, 0x8B, 0);   /* busy: the current task */
    gdt_set(SEL_B, TSS_B, 0x67, 0x89, 0);
    gdt_set(SEL_C, TSS_C, 0x2B, 0x81, 0);   /* 16-bit, available */
    gdt_set(SEL_LDT, LDT, 0x0F, 0x82, 0);
    gdt_set(SEL_CODE3, 0, 0xFFFFF, 0xFB, 0xC);
    gdt_set(SEL_DATA3, 0, 0xFFFFF, 0xF3, 0xC);
    gdt_set(SEL_CODE16, 0, 0xFFFF, 0x9B, 0);
    gdt_set(SEL_DATA16, 0, 0xFFFF, 0x93, 0);
    gdt_set(SEL_NP, 0, 0xFFFF, 0x13, 0);     /* data, not present */
    gdt_set(SEL_D, TSS_D, 0x67, 0x89, 0);
    gdt_set(SEL_SS_NP, 0, 0xFFFFF, 0x13, 0xC); /* writable data, not present */
    c->tr = (struct seg){ .sel = SEL_A, .base = TSS_A, .limit = 0x67, .ar = 0x8B };
    tss32(TSS_A, 0, 0);
    tss32(TSS_B, 0x5000, 0xB0000000u);
    tss32(TSS_D, 0x6000, 0xD0000000u);
    for (int r = 0; r < 8; r++)
        c->reg[r] = 0xA0000000u + (uint32_t)r;
    c->eip = 0x4000;
    c->prev_eip = 0x3FFE;
    cpu_set_eflags(c, 0x2 | F_OF, 0xFFFFFFFFu);
    c->cr[0] &= ~(uint32_t)CR0_TS;
}

static void teardown(void)
{
    harness_free(h);
    h = NULL;
}

TestSuite(task, .init = setup, .fini = teardown);

/* Runs one switch; returns -1 when it completed, else the exception
 * vector (with *err its error code, -1 for none). */
static int run(uint16_t sel, enum task_reason why, uint32_t next, bool has_err,
               uint32_t err_in, long *err)
{
    *err = -1;
    if (setjmp(c->jmp)) {
        if (c->exc_has_error)
            *err = (long)c->exc_error;
        return c->exc_vector;
    }
    task_switch_sel(c, sel, why, next, has_err, err_in);
    return -1;
}

static int run_iret(uint32_t next, long *err)
{
    *err = -1;
    if (setjmp(c->jmp)) {
        if (c->exc_has_error)
            *err = (long)c->exc_error;
        return c->exc_vector;
    }
    task_iret(c, next);
    return -1;
}

Test(task, jmp_32bit_saves_loads_and_moves_busy)
{
    long err;
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), -1);
    /* Outgoing state in TSS A. */
    cr_assert_eq(rd32(TSS_A + 0x20), 0x4002);
    cr_assert_eq(rd32(TSS_A + 0x24) & 0xFFFF, 0x2 | F_OF);
    for (uint32_t r = 0; r < 8; r++)
        cr_assert_eq(rd32(TSS_A + 0x28 + 4 * r), 0xA0000000u + r);
    cr_assert_eq(rd16(TSS_A + 0x4C), SEL_CODE);
    /* Busy bits: A available again, B busy; TR = B. */
    cr_assert_eq(access_byte(SEL_A), 0x89);
    cr_assert_eq(access_byte(SEL_B), 0x8B);
    cr_assert_eq(c->tr.sel, SEL_B);
    cr_assert_eq(c->tr.base, TSS_B);
    cr_assert_eq(c->tr.ar & 0x1F, 0x0B);
    /* New state. */
    cr_assert_eq(c->eip, 0x5000);
    for (int r = 0; r < 8; r++)
        cr_assert_eq(c->reg[r], r == R_ESP ? 0x9000u : 0xB0000000u + 0x11111111u * (uint32_t)r);
    cr_assert_eq(cpu_get_eflags(c) & 0xFFFF, 0x2 | F_CF | F_ZF);
    cr_assert_eq(cpu_get_eflags(c) & F_NT, 0, "JMP leaves NT as the TSS has it");
    cr_assert(c->cr[0] & CR0_TS);
    cr_assert_eq(c->seg[S_CS].sel, SEL_CODE);
    cr_assert_eq(c->seg[S_CS].limit, 0xFFFFFFFFu);
    cr_assert_eq(c->seg[S_SS].sel, SEL_DATA);
    cr_assert_eq(c->seg[S_GS].sel, 0);
    cr_assert_eq(c->seg[S_GS].ar & 0x80, 0, "null GS is unusable");
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(rd16(TSS_B + 0), 0, "JMP writes no back link");
}

Test(task, call_nests_and_iret_returns)
{
    long err;
    cr_assert_eq(run(SEL_B, TASK_CALL, 0x4005, false, 0, &err), -1);
    cr_assert_eq(rd16(TSS_B + 0), SEL_A, "back link");
    cr_assert(cpu_get_eflags(c) & F_NT);
    cr_assert_eq(access_byte(SEL_A), 0x8B, "CALL keeps the caller busy");
    cr_assert_eq(access_byte(SEL_B), 0x8B);
    c->reg[R_EAX] = 0x12345678;
    cr_assert_eq(run_iret(0x5010, &err), -1);
    cr_assert_eq(c->tr.sel, SEL_A);
    cr_assert_eq(c->eip, 0x4005);
    cr_assert_eq(c->reg[R_EAX], 0xA0000000u);
    cr_assert_eq(cpu_get_eflags(c) & 0xFFFF, 0x2 | F_OF);
    cr_assert_eq(access_byte(SEL_B), 0x89, "IRET frees the task it leaves");
    cr_assert_eq(access_byte(SEL_A), 0x8B);
    cr_assert_eq(rd32(TSS_B + 0x20), 0x5010);
    cr_assert_eq(rd32(TSS_B + 0x28), 0x12345678);
    cr_assert_eq(rd32(TSS_B + 0x24) & F_NT, 0, "IRET saves NT cleared");
}

Test(task, call_busy_task_is_gp)
{
    long err;
    cr_assert_eq(run(SEL_A, TASK_CALL, 0x4002, false, 0, &err), EX_GP);
    cr_assert_eq(err, SEL_A);
    cr_assert_eq(c->tr.sel, SEL_A, "nothing changed");
    cr_assert_eq(rd32(TSS_A + 0x20), 0, "nothing saved");
    cr_assert_eq(run(SEL_A, TASK_JMP, 0x4002, false, 0, &err), EX_GP);
    cr_assert_eq(err, SEL_A);
}

Test(task, iret_to_available_task_is_ts)
{
    long err;
    wr16(TSS_A + 0, SEL_B); /* back link to a task that is not busy */
    cr_assert_eq(run_iret(0x4002, &err), EX_TS);
    cr_assert_eq(err, SEL_B);
    wr16(TSS_A + 0, SEL_B | 4); /* TI = 1 */
    cr_assert_eq(run_iret(0x4002, &err), EX_TS);
    cr_assert_eq(err, SEL_B | 4);
    cr_assert_eq(c->tr.sel, SEL_A);
}

Test(task, bad_descriptors_before_the_commit)
{
    long err;
    gdt_set(SEL_B, TSS_B, 0x66, 0x89, 0);   /* limit below 0x67 */
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), EX_TS);
    cr_assert_eq(err, SEL_B);
    gdt_set(SEL_B, TSS_B, 0x67, 0x09, 0);   /* not present */
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), EX_NP);
    cr_assert_eq(err, SEL_B);
    cr_assert_eq(run(SEL_LDT, TASK_JMP, 0x4002, false, 0, &err), EX_GP);
    cr_assert_eq(err, SEL_LDT);
    cr_assert_eq(run(0x78, TASK_CALL, 0x4002, false, 0, &err), EX_GP); /* past the GDT limit */
    cr_assert_eq(err, 0x78);
    cr_assert_eq(c->tr.sel, SEL_A);
    cr_assert_eq(c->eip, 0x4000);
    cr_assert_eq(access_byte(SEL_A), 0x8B);
    cr_assert_eq(rd32(TSS_A + 0x20), 0, "no state saved");
}

Test(task, fault_after_commit_is_in_the_new_task)
{
    long err;
    wr32(TSS_B + 0x4C, SEL_DATA); /* CS = a data segment */
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), EX_TS);
    cr_assert_eq(err, SEL_DATA);
    cr_assert_eq(c->tr.sel, SEL_B, "committed");
    cr_assert_eq(c->eip, 0x5000);
    cr_assert_eq(c->prev_eip, 0x5000, "the fault returns to the new task");
    cr_assert_eq(c->reg[R_EBX], 0xB0000000u + 0x33333333u);
    cr_assert_eq(access_byte(SEL_A), 0x89);
    cr_assert_eq(rd32(TSS_A + 0x20), 0x4002);
}

Test(task, stack_not_present_is_ss_and_bad_data_is_ts_or_np)
{
    long err;
    wr32(TSS_B + 0x50, SEL_SS_NP);
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), EX_SS);
    cr_assert_eq(err, SEL_SS_NP);

    setup();
    wr32(TSS_B + 0x54, SEL_NP); /* DS not present */
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), EX_NP);
    cr_assert_eq(err, SEL_NP);
    cr_assert_eq(c->seg[S_SS].sel, SEL_DATA, "SS was loaded before DS");

    setup();
    wr32(TSS_B + 0x54, SEL_DATA3 | 3); /* DPL 3 data at CPL 0 is fine */
    wr32(TSS_B + 0x48, SEL_DATA3);     /* RPL 0 < DPL 3: fine too */
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), -1);

    setup();
    wr32(TSS_B + 0x4C, SEL_CODE3 | 3); /* ring-3 task with a ring-0 stack */
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), EX_TS);
    cr_assert_eq(err, SEL_DATA);
}

Test(task, ring3_task)
{
    long err;
    wr32(TSS_B + 0x4C, SEL_CODE3 | 3);
    wr32(TSS_B + 0x50, SEL_DATA3 | 3);
    wr32(TSS_B + 0x54, SEL_DATA3 | 3);
    wr32(TSS_B + 0x48, SEL_DATA); /* DPL 0 data in a ring-3 task */
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), EX_TS);
    cr_assert_eq(err, SEL_DATA);
    cr_assert_eq(c->cpl, 3);
    setup();
    wr32(TSS_B + 0x4C, SEL_CODE3 | 3);
    wr32(TSS_B + 0x50, SEL_DATA3 | 3);
    wr32(TSS_B + 0x54, SEL_DATA3 | 3);
    wr32(TSS_B + 0x48, SEL_DATA3 | 3);
    wr32(TSS_B + 0x58, SEL_DATA3 | 3);
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), -1);
    cr_assert_eq(c->cpl, 3);
    cr_assert_eq(c->seg[S_SS].sel, SEL_DATA3 | 3);
}

Test(task, ldt_loaded_and_used_for_segments)
{
    long err;
    gdt_set(0x0C, 0x7000, 0xFFF, 0x93, 0); /* LDT entry 1 */
    wr32(TSS_B + 0x60, SEL_LDT);
    wr32(TSS_B + 0x54, 0x0C);
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), -1);
    cr_assert_eq(c->ldtr.sel, SEL_LDT);
    cr_assert_eq(c->ldtr.base, LDT);
    cr_assert_eq(c->seg[S_DS].base, 0x7000);
    cr_assert_eq(c->seg[S_DS].limit, 0xFFF);
    cr_assert_eq(bus_read(&h->bus, LDT + 8 + 5, 1), 0x93, "accessed bit set");

    setup();
    wr32(TSS_B + 0x60, SEL_DATA); /* not an LDT */
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), EX_TS);
    cr_assert_eq(err, SEL_DATA);
}

Test(task, tss16_call_and_iret)
{
    long err;
    for (uint32_t k = 0; k < 0x2C; k += 2)
        wr16(TSS_C + k, 0);
    wr16(TSS_C + 0x0E, 0x1234);          /* IP */
    wr16(TSS_C + 0x10, 0x2 | F_SF);      /* FLAGS */
    for (uint32_t r = 0; r < 8; r++)
        wr16(TSS_C + 0x12 + 2 * r, (uint16_t)(0xC000 + r));
    wr16(TSS_C + 0x22, SEL_DATA16);      /* ES */
    wr16(TSS_C + 0x24, SEL_CODE16);      /* CS */
    wr16(TSS_C + 0x26, SEL_DATA16);      /* SS */
    wr16(TSS_C + 0x28, SEL_DATA16);      /* DS */
    c->eflags |= F_RF;
    cr_assert_eq(run(SEL_C, TASK_CALL, 0x4002, false, 0, &err), -1);
    cr_assert_eq(c->eip, 0x1234);
    cr_assert_eq(cpu_get_eflags(c) & 0xFFFF0000u, 0, "no upper EFLAGS bits in a 16-bit task");
    cr_assert_eq(c->reg[R_EDX], 0xFFFFC002, "upper halves set to ones (80386)");
    cr_assert_eq(cpu_get_eflags(c) & (F_SF | F_NT), F_SF | F_NT);
    cr_assert_eq(rd16(TSS_C + 0), SEL_A, "back link");
    cr_assert_eq(access_byte(SEL_C), 0x83, "16-bit TSS busy");
    cr_assert_eq(c->seg[S_CS].limit, 0xFFFF);
    cr_assert(!cpu_code32(c));
    cr_assert_eq(c->seg[S_FS].sel, 0);
    c->reg[R_EAX] = 0xFFFF5555u;
    cr_assert_eq(run_iret(0x1236, &err), -1);
    cr_assert_eq(rd16(TSS_C + 0x0E), 0x1236);
    cr_assert_eq(rd16(TSS_C + 0x12), 0x5555);
    cr_assert_eq(rd16(TSS_C + 0x10) & F_NT, 0);
    cr_assert_eq(access_byte(SEL_C), 0x81);
    cr_assert_eq(c->tr.sel, SEL_A);
    cr_assert_eq(c->eip, 0x4002);
    cr_assert_eq(c->reg[R_EAX], 0xA0000000u);
}

Test(task, tss16_limit)
{
    long err;
    gdt_set(SEL_C, TSS_C, 0x2A, 0x81, 0);
    cr_assert_eq(run(SEL_C, TASK_JMP, 0x4002, false, 0, &err), EX_TS);
    cr_assert_eq(err, SEL_C);
}

Test(task, int_pushes_error_code_on_the_new_stack)
{
    long err;
    cr_assert_eq(run(SEL_B, TASK_INT, 0x3FFE, true, 0x1234, &err), -1);
    cr_assert_eq(c->reg[R_ESP], 0x9000 - 4);
    cr_assert_eq(rd32(0x9000 - 4), 0x1234);
    cr_assert_eq(rd32(TSS_A + 0x20), 0x3FFE, "the faulting instruction is saved");
    cr_assert(cpu_get_eflags(c) & F_NT);
    cr_assert_eq(rd16(TSS_B), SEL_A);
}

Test(task, eip_outside_cs_is_gp_in_the_new_task)
{
    long err;
    wr32(TSS_B + 0x4C, SEL_CODE16);
    wr32(TSS_B + 0x20, 0x10000);
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), EX_GP);
    cr_assert_eq(err, 0);
    cr_assert_eq(c->tr.sel, SEL_B);
}

Test(task, t_bit_traps_before_the_first_instruction)
{
    long err;
    wr16(TSS_B + 0x64, 1);
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), EX_DB);
    cr_assert_eq(err, -1);
    cr_assert_eq(c->tr.sel, SEL_B);
    cr_assert_eq(c->eip, 0x5000);
    cr_assert_eq(c->prev_eip, 0x5000);
    cr_assert(c->dr[6] & (1u << 15), "DR6.BT");
}

Test(task, local_breakpoint_enables_cleared)
{
    long err;
    c->dr[7] = 0x400 | 0xFF | 0x300; /* L0-L3, G0-G3, LE, GE */
    cr_assert_eq(run(SEL_B, TASK_JMP, 0x4002, false, 0, &err), -1);
    cr_assert_eq(c->dr[7], 0x400 | 0xAA | 0x200, "L0-L3 and LE cleared, G0-G3 and GE kept");
}

Test(task, chain_of_three_and_back)
{
    long err;
    cr_assert_eq(run(SEL_B, TASK_CALL, 0x4002, false, 0, &err), -1);
    cr_assert_eq(run(SEL_D, TASK_CALL, 0x5002, false, 0, &err), -1);
    cr_assert_eq(rd16(TSS_D), SEL_B);
    cr_assert_eq(c->eip, 0x6000);
    cr_assert_eq(run(SEL_A, TASK_CALL, 0x6002, false, 0, &err), EX_GP, "A is busy (nested)");
    cr_assert_eq(run_iret(0x6004, &err), -1);
    cr_assert_eq(c->tr.sel, SEL_B);
    cr_assert_eq(c->eip, 0x5002);
    cr_assert(cpu_get_eflags(c) & F_NT, "B is still nested in A");
    cr_assert_eq(run_iret(0x5004, &err), -1);
    cr_assert_eq(c->tr.sel, SEL_A);
    cr_assert_eq(c->eip, 0x4002);
    cr_assert_eq(access_byte(SEL_A), 0x8B);
    cr_assert_eq(access_byte(SEL_B), 0x89);
    cr_assert_eq(access_byte(SEL_D), 0x89);
}

Test(task, iomap_base)
{
    cr_assert_eq(task_iomap_base(c), 0x68);
    c->tr.ar = 0x83;
    cr_assert_eq(task_iomap_base(c), 0xFFFFFFFFu);
}

Test(task, ext_bit_for_external_events)
{
    long err;
    wr32(TSS_B + 0x50, SEL_SS_NP);
    cr_assert_eq(run(SEL_B, TASK_INT | TASK_EXT, 0x3FFE, true, 0, &err), EX_SS);
    cr_assert_eq(err, SEL_SS_NP | 1, "EXT set: the switch delivers an external event");
    setup();
    gdt_set(SEL_B, TSS_B, 0x67, 0x09, 0);
    cr_assert_eq(run(SEL_B, TASK_INT | TASK_EXT, 0x3FFE, true, 0, &err), EX_NP);
    cr_assert_eq(err, SEL_B | 1);
    cr_assert_eq(run(SEL_B, TASK_INT, 0x3FFE, false, 0, &err), EX_NP);
    cr_assert_eq(err, SEL_B, "INT n: no EXT");
}

/* Protected-mode segmentation, privilege transfers, IDT delivery, V86
 * mode, the I/O permission bitmap and debug exceptions (cpu/descriptor.c,
 * cpu/farxfer.c, cpu/interrupt.c, cpu/debug.c) on a bare CPU with GDT,
 * IDT and TSS built in RAM from C.
 *
 * Layout (physical = linear, no paging):
 *   0x01000 GDT (selectors below)      0x02000 IDT (256 gates)
 *   0x03000 32-bit TSS (ESP0 = STACK0, SS0 = 0x10), I/O bitmap at +0x68
 *   0x10000 ring-0 code (CODE)         0x20000 ring-3 code (UCODE)
 *   0x30000 handlers (HND)             0x40000 exception stubs: vector v at
 *           STUB + 16v is a HLT, so an exception stops the CPU there
 *   STACK0 = 0x9000 (ring 0), STACK3 = 0x8000 (ring 3)
 * Every exception vector 0-31 has a 32-bit interrupt gate (DPL 0) to its
 * stub, so "which vector, which error code" is read off the final EIP and
 * the frame at ESP.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/descriptor.h"
#include "cpu/flags.h"
#include "mmu/mem.h"
#include "harness.h"

#define GDT 0x1000u
#define IDT 0x2000u
#define TSS 0x3000u
#define CODE 0x10000u
#define UCODE 0x20000u
#define HND 0x30000u
#define STUB 0x40000u
#define STACK0 0x9000u
#define STACK3 0x8000u

/* Selectors. */
enum {
    S_CODE0 = 0x08, S_DATA0 = 0x10, S_CODE3 = 0x18, S_DATA3 = 0x20, S_TSS = 0x28,
    S_NP = 0x30, S_EXPDN = 0x38, S_CGATE = 0x40, S_CGATE_NP = 0x48, S_SMALL = 0x50,
    S_RO = 0x58, S_TSS_NP = 0x60, S_GDT_END = 0x68,
};

static struct harness *h;
static struct cpu *c;

static uint32_t rd(uint32_t a, unsigned n) { return bus_read(&h->bus, a, n); }
static void wr(uint32_t a, uint32_t v, unsigned n) { bus_write(&h->bus, a, v, n); }

/* A segment descriptor: base, byte limit (G chosen for limits > 1 MiB),
 * access byte (P DPL S type), flags nibble D/B (0x4) or 0. */
static void set_seg(uint16_t sel, uint32_t base, uint32_t limit, uint8_t access, uint8_t db)
{
    uint8_t g = 0;
    if (limit > 0xFFFFF) {
        limit >>= 12;
        g = 0x8;
    }
    uint32_t lo = (limit & 0xFFFF) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xFF) | ((uint32_t)access << 8) | (limit & 0xF0000) |
                  ((uint32_t)(g | db) << 20) | (base & 0xFF000000u);
    wr(GDT + (sel & ~7u), lo, 4);
    wr(GDT + (sel & ~7u) + 4, hi, 4);
}

/* A gate: type (4/C call, 5 task, E int32, F trap32), DPL, present. */
static void set_gate(uint32_t addr, uint16_t sel, uint32_t off, unsigned type, unsigned dpl,
                     bool present, unsigned params)
{
    wr(addr, (off & 0xFFFF) | ((uint32_t)sel << 16), 4);
    wr(addr + 4, (off & 0xFFFF0000u) | (present ? 0x8000u : 0) | (dpl << 13) | (type << 8) | params, 4);
}

static void idt_gate(unsigned v, uint32_t off, unsigned type, unsigned dpl, bool present)
{
    set_gate(IDT + 8 * v, S_CODE0, off, type, dpl, present, 0);
}

#define LOAD(addr, ...)                                                 \
    do {                                                                \
        static const uint8_t code_[] = { __VA_ARGS__ };                 \
        harness_load(h, (addr), code_, sizeof code_);                   \
        blockcache_flush(&h->bc);                                       \
    } while (0)

/* Ring 0, flat 32-bit protected mode with the tables above. */
static void teardown(void);

static void setup(const char *model)
{
    teardown();                        /* tests that set up twice */
    h = harness_new(model, 1u << 20);
    cr_assert_not_null(h);
    c = &h->cpu;
    set_seg(S_CODE0, 0, 0xFFFFFFFFu, 0x9A, 0x4);
    set_seg(S_DATA0, 0, 0xFFFFFFFFu, 0x92, 0x4);
    set_seg(S_CODE3, 0, 0xFFFFFFFFu, 0xFA, 0x4);
    set_seg(S_DATA3, 0, 0xFFFFFFFFu, 0xF2, 0x4);
    set_seg(S_TSS, TSS, 0x68 + 8192 + 1, 0x89, 0);     /* available 32-bit TSS */
    set_seg(S_NP, 0, 0xFFFF, 0x12, 0);                  /* data, DPL 0, not present */
    set_seg(S_EXPDN, 0, 0x0FFF, 0x96, 0);               /* expand-down, 16-bit: 0x1000-0xFFFF */
    set_gate(GDT + S_CGATE, S_CODE0, HND, 0xC, 3, true, 2);
    set_gate(GDT + S_CGATE_NP, S_CODE0, HND, 0xC, 3, false, 0);
    set_seg(S_SMALL, 0x5000, 0xFF, 0x92, 0);           /* limit 0xFF */
    set_seg(S_RO, 0, 0xFFFF, 0x90, 0);                  /* read-only data */
    set_seg(S_TSS_NP, 0x3800, 0x67, 0x09, 0);           /* 32-bit TSS, not present */
    c->gdtr.base = GDT;
    c->gdtr.limit = S_GDT_END - 1;
    for (unsigned v = 0; v < 32; v++) {
        idt_gate(v, STUB + 16 * v, 0xE, 0, true);
        wr(STUB + 16 * v, 0xF4, 1);
    }
    c->idtr.base = IDT;
    c->idtr.limit = 256 * 8 - 1;
    wr(TSS + 4, STACK0, 4);
    wr(TSS + 8, S_DATA0, 2);
    wr(TSS + 0x66, 0x68, 2);
    for (uint32_t k = 0; k < 8192 + 1; k++)
        wr(TSS + 0x68 + k, 0xFF, 1);                    /* every port denied */
    harness_flat32(h);
    pm_ltr(c, S_TSS);
    c->reg[R_ESP] = STACK0;
}

static void teardown(void)
{
    if (h)
        harness_free(h);
    h = NULL;
}

TestSuite(protected, .fini = teardown);

/* Runs from CS:eip; returns the exception vector whose stub stopped the
 * CPU, or -1. */
static int run_vec(uint32_t eip, uint64_t max)
{
    harness_run(h, eip, max);
    uint32_t at = c->seg[S_CS].base + c->eip - 1;
    if (at >= STUB && at < STUB + 32 * 16 && (at - STUB) % 16 == 0)
        return (int)((at - STUB) / 16);
    return -1;
}

static uint32_t stk(unsigned k) { return rd(c->seg[S_SS].base + c->reg[R_ESP] + 4 * k, 4); }

/* Enters ring 3 at UCODE + off with ESP = STACK3 through IRETD from ring
 * 0 (code at CODE: IRETD with the frame built here). */
static void to_ring3(uint32_t eflags)
{
    uint32_t sp = STACK0 - 20;
    wr(sp, UCODE, 4);
    wr(sp + 4, S_CODE3 | 3, 4);
    wr(sp + 8, eflags | 2, 4);
    wr(sp + 12, STACK3, 4);
    wr(sp + 16, S_DATA3 | 3, 4);
    c->reg[R_ESP] = sp;
    LOAD(CODE, 0xCF);                    /* iretd */
}

/* ------------------------------------------------------------ loads */

/* One segment load at ring 0 with AX = sel: returns vector, *err. */
static int load_fault(uint8_t modrm_sreg, uint16_t sel, uint32_t *err)
{
    const uint8_t code[] = { 0x8E, modrm_sreg, 0xF4 };   /* mov sreg, ax; hlt */
    harness_load(h, CODE, code, sizeof code);
    blockcache_flush(&h->bc);
    c->reg[R_EAX] = sel;
    c->reg[R_ESP] = STACK0;
    int v = run_vec(CODE, 10);
    *err = v >= 0 ? stk(0) : 0xDEAD;
    return v;
}

#define MOV_SS 0xD0
#define MOV_DS 0xD8
#define MOV_ES 0xC0

Test(protected, segment_load_faults)
{
    setup("pentium2");
    uint32_t err;
    cr_assert_eq(load_fault(MOV_SS, 0, &err), EX_GP, "null SS");
    cr_assert_eq(err, 0);
    cr_assert_eq(load_fault(MOV_SS, 3, &err), EX_GP, "null SS with RPL 3");
    cr_assert_eq(err, 0);
    cr_assert_eq(load_fault(MOV_DS, S_NP, &err), EX_NP, "not-present data into DS");
    cr_assert_eq(err, S_NP);
    cr_assert_eq(load_fault(MOV_SS, S_NP, &err), EX_SS, "not-present stack");
    cr_assert_eq(err, S_NP);
    cr_assert_eq(load_fault(MOV_SS, S_DATA3 | 3, &err), EX_GP, "SS RPL 3 at CPL 0");
    cr_assert_eq(err, S_DATA3);
    cr_assert_eq(load_fault(MOV_SS, S_DATA3, &err), EX_GP, "SS DPL 3 at CPL 0");
    cr_assert_eq(err, S_DATA3);
    cr_assert_eq(load_fault(MOV_SS, S_CODE0, &err), EX_GP, "code into SS");
    cr_assert_eq(err, S_CODE0);
    cr_assert_eq(load_fault(MOV_SS, S_RO, &err), EX_GP, "read-only data into SS");
    cr_assert_eq(err, S_RO);
    cr_assert_eq(load_fault(MOV_DS, S_GDT_END | 3, &err), EX_GP, "selector beyond the GDT limit");
    cr_assert_eq(err, S_GDT_END);
    cr_assert_eq(load_fault(MOV_DS, 0x0C, &err), EX_GP, "LDT selector with no LDT");
    cr_assert_eq(err, 0x0C);
    cr_assert_eq(load_fault(MOV_DS, S_TSS, &err), EX_GP, "system descriptor into DS");
    cr_assert_eq(err, S_TSS);
    /* Loads that work: readable code into DS, null into ES. */
    cr_assert_eq(load_fault(MOV_DS, S_CODE0, &err), -1);
    cr_assert_eq(c->seg[S_DS].sel, S_CODE0);
    cr_assert_eq(load_fault(MOV_ES, 0, &err), -1);
    cr_assert_eq(c->seg[S_ES].sel, 0);
    /* The accessed bit is set in the descriptor. */
    cr_assert(rd(GDT + S_CODE0 + 5, 1) & 1);
}

Test(protected, null_segment_use_and_limit)
{
    setup("pentium2");
    /* mov es, ax (null); mov al, [es:0] -> #GP(0), even for a byte at 0 */
    LOAD(CODE, 0x8E, 0xC0, 0x26, 0xA0, 0x00, 0x00, 0x00, 0x00, 0xF4);
    c->reg[R_EAX] = 0;
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(0), 0);
    cr_assert_eq(stk(1), CODE + 2, "faulting EIP %x", stk(1));
    cr_assert(stk(3) & F_RF, "a fault pushes RF = 1");
    /* DS limit 0xFF: a dword at 0xFC is fine, at 0xFD is #GP(0). */
    setup("pentium2");
    LOAD(CODE, 0x8E, 0xD8, 0x8B, 0x03, 0x8B, 0x01, 0xF4);  /* mov ds,ax; mov eax,[ebx]; mov eax,[ecx]; hlt */
    c->reg[R_EAX] = S_SMALL;
    c->reg[R_EBX] = 0xFC;
    c->reg[R_ECX] = 0xFD;
    wr(0x5000 + 0xFC, 0x12345678, 4);
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(1), CODE + 4);
    cr_assert_eq(c->reg[R_EAX], 0x12345678);
}

Test(protected, expand_down)
{
    setup("pentium2");
    /* mov ds,ax; mov al,[ebx]; mov al,[ecx]; hlt  with limit 0x0FFF, B=0:
     * offsets 0x1000-0xFFFF are valid. */
    LOAD(CODE, 0x8E, 0xD8, 0x8A, 0x03, 0x8A, 0x01, 0xF4);
    c->reg[R_EAX] = S_EXPDN;
    c->reg[R_EBX] = 0x1000;
    c->reg[R_ECX] = 0x0FFF;
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(1), CODE + 4, "the access at the limit faults");
    /* A word at 0xFFFF crosses the 64 KiB upper bound. */
    LOAD(CODE, 0x8E, 0xD8, 0x66, 0x8B, 0x03, 0xF4);
    c->reg[R_EAX] = S_EXPDN;
    c->reg[R_EBX] = 0xFFFF;
    c->reg[R_ESP] = STACK0;
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(1), CODE + 2);
    c->reg[R_EAX] = S_EXPDN;
    c->reg[R_EBX] = 0xFFFE;
    c->reg[R_ESP] = STACK0;
    cr_assert_eq(run_vec(CODE, 10), -1);
}

/* ------------------------------------------------------------ gates */

Test(protected, call_gate_ring3_to_ring0_with_parameters)
{
    setup("pentium2");
    to_ring3(0);
    /* ring 3: push 0x11111111; push 0x22222222; call 0x43:0; hlt */
    LOAD(UCODE, 0x68, 0x11, 0x11, 0x11, 0x11, 0x68, 0x22, 0x22, 0x22, 0x22,
         0x9A, 0x00, 0x00, 0x00, 0x00, S_CGATE | 3, 0x00, 0xF4);
    /* ring 0: mov eax,[esp+8]; mov ebx,[esp+12]; mov ecx,esp; mov edx,[esp+16]; retf 8 */
    LOAD(HND, 0x8B, 0x44, 0x24, 0x08, 0x8B, 0x5C, 0x24, 0x0C, 0x89, 0xE1,
         0x8B, 0x54, 0x24, 0x10, 0xCA, 0x08, 0x00);
    /* The ring-3 HLT is privileged: #GP(0) stops the run at its stub. */
    cr_assert_eq(run_vec(CODE, 100), EX_GP);
    cr_assert_eq(c->reg[R_EAX], 0x22222222, "first parameter copied");
    cr_assert_eq(c->reg[R_EBX], 0x11111111, "second parameter copied");
    cr_assert_eq(c->reg[R_ECX], STACK0 - 24, "inner stack: EIP CS p p ESP SS");
    cr_assert_eq(c->reg[R_EDX], STACK3 - 8, "old ESP pushed");
    /* #GP frame on the ring-0 stack: error, EIP of the HLT, CS, EFLAGS,
     * ESP (parameters released by RETF 8), SS. */
    cr_assert_eq(stk(0), 0);
    cr_assert_eq(stk(1), UCODE + 17);
    cr_assert_eq(stk(2), S_CODE3 | 3);
    cr_assert_eq(stk(4), STACK3);
    cr_assert_eq(stk(5), S_DATA3 | 3);
    cr_assert_eq(c->seg[S_DS].sel, 0, "the IRET to ring 3 nulled DS (DPL 0)");
    cr_assert_eq(c->seg[S_ES].sel, 0);
}

Test(protected, far_call_through_not_present_gate)
{
    setup("pentium2");
    LOAD(CODE, 0x9A, 0x00, 0x00, 0x00, 0x00, S_CGATE_NP, 0x00, 0xF4);
    cr_assert_eq(run_vec(CODE, 10), EX_NP);
    cr_assert_eq(stk(0), S_CGATE_NP);
    cr_assert_eq(stk(1), CODE);
}

Test(protected, ring3_far_jump_to_ring0_code_is_gp)
{
    setup("pentium2");
    to_ring3(0);
    LOAD(UCODE, 0xEA, 0x00, 0x00, 0x00, 0x00, S_CODE0 | 3, 0x00);  /* jmp 0x0B:0 */
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(0), S_CODE0);
    cr_assert_eq(stk(1), UCODE);
}

Test(protected, interrupt_gate_from_ring3_switches_stacks)
{
    setup("pentium2");
    idt_gate(0x40, HND, 0xE, 3, true);
    to_ring3(F_IF);
    LOAD(UCODE, 0x90, 0xCD, 0x40);         /* nop; int 0x40 */
    LOAD(HND, 0xF4);                       /* ring 0: hlt */
    enum run_status st = harness_run(h, CODE, 10);
    cr_assert_eq(st, RUN_DEAD, "interrupt gate cleared IF, then HLT");
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(c->seg[S_SS].sel, S_DATA0);
    cr_assert_eq(c->reg[R_ESP], STACK0 - 20);
    cr_assert_eq(stk(0), UCODE + 3, "return EIP");
    cr_assert_eq(stk(1), S_CODE3 | 3);
    cr_assert(stk(2) & F_IF, "pushed EFLAGS has IF");
    cr_assert_eq(stk(3), STACK3);
    cr_assert_eq(stk(4), S_DATA3 | 3);
    /* IRET goes back to ring 3 with the old stack. */
    LOAD(HND + 1, 0xCF);
    LOAD(UCODE + 3, 0xF4);                 /* ring 3 hlt -> #GP */
    cr_assert_eq(run_vec(HND + 1, 10), EX_GP);
    cr_assert_eq(stk(1), UCODE + 3);
    cr_assert_eq(stk(4), STACK3);
}

Test(protected, software_int_gate_dpl_check)
{
    setup("pentium2");
    idt_gate(0x40, HND, 0xE, 0, true);     /* DPL 0 */
    to_ring3(0);
    LOAD(UCODE, 0xCD, 0x40);
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(0), 0x40 * 8 + 2, "IDT error code, EXT clear for INT n");
}

Test(protected, trap_gate_leaves_if_set)
{
    setup("pentium2");
    idt_gate(0x41, HND, 0xF, 0, true);
    LOAD(CODE, 0xFB, 0xCD, 0x41);          /* sti; int 0x41 */
    LOAD(HND, 0xF4);
    enum run_status st = harness_run(h, CODE, 10);
    cr_assert_eq(st, RUN_HALTED, "IF still set in the handler");
    cr_assert(c->eflags & F_IF);
    cr_assert_eq(stk(0), CODE + 3);
    cr_assert_eq(stk(1), S_CODE0);
}

Test(protected, double_fault_and_triple_fault)
{
    setup("pentium2");
    idt_gate(EX_GP, STUB + 16 * EX_GP, 0xE, 0, false);  /* #GP gate not present */
    uint32_t err;
    /* null SS -> #GP -> #NP(13*8+2+EXT) during delivery -> #DF(0). */
    cr_assert_eq(load_fault(MOV_SS, 0, &err), EX_DF);
    cr_assert_eq(err, 0);
    cr_assert_eq(stk(1), CODE, "#DF pushes the faulting instruction");
    /* A fault while delivering #DF shuts the CPU down. */
    idt_gate(EX_DF, STUB + 16 * EX_DF, 0xE, 0, false);
    c->reg[R_ESP] = STACK0;
    cr_assert_eq(harness_run(h, CODE, 10), RUN_SHUTDOWN);
}

Test(protected, idt_limit_error_code_has_ext)
{
    setup("pentium2");
    c->idtr.limit = 14 * 8 - 1;            /* gates 0-13 only */
    LOAD(CODE, 0x0F, 0x0B);                /* ud2 -> #UD (6) fine */
    cr_assert_eq(run_vec(CODE, 10), EX_UD);
    /* #PF-free way to reach a vector beyond the limit: a software INT. */
    LOAD(CODE, 0xCD, 0x20);
    c->reg[R_ESP] = STACK0;
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(0), 0x20 * 8 + 2);
}

/* ------------------------------------------------------------ V86 */

Test(protected, iret_to_v86_and_interrupt_back)
{
    setup("pentium2");
    idt_gate(0x41, HND, 0xE, 3, true);
    uint32_t sp = STACK0 - 36;
    const uint32_t frame[9] = { 0x0100, 0x2000, F_VM | F_IOPL | 2, 0x0FFE, 0x3000,
                                0x1111, 0x2222, 0x3333, 0x4444 };
    for (unsigned k = 0; k < 9; k++)
        wr(sp + 4 * k, frame[k], 4);
    c->reg[R_ESP] = sp;
    LOAD(CODE, 0xCF);                      /* iretd */
    /* V86 code at 2000:0100: mov ax, ds; int 0x41 */
    LOAD(0x20100, 0x8C, 0xD8, 0xCD, 0x41);
    LOAD(HND, 0xF4);
    cr_assert_eq(harness_run(h, CODE, 2), RUN_LIMIT);
    cr_assert(cpu_vm86(c));
    cr_assert_eq(c->cpl, 3);
    cr_assert_eq(c->seg[S_DS].base, 0x22220);
    cr_assert_eq(harness_run(h, c->eip, 10), RUN_DEAD);
    cr_assert_eq(c->reg[R_EAX] & 0xFFFF, 0x2222);
    cr_assert(!cpu_vm86(c));
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(c->reg[R_ESP], STACK0 - 36);
    const uint32_t want[9] = { 0x0104, 0x2000, 0, 0x0FFE, 0x3000, 0x1111, 0x2222, 0x3333, 0x4444 };
    for (unsigned k = 0; k < 9; k++)
        if (k != 2)
            cr_assert_eq(stk(k), want[k], "frame[%u] = %x, want %x", k, stk(k), want[k]);
    cr_assert(stk(2) & F_VM, "pushed EFLAGS has VM");
    cr_assert_eq(c->seg[S_DS].sel, 0);
    cr_assert_eq(c->seg[S_ES].sel, 0);
    cr_assert_eq(c->seg[S_FS].sel, 0);
    cr_assert_eq(c->seg[S_GS].sel, 0);
}

Test(protected, v86_int_with_iopl0_is_gp)
{
    setup("pentium2");
    uint32_t sp = STACK0 - 36;
    const uint32_t frame[9] = { 0x0100, 0x2000, F_VM | 2, 0x0FFE, 0x3000, 0, 0, 0, 0 };
    for (unsigned k = 0; k < 9; k++)
        wr(sp + 4 * k, frame[k], 4);
    c->reg[R_ESP] = sp;
    LOAD(CODE, 0xCF);
    LOAD(0x20100, 0xCD, 0x41);
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(0), 0);
    cr_assert_eq(stk(1), 0x0100);
    cr_assert_eq(stk(2), 0x2000);
}

/* ------------------------------------------------------------ I/O */

Test(protected, io_bitmap_allows_one_port_and_denies_the_next)
{
    setup("pentium2");
    wr(TSS + 0x68 + (0x80 >> 3), 0xFE, 1);  /* port 0x80 allowed */
    to_ring3(0);                           /* CPL 3 > IOPL 0 */
    LOAD(UCODE, 0xE4, 0x80, 0xE4, 0x81);   /* in al,0x80; in al,0x81 */
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(0), 0);
    cr_assert_eq(stk(1), UCODE + 2, "the second IN faults");
    /* A 16-bit access needs both bits. */
    setup("pentium2");
    wr(TSS + 0x68 + (0x80 >> 3), 0xFE, 1);
    to_ring3(0);
    LOAD(UCODE, 0x66, 0xE5, 0x80);         /* in ax,0x80 */
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(1), UCODE);
}

/* ------------------------------------------------------------ descriptor insns */

Test(protected, lar_lsl_verr_verw)
{
    setup("pentium2");
    /* lar eax, bx; setz cl; lsl edx, bx; verw bx; setz ch; hlt */
    LOAD(CODE, 0x0F, 0x02, 0xC3, 0x0F, 0x94, 0xC1, 0x0F, 0x03, 0xD3,
         0x0F, 0x00, 0xEB, 0x0F, 0x94, 0xC5, 0xF4);
    c->reg[R_EBX] = S_SMALL;
    harness_run(h, CODE, 10);
    cr_assert_eq(c->reg[R_EAX], 0x00009200u, "LAR of a byte-granular data segment (never loaded: A = 0)");
    cr_assert_eq(c->reg[R_EDX], 0xFF);
    cr_assert_eq(c->reg[R_ECX] & 0xFFFF, 0x0101);
    c->reg[R_EBX] = S_RO;
    harness_run(h, CODE, 10);
    cr_assert_eq(c->reg[R_ECX] & 0xFFFF, 0x0001, "VERW of read-only data: ZF=0");
    c->reg[R_EBX] = S_GDT_END;
    c->reg[R_EAX] = 0x5555;
    harness_run(h, CODE, 10);
    cr_assert_eq(c->reg[R_ECX] & 0xFF, 0, "beyond the GDT: ZF=0");
    cr_assert_eq(c->reg[R_EAX], 0x5555, "destination unchanged");
    /* LTR marked the TSS busy. */
    cr_assert_eq((rd(GDT + S_TSS + 5, 1) & 0xF), 0xB);
}

/* ------------------------------------------------------------ debug */

Test(protected, single_step_traps_after_one_instruction)
{
    setup("pentium2");
    LOAD(CODE, 0x40, 0x40, 0x40, 0xF4);    /* inc eax x3 */
    c->eflags |= F_TF;
    cr_assert_eq(run_vec(CODE, 10), EX_DB);
    cr_assert_eq(c->reg[R_EAX], 1);
    cr_assert_eq(stk(0), CODE + 1, "trap: EIP of the next instruction");
    cr_assert(stk(2) & F_TF, "pushed EFLAGS has TF");
    cr_assert(!(stk(2) & F_RF), "a trap pushes RF as it was (0)");
    cr_assert(c->dr[6] & (1u << 14), "DR6.BS");
    cr_assert(!(c->eflags & F_TF), "handler runs with TF clear");
}

Test(protected, dr0_execution_breakpoint)
{
    setup("pentium2");
    LOAD(CODE, 0x40, 0x40, 0x40, 0xF4);
    c->dr[0] = CODE + 1;
    c->dr[7] = 0x401;                      /* L0, R/W0 = 00 (execute) */
    cr_assert_eq(run_vec(CODE, 10), EX_DB);
    cr_assert_eq(c->reg[R_EAX], 1, "fault before the second INC");
    cr_assert_eq(stk(0), CODE + 1);
    cr_assert_eq(c->dr[6] & 0xF, 1, "DR6.B0");
    cr_assert(!(stk(2) & F_RF), "an instruction-breakpoint #DB pushes RF = 0");
    /* With RF set in the image, IRET resumes past the breakpoint once. */
    wr(c->reg[R_ESP] + 8, stk(2) | F_RF, 4);
    LOAD(STUB + 16 * EX_DB + 1, 0xCF);     /* iretd after the stub's HLT */
    harness_run(h, STUB + 16 * EX_DB + 1, 4);
    cr_assert_eq(c->reg[R_EAX], 3);
}

Test(protected, data_breakpoint_traps_after_the_write)
{
    setup("pentium2");
    /* mov dr7, eax; mov eax, [0x5004]; mov [0x5006], al; nop; hlt
     * DR1 = 0x5004, 4 bytes, writes only (L1, R/W1 = 01, LEN1 = 11). */
    LOAD(CODE, 0x0F, 0x23, 0xF8, 0xA1, 0x04, 0x50, 0x00, 0x00,
         0xA2, 0x06, 0x50, 0x00, 0x00, 0x90, 0xF4);
    wr(0x5004, 0x44332211, 4);
    c->dr[1] = 0x5004;
    c->reg[R_EAX] = 0x00D00404;
    cr_assert_eq(run_vec(CODE, 10), EX_DB);
    cr_assert_eq(stk(0), CODE + 13, "trap: EIP after the writing instruction");
    cr_assert_eq(c->dr[6] & 0xF, 2, "DR6.B1 only (the read did not hit)");
    cr_assert_eq(rd(0x5004, 4), 0x44112211, "the write happened");
}

Test(protected, alignment_check_at_cpl3)
{
    setup("80486");
    c->cr[0] |= CR0_AM;
    to_ring3(F_AC);
    /* The IRET to ring 3 nulled DS (DPL 0): mov ax, 0x23; mov ds, ax;
     * mov eax, [0x5000] (aligned); mov eax, [0x5002] -> #AC(0) */
    LOAD(UCODE, 0x66, 0xB8, S_DATA3 | 3, 0x00, 0x8E, 0xD8,
         0xA1, 0x00, 0x50, 0x00, 0x00, 0xA1, 0x02, 0x50, 0x00, 0x00);
    wr(0x5000, 0x12345678, 4);
    cr_assert_eq(run_vec(CODE, 10), EX_AC);
    cr_assert_eq(c->reg[R_EAX], 0x12345678);
    cr_assert_eq(stk(0), 0, "error code 0");
    cr_assert_eq(stk(1), UCODE + 11, "a fault: EIP of the misaligned access");
    /* The same access at CPL 0 is fine. */
    setup("80486");
    c->cr[0] |= CR0_AM;
    c->eflags |= F_AC;
    LOAD(CODE, 0xA1, 0x02, 0x50, 0x00, 0x00, 0xF4);
    cr_assert_eq(run_vec(CODE, 10), -1);
}

Test(protected, execute_only_code_cannot_be_read)
{
    setup("pentium2");
    set_seg(S_RO, 0, 0xFFFF, 0x98, 0);   /* execute-only code */
    /* mov ds, ax -> #GP(sel): not readable */
    uint32_t err;
    cr_assert_eq(load_fault(MOV_DS, S_RO, &err), EX_GP);
    cr_assert_eq(err, S_RO);
}

/* CR4.VME (Pentium): in V86 mode with IOPL 0, STI sets VIF, an INT n whose
 * redirection-bitmap bit is 0 goes to the V86 program's own IVT handler
 * with VIF as the pushed IF and IOPL 3 in the image, and one whose bit is
 * 1 is #GP(0) (SDM Vol. 3 20.3.3.5 methods 5/6 and 3). */
Test(protected, vme_interrupt_redirection)
{
    setup("pentium");
    c->cr[4] |= 1u;                          /* VME */
    wr(TSS + 0x66, 0x88, 2);                 /* I/O bitmap at 0x88: redirection map 0x68-0x87 */
    for (uint32_t k = 0; k < 32; k++)
        wr(TSS + 0x68 + k, 0, 1);
    wr(TSS + 0x68 + (0x42 >> 3), 1u << (0x42 & 7), 1);
    wr(0x41 * 4, 0x0500, 2);                 /* IVT 41h -> 0000:0500 */
    wr(0x41 * 4 + 2, 0x0000, 2);
    uint32_t sp = STACK0 - 36;
    const uint32_t frame[9] = { 0x0100, 0x2000, F_VM | 2, 0x0FFE, 0x3000, 0, 0, 0, 0 };
    for (unsigned k = 0; k < 9; k++)
        wr(sp + 4 * k, frame[k], 4);
    c->reg[R_ESP] = sp;
    LOAD(CODE, 0xCF);
    LOAD(0x20100, 0xFB, 0xCD, 0x41);         /* sti; int 0x41 */
    LOAD(0x500, 0xCD, 0x42);                 /* int 0x42 */
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(0), 0, "#GP(0) for the unredirected INT 42h");
    cr_assert_eq(stk(1), 0x0500);
    cr_assert_eq(stk(2), 0x0000);
    uint32_t v86_flags = stk(3);
    cr_assert(v86_flags & F_VM);
    cr_assert(!(v86_flags & F_IF), "STI did not set IF");
    cr_assert(!(v86_flags & F_VIF), "the redirected INT cleared VIF");
    cr_assert_eq(stk(4), 0x0FFE - 6, "V86 SP after the redirected INT's 3 words");
    uint32_t v86sp = 0x30000 + 0x0FFE - 6;
    cr_assert_eq(rd(v86sp, 2), 0x0103, "pushed IP");
    cr_assert_eq(rd(v86sp + 2, 2), 0x2000, "pushed CS");
    uint32_t img = rd(v86sp + 4, 2);
    cr_assert(img & F_IF, "pushed FLAGS has IF = VIF (set by STI)");
    cr_assert_eq(img & F_IOPL, F_IOPL, "pushed FLAGS shows IOPL 3");
}

/* 80386 quirks test386 checks in its TEST_UNDEF build: a SIB byte with
 * index 4 ("none") and a non-zero scale scales the base on the 386 only;
 * POPAD with a 16-bit stack takes ESP's upper half from the image there. */
Test(protected, i386_sib_scale_and_popad_quirks)
{
    static const char *const models[2] = { "80386", "pentium2" };
    for (int k = 0; k < 2; k++) {
        setup(models[k]);
        /* lea eax, [ebx*2 via SIB 63h: ss=1 index=4 base=ebx]; hlt */
        LOAD(CODE, 0x8D, 0x04, 0x63, 0xF4);
        c->reg[R_EBX] = 0x1000;
        harness_run(h, CODE, 10);
        cr_assert_eq(c->reg[R_EAX], k == 0 ? 0x2000u : 0x1000u, "%s: lea %x", models[k], c->reg[R_EAX]);
        teardown();
    }
    setup("80386");
    set_seg(S_SMALL, 0, 0xFFFF, 0x92, 0);        /* 16-bit stack segment */
    LOAD(CODE, 0x8E, 0xD1, 0x61, 0xF4);          /* mov ss, cx; popad; hlt */
    for (unsigned r = 0; r < 8; r++)
        wr(0x100 + 4 * r, 0xABCD0000u + r, 4);   /* ESP image at 0x10C: ABCD0003 */
    c->reg[R_ECX] = S_SMALL;
    c->reg[R_ESP] = 0x00050100;
    harness_run(h, CODE, 10);
    cr_assert_eq(c->reg[R_ESP], 0xABCD0120u, "ESP %x", c->reg[R_ESP]);
    cr_assert_eq(c->reg[R_EAX], 0xABCD0007u);
}

/* ENTER faults when a write at the final stack pointer would, before
 * anything changes (SDM Vol. 2 ENTER; test386 POST 1A).  Identity paging
 * of the first 4 MiB, user pages except the supervisor page 0x5000. */
Test(protected, enter_page_faults_on_the_final_stack_pointer)
{
    setup("pentium2");
    const uint32_t pd = 0x70000, pt = 0x71000;
    wr(pd, pt | 7, 4);
    for (uint32_t p = 0; p < 1024; p++)
        wr(pt + 4 * p, (p << 12) | (p == 5 ? 3u : 7u), 4);
    c->cr[3] = pd;
    c->cr[0] |= CR0_PG;
    tlb_flush(c);
    to_ring3(0);
    /* mov esp, 0x6004; enter 8, 0 */
    LOAD(UCODE, 0xBC, 0x04, 0x60, 0x00, 0x00, 0xC8, 0x08, 0x00, 0x00);
    c->reg[R_EBP] = 0x1234;
    cr_assert_eq(run_vec(CODE, 10), EX_PF);
    cr_assert_eq(stk(0), 7, "#PF error: present, write, user");
    cr_assert_eq(stk(1), UCODE + 5);
    cr_assert_eq(c->cr[2], 0x5FF8);
    cr_assert_eq(stk(4), 0x6004, "ESP unchanged by the faulting ENTER");
    cr_assert_eq(c->reg[R_EBP], 0x1234);
}

/* An IDT task gate whose TSS is not present: #NP(TSS selector), with EXT
 * set when the event was external (ICEBP is delivered like a hardware
 * #DB) and clear for INT n (SDM Vol. 3 6.13; the switch is cpu/task.c's). */
Test(protected, idt_task_gate_error_code_ext)
{
    setup("pentium2");
    set_gate(IDT + 8 * EX_DB, S_TSS_NP, 0, 0x5, 3, true, 0);
    set_gate(IDT + 8 * 0x40, S_TSS_NP, 0, 0x5, 3, true, 0);
    LOAD(CODE, 0xF1);                      /* icebp */
    cr_assert_eq(run_vec(CODE, 10), EX_NP);
    cr_assert_eq(stk(0), S_TSS_NP | 1, "EXT set: %x", stk(0));
    LOAD(CODE, 0xCD, 0x40);                /* int 0x40 */
    c->reg[R_ESP] = STACK0;
    cr_assert_eq(run_vec(CODE, 10), EX_NP);
    cr_assert_eq(stk(0), S_TSS_NP, "EXT clear for INT n: %x", stk(0));
}

/* Control flow, interrupts and system instructions (cpu/exec_branch.c,
 * cpu/exec_system.c) on a bare CPU.
 *
 * Real-mode layout used by every test (CS = DS = SS = 0):
 *   0x0000-0x03FF  IVT; vectors 0-31 point at HLT stubs (see below)
 *   0x1000         code under test (CODE)
 *   0x2000         data (DATA)
 *   0x3000         one HLT per vector: vector v at STUB + 2v, so after an
 *                  exception the CPU stops at STUB + 2v + 1
 *   0x8000         initial SP (STACK)
 * Only a handful of other engineers' handlers are used (DIV for #DE);
 * registers and flags are set directly.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/flags.h"
#include "harness.h"

#define CODE 0x1000u
#define DATA 0x2000u
#define STUB 0x3000u
#define STACK 0x8000u
#define NONE (-1)

static struct harness *mk(const char *model)
{
    struct harness *h = harness_new(model, 1u << 20);
    cr_assert_not_null(h, "harness for %s", model);
    harness_real_stubs(h, STUB);
    h->cpu.reg[R_ESP] = STACK;
    return h;
}

static uint32_t rd(struct harness *h, uint32_t a, unsigned n) { return bus_read(&h->bus, a, n); }
static void wr(struct harness *h, uint32_t a, uint32_t v, unsigned n) { bus_write(&h->bus, a, v, n); }

#define LOAD(h, addr, ...)                                              \
    do {                                                                \
        static const uint8_t code_[] = { __VA_ARGS__ };                 \
        harness_load((h), (addr), code_, sizeof code_);                 \
    } while (0)

/* Runs from CS:eip and returns the vector whose HLT stub stopped the
 * CPU, or NONE when it stopped elsewhere. */
static int run_vec(struct harness *h, uint32_t eip, uint64_t max)
{
    harness_run(h, eip, max);
    return harness_stub_vector(h, STUB);
}

static void assert_frame16(struct harness *h, uint16_t ip, uint16_t cs)
{
    uint32_t sp = h->cpu.reg[R_ESP] & 0xFFFF;
    cr_assert_eq(rd(h, sp, 2), ip, "pushed IP %04x, want %04x", rd(h, sp, 2), ip);
    cr_assert_eq(rd(h, sp + 2, 2), cs, "pushed CS %04x, want %04x", rd(h, sp + 2, 2), cs);
}

static void set_zf(struct cpu *c, bool on) { flags_put(c, F_ZF, on); }

/* ------------------------------------------------------------ near */

Test(control, near_call_ret)
{
    struct harness *h = mk("pentium2");
    LOAD(h, CODE, 0xE8, 0xFD, 0x0F,   /* 1000 call 2000 (next 1003 + 0FFD) */
         0xF4);                       /* 1003 hlt */
    LOAD(h, 0x2000, 0xF9, 0xC3);      /* stc; ret */
    cr_assert_eq(harness_run(h, CODE, 100), RUN_DEAD);
    struct cpu *c = &h->cpu;
    cr_assert_eq(c->eip, 0x1004);
    cr_assert_eq(c->reg[R_ESP], STACK);
    cr_assert_eq(flag_cf(c), 1);
    cr_assert_eq(rd(h, STACK - 2, 2), 0x1003, "return address pushed");
    harness_free(h);
}

Test(control, ret_imm16_and_indirect_calls)
{
    struct harness *h = mk("80286");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE,
         0xFF, 0xD3,                    /* 1000 call bx */
         0xFF, 0x16, 0x00, 0x21,        /* 1002 call [0x2100] */
         0xF4);                         /* 1006 hlt */
    LOAD(h, 0x2000, 0xC2, 0x04, 0x00);  /* ret 4 */
    wr(h, 0x2100, 0x2000, 2);
    c->reg[R_EBX] = 0x2000;
    cr_assert_eq(harness_run(h, CODE, 100), RUN_DEAD);
    cr_assert_eq(c->eip, 0x1007);
    cr_assert_eq(c->reg[R_ESP], STACK + 8, "two RET 4 release 4 bytes each");
    harness_free(h);
}

Test(control, jcc_taken_and_not)
{
    struct harness *h = mk("8086");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE,
         0xF9,                          /* 1000 stc */
         0x73, 0x03,                    /* 1001 jae 1006 (not taken) */
         0x72, 0x01,                    /* 1003 jb 1006 (taken) */
         0xF4,                          /* 1005 hlt (skipped) */
         0xF5,                          /* 1006 cmc */
         0x74, 0x01,                    /* 1007 je 100a: ZF set below */
         0xF4,                          /* 1009 */
         0xF4);                         /* 100a */
    set_zf(c, true);
    cr_assert_eq(harness_run(h, CODE, 100), RUN_DEAD);
    cr_assert_eq(c->eip, 0x100B);
    cr_assert_eq(flag_cf(c), 0);
    harness_free(h);
}

/* The 8086 aliases 60-6F to the Jcc rel8 opcodes. */
Test(control, jcc_8086_alias)
{
    struct harness *h = mk("8086");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xF9, 0x62, 0x01, 0xF4, 0xF4); /* stc; jb +1 (alias of 72) */
    harness_run(h, CODE, 100);
    cr_assert_eq(c->eip, 0x1005);
    harness_free(h);
}

/* 16-bit operand size: the new IP wraps at 64 KiB. */
Test(control, jmp_ip_wraps_16bit)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, 0xFFF0, 0xEB, 0x10);        /* jmp short: next FFF2, target 10002 -> 0002 */
    LOAD(h, 0x0002, 0xF4);
    cr_assert_eq(harness_run(h, 0xFFF0, 10), RUN_DEAD);
    cr_assert_eq(c->eip, 0x0003);
    harness_free(h);
}

/* A 32-bit near jump beyond the 64 KiB real-mode CS limit: #GP(0) with
 * the jump's own address pushed. */
Test(control, jmp_beyond_cs_limit_gp)
{
    struct harness *h = mk("pentium2");
    LOAD(h, CODE, 0x66, 0xE9, 0x00, 0x00, 0x01, 0x00); /* jmp dword +0x10000 */
    cr_assert_eq(run_vec(h, CODE, 10), EX_GP);
    assert_frame16(h, CODE, 0);
    harness_free(h);
}

Test(control, jmp_indirect_and_jcxz)
{
    struct harness *h = mk("80386");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE,
         0xE3, 0x01,                    /* 1000 jcxz 1003 (CX = 0) */
         0xF4,                          /* 1002 */
         0xFF, 0x26, 0x00, 0x21);       /* 1003 jmp [0x2100] */
    LOAD(h, 0x1100, 0xF4);
    wr(h, 0x2100, 0x1100, 2);
    c->reg[R_ECX] = 0x10000;            /* CX = 0, ECX != 0 */
    harness_run(h, CODE, 100);
    cr_assert_eq(c->eip, 0x1101);
    harness_free(h);
}

/* ------------------------------------------------------------ LOOP */

Test(control, loop_cx)
{
    struct harness *h = mk("8086");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xF5, 0xE2, 0xFD, 0xF4);  /* 1000 cmc; loop 1000; hlt */
    c->reg[R_ECX] = 5;
    harness_run(h, CODE, 100);
    cr_assert_eq(c->reg[R_ECX], 0);
    cr_assert_eq(flag_cf(c), 1, "five CMCs");
    cr_assert_eq(c->eip, 0x1004);
    harness_free(h);
}

Test(control, loop_address_size_picks_cx_or_ecx)
{
    struct harness *h = mk("80386");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xF5, 0xE2, 0xFD, 0xF4);          /* 16-bit: CX */
    LOAD(h, 0x1100, 0xF5, 0x67, 0xE2, 0xFC, 0xF4);  /* a32: ECX */
    c->reg[R_ECX] = 0x00010002;
    harness_run(h, CODE, 100);
    cr_assert_eq(c->reg[R_ECX], 0x00010000, "only CX counts");
    cr_assert_eq(c->icount, 2 * 2 + 1);
    c->reg[R_ECX] = 0x00010002;
    harness_run(h, 0x1100, 1000000);
    cr_assert_eq(c->reg[R_ECX], 0, "ECX counts with 67h");
    cr_assert_eq(c->eip, 0x1105);
    harness_free(h);
}

Test(control, loope_loopne)
{
    struct harness *h = mk("pentium");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xE1, 0xFE, 0xF4);    /* loope $ ; hlt */
    LOAD(h, 0x1100, 0xE0, 0xFE, 0xF4);  /* loopne $ ; hlt */
    set_zf(c, true);
    c->reg[R_ECX] = 10;
    harness_run(h, CODE, 100);
    cr_assert_eq(c->reg[R_ECX], 0, "LOOPE with ZF=1 runs out the count");
    c->reg[R_ECX] = 10;
    harness_run(h, 0x1100, 100);
    cr_assert_eq(c->reg[R_ECX], 9, "LOOPNE with ZF=1 stops at once");
    set_zf(c, false);
    c->reg[R_ECX] = 10;
    harness_run(h, CODE, 100);
    cr_assert_eq(c->reg[R_ECX], 9, "LOOPE with ZF=0 stops at once");
    harness_free(h);
}

/* ------------------------------------------------------------ far */

Test(control, far_call_ret_roundtrip)
{
    struct harness *h = mk("80286");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE,
         0x9A, 0x00, 0x00, 0x00, 0x02,  /* 1000 call 0200:0000 (phys 2000) */
         0xFF, 0x1E, 0x00, 0x21,        /* 1005 call far [0x2100] */
         0xEA, 0x00, 0x01, 0x00, 0x01); /* 1009 jmp 0100:0100 (phys 1100) */
    LOAD(h, 0x2000, 0xF4, 0xCB);        /* hlt; retf */
    LOAD(h, 0x2010, 0xCA, 0x02, 0x00);  /* retf 2 */
    LOAD(h, 0x1100, 0xF4);
    wr(h, 0x2100, 0x0010, 2);           /* 0200:0010 */
    wr(h, 0x2102, 0x0200, 2);

    harness_run(h, CODE, 100);
    cr_assert_eq(c->seg[S_CS].sel, 0x0200);
    cr_assert_eq(c->seg[S_CS].base, 0x2000);
    cr_assert_eq(c->eip, 0x0001);
    cr_assert_eq(c->reg[R_ESP], STACK - 4);
    assert_frame16(h, 0x1005, 0x0000);

    harness_run(h, c->eip, 100);        /* retf; call far [mem]; retf 2; jmp far */
    cr_assert_eq(c->seg[S_CS].sel, 0x0100);
    cr_assert_eq(c->eip, 0x0101);
    cr_assert_eq(c->reg[R_ESP], STACK + 2);
    harness_free(h);
}

/* 32-bit operand size in real mode: 4-byte IP and CS slots. */
Test(control, far_call32_real_mode)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0x66, 0x9A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  /* call dword 0200:00000000 */
         0xF4);
    LOAD(h, 0x2000, 0x66, 0xCB);        /* retfd */
    wr(h, STACK - 4, 0xFFFFFFFFu, 4);
    harness_run(h, CODE, 100);
    cr_assert_eq(c->eip, 0x1009);
    cr_assert_eq(c->seg[S_CS].sel, 0);
    cr_assert_eq(c->reg[R_ESP], STACK);
    cr_assert_eq(rd(h, STACK - 8, 4), 0x1008);
    cr_assert_eq(rd(h, STACK - 4, 4), 0x0000, "CS pushed zero-extended");
    harness_free(h);
}

/* A protected-mode far JMP to a descriptor that is all zeros (the GDT is
 * empty RAM here) faults; with an empty IDT the fault cannot be delivered,
 * the CPU shuts down, and EIP stays at the far JMP. */
Test(control, far_jump_protected_mode_refused)
{
    struct harness *h = mk("pentium2");
    harness_flat32(h);
    LOAD(h, CODE, 0xEA, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00); /* jmp 0008:00000000 */
    cr_assert_eq(harness_run(h, CODE, 10), RUN_SHUTDOWN);
    cr_assert_eq(h->cpu.eip, CODE);
    harness_free(h);
}

Test(control, near_jump_cs_limit_protected_mode)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    harness_flat32(h);
    c->seg[S_CS].limit = 0xFFFF;
    cpu_seg_update_fast(c, &c->seg[S_CS]);
    LOAD(h, CODE, 0xE9, 0x00, 0x00, 0x01, 0x00); /* jmp +0x10000 */
    cr_assert_eq(harness_run(h, CODE, 10), RUN_SHUTDOWN);
    cr_assert_eq(c->eip, CODE);
    harness_free(h);
}

/* ------------------------------------------------------------ INT/IRET */

Test(control, int_iret_roundtrip)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xF9, 0xCD, 0x21, 0xF4);  /* stc; int 21h; hlt */
    LOAD(h, 0x4000, 0xF4, 0xF8, 0xCF);      /* hlt; clc; iret */
    wr(h, 0x21 * 4, 0x0000, 2);
    wr(h, 0x21 * 4 + 2, 0x0400, 2);         /* 0400:0000 */
    c->eflags |= F_IF | F_DF;

    /* Inside the handler: IF cleared, so HLT is final. */
    cr_assert_eq(harness_run(h, CODE, 100), RUN_DEAD);
    cr_assert_eq(c->seg[S_CS].sel, 0x0400);
    cr_assert_eq(c->eip, 1);
    cr_assert_eq(c->eflags & F_IF, 0);
    cr_assert_eq(c->reg[R_ESP], STACK - 6);
    assert_frame16(h, 0x1003, 0);
    uint32_t pushed = rd(h, STACK - 2, 2);
    cr_assert_eq(pushed & (F_IF | F_DF | F_CF), F_IF | F_DF | F_CF, "FLAGS %04x", pushed);

    /* IRET restores CS:IP and FLAGS (CF from before the CLC). */
    cr_assert_eq(harness_run(h, c->eip, 100), RUN_HALTED);
    cr_assert_eq(c->seg[S_CS].sel, 0);
    cr_assert_eq(c->eip, 0x1004);
    cr_assert_eq(c->reg[R_ESP], STACK);
    cr_assert_eq(flag_cf(c), 1);
    cr_assert(c->eflags & F_IF);
    harness_free(h);
}

Test(control, int3_into_int1)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xCC, 0xF4);
    cr_assert_eq(run_vec(h, CODE, 10), EX_BP);
    assert_frame16(h, 0x1001, 0);

    LOAD(h, 0x1100, 0xCE, 0xF4);        /* into */
    c->reg[R_ESP] = STACK;
    c->lf.of = 0;
    cr_assert_eq(run_vec(h, 0x1100, 10), NONE, "INTO with OF=0 does nothing");
    cr_assert_eq(c->eip, 0x1102);
    c->lf.of = 1;
    cr_assert_eq(run_vec(h, 0x1100, 10), EX_OF);
    assert_frame16(h, 0x1101, 0);

    LOAD(h, 0x1200, 0xF1, 0xF4);        /* int1 / icebp */
    c->reg[R_ESP] = STACK;
    cr_assert_eq(run_vec(h, 0x1200, 10), EX_DB);
    assert_frame16(h, 0x1201, 0);
    harness_free(h);
}

/* IRET's FLAGS image per model: 8086 bits 12-15 read 1, 286 real mode
 * keeps them 0, 386 lets IOPL/NT through; IRETD masks VM/VIF/VIP. */
static uint32_t iret_flags(const char *model, bool o32, uint32_t popped)
{
    struct harness *h = mk(model);
    struct cpu *c = &h->cpu;
    if (o32) {
        LOAD(h, CODE, 0x66, 0xCF);
        wr(h, STACK, 0x1100, 4);
        wr(h, STACK + 4, 0, 4);
        wr(h, STACK + 8, popped, 4);
    } else {
        LOAD(h, CODE, 0xCF);
        wr(h, STACK, 0x1100, 2);
        wr(h, STACK + 2, 0, 2);
        wr(h, STACK + 4, popped, 2);
    }
    /* Only the IRET runs: an image with TF set would single-step the
     * next instruction into the #DB handler. */
    LOAD(h, 0x1100, 0xF4);
    harness_run(h, CODE, 1);
    cr_assert_eq(c->eip, 0x1100, "%s: IRET went to %x", model, c->eip);
    cr_assert_eq(c->reg[R_ESP], STACK + (o32 ? 12 : 6));
    uint32_t f = cpu_get_eflags(c);
    harness_free(h);
    return f;
}

Test(control, iret_flags_per_model)
{
    cr_assert_eq(iret_flags("8086", false, 0x0001), 0xF003);
    cr_assert_eq(iret_flags("80186", false, 0x0FD5), 0xFFD7);
    cr_assert_eq(iret_flags("80286", false, 0x7001), 0x0003);
    cr_assert_eq(iret_flags("80386", false, 0x7001), 0x7003);
    cr_assert_eq(iret_flags("pentium2", false, 0xFFFF), 0x7FD7);
    cr_assert_eq(iret_flags("pentium2", true, 0x003F7001), 0x00257003,
                 "IRETD: ID AC RF IOPL NT load, VM VIF VIP do not");
    cr_assert_eq(iret_flags("80386", true, 0x003F7001), 0x00017003);
}

/* The IVT is read at IDTR.base; an entry past IDTR.limit is #GP, which
 * with a tiny limit escalates to a triple fault. */
Test(control, ivt_base_and_limit)
{
    struct harness *h = mk("80386");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xCD, 0x02, 0xF4);
    wr(h, 0x5000 + 2 * 4, 0x0123, 2);
    wr(h, 0x5000 + 2 * 4 + 2, 0x0500, 2);
    LOAD(h, 0x5123, 0xF4);
    c->idtr.base = 0x5000;
    c->idtr.limit = 0x0B;               /* vectors 0-2 */
    harness_run(h, CODE, 10);
    cr_assert_eq(c->seg[S_CS].sel, 0x0500);
    cr_assert_eq(c->eip, 0x0124);

    c->idtr.limit = 0x0A;               /* vector 2's entry ends at 0x0B */
    cpu_load_seg_real(c, S_CS, 0);
    c->reg[R_ESP] = STACK;
    cr_assert_eq(harness_run(h, CODE, 10), RUN_SHUTDOWN);
    harness_free(h);
}

/* ------------------------------------------------------------ faults */

Test(control, bound)
{
    struct harness *h = mk("80186");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0x62, 0x06, 0x00, 0x21, 0xF4);  /* bound ax, [0x2100] */
    wr(h, 0x2100, 0xFFFB, 2);           /* -5 */
    wr(h, 0x2102, 0x0005, 2);           /* +5 */
    c->reg[R_EAX] = 0xFFFF;             /* -1: inside (signed compare) */
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(c->eip, 0x1005);
    c->reg[R_EAX] = 6;
    cr_assert_eq(run_vec(h, CODE, 10), EX_BR);
    assert_frame16(h, CODE, 0);         /* a fault: the BOUND's own address */
    c->reg[R_ESP] = STACK;
    c->reg[R_EAX] = 0xFFFA;             /* -6 */
    cr_assert_eq(run_vec(h, CODE, 10), EX_BR);
    harness_free(h);
}

Test(control, bound32)
{
    struct harness *h = mk("80386");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0x66, 0x62, 0x06, 0x00, 0x21, 0xF4);  /* bound eax, [0x2100] */
    wr(h, 0x2100, 0x80000000u, 4);
    wr(h, 0x2104, 0x7FFFFFFFu, 4);
    c->reg[R_EAX] = 0x80000000u;
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    wr(h, 0x2100, 0xFFFFFFF0u, 4);      /* -16 .. -1 */
    wr(h, 0x2104, 0xFFFFFFFFu, 4);
    c->reg[R_EAX] = 0;
    cr_assert_eq(run_vec(h, CODE, 10), EX_BR);
    harness_free(h);
}

/* DIV AL by zero (F6 F0): the 8086 pushes the next instruction's
 * address, the 286 and later the DIV's own. */
Test(control, divide_error_return_address)
{
    const char *models[] = { "8086", "80286", "pentium2" };
    const uint16_t want[] = { 0x1002, 0x1000, 0x1000 };
    for (int k = 0; k < 3; k++) {
        struct harness *h = mk(models[k]);
        struct cpu *c = &h->cpu;
        LOAD(h, CODE, 0xF6, 0xF0, 0xF4);
        c->reg[R_EAX] = 0x0000;
        cr_assert_eq(run_vec(h, CODE, 10), EX_DE, "%s", models[k]);
        assert_frame16(h, want[k], 0);
        harness_free(h);
    }
}

Test(control, ud2_and_sldt_real_mode)
{
    struct harness *h = mk("pentium2");
    LOAD(h, CODE, 0x0F, 0x0B);                  /* ud2 */
    cr_assert_eq(run_vec(h, CODE, 10), EX_UD);
    assert_frame16(h, CODE, 0);
    h->cpu.reg[R_ESP] = STACK;
    LOAD(h, 0x1100, 0x0F, 0x00, 0xC0);          /* sldt ax */
    cr_assert_eq(run_vec(h, 0x1100, 10), EX_UD);
    h->cpu.reg[R_ESP] = STACK;
    LOAD(h, 0x1200, 0x63, 0xC0);                /* arpl ax, ax */
    cr_assert_eq(run_vec(h, 0x1200, 10), EX_UD);
    harness_free(h);
}

Test(control, sldt_str_arpl_protected_mode)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    harness_flat32(h);
    c->ldtr.sel = 0x28;
    c->tr.sel = 0x30;
    LOAD(h, CODE,
         0x0F, 0x00, 0xC0,              /* sldt eax */
         0x0F, 0x00, 0xCB,              /* str ebx */
         0x63, 0xD1,                    /* arpl cx, dx */
         0xF4);
    c->reg[R_EAX] = c->reg[R_EBX] = 0xFFFFFFFFu;
    c->reg[R_ECX] = 0x0008;
    c->reg[R_EDX] = 0x0003;
    harness_run(h, CODE, 10);
    cr_assert_eq(c->reg[R_EAX], 0x28);
    cr_assert_eq(c->reg[R_EBX], 0x30);
    cr_assert_eq(c->reg[R_ECX], 0x000B);
    cr_assert_eq(flag_zf(c), 1);
    harness_free(h);
}

/* ------------------------------------------------------------ flags, HLT */

Test(control, flag_instructions_and_hlt)
{
    struct harness *h = mk("8086");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xF9, 0xF5, 0xF5, 0xFD, 0xFB, 0xF4);  /* stc cmc cmc std sti hlt */
    cr_assert_eq(harness_run(h, CODE, 10), RUN_HALTED, "HLT with IF=1 waits");
    cr_assert_eq(flag_cf(c), 1);
    cr_assert(c->eflags & F_DF);
    cr_assert(c->halted);
    LOAD(h, 0x1100, 0xF8, 0xFC, 0xFA, 0xF4);            /* clc cld cli hlt */
    cr_assert_eq(harness_run(h, 0x1100, 10), RUN_DEAD, "HLT with IF=0 is final");
    cr_assert_eq(flag_cf(c), 0);
    cr_assert_eq(c->eflags & (F_DF | F_IF), 0);
    harness_free(h);
}

Test(control, esc_and_wait)
{
    struct harness *h = mk("8086");
    LOAD(h, CODE, 0xD9, 0x06, 0x00, 0x21, 0xDE, 0xC1, 0x9B, 0xF4); /* fld [..]; faddp; wait */
    cr_assert_eq(run_vec(h, CODE, 10), NONE, "8086 without 8087: ESC is a no-op");
    cr_assert_eq(h->cpu.eip, 0x1008);
    harness_free(h);

    h = mk("80286");
    LOAD(h, CODE, 0xD8, 0x7D, 0x22, 0xF4);              /* fdivr dword [di+22h] */
    cr_assert_eq(run_vec(h, CODE, 10), NONE, "286 without 287, EM=0: no effect");
    cr_assert_eq(h->cpu.eip, 0x1004);
    LOAD(h, 0x1100, 0xD8, 0x24, 0xF4);                  /* fsub dword [si] */
    h->cpu.reg[R_ESI] = 0xFFFF;
    cr_assert_eq(run_vec(h, 0x1100, 10), EX_GP, "operand crosses the segment end");
    h->cpu.reg[R_ESP] = STACK;
    h->cpu.cr[0] |= CR0_TS;
    cr_assert_eq(run_vec(h, CODE, 10), EX_NM, "286, TS=1: #NM");
    harness_free(h);

    h = mk("pentium2");
    LOAD(h, CODE, 0xD9, 0xE8, 0xF4);                    /* fld1 */
    h->cpu.cr[0] |= CR0_EM;
    cr_assert_eq(run_vec(h, CODE, 10), EX_NM);
    assert_frame16(h, CODE, 0);
    h->cpu.reg[R_ESP] = STACK;
    LOAD(h, 0x1100, 0x9B, 0xF4);                        /* wait */
    cr_assert_eq(run_vec(h, 0x1100, 10), NONE, "WAIT: MP=0");
    h->cpu.cr[0] |= CR0_MP | CR0_TS;
    cr_assert_eq(run_vec(h, 0x1100, 10), EX_NM, "WAIT: MP=TS=1");
    harness_free(h);
}

/* ------------------------------------------------------------ CPUID etc. */

static void cpuid(struct harness *h, uint32_t leaf, uint32_t r[4])
{
    LOAD(h, CODE, 0x0F, 0xA2, 0xF4);
    h->cpu.reg[R_EAX] = leaf;
    h->cpu.reg[R_ECX] = 0;
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    r[0] = h->cpu.reg[R_EAX];
    r[1] = h->cpu.reg[R_EBX];
    r[2] = h->cpu.reg[R_ECX];
    r[3] = h->cpu.reg[R_EDX];
}

Test(control, cpuid_per_model)
{
    uint32_t r[4], r2[4];
    struct harness *h = mk("pentium2");
    cpuid(h, 0, r);
    cr_assert_eq(r[0], 2);
    char vendor[13];
    for (int k = 0; k < 4; k++) {
        vendor[k] = (char)(r[1] >> (8 * k));
        vendor[4 + k] = (char)(r[3] >> (8 * k));
        vendor[8 + k] = (char)(r[2] >> (8 * k));
    }
    vendor[12] = 0;
    cr_assert_str_eq(vendor, "GenuineIntel");
    cpuid(h, 1, r);
    cr_assert_eq(r[0], 0x0652);
    cr_assert(r[3] & (1u << 4), "TSC");
    cr_assert(r[3] & (1u << 11), "SEP");
    cpuid(h, 2, r);
    cr_assert_eq(r[0], 0x03020101);
    cr_assert_eq(r[3], 0x0C040843);
    cpuid(h, 0x80000000u, r2);
    cr_assert_arr_eq(r, r2, sizeof r, "above the maximum: the highest leaf");
    harness_free(h);

    h = mk("pentium");
    cpuid(h, 0, r);
    cr_assert_eq(r[0], 1);
    cpuid(h, 1, r);
    cr_assert_eq(r[0], 0x052C);
    cpuid(h, 2, r2);
    cr_assert_arr_eq(r, r2, sizeof r);
    harness_free(h);

    h = mk("80486");
    LOAD(h, CODE, 0x0F, 0xA2, 0xF4);
    cr_assert_eq(run_vec(h, CODE, 10), EX_UD, "no CPUID on this 486");
    harness_free(h);
}

Test(control, rdtsc_counts_instructions)
{
    struct harness *h = mk("pentium");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0x0F, 0x31, 0xF5, 0xF5, 0xF5, 0x0F, 0x31, 0xF4);
    harness_run(h, CODE, 1);
    uint64_t t0 = (uint64_t)c->reg[R_EDX] << 32 | c->reg[R_EAX];
    harness_run(h, c->eip, 100);
    uint64_t t1 = (uint64_t)c->reg[R_EDX] << 32 | c->reg[R_EAX];
    cr_assert_eq(t1 - t0, 4, "t0 %llu t1 %llu", (unsigned long long)t0, (unsigned long long)t1);

    /* WRMSR to the TSC: the low 32 bits, the high half cleared. */
    LOAD(h, 0x1100, 0x0F, 0x30, 0x0F, 0x31, 0xF4);
    c->reg[R_ECX] = 0x10;
    c->reg[R_EDX] = 0x12345678;
    c->reg[R_EAX] = 0x1000;
    harness_run(h, 0x1100, 10);
    cr_assert_eq(c->reg[R_EDX], 0);
    cr_assert_eq(c->reg[R_EAX], 0x1001);
    harness_free(h);
}

Test(control, rdtsc_tsd_needs_cpl0)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    harness_flat32(h);
    c->cr[4] |= 1u << 2;                /* TSD */
    LOAD(h, CODE, 0x0F, 0x31, 0xF4);
    cr_assert_eq(harness_run(h, CODE, 10), RUN_DEAD, "CPL 0: allowed");
    c->cpl = 3;
    cr_assert_eq(harness_run(h, CODE, 10), RUN_SHUTDOWN, "CPL 3: #GP(0)");
    cr_assert_eq(c->eip, CODE);
    harness_free(h);
}

static int msr_op(struct harness *h, bool write, uint32_t msr, uint64_t *v)
{
    struct cpu *c = &h->cpu;
    /* Two addresses: harness_load does not tell the block cache. */
    uint32_t at = write ? CODE : CODE + 0x100;
    if (write)
        LOAD(h, at, 0x0F, 0x30, 0xF4);
    else
        LOAD(h, at, 0x0F, 0x32, 0xF4);
    c->reg[R_ECX] = msr;
    c->reg[R_EAX] = (uint32_t)*v;
    c->reg[R_EDX] = (uint32_t)(*v >> 32);
    c->reg[R_ESP] = STACK;
    int vec = run_vec(h, at, 10);
    if (!write)
        *v = (uint64_t)c->reg[R_EDX] << 32 | c->reg[R_EAX];
    return vec;
}

Test(control, msrs)
{
    struct harness *h = mk("pentium2");
    uint64_t v;
    v = 0x0010; cr_assert_eq(msr_op(h, true, 0x174, &v), NONE);
    v = 0x8000; cr_assert_eq(msr_op(h, true, 0x175, &v), NONE);
    v = 0; cr_assert_eq(msr_op(h, false, 0x174, &v), NONE); cr_assert_eq(v, 0x10);
    v = 0; cr_assert_eq(msr_op(h, false, 0x175, &v), NONE); cr_assert_eq(v, 0x8000);
    v = 0; cr_assert_eq(msr_op(h, false, 0xFE, &v), NONE); cr_assert_eq(v, 0x508);
    v = 1; cr_assert_eq(msr_op(h, true, 0xFE, &v), EX_GP, "MTRRcap is read-only");
    v = 0x0606060606060606ull; cr_assert_eq(msr_op(h, true, 0x250, &v), NONE);
    v = 0; cr_assert_eq(msr_op(h, false, 0x250, &v), NONE);
    cr_assert_eq(v, 0x0606060606060606ull);
    v = 0x0000000000000002ull; cr_assert_eq(msr_op(h, true, 0x268, &v), EX_GP, "type 2 is invalid");
    v = 0x0000000FFFFFF800ull; cr_assert_eq(msr_op(h, true, 0x201, &v), NONE);
    v = 0x0000001000000800ull; cr_assert_eq(msr_op(h, true, 0x201, &v), EX_GP, "above bit 35");
    v = 0xC06; cr_assert_eq(msr_op(h, true, 0x2FF, &v), NONE);
    v = 0; cr_assert_eq(msr_op(h, false, 0x2FF, &v), NONE); cr_assert_eq(v, 0xC06);
    v = 0; cr_assert_eq(msr_op(h, false, 0x1B, &v), NONE); cr_assert_eq(v, 0xFEE00900u);
    v = 0; cr_assert_eq(msr_op(h, false, 0x8B, &v), NONE); cr_assert_eq(v, 0);
    v = 0; cr_assert_eq(msr_op(h, false, 0x17, &v), NONE);
    v = 0; cr_assert_eq(msr_op(h, false, 0xC0000080u, &v), EX_GP, "no EFER");
    v = 0; cr_assert_eq(msr_op(h, false, 0x1234, &v), EX_GP);
    /* P6 performance monitoring: PerfEvtSel0/1 keep bits 0-31 (32-63
     * reserved), PerfCtr0/1 are 40 bits with bit 31 sign-extended. */
    v = 0x00430079; cr_assert_eq(msr_op(h, true, 0x186, &v), NONE);
    v = 0; cr_assert_eq(msr_op(h, false, 0x186, &v), NONE); cr_assert_eq(v, 0x00430079);
    v = 1ull << 32; cr_assert_eq(msr_op(h, true, 0x187, &v), EX_GP, "reserved bits");
    v = 0xABCD; cr_assert_eq(msr_op(h, true, 0xC1, &v), NONE);
    v = 0; cr_assert_eq(msr_op(h, false, 0xC1, &v), NONE); cr_assert_eq(v, 0xABCD);
    v = 0x12345678F0000000ull; cr_assert_eq(msr_op(h, true, 0xC2, &v), NONE);
    v = 0; cr_assert_eq(msr_op(h, false, 0xC2, &v), NONE); cr_assert_eq(v, 0xFFF0000000ull);
    harness_free(h);

    h = mk("pentium");
    v = 0; cr_assert_eq(msr_op(h, false, 0x174, &v), EX_GP, "no SYSENTER MSRs on the Pentium");
    v = 0; cr_assert_eq(msr_op(h, false, 0x10, &v), NONE);
    harness_free(h);
}

Test(control, rdpmc)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0x0F, 0x33, 0xF4);
    c->reg[R_ECX] = 1;
    c->reg[R_EAX] = c->reg[R_EDX] = 0xFFFFFFFFu;
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(c->reg[R_EAX], 0, "PerfCtr1 after reset");
    cr_assert_eq(c->reg[R_EDX], 0);
    c->msr_perfctr[1] = 0xFF80000001ull;   /* what WRMSR 0xC2 leaves for 0x80000001 */
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(c->reg[R_EAX], 0x80000001u);
    cr_assert_eq(c->reg[R_EDX], 0xFF, "bits 32-39 in EDX");
    c->reg[R_ECX] = 2;
    cr_assert_eq(run_vec(h, CODE, 10), EX_GP);
    harness_free(h);
}

Test(control, sysenter_sysexit)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0x0F, 0x34);
    cr_assert_eq(run_vec(h, CODE, 10), EX_GP, "SYSENTER in real mode");
    harness_free(h);

    h = mk("pentium2");
    c = &h->cpu;
    harness_flat32(h);
    LOAD(h, CODE, 0x0F, 0x34);
    LOAD(h, 0x5000, 0x0F, 0x35);
    c->msr_sysenter_cs = 0;
    cr_assert_eq(harness_run(h, CODE, 1), RUN_SHUTDOWN, "SYSENTER_CS = 0: #GP");
    c->msr_sysenter_cs = 0x0010;
    c->msr_sysenter_esp = 0x9000;
    c->msr_sysenter_eip = 0x5000;
    c->cpl = 3;
    c->eflags |= F_IF;
    harness_run(h, CODE, 1);
    cr_assert_eq(c->eip, 0x5000);
    cr_assert_eq(c->reg[R_ESP], 0x9000);
    cr_assert_eq(c->seg[S_CS].sel, 0x10);
    cr_assert_eq(c->seg[S_SS].sel, 0x18);
    cr_assert_eq(c->seg[S_CS].ar, 0xC09B);
    cr_assert_eq(c->seg[S_SS].ar, 0xC093);
    cr_assert_eq(c->seg[S_CS].limit, 0xFFFFFFFFu);
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(c->eflags & F_IF, 0);

    c->reg[R_ECX] = 0x7000;
    c->reg[R_EDX] = 0x1234;
    harness_run(h, c->eip, 1);
    cr_assert_eq(c->eip, 0x1234);
    cr_assert_eq(c->reg[R_ESP], 0x7000);
    cr_assert_eq(c->seg[S_CS].sel, 0x23);
    cr_assert_eq(c->seg[S_SS].sel, 0x2B);
    cr_assert_eq(c->seg[S_CS].ar, 0xC0FB);
    cr_assert_eq(c->seg[S_SS].ar, 0xC0F3);
    cr_assert_eq(c->cpl, 3);
    harness_free(h);
}

/* ------------------------------------------------------------ CR/DR */

Test(control, mov_cr0_roundtrip)
{
    struct harness *h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE,
         0x0F, 0x20, 0xC1,              /* mov ecx, cr0 */
         0x0F, 0x22, 0xC0,              /* mov cr0, eax */
         0x0F, 0x20, 0xC3,              /* mov ebx, cr0 */
         0xF4);
    c->reg[R_EAX] = 0x6000000Au;        /* CD NW TS MP (ET is fixed) */
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(c->reg[R_ECX], 0x60000010u, "reset value: CD NW ET");
    cr_assert_eq(c->reg[R_EBX], 0x6000001Au);
    cr_assert_eq(c->cr[0], 0x6000001Au);

    c->reg[R_EAX] = 0x80000010u;        /* PG without PE */
    cr_assert_eq(run_vec(h, CODE, 10), EX_GP);
    assert_frame16(h, CODE + 3, 0);
    c->reg[R_ESP] = STACK;
    c->reg[R_EAX] = 0x20000011u;        /* NW without CD */
    cr_assert_eq(run_vec(h, CODE, 10), EX_GP);
    cr_assert_eq(c->cr[0], 0x6000001Au, "CR0 unchanged by the faulting writes");

    /* Setting PE: protected mode, CPL 0; HLT still runs. */
    c->reg[R_ESP] = STACK;
    c->reg[R_EAX] = 0x00000011u;
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert(cpu_pe(c));
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(c->seg[S_CS].fast_limit_w, -1, "CS is not writable in protected mode");
    harness_free(h);
}

Test(control, mov_cr_invalid_and_cr4)
{
    struct harness *h = mk("80486");
    LOAD(h, CODE, 0x0F, 0x20, 0xE0);    /* mov eax, cr4 */
    cr_assert_eq(run_vec(h, CODE, 10), EX_UD, "no CR4 on the 486");
    h->cpu.reg[R_ESP] = STACK;
    LOAD(h, 0x1100, 0x0F, 0x22, 0xC8);  /* mov cr1, eax */
    cr_assert_eq(run_vec(h, 0x1100, 10), EX_UD);
    harness_free(h);

    h = mk("pentium2");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0x0F, 0x22, 0xE0, 0x0F, 0x20, 0xE3, 0xF4); /* mov cr4, eax; mov ebx, cr4 */
    c->reg[R_EAX] = c->model->cr4_writable;
    c->reg[R_EBX] = 0xFFFFFFFFu;
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(c->reg[R_EBX], c->model->cr4_writable);
    c->reg[R_EAX] = ~c->model->cr4_writable;
    cr_assert_eq(run_vec(h, CODE, 10), EX_GP, "reserved CR4 bits");
    harness_free(h);
}

Test(control, mov_cr3_cr2_and_dr)
{
    struct harness *h = mk("80386");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE,
         0x0F, 0x22, 0xD8,              /* mov cr3, eax */
         0x0F, 0x22, 0xD1,              /* mov cr2, ecx */
         0x0F, 0x23, 0xC0,              /* mov dr0, eax */
         0x0F, 0x23, 0xFA,              /* mov dr7, edx */
         0x0F, 0x21, 0xEE,              /* mov esi, dr5 (alias of dr7) */
         0x0F, 0x21, 0xF7,              /* mov edi, dr6 */
         0xF4);
    c->reg[R_EAX] = 0x12345FFFu;
    c->reg[R_ECX] = 0xDEADBEEFu;
    c->reg[R_EDX] = 0x00000001u;
    cr_assert_eq(run_vec(h, CODE, 20), NONE);
    cr_assert_eq(c->cr[3], 0x12345000u);
    cr_assert_eq(c->cr[2], 0xDEADBEEFu);
    cr_assert_eq(c->dr[0], 0x12345FFFu);
    cr_assert_eq(c->reg[R_ESI], 0x401);
    cr_assert_eq(c->reg[R_EDI], 0xFFFF0FF0u);
    harness_free(h);

    h = mk("pentium2");
    c = &h->cpu;
    LOAD(h, CODE, 0x0F, 0x21, 0xE0, 0xF4);  /* mov eax, dr4 */
    cr_assert_eq(run_vec(h, CODE, 10), NONE, "CR4.DE=0: DR4 is DR6");
    cr_assert_eq(c->reg[R_EAX], 0xFFFF0FF0u);
    c->cr[4] |= 1u << 3;
    cr_assert_eq(run_vec(h, CODE, 10), EX_UD, "CR4.DE=1: DR4 is #UD");
    harness_free(h);
}

Test(control, lmsw_smsw_clts)
{
    struct harness *h = mk("80286");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0x0F, 0x01, 0xE0, 0xF4);      /* smsw ax */
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(c->reg[R_EAX] & 0xFFFF, 0xFFF0, "286: reserved MSW bits read 1");

    LOAD(h, 0x1100,
         0x0F, 0x01, 0xF0,              /* lmsw ax */
         0x0F, 0x06,                    /* clts */
         0x0F, 0x01, 0xF3,              /* lmsw bx */
         0xF4);
    c->reg[R_EAX] = 0x000F;             /* PE MP EM TS */
    c->reg[R_EBX] = 0x0000;
    cr_assert_eq(run_vec(h, 0x1100, 10), NONE);
    cr_assert_eq(c->cr[0] & 0xF, CR0_PE, "CLTS cleared TS; LMSW cannot clear PE");
    harness_free(h);

    h = mk("pentium2");
    c = &h->cpu;
    LOAD(h, CODE, 0x66, 0x0F, 0x01, 0xE0,       /* smsw eax */
         0x0F, 0x01, 0x26, 0x00, 0x21,          /* smsw [0x2100] */
         0xF4);
    wr(h, 0x2100, 0xFFFFFFFFu, 4);
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(c->reg[R_EAX], 0x60000010u, "32-bit register: all of CR0");
    cr_assert_eq(rd(h, 0x2100, 4), 0xFFFF0010u, "memory: 16 bits");
    harness_free(h);
}

/* ------------------------------------------------------------ GDTR/IDTR */

static void dtr_roundtrip(const char *model, bool o32, uint32_t want_base,
                          uint32_t want_stored)
{
    struct harness *h = mk(model);
    struct cpu *c = &h->cpu;
    if (o32)
        LOAD(h, CODE, 0x66, 0x0F, 0x01, 0x16, 0x00, 0x21,   /* lgdt [0x2100] */
             0x66, 0x0F, 0x01, 0x06, 0x00, 0x22,            /* sgdt [0x2200] */
             0xF4);
    else
        LOAD(h, CODE, 0x0F, 0x01, 0x16, 0x00, 0x21,
             0x0F, 0x01, 0x06, 0x00, 0x22,
             0xF4);
    wr(h, 0x2100, 0x1234, 2);
    wr(h, 0x2102, 0xAABBCCDDu, 4);
    cr_assert_eq(run_vec(h, CODE, 10), NONE, "%s", model);
    cr_assert_eq(c->gdtr.limit, 0x1234);
    cr_assert_eq(c->gdtr.base, want_base, "%s: base %08x", model, c->gdtr.base);
    cr_assert_eq(rd(h, 0x2200, 2), 0x1234);
    cr_assert_eq(rd(h, 0x2202, 4), want_stored, "%s: stored %08x", model, rd(h, 0x2202, 4));
    harness_free(h);
}

Test(control, lgdt_sgdt_roundtrip)
{
    dtr_roundtrip("80286", false, 0x00BBCCDD, 0xFFBBCCDD);
    dtr_roundtrip("80386", false, 0x00BBCCDD, 0x00BBCCDD);
    dtr_roundtrip("pentium2", false, 0x00BBCCDD, 0x00BBCCDD);
    dtr_roundtrip("pentium2", true, 0xAABBCCDD, 0xAABBCCDD);

    /* SGDT with a 16-bit operand size stores all 32 base bits on 386+. */
    struct harness *h = mk("80386");
    LOAD(h, CODE, 0x0F, 0x01, 0x06, 0x00, 0x22, 0xF4); /* sgdt [0x2200] */
    h->cpu.gdtr.base = 0xAABBCCDDu;
    h->cpu.gdtr.limit = 0x0017;
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(rd(h, 0x2202, 4), 0xAABBCCDDu);
    harness_free(h);
}

Test(control, lidt_moves_the_ivt)
{
    struct harness *h = mk("80286");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0x0F, 0x01, 0x1E, 0x00, 0x21,     /* lidt [0x2100] */
         0x0F, 0x01, 0x0E, 0x00, 0x22,              /* sidt [0x2200] */
         0xCD, 0x03);                               /* int 3 */
    wr(h, 0x2100, 0x03FF, 2);
    wr(h, 0x2102, 0x00006000u, 4);
    wr(h, 0x6000 + 3 * 4, 0x0010, 2);
    wr(h, 0x6000 + 3 * 4 + 2, 0x0600, 2);           /* 0600:0010 = phys 6010 */
    LOAD(h, 0x6010, 0xF4);
    harness_run(h, CODE, 10);
    cr_assert_eq(c->seg[S_CS].sel, 0x0600);
    cr_assert_eq(c->eip, 0x0011);
    cr_assert_eq(rd(h, 0x2202, 4), 0xFF006000u);
    harness_free(h);
}

/* ------------------------------------------------------------ misc */

Test(control, invlpg_wbinvd_real_mode)
{
    struct harness *h = mk("80486");
    LOAD(h, CODE, 0x0F, 0x01, 0x38,     /* invlpg [bx+si] */
         0x0F, 0x09, 0x0F, 0x08, 0xF4); /* wbinvd; invd */
    cr_assert_eq(run_vec(h, CODE, 10), NONE);
    cr_assert_eq(h->cpu.eip, 0x1008);
    harness_free(h);
}

Test(control, privileged_in_protected_mode_cpl3)
{
    /* CLI with CPL 3 > IOPL 0, HLT, MOV CR0 at CPL 3: #GP(0) (and a
     * shutdown until protected-mode delivery exists). */
    const uint8_t progs[][3] = { { 0xFA }, { 0xF4 }, { 0x0F, 0x20, 0xC0 }, { 0x0F, 0x06 } };
    for (unsigned k = 0; k < 4; k++) {
        struct harness *h = mk("pentium2");
        harness_flat32(h);
        h->cpu.cpl = 3;
        harness_load(h, CODE, progs[k], 3);
        cr_assert_eq(harness_run(h, CODE, 1), RUN_SHUTDOWN, "program %u", k);
        harness_free(h);
    }
    /* ... and CLI at CPL 3 with IOPL 3 is fine. */
    struct harness *h = mk("pentium2");
    harness_flat32(h);
    h->cpu.cpl = 3;
    h->cpu.eflags |= F_IOPL | F_IF;
    LOAD(h, CODE, 0xFA);
    cr_assert_eq(harness_run(h, CODE, 1), RUN_LIMIT);
    cr_assert_eq(h->cpu.eflags & F_IF, 0);
    harness_free(h);
}

/* Real-mode interrupt delivery moves SP only after all three words are
 * pushed: with SP = 3 the CS push crosses offset FFFF (a fault on the
 * 286), the faults escalate to a shutdown and SP is still 3. */
Test(control, interrupt_stack_fault_leaves_sp)
{
    struct harness *h = mk("80286");
    struct cpu *c = &h->cpu;
    LOAD(h, CODE, 0xCC);
    c->reg[R_ESP] = 3;
    cr_assert_eq(harness_run(h, CODE, 10), RUN_SHUTDOWN);
    cr_assert_eq(c->reg[R_ESP], 3);
    cr_assert_eq(c->eip, CODE);
    harness_free(h);
}

/* Self-modifying code and the decoded-block cache (jit/blockcache.c,
 * mmu/mmu.c, the block building in cpu/exec.c).
 *
 * Every program stores to code through ordinary guest instructions (MOV,
 * INC, REP STOS); the bytes are hand-assembled with the listing beside
 * them.  Real mode, CS = DS = ES = SS = 0 unless a test says otherwise.
 * Vectors 0-31 point at HLT stubs at STUB + 2v, so a fault ends the run
 * at a known place and is reported.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness.h"
#include "mmu/mem.h"

#define STUB 0x9000u
#define STACK 0x8000u

static struct harness *mk(void)
{
    struct harness *h = harness_new("pentium2", 1u << 20);
    cr_assert_not_null(h);
    harness_real_stubs(h, STUB);
    h->cpu.reg[R_ESP] = STACK;
    return h;
}

#define LOAD(h, addr, ...)                                              \
    do {                                                                \
        static const uint8_t code_[] = { __VA_ARGS__ };                 \
        harness_load((h), (addr), code_, sizeof code_);                 \
    } while (0)

static uint32_t rd(struct harness *h, uint32_t a, unsigned n) { return bus_read(&h->bus, a, n); }

/* Runs CS:eip (CS unchanged) and expects to stop on the HLT just before
 * `end`. */
static void run_to(struct harness *h, uint32_t eip, uint32_t end)
{
    struct cpu *c = &h->cpu;
    harness_run(h, eip, 100000);
    if (c->seg[S_CS].base == 0 && c->eip > STUB && c->eip <= STUB + 64)
        cr_assert_fail("exception %u from the code at %#x", (c->eip - STUB - 1) / 2, eip);
    cr_assert(c->halted, "did not halt (EIP %#x)", c->eip);
    cr_assert_eq(c->eip, end, "stopped at %#x, expected %#x", c->eip, end);
}

static void set_cs_real(struct harness *h, uint16_t sel)
{
    cpu_load_seg_real(&h->cpu, S_CS, sel);
}

/* Back from harness_flat32 to real mode with 64 KiB segments at 0. */
static void back_to_real(struct harness *h)
{
    struct cpu *c = &h->cpu;
    c->cr[0] &= ~(uint32_t)CR0_PE;
    for (int s = 0; s < S_NSEG; s++) {
        struct seg *sg = &c->seg[s];
        sg->sel = 0;
        sg->base = 0;
        sg->limit = 0xFFFF;
        sg->ar = s == S_CS ? 0x9B : 0x93;
        cpu_seg_update_fast(c, sg);
    }
    c->attention |= ATT_MODE;
}

/* (1) A store to an instruction later in the same block: the new bytes
 * run, not the decoded old ones. */
Test(smc, patch_later_in_same_block)
{
    struct harness *h = mk();
    struct cpu *c = &h->cpu;
    LOAD(h, 0x1000,
         0x2E, 0xC6, 0x06, 0x0A, 0x10, 0x40, /* 1000 mov byte [cs:0x100A], 0x40 */
         0xB8, 0x00, 0x00,                   /* 1006 mov ax, 0 */
         0x90,                               /* 1009 nop */
         0x48,                               /* 100A dec ax  -> inc ax */
         0xF4);                              /* 100B hlt */
    run_to(h, 0x1000, 0x100C);
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 1, "AX %#x: the old DEC ran", c->reg[R_EAX]);
    cr_expect_eq(rd(h, 0x100A, 1), 0x40);
    cr_expect_geq(h->bc.invalidations, 1);

    /* an immediate operand rather than an opcode */
    LOAD(h, 0x1100,
         0xC6, 0x06, 0x08, 0x11, 0x07,       /* 1100 mov byte [0x1108], 7 */
         0x90, 0x90,                         /* 1105 nop; nop */
         0xB0, 0x05,                         /* 1107 mov al, 5  -> mov al, 7 */
         0xF4);                              /* 1109 hlt */
    run_to(h, 0x1100, 0x110A);
    cr_expect_eq(c->reg[R_EAX] & 0xFF, 7, "AL %#x", c->reg[R_EAX] & 0xFF);
    harness_free(h);
}

Test(smc, patch_later_in_same_block_32)
{
    struct harness *h = mk();
    struct cpu *c = &h->cpu;
    harness_flat32(h);
    LOAD(h, 0x1000,
         0xC6, 0x05, 0x0C, 0x10, 0x00, 0x00, 0x40, /* 1000 mov byte [0x100C], 0x40 */
         0xB8, 0x00, 0x00, 0x00, 0x00,             /* 1007 mov eax, 0 */
         0x48,                                     /* 100C dec eax -> inc eax */
         0xF4);                                    /* 100D hlt */
    run_to(h, 0x1000, 0x100E);
    cr_expect_eq(c->reg[R_EAX], 1, "EAX %#x", c->reg[R_EAX]);
    harness_free(h);
}

/* (2) Modifying code that has already been decoded and run: between two
 * runs of a cached loop, and inside the running block itself. */
Test(smc, patch_executed_block)
{
    struct harness *h = mk();
    struct cpu *c = &h->cpu;
    LOAD(h, 0x1000,
         0xB9, 0x03, 0x00,                   /* 1000 mov cx, 3 */
         0x05, 0x01, 0x00,                   /* 1003 add ax, 1 */
         0x49,                               /* 1006 dec cx */
         0x75, 0xFA,                         /* 1007 jnz 1003 */
         0xF4);                              /* 1009 hlt */
    LOAD(h, 0x2000,
         0xC6, 0x06, 0x04, 0x10, 0x05,       /* 2000 mov byte [0x1004], 5 */
         0xF4);                              /* 2005 hlt */
    c->reg[R_EAX] = 0;
    run_to(h, 0x1000, 0x100A);
    cr_expect_eq(c->reg[R_EAX], 3);

    /* the loop again: everything comes from the cache */
    uint64_t built = h->bc.blocks_built;
    c->reg[R_EAX] = 0;
    run_to(h, 0x1000, 0x100A);
    cr_expect_eq(c->reg[R_EAX], 3);
    cr_expect_eq(h->bc.blocks_built, built, "blocks rebuilt without a write");

    uint64_t inval = h->bc.invalidations;
    run_to(h, 0x2000, 0x2006);
    cr_expect_geq(h->bc.invalidations, inval + 2, "the loop's blocks were not invalidated");
    c->reg[R_EAX] = 0;
    run_to(h, 0x1000, 0x100A);
    cr_expect_eq(c->reg[R_EAX], 15, "AX %u: the old ADD ran", c->reg[R_EAX]);

    /* a loop that rewrites an instruction it has already run, in the
     * same (running) block */
    LOAD(h, 0x1100,
         0xB9, 0x03, 0x00,                   /* 1100 mov cx, 3 */
         0x05, 0x01, 0x00,                   /* 1103 add ax, 1 */
         0xC6, 0x06, 0x04, 0x11, 0x02,       /* 1106 mov byte [0x1104], 2 */
         0x49,                               /* 110B dec cx */
         0x75, 0xF5,                         /* 110C jnz 1103 */
         0xF4);                              /* 110E hlt */
    c->reg[R_EAX] = 0;
    run_to(h, 0x1100, 0x110F);
    cr_expect_eq(c->reg[R_EAX], 5, "AX %u (1 + 2 + 2 expected)", c->reg[R_EAX]);
    harness_free(h);
}

/* (3) REP STOSB over the code that follows it. */
Test(smc, rep_stos_over_following_code)
{
    struct harness *h = mk();
    struct cpu *c = &h->cpu;
    LOAD(h, 0x1000,
         0xBF, 0x0B, 0x10,                   /* 1000 mov di, 0x100B */
         0xB9, 0x03, 0x00,                   /* 1003 mov cx, 3 */
         0xB0, 0x90,                         /* 1006 mov al, 0x90 */
         0xFC,                               /* 1008 cld */
         0xF3, 0xAA,                         /* 1009 rep stosb */
         0xB3, 0x05,                         /* 100B mov bl, 5   -> nop nop */
         0x43,                               /* 100D inc bx      -> nop */
         0xF4);                              /* 100E hlt */
    c->reg[R_EBX] = 0;
    run_to(h, 0x1000, 0x100F);
    cr_expect_eq(c->reg[R_EBX], 0, "BX %#x: the overwritten code ran", c->reg[R_EBX]);
    cr_expect_eq(c->reg[R_EDI] & 0xFFFF, 0x100E);
    cr_expect_eq(c->reg[R_ECX] & 0xFFFF, 0);
    cr_expect_eq(rd(h, 0x100B, 2), 0x9090);
    cr_expect_eq(rd(h, 0x100D, 1), 0x90);

    /* 32-bit: REP STOSD over a MOV and three INCs */
    harness_flat32(h);
    LOAD(h, 0x3000,
         0xBF, 0x14, 0x30, 0x00, 0x00,       /* 3000 mov edi, 0x3014 */
         0xB9, 0x02, 0x00, 0x00, 0x00,       /* 3005 mov ecx, 2 */
         0xB8, 0x90, 0x90, 0x90, 0x90,       /* 300A mov eax, 0x90909090 */
         0xFC,                               /* 300F cld */
         0xF3, 0xAB,                         /* 3010 rep stosd */
         0x90, 0x90,                         /* 3012 nop; nop */
         0xBB, 0x05, 0x00, 0x00, 0x00,       /* 3014 mov ebx, 5 -> nops */
         0x43, 0x43, 0x43,                   /* 3019 inc ebx x3 -> nops */
         0xF4);                              /* 301C hlt */
    c->reg[R_EBX] = 0;
    run_to(h, 0x3000, 0x301D);
    cr_expect_eq(c->reg[R_EBX], 0, "EBX %#x", c->reg[R_EBX]);
    harness_free(h);
}

/* (4) An instruction straddling 0x0FFF/0x1000, patched through either
 * page, between runs and inside a run. */
Test(smc, page_straddle)
{
    struct harness *h = mk();
    struct cpu *c = &h->cpu;
    LOAD(h, 0x0FF0, 0xB8, 0x00, 0x00);       /* 0FF0 mov ax, 0 */
    for (uint32_t a = 0x0FF3; a < 0x0FFE; a++)
        LOAD(h, a, 0x90);                    /* 0FF3 nop x11 */
    LOAD(h, 0x0FFE, 0xB8, 0x34, 0x12,        /* 0FFE mov ax, 0x1234 (ends at 1000) */
         0xF4);                              /* 1001 hlt */
    LOAD(h, 0x2000,
         0xC6, 0x06, 0x00, 0x10, 0x56,       /* 2000 mov byte [0x1000], 0x56 */
         0xF4);                              /* 2005 hlt */
    LOAD(h, 0x2100,
         0xC6, 0x06, 0xFF, 0x0F, 0x78,       /* 2100 mov byte [0x0FFF], 0x78 */
         0xF4);                              /* 2105 hlt */
    /* in one run: patch the second page, then jump to the straddler */
    LOAD(h, 0x2200,
         0xC6, 0x06, 0x00, 0x10, 0x9A,       /* 2200 mov byte [0x1000], 0x9A */
         0xE9, 0xF6, 0xED);                  /* 2205 jmp 0x0FFE */

    run_to(h, 0x0FF0, 0x1002);
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 0x1234);
    uint64_t built = h->bc.blocks_built;
    run_to(h, 0x0FF0, 0x1002);
    cr_expect_eq(h->bc.blocks_built, built, "the straddling block was not reused");

    run_to(h, 0x2000, 0x2006);               /* second page */
    run_to(h, 0x0FF0, 0x1002);
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 0x5634, "AX %#x", c->reg[R_EAX] & 0xFFFF);

    run_to(h, 0x2100, 0x2106);               /* first page */
    run_to(h, 0x0FF0, 0x1002);
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 0x5678, "AX %#x", c->reg[R_EAX] & 0xFFFF);

    run_to(h, 0x2200, 0x1002);
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 0x9A78, "AX %#x", c->reg[R_EAX] & 0xFFFF);
    harness_free(h);
}

/* (5) The same physical code through different CS:IP pairs (segment
 * aliases, an A20 wrap alias, and real mode vs. 32-bit code: another
 * block key), patched through one alias and run through another. */
Test(smc, aliases)
{
    struct harness *h = mk();
    struct cpu *c = &h->cpu;
    LOAD(h, 0x5004, 0xB8, 0x11, 0x11,        /* 5004 mov ax, 0x1111 */
         0xF4);                              /* 5007 hlt */
    LOAD(h, 0x2000,
         0xB8, 0x00, 0x05,                   /* 2000 mov ax, 0x0500 */
         0x8E, 0xD8,                         /* 2003 mov ds, ax */
         0xC6, 0x06, 0x05, 0x00, 0x22,       /* 2005 mov byte [0x0005], 0x22 (DS=0x500) */
         0x31, 0xC0,                         /* 200A xor ax, ax */
         0x8E, 0xD8,                         /* 200C mov ds, ax */
         0xF4);                              /* 200E hlt */

    run_to(h, 0x5004, 0x5008);               /* 0000:5004 */
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 0x1111);
    uint64_t built = h->bc.blocks_built;
    set_cs_real(h, 0x0500);
    run_to(h, 0x0004, 0x0008);               /* 0500:0004 */
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 0x1111);
    cr_expect_eq(h->bc.blocks_built, built, "the alias did not share the block");

    set_cs_real(h, 0);
    run_to(h, 0x2000, 0x200F);               /* patch through DS=0x500 */
    set_cs_real(h, 0x0500);
    run_to(h, 0x0004, 0x0008);
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 0x1122, "AX %#x", c->reg[R_EAX] & 0xFFFF);
    set_cs_real(h, 0);
    run_to(h, 0x5004, 0x5008);
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 0x1122, "AX %#x", c->reg[R_EAX] & 0xFFFF);

    /* A20 off: FFFF:5014 is linear 0x105004, physical 0x5004 */
    c->a20_mask &= ~(1u << 20);
    tlb_flush(c);
    built = h->bc.blocks_built;
    set_cs_real(h, 0xFFFF);
    run_to(h, 0x5014, 0x5018);
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 0x1122);
    cr_expect_eq(h->bc.blocks_built, built, "the A20 alias did not share the block");
    LOAD(h, 0x2100,
         0xC6, 0x06, 0x15, 0x50, 0x33,       /* 2100 mov byte [0x5015], 0x33: DS=0xFFFF, */
         0xF4);                              /*      linear 0x105005 -> 0x5005 */
    set_cs_real(h, 0);
    cpu_load_seg_real(c, S_DS, 0xFFFF);
    run_to(h, 0x2100, 0x2106);
    cpu_load_seg_real(c, S_DS, 0);
    run_to(h, 0x5004, 0x5008);
    cr_expect_eq(c->reg[R_EAX] & 0xFFFF, 0x1133, "AX %#x", c->reg[R_EAX] & 0xFFFF);
    c->a20_mask |= 1u << 20;
    tlb_flush(c);

    /* real mode and 32-bit code decode the same bytes as two blocks */
    LOAD(h, 0x6000, 0xB0, 0x01,              /* 6000 mov al, 1 */
         0xF4);                              /* 6002 hlt */
    run_to(h, 0x6000, 0x6003);
    cr_expect_eq(c->reg[R_EAX] & 0xFF, 1);
    harness_flat32(h);
    run_to(h, 0x6000, 0x6003);
    cr_expect_eq(c->reg[R_EAX] & 0xFF, 1);
    LOAD(h, 0x6100,
         0xC6, 0x05, 0x01, 0x60, 0x00, 0x00, 0x02, /* 6100 mov byte [0x6001], 2 */
         0xF4);
    run_to(h, 0x6100, 0x6108);
    run_to(h, 0x6000, 0x6003);
    cr_expect_eq(c->reg[R_EAX] & 0xFF, 2, "32-bit block stale");
    back_to_real(h);
    run_to(h, 0x6000, 0x6003);
    cr_expect_eq(c->reg[R_EAX] & 0xFF, 2, "real-mode block stale");
    harness_free(h);
}

/* (6) Writes to a code page that miss the code invalidate nothing, and
 * data on a code page reads and writes normally. */
Test(smc, data_on_code_page)
{
    struct harness *h = mk();
    struct cpu *c = &h->cpu;
    LOAD(h, 0x3000,
         0xB9, 0x80, 0x00,                   /* 3000 mov cx, 0x80 */
         0x8B, 0x1E, 0x00, 0x3F,             /* 3003 mov bx, [0x3F00] */
         0x43,                               /* 3007 inc bx */
         0x89, 0x1E, 0x00, 0x3F,             /* 3008 mov [0x3F00], bx */
         0xFE, 0x06, 0x20, 0x30,             /* 300C inc byte [0x3020]: same 128-byte chunk */
         0xFE, 0x06, 0x18, 0x30,             /* 3010 inc byte [0x3018]: the byte after the HLT */
         0x49,                               /* 3014 dec cx */
         0x75, 0xEC,                         /* 3015 jnz 3003 */
         0xF4);                              /* 3017 hlt */
    bus_write(&h->bus, 0x3F00, 0x1000, 2);
    run_to(h, 0x3000, 0x3018);
    cr_expect_eq(rd(h, 0x3F00, 2), 0x1080);
    cr_expect_eq(rd(h, 0x3020, 1), 0x80);
    cr_expect_eq(rd(h, 0x3018, 1), 0x80);
    cr_expect_eq(c->reg[R_EBX] & 0xFFFF, 0x1080);
    cr_expect_eq(h->bc.invalidations, 0, "%llu invalidations from data writes",
                 (unsigned long long)h->bc.invalidations);
    cr_expect_leq(h->bc.blocks_built, 3, "%llu blocks built for a 3-block loop",
                  (unsigned long long)h->bc.blocks_built);

    /* data written by the guest is read back by the guest: 32-bit too */
    harness_flat32(h);
    LOAD(h, 0x4000,
         0xC7, 0x05, 0x80, 0x40, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12, /* mov dword [0x4080], 0x12345678 */
         0x8B, 0x1D, 0x80, 0x40, 0x00, 0x00, /* 400A mov ebx, [0x4080] */
         0xF4);                              /* 4010 hlt */
    uint64_t inval = h->bc.invalidations;
    run_to(h, 0x4000, 0x4011);
    cr_expect_eq(c->reg[R_EBX], 0x12345678u);
    cr_expect_eq(h->bc.invalidations, inval);
    harness_free(h);
}

/* (7) 8086: an instruction that wraps from IP FFFF to IP 0 takes its
 * later bytes from the start of the segment, another page: a store there
 * must reach it.  (The block decoded at FFFF is never reused: its last
 * byte is past the CS limit, so lookup() decodes it afresh.) */
Test(smc, ip_wrap_8086)
{
    struct harness *h = harness_new("8086", 1u << 20);
    cr_assert_not_null(h);
    struct cpu *c = &h->cpu;
    LOAD(h, 0x2000F, 0xB0);                  /* 1001:FFFF mov al, ... */
    LOAD(h, 0x10010, 0x11,                   /* 1001:0000 ... 0x11 */
         0xF4);                              /* 1001:0001 hlt */
    LOAD(h, 0x3000,
         0xC6, 0x06, 0x00, 0x00, 0x22,       /* 0000:3000 mov byte [0], 0x22 (DS=0x1001) */
         0xF4);
    set_cs_real(h, 0x1001);
    run_to(h, 0xFFFF, 0x0002);
    cr_expect_eq(c->reg[R_EAX] & 0xFF, 0x11);
    set_cs_real(h, 0);
    cpu_load_seg_real(c, S_DS, 0x1001);
    run_to(h, 0x3000, 0x3006);
    cpu_load_seg_real(c, S_DS, 0);
    set_cs_real(h, 0x1001);
    run_to(h, 0xFFFF, 0x0002);
    cr_expect_eq(c->reg[R_EAX] & 0xFF, 0x22, "AL %#x: stale decoded bytes", c->reg[R_EAX] & 0xFF);
    harness_free(h);
}

/* (8) Stack pushes over code that follows (the stack is just another
 * writer). */
Test(smc, push_over_code)
{
    struct harness *h = mk();
    struct cpu *c = &h->cpu;
    LOAD(h, 0x1000,
         0xBC, 0x0E, 0x10,                   /* 1000 mov sp, 0x100E */
         0xB8, 0x90, 0x90,                   /* 1003 mov ax, 0x9090 */
         0x50,                               /* 1006 push ax: [0x100C] = 90 90 */
         0x90, 0x90, 0x90, 0x90, 0x90,       /* 1007 nop x5 */
         0x43, 0x43,                         /* 100C inc bx x2 -> nop nop */
         0xF4);                              /* 100E hlt */
    c->reg[R_EBX] = 0;
    run_to(h, 0x1000, 0x100F);
    cr_expect_eq(c->reg[R_EBX], 0, "BX %#x", c->reg[R_EBX]);
    cr_expect_eq(c->reg[R_ESP] & 0xFFFF, 0x100C);
    harness_free(h);
}

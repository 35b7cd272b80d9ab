/* Paging and the MMU (mmu/paging.c, mmu/mmu.c): 32-bit paging with 4 KiB
 * and 4 MiB pages, PAE with 4 KiB and 2 MiB pages and NX, #PF error codes
 * and CR2, accessed/dirty bits, global pages and INVLPG, CR0.WP, the
 * user/supervisor TLB sets, self-modifying code through a virtual alias,
 * page faults inside REP MOVSB and on the tail of a straddling
 * instruction, the A20 gate on port 0x92, model bits.
 *
 * Layout (physical; the first 4 MiB are identity-mapped, U=1 R/W=1):
 *   0x01000 GDT     0x02000 IDT     0x03000 32-bit TSS (ESP0 = STACK0)
 *   0x04000 exception stubs: vector v at STUB + 16v is a HLT
 *   0x05000 #PF handler (when a test installs one)
 *   0x08000 ring-3 stack top        0x09000 ring-0 stack top
 *   0x10000 code                    0x100000 page directory (32-bit)
 *   0x101000 page table for 0-4 MiB 0x102000 page table for 4-8 MiB
 *   0x103000 PAE PDPT, 0x104000 PD 0, 0x105000 PT 0-2 MiB,
 *   0x106000 PT 4-6 MiB
 * Test pages live at linear 0x400000 and up and map frames at 0x200000
 * and up (which are also visible at their identity address).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/descriptor.h"
#include "devices/port92.h"
#include "harness.h"
#include "mmu/mem.h"
#include "mmu/paging.h"
#include "bus/machine.h"

#define GDT 0x1000u
#define IDT 0x2000u
#define TSS 0x3000u
#define STUB 0x4000u
#define HND 0x5000u
#define STACK3 0x8000u
#define STACK0 0x9000u
#define CODE 0x10000u
#define PD 0x100000u
#define PT0 0x101000u
#define PT1 0x102000u
#define PDPT 0x103000u
#define PAE_PD0 0x104000u
#define PAE_PT0 0x105000u
#define PAE_PT2 0x106000u
#define SAVE 0x7000u          /* handler scratch */

#define LIN 0x400000u         /* first test page */
#define FRAME 0x200000u       /* first test frame */

enum { P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100 };
enum { S_CODE0 = 0x08, S_DATA0 = 0x10, S_CODE3 = 0x18, S_DATA3 = 0x20, S_TSS = 0x28 };

#define D32(x) (uint8_t)(x), (uint8_t)((x) >> 8), (uint8_t)((x) >> 16), (uint8_t)((uint32_t)(x) >> 24)

static struct harness *h;
static struct cpu *c;
static struct cpu_model nx_model;

static uint32_t rd(uint32_t a, unsigned n) { return bus_read(&h->bus, a, n); }
static void wr(uint32_t a, uint32_t v, unsigned n) { bus_write(&h->bus, a, v, n); }
static uint64_t rd64(uint32_t a) { return rd(a, 4) | (uint64_t)rd(a + 4, 4) << 32; }
static void wr64(uint32_t a, uint64_t v)
{
    wr(a, (uint32_t)v, 4);
    wr(a + 4, (uint32_t)(v >> 32), 4);
}

#define LOAD(addr, ...)                                                 \
    do {                                                                \
        static const uint8_t code_[] = { __VA_ARGS__ };                 \
        harness_load(h, (addr), code_, sizeof code_);                   \
        blockcache_flush(&h->bc);                                       \
    } while (0)

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

static void idt_gate(unsigned v, uint32_t off)
{
    wr(IDT + 8 * v, (off & 0xFFFF) | ((uint32_t)S_CODE0 << 16), 4);
    wr(IDT + 8 * v + 4, (off & 0xFFFF0000u) | 0x8E00u, 4);   /* P, DPL 0, 32-bit interrupt gate */
}

/* Flat ring-0 protected mode, GDT/IDT/TSS, identity page tables (not yet
 * enabled).  `model` NULL: pentium2. */
static void setup_model(const char *model)
{
    h = harness_new(model ? model : "pentium2", 16u << 20);
    cr_assert_not_null(h);
    c = &h->cpu;
    set_seg(S_CODE0, 0, 0xFFFFFFFFu, 0x9A, 0x4);
    set_seg(S_DATA0, 0, 0xFFFFFFFFu, 0x92, 0x4);
    set_seg(S_CODE3, 0, 0xFFFFFFFFu, 0xFA, 0x4);
    set_seg(S_DATA3, 0, 0xFFFFFFFFu, 0xF2, 0x4);
    set_seg(S_TSS, TSS, 0x67, 0x89, 0);
    c->gdtr.base = GDT;
    c->gdtr.limit = 0x2F;
    for (unsigned v = 0; v < 32; v++) {
        idt_gate(v, STUB + 16 * v);
        wr(STUB + 16 * v, 0xF4, 1);
    }
    wr(IDT + 8 * EX_BP + 4, rd(IDT + 8 * EX_BP + 4, 4) | 0x6000u, 4);   /* INT3 gate: DPL 3 */
    c->idtr.base = IDT;
    c->idtr.limit = 32 * 8 - 1;
    wr(TSS + 4, STACK0, 4);
    wr(TSS + 8, S_DATA0, 2);
    wr(TSS + 0x66, 0x68, 2);
    harness_flat32(h);
    pm_ltr(c, S_TSS);
    c->reg[R_ESP] = STACK0;
    /* 32-bit tables: PDE 0 -> PT0 (identity 0-4 MiB), PDE 1 -> PT1. */
    wr(PD + 0, PT0 | P | RW | US, 4);
    wr(PD + 4, PT1 | P | RW | US, 4);
    for (uint32_t k = 0; k < 1024; k++)
        wr(PT0 + 4 * k, (k << 12) | P | RW | US, 4);
    /* PAE tables: PDPTE 0 -> PD0; PDE 0 -> identity 0-2 MiB; PDE 1 -> a
     * 2 MiB identity page for 2-4 MiB; PDE 2 -> PAE_PT2 (4-6 MiB). */
    wr64(PDPT, PAE_PD0 | P);
    wr64(PAE_PD0 + 0, PAE_PT0 | P | RW | US);
    wr64(PAE_PD0 + 8, 0x200000u | P | RW | US | PS);
    wr64(PAE_PD0 + 16, PAE_PT2 | P | RW | US);
    for (uint32_t k = 0; k < 512; k++)
        wr64(PAE_PT0 + 8 * k, (k << 12) | P | RW | US);
}

static void setup(void) { setup_model(NULL); }

/* h = NULL: under minicrit (no fork) the next test of the suite may not
 * make a harness, and must not free this one again. */
static void teardown(void)
{
    harness_free(h);
    h = NULL;
}

TestSuite(paging, .fini = teardown);

/* Paging on from C, through the same functions MOV CRn uses. */
static void paging_on32(uint32_t cr4)
{
    mmu_write_cr4(c, cr4);
    cr_assert(mmu_load_cr3(c, PD));
    mmu_write_cr0(c, c->cr[0] | CR0_PG);
}

static void paging_on_pae(uint32_t cr4)
{
    mmu_write_cr4(c, cr4 | CR4_PAE_BIT);
    cr_assert(mmu_load_cr3(c, PDPT));
    mmu_write_cr0(c, c->cr[0] | CR0_PG);
}

/* 32-bit PTE for a linear address in 0-8 MiB. */
static uint32_t pte_addr(uint32_t lin) { return (lin < 0x400000u ? PT0 : PT1) + ((lin >> 12) & 1023) * 4; }
static void map(uint32_t lin, uint32_t phys, uint32_t flags) { wr(pte_addr(lin), (phys & ~0xFFFu) | flags, 4); }

/* PAE PTE for a linear address in 4-6 MiB. */
static uint32_t pae_pte_addr(uint32_t lin) { return PAE_PT2 + ((lin >> 12) & 511) * 8; }
static void pae_map(uint32_t lin, uint64_t phys, uint64_t flags) { wr64(pae_pte_addr(lin), (phys & ~UINT64_C(0xFFF)) | flags); }

/* Runs from `eip` (CS as it is); returns the exception vector whose stub
 * stopped the CPU, or -1. */
static int run_vec(uint32_t eip, uint64_t max)
{
    harness_run(h, eip, max);
    uint32_t at = c->seg[S_CS].base + c->eip - 1;
    if (at >= STUB && at < STUB + 32 * 16 && (at - STUB) % 16 == 0)
        return (int)((at - STUB) / 16);
    return -1;
}

/* Dword k of the ring-0 stack (where the stubs run). */
static uint32_t stk(unsigned k) { return rd(c->reg[R_ESP] + 4 * k, 4); }

/* Loads CS/SS/DS/ES for ring 3 straight into the caches (flat). */
static void ring3(void)
{
    for (int s = 0; s < S_NSEG; s++) {
        struct seg *sg = &c->seg[s];
        sg->sel = (s == S_CS ? S_CODE3 : S_DATA3) | 3;
        sg->ar = s == S_CS ? 0xC0FB : 0xC0F3;
        cpu_seg_update_fast(c, sg);
    }
    c->cpl = 3;
    c->reg[R_ESP] = STACK3;
    c->attention |= ATT_MODE;
}

static void ring0(void)
{
    harness_flat32(h);
    c->cpl = 0;
    c->reg[R_ESP] = STACK0;
}

/* One access at linear `lin` by code at CODE: read (mov eax,[lin]) or
 * write (mov [lin],eax).  Returns the vector (-1: none); *err and CR2 as
 * the handler saw them. */
static int access(uint32_t lin, bool write, uint32_t *err)
{
    /* Ring 3 cannot HLT: it ends with INT3, whose gate is DPL 3. */
    uint8_t code[6] = { write ? 0xA3 : 0xA1, D32(lin), c->cpl == 3 ? 0xCC : 0xF4 };
    harness_load(h, CODE, code, sizeof code);
    blockcache_flush(&h->bc);
    int v = run_vec(CODE, 10);
    if (v == EX_BP)
        v = -1;
    *err = v == EX_PF ? stk(0) : 0xDEAD;
    return v;
}

/* ------------------------------------------------------------ mappings */

Test(paging, map_4k)
{
    setup();
    map(LIN, FRAME, P | RW);
    map(LIN + 0x1000, FRAME + 0x5000, P | RW);
    paging_on32(0);
    wr(FRAME + 0x123, 0xCAFEF00D, 4);
    uint32_t err;
    cr_assert_eq(access(LIN + 0x123, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0xCAFEF00D);
    c->reg[R_EAX] = 0x11223344;
    cr_assert_eq(access(LIN + 0xFFE, true, &err), -1);    /* crosses into the second page */
    cr_assert_eq(rd(FRAME + 0xFFE, 2), 0x3344);
    cr_assert_eq(rd(FRAME + 0x5000, 2), 0x1122);
    /* An unmapped linear page faults; the physical page is untouched. */
    cr_assert_eq(access(LIN + 0x2000, false, &err), EX_PF);
    cr_assert_eq(c->cr[2], LIN + 0x2000);
}

Test(paging, map_4m_pse)
{
    setup();
    /* PDE 1 as a 4 MiB page at 0x800000. */
    wr(PD + 4, 0x800000u | P | RW | PS, 4);
    paging_on32(CR4_PSE_BIT);
    wr(0x800000u + 0x3FF000u, 0xA5A5A5A5u, 4);
    uint32_t err;
    cr_assert_eq(access(LIN + 0x3FF000u, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0xA5A5A5A5u);
    /* Write sets A and D in the PDE itself. */
    c->reg[R_EAX] = 7;
    cr_assert_eq(access(LIN + 8, true, &err), -1);
    cr_assert_eq(rd(0x800008u, 4), 7);
    cr_assert_eq(rd(PD + 4, 4) & (A | D), A | D);
    /* Without CR4.PSE, PS is ignored: the PDE points at a page table
     * (here 0x800000, whose entry 0 we make present). */
    wr(0x800000u, FRAME | P | RW, 4);
    mmu_write_cr4(c, 0);
    wr(FRAME, 0x55AA, 4);
    cr_assert_eq(access(LIN, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0x55AA);
}

Test(paging, pae_4k_and_2m)
{
    setup();
    pae_map(LIN, FRAME, P | RW);
    paging_on_pae(0);
    cr_assert_eq(c->tlb.pdpte[0], PAE_PD0 | P);
    wr(FRAME + 0x10, 0x01020304, 4);
    uint32_t err;
    cr_assert_eq(access(LIN + 0x10, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0x01020304);
    /* 2 MiB page: PDE 1 maps linear 2-4 MiB to physical 2-4 MiB. */
    wr(0x3FFFF0u, 0x99887766u, 4);
    cr_assert_eq(access(0x3FFFF0u, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0x99887766u);
    /* Remap that 2 MiB page to 0x600000 and read through it. */
    wr64(PAE_PD0 + 8, 0x600000u | P | RW | PS);
    mmu_invlpg(c, 0x200000u);
    wr(0x600000u + 0x1FFFF0u, 0x42, 4);
    cr_assert_eq(access(0x3FFFF0u, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0x42);
    /* A / D on the 2 MiB PDE; PTE of the 4 KiB page: A only. */
    c->reg[R_EAX] = 1;
    cr_assert_eq(access(0x3FFFF0u, true, &err), -1);
    cr_assert_eq(rd64(PAE_PD0 + 8) & (A | D), A | D);
    cr_assert_eq(rd64(pae_pte_addr(LIN)) & (A | D), A);
    /* A not-present PDPTE: #PF, error 0. */
    cr_assert_eq(access(0x40000000u, false, &err), EX_PF);
    cr_assert_eq(err, 0);
    cr_assert_eq(c->cr[2], 0x40000000u);
}

Test(paging, pae_pdpte_loaded_at_cr3)
{
    setup();
    wr64(PDPT + 8, PAE_PD0 | P);        /* 1-2 GiB: an alias of 0-1 GiB */
    paging_on_pae(0);
    wr(0x1000, 0x5151, 4);
    /* Changing the PDPT in memory has no effect until CR3 is reloaded:
     * the PDPTEs are registers (SDM Vol. 3 4.4.1). */
    wr64(PDPT + 8, 0);
    uint32_t err;
    cr_assert_eq(access(0x40001000u, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0x5151);
    c->reg[R_EBX] = PDPT;
    LOAD(CODE, 0x0F, 0x22, 0xDB, 0xA1, D32(0x40001000u), 0xF4);   /* mov cr3,ebx; mov eax,[..] */
    cr_assert_eq(run_vec(CODE, 10), EX_PF);
    cr_assert_eq(c->cr[2], 0x40001000u);
    cr_assert_eq(stk(0), 0);
    /* A reserved bit in a present PDPTE: MOV CR3 is #GP(0), CR3 kept. */
    ring0();
    wr64(PDPT, PAE_PD0 | P | 0x2);   /* bit 1 is reserved in a PDPTE */
    c->reg[R_EAX] = PDPT;
    uint32_t cr3 = c->cr[3];
    LOAD(CODE, 0x0F, 0x22, 0xD8, 0xF4);
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(0), 0);
    cr_assert_eq(c->cr[3], cr3);
    cr_assert_eq(c->tlb.pdpte[0], PAE_PD0 | P, "PDPTE registers kept");
}

/* ------------------------------------------------------------ #PF error codes */

Test(paging, error_codes_supervisor)
{
    setup();
    map(LIN, FRAME, 0);                  /* not present */
    map(LIN + 0x1000, FRAME, P);         /* read-only, supervisor */
    map(LIN + 0x2000, FRAME, P | US);    /* read-only, user */
    paging_on32(0);
    uint32_t err;
    cr_assert_eq(access(LIN + 4, false, &err), EX_PF);
    cr_assert_eq(err, 0, "not present, read: %x", err);
    cr_assert_eq(c->cr[2], LIN + 4);
    ring0();
    cr_assert_eq(access(LIN + 8, true, &err), EX_PF);
    cr_assert_eq(err, PF_W, "not present, write: %x", err);
    cr_assert_eq(c->cr[2], LIN + 8);
    /* WP = 0: the supervisor writes read-only pages. */
    ring0();
    c->reg[R_EAX] = 0x1234;
    cr_assert_eq(access(LIN + 0x1000, true, &err), -1);
    cr_assert_eq(access(LIN + 0x2004, true, &err), -1);
    cr_assert_eq(rd(FRAME, 4), 0x1234);
    /* WP = 1: it does not (the TLB is flushed by the CR0 write, so the
     * entries filled above cannot let the write through). */
    mmu_write_cr0(c, c->cr[0] | CR0_WP);
    cr_assert_eq(access(LIN + 0x1000, true, &err), EX_PF);
    cr_assert_eq(err, PF_P | PF_W, "supervisor write to RO supervisor page, WP=1: %x", err);
    ring0();
    cr_assert_eq(access(LIN + 0x2004, true, &err), EX_PF);
    cr_assert_eq(err, PF_P | PF_W, "supervisor write to RO user page, WP=1: %x", err);
    cr_assert_eq(c->cr[2], LIN + 0x2004);
    /* Reads are still fine. */
    ring0();
    cr_assert_eq(access(LIN + 0x1000, false, &err), -1);
}

Test(paging, error_codes_user)
{
    setup();
    map(LIN, FRAME, P | RW);                 /* supervisor page */
    map(LIN + 0x1000, FRAME, P | US);        /* user read-only */
    map(LIN + 0x2000, FRAME, P | RW | US);   /* user read/write */
    map(LIN + 0x3000, FRAME, 0);             /* not present */
    paging_on32(0);
    wr(FRAME, 0x77, 4);
    uint32_t err;
    /* Supervisor first: fills the supervisor TLB set for LIN. */
    cr_assert_eq(access(LIN, false, &err), -1);
    /* Ring 3 then needs no flush to see the page as supervisor-only. */
    ring3();
    cr_assert_eq(access(LIN, false, &err), EX_PF);
    cr_assert_eq(err, PF_P | PF_U, "user read of supervisor page: %x", err);
    cr_assert_eq(c->cr[2], LIN);
    cr_assert_eq(c->cpl, 0);
    ring3();
    cr_assert_eq(access(LIN + 0x1000, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0x77);
    ring3();
    cr_assert_eq(access(LIN + 0x1000, true, &err), EX_PF);
    cr_assert_eq(err, PF_P | PF_W | PF_U, "user write to RO user page: %x", err);
    ring3();
    c->reg[R_EAX] = 0x88;
    cr_assert_eq(access(LIN + 0x2000, true, &err), -1);
    cr_assert_eq(rd(FRAME, 4), 0x88);
    ring3();
    cr_assert_eq(access(LIN + 0x3000, true, &err), EX_PF);
    cr_assert_eq(err, PF_W | PF_U, "user write, not present: %x", err);
    /* U/S and R/W combine over both levels: a PDE with R/W = 0 makes a
     * R/W PTE read-only for ring 3; with U/S = 0 a U/S PTE is
     * supervisor-only. */
    wr(PD + 4, PT1 | P | US, 4);
    mmu_invlpg(c, LIN + 0x2000);
    ring3();
    cr_assert_eq(access(LIN + 0x2000, true, &err), EX_PF);
    cr_assert_eq(err, PF_P | PF_W | PF_U);
    wr(PD + 4, PT1 | P | RW, 4);
    mmu_invlpg(c, LIN + 0x2000);
    ring3();
    cr_assert_eq(access(LIN + 0x2000, false, &err), EX_PF);
    cr_assert_eq(err, PF_P | PF_U);
    /* An implicit supervisor access from ring 3 (lin_rd32: GDT, TSS...)
     * reads the supervisor page. */
    ring3();
    cr_assert_eq(lin_rd32(c, LIN), 0x88);
}

Test(paging, error_code_user_fetch)
{
    setup();
    map(LIN, FRAME, P | RW);   /* supervisor-only code page */
    wr(FRAME, 0xF4, 1);        /* hlt */
    paging_on32(0);
    ring3();
    cr_assert_eq(run_vec(LIN, 10), EX_PF);
    /* No I/D bit without EFER.NXE (SDM Vol. 3 4.7). */
    cr_assert_eq(stk(0), PF_P | PF_U);
    cr_assert_eq(c->cr[2], LIN);
    cr_assert_eq(stk(1), LIN);
}

Test(paging, reserved_bits)
{
    setup();
    /* A 4 MiB PDE with bit 13 set: RSVD (CR4.PSE = 1). */
    wr(PD + 4, 0x800000u | (1u << 13) | P | RW | PS, 4);
    paging_on32(CR4_PSE_BIT);
    uint32_t err;
    cr_assert_eq(access(LIN, false, &err), EX_PF);
    cr_assert_eq(err, PF_P | PF_RSVD, "4 MiB PDE reserved bit: %x", err);
    ring0();
    c->reg[R_EAX] = 0;
    cr_assert_eq(access(LIN, true, &err), EX_PF);
    cr_assert_eq(err, PF_P | PF_RSVD | PF_W);
}

Test(paging, reserved_bits_pae)
{
    setup();
    pae_map(LIN, FRAME | (UINT64_C(1) << 40), P | RW);   /* beyond MAXPHYADDR 36 */
    pae_map(LIN + 0x1000, FRAME | (UINT64_C(1) << 63), P | RW); /* XD without NXE */
    paging_on_pae(0);
    uint32_t err;
    cr_assert_eq(access(LIN, false, &err), EX_PF);
    cr_assert_eq(err, PF_P | PF_RSVD);
    cr_assert_eq(c->cr[2], LIN);
    ring0();
    cr_assert_eq(access(LIN + 0x1000, false, &err), EX_PF);
    cr_assert_eq(err, PF_P | PF_RSVD);
}

/* ------------------------------------------------------------ A/D bits */

Test(paging, accessed_dirty)
{
    setup();
    map(LIN, FRAME, P | RW);
    wr(PD + 4, PT1 | P | RW | US, 4);   /* A clear */
    paging_on32(0);
    uint32_t err;
    cr_assert_eq(access(LIN, false, &err), -1);
    cr_assert_eq(rd(PD + 4, 4) & (A | D), A, "PDE after a read");
    cr_assert_eq(rd(pte_addr(LIN), 4) & (A | D), A, "PTE after a read");
    /* The TLB now holds the page for reads only (D clear): the write
     * walks again and sets D. */
    cr_assert_eq(access(LIN, true, &err), -1);
    cr_assert_eq(rd(pte_addr(LIN), 4) & (A | D), A | D, "PTE after a write");
    cr_assert_eq(rd(PD + 4, 4) & D, 0, "no D in a PDE that points to a table");
    /* Software clears D; the TLB entry does not notice until INVLPG
     * (the SDM lets the processor keep it), after which the next write
     * sets D again. */
    map(LIN, FRAME, P | RW | A);
    mmu_invlpg(c, LIN);
    cr_assert_eq(access(LIN, true, &err), -1);
    cr_assert_eq(rd(pte_addr(LIN), 4) & (A | D), A | D);
    /* A faulting access sets no bits. */
    map(LIN + 0x1000, FRAME, P);
    mmu_write_cr0(c, c->cr[0] | CR0_WP);
    cr_assert_eq(access(LIN + 0x1000, true, &err), EX_PF);
    cr_assert_eq(rd(pte_addr(LIN + 0x1000), 4) & (A | D), 0);
}

/* ------------------------------------------------------------ TLB */

Test(paging, global_pages_and_invlpg)
{
    setup();
    map(LIN, FRAME, P | RW | G);
    map(LIN + 0x1000, FRAME + 0x1000, P | RW);
    paging_on32(CR4_PGE_BIT);
    wr(FRAME, 0x1111, 4);
    wr(FRAME + 0x1000, 0x2222, 4);
    wr(FRAME + 0x8000, 0x3333, 4);
    uint32_t err;
    cr_assert_eq(access(LIN, false, &err), -1);
    cr_assert_eq(access(LIN + 0x1000, false, &err), -1);
    /* Both PTEs now point elsewhere; MOV CR3 (same value) drops only the
     * non-global translation. */
    map(LIN, FRAME + 0x8000, P | RW | G);
    map(LIN + 0x1000, FRAME + 0x8000, P | RW);
    c->reg[R_EBX] = PD;
    LOAD(CODE, 0x0F, 0x22, 0xDB,                 /* mov cr3, ebx */
         0xA1, D32(LIN), 0x89, 0xC6,             /* mov eax, [LIN]; mov esi, eax */
         0xA1, D32(LIN + 0x1000), 0xF4);         /* mov eax, [LIN+0x1000]; hlt */
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(c->reg[R_ESI], 0x1111, "global page kept its old translation");
    cr_assert_eq(c->reg[R_EAX], 0x3333, "non-global page was reloaded");
    /* INVLPG drops the global one too. */
    LOAD(CODE, 0x0F, 0x01, 0x3D, D32(LIN + 0x123),   /* invlpg [LIN+0x123] */
         0xA1, D32(LIN), 0xF4);
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(c->reg[R_EAX], 0x3333);
    /* Clearing CR4.PGE flushes everything, globals included. */
    map(LIN, FRAME, P | RW | G);
    mmu_invlpg(c, LIN);
    cr_assert_eq(access(LIN, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0x1111);
    map(LIN, FRAME + 0x8000, P | RW | G);
    mmu_write_cr4(c, 0);
    cr_assert_eq(access(LIN, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0x3333);
}

Test(paging, invlpg_changed_mapping)
{
    setup();
    map(LIN, FRAME, P | RW);
    map(LIN + 0x1000, FRAME + 0x1000, P | RW);
    paging_on32(0);
    wr(FRAME, 0xAAAA, 4);
    wr(FRAME + 0x1000, 0xBBBB, 4);
    wr(FRAME + 0x2000, 0xCCCC, 4);
    uint32_t err;
    cr_assert_eq(access(LIN, false, &err), -1);
    cr_assert_eq(access(LIN + 0x1000, false, &err), -1);
    map(LIN, FRAME + 0x2000, P | RW);
    map(LIN + 0x1000, FRAME + 0x2000, P | RW);
    /* Until INVLPG the TLB keeps the old translations (that is what the
     * TLB is for); INVLPG of LIN changes only LIN. */
    cr_assert_eq(access(LIN, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 0xAAAA);
    LOAD(CODE, 0x0F, 0x01, 0x3D, D32(LIN + 0xFFF), 0xA1, D32(LIN), 0x89, 0xC6,
         0xA1, D32(LIN + 0x1000), 0xF4);
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(c->reg[R_ESI], 0xCCCC);
    cr_assert_eq(c->reg[R_EAX], 0xBBBB);
    /* A page that became not present faults after INVLPG. */
    map(LIN, 0, 0);
    mmu_invlpg(c, LIN);
    cr_assert_eq(access(LIN, false, &err), EX_PF);
}

Test(paging, invlpg_large_page)
{
    setup();
    wr(PD + 4, 0x800000u | P | RW | PS, 4);
    paging_on32(CR4_PSE_BIT);
    wr(0x800000u + 0x5000, 0x1, 4);
    wr(0xC00000u + 0x5000, 0x2, 4);
    uint32_t err;
    cr_assert_eq(access(LIN + 0x5000, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 1);
    wr(PD + 4, 0xC00000u | P | RW | PS, 4);
    /* INVLPG of another address inside the same 4 MiB page drops it. */
    mmu_invlpg(c, LIN + 0x300000u);
    cr_assert_eq(access(LIN + 0x5000, false, &err), -1);
    cr_assert_eq(c->reg[R_EAX], 2);
}

/* ------------------------------------------------------------ code */

Test(paging, smc_through_virtual_alias)
{
    setup();
    /* LIN and LIN+0x1000 both map FRAME. */
    map(LIN, FRAME, P | RW);
    map(LIN + 0x1000, FRAME, P | RW);
    paging_on32(0);
    /* At LIN: mov byte [LIN+0x1000+8], 0x42 (the imm8 of the mov al
     * below, through the alias); mov al, 0x11; hlt. */
    const uint8_t code[] = { 0xC6, 0x05, D32(LIN + 0x1000 + 8), 0x42, 0xB0, 0x11, 0xF4 };
    harness_load(h, FRAME, code, sizeof code);
    blockcache_flush(&h->bc);
    c->reg[R_EAX] = 0;
    cr_assert_eq(run_vec(LIN, 10), -1);
    cr_assert_eq(c->reg[R_EAX] & 0xFF, 0x42, "the store through the alias changed the running block");
    /* Cached block, then a store through the alias from elsewhere. */
    wr(FRAME + 8, 0x11, 1);
    blockcache_flush(&h->bc);
    const uint8_t code2[] = { 0xB0, 0x11, 0xF4 };
    harness_load(h, FRAME + 0x100, code2, sizeof code2);
    cr_assert_eq(run_vec(LIN + 0x100, 10), -1);
    cr_assert_eq(c->reg[R_EAX] & 0xFF, 0x11);
    LOAD(CODE, 0xC6, 0x05, D32(LIN + 0x1000 + 0x101), 0x77, 0xF4);
    /* LOAD flushed the cache; build the block at LIN+0x100 again. */
    cr_assert_eq(run_vec(LIN + 0x100, 10), -1);
    cr_assert_eq(run_vec(CODE, 10), -1);               /* the store through the alias */
    cr_assert_eq(run_vec(LIN + 0x100, 10), -1);
    cr_assert_eq(c->reg[R_EAX] & 0xFF, 0x77, "block invalidated by a write through the alias");
    /* The alias first filled by a read (after the block exists): the
     * fill must still leave writes to the code page on the slow path. */
    mmu_invlpg(c, LIN + 0x1000);
    cr_assert_eq(run_vec(LIN + 0x100, 10), -1);         /* block cached again */
    LOAD(CODE, 0xA1, D32(LIN + 0x1000 + 0x100),          /* mov eax, [alias] (TLB fill) */
         0xC6, 0x05, D32(LIN + 0x1000 + 0x101), 0x99, 0xF4);
    cr_assert_eq(run_vec(LIN + 0x100, 10), -1);         /* LOAD flushed: build it again */
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(run_vec(LIN + 0x100, 10), -1);
    cr_assert_eq(c->reg[R_EAX] & 0xFF, 0x99, "write through a read-filled alias entry");
}

Test(paging, straddling_instruction_pf)
{
    setup();
    map(LIN, FRAME, P | RW);
    map(LIN + 0x1000, FRAME + 0x1000, 0);   /* second page not present */
    paging_on32(0);
    /* nop at LIN+0xFFC, then mov eax, imm32 at LIN+0xFFD: its last two
     * bytes are on the next page. */
    const uint8_t code[] = { 0x90, 0xB8, 0x44, 0x33 };
    harness_load(h, FRAME + 0xFFC, code, sizeof code);
    const uint8_t tail[] = { 0x22, 0x11, 0xF4 };
    harness_load(h, FRAME + 0x1000, tail, sizeof tail);
    blockcache_flush(&h->bc);
    cr_assert_eq(run_vec(LIN + 0xFFC, 10), EX_PF);
    cr_assert_eq(c->cr[2], LIN + 0x1000, "CR2 = the second page");
    cr_assert_eq(stk(0), 0, "supervisor read, not present: %x", stk(0));
    cr_assert_eq(stk(1), LIN + 0xFFD, "the faulting instruction's EIP");
    /* Map it and the instruction completes. */
    map(LIN + 0x1000, FRAME + 0x1000, P | RW);
    ring0();
    cr_assert_eq(run_vec(LIN + 0xFFD, 10), -1);
    cr_assert_eq(c->reg[R_EAX], 0x11223344);
    /* Remap the second page to a frame with other bytes: the cached
     * straddling block must not run. */
    const uint8_t tail2[] = { 0x66, 0x55, 0xF4 };
    harness_load(h, FRAME + 0x3000, tail2, sizeof tail2);
    map(LIN + 0x1000, FRAME + 0x3000, P | RW);
    mmu_invlpg(c, LIN + 0x1000);
    cr_assert_eq(run_vec(LIN + 0xFFD, 10), -1);
    cr_assert_eq(c->reg[R_EAX], 0x55663344);
}

Test(paging, rep_movsb_page_fault)
{
    setup();
    map(LIN, FRAME, P | RW);                 /* destination, first page */
    map(LIN + 0x1000, 0, 0);                 /* destination, second page: not yet */
    paging_on32(0);
    for (uint32_t k = 0; k < 0x200; k++)
        wr(0x20000 + k, (uint8_t)(k * 7 + 1), 1);
    /* #PF handler: save error code, CR2, ECX, ESI, EDI; map the page;
     * return to the REP MOVSB. */
    const uint32_t pte = pte_addr(LIN + 0x1000);
    const uint8_t hnd[] = {
        0x89, 0x0D, D32(SAVE + 8),           /* mov [SAVE+8], ecx */
        0x89, 0x35, D32(SAVE + 12),          /* mov [SAVE+12], esi */
        0x89, 0x3D, D32(SAVE + 16),          /* mov [SAVE+16], edi */
        0x58, 0xA3, D32(SAVE),               /* pop eax; mov [SAVE], eax */
        0x0F, 0x20, 0xD0, 0xA3, D32(SAVE + 4), /* mov eax, cr2; mov [SAVE+4], eax */
        0xC7, 0x05, D32(pte), D32((FRAME + 0x1000) | P | RW), /* mov dword [pte], ... */
        0xFF, 0x05, D32(SAVE + 20),          /* inc dword [SAVE+20] */
        0xCF,                                /* iretd */
    };
    harness_load(h, HND, hnd, sizeof hnd);
    idt_gate(EX_PF, HND);
    c->reg[R_ESI] = 0x20000;
    c->reg[R_EDI] = LIN + 0xF80;
    c->reg[R_ECX] = 0x200;
    LOAD(CODE, 0xFC, 0xF3, 0xA4, 0xF4);      /* cld; rep movsb; hlt */
    cr_assert_eq(run_vec(CODE, 1000), -1);
    cr_assert_eq(rd(SAVE + 20, 4), 1, "one page fault");
    cr_assert_eq(rd(SAVE, 4), PF_W, "error code %x", rd(SAVE, 4));
    cr_assert_eq(rd(SAVE + 4, 4), LIN + 0x1000, "CR2");
    cr_assert_eq(rd(SAVE + 8, 4), 0x200 - 0x80, "ECX at the faulting element");
    cr_assert_eq(rd(SAVE + 12, 4), 0x20000 + 0x80, "ESI at the faulting element");
    cr_assert_eq(rd(SAVE + 16, 4), LIN + 0x1000, "EDI at the faulting element");
    cr_assert_eq(c->reg[R_ECX], 0);
    cr_assert_eq(c->reg[R_EDI], LIN + 0xF80 + 0x200);
    for (uint32_t k = 0; k < 0x200; k++) {
        uint32_t dst = k < 0x80 ? FRAME + 0xF80 + k : FRAME + 0x1000 + (k - 0x80);
        cr_assert_eq(rd(dst, 1), (uint8_t)(k * 7 + 1), "byte %x", k);
    }
}

/* ------------------------------------------------------------ NX */

Test(paging, nx_with_model_flag)
{
    setup();
    nx_model = *c->model;
    nx_model.nx = true;
    c->model = &nx_model;
    pae_map(LIN, FRAME, P | RW | (UINT64_C(1) << 63));   /* data, no execute */
    pae_map(LIN + 0x1000, FRAME, P | RW);                /* same frame, executable */
    wr(FRAME, 0xF4, 1);
    paging_on_pae(0);
    /* EFER.NXE through WRMSR. */
    c->reg[R_ECX] = MSR_EFER;
    c->reg[R_EAX] = EFER_NXE;
    c->reg[R_EDX] = 0;
    LOAD(CODE, 0x0F, 0x30, 0xF4);
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(c->msr_efer, EFER_NXE);
    c->reg[R_EAX] = c->reg[R_EDX] = 0xFFFFFFFFu;
    LOAD(CODE, 0x0F, 0x32, 0xF4);   /* rdmsr */
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(c->reg[R_EAX], EFER_NXE);
    cr_assert_eq(c->reg[R_EDX], 0);
    /* EFER bits this model lacks (SCE, LME): #GP(0). */
    c->reg[R_EAX] = EFER_NXE | 1;
    LOAD(CODE, 0x0F, 0x30, 0xF4);
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(c->msr_efer, EFER_NXE);
    ring0();
    uint32_t err;
    cr_assert_eq(access(LIN, false, &err), -1, "reading an NX page is fine");
    cr_assert_eq(run_vec(LIN + 0x1000, 10), -1, "the executable alias runs");
    ring0();
    cr_assert_eq(run_vec(LIN, 10), EX_PF);
    cr_assert_eq(stk(0), PF_P | PF_I, "fetch from an NX page: %x", stk(0));
    cr_assert_eq(c->cr[2], LIN);
    /* Not present + fetch: I/D set, P clear. */
    ring0();
    pae_map(LIN + 0x2000, 0, 0);
    cr_assert_eq(run_vec(LIN + 0x2000, 10), EX_PF);
    cr_assert_eq(stk(0), PF_I);
}

Test(paging, efer_absent_without_nx)
{
    setup();
    c->reg[R_ECX] = MSR_EFER;
    LOAD(CODE, 0x0F, 0x32, 0xF4);   /* rdmsr */
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(stk(0), 0);
    ring0();
    c->reg[R_EAX] = EFER_NXE;
    c->reg[R_EDX] = 0;
    LOAD(CODE, 0x0F, 0x30, 0xF4);   /* wrmsr */
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
    cr_assert_eq(c->msr_efer, 0);
}

/* ------------------------------------------------------------ models */

static void cpuid1(const char *model, uint32_t *edx)
{
    struct harness *hh = harness_new(model, 1u << 20);
    cr_assert_not_null(hh);
    const uint8_t code[] = { 0x0F, 0xA2, 0xF4 };
    harness_load(hh, 0, code, sizeof code);
    hh->cpu.reg[R_EAX] = 1;
    harness_run(hh, 0, 10);
    *edx = hh->cpu.reg[R_EDX];
    harness_free(hh);
}

Test(paging, model_bits)
{
    uint32_t edx;
    cpuid1("pentium", &edx);
    cr_assert(edx & (1u << 3), "pentium: PSE");
    cr_assert(!(edx & (1u << 6)), "pentium: no PAE");
    cr_assert(!(edx & (1u << 13)), "pentium: no PGE");
    cpuid1("pentium2", &edx);
    cr_assert_eq(edx & ((1u << 3) | (1u << 6) | (1u << 13)), (1u << 3) | (1u << 6) | (1u << 13),
                 "pentium2: PSE PAE PGE");
    cr_assert_eq(cpu_model_find("pentium")->cr4_writable & (CR4_PAE_BIT | CR4_PGE_BIT), 0);
    cr_assert_eq(cpu_model_find("pentium2")->cr4_writable & (CR4_PAE_BIT | CR4_PGE_BIT | CR4_PSE_BIT),
                 CR4_PAE_BIT | CR4_PGE_BIT | CR4_PSE_BIT);
    cr_assert_eq(cpu_model_find("80486")->cr4_writable, 0);
    for (int k = 0; k < cpu_model_count; k++)
        cr_assert(!cpu_models[k].nx, "%s: no NX", cpu_models[k].name);
    /* MOV CR4 with PAE on the Pentium: #GP(0). */
    setup_model("pentium");
    c->reg[R_EAX] = CR4_PAE_BIT;
    LOAD(CODE, 0x0F, 0x22, 0xE0, 0xF4);
    cr_assert_eq(run_vec(CODE, 10), EX_GP);
}

/* ------------------------------------------------------------ A20 */

static int resets;
static void count_reset(void *opaque) { (void)opaque; resets++; }

Test(paging, a20_port92)
{
    setup();
    struct port92 p;
    resets = 0;
    port92_init(&p, &h->bus, c, count_reset, NULL);
    /* Reading: A20 is on after reset. */
    LOAD(CODE, 0xE4, 0x92, 0xF4);   /* in al, 0x92 */
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(c->reg[R_EAX] & 3, 2);
    wr(0x000010, 0x11111111, 4);
    wr(0x100010, 0x22222222, 4);
    /* A20 off: 0x100010 reads 0x000010. */
    c->reg[R_EAX] = 0;
    LOAD(CODE, 0xE6, 0x92, 0x8B, 0x1D, D32(0x100010), 0xE4, 0x92, 0xF4); /* out; mov ebx,[..]; in */
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(c->reg[R_EBX], 0x11111111, "A20 off: 1 MiB wraps to 0");
    cr_assert_eq(c->reg[R_EAX] & 3, 0);
    cr_assert(!a20_enabled(c));
    /* Writes wrap too. */
    c->reg[R_EAX] = 0x33;
    LOAD(CODE, 0xA3, D32(0x100014), 0xF4);
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(rd(0x14, 4), 0x33);
    /* A20 on again: distinct. */
    c->reg[R_EAX] = 2;
    LOAD(CODE, 0xE6, 0x92, 0x8B, 0x1D, D32(0x100010), 0xF4);
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(c->reg[R_EBX], 0x22222222);
    cr_assert_eq(resets, 0);
    /* Bit 0: a rising edge asks for a reset, once. */
    c->reg[R_EAX] = 3;
    LOAD(CODE, 0xE6, 0x92, 0xE6, 0x92, 0xF4);
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(resets, 1);
    cr_assert_eq(c->reg[R_EAX] & 0xFF, 3);
    /* The keyboard controller's path: a20_set. */
    a20_set(c, false);
    LOAD(CODE, 0xE4, 0x92, 0xF4);
    cr_assert_eq(run_vec(CODE, 10), -1);
    cr_assert_eq(c->reg[R_EAX] & 2, 0, "port 0x92 reads the live A20 state");
}

/* The machine wires port 0x92: bit 0 resets it (through the same
 * request as the keyboard controller's pulse). */
Test(paging, port92_fast_reset_machine)
{
    static uint8_t bios[64u << 10];
    memset(bios, 0xF4, sizeof bios);
    const uint8_t code[] = { 0xB0, 0x01, 0xE6, 0x92, 0xF4 };   /* mov al,1; out 0x92,al; hlt */
    memcpy(bios + sizeof bios - 16, code, sizeof code);
    struct machine_config cfg = { .cpu_model = "pentium2", .bios = bios, .bios_size = sizeof bios };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    cr_assert_eq(m->resets, 0);
    (void)machine_run_slice(m, 3);
    (void)machine_run_slice(m, 1);
    cr_assert_geq(m->resets, 1, "OUT 0x92 with bit 0 reset the machine");
    machine_free(m);
}

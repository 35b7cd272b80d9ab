/* Software TLB: linear page -> host pointer, for the hot path.
 *
 * An entry maps one 4 KiB linear page.  tag_r / tag_w / tag_x hold the
 * linear page address when reads / writes / instruction fetches may go
 * straight to host memory at (lin + addend); any other value
 * (TLB_INVALID) sends the access to the slow path in mmu.c.  Writes are
 * never fast for pages that hold decoded code (so self-modifying code is
 * seen, through any virtual alias: the test is on the physical page),
 * nor for ROM or MMIO, nor (paging) before the page's dirty bit is set.
 *
 * Privilege.  There are two sets of entries: e[0] for supervisor
 * accesses and e[1] for user accesses (CPL 3, V86 mode included).  A
 * data access picks its set from c->cpl (mem.h tlb_entry_for: one
 * compare, no flush on a CPL change); the implicit supervisor accesses
 * of the CPU itself (descriptor tables, TSS, IDT: SDM Vol. 3 4.6) always
 * use e[0].  An entry's tags encode what that privilege may do on the
 * page, combined over every paging level, so the hot path needs no extra
 * test.  Without paging both sets allow everything.
 *
 * Paging state that belongs with the translation (the four PAE PDPTE
 * registers) lives here too, so it is snapshotted with the CPU.
 */
#ifndef PCVM_TLB_H
#define PCVM_TLB_H

#include <stdint.h>

#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_INVALID 1u   /* never equal to a page-aligned address */

/* tlb_entry.info: bit 0 = global page (survives MOV CR3 with CR4.PGE);
 * bits 12-31 = the linear-address bits above 12 that the page covers
 * beyond 4 KiB (0 for a 4 KiB page, 0x3FF000 for 4 MiB, 0x1FF000 for
 * 2 MiB), so INVLPG can drop every piece of a large page. */
#define TLBI_GLOBAL 1u

struct tlb_entry {
    uint32_t tag_r;
    uint32_t tag_w;
    uint32_t tag_x;      /* instruction fetch (the block lookup and the decoder) */
    uint32_t phys;       /* physical page address (code-page protection, block lookup) */
    uintptr_t addend;    /* host address = lin + addend */
    uint32_t info;       /* TLBI_GLOBAL, large-page span */
};

enum { TLB_SUP = 0, TLB_USER = 1 };

struct tlb {
    struct tlb_entry e[2][TLB_SIZE];   /* [TLB_SUP], [TLB_USER] */
    uint32_t bus_generation; /* bus map generation the entries were filled for */
    uint32_t nlarge;         /* entries filled from large pages since the last full flush */
    uint64_t pdpte[4];       /* PAE: PDPTE registers, loaded with CR3 (SDM Vol. 3 4.4.1) */
};

#endif

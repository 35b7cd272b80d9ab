/* Guest memory access for instruction handlers.
 *
 *   cpu_rd8/16/32(c, sreg, off)       read through a segment
 *   cpu_wr8/16/32(c, sreg, off, v)    write through a segment
 *   lin_rd8/16/32, lin_wr8/16/32(c, lin, ...)  linear address, as an
 *                                     implicit supervisor access
 *                                     (descriptor tables, IDT/IVT, TSS)
 *   dlin_rd8/16/32, dlin_wr8/16/32    linear address at the current
 *                                     privilege (U/S checks at CPL 3)
 *   cpu_fetch8(c, off)                instruction byte at CS:off
 *
 * The inline fast paths check the segment's fast_limit and the TLB; all
 * else (limit faults, 8086 wrap-around, page crossing, MMIO, ROM, pages
 * that hold decoded code, paging and #PF) is in mmu.c and paging.c.  Values are little-endian and
 * never read through casted pointers, so any host works.
 */
#ifndef PCVM_MEM_H
#define PCVM_MEM_H

#include <stdint.h>

#include "../bus/bus.h"
#include "../cpu/cpu.h"
#include "../jit/blockcache.h"
#include "paging.h"

uint32_t mmu_read_slow(struct cpu *c, int sreg, uint32_t off, unsigned n);
void mmu_write_slow(struct cpu *c, int sreg, uint32_t off, uint32_t v, unsigned n);
/* Linear slow paths; `acc` is 0 for an access at the current privilege
 * or MMU_SYS (mmu/paging.h) for an implicit supervisor access. */
uint32_t mmu_lin_read_slow(struct cpu *c, uint32_t lin, unsigned n, unsigned acc);
void mmu_lin_write_slow(struct cpu *c, uint32_t lin, uint32_t v, unsigned n, unsigned acc);
uint8_t cpu_fetch8(struct cpu *c, uint32_t off);
uint8_t mmu_fetch_slow(struct cpu *c, uint32_t lin);

/* Linear -> physical without side effects on guest state (no A/D bits,
 * no fault, no TLB fill); false where the access would fault.  `acc` is
 * a set of MMU_WRITE / MMU_FETCH / MMU_SYS (mmu/paging.h): a bool
 * "write" still works (true == MMU_WRITE).  Code lookups pass MMU_FETCH,
 * which checks U/S at the CPL and NX. */
bool mmu_translate(struct cpu *c, uint32_t lin, unsigned acc, uint32_t *phys);
/* An instruction fetch's translation, done for real (accessed bit, TLB
 * fill for fetches), but returning false instead of faulting: the caller
 * then fetches through cpu_fetch8, which raises the right fault (a CS
 * limit #GP before any #PF). */
bool mmu_code_fill(struct cpu *c, uint32_t lin, uint32_t *phys);

/* Physical address of the code byte at linear `lin`, from the TLB when it
 * holds the page for instruction fetches at the current privilege (tag_x:
 * U/S and NX are already folded in), else by mmu_code_fill. */
static inline bool mmu_code_phys(struct cpu *c, uint32_t lin, uint32_t *phys);

/* Forget every translation, global pages included (CR0/CR4 paging bits,
 * A20 change, map change). */
void tlb_flush(struct cpu *c);
/* Make writes to this physical page take the slow path (it now holds
 * code), in every TLB entry that maps it: any virtual alias. */
void tlb_protect_code_page(struct cpu *c, uint32_t phys_page);

/* The TLB set for accesses at the current privilege: user (CPL 3, V86
 * included) or supervisor.  Deriving it from c->cpl on the spot costs a
 * compare that runs in parallel with the address arithmetic, and means a
 * CPL change needs neither a flush nor a hook (mmu/tlb.h). */
static inline unsigned tlb_cur_set(const struct cpu *c)
{
    return c->cpl == 3;
}
static inline struct tlb_entry *tlb_entry_in(struct cpu *c, unsigned set, uint32_t lin)
{
    return &c->tlb.e[set][(lin >> 12) & (TLB_SIZE - 1)];
}
/* Entry for a data access at the current privilege (cpu_rd/cpu_wr, and
 * the string instructions' host runs). */
static inline struct tlb_entry *tlb_entry_for(struct cpu *c, uint32_t lin)
{
    return tlb_entry_in(c, tlb_cur_set(c), lin);
}

static inline uint8_t *tlb_host(const struct tlb_entry *e, uint32_t lin)
{
    return (uint8_t *)(uintptr_t)((uintptr_t)lin + e->addend);
}

static inline bool mmu_code_phys(struct cpu *c, uint32_t lin, uint32_t *phys)
{
    struct tlb_entry *e = tlb_entry_for(c, lin);
    if (likely(e->tag_x == (lin & ~0xFFFu))) {
        *phys = e->phys | (lin & 0xFFFu);
        return true;
    }
    return mmu_code_fill(c, lin, phys);
}

/* With paging on: is block `b`, found through a successor link by EIP,
 * still what CS:EIP fetches?  The TLB entry for fetches at the CPL must
 * map the EIP's page to b's physical page (a block that straddles pages
 * goes through the full lookup instead). */
static inline bool mmu_code_still_mapped(struct cpu *c, const struct block *b)
{
    uint32_t lin = c->seg[S_CS].base + c->eip;
    const struct tlb_entry *e = tlb_entry_for(c, lin);
    return e->tag_x == (lin & ~0xFFFu) && e->phys == (b->phys & ~0xFFFu) &&
           b->page2 == BC_NO_PAGE;
}

#define PAGE_FITS(lin, n) (((lin) & 0xFFFu) <= 0x1000u - (n))

/* Linear accesses, in two flavours:
 *   dlin_rdN / dlin_wrN  at the current privilege (what segment accesses
 *                        become)
 *   lin_rdN / lin_wrN    implicit supervisor accesses of the CPU itself:
 *                        GDT, LDT, IDT, TSS (SDM Vol. 3 4.6: "accesses to
 *                        the GDT, LDT, IDT or TSS are supervisor-mode
 *                        accesses" whatever the CPL)
 * Same code, a different TLB set and slow-path flag. */
#define PCVM_LIN_ACCESSORS(pfx, SET, ACC)                                          \
static inline uint8_t pfx##_rd8(struct cpu *c, uint32_t lin)                       \
{                                                                                  \
    struct tlb_entry *e = tlb_entry_in(c, SET, lin);                               \
    if (likely(e->tag_r == (lin & ~0xFFFu)))                                       \
        return *tlb_host(e, lin);                                                  \
    return (uint8_t)mmu_lin_read_slow(c, lin, 1, ACC);                             \
}                                                                                  \
static inline uint16_t pfx##_rd16(struct cpu *c, uint32_t lin)                     \
{                                                                                  \
    struct tlb_entry *e = tlb_entry_in(c, SET, lin);                               \
    if (likely(e->tag_r == (lin & ~0xFFFu) && PAGE_FITS(lin, 2)))                  \
        return le16(tlb_host(e, lin));                                             \
    return (uint16_t)mmu_lin_read_slow(c, lin, 2, ACC);                            \
}                                                                                  \
static inline uint32_t pfx##_rd32(struct cpu *c, uint32_t lin)                     \
{                                                                                  \
    struct tlb_entry *e = tlb_entry_in(c, SET, lin);                               \
    if (likely(e->tag_r == (lin & ~0xFFFu) && PAGE_FITS(lin, 4)))                  \
        return le32(tlb_host(e, lin));                                             \
    return mmu_lin_read_slow(c, lin, 4, ACC);                                      \
}                                                                                  \
static inline void pfx##_wr8(struct cpu *c, uint32_t lin, uint8_t v)               \
{                                                                                  \
    struct tlb_entry *e = tlb_entry_in(c, SET, lin);                               \
    if (likely(e->tag_w == (lin & ~0xFFFu)))                                       \
        *tlb_host(e, lin) = v;                                                     \
    else                                                                           \
        mmu_lin_write_slow(c, lin, v, 1, ACC);                                     \
}                                                                                  \
static inline void pfx##_wr16(struct cpu *c, uint32_t lin, uint16_t v)             \
{                                                                                  \
    struct tlb_entry *e = tlb_entry_in(c, SET, lin);                               \
    if (likely(e->tag_w == (lin & ~0xFFFu) && PAGE_FITS(lin, 2)))                  \
        st16(tlb_host(e, lin), v);                                                 \
    else                                                                           \
        mmu_lin_write_slow(c, lin, v, 2, ACC);                                     \
}                                                                                  \
static inline void pfx##_wr32(struct cpu *c, uint32_t lin, uint32_t v)             \
{                                                                                  \
    struct tlb_entry *e = tlb_entry_in(c, SET, lin);                               \
    if (likely(e->tag_w == (lin & ~0xFFFu) && PAGE_FITS(lin, 4)))                  \
        st32(tlb_host(e, lin), v);                                                 \
    else                                                                           \
        mmu_lin_write_slow(c, lin, v, 4, ACC);                                     \
}

PCVM_LIN_ACCESSORS(dlin, tlb_cur_set(c), 0u)
PCVM_LIN_ACCESSORS(lin, TLB_SUP, MMU_SYS)
#undef PCVM_LIN_ACCESSORS

/* Segment-relative accesses. */
static inline uint8_t cpu_rd8(struct cpu *c, int sreg, uint32_t off)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off <= s->fast_limit))
        return dlin_rd8(c, s->base + off);
    return (uint8_t)mmu_read_slow(c, sreg, off, 1);
}
static inline uint16_t cpu_rd16(struct cpu *c, int sreg, uint32_t off)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off + 1 <= s->fast_limit))
        return dlin_rd16(c, s->base + off);
    return (uint16_t)mmu_read_slow(c, sreg, off, 2);
}
static inline uint32_t cpu_rd32(struct cpu *c, int sreg, uint32_t off)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off + 3 <= s->fast_limit))
        return dlin_rd32(c, s->base + off);
    return mmu_read_slow(c, sreg, off, 4);
}
static inline void cpu_wr8(struct cpu *c, int sreg, uint32_t off, uint8_t v)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off <= s->fast_limit_w))
        dlin_wr8(c, s->base + off, v);
    else
        mmu_write_slow(c, sreg, off, v, 1);
}
static inline void cpu_wr16(struct cpu *c, int sreg, uint32_t off, uint16_t v)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off + 1 <= s->fast_limit_w))
        dlin_wr16(c, s->base + off, v);
    else
        mmu_write_slow(c, sreg, off, v, 2);
}
static inline void cpu_wr32(struct cpu *c, int sreg, uint32_t off, uint32_t v)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off + 3 <= s->fast_limit_w))
        dlin_wr32(c, s->base + off, v);
    else
        mmu_write_slow(c, sreg, off, v, 4);
}

#endif

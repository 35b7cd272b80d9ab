/* Guest memory access for instruction handlers.
 *
 *   cpu_rd8/16/32(c, sreg, off)       read through a segment
 *   cpu_wr8/16/32(c, sreg, off, v)    write through a segment
 *   lin_rd8/16/32, lin_wr8/16/32(c, lin, ...)  linear address
 *                                     (descriptor tables, IVT, TSS)
 *   cpu_fetch8(c, off)                instruction byte at CS:off
 *
 * The inline fast paths check the segment's fast_limit and the TLB; all
 * else (limit faults, 8086 wrap-around, page crossing, MMIO, ROM, pages
 * that hold decoded code) is in mmu.c.  Values are little-endian and
 * never read through casted pointers, so any host works.
 */
#ifndef PCVM_MEM_H
#define PCVM_MEM_H

#include <stdint.h>

#include "../bus/bus.h"
#include "../cpu/cpu.h"

uint32_t mmu_read_slow(struct cpu *c, int sreg, uint32_t off, unsigned n);
void mmu_write_slow(struct cpu *c, int sreg, uint32_t off, uint32_t v, unsigned n);
uint32_t mmu_lin_read_slow(struct cpu *c, uint32_t lin, unsigned n);
void mmu_lin_write_slow(struct cpu *c, uint32_t lin, uint32_t v, unsigned n);
uint8_t cpu_fetch8(struct cpu *c, uint32_t off);

/* Linear -> physical for a code or data access without side effects on
 * guest state; returns false where the page is not mapped (paging). */
bool mmu_translate(struct cpu *c, uint32_t lin, bool write, uint32_t *phys);

/* Physical address of the code byte at linear `lin`, from the TLB when it
 * holds the page (block lookups), else by a translation.  Paging must keep
 * this honest: a tag_r hit has to mean "fetchable at the current privilege"
 * (user/supervisor and NX), or this must look at the extra bits. */
static inline bool mmu_code_phys(struct cpu *c, uint32_t lin, uint32_t *phys);

/* Forget every translation (CR3 load, A20 change, map change). */
void tlb_flush(struct cpu *c);
/* Make writes to this physical page take the slow path (it now holds code). */
void tlb_protect_code_page(struct cpu *c, uint32_t phys_page);

static inline struct tlb_entry *tlb_entry_for(struct cpu *c, uint32_t lin)
{
    return &c->tlb.e[(lin >> 12) & (TLB_SIZE - 1)];
}

static inline uint8_t *tlb_host(const struct tlb_entry *e, uint32_t lin)
{
    return (uint8_t *)(uintptr_t)((uintptr_t)lin + e->addend);
}

static inline bool mmu_code_phys(struct cpu *c, uint32_t lin, uint32_t *phys)
{
    struct tlb_entry *e = tlb_entry_for(c, lin);
    if (likely(e->tag_r == (lin & ~0xFFFu))) {
        *phys = e->phys | (lin & 0xFFFu);
        return true;
    }
    return mmu_translate(c, lin, false, phys);
}

#define PAGE_FITS(lin, n) (((lin) & 0xFFFu) <= 0x1000u - (n))

static inline uint8_t lin_rd8(struct cpu *c, uint32_t lin)
{
    struct tlb_entry *e = tlb_entry_for(c, lin);
    if (likely(e->tag_r == (lin & ~0xFFFu)))
        return *tlb_host(e, lin);
    return (uint8_t)mmu_lin_read_slow(c, lin, 1);
}
static inline uint16_t lin_rd16(struct cpu *c, uint32_t lin)
{
    struct tlb_entry *e = tlb_entry_for(c, lin);
    if (likely(e->tag_r == (lin & ~0xFFFu) && PAGE_FITS(lin, 2)))
        return le16(tlb_host(e, lin));
    return (uint16_t)mmu_lin_read_slow(c, lin, 2);
}
static inline uint32_t lin_rd32(struct cpu *c, uint32_t lin)
{
    struct tlb_entry *e = tlb_entry_for(c, lin);
    if (likely(e->tag_r == (lin & ~0xFFFu) && PAGE_FITS(lin, 4)))
        return le32(tlb_host(e, lin));
    return mmu_lin_read_slow(c, lin, 4);
}
static inline void lin_wr8(struct cpu *c, uint32_t lin, uint8_t v)
{
    struct tlb_entry *e = tlb_entry_for(c, lin);
    if (likely(e->tag_w == (lin & ~0xFFFu)))
        *tlb_host(e, lin) = v;
    else
        mmu_lin_write_slow(c, lin, v, 1);
}
static inline void lin_wr16(struct cpu *c, uint32_t lin, uint16_t v)
{
    struct tlb_entry *e = tlb_entry_for(c, lin);
    if (likely(e->tag_w == (lin & ~0xFFFu) && PAGE_FITS(lin, 2)))
        st16(tlb_host(e, lin), v);
    else
        mmu_lin_write_slow(c, lin, v, 2);
}
static inline void lin_wr32(struct cpu *c, uint32_t lin, uint32_t v)
{
    struct tlb_entry *e = tlb_entry_for(c, lin);
    if (likely(e->tag_w == (lin & ~0xFFFu) && PAGE_FITS(lin, 4)))
        st32(tlb_host(e, lin), v);
    else
        mmu_lin_write_slow(c, lin, v, 4);
}

/* Segment-relative accesses. */
static inline uint8_t cpu_rd8(struct cpu *c, int sreg, uint32_t off)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off <= s->fast_limit))
        return lin_rd8(c, s->base + off);
    return (uint8_t)mmu_read_slow(c, sreg, off, 1);
}
static inline uint16_t cpu_rd16(struct cpu *c, int sreg, uint32_t off)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off + 1 <= s->fast_limit))
        return lin_rd16(c, s->base + off);
    return (uint16_t)mmu_read_slow(c, sreg, off, 2);
}
static inline uint32_t cpu_rd32(struct cpu *c, int sreg, uint32_t off)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off + 3 <= s->fast_limit))
        return lin_rd32(c, s->base + off);
    return mmu_read_slow(c, sreg, off, 4);
}
static inline void cpu_wr8(struct cpu *c, int sreg, uint32_t off, uint8_t v)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off <= s->fast_limit_w))
        lin_wr8(c, s->base + off, v);
    else
        mmu_write_slow(c, sreg, off, v, 1);
}
static inline void cpu_wr16(struct cpu *c, int sreg, uint32_t off, uint16_t v)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off + 1 <= s->fast_limit_w))
        lin_wr16(c, s->base + off, v);
    else
        mmu_write_slow(c, sreg, off, v, 2);
}
static inline void cpu_wr32(struct cpu *c, int sreg, uint32_t off, uint32_t v)
{
    const struct seg *s = &c->seg[sreg];
    if (likely((int64_t)off + 3 <= s->fast_limit_w))
        lin_wr32(c, s->base + off, v);
    else
        mmu_write_slow(c, sreg, off, v, 4);
}

#endif

/* Decoded-block cache: blocks of decoded instructions keyed by the
 * physical address of their first byte plus mode bits.  This is what the
 * interpreter runs and what the JIT will translate.
 *
 * Self-modifying code: every RAM page keeps a bitmap of the 128-byte
 * chunks that hold decoded code and a list of the blocks on it.  A guest
 * write to such a chunk (always a slow-path write, see mmu/tlb.h)
 * invalidates the blocks it overlaps.
 *
 * Blocks live in one arena; when it fills up, everything is flushed at
 * the next block boundary (never while a block is running).
 */
#ifndef PCVM_BLOCKCACHE_H
#define PCVM_BLOCKCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cpu/insn.h"

#define BLOCK_MAX_INSNS 64
#define BC_NO_PAGE 0xFFFFFFFFu

struct block {
    uint32_t phys;            /* physical address of the first byte */
    uint32_t key;             /* mode bits it was decoded for */
    uint32_t page2;           /* physical page of a straddling last instruction, or BC_NO_PAGE */
    uint32_t bytes;           /* guest bytes covered */
    uint32_t eip_end;         /* EIP after the last instruction (for limit checks) */
    uint32_t eip;             /* EIP of the first instruction */
    uint16_t n;               /* instructions */
    uint8_t dead;             /* invalidated: never run again */
    uint8_t chainable;        /* ends with a near branch or falls through:
                                 CS, mode and paging are as they were */
    /* Successor cache: the blocks that ran after this one (taken and
     * fall-through), found without a lookup while `chainable`.  Only
     * valid until the next flush, which discards every block at once. */
    struct block *succ[2];
    uint32_t succ_eip[2];
    uint32_t succ_next;       /* slot to replace next */
    struct block *hnext;      /* hash chain */
    struct block *pnext[2];   /* page lists: [0] first page, [1] page2 */
    struct insn insn[];       /* n decoded instructions */
};

struct bc_page {
    struct block *head;       /* blocks whose first or second page this is */
    uint32_t codemask;        /* 128-byte chunks holding decoded code */
};

#define BC_FAST_SIZE 4096u

struct blockcache {
    /* Direct-mapped front of the hash table: most lookups end here. */
    struct block *fast[BC_FAST_SIZE];
    struct block **hash;
    uint32_t hash_mask;
    uint8_t *arena;
    size_t arena_size, arena_used;
    struct bc_page *pages;    /* one per RAM page */
    uint32_t npages;
    /* statistics */
    uint64_t blocks_built, flushes, invalidations;
};

bool blockcache_init(struct blockcache *bc, uint32_t ram_size);
void blockcache_free(struct blockcache *bc);
void blockcache_flush(struct blockcache *bc);

struct block *blockcache_find(struct blockcache *bc, uint32_t phys, uint32_t key);
static inline uint32_t blockcache_fast_index(uint32_t phys)
{
    return (phys ^ (phys >> 12)) & (BC_FAST_SIZE - 1);
}

/* blockcache_find with the direct-mapped front: the hot-path lookup. */
static inline struct block *blockcache_lookup(struct blockcache *bc, uint32_t phys, uint32_t key)
{
    struct block **slot = &bc->fast[blockcache_fast_index(phys)];
    struct block *b = *slot;
    if (b && b->phys == phys && b->key == key && !b->dead)
        return b;
    b = blockcache_find(bc, phys, key);
    if (b)
        *slot = b;
    return b;
}

/* Space for a block of up to BLOCK_MAX_INSNS instructions, or NULL when
 * the arena is full (the caller flushes and tries again). */
struct block *blockcache_alloc(struct blockcache *bc);
/* Publishes a block filled in by the decoder (shrinks its arena use to n
 * instructions, links it in the hash and page lists). */
void blockcache_insert(struct blockcache *bc, struct block *b);

/* True when a write to [phys, phys+n) must go to blockcache_write. */
static inline bool blockcache_page_has_code(const struct blockcache *bc, uint32_t phys)
{
    uint32_t p = phys >> 12;
    return p < bc->npages && bc->pages[p].codemask != 0;
}
/* A guest write to [phys, phys+n): invalidates overlapped blocks.  Returns
 * true when `running` (may be NULL) was one of them. */
bool blockcache_write(struct blockcache *bc, uint32_t phys, unsigned n,
                      const struct block *running);

#endif

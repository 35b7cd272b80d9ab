#include "blockcache.h"

#include <stdlib.h>
#include <string.h>

#define HASH_BITS 15
#define ARENA_SIZE (8u << 20)
#define CHUNK_SHIFT 7 /* 128-byte chunks: 32 per page */

static uint32_t hash_of(uint32_t phys, uint32_t key, uint32_t mask)
{
    uint32_t h = phys ^ (key << 28);
    h ^= h >> 15;
    h *= 0x2c1b3c6dU;
    h ^= h >> 12;
    return h & mask;
}

bool blockcache_init(struct blockcache *bc, uint32_t ram_size)
{
    memset(bc, 0, sizeof *bc);
    bc->hash_mask = (1u << HASH_BITS) - 1;
    bc->hash = calloc(1u << HASH_BITS, sizeof *bc->hash);
    bc->arena_size = ARENA_SIZE;
    bc->arena = malloc(bc->arena_size);
    bc->npages = (ram_size + 4095) >> 12;
    bc->pages = calloc(bc->npages ? bc->npages : 1, sizeof *bc->pages);
    if (!bc->hash || !bc->arena || !bc->pages) {
        blockcache_free(bc);
        return false;
    }
    return true;
}

void blockcache_free(struct blockcache *bc)
{
    free(bc->hash);
    free(bc->arena);
    free(bc->pages);
    memset(bc, 0, sizeof *bc);
}

void blockcache_flush(struct blockcache *bc)
{
    memset(bc->fast, 0, sizeof bc->fast);
    memset(bc->hash, 0, (bc->hash_mask + 1) * sizeof *bc->hash);
    memset(bc->pages, 0, bc->npages * sizeof *bc->pages);
    bc->arena_used = 0;
    bc->flushes++;
}

struct block *blockcache_find(struct blockcache *bc, uint32_t phys, uint32_t key)
{
    struct block *b = bc->hash[hash_of(phys, key, bc->hash_mask)];
    while (b && (b->phys != phys || b->key != key))
        b = b->hnext;
    return b;
}

static size_t block_size(unsigned n)
{
    size_t sz = sizeof(struct block) + n * sizeof(struct insn);
    return (sz + 15) & ~(size_t)15;
}

struct block *blockcache_alloc(struct blockcache *bc)
{
    if (bc->arena_used + block_size(BLOCK_MAX_INSNS) > bc->arena_size)
        return NULL;
    struct block *b = (struct block *)(bc->arena + bc->arena_used);
    memset(b, 0, sizeof *b);
    b->page2 = BC_NO_PAGE;
    return b;
}

static uint32_t chunk_mask(uint32_t first, uint32_t last)
{
    /* first/last are byte offsets within one page, first <= last */
    uint32_t a = first >> CHUNK_SHIFT, z = last >> CHUNK_SHIFT;
    uint32_t hi = z >= 31 ? 0xFFFFFFFFu : ((2u << z) - 1);
    return hi & ~((1u << a) - 1);
}

static void add_to_page(struct blockcache *bc, struct block *b, int which,
                        uint32_t page, uint32_t first, uint32_t last)
{
    if (page >= bc->npages)
        return; /* ROM or device memory: never written by the guest */
    struct bc_page *p = &bc->pages[page];
    b->pnext[which] = p->head;
    p->head = b;
    p->codemask |= chunk_mask(first, last);
}

void blockcache_insert(struct blockcache *bc, struct block *b)
{
    bc->arena_used += block_size(b->n);
    uint32_t h = hash_of(b->phys, b->key, bc->hash_mask);
    b->hnext = bc->hash[h];
    bc->hash[h] = b;
    bc->fast[blockcache_fast_index(b->phys)] = b;
    bc->blocks_built++;

    uint32_t start = b->phys, end = b->phys + b->bytes - 1;
    if (b->page2 == BC_NO_PAGE) {
        add_to_page(bc, b, 0, start >> 12, start & 0xFFF, end & 0xFFF);
    } else {
        add_to_page(bc, b, 0, start >> 12, start & 0xFFF, 0xFFF);
        /* bytes beyond the first page continue at page2 */
        uint32_t rest = end - ((start | 0xFFF));
        add_to_page(bc, b, 1, b->page2 >> 12, 0, rest - 1);
    }
}

static void unhash(struct blockcache *bc, struct block *b)
{
    struct block **pp = &bc->hash[hash_of(b->phys, b->key, bc->hash_mask)];
    while (*pp && *pp != b)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = b->hnext;
}

/* Byte range [lo, hi] of `b` that lies on physical page `page`. */
static void block_range_on(const struct block *b, uint32_t page,
                           uint32_t *lo, uint32_t *hi)
{
    uint32_t first_page = b->phys >> 12;
    uint32_t first_len = b->page2 == BC_NO_PAGE ? b->bytes : 0x1000 - (b->phys & 0xFFF);
    if (page == first_page) {
        *lo = b->phys;
        *hi = b->phys + first_len - 1;
    } else {
        *lo = b->page2;
        *hi = b->page2 + (b->bytes - first_len) - 1;
    }
}

bool blockcache_write(struct blockcache *bc, uint32_t phys, unsigned n,
                      const struct block *running)
{
    uint32_t page = phys >> 12;
    if (page >= bc->npages)
        return false;
    struct bc_page *p = &bc->pages[page];
    uint32_t wlo = phys, whi = phys + n - 1;
    if ((whi >> 12) != page)
        whi = phys | 0xFFF; /* the caller splits page-crossing writes */
    if (!(p->codemask & chunk_mask(wlo & 0xFFF, whi & 0xFFF)))
        return false;

    bool hit_running = false;
    uint32_t mask = 0;
    struct block **pp = &p->head;
    while (*pp) {
        struct block *b = *pp;
        int which = (b->phys >> 12) == page ? 0 : 1;
        uint32_t lo, hi;
        block_range_on(b, page, &lo, &hi);
        if (!b->dead && lo <= whi && wlo <= hi) {
            b->dead = 1;
            unhash(bc, b);
            bc->invalidations++;
            if (b == running)
                hit_running = true;
        }
        if (b->dead) {
            *pp = b->pnext[which]; /* drop from this page's list */
            continue;
        }
        mask |= chunk_mask(lo & 0xFFF, hi & 0xFFF);
        pp = &b->pnext[which];
    }
    p->codemask = mask;
    return hit_running;
}

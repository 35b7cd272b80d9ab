/* Slow paths of guest memory access: segment limits, 8086 wrap-around,
 * linear -> physical translation (the page walk is in paging.c), TLB
 * fills, #PF, page crossing, and writes that touch decoded code. */
#include "mem.h"

#include "../cpu/debug.h"
#include "../cpu/debughook.h"
#include "../jit/blockcache.h"

void tlb_flush(struct cpu *c)
{
    for (unsigned u = 0; u < 2; u++)
        for (unsigned k = 0; k < TLB_SIZE; k++) {
            struct tlb_entry *e = &c->tlb.e[u][k];
            e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
            e->info = 0;
        }
    c->tlb.nlarge = 0;
    c->tlb.bus_generation = c->bus->map_generation;
}

void tlb_protect_code_page(struct cpu *c, uint32_t phys_page)
{
    for (unsigned u = 0; u < 2; u++)
        for (unsigned k = 0; k < TLB_SIZE; k++)
            if (c->tlb.e[u][k].phys == phys_page)
                c->tlb.e[u][k].tag_w = TLB_INVALID;
}

bool mmu_translate(struct cpu *c, uint32_t lin, unsigned acc, uint32_t *phys)
{
    if (!paging_on(c)) {
        /* The linear address cut to the address bus and A20. */
        *phys = lin & c->a20_mask;
        return true;
    }
    struct pg_result r;
    uint32_t err;
    if (!paging_walk(c, lin, acc, false, &r, &err))
        return false;
    *phys = r.phys;
    return true;
}

/* Fills the TLB entry of set `set` for linear `lin` after an access that
 * is allowed, from the walk result `r` (NULL without paging).  The tags
 * say what that privilege may do on the page without a walk: reads if
 * the walk succeeded (reads are the least right), writes only once the
 * dirty bit is set and never to code pages, ROM or MMIO, fetches unless
 * NX. */
static void tlb_fill(struct cpu *c, unsigned set, uint32_t lin, uint32_t phys,
                     const struct pg_result *r)
{
    bool writable;
    uint8_t *host = bus_page_ptr(c->bus, phys & ~0xFFFu, &writable);
    struct tlb_entry *e = tlb_entry_in(c, set, lin);
    /* Debugger watchpoints: pages they cover stay out of the TLB so every
     * access reaches the checks below (frontends/debugger/core.c). */
    if (unlikely(c->dbg != NULL) && c->dbg->watch_on &&
        c->dbg->page_watched(c->dbg->opaque, lin & ~0xFFFu, phys & ~0xFFFu))
        host = NULL;
    if (!host) {
        e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
        return;
    }
    uint32_t lpage = lin & ~0xFFFu;
    bool w = writable && !blockcache_page_has_code(c->bc, phys);
    bool x = true;
    e->info = 0;
    if (r) {
        bool may_write = set == TLB_USER ? r->rw : (r->rw || !(c->cr[0] & CR0_WP));
        w = w && may_write && r->dirty;
        x = !r->nx;
        e->info = (r->global ? TLBI_GLOBAL : 0) | r->span;
        if (r->span)
            c->tlb.nlarge++;
    }
    e->phys = phys & ~0xFFFu;
    e->addend = (uintptr_t)host - (uintptr_t)lpage;
    e->tag_r = lpage;
    e->tag_w = w ? lpage : TLB_INVALID;
    e->tag_x = x ? lpage : TLB_INVALID;
}

/* The translation for an access that is about to happen: sets A/D bits,
 * raises #PF (CR2 = the faulting linear address), fills the TLB. */
static uint32_t translate_access(struct cpu *c, uint32_t lin, unsigned acc, bool fill)
{
    if (c->tlb.bus_generation != c->bus->map_generation)
        tlb_flush(c);
    unsigned set = mmu_user_access(c, acc) ? TLB_USER : TLB_SUP;
    if (!paging_on(c)) {
        uint32_t phys = lin & c->a20_mask;
        if (fill)
            tlb_fill(c, set, lin, phys, NULL);
        return phys;
    }
    struct pg_result r;
    uint32_t err;
    if (!paging_walk(c, lin, acc, true, &r, &err)) {
        c->cr[2] = lin;
        cpu_raise_err(c, EX_PF, err);
    }
    if (fill)
        tlb_fill(c, set, lin, r.phys, &r);
    return r.phys;
}

bool mmu_code_fill(struct cpu *c, uint32_t lin, uint32_t *phys)
{
    if (paging_on(c)) {
        struct pg_result r;
        uint32_t err;
        if (!paging_walk(c, lin, MMU_FETCH, false, &r, &err))
            return false;
    }
    *phys = translate_access(c, lin, MMU_FETCH, true);
    return true;
}

uint32_t mmu_lin_read_slow(struct cpu *c, uint32_t lin, unsigned n, unsigned acc)
{
    if (!PAGE_FITS(lin, n)) {
        /* Byte by byte: a fault on the second page has CR2 = its first
         * byte. */
        uint32_t v = 0;
        for (unsigned k = 0; k < n; k++)
            v |= (uint32_t)((acc & MMU_SYS) ? lin_rd8(c, lin + k) : dlin_rd8(c, lin + k)) << (8 * k);
        return v;
    }
    uint32_t phys = translate_access(c, lin, acc, true);
    uint32_t v = bus_read(c->bus, phys, n);
    if (unlikely(c->dbg != NULL) && c->dbg->watch_on) /* debugger watchpoints */
        c->dbg->on_access(c->dbg->opaque, lin, phys, n, false, v);
    return v;
}

static void write_phys(struct cpu *c, uint32_t phys, uint32_t v, unsigned n)
{
    if (blockcache_page_has_code(c->bc, phys) &&
        blockcache_write(c->bc, phys, n, c->cur_block))
        c->attention |= ATT_SMC;
    bus_write(c->bus, phys, v, n);
}

void mmu_phys_write(struct cpu *c, uint32_t phys, uint32_t v, unsigned n)
{
    write_phys(c, phys, v, n);
}

void mmu_lin_write_slow(struct cpu *c, uint32_t lin, uint32_t v, unsigned n, unsigned acc)
{
    acc |= MMU_WRITE;
    if (!PAGE_FITS(lin, n)) {
        /* Translate both pages before writing either, so a fault on the
         * second page leaves memory untouched (CR2 = its first byte). */
        uint32_t first = 0x1000 - (lin & 0xFFF);
        uint32_t p0 = translate_access(c, lin, acc, false);
        uint32_t p1 = translate_access(c, lin + first, acc, false);
        for (unsigned k = 0; k < n; k++)
            write_phys(c, k < first ? p0 + k : p1 + (k - first), (v >> (8 * k)) & 0xFF, 1);
        return;
    }
    uint32_t phys = translate_access(c, lin, acc, true);
    if (unlikely(c->dbg != NULL) && c->dbg->watch_on) /* debugger watchpoints */
        c->dbg->on_access(c->dbg->opaque, lin, phys, n, true, v);
    write_phys(c, phys, v, n);
}

/* An instruction byte the TLB could not give: walk for a fetch at the
 * CPL (U/S, NX with the I/D error bit), fault or fill. */
uint8_t mmu_fetch_slow(struct cpu *c, uint32_t lin)
{
    uint32_t phys = translate_access(c, lin, MMU_FETCH, true);
    return (uint8_t)bus_read(c->bus, phys, 1);
}

/* A segment access that missed the fast path: decide between a limit
 * fault and a legal access that needs care. */
static _Noreturn void seg_fault(struct cpu *c, int sreg)
{
    /* In real mode the 80286 reports every segment overrun, the stack
     * segment's included, as interrupt 13 (as the SingleStepTests 80286
     * data, captured from a real chip, show); protected mode and the
     * 386 and later raise #SS for SS. */
    bool ss = sreg == S_SS && (cpu_pe(c) || c->model->gen >= GEN_80386);
    cpu_raise_err(c, ss ? EX_SS : EX_GP, 0);
}

/* Is [off, off+n) inside segment s?  (SDM Vol. 3 5.3: expand-down
 * segments allow offsets above the limit up to 0xFFFF or 0xFFFFFFFF.) */
static bool seg_in_limit(const struct seg *s, uint32_t off, unsigned n)
{
    uint64_t last = (uint64_t)off + n - 1;
    bool data = (s->ar & 0x18) == 0x10;      /* S=1, code bit clear */
    if (data && (s->ar & 0x04)) {            /* expand-down */
        uint64_t upper = (s->ar & 0x4000) ? 0xFFFFFFFFu : 0xFFFFu;
        return off > s->limit && last <= upper;
    }
    return last <= s->limit;
}

/* 8086/80186: a word at offset 0xFFFF takes its high byte from offset 0
 * of the same segment (no segment-overrun exception on those chips). */
static bool wraps_8086(const struct cpu *c, const struct seg *s, uint32_t off, unsigned n)
{
    return c->model->seg_wrap && !cpu_pe(c) && s->limit == 0xFFFF &&
           off <= 0xFFFF && off + n - 1 > 0xFFFF;
}

uint32_t mmu_read_slow(struct cpu *c, int sreg, uint32_t off, unsigned n)
{
    const struct seg *s = &c->seg[sreg];
    if (wraps_8086(c, s, off, n)) {
        uint32_t v = 0;
        for (unsigned k = 0; k < n; k++)
            v |= (uint32_t)dlin_rd8(c, s->base + ((off + k) & 0xFFFF)) << (8 * k);
        return v;
    }
    /* Protected mode: a null (unusable) segment or execute-only code
     * cannot be read (SDM Vol. 3 5.4, 3.4.2). */
    if (cpu_pe(c) && !cpu_vm86(c) && (!(s->ar & 0x80) || (s->ar & 0x1A) == 0x18))
        seg_fault(c, sreg);
    if (!seg_in_limit(s, off, n))
        seg_fault(c, sreg);
    uint32_t lin = s->base + off;
    if (unlikely(debug_mem_checks(c)))
        dbg_data_access(c, lin, n, false);   /* #AC, data breakpoints (cpu/debug.c) */
    switch (n) {
    case 1: return dlin_rd8(c, lin);
    case 2: return dlin_rd16(c, lin);
    default: return dlin_rd32(c, lin);
    }
}

void mmu_write_slow(struct cpu *c, int sreg, uint32_t off, uint32_t v, unsigned n)
{
    const struct seg *s = &c->seg[sreg];
    if (wraps_8086(c, s, off, n)) {
        for (unsigned k = 0; k < n; k++)
            dlin_wr8(c, s->base + ((off + k) & 0xFFFF), (uint8_t)(v >> (8 * k)));
        return;
    }
    /* Protected mode: only writable data segments take writes (SDM Vol. 3 5.4). */
    if (cpu_pe(c) && !cpu_vm86(c) && (s->ar & 0x1A) != 0x12)
        seg_fault(c, sreg);
    if (!seg_in_limit(s, off, n))
        seg_fault(c, sreg);
    uint32_t lin = s->base + off;
    if (unlikely(debug_mem_checks(c)))
        dbg_data_access(c, lin, n, true);    /* #AC, data breakpoints (cpu/debug.c) */
    switch (n) {
    case 1: dlin_wr8(c, lin, (uint8_t)v); break;
    case 2: dlin_wr16(c, lin, (uint16_t)v); break;
    default: dlin_wr32(c, lin, v); break;
    }
}

uint8_t cpu_fetch8(struct cpu *c, uint32_t off)
{
    const struct seg *s = &c->seg[S_CS];
    if (!cpu_code32(c) && c->model->seg_wrap)
        off &= 0xFFFF;
    if (off > s->limit)
        cpu_raise_err(c, EX_GP, 0);
    uint32_t lin = s->base + off;
    struct tlb_entry *e = tlb_entry_for(c, lin);
    if (likely(e->tag_x == (lin & ~0xFFFu)))
        return *tlb_host(e, lin);
    return mmu_fetch_slow(c, lin);
}

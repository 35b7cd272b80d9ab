/* Paging: the page walk, control-register effects, INVLPG, EFER, A20
 * (SDM Vol. 3 ch. 4; see paging.h). */
#include "paging.h"

#include "../bus/bus.h"
#include "mem.h"

/* Page-table entry bits. */
enum {
    PTE_P = 1u << 0, PTE_RW = 1u << 1, PTE_US = 1u << 2, PTE_A = 1u << 5,
    PTE_D = 1u << 6, PTE_PS = 1u << 7, PTE_G = 1u << 8,
};

/* MAXPHYADDR of the P6 family with PAE: 36 bits (SDM Vol. 3 4.1.4; the
 * Pentium II has 36 address pins).  Entry bits 62:36 are reserved. */
#define PAE_ADDR_MASK UINT64_C(0x0000000FFFFFF000)
#define PAE_RSVD_HI UINT64_C(0x7FFFFFF000000000)
#define PAE_XD (UINT64_C(1) << 63)

static inline uint32_t cut_a20(const struct cpu *c, uint64_t phys)
{
    /* pcvm's bus has 32 address bits: a PAE frame above 4 GiB wraps
     * (no pcvm machine has memory there). */
    return (uint32_t)phys & c->a20_mask;
}

static uint32_t rd32(struct cpu *c, uint32_t addr)
{
    return bus_read(c->bus, addr & c->a20_mask, 4);
}

static uint64_t rd64(struct cpu *c, uint64_t addr)
{
    uint32_t a = cut_a20(c, addr);
    return (uint64_t)bus_read(c->bus, a, 4) | (uint64_t)bus_read(c->bus, a + 4, 4) << 32;
}

/* Sets `bits` in the (low dword of the) entry at `addr` unless already
 * set.  The entry goes through the code-invalidation path: a page table
 * may share a page with decoded code. */
static void set_bits(struct cpu *c, uint32_t addr, uint32_t old, uint32_t bits)
{
    if ((old & bits) != bits)
        mmu_phys_write(c, addr & c->a20_mask, old | bits, 4);
}

static inline bool nxe(const struct cpu *c)
{
    return c->model->nx && (c->msr_efer & EFER_NXE);
}

/* Reserved-bit mask of a PAE PDE/PTE.  No pcvm model has the PAT, so bit
 * 12 of a large-page PDE and bit 7 of a PTE are reserved (SDM Vol. 3
 * 4.4.2: "If the PAT is not supported ..."), as are bits 20:13 of a
 * 2 MiB PDE; bit 63 unless EFER.NXE = 1. */
static uint64_t pae_rsvd(const struct cpu *c, int level_large_or_pte)
{
    uint64_t m = PAE_RSVD_HI | (nxe(c) ? 0 : PAE_XD);
    if (level_large_or_pte == 1)      /* 2 MiB PDE */
        m |= 0x1FF000u;
    else if (level_large_or_pte == 2) /* PTE */
        m |= PTE_PS;
    return m;
}

bool paging_walk(struct cpu *c, uint32_t lin, unsigned acc, bool commit,
                 struct pg_result *r, uint32_t *err)
{
    bool user = mmu_user_access(c, acc);
    bool write = (acc & MMU_WRITE) != 0;
    bool fetch = (acc & MMU_FETCH) != 0;
    /* Error code bits that describe the access (SDM Vol. 3 4.7). */
    uint32_t ec = (write ? PF_W : 0) | (user ? PF_U : 0) | (fetch && nxe(c) ? PF_I : 0);
    uint32_t cr4 = c->cr[4];
    bool pge = (cr4 & CR4_PGE_BIT) != 0;

    uint32_t e1_addr, e2_addr = 0;   /* directory entry, final entry */
    uint32_t e1, e2 = 0;             /* their low dwords */
    bool large, nx = false;
    uint64_t frame;
    uint32_t span;

    if (cr4 & CR4_PAE_BIT) {
        uint64_t pdpte = c->tlb.pdpte[lin >> 30];
        if (!(pdpte & PTE_P))
            goto not_present;
        e1_addr = cut_a20(c, (pdpte & PAE_ADDR_MASK) | ((lin >> 18) & 0xFF8u));
        uint64_t pde = rd64(c, e1_addr);
        e1 = (uint32_t)pde;
        if (!(pde & PTE_P))
            goto not_present;
        large = (pde & PTE_PS) != 0;
        if (pde & pae_rsvd(c, large ? 1 : 0))
            goto reserved;
        nx = (pde & PAE_XD) != 0;
        if (large) {
            frame = (pde & PAE_ADDR_MASK & ~UINT64_C(0x1FFFFF)) | (lin & 0x1FFFFFu);
            span = 0x1FF000u;
        } else {
            e2_addr = cut_a20(c, (pde & PAE_ADDR_MASK) | ((lin >> 9) & 0xFF8u));
            uint64_t pte = rd64(c, e2_addr);
            e2 = (uint32_t)pte;
            if (!(pte & PTE_P))
                goto not_present;
            if (pte & pae_rsvd(c, 2))
                goto reserved;
            nx = nx || (pte & PAE_XD);
            frame = (pte & PAE_ADDR_MASK) | (lin & 0xFFFu);
            span = 0;
        }
    } else {
        e1_addr = (c->cr[3] & 0xFFFFF000u) | ((lin >> 20) & 0xFFCu);
        e1 = rd32(c, e1_addr);
        if (!(e1 & PTE_P))
            goto not_present;
        large = (e1 & PTE_PS) && (cr4 & CR4_PSE_BIT);
        if (large) {
            /* 4 MiB page.  Without PSE-36 and PAT (no pcvm model has
             * them) bits 21:12 are reserved, checked because CR4.PSE = 1
             * (SDM Vol. 3 4.3: reserved bits exist only then). */
            if (e1 & 0x3FF000u)
                goto reserved;
            frame = (e1 & 0xFFC00000u) | (lin & 0x3FFFFFu);
            span = 0x3FF000u;
        } else {
            e2_addr = (e1 & 0xFFFFF000u) | ((lin >> 10) & 0xFFCu);
            e2 = rd32(c, e2_addr);
            if (!(e2 & PTE_P))
                goto not_present;
            /* PTE bit 7 (PAT) is reserved without the PAT, checked when
             * CR4.PSE = 1 (SDM Vol. 3 4.3). */
            if ((e2 & PTE_PS) && (cr4 & CR4_PSE_BIT))
                goto reserved;
            frame = (e2 & 0xFFFFF000u) | (lin & 0xFFFu);
            span = 0;
        }
    }
    nx = nx && nxe(c);

    /* Rights are the AND of every level's R/W and U/S (SDM Vol. 3 4.6). */
    uint32_t fin = large ? e1 : e2;
    uint32_t both = large ? e1 : (e1 & e2);
    bool us = (both & PTE_US) != 0, rw = (both & PTE_RW) != 0;
    if (user && !us)
        goto protection;
    if (write && !rw && (user || (c->cr[0] & CR0_WP)))
        goto protection;
    if (fetch && nx)
        goto protection;

    if (commit) {
        /* A on every level walked, D on the final entry for a write
         * (SDM Vol. 3 4.8).  The PDPTE registers have no A bit. */
        set_bits(c, e1_addr, e1, PTE_A | (large && write ? PTE_D : 0));
        if (!large)
            set_bits(c, e2_addr, e2, PTE_A | (write ? PTE_D : 0));
        if (write)
            fin |= PTE_D;
    }
    r->phys = cut_a20(c, frame);
    r->span = span;
    r->user = us;
    r->rw = rw;
    r->nx = nx;
    r->global = pge && (fin & PTE_G);
    r->dirty = (fin & PTE_D) != 0;
    return true;

not_present:
    *err = ec;
    return false;
reserved:
    *err = ec | PF_P | PF_RSVD;
    return false;
protection:
    *err = ec | PF_P;
    return false;
}

/* ---------------- control registers ---------------- */

/* Reserved bits of a PDPTE: 2:1, 8:5 and 63:36 (SDM Vol. 3 4.4.1, P6
 * MAXPHYADDR 36). */
#define PDPTE_RSVD (UINT64_C(0xFFFFFFF000000000) | 0x1E6u)

/* Reads the four PDPTEs at CR3 value `cr3` into `out`; false when a
 * present one sets a reserved bit (the MOV that loads them is #GP(0)). */
static bool read_pdptes(struct cpu *c, uint32_t cr3, uint64_t out[4])
{
    uint32_t base = cr3 & 0xFFFFFFE0u;
    for (unsigned k = 0; k < 4; k++) {
        out[k] = rd64(c, base + 8 * k);
        if ((out[k] & PTE_P) && (out[k] & PDPTE_RSVD))
            return false;
    }
    return true;
}

static bool pae_paging(uint32_t cr0, uint32_t cr4)
{
    return (cr0 & CR0_PG) && (cr4 & CR4_PAE_BIT);
}

/* Loads the PDPTE registers for CR3/CR0/CR4 values about to be written,
 * or raises #GP(0) leaving everything as it was. */
static void load_pdptes_or_gp(struct cpu *c, uint32_t cr3)
{
    uint64_t p[4];
    if (!read_pdptes(c, cr3, p))
        cpu_raise_err(c, EX_GP, 0);
    for (unsigned k = 0; k < 4; k++)
        c->tlb.pdpte[k] = p[k];
}

void mmu_write_cr0(struct cpu *c, uint32_t v)
{
    uint32_t old = c->cr[0];
    /* PDPTEs are loaded when a MOV to CR0 turns PAE paging on (SDM Vol. 3
     * 4.4.1). */
    if (pae_paging(v, c->cr[4]) && !(old & CR0_PG))
        load_pdptes_or_gp(c, c->cr[3]);
    c->cr[0] = v;
    if ((old ^ v) & (CR0_PE | CR0_PG | CR0_WP)) {
        tlb_flush(c);
        c->attention |= ATT_MODE;
    }
}

uint32_t mmu_cr3_mask(const struct cpu *c)
{
    /* PAE models keep bits 31:5 (the PDPT address) and PWT/PCD; the
     * 486 and Pentium keep PWT/PCD and the page-directory address; the
     * 386 only the address. */
    if (c->model->cr4_writable & CR4_PAE_BIT)
        return 0xFFFFFFF8u;
    return c->model->gen >= GEN_80486 ? 0xFFFFF018u : 0xFFFFF000u;
}

bool mmu_load_cr3(struct cpu *c, uint32_t v)
{
    v &= mmu_cr3_mask(c);
    if (pae_paging(c->cr[0], c->cr[4])) {
        uint64_t p[4];
        if (!read_pdptes(c, v, p))
            return false;
        for (unsigned k = 0; k < 4; k++)
            c->tlb.pdpte[k] = p[k];
    }
    c->cr[3] = v;
    tlb_flush_nonglobal(c);
    c->attention |= ATT_MODE;
    return true;
}

void mmu_write_cr3(struct cpu *c, uint32_t v)
{
    if (!mmu_load_cr3(c, v))
        cpu_raise_err(c, EX_GP, 0);
}

void mmu_write_cr4(struct cpu *c, uint32_t v)
{
    uint32_t old = c->cr[4];
    uint32_t chg = old ^ v;
    /* A MOV to CR4 that changes PAE, PGE or PSE under PAE paging loads
     * the PDPTEs (SDM Vol. 3 4.4.1). */
    if (pae_paging(c->cr[0], v) && (chg & (CR4_PAE_BIT | CR4_PGE_BIT | CR4_PSE_BIT)))
        load_pdptes_or_gp(c, c->cr[3]);
    c->cr[4] = v;
    /* Changing PGE, PSE or PAE invalidates every TLB entry, the global
     * ones included (SDM Vol. 3 4.10.4.1). */
    if (chg & (CR4_PSE_BIT | CR4_PAE_BIT | CR4_PGE_BIT)) {
        tlb_flush(c);
        c->attention |= ATT_MODE;
    }
}

/* ---------------- TLB invalidation ---------------- */

static inline void drop(struct tlb_entry *e)
{
    e->tag_r = e->tag_w = e->tag_x = TLB_INVALID;
}

void tlb_flush_nonglobal(struct cpu *c)
{
    if (!(c->cr[4] & CR4_PGE_BIT)) {
        tlb_flush(c);
        return;
    }
    for (unsigned u = 0; u < 2; u++)
        for (unsigned k = 0; k < TLB_SIZE; k++)
            if (!(c->tlb.e[u][k].info & TLBI_GLOBAL))
                drop(&c->tlb.e[u][k]);
}

void mmu_invlpg(struct cpu *c, uint32_t lin)
{
    uint32_t page = lin & ~0xFFFu;
    if (c->tlb.nlarge == 0) {
        /* Only 4 KiB pieces are cached: the page has one slot per set. */
        for (unsigned u = 0; u < 2; u++) {
            struct tlb_entry *e = &c->tlb.e[u][(lin >> 12) & (TLB_SIZE - 1)];
            if (e->tag_r == page)
                drop(e);
        }
    } else {
        /* Some entries are pieces of a large page: INVLPG of any address
         * in it drops the whole page (SDM Vol. 2 INVLPG). */
        for (unsigned u = 0; u < 2; u++)
            for (unsigned k = 0; k < TLB_SIZE; k++) {
                struct tlb_entry *e = &c->tlb.e[u][k];
                uint32_t keep = ~0xFFFu & ~(e->info & ~0xFFFu);
                if (e->tag_r != TLB_INVALID && ((e->tag_r ^ lin) & keep) == 0)
                    drop(e);
            }
    }
    c->attention |= ATT_MODE;
}

/* ---------------- EFER ---------------- */

bool mmu_efer_read(const struct cpu *c, uint64_t *v)
{
    if (!c->model->nx)
        return false;
    *v = c->msr_efer;
    return true;
}

bool mmu_efer_write(struct cpu *c, uint64_t v)
{
    /* Only NXE exists on a 32-bit model with NX (no SCE/LME/LMA). */
    if (!c->model->nx || (v & ~(uint64_t)EFER_NXE))
        return false;
    if ((c->msr_efer ^ v) & EFER_NXE) {
        tlb_flush(c);  /* the cached entries were filled under the old NXE */
        c->attention |= ATT_MODE;
    }
    c->msr_efer = v;
    return true;
}

/* ---------------- A20 ---------------- */

static uint32_t bus_mask(const struct cpu *c)
{
    unsigned bits = c->model->addr_bits;
    return bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
}

void a20_set(struct cpu *c, bool on)
{
    uint32_t m = bus_mask(c);
    /* The 8086 and 80186 have 20 address lines: nothing to gate. */
    if (c->model->addr_bits > 20 && !on)
        m &= ~(1u << 20);
    if (m != c->a20_mask) {
        c->a20_mask = m;
        tlb_flush(c);
        c->attention |= ATT_MODE;
    }
}

bool a20_enabled(const struct cpu *c)
{
    return c->model->addr_bits <= 20 || (c->a20_mask & (1u << 20)) != 0;
}

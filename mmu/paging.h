/* Paging (SDM Vol. 3 ch. 4): the page walk for 32-bit paging (4 KiB and,
 * with CR4.PSE, 4 MiB pages) and PAE paging (4 KiB and 2 MiB pages, the
 * NX bit with EFER.NXE), control-register and INVLPG effects on the TLB,
 * and the A20 gate.
 *
 * Used by mmu.c (the slow paths), cpu/exec_system.c (MOV CRn, INVLPG,
 * EFER), cpu/task.c (CR3 on a task switch) and the machine (A20).
 */
#ifndef PCVM_PAGING_H
#define PCVM_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "../cpu/cpu.h"

/* Kinds of access (mmu_translate's `acc`; true == MMU_WRITE, so callers
 * that pass a bool "write" keep working). */
enum {
    MMU_WRITE = 1u << 0,
    MMU_FETCH = 1u << 1,   /* instruction fetch: U/S at CPL, NX */
    MMU_SYS = 1u << 2,     /* implicit supervisor access (GDT, LDT, IDT, TSS) */
};

/* #PF error code bits (SDM Vol. 3 4.7). */
enum { PF_P = 1u << 0, PF_W = 1u << 1, PF_U = 1u << 2, PF_RSVD = 1u << 3, PF_I = 1u << 4 };

/* CR4 bits that paging looks at. */
enum { CR4_PSE_BIT = 1u << 4, CR4_PAE_BIT = 1u << 5, CR4_PGE_BIT = 1u << 7 };
/* IA32_EFER (MSR C000_0080) and its NXE bit. */
#define MSR_EFER 0xC0000080u
#define EFER_NXE (1u << 11)

/* What a successful walk found. */
struct pg_result {
    uint32_t phys;      /* physical address of the linear address (A20 applied) */
    uint32_t span;      /* large page: linear bits 12+ it covers (tlb.h info) */
    bool user;          /* U/S = 1 at every level */
    bool rw;            /* R/W = 1 at every level */
    bool nx;            /* XD = 1 at some level, with EFER.NXE = 1 */
    bool global;        /* G = 1 in the final entry, with CR4.PGE = 1 */
    bool dirty;         /* D = 1 in the final entry (after this access) */
};

static inline bool paging_on(const struct cpu *c) { return (c->cr[0] & CR0_PG) != 0; }

/* Is an access of kind `acc` at the current CPL a user-mode access?
 * (CPL 3, which V86 mode has; MMU_SYS accesses never are.) */
static inline bool mmu_user_access(const struct cpu *c, unsigned acc)
{
    return !(acc & MMU_SYS) && c->cpl == 3;
}

/* Walks the paging structures for linear `lin`.  On success fills *r and
 * returns true; when `commit`, sets the accessed bits on every level and
 * the dirty bit for a write (SDM Vol. 3 4.8), as the access is going to
 * happen.  On a fault returns false with the #PF error code in *err and
 * changes nothing. */
bool paging_walk(struct cpu *c, uint32_t lin, unsigned acc, bool commit,
                 struct pg_result *r, uint32_t *err);

/* A physical write by the MMU or the CPU that must keep decoded code
 * honest (mmu.c). */
void mmu_phys_write(struct cpu *c, uint32_t phys, uint32_t v, unsigned n);

/* Control registers.  Each does the whole architectural write of the
 * register (after the caller's own checks) and the TLB work it implies:
 *   mmu_write_cr0   flush on PG/WP/PE changes; loads the PDPTEs when PG
 *                   turns on under CR4.PAE (#GP(0) on reserved bits)
 *   mmu_write_cr3   PDPTEs under PAE paging (#GP(0)), flushes non-global
 *                   entries (all when CR4.PGE = 0)
 *   mmu_write_cr4   flush on PSE/PAE/PGE changes, PDPTE reload
 * mmu_load_cr3 is mmu_write_cr3 for a task switch: returns false instead
 * of raising when a PDPTE is bad (the caller picks the exception). */
void mmu_write_cr0(struct cpu *c, uint32_t v);
void mmu_write_cr3(struct cpu *c, uint32_t v);
bool mmu_load_cr3(struct cpu *c, uint32_t v);
void mmu_write_cr4(struct cpu *c, uint32_t v);
/* The CR3 bits a model keeps. */
uint32_t mmu_cr3_mask(const struct cpu *c);

/* INVLPG: drops the translations of the page holding `lin`, global or
 * not, large pages whole (SDM Vol. 2 INVLPG). */
void mmu_invlpg(struct cpu *c, uint32_t lin);
/* MOV CR3 semantics: drops every entry but the global ones (all when
 * CR4.PGE = 0).  For a task switch that changes CR3. */
void tlb_flush_nonglobal(struct cpu *c);

/* EFER: false when the model has no EFER or `v` sets a bit it lacks. */
bool mmu_efer_write(struct cpu *c, uint64_t v);
bool mmu_efer_read(const struct cpu *c, uint64_t *v);

/* A20 gate: on, physical addresses keep bit 20; off, bit 20 reads as 0
 * (the 8086 wrap at 1 MiB).  Flushes the TLB.  For port 0x92 and the
 * keyboard controller's output port. */
void a20_set(struct cpu *c, bool on);
bool a20_enabled(const struct cpu *c);

#endif

/* Protected-mode descriptors: reading GDT/LDT entries, decoding them, and
 * loading segment registers with the checks of the SDM (Vol. 3 ch. 3 and
 * 5; Vol. 2 MOV, POP, LDS/LES/LFS/LGS/LSS).
 *
 * A descriptor is kept as its two raw doublewords.  The segment cache's
 * `ar` field holds bits 8-23 of the high doubleword with the limit nibble
 * cleared: type (0-3), S (4), DPL (5-6), P (7), AVL (12), D/B (14), G (15).
 */
#ifndef PCVM_DESCRIPTOR_H
#define PCVM_DESCRIPTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"

struct desc {
    uint32_t lo, hi;
};

/* System descriptor types (S = 0), SDM Vol. 3 table 3-2. */
enum {
    DT_TSS16 = 1, DT_LDT = 2, DT_TSS16_BUSY = 3, DT_CALL16 = 4, DT_TASK = 5,
    DT_INT16 = 6, DT_TRAP16 = 7, DT_TSS32 = 9, DT_TSS32_BUSY = 11,
    DT_CALL32 = 12, DT_INT32 = 14, DT_TRAP32 = 15,
};

static inline uint32_t desc_base(const struct desc *d)
{
    return (d->lo >> 16) | ((d->hi & 0xFFu) << 16) | (d->hi & 0xFF000000u);
}
/* Byte-granular limit (G scales by 4 KiB and fills the low 12 bits). */
static inline uint32_t desc_limit(const struct desc *d)
{
    uint32_t l = (d->lo & 0xFFFFu) | (d->hi & 0xF0000u);
    return (d->hi & 0x800000u) ? (l << 12) | 0xFFFu : l;
}
static inline uint32_t desc_ar(const struct desc *d) { return (d->hi >> 8) & 0xF0FFu; }
static inline unsigned desc_dpl(const struct desc *d) { return (d->hi >> 13) & 3; }
static inline bool desc_present(const struct desc *d) { return (d->hi & 0x8000u) != 0; }
static inline bool desc_is_seg(const struct desc *d) { return (d->hi & 0x1000u) != 0; }   /* S = 1 */
static inline unsigned desc_type(const struct desc *d) { return (d->hi >> 8) & 0xF; }
static inline bool desc_is_code(const struct desc *d) { return desc_is_seg(d) && (d->hi & 0x800u); }
static inline bool desc_is_data(const struct desc *d) { return desc_is_seg(d) && !(d->hi & 0x800u); }
static inline bool desc_conforming(const struct desc *d) { return desc_is_code(d) && (d->hi & 0x400u); }
static inline bool desc_readable(const struct desc *d) { return desc_is_data(d) || (d->hi & 0x200u); }
static inline bool desc_writable(const struct desc *d) { return desc_is_data(d) && (d->hi & 0x200u); }
/* Gate fields. */
static inline uint16_t gate_sel(const struct desc *d) { return (uint16_t)(d->lo >> 16); }
static inline uint32_t gate_off(const struct desc *d)
{
    uint32_t o = d->lo & 0xFFFFu;
    return (desc_type(d) & 8) ? o | (d->hi & 0xFFFF0000u) : o;   /* 16-bit gates: 16 bits */
}
static inline bool sel_null(uint16_t sel) { return (sel & 0xFFFCu) == 0; }

/* Cache fields. */
static inline unsigned seg_dpl(const struct seg *s) { return (s->ar >> 5) & 3; }
static inline bool seg_is_code(const struct seg *s) { return (s->ar & 0x18) == 0x18; }
static inline bool seg_conforming(const struct seg *s) { return (s->ar & 0x1C) == 0x1C; }

/* Linear address of the descriptor `sel` names; false when it lies
 * beyond the GDT/LDT limit (or the LDT is not usable). */
bool desc_addr(struct cpu *c, uint16_t sel, uint32_t *lin);
/* Reads the descriptor; false as desc_addr. */
bool desc_read(struct cpu *c, uint16_t sel, struct desc *d);
/* Reads the descriptor or raises `vec` with error code sel & ~3 | ext. */
void desc_read_or(struct cpu *c, uint16_t sel, struct desc *d, int vec, unsigned ext);
/* Sets the accessed bit of a code/data descriptor in memory (SDM Vol. 3
 * 3.4.5.1: set on every load into a segment register). */
void desc_set_accessed(struct cpu *c, uint16_t sel, struct desc *d);
/* Writes the descriptor's high doubleword back (busy bits). */
void desc_write_hi(struct cpu *c, uint16_t sel, uint32_t hi);

/* Fills segment cache `s` from a descriptor. */
void seg_from_desc(struct cpu *c, struct seg *s, uint16_t sel, const struct desc *d);
/* Loads a null selector into DS/ES/FS/GS (unusable: P = 0 in the cache). */
void seg_load_null(struct cpu *c, int sreg, uint16_t sel);
/* Recomputes every segment's fast limits (after a mode change). */
void seg_refresh_all(struct cpu *c);

/* cpu_load_seg in protected mode (not V86) for ES/SS/DS/FS/GS. */
void pm_load_seg(struct cpu *c, int sreg, uint16_t sel);

/* Is [off, off+n) inside segment s?  (expand-down aware) */
bool seg_range_ok(const struct seg *s, uint32_t off, unsigned n);

/* The privilege-level stack SS:ESP for ring `dpl` from the current TSS
 * (SDM Vol. 3 7.2.1); #TS(TR selector | ext) when the TSS is too short. */
void tss_ring_stack(struct cpu *c, unsigned dpl, unsigned ext, uint16_t *ss, uint32_t *esp);
/* Checks a new stack-segment selector for an inner-level transfer (ring
 * `dpl`): errors are #TS(ss | ext) and #SS(ss | ext) for not present. */
void check_inner_ss(struct cpu *c, uint16_t ss, unsigned dpl, unsigned ext, struct desc *d);

/* I/O permission bitmap of the current TSS (SDM Vol. 1 19.5.2). */
bool tss_io_permits(struct cpu *c, uint16_t port, unsigned size);

/* A stack being built on the side: a segment cache, a stack pointer of
 * its width, and the exception a limit violation raises. */
struct xstack {
    struct seg s;
    uint32_t sp;
    uint32_t mask;
    uint32_t err;
    bool sys;    /* an inner-level stack: supervisor accesses (paging) */
};
void xstack_init(struct xstack *x, const struct seg *s, uint32_t esp, uint32_t err);
void xpush(struct cpu *c, struct xstack *x, uint32_t v, unsigned n);
uint32_t xpop(struct cpu *c, struct xstack *x, unsigned n);
/* Reads n bytes at x->sp + k without popping. */
uint32_t xpeek(struct cpu *c, struct xstack *x, uint32_t k, unsigned n);

/* Mode-change bookkeeping after CS changes: CPL and block lookup. */
void cpu_set_cs(struct cpu *c, uint16_t sel, const struct desc *d, unsigned cpl);

/* Far transfers and interrupts in protected mode (farxfer.c, interrupt.c). */
void far_jump_pm(struct cpu *c, uint16_t sel, uint32_t off, bool is_call, bool o32);
void far_return_pm(struct cpu *c, bool o32, uint32_t imm);
void iret_pm(struct cpu *c, bool o32);
void iret_v86(struct cpu *c, bool o32);
void pm_interrupt(struct cpu *c, int vector, uint32_t next_eip, bool has_error,
                  uint32_t error, bool software);
/* INT n in V86 mode: the IOPL/VME rules (SDM Vol. 3 20.3.3, table 20-2). */
void v86_int_n(struct cpu *c, int vector, uint32_t next_eip);

/* Descriptor instructions (exec_system.c calls these). */
void pm_lldt(struct cpu *c, uint16_t sel);
void pm_ltr(struct cpu *c, uint16_t sel);
bool pm_verr(struct cpu *c, uint16_t sel, bool write);
bool pm_lar(struct cpu *c, uint16_t sel, uint32_t *ar);
bool pm_lsl(struct cpu *c, uint16_t sel, uint32_t *limit);

#endif

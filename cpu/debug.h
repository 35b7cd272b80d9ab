/* Debug exceptions: single-step (EFLAGS.TF), the resume flag (RF) and the
 * DR0-DR3 instruction breakpoints (SDM Vol. 3 ch. 17). */
#ifndef PCVM_DEBUG_H
#define PCVM_DEBUG_H

#include <stdint.h>

#include "cpu.h"

struct insn;

/* Is any debug feature armed?  Checked once per block by the CPU loop;
 * while it is, instructions run one at a time through debug_step. */
static inline bool debug_active(const struct cpu *c)
{
    return ((c->eflags & (F_TF | F_RF)) | (c->dr[7] & 0xFFu)) != 0;
}

/* Runs instruction `i` at CS:EIP with the debug rules: an enabled
 * execution breakpoint on its address raises #DB before it (a fault,
 * unless RF is set); RF is cleared once the instruction ran; TF set at
 * its start raises the single-step #DB after it (a trap). */
void debug_step(struct cpu *c, const struct insn *i, uint32_t ipmask);

/* DR7 slots enabled as data breakpoints (R/W = 01 or 11). */
static inline bool debug_data_bps(const struct cpu *c)
{
    uint32_t d = c->dr[7];
    for (unsigned n = 0; n < 4; n++)
        if (((d >> (2 * n)) & 3) && ((d >> (16 + 4 * n)) & 1))
            return true;
    return false;
}

/* Alignment checking is on: CR0.AM, EFLAGS.AC and CPL 3 (SDM Vol. 3
 * 6.15, interrupt 17). */
static inline bool debug_ac_on(const struct cpu *c)
{
    return (c->cr[0] & CR0_AM) && (c->eflags & F_AC) && c->cpl == 3;
}

/* Segment accesses must take the slow path (cpu_seg_update_fast forces
 * it while this holds) so dbg_data_access sees them. */
static inline bool debug_mem_checks(const struct cpu *c)
{
    return debug_ac_on(c) || debug_data_bps(c);
}

/* Called by the mmu slow paths for every segment data access while
 * debug_mem_checks() holds: #AC for a misaligned access, and data
 * breakpoint matches, reported by debug_step as a #DB trap after the
 * instruction. */
void dbg_data_access(struct cpu *c, uint32_t lin, unsigned n, bool write);

#endif

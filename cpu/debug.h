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

#endif

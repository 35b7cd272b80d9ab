/* The x87 FPU's architectural state: a plain struct inside struct cpu
 * (snapshot-friendly: no pointers).  SDM Vol. 1 ch. 8. */
#ifndef PCVM_FPU_STATE_H
#define PCVM_FPU_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "fpu_float.h"

struct fpu {
    fx80 r[8];          /* physical registers R0-R7 (ST(i) is R((TOP + i) & 7)) */
    uint16_t cw;        /* control word */
    uint16_t sw;        /* status word, TOP in bits 11-13 */
    uint16_t tw;        /* tag word: 2 bits per physical register (11 = empty) */
    uint16_t fop;       /* last non-control instruction: opcode bits 10-0 */
    uint16_t fcs, fds;  /* its CS selector and its memory operand's selector */
    uint32_t fip, fdp;  /* its offset and its memory operand's offset */
    bool ignne;         /* IGNNE# asserted (PC: a write to port F0 while FERR# is set) */
    bool ferr;          /* FERR# level last reported to the machine */
};

#endif

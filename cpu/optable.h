/* Read-only view of the rows of cpu/opcodes.def, for tests and tools
 * (the decoder itself uses the per-generation tables of insn.h). */
#ifndef PCVM_OPTABLE_H
#define PCVM_OPTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "insn.h"

enum optable_form { FORM_RMV, FORM_RMB, FORM_MV, FORM_MB, FORM_V, FORM_B };

struct optable_row {
    int code;              /* 0x00-0xFF, or 0x100 + xx for 0F xx */
    int reg;               /* ModRM.reg of a group row, or ANY */
    const char *name;      /* handler base name, e.g. "ADD_EbGb" */
    const char *mnem;      /* mnemonic ("a/b": by operand size, "a|b": by address size) */
    enum optable_form form;
    uint16_t attrs;        /* A_* | IMM_* */
    uint8_t gen;           /* OP: first generation; OLD: last generation */
    uint8_t old;           /* 1 for OLD rows */
};

/* Number of rows, and row k (0 <= k < optable_nrows()), in file order. */
size_t optable_nrows(void);
const struct optable_row *optable_row(size_t k);

#endif

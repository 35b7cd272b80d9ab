/* Decoder interface: one instruction at a time, into a struct insn. */
#ifndef PCVM_DECODE_H
#define PCVM_DECODE_H

#include <stdbool.h>

#include "insn.h"

/* Where the decoder reads bytes from.  With `probe` set (any instruction
 * of a block after the first), a byte outside the page `page_lin` or
 * beyond the CS limit sets `failed` instead of faulting.
 *
 * Test hook: with `buf` set, the instruction's bytes are buf[0..buflen)
 * instead of guest memory at CS:eip (no segment, paging or fault logic;
 * reading past buflen sets `failed` and yields 0).  `c` is still needed
 * for the model. */
struct fetcher {
    struct cpu *c;
    uint32_t eip;
    uint32_t page_lin;
    bool code32;
    bool probe;
    bool failed;
    const uint8_t *buf;
    uint32_t buflen;
};

void decode_insn(struct fetcher *f, const struct optable *t, struct insn *i);

#endif

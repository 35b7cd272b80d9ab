/* Software TLB: linear page -> host pointer, for the hot path.
 *
 * An entry maps one 4 KiB linear page.  tag_r / tag_w hold the linear page
 * address when reads / writes may go straight to host memory at
 * (lin + addend); any other value (TLB_INVALID) sends the access to the
 * slow path in mmu.c.  Writes are never fast for pages that hold decoded
 * code (so self-modifying code is seen), nor for ROM or MMIO.
 */
#ifndef PCVM_TLB_H
#define PCVM_TLB_H

#include <stdint.h>

#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_INVALID 1u   /* never equal to a page-aligned address */

struct tlb_entry {
    uint32_t tag_r;
    uint32_t tag_w;
    uint32_t phys;       /* physical page address (for code-page flushes) */
    uintptr_t addend;    /* host address = lin + addend */
};

struct tlb {
    struct tlb_entry e[TLB_SIZE];
    uint32_t bus_generation; /* bus map generation the entries were filled for */
};

#endif

/* I/O-port permission for IN, OUT, INS and OUTS (SDM Vol. 1 19.5
 * "Protected-mode I/O").
 *
 * Real mode: always allowed.  Protected mode with CPL <= IOPL: allowed.
 * Protected mode with CPL > IOPL, and V86 mode (any IOPL): the I/O
 * permission bitmap of the current 32-bit TSS decides, every bit for the
 * `size` ports port..port+size-1 must be clear.
 */
#ifndef PCVM_IO_H
#define PCVM_IO_H

#include "cpu.h"

/* The TSS I/O permission bitmap check (SDM Vol. 1 19.5.2), in
 * cpu/descriptor.c. */
bool tss_io_permits(struct cpu *c, uint16_t port, unsigned size);
static inline bool io_tss_permits(struct cpu *c, uint16_t port, unsigned size)
{
    return tss_io_permits(c, port, size);
}

static inline bool io_allowed(struct cpu *c, uint16_t port, unsigned size)
{
    if (likely(!cpu_pe(c)))
        return true;
    if (!cpu_vm86(c) && c->cpl <= ((c->eflags >> 12) & 3))
        return true;
    return io_tss_permits(c, port, size);
}

/* Raises #GP(0) unless the access is allowed. */
static inline void io_check(struct cpu *c, uint16_t port, unsigned size)
{
    if (unlikely(!io_allowed(c, port, size)))
        cpu_raise_err(c, EX_GP, 0);
}

#endif

/* Port I/O: IN and OUT with an immediate port or DX (SDM Vol. 2 "IN",
 * "OUT").  The permission check is cpu/io.h's. */
#include "exec_dm.h"
#include "io.h"

DM_INLINE void do_in(struct cpu *c, uint16_t port, unsigned n)
{
    io_check(c, port, n);
    acc_set(c, bus_in(c->bus, port, n), n);
}

DM_INLINE void do_out(struct cpu *c, uint16_t port, unsigned n)
{
    io_check(c, port, n);
    bus_out(c->bus, port, acc_get(c, n), n);
}

HANDLER(op_IN_ALIb) { do_in(c, (uint16_t)(i->imm & 0xFF), 1); }
HANDLER(op_IN_eAXIb_16) { do_in(c, (uint16_t)(i->imm & 0xFF), 2); }
HANDLER(op_IN_eAXIb_32) { do_in(c, (uint16_t)(i->imm & 0xFF), 4); }
HANDLER(op_OUT_IbAL) { do_out(c, (uint16_t)(i->imm & 0xFF), 1); }
HANDLER(op_OUT_IbeAX_16) { do_out(c, (uint16_t)(i->imm & 0xFF), 2); }
HANDLER(op_OUT_IbeAX_32) { do_out(c, (uint16_t)(i->imm & 0xFF), 4); }

HANDLER(op_IN_ALDX) { (void)i; do_in(c, get_r16(c, R_EDX), 1); }
HANDLER(op_IN_eAXDX_16) { (void)i; do_in(c, get_r16(c, R_EDX), 2); }
HANDLER(op_IN_eAXDX_32) { (void)i; do_in(c, get_r16(c, R_EDX), 4); }
HANDLER(op_OUT_DXAL) { (void)i; do_out(c, get_r16(c, R_EDX), 1); }
HANDLER(op_OUT_DXeAX_16) { (void)i; do_out(c, get_r16(c, R_EDX), 2); }
HANDLER(op_OUT_DXeAX_32) { (void)i; do_out(c, get_r16(c, R_EDX), 4); }

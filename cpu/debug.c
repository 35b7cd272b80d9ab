/* Single-step traps, RF, instruction and data breakpoints (SDM Vol. 3
 * 17.2, 17.3.1) and the alignment check (#AC, 6.15).  The CPU loop hands an instruction here instead of running it
 * itself whenever debug_active() says TF, RF or an enabled DR7 slot is
 * set, so the common path pays one test per block. */
#include "debug.h"

#include "insn.h"

enum { DR6_BS = 1u << 14 };

/* Bits B0-B3 for the enabled execution breakpoints (R/W = 00) at `lin`.
 * The length field is ignored for execution breakpoints (it must be 00,
 * SDM 17.2.5). */
static unsigned exec_hits(const struct cpu *c, uint32_t lin)
{
    uint32_t dr7 = c->dr[7];
    unsigned hit = 0;
    for (unsigned n = 0; n < 4; n++) {
        bool enabled = (dr7 >> (2 * n)) & 3;
        unsigned rw = (dr7 >> (16 + 4 * n)) & 3;
        if (enabled && rw == 0 && c->dr[n] == lin)
            hit |= 1u << n;
    }
    return hit;
}

/* MOV SS and POP SS hold debug traps off for one instruction, as they do
 * interrupts (SDM Vol. 3 6.8.3). */
static bool loads_ss(const struct insn *i)
{
    return i->op == 0x17 || (i->op == 0x8E && i->reg == S_SS);
}

void dbg_data_access(struct cpu *c, uint32_t lin, unsigned n, bool write)
{
    if (debug_ac_on(c) && (lin & (n - 1)))
        cpu_raise_err(c, EX_AC, 0);
    uint32_t dr7 = c->dr[7];
    for (unsigned k = 0; k < 4; k++) {
        unsigned rw = (dr7 >> (16 + 4 * k)) & 3;
        if (!((dr7 >> (2 * k)) & 3) || !(rw & 1) || (rw == 1 && !write))
            continue;
        /* LEN 00/01/11 = 1, 2, 4 bytes; the address is aligned down to it
         * (SDM Vol. 3 17.2.5). */
        static const uint32_t lens[4] = { 1, 2, 8, 4 };
        uint32_t len = lens[(dr7 >> (18 + 4 * k)) & 3];
        uint32_t a = c->dr[k] & ~(len - 1);
        if (lin <= a + len - 1 && a <= lin + n - 1)
            c->dbg_hits |= (uint8_t)(1u << k);
    }
}

void debug_step(struct cpu *c, const struct insn *i, uint32_t ipmask)
{
    c->attention &= ~(uint32_t)ATT_TRAP;
    c->prev_eip = c->eip;
    bool rf = (c->eflags & F_RF) != 0;
    if (!rf && (c->dr[7] & 0xFFu)) {
        unsigned hit = exec_hits(c, c->seg[S_CS].base + c->eip);
        if (hit) {
            c->dr[6] = (c->dr[6] & ~0xFu) | hit;
            cpu_raise(c, EX_DB);            /* fault: EIP = this instruction */
        }
    }
    bool tf = (c->eflags & F_TF) != 0;
    c->dbg_hits = 0;
    c->eip = (c->eip + i->len) & ipmask;
    i->fn(c, i);
    c->icount++;
    if (c->dbg_hits) {
        /* Data breakpoints are traps taken after the access's
         * instruction (with BS too when single-stepping). */
        c->dr[6] = (c->dr[6] & ~0xFu) | c->dbg_hits | (tf ? DR6_BS : 0);
        c->dbg_hits = 0;
        c->prev_eip = c->eip;
        cpu_raise(c, EX_DB);
    }
    /* RF is cleared after every instruction that completes, except that
     * IRET may load it (it then protects the next instruction). */
    if (rf && i->op != 0xCF)
        c->eflags &= ~(uint32_t)F_RF;
    if (tf && !loads_ss(i)) {
        c->dr[6] |= DR6_BS;
        c->prev_eip = c->eip;               /* trap: EIP = the next instruction */
        cpu_raise(c, EX_DB);
    } else if (tf) {
        c->attention |= ATT_TRAP;
    }
}

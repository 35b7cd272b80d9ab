/* The CPU loop: find or build the decoded block at CS:EIP, run it, and
 * deal with exceptions, interrupts and halts between blocks.
 *
 * Precise exceptions by construction: before each instruction the loop
 * records prev_eip and advances EIP; a fault longjmps back here, EIP is
 * put back to prev_eip and the exception is delivered. */
#include <string.h>

#include "../jit/blockcache.h"
#include "../mmu/mem.h"
#include "debughook.h"
#include "debug.h"
#include "decode.h"
#include "descriptor.h"
#include "flags.h"
#include "stack.h"

HANDLER(op_UD)
{
    (void)i;
    cpu_raise(c, EX_UD);
}

_Noreturn void cpu_raise_err(struct cpu *c, int vector, uint32_t error)
{
    c->exc_vector = vector;
    c->exc_has_error = 1;
    c->exc_error = error;
    longjmp(c->jmp, 1);
}

_Noreturn void cpu_raise(struct cpu *c, int vector)
{
    c->exc_vector = vector;
    c->exc_has_error = 0;
    c->exc_error = 0;
    longjmp(c->jmp, 1);
}

/* ---------------- interrupt delivery ---------------- */

/* Real mode (and the real-mode part of every model): push FLAGS, CS, IP
 * and jump through the interrupt vector table (SDM Vol. 3 20.1.4).  The
 * stack pointer (SP, or ESP with a 32-bit SS) moves only once all three
 * words are written, so a stack fault leaves it as it was. */
static void interrupt_real(struct cpu *c, int vector, uint32_t next_eip)
{
    uint32_t entry = (uint32_t)vector * 4;
    if (entry + 3 > c->idtr.limit)
        cpu_raise_err(c, EX_GP, (uint32_t)vector * 8 + 2);
    uint16_t ip = lin_rd16(c, c->idtr.base + entry);
    uint16_t cs = lin_rd16(c, c->idtr.base + entry + 2);
    uint32_t flags = cpu_get_eflags(c);
    uint32_t sp = stk_sp(c);
    stk_push16(c, &sp, (uint16_t)flags);
    stk_push16(c, &sp, c->seg[S_CS].sel);
    stk_push16(c, &sp, (uint16_t)next_eip);
    stk_commit(c, sp);
    c->eflags &= ~(uint32_t)(F_IF | F_TF | F_AC | F_RF);
    cpu_load_seg_real(c, S_CS, cs);
    c->eip = ip;
}

void cpu_interrupt(struct cpu *c, int vector, uint32_t next_eip,
                   bool has_error, uint32_t error, bool software)
{
    if (unlikely(c->dbg != NULL) && c->dbg->on_interrupt) /* debugger: catch int */
        c->dbg->on_interrupt(c->dbg->opaque, vector, software);
    if (!cpu_pe(c)) {
        interrupt_real(c, vector, next_eip);
        return;
    }
    pm_interrupt(c, vector, next_eip, has_error, error, software); /* cpu/interrupt.c */
}

/* Fault-class exceptions (SDM Vol. 3 table 6-1); #DB is raised through
 * here for instruction breakpoints (faults, RF = 0) and traps. */
static bool is_fault(int v)
{
    return v == EX_DE || (v >= EX_BR && v <= EX_NM) || (v >= EX_TS && v <= EX_PF) ||
           v == EX_MF || v == EX_AC;
}

/* Exception classes for double-fault detection (SDM Vol. 3 table 6-5). */
static bool contributory(int v)
{
    return v == EX_DE || v == EX_TS || v == EX_NP || v == EX_SS || v == EX_GP;
}

/* Called from the setjmp landing pad with c->exc_* describing the fault.
 * Returns false when the CPU shuts down (triple fault). */
static bool deliver_exception(struct cpu *c, int *first_vector)
{
    int v = c->exc_vector;
    uint32_t next = c->eip;
    c->eip = c->prev_eip;
    if (c->exc_nesting >= 3)
        return false;
    if (c->exc_nesting > 0) {
        int f = *first_vector;
        if (f == EX_DF)
            return false; /* fault while delivering #DF: shutdown */
        bool df = (contributory(f) && contributory(v)) ||
                  (f == EX_PF && (contributory(v) || v == EX_PF));
        if (df) {
            v = EX_DF;
            c->exc_vector = EX_DF;
            c->exc_has_error = 1;
            c->exc_error = 0;
        }
    }
    *first_vector = v;
    c->exc_nesting++;
    /* The EFLAGS image of a fault-class exception has RF = 1 (except the
     * #DB of an instruction breakpoint), so the handler's IRET does not
     * hit an instruction breakpoint again (SDM Vol. 3 17.3.1.1). */
    if (is_fault(v) && (c->model->eflags_writable & F_RF))
        c->eflags |= F_RF;
    /* 8086: a divide error pushes the address of the next instruction. */
    uint32_t ret = (v == EX_DE && c->model->div_err_next_eip) ? next : c->eip;
    cpu_interrupt(c, v, ret, c->exc_has_error, c->exc_error, false);
    c->exc_nesting = 0;
    return true;
}

/* ---------------- blocks ---------------- */

static uint32_t block_key(const struct cpu *c)
{
    return (uint32_t)cpu_code32(c) | (uint32_t)cpu_pe(c) << 1 | (uint32_t)cpu_vm86(c) << 2;
}

/* Near branches and plain fall-through leave CS, the mode and the page
 * tables alone, so the next block can be found from this one's successor
 * cache.  Everything else that ends a block (far transfers, INT, IRET,
 * HLT, MOV CR, LGDT...) goes through a full lookup. */
static bool ends_chainable(const struct optable *t, const struct insn *last)
{
    unsigned op = last->op;
    if (!(t->d[op][last->row].attrs & A_END))
        return true;
    if ((op >= 0x70 && op <= 0x7F) || (op >= 0x180 && op <= 0x18F) ||
        (op >= 0xE0 && op <= 0xE3) || op == 0xE8 || op == 0xE9 || op == 0xEB ||
        op == 0xC2 || op == 0xC3)
        return true;
    if (op == 0xFF && (last->row == 2 || last->row == 4))
        return true;
    return false;
}

/* Decodes the block at CS:EIP (physical `phys`).  Returns NULL when the
 * code must not be cached (device memory, aliased pages): then `one`
 * holds the single instruction to run. */
static struct block *build_block(struct cpu *c, uint32_t phys, uint32_t key,
                                 bool cacheable, struct insn *one)
{
    const struct optable *t = optable_for(c->model->gen);
    bool code32 = cpu_code32(c);
    uint32_t cs_base = c->seg[S_CS].base;
    struct fetcher f = { .c = c, .eip = c->eip, .code32 = code32 };
    f.page_lin = (cs_base + c->eip) & ~0xFFFu;

    if (!cacheable) {
        decode_insn(&f, t, one);
        return NULL;
    }
    struct block *b = blockcache_alloc(c->bc);
    if (!b) {
        blockcache_flush(c->bc);
        tlb_flush(c);
        b = blockcache_alloc(c->bc);
    }
    b->phys = phys;
    b->key = key;
    b->eip = c->eip;
    uint32_t eip = c->eip, bytes = 0;
    unsigned n = 0;
    while (n < BLOCK_MAX_INSNS) {
        struct insn *i = &b->insn[n];
        f.eip = eip;
        f.probe = n > 0;
        f.failed = false;
        decode_insn(&f, t, i);
        if (f.failed)
            break;
        n++;
        uint32_t lin = cs_base + eip;
        bool straddles = (lin & 0xFFF) + i->len > 0x1000;
        bytes += i->len;
        eip += i->len;
        if (straddles) {
            /* Only a block's first instruction can cross a page: it is
             * registered on both pages so a write to either kills it. */
            uint32_t p2;
            if (!mmu_translate(c, (lin | 0xFFF) + 1, MMU_FETCH, &p2) ||
                ((p2 ^ phys) & ~0xFFFu) == 0 || !bus_page_ptr(c->bus, p2, &(bool){0})) {
                *one = b->insn[0];
                return NULL;
            }
            b->page2 = p2 & ~0xFFFu;
            break;
        }
        if (!code32 && eip > 0xFFFF)
            break; /* IP wraps: the next instruction is elsewhere */
        if (t->d[i->op][i->row].attrs & A_END)
            break;
        if (((cs_base + eip) & ~0xFFFu) != f.page_lin)
            break;
    }
    b->n = (uint16_t)n;
    b->bytes = bytes;
    b->chainable = n > 0 && ends_chainable(t, &b->insn[n - 1]);
    b->eip_end = eip;
    blockcache_insert(c->bc, b);
    if (blockcache_page_has_code(c->bc, phys))
        tlb_protect_code_page(c, phys & ~0xFFFu);
    if (b->page2 != BC_NO_PAGE)
        tlb_protect_code_page(c, b->page2);
    return b;
}

/* The block to run at CS:EIP, or NULL with *one filled in. */
static struct block *lookup(struct cpu *c, struct insn *one)
{
    uint32_t lin = c->seg[S_CS].base + c->eip;
    uint32_t phys;
    if (unlikely(!mmu_code_phys(c, lin, &phys)))
        (void)cpu_fetch8(c, c->eip); /* raises the fault */
    uint32_t key = block_key(c);
    struct block *b = blockcache_lookup(c->bc, phys, key);
    if (b) {
        /* Decoded instructions hold no absolute EIP, so a block found by
         * physical address serves any CS:EIP that maps there, as long as
         * it stays inside CS's limit and (16-bit code) does not wrap IP. */
        uint32_t last = c->eip + b->bytes - 1;
        bool ok = b->eip == c->eip ||
                  (last >= c->eip && (cpu_code32(c) || last <= 0xFFFF));
        if (unlikely(b->page2 != BC_NO_PAGE)) {
            uint32_t p2;
            ok = ok && mmu_translate(c, (lin | 0xFFF) + 1, MMU_FETCH, &p2) &&
                 (p2 & ~0xFFFu) == b->page2;
        }
        if (ok && last <= c->seg[S_CS].limit)
            return b;
    }
    bool writable;
    bool cacheable = bus_page_ptr(c->bus, phys, &writable) != NULL && !b;
    return build_block(c, phys, key, cacheable, one);
}

/* ---------------- the loop ---------------- */

static bool irq_deliverable(struct cpu *c)
{
    return (c->eflags & F_IF) && c->irq_pending && c->irq_pending(c->irq_opaque);
}

/* The loop proper.  It is a function of its own so that an exception,
 * which longjmps back into cpu_run, simply abandons this frame: its
 * locals never live across a longjmp. */
static enum run_status run_blocks(struct cpu *c, const uint64_t end)
{
    struct insn one;
    struct block *prev = NULL;

    while (c->icount < end) {
        if (unlikely(c->attention)) {
            uint32_t att = c->attention;
            prev = NULL;
            if (att & ATT_STOP) {
                c->attention &= ~(uint32_t)ATT_STOP;
                return RUN_STOP;
            }
            c->attention &= ~(uint32_t)(ATT_SMC | ATT_MODE);
            if (att & ATT_SHADOW) {
                /* STI / MOV SS / POP SS: no interrupt before the next
                 * instruction has run. */
                c->attention &= ~(uint32_t)ATT_SHADOW;
            } else if (att & ATT_IRQ) {
                /* Checked once; re-armed by cpu_irq_notify (a device line
                 * went up) and by anything that sets IF. */
                c->attention &= ~(uint32_t)ATT_IRQ;
                if (irq_deliverable(c)) {
                    int vec = c->irq_ack(c->irq_opaque);
                    c->halted = false;
                    if (vec >= 0) {
                        c->prev_eip = c->eip;
                        cpu_interrupt(c, vec, c->eip, false, 0, false);
                    }
                    c->attention |= ATT_IRQ; /* another one may be waiting */
                }
            }
        }
        if (unlikely(c->halted)) {
            if (irq_deliverable(c)) {
                c->attention |= ATT_IRQ;
                continue;
            }
            return (c->eflags & F_IF) ? RUN_HALTED : RUN_DEAD;
        }
        if (unlikely(c->tlb.bus_generation != c->bus->map_generation))
            tlb_flush(c);

        c->prev_eip = c->eip;
        struct block *b = NULL;
        if (prev) {
            if (prev->succ_eip[0] == c->eip && prev->succ[0] && !prev->succ[0]->dead)
                b = prev->succ[0];
            else if (prev->succ_eip[1] == c->eip && prev->succ[1] && !prev->succ[1]->dead)
                b = prev->succ[1];
            /* Paging: a link made under other page tables (or another
             * CPL) must not be followed: check the current translation
             * (mmu/mem.h). */
            if (b && unlikely(c->cr[0] & CR0_PG) && !mmu_code_still_mapped(c, b))
                b = NULL;
        }
        if (!b) {
            uint64_t flushes = c->bc->flushes;
            b = lookup(c, &one);
            if (prev && b && c->bc->flushes == flushes) {
                unsigned k = prev->succ_next;
                prev->succ[k] = b;
                prev->succ_eip[k] = c->eip;
                prev->succ_next = k ^ 1;
            }
        }
        const struct insn *i, *e;
        uint32_t ipmask = cpu_code32(c) ? 0xFFFFFFFFu : 0xFFFFu;
        if (likely(b != NULL)) {
            uint64_t left = end - c->icount;
            i = b->insn;
            e = i + (left < b->n ? left : b->n);
        } else {
            i = &one;
            e = i + 1;
        }
        if (unlikely(debug_active(c))) {
            debug_step(c, i, ipmask);   /* cpu/debug.c: TF, RF, DR0-DR3 */
            prev = NULL;
            continue;
        }
        c->cur_block = b;
        do {
            c->prev_eip = c->eip;
            c->eip = (c->eip + i->len) & ipmask;
            i->fn(c, i);
            c->icount++;
            i++;
        } while (i < e && !c->attention);
        c->cur_block = NULL;
        prev = (b && b->chainable && i == b->insn + b->n) ? b : NULL;
    }
    return RUN_LIMIT;
}

enum run_status cpu_run(struct cpu *c, uint64_t max_insns)
{
    const uint64_t end = c->icount + max_insns;
    c->exc_first = -1;

    if (setjmp(c->jmp)) {
        c->cur_block = NULL;
        if (!deliver_exception(c, &c->exc_first)) {
            c->exc_nesting = 0;
            return RUN_SHUTDOWN;
        }
        /* The faulting instruction plus the delivery count as one step:
         * cpu_run(c, 1) stops at the handler's first instruction (what a
         * single step shows), and code that faults on every instruction
         * cannot keep cpu_run from returning. */
        c->icount++;
    }
    return run_blocks(c, end);
}

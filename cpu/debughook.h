/* Debugger hooks in the core: the few places where a debugger (frontends/
 * debugger, frontends/gdbstub.c) has to be told about something that only
 * the core sees.  With no debugger attached, struct cpu.dbg is NULL and
 * every hook costs one predictable test on a path that is already slow
 * (interrupt delivery, TLB misses, decoding); the hot loop pays nothing.
 *
 *   on_interrupt   cpu_interrupt() is about to deliver `vector` (catch int)
 *   page_watched   a TLB fill for this page must not happen, so that every
 *                  access to it goes through the mmu slow paths
 *   on_access      an access in the mmu slow path (watchpoints)
 *   magic_break    the decoder turns 87 DB (xchg bx,bx) into a stop request
 *   bp_candidate   (with bp_on) asked by the decoder for each instruction it
 *                  decodes: may a breakpoint be at this CS:EIP?  If so the
 *                  instruction gets a handler that first calls bp_exec,
 *                  which says whether to stop before it (exact address
 *                  match, condition) or to run it; so `continue` with
 *                  breakpoints runs at full speed.  The debugger flushes
 *                  the block cache whenever its breakpoints change.
 *
 * The hooks run inside an instruction: they must not longjmp or change
 * guest state; to stop they call cpu_request_stop(), which takes effect
 * after the current instruction.
 */
#ifndef PCVM_DEBUGHOOK_H
#define PCVM_DEBUGHOOK_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_dbg_hooks {
    void *opaque;
    void (*on_interrupt)(void *opaque, int vector, bool software);
    bool (*page_watched)(void *opaque, uint32_t lin_page, uint32_t phys_page);
    void (*on_access)(void *opaque, uint32_t lin, uint32_t phys, unsigned n,
                      bool write, uint32_t value);
    bool watch_on;       /* page_watched / on_access are set and wanted */
    bool magic_break;    /* -magic-break */
    bool magic_hit;      /* set by the xchg bx,bx handler */
    bool bp_on;          /* consult bp_candidate while decoding */
    bool (*bp_candidate)(void *opaque, uint32_t lin, uint32_t eip);
    bool (*bp_exec)(void *opaque);
    bool rep_cont;       /* the marked instruction left a REP unfinished: */
    uint64_t rep_icount; /* its next run (at this count and EIP) continues it */
    uint32_t rep_eip;
};

#endif

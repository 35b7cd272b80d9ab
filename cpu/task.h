/* Hardware task switching (SDM Vol. 3A ch. 7 "Task Management"; 80286
 * Programmer's Reference ch. 8 for the 16-bit TSS).
 *
 * The one entry point is task_switch().  Its callers are the far JMP/CALL
 * paths (a TSS descriptor or a task gate in the GDT/LDT), interrupt and
 * exception delivery (a task gate in the IDT) and IRET with EFLAGS.NT=1.
 * The caller has already done the checks that belong to the instruction
 * (SDM 7.3 step 2: the gate's or TSS descriptor's DPL against CPL/RPL for
 * JMP/CALL; the gate's DPL for a software INT n) and, for a task gate, has
 * already read the TSS selector out of the gate and looked it up: `sel` and
 * the descriptor dwords `lo`/`hi` are those of the TSS descriptor itself
 * (for IRET: the back-link selector and its GDT descriptor, looked up by
 * the caller or not; see below).
 *
 * task_switch() does the rest in the SDM's order:
 *   before the commit point (faults seen in the OUTGOING task's context):
 *     the TSS selector must be in the GDT (TI=0) -> #GP(sel) (#TS(sel) for
 *     IRET); the descriptor must be an available TSS (busy for IRET) ->
 *     #GP(sel) (#TS(sel) for IRET); present -> #NP(sel); limit >= 0x67
 *     (32-bit) / 0x2B (16-bit) -> #TS(sel);
 *     the outgoing state is saved into the current TSS;
 *   commit point: TR is loaded, busy bits/NT/back link updated, CR0.TS set,
 *     DR7's local enables L0-L3/LE cleared;
 *   after the commit point (faults delivered in the NEW task's context,
 *   with EIP at the new task's first instruction): CR3, LDT, segment
 *   registers with their full descriptor checks -> #TS/#NP/#SS.
 *
 * Reasons and what they do (SDM Table 7-2):
 *   TASK_JMP   old busy cleared, new busy set, NT unchanged in the new task
 *   TASK_CALL  old busy kept, new busy set, NT=1 and back link = old TR
 *   TASK_INT   like CALL (exception, interrupt or INT n through an IDT
 *              task gate); if has_error, `error` is pushed on the new
 *              task's stack after the switch (SDM 6.12.2)
 *   TASK_IRET  old busy cleared and the saved EFLAGS has NT cleared; the
 *              new task must be busy; its NT is left as saved
 *
 * `next_eip` is the EIP saved in the outgoing TSS: the return point (the
 * instruction after the JMP/CALL/INT/IRET; for a fault, the faulting
 * instruction; for an IRQ, the interrupted one).
 *
 * A 16-bit TSS (80286 format) has no CR3, FS, GS or upper register
 * halves: CR3 stays, FS/GS load null, the general registers' upper halves
 * read FFFFh afterwards (80386 behaviour), EFLAGS' upper half is 0.
 *
 * Never returns normally on a fault: raises through cpu_raise_err (which
 * longjmps).  On return the CPU is in the new task, ready to fetch at its
 * EIP.  A new 32-bit TSS with T=1 raises #DB (DR6.BT set) before the new
 * task's first instruction, delivered in the new task.
 */
#ifndef PCVM_TASK_H
#define PCVM_TASK_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;

enum task_reason {
    TASK_JMP, TASK_CALL, TASK_INT, TASK_IRET,
    /* OR-ed into the reason when the switch is delivering an event
     * external to the program (a hardware interrupt or an exception, not
     * INT n/INT3/INTO): faults of the switch then have EXT (bit 0) set in
     * their error code (SDM 6.13). */
    TASK_EXT = 8,
};

/* sel: the TSS selector; lo, hi: the 8-byte TSS descriptor (low and high
 * dwords as stored in the descriptor table). */
void task_switch(struct cpu *c, uint16_t sel, uint32_t lo, uint32_t hi,
                 enum task_reason why, uint32_t next_eip,
                 bool has_error, uint32_t error);

/* The same, given only the TSS selector (from a task gate, or a far
 * JMP/CALL operand): looks the descriptor up in the GDT first (#GP(sel) if
 * TI=1 or outside the GDT; #TS(sel) for TASK_IRET). */
void task_switch_sel(struct cpu *c, uint16_t sel, enum task_reason why,
                     uint32_t next_eip, bool has_error, uint32_t error);

/* IRET with NT=1 in protected mode: reads the back link of the current TSS,
 * looks its descriptor up in the GDT (#TS(link) if outside the GDT or not a
 * busy TSS) and switches to it with TASK_IRET. */
void task_iret(struct cpu *c, uint32_t next_eip);

/* The I/O permission bitmap base of the current task: the 16-bit offset
 * stored at 0x66 in a 32-bit TSS (a linear read, so it may fault), or
 * 0xFFFFFFFF when TR holds no 32-bit TSS or its limit is below 0x67 (then
 * every port the bitmap would guard is refused).  The caller checks the
 * bitmap bytes against c->tr.limit.  For cpu/io.h. */
uint32_t task_iomap_base(struct cpu *c);

#endif

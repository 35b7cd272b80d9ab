/* The pcvm debugger: breakpoints, watchpoints, catches and run control
 * over one machine, plus the text views the command line (cli.c) and the
 * gdb stub (frontends/gdbstub.c) share.
 *
 * Every view writes plain text to a FILE so tests can assert on it.  The
 * core knows nothing of this: the debugger drives the machine with
 * machine_run_slice() and learns about interrupts, watched accesses and
 * xchg bx,bx through struct cpu_dbg_hooks (cpu/debughook.h).
 */
#ifndef PCVM_DBG_H
#define PCVM_DBG_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include <capstone/capstone.h>

#include "bus/machine.h"
#include "cpu/debughook.h"

#define DBG_MAX_BP 64
#define DBG_MAX_WP 32
#define DBG_MAX_CATCH 16

enum dbg_addr_kind { DA_LIN, DA_PHYS, DA_SEGOFF };

struct dbg_expr;   /* compiled condition (expr.c) */

struct dbg_bp {
    bool used, enabled, temp;
    int id;
    enum dbg_addr_kind kind;
    uint16_t sel;          /* DA_SEGOFF */
    uint32_t addr;         /* linear, physical, or the offset */
    char *cond_text;
    struct dbg_expr *cond;
    uint64_t hits;
};

enum { WP_READ = 1, WP_WRITE = 2, WP_ACCESS = 3 };

struct dbg_wp {
    bool used, enabled;
    int id;
    bool phys;
    uint32_t addr, len;
    int type;              /* WP_* */
    uint64_t hits;
};

struct dbg_catch {
    bool used, enabled;
    int id;
    int vector;            /* -1: any */
    int ah;                /* -1: any */
};

/* Why dbg_run returned. */
enum dbg_stop {
    DS_DONE,        /* the requested steps were executed */
    DS_BREAK,       /* a breakpoint at CS:EIP */
    DS_WATCH,       /* a watched access by the last instruction */
    DS_CATCH_INT,   /* an interrupt/exception was delivered */
    DS_CATCH_MODE,  /* CR0.PE or CR0.PG changed */
    DS_MAGIC,       /* xchg bx,bx with -magic-break */
    DS_USER,        /* Ctrl-C, or the poll callback asked to stop */
    DS_EXIT,        /* the machine stopped for good (see m->exit) */
};

/* Register/flag/memory state before a step, for `explain` after it. */
struct dbg_snap {
    uint32_t reg[8], eip, eflags, cr0;
    uint16_t sel[S_NSEG];
    uint32_t cs_base;
    bool valid;
    uint8_t bytes[16];      /* instruction bytes */
    unsigned len;
    uint32_t lin;
    /* memory operand before the step */
    bool has_mem;
    uint32_t mem_lin;
    unsigned mem_len;
    uint8_t mem_before[4];
};

/* Operand values of the instruction about to be stepped (explain.c). */
struct dbg_opvals {
    bool ok;
    char family;           /* 'a' add, 's' sub, 'l' logic, 'i' inc, 'd' dec, 'n' neg,
                              'h' shift, 'r' rotate, 'm' mul, 'M' imul, 0 other */
    bool carry_in;         /* adc/sbb use CF */
    unsigned w;            /* bytes */
    uint32_t a, b, cf_in;
    char mnem[16];
    int shift_kind;        /* shifts: 'l' shl, 'r' shr, 's' sar;
                              rotates: 'l' rol, 'r' ror, 'L' rcl, 'R' rcr */
    bool two_op;           /* IMUL with an explicit destination */
};

struct dbg {
    struct machine *m;
    struct cpu_dbg_hooks hooks;
    FILE *out;

    struct dbg_bp bp[DBG_MAX_BP];
    struct dbg_wp wp[DBG_MAX_WP];
    struct dbg_catch ct[DBG_MAX_CATCH];
    int next_id;
    bool catch_mode;

    /* hits recorded by the hooks during a run */
    int watch_hit;          /* watchpoint index, -1 none */
    uint32_t watch_lin, watch_phys, watch_val;
    unsigned watch_n;
    bool watch_write;
    int catch_hit;          /* catch index, -1 none */
    int catch_vector;
    int stop_bp;            /* breakpoint index of the last DS_BREAK */
    uint64_t resume_icount; /* where the current run started: a breakpoint */
    uint32_t resume_eip;    /* there does not stop it again */
    uint16_t resume_cs;
    uint32_t mode_old, mode_new;

    /* Called every few thousand instructions while running; true = stop. */
    bool (*poll)(void *opaque);
    void *poll_opaque;
    volatile sig_atomic_t *user_stop;   /* set by a signal handler (Ctrl-C) */

    /* symbols (-symbols FILE) */
    struct dbg_sym { uint32_t addr; char *name; } *sym;
    size_t nsym;

    /* trace on FILE */
    FILE *trace;
    /* explain */
    bool explain_auto;
    struct dbg_snap snap;
    struct dbg_opvals ops;
    uint32_t trace_reg[8], trace_flags;
    /* Capstone handles for 16- and 32-bit code (0 until first use) */
    csh cs16, cs32;
    bool cs16_ok, cs32_ok;
};

struct dbg *dbg_new(struct machine *m, FILE *out);
void dbg_free(struct dbg *d);
void dbg_set_magic_break(struct dbg *d, bool on);

/* Runs at most `steps` instructions (UINT64_MAX: until something stops
 * it).  The breakpoint at the starting CS:EIP, if any, is not reported:
 * resuming from a breakpoint moves on. */
enum dbg_stop dbg_run(struct dbg *d, uint64_t steps);
/* One line saying why the last dbg_run stopped ("breakpoint 1 at ..."). */
void dbg_print_stop(struct dbg *d, enum dbg_stop why);
/* Address of the instruction after the current one when it is a CALL,
 * INT, INTO or REP-prefixed string op (for `next`); false otherwise. */
bool dbg_next_addr(struct dbg *d, uint32_t *lin);

/* --- breakpoints, watchpoints, catches (ids are shared, from 1) --- */
int dbg_bp_add(struct dbg *d, enum dbg_addr_kind kind, uint16_t sel, uint32_t addr,
               const char *cond, bool temp, char *err, size_t errlen);
int dbg_wp_add(struct dbg *d, bool phys, uint32_t addr, uint32_t len, int type);
int dbg_catch_add(struct dbg *d, int vector, int ah);
bool dbg_delete(struct dbg *d, int id);          /* any kind */
bool dbg_enable(struct dbg *d, int id, bool on);
void dbg_delete_all(struct dbg *d);
void dbg_list(struct dbg *d, FILE *f);
/* Software breakpoints from gdb: linear, no condition. */
int dbg_bp_find_lin(struct dbg *d, uint32_t lin);
int dbg_wp_find(struct dbg *d, uint32_t lin, uint32_t len, int type);

/* --- memory without side effects --- */
/* Linear -> physical with the CPU's current translation. */
bool dbg_lin2phys(struct dbg *d, uint32_t lin, uint32_t *phys);
/* Reads guest memory (RAM/ROM only; MMIO reads as 0xFF); false when some
 * byte is not mapped.  phys selects physical addresses. */
bool dbg_read(struct dbg *d, uint32_t addr, bool phys, uint8_t *buf, uint32_t n);
bool dbg_write(struct dbg *d, uint32_t lin, const uint8_t *buf, uint32_t n);

/* --- expressions and addresses (expr.c) --- */
/* Parses an address: "seg:off" (seg a register name or number), "linear
 * N", "phys N", or an expression (a linear address). */
bool dbg_parse_addr(struct dbg *d, const char *s, enum dbg_addr_kind *kind,
                    uint16_t *sel, uint32_t *addr, char *err, size_t errlen);
/* seg:off / linear / phys -> linear (phys: returned unchanged with *is_phys). */
uint32_t dbg_addr_lin(struct dbg *d, enum dbg_addr_kind kind, uint16_t sel, uint32_t addr);
struct dbg_expr *dbg_expr_compile(const char *s, char *err, size_t errlen);
bool dbg_expr_eval(struct dbg *d, const struct dbg_expr *e, uint64_t *val);
void dbg_expr_free(struct dbg_expr *e);
/* Evaluates a whole expression string. */
bool dbg_eval(struct dbg *d, const char *s, uint64_t *val, char *err, size_t errlen);
/* Register by name (eax, ax, al, eip, ip, cs.., eflags, flags, cf..);
 * false when unknown. */
bool dbg_reg_value(struct dbg *d, const char *name, size_t len, uint32_t *val);
/* es cs ss ds fs gs -> S_*, else -1. */
int dbg_sreg_index(const char *name, size_t len);

/* --- views (views.c) --- */
void dbg_view_regs(struct dbg *d, FILE *f);
void dbg_view_sregs(struct dbg *d, FILE *f);
void dbg_view_cr(struct dbg *d, FILE *f);
void dbg_view_fpu(struct dbg *d, FILE *f);
void dbg_view_table(struct dbg *d, FILE *f, const char *which, unsigned first, unsigned count);
void dbg_view_stack(struct dbg *d, FILE *f, unsigned n);
/* x/NFU: unit 'b' 'w' 'd', count n. */
void dbg_view_mem(struct dbg *d, FILE *f, uint32_t lin, bool phys, unsigned n, char unit);
/* Disassembles n instructions at linear `lin` (code32 chooses 16/32-bit);
 * marks the current instruction. */
void dbg_view_disas(struct dbg *d, FILE *f, uint32_t lin, bool code32, unsigned n);
/* "0x7c05 <start+5>" or "0x7c05". */
void dbg_symbolize(struct dbg *d, uint32_t lin, char *buf, size_t n);
int dbg_load_symbols(struct dbg *d, const char *path, char *err, size_t errlen);
bool dbg_sym_lookup(struct dbg *d, const char *name, uint32_t *addr);
/* Disassembly of one instruction at linear `lin` into buf; returns its
 * length (0 when it cannot be read or decoded). */
unsigned dbg_disas1(struct dbg *d, uint32_t lin, bool code32, char *buf, size_t n);
void dbg_view_pagewalk(struct dbg *d, FILE *f, uint32_t lin);
void dbg_flags_string(uint32_t fl, char *buf, size_t n);
/* Device views (devices.c). */
void dbg_view_pic(struct dbg *d, FILE *f);
void dbg_view_pit(struct dbg *d, FILE *f);
void dbg_view_irq(struct dbg *d, FILE *f);

/* --- teaching views (explain.c) --- */
void dbg_explain_decode(struct dbg *d, FILE *f);
void dbg_snap_take(struct dbg *d);
void dbg_explain_changes(struct dbg *d, FILE *f);
/* One trace line for the instruction about to run / just run. */
void dbg_trace_line(struct dbg *d, FILE *f);
void dbg_trace_end(struct dbg *d, FILE *f);
void dbg_cs_close(struct dbg *d);

/* --- the command line (cli.c) --- */
/* Runs the interactive or scripted debugger until quit or EOF; returns
 * the machine's exit reason (MACHINE_RUNNING after quit). */
enum machine_exit dbg_cli(struct dbg *d, bool start_stopped);
/* Executes one command line; false for quit. */
bool dbg_command(struct dbg *d, const char *line);

#endif

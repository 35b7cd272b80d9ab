/* The debugger's command line.
 *
 * Interactive when stdin is a terminal (libedit: line editing, history);
 * scripted otherwise: plain lines, each echoed after the prompt so a
 * transcript reads like a session (tests, classrooms).  `help` lists the
 * commands.  Ctrl-C while the guest runs stops it at the next instruction
 * boundary.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "dbg.h"

static volatile sig_atomic_t sigint_seen;

static void on_sigint(int sig)
{
    (void)sig;
    sigint_seen = 1;
}

static const char help_text[] =
    "running:\n"
    "  step [N] (s)          run N instructions (default 1), stepping into calls\n"
    "  next (n)              one instruction, stepping over CALL, INT, REP string ops, LOOP\n"
    "  continue (c)          run until a breakpoint, watchpoint, catch or Ctrl-C\n"
    "  until ADDR            run until CS:EIP reaches ADDR\n"
    "breakpoints (ADDR: seg:off, linear N, phys N, or an expression = linear address):\n"
    "  break ADDR [if COND]  e.g. break 0:7c00, break linear 0x7c10 if ax==0x1234\n"
    "  watch|rwatch|awatch [phys|linear] ADDR [LEN]   write / read / any access\n"
    "  catch int N [ah=X]    stop when interrupt or exception N is delivered\n"
    "  catch mode            stop when CR0.PE or CR0.PG changes\n"
    "  info break (list)     list them; delete [ID], disable ID, enable ID\n"
    "views:\n"
    "  regs (r), sregs, cr, fpu, gdt|idt|ldt [FIRST [COUNT]], stack [N], pagewalk ADDR\n"
    "  x/NFU ADDR            memory: N units, F=x, U = b (byte), w (word), d (dword)\n"
    "  disas [ADDR] [N]      disassemble (default: 8 instructions at CS:EIP)\n"
    "  explain               how the instruction at CS:EIP decodes; after a step, also\n"
    "                        what it changed and why each flag took its value\n"
    "  set explain on|off    explain every step automatically\n"
    "  trace on FILE | off   log every executed instruction with its changes\n"
    "  print EXPR (p)        evaluate: registers, flags, [seg:off] bytes, word[...], dword[...]\n"
    "  info pic|pit|irq      device state\n"
    "  quit (q)              leave (the machine stops)\n";

static FILE *outf(struct dbg *d) { return d->out; }

static void show_where(struct dbg *d)
{
    const struct cpu *c = &d->m->cpu;
    dbg_view_disas(d, outf(d), c->seg[S_CS].base + c->eip, cpu_code32(c), 1);
}

static void after_run(struct dbg *d, enum dbg_stop why, bool stepping)
{
    dbg_print_stop(d, why);
    if (why == DS_EXIT)
        return;
    if (stepping && d->explain_auto && d->snap.valid)
        dbg_explain_changes(d, outf(d));
    show_where(d);
}

static void run_and_report(struct dbg *d, uint64_t steps)
{
    if (d->m->exit != MACHINE_RUNNING) {
        fprintf(outf(d), "the machine has stopped (%s): nothing to run\n",
                machine_exit_name(d->m->exit));
        return;
    }
    bool stepping = steps != UINT64_MAX;
    if (stepping && steps == 1)
        dbg_snap_take(d);
    else if (!d->explain_auto)
        d->snap.valid = false;   /* explain describes single steps only */
    enum dbg_stop why = dbg_run(d, steps);
    after_run(d, why, stepping && steps == 1);
}

/* Splits "x/16bx" into count, unit. */
static bool parse_xfmt(const char *s, unsigned *n, char *unit)
{
    *n = 8;
    *unit = 'b';
    if (*s != '/')
        return *s == 0;
    s++;
    if (isdigit((unsigned char)*s)) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        if (v == 0 || v > 4096)
            return false;
        *n = (unsigned)v;
        s = end;
    }
    for (; *s; s++) {
        if (*s == 'b' || *s == 'w' || *s == 'd')
            *unit = *s;
        else if (*s == 'h')
            *unit = 'w';
        else if (*s != 'x')
            return false;
    }
    return true;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

static bool word_is(const char *w, const char *a, const char *b)
{
    return strcmp(w, a) == 0 || (b && strcmp(w, b) == 0);
}

static void cmd_break(struct dbg *d, char *args, bool temp)
{
    char err[160];
    char *cond = strstr(args, " if ");
    if (cond) {
        *cond = 0;
        cond += 4;
    }
    enum dbg_addr_kind kind;
    uint16_t sel;
    uint32_t addr;
    if (!*trim(args)) {
        fprintf(outf(d), "break: give an address (seg:off, linear N, phys N)\n");
        return;
    }
    if (!dbg_parse_addr(d, trim(args), &kind, &sel, &addr, err, sizeof err)) {
        fprintf(outf(d), "break: %s\n", err);
        return;
    }
    int k = dbg_bp_add(d, kind, sel, addr, cond ? trim(cond) : NULL, temp, err, sizeof err);
    if (k < 0) {
        fprintf(outf(d), "break: %s\n", err);
        return;
    }
    if (temp)
        return;
    const struct dbg_bp *b = &d->bp[k];
    if (kind == DA_SEGOFF)
        fprintf(outf(d), "breakpoint %d at %04x:%04x", b->id, sel, addr);
    else
        fprintf(outf(d), "breakpoint %d at %s 0x%x", b->id, kind == DA_PHYS ? "physical" : "linear",
                addr);
    if (b->cond_text)
        fprintf(outf(d), " if %s", b->cond_text);
    fputc('\n', outf(d));
}

static void cmd_watch(struct dbg *d, const char *cmd, char *args)
{
    int type = cmd[0] == 'r' ? WP_READ : cmd[0] == 'a' ? WP_ACCESS : WP_WRITE;
    char err[160];
    char *a = trim(args);
    bool phys = false;
    if (strncmp(a, "phys ", 5) == 0) {
        phys = true;
        a = trim(a + 5);
    } else if (strncmp(a, "linear ", 7) == 0) {
        a = trim(a + 7);
    }
    /* optional trailing length: the last word when there are two */
    uint32_t len = 1;
    char *sp = strrchr(a, ' ');
    if (sp) {
        uint64_t v;
        if (dbg_eval(d, trim(sp + 1), &v, err, sizeof err) && v > 0 && v <= 0x10000) {
            len = (uint32_t)v;
            *sp = 0;
        }
    }
    enum dbg_addr_kind kind;
    uint16_t sel;
    uint32_t addr;
    if (!*a || !dbg_parse_addr(d, a, &kind, &sel, &addr, err, sizeof err)) {
        fprintf(outf(d), "%s: %s\n", cmd, *a ? err : "give an address");
        return;
    }
    if (kind == DA_PHYS)
        phys = true;
    uint32_t lin = phys ? addr : dbg_addr_lin(d, kind, sel, addr);
    int k = dbg_wp_add(d, phys, lin, len, type);
    if (k < 0) {
        fprintf(outf(d), "%s: too many watchpoints\n", cmd);
        return;
    }
    fprintf(outf(d), "watchpoint %d: %s %s 0x%x len %u\n", d->wp[k].id, cmd,
            phys ? "physical" : "linear", lin, len);
}

static void cmd_catch(struct dbg *d, char *args)
{
    char *a = trim(args);
    if (strcmp(a, "mode") == 0) {
        d->catch_mode = true;
        fprintf(outf(d), "catch mode: stop when CR0.PE or CR0.PG changes\n");
        return;
    }
    if (strncmp(a, "int", 3) != 0) {
        fprintf(outf(d), "catch: use 'catch int N [ah=X]' or 'catch mode'\n");
        return;
    }
    a = trim(a + 3);
    int ah = -1;
    char *ahp = strstr(a, "ah=");
    char err[160];
    uint64_t v;
    if (ahp) {
        if (!dbg_eval(d, ahp + 3, &v, err, sizeof err) || v > 0xFF) {
            fprintf(outf(d), "catch: bad ah value\n");
            return;
        }
        ah = (int)v;
        *ahp = 0;
    }
    int vec = -1;
    a = trim(a);
    if (*a && strcmp(a, "any") != 0) {
        if (!dbg_eval(d, a, &v, err, sizeof err) || v > 0xFF) {
            fprintf(outf(d), "catch: bad vector '%s'\n", a);
            return;
        }
        vec = (int)v;
    }
    int k = dbg_catch_add(d, vec, ah);
    if (k < 0) {
        fprintf(outf(d), "catch: too many catches\n");
        return;
    }
    fprintf(outf(d), "catch %d: interrupt ", d->ct[k].id);
    if (vec < 0)
        fprintf(outf(d), "any");
    else
        fprintf(outf(d), "0x%02x", vec);
    if (ah >= 0)
        fprintf(outf(d), " with ah=0x%02x", ah);
    fputc('\n', outf(d));
}

/* Parses an address argument into a linear (or physical) address. */
static bool addr_arg(struct dbg *d, const char *cmd, const char *s, uint32_t *lin, bool *phys)
{
    char err[160];
    enum dbg_addr_kind kind;
    uint16_t sel;
    uint32_t addr;
    if (!dbg_parse_addr(d, s, &kind, &sel, &addr, err, sizeof err)) {
        fprintf(outf(d), "%s: %s\n", cmd, err);
        return false;
    }
    *phys = kind == DA_PHYS;
    *lin = dbg_addr_lin(d, kind, sel, addr);
    return true;
}

bool dbg_command(struct dbg *d, const char *line_in)
{
    char line[1024];
    snprintf(line, sizeof line, "%s", line_in);
    char *s = trim(line);
    if (!*s || *s == '#')
        return true;
    char *args = s;
    while (*args && !isspace((unsigned char)*args) && *args != '/')
        args++;
    char cmd[32];
    size_t cl = (size_t)(args - s);
    if (cl >= sizeof cmd)
        cl = sizeof cmd - 1;
    memcpy(cmd, s, cl);
    cmd[cl] = 0;
    char fmt[32];                 /* for x/FMT */
    size_t fl = 0;
    while (*args && !isspace((unsigned char)*args)) {
        if (fl < sizeof fmt - 1)
            fmt[fl++] = *args;
        args++;
    }
    fmt[fl] = 0;
    args = trim(args);
    FILE *f = outf(d);
    const struct cpu *c = &d->m->cpu;
    char err[160];
    uint64_t v;

    if (word_is(cmd, "quit", "q") || word_is(cmd, "exit", NULL)) {
        return false;
    } else if (word_is(cmd, "help", "h")) {
        fputs(help_text, f);
    } else if (word_is(cmd, "step", "s") || word_is(cmd, "si", "stepi")) {
        uint64_t n = 1;
        if (*args && (!dbg_eval(d, args, &n, err, sizeof err) || n == 0)) {
            fprintf(f, "step: bad count '%s'\n", args);
            return true;
        }
        run_and_report(d, n);
    } else if (word_is(cmd, "next", "n") || word_is(cmd, "ni", "nexti")) {
        uint32_t to;
        if (dbg_next_addr(d, &to)) {
            dbg_bp_add(d, DA_LIN, 0, to, NULL, true, err, sizeof err);
            run_and_report(d, UINT64_MAX);
        } else {
            run_and_report(d, 1);
        }
    } else if (word_is(cmd, "continue", "c")) {
        run_and_report(d, UINT64_MAX);
    } else if (word_is(cmd, "until", "u")) {
        if (!*args) {
            fprintf(f, "until: give an address\n");
            return true;
        }
        cmd_break(d, args, true);
        run_and_report(d, UINT64_MAX);
    } else if (word_is(cmd, "break", "b")) {
        cmd_break(d, args, false);
    } else if (word_is(cmd, "watch", NULL) || word_is(cmd, "rwatch", "awatch")) {
        cmd_watch(d, cmd, args);
    } else if (word_is(cmd, "catch", NULL)) {
        cmd_catch(d, args);
    } else if (word_is(cmd, "delete", "d")) {
        if (!*args) {
            dbg_delete_all(d);
            fprintf(f, "deleted all breakpoints, watchpoints and catches\n");
        } else if (!dbg_eval(d, args, &v, err, sizeof err) || !dbg_delete(d, (int)v)) {
            fprintf(f, "delete: no breakpoint, watchpoint or catch %s\n", args);
        }
    } else if (word_is(cmd, "disable", "enable")) {
        if (!dbg_eval(d, args, &v, err, sizeof err) || !dbg_enable(d, (int)v, cmd[0] == 'e'))
            fprintf(f, "%s: no breakpoint, watchpoint or catch %s\n", cmd, args);
    } else if (word_is(cmd, "list", NULL) ||
               (word_is(cmd, "info", NULL) && (strncmp(args, "break", 5) == 0 ||
                                               strncmp(args, "watch", 5) == 0))) {
        dbg_list(d, f);
    } else if (word_is(cmd, "info", NULL) && (word_is(args, "registers", "regs") || !strcmp(args, "r"))) {
        dbg_view_regs(d, f);
    } else if (word_is(cmd, "info", NULL) && (word_is(args, "pic", "pit") || !strcmp(args, "irq"))) {
        if (!strcmp(args, "pic"))
            dbg_view_pic(d, f);
        else if (!strcmp(args, "pit"))
            dbg_view_pit(d, f);
        else
            dbg_view_irq(d, f);
    } else if (word_is(cmd, "regs", "r") || word_is(cmd, "registers", NULL)) {
        dbg_view_regs(d, f);
    } else if (word_is(cmd, "sregs", NULL)) {
        dbg_view_sregs(d, f);
    } else if (word_is(cmd, "cr", NULL)) {
        dbg_view_cr(d, f);
    } else if (word_is(cmd, "fpu", NULL)) {
        dbg_view_fpu(d, f);
    } else if (word_is(cmd, "gdt", "idt") || word_is(cmd, "ldt", NULL)) {
        unsigned first = 0, count = strcmp(cmd, "idt") == 0 && !cpu_pe(c) ? 32 : 16;
        char *sp = strchr(args, ' ');
        if (sp)
            *sp++ = 0;
        if (*args && dbg_eval(d, args, &v, err, sizeof err))
            first = (unsigned)v;
        if (sp && dbg_eval(d, sp, &v, err, sizeof err))
            count = (unsigned)v;
        dbg_view_table(d, f, cmd, first, count > 256 ? 256 : count);
    } else if (word_is(cmd, "stack", NULL)) {
        unsigned n = 8;
        if (*args && dbg_eval(d, args, &v, err, sizeof err) && v > 0 && v < 256)
            n = (unsigned)v;
        dbg_view_stack(d, f, n);
    } else if (word_is(cmd, "pagewalk", NULL)) {
        uint32_t lin;
        bool phys;
        if (*args && addr_arg(d, cmd, args, &lin, &phys))
            dbg_view_pagewalk(d, f, lin);
        else if (!*args)
            fprintf(f, "pagewalk: give a linear address\n");
    } else if (word_is(cmd, "x", NULL)) {
        unsigned n;
        char unit;
        if (!parse_xfmt(fmt, &n, &unit)) {
            fprintf(f, "x: bad format '%s' (e.g. x/16bx ds:si, x/4wx 0x7c00, x/2dx ss:sp)\n", fmt);
            return true;
        }
        uint32_t lin;
        bool phys;
        if (!*args) {
            fprintf(f, "x: give an address\n");
            return true;
        }
        if (addr_arg(d, cmd, args, &lin, &phys))
            dbg_view_mem(d, f, lin, phys, n, unit);
    } else if (word_is(cmd, "disas", "disassemble") || word_is(cmd, "u", NULL)) {
        uint32_t lin = c->seg[S_CS].base + c->eip;
        unsigned n = 8;
        bool phys;
        char *sp = strrchr(args, ' ');
        if (sp && dbg_eval(d, trim(sp + 1), &v, err, sizeof err) && v > 0 && v <= 1000) {
            n = (unsigned)v;
            *sp = 0;
        }
        if (*args && !addr_arg(d, cmd, trim(args), &lin, &phys))
            return true;
        dbg_view_disas(d, f, lin, cpu_code32(c), n);
    } else if (word_is(cmd, "explain", "e")) {
        if (d->snap.valid && c->icount > 0)
            dbg_explain_changes(d, f);
        dbg_explain_decode(d, f);
    } else if (word_is(cmd, "set", NULL)) {
        if (!strcmp(args, "explain on") || !strcmp(args, "explain off")) {
            d->explain_auto = args[9] == 'n';
            fprintf(f, "explain after each step: %s\n", d->explain_auto ? "on" : "off");
        } else {
            fprintf(f, "set: only 'set explain on|off'\n");
        }
    } else if (word_is(cmd, "trace", NULL)) {
        if (!strcmp(args, "off")) {
            if (d->trace)
                fclose(d->trace);
            d->trace = NULL;
            fprintf(f, "trace off\n");
        } else if (!strncmp(args, "on ", 3) && *trim(args + 3)) {
            const char *path = trim(args + 3);
            FILE *t = fopen(path, "w");
            if (!t) {
                fprintf(f, "trace: %s: %s\n", path, strerror(errno));
                return true;
            }
            if (d->trace)
                fclose(d->trace);
            d->trace = t;
            fprintf(f, "trace on: %s\n", path);
        } else {
            fprintf(f, "trace: use 'trace on FILE' or 'trace off'\n");
        }
    } else if (word_is(cmd, "print", "p")) {
        if (!dbg_eval(d, args, &v, err, sizeof err))
            fprintf(f, "print: %s\n", err);
        else
            fprintf(f, "%s = 0x%llx (%llu)\n", args, (unsigned long long)v, (unsigned long long)v);
    } else {
        fprintf(f, "unknown command '%s' (try help)\n", cmd);
    }
    return true;
}

enum machine_exit dbg_cli(struct dbg *d, bool start_stopped)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    d->user_stop = &sigint_seen;

    bool tty = isatty(0);
    FILE *f = outf(d);
    if (!start_stopped) {
        enum dbg_stop why = dbg_run(d, UINT64_MAX);
        after_run(d, why, false);
    } else {
        fprintf(f, "pcvm debugger: stopped before the first instruction (help lists the commands)\n");
        show_where(d);
    }
    char last[1024] = "";
    for (;;) {
        char *line = NULL;
        char buf[1024];
        fflush(f);
        if (tty) {
            line = readline("(pcvm) ");
            if (!line && sigint_seen) {
                /* Ctrl-C at the prompt: a new prompt, not the end. */
                sigint_seen = 0;
                fputc('\n', f);
                continue;
            }
            if (!line)
                break;
            if (*trim(line)) {
                add_history(line);
                snprintf(last, sizeof last, "%s", line);
            } else if (last[0]) {
                free(line);
                line = strdup(last);   /* an empty line repeats the last command */
                if (!line)
                    break;
            }
        } else {
            if (!fgets(buf, sizeof buf, stdin))
                break;
            buf[strcspn(buf, "\r\n")] = 0;
            fprintf(f, "(pcvm) %s\n", buf);
        }
        bool go_on = dbg_command(d, tty ? line : buf);
        free(line);
        if (!go_on)
            break;
    }
    fflush(f);
    signal(SIGINT, SIG_DFL);
    return d->m->exit;
}

/* Debugger run control: breakpoints, watchpoints, catches and the loop
 * that runs the machine until one of them fires.
 *
 * Stepping is exact: machine_run_slice(m, 1) runs one instruction (an
 * exception plus its delivery count as one, as cpu_run documents).  With
 * breakpoints, catches of a mode switch or a trace active, `continue`
 * runs instruction by instruction and checks CS:EIP before each; with
 * none of those it runs in large slices and only the core's hooks (watch,
 * catch int, magic break) or Ctrl-C stop it.
 */
#include <stdlib.h>
#include <string.h>

#include "dbg.h"
#include "mmu/mem.h"

/* ---------------------------------------------------------------- hooks */

static void hook_interrupt(void *opaque, int vector, bool software)
{
    struct dbg *d = opaque;
    (void)software;
    for (int k = 0; k < DBG_MAX_CATCH; k++) {
        struct dbg_catch *ct = &d->ct[k];
        if (!ct->used || !ct->enabled)
            continue;
        if (ct->vector >= 0 && ct->vector != vector)
            continue;
        if (ct->ah >= 0 && (int)((d->m->cpu.reg[R_EAX] >> 8) & 0xFF) != ct->ah)
            continue;
        if (d->catch_hit < 0) {
            d->catch_hit = k;
            d->catch_vector = vector;
        }
        cpu_request_stop(&d->m->cpu);
    }
}

static bool overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    uint64_t ae = (uint64_t)a + alen, be = (uint64_t)b + blen;
    return a < be && b < ae;
}

static bool hook_page_watched(void *opaque, uint32_t lin_page, uint32_t phys_page)
{
    struct dbg *d = opaque;
    for (int k = 0; k < DBG_MAX_WP; k++) {
        const struct dbg_wp *w = &d->wp[k];
        if (w->used && w->enabled &&
            overlaps(w->addr & ~0xFFFu, ((w->addr & 0xFFFu) + w->len + 0xFFFu) & ~0xFFFu,
                     w->phys ? phys_page : lin_page, 0x1000))
            return true;
    }
    return false;
}

static void hook_access(void *opaque, uint32_t lin, uint32_t phys, unsigned n,
                        bool write, uint32_t value)
{
    struct dbg *d = opaque;
    for (int k = 0; k < DBG_MAX_WP; k++) {
        const struct dbg_wp *w = &d->wp[k];
        if (!w->used || !w->enabled || !(w->type & (write ? WP_WRITE : WP_READ)))
            continue;
        if (!overlaps(w->addr, w->len, w->phys ? phys : lin, n))
            continue;
        if (d->watch_hit < 0) {
            d->watch_hit = k;
            d->watch_lin = lin;
            d->watch_phys = phys;
            d->watch_n = n;
            d->watch_write = write;
            d->watch_val = value;
        }
        cpu_request_stop(&d->m->cpu);
    }
}

static bool bp_matches(struct dbg *d, const struct dbg_bp *b);
static int bp_check(struct dbg *d);

/* Decoder: may a breakpoint be at this instruction?  A decoded block
 * serves every CS:EIP that maps to its physical address, so a breakpoint
 * is a candidate when its linear, offset or physical address matches, or
 * when it lies on the same physical byte; bp_exec decides exactly. */
static bool hook_bp_candidate(void *opaque, uint32_t lin, uint32_t eip)
{
    struct dbg *d = opaque;
    uint32_t phys = 0;
    bool have_phys = dbg_lin2phys(d, lin, &phys);
    for (int k = 0; k < DBG_MAX_BP; k++) {
        const struct dbg_bp *b = &d->bp[k];
        if (!b->used || !b->enabled)
            continue;
        if ((b->kind == DA_LIN && b->addr == lin) || (b->kind == DA_SEGOFF && b->addr == eip))
            return true;
        uint32_t bphys = b->addr;
        if (b->kind != DA_PHYS &&
            !dbg_lin2phys(d, dbg_addr_lin(d, b->kind, b->sel, b->addr), &bphys))
            continue;
        if (have_phys && bphys == phys)
            return true;
    }
    return false;
}

/* Before a marked instruction runs: stop (true) or run it. */
static bool hook_bp_exec(void *opaque)
{
    struct dbg *d = opaque;
    const struct cpu *c = &d->m->cpu;
    /* Resuming from a breakpoint: its own instruction runs first. */
    if (c->icount == d->resume_icount && c->prev_eip == d->resume_eip &&
        c->seg[S_CS].sel == d->resume_cs)
        return false;
    /* The next chunk of a REP string instruction that was already there. */
    if (d->hooks.rep_cont && c->icount == d->hooks.rep_icount && c->prev_eip == d->hooks.rep_eip)
        return false;
    /* CS:EIP is the instruction's own address while we decide. */
    struct cpu *cm = &d->m->cpu;
    uint32_t next = cm->eip;
    cm->eip = cm->prev_eip;
    int k = bp_check(d);
    cm->eip = next;
    if (k < 0)
        return false;
    d->stop_bp = k;
    d->bp[k].hits++;
    return true;
}

/* Breakpoints changed: decoded blocks carry the marks, so start over. */
static void bp_changed(struct dbg *d)
{
    bool any = false;
    for (int k = 0; k < DBG_MAX_BP; k++)
        any |= d->bp[k].used && d->bp[k].enabled;
    d->hooks.bp_on = any;
    blockcache_flush(d->m->cpu.bc);
    tlb_flush(&d->m->cpu);
}

static void hooks_update(struct dbg *d)
{
    bool any = false;
    for (int k = 0; k < DBG_MAX_WP; k++)
        any |= d->wp[k].used && d->wp[k].enabled;
    d->hooks.watch_on = any;
    /* Entries filled before the watch existed would bypass it. */
    tlb_flush(&d->m->cpu);
}

struct dbg *dbg_new(struct machine *m, FILE *out)
{
    struct dbg *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->m = m;
    d->out = out;
    d->next_id = 1;
    d->watch_hit = d->catch_hit = d->stop_bp = -1;
    d->hooks.opaque = d;
    d->hooks.on_interrupt = hook_interrupt;
    d->hooks.page_watched = hook_page_watched;
    d->hooks.on_access = hook_access;
    d->hooks.bp_candidate = hook_bp_candidate;
    d->hooks.bp_exec = hook_bp_exec;
    m->cpu.dbg = &d->hooks;
    return d;
}

void dbg_free(struct dbg *d)
{
    if (!d)
        return;
    d->m->cpu.dbg = NULL;
    dbg_delete_all(d);
    for (size_t k = 0; k < d->nsym; k++)
        free(d->sym[k].name);
    free(d->sym);
    if (d->trace)
        fclose(d->trace);
    dbg_cs_close(d);
    free(d);
}

void dbg_set_magic_break(struct dbg *d, bool on)
{
    d->hooks.magic_break = on;
    /* Blocks decoded before would keep the plain XCHG handler. */
    blockcache_flush(d->m->cpu.bc);
    tlb_flush(&d->m->cpu);
}

/* ---------------------------------------------------------------- memory */

bool dbg_lin2phys(struct dbg *d, uint32_t lin, uint32_t *phys)
{
    return mmu_translate(&d->m->cpu, lin, false, phys);
}

bool dbg_read(struct dbg *d, uint32_t addr, bool phys, uint8_t *buf, uint32_t n)
{
    bool ok = true;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t a = addr + k, p = a;
        if (!phys && !dbg_lin2phys(d, a, &p)) {
            buf[k] = 0;
            ok = false;
            continue;
        }
        bool w;
        const uint8_t *h = bus_page_ptr(&d->m->bus, p & ~0xFFFu, &w);
        if (h) {
            buf[k] = h[p & 0xFFF];
        } else {
            buf[k] = 0xFF;   /* MMIO or unmapped: not read (no side effects) */
            if (!bus_find(&d->m->bus, p))
                ok = false;
        }
    }
    return ok;
}

bool dbg_write(struct dbg *d, uint32_t lin, const uint8_t *buf, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        uint32_t p;
        bool w;
        if (!dbg_lin2phys(d, lin + k, &p))
            return false;
        uint8_t *h = bus_page_ptr(&d->m->bus, p & ~0xFFFu, &w);
        if (!h || !w)
            return false;
        h[p & 0xFFF] = buf[k];
    }
    /* Decoded blocks may hold the old bytes. */
    blockcache_flush(d->m->cpu.bc);
    tlb_flush(&d->m->cpu);
    return true;
}

/* ---------------------------------------------------------------- lists */

static int new_id(struct dbg *d) { return d->next_id++; }

int dbg_bp_add(struct dbg *d, enum dbg_addr_kind kind, uint16_t sel, uint32_t addr,
               const char *cond, bool temp, char *err, size_t errlen)
{
    struct dbg_expr *e = NULL;
    if (cond && *cond) {
        e = dbg_expr_compile(cond, err, errlen);
        if (!e)
            return -1;
    }
    for (int k = 0; k < DBG_MAX_BP; k++) {
        struct dbg_bp *b = &d->bp[k];
        if (b->used)
            continue;
        *b = (struct dbg_bp){ .used = true, .enabled = true, .temp = temp,
                              .id = temp ? 0 : new_id(d), .kind = kind, .sel = sel,
                              .addr = addr, .cond = e,
                              .cond_text = (cond && *cond) ? strdup(cond) : NULL };
        bp_changed(d);
        return k;
    }
    dbg_expr_free(e);
    snprintf(err, errlen, "too many breakpoints (at most %d)", DBG_MAX_BP);
    return -1;
}

int dbg_wp_add(struct dbg *d, bool phys, uint32_t addr, uint32_t len, int type)
{
    for (int k = 0; k < DBG_MAX_WP; k++) {
        struct dbg_wp *w = &d->wp[k];
        if (w->used)
            continue;
        *w = (struct dbg_wp){ .used = true, .enabled = true, .id = new_id(d),
                              .phys = phys, .addr = addr, .len = len ? len : 1,
                              .type = type };
        hooks_update(d);
        return k;
    }
    return -1;
}

int dbg_catch_add(struct dbg *d, int vector, int ah)
{
    for (int k = 0; k < DBG_MAX_CATCH; k++) {
        struct dbg_catch *c = &d->ct[k];
        if (c->used)
            continue;
        *c = (struct dbg_catch){ .used = true, .enabled = true, .id = new_id(d),
                                 .vector = vector, .ah = ah };
        return k;
    }
    return -1;
}

static void bp_clear(struct dbg_bp *b)
{
    dbg_expr_free(b->cond);
    free(b->cond_text);
    memset(b, 0, sizeof *b);
}

bool dbg_delete(struct dbg *d, int id)
{
    for (int k = 0; k < DBG_MAX_BP; k++)
        if (d->bp[k].used && d->bp[k].id == id) {
            bp_clear(&d->bp[k]);
            bp_changed(d);
            return true;
        }
    for (int k = 0; k < DBG_MAX_WP; k++)
        if (d->wp[k].used && d->wp[k].id == id) {
            memset(&d->wp[k], 0, sizeof d->wp[k]);
            hooks_update(d);
            return true;
        }
    for (int k = 0; k < DBG_MAX_CATCH; k++)
        if (d->ct[k].used && d->ct[k].id == id) {
            memset(&d->ct[k], 0, sizeof d->ct[k]);
            return true;
        }
    return false;
}

bool dbg_enable(struct dbg *d, int id, bool on)
{
    for (int k = 0; k < DBG_MAX_BP; k++)
        if (d->bp[k].used && d->bp[k].id == id) {
            d->bp[k].enabled = on;
            bp_changed(d);
            return true;
        }
    for (int k = 0; k < DBG_MAX_WP; k++)
        if (d->wp[k].used && d->wp[k].id == id) {
            d->wp[k].enabled = on;
            hooks_update(d);
            return true;
        }
    for (int k = 0; k < DBG_MAX_CATCH; k++)
        if (d->ct[k].used && d->ct[k].id == id)
            return d->ct[k].enabled = on, true;
    return false;
}

void dbg_delete_all(struct dbg *d)
{
    for (int k = 0; k < DBG_MAX_BP; k++)
        if (d->bp[k].used)
            bp_clear(&d->bp[k]);
    memset(d->wp, 0, sizeof d->wp);
    memset(d->ct, 0, sizeof d->ct);
    d->catch_mode = false;
    hooks_update(d);
    bp_changed(d);
}

int dbg_bp_find_lin(struct dbg *d, uint32_t lin)
{
    for (int k = 0; k < DBG_MAX_BP; k++)
        if (d->bp[k].used && !d->bp[k].temp && d->bp[k].kind == DA_LIN &&
            d->bp[k].addr == lin && !d->bp[k].cond)
            return k;
    return -1;
}

int dbg_wp_find(struct dbg *d, uint32_t lin, uint32_t len, int type)
{
    for (int k = 0; k < DBG_MAX_WP; k++)
        if (d->wp[k].used && !d->wp[k].phys && d->wp[k].addr == lin &&
            d->wp[k].len == len && d->wp[k].type == type)
            return k;
    return -1;
}

static const char *wp_type_name(int t)
{
    return t == WP_READ ? "rwatch" : t == WP_WRITE ? "watch" : "awatch";
}

void dbg_list(struct dbg *d, FILE *f)
{
    bool any = false;
    for (int id = 1; id < d->next_id; id++) {
        for (int k = 0; k < DBG_MAX_BP; k++) {
            const struct dbg_bp *b = &d->bp[k];
            if (!b->used || b->id != id)
                continue;
            any = true;
            fprintf(f, "%d: break ", b->id);
            if (b->kind == DA_SEGOFF)
                fprintf(f, "%04x:%04x", b->sel, b->addr);
            else
                fprintf(f, "%s 0x%x", b->kind == DA_PHYS ? "phys" : "linear", b->addr);
            if (b->cond_text)
                fprintf(f, " if %s", b->cond_text);
            fprintf(f, "%s, hit %llu time%s\n", b->enabled ? "" : " (disabled)",
                    (unsigned long long)b->hits, b->hits == 1 ? "" : "s");
        }
        for (int k = 0; k < DBG_MAX_WP; k++) {
            const struct dbg_wp *w = &d->wp[k];
            if (!w->used || w->id != id)
                continue;
            any = true;
            fprintf(f, "%d: %s %s 0x%x len %u%s, hit %llu time%s\n", w->id, wp_type_name(w->type),
                    w->phys ? "phys" : "linear", w->addr, w->len,
                    w->enabled ? "" : " (disabled)", (unsigned long long)w->hits,
                    w->hits == 1 ? "" : "s");
        }
        for (int k = 0; k < DBG_MAX_CATCH; k++) {
            const struct dbg_catch *c = &d->ct[k];
            if (!c->used || c->id != id)
                continue;
            any = true;
            fprintf(f, "%d: catch int ", c->id);
            if (c->vector < 0)
                fprintf(f, "any");
            else
                fprintf(f, "0x%02x", c->vector);
            if (c->ah >= 0)
                fprintf(f, " ah=0x%02x", c->ah);
            fprintf(f, "%s\n", c->enabled ? "" : " (disabled)");
        }
    }
    if (d->catch_mode) {
        any = true;
        fprintf(f, "catch mode (CR0.PE, CR0.PG changes)\n");
    }
    if (!any)
        fprintf(f, "no breakpoints, watchpoints or catches\n");
}

/* ---------------------------------------------------------------- running */

static bool bp_matches(struct dbg *d, const struct dbg_bp *b)
{
    const struct cpu *c = &d->m->cpu;
    uint32_t lin = c->seg[S_CS].base + c->eip;
    switch (b->kind) {
    case DA_SEGOFF:
        return c->seg[S_CS].sel == b->sel && c->eip == b->addr;
    case DA_LIN:
        return lin == b->addr;
    case DA_PHYS: {
        uint32_t p;
        return dbg_lin2phys(d, lin, &p) && p == b->addr;
    }
    }
    return false;
}

/* The breakpoint to stop at, -1 when none. */
static int bp_check(struct dbg *d)
{
    int hit = -1;
    for (int k = 0; k < DBG_MAX_BP; k++) {
        struct dbg_bp *b = &d->bp[k];
        if (!b->used || !b->enabled || !bp_matches(d, b))
            continue;
        if (b->cond) {
            uint64_t v = 0;
            if (!dbg_expr_eval(d, b->cond, &v) || v == 0)
                continue;
        }
        if (hit < 0 || (d->bp[hit].temp && !b->temp))
            hit = k;
    }
    return hit;
}

static bool any_bp(const struct dbg *d)
{
    for (int k = 0; k < DBG_MAX_BP; k++)
        if (d->bp[k].used && d->bp[k].enabled)
            return true;
    return false;
}

static void clear_temps(struct dbg *d)
{
    bool any = false;
    for (int k = 0; k < DBG_MAX_BP; k++)
        if (d->bp[k].used && d->bp[k].temp) {
            bp_clear(&d->bp[k]);
            any = true;
        }
    if (any)
        bp_changed(d);
}

static uint32_t mode_bits(const struct cpu *c) { return c->cr[0] & (CR0_PE | CR0_PG); }

enum dbg_stop dbg_run(struct dbg *d, uint64_t steps)
{
    struct machine *m = d->m;
    struct cpu *c = &m->cpu;
    /* Breakpoints are checked by the decoder's marks (hook_bp_exec);
     * these need a look after every instruction. */
    bool single = d->catch_mode || d->trace || d->explain_auto || steps < 64;
    uint64_t done = 0;
    unsigned since_poll = 0;
    enum dbg_stop why = DS_DONE;

    d->watch_hit = d->catch_hit = d->stop_bp = -1;
    d->hooks.magic_hit = false;
    d->resume_icount = c->icount;
    d->resume_eip = c->eip;
    d->resume_cs = c->seg[S_CS].sel;
    d->hooks.bp_on = any_bp(d);
    if (d->user_stop)
        *d->user_stop = 0;   /* a Ctrl-C typed at the prompt is not for this run */
    if (m->exit != MACHINE_RUNNING)
        return DS_EXIT;
    for (;;) {
        if (done >= steps) {
            why = DS_DONE;
            break;
        }
        bool rep_cont = d->hooks.rep_cont && c->icount == d->hooks.rep_icount &&
                        c->eip == d->hooks.rep_eip;
        if (single && done > 0 && !rep_cont) {
            int k = bp_check(d);
            if (k >= 0) {
                d->stop_bp = k;
                d->bp[k].hits++;
                why = DS_BREAK;
                break;
            }
        }
        if ((d->user_stop && *d->user_stop) ||
            (d->poll && ++since_poll >= (single ? 4096u : 1u) &&
             (since_poll = 0, d->poll(d->poll_opaque)))) {
            if (d->user_stop)
                *d->user_stop = 0;
            why = DS_USER;
            break;
        }
        uint64_t n = single ? 1 : (steps - done < 65536 ? steps - done : 65536);
        uint32_t mode = mode_bits(c);
        if (single && d->explain_auto)
            dbg_snap_take(d);
        bool traced = single && d->trace && !c->halted;
        if (traced)
            dbg_trace_line(d, d->trace);
        c->attention &= ~(uint32_t)ATT_STOP;
        uint64_t before = c->icount;
        enum machine_exit e = machine_run_slice(m, n);
        done += c->icount - before;
        if (c->icount == before && e == MACHINE_RUNNING && !d->hooks.magic_hit &&
            d->watch_hit < 0 && d->catch_hit < 0)
            done++;  /* nothing ran (should not happen): never spin */
        if (traced)
            dbg_trace_end(d, d->trace);
        if (d->stop_bp >= 0) {
            why = DS_BREAK;   /* stopped before a breakpoint's instruction */
            break;
        }
        if (e != MACHINE_RUNNING) {
            why = DS_EXIT;
            break;
        }
        if (d->hooks.magic_hit) {
            why = DS_MAGIC;
            break;
        }
        if (d->watch_hit >= 0) {
            d->wp[d->watch_hit].hits++;
            why = DS_WATCH;
            break;
        }
        if (d->catch_hit >= 0) {
            why = DS_CATCH_INT;
            break;
        }
        if (d->catch_mode && mode_bits(c) != mode) {
            d->mode_old = mode;
            d->mode_new = mode_bits(c);
            why = DS_CATCH_MODE;
            break;
        }
    }
    c->attention &= ~(uint32_t)ATT_STOP;
    clear_temps(d);
    return why;
}

static const char *mode_name(uint32_t bits)
{
    if (!(bits & CR0_PE))
        return "real mode";
    return (bits & CR0_PG) ? "protected mode with paging" : "protected mode";
}

/* "0000:7c00" in 16-bit code, "0008:000f0026" in 32-bit code. */
static const char *csip(const struct cpu *c, uint32_t eip, char *buf)
{
    sprintf(buf, "%04x:%0*x", c->seg[S_CS].sel, cpu_code32(c) ? 8 : 4, eip);
    return buf;
}

void dbg_print_stop(struct dbg *d, enum dbg_stop why)
{
    char at[24];
    FILE *f = d->out;
    struct cpu *c = &d->m->cpu;
    char where[96];
    dbg_symbolize(d, c->seg[S_CS].base + c->eip, where, sizeof where);
    switch (why) {
    case DS_DONE:
        break;
    case DS_BREAK: {
        const struct dbg_bp *b = &d->bp[d->stop_bp];
        if (b->used && !b->temp)
            fprintf(f, "breakpoint %d hit at %s (%s)\n", b->id, csip(c, c->eip, at), where);
        break;
    }
    case DS_WATCH: {
        const struct dbg_wp *w = &d->wp[d->watch_hit];
        uint32_t mask = d->watch_n >= 4 ? 0xFFFFFFFFu : (1u << (8 * d->watch_n)) - 1;
        fprintf(f, "watchpoint %d (%s %s 0x%x len %u): %s of %u byte%s at linear 0x%x "
                "(physical 0x%x), value 0x%0*x, by the instruction at %s\n",
                w->id, wp_type_name(w->type), w->phys ? "phys" : "linear", w->addr, w->len,
                d->watch_write ? "write" : "read", d->watch_n, d->watch_n == 1 ? "" : "s",
                d->watch_lin, d->watch_phys, (int)d->watch_n * 2, d->watch_val & mask,
                csip(c, c->prev_eip, at));
        break;
    }
    case DS_CATCH_INT:
        fprintf(f, "catch %d: interrupt 0x%02x delivered (AH was 0x%02x); now at %s\n",
                d->ct[d->catch_hit].id, d->catch_vector, (c->reg[R_EAX] >> 8) & 0xFF,
                csip(c, c->eip, at));
        break;
    case DS_CATCH_MODE:
        fprintf(f, "mode switch: %s -> %s (CR0=0x%08x) at %s\n", mode_name(d->mode_old),
                mode_name(d->mode_new), c->cr[0], csip(c, c->eip, at));
        break;
    case DS_MAGIC:
        fprintf(f, "magic breakpoint (xchg bx,bx) at %s\n", csip(c, c->prev_eip, at));
        break;
    case DS_USER:
        fprintf(f, "interrupted at %s (%s)\n", csip(c, c->eip, at), where);
        break;
    case DS_EXIT:
        fprintf(f, "machine stopped: %s\n", machine_exit_name(d->m->exit));
        break;
    }
}

bool dbg_next_addr(struct dbg *d, uint32_t *lin)
{
    struct cpu *c = &d->m->cpu;
    uint32_t at = c->seg[S_CS].base + c->eip;
    uint8_t b[16];
    dbg_read(d, at, false, b, sizeof b);
    unsigned k = 0;
    bool rep = false;
    while (k < 15) {
        uint8_t p = b[k];
        if (p == 0xF2 || p == 0xF3)
            rep = true;
        else if (!(p == 0x26 || p == 0x2E || p == 0x36 || p == 0x3E || p == 0x64 ||
                   p == 0x65 || p == 0x66 || p == 0x67 || p == 0xF0))
            break;
        k++;
    }
    uint8_t op = b[k];
    bool over = op == 0xE8 || op == 0x9A || op == 0xCC || op == 0xCD || op == 0xCE ||
                (op == 0xFF && (((b[k + 1] >> 3) & 7) == 2 || ((b[k + 1] >> 3) & 7) == 3)) ||
                (rep && ((op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF) ||
                         (op >= 0x6C && op <= 0x6F))) ||
                (op >= 0xE0 && op <= 0xE2); /* LOOPcc: step over the whole loop */
    if (!over)
        return false;
    char buf[128];
    unsigned len = dbg_disas1(d, at, cpu_code32(c), buf, sizeof buf);
    if (!len)
        return false;
    *lin = at + len;
    return true;
}

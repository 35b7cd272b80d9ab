/* String instructions: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS with the
 * REP/REPE/REPNE prefixes (SDM Vol. 2 "REP/REPE/REPZ/REPNE/REPNZ").
 *
 * Source DS:(E)SI (segment override allowed), destination ES:(E)DI (never
 * overridden); (E)SI/(E)DI/(E)CX by address size, 16-bit ones wrapping
 * at 64 KiB without touching the upper halves; DF chooses the direction.
 *
 * REP: the count is checked before each iteration; CMPS and SCAS stop on
 * ZF (F3: while equal, F2: while not equal), the others treat F2 as F3.
 * After every element the index and count registers are up to date, so a
 * fault leaves a state from which the instruction restarts (the loop puts
 * EIP back on it).  The 80286 is the exception: it advances the index
 * registers (and CX) before the accesses (models.h string_early_update).
 *
 * A handler call runs at most STR_BUDGET elements; an unfinished REP
 * points EIP back at itself and asks the loop to leave the block
 * (ATT_MODE), so interrupts and the instruction budget are looked at
 * between chunks (the interrupted REP resumes like a real one after an
 * IRQ).  Each chunk counts as one instruction in cpu.icount.
 *
 * REP MOVS and REP STOS copy straight between host pages when the TLB has
 * the pages (read for the source, write for the destination: never code,
 * ROM-as-destination or MMIO) and the run stays inside one page and the
 * segments' fast limits; overlapping copies go element by element in the
 * architectural order, so the result is what a CPU produces.  Everything
 * else goes through cpu_rdN/cpu_wrN.
 */
#include <string.h>

#include "exec_dm.h"
#include "io.h"

#define STR_BUDGET 4096u

DM_INLINE bool has_rep(const struct insn *i) { return (i->flags & (I_REP | I_REPNE)) != 0; }

/* Element step by DF: +n or -n (mod 2^32). */
DM_INLINE uint32_t str_step(const struct cpu *c, unsigned n)
{
    return (c->eflags & F_DF) ? 0u - n : n;
}

/* An unfinished REP: run this instruction again, after leaving the block. */
static void rep_again(struct cpu *c)
{
    c->eip = c->prev_eip;
    c->attention |= ATT_MODE;
}

/* ---------------- host-memory runs for REP MOVS/STOS ---------------- */

/* How many of the next `want` elements of n bytes, the first at sreg:off
 * and the others following in direction `down`, lie inside the page of
 * the first one, within the segment's fast limit and without wrapping the
 * address size.  *linp gets the first element's linear address.  0 means
 * "use the slow path for the next element". */
DM_INLINE uint32_t run_len(const struct cpu *c, int sreg, uint32_t off, uint32_t m, bool down,
                           unsigned n, bool write, uint32_t want, uint32_t *linp)
{
    const struct seg *s = &c->seg[sreg];
    int64_t lim = write ? s->fast_limit_w : s->fast_limit;
    if ((int64_t)off + (n - 1) > lim)
        return 0;
    uint32_t lin = s->base + off;
    uint32_t po = lin & 0xFFFu;
    if (po > 0x1000u - n)
        return 0;
    uint32_t k;
    if (!down) {
        uint64_t end = (uint64_t)lim + 1;        /* first offset past the limit */
        if (end > (uint64_t)m + 1)
            end = (uint64_t)m + 1;               /* no address-size wrap */
        uint64_t room = end - off;
        if (room > 0x1000u - po)
            room = 0x1000u - po;
        k = (uint32_t)(room / n);
    } else {
        /* element j starts at off - j*n: stay >= 0 and inside the page */
        uint32_t below = po < off ? po : off;
        k = below / n + 1;
    }
    *linp = lin;
    return k < want ? k : want;
}

/* Host address of linear `lin` when the TLB maps its page for this kind
 * of access (reads: RAM/ROM; writes: RAM without decoded code), else NULL. */
DM_INLINE uint8_t *tlb_ptr(struct cpu *c, uint32_t lin, bool write)
{
    struct tlb_entry *e = tlb_entry_for(c, lin);
    if ((write ? e->tag_w : e->tag_r) != (lin & ~0xFFFu))
        return NULL;
    /* An MMIO write earlier in this REP may have changed the memory map. */
    if (unlikely(c->tlb.bus_generation != c->bus->map_generation))
        return NULL;
    return tlb_host(e, lin);
}

/* Moves the index register by k elements. */
DM_INLINE void idx_advance(struct cpu *c, unsigned r, uint32_t k, uint32_t step, uint32_t m)
{
    set_masked(c, r, c->reg[r] + k * step, m);
}

DM_INLINE bool disjoint(const uint8_t *a, const uint8_t *b, size_t bytes)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    /* distances, not end addresses: an end can wrap on a 32-bit host */
    return x < y ? y - x >= bytes : x - y >= bytes;
}

/* The destination page is not in the TLB yet (or was evicted by the
 * source page: the TLB is direct-mapped, and pages 1 MiB apart share an
 * entry).  Read the run into a buffer, store the first element the slow
 * way (which faults precisely if it must, and fills the TLB), then the
 * rest straight into host memory if the pages do not overlap. */
static uint32_t movs_bounce(struct cpu *c, uint32_t m, uint32_t step, unsigned n, bool down,
                            const uint8_t *s, uint32_t k, uint32_t dlin)
{
    uint8_t buf[4096];
    size_t bytes = (size_t)k * n;
    const uint8_t *slo = down ? s - (bytes - n) : s;
    memcpy(buf, slo, bytes);
    const uint8_t *e0 = buf + (down ? bytes - n : 0);
    uint32_t v = n == 1 ? e0[0] : n == 2 ? le16(e0) : le32(e0);
    wr_n(c, S_ES, c->reg[R_EDI] & m, v, n);
    uint32_t done = 1;
    uint8_t *t = k > 1 ? tlb_ptr(c, dlin, true) : NULL;
    if (t) {
        uint8_t *tlo = down ? t - (bytes - n) : t;
        if (disjoint(slo, tlo, bytes)) {
            memcpy(tlo, buf, bytes);
            done = k;
        }
    }
    idx_advance(c, R_ESI, done, step, m);
    idx_advance(c, R_EDI, done, step, m);
    return done;
}

DM_INLINE uint32_t movs_fast(struct cpu *c, int sseg, uint32_t m, uint32_t step, unsigned n,
                             uint32_t want)
{
    bool down = step != n;
    uint32_t slin, dlin;
    uint32_t si = c->reg[R_ESI] & m, di = c->reg[R_EDI] & m;
    uint32_t k = run_len(c, sseg, si, m, down, n, false, want, &slin);
    if (!k)
        return 0;
    k = run_len(c, S_ES, di, m, down, n, true, k, &dlin);
    if (!k)
        return 0;
    uint8_t *s = tlb_ptr(c, slin, false);
    if (!s) {
        /* Element 0's own read fills the TLB.  If the page still is not
         * mapped (MMIO), finish element 0 the slow way: reading it again
         * could disturb a device.  If it is, it is RAM or ROM and reading
         * it again below is harmless. */
        uint32_t v = rd_n(c, sseg, si, n);
        s = tlb_ptr(c, slin, false);
        if (!s) {
            wr_n(c, S_ES, di, v, n);
            idx_advance(c, R_ESI, 1, step, m);
            idx_advance(c, R_EDI, 1, step, m);
            return 1;
        }
    }
    uint8_t *t = tlb_ptr(c, dlin, true);
    if (!t)
        return movs_bounce(c, m, step, n, down, s, k, dlin);
    size_t bytes = (size_t)k * n;
    uint8_t *slo = down ? s - (bytes - n) : s;
    uint8_t *tlo = down ? t - (bytes - n) : t;
    if (disjoint(slo, tlo, bytes)) {
        memcpy(tlo, slo, bytes); /* order does not matter */
    } else {
        /* Overlap: element by element, each read before it is written,
         * in execution order (a forward copy onto src+1 replicates). */
        ptrdiff_t d = down ? -(ptrdiff_t)n : (ptrdiff_t)n;
        for (uint32_t j = 0; j < k; j++, s += d, t += d) {
            uint8_t tmp[4];
            memcpy(tmp, s, n);
            memcpy(t, tmp, n);
        }
    }
    idx_advance(c, R_ESI, k, step, m);
    idx_advance(c, R_EDI, k, step, m);
    return k;
}

DM_INLINE uint32_t stos_fast(struct cpu *c, uint32_t m, uint32_t step, unsigned n, uint32_t v,
                             uint32_t want)
{
    bool down = step != n;
    uint32_t lin;
    uint32_t k = run_len(c, S_ES, c->reg[R_EDI] & m, m, down, n, true, want, &lin);
    if (!k)
        return 0;
    uint8_t *t = tlb_ptr(c, lin, true);
    if (!t)
        return 0;
    size_t bytes = (size_t)k * n;
    uint8_t *lo = down ? t - (bytes - n) : t;
    if (n == 1) {
        memset(lo, (int)(v & 0xFF), bytes);
    } else {
        uint8_t pat[4];
        st32(pat, v);
        for (size_t j = 0; j < bytes; j += n)
            memcpy(lo + j, pat, n);
    }
    idx_advance(c, R_EDI, k, step, m);
    return k;
}

/* ---------------- one element of each instruction ---------------- */

/* `early` is the model's string_early_update (80286): there each index
 * register moves on as its operand is addressed, before the access, so a
 * segment-limit fault (word at offset FFFF) finds it already advanced;
 * CMPS addresses ES:DI first.  Elsewhere the registers move only after
 * every access succeeded (precise, restartable after a page fault). */

DM_INLINE void movs_one(struct cpu *c, int sseg, uint32_t m, uint32_t step, unsigned n,
                        bool early)
{
    uint32_t si = c->reg[R_ESI] & m, di = c->reg[R_EDI] & m;
    if (early) {
        set_masked(c, R_ESI, si + step, m);
        uint32_t v = rd_n(c, sseg, si, n);
        set_masked(c, R_EDI, di + step, m);
        wr_n(c, S_ES, di, v, n);
        return;
    }
    uint32_t v = rd_n(c, sseg, si, n);
    wr_n(c, S_ES, di, v, n);
    set_masked(c, R_ESI, si + step, m);
    set_masked(c, R_EDI, di + step, m);
}

DM_INLINE void stos_one(struct cpu *c, uint32_t m, uint32_t step, unsigned n, uint32_t v,
                        bool early)
{
    uint32_t di = c->reg[R_EDI] & m;
    if (early)
        set_masked(c, R_EDI, di + step, m);
    wr_n(c, S_ES, di, v, n);
    set_masked(c, R_EDI, di + step, m);
}

DM_INLINE void lods_one(struct cpu *c, int sseg, uint32_t m, uint32_t step, unsigned n,
                        bool early)
{
    uint32_t si = c->reg[R_ESI] & m;
    if (early)
        set_masked(c, R_ESI, si + step, m);
    uint32_t v = rd_n(c, sseg, si, n);
    acc_set(c, v, n);
    set_masked(c, R_ESI, si + step, m);
}

/* CMPS: [src] - ES:[dst] (SDM Vol. 2 "CMPS": the first operand is the
 * source string).  Returns ZF. */
DM_INLINE bool cmps_one(struct cpu *c, int sseg, uint32_t m, uint32_t step, unsigned n,
                        bool early)
{
    uint32_t si = c->reg[R_ESI] & m, di = c->reg[R_EDI] & m;
    uint32_t a, b;
    if (early) {
        set_masked(c, R_EDI, di + step, m);
        b = rd_n(c, S_ES, di, n);
        set_masked(c, R_ESI, si + step, m);
        a = rd_n(c, sseg, si, n);
    } else {
        a = rd_n(c, sseg, si, n);
        b = rd_n(c, S_ES, di, n);
        set_masked(c, R_ESI, si + step, m);
        set_masked(c, R_EDI, di + step, m);
    }
    flags_sub(c, a, b, a - b, 8 * n, 0);
    return a == b;
}

/* SCAS: accumulator - ES:[dst].  Returns ZF. */
DM_INLINE bool scas_one(struct cpu *c, uint32_t m, uint32_t step, unsigned n, bool early)
{
    uint32_t di = c->reg[R_EDI] & m;
    if (early)
        set_masked(c, R_EDI, di + step, m);
    uint32_t a = acc_get(c, n);
    uint32_t b = rd_n(c, S_ES, di, n);
    set_masked(c, R_EDI, di + step, m);
    flags_sub(c, a, b, a - b, 8 * n, 0);
    return a == b;
}

/* INS: the destination must be known writable before the port is read,
 * or a fault (a page fault with paging) would lose the input when the
 * instruction restarts.  Where the fast path cannot vouch for it, the
 * element is read and written back unchanged first.  Real mode has no
 * paging and only the 286+ limit fault at ES:FFFF, so no probe there. */
DM_INLINE void ins_probe(struct cpu *c, uint32_t off, unsigned n)
{
    if (!cpu_pe(c))
        return;
    const struct seg *s = &c->seg[S_ES];
    uint32_t lin = s->base + off;
    if ((int64_t)off + (n - 1) <= s->fast_limit_w && PAGE_FITS(lin, n) &&
        tlb_entry_for(c, lin)->tag_w == (lin & ~0xFFFu))
        return;
    wr_n(c, S_ES, off, rd_n(c, S_ES, off, n), n);
}

DM_INLINE void ins_one(struct cpu *c, uint32_t m, uint32_t step, unsigned n, uint16_t port,
                       bool early)
{
    uint32_t di = c->reg[R_EDI] & m;
    if (early)
        set_masked(c, R_EDI, di + step, m);
    ins_probe(c, di, n);
    uint32_t v = bus_in(c->bus, port, n);
    wr_n(c, S_ES, di, v, n);
    set_masked(c, R_EDI, di + step, m);
}

DM_INLINE void outs_one(struct cpu *c, int sseg, uint32_t m, uint32_t step, unsigned n,
                        uint16_t port, bool early)
{
    uint32_t si = c->reg[R_ESI] & m;
    if (early)
        set_masked(c, R_ESI, si + step, m);
    uint32_t v = rd_n(c, sseg, si, n);
    bus_out(c->bus, port, v, n);
    set_masked(c, R_ESI, si + step, m);
}

/* ---------------- the instructions ---------------- */

/* The REP driver for the instructions without a ZF condition.  ONE runs
 * one element; FAST (may be 0) tries a host-memory run and returns the
 * number of elements it did.  (E)CX is written after each step. */
#define REP_LOOP(ONE, FAST)                                               \
    do {                                                                  \
        uint32_t cnt = c->reg[R_ECX] & m;                                 \
        uint32_t budget = cnt < STR_BUDGET ? cnt : STR_BUDGET;            \
        while (budget) {                                                  \
            uint32_t k = (FAST);                                          \
            if (!k) {                                                     \
                if (early) /* 80286: CX counts before the accesses */     \
                    set_masked(c, R_ECX, cnt - 1, m);                     \
                ONE;                                                      \
                k = 1;                                                    \
            }                                                             \
            cnt -= k;                                                     \
            budget -= k;                                                  \
            set_masked(c, R_ECX, cnt, m);                                 \
        }                                                                 \
        if (cnt)                                                          \
            rep_again(c);                                                 \
    } while (0)

DM_INLINE void movs(struct cpu *c, const struct insn *i, unsigned n)
{
    const uint32_t m = amask(i), step = str_step(c, n);
    const bool early = c->model->string_early_update;
    if (!has_rep(i)) {
        movs_one(c, i->seg, m, step, n, early);
        return;
    }
    REP_LOOP(movs_one(c, i->seg, m, step, n, early),
             movs_fast(c, i->seg, m, step, n, budget));
}

DM_INLINE void stos(struct cpu *c, const struct insn *i, unsigned n)
{
    const uint32_t m = amask(i), step = str_step(c, n);
    const bool early = c->model->string_early_update;
    const uint32_t v = acc_get(c, n);
    if (!has_rep(i)) {
        stos_one(c, m, step, n, v, early);
        return;
    }
    REP_LOOP(stos_one(c, m, step, n, v, early), stos_fast(c, m, step, n, v, budget));
}

DM_INLINE void lods(struct cpu *c, const struct insn *i, unsigned n)
{
    const uint32_t m = amask(i), step = str_step(c, n);
    const bool early = c->model->string_early_update;
    if (!has_rep(i)) {
        lods_one(c, i->seg, m, step, n, early);
        return;
    }
    REP_LOOP(lods_one(c, i->seg, m, step, n, early), 0);
}

DM_INLINE void ins(struct cpu *c, const struct insn *i, unsigned n)
{
    const uint32_t m = amask(i), step = str_step(c, n);
    const bool early = c->model->string_early_update;
    const uint16_t port = get_r16(c, R_EDX);
    if (!has_rep(i)) {
        io_check(c, port, n);
        ins_one(c, m, step, n, port, early);
        return;
    }
    if (!(c->reg[R_ECX] & m))
        return;
    io_check(c, port, n);
    REP_LOOP(ins_one(c, m, step, n, port, early), 0);
}

DM_INLINE void outs(struct cpu *c, const struct insn *i, unsigned n)
{
    const uint32_t m = amask(i), step = str_step(c, n);
    const bool early = c->model->string_early_update;
    const uint16_t port = get_r16(c, R_EDX);
    if (!has_rep(i)) {
        io_check(c, port, n);
        outs_one(c, i->seg, m, step, n, port, early);
        return;
    }
    if (!(c->reg[R_ECX] & m))
        return;
    io_check(c, port, n);
    REP_LOOP(outs_one(c, i->seg, m, step, n, port, early), 0);
}

/* REPE (F3) repeats while equal, REPNE (F2) while not equal. */
#define REPZ_LOOP(ONE)                                                    \
    do {                                                                  \
        const bool want_eq = (i->flags & I_REP) != 0;                     \
        uint32_t cnt = c->reg[R_ECX] & m;                                 \
        uint32_t budget = cnt < STR_BUDGET ? cnt : STR_BUDGET;            \
        while (budget) {                                                  \
            if (early)                                                    \
                set_masked(c, R_ECX, cnt - 1, m);                         \
            bool eq = ONE;                                                \
            cnt--;                                                        \
            budget--;                                                     \
            set_masked(c, R_ECX, cnt, m);                                 \
            if (eq != want_eq)                                            \
                return;                                                   \
        }                                                                 \
        if (cnt)                                                          \
            rep_again(c);                                                 \
    } while (0)

DM_INLINE void cmps(struct cpu *c, const struct insn *i, unsigned n)
{
    const uint32_t m = amask(i), step = str_step(c, n);
    const bool early = c->model->string_early_update;
    if (!has_rep(i)) {
        (void)cmps_one(c, i->seg, m, step, n, early);
        return;
    }
    REPZ_LOOP(cmps_one(c, i->seg, m, step, n, early));
}

DM_INLINE void scas(struct cpu *c, const struct insn *i, unsigned n)
{
    const uint32_t m = amask(i), step = str_step(c, n);
    const bool early = c->model->string_early_update;
    if (!has_rep(i)) {
        (void)scas_one(c, m, step, n, early);
        return;
    }
    REPZ_LOOP(scas_one(c, m, step, n, early));
}

#define STR_HANDLERS(NAME, IMPL)                                          \
    HANDLER(op_##NAME##B) { IMPL(c, i, 1); }                              \
    HANDLER(op_##NAME##W_16) { IMPL(c, i, 2); }                           \
    HANDLER(op_##NAME##W_32) { IMPL(c, i, 4); }

STR_HANDLERS(MOVS, movs)
STR_HANDLERS(CMPS, cmps)
STR_HANDLERS(STOS, stos)
STR_HANDLERS(LODS, lods)
STR_HANDLERS(SCAS, scas)
STR_HANDLERS(INS, ins)
STR_HANDLERS(OUTS, outs)

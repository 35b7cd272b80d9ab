/* Builds the decoder's per-generation lookup tables from opcodes.def. */
#include "insn.h"
#include "optable.h"

#include <stdio.h>
#include <string.h>

struct row {
    struct optable_row info;
    insn_fn fn[2][2];
};

#define FN_RMV(N) { { op_##N##_r16, op_##N##_r32 }, { op_##N##_m16, op_##N##_m32 } }
#define FN_RMB(N) { { op_##N##_r, op_##N##_r }, { op_##N##_m, op_##N##_m } }
#define FN_MV(N) { { op_UD, op_UD }, { op_##N##_m16, op_##N##_m32 } }
#define FN_MB(N) { { op_UD, op_UD }, { op_##N##_m, op_##N##_m } }
#define FN_V(N) { { op_##N##_16, op_##N##_32 }, { op_##N##_16, op_##N##_32 } }
#define FN_B(N) { { op_##N, op_##N }, { op_##N, op_##N } }

static const struct row rows[] = {
#define OP(code, reg, N, mn, FORM, attrs, gen) \
    { { code, reg, #N, mn, FORM_##FORM, attrs, gen, 0 }, FN_##FORM(N) },
#define OLD(code, reg, N, mn, FORM, attrs, gen) \
    { { code, reg, #N, mn, FORM_##FORM, attrs, gen, 1 }, FN_##FORM(N) },
#include "opcodes.def"
#undef OP
#undef OLD
};

#define NROWS (sizeof rows / sizeof rows[0])

size_t optable_nrows(void) { return NROWS; }
const struct optable_row *optable_row(size_t k) { return k < NROWS ? &rows[k].info : NULL; }

static struct optable tables[GEN_COUNT];
static bool built[GEN_COUNT];

static void put(struct optable *t, const struct row *row)
{
    const struct optable_row *r = &row->info;
    for (int reg = 0; reg < 8; reg++) {
        if (r->reg != ANY && r->reg != reg)
            continue;
        struct opdesc *d = &t->d[r->code][reg];
        memcpy(d->fn, row->fn, sizeof d->fn);
        d->mnem = r->mnem;
        d->attrs = r->attrs;
        d->gen = r->gen;
        d->present = 1;
    }
    if (r->reg != ANY)
        t->group[r->code] = 1;
}

static void build(int gen)
{
    struct optable *t = &tables[gen];
    memset(t, 0, sizeof *t);
    for (size_t k = 0; k < NROWS; k++)
        if (!rows[k].info.old && rows[k].info.gen <= gen)
            put(t, &rows[k]);
    /* Older chips' meanings of an encoding replace the newer ones. */
    for (size_t k = 0; k < NROWS; k++)
        if (rows[k].info.old && gen <= rows[k].info.gen)
            put(t, &rows[k]);
    for (int code = 0; code < 512; code++)
        for (int reg = 0; reg < 8; reg++)
            if (!t->d[code][reg].present) {
                struct opdesc *d = &t->d[code][reg];
                d->fn[0][0] = d->fn[0][1] = d->fn[1][0] = d->fn[1][1] = op_UD;
                d->mnem = "(bad)";
            }
}

const struct optable *optable_for(int gen)
{
    /* Built on first use; the tables are read-only afterwards, so two
     * machines may share them (build them before starting threads). */
    if (!built[gen]) {
        build(gen);
        built[gen] = true;
    }
    return &tables[gen];
}

const char *insn_mnemonic(const struct cpu *c, const struct insn *i, char *buf, unsigned n)
{
    const struct optable *t = optable_for(c->model->gen);
    const char *m = t->d[i->op][i->row].mnem;
    /* x87 rows: "memory;register", a register part with commas naming
     * ModRM.rm 0-7 (empty: reserved). */
    const char *semi = strchr(m, ';');
    if (semi) {
        bool reg = (i->modrm >> 6) == 3;
        const char *p = reg ? semi + 1 : m;
        size_t len = reg ? strlen(p) : (size_t)(semi - m);
        if (reg && strchr(p, ',')) {
            for (unsigned k = 0; k < i->rm; k++)
                p = strchr(p, ',') + 1;
            const char *comma = strchr(p, ',');
            len = comma ? (size_t)(comma - p) : strlen(p);
        }
        if (len == 0)
            snprintf(buf, n, "(bad)");
        else
            snprintf(buf, n, "%.*s", (int)len, p);
        return buf;
    }
    /* "a/b" picks by operand size, "a|b" by address size (JCXZ/JECXZ). */
    const char *sep = strpbrk(m, "/|");
    if (!sep) {
        snprintf(buf, n, "%s", m);
    } else if (i->flags & (*sep == '/' ? I_O32 : I_A32)) {
        snprintf(buf, n, "%s", sep + 1);
    } else {
        snprintf(buf, n, "%.*s", (int)(sep - m), m);
    }
    return buf;
}

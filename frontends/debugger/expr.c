/* Debugger expressions: conditions of breakpoints (`ax==0x1234`,
 * `eax>5 && [ds:si]==0x41`) and addresses (`ds:si`, `linear 0x7c00`).
 *
 * Grammar (C precedence):
 *   expr   := or
 *   or     := and { "||" and }           and := cmp { "&&" cmp }
 *   cmp    := bit [ ("=="|"!="|"<"|"<="|">"|">=") bit ]
 *   bit    := sum { ("&"|"|"|"^") sum }   sum := prod { ("+"|"-") prod }
 *   prod   := unary { ("*"|"/"|"%"|"<<"|">>") unary }
 *   unary  := ("-"|"!"|"~") unary | primary
 *   primary:= number | register | flag | symbol | "(" expr ")"
 *           | [byte|word|dword] "[" addr "]"     memory (byte by default)
 *   addr   := expr ":" expr  (segment register or selector value : offset)
 *           | expr           (linear)
 * A condition is compiled once into a node tree and evaluated at every
 * instruction while `continue` runs.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dbg.h"

enum nkind { N_NUM, N_REG, N_SYM, N_MEM, N_UN, N_BIN };

struct dbg_expr {
    enum nkind kind;
    int op;                 /* N_UN: '-','!','~'; N_BIN: token code */
    uint64_t num;
    char name[32];          /* N_REG / N_SYM */
    unsigned size;          /* N_MEM: 1, 2, 4 */
    struct dbg_expr *a, *b; /* N_MEM: a = segment (or NULL), b = offset/linear */
};

enum { T_EQ = 256, T_NE, T_LE, T_GE, T_AND, T_OR, T_SHL, T_SHR };

struct parser {
    const char *s;
    char *err;
    size_t errlen;
    bool failed;
};

static void skip(struct parser *p)
{
    while (isspace((unsigned char)*p->s))
        p->s++;
}

static void fail(struct parser *p, const char *msg)
{
    if (!p->failed)
        snprintf(p->err, p->errlen, "%s at '%.20s'", msg, *p->s ? p->s : "end");
    p->failed = true;
}

static struct dbg_expr *node(enum nkind k)
{
    struct dbg_expr *e = calloc(1, sizeof *e);
    if (e)
        e->kind = k;
    return e;
}

void dbg_expr_free(struct dbg_expr *e)
{
    if (!e)
        return;
    dbg_expr_free(e->a);
    dbg_expr_free(e->b);
    free(e);
}

static struct dbg_expr *parse_or(struct parser *p);

static bool accept(struct parser *p, const char *tok)
{
    skip(p);
    size_t n = strlen(tok);
    if (strncmp(p->s, tok, n) == 0) {
        p->s += n;
        return true;
    }
    return false;
}

static struct dbg_expr *parse_mem(struct parser *p, unsigned size)
{
    struct dbg_expr *e = node(N_MEM);
    e->size = size;
    /* [0:7c00]: a seg:off of bare digits is hexadecimal (see dbg_parse_addr) */
    const char *q = p->s;
    while (isspace((unsigned char)*q)) q++;
    const char *s1 = q;
    while (isxdigit((unsigned char)*q)) q++;
    const char *e1 = q;
    while (isspace((unsigned char)*q)) q++;
    if (e1 > s1 && e1 - s1 <= 8 && *q == ':') {
        q++;
        while (isspace((unsigned char)*q)) q++;
        const char *s2 = q;
        while (isxdigit((unsigned char)*q)) q++;
        const char *e2 = q;
        while (isspace((unsigned char)*q)) q++;
        if (e2 > s2 && e2 - s2 <= 8 && *q == ']') {
            e->a = node(N_NUM);
            e->a->num = strtoull(s1, NULL, 16);
            e->b = node(N_NUM);
            e->b->num = strtoull(s2, NULL, 16);
            p->s = q + 1;
            return e;
        }
    }
    struct dbg_expr *first = parse_or(p);
    if (accept(p, ":")) {
        e->a = first;
        e->b = parse_or(p);
    } else {
        e->b = first;
    }
    if (!accept(p, "]"))
        fail(p, "expected ']'");
    return e;
}

static struct dbg_expr *parse_primary(struct parser *p)
{
    skip(p);
    const char *s = p->s;
    if (*s == '(') {
        p->s++;
        struct dbg_expr *e = parse_or(p);
        if (!accept(p, ")"))
            fail(p, "expected ')'");
        return e;
    }
    if (*s == '[') {
        p->s++;
        return parse_mem(p, 1);
    }
    if (isdigit((unsigned char)*s)) {
        char *end;
        unsigned long long v = strtoull(s, &end, 0);
        if (end == s || isalnum((unsigned char)*end) || *end == '_') {
            fail(p, "bad number");
            return node(N_NUM);
        }
        p->s = end;
        struct dbg_expr *e = node(N_NUM);
        e->num = v;
        return e;
    }
    if (isalpha((unsigned char)*s) || *s == '_' || *s == '.' || *s == '$') {
        if (*s == '$')
            s++;
        const char *t = s;
        while (isalnum((unsigned char)*t) || *t == '_' || *t == '.')
            t++;
        size_t n = (size_t)(t - s);
        static const struct { const char *w; unsigned size; } sizes[] = {
            { "byte", 1 }, { "word", 2 }, { "dword", 4 } };
        for (unsigned k = 0; k < 3; k++) {
            if (n == strlen(sizes[k].w) && strncmp(s, sizes[k].w, n) == 0) {
                p->s = t;
                skip(p);
                if (*p->s == '[') {
                    p->s++;
                    return parse_mem(p, sizes[k].size);
                }
                fail(p, "expected '[' after size");
                return node(N_NUM);
            }
        }
        if (n >= sizeof((struct dbg_expr *)0)->name) {
            fail(p, "name too long");
            return node(N_NUM);
        }
        struct dbg_expr *e = node(N_REG);
        memcpy(e->name, s, n);
        e->name[n] = 0;
        for (char *q = e->name; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        uint32_t dummy;
        if (!dbg_reg_value(NULL, e->name, n, &dummy)) {
            e->kind = N_SYM;   /* resolved against -symbols at evaluation */
            memcpy(e->name, s, n);
        }
        p->s = t;
        return e;
    }
    fail(p, "expected a number, register, symbol or [memory]");
    return node(N_NUM);
}

static struct dbg_expr *parse_unary(struct parser *p)
{
    skip(p);
    char ch = *p->s;
    if ((ch == '-' || ch == '!' || ch == '~') && p->s[1] != '=') {
        p->s++;
        struct dbg_expr *e = node(N_UN);
        e->op = ch;
        e->a = parse_unary(p);
        return e;
    }
    return parse_primary(p);
}

static struct dbg_expr *bin(int op, struct dbg_expr *a, struct dbg_expr *b)
{
    struct dbg_expr *e = node(N_BIN);
    e->op = op;
    e->a = a;
    e->b = b;
    return e;
}

static struct dbg_expr *parse_prod(struct parser *p)
{
    struct dbg_expr *e = parse_unary(p);
    for (;;) {
        if (accept(p, "<<")) e = bin(T_SHL, e, parse_unary(p));
        else if (accept(p, ">>")) e = bin(T_SHR, e, parse_unary(p));
        else if (accept(p, "*")) e = bin('*', e, parse_unary(p));
        else if (accept(p, "/")) e = bin('/', e, parse_unary(p));
        else if (accept(p, "%")) e = bin('%', e, parse_unary(p));
        else return e;
    }
}

static struct dbg_expr *parse_sum(struct parser *p)
{
    struct dbg_expr *e = parse_prod(p);
    for (;;) {
        if (accept(p, "+")) e = bin('+', e, parse_prod(p));
        else if (accept(p, "-")) e = bin('-', e, parse_prod(p));
        else return e;
    }
}

static struct dbg_expr *parse_bit(struct parser *p)
{
    struct dbg_expr *e = parse_sum(p);
    for (;;) {
        skip(p);
        if (p->s[0] == '&' && p->s[1] != '&') { p->s++; e = bin('&', e, parse_sum(p)); }
        else if (p->s[0] == '|' && p->s[1] != '|') { p->s++; e = bin('|', e, parse_sum(p)); }
        else if (p->s[0] == '^') { p->s++; e = bin('^', e, parse_sum(p)); }
        else return e;
    }
}

static struct dbg_expr *parse_cmp(struct parser *p)
{
    struct dbg_expr *e = parse_bit(p);
    if (accept(p, "==")) return bin(T_EQ, e, parse_bit(p));
    if (accept(p, "!=")) return bin(T_NE, e, parse_bit(p));
    if (accept(p, "<=")) return bin(T_LE, e, parse_bit(p));
    if (accept(p, ">=")) return bin(T_GE, e, parse_bit(p));
    if (accept(p, "<")) return bin('<', e, parse_bit(p));
    if (accept(p, ">")) return bin('>', e, parse_bit(p));
    return e;
}

static struct dbg_expr *parse_and(struct parser *p)
{
    struct dbg_expr *e = parse_cmp(p);
    while (accept(p, "&&"))
        e = bin(T_AND, e, parse_cmp(p));
    return e;
}

static struct dbg_expr *parse_or(struct parser *p)
{
    struct dbg_expr *e = parse_and(p);
    while (accept(p, "||"))
        e = bin(T_OR, e, parse_and(p));
    return e;
}

struct dbg_expr *dbg_expr_compile(const char *s, char *err, size_t errlen)
{
    struct parser p = { .s = s, .err = err, .errlen = errlen };
    struct dbg_expr *e = parse_or(&p);
    skip(&p);
    if (!p.failed && *p.s)
        fail(&p, "unexpected text");
    if (p.failed) {
        dbg_expr_free(e);
        return NULL;
    }
    return e;
}

/* ---------------------------------------------------------------- registers */

static const char *const r32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const r16[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
static const char *const r8[8] = { "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" };
static const char *const sregs[6] = { "es", "cs", "ss", "ds", "fs", "gs" };
static const struct { const char *n; uint32_t bit; } flagnames[] = {
    { "cf", F_CF }, { "pf", F_PF }, { "af", F_AF }, { "zf", F_ZF }, { "sf", F_SF },
    { "tf", F_TF }, { "if", F_IF }, { "df", F_DF }, { "of", F_OF },
};

static bool is(const char *name, size_t len, const char *w)
{
    return strlen(w) == len && strncmp(name, w, len) == 0;
}

int dbg_sreg_index(const char *name, size_t len)
{
    for (int k = 0; k < 6; k++)
        if (is(name, len, sregs[k]))
            return k;
    return -1;
}

/* With d == NULL only says whether the name is a register. */
bool dbg_reg_value(struct dbg *d, const char *name, size_t len, uint32_t *val)
{
    const struct cpu *c = d ? &d->m->cpu : NULL;
    for (unsigned k = 0; k < 8; k++) {
        if (is(name, len, r32[k])) { *val = c ? c->reg[k] : 0; return true; }
        if (is(name, len, r16[k])) { *val = c ? get_r16(c, k) : 0; return true; }
        if (is(name, len, r8[k])) { *val = c ? get_r8(c, k) : 0; return true; }
    }
    int s = dbg_sreg_index(name, len);
    if (s >= 0) { *val = c ? c->seg[s].sel : 0; return true; }
    if (is(name, len, "eip") || is(name, len, "pc")) { *val = c ? c->eip : 0; return true; }
    if (is(name, len, "ip")) { *val = c ? (c->eip & 0xFFFF) : 0; return true; }
    if (is(name, len, "eflags")) { *val = c ? cpu_get_eflags(c) : 0; return true; }
    if (is(name, len, "flags")) { *val = c ? (cpu_get_eflags(c) & 0xFFFF) : 0; return true; }
    for (unsigned k = 0; k < 5; k++) {
        char n[4] = { 'c', 'r', (char)('0' + k), 0 };
        if (is(name, len, n)) { *val = c ? c->cr[k] : 0; return true; }
    }
    for (unsigned k = 0; k < sizeof flagnames / sizeof flagnames[0]; k++)
        if (is(name, len, flagnames[k].n)) {
            *val = c ? (cpu_get_eflags(c) & flagnames[k].bit) != 0 : 0;
            return true;
        }
    return false;
}

/* ---------------------------------------------------------------- eval */

static bool seg_base_of(struct dbg *d, const struct dbg_expr *segx, uint32_t *base)
{
    const struct cpu *c = &d->m->cpu;
    if (segx->kind == N_REG) {
        int s = dbg_sreg_index(segx->name, strlen(segx->name));
        if (s >= 0) {
            *base = c->seg[s].base;
            return true;
        }
    }
    uint64_t v;
    if (!dbg_expr_eval(d, segx, &v))
        return false;
    if (cpu_pe(c) && !cpu_vm86(c))
        return false;   /* a selector value needs a descriptor: use a register */
    *base = (uint32_t)(v & 0xFFFF) << 4;
    return true;
}

bool dbg_expr_eval(struct dbg *d, const struct dbg_expr *e, uint64_t *val)
{
    uint64_t a = 0, b = 0;
    switch (e->kind) {
    case N_NUM:
        *val = e->num;
        return true;
    case N_REG: {
        uint32_t v;
        if (!dbg_reg_value(d, e->name, strlen(e->name), &v))
            return false;
        *val = v;
        return true;
    }
    case N_SYM: {
        uint32_t v;
        if (!dbg_sym_lookup(d, e->name, &v))
            return false;
        *val = v;
        return true;
    }
    case N_MEM: {
        uint64_t off;
        uint32_t base = 0;
        if (!dbg_expr_eval(d, e->b, &off))
            return false;
        if (e->a && !seg_base_of(d, e->a, &base))
            return false;
        uint8_t buf[4] = { 0 };
        if (!dbg_read(d, base + (uint32_t)off, false, buf, e->size))
            return false;
        *val = buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
        return true;
    }
    case N_UN:
        if (!dbg_expr_eval(d, e->a, &a))
            return false;
        *val = e->op == '-' ? (uint64_t)0 - a : e->op == '!' ? (a == 0) : ~a;
        *val &= 0xFFFFFFFFu;
        return true;
    case N_BIN:
        if (e->op == T_AND || e->op == T_OR) {
            if (!dbg_expr_eval(d, e->a, &a))
                return false;
            if ((e->op == T_AND && !a) || (e->op == T_OR && a)) {
                *val = e->op == T_OR;
                return true;
            }
            if (!dbg_expr_eval(d, e->b, &b))
                return false;
            *val = b != 0;
            return true;
        }
        if (!dbg_expr_eval(d, e->a, &a) || !dbg_expr_eval(d, e->b, &b))
            return false;
        switch (e->op) {
        case '+': *val = a + b; break;
        case '-': *val = a - b; break;
        case '*': *val = a * b; break;
        case '/': if (!b) return false; *val = a / b; break;
        case '%': if (!b) return false; *val = a % b; break;
        case '&': *val = a & b; break;
        case '|': *val = a | b; break;
        case '^': *val = a ^ b; break;
        case T_SHL: *val = b >= 32 ? 0 : a << b; break;
        case T_SHR: *val = b >= 32 ? 0 : a >> b; break;
        case T_EQ: *val = a == b; break;
        case T_NE: *val = a != b; break;
        case T_LE: *val = a <= b; break;
        case T_GE: *val = a >= b; break;
        case '<': *val = a < b; break;
        case '>': *val = a > b; break;
        default: return false;
        }
        *val &= 0xFFFFFFFFu;
        return true;
    }
    return false;
}

bool dbg_eval(struct dbg *d, const char *s, uint64_t *val, char *err, size_t errlen)
{
    struct dbg_expr *e = dbg_expr_compile(s, err, errlen);
    if (!e)
        return false;
    bool ok = dbg_expr_eval(d, e, val);
    if (!ok)
        snprintf(err, errlen, "cannot evaluate '%s' (unknown symbol, unreadable memory, "
                 "or division by zero)", s);
    dbg_expr_free(e);
    return ok;
}

/* ---------------------------------------------------------------- addresses */

static const char *skip_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    while (isspace((unsigned char)*s))
        s++;
    if (strncmp(s, w, n) == 0 && (isspace((unsigned char)s[n]) || s[n] == 0))
        return s + n;
    return NULL;
}

/* A bare run of hex digits (surrounding blanks allowed), as hex. */
static bool hex_word(const char *s, uint64_t *v)
{
    while (isspace((unsigned char)*s))
        s++;
    const char *t = s;
    while (isxdigit((unsigned char)*t))
        t++;
    const char *e = t;
    while (isspace((unsigned char)*e))
        e++;
    if (t == s || *e || t - s > 8)
        return false;
    *v = strtoull(s, NULL, 16);
    return true;
}

/* Top-level ':' outside brackets/parentheses, or NULL. */
static const char *find_colon(const char *s)
{
    int depth = 0;
    for (; *s; s++) {
        if (*s == '[' || *s == '(') depth++;
        else if (*s == ']' || *s == ')') depth--;
        else if (*s == ':' && depth == 0) return s;
    }
    return NULL;
}

bool dbg_parse_addr(struct dbg *d, const char *s, enum dbg_addr_kind *kind,
                    uint16_t *sel, uint32_t *addr, char *err, size_t errlen)
{
    const char *rest;
    uint64_t v;
    *sel = 0;
    if ((rest = skip_word(s, "linear")) != NULL || (rest = skip_word(s, "phys")) != NULL) {
        *kind = rest[-1] == 's' ? DA_PHYS : DA_LIN;
        if (!dbg_eval(d, rest, &v, err, errlen))
            return false;
        *addr = (uint32_t)v;
        return true;
    }
    const char *colon = find_colon(s);
    if (!colon) {
        *kind = DA_LIN;
        if (!dbg_eval(d, s, &v, err, errlen))
            return false;
        *addr = (uint32_t)v;
        return true;
    }
    char segtxt[64];
    size_t n = (size_t)(colon - s);
    if (n >= sizeof segtxt) {
        snprintf(err, errlen, "segment part too long");
        return false;
    }
    memcpy(segtxt, s, n);
    segtxt[n] = 0;
    uint64_t sv, ov;
    /* seg:off written as bare digits is hexadecimal, as in DEBUG.COM and
     * every BIOS listing (0:7c00, f000:fff0); anything else is an
     * expression (ds:si, cs:ip+2). */
    if (!hex_word(segtxt, &sv) && !dbg_eval(d, segtxt, &sv, err, errlen))
        return false;
    if (!hex_word(colon + 1, &ov) && !dbg_eval(d, colon + 1, &ov, err, errlen))
        return false;
    *kind = DA_SEGOFF;
    *sel = (uint16_t)sv;
    *addr = (uint32_t)ov;
    return true;
}

uint32_t dbg_addr_lin(struct dbg *d, enum dbg_addr_kind kind, uint16_t sel, uint32_t addr)
{
    const struct cpu *c = &d->m->cpu;
    if (kind != DA_SEGOFF)
        return addr;
    /* seg:off with a selector: use the base of a segment register holding
     * it (descriptor caches are what the CPU uses), else real-mode style. */
    for (int s = 0; s < S_NSEG; s++)
        if (c->seg[s].sel == sel && (cpu_pe(c) && !cpu_vm86(c)))
            return c->seg[s].base + addr;
    return ((uint32_t)sel << 4) + addr;
}

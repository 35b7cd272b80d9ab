/* The teaching views.
 *
 * `explain` before a step: how the instruction at CS:EIP decodes, field by
 * field (prefixes, opcode and its table row, ModRM mod/reg/rm, SIB,
 * displacement, immediate), the effective-address computation with the
 * actual register values and the linear/physical address, and the operand
 * and address sizes with the reason for each (SDM Vol. 1 3.6, Vol. 2 2.1).
 *
 * `explain` after a step: which registers, memory bytes and flags changed,
 * and why each arithmetic flag took its value, worked out from the
 * instruction family and the operand values captured before the step
 * (SDM Vol. 1 3.4.3 and appendix A; Vol. 2, each instruction's "Flags
 * Affected").  The reasoning is done here, independently of the CPU's lazy
 * flags, and the values printed are the CPU's own.
 *
 * The instruction is decoded with pcvm's own decoder from bytes read
 * without side effects (cpu/decode.h's buffer hook), so explaining never
 * changes the machine.
 */
#include <string.h>

#include "cpu/decode.h"
#include "cpu/optable.h"
#include "dbg.h"

static const char *const r32n[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const r16n[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
static const char *const r8n[8] = { "al", "cl", "dl", "bl", "ah", "ch", "dh", "bh" };
static const char *const sregn[8] = { "es", "cs", "ss", "ds", "fs", "gs", "?", "?" };

/* The opcodes.def row the decoder used for (op, row) on this model. */
static const struct optable_row *find_row(int gen, unsigned op, unsigned reg)
{
    const struct optable_row *best = NULL;
    for (size_t k = 0; k < optable_nrows(); k++) {
        const struct optable_row *r = optable_row(k);
        if ((unsigned)r->code != op || (r->reg != ANY && (unsigned)r->reg != reg))
            continue;
        if (!r->old && r->gen <= gen && (!best || !best->old))
            best = r;
    }
    for (size_t k = 0; k < optable_nrows(); k++) {
        const struct optable_row *r = optable_row(k);
        if ((unsigned)r->code == op && (r->reg == ANY || (unsigned)r->reg == reg) && r->old &&
            gen <= r->gen)
            best = r;
    }
    return best;
}

/* Operand tokens of a handler name: "ADD_EbGb" -> "Eb", "Gb". */
static int operand_tokens(const char *name, char tok[4][5])
{
    const char *s = strchr(name, '_');
    int n = 0;
    if (!s)
        return 0;
    s++;
    while (*s && n < 4) {
        size_t len;
        if (strncmp(s, "eAX", 3) == 0)
            len = 3;
        else if (s[0] == 'r' && (s[1] == 'b' || s[1] == 'v'))
            len = 2;
        else if (s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z')
            len = 2;   /* AL, DX, CL, CS ... */
        else if (s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z')
            len = 2;   /* Eb, Gv, Ib, Sw ... */
        else
            len = 1;   /* "1", "r" */
        memcpy(tok[n], s, len);
        tok[n][len] = 0;
        n++;
        s += len;
    }
    return n;
}

/* Operand width in bytes for a token's size letter. */
static unsigned tok_width(const char *t, const struct insn *i)
{
    char z = t[1];
    if (strcmp(t, "eAX") == 0)
        return (i->flags & I_O32) ? 4 : 2;
    if (strcmp(t, "AL") == 0 || strcmp(t, "CL") == 0)
        return 1;
    if (strcmp(t, "DX") == 0)
        return 2;
    switch (z) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'v': return (i->flags & I_O32) ? 4 : 2;
    default: return 0;
    }
}

static const char *reg_name(unsigned r, unsigned w)
{
    return w == 1 ? r8n[r & 7] : w == 2 ? r16n[r & 7] : r32n[r & 7];
}

struct decoded {
    struct insn i;
    uint8_t bytes[16];
    const struct optable_row *row;
    char tok[4][5];
    int ntok;
    uint32_t lin;
    bool is_mem;
};

static bool decode_here(struct dbg *d, struct decoded *x)
{
    struct cpu *c = &d->m->cpu;
    memset(x, 0, sizeof *x);
    x->lin = c->seg[S_CS].base + c->eip;
    dbg_read(d, x->lin, false, x->bytes, sizeof x->bytes);
    struct fetcher f = { .c = c, .eip = c->eip, .code32 = cpu_code32(c),
                         .buf = x->bytes, .buflen = sizeof x->bytes };
    decode_insn(&f, optable_for(c->model->gen), &x->i);
    if (f.failed)
        return false;
    x->row = find_row(c->model->gen, x->i.op, x->i.row);
    if (x->row)
        x->ntok = operand_tokens(x->row->name, x->tok);
    x->is_mem = x->i.modrm && (x->i.modrm >> 6) != 3 && x->row && !(x->row->attrs & A_MODREG);
    return true;
}

static const char *prefix_name(uint8_t b)
{
    switch (b) {
    case 0x26: return "ES segment override";
    case 0x2E: return "CS segment override";
    case 0x36: return "SS segment override";
    case 0x3E: return "DS segment override";
    case 0x64: return "FS segment override";
    case 0x65: return "GS segment override";
    case 0x66: return "operand-size override";
    case 0x67: return "address-size override";
    case 0xF0: return "LOCK";
    case 0xF1: return "LOCK (undocumented alias)";
    case 0xF2: return "REPNE/REPNZ";
    case 0xF3: return "REP/REPE/REPZ";
    }
    return "?";
}

/* The E operand's description for a register form. */
static void e_operand(const struct decoded *x, char *buf, size_t n)
{
    unsigned w = 0;
    for (int k = 0; k < x->ntok; k++)
        if (x->tok[k][0] == 'E' || x->tok[k][0] == 'R' || x->tok[k][0] == 'M')
            w = x->tok[k][0] == 'R' ? 4 : tok_width(x->tok[k], &x->i);
    snprintf(buf, n, "%s", reg_name(x->i.rm, w ? w : 2));
}

static void explain_ea(struct dbg *d, FILE *f, const struct decoded *x)
{
    const struct cpu *c = &d->m->cpu;
    const struct insn *i = &x->i;
    bool a32 = i->flags & I_A32;
    char expr[128] = "", vals[160] = "";
    const char *const *rn = a32 ? r32n : r16n;
    if (i->base != R_ZERO) {
        snprintf(expr, sizeof expr, "%s", rn[i->base]);
        snprintf(vals, sizeof vals, "0x%0*x", a32 ? 8 : 4,
                 a32 ? c->reg[i->base] : (c->reg[i->base] & 0xFFFF));
    }
    if (i->index != R_ZERO) {
        size_t l = strlen(expr), lv = strlen(vals);
        snprintf(expr + l, sizeof expr - l, "%s%s%s", l ? " + " : "", rn[i->index],
                 i->scale ? (i->scale == 1 ? "*2" : i->scale == 2 ? "*4" : "*8") : "");
        snprintf(vals + lv, sizeof vals - lv, "%s0x%0*x%s", lv ? " + " : "", a32 ? 8 : 4,
                 a32 ? c->reg[i->index] : (c->reg[i->index] & 0xFFFF),
                 i->scale ? (i->scale == 1 ? "*2" : i->scale == 2 ? "*4" : "*8") : "");
    }
    if (i->disp || (i->base == R_ZERO && i->index == R_ZERO)) {
        size_t l = strlen(expr), lv = strlen(vals);
        snprintf(expr + l, sizeof expr - l, "%sdisp", l ? " + " : "");
        snprintf(vals + lv, sizeof vals - lv, "%s0x%0*x", lv ? " + " : "", a32 ? 8 : 4,
                 a32 ? i->disp : (i->disp & 0xFFFF));
    }
    uint32_t ea = insn_ea(c, i);
    fprintf(f, "  effective address: %s = %s = 0x%0*x%s\n", expr, vals, a32 ? 8 : 4, ea,
            a32 ? "" : " (16-bit address: wraps at 64 KiB)");
    const char *why;
    if (i->flags & I_SEGOVR)
        why = "segment override prefix";
    else if (i->base == R_EBP || i->base == R_ESP)
        why = "default for addresses based on BP/SP/EBP/ESP";
    else
        why = "default data segment";
    uint32_t lin = c->seg[i->seg].base + ea, phys = 0;
    bool mapped = dbg_lin2phys(d, lin, &phys);
    fprintf(f, "  segment: %s (%s), base 0x%08x -> linear 0x%08x", sregn[i->seg], why,
            c->seg[i->seg].base, lin);
    if (mapped)
        fprintf(f, " -> physical 0x%08x\n", phys);
    else
        fprintf(f, " -> not mapped (page fault)\n");
}

/* String instructions: which of DS:SI and ES:DI they use, how the
 * pointers move, and what REP does (SDM Vol. 1 7.3.9, Vol. 2 REP). */
static void explain_string(struct dbg *d, FILE *f, const struct decoded *x, const char *mn)
{
    const struct cpu *c = &d->m->cpu;
    const struct insn *i = &x->i;
    bool a32 = i->flags & I_A32;
    size_t ml = strlen(mn);
    unsigned size = mn[ml - 1] == 'b' ? 1 : mn[ml - 1] == 'w' ? 2 : 4;
    bool src = !strncmp(mn, "movs", 4) || !strncmp(mn, "cmps", 4) || !strncmp(mn, "lods", 4) ||
               !strncmp(mn, "outs", 4);
    bool dst = !strncmp(mn, "movs", 4) || !strncmp(mn, "cmps", 4) || !strncmp(mn, "stos", 4) ||
               !strncmp(mn, "scas", 4) || !strncmp(mn, "ins", 3);
    const char *si = a32 ? "esi" : "si", *di = a32 ? "edi" : "di", *cx = a32 ? "ecx" : "cx";
    uint32_t amask = a32 ? 0xFFFFFFFFu : 0xFFFFu;
    if (src) {
        uint32_t off = c->reg[R_ESI] & amask;
        fprintf(f, "  source: %s:%s = %04x:%0*x -> linear 0x%08x (%s)\n", sregn[i->seg], si,
                c->seg[i->seg].sel, a32 ? 8 : 4, off, c->seg[i->seg].base + off,
                (i->flags & I_SEGOVR) ? "segment override prefix" : "DS by default");
    }
    if (dst) {
        uint32_t off = c->reg[R_EDI] & amask;
        fprintf(f, "  destination: es:%s = %04x:%0*x -> linear 0x%08x (always ES: no override)\n",
                di, c->seg[S_ES].sel, a32 ? 8 : 4, off, c->seg[S_ES].base + off);
    }
    bool df = (cpu_get_eflags(c) & F_DF) != 0;
    fprintf(f, "  then %s%s%s %s by %u per element (DF=%u: addresses %s)\n", src ? si : "",
            src && dst ? " and " : "", dst ? di : "", src && dst ? "move" : "moves", size, df,
            df ? "decrease" : "increase");
    if (i->flags & (I_REP | I_REPNE)) {
        bool cond = !strncmp(mn, "cmps", 4) || !strncmp(mn, "scas", 4);
        uint32_t n = c->reg[R_ECX] & amask;
        fprintf(f, "  %s prefix: repeats while %s != 0 (now %u), decrementing it each time%s\n",
                (i->flags & I_REP) ? (cond ? "REPE" : "REP") : "REPNE", cx, n,
                !cond ? "" : (i->flags & I_REP) ? ", and stops early when ZF=0 (a difference)"
                                                : ", and stops early when ZF=1 (a match)");
    }
}

void dbg_explain_decode(struct dbg *d, FILE *f)
{
    struct cpu *c = &d->m->cpu;
    struct decoded x;
    if (!decode_here(d, &x)) {
        fprintf(f, "explain: cannot read the instruction at %04x:%04x\n", c->seg[S_CS].sel, c->eip);
        return;
    }
    const struct insn *i = &x.i;
    bool code32 = cpu_code32(c);
    char text[160];
    dbg_disas1(d, x.lin, code32, text, sizeof text);
    fprintf(f, "%04x:%0*x (linear 0x%08x):", c->seg[S_CS].sel, code32 ? 8 : 4, c->eip, x.lin);
    for (unsigned k = 0; k < i->len; k++)
        fprintf(f, " %02x", x.bytes[k]);
    fprintf(f, "  %s\n", text);

    /* prefixes */
    if (i->nprefix == 0)
        fprintf(f, "  prefixes: none\n");
    for (unsigned k = 0; k < i->nprefix; k++)
        fprintf(f, "  prefix %02x: %s\n", x.bytes[k], prefix_name(x.bytes[k]));

    /* opcode */
    unsigned ob = i->nprefix;
    const char *mn = x.row ? x.row->mnem : "(bad)";
    char mbuf[32];
    mn = insn_mnemonic(c, i, mbuf, sizeof mbuf);
    if (i->op >= 0x100)
        fprintf(f, "  opcode: 0f %02x (two-byte map)", i->op & 0xFF);
    else
        fprintf(f, "  opcode: %02x", x.bytes[ob]);
    fprintf(f, " -> %s", mn);
    if (x.row) {
        fprintf(f, ", table row %s", x.row->name);
        if (x.ntok) {
            fprintf(f, " (operands");
            for (int k = 0; k < x.ntok; k++)
                fprintf(f, " %s", x.tok[k]);
            fprintf(f, ")");
        }
    }
    fputc('\n', f);
    if (x.row && x.row->reg == ANY && x.row->form == FORM_V && !i->modrm &&
        (x.ntok == 0 || x.tok[0][0] == 'r'))
        fprintf(f, "  register in the opcode: low 3 bits %u -> %s\n", i->reg,
                reg_name(i->reg, (i->flags & I_O32) ? 4 : 2));

    /* ModRM */
    if (i->modrm) {
        unsigned mod = i->modrm >> 6, reg = (i->modrm >> 3) & 7, rm = i->modrm & 7;
        fprintf(f, "  ModRM: %02x = %u%u %u%u%u %u%u%u: mod=%u reg=%u rm=%u\n", i->modrm,
                mod >> 1, mod & 1, reg >> 2, (reg >> 1) & 1, reg & 1, rm >> 2, (rm >> 1) & 1,
                rm & 1, mod, reg, rm);
        bool group = x.row && x.row->reg != ANY;
        if (group) {
            fprintf(f, "    reg=%u selects the operation: %s (opcode %02x is a group)\n", reg,
                    mn, i->op & 0xFF);
        } else {
            const char *gt = NULL;
            for (int k = 0; k < x.ntok; k++)
                if (strchr("GSCD", x.tok[k][0]) && x.tok[k][1] >= 'a')
                    gt = x.tok[k];
            if (gt && gt[0] == 'G')
                fprintf(f, "    reg=%u -> register operand %s\n", reg,
                        reg_name(reg, tok_width(gt, i)));
            else if (gt && gt[0] == 'S')
                fprintf(f, "    reg=%u -> segment register %s\n", reg, sregn[reg]);
            else if (gt && gt[0] == 'C')
                fprintf(f, "    reg=%u -> control register cr%u\n", reg, reg);
            else if (gt && gt[0] == 'D')
                fprintf(f, "    reg=%u -> debug register dr%u\n", reg, reg);
            else
                fprintf(f, "    reg=%u (not used by this instruction)\n", reg);
        }
        if (!x.is_mem) {
            char e[16];
            e_operand(&x, e, sizeof e);
            fprintf(f, "    mod=%u -> the rm operand is a register: rm=%u -> %s\n", mod, rm, e);
        } else if (!(i->flags & I_A32)) {
            static const char *const t16[8] = { "bx+si", "bx+di", "bp+si", "bp+di",
                                                "si", "di", "bp", "bx" };
            if (mod == 0 && rm == 6)
                fprintf(f, "    mod=0 rm=6 -> [disp16] (direct address, no base register)\n");
            else
                fprintf(f, "    mod=%u -> memory, %s; rm=%u -> [%s%s]\n", mod,
                        mod == 0 ? "no displacement" : mod == 1 ? "8-bit displacement (sign-extended)"
                                                                : "16-bit displacement",
                        rm, t16[rm], mod == 0 ? "" : "+disp");
        } else {
            if (rm == 4)
                fprintf(f, "    mod=%u -> memory; rm=4 -> a SIB byte follows\n", mod);
            else if (mod == 0 && rm == 5)
                fprintf(f, "    mod=0 rm=5 -> [disp32] (direct address)\n");
            else
                fprintf(f, "    mod=%u -> memory, %s; rm=%u -> [%s%s]\n", mod,
                        mod == 0 ? "no displacement" : mod == 1 ? "8-bit displacement (sign-extended)"
                                                                : "32-bit displacement",
                        rm, r32n[rm], mod == 0 ? "" : "+disp");
            if (rm == 4) {
                unsigned sibo = ob + (i->op >= 0x100 ? 2 : 1) + 1;
                uint8_t sib = x.bytes[sibo];
                unsigned ss = sib >> 6, idx = (sib >> 3) & 7, base = sib & 7;
                fprintf(f, "  SIB: %02x: scale=%u (x%u) index=%u (%s) base=%u (%s)\n", sib, ss,
                        1u << ss, idx, idx == 4 ? "none" : r32n[idx], base,
                        (base == 5 && mod == 0) ? "none: disp32" : r32n[base]);
            }
        }
    }
    if (x.is_mem || (x.row && (x.row->attrs & IMM_MASK) == IMM_A)) {
        if (i->disp || (i->base == R_ZERO && i->index == R_ZERO))
            fprintf(f, "  displacement: 0x%x\n", i->disp);
        explain_ea(d, f, &x);
    }
    if (x.row && (x.row->attrs & A_REP))
        explain_string(d, f, &x, mn);
    unsigned ik = x.row ? (x.row->attrs & IMM_MASK) : 0;
    switch (ik) {
    case IMM_B: fprintf(f, "  immediate: 0x%02x (8 bits)\n", i->imm & 0xFF); break;
    case IMM_BS: fprintf(f, "  immediate: 0x%02x, sign-extended to 0x%0*x\n", i->imm & 0xFF,
                         (i->flags & I_O32) ? 8 : 4, (i->flags & I_O32) ? i->imm : (i->imm & 0xFFFF));
                 break;
    case IMM_W: fprintf(f, "  immediate: 0x%04x (16 bits)\n", i->imm & 0xFFFF); break;
    case IMM_V: fprintf(f, "  immediate: 0x%0*x (%u bits: the operand size)\n",
                        (i->flags & I_O32) ? 8 : 4, i->imm, (i->flags & I_O32) ? 32 : 16);
                break;
    case IMM_J8:
    case IMM_JV: {
        uint32_t target = (c->eip + i->len + i->imm) & ((i->flags & I_O32) ? 0xFFFFFFFFu : 0xFFFFu);
        int64_t rel = (int32_t)i->imm;
        fprintf(f, "  relative displacement: %lld -> target %04x:%0*x (next instruction 0x%x %s %lld)\n",
                (long long)rel, c->seg[S_CS].sel, code32 ? 8 : 4, target, c->eip + i->len,
                rel < 0 ? "-" : "+", (long long)(rel < 0 ? -rel : rel));
        break;
    }
    case IMM_P: fprintf(f, "  far pointer: %04x:%0*x\n", i->imm2, (i->flags & I_O32) ? 8 : 4, i->imm); break;
    case IMM_WB: fprintf(f, "  immediates: size 0x%04x, nesting level %u\n", i->imm & 0xFFFF, i->imm2); break;
    default: break;
    }

    /* sizes and why */
    bool has66 = false, has67 = false;
    for (unsigned k = 0; k < i->nprefix; k++) {
        has66 |= x.bytes[k] == 0x66;
        has67 |= x.bytes[k] == 0x67;
    }
    const char *dflt = code32 ? "32-bit code segment (CS.D=1)" : (cpu_pe(c) ? "16-bit code segment (CS.D=0)" : "real mode: 16-bit code (CS.D=0)");
    unsigned w = 0;
    for (int k = 0; k < x.ntok; k++)
        if (!w && tok_width(x.tok[k], i) && x.tok[k][0] != 'I' && x.tok[k][0] != 'J')
            w = tok_width(x.tok[k], i);
    if (x.row && (x.row->attrs & A_REP) && mn[strlen(mn) - 1] == 'b')
        w = 1;
    if (w == 1)
        fprintf(f, "  operand size: 8 bits (a byte form of the opcode; 66 would not change it)\n");
    else
        fprintf(f, "  operand size: %u bits: default of the %s%s\n", (i->flags & I_O32) ? 32 : 16,
                dflt, has66 ? ", flipped by the 66 prefix" : ", no 66 prefix");
    fprintf(f, "  address size: %u bits: default of the %s%s\n", (i->flags & I_A32) ? 32 : 16, dflt,
            has67 ? ", flipped by the 67 prefix" : ", no 67 prefix");
}

/* ---------------------------------------------------------------- after a step */

static uint32_t rd(const uint8_t *b, unsigned n)
{
    uint32_t v = 0;
    for (unsigned k = 0; k < n; k++)
        v |= (uint32_t)b[k] << (8 * k);
    return v;
}

#define opvals dbg_opvals

static uint32_t reg_val(const struct cpu *c, unsigned r, unsigned w)
{
    return w == 1 ? get_r8(c, r) : w == 2 ? get_r16(c, r) : c->reg[r];
}

static void capture_operands(struct dbg *d, const struct decoded *x)
{
    const struct cpu *c = &d->m->cpu;
    struct opvals *o = &d->ops;
    memset(o, 0, sizeof *o);
    if (!x->row)
        return;
    char mb[16];
    snprintf(o->mnem, sizeof o->mnem, "%s", insn_mnemonic(c, &x->i, mb, sizeof mb));
    const char *m = o->mnem;
    if (!strcmp(m, "add") || !strcmp(m, "adc")) o->family = 'a';
    else if (!strcmp(m, "sub") || !strcmp(m, "sbb") || !strcmp(m, "cmp")) o->family = 's';
    else if (!strcmp(m, "and") || !strcmp(m, "or") || !strcmp(m, "xor") || !strcmp(m, "test")) o->family = 'l';
    else if (!strcmp(m, "inc")) o->family = 'i';
    else if (!strcmp(m, "dec")) o->family = 'd';
    else if (!strcmp(m, "neg")) o->family = 'n';
    else if (!strcmp(m, "shl") || !strcmp(m, "sal")) { o->family = 'h'; o->shift_kind = 'l'; }
    else if (!strcmp(m, "shr")) { o->family = 'h'; o->shift_kind = 'r'; }
    else if (!strcmp(m, "sar")) { o->family = 'h'; o->shift_kind = 's'; }
    else if (!strcmp(m, "mul")) o->family = 'm';
    else if (!strcmp(m, "imul")) o->family = 'M';
    else if (!strcmp(m, "rol") || !strcmp(m, "ror") || !strcmp(m, "rcl") || !strcmp(m, "rcr")) {
        o->family = 'r';
        o->shift_kind = m[1] == 'o' ? m[2] : (m[2] == 'l' ? 'L' : 'R');  /* l r L R */
    }
    else return;
    o->carry_in = !strcmp(m, "adc") || !strcmp(m, "sbb");
    o->cf_in = (cpu_get_eflags(c) & F_CF) != 0;
    /* operand values by token */
    uint32_t v[3] = { 0 };
    unsigned nv = 0;
    for (int k = 0; k < x->ntok && nv < 3; k++) {
        const char *t = x->tok[k];
        unsigned w = tok_width(t, &x->i);
        if (t[0] == 'E') {
            if (x->is_mem) {
                v[nv] = rd(d->snap.mem_before, w);
            } else {
                v[nv] = reg_val(c, x->i.rm, w);
            }
            if (!o->w) o->w = w;
        } else if (t[0] == 'G') {
            v[nv] = reg_val(c, x->i.reg, w);
            if (!o->w) o->w = w;
        } else if (!strcmp(t, "AL") || !strcmp(t, "eAX")) {
            v[nv] = reg_val(c, R_EAX, w);
            if (!o->w) o->w = w;
        } else if (!strcmp(t, "CL")) {
            v[nv] = get_r8(c, R_ECX);
        } else if (t[0] == 'I') {
            v[nv] = x->i.imm;
        } else if (!strcmp(t, "1")) {
            v[nv] = 1;
        } else if (t[0] == 'r') {
            unsigned rw = (x->i.flags & I_O32) ? 4 : 2;
            v[nv] = reg_val(c, x->i.reg, rw);
            if (!o->w) o->w = rw;
        } else {
            continue;
        }
        nv++;
    }
    if (!o->w)
        return;
    uint32_t mask = o->w == 4 ? 0xFFFFFFFFu : (1u << (8 * o->w)) - 1;
    o->a = v[0] & mask;
    o->b = v[1] & mask;
    if (o->family == 'i' || o->family == 'd')
        o->b = 1;
    if (o->family == 'n') {
        o->b = o->a;
        o->a = 0;
    }
    if (o->family == 'h' || o->family == 'r')
        o->b = v[1] & (c->model->gen >= GEN_80186 ? 0x1F : 0xFF); /* 186+: count mod 32 */
    if (o->family == 'M') {
        if (nv == 1) {          /* IMUL Ev: eAX * Ev */
            o->b = o->a;
            o->a = reg_val(c, R_EAX, o->w);
        } else if (nv == 3) {   /* IMUL Gv, Ev, imm */
            o->a = v[1] & mask;
            o->b = v[2] & mask;
        }
        o->two_op = nv > 1;
    }
    if (o->family == 'm') {
        o->b = o->a;
        o->a = reg_val(c, R_EAX, o->w);
    }
    o->ok = true;
}

void dbg_snap_take(struct dbg *d)
{
    const struct cpu *c = &d->m->cpu;
    struct dbg_snap *s = &d->snap;
    memset(s, 0, sizeof *s);
    memcpy(s->reg, c->reg, sizeof s->reg);
    s->eip = c->eip;
    s->eflags = cpu_get_eflags(c);
    s->cr0 = c->cr[0];
    for (int k = 0; k < S_NSEG; k++)
        s->sel[k] = c->seg[k].sel;
    s->cs_base = c->seg[S_CS].base;
    struct decoded x;
    if (!decode_here(d, &x))
        return;
    s->valid = true;
    s->len = x.i.len;
    s->lin = x.lin;
    memcpy(s->bytes, x.bytes, sizeof s->bytes);
    bool moffs = x.row && (x.row->attrs & IMM_MASK) == IMM_A;
    if (x.is_mem || moffs) {
        unsigned w = 0;
        for (int k = 0; k < x.ntok; k++)
            if (x.tok[k][0] == 'E' || x.tok[k][0] == 'M' || x.tok[k][0] == 'O')
                w = tok_width(x.tok[k], &x.i);
        s->has_mem = true;
        s->mem_len = w ? w : ((x.i.flags & I_O32) ? 4 : 2);
        s->mem_lin = c->seg[x.i.seg].base + insn_ea(c, &x.i);
        dbg_read(d, s->mem_lin, false, s->mem_before, s->mem_len);
    }
    capture_operands(d, &x);
}

static unsigned popcount8(uint32_t v)
{
    unsigned n = 0;
    for (int k = 0; k < 8; k++)
        n += (v >> k) & 1;
    return n;
}

static int64_t sval(uint32_t v, unsigned w)
{
    if (w == 4) return (int32_t)v;
    if (w == 2) return (int16_t)v;
    return (int8_t)v;
}

static void why_flags(FILE *f, const struct opvals *o, uint32_t before, uint32_t after)
{
    unsigned w = o->w, bits = 8 * w;
    uint32_t mask = w == 4 ? 0xFFFFFFFFu : (1u << bits) - 1, sign = 1u << (bits - 1);
    uint32_t a = o->a, b = o->b, r = 0;
    uint64_t wide = 0;
    int hex = (int)w * 2;
    uint32_t cin = o->carry_in ? o->cf_in : 0;
    switch (o->family) {
    case 'a': case 'i':
        wide = (uint64_t)a + b + cin;
        r = (uint32_t)wide & mask;
        break;
    case 's': case 'd': case 'n':
        r = (a - b - cin) & mask;
        break;
    case 'l':
        r = !strcmp(o->mnem, "or") ? (a | b) : !strcmp(o->mnem, "xor") ? (a ^ b) : (a & b);
        break;
    case 'h':
        if (o->shift_kind == 'l') r = b >= 32 ? 0 : (a << b) & mask;
        else if (o->shift_kind == 'r') r = b >= 32 ? 0 : a >> b;
        else r = (uint32_t)(sval(a, w) >> (b > 31 ? 31 : b)) & mask;
        break;
    case 'm':
        wide = (uint64_t)a * b;
        break;
    }
    const char *op = (o->family == 'a' || o->family == 'i') ? "+" : "-";
    char expr[96];
    if (o->family == 'n')
        snprintf(expr, sizeof expr, "0 - 0x%0*x", hex, b);
    else if (cin)
        snprintf(expr, sizeof expr, "0x%0*x %s 0x%0*x %s CF(1)", hex, a, op, hex, b, op);
    else
        snprintf(expr, sizeof expr, "0x%0*x %s 0x%0*x", hex, a, op, hex, b);
#define FL(bit) ((after & (bit)) != 0)
    bool arith = o->family == 'a' || o->family == 'i' || o->family == 's' ||
                 o->family == 'd' || o->family == 'n';
    if (o->family == 'h' && b == 0) {
        fprintf(f, "  flags: a shift count of 0 changes no flags\n");
        return;
    }
    if (o->family == 'M') {
        int64_t prod = sval(a, w) * sval(b, w);
        bool fits = prod == sval((uint32_t)prod & mask, w);
        fprintf(f, "  CF=%u OF=%u: the signed product %lld * %lld = %lld %s %u bits%s\n", FL(F_CF),
                FL(F_OF), (long long)sval(a, w), (long long)sval(b, w), (long long)prod,
                fits ? "fits in" : "does not fit in", bits,
                o->two_op ? " (the destination keeps the low half)"
                          : fits ? " (the upper half is only sign bits)" : "");
        fprintf(f, "  SF ZF AF PF: undefined after IMUL (SDM Vol. 2 IMUL)\n");
        return;
    }
    if (o->family == 'r') {
        if (b == 0) {
            fprintf(f, "  flags: a rotate count of 0 changes no flags\n");
            return;
        }
        uint32_t res = 0;
        bool have = false;
        if (o->shift_kind == 'l' || o->shift_kind == 'r') {
            unsigned n = b % bits;
            res = n == 0 ? a : o->shift_kind == 'l' ? ((a << n) | (a >> (bits - n))) & mask
                                                    : ((a >> n) | (a << (bits - n))) & mask;
            have = true;
        }
        if (o->shift_kind == 'l')
            fprintf(f, "  CF=%u: ROL copies the bit rotated out of the top into CF (bit 0 of the result 0x%0*x)\n",
                    FL(F_CF), hex, res);
        else if (o->shift_kind == 'r')
            fprintf(f, "  CF=%u: ROR copies the bit rotated out of the bottom into CF (the top bit of the result 0x%0*x)\n",
                    FL(F_CF), hex, res);
        else
            fprintf(f, "  CF=%u: %s rotates through CF: CF holds the last bit rotated out\n", FL(F_CF),
                    o->shift_kind == 'L' ? "RCL" : "RCR");
        if (b == 1 && have)
            fprintf(f, "  OF=%u: for a 1-bit rotate, %s\n", FL(F_OF),
                    o->shift_kind == 'l' ? "OF = top bit of the result XOR CF"
                                         : "OF = XOR of the two top bits of the result");
        else if (b == 1)
            fprintf(f, "  OF=%u: for a 1-bit rotate, OF = %s\n", FL(F_OF),
                    o->shift_kind == 'L' ? "top bit of the result XOR CF"
                                         : "XOR of the two top bits of the result");
        else
            fprintf(f, "  OF=%u: undefined for rotate counts other than 1\n", FL(F_OF));
        fprintf(f, "  SF ZF AF PF: not changed by rotates\n");
        (void)res;
        return;
    }
    if (o->family == 'm') {
        uint32_t hi = (uint32_t)(wide >> bits) & mask;
        fprintf(f, "  CF=%u OF=%u: the upper half of the %u-bit product 0x%0*x * 0x%0*x = 0x%llx is 0x%0*x (%s)\n",
                FL(F_CF), FL(F_OF), 2 * bits, hex, a, hex, b, (unsigned long long)wide, hex, hi,
                hi ? "not zero: the result needs the upper half" : "zero: the result fits in the lower half");
        fprintf(f, "  SF ZF AF PF: undefined after MUL (SDM Vol. 2 MUL)\n");
        return;
    }
    /* CF */
    if (o->family == 'i' || o->family == 'd') {
        fprintf(f, "  CF=%u: not changed by %s\n", FL(F_CF), o->mnem);
    } else if (o->family == 'a') {
        fprintf(f, "  CF=%u: %s, %s = 0x%llx%s\n", FL(F_CF),
                wide > mask ? "unsigned carry out of the top bit" : "no unsigned carry",
                expr, (unsigned long long)wide, wide > mask ? " does not fit" : " fits");
    } else if (o->family == 's') {
        bool borrow = (uint64_t)a < (uint64_t)b + cin;
        fprintf(f, "  CF=%u: %s, %s\n", FL(F_CF), borrow ? "unsigned borrow" : "no unsigned borrow", expr);
    } else if (o->family == 'n') {
        fprintf(f, "  CF=%u: NEG sets CF unless the operand is 0 (operand 0x%0*x)\n", FL(F_CF), hex, b);
    } else if (o->family == 'l') {
        fprintf(f, "  CF=%u: cleared by %s (logical instructions clear CF and OF)\n", FL(F_CF), o->mnem);
    } else if (o->family == 'h') {
        unsigned bitpos = o->shift_kind == 'l' ? bits - b : b - 1;
        fprintf(f, "  CF=%u: the last bit shifted out (bit %u of 0x%0*x)\n", FL(F_CF), bitpos, hex, a);
    }
    /* ZF SF PF */
    fprintf(f, "  ZF=%u: result 0x%0*x %s\n", FL(F_ZF), hex, r, r == 0 ? "is zero" : "is not zero");
    fprintf(f, "  SF=%u: bit %u (the sign bit) of the result 0x%0*x is %u\n", FL(F_SF), bits - 1, hex, r,
            (r & sign) != 0);
    unsigned ones = popcount8(r & 0xFF);
    fprintf(f, "  PF=%u: the low byte 0x%02x has %u one bit%s (%s)\n", FL(F_PF), r & 0xFF, ones,
            ones == 1 ? "" : "s", ones % 2 ? "odd" : "even");
    /* AF */
    if (arith) {
        bool af = ((a ^ b ^ r) & 0x10) != 0;
        fprintf(f, "  AF=%u: %s out of bit 3 (low nibbles 0x%x %s 0x%x)\n", FL(F_AF),
                af ? (*op == '+' ? "carry" : "borrow") : (*op == '+' ? "no carry" : "no borrow"),
                a & 0xF, op, b & 0xF);
    } else {
        fprintf(f, "  AF=%u: undefined after %s\n", FL(F_AF), o->mnem);
    }
    /* OF */
    if (arith) {
        int64_t sa = sval(a, w), sb = sval(b, w), sr = sval(r, w);
        int64_t exact = (*op == '+') ? sa + sb + cin : sa - sb - cin;
        bool ovf = exact != sr;
        if (ovf)
            fprintf(f, "  OF=%u: signed overflow: %lld %s %lld = %lld does not fit in %u bits "
                    "(the result reads as %lld)\n", FL(F_OF), (long long)sa, op, (long long)sb,
                    (long long)exact, bits, (long long)sr);
        else
            fprintf(f, "  OF=%u: no signed overflow (%lld %s %lld = %lld)\n", FL(F_OF), (long long)sa,
                    op, (long long)sb, (long long)exact);
    } else if (o->family == 'l') {
        fprintf(f, "  OF=%u: cleared by %s\n", FL(F_OF), o->mnem);
    } else if (o->family == 'h') {
        if (b == 1 && o->shift_kind == 'l')
            fprintf(f, "  OF=%u: for a 1-bit shift, OF = top bit of the result (%u) XOR CF (%u)\n",
                    FL(F_OF), (r & sign) != 0, (a >> (bits - 1)) & 1);
        else if (b == 1 && o->shift_kind == 'r')
            fprintf(f, "  OF=%u: for a 1-bit SHR, OF = the top bit of the original operand (%u)\n",
                    FL(F_OF), (a & sign) != 0);
        else if (b == 1)
            fprintf(f, "  OF=%u: a 1-bit SAR clears OF\n", FL(F_OF));
        else
            fprintf(f, "  OF=%u: undefined for shift counts other than 1\n", FL(F_OF));
    }
    (void)before;
#undef FL
}

void dbg_explain_changes(struct dbg *d, FILE *f)
{
    const struct cpu *c = &d->m->cpu;
    const struct dbg_snap *s = &d->snap;
    if (!s->valid) {
        fprintf(f, "explain: no step to explain yet (use step, then explain)\n");
        return;
    }
    fprintf(f, "changes made by the instruction at linear 0x%08x:", s->lin);
    for (unsigned k = 0; k < s->len; k++)
        fprintf(f, " %02x", s->bytes[k]);
    fputc('\n', f);
    bool any = false;
    for (unsigned r = 0; r < 8; r++)
        if (s->reg[r] != c->reg[r]) {
            fprintf(f, "  %s: %08x -> %08x\n", r32n[r], s->reg[r], c->reg[r]);
            any = true;
        }
    for (int k = 0; k < S_NSEG; k++)
        if (s->sel[k] != c->seg[k].sel) {
            fprintf(f, "  %s: %04x -> %04x (base now %08x)\n", sregn[k], s->sel[k], c->seg[k].sel,
                    c->seg[k].base);
            any = true;
        }
    uint32_t fall = s->eip + s->len;
    fprintf(f, "  eip: %08x -> %08x%s\n", s->eip, c->eip,
            (c->eip == fall || (!cpu_code32(c) && c->eip == (fall & 0xFFFF))) ? " (the next instruction)"
                                                                          : " (control transferred)");
    if (s->has_mem) {
        uint8_t now[4];
        dbg_read(d, s->mem_lin, false, now, s->mem_len);
        if (memcmp(now, s->mem_before, s->mem_len) != 0) {
            fprintf(f, "  memory at linear 0x%08x:", s->mem_lin);
            for (unsigned k = 0; k < s->mem_len; k++)
                fprintf(f, " %02x", s->mem_before[k]);
            fprintf(f, " ->");
            for (unsigned k = 0; k < s->mem_len; k++)
                fprintf(f, " %02x", now[k]);
            fputc('\n', f);
            any = true;
        }
    }
    if (c->cr[0] != s->cr0) {
        fprintf(f, "  cr0: %08x -> %08x\n", s->cr0, c->cr[0]);
        any = true;
    }
    uint32_t fl = cpu_get_eflags(c);
    uint32_t diff = (fl ^ s->eflags);
    if (diff) {
        static const struct { uint32_t bit; const char *n; } names[] = {
            { F_CF, "CF" }, { F_PF, "PF" }, { F_AF, "AF" }, { F_ZF, "ZF" }, { F_SF, "SF" },
            { F_TF, "TF" }, { F_IF, "IF" }, { F_DF, "DF" }, { F_OF, "OF" } };
        fprintf(f, "  flags changed:");
        for (unsigned k = 0; k < sizeof names / sizeof names[0]; k++)
            if (diff & names[k].bit)
                fprintf(f, " %s %u->%u", names[k].n, !!(s->eflags & names[k].bit),
                        !!(fl & names[k].bit));
        fputc('\n', f);
    } else if (!any) {
        fprintf(f, "  no register, memory operand or flag changed\n");
    }
    if (d->ops.ok && d->ops.family) {
        fprintf(f, "why the flags are what they are (%s):\n", d->ops.mnem);
        why_flags(f, &d->ops, s->eflags, fl);
    }
}

/* Trace: the instruction about to run (address, bytes, disassembly)... */
void dbg_trace_line(struct dbg *d, FILE *f)
{
    const struct cpu *c = &d->m->cpu;
    uint32_t lin = c->seg[S_CS].base + c->eip;
    char text[160];
    uint8_t b[16];
    unsigned len = dbg_disas1(d, lin, cpu_code32(c), text, sizeof text);
    dbg_read(d, lin, false, b, sizeof b);
    fprintf(f, "%04x:%0*x ", c->seg[S_CS].sel, cpu_code32(c) ? 8 : 4, c->eip);
    char hex[40] = "";
    for (unsigned k = 0; k < (len ? len : 1) && k < 12; k++)
        snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "%02x", b[k]);
    fprintf(f, "%-16s %-30s", hex, text);
    memcpy(d->trace_reg, c->reg, sizeof d->trace_reg);
    d->trace_flags = cpu_get_eflags(c);
}

/* ...and after it ran, what it changed. */
void dbg_trace_end(struct dbg *d, FILE *f)
{
    const struct cpu *c = &d->m->cpu;
    for (unsigned r = 0; r < 8; r++)
        if (c->reg[r] != d->trace_reg[r])
            fprintf(f, " %s=%08x", r32n[r], c->reg[r]);
    uint32_t fl = cpu_get_eflags(c);
    if (fl != d->trace_flags)
        fprintf(f, " eflags=%08x", fl);
    fputc('\n', f);
}

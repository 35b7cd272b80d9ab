/* Debugger views: registers, segment descriptors, control registers,
 * descriptor tables, the stack, memory dumps, disassembly (Capstone) and
 * symbols.  Plain text, one fixed layout each, so tests can compare it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dbg.h"
#include "../../cpu/fpu.h"

#if __has_include("mmu/paging.h")
#define HAVE_PAGING_H 1
#endif

/* ---------------------------------------------------------------- registers */

void dbg_flags_string(uint32_t fl, char *buf, size_t n)
{
    snprintf(buf, n, "OF=%u DF=%u IF=%u TF=%u SF=%u ZF=%u AF=%u PF=%u CF=%u IOPL=%u",
             !!(fl & F_OF), !!(fl & F_DF), !!(fl & F_IF), !!(fl & F_TF), !!(fl & F_SF),
             !!(fl & F_ZF), !!(fl & F_AF), !!(fl & F_PF), !!(fl & F_CF), (fl >> 12) & 3);
}

static const char *const sreg_names[S_NSEG] = { "ES", "CS", "SS", "DS", "FS", "GS" };

/* "code, readable, accessed" and so on, from the access-rights bits. */
static void ar_string(uint32_t ar, char *buf, size_t n)
{
    if (!(ar & 0x10)) {
        static const char *const sys[16] = {
            "reserved", "16-bit TSS (available)", "LDT", "16-bit TSS (busy)",
            "16-bit call gate", "task gate", "16-bit interrupt gate", "16-bit trap gate",
            "reserved", "32-bit TSS (available)", "reserved", "32-bit TSS (busy)",
            "32-bit call gate", "reserved", "32-bit interrupt gate", "32-bit trap gate" };
        snprintf(buf, n, "system: %s", sys[ar & 0xF]);
        return;
    }
    if (ar & 0x8)
        snprintf(buf, n, "code, %s, %s%s", (ar & 2) ? "readable" : "execute-only",
                 (ar & 4) ? "conforming" : "non-conforming", (ar & 1) ? ", accessed" : "");
    else
        snprintf(buf, n, "data, %s, %s%s", (ar & 2) ? "writable" : "read-only",
                 (ar & 4) ? "expand-down" : "expand-up", (ar & 1) ? ", accessed" : "");
}

static void seg_line(FILE *f, const char *name, const struct seg *s)
{
    char t[64];
    ar_string(s->ar, t, sizeof t);
    fprintf(f, "%-4s=%04x base=%08x limit=%08x %s, DPL=%u, %s%s%s\n", name, s->sel, s->base,
            s->limit, t, (s->ar >> 5) & 3, (s->ar & 0x80) ? "present" : "not present",
            (s->ar & 0x10) ? ((s->ar & 0x4000) ? ", 32-bit" : ", 16-bit") : "",
            (s->ar & 0x8000) ? ", 4K-granular" : "");
}

void dbg_view_regs(struct dbg *d, FILE *f)
{
    const struct cpu *c = &d->m->cpu;
    uint32_t fl = cpu_get_eflags(c);
    char fs[96];
    dbg_flags_string(fl, fs, sizeof fs);
    fprintf(f, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", c->reg[R_EAX], c->reg[R_EBX],
            c->reg[R_ECX], c->reg[R_EDX]);
    fprintf(f, "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", c->reg[R_ESI], c->reg[R_EDI],
            c->reg[R_EBP], c->reg[R_ESP]);
    fprintf(f, "EIP=%08x EFLAGS=%08x %s\n", c->eip, fl, fs);
    fprintf(f, "CS=%04x DS=%04x ES=%04x SS=%04x FS=%04x GS=%04x  %s, %u-bit code, CPL=%u\n",
            c->seg[S_CS].sel, c->seg[S_DS].sel, c->seg[S_ES].sel, c->seg[S_SS].sel,
            c->seg[S_FS].sel, c->seg[S_GS].sel,
            !cpu_pe(c) ? "real mode" : cpu_vm86(c) ? "virtual-8086 mode" : "protected mode",
            cpu_code32(c) ? 32 : 16, c->cpl);
}

void dbg_view_sregs(struct dbg *d, FILE *f)
{
    const struct cpu *c = &d->m->cpu;
    for (int s = 0; s < S_NSEG; s++)
        seg_line(f, sreg_names[s], &c->seg[s]);
    seg_line(f, "LDTR", &c->ldtr);
    seg_line(f, "TR", &c->tr);
    fprintf(f, "GDTR base=%08x limit=%04x\nIDTR base=%08x limit=%04x\n", c->gdtr.base,
            c->gdtr.limit, c->idtr.base, c->idtr.limit);
}

static void bits_line(FILE *f, uint32_t v, const char *const *names, unsigned n)
{
    bool any = false;
    for (unsigned b = 0; b < n; b++)
        if (names[b] && (v & (1u << b))) {
            fprintf(f, "%s%s", any ? " " : "", names[b]);
            any = true;
        }
    fputs(any ? "\n" : "(none)\n", f);
}

void dbg_view_cr(struct dbg *d, FILE *f)
{
    const struct cpu *c = &d->m->cpu;
    static const char *const cr0[32] = {
        [0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET", [5] = "NE",
        [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG" };
    static const char *const cr4[32] = {
        [0] = "VME", [1] = "PVI", [2] = "TSD", [3] = "DE", [4] = "PSE", [5] = "PAE",
        [6] = "MCE", [7] = "PGE", [8] = "PCE", [9] = "OSFXSR", [10] = "OSXMMEXCPT" };
    fprintf(f, "CR0=%08x ", c->cr[0]);
    bits_line(f, c->cr[0], cr0, 32);
    fprintf(f, "  protection %s, paging %s\n", (c->cr[0] & CR0_PE) ? "on" : "off",
            (c->cr[0] & CR0_PG) ? "on" : "off");
    fprintf(f, "CR2=%08x (last page-fault address)\n", c->cr[2]);
    fprintf(f, "CR3=%08x (page directory at physical %08x%s%s)\n", c->cr[3],
            c->cr[3] & ~0xFFFu, (c->cr[3] & 8) ? ", PWT" : "", (c->cr[3] & 16) ? ", PCD" : "");
    fprintf(f, "CR4=%08x ", c->cr[4]);
    bits_line(f, c->cr[4], cr4, 32);
}

/* sig * 2^e as a host double (display only; no libm). */
static double scaled(uint64_t sig, int e)
{
    double v = (double)sig;
    for (; e > 0; e -= e > 60 ? 60 : e)
        v *= (double)(1ull << (e > 60 ? 60 : e));
    for (; e < 0; e += e < -60 ? 60 : -e)
        v /= (double)(1ull << (e < -60 ? 60 : -e));
    return v;
}

/* The x87: control and status words by field, then ST(0)-ST(7) with their
 * physical register, tag and value (hex, and decimal through a host double,
 * which is only a display here). */
void dbg_view_fpu(struct dbg *d, FILE *f)
{
    const struct cpu *c = &d->m->cpu;
    const struct fpu *x = &c->fpu;
    static const char *const rc[4] = { "nearest", "down", "up", "toward zero" };
    static const char *const pc[4] = { "24-bit", "reserved", "53-bit", "64-bit" };
    static const char *const exc[8] = { "IE", "DE", "ZE", "OE", "UE", "PE", "SF", "ES" };
    static const char *const tag[4] = { "valid", "zero", "special", "empty" };
    if (!c->model->fpu) {
        fprintf(f, "no x87 on the %s model\n", c->model->name);
        return;
    }
    fprintf(f, "FCW=%04x rounding %s, precision %s, masked: ", x->cw, rc[(x->cw >> 10) & 3],
            pc[(x->cw >> 8) & 3]);
    bits_line(f, x->cw & 0x3F, exc, 6);
    fprintf(f, "FSW=%04x TOP=%u C3=%u C2=%u C1=%u C0=%u%s flags: ", x->sw, fpu_top(c),
            (x->sw >> 14) & 1, (x->sw >> 10) & 1, (x->sw >> 9) & 1, (x->sw >> 8) & 1,
            (x->sw & 0x8000) ? " B" : "");
    bits_line(f, x->sw & 0xFF, exc, 8);
    fprintf(f, "FTW=%04x FOP=%03x FIP=%04x:%08x FDP=%04x:%08x\n", fpu_tag_word(c), x->fop,
            x->fcs, x->fip, x->fds, x->fdp);
    for (unsigned i = 0; i < 8; i++) {
        unsigned p = fpu_phys(c, i), t = fpu_tag(c, p);
        fx80 v = c->fpu.r[p];
        fprintf(f, "ST(%u) R%u %-7s %04x %016llx", i, p, tag[t], v.se, (unsigned long long)v.sig);
        if (t != TAG_EMPTY) {
            enum fx_class k = fx_classify(v);
            if (k == FXC_NORMAL || k == FXC_DENORMAL || k == FXC_ZERO) {
                int e = (int)fx_exp(v) - 16383 - 63;
                double dv = scaled(v.sig, k == FXC_DENORMAL ? -16382 - 63 : e);
                fprintf(f, "  %s%.17g", fx_sign(v) ? "-" : "", dv);
            } else {
                fprintf(f, "  %s", k == FXC_INF ? (fx_sign(v) ? "-inf" : "+inf")
                                  : k == FXC_UNSUPPORTED ? "(unsupported)" : "nan");
            }
        }
        fputc('\n', f);
    }
}

/* ---------------------------------------------------------------- tables */

static void desc_line(FILE *f, unsigned idx, uint32_t lo, uint32_t hi, bool idt)
{
    uint32_t ar = (hi >> 8) & 0xF0FFu;
    char t[64];
    fprintf(f, "%s[%3u] %08x %08x ", idt ? "IDT" : "", idx, hi, lo);
    if (!(hi & 0x8000u) && !lo && !hi) {
        fputs("null\n", f);
        return;
    }
    ar_string(ar, t, sizeof t);
    if (!(ar & 0x10) && ((ar & 7) == 4 || (ar & 7) == 5 || (ar & 6) == 6)) {
        /* gate: selector and offset (task gates have only the selector) */
        uint32_t off = (lo & 0xFFFF) | ((ar & 8) ? (hi & 0xFFFF0000u) : 0);
        if ((ar & 0xF) == 5)
            fprintf(f, "%s: TSS selector %04x", t, lo >> 16);
        else
            fprintf(f, "%s: %04x:%08x", t, lo >> 16, off);
    } else {
        uint32_t base = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u);
        uint32_t limit = (lo & 0xFFFF) | (hi & 0xF0000u);
        if (hi & 0x800000u)
            limit = (limit << 12) | 0xFFF;
        fprintf(f, "base=%08x limit=%08x %s", base, limit, t);
        if (ar & 0x10)
            fprintf(f, ", %s", (ar & 0x4000) ? "32-bit" : "16-bit");
    }
    fprintf(f, ", DPL=%u, %s\n", (ar >> 5) & 3, (ar & 0x80) ? "present" : "not present");
}

void dbg_view_table(struct dbg *d, FILE *f, const char *which, unsigned first, unsigned count)
{
    const struct cpu *c = &d->m->cpu;
    uint32_t base, limit;
    bool idt = strcmp(which, "idt") == 0;
    if (strcmp(which, "gdt") == 0) {
        base = c->gdtr.base;
        limit = c->gdtr.limit;
    } else if (idt) {
        base = c->idtr.base;
        limit = c->idtr.limit;
    } else {
        if (!(c->ldtr.ar & 0x80) || (c->ldtr.sel & ~3u) == 0) {
            fprintf(f, "LDT: none loaded (LDTR=%04x)\n", c->ldtr.sel);
            return;
        }
        base = c->ldtr.base;
        limit = c->ldtr.limit;
    }
    if (idt && !cpu_pe(c)) {
        fprintf(f, "IVT (real mode) at %08x limit %04x\n", base, limit);
        for (unsigned k = first; k < first + count && k * 4 + 3 <= limit; k++) {
            uint8_t b[4];
            dbg_read(d, base + k * 4, false, b, 4);
            fprintf(f, "int 0x%02x -> %04x:%04x\n", k, b[2] | b[3] << 8, b[0] | b[1] << 8);
        }
        return;
    }
    fprintf(f, "%s at %08x limit %04x (%u entries)\n", idt ? "IDT" : which[0] == 'g' ? "GDT" : "LDT",
            base, limit, (limit + 1) / 8);
    for (unsigned k = first; k < first + count && (uint64_t)k * 8 + 7 <= limit; k++) {
        uint8_t b[8];
        if (!dbg_read(d, base + k * 8, false, b, 8)) {
            fprintf(f, "[%3u] not readable\n", k);
            continue;
        }
        uint32_t lo = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
        uint32_t hi = b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24;
        if (idt)
            desc_line(f, k, lo, hi, true);
        else {
            fprintf(f, "sel %04x ", k * 8);
            desc_line(f, k, lo, hi, false);
        }
    }
}

void dbg_view_stack(struct dbg *d, FILE *f, unsigned n)
{
    const struct cpu *c = &d->m->cpu;
    bool s32 = cpu_stack32(c);
    uint32_t sp = s32 ? c->reg[R_ESP] : (c->reg[R_ESP] & 0xFFFF);
    unsigned w = s32 ? 4 : 2;
    for (unsigned k = 0; k < n; k++) {
        uint32_t off = sp + k * w;
        if (!s32)
            off &= 0xFFFF;
        uint8_t b[4] = { 0 };
        dbg_read(d, c->seg[S_SS].base + off, false, b, w);
        uint32_t v = b[0] | b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        fprintf(f, "%04x:%0*x  %0*x%s\n", c->seg[S_SS].sel, s32 ? 8 : 4, off, (int)w * 2, v,
                k == 0 ? "  <- top (SS:SP)" : "");
    }
}

void dbg_view_mem(struct dbg *d, FILE *f, uint32_t addr, bool phys, unsigned n, char unit)
{
    unsigned w = unit == 'w' ? 2 : unit == 'd' ? 4 : 1;
    unsigned per = 16 / w;
    for (unsigned k = 0; k < n; k++) {
        uint32_t a = addr + k * w;
        if (k % per == 0)
            fprintf(f, "%s%s%08x:", k ? "\n" : "", phys ? "phys " : "", a);
        uint8_t b[4] = { 0 };
        bool ok = dbg_read(d, a, phys, b, w);
        uint32_t v = b[0] | b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        if (ok)
            fprintf(f, " %0*x", (int)w * 2, v);
        else
            fprintf(f, " %.*s", (int)w * 2, "????????");
    }
    fputc('\n', f);
}

#ifdef HAVE_PAGING_H
/* The flag bits of a page-directory or page-table entry, by name. */
static void entry_bits(FILE *f, uint32_t e, bool pte)
{
    if (!(e & 1)) {
        fputs("not present\n", f);
        return;
    }
    fprintf(f, "present, %s, %s%s%s%s%s\n", (e & 2) ? "writable" : "read-only",
            (e & 4) ? "user" : "supervisor", (e & 0x20) ? ", accessed" : "",
            (pte && (e & 0x40)) ? ", dirty" : "", (!pte && (e & 0x80)) ? ", 4 MiB page" : "",
            (pte && (e & 0x100)) ? ", global" : "");
}
#endif

void dbg_view_pagewalk(struct dbg *d, FILE *f, uint32_t lin)
{
    const struct cpu *c = &d->m->cpu;
#ifndef HAVE_PAGING_H
    uint32_t p = 0;
    if (!(c->cr[0] & CR0_PG)) {
        dbg_lin2phys(d, lin, &p);
        fprintf(f, "linear %08x -> physical %08x: paging is off (CR0.PG=0), the physical "
                "address is the linear one masked by A20 (%08x)\n", lin, p, c->a20_mask);
    } else {
        fprintf(f, "pagewalk: not available: pcvm has no page-table walker yet "
                "(mmu/paging.h); CR3=%08x\n", c->cr[3]);
    }
#else
    uint32_t p = 0;
    bool ok = dbg_lin2phys(d, lin, &p);
    if (!(c->cr[0] & CR0_PG)) {
        fprintf(f, "linear %08x -> physical %08x: paging is off (CR0.PG=0), the physical "
                "address is the linear one masked by A20 (%08x)\n", lin, p, c->a20_mask);
        return;
    }
    if (c->cr[4] & 0x20) {
        /* PAE: the translation from the MMU; the three-level entries are
         * not decoded here yet. */
        if (ok)
            fprintf(f, "linear %08x -> physical %08x (PAE paging; entries not shown)\n", lin, p);
        else
            fprintf(f, "linear %08x: not mapped (PAE paging; an access would raise #PF)\n", lin);
        return;
    }
    /* Two-level 32-bit walk (SDM Vol. 3 4.3), read without setting A/D. */
    uint32_t pde_a = (c->cr[3] & ~0xFFFu) + ((lin >> 22) << 2);
    uint8_t b[4];
    dbg_read(d, pde_a, true, b, 4);
    uint32_t pde = b[0] | b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    fprintf(f, "linear %08x: directory index %u, table index %u, offset 0x%03x\n", lin,
            lin >> 22, (lin >> 12) & 0x3FF, lin & 0xFFF);
    fprintf(f, "PDE at physical %08x = %08x ", pde_a, pde);
    entry_bits(f, pde, false);
    if ((pde & 1) && !((pde & 0x80) && (c->cr[4] & 0x10))) {
        uint32_t pte_a = (pde & ~0xFFFu) + (((lin >> 12) & 0x3FF) << 2);
        dbg_read(d, pte_a, true, b, 4);
        uint32_t pte = b[0] | b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        fprintf(f, "PTE at physical %08x = %08x ", pte_a, pte);
        entry_bits(f, pte, true);
    }
    if (ok)
        fprintf(f, "-> physical %08x\n", p);
    else
        fprintf(f, "-> not mapped (an access would raise #PF)\n");
#endif
}

/* ---------------------------------------------------------------- symbols */

static int sym_cmp(const void *a, const void *b)
{
    const struct dbg_sym *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int dbg_load_symbols(struct dbg *d, const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#' || *s == ';')
            continue;
        /* "ADDR NAME" or nm's "ADDR T NAME" */
        char *tok[3] = { NULL, NULL, NULL };
        int nt = 0;
        for (char *t = strtok(s, " \t\r\n"); t && nt < 3; t = strtok(NULL, " \t\r\n"))
            tok[nt++] = t;
        char *end;
        errno = 0;
        unsigned long v = strtoul(tok[0], &end, 16);
        if (nt < 2 || *end || errno || v > 0xFFFFFFFFul) {
            snprintf(err, errlen, "%s:%u: expected 'ADDRESS NAME' (hex address)", path, lineno);
            fclose(fp);
            return -1;
        }
        struct dbg_sym *ns = realloc(d->sym, (d->nsym + 1) * sizeof *ns);
        if (!ns) {
            fclose(fp);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        d->sym = ns;
        d->sym[d->nsym].addr = (uint32_t)v;
        d->sym[d->nsym].name = strdup(tok[nt - 1]);
        d->nsym++;
    }
    fclose(fp);
    qsort(d->sym, d->nsym, sizeof *d->sym, sym_cmp);
    return (int)d->nsym;
}

bool dbg_sym_lookup(struct dbg *d, const char *name, uint32_t *addr)
{
    for (size_t k = 0; k < d->nsym; k++)
        if (strcmp(d->sym[k].name, name) == 0) {
            *addr = d->sym[k].addr;
            return true;
        }
    return false;
}

void dbg_symbolize(struct dbg *d, uint32_t lin, char *buf, size_t n)
{
    const struct dbg_sym *best = NULL;
    for (size_t k = 0; k < d->nsym && d->sym[k].addr <= lin; k++)
        best = &d->sym[k];
    if (best && lin - best->addr < 0x10000) {
        if (lin == best->addr)
            snprintf(buf, n, "0x%x <%s>", lin, best->name);
        else
            snprintf(buf, n, "0x%x <%s+%u>", lin, best->name, lin - best->addr);
    } else {
        snprintf(buf, n, "0x%x", lin);
    }
}

/* ---------------------------------------------------------------- disassembly */

static csh *cs_handle(struct dbg *d, bool code32)
{
    csh *h = code32 ? &d->cs32 : &d->cs16;
    bool *ok = code32 ? &d->cs32_ok : &d->cs16_ok;
    if (!*ok) {
        if (cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, h) != CS_ERR_OK)
            return NULL;
        *ok = true;
    }
    return h;
}

void dbg_cs_close(struct dbg *d)
{
    if (d->cs16_ok)
        cs_close(&d->cs16);
    if (d->cs32_ok)
        cs_close(&d->cs32);
    d->cs16_ok = d->cs32_ok = false;
}

/* The instruction at `lin`; `ip` is the offset Capstone shows branch
 * targets relative to (CS-relative EIP). */
static unsigned disas_at(struct dbg *d, uint32_t lin, uint32_t ip, bool code32,
                         char *buf, size_t n, uint8_t *bytes)
{
    csh *h = cs_handle(d, code32);
    uint8_t b[16];
    dbg_read(d, lin, false, b, sizeof b);
    if (bytes)
        memcpy(bytes, b, 16);
    cs_insn *insn;
    if (!h || cs_disasm(*h, b, sizeof b, ip, 1, &insn) != 1) {
        snprintf(buf, n, "(bad)");
        return 0;
    }
    unsigned len = insn->size;
    if (insn->op_str[0])
        snprintf(buf, n, "%s %s", insn->mnemonic, insn->op_str);
    else
        snprintf(buf, n, "%s", insn->mnemonic);
    cs_free(insn, 1);
    return len;
}

unsigned dbg_disas1(struct dbg *d, uint32_t lin, bool code32, char *buf, size_t n)
{
    const struct cpu *c = &d->m->cpu;
    return disas_at(d, lin, lin - c->seg[S_CS].base, code32, buf, n, NULL);
}

void dbg_view_disas(struct dbg *d, FILE *f, uint32_t lin, bool code32, unsigned n)
{
    const struct cpu *c = &d->m->cpu;
    uint32_t cur = c->seg[S_CS].base + c->eip;
    for (unsigned k = 0; k < n; k++) {
        char text[160];
        uint8_t bytes[16];
        uint32_t ip = lin - c->seg[S_CS].base;
        unsigned len = disas_at(d, lin, ip, code32, text, sizeof text, bytes);
        for (size_t s = 0; s < d->nsym; s++)
            if (d->sym[s].addr == lin)
                fprintf(f, "%s:\n", d->sym[s].name);
        char hex[40] = "";
        for (unsigned b = 0; b < (len ? len : 1) && b < 10; b++)
            snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "%02x ", bytes[b]);
        fprintf(f, "%s %04x:%0*x  %-24s%s\n", lin == cur ? "=>" : "  ", c->seg[S_CS].sel,
                code32 ? 8 : 4, code32 ? ip : (ip & 0xFFFF), hex, text);
        lin += len ? len : 1;
    }
}

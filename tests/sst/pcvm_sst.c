/* pcvm-sst: runs the SingleStepTests CPU test sets (8086, 80286 real
 * mode) against pcvm's CPU core and reports what differs.
 *
 * The test data format and the rules for running one test are described
 * in the README next to the data (cpu-tests/sst/README.md); in short:
 * load the registers and the listed RAM bytes, run the one instruction
 * (80286: until the HLT planted after it), compare registers and RAM with
 * the undefined flags masked out as metadata.json says.
 *
 * This is a host tool: it uses zlib, cJSON and a few POSIX calls
 * (directory listing); the core it tests is plain C11.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "bus/bus.h"
#include "cpu/cpu.h"
#include "jit/blockcache.h"
#include "mmu/mem.h"

#ifndef SST_DEFAULT_ROOT
#define SST_DEFAULT_ROOT "../shared/cpu-tests/sst"
#endif

#define PROG "pcvm-sst"
#define RAM_BYTES (16u << 20)
/* 80286 tests run until the HLT after the instruction; a REP string
 * instruction with CX <= 0xFFFF may count once per iteration. */
#define MAX_STEPS_286 (0x10000u + 64u)
/* 8086: iterations of one REP string instruction (CX is 16 bits). */
#define MAX_REP_8086 (0x10000u + 2u)
#define EXIT_FAIL 1
#define EXIT_BAD 2
#define EXIT_SKIP 77

/* ------------------------------------------------------------------ */
/* Registers, in the order they are printed. */

enum { RG_AX, RG_BX, RG_CX, RG_DX, RG_CS, RG_SS, RG_DS, RG_ES, RG_SP,
       RG_BP, RG_SI, RG_DI, RG_IP, RG_FLAGS, RG_COUNT };

static const char *const reg_names[RG_COUNT] = {
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di",
    "ip", "flags",
};

/* General registers: RG_* -> pcvm register number. */
static const int gpr_of[RG_COUNT] = {
    [RG_AX] = R_EAX, [RG_BX] = R_EBX, [RG_CX] = R_ECX, [RG_DX] = R_EDX,
    [RG_SP] = R_ESP, [RG_BP] = R_EBP, [RG_SI] = R_ESI, [RG_DI] = R_EDI,
    [RG_CS] = -1, [RG_SS] = -1, [RG_DS] = -1, [RG_ES] = -1, [RG_IP] = -1,
    [RG_FLAGS] = -1,
};
static const int sreg_of[RG_COUNT] = {
    [RG_CS] = S_CS, [RG_SS] = S_SS, [RG_DS] = S_DS, [RG_ES] = S_ES,
    [RG_AX] = -1, [RG_BX] = -1, [RG_CX] = -1, [RG_DX] = -1, [RG_SP] = -1,
    [RG_BP] = -1, [RG_SI] = -1, [RG_DI] = -1, [RG_IP] = -1, [RG_FLAGS] = -1,
};

static int reg_index(const char *name)
{
    for (int r = 0; r < RG_COUNT; r++)
        if (strcmp(reg_names[r], name) == 0)
            return r;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Options and totals. */

struct options {
    const char *cpu;          /* -cpu MODEL, or NULL: from the path */
    bool verbose;
    double min_pass;          /* < 0: any failure fails the run */
    long only;                /* --test N: only the test at position N, or -1 */
};

static struct options opt = { .min_pass = -1.0, .only = -1 };
static unsigned long total_pass, total_fail;
static bool bad_input;        /* some file could not be used: exit 2 */

static void file_error(const char *path, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, PROG ": %s: ", path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    bad_input = true;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, PROG ": out of memory\n");
        exit(EXIT_BAD);
    }
    return q;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* ------------------------------------------------------------------ */
/* Reading a (gzip'd) file whole.  gzread also reads uncompressed files
 * as they are, so plain .json works too. */

/* zlib's message without the "path: " it puts in front. */
static const char *gz_message(const char *path, const char *msg)
{
    size_t n = strlen(path);
    if (!msg || !*msg)
        return "read error";
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

static char *read_file(const char *path, size_t *len)
{
    errno = 0;
    gzFile f = gzopen(path, "rb");
    if (!f) {
        file_error(path, "%s", errno ? strerror(errno) : "cannot open");
        return NULL;
    }
    gzbuffer(f, 1u << 17);
    size_t cap = 1u << 20, n = 0;
    char *buf = xrealloc(NULL, cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > SIZE_MAX / 4) {
                file_error(path, "file too large");
                goto fail;
            }
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        size_t want = cap - n;
        if (want > (size_t)INT_MAX)
            want = (size_t)INT_MAX;
        int r = gzread(f, buf + n, (unsigned)want);
        if (r < 0) {
            int err;
            const char *msg = gzerror(f, &err);
            if (err == Z_BUF_ERROR)
                file_error(path, "truncated gzip data");
            else if (err == Z_ERRNO)
                file_error(path, "%s", strerror(errno));
            else
                file_error(path, "bad gzip data (%s)", gz_message(path, msg));
            goto fail;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    int err;
    (void)gzerror(f, &err);
    int rc = gzclose(f);
    f = NULL;
    if (err == Z_BUF_ERROR || rc == Z_BUF_ERROR) {
        file_error(path, "truncated gzip data");
        goto fail;
    }
    if (err != Z_OK || rc != Z_OK) {
        file_error(path, "bad gzip data");
        goto fail;
    }
    buf[n] = 0;
    *len = n;
    return buf;
fail:
    if (f)
        gzclose(f);
    free(buf);
    return NULL;
}

static cJSON *read_json(const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text)
        return NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!root) {
        size_t at = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        if (len == 0)
            file_error(path, "empty file, not JSON");
        else
            file_error(path, "not valid JSON (error near byte %zu)", at);
    }
    free(text);
    return root;
}

/* ------------------------------------------------------------------ */
/* metadata.json: flags masks per opcode, cached per directory. */

struct meta {
    char *dir;
    cJSON *root;              /* NULL when missing or unusable */
    const cJSON *opcodes;
    struct meta *next;
};

static struct meta *metas;

static struct meta *meta_for(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) : 0;
    char *dir = xrealloc(NULL, dlen + 2);
    if (slash)
        memcpy(dir, path, dlen);
    else
        dir[dlen++] = '.';
    dir[dlen] = 0;
    for (struct meta *m = metas; m; m = m->next)
        if (strcmp(m->dir, dir) == 0) {
            free(dir);
            return m;
        }
    struct meta *m = xrealloc(NULL, sizeof *m);
    m->dir = dir;
    m->root = NULL;
    m->opcodes = NULL;
    m->next = metas;
    metas = m;

    char *mp = xrealloc(NULL, dlen + sizeof "/metadata.json");
    snprintf(mp, dlen + sizeof "/metadata.json", "%s/metadata.json", dir);
    FILE *probe = fopen(mp, "rb");
    if (!probe) {
        fflush(stdout);
        fprintf(stderr, PROG ": warning: %s: %s; undefined flags are not masked\n",
                mp, strerror(errno));
    } else {
        fclose(probe);
        m->root = read_json(mp);
        if (m->root) {
            m->opcodes = cJSON_GetObjectItemCaseSensitive(m->root, "opcodes");
            if (!cJSON_IsObject(m->opcodes)) {
                file_error(mp, "no \"opcodes\" object");
                m->opcodes = NULL;
            }
        }
    }
    free(mp);
    return m;
}

/* ------------------------------------------------------------------ */
/* One test, converted from JSON and validated. */

struct ram_byte {
    uint32_t addr;
    uint8_t val;
};

struct test {
    char name[96];
    long num;                 /* test_num / idx, or the position */
    uint8_t bytes[32];
    unsigned nbytes;
    uint16_t init[RG_COUNT];
    uint16_t fin[RG_COUNT];   /* expected final values (initial when not listed) */
    uint32_t fin_listed;      /* bit per RG_*: listed in final.regs */
    struct ram_byte *iram, *fram;
    size_t niram, nfram;
    long flag_lo, flag_hi;    /* where an interrupt pushed FLAGS, or -1 */
    uint16_t flags_mask;
};

static void test_free(struct test *t)
{
    free(t->iram);
    free(t->fram);
    t->iram = t->fram = NULL;
}

static bool get_uint(const cJSON *v, double max, uint32_t *out)
{
    if (!cJSON_IsNumber(v))
        return false;
    double d = v->valuedouble;
    if (!(d >= 0 && d <= max) || d != (double)(uint32_t)d)
        return false;
    *out = (uint32_t)d;
    return true;
}

static const char *load_regs(const cJSON *o, uint16_t *out, uint32_t *listed, bool need_all)
{
    static char why[64];
    if (!cJSON_IsObject(o))
        return "\"regs\" is not an object";
    *listed = 0;
    for (const cJSON *r = o->child; r; r = r->next) {
        int k = r->string ? reg_index(r->string) : -1;
        uint32_t v;
        if (k < 0) {
            snprintf(why, sizeof why, "unknown register \"%.20s\"", r->string ? r->string : "");
            return why;
        }
        if (!get_uint(r, 0xFFFF, &v)) {
            snprintf(why, sizeof why, "register %s is not a 16-bit value", reg_names[k]);
            return why;
        }
        out[k] = (uint16_t)v;
        *listed |= 1u << k;
    }
    if (need_all && *listed != (1u << RG_COUNT) - 1) {
        for (int k = 0; k < RG_COUNT; k++)
            if (!(*listed & (1u << k))) {
                snprintf(why, sizeof why, "register %s missing", reg_names[k]);
                return why;
            }
    }
    return NULL;
}

static const char *load_ram(const cJSON *a, struct ram_byte **out, size_t *n)
{
    if (!cJSON_IsArray(a))
        return "\"ram\" is not an array";
    size_t cnt = (size_t)cJSON_GetArraySize(a), k = 0;
    *out = xrealloc(NULL, cnt * sizeof **out);
    *n = 0;
    for (const cJSON *e = a->child; e; e = e->next, k++) {
        uint32_t addr, val;
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 2 ||
            !get_uint(e->child, RAM_BYTES - 1, &addr) ||
            !get_uint(e->child->next, 255, &val))
            return "\"ram\" entry is not [address, byte] within 16 MiB";
        (*out)[k].addr = addr;
        (*out)[k].val = (uint8_t)val;
    }
    *n = k;
    return NULL;
}

/* Fills *t from JSON object o; returns NULL or why it is malformed. */
static const char *load_test(const cJSON *o, long pos, struct test *t)
{
    memset(t, 0, sizeof *t);
    t->flag_lo = t->flag_hi = -1;
    t->num = pos;
    if (!cJSON_IsObject(o))
        return "is not an object";
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    snprintf(t->name, sizeof t->name, "%s", cJSON_IsString(name) ? name->valuestring : "?");
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(o, "test_num");
    if (!num)
        num = cJSON_GetObjectItemCaseSensitive(o, "idx");
    uint32_t u;
    if (get_uint(num, 4e9, &u))
        t->num = (long)u;

    const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(o, "bytes");
    if (!cJSON_IsArray(bytes) || cJSON_GetArraySize(bytes) < 1)
        return "\"bytes\" missing or empty";
    for (const cJSON *b = bytes->child; b; b = b->next) {
        if (!get_uint(b, 255, &u))
            return "\"bytes\" holds a value that is not a byte";
        if (t->nbytes < sizeof t->bytes)
            t->bytes[t->nbytes++] = (uint8_t)u;
    }

    const cJSON *ini = cJSON_GetObjectItemCaseSensitive(o, "initial");
    const cJSON *fin = cJSON_GetObjectItemCaseSensitive(o, "final");
    if (!cJSON_IsObject(ini))
        return "\"initial\" missing";
    if (!cJSON_IsObject(fin))
        return "\"final\" missing";
    const cJSON *ir = cJSON_GetObjectItemCaseSensitive(ini, "regs");
    const cJSON *fr = cJSON_GetObjectItemCaseSensitive(fin, "regs");
    if (!ir)
        return "\"initial.regs\" missing";
    if (!fr)
        return "\"final.regs\" missing";
    uint32_t listed;
    const char *why = load_regs(ir, t->init, &listed, true);
    if (why)
        return why;
    why = load_regs(fr, t->fin, &t->fin_listed, false);
    if (why)
        return why;
    const cJSON *iram = cJSON_GetObjectItemCaseSensitive(ini, "ram");
    const cJSON *fram = cJSON_GetObjectItemCaseSensitive(fin, "ram");
    if (!iram)
        return "\"initial.ram\" missing";
    if (!fram)
        return "\"final.ram\" missing";
    if ((why = load_ram(iram, &t->iram, &t->niram)) ||
        (why = load_ram(fram, &t->fram, &t->nfram)))
        return why;

    const cJSON *exc = cJSON_GetObjectItemCaseSensitive(o, "exception");
    if (exc) {
        const cJSON *fa = cJSON_GetObjectItemCaseSensitive(exc, "flag_address");
        if (!cJSON_IsObject(exc) || !get_uint(fa, RAM_BYTES - 1, &u))
            return "\"exception.flag_address\" missing or not an address";
        t->flag_lo = (long)u;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The flags mask from metadata.json for this file / test. */

static bool is_prefix(const struct cpu_model *m, uint8_t b)
{
    switch (b) {
    case 0x26: case 0x2E: case 0x36: case 0x3E: case 0xF0: case 0xF2: case 0xF3:
        return true;
    case 0xF1:
        return m->gen < GEN_80286; /* an alias of LOCK on the 8086 */
    default:
        return false;
    }
}

/* Opcode (and ModRM.reg for group files) from a file name like
 * "80.4.json.gz" or "A4.json.gz"; false when the name says nothing. */
static bool opcode_from_name(const char *file, unsigned *op, int *reg)
{
    const char *b = base_name(file);
    unsigned v = 0;
    for (int k = 0; k < 2; k++) {
        char ch = b[k];
        unsigned d;
        if (ch >= '0' && ch <= '9') d = (unsigned)(ch - '0');
        else if (ch >= 'A' && ch <= 'F') d = (unsigned)(ch - 'A' + 10);
        else if (ch >= 'a' && ch <= 'f') d = (unsigned)(ch - 'a' + 10);
        else return false;
        v = v * 16 + d;
    }
    *op = v;
    *reg = -1;
    if (b[2] == '.' && b[3] >= '0' && b[3] <= '7' && b[4] == '.')
        *reg = b[3] - '0';
    else if (b[2] != '.')
        return false;
    return true;
}

static uint16_t flags_mask_for(const struct meta *meta, const struct cpu_model *m,
                               const char *file, const struct test *t)
{
    if (!meta || !meta->opcodes)
        return 0xFFFF;
    unsigned op;
    int reg;
    unsigned k = 0;
    while (k < t->nbytes && is_prefix(m, t->bytes[k]))
        k++;
    if (!opcode_from_name(file, &op, &reg)) {
        op = k < t->nbytes ? t->bytes[k] : 0;
        reg = -1;
    }
    char key[16];
    snprintf(key, sizeof key, "%02X", op);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(meta->opcodes, key);
    if (!e)
        return 0xFFFF;
    const cJSON *regs = cJSON_GetObjectItemCaseSensitive(e, "reg");
    if (regs) {
        if (reg < 0)
            reg = k + 1 < t->nbytes ? (t->bytes[k + 1] >> 3) & 7 : 0;
        snprintf(key, sizeof key, "%d", reg);
        e = cJSON_GetObjectItemCaseSensitive(regs, key);
        if (!e)
            return 0xFFFF;
    }
    uint32_t mask;
    if (get_uint(cJSON_GetObjectItemCaseSensitive(e, "flags-mask"), 0xFFFF, &mask))
        return (uint16_t)mask;
    return 0xFFFF;
}

/* ------------------------------------------------------------------ */
/* The machine under test: 16 MiB of RAM, the block cache and one CPU.
 * No devices: unclaimed I/O ports read as all ones (bus_in), which is
 * what the tests expect of IN. */

struct rig {
    struct bus bus;
    struct blockcache bc;
    struct cpu cpu;
};

static struct rig *rig;

static void rig_use_model(const struct cpu_model *m)
{
    if (!rig) {
        rig = calloc(1, sizeof *rig);
        if (!rig || !bus_init(&rig->bus, RAM_BYTES) || !blockcache_init(&rig->bc, RAM_BYTES)) {
            fprintf(stderr, PROG ": cannot allocate the test machine\n");
            exit(EXIT_BAD);
        }
        cpu_init(&rig->cpu, m, &rig->bus, &rig->bc);
    } else if (rig->cpu.model != m) {
        cpu_init(&rig->cpu, m, &rig->bus, &rig->bc);
    }
}

static uint16_t initial_flags(const struct cpu_model *m, uint16_t f)
{
    /* 80286 real mode: IOPL and NT cannot be set, bits 12-15 read 0. */
    if (!m->flags_hi_ones)
        f &= 0x0FFF;
    return f;
}

static void setup(struct cpu *c, const struct test *t)
{
    cpu_reset(c);
    blockcache_flush(c->bc);
    tlb_flush(c);
    for (int r = 0; r < RG_COUNT; r++) {
        if (gpr_of[r] >= 0)
            set_r16(c, (unsigned)gpr_of[r], t->init[r]);
        else if (sreg_of[r] >= 0)
            cpu_load_seg_real(c, sreg_of[r], t->init[r]);
    }
    c->eip = t->init[RG_IP];
    cpu_set_eflags(c, t->init[RG_FLAGS], c->model->eflags_writable);
    for (size_t k = 0; k < t->niram; k++)
        bus_write(c->bus, t->iram[k].addr, t->iram[k].val, 1);
}

/* Puts the touched bytes back to zero so the next test starts from the
 * same memory whatever this one did. */
static void cleanup(struct cpu *c, const struct test *t)
{
    for (size_t k = 0; k < t->niram; k++)
        bus_write(c->bus, t->iram[k].addr, 0, 1);
    for (size_t k = 0; k < t->nfram; k++)
        bus_write(c->bus, t->fram[k].addr, 0, 1);
}

/* Is this a string instruction with a REP prefix (8086 runs it to the
 * end as "one instruction": the tests expect the whole repetition)? */
static bool is_rep_string(const struct cpu_model *m, const struct test *t)
{
    bool rep = false;
    unsigned k = 0;
    while (k < t->nbytes && is_prefix(m, t->bytes[k])) {
        if (t->bytes[k] == 0xF2 || t->bytes[k] == 0xF3)
            rep = true;
        k++;
    }
    if (!rep || k >= t->nbytes)
        return false;
    uint8_t op = t->bytes[k];
    return (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF) ||
           (m->gen >= GEN_80186 && op >= 0x6C && op <= 0x6F);
}

static const char *run_status_name(enum run_status s)
{
    switch (s) {
    case RUN_LIMIT: return "step limit";
    case RUN_HALTED: return "halted";
    case RUN_DEAD: return "halted (IF=0)";
    case RUN_STOP: return "stopped";
    case RUN_SHUTDOWN: return "shutdown (triple fault)";
    }
    return "?";
}

/* Runs the test's instruction; returns the last cpu_run status and
 * counts the steps. */
static enum run_status execute(struct cpu *c, const struct test *t, unsigned *steps)
{
    enum run_status st;
    uint64_t start = c->icount;
    if (c->model->gen >= GEN_80286) {
        /* Until the HLT after the instruction (or at the interrupt
         * target) has executed: cpu_run returns when the CPU halts. */
        st = cpu_run(c, MAX_STEPS_286);
    } else {
        /* 8086: one instruction with its prefixes.  A REP string
         * instruction counts as one: run it until CS:IP moves on.  A
         * divide error ends at the INT 0 handler's entry (cpu_run counts
         * the delivered exception as the step). */
        uint16_t cs = c->seg[S_CS].sel;
        uint32_t ip = c->eip;
        bool rep = is_rep_string(c->model, t);
        unsigned n = 0;
        do {
            st = cpu_run(c, 1);
            n++;
        } while (rep && st == RUN_LIMIT && c->eip == ip && c->seg[S_CS].sel == cs &&
                 n < MAX_REP_8086);
    }
    *steps = (unsigned)(c->icount - start);
    return st;
}

/* ------------------------------------------------------------------ */
/* Comparing and reporting. */

struct diff {
    char text[24][96];
    int n;
};

static void diff_add(struct diff *d, const char *fmt, ...)
{
    if (d->n >= (int)(sizeof d->text / sizeof d->text[0]))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->text[d->n++], sizeof d->text[0], fmt, ap);
    va_end(ap);
}

static uint16_t got_reg(const struct cpu *c, int r)
{
    if (gpr_of[r] >= 0)
        return get_r16(c, (unsigned)gpr_of[r]);
    if (sreg_of[r] >= 0)
        return c->seg[sreg_of[r]].sel;
    if (r == RG_IP)
        return (uint16_t)c->eip;
    return (uint16_t)cpu_get_eflags(c);
}

static bool compare(const struct cpu *c, const struct test *t, struct bus *bus,
                    enum run_status st, struct diff *d)
{
    uint16_t mask = t->flags_mask;
    for (int r = 0; r < RG_COUNT; r++) {
        uint16_t exp = t->fin[r], got = got_reg(c, r);
        if (r == RG_FLAGS) {
            if ((exp & mask) != (got & mask))
                diff_add(d, "flags: expected %04X got %04X (mask %04X, differ %04X%s)",
                         exp, got, mask, (exp ^ got) & mask,
                         (t->fin_listed >> r) & 1 ? "" : ", unchanged");
        } else if (exp != got) {
            diff_add(d, "%s: expected %04X got %04X%s", reg_names[r], exp, got,
                     (t->fin_listed >> r) & 1 ? "" : " (should be unchanged)");
        }
    }
    if (c->eip > 0xFFFF)
        diff_add(d, "eip: %08X has bits above 16", c->eip);
    for (int r = 0; r < RG_COUNT; r++)
        if (gpr_of[r] >= 0 && c->reg[gpr_of[r]] > 0xFFFF)
            diff_add(d, "e%s: %08X has bits above 16", reg_names[r], c->reg[gpr_of[r]]);
    if (c->seg[S_FS].sel || c->seg[S_GS].sel)
        diff_add(d, "fs/gs: %04X/%04X, should be 0", c->seg[S_FS].sel, c->seg[S_GS].sel);
    for (size_t k = 0; k < t->nfram; k++) {
        uint32_t a = t->fram[k].addr;
        uint8_t exp = t->fram[k].val, got = (uint8_t)bus_read(bus, a, 1), m = 0xFF;
        if (t->flag_lo >= 0 && a == (uint32_t)t->flag_lo)
            m = (uint8_t)mask;
        else if (t->flag_hi >= 0 && a == (uint32_t)t->flag_hi)
            m = (uint8_t)(mask >> 8);
        if ((exp & m) != (got & m))
            diff_add(d, "ram[%06X]: expected %02X got %02X%s", a, exp, got,
                     m != 0xFF ? " (pushed flags, masked)" : "");
    }
    /* Bytes of initial.ram that final.ram does not list must be as they
     * were (the 80286 tests list only the bytes that changed). */
    for (size_t k = 0; k < t->niram; k++) {
        uint32_t a = t->iram[k].addr;
        bool listed = false;
        for (size_t j = 0; j < t->nfram && !listed; j++)
            listed = t->fram[j].addr == a;
        for (size_t j = 0; j < k && !listed; j++)
            listed = t->iram[j].addr == a; /* listed twice: checked once */
        uint8_t got = (uint8_t)bus_read(bus, a, 1);
        if (!listed && got != t->iram[k].val)
            diff_add(d, "ram[%06X]: expected %02X (unchanged) got %02X", a,
                     t->iram[k].val, got);
    }
    if (c->model->gen >= GEN_80286 && st != RUN_HALTED && st != RUN_DEAD)
        diff_add(d, "did not stop at a HLT (%s)", run_status_name(st));
    if (st == RUN_SHUTDOWN && c->model->gen < GEN_80286)
        diff_add(d, "shutdown (triple fault)");
    return d->n == 0;
}

static void report(const char *file, const struct test *t, const struct diff *d,
                   enum run_status st, unsigned steps)
{
    printf("  FAIL %s #%ld \"%s\"  bytes:", base_name(file), t->num, t->name);
    for (unsigned k = 0; k < t->nbytes; k++)
        printf(" %02X", t->bytes[k]);
    printf("\n    initial:");
    for (int r = 0; r < RG_COUNT; r++)
        printf(" %s=%04X", reg_names[r], t->init[r]);
    printf("\n    run: %s after %u step%s\n", run_status_name(st), steps, steps == 1 ? "" : "s");
    for (int k = 0; k < d->n; k++)
        printf("    %s\n", d->text[k]);
}

/* ------------------------------------------------------------------ */
/* One file. */

/* Where an exception pushed FLAGS, so that its undefined bits can be
 * masked like the FLAGS register's.  The interrupt pushed FLAGS, CS, IP,
 * so FLAGS is at SS:SP+4 of the final state (the handler is never run
 * further than its entry, or its HLT).  8086: a divide error is the
 * only exception and is recognised by its vector read (bytes 0-3).
 * 80286: the test says so in "exception"; its flag_address is the
 * word-aligned bus address, one below the flags when SP is odd. */
static void find_pushed_flags(const struct cpu_model *m, struct test *t)
{
    bool pushed;
    if (m->gen >= GEN_80286) {
        pushed = t->flag_lo >= 0;
    } else {
        pushed = false;
        for (size_t j = 0; j < t->niram; j++)
            if (t->iram[j].addr <= 3)
                pushed = true;
    }
    if (!pushed)
        return;
    uint32_t amask = m->addr_bits >= 32 ? 0xFFFFFFFFu : (1u << m->addr_bits) - 1;
    uint32_t base = (uint32_t)t->fin[RG_SS] << 4;
    uint16_t sp = t->fin[RG_SP];
    uint32_t lo = (base + (uint16_t)(sp + 4)) & amask;
    uint32_t hi = (base + (uint16_t)(sp + 5)) & amask;
    if (t->flag_lo >= 0 && (uint32_t)t->flag_lo != lo && (uint32_t)t->flag_lo != (lo & ~1u)) {
        /* The stack does not say: trust the test's address. */
        lo = (uint32_t)t->flag_lo;
        hi = lo + 1;
    }
    t->flag_lo = (long)lo;
    t->flag_hi = (long)hi;
}

static const struct cpu_model *model_for(const char *path)
{
    const char *name = opt.cpu;
    if (!name) {
        size_t n = strlen(path);
        if (strstr(path, "/8086/") || (n > 5 && strncmp(path, "8086/", 5) == 0))
            name = "8086";
        else if (strstr(path, "/80286/") || (n > 6 && strncmp(path, "80286/", 6) == 0))
            name = "80286";
        else {
            file_error(path, "cannot tell the CPU model from the path: give -cpu MODEL (%s)",
                       cpu_model_names());
            return NULL;
        }
    }
    return cpu_model_find(name);
}

static void run_file(const char *path)
{
    const struct cpu_model *model = model_for(path);
    if (!model)
        return;
    cJSON *root = read_json(path);
    if (!root)
        return;
    if (!cJSON_IsArray(root)) {
        file_error(path, "not a JSON array of tests");
        cJSON_Delete(root);
        return;
    }
    size_t n = (size_t)cJSON_GetArraySize(root);
    struct test *tests = xrealloc(NULL, (n ? n : 1) * sizeof *tests);
    size_t k = 0;
    const char *why = NULL;
    struct meta *meta = meta_for(path);
    for (const cJSON *o = root->child; o; o = o->next, k++) {
        why = load_test(o, (long)k, &tests[k]);
        if (why) {
            test_free(&tests[k]);
            break;
        }
        tests[k].flags_mask = flags_mask_for(meta, model, path, &tests[k]);
    }
    cJSON_Delete(root);
    if (why) {
        file_error(path, "test %zu: %s", k, why);
        for (size_t j = 0; j < k; j++)
            test_free(&tests[j]);
        free(tests);
        return;
    }
    if (n == 0) {
        file_error(path, "no tests in the array");
        free(tests);
        return;
    }

    rig_use_model(model);
    struct cpu *c = &rig->cpu;
    unsigned long pass = 0, fail = 0;
    size_t ran = 0;
    for (k = 0; k < n; k++) {
        struct test *t = &tests[k];
        if (opt.only >= 0 && (long)k != opt.only)
            continue;
        ran++;
        t->init[RG_FLAGS] = initial_flags(model, t->init[RG_FLAGS]);
        for (int r = 0; r < RG_COUNT; r++)
            if (!((t->fin_listed >> r) & 1))
                t->fin[r] = t->init[r];
        find_pushed_flags(model, t);
        setup(c, t);
        unsigned steps;
        enum run_status st = execute(c, t, &steps);
        struct diff d = { .n = 0 };
        if (compare(c, t, &rig->bus, st, &d)) {
            pass++;
        } else {
            if (fail == 0 || opt.verbose)
                report(path, t, &d, st, steps);
            fail++;
        }
        cleanup(c, t);
    }
    printf("%s: %lu/%zu\n", base_name(path), pass, ran);
    fflush(stdout);
    total_pass += pass;
    total_fail += fail;
    for (k = 0; k < n; k++)
        test_free(&tests[k]);
    free(tests);
}

/* ------------------------------------------------------------------ */
/* Directories: every *.json.gz, sorted by name. */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Returns EXIT_SKIP when the directory does not exist, 0 otherwise. */
static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("SingleStepTests data not found at %s: skipped\n", dir);
        return EXIT_SKIP;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!ends_with(e->d_name, ".json.gz"))
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n] = xrealloc(NULL, len);
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n == 0) {
        file_error(dir, "no *.json.gz files in this directory");
        return 0;
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t k = 0; k < n; k++) {
        run_file(names[k]);
        free(names[k]);
    }
    free(names);
    return 0;
}

/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fprintf(f,
"usage: " PROG " [-cpu MODEL] [-v] [--min-pass PERCENT] FILE.json.gz...\n"
"       " PROG " [options] --dir DIR      every DIR/*.json.gz, in name order\n"
"       " PROG " [options] --set NAME     every file of the set NAME (8086, 80286)\n"
"                                   under $PCVM_SST_DIR, or under\n"
"                                   " SST_DEFAULT_ROOT "\n"
"Runs SingleStepTests CPU tests (gzip'd JSON, see cpu-tests/sst/README.md).\n"
"  -cpu MODEL        CPU model (%s);\n"
"                    default: 8086 for paths with /8086/, 80286 for /80286/\n"
"  -v                print every failing test (default: the first per file)\n"
"  --min-pass P      succeed when at least P %% of the tests pass\n"
"  --test N          run only the test at position N (0-based) of each file\n"
"  -h, --help        this text\n"
"Prints \"FILE: passed/total\" per file and \"N passed, M failed\" last.\n"
"A file that cannot be read or is malformed gets a one-line error; the\n"
"other files still run and the exit status is then 2.\n"
"Exit status: 0 all passed (or at least P %%), 1 tests failed,\n"
"2 bad usage or unusable input, 77 when --dir/--set finds no data (skip).\n",
            cpu_model_names());
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, PROG ": ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (try --help)\n");
    return EXIT_BAD;
}

static double now_seconds(void)
{
    struct timespec ts;   /* POSIX clock_gettime: mingw-w64 has no C11 timespec_get */
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Command-line lists, and everything else main owns, freed by finish(). */
static const char **files, **dirs;
static char **owned;
static int nfiles, ndirs, nowned;

static int finish(int status)
{
    for (int k = 0; k < nowned; k++)
        free(owned[k]);
    free(owned);
    free(files);
    free(dirs);
    owned = NULL;
    files = dirs = NULL;
    nowned = nfiles = ndirs = 0;
    while (metas) {
        struct meta *m = metas;
        metas = m->next;
        cJSON_Delete(m->root);
        free(m->dir);
        free(m);
    }
    if (rig) {
        blockcache_free(&rig->bc);
        bus_free(&rig->bus);
        free(rig);
        rig = NULL;
    }
    return status;
}

int main(int argc, char **argv)
{
    files = xrealloc(NULL, (size_t)argc * sizeof *files);
    dirs = xrealloc(NULL, (size_t)argc * sizeof *dirs);
    owned = xrealloc(NULL, (size_t)argc * sizeof *owned);

    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return finish(0);
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            opt.verbose = true;
        } else if (strcmp(a, "-cpu") == 0 || strcmp(a, "--cpu") == 0) {
            if (++k >= argc)
                return finish(bad_usage("%s needs a model name", a));
            opt.cpu = argv[k];
            if (!cpu_model_find(opt.cpu)) {
                fprintf(stderr, PROG ": unknown CPU model '%s' (models: %s)\n",
                        opt.cpu, cpu_model_names());
                return finish(EXIT_BAD);
            }
        } else if (strcmp(a, "--min-pass") == 0) {
            if (++k >= argc)
                return finish(bad_usage("%s needs a percentage", a));
            char *end;
            errno = 0;
            double p = strtod(argv[k], &end);
            if (end == argv[k] || *end || errno || !(p >= 0 && p <= 100))
                return finish(bad_usage("--min-pass: '%s' is not a percentage 0-100", argv[k]));
            opt.min_pass = p;
        } else if (strcmp(a, "--test") == 0) {
            if (++k >= argc)
                return finish(bad_usage("%s needs a test position", a));
            char *end;
            errno = 0;
            long v = strtol(argv[k], &end, 10);
            if (end == argv[k] || *end || errno || v < 0)
                return finish(bad_usage("--test: '%s' is not a test position", argv[k]));
            opt.only = v;
        } else if (strcmp(a, "--dir") == 0) {
            if (++k >= argc)
                return finish(bad_usage("%s needs a directory", a));
            dirs[ndirs++] = argv[k];
        } else if (strcmp(a, "--set") == 0) {
            if (++k >= argc)
                return finish(bad_usage("%s needs a set name", a));
            const char *root = getenv("PCVM_SST_DIR");
            if (!root || !*root)
                root = SST_DEFAULT_ROOT;
            size_t len = strlen(root) + strlen(argv[k]) + 2;
            char *p = xrealloc(NULL, len);
            snprintf(p, len, "%s/%s", root, argv[k]);
            owned[nowned++] = p;
            dirs[ndirs++] = p;
        } else if (a[0] == '-' && a[1]) {
            return finish(bad_usage("unknown option %s", a));
        } else {
            files[nfiles++] = a;
        }
    }
    if (nfiles == 0 && ndirs == 0)
        return finish(bad_usage("%s", "no test files given"));

    double t0 = now_seconds();
    int skipped = 0;
    for (int k = 0; k < ndirs; k++)
        if (run_dir(dirs[k]) == EXIT_SKIP)
            skipped++;
    for (int k = 0; k < nfiles; k++)
        run_file(files[k]);
    double t1 = now_seconds();

    unsigned long total = total_pass + total_fail;
    if (skipped && total == 0 && !bad_input && nfiles == 0)
        return finish(EXIT_SKIP);
    if (total)
        printf("time: %.2f s (%.1f us/test)\n", t1 - t0, (t1 - t0) * 1e6 / (double)total);
    printf("%lu passed, %lu failed\n", total_pass, total_fail);

    if (bad_input)
        return finish(EXIT_BAD);
    if (total_fail == 0)
        return finish(0);
    if (opt.min_pass >= 0 && total > 0 &&
        100.0 * (double)total_pass / (double)total >= opt.min_pass)
        return finish(0);
    return finish(EXIT_FAIL);
}

/* gdb remote stub: the GDB Remote Serial Protocol over TCP (POSIX sockets).
 *
 * `-gdb tcp::PORT` (or `-s` for port 1234) listens on 127.0.0.1 unless a
 * host is given.  With `-S` pcvm waits for gdb before the first
 * instruction; without it the guest runs until gdb connects.
 *
 * Conventions (documented in README.md, "Debugging with gdb"):
 *   - memory addresses (m, M, Z) are LINEAR addresses: segment base +
 *     offset, then paging when it is on.  gdb's $pc is EIP, the offset in
 *     CS, so in real mode it equals the linear address only when CS=0
 *     (a boot sector at 0000:7C00).  `monitor` commands understand
 *     seg:off (monitor x/8bx cs:ip, monitor disas cs:ip 4).
 *   - the target description says i8086 while the CPU is in real mode when
 *     gdb connects, so gdb disassembles 16-bit code; in protected mode it
 *     says i386.  `set architecture i8086` / `i386` switches by hand.
 *   - breakpoints (Z0/Z1) and watchpoints (Z2/Z3/Z4) are kept inside the
 *     emulator; guest memory is never patched.
 *   - registers: the i386 core set (EAX..EDI, EIP, EFLAGS, CS SS DS ES FS
 *     GS, and the x87 registers st0-st7, fctrl, fstat, ftag, fiseg, fioff,
 *     foseg, fooff, fop, read-only).
 * The packet formats follow the GDB manual, appendix "Remote Protocol".
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbstub.h"
#include "../cpu/fpu.h"

#define PKT_MAX 16384

struct stub {
    struct dbg *d;
    int fd;
    bool no_ack;
    bool gone;            /* connection lost */
    char in[PKT_MAX + 8];
};

/* ---------------------------------------------------------------- wire */

static bool send_all(struct stub *s, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = send(s->fd, buf, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->gone = true;
            return false;
        }
        buf += w;
        n -= (size_t)w;
    }
    return true;
}

static int get_byte(struct stub *s)
{
    unsigned char ch;
    for (;;) {
        ssize_t r = recv(s->fd, &ch, 1, 0);
        if (r == 1)
            return ch;
        if (r < 0 && errno == EINTR)
            continue;
        s->gone = true;
        return -1;
    }
}

static const char hexd[] = "0123456789abcdef";

static void put_packet(struct stub *s, const char *data)
{
    size_t n = strlen(data);
    char *buf = malloc(n + 5);
    if (!buf)
        return;
    unsigned sum = 0;
    buf[0] = '$';
    for (size_t k = 0; k < n; k++) {
        buf[k + 1] = data[k];
        sum += (unsigned char)data[k];
    }
    buf[n + 1] = '#';
    buf[n + 2] = hexd[(sum >> 4) & 15];
    buf[n + 3] = hexd[sum & 15];
    for (int tries = 0; tries < 3; tries++) {
        if (!send_all(s, buf, n + 4))
            break;
        if (s->no_ack)
            break;
        int ch = get_byte(s);
        if (ch == '+' || ch < 0)
            break;
    }
    free(buf);
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Reads one packet into s->in (NUL-terminated); returns its length, -1
 * on a lost connection, -2 for a Ctrl-C byte outside a packet. */
static int get_packet(struct stub *s)
{
    for (;;) {
        int ch = get_byte(s);
        if (ch < 0)
            return -1;
        if (ch == 0x03)
            return -2;
        if (ch != '$')
            continue;   /* acks, noise */
        size_t n = 0;
        unsigned sum = 0;
        for (;;) {
            ch = get_byte(s);
            if (ch < 0)
                return -1;
            if (ch == '#')
                break;
            if (n < PKT_MAX)
                s->in[n++] = (char)ch;
            sum += (unsigned)ch;
        }
        int h1 = get_byte(s), h2 = get_byte(s);
        if (h1 < 0 || h2 < 0)
            return -1;
        s->in[n] = 0;
        bool ok = hexval(h1) >= 0 && hexval(h2) >= 0 &&
                  (unsigned)(hexval(h1) << 4 | hexval(h2)) == (sum & 0xFF);
        if (!s->no_ack)
            send_all(s, ok ? "+" : "-", 1);
        if (ok)
            return (int)n;
    }
}

/* ---------------------------------------------------------------- registers */

/* gdb's i386 core register numbers. */
enum { G_EAX, G_ECX, G_EDX, G_EBX, G_ESP, G_EBP, G_ESI, G_EDI, G_EIP, G_EFLAGS,
       G_CS, G_SS, G_DS, G_ES, G_FS, G_GS, G_ST0, G_FCTRL = G_ST0 + 8, G_NREGS = G_FCTRL + 8 };
static const int gseg[6] = { S_CS, S_SS, S_DS, S_ES, S_FS, S_GS };

static unsigned reg_size(int r) { return (r >= G_ST0 && r < G_FCTRL) ? 10 : 4; }

static void reg_bytes(struct dbg *d, int r, uint8_t *out)
{
    const struct cpu *c = &d->m->cpu;
    uint32_t v = 0;
    memset(out, 0, 10);
    if (r <= G_EDI) v = c->reg[r];
    else if (r == G_EIP) v = c->eip;
    else if (r == G_EFLAGS) v = cpu_get_eflags(c);
    else if (r <= G_GS) v = c->seg[gseg[r - G_CS]].sel;
    else if (r < G_FCTRL) {
        /* st0-st7 in stack order, 80-bit little endian (cpu/fpu.h) */
        fx80 x = fpu_st(c, (unsigned)(r - G_ST0));
        for (int k = 0; k < 8; k++)
            out[k] = (uint8_t)(x.sig >> (8 * k));
        out[8] = (uint8_t)x.se;
        out[9] = (uint8_t)(x.se >> 8);
        return;
    } else {
        const struct fpu *f = &c->fpu;
        const uint32_t fr[8] = { f->cw, f->sw, fpu_tag_word(c), f->fcs, f->fip, f->fds, f->fdp, f->fop };
        v = fr[r - G_FCTRL];
    }
    if (reg_size(r) == 4)
        for (int k = 0; k < 4; k++)
            out[k] = (uint8_t)(v >> (8 * k));
}

static bool set_reg(struct dbg *d, int r, const uint8_t *b)
{
    struct cpu *c = &d->m->cpu;
    uint32_t v = b[0] | b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    if (r <= G_EDI) c->reg[r] = v;
    else if (r == G_EIP) c->eip = v;
    else if (r == G_EFLAGS) cpu_set_eflags(c, v | F_RES1, 0x003F7FD5u);
    else if (r <= G_GS) {
        int sr = gseg[r - G_CS];
        if (c->seg[sr].sel == (uint16_t)v)
            return true;
        if (cpu_pe(c) && !cpu_vm86(c))
            return false;   /* would need a descriptor load: refused */
        cpu_load_seg_real(c, sr, (uint16_t)v);
    } else
        return true;         /* x87: writes ignored (read-only view) */
    return true;
}

static char *hex_of(const uint8_t *b, size_t n, char *out)
{
    for (size_t k = 0; k < n; k++) {
        *out++ = hexd[b[k] >> 4];
        *out++ = hexd[b[k] & 15];
    }
    *out = 0;
    return out;
}

static bool unhex(const char *s, uint8_t *b, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        int h = hexval(s[2 * k]), l = h < 0 ? -1 : hexval(s[2 * k + 1]);
        if (h < 0 || l < 0)
            return false;
        b[k] = (uint8_t)(h << 4 | l);
    }
    return true;
}

/* ---------------------------------------------------------------- target.xml */

static const char xml_head[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>%s</architecture>\n"
    "<osabi>none</osabi>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "<flags id=\"i386_eflags\" size=\"4\">\n"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
    "<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
    "</flags>\n";

static void build_xml(struct dbg *d, char *out, size_t n)
{
    static const char *const gr[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
    static const char *const sr[6] = { "cs", "ss", "ds", "es", "fs", "gs" };
    static const char *const fr[8] = { "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop" };
    const struct cpu *c = &d->m->cpu;
    size_t l = (size_t)snprintf(out, n, xml_head, cpu_pe(c) ? "i386" : "i8086");
    int num = 0;
#define ADD(...) do { if (l < n) l += (size_t)snprintf(out + l, n - l, __VA_ARGS__); } while (0)
    for (int k = 0; k < 8; k++, num++)
        ADD("<reg name=\"%s\" bitsize=\"32\" type=\"%s\" regnum=\"%d\"/>\n", gr[k],
            k == 4 || k == 5 ? "data_ptr" : "int32", num);
    ADD("<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\" regnum=\"%d\"/>\n", num++);
    ADD("<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\" regnum=\"%d\"/>\n", num++);
    for (int k = 0; k < 6; k++, num++)
        ADD("<reg name=\"%s\" bitsize=\"32\" type=\"int32\" regnum=\"%d\"/>\n", sr[k], num);
    for (int k = 0; k < 8; k++, num++)
        ADD("<reg name=\"st%d\" bitsize=\"80\" type=\"i387_ext\" regnum=\"%d\"/>\n", k, num);
    for (int k = 0; k < 8; k++, num++)
        ADD("<reg name=\"%s\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"%d\"/>\n", fr[k], num);
    ADD("</feature>\n</target>\n");
#undef ADD
}

/* ---------------------------------------------------------------- running */

static bool poll_ctrl_c(void *opaque)
{
    struct stub *s = opaque;
    struct pollfd p = { .fd = s->fd, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0)
        return false;
    unsigned char ch;
    ssize_t r = recv(s->fd, &ch, 1, MSG_PEEK);
    if (r <= 0) {
        s->gone = true;
        return true;
    }
    if (ch == 0x03) {
        (void)recv(s->fd, &ch, 1, 0);
        return true;
    }
    return false;
}

/* Stop reply after dbg_run. */
static void stop_reply(struct stub *s, enum dbg_stop why, char *out)
{
    struct dbg *d = s->d;
    if (why == DS_EXIT) {
        int code = d->m->exit == MACHINE_EXIT_DEBUG ? d->m->exit_code & 0xFF
                 : d->m->exit == MACHINE_EXIT_SHUTDOWN ? 2 : 0;
        sprintf(out, "W%02x", code);
        return;
    }
    int sig = why == DS_USER ? 2 : 5;   /* SIGINT for Ctrl-C, else SIGTRAP */
    /* The PC (register 8, EIP) travels with the stop, in target byte order. */
    uint8_t pc[10];
    char pchex[9];
    reg_bytes(d, G_EIP, pc);
    hex_of(pc, 4, pchex);
    int n = sprintf(out, "T%02x%02x:%s;", sig, G_EIP, pchex);
    if (why == DS_WATCH) {
        const struct dbg_wp *w = &d->wp[d->watch_hit];
        const char *kind = w->type == WP_WRITE ? "watch" : w->type == WP_READ ? "rwatch" : "awatch";
        uint32_t a = d->watch_lin > w->addr ? d->watch_lin : w->addr;
        sprintf(out + n, "%s:%x;", kind, a);
    } else if (why == DS_BREAK) {
        sprintf(out + n, "swbreak:;");
    }
}

/* ---------------------------------------------------------------- commands */

static void monitor(struct stub *s, const char *hexcmd, char *out, size_t outlen)
{
    size_t n = strlen(hexcmd) / 2;
    char cmd[512];
    if (n >= sizeof cmd || !unhex(hexcmd, (uint8_t *)cmd, n)) {
        snprintf(out, outlen, "E01");
        return;
    }
    cmd[n] = 0;
    char *text = NULL;
    size_t tlen = 0;
    FILE *mf = open_memstream(&text, &tlen);
    if (!mf) {
        snprintf(out, outlen, "E02");
        return;
    }
    FILE *saved = s->d->out;
    s->d->out = mf;
    if (strncmp(cmd, "help", 4) == 0)
        fputs("monitor commands are the pcvm debugger's views: regs, sregs, cr, gdt, idt, ldt,\n"
              "stack [N], x/NFU ADDR, disas [ADDR] [N], explain, pagewalk ADDR, print EXPR,\n"
              "info pic|pit|irq (ADDR may be seg:off, e.g. monitor x/8bx ds:si)\n", mf);
    else if (!strncmp(cmd, "step", 4) || !strncmp(cmd, "next", 4) || !strncmp(cmd, "cont", 4) ||
             !strncmp(cmd, "until", 5) || !strncmp(cmd, "quit", 4))
        fputs("run control belongs to gdb (stepi, continue); monitor shows views only\n", mf);
    else
        dbg_command(s->d, cmd);
    s->d->out = saved;
    fclose(mf);
    if (tlen == 0)
        snprintf(out, outlen, "OK");
    else {
        size_t max = (outlen - 1) / 2;
        hex_of((const uint8_t *)text, tlen < max ? tlen : max, out);
    }
    free(text);
}

/* Handles one packet; returns false when the session ends. */
static bool handle(struct stub *s, char *p, char *out, size_t outlen, int *result)
{
    struct dbg *d = s->d;
    out[0] = 0;
    switch (p[0]) {
    case '?':
        strcpy(out, "S05");
        return true;
    case 'q':
        if (!strncmp(p, "qSupported", 10)) {
            snprintf(out, outlen, "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;"
                     "swbreak+;hwbreak+;vContSupported+", PKT_MAX);
        } else if (!strncmp(p, "qXfer:features:read:target.xml:", 31)) {
            unsigned long off = 0, len = 0;
            if (sscanf(p + 31, "%lx,%lx", &off, &len) != 2) {
                strcpy(out, "E00");
                return true;
            }
            static char xml[8192];
            build_xml(d, xml, sizeof xml);
            size_t total = strlen(xml);
            if (len > outlen - 2)
                len = outlen - 2;
            if (off >= total) {
                strcpy(out, "l");
            } else {
                size_t take = total - off < len ? total - off : len;
                out[0] = off + take >= total ? 'l' : 'm';
                memcpy(out + 1, xml + off, take);
                out[take + 1] = 0;
            }
        } else if (!strcmp(p, "qAttached")) {
            strcpy(out, "1");
        } else if (!strcmp(p, "qC")) {
            strcpy(out, "QC1");
        } else if (!strcmp(p, "qfThreadInfo")) {
            strcpy(out, "m1");
        } else if (!strcmp(p, "qsThreadInfo")) {
            strcpy(out, "l");
        } else if (!strncmp(p, "qRcmd,", 6)) {
            monitor(s, p + 6, out, outlen);
        }
        return true;
    case 'Q':
        if (!strcmp(p, "QStartNoAckMode")) {
            put_packet(s, "OK");
            s->no_ack = true;
            out[0] = 0;
            return true;   /* reply already sent */
        }
        return true;
    case 'H':
        strcpy(out, "OK");
        return true;
    case 'T':
        strcpy(out, "OK");
        return true;
    case 'g': {
        char *o = out;
        for (int r = 0; r < G_NREGS; r++) {
            uint8_t b[10];
            reg_bytes(d, r, b);
            o = hex_of(b, reg_size(r), o);
        }
        return true;
    }
    case 'G': {
        const char *h = p + 1;
        for (int r = 0; r < G_NREGS && strlen(h) >= 2 * reg_size(r); r++) {
            uint8_t b[10];
            if (!unhex(h, b, reg_size(r))) {
                strcpy(out, "E01");
                return true;
            }
            set_reg(d, r, b);
            h += 2 * reg_size(r);
        }
        strcpy(out, "OK");
        return true;
    }
    case 'p': {
        unsigned long r = strtoul(p + 1, NULL, 16);
        if (r >= G_NREGS) {
            strcpy(out, "E00");
            return true;
        }
        uint8_t b[10];
        reg_bytes(d, (int)r, b);
        hex_of(b, reg_size((int)r), out);
        return true;
    }
    case 'P': {
        char *eq = strchr(p, '=');
        unsigned long r = strtoul(p + 1, NULL, 16);
        uint8_t b[10] = { 0 };
        if (!eq || r >= G_NREGS || strlen(eq + 1) < 2 * reg_size((int)r) ||
            !unhex(eq + 1, b, reg_size((int)r)) || !set_reg(d, (int)r, b))
            strcpy(out, "E00");
        else
            strcpy(out, "OK");
        return true;
    }
    case 'm': {
        unsigned long a, n;
        if (sscanf(p + 1, "%lx,%lx", &a, &n) != 2 || n > (outlen - 1) / 2) {
            strcpy(out, "E01");
            return true;
        }
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf || !dbg_read(d, (uint32_t)a, false, buf, (uint32_t)n))
            strcpy(out, "E14");
        else
            hex_of(buf, n, out);
        free(buf);
        return true;
    }
    case 'M': {
        unsigned long a, n;
        char *colon = strchr(p, ':');
        if (!colon || sscanf(p + 1, "%lx,%lx", &a, &n) != 2 || strlen(colon + 1) < 2 * n) {
            strcpy(out, "E01");
            return true;
        }
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf || !unhex(colon + 1, buf, n) || !dbg_write(d, (uint32_t)a, buf, (uint32_t)n))
            strcpy(out, "E14");
        else
            strcpy(out, "OK");
        free(buf);
        return true;
    }
    case 'Z':
    case 'z': {
        int type;
        unsigned long a, kind;
        if (sscanf(p + 1, "%d,%lx,%lx", &type, &a, &kind) != 3 || type < 0 || type > 4) {
            out[0] = 0;
            return true;
        }
        char err[64];
        bool add = p[0] == 'Z';
        if (type <= 1) {
            int k = dbg_bp_find_lin(d, (uint32_t)a);
            if (add && k < 0)
                k = dbg_bp_add(d, DA_LIN, 0, (uint32_t)a, NULL, false, err, sizeof err);
            else if (!add && k >= 0)
                dbg_delete(d, d->bp[k].id);
            strcpy(out, add && k < 0 ? "E0E" : "OK");
        } else {
            int wt = type == 2 ? WP_WRITE : type == 3 ? WP_READ : WP_ACCESS;
            int k = dbg_wp_find(d, (uint32_t)a, (uint32_t)kind, wt);
            if (add && k < 0)
                k = dbg_wp_add(d, false, (uint32_t)a, (uint32_t)kind, wt);
            else if (!add && k >= 0)
                dbg_delete(d, d->wp[k].id);
            strcpy(out, add && k < 0 ? "E0E" : "OK");
        }
        return true;
    }
    case 'v':
        if (!strcmp(p, "vCont?")) {
            strcpy(out, "vCont;c;C;s;S");
            return true;
        }
        if (!strncmp(p, "vCont;", 6)) {
            char act = p[6];
            p[0] = (act == 's' || act == 'S') ? 's' : 'c';
            p[1] = 0;
            break;   /* run below */
        }
        if (!strncmp(p, "vKill", 5)) {
            put_packet(s, "OK");
            *result = MACHINE_RUNNING;
            return false;
        }
        return true;   /* unsupported v packet: empty reply */
    case 'D':
        put_packet(s, "OK");
        dbg_delete_all(d);
        *result = -2;   /* detached: keep running without gdb */
        return false;
    case 'k':
        *result = MACHINE_RUNNING;
        return false;
    case 's':
    case 'c':
        break;
    default:
        return true;   /* unsupported: empty reply */
    }
    /* s / c [addr] */
    if (p[1]) {
        unsigned long a = strtoul(p + 1, NULL, 16);
        d->m->cpu.eip = (uint32_t)a;
    }
    d->poll = poll_ctrl_c;
    d->poll_opaque = s;
    enum dbg_stop why = dbg_run(d, p[0] == 's' ? 1 : UINT64_MAX);
    d->poll = NULL;
    if (s->gone)
        return false;
    stop_reply(s, why, out);
    if (why == DS_EXIT) {
        put_packet(s, out);
        out[0] = 0;
        *result = d->m->exit;
        return false;
    }
    return true;
}

static bool poll_accept(void *opaque)
{
    int lfd = *(int *)opaque;
    struct pollfd p = { .fd = lfd, .events = POLLIN };
    return poll(&p, 1, 0) > 0;
}

int gdbstub_run(struct dbg *d, const char *host, int port, bool wait, char *err, size_t errlen)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) {
        snprintf(err, errlen, "gdb stub: socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host ? host : "127.0.0.1", &sa.sin_addr) != 1) {
        /* a host name (localhost, ...): its first IPv4 address */
        struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
        if (getaddrinfo(host, NULL, &hints, &ai) != 0) {
            snprintf(err, errlen, "gdb stub: cannot resolve '%s' to an IPv4 address", host);
            close(lfd);
            return -1;
        }
        sa.sin_addr = ((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr;
        freeaddrinfo(ai);
    }
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 1) < 0) {
        snprintf(err, errlen, "gdb stub: cannot listen on %s:%d: %s", host ? host : "127.0.0.1",
                 port, strerror(errno));
        close(lfd);
        return -1;
    }
    fprintf(stderr, "pcvm: waiting for gdb on %s:%d\n", host ? host : "127.0.0.1", port);
    if (!wait) {
        /* Run until gdb connects (or the guest stops for good). */
        d->poll = poll_accept;
        d->poll_opaque = &lfd;
        enum dbg_stop why = dbg_run(d, UINT64_MAX);
        d->poll = NULL;
        if (why == DS_EXIT) {
            close(lfd);
            return d->m->exit;
        }
    }
    int fd;
    do
        fd = accept(lfd, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    close(lfd);
    if (fd < 0) {
        snprintf(err, errlen, "gdb stub: accept: %s", strerror(errno));
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct stub *s = calloc(1, sizeof *s);
    char *out = malloc(PKT_MAX + 8);
    if (!s || !out) {
        free(s);
        free(out);
        close(fd);
        snprintf(err, errlen, "gdb stub: out of memory");
        return -1;
    }
    s->d = d;
    s->fd = fd;
    int result = MACHINE_RUNNING;
    for (;;) {
        int n = get_packet(s);
        if (n == -1)
            break;        /* gdb went away: like detach */
        if (n == -2) {
            put_packet(s, "S02");
            continue;
        }
        bool go_on = handle(s, s->in, out, PKT_MAX, &result);
        if (!go_on) {
            if (out[0] && !s->gone)
                put_packet(s, out);
            break;
        }
        if (!(s->in[0] == 'Q' && s->no_ack && out[0] == 0))
            put_packet(s, out);
        if (s->gone)
            break;
    }
    if (s->gone || result == -1)
        result = -2;
    close(fd);
    free(out);
    free(s);
    d->poll = NULL;
    return result;
}

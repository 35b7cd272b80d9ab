/* Host side of the serial ports, RTC and boot order: see hostdev.h. */
#include "hostdev.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef _WIN32
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#define HAVE_POSIX_TTY 1
#endif

#include "devices/cmos.h"
#include "die.h"

void hostdev_serial_option(struct hostdev *h, const char *v)
{
    if (h->nserial >= 4)
        die("-serial %s: at most four serial ports (COM1-COM4)", v);
    if (strcmp(v, "stdio") != 0 && strcmp(v, "null") != 0 && strcmp(v, "none") != 0 &&
        (strncmp(v, "file:", 5) != 0 || !v[5]))
        die("-serial '%s': not supported (use stdio, file:PATH, null or none)", v);
    h->serial[h->nserial++].spec = v;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, as QEMU's -rtc base= takes. */
static bool parse_date(const char *s, int64_t *t)
{
    int y, mo, d, hh = 0, mm = 0, ss = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return false;
    if (s[n] == 'T') {
        int n2 = 0;
        if (sscanf(s + n + 1, "%2d:%2d:%2d%n", &hh, &mm, &ss, &n2) != 3)
            return false;
        n += 1 + n2;
    }
    if (s[n] || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59 ||
        y < 1900 || y > 9999)
        return false;
    *t = cmos_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
    return true;
}

void hostdev_rtc_option(struct hostdev *h, const char *v)
{
    char buf[128];
    if (strlen(v) >= sizeof buf)
        die("-rtc '%s': too long", v);
    strcpy(buf, v);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (strncmp(tok, "base=", 5) == 0) {
            const char *b = tok + 5;
            h->rtc_set = true;
            h->rtc_now_local = false;
            if (strcmp(b, "utc") == 0)
                h->rtc_set = false;
            else if (strcmp(b, "localtime") == 0)
                h->rtc_now_local = true;
            else if (!parse_date(b, &h->rtc_base))
                die("-rtc base='%s': use utc, localtime, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS", b);
        } else if (strncmp(tok, "clock=", 6) == 0) {
            const char *c = tok + 6;
            h->pace_given = true;
            if (strcmp(c, "host") == 0 || strcmp(c, "rt") == 0)
                h->pace = true;
            else if (strcmp(c, "vm") == 0)
                h->pace = false;
            else
                die("-rtc clock='%s': use host (run at the host's pace) or vm (as fast as possible)", c);
        } else if (strncmp(tok, "driftfix=", 9) == 0) {
            /* accepted, as QEMU does; nothing to fix here */
        } else {
            die("-rtc '%s': unknown property '%s' (known: base, clock, driftfix)", v, tok);
        }
    }
}

void hostdev_boot_option(struct hostdev *h, const char *v)
{
    const char *order = v;
    static char buf[8];
    /* -boot c, or -boot order=cd[,menu=on,...] */
    if (strchr(v, '=')) {
        const char *o = strstr(v, "order=");
        if (!o)
            return; /* menu=, splash=... only: keep the default order */
        o += 6;
        size_t n = strcspn(o, ",");
        if (n >= sizeof buf)
            die("-boot %s: the order is at most three devices (a, c, d, n)", v);
        memcpy(buf, o, n);
        buf[n] = 0;
        order = buf;
    }
    size_t n = strlen(order);
    if (n == 0 || n > 3 || strspn(order, "acdn") != n)
        die("-boot %s: give up to three of a (floppy), c (hard disk), d (CD-ROM), n (network)", v);
    for (size_t i = 0; i < n; i++)
        if (strchr(order + i + 1, order[i]))
            die("-boot %s: '%c' appears twice", v, order[i]);
    h->boot = order;
}

static void serial_out(void *opaque, uint8_t byte)
{
    struct host_serial *s = opaque;
    if (putc(byte, s->f) == EOF)
        s->error = true;
    if (s->stdio && (byte == '\n' || byte == '\r'))
        fflush(s->f); /* interactive: show lines as they come */
}

uint64_t hostdev_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t host_now_ns(void *opaque)
{
    (void)opaque;
    return hostdev_now_ns();
}

static void host_sleep_ns(void *opaque, uint64_t ns)
{
    (void)opaque;
    if (ns > 100000000u)
        ns = 100000000u; /* never sleep long: the frontend polls input */
    struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
    nanosleep(&ts, NULL);
}

#ifdef HAVE_POSIX_TTY
static struct termios saved_tio;
static bool tio_saved;

static void tty_restore(void)
{
    if (tio_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
    tio_saved = false;
}

static void on_signal(int sig)
{
    tty_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}
#endif

void hostdev_config(struct hostdev *h, struct machine_config *cfg)
{
    if (h->nserial == 0 && h->nographic) {
        h->serial[0].spec = "stdio";
        h->nserial = 1;
    }
    for (int i = 0; i < h->nserial; i++) {
        struct host_serial *s = &h->serial[i];
        if (strcmp(s->spec, "none") == 0)
            continue;
        cfg->serial[i].present = true;
        if (strcmp(s->spec, "stdio") == 0) {
            s->f = stdout;
            s->stdio = true;
            if (!h->stdin_serial) {
                h->stdin_serial = true;
                h->stdin_port = i;
            }
        } else if (strncmp(s->spec, "file:", 5) == 0) {
            s->f = fopen(s->spec + 5, "wb");
            if (!s->f)
                die("-serial %s: cannot open: %s", s->spec, strerror(errno));
        }
        if (s->f) {
            cfg->serial[i].sink = serial_out;
            cfg->serial[i].opaque = s;
        }
    }
    if (h->boot)
        cfg->boot_order = h->boot;
    if (h->rtc_set) {
        cfg->rtc_start = h->rtc_base;
    } else {
        time_t t = time(NULL);
        cfg->rtc_start = (int64_t)t;
        if (h->rtc_now_local) {
            struct tm tm;
            if (localtime_r(&t, &tm))
                cfg->rtc_start = cmos_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                                                      (unsigned)tm.tm_mday) * 86400 +
                                 tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
        }
    }
#ifdef HAVE_POSIX_TTY
    /* A person types at the guest's serial console (-nographic or -serial
     * stdio on a terminal): run at the host's pace, as with a display, so
     * an idle guest costs no CPU and its clock keeps the wall clock's
     * time.  -rtc clock=vm still asks for an unpaced run. */
    if (!h->pace_given && h->stdin_serial && !h->keep_tty && isatty(STDIN_FILENO))
        h->pace = true;
#endif
    if (h->pace) {
        cfg->pace = true;
        cfg->host_now_ns = host_now_ns;
        cfg->host_sleep_ns = host_sleep_ns;
    }
#ifdef HAVE_POSIX_TTY
    /* Serial on a terminal: keys go to the guest as typed (no line
     * editing, no local echo), as QEMU's -nographic does; Ctrl-C still
     * stops pcvm. */
    if (h->stdin_serial && !h->keep_tty && isatty(STDIN_FILENO) &&
        tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
        struct termios raw = saved_tio;
        raw.c_lflag &= (tcflag_t)~(ICANON | ECHO);
        raw.c_iflag &= (tcflag_t)~(ICRNL | IXON);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
            tio_saved = true;
            atexit(tty_restore);
            signal(SIGINT, on_signal);
            signal(SIGTERM, on_signal);
        }
    }
#endif
}

/* -nographic's escape key, as in QEMU: Ctrl-A X quits, Ctrl-A Ctrl-A is
 * one Ctrl-A for the guest, Ctrl-A and any other key are dropped.
 * Filters buf in place; returns the bytes left for the guest. */
static size_t escape_filter(struct hostdev *h, uint8_t *buf, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n && !h->quit; i++) {
        uint8_t b = buf[i];
        if (h->ctrl_a) {
            h->ctrl_a = false;
            if (b == 'x' || b == 'X')
                h->quit = true;
            else if (b == 0x01)
                buf[out++] = b;
        } else if (b == 0x01) {
            h->ctrl_a = true;
        } else {
            buf[out++] = b;
        }
    }
    return out;
}

#ifdef HAVE_POSIX_TTY
/* Moves what the terminal has typed to the guest; blocks when `wait`.
 * True when bytes went in. */
static bool feed_stdin(struct hostdev *h, struct machine *m, bool wait)
{
    if (h->stdin_eof)
        return false;
    struct uart16550 *u = &m->uart[h->stdin_port];
    size_t room = uart_receive_room(u);
    if (room == 0)
        return false;
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    if (poll(&p, 1, wait ? -1 : 0) <= 0 || !(p.revents & (POLLIN | POLLHUP)))
        return false;
    uint8_t buf[256];
    ssize_t n = read(STDIN_FILENO, buf, room < sizeof buf ? room : sizeof buf);
    if (n <= 0) {
        h->stdin_eof = true;
        return false;
    }
    size_t len = h->nographic ? escape_filter(h, buf, (size_t)n) : (size_t)n;
    machine_serial_input(m, (unsigned)h->stdin_port, buf, len);
    return len > 0;
}
#else
/* The portable fallback (Windows): standard C cannot ask whether input is
 * waiting, so a byte is read, blocking, only when the guest waits for one
 * (halted with nothing else to wake it). */
static bool feed_stdin(struct hostdev *h, struct machine *m, bool wait)
{
    if (h->stdin_eof || !wait || uart_receive_room(&m->uart[h->stdin_port]) == 0)
        return false;
    int ch = getchar();
    if (ch == EOF) {
        h->stdin_eof = true;
        return false;
    }
    uint8_t b = (uint8_t)ch;
    size_t len = h->nographic ? escape_filter(h, &b, 1) : 1;
    machine_serial_input(m, (unsigned)h->stdin_port, &b, len);
    return len > 0;
}
#endif

/* A line without its newline yet (a shell prompt) must reach a pipe
 * too while the guest waits for input: flush after every slice. */
static void flush_stdio_serial(struct hostdev *h)
{
    for (int i = 0; i < h->nserial; i++)
        if (h->serial[i].stdio && h->serial[i].f)
            fflush(h->serial[i].f);
}

enum machine_exit hostdev_run(struct hostdev *h, struct machine *m)
{
    if (h->stdin_serial && m->has_uart[h->stdin_port]) {
        for (;;) {
            enum machine_exit e = machine_run_slice(m, 1u << 20);
            flush_stdio_serial(h);
            if (e == MACHINE_EXIT_HALTED && !h->stdin_eof) {
                /* Waiting for an interrupt only input can bring. */
                feed_stdin(h, m, true);
                if (h->quit)
                    return MACHINE_RUNNING;
                machine_resume(m);
                continue;
            }
            if (e != MACHINE_RUNNING)
                return e;
            feed_stdin(h, m, false);
            if (h->quit)
                return MACHINE_RUNNING;   /* Ctrl-A X */
        }
    }
    return machine_run(m);
}

bool hostdev_poll_input(struct hostdev *h, struct machine *m)
{
    if (!h->stdin_serial || !m->has_uart[h->stdin_port])
        return false;
    return feed_stdin(h, m, false);
}

bool hostdev_close(struct hostdev *h)
{
    bool ok = true;
#ifdef HAVE_POSIX_TTY
    tty_restore();
#endif
    for (int i = 0; i < h->nserial; i++) {
        struct host_serial *s = &h->serial[i];
        if (!s->f)
            continue;
        if (fflush(s->f) != 0)
            s->error = true;
        if (!s->stdio && fclose(s->f) != 0)
            s->error = true;
        s->f = NULL;
        if (s->error) {
            fprintf(stderr, "pcvm: -serial %s: write error\n", s->spec);
            ok = false;
        }
    }
    return ok;
}

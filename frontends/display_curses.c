/* -display curses: the VGA's text screen (vga_text_view) drawn with
 * ncurses: CP437 characters as Unicode (cp437.c), the 16 VGA colours as
 * curses colours, the hardware cursor.  Keys typed on the terminal go to
 * the guest as make/break pairs (keymap_term.c).  Ctrl-A X quits pcvm, as
 * QEMU's -nographic does; Ctrl-A Ctrl-A sends Ctrl-A.  In graphics modes
 * one line says so. */
#define NCURSES_WIDECHAR 1
#include "display_curses.h"

#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "cp437.h"
#include "devices/vga.h"
#include "keymap_term.h"

#define KEYQ 256          /* keys typed ahead (a paste) */
#define CTRL_A 0x01

struct curses_display {
    struct display base;
    struct vga *vga;
    SCREEN *scr;
    int colors;           /* 16, 8, or 0 (attributes only) */
    bool utf8;
    bool prefix;          /* Ctrl-A seen: the next key is pcvm's */
    struct term_key q[KEYQ];
    unsigned qhead, qcount;
    unsigned refreshes;
    char notice[96];
};

static struct curses_display *cd_of(struct display *d) { return (struct curses_display *)d; }
static bool curses_active;

static void end_curses(void)
{
    if (curses_active)
        endwin();
    curses_active = false;
}

/* VGA colour numbers (IBM order: blue is 1, red 4) to curses' (ANSI
 * order: red is 1, blue 4). */
static short curses_color(unsigned vga, int ncolors)
{
    static const short ansi[8] = { COLOR_BLACK, COLOR_BLUE, COLOR_GREEN, COLOR_CYAN,
                                   COLOR_RED, COLOR_MAGENTA, COLOR_YELLOW, COLOR_WHITE };
    return (short)(ansi[vga & 7] + (ncolors == 16 && (vga & 8) ? 8 : 0));
}

/* Pair 0 is the default, made light grey on black (assume_default_colors):
 * it stands for the VGA's attribute 07. */
static short pair_of(unsigned fg, unsigned bg, int ncolors)
{
    unsigned idx = bg * (unsigned)ncolors + fg;
    return (short)(idx == 7 ? 0 : idx < 7 ? idx + 1 : idx);
}

static void init_colors(struct curses_display *c)
{
    c->colors = 0;
    if (!has_colors() || start_color() == ERR)
        return;
    if (COLORS >= 16 && COLOR_PAIRS >= 256)
        c->colors = 16;
    else if (COLORS >= 8 && COLOR_PAIRS >= 64)
        c->colors = 8;
    else
        return;
    assume_default_colors(COLOR_WHITE, COLOR_BLACK);
    for (unsigned bg = 0; bg < (unsigned)c->colors; bg++)
        for (unsigned fg = 0; fg < (unsigned)c->colors; fg++) {
            short p = pair_of(fg, bg, c->colors);
            if (p)
                init_pair(p, curses_color(fg, c->colors), curses_color(bg, c->colors));
        }
}

/* Without a UTF-8 locale: box drawing through the terminal's line-drawing
 * set, other non-ASCII characters as '?'. */
static chtype ascii_fallback(uint8_t ch)
{
    switch (ch) {
    case 0x00: return ' ';
    case 0xB3: case 0xBA: return ACS_VLINE;
    case 0xC4: case 0xCD: return ACS_HLINE;
    case 0xDA: case 0xC9: return ACS_ULCORNER;
    case 0xBF: case 0xBB: return ACS_URCORNER;
    case 0xC0: case 0xC8: return ACS_LLCORNER;
    case 0xD9: case 0xBC: return ACS_LRCORNER;
    case 0xC3: case 0xCC: return ACS_LTEE;
    case 0xB4: case 0xB9: return ACS_RTEE;
    case 0xC2: case 0xCB: return ACS_TTEE;
    case 0xC1: case 0xCA: return ACS_BTEE;
    case 0xC5: case 0xCE: return ACS_PLUS;
    case 0xB0: case 0xB1: case 0xB2: return ACS_CKBOARD;
    case 0xDB: return ACS_BLOCK;
    }
    return ch >= 0x20 && ch < 0x7F ? ch : '?';
}

static void draw_text(struct curses_display *c, const struct vga_text *t)
{
    /* Attribute bit 7 blinks, or selects a bright background when the
     * attribute controller's blink enable is off (Attribute Mode Control
     * register 10h bit 3, IBM VGA Technical Reference). */
    bool blink = (c->vga->ar[0x10] & 0x08) != 0;
    unsigned rows = t->rows < (unsigned)LINES ? t->rows : (unsigned)LINES;
    unsigned cols = t->cols < (unsigned)COLS ? t->cols : (unsigned)COLS;
    for (unsigned r = 0; r < rows; r++) {
        for (unsigned col = 0; col < cols; col++) {
            const uint8_t *cell = t->cells + 2 * ((size_t)r * t->cols + col);
            uint8_t ch = cell[0], a = cell[1];
            unsigned fg = a & 15, bg = (a >> 4) & (blink ? 7 : 15);
            attr_t at = blink && (a & 0x80) ? A_BLINK : A_NORMAL;
            short pair = 0;
            if (c->colors == 16) {
                pair = pair_of(fg, bg, 16);
            } else if (c->colors == 8) {
                pair = pair_of(fg & 7, bg & 7, 8);
                if (fg & 8)
                    at |= A_BOLD;
            } else {
                if (fg & 8)
                    at |= A_BOLD;
                if (bg && !(fg & 7))
                    at |= A_REVERSE;
            }
            if (c->utf8) {
                wchar_t wch[2] = { (wchar_t)cp437_to_unicode(ch), 0 };
                cchar_t cc;
                setcchar(&cc, wch, at, pair, NULL);
                mvadd_wch((int)r, (int)col, &cc);
            } else {
                mvaddch((int)r, (int)col, ascii_fallback(ch) | at | COLOR_PAIR(pair));
            }
        }
    }
    if (t->cursor_visible && t->cursor_row < rows && t->cursor_col < cols) {
        move((int)t->cursor_row, (int)t->cursor_col);
        curs_set(1);
    } else {
        curs_set(0);
    }
}

static void curses_refresh(struct display *d)
{
    struct curses_display *c = cd_of(d);
    struct vga_text t;
    if (c->vga && vga_text_view(c->vga, &t)) {
        c->notice[0] = 0;
        draw_text(c, &t);
    } else {
        /* Rendering a graphics frame just for its size: once a second. */
        if (!c->notice[0] || c->refreshes % 60 == 0) {
            struct vga_frame f;
            if (!c->vga)
                snprintf(c->notice, sizeof c->notice, "no VGA in this machine");
            else if (vga_render(c->vga, &f))
                snprintf(c->notice, sizeof c->notice,
                         "graphics mode %ux%u: not shown in the terminal", (unsigned)f.width,
                         (unsigned)f.height);
            else
                snprintf(c->notice, sizeof c->notice, "display off");
        }
        erase();
        attrset(A_NORMAL);
        mvaddstr(0, 0, c->notice);
        curs_set(0);
    }
    c->refreshes++;
    refresh();
}

static void enqueue(struct curses_display *c, const struct term_key *k)
{
    if (c->qcount == KEYQ)
        return;   /* typed far ahead of the guest: dropped */
    c->q[(c->qhead + c->qcount) % KEYQ] = *k;
    c->qcount++;
}

/* One key as a PC keyboard sends it: modifiers down, key down and up,
 * modifiers up. */
static void deliver(struct curses_display *c)
{
    struct term_key k = c->q[c->qhead];
    c->qhead = (c->qhead + 1) % KEYQ;
    c->qcount--;
    struct machine *m = c->base.m;
    if (k.mods & TERM_CTRL)
        machine_key(m, XT_LCTRL, true);
    if (k.mods & TERM_ALT)
        machine_key(m, XT_LALT, true);
    if (k.mods & TERM_SHIFT)
        machine_key(m, XT_LSHIFT, true);
    machine_key(m, k.xt, true);
    machine_key(m, k.xt, false);
    if (k.mods & TERM_SHIFT)
        machine_key(m, XT_LSHIFT, false);
    if (k.mods & TERM_ALT)
        machine_key(m, XT_LALT, false);
    if (k.mods & TERM_CTRL)
        machine_key(m, XT_LCTRL, false);
}

/* One character or key code from the terminal.  Returns DISPLAY_EV_QUIT
 * for Ctrl-A X. */
static unsigned input(struct curses_display *c, wint_t ch, bool keycode, unsigned mods)
{
    struct term_key k;
    if (!keycode && c->prefix) {
        c->prefix = false;
        if (ch == 'x' || ch == 'X')
            return DISPLAY_EV_QUIT;
        if (ch != CTRL_A)
            return 0;   /* Ctrl-A and anything else: nothing */
    } else if (!keycode && ch == CTRL_A && !mods) {
        c->prefix = true;
        return 0;
    }
    if (keymap_term((int)ch, keycode, &k)) {
        k.mods |= mods;
        enqueue(c, &k);
    }
    return 0;
}

static unsigned curses_poll(struct display *d, int timeout_ms)
{
    struct curses_display *c = cd_of(d);
    unsigned ev = 0;
    if (timeout_ms > 0 && c->qcount == 0) {
        struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
        poll(&p, 1, timeout_ms);
    }
    wint_t ch;
    int r;
    while ((r = get_wch(&ch)) != ERR) {
        if (r == KEY_CODE_YES) {
            if (ch == KEY_RESIZE) {
                clearok(curscr, TRUE);
                curses_refresh(d);   /* the machine may be paused or halted */
            }
            else
                ev |= input(c, ch, true, 0);
            continue;
        }
        if (ch == 0x1B && !c->prefix) {
            /* Esc followed at once by a character is how terminals send
             * Alt+character. */
            wint_t next;
            int r2 = get_wch(&next);
            if (r2 == OK && next != 0x1B) {
                ev |= input(c, next, false, TERM_ALT);
                continue;
            }
            ev |= input(c, ch, false, 0);
            if (r2 != ERR)
                ev |= input(c, next, r2 == KEY_CODE_YES, 0);
            continue;
        }
        ev |= input(c, ch, false, 0);
    }
    /* One key per poll (one every few ms of virtual time): the PS/2 queue
     * and the guest's buffer keep up with a paste. */
    if (c->qcount) {
        deliver(c);
        ev |= DISPLAY_EV_INPUT;
    }
    return ev;
}

static void curses_status(struct display *d, const struct display_status *st)
{
    (void)d;
    (void)st;   /* no room for a status line on an 80x25 terminal */
}

static void curses_finish(struct display *d)
{
    curses_refresh(d);
}

static void curses_destroy(struct display *d)
{
    struct curses_display *c = cd_of(d);
    end_curses();
    if (c->scr)
        delscreen(c->scr);
    free(c);
}

static const struct display_ops curses_ops = {
    .refresh = curses_refresh,
    .poll = curses_poll,
    .status = curses_status,
    .finish = curses_finish,
    .destroy = curses_destroy,
};

struct display *display_curses_create(struct machine *m, const struct display_options *o,
                                      char *err, size_t errlen)
{
    (void)o;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, errlen, "-display curses needs a terminal on stdin and stdout");
        return NULL;
    }
    struct curses_display *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "-display curses: out of memory");
        return NULL;
    }
    c->base.ops = &curses_ops;
    c->base.m = m;
    c->vga = machine_vga(m);
    setlocale(LC_CTYPE, "");   /* the terminal's character encoding (UTF-8) */
    c->utf8 = MB_CUR_MAX > 1;
    const char *term = getenv("TERM");
    c->scr = newterm(NULL, stdout, stdin);
    if (!c->scr) {
        snprintf(err, errlen, "-display curses: cannot use the terminal (TERM=%s)",
                 term ? term : "");
        free(c);
        return NULL;
    }
    curses_active = true;
    atexit(end_curses);        /* an error exit leaves the terminal usable */
    raw();                     /* Ctrl-C, Ctrl-Z, Ctrl-S go to the guest */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    init_colors(c);
    erase();
    return &c->base;
}

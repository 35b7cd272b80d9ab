/* The displays pcvm can show the machine's screen on: -display sdl (a
 * window), curses (the terminal's text screen), none.  A display is an
 * object with a few operations the run loop (display.c) calls: refresh
 * the screen (about 60 times per second of host time), poll the user's
 * input (keys and mouse go straight to the machine), show the status, and
 * destroy.  All host I/O; the machine only hands over frames (devices/vga.h). */
#ifndef PCVM_DISPLAY_H
#define PCVM_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/machine.h"
#include "hostdev.h"

enum display_kind { DISPLAY_NONE, DISPLAY_SDL, DISPLAY_CURSES };

/* What a poll saw (bits). */
enum {
    DISPLAY_EV_INPUT = 1,   /* input went to the guest: wake a waiting machine */
    DISPLAY_EV_QUIT = 2,    /* the user asked pcvm to end (window closed, Ctrl-A X) */
    DISPLAY_EV_PAUSE = 4,   /* pause / resume the machine */
};

/* Shown in the window's title bar, updated once a second. */
struct display_status {
    const char *state;      /* "running", "paused", "halted" */
    double mips;            /* guest instructions executed per host second (idle excluded) */
    double real_pct;        /* virtual time / host time, in percent */
};

struct display;
struct display_ops {
    void (*refresh)(struct display *d);
    /* Moves the input waiting (or arriving within timeout_ms) to the
     * machine; returns DISPLAY_EV_* bits. */
    unsigned (*poll)(struct display *d, int timeout_ms);
    void (*status)(struct display *d, const struct display_status *st);
    /* The run ends: a last refresh (and, for the window, the test hook
     * -window-screenshot). */
    void (*finish)(struct display *d);
    void (*destroy)(struct display *d);
};

struct display {
    const struct display_ops *ops;
    struct machine *m;
};

struct display_options {
    enum display_kind kind;
    const char *window_screenshot;  /* -window-screenshot FILE: the window's pixels at exit */
};

/* Whether this build has the display ("sdl", "curses"). */
bool display_built_in(enum display_kind kind);
/* The display -display names ("sdl", "curses", "none"); false if unknown. */
bool display_parse(const char *name, enum display_kind *kind);
/* The default display without -display: the window when pcvm has SDL,
 * the machine has a VGA and the host has a graphical session ($DISPLAY
 * or $WAYLAND_DISPLAY), else none (as QEMU opens a window when it can). */
enum display_kind display_default(bool machine_has_vga);

/* Opens the display for a machine; NULL with a one-line reason in err. */
struct display *display_open(const struct display_options *o, struct machine *m, char *err,
                             size_t errlen);
void display_close(struct display *d);

/* Runs the machine with the display until the guest ends the run (the
 * exit returned) or the user quits (*quit set; the exit is the machine's
 * state then, MACHINE_RUNNING while it was still running).  A guest that
 * halted for good stays on the screen ("halted") until the user quits.
 * Serial input from the terminal (-serial stdio) is fed as hostdev_run does. */
enum machine_exit display_run(struct display *d, struct hostdev *h, bool *quit);

/* ---- layout (display_layout.c): pure arithmetic, unit-tested ---- */

/* The shape a frame is shown at: VGA modes up to 480 lines were made for
 * a 4:3 monitor (320x200 and 720x400 pixels are not square), so they are
 * shown at 4:3; larger modes (VBE) and 4:3 ones have square pixels. */
void display_aspect(uint32_t w, uint32_t h, uint32_t *aw, uint32_t *ah);
/* The window size a frame opens at: its aspect, scaled up by whole
 * factors to at least 640 pixels wide. */
void display_preferred_size(uint32_t w, uint32_t h, uint32_t *ww, uint32_t *wh);
/* The largest rectangle of aspect aw:ah centred in a win_w x win_h area
 * (letterboxed: black bars at the sides or top and bottom). */
struct display_rect { int x, y, w, h; };
struct display_rect display_fit(int win_w, int win_h, uint32_t aw, uint32_t ah);

#endif

/* The display run loop and the choice of display: display.h. */
#include "display.h"

#include <stdlib.h>
#include <string.h>

#ifdef PCVM_HAVE_SDL
#include "display_sdl.h"
#endif
#ifdef PCVM_HAVE_CURSES
#include "display_curses.h"
#endif

/* Virtual time per machine_run_slice call: 5 ms, so input is polled and
 * the screen refreshed often even when the guest runs unpaced. */
#define RUN_SLICE (CLOCK_HZ / 200)
#define REFRESH_NS 16666667u      /* 60 Hz */
#define STATUS_NS 1000000000u     /* title once a second */

bool display_built_in(enum display_kind kind)
{
    switch (kind) {
    case DISPLAY_NONE:
        return true;
    case DISPLAY_SDL:
#ifdef PCVM_HAVE_SDL
        return true;
#else
        return false;
#endif
    case DISPLAY_CURSES:
#ifdef PCVM_HAVE_CURSES
        return true;
#else
        return false;
#endif
    }
    return false;
}

bool display_parse(const char *name, enum display_kind *kind)
{
    if (strcmp(name, "none") == 0)
        *kind = DISPLAY_NONE;
    else if (strcmp(name, "sdl") == 0)
        *kind = DISPLAY_SDL;
    else if (strcmp(name, "curses") == 0)
        *kind = DISPLAY_CURSES;
    else
        return false;
    return true;
}

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

enum display_kind display_default(bool machine_has_vga)
{
    if (machine_has_vga && display_built_in(DISPLAY_SDL) &&
        (env_set("DISPLAY") || env_set("WAYLAND_DISPLAY")))
        return DISPLAY_SDL;
    return DISPLAY_NONE;
}

struct display *display_open(const struct display_options *o, struct machine *m, char *err,
                             size_t errlen)
{
    switch (o->kind) {
#ifdef PCVM_HAVE_SDL
    case DISPLAY_SDL:
        return display_sdl_create(m, o, err, errlen);
#endif
#ifdef PCVM_HAVE_CURSES
    case DISPLAY_CURSES:
        return display_curses_create(m, o, err, errlen);
#endif
    default:
        break;
    }
    (void)m;
    snprintf(err, errlen, "this pcvm has no such display");
    return NULL;
}

void display_close(struct display *d)
{
    if (d)
        d->ops->destroy(d);
}

/* The title's numbers since the last update. */
struct rate {
    uint64_t host_ns, icount, idle;
};

static void report_status(struct display *d, struct rate *r, uint64_t now, const char *state)
{
    struct machine *m = d->m;
    uint64_t dt = now - r->host_ns;
    uint64_t di = machine_icount(m) - r->icount;
    uint64_t didle = m->idle - r->idle;
    struct display_status st = { .state = state };
    if (dt > 0) {
        st.mips = (double)(di - didle) / ((double)dt * 1e-3);
        st.real_pct = (double)di * (1e9 / CLOCK_HZ) / (double)dt * 100.0;
    }
    d->ops->status(d, &st);
    *r = (struct rate){ now, machine_icount(m), m->idle };
}

enum machine_exit display_run(struct display *d, struct hostdev *h, bool *quit)
{
    struct machine *m = d->m;
    enum machine_exit e = MACHINE_RUNNING;
    bool paused = false, shown_frozen = false;
    uint64_t now = hostdev_now_ns();
    uint64_t last_refresh = now - REFRESH_NS;
    struct rate rate = { now, machine_icount(m), m->idle };
    *quit = false;
    d->ops->status(d, &(struct display_status){ .state = "running" });
    for (;;) {
        if (!paused && e == MACHINE_RUNNING) {
            e = machine_run_slice(m, RUN_SLICE);
            if (e != MACHINE_RUNNING && e != MACHINE_EXIT_HALTED && e != MACHINE_EXIT_DEAD) {
                d->ops->finish(d);
                return e;    /* the guest ended the run */
            }
        }
        bool fed = hostdev_poll_input(h, m);
        now = hostdev_now_ns();
        bool stopped = e == MACHINE_EXIT_DEAD || e == MACHINE_EXIT_HALTED;
        /* Paused or halted, virtual time stands still and so does the
         * picture: one refresh shows it, then only the display's own
         * events (exposure, resizing) redraw. */
        bool frozen = paused || stopped;
        if (now - last_refresh >= REFRESH_NS && !(frozen && shown_frozen)) {
            d->ops->refresh(d);
            last_refresh = now;
            shown_frozen = frozen;
        }
        if (now - rate.host_ns >= STATUS_NS)
            report_status(d, &rate, now, paused ? "paused" : stopped ? "halted" : "running");
        unsigned ev = d->ops->poll(d, paused || stopped ? 10 : 0);
        if (ev & DISPLAY_EV_QUIT) {
            *quit = true;
            d->ops->finish(d);
            return e;
        }
        if (ev & DISPLAY_EV_PAUSE) {
            paused = !paused;
            report_status(d, &rate, hostdev_now_ns(),
                          paused ? "paused" : stopped ? "halted" : "running");
        }
        if (e == MACHINE_EXIT_HALTED && (fed || (ev & DISPLAY_EV_INPUT))) {
            /* HLT waiting for an interrupt only input can bring: it came. */
            machine_resume(m);
            e = MACHINE_RUNNING;
        }
    }
}

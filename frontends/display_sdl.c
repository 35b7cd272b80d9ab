/* -display sdl: an SDL2 window showing the VGA's frames, letterboxed at
 * the frame's aspect (display_layout.c), with the keyboard (by physical
 * key position, keymap_sdl.c) and a grabbed mouse going to the guest.
 *
 * Keys of pcvm's own, with Ctrl and Alt held (the guest sees Ctrl and Alt
 * go down, but not the key): F fullscreen, G grab/release the mouse,
 * S screenshot (pcvm-screenshot-N.png), P pause/resume. */
#include "display_sdl.h"

#include <SDL.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "devices/vga.h"
#include "keymap_sdl.h"
#include "screenshot.h"

struct sdl_display {
    struct display base;
    struct vga *vga;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    uint32_t tex_w, tex_h;          /* the texture's size (the last frame's) */
    uint32_t aw, ah;                /* the frame's display aspect */
    uint32_t *shown;                /* a copy of the frame in the texture */
    bool have_frame;
    bool fullscreen, grabbed;
    unsigned buttons;               /* mouse buttons held (PS/2 bits) */
    uint16_t held[SDL_NUM_SCANCODES]; /* XT key sent for each key held down */
    char title_state[160];
    const char *exit_png;           /* -window-screenshot */
};

static struct sdl_display *sd_of(struct display *d) { return (struct sdl_display *)d; }

/* Uploads the VGA's frame; the window takes the frame's preferred size
 * when the mode changes (unless fullscreen or maximized).  Returns false
 * when the window already shows this very frame. */
static bool update_frame(struct sdl_display *s)
{
    struct vga_frame f;
    if (!s->vga || !vga_render(s->vga, &f) || f.width == 0 || f.height == 0) {
        bool changed = s->have_frame;
        s->have_frame = false;     /* display off: a black window */
        return changed;
    }
    size_t bytes = (size_t)f.width * f.height * sizeof f.pixels[0];
    if (s->have_frame && f.width == s->tex_w && f.height == s->tex_h &&
        memcmp(s->shown, f.pixels, bytes) == 0)
        return false;
    if (!s->tex || f.width != s->tex_w || f.height != s->tex_h) {
        if (s->tex)
            SDL_DestroyTexture(s->tex);
        free(s->shown);
        s->shown = malloc(bytes);
        /* RGB888 is a 32-bit pixel 0x00RRGGBB as a host integer: the VGA's
         * format, whatever the host's byte order. */
        s->tex = SDL_CreateTexture(s->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
                                   (int)f.width, (int)f.height);
        if (!s->tex || !s->shown) {
            s->have_frame = false;
            return true;
        }
        s->tex_w = f.width;
        s->tex_h = f.height;
        display_aspect(f.width, f.height, &s->aw, &s->ah);
        if (!s->fullscreen && !(SDL_GetWindowFlags(s->win) & SDL_WINDOW_MAXIMIZED)) {
            uint32_t ww, wh;
            display_preferred_size(f.width, f.height, &ww, &wh);
            SDL_SetWindowSize(s->win, (int)ww, (int)wh);
        }
    }
    SDL_UpdateTexture(s->tex, NULL, f.pixels, (int)(f.width * sizeof f.pixels[0]));
    memcpy(s->shown, f.pixels, bytes);
    s->have_frame = true;
    return true;
}

static void draw(struct sdl_display *s)
{
    SDL_SetRenderDrawColor(s->ren, 0, 0, 0, 255);
    SDL_RenderClear(s->ren);
    if (s->have_frame) {
        int w, h;
        SDL_GetRendererOutputSize(s->ren, &w, &h);
        struct display_rect r = display_fit(w, h, s->aw, s->ah);
        SDL_Rect dst = { r.x, r.y, r.w, r.h };
        SDL_RenderCopy(s->ren, s->tex, NULL, &dst);
    }
}

static void sdl_refresh(struct display *d)
{
    struct sdl_display *s = sd_of(d);
    if (!update_frame(s))
        return;   /* the same picture: nothing to present */
    draw(s);
    SDL_RenderPresent(s->ren);
}

static void set_title(struct sdl_display *s)
{
    char t[256];
    snprintf(t, sizeof t, "%s%s", s->title_state,
             s->grabbed ? " \xE2\x80\x94 Ctrl-Alt-G releases the mouse" : "");
    SDL_SetWindowTitle(s->win, t);
}

static void sdl_status(struct display *d, const struct display_status *st)
{
    struct sdl_display *s = sd_of(d);
    /* "pcvm — running — 95 MIPS, 100% of real time" */
    snprintf(s->title_state, sizeof s->title_state,
             "pcvm \xE2\x80\x94 %s \xE2\x80\x94 %.0f MIPS, %.0f%% of real time", st->state, st->mips,
             st->real_pct);
    set_title(s);
}

/* pcvm-screenshot-N.png, the first N not taken, in the working directory. */
static void screenshot(struct sdl_display *s)
{
    struct vga_frame f;
    if (!s->vga || !vga_last_frame(s->vga, &f)) {
        fprintf(stderr, "pcvm: screenshot: the display is off\n");
        return;
    }
    char path[64], err[256];
    struct stat st;
    for (unsigned n = 1; n < 100000; n++) {
        snprintf(path, sizeof path, "pcvm-screenshot-%u.png", n);
        if (stat(path, &st) != 0)
            break;
    }
    if (screenshot_write_png(path, &f, err, sizeof err))
        fprintf(stderr, "pcvm: screenshot %s (%ux%u)\n", path, (unsigned)f.width,
                (unsigned)f.height);
    else
        fprintf(stderr, "pcvm: screenshot: %s\n", err);
}

static void grab(struct sdl_display *s, bool on)
{
    s->grabbed = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    set_title(s);
}

/* Every key the guest holds goes up (the window lost the keyboard: its
 * releases would never come). */
static void release_keys(struct sdl_display *s)
{
    for (int sc = 0; sc < SDL_NUM_SCANCODES; sc++)
        if (s->held[sc]) {
            machine_key(s->base.m, s->held[sc], false);
            s->held[sc] = 0;
        }
}

/* Ctrl-Alt-<key>: pcvm's own keys.  Returns DISPLAY_EV_* bits, or -1 when
 * the key is not one of them. */
static int hotkey(struct sdl_display *s, int sc)
{
    switch (sc) {
    case SDL_SCANCODE_F:
        s->fullscreen = !s->fullscreen;
        SDL_SetWindowFullscreen(s->win, s->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        return 0;
    case SDL_SCANCODE_G:
        grab(s, !s->grabbed);
        return 0;
    case SDL_SCANCODE_S:
        screenshot(s);
        return 0;
    case SDL_SCANCODE_P:
        return DISPLAY_EV_PAUSE;
    default:
        return -1;
    }
}

static unsigned key_event(struct sdl_display *s, const SDL_KeyboardEvent *k)
{
    int sc = (int)k->keysym.scancode;
    if (sc < 0 || sc >= SDL_NUM_SCANCODES)
        return 0;
    struct machine *m = s->base.m;
    if (k->type == SDL_KEYUP) {
        if (!s->held[sc])
            return 0;
        machine_key(m, s->held[sc], false);
        s->held[sc] = 0;
        return DISPLAY_EV_INPUT;
    }
    if (k->repeat || s->held[sc])
        return 0;  /* the PS/2 keyboard repeats by itself (typematic) */
    unsigned mod = k->keysym.mod;   /* the modifiers as this key went down */
    bool ctrl = (mod & KMOD_CTRL) != 0, alt = (mod & KMOD_ALT) != 0;
    if (ctrl && alt) {
        int ev = hotkey(s, sc);
        if (ev >= 0)
            return (unsigned)ev;
    }
    unsigned xt = keymap_sdl(sc, ctrl, alt);
    if (!xt)
        return 0;
    machine_key(m, xt, true);
    /* Pause has no break code: nothing to send when it goes up. */
    s->held[sc] = xt == PS2KBD_KEY_PAUSE ? 0 : (uint16_t)xt;
    return DISPLAY_EV_INPUT;
}

static unsigned mouse_bit(uint8_t button)
{
    switch (button) {
    case SDL_BUTTON_LEFT: return 1;
    case SDL_BUTTON_RIGHT: return 2;
    case SDL_BUTTON_MIDDLE: return 4;
    }
    return 0;
}

static unsigned sdl_poll(struct display *d, int timeout_ms)
{
    struct sdl_display *s = sd_of(d);
    struct machine *m = d->m;
    unsigned ev = 0;
    SDL_Event e;
    bool got = timeout_ms > 0 ? SDL_WaitEventTimeout(&e, timeout_ms) : SDL_PollEvent(&e);
    while (got) {
        switch (e.type) {
        case SDL_QUIT:
            ev |= DISPLAY_EV_QUIT;
            break;
        case SDL_KEYDOWN:
        case SDL_KEYUP:
            ev |= key_event(s, &e.key);
            break;
        case SDL_MOUSEMOTION:
            if (s->grabbed && (e.motion.xrel || e.motion.yrel)) {
                /* PS/2: y grows upwards. */
                machine_mouse(m, e.motion.xrel, -e.motion.yrel, 0, s->buttons);
                ev |= DISPLAY_EV_INPUT;
            }
            break;
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP:
            if (s->grabbed) {
                unsigned bit = mouse_bit(e.button.button);
                if (e.type == SDL_MOUSEBUTTONDOWN)
                    s->buttons |= bit;
                else
                    s->buttons &= ~bit;
                machine_mouse(m, 0, 0, 0, s->buttons);
                ev |= DISPLAY_EV_INPUT;
            }
            break;
        case SDL_MOUSEWHEEL:
            if (s->grabbed && e.wheel.y) {
                /* IntelliMouse: Z is positive towards the user; SDL's y
                 * is positive away from the user. */
                int dz = e.wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? e.wheel.y : -e.wheel.y;
                machine_mouse(m, 0, 0, dz, s->buttons);
                ev |= DISPLAY_EV_INPUT;
            }
            break;
        case SDL_WINDOWEVENT:
            if (e.window.event == SDL_WINDOWEVENT_FOCUS_LOST)
                release_keys(s);
            else if (e.window.event == SDL_WINDOWEVENT_EXPOSED ||
                     e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
                draw(s);
                SDL_RenderPresent(s->ren);
            }
            break;
        }
        got = SDL_PollEvent(&e);
    }
    return ev;
}

/* -window-screenshot FILE: the window's pixels as shown (scaled and
 * letterboxed), read back from the renderer, for the Xvfb test. */
static void write_window_png(struct sdl_display *s)
{
    int w, h;
    SDL_GetRendererOutputSize(s->ren, &w, &h);
    uint32_t *px = w > 0 && h > 0 ? malloc((size_t)w * (size_t)h * sizeof *px) : NULL;
    char err[256];
    if (!px) {
        fprintf(stderr, "pcvm: -window-screenshot %s: no window pixels\n", s->exit_png);
        return;
    }
    if (SDL_RenderReadPixels(s->ren, NULL, SDL_PIXELFORMAT_RGB888, px, w * 4) != 0) {
        fprintf(stderr, "pcvm: -window-screenshot %s: %s\n", s->exit_png, SDL_GetError());
    } else {
        struct vga_frame f = { (uint32_t)w, (uint32_t)h, px };
        if (!screenshot_write_png(s->exit_png, &f, err, sizeof err))
            fprintf(stderr, "pcvm: -window-screenshot %s\n", err);
    }
    free(px);
}

static void sdl_finish(struct display *d)
{
    struct sdl_display *s = sd_of(d);
    update_frame(s);
    draw(s);
    if (s->exit_png)
        write_window_png(s);   /* before Present: the back buffer is then undefined */
    SDL_RenderPresent(s->ren);
}

static void sdl_destroy(struct display *d)
{
    struct sdl_display *s = sd_of(d);
    if (s->tex)
        SDL_DestroyTexture(s->tex);
    free(s->shown);
    if (s->ren)
        SDL_DestroyRenderer(s->ren);
    if (s->win)
        SDL_DestroyWindow(s->win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    free(s);
}

static const struct display_ops sdl_ops = {
    .refresh = sdl_refresh,
    .poll = sdl_poll,
    .status = sdl_status,
    .finish = sdl_finish,
    .destroy = sdl_destroy,
};

struct display *display_sdl_create(struct machine *m, const struct display_options *o,
                                   char *err, size_t errlen)
{
    struct sdl_display *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "-display sdl: out of memory");
        return NULL;
    }
    s->base.ops = &sdl_ops;
    s->base.m = m;
    s->vga = machine_vga(m);
    s->exit_png = o->window_screenshot;
    /* While the mouse is grabbed the keyboard is too: Alt-Tab and the
     * like go to the guest.  (SDL's own SIGINT/SIGTERM handlers turn
     * Ctrl-C in the terminal into a window close: pcvm ends cleanly.) */
    /* The title's dashes are UTF-8: Xlib converts titles by the locale. */
    setlocale(LC_CTYPE, "");
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "0");  /* nearest: sharp pixels */
#if !defined(_WIN32) && !defined(__APPLE__)
    /* X11 or Wayland: without either, say so in one line before SDL's
     * probing prints its own complaints. */
    if (!getenv("SDL_VIDEODRIVER") && !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY")) {
        snprintf(err, errlen, "-display sdl: cannot open a window: no graphical session "
                 "($DISPLAY and $WAYLAND_DISPLAY are not set)");
        free(s);
        return NULL;
    }
#endif
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errlen, "-display sdl: cannot open a window: %s", SDL_GetError());
        free(s);
        return NULL;
    }
    /* Without a graphical session SDL falls back to its offscreen driver:
     * no window anyone sees.  Only when asked for (SDL_VIDEODRIVER). */
    const char *drv = SDL_GetCurrentVideoDriver();
    if (!getenv("SDL_VIDEODRIVER") && drv &&
        (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0)) {
        snprintf(err, errlen, "-display sdl: cannot open a window: no graphical session "
                 "($DISPLAY and $WAYLAND_DISPLAY are not set)");
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        free(s);
        return NULL;
    }
    uint32_t ww, wh;
    display_preferred_size(720, 400, &ww, &wh);   /* the VGA's text mode */
    s->win = SDL_CreateWindow("pcvm", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                              (int)ww, (int)wh, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (s->win)
        s->ren = SDL_CreateRenderer(s->win, -1, SDL_RENDERER_ACCELERATED);
    if (s->win && !s->ren)
        s->ren = SDL_CreateRenderer(s->win, -1, SDL_RENDERER_SOFTWARE);
    if (!s->ren) {
        snprintf(err, errlen, "-display sdl: cannot open a window: %s", SDL_GetError());
        sdl_destroy(&s->base);
        return NULL;
    }
    return &s->base;
}

/* The window layout arithmetic (frontends/display_layout.c): the shape a
 * frame is shown at, the window size a mode opens at, letterboxing. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "frontends/display.h"

Test(layout, vga_modes_shown_at_4_3)
{
    static const struct { uint32_t w, h, aw, ah; } cases[] = {
        { 320, 200, 320, 240 }, { 720, 400, 720, 540 }, { 640, 400, 640, 480 },
        { 640, 350, 640, 480 }, { 640, 480, 640, 480 }, { 360, 480, 360, 270 },
        { 800, 600, 800, 600 }, { 1280, 1024, 1280, 1024 }, { 1600, 1200, 1600, 1200 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t aw, ah;
        display_aspect(cases[i].w, cases[i].h, &aw, &ah);
        cr_expect(aw == cases[i].aw && ah == cases[i].ah, "%ux%u shown as %ux%u, want %ux%u",
                  cases[i].w, cases[i].h, aw, ah, cases[i].aw, cases[i].ah);
    }
}

Test(layout, preferred_window_sizes)
{
    static const struct { uint32_t w, h, ww, wh; } cases[] = {
        { 320, 200, 640, 480 }, { 720, 400, 720, 540 }, { 640, 480, 640, 480 },
        { 1024, 768, 1024, 768 }, { 160, 100, 640, 480 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t ww, wh;
        display_preferred_size(cases[i].w, cases[i].h, &ww, &wh);
        cr_expect(ww == cases[i].ww && wh == cases[i].wh, "%ux%u opens at %ux%u, want %ux%u",
                  cases[i].w, cases[i].h, ww, wh, cases[i].ww, cases[i].wh);
    }
}

Test(layout, letterbox)
{
    struct display_rect r = display_fit(800, 600, 4, 3);
    cr_expect(r.x == 0 && r.y == 0 && r.w == 800 && r.h == 600, "exact fit");
    r = display_fit(1000, 600, 640, 480);     /* too wide: bars left and right */
    cr_expect(r.x == 100 && r.y == 0 && r.w == 800 && r.h == 600, "pillarbox %d,%d %dx%d",
              r.x, r.y, r.w, r.h);
    r = display_fit(640, 800, 640, 480);      /* too tall: bars top and bottom */
    cr_expect(r.x == 0 && r.y == 160 && r.w == 640 && r.h == 480, "letterbox %d,%d %dx%d",
              r.x, r.y, r.w, r.h);
    r = display_fit(1920, 1080, 720, 540);    /* fullscreen 16:9 */
    cr_expect(r.x == 240 && r.y == 0 && r.w == 1440 && r.h == 1080, "16:9 %d,%d %dx%d",
              r.x, r.y, r.w, r.h);
}

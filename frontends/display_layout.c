/* Where a frame goes in the window: display.h. */
#include "display.h"

void display_aspect(uint32_t w, uint32_t h, uint32_t *aw, uint32_t *ah)
{
    *aw = w;
    *ah = h;
    if (w == 0 || h == 0)
        return;
    if (h <= 480 && (uint64_t)w * 3 != (uint64_t)h * 4)
        *ah = (w * 3 + 2) / 4;   /* 4:3, rounded */
}

void display_preferred_size(uint32_t w, uint32_t h, uint32_t *ww, uint32_t *wh)
{
    uint32_t aw, ah;
    display_aspect(w, h, &aw, &ah);
    uint32_t k = aw && aw < 640 ? (640 + aw - 1) / aw : 1;
    *ww = aw * k;
    *wh = ah * k;
}

struct display_rect display_fit(int win_w, int win_h, uint32_t aw, uint32_t ah)
{
    struct display_rect r = { 0, 0, win_w, win_h };
    if (win_w <= 0 || win_h <= 0 || aw == 0 || ah == 0)
        return r;
    /* Width-limited when win_w/win_h <= aw/ah. */
    if ((uint64_t)win_w * ah <= (uint64_t)win_h * aw) {
        r.h = (int)((uint64_t)win_w * ah / aw);
    } else {
        r.w = (int)((uint64_t)win_h * aw / ah);
    }
    if (r.w < 1)
        r.w = 1;
    if (r.h < 1)
        r.h = 1;
    r.x = (win_w - r.w) / 2;
    r.y = (win_h - r.h) / 2;
    return r;
}

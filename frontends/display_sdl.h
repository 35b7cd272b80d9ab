/* -display sdl: the machine's screen in an SDL2 window (display.h). */
#ifndef PCVM_DISPLAY_SDL_H
#define PCVM_DISPLAY_SDL_H

#include "display.h"

struct display *display_sdl_create(struct machine *m, const struct display_options *o,
                                   char *err, size_t errlen);

#endif

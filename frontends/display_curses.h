/* -display curses: the VGA's text screen on the terminal (display.h). */
#ifndef PCVM_DISPLAY_CURSES_H
#define PCVM_DISPLAY_CURSES_H

#include "display.h"

struct display *display_curses_create(struct machine *m, const struct display_options *o,
                                      char *err, size_t errlen);

#endif

/* Terminal input (characters and curses key codes) to PC keys, for
 * -display curses: what the guest must see as make/break pairs so DOS can
 * be driven over ssh.  A US layout is assumed for characters: '!' is
 * Shift+1, since a terminal sends characters, not key positions. */
#ifndef PCVM_KEYMAP_TERM_H
#define PCVM_KEYMAP_TERM_H

#include <stdbool.h>

enum { TERM_SHIFT = 1, TERM_CTRL = 2, TERM_ALT = 4 };

struct term_key {
    unsigned xt;     /* XT key number (machine_key) */
    unsigned mods;   /* TERM_SHIFT | TERM_CTRL | TERM_ALT held around it */
};

/* ch is a character (is_keycode false: 0-0x7F; others have no PC key) or
 * a curses KEY_* code.  False when there is no PC key for it. */
bool keymap_term(int ch, bool is_keycode, struct term_key *out);

/* XT key numbers of the modifiers keymap_term's mods stand for. */
#define XT_LSHIFT 0x2Au
#define XT_LCTRL 0x1Du
#define XT_LALT 0x38u

#endif

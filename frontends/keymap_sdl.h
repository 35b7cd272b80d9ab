/* SDL scancodes (USB HID usage IDs: physical key positions, so the host's
 * keyboard layout never reaches the guest) to the "XT" key numbers that
 * machine_key() takes: the scancode set 1 make code, 0xE0xx for the
 * extended keys (devices/ps2kbd.h). */
#ifndef PCVM_KEYMAP_SDL_H
#define PCVM_KEYMAP_SDL_H

#include <stdbool.h>

/* The XT key for an SDL scancode, or 0 for a key a PC 105-key keyboard
 * does not have.  The modifiers held matter for the two keys whose codes
 * depend on them on a real keyboard: Alt+Print Screen is SysRq (0x54) and
 * Ctrl+Pause is Break (0xE046); plain Pause is PS2KBD_KEY_PAUSE. */
unsigned keymap_sdl(int scancode, bool ctrl, bool alt);

#endif

/* SDL scancodes -> XT keys (frontends/keymap_sdl.c), checked through a
 * real PS/2 keyboard (devices/ps2kbd.c) in scancode sets 1 and 2. */
#include <SDL_scancode.h>
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "devices/ps2kbd.h"
#include "frontends/keymap_sdl.h"

/* Every key of a PC 105-key (ISO) keyboard: its SDL scancode, its set 1
 * code (0xE0xx extended) and its set 2 make code (the IBM tables). */
static const struct pckey { int sc; unsigned set1; uint8_t set2; const char *name; } keys[] = {
    { SDL_SCANCODE_ESCAPE, 0x01, 0x76, "Esc" }, { SDL_SCANCODE_1, 0x02, 0x16, "1" },
    { SDL_SCANCODE_2, 0x03, 0x1E, "2" }, { SDL_SCANCODE_3, 0x04, 0x26, "3" },
    { SDL_SCANCODE_4, 0x05, 0x25, "4" }, { SDL_SCANCODE_5, 0x06, 0x2E, "5" },
    { SDL_SCANCODE_6, 0x07, 0x36, "6" }, { SDL_SCANCODE_7, 0x08, 0x3D, "7" },
    { SDL_SCANCODE_8, 0x09, 0x3E, "8" }, { SDL_SCANCODE_9, 0x0A, 0x46, "9" },
    { SDL_SCANCODE_0, 0x0B, 0x45, "0" }, { SDL_SCANCODE_MINUS, 0x0C, 0x4E, "-" },
    { SDL_SCANCODE_EQUALS, 0x0D, 0x55, "=" }, { SDL_SCANCODE_BACKSPACE, 0x0E, 0x66, "Backspace" },
    { SDL_SCANCODE_TAB, 0x0F, 0x0D, "Tab" }, { SDL_SCANCODE_Q, 0x10, 0x15, "Q" },
    { SDL_SCANCODE_W, 0x11, 0x1D, "W" }, { SDL_SCANCODE_E, 0x12, 0x24, "E" },
    { SDL_SCANCODE_R, 0x13, 0x2D, "R" }, { SDL_SCANCODE_T, 0x14, 0x2C, "T" },
    { SDL_SCANCODE_Y, 0x15, 0x35, "Y" }, { SDL_SCANCODE_U, 0x16, 0x3C, "U" },
    { SDL_SCANCODE_I, 0x17, 0x43, "I" }, { SDL_SCANCODE_O, 0x18, 0x44, "O" },
    { SDL_SCANCODE_P, 0x19, 0x4D, "P" }, { SDL_SCANCODE_LEFTBRACKET, 0x1A, 0x54, "[" },
    { SDL_SCANCODE_RIGHTBRACKET, 0x1B, 0x5B, "]" }, { SDL_SCANCODE_RETURN, 0x1C, 0x5A, "Enter" },
    { SDL_SCANCODE_LCTRL, 0x1D, 0x14, "left Ctrl" }, { SDL_SCANCODE_A, 0x1E, 0x1C, "A" },
    { SDL_SCANCODE_S, 0x1F, 0x1B, "S" }, { SDL_SCANCODE_D, 0x20, 0x23, "D" },
    { SDL_SCANCODE_F, 0x21, 0x2B, "F" }, { SDL_SCANCODE_G, 0x22, 0x34, "G" },
    { SDL_SCANCODE_H, 0x23, 0x33, "H" }, { SDL_SCANCODE_J, 0x24, 0x3B, "J" },
    { SDL_SCANCODE_K, 0x25, 0x42, "K" }, { SDL_SCANCODE_L, 0x26, 0x4B, "L" },
    { SDL_SCANCODE_SEMICOLON, 0x27, 0x4C, ";" }, { SDL_SCANCODE_APOSTROPHE, 0x28, 0x52, "'" },
    { SDL_SCANCODE_GRAVE, 0x29, 0x0E, "`" }, { SDL_SCANCODE_LSHIFT, 0x2A, 0x12, "left Shift" },
    { SDL_SCANCODE_BACKSLASH, 0x2B, 0x5D, "\\" }, { SDL_SCANCODE_Z, 0x2C, 0x1A, "Z" },
    { SDL_SCANCODE_X, 0x2D, 0x22, "X" }, { SDL_SCANCODE_C, 0x2E, 0x21, "C" },
    { SDL_SCANCODE_V, 0x2F, 0x2A, "V" }, { SDL_SCANCODE_B, 0x30, 0x32, "B" },
    { SDL_SCANCODE_N, 0x31, 0x31, "N" }, { SDL_SCANCODE_M, 0x32, 0x3A, "M" },
    { SDL_SCANCODE_COMMA, 0x33, 0x41, "," }, { SDL_SCANCODE_PERIOD, 0x34, 0x49, "." },
    { SDL_SCANCODE_SLASH, 0x35, 0x4A, "/" }, { SDL_SCANCODE_RSHIFT, 0x36, 0x59, "right Shift" },
    { SDL_SCANCODE_KP_MULTIPLY, 0x37, 0x7C, "keypad *" }, { SDL_SCANCODE_LALT, 0x38, 0x11, "left Alt" },
    { SDL_SCANCODE_SPACE, 0x39, 0x29, "Space" }, { SDL_SCANCODE_CAPSLOCK, 0x3A, 0x58, "Caps Lock" },
    { SDL_SCANCODE_F1, 0x3B, 0x05, "F1" }, { SDL_SCANCODE_F2, 0x3C, 0x06, "F2" },
    { SDL_SCANCODE_F3, 0x3D, 0x04, "F3" }, { SDL_SCANCODE_F4, 0x3E, 0x0C, "F4" },
    { SDL_SCANCODE_F5, 0x3F, 0x03, "F5" }, { SDL_SCANCODE_F6, 0x40, 0x0B, "F6" },
    { SDL_SCANCODE_F7, 0x41, 0x83, "F7" }, { SDL_SCANCODE_F8, 0x42, 0x0A, "F8" },
    { SDL_SCANCODE_F9, 0x43, 0x01, "F9" }, { SDL_SCANCODE_F10, 0x44, 0x09, "F10" },
    { SDL_SCANCODE_NUMLOCKCLEAR, 0x45, 0x77, "Num Lock" },
    { SDL_SCANCODE_SCROLLLOCK, 0x46, 0x7E, "Scroll Lock" },
    { SDL_SCANCODE_KP_7, 0x47, 0x6C, "keypad 7" }, { SDL_SCANCODE_KP_8, 0x48, 0x75, "keypad 8" },
    { SDL_SCANCODE_KP_9, 0x49, 0x7D, "keypad 9" }, { SDL_SCANCODE_KP_MINUS, 0x4A, 0x7B, "keypad -" },
    { SDL_SCANCODE_KP_4, 0x4B, 0x6B, "keypad 4" }, { SDL_SCANCODE_KP_5, 0x4C, 0x73, "keypad 5" },
    { SDL_SCANCODE_KP_6, 0x4D, 0x74, "keypad 6" }, { SDL_SCANCODE_KP_PLUS, 0x4E, 0x79, "keypad +" },
    { SDL_SCANCODE_KP_1, 0x4F, 0x69, "keypad 1" }, { SDL_SCANCODE_KP_2, 0x50, 0x72, "keypad 2" },
    { SDL_SCANCODE_KP_3, 0x51, 0x7A, "keypad 3" }, { SDL_SCANCODE_KP_0, 0x52, 0x70, "keypad 0" },
    { SDL_SCANCODE_KP_PERIOD, 0x53, 0x71, "keypad ." },
    { SDL_SCANCODE_NONUSBACKSLASH, 0x56, 0x61, "ISO < >" },
    { SDL_SCANCODE_F11, 0x57, 0x78, "F11" }, { SDL_SCANCODE_F12, 0x58, 0x07, "F12" },
    { SDL_SCANCODE_KP_ENTER, 0xE01C, 0x5A, "keypad Enter" },
    { SDL_SCANCODE_RCTRL, 0xE01D, 0x14, "right Ctrl" },
    { SDL_SCANCODE_KP_DIVIDE, 0xE035, 0x4A, "keypad /" },
    { SDL_SCANCODE_PRINTSCREEN, 0xE037, 0x7C, "Print Screen" },
    { SDL_SCANCODE_RALT, 0xE038, 0x11, "right Alt" },
    { SDL_SCANCODE_HOME, 0xE047, 0x6C, "Home" }, { SDL_SCANCODE_UP, 0xE048, 0x75, "Up" },
    { SDL_SCANCODE_PAGEUP, 0xE049, 0x7D, "Page Up" }, { SDL_SCANCODE_LEFT, 0xE04B, 0x6B, "Left" },
    { SDL_SCANCODE_RIGHT, 0xE04D, 0x74, "Right" }, { SDL_SCANCODE_END, 0xE04F, 0x69, "End" },
    { SDL_SCANCODE_DOWN, 0xE050, 0x72, "Down" }, { SDL_SCANCODE_PAGEDOWN, 0xE051, 0x7A, "Page Down" },
    { SDL_SCANCODE_INSERT, 0xE052, 0x70, "Insert" }, { SDL_SCANCODE_DELETE, 0xE053, 0x71, "Delete" },
    { SDL_SCANCODE_LGUI, 0xE05B, 0x1F, "left GUI" }, { SDL_SCANCODE_RGUI, 0xE05C, 0x27, "right GUI" },
    { SDL_SCANCODE_APPLICATION, 0xE05D, 0x2F, "Menu" },
};
#define NKEYS (sizeof keys / sizeof keys[0])

static struct ps2kbd kbd;

static void kbd_new(uint8_t set)
{
    ps2kbd_init(&kbd, NULL, NULL, NULL);
    ps2kbd_reset(&kbd);
    if (set != 2) {
        ps2kbd_write(&kbd, 0xF0);
        ps2kbd_write(&kbd, set);
    }
    ps2_queue_clear(&kbd.q);
}

/* The bytes the keyboard sent, as a string of hex pairs. */
static void kbd_bytes(char *out, size_t n)
{
    size_t len = 0;
    out[0] = 0;
    while (!ps2_queue_empty(&kbd.q) && len + 4 < n)
        len += (size_t)snprintf(out + len, n - len, "%s%02X", len ? " " : "",
                                ps2_queue_pop(&kbd.q));
}

Test(keymap_sdl, the_105_keys_in_set_1_and_set_2)
{
    cr_assert_eq(NKEYS, 104, "the table holds the 104 keys besides Pause");
    char got[64], want[64];
    for (size_t i = 0; i < NKEYS; i++) {
        const struct pckey *k = &keys[i];
        unsigned xt = keymap_sdl(k->sc, false, false);
        cr_expect_eq(xt, k->set1, "%s: XT key 0x%X, want 0x%X", k->name, xt, k->set1);
        bool ext = k->set1 > 0xFF;
        kbd_new(2);
        ps2kbd_key(&kbd, xt, true);
        ps2kbd_key(&kbd, xt, false);
        kbd_bytes(got, sizeof got);
        snprintf(want, sizeof want, ext ? "E0 %02X E0 F0 %02X" : "%02X F0 %02X", k->set2, k->set2);
        cr_expect_str_eq(got, want, "%s in set 2", k->name);
        kbd_new(1);
        ps2kbd_key(&kbd, xt, true);
        ps2kbd_key(&kbd, xt, false);
        kbd_bytes(got, sizeof got);
        unsigned c = k->set1 & 0xFF;
        snprintf(want, sizeof want, ext ? "E0 %02X E0 %02X" : "%02X %02X", c, c | 0x80);
        cr_expect_str_eq(got, want, "%s in set 1", k->name);
    }
}

Test(keymap_sdl, nothing_else_is_mapped)
{
    /* Pause and the ISO # key (the ANSI backslash position) besides the table. */
    unsigned mapped = 0;
    for (int sc = -1; sc <= SDL_NUM_SCANCODES; sc++) {
        if (!keymap_sdl(sc, false, false))
            continue;
        mapped++;
        bool known = sc == SDL_SCANCODE_PAUSE || sc == SDL_SCANCODE_NONUSHASH;
        for (size_t i = 0; i < NKEYS; i++)
            known |= keys[i].sc == sc;
        cr_expect(known, "scancode %d mapped to 0x%X", sc, keymap_sdl(sc, false, false));
    }
    cr_expect_eq(mapped, NKEYS + 2);
    cr_expect_eq(keymap_sdl(SDL_SCANCODE_NONUSHASH, false, false), 0x2B);
    cr_expect_eq(keymap_sdl(SDL_SCANCODE_KP_EQUALS, false, false), 0, "not a PC key");
}

Test(keymap_sdl, print_screen_and_pause_with_modifiers)
{
    char got[64];
    /* Alt+Print Screen is SysRq: 54 in set 1, 84 in set 2. */
    cr_expect_eq(keymap_sdl(SDL_SCANCODE_PRINTSCREEN, false, true), 0x54);
    kbd_new(2);
    ps2kbd_key(&kbd, 0x54, true);
    kbd_bytes(got, sizeof got);
    cr_expect_str_eq(got, "84");
    /* Ctrl+Pause is Break: E0 46 / E0 7E. */
    cr_expect_eq(keymap_sdl(SDL_SCANCODE_PAUSE, true, false), 0xE046);
    kbd_new(2);
    ps2kbd_key(&kbd, 0xE046, true);
    kbd_bytes(got, sizeof got);
    cr_expect_str_eq(got, "E0 7E");
    /* Pause: the E1 sequence when pressed, nothing when released. */
    cr_expect_eq(keymap_sdl(SDL_SCANCODE_PAUSE, false, false), PS2KBD_KEY_PAUSE);
    kbd_new(2);
    ps2kbd_key(&kbd, PS2KBD_KEY_PAUSE, true);
    kbd_bytes(got, sizeof got);
    cr_expect_str_eq(got, "E1 14 77 E1 F0 14 F0 77");
    ps2kbd_key(&kbd, PS2KBD_KEY_PAUSE, false);
    kbd_bytes(got, sizeof got);
    cr_expect_str_eq(got, "", "Pause has no break code");
    kbd_new(1);
    ps2kbd_key(&kbd, PS2KBD_KEY_PAUSE, true);
    ps2kbd_key(&kbd, PS2KBD_KEY_PAUSE, false);
    kbd_bytes(got, sizeof got);
    cr_expect_str_eq(got, "E1 1D 45 E1 9D C5");
}

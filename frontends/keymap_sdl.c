/* SDL scancode -> XT key number.  The set 1 codes are those of the IBM
 * enhanced (MF2) keyboard: IBM PS/2 Hardware Interface Technical
 * Reference, keyboard scancode set 1 table; the SDL scancodes are the USB
 * HID Usage Tables' keyboard page (SDL_scancode.h). */
#include "keymap_sdl.h"

#include <SDL_scancode.h>
#include <stdint.h>

#include "devices/ps2kbd.h"

static const uint16_t xt_of_scancode[SDL_NUM_SCANCODES] = {
    [SDL_SCANCODE_ESCAPE] = 0x01,
    [SDL_SCANCODE_1] = 0x02, [SDL_SCANCODE_2] = 0x03, [SDL_SCANCODE_3] = 0x04,
    [SDL_SCANCODE_4] = 0x05, [SDL_SCANCODE_5] = 0x06, [SDL_SCANCODE_6] = 0x07,
    [SDL_SCANCODE_7] = 0x08, [SDL_SCANCODE_8] = 0x09, [SDL_SCANCODE_9] = 0x0A,
    [SDL_SCANCODE_0] = 0x0B, [SDL_SCANCODE_MINUS] = 0x0C, [SDL_SCANCODE_EQUALS] = 0x0D,
    [SDL_SCANCODE_BACKSPACE] = 0x0E, [SDL_SCANCODE_TAB] = 0x0F,
    [SDL_SCANCODE_Q] = 0x10, [SDL_SCANCODE_W] = 0x11, [SDL_SCANCODE_E] = 0x12,
    [SDL_SCANCODE_R] = 0x13, [SDL_SCANCODE_T] = 0x14, [SDL_SCANCODE_Y] = 0x15,
    [SDL_SCANCODE_U] = 0x16, [SDL_SCANCODE_I] = 0x17, [SDL_SCANCODE_O] = 0x18,
    [SDL_SCANCODE_P] = 0x19, [SDL_SCANCODE_LEFTBRACKET] = 0x1A,
    [SDL_SCANCODE_RIGHTBRACKET] = 0x1B, [SDL_SCANCODE_RETURN] = 0x1C,
    [SDL_SCANCODE_LCTRL] = 0x1D,
    [SDL_SCANCODE_A] = 0x1E, [SDL_SCANCODE_S] = 0x1F, [SDL_SCANCODE_D] = 0x20,
    [SDL_SCANCODE_F] = 0x21, [SDL_SCANCODE_G] = 0x22, [SDL_SCANCODE_H] = 0x23,
    [SDL_SCANCODE_J] = 0x24, [SDL_SCANCODE_K] = 0x25, [SDL_SCANCODE_L] = 0x26,
    [SDL_SCANCODE_SEMICOLON] = 0x27, [SDL_SCANCODE_APOSTROPHE] = 0x28,
    [SDL_SCANCODE_GRAVE] = 0x29, [SDL_SCANCODE_LSHIFT] = 0x2A,
    /* The key left of Enter: BACKSLASH on ANSI keyboards, NONUSHASH
     * (# ~) on ISO ones; one position, one code. */
    [SDL_SCANCODE_BACKSLASH] = 0x2B, [SDL_SCANCODE_NONUSHASH] = 0x2B,
    [SDL_SCANCODE_Z] = 0x2C, [SDL_SCANCODE_X] = 0x2D, [SDL_SCANCODE_C] = 0x2E,
    [SDL_SCANCODE_V] = 0x2F, [SDL_SCANCODE_B] = 0x30, [SDL_SCANCODE_N] = 0x31,
    [SDL_SCANCODE_M] = 0x32, [SDL_SCANCODE_COMMA] = 0x33, [SDL_SCANCODE_PERIOD] = 0x34,
    [SDL_SCANCODE_SLASH] = 0x35, [SDL_SCANCODE_RSHIFT] = 0x36,
    [SDL_SCANCODE_KP_MULTIPLY] = 0x37, [SDL_SCANCODE_LALT] = 0x38,
    [SDL_SCANCODE_SPACE] = 0x39, [SDL_SCANCODE_CAPSLOCK] = 0x3A,
    [SDL_SCANCODE_F1] = 0x3B, [SDL_SCANCODE_F2] = 0x3C, [SDL_SCANCODE_F3] = 0x3D,
    [SDL_SCANCODE_F4] = 0x3E, [SDL_SCANCODE_F5] = 0x3F, [SDL_SCANCODE_F6] = 0x40,
    [SDL_SCANCODE_F7] = 0x41, [SDL_SCANCODE_F8] = 0x42, [SDL_SCANCODE_F9] = 0x43,
    [SDL_SCANCODE_F10] = 0x44, [SDL_SCANCODE_NUMLOCKCLEAR] = 0x45,
    [SDL_SCANCODE_SCROLLLOCK] = 0x46,
    [SDL_SCANCODE_KP_7] = 0x47, [SDL_SCANCODE_KP_8] = 0x48, [SDL_SCANCODE_KP_9] = 0x49,
    [SDL_SCANCODE_KP_MINUS] = 0x4A,
    [SDL_SCANCODE_KP_4] = 0x4B, [SDL_SCANCODE_KP_5] = 0x4C, [SDL_SCANCODE_KP_6] = 0x4D,
    [SDL_SCANCODE_KP_PLUS] = 0x4E,
    [SDL_SCANCODE_KP_1] = 0x4F, [SDL_SCANCODE_KP_2] = 0x50, [SDL_SCANCODE_KP_3] = 0x51,
    [SDL_SCANCODE_KP_0] = 0x52, [SDL_SCANCODE_KP_PERIOD] = 0x53,
    [SDL_SCANCODE_NONUSBACKSLASH] = 0x56, /* the 102nd key of ISO keyboards (< >) */
    [SDL_SCANCODE_F11] = 0x57, [SDL_SCANCODE_F12] = 0x58,
    /* Extended keys: E0 prefix. */
    [SDL_SCANCODE_KP_ENTER] = 0xE01C, [SDL_SCANCODE_RCTRL] = 0xE01D,
    [SDL_SCANCODE_KP_DIVIDE] = 0xE035, [SDL_SCANCODE_PRINTSCREEN] = 0xE037,
    [SDL_SCANCODE_RALT] = 0xE038,
    [SDL_SCANCODE_HOME] = 0xE047, [SDL_SCANCODE_UP] = 0xE048, [SDL_SCANCODE_PAGEUP] = 0xE049,
    [SDL_SCANCODE_LEFT] = 0xE04B, [SDL_SCANCODE_RIGHT] = 0xE04D,
    [SDL_SCANCODE_END] = 0xE04F, [SDL_SCANCODE_DOWN] = 0xE050,
    [SDL_SCANCODE_PAGEDOWN] = 0xE051, [SDL_SCANCODE_INSERT] = 0xE052,
    [SDL_SCANCODE_DELETE] = 0xE053,
    [SDL_SCANCODE_LGUI] = 0xE05B, [SDL_SCANCODE_RGUI] = 0xE05C,
    [SDL_SCANCODE_APPLICATION] = 0xE05D,
    [SDL_SCANCODE_PAUSE] = PS2KBD_KEY_PAUSE,
};

unsigned keymap_sdl(int scancode, bool ctrl, bool alt)
{
    if (scancode < 0 || scancode >= SDL_NUM_SCANCODES)
        return 0;
    /* With Alt held the Print Screen key is SysRq, which has a code of
     * its own (84 in set 2); Ctrl+Pause is Break, sent as E0 46 (the
     * extended Scroll Lock) instead of Pause's E1 sequence. */
    if (scancode == SDL_SCANCODE_PRINTSCREEN && alt)
        return 0x54;
    if (scancode == SDL_SCANCODE_PAUSE && ctrl)
        return 0xE046;
    return xt_of_scancode[scancode];
}

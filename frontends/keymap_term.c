/* Terminal characters and curses key codes -> PC keys (set 1 make codes,
 * IBM PS/2 Hardware Interface Technical Reference; US layout). */
#include "keymap_term.h"

#include <curses.h>
#include <stdint.h>

#define S 0x100u /* with Shift */

/* Printable ASCII 0x20-0x7E on a US keyboard. */
static const uint16_t ascii_keys[0x5F] = {
    [' ' - 0x20] = 0x39,
    ['!' - 0x20] = 0x02 | S, ['"' - 0x20] = 0x28 | S, ['#' - 0x20] = 0x04 | S,
    ['$' - 0x20] = 0x05 | S, ['%' - 0x20] = 0x06 | S, ['&' - 0x20] = 0x08 | S,
    ['\'' - 0x20] = 0x28, ['(' - 0x20] = 0x0A | S, [')' - 0x20] = 0x0B | S,
    ['*' - 0x20] = 0x09 | S, ['+' - 0x20] = 0x0D | S, [',' - 0x20] = 0x33,
    ['-' - 0x20] = 0x0C, ['.' - 0x20] = 0x34, ['/' - 0x20] = 0x35,
    ['0' - 0x20] = 0x0B, ['1' - 0x20] = 0x02, ['2' - 0x20] = 0x03, ['3' - 0x20] = 0x04,
    ['4' - 0x20] = 0x05, ['5' - 0x20] = 0x06, ['6' - 0x20] = 0x07, ['7' - 0x20] = 0x08,
    ['8' - 0x20] = 0x09, ['9' - 0x20] = 0x0A,
    [':' - 0x20] = 0x27 | S, [';' - 0x20] = 0x27, ['<' - 0x20] = 0x33 | S,
    ['=' - 0x20] = 0x0D, ['>' - 0x20] = 0x34 | S, ['?' - 0x20] = 0x35 | S,
    ['@' - 0x20] = 0x03 | S,
    ['[' - 0x20] = 0x1A, ['\\' - 0x20] = 0x2B, [']' - 0x20] = 0x1B,
    ['^' - 0x20] = 0x07 | S, ['_' - 0x20] = 0x0C | S, ['`' - 0x20] = 0x29,
    ['{' - 0x20] = 0x1A | S, ['|' - 0x20] = 0x2B | S, ['}' - 0x20] = 0x1B | S,
    ['~' - 0x20] = 0x29 | S,
};

/* Letters a-z: their keys by position in the three letter rows. */
static const uint8_t letter_keys[26] = {
    0x1E, 0x30, 0x2E, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32,
    0x31, 0x18, 0x19, 0x10, 0x13, 0x1F, 0x14, 0x16, 0x2F, 0x11, 0x2D, 0x15, 0x2C,
};

static const uint8_t fkeys[12] = {
    0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x41, 0x42, 0x43, 0x44, 0x57, 0x58,
};

static bool set(struct term_key *out, unsigned xt, unsigned mods)
{
    out->xt = xt;
    out->mods = mods;
    return true;
}

static bool control_char(int ch, struct term_key *out)
{
    switch (ch) {
    case 0x08: case 0x7F: return set(out, 0x0E, 0);   /* Backspace (^H or DEL) */
    case 0x09: return set(out, 0x0F, 0);              /* Tab */
    case 0x0A: case 0x0D: return set(out, 0x1C, 0);   /* Enter */
    case 0x1B: return set(out, 0x01, 0);              /* Esc */
    case 0x00: return set(out, 0x39, TERM_CTRL);      /* Ctrl-Space */
    case 0x1C: return set(out, 0x2B, TERM_CTRL);      /* Ctrl-\ */
    case 0x1D: return set(out, 0x1B, TERM_CTRL);      /* Ctrl-] */
    case 0x1E: return set(out, 0x07, TERM_CTRL | TERM_SHIFT); /* Ctrl-^ */
    case 0x1F: return set(out, 0x0C, TERM_CTRL | TERM_SHIFT); /* Ctrl-_ */
    }
    return set(out, letter_keys[ch - 1], TERM_CTRL);  /* ^A-^Z */
}

static bool curses_key(int k, struct term_key *out)
{
    if (k >= KEY_F(1) && k <= KEY_F(12))
        return set(out, fkeys[k - KEY_F(1)], 0);
    if (k >= KEY_F(13) && k <= KEY_F(24))   /* xterm: Shift+F1-F12 */
        return set(out, fkeys[k - KEY_F(13)], TERM_SHIFT);
    if (k >= KEY_F(25) && k <= KEY_F(36))   /* xterm: Ctrl+F1-F12 */
        return set(out, fkeys[k - KEY_F(25)], TERM_CTRL);
    switch (k) {
    case KEY_UP: return set(out, 0xE048, 0);
    case KEY_DOWN: return set(out, 0xE050, 0);
    case KEY_LEFT: return set(out, 0xE04B, 0);
    case KEY_RIGHT: return set(out, 0xE04D, 0);
    case KEY_HOME: return set(out, 0xE047, 0);
    case KEY_END: return set(out, 0xE04F, 0);
    case KEY_PPAGE: return set(out, 0xE049, 0);
    case KEY_NPAGE: return set(out, 0xE051, 0);
    case KEY_IC: return set(out, 0xE052, 0);
    case KEY_DC: return set(out, 0xE053, 0);
    case KEY_SR: return set(out, 0xE048, TERM_SHIFT);
    case KEY_SF: return set(out, 0xE050, TERM_SHIFT);
    case KEY_SLEFT: return set(out, 0xE04B, TERM_SHIFT);
    case KEY_SRIGHT: return set(out, 0xE04D, TERM_SHIFT);
    case KEY_SHOME: return set(out, 0xE047, TERM_SHIFT);
    case KEY_SEND: return set(out, 0xE04F, TERM_SHIFT);
    case KEY_SPREVIOUS: return set(out, 0xE049, TERM_SHIFT);
    case KEY_SNEXT: return set(out, 0xE051, TERM_SHIFT);
    case KEY_SIC: return set(out, 0xE052, TERM_SHIFT);
    case KEY_SDC: return set(out, 0xE053, TERM_SHIFT);
    case KEY_BACKSPACE: return set(out, 0x0E, 0);
    case KEY_ENTER: return set(out, 0xE01C, 0);      /* keypad Enter */
    case KEY_BTAB: return set(out, 0x0F, TERM_SHIFT);
    case KEY_B2: return set(out, 0x4C, 0);           /* keypad 5 */
    }
    return false;
}

bool keymap_term(int ch, bool is_keycode, struct term_key *out)
{
    if (is_keycode)
        return curses_key(ch, out);
    if (ch < 0 || ch > 0x7F)
        return false;
    if (ch < 0x20 || ch == 0x7F)
        return control_char(ch, out);
    if (ch >= 'a' && ch <= 'z')
        return set(out, letter_keys[ch - 'a'], 0);
    if (ch >= 'A' && ch <= 'Z')
        return set(out, letter_keys[ch - 'A'], TERM_SHIFT);
    unsigned v = ascii_keys[ch - 0x20];
    return set(out, v & 0xFFu, (v & S) ? TERM_SHIFT : 0);
}

/* Terminal keys -> PC keys (frontends/keymap_term.c) and CP437 -> Unicode
 * (frontends/cp437.c), the two halves of -display curses that need no
 * terminal. */
#include <criterion/criterion.h>
#include <curses.h>
#include <stdint.h>

#include "frontends/cp437.h"
#include "frontends/keymap_term.h"

static void expect_term(int ch, bool keycode, unsigned xt, unsigned mods)
{
    struct term_key k;
    cr_expect(keymap_term(ch, keycode, &k), "0x%X has a key", ch);
    cr_expect(k.xt == xt && k.mods == mods, "0x%X%s: key 0x%X mods %u, want 0x%X mods %u", ch,
              keycode ? " (key code)" : "", k.xt, k.mods, xt, mods);
}

Test(keymap_term, characters)
{
    expect_term('a', false, 0x1E, 0);
    expect_term('A', false, 0x1E, TERM_SHIFT);
    expect_term('z', false, 0x2C, 0);
    expect_term('m', false, 0x32, 0);
    expect_term('0', false, 0x0B, 0);
    expect_term('!', false, 0x02, TERM_SHIFT);
    expect_term('@', false, 0x03, TERM_SHIFT);
    expect_term(':', false, 0x27, TERM_SHIFT);
    expect_term('\\', false, 0x2B, 0);
    expect_term('~', false, 0x29, TERM_SHIFT);
    expect_term(' ', false, 0x39, 0);
    expect_term(0x03, false, 0x2E, TERM_CTRL);     /* Ctrl-C */
    expect_term(0x1A, false, 0x2C, TERM_CTRL);     /* Ctrl-Z */
    expect_term(0x0D, false, 0x1C, 0);             /* Enter */
    expect_term(0x09, false, 0x0F, 0);             /* Tab */
    expect_term(0x7F, false, 0x0E, 0);             /* Backspace */
    expect_term(0x1B, false, 0x01, 0);             /* Esc */
    struct term_key k;
    cr_expect(!keymap_term(0xE9, false, &k), "no PC key for a non-ASCII character");
}

Test(keymap_term, every_printable_ascii_character_has_its_own_key)
{
    unsigned seen[0x200] = { 0 };
    for (int ch = 0x20; ch < 0x7F; ch++) {
        struct term_key k;
        cr_assert(keymap_term(ch, false, &k) && k.xt > 0 && k.xt < 0x59, "'%c'", ch);
        unsigned id = k.xt | (k.mods & TERM_SHIFT ? 0x100 : 0);
        cr_expect(!seen[id], "'%c' and '%c' are the same key", ch, seen[id]);
        seen[id] = (unsigned)ch;
    }
}

Test(keymap_term, curses_key_codes)
{
    expect_term(KEY_F(1), true, 0x3B, 0);
    expect_term(KEY_F(10), true, 0x44, 0);
    expect_term(KEY_F(11), true, 0x57, 0);
    expect_term(KEY_F(12), true, 0x58, 0);
    expect_term(KEY_F(13), true, 0x3B, TERM_SHIFT);
    expect_term(KEY_UP, true, 0xE048, 0);
    expect_term(KEY_DOWN, true, 0xE050, 0);
    expect_term(KEY_LEFT, true, 0xE04B, 0);
    expect_term(KEY_RIGHT, true, 0xE04D, 0);
    expect_term(KEY_HOME, true, 0xE047, 0);
    expect_term(KEY_END, true, 0xE04F, 0);
    expect_term(KEY_PPAGE, true, 0xE049, 0);
    expect_term(KEY_NPAGE, true, 0xE051, 0);
    expect_term(KEY_IC, true, 0xE052, 0);
    expect_term(KEY_DC, true, 0xE053, 0);
    expect_term(KEY_BACKSPACE, true, 0x0E, 0);
    expect_term(KEY_BTAB, true, 0x0F, TERM_SHIFT);
    struct term_key k;
    cr_expect(!keymap_term(KEY_MOUSE, true, &k));
}

/* ------------------------------------------------------------ CP437 */

Test(cp437, glyphs)
{
    static const struct { uint8_t c; uint16_t u; } cases[] = {
        { 0x00, 0x0020 }, { 0x01, 0x263A }, { 0x03, 0x2665 }, { 0x1A, 0x2192 }, { 'A', 'A' },
        { 0x7F, 0x2302 }, { 0x80, 0x00C7 }, { 0x9E, 0x20A7 }, { 0xB0, 0x2591 },
        { 0xB3, 0x2502 }, { 0xC4, 0x2500 }, { 0xC9, 0x2554 }, { 0xDA, 0x250C },
        { 0xDB, 0x2588 }, { 0xE1, 0x00DF }, { 0xE3, 0x03C0 }, { 0xF8, 0x00B0 },
        { 0xFE, 0x25A0 }, { 0xFF, 0x00A0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(cp437_to_unicode(cases[i].c), cases[i].u, "0x%02X -> U+%04X, want U+%04X",
                     cases[i].c, cp437_to_unicode(cases[i].c), cases[i].u);
    /* 255 different characters (0x00 and 0x20 are both blank). */
    for (unsigned a = 1; a < 256; a++)
        for (unsigned b = a + 1; b < 256; b++)
            cr_expect_neq(cp437_to_unicode((uint8_t)a), cp437_to_unicode((uint8_t)b),
                          "0x%02X and 0x%02X", a, b);
}

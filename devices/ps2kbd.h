/* A PS/2 keyboard (the device, not the controller): the command set of an
 * IBM enhanced (MF2) keyboard and scancode sets 1 and 2.
 *
 * Host input: ps2kbd_key(kbd, key, down) with "XT" key numbers, i.e. the
 * scancode set 1 make code (0x01 Esc ... 0x58 F12), extended keys as
 * 0xE000 | code (0xE048 cursor up, 0xE01D right Ctrl, 0xE038 right Alt,
 * 0xE05B left GUI...).  Frontends map their host keys to these numbers;
 * the keyboard turns them into whatever scancode set the guest selected.
 * Pause is PS2KBD_KEY_PAUSE: its E1 sequence on the press, nothing on the
 * release (the key has no break code).  Print Screen (0xE037) is sent
 * without the "fake shift" bytes (E0 2A / E0 12) a real keyboard wraps
 * around it, which the BIOS's INT 9 handler and Linux both discard.
 *
 * Typematic repeat runs on the virtual clock (when the keyboard has one):
 * a key held down repeats its make code after the delay and at the rate
 * set with command F3, so frontends pass only the first "down" of a key
 * the host repeats.
 */
#ifndef PCVM_PS2KBD_H
#define PCVM_PS2KBD_H

#include <stdbool.h>
#include <stdint.h>

#include "../bus/clock.h"

#define PS2_QUEUE 64
#define PS2KBD_KEY_PAUSE 0xE11Du  /* Pause: E1 1D 45 E1 9D C5 in set 1 */

struct ps2_queue {
    uint8_t data[PS2_QUEUE];
    unsigned head, count;
};

struct ps2kbd {
    struct ps2_queue q;
    uint8_t set;             /* scancode set 1, 2 or 3 (3 is sent as 2) */
    bool scanning;           /* F4/F5 */
    uint8_t arg_cmd;         /* command waiting for its argument byte */
    uint8_t leds;            /* ED: bit 0 Scroll, 1 Num, 2 Caps */
    uint8_t typematic;       /* F3: rate/delay byte */
    uint8_t last;            /* last byte sent (FE: resend) */
    struct clock *clk;       /* NULL: no typematic repeat */
    struct clock_timer rep_timer;
    unsigned rep_key;        /* the key repeating (0: none) */
    uint64_t repeats;        /* statistics */
    void (*notify)(void *opaque); /* new bytes in the queue */
    void *opaque;
};

void ps2kbd_init(struct ps2kbd *k, struct clock *clk, void (*notify)(void *), void *opaque);
/* Typematic delay and repeat period in instructions for a F3 byte
 * (bits 6-5: delay (1 + n) * 250 ms; bits 4-0: period
 * (8 + A) * 2^B * 4.17 ms with A = bits 2-0, B = bits 4-3). */
uint64_t ps2kbd_typematic_delay(uint8_t t);
uint64_t ps2kbd_typematic_period(uint8_t t);
void ps2kbd_reset(struct ps2kbd *k);
/* A byte from the host controller (command or argument). */
void ps2kbd_write(struct ps2kbd *k, uint8_t v);
/* A key event from the host. */
void ps2kbd_key(struct ps2kbd *k, unsigned key, bool down);

bool ps2_queue_empty(const struct ps2_queue *q);
uint8_t ps2_queue_pop(struct ps2_queue *q);
bool ps2_queue_push(struct ps2_queue *q, uint8_t v);
void ps2_queue_clear(struct ps2_queue *q);

/* Scancode set 2 make code for a set 1 code (0 if none); the 8042's set
 * 2 -> set 1 translation is its inverse. */
uint8_t ps2_set1_to_set2(uint8_t code);
uint8_t ps2_set2_to_set1(uint8_t code);

#endif

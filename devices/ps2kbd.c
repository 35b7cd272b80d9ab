/* PS/2 keyboard.  References: IBM PS/2 Hardware Interface Technical
 * Reference (keyboard commands FF F6 F5 F4 F3 F2 F0 EE ED FE and their
 * ACK/BAT responses), the scancode set 1 and set 2 tables. */
#include "ps2kbd.h"

#include <string.h>

/* Set 2 make codes indexed by set 1 code 0x00-0x58 (0 = no key). */
static const uint8_t set1_to_set2[0x59] = {
    [0x01] = 0x76, [0x02] = 0x16, [0x03] = 0x1E, [0x04] = 0x26, [0x05] = 0x25,
    [0x06] = 0x2E, [0x07] = 0x36, [0x08] = 0x3D, [0x09] = 0x3E, [0x0A] = 0x46,
    [0x0B] = 0x45, [0x0C] = 0x4E, [0x0D] = 0x55, [0x0E] = 0x66, [0x0F] = 0x0D,
    [0x10] = 0x15, [0x11] = 0x1D, [0x12] = 0x24, [0x13] = 0x2D, [0x14] = 0x2C,
    [0x15] = 0x35, [0x16] = 0x3C, [0x17] = 0x43, [0x18] = 0x44, [0x19] = 0x4D,
    [0x1A] = 0x54, [0x1B] = 0x5B, [0x1C] = 0x5A, [0x1D] = 0x14, [0x1E] = 0x1C,
    [0x1F] = 0x1B, [0x20] = 0x23, [0x21] = 0x2B, [0x22] = 0x34, [0x23] = 0x33,
    [0x24] = 0x3B, [0x25] = 0x42, [0x26] = 0x4B, [0x27] = 0x4C, [0x28] = 0x52,
    [0x29] = 0x0E, [0x2A] = 0x12, [0x2B] = 0x5D, [0x2C] = 0x1A, [0x2D] = 0x22,
    [0x2E] = 0x21, [0x2F] = 0x2A, [0x30] = 0x32, [0x31] = 0x31, [0x32] = 0x3A,
    [0x33] = 0x41, [0x34] = 0x49, [0x35] = 0x4A, [0x36] = 0x59, [0x37] = 0x7C,
    [0x38] = 0x11, [0x39] = 0x29, [0x3A] = 0x58, [0x3B] = 0x05, [0x3C] = 0x06,
    [0x3D] = 0x04, [0x3E] = 0x0C, [0x3F] = 0x03, [0x40] = 0x0B, [0x41] = 0x83,
    [0x42] = 0x0A, [0x43] = 0x01, [0x44] = 0x09, [0x45] = 0x77, [0x46] = 0x7E,
    [0x47] = 0x6C, [0x48] = 0x75, [0x49] = 0x7D, [0x4A] = 0x7B, [0x4B] = 0x6B,
    [0x4C] = 0x73, [0x4D] = 0x74, [0x4E] = 0x79, [0x4F] = 0x69, [0x50] = 0x72,
    [0x51] = 0x7A, [0x52] = 0x70, [0x53] = 0x71, [0x54] = 0x84, [0x56] = 0x61,
    [0x57] = 0x78, [0x58] = 0x07,
};

uint8_t ps2_set1_to_set2(uint8_t code)
{
    switch (code) { /* extended-only second bytes (GUI and menu keys) */
    case 0x5B: return 0x1F;
    case 0x5C: return 0x27;
    case 0x5D: return 0x2F;
    }
    return code < sizeof set1_to_set2 ? set1_to_set2[code] : 0;
}

uint8_t ps2_set2_to_set1(uint8_t code)
{
    if (code == 0x02)
        return 0x41; /* the 8042's table: 02 and 83 both give 41 */
    if (code == 0x1F || code == 0x27 || code == 0x2F)
        return (uint8_t)(0x5B + (code - 0x1F) / 8);
    for (unsigned i = 1; i < sizeof set1_to_set2; i++)
        if (set1_to_set2[i] == code)
            return (uint8_t)i;
    return code; /* ACK, BAT, E0, echo... pass unchanged */
}

bool ps2_queue_empty(const struct ps2_queue *q) { return q->count == 0; }

uint8_t ps2_queue_pop(struct ps2_queue *q)
{
    if (!q->count)
        return 0;
    uint8_t v = q->data[q->head];
    q->head = (q->head + 1) % PS2_QUEUE;
    q->count--;
    return v;
}

bool ps2_queue_push(struct ps2_queue *q, uint8_t v)
{
    if (q->count >= PS2_QUEUE)
        return false;
    q->data[(q->head + q->count) % PS2_QUEUE] = v;
    q->count++;
    return true;
}

void ps2_queue_clear(struct ps2_queue *q) { q->head = q->count = 0; }

static void send(struct ps2kbd *k, uint8_t v)
{
    if (ps2_queue_push(&k->q, v))
        k->last = v;
    if (k->notify)
        k->notify(k->opaque);
}

static void defaults(struct ps2kbd *k)
{
    k->set = 2;
    k->typematic = 0x2B; /* 10.9 cps, 500 ms */
    k->arg_cmd = 0;
}

uint64_t ps2kbd_typematic_delay(uint8_t t)
{
    return (uint64_t)(((t >> 5) & 3) + 1) * (CLOCK_HZ / 4);
}

uint64_t ps2kbd_typematic_period(uint8_t t)
{
    uint64_t a = t & 7, b = (t >> 3) & 3;
    return (8 + a) * (1ull << b) * CLOCK_HZ * 417 / 100000; /* 4.17 ms units */
}

static void stop_repeat(struct ps2kbd *k)
{
    k->rep_key = 0;
    if (k->clk)
        clock_timer_cancel(&k->rep_timer);
}

static void emit_make(struct ps2kbd *k, unsigned key);

static void repeat_cb(void *opaque, uint64_t now)
{
    struct ps2kbd *k = opaque;
    if (!k->rep_key || !k->scanning)
        return;
    emit_make(k, k->rep_key);
    k->repeats++;
    clock_timer_set(&k->rep_timer, now + ps2kbd_typematic_period(k->typematic));
}

void ps2kbd_reset(struct ps2kbd *k)
{
    stop_repeat(k);
    ps2_queue_clear(&k->q);
    defaults(k);
    k->leds = 0;
    k->scanning = true;
}

void ps2kbd_init(struct ps2kbd *k, struct clock *clk, void (*notify)(void *), void *opaque)
{
    memset(k, 0, sizeof *k);
    k->notify = notify;
    k->opaque = opaque;
    if (clk && clock_timer_init(clk, &k->rep_timer, repeat_cb, k, "kbd-repeat"))
        k->clk = clk;
    ps2kbd_reset(k);
}

void ps2kbd_write(struct ps2kbd *k, uint8_t v)
{
    if (k->arg_cmd) {
        uint8_t cmd = k->arg_cmd;
        k->arg_cmd = 0;
        switch (cmd) {
        case 0xED:
            k->leds = v & 7;
            send(k, 0xFA);
            return;
        case 0xF3:
            k->typematic = v & 0x7F;
            send(k, 0xFA);
            return;
        case 0xF0:
            if (v == 0) {
                send(k, 0xFA);
                send(k, k->set);
            } else if (v <= 3) {
                k->set = v;
                send(k, 0xFA);
            } else {
                send(k, 0xFE);
            }
            return;
        }
    }
    switch (v) {
    case 0xFF: /* reset and BAT */
        ps2kbd_reset(k);
        send(k, 0xFA);
        send(k, 0xAA);
        break;
    case 0xFE:
        send(k, k->last);
        break;
    case 0xF6: /* set defaults */
        defaults(k);
        send(k, 0xFA);
        break;
    case 0xF5: /* disable: defaults, stop scanning */
        defaults(k);
        stop_repeat(k);
        k->scanning = false;
        ps2_queue_clear(&k->q);
        send(k, 0xFA);
        break;
    case 0xF4:
        k->scanning = true;
        ps2_queue_clear(&k->q);
        send(k, 0xFA);
        break;
    case 0xF2: /* identify: MF2 keyboard */
        send(k, 0xFA);
        send(k, 0xAB);
        send(k, 0x83);
        break;
    case 0xEE: /* echo */
        send(k, 0xEE);
        break;
    case 0xED:
    case 0xF3:
    case 0xF0:
        k->arg_cmd = v;
        send(k, 0xFA);
        break;
    default:
        send(k, 0xFE); /* unknown command: resend */
        break;
    }
}

static void emit(struct ps2kbd *k, unsigned key, bool down)
{
    bool ext = (key & 0xFF00) == 0xE000;
    uint8_t code = (uint8_t)key;
    if (k->set == 1) {
        if (ext)
            send(k, 0xE0);
        send(k, (uint8_t)(code | (down ? 0 : 0x80)));
        return;
    }
    uint8_t c2 = ps2_set1_to_set2(code);
    if (!c2)
        return;
    if (ext)
        send(k, 0xE0);
    if (!down)
        send(k, 0xF0);
    send(k, c2);
}

static void emit_make(struct ps2kbd *k, unsigned key) { emit(k, key, true); }

/* Pause sends make and break of E1-prefixed Ctrl and Num Lock at once when
 * pressed, and nothing when released (set 1: E1 1D 45 E1 9D C5; set 2:
 * E1 14 77 E1 F0 14 F0 77).  It does not repeat. */
static void emit_pause(struct ps2kbd *k)
{
    static const uint8_t set1[] = { 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5 };
    static const uint8_t set2[] = { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77 };
    const uint8_t *seq = k->set == 1 ? set1 : set2;
    size_t n = k->set == 1 ? sizeof set1 : sizeof set2;
    for (size_t i = 0; i < n; i++)
        send(k, seq[i]);
}

void ps2kbd_key(struct ps2kbd *k, unsigned key, bool down)
{
    if (!k->scanning)
        return;
    if (key == PS2KBD_KEY_PAUSE) {
        if (down)
            emit_pause(k);
        return;
    }
    uint8_t code = (uint8_t)key;
    if (code == 0 || code >= 0x80)
        return;
    emit(k, key, down);
    if (down && k->clk) {
        /* The last key pressed repeats (the typematic key). */
        k->rep_key = key;
        clock_timer_set(&k->rep_timer, clock_now(k->clk) + ps2kbd_typematic_delay(k->typematic));
    } else if (!down && key == k->rep_key) {
        stop_repeat(k);
    }
}

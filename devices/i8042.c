/* 8042 keyboard controller.  References: IBM PC/AT and PS/2 Technical
 * References (controller commands 20-3F, 60-7F, A7-AE, C0, D0-D4, F0-FF,
 * status and command byte layouts, the set 2 -> set 1 translation).
 *
 * Model notes: the output buffer refills at once from the controller's
 * own replies, then the keyboard, then the mouse (each only while its
 * interface is enabled); IRQ1/IRQ12 follow "buffer full with data from
 * that port" gated by the command byte's interrupt enables, so the line
 * drops when the guest reads port 0x60 and rises again for the next byte.
 */
#include "i8042.h"

#include <string.h>

static void update_irq(struct i8042 *k)
{
    uint8_t cb = k->ram[0];
    irq_set(&k->irq1, k->out_full && !k->out_aux && (cb & KBC_CB_KBDINT));
    irq_set(&k->irq12, k->out_full && k->out_aux && (cb & KBC_CB_AUXINT));
}

static void put_out(struct i8042 *k, uint8_t v, bool aux)
{
    k->out = v;
    k->out_full = true;
    k->out_aux = aux;
}

/* Fills the output buffer from the next source that has data. */
static void refill(struct i8042 *k)
{
    uint8_t cb = k->ram[0];
    while (!k->out_full) {
        if (!ps2_queue_empty(&k->ctrl)) {
            put_out(k, ps2_queue_pop(&k->ctrl), false);
        } else if (!(cb & KBC_CB_KBDDIS) && !ps2_queue_empty(&k->kbd.q)) {
            uint8_t v = ps2_queue_pop(&k->kbd.q);
            if (cb & KBC_CB_XLATE) {
                if (v == 0xF0) {
                    k->xlat_break = true;
                    continue;
                }
                v = ps2_set2_to_set1(v);
                if (k->xlat_break && v < 0x80)
                    v |= 0x80;
                k->xlat_break = false;
            }
            put_out(k, v, false);
        } else if (!(cb & KBC_CB_AUXDIS) && !ps2_queue_empty(&k->mouse.q)) {
            put_out(k, ps2_queue_pop(&k->mouse.q), true);
        } else {
            break;
        }
    }
    update_irq(k);
}

static void dev_notify(void *opaque) { refill(opaque); }

static void reply(struct i8042 *k, uint8_t v)
{
    ps2_queue_push(&k->ctrl, v);
    refill(k);
}

static void set_outport(struct i8042 *k, uint8_t v)
{
    bool a20_was = k->outport & 2;
    k->outport = v;
    if (((v & 2) != 0) != a20_was && k->a20)
        k->a20(k->opaque, (v & 2) != 0);
    if (!(v & 1) && k->reset)
        k->reset(k->opaque); /* output line 0 low: CPU reset */
}

void i8042_reset(struct i8042 *k)
{
    k->status = KBC_UNLOCKED;
    memset(k->ram, 0, sizeof k->ram);
    k->ram[0] = KBC_CB_KBDINT | KBC_CB_XLATE | KBC_CB_AUXDIS; /* 0x61 */
    k->outport = 0x03; /* A20 on, no reset; the machine's A20 follows */
    k->out_full = false;
    k->out = 0;
    k->pending = 0;
    k->xlat_break = false;
    ps2_queue_clear(&k->ctrl);
    ps2kbd_reset(&k->kbd);
    ps2mouse_reset(&k->mouse);
    update_irq(k);
}

void i8042_init(struct i8042 *k, struct clock *clk, struct irq_line irq1, struct irq_line irq12,
                void (*a20)(void *, bool), void (*reset)(void *), void *opaque)
{
    memset(k, 0, sizeof *k);
    k->irq1 = irq1;
    k->irq12 = irq12;
    k->a20 = a20;
    k->reset = reset;
    k->opaque = opaque;
    ps2kbd_init(&k->kbd, clk, dev_notify, k);
    ps2mouse_init(&k->mouse, dev_notify, k);
    i8042_reset(k);
}

static void command(struct i8042 *k, uint8_t v)
{
    if (v >= 0x20 && v <= 0x3F) {
        reply(k, k->ram[v & 0x1F]);
        return;
    }
    if (v >= 0x60 && v <= 0x7F) {
        k->pending = v;
        return;
    }
    if (v >= 0xF0) {
        /* Pulse output port bits 0-3 low for those bits that are 0. */
        if (!(v & 1) && k->reset)
            k->reset(k->opaque);
        return;
    }
    switch (v) {
    case 0xA4: reply(k, 0xF1); break;                     /* no password installed */
    case 0xA7: k->ram[0] |= KBC_CB_AUXDIS; break;
    case 0xA8: k->ram[0] &= (uint8_t)~KBC_CB_AUXDIS; refill(k); break;
    case 0xA9: reply(k, 0x00); break;                     /* aux interface test: ok */
    case 0xAA:                                            /* self-test */
        k->ram[0] |= KBC_CB_SYS;
        reply(k, 0x55);
        break;
    case 0xAB: reply(k, 0x00); break;                     /* kbd interface test: ok */
    case 0xAD: k->ram[0] |= KBC_CB_KBDDIS; break;
    case 0xAE: k->ram[0] &= (uint8_t)~KBC_CB_KBDDIS; refill(k); break;
    case 0xC0: reply(k, 0x80); break;                     /* input port: not inhibited */
    case 0xD0:
        reply(k, (uint8_t)((k->outport & 0xCF) | (k->out_full && !k->out_aux ? 0x10 : 0) |
                           (k->out_full && k->out_aux ? 0x20 : 0)));
        break;
    case 0xD1: case 0xD2: case 0xD3: case 0xD4:
        k->pending = v;
        break;
    case 0xDD: set_outport(k, k->outport & (uint8_t)~2); break; /* A20 off */
    case 0xDF: set_outport(k, k->outport | 2); break;           /* A20 on */
    case 0xE0: reply(k, 0x00); break;                     /* test inputs */
    default: break;
    }
}

static void data(struct i8042 *k, uint8_t v)
{
    uint8_t p = k->pending;
    k->pending = 0;
    if (p >= 0x60 && p <= 0x7F) {
        k->ram[p & 0x1F] = v;
        if (p == 0x60) {
            k->status = (uint8_t)((k->status & ~KBC_SYS) | (v & KBC_CB_SYS));
            refill(k);
            update_irq(k);
        }
        return;
    }
    switch (p) {
    case 0xD1: set_outport(k, v); return;
    case 0xD2: ps2_queue_push(&k->ctrl, v); refill(k); return;
    case 0xD3:
        if (!k->out_full) {
            put_out(k, v, true);
            update_irq(k);
        }
        return;
    case 0xD4:
        k->ram[0] &= (uint8_t)~KBC_CB_AUXDIS; /* talking to the mouse enables its port */
        ps2mouse_write(&k->mouse, v);
        return;
    default:
        k->ram[0] &= (uint8_t)~KBC_CB_KBDDIS;
        ps2kbd_write(&k->kbd, v);
        return;
    }
}

uint8_t i8042_read(struct i8042 *k, uint16_t port)
{
    if (port == 0x64) {
        uint8_t s = (uint8_t)(k->status & ~(KBC_OBF | KBC_AUXOBF | KBC_SYS));
        s |= k->ram[0] & KBC_CB_SYS;
        if (k->out_full)
            s |= KBC_OBF | (k->out_aux ? KBC_AUXOBF : 0);
        return s;
    }
    uint8_t v = k->out;
    k->out_full = false;
    update_irq(k);  /* the line drops ... */
    refill(k);      /* ... and rises again for the next byte: a new edge */
    return v;
}

void i8042_write(struct i8042 *k, uint16_t port, uint8_t v)
{
    if (port == 0x64) {
        k->status |= KBC_CMD;
        k->pending = 0;
        command(k, v);
    } else {
        k->status &= (uint8_t)~KBC_CMD;
        data(k, v);
    }
}

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    (void)size;
    return i8042_read(opaque, (uint16_t)port);
}

static void io_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    (void)size;
    i8042_write(opaque, (uint16_t)port, (uint8_t)v);
}

void i8042_register_io(struct i8042 *k, struct bus *b)
{
    bus_register_io(b, 0x60, 1, io_read, io_write, k, BUS_SIZE8);
    bus_register_io(b, 0x64, 1, io_read, io_write, k, BUS_SIZE8);
}

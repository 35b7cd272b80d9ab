/* PS/2 mouse.  Reference: IBM PS/2 Hardware Interface Technical Reference
 * (pointing device commands and packet format); Microsoft's IntelliMouse
 * extension for the wheel. */
#include "ps2mouse.h"

#include <string.h>

static void send(struct ps2mouse *m, uint8_t v)
{
    if (ps2_queue_push(&m->q, v))
        m->last = v;
    if (m->notify)
        m->notify(m->opaque);
}

static void defaults(struct ps2mouse *m)
{
    m->rate = 100;
    m->resolution = 2; /* 4 counts/mm */
    m->scale21 = false;
    m->reporting = false;
    m->arg_cmd = 0;
    m->dx = m->dy = m->dz = 0;
}

void ps2mouse_reset(struct ps2mouse *m)
{
    ps2_queue_clear(&m->q);
    defaults(m);
    m->remote = false;
    m->id = 0;
    memset(m->rates, 0, sizeof m->rates);
}

void ps2mouse_init(struct ps2mouse *m, void (*notify)(void *), void *opaque)
{
    memset(m, 0, sizeof *m);
    m->notify = notify;
    m->opaque = opaque;
    ps2mouse_reset(m);
}

static int clamp(int v, bool *ovf)
{
    if (v > 255) { *ovf = true; return 255; }
    if (v < -256) { *ovf = true; return -256; }
    return v;
}

/* Sends one packet of the accumulated motion. */
static void packet(struct ps2mouse *m)
{
    bool ox = false, oy = false;
    int dx = clamp(m->dx, &ox), dy = clamp(m->dy, &oy);
    int dz = m->dz < -8 ? -8 : m->dz > 7 ? 7 : m->dz;
    unsigned size = m->id == 3 ? 4 : 3;
    if (PS2_QUEUE - m->q.count < size)
        return; /* no room: keep accumulating */
    send(m, (uint8_t)((m->buttons & 7) | 0x08 | (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0) |
                      (ox ? 0x40 : 0) | (oy ? 0x80 : 0)));
    send(m, (uint8_t)(dx & 0xFF));
    send(m, (uint8_t)(dy & 0xFF));
    if (size == 4)
        send(m, (uint8_t)(dz & 0xFF));
    m->dx -= dx;
    m->dy -= dy;
    m->dz -= dz;
    if (ox || oy)
        m->dx = m->dy = 0;
}

void ps2mouse_move(struct ps2mouse *m, int dx, int dy, int dz, unsigned buttons)
{
    m->buttons = (uint8_t)(buttons & 7);
    if (!m->reporting && !m->remote)
        return; /* stream mode with reporting off: motion is not counted */
    m->dx += dx;
    m->dy += dy;
    m->dz += dz;
    m->buttons = (uint8_t)(buttons & 7);
    if (m->reporting && !m->remote)
        packet(m);
}

void ps2mouse_write(struct ps2mouse *m, uint8_t v)
{
    if (m->arg_cmd) {
        uint8_t cmd = m->arg_cmd;
        m->arg_cmd = 0;
        if (cmd == 0xF3) {
            m->rate = v;
            m->rates[0] = m->rates[1];
            m->rates[1] = m->rates[2];
            m->rates[2] = v;
            if (m->rates[0] == 200 && m->rates[1] == 100 && m->rates[2] == 80)
                m->id = 3; /* IntelliMouse: wheel in a 4th byte */
        } else { /* E8 */
            m->resolution = v & 3;
        }
        send(m, 0xFA);
        return;
    }
    switch (v) {
    case 0xFF:
        ps2mouse_reset(m);
        send(m, 0xFA);
        send(m, 0xAA);
        send(m, 0x00);
        break;
    case 0xFE:
        send(m, m->last);
        break;
    case 0xF6:
        defaults(m);
        send(m, 0xFA);
        break;
    case 0xF5:
        m->reporting = false;
        send(m, 0xFA);
        break;
    case 0xF4:
        m->reporting = true;
        send(m, 0xFA);
        break;
    case 0xF3:
    case 0xE8:
        m->arg_cmd = v;
        send(m, 0xFA);
        break;
    case 0xF2:
        send(m, 0xFA);
        send(m, m->id);
        break;
    case 0xF0:
        m->remote = true;
        send(m, 0xFA);
        break;
    case 0xEA:
        m->remote = false;
        send(m, 0xFA);
        break;
    case 0xEB: /* read data */
        send(m, 0xFA);
        packet(m);
        break;
    case 0xE9: /* status request */
        send(m, 0xFA);
        send(m, (uint8_t)((m->remote ? 0x40 : 0) | (m->reporting ? 0x20 : 0) |
                          (m->scale21 ? 0x10 : 0) | ((m->buttons & 1) << 2) |
                          ((m->buttons >> 2) & 1) << 1 | ((m->buttons >> 1) & 1)));
        send(m, m->resolution);
        send(m, m->rate);
        break;
    case 0xE7:
        m->scale21 = true;
        send(m, 0xFA);
        break;
    case 0xE6:
        m->scale21 = false;
        send(m, 0xFA);
        break;
    case 0xEE:
    case 0xEC:
        send(m, 0xFA); /* wrap mode: acknowledged, not emulated */
        break;
    default:
        send(m, 0xFE);
        break;
    }
}

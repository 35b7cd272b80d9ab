/* Intel 8254 PIT.  Reference: Intel 8254 datasheet (order 231164): mode
 * descriptions, control word, counter latch and read-back commands.
 *
 * Lazy model: a channel remembers n (the count in use) and t0, the tick
 * at which the counting element was loaded with it (the first CLK after
 * the count was written, or after a gate trigger in modes 1 and 5); the
 * value and OUT at tick t follow from d = t - t0 and the mode.  A gate
 * going low freezes d (modes 0, 2, 3, 4); modes 2 and 3 reload on the
 * gate's rising edge, modes 1 and 5 are triggered by it.  A count written
 * in modes 2 and 3 while counting takes effect at the end of the current
 * period, as the datasheet says.
 */
#include "pit8254.h"

#include <string.h>

static uint32_t modulus(const struct pit_channel *c) { return c->bcd ? 10000u : 65536u; }

static uint32_t bcd_decode(uint32_t v)
{
    return (v & 15) + ((v >> 4) & 15) * 10 + ((v >> 8) & 15) * 100 + ((v >> 12) & 15) * 1000;
}

static uint32_t bcd_encode(uint32_t v)
{
    return (v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) | ((v / 1000 % 10) << 12);
}

static uint64_t now_tick(const struct pit8254 *p) { return pit_ticks(clock_now(p->clk)); }

/* Counting started?  (Modes 1/5 need a trigger.) */
static bool running(const struct pit_channel *c)
{
    if (!c->has_count)
        return false;
    if ((c->mode == 1 || c->mode == 5) && !c->triggered)
        return false;
    return true;
}

/* Applies a pending mode 2/3 reload and clears null count once loaded. */
static void sync(struct pit_channel *c, uint64_t tick)
{
    if (c->pending && !c->paused && tick >= c->switch_tick) {
        c->n = c->count_reg;
        c->t0 = c->switch_tick;
        c->pending = false;
    }
    if (c->has_count && !c->pending && tick >= c->t0 &&
        !((c->mode == 1 || c->mode == 5) && !c->triggered))
        c->null_count = false;
}

/* Elapsed ticks since load, -1 before the load. */
static int64_t elapsed(const struct pit_channel *c, uint64_t tick)
{
    if (c->paused)
        return (int64_t)c->paused_d;
    if (tick < c->t0)
        return -1;
    return (int64_t)(tick - c->t0);
}

static bool out_at(const struct pit_channel *c, uint64_t tick)
{
    if (!running(c))
        return c->mode != 0; /* mode 0: OUT low from the control word on */
    int64_t sd = elapsed(c, tick);
    uint64_t d = sd < 0 ? 0 : (uint64_t)sd, n = c->n;
    switch (c->mode) {
    case 0:
        return d >= n;
    case 1:
        return sd < 0 || d >= n;
    case 2:
        if (c->paused)
            return true;
        return n == 1 || d % n != n - 1;
    case 3:
        if (c->paused)
            return true;
        return d % n < (n + 1) / 2;
    default: /* 4, 5 */
        return d != n;
    }
}

static uint32_t value_at(const struct pit_channel *c, uint64_t tick)
{
    uint32_t m = modulus(c);
    if (!running(c))
        return c->count_reg % m;
    int64_t sd = elapsed(c, tick);
    if (sd < 0)
        return c->n % m;
    uint64_t d = (uint64_t)sd, n = c->n;
    uint64_t v;
    switch (c->mode) {
    case 2:
        v = n - d % n;
        break;
    case 3: {
        uint64_t p = d % n, hi = (n + 1) / 2, even = n & ~1ull;
        v = even - 2 * (p < hi ? p : p - hi);
        if (v == 0)
            v = even; /* reloads at once */
        break;
    }
    default: /* 0, 1, 4, 5: keep decrementing through terminal count */
        v = (n + m - d % m) % m;
        break;
    }
    return (uint32_t)(v % m);
}

/* The next tick after `tick` at which OUT changes, or CLOCK_NEVER. */
static uint64_t next_change(const struct pit_channel *c, uint64_t tick)
{
    if (!running(c) || c->paused)
        return CLOCK_NEVER;
    int64_t sd = elapsed(c, tick);
    uint64_t d = sd < 0 ? 0 : (uint64_t)sd, n = c->n, t0 = c->t0, r;
    switch (c->mode) {
    case 0:
    case 1:
        r = d < n ? t0 + n : CLOCK_NEVER;
        break;
    case 2: {
        if (n < 2)
            return CLOCK_NEVER;
        uint64_t p = d % n, base = d - p;
        r = t0 + base + (p < n - 1 ? n - 1 : n);
        break;
    }
    case 3: {
        if (n < 2)
            return CLOCK_NEVER;
        uint64_t p = d % n, base = d - p, hi = (n + 1) / 2;
        r = t0 + base + (p < hi ? hi : n);
        break;
    }
    default:
        r = d < n ? t0 + n : d == n ? t0 + n + 1 : CLOCK_NEVER;
        break;
    }
    if (c->pending && c->switch_tick < r)
        r = c->switch_tick;
    return r <= tick ? tick + 1 : r;
}

/* Channel 0: put OUT on IRQ0 and schedule its next change. */
static void update0(struct pit8254 *p)
{
    uint64_t tick = now_tick(p);
    struct pit_channel *c = &p->ch[0];
    sync(c, tick);
    bool out = out_at(c, tick);
    if (out != p->out0) {
        p->out0 = out;
        irq_set(&p->irq0, out);
    }
    uint64_t nc = next_change(c, tick);
    clock_timer_set(&p->timer, nc == CLOCK_NEVER ? CLOCK_NEVER
                                                 : clock_unscale(nc, PIT_HZ, CLOCK_HZ));
}

static void timer_cb(void *opaque, uint64_t now)
{
    (void)now;
    update0(opaque);
}

void pit_reset(struct pit8254 *p)
{
    memset(p->ch, 0, sizeof p->ch);
    for (int i = 0; i < 3; i++) {
        p->ch[i].gate = i != 2; /* gates 0 and 1 are tied high on the PC */
        p->ch[i].rw = 3;
        p->ch[i].count_reg = 65536;
    }
    p->port61 = 0;
    p->out0 = false;
    irq_set(&p->irq0, 0);
    clock_timer_cancel(&p->timer);
}

void pit_init(struct pit8254 *p, struct clock *clk, struct irq_line irq0)
{
    memset(p, 0, sizeof *p);
    p->clk = clk;
    p->irq0 = irq0;
    clock_timer_init(clk, &p->timer, timer_cb, p, "pit0");
    pit_reset(p);
}

bool pit_out(struct pit8254 *p, int ch)
{
    uint64_t tick = now_tick(p);
    sync(&p->ch[ch], tick);
    return out_at(&p->ch[ch], tick);
}

uint32_t pit_counter(struct pit8254 *p, int ch)
{
    uint64_t tick = now_tick(p);
    sync(&p->ch[ch], tick);
    return value_at(&p->ch[ch], tick);
}

bool pit_speaker(struct pit8254 *p)
{
    return (p->port61 & 3) == 3 && pit_out(p, 2);
}

static void load_count(struct pit8254 *p, int ch, uint32_t raw)
{
    struct pit_channel *c = &p->ch[ch];
    uint64_t tick = now_tick(p);
    sync(c, tick);
    uint32_t n = c->bcd ? bcd_decode(raw) : raw;
    if (n == 0)
        n = modulus(c);
    c->count_reg = n;
    c->null_count = true;
    switch (c->mode) {
    case 2:
    case 3:
        if (c->has_count && !c->paused && tick >= c->t0) {
            /* Takes effect when the current period ends. */
            uint64_t d = tick - c->t0;
            c->pending = true;
            c->switch_tick = c->t0 + (d / c->n + 1) * c->n;
            break;
        }
        /* first count: */
        /* fall through */
    case 0:
    case 4:
        c->n = n;
        c->t0 = tick + 1;
        c->pending = false;
        if (c->paused)
            c->paused_d = 0;
        break;
    default: /* 1, 5: used at the next trigger */
        break;
    }
    c->has_count = true;
}

static void control(struct pit8254 *p, uint8_t v)
{
    unsigned sc = v >> 6, rw = (v >> 4) & 3;
    uint64_t tick = now_tick(p);
    if (sc == 3) { /* read-back: bits 3-1 select counters 2-0 */
        for (int i = 0; i < 3; i++) {
            if (!(v & (2u << i)))
                continue;
            struct pit_channel *c = &p->ch[i];
            sync(c, tick);
            if (!(v & 0x10) && !c->status_latched) {
                c->status_latched = true;
                c->status = (uint8_t)((out_at(c, tick) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
                                      (c->rw << 4) | (c->mode << 1) | (c->bcd ? 1 : 0));
            }
            if (!(v & 0x20) && !c->latched) {
                uint32_t val = value_at(c, tick);
                c->latched = true;
                c->latch = (uint16_t)(c->bcd ? bcd_encode(val) : val);
                c->latch_left = c->rw == 3 ? 2 : 1;
                c->read_msb = c->rw == 2;
            }
        }
        return;
    }
    struct pit_channel *c = &p->ch[sc];
    sync(c, tick);
    if (rw == 0) { /* counter latch command; a second one before reading is ignored */
        if (!c->latched) {
            uint32_t val = value_at(c, tick);
            c->latched = true;
            c->latch = (uint16_t)(c->bcd ? bcd_encode(val) : val);
            c->latch_left = c->rw == 3 ? 2 : 1;
            c->read_msb = c->rw == 2;
        }
        return;
    }
    bool gate = c->gate;
    memset(c, 0, sizeof *c);
    c->gate = gate;
    c->rw = (uint8_t)rw;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4; /* 110 and 111 are modes 2 and 3 */
    c->bcd = v & 1;
    c->null_count = true;
    c->count_reg = modulus(c);
    c->read_msb = rw == 2;
    c->write_msb = rw == 2;
    if (!gate && c->mode != 1 && c->mode != 5)
        c->paused = true;
}

static void write_counter(struct pit8254 *p, int ch, uint8_t v)
{
    struct pit_channel *c = &p->ch[ch];
    switch (c->rw) {
    case 1:
        load_count(p, ch, v);
        break;
    case 2:
        load_count(p, ch, (uint32_t)v << 8);
        break;
    default:
        if (!c->write_msb) {
            c->write_lsb = v;
            c->write_msb = true;
            if (c->mode == 0 && c->has_count) {
                /* Mode 0: writing the first byte stops the count and
                 * sets OUT low at once (datasheet, mode 0). */
                sync(c, now_tick(p));
                c->has_count = false;
            }
        } else {
            c->write_msb = false;
            load_count(p, ch, c->write_lsb | ((uint32_t)v << 8));
        }
        break;
    }
}

static uint8_t read_counter(struct pit8254 *p, int ch)
{
    struct pit_channel *c = &p->ch[ch];
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->latched) {
        uint8_t b = c->read_msb ? (uint8_t)(c->latch >> 8) : (uint8_t)c->latch;
        if (c->rw == 3)
            c->read_msb = !c->read_msb;
        if (--c->latch_left == 0) {
            c->latched = false;
            c->read_msb = c->rw == 2;
        }
        return b;
    }
    uint32_t val = pit_counter(p, ch);
    if (c->bcd)
        val = bcd_encode(val);
    uint8_t b = c->read_msb ? (uint8_t)(val >> 8) : (uint8_t)val;
    if (c->rw == 3)
        c->read_msb = !c->read_msb;
    return b;
}

void pit_set_gate(struct pit8254 *p, int ch, bool level)
{
    struct pit_channel *c = &p->ch[ch];
    uint64_t tick = now_tick(p);
    sync(c, tick);
    bool rising = level && !c->gate, falling = !level && c->gate;
    c->gate = level;
    if (rising) {
        switch (c->mode) {
        case 1:
        case 5:
        case 2:
        case 3:
            if (c->has_count) {
                c->n = c->count_reg;
                c->t0 = tick + 1;
                c->triggered = true;
                c->pending = false;
            }
            c->paused = false;
            break;
        default:
            if (c->paused) {
                c->t0 = tick - c->paused_d;
                c->paused = false;
            }
            break;
        }
    } else if (falling && c->mode != 1 && c->mode != 5 && !c->paused) {
        int64_t d = elapsed(c, tick);
        c->paused_d = d < 0 ? 0 : (uint64_t)d;
        c->paused = true;
    }
    if (ch == 0)
        update0(p);
}

uint8_t pit_read(struct pit8254 *p, uint16_t port)
{
    if (port == 0x61) {
        /* Bit 4 toggles with every DRAM refresh request (15.085 us,
         * the PIT's channel 1 on the AT); BIOSes time delays with it. */
        uint64_t ns = clock_ns(clock_now(p->clk));
        uint8_t refresh = (uint8_t)(((ns / 15085u) & 1) << 4);
        return (uint8_t)((p->port61 & 0x0F) | refresh | (pit_out(p, 2) ? 0x20 : 0));
    }
    if ((port & 3) == 3)
        return 0xFF; /* the control register cannot be read */
    return read_counter(p, port & 3);
}

void pit_write(struct pit8254 *p, uint16_t port, uint8_t v)
{
    if (port == 0x61) {
        p->port61 = v & 0x0F;
        pit_set_gate(p, 2, v & 1);
        return;
    }
    if ((port & 3) == 3)
        control(p, v);
    else
        write_counter(p, port & 3, v);
    update0(p);
}

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    (void)size;
    return pit_read(opaque, (uint16_t)port);
}

static void io_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    (void)size;
    pit_write(opaque, (uint16_t)port, (uint8_t)v);
}

void pit_register_io(struct pit8254 *p, struct bus *b)
{
    bus_register_io(b, 0x40, 4, io_read, io_write, p, BUS_SIZE8);
    bus_register_io(b, 0x61, 1, io_read, io_write, p, BUS_SIZE8);
}

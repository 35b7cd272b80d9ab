/* Intel 8259A PIC pair.  References: Intel 8259A datasheet (order
 * 231468), PIIX3 datasheet (290550) section on ELCR.
 *
 * Model notes:
 *  - Priorities are kept as "the IR with the highest priority" (prio);
 *    the others follow in circular order (rotation commands move it).
 *  - Edge mode: a rising edge latches IRR; the 8259A requires the request
 *    to stay high until INTA, so a request that goes away first is
 *    dropped here and an INTA that finds nothing gets the IR7 vector with
 *    no ISR bit (the datasheet's default IR7 / "spurious interrupt").
 *  - Level mode (ICW1 LTIM or the ELCR bit): IRR follows the line.
 *  - The slave's INT drives the master's IR2 like any device line.
 */
#include "pic8259.h"

#include <string.h>

static unsigned chip_irr(const struct pic_chip *c)
{
    uint8_t level = c->ltim ? 0xFF : c->elcr;
    return (uint8_t)((c->irr & ~level) | (c->lines & level));
}

/* Priority rank of the highest-priority bit in mask (0 best), 8 if none. */
static unsigned rank(const struct pic_chip *c, unsigned mask)
{
    for (unsigned r = 0; r < 8; r++)
        if (mask & (1u << ((r + c->prio) & 7)))
            return r;
    return 8;
}

/* The IR this chip would present on INTA, or -1. */
static int chip_pending(const struct pic_chip *c, bool master)
{
    unsigned req = chip_irr(c) & ~c->imr & 0xFF;
    unsigned r = rank(c, req);
    if (r == 8)
        return -1;
    int ir = (int)((r + c->prio) & 7);
    unsigned in_service = c->isr;
    /* Special mask mode: a masked level does not hold off anything. */
    if (c->special_mask)
        in_service &= ~c->imr;
    unsigned cur = rank(c, in_service);
    if (r < cur)
        return ir;
    /* Special fully nested mode: a slave in service does not block a new
     * (higher priority) request from the same slave. */
    if (master && c->sfnm && r == cur && !c->single && (c->icw3 & (1u << ir)))
        return ir;
    return -1;
}

static void update(struct pic8259 *p)
{
    struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
    bool slave_int = chip_pending(s, false) >= 0;
    uint8_t bit = 1u << 2;
    bool was = (m->lines & bit) != 0;
    if (slave_int && !was)
        m->irr |= bit;
    else if (!slave_int && was)
        m->irr &= (uint8_t)~bit;
    m->lines = slave_int ? (uint8_t)(m->lines | bit) : (uint8_t)(m->lines & ~bit);
    bool out = chip_pending(m, true) >= 0;
    if (out != p->int_out) {
        p->int_out = out;
        if (p->int_changed)
            p->int_changed(p->opaque, out);
    }
}

static void chip_set_line(struct pic_chip *c, unsigned ir, int level)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (level) {
        if (!(c->lines & bit))
            c->irr |= bit;  /* rising edge */
        c->lines |= bit;
    } else {
        c->lines &= (uint8_t)~bit;
        c->irr &= (uint8_t)~bit; /* request withdrawn before INTA */
    }
}

void pic_set_irq(struct pic8259 *p, int irq, int level)
{
    if (irq < 0 || irq > 15 || irq == 2)
        return; /* IR2 of the master is the cascade input */
    chip_set_line(&p->chip[irq >> 3], (unsigned)irq & 7, level);
    update(p);
}

bool pic_has_int(const struct pic8259 *p)
{
    return chip_pending(&p->chip[0], true) >= 0;
}

/* Acknowledge `ir` on chip c: ISR set (or auto-EOI), edge request cleared. */
static void chip_ack(struct pic_chip *c, int ir)
{
    uint8_t bit = (uint8_t)(1u << ir);
    c->irr &= (uint8_t)~bit;
    if (c->auto_eoi) {
        if (c->rotate_aeoi)
            c->prio = (uint8_t)((ir + 1) & 7);
    } else {
        c->isr |= bit;
    }
}

int pic_intack(struct pic8259 *p)
{
    struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
    int ir = chip_pending(m, true);
    int vec;
    if (ir < 0) {
        p->spurious++;
        vec = m->base | 7;
    } else {
        chip_ack(m, ir);
        if (ir == 2 && !m->single) {
            int sir = chip_pending(s, false);
            if (sir < 0) {
                p->spurious++;
                vec = s->base | 7;
            } else {
                chip_ack(s, sir);
                vec = s->base | sir;
            }
        } else {
            vec = m->base | ir;
        }
    }
    update(p);
    return vec;
}

static void chip_reset(struct pic_chip *c)
{
    uint8_t elcr_mask = c->elcr_mask, elcr = c->elcr;
    memset(c, 0, sizeof *c);
    c->elcr_mask = elcr_mask;
    c->elcr = elcr;
}

void pic_reset(struct pic8259 *p)
{
    for (int i = 0; i < 2; i++) {
        uint8_t lines = p->chip[i].lines;
        chip_reset(&p->chip[i]);
        p->chip[i].elcr = 0;
        p->chip[i].lines = lines;
    }
    p->chip[0].elcr_mask = 0xF8; /* IRQ0-2 are always edge (PIIX3 ELCR1) */
    p->chip[1].elcr_mask = 0xDE; /* IRQ8 and IRQ13 are always edge (ELCR2) */
    update(p);
}

void pic_init(struct pic8259 *p, void (*int_changed)(void *, bool), void *opaque)
{
    memset(p, 0, sizeof *p);
    p->int_changed = int_changed;
    p->opaque = opaque;
    pic_reset(p);
}

static void eoi(struct pic_chip *c, int ir, bool rotate)
{
    if (ir < 0)
        return;
    c->isr &= (uint8_t)~(1u << ir);
    if (rotate)
        c->prio = (uint8_t)((ir + 1) & 7);
}

static void write_cmd(struct pic_chip *c, uint8_t v)
{
    if (v & 0x10) { /* ICW1 */
        uint8_t lines = c->lines, elcr = c->elcr, mask = c->elcr_mask;
        memset(c, 0, sizeof *c);
        c->lines = lines;       /* the edge sense latch is reset: IRR stays 0 */
        c->elcr = elcr;
        c->elcr_mask = mask;
        c->icw4_needed = v & 1;
        c->single = (v & 2) != 0;
        c->ltim = (v & 8) != 0;
        c->init_step = 1;
        return;
    }
    if (v & 0x08) { /* OCW3 */
        if (v & 0x04)
            c->poll = true;
        if (v & 0x02)
            c->read_isr = v & 1;
        if (v & 0x40)
            c->special_mask = (v & 0x20) != 0;
        return;
    }
    /* OCW2 */
    unsigned ir = v & 7;
    int highest = -1;
    unsigned r = rank(c, c->isr);
    if (r < 8)
        highest = (int)((r + c->prio) & 7);
    switch (v >> 5) {
    case 0: c->rotate_aeoi = false; break;               /* clear rotate in AEOI */
    case 4: c->rotate_aeoi = true; break;                /* set rotate in AEOI */
    case 1: eoi(c, highest, false); break;               /* non-specific EOI */
    case 5: eoi(c, highest, true); break;                /* rotate on non-specific EOI */
    case 3: eoi(c, (int)ir, false); break;               /* specific EOI */
    case 7: eoi(c, (int)ir, true); break;                /* rotate on specific EOI */
    case 6: c->prio = (uint8_t)((ir + 1) & 7); break;    /* set priority: ir lowest */
    default: break;                                      /* 2: no operation */
    }
}

static void write_data(struct pic_chip *c, uint8_t v)
{
    switch (c->init_step) {
    case 1:
        c->base = v & 0xF8;
        c->init_step = c->single ? (c->icw4_needed ? 3 : 0) : 2;
        break;
    case 2:
        c->icw3 = v;
        c->init_step = c->icw4_needed ? 3 : 0;
        break;
    case 3:
        c->auto_eoi = (v & 2) != 0;
        c->sfnm = (v & 0x10) != 0;
        c->init_step = 0;
        break;
    default:
        c->imr = v; /* OCW1 */
        break;
    }
}

/* Poll command: the next read returns 0x80 | IR of the highest request
 * (acknowledged as by INTA) or 0 when there is none. */
static uint8_t poll_read(struct pic8259 *p, int which)
{
    struct pic_chip *c = &p->chip[which];
    c->poll = false;
    int ir = chip_pending(c, which == 0);
    if (ir < 0)
        return 0;
    chip_ack(c, ir);
    update(p);
    return (uint8_t)(0x80 | ir);
}

uint8_t pic_read(struct pic8259 *p, uint16_t port)
{
    if (port == 0x4D0 || port == 0x4D1)
        return p->chip[port & 1].elcr;
    int which = (port & 0x80) ? 1 : 0;
    struct pic_chip *c = &p->chip[which];
    if (c->poll)
        return poll_read(p, which);
    if (port & 1)
        return c->imr;
    return c->read_isr ? c->isr : (uint8_t)chip_irr(c);
}

void pic_write(struct pic8259 *p, uint16_t port, uint8_t v)
{
    if (port == 0x4D0 || port == 0x4D1) {
        struct pic_chip *c = &p->chip[port & 1];
        c->elcr = v & c->elcr_mask;
    } else {
        struct pic_chip *c = &p->chip[(port & 0x80) ? 1 : 0];
        if (port & 1)
            write_data(c, v);
        else
            write_cmd(c, v);
    }
    update(p);
}

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    (void)size;
    return pic_read(opaque, (uint16_t)port);
}

static void io_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    (void)size;
    pic_write(opaque, (uint16_t)port, (uint8_t)v);
}

void pic_register_io(struct pic8259 *p, struct bus *b)
{
    bus_register_io(b, 0x20, 2, io_read, io_write, p, BUS_SIZE8);
    bus_register_io(b, 0xA0, 2, io_read, io_write, p, BUS_SIZE8);
    bus_register_io(b, 0x4D0, 2, io_read, io_write, p, BUS_SIZE8);
}

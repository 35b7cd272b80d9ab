/* Interrupt request lines between devices and interrupt controllers.
 *
 * A line is a callback plus an opaque pointer and a line number: the
 * device calls irq_set(&line, level) with the level of its output pin
 * (1 = asserted).  The receiver (the 8259 pair, the PIIX3's PIRQ router)
 * decides what an edge or a level means.  An unconnected line (set ==
 * NULL) ignores everything, so devices can be tested alone.
 */
#ifndef PCVM_IRQ_H
#define PCVM_IRQ_H

typedef void (*irq_set_fn)(void *opaque, int line, int level);

struct irq_line {
    irq_set_fn set;
    void *opaque;
    int line;
};

static inline struct irq_line irq_line_make(irq_set_fn set, void *opaque, int line)
{
    struct irq_line l = { set, opaque, line };
    return l;
}

static inline void irq_set(const struct irq_line *l, int level)
{
    if (l->set)
        l->set(l->opaque, l->line, level ? 1 : 0);
}

/* A pulse: asserted then released (an edge for edge-triggered inputs). */
static inline void irq_pulse(const struct irq_line *l)
{
    irq_set(l, 1);
    irq_set(l, 0);
}

#endif

/* Shared helpers for the device unit tests: a free-standing virtual clock
 * (a plain counter as "now") and an IRQ line that records its level and
 * rising edges. */
#ifndef PCVM_TEST_DEVTEST_H
#define PCVM_TEST_DEVTEST_H

#include <stdint.h>

#include "bus/clock.h"
#include "bus/irq.h"

struct irq_probe {
    int level;
    unsigned rises, falls;
};

static inline void irq_probe_set(void *opaque, int line, int level)
{
    (void)line;
    struct irq_probe *p = opaque;
    if (level && !p->level)
        p->rises++;
    if (!level && p->level)
        p->falls++;
    p->level = level;
}

static inline struct irq_line irq_probe_line(struct irq_probe *p)
{
    return irq_line_make(irq_probe_set, p, 0);
}

/* Advances the test clock to `t` instructions, firing due timers at their
 * exact deadlines on the way (as machine_run does). */
static inline void clock_advance_to(struct clock *clk, uint64_t *now, uint64_t t)
{
    for (;;) {
        uint64_t d = clock_next_deadline(clk);
        if (d > t)
            break;
        if (d > *now)
            *now = d;
        clock_run_due(clk);
    }
    *now = t;
    clock_run_due(clk);
}

#endif

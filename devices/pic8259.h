/* Intel 8259A programmable interrupt controllers: the PC/AT master/slave
 * pair (ports 0x20/0x21 and 0xA0/0xA1, the slave cascaded on the master's
 * IR2) plus the PIIX3's edge/level control registers (ELCR, ports
 * 0x4D0/0x4D1).
 *
 * Devices drive input lines 0-15 through pic_set_irq (an irq_line made
 * with pic_irq_line); the pair's INT output is reported through the
 * `int_changed` callback and the CPU asks for vectors with pic_has_int /
 * pic_intack (the INTA cycle).
 */
#ifndef PCVM_PIC8259_H
#define PCVM_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#include "../bus/bus.h"
#include "../bus/irq.h"

struct pic_chip {
    uint8_t irr;            /* edge-latched requests */
    uint8_t isr;
    uint8_t imr;
    uint8_t lines;          /* current input levels */
    uint8_t elcr;           /* 1 = level triggered (PIIX ELCR) */
    uint8_t elcr_mask;      /* ELCR bits that may be set */
    uint8_t base;           /* ICW2 & 0xF8 */
    uint8_t icw3;
    uint8_t prio;           /* the IR with the highest priority (rotation) */
    uint8_t init_step;      /* 0 = operational, 1..3 = waiting for ICW2..4 */
    bool icw4_needed, single, ltim;
    bool auto_eoi, rotate_aeoi, sfnm;
    bool read_isr;          /* OCW3 RR/RIS */
    bool poll;              /* OCW3 P: next read is a poll */
    bool special_mask;      /* OCW3 SMM */
};

struct pic8259 {
    struct pic_chip chip[2];            /* 0 = master, 1 = slave */
    void (*int_changed)(void *opaque, bool level);
    void *opaque;
    bool int_out;
    uint64_t spurious;                  /* statistics: IR7/IR15 vectors without ISR */
};

void pic_init(struct pic8259 *p, void (*int_changed)(void *, bool), void *opaque);
void pic_reset(struct pic8259 *p);
void pic_register_io(struct pic8259 *p, struct bus *b);

/* Input line irq (0-15) to `level`. */
void pic_set_irq(struct pic8259 *p, int irq, int level);
static inline void pic_irq_set_cb(void *opaque, int line, int level)
{
    pic_set_irq(opaque, line, level);
}
static inline struct irq_line pic_irq_line(struct pic8259 *p, int irq)
{
    return irq_line_make(pic_irq_set_cb, p, irq);
}

/* The INT output, and the INTA cycle: returns the vector to deliver. */
bool pic_has_int(const struct pic8259 *p);
int pic_intack(struct pic8259 *p);

/* Port handlers (also for tests). */
uint8_t pic_read(struct pic8259 *p, uint16_t port);
void pic_write(struct pic8259 *p, uint16_t port, uint8_t v);

#endif

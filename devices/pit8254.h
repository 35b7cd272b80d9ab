/* Intel 8254 programmable interval timer (ports 0x40-0x43) and the PC's
 * system control port B (0x61: channel 2 gate, speaker enable, refresh
 * toggle, channel 2 output).
 *
 * Nothing ticks: every counter value and output is computed from the
 * virtual clock (PIT_HZ ticks per virtual second) when read; channel 0
 * has one clock timer for the next change of its output, which drives
 * IRQ0.
 */
#ifndef PCVM_PIT8254_H
#define PCVM_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#include "../bus/bus.h"
#include "../bus/clock.h"
#include "../bus/irq.h"

#define PIT_HZ 1193182ull

struct pit_channel {
    uint8_t mode;           /* 0-5 */
    uint8_t rw;             /* 1 lsb, 2 msb, 3 lsb then msb */
    bool bcd;
    uint32_t count_reg;     /* last count written, as a count (1..65536/10000) */
    uint32_t n;             /* count being used */
    uint64_t t0;            /* tick at which counting started from n */
    bool has_count;         /* a count was written after the control word */
    bool triggered;         /* modes 1 and 5: a gate trigger happened */
    bool gate;
    bool paused;            /* gate low stopped counting */
    uint64_t paused_d;
    bool pending;           /* modes 2/3: new count at the end of the period */
    uint64_t switch_tick;
    bool null_count;
    bool write_msb;         /* rw 3: next write is the MSB */
    uint8_t write_lsb;
    bool read_msb;          /* rw 3: next read is the MSB */
    bool latched;           /* counter latch */
    uint16_t latch;
    uint8_t latch_left;     /* bytes of the latch still to read */
    bool status_latched;
    uint8_t status;
};

struct pit8254 {
    struct pit_channel ch[3];
    struct clock *clk;
    struct clock_timer timer;   /* channel 0 output changes */
    struct irq_line irq0;
    bool out0;                  /* last level put on IRQ0 */
    uint8_t port61;             /* bits 0-3 as written */
};

void pit_init(struct pit8254 *p, struct clock *clk, struct irq_line irq0);
void pit_reset(struct pit8254 *p);
void pit_register_io(struct pit8254 *p, struct bus *b);

uint8_t pit_read(struct pit8254 *p, uint16_t port);
void pit_write(struct pit8254 *p, uint16_t port, uint8_t v);

void pit_set_gate(struct pit8254 *p, int ch, bool level);
bool pit_out(struct pit8254 *p, int ch);
/* Counter value as it would be read (binary, before BCD encoding). */
uint32_t pit_counter(struct pit8254 *p, int ch);
/* The speaker: gate 2 and speaker data enabled and OUT2 high. */
bool pit_speaker(struct pit8254 *p);

static inline uint64_t pit_ticks(uint64_t now) { return clock_scale(now, PIT_HZ, CLOCK_HZ); }

#endif

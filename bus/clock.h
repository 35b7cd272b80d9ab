/* The virtual clock and the device timer scheduler.
 *
 * pcvm's only clock is the guest instruction count (cpu.icount).  The
 * guest is a nominal 100 MHz machine that retires one instruction per
 * cycle: CLOCK_HZ instructions are one virtual second, one instruction is
 * 10 ns.  Device chips derive their own clocks from it (the PIT's
 * 1.193182 MHz, the RTC's 32.768 kHz, a UART's baud rate) with
 * clock_scale(), lazily, when they are read or when a timer fires: no
 * device does work per instruction.
 *
 * Devices register timers with absolute deadlines (in instructions).  The
 * machine runs the CPU exactly up to the earliest deadline, fires every
 * due timer (earliest first; equal deadlines in registration order, so a
 * run is reproducible), and repeats.  When the CPU halts, time jumps
 * straight to the next deadline.
 *
 * A device that moves a deadline earlier while the CPU is running (an OUT
 * that programs the PIT) calls clock_timer_set as usual: the clock then
 * calls its `kick` callback, which the machine uses to stop the CPU after
 * the current instruction so the new deadline is honoured exactly.
 *
 * The clock reads "now" through a pointer (the CPU's icount in a machine,
 * a plain counter in unit tests).  No OS calls.
 */
#ifndef PCVM_CLOCK_H
#define PCVM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define CLOCK_HZ 100000000ull          /* instructions per virtual second */
#define CLOCK_NEVER UINT64_MAX
#define CLOCK_MAX_TIMERS 32

struct clock;
typedef void (*clock_timer_fn)(void *opaque, uint64_t now);

struct clock_timer {
    struct clock *clk;
    uint64_t deadline;                 /* CLOCK_NEVER: not armed */
    clock_timer_fn fn;
    void *opaque;
    const char *name;
    int index;                         /* registration order */
};

struct clock {
    const uint64_t *now;               /* the virtual time source */
    int ntimers;
    struct clock_timer *timers[CLOCK_MAX_TIMERS];
    uint64_t next;                     /* cached earliest deadline */
    void (*kick)(void *opaque);        /* a deadline moved earlier */
    void *kick_opaque;
    uint64_t fired;                    /* statistics: timer callbacks run */
};

void clock_init(struct clock *clk, const uint64_t *now);
static inline uint64_t clock_now(const struct clock *clk) { return *clk->now; }

/* Registers a timer (unarmed).  Returns false when the table is full. */
bool clock_timer_init(struct clock *clk, struct clock_timer *t, clock_timer_fn fn,
                      void *opaque, const char *name);
/* Arms (or re-arms) the timer for an absolute deadline; CLOCK_NEVER disarms. */
void clock_timer_set(struct clock_timer *t, uint64_t deadline);
static inline void clock_timer_cancel(struct clock_timer *t) { clock_timer_set(t, CLOCK_NEVER); }
static inline bool clock_timer_armed(const struct clock_timer *t) { return t->deadline != CLOCK_NEVER; }

/* The earliest armed deadline, or CLOCK_NEVER. */
static inline uint64_t clock_next_deadline(const struct clock *clk) { return clk->next; }
/* Runs every timer whose deadline is <= now (a callback may re-arm its
 * timer; one due again at once runs again).  Returns how many ran. */
unsigned clock_run_due(struct clock *clk);

/* floor(t * num / den) without 64-bit overflow for num, den < 2^32. */
uint64_t clock_scale(uint64_t t, uint64_t num, uint64_t den);
/* The smallest t with clock_scale(t, num, den) >= n: the instant (in
 * instructions) at which tick n of a num/den-rate clock happens. */
uint64_t clock_unscale(uint64_t n, uint64_t num, uint64_t den);

/* Nanoseconds of virtual time at instruction count t. */
static inline uint64_t clock_ns(uint64_t t) { return clock_scale(t, 1000000000ull, CLOCK_HZ); }

#endif

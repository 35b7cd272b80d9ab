/* The virtual clock: see clock.h. */
#include "clock.h"

#include <string.h>

void clock_init(struct clock *clk, const uint64_t *now)
{
    memset(clk, 0, sizeof *clk);
    clk->now = now;
    clk->next = CLOCK_NEVER;
}

bool clock_timer_init(struct clock *clk, struct clock_timer *t, clock_timer_fn fn,
                      void *opaque, const char *name)
{
    memset(t, 0, sizeof *t);
    t->deadline = CLOCK_NEVER;
    t->fn = fn;
    t->opaque = opaque;
    t->name = name;
    if (clk->ntimers >= CLOCK_MAX_TIMERS)
        return false;
    t->clk = clk;
    t->index = clk->ntimers;
    clk->timers[clk->ntimers++] = t;
    return true;
}

static void recompute(struct clock *clk)
{
    uint64_t next = CLOCK_NEVER;
    for (int i = 0; i < clk->ntimers; i++)
        if (clk->timers[i]->deadline < next)
            next = clk->timers[i]->deadline;
    clk->next = next;
}

void clock_timer_set(struct clock_timer *t, uint64_t deadline)
{
    struct clock *clk = t->clk;
    t->deadline = deadline;
    if (!clk)
        return;
    uint64_t old = clk->next;
    recompute(clk);
    if (clk->next < old && clk->kick)
        clk->kick(clk->kick_opaque);
}

unsigned clock_run_due(struct clock *clk)
{
    unsigned ran = 0;
    for (;;) {
        uint64_t now = clock_now(clk);
        struct clock_timer *due = NULL;
        for (int i = 0; i < clk->ntimers; i++) {
            struct clock_timer *t = clk->timers[i];
            if (t->deadline <= now && (!due || t->deadline < due->deadline))
                due = t; /* strict <: equal deadlines keep registration order */
        }
        if (!due)
            break;
        due->deadline = CLOCK_NEVER;
        recompute(clk);
        due->fn(due->opaque, now);
        ran++;
        clk->fired++;
        if (ran > 100000u)
            break; /* a timer that re-arms itself in the past forever */
    }
    recompute(clk);
    return ran;
}

uint64_t clock_scale(uint64_t t, uint64_t num, uint64_t den)
{
    uint64_t q = t / den, r = t % den;
    return q * num + (r * num) / den;
}

uint64_t clock_unscale(uint64_t n, uint64_t num, uint64_t den)
{
    /* t = ceil(n * den / num), split so nothing overflows. */
    uint64_t q = n / num, r = n % num;
    return q * den + (r * den + num - 1) / num;
}

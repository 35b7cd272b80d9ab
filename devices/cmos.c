/* MC146818 RTC + NVRAM.  Reference: Motorola MC146818A datasheet (register
 * A/B/C/D layout, periodic rates, the update cycle, alarm "don't care"
 * codes 0xC0-0xFF) and the IBM PC/AT Technical Reference for the NVRAM
 * map and checksum.
 *
 * Model notes:
 *  - Time is not kept in the registers: the RTC holds a base time and the
 *    virtual instant it was valid at; the time registers are generated on
 *    read in the current data mode (BCD/binary, 12/24 h).  A guest that
 *    changes DM or 24/12 therefore sees the time in the new format at
 *    once (the real chip leaves converting to software).
 *  - With SET=1 the registers hold what the guest writes and no updates
 *    happen; clearing SET restarts the clock from them (the divider chain
 *    restarts too, so the next update is one second later).
 *  - The update cycle happens on each second boundary; UIP reads 1 during
 *    the 244 us before it (the datasheet's tBUC), so a guest that waits
 *    for UIP=0 then reads has at least 244 us of stable registers.
 *  - Interrupt flags in register C are set whether or not their enable
 *    bits are (datasheet), and are computed lazily when C is read; a
 *    clock timer runs only while an enabled source could raise IRQ8.
 *  - Register A's divider bits: 11x holds the chain in reset (the time
 *    stands, no periodic/update interrupts; the first update comes 500 ms
 *    after leaving reset); any other value runs from the 32.768 kHz base.
 */
#include "cmos.h"

#include <string.h>

#define UIP_WINDOW (CLOCK_HZ * 244 / 1000000)   /* 244 us in instructions */

int64_t cmos_days_from_civil(int y, unsigned m, unsigned d)
{
    /* Count from 0000-03-01 so the leap day is the last day of a year. */
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                   /* 0..399 */
    int64_t mp = (m + 9) % 12;                                      /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;              /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* 0..146096 */
    return era * 146097 + doe - 719468;                             /* 1970-01-01 = 0 */
}

void cmos_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static uint64_t now(const struct cmos *c) { return clock_now(c->clk); }
static bool set_mode(const struct cmos *c) { return c->ram[CMOS_B] & CMOS_B_SET; }
static bool binary(const struct cmos *c) { return c->ram[CMOS_B] & CMOS_B_DM; }
/* Register A's DV2-DV0 = 11x hold the divider chain in reset: no time
 * passes, no periodic or update interrupts. */
static bool divider_reset(const struct cmos *c) { return ((c->ram[CMOS_A] >> 4) & 6) == 6; }
/* The clock stands still: SET or divider reset. */
static bool stopped(const struct cmos *c) { return set_mode(c) || divider_reset(c); }

static uint8_t enc(const struct cmos *c, unsigned v)
{
    return binary(c) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned dec(const struct cmos *c, uint8_t v)
{
    return binary(c) ? v : (unsigned)((v >> 4) * 10 + (v & 15));
}

static uint8_t enc_hour(const struct cmos *c, unsigned h)
{
    if (c->ram[CMOS_B] & CMOS_B_24H)
        return enc(c, h);
    unsigned h12 = h % 12 ? h % 12 : 12;
    return (uint8_t)(enc(c, h12) | (h >= 12 ? 0x80 : 0));
}

static unsigned dec_hour(const struct cmos *c, uint8_t v)
{
    if (c->ram[CMOS_B] & CMOS_B_24H)
        return dec(c, v);
    unsigned h = dec(c, v & 0x7F) % 12;
    return (v & 0x80) ? h + 12 : h;
}

/* Seconds elapsed on the RTC since base_icount, at virtual time t. */
static uint64_t secs_at(const struct cmos *c, uint64_t t)
{
    return t >= c->base_icount ? (t - c->base_icount) / CLOCK_HZ : 0;
}

int64_t cmos_time(struct cmos *c)
{
    if (stopped(c))
        return c->base_time;
    return c->base_time + (int64_t)secs_at(c, now(c));
}

/* Writes the time registers for time t in the current format. */
static void materialize(struct cmos *c, int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t sod = t - days * 86400;
    int y;
    unsigned mo, d;
    cmos_civil_from_days(days, &y, &mo, &d);
    c->ram[CMOS_SEC] = enc(c, (unsigned)(sod % 60));
    c->ram[CMOS_MIN] = enc(c, (unsigned)(sod / 60 % 60));
    c->ram[CMOS_HOUR] = enc_hour(c, (unsigned)(sod / 3600));
    c->ram[CMOS_WDAY] = enc(c, (unsigned)((days % 7 + 7 + 4) % 7) + 1); /* 1970-01-01 was a Thursday; Sunday = 1 */
    c->ram[CMOS_MDAY] = enc(c, d);
    c->ram[CMOS_MONTH] = enc(c, mo);
    c->ram[CMOS_YEAR] = enc(c, (unsigned)(y % 100));
    c->ram[CMOS_CENTURY] = enc(c, (unsigned)(y / 100));
}

/* The time the registers hold (after the guest wrote them). */
static int64_t parse(const struct cmos *c)
{
    int y = (int)(dec(c, c->ram[CMOS_CENTURY]) * 100 + dec(c, c->ram[CMOS_YEAR]));
    unsigned mo = dec(c, c->ram[CMOS_MONTH]), d = dec(c, c->ram[CMOS_MDAY]);
    if (mo < 1 || mo > 12)
        mo = 1;
    if (d < 1 || d > 31)
        d = 1;
    int64_t days = cmos_days_from_civil(y, mo, d);
    return days * 86400 + (int64_t)dec_hour(c, c->ram[CMOS_HOUR]) * 3600 +
           (int64_t)dec(c, c->ram[CMOS_MIN]) * 60 + dec(c, c->ram[CMOS_SEC]);
}

static bool alarm_field(uint8_t alarm, uint8_t cur)
{
    return (alarm & 0xC0) == 0xC0 || alarm == cur;
}

static bool alarm_matches(struct cmos *c, int64_t t)
{
    int64_t sod = ((t % 86400) + 86400) % 86400;
    return alarm_field(c->ram[CMOS_SEC_ALARM], enc(c, (unsigned)(sod % 60))) &&
           alarm_field(c->ram[CMOS_MIN_ALARM], enc(c, (unsigned)(sod / 60 % 60))) &&
           alarm_field(c->ram[CMOS_HOUR_ALARM], enc_hour(c, (unsigned)(sod / 3600)));
}

/* 32.768 kHz cycles per periodic interrupt, 0 for none. */
static uint64_t periodic_cycles(const struct cmos *c)
{
    unsigned rs = c->ram[CMOS_A] & 15;
    if (rs == 0)
        return 0;
    if (rs <= 2)
        return 64u << rs; /* 1: 3.90625 ms, 2: 7.8125 ms */
    return 1u << (rs - 1);
}

static uint64_t cycles32k(uint64_t t) { return clock_scale(t, 32768, CLOCK_HZ); }

static void update_irq(struct cmos *c)
{
    uint8_t b = c->ram[CMOS_B], f = c->ram[CMOS_C] & 0x70;
    bool irqf = (f & b & (CMOS_C_PF | CMOS_C_AF | CMOS_C_UF)) != 0;
    c->ram[CMOS_C] = (uint8_t)(f | (irqf ? CMOS_C_IRQF : 0));
    irq_set(&c->irq, irqf);
}

/* Brings the flags of register C up to virtual time t. */
static void sync(struct cmos *c)
{
    uint64_t t = now(c), last = c->last_sync;
    if (t <= last)
        return;
    uint64_t p = periodic_cycles(c);
    if (p && !divider_reset(c) && cycles32k(t) / p > cycles32k(last) / p)
        c->ram[CMOS_C] |= CMOS_C_PF;
    if (!stopped(c)) {
        uint64_t s0 = secs_at(c, last), s1 = secs_at(c, t);
        if (s1 > s0) {
            c->ram[CMOS_C] |= CMOS_C_UF;
            uint64_t from = s1 - s0 > 86400 ? s1 - 86400 : s0 + 1;
            for (uint64_t s = from; s <= s1; s++)
                if (alarm_matches(c, c->base_time + (int64_t)s)) {
                    c->ram[CMOS_C] |= CMOS_C_AF;
                    break;
                }
        }
    }
    c->last_sync = t;
    update_irq(c);
}

/* Arms the timer for the next event that could raise IRQ8. */
static void schedule(struct cmos *c)
{
    uint8_t b = c->ram[CMOS_B];
    uint64_t next = CLOCK_NEVER, t = now(c);
    if (!(c->ram[CMOS_C] & CMOS_C_IRQF)) {
        uint64_t p = periodic_cycles(c);
        if ((b & CMOS_B_PIE) && p && !divider_reset(c)) {
            uint64_t n = (cycles32k(t) / p + 1) * p;
            next = clock_unscale(n, 32768, CLOCK_HZ);
        }
        if ((b & (CMOS_B_UIE | CMOS_B_AIE)) && !stopped(c)) {
            uint64_t s = c->base_icount + (secs_at(c, t) + 1) * CLOCK_HZ;
            if (t < c->base_icount)
                s = c->base_icount;
            if (s < next)
                next = s;
        }
    }
    clock_timer_set(&c->timer, next);
}

static void timer_cb(void *opaque, uint64_t t)
{
    (void)t;
    struct cmos *c = opaque;
    sync(c);
    schedule(c);
}

void cmos_reset(struct cmos *c)
{
    sync(c);
    /* Reset (RESET pin) clears PIE, AIE, UIE, SQWE and register C. */
    c->ram[CMOS_B] &= (uint8_t)~(CMOS_B_PIE | CMOS_B_AIE | CMOS_B_UIE | CMOS_B_SQWE);
    c->ram[CMOS_C] = 0;
    c->nmi_masked = false;
    c->index = 0;
    update_irq(c);
    schedule(c);
}

void cmos_init(struct cmos *c, struct clock *clk, struct irq_line irq8, int64_t start_time)
{
    memset(c, 0, sizeof *c);
    c->clk = clk;
    c->irq = irq8;
    clock_timer_init(clk, &c->timer, timer_cb, c, "rtc");
    c->base_time = start_time ? start_time : CMOS_DEFAULT_START;
    c->base_icount = clock_now(clk);
    c->last_sync = c->base_icount;
    c->ram[CMOS_A] = 0x26;            /* 32.768 kHz time base, 1024 Hz rate */
    c->ram[CMOS_B] = CMOS_B_24H;
    c->ram[CMOS_D] = CMOS_D_VRT;
    materialize(c, c->base_time);
    c->ram[CMOS_SEC_ALARM] = c->ram[CMOS_MIN_ALARM] = c->ram[CMOS_HOUR_ALARM] = 0;
}

void cmos_update_checksum(struct cmos *c)
{
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2D; i++)
        sum += c->ram[i];
    c->ram[0x2E] = (uint8_t)(sum >> 8);
    c->ram[0x2F] = (uint8_t)sum;
}

static bool is_time_reg(unsigned idx)
{
    return idx <= CMOS_YEAR || idx == CMOS_CENTURY;
}

static uint8_t read_reg(struct cmos *c, unsigned idx)
{
    switch (idx) {
    case CMOS_A: {
        uint8_t v = c->ram[CMOS_A] & 0x7F;
        uint64_t t = now(c);
        if (!stopped(c) && t >= c->base_icount &&
            (t - c->base_icount) % CLOCK_HZ >= CLOCK_HZ - UIP_WINDOW)
            v |= CMOS_A_UIP;
        return v;
    }
    case CMOS_C: {
        sync(c);
        uint8_t v = c->ram[CMOS_C];
        c->ram[CMOS_C] = 0; /* read to clear */
        update_irq(c);
        schedule(c);
        return v;
    }
    case CMOS_D:
        return CMOS_D_VRT;
    default:
        if (is_time_reg(idx) && idx != CMOS_SEC_ALARM && idx != CMOS_MIN_ALARM &&
            idx != CMOS_HOUR_ALARM && !stopped(c))
            materialize(c, cmos_time(c));
        return c->ram[idx];
    }
}

static void write_reg(struct cmos *c, unsigned idx, uint8_t v)
{
    switch (idx) {
    case CMOS_A: {
        sync(c);
        bool was_reset = divider_reset(c);
        int64_t tm = cmos_time(c);
        c->ram[CMOS_A] = v & 0x7F;
        if (!was_reset && divider_reset(c)) {
            c->base_time = tm; /* frozen */
        } else if (was_reset && !divider_reset(c) && !set_mode(c)) {
            /* Leaving divider reset: the first update comes 500 ms later. */
            uint64_t t = now(c);
            c->base_time = tm;
            c->base_icount = t >= CLOCK_HZ / 2 ? t - CLOCK_HZ / 2 : 0;
            c->last_sync = t;
        }
        break;
    }
    case CMOS_B: {
        sync(c);
        bool was_set = set_mode(c), will_set = (v & CMOS_B_SET) != 0;
        /* The current time, read in the old format. */
        int64_t tm = was_set ? parse(c) : cmos_time(c);
        if (!was_set && divider_reset(c))
            tm = c->base_time;
        if (will_set)
            v &= (uint8_t)~CMOS_B_UIE; /* datasheet: SET clears UIE */
        c->ram[CMOS_B] = v;
        if (will_set) {
            c->base_time = tm; /* frozen */
        } else if (was_set) {
            c->base_time = tm; /* restart from what the guest wrote */
            c->base_icount = now(c);
            c->last_sync = c->base_icount;
        }
        materialize(c, tm); /* in the new format */
        update_irq(c);
        break;
    }
    case CMOS_C:
    case CMOS_D:
        break; /* read-only */
    default:
        c->ram[idx] = v;
        if (is_time_reg(idx) && idx != CMOS_SEC_ALARM && idx != CMOS_MIN_ALARM &&
            idx != CMOS_HOUR_ALARM) {
            sync(c);
            if (!stopped(c)) {
                /* Writing a running clock: the other registers keep
                 * their current values; the second phase continues. */
                uint8_t keep = c->ram[idx];
                int64_t t = cmos_time(c);
                uint64_t phase = (now(c) - c->base_icount) % CLOCK_HZ;
                materialize(c, t);
                c->ram[idx] = keep;
                c->base_time = parse(c);
                c->base_icount = now(c) - phase;
            } else {
                c->base_time = parse(c);
            }
        }
        break;
    }
    schedule(c);
}

uint8_t cmos_read(struct cmos *c, uint16_t port)
{
    if ((port & 1) == 0)
        return 0xFF; /* the index register is write-only */
    return read_reg(c, c->index);
}

void cmos_write(struct cmos *c, uint16_t port, uint8_t v)
{
    if ((port & 1) == 0) {
        c->index = v & 0x7F;
        c->nmi_masked = (v & 0x80) != 0;
        return;
    }
    write_reg(c, c->index, v);
}

static uint32_t io_read(void *opaque, uint32_t port, unsigned size)
{
    (void)size;
    return cmos_read(opaque, (uint16_t)port);
}

static void io_write(void *opaque, uint32_t port, uint32_t v, unsigned size)
{
    (void)size;
    cmos_write(opaque, (uint16_t)port, (uint8_t)v);
}

void cmos_register_io(struct cmos *c, struct bus *b)
{
    bus_register_io(b, 0x70, 2, io_read, io_write, c, BUS_SIZE8);
}

/* Motorola MC146818 real-time clock with its battery-backed NVRAM, as on
 * the PC/AT: index port 0x70 (bit 7 masks NMI), data port 0x71, 128 bytes,
 * IRQ8 for the periodic, alarm and update-ended interrupts.
 *
 * The clock counts virtual time from a start time given by the machine's
 * config (a frontend passes the host's time, tests a fixed one), so a
 * guest sees the same dates on every run with the same start time.
 */
#ifndef PCVM_CMOS_H
#define PCVM_CMOS_H

#include <stdbool.h>
#include <stdint.h>

#include "../bus/bus.h"
#include "../bus/clock.h"
#include "../bus/irq.h"

/* Register indexes. */
enum {
    CMOS_SEC = 0x00, CMOS_SEC_ALARM = 0x01, CMOS_MIN = 0x02, CMOS_MIN_ALARM = 0x03,
    CMOS_HOUR = 0x04, CMOS_HOUR_ALARM = 0x05, CMOS_WDAY = 0x06, CMOS_MDAY = 0x07,
    CMOS_MONTH = 0x08, CMOS_YEAR = 0x09, CMOS_A = 0x0A, CMOS_B = 0x0B,
    CMOS_C = 0x0C, CMOS_D = 0x0D, CMOS_CENTURY = 0x32,
};
/* Register bits. */
enum {
    CMOS_A_UIP = 0x80,
    CMOS_B_SET = 0x80, CMOS_B_PIE = 0x40, CMOS_B_AIE = 0x20, CMOS_B_UIE = 0x10,
    CMOS_B_SQWE = 0x08, CMOS_B_DM = 0x04, CMOS_B_24H = 0x02, CMOS_B_DSE = 0x01,
    CMOS_C_IRQF = 0x80, CMOS_C_PF = 0x40, CMOS_C_AF = 0x20, CMOS_C_UF = 0x10,
    CMOS_D_VRT = 0x80,
};

#define CMOS_DEFAULT_START 946684800  /* 2000-01-01 00:00:00 UTC */

struct cmos {
    uint8_t ram[128];
    uint8_t index;
    bool nmi_masked;           /* port 0x70 bit 7 */
    struct clock *clk;
    struct clock_timer timer;
    struct irq_line irq;
    int64_t base_time;         /* seconds since 1970 at virtual time base_icount */
    uint64_t base_icount;
    uint64_t last_sync;        /* flags are up to date until here */
};

void cmos_init(struct cmos *c, struct clock *clk, struct irq_line irq8, int64_t start_time);
/* Power-on state of the RTC registers (NVRAM bytes are kept). */
void cmos_reset(struct cmos *c);
void cmos_register_io(struct cmos *c, struct bus *b);

uint8_t cmos_read(struct cmos *c, uint16_t port);
void cmos_write(struct cmos *c, uint16_t port, uint8_t v);

/* NVRAM access for the machine (no side effects). */
static inline void cmos_set(struct cmos *c, unsigned idx, uint8_t v) { c->ram[idx & 127] = v; }
static inline uint8_t cmos_get(const struct cmos *c, unsigned idx) { return c->ram[idx & 127]; }
/* The AT checksum of bytes 0x10-0x2D, stored big-endian at 0x2E-0x2F. */
void cmos_update_checksum(struct cmos *c);

/* The RTC's current time in seconds since 1970 (UTC, no time zones). */
int64_t cmos_time(struct cmos *c);

/* Calendar helpers (proleptic Gregorian). */
int64_t cmos_days_from_civil(int y, unsigned m, unsigned d);
void cmos_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);

#endif

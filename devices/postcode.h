/* A POST-code port: remembers the last byte written and how many were
 * written.  PC firmware reports its progress this way (port 0x80 on most
 * boards; test386.asm uses 0x190 by default), and pcvm's -post option prints
 * the last code at exit.  Reads return 0xFF (nothing to read back). */
#ifndef PCVM_POSTCODE_H
#define PCVM_POSTCODE_H

#include <stdint.h>

struct bus;

struct postcode {
    uint16_t port;
    uint8_t last;            /* last byte written (0 when none) */
    uint64_t writes;         /* number of writes */
};

/* Claims `port` (one byte wide) on the bus. */
void postcode_init(struct postcode *p, struct bus *b, uint16_t port);

#endif

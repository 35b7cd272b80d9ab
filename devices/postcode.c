#include "postcode.h"

#include "../bus/bus.h"

static uint32_t postcode_read(void *opaque, uint32_t addr, unsigned size)
{
    (void)opaque;
    (void)addr;
    (void)size;
    return 0xFF;
}

static void postcode_write(void *opaque, uint32_t addr, uint32_t val, unsigned size)
{
    struct postcode *p = opaque;
    (void)addr;
    (void)size;
    p->last = (uint8_t)val;
    p->writes++;
}

void postcode_init(struct postcode *p, struct bus *b, uint16_t port)
{
    p->port = port;
    p->last = 0;
    p->writes = 0;
    /* Byte-wide: OUT DX,AX puts AL here (and AH on the next port). */
    bus_register_io(b, port, 1, postcode_read, postcode_write, p, BUS_SIZE8);
}

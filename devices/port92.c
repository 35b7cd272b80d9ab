#include "port92.h"

#include "../bus/bus.h"
#include "../cpu/cpu.h"
#include "../mmu/paging.h"

static uint32_t port92_read(void *opaque, uint32_t addr, unsigned size)
{
    struct port92 *p = opaque;
    (void)addr;
    (void)size;
    return (p->value & ~2u) | (a20_enabled(p->cpu) ? 2u : 0u);
}

static void port92_write(void *opaque, uint32_t addr, uint32_t val, unsigned size)
{
    struct port92 *p = opaque;
    (void)addr;
    (void)size;
    uint8_t old = p->value;
    p->value = (uint8_t)val;
    a20_set(p->cpu, (val & 2u) != 0);
    /* Only the rising edge of bit 0 resets: software must write 0 to the
     * bit before it can reset again (PIIX3 datasheet, Port 92h bit 0). */
    if ((val & 1u) && !(old & 1u) && p->reset)
        p->reset(p->reset_opaque);
}

void port92_init(struct port92 *p, struct bus *b, struct cpu *cpu,
                 void (*reset)(void *opaque), void *reset_opaque)
{
    p->cpu = cpu;
    p->reset = reset;
    p->reset_opaque = reset_opaque;
    p->value = 0;
    bus_register_io(b, PORT92_PORT, 1, port92_read, port92_write, p, BUS_SIZE8);
}

void port92_reset(struct port92 *p)
{
    p->value = 0;
}

/* The PC chipset wiring: the virtual clock, the 8259 pair on the CPU's
 * INTR, the 8254 on IRQ0, ...  Every device gets its ports and lines
 * here, so this file is the machine's "motherboard".
 *
 * ISA IRQ assignment (the PC/AT's): 0 PIT, 1 keyboard, 2 cascade, 3 COM2/4,
 * 4 COM1/3, 6 floppy, 8 RTC, 12 PS/2 mouse, 13 FPU, 14/15 IDE.
 */
#include "pcdevices.h"

#include <stdio.h>
#include <string.h>

#include "machine.h"

/* The PIC's INT output: the CPU looks for an interrupt at the next
 * instruction boundary. */
static void pic_int_changed(void *opaque, bool level)
{
    struct machine *m = opaque;
    if (level)
        cpu_irq_notify(&m->cpu);
}

static bool cpu_int_pending(void *opaque)
{
    struct machine *m = opaque;
    return pic_has_int(&m->pic);
}

static int cpu_int_ack(void *opaque)
{
    struct machine *m = opaque;
    return pic_intack(&m->pic);
}

/* A device moved a deadline earlier while the CPU runs: stop it after the
 * current instruction so the machine can shorten the run. */
static void clock_kick(void *opaque)
{
    struct machine *m = opaque;
    if (m->in_cpu) {
        m->kicked = true;
        cpu_request_stop(&m->cpu);
    }
}

bool machine_devices_init(struct machine *m, const struct machine_config *cfg,
                          char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    clock_init(&m->clock, &m->cpu.icount);
    m->clock.kick = clock_kick;
    m->clock.kick_opaque = m;
    m->pace = cfg->pace && cfg->host_now_ns && cfg->host_sleep_ns;
    m->host_now_ns = cfg->host_now_ns;
    m->host_sleep_ns = cfg->host_sleep_ns;
    m->host_opaque = cfg->host_opaque;
    if (m->pace) {
        m->pace_host0 = m->host_now_ns(m->host_opaque);
        m->pace_virt0 = 0;
    }

    pic_init(&m->pic, pic_int_changed, m);
    pic_register_io(&m->pic, &m->bus);
    m->cpu.irq_opaque = m;
    m->cpu.irq_pending = cpu_int_pending;
    m->cpu.irq_ack = cpu_int_ack;

    pit_init(&m->pit, &m->clock, pic_irq_line(&m->pic, 0));
    pit_register_io(&m->pit, &m->bus);
    return true;
}

void machine_devices_reset(struct machine *m)
{
    pic_reset(&m->pic);
    pit_reset(&m->pit);
}

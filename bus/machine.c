/* Machine assembly: RAM, firmware mapping, devices, and the run loop that
 * turns the CPU's run_status into a machine exit. */
#include "machine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* snprintf only formats into a buffer: no OS call. */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

bool machine_bios_size_ok(size_t size)
{
    return size == (64u << 10) || size == (128u << 10) || size == (256u << 10);
}

/* The BIOS image appears twice, as on a PC:
 *   - whole, ending at the top of the CPU's address space (0xFFFFFFFF, or
 *     0xFFFFFF on a 286 with its 24 address lines), where the reset
 *     vector F000:FFF0 with CS base FFFF0000 (FF0000) fetches;
 *   - its last 128 KiB at most, ending at 0xFFFFF (the top of the first
 *     MiB), where real-mode code after the first far jump runs.  A 64 KiB
 *     image fills F0000-FFFFF; 128 and 256 KiB images fill E0000-FFFFF
 *     (QEMU does the same with the "isa-bios" alias).
 * The 8086/80186 have 20 address lines, so only the second copy exists. */
static bool map_bios(struct machine *m, char *err, size_t errlen)
{
    uint32_t size = (uint32_t)m->bios_size;
    uint32_t low = size < (128u << 10) ? size : (128u << 10);
    uint32_t bits = m->cpu.model->addr_bits;
    if (!bus_map_rom(&m->bus, 0x100000u - low, low, m->bios + (size - low), "bios-low")) {
        set_err(err, errlen, "cannot map the BIOS below 1 MiB");
        return false;
    }
    if (bits > 20) {
        uint32_t top = bits >= 32 ? 0u - size : (1u << bits) - size;
        if (!bus_map_rom(&m->bus, top, size, m->bios, "bios")) {
            set_err(err, errlen, "cannot map the BIOS at the top of memory");
            return false;
        }
    }
    return true;
}

struct machine *machine_create(const struct machine_config *cfg, char *err,
                               size_t errlen)
{
    const char *model_name = cfg->cpu_model ? cfg->cpu_model : MACHINE_DEFAULT_CPU;
    const struct cpu_model *model = cpu_model_find(model_name);
    if (!model) {
        set_err(err, errlen, "unknown CPU model '%s' (known: %s)", model_name,
                cpu_model_names());
        return NULL;
    }
    uint64_t ram = cfg->ram_bytes ? cfg->ram_bytes : (uint64_t)MACHINE_DEFAULT_RAM_MIB << 20;
    if (ram < MACHINE_MIN_RAM || ram > MACHINE_MAX_RAM || ram % 4096) {
        set_err(err, errlen, "RAM size %llu bytes: must be a multiple of 4 KiB "
                "between 1 MiB and 2048 MiB", (unsigned long long)ram);
        return NULL;
    }
    if (!cfg->bios || !machine_bios_size_ok(cfg->bios_size)) {
        set_err(err, errlen, "BIOS image of %zu bytes: a BIOS image must be "
                "64, 128 or 256 KiB", cfg->bios ? cfg->bios_size : (size_t)0);
        return NULL;
    }
    uint16_t iosize = cfg->debugexit_iosize ? cfg->debugexit_iosize
                                            : (uint16_t)MACHINE_DEBUGEXIT_IOSIZE;
    if (cfg->debugexit_iobase && (uint32_t)cfg->debugexit_iobase + iosize > 0x10000u) {
        set_err(err, errlen, "isa-debug-exit ports 0x%x+%u run past 0xffff",
                (unsigned)cfg->debugexit_iobase, (unsigned)iosize);
        return NULL;
    }

    struct machine *m = calloc(1, sizeof *m);
    if (!m) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    m->bios = malloc(cfg->bios_size);
    if (!m->bios || !bus_init(&m->bus, (uint32_t)ram)) {
        free(m->bios);
        free(m);
        set_err(err, errlen, "out of memory for %llu MiB of RAM",
                (unsigned long long)(ram >> 20));
        return NULL;
    }
    if (!blockcache_init(&m->bc, (uint32_t)ram)) {
        bus_free(&m->bus);
        free(m->bios);
        free(m);
        set_err(err, errlen, "out of memory for the block cache");
        return NULL;
    }
    memcpy(m->bios, cfg->bios, cfg->bios_size);
    m->bios_size = cfg->bios_size;
    m->max_insns = cfg->max_insns;
    m->no_reboot = cfg->no_reboot;

    cpu_init(&m->cpu, model, &m->bus, &m->bc);
    if (!map_bios(m, err, errlen)) {
        machine_free(m);
        return NULL;
    }
    if (cfg->debugcon) {
        debugcon_init(&m->debugcon, &m->bus,
                      cfg->debugcon_port ? cfg->debugcon_port : MACHINE_DEBUGCON_PORT, cfg->debugcon,
                      cfg->debugcon_opaque);
        m->has_debugcon = true;
    }
    postcode_init(&m->postcode, &m->bus, MACHINE_POST_PORT);
    if (cfg->debugexit_iobase) {
        debugexit_init(&m->debugexit, &m->bus, &m->cpu, cfg->debugexit_iobase, iosize);
        m->has_debugexit = true;
    }
    if (!machine_devices_init(m, cfg, err, errlen)) { /* bus/pcdevices.c */
        machine_free(m);
        return NULL;
    }
    cpu_reset(&m->cpu); /* the map is complete: start from a clean TLB */
    m->exit = MACHINE_RUNNING;
    return m;
}

void machine_free(struct machine *m)
{
    if (!m)
        return;
    machine_devices_free(m);
    blockcache_free(&m->bc);
    bus_free(&m->bus);
    free(m->bios);
    free(m);
}

static enum machine_exit finish(struct machine *m, enum machine_exit e)
{
    m->exit = e;
    return e;
}

void machine_request_reset(struct machine *m)
{
    m->reset_requested = true;
    if (m->in_cpu)
        cpu_request_stop(&m->cpu);
}

void machine_request_poweroff(struct machine *m)
{
    m->poweroff_requested = true;
    if (m->in_cpu)
        cpu_request_stop(&m->cpu);
}

void machine_resume(struct machine *m)
{
    if (m->exit == MACHINE_EXIT_HALTED)
        m->exit = MACHINE_RUNNING;
}

void machine_reset(struct machine *m)
{
    m->reset_requested = false;
    m->resets++;
    cpu_reset(&m->cpu);
    machine_devices_reset(m);
}

/* Pacing: sleep while virtual time is ahead of host time. */
static void pace(struct machine *m)
{
    uint64_t virt = clock_ns(m->cpu.icount) - m->pace_virt0;
    uint64_t host = m->host_now_ns(m->host_opaque) - m->pace_host0;
    if (virt > host + 2000000u) /* more than 2 ms ahead */
        m->host_sleep_ns(m->host_opaque, virt - host);
    else if (host > virt + 200000000u) { /* 200 ms behind: do not try to catch up */
        m->pace_host0 = m->host_now_ns(m->host_opaque);
        m->pace_virt0 = clock_ns(m->cpu.icount);
    }
}

/* Moves virtual time forward to `t` while the CPU is halted. */
static void idle_until(struct machine *m, uint64_t t)
{
    if (t > m->cpu.icount) {
        m->idle += t - m->cpu.icount;
        m->cpu.icount = t;
    }
}

enum machine_exit machine_run_slice(struct machine *m, uint64_t n)
{
    if (m->exit != MACHINE_RUNNING)
        return m->exit; /* an exit is final */
    while (n > 0) {
        if (m->poweroff_requested)
            return finish(m, MACHINE_EXIT_POWEROFF);
        if (m->reset_requested)
            machine_reset(m);
        clock_run_due(&m->clock);
        if (m->has_debugexit && m->debugexit.requested) {
            m->exit_code = (int)debugexit_status(&m->debugexit);
            return finish(m, MACHINE_EXIT_DEBUG);
        }
        if (m->pace)
            pace(m);
        uint64_t chunk = n < MACHINE_SLICE ? n : MACHINE_SLICE;
        if (m->max_insns) {
            if (m->cpu.icount >= m->max_insns)
                return finish(m, MACHINE_EXIT_LIMIT);
            uint64_t left = m->max_insns - m->cpu.icount;
            if (chunk > left)
                chunk = left;
        }
        uint64_t deadline = clock_next_deadline(&m->clock);
        if (deadline - m->cpu.icount < chunk)
            chunk = deadline - m->cpu.icount; /* run exactly up to the next timer */
        if (chunk == 0)
            chunk = 1;
        uint64_t before = m->cpu.icount;
        m->in_cpu = true;
        enum run_status st = cpu_run(&m->cpu, chunk);
        m->in_cpu = false;
        uint64_t done = m->cpu.icount - before;
        n -= done < n ? done : n;
        if (m->has_debugexit && m->debugexit.requested) {
            m->exit_code = (int)debugexit_status(&m->debugexit);
            return finish(m, MACHINE_EXIT_DEBUG);
        }
        switch (st) {
        case RUN_LIMIT:
            break;
        case RUN_STOP:
            /* Our own stop (a timer deadline moved earlier, a reset
             * request) or someone else's (a debugger): the stop bit does
             * not say whose, so hand control back either way; the caller
             * (machine_run, the debugger) calls again and the timers and
             * the reset are handled at the top of that call. */
            m->kicked = false;
            return MACHINE_RUNNING;
        case RUN_DEAD:
            return finish(m, MACHINE_EXIT_DEAD);
        case RUN_HALTED: {
            /* Waiting for an interrupt: time jumps to the next timer. */
            uint64_t next = clock_next_deadline(&m->clock);
            if (next == CLOCK_NEVER)
                return finish(m, MACHINE_EXIT_HALTED);
            uint64_t target = next;
            if (m->max_insns && target > m->max_insns)
                target = m->max_insns;
            if (target - m->cpu.icount > n) {
                idle_until(m, m->cpu.icount + n);
                n = 0;
            } else {
                n -= target - m->cpu.icount;
                idle_until(m, target);
            }
            break;
        }
        case RUN_SHUTDOWN:
            /* A triple fault puts the CPU in shutdown; the PC's chipset
             * turns that into a reset (SDM Vol. 3 6.15, "interrupt 8"). */
            if (m->no_reboot)
                return finish(m, MACHINE_EXIT_SHUTDOWN);
            machine_reset(m);
            break;
        }
        if (m->max_insns && m->cpu.icount >= m->max_insns)
            return finish(m, MACHINE_EXIT_LIMIT);
    }
    return MACHINE_RUNNING;
}

enum machine_exit machine_run(struct machine *m)
{
    enum machine_exit e;
    do
        e = machine_run_slice(m, MACHINE_SLICE);
    while (e == MACHINE_RUNNING);
    return e;
}

const char *machine_exit_name(enum machine_exit e)
{
    switch (e) {
    case MACHINE_RUNNING: return "running";
    case MACHINE_EXIT_DEBUG: return "guest wrote to isa-debug-exit";
    case MACHINE_EXIT_DEAD: return "guest halted with interrupts disabled";
    case MACHINE_EXIT_HALTED: return "guest halted, waiting for interrupts that no device can raise";
    case MACHINE_EXIT_SHUTDOWN: return "triple fault: the CPU shut down";
    case MACHINE_EXIT_LIMIT: return "instruction limit reached";
    case MACHINE_EXIT_POWEROFF: return "guest powered the machine off";
    }
    return "?";
}

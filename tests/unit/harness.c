#include "harness.h"

#include <stdlib.h>
#include <string.h>

struct harness *harness_new(const char *model, uint32_t ram)
{
    const struct cpu_model *m = cpu_model_find(model);
    if (!m)
        return NULL;
    struct harness *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    if (!bus_init(&h->bus, ram) || !blockcache_init(&h->bc, ram)) {
        free(h);
        return NULL;
    }
    cpu_init(&h->cpu, m, &h->bus, &h->bc);
    for (int s = 0; s < S_NSEG; s++)
        cpu_load_seg_real(&h->cpu, s, 0);
    h->cpu.seg[S_CS].base = 0;
    cpu_seg_update_fast(&h->cpu, &h->cpu.seg[S_CS]);
    h->cpu.eip = 0;
    return h;
}

void harness_free(struct harness *h)
{
    if (!h)
        return;
    blockcache_free(&h->bc);
    bus_free(&h->bus);
    free(h);
}

void harness_flat32(struct harness *h)
{
    struct cpu *c = &h->cpu;
    c->cr[0] |= CR0_PE;
    for (int s = 0; s < S_NSEG; s++) {
        struct seg *sg = &c->seg[s];
        sg->sel = s == S_CS ? 0x08 : 0x10;
        sg->base = 0;
        sg->limit = 0xFFFFFFFFu;
        sg->ar = s == S_CS ? 0xC09B : 0xC093;
        cpu_seg_update_fast(c, sg);
    }
    c->attention |= ATT_MODE;
}

void harness_load(struct harness *h, uint32_t phys, const void *bytes, size_t n)
{
    const uint8_t *p = bytes;
    for (size_t k = 0; k < n; k++)
        bus_write(&h->bus, phys + (uint32_t)k, p[k], 1);
}

void harness_real_stubs(struct harness *h, uint32_t stub)
{
    for (uint32_t v = 0; v < 32; v++) {
        bus_write(&h->bus, v * 4, stub + 2 * v, 2);      /* offset */
        bus_write(&h->bus, v * 4 + 2, 0, 2);             /* segment */
        bus_write(&h->bus, stub + 2 * v, 0xF4, 1);       /* HLT */
    }
}

int harness_stub_vector(const struct harness *h, uint32_t stub)
{
    const struct cpu *c = &h->cpu;
    if (c->seg[S_CS].sel == 0 && c->eip > stub && c->eip <= stub + 64 && (c->eip - stub) % 2 == 1)
        return (int)(c->eip - stub - 1) / 2;
    return -1;
}

enum run_status harness_run(struct harness *h, uint32_t eip, uint64_t max)
{
    h->cpu.eip = eip;
    h->cpu.halted = false;
    return cpu_run(&h->cpu, max);
}

/* Device views: `info pic`, `info pit`, `info irq`, read from the chips'
 * state in struct machine (devices/pic8259.h, devices/pit8254.h). */
#include "dbg.h"

static void mask_list(FILE *f, uint8_t bits, int first)
{
    bool any = false;
    for (int k = 0; k < 8; k++)
        if (bits & (1u << k)) {
            fprintf(f, "%sIRQ%d", any ? " " : "", first + k);
            any = true;
        }
    if (!any)
        fputs("none", f);
}

void dbg_view_pic(struct dbg *d, FILE *f)
{
    const struct pic8259 *p = &d->m->pic;
    for (int k = 0; k < 2; k++) {
        const struct pic_chip *c = &p->chip[k];
        fprintf(f, "%s PIC (ports 0x%02x/0x%02x): vectors 0x%02x-0x%02x, IMR=%02x IRR=%02x "
                "ISR=%02x ELCR=%02x%s%s\n", k ? "slave " : "master", k ? 0xA0 : 0x20,
                k ? 0xA1 : 0x21, c->base, c->base + 7, c->imr, c->irr, c->isr, c->elcr,
                c->init_step ? " (initialisation in progress)" : "",
                c->auto_eoi ? ", auto-EOI" : "");
        fprintf(f, "  masked: ");
        mask_list(f, c->imr, 8 * k);
        fprintf(f, "\n  requested: ");
        mask_list(f, c->irr, 8 * k);
        fprintf(f, "\n  in service: ");
        mask_list(f, c->isr, 8 * k);
        fputc('\n', f);
    }
    fprintf(f, "INT output to the CPU: %s; CPU IF=%u\n", p->int_out ? "high" : "low",
            (cpu_get_eflags(&d->m->cpu) & F_IF) != 0);
}

void dbg_view_irq(struct dbg *d, FILE *f)
{
    const struct pic8259 *p = &d->m->pic;
    fprintf(f, "IRQ line IRR ISR masked trigger vector\n");
    for (int irq = 0; irq < 16; irq++) {
        const struct pic_chip *c = &p->chip[irq >> 3];
        unsigned b = 1u << (irq & 7);
        fprintf(f, "%3d   %u    %u   %u   %-6s %-7s 0x%02x%s\n", irq, (c->lines & b) != 0,
                (c->irr & b) != 0, (c->isr & b) != 0, (c->imr & b) ? "yes" : "no",
                (c->elcr & b) ? "level" : "edge", c->base + (irq & 7),
                irq == 2 ? "  (cascade from the slave)" : "");
    }
    fprintf(f, "pending for the CPU: %s\n", p->int_out ? "yes" : "no");
}

void dbg_view_pit(struct dbg *d, FILE *f)
{
    struct pit8254 *p = &d->m->pit;
    static const char *const modes[6] = {
        "interrupt on terminal count", "hardware one-shot", "rate generator",
        "square wave", "software strobe", "hardware strobe" };
    static const char *const use[3] = { "IRQ0 timer", "DRAM refresh", "speaker" };
    for (int k = 0; k < 3; k++) {
        const struct pit_channel *c = &p->ch[k];
        fprintf(f, "channel %d (%s): mode %u (%s), %s, access %s, ", k, use[k], c->mode,
                modes[c->mode % 6], c->bcd ? "BCD" : "binary",
                c->rw == 1 ? "lsb" : c->rw == 2 ? "msb" : "lsb then msb");
        if (!c->has_count && c->count_reg == 0) {
            fprintf(f, "no count written, gate %u\n", c->gate);
            continue;
        }
        uint32_t reload = c->count_reg;
        fprintf(f, "reload %u (%.2f Hz), counter now %u, out %u, gate %u\n", reload,
                reload ? 1193182.0 / reload : 0.0, pit_counter(p, k), pit_out(p, k), c->gate);
    }
    fprintf(f, "port 0x61: %02x (speaker gate %u, data %u)\n", p->port61, p->port61 & 1,
            (p->port61 >> 1) & 1);
}

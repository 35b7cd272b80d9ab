/* The 8259A pair (devices/pic8259.c) against the Intel 8259A datasheet:
 * initialization, priorities and nesting, EOI kinds, rotation, masks,
 * special mask mode, poll, auto-EOI, cascade, edge/level (ELCR), the
 * default IR7 on a withdrawn request, IRR/ISR reads. */
#include <criterion/criterion.h>

#include "devices/pic8259.h"

static int int_level;
static unsigned int_rises;

static void on_int(void *opaque, bool level)
{
    (void)opaque;
    if (level && !int_level)
        int_rises++;
    int_level = level;
}

/* The BIOS's programming: master 08h, slave 70h, 8086 mode, optional AEOI. */
static void setup(struct pic8259 *p, uint8_t icw4)
{
    int_level = 0;
    int_rises = 0;
    pic_init(p, on_int, NULL);
    pic_write(p, 0x20, 0x11);
    pic_write(p, 0x21, 0x08);
    pic_write(p, 0x21, 0x04);
    pic_write(p, 0x21, icw4);
    pic_write(p, 0xA0, 0x11);
    pic_write(p, 0xA1, 0x70);
    pic_write(p, 0xA1, 0x02);
    pic_write(p, 0xA1, icw4);
    pic_write(p, 0x21, 0x00);
    pic_write(p, 0xA1, 0x00);
}

static uint8_t isr(struct pic8259 *p, uint16_t port)
{
    pic_write(p, port, 0x0B);
    return pic_read(p, port);
}

static uint8_t irr(struct pic8259 *p, uint16_t port)
{
    pic_write(p, port, 0x0A);
    return pic_read(p, port);
}

Test(pic, irq0_vector_and_isr)
{
    struct pic8259 p;
    setup(&p, 0x01);
    cr_assert(!pic_has_int(&p));
    pic_set_irq(&p, 0, 1);
    cr_assert(pic_has_int(&p));
    cr_assert_eq(int_level, 1);
    cr_assert_eq(pic_intack(&p), 0x08);
    cr_assert_eq(isr(&p, 0x20), 0x01);
    cr_assert_eq(irr(&p, 0x20), 0x00, "INTA clears the edge request");
    cr_assert(!pic_has_int(&p));
    pic_write(&p, 0x20, 0x20); /* non-specific EOI */
    cr_assert_eq(isr(&p, 0x20), 0x00);
    cr_assert(!pic_has_int(&p), "an edge request is served once");
}

/* A timer's periodic pulses while the CPU does not acknowledge (IF=0):
 * the edge-triggered IRR holds one request however many edges come, so
 * the ticks in between are lost (8259A datasheet: the IR must stay high
 * until the first INTA; each rising edge sets the same IRR bit). */
Test(pic, repeated_edges_before_inta_give_one_interrupt)
{
    struct pic8259 p;
    setup(&p, 0x01);
    for (int i = 0; i < 3; i++) {
        pic_set_irq(&p, 0, 0);
        pic_set_irq(&p, 0, 1); /* mode 2: one clock low, then high */
    }
    cr_assert_eq(irr(&p, 0x20), 0x01);
    cr_assert_eq(pic_intack(&p), 0x08);
    pic_write(&p, 0x20, 0x20);
    cr_assert(!pic_has_int(&p), "three edges, one interrupt");
    pic_set_irq(&p, 0, 0);
    pic_set_irq(&p, 0, 1);
    cr_assert(pic_has_int(&p), "the next edge after the INTA is a new request");
}

Test(pic, fixed_priority_and_nesting)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_set_irq(&p, 3, 1);
    pic_set_irq(&p, 1, 1);
    cr_assert_eq(irr(&p, 0x20), 0x0A);
    cr_assert_eq(pic_intack(&p), 0x09, "IR1 has priority over IR3");
    cr_assert(!pic_has_int(&p), "IR3 waits while IR1 is in service");
    pic_set_irq(&p, 0, 1);
    cr_assert(pic_has_int(&p), "IR0 nests above IR1");
    cr_assert_eq(pic_intack(&p), 0x08);
    cr_assert_eq(isr(&p, 0x20), 0x03);
    pic_write(&p, 0x20, 0x20); /* clears IR0, the highest in service */
    cr_assert_eq(isr(&p, 0x20), 0x02);
    cr_assert(!pic_has_int(&p));
    pic_write(&p, 0x20, 0x20);
    cr_assert(pic_has_int(&p));
    cr_assert_eq(pic_intack(&p), 0x0B);
}

Test(pic, specific_eoi)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_set_irq(&p, 5, 1);
    cr_assert_eq(pic_intack(&p), 0x0D);
    pic_set_irq(&p, 4, 1);
    cr_assert_eq(pic_intack(&p), 0x0C);
    cr_assert_eq(isr(&p, 0x20), 0x30);
    pic_write(&p, 0x20, 0x65); /* specific EOI for IR5 */
    cr_assert_eq(isr(&p, 0x20), 0x10);
}

Test(pic, imr_masks_and_reads_back)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_write(&p, 0x21, 0x40);
    cr_assert_eq(pic_read(&p, 0x21), 0x40);
    pic_set_irq(&p, 6, 1);
    cr_assert(!pic_has_int(&p));
    cr_assert_eq(irr(&p, 0x20), 0x40, "a masked request still shows in IRR");
    pic_write(&p, 0x21, 0x00);
    cr_assert(pic_has_int(&p));
    cr_assert_eq(pic_intack(&p), 0x0E);
}

Test(pic, cascade_through_ir2)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_set_irq(&p, 8, 1);
    cr_assert(pic_has_int(&p));
    cr_assert_eq(pic_intack(&p), 0x70);
    cr_assert_eq(isr(&p, 0x20), 0x04, "the master has IR2 in service");
    cr_assert_eq(isr(&p, 0xA0), 0x01);
    pic_set_irq(&p, 12, 1); /* lower priority on the slave: waits */
    cr_assert(!pic_has_int(&p));
    pic_write(&p, 0xA0, 0x20);
    cr_assert(!pic_has_int(&p), "the master's IR2 is still in service");
    pic_write(&p, 0x20, 0x20);
    cr_assert(pic_has_int(&p));
    cr_assert_eq(pic_intack(&p), 0x74);
    /* masking IR2 on the master masks the whole slave */
    pic_write(&p, 0xA0, 0x20);
    pic_write(&p, 0x20, 0x20);
    pic_write(&p, 0x21, 0x04);
    pic_set_irq(&p, 9, 1);
    cr_assert(!pic_has_int(&p));
}

Test(pic, slave_priority_sits_at_ir2)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_set_irq(&p, 3, 1);
    pic_set_irq(&p, 15, 1);
    cr_assert_eq(pic_intack(&p), 0x77, "IRQ15 (on IR2) beats IRQ3");
    pic_set_irq(&p, 1, 1);
    cr_assert_eq(pic_intack(&p), 0x09, "IRQ1 beats the slave in service");
}

Test(pic, elcr_level_mode)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_write(&p, 0x4D0, 0xFF);
    cr_assert_eq(pic_read(&p, 0x4D0), 0xF8, "IRQ0-2 cannot be level triggered");
    pic_write(&p, 0x4D1, 0xFF);
    cr_assert_eq(pic_read(&p, 0x4D1), 0xDE, "IRQ8 and IRQ13 cannot be level triggered");
    pic_set_irq(&p, 10, 1);
    cr_assert_eq(pic_intack(&p), 0x72);
    pic_write(&p, 0xA0, 0x20);
    pic_write(&p, 0x20, 0x20);
    cr_assert(pic_has_int(&p), "a level request that stays high comes back after EOI");
    cr_assert_eq(pic_intack(&p), 0x72);
    pic_set_irq(&p, 10, 0);
    pic_write(&p, 0xA0, 0x20);
    pic_write(&p, 0x20, 0x20);
    cr_assert(!pic_has_int(&p));
    /* edge mode: a line held high gives one interrupt */
    pic_write(&p, 0x4D0, 0x00);
    pic_set_irq(&p, 5, 1);
    cr_assert_eq(pic_intack(&p), 0x0D);
    pic_write(&p, 0x20, 0x20);
    cr_assert(!pic_has_int(&p));
}

Test(pic, ltim_in_icw1_is_level_mode)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_write(&p, 0x20, 0x19); /* ICW1 with LTIM */
    pic_write(&p, 0x21, 0x08);
    pic_write(&p, 0x21, 0x04);
    pic_write(&p, 0x21, 0x01);
    pic_set_irq(&p, 4, 1);
    cr_assert_eq(pic_intack(&p), 0x0C);
    pic_write(&p, 0x20, 0x20);
    cr_assert(pic_has_int(&p));
}

Test(pic, withdrawn_request_gives_default_ir7)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_set_irq(&p, 5, 1);
    cr_assert(pic_has_int(&p));
    pic_set_irq(&p, 5, 0);
    cr_assert_eq(pic_intack(&p), 0x0F, "spurious: IR7's vector");
    cr_assert_eq(isr(&p, 0x20), 0x00, "no ISR bit for a spurious IR7");
    cr_assert_eq(p.spurious, 1);
}

Test(pic, spurious_slave_ir15)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_set_irq(&p, 11, 1);
    cr_assert(pic_has_int(&p));
    /* the slave's request goes away between the master seeing it and INTA */
    p.chip[1].lines = 0;
    p.chip[1].irr = 0;
    cr_assert_eq(pic_intack(&p), 0x77);
    cr_assert_eq(isr(&p, 0xA0), 0x00);
    cr_assert_eq(isr(&p, 0x20), 0x04, "the master still acknowledged IR2");
}

Test(pic, poll_command)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_write(&p, 0x20, 0x0C);
    cr_assert_eq(pic_read(&p, 0x20), 0x00, "nothing pending: poll word 0");
    pic_set_irq(&p, 6, 1);
    pic_set_irq(&p, 3, 1);
    pic_write(&p, 0x20, 0x0C);
    cr_assert_eq(pic_read(&p, 0x20), 0x83, "I bit and the highest IR");
    cr_assert_eq(isr(&p, 0x20), 0x08, "a poll acknowledges like INTA");
    cr_assert_eq(pic_read(&p, 0x20), 0x08, "only one read is a poll");
}

Test(pic, auto_eoi)
{
    struct pic8259 p;
    setup(&p, 0x03);
    pic_set_irq(&p, 1, 1);
    cr_assert_eq(pic_intack(&p), 0x09);
    cr_assert_eq(isr(&p, 0x20), 0x00);
    pic_set_irq(&p, 4, 1);
    cr_assert(pic_has_int(&p), "nothing in service blocks IR4");
}

Test(pic, rotate_on_auto_eoi)
{
    struct pic8259 p;
    setup(&p, 0x03);
    pic_write(&p, 0x20, 0x80); /* set rotate in AEOI */
    pic_set_irq(&p, 3, 1);
    cr_assert_eq(pic_intack(&p), 0x0B);
    /* IR3 is now lowest: IR4 is highest */
    pic_set_irq(&p, 0, 1);
    pic_set_irq(&p, 4, 1);
    cr_assert_eq(pic_intack(&p), 0x0C);
}

Test(pic, set_priority_and_rotate_eoi)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_write(&p, 0x20, 0xC3); /* IR3 lowest, IR4 highest */
    pic_set_irq(&p, 0, 1);
    pic_set_irq(&p, 4, 1);
    cr_assert_eq(pic_intack(&p), 0x0C);
    pic_write(&p, 0x20, 0xA0); /* rotate on non-specific EOI: IR4 lowest */
    cr_assert_eq(isr(&p, 0x20), 0x00);
    pic_set_irq(&p, 6, 1);
    cr_assert_eq(pic_intack(&p), 0x0E, "IR5 is highest now, then IR6 before IR0");
    pic_write(&p, 0x20, 0xE6); /* rotate on specific EOI 6: IR7 highest */
    cr_assert_eq(pic_intack(&p), 0x08);
}

Test(pic, special_mask_mode)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_set_irq(&p, 1, 1);
    cr_assert_eq(pic_intack(&p), 0x09);
    pic_set_irq(&p, 4, 1);
    cr_assert(!pic_has_int(&p));
    pic_write(&p, 0x21, 0x02); /* mask IR1 */
    cr_assert(!pic_has_int(&p), "masking alone does not lift IR1's priority");
    pic_write(&p, 0x20, 0x68); /* set special mask mode */
    cr_assert(pic_has_int(&p), "SMM: lower levels are enabled");
    cr_assert_eq(pic_intack(&p), 0x0C);
    pic_write(&p, 0x20, 0x48); /* reset special mask mode */
    pic_write(&p, 0x20, 0x64);
    pic_write(&p, 0x20, 0x61);
    cr_assert_eq(isr(&p, 0x20), 0x00);
}

Test(pic, icw1_resets_state)
{
    struct pic8259 p;
    setup(&p, 0x01);
    pic_write(&p, 0x21, 0x55);
    pic_set_irq(&p, 0, 1);
    pic_intack(&p);
    pic_write(&p, 0x20, 0x11);
    pic_write(&p, 0x21, 0x20);
    pic_write(&p, 0x21, 0x04);
    pic_write(&p, 0x21, 0x01);
    cr_assert_eq(pic_read(&p, 0x21), 0x00, "ICW1 clears the IMR");
    cr_assert_eq(isr(&p, 0x20), 0x00);
    cr_assert(!pic_has_int(&p), "a line already high needs a new edge");
    pic_set_irq(&p, 0, 0);
    pic_set_irq(&p, 0, 1);
    cr_assert_eq(pic_intack(&p), 0x20, "new base from ICW2");
}

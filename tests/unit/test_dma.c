/* The 8237 pair (devices/dma8237.c): register programming through the
 * flip-flop, page registers, transfers to and from memory on 8- and
 * 16-bit channels, terminal count and status, auto-init, address
 * decrement, masks; and a DMA write into guest RAM holding decoded code
 * (the machine's physical write helper invalidates it). */
#include <criterion/criterion.h>
#include <string.h>

#include "bus/machine.h"
#include "devices/dma8237.h"
#include "roms/roms.h"

static uint8_t mem[1u << 21];

static void mrd(void *o, uint32_t a, uint8_t *b, size_t n) { (void)o; memcpy(b, mem + a, n); }
static void mwr(void *o, uint32_t a, const uint8_t *b, size_t n) { (void)o; memcpy(mem + a, b, n); }

static struct dma8237 dma;

static void setup(void)
{
    memset(mem, 0, sizeof mem);
    dma_init(&dma, mrd, mwr, NULL);
    /* as a BIOS does: channel 4 in cascade mode, unmasked */
    dma_write(&dma, 0xD6, 0xC0);
    dma_write(&dma, 0xD4, 0x00);
}

TestSuite(dma, .init = setup);

/* Programs an 8-bit channel (0-3) the way a BIOS floppy driver does. */
static void prog8(int ch, uint8_t mode, uint32_t addr, uint16_t count)
{
    static const uint16_t page[4] = { 0x87, 0x83, 0x81, 0x82 };
    dma_write(&dma, 0x0A, (uint8_t)(4 | ch));          /* mask */
    dma_write(&dma, 0x0C, 0);                           /* clear flip-flop */
    dma_write(&dma, 0x0B, (uint8_t)((mode & ~3) | ch));
    dma_write(&dma, (uint16_t)(2 * ch), (uint8_t)addr);
    dma_write(&dma, (uint16_t)(2 * ch), (uint8_t)(addr >> 8));
    dma_write(&dma, page[ch], (uint8_t)(addr >> 16));
    dma_write(&dma, (uint16_t)(2 * ch + 1), (uint8_t)count);
    dma_write(&dma, (uint16_t)(2 * ch + 1), (uint8_t)(count >> 8));
    dma_write(&dma, 0x0A, (uint8_t)ch);                 /* unmask */
}

Test(dma, registers_read_back_through_the_flip_flop)
{
    prog8(2, 0x46, 0x12345, 0x01FF);
    dma_write(&dma, 0x0C, 0);
    cr_assert_eq(dma_read(&dma, 0x04), 0x45);
    cr_assert_eq(dma_read(&dma, 0x04), 0x23);
    cr_assert_eq(dma_read(&dma, 0x05), 0xFF);
    cr_assert_eq(dma_read(&dma, 0x05), 0x01);
    cr_assert_eq(dma_read(&dma, 0x81), 0x01, "page register");
    cr_assert_eq(dma_remaining(&dma, 2), 0x200);
}

Test(dma, channel2_write_to_memory_with_page_and_tc)
{
    prog8(2, 0x46, 0x12345, 511); /* single mode, write (device -> memory) */
    uint8_t buf[600];
    for (int i = 0; i < 600; i++)
        buf[i] = (uint8_t)(i * 3);
    cr_assert(dma_channel_ready(&dma, 2));
    cr_assert_eq(dma_transfer(&dma, 2, buf, 600, false), 0, "wrong direction: nothing moves");
    cr_assert_eq(dma_transfer(&dma, 2, buf, 600, true), 512, "stops at terminal count");
    cr_assert_eq(memcmp(mem + 0x12345, buf, 512), 0);
    cr_assert_eq(mem[0x12345 + 512], 0);
    cr_assert_eq(dma_read(&dma, 0x08) & 0x04, 0x04, "TC bit for channel 2");
    cr_assert_eq(dma_read(&dma, 0x08) & 0x04, 0x00, "cleared by the read");
    cr_assert(!dma_channel_ready(&dma, 2), "without auto-init, TC masks the channel");
    cr_assert_eq(dma_transfer(&dma, 2, buf, 1, true), 0);
}

Test(dma, read_from_memory_and_address_wrap_in_page)
{
    for (int i = 0; i < 16; i++)
        mem[0x2FFF8 + i] = (uint8_t)(0xA0 + i);
    for (int i = 0; i < 8; i++)
        mem[0x20000 + i] = (uint8_t)(0xB0 + i);
    prog8(1, 0x4A, 0x2FFF8, 15); /* read (memory -> device) */
    uint8_t out[16];
    cr_assert_eq(dma_transfer(&dma, 1, out, 16, false), 16);
    cr_assert_eq(out[7], 0xA7);
    cr_assert_eq(out[8], 0xB0, "the address wraps within the 64 KiB page");
}

Test(dma, auto_init_reloads)
{
    prog8(2, 0x56, 0x1000, 3); /* write, auto-init */
    uint8_t a[4] = { 1, 2, 3, 4 }, b[4] = { 5, 6, 7, 8 };
    cr_assert_eq(dma_transfer(&dma, 2, a, 4, true), 4);
    cr_assert(dma_channel_ready(&dma, 2), "auto-init keeps the channel unmasked");
    cr_assert_eq(dma_transfer(&dma, 2, b, 4, true), 4);
    cr_assert_eq(memcmp(mem + 0x1000, b, 4), 0, "reloaded to the base address");
    dma_write(&dma, 0x0C, 0);
    cr_assert_eq(dma_read(&dma, 0x04), 0x00);
    cr_assert_eq(dma_read(&dma, 0x04), 0x10);
}

Test(dma, address_decrement)
{
    prog8(3, 0x66, 0x5003, 3); /* write, decrement */
    uint8_t a[4] = { 1, 2, 3, 4 };
    cr_assert_eq(dma_transfer(&dma, 3, a, 4, true), 4);
    cr_assert_eq(mem[0x5003], 1);
    cr_assert_eq(mem[0x5000], 4);
}

Test(dma, sixteen_bit_channel_words)
{
    /* channel 5: word address = byte address / 2, page bit 0 ignored */
    dma_write(&dma, 0xD4, 0x05);      /* mask ch5 */
    dma_write(&dma, 0xD8, 0);
    dma_write(&dma, 0xD6, 0x45);      /* write, single, ch5 */
    uint32_t byte_addr = 0x34000;
    dma_write(&dma, 0xC4, (uint8_t)(byte_addr >> 1));
    dma_write(&dma, 0xC4, (uint8_t)(byte_addr >> 9));
    dma_write(&dma, 0x8B, 0x03);      /* page: A23-A17 */
    dma_write(&dma, 0xC6, 3);         /* 4 words */
    dma_write(&dma, 0xC6, 0);
    dma_write(&dma, 0xD4, 0x01);      /* unmask */
    uint8_t buf[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    cr_assert_eq(dma_transfer(&dma, 5, buf, 10, true), 8);
    cr_assert_eq(memcmp(mem + 0x34000, buf, 8), 0);
    cr_assert_eq(dma_read(&dma, 0xD0) & 0x02, 0x02, "TC of channel 5 in DMA2's status");
}

Test(dma, masks_and_master_clear)
{
    prog8(2, 0x46, 0, 10);
    dma_write(&dma, 0x0F, 0x04); /* write all mask bits: mask 2 */
    cr_assert(!dma_channel_ready(&dma, 2));
    dma_write(&dma, 0x0E, 0);    /* clear mask register */
    cr_assert(dma_channel_ready(&dma, 2));
    dma_write(&dma, 0xD4, 0x04); /* mask DMA2 channel 4: the cascade */
    cr_assert(!dma_channel_ready(&dma, 2), "DMA1 reaches memory through channel 4");
    dma_write(&dma, 0xD4, 0x00);
    dma_write(&dma, 0x0D, 0);    /* master clear */
    cr_assert(!dma_channel_ready(&dma, 2));
}

Test(dma, machine_dma_into_code_invalidates_it)
{
    /* The pictimer guest's IRQ0 handler lives in ROM; use RAM code: run
     * the demo-free "halt" ROM, then DMA over a page of RAM that holds a
     * decoded block built by hand. */
    struct machine_config cfg = { .bios = rom_test_halt, .bios_size = rom_test_halt_size };
    char err[200];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    cr_assert_not_null(m, "%s", err);
    /* code at 0x7000: INC AX; HLT */
    const uint8_t code[] = { 0x40, 0xF4 };
    machine_phys_write(m, 0x7000, code, sizeof code);
    struct cpu *c = &m->cpu;
    cpu_load_seg_real(c, S_CS, 0x0700);
    c->eip = 0;
    c->reg[R_EAX] = 0;
    c->eflags &= ~(uint32_t)F_IF;
    cpu_run(c, 10);
    cr_assert_eq(c->reg[R_EAX] & 0xFFFF, 1);
    /* DMA channel 2 writes DEC AX (0x48) over the INC */
    struct dma8237 *d = &m->dma;
    dma_write(d, 0xD6, 0xC0);
    dma_write(d, 0xD4, 0x00);
    dma_write(d, 0x0A, 0x06);
    dma_write(d, 0x0C, 0);
    dma_write(d, 0x0B, 0x46);
    dma_write(d, 0x04, 0x00);
    dma_write(d, 0x04, 0x70);
    dma_write(d, 0x81, 0x00);
    dma_write(d, 0x05, 0);
    dma_write(d, 0x05, 0);
    dma_write(d, 0x0A, 0x02);
    uint8_t dec = 0x48;
    cr_assert_eq(dma_transfer(d, 2, &dec, 1, true), 1);
    c->halted = false;
    c->eip = 0;
    c->reg[R_EAX] = 0;
    cpu_run(c, 10);
    cr_assert_eq(c->reg[R_EAX] & 0xFFFF, 0xFFFF, "the new code ran, not the cached block");
    machine_free(m);
}

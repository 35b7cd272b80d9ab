/* A PIIX3 IDE controller alone for the IDE unit tests: its ports on a
 * bare bus (1 MiB of RAM as the bus master's memory), its PCI function on
 * a bus of its own, a test clock, IRQ probes on 14 and 15, and
 * memory-backed blockdevs (a plain buffer, or a synthetic "big" medium
 * whose sectors hold their own number, for capacities no test could
 * allocate). */
#ifndef PCVM_TEST_IDETEST_H
#define PCVM_TEST_IDETEST_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ide.h"
#include "devtest.h"

struct memdisk {
    uint8_t *data;        /* NULL: synthetic contents */
    bool fail_reads;
    unsigned reads, writes, flushes;
};

static uint64_t now;
static struct clock clk;
static struct irq_probe irq14, irq15;
static struct bus bus;
static struct pci_bus pcib;
static struct ide ide;

static inline void mem_rd(void *o, uint32_t a, uint8_t *b, size_t n)
{
    (void)o;
    for (size_t k = 0; k < n; k++)
        b[k] = (uint8_t)bus_read(&bus, (uint32_t)(a + k), 1);
}

static inline void mem_wr(void *o, uint32_t a, const uint8_t *b, size_t n)
{
    (void)o;
    for (size_t k = 0; k < n; k++)
        bus_write(&bus, (uint32_t)(a + k), b[k], 1);
}

/* Synthetic sector contents: the sector number (512-byte units) in the
 * first 8 bytes of each sector, the byte offset's low bits elsewhere. */
static inline uint8_t synth_byte(uint64_t off)
{
    uint64_t sec = off / 512;
    unsigned i = (unsigned)(off % 512);
    return i < 8 ? (uint8_t)(sec >> (8 * i)) : (uint8_t)(i ^ 0x5A);
}

static inline int md_read(void *o, uint64_t off, uint8_t *buf, size_t n)
{
    struct memdisk *m = o;
    m->reads++;
    if (m->fail_reads)
        return -1;
    if (m->data)
        memcpy(buf, m->data + off, n);
    else
        for (size_t k = 0; k < n; k++)
            buf[k] = synth_byte(off + k);
    return 0;
}

static inline int md_write(void *o, uint64_t off, const uint8_t *buf, size_t n)
{
    struct memdisk *m = o;
    m->writes++;
    if (m->data)
        memcpy(m->data + off, buf, n);
    return 0;
}

static inline int md_flush(void *o)
{
    ((struct memdisk *)o)->flushes++;
    return 0;
}

/* A blockdev over a fresh buffer of `size` bytes, each byte a pattern of
 * its offset (so misplaced data shows). */
static inline struct blockdev memdisk_new(struct memdisk *m, uint64_t size, bool synthetic)
{
    memset(m, 0, sizeof *m);
    if (!synthetic) {
        m->data = malloc((size_t)size);
        cr_assert_not_null(m->data);
        for (uint64_t k = 0; k < size; k++)
            m->data[k] = synth_byte(k);
    }
    struct blockdev bd = { .size = size, .read = md_read, .write = md_write,
                           .flush = md_flush, .opaque = m, .name = "mem" };
    return bd;
}

static inline void ide_fixture_init(void)
{
    now = 0;
    irq14 = (struct irq_probe){ 0 };
    irq15 = (struct irq_probe){ 0 };
    clock_init(&clk, &now);
    cr_assert(bus_init(&bus, 1u << 20));
    pci_bus_init(&pcib);
    ide_init(&ide, &clk, irq_probe_line(&irq14), irq_probe_line(&irq15), mem_rd, mem_wr, NULL);
}

static inline void ide_fixture_fini(void)
{
    bus_free(&bus);
}

static inline void cfgw(unsigned off, uint32_t v, unsigned size) { pci_cfg_write(&pcib, 0x09, off, v, size); }
static inline uint32_t cfgr(unsigned off, unsigned size) { return pci_cfg_read(&pcib, 0x09, off, size); }

/* After attaching drives: ports, reset, the PCI function at 00:01.1 and,
 * as firmware does, I/O decode, bus mastering, both channels enabled and
 * the bus master registers at 0xC000. */
static inline void ide_start(void)
{
    ide_register_io(&ide, &bus);
    pci_add(&pcib, &ide.dev, 0x09);
    ide_reset(&ide);
    cfgw(0x04, 0x0005, 2);
    cfgw(0x40, 0x8000, 2);
    cfgw(0x42, 0x8000, 2);
    cfgw(0x20, 0xC000, 4);
}

static inline void out8(uint16_t p, uint8_t v) { bus_out(&bus, p, v, 1); }
static inline uint8_t in8(uint16_t p) { return (uint8_t)bus_in(&bus, p, 1); }
static inline uint16_t in16(uint16_t p) { return (uint16_t)bus_in(&bus, p, 2); }
static inline void out16(uint16_t p, uint16_t v) { bus_out(&bus, p, v, 2); }
static inline void run_for(uint64_t t) { clock_advance_to(&clk, &now, now + t); }

/* Runs the clock until BSY clears on the channel at `base` (1F0/170);
 * returns the alternate status (the interrupt stays pending). */
static inline uint8_t wait_not_busy(uint16_t base)
{
    uint16_t ctl = (uint16_t)(base + 0x206);
    for (int i = 0; i < 1000; i++) {
        uint8_t s = in8(ctl);
        if (!(s & ATA_BSY))
            return s;
        run_for(100);
    }
    cr_assert_fail("BSY never cleared");
    return 0xFF;
}

#endif

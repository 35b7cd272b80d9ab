/* The PC chipset wiring (the machine's "motherboard"): the virtual clock,
 * the 8259 pair on the CPU's INTR, and every device with its ports and
 * IRQ lines, the i440FX's PAM windows, the NVRAM contents and the fw_cfg
 * items SeaBIOS reads.
 *
 * ISA IRQs (the PC/AT's): 0 PIT, 1 keyboard, 2 cascade, 3 COM2/COM4,
 * 4 COM1/COM3, 6 floppy, 8 RTC, 12 PS/2 mouse, 13 FPU, 14/15 IDE.
 * DMA: channel 2 floppy.  PCI: 00:00.0 i440FX, 00:01.0 PIIX3, 00:01.1
 * PIIX3 IDE (devices/ide.c; always present, as on QEMU's pc machine),
 * 00:01.3 PIIX4 power management (ACPI, SCI on IRQ 9), 00:02.0 the VGA
 * (when the config has a VGA BIOS: its expansion ROM).
 */
#include "pcdevices.h"

#include <stdio.h>
#include <string.h>

#include "../jit/blockcache.h"
#include "../cpu/fpu.h"
#include "../mmu/mem.h"
#include "machine.h"

/* ------------------------------------------------------------ CPU links */

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

/* The x87's FERR# drives IRQ 13 (PC/AT wiring, used by the CPU only with
 * CR0.NE = 0: cpu/fpu.c); a write to port F0h clears the latch and
 * asserts IGNNE# until FERR# goes away (SDM Vol. 1 D.2.1). */
static void fpu_ferr(void *opaque, bool level)
{
    struct machine *m = opaque;
    pic_set_irq(&m->pic, 13, level);
}

static void port_f0_write(void *opaque, uint32_t port, uint32_t val, unsigned size)
{
    struct machine *m = opaque;
    (void)port;
    (void)val;
    (void)size;
    pic_set_irq(&m->pic, 13, 0);
    cpu_fpu_ignne(&m->cpu);
}

static void isa_irq(void *opaque, int irq, int level)
{
    struct machine *m = opaque;
    pic_set_irq(&m->pic, irq, level);
}

/* ------------------------------------------------------------ memory */

void machine_phys_read(struct machine *m, uint32_t phys, uint8_t *buf, size_t n)
{
    for (size_t k = 0; k < n; k++)
        buf[k] = (uint8_t)bus_read(&m->bus, (uint32_t)(phys + k), 1);
}

void machine_phys_write(struct machine *m, uint32_t phys, const uint8_t *buf, size_t n)
{
    while (n) {
        uint32_t chunk = 0x1000u - (phys & 0xFFFu);
        if (chunk > n)
            chunk = (uint32_t)n;
        if (blockcache_page_has_code(&m->bc, phys) &&
            blockcache_write(&m->bc, phys, chunk, m->cpu.cur_block))
            m->cpu.attention |= ATT_SMC; /* the running block was overwritten */
        for (uint32_t k = 0; k < chunk; k++)
            bus_write(&m->bus, phys + k, buf[k], 1);
        phys += chunk;
        buf += chunk;
        n -= chunk;
    }
}

static void dev_mem_read(void *opaque, uint32_t phys, uint8_t *buf, size_t n)
{
    machine_phys_read(opaque, phys, buf, n);
}

static void dev_mem_write(void *opaque, uint32_t phys, const uint8_t *buf, size_t n)
{
    machine_phys_write(opaque, phys, buf, n);
}

/* ------------------------------------------------------------ PAM */

static const char *const pam_names[PAM_SEGMENTS] = {
    "pam-f0000", "pam-c0000", "pam-c4000", "pam-c8000", "pam-cc000", "pam-d0000",
    "pam-d4000", "pam-d8000", "pam-dc000", "pam-e0000", "pam-e4000", "pam-e8000",
    "pam-ec000",
};

/* Reads go to the PCI side (ROM or nothing), writes to DRAM when WE. */
static uint32_t pam_read(void *opaque, uint32_t off, unsigned size)
{
    (void)size;
    struct pam_window *w = opaque;
    return w->rom ? w->rom[off] : 0xFF;
}

static void pam_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
    (void)size;
    struct pam_window *w = opaque;
    if (i440fx_pam(&w->m->i440fx, w->index) & PAM_WRITE)
        w->m->bus.ram[pam_seg_start(w->index) + off] = (uint8_t)v;
}

static struct bus_region pam_region(struct machine *m, unsigned s)
{
    uint32_t start = pam_seg_start(s), size = pam_seg_size(s);
    struct bus_region r = { .start = start, .size = size, .name = pam_names[s] };
    const struct pam_window *w = &m->pam[s];
    switch (i440fx_pam(&m->i440fx, s)) {
    case PAM_RW:
        r.kind = REGION_RAM;
        r.host = m->bus.ram + start;
        break;
    case PAM_READ: /* DRAM read-only: writes go to the PCI side (dropped) */
        r.kind = REGION_ROM;
        r.host = m->bus.ram + start;
        break;
    case PAM_PCI:
        if (w->rom) {
            r.kind = REGION_ROM;
            r.host = (uint8_t *)(uintptr_t)w->rom;
            break;
        }
        /* fall through */
    default: /* write-only DRAM, or nothing on the PCI side */
        r.kind = REGION_MMIO;
        r.read = pam_read;
        r.write = pam_write;
        r.opaque = &m->pam[s];
        r.sizes = BUS_SIZE8;
        break;
    }
    return r;
}

static void pam_apply(struct machine *m)
{
    for (unsigned s = 0; s < PAM_SEGMENTS; s++) {
        struct bus_region r = pam_region(m, s);
        if (!bus_replace_region(&m->bus, &r))
            bus_map_region(&m->bus, &r);
    }
    /* Decoded blocks may come from the old view of these addresses. */
    blockcache_flush(&m->bc);
    m->cpu.attention |= ATT_MODE;
}

static void pam_changed(void *opaque)
{
    struct machine *m = opaque;
    if (m->pam[0].m) /* after machine_devices_init set the windows up */
        pam_apply(m);
}

void machine_pam_refresh(struct machine *m)
{
    for (unsigned s = 0; s < PAM_SEGMENTS; s++) {
        uint32_t start = pam_seg_start(s), size = pam_seg_size(s);
        const uint8_t *rom = NULL;
        for (int i = 0; i < m->bus.nregions; i++) {
            const struct bus_region *r = &m->bus.regions[i];
            bool is_pam = false;
            for (unsigned k = 0; k < PAM_SEGMENTS; k++)
                is_pam |= r->name == pam_names[k];
            if (is_pam || start - r->start >= r->size)
                continue;
            if (r->kind == REGION_ROM && start + size - 1 - r->start < r->size)
                rom = r->host + (start - r->start);
            break; /* the newest non-PAM region there decides */
        }
        m->pam[s].m = m;
        m->pam[s].index = s;
        m->pam[s].rom = rom;
    }
    pam_apply(m);
}

/* ------------------------------------------------------------ resets, A20 */

/* The 8042's A20 output: the same gate as port 0x92's (mmu/paging.c
 * a20_set: bit 20 of physical addresses forced to 0 while off, the TLB
 * flushed; 20-bit CPUs have nothing to gate). */
static void kbc_a20(void *opaque, bool on)
{
    struct machine *m = opaque;
    a20_set(&m->cpu, on);
}

static void kbc_reset(void *opaque)
{
    machine_request_reset(opaque);
}

static void pm_poweroff(void *opaque)
{
    machine_request_poweroff(opaque);
}

static void rc_reset(void *opaque, bool hard)
{
    (void)hard; /* soft (INIT) and hard resets both restart the machine here */
    machine_request_reset(opaque);
}

/* ------------------------------------------------------------ NVRAM */

static uint8_t boot_code(char c)
{
    switch (c) {
    case 'a': return 1;
    case 'c': return 2;
    case 'd': return 3;
    case 'n': return 4;
    }
    return 0;
}

static bool boot_order_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 3)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!boot_code(s[i]) || strchr(s + i + 1, s[i]))
            return false;
    }
    return true;
}

static void cmos_setup(struct machine *m, const char *boot)
{
    struct cmos *c = &m->cmos;
    uint64_t ram = m->bus.ram_size;
    uint64_t ext_kb = ram > (1u << 20) ? (ram - (1u << 20)) >> 10 : 0;
    if (ext_kb > 0xFFFF)
        ext_kb = 0xFFFF;
    uint64_t above16 = ram > (16u << 20) ? (ram - (16u << 20)) >> 16 : 0;
    if (above16 > 0xFFFF)
        above16 = 0xFFFF;
    cmos_set(c, 0x15, 0x80);                    /* base memory: 640 KiB */
    cmos_set(c, 0x16, 0x02);
    cmos_set(c, 0x17, (uint8_t)ext_kb);         /* extended memory, KiB */
    cmos_set(c, 0x18, (uint8_t)(ext_kb >> 8));
    cmos_set(c, 0x30, (uint8_t)ext_kb);         /* the same, as POST found it */
    cmos_set(c, 0x31, (uint8_t)(ext_kb >> 8));
    cmos_set(c, 0x34, (uint8_t)above16);        /* above 16 MiB, 64 KiB units */
    cmos_set(c, 0x35, (uint8_t)(above16 >> 8));
    cmos_set(c, 0x5B, 0);                       /* above 4 GiB: none */
    cmos_set(c, 0x5C, 0);
    cmos_set(c, 0x5D, 0);
    cmos_set(c, 0x5F, 0);                       /* CPUs - 1 */
    /* Equipment byte: bits 7-6 floppies - 1, 5-4 display (00: VGA/EGA),
     * bit 2 PS/2 mouse, bit 1 coprocessor, bit 0 floppy drives present.
     * Only the models with an x87 (486 and later) have a coprocessor. */
    cmos_set(c, 0x14, m->cpu.model->fpu ? 0x06 : 0x04);
    /* Boot order as SeaBIOS reads it: 0x3D low nibble first device, high
     * nibble second; 0x38 high nibble third, bit 0 = skip the floppy
     * boot signature check (0: check it). */
    uint8_t b[3] = { 0, 0, 0 };
    for (size_t i = 0; boot[i] && i < 3; i++)
        b[i] = boot_code(boot[i]);
    cmos_set(c, 0x3D, (uint8_t)(b[0] | (b[1] << 4)));
    cmos_set(c, 0x38, (uint8_t)(b[2] << 4));
    cmos_update_checksum(c);
}

void machine_cmos_set_floppy(struct machine *m, unsigned drive, uint8_t type)
{
    struct cmos *c = &m->cmos;
    uint8_t t = cmos_get(c, 0x10);
    if (drive == 0)
        t = (uint8_t)((t & 0x0F) | (type << 4));
    else
        t = (uint8_t)((t & 0xF0) | (type & 15));
    cmos_set(c, 0x10, t);
    unsigned n = ((t >> 4) ? 1 : 0) + ((t & 15) ? 1 : 0);
    uint8_t eq = cmos_get(c, 0x14) & 0x3E;
    if (n)
        eq |= (uint8_t)(1 | ((n - 1) << 6));
    cmos_set(c, 0x14, eq);
    cmos_update_checksum(c);
}

void machine_cmos_set_disk(struct machine *m, unsigned drive, unsigned cylinders,
                           unsigned heads, unsigned sectors)
{
    struct cmos *c = &m->cmos;
    if (drive > 1)
        return;
    uint8_t t = cmos_get(c, 0x12);
    /* Type 15 in 0x12 means "see 0x19/0x1A"; 47 there is the user type
     * whose parameters follow at 0x1B (drive 0) or 0x24 (drive 1). */
    t = drive == 0 ? (uint8_t)((t & 0x0F) | 0xF0) : (uint8_t)((t & 0xF0) | 0x0F);
    cmos_set(c, 0x12, t);
    cmos_set(c, 0x19 + drive, 47);
    unsigned base = drive == 0 ? 0x1B : 0x24;
    cmos_set(c, base + 0, (uint8_t)cylinders);
    cmos_set(c, base + 1, (uint8_t)(cylinders >> 8));
    cmos_set(c, base + 2, (uint8_t)heads);
    cmos_set(c, base + 3, 0xFF);                /* write precompensation: none */
    cmos_set(c, base + 4, 0xFF);
    cmos_set(c, base + 5, heads > 8 ? 0xC8 : 0xC0); /* control byte */
    cmos_set(c, base + 6, (uint8_t)cylinders);  /* landing zone */
    cmos_set(c, base + 7, (uint8_t)(cylinders >> 8));
    cmos_set(c, base + 8, (uint8_t)sectors);
    cmos_update_checksum(c);
}

/* ------------------------------------------------------------ fw_cfg */

static bool fw_cfg_setup(struct machine *m, const char *boot)
{
    struct fw_cfg *f = &m->fw_cfg;
    uint64_t ram = m->bus.ram_size;
    bool ok = fw_cfg_add_i64(f, FW_CFG_RAM_SIZE, ram) &&
              fw_cfg_add_i16(f, FW_CFG_NB_CPUS, 1) &&
              fw_cfg_add_i16(f, FW_CFG_MAX_CPUS, 1) &&
              fw_cfg_add_i16(f, FW_CFG_NOGRAPHIC, 0) &&
              fw_cfg_add_i64(f, FW_CFG_NUMA, 0) &&
              fw_cfg_add_i16(f, FW_CFG_BOOT_MENU, 0) &&
              fw_cfg_add_i16(f, FW_CFG_BOOT_DEVICE, (uint16_t)boot[0]);
    /* etc/e820: one entry per range { u64 address, u64 length, u32 type },
     * little-endian; all RAM is usable (type 1).  SeaBIOS reserves its own
     * areas (EBDA, BIOS) on top. */
    uint8_t e820[20];
    memset(e820, 0, sizeof e820);
    st32(e820 + 8, (uint32_t)ram);
    st32(e820 + 16, 1);
    ok = ok && fw_cfg_add_file(f, "etc/e820", e820, sizeof e820);
    /* Empty: no device paths yet, so SeaBIOS uses the CMOS boot order. */
    ok = ok && fw_cfg_add_file(f, "bootorder", "", 0);
    /* When nothing boots, SeaBIOS retries after this many ms; all ones
     * means never (it prints "No bootable device." and stays). */
    uint8_t wait[4];
    st32(wait, 0xFFFFFFFFu);
    ok = ok && fw_cfg_add_file(f, "etc/boot-fail-wait", wait, 4);
    return ok;
}

/* ------------------------------------------------------------ IDE */

/* The PIIX3 IDE function with the configured drives; hard disks 0 and 1
 * get their default geometry in the CMOS. */
static bool ide_setup(struct machine *m, const struct machine_config *cfg, char *err,
                      size_t errlen)
{
    ide_init(&m->ide, &m->clock, pic_irq_line(&m->pic, 14), pic_irq_line(&m->pic, 15),
             dev_mem_read, dev_mem_write, m);
    for (unsigned i = 0; i < 4; i++) {
        const struct machine_drive *d = &cfg->ide[i];
        if (d->kind == DRIVE_DISK && (!d->media || d->media->size < IDE_SECTOR)) {
            snprintf(err, errlen, "IDE drive %u: a hard disk needs an image of at least "
                     "%u bytes", i, IDE_SECTOR);
            return false;
        }
        if (d->kind != DRIVE_NONE)
            ide_attach(&m->ide, i, d->kind, d->media);
    }
    ide_register_io(&m->ide, &m->bus);
    pci_add(&m->pci, &m->ide.dev, 0x09);
    ide_reset(&m->ide);
    /* CMOS 0x39: the BIOS translation of ATA drives 0-3, two bits each
     * (0 none, 1 LBA), which SeaBIOS's QEMU build reads instead of
     * guessing: LBA for a disk beyond 1024 cylinders, as QEMU's "auto". */
    uint8_t trans = 0;
    for (unsigned i = 0; i < 4; i++) {
        unsigned c, h, s;
        if (!ide_disk_geometry(&m->ide, i, &c, &h, &s))
            continue;
        if (i < 2)
            machine_cmos_set_disk(m, i, c, h, s);
        if (c > 1024)
            trans = (uint8_t)(trans | (1u << (2 * i)));
    }
    cmos_set(&m->cmos, 0x39, trans);
    return true;
}

/* ------------------------------------------------------------ floppy */

/* The 82077AA is always there, as on a PC; a drive exists for each
 * cfg->floppy[] image, of the type its medium needs (CMOS 0x10). */
static bool floppy_init(struct machine *m, const struct machine_config *cfg, char *err,
                        size_t errlen)
{
    fdc_init(&m->fdc, 0x3F0, &m->clock, pic_irq_line(&m->pic, 6), &m->dma, 2);
    fdc_register_io(&m->fdc, &m->bus);
    for (unsigned i = 0; i < 2; i++) {
        struct blockdev *bd = cfg->floppy[i];
        if (!bd)
            continue;
        const struct floppy_geometry *g = floppy_geometry_for_size(bd->size);
        if (!g) {
            snprintf(err, errlen, "%s: size %llu bytes is no floppy format (160K, 180K, "
                     "320K, 360K, 720K, 1.2M, 1.44M, 1.68M or 2.88M)",
                     bd->name ? bd->name : "floppy image", (unsigned long long)bd->size);
            return false;
        }
        enum floppy_drive_type t = floppy_drive_for(g);
        fdc_attach(&m->fdc, i, t);
        fdc_insert(&m->fdc, i, bd);
        machine_cmos_set_floppy(m, i, (uint8_t)t);
    }
    return true;
}

bool machine_cdrom_change(struct machine *m, unsigned drive, struct blockdev *media)
{
    return ide_cdrom_change(&m->ide, drive, media);
}

bool machine_floppy_change(struct machine *m, unsigned drive, struct blockdev *media)
{
    return drive < 2 && fdc_insert(&m->fdc, drive, media);
}

/* ------------------------------------------------------------ init */

static const uint16_t com_base[4] = { 0x3F8, 0x2F8, 0x3E8, 0x2E8 };
static const int com_irq[4] = { 4, 3, 4, 3 };

bool machine_devices_init(struct machine *m, const struct machine_config *cfg,
                          char *err, size_t errlen)
{
    const char *boot = cfg->boot_order ? cfg->boot_order : "cad";
    if (!boot_order_ok(boot)) {
        snprintf(err, errlen, "boot order '%s': give up to three of a, c, d, n "
                 "(floppy, hard disk, CD-ROM, network), each once", boot);
        return false;
    }

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
    m->cpu.ferr = fpu_ferr;
    m->cpu.ferr_opaque = m;
    bus_register_io(&m->bus, 0xF0, 1, NULL, port_f0_write, m, BUS_SIZE8);

    pit_init(&m->pit, &m->clock, pic_irq_line(&m->pic, 0));
    pit_register_io(&m->pit, &m->bus);

    cmos_init(&m->cmos, &m->clock, pic_irq_line(&m->pic, 8), cfg->rtc_start);
    cmos_register_io(&m->cmos, &m->bus);
    cmos_setup(m, boot);

    i8042_init(&m->kbc, &m->clock, pic_irq_line(&m->pic, 1), pic_irq_line(&m->pic, 12),
               kbc_a20, kbc_reset, m);
    i8042_register_io(&m->kbc, &m->bus);
    /* Port 0x92: fast A20 and fast reset (devices/port92.c). */
    port92_init(&m->port92, &m->bus, &m->cpu, kbc_reset, m);

    dma_init(&m->dma, dev_mem_read, dev_mem_write, m);
    dma_register_io(&m->dma, &m->bus);
    if (!floppy_init(m, cfg, err, errlen))
        return false;

    bool any = false;
    for (int i = 0; i < 4; i++)
        any |= cfg->serial[i].present;
    for (int i = 0; i < 4; i++) {
        bool present = any ? cfg->serial[i].present : i == 0;
        if (!present)
            continue;
        uart_init(&m->uart[i], com_base[i], &m->clock, pic_irq_line(&m->pic, com_irq[i]),
                  any ? cfg->serial[i].sink : NULL, any ? cfg->serial[i].opaque : NULL);
        uart_register_io(&m->uart[i], &m->bus);
        m->has_uart[i] = true;
    }

    pci_bus_init(&m->pci);
    pci_register_io(&m->pci, &m->bus);
    i440fx_init(&m->i440fx, pam_changed, m);
    pci_add(&m->pci, &m->i440fx.dev, 0x00);
    piix3_init(&m->piix3, &m->pci, isa_irq, rc_reset, m);
    pci_add(&m->pci, &m->piix3.dev, 0x08);
    piix4pm_init(&m->pm, &m->bus, &m->clock, pic_irq_line(&m->pic, 9), pm_poweroff, m);
    pci_add(&m->pci, &m->pm.dev, PIIX4PM_DEVFN);
    piix4pm_set_serial(&m->pm, m->has_uart[0], m->has_uart[1]);
    machine_pam_refresh(m); /* the BIOS is mapped: the windows start on it */
    if (!ide_setup(m, cfg, err, errlen))
        return false;
    if (cfg->vga_bios) {
        m->vga = vga_create(&m->clock, cfg->vga_bios, cfg->vga_bios_size);
        if (!m->vga || !vga_attach(m->vga, &m->bus, &m->pci, 0x10)) {
            snprintf(err, errlen, "cannot add the VGA (out of memory, or the memory map is full)");
            return false;
        }
    }

    fw_cfg_init(&m->fw_cfg, dev_mem_read, dev_mem_write, m);
    m->fw_cfg_ready = true;
    fw_cfg_register_io(&m->fw_cfg, &m->bus);
    if (!fw_cfg_setup(m, boot)) {
        snprintf(err, errlen, "out of memory for the fw_cfg items");
        return false;
    }
    for (unsigned i = 0; i < MACHINE_MAX_OPTION_ROMS; i++) {
        const struct machine_option_rom *r = &cfg->option_roms[i];
        char name[64];
        if (!r->data)
            continue;
        snprintf(name, sizeof name, "genroms/%.50s", r->name ? r->name : "rom");
        if (strlen(r->name ? r->name : "rom") > 47 ||
            !fw_cfg_add_file(&m->fw_cfg, name, r->data, (uint32_t)r->size)) {
            snprintf(err, errlen, "option ROM '%s': the name is too long (47 characters "
                     "at most) or the fw_cfg table is full", r->name ? r->name : "rom");
            return false;
        }
    }
    return true;
}

void machine_devices_reset(struct machine *m)
{
    pic_reset(&m->pic);
    pit_reset(&m->pit);
    cmos_reset(&m->cmos);
    i8042_reset(&m->kbc);
    port92_reset(&m->port92);
    dma_reset(&m->dma);
    fdc_reset(&m->fdc);
    for (int i = 0; i < 4; i++)
        if (m->has_uart[i])
            uart_reset(&m->uart[i]);
    i440fx_reset(&m->i440fx); /* PAM back to the ROMs */
    piix3_reset(&m->piix3);
    piix4pm_reset(&m->pm);
    ide_reset(&m->ide);
    m->pci.addr = 0;
    fw_cfg_select(&m->fw_cfg, 0);
    if (m->vga)
        vga_reset(m->vga);
}

void machine_devices_free(struct machine *m)
{
    if (m->fw_cfg_ready)
        fw_cfg_free(&m->fw_cfg);
    m->fw_cfg_ready = false;
    vga_free(m->vga);
    m->vga = NULL;
}

/* ------------------------------------------------------------ host input */

void machine_key(struct machine *m, unsigned key, bool down)
{
    i8042_key(&m->kbc, key, down);
}

void machine_mouse(struct machine *m, int dx, int dy, int dz, unsigned buttons)
{
    i8042_mouse(&m->kbc, dx, dy, dz, buttons);
}

void machine_drain_output(struct machine *m)
{
    for (int i = 0; i < 4; i++)
        if (m->has_uart[i])
            uart_drain(&m->uart[i]);
}

size_t machine_serial_input(struct machine *m, unsigned port, const uint8_t *bytes, size_t n)
{
    if (port > 3 || !m->has_uart[port])
        return 0;
    return uart_receive(&m->uart[port], bytes, n);
}

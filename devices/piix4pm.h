/* Intel 82371AB (PIIX4) function 3, power management, at PCI 00:01.3
 * (8086:7113): the ACPI fixed hardware a PC firmware describes in its
 * FADT.  SeaBIOS finds this function by its PCI ID, puts its PM I/O space
 * at 0xB000 (PMBA, config 0x40; enabled by PMREGMISC bit 0, config 0x80)
 * and builds ACPI tables for it (FADT with SCI on IRQ 9, SMI command port
 * 0xB2, PM1a event block at PMBA, control block at PMBA + 4, PM timer at
 * PMBA + 8; its _S5 sleep type is 0).
 *
 * Registers (82371AB datasheet, order 290562, "Power Management I/O
 * Space"): PMSTS (+0, write 1 to clear), PMEN (+2), PMCNTRL (+4: SCI_EN
 * bit 0, SUS_TYP bits 12-10, SUS_EN bit 13), PMTMR (+8: the 24-bit ACPI
 * timer at 3.579545 MHz, from virtual time; TMROF_STS when its bit 23
 * changes).  Writing SUS_EN with SUS_TYP 0 ("soft off", S5) calls
 * `poweroff`; the other sleep types are ignored (no S3 here).
 *
 * Ports 0xB2/0xB3 (APMC/APMS): on a real board a write to APMC raises
 * an SMI whose handler, part of the firmware, switches to ACPI mode.  There
 * is no SMM here, so the write's effect for the values SeaBIOS puts in its
 * FADT (ACPI_ENABLE 0xF1, ACPI_DISABLE 0xF0) is done directly: SCI_EN set
 * or cleared.  DEVACTB's APMC_EN reads 1 (see piix4pm.c), so SeaBIOS does
 * not try to set up SMM, which pcvm does not have.
 *
 * GPE0 block at 0xAFE0 (4 bytes): not a PIIX4 register but where
 * SeaBIOS's FADT puts GPE0_BLK (GPE0_BLK_LEN 4), so it must decode as one
 * (ACPI 1.0 section 4.7.1.6: GPE0_STS in the first half, write 1 to clear,
 * GPE0_EN in the second).  This machine has no general-purpose event
 * sources, so GPE0_STS reads 0; GPE0_EN holds what the OS writes.  Left
 * undecoded, its status would read as all ones: the OS then runs every
 * GPE's _Exx method, and SeaBIOS's _E01 ("PCI hotplug") reads the
 * equally undecoded slot up/down bitmaps at 0xAE00 as all ones and asks
 * the OS to eject every PCI slot: Linux removes the IDE controller.
 */
#ifndef PCVM_PIIX4PM_H
#define PCVM_PIIX4PM_H

#include <stdbool.h>
#include <stdint.h>

#include "../bus/bus.h"
#include "../bus/clock.h"
#include "../bus/irq.h"
#include "pci.h"

#define PIIX4PM_DEVFN 0x0B            /* 00:01.3 */
#define PIIX4PM_TIMER_HZ 3579545u
#define PIIX4PM_IO_SIZE 64u
#define PIIX4PM_GPE0_BASE 0xAFE0u     /* SeaBIOS's FADT GPE0_BLK */
#define PIIX4PM_GPE0_LEN 4u

/* PMSTS/PMEN bits. */
#define PM1_TMROF 0x0001u
#define PM1_GBL 0x0020u
#define PM1_PWRBTN 0x0100u
#define PM1_RTC 0x0400u
#define PM1_WAK 0x8000u
/* PMCNTRL bits. */
#define PM1_SCI_EN 0x0001u
#define PM1_SUS_TYP_SHIFT 10
#define PM1_SUS_EN 0x2000u

struct piix4pm {
    struct pci_dev dev;
    struct bus *bus;
    struct clock *clk;
    struct clock_timer ovf_timer;
    struct irq_line sci;
    uint16_t io_base;                 /* mapped PM I/O base, or 0 */
    uint16_t sts, en, cnt;
    uint16_t gpe_en;                  /* GPE0_EN (GPE0_STS is always 0) */
    uint64_t ovf_seen;                /* timer ticks >> 23 when TMROF_STS was last updated */
    uint8_t apmc, apms;
    void (*poweroff)(void *opaque);
    void *opaque;
    uint64_t sleeps_ignored;          /* SUS_EN with a sleep type other than S5 */
    bool com1, com2;                  /* piix4pm_set_serial: the decode enables shown */
};

void piix4pm_init(struct piix4pm *p, struct bus *b, struct clock *clk, struct irq_line sci,
                  void (*poweroff)(void *), void *opaque);
void piix4pm_reset(struct piix4pm *p);
/* Which serial ports the board has, for the device resource registers'
 * decode enable bits the firmware's DSDT reads to report COM1/COM2 to the
 * OS (kept across resets). */
void piix4pm_set_serial(struct piix4pm *p, bool com1, bool com2);
/* The 24-bit PM timer now. */
uint32_t piix4pm_timer(const struct piix4pm *p);

#endif

/* The PIIX3 IDE function (PCI 00:01.1, 8086:7010) in compatibility mode:
 * two channels at the legacy ports (primary 0x1F0-0x1F7 and 0x3F6 on
 * IRQ14, secondary 0x170-0x177 and 0x376 on IRQ15), each with a master
 * and a slave drive, and the PCI bus-master IDE engine (BMIDE, at the
 * I/O base in BAR4) that moves DMA data through PRD tables.
 *
 * This file holds the controller: the taskfile registers, device
 * selection, the device control register (nIEN, SRST, HOB), PIO data
 * blocks through the data port, interrupts, the command timer and bus
 * mastering.  The command sets live beside it: devices/ata_disk.c (ATA
 * hard disks) and devices/atapi.c (ATAPI CD-ROM, the SCSI MMC commands).
 *
 * References: ATA/ATAPI-6 (T13 1410D), SFF-8038i (bus master IDE), Intel
 * 82371FB/SB (PIIX/PIIX3) datasheet 290550 (IDE configuration registers),
 * SFF-8020i / MMC-2 (ATAPI CD-ROM).
 *
 * Time: a command's data or its completion becomes ready after a short
 * virtual delay (a channel timer), so a run is deterministic and a guest
 * sees BSY as on a real drive.  Images are read and written through
 * blockdevs (devices/blockdev.h); writes reach the blockdev at once.
 */
#ifndef PCVM_IDE_H
#define PCVM_IDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bus/bus.h"
#include "../bus/clock.h"
#include "../bus/irq.h"
#include "blockdev.h"
#include "pci.h"

/* What sits at an IDE position (struct machine_config's ide[]). */
enum drive_kind { DRIVE_NONE, DRIVE_DISK, DRIVE_CDROM };

#define IDE_SECTOR 512u
#define CD_SECTOR 2048u
#define IDE_MAX_MULT 16u              /* READ/WRITE MULTIPLE block size limit */
#define IDE_BUF_SIZE (32u * CD_SECTOR) /* one drive's data buffer: 64 KiB */
/* Virtual time (instructions, 10 ns each) from a command or a block to
 * its data or completion; from SRST's release to the drive being ready. */
#define IDE_CMD_DELAY 2000u
#define IDE_DMA_DELAY 2000u

/* Status register */
enum {
    ATA_ERR = 0x01, ATA_IDX = 0x02, ATA_CORR = 0x04, ATA_DRQ = 0x08,
    ATA_DSC = 0x10, ATA_DF = 0x20, ATA_DRDY = 0x40, ATA_BSY = 0x80,
};
/* Error register */
enum {
    ATA_AMNF = 0x01, ATA_TK0NF = 0x02, ATA_ABRT = 0x04, ATA_MCR = 0x08,
    ATA_IDNF = 0x10, ATA_MC = 0x20, ATA_UNC = 0x40, ATA_ICRC = 0x80,
};
/* Device control register */
enum { ATA_NIEN = 0x02, ATA_SRST = 0x04, ATA_HOB = 0x80 };
/* ATAPI interrupt reason (the sector count register) */
enum { ATAPI_COD = 0x01, ATAPI_IO = 0x02 };
/* Bus master registers: command bits, status bits */
enum { BM_START = 0x01, BM_READ = 0x08 };  /* BM_READ: the master writes memory */
enum { BM_ACTIVE = 0x01, BM_ERROR = 0x02, BM_INTR = 0x04 };

struct ide;
struct ide_channel;
struct ide_drive;
typedef void (*ide_fn)(struct ide_drive *d);

struct ide_drive {
    struct ide_channel *ch;
    unsigned unit;                 /* 0 primary master .. 3 secondary slave */
    enum drive_kind kind;          /* DRIVE_NONE: nothing there */
    struct blockdev *bd;           /* the medium; NULL: a CD-ROM without a disc */

    /* The taskfile: each device keeps its own copy (writes go to both). */
    uint8_t feature, nsect, sector, lcyl, hcyl, select;
    uint8_t hob_feature, hob_nsect, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t status, error;
    bool intrq;                    /* the device's interrupt is pending */
    uint8_t cmd;                   /* the command being executed */

    /* Data: buf[pos, end) is the DRQ block the host is moving (PIO);
     * buf[pos, len) is what the bus master moves next (DMA). */
    uint8_t buf[IDE_BUF_SIZE];
    uint32_t pos, end, len;
    bool pio_out;                  /* the host writes the block */
    ide_fn pio_done;               /* the host moved the whole block */
    ide_fn timer_fn;               /* runs when the channel timer fires */
    /* DMA, the drive's side: dma_next is called when buf[pos, len) has
     * been moved (for a write it stores it first) and returns 1 with a
     * new chunk in buf[0, len), 0 at the end, -1 on a host error;
     * dma_end then gets that outcome. */
    bool dma_in;                   /* device to memory */
    bool dma_ready;                /* waiting for the bus master */
    int (*dma_next)(struct ide_drive *d);
    void (*dma_end)(struct ide_drive *d, int result);

    /* ATA disk */
    uint64_t sectors;              /* capacity (512-byte sectors; 2048 for a CD) */
    uint16_t cyls, heads, secs;    /* default translation (IDENTIFY words 1/3/6) */
    uint16_t cur_cyls, cur_heads, cur_secs; /* INITIALIZE DEVICE PARAMETERS */
    uint8_t mult;                  /* READ/WRITE MULTIPLE block, 0: disabled */
    bool wcache;                   /* write cache enabled (state only) */
    uint8_t power;                 /* CHECK POWER MODE answer: 0xFF active, 0 standby */
    uint8_t pio_mode, dma_mode;    /* SET FEATURES transfer mode; dma_mode: 0x20|n MW, 0x40|n UDMA */
    uint64_t lba;                  /* next sector of the transfer */
    uint32_t left;                 /* sectors still to move */
    uint32_t xfer;                 /* sectors in the current block */
    uint32_t block;                /* sectors per DRQ block */
    bool lba48, write;

    /* ATAPI */
    uint8_t cdb[12];
    uint8_t sense_key, asc, ascq;
    bool ua;                       /* UNIT ATTENTION pending (medium changed) */
    bool tray_open, locked;
    uint8_t media_event;           /* GET EVENT STATUS NOTIFICATION media event code */
    uint32_t limit;                /* PACKET byte count limit */
    bool packet_dma;
    uint32_t cd_lba, cd_left;      /* streaming READ: next sector, sectors left */
};

struct ide_channel {
    struct ide *ide;
    unsigned index;                /* 0 primary, 1 secondary */
    struct ide_drive drive[2];
    unsigned cur;                  /* the selected device (DEV bit) */
    uint8_t devctl;
    bool irq_level;
    struct irq_line irq;
    struct clock_timer timer;
    struct ide_drive *timer_drive;
    /* Bus master IDE (SFF-8038i) */
    uint8_t bm_cmd, bm_status;
    uint32_t bm_prd;               /* descriptor table pointer register */
    uint32_t prd_next;             /* next descriptor to fetch */
    uint32_t prd_addr, prd_left;   /* the current region */
    bool prd_eot;                  /* the current region is the table's last */
    unsigned prd_fetched;
};

typedef void (*ide_mem_fn)(void *opaque, uint32_t phys, uint8_t *buf, size_t n);
typedef void (*ide_memw_fn)(void *opaque, uint32_t phys, const uint8_t *buf, size_t n);

struct ide {
    struct pci_dev dev;            /* 00:01.1 */
    struct ide_channel ch[2];
    struct clock *clk;
    struct bus *bus;
    uint16_t bm_base;              /* the bus master ports now claimed (0: none) */
    ide_mem_fn mem_read;
    ide_memw_fn mem_write;
    void *mem_opaque;
};

/* ---- the host side (bus/pcdevices.c, tests) ---- */

void ide_init(struct ide *s, struct clock *clk, struct irq_line irq14, struct irq_line irq15,
              ide_mem_fn mem_read, ide_memw_fn mem_write, void *mem_opaque);
/* Puts a drive at unit 0-3 (before ide_reset).  A disk needs a medium. */
void ide_attach(struct ide *s, unsigned unit, enum drive_kind kind, struct blockdev *bd);
/* Claims the legacy ports (the bus master ports follow BAR4). */
void ide_register_io(struct ide *s, struct bus *b);
/* Power-on / hardware reset: configuration space, channels, drives. */
void ide_reset(struct ide *s);
/* A disk's default geometry (for the CMOS); false for no disk there. */
bool ide_disk_geometry(const struct ide *s, unsigned unit, unsigned *c, unsigned *h,
                       unsigned *sec);
/* Inserts (bd) or ejects (NULL) a CD-ROM's disc: UNIT ATTENTION and a
 * media event for the guest.  False when unit is not a CD-ROM drive. */
bool ide_cdrom_change(struct ide *s, unsigned unit, struct blockdev *bd);

/* ---- for the command sets (ata_disk.c, atapi.c) ---- */

void ide_raise_irq(struct ide_drive *d);
/* Runs fn after `delay` instructions with BSY set meanwhile. */
void ide_schedule(struct ide_drive *d, uint64_t delay, ide_fn fn);
/* A PIO block: buf[from, from + n) to (out: from) the host; DRQ set. */
void ide_pio(struct ide_drive *d, uint32_t from, uint32_t n, bool out, ide_fn done, bool irq);
/* buf[0, n) to the host after the command delay (IDENTIFY and the like),
 * then the command ends without a further interrupt. */
void ide_pio_reply(struct ide_drive *d, uint32_t n);
/* A DMA transfer (fields dma_in, dma_next, dma_end set by the caller):
 * the drive is ready for the bus master after the command delay. */
void ide_dma_begin(struct ide_drive *d);
/* Command ends: success (DRDY|DSC, interrupt) or error (ERR, interrupt). */
void ide_complete(struct ide_drive *d);
void ide_fail(struct ide_drive *d, uint8_t error);
/* Completion after the command delay. */
void ide_complete_later(struct ide_drive *d);
/* The signature in the taskfile (ATA or ATAPI), as after a reset. */
void ide_set_signature(struct ide_drive *d);
/* IDENTIFY words both device kinds share (strings, timing, DMA modes). */
void ide_identify_common(struct ide_drive *d, uint16_t *w, const char *model);
/* Puts 256 identify words into buf as little-endian bytes with the
 * integrity word (255) computed. */
void ide_identify_store(struct ide_drive *d, uint16_t *w);
/* Commands common to both kinds (power management, transfer-mode SET
 * FEATURES, EXECUTE DEVICE DIAGNOSTIC); true when handled. */
bool ide_common_command(struct ide_drive *d);

/* ata_disk.c */
void ata_disk_setup(struct ide_drive *d);        /* geometry from the medium */
void ata_disk_reset(struct ide_drive *d);        /* hardware reset defaults */
void ata_disk_command(struct ide_drive *d);
/* atapi.c */
void atapi_setup(struct ide_drive *d);
void atapi_reset(struct ide_drive *d);
void atapi_command(struct ide_drive *d);
void atapi_media_changed(struct ide_drive *d, struct blockdev *bd);

#endif

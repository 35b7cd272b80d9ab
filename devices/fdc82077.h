/* Intel 82077AA floppy disk controller in PC/AT mode, with up to four
 * drives (a PC wires two): ports base+0..base+5 and base+7 (0x3F0-0x3F5,
 * 0x3F7; 0x3F6 belongs to the hard disk controller), one IRQ line (6 on
 * a PC) and one DMA channel (2).
 *
 * Media are blockdevs holding raw sector images (devices/floppy.h); a
 * read-only blockdev is a write-protected medium.  Writes go to the
 * blockdev as each sector completes.  Seeks, rotation and data transfer
 * take virtual time (the drive's spindle speed, the SPECIFY step rate),
 * so BIOS polling loops and timeouts behave as on real hardware and runs
 * stay deterministic.
 */
#ifndef PCVM_FDC82077_H
#define PCVM_FDC82077_H

#include <stdbool.h>
#include <stdint.h>

#include "../bus/bus.h"
#include "../bus/clock.h"
#include "../bus/irq.h"
#include "blockdev.h"
#include "dma8237.h"
#include "floppy.h"

#define FDC_DRIVES 4
#define FDC_VERSION 0x90          /* VERSION result of an 82077AA */

/* Main status register bits. */
enum {
    FDC_MSR_RQM = 0x80, FDC_MSR_DIO = 0x40, FDC_MSR_NDMA = 0x20, FDC_MSR_CB = 0x10,
};

struct fdc_drive {
    enum floppy_drive_type type;      /* FLOPPY_DRIVE_NONE: nothing connected */
    struct blockdev *media;           /* NULL: no disk in the drive */
    const struct floppy_geometry *geo;
    unsigned pos;                     /* physical head position (track) */
    uint8_t pcn;                      /* the controller's present cylinder number */
    bool dskchg;                      /* the drive's disk change line */
    bool seeking;
    uint64_t seek_done;               /* when the seek/recalibrate ends */
    uint8_t seek_st0;                 /* ST0 it reports then */
    bool status;                      /* a seek/polling status waits for SENSE INTERRUPT */
    uint8_t st0;
};

/* The command in its execution phase. */
struct fdc_exec {
    uint8_t op;                       /* command code (low 5 bits) */
    unsigned drive, head;             /* physical drive and head */
    uint8_t c, h, r, n, eot, gpl, dtl;
    bool mt, mfm, sk, ec;             /* multi-track, MFM, skip, verify count mode */
    uint8_t st0, st1, st2;
    unsigned done;                    /* sectors (format: IDs) finished */
    bool failing;                     /* the search failed: result at the next event */
    bool tc;                          /* terminal count seen */
    bool stop;                        /* end after this sector (a control mark) */
    uint64_t next;                    /* when the next sector passes the head */
};

struct fdc82077 {
    uint16_t base;
    struct clock *clk;
    struct clock_timer exec_timer, seek_timer;
    struct irq_line irq;
    struct dma8237 *dma;
    int dma_channel;
    struct fdc_drive drv[FDC_DRIVES];

    uint8_t dor, tdr, rate, precomp;
    enum { FDC_CMD, FDC_EXEC, FDC_RESULT } phase;
    uint8_t cmd[16];
    unsigned cmd_len, cmd_need;
    uint8_t res[16];
    unsigned res_len, res_pos;
    /* SPECIFY, CONFIGURE, PERPENDICULAR MODE, LOCK */
    uint8_t specify[2];
    bool eis, efifo_off, poll_off, lock;
    uint8_t fifothr, pretrk, perp;
    uint8_t last_eot;                 /* DUMPREG's SC/EOT byte */
    /* Interrupt sources. */
    bool int_result;                  /* result phase entered */
    bool int_sense;                   /* seek/reset status pending */
    /* Execution phase. */
    struct fdc_exec x;
    uint8_t buf[FLOPPY_SECTOR];
    uint8_t sbuf[FLOPPY_SECTOR];      /* SCAN: the disk's sector */
    unsigned buf_pos, buf_len;
    bool pio;                         /* non-DMA data waits for the host */
    uint64_t sectors_read, sectors_written; /* statistics */
};

void fdc_init(struct fdc82077 *f, uint16_t base, struct clock *clk, struct irq_line irq,
              struct dma8237 *dma, int dma_channel);
/* Hardware reset (the RESET pin): the DOR clears, which holds the
 * controller in reset until the BIOS sets DOR bit 2.  Drives keep their
 * heads and media. */
void fdc_reset(struct fdc82077 *f);
void fdc_register_io(struct fdc82077 *f, struct bus *b);

/* Connects a drive of that type (FLOPPY_DRIVE_NONE disconnects). */
void fdc_attach(struct fdc82077 *f, unsigned drive, enum floppy_drive_type type);
/* Puts a medium in a connected drive (NULL ejects) and raises its disk
 * change line.  Returns false, changing nothing, when the drive is not
 * connected or the image size is no floppy format. */
bool fdc_insert(struct fdc82077 *f, unsigned drive, struct blockdev *media);

/* Register access; reg is the offset from the base (0-7). */
uint8_t fdc_read(struct fdc82077 *f, unsigned reg);
void fdc_write(struct fdc82077 *f, unsigned reg, uint8_t v);

#endif

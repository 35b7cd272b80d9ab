/* Floppy drives and media: the geometry of a raw disk image (from its
 * size), the drive type a medium needs (the CMOS 0x10 codes), and which
 * data rates a drive can read a medium at.
 *
 * Media are raw sector images: 512-byte sectors, cylinder-major, then
 * head, then sector 1..N (offset = ((c * heads + h) * sectors + r - 1) * 512).
 * Every sector carries the ID (C, H, R, N=2) that a standard PC format
 * writes, and is MFM-recorded.
 */
#ifndef PCVM_FLOPPY_H
#define PCVM_FLOPPY_H

#include <stdbool.h>
#include <stdint.h>

/* Data rate as the 82077AA's DSR/CCR bits 1-0 select it. */
enum floppy_rate { FLOPPY_500K = 0, FLOPPY_300K = 1, FLOPPY_250K = 2, FLOPPY_1M = 3 };

/* Drive types: the CMOS register 0x10 codes. */
enum floppy_drive_type {
    FLOPPY_DRIVE_NONE = 0,
    FLOPPY_DRIVE_360K = 1,    /* 5.25" DD, 40 tracks, 300 rpm */
    FLOPPY_DRIVE_1200K = 2,   /* 5.25" HD, 80 tracks, 360 rpm */
    FLOPPY_DRIVE_720K = 3,    /* 3.5" DD, 80 tracks, 300 rpm */
    FLOPPY_DRIVE_1440K = 4,   /* 3.5" HD */
    FLOPPY_DRIVE_2880K = 5,   /* 3.5" ED */
};

/* Recording density of a medium. */
enum floppy_density { FLOPPY_DD, FLOPPY_HD, FLOPPY_ED };

struct floppy_geometry {
    const char *name;         /* "1.44M" */
    uint16_t cylinders;
    uint8_t heads, sectors;
    enum floppy_density density;
    bool is_525;              /* a 5.25" medium (else 3.5") */
};

#define FLOPPY_SECTOR 512u

/* The geometry of a raw image of `size` bytes (160K, 180K, 320K, 360K,
 * 720K, 1.2M, 1.44M, 1.68M DMF, 2.88M), or NULL for any other size. */
const struct floppy_geometry *floppy_geometry_for_size(uint64_t size);

/* The drive a machine gets for a medium: a 360K drive for 40-track
 * media, a 1.2M drive for 1.2M, a 1.44M drive for 720K/1.44M/1.68M, a
 * 2.88M drive for 2.88M; a 1.44M drive with no medium. */
enum floppy_drive_type floppy_drive_for(const struct floppy_geometry *g);

/* Tracks the drive's head can reach (40 or 80) and its spindle speed. */
unsigned floppy_drive_tracks(enum floppy_drive_type t);
unsigned floppy_drive_rpm(enum floppy_drive_type t);

/* True when the drive reads (and writes) the medium at that data rate:
 * a DD medium at 250 kbps (300 kbps in a 360 rpm 1.2M drive), HD at 500,
 * ED at 1 Mbps, in a drive of the medium's size that handles its
 * density.  At any other rate the controller finds no address marks. */
bool floppy_rate_ok(enum floppy_drive_type t, const struct floppy_geometry *g,
                    enum floppy_rate rate);

/* Steps between medium cylinders: 2 for a 40-track medium in an 80-track
 * drive (the BIOS double-steps), else 1. */
unsigned floppy_step_factor(enum floppy_drive_type t, const struct floppy_geometry *g);

/* Data rate in bits per second. */
unsigned floppy_rate_bps(enum floppy_rate rate);

#endif

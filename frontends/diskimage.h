/* Disk images for the pcvm program: a host file behind a struct blockdev
 * (devices/blockdev.h), opened read-write (CD-ROM images read-only), or,
 * with -snapshot, read-only with a copy-on-write overlay in memory whose
 * writes are dropped at exit, as QEMU's -snapshot does.
 *
 * A write reaches the host file at once (no cache of our own); the guest's
 * flush (ATA FLUSH CACHE) and diskimage_close do fflush + fsync, so a
 * clean exit never loses a write.
 */
#ifndef PCVM_DISKIMAGE_H
#define PCVM_DISKIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "devices/blockdev.h"

struct diskimage {
    struct blockdev bd;
    FILE *f;
    char *path;
    bool snapshot;
    uint8_t ***overlay;      /* -snapshot: [L1][L2] -> 4 KiB chunk or NULL */
    size_t l1_count;
    bool io_error;           /* a host read/write/flush failed (reported at close) */
};

enum diskimage_mode { DISKIMAGE_RW, DISKIMAGE_RO };

/* Opens path; on failure returns false with a one-line reason in err
 * ("PATH: cannot open: No such file or directory"). */
bool diskimage_open(struct diskimage *d, const char *path, enum diskimage_mode mode,
                    bool snapshot, char *err, size_t errlen);
/* Flushes (fsync) and closes; false (reason in err) when a write or the
 * flush failed at any time. */
bool diskimage_close(struct diskimage *d, char *err, size_t errlen);

#endif

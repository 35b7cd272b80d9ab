/* A disk image as the devices see it: a size and read/write/flush
 * callbacks on byte offsets.  The core never opens files; the frontend
 * (frontends/diskimage.c) backs a blockdev with a host file, or with a
 * copy-on-write overlay in memory for -snapshot, and unit tests back one
 * with a plain buffer.
 *
 * The callbacks return 0 on success and -1 on a host error; a device
 * reports that to the guest as a medium error, never by crashing.
 */
#ifndef PCVM_BLOCKDEV_H
#define PCVM_BLOCKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blockdev {
    uint64_t size;                   /* bytes */
    bool read_only;                  /* writes fail (the guest sees a write-protected medium) */
    int (*read)(void *opaque, uint64_t offset, uint8_t *buf, size_t n);
    int (*write)(void *opaque, uint64_t offset, const uint8_t *buf, size_t n);
    int (*flush)(void *opaque);      /* may be NULL: nothing to flush */
    void *opaque;
    const char *name;                /* for messages: the image's path */
};

static inline int blockdev_read(const struct blockdev *bd, uint64_t off, uint8_t *buf, size_t n)
{
    if (!bd || off > bd->size || n > bd->size - off)
        return -1;
    return bd->read(bd->opaque, off, buf, n);
}

static inline int blockdev_write(const struct blockdev *bd, uint64_t off, const uint8_t *buf,
                                 size_t n)
{
    if (!bd || bd->read_only || off > bd->size || n > bd->size - off)
        return -1;
    return bd->write(bd->opaque, off, buf, n);
}

static inline int blockdev_flush(const struct blockdev *bd)
{
    return bd && bd->flush ? bd->flush(bd->opaque) : 0;
}

#endif

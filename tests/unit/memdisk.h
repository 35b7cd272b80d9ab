/* A blockdev backed by a plain buffer, for the disk controller tests;
 * counts the write calls (each is one the device made at once). */
#ifndef PCVM_TEST_MEMDISK_H
#define PCVM_TEST_MEMDISK_H

#include <stdbool.h>
#include <string.h>

#include "devices/blockdev.h"

struct memdisk {
    struct blockdev bd;
    uint8_t *data;
    unsigned writes;
};

static inline int memdisk_read(void *o, uint64_t off, uint8_t *buf, size_t n)
{
    struct memdisk *d = o;
    memcpy(buf, d->data + off, n);
    return 0;
}

static inline int memdisk_write(void *o, uint64_t off, const uint8_t *buf, size_t n)
{
    struct memdisk *d = o;
    memcpy(d->data + off, buf, n);
    d->writes++;
    return 0;
}

static inline struct blockdev *memdisk_init(struct memdisk *d, uint8_t *data, uint64_t size,
                                            bool read_only)
{
    memset(d, 0, sizeof *d);
    d->data = data;
    d->bd.size = size;
    d->bd.read_only = read_only;
    d->bd.read = memdisk_read;
    d->bd.write = memdisk_write;
    d->bd.opaque = d;
    d->bd.name = "memdisk";
    return &d->bd;
}

#endif

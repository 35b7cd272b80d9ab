/* Disk images: see diskimage.h. */
#include "diskimage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#define CHUNK 4096u            /* overlay granularity */
#define L2_ENTRIES 1024u       /* chunks per second-level table: 4 MiB */

static int host_seek(FILE *f, uint64_t off)
{
#ifdef _WIN32
    return _fseeki64(f, (__int64)off, SEEK_SET);
#else
    return fseeko(f, (off_t)off, SEEK_SET);
#endif
}

static int host_sync(FILE *f)
{
    if (fflush(f) != 0)
        return -1;
#ifdef _WIN32
    return _commit(_fileno(f));
#else
    return fsync(fileno(f)) != 0 && errno != EINVAL ? -1 : 0; /* EINVAL: a pipe or device */
#endif
}

static int file_read(struct diskimage *d, uint64_t off, uint8_t *buf, size_t n)
{
    if (host_seek(d->f, off) != 0 || fread(buf, 1, n, d->f) != n) {
        d->io_error = true;
        return -1;
    }
    return 0;
}

static uint8_t **overlay_slot(struct diskimage *d, uint64_t chunk, bool create)
{
    size_t l1 = (size_t)(chunk / L2_ENTRIES), l2 = (size_t)(chunk % L2_ENTRIES);
    if (!d->overlay[l1]) {
        if (!create)
            return NULL;
        d->overlay[l1] = calloc(L2_ENTRIES, sizeof(uint8_t *));
        if (!d->overlay[l1])
            return NULL;
    }
    return &d->overlay[l1][l2];
}

static int img_read(void *opaque, uint64_t off, uint8_t *buf, size_t n)
{
    struct diskimage *d = opaque;
    if (!d->snapshot)
        return file_read(d, off, buf, n);
    while (n) {
        uint64_t chunk = off / CHUNK;
        size_t in = (size_t)(off % CHUNK), len = CHUNK - in;
        if (len > n)
            len = n;
        uint8_t **slot = overlay_slot(d, chunk, false);
        if (slot && *slot)
            memcpy(buf, *slot + in, len);
        else if (file_read(d, off, buf, len) != 0)
            return -1;
        off += len;
        buf += len;
        n -= len;
    }
    return 0;
}

static int img_write(void *opaque, uint64_t off, const uint8_t *buf, size_t n)
{
    struct diskimage *d = opaque;
    if (!d->snapshot) {
        if (host_seek(d->f, off) != 0 || fwrite(buf, 1, n, d->f) != n) {
            d->io_error = true;
            return -1;
        }
        return 0;
    }
    while (n) {
        uint64_t chunk = off / CHUNK;
        size_t in = (size_t)(off % CHUNK), len = CHUNK - in;
        if (len > n)
            len = n;
        uint8_t **slot = overlay_slot(d, chunk, true);
        if (!slot)
            return -1;
        if (!*slot) {
            uint8_t *c = malloc(CHUNK);
            if (!c)
                return -1;
            uint64_t start = chunk * CHUNK;
            size_t have = d->bd.size - start < CHUNK ? (size_t)(d->bd.size - start) : CHUNK;
            memset(c, 0, CHUNK);
            if (file_read(d, start, c, have) != 0) {
                free(c);
                return -1;
            }
            *slot = c;
        }
        memcpy(*slot + in, buf, len);
        off += len;
        buf += len;
        n -= len;
    }
    return 0;
}

static int img_flush(void *opaque)
{
    struct diskimage *d = opaque;
    if (d->snapshot)
        return 0; /* the overlay is dropped anyway */
    if (host_sync(d->f) != 0) {
        d->io_error = true;
        return -1;
    }
    return 0;
}

bool diskimage_open(struct diskimage *d, const char *path, enum diskimage_mode mode,
                    bool snapshot, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a directory, not a disk image", path);
        return false;
    }
    bool rw = mode == DISKIMAGE_RW && !snapshot;
    d->f = fopen(path, rw ? "r+b" : "rb");
    if (!d->f) {
        snprintf(err, errlen, "%s: cannot open%s: %s", path, rw ? " for reading and writing" : "",
                 strerror(errno));
        return false;
    }
    if (host_seek(d->f, 0) != 0 || fseek(d->f, 0, SEEK_END) != 0) {
        snprintf(err, errlen, "%s: cannot seek: not a regular file", path);
        fclose(d->f);
        return false;
    }
#ifdef _WIN32
    __int64 end = _ftelli64(d->f);
#else
    off_t end = ftello(d->f);
#endif
    if (end <= 0) {
        snprintf(err, errlen, "%s: %s", path, end == 0 ? "the image is empty" : "cannot tell its size");
        fclose(d->f);
        return false;
    }
    d->path = malloc(strlen(path) + 1);
    if (!d->path) {
        fclose(d->f);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    strcpy(d->path, path);
    d->snapshot = snapshot;
    d->bd.size = (uint64_t)end;
    d->bd.read_only = mode == DISKIMAGE_RO;
    d->bd.read = img_read;
    d->bd.write = img_write;
    d->bd.flush = img_flush;
    d->bd.opaque = d;
    d->bd.name = d->path;
    if (snapshot) {
        uint64_t chunks = (d->bd.size + CHUNK - 1) / CHUNK;
        d->l1_count = (size_t)((chunks + L2_ENTRIES - 1) / L2_ENTRIES);
        d->overlay = calloc(d->l1_count, sizeof(uint8_t **));
        if (!d->overlay) {
            diskimage_close(d, err, errlen);
            snprintf(err, errlen, "%s: out of memory for the -snapshot overlay", path);
            return false;
        }
    }
    return true;
}

bool diskimage_close(struct diskimage *d, char *err, size_t errlen)
{
    bool ok = true;
    if (d->f) {
        if (!d->snapshot && !d->bd.read_only && host_sync(d->f) != 0)
            d->io_error = true;
        if (fclose(d->f) != 0 && !d->snapshot)
            d->io_error = true;
        d->f = NULL;
        if (d->io_error) {
            snprintf(err, errlen, "%s: a read or write of the image failed", d->path);
            ok = false;
        }
    }
    if (d->overlay) {
        for (size_t i = 0; i < d->l1_count; i++) {
            if (!d->overlay[i])
                continue;
            for (size_t k = 0; k < L2_ENTRIES; k++)
                free(d->overlay[i][k]);
            free(d->overlay[i]);
        }
        free(d->overlay);
        d->overlay = NULL;
    }
    free(d->path);
    d->path = NULL;
    return ok;
}

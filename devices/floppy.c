/* Floppy media geometry and drive/medium compatibility.  The formats are
 * the IBM PC's standard ones (and Microsoft's DMF, 21 sectors per track
 * on an HD medium); the data rates are those of the media's recording
 * densities at the drives' spindle speeds (the 1.2M drive turns at 360
 * rpm, so a DD medium in it reads at 300 kbps instead of 250). */
#include "floppy.h"

#include <stddef.h>

static const struct floppy_geometry formats[] = {
    { "160K", 40, 1, 8, FLOPPY_DD, true },
    { "180K", 40, 1, 9, FLOPPY_DD, true },
    { "320K", 40, 2, 8, FLOPPY_DD, true },
    { "360K", 40, 2, 9, FLOPPY_DD, true },
    { "720K", 80, 2, 9, FLOPPY_DD, false },
    { "1.2M", 80, 2, 15, FLOPPY_HD, true },
    { "1.44M", 80, 2, 18, FLOPPY_HD, false },
    { "1.68M", 80, 2, 21, FLOPPY_HD, false },
    { "2.88M", 80, 2, 36, FLOPPY_ED, false },
};

const struct floppy_geometry *floppy_geometry_for_size(uint64_t size)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        const struct floppy_geometry *g = &formats[i];
        if ((uint64_t)g->cylinders * g->heads * g->sectors * FLOPPY_SECTOR == size)
            return g;
    }
    return NULL;
}

enum floppy_drive_type floppy_drive_for(const struct floppy_geometry *g)
{
    if (!g)
        return FLOPPY_DRIVE_1440K;
    if (g->is_525)
        return g->density == FLOPPY_HD ? FLOPPY_DRIVE_1200K : FLOPPY_DRIVE_360K;
    return g->density == FLOPPY_ED ? FLOPPY_DRIVE_2880K : FLOPPY_DRIVE_1440K;
}

unsigned floppy_drive_tracks(enum floppy_drive_type t)
{
    return t == FLOPPY_DRIVE_360K ? 40 : 80;
}

unsigned floppy_drive_rpm(enum floppy_drive_type t)
{
    return t == FLOPPY_DRIVE_1200K ? 360 : 300;
}

bool floppy_rate_ok(enum floppy_drive_type t, const struct floppy_geometry *g,
                    enum floppy_rate rate)
{
    if (!g)
        return false;
    bool drive_525 = t == FLOPPY_DRIVE_360K || t == FLOPPY_DRIVE_1200K;
    if (drive_525 != g->is_525)
        return false;
    switch (g->density) {
    case FLOPPY_DD:
        if (g->cylinders > floppy_drive_tracks(t))
            return false;
        return rate == (t == FLOPPY_DRIVE_1200K ? FLOPPY_300K : FLOPPY_250K);
    case FLOPPY_HD:
        return rate == FLOPPY_500K && (t == FLOPPY_DRIVE_1200K || t == FLOPPY_DRIVE_1440K ||
                                       t == FLOPPY_DRIVE_2880K);
    case FLOPPY_ED:
        return rate == FLOPPY_1M && t == FLOPPY_DRIVE_2880K;
    }
    return false;
}

unsigned floppy_step_factor(enum floppy_drive_type t, const struct floppy_geometry *g)
{
    return g && g->cylinders <= 40 && floppy_drive_tracks(t) == 80 ? 2 : 1;
}

unsigned floppy_rate_bps(enum floppy_rate rate)
{
    static const unsigned bps[4] = { 500000, 300000, 250000, 1000000 };
    return bps[rate & 3];
}

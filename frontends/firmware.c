/* Finding and reading firmware files: see firmware.h. */
#include "firmware.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DIRS 8
#define OPTION_ROM_MAX (256u << 10)

static const char *user_dirs[MAX_DIRS];
static int n_user_dirs;

/* Where packages put SeaBIOS: Debian/Ubuntu, QEMU's own data directory
 * (Fedora, Arch, Homebrew, MSYS2 install SeaBIOS's files there). */
static const char *const system_dirs[] = {
    "/usr/share/seabios",
    "/usr/share/qemu",
    "/usr/local/share/seabios",
    "/usr/local/share/qemu",
    "/opt/homebrew/share/qemu",
    "/mingw64/share/qemu",
    "/ucrt64/share/qemu",
};

void firmware_add_dir(const char *dir)
{
    if (n_user_dirs < MAX_DIRS)
        user_dirs[n_user_dirs++] = dir;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static char *dup_str(const char *s)
{
    char *p = malloc(strlen(s) + 1);
    if (p)
        strcpy(p, s);
    return p;
}

static char *try_dir(const char *dir, const char *name)
{
    if (!dir || !*dir)
        return NULL;
    char *p = join(dir, name);
    if (p && is_file(p))
        return p;
    free(p);
    return NULL;
}

char *firmware_find(const char *name, bool is_default, char *err, size_t errlen)
{
    bool bare = !strchr(name, '/') && !strchr(name, '\\');
    if (!bare || (!is_default && is_file(name))) {
        char *p = dup_str(name); /* read_bios/open report a missing file */
        if (!p)
            snprintf(err, errlen, "out of memory");
        return p;
    }
    char *p;
    for (int i = 0; i < n_user_dirs; i++)
        if ((p = try_dir(user_dirs[i], name)))
            return p;
    if ((p = try_dir(getenv("PCVM_FIRMWARE_DIR"), name)))
        return p;
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
        if ((p = try_dir(system_dirs[i], name)))
            return p;
    if (!is_default) {
        p = dup_str(name); /* not found anywhere: the open says so */
        if (!p)
            snprintf(err, errlen, "out of memory");
        return p;
    }
    snprintf(err, errlen,
             "firmware file %s not found (looked in -L directories, $PCVM_FIRMWARE_DIR and "
             "%s): install Debian's '%s' package (apt-get install %s), or name a firmware "
             "with -bios/-vga-bios, or run the built-in demo with -demo",
             name, system_dirs[0], FIRMWARE_PACKAGE, FIRMWARE_PACKAGE);
    return NULL;
}

uint8_t *firmware_read_option_rom(const char *path, size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = malloc(OPTION_ROM_MAX + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    size_t n = fread(buf, 1, OPTION_ROM_MAX + 1, f);
    bool bad_read = ferror(f);
    fclose(f);
    const char *why = bad_read ? "read error (a directory?)"
                      : n > OPTION_ROM_MAX ? "larger than 256 KiB; not an option ROM"
                      : n < 512 || buf[0] != 0x55 || buf[1] != 0xAA
                          ? "not an option ROM (no 0x55 0xAA signature)"
                          : NULL;
    if (why) {
        snprintf(err, errlen, "%s: %s", path, why);
        free(buf);
        return NULL;
    }
    *size = n;
    return buf;
}

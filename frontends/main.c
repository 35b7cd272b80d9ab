/* pcvm: the command-line frontend.
 *
 * Parses QEMU-style options, reads the firmware file, opens the debug
 * console's output, builds one machine and runs it.  All host I/O of the
 * emulator is here; the core (cpu, mmu, bus, devices, jit) makes none.
 *
 * Exit status: what the guest asked for through isa-debug-exit
 * ((value << 1) | 1), else 0 when the guest stopped (HLT) or powered
 * the machine off (ACPI S5), 1 for bad
 * input, 2 for a triple fault with -no-reboot, 124 when -max-insns ran out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#endif

#include "bus/kernelboot.h"
#include "bus/machine.h"
#ifndef PCVM_NO_DEBUGGER
#include "debugger/dbg.h"
#include "gdbstub.h"
#else
#include "nodebugger.h"   /* a build without them (meson -Ddebugger=disabled) */
#endif
#include "roms/roms.h"
#include "hostdev.h"
#include "die.h"
#include "diskimage.h"
#include "firmware.h"
#include "screenshot.h"
#include "display.h"

#ifndef PCVM_VERSION
#define PCVM_VERSION "unknown"
#endif

enum {
    EXIT_BAD_INPUT = 1,
    EXIT_TRIPLE_FAULT = 2,
    EXIT_LIMIT = 124,        /* like timeout(1) */
};

#define BIOS_MAX (256u << 10)

static const char usage_text[] =
    "usage: pcvm [options]\n"
    "\n"
    "Runs an emulated x86 PC.  The firmware is SeaBIOS with SeaVGABIOS (Debian's\n"
    "'seabios' package) unless -bios or -demo says otherwise.\n"
    "\n"
    "  -cpu MODEL          CPU model (default " MACHINE_DEFAULT_CPU "; -cpu help lists them)\n"
    "  -m SIZE             RAM in MiB, or with a suffix M or G (default 32; 1M to 3584M)\n"
    "  -bios FILE          firmware image of 64, 128 or 256 KiB (default: SeaBIOS's\n"
    "                      bios-256k.bin, looked up in -L DIR, $PCVM_FIRMWARE_DIR\n"
    "                      and /usr/share/seabios)\n"
    "  -vga-bios FILE      the VGA option ROM (default: SeaVGABIOS vgabios-stdvga.bin)\n"
    "  -vga std|none       the VGA (default std)\n"
    "  -L DIR              a directory to search for firmware files first\n"
    "  -demo               boot pcvm's built-in demo ROM instead of a firmware (its\n"
    "                      debug console on stdout)\n"
    "  -fda FILE, -fdb FILE  floppy disk images (drive A, B)\n"
    "  -hda FILE ... -hdd FILE  hard disk images (IDE primary master/slave,\n"
    "                      secondary master/slave)\n"
    "  -cdrom FILE         CD-ROM image (IDE secondary master, read-only)\n"
    "  -snapshot           writes to disk images go to memory and are dropped at exit\n"
    "  -kernel FILE        boot a Linux bzImage or a Multiboot kernel (through SeaBIOS)\n"
    "  -initrd FILE        Linux: the initrd; Multiboot: modules 'file args,file args'\n"
    "  -append STRING      the kernel command line\n"
    "  -debugcon DEV       port 0xE9 debug console: stdio, file:PATH, null or none\n"
    "                      (default: stdio with -demo, none otherwise)\n"
    "  -device isa-debug-exit[,iobase=N][,iosize=N]\n"
    "                      a write of V to the port exits pcvm with status\n"
    "                      (V << 1) | 1 (defaults iobase=0x501, iosize=2, as QEMU)\n"
    "  -device isa-debugcon,iobase=N\n"
    "                      the debug console on port N instead of 0xE9 (0x402:\n"
    "                      SeaBIOS's log; -debugcon then defaults to stdio)\n"
    "  -display sdl|curses|none\n"
    "                      the screen in a window (default when pcvm has SDL2, the\n"
    "                      machine a VGA and the host $DISPLAY or $WAYLAND_DISPLAY),\n"
    "                      the text screen on the terminal (Ctrl-A X quits), or none;\n"
    "                      with a display the guest runs at the host's pace\n"
    "  -window-screenshot FILE.png\n"
    "                      save the window's pixels when pcvm exits (-display sdl; tests)\n"
    "  -option-rom FILE    an option ROM for SeaBIOS to run (fw_cfg genroms/; up to 4)\n"
    "  -screenshot-on-exit FILE.png\n"
    "                      save the VGA screen as a PNG when pcvm exits\n"
    "  -nographic          no display; COM1 on the terminal unless -serial says otherwise\n"
    "                      (Ctrl-A X quits, Ctrl-A Ctrl-A sends Ctrl-A)\n"
    "  -serial DEV         the next COM port (COM1 first, up to four): stdio,\n"
    "                      file:PATH, null or none\n"
    "  -rtc [base=utc|localtime|DATE][,clock=host|vm]\n"
    "                      RTC start (default: the host's time; DATE as 2024-01-31\n"
    "                      or 2024-01-31T12:00:00) and pacing: clock=host runs the\n"
    "                      guest at the host's pace, vm (default) as fast as it can\n"
    "  -boot ORDER         boot order, up to three of a, c, d, n (default cad)\n"
    "  -max-insns N        stop after N guest instructions (exit status 124)\n"
    "  -no-reboot          exit on a triple fault (status 2) instead of resetting\n"
    "  -stats              print the instruction count and MIPS on stderr at exit\n"
    "  -debugger           the debugger on the terminal: Ctrl-C breaks into it\n"
    "                      (stdin not a terminal: commands are read as a script)\n"
    "  -S                  stop before the first instruction (in the debugger, or\n"
    "                      waiting for gdb with -s/-gdb)\n"
    "  -gdb tcp:[HOST]:PORT  gdb remote stub (HOST defaults to 127.0.0.1)\n"
    "  -s                  the same as -gdb tcp::1234\n"
    "  -magic-break        xchg bx,bx stops into the debugger (or gdb)\n"
    "  -symbols FILE       symbols for the debugger: 'ADDRESS NAME' lines (nm style)\n"
    "  -post               print the last POST code written to port 0x190 on stderr\n"
    "                      at exit (\"pcvm: POST code 0xNN (N writes)\")\n"
    "  -h, -help, --help   this text\n"
    "  -version            the version\n"
    "\n"
    "Exit status: the guest's isa-debug-exit status; else 0 when the guest halts\n"
    "or powers off (ACPI),\n"
    "1 for bad input, 2 for a triple fault with -no-reboot, 124 when -max-insns runs out.\n";

/* ---------------------------------------------------------------- parsing */

/* A whole unsigned number in C syntax (decimal, 0x hex, 0 octal). */
static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* -m: QEMU's spelling, MiB by default, or a suffix M/G ("size=" allowed). */
static uint64_t parse_ram(const char *arg)
{
    const char *s = arg;
    if (strncmp(s, "size=", 5) == 0)
        s += 5;
    char num[32];
    size_t n = strlen(s);
    uint64_t unit = 1u << 20;
    if (n > 0 && (s[n - 1] == 'M' || s[n - 1] == 'm')) {
        n--;
    } else if (n > 0 && (s[n - 1] == 'G' || s[n - 1] == 'g')) {
        unit = 1u << 30;
        n--;
    }
    uint64_t v;
    if (n == 0 || n >= sizeof num)
        goto bad;
    memcpy(num, s, n);
    num[n] = 0;
    for (size_t k = 0; k < n; k++)
        if (num[k] < '0' || num[k] > '9')
            goto bad;
    if (!parse_u64(num, &v) || v > (UINT64_MAX >> 30))
        goto bad;
    v *= unit;
    if (v < MACHINE_MIN_RAM || v > MACHINE_MAX_RAM)
        die("-m %s: RAM size must be between 1 MiB and %u MiB", arg,
            (unsigned)(MACHINE_MAX_RAM >> 20));
    return v;
bad:
    die("invalid -m value '%s': give the RAM size in MiB, or with a suffix "
        "M or G (e.g. -m 64, -m 1G)", arg);
}

struct debugexit_opt {
    bool present;
    uint64_t iobase, iosize;
    bool debugcon_moved;      /* -device isa-debugcon,iobase=N */
    uint64_t debugcon_port;
};

/* -device isa-debug-exit[,iobase=N][,iosize=N] and
 * -device isa-debugcon[,iobase=N] (the -debugcon console on another port,
 * e.g. 0x402 where SeaBIOS writes its log). */
static void parse_device(const char *arg, struct debugexit_opt *dx)
{
    if (strcmp(arg, "help") == 0 || strcmp(arg, "?") == 0) {
        printf("isa-debug-exit  iobase=N (default 0x501), iosize=N (default 2)\n"
               "isa-debugcon    iobase=N (default 0xe9): where the -debugcon console is\n");
        exit(0);
    }
    const char *comma = strchr(arg, ',');
    size_t namelen = comma ? (size_t)(comma - arg) : strlen(arg);
    bool con = namelen == strlen("isa-debugcon") && strncmp(arg, "isa-debugcon", namelen) == 0;
    if (!con && (namelen != strlen("isa-debug-exit") ||
                 strncmp(arg, "isa-debug-exit", namelen) != 0))
        die("unknown device '%.*s' (known: isa-debug-exit, isa-debugcon)", (int)namelen, arg);
    const char *dev = con ? "isa-debugcon" : "isa-debug-exit";
    if (con ? dx->debugcon_moved : dx->present)
        die("-device %s given twice: only one is supported", dev);
    if (con) {
        dx->debugcon_moved = true;
        dx->debugcon_port = MACHINE_DEBUGCON_PORT;
    } else {
        dx->present = true;
        dx->iobase = MACHINE_DEBUGEXIT_IOBASE;
        dx->iosize = MACHINE_DEBUGEXIT_IOSIZE;
    }
    while (comma) {
        const char *prop = comma + 1;
        comma = strchr(prop, ',');
        size_t len = comma ? (size_t)(comma - prop) : strlen(prop);
        char buf[64];
        if (len >= sizeof buf)
            die("-device %s: property '%.*s' is too long", dev, (int)len, prop);
        memcpy(buf, prop, len);
        buf[len] = 0;
        char *eq = strchr(buf, '=');
        if (!eq)
            die("-device %s: property '%s' needs a value (e.g. iobase=0x%s)", dev, buf,
                con ? "402" : "f4");
        *eq = 0;
        uint64_t *field;
        if (strcmp(buf, "iobase") == 0)
            field = con ? &dx->debugcon_port : &dx->iobase;
        else if (strcmp(buf, "iosize") == 0 && !con)
            field = &dx->iosize;
        else
            die("-device %s: unknown property '%s' (known: %s)", dev, buf,
                con ? "iobase" : "iobase, iosize");
        if (!parse_u64(eq + 1, field))
            die("-device %s: invalid %s '%s'", dev, buf, eq + 1);
    }
    uint64_t base = con ? dx->debugcon_port : dx->iobase;
    if (base == 0 || base > 0xFFFF)
        die("-device %s: iobase 0x%" PRIx64 " is not a port (1 to 0xffff)", dev, base);
    if (!con && (dx->iosize == 0 || dx->iobase + dx->iosize > 0x10000))
        die("-device isa-debug-exit: iosize 0x%" PRIx64 " does not fit above iobase 0x%" PRIx64,
            dx->iosize, dx->iobase);
}

/* ---------------------------------------------------------------- firmware */

/* Reads the BIOS image: the whole file, which must be 64, 128 or 256 KiB.
 * One static buffer (the machine copies the image), so the error exits
 * leave nothing allocated behind. */
static uint8_t *read_bios(const char *path, size_t *size)
{
    static uint8_t buf[BIOS_MAX + 1];
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) {
        int open_errno = errno;
        /* Windows opens no directory at all: say what it is all the same. */
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            die("%s: is a directory, not a BIOS image", path);
        die("%s: cannot open: %s", path, strerror(open_errno));
    }
    bool have_st = fstat(fileno(f), &st) == 0;
    bool regular = have_st && S_ISREG(st.st_mode);
    if (have_st && S_ISDIR(st.st_mode))
        die("%s: is a directory, not a BIOS image", path);
    size_t n = 0;
    while (n < BIOS_MAX + 1) {
        size_t got = fread(buf + n, 1, BIOS_MAX + 1 - n, f);
        if (got == 0)
            break;
        n += got;
    }
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    if (read_errno)
        die("%s: read error: %s", path, strerror(read_errno));
    if (regular && n <= BIOS_MAX && (uint64_t)st.st_size != n)
        die("%s: short read (%zu of %jd bytes)", path, n, (intmax_t)st.st_size);
    if (n == 0)
        die("%s: file is empty; a BIOS image must be 64, 128 or 256 KiB", path);
    if (!machine_bios_size_ok(n)) {
        if (regular)
            die("%s: size %jd bytes; a BIOS image must be 64, 128 or 256 KiB", path,
                (intmax_t)st.st_size);
        if (n > BIOS_MAX)
            die("%s: more than %u bytes; a BIOS image must be 64, 128 or 256 KiB",
                path, BIOS_MAX);
        die("%s: size %zu bytes; a BIOS image must be 64, 128 or 256 KiB", path, n);
    }
    *size = n;
    return buf;
}

/* An option ROM file (-option-rom): a malloc'd copy, or the program
 * ends with one line naming the option. */
static uint8_t *read_option_rom(const char *opt, const char *path, size_t *size)
{
    char err[512];
    uint8_t *buf = firmware_read_option_rom(path, size, err, sizeof err);
    if (!buf)
        die("%s %s", opt, err);
    return buf;
}

/* ---------------------------------------------------------------- -kernel */

/* A whole file of any size (the kernel, an initrd), malloc'ed. */
static uint8_t *read_file(const char *opt, const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) {
        int open_errno = errno;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            die("%s %s: is a directory", opt, path);
        die("%s %s: cannot open: %s", opt, path, strerror(open_errno));
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
        die("%s %s: is a directory", opt, path);
    size_t cap = 1u << 20, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            if (cap >= MACHINE_MAX_RAM)
                die("%s %s: larger than the largest RAM (%u MiB)", opt, path,
                    (unsigned)(MACHINE_MAX_RAM >> 20));
            uint8_t *bigger = realloc(buf, cap * 2);
            if (!bigger)
                free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    if (!buf)
        die("%s %s: out of memory", opt, path);
    if (ferror(f))
        die("%s %s: read error: %s", opt, path, strerror(errno));
    fclose(f);
    *size = n;
    return buf;
}

/* -initrd for a Multiboot kernel, as QEMU splits it: modules separated by
 * commas (",," is a comma in a name or argument), each "FILE ARGS" with
 * the whole string as the module's command line. */
static struct kernel_module *read_modules(const char *spec, unsigned *count)
{
    size_t len = strlen(spec);
    struct kernel_module *mods = calloc(len + 1, sizeof *mods);
    char *all = malloc(len + 1);
    if (!mods || !all)
        die("-initrd: out of memory");
    unsigned n = 0;
    size_t o = 0;
    for (size_t i = 0; i <= len; i++) {
        if (spec[i] == ',' && spec[i + 1] == ',') {
            all[o++] = ',';
            i++;
        } else if (spec[i] == ',' || spec[i] == 0) {
            all[o++] = 0;
            mods[n++].cmdline = NULL;
        } else {
            all[o++] = spec[i];
        }
    }
    /* all now holds n NUL-terminated strings */
    char *p = all;
    for (unsigned k = 0; k < n; k++) {
        mods[k].cmdline = p;
        size_t l = strlen(p);
        if (l == 0)
            die("-initrd '%s': an empty module name", spec);
        char file[4096];
        size_t fl = strcspn(p, " ");
        if (fl >= sizeof file)
            die("-initrd: module file name too long");
        memcpy(file, p, fl);
        file[fl] = 0;
        mods[k].data = read_file("-initrd", file, &mods[k].size);
        p += l + 1;
    }
    *count = n;
    return mods;
}

/* ---------------------------------------------------------------- debugcon */

struct sink {
    FILE *f;
    const char *name;
    bool error;
};

static void sink_byte(void *opaque, uint8_t byte)
{
    struct sink *s = opaque;
    if (putc(byte, s->f) == EOF)
        s->error = true;
}

static void sink_discard(void *opaque, uint8_t byte)
{
    (void)opaque;
    (void)byte;
}

/* ---------------------------------------------------------------- drives */

enum { DRV_FDA, DRV_FDB, DRV_HDA, DRV_HDB, DRV_HDC, DRV_HDD, DRV_CDROM, DRIVE_OPTIONS };
static const char *const drive_names[DRIVE_OPTIONS] = {
    "fda", "fdb", "hda", "hdb", "hdc", "hdd", "cdrom",
};

/* The DRV_* index of a drive option's name, or -1. */
static int drive_option(const char *o)
{
    for (int d = 0; d < DRIVE_OPTIONS; d++)
        if (strcmp(o, drive_names[d]) == 0)
            return d;
    return -1;
}

/* ---------------------------------------------------------------- main */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *cpu = NULL, *bios_path = NULL, *debugcon = NULL, *vga_bios_path = NULL;
    const char *drive_path[DRIVE_OPTIONS] = { 0 };
    bool demo = false, no_vga = false, snapshot = false;
    uint64_t ram = 0, max_insns = 0;
    bool stats = false, post = false, no_reboot = false;
    struct debugexit_opt dx = { 0 };
    struct hostdev hd = { 0 };
    bool debugger = false, stop_at_start = false, magic_break = false;
    const char *gdb_dev = NULL, *symbols = NULL;
    const char *kernel_path = NULL, *initrd_spec = NULL, *append = NULL;
    const char *screenshot = NULL;
    const char *option_rom_paths[MACHINE_MAX_OPTION_ROMS];
    unsigned n_option_roms = 0;
    struct display_options dopt = { .kind = DISPLAY_NONE };
    bool display_given = false;
#ifdef _WIN32
    /* The same bytes as on any host: the guest's output as it is, and our
     * messages ending in \n (no text-mode \r\n translation). */
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
    _setmode(_fileno(stderr), _O_BINARY);
#endif

    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        if (a[0] != '-' || a[1] == 0)
            die("unexpected argument '%s' (a disk image needs -hda, -fda or -cdrom; try -h)", a);
        const char *o = a + 1;
        if (o[0] == '-' && o[1] != 0)
            o++; /* --opt is -opt, as in QEMU */
        bool has_arg = strcmp(o, "cpu") == 0 || strcmp(o, "m") == 0 ||
                       strcmp(o, "bios") == 0 || strcmp(o, "debugcon") == 0 ||
                       strcmp(o, "device") == 0 || strcmp(o, "display") == 0 ||
                       strcmp(o, "max-insns") == 0 || strcmp(o, "gdb") == 0 ||
                       strcmp(o, "symbols") == 0 || strcmp(o, "serial") == 0 ||
                       strcmp(o, "rtc") == 0 || strcmp(o, "boot") == 0 ||
                       strcmp(o, "vga-bios") == 0 || strcmp(o, "vga") == 0 ||
                       strcmp(o, "L") == 0 || drive_option(o) >= 0 ||
                       strcmp(o, "window-screenshot") == 0 ||
                       strcmp(o, "screenshot-on-exit") == 0 || strcmp(o, "option-rom") == 0 ||
                       strcmp(o, "kernel") == 0 || strcmp(o, "initrd") == 0 ||
                       strcmp(o, "append") == 0;
        const char *v = NULL;
        if (has_arg) {
            if (k + 1 >= argc)
                die("option '%s' needs an argument (try -h)", a);
            v = argv[++k];
        }
        if (strcmp(o, "h") == 0 || strcmp(o, "help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(o, "version") == 0) {
            printf("pcvm version %s\n", PCVM_VERSION);
            return 0;
        } else if (strcmp(o, "cpu") == 0) {
            if (strcmp(v, "help") == 0 || strcmp(v, "?") == 0) {
                for (int m = 0; m < cpu_model_count; m++)
                    printf("%s\n", cpu_models[m].name);
                return 0;
            }
            if (!cpu_model_find(v))
                die("unknown CPU model '%s' (known: %s)", v, cpu_model_names());
            cpu = v;
        } else if (strcmp(o, "m") == 0) {
            ram = parse_ram(v);
        } else if (strcmp(o, "bios") == 0) {
            bios_path = v;
        } else if (strcmp(o, "kernel") == 0) {
            kernel_path = v;
        } else if (strcmp(o, "initrd") == 0) {
            initrd_spec = v;
        } else if (strcmp(o, "append") == 0) {
            append = v;
        } else if (strcmp(o, "vga-bios") == 0) {
            vga_bios_path = v;
        } else if (strcmp(o, "vga") == 0) {
            if (strcmp(v, "std") != 0 && strcmp(v, "none") != 0)
                die("-vga '%s': not supported (use std or none)", v);
            no_vga = strcmp(v, "none") == 0;
        } else if (strcmp(o, "L") == 0) {
            firmware_add_dir(v);
        } else if (strcmp(o, "demo") == 0) {
            demo = true;
        } else if (drive_option(o) >= 0) {
            int d = drive_option(o);
            if (drive_path[d])
                die("-%s given twice", o);
            drive_path[d] = v;
        } else if (strcmp(o, "snapshot") == 0) {
            snapshot = true;
        } else if (strcmp(o, "debugcon") == 0) {
            if (strcmp(v, "stdio") != 0 && strcmp(v, "none") != 0 &&
                strcmp(v, "null") != 0 && (strncmp(v, "file:", 5) != 0 || !v[5]))
                die("-debugcon '%s': not supported (use stdio, file:PATH, null or none)", v);
            debugcon = v;
        } else if (strcmp(o, "device") == 0) {
            parse_device(v, &dx);
        } else if (strcmp(o, "display") == 0) {
            if (!display_parse(v, &dopt.kind))
                die("-display '%s': unknown display (known: sdl, curses, none)", v);
            if (!display_built_in(dopt.kind))
                die("-display %s: this pcvm was built without %s", v,
                    dopt.kind == DISPLAY_SDL ? "SDL2" : "ncurses");
            display_given = true;
        } else if (strcmp(o, "window-screenshot") == 0) {
            dopt.window_screenshot = v;
        } else if (strcmp(o, "screenshot-on-exit") == 0) {
            screenshot = v;
        } else if (strcmp(o, "option-rom") == 0) {
            if (n_option_roms == MACHINE_MAX_OPTION_ROMS)
                die("-option-rom %s: at most %d option ROMs", v, MACHINE_MAX_OPTION_ROMS);
            option_rom_paths[n_option_roms++] = v;
        } else if (strcmp(o, "nographic") == 0) {
            hd.nographic = true; /* no display; serial on stdio */
        } else if (strcmp(o, "serial") == 0) {
            hostdev_serial_option(&hd, v);
        } else if (strcmp(o, "rtc") == 0) {
            hostdev_rtc_option(&hd, v);
        } else if (strcmp(o, "boot") == 0) {
            hostdev_boot_option(&hd, v);
        } else if (strcmp(o, "max-insns") == 0) {
            if (!parse_u64(v, &max_insns) || max_insns == 0)
                die("invalid -max-insns value '%s' (a positive instruction count)", v);
        } else if (strcmp(o, "stats") == 0) {
            stats = true;
        } else if (strcmp(o, "no-reboot") == 0) {
            no_reboot = true;
        } else if (strcmp(o, "debugger") == 0) {
            debugger = true;
        } else if (strcmp(o, "S") == 0) {
            stop_at_start = true;
        } else if (strcmp(o, "s") == 0) {
            gdb_dev = "tcp::1234";
        } else if (strcmp(o, "gdb") == 0) {
            gdb_dev = v;
        } else if (strcmp(o, "magic-break") == 0) {
            magic_break = true;
        } else if (strcmp(o, "symbols") == 0) {
            symbols = v;
        } else if (strcmp(o, "post") == 0) {
            post = true;
        } else {
            die("unknown option '%s' (try -h)", a);
        }
    }

    /* -gdb tcp:[HOST]:PORT */
    char gdb_host[64] = "";
    int gdb_port = 0;
    if (gdb_dev) {
        const char *hp = strncmp(gdb_dev, "tcp:", 4) == 0 ? gdb_dev + 4 : NULL;
        const char *colon = hp ? strrchr(hp, ':') : NULL;
        uint64_t port;
        if (!colon || (size_t)(colon - hp) >= sizeof gdb_host || !parse_u64(colon + 1, &port) ||
            port == 0 || port > 65535)
            die("-gdb '%s': expected tcp::PORT or tcp:HOST:PORT (e.g. -gdb tcp::1234)", gdb_dev);
        memcpy(gdb_host, hp, (size_t)(colon - hp));
        gdb_host[colon - hp] = 0;
        gdb_port = (int)port;
        if (debugger)
            die("-debugger and -gdb/-s cannot be used together: pick one");
    }
    if ((stop_at_start || magic_break || symbols) && !gdb_dev)
        debugger = true;
    if (display_given && hd.nographic && dopt.kind != DISPLAY_NONE)
        die("-nographic and -display %s cannot be used together",
            dopt.kind == DISPLAY_SDL ? "sdl" : "curses");
    if (display_given && dopt.kind != DISPLAY_NONE && (debugger || gdb_dev))
        die("-display %s cannot be used with the debugger or gdb yet (use -display none)",
            dopt.kind == DISPLAY_SDL ? "sdl" : "curses");

    /* Firmware: the demo ROM built into pcvm, the file given, or SeaBIOS
     * from where the system installed it. */
    const uint8_t *bios = rom_demo;
    size_t bios_size = rom_demo_size;
    char fwerr[512];
    if (demo && bios_path)
        die("-demo and -bios cannot be used together: pick one");
    if (!demo) {
        char *path = firmware_find(bios_path ? bios_path : FIRMWARE_BIOS, !bios_path, fwerr,
                                   sizeof fwerr);
        if (!path)
            die("%s", fwerr);
        bios = read_bios(path, &bios_size);
        free(path);
    }
    uint8_t *vga_bios = NULL;
    size_t vga_bios_size = 0;
    if (!demo && !no_vga) {
        /* The VGA BIOS: the file given, else SeaVGABIOS when it is found;
         * with the default firmware it must be there (same package). */
        char *path = firmware_find(vga_bios_path ? vga_bios_path : FIRMWARE_VGA_BIOS,
                                   !vga_bios_path, fwerr, sizeof fwerr);
        if (!path && (vga_bios_path || !bios_path))
            die("%s", fwerr);
        if (path) {
            vga_bios = firmware_read_option_rom(path, &vga_bios_size, fwerr, sizeof fwerr);
            free(path);
            if (!vga_bios && vga_bios_path)
                die("-vga-bios %s", fwerr);
            if (!vga_bios)
                die("%s", fwerr);
        }
    } else if (vga_bios_path) {
        die("-vga-bios needs a VGA: drop %s", demo ? "-demo" : "-vga none");
    }
    if (!debugcon)
        debugcon = demo || dx.debugcon_moved ? "stdio" : "none";

    /* Disk images. */
    static struct diskimage images[DRIVE_OPTIONS];
    bool image_open[DRIVE_OPTIONS] = { false };
    if (drive_path[DRV_CDROM] && drive_path[DRV_HDC])
        die("-cdrom and -hdc both want the IDE secondary master: drop one");
    for (int d = 0; d < DRIVE_OPTIONS; d++) {
        if (!drive_path[d])
            continue;
        char derr[512];
        enum diskimage_mode mode = d == DRV_CDROM ? DISKIMAGE_RO : DISKIMAGE_RW;
        if (!diskimage_open(&images[d], drive_path[d], mode, snapshot, derr, sizeof derr))
            die("-%s %s", drive_names[d], derr);
        image_open[d] = true;
    }

    if (screenshot && !vga_bios)
        die("-screenshot-on-exit %s: the machine has no VGA (%s)", screenshot,
            demo ? "-demo has none" : no_vga ? "-vga none" : "no VGA BIOS found");
    if ((initrd_spec || append) && !kernel_path)
        die("%s needs -kernel", initrd_spec ? "-initrd" : "-append");
    struct kernel_boot kb = { .name = kernel_path, .cmdline = append };
    if (kernel_path) {
        if (bios == rom_demo)
            die("-kernel boots through SeaBIOS: drop -demo");
        kb.image = read_file("-kernel", kernel_path, &kb.size);
        enum kernel_kind kind = kernel_kind(kb.image, kb.size);
        if (initrd_spec && kind == KERNEL_MULTIBOOT) {
            struct kernel_module *mods = read_modules(initrd_spec, &kb.ninitrd);
            kb.initrd = mods;
        } else if (initrd_spec) {
            static struct kernel_module one;
            one.cmdline = initrd_spec;
            one.data = read_file("-initrd", initrd_spec, &one.size);
            kb.initrd = &one;
            kb.ninitrd = 1;
        }
        kb.linuxboot_rom = rom_linuxboot;
        kb.linuxboot_rom_size = rom_linuxboot_size;
        kb.multiboot_rom = rom_multiboot;
        kb.multiboot_rom_size = rom_multiboot_size;
    }

    struct sink sink = { .f = NULL };
    struct machine_option_rom option_roms[MACHINE_MAX_OPTION_ROMS] = { { 0 } };
    for (unsigned i = 0; i < n_option_roms; i++) {
        const char *p = option_rom_paths[i], *base = p;
        for (const char *q = p; *q; q++)
            if (*q == '/' || *q == '\\')
                base = q + 1;
        option_roms[i].name = base;
        option_roms[i].data = read_option_rom("-option-rom", p, &option_roms[i].size);
    }
    struct machine_config cfg = {
        .cpu_model = cpu,
        .ram_bytes = ram,
        .bios = bios,
        .bios_size = bios_size,
        .debugexit_iobase = dx.present ? (uint16_t)dx.iobase : 0,
        .debugexit_iosize = dx.present ? (uint16_t)dx.iosize : 0,
        .max_insns = max_insns,
        .no_reboot = no_reboot,
        .debugcon_port = dx.debugcon_moved ? (uint16_t)dx.debugcon_port : 0,
        .vga_bios = vga_bios,
        .vga_bios_size = vga_bios_size,
    };
    for (int d = DRV_HDA; d <= DRV_HDD; d++)
        if (image_open[d])
            cfg.ide[d - DRV_HDA] = (struct machine_drive){ DRIVE_DISK, &images[d].bd };
    if (!demo) /* a PC has its CD-ROM drive whether or not a disc is in it */
        cfg.ide[2] = (struct machine_drive){ DRIVE_CDROM,
                                             image_open[DRV_CDROM] ? &images[DRV_CDROM].bd : NULL };
    if (image_open[DRV_HDC])
        cfg.ide[2] = (struct machine_drive){ DRIVE_DISK, &images[DRV_HDC].bd };
    for (int d = DRV_FDA; d <= DRV_FDB; d++)
        if (image_open[d])
            cfg.floppy[d - DRV_FDA] = &images[d].bd;
    memcpy(cfg.option_roms, option_roms, sizeof option_roms);
    if (strcmp(debugcon, "stdio") == 0) {
        sink = (struct sink){ .f = stdout, .name = "stdout" };
        cfg.debugcon = sink_byte;
        cfg.debugcon_opaque = &sink;
    } else if (strncmp(debugcon, "file:", 5) == 0) {
        sink = (struct sink){ .f = fopen(debugcon + 5, "wb"), .name = debugcon + 5 };
        if (!sink.f)
            die("-debugcon %s: cannot open: %s", debugcon, strerror(errno));
        cfg.debugcon = sink_byte;
        cfg.debugcon_opaque = &sink;
    } else if (strcmp(debugcon, "null") == 0) {
        cfg.debugcon = sink_discard;
    }

    /* The display: as asked, else a window when one can be shown (never
     * with -nographic, the debugger or gdb, which own the terminal).  With
     * a display the guest runs at the host's pace unless -rtc clock=vm
     * says otherwise; without one, as fast as it can (reproducible runs). */
    if (!display_given && !hd.nographic && !debugger && !gdb_dev)
        dopt.kind = display_default(cfg.vga_bios != NULL);
    if (dopt.window_screenshot && dopt.kind != DISPLAY_SDL)
        die("-window-screenshot %s: needs the window (-display sdl)", dopt.window_screenshot);
    if (dopt.kind == DISPLAY_CURSES) {
        for (int i = 0; i < hd.nserial; i++)
            if (strcmp(hd.serial[i].spec, "stdio") == 0)
                die("-display curses and -serial stdio both want the terminal: pick one");
        if (strcmp(debugcon, "stdio") == 0)
            die("-display curses draws on the terminal: give -debugcon file:PATH or none");
    }
    if (dopt.kind != DISPLAY_NONE && !hd.pace_given)
        hd.pace = true;

    hd.keep_tty = debugger || gdb_dev; /* their loops run the machine */
    hostdev_config(&hd, &cfg);

    char err[256];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    free(vga_bios); /* the machine has its copy */
    vga_bios = NULL;
    for (unsigned i = 0; i < n_option_roms; i++)
        free((void *)cfg.option_roms[i].data);
    if (!m)
        die("%s", err);
    if (kernel_path) {
        bool ok = machine_boot_kernel(m, &kb, err, sizeof err);
        /* fw_cfg holds copies now */
        for (unsigned k = 0; k < kb.ninitrd; k++)
            free((void *)kb.initrd[k].data);
        if (kb.ninitrd && kb.initrd[0].cmdline != initrd_spec) {
            /* read_modules: one array, one buffer holding every command line */
            free((void *)kb.initrd[0].cmdline);
            free((void *)kb.initrd);
        }
        free((void *)kb.image);
        if (!ok) {
            machine_free(m);
            die("%s", err);
        }
    }

    struct display *disp = NULL;
    if (dopt.kind != DISPLAY_NONE) {
        disp = display_open(&dopt, m, err, sizeof err);
        if (!disp) {
            machine_free(m);
            die("%s", err);
        }
    }

    struct dbg *dbg = NULL;
    if (debugger || gdb_dev) {
        dbg = dbg_new(m, stdout);
        if (!dbg)
            die("out of memory for the debugger");
        if (symbols && dbg_load_symbols(dbg, symbols, err, sizeof err) < 0) {
            dbg_free(dbg);
            machine_free(m);
            die("-symbols %s", err);
        }
        dbg_set_magic_break(dbg, magic_break);
    }

    double t0 = now();
    enum machine_exit why;
    bool quit = false;
    if (gdb_dev) {
        int r = gdbstub_run(dbg, gdb_host[0] ? gdb_host : NULL, gdb_port, stop_at_start, err,
                            sizeof err);
        if (r == -1) {
            dbg_free(dbg);
            machine_free(m);
            die("%s", err);
        }
        if (r == -2) {          /* gdb detached: run on without it */
            dbg_free(dbg);
            dbg = NULL;
            why = machine_run(m);
        } else {
            why = (enum machine_exit)r;
            quit = why == MACHINE_RUNNING;   /* gdb killed the guest */
        }
    } else if (debugger) {
        why = dbg_cli(dbg, stop_at_start);
        quit = why == MACHINE_RUNNING;       /* quit in the debugger */
    } else if (disp) {
        why = display_run(disp, &hd, &quit);
        display_close(disp);   /* the terminal back before any message */
        if (quit)
            why = MACHINE_RUNNING; /* the user closed the window: status 0 */
    } else {
        why = hostdev_run(&hd, m);
    }
    double secs = now() - t0;
    machine_drain_output(m);
    dbg_free(dbg);
    (void)quit;

    int status = 0;
    if (sink.f) {
        if (fflush(sink.f) != 0)
            sink.error = true;
        if (sink.f != stdout && fclose(sink.f) != 0)
            sink.error = true;
    }
    fflush(stdout);
    switch (why) {
    case MACHINE_EXIT_DEBUG:
        status = m->exit_code;
        break;
    case MACHINE_EXIT_DEAD:
    case MACHINE_EXIT_HALTED:
        fprintf(stderr, "pcvm: %s\n", machine_exit_name(why));
        break;
    case MACHINE_EXIT_SHUTDOWN:
        fprintf(stderr, "pcvm: triple fault: the CPU shut down at %04X:%0*" PRIX32
                " after %" PRIu64 " instructions\n", m->cpu.seg[S_CS].sel,
                m->cpu.eip > 0xFFFF ? 8 : 4, m->cpu.eip, machine_icount(m));
        status = EXIT_TRIPLE_FAULT;
        break;
    case MACHINE_EXIT_LIMIT:
        fprintf(stderr, "pcvm: stopped after %" PRIu64 " instructions (-max-insns)\n",
                machine_icount(m));
        status = EXIT_LIMIT;
        break;
    case MACHINE_EXIT_POWEROFF:   /* like QEMU: status 0, nothing said */
    case MACHINE_RUNNING:
        break;
    }
    if (stats) {
        /* The clock counts instructions; a HLT skips it ahead to the next
         * timer (m->idle), a spin-wait hint a little (cpu.spin_skipped):
         * executed instructions are the rest. */
        uint64_t skipped = m->idle + m->cpu.spin_skipped;
        uint64_t ran = machine_icount(m) - skipped;
        fprintf(stderr, "pcvm: %" PRIu64 " guest instructions in %.3f s = %.1f MIPS; "
                "virtual time %.3f s, %.3f s of it halted or spinning\n",
                ran, secs, secs > 0 ? (double)ran / secs / 1e6 : 0.0,
                (double)clock_ns(machine_icount(m)) / 1e9, (double)clock_ns(skipped) / 1e9);
    }
    if (post) {
        if (m->postcode.writes)
            fprintf(stderr, "pcvm: POST code 0x%02X (%" PRIu64 " writes to port 0x%X)\n",
                    m->postcode.last, m->postcode.writes, (unsigned)m->postcode.port);
        else
            fprintf(stderr, "pcvm: POST code none (no write to port 0x%X)\n",
                    (unsigned)m->postcode.port);
    }
    if (screenshot && machine_vga(m)) {
        struct vga_frame frame;
        vga_render(machine_vga(m), &frame);
        if (!screenshot_write_png(screenshot, &frame, err, sizeof err)) {
            fprintf(stderr, "pcvm: -screenshot-on-exit %s\n", err);
            if (status == 0)
                status = EXIT_BAD_INPUT;
        }
    }
    if (!hostdev_close(&hd) && status == 0)
        status = EXIT_BAD_INPUT;
    machine_free(m);
    m = NULL;
    for (int d = 0; d < DRIVE_OPTIONS; d++) {
        char derr[512];
        if (image_open[d] && !diskimage_close(&images[d], derr, sizeof derr)) {
            fprintf(stderr, "pcvm: -%s %s\n", drive_names[d], derr);
            if (status == 0)
                status = EXIT_BAD_INPUT;
        }
    }
    free(vga_bios);
    if (sink.error) {
        fprintf(stderr, "pcvm: debugcon: cannot write to %s\n", sink.name);
        if (status == 0)
            status = EXIT_BAD_INPUT;
    }
    return status;
}

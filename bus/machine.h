/* A whole emulated PC as one value: bus, block cache, CPU and devices.
 *
 * There is no global machine: create as many as you like and run them
 * side by side.  The machine makes no OS calls; whatever touches the host
 * (reading the BIOS file, writing debugcon bytes somewhere) is done by the
 * caller through the config: a BIOS image buffer and a byte sink.
 *
 * Time is virtual and deterministic: the only clock is the number of
 * retired guest instructions (cpu.icount).
 */
#ifndef PCVM_MACHINE_H
#define PCVM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cpu/cpu.h"
#include "../devices/port92.h"
#include "../devices/debugcon.h"
#include "../devices/debugexit.h"
#include "../devices/postcode.h"
#include "../devices/cmos.h"
#include "../devices/dma8237.h"
#include "../devices/fdc82077.h"
#include "../devices/blockdev.h"
#include "../devices/fw_cfg.h"
#include "../devices/i440fx.h"
#include "../devices/i8042.h"
#include "../devices/ide.h"
#include "../devices/pci.h"
#include "../devices/pic8259.h"
#include "../devices/piix3.h"
#include "../devices/piix4pm.h"
#include "../devices/pit8254.h"
#include "../devices/uart16550.h"
#include "../devices/vga.h"
#include "../jit/blockcache.h"
#include "bus.h"
#include "clock.h"
#include "pcdevices.h"

#define MACHINE_DEFAULT_CPU "pentium2"
#define MACHINE_DEFAULT_RAM_MIB 32u
#define MACHINE_MIN_RAM (1u << 20)          /* 1 MiB */
#define MACHINE_MAX_RAM (3584u << 20)       /* 3.5 GiB: the rest of the 4 GiB below is the
                                              PCI hole (BARs, the LFB, the BIOS), as on
                                              QEMU's pc machine */
#define MACHINE_DEBUGCON_PORT 0xE9u
/* QEMU's isa-debug-exit defaults (iobase=0x501, iosize=2). */
#define MACHINE_DEBUGEXIT_IOBASE 0x501u
#define MACHINE_DEBUGEXIT_IOSIZE 2u
/* POST-code port (test386.asm's default; pcvm -post prints the last code). */
#define MACHINE_POST_PORT 0x190u
/* -option-rom images at most. */
#define MACHINE_MAX_OPTION_ROMS 4

/* Instructions per cpu_run call at most: the granularity at which the
 * machine looks at its exit conditions.  Device timers cut runs shorter:
 * the CPU always stops exactly at the next timer deadline. */
#define MACHINE_SLICE 65536u

struct machine_config {
    const char *cpu_model;         /* NULL: MACHINE_DEFAULT_CPU */
    uint64_t ram_bytes;            /* 0: MACHINE_DEFAULT_RAM_MIB MiB */
    const uint8_t *bios;           /* BIOS image (copied); size 64/128/256 KiB */
    size_t bios_size;
    debugcon_sink_fn debugcon;     /* NULL: no debugcon device on port 0xE9 */
    void *debugcon_opaque;
    uint16_t debugcon_port;        /* 0: MACHINE_DEBUGCON_PORT (0xE9) */
    uint16_t debugexit_iobase;     /* 0: no isa-debug-exit device */
    uint16_t debugexit_iosize;     /* 0: MACHINE_DEBUGEXIT_IOSIZE */
    uint64_t max_insns;            /* 0: no limit */
    bool no_reboot;                /* triple fault ends the run (QEMU -no-reboot)
                                      instead of resetting the machine as a PC does */
    /* Pacing to the host clock (interactive use; off = deterministic, as
     * fast as possible).  The frontend provides the host's monotonic clock
     * and a sleep; the machine never keeps virtual time ahead of host time
     * by more than a few milliseconds. */
    bool pace;
    uint64_t (*host_now_ns)(void *opaque);
    void (*host_sleep_ns)(void *opaque, uint64_t ns);
    void *host_opaque;
    /* The RTC's time at power-on, seconds since 1970 (UTC); 0: 2000-01-01
     * 00:00:00, so runs are reproducible unless the frontend passes the
     * host's time. */
    int64_t rtc_start;
    /* Boot order as QEMU's -boot spells it: up to three of a (floppy),
     * c (hard disk), d (CD-ROM), n (network); NULL: "cad". */
    const char *boot_order;
    /* COM1-COM4.  A present port with a NULL sink drops what the guest
     * sends.  No port present at all: COM1 alone, without a sink. */
    struct machine_serial {
        bool present;
        uart_sink_fn sink;
        void *opaque;
    } serial[4];
    /* Drives (the frontend owns the blockdevs; they must outlive the
     * machine).  IDE: 0 primary master (-hda), 1 primary slave (-hdb),
     * 2 secondary master (-hdc, or the -cdrom drive as in QEMU),
     * 3 secondary slave (-hdd).  A CD-ROM drive may have no medium
     * (media NULL).  Floppy: drive A and B (-fda, -fdb). */
    struct machine_drive {
        enum drive_kind kind;      /* devices/ide.h */
        struct blockdev *media;
    } ide[4];
    struct blockdev *floppy[2];
    /* VGA option ROM (SeaVGABIOS's stdvga build), copied; NULL: no VGA. */
    const uint8_t *vga_bios;
    size_t vga_bios_size;
    /* More option ROMs for the firmware to run (QEMU -option-rom): fw_cfg
     * files "genroms/NAME", which SeaBIOS runs after the VGA's; copied.
     * Unused entries have data NULL. */
    struct machine_option_rom {
        const char *name;
        const uint8_t *data;
        size_t size;
    } option_roms[MACHINE_MAX_OPTION_ROMS];
};

/* Why machine_run returned. */
enum machine_exit {
    MACHINE_RUNNING,     /* machine_run_slice only: the slice ended, nothing else */
    MACHINE_EXIT_DEBUG,  /* the guest wrote to isa-debug-exit: see exit_code */
    MACHINE_EXIT_DEAD,   /* HLT with IF=0: nothing can ever wake the CPU */
    MACHINE_EXIT_HALTED, /* HLT with IF=1, but no device can raise an interrupt */
    MACHINE_EXIT_SHUTDOWN, /* triple fault */
    MACHINE_EXIT_LIMIT,  /* cfg.max_insns instructions were executed */
    MACHINE_EXIT_POWEROFF, /* ACPI soft off (S5) through the PIIX4 PM function */
};

struct machine {
    struct bus bus;
    struct blockcache bc;
    struct cpu cpu;
    struct debugcon debugcon;
    struct debugexit debugexit;
    struct postcode postcode;      /* always present at MACHINE_POST_PORT */
    bool has_debugcon, has_debugexit;
    uint8_t *bios;                 /* owned copy of the image */
    size_t bios_size;
    uint64_t max_insns;
    bool no_reboot;
    /* Virtual time and the PC chipset (devices/). */
    struct clock clock;
    struct pic8259 pic;
    struct pit8254 pit;
    struct port92 port92;          /* fast A20 / fast reset (devices/port92.c) */
    struct cmos cmos;
    struct i8042 kbc;
    struct dma8237 dma;
    struct fdc82077 fdc;           /* floppy controller, 0x3F0, IRQ 6, DMA 2 */
    struct uart16550 uart[4];
    bool has_uart[4];
    struct pci_bus pci;
    struct i440fx i440fx;
    struct piix3 piix3;
    struct piix4pm pm;             /* PIIX4 power management, 00:01.3 (ACPI) */
    struct ide ide;                /* PIIX3 IDE, 00:01.1 (devices/ide.c) */
    struct pam_window pam[PAM_SEGMENTS];
    struct fw_cfg fw_cfg;
    bool fw_cfg_ready;
    struct vga *vga;               /* NULL: no VGA (cfg.vga_bios NULL) */
    bool in_cpu;                   /* cpu_run is on the stack */
    bool kicked;                   /* a timer deadline moved earlier meanwhile */
    bool reset_requested;          /* machine_request_reset: reset before the next run */
    bool poweroff_requested;       /* machine_request_poweroff: the run ends */
    uint64_t resets;               /* statistics: resets performed */
    uint64_t idle;                 /* statistics: instructions' worth of virtual
                                      time skipped while the CPU was halted */
    bool pace;
    uint64_t (*host_now_ns)(void *opaque);
    void (*host_sleep_ns)(void *opaque, uint64_t ns);
    void *host_opaque;
    uint64_t pace_host0, pace_virt0; /* host/virtual ns at the pacing origin */
    enum machine_exit exit;        /* last exit reason (MACHINE_RUNNING while none) */
    int exit_code;                 /* MACHINE_EXIT_DEBUG: (value << 1) | 1 */
};

/* Builds and resets a machine.  On failure returns NULL and writes a
 * one-line reason (no "pcvm:" prefix, no newline) into err. */
struct machine *machine_create(const struct machine_config *cfg, char *err,
                               size_t errlen);
void machine_free(struct machine *m);

/* Runs until an exit condition (never returns MACHINE_RUNNING). */
enum machine_exit machine_run(struct machine *m);
/* Runs at most n instructions; MACHINE_RUNNING when none of the exit
 * conditions happened.  Lets a caller interleave machines or poll a UI. */
enum machine_exit machine_run_slice(struct machine *m, uint64_t n);

/* Asks for a full machine reset (CPU and devices), done before the next
 * instruction: the 8042's pulse of output line 0 (0xFE), PIIX3 port 0xCF9,
 * port 0x92 bit 0.  Callable from inside a port handler. */
void machine_request_reset(struct machine *m);
/* Ends the run with MACHINE_EXIT_POWEROFF after the current instruction
 * (the guest's ACPI soft off).  Callable from inside a port handler. */
void machine_request_poweroff(struct machine *m);
/* Resets the CPU and every device now (the memory map is kept). */
void machine_reset(struct machine *m);

/* After MACHINE_EXIT_HALTED (HLT with IF=1 and no timer that could wake
 * the CPU), the host may give input that raises an interrupt (a key, a
 * serial byte): this makes the machine runnable again.  No effect after
 * any other exit. */
void machine_resume(struct machine *m);

/* The machine's VGA (devices/vga.h), or NULL when it has none. */
static inline struct vga *machine_vga(struct machine *m) { return m->vga; }

/* Retired guest instructions since power-on. */
static inline uint64_t machine_icount(const struct machine *m) { return m->cpu.icount; }

/* A short description of an exit reason ("guest halted with interrupts
 * disabled", ...), for messages. */
const char *machine_exit_name(enum machine_exit e);

/* True when size is a valid BIOS image size (64, 128 or 256 KiB). */
bool machine_bios_size_ok(size_t size);

#endif

/* The host side of the PC devices for the pcvm program: -serial
 * (stdio, file:PATH, null; up to four, COM1 first), -nographic's serial
 * on the terminal, -rtc (the RTC's start time and host-clock pacing),
 * -boot (the boot order), and the run loop that feeds terminal input to
 * the guest's COM port.  All host I/O for them lives here. */
#ifndef PCVM_HOSTDEV_H
#define PCVM_HOSTDEV_H

#include <stdbool.h>
#include <stdio.h>

#include "bus/machine.h"

struct host_serial {
    const char *spec;       /* as given */
    FILE *f;                /* output; NULL for null */
    bool stdio;
    bool error;
};

struct hostdev {
    struct host_serial serial[4];
    int nserial;
    bool nographic;
    bool stdin_serial;      /* some COM port reads the terminal */
    int stdin_port;
    bool stdin_eof;
    const char *boot;       /* -boot order */
    bool rtc_set;           /* -rtc base= given */
    int64_t rtc_base;       /* seconds since 1970, or */
    bool rtc_now_local;     /* base=localtime */
    bool pace;              /* -rtc clock=host */
    bool pace_given;        /* -rtc clock= given (host or vm) */
    bool tty_raw;
    bool keep_tty;          /* the debugger or gdb runs: no raw terminal */
    bool ctrl_a;            /* -nographic: Ctrl-A typed, the next key is pcvm's */
    bool quit;              /* -nographic: Ctrl-A X typed */
};

/* Option parsers: each exits with one line on bad input. */
void hostdev_serial_option(struct hostdev *h, const char *v);
void hostdev_rtc_option(struct hostdev *h, const char *v);
void hostdev_boot_option(struct hostdev *h, const char *v);

/* Opens the serial outputs and fills the machine config's serial ports,
 * RTC start, boot order and pacing. */
void hostdev_config(struct hostdev *h, struct machine_config *cfg);
/* machine_run, feeding terminal input to the guest's serial port when
 * one is on stdio (a HLT that waits for that input waits for the host).
 * With -nographic, Ctrl-A X ends the run as in QEMU (MACHINE_RUNNING
 * returned) and Ctrl-A Ctrl-A sends one Ctrl-A. */
enum machine_exit hostdev_run(struct hostdev *h, struct machine *m);
/* Feeds what the terminal typed so far to the guest's serial port (no
 * waiting), for a run loop of its own (display.c); true when bytes went in. */
bool hostdev_poll_input(struct hostdev *h, struct machine *m);
/* The host's monotonic clock in nanoseconds. */
uint64_t hostdev_now_ns(void);
/* Flushes and closes; false when an output failed (message printed). */
bool hostdev_close(struct hostdev *h);

#endif

/* gdb remote stub (RSP over TCP): see gdbstub.c. */
#ifndef PCVM_GDBSTUB_H
#define PCVM_GDBSTUB_H

#include <stdbool.h>

#include "debugger/dbg.h"

/* Listens on host:port (host NULL = 127.0.0.1), waits for gdb when `wait`
 * (-S) or lets the guest run until gdb connects, then serves it until the
 * guest stops for good or gdb kills/detaches.  Returns the machine's exit
 * reason, or MACHINE_RUNNING after kill; -1 with a message in err when the
 * socket cannot be set up. */
int gdbstub_run(struct dbg *d, const char *host, int port, bool wait, char *err, size_t errlen);

#endif

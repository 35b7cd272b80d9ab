/* The debugger's and gdb stub's entry points as main.c uses them, for a
 * pcvm built without them (meson -Ddebugger=disabled, e.g. the Windows
 * build: no packaged Capstone or libedit, no BSD sockets).  The real ones
 * are in debugger/dbg.h and gdbstub.h; nodebugger.c implements these. */
#ifndef PCVM_NODEBUGGER_H
#define PCVM_NODEBUGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "bus/machine.h"

struct dbg;
struct dbg *dbg_new(struct machine *m, FILE *out);
void dbg_free(struct dbg *d);
void dbg_set_magic_break(struct dbg *d, bool on);
int dbg_load_symbols(struct dbg *d, const char *path, char *err, size_t errlen);
enum machine_exit dbg_cli(struct dbg *d, bool start_stopped);
int gdbstub_run(struct dbg *d, const char *host, int port, bool wait, char *err, size_t errlen);

#endif

/* pcvm without the debugger and the gdb stub (see nodebugger.h): main.c
 * creates a debugger only for -debugger, -S, -magic-break, -symbols, -gdb
 * and -s, so dbg_new() is where such a pcvm says, in one line, that it
 * has none; the other functions are never reached. */
#include <stdlib.h>

#include "nodebugger.h"

struct dbg *dbg_new(struct machine *m, FILE *out)
{
    (void)m;
    (void)out;
    fprintf(stderr, "pcvm: this pcvm was built without the debugger and the gdb stub "
                    "(-debugger, -S, -magic-break, -symbols, -gdb, -s)\n");
    exit(1);
}

void dbg_free(struct dbg *d)
{
    (void)d;
}

void dbg_set_magic_break(struct dbg *d, bool on)
{
    (void)d;
    (void)on;
}

int dbg_load_symbols(struct dbg *d, const char *path, char *err, size_t errlen)
{
    (void)d;
    (void)path;
    (void)err;
    (void)errlen;
    return -1;
}

enum machine_exit dbg_cli(struct dbg *d, bool start_stopped)
{
    (void)d;
    (void)start_stopped;
    abort();
}

int gdbstub_run(struct dbg *d, const char *host, int port, bool wait, char *err, size_t errlen)
{
    (void)d;
    (void)host;
    (void)port;
    (void)wait;
    (void)err;
    (void)errlen;
    return -1;
}

/* CPU benchmark driver: boots tests/bench/bench.asm in a machine, times
 * it on the host clock and prints guest instructions, host seconds and
 * MIPS.  The guest prints a checksum that this file computes again in C
 * (reference() below mirrors bench.asm step by step): a CPU that gets the
 * work wrong reports a failure, not a speed.
 *
 * usage: pcvm-bench-cpu BENCH.BIN ITERS [CPU-MODEL]
 * ITERS must be the value the image was assembled with (-DITERS=).
 * Exit status 0 when the checksum matches, 1 otherwise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/machine.h"

static uint32_t rol32(uint32_t v, unsigned n)
{
    return (v << n) | (v >> (32 - n));
}

/* The checksum bench.asm computes, in C. */
static uint32_t reference(uint32_t iters)
{
    uint32_t table[256] = { 0 }, buf2[64], buf3[16];
    uint32_t x = 0x12345678u, sum = 0;
    for (uint32_t it = 0; it < iters; it++) {
        x = x * 1664525u + 1013904223u;
        uint32_t idx = x >> 24;
        uint32_t t = rol32(table[idx] + (x ^ sum), 5);
        table[idx] = t;
        if (x & 0x100)
            sum += t;
        else
            sum -= t;
        sum ^= sum >> 7; /* mix */
        sum += it * 3u;
        if ((it & 63) == 63) { /* block_ops */
            memcpy(buf2, table, sizeof buf2);
            sum += buf2[(it >> 6) & 63];
            for (int k = 0; k < 16; k++)
                buf3[k] = sum;
            sum += rol32(buf3[15], 13);
        }
    }
    for (uint32_t i = 0; i < 256; i++) {
        sum += table[i] * (i + 1);
        sum = rol32(sum, 1);
    }
    return sum;
}

struct out {
    char text[256];
    size_t n;
};

static void sink(void *opaque, uint8_t byte)
{
    struct out *o = opaque;
    if (o->n + 1 < sizeof o->text)
        o->text[o->n++] = (char)byte;
    o->text[o->n] = 0;
}

/* CPU time of this process: less disturbed than wall time when other
 * work shares the machine (it still counts cache and SMT contention). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s BENCH.BIN ITERS [CPU-MODEL]\n", argv[0]);
        return 2;
    }
    const char *model = argc > 3 ? argv[3] : "pentium2";
    uint32_t iters = (uint32_t)strtoul(argv[2], NULL, 0);

    static uint8_t rom[256u << 10];
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    size_t size = fread(rom, 1, sizeof rom, f);
    fclose(f);

    struct out out = { .n = 0 };
    struct machine_config cfg = {
        .cpu_model = model,
        .bios = rom,
        .bios_size = size,
        .debugcon = sink,
        .debugcon_opaque = &out,
        /* about 30 instructions an iteration: far more means a runaway */
        .max_insns = (uint64_t)iters * 100 + 1000000,
    };
    char err[256];
    struct machine *m = machine_create(&cfg, err, sizeof err);
    if (!m) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    double t0 = now(), c0 = cpu_now();
    enum machine_exit e = machine_run(m);
    double secs = now() - t0, csecs = cpu_now() - c0;
    uint64_t n = machine_icount(m);

    char want[64];
    snprintf(want, sizeof want, "bench: checksum %08" PRIX32 "\n", reference(iters));
    int status = 0;
    if (e != MACHINE_EXIT_DEAD) {
        fprintf(stderr, "bench: the guest did not finish: %s after %" PRIu64 " instructions\n",
                machine_exit_name(e), n);
        status = 1;
    }
    if (strcmp(out.text, want) != 0) {
        fprintf(stderr, "bench: wrong result: guest printed \"%s\", expected \"%s\"\n",
                out.text, want);
        status = 1;
    }
    if (status == 0)
        printf("cpu-mips: -cpu %s, %" PRIu32 " iterations: %" PRIu64
               " guest instructions in %.3f s = %.1f MIPS (checksum ok); "
               "process CPU time %.3f s = %.1f MIPS\n",
               model, iters, n, secs, secs > 0 ? (double)n / secs / 1e6 : 0.0,
               csecs, csecs > 0 ? (double)n / csecs / 1e6 : 0.0);
    else
        printf("cpu-mips: FAILED (no speed reported for a wrong result)\n");
    machine_free(m);
    return status;
}

/* A bare CPU + RAM for unit tests: no devices, no firmware. */
#ifndef PCVM_TEST_HARNESS_H
#define PCVM_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "cpu/cpu.h"
#include "jit/blockcache.h"

struct harness {
    struct bus bus;
    struct blockcache bc;
    struct cpu cpu;
};

/* A CPU of the named model with `ram` bytes of RAM, reset, then put in
 * real mode with all segments 0 and IP 0.  Returns NULL on failure. */
struct harness *harness_new(const char *model, uint32_t ram);
void harness_free(struct harness *h);

/* Flat 32-bit protected-mode segments (base 0, limit 4 GiB, CS/SS 32-bit)
 * loaded straight into the descriptor caches, for tests of 32-bit code. */
void harness_flat32(struct harness *h);

/* Copies bytes into physical memory (through the bus, so decoded blocks
 * are not told: call before running, or use harness_poke for SMC). */
void harness_load(struct harness *h, uint32_t phys, const void *bytes, size_t n);

/* Real mode: IVT vectors 0-31 point at one-byte HLT stubs, vector v's
 * at 0000:(stub + 2v), so an exception stops the CPU at stub + 2v + 1. */
void harness_real_stubs(struct harness *h, uint32_t stub);
/* The vector whose HLT stub (harness_real_stubs) stopped the CPU, or -1
 * when it stopped anywhere else. */
int harness_stub_vector(const struct harness *h, uint32_t stub);

/* Runs from CS:eip until HLT (returns the run status) or max instructions. */
enum run_status harness_run(struct harness *h, uint32_t eip, uint64_t max);

#endif

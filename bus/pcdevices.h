/* The PC chipset around the CPU: which devices a machine has, their ports
 * and IRQ lines, and how they are reset.  Called by bus/machine.c. */
#ifndef PCVM_PCDEVICES_H
#define PCVM_PCDEVICES_H

#include <stdbool.h>
#include <stddef.h>

struct machine;
struct machine_config;

bool machine_devices_init(struct machine *m, const struct machine_config *cfg,
                          char *err, size_t errlen);
void machine_devices_reset(struct machine *m);

#endif

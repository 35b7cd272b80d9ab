/* A PS/2 mouse: stream and remote modes, sample rate, resolution,
 * scaling, status request, 3-byte packets, and the IntelliMouse wheel
 * (4-byte packets, ID 3) after the sample-rate sequence 200, 100, 80.
 *
 * Host input: ps2mouse_move(mouse, dx, dy, dz, buttons) with dy positive
 * upwards (the PS/2 convention) and buttons bit 0 left, 1 right, 2 middle.
 */
#ifndef PCVM_PS2MOUSE_H
#define PCVM_PS2MOUSE_H

#include <stdbool.h>
#include <stdint.h>

#include "ps2kbd.h"

struct ps2mouse {
    struct ps2_queue q;
    bool reporting;          /* F4 */
    bool remote;             /* F0 */
    bool scale21;            /* E7 */
    uint8_t rate, resolution, id;
    uint8_t rates[3];        /* last sample rates set, for the wheel unlock */
    uint8_t arg_cmd;
    uint8_t buttons;
    int dx, dy, dz;          /* accumulated for remote mode */
    uint8_t last;
    void (*notify)(void *opaque);
    void *opaque;
};

void ps2mouse_init(struct ps2mouse *m, void (*notify)(void *), void *opaque);
void ps2mouse_reset(struct ps2mouse *m);
void ps2mouse_write(struct ps2mouse *m, uint8_t v);
void ps2mouse_move(struct ps2mouse *m, int dx, int dy, int dz, unsigned buttons);

#endif

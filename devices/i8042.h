/* The 8042 keyboard controller of the PC/AT and PS/2 (ports 0x60 data,
 * 0x64 status/command) with its keyboard (IRQ1) and auxiliary (mouse,
 * IRQ12) ports.  The controller owns the keyboard and mouse devices.
 *
 * Output port bit 1 is the A20 gate and bit 0 the CPU reset line: the
 * controller calls the machine's `a20` and `reset` callbacks for them
 * (command 0xD1, the pulse commands 0xF0-0xFF, 0xDD/0xDF).
 */
#ifndef PCVM_I8042_H
#define PCVM_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "../bus/bus.h"
#include "../bus/irq.h"
#include "ps2kbd.h"
#include "ps2mouse.h"

/* Status register bits. */
enum {
    KBC_OBF = 0x01, KBC_IBF = 0x02, KBC_SYS = 0x04, KBC_CMD = 0x08,
    KBC_UNLOCKED = 0x10, KBC_AUXOBF = 0x20, KBC_TIMEOUT = 0x40, KBC_PARITY = 0x80,
};
/* Command byte bits. */
enum {
    KBC_CB_KBDINT = 0x01, KBC_CB_AUXINT = 0x02, KBC_CB_SYS = 0x04,
    KBC_CB_KBDDIS = 0x10, KBC_CB_AUXDIS = 0x20, KBC_CB_XLATE = 0x40,
};

struct i8042 {
    struct ps2kbd kbd;
    struct ps2mouse mouse;
    uint8_t status;
    uint8_t ram[32];             /* ram[0] is the command byte */
    uint8_t outport;
    uint8_t out;                 /* output buffer */
    bool out_full, out_aux;
    struct ps2_queue ctrl;       /* the controller's own replies */
    uint8_t pending;             /* command waiting for a data byte */
    bool xlat_break;             /* translation: an F0 prefix was seen */
    struct irq_line irq1, irq12;
    void (*a20)(void *opaque, bool on);
    void (*reset)(void *opaque);
    void *opaque;
};

/* clk: the virtual clock for the keyboard's typematic repeat (or NULL). */
void i8042_init(struct i8042 *k, struct clock *clk, struct irq_line irq1, struct irq_line irq12,
                void (*a20)(void *, bool), void (*reset)(void *), void *opaque);
void i8042_reset(struct i8042 *k);
void i8042_register_io(struct i8042 *k, struct bus *b);

uint8_t i8042_read(struct i8042 *k, uint16_t port);
void i8042_write(struct i8042 *k, uint16_t port, uint8_t v);

/* Host input, forwarded to the devices. */
static inline void i8042_key(struct i8042 *k, unsigned key, bool down) { ps2kbd_key(&k->kbd, key, down); }
static inline void i8042_mouse(struct i8042 *k, int dx, int dy, int dz, unsigned buttons)
{
    ps2mouse_move(&k->mouse, dx, dy, dz, buttons);
}

#endif

/* The PC chipset around the CPU: which devices a machine has, their ports
 * and IRQ lines, the i440FX's shadow-RAM windows, the NVRAM contents and
 * the fw_cfg items the firmware reads.  Called by bus/machine.c. */
#ifndef PCVM_PCDEVICES_H
#define PCVM_PCDEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct machine_config;
struct blockdev;

/* One PAM segment of 0xC0000-0xFFFFF as the bus sees it. */
struct pam_window {
    struct machine *m;
    unsigned index;            /* PAM segment number (devices/i440fx.h) */
    const uint8_t *rom;        /* what the PCI/ISA side holds there, or NULL (0xFF) */
};

bool machine_devices_init(struct machine *m, const struct machine_config *cfg,
                          char *err, size_t errlen);
void machine_devices_reset(struct machine *m);
void machine_devices_free(struct machine *m);

/* Physical memory for devices (DMA, fw_cfg DMA): writes invalidate the
 * decoded blocks they overwrite, as CPU writes do. */
void machine_phys_read(struct machine *m, uint32_t phys, uint8_t *buf, size_t n);
void machine_phys_write(struct machine *m, uint32_t phys, const uint8_t *buf, size_t n);

/* Re-reads what lies under the PAM windows on the PCI side (call after
 * mapping an option ROM such as the VGA BIOS at 0xC0000 with bus_map_rom,
 * which the PAM windows otherwise hide) and re-applies the PAM state. */
void machine_pam_refresh(struct machine *m);

/* Hook points for the disk controllers (they own the drives):
 *   floppy type codes for CMOS 0x10 (0 none, 1 360K, 2 1.2M, 3 720K,
 *   4 1.44M, 5 2.88M), drive 0 or 1;
 *   a hard disk's geometry for CMOS 0x12/0x19/0x1A and the user-type
 *   tables at 0x1B and 0x24, drive 0 or 1.
 * Both update the equipment byte and the checksum. */
void machine_cmos_set_floppy(struct machine *m, unsigned drive, uint8_t type);
void machine_cmos_set_disk(struct machine *m, unsigned drive, unsigned cylinders,
                           unsigned heads, unsigned sectors);

/* A CD-ROM drive's disc (IDE drive 0-3, the -cdrom drive is 2): media
 * NULL ejects it; the guest sees UNIT ATTENTION and a media event.  False
 * when that drive is not a CD-ROM drive.  The blockdev must outlive its
 * use by the machine. */
struct blockdev;
bool machine_cdrom_change(struct machine *m, unsigned drive, struct blockdev *media);

/* Host input to the PS/2 devices (see devices/ps2kbd.h, ps2mouse.h). */
void machine_key(struct machine *m, unsigned key, bool down);
void machine_mouse(struct machine *m, int dx, int dy, int dz, unsigned buttons);
/* Puts a floppy in drive 0 (A) or 1 (B), or ejects it (media NULL); the
 * guest sees its disk change line.  False, changing nothing, when the
 * machine has no such drive or the image size is no floppy format. */
bool machine_floppy_change(struct machine *m, unsigned drive, struct blockdev *media);
/* At the end of a run: bytes the guest gave the UARTs but the wire has
 * not carried yet reach their sinks. */
void machine_drain_output(struct machine *m);
/* Host bytes for COM1-COM4 (port 0-3); returns how many were queued. */
size_t machine_serial_input(struct machine *m, unsigned port, const uint8_t *bytes, size_t n);

#endif

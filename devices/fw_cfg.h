/* QEMU's firmware configuration interface ("fw_cfg"), the way SeaBIOS's
 * QEMU port learns about the machine: selector port 0x510 (16-bit),
 * data port 0x511 (bytes), and the DMA interface at 0x514.
 *
 * Why pcvm uses it: SeaBIOS built for QEMU (Debian's `seabios` package)
 * sizes memory from the "etc/e820" file, takes its boot order from
 * "bootorder" and ACPI/SMBIOS tables from fw_cfg files, and only falls
 * back to CMOS bytes for what fw_cfg does not provide.  Speaking fw_cfg
 * keeps the CMOS side minimal (memory sizes and boot order bytes only)
 * and lets later work (ACPI tables, kernel loading) add files instead of
 * new ports.
 */
#ifndef PCVM_FW_CFG_H
#define PCVM_FW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bus/bus.h"

/* Well-known selectors (QEMU's docs/specs/fw_cfg.rst). */
enum {
    FW_CFG_SIGNATURE = 0x00, FW_CFG_ID = 0x01, FW_CFG_UUID = 0x02,
    FW_CFG_RAM_SIZE = 0x03, FW_CFG_NOGRAPHIC = 0x04, FW_CFG_NB_CPUS = 0x05,
    FW_CFG_MACHINE_ID = 0x06, FW_CFG_BOOT_DEVICE = 0x0C, FW_CFG_NUMA = 0x0D,
    FW_CFG_BOOT_MENU = 0x0E, FW_CFG_MAX_CPUS = 0x0F, FW_CFG_FILE_DIR = 0x19,
    FW_CFG_FILE_FIRST = 0x20,
};
#define FW_CFG_MAX_FILES 32
#define FW_CFG_MAX_ITEMS (FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES)

struct fw_cfg_item {
    uint8_t *data;       /* owned copy */
    uint32_t len;
};

struct fw_cfg {
    struct fw_cfg_item item[FW_CFG_MAX_ITEMS];
    char names[FW_CFG_MAX_FILES][56];
    unsigned nfiles;
    uint16_t sel;
    uint32_t off;
    uint32_t dma_hi;     /* DMA address, high half (0x514) */
    /* Guest memory, for the DMA interface. */
    void (*mem_read)(void *opaque, uint32_t phys, uint8_t *buf, size_t n);
    void (*mem_write)(void *opaque, uint32_t phys, const uint8_t *buf, size_t n);
    void *mem_opaque;
};

void fw_cfg_init(struct fw_cfg *f,
                 void (*mem_read)(void *, uint32_t, uint8_t *, size_t),
                 void (*mem_write)(void *, uint32_t, const uint8_t *, size_t), void *opaque);
void fw_cfg_free(struct fw_cfg *f);
void fw_cfg_register_io(struct fw_cfg *f, struct bus *b);

/* Items (copied).  False when out of memory or, for files, out of slots
 * or the name is too long (55 characters at most). */
bool fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len);
bool fw_cfg_add_i16(struct fw_cfg *f, uint16_t key, uint16_t v);
bool fw_cfg_add_i32(struct fw_cfg *f, uint16_t key, uint32_t v);
bool fw_cfg_add_i64(struct fw_cfg *f, uint16_t key, uint64_t v);
bool fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t len);

/* Port-level access (also for tests). */
void fw_cfg_select(struct fw_cfg *f, uint16_t key);
uint8_t fw_cfg_read_byte(struct fw_cfg *f);

#endif

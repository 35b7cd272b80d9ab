/* ROM images assembled from the roms/ sources at build time, embedded by
 * tools/bin2c.py (see roms/README.md).  Each is a 64 KiB BIOS-style image.
 *
 *   rom_demo        roms/demo.asm: the default guest of `pcvm` (linked
 *                   into pcvm and the unit tests: roms_demo_dep)
 *   rom_test_NAME   roms/test/NAME.asm: small programs for the tests (linked
 *                   into the unit tests only: roms_test_dep)
 *   rom_linuxboot,  roms/linuxboot.asm, roms/multiboot.asm: the option ROMs
 *   rom_multiboot   that boot -kernel images (roms_boot_dep; not padded:
 *                   bus/kernelboot.c sizes and checksums them)
 */
#ifndef PCVM_ROMS_H
#define PCVM_ROMS_H

#include <stddef.h>

extern const unsigned char rom_demo[];
extern const size_t rom_demo_size;

extern const unsigned char rom_test_exit[];   /* OUT 0xF4, 0x21 */
extern const size_t rom_test_exit_size;
extern const unsigned char rom_test_echo[];   /* IN 0xE9 -> OUT 0xF4 */
extern const size_t rom_test_echo_size;
extern const unsigned char rom_test_halt[];   /* STI; HLT */
extern const size_t rom_test_halt_size;
extern const unsigned char rom_test_triple[]; /* LIDT limit 0; INT3 */
extern const size_t rom_test_triple_size;
extern const unsigned char rom_test_reboot[]; /* triple-faults until its third boot */
extern const size_t rom_test_reboot_size;
extern const unsigned char rom_test_spin[];   /* JMP $ */
extern const size_t rom_test_spin_size;
extern const unsigned char rom_test_hello[];  /* "hello 0".."hello 9" */
extern const size_t rom_test_hello_size;
extern const unsigned char rom_test_pictimer[]; /* PIC + PIT timer interrupts */
extern const size_t rom_test_pictimer_size;
extern const unsigned char rom_test_serial[];   /* COM1: output, loopback, IRQ4 input */
extern const size_t rom_test_serial_size;
extern const unsigned char rom_test_reset[];    /* resets via 8042 0xFE and 0xCF9 */
extern const size_t rom_test_reset_size;
extern const unsigned char rom_test_fdboot[];   /* a 512-byte floppy boot sector (not a ROM):
                                                   INT 13h reads/writes, verdict on COM1 */
extern const size_t rom_test_fdboot_size;
extern const unsigned char rom_test_fdc[];      /* the floppy controller without a BIOS */
extern const size_t rom_test_fdc_size;

extern const unsigned char rom_linuxboot[];
extern const size_t rom_linuxboot_size;
extern const unsigned char rom_multiboot[];
extern const size_t rom_multiboot_size;

#endif

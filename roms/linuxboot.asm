; pcvm's Linux loader option ROM (genroms/linuxboot.bin), for -kernel with
; a bzImage.  Written from the kernel's Documentation/x86/boot.rst (boot
; protocol 2.02 and later, "Loading the rest of the kernel" and "Running
; the kernel"); pcvm (bus/linuxboot.c) has checked the image and chosen
; the addresses, which it passes as fw_cfg items:
;
;   SETUP_ADDR/SIZE/DATA     the real-mode setup part, at 0x10000
;   KERNEL_ADDR/SIZE/DATA    the protected-mode kernel, at 0x100000
;   INITRD_ADDR/SIZE/DATA    the initrd (size 0: none)
;   CMDLINE_ADDR/SIZE/DATA   the command line, NUL-terminated
;
; At boot (the BEV) it copies each piece with fw_cfg DMA straight to its
; physical address, fills the header fields boot.rst leaves to the boot
; loader, turns A20 on and jumps to the setup code's real-mode entry.

%include "bootrom.inc"

product_name:
        db      'pcvm Linux loader', 0

HDR_TYPE_OF_LOADER equ 0x210
HDR_LOADFLAGS      equ 0x211
HDR_RAMDISK_IMAGE  equ 0x218
HDR_RAMDISK_SIZE   equ 0x21C
HDR_HEAP_END_PTR   equ 0x224
HDR_CMD_LINE_PTR   equ 0x228
CAN_USE_HEAP       equ 0x80
; boot.rst's layout for a setup part at X: stack and heap up to X + 0xE000;
; heap_end_ptr is 0x200 below the stack's top.
SETUP_STACK        equ 0xE000

boot:
        cli
        cld
        mov     ax, FW_CFG_SETUP_DATA
        mov     bx, FW_CFG_SETUP_ADDR
        mov     cx, FW_CFG_SETUP_SIZE
        call    load_item
        jc      .fail
        test    ecx, ecx
        jz      .fail                   ; no kernel in fw_cfg
        shr     edi, 4
        mov     es, di                  ; ES: the setup segment

        mov     ax, FW_CFG_KERNEL_DATA
        mov     bx, FW_CFG_KERNEL_ADDR
        mov     cx, FW_CFG_KERNEL_SIZE
        call    load_item
        jc      .fail

        mov     ax, FW_CFG_INITRD_DATA
        mov     bx, FW_CFG_INITRD_ADDR
        mov     cx, FW_CFG_INITRD_SIZE
        call    load_item
        jc      .fail
        test    ecx, ecx
        jz      .no_initrd
        mov     [es:HDR_RAMDISK_IMAGE], edi
        mov     [es:HDR_RAMDISK_SIZE], ecx
.no_initrd:

        mov     ax, FW_CFG_CMDLINE_DATA
        mov     bx, FW_CFG_CMDLINE_ADDR
        mov     cx, FW_CFG_CMDLINE_SIZE
        call    load_item
        jc      .fail
        mov     [es:HDR_CMD_LINE_PTR], edi

        ; 0xFF: a boot loader without an assigned ID (boot.rst, type_of_loader)
        mov     byte [es:HDR_TYPE_OF_LOADER], 0xFF
        or      byte [es:HDR_LOADFLAGS], CAN_USE_HEAP
        mov     word [es:HDR_HEAP_END_PTR], SETUP_STACK - 0x200
        call    a20_on

        ; boot.rst "Running the kernel": DS = ES = FS = GS = SS = the setup
        ; segment, SP at the top of its stack, interrupts off, and a far jump
        ; to the segment + 0x20, offset 0.
        mov     ax, es
        mov     ds, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     sp, SETUP_STACK
        add     ax, 0x20
        push    ax
        push    word 0
        retf
.fail:
        sti
        retf                            ; back to the BIOS: the next boot entry

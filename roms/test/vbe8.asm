; Test option ROM (pcvm -option-rom, run by SeaBIOS from fw_cfg genroms/
; after SeaVGABIOS): sets VBE mode 0x101 (640x480, 8 bpp) through
; SeaVGABIOS's INT 10h AX=4F02, loads the DAC through the ports (entry i =
; (i & 63, (i >> 2) & 63, 63 - (i & 63))) and draws through the 64 KiB
; window with INT 10h AX=4F05 bank switches: pixel (x, y) has colour
; (x / 40) + (y / 30) * 16.  Then CLI; HLT.  tests/guest/vga_test.py
; checks the -screenshot-on-exit PNG; it also sets the checksum byte (the
; last one) that SeaBIOS verifies.  A failing VBE call ends in HLT at once
; with the text screen still shown.
%include "test/vgapal.inc"
        bits 16
        org 0
        cpu 386
        db 0x55, 0xAA, 4                ; 2 KiB
        jmp init
init:
        cli
        mov ax, 0x4F02
        mov bx, 0x0101
        int 0x10
        cmp ax, 0x004F
        jne .fail
        LOAD_TEST_PALETTE
        mov ax, 0xA000
        mov es, ax
        xor esi, esi                    ; linear pixel address
.bank:  mov ax, 0x4F05                  ; window A to bank esi >> 16
        xor bx, bx
        mov edx, esi
        shr edx, 16
        int 0x10
        cmp ax, 0x004F
        jne .fail
        xor di, di
.px:    mov eax, esi
        xor edx, edx
        mov ecx, 640
        div ecx                         ; eax = y, edx = x
        mov cl, 30
        div cl                          ; al = y / 30
        shl al, 4
        mov bl, al
        mov ax, dx
        mov cl, 40
        div cl                          ; al = x / 40
        add al, bl
        stosb
        inc esi
        cmp esi, 640 * 480
        jae .done
        test di, di
        jnz .px
        jmp .bank
.done:
.fail:  hlt
        jmp .fail
        times 2047 - ($ - $$) db 0
        db 0                            ; checksum (set by the test)

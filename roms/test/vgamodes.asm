; Test option ROM (pcvm -option-rom under SeaBIOS + SeaVGABIOS): sets the
; standard mode in the byte at offset 5 (patched by tests/guest/
; vga_test.py) with INT 10h AH=00h, prints two lines with the teletype
; (AH=0Eh, colour 15 in graphics modes), fills (100..109, 50..59) with
; colour 4 through AH=0Ch (write pixel), then CLI; HLT.  The test checks
; the screenshot's size, the block in the BIOS's standard red (colour 4:
; 0xAA0000) in the 16- and 256-colour modes, and that text was drawn.
        bits 16
        org 0
        cpu 8086
        db 0x55, 0xAA, 4                ; 2 KiB
        jmp near init
mode:   db 0x13
init:
        mov ah, 0
        mov al, [cs:mode]
        int 0x10
        mov si, msg
.t:     mov al, [cs:si]
        test al, al
        jz .px
        mov ah, 0x0E
        mov bx, 0x000F
        int 0x10
        inc si
        jmp .t
.px:    mov dx, 50
.y:     mov cx, 100
.x:     mov ax, 0x0C04
        xor bx, bx
        int 0x10
        inc cx
        cmp cx, 110
        jb .x
        inc dx
        cmp dx, 60
        jb .y
        cli
.f:     hlt
        jmp .f
msg:    db "Hello VGA! ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789", 13, 10, "line two", 0
        times 2047 - ($ - $$) db 0
        db 0                            ; checksum (set by the test)

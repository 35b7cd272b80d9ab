; Display test ROM: 320x200 in 256 colours, unchained ("mode Y": mode 13h's
; registers with chain 4 and doubleword addressing off, so each plane
; holds every fourth pixel), set through the registers; DAC entries 0-15
; loaded with 16 known colours, then a known picture: the top half 16 vertical bars of colours 0-15 (20 pixels
; wide), the bottom half 4 horizontal bands of 25 lines in colours 15,
; 14, 13, 12.  Then it writes 0x10 to isa-debug-exit (pcvm -device
; isa-debug-exit: exit status 0x21).  tests/display/xvfb_test.py knows the
; same picture.
%include "reset.inc"
        ROM_START
        cpu 386
start:
        cli
        mov ax, cs
        mov ds, ax
        mov si, mode13
        call set_mode
        mov dx, 0x3C4                   ; memory mode: chain 4 off, sequential
        mov ax, 0x0604
        out dx, ax
        mov dx, 0x3D4
        mov ax, 0x0014                  ; underline location: doubleword off
        out dx, ax
        mov ax, 0xE317                  ; mode control: byte mode
        out dx, ax
        mov si, colours
        xor al, al
        mov cx, 16
        call set_dac
        mov ax, 0xA000
        mov es, ax
        xor di, di
        ; All four planes are written at once (map mask 0Fh), so a byte at
        ; offset k colours pixels 4k to 4k+3.
        ; top half: 100 lines of bars 0..15, each 20 pixels (5 bytes)
        mov bx, 100
.top:   xor al, al
        mov dx, 16
.bar:   mov cx, 5
        rep stosb
        inc al
        dec dx
        jnz .bar
        dec bx
        jnz .top
        ; bottom half: bands of 25 lines, colours 15 down to 12
        mov al, 15
.band:  mov cx, 80 * 25
        rep stosb
        dec al
        cmp al, 11
        jne .band
        mov al, 0x10
        out 0xF4, al
        jmp $

%include "vgaregs.inc"

; 6-bit DAC values: R, G, B (the picture's colours: 4 * value + value >> 4
; in 8 bits, as the VGA renders 6-bit entries).
colours:
        db  0,  0,  0,   0,  0, 42,   0, 42,  0,   0, 42, 42
        db 42,  0,  0,  42,  0, 42,  42, 21,  0,  42, 42, 42
        db 21, 21, 21,  21, 21, 63,  21, 63, 21,  21, 63, 63
        db 63, 21, 21,  63, 21, 63,  63, 63, 21,  63, 63, 63
        ROM_END start

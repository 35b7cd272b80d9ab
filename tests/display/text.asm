; Display test ROM: VGA text mode 03h (80x25) set through the registers,
; a known screen written to B800:0000 (plain text, CP437 box drawing and
; symbols, colours), the cursor at row 6 column 12; the PS/2 mouse
; enabled; then every byte the keyboard controller delivers (keys in
; scancode set 1: the 8042 translates; mouse bytes) is shown in hex from
; row 4 after "keys:" on (rows 4 and 5), and written to the debug console
; (port 0xE9) as hex and a space.  tests/display/curses_test.py knows the
; screen; xvfb_test.py reads the debug console.  It never ends by itself (pcvm -display curses:
; Ctrl-A X; else -max-insns).
%include "reset.inc"
        ROM_START
        cpu 386
start:
        cli
        mov ax, cs
        mov ds, ax
        mov si, mode03
        call set_mode
        mov si, ega
        mov al, 0
        mov cx, 64
        call set_dac
        mov ax, 0xB800
        mov es, ax
        xor di, di                      ; clear: spaces, light grey on black
        mov ax, 0x0720
        mov cx, 80 * 25
        rep stosw
        mov si, screen                  ; rows: row byte, column byte, attr, text, 0
.line:  lodsb
        cmp al, 0xFF
        je .cursor
        mov bl, 80
        mul bl
        mov di, ax
        lodsb
        xor ah, ah
        add di, ax
        shl di, 1
        lodsb
        mov ah, al
.ch:    lodsb
        test al, al
        jz .line
        stosw
        jmp .ch
.cursor:
        mov bx, 6 * 80 + 12             ; cursor: CRTC 0Eh/0Fh
        mov dx, 0x3D4
        mov al, 0x0E
        mov ah, bh
        out dx, ax
        mov al, 0x0F
        mov ah, bl
        out dx, ax
        ; The PS/2 mouse too: enable the auxiliary port (8042 command A8)
        ; and mouse reporting (D4: the next byte to the mouse; F4 enable).
        ; Its bytes (FA, then 3-byte packets) are shown like the keys.
        mov al, 0xA8
        out 0x64, al
        call kbc_wait
        mov al, 0xD4
        out 0x64, al
        call kbc_wait
        mov al, 0xF4
        out 0x60, al
        mov di, (4 * 80 + 6) * 2        ; after "keys:"
.poll:  in al, 0x64
        test al, 1
        jz .poll
        in al, 0x60
        mov ah, al
        shr al, 4
        call hexdigit
        mov al, ah
        and al, 15
        call hexdigit
        mov ax, 0x0720
        stosw
        mov al, ' '
        out 0xE9, al
        cmp di, 6 * 80 * 2 - 6          ; rows 4 and 5 full: start again
        jb .poll
        mov di, (4 * 80 + 6) * 2
        jmp .poll

; Waits until the 8042's input buffer is empty (status bit 1).
kbc_wait:
        in al, 0x64
        test al, 2
        jnz kbc_wait
        ret

hexdigit:
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'A' - '9' - 1
.out:   out 0xE9, al
        push ax
        mov ah, 0x0F
        stosw
        pop ax
        ret

%include "vgaregs.inc"

screen:
        db 0, 0, 0x07, "pcvm curses test: text mode 80x25", 0
        db 1, 0, 0x1F, 0xDA, 0xC4, 0xC4, 0xC2, 0xC4, 0xC4, 0xBF, " ", 0xC9, 0xCD, 0xBB, " ", 0xB0, 0xB1, 0xB2, 0xDB, 0
        db 2, 0, 0x4E, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, " ", 0xE0, 0xE1, 0xE3, 0xF1, 0xF8, " ", 0x80, 0x81, 0x82, 0
        db 3, 0, 0x8A, "blinking green", 0
        db 4, 0, 0x07, "keys:", 0
        db 24, 60, 0x70, "bottom right corner", 0
        db 0xFF

; The 64 EGA colours the attribute palette above points at (6-bit DAC
; values: index rgbRGB, each bit pair giving 0, 21, 42 or 63).
ega:
%assign i 0
%rep 64
        db ((i >> 2) & 1) * 42 + ((i >> 5) & 1) * 21
        db ((i >> 1) & 1) * 42 + ((i >> 4) & 1) * 21
        db (i & 1) * 42 + ((i >> 3) & 1) * 21
%assign i i + 1
%endrep
        ROM_END start

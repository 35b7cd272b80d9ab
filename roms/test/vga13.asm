; Test ROM: mode 13h through the VGA's registers alone (no VGA BIOS runs),
; a 256-entry palette through the DAC, and a picture: pixel (x, y) has
; colour ((x >> 4) + ((y >> 4) << 4)) & 0xFF; DAC entry i is
; (i & 63, (i >> 2) & 63, 63 - (i & 63)).  Then CLI; HLT.  The guest test
; (tests/guest/vga_test.py) checks the -screenshot-on-exit PNG against it.
; Register values: the standard mode 13h table (IBM VGA Technical
; Reference).
%include "reset.inc"
%include "test/vgapal.inc"
        ROM_START
        cpu 8086
start:
        cli
        mov ax, cs
        mov ds, ax
        mov dx, 0x3C2
        mov al, 0x63
        out dx, al                      ; MISC: colour I/O, 25 MHz
        mov dx, 0x3C4                   ; sequencer 1-4
        mov si, seq
        mov bl, 1
.seq:   mov al, bl
        mov ah, [si]
        out dx, ax
        inc si
        inc bl
        cmp bl, 5
        jb .seq
        mov dx, 0x3D4
        mov ax, 0x0011                  ; CR11: protect off
        out dx, ax
        mov si, crtc
        xor bl, bl
.crtc:  mov al, bl
        mov ah, [si]
        out dx, ax
        inc si
        inc bl
        cmp bl, 25
        jb .crtc
        mov dx, 0x3CE
        mov si, gc
        xor bl, bl
.gc:    mov al, bl
        mov ah, [si]
        out dx, ax
        inc si
        inc bl
        cmp bl, 9
        jb .gc
        mov dx, 0x3DA
        in al, dx                       ; attribute flip-flop to index
        mov dx, 0x3C0
        mov si, attr
        xor bl, bl
.attr:  mov al, bl
        out dx, al
        mov al, [si]
        out dx, al
        inc si
        inc bl
        cmp bl, 21
        jb .attr
        mov al, 0x20                    ; palette address source: screen on
        out dx, al
        LOAD_TEST_PALETTE
        ; The picture.
        mov ax, 0xA000
        mov es, ax
        xor di, di
        xor dx, dx                      ; y
.row:   xor cx, cx                      ; x
        mov bl, dl
        and bl, 0xF0                    ; (y >> 4) << 4
.px:    mov al, cl
        shr al, 1
        shr al, 1
        shr al, 1
        shr al, 1
        mov ah, ch                      ; x >> 4 for x up to 319: (ch:cl) >> 4
        shl ah, 1
        shl ah, 1
        shl ah, 1
        shl ah, 1
        or al, ah
        add al, bl
        stosb
        inc cx
        cmp cx, 320
        jb .px
        inc dx
        cmp dx, 200
        jb .row
        hlt

seq:    db 0x01, 0x0F, 0x00, 0x0E
crtc:   db 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00
        db 0x00, 0x00, 0x00, 0x00, 0x9C, 0x0E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF
gc:     db 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF
attr:   db 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07
        db 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F
        db 0x41, 0x00, 0x0F, 0x00, 0x00
        ROM_END start

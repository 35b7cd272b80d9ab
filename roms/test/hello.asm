; Test ROM: prints "hello N\n" on the debug console N = 0..9 and halts
; with interrupts disabled.  Used to run machines side by side.
%include "reset.inc"
        ROM_START
        cpu 8086
start:
        cli
        mov ax, cs
        mov ds, ax
        xor cx, cx
.line:
        mov si, msg
.char:
        lodsb
        test al, al
        jz .num
        out 0xE9, al
        jmp .char
.num:
        mov al, cl
        add al, '0'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        inc cx
        cmp cx, 10
        jb .line
        hlt
msg:    db "hello ", 0
        ROM_END start

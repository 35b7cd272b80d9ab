; A boot-sector-style program for the debugger and gdb stub tests.
;
; The ROM copies `boot`..`boot_end` to 0000:7C00 and jumps there, so the
; program runs where a BIOS would load a boot sector, with CS=0 (gdb's $pc
; is then the linear address).  The code is position-independent except
; for data references, which use B(label): the label's address in the copy.
%include "reset.inc"
%define B(x) ((x) - boot + 0x7C00)
        ROM_START
        cpu 386
start:
        cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x7C00
        mov es, ax
        mov ax, 0x8001
        rol ax, 1                       ; 0x8001 -> 0x0003, CF=1
        mov bx, -3
        imul bx                         ; 3 * -3 = -9: fits in 16 bits
        xor ax, ax
        push cs
        pop ds
        mov si, boot
        mov di, 0x7C00
        mov cx, boot_end - boot
        cld
        rep movsb
        mov ds, ax
        jmp 0x0000:0x7C00

boot:                                   ; 0000:7C00
        mov ax, 0x1234
        mov bx, 0x0005
        sub bl, 7                       ; 0x05 - 0x07: borrow, CF=1
        mov si, B(data)
        mov al, [si]                    ; 0x41
        add al, 0xC0                    ; 0x41 + 0xC0 = 0x101: carry
        mov [B(result)], al             ; a watched byte
        mov word [0x10 * 4], B(int10)   ; IVT entry for INT 10h
        mov word [0x10 * 4 + 2], 0
        mov ah, 0x0E
        int 0x10
        call func
        xchg bx, bx                     ; magic breakpoint
        mov cx, 3
.loop:
        inc word [B(counter)]
        loop .loop
        mov al, 'K'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        hlt
func:
        add ax, 1
        ret
int10:
        iret
data:   db 0x41
result: db 0
counter: dw 0
boot_end:
        ROM_END start

; Test ROM (286 and later): counts its boots in RAM at 0000:0500 (a reset
; keeps RAM, as on a PC), prints the count on port 0xE9, and triple-faults
; (IDT limit 0, then INT3) until it has booted three times; then it exits
; through isa-debug-exit with 0x10, i.e. status 0x21.
%include "reset.inc"
        ROM_START
        cpu 286
start:
        xor ax, ax
        mov ds, ax
        inc byte [0x500]
        mov al, [0x500]
        add al, '0'
        out 0xE9, al
        cmp byte [0x500], 3
        jae done
        lidt [cs:empty_idt]
        int3
        jmp $
done:
        mov al, 0x10
        out 0xF4, al
        jmp $
empty_idt:
        dw 0                    ; limit
        dd 0                    ; base
        ROM_END start

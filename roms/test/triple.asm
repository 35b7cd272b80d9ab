; Test ROM (286 and later): loads an IDT limit of 0, then INT3.  The
; interrupt cannot be delivered (#GP), nor can the #GP, nor the #DF that
; follows: a triple fault, which shuts the CPU down.
%include "reset.inc"
        ROM_START
        cpu 286
start:
        lidt [cs:empty_idt]
        int3
        jmp $
empty_idt:
        dw 0                    ; limit
        dd 0                    ; base
        ROM_END start

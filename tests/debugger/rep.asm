; A REP STOSB long enough to run in several chunks (pcvm runs REP string
; instructions in slices and re-executes them from the same EIP): a
; breakpoint on it must stop once, not once per slice.
%include "reset.inc"
        ROM_START
        cpu 386
start:  cli
        xor ax, ax
        mov es, ax
        mov ds, ax
        mov di, 0x1000
        mov cx, 20000
        cld
        rep stosb                       ; f000:000e
        mov cx, 3
        hlt
        ROM_END start

; Test ROM: reads port 0xE9 (debugcon answers 0xE9, an empty port 0xFF)
; and writes the byte to isa-debug-exit at 0xF4: exit status
; (0xE9 << 1) | 1 = 0x1D3 with debugcon, 0x1FF without.
%include "reset.inc"
        ROM_START
        cpu 8086
start:
        in al, 0xE9
        out 0xF4, al
        jmp $
        ROM_END start

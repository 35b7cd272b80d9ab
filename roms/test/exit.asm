; Test ROM: writes 0x21 to isa-debug-exit at port 0xF4, so pcvm run with
; -device isa-debug-exit,iobase=0xf4 exits with status (0x21 << 1) | 1 = 0x43.
; Without the device it spins (use -max-insns).
%include "reset.inc"
        ROM_START
        cpu 8086
start:
        mov al, 0x21
        out 0xF4, al
        jmp $
        ROM_END start

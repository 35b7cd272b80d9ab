; Test ROM: STI; HLT.  The CPU waits for an interrupt that no device can
; raise yet: pcvm says so and exits 0.
%include "reset.inc"
        ROM_START
        cpu 8086
start:
        sti
        hlt
        jmp start
        ROM_END start

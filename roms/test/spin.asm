; Test ROM: an endless loop (JMP $), for instruction-limit tests.
%include "reset.inc"
        ROM_START
        cpu 8086
start:
        jmp $
        ROM_END start

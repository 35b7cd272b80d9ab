; Programs the 8259A pair and the 8254 the way a PC BIOS does, then halts
; with a timer interrupt pending, for the debugger's info pic/pit/irq.
%include "reset.inc"
        ROM_START
        cpu 386
start:
        cli
        mov al, 0x11            ; ICW1: edge, cascade, ICW4 needed
        out 0x20, al
        out 0xA0, al
        mov al, 0x08            ; ICW2: vectors 08-0F
        out 0x21, al
        mov al, 0x70            ;       and 70-77
        out 0xA1, al
        mov al, 0x04            ; ICW3: slave on IR2
        out 0x21, al
        mov al, 0x02            ;       slave identity 2
        out 0xA1, al
        mov al, 0x01            ; ICW4: 8086 mode
        out 0x21, al
        out 0xA1, al
        mov al, 0xFC            ; OCW1: only IRQ0 and IRQ1 unmasked
        out 0x21, al
        mov al, 0xFF
        out 0xA1, al
        mov al, 0x34            ; PIT channel 0: lsb then msb, mode 2
        out 0x43, al
        mov ax, 11932           ; 100 Hz
        out 0x40, al
        mov al, ah
        out 0x40, al
        mov al, 0x54            ; channel 1: lsb only, mode 2 (refresh)
        out 0x43, al
        mov al, 18
        out 0x41, al
        mov al, 0xB6            ; channel 2: lsb then msb, mode 3 (speaker)
        out 0x43, al
        mov ax, 1193            ; 1000 Hz
        out 0x42, al
        mov al, ah
        out 0x42, al
        in al, 0x61
        or al, 3                ; speaker gate and data on
        out 0x61, al
        mov cx, 0
.wait:  loop .wait              ; let the timer run (65536 iterations)
        nop
        hlt
        ROM_END start

; Guest test: the 8259A pair and the 8254 in real mode.
;
; Programs the PICs (vectors 08h-0Fh and 70h-77h, only IRQ0 unmasked) and
; PIT channel 0 as a 1 kHz rate generator (mode 2, count 1193), then waits
; with STI/HLT for 20 timer interrupts.  Checks on the way:
;   - in the handler, the master's ISR (OCW3 read ISR) shows IR0 in service;
;   - after the EOI the ISR is clear again;
;   - the TSC (one per instruction, 100 MHz nominal) advanced by about
;     20 ms worth of virtual time: between 1.8 and 2.2 million;
;   - a counter-latch read of channel 0 lies in 1..1193.
; Exit through isa-debug-exit at port 0xF4: 0x2A on success (pcvm status
; 0x55 = 85), otherwise the number of the failed check (status 2n+1).
%include "reset.inc"
%include "pic.inc"
        ROM_START
        cpu 686
start:
        cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ds, ax
        mov word [0x08*4], irq0
        mov word [0x08*4+2], 0xF000
        mov word [count], 0

        PIC_INIT 0xFE, 0xFF     ; only IRQ0
        in al, 0x21             ; IMR reads back
        cmp al, 0xFE
        mov bl, 1
        jne fail

        ; PIT channel 0: lo/hi, mode 2, binary; count 1193 (~1 kHz)
        mov al, 0x34
        out 0x43, al
        mov al, 1193 & 0xFF
        out 0x40, al
        mov al, 1193 >> 8
        out 0x40, al

        rdtsc
        mov [tsc0], eax
        sti
.wait:  hlt
        cmp byte [bad], 0
        jne .badisr
        cmp word [count], 20
        jb .wait
        cli
        rdtsc
        sub eax, [tsc0]
        cmp eax, 1800000
        mov bl, 3
        jb fail
        cmp eax, 2200000
        mov bl, 4
        ja fail

        ; the master's ISR is empty after the EOIs
        mov al, 0x0B
        out 0x20, al
        in al, 0x20
        test al, al
        mov bl, 5
        jnz fail

        ; counter latch of channel 0
        mov al, 0x00
        out 0x43, al
        in al, 0x40
        mov ah, al
        in al, 0x40
        xchg al, ah
        test ax, ax
        mov bl, 6
        jz fail
        cmp ax, 1193
        mov bl, 7
        ja fail

        mov al, 0x2A
        out 0xF4, al
        jmp $
.badisr:
        mov bl, 2
fail:
        mov al, bl
        out 0xF4, al
        jmp $

irq0:
        push ax
        mov al, 0x0B            ; OCW3: read ISR
        out 0x20, al
        in al, 0x20
        test al, 1
        jnz .ok
        mov byte [bad], 1       ; DS is 0 throughout
.ok:
        inc word [count]
        mov al, 0x20            ; non-specific EOI
        out 0x20, al
        pop ax
        iret

count   equ 0x500
tsc0    equ 0x504
bad     equ 0x508
        ROM_END start

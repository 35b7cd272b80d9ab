; Guest test: COM1 (16550A at 0x3F8, IRQ4) in real mode.
;
; Prints "serial: hello" by polling THRE, checks loopback (a byte sent
; comes back, and the modem status inputs follow DTR/RTS/OUT2), then
; enables the receive interrupt and waits in HLT for one byte from the
; host (pcvm -serial stdio with that byte on stdin), echoes it as
; "serial: got X", waits for the transmitter to drain and exits through
; isa-debug-exit at 0xF4: 0x2A on success (pcvm status 85), else the
; number of the failed check.
%include "reset.inc"
%include "pic.inc"
        ROM_START
        cpu 386
COM1    equ 0x3F8
start:
        cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ds, ax
        mov word [0x0C*4], irq4
        mov word [0x0C*4+2], 0xF000
        mov byte [got], 0

        PIC_INIT 0xEF, 0xFF     ; only IRQ4

        mov dx, COM1+3          ; 115200 8N1, FIFOs, DTR RTS OUT2
        mov al, 0x80
        out dx, al
        mov dx, COM1
        mov al, 1
        out dx, al
        inc dx
        mov al, 0
        out dx, al
        mov dx, COM1+3
        mov al, 0x03
        out dx, al
        mov dx, COM1+2
        mov al, 0x07
        out dx, al
        in al, dx
        and al, 0xC0
        cmp al, 0xC0            ; IIR shows the FIFOs
        mov bl, 1
        jne fail
        mov dx, COM1+4
        mov al, 0x0B
        out dx, al

        mov si, hello
        call puts

        call drain              ; loopback would take back bytes still queued
        ; loopback
        mov dx, COM1+4
        mov al, 0x1B
        out dx, al
        mov dx, COM1+6
        in al, dx
        and al, 0xF0
        cmp al, 0xB0            ; DCD (OUT2), DSR (DTR), CTS (RTS); RI (OUT1) off
        mov bl, 2
        jne fail
        mov al, 'Z'
        call putc
        ; The host's byte may have arrived before loopback was on: it is
        ; then ahead of 'Z' in the FIFO (loopback disconnects the line, so
        ; nothing can come after).  Keep it as the received byte.
.lbnext:
        mov cx, 0
.lb:    mov dx, COM1+5
        in al, dx
        test al, 1
        jnz .lbok
        loop .lb
        mov bl, 3
        jmp fail
.lbok:  mov dx, COM1
        in al, dx
        cmp al, 'Z'
        je .lbdone
        cmp byte [got], 0
        mov bl, 4
        jne fail                ; two strange bytes: not ours
        mov [got], al
        jmp .lbnext
.lbdone:
        mov dx, COM1+4
        mov al, 0x0B
        out dx, al

        ; receive interrupt, wait for the host's byte
        mov dx, COM1+1
        mov al, 0x01
        out dx, al
.wait:  cli                     ; test and halt without a window for IRQ4:
        cmp byte [got], 0       ; STI's one-instruction shadow covers HLT
        jne .have
        sti
        hlt
        jmp .wait
.have:
        cli
        mov si, gotmsg
        call puts
        mov al, [got]
        call putc
        mov al, 13
        call putc
        mov al, 10
        call putc
        call drain
        mov al, 0x2A
        out 0xF4, al
        jmp $
fail:
        mov al, bl
        out 0xF4, al
        jmp $

drain:  mov dx, COM1+5          ; wait for TEMT: everything on the wire
        in al, dx
        test al, 0x40
        jz drain
        ret

putc:   push dx
        push ax
        mov dx, COM1+5
.w:     in al, dx
        test al, 0x20
        jz .w
        pop ax
        mov dx, COM1
        out dx, al
        pop dx
        ret

puts:   cs lodsb
        test al, al
        jz .e
        call putc
        jmp puts
.e:     ret

irq4:   push ax
        push dx
        mov dx, COM1+2
        in al, dx
        mov dx, COM1
        in al, dx
        mov [got], al
        mov al, 0x20
        out 0x20, al
        pop dx
        pop ax
        iret

hello   db "serial: hello", 13, 10, 0
gotmsg  db "serial: got ", 0
got     equ 0x500
        ROM_END start

; Guest test: the 82077AA floppy controller programmed directly, with
; the 8237's channel 2 and IRQ 6 (no BIOS).  Run with a blank 1.44M image
; as drive A (-fda); the program formats cylinder 5 side 0, writes two
; sectors, reads three back with DMA and one without, and leaves the text
; "PCVM-FDC-GUEST-WRITE" in the image (LBA 180).  Progress goes to the
; debug console (0xE9); the verdict to isa-debug-exit at 0xF4: 0x2A
; (pcvm status 85) when every check passed, else the number of the
; failed check.
%include "reset.inc"
%include "pic.inc"
        ROM_START
        cpu 386
FDC     equ 0x3F0
DOR     equ FDC + 2
MSR     equ FDC + 4
DATA    equ FDC + 5
DIR     equ FDC + 7
EXIT    equ 0xF4
IDS     equ 0x1000                  ; FORMAT's C/H/R/N table
WBUF    equ 0x2000                  ; sectors to write
RBUF    equ 0x3000                  ; sectors read back
FLAG    equ 0x0500                  ; set by the IRQ 6 handler
res     equ 0x0600                  ; result bytes

start:
        cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ds, ax
        mov es, ax
        cld
        mov word [0x0E*4], irq6
        mov word [0x0E*4+2], 0xF000

        PIC_INIT 0xBF, 0xFF         ; only IRQ 6
        mov al, 0xC0                ; DMA2 channel 4: cascade, unmasked
        out 0xD6, al
        xor al, al
        out 0xD4, al
        sti

        ; 1: reset through the DOR, one interrupt, four polling statuses
        mov byte [FLAG], 0
        xor al, al
        mov dx, DOR
        out dx, al
        mov al, 0x1C                ; motor A, DMA/IRQ on, out of reset, drive 0
        out dx, al
        call wait_irq
        mov bl, 0xC0
.poll:  mov al, 0x08
        call cmd1
        call result
        cmp cx, 2
        jne fail1
        cmp [res], bl
        jne fail1
        inc bl
        cmp bl, 0xC4
        jne .poll
        mov si, msg_reset
        call puts

        ; 2: VERSION
        mov si, c_version
        call command
        call result
        cmp word [res], 0x90
        jne fail2
        cmp cx, 1
        jne fail2

        ; 3: SPECIFY (DMA), 500 kbps, RECALIBRATE
        mov si, c_specify_dma
        call command
        xor al, al
        mov dx, DIR
        out dx, al
        mov si, c_recal
        call seek_cmd
        cmp word [res], 0x0020
        jne fail3

        ; 4: SEEK to cylinder 5; the disk change line goes down
        mov si, c_seek5
        call seek_cmd
        cmp word [res], 0x0520
        jne fail4
        mov dx, DIR
        in al, dx
        test al, 0x80
        jnz fail4

        ; 5: FORMAT cylinder 5 side 0: 18 sectors of 0xE5
        mov di, IDS
        mov cl, 1
.ids:   mov al, 5
        stosb
        xor al, al
        stosb
        mov al, cl
        stosb
        mov al, 2
        stosb
        inc cl
        cmp cl, 19
        jne .ids
        mov al, 0x4A                ; memory -> FDC
        mov bx, IDS
        mov cx, 18 * 4 - 1
        mov si, c_format
        call transfer
        cmp cx, 7
        jne fail5
        cmp byte [res], 0x00
        jne fail5
        mov si, msg_format
        call puts

        ; 6: WRITE DATA sectors 1-2: the text, then a pattern
        mov di, WBUF
        mov cx, 1024
        xor al, al
.pat:   stosb
        add al, 3
        loop .pat
        mov si, text
        mov di, WBUF
        mov cx, text_len
        cs rep movsb
        mov al, 0x4A
        mov bx, WBUF
        mov cx, 1023
        mov si, c_write
        call transfer
        mov si, r_write
        call expect7
        jne fail6

        ; 7: READ DATA (MT) sectors 1-3 by DMA: TC after the third
        mov al, 0x46                ; FDC -> memory
        mov bx, RBUF
        mov cx, 3 * 512 - 1
        mov si, c_read
        call transfer
        mov si, r_read
        call expect7
        jne fail7

        ; 8: what came back: the two written sectors, then the filler
        mov si, WBUF
        mov di, RBUF
        mov cx, 1024
        repe cmpsb
        jne fail8
        mov di, RBUF + 1024
        mov al, 0xE5
        mov cx, 512
        repe scasb
        jne fail8
        mov si, msg_rw
        call puts

        ; 9: READ ID on cylinder 5
        mov si, c_readid
        call command
        call wait_irq
        call result
        cmp word [res], 0x0000
        jne fail9
        cmp byte [res + 3], 5
        jne fail9

        ; 10: non-DMA READ of sector 2: bytes through the FIFO port
        mov si, c_specify_pio
        call command
        mov si, c_read_pio
        call command
        mov di, RBUF
        mov cx, 512
        mov dx, MSR
.wait:  in al, dx
        cmp al, 0xF0                ; RQM, DIO, non-DMA, busy
        jne .wait
        inc dx
        in al, dx
        dec dx
        stosb
        loop .wait
        call wait_irq
        call result
        mov si, r_read_pio          ; no TC without DMA: ends at EOT with EN
        call expect7
        jne fail10
        mov si, WBUF + 512
        mov di, RBUF
        mov cx, 512
        repe cmpsb
        jne fail10

        mov si, msg_done
        call puts
        mov al, 0x2A
        out EXIT, al
        hlt

fail1:  mov al, 1
        jmp fail
fail2:  mov al, 2
        jmp fail
fail3:  mov al, 3
        jmp fail
fail4:  mov al, 4
        jmp fail
fail5:  mov al, 5
        jmp fail
fail6:  mov al, 6
        jmp fail
fail7:  mov al, 7
        jmp fail
fail8:  mov al, 8
        jmp fail
fail9:  mov al, 9
        jmp fail
fail10: mov al, 10
fail:   push ax                     ; the last result bytes, for the log
        mov si, res
        mov cx, 7
.dump:  lodsb
        call hex8
        loop .dump
        mov al, 10
        out 0xE9, al
        pop ax
        out EXIT, al
        hlt

hex8:   push ax
        shr al, 4
        call .digit
        pop ax
        and al, 0x0F
.digit: add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'A' - '9' - 1
.out:   out 0xE9, al
        ret

irq6:   push ax
        mov byte [FLAG], 1
        mov al, 0x20
        out 0x20, al
        pop ax
        iret

; waits (HLT) for the IRQ 6 handler, then clears the flag
wait_irq:
        cli
        cmp byte [FLAG], 0
        jne .got
        sti
        hlt
        jmp wait_irq
.got:   mov byte [FLAG], 0
        sti
        ret

; sends the byte in AL once the FDC asks for it
cmd1:   push dx
        push ax
        mov dx, MSR
.w:     in al, dx
        and al, 0xC0
        cmp al, 0x80
        jne .w
        pop ax
        inc dx
        out dx, al
        pop dx
        ret

; sends a command: CS:SI = length byte, then the bytes
command:
        cs lodsb
        movzx cx, al
.next:  cs lodsb
        call cmd1
        loop .next
        ret

; a data command at CS:SI with DMA (mode AL, address BX, count CX), its
; interrupt and its result
transfer:
        call dma
        call command
        call wait_irq
        jmp result

; SEEK/RECALIBRATE at CS:SI, then its interrupt and SENSE INTERRUPT STATUS
seek_cmd:
        call command
        call wait_irq
        mov al, 0x08
        call cmd1
        jmp result

; reads the result phase into [res]; CX = bytes
result:
        push di
        mov di, res
        xor cx, cx
        mov word [res], 0
        mov dx, MSR
.w:     in al, dx
        test al, 0x80
        jz .w
        test al, 0x40
        jz .done
        inc dx
        in al, dx
        dec dx
        stosb
        inc cx
        jmp .w
.done:  pop di
        ret

; ZF when the 7 result bytes equal those at CS:SI
expect7:
        cmp cx, 7
        jne .out
        mov di, res
        mov cx, 7
.l:     cs lodsb
        cmp al, [di]
        jne .out
        inc di
        loop .l
        cmp al, al                  ; all equal: ZF (INC cleared it)
.out:   ret

; DMA channel 2: mode AL, address BX (page 0), count CX
dma:    push ax
        mov al, 0x06
        out 0x0A, al                ; mask channel 2
        out 0x0C, al                ; clear the flip-flop
        pop ax
        out 0x0B, al
        mov al, bl
        out 0x04, al
        mov al, bh
        out 0x04, al
        xor al, al
        out 0x81, al
        mov al, cl
        out 0x05, al
        mov al, ch
        out 0x05, al
        mov al, 0x02
        out 0x0A, al                ; unmask
        ret

; CS:SI zero-terminated text to the debug console
puts:   cs lodsb
        test al, al
        jz .out
        out 0xE9, al
        jmp puts
.out:   ret

c_version       db 1, 0x10
c_specify_dma   db 3, 0x03, 0xAF, 0x02
c_specify_pio   db 3, 0x03, 0xAF, 0x03
c_recal         db 2, 0x07, 0x00
c_seek5         db 3, 0x0F, 0x00, 5
c_format        db 6, 0x4D, 0x00, 2, 18, 0x54, 0xE5
c_write         db 9, 0xC5, 0x00, 5, 0, 1, 2, 18, 0x1B, 0xFF
c_read          db 9, 0xE6, 0x00, 5, 0, 1, 2, 18, 0x1B, 0xFF
c_readid        db 2, 0x4A, 0x00
c_read_pio      db 9, 0x46, 0x00, 5, 0, 2, 2, 2, 0x1B, 0xFF
r_write         db 0x00, 0x00, 0x00, 5, 0, 3, 2
r_read          db 0x00, 0x00, 0x00, 5, 0, 4, 2
r_read_pio      db 0x40, 0x80, 0x00, 6, 0, 1, 2
text            db "PCVM-FDC-GUEST-WRITE"
text_len        equ $ - text
msg_reset       db "fdc: reset, four polling statuses", 10, 0
msg_format      db "fdc: formatted cylinder 5", 10, 0
msg_rw          db "fdc: wrote 2 sectors, read 3 back by DMA", 10, 0
msg_done        db "fdc: non-DMA read; all checks passed", 10, 0

        ROM_END start

; Guest test: a floppy boot sector (not a ROM) for the 82077AA under
; SeaBIOS.  The firmware loads it from drive A; it then uses INT 13h,
; which SeaBIOS runs on the floppy controller with DMA channel 2:
;   1  AH=08h drive parameters: a 1.44M drive (type 4), 80x2x18
;   2  AH=02h the rest of track 0 side 0 (sectors 2-18, LBA 1-17)
;   3  AH=02h the whole of cylinder 1 side 1 (LBA 54-71)
;   4  AH=03h one sector written at C2 H1 S3 (LBA 92), read back, compared
;   5  AH=00h reset
;   6  AH=05h cylinder 3 side 0 formatted (LBA 108-125: the DBT's fill
;      byte 0xF6), sector 5 of it read back
; The image holds byte (LBA * 7 + k) & 0xFF at offset k of each sector
; past the boot sector.  Reports on COM1: "fdboot: PASS" or
; "fdboot: FAIL n" (n the step), then halts with interrupts off.
        bits 16
        org 0x7C00
COM1    equ 0x3F8

start:  jmp short main
        nop
main:   cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        mov [drive], dl
        mov dx, COM1 + 3        ; 115200 baud, 8N1
        mov al, 0x80
        out dx, al
        mov dx, COM1
        mov al, 1
        out dx, al
        inc dx
        xor al, al
        out dx, al
        mov dx, COM1 + 3
        mov al, 3
        out dx, al

        mov byte [step], '1'
        mov ah, 0x08
        mov dl, [drive]
        int 0x13
        jc fail
        cmp bl, 4
        jne fail
        cmp cx, 0x4F12          ; 79 cylinders max, 18 sectors
        jne fail
        cmp dh, 1
        jne fail

        mov byte [step], '2'
        mov ax, 0x1000
        mov es, ax
        xor bx, bx
        mov ax, 0x0211          ; read 17 sectors
        mov cx, 0x0002          ; cylinder 0, sector 2
        xor dh, dh
        call disk
        jc fail
        mov cx, 17
        mov bp, 1
        call check
        jc fail

        mov byte [step], '3'
        xor bx, bx
        mov ax, 0x0212          ; read 18 sectors
        mov cx, 0x0101          ; cylinder 1, sector 1
        mov dh, 1
        call disk
        jc fail
        mov cx, 18
        mov bp, 54
        call check
        jc fail

        mov byte [step], '4'
        mov ax, 0x2000
        mov es, ax
        xor di, di
        mov cx, 512
.fill:  mov ax, di
        xor al, 0x5A
        stosb
        loop .fill
        xor bx, bx
        mov ax, 0x0301          ; write 1 sector from 2000:0000
        mov cx, 0x0203          ; cylinder 2, sector 3
        mov dh, 1
        call disk
        jc fail
        mov ax, 0x1000
        mov es, ax
        xor bx, bx
        mov ax, 0x0201          ; read it back into 1000:0000
        mov cx, 0x0203
        mov dh, 1
        call disk
        jc fail
        push ds
        mov ax, 0x2000
        mov ds, ax
        xor si, si
        xor di, di
        mov cx, 512
        cld
        repe cmpsb
        pop ds
        jne fail

        mov byte [step], '5'
        xor ax, ax              ; reset: the controller and its 4 statuses
        mov dl, [drive]
        int 0x13
        jc fail

        mov byte [step], '6'
        mov ax, 0x2000          ; FORMAT cylinder 3 side 0: 18 IDs at 2000:0000
        mov es, ax
        xor di, di
        mov cl, 1
.ids:   mov al, 3
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
        xor bx, bx
        mov ax, 0x0512
        mov cx, 0x0301
        xor dh, dh
        mov dl, [drive]
        int 0x13
        jc fail
        mov ax, 0x1000          ; sector 5 of it now holds the fill byte
        mov es, ax
        xor bx, bx
        mov ax, 0x0201
        mov cx, 0x0305
        xor dh, dh
        call disk
        jc fail
        xor di, di
        mov al, 0xF6
        mov cx, 512
        repe scasb
        jne fail

        mov si, msg_pass
        call puts
        jmp done
fail:   mov si, msg_fail
        call puts
        mov al, [step]
        call putc
        mov si, msg_crlf
        call puts
done:   cli
        hlt
        jmp done

; INT 13h on the boot drive with AX, CX, DH, ES:BX as set; CF on error
; or when AL (sectors done) differs from the count asked.
disk:   mov dl, [drive]
        push ax
        int 0x13
        pop dx
        jc .out
        cmp al, dl
        je .out
        stc
.out:   ret

; CF clear when CX sectors at ES:0000 hold the pattern of LBA BP onwards.
check:  xor di, di
.sec:   push cx
        mov ax, bp
        mov dl, 7
        mul dl
        mov cx, 512
.byte:  cmp [es:di], al
        jne .bad
        inc al
        inc di
        loop .byte
        pop cx
        inc bp
        loop .sec
        clc
        ret
.bad:   pop cx
        stc
        ret

puts:   lodsb
        test al, al
        jz .out
        call putc
        jmp puts
.out:   ret

putc:   push dx
        push ax
        mov dx, COM1 + 5
.wait:  in al, dx
        test al, 0x20
        jz .wait
        pop ax
        mov dx, COM1
        out dx, al
        pop dx
        ret

msg_pass db "fdboot: PASS", 13, 10, 0
msg_fail db "fdboot: FAIL ", 0
msg_crlf db 13, 10, 0
drive   db 0
step    db 0

        times 510 - ($ - $$) db 0
        dw 0xAA55

; pcvm's BIOS-services boot program: a boot sector (plus three more
; sectors it loads itself) that a PC BIOS boots from a floppy, a hard disk
; or, as an El Torito no-emulation image, a CD-ROM.  It calls the BIOS
; services a DOS needs and reports each result on COM1 (written to the
; UART directly, so the report does not depend on the services it tests),
; then ends the run through isa-debug-exit at port 0xF4 (pcvm exit status
; 0x55 << 1 | 1 = 171 when every check passed, 0x0F<<1|1 = 31 otherwise).
;
;   INT 13h: drive parameters (AH=08h / AH=48h), CHS read (AH=02h) and
;            write (AH=03h) of the test sectors, the extensions (AH=41h,
;            AH=42h/43h) on hard disks and CD-ROMs
;   INT 10h: teletype output (AH=0Eh), cursor position (AH=03h)
;   INT 16h: keystroke status (AH=01h: none waiting)
;   INT 1Ah: RTC time (AH=02h) and the tick count (AH=00h)
;   INT 15h: E820 memory map, AH=88h extended memory; INT 12h base memory
;
; Sector layout of a floppy or hard disk image (512-byte sectors; from a
; CD the BIOS loads all four 512-byte parts at once):
;   0     this boot sector          1-3   the rest of the program
;   4     a pattern the test reads  5     where it writes its pattern
cpu 386
bits 16
org 0x7C00

COM1 equ 0x3F8
EXIT equ 0xF4
PROG_SECTORS equ 4

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov [drive], dl
    ; A CD (El Torito no emulation) loaded the whole program already.
    cmp dl, 0xE0
    jae .loaded
    mov ax, 0x0200 + PROG_SECTORS - 1   ; read sectors 2..4 (CHS 0/0/2)
    mov bx, 0x7E00
    mov cx, 0x0002
    xor dh, dh
    int 0x13
    jc load_failed
.loaded:
    jmp main

load_failed:
    mov si, msg_loadfail
    call puts
    mov al, 0x0F
    out EXIT, al
    hlt

; ---- COM1 output: si = zero-terminated string ----
puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

putc:
    push dx
    push ax
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop ax
    mov dx, COM1
    out dx, al
    pop dx
    ret

; al as two hex digits
hex8:
    push ax
    shr al, 4
    call .digit
    pop ax
    push ax
    and al, 0x0F
    call .digit
    pop ax
    ret
.digit:
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '9' - 1
.out:
    jmp putc

hex16:
    xchg al, ah
    call hex8
    xchg al, ah
    jmp hex8

hex32:                      ; eax
    ror eax, 16
    call hex16
    ror eax, 16
    jmp hex16

msg_loadfail db "biostest: cannot load the program sectors", 13, 10, 0
drive db 0

times 510 - ($ - $$) db 0
dw 0xAA55

; =================================================== sector 1 onwards
main:
    mov si, msg_hello
    call puts
    mov al, [drive]
    call hex8
    call crlf

    ; ---- INT 10h: teletype and cursor ----
    mov ax, 0x0E00 + 'P'
    xor bx, bx
    int 0x10
    mov ax, 0x0E00 + 'C'
    int 0x10
    mov ah, 0x03
    xor bh, bh
    int 0x10
    mov si, msg_cursor
    call puts
    mov al, dl              ; column after two characters
    call hex8
    call crlf

    ; ---- INT 13h: parameters ----
    mov dl, [drive]
    cmp dl, 0xE0
    jae .cdrom
    push es                 ; for a floppy, AH=08h returns ES:DI = its parameter table
    mov ah, 0x08
    xor di, di
    int 0x13
    pop es
    jc fail13
    mov si, msg_params
    call puts
    mov al, ch              ; cylinders low
    call hex8
    mov al, cl
    call hex8               ; sectors (+ cylinder high bits)
    mov al, dh
    call hex8               ; max head
    call crlf

    ; ---- CHS read of sector 5 (LBA 4) ----
    mov ax, 0x0201
    mov bx, buf
    mov cx, 0x0005
    xor dh, dh
    mov dl, [drive]
    int 0x13
    jc fail13
    mov si, msg_read
    call puts
    mov si, buf
    call put_pattern

    ; ---- CHS write of sector 6 (LBA 5), read back ----
    mov di, buf
    mov cx, 512
    xor al, al
.fill:
    stosb
    add al, 7
    loop .fill
    mov si, stamp
    mov di, buf
    mov cx, stamp_len
    rep movsb
    mov ax, 0x0301
    mov bx, buf
    mov cx, 0x0006
    xor dh, dh
    mov dl, [drive]
    int 0x13
    jc fail13
    mov di, buf
    mov cx, 256
    xor ax, ax
    rep stosw
    mov ax, 0x0201
    mov bx, buf
    mov cx, 0x0006
    xor dh, dh
    mov dl, [drive]
    int 0x13
    jc fail13
    mov si, msg_write
    call puts
    mov si, buf
    call put_pattern
    jmp .ext

.cdrom:
    mov si, msg_cd
    call puts
.ext:
    ; ---- INT 13h extensions (hard disks and CD-ROMs) ----
    mov dl, [drive]
    test dl, 0x80
    jz .noext
    mov ah, 0x41
    mov bx, 0x55AA
    int 0x13
    jc fail13
    cmp bx, 0xAA55
    jne fail13
    mov si, msg_ext
    call puts
    mov al, ah              ; version
    call hex8
    call crlf
    ; AH=48h: drive parameters with the sector size
    mov word [dpt], 0x1A
    mov si, dpt
    mov ah, 0x48
    mov dl, [drive]
    int 0x13
    jc fail13
    mov si, msg_secsize
    call puts
    mov ax, [dpt + 0x18]
    call hex16
    mov si, msg_sectors
    call puts
    mov eax, [dpt + 0x10]   ; total sectors (low dword)
    call hex32
    call crlf
    ; AH=42h: extended read of the pattern (LBA 4; on a CD the ISO 9660
    ; primary volume descriptor at LBA 16, "\x01CD001\x01")
    mov word [dap], 0x10
    mov word [dap + 2], 1
    mov word [dap + 4], buf
    mov word [dap + 6], 0
    mov dword [dap + 8], 4
    mov dword [dap + 12], 0
    cmp byte [drive], 0xE0
    jb .rd
    mov dword [dap + 8], 16
.rd:
    mov si, dap
    mov ah, 0x42
    mov dl, [drive]
    int 0x13
    jc fail13
    mov si, msg_extread
    call puts
    mov si, buf
    call put_pattern
.noext:

    ; ---- INT 16h: no key waiting ----
    mov ah, 0x01
    int 0x16
    mov si, msg_key_none
    jz .key
    mov si, msg_key_some
.key:
    call puts

    ; ---- INT 1Ah: RTC time and ticks ----
    mov ah, 0x02
    int 0x1A
    jc fail
    mov si, msg_rtc
    call puts
    mov al, ch
    call hex8
    mov al, ':'
    call putc
    mov al, cl
    call hex8
    call crlf
    xor ah, ah
    int 0x1A
    mov si, msg_ticks
    call puts
    mov ax, cx
    call hex16
    call crlf

    ; ---- INT 12h, INT 15h AH=88h ----
    int 0x12
    push ax                 ; puts clobbers AL
    mov si, msg_base
    call puts
    pop ax
    call hex16
    call crlf
    mov ah, 0x88
    int 0x15
    push ax
    mov si, msg_ext_mem
    call puts
    pop ax
    call hex16
    call crlf

    ; ---- INT 15h E820 ----
    xor ebx, ebx
.e820:
    mov eax, 0xE820
    mov edx, 0x534D4150
    mov ecx, 20
    mov di, e820buf
    int 0x15
    jc .e820done
    cmp eax, 0x534D4150
    jne fail
    mov si, msg_e820
    call puts
    mov eax, [e820buf + 4]
    call hex32
    mov eax, [e820buf]
    call hex32
    mov al, ' '
    call putc
    mov eax, [e820buf + 12]
    call hex32
    mov eax, [e820buf + 8]
    call hex32
    mov al, ' '
    call putc
    mov al, [e820buf + 16]
    call hex8
    call crlf
    test ebx, ebx
    jnz .e820
.e820done:

    mov si, msg_done
    call puts
    call drain
    mov al, 0x55
    out EXIT, al
    hlt

fail13:
    mov si, msg_fail13
    call puts
    mov al, ah
    call hex8
    call crlf
fail:
    mov si, msg_fail
    call puts
    call drain
    mov al, 0x0F
    out EXIT, al
    hlt

crlf:
    mov al, 13
    call putc
    mov al, 10
    jmp putc

; the first 16 bytes at si as text (the test patterns are ASCII)
; waits until COM1 has sent everything (LSR TEMT), so no output is lost
; when the run ends
drain:
    push ax
    push dx
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x40
    jz .wait
    pop dx
    pop ax
    ret

put_pattern:
    mov cx, 16
.l:
    lodsb
    cmp al, ' '
    jb .dot
    cmp al, '~'
    jbe .ok
.dot:
    mov al, '.'
.ok:
    call putc
    loop .l
    jmp crlf

msg_hello    db "biostest: booted from drive ", 0
msg_cursor   db "int10: cursor column ", 0
msg_params   db "int13 08: ch cl dh = ", 0
msg_read     db "int13 02: ", 0
msg_write    db "int13 03: ", 0
msg_cd       db "int13: CD-ROM (no CHS)", 13, 10, 0
msg_ext      db "int13 41: extensions ", 0
msg_secsize  db "int13 48: sector size ", 0
msg_sectors  db ", sectors ", 0
msg_extread  db "int13 42: ", 0
msg_key_none db "int16 01: no key", 13, 10, 0
msg_key_some db "int16 01: a key is waiting", 13, 10, 0
msg_rtc      db "int1a 02: ", 0
msg_ticks    db "int1a 00: ticks ", 0
msg_base     db "int12: KiB ", 0
msg_ext_mem  db "int15 88: KiB ", 0
msg_e820     db "int15 e820: ", 0
msg_done     db "biostest: done", 13, 10, 0
msg_fail13   db "int13 failed, AH=", 0
msg_fail     db "biostest: FAILED", 13, 10, 0
stamp        db "WRITTEN-BY-GUEST"
stamp_len    equ $ - stamp

times PROG_SECTORS * 512 - ($ - $$) db 0

; uninitialised data after the program
absolute 0x7C00 + PROG_SECTORS * 512
dap     resb 16
dpt     resb 0x1A
e820buf resb 24
alignb 16
buf     resb 2048

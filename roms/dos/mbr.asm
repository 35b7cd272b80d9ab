; pcvm's master boot record for the DOS hard-disk test images: moves
; itself to 0000:0600, finds the active partition, loads that partition's
; boot sector to 0000:7C00 (INT 13h AH=42h when the BIOS has the
; extensions, else the CHS address in the partition entry) and jumps to
; it with DL = the boot drive and DS:SI = the partition entry, as DOS
; boot sectors expect.
cpu 8086
org 0x600

start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7C00
    mov ds, ax
    mov es, ax
    sti
    cld
    mov si, 0x7C00
    mov di, 0x600
    mov cx, 256
    rep movsw
    jmp 0:relocated

relocated:
    mov [drive], dl
    mov si, parts
    mov cx, 4
.find:
    test byte [si], 0x80
    jnz found
    add si, 16
    loop .find
    mov si, msg_noactive
    jmp fail

found:
    mov [entry], si
    ; INT 13h extensions present?
    mov ah, 0x41
    mov bx, 0x55AA
    mov dl, [drive]
    int 0x13
    jc .chs
    cmp bx, 0xAA55
    jne .chs
    mov si, [entry]
    mov ax, [si + 8]            ; starting LBA
    mov [dap_lba], ax
    mov ax, [si + 10]
    mov [dap_lba + 2], ax
    mov si, dap
    mov ah, 0x42
    mov dl, [drive]
    int 0x13
    jnc loaded
.chs:
    mov si, [entry]
    mov dh, [si + 1]            ; head
    mov cx, [si + 2]            ; sector | cylinder
    mov bx, 0x7C00
    mov ax, 0x0201
    mov dl, [drive]
    int 0x13
    jc .readfail
    jmp loaded
.readfail:
    mov si, msg_read
    jmp fail

loaded:
    cmp word [0x7DFE], 0xAA55
    jne .nosig
    mov si, [entry]
    mov dl, [drive]
    jmp 0:0x7C00
.nosig:
    mov si, msg_nosig

fail:                           ; print si and stop
    lodsb
    test al, al
    jz .stop
    mov ah, 0x0E
    mov bx, 7
    int 0x10
    jmp fail
.stop:
    hlt
    jmp .stop

dap:        db 0x10, 0
            dw 1                ; one sector
            dw 0x7C00, 0        ; to 0000:7C00
dap_lba:    dd 0, 0
drive:      db 0
entry:      dw 0
msg_noactive db "MBR: no active partition", 0
msg_read     db "MBR: cannot read the boot sector", 0
msg_nosig    db "MBR: the partition is not bootable", 0

times 0x1BE - ($ - $$) db 0
parts:                          ; the partition table, filled by the image builder
times 64 db 0
dw 0xAA55

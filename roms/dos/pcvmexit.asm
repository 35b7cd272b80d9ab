; PCVMEXIT.COM: a DOS program that ends the emulator run through
; isa-debug-exit at port 0xF4 (pcvm and QEMU: exit status (V << 1) | 1).
; The status byte V is the first number on the command line (decimal,
; 0-255), 0x55 when none is given: "PCVMEXIT" -> 171, "PCVMEXIT 3" -> 7.
cpu 8086
org 0x100

    mov si, 0x81            ; command tail
    xor bx, bx              ; value
    xor cx, cx              ; digits seen
.skip:
    lodsb
    cmp al, ' '
    je .skip
.digit:
    cmp al, '0'
    jb .done
    cmp al, '9'
    ja .done
    sub al, '0'
    xchg ax, bx             ; bx*10 + digit
    mov dl, 10
    mul dl
    add al, bl
    mov bl, al
    inc cx
    lodsb
    jmp .digit
.done:
    mov al, 0x55
    jcxz .out
    mov al, bl
.out:
    out 0xF4, al
    ; Not under an emulator with isa-debug-exit: back to DOS.
    mov ax, 0x4C00
    int 0x21

; Guest test: machine resets through the 8042 (command 0xFE, pulse the
; reset line) and through the PIIX3's port 0xCF9, with the CMOS shutdown
; byte (0x0F) carrying the stage across them, as BIOSes do.
;   stage 0: write-enable PAM shadow RAM at F0000 (a reset must undo it),
;            set CMOS 0x0F = 0x5A, reset with 8042 command 0xFE;
;   stage 1: check PAM0 is back to 0, set 0x0F = 0x5B, hard reset through
;            0xCF9 (write 0x02 then 0x06);
;   stage 2: exit 0x2A through isa-debug-exit at 0xF4 (pcvm status 85).
; A failed check exits with its number.
%include "reset.inc"
        ROM_START
        cpu 386
start:
        mov al, 0x0F
        out 0x70, al
        in al, 0x71
        cmp al, 0x5A
        je stage1
        cmp al, 0x5B
        je stage2
        ; stage 0
        mov dx, 0xCF8
        mov eax, 0x80000058     ; i440FX register 0x58..0x5B
        out dx, eax
        mov dx, 0xCFD           ; byte 0x59: PAM0
        mov al, 0x20            ; write-enable only: code keeps coming from ROM
        out dx, al
        in al, dx
        cmp al, 0x20
        mov bl, 1
        jne fail
        mov al, 0x0F
        out 0x70, al
        mov al, 0x5A
        out 0x71, al
        mov al, 0xFE
        out 0x64, al            ; the reset happens after this instruction
        mov bl, 2
        jmp fail
stage1:
        mov dx, 0xCF8
        mov eax, 0x80000058
        out dx, eax
        mov dx, 0xCFD
        in al, dx
        test al, al
        mov bl, 3
        jnz fail
        mov al, 0x0F
        out 0x70, al
        mov al, 0x5B
        out 0x71, al
        mov dx, 0xCF9
        mov al, 0x02
        out dx, al
        mov al, 0x06
        out dx, al
        mov bl, 4
        jmp fail
stage2:
        mov al, 0x0F            ; clean up the shutdown byte
        out 0x70, al
        mov al, 0x00
        out 0x71, al
        mov al, 0x2A
        out 0xF4, al
        jmp $
fail:
        mov al, bl
        out 0xF4, al
        jmp $
        ROM_END start

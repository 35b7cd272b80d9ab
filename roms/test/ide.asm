; Test ROM: the PIIX3 IDE controller through its ports, as a driver sees
; it, with no firmware: the PCI function 00:01.1 is set up by hand (I/O
; decode, bus mastering, both channels' IDETIM decode enable, the bus
; master base at 0xC000), then on the primary master:
;   signature after reset, an absent slave reading 00h,
;   IDENTIFY DEVICE (capacity words 60-61, model string),
;   READ SECTORS of 4 sectors by 16-bit PIO and 1 by 32-bit PIO,
;   WRITE SECTORS of 1 sector, read back,
;   READ DMA through a one-entry PRD table,
;   IRQ14 seen in the slave 8259's IRR after a command.
; The host image (run_guest.py --disk) holds each sector's number in its
; first dword.  Run with -hda IMAGE -device isa-debug-exit,iobase=0xf4:
; exit status 171 (0x55) when all is well, else (N << 1) | 1 for the
; failing check N.
%include "reset.inc"
        ROM_START
        cpu 386

DISK_SECTORS equ 2048                   ; the image run_guest.py makes: 1 MiB
BUF     equ 0x1000                      ; sector buffer (segment 0)
PRD     equ 0x2000
DMABUF  equ 0x3000
BMIBA   equ 0xC000

%macro  fail 1
        mov al, %1
        jmp report
%endmacro

; PCI configuration write of 00:01.1: %1 offset, %2 value, %3 size (ax/eax)
%macro  cfgw 3
        mov eax, 0x80000900 | (%1 & 0xFC)
        mov dx, 0xCF8
        out dx, eax
        mov dx, 0xCFC + (%1 & 3)
        mov eax, %2
        out dx, %3
%endmacro

start:
        cli
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ds, ax
        mov es, ax
        cld

        ; Before the firmware's setup the channels do not decode.
        mov dx, 0x1F7
        in al, dx
        cmp al, 0xFF
        je .decode_off
        fail 1
.decode_off:
        cfgw 0x04, 0x0005, ax           ; I/O space, bus master
        cfgw 0x40, 0x80008000, eax      ; IDETIM primary and secondary: decode on
        cfgw 0x20, BMIBA, eax

        ; Signature 01 01 00 00, status DRDY|DSC.
        mov dx, 0x1F2
        in al, dx
        mov ah, al
        inc dx
        in al, dx
        cmp ax, 0x0101
        jne .bad_sig
        inc dx
        in al, dx
        inc dx
        mov ah, al
        in al, dx
        or al, ah
        jnz .bad_sig
        mov dx, 0x1F7
        in al, dx
        cmp al, 0x50
        je .sig_ok
.bad_sig:
        fail 2
.sig_ok:
        ; No slave: device 0 answers 00h for it.
        mov dx, 0x1F6
        mov al, 0xB0
        out dx, al
        mov dx, 0x1F7
        in al, dx
        test al, al
        jz .slave_ok
        fail 3
.slave_ok:
        mov dx, 0x1F6
        mov al, 0xA0
        out dx, al

        ; IDENTIFY DEVICE
        mov dx, 0x1F7
        mov al, 0xEC
        out dx, al
        call wait_drq
        mov di, BUF
        mov cx, 256
        mov dx, 0x1F0
        rep insw
        cmp dword [BUF + 60 * 2], DISK_SECTORS
        jne .bad_id
        cmp word [BUF + 27 * 2], 'CP'   ; "PC": the first character in the high byte
        je .id_ok
.bad_id:
        fail 4
.id_ok:
        ; READ SECTORS: 4 sectors at LBA 100, one DRQ block each.
        mov eax, 100
        mov cl, 4
        mov bl, 0x20
        call command
        mov ebp, 100
.next_sector:
        call wait_drq
        mov di, BUF
        mov cx, 256
        mov dx, 0x1F0
        rep insw
        cmp [BUF], ebp
        je .sector_ok
        fail 5
.sector_ok:
        inc ebp
        cmp ebp, 104
        jne .next_sector
        call wait_ready
        cmp al, 0x50
        je .pio_done
        fail 6
.pio_done:
        ; 32-bit PIO: one sector at LBA 7.
        mov eax, 7
        mov cl, 1
        mov bl, 0x20
        call command
        call wait_drq
        mov di, BUF
        mov cx, 128
        mov dx, 0x1F0
        rep insd
        cmp dword [BUF], 7
        je .pio32_ok
        fail 7
.pio32_ok:
        ; WRITE SECTORS at LBA 5: the text run_guest.py looks for in the image.
        mov di, BUF
        mov cx, 512 / 16
.fill:
        mov si, stamp
.fill16:
        cs lodsb
        stosb
        cmp si, stamp + 16
        jne .fill16
        loop .fill
        mov eax, 5
        mov cl, 1
        mov bl, 0x30
        call command
        call wait_drq                   ; the first block is asked at once
        mov si, BUF
        mov cx, 256
        mov dx, 0x1F0
        rep outsw
        call wait_ready
        cmp al, 0x50
        je .written
        fail 8
.written:
        mov dword [BUF], 0
        mov eax, 5
        mov cl, 1
        mov bl, 0x20
        call command
        call wait_drq
        mov di, BUF
        mov cx, 256
        mov dx, 0x1F0
        rep insw
        cmp dword [BUF], 'IDE-'
        je .readback_ok
        fail 9
.readback_ok:
        ; READ DMA: LBA 9 into DMABUF through one PRD entry.
        mov dword [PRD], DMABUF
        mov dword [PRD + 4], 0x80000000 | 512
        mov dx, BMIBA + 4
        mov eax, PRD
        out dx, eax
        mov dx, BMIBA + 2               ; clear Interrupt (set by the PIO commands) and Error
        mov al, 0x06
        out dx, al
        mov eax, 9
        mov cl, 1
        mov bl, 0xC8
        call command
        mov dx, BMIBA
        mov al, 0x09                    ; start, device to memory
        out dx, al
        mov dx, BMIBA + 2
.dma_wait:
        in al, dx
        test al, 0x04                   ; interrupt
        jz .dma_wait
        test al, 0x03                   ; active clear (table used up), no error
        jz .dma_status_ok
        fail 10
.dma_status_ok:
        mov dx, BMIBA
        xor al, al
        out dx, al
        mov dx, 0x1F7
        in al, dx
        cmp al, 0x50
        jne .bad_dma
        cmp dword [DMABUF], 9
        je .dma_ok
.bad_dma:
        fail 11
.dma_ok:
        ; The interrupt reached IRQ14: initialize the 8259 pair, mask all,
        ; and look at the slave's IRR (masking does not hide requests).
        mov al, 0x11
        out 0x20, al
        out 0xA0, al
        mov al, 0x08
        out 0x21, al
        mov al, 0x70
        out 0xA1, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x02
        out 0xA1, al
        mov al, 0x01
        out 0x21, al
        out 0xA1, al
        mov al, 0xFF
        out 0x21, al
        out 0xA1, al
        mov dx, 0x3F6                   ; nIEN clear
        xor al, al
        out dx, al
        mov eax, 1
        mov cl, 1
        mov bl, 0x40                    ; READ VERIFY: completion interrupt
        call command
        mov dx, 0x3F6                   ; alternate status: leaves the interrupt pending
.verify_wait:
        in al, dx
        test al, 0x80
        jnz .verify_wait
        mov al, 0x0A                    ; OCW3: read IRR
        out 0xA0, al
        in al, 0xA0
        test al, 0x40
        jnz .irq_ok
        fail 12
.irq_ok:
        mov al, 0x55
report:
        out 0xF4, al
        jmp $

; LBA28 command: eax LBA, cl count, bl command (primary master).
command:
        mov dx, 0x1F2
        xchg al, cl
        out dx, al
        xchg al, cl
        inc dx
        out dx, al                      ; LBA 7-0
        inc dx
        shr eax, 8
        out dx, al
        inc dx
        shr eax, 8
        out dx, al
        inc dx
        shr eax, 8
        and al, 0x0F
        or al, 0xE0
        out dx, al
        inc dx
        mov al, bl
        out dx, al
        ret

; Waits for BSY clear; returns the status in al.
wait_ready:
        mov dx, 0x1F7
.l:     in al, dx
        test al, 0x80
        jnz .l
        ret

; Waits for BSY clear and DRQ set; fails on ERR.
wait_drq:
        call wait_ready
        test al, 0x01
        jnz .err
        test al, 0x08
        jz wait_drq
        ret
.err:   fail 13

stamp:  db 'IDE-GUEST-WROTE!'

        ROM_END start

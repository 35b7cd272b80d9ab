; Test option ROM (pcvm -option-rom under SeaBIOS + SeaVGABIOS): sets VBE
; mode 0x112 (640x480, 24 bpp) with the linear frame buffer (BX bit 14)
; through INT 10h AX=4F02, reads the frame buffer's address and pitch with
; AX=4F01, and draws through the LFB from "unreal" mode (FS with a 4 GiB
; limit): pixel (x, y) = red x & 255, green y & 255, blue (x + y) & 255.
; Then CLI; HLT.  tests/guest/vga_test.py checks the PNG; it also sets
; the checksum byte (the last one).  A failing call ends in HLT at once.
        bits 16
        org 0
        cpu 386
        db 0x55, 0xAA, 4                ; 2 KiB
        jmp init
INFO    equ 0x5000                      ; scratch segment (free RAM during POST)
init:
        cli
        mov ax, 0x4F02
        mov bx, 0x4112
        int 0x10
        cmp ax, 0x004F
        jne .fail
        mov ax, INFO
        mov es, ax
        xor di, di
        mov ax, 0x4F01
        mov cx, 0x0112
        int 0x10
        cmp ax, 0x004F
        jne .fail
        cmp byte [es:0x19], 24
        jne .fail
        ; GDT (null, flat data) and its pointer in scratch RAM.
        mov dword [es:0x100], 0
        mov dword [es:0x104], 0
        mov dword [es:0x108], 0x0000FFFF
        mov dword [es:0x10C], 0x00CF9200
        mov word [es:0x110], 15
        mov dword [es:0x112], INFO * 16 + 0x100
        lgdt [es:0x110]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp $ + 2
        mov bx, 8
        mov fs, bx
        and al, 0xFE
        mov cr0, eax
        jmp $ + 2
        xor bx, bx
        mov fs, bx                      ; base 0, the 4 GiB limit stays
        mov edi, [es:0x28]              ; PhysBasePtr
        movzx ebp, word [es:0x10]       ; BytesPerScanLine
        xor edx, edx                    ; y
.row:   mov esi, edi
        xor ecx, ecx                    ; x
.px:    mov eax, ecx
        add eax, edx
        mov [fs:esi], al                ; blue
        mov [fs:esi + 1], dl            ; green
        mov [fs:esi + 2], cl            ; red
        add esi, 3
        inc ecx
        cmp ecx, 640
        jb .px
        add edi, ebp
        inc edx
        cmp edx, 480
        jb .row
.fail:  hlt
        jmp .fail
        times 2047 - ($ - $$) db 0
        db 0                            ; checksum (set by the test)

; A program that enters 32-bit protected mode by itself, for the debugger
; and gdb stub tests: flat 4 GiB code and data segments, then a little
; 32-bit arithmetic and a store, then HLT.  The ROM lives at linear
; 0xF0000, and with CS.base = 0 EIP equals the linear address (what gdb's
; $pc shows).
%include "reset.inc"
%define LIN(x) (0xF0000 + (x))
        ROM_START
        cpu 386
start:
        cli
        lgdt [cs:gdtr]
        mov eax, cr0
        or al, 1                        ; CR0.PE
        mov cr0, eax
        jmp dword 0x08:LIN(pm32)        ; load CS from the GDT: 32-bit code

        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x9000
        mov dword [0x8010], 0xC0000001
        mov eax, 0x7FFFFFFF
        add eax, 1                      ; signed overflow: OF=1
        mov [0x8000], eax               ; a watched dword
        mov ecx, [0x8000]
        mov ebx, 0x7FF0
        mov esi, 2
        mov edx, [fs:ebx+esi*8+0x10]    ; SIB: 0x7FF0 + 2*8 + 0x10 = 0x8010
        shl edx, 1
        hlt

        align 8
gdt:    dq 0                            ; null
        dq 0x00CF9A000000FFFF           ; 0x08: code, base 0, limit 4G, 32-bit
        dq 0x00CF92000000FFFF           ; 0x10: data, base 0, limit 4G
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd LIN(gdt)
        bits 16
        ROM_END start

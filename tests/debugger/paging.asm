; Protected mode with paging, for the debugger's pagewalk, catch mode and
; watchpoints through page tables: linear 0x400000 maps to physical 0x8000.
%include "reset.inc"
%define LIN(x) (0xF0000 + (x))
        ROM_START
        cpu 386
start:
        cli
        lgdt [cs:gdtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword 0x08:LIN(pm32)
        bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x9000
        ; page directory at 0x10000, identity table at 0x11000, second table at 0x12000
        mov edi, 0x10000
        mov ecx, 3*1024
        xor eax, eax
        rep stosd
        mov dword [0x10000], 0x11003        ; PDE 0 -> table 0x11000, P RW
        mov dword [0x10004], 0x12007        ; PDE 1 (0x400000) -> table 0x12000, P RW US
        mov ecx, 1024
        mov edi, 0x11000
        mov eax, 0x003
.id:    stosd
        add eax, 0x1000
        loop .id
        mov dword [0x12000], 0x8003         ; 0x400000 -> phys 0x8000
        mov eax, 0x10000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov dword [0x400000], 0x12345678
        mov ebx, [0x8000]
        hlt
        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF
        dq 0x00CF92000000FFFF
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd LIN(gdt)
        bits 16
        ROM_END start

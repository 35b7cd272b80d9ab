; pcvm's Multiboot loader option ROM (genroms/multiboot.bin), for -kernel
; with a Multiboot 1 kernel (the Multiboot Specification 0.6.96, section 3.2
; "Machine state").  pcvm (bus/multiboot.c) has laid the kernel, the
; modules and the Multiboot information out as fw_cfg items:
;
;   KERNEL_ADDR/SIZE/DATA    the kernel image with its BSS
;   INITRD_ADDR/SIZE/DATA    the modules (size 0: none)
;   SETUP_ADDR/SIZE/DATA     the Multiboot information area (below 1 MiB)
;   KERNEL_ENTRY             the entry point
;
; At boot (the BEV) it copies them with fw_cfg DMA, fills mem_lower (INT
; 12h), the memory map and mem_upper (INT 15h E820), turns A20 on, enters
; 32-bit protected mode with flat 4 GiB segments, paging off, IF = 0, and
; jumps to the entry with EAX = 0x2BADB002 and EBX = the information.

%include "bootrom.inc"

product_name:
        db      'pcvm Multiboot loader', 0

MB_MEM_LOWER    equ 4
MB_MEM_UPPER    equ 8
MB_FLAGS        equ 0
MB_MMAP_LENGTH  equ 44
MB_MMAP_ADDR    equ 48
MB_FLAG_MMAP    equ 1 << 6
MMAP_MAX        equ 64                  ; entries pcvm left room for
SMAP            equ 0x534D4150

boot:
        cli
        cld
        mov     ax, FW_CFG_KERNEL_DATA
        mov     bx, FW_CFG_KERNEL_ADDR
        mov     cx, FW_CFG_KERNEL_SIZE
        call    load_item
        jc      .fail
        test    ecx, ecx
        jz      .fail                   ; no kernel in fw_cfg
        mov     ax, FW_CFG_INITRD_DATA
        mov     bx, FW_CFG_INITRD_ADDR
        mov     cx, FW_CFG_INITRD_SIZE
        call    load_item
        jc      .fail
        mov     ax, FW_CFG_SETUP_DATA
        mov     bx, FW_CFG_SETUP_ADDR
        mov     cx, FW_CFG_SETUP_SIZE
        call    load_item
        jc      .fail
        mov     ebx, edi                ; EBX: the information (kept to the end)
        shr     edi, 4
        mov     fs, di                  ; FS: its segment (it is paragraph-aligned)

        int     0x12                    ; AX = KiB of conventional memory
        movzx   eax, ax
        mov     [fs:MB_MEM_LOWER], eax

        ; The memory map: INT 15h E820 entries of 20 bytes, each stored
        ; after a size field of 20 (the Multiboot mmap entry layout).
        mov     eax, [fs:MB_MMAP_ADDR]
        mov     di, ax
        and     di, 15
        shr     eax, 4
        mov     es, ax                  ; ES:DI = the map
        xor     ebp, ebp                ; EBP: entries so far
        xor     esi, esi                ; ESI: continuation value
.e820:
        mov     dword [es:di], 20
        push    di
        add     di, 4
        mov     eax, 0xE820
        mov     edx, SMAP
        mov     ecx, 20
        push    ebx
        mov     ebx, esi
        int     0x15
        mov     esi, ebx
        pop     ebx
        pop     di
        jc      .e820_done
        cmp     eax, SMAP
        jne     .e820_done
        ; mem_upper: the RAM block that starts at 1 MiB, in KiB.
        cmp     dword [es:di+4], 0x100000
        jne     .next
        cmp     dword [es:di+8], 0
        jne     .next
        cmp     dword [es:di+20], 1
        jne     .next
        mov     eax, [es:di+12]
        shr     eax, 10
        mov     [fs:MB_MEM_UPPER], eax
.next:
        add     di, 24
        inc     ebp
        cmp     ebp, MMAP_MAX
        jae     .e820_done
        test    esi, esi
        jnz     .e820
.e820_done:
        imul    eax, ebp, 24
        mov     [fs:MB_MMAP_LENGTH], eax
        test    ebp, ebp
        jnz     .have_map
        and     dword [fs:MB_FLAGS], ~MB_FLAG_MMAP
.have_map:

        mov     ax, FW_CFG_KERNEL_ENTRY
        call    fw_read32
        mov     esi, eax                ; ESI: the entry point
        call    a20_on

        ; The GDT lives in this ROM: its linear address is CS * 16 + offset.
        xor     eax, eax
        mov     ax, cs
        shl     eax, 4
        mov     edx, eax                ; EDX: the ROM's linear base
        add     eax, gdt
        push    eax                     ; the pseudo-descriptor: base ...
        push    word gdt_end - gdt - 1  ; ... and limit
        mov     bp, sp
        o32 lgdt [bp]
        add     sp, 6
        ; The stack, flat: EDI = SS * 16 + SP, ESP once in protected mode.
        xor     edi, edi
        mov     di, ss
        shl     edi, 4
        movzx   eax, sp
        add     edi, eax
        lea     eax, [edx + pm32]
        mov     ecx, cr0
        or      cl, 1                   ; PE
        mov     cr0, ecx
        ; A far jump to 0x08:pm32 through the stack (the ROM's address is
        ; known only now); the stack is still the real-mode SS:SP.
        sub     sp, 8
        mov     bp, sp
        mov     [bp], eax
        mov     dword [bp+4], 0x08
        o32 retf
.fail:
        sti
        retf                            ; back to the BIOS: the next boot entry

        bits    32
pm32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, edi
        mov     eax, 0x2BADB002
        jmp     esi

        align   8
gdt:
        dq      0
        dq      0x00CF9A000000FFFF      ; 0x08: code, base 0, limit 4 GiB, 32-bit
        dq      0x00CF92000000FFFF      ; 0x10: data, base 0, limit 4 GiB
gdt_end:

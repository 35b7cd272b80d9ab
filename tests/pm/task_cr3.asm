; A task switch loads CR3 from the new 32-bit TSS and flushes the TLB
; (SDM Vol. 3A 7.3 step 8, 4.10.4.1): two page directories map the linear
; page WIN to different frames; the value read through WIN follows the
; task.  CR3 is not written back to the outgoing TSS (it is a static
; field).  A switch to a 16-bit TSS keeps CR3.
%include "pm.inc"

TSS_B   equ 0x3000
TSS_16  equ 0x3200
SEL_B   equ 0x40
SEL_16  equ 0x48
PD_B    equ 0x110000
PT_B    equ 0x111000
WIN     equ 0x200000
FRAME_A equ 0x200000
FRAME_B equ 0x210000
R       equ USER

    call paging_on
    mov dword [FRAME_A], 0xAAAA0001
    mov dword [FRAME_B], 0xBBBB0002
    ; PD_B: a copy of the identity map except WIN -> FRAME_B
    mov esi, PAGE_TAB0
    mov edi, PT_B
    mov ecx, 1024
    rep movsd
    mov dword [PT_B + (WIN >> 12) * 4], FRAME_B | 7
    mov edi, PD_B
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov dword [PD_B], PT_B | 7

    mov edi, TSS_B
    mov ebx, task_b
    mov ecx, 0x18000
    call tss32_init
    mov dword [TSS_B + 0x1C], PD_B
    GDT_SET SEL_B, TSS_B, 0x67, 0x89, 0

    mov eax, [WIN]              ; the main task's translation is in the TLB
    PUTREG "main.win", eax
    call SEL_B:0
    PUTREG "b.win", [R]
    PUTREG "b.cr3", [R + 4]
    mov eax, cr3
    PUTREG "main.cr3", eax
    mov eax, [WIN]
    PUTREG "main.win", eax
    PUTREG "main_tss.cr3", [TSS_MAIN_BASE + 0x1C]
    PUTREG "b_tss.cr3", [TSS_B + 0x1C]

    ; 16-bit task: CR3 stays PAGE_DIR
    mov edi, TSS_16
    xor eax, eax
    mov ecx, 0x2C / 4
    rep stosd
    mov word [TSS_16 + 0x0E], task16
    mov word [TSS_16 + 0x10], 2
    mov word [TSS_16 + 0x1A], 0x7000
    mov word [TSS_16 + 0x22], SEL_DATA
    mov word [TSS_16 + 0x24], SEL_CODE16
    mov word [TSS_16 + 0x26], SEL_DATA16
    mov word [TSS_16 + 0x28], SEL_DATA
    GDT_SET SEL_16, TSS_16, 0x2B, 0x81, 0
    call SEL_16:0
    PUTREG "t16.win", [R + 8]
    PUTREG "t16.cr3", [R + 12]
    EXIT_OK

task_b:
    mov eax, [WIN]
    mov [R], eax
    mov eax, cr3
    mov [R + 4], eax
    iretd

    bits 16
task16:
    mov eax, [dword WIN]
    mov [dword R + 8], eax
    mov eax, cr3
    mov [dword R + 12], eax
    iret
    bits 32

    PM_END

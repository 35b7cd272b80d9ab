; Task switches into and out of virtual-8086 mode (SDM Vol. 3A 7.3, 20.2):
; the main task JMPs to a 32-bit TSS whose EFLAGS has VM=1, so the task
; starts in V86 mode with real-mode segments (CS F000h = this ROM).  Its
; INT 42h goes through an IDT task gate to a handler task H: the V86 state
; (VM, segment selectors, registers) is saved in the V86 task's TSS.  H's
; IRET returns to V86 mode through the back link; the V86 task's INT 43h
; then switches through a task gate to the main task (nested: NT, link).
%include "pm.inc"

TSS_V  equ 0x3000
TSS_H  equ 0x3100
SEL_V  equ 0x40
SEL_H  equ 0x48
R      equ USER

    mov edi, TSS_V
    mov ebx, v86_code
    mov ecx, 0xFFF0
    call tss32_init
    mov dword [TSS_V + 0x24], 0x20000 | 0x3000 | 2    ; VM, IOPL 3
    mov dword [TSS_V + 0x48], 0                       ; ES
    mov dword [TSS_V + 0x4C], 0xF000                  ; CS
    mov dword [TSS_V + 0x50], 0x1000                  ; SS
    mov dword [TSS_V + 0x54], 0x0120                  ; DS (base 1200h)
    mov dword [TSS_V + 0x58], 0
    mov dword [TSS_V + 0x5C], 0
    GDT_SET SEL_V, TSS_V, 0x67, 0x89, 0
    mov edi, TSS_H
    mov ebx, task_h
    mov ecx, 0x17000
    call tss32_init
    GDT_SET SEL_H, TSS_H, 0x67, 0x89, 0
    IDT_TASKGATE 0x42, SEL_H, 3
    IDT_TASKGATE 0x43, SEL_TSS_MAIN, 3

    mov dword [0x1200], 0x5A5A5A5A      ; DS:0000 of the V86 task
    jmp SEL_V:0
    ; back here through INT 43h from the V86 task
    PUTS `main: back\n`
    pushfd
    pop eax
    and eax, 0x24000
    PUTREG "main.vm_nt", eax
    movzx eax, word [TSS_MAIN_BASE]
    PUTREG "main.link", eax
    PUTREG "v.saved_eflags.vm", [TSS_V + 0x24]
    movzx eax, word [TSS_V + 0x4C]
    PUTREG "v.saved_cs", eax
    PUTREG "v.saved_ecx", [TSS_V + 0x2C]
    PUTREG "v.read_ds0", [0x1204]
    EXIT_OK

task_h:
    PUTS `h: entered\n`
    movzx eax, word [TSS_H]
    PUTREG "h.link", eax
    mov eax, [TSS_V + 0x24]
    and eax, 0x20000
    PUTREG "v.saved_vm", eax
    movzx eax, word [TSS_V + 0x4C]
    PUTREG "v.saved_cs", eax
    movzx eax, word [TSS_V + 0x50]
    PUTREG "v.saved_ss", eax
    movzx eax, word [TSS_V + 0x28]
    PUTREG "v.saved_ax", eax
    movzx eax, word [TSS_V + 0x34]
    PUTREG "v.saved_bx", eax
    mov eax, cs
    and eax, 3
    PUTREG "h.cpl", eax
    iretd
    EXIT_FAIL

    bits 16
v86_code:
    mov ax, 0x1234
    mov bx, cs
    int 0x42
    ; back in V86 mode after H's IRET
    mov ecx, [0]                 ; DS = 0120h: linear 1200h
    mov [4], ecx                 ; linear 1204h
    mov ecx, 0xC0DE
    int 0x43
    jmp $
    bits 32

    PM_END

; Task switches across privilege levels: the main task (CPL 0) JMPs to a
; ring-3 task B; B's INT 41h goes through a DPL-3 task gate in the IDT to
; a ring-0 handler task H (CPL from H's CS, NT and back link to B), whose
; IRET returns to B at CPL 3; B's CALL to the main TSS (descriptor DPL 0)
; raises #GP(28h) in B, delivered through an interrupt gate on B's ring-0
; stack (SS0:ESP0 of B's TSS).
%include "pm.inc"

TSS_B  equ 0x3000
TSS_H  equ 0x3100
SEL_B  equ 0x40
SEL_H  equ 0x48
R      equ USER

%macro PUTCPL 1
    mov eax, cs
    and eax, 3
    PUTREG %1, eax
%endmacro

    mov edi, TSS_B
    mov ebx, task_b
    mov ecx, 0x18000
    call tss32_init
    mov dword [TSS_B + 0x4C], SEL_CODE32_3 | 3
    mov dword [TSS_B + 0x50], SEL_DATA_3 | 3
    mov dword [TSS_B + 0x54], SEL_DATA_3 | 3
    mov dword [TSS_B + 0x48], SEL_DATA_3 | 3
    mov dword [TSS_B + 0x58], 0
    mov dword [TSS_B + 0x5C], 0
    mov dword [TSS_B + 0x04], 0x16000          ; ESP0
    mov dword [TSS_B + 0x24], 0x3002           ; IOPL 3: B prints through port E9h
    GDT_SET SEL_B, TSS_B, 0x67, 0x89, 0
    mov edi, TSS_H
    mov ebx, task_h
    mov ecx, 0x17000
    call tss32_init
    GDT_SET SEL_H, TSS_H, 0x67, 0x89, 0
    IDT_TASKGATE 0x41, SEL_H, 3

    jmp SEL_B:0
    PUTS `main: back\n`
    PUTREG "b.saved_cs", [TSS_B + 0x4C]
    movzx eax, byte [GDT_BASE + SEL_B + 5]
    PUTREG "b.access", eax
    EXIT_OK

task_b:
    PUTCPL "b.cpl"
    mov eax, ss
    PUTREG "b.ss", eax
    mov ebx, 0xB0B0
    int 0x41
    PUTS `b: after int 41\n`
    PUTCPL "b.cpl"
    PUTREG "b.ebx", ebx
    mov dword [RESUME], b_resume
    mov [RESUME_ESP], esp
    call SEL_TSS_MAIN:0
    EXIT_FAIL
b_resume:
    PUTCPL "b.cpl"
    mov eax, [EXC_CS]
    PUTREG "exc.cs", eax
    jmp SEL_TSS_MAIN:0

task_h:
    PUTS `h: entered\n`
    PUTCPL "h.cpl"
    pushfd
    pop eax
    and eax, 0x4000
    PUTREG "h.nt", eax
    movzx eax, word [TSS_H]
    PUTREG "h.link", eax
    PUTREG "b.saved_ebx", [TSS_B + 0x34]
    mov eax, [TSS_B + 0x4C]
    PUTREG "b.saved_cs", eax
    iretd
    jmp task_h

    PM_END

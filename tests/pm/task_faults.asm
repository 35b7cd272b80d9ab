; Task-switch faults (SDM Vol. 3A Table 7-1) and the 16-bit TSS:
;   before the commit point (seen by the outgoing task, nothing changed):
;     TSS limit below 67h -> #TS(sel), TSS not present -> #NP(sel),
;     IRET (NT=1) to a back link that is not a busy TSS -> #TS(link);
;   after the commit point (delivered in the new task, EIP = its entry):
;     CS selecting a data segment -> #TS(CS selector);
;   a CALL to a 16-bit task and IRET back (80386: the upper register halves
;   read FFFFh in the 16-bit task, no upper EFLAGS bits, NT and back link);
;   the T bit in a 32-bit TSS -> #DB before the task's first instruction
;   with DR6.BT set.
%include "pm.inc"

TSS_B     equ 0x3000
TSS_BAD   equ 0x3100
TSS_16    equ 0x3200
TSS_T     equ 0x3300
SEL_B     equ 0x40
SEL_SHORT equ 0x48
SEL_NP    equ 0x50
SEL_BAD   equ 0x58
SEL_16    equ 0x60
SEL_T     equ 0x68
R16       equ USER + 0x40        ; what the 16-bit task saw

    mov edi, TSS_B
    mov ebx, task_b
    mov ecx, 0x18000
    call tss32_init
    GDT_SET SEL_B, TSS_B, 0x67, 0x89, 0
    GDT_SET SEL_SHORT, TSS_B, 0x66, 0x89, 0
    GDT_SET SEL_NP, TSS_B, 0x67, 0x09, 0

    PUTS `limit 66h\n`
    EXPECT .l1
    jmp SEL_SHORT:0
    EXIT_FAIL
.l1:
    PUTS `not present\n`
    EXPECT .l2
    call SEL_NP:0
    EXIT_FAIL
.l2:
    xor eax, eax
    str ax
    PUTREG "tr", eax
    movzx eax, byte [GDT_BASE + SEL_B + 5]
    PUTREG "b.access", eax

    PUTS `iret to an available task\n`
    mov word [TSS_MAIN_BASE], SEL_B
    EXPECT .l3
    pushfd
    or dword [esp], 0x4000
    popfd
    iretd
    EXIT_FAIL
.l3:
    xor eax, eax
    str ax
    PUTREG "tr", eax

    PUTS `CS is a data segment\n`
    mov edi, TSS_BAD
    mov ebx, bad_entry
    mov ecx, 0x18000
    call tss32_init
    mov dword [TSS_BAD + 0x4C], SEL_DATA
    GDT_SET SEL_BAD, TSS_BAD, 0x67, 0x89, 0
    mov dword [RESUME], bad_resume
    mov [RESUME_ESP], esp
    jmp SEL_BAD:0
    ; bad_resume jumps back to the main task, which goes on here.
    PUTS `main: back\n`
    movzx eax, byte [GDT_BASE + SEL_BAD + 5]
    PUTREG "bad.access", eax
    mov eax, [TSS_BAD + 0x4C]
    PUTREG "bad.saved_cs", eax

    PUTS `16-bit task\n`
    mov edi, TSS_16
    xor eax, eax
    mov ecx, 0x2C / 4
    rep stosd
    mov word [TSS_16 + 0x0E], task16
    mov word [TSS_16 + 0x10], 0x0002 | 0x0001        ; FLAGS: CF
    mov word [TSS_16 + 0x12], 0x1234                 ; AX
    mov word [TSS_16 + 0x18], 0xBEEF                 ; BX
    mov word [TSS_16 + 0x1A], 0x7000                 ; SP
    mov word [TSS_16 + 0x22], SEL_DATA16             ; ES
    mov word [TSS_16 + 0x24], SEL_CODE16             ; CS
    mov word [TSS_16 + 0x26], SEL_DATA16             ; SS
    mov word [TSS_16 + 0x28], SEL_DATA16             ; DS
    GDT_SET SEL_16, TSS_16, 0x2B, 0x81, 0
    mov ebx, 0x55555555
    call SEL_16:0
    PUTREG "main.ebx", ebx
    PUTREG "t16.eax", [R16]
    PUTREG "t16.ebx", [R16 + 4]
    PUTREG "t16.eflags", [R16 + 8]
    PUTREG "t16.cs", [R16 + 12]
    PUTREG "t16.fs", [R16 + 16]
    movzx eax, word [TSS_16]
    PUTREG "t16.link", eax
    movzx eax, byte [GDT_BASE + SEL_16 + 5]
    PUTREG "t16.access", eax
    movzx eax, word [TSS_16 + 0x0E]
    sub eax, task16_after_iret
    PUTREG "t16.saved_ip-after_iret", eax
    movzx eax, word [TSS_16 + 0x10]
    PUTREG "t16.saved_flags", eax

    PUTS `T bit\n`
    mov edi, TSS_T
    mov ebx, t_entry
    mov ecx, 0x18000
    call tss32_init
    mov word [TSS_T + 0x64], 1
    GDT_SET SEL_T, TSS_T, 0x67, 0x89, 0
    mov dword [RESUME], t_resume
    mov [RESUME_ESP], esp
    jmp SEL_T:0
    PUTS `main: back\n`
    EXIT_OK

task_b:
    EXIT_FAIL

bad_entry:
    EXIT_FAIL
bad_resume:
    xor eax, eax
    str ax
    PUTREG "bad.tr", eax
    mov eax, [EXC_EIP]
    sub eax, bad_entry
    PUTREG "bad.eip-entry", eax
    movzx eax, byte [GDT_BASE + SEL_TSS_MAIN + 5]
    PUTREG "main.access", eax
    jmp SEL_TSS_MAIN:0

t_entry:
    EXIT_FAIL
t_resume:
    xor eax, eax
    str ax
    PUTREG "t.tr", eax
    mov eax, [EXC_EIP]
    sub eax, t_entry
    PUTREG "t.eip-entry", eax
    mov eax, dr6
    and eax, 0x8000
    PUTREG "dr6.bt", eax
    jmp SEL_TSS_MAIN:0

    bits 16
task16:
    mov [R16], eax
    mov [R16 + 4], ebx
    pushfd
    pop dword [R16 + 8]
    mov [R16 + 12], cs
    mov word [R16 + 14], 0
    mov [R16 + 16], fs
    mov word [R16 + 18], 0
    iret
task16_after_iret:
    jmp task16_after_iret
    bits 32

    PM_END

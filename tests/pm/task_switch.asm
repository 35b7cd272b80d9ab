; Hardware task switches (SDM Vol. 3A 7.3, Table 7-2): JMP, CALL and a
; task gate in the GDT, INT n and an exception (#GP with its error code)
; through task gates in the IDT, IRET back through the back link; busy
; bits, NT, CR0.TS, the state saved in the outgoing TSS; #GP(sel) on a
; CALL or JMP to a busy task; an interrupt gate clears NT.
%include "pm.inc"

TSS_B       equ 0x3000
TSS_H       equ 0x3100
SEL_TSS_B   equ 0x40
SEL_GATE_B  equ 0x48
SEL_TSS_H   equ 0x50
STACK_B     equ 0x18000
STACK_H     equ 0x17000

; EAX = type nibble of the descriptor %1 (9 available, B busy)
%macro BUSY 2
    movzx eax, byte [GDT_BASE + %1 + 5]
    and eax, 0x0F
    PUTREG %2, eax
%endmacro
%macro NT 1
    pushfd
    pop eax
    and eax, 0x4000
    PUTREG %1, eax
%endmacro

    mov edi, TSS_B
    mov ebx, task_b
    mov ecx, STACK_B
    call tss32_init
    mov dword [TSS_B + 0x28], 0xB0B0B0B0
    GDT_SET SEL_TSS_B, TSS_B, 0x67, 0x89, 0
    mov dword [GDT_BASE + SEL_GATE_B], SEL_TSS_B << 16
    mov dword [GDT_BASE + SEL_GATE_B + 4], 0x8500
    mov edi, TSS_H
    mov ebx, task_h
    mov ecx, STACK_H
    call tss32_init
    GDT_SET SEL_TSS_H, TSS_H, 0x67, 0x89, 0

    PUTS `jmp\n`
    clts
    mov eax, 0xA0A0A0A0
    mov esi, 0x5151
    jmp SEL_TSS_B:0
    ; B jumps back here.
    PUTREG "main.eax", eax
    PUTREG "main.esi", esi
    smsw ax
    and eax, 8
    PUTREG "main.ts", eax
    BUSY SEL_TSS_MAIN, "main.busy"
    BUSY SEL_TSS_B, "b.busy"
    mov eax, [TSS_B + 0x20]
    sub eax, b_after_jmp
    PUTREG "b.saved_eip-b_after_jmp", eax

    PUTS `call\n`
    call SEL_TSS_B:0
    NT "main.nt"
    BUSY SEL_TSS_MAIN, "main.busy"
    BUSY SEL_TSS_B, "b.busy"
    movzx eax, word [TSS_B]
    PUTREG "b.link", eax
    mov eax, [TSS_B + 0x24]
    and eax, 0x4000
    PUTREG "b.saved_nt", eax

    PUTS `call gate\n`
    call SEL_GATE_B:0
    BUSY SEL_TSS_B, "b.busy"

    PUTS `int 40\n`
    IDT_TASKGATE 0x40, SEL_TSS_B, 0
    mov ebx, 0x4040
    int 0x40
    PUTREG "main.ebx", ebx
    BUSY SEL_TSS_B, "b.busy"

    PUTS `#GP through a task gate\n`
    mov eax, [IDT_BASE + 13 * 8]
    mov [USER], eax
    mov eax, [IDT_BASE + 13 * 8 + 4]
    mov [USER + 4], eax
    IDT_TASKGATE 13, SEL_TSS_H, 0
    mov ax, 0x7FF8
gp_insn:
    mov ds, ax
    mov ax, SEL_DATA
    mov ds, ax
    PUTS `main: after #GP\n`
    NT "main.nt"
    BUSY SEL_TSS_H, "h.busy"
    mov eax, [USER]
    mov [IDT_BASE + 13 * 8], eax
    mov eax, [USER + 4]
    mov [IDT_BASE + 13 * 8 + 4], eax
    EXIT_OK

task_b:
    ; entry 1: JMP
    PUTS `b: jmp\n`
    PUTREG "b.eax", eax
    xor eax, eax
    str ax
    PUTREG "b.tr", eax
    NT "b.nt"
    BUSY SEL_TSS_MAIN, "main.busy"
    BUSY SEL_TSS_B, "b.busy"
    mov eax, [TSS_MAIN_BASE + 0x28]
    PUTREG "main.saved_eax", eax
    jmp SEL_TSS_MAIN:0
b_after_jmp:
    ; entry 2: CALL
    PUTS `b: call\n`
    NT "b.nt"
    movzx eax, word [TSS_B]
    PUTREG "b.link", eax
    BUSY SEL_TSS_MAIN, "main.busy"
    BUSY SEL_TSS_B, "b.busy"
    EXPECT .gp1
    call SEL_TSS_MAIN:0
    EXIT_FAIL
.gp1:
    EXPECT .gp2
    jmp SEL_TSS_MAIN:0
    EXIT_FAIL
.gp2:
    NT "b.nt_after_interrupt_gate"
    pushfd
    or dword [esp], 0x4000
    popfd
    iretd
    ; entry 3: CALL through the task gate
    PUTS `b: gate\n`
    NT "b.nt"
    movzx eax, word [TSS_B]
    PUTREG "b.link", eax
    iretd
    ; entry 4: INT 0x40
    PUTS `b: int\n`
    NT "b.nt"
    PUTREG "b.ebx", ebx
    movzx eax, word [TSS_B]
    PUTREG "b.link", eax
    iretd
    EXIT_FAIL

task_h:
    pop eax
    PUTREG "h.err", eax
    mov eax, [TSS_MAIN_BASE + 0x20]
    sub eax, gp_insn
    PUTREG "h.main_eip-gp_insn", eax
    movzx eax, word [TSS_H]
    PUTREG "h.link", eax
    BUSY SEL_TSS_H, "h.busy"
    add dword [TSS_MAIN_BASE + 0x20], 2     ; skip MOV DS,AX (8E D8)
    iretd
    jmp task_h

    PM_END

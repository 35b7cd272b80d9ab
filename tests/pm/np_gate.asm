; Far transfers through gates that are not present (SDM Vol. 2 CALL/JMP
; "Operation", Vol. 3A 5.8.4): a CALL through a call gate with P=0 raises
; #NP(gate selector); a present gate whose code segment is not present
; raises #NP(code selector); a JMP through a task gate with P=0 raises
; #NP(gate selector).  The faulting CALL/JMP is the saved EIP and nothing
; was pushed.  A present gate to a present segment works (sanity).
%include "pm.inc"

SEL_GATE_NP   equ 0x40
SEL_CODE_NP   equ 0x48
SEL_GATE_CNP  equ 0x50
SEL_TGATE_NP  equ 0x58
SEL_GATE_OK   equ 0x60

; CALLGATE sel, target selector, offset (< 64 KiB), access byte
%macro CALLGATE 4
    mov dword [GDT_BASE + (%1)], ((%2) << 16) | (((%3) - $$) & 0xFFFF)
    mov dword [GDT_BASE + (%1) + 4], ((%4) << 8)
%endmacro

    CALLGATE SEL_GATE_NP, SEL_CODE32, target, 0x6C      ; P=0, DPL 3, 32-bit call gate
    GDT_SET SEL_CODE_NP, 0xF0000, 0xFFFF, 0x1B, 0x4     ; code, P=0
    CALLGATE SEL_GATE_CNP, SEL_CODE_NP, target, 0xEC
    mov dword [GDT_BASE + SEL_TGATE_NP], SEL_TSS_MAIN << 16
    mov dword [GDT_BASE + SEL_TGATE_NP + 4], 0x0500      ; task gate, P=0
    CALLGATE SEL_GATE_OK, SEL_CODE32, target, 0xEC

    PUTS `call gate P=0\n`
    mov ebx, esp
    EXPECT r1
i1: call SEL_GATE_NP:0
    EXIT_FAIL
r1: mov eax, [EXC_EIP]
    sub eax, i1
    PUTREG "eip-insn", eax
    mov eax, ebx
    sub eax, [EXC_ESP]
    PUTREG "esp_moved", eax

    PUTS `code segment P=0\n`
    EXPECT r2
i2: call SEL_GATE_CNP:0
    EXIT_FAIL
r2: mov eax, [EXC_EIP]
    sub eax, i2
    PUTREG "eip-insn", eax

    PUTS `task gate P=0\n`
    EXPECT r3
i3: jmp SEL_TGATE_NP:0
    EXIT_FAIL
r3: mov eax, [EXC_EIP]
    sub eax, i3
    PUTREG "eip-insn", eax

    PUTS `present gate\n`
    mov eax, 0
    call SEL_GATE_OK:0
    PUTREG "eax", eax
    PUTREG "count", [EXC_COUNT]
    EXIT_OK

target:
    mov eax, 0x600D
    retf

    PM_END

; A page fault on the second page of an instruction that straddles a page
; boundary (SDM Vol. 3A 6.15 "Interrupt 14"): MOV EAX, imm32 whose first
; two bytes are on a present page and the last three on a page that is not
; present.  The fault is taken before the instruction does anything: EIP
; is the instruction's first byte, CR2 the start of the second page, the
; error code 0 (not present, read, supervisor), EAX unchanged.  After the
; handler maps the page, IRETD restarts the instruction, which completes.
; Also: the same instruction with the page present runs in one go.
%include "pm.inc"

SEL_FLAT_CODE equ 0x40
GONE          equ 0x300000
INSN          equ GONE - 2
SAVE          equ USER

    call paging_on
    GDT_SET SEL_FLAT_CODE, 0, 0xFFFFF, 0x9B, 0xC
    ; INSN: B8 78 56 | 34 12 CB  ->  mov eax, 0x12345678 / retf
    mov byte [INSN], 0xB8
    mov byte [INSN + 1], 0x78
    mov dword [GONE], 0xCB123456
    mov dword [EXC_HOOK], hook

    PUTS `second page present\n`
    mov eax, 0xAAAAAAAA
    call SEL_FLAT_CODE:INSN
    PUTREG "eax", eax
    PUTREG "count", [EXC_COUNT]

    PUTS `second page not present\n`
    mov dword [PTE(GONE)], 0
    invlpg [GONE]
    mov eax, 0xBBBBBBBB
    call SEL_FLAT_CODE:INSN
    PUTREG "vector", [EXC_VEC]
    PUTREG "error", [EXC_ERR]
    PUTREG "cr2", [EXC_CR2]
    PUTREG "eip@fault", [EXC_EIP]
    PUTREG "cs@fault", [EXC_CS]
    PUTREG "eax@fault", [SAVE]
    PUTREG "eax", eax
    PUTREG "count", [EXC_COUNT]
    EXIT_OK

hook:
    mov [SAVE], eax
    mov dword [PTE(GONE)], GONE | 7
    invlpg [GONE]
    clc
    ret

    PM_END

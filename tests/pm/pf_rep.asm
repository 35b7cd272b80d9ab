; A page fault in the middle of a REP string instruction (SDM Vol. 2 "REP"
; and Vol. 3A 6.15 "Interrupt 14"): the instruction stops at the faulting
; element with ECX/ESI/EDI counting the elements done, EIP at the string
; instruction, CR2 = the linear address of the access, the error code
; telling read/write and not-present; after the handler maps the page an
; IRETD resumes the instruction, which finishes the remaining elements.
%include "pm.inc"

SRC  equ 0x280000
DST  equ 0x2FFFF0          ; 16 bytes before the page at 0x300000
GONE equ 0x300000
SAVE equ USER              ; ECX, ESI, EDI, EAX at the fault

    call paging_on
    ; source: 8 dwords 0x11111111 * (n + 1)
    mov edi, SRC
    mov eax, 0x11111111
    mov ecx, 8
.fill:
    stosd
    add eax, 0x11111111
    loop .fill
    mov dword [EXC_HOOK], hook

    PUTS `rep movsd, destination page not present\n`
    mov dword [PTE(GONE)], 0
    invlpg [GONE]
    mov esi, SRC
    mov edi, DST
    mov ecx, 8
i1: rep movsd
    call report
    mov eax, [GONE]
    PUTREG "dst[4]", eax
    mov eax, [GONE + 12]
    PUTREG "dst[7]", eax
    mov eax, [DST + 12]
    PUTREG "dst[3]", eax

    PUTS `rep movsb, source page not present\n`
    mov dword [PTE(GONE)], 0
    invlpg [GONE]
    mov esi, GONE - 3
    mov edi, SRC + 0x100
    mov ecx, 6
i2: rep movsb
    call report
    mov eax, [SRC + 0x100]
    and eax, 0x00FFFFFF
    PUTREG "dst[0..2]", eax
    mov eax, [SRC + 0x103]
    and eax, 0x00FFFFFF
    PUTREG "dst[3..5]", eax
    PUTREG "count", [EXC_COUNT]
    EXIT_OK

; The hook runs on the faulting task's stack with the registers of the
; fault: record them, map the page back, return to the instruction.
hook:
    mov [SAVE], ecx
    mov [SAVE + 4], esi
    mov [SAVE + 8], edi
    mov dword [PTE(GONE)], GONE | 7
    invlpg [GONE]
    clc
    ret

report:
    PUTREG "vector", [EXC_VEC]
    PUTREG "error", [EXC_ERR]
    PUTREG "cr2", [EXC_CR2]
    PUTREG "ecx@fault", [SAVE]
    mov eax, [SAVE + 4]
    sub eax, SRC
    PUTREG "esi@fault-SRC", eax
    PUTREG "edi@fault", [SAVE + 8]
    PUTREG "ecx", ecx
    PUTREG "esi", esi
    PUTREG "edi", edi
    ret

    PM_END

; The pm.inc frame itself: protected mode reached, TR loaded, output
; helpers, an expected fault resumed, and a hook that returns with IRETD.
%include "pm.inc"

    PUTS `frame: protected mode\n`
    xor eax, eax
    str ax
    PUTREG "tr", eax
    mov eax, cr0
    and eax, 1
    PUTREG "pe", eax
    ; #GP(0x7F8): a selector past the GDT limit.
    EXPECT .gp_done
    mov ax, 0x7FF8 | 3
    mov ds, ax
    EXIT_FAIL
.gp_done:
    PUTREG "eip_ok", 0
    ; #UD through a hook that skips the 2-byte UD2.
    mov dword [EXC_HOOK], skip_ud2
    mov ebx, 0x12345678
    ud2
    PUTREG "ebx", ebx
    PUTREG "count", [EXC_COUNT]
    EXIT_OK

skip_ud2:
    add dword [esp + 12], 2     ; return address, vector, error, EIP
    clc
    ret

    PM_END

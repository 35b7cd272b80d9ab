; A Multiboot header that asks for a video mode (flag 2), which pcvm cannot
; give: pcvm must refuse it with one line and status 1.
        org     0x100000
        jmp     $
        align   4
        dd      0x1BADB002
        dd      0x00010004
        dd      -(0x1BADB002 + 0x00010004)
        dd      0x100004, 0x100000, 0, 0, 0x100000
        dd      0, 640, 480, 8

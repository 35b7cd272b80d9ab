; A minimal option ROM image (0x55 0xAA, one 512-byte block, a RETF at
; its entry): what -vga-bios needs so the machine gets its VGA when the
; test ROM programs the VGA itself and no VGA BIOS runs.
        bits 16
        org 0
        db 0x55, 0xAA, 1
        retf
        times 512 - ($ - $$) db 0

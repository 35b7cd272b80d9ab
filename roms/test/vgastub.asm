; A minimal VGA option ROM image (512 bytes: the 0x55 0xAA signature, the
; size in 512-byte units, an entry that returns at once) for tests that
; need a VGA but program it themselves (pcvm -vga-bios).
        bits 16
        org 0
        db 0x55, 0xAA, 1
        retf
        times 512 - ($ - $$) db 0

; Multiboot test kernel with the "a.out kludge" (header flag 16): a flat
; image at 2 MiB whose header gives its load, BSS and entry addresses.
; See mbtest.inc.
        org     0x200000
        jmp     start
        align   4
mbheader:
        dd      0x1BADB002
        dd      0x00010002                      ; address fields, memory info
        dd      -(0x1BADB002 + 0x00010002)
        dd      mbheader                        ; header_addr
        dd      $$                              ; load_addr
        dd      file_end                        ; load_end_addr
        dd      bss_end                         ; bss_end_addr
        dd      start                           ; entry_addr

%include "mbtest.inc"

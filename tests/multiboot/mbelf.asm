; Multiboot test kernel as an ELF32 executable (one PT_LOAD segment at
; 1 MiB with a BSS), made by hand so no linker is needed.  See mbtest.inc.
        org     0x100000
ehdr:
        db      0x7F, 'ELF', 1, 1, 1, 0         ; ELF32, little-endian, version 1
        times   8 db 0
        dw      2                               ; ET_EXEC
        dw      3                               ; EM_386
        dd      1
        dd      start                           ; e_entry
        dd      phdr - $$                       ; e_phoff
        dd      0                               ; e_shoff
        dd      0                               ; e_flags
        dw      52, 32, 1                       ; e_ehsize, e_phentsize, e_phnum
        dw      0, 0, 0                         ; no sections
phdr:
        dd      1                               ; PT_LOAD
        dd      0                               ; p_offset
        dd      $$, $$                          ; p_vaddr, p_paddr
        dd      file_end - $$                   ; p_filesz
        dd      bss_end - $$                    ; p_memsz
        dd      7, 0x1000                       ; p_flags RWX, p_align
        align   4
mbheader:
        dd      0x1BADB002
        dd      0x00000003                      ; page-aligned modules, memory info
        dd      -(0x1BADB002 + 0x00000003)

%include "mbtest.inc"

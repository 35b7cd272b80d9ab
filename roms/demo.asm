; pcvm demo ROM: the guest pcvm boots when it is given no -bios.
;
; A 64 KiB BIOS-style image in real mode: it prints a greeting and a few
; lines that make the CPU work (which CPU it is, primes, Fibonacci numbers,
; 32-bit arithmetic done with 16-bit registers, a CRC) on the Bochs/QEMU
; debug console, port 0xE9, then stops with CLI; HLT, which leaves a dead
; machine: pcvm exits with status 0.
;
; It runs on every -cpu model: the code is 8086 code except for the CPU
; identification, which uses 386/Pentium instructions only after the
; FLAGS tests have shown that they exist (the classic detection sequence).
;
; Build: nasm -f bin -I roms/ -o demo.bin demo.asm (meson does it).

%include "reset.inc"

%define DEBUGCON 0xE9
%define STACK_TOP 0x7C00         ; SS = 0
%define SCRATCH 0x0500           ; 0000:0500, free RAM for the CPUID vendor

        ROM_START
        cpu 8086

start:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, STACK_TOP
        mov ax, cs
        mov ds, ax
        call install_exception_handlers

        mov si, msg_hello
        call puts
        call show_cpu
        call show_primes
        call show_fibonacci
        call show_sums
        call show_crc
        mov si, msg_bye
        call puts
        cli
        hlt                     ; IF=0: nothing can wake the CPU
        jmp $                   ; (not reached)

; ---------------------------------------------------------------- output

; putc: AL -> debug console.
putc:
        out DEBUGCON, al
        ret

; puts: DS:SI -> zero-terminated string.  Clobbers AL, SI.
puts:
        lodsb
        test al, al
        jz .done
        out DEBUGCON, al
        jmp puts
.done:
        ret

newline:
        mov al, 10
        jmp putc

; print_dec16: AX as unsigned decimal.  Clobbers AX, DX.
print_dec16:
        xor dx, dx
        ; fall through

; print_dec32: DX:AX as unsigned decimal, by long division of the 32-bit
; value by 10 in two 16-bit DIVs.  Clobbers AX, DX.
print_dec32:
        push bx
        push cx
        push di
        mov bx, 10
        xor cx, cx              ; digits pushed
.divide:
        mov di, ax              ; low word
        mov ax, dx
        xor dx, dx
        div bx                  ; high word / 10
        xchg ax, di             ; DI = high quotient, AX = low word
        div bx                  ; (remainder:low) / 10
        push dx                 ; digit
        inc cx
        mov dx, di
        mov di, ax
        or di, dx
        jnz .divide
.print:
        pop ax
        add al, '0'
        call putc
        loop .print
        pop di
        pop cx
        pop bx
        ret

; print_hex16: AX as four uppercase hex digits.  Clobbers AX.
print_hex16:
        push cx
        push dx
        mov dx, ax
        mov cx, 4
.digit:
        push cx
        mov cl, 4
        rol dx, cl
        pop cx
        mov al, dl
        and al, 0x0F
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'A' - '0' - 10
.out:
        call putc
        loop .digit
        pop dx
        pop cx
        ret

; ---------------------------------------------------------------- CPU

; Which CPU is this?  8086/80186 keep FLAGS bits 12-15 set; the 80286 in
; real mode keeps them clear; the 386 cannot toggle EFLAGS.AC (bit 18);
; the 486 can, and one with CPUID can toggle EFLAGS.ID (bit 21).
show_cpu:
        mov si, msg_cpu
        call puts
        pushf
        pop bx                  ; BX = original FLAGS
        mov ax, bx
        and ax, 0x0FFF
        push ax
        popf
        pushf
        pop ax
        push bx
        popf
        and ax, 0xF000
        cmp ax, 0xF000
        jne .not_8086
        ; 8086 or 80186: the 80186 masks shift counts to 5 bits.
        mov ax, 1
        mov cl, 33
        shl ax, cl              ; 8086: 0; 80186: 1 << (33 & 31) = 2
        mov si, msg_8086
        test ax, ax
        jz .print
        mov si, msg_80186
        jmp .print
.not_8086:
        mov ax, 0xF000
        push ax
        popf
        pushf
        pop ax
        push bx
        popf
        test ax, 0xF000
        mov si, msg_80286
        jz .print

        cpu 386
        pushfd
        pop ecx                 ; ECX = original EFLAGS
        mov eax, ecx
        xor eax, 1 << 18        ; AC
        push eax
        popfd
        pushfd
        pop eax
        push ecx
        popfd
        xor eax, ecx
        mov si, msg_80386
        test eax, 1 << 18
        jz .print
        mov eax, ecx
        xor eax, 1 << 21        ; ID
        push eax
        popfd
        pushfd
        pop eax
        push ecx
        popfd
        xor eax, ecx
        mov si, msg_80486
        test eax, 1 << 21
        jz .print

        cpu 586
        mov si, msg_cpuid
        call puts
        xor eax, eax
        cpuid                   ; vendor in EBX, EDX, ECX
        push es
        xor ax, ax
        mov es, ax
        mov [es:SCRATCH], ebx
        mov [es:SCRATCH + 4], edx
        mov [es:SCRATCH + 8], ecx
        xor si, si
.vendor:
        mov al, [es:SCRATCH + si]
        call putc
        inc si
        cmp si, 12
        jb .vendor
        pop es
        mov eax, 1
        cpuid                   ; signature in EAX
        mov ebx, eax
        mov si, msg_family
        call puts
        mov eax, ebx
        shr eax, 8
        and ax, 0x0F
        call print_dec16
        mov si, msg_model
        call puts
        mov eax, ebx
        shr eax, 4
        and ax, 0x0F
        call print_dec16
        mov si, msg_stepping
        call puts
        mov ax, bx
        and ax, 0x0F
        call print_dec16
        mov si, msg_nl
        cpu 8086
.print:
        jmp puts

; ---------------------------------------------------------------- sums

; Primes below 100 by trial division (MUL, DIV, conditional jumps).
show_primes:
        mov si, msg_primes
        call puts
        mov bx, 2               ; candidate
.candidate:
        mov cx, 2               ; divisor
.divisor:
        mov ax, cx
        mul cx
        cmp ax, bx
        ja .prime               ; divisor^2 > candidate
        mov ax, bx
        xor dx, dx
        div cx
        test dx, dx
        jz .next
        inc cx
        jmp .divisor
.prime:
        mov al, ' '
        call putc
        mov ax, bx
        call print_dec16
.next:
        inc bx
        cmp bx, 100
        jb .candidate
        jmp newline

; The first 25 Fibonacci numbers.
show_fibonacci:
        mov si, msg_fib
        call puts
        xor bx, bx              ; a
        mov cx, 1               ; b
        mov di, 25
.loop:
        mov al, ' '
        call putc
        mov ax, bx
        call print_dec16
        mov ax, bx
        add ax, cx
        mov bx, cx
        mov cx, ax
        dec di
        jnz .loop
        jmp newline

; 32-bit results from 16-bit registers: a sum with ADD/ADC and a
; factorial with two MULs per step.
show_sums:
        mov si, msg_sum
        call puts
        xor ax, ax              ; DX:AX = sum
        xor dx, dx
        mov cx, 1000
.add:
        add ax, cx
        adc dx, 0
        loop .add
        call print_dec32
        call newline

        mov si, msg_fact
        call puts
        mov ax, 1               ; DI:SI = product
        xor di, di
        mov si, ax
        mov cx, 2
.mul:
        mov ax, di
        mul cx                  ; high word * n (fits: 12! < 2^32)
        mov di, ax
        mov ax, si
        mul cx                  ; low word * n
        mov si, ax
        add di, dx
        inc cx
        cmp cx, 12
        jbe .mul
        mov ax, si
        mov dx, di
        call print_dec32
        jmp newline

; CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of "123456789": 0x29B1.
show_crc:
        mov si, msg_crc
        call puts
        mov si, crc_input
        mov dx, 0xFFFF
.byte:
        lodsb
        test al, al
        jz .done
        xor dh, al
        mov cx, 8
.bit:
        shl dx, 1
        jnc .nopoly
        xor dx, 0x1021
.nopoly:
        loop .bit
        jmp .byte
.done:
        mov ax, dx
        call print_hex16
        jmp newline

; ---------------------------------------------------------------- faults

; Every exception vector 0-31 points at a stub that reports it and stops,
; so a CPU bug shows up as a message instead of a wild jump through an
; empty vector table.
install_exception_handlers:
        push es
        xor ax, ax
        mov es, ax
        xor di, di
        mov ax, exc_stub_0
        mov cx, 32
.vector:
        mov [es:di], ax
        mov word [es:di + 2], 0xF000
        add di, 4
        add ax, exc_stub_1 - exc_stub_0
        loop .vector
        pop es
        ret

%assign v 0
%rep 32
exc_stub_ %+ v:
        push ax
        mov al, v
        jmp near exc_common
%assign v v + 1
%endrep

exc_common:
        push cs
        pop ds
        mov bp, sp
        mov ah, al
        mov si, msg_exc
        call puts
        mov al, ah
        xor ah, ah
        call print_dec16
        mov si, msg_at
        call puts
        mov ax, [ss:bp + 4]     ; CS
        call print_hex16
        mov al, ':'
        call putc
        mov ax, [ss:bp + 2]     ; IP
        call print_hex16
        call newline
        cli
        hlt
        jmp $

; ---------------------------------------------------------------- data

msg_hello:    db "pcvm: hello from the demo ROM", 10, 0
msg_cpu:      db "cpu: ", 0
msg_8086:     db "8086 (FLAGS bits 12-15 stuck at 1, shift counts not masked)", 10, 0
msg_80186:    db "80186 (FLAGS bits 12-15 stuck at 1, shift counts masked)", 10, 0
msg_80286:    db "80286 (FLAGS bits 12-15 clear in real mode)", 10, 0
msg_80386:    db "80386 (EFLAGS.AC cannot be set)", 10, 0
msg_80486:    db "80486 without CPUID (EFLAGS.AC works, EFLAGS.ID does not)", 10, 0
msg_cpuid:    db "CPUID ", 0
msg_family:   db " family ", 0
msg_model:    db " model ", 0
msg_stepping: db " stepping ", 0
msg_nl:       db 10, 0
msg_primes:   db "primes below 100:", 0
msg_fib:      db "fibonacci:", 0
msg_sum:      db "1 + 2 + ... + 1000 = ", 0
msg_fact:     db "12! = ", 0
msg_crc:      db 'crc16-ccitt("123456789") = 0x', 0
crc_input:    db "123456789", 0
msg_bye:      db "pcvm: demo done; halting with interrupts disabled", 10, 0
msg_exc:      db "demo ROM: CPU exception ", 0
msg_at:       db " at ", 0

        ROM_END start

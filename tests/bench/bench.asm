; pcvm CPU benchmark guest: a CPU-bound loop with a checksum.
;
; It runs in real mode with 32-bit registers and 32-bit addressing through
; the 0x66/0x67 prefixes (386 and later); it was written before protected
; mode existed and is kept as it is so figures stay comparable; the work
; is the same as a flat 32-bit loop would do.  Each of ITERS iterations mixes integer arithmetic
; (IMUL, ADD, SUB, XOR, shifts, rotates), table loads and stores with
; scaled-index addressing, a conditional branch on data, and a CALL/RET;
; every 64th iteration also runs REP MOVSD (16-bit addressing) and
; REP STOSD (32-bit addressing).  At the end it folds the table into the
; checksum, prints "bench: checksum XXXXXXXX" on port 0xE9 and halts with
; interrupts disabled.
;
; tests/bench/bench_cpu.c computes the same checksum in C and refuses to
; report a speed when they differ.  Keep the two in step.
;
; Build: nasm -f bin -I roms/ -DITERS=N -o bench.bin bench.asm

%include "reset.inc"

%ifndef ITERS
%define ITERS 16000000
%endif
%define DATA_SEG 0x1000         ; data at physical 0x10000
%define TABLE 0x0000            ; 256 dwords
%define BUF2 0x0400             ; 64 dwords
%define BUF3 0x0500             ; 16 dwords

        ROM_START
        cpu 386

start:
        cli
        cld
        xor ax, ax
        mov ss, ax
        mov sp, 0x7000
        mov ax, DATA_SEG
        mov ds, ax
        mov es, ax

        ; clear the table and buffers (RAM is zero at power-on; be explicit)
        xor eax, eax
        xor di, di
        mov cx, 256 + 64 + 16
        rep stosd

        mov eax, 0x12345678     ; x: LCG state
        xor ebp, ebp            ; sum
        xor esi, esi            ; it
.loop:
        imul eax, eax, 1664525
        add eax, 1013904223
        mov ebx, eax
        shr ebx, 24             ; idx = x >> 24
        mov edx, [TABLE + ebx * 4]
        mov ecx, eax
        xor ecx, ebp
        add edx, ecx            ; t = table[idx] + (x ^ sum)
        rol edx, 5
        mov [TABLE + ebx * 4], edx
        test eax, 0x100
        jz .minus
        add ebp, edx
        jmp .mixed
.minus:
        sub ebp, edx
.mixed:
        call mix
        mov ecx, esi
        and ecx, 63
        cmp ecx, 63
        jne .next
        call block_ops
.next:
        inc esi
        cmp esi, ITERS
        jb .loop

        ; fold the table into the checksum
        xor ebx, ebx
.fold:
        mov edx, [TABLE + ebx * 4]
        lea ecx, [ebx + 1]
        imul edx, ecx
        add ebp, edx
        rol ebp, 1
        inc ebx
        cmp ebx, 256
        jb .fold

        ; print it
        push cs
        pop ds
        mov si, msg
.msg:
        lodsb
        test al, al
        jz .hex
        out 0xE9, al
        jmp .msg
.hex:
        mov cx, 8
.digit:
        rol ebp, 4
        mov ax, bp
        and al, 0x0F
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'A' - '0' - 10
.out:
        out 0xE9, al
        loop .digit
        mov al, 10
        out 0xE9, al
        cli
        hlt
        jmp $

; sum ^= sum >> 7; sum += it * 3
mix:
        mov ecx, ebp
        shr ecx, 7
        xor ebp, ecx
        lea ecx, [esi + esi * 2]
        add ebp, ecx
        ret

; Every 64th iteration: copy table[0..63] to buf2 (REP MOVSD, 16-bit
; addressing), sum += buf2[(it >> 6) & 63]; fill buf3 with sum
; (REP STOSD, 32-bit addressing), sum += rol(buf3[15], 13).
block_ops:
        push esi
        mov si, TABLE
        mov di, BUF2
        mov cx, 64
        rep movsd
        pop esi
        mov ebx, esi
        shr ebx, 6
        and ebx, 63
        add ebp, [BUF2 + ebx * 4]
        push eax
        mov eax, ebp
        mov edi, BUF3
        mov ecx, 16
        a32 rep stosd
        pop eax
        mov edx, [BUF3 + 15 * 4]
        rol edx, 13
        add ebp, edx
        ret

msg:    db "bench: checksum ", 0

        ROM_END start

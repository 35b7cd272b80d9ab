/* 128-bit unsigned arithmetic for the software x87 (cpu/fpu_float.c,
 * cpu/fpu_trans.c): portable C11, no compiler extensions. */
#ifndef PCVM_FPU_U128_H
#define PCVM_FPU_U128_H

#include <stdbool.h>
#include <stdint.h>


struct u128 {
    uint64_t hi, lo;
};

static inline struct u128 u128_shl(struct u128 a, unsigned n)
{
    struct u128 r;
    if (n == 0)
        return a;
    if (n >= 128) {
        r.hi = r.lo = 0;
    } else if (n >= 64) {
        r.hi = a.lo << (n - 64);
        r.lo = 0;
    } else {
        r.hi = (a.hi << n) | (a.lo >> (64 - n));
        r.lo = a.lo << n;
    }
    return r;
}

/* Right shift with the shifted-out bits jammed into bit 0. */
static inline struct u128 u128_shr_jam(struct u128 a, uint32_t n)
{
    struct u128 r;
    if (n == 0)
        return a;
    if (n >= 128) {
        r.hi = 0;
        r.lo = (a.hi | a.lo) != 0;
    } else if (n >= 64) {
        uint64_t lost = a.lo | (n > 64 ? a.hi << (128 - n) : 0);
        r.hi = 0;
        r.lo = (n == 64 ? a.hi : a.hi >> (n - 64)) | (lost != 0);
    } else {
        uint64_t lost = a.lo << (64 - n);
        r.lo = (a.lo >> n) | (a.hi << (64 - n)) | (lost != 0);
        r.hi = a.hi >> n;
    }
    return r;
}

static inline int u128_cmp(struct u128 a, struct u128 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo)
        return a.lo < b.lo ? -1 : 1;
    return 0;
}

static inline struct u128 u128_add(struct u128 a, struct u128 b, unsigned *carry)
{
    struct u128 r;
    r.lo = a.lo + b.lo;
    uint64_t c = r.lo < a.lo;
    r.hi = a.hi + b.hi + c;
    *carry = (r.hi < a.hi) || (c && r.hi == a.hi);
    return r;
}

static inline struct u128 u128_sub(struct u128 a, struct u128 b)
{
    struct u128 r;
    r.lo = a.lo - b.lo;
    r.hi = a.hi - b.hi - (a.lo < b.lo);
    return r;
}

static inline struct u128 mul64(uint64_t a, uint64_t b)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    struct u128 r;
    r.lo = (mid << 32) | (uint32_t)p00;
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return r;
}

static inline unsigned clz64(uint64_t v)
{
    unsigned n = 0;
    if (v == 0)
        return 64;
    while (!(v >> 63)) {
        v <<= 1;
        n++;
    }
    return n;
}

#endif

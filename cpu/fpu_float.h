/* x87 extended-precision arithmetic in software: the 80-bit format, the
 * IEEE operations the x87 performs on it, with its precision control,
 * rounding modes, special values and exception flags (SDM Vol. 1 ch. 4
 * and ch. 8).  Plain integer arithmetic only: identical on every host.
 *
 * Every operation takes a struct fx_env: the control word in effect (it
 * selects rounding, precision and which exceptions are masked) and
 * accumulates the exception flags it raises and C1 ("rounded up").
 */
#ifndef PCVM_FPU_FLOAT_H
#define PCVM_FPU_FLOAT_H

#include <stdbool.h>
#include <stdint.h>

/* An 80-bit register: 64-bit significand with explicit integer bit, and
 * sign (bit 15) with a 15-bit biased exponent. */
typedef struct fx80 {
    uint64_t sig;
    uint16_t se;
} fx80;

/* Exception flags: the status/control word bit positions. */
enum {
    FX_IE = 1u << 0, FX_DE = 1u << 1, FX_ZE = 1u << 2, FX_OE = 1u << 3,
    FX_UE = 1u << 4, FX_PE = 1u << 5, FX_SF = 1u << 6,
};
/* Control word fields. */
enum { FX_RC_NEAR = 0, FX_RC_DOWN = 1, FX_RC_UP = 2, FX_RC_ZERO = 3 };

struct fx_env {
    uint16_t cw;        /* control word: masks bits 0-5, PC bits 8-9, RC bits 10-11 */
    uint16_t exc;       /* FX_* flags raised */
    bool c1;            /* the result was rounded up in magnitude */
};

#define FX_BIAS 0x3FFF
#define FX_EXP_MAX 0x7FFF
/* Bias adjustment of a register result with an unmasked overflow or
 * underflow (SDM Vol. 1 4.9.1.4/4.9.1.5). */
#define FX_WRAP 0x6000

static inline fx80 fx_make(bool sign, unsigned exp, uint64_t sig)
{
    fx80 r = { sig, (uint16_t)((sign ? 0x8000u : 0) | (exp & 0x7FFFu)) };
    return r;
}
static inline unsigned fx_exp(fx80 a) { return a.se & 0x7FFFu; }
static inline bool fx_sign(fx80 a) { return (a.se >> 15) != 0; }
static inline fx80 fx_neg(fx80 a) { a.se ^= 0x8000u; return a; }
static inline fx80 fx_abs(fx80 a) { a.se &= 0x7FFFu; return a; }

/* Classes (FXAM-style, with the x87's unsupported encodings). */
enum fx_class {
    FXC_ZERO, FXC_DENORMAL, FXC_NORMAL, FXC_INF, FXC_QNAN, FXC_SNAN,
    FXC_UNSUPPORTED,   /* unnormal, pseudo-NaN, pseudo-infinity */
};
enum fx_class fx_classify(fx80 a);
static inline bool fx_is_nan(fx80 a)
{
    enum fx_class k = fx_classify(a);
    return k == FXC_QNAN || k == FXC_SNAN;
}
static inline bool fx_is_zero(fx80 a) { return fx_exp(a) == 0 && a.sig == 0; }
/* Real indefinite: the default QNaN. */
static inline fx80 fx_indefinite(void) { return fx_make(true, FX_EXP_MAX, 0xC000000000000000ull); }

/* Arithmetic, rounded per env->cw (precision and rounding control). */
fx80 fx_add(struct fx_env *e, fx80 a, fx80 b);
fx80 fx_sub(struct fx_env *e, fx80 a, fx80 b);
fx80 fx_mul(struct fx_env *e, fx80 a, fx80 b);
fx80 fx_div(struct fx_env *e, fx80 a, fx80 b);
fx80 fx_sqrt(struct fx_env *e, fx80 a);
fx80 fx_rndint(struct fx_env *e, fx80 a);
fx80 fx_scale(struct fx_env *e, fx80 a, fx80 b);
/* FXTRACT: *expo gets the exponent, returns the significand. */
fx80 fx_xtract(struct fx_env *e, fx80 a, fx80 *expo);
/* FPREM (nearest = false) / FPREM1 (nearest = true).  *cc gets the
 * condition bits as status-word bits 8-14 (C0 C1 C2 C3 positions), or
 * FX_CC_KEEP when they are to stay as they are (NaN, invalid operands). */
#define FX_CC_KEEP 0xFFFFu
fx80 fx_rem(struct fx_env *e, fx80 a, fx80 b, bool nearest, uint16_t *cc);

/* Compare: returns -1, 0, 1 or 2 (unordered).  quiet: only SNaN raises
 * IE (FUCOM); otherwise any NaN does (FCOM). */
int fx_compare(struct fx_env *e, fx80 a, fx80 b, bool quiet);

/* Conversions. */
/* The two's-complement integer in the low `bits` (16, 32, 64) of v. */
fx80 fx_from_int(uint64_t v, unsigned bits);
/* To an integer of `bits` (16, 32, 64) rounded per RC (or toward zero
 * when trunc), as two's-complement bits (the low `bits` of the result
 * are the stored ones); out of range or NaN: IE and the integer
 * indefinite (the smallest negative value). */
uint64_t fx_to_int(struct fx_env *e, fx80 a, unsigned bits, bool trunc);
fx80 fx_from_f32(struct fx_env *e, uint32_t v);
fx80 fx_from_f64(struct fx_env *e, uint64_t v);
uint32_t fx_to_f32(struct fx_env *e, fx80 a);
uint64_t fx_to_f64(struct fx_env *e, fx80 a);
/* Packed BCD: 10 bytes, little-endian. */
fx80 fx_from_bcd(const uint8_t b[10]);
void fx_to_bcd(struct fx_env *e, fx80 a, uint8_t b[10]);

/* The FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ constants (which =
 * D9 E8+which), rounded per rc. */
fx80 fx_const(unsigned which, unsigned rc);

/* Shared by the transcendental code: NaN operand handling of a two- or
 * one-operand operation.  Returns true (and *r) when a or b is a NaN or
 * an unsupported encoding. */
bool fx_nan_operands(struct fx_env *e, fx80 a, fx80 b, bool two, fx80 *r);
/* The start of every operation: C1 cleared; true with *r the result when
 * an operand (b only when two) is a NaN or unsupported, else the classes
 * in *ka, *kb. */
bool fx_special(struct fx_env *e, fx80 a, fx80 b, bool two, fx80 *r, enum fx_class *ka,
                enum fx_class *kb);
/* Rounds sign * (hi:lo as a 128-bit significand with the binary point
 * after bit 127) * 2^(exp - FX_BIAS) to a register value per env. */
fx80 fx_round_pack(struct fx_env *e, bool sign, int32_t exp, uint64_t hi, uint64_t lo);
/* Signals IE (masked: returns the indefinite). */
fx80 fx_invalid(struct fx_env *e);
/* Unpacks a finite non-zero value: normalized significand (bit 63 set)
 * and unbounded biased exponent. */
void fx_unpack(fx80 a, int32_t *exp, uint64_t *sig);

#endif

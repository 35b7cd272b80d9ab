/* x87 extended-precision arithmetic (see fpu_float.h).
 *
 * Values are unpacked to a sign, an unbounded biased exponent and a
 * significand with its integer bit at bit 63; exact intermediate results
 * are carried in 128 bits (a "jammed" sticky bit in bit 0 stands for
 * anything shifted out further), then fx_round_pack/round_fmt round them
 * once, to the precision and exponent range of the destination.
 *
 * Rules followed (SDM Vol. 1):
 *   - 4.8.3.5, 8.3.x: unsupported encodings (unnormals, pseudo-NaNs,
 *     pseudo-infinities) are invalid operands; pseudo-denormals are read
 *     as denormals (exponent 1);
 *   - table 4-7: NaN propagation (the QNaN of an SNaN/QNaN pair, the
 *     larger significand of two NaNs of a kind), default NaN = real
 *     indefinite;
 *   - 4.9.1.5: tininess is judged after rounding with unbounded exponent;
 *     with UE masked the flag is raised only when the result is also
 *     inexact; unmasked OE/UE on a register result store the result with
 *     its exponent wrapped by 24576 (0x6000);
 *   - 8.1.8: precision control rounds the significand of register
 *     results to 24/53/64 bits (the exponent range stays extended);
 *   - C1 is set when the result was rounded up in magnitude.
 */
#include "fpu_float.h"
#include "fpu_u128.h"

/* ---------------- classification ---------------- */

enum fx_class fx_classify(fx80 a)
{
    unsigned e = fx_exp(a);
    bool j = (a.sig >> 63) != 0;
    uint64_t frac = a.sig & 0x7FFFFFFFFFFFFFFFull;
    if (e == FX_EXP_MAX) {
        if (!j)
            return FXC_UNSUPPORTED;
        if (frac == 0)
            return FXC_INF;
        return (frac >> 62) ? FXC_QNAN : FXC_SNAN;
    }
    if (e == 0)
        return a.sig == 0 ? FXC_ZERO : FXC_DENORMAL;  /* J=1: pseudo-denormal */
    return j ? FXC_NORMAL : FXC_UNSUPPORTED;
}

void fx_unpack(fx80 a, int32_t *exp, uint64_t *sig)
{
    int32_t e = (int32_t)fx_exp(a);
    uint64_t s = a.sig;
    if (e == 0)
        e = 1;
    unsigned n = clz64(s);
    *sig = s << n;
    *exp = e - (int32_t)n;
}


fx80 fx_invalid(struct fx_env *e)
{
    e->exc |= FX_IE;
    return fx_indefinite();
}

static fx80 quieted(fx80 a)
{
    a.sig |= 0x4000000000000000ull;
    return a;
}

bool fx_nan_operands(struct fx_env *e, fx80 a, fx80 b, bool two, fx80 *r)
{
    enum fx_class ka = fx_classify(a), kb = two ? fx_classify(b) : FXC_ZERO;
    if (ka == FXC_UNSUPPORTED || kb == FXC_UNSUPPORTED) {
        *r = fx_invalid(e);
        return true;
    }
    bool an = ka == FXC_QNAN || ka == FXC_SNAN, bn = kb == FXC_QNAN || kb == FXC_SNAN;
    if (!an && !bn)
        return false;
    if (ka == FXC_SNAN || kb == FXC_SNAN)
        e->exc |= FX_IE;
    if (an && bn && (ka == FXC_SNAN) != (kb == FXC_SNAN)) {
        *r = quieted(ka == FXC_QNAN ? a : b);   /* table 4-7: the QNaN */
    } else if (an && bn) {
        /* Table 4-7: the larger significand; equal significands: the
         * positive one. */
        uint64_t sa = a.sig | 0x4000000000000000ull, sb = b.sig | 0x4000000000000000ull;
        if (sa != sb)
            *r = quieted(sa > sb ? a : b);
        else
            *r = quieted(fx_sign(a) ? b : a);
    } else {
        *r = quieted(an ? a : b);
    }
    return true;
}

bool fx_special(struct fx_env *e, fx80 a, fx80 b, bool two, fx80 *r, enum fx_class *ka,
                enum fx_class *kb)
{
    e->c1 = false;
    if (fx_nan_operands(e, a, b, two, r))
        return true;
    *ka = fx_classify(a);
    *kb = two ? fx_classify(b) : *ka;
    return false;
}

/* ---------------- rounding ---------------- */

struct fmt {
    unsigned p;         /* significand bits */
    int32_t emin, emax; /* smallest and largest normal biased exponents (fx80 bias) */
    bool reg;           /* a register: wrapped results on unmasked OE/UE, denormals have exponent 0 */
};

static unsigned rc_of(const struct fx_env *e) { return (e->cw >> 10) & 3; }

static unsigned pc_bits(const struct fx_env *e)
{
    static const unsigned bits[4] = { 24, 64, 53, 64 };  /* PC 01 is reserved */
    return bits[(e->cw >> 8) & 3];
}

/* Rounds the significand hi (with lo below it) to p bits in place.
 * Returns true when the rounding carried out of bit 63 (hi is then 0). */
static bool round_sig(unsigned rc, bool sign, uint64_t *hi, uint64_t lo, unsigned p,
                      bool *inexact, bool *up)
{
    bool gt, eq, lsb;
    uint64_t unit;
    if (p >= 64) {
        gt = lo > 0x8000000000000000ull;
        eq = lo == 0x8000000000000000ull;
        *inexact = lo != 0;
        lsb = *hi & 1;
        unit = 1;
    } else {
        unsigned sh = 64 - p;
        uint64_t mask = (1ull << sh) - 1, half = 1ull << (sh - 1);
        uint64_t rem = *hi & mask;
        gt = rem > half || (rem == half && lo != 0);
        eq = rem == half && lo == 0;
        *inexact = rem != 0 || lo != 0;
        lsb = (*hi >> sh) & 1;
        unit = 1ull << sh;
        *hi &= ~mask;
    }
    bool inc;
    switch (rc) {
    case FX_RC_NEAR: inc = gt || (eq && lsb); break;
    case FX_RC_DOWN: inc = sign && *inexact; break;
    case FX_RC_UP: inc = !sign && *inexact; break;
    default: inc = false; break;
    }
    *up = inc;
    if (!inc)
        return false;
    *hi += unit;
    return *hi == 0;
}

/* The overflow response for masked OE: infinity or the largest finite
 * value, by rounding direction (SDM Vol. 1 table 4-8... 4.9.1.4). */
static fx80 overflow_result(struct fx_env *e, bool sign, const struct fmt *f)
{
    unsigned rc = rc_of(e);
    bool to_inf = rc == FX_RC_NEAR || (rc == FX_RC_UP && !sign) || (rc == FX_RC_DOWN && sign);
    e->c1 = to_inf;
    if (to_inf)
        return fx_make(sign, FX_EXP_MAX, 0x8000000000000000ull);
    uint64_t max = f->p >= 64 ? ~0ull : ~((1ull << (64 - f->p)) - 1);
    return fx_make(sign, (unsigned)f->emax, max);
}

static fx80 round_fmt(struct fx_env *e, bool sign, int32_t exp, struct u128 s, const struct fmt *f)
{
    unsigned rc = rc_of(e);
    bool inexact, up;
    e->c1 = false;
    if (s.hi == 0 && s.lo == 0)
        return fx_make(sign, 0, 0);
    if (s.hi == 0) {
        s.hi = s.lo;
        s.lo = 0;
        exp -= 64;
    }
    unsigned n = clz64(s.hi);
    s = u128_shl(s, n);
    exp -= (int32_t)n;

    if (exp < f->emin) {
        bool tiny = true;
        if (exp == f->emin - 1) {
            uint64_t h = s.hi;
            bool ix, u;
            if (round_sig(rc, sign, &h, s.lo, f->p, &ix, &u))
                tiny = false;
        }
        if (tiny && f->reg && !(e->cw & FX_UE) && exp + FX_WRAP < f->emin) {
            /* FSCALE far below even the wrapped range: a zero, with UE
             * and PE (measured) */
            e->exc |= FX_UE | FX_PE;
            return fx_make(sign, 0, 0);
        } else if (tiny && f->reg && !(e->cw & FX_UE)) {
            e->exc |= FX_UE;
            exp += FX_WRAP;
        } else if (tiny) {
            if (!(e->cw & FX_UE))
                e->exc |= FX_UE;    /* memory destination: not stored */
            s = u128_shr_jam(s, (uint32_t)(f->emin - exp));
            exp = f->emin;
            round_sig(rc, sign, &s.hi, s.lo, f->p, &inexact, &up);
            if (inexact)
                e->exc |= FX_PE | FX_UE;
            e->c1 = up;
            if (!(s.hi >> 63))
                exp = f->reg ? 0 : f->emin;  /* still denormal (or zero) */
            if (s.hi == 0)
                exp = 0;
            return fx_make(sign, (unsigned)exp, s.hi);
        }
    }
    if (round_sig(rc, sign, &s.hi, s.lo, f->p, &inexact, &up)) {
        s.hi = 0x8000000000000000ull;
        exp++;
    }
    if (inexact)
        e->exc |= FX_PE;
    e->c1 = up;
    if (exp > f->emax) {
        if (f->reg && !(e->cw & FX_OE) && exp - FX_WRAP > f->emax) {
            /* FSCALE far above even the wrapped range: infinity, with OE
             * and PE */
            e->exc |= FX_OE | FX_PE;
            e->c1 = true;
            return fx_make(sign, FX_EXP_MAX, 0x8000000000000000ull);
        } else if (f->reg && !(e->cw & FX_OE)) {
            e->exc |= FX_OE;
            exp -= FX_WRAP;
        } else {
            e->exc |= FX_OE | FX_PE;
            return overflow_result(e, sign, f);
        }
    }
    return fx_make(sign, (unsigned)exp, s.hi);
}

static struct fmt reg_fmt(const struct fx_env *e)
{
    struct fmt f = { pc_bits(e), 1, 0x7FFE, true };
    return f;
}

fx80 fx_round_pack(struct fx_env *e, bool sign, int32_t exp, uint64_t hi, uint64_t lo)
{
    struct fmt f = reg_fmt(e);
    struct u128 s = { hi, lo };
    return round_fmt(e, sign, exp, s, &f);
}

/* A finite value re-rounded to the register precision (x + 0 and the
 * like: precision control still applies). */
static fx80 round_value(struct fx_env *e, fx80 a)
{
    if (fx_is_zero(a))
        return a;
    int32_t ex;
    uint64_t sig;
    fx_unpack(a, &ex, &sig);
    return fx_round_pack(e, fx_sign(a), ex, sig, 0);
}

/* ---------------- add, subtract ---------------- */

static fx80 addsub(struct fx_env *e, fx80 a, fx80 b, bool negb)
{
    fx80 r;
    enum fx_class ka, kb;
    if (fx_special(e, a, b, true, &r, &ka, &kb))
        return r;
    bool sa = fx_sign(a), sb = fx_sign(b) != negb;
    if (ka == FXC_DENORMAL || kb == FXC_DENORMAL)
        e->exc |= FX_DE;
    if (ka == FXC_INF || kb == FXC_INF) {
        if (ka == FXC_INF && kb == FXC_INF && sa != sb)
            return fx_invalid(e);
        return ka == FXC_INF ? fx_make(sa, FX_EXP_MAX, a.sig) : fx_make(sb, FX_EXP_MAX, b.sig);
    }
    if (ka == FXC_ZERO && kb == FXC_ZERO) {
        bool s = sa == sb ? sa : rc_of(e) == FX_RC_DOWN;
        return fx_make(s, 0, 0);
    }
    if (ka == FXC_ZERO)
        return round_value(e, fx_make(sb, fx_exp(b), b.sig));
    if (kb == FXC_ZERO)
        return round_value(e, a);
    int32_t ea, eb;
    uint64_t ma, mb;
    fx_unpack(a, &ea, &ma);
    fx_unpack(b, &eb, &mb);
    if (ea < eb || (ea == eb && ma < mb)) {
        int32_t te = ea; ea = eb; eb = te;
        uint64_t tm = ma; ma = mb; mb = tm;
        bool ts = sa; sa = sb; sb = ts;
    }
    struct u128 x = { ma, 0 }, y = { mb, 0 };
    y = u128_shr_jam(y, (uint32_t)(ea - eb));
    if (sa == sb) {
        unsigned carry;
        struct u128 s = u128_add(x, y, &carry);
        if (carry) {
            s = u128_shr_jam(s, 1);
            s.hi |= 0x8000000000000000ull;
            ea++;
        }
        return fx_round_pack(e, sa, ea, s.hi, s.lo);
    }
    struct u128 d = u128_sub(x, y);
    if (d.hi == 0 && d.lo == 0)
        return fx_make(rc_of(e) == FX_RC_DOWN, 0, 0);
    return fx_round_pack(e, sa, ea, d.hi, d.lo);
}

fx80 fx_add(struct fx_env *e, fx80 a, fx80 b) { return addsub(e, a, b, false); }
fx80 fx_sub(struct fx_env *e, fx80 a, fx80 b) { return addsub(e, a, b, true); }

/* ---------------- multiply, divide, square root ---------------- */

fx80 fx_mul(struct fx_env *e, fx80 a, fx80 b)
{
    fx80 r;
    enum fx_class ka, kb;
    if (fx_special(e, a, b, true, &r, &ka, &kb))
        return r;
    bool s = fx_sign(a) != fx_sign(b);
    if ((ka == FXC_INF && kb == FXC_ZERO) || (ka == FXC_ZERO && kb == FXC_INF))
        return fx_invalid(e);
    if (ka == FXC_DENORMAL || kb == FXC_DENORMAL)
        e->exc |= FX_DE;
    if (ka == FXC_INF || kb == FXC_INF)
        return fx_make(s, FX_EXP_MAX, 0x8000000000000000ull);
    if (ka == FXC_ZERO || kb == FXC_ZERO)
        return fx_make(s, 0, 0);
    int32_t ea, eb;
    uint64_t ma, mb;
    fx_unpack(a, &ea, &ma);
    fx_unpack(b, &eb, &mb);
    struct u128 p = mul64(ma, mb);
    return fx_round_pack(e, s, ea + eb - FX_BIAS + 1, p.hi, p.lo);
}

fx80 fx_div(struct fx_env *e, fx80 a, fx80 b)
{
    fx80 r;
    enum fx_class ka, kb;
    if (fx_special(e, a, b, true, &r, &ka, &kb))
        return r;
    bool s = fx_sign(a) != fx_sign(b);
    if ((ka == FXC_INF && kb == FXC_INF) || (ka == FXC_ZERO && kb == FXC_ZERO))
        return fx_invalid(e);
    if (kb == FXC_ZERO && ka != FXC_INF) {
        e->exc |= FX_ZE;    /* before the denormal check: x/0 raises ZE alone */
        return fx_make(s, FX_EXP_MAX, 0x8000000000000000ull);
    }
    if (ka == FXC_DENORMAL || kb == FXC_DENORMAL)
        e->exc |= FX_DE;
    if (ka == FXC_INF)
        return fx_make(s, FX_EXP_MAX, 0x8000000000000000ull);
    if (kb == FXC_INF || ka == FXC_ZERO)
        return fx_make(s, 0, 0);
    int32_t ea, eb;
    uint64_t ma, mb;
    fx_unpack(a, &ea, &ma);
    fx_unpack(b, &eb, &mb);
    /* Restoring division: 66 quotient bits, q = ma / mb * 2^65. */
    uint64_t rem = ma, qhi = 0, qlo = 0;
    for (int k = 0; k < 66; k++) {
        qhi = (qhi << 1) | (qlo >> 63);
        qlo <<= 1;
        if (k > 0) {
            bool carry = rem >> 63;
            rem <<= 1;
            if (carry || rem >= mb) {
                rem -= mb;
                qlo |= 1;
            }
        } else if (rem >= mb) {
            rem -= mb;
            qlo |= 1;
        }
    }
    struct u128 q = { qhi, qlo };
    q = u128_shl(q, 62);
    q.lo |= rem != 0;
    return fx_round_pack(e, s, ea - eb + FX_BIAS, q.hi, q.lo);
}

fx80 fx_sqrt(struct fx_env *e, fx80 a)
{
    fx80 r;
    enum fx_class k;
    if (fx_special(e, a, a, false, &r, &k, &k))
        return r;
    if (k == FXC_ZERO)
        return a;
    if (fx_sign(a))
        return fx_invalid(e);
    if (k == FXC_INF)
        return a;
    if (k == FXC_DENORMAL)
        e->exc |= FX_DE;
    int32_t ea;
    uint64_t m;
    fx_unpack(a, &ea, &m);
    int32_t E = ea - FX_BIAS;
    /* Radicand bits taken two at a time from the top of R. */
    struct u128 R;
    bool odd = (E & 1) != 0;
    if (odd) {
        R.hi = m;
        R.lo = 0;
    } else {
        R.hi = m >> 1;
        R.lo = m << 63;
    }
    struct u128 rem = { 0, 0 }, q = { 0, 0 };
    for (int k2 = 0; k2 < 66; k2++) {
        uint64_t two = R.hi >> 62;
        R = u128_shl(R, 2);
        rem = u128_shl(rem, 2);
        rem.lo |= two;
        struct u128 t = u128_shl(q, 2);
        t.lo |= 1;
        q = u128_shl(q, 1);
        if (u128_cmp(rem, t) >= 0) {
            rem = u128_sub(rem, t);
            q.lo |= 1;
        }
    }
    q = u128_shl(q, 62);
    q.lo |= (rem.hi | rem.lo) != 0;
    int32_t half = odd ? (E - 1) / 2 : E / 2;
    return fx_round_pack(e, false, half + FX_BIAS, q.hi, q.lo);
}

/* ---------------- integers ---------------- */

/* |a| rounded to an integer (per rc, or toward zero), a finite and
 * non-zero with unbiased exponent E <= 63. */
static uint64_t round_to_u64(unsigned rc, bool sign, int32_t E, uint64_t sig,
                             bool *inexact, bool *up)
{
    uint64_t ip, frac;
    if (E >= 63) {
        *inexact = *up = false;
        return sig;
    }
    if (E >= 0) {
        unsigned sh = (unsigned)(63 - E);
        ip = sig >> sh;
        frac = sig << (64 - sh);
    } else {
        ip = 0;
        uint32_t sh = (uint32_t)(-E - 1);
        frac = sh >= 64 ? 1 : (sig >> sh) | ((sh && (sig << (64 - sh))) ? 1 : 0);
    }
    *inexact = frac != 0;
    bool inc;
    switch (rc) {
    case FX_RC_NEAR:
        inc = frac > 0x8000000000000000ull || (frac == 0x8000000000000000ull && (ip & 1));
        break;
    case FX_RC_DOWN: inc = sign && frac; break;
    case FX_RC_UP: inc = !sign && frac; break;
    default: inc = false; break;
    }
    *up = inc;
    return ip + inc;
}

static fx80 from_u64(bool sign, uint64_t m)
{
    if (m == 0)
        return fx_make(sign, 0, 0);
    unsigned n = clz64(m);
    return fx_make(sign, (unsigned)(FX_BIAS + 63 - (int)n), m << n);
}

fx80 fx_from_int(uint64_t v, unsigned bits)
{
    uint64_t mask = bits >= 64 ? ~0ull : (1ull << bits) - 1;
    v &= mask;
    bool s = (v >> (bits - 1)) & 1;
    uint64_t m = s ? (0 - v) & mask : v;
    return m ? from_u64(s, m) : fx_make(false, 0, 0);
}

fx80 fx_rndint(struct fx_env *e, fx80 a)
{
    fx80 r;
    enum fx_class k;
    if (fx_special(e, a, a, false, &r, &k, &k))
        return r;
    if (k == FXC_ZERO || k == FXC_INF)
        return a;
    if (k == FXC_DENORMAL)
        e->exc |= FX_DE;
    int32_t ea;
    uint64_t m;
    fx_unpack(a, &ea, &m);
    int32_t E = ea - FX_BIAS;
    if (E >= 63)
        return a;
    bool inexact, up;
    uint64_t v = round_to_u64(rc_of(e), fx_sign(a), E, m, &inexact, &up);
    if (inexact)
        e->exc |= FX_PE;
    e->c1 = up;
    return from_u64(fx_sign(a), v);
}

uint64_t fx_to_int(struct fx_env *e, fx80 a, unsigned bits, bool trunc)
{
    uint64_t indef = 1ull << (bits - 1);
    e->c1 = false;
    enum fx_class k = fx_classify(a);
    if (k == FXC_ZERO)
        return 0;
    if (k == FXC_UNSUPPORTED || k == FXC_QNAN || k == FXC_SNAN || k == FXC_INF)
        goto invalid;
    int32_t ea;
    uint64_t m;
    fx_unpack(a, &ea, &m);
    int32_t E = ea - FX_BIAS;
    if (E > 63)
        goto invalid;
    bool inexact, up, s = fx_sign(a);
    uint64_t v = round_to_u64(trunc ? FX_RC_ZERO : rc_of(e), s, E, m, &inexact, &up);
    if (v > (s ? indef : indef - 1) || (E == 63 && !(s && v == indef)))
        goto invalid;
    if (inexact)
        e->exc |= FX_PE;
    e->c1 = up;
    return s ? 0 - v : v;
invalid:
    e->exc |= FX_IE;
    return 0 - indef;
}

/* ---------------- scale, extract, remainder ---------------- */

fx80 fx_scale(struct fx_env *e, fx80 a, fx80 b)
{
    fx80 r;
    enum fx_class ka, kb;
    if (fx_special(e, a, b, true, &r, &ka, &kb))
        return r;
    if (ka == FXC_DENORMAL || kb == FXC_DENORMAL)
        e->exc |= FX_DE;
    if (kb == FXC_INF) {
        if (!fx_sign(b))
            return ka == FXC_ZERO ? fx_invalid(e) : fx_make(fx_sign(a), ka == FXC_ZERO ? 0 : FX_EXP_MAX,
                                                           ka == FXC_ZERO ? 0 : 0x8000000000000000ull);
        return ka == FXC_INF ? fx_invalid(e) : fx_make(fx_sign(a), 0, 0);
    }
    if (ka == FXC_INF || ka == FXC_ZERO)
        return a;
    int32_t n = 0;
    if (kb != FXC_ZERO) {
        int32_t eb;
        uint64_t mb;
        fx_unpack(b, &eb, &mb);
        int32_t E = eb - FX_BIAS;
        if (E >= 0) {
            uint32_t mag = E >= 20 ? (1u << 20) : (uint32_t)(mb >> (63 - E));
            n = fx_sign(b) ? -(int32_t)mag : (int32_t)mag;
        }
    }
    int32_t ea;
    uint64_t ma;
    fx_unpack(a, &ea, &ma);
    /* Precision control does not apply to FSCALE (measured on x87). */
    struct fx_env full = { (uint16_t)(e->cw | 0x0300), 0, false };
    fx80 res = fx_round_pack(&full, fx_sign(a), ea + n, ma, 0);
    e->exc |= full.exc;
    e->c1 = full.c1;
    return res;
}

fx80 fx_xtract(struct fx_env *e, fx80 a, fx80 *expo)
{
    fx80 r;
    e->c1 = false;
    if (fx_nan_operands(e, a, a, false, &r)) {
        *expo = r;
        return r;
    }
    enum fx_class k = fx_classify(a);
    if (k == FXC_ZERO) {
        e->exc |= FX_ZE;
        *expo = fx_make(true, FX_EXP_MAX, 0x8000000000000000ull);
        return a;
    }
    if (k == FXC_INF) {
        *expo = fx_make(false, FX_EXP_MAX, 0x8000000000000000ull);
        return a;
    }
    if (k == FXC_DENORMAL)
        e->exc |= FX_DE;
    int32_t ea;
    uint64_t m;
    fx_unpack(a, &ea, &m);
    int32_t E = ea - FX_BIAS;
    *expo = fx_from_int(E < 0 ? 0 - (uint64_t)(uint32_t)-E : (uint64_t)E, 64);
    return fx_make(fx_sign(a), FX_BIAS, m);
}

/* Long division: `steps` quotient bits of rem / mb (rem < 2 * mb on
 * entry; the first bit compares without shifting).  Returns the low 64
 * quotient bits; *rem becomes the remainder. */
static uint64_t long_div(uint64_t *rem, uint64_t mb, int32_t steps)
{
    uint64_t q = 0, r = *rem;
    for (int32_t k = 0; k < steps; k++) {
        bool carry = false;
        if (k > 0) {
            carry = r >> 63;
            r <<= 1;
        }
        q <<= 1;
        if (carry || r >= mb) {
            r -= mb;
            q |= 1;
        }
    }
    *rem = r;
    return q;
}

static uint16_t rem_cc(uint64_t q)
{
    /* C0 = Q2, C3 = Q1, C1 = Q0 (SDM FPREM) */
    return (uint16_t)(((q & 4) ? 0x0100 : 0) | ((q & 2) ? 0x4000 : 0) | ((q & 1) ? 0x0200 : 0));
}

/* Partial remainder: N of SDM FPREM's "ST(0) - ST(1) * QQ * 2^(D-N)" is
 * between 32 and 63 such that D - N is a multiple of 32 (measured: the
 * exponent difference drops to the multiple of 32 below D - 31). */
static int32_t rem_n(int32_t d) { return 32 + ((d - 32) & 31); }

fx80 fx_rem(struct fx_env *env, fx80 a, fx80 b, bool nearest, uint16_t *cc)
{
    fx80 r;
    /* The remainder is exact: precision control does not apply. */
    struct fx_env full = { (uint16_t)(env->cw | 0x0300), 0, false };
    struct fx_env *e = &full;
    *cc = FX_CC_KEEP;   /* NaN and invalid operands leave C0-C3 (measured) */
    env->c1 = false;
    if (fx_nan_operands(e, a, b, true, &r))
        goto out;
    enum fx_class ka = fx_classify(a), kb = fx_classify(b);
    if (ka == FXC_INF || kb == FXC_ZERO) {
        r = fx_invalid(e);
        goto out;
    }
    *cc = 0;
    if (ka == FXC_DENORMAL || kb == FXC_DENORMAL)
        e->exc |= FX_DE;
    r = ka == FXC_DENORMAL ? round_value(e, a) : a;  /* pseudo-denormals come out with exponent 1 */
    if (ka == FXC_ZERO || kb == FXC_INF)
        goto out;
    int32_t ea, eb;
    uint64_t ma, mb;
    fx_unpack(a, &ea, &ma);
    fx_unpack(b, &eb, &mb);
    int32_t d = ea - eb;
    bool s = fx_sign(a);
    if (d < -1 || (d == -1 && !nearest))
        goto out;
    uint64_t q = 0, rem = ma;
    int32_t rexp = eb;
    if (d >= 64) {
        int32_t n = rem_n(d);
        long_div(&rem, mb, n + 1);
        *cc = 0x0400;  /* C2: incomplete reduction */
        r = rem ? fx_round_pack(e, s, eb + (d - n), rem, 0) : fx_make(s, 0, 0);
        goto out;
    }
    if (d >= 0)
        q = long_div(&rem, mb, d + 1);
    else
        rexp = eb - 1;  /* d == -1 (FPREM1): rem = ma at exponent eb - 1 */
    if (nearest) {
        /* Compare 2 * rem (at rexp) with mb (at eb). */
        struct u128 r2 = { rem >> 63, rem << 1 }, bb = { 0, mb };
        if (rexp != eb) {
            r2.hi = 0;
            r2.lo = rem;
        }
        int c = u128_cmp(r2, bb);
        if (c > 0 || (c == 0 && (q & 1))) {
            struct u128 x = { mb, 0 }, y = { rem, 0 };
            if (rexp != eb)
                y = u128_shr_jam(y, 1);
            struct u128 t = u128_sub(x, y);
            q++;
            *cc = rem_cc(q);
            r = fx_round_pack(e, !s, eb, t.hi, t.lo);
            goto out;
        }
    }
    *cc = rem_cc(q);
    r = rem ? fx_round_pack(e, s, rexp, rem, 0) : fx_make(s, 0, 0);
out:
    env->exc |= e->exc;
    return r;
}

/* ---------------- compare ---------------- */

int fx_compare(struct fx_env *e, fx80 a, fx80 b, bool quiet)
{
    enum fx_class ka = fx_classify(a), kb = fx_classify(b);
    if (ka == FXC_UNSUPPORTED || kb == FXC_UNSUPPORTED) {
        e->exc |= FX_IE;
        return 2;
    }
    bool an = ka == FXC_QNAN || ka == FXC_SNAN, bn = kb == FXC_QNAN || kb == FXC_SNAN;
    if (an || bn) {
        if (!quiet || ka == FXC_SNAN || kb == FXC_SNAN)
            e->exc |= FX_IE;
        return 2;
    }
    if (ka == FXC_DENORMAL || kb == FXC_DENORMAL)
        e->exc |= FX_DE;
    if (ka == FXC_ZERO && kb == FXC_ZERO)
        return 0;
    bool sa = fx_sign(a), sb = fx_sign(b);
    if (ka == FXC_ZERO)
        return sb ? 1 : -1;
    if (kb == FXC_ZERO)
        return sa ? -1 : 1;
    if (sa != sb)
        return sa ? -1 : 1;
    int32_t ea, eb;
    uint64_t ma, mb;
    if (ka == FXC_INF) { ea = 0x10000; ma = 0; } else fx_unpack(a, &ea, &ma);
    if (kb == FXC_INF) { eb = 0x10000; mb = 0; } else fx_unpack(b, &eb, &mb);
    int c = ea != eb ? (ea < eb ? -1 : 1) : ma != mb ? (ma < mb ? -1 : 1) : 0;
    return sa ? -c : c;
}

/* ---------------- float32 / float64 ---------------- */

static fx80 from_ieee(struct fx_env *e, bool s, uint32_t ex, uint64_t frac,
                      unsigned fbits, uint32_t emaxf, int32_t bias)
{
    if (ex == emaxf) {
        if (frac == 0)
            return fx_make(s, FX_EXP_MAX, 0x8000000000000000ull);
        uint64_t sig = 0x8000000000000000ull | (frac << (63 - fbits));
        if (!(frac >> (fbits - 1))) {
            e->exc |= FX_IE;
            sig |= 0x4000000000000000ull;
        }
        return fx_make(s, FX_EXP_MAX, sig);
    }
    if (ex == 0) {
        if (frac == 0)
            return fx_make(s, 0, 0);
        e->exc |= FX_DE;
        uint64_t sig = frac << (63 - fbits);
        unsigned n = clz64(sig);
        return fx_make(s, (unsigned)(FX_BIAS - bias + 1 - (int32_t)n), sig << n);
    }
    return fx_make(s, (unsigned)((int32_t)ex - bias + FX_BIAS),
                   0x8000000000000000ull | (frac << (63 - fbits)));
}

fx80 fx_from_f32(struct fx_env *e, uint32_t v)
{
    return from_ieee(e, v >> 31, (v >> 23) & 0xFF, v & 0x7FFFFF, 23, 0xFF, 127);
}

fx80 fx_from_f64(struct fx_env *e, uint64_t v)
{
    return from_ieee(e, v >> 63, (uint32_t)(v >> 52) & 0x7FF, v & 0xFFFFFFFFFFFFFull, 52, 0x7FF, 1023);
}

/* To an IEEE format with fbits fraction bits and bias `bias`: returns the
 * sign-less bit pattern of the magnitude in the low bits plus the sign. */
static uint64_t to_ieee(struct fx_env *e, fx80 a, unsigned fbits, int32_t bias, uint32_t emaxf)
{
    uint64_t sbit = (uint64_t)fx_sign(a) << (fbits + (fbits == 23 ? 8 : 11));
    uint64_t infp = (uint64_t)emaxf << fbits;
    e->c1 = false;
    switch (fx_classify(a)) {
    case FXC_UNSUPPORTED:
        e->exc |= FX_IE;
        return (1ull << (fbits + (fbits == 23 ? 8 : 11))) | infp | (1ull << (fbits - 1));
    case FXC_SNAN:
        e->exc |= FX_IE;
        /* fallthrough */
    case FXC_QNAN:
        return sbit | infp | (1ull << (fbits - 1)) | ((a.sig << 1) >> (64 - fbits));
    case FXC_INF:
        return sbit | infp;
    case FXC_ZERO:
        return sbit;
    default:
        break;
    }
    /* Stores do not raise DE for a denormal source (measured). */
    int32_t ea;
    uint64_t m;
    fx_unpack(a, &ea, &m);
    struct fmt f = { fbits + 1, FX_BIAS - bias + 1, FX_BIAS + bias, false };
    struct u128 s = { m, 0 };
    fx80 r = round_fmt(e, fx_sign(a), ea, s, &f);
    if (fx_exp(r) == FX_EXP_MAX)
        return sbit | infp;
    if (r.sig == 0)
        return sbit;
    uint64_t frac = (r.sig >> (63 - fbits)) & ((1ull << fbits) - 1);
    if (!(r.sig >> 63))
        return sbit | frac;
    return sbit | ((uint64_t)((int32_t)fx_exp(r) - FX_BIAS + bias) << fbits) | frac;
}

uint32_t fx_to_f32(struct fx_env *e, fx80 a) { return (uint32_t)to_ieee(e, a, 23, 127, 0xFF); }
uint64_t fx_to_f64(struct fx_env *e, fx80 a) { return to_ieee(e, a, 52, 1023, 0x7FF); }

/* ---------------- packed BCD ---------------- */

fx80 fx_from_bcd(const uint8_t b[10])
{
    uint64_t v = 0;
    for (int k = 8; k >= 0; k--)
        v = v * 100 + (uint64_t)(b[k] >> 4) * 10 + (b[k] & 15);
    return from_u64((b[9] & 0x80) != 0, v);
}

void fx_to_bcd(struct fx_env *e, fx80 a, uint8_t b[10])
{
    enum fx_class k = fx_classify(a);
    bool s = fx_sign(a);
    uint64_t v = 0;
    e->c1 = false;
    if (k == FXC_ZERO)
        goto store;
    if (k != FXC_NORMAL && k != FXC_DENORMAL)
        goto invalid;
    int32_t ea;
    uint64_t m;
    fx_unpack(a, &ea, &m);
    if (ea - FX_BIAS > 63)
        goto invalid;
    bool inexact, up;
    v = round_to_u64(rc_of(e), s, ea - FX_BIAS, m, &inexact, &up);
    if (v > 999999999999999999ull)
        goto invalid;
    if (inexact)
        e->exc |= FX_PE;
    e->c1 = up;
store:
    for (int d = 0; d < 9; d++) {
        unsigned lo = (unsigned)(v % 10);
        v /= 10;
        unsigned hi = (unsigned)(v % 10);
        v /= 10;
        b[d] = (uint8_t)(hi << 4 | lo);
    }
    b[9] = s ? 0x80 : 0;
    return;
invalid:
    e->exc |= FX_IE;
    for (int d = 0; d < 7; d++)
        b[d] = 0;
    b[7] = 0xC0;
    b[8] = b[9] = 0xFF;
}

/* ---------------- constants (FLD1 ... FLDZ) ---------------- */

/* FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ: the constants to 128 bits,
 * rounded to 64 by the rounding control (SDM Vol. 1 8.3.8: "rounded ...
 * as specified by the RC field"); no exception but stack overflow. */
fx80 fx_const(unsigned which, unsigned rc)
{
    static const struct { uint16_t exp; uint64_t hi, lo; } k[7] = {
        { 0x3FFF, 0x8000000000000000ull, 0 },                       /* 1 */
        { 0x4000, 0xD49A784BCD1B8AFEull, 0x492BF6FF4DAFDB4Cull },   /* log2(10) */
        { 0x3FFF, 0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E88ull },   /* log2(e) */
        { 0x4000, 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull },   /* pi */
        { 0x3FFD, 0x9A209A84FBCFF798ull, 0x8F8959AC0B7C9178ull },   /* log10(2) */
        { 0x3FFE, 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull },   /* ln(2) */
        { 0, 0, 0 },                                                /* +0 */
    };
    if (which > 6)
        which = 6;
    uint64_t hi = k[which].hi;
    bool inexact, up;
    bool carry = round_sig(rc, false, &hi, k[which].lo, 64, &inexact, &up);
    (void)carry;  /* none of the constants rounds up to a power of two */
    return fx_make(false, k[which].exp, hi);
}

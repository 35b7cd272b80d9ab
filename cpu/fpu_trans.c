/* x87 transcendental instructions in software (see fpu_trans.h).
 *
 * The functions are evaluated in a 128-bit-significand format (struct xf)
 * by argument reduction and series, then rounded once to the register
 * format with fx_round_pack, so the result is within one unit in the last
 * place of the exact value (the x87 itself promises 1 ulp, SDM Vol. 1
 * 8.3.10).  Special values follow the tables of SDM Vol. 2 FSIN, FCOS,
 * FPTAN, FPATAN (table 3-30), F2XM1, FYL2X and FYL2XP1.
 *
 * FSIN/FCOS/FSINCOS/FPTAN reduce the argument by pi/2 as the x87 does,
 * with its 66-bit value of pi (SDM Vol. 1 8.3.10: "the x87 FPU uses a
 * 66-bit approximation of pi"), so results for large arguments match the
 * hardware's rather than the exact ones.
 */
#include "fpu_trans.h"
#include "fpu_u128.h"

/* value = (m / 2^127) * 2^e, m normalized (bit 127 set) unless zero */
struct xf {
    bool s;
    bool z;
    int32_t e;
    struct u128 m;
};

static struct xf xf_zero(void)
{
    struct xf r = { false, true, 0, { 0, 0 } };
    return r;
}

static struct xf xf_norm(struct xf a)
{
    if (a.m.hi == 0 && a.m.lo == 0) {
        a.z = true;
        return a;
    }
    a.z = false;
    if (a.m.hi == 0) {
        a.m.hi = a.m.lo;
        a.m.lo = 0;
        a.e -= 64;
    }
    unsigned n = clz64(a.m.hi);
    a.m = u128_shl(a.m, n);
    a.e -= (int32_t)n;
    return a;
}

static struct xf xf_make(bool s, int32_t e, uint64_t hi, uint64_t lo)
{
    struct xf r = { s, false, e, { hi, lo } };
    return xf_norm(r);
}

static struct xf xf_from_fx(fx80 a)
{
    if (fx_is_zero(a))
        return xf_zero();
    int32_t e;
    uint64_t m;
    fx_unpack(a, &e, &m);
    return xf_make(fx_sign(a), e - FX_BIAS, m, 0);
}

static struct xf xf_int(int32_t v)
{
    bool s = v < 0;
    uint64_t m = s ? 0 - (uint64_t)(uint32_t)v : (uint64_t)v;
    m &= 0xFFFFFFFFull;
    if (!m)
        return xf_zero();
    return xf_make(s, 63, m, 0);
}

/* Rounds to the register format.  Precision control does not apply to
 * the transcendental instructions (measured on x87 hardware: 64-bit
 * results under PC = 24 and 53). */
static fx80 xf_round(struct fx_env *e, struct xf a)
{
    if (a.z)
        return fx_make(a.s, 0, 0);
    struct fx_env full = { (uint16_t)(e->cw | 0x0300), 0, false };
    fx80 r = fx_round_pack(&full, a.s, a.e + FX_BIAS, a.m.hi, a.m.lo);
    e->exc |= full.exc;
    e->c1 = full.c1;
    return r;
}

static struct xf xf_neg(struct xf a)
{
    a.s = !a.s;
    return a;
}

static struct xf xf_add(struct xf a, struct xf b)
{
    if (a.z)
        return b;
    if (b.z)
        return a;
    if (a.e < b.e || (a.e == b.e && u128_cmp(a.m, b.m) < 0)) {
        struct xf t = a;
        a = b;
        b = t;
    }
    struct u128 y = u128_shr_jam(b.m, (uint32_t)(a.e - b.e));
    struct xf r = { a.s, false, a.e, { 0, 0 } };
    if (a.s == b.s) {
        unsigned carry;
        r.m = u128_add(a.m, y, &carry);
        if (carry) {
            r.m = u128_shr_jam(r.m, 1);
            r.m.hi |= 0x8000000000000000ull;
            r.e++;
        }
        return r;
    }
    r.m = u128_sub(a.m, y);
    return xf_norm(r);
}

static struct xf xf_sub(struct xf a, struct xf b) { return xf_add(a, xf_neg(b)); }

static struct xf xf_mul(struct xf a, struct xf b)
{
    if (a.z || b.z)
        return xf_zero();
    struct u128 hh = mul64(a.m.hi, b.m.hi), hl = mul64(a.m.hi, b.m.lo),
                lh = mul64(a.m.lo, b.m.hi), ll = mul64(a.m.lo, b.m.lo);
    /* 256-bit sum: words w3 w2 w1 w0 */
    uint64_t w0 = ll.lo, w1 = ll.hi, w2 = hh.lo, w3 = hh.hi;
    uint64_t t;
    t = w1 + hl.lo; unsigned c1 = t < w1; w1 = t;
    t = w1 + lh.lo; c1 += t < w1; w1 = t;
    t = w2 + hl.hi; unsigned c2 = t < w2; w2 = t;
    t = w2 + lh.hi; c2 += t < w2; w2 = t;
    t = w2 + c1; c2 += t < w2; w2 = t;
    w3 += c2;
    struct xf r = { a.s != b.s, false, a.e + b.e + 1, { w3, w2 | ((w1 | w0) != 0) } };
    return xf_norm(r);
}

static struct xf xf_div(struct xf a, struct xf b)
{
    if (a.z)
        return xf_zero();
    struct u128 rem = a.m, q = { 0, 0 };
    for (int k = 0; k < 128; k++) {
        unsigned carry = 0;
        if (k > 0) {
            carry = (unsigned)(rem.hi >> 63);
            rem = u128_shl(rem, 1);
        }
        q = u128_shl(q, 1);
        if (carry || u128_cmp(rem, b.m) >= 0) {
            rem = u128_sub(rem, b.m);
            q.lo |= 1;
        }
    }
    q.lo |= (rem.hi | rem.lo) != 0;
    struct xf r = { a.s != b.s, false, a.e - b.e, q };
    return xf_norm(r);
}

static struct xf xf_scale(struct xf a, int32_t n)
{
    if (!a.z)
        a.e += n;
    return a;
}

/* sqrt by two Newton steps from the 64-bit square root. */
static struct xf xf_sqrt(struct xf a)
{
    if (a.z)
        return a;
    struct fx_env env = { 0x037F, 0, false };
    int32_t half = a.e >= 0 ? a.e / 2 : -((1 - a.e) / 2);   /* floor(e / 2) */
    struct xf m = xf_scale(a, -2 * half);                    /* in [1, 4) */
    fx80 s = fx_sqrt(&env, fx_make(false, (unsigned)(m.e + FX_BIAS), m.m.hi));
    struct xf y = xf_from_fx(s);
    for (int k = 0; k < 2; k++)
        y = xf_scale(xf_add(y, xf_div(m, y)), -1);
    return xf_scale(y, half);
}

static int xf_cmp_abs(struct xf a, struct xf b)
{
    if (a.z || b.z)
        return a.z && b.z ? 0 : a.z ? -1 : 1;
    if (a.e != b.e)
        return a.e < b.e ? -1 : 1;
    return u128_cmp(a.m, b.m);
}

/* pi to 128 bits, ln 2, and the x87's 66-bit pi for argument reduction */
static struct xf xf_pi(void) { return xf_make(false, 1, 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull); }
static struct xf xf_ln2(void) { return xf_make(false, -1, 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull); }

/* sum of the series x * sum_k c_k y^k with c_k = sign^k / den(k), y = x^2
 * (odd series: sin, atan, atanh) or the like, until the term vanishes. */
static struct xf series_odd(struct xf x, bool alternate, bool factorial)
{
    struct xf x2 = xf_mul(x, x), term = x, sum = x;
    for (int k = 1; k < 60; k++) {
        term = xf_mul(term, x2);
        struct xf t;
        if (factorial) {
            term = xf_div(term, xf_int((2 * k) * (2 * k + 1)));
            t = term;
        } else {
            t = xf_div(term, xf_int(2 * k + 1));
        }
        if (alternate && (k & 1))
            t = xf_neg(t);
        /* the last, negligible term still counts as a sticky bit */
        sum = xf_add(sum, t);
        if (t.z || sum.e - t.e > 130)
            break;
    }
    return sum;
}

static struct xf xf_sin_small(struct xf r) { return series_odd(r, true, true); }

static struct xf xf_cos_small(struct xf r)
{
    struct xf x2 = xf_mul(r, r), term = xf_int(1), sum = xf_int(1);
    for (int k = 1; k < 60; k++) {
        term = xf_div(xf_mul(term, x2), xf_int((2 * k - 1) * (2 * k)));
        struct xf t = (k & 1) ? xf_neg(term) : term;
        sum = xf_add(sum, t);
        if (t.z || sum.e - t.e > 130)
            break;
    }
    return sum;
}

/* ---------------- FSIN FCOS FSINCOS FPTAN ---------------- */

/* Reduces |x| < 2^63 by the 66-bit pi/2: r exactly x - k * P, k nearest.
 * Returns k mod 4. */
static unsigned reduce(struct xf x, struct xf *r)
{
    /* P = pi/2 to the x87's 66 bits (pi = C90FDAA22168C234 C...: the
     * 66th bit is followed by 0s, so truncation is rounding here) */
    struct u128 P = { 0xC90FDAA22168C234ull, 0xC000000000000000ull };
    struct xf p = { false, false, 0, P };
    if (xf_cmp_abs(x, xf_scale(p, -1)) <= 0) {
        *r = x;
        return 0;
    }
    /* Long division of |x| (exponent x.e) by P (exponent 0): the quotient
     * has x.e + 1 integer bits; the remainder is exact. */
    struct u128 rem = x.m;
    uint64_t q = 0;
    int32_t steps = x.e + 1, rexp = 0;
    if (steps <= 0)
        rexp = x.e;
    for (int32_t k = 0; k < steps; k++) {
        unsigned carry = 0;
        if (k > 0) {
            carry = (unsigned)(rem.hi >> 63);
            rem = u128_shl(rem, 1);
        }
        q <<= 1;
        if (carry || u128_cmp(rem, P) >= 0) {
            rem = u128_sub(rem, P);
            q |= 1;
        }
    }
    /* rem / 2^127 is the remainder in units of 2^0 (P's scale) */
    struct xf rr = { x.s, false, rexp, rem };
    rr = xf_norm(rr);
    if (xf_cmp_abs(rr, xf_scale(p, -1)) > 0) {
        rr = xf_sub(rr, x.s ? xf_neg(p) : p);
        q++;
    }
    *r = rr;
    unsigned k = (unsigned)(q & 3);
    return x.s ? (4 - k) & 3 : k;
}

/* Special operands of the trigonometric instructions.  Returns true with
 * *res when done (NaN, infinity, out of range, zero). */
static bool trig_special(struct fx_env *e, fx80 x, fx80 *res, bool *c2, bool zero_is_result)
{
    *c2 = false;
    e->c1 = false;
    if (fx_nan_operands(e, x, x, false, res))
        return true;
    enum fx_class k = fx_classify(x);
    if (k == FXC_INF) {
        *res = fx_invalid(e);
        return true;
    }
    if (k == FXC_DENORMAL)
        e->exc |= FX_DE;
    if (k != FXC_ZERO && k != FXC_DENORMAL && fx_exp(x) >= FX_BIAS + 63) {
        *c2 = true;
        *res = x;
        return true;
    }
    if (k == FXC_ZERO && zero_is_result) {
        *res = x;
        return true;
    }
    return false;
}

static void sincos_xf(fx80 x, struct xf *s, struct xf *c)
{
    struct xf r;
    unsigned q = reduce(xf_from_fx(x), &r);
    struct xf sn = xf_sin_small(r), cs = xf_cos_small(r);
    switch (q) {
    case 0: *s = sn; *c = cs; break;
    case 1: *s = cs; *c = xf_neg(sn); break;
    case 2: *s = xf_neg(sn); *c = xf_neg(cs); break;
    default: *s = xf_neg(cs); *c = sn; break;
    }
}

fx80 fx_sin(struct fx_env *e, fx80 x, bool *c2)
{
    fx80 r;
    if (trig_special(e, x, &r, c2, true))
        return r;
    struct xf s, c;
    sincos_xf(x, &s, &c);
    if (s.z)
        return fx_make(fx_sign(x), 0, 0);
    return xf_round(e, s);
}

fx80 fx_cos(struct fx_env *e, fx80 x, bool *c2)
{
    fx80 r;
    if (trig_special(e, x, &r, c2, false))
        return r;
    if (fx_is_zero(x))
        return fx_make(false, FX_BIAS, 0x8000000000000000ull);
    struct xf s, c;
    sincos_xf(x, &s, &c);
    return xf_round(e, c);
}

fx80 fx_sincos(struct fx_env *e, fx80 x, fx80 *cosr, bool *c2)
{
    fx80 r;
    if (trig_special(e, x, &r, c2, false)) {
        *cosr = r;
        return r;
    }
    if (fx_is_zero(x)) {
        *cosr = fx_make(false, FX_BIAS, 0x8000000000000000ull);
        return x;
    }
    struct xf s, c;
    sincos_xf(x, &s, &c);
    struct fx_env ec = *e;
    *cosr = xf_round(&ec, c);
    fx80 sr = s.z ? fx_make(fx_sign(x), 0, 0) : xf_round(e, s);
    e->exc |= ec.exc;
    /* C1 tells about the sine (ST(1)), not the pushed cosine (measured) */
    return sr;
}

fx80 fx_tan(struct fx_env *e, fx80 x, bool *c2)
{
    fx80 r;
    if (trig_special(e, x, &r, c2, true))
        return r;
    struct xf s, c;
    sincos_xf(x, &s, &c);
    struct xf t = xf_div(s, c);
    if (t.z)
        return fx_make(fx_sign(x), 0, 0);
    return xf_round(e, t);
}

/* ---------------- FPATAN ---------------- */

/* atan(t), 0 <= t <= 1: three halvings t -> t / (1 + sqrt(1 + t^2)). */
static struct xf xf_atan01(struct xf t)
{
    if (t.z)
        return t;
    struct xf one = xf_int(1);
    for (int k = 0; k < 3; k++)
        t = xf_div(t, xf_add(one, xf_sqrt(xf_add(one, xf_mul(t, t)))));
    return xf_scale(series_odd(t, true, false), 3);
}

fx80 fx_atan2(struct fx_env *e, fx80 y, fx80 x)
{
    fx80 r;
    enum fx_class ky, kx;
    if (fx_special(e, y, x, true, &r, &ky, &kx))
        return r;
    if (ky == FXC_DENORMAL || kx == FXC_DENORMAL)
        e->exc |= FX_DE;
    bool sy = fx_sign(y), sx = fx_sign(x);
    struct xf pi = xf_pi();
    struct xf res;
    /* SDM table 3-30 */
    if (ky == FXC_ZERO) {
        if (!sx)
            return fx_make(sy, 0, 0);
        res = pi;
    } else if (ky == FXC_INF && kx == FXC_INF) {
        res = xf_scale(pi, -2);                          /* pi/4 */
        if (sx)
            res = xf_mul(res, xf_int(3));                /* 3pi/4 */
    } else if (ky == FXC_INF || kx == FXC_ZERO) {
        res = xf_scale(pi, -1);
    } else if (kx == FXC_INF) {
        if (!sx)
            return fx_make(sy, 0, 0);
        res = pi;
    } else {
        struct xf ay = xf_from_fx(fx_abs(y)), ax = xf_from_fx(fx_abs(x));
        bool swap = xf_cmp_abs(ay, ax) > 0;
        struct xf t = swap ? xf_div(ax, ay) : xf_div(ay, ax);
        res = xf_atan01(t);
        if (swap)
            res = xf_sub(xf_scale(pi, -1), res);
        if (sx)
            res = xf_sub(pi, res);
    }
    res.s = sy;
    return xf_round(e, res);
}

/* ---------------- F2XM1, FYL2X, FYL2XP1 ---------------- */

fx80 fx_f2xm1(struct fx_env *e, fx80 x)
{
    fx80 r;
    enum fx_class k;
    if (fx_special(e, x, x, false, &r, &k, &k))
        return r;
    if (k == FXC_ZERO)
        return x;
    if (k == FXC_INF)
        return fx_sign(x) ? fx_make(true, FX_BIAS, 0x8000000000000000ull) : x;
    if (k == FXC_DENORMAL)
        e->exc |= FX_DE;
    /* |x| > 1 is outside the documented domain: the x87 returns x (with
     * PE; measured). */
    if (fx_exp(x) >= FX_BIAS && !(fx_exp(x) == FX_BIAS && x.sig == 0x8000000000000000ull)) {
        e->exc |= FX_PE;
        return x;
    }
    /* 2^x - 1 = expm1(x ln 2) by its series (|x| <= 1 as the SDM
     * requires; larger arguments are reduced by powers of two). */
    struct xf t = xf_mul(xf_from_fx(x), xf_ln2());
    int halvings = 0;
    while (!t.z && t.e > -2 && halvings < 40) {
        t = xf_scale(t, -1);
        halvings++;
    }
    struct xf term = t, sum = t;
    for (int n = 2; n < 60; n++) {
        term = xf_div(xf_mul(term, t), xf_int(n));
        sum = xf_add(sum, term);
        if (term.z || sum.e - term.e > 130)
            break;
    }
    /* expm1(2t) = expm1(t) * (expm1(t) + 2) */
    while (halvings--)
        sum = xf_mul(sum, xf_add(sum, xf_int(2)));
    return xf_round(e, sum);
}

/* ln(1 + u) as 2 atanh(s), s = u / (2 + u): diff = u (exact), sum = 2 + u. */
static struct xf ln_ratio(struct xf diff, struct xf sum)
{
    struct xf s = xf_div(diff, sum);
    return xf_scale(series_odd(s, false, false), 1);
}

static struct xf xf_log2(struct xf x)
{
    /* x = m 2^E with m in [sqrt(1/2), sqrt(2)) */
    int32_t E = x.e;
    struct xf m = xf_scale(x, -E);
    if (m.m.hi > 0xB504F333F9DE6484ull) {   /* m > sqrt(2) */
        m = xf_scale(m, -1);
        E++;
    }
    struct xf one = xf_int(1);
    struct xf l = xf_div(ln_ratio(xf_sub(m, one), xf_add(m, one)), xf_ln2());
    return xf_add(xf_int(E), l);
}

fx80 fx_yl2x(struct fx_env *e, fx80 x, fx80 y)
{
    fx80 r;
    enum fx_class kx, ky;
    if (fx_special(e, x, y, true, &r, &kx, &ky))
        return r;
    bool sx = fx_sign(x), sy = fx_sign(y);
    if (sx && kx != FXC_ZERO)
        return fx_invalid(e);
    bool one = kx == FXC_NORMAL && fx_exp(x) == FX_BIAS && x.sig == 0x8000000000000000ull;
    if (kx == FXC_ZERO) {
        if (ky == FXC_ZERO)
            return fx_invalid(e);
        if (ky != FXC_INF)
            e->exc |= FX_ZE;    /* alone: no DE for a denormal y (measured) */
        return fx_make(!sy, FX_EXP_MAX, 0x8000000000000000ull);
    }
    if (kx == FXC_INF) {
        if (ky == FXC_ZERO)
            return fx_invalid(e);
        if (ky == FXC_DENORMAL)
            e->exc |= FX_DE;
        return fx_make(sy, FX_EXP_MAX, 0x8000000000000000ull);
    }
    if (ky == FXC_INF) {
        if (one)
            return fx_invalid(e);
        if (kx == FXC_DENORMAL)
            e->exc |= FX_DE;
        bool below1 = fx_exp(x) < FX_BIAS || kx == FXC_DENORMAL;
        return fx_make(sy != below1, FX_EXP_MAX, 0x8000000000000000ull);
    }
    if (kx == FXC_DENORMAL || ky == FXC_DENORMAL)
        e->exc |= FX_DE;
    if (one || ky == FXC_ZERO)
        return fx_make(sy != (fx_exp(x) < FX_BIAS || kx == FXC_DENORMAL), 0, 0);
    struct xf res = xf_mul(xf_from_fx(y), xf_log2(xf_from_fx(x)));
    return xf_round(e, res);
}

fx80 fx_yl2xp1(struct fx_env *e, fx80 x, fx80 y)
{
    fx80 r;
    enum fx_class kx, ky;
    if (fx_special(e, x, y, true, &r, &kx, &ky))
        return r;
    bool sx = fx_sign(x), sy = fx_sign(y);
    if (kx == FXC_INF) {
        if (sx || ky == FXC_ZERO)
            return fx_invalid(e);
        if (ky == FXC_DENORMAL)
            e->exc |= FX_DE;
        return fx_make(sy, FX_EXP_MAX, 0x8000000000000000ull);
    }
    if (kx == FXC_ZERO) {
        if (ky == FXC_INF)
            return fx_invalid(e);
        if (ky == FXC_DENORMAL)
            e->exc |= FX_DE;
        return fx_make(sx != sy, 0, 0);
    }
    if (ky == FXC_INF) {
        if (kx == FXC_DENORMAL)
            e->exc |= FX_DE;
        return fx_make(sx != sy, FX_EXP_MAX, 0x8000000000000000ull);
    }
    if (kx == FXC_DENORMAL || ky == FXC_DENORMAL)
        e->exc |= FX_DE;
    if (ky == FXC_ZERO)
        return fx_make(sx != sy, 0, 0);
    struct xf one = xf_int(1), xx = xf_from_fx(x);
    /* Outside the documented domain |x| < 1 - sqrt(2)/2 the result is
     * undefined; the x87 computes y * log2(1 + x) as FYL2X would down to
     * x > -1, and returns x itself for x <= -1 (measured). */
    if (sx && fx_exp(x) >= FX_BIAS) {
        e->exc |= FX_PE;
        return x;
    }
    struct xf l;
    if (xx.e < -2)
        l = xf_div(ln_ratio(xx, xf_add(xf_int(2), xx)), xf_ln2());
    else
        l = xf_log2(xf_add(one, xx));
    return xf_round(e, xf_mul(xf_from_fx(y), l));
}

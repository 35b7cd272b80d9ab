/* x87 transcendental instructions in software (cpu/fpu_trans.c): FSIN,
 * FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1, computed with
 * 128-bit significands and rounded once to the register format. */
#ifndef PCVM_FPU_TRANS_H
#define PCVM_FPU_TRANS_H

#include "fpu_float.h"

/* FSIN/FCOS/FPTAN/FSINCOS: |x| >= 2^63 sets *c2 and the operand stays
 * (the caller leaves the stack alone).  fx_sincos returns sin, *cosr the
 * cosine; fx_tan returns tan(x) (FPTAN then pushes 1.0). */
fx80 fx_sin(struct fx_env *e, fx80 x, bool *c2);
fx80 fx_cos(struct fx_env *e, fx80 x, bool *c2);
fx80 fx_sincos(struct fx_env *e, fx80 x, fx80 *cosr, bool *c2);
fx80 fx_tan(struct fx_env *e, fx80 x, bool *c2);
/* FPATAN: arctan(y / x) with the quadrant from the signs. */
fx80 fx_atan2(struct fx_env *e, fx80 y, fx80 x);
/* F2XM1: 2^x - 1 for -1 <= x <= 1. */
fx80 fx_f2xm1(struct fx_env *e, fx80 x);
/* FYL2X: y * log2(x); FYL2XP1: y * log2(x + 1). */
fx80 fx_yl2x(struct fx_env *e, fx80 x, fx80 y);
fx80 fx_yl2xp1(struct fx_env *e, fx80 x, fx80 y);

#endif

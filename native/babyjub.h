/* babyjub.h: Baby Jubjub (EIP-2494) point arithmetic over Fr, for the
 * settlement service's netting check (many scalar multiplications per batch).
 *
 * Curve: a*x^2 + y^2 = 1 + d*x^2*y^2 over BN254's scalar field r,
 * a = 168700, d = 168696 (EIP-2494).  Internally extended twisted Edwards
 * coordinates (X:Y:T:Z), x = X/Z, y = Y/Z, T = XY/Z, with the unified
 * addition law of Hisil-Wong-Carter-Dawson 2008 (complete here because a is
 * a square and d is not, so no input needs a special case).
 *
 * Interface: affine points as 8 limbs (x then y, each 4 little-endian
 * 64-bit limbs, canonical < r, NOT Montgomery); scalars as 4 limbs (any
 * 256-bit value).  Identity = (0, 1).  Not constant time: verification only
 * handles public values.
 */
#ifndef ZKATS_BABYJUB_H
#define ZKATS_BABYJUB_H
#include <stddef.h>
#include <stdint.h>

/* 1 if p is canonical and on the curve, else 0 */
int bjj_on_curve(const uint64_t p[8]);
/* out = p + q (both assumed on the curve) */
void bjj_add(uint64_t out[8], const uint64_t p[8], const uint64_t q[8]);
/* out = k * p */
void bjj_mul(uint64_t out[8], const uint64_t p[8], const uint64_t k[4]);
/* index of the first of n points that is not canonical, not on the curve or
 * whose order does not divide l (= the prime subgroup order, given as 4
 * limbs), or -1 when all pass */
long bjj_check_subgroup(const uint64_t *pts, size_t n, const uint64_t l[4]);
/* out[i] = p[i] + q[i] for n pairs of points (assumed on the curve) */
void bjj_add_pairs(uint64_t *out, const uint64_t *p, const uint64_t *q, size_t n);
/* out = sum k_i * p_i over n points (assumed on the curve) and 256-bit
 * scalars (Straus, 4-bit windows, shared doublings); 0, or -1 when out of
 * memory */
int bjj_lincomb(uint64_t out[8], const uint64_t *pts, const uint64_t *scalars, size_t n);
#endif

/*
 * msm.h - multi-scalar multiplication and batch scalar multiplication for
 * BN254 G1 and G2, multi-threaded with pthreads.
 *
 * Layout (the snarkjs .zkey/.ptau layout): points are affine, Montgomery
 * form, G1 = 8 limbs (x, y), G2 = 16 limbs (x.c0, x.c1, y.c0, y.c1), the
 * all-zero point is infinity; scalars are 4 little-endian limbs in
 * canonical form and must be < r (the Python layer checks); points must be
 * on the curve (validated at load time by g1_check_array/g2_check_array).
 *
 * threads: number of worker threads; 0 means all online cores.
 * Every function returns 0 on success and -1 when memory runs out.
 */
#ifndef ZKATS_MSM_H
#define ZKATS_MSM_H

#include <stddef.h>
#include <stdint.h>

/* out = sum_i scalars[i] * bases[i] (affine, Montgomery; infinity = zeros).
 * Pippenger with signed (Booth) digits; window size chosen from n. */
int msm_g1(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads);
int msm_g2(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads);
/* same with an explicit window size c (1..16); for tests */
int msm_g1_window(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads, int c);
int msm_g2_window(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads, int c);

/* out[i] = scalars[i] * points[i], normalised to affine */
int g1_mul_each(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n, int threads);
int g2_mul_each(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n, int threads);
/* out[i] = scalars[i] * base, from a windowed table of multiples of base */
int g1_fixed_base(uint64_t *out, const uint64_t *base, const uint64_t *scalars, size_t n, int threads);
int g2_fixed_base(uint64_t *out, const uint64_t *base, const uint64_t *scalars, size_t n, int threads);

/* g1_check_array / g2_check_array (curve.h) over blocks on `threads`
 * threads; same result (the index of the first bad point, or -1) */
int64_t g1_check_array_mt(const uint64_t *pts, size_t n, int threads);
int64_t g2_check_array_mt(const uint64_t *pts, size_t n, int subgroup, int threads);

/* the window size msm_g1/msm_g2 use for n points */
int msm_window_size(size_t n);

#endif

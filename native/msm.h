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
 * G2 bases must be in the order-r subgroup (the loaders check it): the MSM
 * splits scalars with the GLV endomorphism (glv.h), which acts as
 * multiplication by LAMBDA only there.  (Scalars below about 2^125 split
 * as k1 = k, k2 = 0, so for them the result is sum k_i P_i for any points
 * of the curve.)
 *
 * threads: number of worker threads; 0 means all online cores.
 * Every function returns 0 on success and -1 when memory runs out.
 */
#ifndef ZKATS_MSM_H
#define ZKATS_MSM_H

#include <stddef.h>
#include <stdint.h>

/* out = sum_i scalars[i] * bases[i] (affine, Montgomery; infinity = zeros).
 * Pippenger with signed (Booth) digits over the GLV halves of the scalars
 * (2n points, 127-bit scalars), batch-affine buckets (eight additions at a
 * time with AVX-512 IFMA where the build targets it, msm_ifma.h); window
 * size and work split chosen from n and the thread count (msm_plan). */
int msm_g1(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads);
int msm_g2(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads);
/* same with an explicit window size c (1..16); for tests */
int msm_g1_window(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads, int c);
int msm_g2_window(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads, int c);
/* same with flags: MSM_NO_GLV (1) runs the plain Pippenger over 254-bit
 * scalars (tests and benchmarks compare both); c = 0 chooses the window */
int msm_g1_opts(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads, int c, int flags);
int msm_g2_opts(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads, int c, int flags);

/* out = sum_i points[i] (affine, Montgomery; infinity allowed): the
 * multi-exponentiation of scalars that are all 1, about one batch-affine
 * addition per point */
int g1_sum(uint64_t *out, const uint64_t *points, size_t n, int threads);
int g2_sum(uint64_t *out, const uint64_t *points, size_t n, int threads);

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

/* the same over the points of two key sections at any alignment: (bases0,
 * scalars0) for n0 points, then (bases1, scalars1) for n1 (the prover's C
 * and H as one multi-exponentiation, read where they are: points not in
 * one aligned array are copied, on every thread, as the scalars are split).
 * release: the sections are read-only file maps whose pages are dropped
 * once read (zk_release_file_pages); 0 for any other memory. */
int msm_g1_sections(uint64_t *out, const uint8_t *bases0, const uint64_t *scalars0, size_t n0,
                    const uint8_t *bases1, const uint64_t *scalars1, size_t n1, int threads,
                    int release);
int msm_g2_sections(uint64_t *out, const uint8_t *bases0, const uint64_t *scalars0, size_t n0,
                    const uint8_t *bases1, const uint64_t *scalars1, size_t n1, int threads,
                    int release);
/* Drops the pages of a read-only file map that lie wholly inside [p, p+n)
 * when release is set (MADV_DONTNEED: the next access reads them from the
 * page cache again).  Only for memory known to be a file map: on anonymous
 * memory it would zero the data. */
void zk_release_file_pages(const void *p, size_t n, int release);
/* the window size msm_g1/msm_g2 use for n points on one thread */
int msm_window_size(size_t n);
/* the plan for npts points with scalars below 2^bits on `threads` threads
 * (G1 cost parameters; G2 uses its own internally): window size *c and the
 * number of chunks each window's points are split in */
void msm_plan(size_t npts, int bits, int threads, int *c, int *nchunks);
/* the same, and whether the windows left over once each thread has had as
 * many (nwin % threads of them, the narrowest) are split between all the
 * threads (*tail = 1) */
void msm_plan_tail(size_t npts, int bits, int threads, int *c, int *nchunks, int *tail);
/* test hook: the IFMA flush's change of form on n 4-limb integers below p
 * (out16 = 16 in mod p, outdiv = in / 16 mod p); -1 without IFMA */
int msm_ifma_form(uint64_t *out16, uint64_t *outdiv, const uint64_t *in, size_t n);

#endif

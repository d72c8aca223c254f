/*
 * gfft.h - group-element kernels for the Groth16 setup (zkats.groth16):
 *
 *  - the inverse FFT "in the exponent" that turns powers of tau
 *    [tau^i]G into Lagrange-basis points [L_i(tau)]G (ptau prepare phase2);
 *  - sparse linear combinations of points (the A/B/C/IC sections of a new
 *    zkey: out[s] = sum_j c_j * base[idx_j] over the entries j of row s);
 *  - batch affine subtraction (the zkey's H-section transcript hash).
 *
 * Points are affine Montgomery limbs (G1 8, G2 16 uint64; all zero =
 * infinity) and are assumed on the curve (callers validate files first).
 * Scalars are canonical 4-limb little-endian integers < r.  Functions
 * return 0, or -1 when memory runs out.  threads <= 0 means all cores.
 */
#ifndef ZKATS_GFFT_H
#define ZKATS_GFFT_H
#include <stddef.h>
#include <stdint.h>

/* In place: pts (n = 2^k points) <- (1/n) * sum_j omega^{-ij} pts[j].
 * tw[k] encodes omega^{-k} and twn[k] omega^{-k}/n for k < n/2 (n >= 2) as
 * 5-word records {k0 lo, k0 hi, k1 lo, k1 hi, flags} with
 * s = (-1)^(flags&1) k0 + (-1)^(flags>>1&1) k1 * lambda mod r, k0, k1 < 2^128,
 * lambda the eigenvalue of the group's endomorphism (G1: beta-map GLV
 * decomposition; G2: psi, lambda = 6x^2) - see zkats.bn254. */
int zs_g1_ifft(uint64_t *pts, size_t n, const uint64_t *tw, const uint64_t *twn, int threads);
int zs_g2_ifft(uint64_t *pts, size_t n, const uint64_t *tw, const uint64_t *twn, int threads);

/* out[s] (n_out affine points) = sum over j in [row_ptr[s], row_ptr[s+1]) of
 * scalars[j] * bases[idx[j]]; the caller guarantees idx[j] < the number of
 * bases.  Coefficients above r/2 are applied as negated small ones.  Works
 * base-major (entries regrouped per base, one signed-window table per base
 * with several large coefficients, per-thread accumulators of n_out points:
 * threads are capped so that these stay under 1 GiB); table entries use
 * the GLV split (glv.h), so G2 bases must lie in the order-r subgroup. */
int zs_g1_sparse_combine(uint64_t *out, size_t n_out, const uint64_t *bases, const int64_t *row_ptr,
                         const uint32_t *idx, const uint64_t *scalars, int threads);
int zs_g2_sparse_combine(uint64_t *out, size_t n_out, const uint64_t *bases, const int64_t *row_ptr,
                         const uint32_t *idx, const uint64_t *scalars, int threads);

/* out[i] = k * pts[i] for one canonical scalar k (GLV split, glv.h: G2
 * points must lie in the order-r subgroup) */
int zs_g1_mul_one(uint64_t *out, const uint64_t *pts, size_t n, const uint64_t *k, int threads);
int zs_g2_mul_one(uint64_t *out, const uint64_t *pts, size_t n, const uint64_t *k, int threads);

/* out[i] = a[i] - b[i] (affine) */
int zs_g1_sub_batch(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
#endif

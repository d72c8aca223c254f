/*
 * ntt.h - radix-2 number-theoretic transform over Fr (BN254's scalar field).
 *
 * Domain: the one snarkjs uses.  w_28 = 5^((r - 1)/2^28) has order 2^28
 * (2^28 is the 2-adicity of r - 1); the root of order 2^k is
 * w_k = w_28^(2^(28-k)).  (arkworks uses 7 as generator: another domain.)
 *
 *   forward:  A[i] = sum_j a[j] w_k^(i j)
 *   inverse:  a[j] = 1/n sum_i A[i] w_k^(-i j)
 *   coset:    evaluation at shift * w_k^i, i.e. forward of a[j] shift^j,
 *             and its inverse.
 *
 * Values are n = 2^k Fr elements (k <= 28) in Montgomery form, natural order
 * in and out, transformed in place.  Implementation: bit-reversal
 * permutation, then iterative Cooley-Tukey (decimation in time) butterflies,
 * the first layers in cache-sized blocks, the later ones two at a time,
 * with lazy reduction (values in [0, 4r) between layers, reduced once at
 * the end: one conditional subtraction per butterfly instead of three);
 * both phases split across `threads` pthreads (<= 0: all cores) for large n.
 * Twiddle tables (n entries, one contiguous run per layer) are cached per
 * size up to 2^20 (32 MiB); larger transforms use the 2^20 table for the
 * layers it covers and running powers for the spans above it.  The inverse is the forward transform followed by
 * reversing a[1..n-1] and scaling by 1/n.
 */
#ifndef ZKATS_NTT_H
#define ZKATS_NTT_H

#include <stddef.h>
#include <stdint.h>
#include "field.h"

#define NTT_MAX_LOG 28

/* r = w_k (Montgomery form), the snarkjs root of unity of order 2^log_n,
 * 0 <= log_n <= 28 (log_n outside that range gives 0) */
void ntt_root_of_unity(fr_t *r, int log_n);
/* In-place transform of n Montgomery-form values.  Returns 0, or -1 if n is
 * not a power of two in [1, 2^28], -2 if memory ran out. */
int ntt_fr(fr_t *a, size_t n, int inverse, int threads);
/* Coset variant: forward evaluates at shift * w^i; inverse undoes it.
 * shift (Montgomery) must be nonzero. */
int ntt_fr_coset(fr_t *a, size_t n, const fr_t *shift, int inverse, int threads);
/* Interpolation on the domain, then evaluation on its coset: the inverse
 * transform followed by the forward coset transform (what the Groth16
 * quotient does to A, B and C), fused without permutation passes: inverse
 * by decimation in frequency, scaling by shift^rev(i)/n (a table cached per
 * size for the first shift asked; another shift builds a temporary one),
 * forward by decimation in time (see ntt.c).  Sizes beyond the twiddle
 * table run as the two transforms with one scaling pass between them. */
int ntt_fr_to_coset(fr_t *a, size_t n, const fr_t *shift, int threads);
/* Largest span (log2, clamped to [1, 20]) served from a twiddle table;
 * spans above it use running powers.  Returns the previous value.  For
 * tests (exercising the on-the-fly path at small sizes); not thread-safe
 * against concurrent transforms' choice of path (both paths are exact). */
int ntt_set_table_max_log(int k);
/* 1 (default): ntt_fr_to_coset runs fused (see ntt.c); 0: as two transforms
 * with a scaling pass between them.  Returns the previous setting.  For
 * tests and measurements (both paths are exact). */
int ntt_set_fused_chain(int on);

#endif

/*
 * prover.h - Groth16 prover kernels over Fr (owned by the prover, H5b).
 *
 * The quotient pipeline as snarkjs (groth16_prove.js) and rapidsnark run it:
 *   A.w, B.w   from the zkey's coefficient section (section 4),
 *   C.w        as their pointwise product,
 *   then, per vector, inverse NTT, scaling by powers of the coset shift,
 *   forward NTT (the NTTs live in the NTT module), and finally
 *   H = A*B - C on the coset, converted out of Montgomery form (the scalars
 *   of the H multi-exponentiation).
 *
 * Layouts: Fr vectors are 4 little-endian uint64 limbs per element.
 * The zkey coefficient entries are 44 bytes each, little-endian:
 *   u32 matrix (0 = A, 1 = B), u32 constraint (row), u32 signal (column),
 *   32-byte value c*R^2 mod r (snarkjs stores c premultiplied by R^2 so that
 *   one Montgomery multiplication with a canonical witness value gives c*w in
 *   Montgomery form).  Entries are read with memcpy (no alignment needed).
 */
#ifndef ZKATS_PROVER_H
#define ZKATS_PROVER_H

#include <stddef.h>
#include <stdint.h>

/* a[row] += coef * w[signal] (m == 0) or b[row] += ... (m == 1), in
 * Montgomery form.  a and b (domain elements each) are zeroed first.
 * witness: n_vars canonical values (< r, checked by the caller).
 * Returns -1 on success, else the index of the first entry with a matrix
 * id > 1, a row >= domain, a signal >= n_vars or a value >= r (nothing else
 * is guaranteed about a and b then). */
int64_t zk_qap_ab(const uint8_t *coeffs, size_t n_coef,
                  const uint64_t *witness, size_t n_vars,
                  uint64_t *a, uint64_t *b, size_t domain);

/* c[i] = a[i] * b[i] (Montgomery), c may alias a or b. */
void zk_fr_mul_pointwise(uint64_t *c, const uint64_t *a, const uint64_t *b, size_t n);

/* v[i] *= g^i for i < n (Montgomery; g_mont is g in Montgomery form). */
void zk_fr_scale_powers(uint64_t *v, size_t n, const uint64_t *g_mont);

/* out[i] = canonical(a[i]*b[i] - c[i]) (inputs in Montgomery form); out may
 * alias any input. */
void zk_fr_join_abc(uint64_t *out, const uint64_t *a, const uint64_t *b,
                    const uint64_t *c, size_t n);

/* Index of the first coefficient entry out of range (matrix id > 1, row >=
 * domain, signal >= n_vars, value >= r), or -1: the checks of zk_qap_ab
 * without computing anything. */
int64_t zk_coeffs_first_bad(const uint8_t *coeffs, size_t n_coef, size_t domain, size_t n_vars);

/* The whole Groth16 prover core in one call: the quotient (zk_qap_ab, C =
 * A*B, inverse NTT and coset NTT of each, H = A*B - C, as above) and the
 * multi-exponentiations
 *   out[0..8)   = sum w_i A_i            (G1, i < n_vars)
 *   out[8..16)  = sum w_i B1_i           (G1)
 *   out[16..32) = sum w_i B2_i           (G2)
 *   out[32..40) = sum w_{n_public+1+i} C_i + sum h_j H_j
 *                 (G1, i < n_vars - n_public - 1, j < domain: the proof
 *                 only needs their sum, computed as one multi-exponentiation)
 * affine Montgomery, all zeros = infinity.  Rows whose base is infinity or
 * whose scalar is zero are skipped (gathered out when they are >= 10%).
 * witness: n_vars canonical values (< r, checked by the caller); the point
 * arrays in the zkey layout (not checked here: the caller verifies the
 * proof), at any alignment: a misaligned section is copied into aligned
 * memory just before its multi-exponentiation and freed after it (C and H
 * are copied together, the others one at a time).  flags: ZK_PROVE_OVERLAP runs the
 * quotient on its own thread beside the A, B1, B2 multi-exponentiations;
 * ZK_PROVE_RELEASE declares coeffs and the point sections a read-only file
 * map whose pages may be dropped (MADV_DONTNEED) once each section has been
 * read, which keeps the key out of the process' resident memory (never set
 * it for anonymous memory: its contents would be lost).  threads: 0 = all
 * cores.
 * seconds[0..5): wall time of the quotient and of the A, B1, B2, C + H
 * multi-exponentiations (with overlap the quotient's runs beside A..B2).
 * Returns 0; -1 when memory ran out; -2 for a bad coefficient entry (its
 * index in *bad_coef); -3 when domain is not a power of two in [2, 2^27]
 * or n_public + 1 > n_vars. */
enum { ZK_PROVE_OVERLAP = 1, ZK_PROVE_RELEASE = 2 };
int zk_groth16_prove_core(const uint8_t *coeffs, size_t n_coef,
                          const uint64_t *witness, size_t n_vars, size_t n_public,
                          size_t domain,
                          const uint8_t *pts_a, const uint8_t *pts_b1, const uint8_t *pts_b2,
                          const uint8_t *pts_c, const uint8_t *pts_h,
                          uint64_t *out, int threads, int flags, int64_t *bad_coef, double *seconds);

#endif

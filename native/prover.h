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

/* Index of the first element of v (n elements) that is >= r, or -1. */
int64_t zk_fr_first_noncanonical(const uint64_t *v, size_t n);

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

#endif

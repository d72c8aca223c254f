/*
 * curve.h - BN254 G1 and G2.
 *
 *   G1: y^2 = x^3 + 3 over Fq.
 *   G2: y^2 = x^3 + 3/(9+u) over Fq2 (the D-type sextic twist used by
 *       Ethereum's precompiles and snarkjs).
 *
 * The point types and inline formulas come from curve_tmpl.h, instantiated
 * once per group (g1_aff_t, g1_jac_t, g1_xyzz_t, g1_jac_add, ...; the same
 * with g2_).  Below them are the flat entry points Python calls through
 * cffi: every point argument is an array of uint64 limbs holding an affine
 * point in Montgomery form (G1: x, y = 8 limbs; G2: x.c0, x.c1, y.c0, y.c1
 * = 16 limbs), all-zero meaning infinity, and every scalar is 4 canonical
 * little-endian limbs unless stated.  Entry points that take points assume
 * the points are on the curve (callers validate with the *_check_array or
 * *_on_curve functions first).
 *
 * Constants (b in Montgomery form, the psi coefficients, 6x^2) were
 * computed with Python integers / py_ecc and are re-checked by
 * tests/test_native_curve.py.
 */
#ifndef ZKATS_CURVE_H
#define ZKATS_CURVE_H

#include <stddef.h>
#include <stdint.h>
#include "field.h"
#include "fq2.h"

#define ZK_CAT_(a, b) a##b
#define ZK_CAT(a, b) ZK_CAT_(a, b)

/* b = 3 (Montgomery) */
static const fq_t G1_B = {{0x7a17caa950ad28d7ULL, 0x1f6ac17ae15521b9ULL, 0x334bea4e696bd284ULL, 0x2a1f6744ce179d8eULL}};
/* b' = 3/(9+u) (Montgomery) */
static const fq2_t G2_B = {
    {{0x3bf938e377b802a8ULL, 0x020b1b273633535dULL, 0x26b7edf049755260ULL, 0x2514c6324384a86dULL}},
    {{0x38e7ecccd1dcff67ULL, 0x65f0b37d93ce0d3eULL, 0xd749d0dd22ac00aaULL, 0x0141b9ce4a688d4dULL}}};

#define CURVE g1
#define FIELD fq
#define FE fq_t
#define CURVE_B (&G1_B)
#include "curve_tmpl.h"
#undef CURVE
#undef FIELD
#undef FE
#undef CURVE_B

#define CURVE g2
#define FIELD fq2
#define FE fq2_t
#define CURVE_B (&G2_B)
#include "curve_tmpl.h"
#undef CURVE
#undef FIELD
#undef FE
#undef CURVE_B

/* psi = untwist o Frobenius o twist on G2:
 *   psi(x, y) = (conj(x) * xi^((q-1)/3), conj(y) * xi^((q-1)/2)), xi = 9 + u */
void g2_psi(g2_aff_t *r, const g2_aff_t *p);
/* 1 if p (on the twist) is in the order-r subgroup: psi(p) == [6x^2]p
 * (Scott 2021; El Housni-Guillevic-Piellard 2022, for BN curves). */
int g2_in_subgroup(const g2_aff_t *p);

/* ---- flat API (cffi) ------------------------------------------------------- */

int g1_on_curve_affine(const uint64_t *p);
void g1_neg_affine(uint64_t *r, const uint64_t *p);
void g1_add_affine(uint64_t *r, const uint64_t *p, const uint64_t *q);
void g1_double_affine(uint64_t *r, const uint64_t *p);
/* r = k*p, k little-endian with nlimbs limbs (need not be reduced) */
void g1_mul_affine(uint64_t *r, const uint64_t *p, const uint64_t *k, int nlimbs);

int g2_on_curve_affine(const uint64_t *p);
int g2_in_subgroup_affine(const uint64_t *p);
void g2_neg_affine(uint64_t *r, const uint64_t *p);
void g2_add_affine(uint64_t *r, const uint64_t *p, const uint64_t *q);
void g2_double_affine(uint64_t *r, const uint64_t *p);
void g2_mul_affine(uint64_t *r, const uint64_t *p, const uint64_t *k, int nlimbs);
void g2_psi_affine(uint64_t *r, const uint64_t *p);

/* Validators for loaded files: index of the first point whose coordinates
 * are not canonical (< q) or that is not on the curve (G2: or, when
 * subgroup != 0, not in the subgroup); -1 if all are good.  The all-zero
 * point (infinity) is accepted. */
int64_t g1_check_array(const uint64_t *pts, size_t n);
int64_t g2_check_array(const uint64_t *pts, size_t n, int subgroup);
/* index of the first 4-limb value >= q (resp. >= r), or -1 */
int64_t zk_fq_check_canonical(const uint64_t *a, size_t n);
int64_t zk_fr_check_canonical(const uint64_t *a, size_t n);

#endif

/*
 * tower.h - the BN254 extension tower above Fq2 (see fq2.h):
 *
 *   Fq6  = Fq2[v] / (v^3 - xi),  xi = 9 + u     element c0 + c1 v + c2 v^2
 *   Fq12 = Fq6[w] / (w^2 - v)                    element c0 + c1 w
 *
 * as Ethereum, snarkjs (ffjavascript) and arkworks define them.  In memory an
 * Fq12 is 12 Montgomery-form Fq elements in the order
 *   c0.c0.c0, c0.c0.c1, c0.c1.c0, c0.c1.c1, c0.c2.c0, c0.c2.c1,
 *   c1.c0.c0, c1.c0.c1, c1.c1.c0, c1.c1.c1, c1.c2.c0, c1.c2.c1
 * i.e. the Fq2 coefficient g_k of w^k (k = 2i + j for cj.ci) sits at
 * position j*3 + i.  Since w^6 = xi, the same element in py_ecc's
 * Fq[w]/(w^12 - 18 w^6 + 82) has, for g_k = x + y u, x - 9y at w^k and y at
 * w^(k+6) (u = w^6 - 9).
 *
 * Every function allows its output to alias its inputs.  Frobenius
 * coefficients xi^(k (q^n - 1)/6) are computed once from the modulus at
 * first use (tower_init, thread-safe).
 */
#ifndef ZKATS_TOWER_H
#define ZKATS_TOWER_H

#include "fq2.h"

typedef struct { fq2_t c0, c1, c2; } fq6_t;
typedef struct { fq6_t c0, c1; } fq12_t;

/* ---- Fq6, small inline operations --------------------------------------- */

static inline void fq6_set_zero(fq6_t *r) { fq2_set_zero(&r->c0); fq2_set_zero(&r->c1); fq2_set_zero(&r->c2); }
static inline void fq6_set_one(fq6_t *r) { fq2_set_one(&r->c0); fq2_set_zero(&r->c1); fq2_set_zero(&r->c2); }
static inline int fq6_is_zero(const fq6_t *a) { return fq2_is_zero(&a->c0) && fq2_is_zero(&a->c1) && fq2_is_zero(&a->c2); }
static inline int fq6_eq(const fq6_t *a, const fq6_t *b) {
    return fq2_eq(&a->c0, &b->c0) && fq2_eq(&a->c1, &b->c1) && fq2_eq(&a->c2, &b->c2);
}
static inline void fq6_add(fq6_t *r, const fq6_t *a, const fq6_t *b) {
    fq2_add(&r->c0, &a->c0, &b->c0); fq2_add(&r->c1, &a->c1, &b->c1); fq2_add(&r->c2, &a->c2, &b->c2);
}
static inline void fq6_sub(fq6_t *r, const fq6_t *a, const fq6_t *b) {
    fq2_sub(&r->c0, &a->c0, &b->c0); fq2_sub(&r->c1, &a->c1, &b->c1); fq2_sub(&r->c2, &a->c2, &b->c2);
}
static inline void fq6_neg(fq6_t *r, const fq6_t *a) {
    fq2_neg(&r->c0, &a->c0); fq2_neg(&r->c1, &a->c1); fq2_neg(&r->c2, &a->c2);
}
static inline void fq6_dbl(fq6_t *r, const fq6_t *a) {
    fq2_dbl(&r->c0, &a->c0); fq2_dbl(&r->c1, &a->c1); fq2_dbl(&r->c2, &a->c2);
}
/* r = a * v:  (c0, c1, c2) -> (xi c2, c0, c1) */
static inline void fq6_mul_by_v(fq6_t *r, const fq6_t *a) {
    fq2_t t;
    fq2_mul_by_nonresidue(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}
static inline void fq6_mul_by_fq2(fq6_t *r, const fq6_t *a, const fq2_t *k) {
    fq2_mul(&r->c0, &a->c0, k); fq2_mul(&r->c1, &a->c1, k); fq2_mul(&r->c2, &a->c2, k);
}

/* ---- Fq12, small inline operations -------------------------------------- */

static inline void fq12_set_one(fq12_t *r) { fq6_set_one(&r->c0); fq6_set_zero(&r->c1); }
static inline void fq12_set_zero(fq12_t *r) { fq6_set_zero(&r->c0); fq6_set_zero(&r->c1); }
static inline int fq12_eq(const fq12_t *a, const fq12_t *b) { return fq6_eq(&a->c0, &b->c0) && fq6_eq(&a->c1, &b->c1); }
static inline int fq12_is_one(const fq12_t *a) {
    fq12_t one;
    fq12_set_one(&one);
    return fq12_eq(a, &one);
}
/* conjugation c0 - c1 w = a^(q^6); the inverse on the cyclotomic subgroup */
static inline void fq12_conj(fq12_t *r, const fq12_t *a) {
    r->c0 = a->c0;
    fq6_neg(&r->c1, &a->c1);
}

/* ---- out of line (tower.c) ---------------------------------------------- */

void tower_init(void);

void fq6_mul(fq6_t *r, const fq6_t *a, const fq6_t *b);
void fq6_sqr(fq6_t *r, const fq6_t *a);
void fq6_inv(fq6_t *r, const fq6_t *a); /* inverse of zero is zero */
/* r = a * (b0 + b1 v) */
void fq6_mul_by_01(fq6_t *r, const fq6_t *a, const fq2_t *b0, const fq2_t *b1);

void fq12_mul(fq12_t *r, const fq12_t *a, const fq12_t *b);
void fq12_sqr(fq12_t *r, const fq12_t *a);
void fq12_inv(fq12_t *r, const fq12_t *a); /* inverse of zero is zero */
/* r = a^(q^n) for n = 0..11 (n is reduced mod 12) */
void fq12_frobenius(fq12_t *r, const fq12_t *a, int n);
/* r = a^2, valid only for a in the cyclotomic subgroup (a^(q^4 - q^2 + 1)
 * has order dividing q^4 - q^2 + 1, e.g. any value after the easy part of
 * the final exponentiation); Granger-Scott, 6 Fq2 squarings */
void fq12_cyclotomic_sqr(fq12_t *r, const fq12_t *a);
/* r = a^e, little-endian exponent of nlimbs 64-bit limbs (generic) */
void fq12_pow(fq12_t *r, const fq12_t *a, const uint64_t *e, int nlimbs);
/* r = a * (c0 + c3 w + c4 w^3), the shape of a D-twist line:
 * c0 at position 0 (c0.c0), c3 at c1.c0, c4 at c1.c1 */
void fq12_mul_by_034(fq12_t *r, const fq12_t *a, const fq2_t *c0, const fq2_t *c3, const fq2_t *c4);

/* Frobenius constants (valid after tower_init):
 * tower_frob_gamma[n][k] = xi^(k (q^n - 1) / 6), n = 1..3, k = 0..5;
 * the coefficient of w^k picks up this factor under a -> a^(q^n). */
extern fq2_t tower_frob_gamma[4][6];

#endif

/*
 * fq2.h - quadratic extension Fq2 = Fq[u]/(u^2 + 1) of the BN254 base field.
 *
 * An element c0 + c1*u is stored as two Montgomery-form Fq elements
 * (see field.h), c0 first: the layout Ethereum, snarkjs and arkworks use.
 * The sextic twist of G2 and the tower Fq6 = Fq2[v]/(v^3 - xi) use the
 * non-residue xi = 9 + u; fq2_mul_by_nonresidue multiplies by it.
 *
 * Every function tolerates aliasing of its output with any input.
 * The small operations are static inline; inversion, square root and
 * exponentiation are out of line in fq2.c.  This API is stable: G2
 * (g2.h) and the tower (tower.h) build on it.
 */
#ifndef ZKATS_FQ2_H
#define ZKATS_FQ2_H

#include "field.h"

typedef struct { fq_t c0, c1; } fq2_t;

static inline void fq2_set_zero(fq2_t *r) { fq_set_zero(&r->c0); fq_set_zero(&r->c1); }
static inline void fq2_set_one(fq2_t *r) { fq_set_one(&r->c0); fq_set_zero(&r->c1); }
static inline int fq2_is_zero(const fq2_t *a) { return fq_is_zero(&a->c0) && fq_is_zero(&a->c1); }
static inline int fq2_is_one(const fq2_t *a) { return fq_is_one(&a->c0) && fq_is_zero(&a->c1); }
static inline int fq2_eq(const fq2_t *a, const fq2_t *b) { return fq_eq(&a->c0, &b->c0) && fq_eq(&a->c1, &b->c1); }

static inline void fq2_add(fq2_t *r, const fq2_t *a, const fq2_t *b) {
    fq_add(&r->c0, &a->c0, &b->c0);
    fq_add(&r->c1, &a->c1, &b->c1);
}

static inline void fq2_sub(fq2_t *r, const fq2_t *a, const fq2_t *b) {
    fq_sub(&r->c0, &a->c0, &b->c0);
    fq_sub(&r->c1, &a->c1, &b->c1);
}

static inline void fq2_neg(fq2_t *r, const fq2_t *a) {
    fq_neg(&r->c0, &a->c0);
    fq_neg(&r->c1, &a->c1);
}

static inline void fq2_dbl(fq2_t *r, const fq2_t *a) {
    fq_dbl(&r->c0, &a->c0);
    fq_dbl(&r->c1, &a->c1);
}

/* conjugate c0 - c1*u; this is also the q-power Frobenius of Fq2 */
static inline void fq2_conj(fq2_t *r, const fq2_t *a) {
    r->c0 = a->c0;
    fq_neg(&r->c1, &a->c1);
}

/* Karatsuba: 3 Fq multiplications */
static inline void fq2_mul(fq2_t *r, const fq2_t *a, const fq2_t *b) {
    fq_t v0, v1, s, t;
    fq_mul(&v0, &a->c0, &b->c0);
    fq_mul(&v1, &a->c1, &b->c1);
    fq_add(&s, &a->c0, &a->c1);
    fq_add(&t, &b->c0, &b->c1);
    fq_mul(&s, &s, &t);
    fq_sub(&s, &s, &v0);
    fq_sub(&r->c1, &s, &v1);
    fq_sub(&r->c0, &v0, &v1);
}

/* the lazy forms of field.h (F_mul_lazy, F_reduce) for code written for
 * both fields (msm_impl.h): in Fq2 the products are always reduced */
static inline void fq2_mul_lazy(fq2_t *r, const fq2_t *a, const fq2_t *b) { fq2_mul(r, a, b); }
static inline void fq2_reduce(fq2_t *r, const fq2_t *a) { *r = *a; }

/* complex squaring: (c0 + c1)(c0 - c1) + 2 c0 c1 u, 2 Fq multiplications */
static inline void fq2_sqr(fq2_t *r, const fq2_t *a) {
    fq_t s, d, m;
    fq_add(&s, &a->c0, &a->c1);
    fq_sub(&d, &a->c0, &a->c1);
    fq_mul(&m, &a->c0, &a->c1);
    fq_mul(&r->c0, &s, &d);
    fq_dbl(&r->c1, &m);
}

/* r = a * k for k in Fq */
static inline void fq2_mul_by_fq(fq2_t *r, const fq2_t *a, const fq_t *k) {
    fq_mul(&r->c0, &a->c0, k);
    fq_mul(&r->c1, &a->c1, k);
}

/* r = a * xi, xi = 9 + u:  (9 c0 - c1) + (c0 + 9 c1) u, additions only */
static inline void fq2_mul_by_nonresidue(fq2_t *r, const fq2_t *a) {
    fq_t t0, t1, e0, e1;
    /* 8x by three doublings, plus one more copy = 9x */
    fq_dbl(&t0, &a->c0); fq_dbl(&t0, &t0); fq_dbl(&t0, &t0); fq_add(&t0, &t0, &a->c0);
    fq_dbl(&t1, &a->c1); fq_dbl(&t1, &t1); fq_dbl(&t1, &t1); fq_add(&t1, &t1, &a->c1);
    fq_sub(&e0, &t0, &a->c1);
    fq_add(&e1, &a->c0, &t1);
    r->c0 = e0;
    r->c1 = e1;
}

/* ---- out of line (fq2.c) ---------------------------------------------- */

/* r = a^-1; the inverse of zero is zero */
void fq2_inv(fq2_t *r, const fq2_t *a);
/* r = a^e for a little-endian exponent of nlimbs 64-bit limbs */
void fq2_pow(fq2_t *r, const fq2_t *a, const uint64_t *e, int nlimbs);
/* Square root: returns 1 and sets r with r^2 == a if a is a square in Fq2
 * (r is one of the two roots; callers choose the sign they need), else
 * returns 0 and leaves r untouched. */
int fq2_sqrt(fq2_t *r, const fq2_t *a);
/* 1 if a is a square in Fq2 (zero counts as a square), else 0 */
int fq2_is_square(const fq2_t *a);

#endif

/* tower.c - Fq6 and Fq12 arithmetic for BN254 (see tower.h). */
#include <pthread.h>
#include "tower.h"

fq2_t tower_frob_gamma[4][6];

static void tower_init_once(void) {
    /* e = (q - 1) / 6, by one-limb long division of q - 1 */
    uint64_t qm1[4], e[4];
    const uint64_t one[4] = {1, 0, 0, 0};
    limbs_sub(qm1, FQ_P, one);
    u128 rem = 0;
    for (int i = 3; i >= 0; i--) {
        u128 cur = (rem << 64) | qm1[i];
        e[i] = (uint64_t)(cur / 6);
        rem = cur % 6;
    }
    /* rem == 0 because q = 1 mod 6 (checked by the tests through the
     * Frobenius maps against plain exponentiation) */
    fq2_t xi, g;
    fq2_set_one(&xi);
    fq2_mul_by_nonresidue(&xi, &xi); /* xi = 9 + u */
    fq2_pow(&g, &xi, e, 4);
    for (int n = 0; n < 4; n++) fq2_set_one(&tower_frob_gamma[n][0]);
    for (int k = 1; k < 6; k++) fq2_mul(&tower_frob_gamma[1][k], &tower_frob_gamma[1][k - 1], &g);
    for (int k = 1; k < 6; k++) {
        fq2_t c;
        fq2_conj(&c, &tower_frob_gamma[1][k]);
        fq2_mul(&tower_frob_gamma[2][k], &tower_frob_gamma[1][k], &c);   /* ^(1+q) */
        fq2_mul(&tower_frob_gamma[3][k], &tower_frob_gamma[2][k], &tower_frob_gamma[1][k]); /* ^(1+q+q^2) */
    }
}

static pthread_once_t tower_once = PTHREAD_ONCE_INIT;
void tower_init(void) { pthread_once(&tower_once, tower_init_once); }

/* ---- Fq6 ----------------------------------------------------------------- */

void fq6_mul(fq6_t *r, const fq6_t *a, const fq6_t *b) {
    /* Karatsuba over three coefficients: 6 Fq2 multiplications */
    fq2_t v0, v1, v2, s, t, c0, c1, c2;
    fq2_mul(&v0, &a->c0, &b->c0);
    fq2_mul(&v1, &a->c1, &b->c1);
    fq2_mul(&v2, &a->c2, &b->c2);
    /* c0 = v0 + xi((a1 + a2)(b1 + b2) - v1 - v2) */
    fq2_add(&s, &a->c1, &a->c2);
    fq2_add(&t, &b->c1, &b->c2);
    fq2_mul(&s, &s, &t);
    fq2_sub(&s, &s, &v1);
    fq2_sub(&s, &s, &v2);
    fq2_mul_by_nonresidue(&s, &s);
    fq2_add(&c0, &s, &v0);
    /* c1 = (a0 + a1)(b0 + b1) - v0 - v1 + xi v2 */
    fq2_add(&s, &a->c0, &a->c1);
    fq2_add(&t, &b->c0, &b->c1);
    fq2_mul(&s, &s, &t);
    fq2_sub(&s, &s, &v0);
    fq2_sub(&s, &s, &v1);
    fq2_mul_by_nonresidue(&t, &v2);
    fq2_add(&c1, &s, &t);
    /* c2 = (a0 + a2)(b0 + b2) - v0 - v2 + v1 */
    fq2_add(&s, &a->c0, &a->c2);
    fq2_add(&t, &b->c0, &b->c2);
    fq2_mul(&s, &s, &t);
    fq2_sub(&s, &s, &v0);
    fq2_sub(&s, &s, &v2);
    fq2_add(&c2, &s, &v1);
    r->c0 = c0; r->c1 = c1; r->c2 = c2;
}

void fq6_sqr(fq6_t *r, const fq6_t *a) {
    /* Chung-Hasan SQR2: 3 multiplications and 2 squarings in Fq2 */
    fq2_t s0, s1, s2, s3, s4, t;
    fq2_sqr(&s0, &a->c0);
    fq2_mul(&s1, &a->c0, &a->c1);
    fq2_dbl(&s1, &s1);
    fq2_sub(&t, &a->c0, &a->c1);
    fq2_add(&t, &t, &a->c2);
    fq2_sqr(&s2, &t);
    fq2_mul(&s3, &a->c1, &a->c2);
    fq2_dbl(&s3, &s3);
    fq2_sqr(&s4, &a->c2);
    /* c2 = s1 + s2 + s3 - s0 - s4 */
    fq2_add(&t, &s1, &s2);
    fq2_add(&t, &t, &s3);
    fq2_sub(&t, &t, &s0);
    fq2_sub(&r->c2, &t, &s4);
    /* c0 = s0 + xi s3, c1 = s1 + xi s4 */
    fq2_mul_by_nonresidue(&s3, &s3);
    fq2_add(&r->c0, &s0, &s3);
    fq2_mul_by_nonresidue(&s4, &s4);
    fq2_add(&r->c1, &s1, &s4);
}

void fq6_inv(fq6_t *r, const fq6_t *a) {
    /* adjugate over the norm: t0 = a0^2 - xi a1 a2, t1 = xi a2^2 - a0 a1,
     * t2 = a1^2 - a0 a2, den = a0 t0 + xi (a2 t1 + a1 t2) */
    fq2_t t0, t1, t2, s, den;
    fq2_sqr(&t0, &a->c0);
    fq2_mul(&s, &a->c1, &a->c2);
    fq2_mul_by_nonresidue(&s, &s);
    fq2_sub(&t0, &t0, &s);
    fq2_sqr(&t1, &a->c2);
    fq2_mul_by_nonresidue(&t1, &t1);
    fq2_mul(&s, &a->c0, &a->c1);
    fq2_sub(&t1, &t1, &s);
    fq2_sqr(&t2, &a->c1);
    fq2_mul(&s, &a->c0, &a->c2);
    fq2_sub(&t2, &t2, &s);
    fq2_mul(&den, &a->c2, &t1);
    fq2_mul(&s, &a->c1, &t2);
    fq2_add(&den, &den, &s);
    fq2_mul_by_nonresidue(&den, &den);
    fq2_mul(&s, &a->c0, &t0);
    fq2_add(&den, &den, &s);
    fq2_inv(&den, &den);
    fq2_mul(&r->c0, &t0, &den);
    fq2_mul(&r->c1, &t1, &den);
    fq2_mul(&r->c2, &t2, &den);
}

void fq6_mul_by_01(fq6_t *r, const fq6_t *a, const fq2_t *b0, const fq2_t *b1) {
    /* 5 Fq2 multiplications */
    fq2_t v0, v1, s, t, c0, c1, c2;
    fq2_mul(&v0, &a->c0, b0);
    fq2_mul(&v1, &a->c1, b1);
    /* c0 = v0 + xi a2 b1 */
    fq2_mul(&s, &a->c2, b1);
    fq2_mul_by_nonresidue(&s, &s);
    fq2_add(&c0, &s, &v0);
    /* c1 = (a0 + a1)(b0 + b1) - v0 - v1 */
    fq2_add(&s, &a->c0, &a->c1);
    fq2_add(&t, b0, b1);
    fq2_mul(&s, &s, &t);
    fq2_sub(&s, &s, &v0);
    fq2_sub(&c1, &s, &v1);
    /* c2 = a2 b0 + v1 */
    fq2_mul(&s, &a->c2, b0);
    fq2_add(&c2, &s, &v1);
    r->c0 = c0; r->c1 = c1; r->c2 = c2;
}

/* ---- Fq12 ---------------------------------------------------------------- */

void fq12_mul(fq12_t *r, const fq12_t *a, const fq12_t *b) {
    /* Karatsuba: 3 Fq6 multiplications */
    fq6_t v0, v1, s, t;
    fq6_mul(&v0, &a->c0, &b->c0);
    fq6_mul(&v1, &a->c1, &b->c1);
    fq6_add(&s, &a->c0, &a->c1);
    fq6_add(&t, &b->c0, &b->c1);
    fq6_mul(&s, &s, &t);
    fq6_sub(&s, &s, &v0);
    fq6_sub(&r->c1, &s, &v1);
    fq6_mul_by_v(&v1, &v1);
    fq6_add(&r->c0, &v0, &v1);
}

void fq12_sqr(fq12_t *r, const fq12_t *a) {
    /* complex squaring: ab = a0 a1,
     * c0 = (a0 + a1)(a0 + v a1) - ab - v ab, c1 = 2 ab */
    fq6_t ab, s, t;
    fq6_mul(&ab, &a->c0, &a->c1);
    fq6_add(&s, &a->c0, &a->c1);
    fq6_mul_by_v(&t, &a->c1);
    fq6_add(&t, &t, &a->c0);
    fq6_mul(&s, &s, &t);
    fq6_sub(&s, &s, &ab);
    fq6_mul_by_v(&t, &ab);
    fq6_sub(&r->c0, &s, &t);
    fq6_dbl(&r->c1, &ab);
}

void fq12_inv(fq12_t *r, const fq12_t *a) {
    /* (a0 - a1 w) / (a0^2 - v a1^2) */
    fq6_t t0, t1;
    fq6_sqr(&t0, &a->c0);
    fq6_sqr(&t1, &a->c1);
    fq6_mul_by_v(&t1, &t1);
    fq6_sub(&t0, &t0, &t1);
    fq6_inv(&t0, &t0);
    fq6_mul(&r->c0, &a->c0, &t0);
    fq6_mul(&t1, &a->c1, &t0);
    fq6_neg(&r->c1, &t1);
}

/* coefficient of w^k, k = 0..5 */
static inline fq2_t *coef(fq12_t *a, int k) {
    fq6_t *h = (k & 1) ? &a->c1 : &a->c0;
    return (k >> 1) == 0 ? &h->c0 : (k >> 1) == 1 ? &h->c1 : &h->c2;
}

static void frobenius_123(fq12_t *r, const fq12_t *a, int n) {
    fq12_t t = *a;
    for (int k = 0; k < 6; k++) {
        fq2_t *g = coef(&t, k);
        if (n & 1) fq2_conj(g, g);
        if (k) fq2_mul(g, g, &tower_frob_gamma[n][k]);
    }
    *r = t;
}

void fq12_frobenius(fq12_t *r, const fq12_t *a, int n) {
    tower_init();
    n %= 12;
    if (n < 0) n += 12;
    fq12_t t = *a;
    if (n >= 6) { fq12_conj(&t, &t); n -= 6; }
    while (n > 0) {
        int s = n > 3 ? 3 : n;
        frobenius_123(&t, &t, s);
        n -= s;
    }
    *r = t;
}

void fq12_cyclotomic_sqr(fq12_t *r, const fq12_t *a) {
    /* Granger-Scott.  View a = A + B w + C w^2 over Fq4 = Fq2[s]/(s^2 - xi),
     * s = w^3: A = g0 + g3 s, B = g1 + g4 s, C = g2 + g5 s (g_k the
     * coefficient of w^k).  For a in the cyclotomic subgroup
     *   a^2 = (3A^2 - 2 conj A) + (3 s C^2 + 2 conj B) w + (3B^2 - 2 conj C) w^2
     * where conj negates the s part. */
    fq12_t t = *a;
    fq2_t *g0 = coef(&t, 0), *g1 = coef(&t, 1), *g2 = coef(&t, 2);
    fq2_t *g3 = coef(&t, 3), *g4 = coef(&t, 4), *g5 = coef(&t, 5);
    fq2_t a0, a1, b0, b1, c0, c1, x, y, z;
#define FQ4_SQR(r0, r1, p0, p1)                 \
    do {                                        \
        fq2_sqr(&x, p0);                        \
        fq2_sqr(&y, p1);                        \
        fq2_add(&z, p0, p1);                    \
        fq2_sqr(&z, &z);                        \
        fq2_sub(&z, &z, &x);                    \
        fq2_sub(&r1, &z, &y);                   \
        fq2_mul_by_nonresidue(&y, &y);          \
        fq2_add(&r0, &x, &y);                   \
    } while (0)
    FQ4_SQR(a0, a1, g0, g3); /* A^2 */
    FQ4_SQR(b0, b1, g1, g4); /* B^2 */
    FQ4_SQR(c0, c1, g2, g5); /* C^2 */
#undef FQ4_SQR
    /* 3 v - 2 w = v + 2 (v - w);  3 v + 2 w = v + 2 (v + w) */
#define THREE_MINUS_TWO(out, v, w) do { fq2_sub(&z, &v, w); fq2_dbl(&z, &z); fq2_add(out, &z, &v); } while (0)
#define THREE_PLUS_TWO(out, v, w) do { fq2_add(&z, &v, w); fq2_dbl(&z, &z); fq2_add(out, &z, &v); } while (0)
    /* new A = 3A^2 - 2 conj A */
    THREE_MINUS_TWO(g0, a0, g0);
    THREE_PLUS_TWO(g3, a1, g3);
    /* new C = 3B^2 - 2 conj C */
    THREE_MINUS_TWO(g2, b0, g2);
    THREE_PLUS_TWO(g5, b1, g5);
    /* new B = 3 s C^2 + 2 conj B, s C^2 = xi c1 + c0 s */
    fq2_mul_by_nonresidue(&x, &c1);
    THREE_PLUS_TWO(g1, x, g1);
    THREE_MINUS_TWO(g4, c0, g4);
#undef THREE_MINUS_TWO
#undef THREE_PLUS_TWO
    *r = t;
}

void fq12_pow(fq12_t *r, const fq12_t *a, const uint64_t *e, int nlimbs) {
    fq12_t acc, base = *a;
    fq12_set_one(&acc);
    for (int i = nlimbs - 1; i >= 0; i--) {
        for (int b = 63; b >= 0; b--) {
            fq12_sqr(&acc, &acc);
            if ((e[i] >> b) & 1) fq12_mul(&acc, &acc, &base);
        }
    }
    *r = acc;
}

void fq12_mul_by_034(fq12_t *r, const fq12_t *a, const fq2_t *c0, const fq2_t *c3, const fq2_t *c4) {
    /* line = L0 + L1 w with L0 = c0 (in Fq2), L1 = c3 + c4 v:
     * r.c0 = a0 L0 + v a1 L1,  r.c1 = (a0 + a1)(L0 + L1) - a0 L0 - a1 L1.
     * 13 Fq2 multiplications instead of 54 Fq multiplications' worth. */
    fq6_t x, y, s;
    fq2_t t;
    fq6_mul_by_fq2(&x, &a->c0, c0);
    fq6_mul_by_01(&y, &a->c1, c3, c4);
    fq6_add(&s, &a->c0, &a->c1);
    fq2_add(&t, c0, c3);
    fq6_mul_by_01(&s, &s, &t, c4);
    fq6_sub(&s, &s, &x);
    fq6_sub(&r->c1, &s, &y);
    fq6_mul_by_v(&y, &y);
    fq6_add(&r->c0, &x, &y);
}

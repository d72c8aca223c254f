/* fq2.c - out-of-line Fq2 routines: inversion, exponentiation, square root. */
#include "fq2.h"

void fq2_inv(fq2_t *r, const fq2_t *a) {
    /* (c0 - c1 u) / (c0^2 + c1^2), since u^2 = -1 */
    fq_t n, t;
    fq_sqr(&n, &a->c0);
    fq_sqr(&t, &a->c1);
    fq_add(&n, &n, &t);
    fq_inv(&n, &n); /* zero maps to zero */
    fq_mul(&r->c0, &a->c0, &n);
    fq_mul(&t, &a->c1, &n);
    fq_neg(&r->c1, &t);
}

void fq2_pow(fq2_t *r, const fq2_t *a, const uint64_t *e, int nlimbs) {
    fq2_t acc, base = *a;
    fq2_set_one(&acc);
    for (int i = nlimbs - 1; i >= 0; i--) {
        for (int b = 63; b >= 0; b--) {
            fq2_sqr(&acc, &acc);
            if ((e[i] >> b) & 1) fq2_mul(&acc, &acc, &base);
        }
    }
    *r = acc;
}

int fq2_is_square(const fq2_t *a) {
    /* a is a square in Fq2 iff its norm c0^2 + c1^2 is a square in Fq */
    fq_t n, t;
    fq_sqr(&n, &a->c0);
    fq_sqr(&t, &a->c1);
    fq_add(&n, &n, &t);
    return fq_is_square(&n);
}

/* Square root through the norm (q = 3 mod 4, u^2 = -1):
 *   a1 == 0: sqrt(a0) if a0 is a square in Fq, else sqrt(-a0) * u;
 *   otherwise l = sqrt(a0^2 + a1^2), d = (a0 + l)/2 (or (a0 - l)/2 if that
 *   is not a square), x0 = sqrt(d), x1 = a1 / (2 x0).
 * The result is verified by squaring before it is returned. */
int fq2_sqrt(fq2_t *r, const fq2_t *a) {
    fq2_t x, chk;
    if (fq_is_zero(&a->c1)) {
        fq_t s;
        if (fq_sqrt(&s, &a->c0)) {
            x.c0 = s;
            fq_set_zero(&x.c1);
        } else {
            fq_t na;
            fq_neg(&na, &a->c0);
            if (!fq_sqrt(&s, &na)) return 0;
            fq_set_zero(&x.c0);
            x.c1 = s;
        }
    } else {
        fq_t n, t, l, d, half, x0, x1;
        fq_sqr(&n, &a->c0);
        fq_sqr(&t, &a->c1);
        fq_add(&n, &n, &t);
        if (!fq_sqrt(&l, &n)) return 0;
        /* half = 1/2 */
        fq_set_one(&half);
        fq_dbl(&half, &half);
        fq_inv(&half, &half);
        fq_add(&d, &a->c0, &l);
        fq_mul(&d, &d, &half);
        if (!fq_sqrt(&x0, &d)) {
            fq_sub(&d, &a->c0, &l);
            fq_mul(&d, &d, &half);
            if (!fq_sqrt(&x0, &d)) return 0;
        }
        fq_dbl(&t, &x0);
        fq_inv(&t, &t);
        fq_mul(&x1, &a->c1, &t);
        x.c0 = x0;
        x.c1 = x1;
    }
    fq2_sqr(&chk, &x);
    if (!fq2_eq(&chk, a)) return 0;
    *r = x;
    return 1;
}

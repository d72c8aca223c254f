/* pairing.c - optimal ate pairing for BN254 (see pairing.h). */
#include <pthread.h>
#include <stdlib.h>
#include "pairing.h"
#include "parallel.h"

/* BN parameter x and the ate loop length 6x + 2 (the curve's definition) */
#define BN_X 4965661367192848881ULL

static int8_t ate_naf[80];   /* NAF digits of 6x+2, least significant first */
static int ate_naf_len;
static int8_t x_naf[70];     /* NAF digits of x */
static int x_naf_len;
static fq2_t twist_b3;       /* 3 b' = 9 / xi, b' = 3 / xi */

static int naf(int8_t *d, u128 k) {
    int n = 0;
    while (k) {
        int z = 0;
        if (k & 1) {
            z = 2 - (int)(k & 3); /* +1 or -1 so that k - z = 0 mod 4 */
            k = z > 0 ? k - 1 : k + 1;
        }
        d[n++] = (int8_t)z;
        k >>= 1;
    }
    return n;
}

static void pairing_init_once(void) {
    tower_init();
    ate_naf_len = naf(ate_naf, (u128)6 * BN_X + 2);
    x_naf_len = naf(x_naf, (u128)BN_X);
    fq2_t xi, nine;
    fq2_set_one(&xi);
    fq2_mul_by_nonresidue(&xi, &xi);
    fq2_inv(&xi, &xi);
    fq2_set_zero(&nine);
    fq_set_one(&nine.c0);
    fq_t t = nine.c0;
    for (int i = 0; i < 8; i++) fq_add(&nine.c0, &nine.c0, &t);
    fq2_mul(&twist_b3, &xi, &nine);
}

static pthread_once_t pairing_once = PTHREAD_ONCE_INIT;
static void pairing_init(void) { pthread_once(&pairing_once, pairing_init_once); }

size_t pairing_prepared_size(void) { return sizeof(g2_prepared_t); }

/* a / 2 in Fq: add q when odd, then shift (q < 2^254, so no overflow) */
static inline void fq_half(fq_t *r, const fq_t *a) {
    uint64_t t[4];
    uint64_t mask = (uint64_t)0 - (a->v[0] & 1);
    uint64_t pm[4] = {FQ_P[0] & mask, FQ_P[1] & mask, FQ_P[2] & mask, FQ_P[3] & mask};
    limbs_add(t, a->v, pm);
    r->v[0] = (t[0] >> 1) | (t[1] << 63);
    r->v[1] = (t[1] >> 1) | (t[2] << 63);
    r->v[2] = (t[2] >> 1) | (t[3] << 63);
    r->v[3] = t[3] >> 1;
}
static inline void fq2_half(fq2_t *r, const fq2_t *a) { fq_half(&r->c0, &a->c0); fq_half(&r->c1, &a->c1); }

typedef struct { fq2_t x, y, z; } g2_proj_t;

/* R <- 2R and the tangent line at R (homogeneous projective, a = 0) */
static void doubling_step(g2_proj_t *R, pairing_line_t *l) {
    fq2_t a, b, c, e, f, g, h, i, j, t;
    fq2_mul(&a, &R->x, &R->y);
    fq2_half(&a, &a);              /* a = XY/2 */
    fq2_sqr(&b, &R->y);            /* b = Y^2 */
    fq2_sqr(&c, &R->z);            /* c = Z^2 */
    fq2_mul(&e, &c, &twist_b3);    /* e = 3 b' Z^2 */
    fq2_dbl(&f, &e);
    fq2_add(&f, &f, &e);           /* f = 3e */
    fq2_add(&g, &b, &f);
    fq2_half(&g, &g);              /* g = (b + f)/2 */
    fq2_add(&h, &R->y, &R->z);
    fq2_sqr(&h, &h);
    fq2_sub(&h, &h, &b);
    fq2_sub(&h, &h, &c);           /* h = 2YZ */
    fq2_sub(&i, &e, &b);           /* i = e - b */
    fq2_sqr(&j, &R->x);            /* j = X^2 */
    /* X3 = a (b - f) */
    fq2_sub(&t, &b, &f);
    fq2_mul(&R->x, &a, &t);
    /* Y3 = g^2 - 3 e^2 */
    fq2_sqr(&e, &e);
    fq2_dbl(&t, &e);
    fq2_add(&t, &t, &e);
    fq2_sqr(&g, &g);
    fq2_sub(&R->y, &g, &t);
    /* Z3 = b h */
    fq2_mul(&R->z, &b, &h);
    /* line: -h yP + 3 j xP w + i w^3 */
    fq2_neg(&l->c0, &h);
    fq2_dbl(&l->c3, &j);
    fq2_add(&l->c3, &l->c3, &j);
    l->c4 = i;
}

/* R <- R + Q (Q affine on the twist, R != +-Q) and the line through them */
static void addition_step(g2_proj_t *R, const fq2_t *qx, const fq2_t *qy, pairing_line_t *l) {
    fq2_t theta, lambda, c, d, e, f, g, h, t;
    fq2_mul(&t, qy, &R->z);
    fq2_sub(&theta, &R->y, &t);    /* theta = Y - y2 Z */
    fq2_mul(&t, qx, &R->z);
    fq2_sub(&lambda, &R->x, &t);   /* lambda = X - x2 Z */
    fq2_sqr(&c, &theta);
    fq2_sqr(&d, &lambda);
    fq2_mul(&e, &lambda, &d);
    fq2_mul(&f, &R->z, &c);
    fq2_mul(&g, &R->x, &d);
    fq2_add(&h, &e, &f);
    fq2_sub(&h, &h, &g);
    fq2_sub(&h, &h, &g);           /* h = e + f - 2g */
    fq2_mul(&R->x, &lambda, &h);
    fq2_sub(&t, &g, &h);
    fq2_mul(&t, &theta, &t);
    fq2_mul(&R->y, &e, &R->y);
    fq2_sub(&R->y, &t, &R->y);     /* Y3 = theta (g - h) - e Y */
    fq2_mul(&R->z, &R->z, &e);
    /* line: lambda yP - theta xP w + (theta x2 - lambda y2) w^3 */
    fq2_mul(&t, &theta, qx);
    fq2_mul(&c, &lambda, qy);
    fq2_sub(&l->c4, &t, &c);
    l->c0 = lambda;
    fq2_neg(&l->c3, &theta);
}

static void load_g2(fq2_t *x, fq2_t *y, const uint64_t q[16]) {
    memcpy(x->c0.v, q, 32);
    memcpy(x->c1.v, q + 4, 32);
    memcpy(y->c0.v, q + 8, 32);
    memcpy(y->c1.v, q + 12, 32);
}

static int is_zero_limbs(const uint64_t *a, int n) {
    uint64_t acc = 0;
    for (int i = 0; i < n; i++) acc |= a[i];
    return acc == 0;
}

void pairing_prepare_g2(g2_prepared_t *out, const uint64_t q[16]) {
    pairing_init();
    out->n_lines = 0;
    out->infinity = 0;
    if (is_zero_limbs(q, 16)) {
        out->infinity = 1;
        return;
    }
    fq2_t qx, qy, nqy;
    load_g2(&qx, &qy, q);
    fq2_neg(&nqy, &qy);
    g2_proj_t R;
    R.x = qx;
    R.y = qy;
    fq2_set_one(&R.z);
    int k = 0;
    for (int i = ate_naf_len - 2; i >= 0; i--) {
        doubling_step(&R, &out->lines[k++]);
        if (ate_naf[i] == 1) addition_step(&R, &qx, &qy, &out->lines[k++]);
        else if (ate_naf[i] == -1) addition_step(&R, &qx, &nqy, &out->lines[k++]);
    }
    /* Q1 = pi(Q) = (conj(x) g12, conj(y) g13); -Q2 = -pi^2(Q) = (x g22, y)
     * (g_nk = xi^(k (q^n - 1)/6), and g23 = -1) */
    fq2_t x1, y1, x2;
    fq2_conj(&x1, &qx);
    fq2_mul(&x1, &x1, &tower_frob_gamma[1][2]);
    fq2_conj(&y1, &qy);
    fq2_mul(&y1, &y1, &tower_frob_gamma[1][3]);
    fq2_mul(&x2, &qx, &tower_frob_gamma[2][2]);
    addition_step(&R, &x1, &y1, &out->lines[k++]);
    addition_step(&R, &x2, &qy, &out->lines[k++]);
    out->n_lines = k;
}

static inline void apply_line(fq12_t *f, const pairing_line_t *l, const fq_t *px, const fq_t *py) {
    fq2_t c0, c3;
    fq2_mul_by_fq(&c0, &l->c0, py);
    fq2_mul_by_fq(&c3, &l->c3, px);
    fq12_mul_by_034(f, f, &c0, &c3, &l->c4);
}

void pairing_miller_loop(fq12_t *f, const uint64_t *g1, const g2_prepared_t *q, size_t n) {
    pairing_init();
    fq12_set_one(f);
    /* active pairs: both points finite */
    size_t *act = NULL, na = 0;
    size_t stack_act[16];
    act = n <= 16 ? stack_act : (size_t *)malloc(n * sizeof(size_t));
    if (!act) { fq12_set_zero(f); return; }
    for (size_t i = 0; i < n; i++)
        if (!q[i].infinity && !is_zero_limbs(g1 + 8 * i, 8)) act[na++] = i;
    if (na) {
        int k = 0;
        int first = 1;
        for (int i = ate_naf_len - 2; i >= 0; i--) {
            if (!first) fq12_sqr(f, f);
            first = 0;
            for (size_t a = 0; a < na; a++) {
                const uint64_t *p = g1 + 8 * act[a];
                apply_line(f, &q[act[a]].lines[k], (const fq_t *)p, (const fq_t *)(p + 4));
            }
            k++;
            if (ate_naf[i]) {
                for (size_t a = 0; a < na; a++) {
                    const uint64_t *p = g1 + 8 * act[a];
                    apply_line(f, &q[act[a]].lines[k], (const fq_t *)p, (const fq_t *)(p + 4));
                }
                k++;
            }
        }
        for (int e = 0; e < 2; e++, k++) {
            for (size_t a = 0; a < na; a++) {
                const uint64_t *p = g1 + 8 * act[a];
                apply_line(f, &q[act[a]].lines[k], (const fq_t *)p, (const fq_t *)(p + 4));
            }
        }
    }
    if (act != stack_act) free(act);
}

/* r = a^x for a in the cyclotomic subgroup (NAF of x, conj = inverse) */
static void cyclo_pow_x(fq12_t *r, const fq12_t *a) {
    fq12_t acc, ainv;
    fq12_conj(&ainv, a);
    acc = *a; /* top NAF digit is 1 */
    for (int i = x_naf_len - 2; i >= 0; i--) {
        fq12_cyclotomic_sqr(&acc, &acc);
        if (x_naf[i] == 1) fq12_mul(&acc, &acc, a);
        else if (x_naf[i] == -1) fq12_mul(&acc, &acc, &ainv);
    }
    *r = acc;
}

void pairing_final_exp(fq12_t *r, const fq12_t *f) {
    pairing_init();
    fq12_t m, t;
    /* easy part: m = f^((q^6 - 1)(q^2 + 1)) */
    fq12_inv(&t, f);
    fq12_conj(&m, f);
    fq12_mul(&m, &m, &t);
    fq12_frobenius(&t, &m, 2);
    fq12_mul(&m, &m, &t);
    /* hard part: m^((q^4 - q^2 + 1)/r) exactly, as
     * y0 y1^2 y2^6 y3^12 y4^18 y5^30 y6^36 with (Scott et al., "On the final
     * exponentiation for calculating pairings on ordinary elliptic curves")
     *   y0 = m^(q + q^2 + q^3), y1 = 1/m, y2 = m^(x^2 q^2), y3 = 1/m^(x q),
     *   y4 = 1/(m^x m^(x^2 q)), y5 = 1/m^(x^2), y6 = 1/(m^(x^3) m^(x^3 q)),
     * since (q^4 - q^2 + 1)/r = l0 + l1 q + l2 q^2 + l3 q^3 for the BN
     * polynomials l_i in x.  The addition chain was checked exponent by
     * exponent with Python integers. */
    fq12_t fx, fx2, fx3, y0, y1, y2, y3, y4, y5, y6, t0, t1;
    cyclo_pow_x(&fx, &m);
    cyclo_pow_x(&fx2, &fx);
    cyclo_pow_x(&fx3, &fx2);
    fq12_frobenius(&y0, &m, 1);
    fq12_frobenius(&t, &m, 2);
    fq12_mul(&y0, &y0, &t);
    fq12_frobenius(&t, &m, 3);
    fq12_mul(&y0, &y0, &t);
    fq12_conj(&y1, &m);
    fq12_frobenius(&y2, &fx2, 2);
    fq12_frobenius(&y3, &fx, 1);
    fq12_conj(&y3, &y3);
    fq12_frobenius(&y4, &fx2, 1);
    fq12_mul(&y4, &y4, &fx);
    fq12_conj(&y4, &y4);
    fq12_conj(&y5, &fx2);
    fq12_frobenius(&y6, &fx3, 1);
    fq12_mul(&y6, &y6, &fx3);
    fq12_conj(&y6, &y6);
    fq12_cyclotomic_sqr(&t0, &y6);
    fq12_mul(&t0, &t0, &y4);
    fq12_mul(&t0, &t0, &y5);
    fq12_mul(&t1, &y3, &y5);
    fq12_mul(&t1, &t1, &t0);
    fq12_mul(&t0, &t0, &y2);
    fq12_cyclotomic_sqr(&t1, &t1);
    fq12_mul(&t1, &t1, &t0);
    fq12_cyclotomic_sqr(&t1, &t1);
    fq12_mul(&t0, &t1, &y1);
    fq12_mul(&t1, &t1, &y0);
    fq12_cyclotomic_sqr(&t0, &t0);
    fq12_mul(r, &t0, &t1);
}

void pairing(fq12_t *r, const uint64_t p[8], const uint64_t q[16]) {
    g2_prepared_t *pq = (g2_prepared_t *)malloc(sizeof(g2_prepared_t));
    if (!pq) { fq12_set_zero(r); return; }
    fq12_t f;
    pairing_prepare_g2(pq, q);
    pairing_miller_loop(&f, p, pq, 1);
    pairing_final_exp(r, &f);
    free(pq);
}

int pairing_check_prepared(const uint64_t *g1, const g2_prepared_t *q, size_t n) {
    fq12_t f, r;
    pairing_miller_loop(&f, g1, q, n);
    if (fq12_is_one(&f)) return 1;
    pairing_final_exp(&r, &f);
    return fq12_is_one(&r);
}

int pairing_check(const uint64_t *g1, const uint64_t *g2, size_t n) {
    g2_prepared_t *pq = (g2_prepared_t *)malloc((n ? n : 1) * sizeof(g2_prepared_t));
    if (!pq) return -1;
    for (size_t i = 0; i < n; i++) pairing_prepare_g2(&pq[i], g2 + 16 * i);
    int ok = pairing_check_prepared(g1, pq, n);
    free(pq);
    return ok;
}

/* ---- multi-threaded check: pairs split into chunks, each chunk one shared
 * Miller loop; partial products multiplied, one final exponentiation ---- */

typedef struct {
    const uint64_t *g1, *g2;
    g2_prepared_t *pq;
    fq12_t *partial; /* slot lo holds the product of the chunk starting at lo */
} pc_ctx_t;

static void t_pairs(void *c, size_t lo, size_t hi) {
    pc_ctx_t *x = c;
    for (size_t i = lo; i < hi; i++) pairing_prepare_g2(&x->pq[i], x->g2 + 16 * i);
    pairing_miller_loop(&x->partial[lo], x->g1 + 8 * lo, x->pq + lo, hi - lo);
}

int pairing_check_threads(const uint64_t *g1, const uint64_t *g2, size_t n, int threads) {
    if (n < 8 || par_threads(threads) < 2) return pairing_check(g1, g2, n);
    g2_prepared_t *pq = (g2_prepared_t *)malloc(n * sizeof(g2_prepared_t));
    fq12_t *partial = (fq12_t *)malloc(n * sizeof(fq12_t));
    if (!pq || !partial) { free(pq); free(partial); return -1; }
    for (size_t i = 0; i < n; i++) fq12_set_one(&partial[i]);
    pc_ctx_t c = {g1, g2, pq, partial};
    par_for(n, threads, 2, t_pairs, &c);
    fq12_t f = partial[0], r;
    for (size_t i = 1; i < n; i++) fq12_mul(&f, &f, &partial[i]);
    free(pq);
    free(partial);
    if (fq12_is_one(&f)) return 1;
    pairing_final_exp(&r, &f);
    return fq12_is_one(&r);
}

/* babyjub.c: see babyjub.h.  Field arithmetic from field.h (fr_t, Montgomery). */
#include <stdlib.h>
#include <string.h>

#include "babyjub.h"
#include "field.h"

typedef struct { fr_t x, y, t, z; } bjj_ext;

static fr_t A_M, D_M;          /* a and d in Montgomery form */
static int consts_ready = 0;

static void init_consts(void) {
    if (consts_ready) return;
    uint64_t a[4] = {168700, 0, 0, 0}, d[4] = {168696, 0, 0, 0};
    fr_from_canonical(&A_M, a);
    fr_from_canonical(&D_M, d);
    consts_ready = 1;  /* idempotent: a racing second init writes the same values */
}

static void ext_identity(bjj_ext *r) {
    fr_set_zero(&r->x);
    fr_set_one(&r->y);
    fr_set_zero(&r->t);
    fr_set_one(&r->z);
}

static void ext_from_affine(bjj_ext *r, const uint64_t p[8]) {
    fr_from_canonical(&r->x, p);
    fr_from_canonical(&r->y, p + 4);
    fr_mul(&r->t, &r->x, &r->y);
    fr_set_one(&r->z);
}

static void ext_to_affine(uint64_t out[8], const bjj_ext *p) {
    fr_t zi, x, y;
    fr_inv(&zi, &p->z);          /* z != 0 for every point of the complete law */
    fr_mul(&x, &p->x, &zi);
    fr_mul(&y, &p->y, &zi);
    fr_to_canonical(out, &x);
    fr_to_canonical(out + 4, &y);
}

/* unified addition (add-2008-hwcd with general a) */
static void ext_add(bjj_ext *r, const bjj_ext *p, const bjj_ext *q) {
    fr_t a, b, c, d, e, f, g, h, t1, t2;
    fr_mul(&a, &p->x, &q->x);
    fr_mul(&b, &p->y, &q->y);
    fr_mul(&c, &p->t, &q->t);
    fr_mul(&c, &c, &D_M);
    fr_mul(&d, &p->z, &q->z);
    fr_add(&t1, &p->x, &p->y);
    fr_add(&t2, &q->x, &q->y);
    fr_mul(&e, &t1, &t2);
    fr_sub(&e, &e, &a);
    fr_sub(&e, &e, &b);
    fr_sub(&f, &d, &c);
    fr_add(&g, &d, &c);
    fr_mul(&t1, &A_M, &a);
    fr_sub(&h, &b, &t1);
    fr_mul(&r->x, &e, &f);
    fr_mul(&r->y, &g, &h);
    fr_mul(&r->t, &e, &h);
    fr_mul(&r->z, &f, &g);
}

/* doubling (dbl-2008-hwcd): 4M + 4S + one multiplication by a; complete on
 * this curve (its denominators are 1 +- d x^2 y^2, never 0 when d is not a
 * square) */
static void ext_dbl(bjj_ext *r, const bjj_ext *p) {
    fr_t a, b, c, d, e, f, g, h;
    fr_sqr(&a, &p->x);
    fr_sqr(&b, &p->y);
    fr_sqr(&c, &p->z);
    fr_add(&c, &c, &c);
    fr_mul(&d, &A_M, &a);
    fr_add(&e, &p->x, &p->y);
    fr_sqr(&e, &e);
    fr_sub(&e, &e, &a);
    fr_sub(&e, &e, &b);
    fr_add(&g, &d, &b);
    fr_sub(&f, &g, &c);
    fr_sub(&h, &d, &b);
    fr_mul(&r->x, &e, &f);
    fr_mul(&r->y, &g, &h);
    fr_mul(&r->t, &e, &h);
    fr_mul(&r->z, &f, &g);
}

/* 4-bit window digit w (0 = least significant) of a 256-bit scalar */
static inline unsigned digit4(const uint64_t k[4], int w) {
    return (unsigned)((k[w >> 4] >> (4 * (w & 15))) & 15);
}

static int top_window(const uint64_t k[4]) {
    int top = 63;
    while (top >= 0 && !digit4(k, top)) top--;
    return top;
}

/* table[i] = i * p, i = 0..15 */
static void ext_table(bjj_ext table[16], const bjj_ext *p) {
    ext_identity(&table[0]);
    table[1] = *p;
    for (int i = 2; i < 16; i++) {
        if (i & 1) ext_add(&table[i], &table[i - 1], p);
        else ext_dbl(&table[i], &table[i / 2]);
    }
}

/* r = k * p: fixed 4-bit windows from the top (public scalars only) */
static void ext_mul(bjj_ext *r, const bjj_ext *p, const uint64_t k[4]) {
    bjj_ext table[16], acc;
    ext_identity(&acc);
    int top = top_window(k);
    if (top >= 0) {
        ext_table(table, p);
        acc = table[digit4(k, top)];
        for (int w = top - 1; w >= 0; w--) {
            for (int j = 0; j < 4; j++) ext_dbl(&acc, &acc);
            unsigned d = digit4(k, w);
            if (d) ext_add(&acc, &acc, &table[d]);
        }
    }
    *r = acc;
}

static int ext_is_identity(const bjj_ext *p) {
    return fr_is_zero(&p->x) && fr_eq(&p->y, &p->z);
}

int bjj_on_curve(const uint64_t p[8]) {
    init_consts();
    if (!fr_is_canonical(p) || !fr_is_canonical(p + 4)) return 0;
    fr_t x, y, x2, y2, lhs, rhs, t;
    fr_from_canonical(&x, p);
    fr_from_canonical(&y, p + 4);
    fr_sqr(&x2, &x);
    fr_sqr(&y2, &y);
    fr_mul(&lhs, &A_M, &x2);
    fr_add(&lhs, &lhs, &y2);
    fr_mul(&t, &x2, &y2);
    fr_mul(&t, &t, &D_M);
    fr_set_one(&rhs);
    fr_add(&rhs, &rhs, &t);
    return fr_eq(&lhs, &rhs);
}

void bjj_add(uint64_t out[8], const uint64_t p[8], const uint64_t q[8]) {
    init_consts();
    bjj_ext a, b, r;
    ext_from_affine(&a, p);
    ext_from_affine(&b, q);
    ext_add(&r, &a, &b);
    ext_to_affine(out, &r);
}

void bjj_mul(uint64_t out[8], const uint64_t p[8], const uint64_t k[4]) {
    init_consts();
    bjj_ext a, r;
    ext_from_affine(&a, p);
    ext_mul(&r, &a, k);
    ext_to_affine(out, &r);
}

long bjj_check_subgroup(const uint64_t *pts, size_t n, const uint64_t l[4]) {
    init_consts();
    for (size_t i = 0; i < n; i++) {
        const uint64_t *p = pts + 8 * i;
        if (!bjj_on_curve(p)) return (long)i;
        bjj_ext a, r;
        ext_from_affine(&a, p);
        ext_mul(&r, &a, l);
        if (!ext_is_identity(&r)) return (long)i;
    }
    return -1;
}

void bjj_add_pairs(uint64_t *out, const uint64_t *p, const uint64_t *q, size_t n) {
    init_consts();
    for (size_t i = 0; i < n; i++) {
        bjj_ext a, b, r;
        ext_from_affine(&a, p + 8 * i);
        ext_from_affine(&b, q + 8 * i);
        ext_add(&r, &a, &b);
        ext_to_affine(out + 8 * i, &r);
    }
}

int bjj_lincomb(uint64_t out[8], const uint64_t *pts, const uint64_t *scalars, size_t n) {
    init_consts();
    bjj_ext acc;
    ext_identity(&acc);
    bjj_ext *tables = (bjj_ext *)malloc((n ? n : 1) * 16 * sizeof(bjj_ext));
    if (!tables) return -1;
    int top = -1;
    for (size_t i = 0; i < n; i++) {
        bjj_ext p;
        ext_from_affine(&p, pts + 8 * i);
        ext_table(tables + 16 * i, &p);
        int t = top_window(scalars + 4 * i);
        if (t > top) top = t;
    }
    /* Straus: the doublings are shared by all n terms */
    for (int w = top; w >= 0; w--) {
        if (w != top)
            for (int j = 0; j < 4; j++) ext_dbl(&acc, &acc);
        for (size_t i = 0; i < n; i++) {
            unsigned d = digit4(scalars + 4 * i, w);
            if (d) ext_add(&acc, &acc, &tables[16 * i + d]);
        }
    }
    free(tables);
    ext_to_affine(out, &acc);
    return 0;
}

/*
 * curve_tmpl.h - short Weierstrass curve y^2 = x^3 + b (a = 0) over a field
 * F, instantiated twice by curve.h: G1 over Fq and G2 over Fq2.
 *
 * Parameters (defined by the includer, undefined afterwards):
 *   CURVE   prefix of every name (g1 or g2)
 *   FIELD   prefix of the field operations (fq or fq2)
 *   FE      field element type (fq_t or fq2_t)
 *   CURVE_B pointer to the curve constant b (Montgomery form)
 *
 * Representations (all coordinates Montgomery form):
 *   aff_t   affine (x, y); the point at infinity is x = y = 0, which is not
 *           on the curve because b != 0.  This is the snarkjs file layout.
 *   jac_t   Jacobian (X, Y, Z): x = X/Z^2, y = Y/Z^3; infinity is Z = 0.
 *   xyzz_t  extended Jacobian (X, Y, ZZ, ZZZ) with ZZ^3 = ZZZ^2:
 *           x = X/ZZ, y = Y/ZZZ; infinity is ZZ = 0.  Used for MSM buckets
 *           (mixed addition 8M + 2S).
 * Formulas are the a = 0 cases of the Explicit-Formulas Database:
 *   Jacobian dbl-2009-l, add-2007-bl, madd-2007-bl;
 *   xyzz dbl-2008-s-1, add-2008-s, madd-2008-s, mdbl-2008-s-1.
 * Every addition handles the exceptional cases (either input infinity,
 * P == Q through the doubling formula, P == -Q giving infinity), so callers
 * may add any two points.  Outputs may alias inputs.
 */

#define GF(name) ZK_CAT(CURVE, _##name)
#define FF(op) ZK_CAT(FIELD, _##op)

typedef struct { FE x, y; } GF(aff_t);
typedef struct { FE x, y, z; } GF(jac_t);
typedef struct { FE x, y, zz, zzz; } GF(xyzz_t);

/* ---- affine ------------------------------------------------------------- */

static inline int GF(aff_is_inf)(const GF(aff_t) *p) { return FF(is_zero)(&p->x) && FF(is_zero)(&p->y); }
static inline void GF(aff_set_inf)(GF(aff_t) *p) { FF(set_zero)(&p->x); FF(set_zero)(&p->y); }

static inline void GF(aff_neg)(GF(aff_t) *r, const GF(aff_t) *p) {
    r->x = p->x;
    if (GF(aff_is_inf)(p)) FF(set_zero)(&r->y);
    else FF(neg)(&r->y, &p->y);
}

/* 1 if y^2 == x^3 + b, or the point is the all-zero infinity */
static inline int GF(aff_on_curve)(const GF(aff_t) *p) {
    if (GF(aff_is_inf)(p)) return 1;
    FE l, rr;
    FF(sqr)(&l, &p->y);
    FF(sqr)(&rr, &p->x);
    FF(mul)(&rr, &rr, &p->x);
    FF(add)(&rr, &rr, CURVE_B);
    return FF(eq)(&l, &rr);
}

/* ---- Jacobian ------------------------------------------------------------ */

static inline int GF(jac_is_inf)(const GF(jac_t) *p) { return FF(is_zero)(&p->z); }
static inline void GF(jac_set_inf)(GF(jac_t) *p) {
    FF(set_one)(&p->x); FF(set_one)(&p->y); FF(set_zero)(&p->z);
}

static inline void GF(jac_from_aff)(GF(jac_t) *r, const GF(aff_t) *a) {
    if (GF(aff_is_inf)(a)) { GF(jac_set_inf)(r); return; }
    r->x = a->x; r->y = a->y; FF(set_one)(&r->z);
}

static inline void GF(jac_neg)(GF(jac_t) *r, const GF(jac_t) *p) {
    r->x = p->x; FF(neg)(&r->y, &p->y); r->z = p->z;
}

/* dbl-2009-l: 2M + 5S */
static inline void GF(jac_dbl)(GF(jac_t) *r, const GF(jac_t) *p) {
    if (GF(jac_is_inf)(p)) { *r = *p; return; }
    FE a, b, c, d, e, f, t;
    FF(sqr)(&a, &p->x);
    FF(sqr)(&b, &p->y);
    FF(sqr)(&c, &b);
    FF(add)(&d, &p->x, &b);
    FF(sqr)(&d, &d);
    FF(sub)(&d, &d, &a);
    FF(sub)(&d, &d, &c);
    FF(dbl)(&d, &d);
    FF(dbl)(&e, &a);
    FF(add)(&e, &e, &a);
    FF(sqr)(&f, &e);
    FF(mul)(&t, &p->y, &p->z);     /* before r->y/r->z are written (aliasing) */
    FF(dbl)(&r->z, &t);
    FF(dbl)(&t, &d);
    FF(sub)(&r->x, &f, &t);
    FF(sub)(&t, &d, &r->x);
    FF(mul)(&t, &e, &t);
    FF(dbl)(&c, &c); FF(dbl)(&c, &c); FF(dbl)(&c, &c);
    FF(sub)(&r->y, &t, &c);
}

/* madd-2007-bl: r = p + q with q affine; 7M + 4S */
static inline void GF(jac_madd)(GF(jac_t) *r, const GF(jac_t) *p, const GF(aff_t) *q) {
    if (GF(aff_is_inf)(q)) { *r = *p; return; }
    if (GF(jac_is_inf)(p)) { GF(jac_from_aff)(r, q); return; }
    FE z1z1, u2, s2, h, hh, i, j, rr, v, t;
    FF(sqr)(&z1z1, &p->z);
    FF(mul)(&u2, &q->x, &z1z1);
    FF(mul)(&s2, &q->y, &p->z);
    FF(mul)(&s2, &s2, &z1z1);
    FF(sub)(&h, &u2, &p->x);
    FF(sub)(&rr, &s2, &p->y);
    if (FF(is_zero)(&h)) {
        if (FF(is_zero)(&rr)) { GF(jac_t) t2; GF(jac_from_aff)(&t2, q); GF(jac_dbl)(r, &t2); }
        else GF(jac_set_inf)(r);
        return;
    }
    FF(dbl)(&rr, &rr);
    FF(sqr)(&hh, &h);
    FF(dbl)(&i, &hh); FF(dbl)(&i, &i);
    FF(mul)(&j, &h, &i);
    FF(mul)(&v, &p->x, &i);
    FE z3;
    FF(add)(&z3, &p->z, &h);
    FF(sqr)(&z3, &z3);
    FF(sub)(&z3, &z3, &z1z1);
    FF(sub)(&z3, &z3, &hh);
    FE y1j;
    FF(mul)(&y1j, &p->y, &j);
    FF(dbl)(&y1j, &y1j);
    FE x3;
    FF(sqr)(&x3, &rr);
    FF(sub)(&x3, &x3, &j);
    FF(sub)(&x3, &x3, &v);
    FF(sub)(&x3, &x3, &v);
    FF(sub)(&t, &v, &x3);
    FF(mul)(&t, &rr, &t);
    FF(sub)(&r->y, &t, &y1j);
    r->x = x3;
    r->z = z3;
}

/* add-2007-bl: 11M + 5S */
static inline void GF(jac_add)(GF(jac_t) *r, const GF(jac_t) *p, const GF(jac_t) *q) {
    if (GF(jac_is_inf)(p)) { *r = *q; return; }
    if (GF(jac_is_inf)(q)) { *r = *p; return; }
    FE z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    FF(sqr)(&z1z1, &p->z);
    FF(sqr)(&z2z2, &q->z);
    FF(mul)(&u1, &p->x, &z2z2);
    FF(mul)(&u2, &q->x, &z1z1);
    FF(mul)(&s1, &p->y, &q->z);
    FF(mul)(&s1, &s1, &z2z2);
    FF(mul)(&s2, &q->y, &p->z);
    FF(mul)(&s2, &s2, &z1z1);
    FF(sub)(&h, &u2, &u1);
    FF(sub)(&rr, &s2, &s1);
    if (FF(is_zero)(&h)) {
        if (FF(is_zero)(&rr)) GF(jac_dbl)(r, p);
        else GF(jac_set_inf)(r);
        return;
    }
    FF(dbl)(&rr, &rr);
    FF(dbl)(&i, &h);
    FF(sqr)(&i, &i);
    FF(mul)(&j, &h, &i);
    FF(mul)(&v, &u1, &i);
    FE z3;
    FF(add)(&z3, &p->z, &q->z);
    FF(sqr)(&z3, &z3);
    FF(sub)(&z3, &z3, &z1z1);
    FF(sub)(&z3, &z3, &z2z2);
    FF(mul)(&z3, &z3, &h);
    FE x3;
    FF(sqr)(&x3, &rr);
    FF(sub)(&x3, &x3, &j);
    FF(sub)(&x3, &x3, &v);
    FF(sub)(&x3, &x3, &v);
    FF(mul)(&s1, &s1, &j);
    FF(dbl)(&s1, &s1);
    FF(sub)(&t, &v, &x3);
    FF(mul)(&t, &rr, &t);
    FF(sub)(&r->y, &t, &s1);
    r->x = x3;
    r->z = z3;
}

/* p == q as points (cross-multiplied, no inversion) */
static inline int GF(jac_eq)(const GF(jac_t) *p, const GF(jac_t) *q) {
    int pi = GF(jac_is_inf)(p), qi = GF(jac_is_inf)(q);
    if (pi || qi) return pi && qi;
    FE z1z1, z2z2, a, b;
    FF(sqr)(&z1z1, &p->z);
    FF(sqr)(&z2z2, &q->z);
    FF(mul)(&a, &p->x, &z2z2);
    FF(mul)(&b, &q->x, &z1z1);
    if (!FF(eq)(&a, &b)) return 0;
    FF(mul)(&z1z1, &z1z1, &p->z);
    FF(mul)(&z2z2, &z2z2, &q->z);
    FF(mul)(&a, &p->y, &z2z2);
    FF(mul)(&b, &q->y, &z1z1);
    return FF(eq)(&a, &b);
}

/* one inversion */
static inline void GF(jac_to_aff)(GF(aff_t) *r, const GF(jac_t) *p) {
    if (GF(jac_is_inf)(p)) { GF(aff_set_inf)(r); return; }
    FE zi, zi2, zi3;
    FF(inv)(&zi, &p->z);
    FF(sqr)(&zi2, &zi);
    FF(mul)(&zi3, &zi2, &zi);
    FF(mul)(&r->x, &p->x, &zi2);
    FF(mul)(&r->y, &p->y, &zi3);
}

/* ---- xyzz ------------------------------------------------------------------ */

static inline int GF(xyzz_is_inf)(const GF(xyzz_t) *p) { return FF(is_zero)(&p->zz); }
static inline void GF(xyzz_set_inf)(GF(xyzz_t) *p) {
    FF(set_one)(&p->x); FF(set_one)(&p->y); FF(set_zero)(&p->zz); FF(set_zero)(&p->zzz);
}
static inline void GF(xyzz_from_aff)(GF(xyzz_t) *r, const GF(aff_t) *a) {
    if (GF(aff_is_inf)(a)) { GF(xyzz_set_inf)(r); return; }
    r->x = a->x; r->y = a->y; FF(set_one)(&r->zz); FF(set_one)(&r->zzz);
}

/* mdbl-2008-s-1 of an affine point (a = 0): r = 2q */
static inline void GF(xyzz_dbl_aff)(GF(xyzz_t) *r, const GF(aff_t) *q, int neg) {
    FE u, v, w, s, m, t, y;
    y = q->y;
    if (neg) FF(neg)(&y, &y);
    FF(dbl)(&u, &y);
    FF(sqr)(&v, &u);
    FF(mul)(&w, &u, &v);
    FF(mul)(&s, &q->x, &v);
    FF(sqr)(&m, &q->x);
    FF(dbl)(&t, &m);
    FF(add)(&m, &m, &t);
    FF(sqr)(&r->x, &m);
    FF(sub)(&r->x, &r->x, &s);
    FF(sub)(&r->x, &r->x, &s);
    FF(sub)(&t, &s, &r->x);
    FF(mul)(&t, &m, &t);
    FF(mul)(&w, &w, &y);
    FF(sub)(&r->y, &t, &w);
    FF(sqr)(&r->zz, &u);
    FF(mul)(&r->zzz, &r->zz, &u);
}

/* dbl-2008-s-1 (a = 0): 6M + 3S */
static inline void GF(xyzz_dbl)(GF(xyzz_t) *r, const GF(xyzz_t) *p) {
    if (GF(xyzz_is_inf)(p)) { *r = *p; return; }
    FE u, v, w, s, m, t;
    FF(dbl)(&u, &p->y);
    FF(sqr)(&v, &u);
    FF(mul)(&w, &u, &v);
    FF(mul)(&s, &p->x, &v);
    FF(sqr)(&m, &p->x);
    FF(dbl)(&t, &m);
    FF(add)(&m, &m, &t);
    FF(mul)(&r->zz, &v, &p->zz);
    FF(mul)(&r->zzz, &w, &p->zzz);
    FF(mul)(&w, &w, &p->y);
    FF(sqr)(&r->x, &m);
    FF(sub)(&r->x, &r->x, &s);
    FF(sub)(&r->x, &r->x, &s);
    FF(sub)(&t, &s, &r->x);
    FF(mul)(&t, &m, &t);
    FF(sub)(&r->y, &t, &w);
}

/* madd-2008-s: r = p + (neg ? -q : q), q affine and not infinity; 8M + 2S */
static inline void GF(xyzz_madd)(GF(xyzz_t) *r, const GF(xyzz_t) *p, const GF(aff_t) *q, int neg) {
    if (GF(xyzz_is_inf)(p)) {
        r->x = q->x;
        if (neg) FF(neg)(&r->y, &q->y); else r->y = q->y;
        FF(set_one)(&r->zz); FF(set_one)(&r->zzz);
        return;
    }
    FE pp, ppp, rr, qq, t;
    FF(mul)(&pp, &q->x, &p->zz);
    FF(sub)(&pp, &pp, &p->x);         /* P = X2*ZZ1 - X1 */
    FF(mul)(&rr, &q->y, &p->zzz);
    if (neg) FF(neg)(&rr, &rr);
    FF(sub)(&rr, &rr, &p->y);         /* R = Y2*ZZZ1 - Y1 */
    if (FF(is_zero)(&pp)) {
        if (FF(is_zero)(&rr)) GF(xyzz_dbl_aff)(r, q, neg);
        else GF(xyzz_set_inf)(r);
        return;
    }
    FF(sqr)(&t, &pp);                 /* PP */
    FF(mul)(&ppp, &pp, &t);           /* PPP */
    FF(mul)(&qq, &p->x, &t);          /* Q = X1*PP */
    FF(mul)(&r->zz, &p->zz, &t);
    FF(mul)(&t, &p->y, &ppp);         /* Y1*PPP */
    FF(mul)(&r->zzz, &p->zzz, &ppp);
    FF(sqr)(&r->x, &rr);
    FF(sub)(&r->x, &r->x, &ppp);
    FF(sub)(&r->x, &r->x, &qq);
    FF(sub)(&r->x, &r->x, &qq);
    FF(sub)(&qq, &qq, &r->x);
    FF(mul)(&qq, &rr, &qq);
    FF(sub)(&r->y, &qq, &t);
}

/* add-2008-s: 12M + 2S */
static inline void GF(xyzz_add)(GF(xyzz_t) *r, const GF(xyzz_t) *p, const GF(xyzz_t) *q) {
    if (GF(xyzz_is_inf)(q)) { *r = *p; return; }
    if (GF(xyzz_is_inf)(p)) { *r = *q; return; }
    FE u1, u2, s1, s2, pp, rr, ppp, qq, t;
    FF(mul)(&u1, &p->x, &q->zz);
    FF(mul)(&u2, &q->x, &p->zz);
    FF(mul)(&s1, &p->y, &q->zzz);
    FF(mul)(&s2, &q->y, &p->zzz);
    FF(sub)(&pp, &u2, &u1);
    FF(sub)(&rr, &s2, &s1);
    if (FF(is_zero)(&pp)) {
        if (FF(is_zero)(&rr)) GF(xyzz_dbl)(r, p);
        else GF(xyzz_set_inf)(r);
        return;
    }
    FF(sqr)(&t, &pp);                 /* PP */
    FF(mul)(&ppp, &pp, &t);
    FF(mul)(&qq, &u1, &t);
    FF(mul)(&r->zz, &p->zz, &q->zz);
    FF(mul)(&r->zz, &r->zz, &t);
    FF(mul)(&r->zzz, &p->zzz, &q->zzz);
    FF(mul)(&r->zzz, &r->zzz, &ppp);
    FF(mul)(&s1, &s1, &ppp);
    FF(sqr)(&r->x, &rr);
    FF(sub)(&r->x, &r->x, &ppp);
    FF(sub)(&r->x, &r->x, &qq);
    FF(sub)(&r->x, &r->x, &qq);
    FF(sub)(&qq, &qq, &r->x);
    FF(mul)(&qq, &rr, &qq);
    FF(sub)(&r->y, &qq, &s1);
}

/* xyzz -> Jacobian without inversion: Z = ZZ*ZZZ, X = X*ZZ*ZZZ^2, Y = Y*ZZ^3*ZZZ^2 */
static inline void GF(xyzz_to_jac)(GF(jac_t) *r, const GF(xyzz_t) *p) {
    if (GF(xyzz_is_inf)(p)) { GF(jac_set_inf)(r); return; }
    FE zzz2, zz2, t;
    FF(sqr)(&zzz2, &p->zzz);
    FF(sqr)(&zz2, &p->zz);
    FF(mul)(&r->z, &p->zz, &p->zzz);
    FF(mul)(&t, &p->zz, &zzz2);
    FF(mul)(&r->x, &p->x, &t);
    FF(mul)(&t, &t, &zz2);
    FF(mul)(&r->y, &p->y, &t);
}

/* ---- out of line (curve.c) ------------------------------------------------ */

/* Montgomery's trick: n Jacobian points -> affine (infinity -> all zero) */
void GF(jac_batch_to_aff)(GF(aff_t) *out, const GF(jac_t) *in, size_t n);
/* r = k*p for a little-endian scalar of nlimbs limbs (any size, not reduced);
 * signed 5-bit windows */
void GF(jac_mul)(GF(jac_t) *r, const GF(jac_t) *p, const uint64_t *k, int nlimbs);

#undef GF
#undef FF

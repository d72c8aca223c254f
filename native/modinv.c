/* modinv.c - constant-time safegcd modular inversion; see modinv.h.
 *
 * Numbers are held as five signed 62-bit limbs (value = sum v[i] 2^(62 i)).
 * Invariants (Bernstein & Yang, "Fast constant-time gcd computation and
 * modular inversion", 2019, with the half-delta variant): f is odd, and
 * f = d * x, g = e * x (mod p).  Each round runs 59 divsteps on the low
 * 64 bits of f and g only, collecting them in a 2x2 matrix scaled by 2^62,
 * then applies the matrix to the full f, g (exactly divisible by 2^62) and
 * to d, e (made divisible by adding a multiple of p).  After 590 divsteps
 * g = 0 and f = +-gcd(x, p) = +-1 (or f = +-p for x = 0, where d = 0), so
 * the inverse is +-d, brought into [0, p).  d and e stay in (-2p, p).
 *
 * Nothing branches on, or indexes memory by, the value being inverted;
 * the masks are computed with arithmetic shifts of signed values (GCC and
 * Clang sign-extend). */
#include "modinv.h"

#include <string.h>

#include "field.h"

typedef __int128 i128;
typedef struct { int64_t v[5]; } s62_t;
typedef struct { int64_t u, v, q, r; } mat_t;
typedef struct {
    s62_t p;       /* the modulus in signed-62 form */
    uint64_t pinv; /* p^-1 mod 2^62 */
} modinfo_t;

#define M62 (UINT64_MAX >> 2)

/* values from the moduli with Python integers (re-checked by the tests via the results) */
static const modinfo_t FQ_INFO = {
    {{0x3c208c16d87cfd47LL, 0x1e05aa45a1c72a34LL, 0x05045b68181585d9LL, 0x19139cb84c680a6eLL, 0x30}},
    0x382df87d1b799c77ULL};
static const modinfo_t FR_INFO = {
    {{0x03e1f593f0000001LL, 0x20cfa121e6e5c245LL, 0x05045b68181585d2LL, 0x19139cb84c680a6eLL, 0x30}},
    0x3d1e0a6c10000001ULL};

static inline void s62_from_u256(s62_t *r, const uint64_t a[4]) {
    r->v[0] = (int64_t)(a[0] & M62);
    r->v[1] = (int64_t)(((a[0] >> 62) | (a[1] << 2)) & M62);
    r->v[2] = (int64_t)(((a[1] >> 60) | (a[2] << 4)) & M62);
    r->v[3] = (int64_t)(((a[2] >> 58) | (a[3] << 6)) & M62);
    r->v[4] = (int64_t)(a[3] >> 56);
}

/* r in [0, p) with limbs 0..3 in [0, 2^62) */
static inline void s62_to_u256(uint64_t a[4], const s62_t *r) {
    const uint64_t v0 = (uint64_t)r->v[0], v1 = (uint64_t)r->v[1], v2 = (uint64_t)r->v[2];
    const uint64_t v3 = (uint64_t)r->v[3], v4 = (uint64_t)r->v[4];
    a[0] = v0 | (v1 << 62);
    a[1] = (v1 >> 2) | (v2 << 60);
    a[2] = (v2 >> 4) | (v3 << 58);
    a[3] = (v3 >> 6) | (v4 << 56);
}

/* 59 divsteps on the low bits of f (odd) and g; zeta = -(delta + 1/2).
 * The matrix starts at 8 * identity so that after 59 doublings it is the
 * transition matrix times 2^62.  Entries stay in [-2^62, 2^62]; they are
 * kept as unsigned 64-bit words so that the shifts are defined. */
static int64_t divsteps_59(int64_t zeta, uint64_t f0, uint64_t g0, mat_t *t) {
    uint64_t u = 8, v = 0, q = 0, r = 8;
    uint64_t f = f0, g = g0;
    for (int i = 3; i < 62; i++) {
        /* c1: all ones when zeta < 0 (delta > 0); c2: all ones when g is odd */
        uint64_t c1 = (uint64_t)(zeta >> 63);
        uint64_t c2 = (uint64_t)0 - (g & 1);
        /* x, y, z: f, u, v negated when zeta < 0 */
        uint64_t x = (f ^ c1) - c1, y = (u ^ c1) - c1, z = (v ^ c1) - c1;
        /* g odd: g += x (g - f, or g + f) and the same for the matrix rows */
        g += x & c2;
        q += y & c2;
        r += z & c2;
        /* swap case (zeta < 0 and g odd): f += new g, i.e. f becomes the old g */
        c1 &= c2;
        zeta = (zeta ^ (int64_t)c1) - 1;
        f += g & c1;
        u += q & c1;
        v += r & c1;
        g >>= 1;
        u <<= 1;
        v <<= 1;
    }
    t->u = (int64_t)u;
    t->v = (int64_t)v;
    t->q = (int64_t)q;
    t->r = (int64_t)r;
    return zeta;
}

/* [d, e] = t [d, e] / 2^62 mod p, keeping both in (-2p, p) */
static void update_de(s62_t *d, s62_t *e, const mat_t *t, const modinfo_t *mi) {
    const int64_t u = t->u, v = t->v, q = t->q, r = t->r;
    const int64_t *P = mi->p.v;
    int64_t sd = d->v[4] >> 63, se = e->v[4] >> 63;
    /* md, me: the multiples of p to add; start with the row entries for
     * negative d, e, which keeps the results in range */
    int64_t md = (u & sd) + (v & se), me = (q & sd) + (r & se);
    i128 cd = (i128)u * d->v[0] + (i128)v * e->v[0];
    i128 ce = (i128)q * d->v[0] + (i128)r * e->v[0];
    /* make the low 62 bits of t [d, e] + p [md, me] zero */
    md -= (int64_t)((mi->pinv * (uint64_t)cd + (uint64_t)md) & M62);
    me -= (int64_t)((mi->pinv * (uint64_t)ce + (uint64_t)me) & M62);
    cd += (i128)P[0] * md;
    ce += (i128)P[0] * me;
    cd >>= 62;
    ce >>= 62;
    for (int i = 1; i < 5; i++) {
        cd += (i128)u * d->v[i] + (i128)v * e->v[i] + (i128)P[i] * md;
        ce += (i128)q * d->v[i] + (i128)r * e->v[i] + (i128)P[i] * me;
        d->v[i - 1] = (int64_t)((uint64_t)cd & M62);
        e->v[i - 1] = (int64_t)((uint64_t)ce & M62);
        cd >>= 62;
        ce >>= 62;
    }
    d->v[4] = (int64_t)cd;
    e->v[4] = (int64_t)ce;
}

/* [f, g] = t [f, g] / 2^62 (exact) */
static void update_fg(s62_t *f, s62_t *g, const mat_t *t) {
    const int64_t u = t->u, v = t->v, q = t->q, r = t->r;
    i128 cf = (i128)u * f->v[0] + (i128)v * g->v[0];
    i128 cg = (i128)q * f->v[0] + (i128)r * g->v[0];
    cf >>= 62;
    cg >>= 62;
    for (int i = 1; i < 5; i++) {
        cf += (i128)u * f->v[i] + (i128)v * g->v[i];
        cg += (i128)q * f->v[i] + (i128)r * g->v[i];
        f->v[i - 1] = (int64_t)((uint64_t)cf & M62);
        g->v[i - 1] = (int64_t)((uint64_t)cg & M62);
        cf >>= 62;
        cg >>= 62;
    }
    f->v[4] = (int64_t)cf;
    g->v[4] = (int64_t)cg;
}

/* r in (-2p, p) -> (sign < 0 ? -r : r) mod p in [0, p), limbs normalised */
static void normalize(s62_t *x, int64_t sign, const modinfo_t *mi) {
    const int64_t *P = mi->p.v;
    int64_t r[5];
    memcpy(r, x->v, sizeof r);
    int64_t add = r[4] >> 63; /* r < 0: add p, now in (-p, p) */
    for (int i = 0; i < 5; i++) r[i] += P[i] & add;
    int64_t neg = sign >> 63;
    for (int i = 0; i < 5; i++) r[i] = (r[i] ^ neg) - neg;
    for (int i = 0; i < 4; i++) {
        r[i + 1] += r[i] >> 62;
        r[i] &= (int64_t)M62;
    }
    add = r[4] >> 63; /* still negative: add p again, now in [0, p) */
    for (int i = 0; i < 5; i++) r[i] += P[i] & add;
    for (int i = 0; i < 4; i++) {
        r[i + 1] += r[i] >> 62;
        r[i] &= (int64_t)M62;
    }
    memcpy(x->v, r, sizeof r);
}

static void modinv(uint64_t out[4], const uint64_t in[4], const modinfo_t *mi) {
    s62_t d = {{0, 0, 0, 0, 0}}, e = {{1, 0, 0, 0, 0}}, f = mi->p, g;
    s62_from_u256(&g, in);
    int64_t zeta = -1; /* delta = 1/2 */
    for (int i = 0; i < 10; i++) {
        mat_t t;
        zeta = divsteps_59(zeta, (uint64_t)f.v[0], (uint64_t)g.v[0], &t);
        update_de(&d, &e, &t, mi);
        update_fg(&f, &g, &t);
    }
    /* g = 0 and f = +-1 (the sign is f's top limb's: f = +-1 has it all ones or zero) */
    normalize(&d, f.v[4], mi);
    s62_to_u256(out, &d);
}

void zk_modinv_fq(uint64_t r[4], const uint64_t a[4]) { modinv(r, a, &FQ_INFO); }
void zk_modinv_fr(uint64_t r[4], const uint64_t a[4]) { modinv(r, a, &FR_INFO); }

/*
 * msm_ifma.h - the G1 and G2 batch-affine flush of the MSM (msm_impl.h) on eight
 * lanes with AVX-512 IFMA (vpmadd52luq/vpmadd52huq); compiled only when
 * the compiler targets AVX512F + AVX512IFMA and the ADX path exists, and
 * used only when the portable path is not selected (zk_set_portable), so
 * tests compare it with the scalar flush.
 *
 * Inside the flush, field elements are 5 limbs of 52 bits, one __m512i per
 * limb (eight elements), fully reduced, in Montgomery form with
 * R' = 2^260.  Points and buckets stay in the library's form (4 x 64-bit
 * limbs, R = 2^256): loading converts x*R -> x*R' with one multiplication
 * by 2^264 mod p, storing converts back with one by 2^256 mod p (the
 * Montgomery product divides by R').  Entry k of the batch is lane k % 8
 * of group k / 8; the last group is padded with a dummy addition G + 2G
 * into a scratch bucket.  The eight lanes are eight product chains of
 * Montgomery's trick; their products are inverted together with the
 * scalar field code.
 */
#if defined(__AVX512F__) && defined(__AVX512IFMA__) && ZK_HAVE_ADX && !defined(ZKATS_NO_IFMA)
#include <immintrin.h>
#define MSM_HAVE_IFMA 1

typedef struct { __m512i l[5]; } v8fe;

static const uint64_t IFMA_P[5] = {0x08c16d87cfd47ULL, 0x916871ca8d3c2ULL, 0x181585d97816aULL, 0xa029b85045b68ULL, 0x030644e72e131ULL};
static const uint64_t IFMA_PINV = 0x20782e4866389ULL;            /* -p^-1 mod 2^52 */
static const uint64_t IFMA_ONE[5] = {0x20880f6fce4b4ULL, 0x49baa989a8455ULL, 0x18f014a498908ULL, 0x724f85a9201d8ULL, 0x01f16424e1bb7ULL};  /* 2^260 mod p */
#define IFMA_M52 0xfffffffffffffULL

static inline v8fe v8_const(const uint64_t c[5]) {
    v8fe r;
    for (int i = 0; i < 5; i++) r.l[i] = _mm512_set1_epi64((long long)c[i]);
    return r;
}

/* r < 2p (limbs normalised) -> r mod p */
static inline void v8_reduce_once(v8fe *r) {
    const __m512i m = _mm512_set1_epi64((long long)IFMA_M52);
    __m512i d[5];
    for (int i = 0; i < 5; i++) d[i] = _mm512_sub_epi64(r->l[i], _mm512_set1_epi64((long long)IFMA_P[i]));
    for (int i = 0; i < 4; i++) {
        d[i + 1] = _mm512_add_epi64(d[i + 1], _mm512_srai_epi64(d[i], 52));
        d[i] = _mm512_and_si512(d[i], m);
    }
    __mmask8 neg = _mm512_cmplt_epi64_mask(d[4], _mm512_setzero_si512());
    for (int i = 0; i < 5; i++) r->l[i] = _mm512_mask_blend_epi64(neg, d[i], r->l[i]);
}

/* r = a * b / 2^260 mod p, below 2p, for a, b < 2p (a b + q p < 4 p^2 +
 * 2^260 p, and 4 p < 2^260): the lazy product, for products that only
 * feed other products */
static inline __attribute__((always_inline)) void v8_mul_lazy(v8fe *r, const v8fe *a, const v8fe *b) {
    const __m512i z = _mm512_setzero_si512(), m = _mm512_set1_epi64((long long)IFMA_M52);
    const __m512i pinv = _mm512_set1_epi64((long long)IFMA_PINV);
    __m512i t[10], p[5];
    for (int i = 0; i < 10; i++) t[i] = z;
    for (int i = 0; i < 5; i++) p[i] = _mm512_set1_epi64((long long)IFMA_P[i]);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], a->l[i], b->l[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a->l[i], b->l[j]);
        }
    for (int i = 0; i < 5; i++) {
        __m512i q = _mm512_madd52lo_epu64(z, t[i], pinv);
        for (int j = 0; j < 5; j++) {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], q, p[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], q, p[j]);
        }
        t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64(t[i], 52));
    }
    for (int i = 5; i < 9; i++) {
        t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64(t[i], 52));
        t[i] = _mm512_and_si512(t[i], m);
    }
    for (int i = 0; i < 5; i++) r->l[i] = t[5 + i];
}

/* r = a * b / 2^260 mod p for a, b < 2p, fully reduced */
static inline __attribute__((always_inline)) void v8_mul(v8fe *r, const v8fe *a, const v8fe *b) {
    v8_mul_lazy(r, a, b);
    v8_reduce_once(r);
}

static inline __attribute__((always_inline)) void v8_add(v8fe *r, const v8fe *a, const v8fe *b) {
    const __m512i m = _mm512_set1_epi64((long long)IFMA_M52);
    for (int i = 0; i < 5; i++) r->l[i] = _mm512_add_epi64(a->l[i], b->l[i]);
    for (int i = 0; i < 4; i++) {
        r->l[i + 1] = _mm512_add_epi64(r->l[i + 1], _mm512_srli_epi64(r->l[i], 52));
        r->l[i] = _mm512_and_si512(r->l[i], m);
    }
    v8_reduce_once(r);
}

static inline __attribute__((always_inline)) void v8_sub(v8fe *r, const v8fe *a, const v8fe *b) {
    const __m512i m = _mm512_set1_epi64((long long)IFMA_M52);
    __m512i d[5];
    for (int i = 0; i < 5; i++) d[i] = _mm512_sub_epi64(a->l[i], b->l[i]);
    for (int i = 0; i < 4; i++) {
        d[i + 1] = _mm512_add_epi64(d[i + 1], _mm512_srai_epi64(d[i], 52));
        d[i] = _mm512_and_si512(d[i], m);
    }
    __mmask8 neg = _mm512_cmplt_epi64_mask(d[4], _mm512_setzero_si512());
    for (int i = 0; i < 5; i++)
        d[i] = _mm512_mask_add_epi64(d[i], neg, d[i], _mm512_set1_epi64((long long)IFMA_P[i]));
    for (int i = 0; i < 4; i++) {
        d[i + 1] = _mm512_add_epi64(d[i + 1], _mm512_srai_epi64(d[i], 52));
        d[i] = _mm512_and_si512(d[i], m);
    }
    for (int i = 0; i < 5; i++) r->l[i] = d[i];
}

/* The change of form between the library's R = 2^256 and the lanes'
 * R' = 2^260 is a factor 16 (x R' = 16 x R), so it needs no product:
 * v8_times16 (load) and v8_div16 (store). */

/* r = 16 v mod p for v < p, normalised 52-bit limbs: the shifted value w
 * is below 16 p; q = floor(w4 floor(2^52 / (p4 + 1)) / 2^52), from the
 * top limbs w4 (< 2^50) and p4 of w and p, is at most floor(w / p) and at
 * least one less (the estimate's
 * error is below w4 / 2^52 < 1/4 plus p's lower limbs' share), so w - q p
 * lies in [0, 2p) and one conditional subtraction ends it */
static inline void v8_times16(v8fe *r, const v8fe *v) {
    const __m512i z = _mm512_setzero_si512(), m = _mm512_set1_epi64((long long)IFMA_M52);
    __m512i w[5], lo[5], hi[5];
    w[0] = _mm512_and_si512(_mm512_slli_epi64(v->l[0], 4), m);
    for (int i = 1; i < 5; i++)
        w[i] = _mm512_or_si512(_mm512_and_si512(_mm512_slli_epi64(v->l[i], 4), m),
                               _mm512_srli_epi64(v->l[i - 1], 48));
    /* floor(2^52 / (top limb of p + 1)) */
    const __m512i qest = _mm512_set1_epi64((long long)((1ULL << 52) / (IFMA_P[4] + 1)));
    __m512i q = _mm512_madd52hi_epu64(z, w[4], qest);
    for (int i = 0; i < 5; i++) {
        __m512i pi = _mm512_set1_epi64((long long)IFMA_P[i]);
        lo[i] = _mm512_madd52lo_epu64(z, q, pi);
        hi[i] = _mm512_madd52hi_epu64(z, q, pi);
    }
    r->l[0] = _mm512_sub_epi64(w[0], lo[0]);
    for (int i = 1; i < 5; i++) r->l[i] = _mm512_sub_epi64(_mm512_sub_epi64(w[i], lo[i]), hi[i - 1]);
    for (int i = 0; i < 4; i++) {
        r->l[i + 1] = _mm512_add_epi64(r->l[i + 1], _mm512_srai_epi64(r->l[i], 52));
        r->l[i] = _mm512_and_si512(r->l[i], m);
    }
    v8_reduce_once(r);
}

/* r = x / 16 mod p for x < p, normalised 52-bit limbs: one 4-bit
 * Montgomery step, (x + k p) / 16 with k = -x p^-1 mod 16 (exact, and
 * below p since x + k p < 16 p) */
static inline void v8_div16(v8fe *r, const v8fe *x) {
    const __m512i z = _mm512_setzero_si512(), m = _mm512_set1_epi64((long long)IFMA_M52);
    const __m512i f = _mm512_set1_epi64(15);
    __m512i k = _mm512_and_si512(
        _mm512_madd52lo_epu64(z, _mm512_and_si512(x->l[0], f), _mm512_set1_epi64((long long)(IFMA_PINV & 15))), f);
    /* t = x + k p: limb i gets the low half of k p_i and the high half of k p_(i-1) */
    __m512i t[5], p[5];
    for (int i = 0; i < 5; i++) p[i] = _mm512_set1_epi64((long long)IFMA_P[i]);
    t[0] = _mm512_madd52lo_epu64(x->l[0], k, p[0]);
    for (int i = 1; i < 5; i++) t[i] = _mm512_madd52hi_epu64(_mm512_madd52lo_epu64(x->l[i], k, p[i]), k, p[i - 1]);
    for (int i = 0; i < 4; i++) {
        t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64(t[i], 52));
        t[i] = _mm512_and_si512(t[i], m);
    }
    /* t / 16: its low 4 bits are 0 */
    for (int i = 0; i < 4; i++)
        r->l[i] = _mm512_or_si512(_mm512_srli_epi64(t[i], 4), _mm512_slli_epi64(_mm512_and_si512(t[i + 1], f), 48));
    r->l[4] = _mm512_srli_epi64(t[4], 4);
}

/* eight 4-limb Montgomery (R = 2^256) elements at addresses addr + off ->
 * 52-bit limbs, R' form */
static inline v8fe v8_load(__m512i addr, int off) {
    const __m512i m = _mm512_set1_epi64((long long)IFMA_M52);
    __m512i a = _mm512_add_epi64(addr, _mm512_set1_epi64(off));
    __m512i l0 = _mm512_i64gather_epi64(a, (const void *)0, 1);
    __m512i l1 = _mm512_i64gather_epi64(_mm512_add_epi64(a, _mm512_set1_epi64(8)), (const void *)0, 1);
    __m512i l2 = _mm512_i64gather_epi64(_mm512_add_epi64(a, _mm512_set1_epi64(16)), (const void *)0, 1);
    __m512i l3 = _mm512_i64gather_epi64(_mm512_add_epi64(a, _mm512_set1_epi64(24)), (const void *)0, 1);
    v8fe v, r;
    v.l[0] = _mm512_and_si512(l0, m);
    v.l[1] = _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(l0, 52), _mm512_slli_epi64(l1, 12)), m);
    v.l[2] = _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(l1, 40), _mm512_slli_epi64(l2, 24)), m);
    v.l[3] = _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(l2, 28), _mm512_slli_epi64(l3, 36)), m);
    v.l[4] = _mm512_srli_epi64(l3, 16);
    v8_times16(&r, &v);
    return r;
}

/* the inverse of v8_load: R' form -> R form, scattered to addr + off */
static inline void v8_store(__m512i addr, int off, const v8fe *x) {
    v8fe v;
    v8_div16(&v, x);
    __m512i a = _mm512_add_epi64(addr, _mm512_set1_epi64(off));
    __m512i l0 = _mm512_or_si512(v.l[0], _mm512_slli_epi64(v.l[1], 52));
    __m512i l1 = _mm512_or_si512(_mm512_srli_epi64(v.l[1], 12), _mm512_slli_epi64(v.l[2], 40));
    __m512i l2 = _mm512_or_si512(_mm512_srli_epi64(v.l[2], 24), _mm512_slli_epi64(v.l[3], 28));
    __m512i l3 = _mm512_or_si512(_mm512_srli_epi64(v.l[3], 36), _mm512_slli_epi64(v.l[4], 16));
    _mm512_i64scatter_epi64((void *)0, a, l0, 1);
    _mm512_i64scatter_epi64((void *)0, _mm512_add_epi64(a, _mm512_set1_epi64(8)), l1, 1);
    _mm512_i64scatter_epi64((void *)0, _mm512_add_epi64(a, _mm512_set1_epi64(16)), l2, 1);
    _mm512_i64scatter_epi64((void *)0, _mm512_add_epi64(a, _mm512_set1_epi64(24)), l3, 1);
}

/* 52-bit limbs of lane `lane` <-> a 4-limb integer */
static inline void v8_lane_get(uint64_t out[4], const v8fe *x, int lane) {
    uint64_t l[5];
    for (int i = 0; i < 5; i++) {
        uint64_t tmp[8] __attribute__((aligned(64)));
        _mm512_store_si512((void *)tmp, x->l[i]);
        l[i] = tmp[lane];
    }
    out[0] = l[0] | l[1] << 52;
    out[1] = l[1] >> 12 | l[2] << 40;
    out[2] = l[2] >> 24 | l[3] << 28;
    out[3] = l[3] >> 36 | l[4] << 16;
}

static inline v8fe v8_from_lanes(const uint64_t v[8][4]) {
    const uint64_t M = IFMA_M52;
    uint64_t l[5][8] __attribute__((aligned(64)));
    for (int j = 0; j < 8; j++) {
        l[0][j] = v[j][0] & M;
        l[1][j] = (v[j][0] >> 52 | v[j][1] << 12) & M;
        l[2][j] = (v[j][1] >> 40 | v[j][2] << 24) & M;
        l[3][j] = (v[j][2] >> 28 | v[j][3] << 36) & M;
        l[4][j] = v[j][3] >> 16;
    }
    v8fe r;
    for (int i = 0; i < 5; i++) r.l[i] = _mm512_load_si512((const void *)l[i]);
    return r;
}

/* per-lane inverse of a (no lane zero): the lanes' values a_i R' are the
 * R-form encodings of 16 a_i, so Montgomery's trick with the scalar code
 * gives (16 a_i)^-1 R = a_i^-1 R' / 256; eight doublings fix the factor */
static inline v8fe v8_inv(const v8fe *a) {
    fq_t v[8], pre[8], acc, inv, t;
    for (int j = 0; j < 8; j++) v8_lane_get(v[j].v, a, j);
    fq_set_one(&acc);
    for (int j = 0; j < 8; j++) { pre[j] = acc; fq_mul(&acc, &acc, &v[j]); }
    fq_inv(&inv, &acc);
    uint64_t out[8][4];
    for (int j = 8; j-- > 0;) {
        fq_mul(&t, &inv, &pre[j]);
        fq_mul(&inv, &inv, &v[j]);
        for (int d = 0; d < 8; d++) fq_dbl(&t, &t);
        memcpy(out[j], t.v, 32);
    }
    return v8_from_lanes(out);
}

/* lane-wise select (lanes in m from b, others from a), zero, one (R') */
static inline v8fe v8_blend(__mmask8 m, const v8fe *a, const v8fe *b) {
    v8fe r;
    for (int i = 0; i < 5; i++) r.l[i] = _mm512_mask_blend_epi64(m, a->l[i], b->l[i]);
    return r;
}

static inline v8fe v8_zero(void) {
    v8fe r;
    for (int i = 0; i < 5; i++) r.l[i] = _mm512_setzero_si512();
    return r;
}

static inline v8fe v8_one(void) { return v8_const(IFMA_ONE); }

/* the dummy pair of the padding lanes: G = (1, 2) and 2G, Montgomery form */
static void ifma_gen_g1(g1_aff_t *gp, g1_aff_t *gb) {
    static const uint64_t one[4] = {1, 0, 0, 0}, two[4] = {2, 0, 0, 0};
    fq_from_canonical(&gp->x, one);
    fq_from_canonical(&gp->y, two);
    g1_jac_t j;
    g1_jac_from_aff(&j, gp);
    g1_jac_dbl(&j, &j);
    g1_jac_to_aff(gb, &j);
}

/* ---- G2: the same flush over Fq2 = Fq[u]/(u^2 + 1), component-wise 52-bit
 * limbs (Karatsuba: 3 products per multiplication) ---------------------- */

typedef struct { v8fe c0, c1; } v8fe2;

static inline void v82_add(v8fe2 *r, const v8fe2 *a, const v8fe2 *b) {
    v8_add(&r->c0, &a->c0, &b->c0);
    v8_add(&r->c1, &a->c1, &b->c1);
}

static inline void v82_sub(v8fe2 *r, const v8fe2 *a, const v8fe2 *b) {
    v8_sub(&r->c0, &a->c0, &b->c0);
    v8_sub(&r->c1, &a->c1, &b->c1);
}

/* (a0 + a1 u)(b0 + b1 u) = a0 b0 - a1 b1 + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) u */
static inline void v82_mul(v8fe2 *r, const v8fe2 *a, const v8fe2 *b) {
    v8fe t0, t1, s0, s1, m;
    v8_mul(&t0, &a->c0, &b->c0);
    v8_mul(&t1, &a->c1, &b->c1);
    v8_add(&s0, &a->c0, &a->c1);
    v8_add(&s1, &b->c0, &b->c1);
    v8_mul(&m, &s0, &s1);
    v8_sub(&r->c0, &t0, &t1);
    v8_sub(&m, &m, &t0);
    v8_sub(&r->c1, &m, &t1);
}

static inline v8fe2 v82_load(__m512i addr, int off) {
    v8fe2 r;
    r.c0 = v8_load(addr, off);
    r.c1 = v8_load(addr, off + 32);
    return r;
}

static inline void v82_store(__m512i addr, int off, const v8fe2 *x) {
    v8_store(addr, off, &x->c0);
    v8_store(addr, off + 32, &x->c1);
}

/* per-lane inverse, as v8_inv (both components carry the factor 16) */
static inline v8fe2 v82_inv(const v8fe2 *a) {
    fq2_t v[8], pre[8], acc, inv, t;
    for (int j = 0; j < 8; j++) { v8_lane_get(v[j].c0.v, &a->c0, j); v8_lane_get(v[j].c1.v, &a->c1, j); }
    fq2_set_one(&acc);
    for (int j = 0; j < 8; j++) { pre[j] = acc; fq2_mul(&acc, &acc, &v[j]); }
    fq2_inv(&inv, &acc);
    uint64_t o0[8][4], o1[8][4];
    for (int j = 8; j-- > 0;) {
        fq2_mul(&t, &inv, &pre[j]);
        fq2_mul(&inv, &inv, &v[j]);
        for (int d = 0; d < 8; d++) { fq_dbl(&t.c0, &t.c0); fq_dbl(&t.c1, &t.c1); }
        memcpy(o0[j], t.c0.v, 32);
        memcpy(o1[j], t.c1.v, 32);
    }
    v8fe2 r;
    r.c0 = v8_from_lanes(o0);
    r.c1 = v8_from_lanes(o1);
    return r;
}

static inline v8fe2 v82_blend(__mmask8 m, const v8fe2 *a, const v8fe2 *b) {
    v8fe2 r;
    r.c0 = v8_blend(m, &a->c0, &b->c0);
    r.c1 = v8_blend(m, &a->c1, &b->c1);
    return r;
}

static inline v8fe2 v82_zero(void) {
    v8fe2 r;
    r.c0 = v8_zero();
    r.c1 = v8_zero();
    return r;
}

static inline v8fe2 v82_one(void) {
    v8fe2 r;
    r.c0 = v8_one();
    r.c1 = v8_zero();
    return r;
}

/* the G2 generator (EIP-197) and its double, Montgomery form */
static void ifma_gen_g2(g2_aff_t *gp, g2_aff_t *gb) {
    static const uint64_t gen[4][4] = {
        {0x46debd5cd992f6edULL, 0x674322d4f75edaddULL, 0x426a00665e5c4479ULL, 0x1800deef121f1e76ULL},
        {0x97e485b7aef312c2ULL, 0xf1aa493335a9e712ULL, 0x7260bfb731fb5d25ULL, 0x198e9393920d483aULL},
        {0x4ce6cc0166fa7daaULL, 0xe3d1e7690c43d37bULL, 0x4aab71808dcb408fULL, 0x12c85ea5db8c6debULL},
        {0x55acdadcd122975bULL, 0xbc4b313370b38ef3ULL, 0xec9e99ad690c3395ULL, 0x090689d0585ff075ULL}};
    fq_from_canonical(&gp->x.c0, gen[0]);
    fq_from_canonical(&gp->x.c1, gen[1]);
    fq_from_canonical(&gp->y.c0, gen[2]);
    fq_from_canonical(&gp->y.c1, gen[3]);
    g2_jac_t j;
    g2_jac_from_aff(&j, gp);
    g2_jac_dbl(&j, &j);
    g2_jac_to_aff(gb, &j);
}

/* the flush and reduction-add, written once (msm_ifma_impl.h) for each
 * lane field: G1 over v8fe as ifma_*, G2 over v8fe2 as ifma2_* */
#define IFMA_PFX(n) ifma_##n
#define IFMA_FE v8fe
#define IFMA_AFF g1_aff_t
#define IFMA_YOFF 32
#define IFMA_ADD v8_add
#define IFMA_SUB v8_sub
#define IFMA_MUL v8_mul
#define IFMA_MUL_LAZY v8_mul_lazy
#define IFMA_REDUCE v8_reduce_once
#define IFMA_INV v8_inv
#define IFMA_LOAD v8_load
#define IFMA_STORE v8_store
#define IFMA_BLEND v8_blend
#define IFMA_ZERO v8_zero
#define IFMA_ONE_FE v8_one
#define IFMA_GEN ifma_gen_g1
#include "msm_ifma_impl.h"

#define IFMA_PFX(n) ifma2_##n
#define IFMA_FE v8fe2
#define IFMA_AFF g2_aff_t
#define IFMA_YOFF 64
#define IFMA_ADD v82_add
#define IFMA_SUB v82_sub
#define IFMA_MUL v82_mul
#define IFMA_MUL_LAZY v82_mul
#define IFMA_REDUCE(a) ((void)(a))
#define IFMA_INV v82_inv
#define IFMA_LOAD v82_load
#define IFMA_STORE v82_store
#define IFMA_BLEND v82_blend
#define IFMA_ZERO v82_zero
#define IFMA_ONE_FE v82_one
#define IFMA_GEN ifma_gen_g2
#include "msm_ifma_impl.h"

#endif

/* curve.c - out-of-line G1/G2 routines and the flat cffi entry points. */
#include <stdlib.h>
#include <string.h>
#include "curve.h"
#include "scalar.h"

#define CURVE g1
#define FIELD fq
#define FE fq_t
#include "curve_impl.h"
#undef CURVE
#undef FIELD
#undef FE

#define CURVE g2
#define FIELD fq2
#define FE fq2_t
#include "curve_impl.h"
#undef CURVE
#undef FIELD
#undef FE

/* xi^((q-1)/3) and xi^((q-1)/2), Montgomery form */
static const fq2_t PSI_X = {
    {{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL}},
    {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL}}};
static const fq2_t PSI_Y = {
    {{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL}},
    {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL}}};
/* 6 x^2 for the BN parameter x = 4965661367192848881 (127 bits) */
static const uint64_t SIX_X_SQ[2] = {0xf83e9682e87cfd46ULL, 0x6f4d8248eeb859fbULL};

void g2_psi(g2_aff_t *r, const g2_aff_t *p) {
    if (g2_aff_is_inf(p)) { g2_aff_set_inf(r); return; }
    fq2_t t;
    fq2_conj(&t, &p->x);
    fq2_mul(&r->x, &t, &PSI_X);
    fq2_conj(&t, &p->y);
    fq2_mul(&r->y, &t, &PSI_Y);
}

int g2_in_subgroup(const g2_aff_t *p) {
    if (g2_aff_is_inf(p)) return 1;
    g2_aff_t ps;
    g2_jac_t jp, m, jps;
    g2_psi(&ps, p);
    g2_jac_from_aff(&jp, p);
    g2_jac_mul(&m, &jp, SIX_X_SQ, 2);
    g2_jac_from_aff(&jps, &ps);
    return g2_jac_eq(&m, &jps);
}

/* ---- flat API -------------------------------------------------------------- */

#define ZK_DEFINE_FLAT(G, AFF, JAC)                                                       \
    int G##_on_curve_affine(const uint64_t *p) { return G##_aff_on_curve((const AFF *)p); } \
    void G##_neg_affine(uint64_t *r, const uint64_t *p) { G##_aff_neg((AFF *)r, (const AFF *)p); } \
    void G##_add_affine(uint64_t *r, const uint64_t *p, const uint64_t *q) {              \
        JAC a;                                                                            \
        G##_jac_from_aff(&a, (const AFF *)p);                                             \
        G##_jac_madd(&a, &a, (const AFF *)q);                                             \
        G##_jac_to_aff((AFF *)r, &a);                                                     \
    }                                                                                     \
    void G##_double_affine(uint64_t *r, const uint64_t *p) {                              \
        JAC a;                                                                            \
        G##_jac_from_aff(&a, (const AFF *)p);                                             \
        G##_jac_dbl(&a, &a);                                                              \
        G##_jac_to_aff((AFF *)r, &a);                                                     \
    }                                                                                     \
    void G##_mul_affine(uint64_t *r, const uint64_t *p, const uint64_t *k, int nlimbs) {  \
        JAC a;                                                                            \
        G##_jac_from_aff(&a, (const AFF *)p);                                             \
        G##_jac_mul(&a, &a, k, nlimbs);                                                   \
        G##_jac_to_aff((AFF *)r, &a);                                                     \
    }

ZK_DEFINE_FLAT(g1, g1_aff_t, g1_jac_t)
ZK_DEFINE_FLAT(g2, g2_aff_t, g2_jac_t)

int g2_in_subgroup_affine(const uint64_t *p) { return g2_in_subgroup((const g2_aff_t *)p); }
void g2_psi_affine(uint64_t *r, const uint64_t *p) { g2_psi((g2_aff_t *)r, (const g2_aff_t *)p); }

int64_t zk_fq_check_canonical(const uint64_t *a, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!fq_is_canonical(a + 4 * i)) return (int64_t)i;
    return -1;
}

int64_t zk_fr_check_canonical(const uint64_t *a, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!fr_is_canonical(a + 4 * i)) return (int64_t)i;
    return -1;
}

int64_t g1_check_array(const uint64_t *pts, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const uint64_t *p = pts + 8 * i;
        if (!fq_is_canonical(p) || !fq_is_canonical(p + 4)) return (int64_t)i;
        if (!g1_aff_on_curve((const g1_aff_t *)p)) return (int64_t)i;
    }
    return -1;
}

int64_t g2_check_array(const uint64_t *pts, size_t n, int subgroup) {
    for (size_t i = 0; i < n; i++) {
        const uint64_t *p = pts + 16 * i;
        for (int c = 0; c < 4; c++)
            if (!fq_is_canonical(p + 4 * c)) return (int64_t)i;
        if (!g2_aff_on_curve((const g2_aff_t *)p)) return (int64_t)i;
        if (subgroup && !g2_in_subgroup((const g2_aff_t *)p)) return (int64_t)i;
    }
    return -1;
}

/* gfft.c - see gfft.h */
#include <stdlib.h>
#include <string.h>
#include "curve.h"
#include "gfft.h"
#include "glv.h"
#include "parallel.h"
#include "scalar.h"

/* uint64 words per twiddle record: k0 (2), k1 (2), sign flags */
#define GFFT_TW 5

/* G1 endomorphism phi(x, y) = (beta x, y) = [lambda](x, y), beta a cube root
 * of unity in Fq (Montgomery form; derived with Python ints and checked
 * against [lambda]G, lambda = 0xb3c4d79d41a917585bfc41088d8daaa78b17ea66b99c90dd). */
static const fq_t GFFT_BETA = {{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL,
                               0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL}};
static inline void g1_endo_jac(g1_jac_t *r, const g1_jac_t *p) {
    fq_mul(&r->x, &p->x, &GFFT_BETA);
    r->y = p->y;
    r->z = p->z;
}

/* G2: psi = untwist-Frobenius-twist, psi(P) = [6x^2]P on G2 (the same
 * constants as curve.c's g2_psi, applied to Jacobian coordinates: conj is a
 * field automorphism, so psi(X, Y, Z) = (conj(X) cx, conj(Y) cy, conj(Z))). */
static const fq2_t GFFT_PSI_X = {
    {{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL}},
    {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL}}};
static const fq2_t GFFT_PSI_Y = {
    {{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL}},
    {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL}}};
static inline void g2_endo_jac(g2_jac_t *r, const g2_jac_t *p) {
    fq2_t t;
    fq2_conj(&t, &p->x);
    fq2_mul(&r->x, &t, &GFFT_PSI_X);
    fq2_conj(&t, &p->y);
    fq2_mul(&r->y, &t, &GFFT_PSI_Y);
    fq2_conj(&r->z, &p->z);
}

/* (r-1)/2 */
static const uint64_t FR_HALF[4] = {0xa1f0fac9f8000000ULL, 0x9419f4243cdcb848ULL,
                                    0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};

/* k = s or r - s, whichever is smaller; returns 1 when negated */
static int signed_small(uint64_t k[4], const uint64_t s[4]) {
    uint64_t t[4];
    if (limbs_sub(t, FR_HALF, s)) {      /* s > (r-1)/2 */
        limbs_sub(k, FR_P, s);
        return 1;
    }
    memcpy(k, s, 32);
    return 0;
}

/* ENDO_X: x coordinate of the GLV endomorphism phi = [LAMBDA] (glv.h) used
 * by the sparse combination's window tables */
#define CURVE g1
#define FIELD fq
#define ENDO_X(r, a) fq_mul((r), (a), &GLV_BETA)
#include "gfft_impl.h"
#undef CURVE
#undef FIELD
#undef ENDO_X
#define CURVE g2
#define FIELD fq2
#define ENDO_X(r, a) fq2_mul_by_fq((r), (a), &GLV_BETA2)
#include "gfft_impl.h"
#undef CURVE
#undef FIELD
#undef ENDO_X

int zs_g1_sub_batch(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    g1_jac_t *j = (g1_jac_t *)malloc((n ? n : 1) * sizeof(g1_jac_t));
    if (!j) return -1;
    const g1_aff_t *A = (const g1_aff_t *)a, *B = (const g1_aff_t *)b;
    for (size_t i = 0; i < n; i++) {
        g1_aff_t nb;
        g1_aff_neg(&nb, &B[i]);
        g1_jac_from_aff(&j[i], &A[i]);
        g1_jac_madd(&j[i], &j[i], &nb);
    }
    g1_jac_batch_to_aff((g1_aff_t *)out, j, n);
    free(j);
    return 0;
}

/* glv.c - flat entry points of glv.h (the MSM uses the inline parts). */
#include "curve.h"
#include "glv.h"

void glv_split_array(uint64_t *out, const uint64_t *scalars, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t k[4];
        unsigned char neg;
        glv_split(k, &neg, scalars + 4 * i);
        uint64_t *o = out + 6 * i;
        o[0] = k[0]; o[1] = k[1]; o[2] = neg & 1;
        o[3] = k[2]; o[4] = k[3]; o[5] = (neg >> 1) & 1;
    }
}

void g1_endo_affine(uint64_t *r, const uint64_t *p) {
    g1_aff_t a, *o = (g1_aff_t *)r;
    memcpy(&a, p, sizeof a);
    fq_mul(&o->x, &a.x, &GLV_BETA);
    o->y = a.y;
}

void g2_endo_affine(uint64_t *r, const uint64_t *p) {
    g2_aff_t a, *o = (g2_aff_t *)r;
    memcpy(&a, p, sizeof a);
    fq2_mul_by_fq(&o->x, &a.x, &GLV_BETA2);
    o->y = a.y;
}

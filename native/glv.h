/*
 * glv.h - the GLV endomorphism of BN254 (Gallant, Lambert, Vanstone,
 * "Faster point multiplication on elliptic curves with efficient
 * endomorphisms", CRYPTO 2001) used by the MSM.
 *
 * Both curves have a = 0, so (x, y) -> (beta x, y) with beta a primitive
 * cube root of unity in Fq is an automorphism of order 3; on the order-r
 * subgroup it is multiplication by a cube root of unity lambda mod r:
 *   G1: phi(x, y) = (BETA x, y)   = [LAMBDA] (x, y)
 *   G2: phi(x, y) = (BETA^2 x, y) = [LAMBDA] (x, y)   (x in Fq2, BETA^2 in Fq)
 * with
 *   BETA   = 21888242871839275220042445260109153167277707414472061641714758635765020556616
 *   LAMBDA = 21888242871839275217838484774961031246154997185409878258781734729429964517155
 * (the values of arkworks' ark-bn254 g1 GLVConfig and of gnark-crypto;
 * tests/test_native_glv.py re-checks BETA^3 = 1 mod q, LAMBDA^3 = 1 mod r,
 * phi(P) = LAMBDA P on G1 and G2 with py_ecc, and the lattice below).
 * On G2 this holds only for points of the order-r subgroup: the MSM's G2
 * bases must be in G2 (the loaders check it).
 *
 * Scalar split (Babai rounding in the lattice {(a, b): a + b LAMBDA = 0
 * mod r}, reduced basis v1 = (N11, N12), v2 = (N21, -N11), det = -r; the
 * basis is arkworks' SCALAR_DECOMP_COEFFS):
 *   c1 = round(k N11 / r), c2 = round(k N12 / r)
 *   k1 = k - c1 N11 - c2 N21,  k2 = c2 N11 - c1 N12
 * so k1 + k2 LAMBDA = k (mod r) exactly, whatever c1, c2 are.  The
 * divisions by r are replaced by G1 = round(2^256 N11 / r) and
 * G2 = round(2^256 N12 / r): c = floor((k G + 2^255) / 2^256) is within
 * 1/2 + 1/8 of k N / r for k < 2^254, hence
 *   |k1| <= 0.625 (N11 + N21) < 2^127,  |k2| <= 0.625 (N12 + N11) < 2^127,
 * and both halves are computed exactly modulo 2^128 as signed integers.
 */
#ifndef ZKATS_GLV_H
#define ZKATS_GLV_H

#include <stddef.h>
#include <stdint.h>
#include "field.h"

/* magnitude bound of the two halves: |k1|, |k2| < 2^GLV_BITS */
#define GLV_BITS 127

/* BETA and BETA^2 mod q, Montgomery form */
static const fq_t GLV_BETA = {{0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL, 0x6001b4b8b615564aULL, 0x2682e617020217e0ULL}};
static const fq_t GLV_BETA2 = {{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL, 0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL}};

/* N11 = 9931322734385697763, N12 = 147946756881789319010696353538189108491,
 * N21 = 147946756881789319000765030803803410728 (little-endian limbs) */
static const uint64_t GLV_N11 = 0x89d3256894d213e3ULL;
static const uint64_t GLV_N12[2] = {0x0be4e1541221250bULL, 0x6f4d8248eeb859fdULL};
static const uint64_t GLV_N21[2] = {0x8211bbeb7d4f1128ULL, 0x6f4d8248eeb859fcULL};
/* round(2^256 N11 / r) (66 bits), round(2^256 N12 / r) (130 bits) */
static const uint64_t GLV_G1[2] = {0xd91d232ec7e0b3d7ULL, 0x0000000000000002ULL};
static const uint64_t GLV_G2[3] = {0x5398fd0300ff6565ULL, 0x4ccef014a773d2d2ULL, 0x0000000000000002ULL};

/* floor((k * g + 2^255) / 2^256) for k of 4 limbs (< 2^254) and g of m
 * limbs (m <= 3); the result is < 2^128 and returned as 2 limbs */
static inline unsigned __int128 glv_round_mul(const uint64_t k[4], const uint64_t *g, int m) {
    uint64_t t[7] = {0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < m; j++) {
            unsigned __int128 s = (unsigned __int128)k[i] * g[j] + t[i + j] + carry;
            t[i + j] = (uint64_t)s;
            carry = (uint64_t)(s >> 64);
        }
        t[i + m] = carry;
    }
    /* + 2^255, then take limbs 4.. */
    unsigned __int128 s = (unsigned __int128)t[3] + (1ULL << 63);
    s = (unsigned __int128)t[4] + (uint64_t)(s >> 64);
    uint64_t lo = (uint64_t)s;
    uint64_t hi = t[5] + (uint64_t)(s >> 64);
    return ((unsigned __int128)hi << 64) | lo;
}

/* k (4 canonical limbs, < r) -> k1, k2 with k = k1 + k2 LAMBDA mod r;
 * out = |k1| (2 limbs), |k2| (2 limbs); *neg bit 0 = k1 < 0, bit 1 = k2 < 0 */
static inline void glv_split(uint64_t out[4], unsigned char *neg, const uint64_t k[4]) {
    typedef unsigned __int128 u;
    u c1 = glv_round_mul(k, GLV_G1, 2);   /* < 2^64 */
    u c2 = glv_round_mul(k, GLV_G2, 3);   /* < 2^127 */
    u n12 = ((u)GLV_N12[1] << 64) | GLV_N12[0];
    u n21 = ((u)GLV_N21[1] << 64) | GLV_N21[0];
    u klo = ((u)k[1] << 64) | k[0];
    /* arithmetic modulo 2^128; the true values lie in (-2^127, 2^127) */
    u k1 = klo - c1 * GLV_N11 - c2 * n21;
    u k2 = c2 * GLV_N11 - c1 * n12;
    unsigned char s = 0;
    if (k1 >> 127) { k1 = (u)0 - k1; s |= 1; }
    if (k2 >> 127) { k2 = (u)0 - k2; s |= 2; }
    out[0] = (uint64_t)k1; out[1] = (uint64_t)(k1 >> 64);
    out[2] = (uint64_t)k2; out[3] = (uint64_t)(k2 >> 64);
    *neg = s;
}

/* ---- flat API (cffi; tests) ------------------------------------------------ */

/* For each of n canonical scalars (4 limbs, < r): out[6i..6i+5] =
 * |k1| (2 limbs), k1 < 0, |k2| (2 limbs), k2 < 0 */
void glv_split_array(uint64_t *out, const uint64_t *scalars, size_t n);
/* r = phi(p) for an affine Montgomery point (G1 8 limbs, G2 16 limbs) */
void g1_endo_affine(uint64_t *r, const uint64_t *p);
void g2_endo_affine(uint64_t *r, const uint64_t *p);

#endif

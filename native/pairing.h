/*
 * pairing.h - the optimal ate pairing on BN254 (alt_bn128).
 *
 *   e(P, Q) = f_{6x+2,Q}(P) * l_{[6x+2]Q, pi(Q)}(P) * l_{.., -pi^2(Q)}(P)
 *             raised to (q^12 - 1)/r,            x = 4965661367192848881,
 *
 * the value py_ecc's bn128 pairing computes (the final exponentiation uses
 * the exact exponent, not a multiple of it).  G2 points live on the D-type
 * sextic twist y^2 = x^3 + 3/xi, xi = 9 + u, untwisted by
 * (x, y) -> (x w^2, y w^3).
 *
 * The Miller loop walks the NAF of 6x+2 with R in homogeneous projective
 * coordinates on the twist.  Every doubling/addition step yields a line
 * c0 * yP + c3 * xP w + c4 w^3; the Fq2 coefficients depend only on Q, so
 * they can be precomputed once per G2 point (pairing_prepare_g2) and reused,
 * e.g. for the fixed G2 points of a Groth16 verification key.  A multi-pairing
 * runs one Miller loop over all pairs (one Fq12 squaring per step for all of
 * them) and one final exponentiation.
 *
 * Point layout (as in curve.h): affine, Montgomery-form limbs, G1 = x, y
 * (8 limbs), G2 = x.c0, x.c1, y.c0, y.c1 (16 limbs); all zero = infinity,
 * which contributes the factor 1.
 * Precondition: points are on their curves and G2 points in the order-r
 * subgroup (the Python layer checks this); otherwise the result is
 * meaningless (but memory-safe).
 */
#ifndef ZKATS_PAIRING_H
#define ZKATS_PAIRING_H

#include <stddef.h>
#include <stdint.h>
#include "tower.h"

/* 65 doubling lines + 21 NAF additions + 2 Frobenius additions */
#define PAIRING_MAX_LINES 90

typedef struct { fq2_t c0, c3, c4; } pairing_line_t;

typedef struct g2_prepared_s {
    int32_t n_lines;   /* 0 for the point at infinity */
    int32_t infinity;
    pairing_line_t lines[PAIRING_MAX_LINES];
} g2_prepared_t;

/* byte size of g2_prepared_t (for callers that allocate it as raw memory) */
size_t pairing_prepared_size(void);
void pairing_prepare_g2(g2_prepared_t *out, const uint64_t q[16]);
/* f = prod_i MillerLoop(P_i, Q_i) (before the final exponentiation);
 * g1: n points of 8 limbs; q: n prepared G2 points */
void pairing_miller_loop(fq12_t *f, const uint64_t *g1, const g2_prepared_t *q, size_t n);
/* r = f^((q^12 - 1) / r), f nonzero */
void pairing_final_exp(fq12_t *r, const fq12_t *f);
/* r = e(P, Q) */
void pairing(fq12_t *r, const uint64_t p[8], const uint64_t q[16]);
/* 1 if prod_i e(P_i, Q_i) == 1, else 0; -1 if out of memory */
int pairing_check(const uint64_t *g1, const uint64_t *g2, size_t n);
int pairing_check_prepared(const uint64_t *g1, const g2_prepared_t *q, size_t n);
/* pairing_check with the pairs split over `threads` pthreads (<= 0: all
 * cores); same result; fewer than 8 pairs stay on the calling thread */
int pairing_check_threads(const uint64_t *g1, const uint64_t *g2, size_t n, int threads);

#endif

/*
 * frvec.h - elementwise operations on vectors of Fr elements (4-limb
 * Montgomery form, field.h) for the Groth16 prover, multi-threaded through
 * parallel.h.
 *
 * threads <= 0 means all online cores.  Outputs may alias inputs
 * elementwise (r == a is fine); partially overlapping buffers are not.
 */
#ifndef ZKATS_FRVEC_H
#define ZKATS_FRVEC_H

#include <stddef.h>
#include <stdint.h>
#include "field.h"

/* ---- vector ops (all Montgomery form unless stated) --------------------- */

void frvec_mul(fr_t *r, const fr_t *a, const fr_t *b, size_t n, int threads);
void frvec_add(fr_t *r, const fr_t *a, const fr_t *b, size_t n, int threads);
void frvec_sub(fr_t *r, const fr_t *a, const fr_t *b, size_t n, int threads);
/* r[i] = a[i] * k */
void frvec_scale(fr_t *r, const fr_t *a, const fr_t *k, size_t n, int threads);
/* r[i] = a[i] * start * s^i */
void frvec_mul_powers(fr_t *r, const fr_t *a, const fr_t *start, const fr_t *s, size_t n, int threads);
/* canonical (each < r, unchecked) -> Montgomery, and back */
void frvec_to_mont(fr_t *r, const fr_t *a, size_t n, int threads);
void frvec_from_mont(fr_t *r, const fr_t *a, size_t n, int threads);

#endif

/*
 * modinv.h - constant-time modular inversion for the BN254 moduli
 * (Bernstein-Yang "safegcd" divsteps, in the half-delta form with 62-bit
 * limbs).
 *
 * The witness solver inverts values derived from private inputs (the
 * is-zero and division hints), so the inverse must not leak its input
 * through timing: every call runs the same 10 rounds of 59 divsteps (590,
 * enough for any modulus below 2^256) with masks instead of branches, and
 * the same limb arithmetic.  About 4x faster than the Fermat power
 * (a^(p-2)) it replaces; tests compare it with Python's pow(x, -1, p).
 *
 * zk_modinv_fq / zk_modinv_fr take and return canonical integers (4
 * little-endian 64-bit limbs, < p); the inverse of 0 is 0.  fq_inv / fr_inv
 * (field.h) wrap them for Montgomery-form elements.
 */
#ifndef ZKATS_MODINV_H
#define ZKATS_MODINV_H
#include <stdint.h>

void zk_modinv_fq(uint64_t r[4], const uint64_t a[4]);
void zk_modinv_fr(uint64_t r[4], const uint64_t a[4]);
#endif

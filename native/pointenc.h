/*
 * pointenc.h - bulk conversions of BN254 points between the Montgomery
 * little-endian layout of .zkey/.ptau files ("LEM") and the big-endian
 * encodings that snarkjs hashes in its ceremony transcripts.
 *
 * Facts (from ffjavascript/wasmcurves' LEMtoU/LEMtoC, re-derived and
 * tested against snarkjs' files):
 *   uncompressed G1: x BE (32) || y BE (32); infinity = 64 zero bytes.
 *   uncompressed G2: x.c1 BE || x.c0 BE || y.c1 BE || y.c0 BE (128 bytes).
 *   compressed G1: x BE (32), top bit 0x80 set when y > (q-1)/2;
 *     infinity = 0x40 followed by zeros.
 *   compressed G2: x.c1 BE || x.c0 BE (64), 0x80 when the "sign" of y
 *     (that of y.c1, or of y.c0 when y.c1 = 0) is negative; infinity 0x40.
 * Inputs are arrays of Montgomery-form affine points (8 or 16 limbs each,
 * all zero = infinity); the caller guarantees the sizes.
 */
#ifndef ZKATS_POINTENC_H
#define ZKATS_POINTENC_H
#include <stddef.h>
#include <stdint.h>

void zs_g1_lem_to_u(uint8_t *out, const uint64_t *in, size_t n);
void zs_g2_lem_to_u(uint8_t *out, const uint64_t *in, size_t n);
void zs_g1_lem_to_c(uint8_t *out, const uint64_t *in, size_t n);
void zs_g2_lem_to_c(uint8_t *out, const uint64_t *in, size_t n);

/* The reverse conversions, into Montgomery affine arrays, for files made
 * outside zkats (phase-1 challenge and response files).  Each returns the
 * index of the first encoding that is not a point, or -1 if all are:
 *   uncompressed: every coordinate canonical (< q); all zeros = infinity
 *     (on-curve and subgroup checks are left to g1/g2_check_array);
 *   compressed: x canonical, flags 0x80 (y "negative") / 0x40 (infinity,
 *     then every other bit zero), x^3 + b a square: the result is on the
 *     curve (G2: the subgroup is not checked).
 * threads <= 0: all cores (parallel.h). */
int64_t zs_g1_u_to_lem(uint64_t *out, const uint8_t *in, size_t n);
int64_t zs_g2_u_to_lem(uint64_t *out, const uint8_t *in, size_t n);
int64_t zs_g1_c_to_lem(uint64_t *out, const uint8_t *in, size_t n, int threads);
int64_t zs_g2_c_to_lem(uint64_t *out, const uint8_t *in, size_t n, int threads);

/* BLAKE2b compression of nblocks consecutive 128-byte blocks; *t is the
 * byte counter before the call and is advanced by 128 per block.  With
 * last != 0, exactly one (zero-padded) final block is compressed with *t
 * taken as the total message length. */
void zs_blake2b_compress(uint64_t h[8], const uint8_t *blocks, size_t nblocks,
                         uint64_t *t, int last);
#endif

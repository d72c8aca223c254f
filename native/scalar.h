/*
 * scalar.h - scalar recoding shared by scalar multiplication, MSM and
 * fixed-base tables.  Header-only (static inline); no cffi surface.
 */
#ifndef ZKATS_SCALAR_H
#define ZKATS_SCALAR_H

#include <stdint.h>

/* bits [pos, pos+len) of the little-endian nlimbs-limb integer k, len <= 32;
 * bits beyond the top read as zero */
static inline uint32_t zk_get_bits(const uint64_t *k, int nlimbs, int pos, int len) {
    int li = pos >> 6, sh = pos & 63;
    if (li >= nlimbs) return 0;
    uint64_t v = k[li] >> sh;
    if (sh + len > 64 && li + 1 < nlimbs) v |= k[li + 1] << (64 - sh);
    return (uint32_t)(v & ((1ULL << len) - 1));
}

/* Signed (Booth) digit of width c at bit position pos:
 *   d = w + b_{pos-1} - 2^c * b_{pos+c-1},  w = bits [pos, pos+c)
 * so that k = sum_j d_j 2^{c j} over windows j = 0 .. ceil((bits+1)/c)-1,
 * with |d| <= 2^(c-1).  Stateless: every window can be recoded on its own,
 * which lets threads work on windows independently. */
static inline int zk_booth_digit(const uint64_t *k, int nlimbs, int pos, int c) {
    uint32_t w = zk_get_bits(k, nlimbs, pos, c);
    int lo = pos > 0 ? (int)zk_get_bits(k, nlimbs, pos - 1, 1) : 0;
    int top = (int)(w >> (c - 1)) & 1;
    return (int)w + lo - (top << c);
}

#endif

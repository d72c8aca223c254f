/* pointenc.c - see pointenc.h */
#include "pointenc.h"
#include "curve.h"
#include "field.h"
#include "parallel.h"

/* (q-1)/2 */
static const uint64_t FQ_HALF[4] = {0x9e10460b6c3e7ea3ULL, 0xcbc0b548b438e546ULL,
                                    0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};

static void be32(uint8_t *out, const uint64_t c[4]) {
    for (int i = 0; i < 4; i++) {
        uint64_t w = c[3 - i];
        for (int j = 0; j < 8; j++) out[8 * i + j] = (uint8_t)(w >> (56 - 8 * j));
    }
}

static int all_zero(const uint64_t *p, int nlimbs) {
    uint64_t acc = 0;
    for (int i = 0; i < nlimbs; i++) acc |= p[i];
    return acc == 0;
}

static void canon(uint64_t out[4], const uint64_t *m) {
    fq_t a; memcpy(a.v, m, 32); fq_to_canonical(out, &a);
}

/* -1 negative, 0 zero, 1 positive (snarkjs' "sign") */
static int fq_sign_c(const uint64_t c[4]) {
    if (limbs_is_zero(c)) return 0;
    uint64_t t[4];
    return limbs_sub(t, FQ_HALF, c) ? -1 : 1;   /* c > half -> negative */
}

void zs_g1_lem_to_u(uint8_t *out, const uint64_t *in, size_t n) {
    for (size_t i = 0; i < n; i++, in += 8, out += 64) {
        if (all_zero(in, 8)) { memset(out, 0, 64); continue; }
        uint64_t c[4];
        canon(c, in); be32(out, c);
        canon(c, in + 4); be32(out + 32, c);
    }
}

void zs_g2_lem_to_u(uint8_t *out, const uint64_t *in, size_t n) {
    for (size_t i = 0; i < n; i++, in += 16, out += 128) {
        if (all_zero(in, 16)) { memset(out, 0, 128); continue; }
        uint64_t c[4];
        canon(c, in + 4); be32(out, c);
        canon(c, in); be32(out + 32, c);
        canon(c, in + 12); be32(out + 64, c);
        canon(c, in + 8); be32(out + 96, c);
    }
}

void zs_g1_lem_to_c(uint8_t *out, const uint64_t *in, size_t n) {
    for (size_t i = 0; i < n; i++, in += 8, out += 32) {
        if (all_zero(in, 8)) { memset(out, 0, 32); out[0] = 0x40; continue; }
        uint64_t c[4];
        canon(c, in); be32(out, c);
        canon(c, in + 4);
        if (fq_sign_c(c) == -1) out[0] |= 0x80;
    }
}

void zs_g2_lem_to_c(uint8_t *out, const uint64_t *in, size_t n) {
    for (size_t i = 0; i < n; i++, in += 16, out += 64) {
        if (all_zero(in, 16)) { memset(out, 0, 64); out[0] = 0x40; continue; }
        uint64_t c[4], y0[4], y1[4];
        canon(c, in + 4); be32(out, c);
        canon(c, in); be32(out + 32, c);
        canon(y0, in + 8); canon(y1, in + 12);
        int s = fq_sign_c(y1);
        if (s == 0) s = fq_sign_c(y0);
        if (s == -1) out[0] |= 0x80;
    }
}

/* ---- decoding ------------------------------------------------------------ */

static void rd_be32(uint64_t c[4], const uint8_t *in) {
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++) w = (w << 8) | in[8 * i + j];
        c[3 - i] = w;
    }
}

/* big-endian canonical coordinate -> Montgomery limbs; 0 if >= q */
static int rd_fq(uint64_t *out, const uint8_t *in) {
    uint64_t c[4];
    rd_be32(c, in);
    if (!fq_is_canonical(c)) return 0;
    fq_t a;
    fq_from_canonical(&a, c);
    memcpy(out, a.v, 32);
    return 1;
}

int64_t zs_g1_u_to_lem(uint64_t *out, const uint8_t *in, size_t n) {
    for (size_t i = 0; i < n; i++, in += 64, out += 8)
        if (!rd_fq(out, in) || !rd_fq(out + 4, in + 32)) return (int64_t)i;
    return -1;
}

int64_t zs_g2_u_to_lem(uint64_t *out, const uint8_t *in, size_t n) {
    for (size_t i = 0; i < n; i++, in += 128, out += 16)
        if (!rd_fq(out + 4, in) || !rd_fq(out, in + 32) || !rd_fq(out + 12, in + 64) ||
            !rd_fq(out + 8, in + 96))
            return (int64_t)i;
    return -1;
}

/* flags of a compressed encoding: -1 malformed, 0 a point, 1 infinity */
static int c_flags(uint8_t *x, const uint8_t *in, size_t len, int *neg) {
    memcpy(x, in, len);
    *neg = (x[0] & 0x80) != 0;
    if (x[0] & 0x40) {
        if (*neg) return -1;
        x[0] &= 0x3f;
        for (size_t i = 0; i < len; i++)
            if (x[i]) return -1;
        return 1;
    }
    x[0] &= 0x7f;
    return 0;
}

static int g1_c_one(uint64_t *out, const uint8_t *in) {
    uint8_t b[32];
    int neg, f = c_flags(b, in, 32, &neg);
    if (f < 0) return 0;
    if (f == 1) { memset(out, 0, 64); return 1; }
    fq_t x, y, t;
    if (!rd_fq(x.v, b)) return 0;
    fq_sqr(&t, &x);
    fq_mul(&t, &t, &x);
    fq_add(&t, &t, &G1_B);
    if (!fq_sqrt(&y, &t)) return 0;
    uint64_t c[4];
    fq_to_canonical(c, &y);
    if ((fq_sign_c(c) == -1) != neg) fq_neg(&y, &y);
    memcpy(out, x.v, 32);
    memcpy(out + 4, y.v, 32);
    return 1;
}

static int g2_c_one(uint64_t *out, const uint8_t *in) {
    uint8_t b[64];
    int neg, f = c_flags(b, in, 64, &neg);
    if (f < 0) return 0;
    if (f == 1) { memset(out, 0, 128); return 1; }
    fq2_t x, y, t;
    if (!rd_fq(x.c1.v, b) || !rd_fq(x.c0.v, b + 32)) return 0;
    fq2_sqr(&t, &x);
    fq2_mul(&t, &t, &x);
    fq2_add(&t, &t, &G2_B);
    if (!fq2_sqrt(&y, &t)) return 0;
    uint64_t c0[4], c1[4];
    fq_to_canonical(c0, &y.c0);
    fq_to_canonical(c1, &y.c1);
    int s = fq_sign_c(c1);
    if (s == 0) s = fq_sign_c(c0);
    if ((s == -1) != neg) fq2_neg(&y, &y);
    memcpy(out, x.c0.v, 32);
    memcpy(out + 4, x.c1.v, 32);
    memcpy(out + 8, y.c0.v, 32);
    memcpy(out + 12, y.c1.v, 32);
    return 1;
}

typedef struct {
    uint64_t *out;
    const uint8_t *in;
    int g2;
    int64_t bad;      /* smallest bad index found (atomic min), or -1 */
} dec_ctx;

static void dec_range(void *arg, size_t lo, size_t hi) {
    dec_ctx *x = (dec_ctx *)arg;
    size_t w = x->g2 ? 16 : 8, len = x->g2 ? 64 : 32;
    for (size_t i = lo; i < hi; i++) {
        int ok = x->g2 ? g2_c_one(x->out + w * i, x->in + len * i)
                       : g1_c_one(x->out + w * i, x->in + len * i);
        if (ok) continue;
        int64_t idx = (int64_t)i, cur = __atomic_load_n(&x->bad, __ATOMIC_RELAXED);
        while ((cur < 0 || idx < cur) &&
               !__atomic_compare_exchange_n(&x->bad, &cur, idx, 0, __ATOMIC_RELAXED,
                                            __ATOMIC_RELAXED)) {
        }
        return;
    }
}

int64_t zs_g1_c_to_lem(uint64_t *out, const uint8_t *in, size_t n, int threads) {
    dec_ctx x = {out, in, 0, -1};
    par_for(n, threads, 1024, dec_range, &x);
    return x.bad;
}

int64_t zs_g2_c_to_lem(uint64_t *out, const uint8_t *in, size_t n, int threads) {
    dec_ctx x = {out, in, 1, -1};
    par_for(n, threads, 256, dec_range, &x);
    return x.bad;
}

/* ---- BLAKE2b (RFC 7693) compression ------------------------------------ */
static const uint64_t B2_IV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
static const uint8_t B2_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

static inline uint64_t rotr64(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

#define B2G(a, b, c, d, x, y)            \
    do {                                 \
        v[a] = v[a] + v[b] + (x);        \
        v[d] = rotr64(v[d] ^ v[a], 32);  \
        v[c] = v[c] + v[d];              \
        v[b] = rotr64(v[b] ^ v[c], 24);  \
        v[a] = v[a] + v[b] + (y);        \
        v[d] = rotr64(v[d] ^ v[a], 16);  \
        v[c] = v[c] + v[d];              \
        v[b] = rotr64(v[b] ^ v[c], 63);  \
    } while (0)

static void b2_block(uint64_t h[8], const uint8_t *blk, uint64_t t, int last) {
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++) {
        uint64_t w = 0;
        for (int j = 7; j >= 0; j--) w = (w << 8) | blk[8 * i + j];
        m[i] = w;
    }
    for (int i = 0; i < 8; i++) { v[i] = h[i]; v[i + 8] = B2_IV[i]; }
    v[12] ^= t;          /* counter high word stays 0: < 2^64 bytes */
    if (last) v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = B2_SIGMA[r];
        B2G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        B2G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        B2G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        B2G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        B2G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        B2G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        B2G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        B2G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

void zs_blake2b_compress(uint64_t h[8], const uint8_t *blocks, size_t nblocks,
                         uint64_t *t, int last) {
    if (last) {                 /* final (zero-padded) block: *t is the total length */
        b2_block(h, blocks, *t, 1);
        return;
    }
    for (size_t i = 0; i < nblocks; i++) {
        *t += 128;
        b2_block(h, blocks + 128 * i, *t, 0);
    }
}

/* ntt.c - radix-2 NTT over Fr on snarkjs' domain (see ntt.h). */
#include <pthread.h>
#include <stdlib.h>
#include "ntt.h"
#include "frvec.h"
#include "parallel.h"

#define NTT_CACHE_MAX_LOG 20
#ifndef NTT_BLOCK_LOG
#define NTT_BLOCK_LOG 10      /* 2^10 elements = 32 KiB per block */
#endif
#define NTT_PAR_MIN_LOG 13    /* smaller transforms stay on one thread */

static fr_t ntt_roots[NTT_MAX_LOG + 1];
static pthread_once_t ntt_roots_once = PTHREAD_ONCE_INIT;

static void ntt_roots_init(void) {
    /* e = (r - 1)/2^28 = r >> 28 (r is odd and r - 1 = 0 mod 2^28) */
    uint64_t e[4];
    for (int i = 0; i < 4; i++)
        e[i] = (FR_P[i] >> 28) | (i < 3 ? FR_P[i + 1] << 36 : 0);
    fr_t five;
    const uint64_t five_c[4] = {5, 0, 0, 0};
    fr_from_canonical(&five, five_c);
    fr_pow(&ntt_roots[NTT_MAX_LOG], &five, e, 4);
    for (int k = NTT_MAX_LOG; k > 0; k--) fr_sqr(&ntt_roots[k - 1], &ntt_roots[k]);
}

void ntt_root_of_unity(fr_t *r, int log_n) {
    if (log_n < 0 || log_n > NTT_MAX_LOG) { fr_set_zero(r); return; }
    pthread_once(&ntt_roots_once, ntt_roots_init);
    *r = ntt_roots[log_n];
}

/* ---- twiddle tables -------------------------------------------------------- */

typedef struct { fr_t *tw; fr_t w; } tw_ctx_t;

static void t_twiddles(void *c, size_t lo, size_t hi) {
    tw_ctx_t *x = c;
    fr_t cur;
    uint64_t e[1] = {(uint64_t)lo};
    fr_pow(&cur, &x->w, e, 1);
    for (size_t i = lo; i < hi; i++) {
        x->tw[i] = cur;
        fr_mul(&cur, &cur, &x->w);
    }
}

/* Per-layer layout, n entries: tw[h + j] = w_{2h}^j for j < h and
 * h = 1, 2, 4, ..., n/2, so each layer reads its twiddles contiguously
 * (strided reads into one table of w_n^j thrash the TLB at large n).
 * The top layer is computed; each lower one takes every other entry of
 * the layer above (w_{2h}^j = w_{4h}^{2j}). */
static fr_t *build_twiddles(int log_n, int threads) {
    size_t n = (size_t)1 << log_n, half = n >> 1;
    fr_t *tw = (fr_t *)malloc(n * sizeof(fr_t));
    if (!tw) return NULL;
    tw_ctx_t c;
    c.tw = tw + half;
    ntt_root_of_unity(&c.w, log_n);
    par_for(half, threads, (size_t)1 << 14, t_twiddles, &c);
    for (size_t h = half >> 1; h >= 1; h >>= 1)
        for (size_t j = 0; j < h; j++) tw[h + j] = tw[2 * h + 2 * j];
    fr_set_zero(&tw[0]); /* unused */
    return tw;
}

static fr_t *tw_cache[NTT_CACHE_MAX_LOG + 1];
static pthread_mutex_t tw_lock = PTHREAD_MUTEX_INITIALIZER;
/* layers whose span exceeds 2^ntt_table_log compute their twiddles on the fly */
static volatile int ntt_table_log = NTT_CACHE_MAX_LOG;

int ntt_set_table_max_log(int k) {
    int old = ntt_table_log;
    if (k < 1) k = 1;
    if (k > NTT_CACHE_MAX_LOG) k = NTT_CACHE_MAX_LOG;
    ntt_table_log = k;
    return old;
}

/* per-layer twiddle table (see build_twiddles) for 1 <= log_n <= 20,
 * built once and kept */
static const fr_t *get_twiddles(int log_n, int threads) {
    pthread_mutex_lock(&tw_lock);
    if (!tw_cache[log_n]) tw_cache[log_n] = build_twiddles(log_n, threads);
    const fr_t *tw = tw_cache[log_n];
    pthread_mutex_unlock(&tw_lock);
    return tw;
}

/* ---- transform --------------------------------------------------------------- */

static inline uint32_t bitrev32(uint32_t x) {
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
    return (x >> 16) | (x << 16);
}

typedef struct {
    fr_t *a;
    const fr_t *tw;
    int log_n;
    size_t n;
    size_t len;      /* phase 2: current layer's butterfly span */
    int len_log;     /* log2(len) */
    int block_log;   /* phase 1 */
    fr_t k;          /* scale for the inverse's reversal */
    int scale;
    int canon;       /* phase 2: this pass is the last; leave values in [0, r) */
} ntt_ctx_t;

static void t_bitrev(void *c, size_t lo, size_t hi) {
    ntt_ctx_t *x = c;
    int sh = 32 - x->log_n;
    for (size_t i = lo; i < hi; i++) {
        size_t j = bitrev32((uint32_t)i) >> sh;
        if (i < j) {
            fr_t t = x->a[i];
            x->a[i] = x->a[j];
            x->a[j] = t;
        }
    }
}

/* ---- lazy butterflies ------------------------------------------------------

 * The layers keep their values in [0, 4r) instead of [0, r) (Harvey's
 * lazy reduction; 4r < 2^256 since r < 2^254), so a butterfly needs one
 * conditional subtraction instead of three: the input u is brought below
 * 2r, the product w v is left in [0, 2r) (fr_mul_lazy: v < 4r, w < r gives
 * (w v + m r) / 2^256 < 2r), and the outputs u + w v and u + 2r - w v are
 * in [0, 4r) without a check.  ntt_core reduces every value to [0, r) after
 * the last layer, so callers see canonical values as before. */
static const uint64_t FR_2P[4] = {0x87c3eb27e0000002ULL, 0x5067d090f372e122ULL,
                                  0x70a08b6d0302b0baULL, 0x60c89ce5c2634053ULL};

#if defined(__x86_64__) && defined(__GNUC__) && !defined(ZKATS_NO_ASM)
/* r = a if a < 2r, else a - 2r */
static inline __attribute__((always_inline)) void lz_red2(uint64_t r[4], const uint64_t a[4]) {
    uint64_t s0, s1, s2, s3, t0, t1, t2, t3;
    __asm__(
        "movq 0(%[a]), %[s0]\n\t"
        "movq 8(%[a]), %[s1]\n\t"
        "movq 16(%[a]), %[s2]\n\t"
        "movq 24(%[a]), %[s3]\n\t"
        "movq %[s0], %[t0]\n\t"
        "subq 0(%[p]), %[t0]\n\t"
        "movq %[s1], %[t1]\n\t"
        "sbbq 8(%[p]), %[t1]\n\t"
        "movq %[s2], %[t2]\n\t"
        "sbbq 16(%[p]), %[t2]\n\t"
        "movq %[s3], %[t3]\n\t"
        "sbbq 24(%[p]), %[t3]\n\t"
        "cmovcq %[s0], %[t0]\n\t"
        "cmovcq %[s1], %[t1]\n\t"
        "cmovcq %[s2], %[t2]\n\t"
        "cmovcq %[s3], %[t3]\n\t"
        "movq %[t0], 0(%[out])\n\t"
        "movq %[t1], 8(%[out])\n\t"
        "movq %[t2], 16(%[out])\n\t"
        "movq %[t3], 24(%[out])\n\t"
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), ZK_MEM_OUT(r)
        : [a] "r"(a), [p] "r"(FR_2P), [out] "r"(r), ZK_MEM_IN(a), ZK_MEM_IN(FR_2P)
        : "cc");
}

/* s0..s3 <- s mod 2r for s < 4r (d0..d3 scratch, p = 2r) */
#define LZ_REDUCE_S_2R \
    "movq %[s0], %[d0]\n\t" \
    "subq 0(%[p]), %[d0]\n\t" \
    "movq %[s1], %[d1]\n\t" \
    "sbbq 8(%[p]), %[d1]\n\t" \
    "movq %[s2], %[d2]\n\t" \
    "sbbq 16(%[p]), %[d2]\n\t" \
    "movq %[s3], %[d3]\n\t" \
    "sbbq 24(%[p]), %[d3]\n\t" \
    "cmovncq %[d0], %[s0]\n\t" \
    "cmovncq %[d1], %[s1]\n\t" \
    "cmovncq %[d2], %[s2]\n\t" \
    "cmovncq %[d3], %[s3]\n\t"

/* the add/sub half of a lazy butterfly, for the asm blocks below: with x
 * in s0..s3 and t in memory, (X, Y) <- (x + t, x + 2r - t) (operands
 * s0..s3, d0..d3 scratch, p = 2r; X, Y name the output pointers) */
#define LZ_ADDSUB_2R(X, Y) \
    "movq %[s0], %[d0]\n\t" \
    "addq 0(%[p]), %[d0]\n\t" \
    "movq %[s1], %[d1]\n\t" \
    "adcq 8(%[p]), %[d1]\n\t" \
    "movq %[s2], %[d2]\n\t" \
    "adcq 16(%[p]), %[d2]\n\t" \
    "movq %[s3], %[d3]\n\t" \
    "adcq 24(%[p]), %[d3]\n\t" \
    "addq 0(%[t]), %[s0]\n\t" \
    "adcq 8(%[t]), %[s1]\n\t" \
    "adcq 16(%[t]), %[s2]\n\t" \
    "adcq 24(%[t]), %[s3]\n\t" \
    "subq 0(%[t]), %[d0]\n\t" \
    "sbbq 8(%[t]), %[d1]\n\t" \
    "sbbq 16(%[t]), %[d2]\n\t" \
    "sbbq 24(%[t]), %[d3]\n\t" \
    "movq %[s0], 0(%[" X "])\n\t" \
    "movq %[s1], 8(%[" X "])\n\t" \
    "movq %[s2], 16(%[" X "])\n\t" \
    "movq %[s3], 24(%[" X "])\n\t" \
    "movq %[d0], 0(%[" Y "])\n\t" \
    "movq %[d1], 8(%[" Y "])\n\t" \
    "movq %[d2], 16(%[" Y "])\n\t" \
    "movq %[d3], 24(%[" Y "])\n\t"

/* (x, y) <- (x + t, x + 2r - t) for x, t < 2r (no reduction: both < 4r) */
static inline __attribute__((always_inline)) void lz_addsub(uint64_t x[4], uint64_t y[4],
                                                            const uint64_t u[4], const uint64_t t[4]) {
    uint64_t s0, s1, s2, s3, d0, d1, d2, d3;
    __asm__(
        "movq 0(%[u]), %[s0]\n\t"
        "movq 8(%[u]), %[s1]\n\t"
        "movq 16(%[u]), %[s2]\n\t"
        "movq 24(%[u]), %[s3]\n\t"
        LZ_ADDSUB_2R("x", "y")
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3),
          [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3), ZK_MEM_OUT(x), ZK_MEM_OUT(y)
        : [u] "r"(u), [t] "r"(t), [p] "r"(FR_2P), [x] "r"(x), [y] "r"(y),
          ZK_MEM_IN(u), ZK_MEM_IN(t), ZK_MEM_IN(FR_2P)
        : "cc");
}
/* (u, v) <- (x + t, x + 2r - t) with x = u mod 2r: the end of a DIT
 * butterfly (u < 4r, t < 2r) in one block, x kept in registers */
static inline __attribute__((always_inline)) void lz_red_addsub(uint64_t u[4], uint64_t v[4],
                                                                const uint64_t t[4]) {
    uint64_t s0, s1, s2, s3, d0, d1, d2, d3;
    __asm__(
        "movq 0(%[u]), %[s0]\n\t"
        "movq 8(%[u]), %[s1]\n\t"
        "movq 16(%[u]), %[s2]\n\t"
        "movq 24(%[u]), %[s3]\n\t"
        LZ_REDUCE_S_2R
        /* s = x < 2r; d = x + 2r - t, s = x + t */
        LZ_ADDSUB_2R("u", "v")
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3),
          [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3), ZK_MEM_OUT(u), ZK_MEM_OUT(v)
        : [u] "r"(u), [v] "r"(v), [t] "r"(t), [p] "r"(FR_2P), ZK_MEM_IN(u), ZK_MEM_IN(t), ZK_MEM_IN(FR_2P)
        : "cc");
}
/* d = v + 2r - u, u <- (u + v) mod 2r: the start of a DIF butterfly
 * (u, v < 2r) in one block */
static inline __attribute__((always_inline)) void lz_dif_pre(uint64_t u[4], uint64_t d[4],
                                                             const uint64_t v[4]) {
    uint64_t s0, s1, s2, s3, d0, d1, d2, d3;
    __asm__(
        "movq 0(%[v]), %[d0]\n\t"
        "movq 8(%[v]), %[d1]\n\t"
        "movq 16(%[v]), %[d2]\n\t"
        "movq 24(%[v]), %[d3]\n\t"
        "addq 0(%[p]), %[d0]\n\t"
        "adcq 8(%[p]), %[d1]\n\t"
        "adcq 16(%[p]), %[d2]\n\t"
        "adcq 24(%[p]), %[d3]\n\t"
        "subq 0(%[u]), %[d0]\n\t"
        "sbbq 8(%[u]), %[d1]\n\t"
        "sbbq 16(%[u]), %[d2]\n\t"
        "sbbq 24(%[u]), %[d3]\n\t"
        "movq %[d0], 0(%[d])\n\t"
        "movq %[d1], 8(%[d])\n\t"
        "movq %[d2], 16(%[d])\n\t"
        "movq %[d3], 24(%[d])\n\t"
        "movq 0(%[u]), %[s0]\n\t"
        "movq 8(%[u]), %[s1]\n\t"
        "movq 16(%[u]), %[s2]\n\t"
        "movq 24(%[u]), %[s3]\n\t"
        "addq 0(%[v]), %[s0]\n\t"
        "adcq 8(%[v]), %[s1]\n\t"
        "adcq 16(%[v]), %[s2]\n\t"
        "adcq 24(%[v]), %[s3]\n\t"
        LZ_REDUCE_S_2R
        "movq %[s0], 0(%[u])\n\t"
        "movq %[s1], 8(%[u])\n\t"
        "movq %[s2], 16(%[u])\n\t"
        "movq %[s3], 24(%[u])\n\t"
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3),
          [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3), ZK_MEM_OUT(u), ZK_MEM_OUT(d)
        : [u] "r"(u), [v] "r"(v), [d] "r"(d), [p] "r"(FR_2P), ZK_MEM_IN(u), ZK_MEM_IN(v), ZK_MEM_IN(FR_2P)
        : "cc");
}
#else
static inline void lz_red2(uint64_t r[4], const uint64_t a[4]) {
    limbs_reduce_once(r, a, FR_2P);
}

static inline void lz_addsub(uint64_t x[4], uint64_t y[4], const uint64_t u[4], const uint64_t t[4]) {
    uint64_t s[4], d[4];
    limbs_add(s, u, t);
    limbs_add(d, u, FR_2P);
    limbs_sub(d, d, t);
    memcpy(x, s, 32);
    memcpy(y, d, 32);
}
static inline void lz_red_addsub(uint64_t u[4], uint64_t v[4], const uint64_t t[4]) {
    uint64_t x[4];
    lz_red2(x, u);
    lz_addsub(u, v, x, t);
}
static inline void lz_dif_pre(uint64_t u[4], uint64_t d[4], const uint64_t v[4]) {
    uint64_t s[4];
    lz_addsub(s, d, v, u);
    lz_red2(u, s);
}
#endif

/* [0, 4r) -> [0, r) */
static inline __attribute__((always_inline)) void lz_canon(fr_t *a) {
    lz_red2(a->v, a->v);
    fr_reduce(a, a);
}

/* (u, v) <- (u + w v, u - w v) mod r, lazily: u, v in [0, 4r) in and out,
 * w canonical.  The operands are used in place: since field.h's assembly
 * declares exactly what it reads and writes, the compiler keeps them
 * addressable without stack copies of every operand */
static inline __attribute__((always_inline)) void butterfly(fr_t *u, fr_t *v, const fr_t *w) {
    fr_t t;
    fr_mul_lazy(&t, w, v);
    lz_red_addsub(u->v, v->v, t.v);
}

/* the same with w = 1 */
static inline __attribute__((always_inline)) void butterfly1(fr_t *u, fr_t *v) {
    fr_t t;
    lz_red2(t.v, v->v);
    lz_red_addsub(u->v, v->v, t.v);
}

/* the DIT layers of spans 4 .. bs inside one block of bs elements (tw:
 * the per-layer twiddle table).  Each group's first butterfly has twiddle
 * 1 (a ninth of the products of a block of 2^10 elements): no product */
static inline __attribute__((always_inline)) void dit_block_layers(fr_t *blk, size_t bs, const fr_t *tw_all) {
    for (size_t len = 4; len <= bs; len <<= 1) {
        size_t half = len >> 1;
        const fr_t *tw = tw_all + half;
        for (size_t g = 0; g < bs; g += len) {
            butterfly1(&blk[g], &blk[g + half]);
            for (size_t j = 1; j < half; j++) butterfly(&blk[g + j], &blk[g + j + half], &tw[j]);
        }
    }
}

/* phase 1: blocks [lo, hi) of 2^block_log elements, all layers inside */
static void t_blocks(void *c, size_t lo, size_t hi) {
    ntt_ctx_t *x = c;
    size_t bs = (size_t)1 << x->block_log;
    for (size_t b = lo; b < hi; b++) {
        fr_t *blk = x->a + b * bs;
        /* len = 2: twiddle 1 */
        for (size_t i = 0; i + 1 < bs; i += 2) butterfly1(&blk[i], &blk[i + 1]);
        dit_block_layers(blk, bs, x->tw);
    }
}

/* phase 2: butterflies [lo, hi) of one layer of span len (> block size) */
static void t_layer(void *c, size_t lo, size_t hi) {
    ntt_ctx_t *x = c;
    size_t half = x->len >> 1;
    const fr_t *tw = x->tw + half;
    size_t t = lo;
    while (t < hi) {
        size_t g = t / half, j = t - g * half;
        size_t end = half;
        if (end - j > hi - t) end = j + (hi - t);
        fr_t *base = x->a + g * x->len;
        for (size_t jj = j; jj < end; jj++) {
            butterfly(&base[jj], &base[jj + half], &tw[jj]);
            if (x->canon) {
                lz_canon(&base[jj]);
                lz_canon(&base[jj + half]);
            }
        }
        t += end - j;
    }
}

/* phase 2, two layers at once (spans len and 2 len, q = len/2): quads
 * [lo, hi) of a[g 2len + j + {0, q, 2q, 3q}], one pass over memory instead
 * of two; the same four multiplications per quad as two radix-2 layers */
static void t_layer2(void *c, size_t lo, size_t hi) {
    ntt_ctx_t *x = c;
    size_t q = x->len >> 1, span = x->len << 1;
    const fr_t *ta = x->tw + q, *tb = x->tw + 2 * q;
    size_t t = lo;
    while (t < hi) {
        size_t g = t / q, j = t - g * q;
        size_t end = q;
        if (end - j > hi - t) end = j + (hi - t);
        fr_t *b0 = x->a + g * span;
        for (size_t jj = j; jj < end; jj++) {
            fr_t *p0 = b0 + jj, *p1 = p0 + q, *p2 = p1 + q, *p3 = p2 + q;
            butterfly(p0, p1, &ta[jj]);
            butterfly(p2, p3, &ta[jj]);
            butterfly(p0, p2, &tb[jj]);
            butterfly(p1, p3, &tb[jj + q]);
            if (x->canon) {
                lz_canon(p0);
                lz_canon(p1);
                lz_canon(p2);
                lz_canon(p3);
            }
        }
        t += end - j;
    }
}

/* The same two kinds of pass for spans beyond the table: the twiddles are
 * running powers (one extra multiplication per butterfly or, two layers at
 * a time, w_a = w_b^2 and w_c = w_b w_4: three per quad), started in each
 * chunk from a power computed with fr_pow. */
static void t_layer_otf(void *c, size_t lo, size_t hi) {
    ntt_ctx_t *x = c;
    size_t half = x->len >> 1;
    fr_t w = ntt_roots[x->len_log], cur;
    size_t t = lo;
    while (t < hi) {
        size_t g = t / half, j = t - g * half;
        size_t end = half;
        if (end - j > hi - t) end = j + (hi - t);
        uint64_t e[1] = {(uint64_t)j};
        fr_pow(&cur, &w, e, 1);
        fr_t *base = x->a + g * x->len;
        for (size_t jj = j; jj < end; jj++) {
            butterfly(&base[jj], &base[jj + half], &cur);
            fr_mul(&cur, &cur, &w);
        }
        t += end - j;
    }
}

static void t_layer2_otf(void *c, size_t lo, size_t hi) {
    ntt_ctx_t *x = c;
    size_t q = x->len >> 1, span = x->len << 1;
    fr_t wstep = ntt_roots[x->len_log + 1], w4 = ntt_roots[2], wb, wa, wc;
    size_t t = lo;
    while (t < hi) {
        size_t g = t / q, j = t - g * q;
        size_t end = q;
        if (end - j > hi - t) end = j + (hi - t);
        uint64_t e[1] = {(uint64_t)j};
        fr_pow(&wb, &wstep, e, 1);
        fr_t *b0 = x->a + g * span;
        for (size_t jj = j; jj < end; jj++) {
            fr_t *p0 = b0 + jj, *p1 = p0 + q, *p2 = p1 + q, *p3 = p2 + q;
            fr_sqr(&wa, &wb);
            fr_mul(&wc, &wb, &w4);
            butterfly(p0, p1, &wa);
            butterfly(p2, p3, &wa);
            butterfly(p0, p2, &wb);
            butterfly(p1, p3, &wc);
            fr_mul(&wb, &wb, &wstep);
        }
        t += end - j;
    }
}

/* [0, 4r) -> [0, r) after the lazy layers */
static void t_canon(void *c, size_t lo, size_t hi) {
    ntt_ctx_t *x = c;
    for (size_t i = lo; i < hi; i++) lz_canon(&x->a[i]);
}

/* inverse finish: a[i] <-> a[n - i] for 0 < i < n/2, optional scaling */
static void t_reverse(void *c, size_t lo, size_t hi) {
    ntt_ctx_t *x = c;
    for (size_t i = lo; i < hi; i++) {
        if (i == 0) {
            if (x->scale) fr_mul(&x->a[0], &x->a[0], &x->k);
            continue;
        }
        size_t j = x->n - i;
        if (i > j) continue;
        fr_t t = x->a[i];
        if (x->scale) {
            fr_mul(&x->a[i], &x->a[j], &x->k);
            if (i != j) fr_mul(&x->a[j], &t, &x->k);
        } else {
            x->a[i] = x->a[j];
            x->a[j] = t;
        }
    }
}

static int log2_exact(size_t n) {
    if (n == 0 || (n & (n - 1))) return -1;
    int k = 0;
    while (((size_t)1 << k) < n) k++;
    return k;
}

/* forward transform, or inverse without/with the 1/n scaling */
/* phase 2: the DIT layers of spans above the block (c->block_log + 1 ..
 * log_n), two per pass over memory, then a single one if left; spans
 * above 2^tlog compute their twiddles on the fly.  The last pass leaves
 * canonical values if it reads a table; else a separate pass does. */
static void dit_passes(ntt_ctx_t *c, int tlog, int threads) {
    int log_n = c->log_n, l = c->block_log + 1, canon_done = 0;
    size_t n = c->n;
    for (; l + 1 <= log_n; l += 2) {
        c->len = (size_t)1 << l;
        c->len_log = l;
        c->canon = l + 1 == log_n && l + 1 <= tlog;
        canon_done = c->canon;
        par_for(n >> 2, threads, (size_t)1 << 11, l + 1 <= tlog ? t_layer2 : t_layer2_otf, c);
    }
    if (l == log_n) {
        c->len = (size_t)1 << l;
        c->len_log = l;
        c->canon = l <= tlog;
        canon_done = c->canon;
        par_for(n >> 1, threads, (size_t)1 << 12, l <= tlog ? t_layer : t_layer_otf, c);
    }
    if (!canon_done) par_for(n, threads, (size_t)1 << 13, t_canon, c);
}

static int ntt_core(fr_t *a, size_t n, int inverse, int scale, int threads) {
    int log_n = log2_exact(n);
    if (log_n < 0 || log_n > NTT_MAX_LOG) return -1;
    if (n == 1) return 0;
    if (log_n < NTT_PAR_MIN_LOG) threads = 1;
    pthread_once(&ntt_roots_once, ntt_roots_init);
    int tlog = ntt_table_log;
    if (tlog > log_n) tlog = log_n;
    const fr_t *tw = get_twiddles(tlog, threads);
    if (!tw) return -2;
    ntt_ctx_t c;
    memset(&c, 0, sizeof c);
    c.a = a; c.tw = tw; c.log_n = log_n; c.n = n;
    par_for(n, threads, (size_t)1 << 12, t_bitrev, &c);
    c.block_log = log_n < NTT_BLOCK_LOG ? log_n : NTT_BLOCK_LOG;
    if (c.block_log > tlog) c.block_log = tlog;
    par_for(n >> c.block_log, threads, 1, t_blocks, &c);
    dit_passes(&c, tlog, threads);
    if (inverse) {
        c.scale = scale;
        if (scale) {
            fr_t nn;
            uint64_t nc[4] = {(uint64_t)n, 0, 0, 0};
            fr_from_canonical(&nn, nc);
            fr_inv(&c.k, &nn);
        }
        par_for(n / 2 + 1, threads, (size_t)1 << 13, t_reverse, &c);
    }
    return 0;
}

int ntt_fr(fr_t *a, size_t n, int inverse, int threads) {
    return ntt_core(a, n, inverse, 1, threads);
}

int ntt_fr_coset(fr_t *a, size_t n, const fr_t *shift, int inverse, int threads) {
    int log_n = log2_exact(n);
    if (log_n < 0 || log_n > NTT_MAX_LOG) return -1;
    int th = log_n < NTT_PAR_MIN_LOG ? 1 : threads;
    fr_t one;
    fr_set_one(&one);
    if (!inverse) {
        frvec_mul_powers(a, a, &one, shift, n, th);
        return ntt_core(a, n, 0, 0, threads);
    }
    int rc = ntt_core(a, n, 1, 0, threads);
    if (rc) return rc;
    /* a[i] *= (1/n) shift^-i */
    fr_t nn, ninv, sinv;
    uint64_t nc[4] = {(uint64_t)n, 0, 0, 0};
    fr_from_canonical(&nn, nc);
    fr_inv(&ninv, &nn);
    fr_inv(&sinv, shift);
    frvec_mul_powers(a, a, &ninv, &sinv, n, th);
    return 0;
}

/* the chain as two transforms (bit reversals, the inverse's reversal pass
 * and a powers pass between them): for spans beyond the twiddle table */
static int to_coset_split(fr_t *a, size_t n, const fr_t *shift, int threads) {
    int log_n = log2_exact(n);
    if (log_n < 0 || log_n > NTT_MAX_LOG) return -1;
    int th = log_n < NTT_PAR_MIN_LOG ? 1 : threads;
    int rc = ntt_core(a, n, 1, 0, threads); /* n times the coefficients */
    if (rc) return rc;
    /* a[i] *= (1/n) shift^i */
    fr_t nn, ninv;
    uint64_t nc[4] = {(uint64_t)n, 0, 0, 0};
    fr_from_canonical(&nn, nc);
    fr_inv(&ninv, &nn);
    frvec_mul_powers(a, a, &ninv, shift, n, th);
    return ntt_core(a, n, 0, 0, threads);
}

/* ---- the fused chain: interpolation, then evaluation on a coset -------------

 * ntt_fr_to_coset without any permutation pass: the inverse transform runs
 * as decimation in frequency (Gentleman-Sande: natural order in,
 * coefficients out in bit-reversed order, times n), the coefficients are
 * scaled in that order by a cached table S[i] = shift^rev(i) / n, and the
 * forward transform runs as decimation in time on the bit-reversed input
 * (natural order out, as ntt_core after its bit reversal).  The layers
 * whose span fits a block of 2^NTT_CHAIN_BLOCK_LOG elements run block by
 * block: the inverse's last layers, the scaling and the forward's first
 * layers in one pass while the block is in cache; the larger spans two
 * layers per pass over memory.
 *
 * Lazy bounds: the DIF layers keep values in [0, 2r) (u + v reduced once
 * by 2r, (u + 2r - v) w < 2r by fr_mul_lazy); the scaling leaves [0, 2r);
 * the DIT layers take [0, 4r) as ntt_core's do; one canonical pass at the
 * end. */
#ifndef NTT_CHAIN_BLOCK_LOG
#define NTT_CHAIN_BLOCK_LOG 10
#endif

/* The inverse's twiddles come from the forward table: for 0 < j < h,
 * w_{2h}^-j = w_{2h}^(2h - j) = -w_{2h}^(h - j) = -tw[2h - j], so the
 * butterfly (u, v) <- (u + v, (u - v) w_{2h}^-j) is
 * (u + v, (v - u) tw[2h - j]): no inverse table, no extra operation.
 * u, v in [0, 2r) in and out, m = tw[2h - j] canonical. */
static inline __attribute__((always_inline)) void dif_bf(fr_t *u, fr_t *v, const fr_t *m) {
    fr_t d;
    lz_dif_pre(u->v, d.v, v->v); /* d = v + 2r - u, u = (u + v) mod 2r */
    fr_mul_lazy(v, m, &d);
}

/* the same with w = 1 */
static inline __attribute__((always_inline)) void dif_bf1(fr_t *u, fr_t *v) {
    fr_t s, d;
    lz_addsub(s.v, d.v, u->v, v->v);
    lz_red2(u->v, s.v);
    lz_red2(v->v, d.v);
}

typedef struct {
    fr_t *a;
    const fr_t *tw;    /* forward table (per-layer layout, see build_twiddles) */
    const fr_t *sc;    /* S[i] = shift^rev(i) / n */
    size_t n;
    size_t h;          /* passes: the (larger) half-span of the pass */
    int block_log;
} chain_ctx_t;

/* DIF layer of half-span h over butterflies [lo, hi) */
static void t_dif_layer(void *c, size_t lo, size_t hi) {
    chain_ctx_t *x = c;
    size_t h = x->h;
    const fr_t *tw = x->tw + 2 * h; /* tw[-j] = -w_{2h}^-j */
    size_t t = lo;
    while (t < hi) {
        size_t g = t / h, j = t - g * h;
        size_t end = h;
        if (end - j > hi - t) end = j + (hi - t);
        fr_t *base = x->a + g * 2 * h;
        if (j == 0) dif_bf1(&base[0], &base[h]);
        for (size_t jj = j ? j : 1; jj < end; jj++) dif_bf(&base[jj], &base[jj + h], tw - jj);
        t += end - j;
    }
}

/* two DIF layers (half-spans h = 2q, then q) per quad [lo, hi) */
static void t_dif_layer2(void *c, size_t lo, size_t hi) {
    chain_ctx_t *x = c;
    size_t q = x->h >> 1, span = x->h << 1;
    const fr_t *ta = x->tw + 2 * q, *tb = x->tw + 4 * q; /* see dif_bf */
    size_t t = lo;
    while (t < hi) {
        size_t g = t / q, j = t - g * q;
        size_t end = q;
        if (end - j > hi - t) end = j + (hi - t);
        fr_t *b0 = x->a + g * span;
        size_t jj = j;
        if (jj == 0) {
            fr_t *p0 = b0, *p1 = p0 + q, *p2 = p1 + q, *p3 = p2 + q;
            dif_bf1(p0, p2);
            dif_bf(p1, p3, tb - q);
            dif_bf1(p0, p1);
            dif_bf1(p2, p3);
            jj = 1;
        }
        for (; jj < end; jj++) {
            fr_t *p0 = b0 + jj, *p1 = p0 + q, *p2 = p1 + q, *p3 = p2 + q;
            dif_bf(p0, p2, tb - jj);
            dif_bf(p1, p3, tb - jj - q);
            dif_bf(p0, p1, ta - jj);
            dif_bf(p2, p3, ta - jj);
        }
        t += end - j;
    }
}

/* blocks [lo, hi): the DIF layers inside a block, the scaling, the DIT
 * layers inside the block */
static void t_chain_blocks(void *c, size_t lo, size_t hi) {
    chain_ctx_t *x = c;
    size_t bs = (size_t)1 << x->block_log;
    for (size_t b = lo; b < hi; b++) {
        fr_t *blk = x->a + b * bs;
        const fr_t *sc = x->sc + b * bs;
        for (size_t h = bs >> 1; h >= 2; h >>= 1) {
            const fr_t *tw = x->tw + 2 * h; /* see dif_bf */
            for (size_t g = 0; g < bs; g += 2 * h) {
                dif_bf1(&blk[g], &blk[g + h]);
                for (size_t j = 1; j < h; j++) dif_bf(&blk[g + j], &blk[g + j + h], tw - j);
            }
        }
        /* the last DIF layer (twiddle 1), the scaling and the first DIT
         * layer (twiddle 1) in one sweep */
        for (size_t i = 0; i < bs; i += 2) {
            dif_bf1(&blk[i], &blk[i + 1]);
            fr_mul_lazy(&blk[i], &sc[i], &blk[i]);
            fr_mul_lazy(&blk[i + 1], &sc[i + 1], &blk[i + 1]);
            butterfly1(&blk[i], &blk[i + 1]);
        }
        dit_block_layers(blk, bs, x->tw);
    }
}

/* scale tables: S[p] = ninv shift^rev(p), cached per size for one shift.
 * For 2^k <= p < 2^(k+1), rev(p) = rev(p - 2^k) + n/2^(k+1), so
 * S[p] = S[p - 2^k] shift^(n/2^(k+1)): one product per entry, written in
 * order. */
typedef struct { fr_t *s; fr_t m; size_t k2; } sc_ctx_t;

static void t_scale_level(void *c, size_t lo, size_t hi) {
    sc_ctx_t *x = c;
    for (size_t i = lo; i < hi; i++) fr_mul(&x->s[x->k2 + i], &x->s[i], &x->m);
}

static fr_t *build_scale(int log_n, const fr_t *shift, int threads) {
    size_t n = (size_t)1 << log_n;
    fr_t *s = (fr_t *)malloc(n * sizeof(fr_t));
    if (!s) return NULL;
    fr_t m[NTT_CACHE_MAX_LOG + 1], nn;
    /* m[k] = shift^(n/2^(k+1)) */
    m[log_n - 1] = *shift;
    for (int k = log_n - 1; k > 0; k--) fr_sqr(&m[k - 1], &m[k]);
    uint64_t nc[4] = {(uint64_t)n, 0, 0, 0};
    fr_from_canonical(&nn, nc);
    fr_inv(&s[0], &nn);
    sc_ctx_t c;
    c.s = s;
    for (int k = 0; k < log_n; k++) {
        c.m = m[k];
        c.k2 = (size_t)1 << k;
        par_for(c.k2, threads, (size_t)1 << 13, t_scale_level, &c);
    }
    return s;
}

static fr_t *sc_cache[NTT_CACHE_MAX_LOG + 1];
static fr_t sc_shift[NTT_CACHE_MAX_LOG + 1];

/* the cached table if its shift matches (the first shift asked for a size
 * is kept: the prover's is always w_{2n}); *owned = 1 if the caller must
 * free the returned table */
static const fr_t *get_scale(int log_n, const fr_t *shift, int threads, int *owned) {
    *owned = 0;
    pthread_mutex_lock(&tw_lock);
    if (!sc_cache[log_n]) {
        sc_cache[log_n] = build_scale(log_n, shift, threads);
        if (sc_cache[log_n]) sc_shift[log_n] = *shift;
    }
    const fr_t *s = sc_cache[log_n];
    int hit = s && fr_eq(&sc_shift[log_n], shift);
    pthread_mutex_unlock(&tw_lock);
    if (hit) return s;
    *owned = 1;
    return build_scale(log_n, shift, threads);
}

static int to_coset_fused(fr_t *a, int log_n, const fr_t *shift, int threads) {
    size_t n = (size_t)1 << log_n;
    if (log_n < NTT_PAR_MIN_LOG) threads = 1;
    pthread_once(&ntt_roots_once, ntt_roots_init);
    chain_ctx_t c;
    memset(&c, 0, sizeof c);
    c.a = a; c.n = n;
    c.tw = get_twiddles(log_n, threads);
    int owned;
    c.sc = get_scale(log_n, shift, threads, &owned);
    if (!c.tw || !c.sc) {
        if (owned) free((void *)c.sc);
        return -2;
    }
    int bl = log_n < NTT_CHAIN_BLOCK_LOG ? log_n : NTT_CHAIN_BLOCK_LOG;
    c.block_log = bl;
    /* inverse, DIF: half-spans n/2 .. 2^bl, a single layer first if their
     * number is odd, then pairs */
    int l = log_n - 1;
    if ((log_n - bl) & 1) {
        c.h = (size_t)1 << l;
        par_for(n >> 1, threads, (size_t)1 << 12, t_dif_layer, &c);
        l--;
    }
    for (; l - 1 >= bl; l -= 2) {
        c.h = (size_t)1 << l;
        par_for(n >> 2, threads, (size_t)1 << 11, t_dif_layer2, &c);
    }
    par_for(n >> bl, threads, 1, t_chain_blocks, &c);
    /* forward, DIT: half-spans 2^bl .. n/2 as ntt_core's (the table
     * covers them all: the last pass leaves canonical values) */
    ntt_ctx_t d;
    memset(&d, 0, sizeof d);
    d.a = a; d.tw = c.tw; d.log_n = log_n; d.n = n; d.block_log = bl;
    dit_passes(&d, log_n, threads);
    if (owned) free((void *)c.sc);
    return 0;
}

static volatile int ntt_fused = 1;

int ntt_set_fused_chain(int on) {
    int old = ntt_fused;
    ntt_fused = on ? 1 : 0;
    return old;
}

int ntt_fr_to_coset(fr_t *a, size_t n, const fr_t *shift, int threads) {
    int log_n = log2_exact(n);
    if (log_n < 0 || log_n > NTT_MAX_LOG) return -1;
    if (n == 1 || log_n > ntt_table_log || !ntt_fused) return to_coset_split(a, n, shift, threads);
    return to_coset_fused(a, log_n, shift, threads);
}

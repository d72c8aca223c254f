/* msm.c - Pippenger MSM, batch and fixed-base scalar multiplication for
 * G1 and G2 (see msm.h); threads through parallel.h. */
#include <stdlib.h>
#include <string.h>
#include "curve.h"
#include "glv.h"
#include "parallel.h"
#include "scalar.h"
#include "msm.h"
#include "msm_ifma.h"
#include <sys/mman.h>
#include <unistd.h>

void zk_release_file_pages(const void *p, size_t n, int release) {
    if (!release || n == 0 || p == NULL) return;
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0) return;
    uintptr_t lo = ((uintptr_t)p + (uintptr_t)ps - 1) & ~((uintptr_t)ps - 1);
    uintptr_t hi = ((uintptr_t)p + n) & ~((uintptr_t)ps - 1);
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* scalars are < r < 2^254 */
#define SCALAR_BITS 254
/* points per batch-normalisation block in mul_each / fixed_base */
#define ZK_BATCH 1024
/* bucket states of the batch-affine accumulation (msm_impl.h) */
enum { MSM_HAS = 1, MSM_OVF = 2, MSM_BUSY = 4 };
/* msm_*_opts flag: plain Pippenger over 254-bit scalars, no GLV split */
#define MSM_NO_GLV 1
#ifndef MSM_BATCH_CAP
#define MSM_BATCH_CAP 1024
#endif
/* segments of the batch-affine bucket reduction (msm_impl.h, reduce_ba);
 * rflag bits: a segment's running sum / weighted sum is infinity */
/* the pending queue holds up to this many batches of points */
#ifndef MSM_PENDING
#define MSM_PENDING 4
#endif
#ifndef MSM_RED_SEGS
#define MSM_RED_SEGS 128
#endif
enum { MSM_RUN_INF = 1, MSM_SUM_INF = 2 };
/* g1_sum/g2_sum: batch-affine buckets for chunks of at least this many
 * points per bucket (fewer: xyzz additions, cheaper than the buckets' sum) */
#ifndef MSM_SUM_BATCH_PER_BUCKET
#define MSM_SUM_BATCH_PER_BUCKET 4
#endif
/* batch-affine accumulation from this many buckets (c >= 10); measured on
 * a 2-core AMD EPYC without AVX-512: 10-25% less CPU than from 2048 at
 * 2^11-2^13 points, the same from 2^13 on */
#ifndef MSM_BATCH_MIN_BUCKETS
#define MSM_BATCH_MIN_BUCKETS 512
#endif

/* Cuts the digit positions 0..bits (Booth recoding needs bits + 1 for
 * scalars below 2^bits) into nwin windows of nearly equal width: window w
 * covers [pos[w], pos[w] + width[w]); the wider ones come first.  Booth
 * digits of width cw satisfy |d| <= 2^(cw-1), and since the top window's
 * highest bit (position bits) is zero, k = sum_w d_w 2^pos[w]. */
static void msm_windows(int bits, int nwin, int *pos, int *width) {
    int total = bits + 1, base = total / nwin, extra = total % nwin, p = 0;
    for (int w = 0; w < nwin; w++) {
        width[w] = base + (w < extra);
        pos[w] = p;
        p += width[w];
    }
}

/* how many of a plan's last windows are split between all the threads:
 * with tail set and whole windows, those left over once every thread has
 * had as many (nwin % threads); none otherwise.  A split window is cut by
 * its buckets, not its points: each part reads every point's digit but
 * adds only the points whose bucket it holds and reduces only those
 * buckets, so the parts share the window's work without paying its bucket
 * reduction more than once (cutting the points would: each part reduces
 * every bucket) */
static int msm_tail_windows(int nwin, int threads, int nch, int tail) {
    return tail && nch == 1 && threads > 1 ? nwin % threads : 0;
}

/* the cost of reading one point's digits in a bucket part of a window
 * (msm_tail_windows), in the cost model's units (a batch-affine addition
 * is about 8.6) */
#define MSM_SCAN_COST 0.3

/* one task of an MSM: window w, points [lo, hi), buckets [blo, bhi) of
 * the window (all of them but for the split windows, msm_tail_windows) */
typedef struct {
    int w;
    uint32_t blo, bhi;
    size_t lo, hi;
} msm_task_t;

/* a Booth digit d of a window whose bucket |d| - 1 lies in [blo, bhi), as
 * a digit of the part holding those buckets (bucket |d| - 1 - blo, the
 * same sign); 0 for the other buckets' digits */
static inline int msm_local_digit(int d, uint32_t blo, uint32_t bhi) {
    uint32_t a = (uint32_t)(d < 0 ? -d : d);
    if (a == 0 || a - 1 < blo || a - 1 >= bhi) return 0;
    return d < 0 ? -(int)(a - blo) : (int)(a - blo);
}

/* Per-group parameters of the cost model: the cost of a batch-affine
 * addition without its share of the inversion, and the bucket count from
 * which windows use batch-affine buckets.  With the 8-lane IFMA flush
 * (G1, msm_ifma.h) additions are about a third cheaper; both pay off from
 * 512 buckets on (G2: 256, MSM_G2_MIN_BUCKETS). */
/* inv: one inversion of the batch, in the same units as add (an Fq2
 * inversion is one Fq inversion, ~380 Fq multiplications, which is about
 * 130 Fq2 multiplications: batches pay off with fewer buckets on G2) */
/* wide: the extra cost of an addition per bit of window width above 13
 * (the buckets outgrow the L2 cache); cpu: the weight of the total work
 * (CPU time, per thread) beside the makespan in the plan's objective */
typedef struct { double add; size_t min_buckets; double inv; double wide; double cpu; } msm_params;

static int msm_ifma_on(void) {
#ifdef MSM_HAVE_IFMA
    return !zk_portable;
#else
    return 0;
#endif
}

static msm_params msm_params_g1(void) {
    /* wide, cpu: measured on a 2-core AMD EPYC (Zen 3, no IFMA), CPU time of
     * msm_g1 on 2 threads for 2^13..2^18 random 254-bit scalars (twice as
     * many GLV points), every window size: the makespan-only objective with
     * 0.25 per wide bit chose c = 13 (10 windows) for 2^16 and 2^17 scalars
     * where c = 15 (9 windows,
     * 14-15 bits: one thread takes 5 windows, the other 4) takes 12% and 7%
     * less CPU (0.273 -> 0.241 s, 0.543 -> 0.506 s) for the same wall time;
     * the plans elsewhere are unchanged but for 2^13 scalars (c = 12, 4% less) */
    msm_params p = {8.6, MSM_BATCH_MIN_BUCKETS, 380.0, 0.05, 5.0};
    if (msm_ifma_on()) { p.add = 5.9; p.min_buckets = 512; p.wide = 0.25; p.cpu = 0.0; }
    return p;
}

/* G2 batch-affine buckets from this many (measured: a G2 MSM of 1,900
 * points -32% CPU, 4,000 -12%, the same from 10,000 on) */
#ifndef MSM_G2_MIN_BUCKETS
#define MSM_G2_MIN_BUCKETS 256
#endif
static msm_params msm_params_g2(void) {
    msm_params p = {8.6, MSM_G2_MIN_BUCKETS, 130.0, 0.25, 0.0};
    if (msm_ifma_on()) { p.add = 5.9; p.min_buckets = 512; }
    return p;
}

/* Cost model, in field-multiplication equivalents measured on the
 * development machine (one MSM, CPU time per window size): a batch-affine
 * bucket addition costs P.add (6M + 1S plus queueing; 8.6 scalar, 5.9
 * with IFMA) plus its share of one inversion (~380M per batch of
 * min(2^(w-1)/4, 1024) additions), an xyzz one about 12.5 (8M + 2S plus
 * the loop); the bucket reduction about 17 per affine bucket
 * (batch-affine segments, reduce_ba) and 28 per xyzz bucket; from 2^13
 * buckets on an addition costs a little more (cache misses: measured at
 * 2^18 points c = 15 beats c = 16 by 4%; P.wide per bit).  A window of
 * width w has 2^(w-1) buckets.  The plan (window size c, chunks per window)
 * minimises the makespan of the tasks handed out in order to the first
 * free thread, plus P.cpu times their total work per thread;
 * chunks split a window's points between tasks (each chunk pays its own
 * reduction), which helps when windows divide badly between threads. */
static double msm_cost(size_t npts, int bits, int threads, int c, int nch, int tail,
                       msm_params P) {
    int nw = (bits + 1 + c - 1) / c;
    int pos[256], width[256];
    double fin[64] = {0}, total = 0;
    if (threads > 64) threads = 64;
    msm_windows(bits, nw, pos, width);
    int split_from = nw - msm_tail_windows(nw, threads, nch, tail);
    for (int w = 0; w < nw; w++) {
        int split = w >= split_from;
        int k = split ? threads : nch; /* this window's tasks */
        double per = (double)npts / k;
        size_t nbi = (size_t)1 << (width[w] - 1);
        double nb = (double)nbi;
        int batch = nbi >= P.min_buckets;
        double cap = nb / 4 < MSM_BATCH_CAP ? nb / 4 : MSM_BATCH_CAP;
        /* wide windows: the buckets outgrow the L2 cache */
        double add = batch ? P.add + P.inv / cap + P.wide * (width[w] > 13 ? width[w] - 13 : 0) : 12.5;
        double red = !batch ? 28.0 : nb >= 2 * MSM_RED_SEGS ? 17.0 : 24.0;
        /* a bucket part reads every point's digit (MSM_SCAN_COST each) */
        double task = split ? npts * MSM_SCAN_COST + per * add + nb / k * red : per * add + nb * red;
        total += task * k;
        for (int i = 0; i < k; i++) {
            int j = 0;
            for (int t = 1; t < threads; t++) if (fin[t] < fin[j]) j = t;
            fin[j] += task;
        }
    }
    double m = 0;
    for (int i = 0; i < threads; i++) if (fin[i] > m) m = fin[i];
    return m + P.cpu * total / threads;
}

/* The plan: window size c, chunks per window nch and, with whole windows
 * (nch = 1) that do not divide evenly between the threads, whether the
 * last nwin % threads windows (the narrowest) are split between all the
 * threads (*tail_out = 1): each split pays one more bucket reduction, a
 * small part of a window, against a thread idle for a whole window (2^16
 * and 2^17 GLV points on 2 threads: 9 windows of 15 bits, one thread took
 * 5 and the other 4). */
static void msm_plan_ex(size_t npts, int bits, int threads, msm_params P, int *c_out, int *nch_out,
                        int *tail_out) {
    int bc = 1, bn = 1, bt = 0;
    double best = 1e300;
    if (threads < 1) threads = 1;
    for (int c = 1; c <= 16; c++)
        for (int nch = 1; nch <= 64; nch *= 2) {
            if (nch > 1 && (threads == 1 || npts / (size_t)nch < 4096)) break;
            int tails = nch == 1 && threads > 1 && npts / (size_t)threads >= 4096;
            for (int tail = 0; tail <= tails; tail++) {
                double cost = msm_cost(npts, bits, threads, c, nch, tail, P);
                if (cost < best * 0.999) { best = cost; bc = c; bn = nch; bt = tail; }
            }
        }
    *c_out = bc;
    *nch_out = bn;
    *tail_out = bt;
}

void msm_plan(size_t npts, int bits, int threads, int *c_out, int *nch_out) {
    int tail;
    msm_plan_ex(npts, bits, threads, msm_params_g1(), c_out, nch_out, &tail);
}

void msm_plan_tail(size_t npts, int bits, int threads, int *c_out, int *nch_out, int *tail_out) {
    msm_plan_ex(npts, bits, threads, msm_params_g1(), c_out, nch_out, tail_out);
}

/* Test hook of the 8-lane flush's change of form (msm_ifma.h): for each
 * 4-limb integer in[i] < p, out16[i] = 16 in[i] mod p (what a lane holds
 * after loading in[i]) and outdiv[i] = in[i] / 16 mod p (what a store of
 * a lane holding in[i] writes).  Returns -1 where the IFMA code is not
 * compiled in. */
int msm_ifma_form(uint64_t *out16, uint64_t *outdiv, const uint64_t *in, size_t n) {
#ifdef MSM_HAVE_IFMA
    for (size_t g = 0; g < n; g += 8) {
        uint64_t addr[8] __attribute__((aligned(64))), lanes[8][4];
        for (int j = 0; j < 8; j++) {
            size_t k = g + (size_t)j < n ? g + (size_t)j : g;
            addr[j] = (uint64_t)(uintptr_t)(in + 4 * k);
            memcpy(lanes[j], in + 4 * k, 32);
        }
        v8fe a = v8_load(_mm512_load_si512((const void *)addr), 0);
        v8fe b = v8_from_lanes((const uint64_t(*)[4])lanes), d;
        v8_div16(&d, &b);
        for (int j = 0; j < 8 && g + (size_t)j < n; j++) {
            v8_lane_get(out16 + 4 * (g + (size_t)j), &a, j);
            v8_lane_get(outdiv + 4 * (g + (size_t)j), &d, j);
        }
    }
    return 0;
#else
    (void)out16; (void)outdiv; (void)in; (void)n;
    return -1;
#endif
}

int msm_window_size(size_t n) {
    int c, nch, tail;
    msm_plan_ex(2 * n, GLV_BITS, 1, msm_params_g1(), &c, &nch, &tail);
    return c;
}

#ifdef MSM_HAVE_IFMA
#define MSM_VEC_NEW ifma_new
#define MSM_VEC_FREE ifma_free
#define MSM_VEC_FLUSH ifma_flush
#define MSM_VEC_RADD ifma_radd
#endif
#define MSM_PARAMS msm_params_g1
#define ENDO_X(r, a) fq_mul((r), (a), &GLV_BETA)
#define CURVE g1
#define FIELD fq
#define FE fq_t
#include "msm_impl.h"
#undef CURVE
#undef FIELD
#undef FE

#undef ENDO_X
#undef MSM_VEC_NEW
#undef MSM_VEC_FREE
#undef MSM_VEC_FLUSH
#undef MSM_VEC_RADD

#undef MSM_PARAMS
#define MSM_PARAMS msm_params_g2
#ifdef MSM_HAVE_IFMA
#define MSM_VEC_NEW ifma2_new
#define MSM_VEC_FREE ifma2_free
#define MSM_VEC_FLUSH ifma2_flush
#define MSM_VEC_RADD ifma2_radd
#endif
#define ENDO_X(r, a) fq2_mul_by_fq((r), (a), &GLV_BETA2)
#define CURVE g2
#define FIELD fq2
#define FE fq2_t
#include "msm_impl.h"
#undef CURVE
#undef FIELD
#undef FE
#undef ENDO_X
#undef MSM_PARAMS
#undef MSM_VEC_NEW
#undef MSM_VEC_FREE
#undef MSM_VEC_FLUSH
#undef MSM_VEC_RADD

/* ---- multi-threaded validators ------------------------------------------------ */

typedef struct {
    const uint64_t *pts;
    size_t n, width;
    int group, subgroup;
    size_t next;      /* atomic block counter */
    int64_t bad;      /* smallest bad index found (atomic min), or -1 */
} check_ctx;

#define CHECK_BLOCK 256

static void *check_worker(void *arg) {
    check_ctx *x = (check_ctx *)arg;
    size_t nblk = (x->n + CHECK_BLOCK - 1) / CHECK_BLOCK;
    for (;;) {
        size_t blk = __atomic_fetch_add(&x->next, 1, __ATOMIC_RELAXED);
        if (blk >= nblk) break;
        size_t lo = blk * CHECK_BLOCK, hi = lo + CHECK_BLOCK;
        if (hi > x->n) hi = x->n;
        int64_t cur = __atomic_load_n(&x->bad, __ATOMIC_RELAXED);
        if (cur >= 0 && (size_t)cur < lo) continue;   /* an earlier bad point is known */
        int64_t r = x->group == 1 ? g1_check_array(x->pts + x->width * lo, hi - lo)
                                  : g2_check_array(x->pts + x->width * lo, hi - lo, x->subgroup);
        if (r < 0) continue;
        int64_t idx = (int64_t)lo + r;
        cur = __atomic_load_n(&x->bad, __ATOMIC_RELAXED);
        while ((cur < 0 || idx < cur) &&
               !__atomic_compare_exchange_n(&x->bad, &cur, idx, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
        }
    }
    return NULL;
}

static int64_t check_mt(const uint64_t *pts, size_t n, int group, int subgroup, int threads) {
    check_ctx x = {pts, n, group == 1 ? 8 : 16, group, subgroup, 0, -1};
    size_t nblk = (n + CHECK_BLOCK - 1) / CHECK_BLOCK;
    threads = par_threads(threads);
    if ((size_t)threads > nblk) threads = (int)(nblk ? nblk : 1);
    par_run(check_worker, &x, threads);
    return x.bad;
}

int64_t g1_check_array_mt(const uint64_t *pts, size_t n, int threads) {
    return check_mt(pts, n, 1, 0, threads);
}

int64_t g2_check_array_mt(const uint64_t *pts, size_t n, int subgroup, int threads) {
    return check_mt(pts, n, 2, subgroup, threads);
}

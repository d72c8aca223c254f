/* prover.c - Groth16 prover kernels; see prover.h. */
#include "prover.h"
#include "field.h"
#include "msm.h"
#include "ntt.h"
#include "curve.h"

#include <stdlib.h>
#include <time.h>

#include <string.h>
#include "parallel.h"

/* one coefficient entry decoded; 1 if it is in range for (domain, n_vars) */
static inline int coef_entry(const uint8_t *e, size_t domain, size_t n_vars,
                             uint32_t *m, uint32_t *row, uint32_t *sig, fr_t *coef) {
    memcpy(m, e, 4);
    memcpy(row, e + 4, 4);
    memcpy(sig, e + 8, 4);
    memcpy(coef->v, e + 12, 32);
    return *m <= 1 && *row < domain && *sig < n_vars && fr_is_canonical(coef->v);
}

int64_t zk_coeffs_first_bad(const uint8_t *coeffs, size_t n_coef, size_t domain, size_t n_vars) {
    for (size_t i = 0; i < n_coef; i++) {
        uint32_t m, row, sig;
        fr_t coef;
        if (!coef_entry(coeffs + 44 * i, domain, n_vars, &m, &row, &sig, &coef))
            return (int64_t)i;
    }
    return -1;
}

int64_t zk_qap_ab(const uint8_t *coeffs, size_t n_coef,
                  const uint64_t *witness, size_t n_vars,
                  uint64_t *a, uint64_t *b, size_t domain) {
    memset(a, 0, domain * 32);
    memset(b, 0, domain * 32);
    uint64_t *out[2] = {a, b};
    for (size_t i = 0; i < n_coef; i++) {
        uint32_t m, row, sig;
        fr_t coef, t;
        if (!coef_entry(coeffs + 44 * i, domain, n_vars, &m, &row, &sig, &coef))
            return (int64_t)i;
        fr_mul(&t, &coef, (const fr_t *)(witness + 4 * (size_t)sig));
        fr_t *dst = (fr_t *)(out[m] + 4 * (size_t)row);
        fr_add(dst, dst, &t);
    }
    return -1;
}

/* ---- simple two-way split for the element-wise loops ------------------- */

typedef struct {
    int op;
    uint64_t *out;
    const uint64_t *a, *b, *c;
    size_t lo, hi;
    fr_t g;
} job_t;

static void run_job(job_t *j) {
    if (j->op == 0) {
        for (size_t i = j->lo; i < j->hi; i++)
            fr_mul((fr_t *)(j->out + 4 * i), (const fr_t *)(j->a + 4 * i), (const fr_t *)(j->b + 4 * i));
    } else if (j->op == 1) {
        /* start power g^lo */
        fr_t p;
        fr_set_one(&p);
        uint64_t e = j->lo;
        fr_t base = j->g;
        while (e) {
            if (e & 1) fr_mul(&p, &p, &base);
            fr_sqr(&base, &base);
            e >>= 1;
        }
        for (size_t i = j->lo; i < j->hi; i++) {
            fr_t *x = (fr_t *)(j->out + 4 * i);
            fr_mul(x, x, &p);
            fr_mul(&p, &p, &j->g);
        }
    } else {
        for (size_t i = j->lo; i < j->hi; i++) {
            fr_t t;
            fr_mul(&t, (const fr_t *)(j->a + 4 * i), (const fr_t *)(j->b + 4 * i));
            fr_sub(&t, &t, (const fr_t *)(j->c + 4 * i));
            fr_to_canonical(j->out + 4 * i, &t);
        }
    }
}

/* the element-wise passes run over at most MAX_SPLIT threads, each taking at
 * least MIN_PER_THREAD elements */
#define MAX_SPLIT 8
#define MIN_PER_THREAD 4096

static void job_range(void *ctx, size_t lo, size_t hi) {
    job_t j = *(const job_t *)ctx;
    j.lo = lo;
    j.hi = hi;
    run_job(&j);
}

/* run proto over [0, n) split across up to `threads` threads (0: all cores) */
static void split_run_k(job_t proto, size_t n, int threads) {
    int k = par_threads(threads);
    if (k > MAX_SPLIT) k = MAX_SPLIT;
    par_for(n, k, MIN_PER_THREAD, job_range, &proto);
}

static void split_run(job_t proto, size_t n) { split_run_k(proto, n, 0); }

void zk_fr_mul_pointwise(uint64_t *c, const uint64_t *a, const uint64_t *b, size_t n) {
    job_t j = {0};
    j.op = 0; j.out = c; j.a = a; j.b = b;
    split_run(j, n);
}

void zk_fr_scale_powers(uint64_t *v, size_t n, const uint64_t *g_mont) {
    job_t j = {0};
    j.op = 1; j.out = v;
    memcpy(j.g.v, g_mont, 32);
    split_run(j, n);
}

void zk_fr_join_abc(uint64_t *out, const uint64_t *a, const uint64_t *b,
                    const uint64_t *c, size_t n) {
    job_t j = {0};
    j.op = 2; j.out = out; j.a = a; j.b = b; j.c = c;
    split_run(j, n);
}

/* ---- the whole prover core ---------------------------------------------- */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    const uint8_t *coeffs;
    size_t n_coef;
    const uint64_t *w;
    size_t n_vars, domain;
    int log_n, threads;
    int last_threads;      /* threads of the last NTT chain */
    uint64_t *a, *b, *c;   /* a receives h */
    int release;           /* drop the coefficient section's pages once read */
    int64_t bad;           /* first bad coefficient entry, or -1 */
    int rc;                /* 0, or -1 when memory ran out (atomic) */
    int stage;             /* QUOT_*: how far the quotient got (atomic) */
    int next;              /* the next of the three NTT chains to take (atomic) */
    double seconds;        /* wall time of the quotient */
} quot_t;

/* q->stage: the A, B pass and C = A B are running; the three NTT chains
 * (q->next) can be taken; nothing is left to take (done or failed) */
enum { QUOT_AB = 0, QUOT_NTT = 1, QUOT_OVER = 2 };

/* h = canonical(A B - C) on snarkjs' coset (see prover.h) into q->a */
static void quotient_body(quot_t *q);

static void quotient_run(quot_t *q) {
    double t0 = now_s();
    quotient_body(q);
    q->seconds = now_s() - t0;
}

/* Takes NTT chains (inverse NTT, then the coset NTT, of A, B or C) until
 * none is left; run by the quotient's thread and, once its
 * multi-exponentiations are done, by the caller's (the chains are
 * independent: when the witness makes the MSMs light, e.g. mostly 0/1
 * values, the quotient is the longer branch and the caller shares it).
 * The last chain runs on `last_threads`: three chains on two threads
 * would otherwise leave one thread idle for a whole chain (the other
 * thread's share is given back by the system's scheduler once that
 * thread's own chain is done). */
static void quotient_ntts(quot_t *q, int threads, int last_threads) {
    fr_t shift;
    ntt_root_of_unity(&shift, q->log_n + 1);
    uint64_t *v[3] = {q->a, q->b, q->c};
    for (;;) {
        int i = __atomic_fetch_add(&q->next, 1, __ATOMIC_ACQ_REL);
        if (i >= 3) return;
        if (ntt_fr_to_coset((fr_t *)v[i], q->domain, &shift, i == 2 ? last_threads : threads) != 0)
            __atomic_store_n(&q->rc, -1, __ATOMIC_RELEASE);
    }
}

/* the A, B pass, C = A B and the NTT chains this thread takes; the final
 * pass (h = A B - C) is quotient_join's, once every chain is done */
static void quotient_body(quot_t *q) {
    size_t n = q->domain;
    q->bad = zk_qap_ab(q->coeffs, q->n_coef, q->w, q->n_vars, q->a, q->b, n);
    zk_release_file_pages(q->coeffs, 44 * q->n_coef, q->release);
    if (q->bad >= 0) {
        __atomic_store_n(&q->stage, QUOT_OVER, __ATOMIC_RELEASE);
        return;
    }
    job_t j = {0};
    j.op = 0; j.out = q->c; j.a = q->a; j.b = q->b;
    split_run_k(j, n, q->threads);
    __atomic_store_n(&q->stage, QUOT_NTT, __ATOMIC_RELEASE);
    quotient_ntts(q, q->threads, q->last_threads);
    __atomic_store_n(&q->stage, QUOT_OVER, __ATOMIC_RELEASE);
}

/* h = canonical(A B - C) on the coset into q->a, on `threads` threads */
static void quotient_join(quot_t *q, int threads) {
    job_t k = {0};
    k.op = 2; k.out = q->a; k.a = q->a; k.b = q->b; k.c = q->c;
    split_run_k(k, q->domain, threads);
}

/* the caller's share of a quotient running on its own thread: waits for
 * the NTT chains to become available (the A, B pass is short), takes
 * what is left of them, then waits for the thread */
static void quotient_help(quot_t *q, par_task_t *task) {
    struct timespec pause = {0, 20000};
    while (__atomic_load_n(&q->stage, __ATOMIC_ACQUIRE) == QUOT_AB) nanosleep(&pause, NULL);
    if (__atomic_load_n(&q->stage, __ATOMIC_ACQUIRE) == QUOT_NTT) quotient_ntts(q, 1, q->last_threads);
    par_join(task);
}

static void *quotient_thread(void *arg) {
    quotient_run((quot_t *)arg);
    return NULL;
}

static int is_zero_limbs(const uint64_t *p, size_t limbs) {
    for (size_t i = 0; i < limbs; i++)
        if (p[i]) return 0;
    return 1;
}

/* a point of `width` limbs at any alignment is all zeros (infinity) */
static int point_is_inf(const uint8_t *p, size_t width) {
    uint64_t t[16];
    memcpy(t, p, width * 8);
    return is_zero_limbs(t, width);
}

static int is_one_limbs(const uint64_t *p) {
    return p[0] == 1 && (p[1] | p[2] | p[3]) == 0;
}

/* the live rows of a segment (scalar not zero, base not infinity) and how
 * many of those have the scalar 1, counted over ranges on the threads */
typedef struct {
    const uint8_t *bases;
    const uint64_t *scalars;
    size_t width;
    size_t live, ones; /* atomic sums */
} live_ctx_t;

static void count_live(void *ctx, size_t lo, size_t hi) {
    live_ctx_t *c = (live_ctx_t *)ctx;
    const size_t pb = c->width * 8;
    size_t live = 0, ones = 0;
    for (size_t i = lo; i < hi; i++) {
        const uint64_t *k = c->scalars + 4 * i;
        if (is_zero_limbs(k, 4) || point_is_inf(c->bases + pb * i, c->width)) continue;
        live++;
        ones += is_one_limbs(k);
    }
    __atomic_fetch_add(&c->live, live, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c->ones, ones, __ATOMIC_RELAXED);
}

/* scalars equal to 1 leave the Pippenger from this many on (fewer: the
 * gather and the second result are not worth it) */
#define ONES_MIN 256

/* a run of rows of a multi-exponentiation: bases (a key section at any
 * alignment) and their scalars */
typedef struct {
    const uint8_t *bases;
    const uint64_t *scalars;
    size_t n;
} msm_seg_t;

/* out = sum over the rows of the segments (one, or two summed as one
 * multi-exponentiation: the prover's C and H) where the base is not
 * infinity and the scalar not zero.  circom keys leave many bases at
 * infinity (a signal absent from every B row has B1 = B2 = 0) and
 * bit-heavy witnesses (SHA-256) are mostly 0 and 1: unless at least 90% of
 * the rows are live scalars other than 1, the rows are gathered first, the
 * bases of the scalars equal to 1 apart: those are summed (g1_sum/g2_sum,
 * about one addition each), the others go to the Pippenger.  The bases
 * are key sections at any alignment (snarkjs puts its sections at offsets
 * 2 or 4 mod 8): dense segments go to msm_g1_sections/msm_g2_sections as
 * they are (that copies misaligned points on every thread while it splits
 * the scalars), gathered rows are copied; with `release` each section's
 * file pages are dropped as soon as they have been read.  width: 8 (G1) or 16 (G2).
 * Returns 0 or -1 (memory). */
static int msm_segs(uint64_t *out, const msm_seg_t *seg, int nseg, size_t width, int threads,
                    int release) {
    int (*fn)(uint64_t *, const uint64_t *, const uint64_t *, size_t, int) =
        width == 8 ? msm_g1 : msm_g2;
    int (*sum)(uint64_t *, const uint64_t *, size_t, int) = width == 8 ? g1_sum : g2_sum;
    void (*add)(uint64_t *, const uint64_t *, const uint64_t *) =
        width == 8 ? g1_add_affine : g2_add_affine;
    const size_t pb = width * 8; /* bytes per point */
    size_t live = 0, ones = 0, n = 0;
    for (int g = 0; g < nseg; g++) {
        live_ctx_t lc = {seg[g].bases, seg[g].scalars, width, 0, 0};
        par_for(seg[g].n, par_threads(threads), 16384, count_live, &lc);
        live += lc.live;
        ones += lc.ones;
        n += seg[g].n;
    }
    memset(out, 0, pb);
    if (live == 0) {
        for (int g = 0; g < nseg; g++) zk_release_file_pages(seg[g].bases, pb * seg[g].n, release);
        return 0;
    }
    if (ones < ONES_MIN) ones = 0; /* stay in the Pippenger */
    int rc;
    if (ones == 0 && (double)live >= 0.9 * (double)n) {
        /* dense: the multi-exponentiation reads the sections where they
         * are (nseg <= 2; misaligned points are copied by its threads) */
        int (*sec)(uint64_t *, const uint8_t *, const uint64_t *, size_t, const uint8_t *,
                   const uint64_t *, size_t, int, int) = width == 8 ? msm_g1_sections : msm_g2_sections;
        return sec(out, seg[0].bases, seg[0].scalars, seg[0].n, nseg > 1 ? seg[1].bases : NULL,
                   nseg > 1 ? seg[1].scalars : NULL, nseg > 1 ? seg[1].n : 0, threads, release);
    }
    size_t rest = live - ones;
    uint64_t *cb = malloc(rest * pb + 8), *cs = malloc(rest * 32 + 8);
    uint64_t *ob = malloc(ones * pb + 8);
    if (!cb || !cs || !ob) { free(cb); free(cs); free(ob); return -1; }
    size_t k = 0, o = 0;
    for (int g = 0; g < nseg; g++) {
        const uint8_t *bases = seg[g].bases;
        const uint64_t *scalars = seg[g].scalars;
        for (size_t i = 0; i < seg[g].n; i++) {
            const uint64_t *sc = scalars + 4 * i;
            if (is_zero_limbs(sc, 4) || point_is_inf(bases + pb * i, width)) continue;
            if (ones && is_one_limbs(sc)) {
                memcpy(ob + width * o++, bases + pb * i, pb);
                continue;
            }
            memcpy(cb + width * k, bases + pb * i, pb);
            memcpy(cs + 4 * k, sc, 32);
            k++;
        }
        zk_release_file_pages(bases, pb * seg[g].n, release);
    }
    rc = rest ? fn(out, cb, cs, rest, threads) : 0;
    free(cb);
    free(cs);
    if (rc == 0 && ones) {
        uint64_t part[16];
        rc = sum(part, ob, ones, threads);
        if (rc == 0) add(out, out, part);
    }
    free(ob);
    return rc;
}

static int msm_live(uint64_t *out, const uint8_t *bases, const uint64_t *scalars, size_t n,
                    size_t width, int threads, int release) {
    msm_seg_t seg = {bases, scalars, n};
    return msm_segs(out, &seg, 1, width, threads, release);
}

int zk_groth16_prove_core(const uint8_t *coeffs, size_t n_coef,
                          const uint64_t *witness, size_t n_vars, size_t n_public,
                          size_t domain,
                          const uint8_t *pts_a, const uint8_t *pts_b1, const uint8_t *pts_b2,
                          const uint8_t *pts_c, const uint8_t *pts_h,
                          uint64_t *out, int threads, int flags, int64_t *bad_coef,
                          double *seconds) {
    const int overlap = flags & ZK_PROVE_OVERLAP, release = (flags & ZK_PROVE_RELEASE) != 0;
    *bad_coef = -1;
    for (int i = 0; i < 5; i++) seconds[i] = 0.0;
    if (domain < 2 || (domain & (domain - 1)) || domain > ((size_t)1 << (NTT_MAX_LOG - 1)))
        return -3;
    if (n_public + 1 > n_vars) return -3;
    int log_n = 0;
    while (((size_t)1 << log_n) < domain) log_n++;
    const double t0 = now_s();
    quot_t q = {0};
    q.coeffs = coeffs; q.n_coef = n_coef; q.w = witness; q.n_vars = n_vars;
    q.domain = domain; q.log_n = log_n; q.bad = -1; q.release = release;
    q.a = malloc(domain * 32); q.b = malloc(domain * 32); q.c = malloc(domain * 32);
    if (!q.a || !q.b || !q.c) { free(q.a); free(q.b); free(q.c); return -1; }

    /* overlap: the quotient (single-threaded, poorly parallel at small sizes)
     * runs beside the A/B1/B2 multi-exponentiations; the caller takes over
     * its remaining NTT chains when these are done (quotient_help) */
    par_task_t quotient = {0};
    int started = 0;
    q.last_threads = threads;
    if (overlap) {
        q.threads = 1;
        started = par_start(&quotient, quotient_thread, &q);
    }
    if (!started) {
        q.threads = threads;
        quotient_run(&q);
        if (q.bad < 0 && !q.rc) quotient_join(&q, threads);
        q.seconds = now_s() - t0;
    }
    int rc = 0;
    if (!started && (q.bad >= 0 || q.rc)) goto done;
    size_t n_priv = n_vars - n_public - 1;
    double t = now_s(), t1;
    rc |= msm_live(out + 0, pts_a, witness, n_vars, 8, threads, release);
    t1 = now_s(); seconds[1] = t1 - t; t = t1;
    rc |= msm_live(out + 8, pts_b1, witness, n_vars, 8, threads, release);
    t1 = now_s(); seconds[2] = t1 - t; t = t1;
    rc |= msm_live(out + 16, pts_b2, witness, n_vars, 16, threads, release);
    t1 = now_s(); seconds[3] = t1 - t; t = t1;
    if (started) {
        quotient_help(&q, &quotient);
        if (!rc && q.bad < 0 && !q.rc) quotient_join(&q, threads);
        q.seconds = now_s() - t0;
    }
    if (rc || q.bad >= 0 || q.rc) goto done;
    /* only h (in q.a) is still needed */
    free(q.b); free(q.c);
    q.b = q.c = NULL;
    /* C.w + H.h as one multi-exponentiation (one Pippenger over both: a
     * larger window, half the bucket reductions) */
    t = now_s();
    {
        msm_seg_t seg[2] = {{pts_c, witness + 4 * (n_public + 1), n_priv}, {pts_h, q.a, domain}};
        rc = msm_segs(out + 32, seg, 2, 8, threads, release);
    }
    seconds[4] = now_s() - t;
done:
    seconds[0] = q.seconds;
    free(q.a); free(q.b); free(q.c);
    if (q.bad >= 0) { *bad_coef = q.bad; return -2; }
    if (q.rc || rc) return -1;
    return 0;
}

/* msm.c - Pippenger MSM, batch and fixed-base scalar multiplication for
 * G1 and G2 (see msm.h), and the small pthread pool helper they share. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "curve.h"
#include "scalar.h"
#include "msm.h"

/* scalars are < r < 2^254 */
#define SCALAR_BITS 254
/* points per batch-normalisation block in mul_each / fixed_base */
#define ZK_BATCH 1024
/* bucket states of the batch-affine accumulation (msm_impl.h) */
enum { MSM_HAS = 1, MSM_OVF = 2, MSM_BUSY = 4 };
/* batch-affine accumulation from this many buckets (c >= 12) */
#ifndef MSM_BATCH_CAP
#define MSM_BATCH_CAP 1024
#endif
#ifndef MSM_BATCH_MIN_BUCKETS
#define MSM_BATCH_MIN_BUCKETS 2048
#endif

static int zk_threads(int threads) {
    if (threads > 0) return threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Runs fn(arg) on `threads` threads (the caller's thread is one of them);
 * fn pulls work from a shared atomic counter in arg.  If a thread cannot
 * be created, the remaining work is done by the threads that exist. */
static void zk_run_threads(void *(*fn)(void *), void *arg, int threads) {
    if (threads <= 1) { fn(arg); return; }
    pthread_t *tid = (pthread_t *)malloc((size_t)(threads - 1) * sizeof(pthread_t));
    int started = 0;
    if (tid)
        for (; started < threads - 1; started++)
            if (pthread_create(&tid[started], NULL, fn, arg) != 0) break;
    fn(arg);
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
    free(tid);
}

/* Window size minimising nwin * (n + 1.5 * 2^c): bucket additions plus the
 * two full additions per bucket of the running-sum reduction. */
int msm_window_size(size_t n) {
    int best = 1;
    double bestc = 1e300;
    for (int c = 1; c <= 16; c++) {
        int nw = (SCALAR_BITS + 1 + c - 1) / c;
        double cost = (double)nw * ((double)n + 1.5 * (double)((size_t)1 << c));
        if (cost < bestc) { bestc = cost; best = c; }
    }
    return best;
}

#define CURVE g1
#define FIELD fq
#define FE fq_t
#include "msm_impl.h"
#undef CURVE
#undef FIELD
#undef FE

#define CURVE g2
#define FIELD fq2
#define FE fq2_t
#include "msm_impl.h"
#undef CURVE
#undef FIELD
#undef FE

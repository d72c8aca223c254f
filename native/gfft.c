/* gfft.c - see gfft.h */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "curve.h"
#include "gfft.h"

static int gfft_threads(int threads) {
    if (threads > 0) return threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* fn(arg) on `threads` threads including the caller's; work is shared
 * through an atomic counter inside arg, so fewer threads is still correct. */
static void gfft_run(void *(*fn)(void *), void *arg, int threads) {
    pthread_t tid[64];
    int started = 0;
    if (threads > 65) threads = 65;
    for (; started < threads - 1; started++)
        if (pthread_create(&tid[started], NULL, fn, arg) != 0) break;
    fn(arg);
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
}

/* (r-1)/2 */
static const uint64_t FR_HALF[4] = {0xa1f0fac9f8000000ULL, 0x9419f4243cdcb848ULL,
                                    0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};

/* k = s or r - s, whichever is smaller; returns 1 when negated */
static int signed_small(uint64_t k[4], const uint64_t s[4]) {
    uint64_t t[4];
    if (limbs_sub(t, FR_HALF, s)) {      /* s > (r-1)/2 */
        limbs_sub(k, FR_P, s);
        return 1;
    }
    memcpy(k, s, 32);
    return 0;
}

#define CURVE g1
#include "gfft_impl.h"
#undef CURVE
#define CURVE g2
#include "gfft_impl.h"
#undef CURVE

int zs_g1_sub_batch(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {
    g1_jac_t *j = (g1_jac_t *)malloc((n ? n : 1) * sizeof(g1_jac_t));
    if (!j) return -1;
    const g1_aff_t *A = (const g1_aff_t *)a, *B = (const g1_aff_t *)b;
    for (size_t i = 0; i < n; i++) {
        g1_aff_t nb;
        g1_aff_neg(&nb, &B[i]);
        g1_jac_from_aff(&j[i], &A[i]);
        g1_jac_madd(&j[i], &j[i], &nb);
    }
    g1_jac_batch_to_aff((g1_aff_t *)out, j, n);
    free(j);
    return 0;
}

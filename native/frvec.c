/* frvec.c - multi-threaded elementwise Fr vector operations (see frvec.h). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "frvec.h"

int frv_thread_count(int threads) {
    if (threads > 0) return threads;
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)c : 1;
}

typedef struct {
    frv_task_fn fn;
    void *ctx;
    size_t lo, hi;
} frv_job_t;

static void *frv_run(void *arg) {
    frv_job_t *j = (frv_job_t *)arg;
    j->fn(j->ctx, j->lo, j->hi);
    return NULL;
}

void frv_parallel_for(size_t n, int threads, size_t grain, frv_task_fn fn, void *ctx) {
    if (n == 0) return;
    if (grain == 0) grain = 1;
    size_t nt = (size_t)frv_thread_count(threads);
    if (nt > n / grain) nt = n / grain;
    if (nt > 256) nt = 256;
    if (nt <= 1) { fn(ctx, 0, n); return; }
    frv_job_t jobs[256];
    pthread_t tids[256];
    int started[256];
    size_t chunk = n / nt, extra = n % nt, lo = 0;
    for (size_t t = 0; t < nt; t++) {
        size_t len = chunk + (t < extra ? 1 : 0);
        jobs[t].fn = fn; jobs[t].ctx = ctx; jobs[t].lo = lo; jobs[t].hi = lo + len;
        lo += len;
    }
    for (size_t t = 1; t < nt; t++)
        started[t] = pthread_create(&tids[t], NULL, frv_run, &jobs[t]) == 0;
    fn(ctx, jobs[0].lo, jobs[0].hi);
    for (size_t t = 1; t < nt; t++) {
        if (started[t]) pthread_join(tids[t], NULL);
        else fn(ctx, jobs[t].lo, jobs[t].hi); /* could not spawn: do it here */
    }
}

/* below this many elements a vector op runs on one thread */
#define FRV_GRAIN 16384

typedef struct {
    fr_t *r;
    const fr_t *a, *b;
    fr_t k, s;
} frv_ctx_t;

static void t_mul(void *c, size_t lo, size_t hi) {
    frv_ctx_t *x = c;
    for (size_t i = lo; i < hi; i++) fr_mul(&x->r[i], &x->a[i], &x->b[i]);
}
static void t_add(void *c, size_t lo, size_t hi) {
    frv_ctx_t *x = c;
    for (size_t i = lo; i < hi; i++) fr_add(&x->r[i], &x->a[i], &x->b[i]);
}
static void t_sub(void *c, size_t lo, size_t hi) {
    frv_ctx_t *x = c;
    for (size_t i = lo; i < hi; i++) fr_sub(&x->r[i], &x->a[i], &x->b[i]);
}
static void t_scale(void *c, size_t lo, size_t hi) {
    frv_ctx_t *x = c;
    for (size_t i = lo; i < hi; i++) fr_mul(&x->r[i], &x->a[i], &x->k);
}
static void t_powers(void *c, size_t lo, size_t hi) {
    frv_ctx_t *x = c;
    fr_t cur;
    uint64_t e[1] = {(uint64_t)lo};
    fr_pow(&cur, &x->s, e, 1);          /* s^lo */
    fr_mul(&cur, &cur, &x->k);          /* start * s^lo */
    for (size_t i = lo; i < hi; i++) {
        fr_mul(&x->r[i], &x->a[i], &cur);
        fr_mul(&cur, &cur, &x->s);
    }
}
static void t_to_mont(void *c, size_t lo, size_t hi) {
    frv_ctx_t *x = c;
    for (size_t i = lo; i < hi; i++) fr_from_canonical(&x->r[i], x->a[i].v);
}
static void t_from_mont(void *c, size_t lo, size_t hi) {
    frv_ctx_t *x = c;
    for (size_t i = lo; i < hi; i++) {
        uint64_t t[4];
        fr_to_canonical(t, &x->a[i]);
        memcpy(x->r[i].v, t, sizeof t);
    }
}

void frvec_mul(fr_t *r, const fr_t *a, const fr_t *b, size_t n, int threads) {
    frv_ctx_t c = {r, a, b};
    frv_parallel_for(n, threads, FRV_GRAIN, t_mul, &c);
}
void frvec_add(fr_t *r, const fr_t *a, const fr_t *b, size_t n, int threads) {
    frv_ctx_t c = {r, a, b};
    frv_parallel_for(n, threads, FRV_GRAIN, t_add, &c);
}
void frvec_sub(fr_t *r, const fr_t *a, const fr_t *b, size_t n, int threads) {
    frv_ctx_t c = {r, a, b};
    frv_parallel_for(n, threads, FRV_GRAIN, t_sub, &c);
}
void frvec_scale(fr_t *r, const fr_t *a, const fr_t *k, size_t n, int threads) {
    frv_ctx_t c = {r, a, NULL};
    c.k = *k;
    frv_parallel_for(n, threads, FRV_GRAIN, t_scale, &c);
}
void frvec_mul_powers(fr_t *r, const fr_t *a, const fr_t *start, const fr_t *s, size_t n, int threads) {
    frv_ctx_t c = {r, a, NULL};
    c.k = *start;
    c.s = *s;
    frv_parallel_for(n, threads, FRV_GRAIN, t_powers, &c);
}
void frvec_to_mont(fr_t *r, const fr_t *a, size_t n, int threads) {
    frv_ctx_t c = {r, a, NULL};
    frv_parallel_for(n, threads, FRV_GRAIN, t_to_mont, &c);
}
void frvec_from_mont(fr_t *r, const fr_t *a, size_t n, int threads) {
    frv_ctx_t c = {r, a, NULL};
    frv_parallel_for(n, threads, FRV_GRAIN, t_from_mont, &c);
}

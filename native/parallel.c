/* parallel.c - see parallel.h */
#include <unistd.h>
#include "parallel.h"

int par_threads(int threads) {
    if (threads > 0) return threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

typedef struct {
    par_range_fn fn;
    void *ctx;
    size_t lo, hi;
} par_job_t;

static void *par_job(void *arg) {
    par_job_t *j = (par_job_t *)arg;
    j->fn(j->ctx, j->lo, j->hi);
    return NULL;
}

void par_for(size_t n, int threads, size_t grain, par_range_fn fn, void *ctx) {
    if (n == 0) return;
    if (grain == 0) grain = 1;
    size_t nt = (size_t)par_threads(threads);
    if (nt > n / grain) nt = n / grain;
    if (nt > PAR_MAX_THREADS) nt = PAR_MAX_THREADS;
    if (nt <= 1) {
        fn(ctx, 0, n);
        return;
    }
    par_job_t jobs[PAR_MAX_THREADS];
    pthread_t tids[PAR_MAX_THREADS];
    int started[PAR_MAX_THREADS];
    size_t chunk = n / nt, extra = n % nt, lo = 0;
    for (size_t t = 0; t < nt; t++) {
        size_t len = chunk + (t < extra ? 1 : 0);
        jobs[t].fn = fn;
        jobs[t].ctx = ctx;
        jobs[t].lo = lo;
        jobs[t].hi = lo + len;
        lo += len;
    }
    for (size_t t = 1; t < nt; t++)
        started[t] = pthread_create(&tids[t], NULL, par_job, &jobs[t]) == 0;
    fn(ctx, jobs[0].lo, jobs[0].hi);
    for (size_t t = 1; t < nt; t++) {
        if (started[t]) pthread_join(tids[t], NULL);
        else fn(ctx, jobs[t].lo, jobs[t].hi); /* could not spawn: do it here */
    }
}

typedef struct {
    void *(*worker)(void *);
    void *arg;
} par_run_t;

static void par_run_range(void *ctx, size_t lo, size_t hi) {
    par_run_t *r = (par_run_t *)ctx;
    for (size_t i = lo; i < hi; i++) r->worker(r->arg);
}

void par_run(void *(*worker)(void *), void *arg, int threads) {
    par_run_t r = {worker, arg};
    par_for(threads > 1 ? (size_t)threads : 1, threads > 1 ? threads : 1, 1, par_run_range, &r);
}

int par_start(par_task_t *task, void *(*fn)(void *), void *arg) {
    task->started = pthread_create(&task->thread, NULL, fn, arg) == 0;
    return task->started;
}

void par_join(par_task_t *task) {
    if (task->started) pthread_join(task->thread, NULL);
    task->started = 0;
}

/*
 * parallel.h - the native core's one way of running work on several
 * threads (pthreads): a parallel for over index ranges, and one task run
 * beside the caller.  Every multi-threaded kernel (MSM, NTT, Fr vectors,
 * pairing checks, the group FFT, the prover) goes through these.
 *
 * threads <= 0 means all online cores.  If a thread cannot be created its
 * share of the work runs on the calling thread, so results never depend on
 * how many threads actually ran.
 */
#ifndef ZKATS_PARALLEL_H
#define ZKATS_PARALLEL_H

#include <pthread.h>
#include <stddef.h>

/* at most this many threads take part in one par_for */
#define PAR_MAX_THREADS 256

/* `threads` if > 0, else the number of online cores (at least 1) */
int par_threads(int threads);

typedef void (*par_range_fn)(void *ctx, size_t lo, size_t hi);

/* Splits [0, n) into at most par_threads(threads) contiguous ranges of at
 * least `grain` items (sizes differing by at most one) and runs
 * fn(ctx, lo, hi) on each, the calling thread taking the first; returns
 * when all are done.  With one range (or n < 2 * grain) fn runs on the
 * calling thread only. */
void par_for(size_t n, int threads, size_t grain, par_range_fn fn, void *ctx);

/* Runs worker(arg) on `threads` threads (exactly that many, including the
 * caller's; not expanded from <= 0: pass par_threads(t)).  The workers
 * share their work through state in arg (an atomic counter), so a worker
 * that runs late or twice finds nothing left to do. */
void par_run(void *(*worker)(void *), void *arg, int threads);

/* One task beside the caller: par_start runs fn(arg) on a new thread and
 * returns 1, or returns 0 (nothing started) if the thread cannot be
 * created; par_join waits for a started task. */
typedef struct {
    pthread_t thread;
    int started;
} par_task_t;
int par_start(par_task_t *task, void *(*fn)(void *), void *arg);
void par_join(par_task_t *task);

#endif

/* prover.c - Groth16 prover kernels; see prover.h. */
#include "prover.h"
#include "field.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

int64_t zk_fr_first_noncanonical(const uint64_t *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!fr_is_canonical(v + 4 * i)) return (int64_t)i;
    return -1;
}

int64_t zk_qap_ab(const uint8_t *coeffs, size_t n_coef,
                  const uint64_t *witness, size_t n_vars,
                  uint64_t *a, uint64_t *b, size_t domain) {
    memset(a, 0, domain * 32);
    memset(b, 0, domain * 32);
    uint64_t *out[2] = {a, b};
    for (size_t i = 0; i < n_coef; i++) {
        const uint8_t *e = coeffs + 44 * i;
        uint32_t m, row, sig;
        fr_t coef, t;
        memcpy(&m, e, 4);
        memcpy(&row, e + 4, 4);
        memcpy(&sig, e + 8, 4);
        memcpy(coef.v, e + 12, 32);
        if (m > 1 || row >= domain || sig >= n_vars || !fr_is_canonical(coef.v))
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

static void *job_thread(void *arg) {
    run_job((job_t *)arg);
    return NULL;
}

#define MAX_SPLIT 8
#define MIN_PER_THREAD 4096

static void split_run(job_t proto, size_t n) {
    long cores = 2;
#ifdef _SC_NPROCESSORS_ONLN
    cores = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    size_t k = (size_t)(cores < 1 ? 1 : cores);
    if (k > MAX_SPLIT) k = MAX_SPLIT;
    if (n / MIN_PER_THREAD < k) k = n / MIN_PER_THREAD;
    if (k < 1) k = 1;
    job_t jobs[MAX_SPLIT];
    pthread_t th[MAX_SPLIT];
    int started[MAX_SPLIT] = {0};
    for (size_t t = 0; t < k; t++) {
        jobs[t] = proto;
        jobs[t].lo = n * t / k;
        jobs[t].hi = n * (t + 1) / k;
    }
    for (size_t t = 1; t < k; t++)
        started[t] = pthread_create(&th[t], NULL, job_thread, &jobs[t]) == 0;
    run_job(&jobs[0]);
    for (size_t t = 1; t < k; t++) {
        if (started[t]) pthread_join(th[t], NULL);
        else run_job(&jobs[t]);
    }
}

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

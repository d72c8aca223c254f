/* frvec.c - multi-threaded elementwise Fr vector operations (see frvec.h). */
#include "frvec.h"
#include "parallel.h"

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
    par_for(n, threads, FRV_GRAIN, t_mul, &c);
}
void frvec_add(fr_t *r, const fr_t *a, const fr_t *b, size_t n, int threads) {
    frv_ctx_t c = {r, a, b};
    par_for(n, threads, FRV_GRAIN, t_add, &c);
}
void frvec_sub(fr_t *r, const fr_t *a, const fr_t *b, size_t n, int threads) {
    frv_ctx_t c = {r, a, b};
    par_for(n, threads, FRV_GRAIN, t_sub, &c);
}
void frvec_scale(fr_t *r, const fr_t *a, const fr_t *k, size_t n, int threads) {
    frv_ctx_t c = {r, a, NULL};
    c.k = *k;
    par_for(n, threads, FRV_GRAIN, t_scale, &c);
}
void frvec_mul_powers(fr_t *r, const fr_t *a, const fr_t *start, const fr_t *s, size_t n, int threads) {
    frv_ctx_t c = {r, a, NULL};
    c.k = *start;
    c.s = *s;
    par_for(n, threads, FRV_GRAIN, t_powers, &c);
}
void frvec_to_mont(fr_t *r, const fr_t *a, size_t n, int threads) {
    frv_ctx_t c = {r, a, NULL};
    par_for(n, threads, FRV_GRAIN, t_to_mont, &c);
}
void frvec_from_mont(fr_t *r, const fr_t *a, size_t n, int threads) {
    frv_ctx_t c = {r, a, NULL};
    par_for(n, threads, FRV_GRAIN, t_from_mont, &c);
}

/* gfft_impl.h - instantiated by gfft.c for G1 and G2 (CURVE/FIELD/FE set). */
#define GF(name) ZK_CAT(CURVE, _##name)
#define ZF(name) ZK_CAT(zs_, ZK_CAT(CURVE, _##name))

/* r = k*p with k given as an endomorphism decomposition (see gfft.h):
 * tw = {k0 lo, k0 hi, k1 lo, k1 hi, flags}, k = +-k0 +- k1*lambda, both
 * halves < 2^128; shared doublings (Shamir), signed 5-bit windows. */
static void GF(jac_mul_endo)(GF(jac_t) *r, const GF(jac_t) *p, const uint64_t *tw) {
    enum { C = 5, HALF = 1 << (C - 1) };
    GF(jac_t) t0[HALF + 1], t1[HALF + 1], acc;
    const uint64_t *k0 = tw, *k1 = tw + 2;
    t0[1] = *p;
    GF(jac_dbl)(&t0[2], p);
    for (int i = 3; i <= HALF; i++) GF(jac_add)(&t0[i], &t0[i - 1], p);
    for (int i = 1; i <= HALF; i++) GF(endo_jac)(&t1[i], &t0[i]);
    if (tw[4] & 1) for (int i = 1; i <= HALF; i++) GF(jac_neg)(&t0[i], &t0[i]);
    if (tw[4] & 2) for (int i = 1; i <= HALF; i++) GF(jac_neg)(&t1[i], &t1[i]);
    int bits = 128;
    while (bits > 0 && !(((k0[(bits - 1) / 64] | k1[(bits - 1) / 64]) >> ((bits - 1) % 64)) & 1)) bits--;
    int nwin = (bits + 1 + C - 1) / C;
    GF(jac_set_inf)(&acc);
    for (int j = nwin - 1; j >= 0; j--) {
        for (int s = 0; s < C; s++) GF(jac_dbl)(&acc, &acc);
        int d = zk_booth_digit(k0, 2, j * C, C);
        if (d > 0) GF(jac_add)(&acc, &acc, &t0[d]);
        else if (d < 0) { GF(jac_t) t; GF(jac_neg)(&t, &t0[-d]); GF(jac_add)(&acc, &acc, &t); }
        d = zk_booth_digit(k1, 2, j * C, C);
        if (d > 0) GF(jac_add)(&acc, &acc, &t1[d]);
        else if (d < 0) { GF(jac_t) t; GF(jac_neg)(&t, &t1[-d]); GF(jac_add)(&acc, &acc, &t); }
    }
    *r = acc;
}

typedef struct {
    GF(jac_t) *a;
    size_t n, h, nbf;
    const uint64_t *tw, *twn;
    int last;
    size_t next;            /* atomic work counter (chunks of butterflies) */
} ZF(fft_job);

#define GFFT_CHUNK 64

static void *ZF(fft_worker)(void *arg) {
    ZF(fft_job) *J = (ZF(fft_job) *)arg;
    size_t h = J->h, stride = J->n / (2 * h);
    for (;;) {
        size_t c0 = __atomic_fetch_add(&J->next, GFFT_CHUNK, __ATOMIC_RELAXED);
        if (c0 >= J->nbf) break;
        size_t c1 = c0 + GFFT_CHUNK < J->nbf ? c0 + GFFT_CHUNK : J->nbf;
        for (size_t b = c0; b < c1; b++) {
            size_t blk = b / h, j = b % h;
            size_t i0 = blk * 2 * h + j, i1 = i0 + h;
            size_t k = j * stride;
            GF(jac_t) u = J->a[i0], v = J->a[i1];
            if (J->last) {
                GF(jac_mul_endo)(&u, &u, J->twn);          /* twn[0] = 1/n */
                GF(jac_mul_endo)(&v, &v, J->twn + GFFT_TW * k);
            } else if (k) {
                GF(jac_mul_endo)(&v, &v, J->tw + GFFT_TW * k);
            }
            GF(jac_add)(&J->a[i0], &u, &v);
            GF(jac_neg)(&v, &v);
            GF(jac_add)(&J->a[i1], &u, &v);
        }
    }
    return NULL;
}

int ZF(ifft)(uint64_t *pts, size_t n, const uint64_t *tw, const uint64_t *twn, int threads) {
    if (n <= 1) return 0;
    GF(aff_t) *P = (GF(aff_t) *)pts;
    GF(jac_t) *a = (GF(jac_t) *)malloc(n * sizeof(GF(jac_t)));
    if (!a) return -1;
    int logn = 0;
    while (((size_t)1 << logn) < n) logn++;
    for (size_t i = 0; i < n; i++) {
        size_t r = 0;
        for (int b = 0; b < logn; b++) r |= ((i >> b) & 1) << (logn - 1 - b);
        GF(jac_from_aff)(&a[r], &P[i]);
    }
    for (size_t h = 1; h < n; h <<= 1) {
        ZF(fft_job) J = {a, n, h, n / 2, tw, twn, h == n / 2, 0};
        int t = gfft_threads(threads);
        if ((size_t)t > n / 2 / GFFT_CHUNK + 1) t = (int)(n / 2 / GFFT_CHUNK + 1);
        gfft_run(ZF(fft_worker), &J, t);
    }
    GF(jac_batch_to_aff)(P, a, n);
    free(a);
    return 0;
}

typedef struct {
    GF(jac_t) *acc;
    size_t n_out;
    const GF(aff_t) *bases;
    const int64_t *row_ptr;
    const uint32_t *idx;
    const uint64_t *sc;
    size_t next;
} ZF(comb_job);

static void *ZF(comb_worker)(void *arg) {
    ZF(comb_job) *J = (ZF(comb_job) *)arg;
    for (;;) {
        size_t s0 = __atomic_fetch_add(&J->next, 16, __ATOMIC_RELAXED);
        if (s0 >= J->n_out) break;
        size_t s1 = s0 + 16 < J->n_out ? s0 + 16 : J->n_out;
        for (size_t s = s0; s < s1; s++) {
            GF(jac_t) acc;
            GF(jac_set_inf)(&acc);
            for (int64_t e = J->row_ptr[s]; e < J->row_ptr[s + 1]; e++) {
                const GF(aff_t) *B = &J->bases[J->idx[e]];
                if (GF(aff_is_inf)(B)) continue;
                uint64_t k[4];
                int neg = signed_small(k, J->sc + 4 * e);
                int nl = 4;
                while (nl > 0 && k[nl - 1] == 0) nl--;
                if (nl == 0) continue;
                GF(aff_t) Bn;
                const GF(aff_t) *Bp = B;
                if (neg) { GF(aff_neg)(&Bn, B); Bp = &Bn; }
                if (nl == 1 && k[0] == 1) {
                    GF(jac_madd)(&acc, &acc, Bp);
                } else {
                    GF(jac_t) t;
                    GF(jac_from_aff)(&t, Bp);
                    GF(jac_mul)(&t, &t, k, nl);
                    GF(jac_add)(&acc, &acc, &t);
                }
            }
            J->acc[s] = acc;
        }
    }
    return NULL;
}

int ZF(sparse_combine)(uint64_t *out, size_t n_out, const uint64_t *bases, const int64_t *row_ptr,
                       const uint32_t *idx, const uint64_t *scalars, int threads) {
    if (n_out == 0) return 0;
    GF(jac_t) *acc = (GF(jac_t) *)malloc(n_out * sizeof(GF(jac_t)));
    if (!acc) return -1;
    ZF(comb_job) J = {acc, n_out, (const GF(aff_t) *)bases, row_ptr, idx, scalars, 0};
    int t = gfft_threads(threads);
    if ((size_t)t > n_out / 16 + 1) t = (int)(n_out / 16 + 1);
    gfft_run(ZF(comb_worker), &J, t);
    GF(jac_batch_to_aff)((GF(aff_t) *)out, acc, n_out);
    free(acc);
    return 0;
}

#undef GF
#undef ZF

/* gfft_impl.h - instantiated by gfft.c for G1 and G2 (CURVE/FIELD/FE set). */
#define GF(name) ZK_CAT(CURVE, _##name)
#define ZF(name) ZK_CAT(zs_, ZK_CAT(CURVE, _##name))
#define FF(op) ZK_CAT(FIELD, _##op)

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
        int t = par_threads(threads);
        if ((size_t)t > n / 2 / GFFT_CHUNK + 1) t = (int)(n / 2 / GFFT_CHUNK + 1);
        par_run(ZF(fft_worker), &J, t);
    }
    GF(jac_batch_to_aff)(P, a, n);
    free(a);
    return 0;
}

/* ---- sparse combination ------------------------------------------------------
 *
 * Base-major: the entries are regrouped by base (a counting sort), and each
 * worker takes bases in chunks and adds every entry of a base into its own
 * per-output accumulators (xyzz).  A base whose entries carry several large
 * coefficients gets a signed-window table T[j][d-1] = d * 2^(w j) * base
 * (affine; w chosen from the entry count and the largest coefficient), so an
 * entry costs one mixed addition per nonzero window instead of a full scalar
 * multiplication; coefficients +-1 are plain mixed additions; a base with one
 * or two large coefficients multiplies them directly.  The per-thread
 * accumulators are summed at the end. */

#define COMB_WMAX 8

typedef struct {
    GF(xyzz_t) *acc;            /* threads * n_out */
    size_t n_out, n_bases;
    const GF(aff_t) *bases;
    const int64_t *bptr;        /* n_bases + 1 */
    const uint32_t *bout;       /* output of each regrouped entry */
    const int64_t *bent;        /* original entry index (scalar) */
    const uint64_t *sc;
    size_t next;
    int nthreads, slot, failed;
} ZF(comb_job);

static inline void GF(xyzz_from_jac_c)(GF(xyzz_t) *r, const GF(jac_t) *p) {
    if (GF(jac_is_inf)(p)) { GF(xyzz_set_inf)(r); return; }
    r->x = p->x;
    r->y = p->y;
    FF(sqr)(&r->zz, &p->z);
    FF(mul)(&r->zzz, &r->zz, &p->z);
}

/* cost, in mixed additions, of a window-w table for entries whose largest
 * coefficient has `bits` bits, plus `n` entries' window additions */
static double ZF(comb_cost)(int w, int bits, size_t n) {
    int nwin = (bits + 1 + w - 1) / w;
    return (double)nwin * ((double)((size_t)1 << (w - 1)) * 2.3 + 1.0 +
                           2.0 * (double)n * (1.0 - 1.0 / (double)((size_t)1 << w)));
}

static void *ZF(comb_worker)(void *arg) {
    ZF(comb_job) *J = (ZF(comb_job) *)arg;
    int me = __atomic_fetch_add(&J->slot, 1, __ATOMIC_RELAXED);
    GF(xyzz_t) *acc = J->acc + (size_t)me * J->n_out;
    for (size_t s = 0; s < J->n_out; s++) GF(xyzz_set_inf)(&acc[s]);
    size_t tmax = 0;
    for (int w = 1; w <= COMB_WMAX; w++) {
        size_t t = (size_t)((GLV_BITS + 1 + w - 1) / w) << (w - 1);
        if (t > tmax) tmax = t;
    }
    GF(jac_t) *tj = (GF(jac_t) *)malloc(tmax * sizeof(GF(jac_t)));
    GF(aff_t) *ta = (GF(aff_t) *)malloc(2 * tmax * sizeof(GF(aff_t)));
    if (!tj || !ta) {
        free(tj); free(ta);
        __atomic_store_n(&J->failed, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    for (;;) {
        size_t b0 = __atomic_fetch_add(&J->next, 32, __ATOMIC_RELAXED);
        if (b0 >= J->n_bases) break;
        size_t b1 = b0 + 32 < J->n_bases ? b0 + 32 : J->n_bases;
        for (size_t b = b0; b < b1; b++) {
            int64_t e0 = J->bptr[b], e1 = J->bptr[b + 1];
            if (e0 == e1) continue;
            const GF(aff_t) *B = &J->bases[b];
            if (GF(aff_is_inf)(B)) continue;
            /* large coefficients of this base: count and widest */
            size_t nbig = 0;
            int bits = 0, bits_full = 0;
            for (int64_t e = e0; e < e1; e++) {
                uint64_t k[4], h[4];
                signed_small(k, J->sc + 4 * J->bent[e]);
                if (k[3] | k[2] | k[1] | (k[0] > 1)) {
                    nbig++;
                    int nb = 256;
                    while (nb > 0 && !((k[(nb - 1) / 64] >> ((nb - 1) % 64)) & 1)) nb--;
                    if (nb > bits_full) bits_full = nb;
                    if (nb > GLV_BITS) {            /* table path uses the GLV halves */
                        unsigned char sg;
                        glv_split(h, &sg, J->sc + 4 * J->bent[e]);
                        nb = 0;
                        for (int i = 0; i < 2; i++) {
                            int hb = 128;
                            while (hb > 0 && !((h[2 * i + (hb - 1) / 64] >> ((hb - 1) % 64)) & 1)) hb--;
                            if (hb > nb) nb = hb;
                        }
                    }
                    if (nb > bits) bits = nb;
                }
            }
            int w = 0;
            if (nbig >= 3) {
                double best = (double)nbig * (0.7 * bits_full + 0.32 * bits_full + 26.0);   /* direct */
                for (int c = 1; c <= COMB_WMAX; c++) {
                    double cost = ZF(comb_cost)(c, bits, nbig);
                    if (cost < best) { best = cost; w = c; }
                }
            }
            int nwin = 0;
            size_t half = 0;
            if (w) {
                half = (size_t)1 << (w - 1);
                nwin = (bits + 1 + w - 1) / w;
                GF(jac_t) bj;
                GF(jac_from_aff)(&bj, B);
                for (int j = 0; j < nwin; j++) {
                    GF(jac_t) *row = tj + (size_t)j * half;
                    row[0] = bj;
                    if (half > 1) GF(jac_dbl)(&row[1], &bj);
                    for (size_t d = 2; d < half; d++) GF(jac_add)(&row[d], &row[d - 1], &bj);
                    GF(jac_dbl)(&bj, &row[half - 1]);               /* 2^w * previous */
                }
                GF(jac_batch_to_aff)(ta, tj, (size_t)nwin * half);
                GF(aff_t) *tp = ta + (size_t)nwin * half;          /* phi(T) */
                for (size_t i = 0; i < (size_t)nwin * half; i++) {
                    ENDO_X(&tp[i].x, &ta[i].x);
                    tp[i].y = ta[i].y;
                }
            }
            for (int64_t e = e0; e < e1; e++) {
                uint64_t k[4];
                int neg = signed_small(k, J->sc + 4 * J->bent[e]);
                GF(xyzz_t) *A = &acc[J->bout[e]];
                if (!(k[3] | k[2] | k[1])) {
                    if (k[0] == 0) continue;
                    if (k[0] == 1) { GF(xyzz_madd)(A, A, B, neg); continue; }
                }
                if (w) {
                    /* k = h1 + h2 LAMBDA: signed-small k itself when it has at
                     * most GLV_BITS bits, else the GLV split of the scalar */
                    uint64_t h[4] = {k[0], k[1], 0, 0};
                    int sg[2] = {neg, 0};
                    if (k[3] | k[2] | (k[1] >> (GLV_BITS - 64))) {
                        unsigned char m;
                        glv_split(h, &m, J->sc + 4 * J->bent[e]);
                        sg[0] = m & 1;
                        sg[1] = (m >> 1) & 1;
                    }
                    const GF(aff_t) *tabs[2] = {ta, ta + (size_t)nwin * half};
                    for (int i = 0; i < 2; i++) {
                        if (!(h[2 * i] | h[2 * i + 1])) continue;
                        for (int j = 0; j < nwin; j++) {
                            int d = zk_booth_digit(h + 2 * i, 2, j * w, w);
                            if (d == 0) continue;
                            const GF(aff_t) *p = &tabs[i][(size_t)j * half + (size_t)(d > 0 ? d : -d) - 1];
                            GF(xyzz_madd)(A, A, p, sg[i] ^ (d < 0));
                        }
                    }
                } else {
                    int nl = 4;
                    while (nl > 0 && k[nl - 1] == 0) nl--;
                    GF(jac_t) t;
                    GF(jac_from_aff)(&t, B);
                    GF(jac_mul)(&t, &t, k, nl);
                    if (neg) GF(jac_neg)(&t, &t);
                    GF(xyzz_t) x;
                    GF(xyzz_from_jac_c)(&x, &t);
                    GF(xyzz_add)(A, A, &x);
                }
            }
        }
    }
    free(tj);
    free(ta);
    return NULL;
}

int ZF(sparse_combine)(uint64_t *out, size_t n_out, const uint64_t *bases, const int64_t *row_ptr,
                       const uint32_t *idx, const uint64_t *scalars, int threads) {
    if (n_out == 0) return 0;
    size_t nnz = (size_t)row_ptr[n_out];
    size_t n_bases = 0;
    for (size_t e = 0; e < nnz; e++) if ((size_t)idx[e] + 1 > n_bases) n_bases = (size_t)idx[e] + 1;
    int t = par_threads(threads);
    size_t per = n_out * sizeof(GF(xyzz_t));
    size_t cap = ((size_t)1 << 30) / (per ? per : 1);          /* accumulators <= 1 GiB */
    if (cap < 1) cap = 1;
    if ((size_t)t > cap) t = (int)cap;
    if ((size_t)t > n_bases / 32 + 1) t = (int)(n_bases / 32 + 1);
    int64_t *bptr = (int64_t *)calloc(n_bases + 1, sizeof(int64_t));
    uint32_t *bout = (uint32_t *)malloc((nnz ? nnz : 1) * sizeof(uint32_t));
    int64_t *bent = (int64_t *)malloc((nnz ? nnz : 1) * sizeof(int64_t));
    GF(xyzz_t) *acc = (GF(xyzz_t) *)malloc((size_t)t * per);
    GF(jac_t) *jac = (GF(jac_t) *)malloc(n_out * sizeof(GF(jac_t)));
    int rc = -1;
    if (!bptr || !bout || !bent || !acc || !jac) goto done;
    for (size_t e = 0; e < nnz; e++) bptr[idx[e] + 1]++;
    for (size_t b = 0; b < n_bases; b++) bptr[b + 1] += bptr[b];
    {
        int64_t *fill = (int64_t *)malloc((n_bases ? n_bases : 1) * sizeof(int64_t));
        if (!fill) goto done;
        memcpy(fill, bptr, n_bases * sizeof(int64_t));
        for (size_t s = 0; s < n_out; s++)
            for (int64_t e = row_ptr[s]; e < row_ptr[s + 1]; e++) {
                int64_t pos = fill[idx[e]]++;
                bout[pos] = (uint32_t)s;
                bent[pos] = e;
            }
        free(fill);
    }
    ZF(comb_job) J = {acc, n_out, n_bases, (const GF(aff_t) *)bases, bptr, bout, bent, scalars, 0, t, 0, 0};
    par_run(ZF(comb_worker), &J, t);
    if (J.failed) goto done;
    for (size_t s = 0; s < n_out; s++) {
        for (int i = 1; i < J.slot; i++) GF(xyzz_add)(&acc[s], &acc[s], &acc[(size_t)i * n_out + s]);
        GF(xyzz_to_jac)(&jac[s], &acc[s]);
    }
    GF(jac_batch_to_aff)((GF(aff_t) *)out, jac, n_out);
    rc = 0;
done:
    free(bptr); free(bout); free(bent); free(acc); free(jac);
    return rc;
}

/* ---- every point times one scalar (phase-2 contributions) ---------------------
 *
 * k = h0 + h1 LAMBDA (glv.h), |h0|, |h1| < 2^127: per point a table
 * d * P (d = 1..16, normalised to affine per block of points with one
 * inversion) and its image under phi, then 5-bit signed windows over both
 * halves with shared doublings (Shamir): ~130 doublings and ~50 mixed
 * additions instead of ~254 doublings and ~51 additions. */

#define ONE_C 5
#define ONE_HALF (1 << (ONE_C - 1))
#define ONE_BLOCK 128

typedef struct {
    GF(aff_t) *out;
    const GF(aff_t) *pts;
    size_t n;
    int nwin;
    const signed char *dig;      /* nwin x 2 Booth digits of h0, h1 */
    size_t next;
    int failed;
} ZF(one_job);

static void *ZF(one_worker)(void *arg) {
    ZF(one_job) *J = (ZF(one_job) *)arg;
    GF(jac_t) *tj = (GF(jac_t) *)malloc((size_t)ONE_BLOCK * ONE_HALF * sizeof(GF(jac_t)));
    GF(aff_t) *ta = (GF(aff_t) *)malloc((size_t)2 * ONE_BLOCK * ONE_HALF * sizeof(GF(aff_t)));
    GF(jac_t) *res = (GF(jac_t) *)malloc((size_t)ONE_BLOCK * sizeof(GF(jac_t)));
    if (!tj || !ta || !res) {
        free(tj); free(ta); free(res);
        __atomic_store_n(&J->failed, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    size_t nblk = (J->n + ONE_BLOCK - 1) / ONE_BLOCK;
    for (;;) {
        size_t blk = __atomic_fetch_add(&J->next, 1, __ATOMIC_RELAXED);
        if (blk >= nblk) break;
        size_t lo = blk * ONE_BLOCK, hi = lo + ONE_BLOCK < J->n ? lo + ONE_BLOCK : J->n;
        for (size_t i = lo; i < hi; i++) {
            GF(jac_t) *row = tj + (i - lo) * ONE_HALF;
            const GF(aff_t) *P = &J->pts[i];
            if (GF(aff_is_inf)(P)) {
                for (int d = 0; d < ONE_HALF; d++) GF(jac_set_inf)(&row[d]);
                continue;
            }
            GF(jac_from_aff)(&row[0], P);
            GF(jac_dbl)(&row[1], &row[0]);
            for (int d = 2; d < ONE_HALF; d++) GF(jac_madd)(&row[d], &row[d - 1], P);
        }
        size_t m = (hi - lo) * ONE_HALF;
        GF(jac_batch_to_aff)(ta, tj, m);
        GF(aff_t) *tp = ta + (size_t)ONE_BLOCK * ONE_HALF;
        for (size_t e = 0; e < m; e++) {
            ENDO_X(&tp[e].x, &ta[e].x);
            tp[e].y = ta[e].y;
        }
        for (size_t i = lo; i < hi; i++) {
            GF(jac_t) acc;
            GF(jac_set_inf)(&acc);
            if (!GF(aff_is_inf)(&J->pts[i])) {
                const GF(aff_t) *t0 = ta + (i - lo) * ONE_HALF, *t1 = tp + (i - lo) * ONE_HALF;
                for (int j = J->nwin - 1; j >= 0; j--) {
                    if (!GF(jac_is_inf)(&acc))
                        for (int s = 0; s < ONE_C; s++) GF(jac_dbl)(&acc, &acc);
                    for (int h = 0; h < 2; h++) {
                        int d = J->dig[2 * j + h];
                        if (d == 0) continue;
                        const GF(aff_t) *q = (h ? t1 : t0) + (d > 0 ? d : -d) - 1;
                        if (d < 0) {
                            GF(aff_t) nq;
                            GF(aff_neg)(&nq, q);
                            GF(jac_madd)(&acc, &acc, &nq);
                        } else {
                            GF(jac_madd)(&acc, &acc, q);
                        }
                    }
                }
            }
            res[i - lo] = acc;
        }
        GF(jac_batch_to_aff)(J->out + lo, res, hi - lo);
    }
    free(tj); free(ta); free(res);
    return NULL;
}

int ZF(mul_one)(uint64_t *out, const uint64_t *pts, size_t n, const uint64_t *k, int threads) {
    if (n == 0) return 0;
    uint64_t h[4];
    unsigned char sg;
    glv_split(h, &sg, k);
    int bits = 128;
    while (bits > 0 && !(((h[(bits - 1) / 64] | h[2 + (bits - 1) / 64]) >> ((bits - 1) % 64)) & 1)) bits--;
    int nwin = (bits + 1 + ONE_C - 1) / ONE_C;
    signed char dig[2 * ((128 + ONE_C) / ONE_C + 1)];
    for (int j = 0; j < nwin; j++)
        for (int i = 0; i < 2; i++) {
            int d = zk_booth_digit(h + 2 * i, 2, j * ONE_C, ONE_C);
            dig[2 * j + i] = (signed char)((sg >> i) & 1 ? -d : d);
        }
    ZF(one_job) J = {(GF(aff_t) *)out, (const GF(aff_t) *)pts, n, nwin, dig, 0, 0};
    int t = par_threads(threads);
    size_t nblk = (n + ONE_BLOCK - 1) / ONE_BLOCK;
    if ((size_t)t > nblk) t = (int)nblk;
    par_run(ZF(one_worker), &J, t);
    return J.failed ? -1 : 0;
}

#undef ONE_C
#undef ONE_HALF
#undef ONE_BLOCK

#undef GF
#undef ZF
#undef FF

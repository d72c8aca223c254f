/*
 * msm_impl.h - MSM / batch scalar multiplication for one group; included by
 * msm.c once for G1 and once for G2 with CURVE, FIELD, FE,
 * ENDO_X(r, a) (r = the x coordinate of the GLV endomorphism, glv.h) and
 * MSM_PARAMS() (cost-model parameters, msm.c) defined, and optionally
 * MSM_VEC_NEW/FREE/FLUSH (the 8-lane IFMA flush, msm_ifma.h).
 */
#define GF(name) ZK_CAT(CURVE, _##name)
#define FF(op) ZK_CAT(FIELD, _##op)
#define MF(name) ZK_CAT(ZK_CAT(CURVE, _msm_), name)

/* ---- bucket accumulation ------------------------------------------------------

 * Batch-affine accumulation (used from MSM_PARAMS().min_buckets buckets on:
 * 512 with the IFMA flush, else MSM_BATCH_MIN_BUCKETS).
 * Buckets hold affine points; additions into distinct buckets are queued
 * in a batch and done together, sharing one field inversion (Montgomery's
 * trick): about 6M per addition instead of 10M for an xyzz mixed addition.
 * A point whose bucket is already in the current batch waits in a pending
 * queue and joins the next batch; when that queue is full, or when the
 * point's x equals the bucket's (doubling or cancellation), it goes to the
 * bucket's xyzz overflow accumulator instead.  So every input stays
 * correct and the worst case (all points in one bucket) costs the xyzz
 * price.  With fewer buckets every point goes to the xyzz accumulators. */
typedef struct {
    GF(aff_t) *bucket;
    GF(xyzz_t) *ovf;
    unsigned char *state;
    int batch;               /* batch-affine mode */
    /* the current batch: bucket, point, sign; the inversion scratch */
    uint32_t *pb;
    const GF(aff_t) **pp;
    unsigned char *pneg;
    FE *den, *pre;
    size_t np, cap;
    /* pending points (their bucket was busy) */
    uint32_t *qb;
    const GF(aff_t) **qp;
    unsigned char *qneg;
    size_t nq, qcap;
    int any_ovf;             /* some bucket of this window has an overflow */
    /* batch-affine reduction (MF(reduce_ba)): chain states and queue */
    GF(aff_t) *rrun, *rsum, *rold;
    unsigned char *rflag;
    GF(aff_t) **rdst;
    const GF(aff_t) **rsrc;
    unsigned char *rdbl;
    void *vec;               /* vector flush scratch (MSM_VEC_NEW), or NULL */
} MF(acc_t);

static void MF(acc_free)(MF(acc_t) *s) {
    free(s->bucket); free(s->ovf); free(s->state); free(s->pb); free(s->pp); free(s->pneg);
    free(s->den); free(s->pre); free(s->qb); free(s->qp); free(s->qneg);
    free(s->rrun); free(s->rsum); free(s->rold); free(s->rflag); free(s->rdst); free(s->rsrc); free(s->rdbl);
#ifdef MSM_VEC_NEW
    MSM_VEC_FREE(s->vec);
#endif
    memset(s, 0, sizeof *s);
}

/* Buffers for up to nb buckets; 0 on success, -1 out of memory (s is
 * then freed).  MF(acc_window) sets the mode for one window. */
static int MF(acc_init)(MF(acc_t) *s, size_t nb) {
    memset(s, 0, sizeof *s);
    size_t cap = nb / 4 < MSM_BATCH_CAP ? nb / 4 : MSM_BATCH_CAP;
    if (cap < 1) cap = 1;
    s->ovf = (GF(xyzz_t) *)malloc(nb * sizeof(GF(xyzz_t)));
    s->state = (unsigned char *)malloc(nb);
    int ok = s->ovf && s->state;
    if (nb >= MSM_PARAMS().min_buckets) {
        s->bucket = (GF(aff_t) *)malloc(nb * sizeof(GF(aff_t)));
        s->pb = (uint32_t *)malloc(cap * sizeof(uint32_t));
        s->pp = (const GF(aff_t) **)malloc(cap * sizeof(GF(aff_t) *));
        s->pneg = (unsigned char *)malloc(cap);
        /* den, pre also serve the reduction's 2 * MSM_RED_SEGS additions */
        size_t nden = cap > 2 * MSM_RED_SEGS ? cap : 2 * MSM_RED_SEGS;
        s->den = (FE *)malloc(nden * sizeof(FE));
        s->pre = (FE *)malloc(nden * sizeof(FE));
        s->qb = (uint32_t *)malloc(MSM_PENDING * cap * sizeof(uint32_t));
        s->qp = (const GF(aff_t) **)malloc(MSM_PENDING * cap * sizeof(GF(aff_t) *));
        s->qneg = (unsigned char *)malloc(MSM_PENDING * cap);
        ok = ok && s->bucket && s->pb && s->pp && s->pneg && s->den && s->pre && s->qb && s->qp && s->qneg;
        s->rrun = (GF(aff_t) *)malloc(MSM_RED_SEGS * sizeof(GF(aff_t)));
        s->rsum = (GF(aff_t) *)malloc(MSM_RED_SEGS * sizeof(GF(aff_t)));
        s->rold = (GF(aff_t) *)malloc(MSM_RED_SEGS * sizeof(GF(aff_t)));
        s->rflag = (unsigned char *)malloc(MSM_RED_SEGS);
        s->rdst = (GF(aff_t) **)malloc(2 * MSM_RED_SEGS * sizeof(GF(aff_t) *));
        s->rsrc = (const GF(aff_t) **)malloc(2 * MSM_RED_SEGS * sizeof(GF(aff_t) *));
        s->rdbl = (unsigned char *)malloc(2 * MSM_RED_SEGS);
        ok = ok && s->rrun && s->rsum && s->rold && s->rflag && s->rdst && s->rsrc && s->rdbl;
#ifdef MSM_VEC_NEW
        s->vec = MSM_VEC_NEW(cap > 2 * MSM_RED_SEGS ? cap : 2 * MSM_RED_SEGS);
        ok = ok && s->vec;
#endif
    }
    if (!ok) { MF(acc_free)(s); return -1; }
    return 0;
}

/* empties the first nb buckets for a window that uses only those; the
 * batch (a quarter of the buckets, at most MSM_BATCH_CAP) is used from
 * MSM_PARAMS().min_buckets buckets on */
static void MF(acc_window)(MF(acc_t) *s, size_t nb) {
    memset(s->state, 0, nb);
    s->batch = s->bucket != NULL && nb >= MSM_PARAMS().min_buckets;
    s->cap = nb / 4 < MSM_BATCH_CAP ? nb / 4 : MSM_BATCH_CAP;
    s->qcap = MSM_PENDING * s->cap;
    s->np = s->nq = 0;
    s->any_ovf = 0;
}

static inline void MF(ovf_add)(MF(acc_t) *s, uint32_t b, const GF(aff_t) *p, int neg) {
    unsigned char st = s->state[b];
    s->any_ovf = 1;
    if (!(st & MSM_OVF)) { GF(xyzz_set_inf)(&s->ovf[b]); s->state[b] = st | MSM_OVF; }
    GF(xyzz_madd)(&s->ovf[b], &s->ovf[b], p, neg);
}

/* bucket pb[k] += +-pp[k] given dinv = 1 / (x_p - x_b) */
static inline void MF(apply)(MF(acc_t) *s, size_t k, const FE *dinv) {
    uint32_t bi = s->pb[k];
    GF(aff_t) *b = &s->bucket[bi];
    const GF(aff_t) *p = s->pp[k];
    FE t, lam, x3;
    /* lambda = (y_p - y_b) / (x_p - x_b), y_p negated for negative digits */
    if (s->pneg[k]) { FF(add)(&t, &p->y, &b->y); FF(neg)(&t, &t); }
    else FF(sub)(&t, &p->y, &b->y);
    FF(mul_lazy)(&lam, &t, dinv);       /* < 2p: only multiplied below */
    FF(sqr)(&x3, &lam);
    FF(sub)(&x3, &x3, &b->x);
    FF(sub)(&x3, &x3, &p->x);
    FF(sub)(&t, &b->x, &x3);
    FF(mul)(&t, &lam, &t);
    FF(sub)(&b->y, &t, &b->y);
    b->x = x3;
    s->state[bi] &= (unsigned char)~MSM_BUSY;
}

/* i0 = 1 / a0 and i1 = 1 / a1 (lazy, < 2p) with one inversion of their
 * product: the two strands' running products of Montgomery's trick */
static inline void MF(inv2)(FE *i0, FE *i1, const FE *a0, const FE *a1) {
    FE tot;
    FF(mul_lazy)(&tot, a0, a1);
    FF(reduce)(&tot, &tot);
    FF(inv)(&tot, &tot);
    FF(mul_lazy)(i0, &tot, a1);
    FF(mul_lazy)(i1, &tot, a0);
}

/* apply for two entries k, j of the batch (distinct buckets), step by
 * step side by side: each addition is a chain of dependent products
 * (lambda, lambda^2, y), longer than the core's window can overlap on its
 * own; written together, the two chains run in parallel */
static inline void MF(apply2)(MF(acc_t) *s, size_t k, size_t j, const FE *dk, const FE *dj) {
    GF(aff_t) *bk = &s->bucket[s->pb[k]], *bj = &s->bucket[s->pb[j]];
    const GF(aff_t) *pk = s->pp[k], *pj = s->pp[j];
    FE tk, tj, lk, lj, xk, xj;
    if (s->pneg[k]) { FF(add)(&tk, &pk->y, &bk->y); FF(neg)(&tk, &tk); }
    else FF(sub)(&tk, &pk->y, &bk->y);
    if (s->pneg[j]) { FF(add)(&tj, &pj->y, &bj->y); FF(neg)(&tj, &tj); }
    else FF(sub)(&tj, &pj->y, &bj->y);
    FF(mul_lazy)(&lk, &tk, dk);
    FF(mul_lazy)(&lj, &tj, dj);
    FF(sqr)(&xk, &lk);
    FF(sqr)(&xj, &lj);
    FF(sub)(&xk, &xk, &bk->x);
    FF(sub)(&xj, &xj, &bj->x);
    FF(sub)(&xk, &xk, &pk->x);
    FF(sub)(&xj, &xj, &pj->x);
    FF(sub)(&tk, &bk->x, &xk);
    FF(sub)(&tj, &bj->x, &xj);
    FF(mul)(&tk, &lk, &tk);
    FF(mul)(&tj, &lj, &tj);
    FF(sub)(&bk->y, &tk, &bk->y);
    FF(sub)(&bj->y, &tj, &bj->y);
    bk->x = xk;
    bj->x = xj;
    s->state[s->pb[k]] &= (unsigned char)~MSM_BUSY;
    s->state[s->pb[j]] &= (unsigned char)~MSM_BUSY;
}

/* the queued additions of the batch, with one inversion: eight at a time
 * on the IFMA lanes when available and not turned off by the portable
 * switch, else the scalar loop (two interleaved strands of products were
 * measured there: no faster, the CPU overlaps them) */
static void MF(flush)(MF(acc_t) *s) {
    size_t np = s->np;
    if (np == 0) return;
#ifdef MSM_VEC_NEW
    if (s->vec && !zk_portable) {
        MSM_VEC_FLUSH(s->vec, s->bucket, s->pb, s->pp, s->pneg, np);
        for (size_t k = 0; k < np; k++) s->state[s->pb[k]] &= (unsigned char)~MSM_BUSY;
        s->np = 0;
        return;
    }
#endif
    /* Montgomery's trick over two strands, the even and the odd entries, so
     * that two independent chains of products are in flight: the running
     * products (a0, a1), one inversion of their product, the inverses
     * (i0, i1) going back, and the additions two by two (apply2).  The
     * running products, inverses and dinv are lazy (< 2p, see field.h):
     * they only feed products; their product is reduced for the inversion */
    FE a0, a1, i0, i1, d0, d1;
    FF(set_one)(&a0);
    FF(set_one)(&a1);
    size_t k = 0;
    for (; k + 1 < np; k += 2) {
        if (k + 5 < np) {
            __builtin_prefetch(&s->bucket[s->pb[k + 4]]);
            __builtin_prefetch(&s->bucket[s->pb[k + 5]]);
        }
        FF(sub)(&s->den[k], &s->pp[k]->x, &s->bucket[s->pb[k]].x);
        FF(sub)(&s->den[k + 1], &s->pp[k + 1]->x, &s->bucket[s->pb[k + 1]].x);
        s->pre[k] = a0;
        s->pre[k + 1] = a1;
        FF(mul_lazy)(&a0, &a0, &s->den[k]);
        FF(mul_lazy)(&a1, &a1, &s->den[k + 1]);
    }
    if (k < np) { /* odd count: the last entry joins the even strand */
        FF(sub)(&s->den[k], &s->pp[k]->x, &s->bucket[s->pb[k]].x);
        s->pre[k] = a0;
        FF(mul_lazy)(&a0, &a0, &s->den[k]);
    }
    MF(inv2)(&i0, &i1, &a0, &a1);
    if (np & 1) {
        k = np - 1;
        FF(mul_lazy)(&d0, &i0, &s->pre[k]);
        FF(mul_lazy)(&i0, &i0, &s->den[k]);
        MF(apply)(s, k, &d0);
    }
    for (k = np & ~(size_t)1; k >= 2; k -= 2) {
        FF(mul_lazy)(&d1, &i1, &s->pre[k - 1]);
        FF(mul_lazy)(&d0, &i0, &s->pre[k - 2]);
        FF(mul_lazy)(&i1, &i1, &s->den[k - 1]);
        FF(mul_lazy)(&i0, &i0, &s->den[k - 2]);
        MF(apply2)(s, k - 1, k - 2, &d1, &d0);
    }
    s->np = 0;
}

/* Puts +-p into bucket b (batch mode): an empty bucket takes the point, a
 * bucket with the same x goes to the overflow, otherwise the addition is
 * queued in the batch.  Returns 1, doing nothing, if b is busy. */
static inline int MF(place)(MF(acc_t) *s, uint32_t b, const GF(aff_t) *p, int neg) {
    unsigned char st = s->state[b];
    if (!(st & MSM_HAS)) {
        s->bucket[b].x = p->x;
        if (neg) FF(neg)(&s->bucket[b].y, &p->y); else s->bucket[b].y = p->y;
        s->state[b] = st | MSM_HAS;
        return 0;
    }
    if (st & MSM_BUSY) return 1;
    if (FF(eq)(&s->bucket[b].x, &p->x)) { MF(ovf_add)(s, b, p, neg); return 0; }
    size_t k = s->np++;
    s->pb[k] = b; s->pp[k] = p; s->pneg[k] = (unsigned char)neg;
    s->state[b] = st | MSM_BUSY;
    return 0;
}

/* flushes the full batch, then moves pending points into the next one */
static void MF(cycle)(MF(acc_t) *s) {
    do {
        MF(flush)(s);
        size_t keep = 0;
        for (size_t i = 0; i < s->nq; i++) {
            if (s->np == s->cap || MF(place)(s, s->qb[i], s->qp[i], s->qneg[i])) {
                s->qb[keep] = s->qb[i]; s->qp[keep] = s->qp[i]; s->qneg[keep] = s->qneg[i];
                keep++;
            }
        }
        s->nq = keep;
    } while (s->np == s->cap);
}

/* bucket b += (neg ? -p : p); p not infinity */
static inline void MF(add)(MF(acc_t) *s, uint32_t b, const GF(aff_t) *p, int neg) {
    if (!s->batch) { MF(ovf_add)(s, b, p, neg); return; }
    if (MF(place)(s, b, p, neg)) {
        if (s->nq < s->qcap) {
            size_t k = s->nq++;
            s->qb[k] = b; s->qp[k] = p; s->qneg[k] = (unsigned char)neg;
        } else {
            MF(ovf_add)(s, b, p, neg);
        }
        return;
    }
    if (s->np == s->cap) MF(cycle)(s);
}

/* completes every queued and pending addition: pending points go into
 * the following batches (a few rounds, since two of them may share a
 * bucket), the last round's leftovers into the overflow */
static void MF(finish)(MF(acc_t) *s) {
    if (!s->batch) return;
    for (int round = 0; round < 4 && s->nq > 0; round++) {
        MF(flush)(s);
        size_t keep = 0;
        for (size_t i = 0; i < s->nq; i++) {
            if (MF(place)(s, s->qb[i], s->qp[i], s->qneg[i])) {
                s->qb[keep] = s->qb[i]; s->qp[keep] = s->qp[i]; s->qneg[keep] = s->qneg[i];
                keep++;
            } else if (s->np == s->cap) {
                MF(flush)(s);
            }
        }
        s->nq = keep;
    }
    MF(flush)(s);
    for (size_t i = 0; i < s->nq; i++) MF(ovf_add)(s, s->qb[i], s->qp[i], s->qneg[i]);
    s->nq = 0;
}

/* Folds the xyzz overflow accumulators of a batch-mode window into its
 * affine buckets, so that the batch-affine reduction (MF(reduce_ba)) can
 * sum them: a window gets a few overflows when points are still pending
 * at its end (MF(finish)), and one overflow used to send all its buckets
 * through the xyzz reduction (28 units per bucket against 17).  Up to
 * min(cap, MSM_RED_SEGS) overflows at a time are made affine with one
 * shared inversion (of zz * zzz) and added to their buckets as one batch
 * (the buckets are distinct).  An overflow whose affine form has the
 * bucket's x (doubling or cancellation) stays an overflow; any_ovf is
 * left set if one does. */
static void MF(fold_ovf)(MF(acc_t) *s, size_t nb) {
    if (!s->batch || !s->any_ovf) return;
    size_t chunk = s->cap < MSM_RED_SEGS ? s->cap : MSM_RED_SEGS;
    uint32_t *ids = s->qb;   /* the pending queue is empty after MF(finish) */
    GF(aff_t) *aff = s->rold;
    int left = 0;
    size_t b = 0;
    while (b < nb) {
        size_t m = 0;
        for (; b < nb && m < chunk; b++) {
            if (!(s->state[b] & MSM_OVF)) continue;
            if (GF(xyzz_is_inf)(&s->ovf[b])) {
                s->state[b] &= (unsigned char)~MSM_OVF;
                continue;
            }
            ids[m++] = (uint32_t)b;
        }
        if (m == 0) continue;
        /* 1 / (zz zzz) for every overflow of the chunk, one inversion */
        FE acc, inv, t;
        FF(set_one)(&acc);
        for (size_t k = 0; k < m; k++) {
            const GF(xyzz_t) *o = &s->ovf[ids[k]];
            FF(mul)(&s->den[k], &o->zz, &o->zzz);
            s->pre[k] = acc;
            FF(mul)(&acc, &acc, &s->den[k]);
        }
        FF(inv)(&inv, &acc);
        for (size_t k = m; k-- > 0;) {
            const GF(xyzz_t) *o = &s->ovf[ids[k]];
            FE d;
            FF(mul)(&d, &inv, &s->pre[k]);      /* 1 / (zz zzz) */
            FF(mul)(&inv, &inv, &s->den[k]);
            FF(mul)(&t, &d, &o->zzz);           /* 1 / zz */
            FF(mul)(&aff[k].x, &o->x, &t);
            FF(mul)(&t, &d, &o->zz);            /* 1 / zzz */
            FF(mul)(&aff[k].y, &o->y, &t);
        }
        for (size_t k = 0; k < m; k++) {
            uint32_t bi = ids[k];
            unsigned char st = s->state[bi];
            if ((st & MSM_HAS) && FF(eq)(&s->bucket[bi].x, &aff[k].x)) { left = 1; continue; }
            s->state[bi] = st & (unsigned char)~MSM_OVF;
            MF(place)(s, bi, &aff[k], 0);   /* never busy: the buckets are distinct */
        }
        MF(flush)(s);
    }
    s->any_ovf = left;
}

/* r = k p for a small k > 0 (bucket counts and offsets), double and add */
static void MF(xyzz_mul_small)(GF(xyzz_t) *r, const GF(xyzz_t) *p, uint64_t k) {
    GF(xyzz_t) a = *p;
    for (int bit = 62 - __builtin_clzll((unsigned long long)k); bit >= 0; bit--) {
        GF(xyzz_dbl)(&a, &a);
        if ((k >> bit) & 1) GF(xyzz_add)(&a, &a, p);
    }
    *r = a;
}

/* sum_b (b + 1) * bucket_b over nb buckets, by a running sum from the top */
static void MF(reduce)(GF(xyzz_t) *out, GF(xyzz_t) *plain, const MF(acc_t) *s, size_t nb) {
    GF(xyzz_t) run, sum;
    GF(xyzz_set_inf)(&run);
    GF(xyzz_set_inf)(&sum);
    for (size_t b = nb; b-- > 0;) {
        unsigned char st = s->state[b];
        if (st & MSM_HAS) GF(xyzz_madd)(&run, &run, &s->bucket[b], 0);
        if (st & MSM_OVF) GF(xyzz_add)(&run, &run, &s->ovf[b]);
        GF(xyzz_add)(&sum, &sum, &run);
    }
    *out = sum;
    if (plain) *plain = run;
}

/* Batch-affine form of the same sum, for windows whose buckets are all
 * affine (batch mode, no overflow).  The buckets are cut into MSM_RED_SEGS
 * segments of L; each segment k runs its own running sum over its
 * buckets b = kL + j, j = L-1 .. 0, as
 *     sum_k += run_k;  run_k += B_b        (both from the old run_k)
 * so the 2 * MSM_RED_SEGS additions of a step are independent and share
 * one inversion (about 7.5M each instead of 10M + 14M for the xyzz pair).
 * Afterwards sum_k = sum_j j B_{kL+j}, run_k = sum_j B_{kL+j}, and
 *     sum_b (b + 1) B_b = sum_k (sum_k + run_k) + L * sum_k k run_k,
 * the last term by a short xyzz running sum and log2(L) doublings.
 * Equal x in an addition is a doubling (queued with its own slope) or a
 * cancellation (the result is infinity). */

/* queues dst += src (both finite); returns 1 if the result is infinity
 * (src == -dst), which the caller records instead */
static inline int MF(rq)(MF(acc_t) *s, size_t *m, GF(aff_t) *dst, const GF(aff_t) *src) {
    int dbl = 0;
    if (FF(eq)(&dst->x, &src->x)) {
        if (!FF(eq)(&dst->y, &src->y)) return 1;
        dbl = 1;
    }
    s->rdst[*m] = dst; s->rsrc[*m] = src; s->rdbl[*m] = (unsigned char)dbl;
    (*m)++;
    return 0;
}

/* *rdst[k] += *rsrc[k] and *rdst[j] += *rsrc[j] given their dinv (1 / the
 * slope's denominator), side by side as MF(apply2); k == j: one addition */
static inline void MF(rapply2)(MF(acc_t) *s, size_t k, size_t j, const FE *dk, const FE *dj) {
    size_t e[2] = {k, j};
    const FE *dv[2] = {dk, dj};
    const int n = k == j ? 1 : 2;
    FE t[2], l[2], x[2];
    for (int u = 0; u < n; u++) {
        const GF(aff_t) *d = s->rdst[e[u]], *q = s->rsrc[e[u]];
        if (s->rdbl[e[u]]) {      /* slope 3x^2 / 2y */
            FF(sqr)(&t[u], &d->x);
            FF(dbl)(&l[u], &t[u]);
            FF(add)(&t[u], &t[u], &l[u]);
        } else {
            FF(sub)(&t[u], &q->y, &d->y);
        }
    }
    for (int u = 0; u < n; u++) FF(mul_lazy)(&l[u], &t[u], dv[u]);
    for (int u = 0; u < n; u++) FF(sqr)(&x[u], &l[u]);
    for (int u = 0; u < n; u++) {
        const GF(aff_t) *d = s->rdst[e[u]], *q = s->rsrc[e[u]];
        FF(sub)(&x[u], &x[u], &d->x);
        FF(sub)(&x[u], &x[u], &q->x);
        FF(sub)(&t[u], &d->x, &x[u]);
    }
    for (int u = 0; u < n; u++) FF(mul)(&t[u], &l[u], &t[u]);
    for (int u = 0; u < n; u++) {
        GF(aff_t) *d = s->rdst[e[u]];
        FF(sub)(&d->y, &t[u], &d->y);
        d->x = x[u];
    }
}

static void MF(rflush)(MF(acc_t) *s, size_t m) {
    if (m == 0) return;
#ifdef MSM_VEC_NEW
    if (s->vec && !zk_portable) { MSM_VEC_RADD(s->vec, s->rdst, s->rsrc, s->rdbl, m); return; }
#endif
    /* two strands of lazy running products and two additions side by
     * side, as in MF(flush) */
    FE a0, a1, i0, i1, d0, d1;
    FF(set_one)(&a0);
    FF(set_one)(&a1);
    for (size_t k = 0; k < m; k++) {
        const GF(aff_t) *d = s->rdst[k], *q = s->rsrc[k];
        if (s->rdbl[k]) FF(dbl)(&s->den[k], &d->y);
        else FF(sub)(&s->den[k], &q->x, &d->x);
        FE *acc = k & 1 ? &a1 : &a0;
        s->pre[k] = *acc;
        FF(mul_lazy)(acc, acc, &s->den[k]);
    }
    MF(inv2)(&i0, &i1, &a0, &a1);
    size_t k = m;
    if (k & 1) { /* the last entry is on the even strand */
        k--;
        FF(mul_lazy)(&d0, &i0, &s->pre[k]);
        FF(mul_lazy)(&i0, &i0, &s->den[k]);
        MF(rapply2)(s, k, k, &d0, &d0);
    }
    for (; k >= 2; k -= 2) {
        FF(mul_lazy)(&d1, &i1, &s->pre[k - 1]);
        FF(mul_lazy)(&d0, &i0, &s->pre[k - 2]);
        FF(mul_lazy)(&i1, &i1, &s->den[k - 1]);
        FF(mul_lazy)(&i0, &i0, &s->den[k - 2]);
        MF(rapply2)(s, k - 1, k - 2, &d1, &d0);
    }
}

static void MF(reduce_ba)(GF(xyzz_t) *out, GF(xyzz_t) *plain, MF(acc_t) *s, size_t nb) {
    enum { K = MSM_RED_SEGS };
    size_t L = nb / K;
    GF(aff_t) *run = s->rrun, *sum = s->rsum, *old = s->rold;
    unsigned char *fl = s->rflag;
    memset(fl, MSM_RUN_INF | MSM_SUM_INF, K);
    for (size_t j = L; j-- > 0;) {
        size_t m = 0;
        for (size_t k = 0; k < K; k++) {
            if (!(fl[k] & MSM_RUN_INF)) {
                if (fl[k] & MSM_SUM_INF) { sum[k] = run[k]; fl[k] &= (unsigned char)~MSM_SUM_INF; }
                else {
                    old[k] = run[k];
                    if (MF(rq)(s, &m, &sum[k], &old[k])) fl[k] |= MSM_SUM_INF;
                }
            }
            size_t b = k * L + j;
            if (s->state[b] & MSM_HAS) {
                if (fl[k] & MSM_RUN_INF) { run[k] = s->bucket[b]; fl[k] &= (unsigned char)~MSM_RUN_INF; }
                else if (MF(rq)(s, &m, &run[k], &s->bucket[b])) fl[k] |= MSM_RUN_INF;
            }
        }
        MF(rflush)(s, m);
    }
    GF(xyzz_t) acc, r, w;
    GF(xyzz_set_inf)(&acc);
    GF(xyzz_set_inf)(&r);
    GF(xyzz_set_inf)(&w);
    for (size_t k = K; k-- > 0;) {
        if (!(fl[k] & MSM_SUM_INF)) GF(xyzz_madd)(&acc, &acc, &sum[k], 0);
        if (!(fl[k] & MSM_RUN_INF)) {
            GF(xyzz_madd)(&acc, &acc, &run[k], 0);
            GF(xyzz_madd)(&r, &r, &run[k], 0);
        }
        if (k > 0) GF(xyzz_add)(&w, &w, &r);    /* w = sum_k k run_k */
    }
    /* w *= L (a power of two but for bucket parts, msm.c) */
    GF(xyzz_t) wl;
    MF(xyzz_mul_small)(&wl, &w, L);
    GF(xyzz_add)(out, &acc, &wl);
    if (plain) *plain = r;     /* r = sum_k run_k: every bucket once */
}

/* ---- Pippenger ------------------------------------------------------------

 * With GLV (the default), scalar k_i becomes k1_i + k2_i LAMBDA (glv.h),
 * so the MSM runs over 2n points P_i, phi(P_i) with scalars |k1_i|,
 * |k2_i| < 2^127 (signs folded into the digits): half the windows, half
 * the bucket reductions.  Without it, n points with 254-bit scalars.
 *
 * The bits+1 digit positions are cut into nwin = ceil((bits+1)/c) windows
 * of c or c - 1 bits (msm_windows), so that no window is left with few
 * buckets.  Task t covers window w = t / nchunks over the points of chunk
 * t % nchunks.  A task empties 2^(cw-1) buckets (cw = the window's width), adds every point with a
 * non-zero digit d into bucket |d| - 1 (negated when d < 0), and sums the
 * buckets as sum_b b*B_b; the result goes to partial[t].  The window sums
 * are combined by the caller's thread. */
typedef struct {
    const GF(aff_t) *bases;
    const GF(aff_t) *phi;       /* GLV: phi(bases[i]); NULL without GLV */
    const uint64_t *scalars;    /* GLV: |k1|, |k2| (2 limbs each); else k (4 limbs) */
    const unsigned char *neg;   /* GLV: signs of k1 (bit 0), k2 (bit 1) */
    size_t n;
    int c, nwin, ntasks;
    const int *wpos, *wc;       /* window w: bits [wpos, wpos + wc) */
    const msm_task_t *task;     /* in the order the threads take them */
    GF(xyzz_t) *partial;        /* task t's sum */
    int next;   /* atomic task counter */
    int failed;
} MF(ctx);

/* points per block: digits of a block are computed (and their buckets
 * prefetched) before its points are added */
#define MSM_BLK 64

static void *MF(worker)(void *arg) {
    MF(ctx) *x = (MF(ctx) *)arg;
    size_t nb = (size_t)1 << (x->c - 1);
    MF(acc_t) s;
    if (MF(acc_init)(&s, nb) != 0) {
        __atomic_store_n(&x->failed, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    int glv = x->phi != NULL;
    for (;;) {
        int t = __atomic_fetch_add(&x->next, 1, __ATOMIC_RELAXED);
        if (t >= x->ntasks) break;
        const msm_task_t *tk = &x->task[t];
        int w = tk->w;
        size_t lo = tk->lo, hi = tk->hi;
        int pos = x->wpos[w], cw = x->wc[w];
        /* a task with part of the window's buckets (|digit| - 1 in [blo,
         * bhi)) keeps them as buckets 0 .. nbw - 1 (local digits) */
        const uint32_t blo = tk->blo, bhi = tk->bhi;
        const int ranged = bhi - blo != (uint32_t)1 << (cw - 1);
        size_t nbw = bhi - blo;
        MF(acc_window)(&s, nbw);
        int dig[2 * MSM_BLK];
        for (size_t i0 = lo; i0 < hi; i0 += MSM_BLK) {
            size_t m = hi - i0 < MSM_BLK ? hi - i0 : MSM_BLK;
            for (size_t j = 0; j < m; j++) {
                size_t i = i0 + j;
                int d0, d1 = 0;
                if (glv) {
                    const uint64_t *k = x->scalars + 4 * i;
                    unsigned char sg = x->neg[i];
                    d0 = zk_booth_digit(k, 2, pos, cw);
                    d1 = zk_booth_digit(k + 2, 2, pos, cw);
                    if (sg & 1) d0 = -d0;
                    if (sg & 2) d1 = -d1;
                } else {
                    d0 = zk_booth_digit(x->scalars + 4 * i, 4, pos, cw);
                }
                if (ranged) {
                    d0 = msm_local_digit(d0, blo, bhi);
                    d1 = msm_local_digit(d1, blo, bhi);
                }
                dig[2 * j] = d0; dig[2 * j + 1] = d1;
                if (s.batch) {
                    if (d0) __builtin_prefetch(&s.bucket[(d0 < 0 ? -d0 : d0) - 1]);
                    if (d1) __builtin_prefetch(&s.bucket[(d1 < 0 ? -d1 : d1) - 1]);
                }
            }
            for (size_t j = 0; j < m; j++) {
                size_t i = i0 + j;
                int d0 = dig[2 * j], d1 = dig[2 * j + 1];
                if (!(d0 | d1)) continue;
                if (GF(aff_is_inf)(&x->bases[i])) continue;
                if (d0) MF(add)(&s, (uint32_t)(d0 < 0 ? -d0 : d0) - 1, &x->bases[i], d0 < 0);
                if (d1) MF(add)(&s, (uint32_t)(d1 < 0 ? -d1 : d1) - 1, &x->phi[i], d1 < 0);
            }
        }
        MF(finish)(&s);
        if (s.batch && nbw >= 2 * MSM_RED_SEGS) MF(fold_ovf)(&s, nbw);
        GF(xyzz_t) plain;
        if (s.batch && !s.any_ovf && nbw >= 2 * MSM_RED_SEGS && nbw % MSM_RED_SEGS == 0)
            MF(reduce_ba)(&x->partial[t], ranged ? &plain : NULL, &s, nbw);
        else MF(reduce)(&x->partial[t], ranged ? &plain : NULL, &s, nbw);
        if (ranged && blo) {
            /* the local sum weighs bucket blo + j by j + 1: add blo times
             * the plain sum of the buckets */
            GF(xyzz_t) m;
            MF(xyzz_mul_small)(&m, &plain, blo);
            GF(xyzz_add)(&x->partial[t], &x->partial[t], &m);
        }
    }
    MF(acc_free)(&s);
    return NULL;
}

/* GLV precomputation over blocks: scalar splits and phi(bases) */
typedef struct {
    const GF(aff_t) *bases;     /* aligned points, or NULL: copied from src */
    const uint8_t *src, *src1;  /* points [0, n0) and [n0, n), any alignment */
    GF(aff_t) *copy;            /* receives them (when bases is NULL) */
    const uint64_t *scalars, *scalars1;
    size_t n0;
    GF(aff_t) *phi;
    uint64_t *ks;
    unsigned char *neg;
    size_t n;
    size_t next;   /* atomic block counter */
} MF(pre_ctx);

#define MSM_PRE_BLK 4096

static void *MF(pre_worker)(void *arg) {
    MF(pre_ctx) *x = (MF(pre_ctx) *)arg;
    size_t nblk = (x->n + MSM_PRE_BLK - 1) / MSM_PRE_BLK;
    for (;;) {
        size_t blk = __atomic_fetch_add(&x->next, 1, __ATOMIC_RELAXED);
        if (blk >= nblk) break;
        size_t lo = blk * MSM_PRE_BLK, hi = lo + MSM_PRE_BLK;
        if (hi > x->n) hi = x->n;
        for (size_t i = lo; i < hi; i++) {
            const GF(aff_t) *pt = x->bases + i;
            if (!x->bases) {
                const uint8_t *b = i < x->n0 ? x->src + sizeof(GF(aff_t)) * i
                                             : x->src1 + sizeof(GF(aff_t)) * (i - x->n0);
                memcpy(&x->copy[i], b, sizeof(GF(aff_t)));
                pt = &x->copy[i];
            }
            const uint64_t *k = i < x->n0 ? x->scalars + 4 * i : x->scalars1 + 4 * (i - x->n0);
            glv_split(x->ks + 4 * i, &x->neg[i], k);
            ENDO_X(&x->phi[i].x, &pt->x);
            x->phi[i].y = pt->y;
        }
    }
    return NULL;
}

/* The multi-exponentiation over the points of one or two key sections at
 * any alignment: (src, scalars) for points [0, n0), (src1, scalars1) for
 * [n0, n) (the prover's C and H summed as one).  Unless the points are one
 * aligned array, the GLV precomputation copies them into one, on every
 * thread, as it splits the scalars (which it makes one array too); without
 * GLV they are copied first. */
static int MF(run2)(GF(aff_t) *out, const uint8_t *src, const uint64_t *scalars, size_t n0,
                    const uint8_t *src1, const uint64_t *scalars1, size_t n, int threads,
                    int c, int flags, int release) {
    if (n == 0) { GF(aff_set_inf)(out); return 0; }
    const size_t pb = sizeof(GF(aff_t));
    const GF(aff_t) *bases = n0 == n && ((uintptr_t)src & 7) == 0 ? (const GF(aff_t) *)src : NULL;
    if (!bases && (flags & MSM_NO_GLV)) {
        /* one aligned array of points and one of scalars, then as usual */
        GF(aff_t) *cb = (GF(aff_t) *)malloc(n * pb);
        uint64_t *cs = (uint64_t *)malloc(n * 32);
        if (!cb || !cs) { free(cb); free(cs); return -1; }
        memcpy(cb, src, n0 * pb);
        memcpy(cs, scalars, n0 * 32);
        if (n > n0) {
            memcpy((uint8_t *)cb + n0 * pb, src1, (n - n0) * pb);
            memcpy(cs + 4 * n0, scalars1, (n - n0) * 32);
        }
        zk_release_file_pages(src, n0 * pb, release);
        zk_release_file_pages(src1, (n - n0) * pb, release);
        int rc = MF(run2)(out, (const uint8_t *)cb, cs, n, NULL, NULL, n, threads, c, flags, 0);
        free(cb);
        free(cs);
        return rc;
    }
    threads = par_threads(threads);
    if (n < 64) threads = 1;
    int glv = !(flags & MSM_NO_GLV);
    int bits = glv ? GLV_BITS : SCALAR_BITS;
    size_t npts = glv ? 2 * n : n;
    int nchunks, tail = 0;
    if (c < 1) msm_plan_ex(npts, bits, threads, MSM_PARAMS(), &c, &nchunks, &tail);
    else {
        if (c > 16) c = 16;
        /* enough tasks to keep every thread busy, without many tiny chunks */
        int nw = (bits + 1 + c - 1) / c;
        nchunks = 1;
        while (nchunks * nw < 2 * threads && (n / (size_t)(nchunks * 2)) >= 1024) nchunks *= 2;
    }
    MF(ctx) x;
    memset(&x, 0, sizeof x);
    x.bases = bases; x.scalars = scalars; x.n = n; x.c = c;
    x.nwin = (bits + 1 + c - 1) / c;
    int wpos[256], wc[256];
    msm_windows(bits, x.nwin, wpos, wc);
    x.wpos = wpos; x.wc = wc;
    /* the tasks, in the order the threads take them: each window in
     * nchunks chunks of its points, the last msm_tail_windows ones (the
     * narrowest) in one chunk per thread */
    int split_from = x.nwin - msm_tail_windows(x.nwin, threads, nchunks, tail);
    size_t maxt = (size_t)x.nwin * (size_t)(nchunks > threads ? nchunks : threads);
    msm_task_t *task = (msm_task_t *)malloc(maxt * sizeof(msm_task_t));
    if (!task) return -1;
    int ntasks = 0;
    for (int w = 0; w < x.nwin; w++) {
        uint32_t nbw = (uint32_t)1 << (wc[w] - 1);
        if (w >= split_from) {
            /* one part of the buckets per thread, cut at multiples of
             * MSM_RED_SEGS (the batch-affine reduction's segments) */
            uint32_t units = nbw / MSM_RED_SEGS ? nbw / MSM_RED_SEGS : 1;
            uint32_t unit = nbw / units, prev = 0;
            for (int k = 1; k <= threads; k++) {
                uint32_t cut = k == threads ? nbw : (uint32_t)((uint64_t)units * k / threads) * unit;
                if (cut <= prev) continue;
                task[ntasks++] = (msm_task_t){w, prev, cut, 0, n};
                prev = cut;
            }
            continue;
        }
        size_t chunk = (n + (size_t)nchunks - 1) / (size_t)nchunks;
        for (int ch = 0; ch < nchunks; ch++) {
            size_t lo = (size_t)ch * chunk, hi = lo + chunk < n ? lo + chunk : n;
            if (lo >= hi) break;
            task[ntasks++] = (msm_task_t){w, 0, nbw, lo, hi};
        }
    }
    x.task = task; x.ntasks = ntasks;
    GF(aff_t) *phi = NULL, *copy = NULL;
    uint64_t *ks = NULL;
    unsigned char *neg = NULL;
    if (glv) {
        phi = (GF(aff_t) *)malloc(n * sizeof(GF(aff_t)));
        ks = (uint64_t *)malloc(n * 4 * sizeof(uint64_t));
        neg = (unsigned char *)malloc(n);
        copy = bases ? NULL : (GF(aff_t) *)malloc(n * pb);
        if (!phi || !ks || !neg || (!bases && !copy)) {
            free(phi); free(ks); free(neg); free(copy); free(task);
            return -1;
        }
        MF(pre_ctx) p = {bases, src, src1, copy, scalars, scalars1, n0, phi, ks, neg, n, 0};
        size_t nblk = (n + MSM_PRE_BLK - 1) / MSM_PRE_BLK;
        par_run(MF(pre_worker), &p, (size_t)threads < nblk ? threads : (int)nblk);
        x.phi = phi; x.scalars = ks; x.neg = neg;
        if (!bases) {
            x.bases = copy;
            zk_release_file_pages(src, n0 * pb, release);
            zk_release_file_pages(src1, (n - n0) * pb, release);
        }
    }
    x.partial = (GF(xyzz_t) *)malloc((size_t)ntasks * sizeof(GF(xyzz_t)));
    if (!x.partial) {
        free(phi); free(ks); free(neg); free(copy); free(task);
        return -1;
    }
    par_run(MF(worker), &x, threads > ntasks ? ntasks : threads);
    /* points read in place: their pages go once the windows are summed
     * (copied ones went as soon as they were copied) */
    if (bases) zk_release_file_pages(src, n * pb, release);
    free(phi); free(ks); free(neg); free(copy);
    if (x.failed) { free(x.partial); free(task); return -1; }
    GF(jac_t) acc, t;
    GF(jac_set_inf)(&acc);
    for (int w = x.nwin - 1; w >= 0; w--) {
        for (int s = 0; s < wc[w]; s++) GF(jac_dbl)(&acc, &acc);
        for (int k = 0; k < ntasks; k++) {
            if (task[k].w != w) continue;
            GF(xyzz_to_jac)(&t, &x.partial[k]);
            GF(jac_add)(&acc, &acc, &t);
        }
    }
    free(x.partial); free(task);
    GF(jac_to_aff)(out, &acc);
    return 0;
}

static int MF(run)(GF(aff_t) *out, const GF(aff_t) *bases, const uint64_t *scalars, size_t n,
                   int threads, int c, int flags) {
    return MF(run2)(out, (const uint8_t *)bases, scalars, n, NULL, NULL, n, threads, c, flags, 0);
}

int ZK_CAT(ZK_CAT(msm_, CURVE), _sections)(uint64_t *out, const uint8_t *bases0,
                                           const uint64_t *scalars0, size_t n0,
                                           const uint8_t *bases1, const uint64_t *scalars1,
                                           size_t n1, int threads, int release) {
    return MF(run2)((GF(aff_t) *)out, bases0, scalars0, n0, bases1, scalars1, n0 + n1, threads, 0,
                    0, release);
}

int ZK_CAT(msm_, CURVE)(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads) {
    return MF(run)((GF(aff_t) *)out, (const GF(aff_t) *)bases, scalars, n, threads, 0, 0);
}

int ZK_CAT(ZK_CAT(msm_, CURVE), _window)(uint64_t *out, const uint64_t *bases, const uint64_t *scalars,
                                         size_t n, int threads, int c) {
    return MF(run)((GF(aff_t) *)out, (const GF(aff_t) *)bases, scalars, n, threads, c, 0);
}

int ZK_CAT(ZK_CAT(msm_, CURVE), _opts)(uint64_t *out, const uint64_t *bases, const uint64_t *scalars,
                                       size_t n, int threads, int c, int flags) {
    return MF(run)((GF(aff_t) *)out, (const GF(aff_t) *)bases, scalars, n, threads, c, flags);
}

/* ---- plain sums: the 0/1 part of a multi-exponentiation -------------------

 * out = sum of n affine points (infinity allowed).  Chunks of the points
 * go to the threads; a chunk of at least MSM_SUM_BATCH_PER_BUCKET times
 * min_buckets points is added round robin into min_buckets batch-affine
 * buckets (consecutive points land in distinct buckets, so the batches
 * fill without waiting; equal x goes to the bucket's xyzz overflow), the
 * buckets are then summed; a smaller chunk is one run of xyzz mixed
 * additions.  About one batch-affine addition per point, against a
 * Pippenger pass over every window for scalars that are all 1. */
typedef struct {
    const GF(aff_t) *pts;
    size_t n, chunk;
    int nchunks;
    GF(xyzz_t) *partial;
    int next, failed;
} MF(sum_ctx);

static void *MF(sum_worker)(void *arg) {
    MF(sum_ctx) *x = (MF(sum_ctx) *)arg;
    const size_t nb = MSM_PARAMS().min_buckets;
    MF(acc_t) s;
    int have_acc = 0;
    for (;;) {
        int t = __atomic_fetch_add(&x->next, 1, __ATOMIC_RELAXED);
        if (t >= x->nchunks) break;
        size_t lo = (size_t)t * x->chunk, hi = lo + x->chunk;
        if (hi > x->n) hi = x->n;
        GF(xyzz_t) acc;
        GF(xyzz_set_inf)(&acc);
        if (hi - lo >= MSM_SUM_BATCH_PER_BUCKET * nb && !have_acc) {
            if (MF(acc_init)(&s, nb) != 0) { __atomic_store_n(&x->failed, 1, __ATOMIC_RELAXED); break; }
            have_acc = 1;
        }
        if (hi - lo >= MSM_SUM_BATCH_PER_BUCKET * nb && have_acc) {
            MF(acc_window)(&s, nb);
            size_t b = 0;
            for (size_t i = lo; i < hi; i++) {
                if (GF(aff_is_inf)(&x->pts[i])) continue;
                MF(add)(&s, (uint32_t)b, &x->pts[i], 0);
                if (++b == nb) b = 0;
            }
            MF(finish)(&s);
            for (b = 0; b < nb; b++) {
                unsigned char st = s.state[b];
                if (st & MSM_HAS) GF(xyzz_madd)(&acc, &acc, &s.bucket[b], 0);
                if (st & MSM_OVF) GF(xyzz_add)(&acc, &acc, &s.ovf[b]);
            }
        } else {
            for (size_t i = lo; i < hi; i++)
                if (!GF(aff_is_inf)(&x->pts[i])) GF(xyzz_madd)(&acc, &acc, &x->pts[i], 0);
        }
        x->partial[t] = acc;
    }
    if (have_acc) MF(acc_free)(&s);
    return NULL;
}

int ZK_CAT(CURVE, _sum)(uint64_t *out, const uint64_t *points, size_t n, int threads) {
    GF(aff_t) *res = (GF(aff_t) *)out;
    GF(aff_set_inf)(res);
    if (n == 0) return 0;
    threads = par_threads(threads);
    MF(sum_ctx) x;
    memset(&x, 0, sizeof x);
    x.pts = (const GF(aff_t) *)points;
    x.n = n;
    /* two chunks per thread (a late thread finds work), none below 4096 points */
    size_t want = (size_t)threads * 2, min_chunk = 4096;
    if (want > (n + min_chunk - 1) / min_chunk) want = (n + min_chunk - 1) / min_chunk;
    if (want < 1) want = 1;
    x.nchunks = (int)want;
    x.chunk = (n + want - 1) / want;
    x.partial = (GF(xyzz_t) *)malloc(want * sizeof(GF(xyzz_t)));
    if (!x.partial) return -1;
    par_run(MF(sum_worker), &x, threads > x.nchunks ? x.nchunks : threads);
    if (x.failed) { free(x.partial); return -1; }
    GF(jac_t) acc, t;
    GF(jac_set_inf)(&acc);
    for (int c = 0; c < x.nchunks; c++) {
        GF(xyzz_to_jac)(&t, &x.partial[c]);
        GF(jac_add)(&acc, &acc, &t);
    }
    free(x.partial);
    GF(jac_to_aff)(res, &acc);
    return 0;
}

/* ---- each point times its own scalar --------------------------------------- */

typedef struct {
    GF(aff_t) *out;
    const GF(aff_t) *pts;
    const uint64_t *scalars;
    size_t n;
    int next, failed;
} MF(each_ctx);

static void *MF(each_worker)(void *arg) {
    MF(each_ctx) *x = (MF(each_ctx) *)arg;
    GF(jac_t) *tmp = (GF(jac_t) *)malloc(ZK_BATCH * sizeof(GF(jac_t)));
    if (!tmp) { __atomic_store_n(&x->failed, 1, __ATOMIC_RELAXED); return NULL; }
    size_t nblk = (x->n + ZK_BATCH - 1) / ZK_BATCH;
    for (;;) {
        size_t blk = (size_t)__atomic_fetch_add(&x->next, 1, __ATOMIC_RELAXED);
        if (blk >= nblk) break;
        size_t lo = blk * ZK_BATCH, hi = lo + ZK_BATCH;
        if (hi > x->n) hi = x->n;
        for (size_t i = lo; i < hi; i++) {
            GF(jac_t) p;
            GF(jac_from_aff)(&p, &x->pts[i]);
            GF(jac_mul)(&tmp[i - lo], &p, x->scalars + 4 * i, 4);
        }
        GF(jac_batch_to_aff)(x->out + lo, tmp, hi - lo);
    }
    free(tmp);
    return NULL;
}

int ZK_CAT(CURVE, _mul_each)(uint64_t *out, const uint64_t *points, const uint64_t *scalars, size_t n, int threads) {
    if (n == 0) return 0;
    MF(each_ctx) x = {(GF(aff_t) *)out, (const GF(aff_t) *)points, scalars, n, 0, 0};
    size_t nblk = (n + ZK_BATCH - 1) / ZK_BATCH;
    threads = par_threads(threads);
    if ((size_t)threads > nblk) threads = (int)nblk;
    par_run(MF(each_worker), &x, threads);
    return x.failed ? -1 : 0;
}

/* ---- fixed base -------------------------------------------------------------

 * Table T[j][d-1] = d * 2^(c j) * base for windows j < nwin and digits
 * 1 <= d <= 2^(c-1), affine; a scalar costs nwin mixed additions. */
typedef struct {
    GF(aff_t) *out;
    const uint64_t *scalars;
    size_t n;
    int c, nwin;
    GF(aff_t) *table;
    GF(jac_t) *jtab;
    const GF(jac_t) *wbase;  /* 2^(c j) * base */
    int next, failed;
} MF(fb_ctx);

static void *MF(fb_table_worker)(void *arg) {
    MF(fb_ctx) *x = (MF(fb_ctx) *)arg;
    size_t half = (size_t)1 << (x->c - 1);
    for (;;) {
        int j = __atomic_fetch_add(&x->next, 1, __ATOMIC_RELAXED);
        if (j >= x->nwin) break;
        GF(jac_t) *row = x->jtab + (size_t)j * half;
        row[0] = x->wbase[j];
        for (size_t d = 1; d < half; d++) GF(jac_add)(&row[d], &row[d - 1], &x->wbase[j]);
        GF(jac_batch_to_aff)(x->table + (size_t)j * half, row, half);
    }
    return NULL;
}

static void *MF(fb_worker)(void *arg) {
    MF(fb_ctx) *x = (MF(fb_ctx) *)arg;
    size_t half = (size_t)1 << (x->c - 1);
    GF(jac_t) *tmp = (GF(jac_t) *)malloc(ZK_BATCH * sizeof(GF(jac_t)));
    if (!tmp) { __atomic_store_n(&x->failed, 1, __ATOMIC_RELAXED); return NULL; }
    size_t nblk = (x->n + ZK_BATCH - 1) / ZK_BATCH;
    for (;;) {
        size_t blk = (size_t)__atomic_fetch_add(&x->next, 1, __ATOMIC_RELAXED);
        if (blk >= nblk) break;
        size_t lo = blk * ZK_BATCH, hi = lo + ZK_BATCH;
        if (hi > x->n) hi = x->n;
        for (size_t i = lo; i < hi; i++) {
            GF(xyzz_t) acc;
            GF(xyzz_set_inf)(&acc);
            const uint64_t *k = x->scalars + 4 * i;
            for (int j = 0; j < x->nwin; j++) {
                int d = zk_booth_digit(k, 4, j * x->c, x->c);
                if (d == 0) continue;
                const GF(aff_t) *p = &x->table[(size_t)j * half + (size_t)(d > 0 ? d : -d) - 1];
                if (GF(aff_is_inf)(p)) continue;
                GF(xyzz_madd)(&acc, &acc, p, d < 0);
            }
            GF(xyzz_to_jac)(&tmp[i - lo], &acc);
        }
        GF(jac_batch_to_aff)(x->out + lo, tmp, hi - lo);
    }
    free(tmp);
    return NULL;
}

int ZK_CAT(CURVE, _fixed_base)(uint64_t *out, const uint64_t *base, const uint64_t *scalars, size_t n, int threads) {
    if (n == 0) return 0;
    MF(fb_ctx) x;
    memset(&x, 0, sizeof x);
    x.out = (GF(aff_t) *)out; x.scalars = scalars; x.n = n;
    /* minimise nwin * (n + 2 * 2^(c-1)): per-scalar additions plus table */
    int best = 2;
    double bestc = 1e300;
    for (int c = 2; c <= 14; c++) {
        int nw = (SCALAR_BITS + 1 + c - 1) / c;
        double cost = (double)nw * ((double)n + 2.0 * (double)((size_t)1 << (c - 1)));
        if (cost < bestc) { bestc = cost; best = c; }
    }
    x.c = best;
    x.nwin = (SCALAR_BITS + 1 + x.c - 1) / x.c;
    size_t half = (size_t)1 << (x.c - 1);
    x.table = (GF(aff_t) *)malloc((size_t)x.nwin * half * sizeof(GF(aff_t)));
    x.jtab = (GF(jac_t) *)malloc((size_t)x.nwin * half * sizeof(GF(jac_t)));
    GF(jac_t) *wb = (GF(jac_t) *)malloc((size_t)x.nwin * sizeof(GF(jac_t)));
    if (!x.table || !x.jtab || !wb) { free(x.table); free(x.jtab); free(wb); return -1; }
    GF(jac_from_aff)(&wb[0], (const GF(aff_t) *)base);
    for (int j = 1; j < x.nwin; j++) {
        wb[j] = wb[j - 1];
        for (int s = 0; s < x.c; s++) GF(jac_dbl)(&wb[j], &wb[j]);
    }
    x.wbase = wb;
    threads = par_threads(threads);
    int tt = threads < x.nwin ? threads : x.nwin;
    par_run(MF(fb_table_worker), &x, tt);
    free(x.jtab); x.jtab = NULL;
    free(wb);
    x.next = 0;
    size_t nblk = (n + ZK_BATCH - 1) / ZK_BATCH;
    if ((size_t)threads > nblk) threads = (int)nblk;
    par_run(MF(fb_worker), &x, threads);
    free(x.table);
    return x.failed ? -1 : 0;
}

#undef GF
#undef FF
#undef MF

/*
 * msm_impl.h - MSM / batch scalar multiplication for one group; included by
 * msm.c once for G1 and once for G2 with CURVE, FIELD, FE defined.
 */
#define GF(name) ZK_CAT(CURVE, _##name)
#define FF(op) ZK_CAT(FIELD, _##op)
#define MF(name) ZK_CAT(ZK_CAT(CURVE, _msm_), name)

/* Batch-affine accumulation (used when there are >= 2^11 buckets).
 * Buckets hold affine points; additions into distinct buckets are queued
 * and done together, sharing one field inversion (Montgomery's trick):
 * about 6M per addition instead of 10M for an xyzz mixed addition.  A
 * point whose bucket is already queued in the current batch, or whose x
 * equals the bucket's (doubling or cancellation), goes to that bucket's
 * xyzz overflow accumulator instead, so every input stays correct and the
 * worst case (all points in one bucket) costs the xyzz price. */
typedef struct {
    GF(aff_t) *bucket;
    GF(xyzz_t) *ovf;
    unsigned char *state;
    uint32_t *pb;            /* queued bucket index */
    const GF(aff_t) **pp;    /* queued point */
    unsigned char *pneg;
    FE *den, *pre;
    size_t cap;
} MF(ba_t);

static void MF(ba_flush)(MF(ba_t) *s, size_t np) {
    if (np == 0) return;
    FE acc, inv, t, lam, x3;
    FF(set_one)(&acc);
    for (size_t k = 0; k < np; k++) {
        if (k + 8 < np) __builtin_prefetch(&s->bucket[s->pb[k + 8]]);
        GF(aff_t) *b = &s->bucket[s->pb[k]];
        FF(sub)(&s->den[k], &s->pp[k]->x, &b->x);
        s->pre[k] = acc;
        FF(mul)(&acc, &acc, &s->den[k]);
    }
    FF(inv)(&inv, &acc);
    for (size_t k = np; k-- > 0;) {
        uint32_t bi = s->pb[k];
        GF(aff_t) *b = &s->bucket[bi];
        const GF(aff_t) *p = s->pp[k];
        FE dinv;
        FF(mul)(&dinv, &inv, &s->pre[k]);
        FF(mul)(&inv, &inv, &s->den[k]);
        /* lambda = (y_p - y_b) / (x_p - x_b), y_p negated for negative digits */
        if (s->pneg[k]) { FF(add)(&t, &p->y, &b->y); FF(neg)(&t, &t); }
        else FF(sub)(&t, &p->y, &b->y);
        FF(mul)(&lam, &t, &dinv);
        FF(sqr)(&x3, &lam);
        FF(sub)(&x3, &x3, &b->x);
        FF(sub)(&x3, &x3, &p->x);
        FF(sub)(&t, &b->x, &x3);
        FF(mul)(&t, &lam, &t);
        FF(sub)(&b->y, &t, &b->y);
        b->x = x3;
        s->state[bi] &= (unsigned char)~MSM_BUSY;
    }
}

/* ---- Pippenger ------------------------------------------------------------

 * Task t covers window w = t / nchunks over points of chunk t % nchunks.
 * A task empties 2^(c-1) buckets, adds every base with a non-zero digit d
 * into bucket |d| - 1 (negated when d < 0), and sums the buckets as
 * sum_b b*B_b with a running sum from the top; the result goes to
 * partial[t].  The window sums are combined by the caller's thread. */
typedef struct {
    const GF(aff_t) *bases;
    const uint64_t *scalars;
    size_t n, chunk;
    int c, nwin, nchunks;
    GF(xyzz_t) *partial;
    int next;   /* atomic task counter */
    int failed;
} MF(ctx);

static void *MF(worker)(void *arg) {
    MF(ctx) *x = (MF(ctx) *)arg;
    size_t nb = (size_t)1 << (x->c - 1);
    int batch = nb >= MSM_BATCH_MIN_BUCKETS;
    MF(ba_t) s;
    memset(&s, 0, sizeof s);
    s.cap = nb / 4 < MSM_BATCH_CAP ? nb / 4 : MSM_BATCH_CAP;
    s.ovf = (GF(xyzz_t) *)malloc(nb * sizeof(GF(xyzz_t)));
    s.state = (unsigned char *)malloc(nb);
    if (batch) {
        s.bucket = (GF(aff_t) *)malloc(nb * sizeof(GF(aff_t)));
        s.pb = (uint32_t *)malloc(s.cap * sizeof(uint32_t));
        s.pp = (const GF(aff_t) **)malloc(s.cap * sizeof(GF(aff_t) *));
        s.pneg = (unsigned char *)malloc(s.cap);
        s.den = (FE *)malloc(s.cap * sizeof(FE));
        s.pre = (FE *)malloc(s.cap * sizeof(FE));
    }
    if (!s.ovf || !s.state || (batch && (!s.bucket || !s.pb || !s.pp || !s.pneg || !s.den || !s.pre))) {
        __atomic_store_n(&x->failed, 1, __ATOMIC_RELAXED);
        goto done;
    }
    int ntasks = x->nwin * x->nchunks;
    for (;;) {
        int t = __atomic_fetch_add(&x->next, 1, __ATOMIC_RELAXED);
        if (t >= ntasks) break;
        int w = t / x->nchunks, ch = t % x->nchunks;
        size_t lo = (size_t)ch * x->chunk, hi = lo + x->chunk;
        if (hi > x->n) hi = x->n;
        int pos = w * x->c;
        memset(s.state, 0, nb);
        size_t np = 0;
        /* digits are computed MSM_PF points ahead so that the bucket a point
         * goes to can be prefetched (the buckets outgrow L2 for c >= 14) */
        int ring[MSM_PF];
        for (size_t i = lo; i < hi && i < lo + MSM_PF; i++)
            ring[i % MSM_PF] = zk_booth_digit(x->scalars + 4 * i, 4, pos, x->c);
        for (size_t i = lo; i < hi; i++) {
            int d = ring[i % MSM_PF];
            if (i + MSM_PF < hi) {
                int dn = zk_booth_digit(x->scalars + 4 * (i + MSM_PF), 4, pos, x->c);
                ring[(i + MSM_PF) % MSM_PF] = dn;
                if (batch && dn) __builtin_prefetch(&s.bucket[(dn < 0 ? -dn : dn) - 1]);
            }
            if (d == 0) continue;
            const GF(aff_t) *p = &x->bases[i];
            if (GF(aff_is_inf)(p)) continue;
            int neg = d < 0;
            uint32_t b = (uint32_t)(neg ? -d : d) - 1;
            unsigned char st = s.state[b];
            if (batch && !(st & MSM_HAS)) {
                s.bucket[b].x = p->x;
                if (neg) FF(neg)(&s.bucket[b].y, &p->y); else s.bucket[b].y = p->y;
                s.state[b] = st | MSM_HAS;
                continue;
            }
            if (!batch || (st & MSM_BUSY) || FF(eq)(&s.bucket[b].x, &p->x)) {
                if (!(st & MSM_OVF)) { GF(xyzz_set_inf)(&s.ovf[b]); s.state[b] = st | MSM_OVF; }
                GF(xyzz_madd)(&s.ovf[b], &s.ovf[b], p, neg);
                continue;
            }
            s.pb[np] = b; s.pp[np] = p; s.pneg[np] = (unsigned char)neg; np++;
            s.state[b] = st | MSM_BUSY;
            if (np == s.cap) { MF(ba_flush)(&s, np); np = 0; }
        }
        MF(ba_flush)(&s, np);
        GF(xyzz_t) run, sum;
        GF(xyzz_set_inf)(&run);
        GF(xyzz_set_inf)(&sum);
        for (size_t b = nb; b-- > 0;) {
            unsigned char st = s.state[b];
            if (st & MSM_HAS) GF(xyzz_madd)(&run, &run, &s.bucket[b], 0);
            if (st & MSM_OVF) GF(xyzz_add)(&run, &run, &s.ovf[b]);
            GF(xyzz_add)(&sum, &sum, &run);
        }
        x->partial[t] = sum;
    }
done:
    free(s.ovf); free(s.state); free(s.bucket); free(s.pb); free(s.pp); free(s.pneg);
    free(s.den); free(s.pre);
    return NULL;
}

static int MF(run)(GF(aff_t) *out, const GF(aff_t) *bases, const uint64_t *scalars, size_t n,
                   int threads, int c) {
    if (n == 0) { GF(aff_set_inf)(out); return 0; }
    threads = zk_threads(threads);
    if (n < 64) threads = 1;
    if (c < 1) c = 1;
    if (c > 16) c = 16;
    MF(ctx) x;
    x.bases = bases; x.scalars = scalars; x.n = n; x.c = c;
    x.nwin = (SCALAR_BITS + 1 + c - 1) / c;
    /* enough tasks to keep every thread busy, without many tiny chunks */
    x.nchunks = 1;
    while (x.nchunks * x.nwin < 2 * threads && (n / (size_t)(x.nchunks * 2)) >= 1024) x.nchunks *= 2;
    x.chunk = (n + x.nchunks - 1) / x.nchunks;
    x.next = 0; x.failed = 0;
    int ntasks = x.nwin * x.nchunks;
    x.partial = (GF(xyzz_t) *)malloc((size_t)ntasks * sizeof(GF(xyzz_t)));
    if (!x.partial) return -1;
    if (threads > ntasks) threads = ntasks;
    zk_run_threads(MF(worker), &x, threads);
    if (x.failed) { free(x.partial); return -1; }
    GF(jac_t) acc, t;
    GF(jac_set_inf)(&acc);
    for (int w = x.nwin - 1; w >= 0; w--) {
        for (int s = 0; s < c; s++) GF(jac_dbl)(&acc, &acc);
        for (int ch = 0; ch < x.nchunks; ch++) {
            GF(xyzz_to_jac)(&t, &x.partial[w * x.nchunks + ch]);
            GF(jac_add)(&acc, &acc, &t);
        }
    }
    free(x.partial);
    GF(jac_to_aff)(out, &acc);
    return 0;
}

int ZK_CAT(msm_, CURVE)(uint64_t *out, const uint64_t *bases, const uint64_t *scalars, size_t n, int threads) {
    return MF(run)((GF(aff_t) *)out, (const GF(aff_t) *)bases, scalars, n, threads, msm_window_size(n));
}

int ZK_CAT(ZK_CAT(msm_, CURVE), _window)(uint64_t *out, const uint64_t *bases, const uint64_t *scalars,
                                         size_t n, int threads, int c) {
    return MF(run)((GF(aff_t) *)out, (const GF(aff_t) *)bases, scalars, n, threads, c);
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
    threads = zk_threads(threads);
    if ((size_t)threads > nblk) threads = (int)nblk;
    zk_run_threads(MF(each_worker), &x, threads);
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
    threads = zk_threads(threads);
    int tt = threads < x.nwin ? threads : x.nwin;
    zk_run_threads(MF(fb_table_worker), &x, tt);
    free(x.jtab); x.jtab = NULL;
    free(wb);
    x.next = 0;
    size_t nblk = (n + ZK_BATCH - 1) / ZK_BATCH;
    if ((size_t)threads > nblk) threads = (int)nblk;
    zk_run_threads(MF(fb_worker), &x, threads);
    free(x.table);
    return x.failed ? -1 : 0;
}

#undef GF
#undef FF
#undef MF

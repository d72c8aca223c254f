/*
 * msm_ifma_impl.h - the 8-lane batch-affine bucket flush and reduction-add
 * (see msm_ifma.h), written once over a lane field; included by msm_ifma.h
 * once per group with:
 *   IFMA_PFX(n)    name prefix (ifma_##n, ifma2_##n)
 *   IFMA_FE        lane field type (v8fe, v8fe2)
 *   IFMA_AFF       affine point type (g1_aff_t, g2_aff_t); x at offset 0
 *   IFMA_YOFF      byte offset of y in IFMA_AFF (32, 64)
 *   IFMA_ADD/SUB/MUL(r, a, b), IFMA_INV(a) -> FE, IFMA_LOAD(addr, off) -> FE,
 *   IFMA_MUL_LAZY(r, a, b): a product only other products read, left
 *   below 2p where the lane field allows it (IFMA_MUL and IFMA_MUL_LAZY
 *   take such values); IFMA_REDUCE(a): a lazy value brought below p,
 *   IFMA_STORE(addr, off, x), IFMA_BLEND(mask, a, b) -> FE,
 *   IFMA_ZERO() / IFMA_ONE_FE() -> FE
 *   IFMA_GEN(gp, gb) the dummy pair G, 2G of the padding lanes
 * and #undefs them all at the end.
 */

/* scratch of one thread: per group of 8, x of point and bucket, the
 * denominators and prefix products; the dummy pair G, 2G */
typedef struct {
    IFMA_FE *xp, *xb, *den, *pre;
    size_t ngroups;
    IFMA_AFF gp, gb;
} IFMA_PFX(scratch);

static void IFMA_PFX(free)(void *p) {
    IFMA_PFX(scratch) *s = (IFMA_PFX(scratch) *)p;
    if (!s) return;
    free(s->xp); free(s->xb); free(s->den); free(s->pre);
    free(s);
}

static void *IFMA_PFX(new)(size_t cap) {
    IFMA_PFX(scratch) *s = (IFMA_PFX(scratch) *)calloc(1, sizeof *s);
    if (!s) return NULL;
    s->ngroups = (cap + 7) / 8;
    size_t bytes = s->ngroups * sizeof(IFMA_FE);
    s->xp = (IFMA_FE *)aligned_alloc(64, bytes);
    s->xb = (IFMA_FE *)aligned_alloc(64, bytes);
    s->den = (IFMA_FE *)aligned_alloc(64, bytes);
    s->pre = (IFMA_FE *)aligned_alloc(64, bytes);
    if (!s->xp || !s->xb || !s->den || !s->pre) { IFMA_PFX(free)(s); return NULL; }
    IFMA_GEN(&s->gp, &s->gb);
    return s;
}

/* addresses of group g's eight (point, bucket) pairs and the mask of
 * flag[k]; entry k < n is (src[k], bucket ? &bucket[pb[k]] : dst[k]),
 * padding lanes are (G, dummy) */
static inline __attribute__((always_inline)) __mmask8 IFMA_PFX(lanes)(__m512i *PA, __m512i *BA, size_t g, size_t n,
                                       IFMA_AFF *bucket, const uint32_t *pb, IFMA_AFF *const *dst,
                                       const IFMA_AFF *const *src, const unsigned char *flag,
                                       const IFMA_AFF *gp, const IFMA_AFF *dummy) {
    uint64_t pa[8] __attribute__((aligned(64))), ba[8] __attribute__((aligned(64)));
    __mmask8 m = 0;
    for (int j = 0; j < 8; j++) {
        size_t k = 8 * g + (size_t)j;
        if (k < n) {
            pa[j] = (uint64_t)(uintptr_t)src[k];
            ba[j] = (uint64_t)(uintptr_t)(bucket ? &bucket[pb[k]] : dst[k]);
            if (flag[k]) m |= (__mmask8)(1u << j);
        } else {
            pa[j] = (uint64_t)(uintptr_t)gp;
            ba[j] = (uint64_t)(uintptr_t)dummy;
        }
    }
    *PA = _mm512_load_si512((const void *)pa);
    *BA = _mm512_load_si512((const void *)ba);
    return m;
}

/* the batch of both entry points, one inversion.  radd = 0 (flush):
 * flag[k] negates the point; radd = 1 (reduction): flag[k] marks a
 * doubling (src equals dst, slope 3x^2 / 2y).  Always inlined with a
 * constant radd, so each entry point keeps only its own branch. */
static inline __attribute__((always_inline)) void
IFMA_PFX(batch)(void *scr, IFMA_AFF *bucket, const uint32_t *pb, IFMA_AFF *const *dst,
                const IFMA_AFF *const *src, const unsigned char *flag, size_t n, int radd) {
    IFMA_PFX(scratch) *s = (IFMA_PFX(scratch) *)scr;
    size_t ng = (n + 7) / 8;
    IFMA_AFF dummy_b = s->gb;
    IFMA_FE acc = IFMA_ONE_FE();
    __m512i PA, BA;
    for (size_t g = 0; g < ng; g++) {
        __mmask8 m = IFMA_PFX(lanes)(&PA, &BA, g, n, bucket, pb, dst, src, flag, &s->gp, &dummy_b);
        s->xp[g] = IFMA_LOAD(PA, 0);
        s->xb[g] = IFMA_LOAD(BA, 0);
        IFMA_SUB(&s->den[g], &s->xp[g], &s->xb[g]);
        if (radd && m) {                  /* 2y for doublings */
            IFMA_FE yb = IFMA_LOAD(BA, IFMA_YOFF), y2;
            IFMA_ADD(&y2, &yb, &yb);
            s->den[g] = IFMA_BLEND(m, &s->den[g], &y2);
        }
        s->pre[g] = acc;
        IFMA_MUL_LAZY(&acc, &acc, &s->den[g]);
    }
    IFMA_FE inv;
    IFMA_REDUCE(&acc);                    /* the inversion takes it below p */
    inv = IFMA_INV(&acc);
    for (size_t g = ng; g-- > 0;) {
        __mmask8 m = IFMA_PFX(lanes)(&PA, &BA, g, n, bucket, pb, dst, src, flag, &s->gp, &dummy_b);
        IFMA_FE dinv, t, u, lam, x3, y3;
        IFMA_MUL_LAZY(&dinv, &inv, &s->pre[g]);
        IFMA_MUL_LAZY(&inv, &inv, &s->den[g]);
        IFMA_FE yp = IFMA_LOAD(PA, IFMA_YOFF), yb = IFMA_LOAD(BA, IFMA_YOFF);
        IFMA_SUB(&t, &yp, &yb);
        if (m) {
            if (radd) {                   /* 3x^2 for doublings */
                IFMA_FE x2, x22;
                IFMA_MUL(&x2, &s->xb[g], &s->xb[g]);
                IFMA_ADD(&x22, &x2, &x2);
                IFMA_ADD(&u, &x22, &x2);
            } else {                      /* -(y_p + y_b) for a negated point */
                IFMA_FE zero = IFMA_ZERO(), sum;
                IFMA_ADD(&sum, &yp, &yb);
                IFMA_SUB(&u, &zero, &sum);
            }
            t = IFMA_BLEND(m, &t, &u);
        }
        IFMA_MUL_LAZY(&lam, &t, &dinv);
        IFMA_MUL(&x3, &lam, &lam);
        IFMA_SUB(&x3, &x3, &s->xb[g]);
        IFMA_SUB(&x3, &x3, &s->xp[g]);
        IFMA_SUB(&u, &s->xb[g], &x3);
        IFMA_MUL(&y3, &lam, &u);
        IFMA_SUB(&y3, &y3, &yb);
        IFMA_STORE(BA, 0, &x3);
        IFMA_STORE(BA, IFMA_YOFF, &y3);
    }
}

/* bucket[pb[k]] += (pneg[k] ? -1 : 1) * pp[k] for k < np (distinct
 * buckets, x of point and bucket distinct), one inversion */
static void IFMA_PFX(flush)(void *scr, IFMA_AFF *bucket, const uint32_t *pb, const IFMA_AFF *const *pp,
                            const unsigned char *pneg, size_t np) {
    IFMA_PFX(batch)(scr, bucket, pb, NULL, pp, pneg, np, 0);
}

/* the reduction's batch (msm_impl.h, rflush): *dst[k] += *src[k] for k < m
 * (distinct dst, none of them a src); dbl[k]: src equals dst (doubling,
 * slope 3x^2 / 2y), else their x differ; one inversion */
static void IFMA_PFX(radd)(void *scr, IFMA_AFF *const *dst, const IFMA_AFF *const *src,
                           const unsigned char *dbl, size_t m) {
    IFMA_PFX(batch)(scr, NULL, NULL, dst, src, dbl, m, 1);
}

#undef IFMA_PFX
#undef IFMA_FE
#undef IFMA_AFF
#undef IFMA_YOFF
#undef IFMA_ADD
#undef IFMA_SUB
#undef IFMA_MUL
#undef IFMA_MUL_LAZY
#undef IFMA_REDUCE
#undef IFMA_INV
#undef IFMA_LOAD
#undef IFMA_STORE
#undef IFMA_BLEND
#undef IFMA_ZERO
#undef IFMA_ONE_FE
#undef IFMA_GEN

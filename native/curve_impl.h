/*
 * curve_impl.h - out-of-line curve routines, instantiated by curve.c for
 * G1 and G2 with the same parameters as curve_tmpl.h.
 */
#define GF(name) ZK_CAT(CURVE, _##name)
#define FF(op) ZK_CAT(FIELD, _##op)

void GF(jac_batch_to_aff)(GF(aff_t) *out, const GF(jac_t) *in, size_t n) {
    if (n == 0) return;
    FE *pre = (FE *)malloc(n * sizeof(FE));
    if (!pre) {
        for (size_t i = 0; i < n; i++) GF(jac_to_aff)(&out[i], &in[i]);
        return;
    }
    FE acc;
    FF(set_one)(&acc);
    for (size_t i = 0; i < n; i++) {
        pre[i] = acc;
        if (!GF(jac_is_inf)(&in[i])) FF(mul)(&acc, &acc, &in[i].z);
    }
    FF(inv)(&acc, &acc);
    for (size_t i = n; i-- > 0;) {
        if (GF(jac_is_inf)(&in[i])) { GF(aff_set_inf)(&out[i]); continue; }
        FE zi, zi2, t;
        FF(mul)(&zi, &acc, &pre[i]);
        FF(mul)(&acc, &acc, &in[i].z);
        FF(sqr)(&zi2, &zi);
        FF(mul)(&t, &in[i].x, &zi2);
        FF(mul)(&zi2, &zi2, &zi);
        FF(mul)(&out[i].y, &in[i].y, &zi2);
        out[i].x = t;
    }
    free(pre);
}

void GF(jac_mul)(GF(jac_t) *r, const GF(jac_t) *p, const uint64_t *k, int nlimbs) {
    enum { C = 5, HALF = 1 << (C - 1) };
    GF(jac_t) tab[HALF + 1], acc;
    tab[1] = *p;
    GF(jac_dbl)(&tab[2], p);
    for (int i = 3; i <= HALF; i++) GF(jac_add)(&tab[i], &tab[i - 1], p);
    int bits = 64 * nlimbs;
    while (bits > 0 && !((k[(bits - 1) / 64] >> ((bits - 1) % 64)) & 1)) bits--;
    int nwin = (bits + 1 + C - 1) / C;
    GF(jac_set_inf)(&acc);
    for (int j = nwin - 1; j >= 0; j--) {
        for (int s = 0; s < C; s++) GF(jac_dbl)(&acc, &acc);
        int d = zk_booth_digit(k, nlimbs, j * C, C);
        if (d > 0) GF(jac_add)(&acc, &acc, &tab[d]);
        else if (d < 0) { GF(jac_t) t; GF(jac_neg)(&t, &tab[-d]); GF(jac_add)(&acc, &acc, &t); }
    }
    *r = acc;
}

#undef GF
#undef FF

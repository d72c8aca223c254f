/* wsolve.c - native witness solver; see wsolve.h. */
#include "wsolve.h"
#include "babyjub.h"
#include "field.h"

#include <stdlib.h>
#include <string.h>

/* acc (zeroed by the caller or holding a base value) += sum of coef * vals
 * over the terms [lo, hi) of combination `self`; 0, or -1 for an index out
 * of range.  vals[0] is the constant one, so its terms add the coefficient
 * itself; so do values equal to 1, and values 0 add nothing.  A term whose
 * column is -(r + 1) is the combination r < self (already evaluated). */
static inline int add_terms(const ws_prog_t *p, int64_t self, int64_t lo, int64_t hi,
                            const uint64_t *vals, fr_t *acc) {
    if (lo < 0 || hi < lo || hi > p->n_lentries) return -1;
    const int64_t *col = p->lcol, *cid = p->lcid;
    for (int64_t i = lo; i < hi; i++) {
        int64_t w = col[i], c = cid[i];
        if ((uint64_t)c >= (uint64_t)p->n_lcoef) return -1;
        const fr_t *cf = (const fr_t *)(p->lcoef + 4 * c);
        const fr_t *v;
        if (w < 0) {
            /* a reference to an earlier combination, evaluated before (lc_value) */
            int64_t r = -w - 1;
            if (r >= self || !p->done[r]) return -1;
            v = (const fr_t *)(p->lv + 4 * r);
        } else {
            if (w >= p->n_wires) return -1;
            if (w == 0) {
                fr_add(acc, acc, cf);
                continue;
            }
            v = (const fr_t *)(vals + 4 * w);
        }
        switch (p->lckind[c]) {
        case 1: fr_add(acc, acc, v); break;
        case 2: fr_sub(acc, acc, v); break;
        default:
            /* bits, flags and unused slots are most of some circuits'
             * values: 0 and 1 need no product */
            if (fr_is_zero(v)) break;
            if (fr_is_one(v)) { fr_add(acc, acc, cf); break; }
            {
                fr_t t;
                fr_mul(&t, cf, v);
                fr_add(acc, acc, &t);
            }
        }
    }
    return 0;
}

/* L[l] into p->lv (once per run); 0, or -1 for a malformed combination */
static int eval_one(const ws_prog_t *p, int64_t l, const uint64_t *vals) {
    fr_t acc;
    int64_t base = p->lbase[l];
    if (base >= 0) {
        int64_t bc = p->lbcoef[l];
        const fr_t *bv = (const fr_t *)(p->lv + 4 * base);
        if (bc < 0) {
            acc = *bv;
        } else {
            if (bc >= p->n_lcoef) return -1;
            fr_mul(&acc, (const fr_t *)(p->lcoef + 4 * bc), bv);
        }
    } else {
        fr_set_zero(&acc);
    }
    if (add_terms(p, l, p->lptr[l], p->lptr[l + 1], vals, &acc)) return -1;
    memcpy(p->lv + 4 * l, acc.v, 32);
    p->done[l] = 1;
    return 0;
}

/* The first dependency of L[x] not evaluated yet (its base, then the
 * references, which lead its terms), -1 if none, -2 if malformed (a
 * dependency that is not earlier than x).  done: p->done or, for levels,
 * a memo that is >= 0 once known. */
static inline int64_t pending_dep(const ws_prog_t *p, int64_t x, const uint8_t *done,
                                  const int32_t *lcl) {
    int64_t b = p->lbase[x];
    if (b >= x || b < -1) return -2;
    if (b >= 0 && (done ? !done[b] : lcl[b] < 0)) return b;
    int64_t lo = p->lptr[x], hi = p->lptr[x + 1];
    if (lo < 0 || hi < lo || hi > p->n_lentries) return -2;
    for (int64_t i = lo; i < hi && p->lcol[i] < 0; i++) {
        int64_t r = -p->lcol[i] - 1;
        if (r >= x) return -2;
        if (done ? !done[r] : lcl[r] < 0) return r;
    }
    return -1;
}

/* L[l], evaluating first what it depends on (depth first, on p->stack: no
 * cycle is possible, every dependency being an earlier combination) */
static inline const fr_t *lc_value(const ws_prog_t *p, int64_t l, const uint64_t *vals) {
    if ((uint64_t)l >= (uint64_t)p->n_lc) return NULL;
    if (!p->done[l]) {
        int64_t n = 0;
        p->stack[n++] = l;
        while (n > 0) {
            int64_t x = p->stack[n - 1], d = pending_dep(p, x, p->done, NULL);
            if (d == -2) return NULL;
            if (d >= 0) {
                if (n >= p->n_lc) return NULL;
                p->stack[n++] = d;
                continue;
            }
            if (eval_one(p, x, vals)) return NULL;
            n--;
        }
    }
    return (const fr_t *)(p->lv + 4 * l);
}

/* q = a / b, r = a % b for 256-bit integers, b != 0 (shift-subtract) */
static void u256_divmod(uint64_t q[4], uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    if (!(a[1] | a[2] | a[3] | b[1] | b[2] | b[3])) {
        memset(q, 0, 32);
        memset(r, 0, 32);
        q[0] = a[0] / b[0];
        r[0] = a[0] % b[0];
        return;
    }
    uint64_t rem[4] = {0, 0, 0, 0}, quo[4] = {0, 0, 0, 0};
    for (int i = 255; i >= 0; i--) {
        /* rem < b <= 2^256 - 1, and a is canonical (< 2^254), so rem << 1 fits */
        uint64_t top = rem[3] >> 63;
        rem[3] = (rem[3] << 1) | (rem[2] >> 63);
        rem[2] = (rem[2] << 1) | (rem[1] >> 63);
        rem[1] = (rem[1] << 1) | (rem[0] >> 63);
        rem[0] = (rem[0] << 1) | ((a[i / 64] >> (i % 64)) & 1);
        if (top || limbs_geq(rem, b)) {
            uint64_t t[4];
            limbs_sub(t, rem, b);
            memcpy(rem, t, 32);
            quo[i / 64] |= (uint64_t)1 << (i % 64);
        }
    }
    memcpy(q, quo, 32);
    memcpy(r, rem, 32);
}

static inline void put_canonical(uint64_t *vals, int64_t w, const uint64_t c[4]) {
    fr_from_canonical((fr_t *)(vals + 4 * w), c);
}

/* ---- batched inversions ----------------------------------------------- */

/* length of the operation at pc (bounds-checked), or -1 */
static int64_t op_len(const int64_t *code, int64_t n, int64_t pc) {
    switch (code[pc]) {
    case WS_MUL: return pc + 4 <= n ? 4 : -1;
    case WS_LC: return pc + 3 <= n ? 3 : -1;
    case WS_CHECK: return pc + 5 <= n ? 5 : -1;
    case WS_HINT: {
        if (pc + 6 > n) return -1;
        int64_t n_in = code[pc + 5];
        if (n_in < 0 || n_in > n || pc + 7 + n_in > n) return -1;
        int64_t n_par = code[pc + 6 + n_in];
        if (n_par < 0 || n_par > n || pc + 7 + n_in + n_par > n) return -1;
        return 7 + n_in + n_par;
    }
    default: return -1;
    }
}

/* an inv or div hint that a batch may run (the hint at pc is complete) */
static inline int is_batchable(const ws_prog_t *p, int64_t pc) {
    const int64_t *c = p->code + pc;
    if (c[0] != WS_HINT || c[4] != 1) return 0;
    if (!((c[1] == WS_H_INV && c[5] == 1) || (c[1] == WS_H_DIV && c[5] == 2))) return 0;
    return c[3] > 0 && c[3] < p->n_wires;
}

/* the level of L[l] (the largest level of its wires, its base and the
 * combinations it references), memoised in lcl (-1: not yet); -1 for a
 * malformed combination */
static int32_t lc_level(const ws_prog_t *p, int64_t l, int32_t *lcl, const int32_t *wl,
                        int64_t *stack) {
    if ((uint64_t)l >= (uint64_t)p->n_lc) return -1;
    int64_t n = 0;
    if (lcl[l] < 0) stack[n++] = l;
    while (n > 0) {
        int64_t x = stack[n - 1], d = pending_dep(p, x, NULL, lcl);
        if (d == -2) return -1;
        if (d >= 0) {
            if (n >= p->n_lc) return -1;
            stack[n++] = d;
            continue;
        }
        int64_t b = p->lbase[x];
        int32_t lev = b >= 0 ? lcl[b] : 0;
        for (int64_t i = p->lptr[x]; i < p->lptr[x + 1]; i++) {
            int64_t w = p->lcol[i];
            int32_t wlev;
            if (w < 0) {
                int64_t r = -w - 1;
                if (r >= x || lcl[r] < 0) return -1; /* references lead the terms */
                wlev = lcl[r];
            } else {
                if (w >= p->n_wires) return -1;
                wlev = wl[w];
            }
            if (wlev > lev) lev = wlev;
        }
        lcl[x] = lev;
        n--;
    }
    return lcl[l];
}

int zk_wsolve_schedule(const ws_prog_t *p, int64_t *sched, int64_t cap, int64_t *n_sched,
                       int64_t *max_batch) {
    const int64_t *code = p->code;
    const int64_t n = p->n_code;
    int64_t n_ops = 0;
    for (int64_t pc = 0; pc < n;) {
        int64_t len = op_len(code, n, pc);
        if (len < 0) return -1;
        pc += len;
        n_ops++;
    }
    int rc = -1;
    int64_t *opc = malloc(sizeof(int64_t) * (size_t)(n_ops + 1));
    int32_t *olev = malloc(sizeof(int32_t) * (size_t)(n_ops + 1));
    int32_t *wl = calloc((size_t)p->n_wires + 1, sizeof(int32_t));
    int32_t *lcl = malloc(sizeof(int32_t) * (size_t)(p->n_lc + 1));
    int64_t *stack = malloc(sizeof(int64_t) * (size_t)(p->n_lc + 1));
    int64_t *start = NULL;
    if (!opc || !olev || !wl || !lcl || !stack) goto out;
    for (int64_t i = 0; i < p->n_lc; i++) lcl[i] = -1;
    /* levels: checks get -1 (they run last) */
    int32_t max_lev = 0;
    int64_t k = 0;
    for (int64_t pc = 0; pc < n; k++) {
        int64_t len = op_len(code, n, pc), op = code[pc];
        int32_t lev = 0, l;
        opc[k] = pc;
        if (op == WS_CHECK) {
            olev[k] = -1;
            pc += len;
            continue;
        }
        int64_t w0 = code[pc + 1], n_out = 1;
        if (op == WS_MUL || op == WS_LC) {
            for (int64_t j = 2; j < (op == WS_MUL ? 4 : 3); j++) {
                if ((l = lc_level(p, code[pc + j], lcl, wl, stack)) < 0) goto out;
                if (l > lev) lev = l;
            }
        } else { /* WS_HINT */
            int64_t n_in = code[pc + 5];
            w0 = code[pc + 3];
            n_out = code[pc + 4];
            for (int64_t j = 0; j < n_in; j++) {
                if ((l = lc_level(p, code[pc + 6 + j], lcl, wl, stack)) < 0) goto out;
                if (l > lev) lev = l;
            }
            if (is_batchable(p, pc)) lev++;
        }
        if (w0 <= 0 || n_out < 1 || n_out > p->n_wires || w0 > p->n_wires - n_out) goto out;
        for (int64_t j = 0; j < n_out; j++) wl[w0 + j] = lev;
        olev[k] = lev;
        if (lev > max_lev) max_lev = lev;
        pc += len;
    }
    /* counting sort: per level, the batch (its header and hints), then the
     * other operations; the checks after the last level */
    int64_t nl = (int64_t)max_lev + 1;
    start = calloc((size_t)(2 * nl + 2), sizeof(int64_t)); /* [2k]: batch, [2k+1]: others */
    if (!start) goto out;
    int64_t *cnt = start;
    for (int64_t i = 0; i < n_ops; i++) {
        if (olev[i] < 0) cnt[2 * nl]++;
        else cnt[2 * (int64_t)olev[i] + (is_batchable(p, opc[i]) ? 0 : 1)]++;
    }
    int64_t mb = 0, pos = 0;
    for (int64_t b = 0; b <= 2 * nl; b++) {
        int64_t c = cnt[b];
        if (b % 2 == 0 && b < 2 * nl && c > 0) {
            if (pos >= cap) goto out;
            sched[pos++] = -c; /* the batch header */
            if (c > mb) mb = c;
        }
        cnt[b] = pos; /* now the next free position of the bucket */
        pos += c;
    }
    if (pos > cap) goto out;
    for (int64_t i = 0; i < n_ops; i++) {
        int64_t b = olev[i] < 0 ? 2 * nl : 2 * (int64_t)olev[i] + (is_batchable(p, opc[i]) ? 0 : 1);
        sched[cnt[b]++] = opc[i];
    }
    *n_sched = pos;
    *max_batch = mb;
    rc = 0;
out:
    free(opc);
    free(olev);
    free(wl);
    free(lcl);
    free(stack);
    free(start);
    return rc;
}

/* d, or one when d is zero, without branching on d; *zmask: all ones when d is zero */
static inline void nonzero_or_one(fr_t *r, const fr_t *d, uint64_t *zmask) {
    uint64_t nz = d->v[0] | d->v[1] | d->v[2] | d->v[3];
    uint64_t z = ((nz | ((uint64_t)0 - nz)) >> 63) - 1;
    for (int j = 0; j < 4; j++) r->v[j] = (d->v[j] & ~z) | (FR_R[j] & z);
    *zmask = z;
}

/* the inv/div hints at code[pcs[0..m)] (independent of each other) with one
 * inversion; 0, or -1 for a malformed one */
static int run_batch(const ws_prog_t *p, const int64_t *pcs, int64_t m, uint64_t *vals) {
    fr_t *pre = (fr_t *)p->bscratch;
    fr_t acc, dd;
    uint64_t z;
    const fr_t *d;
    fr_set_one(&acc);
    for (int64_t i = 0; i < m; i++) {
        int64_t pc = pcs[i];
        if (pc < 0 || pc >= p->n_code || op_len(p->code, p->n_code, pc) < 0 ||
            !is_batchable(p, pc))
            return -1;
        const int64_t *c = p->code + pc;
        if (!(d = lc_value(p, c[5] == 2 ? c[7] : c[6], vals))) return -1;
        nonzero_or_one(&dd, d, &z);
        pre[i] = acc;
        fr_mul(&acc, &acc, &dd);
    }
    fr_inv(&acc, &acc);
    for (int64_t i = m; i-- > 0;) {
        const int64_t *c = p->code + pcs[i];
        fr_t out;
        if (!(d = lc_value(p, c[5] == 2 ? c[7] : c[6], vals))) return -1;
        nonzero_or_one(&dd, d, &z);
        fr_mul(&out, &acc, &pre[i]);
        fr_mul(&acc, &acc, &dd);
        if (c[5] == 2) {
            const fr_t *num = lc_value(p, c[6], vals);
            if (!num) return -1;
            fr_mul(&out, &out, num);
        }
        for (int j = 0; j < 4; j++) out.v[j] &= ~z;
        memcpy(vals + 4 * c[3], out.v, 32);
    }
    return 0;
}

int zk_wsolve_run(const ws_prog_t *p, uint64_t *vals, int64_t *pc_io, int64_t *hint_id,
                  int stop_at_hints, int resume, int check, int64_t *first_fail, uint64_t *io,
                  int64_t io_cap) {
    const int64_t *code = p->code;
    const int64_t n = p->n_code;
    /* with a schedule, pos walks it and pc is the operation it names; else pos = pc */
    const int64_t *sched = (!stop_at_hints && p->sched) ? p->sched : NULL;
    const int64_t n_steps = sched ? p->n_sched : n;
    int64_t pos = *pc_io, pc;
    fr_t a, b;
    const fr_t *la, *lb, *lc;
    if (pos == 0 && !resume && p->n_lc > 0) memset(p->done, 0, (size_t)p->n_lc);
    for (; pos < n_steps; pos = sched ? pos + 1 : pc) {
        if (pos < 0) return WS_BAD_PROGRAM;
        if (sched) {
            int64_t e = sched[pos];
            if (e < 0) { /* a batch of -e inversion hints */
                if (-e > n_steps - pos - 1 || -e > p->n_bscratch || !p->bscratch)
                    return WS_BAD_PROGRAM;
                if (run_batch(p, sched + pos + 1, -e, vals)) return WS_BAD_PROGRAM;
                pos += -e;
                pc = pos + 1; /* unused: the loop steps pos */
                continue;
            }
            if (e >= n) return WS_BAD_PROGRAM;
            pc = e;
        } else {
            pc = pos;
        }
        int64_t op = code[pc];
        if (op == WS_MUL) {
            if (pc + 4 > n) return WS_BAD_PROGRAM;
            int64_t w = code[pc + 1];
            if (w <= 0 || w >= p->n_wires) return WS_BAD_PROGRAM;
            if (!(la = lc_value(p, code[pc + 2], vals)) || !(lb = lc_value(p, code[pc + 3], vals)))
                return WS_BAD_PROGRAM;
            fr_mul((fr_t *)(vals + 4 * w), la, lb);
            pc += 4;
        } else if (op == WS_LC) {
            if (pc + 3 > n) return WS_BAD_PROGRAM;
            int64_t w = code[pc + 1];
            if (w <= 0 || w >= p->n_wires) return WS_BAD_PROGRAM;
            if (!(la = lc_value(p, code[pc + 2], vals))) return WS_BAD_PROGRAM;
            memcpy(vals + 4 * w, la->v, 32);
            pc += 3;
        } else if (op == WS_CHECK) {
            if (pc + 5 > n) return WS_BAD_PROGRAM;
            if (check && *first_fail < 0) {
                if (!(la = lc_value(p, code[pc + 2], vals)) ||
                    !(lb = lc_value(p, code[pc + 3], vals)) ||
                    !(lc = lc_value(p, code[pc + 4], vals)))
                    return WS_BAD_PROGRAM;
                fr_mul(&a, la, lb);
                if (memcmp(a.v, lc->v, 32) != 0) *first_fail = code[pc + 1];
            }
            pc += 5;
        } else if (op == WS_HINT) {
            if (pc + 6 > n) return WS_BAD_PROGRAM;
            int64_t kind = code[pc + 1], id = code[pc + 2], w0 = code[pc + 3];
            int64_t n_out = code[pc + 4], n_in = code[pc + 5];
            if (n_in < 0 || n_out < 1 || pc + 7 + n_in > n) return WS_BAD_PROGRAM;
            int64_t n_par = code[pc + 6 + n_in];
            if (n_par < 0 || pc + 7 + n_in + n_par > n) return WS_BAD_PROGRAM;
            const int64_t *lcs = code + pc + 6, *par = code + pc + 7 + n_in;
            int64_t next = pc + 7 + n_in + n_par;
            if (w0 <= 0 || n_out > p->n_wires || w0 > p->n_wires - n_out) return WS_BAD_PROGRAM;
            int64_t need = 4 * (n_in + n_out);
            if (need > io_cap) return WS_BAD_PROGRAM;
            if (resume) {
                /* outputs from Python (a Python hint or a test's hook) */
                for (int64_t j = 0; j < n_out; j++) {
                    const uint64_t *o = io + 4 * (n_in + j);
                    if (!fr_is_canonical(o)) return WS_BAD_PROGRAM;
                    put_canonical(vals, w0 + j, o);
                }
                resume = 0;
                pc = next;
                continue;
            }
            uint64_t in[2][4];
            int native = 1;
            if (kind == WS_H_PY) {
                native = 0;
            } else {
                if (n_in > 2) return WS_BAD_PROGRAM;
                for (int64_t j = 0; j < n_in; j++) {
                    if (!(la = lc_value(p, lcs[j], vals))) return WS_BAD_PROGRAM;
                    fr_to_canonical(in[j], la);
                }
            }
            switch (kind) {
            case WS_H_PY: break;
            case WS_H_BITS: {
                if (n_in != 1) return WS_BAD_PROGRAM;
                for (int64_t j = 0; j < n_out; j++) {
                    uint64_t bit = j < 256 ? (in[0][j / 64] >> (j % 64)) & 1 : 0;
                    fr_t *o = (fr_t *)(vals + 4 * (w0 + j));
                    if (bit) fr_set_one(o);
                    else fr_set_zero(o);
                }
                break;
            }
            case WS_H_INV: {
                if (n_in != 1 || n_out != 1) return WS_BAD_PROGRAM;
                fr_from_canonical(&a, in[0]);
                fr_inv((fr_t *)(vals + 4 * w0), &a); /* inverse of zero is zero */
                break;
            }
            case WS_H_DIV: {
                if (n_in != 2 || n_out != 1) return WS_BAD_PROGRAM;
                fr_from_canonical(&a, in[0]);
                fr_from_canonical(&b, in[1]);
                fr_inv(&b, &b);
                fr_mul((fr_t *)(vals + 4 * w0), &a, &b);
                break;
            }
            case WS_H_DIVMOD: {
                if (n_in != 2 || n_out != 2) return WS_BAD_PROGRAM;
                uint64_t q[4], r[4];
                if (limbs_is_zero(in[1])) {
                    memset(q, 0, 32);
                    memcpy(r, in[0], 32);
                } else {
                    u256_divmod(q, r, in[0], in[1]);
                }
                put_canonical(vals, w0, q);
                put_canonical(vals, w0 + 1, r);
                break;
            }
            case WS_H_BJJMUL: {
                if (n_in != 2 || n_out != 2 || n_par != 1) return WS_BAD_PROGRAM;
                if ((uint64_t)par[0] >= (uint64_t)p->n_lcoef) return WS_BAD_PROGRAM;
                uint64_t pt[8], res[8], k[4];
                memcpy(pt, in[0], 32);
                memcpy(pt + 4, in[1], 32);
                if (!bjj_on_curve(pt)) {
                    native = 0; /* the Python reference defines the off-curve answer */
                    break;
                }
                fr_to_canonical(k, (const fr_t *)(p->lcoef + 4 * par[0]));
                bjj_mul(res, pt, k);
                put_canonical(vals, w0, res);
                put_canonical(vals, w0 + 1, res + 4);
                break;
            }
            default: return WS_BAD_PROGRAM;
            }
            if (!native) {
                for (int64_t j = 0; j < n_in; j++) {
                    if (!(la = lc_value(p, lcs[j], vals))) return WS_BAD_PROGRAM;
                    fr_to_canonical(io + 4 * j, la);
                }
                *hint_id = id;
                *pc_io = pos;
                return WS_NEED_PY;
            }
            if (stop_at_hints) {
                for (int64_t j = 0; j < n_in; j++) memcpy(io + 4 * j, in[j], 32);
                for (int64_t j = 0; j < n_out; j++)
                    fr_to_canonical(io + 4 * (n_in + j), (const fr_t *)(vals + 4 * (w0 + j)));
                *hint_id = id;
                *pc_io = pos;
                return WS_HOOK;
            }
            pc = next;
        } else {
            return WS_BAD_PROGRAM;
        }
    }
    *pc_io = pos;
    return WS_DONE;
}

/* wsolve.c - native witness solver; see wsolve.h. */
#include "wsolve.h"
#include "babyjub.h"
#include "field.h"

#include <string.h>

/* acc (zeroed by the caller or holding a base value) += sum of coef * vals
 * over the terms [lo, hi); 0, or -1 for an index out of range.  vals[0] is
 * the constant one, so its terms add the coefficient itself. */
static inline int add_terms(const ws_prog_t *p, int64_t lo, int64_t hi, const uint64_t *vals,
                            fr_t *acc) {
    if (lo < 0 || hi < lo || hi > p->n_lentries) return -1;
    const int64_t *col = p->lcol, *cid = p->lcid;
    for (int64_t i = lo; i < hi; i++) {
        int64_t w = col[i], c = cid[i];
        if ((uint64_t)w >= (uint64_t)p->n_wires || (uint64_t)c >= (uint64_t)p->n_lcoef) return -1;
        const fr_t *cf = (const fr_t *)(p->lcoef + 4 * c);
        if (w == 0) {
            fr_add(acc, acc, cf);
            continue;
        }
        const fr_t *v = (const fr_t *)(vals + 4 * w);
        switch (p->lckind[c]) {
        case 1: fr_add(acc, acc, v); break;
        case 2: fr_sub(acc, acc, v); break;
        default: {
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
    if (add_terms(p, p->lptr[l], p->lptr[l + 1], vals, &acc)) return -1;
    memcpy(p->lv + 4 * l, acc.v, 32);
    p->done[l] = 1;
    return 0;
}

/* L[l], evaluating first the chain of bases it extends */
static inline const fr_t *lc_value(const ws_prog_t *p, int64_t l, const uint64_t *vals) {
    if ((uint64_t)l >= (uint64_t)p->n_lc) return NULL;
    if (!p->done[l]) {
        int64_t n = 0, cur = l;
        while (cur >= 0 && !p->done[cur]) {
            p->stack[n++] = cur;
            int64_t b = p->lbase[cur];
            if (b >= cur || b < -1) return NULL; /* bases come first: no cycle */
            cur = b;
        }
        while (n > 0)
            if (eval_one(p, p->stack[--n], vals)) return NULL;
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

int zk_wsolve_run(const ws_prog_t *p, uint64_t *vals, int64_t *pc_io, int64_t *hint_id,
                  int stop_at_hints, int resume, int check, int64_t *first_fail, uint64_t *io,
                  int64_t io_cap) {
    const int64_t *code = p->code;
    const int64_t n = p->n_code;
    int64_t pc = *pc_io;
    fr_t a, b;
    const fr_t *la, *lb, *lc;
    if (pc == 0 && !resume && p->n_lc > 0) memset(p->done, 0, (size_t)p->n_lc);
    while (pc < n) {
        if (pc < 0) return WS_BAD_PROGRAM;
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
                *pc_io = pc;
                return WS_NEED_PY;
            }
            if (stop_at_hints) {
                for (int64_t j = 0; j < n_in; j++) memcpy(io + 4 * j, in[j], 32);
                for (int64_t j = 0; j < n_out; j++)
                    fr_to_canonical(io + 4 * (n_in + j), (const fr_t *)(vals + 4 * (w0 + j)));
                *hint_id = id;
                *pc_io = pc;
                return WS_HOOK;
            }
            pc = next;
        } else {
            return WS_BAD_PROGRAM;
        }
    }
    *pc_io = pc;
    return WS_DONE;
}

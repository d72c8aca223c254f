/* field.c - out-of-line Fq/Fr routines: exponentiation, inversion,
 * batch inversion, square roots, and the portable/ADX switch. */
#include <stdlib.h>
#include "field.h"
#include "modinv.h"

int zk_portable = 0;

void zk_set_portable(int on) { zk_portable = on ? 1 : 0; }
int zk_get_portable(void) { return ZK_HAVE_ADX ? zk_portable : 1; }
int zk_has_adx(void) { return ZK_HAVE_ADX; }

/* exponents, derived from the moduli with Python integers */
static const uint64_t FQ_P_MINUS_2[4] = {0x3c208c16d87cfd45ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t FR_P_MINUS_2[4] = {0x43e1f593efffffffULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t FQ_SQRT_EXP[4] = {0x4f082305b61f3f52ULL, 0x65e05aa45a1c72a3ULL, 0x6e14116da0605617ULL, 0x0c19139cb84c680aULL}; /* (q+1)/4 */
static const uint64_t FQ_EULER_EXP[4] = {0x9e10460b6c3e7ea3ULL, 0xcbc0b548b438e546ULL, 0xdc2822db40c0ac2eULL, 0x183227397098d014ULL}; /* (q-1)/2 */

#define ZK_DEFINE_POW(F, T)                                                    \
    void F##_pow(T *r, const T *a, const uint64_t *e, int nlimbs) {           \
        T acc, base = *a;                                                      \
        F##_set_one(&acc);                                                     \
        for (int i = nlimbs - 1; i >= 0; i--) {                                \
            for (int b = 63; b >= 0; b--) {                                    \
                F##_sqr(&acc, &acc);                                           \
                if ((e[i] >> b) & 1) F##_mul(&acc, &acc, &base);               \
            }                                                                  \
        }                                                                      \
        *r = acc;                                                              \
    }

ZK_DEFINE_POW(fq, fq_t)
ZK_DEFINE_POW(fr, fr_t)

/* R^3 mod p: the safegcd inverse of a Montgomery element aR is a^-1 R^-1,
 * and its Montgomery product with R^3 is a^-1 R */
static const uint64_t FQ_R3[4] = {0xb1cd6dafda1530dfULL, 0x62f210e6a7283db6ULL, 0xef7f0b0c0ada0afbULL, 0x20fd6e902d592544ULL};
static const uint64_t FR_R3[4] = {0x5e94d8e1b4bf0040ULL, 0x2a489cbe1cfbb6b8ULL, 0x893cc664a19fcfedULL, 0x0cf8594b7fcc657cULL};

void fq_inv(fq_t *r, const fq_t *a) {
    uint64_t t[4];
    zk_modinv_fq(t, a->v);
    MONT_MUL(r->v, t, FQ_R3, FQ_P, FQ_INV);
}
void fr_inv(fr_t *r, const fr_t *a) {
    uint64_t t[4];
    zk_modinv_fr(t, a->v);
    MONT_MUL(r->v, t, FR_R3, FR_P, FR_INV);
}
/* the Fermat inverses (a^(p-2)) they replaced: the tests' second reference */
void fq_inv_fermat(fq_t *r, const fq_t *a) { fq_pow(r, a, FQ_P_MINUS_2, 4); }
void fr_inv_fermat(fr_t *r, const fr_t *a) { fr_pow(r, a, FR_P_MINUS_2, 4); }

#define ZK_DEFINE_BATCH_INV(F, T)                                              \
    void F##_batch_inv(T *out, const T *in, size_t n) {                        \
        if (n == 0) return;                                                    \
        T *pre = (T *)malloc(n * sizeof(T));                                   \
        if (!pre) { for (size_t i = 0; i < n; i++) F##_inv(&out[i], &in[i]); return; } \
        T acc;                                                                 \
        F##_set_one(&acc);                                                     \
        for (size_t i = 0; i < n; i++) {                                       \
            pre[i] = acc;                                                      \
            if (!F##_is_zero(&in[i])) F##_mul(&acc, &acc, &in[i]);             \
        }                                                                      \
        F##_inv(&acc, &acc);                                                   \
        for (size_t i = n; i-- > 0;) {                                         \
            if (F##_is_zero(&in[i])) { F##_set_zero(&out[i]); continue; }      \
            T x = in[i];                                                       \
            F##_mul(&out[i], &acc, &pre[i]);                                   \
            F##_mul(&acc, &acc, &x);                                           \
        }                                                                      \
        free(pre);                                                             \
    }

ZK_DEFINE_BATCH_INV(fq, fq_t)
ZK_DEFINE_BATCH_INV(fr, fr_t)

int fq_is_square(const fq_t *a) {
    if (fq_is_zero(a)) return 1;
    fq_t t;
    fq_pow(&t, a, FQ_EULER_EXP, 4);
    return fq_is_one(&t);
}

int fq_sqrt(fq_t *r, const fq_t *a) {
    fq_t s, chk;
    fq_pow(&s, a, FQ_SQRT_EXP, 4);
    fq_sqr(&chk, &s);
    if (!fq_eq(&chk, a)) return 0;
    *r = s;
    return 1;
}

/* ---- array conversions and element-wise products (cffi; n 4-limb values) -- */

#define ZK_DEFINE_ARRAY_OPS(F, T)                                                          \
    void zk_##F##_to_mont(uint64_t *out, const uint64_t *in, size_t n) {                   \
        for (size_t i = 0; i < n; i++) F##_from_canonical((T *)(out + 4 * i), in + 4 * i); \
    }                                                                                      \
    void zk_##F##_from_mont(uint64_t *out, const uint64_t *in, size_t n) {                 \
        for (size_t i = 0; i < n; i++) F##_to_canonical(out + 4 * i, (const T *)(in + 4 * i)); \
    }                                                                                      \
    void zk_##F##_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {     \
        for (size_t i = 0; i < n; i++)                                                     \
            F##_mul((T *)(out + 4 * i), (const T *)(a + 4 * i), (const T *)(b + 4 * i));   \
    }                                                                                      \
    void zk_##F##_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {     \
        for (size_t i = 0; i < n; i++)                                                     \
            F##_add((T *)(out + 4 * i), (const T *)(a + 4 * i), (const T *)(b + 4 * i));   \
    }                                                                                      \
    void zk_##F##_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n) {     \
        for (size_t i = 0; i < n; i++)                                                     \
            F##_sub((T *)(out + 4 * i), (const T *)(a + 4 * i), (const T *)(b + 4 * i));   \
    }

ZK_DEFINE_ARRAY_OPS(fq, fq_t)
ZK_DEFINE_ARRAY_OPS(fr, fr_t)

/*
 * field.h - BN254 base field Fq and scalar field Fr in Montgomery form.
 *
 * Elements are 4 little-endian 64-bit limbs holding a*R mod p, R = 2^256,
 * always fully reduced (< p).  Products use unsigned __int128 (CIOS
 * Montgomery multiplication).  Both moduli are below 2^254, so the
 * intermediate sums of CIOS fit in 5 limbs without an extra carry word
 * and a single conditional subtraction reduces the result.
 *
 * Everything here is static inline so that each translation unit gets the
 * constants folded into its loops.  No Python headers, plain C99 + the
 * GCC/Clang __int128 extension.
 *
 * Constants were computed with Python integers from the moduli in
 * shared/DESIGN.md (R = 2^256 mod p, R2 = R^2 mod p, INV = -p^-1 mod 2^64)
 * and are re-checked by tests/test_native_field.py.
 *
 * Fast path: when compiled with ADX/BMI2 available (ZKATS_USE_ADX defined
 * by the builder), mont_mul uses mulx/adcx/adox in inline assembly (about
 * 1.4x faster than the portable path on the development machine); the
 * portable path below is always compiled too and selectable at run time
 * (see zk_set_portable()), so both give identical results under test.
 */
#ifndef ZKATS_FIELD_H
#define ZKATS_FIELD_H

#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;

/* the hot field operations must be inlined into the curve formulas: as
 * out-of-line calls they cost about a third more in MSM (measured) */
#if defined(__GNUC__)
#define ZK_INLINE static inline __attribute__((always_inline))
#else
#define ZK_INLINE static inline
#endif

typedef struct { uint64_t v[4]; } fq_t;
typedef struct { uint64_t v[4]; } fr_t;

/* ---- constants ---------------------------------------------------------- */

static const uint64_t FQ_P[4]  = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t FQ_R[4]  = {0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL};
static const uint64_t FQ_R2[4] = {0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL, 0x47ab1eff0a417ff6ULL, 0x06d89f71cab8351fULL};
static const uint64_t FQ_INV   = 0x87d20782e4866389ULL;

static const uint64_t FR_P[4]  = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t FR_R[4]  = {0xac96341c4ffffffbULL, 0x36fc76959f60cd29ULL, 0x666ea36f7879462eULL, 0x0e0a77c19a07df2fULL};
static const uint64_t FR_R2[4] = {0x1bb8e645ae216da7ULL, 0x53fe3ab1e35c59e3ULL, 0x8c49833d53bb8085ULL, 0x0216d0b17f4e44a5ULL};
static const uint64_t FR_INV   = 0xc2e1f593efffffffULL;

/* ---- generic 4-limb helpers ---------------------------------------------- */

/* r = a - b, returns borrow (0 or 1) */
static inline uint64_t limbs_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)a[i] - b[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return borrow;
}

/* r = a + b, returns carry */
static inline uint64_t limbs_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 s = (u128)a[i] + b[i] + carry;
        r[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    return carry;
}

/* a >= b as unsigned 256-bit integers */
static inline int limbs_geq(const uint64_t a[4], const uint64_t b[4]) {
    for (int i = 3; i >= 0; i--) {
        if (a[i] != b[i]) return a[i] > b[i];
    }
    return 1;
}

static inline int limbs_is_zero(const uint64_t a[4]) {
    return (a[0] | a[1] | a[2] | a[3]) == 0;
}

/* Branch-free conditional subtraction of p: r = a >= p ? a - p : a (a < 2p). */
static inline void limbs_reduce_once(uint64_t r[4], const uint64_t a[4], const uint64_t p[4]) {
    uint64_t t[4];
    uint64_t borrow = limbs_sub(t, a, p);
    uint64_t mask = (uint64_t)0 - borrow; /* all ones if a < p */
    for (int i = 0; i < 4; i++) r[i] = (a[i] & mask) | (t[i] & ~mask);
}

#if defined(__x86_64__) && !defined(ZKATS_NO_ASM)
/* The inline assembly below reads its operands and writes its result
 * through pointers; these dummy operands tell the compiler exactly which
 * 32 bytes it reads and writes (instead of a volatile statement with a
 * "memory" clobber, which made every multiplication a barrier: values in
 * registers were stored and reloaded around it and nothing could be
 * scheduled across it). */
#define ZK_MEM_IN(x) "m"(*(const uint64_t(*)[4])(x))
#define ZK_MEM_OUT(x) "=m"(*(uint64_t(*)[4])(x))
/* x86-64 (base ISA: adc/sbb/cmov) modular addition and subtraction; GCC
 * compiles the C versions below into code 2.5x (add) to 6x (sub) slower.
 * Results are identical (tests compare both with Python integers). */
ZK_INLINE void mod_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t p[4]) {
    uint64_t s0, s1, s2, s3, t0, t1, t2, t3;
    __asm__(
        "movq 0(%[a]), %[s0]\n\t"
        "movq 8(%[a]), %[s1]\n\t"
        "movq 16(%[a]), %[s2]\n\t"
        "movq 24(%[a]), %[s3]\n\t"
        "addq 0(%[b]), %[s0]\n\t"
        "adcq 8(%[b]), %[s1]\n\t"
        "adcq 16(%[b]), %[s2]\n\t"
        "adcq 24(%[b]), %[s3]\n\t"
        "movq %[s0], %[t0]\n\t"
        "subq 0(%[p]), %[t0]\n\t"
        "movq %[s1], %[t1]\n\t"
        "sbbq 8(%[p]), %[t1]\n\t"
        "movq %[s2], %[t2]\n\t"
        "sbbq 16(%[p]), %[t2]\n\t"
        "movq %[s3], %[t3]\n\t"
        "sbbq 24(%[p]), %[t3]\n\t"
        "cmovcq %[s0], %[t0]\n\t"
        "cmovcq %[s1], %[t1]\n\t"
        "cmovcq %[s2], %[t2]\n\t"
        "cmovcq %[s3], %[t3]\n\t"
        "movq %[t0], 0(%[out])\n\t"
        "movq %[t1], 8(%[out])\n\t"
        "movq %[t2], 16(%[out])\n\t"
        "movq %[t3], 24(%[out])\n\t"
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), ZK_MEM_OUT(r)
        : [a] "r"(a), [b] "r"(b), [p] "r"(p), [out] "r"(r), ZK_MEM_IN(a), ZK_MEM_IN(b), ZK_MEM_IN(p)
        : "cc");
}
ZK_INLINE void mod_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t p[4]) {
    uint64_t s0, s1, s2, s3, t0, t1, t2, t3;
    __asm__(
        "movq 0(%[a]), %[s0]\n\t"
        "movq 8(%[a]), %[s1]\n\t"
        "movq 16(%[a]), %[s2]\n\t"
        "movq 24(%[a]), %[s3]\n\t"
        "xorl %k[t0], %k[t0]\n\t"
        "xorl %k[t1], %k[t1]\n\t"
        "xorl %k[t2], %k[t2]\n\t"
        "xorl %k[t3], %k[t3]\n\t"
        "subq 0(%[b]), %[s0]\n\t"
        "sbbq 8(%[b]), %[s1]\n\t"
        "sbbq 16(%[b]), %[s2]\n\t"
        "sbbq 24(%[b]), %[s3]\n\t"
        "cmovcq 0(%[p]), %[t0]\n\t"
        "cmovcq 8(%[p]), %[t1]\n\t"
        "cmovcq 16(%[p]), %[t2]\n\t"
        "cmovcq 24(%[p]), %[t3]\n\t"
        "addq %[t0], %[s0]\n\t"
        "adcq %[t1], %[s1]\n\t"
        "adcq %[t2], %[s2]\n\t"
        "adcq %[t3], %[s3]\n\t"
        "movq %[s0], 0(%[out])\n\t"
        "movq %[s1], 8(%[out])\n\t"
        "movq %[s2], 16(%[out])\n\t"
        "movq %[s3], 24(%[out])\n\t"
        : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3),
          [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), ZK_MEM_OUT(r)
        : [a] "r"(a), [b] "r"(b), [p] "r"(p), [out] "r"(r), ZK_MEM_IN(a), ZK_MEM_IN(b), ZK_MEM_IN(p)
        : "cc");
}
#else
static inline void mod_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t p[4]) {
    uint64_t s[4];
    limbs_add(s, a, b); /* p < 2^254, so no carry out of 256 bits */
    limbs_reduce_once(r, s, p);
}

static inline void mod_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t p[4]) {
    uint64_t d[4], t[4];
    uint64_t borrow = limbs_sub(d, a, b);
    uint64_t mask = (uint64_t)0 - borrow;
    uint64_t pm[4] = {p[0] & mask, p[1] & mask, p[2] & mask, p[3] & mask};
    limbs_add(t, d, pm);
    memcpy(r, t, sizeof t);
}

#endif

static inline void mod_neg(uint64_t r[4], const uint64_t a[4], const uint64_t p[4]) {
    static const uint64_t zero[4] = {0, 0, 0, 0};
    mod_sub(r, zero, a, p);
}

/* CIOS Montgomery multiplication, portable __int128 version, before the
 * final subtraction: t[0..4) = a*b*R^-1 mod p plus possibly p (t < 2p for
 * a, b < 2p, because p < 2^254: R/4 > p). */
static inline void mont_mul_portable_cios(uint64_t t[6], const uint64_t a[4], const uint64_t b[4],
                                          const uint64_t p[4], uint64_t pinv) {
    for (int k = 0; k < 6; k++) t[k] = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 s = (u128)a[j] * b[i] + t[j] + carry;
            t[j] = (uint64_t)s;
            carry = (uint64_t)(s >> 64);
        }
        u128 s = (u128)t[4] + carry;
        t[4] = (uint64_t)s;
        t[5] = (uint64_t)(s >> 64);

        uint64_t m = t[0] * pinv;
        s = (u128)m * p[0] + t[0];
        carry = (uint64_t)(s >> 64);
        for (int j = 1; j < 4; j++) {
            s = (u128)m * p[j] + t[j] + carry;
            t[j - 1] = (uint64_t)s;
            carry = (uint64_t)(s >> 64);
        }
        s = (u128)t[4] + carry;
        t[3] = (uint64_t)s;
        t[4] = t[5] + (uint64_t)(s >> 64);
    }
}

/* r = a*b*R^-1 mod p; r may alias a or b. */
static inline void mont_mul_portable(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                     const uint64_t p[4], uint64_t pinv) {
    uint64_t t[6];
    mont_mul_portable_cios(t, a, b, p, pinv);
    /* t < 2p: one conditional subtraction */
    limbs_reduce_once(r, t, p);
}

/* the same without the final subtraction: r in [0, 2p) for a, b < 2p
 * (see mont_mul_adx_lazy) */
static inline void mont_mul_portable_lazy(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                          const uint64_t p[4], uint64_t pinv) {
    uint64_t t[6];
    mont_mul_portable_cios(t, a, b, p, pinv);
    memcpy(r, t, 32);
}

#if defined(ZKATS_USE_ADX) && defined(__x86_64__) && defined(__ADX__) && defined(__BMI2__)
/* The same CIOS algorithm in inline assembly: mulx products, and the two
 * independent carry chains of adcx (CF) and adox (OF) so that the low and
 * high halves of a row of products are accumulated in one pass.  Five
 * registers hold the running sum t; after each reduction step the word
 * that became zero is reused as the new top word (register rotation), so
 * there are no shifts.  Because p < 2^254, t stays below 2^320 at every
 * step and no sixth word is needed; the final conditional subtraction is
 * sub/sbb + cmovc.  Identical results to mont_mul_portable (tested).
 * The C intrinsics version (_addcarryx_u64) this replaces was 2.7x slower
 * than the portable path with GCC 12, which serialises the two chains. */
#define ZK_MUL_FIRST(T0, T1, T2, T3, T4)                                              \
    "movq 0(%[b]), %%rdx\n\t"                                                         \
    "mulxq 0(%[a]), %" T0 ", %" T1 "\n\t"                                             \
    "mulxq 8(%[a]), %%rax, %" T2 "\n\t"                                               \
    "addq %%rax, %" T1 "\n\t"                                                         \
    "mulxq 16(%[a]), %%rax, %" T3 "\n\t"                                              \
    "adcq %%rax, %" T2 "\n\t"                                                         \
    "mulxq 24(%[a]), %%rax, %" T4 "\n\t"                                              \
    "adcq %%rax, %" T3 "\n\t"                                                         \
    "adcq $0, %" T4 "\n\t"
#define ZK_MUL_NEXT(OFF, T0, T1, T2, T3, T4, T4D)                                     \
    "xorl %" T4D ", %" T4D "\n\t"                                                     \
    "movq " OFF "(%[b]), %%rdx\n\t"                                                   \
    "mulxq 0(%[a]), %%rax, %%rcx\n\t"                                                 \
    "adcxq %%rax, %" T0 "\n\t"                                                        \
    "adoxq %%rcx, %" T1 "\n\t"                                                        \
    "mulxq 8(%[a]), %%rax, %%rcx\n\t"                                                 \
    "adcxq %%rax, %" T1 "\n\t"                                                        \
    "adoxq %%rcx, %" T2 "\n\t"                                                        \
    "mulxq 16(%[a]), %%rax, %%rcx\n\t"                                                \
    "adcxq %%rax, %" T2 "\n\t"                                                        \
    "adoxq %%rcx, %" T3 "\n\t"                                                        \
    "mulxq 24(%[a]), %%rax, %%rcx\n\t"                                                \
    "adcxq %%rax, %" T3 "\n\t"                                                        \
    "adoxq %%rcx, %" T4 "\n\t"                                                        \
    "adcq $0, %" T4 "\n\t"
#define ZK_RED(T0, T1, T2, T3, T4)                                                    \
    "movq %" T0 ", %%rdx\n\t"                                                         \
    "imulq %[inv], %%rdx\n\t"                                                         \
    "xorl %%eax, %%eax\n\t"                                                           \
    "mulxq 0(%[p]), %%rax, %%rcx\n\t"                                                 \
    "adcxq %%rax, %" T0 "\n\t"                                                        \
    "adoxq %%rcx, %" T1 "\n\t"                                                        \
    "mulxq 8(%[p]), %%rax, %%rcx\n\t"                                                 \
    "adcxq %%rax, %" T1 "\n\t"                                                        \
    "adoxq %%rcx, %" T2 "\n\t"                                                        \
    "mulxq 16(%[p]), %%rax, %%rcx\n\t"                                                \
    "adcxq %%rax, %" T2 "\n\t"                                                        \
    "adoxq %%rcx, %" T3 "\n\t"                                                        \
    "mulxq 24(%[p]), %%rax, %%rcx\n\t"                                                \
    "adcxq %%rax, %" T3 "\n\t"                                                        \
    "adoxq %%rcx, %" T4 "\n\t"                                                        \
    "adcq $0, %" T4 "\n\t"

#define ZK_MUL_ROWS                                                                   \
    ZK_MUL_FIRST("[r0]", "[r1]", "[r2]", "[r3]", "[r4]")                              \
    ZK_RED("[r0]", "[r1]", "[r2]", "[r3]", "[r4]")                                    \
    ZK_MUL_NEXT("8", "[r1]", "[r2]", "[r3]", "[r4]", "[r0]", "k[r0]")                 \
    ZK_RED("[r1]", "[r2]", "[r3]", "[r4]", "[r0]")                                    \
    ZK_MUL_NEXT("16", "[r2]", "[r3]", "[r4]", "[r0]", "[r1]", "k[r1]")                \
    ZK_RED("[r2]", "[r3]", "[r4]", "[r0]", "[r1]")                                    \
    ZK_MUL_NEXT("24", "[r3]", "[r4]", "[r0]", "[r1]", "[r2]", "k[r2]")                \
    ZK_RED("[r3]", "[r4]", "[r0]", "[r1]", "[r2]")

/* The rows without the final subtraction: r = a*b*R^-1 mod p in [0, 2p)
 * for inputs a, b < 2p (then a*b + m*p < 4p^2 + R p < 2 R p, since
 * 4p < R; the sums stay below 2^320 as above).  For products that only
 * feed further products (the running products of a batch inversion):
 * callers reduce before comparing, storing or inverting a value. */
ZK_INLINE void mont_mul_adx_lazy(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                 const uint64_t p[4], uint64_t pinv) {
    uint64_t r0, r1, r2, r3, r4;
    __asm__(
        ZK_MUL_ROWS
        "movq %[r4], 0(%[out])\n\t"
        "movq %[r0], 8(%[out])\n\t"
        "movq %[r1], 16(%[out])\n\t"
        "movq %[r2], 24(%[out])\n\t"
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4),
          ZK_MEM_OUT(r)
        : [a] "r"(a), [b] "r"(b), [p] "r"(p), [out] "r"(r), [inv] "m"(pinv),
          ZK_MEM_IN(a), ZK_MEM_IN(b), ZK_MEM_IN(p)
        : "rax", "rcx", "rdx", "cc");
}

ZK_INLINE void mont_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                const uint64_t p[4], uint64_t pinv) {
    uint64_t r0, r1, r2, r3, r4;
    __asm__(
        ZK_MUL_ROWS
        /* result t = (r4, r0, r1, r2) < 2p: subtract p once unless it borrows */
        "movq %[r4], %%rax\n\t"
        "subq 0(%[p]), %%rax\n\t"
        "movq %[r0], %%rcx\n\t"
        "sbbq 8(%[p]), %%rcx\n\t"
        "movq %[r1], %%rdx\n\t"
        "sbbq 16(%[p]), %%rdx\n\t"
        "movq %[r2], %[r3]\n\t"
        "sbbq 24(%[p]), %[r3]\n\t"
        "cmovcq %[r4], %%rax\n\t"
        "cmovcq %[r0], %%rcx\n\t"
        "cmovcq %[r1], %%rdx\n\t"
        "cmovcq %[r2], %[r3]\n\t"
        "movq %%rax, 0(%[out])\n\t"
        "movq %%rcx, 8(%[out])\n\t"
        "movq %%rdx, 16(%[out])\n\t"
        "movq %[r3], 24(%[out])\n\t"
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4),
          ZK_MEM_OUT(r)
        : [a] "r"(a), [b] "r"(b), [p] "r"(p), [out] "r"(r), [inv] "m"(pinv),
          ZK_MEM_IN(a), ZK_MEM_IN(b), ZK_MEM_IN(p)
        : "rax", "rcx", "rdx", "cc");
}
#define ZK_HAVE_ADX 1
extern int zk_portable; /* defined in field.c; 1 forces the portable path */
/* the portable path (tests, ZKATS portable switch) out of line: inlined at
 * every multiplication it doubled the hot loops' code for a branch never
 * taken in production */
static __attribute__((noinline, cold)) void mont_mul_portable_call(
    uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t p[4], uint64_t pinv) {
    mont_mul_portable(r, a, b, p, pinv);
}
static __attribute__((noinline, cold)) void mont_mul_portable_lazy_call(
    uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t p[4], uint64_t pinv) {
    mont_mul_portable_lazy(r, a, b, p, pinv);
}
#define MONT_MUL(r, a, b, p, pinv)                                    \
    do {                                                              \
        if (__builtin_expect(zk_portable, 0))                         \
            mont_mul_portable_call(r, a, b, p, pinv);                 \
        else                                                          \
            mont_mul_adx(r, a, b, p, pinv);                           \
    } while (0)
#define MONT_MUL_LAZY(r, a, b, p, pinv)                               \
    do {                                                              \
        if (__builtin_expect(zk_portable, 0))                         \
            mont_mul_portable_lazy_call(r, a, b, p, pinv);            \
        else                                                          \
            mont_mul_adx_lazy(r, a, b, p, pinv);                      \
    } while (0)
#else
#define ZK_HAVE_ADX 0
#define MONT_MUL(r, a, b, p, pinv) mont_mul_portable(r, a, b, p, pinv)
#define MONT_MUL_LAZY(r, a, b, p, pinv) mont_mul_portable_lazy(r, a, b, p, pinv)
#endif

/* ---- per-field wrappers -------------------------------------------------- */

#define ZK_DEFINE_FIELD(F, T, P, RR, R2, INV)                                                   \
    ZK_INLINE void F##_add(T *r, const T *a, const T *b) { mod_add(r->v, a->v, b->v, P); }  \
    ZK_INLINE void F##_sub(T *r, const T *a, const T *b) { mod_sub(r->v, a->v, b->v, P); }  \
    ZK_INLINE void F##_neg(T *r, const T *a) { mod_neg(r->v, a->v, P); }                    \
    ZK_INLINE void F##_dbl(T *r, const T *a) { mod_add(r->v, a->v, a->v, P); }              \
    ZK_INLINE void F##_mul(T *r, const T *a, const T *b) { MONT_MUL(r->v, a->v, b->v, P, INV); } \
    ZK_INLINE void F##_sqr(T *r, const T *a) { MONT_MUL(r->v, a->v, a->v, P, INV); }       \
    /* r = a b in [0, 2p) for a, b < 2p (mont_mul_adx_lazy); F##_reduce makes it canonical */ \
    ZK_INLINE void F##_mul_lazy(T *r, const T *a, const T *b) { MONT_MUL_LAZY(r->v, a->v, b->v, P, INV); } \
    ZK_INLINE void F##_reduce(T *r, const T *a) { limbs_reduce_once(r->v, a->v, P); }       \
    static inline int F##_is_zero(const T *a) { return limbs_is_zero(a->v); }                   \
    static inline int F##_eq(const T *a, const T *b) { return memcmp(a->v, b->v, 32) == 0; }    \
    static inline void F##_set_zero(T *r) { memset(r->v, 0, 32); }                              \
    static inline void F##_set_one(T *r) { memcpy(r->v, RR, 32); }                              \
    static inline int F##_is_one(const T *a) { return memcmp(a->v, RR, 32) == 0; }             \
    /* canonical integer (4 limbs, < p) -> Montgomery */                                         \
    static inline void F##_from_canonical(T *r, const uint64_t a[4]) { MONT_MUL(r->v, a, R2, P, INV); } \
    /* Montgomery -> canonical integer */                                                        \
    static inline void F##_to_canonical(uint64_t r[4], const T *a) {                            \
        static const uint64_t one[4] = {1, 0, 0, 0};                                             \
        MONT_MUL(r, a->v, one, P, INV);                                                          \
    }                                                                                            \
    static inline int F##_is_canonical(const uint64_t a[4]) { return !limbs_geq(a, P); }

ZK_DEFINE_FIELD(fq, fq_t, FQ_P, FQ_R, FQ_R2, FQ_INV)
ZK_DEFINE_FIELD(fr, fr_t, FR_P, FR_R, FR_R2, FR_INV)

/* ---- non-inline routines (field.c) ---------------------------------------- */

/* r = a^e for a little-endian exponent of nlimbs 64-bit limbs */
void fq_pow(fq_t *r, const fq_t *a, const uint64_t *e, int nlimbs);
void fr_pow(fr_t *r, const fr_t *a, const uint64_t *e, int nlimbs);
/* r = a^-1 (constant-time safegcd, modinv.h); inverse of zero is zero */
void fq_inv(fq_t *r, const fq_t *a);
void fr_inv(fr_t *r, const fr_t *a);
/* the same by Fermat's little theorem (a^(p-2)), slower; kept as a reference */
void fq_inv_fermat(fq_t *r, const fq_t *a);
void fr_inv_fermat(fr_t *r, const fr_t *a);
/* Montgomery's trick; zero entries stay zero. scratch may be NULL (then malloc'd). */
void fq_batch_inv(fq_t *out, const fq_t *in, size_t n);
void fr_batch_inv(fr_t *out, const fr_t *in, size_t n);
/* square root in Fq (q = 3 mod 4): returns 1 and sets r if a is a square, else 0 */
int fq_sqrt(fq_t *r, const fq_t *a);
/* Legendre symbol style: 1 if square (or zero), 0 otherwise */
int fq_is_square(const fq_t *a);

/* Selects the portable multiplication even when the ADX path is compiled. */
void zk_set_portable(int on);
int zk_get_portable(void);
int zk_has_adx(void);

/* Arrays of n values, 4 limbs each: canonical <-> Montgomery conversion and
 * the element-wise Montgomery product, sum, difference (out may alias the inputs). */
void zk_fq_to_mont(uint64_t *out, const uint64_t *in, size_t n);
void zk_fq_from_mont(uint64_t *out, const uint64_t *in, size_t n);
void zk_fq_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zk_fq_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zk_fq_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zk_fr_to_mont(uint64_t *out, const uint64_t *in, size_t n);
void zk_fr_from_mont(uint64_t *out, const uint64_t *in, size_t n);
void zk_fr_mul(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zk_fr_add(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);
void zk_fr_sub(uint64_t *out, const uint64_t *a, const uint64_t *b, size_t n);

#endif

/* poseidon.c: see poseidon.h. */
#include <string.h>

#include "field.h"
#include "poseidon.h"

static inline void sbox(fr_t *x) {
    fr_t x2, x4;
    fr_sqr(&x2, x);
    fr_sqr(&x4, &x2);
    fr_mul(x, &x4, x);
}

int zk_poseidon_permute(uint64_t *states, size_t n, int t, int n_full, int n_partial,
                        const uint64_t *consts, const uint64_t *mds) {
    if (t < 2 || t > 17 || n_full < 0 || n_partial < 0 || (n_full & 1)) return -1;
    const fr_t *c = (const fr_t *)consts;
    const fr_t *m = (const fr_t *)mds;
    int half = n_full / 2, rounds = n_full + n_partial;
    fr_t s[17], u[17];
    for (size_t k = 0; k < n; k++) {
        uint64_t *st = states + (size_t)4 * t * k;
        for (int i = 0; i < t; i++) {
            if (!fr_is_canonical(st + 4 * i)) return -1;
            fr_from_canonical(&s[i], st + 4 * i);
        }
        for (int r = 0; r < rounds; r++) {
            const fr_t *rc = c + (size_t)r * t;
            for (int i = 0; i < t; i++) fr_add(&s[i], &s[i], &rc[i]);
            if (r < half || r >= half + n_partial) {
                for (int i = 0; i < t; i++) sbox(&s[i]);
            } else {
                sbox(&s[0]);
            }
            for (int i = 0; i < t; i++) {
                fr_t acc, p;
                fr_set_zero(&acc);
                const fr_t *row = m + (size_t)i * t;
                for (int j = 0; j < t; j++) {
                    fr_mul(&p, &row[j], &s[j]);
                    fr_add(&acc, &acc, &p);
                }
                u[i] = acc;
            }
            memcpy(s, u, sizeof(fr_t) * (size_t)t);
        }
        for (int i = 0; i < t; i++) fr_to_canonical(st + 4 * i, &s[i]);
    }
    return 0;
}

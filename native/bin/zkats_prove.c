/*
 * zkats_prove.c - `zkats-prove`: the Groth16 prover as one native process.
 *
 *   zkats-prove [--quiet] [--json] [--python EXE] ZKEY WTNS PROOF PUBLIC
 *
 * What `zkats groth16 prove` does (zkats/cli/_lean_prove.py and
 * zkats/groth16/prover.py), without a Python interpreter: the .zkey and the
 * .wtns are memory-mapped and validated with the checks of
 * zkats/formats/zkey_layout.py and zkats/formats/wtns.py, the native core
 * (zk_groth16_prove_core, prover.h) proves with the key's file pages
 * released as each section is read, r and s come from the kernel's CSPRNG
 * (getrandom), the proof is checked against the key's verifying key (a
 * pairing check) and proof.json / public.json are written as snarkjs writes
 * them (JSON.stringify(o, null, 1)).  Progress lines on stderr and the
 * --json timings on stdout are the Python command's.
 *
 * Errors: the input is validated before anything is printed.  With
 * --python EXE (how `zkats groth16 prove` runs this program: it exec()s it
 * in place of itself) any invalid input makes the program exec
 * `EXE -c '...run()' groth16 prove ...` with ZKATS_NATIVE_PROVE=0 instead, so
 * the one-line error is, byte for byte, the Python prover's (the Python
 * path then reads the same files and names the item).  Without --python the
 * program prints its own one-line error.  Both exit with status 1 and write
 * nothing.  A proof that does not verify (a witness that does not satisfy
 * the circuit) is reported as the Python command reports it without --r1cs.
 *
 * This file is not part of the Python extension (build_native.py compiles
 * the .c files directly in native/ only); setup.py links it with them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "curve.h"
#include "field.h"
#include "msm.h"
#include "pairing.h"
#include "prover.h"

#define COEF_BYTES 44

/* ------------------------------------------------------------ utilities */
static char g_err[1024];

static int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_err, sizeof g_err, fmt, ap);
    va_end(ap);
    return -1;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint32_t rd32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t rd64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static int limbs_eq_bytes(const uint8_t *p, const uint64_t l[4]) {
    uint64_t v[4];
    memcpy(v, p, 32);
    return v[0] == l[0] && v[1] == l[1] && v[2] == l[2] && v[3] == l[3];
}

static int is_zero_bytes(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

/* an aligned private copy of n bytes at p (NULL when memory ran out) */
static uint64_t *copy_aligned(const uint8_t *p, size_t n) {
    uint64_t *d = malloc(n ? n : 8);
    if (d && n) memcpy(d, p, n);
    return d;
}

/* ------------------------------------------------------ iden3 bin files */
#define MAX_SECTIONS 64
typedef struct {
    const char *path;
    uint8_t *map;
    size_t size;
    int n;
    uint32_t id[MAX_SECTIONS];
    uint64_t off[MAX_SECTIONS], len[MAX_SECTIONS];
} binfile_t;

static int bf_open(binfile_t *bf, const char *path, const char *magic, uint32_t version) {
    memset(bf, 0, sizeof *bf);
    bf->path = path;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail("%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail("%s: cannot open: not a regular file", path);
    }
    size_t size = (size_t)st.st_size;
    if (size < 12) {
        close(fd);
        return fail("%s: too short (%zu bytes) for a %s file", path, size, magic);
    }
    void *m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return fail("%s: cannot map: %s", path, strerror(errno));
    bf->map = m;
    bf->size = size;
    if (memcmp(bf->map, magic, 4) != 0) return fail("%s: wrong magic, expected %s", path, magic);
    if (rd32(bf->map + 4) != version)
        return fail("%s: unsupported version %u (expected %u)", path, rd32(bf->map + 4), version);
    uint32_t nsec = rd32(bf->map + 8);
    if (nsec > MAX_SECTIONS || 12 + 12 * (uint64_t)nsec > size)
        return fail("%s: section count %u does not fit the file size %zu", path, nsec, size);
    uint64_t pos = 12;
    for (uint32_t i = 0; i < nsec; i++) {
        if (pos + 12 > size) return fail("%s: truncated section table", path);
        uint32_t sid = rd32(bf->map + pos);
        uint64_t ssize = rd64(bf->map + pos + 4);
        pos += 12;
        if (ssize > size - pos)
            return fail("%s: section %u: size %llu runs past the end of the file", path, sid,
                        (unsigned long long)ssize);
        bf->id[i] = sid;
        bf->off[i] = pos;
        bf->len[i] = ssize;
        pos += ssize;
    }
    bf->n = (int)nsec;
    if (pos != size) return fail("%s: %llu trailing bytes after the last section", path,
                                 (unsigned long long)(size - pos));
    return 0;
}

static void bf_close(binfile_t *bf) {
    if (bf->map) munmap(bf->map, bf->size);
    bf->map = NULL;
}

/* the only section sid: its offset and size */
static int bf_unique(const binfile_t *bf, uint32_t sid, uint64_t *off, uint64_t *len) {
    int found = 0;
    for (int i = 0; i < bf->n; i++) {
        if (bf->id[i] != sid) continue;
        if (found++) return fail("%s: section %u: appears more than once", bf->path, sid);
        *off = bf->off[i];
        *len = bf->len[i];
    }
    if (!found) return fail("%s: section %u: missing", bf->path, sid);
    return 0;
}

/* section sid holding exactly n elements of `width` limbs */
static int bf_span(const binfile_t *bf, uint32_t sid, uint64_t n, uint64_t width, uint64_t *off) {
    uint64_t len = 0;
    if (bf_unique(bf, sid, off, &len)) return -1;
    if (len != n * width * 8)
        return fail("%s: section %u: size %llu, expected %llu (%llu elements)", bf->path, sid,
                    (unsigned long long)len, (unsigned long long)(n * width * 8),
                    (unsigned long long)n);
    return 0;
}

static void release(const void *p, size_t n) {
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0 || n == 0) return;
    uintptr_t lo = ((uintptr_t)p + (uintptr_t)ps - 1) & ~((uintptr_t)ps - 1);
    uintptr_t hi = ((uintptr_t)p + n) & ~((uintptr_t)ps - 1);
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* ------------------------------------------------------------- the key */
typedef struct {
    binfile_t bf;
    uint32_t n_vars, n_public, domain;
    uint64_t alpha1[8], beta1[8], delta1[8];
    uint64_t beta2[16], gamma2[16], delta2[16];
    uint64_t *ic; /* (n_public + 1) * 8 limbs */
    const uint8_t *coeffs;
    uint64_t n_coef;
    const uint8_t *pts[5]; /* A, B1, B2, C, H */
} zkey_t;

static int check_g1(const char *path, int sid, const uint8_t *raw, size_t n, const char *what) {
    if (!n) return 0;
    uint64_t *a = copy_aligned(raw, n * 64);
    if (!a) return fail("out of memory");
    int64_t bad = g1_check_array(a, n);
    free(a);
    if (bad >= 0)
        return fail("%s: section %d: %s %lld is not a canonical G1 point on the curve", path, sid,
                    what, (long long)bad);
    return 0;
}

static int check_g2(const char *path, int sid, const uint8_t *raw, size_t n, const char *what) {
    if (!n) return 0;
    uint64_t *a = copy_aligned(raw, n * 128);
    if (!a) return fail("out of memory");
    int64_t bad = g2_check_array(a, n, 1);
    free(a);
    if (bad >= 0)
        return fail("%s: section %d: %s %lld is not a canonical G2 point of the subgroup", path,
                    sid, what, (long long)bad);
    return 0;
}

/* section 10: the contribution records (checked as zkey_layout.read_mpc) */
static int check_mpc(const binfile_t *bf) {
    uint64_t off, size;
    if (bf_unique(bf, 10, &off, &size)) return -1;
    const char *path = bf->path;
    const uint8_t *buf = bf->map;
    uint64_t end = off + size;
    if (size < 68) return fail("%s: section 10: too short for csHash and count", path);
    uint32_t n = rd32(buf + off + 64);
    uint64_t pos = off + 68;
    const uint64_t rec_min = 64 * 3 + 128 + 64 + 8;
    if ((uint64_t)n * rec_min > size)
        return fail("%s: section 10: %u contributions do not fit in %llu bytes", path, n,
                    (unsigned long long)size);
    for (uint32_t k = 0; k < n; k++) {
        if (pos + rec_min > end)
            return fail("%s: section 10: contribution record runs past the section end", path);
        const uint8_t *rec = buf + pos;
        uint32_t typ = rd32(rec + 384), plen = rd32(rec + 388);
        pos += rec_min;
        if (pos + plen > end)
            return fail("%s: section 10: contribution parameters run past the section end", path);
        const uint8_t *p = buf + pos;
        pos += plen;
        /* zkats.formats.binfile.decode_params */
        int have_iters = 0, have_hash = 0;
        unsigned last = 0;
        uint64_t i = 0;
        while (i < plen) {
            unsigned t = p[i++];
            if (t <= last) return fail("%s: section 10: contribution parameters not sorted", path);
            last = t;
            if (t == 1 || t == 3) {
                if (i >= plen) goto truncated;
                uint64_t ln = p[i];
                if (i + 1 + ln > plen) goto truncated;
                i += 1 + ln;
                if (t == 3) have_hash = 1;
            } else if (t == 2) {
                if (i >= plen) goto truncated;
                i += 1;
                have_iters = 1;
            } else {
                return fail("%s: section 10: unknown contribution parameter %u", path, t);
            }
        }
        if (typ > 1 || (typ == 1 && (!have_iters || !have_hash)))
            return fail("%s: section 10: bad contribution type %u or missing beacon parameters",
                        path, typ);
        if (check_g1(path, 10, rec, 3, "contribution point")) return -1;
        if (check_g2(path, 10, rec + 192, 1, "contribution point")) return -1;
        continue;
    truncated:
        return fail("%s: section 10: truncated contribution parameters", path);
    }
    if (pos != end)
        return fail("%s: section 10: %llu unexpected bytes after the contributions", path,
                    (unsigned long long)(end - pos));
    return 0;
}

static int zkey_open(zkey_t *z, const char *path) {
    memset(z, 0, sizeof *z);
    binfile_t *bf = &z->bf;
    if (bf_open(bf, path, "zkey", 1)) return -1;
    for (int i = 0; i < bf->n; i++)
        if (bf->id[i] < 1 || bf->id[i] > 10)
            return fail("%s: section %u: unknown section id (not a groth16 zkey?)", path,
                        bf->id[i]);
    uint64_t off, len;
    for (uint32_t sid = 1; sid <= 10; sid++)
        if (bf_unique(bf, sid, &off, &len)) return -1;
    const uint8_t *m = bf->map;

    bf_unique(bf, 1, &off, &len);
    if (len != 4) return fail("%s: section 1: header size %llu, expected 4", path,
                              (unsigned long long)len);
    if (rd32(m + off) != 1) return fail("%s: section 1: protocol is not groth16 (1)", path);

    bf_unique(bf, 2, &off, &len);
    const uint64_t need = 4 + 32 + 4 + 32 + 12 + 64 * 3 + 128 * 3;
    if (len != need) return fail("%s: section 2: groth16 header size %llu, expected %llu", path,
                                 (unsigned long long)len, (unsigned long long)need);
    const uint8_t *h = m + off;
    if (rd32(h) != 32) return fail("%s: section 2: n8q = %u, expected 32", path, rd32(h));
    if (rd32(h + 36) != 32) return fail("%s: section 2: n8r = %u, expected 32", path, rd32(h + 36));
    if (!limbs_eq_bytes(h + 4, FQ_P) || !limbs_eq_bytes(h + 40, FR_P))
        return fail("%s: section 2: primes are not BN254's (only bn128 is supported)", path);
    z->n_vars = rd32(h + 72);
    z->n_public = rd32(h + 76);
    z->domain = rd32(h + 80);
    if (z->n_vars < 1 || z->n_public >= z->n_vars)
        return fail("%s: section 2: nPublic %u must be < nVars %u", path, z->n_public, z->n_vars);
    uint32_t d = z->domain;
    if (d < 2 || (d & (d - 1)) || d > (1u << 28))
        return fail("%s: section 2: domainSize %u is not a power of two in 2..2^28", path, d);
    if (d > (1u << 27)) /* the quotient's coset needs a 2^(power+1) root of unity (Python: */
        return fail("%s: domain power 28 too large", path); /* r1cs_to_qap.coset_shift) */
    const uint8_t *p = h + 84;
    memcpy(z->alpha1, p, 64);
    memcpy(z->beta1, p + 64, 64);
    memcpy(z->beta2, p + 128, 128);
    memcpy(z->gamma2, p + 256, 128);
    memcpy(z->delta1, p + 384, 64);
    memcpy(z->delta2, p + 448, 128);
    uint64_t g1s[24], g2s[48];
    memcpy(g1s, z->alpha1, 64);
    memcpy(g1s + 8, z->beta1, 64);
    memcpy(g1s + 16, z->delta1, 64);
    memcpy(g2s, z->beta2, 128);
    memcpy(g2s + 16, z->gamma2, 128);
    memcpy(g2s + 32, z->delta2, 128);
    if (g1_check_array(g1s, 3) >= 0)
        return fail("%s: section 2: a verifying-key G1 point is not a canonical point on the curve",
                    path);
    if (g2_check_array(g2s, 3, 1) >= 0)
        return fail("%s: section 2: a verifying-key G2 point is not a canonical point of the "
                    "subgroup", path);
    for (int i = 0; i < 3; i++)
        if (is_zero_bytes((const uint8_t *)(g1s + 8 * i), 64) ||
            is_zero_bytes((const uint8_t *)(g2s + 16 * i), 128))
            return fail("%s: section 2: a verifying-key point is the point at infinity", path);

    if (bf_span(bf, 3, (uint64_t)z->n_public + 1, 8, &off)) return -1;
    z->ic = copy_aligned(m + off, ((size_t)z->n_public + 1) * 64);
    if (!z->ic) return fail("out of memory");
    if (g1_check_array(z->ic, (size_t)z->n_public + 1) >= 0)
        return fail("%s: section 3: an IC point is not a canonical G1 point on the curve", path);

    bf_unique(bf, 4, &off, &len);
    if (len < 4) return fail("%s: section 4: too short", path);
    z->n_coef = rd32(m + off);
    if (len != 4 + COEF_BYTES * z->n_coef)
        return fail("%s: section 4: size %llu does not hold %llu coefficients of 44 bytes", path,
                    (unsigned long long)len, (unsigned long long)z->n_coef);
    z->coeffs = m + off + 4;
    if (z->n_coef) {
        int64_t bad = zk_coeffs_first_bad(z->coeffs, z->n_coef, z->domain, z->n_vars);
        if (bad >= 0)
            return fail("%s: section 4: coefficient %lld is out of range", path, (long long)bad);
    }
    const uint64_t counts[5] = {z->n_vars, z->n_vars, z->n_vars,
                                (uint64_t)z->n_vars - z->n_public - 1, z->domain};
    const uint64_t widths[5] = {8, 8, 16, 8, 8};
    for (int i = 0; i < 5; i++) {
        if (bf_span(bf, 5 + i, counts[i], widths[i], &off)) return -1;
        z->pts[i] = m + off;
    }
    return check_mpc(bf);
}

/* ------------------------------------------------------------ the witness */
/* the values (n * 32 bytes, checked < r), an aligned private copy */
static uint64_t *wtns_read(const char *path, uint64_t *n_out) {
    binfile_t bf;
    uint64_t *w = NULL;
    if (bf_open(&bf, path, "wtns", 2)) goto out;
    uint64_t off, len;
    if (bf_unique(&bf, 1, &off, &len)) goto out;
    const uint8_t *h = bf.map + off;
    if (len != 40) {
        fail("%s: section 1: size %llu, expected 40", path, (unsigned long long)len);
        goto out;
    }
    if (rd32(h) != 32) {
        fail("%s: section 1: field size %u bytes, expected 32 (BN254)", path, rd32(h));
        goto out;
    }
    if (!limbs_eq_bytes(h + 4, FR_P)) {
        fail("%s: section 1: the prime is not BN254's scalar field r", path);
        goto out;
    }
    uint64_t n = rd32(h + 36);
    if (bf_span(&bf, 2, n, 4, &off)) goto out;
    w = copy_aligned(bf.map + off, n * 32);
    if (!w) {
        fail("out of memory");
        goto out;
    }
    int64_t bad = n ? zk_fr_check_canonical(w, n) : -1;
    if (bad >= 0) {
        fail("%s: section 2: witness value %lld is not < r", path, (long long)bad);
        free(w);
        w = NULL;
        goto out;
    }
    *n_out = n;
out:
    bf_close(&bf);
    return w;
}

/* ------------------------------------------------------------- output */
/* decimal digits of a 4-limb canonical value */
static void to_dec(char *out, const uint64_t v[4]) {
    uint64_t t[4] = {v[0], v[1], v[2], v[3]};
    uint64_t chunks[5];
    int nc = 0;
    const uint64_t BASE = 10000000000000000000ULL; /* 10^19 */
    do {
        unsigned __int128 rem = 0;
        for (int i = 3; i >= 0; i--) {
            unsigned __int128 cur = (rem << 64) | t[i];
            t[i] = (uint64_t)(cur / BASE);
            rem = cur % BASE;
        }
        chunks[nc++] = (uint64_t)rem;
    } while (t[0] | t[1] | t[2] | t[3]);
    int k = sprintf(out, "%llu", (unsigned long long)chunks[nc - 1]);
    for (int i = nc - 2; i >= 0; i--) k += sprintf(out + k, "%019llu", (unsigned long long)chunks[i]);
}

/* canonical decimal of a Montgomery Fq element */
static void fq_dec(char *out, const uint64_t *mont) {
    uint64_t c[4];
    zk_fq_from_mont(c, mont, 1);
    to_dec(out, c);
}

/* Python's repr() of a float rounded to 6 decimals (as json.dumps prints
 * round(x, 6)) */
static void py_float6(char *out, double x) {
    long long micro = (long long)(x * 1e6 + 0.5);
    if (micro <= 0) {
        strcpy(out, "0.0");
    } else if (micro >= 100) { /* >= 1e-4: fixed notation, trailing zeros dropped */
        int k = sprintf(out, "%lld.%06lld", micro / 1000000, micro % 1000000);
        while (out[k - 1] == '0' && out[k - 2] != '.') out[--k] = 0;
    } else { /* 1e-6 .. 9.9e-5: Python writes e.g. 1.2e-05 */
        int exp = micro >= 10 ? -5 : -6;
        long long lead = micro >= 10 ? micro / 10 : micro, frac = micro >= 10 ? micro % 10 : 0;
        if (frac)
            sprintf(out, "%lld.%llde%03d", lead, frac, exp);
        else
            sprintf(out, "%llde%03d", lead, exp);
        /* %03d of -5 is "-05" */
    }
}

static const char *g_proof_path, *g_public_path;

/* Python's OSError text for a failed open of path (the path is printable
 * ASCII without quotes or backslashes: the launcher checks) */
static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) return fail("[Errno %d] %s: '%s'", errno, strerror(errno), path);
    size_t n = strlen(text);
    if (fwrite(text, 1, n, f) != n) {
        int e = errno;
        fclose(f);
        return fail("[Errno %d] %s", e, strerror(e));
    }
    if (fclose(f) != 0) return fail("[Errno %d] %s", errno, strerror(errno));
    return 0;
}

static int write_outputs(const uint64_t pa[8], const uint64_t pb[16], const uint64_t pc[8],
                         const uint64_t *w, uint32_t n_public) {
    char d[12][96];
    static const char *one = "1", *zero = "0";
    const char *s[12];
    if (is_zero_bytes((const uint8_t *)pa, 64)) {
        s[0] = zero, s[1] = one;
    } else {
        fq_dec(d[0], pa), fq_dec(d[1], pa + 4), s[0] = d[0], s[1] = d[1];
    }
    if (is_zero_bytes((const uint8_t *)pb, 128)) {
        s[2] = zero, s[3] = zero, s[4] = one, s[5] = zero;
    } else {
        for (int i = 0; i < 4; i++) fq_dec(d[2 + i], pb + 4 * i), s[2 + i] = d[2 + i];
    }
    if (is_zero_bytes((const uint8_t *)pc, 64)) {
        s[6] = zero, s[7] = one;
    } else {
        fq_dec(d[6], pc), fq_dec(d[7], pc + 4), s[6] = d[6], s[7] = d[7];
    }
    const char *pa_z = is_zero_bytes((const uint8_t *)pa, 64) ? "0" : "1";
    const char *pc_z = is_zero_bytes((const uint8_t *)pc, 64) ? "0" : "1";
    int pb_inf = is_zero_bytes((const uint8_t *)pb, 128);
    char proof[2048];
    snprintf(proof, sizeof proof,
             "{\n \"pi_a\": [\n  \"%s\",\n  \"%s\",\n  \"%s\"\n ],\n"
             " \"pi_b\": [\n  [\n   \"%s\",\n   \"%s\"\n  ],\n  [\n   \"%s\",\n   \"%s\"\n  ],\n"
             "  [\n   \"%s\",\n   \"0\"\n  ]\n ],\n"
             " \"pi_c\": [\n  \"%s\",\n  \"%s\",\n  \"%s\"\n ],\n"
             " \"protocol\": \"groth16\",\n \"curve\": \"bn128\"\n}",
             s[0], s[1], pa_z, s[2], s[3], s[4], s[5], pb_inf ? "0" : "1", s[6], s[7], pc_z);
    if (write_file(g_proof_path, proof)) return -1;

    size_t cap = 8 + (size_t)n_public * 84;
    char *pub = malloc(cap);
    if (!pub) return fail("out of memory");
    size_t k = 0;
    if (n_public == 0) {
        k += sprintf(pub, "[]");
    } else {
        k += sprintf(pub, "[");
        for (uint32_t i = 1; i <= n_public; i++) {
            char num[96];
            to_dec(num, w + 4 * i);
            k += sprintf(pub + k, "%s\n \"%s\"", i == 1 ? "" : ",", num);
        }
        k += sprintf(pub + k, "\n]");
    }
    int rc = write_file(g_public_path, pub);
    free(pub);
    return rc;
}

/* ------------------------------------------------------------- progress */
#define MAX_TIMINGS 16
static struct {
    int quiet;
    double t0, start;
    const char *stage;
    int n;
    const char *name[MAX_TIMINGS];
    double sec[MAX_TIMINGS];
} P;

static void timing(const char *name, double sec) {
    if (P.n < MAX_TIMINGS) P.name[P.n] = name, P.sec[P.n++] = sec;
}

static void stage(const char *name) {
    double t = now();
    if (P.stage) {
        timing(P.stage, t - P.start);
        if (!P.quiet) fprintf(stderr, " %.3fs\n", t - P.start);
    }
    P.stage = name;
    P.start = t;
    if (name && !P.quiet) fprintf(stderr, "[zkats] %s ...", name);
    fflush(stderr);
}

/* ------------------------------------------------------------ the proof */
/* a uniform scalar in [1, r) from the kernel's CSPRNG */
static int random_scalar(uint64_t k[4]) {
    for (;;) {
        uint8_t *p = (uint8_t *)k;
        size_t got = 0;
        while (got < 32) {
            ssize_t m = getrandom(p + got, 32 - got, 0);
            if (m < 0) {
                if (errno == EINTR) continue;
                return fail("getrandom: %s", strerror(errno));
            }
            got += (size_t)m;
        }
        k[3] &= (1ULL << 62) - 1; /* r < 2^254 */
        if (!limbs_geq(k, FR_P) && !limbs_is_zero(k)) return 0;
    }
}

static void secure_zero(void *p, size_t n) {
    volatile uint8_t *v = p;
    while (n--) *v++ = 0;
}

static const char *g_python; /* --python EXE: the interpreter to hand errors to */
static char **g_argv_tail;   /* flags and paths as given */
static int g_argc_tail;

static void on_sigint(int sig) {
    (void)sig;
    static const char msg[] = "\nAborted!\n";
    ssize_t rc = write(2, msg, sizeof msg - 1);
    (void)rc;
    _exit(1);
}

/* an input error: hand the command to the Python prover (which reports it
 * as it always has), or report it here */
static int input_error(void) {
    if (g_python) {
        char **av = calloc((size_t)g_argc_tail + 6, sizeof *av);
        if (av) {
            int k = 0;
            av[k++] = (char *)g_python;
            /* the console script's imports: no current directory on sys.path
             * (what `python -m` would add) */
            av[k++] = "-c";
            av[k++] = "import sys; sys.path[:1] = [] if sys.path[:1] == [''] else sys.path[:1]; "
                      "from zkats.cli import run; run()";
            av[k++] = "groth16";
            av[k++] = "prove";
            for (int i = 0; i < g_argc_tail; i++) av[k++] = g_argv_tail[i];
            av[k] = NULL;
            setenv("ZKATS_NATIVE_PROVE", "0", 1);
            fflush(NULL);
            execv(g_python, av);
        }
        /* exec failed: report the error here */
    }
    fprintf(stderr, "zkats: error: %s\n", g_err);
    return 1;
}

static int usage(void) {
    fprintf(stderr,
            "usage: zkats-prove [--quiet] [--json] [--python EXE] CIRCUIT.zkey WITNESS.wtns "
            "PROOF.json PUBLIC.json\n");
    return 2;
}

int main(int argc, char **argv) {
    int as_json = 0;
    const char *paths[4];
    int np = 0;
    signal(SIGINT, on_sigint);
    P.t0 = now();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--quiet")) {
            P.quiet = 1;
        } else if (!strcmp(a, "--json")) {
            as_json = 1;
        } else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
        } else if (!strcmp(a, "--python") && i + 1 < argc && !g_python && np == 0) {
            g_python = argv[++i];
            g_argv_tail = argv + i + 1;
            g_argc_tail = argc - i - 1;
        } else if (a[0] == '-' || np == 4) {
            return usage();
        } else {
            paths[np++] = a;
        }
    }
    if (np != 4) return usage();
    if (!g_python) g_argv_tail = argv + 1, g_argc_tail = argc - 1;
    g_proof_path = paths[2];
    g_public_path = paths[3];

    /* read and validate everything first (silently: on error the Python
     * prover takes over and prints its own stage lines) */
    zkey_t z;
    double t = now();
    if (zkey_open(&z, paths[0])) return input_error();
    double t_zkey = now() - t;
    t = now();
    uint64_t n_wit = 0;
    uint64_t *w = wtns_read(paths[1], &n_wit);
    if (!w) return input_error();
    if (n_wit != z.n_vars) {
        fail("%s: the witness has %llu values, %s expects %u", paths[1],
             (unsigned long long)n_wit, paths[0], z.n_vars);
        return input_error();
    }
    if (w[0] != 1 || w[1] || w[2] || w[3]) {
        fail("witness[0] must be 1 (the constant wire)");
        return input_error();
    }
    double t_wtns = now() - t;

    P.start = now();
    if (!P.quiet) {
        fprintf(stderr, "[zkats] read zkey ... %.3fs\n[zkats] read witness ... %.3fs\n", t_zkey,
                t_wtns);
    }
    timing("read zkey", t_zkey);
    timing("read witness", t_wtns);
    stage("witness");

    stage("quotient + msm");
    uint64_t out[40];
    int64_t bad = -1;
    double secs[5] = {0};
    int rc = zk_groth16_prove_core(z.coeffs, z.n_coef, w, z.n_vars, z.n_public, z.domain,
                                   z.pts[0], z.pts[1], z.pts[2], z.pts[3], z.pts[4], out, 0,
                                   ZK_PROVE_OVERLAP | ZK_PROVE_RELEASE, &bad, secs);
    if (rc != 0) {
        fprintf(stderr, "zkats: error: %s\n",
                rc == -1 ? "native prover: out of memory" : "native prover failed");
        return 1;
    }
    static const char *core_names[5] = {"quotient", "msm A", "msm B1", "msm B2", "msm C+H"};
    for (int i = 0; i < 5; i++) timing(core_names[i], secs[i]);
    /* the key's remaining pages (header, IC, contributions) are not needed */
    release(z.bf.map, z.bf.size);

    stage("blind");
    uint64_t r[4], s[4];
    if (random_scalar(r) || random_scalar(s)) {
        fprintf(stderr, "zkats: error: %s\n", g_err);
        return 1;
    }
    uint64_t *pa = out, *pb1 = out + 8, *pb = out + 16, *pch = out + 32; /* C.w + H.h */
    uint64_t pi_a[8], pi_b[16], pi_c[8], b1[8], tmp[8], tmp2[16];
    g1_add_affine(pi_a, pa, z.alpha1);
    g1_mul_affine(tmp, z.delta1, r, 4);
    g1_add_affine(pi_a, pi_a, tmp);
    g2_add_affine(pi_b, pb, z.beta2);
    g2_mul_affine(tmp2, z.delta2, s, 4);
    g2_add_affine(pi_b, pi_b, tmp2);
    g1_add_affine(b1, pb1, z.beta1);
    g1_mul_affine(tmp, z.delta1, s, 4);
    g1_add_affine(b1, b1, tmp);
    memcpy(pi_c, pch, 64);
    g1_mul_affine(tmp, pi_a, s, 4);
    g1_add_affine(pi_c, pi_c, tmp);
    g1_mul_affine(tmp, b1, r, 4);
    g1_add_affine(pi_c, pi_c, tmp);
    {
        uint64_t rm[4], sm[4], rs[4], zero[4] = {0, 0, 0, 0};
        zk_fr_to_mont(rm, r, 1);
        zk_fr_to_mont(sm, s, 1);
        zk_fr_mul(rs, rm, sm, 1);
        zk_fr_sub(rs, zero, rs, 1); /* -r*s */
        zk_fr_from_mont(rs, rs, 1);
        g1_mul_affine(tmp, z.delta1, rs, 4);
        g1_add_affine(pi_c, pi_c, tmp);
        secure_zero(rm, sizeof rm), secure_zero(sm, sizeof sm), secure_zero(rs, sizeof rs);
    }
    secure_zero(r, sizeof r), secure_zero(s, sizeof s);

    stage("self-check");
    {
        uint64_t *sc = malloc(((size_t)z.n_public + 1) * 32);
        uint64_t vk_x[8], g1[32], g2[64];
        if (!sc) {
            fprintf(stderr, "zkats: error: out of memory\n");
            return 1;
        }
        memset(sc, 0, 32);
        sc[0] = 1;
        memcpy(sc + 4, w + 4, (size_t)z.n_public * 32);
        if (msm_g1(vk_x, z.ic, sc, (size_t)z.n_public + 1, 0) != 0) {
            fprintf(stderr, "zkats: error: out of memory\n");
            return 1;
        }
        free(sc);
        g1_neg_affine(g1, pi_a);
        memcpy(g2, pi_b, 128);
        memcpy(g1 + 8, vk_x, 64);
        memcpy(g2 + 16, z.gamma2, 128);
        memcpy(g1 + 16, pi_c, 64);
        memcpy(g2 + 32, z.delta2, 128);
        memcpy(g1 + 24, z.alpha1, 64);
        memcpy(g2 + 48, z.beta2, 128);
        /* pairs with an infinity point contribute 1 (pairing.h) */
        int ok = pairing_check(g1, g2, 4);
        if (ok != 1) {
                fprintf(stderr, "zkats: error: %s\n",
                    ok < 0 ? "out of memory"
                           : "the witness does not satisfy the circuit (its proof does not "
                             "verify against the key); pass --r1cs FILE to name the failing "
                             "constraint");
            return 1;
        }
    }

    stage("write");
    if (write_outputs(pi_a, pi_b, pi_c, w, z.n_public)) {
        fprintf(stderr, "zkats: error: %s\n", g_err);
        return 1;
    }
    stage(NULL);
    timing("total", now() - P.t0);
    if (as_json) {
        /* the Python command's order: the core's stages before "quotient + msm" */
        static const char *order[] = {"read zkey", "read witness", "witness", "quotient",
                                      "msm A", "msm B1", "msm B2", "msm C+H",
                                      "quotient + msm", "blind", "self-check", "write", "total"};
        printf("{\"timings_s\": {");
        for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
            for (int j = 0; j < P.n; j++) {
                if (strcmp(P.name[j], order[i])) continue;
                char num[40];
                py_float6(num, P.sec[j]);
                printf("%s\"%s\": %s", i ? ", " : "", order[i], num);
                break;
            }
        }
        printf("}}\n");
    }
    free(w);
    free(z.ic);
    bf_close(&z.bf);
    return 0;
}

"""Pippenger MSM, batch and fixed-base multiplication (native/msm.*).

References: py_ecc for small n; for larger n the native MSM is compared
with a sum of independent native scalar multiplications (g1_mul_each and
the add path), with itself split into pieces, across thread counts and
window sizes."""

import secrets

import numpy as np
import pytest
from py_ecc import optimized_bn128 as ob

from test_native_curve import omul1, omul2, random_twist_point
from zkats import bn254
from zkats.errors import InputError
from zkats.field import R, ints_to_limbs


def rand_scalars(n):
    return [secrets.randbelow(R) for _ in range(n)]


def g1_points(n):
    ks = rand_scalars(n)
    return ks, bn254.g1_fixed_base_array(bn254.G1_GEN, ints_to_limbs(ks))


def g2_points(n):
    ks = rand_scalars(n)
    return ks, bn254.g2_fixed_base_array(bn254.G2_GEN, ints_to_limbs(ks))


def dot(a, b):
    return sum(x * y for x, y in zip(a, b)) % R


def test_msm_g1_small_against_py_ecc():
    ks = rand_scalars(6)
    pts = [omul1(k) for k in ks]
    sc = rand_scalars(6)
    acc = None
    for p, s in zip(pts, sc):
        acc = (
            ob.add(acc, ob.multiply((ob.FQ(p[0]), ob.FQ(p[1]), ob.FQ(1)), s))
            if acc
            else ob.multiply((ob.FQ(p[0]), ob.FQ(p[1]), ob.FQ(1)), s)
        )
    ref = ob.normalize(acc)
    assert bn254.msm_g1(pts, sc) == (int(ref[0]), int(ref[1]))


def test_msm_g2_small_against_py_ecc():
    ks = rand_scalars(3)
    pts = [omul2(k) for k in ks]
    sc = rand_scalars(3)
    assert bn254.msm_g2(pts, sc) == omul2(dot(ks, sc))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 63, 64, 65, 100, 257, 1000])
def test_msm_g1_sizes(n):
    ks, pts = g1_points(n)
    sc = rand_scalars(n)
    expect = bn254.g1_mul(bn254.G1_GEN, dot(ks, sc)) if n else None
    assert (
        bn254.msm_g1_array(pts, ints_to_limbs(sc) if n else np.zeros((0, 4), np.uint64)) == expect
    )


@pytest.mark.parametrize("n", [0, 1, 5, 70])
def test_msm_g2_sizes(n):
    ks, pts = g2_points(n)
    sc = rand_scalars(n)
    expect = bn254.g2_mul(bn254.G2_GEN, dot(ks, sc)) if n else None
    s = ints_to_limbs(sc) if n else np.zeros((0, 4), np.uint64)
    assert bn254.msm_g2_array(pts, s) == expect


def test_msm_edges_g1():
    ks, pts = g1_points(300)
    # all-zero scalars
    assert bn254.msm_g1_array(pts, np.zeros((300, 4), np.uint64)) is None
    # r - 1, 1, and zero mixed, repeated points, infinity bases
    sc = rand_scalars(300)
    sc[0], sc[1], sc[2] = R - 1, 1, 0
    pts2 = pts.copy()
    pts2[10:20] = pts2[5]  # repeated points
    pts2[30:40] = 0  # infinity
    ks2 = list(ks)
    ks2[10:20] = [ks[5]] * 10
    ks2[30:40] = [0] * 10
    expect = bn254.g1_mul(bn254.G1_GEN, dot(ks2, sc))
    for th in (1, 2, 3, 8):
        assert bn254.msm_g1_array(pts2, ints_to_limbs(sc), threads=th) == expect
    # P and -P cancel
    neg = bn254.g1_points_to_array([bn254.g1_neg(bn254.g1_array_to_points(pts[:1])[0])])
    both = np.vstack([pts[:1], neg])
    assert bn254.msm_g1_array(both, ints_to_limbs([7, 7])) is None
    # the same point many times with the same scalar: bucket doubling path
    same = np.repeat(pts[:1], 50, axis=0)
    assert bn254.msm_g1_array(same, ints_to_limbs([3] * 50)) == bn254.g1_mul(
        bn254.G1_GEN, ks[0] * 150
    )


def test_msm_g1_scalar_r_minus_1_everywhere():
    ks, pts = g1_points(129)
    sc = [R - 1] * 129
    assert bn254.msm_g1_array(pts, ints_to_limbs(sc)) == bn254.g1_mul(bn254.G1_GEN, -sum(ks))


@pytest.mark.parametrize("c", [1, 2, 3, 5, 8, 11, 13, 16])
def test_msm_window_sizes_agree(c):
    ks, pts = g1_points(200)
    sc = rand_scalars(200)
    sc[0] = R - 1
    expect = bn254.g1_mul(bn254.G1_GEN, dot(ks, sc))
    assert bn254.msm_g1_array(pts, ints_to_limbs(sc), window=c) == expect
    assert bn254.msm_g1_array(pts, ints_to_limbs(sc), threads=2, window=c) == expect


def test_msm_g2_edges():
    ks, pts = g2_points(80)
    sc = rand_scalars(80)
    sc[0] = R - 1
    pts[5] = 0
    ks[5] = 0
    pts[6] = pts[7]
    ks[6] = ks[7]
    expect = bn254.g2_mul(bn254.G2_GEN, dot(ks, sc))
    for th in (1, 2, 5):
        assert bn254.msm_g2_array(pts, ints_to_limbs(sc), threads=th) == expect
    assert bn254.msm_g2_array(pts, np.zeros((80, 4), np.uint64)) is None


def test_msm_larger_split_and_threads():
    n = 5000
    ks, pts = g1_points(n)
    sc = rand_scalars(n)
    S = ints_to_limbs(sc)
    full = bn254.msm_g1_array(pts, S, threads=1)
    assert full == bn254.g1_mul(bn254.G1_GEN, dot(ks, sc))
    assert bn254.msm_g1_array(pts, S, threads=2) == full
    assert bn254.msm_g1_array(pts, S, threads=7) == full
    a = bn254.msm_g1_array(pts[:1234], S[:1234])
    b = bn254.msm_g1_array(pts[1234:], S[1234:])
    assert bn254.g1_add(a, b) == full


@pytest.mark.parametrize("portable", [True, False], ids=["scalar", "native"])
def test_msm_split_tail_windows(portable):
    """Plans whose windows do not divide evenly between the threads split
    the leftover windows' buckets between all of them (each part adds the
    points of its buckets, reduces them and adds its offset times their
    plain sum): the sums are the same.  The plan's cost model depends on the
    flush the build uses (the scalar one, or the IFMA one where compiled in
    and not turned off), so both are run."""
    from zkats._native import ffi, lib

    was = lib.zk_get_portable()
    bn254.set_portable(portable)
    try:
        c, nch, tail = ffi.new("int *"), ffi.new("int *"), ffi.new("int *")
        split = []
        for n in (2500, 5000, 9000, 20000, 1 << 16, 1 << 17):
            for th in (2, 3, 4):
                lib.msm_plan_tail(2 * n, 127, th, c, nch, tail)
                nwin = (128 + c[0] - 1) // c[0]
                if tail[0]:
                    assert nch[0] == 1 and nwin % th
                    split.append((n, th))
        if portable:
            lib.msm_plan_tail(1 << 17, 127, 2, c, nch, tail)
            assert (c[0], tail[0]) == (15, 1)  # 9 windows of 14-15 bits on 2 threads (see msm.c)
        lib.msm_plan_tail(1 << 17, 127, 1, c, nch, tail)
        assert tail[0] == 0  # one thread: nothing to split
        small = [(n, th) for n, th in split if n <= 20000]
        assert {th for _, th in small} >= {2, 3}, split  # halves, and thirds cut at 128 buckets
        for n, th in small:
            ks, pts = g1_points(n)
            sc = rand_scalars(n)
            S = ints_to_limbs(sc)
            expect = bn254.g1_mul(bn254.G1_GEN, dot(ks, sc))
            assert bn254.msm_g1_array(pts, S, threads=th) == expect
            assert bn254.msm_g1_array(pts, S, threads=1) == expect
    finally:
        bn254.set_portable(bool(was))


def test_ifma_change_of_form():
    """The 8-lane flush holds x 2^260 where the library holds x 2^256: its
    loads multiply by 16 and its stores divide by 16 without a product
    (msm_ifma.h).  Against Python on the edges (0, 1, p - 1, the values
    whose estimate of the quotient by p sits at a boundary) and random
    values.  Builds without the IFMA flush have nothing to check."""
    from zkats._native import ffi, lib
    from zkats.field import Q

    inv16 = pow(16, -1, Q)
    vals = [0, 1, 2, 15, 16, Q - 1, Q - 2, Q - 16, (1 << 253), (1 << 254) % Q]
    vals += [(j * Q) // 16 + d for j in range(1, 16) for d in (-1, 0, 1)]
    vals += [secrets.randbelow(Q) for _ in range(300)]
    vals = [v % Q for v in vals]
    src = ints_to_limbs(vals)
    o16 = np.zeros_like(src)
    odiv = np.zeros_like(src)
    p = lambda a: ffi.cast("uint64_t *", a.ctypes.data)  # noqa: E731
    rc = lib.msm_ifma_form(p(o16), p(odiv), p(src), len(vals))
    if rc == -1:
        pytest.skip("this build has no IFMA flush (CPU or compiler without AVX-512 IFMA)")
    assert rc == 0
    got16 = [int.from_bytes(r.tobytes(), "little") for r in o16]
    gotdiv = [int.from_bytes(r.tobytes(), "little") for r in odiv]
    assert got16 == [16 * v % Q for v in vals]
    assert gotdiv == [v * inv16 % Q for v in vals]


def test_mul_each_and_fixed_base():
    n = 40
    ks = rand_scalars(n)
    sc = rand_scalars(n)
    sc[0], sc[1] = 0, R - 1
    ks[2] = 0
    pts = bn254.g1_points_to_array([omul1(k) if k else None for k in ks])
    out = bn254.g1_mul_each_array(pts, ints_to_limbs(sc), threads=2)
    assert bn254.g1_array_to_points(out) == [
        omul1(k * s % R) if k * s % R else None for k, s in zip(ks, sc)
    ]
    fb = bn254.g1_fixed_base_array(bn254.G1_GEN, ints_to_limbs(sc))
    assert bn254.g1_array_to_points(fb) == [omul1(s) if s else None for s in sc]
    assert (
        bn254.g1_array_to_points(bn254.g1_fixed_base_array(None, ints_to_limbs(sc[:3])))
        == [None] * 3
    )
    # G2
    ks2 = ks[:6]
    sc2 = sc[:6]
    pts2 = bn254.g2_points_to_array([omul2(k) if k else None for k in ks2])
    out2 = bn254.g2_mul_each_array(pts2, ints_to_limbs(sc2))
    assert bn254.g2_array_to_points(out2) == [
        omul2(k * s % R) if k * s % R else None for k, s in zip(ks2, sc2)
    ]
    fb2 = bn254.g2_fixed_base_array(bn254.G2_GEN, ints_to_limbs(sc2), threads=2)
    assert bn254.g2_array_to_points(fb2) == [omul2(s) if s else None for s in sc2]


def test_batch_larger_consistency():
    n = 3000  # several normalisation blocks, threads
    sc = rand_scalars(n)
    S = ints_to_limbs(sc)
    fb = bn254.g1_fixed_base_array(bn254.G1_GEN, S)
    for i in (0, 1023, 1024, 2999):
        assert bn254.g1_array_to_points(fb[i : i + 1])[0] == bn254.g1_mul(bn254.G1_GEN, sc[i])
    base = bn254.g1_mul(bn254.G1_GEN, 5)
    each = bn254.g1_mul_each_array(np.repeat(bn254.g1_points_to_array([base]), n, axis=0), S)
    fb5 = bn254.g1_fixed_base_array(base, S)
    assert np.array_equal(each, fb5)


def test_portable_path_same_msm():
    ks, pts = g1_points(500)
    S = ints_to_limbs(rand_scalars(500))
    a = bn254.msm_g1_array(pts, S)
    bn254.set_portable(True)
    try:
        b = bn254.msm_g1_array(pts, S)
    finally:
        bn254.set_portable(False)
    assert a == b


def test_input_validation():
    ks, pts = g1_points(3)
    with pytest.raises(InputError):
        bn254.msm_g1_array(pts, ints_to_limbs([1, 2]))  # length mismatch
    with pytest.raises(InputError):
        bn254.msm_g1_array(pts, ints_to_limbs([1, 2, R]))  # scalar >= r
    with pytest.raises(InputError):
        bn254.msm_g1_array(pts.astype(np.int64), ints_to_limbs([1, 2, 3]))
    with pytest.raises(InputError):
        bn254.msm_g1([(1, 3)], [1])  # off curve
    with pytest.raises(InputError):
        bn254.msm_g2([random_twist_point()], [1])  # not in G2
    with pytest.raises(InputError):
        bn254.msm_g1_array(pts, ints_to_limbs([1, 2, 3]), threads=-1)
    # the plain API reduces scalars mod r
    P = bn254.g1_array_to_points(pts[:1])[0]
    assert bn254.msm_g1([P], [R + 5]) == bn254.g1_mul(P, 5)


@pytest.mark.slow
def test_msm_g1_2_16_threads():
    n = 1 << 16
    ks, pts = g1_points(n)
    sc = rand_scalars(n)
    S = ints_to_limbs(sc)
    expect = bn254.g1_mul(bn254.G1_GEN, dot(ks, sc))
    assert bn254.msm_g1_array(pts, S, threads=1) == expect
    assert bn254.msm_g1_array(pts, S, threads=2) == expect


@pytest.mark.parametrize("c", [12, 13])
def test_batch_affine_collisions(c):
    """Windows of >= 2^11 buckets use batch-affine accumulation: force
    flushes mid-window, queued-bucket collisions, doublings (same point
    twice in one bucket) and cancellations (P and -P in one bucket)."""
    n = 3000
    ks, pts = g1_points(300)
    pts = np.ascontiguousarray(np.resize(pts, (n, 8)))  # each point 10 times
    ks = (ks * 10)[:n]
    sc = [1 + secrets.randbelow(40) for _ in range(n)]  # few buckets, window 0
    sc[:50] = [R - 1 - secrets.randbelow(40) for _ in range(50)]  # negative digits
    negs = bn254.g1_points_to_array([bn254.g1_neg(p) for p in bn254.g1_array_to_points(pts[:20])])
    pts[100:120] = negs  # -P next to P, same scalar
    ks[100:120] = [(-k) % R for k in ks[:20]]
    sc[100:120] = sc[:20]
    big = rand_scalars(n // 2)
    sc[n // 2 :] = big[: n - n // 2]  # and ordinary random scalars
    expect = bn254.g1_mul(bn254.G1_GEN, dot(ks, sc))
    for th in (1, 2):
        assert bn254.msm_g1_array(pts, ints_to_limbs(sc), threads=th, window=c) == expect


def test_batch_affine_g2():
    n = 600
    ks, pts = g2_points(60)
    pts = np.ascontiguousarray(np.resize(pts, (n, 16)))
    ks = (ks * 10)[:n]
    sc = [1 + secrets.randbelow(30) for _ in range(n // 2)] + rand_scalars(n - n // 2)
    assert bn254.msm_g2_array(pts, ints_to_limbs(sc), window=12) == bn254.g2_mul(
        bn254.G2_GEN, dot(ks, sc)
    )


def test_single_bucket_worst_case():
    """Every point in the same bucket (same point, same scalar)."""
    ks, pts = g1_points(1)
    same = np.repeat(pts, 2000, axis=0)
    assert bn254.msm_g1_array(same, ints_to_limbs([5] * 2000), window=12) == bn254.g1_mul(
        bn254.G1_GEN, ks[0] * 10000
    )


@pytest.mark.parametrize("dup", ["add", "double", "cancel"])
def test_overflow_folded_into_buckets(dup):
    """A window's xyzz overflows are folded into its affine buckets before
    the batch-affine reduction: P, P, Q in one bucket (the second P goes to
    the overflow, Q is added to the bucket, the fold adds P), and the cases
    the fold leaves to the xyzz reduction (bucket and overflow with the
    same x: P, P is a doubling, P, -P a cancellation)."""
    m = 400
    ks, pts = g1_points(2 * m)
    P, Q = pts[:m], pts[m:]
    kp, kq = ks[:m], ks[m:]
    if dup == "cancel":
        second = bn254.g1_points_to_array([bn254.g1_neg(p) for p in bn254.g1_array_to_points(P)])
        k2 = [(-k) % R for k in kp]
    else:
        second, k2 = P, kp
    digits = [1 + i for i in range(m)]  # bucket i of window 0, nothing above
    rows = [P, second] + ([Q] if dup == "add" else [])
    keys = [kp, k2] + ([kq] if dup == "add" else [])
    base = np.ascontiguousarray(np.concatenate(rows))
    sc = digits * len(rows)
    ks_all = [k for part in keys for k in part]
    expect = bn254.g1_mul(bn254.G1_GEN, dot(ks_all, sc))
    for c in (12, 13):
        assert bn254.msm_g1_array(base, ints_to_limbs(sc), threads=1, window=c) == expect


@pytest.mark.parametrize("n", [0, 1, 2, 5, 4095, 4097, 40000])
def test_g1_sum_against_scalars(n):
    """g1_sum (the prover's path for scalars equal to 1) against the sum of
    the discrete logs: with infinity entries, a point twice (doubling) and a
    point beside its negation (cancellation); chunks of >= 8192 points use
    the batch-affine buckets."""
    ks, pts = g1_points(min(n, 3000))
    if n > len(ks):
        pts = np.ascontiguousarray(np.resize(pts, (n, 8)))
        ks = (ks * (n // len(ks) + 1))[:n]
    if n >= 5:
        pts[1] = pts[0]  # doubling
        ks[1] = ks[0]
        pts[3] = bn254.g1_points_to_array([bn254.g1_neg(bn254.g1_array_to_points(pts[2:3])[0])])
        ks[3] = (-ks[2]) % R  # cancellation
        pts[4] = 0  # infinity
        ks[4] = 0
    expect = bn254.g1_mul(bn254.G1_GEN, sum(ks) % R) if n else None
    for th in (1, 2):
        assert bn254.g1_sum_array(pts, threads=th) == expect
    if n and n <= 5:
        assert bn254.msm_g1_array(pts, ints_to_limbs([1] * n)) == expect


@pytest.mark.parametrize("n", [3, 9000, 20000])
def test_g2_sum_against_scalars(n):
    ks, pts = g2_points(min(n, 500))
    pts = np.ascontiguousarray(np.resize(pts, (n, 16)))
    ks = (ks * (n // len(ks) + 1))[:n]
    pts[2] = 0
    ks[2] = 0
    expect = bn254.g2_mul(bn254.G2_GEN, sum(ks) % R)
    for th in (1, 2):
        assert bn254.g2_sum_array(pts, threads=th) == expect
    assert bn254.msm_g2_array(pts, ints_to_limbs([1] * n)) == expect


@pytest.mark.parametrize("offset", [0, 2, 4])
@pytest.mark.parametrize("g2", [False, True])
def test_msm_sections_two_misaligned_segments(offset, g2):
    """msm_g1_sections/msm_g2_sections (the prover's C and H as one
    multi-exponentiation) read two point sections at any alignment (snarkjs
    zkey sections sit at offsets 2 or 4 mod 8) and equal the sum of the
    scalar products; one section alone and an empty second one too."""
    from zkats._native import ffi, lib

    n0, n1 = (700, 450) if g2 else (2600, 1900)
    make = g2_points if g2 else g1_points
    width = 16 if g2 else 8
    ks0, p0 = make(n0)
    ks1, p1 = make(n1)
    sc0, sc1 = rand_scalars(n0), rand_scalars(n1)
    S0, S1 = ints_to_limbs(sc0), ints_to_limbs(sc1)

    def misaligned(pts):
        raw = np.zeros(pts.nbytes + 8, np.uint8)
        raw[offset : offset + pts.nbytes] = np.frombuffer(pts.tobytes(), np.uint8)
        return raw, ffi.from_buffer("uint8_t[]", raw)[offset : offset + pts.nbytes]

    keep0, b0 = misaligned(p0)
    keep1, b1 = misaligned(p1)
    fn = lib.msm_g2_sections if g2 else lib.msm_g1_sections
    gen, mul, add = (
        (bn254.G2_GEN, bn254.g2_mul, bn254.g2_add)
        if g2
        else (bn254.G1_GEN, bn254.g1_mul, bn254.g1_add)
    )
    to_points = bn254.g2_array_to_points if g2 else bn254.g1_array_to_points
    expect0 = mul(gen, dot(ks0, sc0))
    expect = add(expect0, mul(gen, dot(ks1, sc1)))
    for th in (1, 2, 3):
        out = np.zeros((1, width), np.uint64)
        s0, s1 = ffi.from_buffer("uint64_t[]", S0), ffi.from_buffer("uint64_t[]", S1)
        assert fn(ffi.from_buffer("uint64_t[]", out), b0, s0, n0, b1, s1, n1, th, 0) == 0
        assert to_points(out)[0] == expect
        assert fn(ffi.from_buffer("uint64_t[]", out), b0, s0, n0, ffi.NULL, ffi.NULL, 0, th, 0) == 0
        assert to_points(out)[0] == expect0

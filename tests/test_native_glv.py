"""The GLV endomorphism and scalar split used by the MSM (native/glv.*).

Constants are re-derived and checked with Python integers and py_ecc; the
split is checked for k1 + k2 LAMBDA == k (mod r) and |k1|, |k2| < 2^127 on
random and edge scalars; the MSM with GLV is compared with the plain
Pippenger (flag MSM_NO_GLV) and with independent references on edge
inputs (scalars near the lattice vectors, bases P and LAMBDA P so that a
point and an endomorphism image coincide, infinity, P and -P)."""

import secrets

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from py_ecc import bn128

from test_native_curve import omul1, omul2
from zkats import bn254
from zkats.bn254._lib import ffi, lib  # white-box: the native kernels themselves
from zkats.field import Q, R, ints_to_limbs

# from native/glv.h (arkworks ark-bn254 g1 GLVConfig)
BETA = 21888242871839275220042445260109153167277707414472061641714758635765020556616
LAMBDA = 21888242871839275217838484774961031246154997185409878258781734729429964517155
N11 = 9931322734385697763
N12 = 147946756881789319010696353538189108491
N21 = 147946756881789319000765030803803410728
GLV_BOUND = 1 << 127
NO_GLV = 1


def _p(arr):
    return bn254.aligned_buffer(arr)


def split(scalars):
    """native split -> list of (k1, k2) signed ints"""
    s = ints_to_limbs(scalars)
    out = np.zeros((len(scalars), 6), np.uint64)
    lib.glv_split_array(_p(out), _p(s), len(scalars))
    res = []
    for row in out:
        k1 = int(row[0]) | int(row[1]) << 64
        k2 = int(row[3]) | int(row[4]) << 64
        res.append((-k1 if row[2] else k1, -k2 if row[5] else k2))
    return res


def test_constants():
    assert BETA != 1 and pow(BETA, 3, Q) == 1
    assert LAMBDA != 1 and pow(LAMBDA, 3, R) == 1
    # the lattice basis: v1 = (N11, N12), v2 = (N21, -N11), determinant -r
    assert (N11 + N12 * LAMBDA) % R == 0
    assert (N21 - N11 * LAMBDA) % R == 0
    assert N11 * -N11 - N12 * N21 == -R
    # phi(G1) = LAMBDA G1 with beta; on G2 the same eigenvalue takes beta^2
    g = bn128.multiply(bn128.G1, LAMBDA)
    assert (int(g[0]), int(g[1])) == (BETA * 1 % Q, 2)
    g2 = bn128.multiply(bn128.G2, LAMBDA)
    assert g2[0] == bn128.G2[0] * (BETA * BETA % Q) and g2[1] == bn128.G2[1]


def test_native_endomorphism():
    for k in (1, 2, secrets.randbelow(R), R - 1):
        p1 = omul1(k)
        a = bn254.g1_points_to_array([p1])
        out = np.zeros_like(a)
        lib.g1_endo_affine(_p(out), _p(a))
        assert bn254.g1_array_to_points(out)[0] == omul1(k * LAMBDA % R)
    for k in (1, secrets.randbelow(R)):
        a = bn254.g2_points_to_array([omul2(k)])
        out = np.zeros_like(a)
        lib.g2_endo_affine(_p(out), _p(a))
        assert bn254.g2_array_to_points(out)[0] == omul2(k * LAMBDA % R)


EDGE = sorted(
    {
        0,
        1,
        2,
        3,
        R - 1,
        R - 2,
        (R - 1) // 2,
        (R + 1) // 2,
        LAMBDA,
        LAMBDA - 1,
        LAMBDA + 1,
        R - LAMBDA,
        LAMBDA * LAMBDA % R,
        N11,
        N12,
        N21,
        N12 + 1,
        N21 - 1,
        2 * N21,
        (1 << 64) - 1,
        1 << 64,
        (1 << 125) - 1,
        1 << 125,
        1 << 126,
        (1 << 127) - 1,
        1 << 127,
        (1 << 128) - 1,
        1 << 128,
        (1 << 253) - 1,
        1 << 253,
        R - (1 << 128),
    }
)


def check_split(ks):
    for k, (k1, k2) in zip(ks, split(ks)):
        assert (k1 + k2 * LAMBDA - k) % R == 0, k
        assert abs(k1) < GLV_BOUND and abs(k2) < GLV_BOUND, k


def test_split_edges():
    check_split(EDGE)
    # multiples of r / 2^j and points where the Babai rounding flips
    ks = [(R * j) >> 8 for j in range(256)]
    ks += [(R * j + N12 // 2) // N12 for j in range(1, 200)]
    ks += [(R * j + N11 // 2) // N11 % R for j in range(1, 200)]
    check_split([k % R for k in ks])


def test_split_random():
    check_split([secrets.randbelow(R) for _ in range(5000)])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, R - 1))
def test_split_hypothesis(k):
    check_split([k])


def test_split_small_scalars_are_identity():
    """below about 2^125 the split is k1 = k, k2 = 0 (the MSM then gives
    sum k_i P_i for any curve points, as ptau's batch subgroup check needs)"""
    ks = [0, 1, 5, (1 << 32) - 1, (1 << 64) + 7, (1 << 124) + 3]
    ks += [secrets.randbelow(1 << 124) for _ in range(200)]
    assert split(ks) == [(k, 0) for k in ks]


def msm(group, pts, sc, threads=1, c=0, flags=0):
    width = 8 if group == 1 else 16
    out = np.zeros((1, width), np.uint64)
    s = ints_to_limbs(sc) if len(sc) else np.zeros((0, 4), np.uint64)
    fn = lib.msm_g1_opts if group == 1 else lib.msm_g2_opts
    assert fn(_p(out), _p(pts), _p(s), pts.shape[0], threads, c, flags) == 0
    return (bn254.g1_array_to_points if group == 1 else bn254.g2_array_to_points)(out)[0]


def dot(a, b):
    return sum(x * y for x, y in zip(a, b)) % R


def g1_points(ks):
    return bn254.g1_fixed_base_array(bn254.G1_GEN, ints_to_limbs(ks))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 64, 300])
def test_glv_msm_small_sizes_and_edges(n):
    ks = [secrets.randbelow(R) for _ in range(n)]
    sc = [secrets.choice(EDGE) if i % 3 == 0 else secrets.randbelow(R) for i in range(n)]
    pts = g1_points(ks) if n else np.zeros((0, 8), np.uint64)
    expect = bn254.g1_mul(bn254.G1_GEN, dot(ks, sc)) if n else None
    for th in (1, 2):
        assert msm(1, pts, sc, th) == expect
        assert msm(1, pts, sc, th, flags=NO_GLV) == expect


@pytest.mark.parametrize("c", [1, 2, 4, 7, 10, 11, 12, 13, 14, 16])
def test_glv_msm_every_window(c):
    n = 257
    ks = [secrets.randbelow(R) for _ in range(n)]
    sc = [secrets.randbelow(R) for _ in range(n)]
    sc[: len(EDGE)] = EDGE[:n]
    pts = g1_points(ks)
    expect = bn254.g1_mul(bn254.G1_GEN, dot(ks, sc))
    assert msm(1, pts, sc, 1, c) == expect
    assert msm(1, pts, sc, 2, c) == expect
    assert msm(1, pts, sc, 2, c, NO_GLV) == expect


def test_glv_msm_endomorphism_images_among_bases():
    """bases P_i and LAMBDA P_i: phi(P_i) (a GLV point) equals the base
    LAMBDA P_i, so equal points meet in buckets (doubling) and, with
    opposite scalars, cancel"""
    m = 150
    ks = [secrets.randbelow(R - 1) + 1 for _ in range(m)]
    ks2 = ks + [k * LAMBDA % R for k in ks]
    pts = g1_points(ks2)
    for sc in (
        [secrets.randbelow(R) for _ in range(2 * m)],
        [LAMBDA] * m + [1] * m,  # k2 of the first half meets the second half
        [LAMBDA] * m + [R - 1] * m,  # ... and cancels: total LAMBDA k - LAMBDA k
        [1 + secrets.randbelow(50) for _ in range(2 * m)],
    ):
        expect = bn254.g1_mul(bn254.G1_GEN, dot(ks2, sc))
        for c in (0, 12, 13):
            assert msm(1, pts, sc, 2, c) == expect


def test_glv_msm_infinity_and_negation():
    n = 3000
    ks = [secrets.randbelow(R) for _ in range(n)]
    ks[10:40] = [0] * 30  # infinity bases
    ks[100:200] = [(-k) % R for k in ks[:100]]  # -P next to P
    pts = g1_points(ks)
    sc = [secrets.randbelow(R) for _ in range(n)]
    sc[100:200] = sc[:100]
    sc[500:600] = [0] * 100
    expect = bn254.g1_mul(bn254.G1_GEN, dot(ks, sc))
    for th in (1, 2):
        assert msm(1, pts, sc, th) == expect
        assert msm(1, pts, sc, th, 12) == expect
    assert msm(1, pts[100:200], sc[:100]) == bn254.g1_mul(bn254.G1_GEN, -dot(ks[:100], sc[:100]))
    both = np.vstack([pts[:100], pts[100:200]])
    assert msm(1, both, sc[:100] * 2) is None


def test_glv_msm_g2():
    n = 120
    ks = [secrets.randbelow(R) for _ in range(n)]
    ks[3] = 0
    ks[4] = ks[5] * LAMBDA % R
    pts = bn254.g2_fixed_base_array(bn254.G2_GEN, ints_to_limbs(ks))
    sc = [secrets.randbelow(R) for _ in range(n)]
    sc[:6] = [R - 1, LAMBDA, 1, 7, R - LAMBDA, LAMBDA]
    expect = bn254.g2_mul(bn254.G2_GEN, dot(ks, sc))
    for th, c in ((1, 0), (2, 0), (2, 12), (1, 5)):
        assert msm(2, pts, sc, th, c) == expect
    assert msm(2, pts, sc, 1, 0, NO_GLV) == expect


@pytest.mark.parametrize("c", [10, 11, 12, 13, 0])
def test_glv_msm_portable_path(c):
    """the portable multiplication also turns off the 8-lane IFMA flush
    (and its batch-affine windows from 512 buckets), so this compares the
    vector and scalar bucket additions; sizes not a multiple of 8 leave
    padded lanes"""
    n = 3001
    ks = [secrets.randbelow(R) for _ in range(n)]
    sc = [secrets.randbelow(R) for _ in range(n)]
    sc[: len(EDGE)] = EDGE
    ks[5:9] = [ks[4]] * 4
    ks[9] = (-ks[4]) % R
    pts = g1_points(ks)
    expect = bn254.g1_mul(bn254.G1_GEN, dot(ks, sc))
    a = msm(1, pts, sc, 2, c)
    bn254.set_portable(True)
    try:
        b = msm(1, pts, sc, 2, c)
        d = msm(1, pts[:7], sc[:7], 1, c)
    finally:
        bn254.set_portable(False)
    assert a == b == expect
    assert d == msm(1, pts[:7], sc[:7], 1, c) == bn254.g1_mul(bn254.G1_GEN, dot(ks[:7], sc[:7]))


def test_plan():
    c, nch = ffi.new("int *"), ffi.new("int *")
    for npts in (1, 2, 100, 1 << 13, 1 << 17, 1 << 21, 1 << 25):
        for th in (1, 2, 4):
            lib.msm_plan(npts, 127, th, c, nch)
            assert 1 <= c[0] <= 16 and nch[0] >= 1
            if th == 1:
                assert nch[0] == 1
    assert 1 <= lib.msm_window_size(1 << 16) <= 16


@pytest.mark.parametrize("c", [12, 13, 14])
def test_batch_affine_reduction_doubling_and_cancellation(c):
    """The batch-affine bucket reduction (segments of running sums) meets
    equal points (doubling: every bucket holds the same P) and opposite
    points (cancellation: buckets alternate P and -P), and empty buckets."""
    m = 1 << (c - 1)
    P = bn254.g1_mul(bn254.G1_GEN, secrets.randbelow(R))
    nP = bn254.g1_neg(P)
    cases = [
        ([P] * m, list(range(1, m + 1))),  # bucket b holds P
        ([P if b % 2 else nP for b in range(1, m + 1)], list(range(1, m + 1))),  # P, -P, P, ...
        ([P] * (m // 2), list(range(2, m + 1, 2))),  # every other bucket empty
        ([P, nP] * (m // 4), [b for b in range(1, m // 4 + 1) for _ in (0, 1)]),  # P - P per bucket
    ]
    for pts, sc in cases:
        sc = sc[: len(pts)]
        arr = bn254.g1_points_to_array(pts)
        k = sum(s if p == P else -s for p, s in zip(pts, sc)) % R
        expect = bn254.g1_mul(P, k)
        # scalars < 2^(c-1): everything lands in window 0, one point per bucket
        assert msm(1, arr, sc, 1, c) == expect
        assert msm(1, arr, sc, 2, c, NO_GLV) == expect


def test_pending_queue_many_repeats():
    """many points into a few hundred buckets of a batch-affine window:
    the pending queue overflows and leftovers take the xyzz path"""
    n = 20000
    ks = [secrets.randbelow(R) for _ in range(64)]
    pts = np.ascontiguousarray(np.resize(g1_points(ks), (n, 8)))
    kk = (ks * (n // 64 + 1))[:n]
    sc = [1 + secrets.randbelow(300) for _ in range(n)]
    expect = bn254.g1_mul(bn254.G1_GEN, dot(kk, sc))
    for th in (1, 2):
        assert msm(1, pts, sc, th, 13) == expect


@pytest.mark.parametrize("c", [10, 12, 13])
def test_g2_vector_and_scalar_flush(c):
    """G2 bucket additions: IFMA lanes (default) against the portable
    scalar path and the reference, with negated and repeated points"""
    n = 1003
    ks = [secrets.randbelow(R) for _ in range(n)]
    ks[7:11] = [ks[6]] * 4
    ks[11] = (-ks[6]) % R
    pts = bn254.g2_fixed_base_array(bn254.G2_GEN, ints_to_limbs(ks))
    sc = [secrets.randbelow(R) for _ in range(n)]
    sc[: len(EDGE)] = EDGE
    expect = bn254.g2_mul(bn254.G2_GEN, dot(ks, sc))
    a = msm(2, pts, sc, 2, c)
    bn254.set_portable(True)
    try:
        b = msm(2, pts, sc, 1, c)
    finally:
        bn254.set_portable(False)
    assert a == b == expect


def test_batch_affine_reduction_g2():
    """G2 bucket reduction: every bucket the same point (doublings in the
    running sums), then alternating Q, -Q (cancellations)"""
    c = 12
    m = 1 << (c - 1)
    Q2 = bn254.g2_mul(bn254.G2_GEN, secrets.randbelow(R))
    nQ = bn254.g2_neg(Q2)
    for pts in ([Q2] * m, [Q2 if b % 2 else nQ for b in range(1, m + 1)]):
        sc = list(range(1, m + 1))
        k = sum(s if p == Q2 else -s for p, s in zip(pts, sc)) % R
        arr = bn254.g2_points_to_array(pts)
        assert msm(2, arr, sc, 1, c) == bn254.g2_mul(Q2, k)
        bn254.set_portable(True)
        try:
            assert msm(2, arr, sc, 1, c) == bn254.g2_mul(Q2, k)
        finally:
            bn254.set_portable(False)

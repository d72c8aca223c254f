"""G1/G2 (native/curve.*) against py_ecc's bn128 / optimized_bn128."""

import secrets

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from py_ecc import bn128, optimized_bn128 as ob
from py_ecc.fields import bn128_FQ2 as FQ2

from zkats import bn254
from zkats.bn254._lib import ffi, lib  # white-box: the native kernels themselves
from zkats.errors import InputError
from zkats.field import Q, R, ints_to_limbs, limbs_to_ints

X_BN = 4965661367192848881
G2_COFACTOR = 2 * Q - R  # #E'(Fq2) = r * (2q - r)


def ref1(p):
    """py_ecc bn128 point -> plain ints."""
    return None if p is None else (int(p[0]), int(p[1]))


def ref2(p):
    return (
        None
        if p is None
        else (tuple(int(c) for c in p[0].coeffs), tuple(int(c) for c in p[1].coeffs))
    )


def to_ecc1(p):
    return None if p is None else (bn128.FQ(p[0]), bn128.FQ(p[1]))


def to_ecc2(p):
    return None if p is None else (FQ2(list(p[0])), FQ2(list(p[1])))


def omul1(k):
    p = ob.multiply(ob.G1, k)
    return None if ob.is_inf(p) else ref1(ob.normalize(p))


def omul2(k):
    p = ob.multiply(ob.G2, k)
    return None if ob.is_inf(p) else ref2(ob.normalize(p))


def test_generators_and_curve_constants():
    assert bn254.G1_GEN == ref1(bn128.G1)
    assert bn254.G2_GEN == ref2(bn128.G2)
    assert bn254.is_on_curve_g1(bn254.G1_GEN) and bn254.is_on_curve_g2(bn254.G2_GEN)
    assert bn254.is_in_subgroup_g2(bn254.G2_GEN)
    assert bn254.is_on_curve_g1(None) and bn254.is_on_curve_g2(None)
    assert not bn254.is_on_curve_g1((1, 3))
    assert not bn254.is_on_curve_g1((Q + 1, 2))  # not canonical


def test_psi_constants():
    xi = FQ2([9, 1])
    gx, gy = xi ** ((Q - 1) // 3), xi ** ((Q - 1) // 2)
    P = bn254.G2_GEN
    a = bn254.g2_points_to_array([P])
    out = np.zeros_like(a)
    lib.g2_psi_affine(bn254.aligned_buffer(out), bn254.aligned_buffer(a))
    x, y = to_ecc2(P)

    def conj(e):
        return FQ2([e.coeffs[0], -e.coeffs[1]])

    assert bn254.g2_array_to_points(out)[0] == ref2((conj(x) * gx, conj(y) * gy))
    # on G2, psi acts as multiplication by q (mod r)
    assert bn254.g2_array_to_points(out)[0] == bn254.g2_mul(P, Q % R)


@settings(max_examples=12, deadline=None)
@given(st.integers(1, R - 1), st.integers(1, R - 1))
def test_g1_ops_random(a, b):
    P, Qp = omul1(a), omul1(b)
    assert bn254.g1_add(P, Qp) == omul1(a + b)
    assert bn254.g1_double(P) == omul1(2 * a)
    assert bn254.g1_neg(P) == omul1(R - a)
    assert bn254.g1_mul(P, b) == omul1(a * b)


def test_g1_edges():
    G = bn254.G1_GEN
    P = omul1(7)
    assert bn254.g1_add(P, bn254.g1_neg(P)) is None  # P + (-P)
    assert bn254.g1_add(P, P) == omul1(14)  # P + P via add
    assert bn254.g1_add(None, P) == P and bn254.g1_add(P, None) == P
    assert bn254.g1_add(None, None) is None
    assert bn254.g1_double(None) is None and bn254.g1_neg(None) is None
    assert bn254.g1_mul(P, 0) is None
    assert bn254.g1_mul(P, R) is None
    assert bn254.g1_mul(G, 1) == G
    assert bn254.g1_mul(G, R - 1) == bn254.g1_neg(G)
    assert bn254.g1_mul(G, -3) == omul1(R - 3)
    assert bn254.g1_mul(None, 5) is None
    assert bn254.g1_mul(G, 2**256 + 5) == omul1((2**256 + 5) % R)
    assert bn254.fq_sqrt(3) is None  # no point with x = 0; (0, 0) is free for infinity


def test_g1_rejects_bad_points():
    with pytest.raises(InputError):
        bn254.g1_add((1, 3), bn254.G1_GEN)
    with pytest.raises(InputError):
        bn254.g1_mul((Q, 2), 3)
    with pytest.raises(InputError):
        bn254.g1_mul(bn254.G1_GEN, 1.5)


@settings(max_examples=5, deadline=None)
@given(st.integers(1, R - 1), st.integers(1, R - 1))
def test_g2_ops_random(a, b):
    P, Qp = omul2(a), omul2(b)
    assert bn254.g2_add(P, Qp) == omul2(a + b)
    assert bn254.g2_double(P) == omul2(2 * a)
    assert bn254.g2_neg(P) == omul2(R - a)
    assert bn254.g2_mul(P, b) == omul2(a * b)


def test_g2_edges():
    G = bn254.G2_GEN
    P = omul2(11)
    assert bn254.g2_add(P, bn254.g2_neg(P)) is None
    assert bn254.g2_add(P, P) == omul2(22)
    assert bn254.g2_add(None, P) == P and bn254.g2_add(P, None) == P
    assert bn254.g2_mul(G, 0) is None and bn254.g2_mul(G, R) is None
    assert bn254.g2_mul(G, R - 1) == bn254.g2_neg(G)
    assert bn254.g2_mul(G, 1) == G
    assert bn254.g2_double(None) is None
    with pytest.raises(InputError):
        bn254.g2_add(((1, 2), (3, 4)), G)


def random_twist_point():
    """A random point of E'(Fq2), almost surely outside the order-r subgroup."""

    while True:
        x = FQ2([secrets.randbelow(Q), secrets.randbelow(Q)])
        rhs = x**3 + FQ2([3, 0]) / FQ2([9, 1])
        a = bn254.fq_to_mont_array([int(c) for c in rhs.coeffs])
        s = ffi.new("fq2_t *")
        if lib.fq2_sqrt(s, ffi.cast("fq2_t *", ffi.from_buffer(a))):
            y = np.frombuffer(ffi.buffer(s), dtype=np.uint64).reshape(2, 4)
            yc = limbs_to_ints(bn254.fq_from_mont_array(y.copy()))
            P = (tuple(int(c) for c in x.coeffs), tuple(yc))
            assert bn128.is_on_curve(to_ecc2(P), bn128.b2)
            return P


def test_g2_subgroup_check_against_mul_by_r():
    for _ in range(4):
        P = random_twist_point()
        assert bn254.is_on_curve_g2(P)
        in_sub = bn254.g2_mul(P, R) is None
        assert bn254.is_in_subgroup_g2(P) == in_sub
        assert not in_sub  # overwhelmingly likely
        Pc = bn254.g2_mul(P, G2_COFACTOR)  # cofactor clearing lands in G2
        assert bn254.g2_mul(Pc, R) is None
        assert bn254.is_in_subgroup_g2(Pc)
        # mixing a subgroup point with a non-subgroup one leaves the subgroup
        assert not bn254.is_in_subgroup_g2(bn254.g2_add(Pc, P))
    # py_ecc agrees for one of them (slow: one G2 multiplication by r)
    P = random_twist_point()
    assert bn128.multiply(to_ecc2(P), R) is not None and not bn254.is_in_subgroup_g2(P)
    assert bn254.is_in_subgroup_g2(None)


def test_check_arrays():
    G1s = [bn254.G1_GEN, None, omul1(5)]
    a = bn254.g1_points_to_array(G1s)
    assert bn254.g1_check_array(a) == -1
    bad = a.copy()
    bad[2, 0] ^= np.uint64(1)  # off the curve
    assert bn254.g1_check_array(bad) == 2
    bad = a.copy()
    bad[1, :4] = np.array(ints_to_limbs([Q])[0])  # non-canonical coordinate
    assert bn254.g1_check_array(bad) == 1
    assert bn254.g1_array_to_points(a) == G1s
    P = random_twist_point()
    b = bn254.g2_points_to_array([bn254.G2_GEN, None, P])
    assert bn254.g2_check_array(b, subgroup=False) == -1
    assert bn254.g2_check_array(b) == 2
    assert bn254.g2_array_to_points(b) == [bn254.G2_GEN, None, P]
    with pytest.raises(InputError):
        bn254.g1_check_array(np.zeros((2, 7), dtype=np.uint64))
    with pytest.raises(InputError):
        bn254.g1_check_array(np.zeros((2, 8), dtype=np.int64))


def test_check_arrays_threaded_first_bad_index():
    from zkats.field import ints_to_limbs

    ks = [secrets.randbelow(R) for _ in range(5000)]
    a = bn254.g1_fixed_base_array(bn254.G1_GEN, ints_to_limbs(ks))
    assert bn254.g1_check_array(a, threads=3) == -1
    a[4000, 1] ^= np.uint64(4)
    a[4500, 0] ^= np.uint64(4)
    assert bn254.g1_check_array(a, threads=3) == 4000
    assert lib.g1_check_array(bn254.aligned_buffer(a), a.shape[0]) == 4000
    b = bn254.g2_fixed_base_array(bn254.G2_GEN, ints_to_limbs(ks[:300]))
    assert bn254.g2_check_array(b, threads=2) == -1
    b[290] = bn254.g2_points_to_array([random_twist_point()])[0]
    b[299] = bn254.g2_points_to_array([random_twist_point()])[0]
    assert bn254.g2_check_array(b, threads=2) == 290
    assert bn254.g2_check_array(b, subgroup=False, threads=2) == -1


def test_g2_subgroup_check_rejects_cofactor_torsion():
    """Points of the twist whose order divides the cofactor h = 2q - r =
    10069 * h' (no component in G2) are rejected by the psi test too."""
    h = G2_COFACTOR
    assert h % 10069 == 0
    P = random_twist_point()
    for k in (R, R * (h // 10069), R * 10069):
        T = bn254.g2_mul(P, k)
        assert T is not None  # overwhelmingly likely
        assert bn254.g2_mul(T, h) is None  # order divides h
        assert not bn254.is_in_subgroup_g2(T)
        # and mixed with a G2 point
        assert not bn254.is_in_subgroup_g2(bn254.g2_add(T, bn254.G2_GEN))

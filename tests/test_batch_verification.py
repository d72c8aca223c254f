"""The settlement service's batched checks: one pairing product per circuit key
(:func:`zkats.bn254.pairing_check_scaled` under
:func:`zkats.groth16.verifier.batch_verify_detailed`) and the netting proofs
of all trades in one multi-scalar multiplication
(:meth:`SchnorrNettingVerifier.failures`).  Each batched answer is compared
with the one-by-one check; a bad proof among many is still found and named,
including errors crafted to cancel out in an unweighted sum."""

import random
import secrets

import pytest

from _groth16_sim import G1, G2, sim_key
from test_native_curve import random_twist_point
from zkats import bn254
from zkats.commit import netting, pedersen
from zkats.errors import InputError
from zkats.field import R
from zkats.gadgets import babyjubjub as bj
from zkats.groth16 import _curve
from zkats.groth16.data_structures import Proof
from zkats.groth16.verifier import batch_verify, batch_verify_detailed, verify
from zkats.venue import batch as B
from zkats.venue.settlement import ReferenceNettingVerifier, SchnorrNettingVerifier

N_PUBLIC = 5


# --------------------------------------------------------------------------
# the pairing product
# --------------------------------------------------------------------------


def test_pairing_check_scaled_matches_definition():
    rnd = random.Random(3)
    n = 9  # above the native threshold for splitting the Miller loops
    a = [rnd.randrange(1, R) for _ in range(n)]
    b = [rnd.randrange(1, R) for _ in range(n)]
    k = [rnd.randrange(R) for _ in range(n)]
    g1s = [bn254.g1_mul(G1, x) for x in a]
    g2s = [bn254.g2_mul(G2, x) for x in b]
    total = sum(ki * ai * bi for ki, ai, bi in zip(k, a, b)) % R
    # e(sum k_i a_i b_i G1, G2) cancelled by one fixed pair
    fixed = [(bn254.g1_mul(G1, (R - total) % R), G2)]
    assert bn254.pairing_check_scaled(g1s, g2s, k, fixed)
    assert bn254.pairing_check_scaled(g1s, g2s, k, fixed, threads=1)
    assert bn254.pairing_check([(bn254.g1_mul(p, ki), q) for p, q, ki in zip(g1s, g2s, k)] + fixed)
    k2 = list(k)
    k2[4] = (k2[4] + 1) % R
    assert not bn254.pairing_check_scaled(g1s, g2s, k2, fixed)
    # infinity points contribute 1; an empty product is 1
    assert bn254.pairing_check_scaled(g1s + [None], g2s + [G2], k + [5], fixed)
    assert bn254.pairing_check_scaled([], [], [])


def test_pairing_check_scaled_validates_every_point():
    g1s = [bn254.g1_mul(G1, i + 2) for i in range(4)]
    g2s = [bn254.g2_mul(G2, i + 3) for i in range(4)]
    outside = random_twist_point()  # on the twist, not in the order-r subgroup
    with pytest.raises(InputError, match="pair 2: G2 point is not on the twist or not in"):
        bn254.pairing_check_scaled(g1s, g2s[:2] + [outside] + g2s[3:], [1, 2, 3, 4])
    with pytest.raises(InputError, match="pair 1: G1 point is not on the curve"):
        bn254.pairing_check_scaled([g1s[0], (1, 3)] + g1s[2:], g2s, [1, 2, 3, 4])
    with pytest.raises(InputError, match="pair 4: G2"):  # the fixed pairs are checked too
        bn254.pairing_check_scaled(g1s, g2s, [1, 2, 3, 4], [(G1, outside)])
    with pytest.raises(InputError, match="scalar 0"):
        bn254.pairing_check_scaled(g1s, g2s, [R, 2, 3, 4])


# --------------------------------------------------------------------------
# Groth16 batches
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key():
    return sim_key(N_PUBLIC, seed=77)


def _proof(td, public):
    """A valid proof with fresh A and B (as real proofs have)."""
    a, b = secrets.randbelow(R - 1) + 1, secrets.randbelow(R - 1) + 1
    lin = (td["ic"][0] + sum(x * k for x, k in zip(public, td["ic"][1:]))) % R
    c = (a * b - td["alpha"] * td["beta"] - lin * td["gamma"]) * pow(td["delta"], -1, R) % R
    return Proof(a=bn254.g1_mul(G1, a), b=bn254.g2_mul(G2, b), c=bn254.g1_mul(G1, c))


def _batch(key, n):
    vk, td = key
    out = []
    for _ in range(n):
        public = [secrets.randbelow(R) for _ in range(N_PUBLIC)]
        out.append((public, _proof(td, public)))
    return out


def test_one_bad_proof_among_many_is_named(key):
    vk, _ = key
    items = _batch(key, 24)
    assert batch_verify_detailed(vk, items) == []
    for i in (0, 13, 23):
        pub, p = items[i]
        for bad in [
            (pub, p.replace(c=_curve.g1_add(p.c, G1))),
            ([*pub[:-1], (pub[-1] + 1) % R], p),
            (pub, p.replace(a=_curve.g1_neg(p.a))),
        ]:
            assert not verify(vk, *bad)
            assert batch_verify_detailed(vk, items[:i] + [bad] + items[i + 1 :]) == [i]


def test_errors_that_cancel_in_a_plain_sum_are_caught(key):
    """C_1 + D and C_2 - D pass an unweighted sum of the equations; the random
    weights (from ``secrets``, drawn by the verifier) catch both."""
    vk, _ = key
    items = _batch(key, 6)
    d = bn254.g1_mul(G1, 12345)
    (p1, q1), (p2, q2) = items[1], items[4]
    items[1] = (p1, q1.replace(c=_curve.g1_add(q1.c, d)))
    items[4] = (p2, q2.replace(c=_curve.g1_add(q2.c, _curve.g1_neg(d))))
    assert batch_verify_detailed(vk, items) == [1, 4]
    assert batch_verify(vk, items) is False


def test_malformed_proof_in_a_batch_is_named(key):
    vk, _ = key
    items = _batch(key, 8)
    pub, p = items[5]
    outside = random_twist_point()
    with pytest.raises(InputError, match="batch item 5: proof.pi_b: point is not in the order-r"):
        batch_verify_detailed(vk, items[:5] + [(pub, p.replace(b=outside))] + items[6:])
    with pytest.raises(InputError, match="batch item 5: proof.pi_c: point is not on the curve"):
        batch_verify_detailed(vk, items[:5] + [(pub, p.replace(c=(1, 3)))] + items[6:])
    with pytest.raises(InputError, match="batch item 5: proof.pi_a: expected an affine point"):
        batch_verify_detailed(vk, items[:5] + [(pub, p.replace(a=[1, 2]))] + items[6:])
    with pytest.raises(InputError, match=r"batch item 2: public signals\[0\]: not canonical"):
        batch_verify_detailed(vk, items[:2] + [([R] + pub[1:], p)] + items[3:])


# --------------------------------------------------------------------------
# netting proofs
# --------------------------------------------------------------------------


def _trade_legs(rnd):
    rb, rs = pedersen.random_blinding(), pedersen.random_blinding()
    size, notional = rnd.randrange(1, 1000), rnd.randrange(1, 10**6)
    buy = pedersen.commit_signed([size, notional], rb)
    sell = pedersen.commit_signed([-size, -notional], rs)
    pr = netting.prove([buy, sell], [rb, rs])
    return [buy, sell], B.NettingProof(R=pr.R, s=pr.s)


@pytest.fixture(scope="module")
def trades():
    rnd = random.Random(8)
    return [_trade_legs(rnd) for _ in range(12)]


def test_netting_batch_accepts_valid_trades(trades):
    assert SchnorrNettingVerifier().failures(trades) == []
    assert SchnorrNettingVerifier().failures([]) == []


def _tampered(legs, proof, how):
    order2 = (0, bj.R - 1)  # the point of order 2
    if how == "s":
        return legs, B.NettingProof(proof.R, (proof.s + 1) % bj.L)
    if how == "s>=L":
        return legs, B.NettingProof(proof.R, proof.s + bj.L)
    if how == "R":
        return legs, B.NettingProof(bj.babyjub_add_plain(proof.R, bj.BASE8), proof.s)
    if how == "R+torsion":
        return legs, B.NettingProof(bj.babyjub_add_plain(proof.R, order2), proof.s)
    if how == "leg+torsion":
        return [legs[0], bj.babyjub_add_plain(legs[1], order2)], proof
    if how == "unbalanced":
        return [legs[0], pedersen.commit_signed([-1, 0], 5)], proof
    if how == "off-curve":
        return [legs[0], (1, 2)], proof
    if how == "one-leg":
        return legs[:1], proof
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how", ["s", "s>=L", "R", "R+torsion", "leg+torsion", "unbalanced", "off-curve", "one-leg"]
)
def test_tampered_netting_proof_among_many_is_named(trades, how):
    ref = ReferenceNettingVerifier()
    for i in (0, 7, 11):
        bad = _tampered(*trades[i], how)
        assert not ref.verify(*bad)
        cases = trades[:i] + [bad] + trades[i + 1 :]
        assert SchnorrNettingVerifier().failures(cases) == [i]


def test_netting_errors_that_cancel_in_a_plain_sum_are_caught(trades):
    """s_1 + 1 and s_2 - 1: the sum of the two equations still holds."""
    cases = list(trades)
    (l1, p1), (l2, p2) = cases[2], cases[9]
    cases[2] = (l1, B.NettingProof(p1.R, (p1.s + 1) % bj.L))
    cases[9] = (l2, B.NettingProof(p2.R, (p2.s - 1) % bj.L))
    assert SchnorrNettingVerifier().failures(cases) == [2, 9]


# --------------------------------------------------------------------------
# the native Baby Jubjub helpers the batch uses
# --------------------------------------------------------------------------


def test_bjj_lincomb_and_add_pairs_against_plain():
    rnd = random.Random(21)
    pts = [bj.babyjub_mul_plain(bj.GENERATOR, rnd.randrange(bj.ORDER)) for _ in range(7)]
    pts += [bj.IDENTITY, (0, bj.R - 1)]
    ks = [rnd.randrange(1 << 256) for _ in pts[:-3]] + [0, 5, (1 << 256) - 1]
    want = bj.IDENTITY
    for p, k in zip(pts, ks):
        want = bj.babyjub_add_plain(want, bj.babyjub_mul_plain(p, k))
    assert bn254.bjj_lincomb(pts, ks) == want
    assert bn254.bjj_lincomb([], []) == bj.IDENTITY
    qs = pts[::-1]
    assert bn254.bjj_add_pairs(pts, qs) == [bj.babyjub_add_plain(p, q) for p, q in zip(pts, qs)]
    with pytest.raises(InputError, match="scalars"):
        bn254.bjj_lincomb(pts[:1], [1 << 256])
    with pytest.raises(InputError, match=r"point\[1\]"):
        bn254.bjj_lincomb([pts[0], (bj.R, 0)], [1, 2])


def test_many_keys_in_one_product(key):
    """Proofs of several keys in one pairing product; a bad proof of one key
    is named in its group, and a proof checked against the wrong key fails."""
    from zkats.groth16.verifier import batch_failures_many

    other = sim_key(N_PUBLIC + 2, seed=78)
    vk1, vk2 = key[0], other[0]
    g1, g2 = (
        _batch(key, 5),
        [
            (pub, _proof(other[1], pub))
            for pub in ([secrets.randbelow(R) for _ in range(N_PUBLIC + 2)] for _ in range(4))
        ],
    )
    assert batch_failures_many([(vk1, g1), (vk2, g2)]) == [[], []]
    assert batch_failures_many([(vk1, g1), (vk2, [])]) == [[], []]
    pub, p = g2[2]
    bad = g2[:2] + [(pub, p.replace(c=_curve.g1_add(p.c, G1)))] + g2[3:]
    assert batch_failures_many([(vk1, g1), (vk2, bad)]) == [[], [2]]
    # the same signals under another key of the same size: every proof fails
    same_size = sim_key(N_PUBLIC, seed=79)[0]
    assert batch_failures_many([(same_size, g1[:3]), (vk2, g2)]) == [[0, 1, 2], []]
    with pytest.raises(InputError, match="batch item 1: proof.pi_b"):
        outside = random_twist_point()
        pub, p = g1[1]
        batch_failures_many([(vk2, g2), (vk1, [g1[0], (pub, p.replace(b=outside))])])


def test_key_points_are_validated(key):
    vk, _ = key
    items = _batch(key, 3)
    bad_key = vk.replace(gamma_2=random_twist_point())
    with pytest.raises(InputError, match="verification key gamma_2: point is not in the order-r"):
        batch_verify_detailed(bad_key, items)

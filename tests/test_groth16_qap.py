"""The prover's quotient scalars against a plain-int reference (Lagrange
interpolation and direct evaluation on the coset, O(n^2)), and the native
prover kernels against Python ints."""

import random
import struct

import pytest

from zkats import bn254
from zkats.errors import InputError
from zkats.field import R, ints_to_limbs, limbs_to_ints
from zkats.groth16.r1cs_to_qap import coset_shift, quotient_scalars, root_of_unity

RM = pow(2, 256, R)


def _entries(triples):
    """zkey coefficient entries: (matrix, row, signal, coeff) -> bytes (coeff * 2^512)."""
    return b"".join(
        struct.pack("<III", m, c, s) + (v * RM * RM % R).to_bytes(32, "little")
        for m, c, s, v in triples
    )


def _interp_eval(vals, w, x):
    """Evaluate at x the polynomial taking vals[i] at w^i (Lagrange form)."""
    n = len(vals)
    pts = [pow(w, i, R) for i in range(n)]
    total = 0
    for i, yi in enumerate(vals):
        if not yi:
            continue
        num, den = 1, 1
        for j, xj in enumerate(pts):
            if j != i:
                num = num * (x - xj) % R
                den = den * (pts[i] - xj) % R
        total += yi * num * pow(den, -1, R)
    return total % R


def test_domain_constants():
    w = root_of_unity(28)
    assert pow(w, 1 << 28, R) == 1 and pow(w, 1 << 27, R) != 1
    assert root_of_unity(3) == pow(w, 1 << 25, R)
    assert coset_shift(4) == root_of_unity(5)
    with pytest.raises(InputError):
        coset_shift(28)


@pytest.mark.parametrize("seed", [1, 2])
def test_quotient_matches_reference(seed):
    rnd = random.Random(seed)
    power, n_vars = 4, 7
    n = 1 << power
    w_vals = [1] + [rnd.randrange(R) for _ in range(n_vars - 2)] + [R - 1]
    triples = []
    for row in range(n - 3):
        for m in (0, 1):
            for s in rnd.sample(range(n_vars), rnd.randint(0, 3)):
                triples.append((m, row, s, rnd.choice([1, R - 1, rnd.randrange(R)])))
    triples.append((0, 5, 2, 3))  # duplicate (row, signal) entries add up
    h = limbs_to_ints(quotient_scalars(_entries(triples), ints_to_limbs(w_vals), n, power))
    a = [0] * n
    b = [0] * n
    for m, row, s, v in triples:
        (a if m == 0 else b)[row] = ((a if m == 0 else b)[row] + v * w_vals[s]) % R
    c = [x * y % R for x, y in zip(a, b)]
    w = root_of_unity(power)
    g = coset_shift(power)
    for i in range(n):
        x = g * pow(w, i, R) % R
        want = (_interp_eval(a, w, x) * _interp_eval(b, w, x) - _interp_eval(c, w, x)) % R
        assert h[i] == want, i


def test_qap_entries_out_of_range_rejected():
    w = ints_to_limbs([1, 2])
    for bad in ([(2, 0, 0, 1)], [(0, 4, 0, 1)], [(0, 0, 2, 1)]):
        with pytest.raises(InputError, match="coefficient entry 0"):
            bn254.qap_ab_array(_entries(bad), w, 4)
    raw = bytearray(_entries([(0, 0, 0, 1)]))
    raw[12:44] = R.to_bytes(32, "little")
    with pytest.raises(InputError, match="coefficient entry 0"):
        bn254.qap_ab_array(bytes(raw), w, 4)


def test_kernels_against_ints():
    rnd = random.Random(7)
    n = 5000  # above the threading threshold
    a = [rnd.randrange(R) for _ in range(n)]
    b = [rnd.randrange(R) for _ in range(n)]
    c = [rnd.randrange(R) for _ in range(n)]
    a[0], b[1], c[2] = 0, R - 1, R - 1

    def mont(xs):
        return ints_to_limbs([x * RM % R for x in xs])

    def unmont(arr):
        return [x * pow(RM, -1, R) % R for x in limbs_to_ints(arr)]

    A, B, C = mont(a), mont(b), mont(c)
    assert unmont(bn254.fr_mul_pointwise_array(A, B)) == [x * y % R for x, y in zip(a, b)]
    assert limbs_to_ints(bn254.fr_join_abc_array(A, B, C)) == [
        (x * y - z) % R for x, y, z in zip(a, b, c)
    ]
    g = rnd.randrange(R)
    V = mont(a)
    bn254.fr_scale_powers_array(V, g)
    assert unmont(V) == [x * pow(g, i, R) % R for i, x in enumerate(a)]
    bad = ints_to_limbs([1, 2, 3])
    bad[1] = [0xFFFFFFFFFFFFFFFF] * 4
    assert bn254.fr_first_noncanonical(bad) == 1
    assert bn254.fr_first_noncanonical(ints_to_limbs([0, R - 1])) == -1

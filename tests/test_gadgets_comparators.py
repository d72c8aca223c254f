import random

import pytest

from circuit_helpers import fails, run
from zkats.errors import CircuitError
from zkats.field import R
from zkats.gadgets.comparators import (
    assert_in_range,
    greater_eq,
    greater_eq_plain,
    greater_than,
    greater_than_plain,
    in_range_plain,
    is_equal,
    is_equal_plain,
    is_zero,
    is_zero_plain,
    less_eq,
    less_eq_plain,
    less_than,
    less_than_plain,
)
from zkats.gadgets.mux import mux, mux_plain, select, select_plain
from zkats.testing import gadget_circuit, tamper_each_hint

rng = random.Random(99)


def test_is_zero_and_equal():
    iz = gadget_circuit(lambda api, x: is_zero(api, x[0]), 1, 1, "IZ")
    assert iz.counts_by_scope(depth=1)["is_zero"] == 2  # circomlib IsZero: 2
    for v in (0, 1, R - 1, rng.randrange(R)):
        assert run(iz, [v]) == [is_zero_plain(v)]
        tamper_each_hint(iz, [v])
    assert tamper_each_hint(iz, [7]) == 1  # for x != 0 the inverse is forced
    assert tamper_each_hint(iz, [0]) == 0  # for x == 0 it is free but harmless
    eq = gadget_circuit(lambda api, x: is_equal(api, x[0], x[1]), 2, 1, "EQ")
    assert eq.counts_by_scope(depth=1)["is_equal"] == 2
    for a, b in ((0, 0), (5, 5), (5, 6), (R - 1, 0)):
        assert run(eq, [a, b]) == [is_equal_plain(a, b)]


COMPARATORS = [
    (less_than, less_than_plain),
    (less_eq, less_eq_plain),
    (greater_than, greater_than_plain),
    (greater_eq, greater_eq_plain),
]


@pytest.mark.parametrize("gadget,twin", COMPARATORS)
def test_comparators_64(gadget, twin):
    cc = gadget_circuit(lambda api, x: gadget(api, 64, x[0], x[1]), 2, 1, gadget.__name__)
    # circomlib LessThan(64) = Num2Bits(65) = 65 constraints
    assert cc.counts_by_scope(depth=1)[gadget.__name__] == 65
    top = 2**64 - 1
    pairs = [(0, 0), (0, 1), (1, 0), (top, top), (top, 0), (0, top), (top - 1, top)]
    pairs += [(rng.getrandbits(64), rng.getrandbits(64)) for _ in range(10)]
    a = rng.getrandbits(64)
    pairs.append((a, a))
    for a, b in pairs:
        assert run(cc, [a, b]) == [twin(64, a, b)], (a, b)
    tamper_each_hint(cc, [3, 9])


def test_comparator_preconditions():
    for n in (0, 253, 254):
        with pytest.raises(CircuitError):
            gadget_circuit(lambda api, x, n=n: less_than(api, n, x[0], x[1]), 2, 1, "Bad")
    with pytest.raises(ValueError):
        less_than_plain(8, 256, 1)
    cc = gadget_circuit(lambda api, x: less_than(api, 252, x[0], x[1]), 2, 1, "LT252")
    assert run(cc, [2**252 - 1, 0]) == [0]
    assert run(cc, [0, 2**252 - 1]) == [1]


def test_unchecked_inputs_are_the_callers_duty():
    """Documented hazard: without range checks on the inputs the answer is wrong."""
    cc = gadget_circuit(lambda api, x: less_than(api, 8, x[0], x[1]), 2, 1, "LT8")
    assert run(cc, [R - 1, 5]) == [1]  # "r - 1 < 5": a is not 8 bits
    assert fails(cc, [300, 0])


def test_assert_in_range():
    def g(lo, hi, n):
        return gadget_circuit(
            lambda api, x: (assert_in_range(api, x[0], lo, hi, n), x[0])[1], 1, 1, "IR"
        )

    cc = g(10, 20, 8)
    assert cc.counts_by_scope(depth=1)["assert_in_range"] == 8  # 2 * bitlen(10)
    for v in (9, 10, 15, 20, 21, 0, R - 1, R - 10, 2**64):
        if in_range_plain(v, 10, 20):
            assert run(cc, [v]) == [v]
        else:
            assert fails(cc, [v])
    pow2 = g(16, 31, 8)  # span + 1 is a power of two: one check
    assert pow2.counts_by_scope(depth=1)["assert_in_range"] == 4
    for v in (15, 16, 31, 32):
        assert (run(pow2, [v]) == [v]) if in_range_plain(v, 16, 31) else fails(pow2, [v])
    sig = gadget_circuit(
        lambda api, x: (assert_in_range(api, x[0], x[1], x[2], 16), x[0])[1], 3, 1, "IRsig"
    )
    assert run(sig, [5, 5, 9]) == [5]
    assert fails(sig, [4, 5, 9])
    assert fails(sig, [10, 5, 9])
    assert fails(sig, [6, 9, 5])  # hi < lo: empty range
    with pytest.raises(CircuitError):
        g(20, 10, 8)


def test_select_and_mux():
    sel = gadget_circuit(lambda api, x: select(api, x[0], x[1], x[2]), 3, 1, "Sel")
    assert sel.counts_by_scope(depth=1)["select"] == 1
    for c in (0, 1):
        assert run(sel, [c, 11, 22]) == [select_plain(c, 11, 22)]
    for k in (0, 1, 2, 3):
        n = 1 << k
        cc = gadget_circuit(lambda api, x, k=k: mux(api, x[:k], x[k:]), k + n, 1, f"Mux{k}")
        assert cc.n_constraints - 1 == n - 1
        vals = [rng.randrange(R) for _ in range(n)]
        for idx in range(n):
            bits = [(idx >> i) & 1 for i in range(k)]
            assert run(cc, bits + vals) == [mux_plain(bits, vals)]
    const = gadget_circuit(lambda api, x: mux(api, x[:3], [3, 1, 4, 1, 5, 9, 2, 6]), 3, 1, "MuxC")
    assert const.n_constraints - 1 == 3
    assert run(const, [1, 0, 1]) == [9]
    with pytest.raises(CircuitError):
        gadget_circuit(lambda api, x: mux(api, x[:1], [1, 2, 3]), 1, 1, "MuxBad")


def test_counts_match_circomlib_vectors(root):
    """Same counts as circom2 --O2 on circomlib (vectors/circomlib_counts.json, by H4's script)."""
    import json

    from zkats.gadgets.bits import num2bits

    p = root / "vectors" / "circomlib_counts.json"
    ref = json.loads(p.read_text())["templates"]
    n2b = gadget_circuit(lambda api, x: num2bits(api, x[0], 64), 1, 1, "N2B")
    assert n2b.counts_by_scope(depth=1)["num2bits"] == ref["num2bits64"]["constraints"] == 64
    lt = gadget_circuit(lambda api, x: less_than(api, 64, x[0], x[1]), 2, 1, "LT")
    assert lt.counts_by_scope(depth=1)["less_than"] == ref["lessthan64"]["constraints"] == 65


def test_tampered_hints_inverse_div_range():
    inv = gadget_circuit(lambda api, x: api.inverse(x[0]), 1, 1, "Inv")
    assert tamper_each_hint(inv, [12345]) == 1
    div = gadget_circuit(lambda api, x: api.div(x[0], x[1]), 2, 1, "Div")
    assert tamper_each_hint(div, [10, 3]) == 1
    rng_cc = gadget_circuit(
        lambda api, x: (assert_in_range(api, x[0], 10, 20, 8), x[0])[1], 1, 1, "IRt"
    )
    assert tamper_each_hint(rng_cc, [15]) == 3 + 3  # the low bits of both decompositions

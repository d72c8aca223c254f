import random

import pytest

from circuit_helpers import fails, run
from zkats.errors import CircuitError, UnsatisfiedConstraint
from zkats.field import R
from zkats.gadgets.bits import (
    bits2num,
    bits2num_plain,
    num2bits,
    num2bits_plain,
    num2bits_strict,
    num2bits_strict_plain,
    range_check,
    range_check_plain,
)
from zkats.testing import gadget_circuit, solve_both, tamper_each_hint

rng = random.Random(1234)


@pytest.fixture(scope="module")
def n2b64():
    return gadget_circuit(lambda api, x: num2bits(api, x[0], 64), 1, 64, "N2B64")


@pytest.fixture(scope="module")
def strict():
    return gadget_circuit(lambda api, x: num2bits_strict(api, x[0]), 1, 254, "Strict")


def test_num2bits_counts(n2b64):
    # circomlib Num2Bits(64) at --O2: 64 constraints
    assert n2b64.n_constraints - 64 == 64  # minus the 64 set_output equalities
    assert n2b64.counts_by_scope(depth=1)["num2bits"] == 64
    for n in (1, 2, 3, 8, 253):
        cc = gadget_circuit(lambda api, x, n=n: num2bits(api, x[0], n), 1, n, f"N{n}")
        assert cc.counts_by_scope(depth=1)["num2bits"] == n


@pytest.mark.parametrize("x", [0, 1, 2**63, 2**64 - 1, 0xDEADBEEF])
def test_num2bits_edges(n2b64, x):
    assert run(n2b64, [x]) == num2bits_plain(x, 64)


def test_num2bits_random(n2b64):
    for _ in range(20):
        x = rng.getrandbits(64)
        assert run(n2b64, [x]) == num2bits_plain(x, 64)


@pytest.mark.parametrize("x", [2**64, 2**64 + 5, R - 1, R - 2**63, 2**200])
def test_num2bits_out_of_range_unsatisfiable(n2b64, x):
    with pytest.raises(UnsatisfiedConstraint) as e:
        n2b64.solve({"x": [x]})
    assert "num2bits" in str(e.value)


def test_num2bits_preconditions():
    with pytest.raises(CircuitError):
        gadget_circuit(lambda api, x: num2bits(api, x[0], 254), 1, 1, "Bad")
    with pytest.raises(CircuitError):
        gadget_circuit(lambda api, x: num2bits(api, 300, 8), 1, 8, "BadConst")
    # constants decompose for free
    cc = gadget_circuit(lambda api, x: num2bits(api, 5, 4), 1, 4, "Const")
    assert run(cc, [0]) == [1, 0, 1, 0]


def test_num2bits_tampered_hints_caught(n2b64):
    x = rng.getrandbits(64)
    assert tamper_each_hint(n2b64, [x]) == 63  # every low bit, every time


@pytest.mark.parametrize("x", [0, 1, 2, R - 1, R - 2, (R - 1) // 2, 2**253, 2**253 - 1])
def test_strict_edges(strict, x):
    assert run(strict, [x]) == num2bits_strict_plain(x)


def test_strict_random(strict):
    for _ in range(10):
        x = rng.randrange(R)
        assert run(strict, [x]) == num2bits_strict_plain(x)


def test_strict_count(strict):
    scopes = strict.counts_by_scope(depth=1)
    # 254 booleans + the alias check; circomlib Num2Bits_strict: see docs/circuits.md
    assert scopes["num2bits_strict"] == 385


@pytest.mark.parametrize("x", [0, 1, 12345, 2**254 - R - 1])
def test_strict_rejects_aliased_bits(strict, x):
    """The bits of x + r (< 2^254) also recompose to x mod r: the alias check rejects them."""
    alias = x + R
    assert alias < 2**254

    def hook(i, fn, args, outs):
        if i == 0:  # the decomposition hint: low 253 bits
            return num2bits_plain(alias, 254)[:253]
        return outs

    with pytest.raises(UnsatisfiedConstraint) as e:
        solve_both(strict, {"x": [x]}, hook)
    assert "alias_check" in str(e.value)
    # the plain num2bits of the same alias would be accepted without the check
    plain = gadget_circuit(
        lambda api, x: __import__("zkats.gadgets.bits", fromlist=["_decompose"])._decompose(
            api, x[0], 254
        ),
        1,
        254,
        "NoAlias",
    )
    w = solve_both(plain, {"x": [x]}, hook)
    assert w.public[:254] == num2bits_plain(alias, 254)


def test_strict_tampered_hints(strict):
    x = rng.randrange(R)
    caught = tamper_each_hint(strict, [x], max_outputs=40)
    assert caught >= 40


def test_bits2num_and_range_check():
    cc = gadget_circuit(lambda api, x: bits2num(api, num2bits(api, x[0], 16)), 1, 1, "B2N")
    for v in (0, 1, 65535, 4242):
        assert run(cc, [v]) == [bits2num_plain(num2bits_plain(v, 16))]
    rc = gadget_circuit(lambda api, x: range_check(api, x[0], 10) or x[0], 1, 1, "RC")
    assert rc.counts_by_scope(depth=1)["num2bits"] == 10
    for v in (0, 1023, 1024, R - 1, 5000):
        if range_check_plain(v, 10):
            assert run(rc, [v]) == [v]
        else:
            assert fails(rc, [v])

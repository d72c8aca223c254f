"""The example circuits in circuits/ (the guide's worked example among them)."""

import random

import pytest

from zkats.circuit import compile_circuit, load_circuit
from zkats.circuits.divmod import DivMod
from zkats.errors import CircuitError, UnsatisfiedConstraint
from zkats.field import R
from zkats.testing import solve_both

rng = random.Random(5)


@pytest.fixture(scope="module")
def dm():
    return compile_circuit(DivMod(32), cache=False)


def test_divmod_counts(dm):
    assert dm.n_constraints == 166
    assert dm.counts_by_scope(depth=1) == {"inputs": 64, "hint_checks": 100, "(top)": 2}


def test_divmod_values(dm):
    cases = [(0, 1), (1, 1), (2**32 - 1, 1), (2**32 - 1, 2**32 - 1), (1000, 7), (6, 7)]
    cases += [(rng.getrandbits(32), rng.randrange(1, 2**32)) for _ in range(10)]
    for a, b in cases:
        assert dm.solve({"a": a, "b": b}).public == [a // b, a % b, a]


@pytest.mark.parametrize("a,b", [(5, 0), (2**32, 3), (3, 2**32)])
def test_divmod_rejects(dm, a, b):
    with pytest.raises(UnsatisfiedConstraint):
        dm.solve({"a": a, "b": b})


def test_divmod_forged_quotient_rejected(dm):
    """A cheating prover's hint: another (q, rem) with q*b + rem == a mod r."""
    a, b = 1000, 7
    forgeries = [
        [141, 13],  # rem >= b
        [(a - 3) * pow(b, -1, R) % R, 3],  # q a huge field element
        [143, (a - 143 * b) % R],  # rem "negative"
    ]
    for forged in forgeries:

        def hook(i, fn, args, outs, forged=forged):
            return forged if fn.__name__ == "divmod_hint" else outs

        with pytest.raises(UnsatisfiedConstraint) as e:
            solve_both(dm, {"a": a, "b": b}, hook)
        assert "hint_checks" in str(e.value)


def test_divmod_params():
    with pytest.raises(CircuitError):
        DivMod(126)
    assert compile_circuit(load_circuit("divmod", n=8), cache=False).n_constraints == 4 * 8 + 9 + 5


def test_product_chain():
    cc = compile_circuit(load_circuit("product_chain", n=5), cache=False)
    assert cc.n_constraints == 6
    assert cc.solve({"x": 3}).public == [pow(3, 32, R)]

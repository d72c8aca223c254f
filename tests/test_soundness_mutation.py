"""Soundness mutation testing (zkats/testing/mutation.py) of every shipped
circuit and every gadget (through small wrapper circuits): each private wire
changed in turn (random, +1, r - 1) and hint outputs forged (aliased bits
x + r for decompositions, +1 otherwise) must be rejected by the constraints
or be provably harmless.

The default run samples wires and hint calls; ``-m slow`` tries every wire
and every hint call.  ``pytest -s`` prints the table (also
``bench/mutation_report.py``)."""

import json
from pathlib import Path

import pytest

from zkats.circuit import compile_circuit, list_circuits, load_circuit
from zkats.testing import MutationReport, gadget_circuit, mutation_test

EXAMPLES = Path(__file__).resolve().parent.parent / "circuits" / "examples"
SMALL_INPUTS = {
    "divmod": {"a": 1000, "b": 7},
    "multiplier": {"a": 3, "b": 5},
    "product_chain": {"x": 3},
}


def circuit_cases():
    out = []
    for name in sorted(list_circuits()):
        if name in SMALL_INPUTS:
            out.append((name, name, SMALL_INPUTS[name]))
        for p in sorted(EXAMPLES.glob("*.json")):
            if p.stem == name or p.stem.startswith(name + "_"):
                out.append((p.stem, name, json.loads(p.read_text())))
    return out


CIRCUITS = circuit_cases()
_TABLE = []


@pytest.fixture(scope="module", autouse=True)
def _print_table():
    yield
    if _TABLE:
        print("\n" + MutationReport.HEADER)
        for row in _TABLE:
            print(row)


def check(rep):
    _TABLE.append(rep.row())
    assert rep.mutations > 0 or rep.n_private == 0
    assert rep.survivors == [], rep.survivors[:10]
    assert rep.hint_survivors == [], rep.hint_survivors[:10]
    assert rep.rejected + rep.harmless == rep.mutations


def test_every_shipped_circuit_has_a_case():
    names = {c[1] for c in CIRCUITS}
    assert names == set(list_circuits())


@pytest.mark.parametrize("label,name,inputs", CIRCUITS, ids=[c[0] for c in CIRCUITS])
def test_circuit_sampled(label, name, inputs):
    cc = compile_circuit(load_circuit(name))
    rep = mutation_test(cc, inputs, max_wires=150, max_calls=2, seed=1)
    rep.circuit = label
    check(rep)


@pytest.mark.slow
@pytest.mark.parametrize("label,name,inputs", CIRCUITS, ids=[c[0] for c in CIRCUITS])
def test_circuit_full(label, name, inputs):
    cc = compile_circuit(load_circuit(name))
    rep = mutation_test(cc, inputs, max_wires=None, max_calls=60, seed=2)
    rep.circuit = label + "*"
    check(rep)


# ------------------------------------------------------------------ gadgets
def _gadgets():
    from zkats.gadgets import bits, comparators, mux
    from zkats.gadgets.babyjubjub import (
        BASE8,
        babyjub_add,
        babyjub_double,
        babyjub_mul_fixed,
        babyjub_mul_plain,
        babyjub_mul_subgroup,
    )
    from zkats.gadgets.eddsa import eddsa_prv2pub, eddsa_sign_poseidon, eddsa_verify_poseidon
    from zkats.gadgets.merkle import merkle_root
    from zkats.gadgets.pedersen import pedersen_commit
    from zkats.gadgets.poseidon_hash import poseidon

    def ranged(fn, n=16):
        def g(api, x):
            for v in x:
                bits.range_check(api, v, n)
            return fn(api, x)

        return g

    p1, p2 = babyjub_mul_plain(BASE8, 12345), babyjub_mul_plain(BASE8, 987654321)
    prv = bytes(range(32))
    pub = eddsa_prv2pub(prv)
    r8, s = eddsa_sign_poseidon(prv, 42)
    cases = {
        "num2bits": (lambda api, x: bits.num2bits(api, x[0], 16), [40000]),
        "num2bits_strict": (lambda api, x: bits.num2bits_strict(api, x[0])[:3], [5]),
        "range_check": (lambda api, x: bits.range_check(api, x[0], 10) or x[0], [1023]),
        "is_zero": (
            lambda api, x: [comparators.is_zero(api, x[0]), comparators.is_zero(api, x[1])],
            [0, 7],
        ),
        "is_equal": (lambda api, x: comparators.is_equal(api, x[0], x[1]), [5, 6]),
        "less_than": (ranged(lambda api, x: comparators.less_than(api, 16, x[0], x[1])), [3, 9]),
        "less_eq": (ranged(lambda api, x: comparators.less_eq(api, 16, x[0], x[1])), [9, 9]),
        "greater_than": (
            ranged(lambda api, x: comparators.greater_than(api, 16, x[0], x[1])),
            [9, 3],
        ),
        "greater_eq": (ranged(lambda api, x: comparators.greater_eq(api, 16, x[0], x[1])), [3, 9]),
        "assert_in_range_const": (
            lambda api, x: comparators.assert_in_range(api, x[0], 10, 1000, 16) or x[0],
            [500],
        ),
        "assert_in_range_signal": (
            ranged(lambda api, x: comparators.assert_in_range(api, x[0], x[1], x[2], 16) or x[0]),
            [50, 10, 100],
        ),
        "select": (
            lambda api, x: api.assert_bool(x[0]) or mux.select(api, x[0], x[1], x[2]),
            [1, 11, 22],
        ),
        "mux": (
            lambda api, x: [api.assert_bool(b) for b in x[:2]] and mux.mux(api, x[:2], x[2:]),
            [1, 0, 5, 6, 7, 8],
        ),
        "inverse_div": (lambda api, x: [api.inverse(x[0]), api.div(x[1], x[0])], [7, 35]),
        "poseidon": (lambda api, x: poseidon(api, x), [1, 2]),
        "merkle_depth3": (
            lambda api, x: merkle_root(api, x[0], x[1:4], x[4:7]),
            [11, 12, 13, 14, 1, 0, 1],
        ),
        "babyjub_add_double": (
            lambda api, x: list(babyjub_add(api, x[:2], x[2:])) + list(babyjub_double(api, x[:2])),
            list(p1) + list(p2),
        ),
        "babyjub_mul_fixed": (
            lambda api, x: list(babyjub_mul_fixed(api, bits.num2bits(api, x[0], 20), BASE8)),
            [777777],
        ),
        "babyjub_mul_subgroup": (
            lambda api, x: list(babyjub_mul_subgroup(api, bits.num2bits(api, x[0], 12), x[1:3])),
            [3001] + list(p1),
        ),
        "pedersen_commit": (
            lambda api, x: list(pedersen_commit(api, [x[0]], x[1])),
            [123456789, 98765432123456789],
        ),
        "eddsa_poseidon": (
            lambda api, x: eddsa_verify_poseidon(api, x[0:2], x[2], x[3:5], x[5]) or x[2],
            list(pub) + [42] + list(r8) + [s],
        ),
    }
    return cases


GADGETS = sorted(_gadgets())


def _gadget_run(name, max_wires, max_calls, seed, tag=""):
    fn, xs = _gadgets()[name]
    n_out = _n_out(fn, len(xs))
    cc = gadget_circuit(lambda api, x: _as_list(fn(api, x)), len(xs), n_out=n_out, name=name)
    rep = mutation_test(cc, {"x": xs}, max_wires=max_wires, max_calls=max_calls, seed=seed)
    rep.circuit = "g:" + name + tag
    check(rep)


@pytest.mark.parametrize("name", GADGETS)
def test_gadget_sampled(name):
    _gadget_run(name, 150, 3, 3)


@pytest.mark.slow
@pytest.mark.parametrize("name", GADGETS)
def test_gadget_full(name):
    _gadget_run(name, None, None, 4, "*")


def _as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _n_out(fn, n_in):
    from zkats.circuit import Builder

    b = Builder(1 + n_in)
    xs = [b.signal(1 + i) for i in range(n_in)]
    return len(_as_list(fn(b, xs)))


# ------------------------------------------------- the harness itself works
def test_harness_finds_free_and_aliased_wires():
    from zkats.circuit import Circuit, Output, Private
    from zkats.gadgets.bits import _decompose

    class Broken(Circuit):
        y = Output(n=2)
        x = Private(n=2)

        def define(self, api):
            free = api.hint(lambda a: 0, self.x[0], name="free_bit")
            api.assert_bool(free)  # boolean but otherwise free
            bits = _decompose(api, self.x[1], 254)  # no alias check
            api.set_output(self.y[0], bits[0])
            leak = api.hint(lambda a: a, self.x[0], name="unchecked")
            api.set_output(self.y[1], leak)  # output straight from a hint

    cc = compile_circuit(Broken(), cache=False)
    rep = mutation_test(cc, {"x": [3, 6]}, seed=5)
    assert any(s[0] == "free_bit" for s in rep.survivors)
    whats = [s[2] for s in rep.hint_survivors]
    assert any(w.startswith("alias x+r") and "public signals changed" in w for w in whats)
    assert any("output 0 + 1" in w for w in whats)

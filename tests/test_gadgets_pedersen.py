"""Pedersen commitments: generator derivation (pinned vector), homomorphism,
in-circuit opening."""

import pytest

from gadget_vectors import load, point
from zkats.errors import InputError
from zkats.gadgets import (
    babyjub_add_plain,
    babyjub_mul_plain,
    blinding_generator,
    commitment_add,
    commitment_sub,
    pedersen_commit_plain,
    pedersen_opening_plain,
    random_blinding,
    value_generators,
)
from zkats.gadgets.babyjubjub import IDENTITY, L, babyjub_in_subgroup_plain
from zkats.gadgets.pedersen import pedersen_generator


def test_generators_match_stored_vector():
    vec = load("pedersen_generators.json")
    assert blinding_generator() == point(vec["H"]["point"])
    gens = value_generators(len(vec["G"]))
    for g, v in zip(gens, vec["G"]):
        assert pedersen_generator(v["label"]) == g == point(v["point"])
    for p in gens + [blinding_generator()]:
        assert babyjub_in_subgroup_plain(p) and p != IDENTITY
    assert len(set(gens + [blinding_generator()])) == len(gens) + 1


def test_commit_definition_and_homomorphism():
    g, h = value_generators(1)[0], blinding_generator()
    v1, r1, v2, r2 = 5, random_blinding(), 2**64 - 1, random_blinding()
    c1, c2 = pedersen_commit_plain(v1, r1), pedersen_commit_plain(v2, r2)
    assert c1 == babyjub_add_plain(babyjub_mul_plain(g, v1), babyjub_mul_plain(h, r1))
    assert commitment_add(c1, c2) == pedersen_commit_plain(v1 + v2, (r1 + r2) % L)
    assert commitment_sub(c2, c1) == pedersen_commit_plain(v2 - v1, (r2 - r1) % L)
    assert pedersen_opening_plain(c1, v1, r1) and not pedersen_opening_plain(c1, v1 + 1, r1)
    cv = pedersen_commit_plain([1, 2, 3], 9)
    gs = value_generators(3)
    exp = babyjub_mul_plain(h, 9)
    for v, gi in zip([1, 2, 3], gs):
        exp = babyjub_add_plain(exp, babyjub_mul_plain(gi, v))
    assert cv == exp and pedersen_commit_plain([7], 3) == pedersen_commit_plain(7, 3)


def test_bad_inputs():
    with pytest.raises(InputError):
        pedersen_commit_plain(-1, 0)
    with pytest.raises(InputError):
        pedersen_commit_plain(1, L)
    with pytest.raises(InputError):
        pedersen_commit_plain([], 1)
    with pytest.raises(InputError):
        commitment_add((1, 2), pedersen_commit_plain(1, 1))


# ------------------------------------------------------------- in circuit
import secrets  # noqa: E402

from gadget_vectors import circomlib_count  # noqa: E402
from zkats.circuit import Circuit, Output, Private, Public, compile_circuit  # noqa: E402
from zkats.errors import UnsatisfiedConstraint  # noqa: E402
from zkats.field import R  # noqa: E402
from zkats.gadgets.pedersen import assert_pedersen_opening, pedersen_commit  # noqa: E402
from zkats.testing import assert_hints_constrained  # noqa: E402


class Opening(Circuit):
    c = Public(n=2)
    v = Private(n="n")
    r = Private()

    def __init__(self, n=1):
        self.n = n

    def define(self, api):
        vals = self.v if self.n > 1 else self.v[0]
        assert_pedersen_opening(api, self.c, vals, self.r)


@pytest.fixture(scope="module")
def opening():
    return compile_circuit(Opening(), cache=False)


def test_opening_in_circuit(opening):
    for v, r in [(0, 0), (1, 1), (2**64 - 1, L - 1), (secrets.randbits(64), random_blinding())]:
        w = opening.solve({"c": list(pedersen_commit_plain(v, r)), "v": [v], "r": r})
        assert opening.check(w)
    assert_hints_constrained(opening, w, sample=12)


def test_opening_count(opening):
    # 64 + 251 bit constraints, 643 for the fixed-base windows, 2 equalities
    assert opening.n_constraints == 960
    assert opening.n_constraints < circomlib_count("pedersen_fixed")


def test_wrong_openings_rejected(opening):
    v, r = 1000, random_blinding()
    c = list(pedersen_commit_plain(v, r))
    for inputs in [
        {"c": c, "v": [v + 1], "r": r},
        {"c": c, "v": [v], "r": (r + 1) % L},
        {"c": [c[0], (c[1] + 1) % R], "v": [v], "r": r},
        {"c": list(pedersen_commit_plain(2**64, 5)), "v": [2**64], "r": 5},
    ]:  # v too big
        with pytest.raises(UnsatisfiedConstraint):
            opening.solve(inputs)


def test_vector_opening_in_circuit():
    cc = compile_circuit(Opening(3), cache=False)
    vals, r = [5, 2**63, 77], random_blinding()
    w = cc.solve({"c": list(pedersen_commit_plain(vals, r)), "v": vals, "r": r})
    assert cc.check(w)
    with pytest.raises(UnsatisfiedConstraint):
        cc.solve({"c": list(pedersen_commit_plain(vals, r)), "v": [5, 77, 2**63], "r": r})


def test_commit_gadget_output_matches_twin():
    class Commit(Circuit):
        o = Output(n=2)
        v = Private()
        r = Private()

        def define(self, api):
            x, y = pedersen_commit(api, self.v, self.r, value_bits=32)
            api.set_output(self.o[0], x)
            api.set_output(self.o[1], y)

    cc = compile_circuit(Commit(), cache=False)
    w = cc.solve({"v": 123, "r": 456})
    assert tuple(w.public[:2]) == pedersen_commit_plain(123, 456)


def test_generators_equal_independent_js_derivation():
    # vectors/js/circomlibjs_vectors.js re-derives the generators with
    # node's SHA-256 and circomlibjs' field and curve code
    for g in load("circomlibjs.json")["pedersen_generators"]:
        assert pedersen_generator(g["label"]) == point(g["point"])


@pytest.mark.peers
def test_generators_live():
    from gadget_vectors import live_vectors

    gens = live_vectors()["pedersen_generators"]
    assert {g["label"] for g in gens} == {"value/0", "blinding"}
    for g in gens:
        assert pedersen_generator(g["label"]) == point(g["point"])


def test_lint_clean():
    from zkats.lint import lint_circuit

    assert lint_circuit(Opening()).findings == []

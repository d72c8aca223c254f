"""Poseidon: derived constants, plain hash vs circomlibjs, in-circuit gadget."""

import json

import pytest

from conftest import ROOT, require_peer
from gadget_vectors import live_vectors, load
from zkats.errors import InputError
from zkats.field import R
from zkats.gadgets import poseidon_plain
from zkats.gadgets.poseidon_constants import N_ROUNDS_P, poseidon_params


@pytest.mark.peers
def test_constants_equal_circomlibjs_tables():
    require_peer("snarkjs")  # node_modules present (skips, or fails in CI)
    tables = json.loads((ROOT / "node_modules/circomlibjs/src/poseidon_constants.json").read_text())
    for t in range(2, 18):
        consts, mds = poseidon_params(t)
        assert [int(c, 16) for c in tables["C"][t - 2]] == list(consts)
        assert [[int(c, 16) for c in row] for row in tables["M"][t - 2]] == [list(r) for r in mds]
        assert len(consts) == (8 + N_ROUNDS_P[t - 2]) * t


def test_hash_equals_stored_circomlibjs_vectors():
    vecs = load("circomlibjs.json")["poseidon"]
    assert {len(v["inputs"]) for v in vecs} == set(range(1, 17))
    for v in vecs:
        assert poseidon_plain([int(x) for x in v["inputs"]]) == int(v["hash"]), v["inputs"]


def test_known_value():
    assert (
        poseidon_plain([1, 2])
        == 7853200120776062878684798364095072458815029376092732009249414926327459813530
    )


def test_input_count_checked():
    with pytest.raises(InputError):
        poseidon_plain([])
    with pytest.raises(InputError):
        poseidon_plain(list(range(17)))


def test_inputs_reduced_mod_r():
    assert poseidon_plain([R + 5]) == poseidon_plain([5])


@pytest.mark.peers
def test_live_circomlibjs_agrees():
    out = live_vectors()
    for v in out["poseidon"]:
        assert poseidon_plain([int(x) for x in v["inputs"]]) == int(v["hash"])


# ------------------------------------------------------------- in circuit
from gadget_vectors import circomlib_count  # noqa: E402
from zkats.circuit import Circuit, Output, Private, compile_circuit  # noqa: E402
from zkats.gadgets.poseidon_hash import poseidon  # noqa: E402


class PoseidonN(Circuit):
    h = Output()
    xs = Private(n="n")

    def __init__(self, n):
        self.n = n

    def define(self, api):
        api.set_output(self.h, poseidon(api, self.xs))


@pytest.mark.parametrize("n", [1, 2, 5, 16])
def test_gadget_matches_vectors(n):
    cc = compile_circuit(PoseidonN(n), cache=False)
    for v in [v for v in load("circomlibjs.json")["poseidon"] if len(v["inputs"]) == n]:
        w = cc.solve({"xs": [int(x) for x in v["inputs"]]})
        assert cc.check(w) and w.public[0] == int(v["hash"])


def test_gadget_counts_pinned():
    # gadget cost 3 * (8 * t + R_P - 1); the circuit adds 1 for set_output
    expected = {1: 213, 2: 240, 5: 321, 16: 609}
    for n, k in expected.items():
        cc = compile_circuit(PoseidonN(n), cache=False)
        assert cc.counts_by_scope()[f"poseidon{n}"] == k
    assert expected[2] <= circomlib_count("poseidon2") == 240


def test_wrong_output_rejected():
    cc = compile_circuit(PoseidonN(2), cache=False)
    w = cc.solve({"xs": [1, 2]})
    values = list(w.values)
    values[1] = (values[1] + 1) % R
    assert cc.unsatisfied(values)
    values[1] = (values[1] - 1) % R
    values[-1] = (values[-1] + 1) % R  # an internal S-box wire
    assert cc.unsatisfied(values)


def test_gadget_equals_circom_poseidon2_witness():
    # outputs of circom2-compiled circomlib Poseidon(2) (vectors/circom_semantics.json)
    cc = compile_circuit(PoseidonN(2), cache=False)
    for v in load("circom_semantics.json")["poseidon2"]:
        xs = [int(x) for x in v["inputs"]]
        assert cc.solve({"xs": xs}).public[0] == int(v["out"]) == poseidon_plain(xs)

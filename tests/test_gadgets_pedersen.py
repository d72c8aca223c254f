"""Pedersen commitments: generator derivation (pinned vector), homomorphism,
in-circuit opening."""
import pytest

from gadget_vectors import load, point
from zkats.errors import InputError
from zkats.gadgets import (babyjub_add, babyjub_mul, blinding_generator, commitment_add,
                           commitment_sub, pedersen_commit, pedersen_verify, random_blinding,
                           value_generators)
from zkats.gadgets.babyjubjub import IDENTITY, L, babyjub_in_subgroup
from zkats.gadgets.pedersen import pedersen_generator


def test_generators_match_stored_vector():
    vec = load("pedersen_generators.json")
    assert blinding_generator() == point(vec["H"]["point"])
    gens = value_generators(len(vec["G"]))
    for g, v in zip(gens, vec["G"]):
        assert pedersen_generator(v["label"]) == g == point(v["point"])
    for p in gens + [blinding_generator()]:
        assert babyjub_in_subgroup(p) and p != IDENTITY
    assert len(set(gens + [blinding_generator()])) == len(gens) + 1


def test_commit_definition_and_homomorphism():
    g, h = value_generators(1)[0], blinding_generator()
    v1, r1, v2, r2 = 5, random_blinding(), 2**64 - 1, random_blinding()
    c1, c2 = pedersen_commit(v1, r1), pedersen_commit(v2, r2)
    assert c1 == babyjub_add(babyjub_mul(g, v1), babyjub_mul(h, r1))
    assert commitment_add(c1, c2) == pedersen_commit(v1 + v2, (r1 + r2) % L)
    assert commitment_sub(c2, c1) == pedersen_commit(v2 - v1, (r2 - r1) % L)
    assert pedersen_verify(c1, v1, r1) and not pedersen_verify(c1, v1 + 1, r1)
    cv = pedersen_commit([1, 2, 3], 9)
    gs = value_generators(3)
    exp = babyjub_mul(h, 9)
    for v, gi in zip([1, 2, 3], gs):
        exp = babyjub_add(exp, babyjub_mul(gi, v))
    assert cv == exp and pedersen_commit([7], 3) == pedersen_commit(7, 3)


def test_bad_inputs():
    with pytest.raises(InputError):
        pedersen_commit(-1, 0)
    with pytest.raises(InputError):
        pedersen_commit(1, L)
    with pytest.raises(InputError):
        pedersen_commit([], 1)
    with pytest.raises(InputError):
        commitment_add((1, 2), pedersen_commit(1, 1))

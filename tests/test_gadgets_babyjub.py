"""Baby Jubjub: plain arithmetic vs circomlibjs, in-circuit gadgets."""
import pytest

from gadget_vectors import load, point
from zkats.errors import InputError
from zkats.field import R
from zkats.gadgets import BASE8, GENERATOR, babyjub_add, babyjub_mul, babyjub_on_curve
from zkats.gadgets.babyjubjub import (IDENTITY, L, babyjub_check_point, babyjub_in_subgroup,
                                      babyjub_pack, babyjub_unpack, from_montgomery,
                                      montgomery_add, to_montgomery)

BASES = {"Base8": BASE8, "Generator": GENERATOR}


def test_constants():
    assert babyjub_on_curve(BASE8) and babyjub_on_curve(GENERATOR)
    assert babyjub_mul(GENERATOR, 8) == BASE8
    assert babyjub_mul(BASE8, L) == IDENTITY
    assert babyjub_mul(GENERATOR, L) != IDENTITY


def test_mul_vectors():
    for v in load("circomlibjs.json")["babyjub_mul"]:
        assert babyjub_mul(BASES[v["base"]], int(v["k"])) == point(v["result"]), v


def test_add_and_pack_vectors():
    vec = load("circomlibjs.json")
    for v in vec["babyjub_add"]:
        assert babyjub_add(point(v["p"]), point(v["q"])) == point(v["result"])
    for v in vec["babyjub_pack"]:
        p = point(v["point"])
        assert babyjub_pack(p).hex() == v["packed"]
        assert babyjub_unpack(bytes.fromhex(v["packed"])) == p
        assert babyjub_in_subgroup(p) == v["in_subgroup"]


def test_edge_cases():
    assert babyjub_add(IDENTITY, BASE8) == BASE8
    assert babyjub_add(BASE8, (R - BASE8[0], BASE8[1])) == IDENTITY
    assert not babyjub_on_curve((1, 2))
    assert not babyjub_on_curve((BASE8[0] + R, BASE8[1]))
    with pytest.raises(InputError):
        babyjub_check_point((1, 2), "pubkey")
    with pytest.raises(InputError):
        babyjub_check_point(GENERATOR, "pubkey")        # order 8L, not in the subgroup
    with pytest.raises(InputError):
        babyjub_unpack(b"\x00" * 31)
    p, q = babyjub_mul(BASE8, 1234), babyjub_mul(BASE8, 98765)
    assert from_montgomery(montgomery_add(to_montgomery(p), to_montgomery(q))) == babyjub_add(p, q)

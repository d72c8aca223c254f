"""Poseidon Merkle tree (incremental, out of circuit) and in-circuit membership."""

import pytest

from zkats.errors import InputError
from zkats.gadgets import MerkleTree, merkle_root_plain, poseidon_plain
from zkats.gadgets.merkle import zero_hashes


def _naive_root(leaves, depth):
    level = list(leaves) + [0] * ((1 << depth) - len(leaves))
    for _ in range(depth):
        level = [poseidon_plain([level[i], level[i + 1]]) for i in range(0, len(level), 2)]
    return level[0]


def test_incremental_tree_matches_naive():
    t = MerkleTree(3)
    assert t.root == _naive_root([], 3) == zero_hashes(3)[3]
    leaves = [11, 22, 33, 44, 55]
    for i, x in enumerate(leaves):
        assert t.append(x) == i
        assert t.root == _naive_root(leaves[: i + 1], 3)
    for i, x in enumerate(leaves):
        sibs, bits = t.path(i)
        assert bits == [(i >> k) & 1 for k in range(3)]
        assert merkle_root_plain(x, i, sibs) == t.root
    sibs, _ = t.path(2)
    assert merkle_root_plain(33, 3, sibs) != t.root
    assert merkle_root_plain(34, 2, sibs) != t.root


def test_tree_limits():
    t = MerkleTree(1)
    t.append(1)
    t.append(2)
    with pytest.raises(InputError):
        t.append(3)
    with pytest.raises(InputError):
        MerkleTree(0)
    with pytest.raises(InputError):
        t.path(5)


# ------------------------------------------------------------- in circuit
from gadget_vectors import circomlib_count  # noqa: E402
from zkats.circuit import Circuit, Private, Public, compile_circuit  # noqa: E402
from zkats.errors import UnsatisfiedConstraint  # noqa: E402
from zkats.gadgets.merkle import assert_merkle_membership  # noqa: E402


class Member(Circuit):
    root = Public()
    leaf = Private()
    sib = Private(n="d")
    bits = Private(n="d")

    def __init__(self, d):
        self.d = d

    def define(self, api):
        assert_merkle_membership(api, self.root, self.leaf, self.sib, self.bits)


def test_membership_in_circuit():
    t = MerkleTree(4)
    for x in [10, 20, 30, 40, 50]:
        t.append(x)
    cc = compile_circuit(Member(4), cache=False)
    for i in range(5):
        sibs, bits = t.path(i)
        assert cc.check(cc.solve({"root": t.root, "leaf": t.leaf(i), "sib": sibs, "bits": bits}))
    sibs, bits = t.path(2)
    bad = [
        {"leaf": 31},
        {"bits": [1 - bits[0]] + bits[1:]},
        {"bits": [2] + bits[1:]},  # non-boolean path bit
        {"sib": [sibs[0] + 1] + sibs[1:]},
        {"root": t.root + 1},
    ]
    for over in bad:
        inputs = {"root": t.root, "leaf": 30, "sib": sibs, "bits": bits}
        inputs.update(over)
        with pytest.raises(UnsatisfiedConstraint):
            cc.solve(inputs)


def test_membership_depth20_count():
    cc = compile_circuit(Member(20), cache=False)
    # 242 per level (bool, order, Poseidon(2)) + the root equality
    assert cc.n_constraints == 20 * 242 + 1
    assert cc.n_constraints - 1 == circomlib_count("merkle20")
    t = MerkleTree(20)
    for x in range(3):
        t.append(x + 100)
    sibs, bits = t.path(1)
    w = cc.solve({"root": t.root, "leaf": 101, "sib": sibs, "bits": bits})
    assert cc.check(w)


def test_lint_clean():
    from zkats.lint import lint_circuit

    assert lint_circuit(Member(2)).findings == []

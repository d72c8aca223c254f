"""Poseidon Merkle tree (incremental, out of circuit) and in-circuit membership."""
import pytest

from zkats.errors import InputError
from zkats.gadgets import MerkleTree, merkle_root_from_path, poseidon
from zkats.gadgets.merkle import zero_hashes


def _naive_root(leaves, depth):
    level = list(leaves) + [0] * ((1 << depth) - len(leaves))
    for _ in range(depth):
        level = [poseidon([level[i], level[i + 1]]) for i in range(0, len(level), 2)]
    return level[0]


def test_incremental_tree_matches_naive():
    t = MerkleTree(3)
    assert t.root == _naive_root([], 3) == zero_hashes(3)[3]
    leaves = [11, 22, 33, 44, 55]
    for i, x in enumerate(leaves):
        assert t.append(x) == i
        assert t.root == _naive_root(leaves[:i + 1], 3)
    for i, x in enumerate(leaves):
        sibs, bits = t.path(i)
        assert bits == [(i >> k) & 1 for k in range(3)]
        assert merkle_root_from_path(x, i, sibs) == t.root
    sibs, _ = t.path(2)
    assert merkle_root_from_path(33, 3, sibs) != t.root
    assert merkle_root_from_path(34, 2, sibs) != t.root


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

"""Wide Poseidon Merkle trees (the oracle epoch's tree of entries): the
native tree against a naive recomputation and against the binary tree, and
the in-circuit membership proof against the native root, with every wrong
path refused by the constraints."""

import random

import pytest

from zkats.circuit import Circuit, Private, Public, compile_circuit
from zkats.errors import InputError
from zkats.gadgets import MerkleTree, poseidon_plain
from zkats.gadgets.wide_merkle import WideMerkleTree, assert_wide_membership, wide_root_plain
from zkats.testing.assertions import assert_unsat, solve_both


def _naive_root(leaves, arity):
    level = list(leaves)
    while len(level) > 1:
        level = [poseidon_plain(level[i : i + arity]) for i in range(0, len(level), arity)]
    return level[0]


@pytest.mark.parametrize("arity,levels", [(2, 3), (4, 2), (8, 1), (8, 2), (16, 1)])
def test_tree_matches_naive_and_paths_open(arity, levels):
    rng = random.Random(arity * 10 + levels)
    leaves = [rng.randrange(1 << 250) for _ in range(arity**levels)]
    t = WideMerkleTree(leaves, arity, levels)
    assert t.root == _naive_root(leaves, arity)
    for i in range(len(leaves)):
        children, bits = t.path(i)
        assert len(children) == levels and all(len(r) == arity for r in children)
        assert bits == [(i >> k) & 1 for k in range(levels * (arity.bit_length() - 1))]
        assert wide_root_plain(leaves[i], children, bits, arity) == t.root
    children, bits = t.path(1)
    assert wide_root_plain(leaves[1] + 1, children, bits, arity) != t.root
    assert wide_root_plain(leaves[1], children, [1 - bits[0]] + bits[1:], arity) != t.root


def test_arity_two_is_the_binary_tree():
    leaves = [11, 22, 33, 44, 55, 66, 77, 88]
    binary = MerkleTree(3)
    for x in leaves:
        binary.append(x)
    assert WideMerkleTree(leaves, 2, 3).root == binary.root


def test_tree_limits():
    with pytest.raises(InputError, match="arity"):
        WideMerkleTree([0] * 9, 3, 2)
    with pytest.raises(InputError, match="exactly 64 leaves"):
        WideMerkleTree([0] * 63, 8, 2)
    with pytest.raises(InputError, match="field element"):
        WideMerkleTree([-1] + [0] * 7, 8, 1)
    with pytest.raises(InputError, match="out of range"):
        WideMerkleTree([0] * 8, 8, 1).path(8)


class WideMember(Circuit):
    root = Public()
    leaf = Private()
    children = Private(n=("levels", "arity"))
    bits = Private(n="nbits")

    def __init__(self, arity, levels):
        self.arity, self.levels = arity, levels
        self.nbits = levels * (arity.bit_length() - 1)

    def define(self, api):
        assert_wide_membership(api, self.root, self.leaf, self.children, self.bits, self.arity)


@pytest.fixture(scope="module")
def tree():
    rng = random.Random(5)
    leaves = [rng.randrange(1 << 250) for _ in range(64)]
    return WideMerkleTree(leaves, 8, 2)


@pytest.fixture(scope="module")
def member():
    return compile_circuit(WideMember(8, 2), cache=False)


def _inputs(t, i):
    children, bits = t.path(i)
    return {"root": t.root, "leaf": t.rows[0][i], "children": children, "bits": bits}


def test_membership_every_index_and_the_cost(tree, member):
    for i in (0, 1, 7, 8, 37, 63):
        assert member.check(solve_both(member, _inputs(tree, i)))
    # per level: 3 booleans, 6 products for the one-hot, 8 selections,
    # Poseidon(8) (402); plus the root equality
    assert member.n_constraints == 2 * (3 + 6 + 8 + 402) + 1


def test_own_position_is_overwritten(tree, member):
    """Whatever stands at the running node's own position is ignored (the
    circuit puts the node there): a prover gains nothing by changing it."""
    inp = _inputs(tree, 13)
    inp["children"][0][13 % 8] += 12345
    inp["children"][1][13 // 8] = 0
    assert member.check(solve_both(member, inp))


def test_wrong_paths_refused(tree, member):
    good = _inputs(tree, 13)
    children, bits = good["children"], good["bits"]
    bad = [
        {"leaf": good["leaf"] + 1},
        {"bits": [1 - bits[0]] + bits[1:]},  # a neighbour's slot
        {"bits": bits[:3] + [1 - bits[3]] + bits[4:]},  # the other row's index
        {"bits": [2] + bits[1:]},  # non-boolean
        {"children": [[c + (k == 0) for k, c in enumerate(children[0])], children[1]]},
        {"children": [children[0], [c + (k == 7) for k, c in enumerate(children[1])]]},
        {"root": good["root"] + 1},
    ]
    for over in bad:
        assert_unsat(member, {**good, **over})


def test_lint_clean():
    from zkats.lint import lint_circuit

    assert lint_circuit(WideMember(4, 2)).findings == []

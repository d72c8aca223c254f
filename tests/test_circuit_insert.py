"""The ``insert`` circuit: appending k leaves at ``start`` turns ``old_root``
into ``new_root``, checked against the reference tree
(zkats.gadgets.merkle.MerkleTree) natively and in circuit; forged roots,
a wrong start, a reordered batch, an overwrite of filled leaves and an
index past the tree's end are rejected by the constraints."""

import itertools

import pytest

from zkats.circuit import compile_circuit
from zkats.circuits import insert
from zkats.errors import CircuitError, InputError
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_native_rejects, assert_unsat


@pytest.fixture(scope="module")
def ins4():
    return compile_circuit(insert.Insert(k=4))


def _tree(n, depth=insert.DEPTH):
    t = MerkleTree(depth)
    for i in range(n):
        t.append(1000 + 7 * i)
    return t


def _appended(tree, leaves):
    t = MerkleTree(tree.depth)
    for i in range(len(tree)):
        t.append(tree.leaf(i))
    for x in leaves:
        t.append(x)
    return t


def test_counts(ins4):
    assert ins4.n_pub_in == insert.Insert(k=4).n_public() == 7
    assert ins4.n_constraints == 23_174
    k16 = compile_circuit(insert.Insert(k=16))
    assert k16.n_constraints == 25_602
    assert k16.n_pub_in == 19


@pytest.mark.parametrize("k, depth", [(1, 3), (3, 4), (4, 4), (5, 4), (16, 4)])
def test_every_start_small_tree(k, depth):
    """Every insertion point of a small tree, natively and in circuit,
    against the reference tree (covers windows straddling every boundary)."""
    cc = compile_circuit(insert.Insert(k=k, depth=depth), cache=False)
    leaves = [91 + j for j in range(k)]
    for start in range((1 << depth) - k + 1):
        tree = _tree(start, depth)
        pub, prv = insert.build(tree, leaves, depth)
        assert pub.old_root == tree.root
        assert pub.new_root == _appended(tree, leaves).root
        assert insert.check(pub, prv, depth)
        assert cc.solve(insert.inputs(pub, prv)).public == pub.proof_values()


@pytest.mark.parametrize("start", [0, 1, 3, 13, 78])
def test_depth32_matches_reference(ins4, start):
    tree = _tree(start)
    leaves = [5, 6, 7, 8]
    pub, prv = insert.build(tree, leaves)
    assert pub.new_root == _appended(tree, leaves).root
    assert ins4.solve(insert.inputs(pub, prv)).public == pub.proof_values()


def test_near_the_end_of_the_tree(ins4):
    """start = 2^32 - 4 (the last 4 leaves) is accepted; the frontier of a
    tree that full comes from its left subtrees, here taken equal to the
    empty ones (the statement does not care what the left part holds)."""
    start = (1 << 32) - 4
    fr = insert.frontier(lambda h, i: insert.zero_hashes(32)[h], start)
    old, new = insert.roots(start, [1, 2, 3, 4], fr)
    assert old == MerkleTree(32).root  # an all-empty tree, seen from its end
    pub = insert.Insert(k=4).public(old_root=old, new_root=new, start=start, leaves=(1, 2, 3, 4))
    prv = insert.InsertPrivate(fr)
    assert ins4.solve(insert.inputs(pub, prv)).public == pub.proof_values()
    # one more and the leaves do not fit: refused natively and in circuit
    with pytest.raises(InputError, match="do not fit"):
        insert.roots(start + 1, [1, 2, 3, 4], fr)
    assert_unsat(ins4, insert.inputs(pub.replace(start=start + 1), prv), "index", lie=True)


def test_forged_roots_rejected(ins4):
    tree = _tree(5)
    pub, prv = insert.build(tree, [11, 12, 13, 14])
    for bad in (pub.replace(new_root=pub.new_root + 1), pub.replace(old_root=pub.old_root + 1)):
        assert_native_rejects(insert.check, bad, prv, "root")
        assert_unsat(ins4, insert.inputs(bad, prv))
    # the new root of another batch, or of the same batch elsewhere
    other, _ = insert.build(tree, [11, 12, 13, 15])
    assert_unsat(ins4, insert.inputs(pub.replace(new_root=other.new_root), prv))


def test_wrong_start_rejected(ins4):
    tree = _tree(6)
    leaves = [21, 22, 23, 24]
    pub, prv = insert.build(tree, leaves)
    for start in (5, 7, 8, 6 + (1 << 32)):
        bad = pub.replace(start=start)
        with pytest.raises(InputError):
            insert.check(bad, prv)
        assert_unsat(ins4, insert.inputs(bad, prv))


def test_overwriting_filled_leaves_rejected(ins4):
    """Claiming to append at 4 to a tree of 6 leaves (overwriting two) has no
    witness: the old root's tree must be empty from ``start`` on."""
    tree = _tree(6)
    fr = insert.frontier(tree._node, 4)
    old, new = insert.roots(4, [1, 2, 3, 4], fr)
    assert old != tree.root
    pub = insert.Insert(k=4).public(old_root=tree.root, new_root=new, start=4, leaves=(1, 2, 3, 4))
    assert_native_rejects(insert.check, pub, insert.InsertPrivate(fr), "old_root")
    assert_unsat(ins4, insert.inputs(pub, insert.InsertPrivate(fr)))


def test_wrong_leaf_order_rejected(ins4):
    tree = _tree(3)
    pub, prv = insert.build(tree, [31, 32, 33, 34])
    for leaves in ((32, 31, 33, 34), (31, 32, 34, 33), (34, 33, 32, 31), (31, 32, 33, 0)):
        bad = pub.replace(leaves=leaves)
        assert_native_rejects(insert.check, bad, prv, "new_root")
        assert_unsat(ins4, insert.inputs(bad, prv))


def test_tampered_frontier_rejected(ins4):
    tree = _tree(7)  # bits 0, 1, 2 set: frontier nodes 0..2 are used
    pub, prv = insert.build(tree, [1, 2, 3, 4])
    for h in range(3):
        fr = list(prv.frontier)
        fr[h] += 1
        assert_unsat(ins4, insert.inputs(pub, insert.InsertPrivate(tuple(fr))))
    # an unused frontier slot (bit 3 of 7 is 0) changes nothing
    fr = list(prv.frontier)
    fr[3] = 12345
    assert (
        ins4.solve(insert.inputs(pub, insert.InsertPrivate(tuple(fr)))).public == pub.proof_values()
    )


def test_padding_with_empty_leaves():
    """3 real leaves padded with a 0 give the root of appending the 3 alone:
    the contract advances its count by 3 and the next batch starts there."""
    tree = _tree(9)
    pub, _ = insert.build(tree, [41, 42, 43, 0])
    assert pub.new_root == _appended(tree, [41, 42, 43]).root
    nxt, _ = insert.build(_appended(tree, [41, 42, 43]), [44, 0, 0, 0])
    assert nxt.old_root == pub.new_root


def test_statement_layout_is_the_instances():
    """The public layout depends on k: asked of an instance; the class refuses."""
    pub, _ = insert.build(_tree(2), [1, 2, 3])
    assert pub.names() == ("old_root", "new_root", "start", "leaves")
    assert insert.Insert(k=3).decode(pub.values()) == pub
    with pytest.raises(InputError, match="has 6 public signals, expected 7"):
        insert.Insert(k=4).decode(pub.values())
    with pytest.raises(InputError, match="leaves: expected 4 values"):
        insert.Insert(k=4).public(old_root=1, new_root=2, start=0, leaves=[1, 2, 3])
    with pytest.raises(InputError, match="depends on the parameters"):
        insert.Insert.public(old_root=1, new_root=2, start=0, leaves=[1])


def test_bad_parameters():
    with pytest.raises(CircuitError):
        insert.Insert(k=0)
    with pytest.raises(CircuitError):
        insert.Insert(k=5, depth=2)
    with pytest.raises(CircuitError):
        insert.Insert(depth=65)


def test_shipped_example_is_current(ins4):
    """circuits/examples/insert.json: 4 leaves appended to a tree of 5."""
    import json
    from pathlib import Path

    stored = json.loads(
        (Path(__file__).resolve().parent.parent / "circuits/examples/insert.json").read_text()
    )
    pub, prv = insert.build(_tree(5), [11, 12, 13, 14])
    assert stored == {
        k: (str(v) if isinstance(v, int) else [str(x) for x in v])
        for k, v in insert.inputs(pub, prv).items()
    }
    assert ins4.solve(stored).public == pub.proof_values()


def test_frontier_tree_matches_reference():
    """Frontier (O(depth) memory) against the full reference tree: same
    root and the same witness after every append; full tree refused."""
    depth = 5
    ref, front = MerkleTree(depth), insert.Frontier(depth)
    assert front.root == ref.root
    for i in range(1 << depth):
        assert front.witness() == insert.frontier(ref._node, i, depth)
        ref.append(3 * i + 1)
        front.append(3 * i + 1)
        assert front.root == ref.root and len(front) == len(ref)
    with pytest.raises(InputError, match="full"):
        front.append(1)
    with pytest.raises(InputError, match="field element"):
        insert.Frontier(depth).append(-1)
    # from a stored tree; a full one has no insertion point
    part = _tree(20, depth)
    assert insert.Frontier.of(part._node, 20, depth).root == part.root
    with pytest.raises(InputError, match="insertion point"):
        insert.Frontier.of(ref._node, len(ref), depth)


def test_build_batch_chains_proofs():
    """11 leaves with k = 4: three statements, chained root to root, the last
    padded; together they give the reference tree's root."""
    depth = 6
    tree = _tree(3, depth)
    leaves = [70 + j for j in range(11)]
    stmts = insert.build_batch(tree, leaves, 4, depth)
    assert [p.start for p, _ in stmts] == [3, 7, 11]
    assert stmts[-1][0].leaves == (78, 79, 80, 0)
    assert stmts[0][0].old_root == tree.root
    for (a, _), (b, _) in itertools.pairwise(stmts):
        assert b.old_root == a.new_root
    assert stmts[-1][0].new_root == _appended(tree, leaves).root
    for pub, prv in stmts:
        assert insert.check(pub, prv, depth)
    front = insert.Frontier.of(tree._node, len(tree), depth)
    assert insert.build_batch(front, leaves, 4, depth) == stmts
    assert len(front) == 3  # unchanged
    with pytest.raises(InputError, match="no leaves"):
        insert.build_batch(tree, [], 4, depth)

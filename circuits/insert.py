"""``insert``: appending ``k`` leaves at index ``start`` to the Poseidon
Merkle tree with root ``old_root`` gives ``new_root``.

The tree is the venue's append-only tree (:mod:`zkats.gadgets.merkle`:
node ``Poseidon(left, right)``, empty leaf 0, depth 32 by default).  A
contract that stores only roots checks this proof instead of hashing on
chain; the leaves are public.

Statement (public, in this order: ``old_root, new_root, start,
leaves[0..k-1]``):

* ``0 <= start`` and ``start + k <= 2^depth`` (``start`` decomposed into
  ``depth`` bits: the bits are unique, the index range-checked);
* ``old_root`` is the root of a tree whose leaves ``>= start`` are all
  empty, with left subtrees ``frontier[h]`` (private: the left sibling of
  the insertion point at height ``h`` when bit ``h`` of ``start`` is 1,
  unused otherwise);
* ``new_root`` is the root of the same tree with ``leaves[j]`` at index
  ``start + j``, all leaves after them still empty.

So the contract must keep ``start`` equal to its leaf count; then the proof
says exactly "``new_root`` = ``old_root``'s tree with these leaves
appended".  A batch of fewer than ``k`` leaves is padded with zero leaves
(empty leaves hash like absent ones), and the contract advances its count
by the real number of leaves.

Cost: per level, the old root takes 2 selects and one Poseidon; the new
root is computed over a window of the nodes the new leaves touch (``k``
leaves at height 0, ``ceil((w + 1) / 2)`` nodes above a window of ``w``,
so 2 from height ``log2 k`` up), with one select per window slot.  Native
twin: :func:`roots` / :func:`check`.

A :class:`zkats.circuits._statement.Statement` whose public layout depends
on ``k``: ``Insert(k=4).public(old_root=..., new_root=..., start=...,
leaves=[...])`` (what :func:`build` returns), ``Insert(k=4).decode(values)``.
"""

from dataclasses import dataclass

from zkats.circuit import Private, Public, register
from zkats.errors import CircuitError, InputError
from zkats.field import R
from zkats.gadgets.bits import num2bits, range_check
from zkats.gadgets.merkle import zero_hashes
from zkats.gadgets.mux import select
from zkats.gadgets.poseidon_hash import poseidon, poseidon_plain

from ._statement import Statement, witness_inputs

#: default tree depth (the escrow's tree)
DEPTH = 32
MAX_K = 1024


def _check_params(k, depth):
    if not isinstance(depth, int) or not 1 <= depth <= 64:
        raise CircuitError(f"insert: depth must be 1..64, got {depth!r}")
    if not isinstance(k, int) or not 1 <= k <= min(MAX_K, 1 << depth):
        raise CircuitError(f"insert: k must be 1..{min(MAX_K, 1 << depth)}, got {k!r}")


@dataclass(frozen=True)
class InsertPrivate:
    frontier: tuple  # depth values: frontier[h] is used when bit h of start is 1

    def inputs(self):
        return {"frontier": list(self.frontier)}


# ------------------------------------------------------------ native twin
def _window_step(v, bit, left, zero):
    """One level of the new-root window (shared shape with the circuit):
    the slots shifted right by one behind ``left`` when ``bit`` is 1, else
    followed by the empty node; padded with the empty node to even length."""
    u = [left] + list(v) if bit else list(v) + [zero]
    if len(u) % 2:
        u.append(zero)
    return u


def _widths(k, depth):
    """Window width at each height 0..depth (truncated to the nodes that
    exist at that height)."""
    w = [k]
    for h in range(depth):
        w.append(min((w[-1] + 2) // 2, 1 << (depth - h - 1)))
    return w


def roots(start, leaves, frontier, depth=DEPTH):
    """``(old_root, new_root)`` the circuit computes for appending
    ``leaves`` at ``start`` with the left ``frontier`` (plain twin)."""
    k = len(leaves)
    _check_params(k, depth)
    if not 0 <= start or start + k > 1 << depth:
        raise InputError(f"insert: leaves {start}..{start + k - 1} do not fit a depth-{depth} tree")
    if len(frontier) != depth:
        raise InputError(f"insert: the frontier needs {depth} nodes, got {len(frontier)}")
    z = zero_hashes(depth)
    widths = _widths(k, depth)
    old = 0
    v = [int(x) % R for x in leaves]
    for h in range(depth):
        bit = (start >> h) & 1
        f = int(frontier[h]) % R
        old = poseidon_plain([f, old]) if bit else poseidon_plain([old, z[h]])
        u = _window_step(v, bit, f, z[h])
        v = [poseidon_plain([u[2 * j], u[2 * j + 1]]) for j in range(widths[h + 1])]
    return old, v[0]


def frontier(node, start, depth=DEPTH):
    """The private witness for inserting at ``start``: ``node(h, i)`` returns
    the tree's node at height ``h``, index ``i`` (``MerkleTree._node``,
    ``MerkleStore.node``); heights whose bit of ``start`` is 0 get 0."""
    return tuple(node(h, (start >> h) - 1) if (start >> h) & 1 else 0 for h in range(depth))


class Frontier:
    """An append-only tree kept as its left frontier, what a contract that
    appends would keep: the leaf count and, per height, the last complete
    left subtree (O(depth) memory at any depth; about 2 hashes per append,
    ``depth`` per root).  Gives the insert circuit's witness directly."""

    #: the root once the tree is full (set by the last append)
    full_root: int | None

    def __init__(self, depth=DEPTH, count=0, branch=None):
        _check_params(1, depth)
        if not 0 <= count <= (1 << depth) - 1:
            raise InputError(
                f"insert: a frontier of {count} leaves: need 0..2^{depth} - 1 (an insertion point)"
            )
        self.depth, self.count = depth, count
        self.branch = list(branch) if branch is not None else [0] * depth
        if len(self.branch) != depth:
            raise InputError(f"insert: the frontier needs {depth} nodes, got {len(self.branch)}")

    @classmethod
    def of(cls, node, count, depth=DEPTH):
        """The frontier of a stored tree of ``count`` leaves (``node(h, i)``
        as for :func:`frontier`)."""
        return cls(depth, count, frontier(node, count, depth))

    def __len__(self):
        return self.count

    def copy(self):
        out = Frontier(self.depth, 0, self.branch)
        out.count = self.count
        out.full_root = getattr(self, "full_root", None)
        return out

    def append(self, leaf):
        if not isinstance(leaf, int) or not 0 <= leaf < R:
            raise InputError("insert: a leaf must be a field element 0 <= leaf < r")
        if self.count >= 1 << self.depth:
            raise InputError(f"insert: the depth-{self.depth} tree is full")
        node, size = leaf, self.count + 1
        for h in range(self.depth):
            if size & 1:
                self.branch[h] = node
                break
            node = poseidon_plain([self.branch[h], node])
            size >>= 1
        else:
            self.full_root = node  # the last leaf: the whole tree is one subtree
        self.count += 1

    def witness(self):
        """The circuit's ``frontier`` for inserting at ``len(self)``."""
        return tuple(self.branch[h] if (self.count >> h) & 1 else 0 for h in range(self.depth))

    @property
    def root(self):
        if self.count == 1 << self.depth:
            return self.full_root
        z = zero_hashes(self.depth)
        node = 0
        for h in range(self.depth):
            if (self.count >> h) & 1:
                node = poseidon_plain([self.branch[h], node])
            else:
                node = poseidon_plain([node, z[h]])
        return node


def build(tree, leaves, depth=DEPTH):
    """(public, InsertPrivate) for appending ``leaves`` to ``tree`` (a
    :class:`Frontier` or a :class:`zkats.gadgets.merkle.MerkleTree` of
    ``depth``; left unchanged), for ``Insert(k=len(leaves), depth)``."""
    if tree.depth != depth:
        raise InputError(f"insert: the tree has depth {tree.depth}, the circuit {depth}")
    start = len(tree)
    fr = tree.witness() if isinstance(tree, Frontier) else frontier(tree._node, start, depth)
    old, new = roots(start, leaves, fr, depth)
    pub = Insert(k=len(leaves), depth=depth).public(
        old_root=old, new_root=new, start=start, leaves=[int(x) for x in leaves]
    )
    return pub, InsertPrivate(fr)


def build_batch(tree, leaves, k, depth=DEPTH):
    """The insert statements appending ``leaves`` (any number >= 1) to
    ``tree`` with the k-leaf circuit: chunks of k in order, the last padded
    with empty leaves; proof j starts from proof j-1's ``new_root`` and
    ``start + k``.  Returns [(public, InsertPrivate)]; ``tree`` is
    left unchanged (a Frontier is copied, a MerkleTree read once)."""
    leaves = [int(x) for x in leaves]
    if not leaves:
        raise InputError("insert: no leaves to append")
    front = tree.copy() if isinstance(tree, Frontier) else Frontier.of(tree._node, len(tree), depth)
    out = []
    for off in range(0, len(leaves), k):
        chunk = leaves[off : off + k]
        out.append(build(front, chunk + [0] * (k - len(chunk)), depth))
        for x in chunk:
            front.append(x)
    return out


def check(pub, prv, depth=None):
    """Raise InputError unless the statement holds for the witness (``depth``:
    the statement's unless given)."""
    depth = pub.statement.depth if depth is None else depth
    old, new = roots(pub.start, pub.leaves, prv.frontier, depth)
    if old != pub.old_root:
        raise InputError("insert: old_root is not the tree the frontier and start describe")
    if new != pub.new_root:
        raise InputError("insert: new_root is not old_root's tree with the leaves appended")
    return True


inputs = witness_inputs


# ---------------------------------------------------------------- circuit
@register("insert")
class Insert(Statement):
    """Appending k public leaves at index start turns old_root into new_root."""

    old_root = Public()
    new_root = Public()
    start = Public()
    leaves = Public(n="k")
    frontier = Private(n="depth")

    def __init__(self, k=4, depth=DEPTH):
        _check_params(k, depth)
        self.k = k
        self.depth = depth

    def define(self, api):
        k, depth = self.k, self.depth
        z = zero_hashes(depth)
        with api.scope("index"):
            bits = num2bits(api, self.start, depth)
            range_check(api, api.lc(self.start) + (k - 1), depth)
        widths = _widths(k, depth)
        old = api.constant(0)
        v = [api.lc(x) for x in self.leaves]
        for h in range(depth):
            b, f, zh = bits[h], self.frontier[h], api.constant(z[h])
            with api.scope("old_root"):
                # bit 1: Poseidon(frontier, node); bit 0: Poseidon(node, Z[h])
                old = poseidon(api, [select(api, b, f, old), select(api, b, old, zh)])
            with api.scope("new_root"):
                # only the slots the next window's parents read (the last
                # one is the empty node when the window is odd)
                slots = min(len(v) + 1, 2 * widths[h + 1])
                u = [
                    select(api, b, f if i == 0 else v[i - 1], v[i] if i < len(v) else zh)
                    for i in range(slots)
                ]
                u += [zh] * (2 * widths[h + 1] - slots)
                v = [poseidon(api, [u[2 * j], u[2 * j + 1]]) for j in range(widths[h + 1])]
        api.assert_equal(old, self.old_root)
        api.assert_equal(v[0], self.new_root)

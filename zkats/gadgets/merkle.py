"""Poseidon Merkle trees: an incremental tree out of circuit and the
in-circuit membership proof.

Node hash: ``Poseidon(left, right)``; empty leaves are 0, and the empty
subtree of height ``h`` hashes to ``Z[h]`` with ``Z[0] = 0``,
``Z[h+1] = Poseidon(Z[h], Z[h])``.  A path for leaf index ``i`` is the list
of sibling hashes from the leaf level up and the index bits (LSB first):
bit ``k`` is 1 when the running node is a right child at level ``k``.
"""

from functools import cache

from ..errors import InputError
from ..field import R
from .poseidon_hash import poseidon, poseidon_plain


@cache
def zero_hashes(depth):
    """``(Z[0], ..., Z[depth])`` for empty subtrees."""
    z = [0]
    for _ in range(depth):
        z.append(poseidon_plain([z[-1], z[-1]]))
    return tuple(z)


def merkle_root_plain(leaf, index, siblings):
    """Root reached from ``leaf`` at ``index`` with the sibling hashes (plain twin)."""
    node = leaf % R
    for k, sib in enumerate(siblings):
        if (index >> k) & 1:
            node = poseidon_plain([sib, node])
        else:
            node = poseidon_plain([node, sib])
    return node


class MerkleTree:
    """Append-only Poseidon Merkle tree of fixed depth (1..64).

    Stores every filled node (``levels[h]`` holds the non-empty nodes of
    height ``h``), so ``path(i)`` is O(depth).
    """

    def __init__(self, depth):
        if not isinstance(depth, int) or not 1 <= depth <= 64:
            raise InputError(f"Merkle tree depth must be 1..64, got {depth!r}")
        self.depth = depth
        self.zeros = zero_hashes(depth)
        self.levels: list[list[int]] = [[] for _ in range(depth + 1)]

    def __len__(self):
        return len(self.levels[0])

    def append(self, leaf):
        """Insert ``leaf`` (a field element) at the next index; return the index."""
        if not isinstance(leaf, int) or not 0 <= leaf < R:
            raise InputError("Merkle leaf must be a field element 0 <= leaf < r")
        index = len(self.levels[0])
        if index >= 1 << self.depth:
            raise InputError(f"Merkle tree of depth {self.depth} is full")
        self.levels[0].append(leaf)
        i, node = index, leaf
        for h in range(self.depth):
            sib = self._node(h, i ^ 1)
            node = poseidon_plain([sib, node]) if i & 1 else poseidon_plain([node, sib])
            i >>= 1
            lvl = self.levels[h + 1]
            if i < len(lvl):
                lvl[i] = node
            else:
                lvl.append(node)
        return index

    def _node(self, h, i):
        lvl = self.levels[h]
        return lvl[i] if i < len(lvl) else self.zeros[h]

    @property
    def root(self):
        return self._node(self.depth, 0)

    def path(self, index):
        """``(siblings, index_bits)`` for the leaf at ``index``."""
        if not 0 <= index < len(self):
            raise InputError(f"Merkle leaf index {index} out of range (size {len(self)})")
        sibs = [self._node(h, (index >> h) ^ 1) for h in range(self.depth)]
        bits = [(index >> h) & 1 for h in range(self.depth)]
        return sibs, bits

    def leaf(self, index):
        return self.levels[0][index]


# --------------------------------------------------------------- in-circuit
def merkle_root(api, leaf, siblings, bits):
    """The root reached from ``leaf`` with ``siblings`` (leaf level first) and
    path ``bits`` (LSB first, 1 = the running node is the right child).

    Each bit is constrained boolean (1) and orders the pair with one product
    (1); then Poseidon(2) (240): 242 constraints per level.
    Preconditions: ``len(bits) == len(siblings)``.
    """
    siblings, bits = list(siblings), list(bits)
    if len(bits) != len(siblings):
        raise InputError("merkle_root: need one path bit per sibling")
    node = api.lc(leaf)
    with api.scope("merkle"):
        for sib, b in zip(siblings, bits):
            api.assert_bool(b)
            diff = api.mul(b, api.lc(sib) - node)
            node = poseidon(api, [node + diff, api.lc(sib) - diff])
    return node


def assert_merkle_membership(api, root, leaf, siblings, bits):
    """Constrain ``leaf`` to be in the tree with ``root`` at the index the bits spell."""
    api.assert_equal(merkle_root(api, leaf, siblings, bits), root)

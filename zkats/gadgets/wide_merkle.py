"""Wide Poseidon Merkle trees: every inner node hashes ``arity`` children
(``arity`` a power of two, at most 16: one Poseidon permutation per node).

A tree of ``levels`` levels holds exactly ``arity**levels`` leaves (the
caller pads).  Leaf ``i`` sits at digit ``(i >> (h * log2(arity))) %
arity`` of level ``h`` (leaf level first).  A path is, per level, the
node's full row of ``arity`` children (its own position included: the
circuit overwrites it with the running node, so what stands there is
ignored) and the index as bits, LSB first.

Per level a membership proof costs one Poseidon of ``arity`` inputs plus
``arity + (arity - 2)`` products and ``log2(arity)`` booleans: for arity 8,
about 420 constraints against 3 x 242 for three binary levels, so an
opening in a 64-leaf tree costs 2 levels (about 840) instead of 6 (1,452).
"""

from ..errors import InputError
from ..field import R
from .poseidon_hash import poseidon, poseidon_plain


def _log2(arity):
    if not isinstance(arity, int) or arity < 2 or arity > 16 or arity & (arity - 1):
        raise InputError(f"wide Merkle tree: arity must be a power of two in 2..16, got {arity!r}")
    return arity.bit_length() - 1


class WideMerkleTree:
    """A full tree of ``arity**levels`` leaves (field elements), built at once."""

    def __init__(self, leaves, arity, levels):
        self.arity, self.levels = arity, levels
        self.log_arity = _log2(arity)
        if not isinstance(levels, int) or not 1 <= levels <= 8:
            raise InputError(f"wide Merkle tree: levels must be 1..8, got {levels!r}")
        leaves = list(leaves)
        if len(leaves) != arity**levels:
            raise InputError(
                f"wide Merkle tree: need exactly {arity**levels} leaves, got {len(leaves)}"
            )
        for x in leaves:
            if not isinstance(x, int) or not 0 <= x < R:
                raise InputError("wide Merkle tree: a leaf must be a field element 0 <= x < r")
        self.rows = [leaves]
        while len(self.rows[-1]) > 1:
            below = self.rows[-1]
            self.rows.append(
                [poseidon_plain(below[i : i + arity]) for i in range(0, len(below), arity)]
            )

    def __len__(self):
        return len(self.rows[0])

    @property
    def root(self):
        return self.rows[-1][0]

    def path(self, index):
        """``(children, bits)``: per level the row of ``arity`` children the
        running node belongs to, and the index bits (LSB first)."""
        if not isinstance(index, int) or not 0 <= index < len(self):
            raise InputError(
                f"wide Merkle tree: leaf index {index!r} out of range 0..{len(self) - 1}"
            )
        children = []
        i = index
        for h in range(self.levels):
            start = (i // self.arity) * self.arity
            children.append(list(self.rows[h][start : start + self.arity]))
            i //= self.arity
        bits = [(index >> k) & 1 for k in range(self.levels * self.log_arity)]
        return children, bits


def wide_root_plain(leaf, children, bits, arity):
    """The root reached from ``leaf`` by a path (the plain twin of :func:`wide_root`)."""
    lb = _log2(arity)
    node = leaf % R
    for h, row in enumerate(children):
        digit = sum(b << k for k, b in enumerate(bits[h * lb : (h + 1) * lb]))
        row = list(row)
        row[digit] = node
        node = poseidon_plain(row)
    return node


# --------------------------------------------------------------- in-circuit
def _one_hot(api, bits):
    """``[index == i for i < 2^len(bits)]`` of the booleans ``bits`` (LSB
    first), as products: ``2^len(bits) - 2`` constraints (the first bit is
    linear)."""
    sel = [api.constant(1)]
    for k, b in enumerate(bits):
        if k == 0:
            sel = [1 - api.lc(b), api.lc(b)]
            continue
        high = [api.mul(s, b) for s in sel]
        sel = [s - h for s, h in zip(sel, high)] + high
    return sel


def wide_root(api, leaf, children, bits, arity):
    """The root reached from ``leaf`` with, per level, its row of ``arity``
    ``children`` (the running node's own position is overwritten) and the
    index ``bits`` (LSB first, ``log2(arity)`` per level), each constrained
    boolean.  Preconditions: ``len(bits) == len(children) * log2(arity)``
    and every row has ``arity`` entries."""
    lb = _log2(arity)
    children, bits = [list(r) for r in children], list(bits)
    if len(bits) != len(children) * lb or any(len(r) != arity for r in children):
        raise InputError(f"wide_root: need {lb} bits and {arity} children per level")
    node = api.lc(leaf)
    with api.scope("wide_merkle"):
        for h, row in enumerate(children):
            digit = bits[h * lb : (h + 1) * lb]
            for b in digit:
                api.assert_bool(b)
            sel = _one_hot(api, digit)
            kids = [api.lc(c) + api.mul(s, node - c) for s, c in zip(sel, row)]
            node = poseidon(api, kids)
    return node


def assert_wide_membership(api, root, leaf, children, bits, arity):
    """Constrain ``leaf`` to be the leaf of the tree with ``root`` at the index ``bits`` spell."""
    api.assert_equal(wide_root(api, leaf, children, bits, arity), root)

"""An append-only Poseidon Merkle tree persisted in the ledger's SQLite file.

The tree has a fixed ``depth``; leaves are appended left to right.  Level 0
holds the leaves, level ``depth`` the root.  Every non-empty node is stored
in the table ``merkle_nodes(level, idx, value)``; an absent node equals the
empty subtree of its level: ``zero[0] = ZERO_LEAF`` and
``zero[l + 1] = H(zero[l], zero[l])``.  ``H(left, right)`` is two-input
Poseidon (circomlib's parameters, :func:`zkats.gadgets.poseidon_plain`, computed
natively by :mod:`zkats.domain.fast_hash`), the hash the venue's membership
circuits use; each level's new parents are hashed in one native call.

Appending ``k`` leaves to a tree of ``n`` leaves recomputes only the nodes
above the new leaves: about ``2k + depth`` hashes, and reads the stored
neighbours of the changed range (at most two a level) in one query.

All methods use the connection they are given and never commit: the caller
(:mod:`zkats.venue.ledger`) owns the transaction, so a batch's leaves, nodes
and root are written atomically with everything else.
"""

from ..errors import LedgerError

#: value of an empty leaf
ZERO_LEAF = 0

SCHEMA = """
CREATE TABLE merkle_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    value TEXT    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
"""


def default_hash2():
    """Two-input Poseidon through the native core (:mod:`zkats.domain.fast_hash`,
    equal to :func:`zkats.gadgets.poseidon_plain`), with a batched ``.many``."""
    from ..domain.fast_hash import hash2

    return hash2


def zero_hashes(depth, hash2):
    zs = [ZERO_LEAF]
    for _ in range(depth):
        zs.append(hash2(zs[-1], zs[-1]))
    return zs


class MerkleStore:
    """The tree over ``conn`` (an open sqlite3 connection with the schema).

    ``hash2(a, b) -> int`` defaults to two-input Poseidon.  ``n_leaves`` must
    be supplied by the caller (the ledger keeps it with the notes).
    """

    def __init__(self, conn, depth, hash2=None):
        if not 1 <= depth <= 40:
            raise LedgerError(f"merkle depth {depth} out of range 1..40")
        self.conn = conn
        self.depth = depth
        self.hash2 = hash2 or default_hash2()
        self.hash_many = getattr(self.hash2, "many", None)
        self._zeros = None

    @property
    def zeros(self):
        if self._zeros is None:
            self._zeros = zero_hashes(self.depth, self.hash2)
        return self._zeros

    def capacity(self):
        return 1 << self.depth

    def node(self, level, idx):
        row = self.conn.execute(
            "SELECT value FROM merkle_nodes WHERE level = ? AND idx = ?", (level, idx)
        ).fetchone()
        return int(row[0]) if row else self.zeros[level]

    def root(self):
        return self.node(self.depth, 0)

    def append_many(self, n_leaves, leaves):
        """Append ``leaves`` after the first ``n_leaves``; return the new root.

        Precondition: the caller holds a write transaction.
        """
        leaves = [int(x) for x in leaves]
        if not leaves:
            return self.root()
        if n_leaves + len(leaves) > self.capacity():
            raise LedgerError(f"merkle tree full ({self.capacity()} leaves)")
        level_vals = {n_leaves + i: v for i, v in enumerate(leaves)}
        writes = [(0, i, str(v)) for i, v in level_vals.items()]
        lo, hi = n_leaves, n_leaves + len(leaves) - 1
        stored = self._siblings(lo, hi)
        for level in range(self.depth):
            plo, phi = lo >> 1, hi >> 1
            pairs = []
            for p in range(plo, phi + 1):
                l_idx, r_idx = 2 * p, 2 * p + 1
                left = level_vals[l_idx] if l_idx in level_vals else stored[level, l_idx]
                right = level_vals[r_idx] if r_idx in level_vals else stored[level, r_idx]
                pairs.append((left, right))
            hashed = (
                self.hash_many(pairs)
                if self.hash_many is not None
                else [self.hash2(a, b) for a, b in pairs]
            )
            parents = dict(zip(range(plo, phi + 1), hashed))
            writes.extend((level + 1, p, str(v)) for p, v in parents.items())
            level_vals, lo, hi = parents, plo, phi
        upsert = "ON CONFLICT(level, idx) DO UPDATE SET value = excluded.value"
        defer = getattr(self.conn, "defer_many", None)
        if defer is not None:  # the ledger's connection: one statement with the batch's rows
            defer("merkle_nodes", ("level", "idx", "value"), writes, upsert)
        else:
            self.conn.executemany(
                f"INSERT INTO merkle_nodes(level, idx, value) VALUES (?, ?, ?) {upsert}", writes
            )
        return level_vals[0]

    def _siblings(self, lo, hi):
        """{(level, idx): value} of the stored nodes an append of leaves lo..hi
        reads (at most the left and right neighbour of the changed range on each
        level), fetched in one query; absent nodes are the empty subtrees."""
        want = {}
        for level in range(self.depth):
            plo, phi = lo >> 1, hi >> 1
            for idx in (2 * plo, 2 * phi + 1):
                if not lo <= idx <= hi:
                    want[level, idx] = self.zeros[level]
            lo, hi = plo, phi
        if want:
            cond = " OR ".join("(level = ? AND idx = ?)" for _ in want)
            args = [v for key in want for v in key]
            for level, idx, value in self.conn.execute(
                f"SELECT level, idx, value FROM merkle_nodes WHERE {cond}", args
            ):
                want[level, idx] = int(value)
        return want

    def path(self, index, n_leaves):
        """Authentication path of leaf ``index``: (siblings bottom-up, index bits)."""
        if not 0 <= index < n_leaves:
            raise LedgerError(f"leaf index {index} not in the tree ({n_leaves} leaves)")
        siblings, bits = [], []
        i = index
        for level in range(self.depth):
            siblings.append(self.node(level, i ^ 1))
            bits.append(i & 1)
            i >>= 1
        return siblings, bits


def root_from_path(leaf, siblings, bits, hash2):
    """Recompute a root from a leaf and its path (reference for tests and clients)."""
    h = leaf
    for s, b in zip(siblings, bits):
        h = hash2(s, h) if b else hash2(h, s)
    return h

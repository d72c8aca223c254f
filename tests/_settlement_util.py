"""Test doubles and batch builders for the ledger/settlement tests.

Everything here is a TEST DOUBLE: ``StubVerifier`` accepts every proof whose
``pi_c`` is not the point at infinity (so a test marks a proof "bad" by
setting ``c=None``), ``StubNetting`` accepts a netting proof iff ``s == 1``
and ``fast_hash2`` replaces Poseidon in the Merkle tree to keep tests fast.
None of it is used by the library.
"""

import hashlib

from zkats.circuits._statement import carried_hash
from zkats.circuits.liquidate import taken_signals
from zkats.domain import units
from zkats.domain.note_cipher import N_CT
from zkats.domain.operator_key import OperatorKey
from zkats.domain.oracle_key import OracleKey
from zkats.field import R
from zkats.groth16.data_structures import Proof
from zkats.venue import batch as B
from zkats.venue.merkle_store import zero_hashes
from zkats.venue.settlement import NettingVerifier, ProofVerifier, SettlementService

DEPTH = 8
G1 = (1, 2)  # the BN254 G1 generator: on the curve
GOOD = Proof(a=G1, b=None, c=G1)
BAD = Proof(a=G1, b=None, c=None)
EPOCH1 = 1111
ASSET = 7
#: the test oracle (a deterministic key: tests only); ``service`` registers it
ORACLE = OracleKey.from_seed(b"settlement tests")
#: the test operator (a deterministic key: tests only)
OPERATOR = OperatorKey.from_seed(b"settlement tests")


def publish(target, epoch_id, data_hash, deadline, key=ORACLE, **kw):
    """Publish an epoch on a service or ledger, signed by ``key`` (the test oracle)."""
    sig = key.sign_epoch(epoch_id, data_hash, deadline)
    return target.publish_epoch(epoch_id, data_hash, deadline, sig, **kw)


def fast_hash2(a, b):
    """Stand-in for Poseidon(a, b) (test double: SHA-256 reduced mod r)."""
    d = hashlib.sha256(a.to_bytes(32, "big") + b.to_bytes(32, "big")).digest()
    return int.from_bytes(d, "big") % R


GENESIS = zero_hashes(DEPTH, fast_hash2)[DEPTH]


class StubVerifier(ProofVerifier):
    """TEST DOUBLE for Groth16: a proof 'verifies' iff its pi_c is not infinity."""

    def __init__(self):
        self.calls = []

    def failures(self, circuit, pairs):
        self.calls.append((circuit, len(pairs)))
        return [i for i, (_, proof) in enumerate(pairs) if proof.c is None]


class StubNetting(NettingVerifier):
    """TEST DOUBLE for the Schnorr netting check: balanced iff s == 1."""

    def verify(self, points, proof):
        return proof.s == 1


def service(path, clock=None, depth=DEPTH, require_open_orders=False, **kw):
    """A service with the test doubles.  Orders need not be opened first
    (``require_open_orders=False``) unless a test is about that rule."""
    return SettlementService(
        path,
        verifier=StubVerifier(),
        netting=StubNetting(),
        depth=depth,
        hash2=fast_hash2,
        clock=clock or (lambda: 10_000),
        require_open_orders=require_open_orders,
        **{"oracle_key": ORACLE.pub, **kw},
    )


def order(point, now=10_000):
    """An order item opening the order commitment ``point``."""
    return B.Item("order", {"order": _bundle("order", [point[0], point[1], now])})


def ct_words(commitment):
    """A stand-in note ciphertext for ``commitment`` (the stub verifier
    accepts any signals; the real circuits constrain it)."""
    return [(commitment * 7 + k) % R for k in range(N_CT)]


def ct(commitment):
    """The tail of a record whose statement carries the ciphertext: its
    public hash, then the words (:func:`ct_words`)."""
    words = ct_words(commitment)
    return [carried_hash("ciphertext", words), *words]


def cancel(point, proof=GOOD):
    """A cancel item consuming the order commitment ``point``."""
    return B.Item("cancel", {"cancel": _bundle("cancel", [point[0], point[1]], proof)})


def _bundle(circuit, public, proof=GOOD):
    return B.ProofBundle(circuit=circuit, public=tuple(public), proof=proof)


def deposit(commitment, account, amount, asset=ASSET, proof=GOOD, nullifier=None, root=None):
    """Signals: root, nullifier, commitment, account, asset, amount (deposit's layout)."""
    root = GENESIS if root is None else root
    nullifier = 10**12 + commitment if nullifier is None else nullifier
    return B.Item(
        "deposit",
        {
            "deposit": _bundle(
                "deposit",
                [root, nullifier, commitment, account, asset, amount, *ct(commitment)],
                proof,
            )
        },
    )


def withdraw(
    nullifier,
    commitment,
    account,
    amount,
    asset=ASSET,
    root=None,
    epoch=EPOCH1,
    epoch_id=1,
    recipient=77,
):
    root = GENESIS if root is None else root
    return B.Item(
        "withdraw",
        {
            "withdraw": _bundle(
                "withdraw",
                # the withdraw statement does not reveal the account
                [root, nullifier, commitment, asset, amount, recipient, epoch_id, epoch]
                + ct(commitment),
            )
        },
    )


INSTRUMENT = 5


def trade(
    tid,
    nul_a,
    com_a,
    nul_b,
    com_b,
    root=None,
    epoch=EPOCH1,
    epoch_id=1,
    balanced=True,
    bad_role=None,
    leg_b_tag=None,
    now=10_000,
    legs=None,
    netting=None,
    orders=None,
    reveal_price=0,
    price=0,
    fee=0,
):
    """A trade item in the match/transition layouts; ``tid`` makes its order,
    remainder and (by default) leg points unique.  With the stub netting the
    legs can be any pairs; pass real ``legs`` and ``netting`` for the real one."""
    root = GENESIS if root is None else root
    pr = {r: (BAD if r == bad_role else GOOD) for r in ("match", "leg_a", "leg_b")}
    leg_a, leg_b = legs if legs is not None else ((tid, 5), (tid, 6))
    order_a, order_b = orders if orders is not None else ((tid, 1), (tid, 2))
    tag_a, tag_b = 10 * tid + 1, 10 * tid + 2
    match = [
        INSTRUMENT,
        now,
        reveal_price,
        price,
        *order_a,
        *order_b,
        tid,
        3,
        tid,
        4,
        *leg_a,
        *leg_b,
        tag_a,
        tag_b,
    ]
    ta = [root, nul_a, com_a, INSTRUMENT, *leg_a, tag_a, epoch_id, epoch, fee, *ct(com_a)]
    tb = [
        root,
        nul_b,
        com_b,
        INSTRUMENT,
        *leg_b,
        tag_b if leg_b_tag is None else leg_b_tag,
        epoch_id,
        epoch,
        fee,
        *ct(com_b),
    ]
    if netting is None:
        netting = B.NettingProof(R=(3, 4), s=1 if balanced else 2)
    return B.Item(
        "trade",
        {
            "match": _bundle("match", match, pr["match"]),
            "leg_a": _bundle("transition", ta, pr["leg_a"]),
            "leg_b": _bundle("transition", tb, pr["leg_b"]),
        },
        netting=netting,
    )


def health(account, epoch=EPOCH1, epoch_id=1, root=None, nullifier=None):
    root = GENESIS if root is None else root
    nullifier = 5 * 10**12 + account if nullifier is None else nullifier
    return B.Item(
        "health", {"health": _bundle("health", [root, nullifier, account, epoch_id, epoch])}
    )


# a liquidation whose positions were all zero: nothing for the backstop
_NOTHING_TAKEN = [v for vec in taken_signals([(0, 0, 0)] * units.N_SLOTS).values() for v in vec]


def liquidate(
    nullifier, commitment, account, epoch=EPOCH1, epoch_id=1, root=None, penalty=0, shortfall=0
):
    root = GENESIS if root is None else root
    return B.Item(
        "liquidate",
        {
            "liquidate": _bundle(
                "liquidate",
                [root, nullifier, commitment, account, epoch_id, epoch, penalty, shortfall]
                + _NOTHING_TAKEN
                + ct_words(commitment),
            )
        },
    )


def genesis(depth):
    return zero_hashes(depth, fast_hash2)[depth]


def scenario_batch(k, n_trades=4, depth=DEPTH):
    """Batch number ``k`` of a deterministic sequence: unique values per k.

    Two deposits, ``n_trades`` trades and one withdrawal; returns
    (batch, n_notes, n_nullifiers).
    """
    base = 10_000 * (k + 1)
    g = genesis(depth)
    items = [deposit(base + 1, 900 + k, 50, root=g), deposit(base + 2, 901 + k, 70, root=g)]
    for t in range(n_trades):
        o = base + 100 + 10 * t
        items.append(trade(o, o + 1, o + 2, o + 3, o + 4, root=g))
    items.append(withdraw(base + 500, base + 501, 900 + k, 20, root=g))
    return B.Batch(items), 2 + 2 * n_trades + 1, 2 + 2 * n_trades + 1


def ledger_snapshot(svc):
    """(file digest after a TRUNCATE checkpoint, SQL dump) of a service's ledger."""
    from zkats.venue.ledger import file_digest

    svc.ledger.checkpoint()
    return file_digest(svc.ledger.path), svc.ledger.dump()


def check_consistency(ledger, hash2=fast_hash2):
    """Invariants every committed state satisfies; returns the notes count."""
    c = ledger.conn
    assert [r[0] for r in c.execute("PRAGMA integrity_check")] == ["ok"]
    assert list(c.execute("PRAGMA foreign_key_check")) == []
    notes = ledger.notes()
    assert [i for i, _ in notes] == list(range(len(notes))), "leaf indices not contiguous"
    # recompute the root history from the notes, incrementally
    zs = zero_hashes(ledger.depth, hash2)
    history = ledger.root_history()
    assert history[0][1] == zs[ledger.depth] and history[0][2] == 0
    tree = _IncrementalTree(ledger.depth, hash2, zs)
    for seq, root, n, _ in history:
        assert n >= len(tree.leaves), "root history leaf counts decrease"
        for _, v in notes[len(tree.leaves) : n]:
            tree.append(v)
        assert root == tree.root(), f"root {seq} does not match its notes"
    assert history[-1][2] == len(notes)
    assert ledger.current_root() == history[-1][1]
    # every batch has a root row, and its notes/nullifiers reference it
    nb = c.execute("SELECT COUNT(*) FROM batches").fetchone()[0]
    assert len(history) == nb + 1
    return len(notes)


def _root_of(leaves, depth, hash2, zs):
    level = list(leaves)
    for h in range(depth):
        if len(level) % 2:
            level.append(zs[h])
        level = [hash2(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        if not level:
            level = [zs[h + 1]]
    return level[0] if level else zs[depth]


class _IncrementalTree:
    """Independent in-memory tree (plain dict of nodes) for consistency checks."""

    def __init__(self, depth, hash2, zs):
        self.depth, self.hash2, self.zs = depth, hash2, zs
        self.nodes = {}
        self.leaves = []

    def append(self, v):
        i = len(self.leaves)
        self.leaves.append(v)
        self.nodes[(0, i)] = v
        for h in range(self.depth):
            left = self.nodes.get((h, i & ~1), self.zs[h])
            right = self.nodes.get((h, i | 1), self.zs[h])
            i >>= 1
            self.nodes[(h + 1, i)] = self.hash2(left, right)

    def root(self):
        return self.nodes.get((self.depth, 0), self.zs[self.depth])

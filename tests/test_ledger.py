"""The ledger file: pragmas, schema versioning and migrations, the persisted
Merkle tree (against an independent in-memory computation and H4's Poseidon
tree), epochs bookkeeping."""

import random
import sqlite3

import pytest

from _settlement_util import DEPTH, _root_of, fast_hash2
from zkats.errors import LedgerError
from zkats.venue import ledger as L
from zkats.venue.merkle_store import MerkleStore, root_from_path, zero_hashes


def test_pragmas_and_schema(tmp_path):
    p = tmp_path / "l.db"
    with L.Ledger(p, depth=DEPTH, hash2=fast_hash2) as led:
        c = led.conn
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert L.schema_version(c) == L.SCHEMA_VERSION
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {
            "schema_version",
            "meta",
            "batches",
            "notes",
            "merkle_nodes",
            "roots",
            "nullifiers",
            "accounts",
            "escrow",
            "escrow_moves",
            "oracle_epochs",
            "trades",
            "health_proofs",
            "liquidatable",
        } <= tables
        assert led.root_history() == [(0, zero_hashes(DEPTH, fast_hash2)[DEPTH], 0, None)]
    # reopening keeps the depth; a conflicting depth is refused
    with L.Ledger(p, hash2=fast_hash2) as led:
        assert led.depth == DEPTH
    with pytest.raises(LedgerError, match=f"tree depth is {DEPTH}, not 9"):
        L.Ledger(p, depth=9, hash2=fast_hash2)


def test_default_depth_is_the_circuits():
    from zkats.venue import units

    assert L.DEFAULT_DEPTH == units.TREE_DEPTH


@pytest.mark.parametrize("start", [1, 2, 3])
def test_migration_from_older_versions(tmp_path, start):
    p = tmp_path / "old.db"
    conn = L.connect(p)
    L.migrate(conn, target=start)
    assert L.schema_version(conn) == start
    conn.close()
    with L.Ledger(p, depth=DEPTH, hash2=fast_hash2) as led:
        assert L.schema_version(led.conn) == L.SCHEMA_VERSION
        cols = {r[1] for r in led.conn.execute("PRAGMA table_info(trades)")}
        assert {"instrument", "price", "matched_at"} <= cols
        assert led.order_consumed((1, 2)) is False


def test_migration_from_version_1(tmp_path):
    p = tmp_path / "old.db"
    conn = L.connect(p)
    L.migrate(conn, target=1)
    assert L.schema_version(conn) == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "notes" in tables and "oracle_epochs" not in tables
    conn.close()
    with L.Ledger(p, depth=DEPTH, hash2=fast_hash2) as led:
        assert L.schema_version(led.conn) == L.SCHEMA_VERSION
        led.publish_epoch(1, 5, deadline=10, now=0)
    # migrating twice is a no-op
    conn = L.connect(p)
    L.migrate(conn)
    assert L.schema_version(conn) == L.SCHEMA_VERSION
    conn.close()


def test_newer_schema_refused(tmp_path):
    p = tmp_path / "new.db"
    L.Ledger(p, depth=DEPTH, hash2=fast_hash2).close()
    conn = sqlite3.connect(p)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerError, match="schema version 99 is newer"):
        L.Ledger(p)


def test_not_a_database(tmp_path):
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LedgerError, match="junk.db: not a usable ledger database"):
        L.Ledger(p)


@pytest.mark.parametrize("seed", range(3))
def test_merkle_store_batches(tmp_path, seed):
    rnd = random.Random(seed)
    led = L.Ledger(tmp_path / "m.db", depth=DEPTH, hash2=fast_hash2)
    tree = MerkleStore(led.conn, DEPTH, fast_hash2)
    zs = zero_hashes(DEPTH, fast_hash2)
    leaves = []
    for size in [1, 0, 2, 3, 1, 7, 16, 5, 1]:
        new = [rnd.randrange(1 << 253) for _ in range(size)]
        with led.write():
            root = tree.append_many(len(leaves), new)
        leaves += new
        assert root == tree.root() == _root_of(leaves, DEPTH, fast_hash2, zs)
    for i in rnd.sample(range(len(leaves)), 8) + [0, len(leaves) - 1]:
        sib, bits = tree.path(i, len(leaves))
        assert root_from_path(leaves[i], sib, bits, fast_hash2) == tree.root()
    with pytest.raises(LedgerError, match="not in the tree"):
        tree.path(len(leaves), len(leaves))
    led.close()


def test_merkle_store_full(tmp_path):
    led = L.Ledger(tmp_path / "m.db", depth=2, hash2=fast_hash2)
    tree = MerkleStore(led.conn, 2, fast_hash2)
    with led.write():
        tree.append_many(0, [1, 2, 3])
        with pytest.raises(LedgerError, match="full"):
            tree.append_many(3, [4, 5])
    led.close()


def test_merkle_store_real_poseidon_matches_gadget_tree(tmp_path):
    """Default hash = circomlib Poseidon; same roots and paths as zkats.gadgets.merkle."""
    from zkats.gadgets.merkle import MerkleTree, merkle_root_plain

    led = L.Ledger(tmp_path / "p.db", depth=6)
    tree = MerkleStore(led.conn, 6)
    ref = MerkleTree(6)
    leaves = [3, 1, 4, 1 << 200, 5, 9, 2]
    n = 0
    for chunk in ([3], [1, 4], [1 << 200, 5, 9, 2]):
        with led.write():
            root = tree.append_many(n, chunk)
        n += len(chunk)
        for v in chunk:
            ref.append(v)
        assert root == ref.root
    for i, v in enumerate(leaves):
        sib, bits = tree.path(i, n)
        assert merkle_root_plain(v, i, sib) == ref.root
    led.close()


def test_epochs(tmp_path):
    with L.Ledger(tmp_path / "e.db", depth=DEPTH, hash2=fast_hash2) as led:
        assert led.latest_epoch() is None
        led.publish_epoch(3, 333, deadline=50, now=10)
        with pytest.raises(LedgerError, match="data hash already published"):
            led.publish_epoch(4, 333, deadline=60, now=10)
        with pytest.raises(LedgerError, match="not after the latest"):
            led.publish_epoch(3, 444, deadline=60, now=10)
        assert led.epoch_by_hash(333) == (3, 50, None)
        with pytest.raises(LedgerError, match="unknown"):
            led.close_epoch(9, now=100)
        assert led.close_epoch(3, now=100) == []  # no accounts yet
        assert led.epoch_by_hash(333)[2] == 100

"""The settlement ledger: one SQLite file (standard library ``sqlite3``).

Durability and isolation come from SQLite itself:

* WAL journal (``journal_mode=WAL``) with ``synchronous=FULL``: a commit is
  on disk (WAL fsynced) before :meth:`Ledger.write` returns; a process killed
  at any point leaves either the whole transaction or none of it.
* every write happens inside :meth:`Ledger.write`, a ``BEGIN IMMEDIATE``
  transaction: it takes the database's single write lock up front, so
  everything checked inside it stays true until ``COMMIT`` (other processes
  wait, up to ``busy_timeout``).  Uniqueness (nullifiers, note commitments,
  leaf indices, health proofs) is also declared in the schema, as a backstop.

Schema (version :data:`SCHEMA_VERSION`; ``schema_version`` holds the version
of the file; :data:`MIGRATIONS` upgrades older files in order, each step in
its own transaction):

=================  ===========================================================
table              rows
=================  ===========================================================
meta               key/value settings fixed at creation (tree depth, the
                   oracle's public key ``oracle_key`` = "x,y")
batches            one per applied batch: id, digest, item count, time, root
notes              note commitments (unique) by leaf index, with their batch
merkle_nodes       the Poseidon tree's non-empty nodes (see merkle_store)
roots              root history: seq, root, leaf count, batch (NULL: genesis)
nullifiers         spent nullifiers (primary key), with their batch and item
accounts           public account ids registered by deposits
escrow             public escrow balance per asset (decimal text, >= 0)
escrow_moves       every deposit (+) and withdrawal (-, with its recipient)
oracle_epochs      epoch id, data hash (the circuits' public input), deadline,
                   the oracle's signature (JSON ``[[R8x, R8y], S]``)
trades             settled trades: id = leg_a commitment "x,y" (unique), epoch,
                   instrument, published price (NULL if hidden), match time
consumed_orders    order commitments "x,y" a match consumed (never matched again;
                   the remainder commitment is a new order)
open_orders        order commitments a match may consume: from an ``order``
                   proof (signed) or a match's remainder
health_proofs      (epoch, account) proved healthy, with batch and time
liquidatable       (epoch, account) that missed the deadline; liquidated_batch
funds              the venue's public balances: ``fee`` and ``insurance``
fund_moves         every change to a fund, with its batch and item (or operation)
=================  ===========================================================

Every SQL statement of the venue is in this module: the settlement service
(:mod:`zkats.venue.settlement`) reads through the query methods and writes
through the ``record_*``/``append_*`` methods below, inside one
:meth:`Ledger.write` transaction per batch.

Field elements are stored as canonical decimal text (as snarkjs writes them).
"""

import os
import sqlite3
import time
from contextlib import contextmanager

from ..errors import InputError, LedgerError
from . import merkle_store

#: default depth of the note tree: the circuits' ``units.TREE_DEPTH`` (2^16 notes)
DEFAULT_DEPTH = 16
DEFAULT_BUSY_TIMEOUT = 60.0


# --------------------------------------------------------------------------
# migrations: (version, function(conn)); never edit a released step, append
# --------------------------------------------------------------------------


def _script(conn, sql):
    """Run ``;``-separated DDL inside the current transaction (executescript
    would COMMIT first).  The DDL here has no ``;`` inside literals."""
    for stmt in sql.split(";"):
        if stmt.strip():
            conn.execute(stmt)


def _m1_core(conn):
    _script(
        conn,
        """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE batches (
        batch_id   INTEGER PRIMARY KEY,
        digest     TEXT    NOT NULL,
        n_items    INTEGER NOT NULL,
        applied_at INTEGER NOT NULL,
        root_seq   INTEGER NOT NULL
    );
    CREATE TABLE notes (
        leaf_index INTEGER PRIMARY KEY,
        commitment TEXT    NOT NULL UNIQUE,
        batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
        item_index INTEGER NOT NULL
    );
    CREATE TABLE roots (
        seq      INTEGER PRIMARY KEY,
        root     TEXT    NOT NULL,
        n_leaves INTEGER NOT NULL,
        batch_id INTEGER REFERENCES batches(batch_id)
    );
    CREATE INDEX roots_by_root ON roots(root);
    CREATE TABLE nullifiers (
        nullifier  TEXT    PRIMARY KEY,
        batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
        item_index INTEGER NOT NULL
    ) WITHOUT ROWID;
    """
        + merkle_store.SCHEMA,
    )


def _m2_venue(conn):
    _script(
        conn,
        """
    CREATE TABLE accounts (
        account     TEXT    PRIMARY KEY,
        first_batch INTEGER NOT NULL REFERENCES batches(batch_id)
    ) WITHOUT ROWID;
    CREATE TABLE escrow (asset TEXT PRIMARY KEY, balance TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE escrow_moves (
        id         INTEGER PRIMARY KEY,
        batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
        item_index INTEGER NOT NULL,
        account    TEXT    NOT NULL,
        asset      TEXT    NOT NULL,
        delta      TEXT    NOT NULL
    );
    CREATE TABLE oracle_epochs (
        epoch_id     INTEGER PRIMARY KEY,
        data_hash    TEXT    NOT NULL UNIQUE,
        published_at INTEGER NOT NULL,
        deadline     INTEGER NOT NULL,
        closed_at    INTEGER
    );
    CREATE TABLE trades (
        trade_id         INTEGER PRIMARY KEY,
        trade_commitment TEXT    NOT NULL UNIQUE,
        epoch_id         INTEGER NOT NULL REFERENCES oracle_epochs(epoch_id),
        batch_id         INTEGER NOT NULL REFERENCES batches(batch_id),
        item_index       INTEGER NOT NULL
    );
    CREATE TABLE health_proofs (
        epoch_id   INTEGER NOT NULL REFERENCES oracle_epochs(epoch_id),
        account    TEXT    NOT NULL,
        batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
        item_index INTEGER NOT NULL,
        proved_at  INTEGER NOT NULL,
        PRIMARY KEY (epoch_id, account)
    ) WITHOUT ROWID;
    CREATE TABLE liquidatable (
        epoch_id         INTEGER NOT NULL REFERENCES oracle_epochs(epoch_id),
        account          TEXT    NOT NULL,
        reason           TEXT    NOT NULL,
        marked_at        INTEGER NOT NULL,
        liquidated_batch INTEGER REFERENCES batches(batch_id),
        PRIMARY KEY (epoch_id, account)
    ) WITHOUT ROWID;
    """,
    )


def _m3_circuits(conn):
    """Aligns with the venue circuits' public signals: withdrawals name a
    recipient, trades record instrument / published price / match time, and
    order commitments consumed by a match cannot be matched again."""
    _script(
        conn,
        """
    ALTER TABLE escrow_moves ADD COLUMN recipient TEXT;
    ALTER TABLE trades ADD COLUMN instrument TEXT;
    ALTER TABLE trades ADD COLUMN price TEXT;
    ALTER TABLE trades ADD COLUMN matched_at INTEGER;
    CREATE TABLE consumed_orders (
        order_point TEXT    PRIMARY KEY,
        batch_id    INTEGER NOT NULL REFERENCES batches(batch_id),
        item_index  INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    )


def _m4_open_orders(conn):
    """Orders a match may consume: opened by an ``order`` proof (signed) or
    as the remainder of an earlier match."""
    _script(
        conn,
        """
    CREATE TABLE open_orders (
        order_point TEXT    PRIMARY KEY,
        source      TEXT    NOT NULL,
        batch_id    INTEGER NOT NULL REFERENCES batches(batch_id),
        item_index  INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    )


def _m5_funds(conn):
    """The fee account and the insurance fund (public balances), and
    withdrawals that no longer name the account (the withdraw statement
    does not reveal it)."""
    _script(
        conn,
        """
    CREATE TABLE funds (name TEXT PRIMARY KEY, balance TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE fund_moves (
        batch_id   INTEGER,
        item_index INTEGER,
        name       TEXT    NOT NULL,
        delta      TEXT    NOT NULL,
        note       TEXT
    );
    CREATE TABLE escrow_moves_v5 (
        id         INTEGER PRIMARY KEY,
        batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
        item_index INTEGER NOT NULL,
        account    TEXT,
        asset      TEXT    NOT NULL,
        delta      TEXT    NOT NULL,
        recipient  TEXT
    );
    INSERT INTO escrow_moves_v5 SELECT id, batch_id, item_index, account, asset, delta, recipient
        FROM escrow_moves;
    DROP TABLE escrow_moves;
    ALTER TABLE escrow_moves_v5 RENAME TO escrow_moves;
    """,
    )


def _m6_oracle_signatures(conn):
    """Each epoch keeps the oracle's signature (attributable prices)."""
    _script(conn, "ALTER TABLE oracle_epochs ADD COLUMN signature TEXT")


MIGRATIONS = [
    (1, _m1_core),
    (2, _m2_venue),
    (3, _m3_circuits),
    (4, _m4_open_orders),
    (5, _m5_funds),
    (6, _m6_oracle_signatures),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(conn):
    """The version recorded in the file (0 for an empty file)."""
    row = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if row is None:
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return row[0] if row else 0


def migrate(conn, target=SCHEMA_VERSION):
    """Bring the file to ``target``, one transaction per step.

    Safe against several processes opening a fresh file at once: each step
    re-reads the version after taking the write lock.
    """
    for version, step in MIGRATIONS:
        if version > target:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)
            if current > SCHEMA_VERSION:
                raise LedgerError(
                    f"ledger schema version {current} is newer than this "
                    f"zkats supports ({SCHEMA_VERSION})"
                )
            if current < version:
                if current == 0:
                    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                    conn.execute("INSERT INTO schema_version VALUES (0)")
                step(conn)
                conn.execute("UPDATE schema_version SET version = ?", (version,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def connect(path, busy_timeout=DEFAULT_BUSY_TIMEOUT):
    """Open ``path`` with the ledger's pragmas (WAL, synchronous=FULL)."""
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
    except sqlite3.Error as err:
        raise LedgerError(f"{path}: cannot open ledger ({err})") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as err:
        conn.close()
        raise LedgerError(f"{path}: not a usable ledger database ({err})") from None
    if mode.lower() != "wal":
        raise LedgerError(f"{path}: cannot switch the ledger to WAL mode (got {mode})")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class Ledger:
    """A ledger file; creates and migrates it on first open.

    ``depth`` fixes the tree depth of a new ledger (an existing one keeps its
    own; a conflicting explicit value is an error).  ``hash2`` overrides the
    tree hash (tests only; the default is two-input Poseidon).
    ``oracle_key``: the oracle's public key (a Baby Jubjub point), recorded
    once (a ledger without one records it; one with another refuses).  The
    ledger publishes only epochs signed by that key.
    """

    def __init__(
        self, path, depth=None, hash2=None, busy_timeout=DEFAULT_BUSY_TIMEOUT, oracle_key=None
    ):
        self.path = str(path)
        self.conn = connect(self.path, busy_timeout)
        try:
            version = schema_version(self.conn)
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"{self.path}: ledger schema version {version} is newer "
                    f"than this zkats supports ({SCHEMA_VERSION})"
                )
            if version < SCHEMA_VERSION:
                migrate(self.conn)
            self._init_meta(depth, hash2)
            if oracle_key is not None:
                self._init_oracle_key(oracle_key)
        except BaseException:
            self.conn.close()
            raise

    def _init_meta(self, depth, hash2):
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'depth'").fetchone()
        if row is not None:  # an existing ledger: no write lock needed
            d = int(row[0])
            if depth is not None and int(depth) != d:
                raise LedgerError(f"{self.path}: ledger tree depth is {d}, not {depth}")
            self.tree = merkle_store.MerkleStore(self.conn, d, hash2)
            return
        with self.write():
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'depth'").fetchone()
            if row is None:
                d = DEFAULT_DEPTH if depth is None else int(depth)
                self.tree = merkle_store.MerkleStore(self.conn, d, hash2)
                self.conn.execute("INSERT INTO meta VALUES ('depth', ?)", (str(d),))
                self.conn.execute(
                    "INSERT INTO roots(seq, root, n_leaves, batch_id) VALUES (0, ?, 0, NULL)",
                    (str(self.tree.root()),),
                )
            else:
                d = int(row[0])
                if depth is not None and int(depth) != d:
                    raise LedgerError(f"{self.path}: ledger tree depth is {d}, not {depth}")
                self.tree = merkle_store.MerkleStore(self.conn, d, hash2)

    def _init_oracle_key(self, pk):
        from ..domain.oracle_key import parse_public_key

        try:
            key = point_key(parse_public_key(pk))
        except InputError as err:
            raise LedgerError(f"{self.path}: {err}") from None
        if self.oracle_key_text() == key:
            return
        with self.write() as c:
            row = c.execute("SELECT value FROM meta WHERE key = 'oracle_key'").fetchone()
            if row is None:
                c.execute("INSERT INTO meta VALUES ('oracle_key', ?)", (key,))
            elif row[0] != key:
                raise LedgerError(f"{self.path}: the ledger has another oracle key")

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- transactions -------------------------------------------------------

    @contextmanager
    def write(self):
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; ``ROLLBACK`` on any exception."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            raise LedgerError(f"{self.path}: ledger is busy ({err})") from None
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as err:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise LedgerError(f"{self.path}: commit failed ({err})") from None

    # -- reads (valid inside or outside a transaction) ----------------------

    def _one(self, sql, args=()):
        return self.conn.execute(sql, args).fetchone()

    @property
    def depth(self):
        return self.tree.depth

    def n_leaves(self):
        return self._one("SELECT COUNT(*) FROM notes")[0]

    def current_root(self):
        return int(self._one("SELECT root FROM roots ORDER BY seq DESC LIMIT 1")[0])

    def root_known(self, root):
        return self._one("SELECT 1 FROM roots WHERE root = ?", (str(root),)) is not None

    def root_history(self):
        return [
            (seq, int(root), n, b)
            for seq, root, n, b in self.conn.execute(
                "SELECT seq, root, n_leaves, batch_id FROM roots ORDER BY seq"
            )
        ]

    def nullifier_spent(self, nullifier):
        return (
            self._one("SELECT 1 FROM nullifiers WHERE nullifier = ?", (str(nullifier),)) is not None
        )

    def note_index(self, commitment):
        row = self._one("SELECT leaf_index FROM notes WHERE commitment = ?", (str(commitment),))
        return None if row is None else row[0]

    def notes(self):
        return [
            (i, int(c))
            for i, c in self.conn.execute(
                "SELECT leaf_index, commitment FROM notes ORDER BY leaf_index"
            )
        ]

    def note_path(self, leaf_index):
        """Merkle authentication path (siblings, bits) of a note, for provers."""
        return self.tree.path(leaf_index, self.n_leaves())

    def order_open(self, point):
        return (
            self._one("SELECT 1 FROM open_orders WHERE order_point = ?", (point_key(point),))
            is not None
        )

    def order_consumed(self, point):
        return (
            self._one("SELECT 1 FROM consumed_orders WHERE order_point = ?", (point_key(point),))
            is not None
        )

    def account_exists(self, account):
        return self._one("SELECT 1 FROM accounts WHERE account = ?", (str(account),)) is not None

    def escrow_balance(self, asset):
        row = self._one("SELECT balance FROM escrow WHERE asset = ?", (str(asset),))
        return 0 if row is None else int(row[0])

    def epoch_by_hash(self, data_hash):
        """(epoch_id, deadline, closed_at) of the epoch with this data hash, or None."""
        return self._one(
            "SELECT epoch_id, deadline, closed_at FROM oracle_epochs WHERE data_hash = ?",
            (str(data_hash),),
        )

    def oracle_key_text(self):
        row = self._one("SELECT value FROM meta WHERE key = 'oracle_key'")
        return None if row is None else row[0]

    def oracle_key(self):
        """The oracle's public key (x, y) recorded in the ledger, or None."""
        t = self.oracle_key_text()
        return None if t is None else tuple(int(c) for c in t.split(","))

    def epoch_signature(self, epoch_id):
        """The oracle's signature ``((R8x, R8y), S)`` of a published epoch, or None."""
        import json

        row = self._one("SELECT signature FROM oracle_epochs WHERE epoch_id = ?", (int(epoch_id),))
        if row is None or row[0] is None:
            return None
        (rx, ry), s = json.loads(row[0])
        return (int(rx), int(ry)), int(s)

    def latest_epoch(self):
        return self._one(
            "SELECT epoch_id, data_hash, deadline, closed_at FROM oracle_epochs "
            "ORDER BY epoch_id DESC LIMIT 1"
        )

    def health_proved(self, epoch_id):
        return [
            a
            for (a,) in self.conn.execute(
                "SELECT account FROM health_proofs WHERE epoch_id = ? ORDER BY account", (epoch_id,)
            )
        ]

    def liquidatable(self, epoch_id=None, pending_only=False):
        sql = "SELECT epoch_id, account, reason, liquidated_batch FROM liquidatable"
        cond, args = [], []
        if epoch_id is not None:
            cond.append("epoch_id = ?")
            args.append(epoch_id)
        if pending_only:
            cond.append("liquidated_batch IS NULL")
        if cond:
            sql += " WHERE " + " AND ".join(cond)
        return list(self.conn.execute(sql + " ORDER BY epoch_id, account", args))

    def health_proof_exists(self, epoch_id, account):
        return (
            self._one(
                "SELECT 1 FROM health_proofs WHERE epoch_id = ? AND account = ?",
                (int(epoch_id), str(account)),
            )
            is not None
        )

    def health_proved_after(self, epoch_id, account):
        """True iff ``account`` proved health for an epoch later than ``epoch_id``."""
        return (
            self._one(
                "SELECT 1 FROM health_proofs WHERE epoch_id > ? AND account = ?",
                (int(epoch_id), str(account)),
            )
            is not None
        )

    def liquidation_status(self, epoch_id, account):
        """None if ``account`` is not liquidatable for the epoch, else
        ``(liquidated_batch,)`` (``liquidated_batch`` None while pending)."""
        return self._one(
            "SELECT liquidated_batch FROM liquidatable WHERE epoch_id = ? AND account = ?",
            (int(epoch_id), str(account)),
        )

    def latest_closed_epoch(self):
        """The id of the newest epoch whose deadline has been processed, or None."""
        row = self._one("SELECT MAX(epoch_id) FROM oracle_epochs WHERE closed_at IS NOT NULL")
        return None if row is None else row[0]

    def fund_balance(self, name):
        row = self._one("SELECT balance FROM funds WHERE name = ?", (str(name),))
        return 0 if row is None else int(row[0])

    def batch_count(self):
        return self._one("SELECT COUNT(*) FROM batches")[0]

    def summary(self):
        """Public counts and the current root, for ``zkats ledger show``."""
        c = self.conn
        return {
            "schema_version": schema_version(c),
            "depth": self.depth,
            "batches": self.batch_count(),
            "notes": self.n_leaves(),
            "nullifiers": c.execute("SELECT COUNT(*) FROM nullifiers").fetchone()[0],
            "root": str(self.current_root()),
            "roots": c.execute("SELECT COUNT(*) FROM roots").fetchone()[0],
            "accounts": c.execute("SELECT COUNT(*) FROM accounts").fetchone()[0],
            "trades": c.execute("SELECT COUNT(*) FROM trades").fetchone()[0],
            "consumed_orders": c.execute("SELECT COUNT(*) FROM consumed_orders").fetchone()[0],
            "open_orders": c.execute("SELECT COUNT(*) FROM open_orders").fetchone()[0],
            "escrow": {
                a: b for a, b in c.execute("SELECT asset, balance FROM escrow ORDER BY asset")
            },
            "epochs": c.execute("SELECT COUNT(*) FROM oracle_epochs").fetchone()[0],
            "funds": {n: b for n, b in c.execute("SELECT name, balance FROM funds ORDER BY name")},
            "liquidatable_pending": c.execute(
                "SELECT COUNT(*) FROM liquidatable WHERE liquidated_batch IS NULL"
            ).fetchone()[0],
        }

    # -- writes of a batch (inside one write() transaction) -----------------

    def begin_batch(self, digest, n_items, now):
        """Insert the batch row; returns its id."""
        c = self.conn
        seq = c.execute("SELECT MAX(seq) FROM roots").fetchone()[0] + 1
        batch_id = (c.execute("SELECT MAX(batch_id) FROM batches").fetchone()[0] or 0) + 1
        c.execute(
            "INSERT INTO batches(batch_id, digest, n_items, applied_at, root_seq) "
            "VALUES (?, ?, ?, ?, ?)",
            (batch_id, digest, n_items, now, seq),
        )
        return batch_id

    def append_notes(self, batch_id, items):
        """Append the note commitments ``[(item_index, commitment)]`` as leaves in
        order and record the new root; returns ``(first leaf index, root)``."""
        c = self.conn
        n0 = self.n_leaves()
        c.executemany(
            "INSERT INTO notes(leaf_index, commitment, batch_id, item_index) VALUES (?, ?, ?, ?)",
            [(n0 + k, str(cm), batch_id, i) for k, (i, cm) in enumerate(items)],
        )
        root = self.tree.append_many(n0, [cm for _, cm in items])
        seq = c.execute("SELECT root_seq FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()[
            0
        ]
        c.execute(
            "INSERT INTO roots(seq, root, n_leaves, batch_id) VALUES (?, ?, ?, ?)",
            (seq, str(root), n0 + len(items), batch_id),
        )
        return n0, root

    def record_nullifiers(self, batch_id, items):
        """Spend the nullifiers ``[(item_index, nullifier)]``."""
        self.conn.executemany(
            "INSERT INTO nullifiers(nullifier, batch_id, item_index) VALUES (?, ?, ?)",
            [(str(n), batch_id, i) for i, n in items],
        )

    def consume_order(self, batch_id, item_index, point):
        key = point_key(point)
        self.conn.execute("DELETE FROM open_orders WHERE order_point = ?", (key,))
        self.conn.execute(
            "INSERT INTO consumed_orders(order_point, batch_id, item_index) VALUES (?, ?, ?)",
            (key, batch_id, item_index),
        )

    def open_order(self, batch_id, item_index, point, source):
        self.conn.execute(
            "INSERT INTO open_orders(order_point, source, batch_id, item_index) "
            "VALUES (?, ?, ?, ?)",
            (point_key(point), source, batch_id, item_index),
        )

    def move_escrow(self, batch_id, item_index, asset, delta, account=None, recipient=None):
        """Escrow balance of ``asset`` += ``delta`` (callers check it stays >= 0)."""
        bal = self.escrow_balance(asset) + int(delta)
        self.conn.execute(
            "INSERT INTO escrow(asset, balance) VALUES (?, ?) "
            "ON CONFLICT(asset) DO UPDATE SET balance = excluded.balance",
            (str(asset), str(bal)),
        )
        self.conn.execute(
            "INSERT INTO escrow_moves(batch_id, item_index, account, asset, delta, recipient) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                batch_id,
                item_index,
                None if account is None else str(account),
                str(asset),
                str(int(delta)),
                None if recipient is None else str(recipient),
            ),
        )

    def move_fund(self, batch_id, item_index, name, delta, note=None):
        """Fund ``name`` (``fee`` or ``insurance``) += ``delta``."""
        bal = self.fund_balance(name) + int(delta)
        self.conn.execute(
            "INSERT INTO funds(name, balance) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET balance = excluded.balance",
            (str(name), str(bal)),
        )
        self.conn.execute(
            "INSERT INTO fund_moves(batch_id, item_index, name, delta, note) "
            "VALUES (?, ?, ?, ?, ?)",
            (batch_id, item_index, str(name), str(int(delta)), note),
        )

    def register_account(self, account, batch_id):
        self.conn.execute(
            "INSERT OR IGNORE INTO accounts(account, first_batch) VALUES (?, ?)",
            (str(account), batch_id),
        )

    def record_trade(self, batch_id, item_index, trade_id, epoch_id, instrument, price, matched_at):
        self.conn.execute(
            "INSERT INTO trades(trade_commitment, epoch_id, batch_id, item_index, "
            "instrument, price, matched_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                point_key(trade_id),
                int(epoch_id),
                batch_id,
                item_index,
                str(instrument),
                None if price is None else str(price),
                int(matched_at),
            ),
        )

    def record_health(self, batch_id, item_index, epoch_id, account, now):
        self.conn.execute(
            "INSERT INTO health_proofs(epoch_id, account, batch_id, item_index, proved_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (int(epoch_id), str(account), batch_id, item_index, now),
        )

    def record_liquidation(self, batch_id, epoch_id, account):
        self.conn.execute(
            "UPDATE liquidatable SET liquidated_batch = ? WHERE epoch_id = ? AND account = ?",
            (batch_id, int(epoch_id), str(account)),
        )

    # -- oracle epochs and liquidation bookkeeping (own transactions) -------

    def publish_epoch(self, epoch_id, data_hash, deadline, signature, now=None):
        """Record oracle epoch ``epoch_id`` (ids strictly increase), signed by
        the ledger's oracle key (:mod:`zkats.domain.oracle_key`).

        ``data_hash`` is the public input the circuits see; ``deadline`` (unix
        seconds) is when health proofs for the epoch stop being accepted;
        ``signature`` is the oracle's ``((R8x, R8y), S)`` over the three.  A
        forged, unsigned or replayed (old id, reused hash) epoch raises
        LedgerError and changes nothing.
        """
        import json

        from ..domain import oracle_key as ok

        now = int(time.time()) if now is None else int(now)
        what = f"oracle epoch {epoch_id}"
        for name, v in (("id", epoch_id), ("data hash", data_hash), ("deadline", deadline)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise LedgerError(f"{what}: {name} must be a non-negative integer")
        if signature is None:
            raise LedgerError(
                f"{what}: unsigned (only epochs signed by the oracle key are accepted)"
            )
        try:
            sig = ok.parse_signature(signature)
        except InputError as err:
            raise LedgerError(f"{what}: {err}") from None
        with self.write() as c:
            pk = self.oracle_key()
            if pk is None:
                raise LedgerError(f"{what}: the ledger has no oracle key to check it with")
            if not ok.verify_epoch(pk, epoch_id, data_hash, deadline, sig):
                raise LedgerError(f"{what}: signature is not the oracle's for this epoch")
            last = c.execute("SELECT MAX(epoch_id) FROM oracle_epochs").fetchone()[0]
            if last is not None and epoch_id <= last:
                raise LedgerError(f"{what} is not after the latest ({last})")
            if c.execute(
                "SELECT 1 FROM oracle_epochs WHERE data_hash = ?", (str(data_hash),)
            ).fetchone():
                raise LedgerError(f"{what}: data hash already published")
            c.execute(
                "INSERT INTO oracle_epochs(epoch_id, data_hash, published_at, deadline, signature) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    int(epoch_id),
                    str(data_hash),
                    now,
                    int(deadline),
                    json.dumps(ok.signature_to_json(sig)),
                ),
            )

    def close_epoch(self, epoch_id, now=None):
        """After the deadline: every account without a health proof for the
        epoch becomes liquidatable.  Returns the accounts marked (idempotent:
        a second call marks nothing).
        """
        now = int(time.time()) if now is None else int(now)
        with self.write() as c:
            row = c.execute(
                "SELECT deadline, closed_at FROM oracle_epochs WHERE epoch_id = ?", (epoch_id,)
            ).fetchone()
            if row is None:
                raise LedgerError(f"oracle epoch {epoch_id} is unknown")
            deadline, closed_at = row
            if closed_at is not None:
                return []
            if now < deadline:
                raise LedgerError(f"oracle epoch {epoch_id}: deadline not reached")
            missing = [
                a
                for (a,) in c.execute(
                    "SELECT account FROM accounts WHERE account NOT IN "
                    "(SELECT account FROM health_proofs WHERE epoch_id = ?) ORDER BY account",
                    (epoch_id,),
                )
            ]
            c.executemany(
                "INSERT INTO liquidatable(epoch_id, account, reason, marked_at) "
                "VALUES (?, ?, 'no health proof by the deadline', ?)",
                [(epoch_id, a, now) for a in missing],
            )
            c.execute("UPDATE oracle_epochs SET closed_at = ? WHERE epoch_id = ?", (now, epoch_id))
            return missing

    # -- maintenance ---------------------------------------------------------

    def checkpoint(self):
        """Fold the WAL into the main file and truncate it (for byte comparisons)."""
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise LedgerError(f"{self.path}: checkpoint blocked by another connection")

    def integrity_check(self):
        return [r[0] for r in self.conn.execute("PRAGMA integrity_check")]

    def dump(self):
        """The whole database as SQL text (stable order), for comparisons."""
        return "\n".join(self.conn.iterdump())


def point_key(point):
    """Text key of a Baby Jubjub point (order and leg commitments): "x,y"."""
    return f"{int(point[0])},{int(point[1])}"


def file_digest(path):
    """SHA-256 of the main database file (call :meth:`Ledger.checkpoint` first)."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def exists(path):
    return os.path.exists(str(path))

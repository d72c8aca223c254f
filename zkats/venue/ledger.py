"""The settlement ledger: one SQLite file (standard library ``sqlite3``), or
a PostgreSQL database (``psycopg``; ``postgresql://`` URLs) that several
``zkats serve`` processes share.  Both have the same schema and migrations;
every statement is written once (see "the two databases behind one
connection API" below for placeholders, transactions and the advisory lock
that serialises PostgreSQL writers, and why it is not SERIALIZABLE).

Durability and isolation come from the database itself (for SQLite):

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
                   oracle's and the operator's public keys ``oracle_key``,
                   ``operator_key`` = "x,y")
batches            one per applied batch: id, digest, item count, time, root
notes              note commitments (unique) by leaf index, with their batch and
                   the note's ciphertext (the statement's ``ciphertext``,
                   :mod:`zkats.domain.note_cipher`, as comma-separated decimals;
                   NULL for leaves that carry none)
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
fund_withdrawals   the operator's signed withdrawals from the funds: seq, batch,
                   fund, amount, recipient, signature (JSON)
fund_positions     the backstop's public positions (the insurance fund takes
                   over what liquidations close): fund, instrument, signed
                   position and cost (decimal text)
=================  ===========================================================

Every SQL statement of the venue is in this module: the settlement service
(:mod:`zkats.venue.settlement`) reads through the query methods and writes
through the ``record_*``/``append_*`` methods below, inside one
:meth:`Ledger.write` transaction per batch.

Field elements are stored as canonical decimal text (as snarkjs writes them).
"""

import os
import sqlite3
import threading
import time
from contextlib import contextmanager

from ..domain import units
from ..errors import InputError, LedgerError
from . import merkle_store

#: default depth of the note tree: the circuits' ``units.TREE_DEPTH`` (2^16
#: notes at the ci size, 2^32 at production)
DEFAULT_DEPTH = units.TREE_DEPTH
DEFAULT_BUSY_TIMEOUT = 60.0
#: the largest page a paged read returns
MAX_PAGE = 1000


# --------------------------------------------------------------------------
# migrations: (version, function(conn)); never edit a released step, append
# --------------------------------------------------------------------------


def _script(conn, sql):
    """Run ``;``-separated DDL inside the current transaction (executescript
    would COMMIT first).  The DDL here has no ``;`` inside literals; it is
    written once, in SQLite's dialect (:func:`ddl` rewrites it for PostgreSQL)."""
    for stmt in sql.split(";"):
        if stmt.strip():
            conn.execute(ddl(stmt, getattr(conn, "dialect", "sqlite")))


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


def _m7_fund_positions(conn):
    """The insurance fund's public positions, taken over from liquidations,
    and the operator's signed fund withdrawals."""
    _script(
        conn,
        """
    CREATE TABLE fund_positions (
        name       TEXT NOT NULL,
        instrument TEXT NOT NULL,
        position   TEXT NOT NULL,
        cost       TEXT NOT NULL,
        PRIMARY KEY (name, instrument)
    ) WITHOUT ROWID;
    CREATE TABLE fund_withdrawals (
        seq        INTEGER NOT NULL PRIMARY KEY,
        batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
        item_index INTEGER NOT NULL,
        fund       TEXT    NOT NULL,
        amount     TEXT    NOT NULL,
        recipient  TEXT    NOT NULL,
        signature  TEXT    NOT NULL
    )
    """,
    )


def _m8_note_ciphertexts(conn):
    """Each leaf's note ciphertext (what viewing-key holders decrypt)."""
    _script(conn, "ALTER TABLE notes ADD COLUMN ciphertext TEXT")


MIGRATIONS = [
    (1, _m1_core),
    (2, _m2_venue),
    (3, _m3_circuits),
    (4, _m4_open_orders),
    (5, _m5_funds),
    (6, _m6_oracle_signatures),
    (7, _m7_fund_positions),
    (8, _m8_note_ciphertexts),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(conn):
    """The version recorded in the database (0 for an empty one)."""
    if not conn.table_exists("schema_version"):
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return row[0] if row else 0


def migrate(conn, target=SCHEMA_VERSION):
    """Bring the database to ``target``, one transaction per step.

    Safe against several processes opening a fresh database at once: each
    step re-reads the version after taking the write lock.
    """
    for version, step in MIGRATIONS:
        if version > target:
            break
        conn.begin_write()
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
            conn.commit()
        except BaseException:
            conn.rollback()
            raise


# --------------------------------------------------------------------------
# the two databases behind one connection API
# --------------------------------------------------------------------------
#
# * SQLite (standard library sqlite3, the embedded default): a file; WAL
#   journal with synchronous=FULL; a write transaction is BEGIN IMMEDIATE,
#   which takes the database's single write lock up front.
# * PostgreSQL (psycopg 3; several `zkats serve` processes on one database):
#   a postgresql:// URL; a write transaction is BEGIN (READ COMMITTED)
#   followed by pg_advisory_xact_lock(LEDGER_LOCK).
#
# Why an advisory lock and not SERIALIZABLE: a batch's checks (nullifiers
# unspent, roots known, orders open, escrow balances, liquidation status)
# and its writes (the tree append rewrites the nodes on the right edge of the
# tree; the next batch id and root sequence) need one order of batches.
# Under SERIALIZABLE every pair of concurrent batches conflicts anyway (the
# tree append), so one of them would fail at COMMIT and have to be retried
# whole.  The transaction-scoped advisory lock serialises the writers exactly
# like SQLite's write lock: proofs are verified before the lock is taken (in
# parallel, across servers), then the checks are repeated and the writes made
# under it.  READ COMMITTED matters: each statement after the lock sees every
# batch committed before the lock was granted (a REPEATABLE READ snapshot
# would be taken before the lock wait and miss them).  COMMIT, ROLLBACK or
# the death of the client releases the lock: a killed server never leaves the
# ledger locked.  Uniqueness (nullifiers, note commitments, leaf indices,
# consumed orders) is also declared in the schema, as a backstop.
#
# SQL is written once with ``?`` placeholders (``%s`` for psycopg; the
# ledger's SQL has no ``?`` or ``%`` inside literals) and DDL in SQLite's
# dialect (``ddl`` rewrites it).

#: the key of the ledger's PostgreSQL advisory lock ("zkats" in ASCII)
LEDGER_LOCK = 0x7A6B617473


def is_url(target):
    """True for a PostgreSQL URL (anything else is a SQLite path)."""
    return str(target).startswith(("postgresql://", "postgres://"))


def redact(target):
    """``target`` without a password (for messages)."""
    import re

    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", str(target))


def ddl(sql, dialect):
    """DDL written for SQLite, in ``dialect``."""
    import re

    if dialect == "sqlite":
        return sql
    sql = re.sub(r"\)\s*WITHOUT ROWID", ")", sql)
    sql = re.sub(r"\b(\w+)\s+INTEGER PRIMARY KEY\b", r"\1 BIGSERIAL PRIMARY KEY", sql)
    return re.sub(r"\bINTEGER\b", "BIGINT", sql)


def _first_line(err):
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else type(err).__name__


class CommitUnknown(LedgerError):
    """The connection was lost while COMMIT was under way: the transaction may
    or may not have been committed (see :func:`batch_landed`)."""


class _DeferredRows:
    """Rows a write transaction inserts, sent as few statements as possible.

    :meth:`defer` queues a row for ``INSERT INTO table(columns) VALUES (...)
    [suffix]``; the queued rows go to the database, one statement per table
    and chunk (:meth:`_insert_rows`: SQLite's ``executemany``, PostgreSQL's
    multi-row ``VALUES``), in the order their tables were first queued,
    before any other statement runs (every ``execute`` flushes first, so a
    read inside the transaction sees them), and before ``COMMIT``.  A row
    queued with a ``key`` replaces an earlier row of that table with the
    same key (an upsert of a balance keeps only the final value: PostgreSQL
    refuses one statement that updates a row twice).  ``ROLLBACK`` drops
    them.  Nothing queued outlives its transaction.
    """

    _groups: dict | None = None

    def defer(self, table, columns, row, suffix="", key=None):
        if self._groups is None:
            self._groups = {}
        rows = self._groups.setdefault((table, tuple(columns), suffix), {})
        rows[("key", key) if key is not None else ("row", len(rows), id(row))] = tuple(row)

    def defer_many(self, table, columns, rows, suffix=""):
        for row in rows:
            self.defer(table, columns, row, suffix)

    def flush(self):
        """Send the queued rows now."""
        groups, self._groups = self._groups, None
        for (table, columns, suffix), rows in (groups or {}).items():
            if rows:
                self._insert_rows(table, columns, list(rows.values()), suffix)

    def _drop_deferred(self):
        self._groups = None

    def _insert_rows(self, table, columns, rows, suffix):
        raise NotImplementedError

    @staticmethod
    def _insert_sql(table, columns, n_rows, suffix):
        one = "(" + ", ".join("?" * len(columns)) + ")"
        values = ", ".join([one] * n_rows)
        return f"INSERT INTO {table}({', '.join(columns)}) VALUES {values} {suffix}".rstrip()


class SqliteConnection(_DeferredRows):
    """sqlite3 with the ledger's pragmas; anything else is the sqlite3 connection's."""

    dialect = "sqlite"
    errors = (sqlite3.Error,)
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path, busy_timeout=DEFAULT_BUSY_TIMEOUT):
        self.path = str(path)
        self.busy_timeout = busy_timeout
        try:
            conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
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
            conn.close()
            raise LedgerError(f"{path}: cannot switch the ledger to WAL mode (got {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        self.raw = conn

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def execute(self, sql, args=()):
        if self._groups:
            self.flush()
        return self.raw.execute(sql, args)

    def executemany(self, sql, rows):
        if self._groups:
            self.flush()
        return self.raw.executemany(sql, rows)

    def _insert_rows(self, table, columns, rows, suffix):
        # in-process: one prepared statement run per row is as fast as it gets
        self.raw.executemany(self._insert_sql(table, columns, 1, suffix), rows)

    #: keys per ``IN (...)`` list (SQLite allows 32766 parameters)
    IN_CHUNK = 500

    @staticmethod
    def member(keys):
        """``(sql, params)``: the condition "the column is one of ``keys``"."""
        return f"IN ({', '.join('?' * len(keys))})", list(keys)

    @property
    def in_transaction(self):
        return self.raw.in_transaction

    _holds_write_lock = False

    def begin_write(self):
        # the threads of one process queue on a lock of their own first
        # (SQLite's busy handler polls with sleeps of up to 100 ms: under
        # contention a writer would wait long after the lock is free); other
        # processes still meet at SQLite's write lock
        lock = _process_write_lock(self.path)
        if not lock.acquire(timeout=self.busy_timeout):
            raise LedgerError(f"{self.path}: ledger is busy (another writer of this process)")
        try:
            self.raw.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            lock.release()
            raise LedgerError(f"{self.path}: ledger is busy ({err})") from None
        self._holds_write_lock = True

    def _release_write_lock(self):
        if self._holds_write_lock:
            self._holds_write_lock = False
            _process_write_lock(self.path).release()

    def begin_read(self):
        self.raw.execute("BEGIN")

    def commit(self):
        self.flush()
        self.raw.execute("COMMIT")
        self._release_write_lock()

    def rollback(self):
        self._drop_deferred()
        try:
            if self.raw.in_transaction:
                self.raw.execute("ROLLBACK")
        finally:
            self._release_write_lock()

    def table_exists(self, name):
        row = self.raw.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    @contextmanager
    def pipeline(self):
        """Nothing to pipeline in-process (see :meth:`PgConnection.pipeline`)."""
        yield self

    def close(self):
        self._drop_deferred()
        self._release_write_lock()
        self.raw.close()


_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _process_write_lock(path):
    """This process's lock for writers of the SQLite file at ``path``."""
    key = os.path.realpath(path)
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.Lock())


class PgConnection(_DeferredRows):
    """A psycopg 3 connection (autocommit; transactions are explicit) with the
    subset of the sqlite3 API the ledger uses.  A lost connection raises
    :class:`LedgerError` saying nothing was applied (the server rolled back)."""

    dialect = "postgresql"

    def __init__(self, url, connect_timeout=10):
        try:
            import psycopg
        except ImportError:
            raise LedgerError(
                "PostgreSQL ledgers need psycopg (pip install 'zkats[server]')"
            ) from None
        self._pg = psycopg
        self.path = redact(url)
        try:
            self.raw = psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout)
        except psycopg.Error as err:
            raise LedgerError(
                f"{self.path}: database is unavailable ({_first_line(err)})"
            ) from None
        self.errors = (psycopg.Error,)
        self.integrity_errors = (psycopg.IntegrityError,)

    def _run(self, fn, sql, *args):
        if sql.startswith("INSERT OR IGNORE INTO"):
            sql = "INSERT INTO" + sql[len("INSERT OR IGNORE INTO") :] + " ON CONFLICT DO NOTHING"
        try:
            return fn(sql.replace("?", "%s"), *args)
        except (self._pg.OperationalError, self._pg.InterfaceError) as err:
            if self.raw.broken or self.raw.closed:
                raise LedgerError(
                    f"{self.path}: database is unavailable ({_first_line(err)}); "
                    f"nothing was applied"
                ) from None
            raise

    #: keys per ``= ANY(array)`` (one parameter whatever the count)
    IN_CHUNK = 100_000

    @staticmethod
    def member(keys):
        """``(sql, params)``: the condition "the column is one of ``keys``" (one
        array parameter: the statement's text does not depend on the count, so
        psycopg parses it once and the server prepares it)."""
        return "= ANY(?)", [list(keys)]

    def execute(self, sql, args=()):
        if self._groups:
            self.flush()
        return self._run(self.raw.execute, sql, tuple(args) if args else None)

    def executemany(self, sql, rows):
        if self._groups:
            self.flush()
        rows = list(rows)
        if rows:
            with self.raw.cursor() as cur:
                self._run(cur.executemany, sql, rows)

    def _insert_rows(self, table, columns, rows, suffix):
        # one statement whatever the number of rows: a column's values are one
        # array parameter (``unnest``), so the text is the same for every batch
        # (parsed once by psycopg, prepared once by the server)
        types = self._column_types(table)
        arrays = ", ".join(f"?::{types[c]}[]" for c in columns)
        sql = f"INSERT INTO {table}({', '.join(columns)}) SELECT * FROM unnest({arrays}) {suffix}"
        self._run(self.raw.execute, sql.rstrip(), [list(col) for col in zip(*rows)])

    def _column_types(self, table):
        cache = self.__dict__.setdefault("_types", {})
        if table not in cache:
            cache[table] = {
                name: kind
                for name, kind in self._run(
                    self.raw.execute,
                    "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped",
                    (table,),
                ).fetchall()
            }
        return cache[table]

    @property
    def in_transaction(self):
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def begin_write(self):
        # one round trip: two statements in one simple query (no parameters)
        self.execute(
            f"BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({LEDGER_LOCK:d})"
        )

    def begin_read(self):
        self.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def commit(self):
        self.flush()
        try:
            self.raw.execute("COMMIT")
        except (self._pg.OperationalError, self._pg.InterfaceError) as err:
            if self.raw.broken or self.raw.closed:
                # the server may have committed before the connection went
                raise CommitUnknown(
                    f"{self.path}: database is unavailable ({_first_line(err)}) during the commit"
                ) from None
            raise

    def rollback(self):
        self._drop_deferred()
        if not (self.raw.broken or self.raw.closed) and self.in_transaction:
            self.execute("ROLLBACK")

    def table_exists(self, name):
        return self.execute("SELECT to_regclass(?)", (name,)).fetchone()[0] is not None

    @contextmanager
    def pipeline(self):
        """psycopg's pipeline mode: statements inside are sent without waiting
        for each answer (a round trip only where a result is read); an error
        surfaces at the next read or at the end, inside the caller's
        transaction, which then rolls back."""
        try:
            with self.raw.pipeline():
                yield self
        except (self._pg.OperationalError, self._pg.InterfaceError) as err:
            if self.raw.broken or self.raw.closed:
                raise LedgerError(
                    f"{self.path}: database is unavailable ({_first_line(err)}); "
                    f"nothing was applied"
                ) from None
            raise

    def close(self):
        self._drop_deferred()
        self.raw.close()


def batch_landed(target, digest, timeout=20.0):
    """After :class:`CommitUnknown`: the id of the batch with ``digest`` in the
    ledger at ``target`` (reconnecting until ``timeout`` seconds have passed),
    None if it is not there, or raise LedgerError if the database stays
    unreachable."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = connect(target)
        except LedgerError:
            if time.monotonic() > deadline:
                raise LedgerError(
                    f"{redact(target)}: database is unavailable; whether the batch was "
                    f"committed is unknown (resubmit it: if it was applied, it is refused "
                    f"as a replay)"
                ) from None
            time.sleep(0.25)
            continue
        try:
            row = conn.execute("SELECT batch_id FROM batches WHERE digest = ?", (digest,))
            row = row.fetchone()
            return None if row is None else row[0]
        finally:
            conn.close()


def connect(target, busy_timeout=DEFAULT_BUSY_TIMEOUT):
    """Open a ledger database: a SQLite path (WAL, synchronous=FULL) or a
    ``postgresql://`` URL."""
    if is_url(target):
        return PgConnection(str(target))
    return SqliteConnection(target, busy_timeout)


class Ledger:
    """A ledger file; creates and migrates it on first open.

    ``depth`` fixes the tree depth of a new ledger (an existing one keeps its
    own; a conflicting explicit value is an error).  ``hash2`` overrides the
    tree hash (tests only; the default is two-input Poseidon).
    ``oracle_key``: the oracle's public key (a Baby Jubjub point), recorded
    once (a ledger without one records it; one with another refuses).  The
    ledger publishes only epochs signed by that key.  ``operator_key``
    likewise: the ledger pays out of its funds only requests signed by it.
    """

    def __init__(
        self,
        path,
        depth=None,
        hash2=None,
        busy_timeout=DEFAULT_BUSY_TIMEOUT,
        oracle_key=None,
        operator_key=None,
    ):
        self.conn = connect(str(path), busy_timeout)
        self.path = self.conn.path  # (a URL without its password)
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
                self._init_role_key("oracle_key", oracle_key, "oracle")
            if operator_key is not None:
                self._init_role_key("operator_key", operator_key, "operator")
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

    def _init_role_key(self, meta_key, pk, role):
        """Record a role's public key in ``meta`` once (refuse another one)."""
        from ..domain.signing_key import parse_public_key

        try:
            key = point_key(parse_public_key(pk, f"{role} public key"))
        except InputError as err:
            raise LedgerError(f"{self.path}: {err}") from None
        if self._meta(meta_key) == key:
            return
        with self.write() as c:
            row = c.execute("SELECT value FROM meta WHERE key = ?", (meta_key,)).fetchone()
            if row is None:
                c.execute("INSERT INTO meta VALUES (?, ?)", (meta_key, key))
            elif row[0] != key:
                raise LedgerError(f"{self.path}: the ledger has another {role} key")

    def _meta(self, key):
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else row[0]

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- transactions -------------------------------------------------------

    @contextmanager
    def write(self):
        """A write transaction (SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``BEGIN``
        + the ledger's advisory lock) ... ``COMMIT``; ``ROLLBACK`` on any exception."""
        self.conn.begin_write()
        # balances read or moved in this transaction (it holds the write lock,
        # and only move_escrow/move_fund change them): no re-reading per item
        self._balances = {}
        self._open_batch = None
        try:
            yield self.conn
            self.conn.flush()  # the queued rows (failing here rolls back too)
        except BaseException:
            self.conn.rollback()
            raise
        else:
            try:
                self.conn.commit()
            except self.conn.errors as err:
                self.conn.rollback()
                raise LedgerError(
                    f"{self.path}: commit failed ({_first_line(err)}); nothing was applied"
                ) from None
        finally:
            self._balances = None

    # -- savepoints inside a write transaction (one batch of a group commit)

    def savepoint(self):
        """Start a batch inside the write transaction; returns its mark."""
        self.conn.execute("SAVEPOINT zkats_batch")  # (sends the rows queued before)
        return dict(self._balances or {})

    def release(self, mark):
        """The batch since ``mark`` stays (committed with the transaction)."""
        self.conn.execute("RELEASE SAVEPOINT zkats_batch")

    def rollback_to(self, mark):
        """Undo the batch since ``mark`` (its rows, queued or sent, and its
        balance changes); the transaction goes on."""
        self.conn._drop_deferred()
        self.conn.execute("ROLLBACK TO SAVEPOINT zkats_batch")
        self.conn.execute("RELEASE SAVEPOINT zkats_batch")
        self._balances = mark
        self._open_batch = None

    @contextmanager
    def read(self):
        """Reads inside see one state of the ledger (a read transaction)."""
        self.conn.begin_read()
        try:
            yield self
        finally:
            self.conn.rollback()

    # -- reads (valid inside or outside a transaction) ----------------------

    def _one(self, sql, args=()):
        return self.conn.execute(sql, args).fetchone()

    @property
    def depth(self):
        return self.tree.depth

    def n_leaves(self):
        # the latest root row carries the leaf count (no COUNT(*) over every note)
        return self._one("SELECT n_leaves FROM roots ORDER BY seq DESC LIMIT 1")[0]

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

    def order_status(self, point):
        """``"open"`` (a match may consume it), ``"consumed"`` (matched or
        cancelled: never again) or None (the ledger has not seen it)."""
        if self.order_consumed(point):
            return "consumed"
        return "open" if self.order_open(point) else None

    def account_exists(self, account):
        return self._one("SELECT 1 FROM accounts WHERE account = ?", (str(account),)) is not None

    #: {("escrow" | "fund", name): balance} inside a write transaction, else None
    _balances: dict | None = None

    def _balance(self, table, key, name):
        cache = self._balances
        if cache is not None and (table, str(name)) in cache:
            return cache[table, str(name)]
        row = self._one(f"SELECT balance FROM {table} WHERE {key} = ?", (str(name),))
        bal = 0 if row is None else int(row[0])
        if cache is not None:
            cache[table, str(name)] = bal
        return bal

    @contextmanager
    def balances_read_once(self):
        """Inside: each balance is read from the database at most once (a
        batch's checks ask for the fund balances item after item).  A write
        transaction does this by itself; the pre-checks outside one use this
        (they are repeated inside the transaction)."""
        if self._balances is not None:
            yield
            return
        self._balances = {}
        try:
            yield
        finally:
            self._balances = None

    def _set_balance(self, table, name, bal):
        if self._balances is not None:
            self._balances[table, str(name)] = bal

    def escrow_balance(self, asset):
        return self._balance("escrow", "asset", asset)

    def epoch_by_hash(self, data_hash):
        """(epoch_id, deadline, closed_at) of the epoch with this data hash, or None."""
        return self._one(
            "SELECT epoch_id, deadline, closed_at FROM oracle_epochs WHERE data_hash = ?",
            (str(data_hash),),
        )

    def oracle_key_text(self):
        return self._meta("oracle_key")

    def oracle_key(self):
        """The oracle's public key (x, y) recorded in the ledger, or None."""
        t = self.oracle_key_text()
        return None if t is None else tuple(int(c) for c in t.split(","))

    def operator_key(self):
        """The operator's public key (x, y) recorded in the ledger, or None."""
        t = self._meta("operator_key")
        return None if t is None else tuple(int(c) for c in t.split(","))

    def fund_withdrawal_count(self):
        """How many operator fund withdrawals the ledger has applied."""
        return self._one("SELECT COUNT(*) FROM fund_withdrawals")[0]

    def fund_withdrawals(self):
        """Every applied fund withdrawal: ``(seq, batch_id, fund, amount,
        recipient, signature JSON)`` in order."""
        return [
            (int(q), b, f, int(a), int(r), sig)
            for q, b, f, a, r, sig in self.conn.execute(
                "SELECT seq, batch_id, fund, amount, recipient, signature "
                "FROM fund_withdrawals ORDER BY seq"
            ).fetchall()
        ]

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

    def health_proved_since(self, epoch_id, account):
        """True iff ``account`` proved health for ``epoch_id`` or a later epoch."""
        return (
            self._one(
                "SELECT 1 FROM health_proofs WHERE epoch_id >= ? AND account = ?",
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
        return self._balance("funds", "name", name)

    def fund_positions(self, name):
        """``{instrument: (position, cost)}`` of fund ``name``'s open positions."""
        rows = self.conn.execute(
            "SELECT instrument, position, cost FROM fund_positions WHERE name = ? "
            "ORDER BY instrument",
            (str(name),),
        ).fetchall()
        return {int(i): (int(p), int(c)) for i, p, c in rows}

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
            "fund_positions": [
                {"fund": n, "instrument": i, "position": p, "cost": k}
                for n, i, p, k in c.execute(
                    "SELECT name, instrument, position, cost FROM fund_positions "
                    "ORDER BY name, instrument"
                )
            ],
            "liquidatable_pending": c.execute(
                "SELECT COUNT(*) FROM liquidatable WHERE liquidated_batch IS NULL"
            ).fetchone()[0],
        }

    # -- bulk reads for a batch's checks (one query per table and chunk) ------

    def _present(self, queries):
        """``{tag: (sql, keys)}`` -> ``{tag: the keys (text) the query finds}``;
        each sql selects its key column where it is ``{}``, one of the keys.
        All the queries go to the database as ONE statement (``UNION ALL``) per
        ``IN_CHUNK`` keys: one round trip for a batch's checks."""
        found: dict[str, set[str]] = {tag: set() for tag in queries}
        parts: list[str] = []
        args: list[str] = []

        def flush():
            if parts:
                for tag, v in self.conn.execute(" UNION ALL ".join(parts), args):
                    found[tag].add(v)
                parts.clear()
                args.clear()

        chunk = self.conn.IN_CHUNK
        for tag, (sql, keys) in queries.items():
            keys = sorted(set(keys))
            for i in range(0, len(keys), chunk):
                part = keys[i : i + chunk]
                if len(args) + len(part) > chunk:
                    flush()
                cond, params = self.conn.member(part)
                parts.append(f"SELECT '{tag}', " + sql.format(cond))
                args.extend(params)
        flush()
        return found

    def known(self, roots=(), nullifiers=(), commitments=(), orders=(), epoch_hashes=()):
        """What the checks of a batch need to know about these values, in one
        round trip (instead of one query per value): a :class:`Known`."""
        keys = [point_key(o) for o in orders]
        f = self._present(
            {
                "r": ("root FROM roots WHERE root {}", [str(r) for r in roots]),
                "n": (
                    "nullifier FROM nullifiers WHERE nullifier {}",
                    [str(n) for n in nullifiers],
                ),
                "c": (
                    "commitment FROM notes WHERE commitment {}",
                    [str(c) for c in commitments],
                ),
                "o": ("order_point FROM open_orders WHERE order_point {}", keys),
                "x": ("order_point FROM consumed_orders WHERE order_point {}", keys),
            }
        )
        k = Known()
        k.roots = {int(v) for v in f["r"]}
        k.spent = {int(v) for v in f["n"]}
        k.notes = {int(v) for v in f["c"]}
        k.open_orders, k.consumed_orders = f["o"], f["x"]
        for h in sorted({str(h) for h in epoch_hashes}):
            row = self.epoch_by_hash(h)
            if row is not None:
                k.epochs[int(h)] = row
        return k

    # -- writes of a batch (inside one write() transaction) -----------------

    # The rows a batch adds are queued (:class:`_DeferredRows`) and reach the
    # database as one statement per table, at the next read or at COMMIT.

    #: (batch id, root seq, leaf count) read by begin_batch for append_notes
    _open_batch: tuple | None = None

    def begin_batch(self, digest, n_items, now):
        """Insert the batch row; returns its id."""
        c = self.conn
        seq, last, n_leaves = c.execute(
            "SELECT MAX(seq), (SELECT MAX(batch_id) FROM batches), "
            "(SELECT n_leaves FROM roots ORDER BY seq DESC LIMIT 1) FROM roots"
        ).fetchone()
        batch_id = (last or 0) + 1
        c.execute(
            "INSERT INTO batches(batch_id, digest, n_items, applied_at, root_seq) "
            "VALUES (?, ?, ?, ?, ?)",
            (batch_id, digest, n_items, now, seq + 1),
        )
        self._open_batch = (batch_id, seq + 1, n_leaves)
        return batch_id

    def append_notes(self, batch_id, items):
        """Append the note commitments ``[(item_index, commitment[, ciphertext])]``
        as leaves in order and record the new root; returns ``(first leaf
        index, root)``.  ``ciphertext``: the note's public ciphertext (a
        sequence of field elements) or None."""
        c = self.conn
        opened = self._open_batch
        if opened is not None and opened[0] == batch_id:
            _, seq, n0 = opened
        else:
            n0 = self.n_leaves()
            seq = c.execute(
                "SELECT root_seq FROM batches WHERE batch_id = ?", (batch_id,)
            ).fetchone()[0]
        self._open_batch = None
        rows = [(it[0], it[1], it[2] if len(it) > 2 else None) for it in items]
        root = self.tree.append_many(n0, [cm for _, cm, _ in rows])
        c.defer_many(
            "notes",
            ("leaf_index", "commitment", "batch_id", "item_index", "ciphertext"),
            [
                (n0 + k, str(cm), batch_id, i, None if ct is None else ",".join(map(str, ct)))
                for k, (i, cm, ct) in enumerate(rows)
            ],
        )
        c.defer(
            "roots",
            ("seq", "root", "n_leaves", "batch_id"),
            (seq, str(root), n0 + len(items), batch_id),
        )
        return n0, root

    def record_nullifiers(self, batch_id, items):
        """Spend the nullifiers ``[(item_index, nullifier)]``."""
        self.conn.defer_many(
            "nullifiers",
            ("nullifier", "batch_id", "item_index"),
            [(str(n), batch_id, i) for i, n in items],
        )

    def open_orders(self, batch_id, items):
        """Open the orders ``[(item_index, point, source)]``."""
        self.conn.defer_many(
            "open_orders",
            ("order_point", "source", "batch_id", "item_index"),
            [(point_key(p), source, batch_id, i) for i, p, source in items],
        )

    def consume_orders(self, batch_id, items):
        """Consume the orders ``[(item_index, point)]``: recorded as consumed and
        no longer open.  Run after :meth:`open_orders` of the same batch (an
        order opened by one item may be matched by a later one)."""
        keys = [point_key(p) for _, p in items]
        self.conn.defer_many(
            "consumed_orders",
            ("order_point", "batch_id", "item_index"),
            [(k, batch_id, i) for k, (i, _) in zip(keys, items)],
        )
        for j in range(0, len(keys), self.conn.IN_CHUNK):
            cond, params = self.conn.member(keys[j : j + self.conn.IN_CHUNK])
            self.conn.execute(f"DELETE FROM open_orders WHERE order_point {cond}", params)

    def consume_order(self, batch_id, item_index, point):
        self.consume_orders(batch_id, [(item_index, point)])

    def open_order(self, batch_id, item_index, point, source):
        self.open_orders(batch_id, [(item_index, point, source)])

    def move_escrow(self, batch_id, item_index, asset, delta, account=None, recipient=None):
        """Escrow balance of ``asset`` += ``delta`` (callers check it stays >= 0)."""
        bal = self.escrow_balance(asset) + int(delta)
        self.conn.defer(
            "escrow",
            ("asset", "balance"),
            (str(asset), str(bal)),
            "ON CONFLICT(asset) DO UPDATE SET balance = excluded.balance",
            key=str(asset),
        )
        self._set_balance("escrow", asset, bal)
        self.conn.defer(
            "escrow_moves",
            ("batch_id", "item_index", "account", "asset", "delta", "recipient"),
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
        self.conn.defer(
            "funds",
            ("name", "balance"),
            (str(name), str(bal)),
            "ON CONFLICT(name) DO UPDATE SET balance = excluded.balance",
            key=str(name),
        )
        self._set_balance("funds", name, bal)
        self.conn.defer(
            "fund_moves",
            ("batch_id", "item_index", "name", "delta", "note"),
            (batch_id, item_index, str(name), str(int(delta)), note),
        )

    def move_fund_position(self, name, instrument, size, notional):
        """Fund ``name`` takes over ``size`` lots of ``instrument`` at a cost of
        ``notional`` (both signed); a position back at 0 keeps its cost
        (realised profit or loss of the fund, valued like a note's slot)."""
        pos, cost = self.fund_positions(name).get(int(instrument), (0, 0))
        self.conn.execute(
            "INSERT INTO fund_positions(name, instrument, position, cost) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name, instrument) DO UPDATE SET position = excluded.position, "
            "cost = excluded.cost",
            (str(name), str(int(instrument)), str(pos + int(size)), str(cost + int(notional))),
        )

    def record_fund_withdrawal(self, batch_id, item_index, seq, fund, amount, recipient, sig):
        """Log an operator fund withdrawal with its signature (JSON)."""
        import json

        from ..domain.signing_key import signature_to_json

        self.conn.execute(
            "INSERT INTO fund_withdrawals(seq, batch_id, item_index, fund, amount, recipient, "
            "signature) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                int(seq),
                batch_id,
                item_index,
                str(fund),
                str(int(amount)),
                str(int(recipient)),
                json.dumps(signature_to_json(sig)),
            ),
        )

    def register_account(self, account, batch_id):
        self.conn.defer(
            "accounts",
            ("account", "first_batch"),
            (str(account), batch_id),
            "ON CONFLICT DO NOTHING",
            key=str(account),
        )

    def record_trade(self, batch_id, item_index, trade_id, epoch_id, instrument, price, matched_at):
        self.conn.defer(
            "trades",
            (
                "trade_commitment",
                "epoch_id",
                "batch_id",
                "item_index",
                "instrument",
                "price",
                "matched_at",
            ),
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
        self.conn.defer(
            "health_proofs",
            ("epoch_id", "account", "batch_id", "item_index", "proved_at"),
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

    def _sqlite_only(self, what):
        if self.conn.dialect != "sqlite":
            raise LedgerError(f"{self.path}: {what} is for SQLite ledgers")

    def checkpoint(self):
        """Fold the WAL into the main file and truncate it (for byte comparisons)."""
        self._sqlite_only("checkpoint")
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise LedgerError(f"{self.path}: checkpoint blocked by another connection")

    def integrity_check(self):
        self._sqlite_only("integrity_check")
        return [r[0] for r in self.conn.execute("PRAGMA integrity_check")]

    def dump(self):
        """The whole database as SQL text (stable order), for comparisons."""
        self._sqlite_only("dump")
        return "\n".join(self.conn.iterdump())

    # -- public reads for the service's API (JSON-able, paged) --------------

    @staticmethod
    def _page_size(limit):
        return max(1, min(int(limit), MAX_PAGE))

    def batches_page(self, after=0, limit=100):
        rows = self.conn.execute(
            "SELECT b.batch_id, b.digest, b.n_items, b.applied_at, r.root, r.n_leaves "
            "FROM batches b JOIN roots r ON r.seq = b.root_seq "
            "WHERE b.batch_id > ? ORDER BY b.batch_id LIMIT ?",
            (int(after), self._page_size(limit)),
        ).fetchall()
        return [self._batch_row(r) for r in rows]

    def latest_batches(self, limit=20):
        rows = self.conn.execute(
            "SELECT b.batch_id, b.digest, b.n_items, b.applied_at, r.root, r.n_leaves "
            "FROM batches b JOIN roots r ON r.seq = b.root_seq "
            "ORDER BY b.batch_id DESC LIMIT ?",
            (self._page_size(limit),),
        ).fetchall()
        return [self._batch_row(r) for r in rows]

    def batch_detail(self, batch_id):
        row = self.conn.execute(
            "SELECT b.batch_id, b.digest, b.n_items, b.applied_at, r.root, r.n_leaves "
            "FROM batches b JOIN roots r ON r.seq = b.root_seq WHERE b.batch_id = ?",
            (int(batch_id),),
        ).fetchone()
        if row is None:
            return None
        out = self._batch_row(row)
        c = self.conn
        out["nullifiers"] = [
            n
            for (n,) in c.execute(
                "SELECT nullifier FROM nullifiers WHERE batch_id = ? "
                "ORDER BY item_index, nullifier",
                (int(batch_id),),
            )
        ]
        out["notes"] = [
            {"leaf_index": i, "commitment": cm}
            for i, cm in c.execute(
                "SELECT leaf_index, commitment FROM notes WHERE batch_id = ? ORDER BY leaf_index",
                (int(batch_id),),
            )
        ]
        out["trades"] = c.execute(
            "SELECT COUNT(*) FROM trades WHERE batch_id = ?", (int(batch_id),)
        ).fetchone()[0]
        return out

    @staticmethod
    def _batch_row(r):
        return {
            "batch_id": r[0],
            "digest": r[1],
            "n_items": r[2],
            "applied_at": r[3],
            "root": r[4],
            "n_leaves": r[5],
        }

    def roots_page(self, after_seq=-1, limit=100):
        return [
            {"seq": s, "root": root, "n_leaves": n, "batch_id": b}
            for s, root, n, b in self.conn.execute(
                "SELECT seq, root, n_leaves, batch_id FROM roots WHERE seq > ? "
                "ORDER BY seq LIMIT ?",
                (int(after_seq), self._page_size(limit)),
            )
        ]

    def root_status(self, root):
        row = self.conn.execute(
            "SELECT seq, n_leaves, batch_id FROM roots WHERE root = ? ORDER BY seq LIMIT 1",
            (str(root),),
        ).fetchone()
        if row is None:
            return {"root": str(root), "known": False}
        return {
            "root": str(root),
            "known": True,
            "seq": row[0],
            "n_leaves": row[1],
            "batch_id": row[2],
        }

    def nullifier_status(self, value):
        row = self.conn.execute(
            "SELECT batch_id, item_index FROM nullifiers WHERE nullifier = ?", (str(value),)
        ).fetchone()
        if row is None:
            return {"nullifier": str(value), "spent": False}
        return {"nullifier": str(value), "spent": True, "batch_id": row[0], "item_index": row[1]}

    def notes_page(self, after=-1, limit=100):
        """Notes with leaf index > ``after``, with their ciphertexts (wallet sync)."""
        return [
            {
                "leaf_index": i,
                "commitment": cm,
                "batch_id": b,
                "ciphertext": None if ct is None else ct.split(","),
            }
            for i, cm, b, ct in self.conn.execute(
                "SELECT leaf_index, commitment, batch_id, ciphertext FROM notes "
                "WHERE leaf_index > ? ORDER BY leaf_index LIMIT ?",
                (int(after), self._page_size(limit)),
            )
        ]

    def note_info(self, commitment):
        row = self.conn.execute(
            "SELECT leaf_index, batch_id FROM notes WHERE commitment = ?", (str(commitment),)
        ).fetchone()
        if row is None:
            return None
        return {"commitment": str(commitment), "leaf_index": row[0], "batch_id": row[1]}

    def epochs(self):
        return [
            {
                "epoch_id": e,
                "data_hash": h,
                "published_at": p,
                "deadline": d,
                "closed_at": c,
            }
            for e, h, p, d, c in self.conn.execute(
                "SELECT epoch_id, data_hash, published_at, deadline, closed_at FROM oracle_epochs "
                "ORDER BY epoch_id"
            )
        ]

    def open_orders_page(self, after="", limit=100):
        return [
            {"order": pt.split(","), "source": src, "batch_id": b}
            for pt, src, b in self.conn.execute(
                "SELECT order_point, source, batch_id FROM open_orders WHERE order_point > ? "
                "ORDER BY order_point LIMIT ?",
                (str(after), self._page_size(limit)),
            )
        ]

    def liquidatable_rows(self, epoch_id=None, pending_only=False):
        return [
            {"epoch_id": e, "account": a, "reason": r, "liquidated_batch": b}
            for e, a, r, b in self.liquidatable(epoch_id, pending_only)
        ]


class Known:
    """The answer of :meth:`Ledger.known`: known roots, spent nullifiers,
    existing note commitments (ints), open and consumed orders (point keys)
    and epochs by data hash (``(epoch_id, deadline, closed_at)``)."""

    def __init__(self):
        self.roots: set[int] = set()
        self.spent: set[int] = set()
        self.notes: set[int] = set()
        self.open_orders: set[str] = set()
        self.consumed_orders: set[str] = set()
        self.epochs: dict[int, tuple] = {}

    def order_open(self, point):
        return point_key(point) in self.open_orders

    def order_consumed(self, point):
        return point_key(point) in self.consumed_orders


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

"""What one ``zkats serve`` process holds: the venue directory, the ledger
database, the verifying keys, and one settlement service per worker thread.

The venue directory gives the public metadata (``venue.json``: instruments,
published oracle epochs with their entries and marks, the development clock
offset) and the verifying keys (``keys/NAME.vkey.json``).  ``venue.json`` is
re-read whenever its modification time changes, so ``zkats venue
advance-clock`` or a second server publishing an epoch is seen at once.

The ledger is ``DIR/ledger.db`` unless ``db`` names another database
(``sqlite:///PATH``, a plain path, or ``postgresql://...``).  Each worker
thread opens its own connection (a :class:`SettlementService`): SQLite
connections are not shared between threads.

A submitted batch is decoded, pre-checked and verified in the request's
worker thread (:meth:`SettlementService.prepare`, no lock held: the
batches of concurrent requests verify in parallel, the native verifier
releases the GIL), then handed to the process's one committer thread
(:class:`GroupCommitter`), which applies every batch waiting at that moment
in ONE write transaction (:meth:`SettlementService.apply_prepared`: each
batch re-checked against the ledger as the ones before it left it, a
refused one rolled back to its savepoint).  One lock, one commit and one
fsync serve the whole group; a request is answered only after the commit,
so an acknowledged batch is durable.  When nothing else waits, a group is
one batch (no added delay).  Other processes (a second ``zkats serve``,
``zkats settle``) still meet at the database's write lock.
"""

import os
import queue
import sqlite3
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from ..errors import InputError, LedgerError
from ..venue import workflow
from ..venue.settlement import Groth16Verifier, SettlementService


def ledger_target(venue_dir, db=None):
    """The ledger location for ``SettlementService``: a path or a URL."""
    if db is None or db == "":
        return str(Path(venue_dir) / "ledger.db")
    if db.startswith("sqlite:///"):
        return db[len("sqlite:///") - 1 :]
    if db.startswith(("postgresql://", "postgres://")):
        return db
    if "://" in db:
        raise InputError(
            f"--db {db.split('://')[0]}://...: unsupported database (sqlite or postgresql)"
        )
    return db


def _broken(conn):
    """True when a PostgreSQL connection was lost (SQLite connections never are)."""
    raw = getattr(conn, "raw", conn)
    return bool(getattr(raw, "broken", False) or getattr(raw, "closed", False) is True)


class _Meta:
    """``venue.json``, reloaded when its mtime changes."""

    def __init__(self, venue_dir):
        self.path = Path(venue_dir) / "venue.json"
        self._lock = threading.Lock()
        self._stamp = None
        self._meta = None

    def get(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise InputError(f"{self.path.parent}: not a venue directory") from None
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._meta = workflow.read_json(self.path, "zkats-venue")
                except InputError:
                    if self._meta is None:
                        raise
                    return self._meta  # caught mid-rewrite: the previous version
                self._stamp = stamp
            return self._meta


class GroupCommitter:
    """The thread that applies the verified batches of every request thread of
    the process, as many at a time as are waiting (at most ``max_group``)."""

    def __init__(self, venue, max_group=64):
        self.venue = venue
        self.max_group = max_group
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, prepared):
        """Apply ``prepared`` (with whatever else waits); its receipt, or raise."""
        fut: Future = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="zkats-committer", daemon=True
                )
                self._thread.start()
        self._q.put((prepared, fut))
        result = fut.result()
        if isinstance(result, BaseException):
            raise result
        return result

    def _run(self):
        while True:
            first = self._q.get()
            if first is None:
                return
            group, stop = [first], False
            while len(group) < self.max_group:
                try:
                    nxt = self._q.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                group.append(nxt)
            try:
                results = self.venue.service().apply_prepared([p for p, _ in group])
            except BaseException as err:  # the transaction failed: nothing applied
                results = [err] * len(group)
            for (_, fut), result in zip(group, results):
                fut.set_result(result)
            if stop:
                return

    def stop(self, timeout=10.0):
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._q.put(None)
            thread.join(timeout)


class ServedVenue:
    """The state behind the app.  ``clock`` overrides the venue clock (tests)."""

    def __init__(self, venue_dir, db=None, clock=None, verifier=None, netting=None):

        self.dir = Path(venue_dir)
        if not (self.dir / "venue.json").exists():
            raise InputError(f"{self.dir}: not a venue directory (run `zkats venue init` first)")
        self.meta = _Meta(self.dir)
        self.meta.get()
        self.target = ledger_target(self.dir, db)
        self.verifier = verifier or Groth16Verifier.from_dir(self.dir / "keys")
        self.netting = netting
        self._clock = clock
        self._local = threading.local()
        self._all = []
        self._all_lock = threading.Lock()
        #: serialises this process's operator actions (venue.json + ledger)
        self.operator_lock = threading.Lock()
        self.started = time.time()
        self.committer = GroupCommitter(self)
        self.service()  # open (and create or migrate) the ledger now: fail at start

    def now(self):
        if self._clock is not None:
            return int(self._clock())
        return int(time.time()) + int(self.meta.get().get("clock_offset", 0))

    def service(self):
        """This thread's settlement service (opened on first use)."""
        svc = getattr(self._local, "svc", None)
        if svc is not None and _broken(svc.ledger.conn):
            # the database went away (PostgreSQL restarted): reconnect
            self._local.svc = None
            with self._all_lock:
                if svc in self._all:
                    self._all.remove(svc)
            try:
                svc.close()
            except Exception:
                _ = None
            svc = None
        if svc is None:
            svc = SettlementService(
                self.target,
                verifier=self.verifier,
                netting=self.netting,
                clock=self.now,
                oracle_key=self.meta.get().get("oracle_key"),
                operator_key=self.meta.get().get("operator_key"),
            )
            self._local.svc = svc
            with self._all_lock:
                self._all.append(svc)
        return svc

    @property
    def ledger(self):
        return self.service().ledger

    def settle(self, batch):
        """Verify ``batch`` in this thread, apply it with the batches other
        threads submit at the same time (group commit); its receipt, or raise
        LedgerError (nothing of it applied)."""
        return self.committer.submit(self.service().prepare(batch))

    def close(self):
        self.committer.stop()
        with self._all_lock:
            for svc in self._all:
                try:
                    svc.close()
                except sqlite3.ProgrammingError:  # opened by another (finished) thread
                    continue
            self._all.clear()

    # -- operator actions ---------------------------------------------------
    def _venue(self):
        """A :class:`workflow.Venue` over this directory that settles through
        this thread's service (publishing writes venue.json and the ledger)."""
        v = workflow.Venue(self.dir)
        v._svc = self.service()
        return v

    def publish_epoch(self, marks, deadline_in, index=None, underlying=None):
        with self.operator_lock:
            v = self._venue()
            ep = v.publish_epoch(marks, deadline_in, index, underlying)
            return ep.epoch_id

    def close_epoch(self, epoch_id):
        with self.operator_lock:
            v = self._venue()
            return v.close_epoch(epoch_id)

    def advance_clock(self, seconds):
        with self.operator_lock:
            meta = self.meta.get()
            if not meta.get("development_keys"):
                raise LedgerError("the clock can only be moved on a development venue")
            v = self._venue()
            v.advance_clock(seconds)
            return v.now()

    # -- public views -------------------------------------------------------
    def venue_public(self):
        m = self.meta.get()
        return {
            "kind": "zkats-venue",
            "version": m.get("version", 1),
            "development_keys": bool(m.get("development_keys")),
            # the venue's size (ci, production): a client at another size refuses it
            "size": m.get("size", "ci"),
            "instruments": dict(m.get("instruments", {})),
            "specs": dict(m.get("specs", {})),
            "settlements": dict(m.get("settlements", {})),
            "epochs": m.get("epochs", {}),
            "venue_id": m.get("venue_id"),
            "oracle_key": m.get("oracle_key"),
            "operator_key": m.get("operator_key"),
            "now": self.now(),
            "depth": self.ledger.depth,
            "circuits": sorted(self.verifier.keys),
        }

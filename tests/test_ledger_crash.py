"""Crash safety and concurrency of the ledger (issue 8).

* A subprocess applies batches and is SIGKILLed at random moments (20 kills
  by default; ``-m slow`` runs 200), then restarted; after every kill the
  ledger passes ``PRAGMA integrity_check``, every batch in it is complete
  (all its notes and nullifiers), nothing from an unapplied batch is
  present, the applied batches are a prefix of the sequence, and the root
  history matches the notes.  At the end every batch is applied exactly once.
* Several processes submit at once: with a shared nullifier exactly one
  wins; without conflicts all succeed and leaf indices stay contiguous.
"""

import multiprocessing
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _settlement_util import (
    EPOCH1,
    check_consistency,
    deposit,
    fast_hash2,
    publish,
    scenario_batch,
    service,
    trade,
)
from zkats.errors import LedgerError
from zkats.venue import batch as B
from zkats.venue.ledger import Ledger

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_ledger_worker.py"
W_DEPTH, W_TRADES = 12, 2


def _expected():
    exp = {}
    for k in range(N_BATCHES):
        b, n_notes, n_nul = scenario_batch(k, W_TRADES, W_DEPTH)
        exp[b.digest()] = (k, n_notes, n_nul)
    return exp


N_BATCHES = 200


def _check_partial(db, expected):
    """Invariants after a crash; returns the number of batches applied."""
    led = Ledger(db, hash2=fast_hash2)
    try:
        check_consistency(led, fast_hash2)
        c = led.conn
        applied = []
        for batch_id, digest in c.execute("SELECT batch_id, digest FROM batches ORDER BY batch_id"):
            assert digest in expected, "unknown batch in the ledger"
            k, n_notes, n_nul = expected[digest]
            got_notes = c.execute(
                "SELECT COUNT(*) FROM notes WHERE batch_id = ?", (batch_id,)
            ).fetchone()[0]
            got_nul = c.execute(
                "SELECT COUNT(*) FROM nullifiers WHERE batch_id = ?", (batch_id,)
            ).fetchone()[0]
            assert (got_notes, got_nul) == (n_notes, n_nul), f"batch {k} partially applied"
            applied.append(k)
        assert applied == list(range(len(applied))), "applied batches are not a prefix"
        total_notes = c.execute("SELECT COUNT(*) FROM notes").fetchone()[0]
        assert total_notes == sum(
            expected_n for _, expected_n, _ in (v for v in expected.values() if v[0] < len(applied))
        )
        return len(applied)
    finally:
        led.close()


def _start(db, *extra):
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(db), str(N_BATCHES), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_kills(tmp_path, kills, seed):
    rnd = random.Random(seed)
    db = tmp_path / "crash.db"
    expected = _expected()
    progress = []
    done = 0
    for _ in range(kills):
        proc = _start(db)
        line = proc.stdout.readline()
        assert line.strip() == "ready", proc.stderr.read()
        # let it get a random few batches further, then kill at a random moment
        target = done + rnd.randint(0, 6)
        while True:
            line = proc.stdout.readline().split()
            if not line or int(line[1]) >= target:
                break
        time.sleep(rnd.uniform(0.0, 0.004))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        done = _check_partial(db, expected)
        progress.append(done)
    # a deterministic kill inside a transaction, after the writes, before COMMIT
    k = progress[-1] + 3
    if k < N_BATCHES:
        proc = _start(db, "--die-inside", str(k))
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == -signal.SIGKILL, err
        assert _check_partial(db, expected) == k
    # finally run to completion: every batch exactly once
    proc = _start(db)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert _check_partial(db, expected) == N_BATCHES
    assert progress == sorted(progress)
    return progress


def test_sigkill_during_apply(tmp_path):
    progress = _run_kills(tmp_path, kills=20, seed=1)
    # the kills landed while batches were being applied, not all after the end
    assert progress[-1] < N_BATCHES and len(set(progress)) > 5


@pytest.mark.slow
def test_sigkill_during_apply_many(tmp_path):
    _run_kills(tmp_path, kills=200, seed=2)


# ---------------------------------------------------------------------------
# concurrent submitters (separate processes)
# ---------------------------------------------------------------------------


def _submit(args):
    db, k, barrier, conflict = args
    svc = service(db)
    try:
        if conflict:
            # every process spends nullifier 11, with otherwise distinct values
            b = B.Batch(
                [deposit(5000 + k, 40 + k, 1), trade(100 + k, 11, 200 + k, 300 + k, 400 + k)]
            )
            barrier.wait()
            try:
                r = svc.apply(b)
                return ("ok", r.batch_id)
            except LedgerError as err:
                return ("rejected", str(err))
        barrier.wait()
        ids = []
        for j in range(5):
            b, _, _ = scenario_batch(100 * (k + 1) + j)
            ids.append(svc.apply(b).batch_id)
        return ("ok", ids)
    finally:
        svc.close()


def _prepared(tmp_path):
    db = tmp_path / "conc.db"
    s = service(db)
    publish(s, 1, EPOCH1, 10**9)
    s.close()
    return db


N_PROC = 4


def test_concurrent_conflicting_nullifier(tmp_path):
    db = _prepared(tmp_path)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as mgr:
        barrier = mgr.Barrier(N_PROC)
        with ctx.Pool(N_PROC) as pool:
            results = pool.map(_submit, [(str(db), k, barrier, True) for k in range(N_PROC)])
    oks = [r for r in results if r[0] == "ok"]
    assert len(oks) == 1, results
    for status, msg in results:
        if status == "rejected":
            assert "nullifier 11 is already spent" in msg
    led = Ledger(db, hash2=fast_hash2)
    assert check_consistency(led) == 3  # one deposit + two trade notes
    assert (
        led.conn.execute("SELECT COUNT(*) FROM nullifiers WHERE nullifier = '11'").fetchone()[0]
        == 1
    )
    led.close()


def test_concurrent_disjoint_submitters(tmp_path):
    db = _prepared(tmp_path)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as mgr:
        barrier = mgr.Barrier(N_PROC)
        with ctx.Pool(N_PROC) as pool:
            results = pool.map(_submit, [(str(db), k, barrier, False) for k in range(N_PROC)])
    ids = sorted(i for _, lst in results for i in lst)
    assert ids == list(range(1, 5 * N_PROC + 1))
    led = Ledger(db, hash2=fast_hash2)
    _, n_notes, _ = scenario_batch(0)
    assert check_consistency(led) == 5 * N_PROC * n_notes
    led.close()

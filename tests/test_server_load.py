"""Load and faults against ``zkats serve`` subprocesses on 127.0.0.1.

* load: 16 concurrent submitters for 5 s (30 s under ``-m slow``) mixing valid batches, replays and
  conflicting double spends: each valid batch applied once, each replay and
  each losing double spend refused, the root recomputed from the leaves;
  batches/s and p50/p95 latency are reported in the terminal summary;
* SIGKILL of the server at random points under load, then restart (SQLite
  and PostgreSQL): nothing acknowledged is lost, nothing half-applied, a
  resubmitted batch is applied at most once;
* two servers on one SQLite ledger with conflicting batches.

Proofs are real Groth16 proofs for trapdoor keys (``_server_util``), verified
by the service for real.  Counts and durations are bounded.
"""

import random
import time

import httpx
import pytest

from _server_util import Load, Server, SimProver, check_consistent, sim_venue

KILLS = 4
#: seconds of the 16-submitter load: a short run in the default suite (the
#: same checks), the long one under ``-m slow``
LOAD_SECONDS = [5, pytest.param(30, marks=pytest.mark.slow)]


@pytest.fixture(scope="module")
def sim():
    return SimProver(seed=7)


def _root(url):
    return int(httpx.get(url + "/v1/roots/current").json()["root"])


def _check_mix(load):
    assert load.errors == [], load.errors[:3]
    assert load.lost == []
    assert load.replays and all(s == 409 for s, _ in load.replays)
    assert all("already spent" in e for _, e in load.replays)
    for group, results in load.conflicts.items():
        statuses = sorted(s for s, _, _ in results)
        assert statuses in ([201], [201, 409]), (group, results)
        for s, _, body in results:
            if s == 409:
                assert "already spent" in body["error"]
    assert sum(1 for r in load.conflicts.values() if len(r) == 2) > 0


@pytest.mark.parametrize("seconds", LOAD_SECONDS)
def test_load_16_submitters(tmp_path, sim, server_figures, seconds):
    venue = sim_venue(tmp_path / "venue", sim)
    with Server(venue) as srv:
        load = Load([srv.url], sim, _root(srv.url)).run(16, seconds)
        _check_mix(load)
        batches, unacked = check_consistent(load, srv.url)
        assert unacked == []  # every request was answered: nothing applied unacknowledged
        assert len(batches) == len(load.acked)
    server_figures[f"load sqlite (16 submitters, {seconds} s)"] = load.figures()


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_sigkill_under_load_then_restart(tmp_path, sim, server_figures, store, request):
    db = request.getfixturevalue("pg_url") if store == "postgresql" else None
    venue = sim_venue(tmp_path / "venue", sim)
    srv = Server(venue, db=db).start()
    kills = []

    def killer(load):
        rng = random.Random(11)
        for _ in range(KILLS):
            n0 = len(load.acked)
            time.sleep(rng.uniform(0.3, 1.5))
            t0 = time.monotonic()
            while len(load.acked) == n0:  # kill while batches are flowing
                assert time.monotonic() - t0 < 120, (
                    f"no progress: {load.errors[:2]} {load.lost[-2:]}"
                )
                time.sleep(0.05)
            srv.kill()
            kills.append(len(load.acked))
            time.sleep(rng.uniform(0.0, 0.3))
            srv.start()
        time.sleep(1.0)

    try:
        load = Load([srv.url], sim, _root(srv.url), mix=(1.0, 0.0, 0.0))
        load.run(8, None, during=killer)
        assert len(kills) == KILLS
        # every unanswered batch was retried until answered: 201 (not applied
        # before) or 409 "already spent" (applied before the kill, answer lost)
        batches, unacked = check_consistent(load, srv.url)
        assert unacked == []
    finally:
        srv.stop()
    server_figures[f"sigkill {store}"] = {
        "kills": len(kills),
        "applied": len(batches),
        "unanswered_then_retried": len(load.lost),
        "of_which_applied_before_kill": len(load.late),
    }


def test_two_servers_one_sqlite_ledger(tmp_path, sim, server_figures):
    """Two ``zkats serve`` processes on one SQLite file, sent conflicting
    double spends of the same nullifier at once: one of each pair applied,
    the other refused, the ledger whole (writers meet at SQLite's lock)."""
    venue = sim_venue(tmp_path / "venue", sim)
    with Server(venue) as a, Server(venue) as b:
        load = Load([a.url, b.url], sim, _root(a.url), mix=(0.4, 0.2, 0.4))
        load.run(8, 4)
        _check_mix(load)
        batches, unacked = check_consistent(load, b.url)
        assert unacked == [] and len(batches) == len(load.acked)
    server_figures["two servers, one sqlite ledger (8 submitters, 4 s)"] = load.figures()

"""The ledger on PostgreSQL (a real server started by the ``pg_server``
fixture; missing binaries fail under CI=true): the same batches give the
same ledger as on SQLite; load through ``zkats serve --db postgresql://``;
PostgreSQL crash-restarted under load; two servers on one database with
conflicting batches."""

import random
import time

import httpx
import pytest

from _server_util import (
    Load,
    Server,
    SimProver,
    check_consistent,
    deposit_batch,
    sim_venue,
    token,
    trade_items,
)
from zkats.server.state import ServedVenue

#: seconds of the 16-submitter load: a short run in the default suite (the
#: same checks), the long one under ``-m slow``
LOAD_SECONDS = [5, pytest.param(30, marks=pytest.mark.slow)]


@pytest.fixture(scope="module")
def sim():
    return SimProver(seed=13)


def _root(url):
    return int(httpx.get(url + "/v1/roots/current").json()["root"])


def test_same_batches_same_ledger_on_sqlite_and_postgresql(tmp_path, sim, pg_url):
    """Two honest services given the same batches compute the same ledger."""
    a = ServedVenue(sim_venue(tmp_path / "a", sim), clock=lambda: 1_000_000)
    b = ServedVenue(sim_venue(tmp_path / "b", sim), db=pg_url, clock=lambda: 1_000_000)
    root = a.ledger.current_root()
    assert b.ledger.current_root() == root
    for sv in (a, b):
        sv.publish_epoch({"BTC-PERP": 60000}, 600)
    ea, eb = a.ledger.latest_epoch(), b.ledger.latest_epoch()
    assert ea[:2] == eb[:2]  # id and data hash (deadlines come from the wall clock)
    inst = int(a.venue_public()["instruments"]["BTC-PERP"])
    batches = [deposit_batch(sim, root, n=3) for _ in range(3)]
    from zkats.venue import batch as B

    batches.append(B.Batch(trade_items(sim, root, ea[0], int(ea[1]), inst, 1_000_000)))
    for batch in batches:
        ra, rb = a.service().apply(batch), b.service().apply(batch)
        assert (ra.batch_id, ra.root, ra.leaf_indices) == (rb.batch_id, rb.root, rb.leaf_indices)
    sa, sb = a.ledger.summary(), b.ledger.summary()
    assert sa == sb
    assert a.ledger.notes() == b.ledger.notes()
    assert a.ledger.root_history() == b.ledger.root_history()
    # a replay is refused with the same reason on both
    from zkats.errors import LedgerError

    msgs = []
    for sv in (a, b):
        with pytest.raises(LedgerError) as e:
            sv.service().apply(batches[0])
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]
    assert b.ledger.summary() == sb
    a.close()
    b.close()


def _mix_ok(load):
    assert load.errors == [], load.errors[:3]
    assert all(s == 409 for s, _ in load.replays)
    for results in load.conflicts.values():
        assert sorted(s for s, _, _ in results) in ([201], [201, 409])


@pytest.mark.parametrize("seconds", LOAD_SECONDS)
def test_load_postgresql_16_submitters(tmp_path, sim, pg_url, server_figures, seconds):
    venue = sim_venue(tmp_path / "venue", sim)
    with Server(venue, db=pg_url) as srv:
        load = Load([srv.url], sim, _root(srv.url)).run(16, seconds)
        _mix_ok(load)
        batches, unacked = check_consistent(load, srv.url)
        assert unacked == [] and len(batches) == len(load.acked)
    server_figures[f"load postgresql (16 submitters, {seconds} s)"] = load.figures()


def test_two_servers_one_postgresql_database(tmp_path, sim, pg_url, server_figures):
    venue = sim_venue(tmp_path / "venue", sim)
    with Server(venue, db=pg_url) as a, Server(venue, db=pg_url) as b:
        load = Load([a.url, b.url], sim, _root(a.url), mix=(0.4, 0.2, 0.4))
        load.run(8, 4)
        _mix_ok(load)
        assert sum(1 for r in load.conflicts.values() if len(r) == 2) > 0
        batches, unacked = check_consistent(load, b.url)
        assert unacked == [] and len(batches) == len(load.acked)
    server_figures["two servers, one postgresql database (8 submitters, 4 s)"] = load.figures()


def test_postgresql_restarted_under_load(tmp_path, sim, pg_server, server_figures):
    pg_url = pg_server.new_database()
    venue = sim_venue(tmp_path / "venue", sim)
    restarts = []
    with Server(venue, db=pg_url) as srv:

        def crash_db(load):
            rng = random.Random(5)
            for _ in range(2):
                n0 = len(load.acked)
                time.sleep(rng.uniform(0.5, 1.5))
                while len(load.acked) == n0:
                    time.sleep(0.05)
                pg_server.restart_immediate()
                restarts.append(len(load.acked))
            n0 = len(load.acked)
            t0 = time.monotonic()
            while len(load.acked) < n0 + 10:  # the service recovers by itself
                assert time.monotonic() - t0 < 120, load.errors[-3:]
                time.sleep(0.1)

        load = Load([srv.url], sim, _root(srv.url), mix=(1.0, 0.0, 0.0))
        load.run(8, None, during=crash_db)
        # answers during the outage are 503s (nothing applied), never 5xx others
        assert {s for _, s, _ in load.errors} <= {503}
        for _, _, text in load.errors:
            assert "nothing was applied" in text or "unavailable" in text
        batches, unacked = check_consistent(load, srv.url)
        assert unacked == []
    server_figures["postgresql restarted under load"] = {
        "restarts": len(restarts),
        "applied": len(batches),
        "refused_503_during_outage": len(load.errors),
    }


def test_demo_operator_token_on_postgresql(tmp_path, sim, pg_url):
    """Operator endpoints and epochs through a PostgreSQL-backed server."""
    venue = sim_venue(tmp_path / "venue", sim)
    with Server(venue, db=pg_url) as srv:
        h = {"Authorization": f"Bearer {token(venue)}"}
        r = httpx.post(srv.url + "/v1/epochs", json={"marks": {"BTC-PERP": 1}}, headers=h)
        assert r.status_code == 201
        assert httpx.get(srv.url + "/v1/epochs").json()["epochs"][0]["epoch_id"] == 1

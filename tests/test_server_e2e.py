"""The demo scenario through the HTTP API of a running ``zkats serve``, with
real proofs from the venue's development keys: deposits, resting limit
orders and their match, an RFQ, a mark move, health proofs, a missed
deadline, the liquidation agent liquidating the delegated account (once,
across restarts), a withdrawal; and the trader's CLI with ``--service``.
"""

import json
import shutil
import subprocess
import sys

import pytest

from _server_util import ROOT, Server, token
from zkats.domain import orders
from zkats.errors import LedgerError
from zkats.server.agent import AgentState, LiquidationAgent
from zkats.server.client import RemoteVenue
from zkats.venue.workflow import Venue, Wallet, check_healthy


def zkats(*args, env=None, check=True):
    r = subprocess.run(
        [sys.executable, "-m", "zkats.cli", *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    if check and r.returncode != 0:
        raise AssertionError(f"zkats {' '.join(map(str, args))}: {r.stderr.strip()}")
    return r


@pytest.fixture(scope="module")
def venue_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("served") / "venue"
    v = Venue.init(d)
    v.close()
    from zkats.server.auth import create_token

    create_token(d)
    return d


def run_scenario(url, tok, private, caps):
    """The demo through ``RemoteVenue``; returns what the test checks."""
    v = RemoteVenue(url, token=tok)
    names = ("alice", "bob", "carol")
    w = {n: Wallet.create(private / f"{n}.wallet", name=n) for n in names}
    amounts = {"alice": 60_000, "bob": 200_000, "carol": 100_000}
    r = v.settle([v.deposit(w[n], amounts[n]) for n in names])
    assert r.n_items == 3
    for wl in w.values():
        wl.sync(v.ledger)
    # alice delegates to the risk engine BEFORE she trades: the capability
    # carries her first note only and follows her from the ledger afterwards
    w["alice"].export(caps / "alice.cap", "liquidation")
    buy = v.new_order(w["alice"], "BTC-PERP", "buy", 6, 60_100)
    sell = v.new_order(w["bob"], "BTC-PERP", "sell", 6, 59_900)
    v.settle([v.order_item(so) for so in (buy, sell)])
    item, _ = v.match(buy, sell, w["alice"], w["bob"])
    v.settle([item])
    # RFQ
    import secrets

    req = orders.Request(v.instrument("BTC-PERP"), orders.BUY, 2, v.now() + 600)
    q = orders.quote(req, w["bob"].key, 60_050, secrets.randbits(63))
    m2 = orders.accept(q, w["carol"].key, secrets.randbits(63), v.now())
    opening = [v.order_item(so) for so in (m2.a, m2.b)]
    item, _ = v.match(m2.a, m2.b, w["carol"], w["bob"], m2.fill, m2.price)
    v.settle(opening + [item])
    for wl in w.values():
        wl.sync(v.ledger)
    # mark move and health
    ep = v.publish_epoch({"BTC-PERP": 52_000}, deadline_in=600)
    healthy = [n for n in names if check_healthy(w[n], ep)]
    assert healthy == ["bob", "carol"]
    v.settle([v.health(w[n]) for n in healthy])
    v.advance_clock(601)
    return v, w, ep


@pytest.mark.slow
def test_demo_scenario_through_the_api(venue_dir, tmp_path):
    """The scenario with the ledger in SQLite.  Slow: the default suite runs
    it on PostgreSQL (the next test; same server code, the store differs),
    the SQLite store behind ``zkats serve`` in ``test_trader_cli_with_service``
    and ``test_cli_venue.py::test_cli_happy_paths_with_real_proofs[service]``,
    and the same batches give the same ledger on both stores
    (``test_server_pg.py::test_same_batches_same_ledger_on_sqlite_and_postgresql``)."""
    _demo_through_the_api(venue_dir, tmp_path)


def test_demo_scenario_through_the_api_on_postgresql(venue_dir, tmp_path, pg_url):
    """The same scenario with the ledger in PostgreSQL (a copy of the venue
    directory: its own venue.json).  The new database starts without the
    directory's first epoch, so the operator publishes one first."""
    served = tmp_path / "venue"
    shutil.copytree(venue_dir, served, ignore=shutil.ignore_patterns("ledger.db*", "server-*"))
    with Server(served, db=pg_url) as srv:
        from zkats.server.client import Client

        with Client(srv.url, token=token(served)) as c:
            c.publish_epoch({"BTC-PERP": 60_000}, 3600)
    _demo_through_the_api(served, tmp_path, db=pg_url)


def _demo_through_the_api(venue_dir, tmp_path, db=None):
    tok = token(venue_dir)
    private, caps = tmp_path / "private", tmp_path / "caps"
    private.mkdir()
    caps.mkdir()
    with Server(venue_dir, db=db) as srv:
        v, w, ep = run_scenario(srv.url, tok, private, caps)
        # the agent closes the due epoch (operator token) and liquidates alice
        agent = LiquidationAgent(srv.url, caps, token=tok)
        events = agent.pass_once()
        assert [e["status"] for e in events] == ["applied"]
        assert events[0]["account"] == str(w["alice"].key.account)
        # alice (her wallet) and the capability read the post-liquidation note
        alice = Wallet.load(private / "alice.wallet")
        assert alice.sync(v.ledger) and all(s.position == 0 for s in alice.note.slots)
        assert Wallet.load(caps / "alice.cap").sync(v.ledger) == []
        assert Wallet.load(caps / "alice.cap").note == alice.note
        assert agent.pass_once() == []  # nothing twice
        agent.close()
        liq = v.client.liquidatable()
        assert [(x["account"], x["liquidated_batch"] is not None) for x in liq] == [
            (str(w["alice"].key.account), True)
        ]
    # restart the server; a new agent with the same state submits nothing
    with Server(venue_dir, db=db) as srv:
        state = AgentState(caps / "agent-state.json")
        key = f"{ep.epoch_id}:{w['alice'].key.account}"
        assert state.submissions[key]["status"] == "applied"
        # a crash between submitting and recording: reconciled from the ledger
        state.set(key, status="submitting")
        agent = LiquidationAgent(srv.url, caps, token=tok)
        assert agent.pass_once() == []
        assert AgentState(caps / "agent-state.json").submissions[key]["status"] == "applied"
        agent.close()
        v = RemoteVenue(srv.url, token=tok)
        carol = Wallet.load(private / "carol.wallet")
        wd = [v.withdraw(carol, 20_000, 0xC0FFEE)]
        r = v.settle(wd)
        s = v.ledger.summary()
        assert s["batches"] == r.batch_id == 7
        assert s["trades"] == 2 and s["liquidatable_pending"] == 0
        escrow = sum(int(b) for b in s["escrow"].values())
        assert escrow == 60_000 + 200_000 + 100_000 - 20_000
        # a replay through the API: the local service's one-line reason
        with pytest.raises(
            LedgerError, match=r"^item 0 \(withdraw\): withdraw nullifier .* is already spent$"
        ):
            v.settle(wd)
        v.close()


def test_trader_cli_with_service(venue_dir, tmp_path):
    tok_file = venue_dir / "operator.token"
    with Server(venue_dir) as srv:
        env = dict(__import__("os").environ, ZKATS_SERVICE=srv.url)
        env.pop("ZKATS_VENUE", None)
        wallet = tmp_path / "dave.wallet"
        zkats("keys", "new", wallet, "--name", "dave")
        out = tmp_path / "dep.json"
        r = zkats("deposit", "5000", "-w", wallet, "-o", out, "--settle", "--json", "-q", env=env)
        settled = json.loads(r.stdout)["settled"]
        # replaying the batch file through the service: one line, exit 1, like locally
        r = zkats("settle", out, "-q", env=env, check=False)
        assert r.returncode == 1
        assert r.stderr.startswith("zkats: error: item 0 (deposit): deposit nullifier")
        assert r.stderr.count("\n") == 1
        # the local directory (same ledger) gives the same reason
        local = tmp_path / "local"
        shutil.copytree(venue_dir, local)
        r2 = zkats("settle", out, "-q", "-V", local, check=False)
        assert r2.stderr == r.stderr
        r = zkats("ledger", "show", "--json", "--service", srv.url)
        shown = json.loads(r.stdout)
        assert shown["root"] == settled["root"]
        # dave's order, opened and then cancelled through the service
        order, ob = tmp_path / "dave.order", tmp_path / "ob.json"
        zkats(
            *("order", "new", "-w", wallet, "--side", "buy", "--size", "1"),
            *("--limit", "60000", "-o", order, "--batch", ob, "-q"),
            env=env,
        )
        zkats("settle", ob, "-q", env=env)
        cancel = tmp_path / "cancel.json"
        zkats("order", "cancel", order, "-w", wallet, "-o", cancel, "--settle", "-q", env=env)
        r = zkats("settle", cancel, "-q", env=env, check=False)
        assert r.returncode == 1 and r.stderr.count("\n") == 1
        assert r.stderr.startswith("zkats: error: item 0 (cancel): order ")
        assert "was already matched or cancelled" in r.stderr
        # refused before proving: the service says the order is consumed
        again = tmp_path / "again.json"
        r = zkats("order", "cancel", order, "-w", wallet, "-o", again, "-q", env=env, check=False)
        assert r.returncode == 1 and "was already matched or cancelled" in r.stderr
        assert not again.exists()
        # operator commands need the token
        r = zkats("oracle", "publish", "--mark", "BTC-PERP=61000", "-q", env=env, check=False)
        assert r.returncode == 1 and "operator token" in r.stderr
        r = zkats(
            "oracle",
            "publish",
            "--mark",
            "BTC-PERP=61000",
            "--token-file",
            tok_file,
            "--json",
            "-q",
            env=env,
        )
        assert json.loads(r.stdout)["epoch_id"] >= 2
        # the agent from the CLI: one pass over an empty capability directory
        caps = tmp_path / "caps"
        caps.mkdir()
        r = zkats("agent", "liquidate", "--capabilities", caps, "--once", "--json", "-q", env=env)
        assert r.stdout == "" and (caps / "agent-state.json").exists() is False
        r = zkats(
            "agent", "liquidate", "--capabilities", tmp_path, "--once", "-q", env=env, check=False
        )
        assert r.returncode == 1 and "not a liquidation capability file" in r.stderr
        assert tok_file.read_text().strip() not in r.stdout + r.stderr

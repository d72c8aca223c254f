"""The trader's CLI (zkats/cli/venue.py) and ``zkats demo``.

Fast tests use a venue directory without proving keys (``Venue.init(...,
circuits=())``): wallets, orders, RFQ requests/quotes, oracle epochs, the
ledger summary, and every command's one-line errors.  Two tests make
(or reuse from the key cache) the development keys and run the proving
commands and the whole demo, then grep every public output for the
secrets in the private files (default suite since the known-tau
development path: ~25-40 s each on a cold key cache, ~10 s warm).
"""

import functools
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cli_venue import (
    crossing_orders,
    funded_venue,
    liquidate_args,
    match_args,
    ok,
    one_line_error,
    order_args,
    run,
)

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [
    ["venue", "init"],
    ["venue", "advance-clock"],
    ["venue", "keys"],
    ["venue", "prove"],
    ["keys", "new"],
    ["keys", "export"],
    ["deposit"],
    ["withdraw"],
    ["exit"],
    ["health"],
    ["liquidate"],
    ["match"],
    ["settle"],
    ["order", "new"],
    ["order", "cancel"],
    ["order", "status"],
    ["rfq", "request"],
    ["rfq", "quote"],
    ["rfq", "accept"],
    ["oracle", "publish"],
    ["oracle", "close"],
    ["ledger", "show"],
    ["venue", "funds"],
    ["venue", "withdraw-fund"],
    ["wallet", "show"],
    ["demo"],
]


def mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.fixture
def venue(tmp_path):
    from zkats.venue.workflow import Venue

    v = Venue.init(tmp_path / "v", circuits=())
    v.close()
    return tmp_path / "v"


@pytest.mark.parametrize("cmd", COMMANDS, ids=" ".join)
def test_help(cmd):
    r = ok(*cmd, "--help")
    assert "Usage" in r.output
    if cmd not in (["venue", "advance-clock"],):
        assert "--json" in r.output


def test_keys_new_mode_and_no_overwrite(tmp_path):
    w = tmp_path / "a.wallet"
    r = ok("keys", "new", w, "--json")
    data = json.loads(r.stdout)
    assert mode(w) == 0o600
    d = json.loads(w.read_text())
    assert data["account"] == d["account"]
    assert d["sk"] not in r.output and "nk" not in d  # nk derives from sk
    before = w.read_text()
    one_line_error(run("keys", "new", w), r"already exists")
    assert w.read_text() == before


def test_venue_of_another_size_refused(tmp_path, venue):
    """A venue records its size (the circuits' parameters): opened by a zkats
    at another size, every command refuses it in one line, changing nothing."""
    meta = venue / "venue.json"
    d = json.loads(meta.read_text())
    assert d["size"] == "ci"
    d["size"] = "production"
    meta.write_text(json.dumps(d))
    before = meta.read_bytes()
    ok("keys", "new", tmp_path / "a.wallet")
    for cmd in (
        ["ledger", "show", "-V", venue],
        ["deposit", "5", "-w", tmp_path / "a.wallet", "-V", venue, "-o", tmp_path / "d.json"],
    ):
        one_line_error(run(*cmd), r"a venue of size 'production'.*ZKATS_VENUE_SIZE=production")
    assert meta.read_bytes() == before


def test_order_new_and_rfq(tmp_path, venue):
    ok("keys", "new", tmp_path / "a.wallet")
    ok("keys", "new", tmp_path / "b.wallet")
    o = tmp_path / "a.order"
    a_buy = functools.partial(order_args, venue, tmp_path / "a.wallet", "buy")
    r = ok(*a_buy(5, 60_000, o, "--json"))
    assert mode(o) == 0o600
    d = json.loads(o.read_text())
    assert d["blinding"] not in r.output
    assert json.loads(r.stdout)["commitment"]
    req = tmp_path / "req.json"
    ok("rfq", "request", "-V", venue, "--side", "sell", "--size", 2, "-o", req)
    q = tmp_path / "q.quote"
    ok("rfq", "quote", "-V", venue, req, "-w", tmp_path / "b.wallet", "--price", 61_000, "-o", q)
    assert mode(q) == 0o600
    assert json.loads(q.read_text())["maker_order"]["side"] == 0  # answers a sell with a buy
    # errors
    one_line_error(run(*a_buy(5, 60_000, o)), "already exists")
    one_line_error(
        run(*a_buy(5, 1, tmp_path / "x", "--instrument", "ETH-PERP")),
        "unknown instrument 'ETH-PERP'",
    )
    one_line_error(run(*a_buy(0, 1, tmp_path / "y")), "order size")
    one_line_error(
        run(
            "rfq",
            "quote",
            "-V",
            venue,
            o,
            "-w",
            tmp_path / "b.wallet",
            "--price",
            1,
            "-o",
            tmp_path / "z",
        ),
        "not a zkats-rfq-request file",
    )


def test_oracle_ledger_clock(venue):
    r = ok("ledger", "show", "-V", venue, "--json")
    s = json.loads(r.stdout)
    assert s["epochs"] == 1 and s["batches"] == 0 and s["notes"] == 0
    ok("oracle", "publish", "-V", venue, "--mark", "BTC-PERP=52000", "--deadline-in", 10)
    one_line_error(run("oracle", "close", "-V", venue), "deadline not reached")
    ok("venue", "advance-clock", "-V", venue, 11)
    r = ok("oracle", "close", "-V", venue, "--json")
    assert json.loads(r.stdout) == {"epoch_id": 2, "liquidatable": []}
    one_line_error(run("oracle", "publish", "-V", venue, "--mark", "BTC-PERP"), "SYMBOL=PRICE")
    one_line_error(run("oracle", "close", "-V", venue, 9), "epoch 9 is unknown")
    assert "epochs: 2" in ok("ledger", "show", "-V", venue).output


def test_errors_are_one_line(tmp_path, venue):
    w = tmp_path / "a.wallet"
    ok("keys", "new", w)
    bad = tmp_path / "bad.wallet"
    bad.write_text("{not json")
    one_line_error(run("ledger", "show", "-V", tmp_path / "nowhere"), "not a venue directory")
    one_line_error(
        run("deposit", 100, "-V", venue, "-w", bad, "-o", tmp_path / "b.json"),
        "bad.wallet: not a JSON file",
    )
    (tmp_path / "x.wallet").write_text(json.dumps({"kind": "zkats-wallet", "sk": "zz"}))
    one_line_error(
        run("health", "-V", venue, "-w", tmp_path / "x.wallet", "-o", tmp_path / "h"),
        "malformed wallet keys",
    )
    one_line_error(
        run("withdraw", 5, "-V", venue, "-w", w, "--recipient", "abc", "-o", tmp_path / "w.json"),
        "--recipient: not a number",
    )
    one_line_error(
        run("withdraw", 5, "-V", venue, "-w", w, "--recipient", "0x1", "-o", tmp_path / "w.json"),
        "no settled note yet",
    )
    one_line_error(
        run("exit", "-V", venue, "-w", w, "--recipient", "0x" + "f" * 41, "-o", tmp_path / "e"),
        "--recipient: not an address",
    )
    one_line_error(
        run("exit", "-V", venue, "-w", w, "--recipient", "0x1", "-o", tmp_path / "e.json"),
        "no settled note yet",
    )
    one_line_error(
        run("deposit", 0, "-V", venue, "-w", w, "-o", tmp_path / "d.json"),
        "deposit amount: must be positive",
    )
    # a venue without keys: proving is refused on the missing key, one line naming the fix
    one_line_error(
        run("deposit", 10, "-V", venue, "-w", w, "-o", tmp_path / "d.json"),
        r"no proving key for the deposit statement .* `zkats venue keys -V .*` makes it",
    )
    junk = tmp_path / "junk.json"
    junk.write_text("[]")
    one_line_error(run("settle", "-V", venue, junk), "batch")
    one_line_error(
        run(
            "match", "-V", venue, w, w, "--wallet-a", w, "--wallet-b", w, "-o", tmp_path / "m.json"
        ),
        "not a zkats-order file",
    )
    one_line_error(run("venue", "init", venue, "--json"), "already a venue directory")
    vp = ("venue", "prove", "-V", venue, "-w", w, "-o", tmp_path / "p.json")
    one_line_error(run(*vp, "nosuch"), r"statement kind 'nosuch': unknown \(known: cancel, ")
    one_line_error(
        run(*vp, "cancel"), r"cancel: not about the account's note; use zkats order cancel"
    )
    one_line_error(run(*vp, "trade"), "trade: carries 3 proofs; use its own command")
    one_line_error(run(*vp, "health", "-a", "x=1"), r"health: no argument 'x' \(takes: none\)")
    one_line_error(run(*vp, "withdraw", "-a", "amount=z"), "--arg amount: not a number")
    one_line_error(run(*vp, "withdraw", "-a", "amount"), "expected NAME=VALUE")
    one_line_error(run(*vp, "health"), "no settled note yet")
    assert not (tmp_path / "p.json").exists()
    # the secret never shows up in any of those errors
    d = json.loads(w.read_text())
    assert mode(w) == 0o600 and d["note"] is None


def test_subprocess_error_has_no_traceback(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "zkats.cli", "ledger", "show", "-V", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0


# ---------------------------------------------------------------- slow: real proofs
def _secrets(private_dir):
    """Every key, nullifier key, note salt and order blinding in the private files,
    as the strings (decimal and hex) that must not appear anywhere public."""
    vals = set()
    for p in Path(private_dir).iterdir():
        d = json.loads(p.read_text())
        if d["kind"] == "zkats-wallet":
            from zkats.domain.keys import SpendingKey

            key = SpendingKey(bytes.fromhex(d["sk"]))
            vals.add(d["sk"])
            vals.add(int(d["sk"], 16))
            vals.add(key.nk)
            vals.add(int.from_bytes(key.ask, "big"))
            vals.add(key.ask.hex())
            vals.add(key.lsk.hex())
            for n in [d.get("note")] + list(d.get("pending") or []):
                if n:
                    vals.add(int(n["salt"]))
        orders = (
            [d]
            if d["kind"] == "zkats-order"
            else ([d["maker_order"]] if d["kind"] == "zkats-rfq-quote" else [])
        )
        if d["kind"] == "zkats-trade-confirmation":  # the leg opening stays with its trader
            vals.add(int(d["leg"]["blinding"]))
        for o in orders:
            vals.add(int(o["blinding"]))
    out = set()
    for v in vals:
        if isinstance(v, str):
            out.add(v)
            continue
        out.add(str(v))
        out.add(format(v, "x"))
        out.add(format(v, "064x"))
    return {s for s in out if len(s) >= 16}


def test_demo_end_to_end_and_no_secret_leaks(tmp_path):
    d = tmp_path / "demo"
    r = subprocess.run(
        [sys.executable, "-m", "zkats.cli", "demo", "--dir", str(d)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "liquidated: alice" in r.stdout and "health failed: alice" in r.stdout
    # options and futures on two underlyings, a scenario-margin account whose
    # requirement is the sum of its per-underlying worst cases
    assert "two underlyings: ETH-PERP, BTC-1W" in r.stdout
    assert "ETH-1W-C3200: dave buys 5 from carol" in r.stdout
    gap = r"[\s|]+"  # the report wraps lines in two columns
    words = "BTC worst loss (\\d+), ETH worst loss (\\d+): initial requirement (\\d+)"
    m = re.search(gap.join(words.split(" ")), r.stdout)
    assert m and int(m[1]) + int(m[2]) == int(m[3]), r.stdout[-2000:]
    for p in (d / "private").iterdir():
        assert mode(p) == 0o600, p
    secrets_ = _secrets(d / "private")
    assert len(secrets_) > 20
    for key in ("oracle.key", "operator.key"):
        assert mode(d / "venue" / key) == 0o600
        secrets_.add(json.loads((d / "venue" / key).read_text())["prv"])
    public = [r.stdout, r.stderr]
    for p in (
        list((d / "public").iterdir())
        + [d / "venue" / "venue.json"]
        + list((d / "venue" / "keys").glob("*.json"))
    ):
        public.append(p.read_text())
    from zkats.venue.ledger import Ledger

    led = Ledger(d / "venue" / "ledger.db")
    public.append("\n".join(led.dump()) if not isinstance(led.dump(), str) else led.dump())
    led.close()
    blob = "\n".join(public).lower()
    leaked = [s for s in secrets_ if s.lower() in blob]
    assert not leaked, f"{len(leaked)} secrets appear in public outputs"
    # settling the demo's batches again is refused (replays), ledger unchanged
    before = (d / "venue" / "ledger.db").read_bytes()
    r2 = subprocess.run(
        [
            sys.executable,
            "-m",
            "zkats.cli",
            "settle",
            "-V",
            str(d / "venue"),
            str(d / "public" / "batch3.json"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r2.returncode == 1 and "item 0 (trade)" in r2.stderr and "Traceback" not in r2.stderr
    assert (d / "venue" / "ledger.db").read_bytes() == before


@pytest.fixture(params=["local", "service"])
def served(request, monkeypatch):
    """The commands after the venue's set-up talk to the directory, or (with
    ``ZKATS_SERVICE``) to a ``zkats serve`` over it; returns a function
    starting that server for a venue directory."""
    servers = []

    def serve(v):
        if request.param == "local":
            return None
        from _server_util import Server, token

        srv = Server(v).start()
        servers.append(srv)
        monkeypatch.setenv("ZKATS_SERVICE", srv.url)
        monkeypatch.setenv("ZKATS_OPERATOR_TOKEN", token(v))
        return srv

    yield serve
    for srv in servers:
        srv.stop()


def test_cli_happy_paths_with_real_proofs(tmp_path, served, monkeypatch):
    """Every trader command, on the venue directory or through the service
    (``--service``/``$ZKATS_SERVICE``): the same commands, the same results."""
    v, settled = funded_venue(tmp_path)
    assert settled["items"] == 2
    srv = served(v)
    # a delegates BEFORE trading: the files carry the openings of this moment,
    # and follow the account from the ledger's note ciphertexts afterwards
    ok("keys", "export", tmp_path / "a.wallet", "--viewing", "-o", tmp_path / "a.view")
    ok("keys", "export", tmp_path / "a.wallet", "--liquidation", "-o", tmp_path / "a.cap")
    ok("keys", "export", tmp_path / "b.wallet", "--viewing", "-o", tmp_path / "b.view")
    crossing_orders(v, tmp_path)
    # a partial fill (2 of 3) keeps both remainders; they are matched next
    rest = ("--remainder-a", tmp_path / "ra.order", "--remainder-b", tmp_path / "rb.order")
    ok(*match_args(v, tmp_path, tmp_path / "t.json", "--fill", 2, *rest, "--prove-orders", "-q"))
    ok("settle", "-V", v, tmp_path / "t.json", "-q")
    assert mode(tmp_path / "ra.order") == 0o600
    ok(
        *("match", "-V", v, tmp_path / "ra.order", tmp_path / "rb.order"),
        *("--wallet-a", tmp_path / "a.wallet", "--wallet-b", tmp_path / "b.wallet"),
        *("-o", tmp_path / "t1.json", "--prove-orders", "--settle", "-q"),
    )
    ok("rfq", "request", "-V", v, "--side", "buy", "--size", 1, "-o", tmp_path / "req.json")
    ok(
        "rfq",
        "quote",
        "-V",
        v,
        tmp_path / "req.json",
        "-w",
        tmp_path / "b.wallet",
        "--price",
        60_000,
        "-o",
        tmp_path / "q.quote",
    )
    # the RFQ party by party: the taker (a) accepts with its own wallet, the
    # maker (b) proves its leg from its confirmation
    ok(
        *("rfq", "accept", "-V", v, tmp_path / "q.quote", "-w", tmp_path / "a.wallet"),
        *("-o", tmp_path / "p2.json", "--leg", tmp_path / "la.json"),
        *("--confirm-maker", tmp_path / "b.conf", "-q"),
    )
    ok(
        *("trade", "confirm", tmp_path / "b.conf", "-w", tmp_path / "b.wallet", "-V", v),
        *("-o", tmp_path / "lb.json", "-q"),
    )
    ok(
        *("trade", "assemble", "-V", v, tmp_path / "p2.json", tmp_path / "la.json"),
        *(tmp_path / "lb.json", "-o", tmp_path / "t2.json", "--settle", "-q"),
    )
    ok(
        "withdraw",
        1000,
        "-V",
        v,
        "-w",
        tmp_path / "a.wallet",
        "--recipient",
        "0xabc",
        "-o",
        tmp_path / "w.json",
        "--settle",
        "-q",
    )
    # the generic path of any one-proof statement (what a new statement gets)
    w = ("-V", v, "-w", tmp_path / "a.wallet", "-q")
    before = json.loads(ok("wallet", "show", *w[:4], "--json").stdout)["equity"]
    one_line_error(
        run("venue", "prove", "withdraw", *w, "-a", "amount=1", "-o", tmp_path / "x"),
        r"withdraw: needs the argument recipient=VALUE",
    )
    ok(
        "venue",
        "prove",
        "withdraw",
        *w,
        "-a",
        "amount=500",
        "-a",
        "recipient=0xabd",
        "-o",
        tmp_path / "w2.json",
        "--settle",
    )
    a = json.loads(ok("wallet", "show", "-V", v, "-w", tmp_path / "a.wallet", "--json").stdout)
    assert a["settled"] and a["pending"] == [] and a["positions"][0]["position"] == 4
    assert 0 < a["free_collateral"] < a["equity"] == before - 500
    # the viewing key exported before three trades and two withdrawals reads the
    # same figures from the ledger alone, and syncs to the wallet's opening
    shown = json.loads(ok("wallet", "show", "-V", v, "-w", tmp_path / "a.view", "--json").stdout)
    assert shown["leaf"] == a["leaf"] and shown["equity"] == a["equity"]
    r = json.loads(ok("wallet", "sync", "-V", v, "-w", tmp_path / "a.view", "--json").stdout)
    assert r["changed"] and len(r["found"]) == 5 and r["leaf"] == a["leaf"]
    ok("wallet", "sync", "-V", v, "-w", tmp_path / "a.wallet", "-q")  # promotes its pending note
    assert _opening(tmp_path / "a.view") == _opening(tmp_path / "a.wallet")
    assert oct((tmp_path / "a.view").stat().st_mode & 0o777) == "0o600"
    r = json.loads(ok("wallet", "sync", "-V", v, "-w", tmp_path / "a.view", "--json").stdout)
    assert not r["changed"] and r["found"] == []
    # b's viewing key decrypts none of a's notes (b found only its own three trades)
    r = json.loads(ok("wallet", "sync", "-V", v, "-w", tmp_path / "b.view", "--json").stdout)
    assert len(r["found"]) == 3
    ok("wallet", "sync", "-V", v, "-w", tmp_path / "b.wallet", "-q")
    assert _opening(tmp_path / "b.view") == _opening(tmp_path / "b.wallet")
    # the mark falls 20%: a (long 4 on ~49,000) fails maintenance margin
    ok("oracle", "publish", "-V", v, "--mark", "BTC-PERP=48000", "-q")
    ok("health", "-V", v, "-w", tmp_path / "b.wallet", "-o", tmp_path / "h.json", "--settle", "-q")
    one_line_error(
        run("health", "-V", v, "-w", tmp_path / "a.wallet", "-o", tmp_path / "ha.json"),
        "maintenance margin not met",
    )
    ok("venue", "advance-clock", "-V", v, 4000)
    r = ok("oracle", "close", "-V", v, "--json")
    assert len(json.loads(r.stdout)["liquidatable"]) == 1  # a never proved health
    # the risk engine proves with a's liquidation capability (exported before
    # a traded), never a's wallet
    one_line_error(
        run(
            "withdraw",
            1,
            "-V",
            v,
            "-w",
            tmp_path / "a.cap",
            "--recipient",
            1,
            "-o",
            tmp_path / "x",
        ),
        "needs the owner's wallet",
    )
    # the capability, exported before a traded, follows a to its live note
    ok(*liquidate_args(v, tmp_path / "a.cap", tmp_path / "l.json"))
    # the owner and the auditor read the post-liquidation note from the ledger
    for f in ("a.wallet", "a.view", "a.cap"):
        r = json.loads(ok("wallet", "sync", "-V", v, "-w", tmp_path / f, "--json").stdout)
        assert r["changed"] and r["positions"] == []
    assert _opening(tmp_path / "a.view") == _opening(tmp_path / "a.wallet")
    assert _opening(tmp_path / "a.cap") == _opening(tmp_path / "a.wallet")
    s = json.loads(ok("ledger", "show", "-V", v, "--json").stdout)
    assert s["trades"] == 3 and s["batches"] == 8 and s["liquidatable_pending"] == 0
    assert int(s["funds"]["insurance"]) > 0 and int(s["funds"]["fee"]) > 0
    # the backstop took a's 4 lots over at the mark
    f = json.loads(ok("venue", "funds", "-V", v, "--json").stdout)
    assert f["insurance"]["positions"] == [
        {"instrument": "BTC-PERP", "position": 4, "cost": 4 * 48_000}
    ]
    # money is conserved, on real proofs after trades, a partial fill,
    # withdrawals, a mark move and a liquidation: both accounts' equity at
    # the latest marks (from their own wallets) + the fee account + the
    # insurance fund (its backstop position at the mark) = the escrow
    equity = 0
    for wf in ("a.wallet", "b.wallet"):
        ok("wallet", "sync", "-V", v, "-w", tmp_path / wf, "-q")
        equity += json.loads(ok("wallet", "show", "-V", v, "-w", tmp_path / wf, "--json").stdout)[
            "equity"
        ]
    funds = int(f["fee"]["equity"]) + int(f["insurance"]["equity"])
    assert equity + funds == sum(int(x) for x in s["escrow"].values()) > 0
    # the venue takes its fees out by an operator-signed, logged withdrawal
    fee = f["fee"]["balance"]
    if srv is not None:  # the operator's key signs on the venue directory only
        one_line_error(
            run("venue", "withdraw-fund", "fee", fee, "--recipient", 1, "-o", tmp_path / "f"),
            "operator's key signs on the venue directory",
        )
        monkeypatch.delenv("ZKATS_SERVICE")
    one_line_error(
        run(
            "venue",
            "withdraw-fund",
            "fee",
            fee + 1,
            "-V",
            v,
            "--recipient",
            "0xfee",
            "-o",
            tmp_path / "f0.json",
        ),
        "exceeds the fee fund's balance",
    )
    ok(
        "venue",
        "withdraw-fund",
        "fee",
        fee,
        "-V",
        v,
        "--recipient",
        "0xfee",
        "-o",
        tmp_path / "f1.json",
        "--settle",
        "-q",
    )
    if srv is not None:
        monkeypatch.setenv("ZKATS_SERVICE", srv.url)
    f = json.loads(ok("venue", "funds", "-V", v, "--json").stdout)
    assert f["fee"]["balance"] == 0
    assert f["withdrawals"] == [
        {
            "seq": 1,
            "batch_id": s["batches"] + 1,
            "fund": "fee",
            "amount": fee,
            "recipient": str(0xFEE),
        }
    ]
    # b (short 4) exits: its whole equity at the marks out, its short to the
    # backstop at the mark; the venue stays conserved; a second exit of the
    # empty account is refused before proving, nothing changed
    b_wallet = tmp_path / "b.wallet"
    ok("wallet", "sync", "-V", v, "-w", b_wallet, "-q")
    before = json.loads(ok("wallet", "show", "-V", v, "-w", b_wallet, "--json").stdout)
    assert before["equity"] > 0 and before["positions"]
    ok("exit", "-V", v, "-w", b_wallet, "--recipient", "0xb0b", "-o", tmp_path / "e.json")
    ok("settle", "-V", v, tmp_path / "e.json", "-q")
    ok("wallet", "sync", "-V", v, "-w", b_wallet, "-q")
    after = json.loads(ok("wallet", "show", "-V", v, "-w", b_wallet, "--json").stdout)
    assert after["equity"] == 0 and after["positions"] == []
    f = json.loads(ok("venue", "funds", "-V", v, "--json").stdout)
    assert sum(p["position"] for p in f["insurance"]["positions"]) == 0  # a's long, b's short
    s = json.loads(ok("ledger", "show", "-V", v, "--json").stdout)
    a_eq = json.loads(ok("wallet", "show", "-V", v, "-w", tmp_path / "a.wallet", "--json").stdout)
    funds = int(f["fee"]["equity"]) + int(f["insurance"]["equity"])
    assert a_eq["equity"] + funds == sum(int(x) for x in s["escrow"].values())
    one_line_error(
        run("exit", "-V", v, "-w", b_wallet, "--recipient", "0xb0b", "-o", tmp_path / "e2.json"),
        "nothing to take out",
    )
    assert not (tmp_path / "e2.json").exists()


def _opening(path):
    """The live note and leaf a wallet-like file holds."""
    d = json.loads(path.read_text())
    return d["note"], d["leaf"]


def test_batch_output_never_overwritten(tmp_path, venue):
    w = tmp_path / "a.wallet"
    ok("keys", "new", w)
    out = tmp_path / "exists.json"
    out.write_text("keep")
    for cmd in (
        ["deposit", 5, "-w", w],
        ["health", "-w", w],
        ["liquidate", "-c", w],
        ["withdraw", 5, "--recipient", 1, "-w", w],
    ):
        one_line_error(run(*cmd, "-V", venue, "-o", out), "exists.json: already exists")
    assert out.read_text() == "keep"
    assert json.loads(w.read_text())["pending"] == []


@pytest.mark.parametrize(
    "patch, msg",
    [
        ({"leaf": "x"}, "malformed wallet \\(leaf\\)"),
        ({"pending": {}}, "malformed wallet \\(pending\\)"),
        ({"note": {"salt": 1}}, "malformed note"),
        ({"sk": "00"}, "malformed wallet keys"),
        ({"account": "1"}, "malformed wallet keys"),
    ],
)
def test_malformed_wallets(tmp_path, venue, patch, msg):
    w = tmp_path / "a.wallet"
    ok("keys", "new", w)
    d = json.loads(w.read_text())
    d.update(patch)
    w.write_text(json.dumps(d))
    e = one_line_error(run("health", "-V", venue, "-w", w, "-o", tmp_path / "h.json"), msg)
    assert d["sk"] not in e


def test_two_wallet_match_keeps_partial_fills(tmp_path, venue):
    """The convenience ``zkats match`` refuses, before proving, a partial fill
    whose remainder file is not named (the rest of the order would be lost)."""
    for n in "ab":
        ok("keys", "new", tmp_path / f"{n}.wallet")
    crossing_orders(venue, tmp_path, size=3)
    args = match_args(venue, tmp_path, tmp_path / "t.json", "--fill", 1)
    one_line_error(run(*args), r"a\.order: the fill leaves 2 lots: name --remainder-a FILE")
    (tmp_path / "ra.order").write_text("")
    one_line_error(
        run(*args, "--remainder-a", tmp_path / "ra.order", "--remainder-b", tmp_path / "rb"),
        "ra.order: already exists",
    )
    assert not (tmp_path / "t.json").exists() and not (tmp_path / "rb").exists()

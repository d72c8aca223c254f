"""A trade proved party by party (issue 14): the operator matches the two
orders it was sent and proves the match; each trader proves its own leg
from its confirmation with its own wallet; the operator assembles the batch.
No command is given two traders' wallets.  Real proofs (development keys
from the key cache)."""

import json
import os
import re
import stat

import pytest

from cli_venue import ok, one_line_error, run


def refused(r, text):
    one_line_error(r, re.escape(text))


@pytest.fixture(scope="module")
def traded(tmp_path_factory):
    d = tmp_path_factory.mktemp("pp")
    v = d / "v"
    ok("venue", "init", v, "-q")
    for n, amount in (("a", 50_000), ("b", 90_000), ("c", 90_000)):
        ok("keys", "new", d / f"{n}.wallet")
        ok(
            "deposit",
            amount,
            "-V",
            v,
            "-w",
            d / f"{n}.wallet",
            "-o",
            d / f"d{n}.json",
            "--settle",
            "-q",
        )
    for n, side, limit in (("a", "buy", 60_100), ("b", "sell", 59_900)):
        ok(
            "order",
            "new",
            "-V",
            v,
            "-w",
            d / f"{n}.wallet",
            "--side",
            side,
            "--size",
            3,
            "--limit",
            limit,
            "-o",
            d / f"{n}.order",
        )
    # 1. the operator: orders it was sent, no wallet
    ok(
        "trade",
        "match",
        "-V",
        v,
        d / "a.order",
        d / "b.order",
        "--fill",
        2,
        "--prove-orders",
        "-o",
        d / "partial.json",
        "--confirm-a",
        d / "a.conf",
        "--confirm-b",
        d / "b.conf",
        "-q",
    )
    return d, v


def test_each_party_proves_with_its_own_secrets_only(traded):
    d, v = traded
    for f in ("a.conf", "b.conf"):
        assert stat.S_IMODE(os.stat(d / f).st_mode) == 0o600
    partial = (d / "partial.json").read_text()
    for f in ("a.conf", "b.conf"):  # the leg openings stay out of the public file
        assert json.loads((d / f).read_text())["leg"]["blinding"] not in partial
    # a confirmation is refused with the other trader's wallet, before proving
    refused(
        run("trade", "confirm", d / "a.conf", "-w", d / "b.wallet", "-V", v, "-o", d / "x.json"),
        "another account's",
    )
    assert not (d / "x.json").exists()
    # a partial fill (2 of 3 lots): the remainder's opening must be kept,
    # refused before proving otherwise
    refused(
        run("trade", "confirm", d / "a.conf", "-w", d / "a.wallet", "-V", v, "-o", d / "x.json"),
        "the fill leaves 1 lots of the order: name --remainder FILE",
    )
    assert not (d / "x.json").exists()
    # 2. each trader: its own leg, its own wallet; the rest of its order saved
    for n in "ba":
        r = ok(
            *("trade", "confirm", d / f"{n}.conf", "-w", d / f"{n}.wallet", "-V", v),
            *("-o", d / f"leg_{n}.json", "--remainder", d / f"{n}.rem", "--json", "-q"),
        )
        assert json.loads(r.stdout)["remaining"] == 1
        assert stat.S_IMODE(os.stat(d / f"{n}.rem").st_mode) == 0o600
    assert json.loads((d / "a.rem").read_text())["size"] == 1
    # assembling needs one proof per side
    refused(
        run(
            "trade",
            "assemble",
            d / "partial.json",
            d / "leg_a.json",
            d / "leg_a.json",
            "-o",
            d / "bad.json",
        ),
        "a second proof for leg a",
    )
    # 3. the operator: the batch (legs in any order), settled
    r = ok(
        "trade",
        "assemble",
        "-V",
        v,
        d / "partial.json",
        d / "leg_b.json",
        d / "leg_a.json",
        "-o",
        d / "trade.json",
        "--settle",
        "--json",
        "-q",
    )
    assert json.loads(r.stdout)["items"] == ["order", "order", "trade"]
    a = json.loads(ok("wallet", "show", "-V", v, "-w", d / "a.wallet", "--json").stdout)
    b = json.loads(ok("wallet", "show", "-V", v, "-w", d / "b.wallet", "--json").stdout)
    assert a["positions"][0]["position"] == 2 and b["positions"][0]["position"] == -2
    assert a["pending"] == [] and b["pending"] == []


def test_remainder_matched_later(traded, tmp_path):
    """The rest of a partially filled order is matched later from the
    remainder file the owner's confirm wrote (opened on the ledger by the
    first trade: no order proof, no new signature); after that it is gone."""
    d, v = traded

    def status(order_file):
        r = ok("order", "status", order_file, "-V", v, "--json")
        return json.loads(r.stdout)["status"]

    assert status(d / "a.rem") == "open"  # opened by the first trade
    assert status(d / "a.order") == "consumed"
    ok(
        *("order", "new", "-V", v, "-w", d / "c.wallet", "--side", "sell"),
        *("--size", 1, "--limit", 59_950, "-o", tmp_path / "c.order"),
    )
    r = ok(
        *("trade", "match", "-V", v, d / "a.rem", tmp_path / "c.order", "--prove-orders"),
        *("-o", tmp_path / "p.json", "--confirm-a", tmp_path / "a.conf"),
        *("--confirm-b", tmp_path / "c.conf", "--json", "-q"),
    )
    assert json.loads(r.stdout)["fill"] == 1
    # only c's order needed an order proof: a's remainder is open already
    assert len(json.loads((tmp_path / "p.json").read_text())["orders"]) == 1
    for n, w in (("a", "a"), ("c", "c")):
        r = ok(
            *("trade", "confirm", tmp_path / f"{n}.conf", "-w", d / f"{w}.wallet", "-V", v),
            *("-o", tmp_path / f"leg_{n}.json", "--json", "-q"),
        )
        assert json.loads(r.stdout)["remaining"] == 0  # both filled in full
    ok(
        *("trade", "assemble", "-V", v, tmp_path / "p.json"),
        *(tmp_path / "leg_a.json", tmp_path / "leg_c.json"),
        *("-o", tmp_path / "t.json", "--settle", "-q"),
    )
    a = json.loads(ok("wallet", "show", "-V", v, "-w", d / "a.wallet", "--json").stdout)
    assert a["positions"][0]["position"] == 3  # 2 + the remaining 1
    assert status(d / "a.rem") == "consumed"
    # the remainder was consumed by its match: refused before proving
    refused(
        run(
            *("trade", "match", "-V", v, d / "a.rem", tmp_path / "c.order"),
            *("-o", tmp_path / "p2.json", "--confirm-a", tmp_path / "x.conf"),
            *("--confirm-b", tmp_path / "y.conf"),
        ),
        "was already matched or cancelled",
    )
    # b's remainder is still open: b cancels it, then it cannot be matched
    ok(
        *("order", "cancel", d / "b.rem", "-w", d / "b.wallet", "-V", v),
        *("-o", tmp_path / "cancel.json", "--settle", "-q"),
    )
    ok(
        *("order", "new", "-V", v, "-w", d / "a.wallet", "--side", "buy"),
        *("--size", 1, "--limit", 60_000, "-o", tmp_path / "a3.order"),
    )
    refused(
        run(
            *("trade", "match", "-V", v, tmp_path / "a3.order", d / "b.rem"),
            *("-o", tmp_path / "p3.json", "--confirm-a", tmp_path / "x.conf"),
            *("--confirm-b", tmp_path / "y.conf"),
        ),
        "was already matched or cancelled",
    )
    assert not (tmp_path / "p3.json").exists() and not (tmp_path / "x.conf").exists()


def test_tampered_confirmation_refused(traded, tmp_path):
    d, v = traded
    conf = json.loads((d / "a.conf").read_text())
    conf["leg"]["d"] += 1  # a bigger fill than the trade's leg
    bad = tmp_path / "bad.conf"
    bad.write_text(json.dumps(conf))
    refused(
        run("trade", "confirm", bad, "-w", d / "a.wallet", "-V", v, "-o", tmp_path / "l.json"),
        "not the trade's leg a",
    )
    conf = json.loads((d / "a.conf").read_text())
    conf["venue"] = "another venue"
    bad.unlink()
    bad.write_text(json.dumps(conf))
    refused(
        run("trade", "confirm", bad, "-w", d / "a.wallet", "-V", v, "-o", tmp_path / "l.json"),
        "not of this venue",
    )


def test_leg_of_another_trade_refused(traded, tmp_path):
    """c's leg proof of a second trade cannot complete the first trade."""
    d, v = traded
    ok(
        "order",
        "new",
        "-V",
        v,
        "-w",
        d / "c.wallet",
        "--side",
        "sell",
        "--size",
        1,
        "--limit",
        59_000,
        "-o",
        tmp_path / "c.order",
    )
    ok(
        "order",
        "new",
        "-V",
        v,
        "-w",
        d / "a.wallet",
        "--side",
        "buy",
        "--size",
        1,
        "--limit",
        59_500,
        "-o",
        tmp_path / "a2.order",
    )
    ok(
        "trade",
        "match",
        "-V",
        v,
        tmp_path / "a2.order",
        tmp_path / "c.order",
        "-o",
        tmp_path / "p2.json",
        "--confirm-a",
        tmp_path / "a2.conf",
        "--confirm-b",
        tmp_path / "c.conf",
        "-q",
    )
    ok(
        "trade",
        "confirm",
        tmp_path / "c.conf",
        "-w",
        d / "c.wallet",
        "-V",
        v,
        "-o",
        tmp_path / "leg_c.json",
        "-q",
    )
    refused(
        run(
            "trade",
            "assemble",
            d / "partial.json",
            d / "leg_a.json",
            tmp_path / "leg_c.json",
            "-o",
            tmp_path / "mixed.json",
        ),
        "another trade's leg b",
    )


def test_rfq_party_by_party(traded, tmp_path):
    """An RFQ with separate wallet files: the taker (c) accepts with its own
    wallet; the maker (b) proves its side from its confirmation with its own
    wallet; nobody is given both."""
    d, v = traded
    t = tmp_path
    before = {
        n: json.loads(ok("wallet", "show", "-V", v, "-w", d / f"{n}.wallet", "--json").stdout)
        for n in "bc"
    }
    ok("rfq", "request", "-V", v, "--side", "buy", "--size", 2, "-o", t / "req.json")
    ok(
        "rfq",
        "quote",
        "-V",
        v,
        t / "req.json",
        "-w",
        d / "b.wallet",
        "--price",
        60_000,
        "-o",
        t / "q",
    )
    accept = ("rfq", "accept", "-V", v, t / "q", "-o", t / "p.json", "--leg", t / "lc.json")
    # the maker cannot take its own quote (refused before proving, nothing written)
    refused(run(*accept, "-w", d / "b.wallet", "--confirm-maker", t / "b.conf"), "the taker's own")
    assert not any((t / f).exists() for f in ("p.json", "lc.json", "b.conf"))
    ok(*accept, "-w", d / "c.wallet", "--confirm-maker", t / "b.conf", "-q")
    assert stat.S_IMODE(os.stat(t / "b.conf").st_mode) == 0o600
    assert json.loads((t / "b.conf").read_text())["leg"]["blinding"] not in (
        (t / "p.json").read_text() + (t / "lc.json").read_text()
    )
    # the maker's side: the taker's wallet cannot prove it
    refused(
        run("trade", "confirm", t / "b.conf", "-w", d / "c.wallet", "-V", v, "-o", t / "x.json"),
        "another account's",
    )
    ok("trade", "confirm", t / "b.conf", "-w", d / "b.wallet", "-V", v, "-o", t / "lb.json", "-q")
    r = ok(
        *("trade", "assemble", "-V", v, t / "p.json", t / "lb.json", t / "lc.json"),
        *("-o", t / "rfq.json", "--settle", "--json", "-q"),
    )
    assert json.loads(r.stdout)["items"] == ["order", "order", "trade"]
    after = {
        n: json.loads(ok("wallet", "show", "-V", v, "-w", d / f"{n}.wallet", "--json").stdout)
        for n in "bc"
    }
    pos = {n: {p["instrument"]: p["position"] for p in after[n]["positions"]} for n in "bc"}
    was = {n: {p["instrument"]: p["position"] for p in before[n]["positions"]} for n in "bc"}
    assert pos["c"]["BTC-PERP"] == was["c"].get("BTC-PERP", 0) + 2
    assert pos["b"]["BTC-PERP"] == was["b"].get("BTC-PERP", 0) - 2
    # a quote past its expiry is refused before proving
    ok(
        *("rfq", "request", "-V", v, "--side", "buy", "--size", 1, "--expiry-in", 5),
        *("-o", t / "req2.json"),
    )
    ok("rfq", "quote", "-V", v, t / "req2.json", "-w", d / "b.wallet", "--price", 1, "-o", t / "q2")
    ok("venue", "advance-clock", "-V", v, 10)
    refused(
        run(
            *("rfq", "accept", "-V", v, t / "q2", "-w", d / "c.wallet", "-o", t / "p2.json"),
            *("--leg", t / "l2.json", "--confirm-maker", t / "b2.conf"),
        ),
        "expired",
    )
    assert not (t / "p2.json").exists()


def test_stale_epoch_refused_before_settling(traded, tmp_path):
    """Legs proved at different oracle epochs, or at an epoch that is no
    longer the latest, are refused by ``trade assemble`` with one line,
    nothing written (the service would refuse the batch)."""
    d, v = traded
    t = tmp_path
    for n, side, limit in (("a", "buy", 60_000), ("b", "sell", 60_000)):
        ok(
            *("order", "new", "-V", v, "-w", d / f"{n}.wallet", "--side", side),
            *("--size", 1, "--limit", limit, "-o", t / f"{n}.order"),
        )
    ok(
        *("trade", "match", "-V", v, t / "a.order", t / "b.order", "--prove-orders"),
        *("-o", t / "p.json", "--confirm-a", t / "a.conf", "--confirm-b", t / "b.conf", "-q"),
    )

    def confirm(n, out):
        ok("trade", "confirm", t / f"{n}.conf", "-w", d / f"{n}.wallet", "-V", v, "-o", out, "-q")

    def publish():
        ok("oracle", "publish", "-V", v, "--mark", "BTC-PERP=60000", "-q")

    confirm("a", t / "la1.json")
    publish()
    confirm("b", t / "lb.json")
    assemble = ("trade", "assemble", "-V", v, t / "p.json")
    refused(
        run(*assemble, t / "la1.json", t / "lb.json", "-o", t / "x.json"),
        "side a must confirm again at the latest epoch",
    )
    confirm("a", t / "la2.json")  # both legs at the same epoch now
    publish()
    refused(
        run(*assemble, t / "la2.json", t / "lb.json", "-o", t / "x.json", "--settle"),
        "not the latest",
    )
    assert not (t / "x.json").exists()

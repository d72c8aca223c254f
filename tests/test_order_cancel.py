"""``zkats order cancel``: the owner cancels an order with a ``cancel`` proof
signed by its spending key; the ledger consumes the commitment, so the order
can never be matched.  Real proofs (development keys from the key cache).

Each attack is refused: before proving by the CLI (one line, nothing
written) and, for batches proved before the cancel, by the settlement
service with an error naming the item."""

import json
import os
import re

import pytest

from cli_venue import ok, one_line_error, order_args, run


def refused(r, text):
    return one_line_error(r, re.escape(text))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("cancel")
    v = d / "v"
    ok("venue", "init", v, "-q")
    for n in ("a", "b"):
        ok("keys", "new", d / f"{n}.wallet")
        ok("deposit", 90_000, "-V", v, "-w", d / f"{n}.wallet", "-o", d / f"d{n}.json", "-q")
    ok("settle", "-V", v, d / "da.json", d / "db.json", "-q")
    for n, side, limit in (("a", "buy", 60_100), ("b", "sell", 59_900)):
        w = d / f"{n}.wallet"
        ok(*order_args(v, w, side, 2, limit, d / f"{n}.order", "--batch", d / f"o{n}.json"))
    ok("settle", "-V", v, d / "oa.json", d / "ob.json", "-q")
    return d, v


def status(v, order_file):
    """``zkats order status``: open, consumed or unknown."""
    return json.loads(ok("order", "status", order_file, "-V", v, "--json").stdout)["status"]


def test_cancel_then_match_refused(world):
    d, v = world
    # the operator proves the match first (the trade is not settled yet) ...
    ok(
        *("trade", "match", "-V", v, d / "a.order", d / "b.order", "-o", d / "p.json"),
        *("--confirm-a", d / "a.conf", "--confirm-b", d / "b.conf", "-q"),
    )
    for side in "ab":
        ok(
            *("trade", "confirm", d / f"{side}.conf", "-w", d / f"{side}.wallet"),
            *("-V", v, "-o", d / f"leg_{side}.json", "-q"),
        )
    ok("trade", "assemble", d / "p.json", d / "leg_a.json", d / "leg_b.json", "-o", d / "t.json")
    # ... a non-owner cannot cancel a's order (refused before proving, nothing written)
    refused(
        run("order", "cancel", d / "a.order", "-w", d / "b.wallet", "-V", v, "-o", d / "x.json"),
        "the order is another account's",
    )
    assert not (d / "x.json").exists()
    # an unknown order file
    (d / "junk.order").write_text(json.dumps({"kind": "zkats-order"}))
    refused(
        run("order", "cancel", d / "junk.order", "-w", d / "a.wallet", "-V", v, "-o", d / "x.json"),
        "malformed order file",
    )
    # the owner cancels
    assert status(v, d / "a.order") == "open"
    r = ok(
        *("order", "cancel", d / "a.order", "-w", d / "a.wallet", "-V", v),
        *("-o", d / "c.json", "--settle", "--json", "-q"),
    )
    assert json.loads(r.stdout)["items"] == ["cancel"]
    assert status(v, d / "a.order") == "consumed"
    # what the cancel reveals: the order commitment, nothing else
    batch = json.loads((d / "c.json").read_text())
    (item,) = batch["items"]
    order = json.loads((d / "a.order").read_text())
    assert item["proofs"]["cancel"]["public"] == [
        str(json.loads(r.stdout)["order"][0]),
        str(json.loads(r.stdout)["order"][1]),
    ]
    for secret in (order["account"], order["blinding"], *order["ak"]):
        assert secret not in (d / "c.json").read_text()
    # the trade proved before the cancel: the service refuses it, naming the item
    one_line_error(
        run("settle", "-V", v, d / "t.json", "-q"),
        r"^zkats: error: item 0 \(trade\): order \d+\.\.\. was already matched or cancelled$",
    )
    # the cancel replayed: refused by the service, naming the item
    one_line_error(
        run("settle", "-V", v, d / "c.json", "-q"),
        r"^zkats: error: item 0 \(cancel\): order \d+\.\.\. was already matched or cancelled$",
    )
    # and both refused before proving by the CLI, nothing written
    refused(
        run("order", "cancel", d / "a.order", "-w", d / "a.wallet", "-V", v, "-o", d / "y.json"),
        "was already matched or cancelled",
    )
    refused(
        run(
            *("trade", "match", "-V", v, d / "a.order", d / "b.order", "-o", d / "p2.json"),
            *("--confirm-a", d / "a2.conf", "--confirm-b", d / "b2.conf", "-q"),
        ),
        "was already matched or cancelled",
    )
    for f in ("y.json", "p2.json", "a2.conf", "b2.conf"):
        assert not (d / f).exists()
    # a's cancel proof moved onto b's (open) order: the proof does not verify
    b_point = json.loads((d / "ob.json").read_text())["items"][0]["proofs"]["order"]["public"][:2]
    batch["items"][0]["proofs"]["cancel"]["public"] = b_point
    (d / "moved.json").write_text(json.dumps(batch))
    one_line_error(
        run("settle", "-V", v, d / "moved.json", "-q"),
        r"^zkats: error: item 0 \(cancel\): cancel proof does not verify against the cancel key$",
    )
    # b's order is still open: b can cancel it
    assert status(v, d / "b.order") == "open"


def test_cancel_unopened_order(world):
    """An order the operator holds but has not posted can be pre-empted:
    once cancelled it can never be opened."""
    d, v = world
    w = d / "b.wallet"
    ok(*order_args(v, w, "sell", 1, 61_000, d / "u.order", "--batch", d / "ou.json"))
    assert status(v, d / "u.order") == "unknown"
    refused(
        run("order", "cancel", d / "u.order", "-w", w, "-V", v, "-o", d / "cu.json"),
        "is not open on the ledger",
    )
    assert not (d / "cu.json").exists()
    ok(
        *("order", "cancel", d / "u.order", "-w", w, "-V", v, "--unopened"),
        *("-o", d / "cu.json", "--settle", "-q"),
    )
    assert status(v, d / "u.order") == "consumed"
    one_line_error(
        run("settle", "-V", v, d / "ou.json", "-q"),
        r"item 0 \(order\): order commitment \d+\.\.\. was already opened "
        r"\(or matched or cancelled\)",
    )
    assert os.stat(d / "u.order").st_mode & 0o077 == 0


def test_venue_made_before_the_cancel_statement(world):
    """A venue directory without the cancel keys (made before the statement
    existed): a one-line refusal naming the fix, and ``zkats venue keys``
    adds them, keeping the others."""
    d, v = world
    w = d / "b.wallet"
    other = (v / "keys" / "order.zkey").read_bytes()
    for f in ("cancel.zkey", "cancel.vkey.json"):
        (v / "keys" / f).unlink()
    ok(*order_args(v, w, "sell", 1, 61_000, d / "k.order"))
    cancel = ("order", "cancel", d / "k.order", "-w", w, "-V", v, "--unopened")
    refused(run(*cancel, "-o", d / "k.json"), "no proving key for the cancel statement")
    assert not (d / "k.json").exists()
    r = ok("venue", "keys", "-V", v, "--json", "-q")
    assert json.loads(r.stdout)["made"] == ["cancel"]
    assert (v / "keys" / "order.zkey").read_bytes() == other
    assert json.loads(ok("venue", "keys", "-V", v, "--json", "-q").stdout)["made"] == []
    ok(*cancel, "-o", d / "k.json", "--settle", "-q")

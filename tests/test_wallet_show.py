"""``zkats wallet show`` (a trader's own figures) and wallets bound to their
venue.  Fast: a venue without proving keys; notes are placed on the ledger
directly, and free collateral is checked against the withdraw statement's
native twin (the rule its constraints state)."""

import json

import pytest

from test_cli_venue import ok, one_line_error, run
from zkats.domain import margin
from zkats.domain.notes import Note


@pytest.fixture
def venue(tmp_path):
    from zkats.venue.workflow import Venue

    v = Venue.init(tmp_path / "v", mark=60_000, circuits=())
    v.close()
    return tmp_path / "v"


def _put_on_ledger(v, note):
    led = v.ledger
    with led.write():
        b = led.begin_batch("test", 1, 0)
        n0, _ = led.append_notes(b, [(0, note.commitment())])
    return n0


def _trader(tmp_path, venue, mark=70_000, buy=2, price=60_000, deposit=100_000):
    """A wallet whose settled note bought ``buy`` BTC-PERP at ``price``; the
    latest epoch's mark is ``mark``."""
    from zkats.venue.workflow import Venue, Wallet

    path = tmp_path / "a.wallet"
    ok("keys", "new", path)
    v = Venue(venue)
    w = Wallet.load(path)
    v.use(w, bind=True)
    note = Note.open(w.view, collateral=deposit)
    if buy:
        note = note.apply_leg(v.instrument("BTC-PERP"), buy, buy * price)
    w.note, w.leaf = note, _put_on_ledger(v, note)
    w.save()
    v.publish_epoch({"BTC-PERP": mark})
    v.close()
    return path, note


def show(venue, wallet):
    r = ok("wallet", "show", "-V", venue, "-w", wallet, "--json")
    return json.loads(r.stdout)


def test_figures(tmp_path, venue):
    path, note = _trader(tmp_path, venue)
    r = show(venue, path)
    fee = 60  # 5 bps of 120,000
    assert r["collateral"] == 100_000 - fee == note.collateral
    assert r["unrealised_pnl"] == 2 * 70_000 - 120_000 == 20_000
    assert r["realised_pnl"] == 0
    assert r["equity"] == 100_000 - fee + 20_000
    assert r["initial_requirement"] == 14_000  # 10% of 140,000
    assert r["maintenance_requirement"] == 7_000  # 5%
    assert r["free_collateral"] == r["equity"] - 14_000
    assert r["positions"] == [
        {
            "instrument": "BTC-PERP",
            "position": 2,
            "cost": 120_000,
            "mark": 70_000,
            "funding_index": 0,
            "unrealised_pnl": 20_000,
            "realised_pnl": 0,
        }
    ]
    assert r["settled"] and not r["spent"] and r["pending"] == [] and r["meets_maintenance"]
    for k in ("collateral", "equity", "free_collateral"):
        assert type(r[k]) is int
    text = ok("wallet", "show", "-V", venue, "-w", path).stdout
    assert "free collateral" in text and "BTC-PERP" in text and "+20000" in text


def test_free_collateral_is_what_withdraw_accepts(tmp_path, venue):
    """The withdraw statement's native twin takes exactly free_collateral and
    refuses one more (unrealised profit included, initial margin kept)."""
    from zkats.circuits import withdraw as wd
    from zkats.circuits._spend import authorise
    from zkats.errors import InputError
    from zkats.venue.workflow import Venue, Wallet

    path, _ = _trader(tmp_path, venue, mark=70_000)
    free = show(venue, path)["free_collateral"]
    v = Venue(venue)
    w = Wallet.load(path)
    spend, root, ep = w.spend(v.ledger), v.ledger.current_root(), v.epoch()
    pub, prv = wd.build(spend, root, free, 1234, ep)
    wd.check(pub, authorise(pub, prv, w.key))  # accepted
    with pytest.raises(InputError, match="margin"):
        pub, prv = wd.build(spend, root, free + 1, 1234, ep)
        wd.check(pub, authorise(pub, prv, w.key))
    v.close()


def test_underwater(tmp_path, venue):
    # a falling mark: equity below maintenance, nothing free
    path, _ = _trader(tmp_path, venue, mark=10_500, buy=2, price=60_000)
    r = show(venue, path)
    assert r["equity"] == 100_000 - 60 + 2 * 10_500 - 120_000 == 940
    assert r["maintenance_requirement"] == 1050 and r["initial_requirement"] == 2100
    assert r["free_collateral"] == 0 and not r["meets_maintenance"]
    assert "NOT met" in ok("wallet", "show", "-V", venue, "-w", path).stdout
    # below zero: the note cannot even be settled, nothing is free
    from zkats.venue.workflow import Venue

    v = Venue(venue)
    v.publish_epoch({"BTC-PERP": 1_000})
    v.close()
    r = show(venue, path)
    assert r["equity"] < 0 and r["free_collateral"] == 0


def test_realised_profit_of_a_closed_position(tmp_path, venue):
    from zkats.venue.workflow import Venue, Wallet

    path, note = _trader(tmp_path, venue, mark=70_000)
    closed = note.apply_leg(note.slots[0].instrument, -2, -2 * 70_000)
    v = Venue(venue)
    w = Wallet.load(path)
    w.note, w.leaf = closed, _put_on_ledger(v, closed)
    w.save()
    v.close()
    r = show(venue, path)
    assert r["realised_pnl"] == 20_000 and r["unrealised_pnl"] == 0
    assert r["positions"][0]["position"] == 0
    assert r["initial_requirement"] == 0
    assert r["free_collateral"] == r["equity"] == closed.collateral + 20_000


def test_fresh_wallet_and_pending(tmp_path, venue):
    from zkats.venue.workflow import Venue, Wallet

    ok("keys", "new", tmp_path / "b.wallet")
    r = show(venue, tmp_path / "b.wallet")
    assert (r["collateral"], r["equity"], r["free_collateral"], r["positions"]) == (0, 0, 0, [])
    w = Wallet.load(tmp_path / "b.wallet")
    w.set_pending(Note.open(w.view, collateral=5_000))
    r = show(venue, tmp_path / "b.wallet")
    assert [p["collateral"] for p in r["pending"]] == [5_000] and r["collateral"] == 0
    # once the ledger holds the pending note, show uses it (without writing the file)
    v = Venue(venue)
    _put_on_ledger(v, w.pending[0])
    v.close()
    before = (tmp_path / "b.wallet").read_bytes()
    r = show(venue, tmp_path / "b.wallet")
    assert r["collateral"] == 5_000 and r["pending"] == [] and r["settled"]
    assert (tmp_path / "b.wallet").read_bytes() == before


def test_delegated_files_show_read_only(tmp_path, venue):
    path, _ = _trader(tmp_path, venue)
    full = show(venue, path)
    for flag, name in (("--viewing", "v.key"), ("--liquidation", "l.key")):
        f = tmp_path / name
        ok("keys", "export", path, flag, "-o", f)
        before = f.read_bytes()
        r = show(venue, f)
        assert {k: r[k] for k in full if k != "file"} == {k: full[k] for k in full if k != "file"}
        assert f.read_bytes() == before


def test_wallet_of_another_venue_refused(tmp_path, venue):
    from zkats.venue.workflow import Venue

    path, _ = _trader(tmp_path, venue)
    d = json.loads(path.read_text())
    assert d["venue"] == json.loads((venue / "venue.json").read_text())["venue_id"]
    other = tmp_path / "other"
    Venue.init(other, circuits=()).close()
    before = path.read_bytes()
    one_line_error(run("wallet", "show", "-V", other, "-w", path), r"a\.wallet: belongs to venue")
    r = run(
        "order", "new", "-V", other, "-w", path, "--side", "buy", "--size", 1,
        "--limit", 60_000, "-o", tmp_path / "x.order",
    )  # fmt: skip
    one_line_error(r, "belongs to venue")
    assert path.read_bytes() == before and not (tmp_path / "x.order").exists()
    # an exported file carries the venue too
    ok("keys", "export", path, "--viewing", "-o", tmp_path / "v.key")
    one_line_error(run("wallet", "show", "-V", other, "-w", tmp_path / "v.key"), "belongs to venue")


def test_requirement_matches_meets():
    """requirement() is the least equity that meets margin (both models)."""
    from zkats.domain import instruments, keys, oracle, units

    perp = instruments.perpetual("BTC", tick=1)
    view = keys.SpendingKey.from_seed(b"req").view
    for model in (0, 1):
        ep = oracle.Epoch(
            1, (oracle.EpochEntry(perp.id, 61_111, 61_111, units.GREEK_SCALE, 0, 1000, 500),)
        )
        n = Note.open(view, collateral=50_000, model=model).apply_leg(perp.id, -3, -3 * 60_000)
        for maint in (False, True):
            req = margin.requirement(n, ep, maint)
            e = margin.equity(n, ep)
            at = n.with_collateral(n.collateral - (e - req))
            assert margin.meets(at, ep, maint)
            assert not margin.meets(n.with_collateral(at.collateral - 1), ep, maint)

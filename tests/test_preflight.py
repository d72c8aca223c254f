"""Requests that cannot succeed are refused before any proving: the
prover is replaced by one that fails the test if called; every refusal is
one line, and the wallet and the ledger are unchanged."""

import pytest

from test_cli_venue import ok, one_line_error, run
from test_wallet_show import _put_on_ledger
from zkats.domain.notes import Note
from zkats.errors import InputError


class ProverCalled(Exception):
    pass


@pytest.fixture
def no_prover(monkeypatch):
    from zkats.venue.workflow import Venue

    def fail(self, name, *a, **kw):
        raise ProverCalled(name)

    monkeypatch.setattr(Venue, "prove", fail)


@pytest.fixture
def world(tmp_path, no_prover):
    """A venue (no proving keys) with one account long 2 BTC-PERP at 60,000
    (settled note on the ledger, account registered)."""
    from zkats.venue.workflow import Venue, Wallet

    vdir = tmp_path / "v"
    Venue.init(vdir, mark=60_000, circuits=()).close()
    path = tmp_path / "a.wallet"
    ok("keys", "new", path)
    v = Venue(vdir)
    w = Wallet.load(path)
    v.use(w, bind=True)
    note = Note.open(w.view, collateral=20_000)
    note = note.apply_leg(v.instrument("BTC-PERP"), 2, 120_000)
    w.note, w.leaf = note, _put_on_ledger(v, note)
    w.save()
    with v.ledger.write():
        v.ledger.register_account(w.account, 1)
    v.close()
    return vdir, path


def _unchanged(vdir, path, fn, match):
    from zkats.venue.workflow import Venue, Wallet

    v = Venue(vdir)
    before = (path.read_bytes(), v.ledger.dump())
    with pytest.raises(InputError, match=match) as e:
        fn(v, Wallet.load(path))
    assert "\n" not in str(e.value)
    assert (path.read_bytes(), v.ledger.dump()) == before
    v.close()


def _epoch_missed(vdir, mark):
    """Publish an epoch at ``mark`` and let its deadline pass unproved."""
    from zkats.venue.workflow import Venue

    v = Venue(vdir)
    ep = v.publish_epoch({"BTC-PERP": mark}, deadline_in=10)
    v.advance_clock(20)
    v.close_epoch(ep.epoch_id)
    v.close()
    return ep.epoch_id


def test_withdraw_more_than_free(world):
    vdir, path = world
    from zkats.domain import margin
    from zkats.venue.workflow import Venue, Wallet

    v = Venue(vdir)
    free = margin.free_collateral(Wallet.load(path).note, v.epoch())
    v.close()
    assert free > 0
    _unchanged(vdir, path, lambda v, w: v.withdraw(w, free + 1, 5), "exceeds the free collateral")
    _unchanged(vdir, path, lambda v, w: v.withdraw(w, 0, 5), "must be positive")
    # the amount that can succeed goes on to proving
    v = Venue(vdir)
    with pytest.raises(ProverCalled):
        v.withdraw(Wallet.load(path), free, 5)
    v.close()


def test_withdraw_cli_refused_without_a_batch(world, tmp_path):
    vdir, path = world
    out = tmp_path / "w.json"
    r = run("withdraw", 10**6, "-V", vdir, "-w", path, "--recipient", 5, "-o", out)
    one_line_error(r, "exceeds the free collateral")
    assert not out.exists()


def test_liquidating_a_healthy_account(world):
    vdir, path = world
    _epoch_missed(vdir, 60_000)  # missed the deadline, but healthy at the marks
    _unchanged(vdir, path, lambda v, w: v.liquidate(w), "meets maintenance margin")


def test_liquidating_an_account_not_marked(world):
    vdir, path = world
    from zkats.venue.workflow import Venue

    v = Venue(vdir)
    v.publish_epoch({"BTC-PERP": 51_000})  # unhealthy, but the deadline is ahead
    v.close()
    _unchanged(vdir, path, lambda v, w: v.liquidate(w), "not liquidatable at oracle epoch 2")


def test_liquidation_at_a_stale_epoch(world):
    vdir, path = world
    eid = _epoch_missed(vdir, 51_000)
    from zkats.venue.workflow import Venue, Wallet

    # at the closed latest epoch the unhealthy account goes on to proving
    v = Venue(vdir)
    with pytest.raises(ProverCalled):
        v.liquidate(Wallet.load(path))
    v.publish_epoch({"BTC-PERP": 51_500})
    v.close()
    _unchanged(vdir, path, lambda v, w: v.liquidate(w, epoch_id=eid), "is stale")


def test_health_past_the_deadline(world):
    vdir, path = world
    from zkats.venue.workflow import Venue

    v = Venue(vdir)
    v.advance_clock(10_000)  # epoch 1's deadline (an hour) has passed
    v.close()
    _unchanged(vdir, path, lambda v, w: v.health(w), "past its deadline")

"""Liquidation only at the latest epoch, closed at its deadline, and never of
an account that has proved health since (issue 14; VENUE-CONTRACT rule 6).
Driven through the real settlement service and ledger (tests/venue_world.py):
each refused liquidation changes nothing."""

from dataclasses import replace

import pytest

from venue_world import World
from zkats.circuits import liquidate
from zkats.domain import oracle
from zkats.errors import InputError, LedgerError
from zkats.venue import batch as B


@pytest.fixture
def w(tmp_path):
    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 15_000)
    w.deposit("b", 200_000)
    w.trade("a", "b", 2, 60_000)  # a long 2 on 15,000: fails maintenance at 54,000
    w.publish(54_000)
    assert not w.healthy("a")
    return w


def _refused(w, name, match):
    before = (w.led.summary(), w.conserved())
    with pytest.raises(LedgerError, match=match):
        w.liquidate(name)
    assert (w.led.summary(), w.conserved()) == before


def test_liquidation_before_the_deadline_refused(w):
    _refused(w, "a", "closed at its deadline")


def test_stale_epoch_liquidation_refused(w):
    """a missed epoch 2's deadline; once epoch 3 is published, epoch 2's
    prices can no longer liquidate it, not even at epoch 2's marks."""
    assert str(w.accounts["a"].note.account) in w.close_epoch()
    stale = w.epoch
    w.publish(54_000)
    w.epoch, latest = stale, w.epoch  # the liquidator proves at the old epoch
    _refused(w, "a", "latest oracle epoch")
    w.epoch = latest
    _refused(w, "a", "closed at its deadline")  # epoch 3: not closed, not marked


def test_no_liquidation_after_a_health_proof(w):
    """At epoch 3 a has topped up and proves health by the deadline: closing
    the epoch does not mark it.  The risk engine cannot prove the
    liquidation (the account meets maintenance margin), and a liquidation
    statement built at forged marks, carrying the real epoch's hash (here
    with a stand-in proof), is refused by the service: the account is not
    liquidatable."""
    w.close_epoch()
    w.publish(54_000)
    w.deposit("a", 50_000)
    w.health("a")
    w.health("b")
    assert w.close_epoch() == []
    with pytest.raises(InputError, match="meets maintenance margin"):
        w.liquidate("a")
    e = w.epoch.entries
    forged = oracle.Epoch(
        w.epoch.epoch_id, (replace(e[0], mark=20_000, underlying=20_000),) + e[1:]
    )
    cap = w.accounts["a"].key.liquidation_capability()
    pub, _ = liquidate.build(w.spend("a", key=cap), w.led.current_root(), forged)
    pub = pub.replace(epoch_hash=w.epoch.hash())
    before = (w.led.summary(), w.conserved())
    with pytest.raises(LedgerError, match="not liquidatable"):
        w.apply([B.Item("liquidate", {"liquidate": w.bundle(pub)})], [])
    assert (w.led.summary(), w.conserved()) == before


def test_liquidation_at_the_latest_closed_epoch_works_once(w):
    w.close_epoch()
    cap = w.accounts["a"].key.liquidation_capability()
    pub, prv = liquidate.build(w.spend("a", key=cap), w.led.current_root(), w.epoch)
    liquidate.check(pub, prv)
    item = B.Item("liquidate", {"liquidate": w.bundle(pub)})
    w.apply([item], [("a", prv.new_note)])
    assert all(s.position == 0 for s in w.accounts["a"].note.slots)
    total, escrow = w.conserved()
    assert total == escrow
    before = (w.led.summary(), w.conserved())
    with pytest.raises(LedgerError, match="already liquidated|already spent"):
        w.apply([item], [])  # the same liquidation again
    assert (w.led.summary(), w.conserved()) == before
    with pytest.raises(InputError, match="meets maintenance margin"):
        w.liquidate("a")  # nothing is left to liquidate

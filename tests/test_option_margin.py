"""Options are margined for their risk, never on their premium (VENUE-CONTRACT
rule 5; the second attack of the risk-engine issue): under the linear model a
position needs ``rate * |x| * S`` of its underlying notional (an option as if
its delta were 1), so short calls cannot be written against the premium's
margin.  Rejected natively and by the transition's constraints; the boundary
is exact (collateral c passes, c - 1 fails)."""

import pytest

from venue_helpers import compiled
from zkats.circuits import transition
from zkats.circuits._scenario import scenario
from zkats.circuits._spend import Spend
from zkats.domain import margin, notes, orders, units
from zkats.errors import InputError
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_unsat


@pytest.fixture(scope="module")
def cc():
    return compiled(transition.Transition)


def _sell_calls(collateral, lots, premium=2_500):
    """A fresh linear-model note with ``collateral`` sells ``lots`` of the
    scenario's live call (mark 2,500, underlying 60,000, IM 15%)."""
    sc = scenario()
    note = notes.Note.open(sc.carol, collateral=collateral, model=0, salt=71)
    tree = MerkleTree(units.TREE_DEPTH)
    spend = Spend.from_tree(tree, tree.append(note.commitment()), note, sc.carol)
    leg = orders.Leg(sc.call.id, sc.carol.account, -lots, -lots * premium, 72)
    return spend, tree.root, leg, sc.epoch


def _need(lots, premium=2_500):
    """The least collateral for the short: IM on the underlying notional, plus the fee
    (the premium received is worth exactly the short's value at the mark)."""
    fee = notes.trade_fee(lots * premium)
    return -(-(lots * 60_000 * 1500) // 10_000) + fee


def test_short_calls_on_premium_margin_rejected(cc):
    """Short 100 calls on 40,000: their premium (250,000) at 15% would need
    37,500, but the underlying notional (6,000,000) needs 900,000.  The
    owner's own signed statement: the native check and the constraints
    reject it."""
    spend, root, leg, ep = _sell_calls(40_000, 100)
    pub, prv = transition.build(spend, root, leg, ep, new_salt=5)
    with pytest.raises(InputError, match="initial margin not met"):
        transition.check(pub, prv)
    assert_unsat(cc, transition.inputs(pub, prv), "margin")


def test_linear_boundary_on_the_underlying_notional(cc):
    need = _need(10)
    spend, root, leg, ep = _sell_calls(need, 10)
    pub, prv = transition.build(spend, root, leg, ep, new_salt=5)
    assert transition.check(pub, prv)
    assert margin.linear_slack(prv.new_note, ep) >= 0
    assert cc.solve(transition.inputs(pub, prv)).public == pub.proof_values()
    spend, root, leg, ep = _sell_calls(need - 1, 10)
    pub, prv = transition.build(spend, root, leg, ep, new_salt=5)
    with pytest.raises(InputError, match="initial margin not met"):
        transition.check(pub, prv)
    assert_unsat(cc, transition.inputs(pub, prv), "margin")

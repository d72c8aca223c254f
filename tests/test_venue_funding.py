"""Funding for perpetuals (issue 14, VENUE-CONTRACT rules 3 and 4): the
oracle's cumulative funding index, settled on every spend in circuit, paid
by one side to the other exactly, never twice, never from before a position
was opened; the venue's funding policy; wrong indexes rejected natively and
by the constraints."""

from dataclasses import replace

import pytest

from venue_helpers import compiled
from venue_world import World
from zkats.circuits import transition
from zkats.circuits._scenario import scenario
from zkats.domain import margin, notes, oracle, orders, units
from zkats.domain.oracle import FUNDING_INTERVAL, next_funding
from zkats.errors import InputError
from zkats.testing import assert_unsat


def _fee(p, q=1):
    return notes.trade_fee(q * p)


def test_longs_pay_shorts_exactly(tmp_path):
    w = World(tmp_path / "l.db", names=("a", "b"))
    w.deposit("a", 100_000)
    w.deposit("b", 100_000)
    w.trade("a", "b", 2, 60_000)  # a long 2, b short 2, at funding index 0
    w.publish(60_000, funding=150)  # the perpetual traded rich: longs pay 150 per lot
    assert w.equity("a") == 100_000 - _fee(60_000, 2) - 2 * 150
    assert w.equity("b") == 100_000 - _fee(60_000, 2) + 2 * 150
    assert w.conserved()[0] == w.conserved()[1]
    # b's funding is paid out by a withdrawal (the spend settles it)
    w.withdraw("b", 300)
    assert w.accounts["b"].note.collateral == 100_000 - _fee(60_000, 2)
    assert w.equity("b") == 100_000 - _fee(60_000, 2)
    assert w.conserved()[0] == w.conserved()[1]


def test_funding_is_settled_once_and_only_since_the_position_opened(tmp_path):
    w = World(tmp_path / "l.db", names=("a", "b", "c"))
    for n in "abc":
        w.deposit(n, 100_000)
    w.trade("a", "b", 1, 60_000)
    w.publish(60_000, funding=100)
    w.trade("a", "c", 1, 60_000)  # a's spend settles 100 of funding; c opens at index 100
    assert w.accounts["a"].note.collateral == 100_000 - 2 * _fee(60_000) - 100
    w.publish(60_000, funding=250)
    # a (long 2 since index 100) pays 2 * 150 more; b (short 1 since 0) got 250; c (short 1
    # since 100) gets 150 only
    assert w.equity("a") == 100_000 - 2 * _fee(60_000) - 100 - 2 * 150
    assert w.equity("b") == 100_000 - _fee(60_000) + 250
    assert w.equity("c") == 100_000 - _fee(60_000) + 150
    assert w.conserved()[0] == w.conserved()[1]
    # negative funding (the perpetual traded cheap): shorts pay longs
    w.publish(60_000, funding=-50)
    assert w.equity("c") == 100_000 - _fee(60_000) - 150
    assert w.conserved()[0] == w.conserved()[1]


def test_funding_policy():
    idx, h = 60_000, FUNDING_INTERVAL
    assert next_funding(0, 60_030, idx, h) == 30  # premium 30 per lot per 8 h
    assert next_funding(0, 59_970, idx, h) == -30  # shorts pay when it trades cheap
    assert next_funding(10, 60_030, idx, h // 2) == 25  # pro rata
    cap = idx * oracle.FUNDING_CAP_BPS // 10_000
    assert next_funding(0, 70_000, idx, h) == cap  # capped
    assert next_funding(0, 50_000, idx, h) == -cap
    assert next_funding(0, 60_001, idx, 3 * 3600) == 0  # rounded toward zero
    assert next_funding(7, 61_000, idx, 0) == 7
    for bad in ((0, 0, idx, h), (0, 60_000, -1, h), (0, 60_000, idx, -1)):
        with pytest.raises(InputError):
            next_funding(*bad)


def test_entry_bounds_and_value_mark():
    e = oracle.EpochEntry(7, 60_000, 60_000, units.GREEK_SCALE, 0, 1000, 500, -120)
    assert e.value == 60_120
    with pytest.raises(InputError, match="funding index"):
        replace(e, funding=1 << (units.FUNDING_BITS - 1))


# ---------------------------------------------------------------- in circuit
@pytest.fixture(scope="module")
def cc():
    return compiled(transition.Transition)


def _funded_epoch(sc, funding=150):
    e = list(sc.epoch.entries)
    e[0] = replace(e[0], funding=funding)
    return oracle.Epoch(sc.epoch.epoch_id, tuple(e))


def test_transition_books_the_fill_at_the_funding_index(cc):
    sc = scenario()
    ep = _funded_epoch(sc)
    leg = sc.match.legs()[0]
    pub, prv = transition.build(sc.spend("alice"), sc.root, leg, ep, new_salt=5)
    assert transition.check(pub, prv)
    assert cc.solve(transition.inputs(pub, prv)).public == pub.proof_values()
    s = prv.new_note.slots[prv.slot]
    assert s.cost == leg.n - leg.d * 150  # worth 0 at the value mark if price == mark
    assert margin.equity(prv.new_note, ep) == 2_000_000 - pub.fee + leg.d * (60_000 - 60_000)


def test_wrong_funding_rejected(cc):
    """The leg's entry must be its instrument's (another entry's index is
    unsat), and the entries are the signed epoch's (a different funding
    index breaks the epoch hash)."""
    sc = scenario()
    ep = _funded_epoch(sc)
    leg = sc.match.legs()[0]
    pub, prv = transition.build(sc.spend("alice"), sc.root, leg, ep, new_salt=5)
    inp = transition.inputs(pub, prv)
    # the leg's slot opened at the option's (funding 0) entry: a true leaf
    fields, sibs, bits = ep.opening(ep.index_of(sc.call.id))
    inp["slot_entry"][prv.slot], inp["slot_path"][prv.slot] = fields, sibs
    inp["slot_bits"][prv.slot] = bits
    assert_unsat(cc, inp, "funding")
    inp = transition.inputs(pub, prv)
    inp["slot_entry"][prv.slot][7] = units.encode_signed(0, units.FUNDING_BITS)  # stale
    assert_unsat(cc, inp, "epoch")
    # natively: the same statement at a stale index is another note
    stale = transition.build(sc.spend("alice"), sc.root, leg, sc.epoch, new_salt=5)[1]
    bad = replace(prv, new_note=stale.new_note)
    with pytest.raises(InputError, match="new note"):
        transition.check(pub, bad)


def test_closing_a_position_in_a_later_entry_proves(cc):
    """A leg that closes a slot whose instrument is not at entry 0 still
    settles that slot at its own entry."""
    sc = scenario()
    note = notes.Note.open(sc.alice, collateral=500_000, salt=77)
    note = note.apply_leg(sc.call.id, 4, 4 * 2_400, salt=78)
    from zkats.circuits._spend import Spend
    from zkats.gadgets.merkle import MerkleTree

    tree = MerkleTree(units.TREE_DEPTH)
    i = tree.append(note.commitment())
    spend = Spend.from_tree(tree, i, note, sc.alice)
    leg = orders.Leg(sc.call.id, sc.alice.account, -4, -4 * 2_500, 99)
    pub, prv = transition.build(spend, tree.root, leg, sc.epoch, new_salt=6)
    assert transition.check(pub, prv)
    assert prv.new_note.slots[0].position == 0
    assert cc.solve(transition.inputs(pub, prv)).public == pub.proof_values()

"""The ``liquidate`` circuit: the note is settled to the mark, positions only
shrink toward zero with a penalty capped at the equity; a bankrupt account
closes everything and reveals its shortfall.  A position that grows or
flips, a wrong penalty or a wrong shortfall is rejected natively and in
circuit (also with lying hints)."""

from dataclasses import replace

import pytest

from venue_helpers import compiled
from zkats.circuits import liquidate
from zkats.circuits._scenario import scenario
from zkats.circuits._spend import Spend
from zkats.domain import margin, notes, units
from zkats.errors import InputError
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_unsat

N_CONSTRAINTS = 18022


@pytest.fixture(scope="module")
def cc():
    return compiled(liquidate.Liquidate)


def _note(collateral=20_000):  # equity 21,500 < maintenance 31,000
    sc = scenario()
    return notes.Note(
        sc.bob.account,
        sc.bob.npk,
        collateral,
        0,
        (notes.Slot(sc.perp.id, -10, -600_500), notes.Slot(sc.call.id, 4, 9_000)),
        8,
    )


def _build(note, new_positions, salt=3):
    sc = scenario()
    tree = MerkleTree(units.TREE_DEPTH)
    i = tree.append(note.commitment())
    return liquidate.build(
        Spend.from_tree(tree, i, note, sc.bob),
        tree.root,
        sc.epoch,
        new_positions=new_positions,
        new_salt=salt,
    )


@pytest.mark.parametrize("new", [(0, 0, 0), (-4, 4, 0), (-10, 0, 0), (-1, 1, 0)])
def test_reductions_prove(cc, new):
    pub, prv = _build(_note(), new)
    assert liquidate.check(pub, prv)
    assert cc.solve(liquidate.inputs(pub, prv)).public == pub.proof_values()
    for s, x in zip(prv.new_note.slots, new):
        assert s.position == x


def test_constraint_count_pinned(cc):
    assert cc.n_constraints == N_CONSTRAINTS
    assert cc.n_pub_in == liquidate.Liquidate.n_public()


def test_penalty_and_price():
    sc = scenario()
    n = _note(collateral=100_000)
    e = margin.equity(n, sc.epoch)
    new, paid, shortfall, taken = margin.liquidate(n, sc.epoch, (0, 0, 0), salt=1)
    closed = 10 * 60_000 + 4 * 2_500
    assert paid == units.mul_bps_ceil(closed, margin.LIQUIDATION_PENALTY_BPS) == 6_100
    assert shortfall == 0
    assert taken == ((sc.perp.id, -10, -600_000), (sc.call.id, 4, 10_000), (0, 0, 0))
    # settled to the mark and closed there: no cost left, collateral = equity - penalty
    assert [s.cost for s in new.slots] == [0, 0, 0]
    assert new.collateral == e - paid == 101_500 - 6_100
    assert margin.equity(new, sc.epoch) == e - paid
    # partly closed: the rest keeps cost position * mark
    part, paid, _, _ = margin.liquidate(n, sc.epoch, (-4, 4, 0), salt=1)
    assert part.slots[0].cost == -4 * 60_000 and part.slots[1].cost == 4 * 2_500
    assert margin.equity(part, sc.epoch) == e - paid


def test_penalty_capped_at_equity_not_collateral():
    sc = scenario()
    # collateral 20,000 but a loss of 19,000 on the perp: equity 2,000 < penalty 6,100
    n = replace(_note(), slots=(notes.Slot(sc.perp.id, -10, -581_000), _note().slots[1]))
    assert margin.equity(n, sc.epoch) == 2_000
    new, paid, shortfall, taken = margin.liquidate(n, sc.epoch, (0, 0, 0), salt=1)
    assert (paid, shortfall, new.collateral) == (2_000, 0, 0)


def _bankrupt():
    """Collateral 1,000, short 10 perps sold at 59,000 (mark 60,000): equity -8,000."""
    sc = scenario()
    n = replace(
        _note(collateral=1_000), slots=(notes.Slot(sc.perp.id, -10, -590_000), _note().slots[1])
    )
    assert margin.equity(n, sc.epoch) == -8_000
    return n


def test_bankrupt_reveals_shortfall_and_closes_all(cc):
    pub, prv = _build(_bankrupt(), (0, 0, 0))
    assert (pub.penalty, pub.shortfall, prv.new_note.collateral) == (0, 8_000, 0)
    assert liquidate.check(pub, prv)
    assert cc.solve(liquidate.inputs(pub, prv)).public == pub.proof_values()
    # the whole loss: equity before (-8,000) = equity after (0) - shortfall
    assert margin.equity(prv.new_note, scenario().epoch) == 0


def test_bankrupt_partial_close_rejected(cc):
    n = _bankrupt()
    with pytest.raises(InputError, match="bankrupt"):
        margin.liquidate(n, scenario().epoch, (-4, 0, 0))
    pub, prv = _build(n, (0, 0, 0))
    inp = liquidate.inputs(pub, prv)
    inp["new_pos"][0] = units.encode_signed(-4, units.POSITION_BITS)
    assert_unsat(cc, inp, "reduce")


def test_taken_over_positions_public_and_bound(cc):
    sc = scenario()
    pub, prv = _build(_note(), (-4, 4, 0))  # perp -10 -> -4, call untouched
    assert liquidate.taken_of(pub) == [(sc.perp.id, -6, -360_000), (0, 0, 0), (0, 0, 0)]
    for field, j, delta in (
        ("taken_size", 0, 1),
        ("taken_notional", 0, -1),
        ("taken_instrument", 0, 1),
        ("taken_instrument", 1, sc.call.id),  # naming an untouched slot
    ):
        inp = liquidate.inputs(pub, prv)
        inp[field][j] += delta
        assert_unsat(cc, inp)
        bad = pub.replace(**{field: tuple(inp[field])})
        with pytest.raises(InputError):
            liquidate.check(bad, prv)


@pytest.mark.parametrize(
    "field, delta, note",
    [
        ("shortfall", -1, "bankrupt"),  # understating the loss (collateral from nowhere)
        ("shortfall", +1, "bankrupt"),  # overstating it (draining the insurance fund)
        ("penalty", +1, "bankrupt"),  # charging a bankrupt account
        ("shortfall", +1, "solvent"),  # a solvent account claiming a shortfall
        ("new_collateral", +1, "solvent"),
        ("penalty", -1, "capped"),  # paying less than the equity allows
    ],
)
def test_wrong_penalty_or_shortfall_unsat(cc, field, delta, note):
    n = {
        "bankrupt": _bankrupt(),
        "solvent": _note(),  # equity 21,500 > penalty 6,100
        "capped": replace(
            _note(), slots=(notes.Slot(scenario().perp.id, -10, -581_000), _note().slots[1])
        ),
    }[note]
    pub, prv = _build(n, (0, 0, 0))
    inp = liquidate.inputs(pub, prv)
    inp[field] += delta
    assert_unsat(cc, inp, "penalty")
    # and the native check refuses the same public claim
    if field in ("shortfall", "penalty"):
        bad = pub.replace(**{field: getattr(pub, field) + delta})
        with pytest.raises(InputError):
            liquidate.check(bad, prv)


def test_capped_penalty_proves(cc):
    pub, prv = _build(_note(collateral=1_000), (0, 0, 0))
    cc.solve(liquidate.inputs(pub, prv))
    inp = liquidate.inputs(pub, prv)
    inp["penalty"] -= 1  # underpaying while collateral remains
    assert_unsat(cc, inp, "penalty")


@pytest.mark.parametrize(
    "new, why",
    [
        ((-11, 4, 0), "grow or flip"),
        ((3, 4, 0), "grow or flip"),
        ((-10, -1, 0), "grow or flip"),
        ((0, 0, 1), "grow or flip"),
    ],
)
def test_growth_or_flip_rejected(cc, new, why):
    n = _note()
    with pytest.raises(InputError, match=why):
        margin.liquidate(n, scenario().epoch, new)
    # force the prover's way: a witness with the bad positions and the new
    # note it would produce if the rule were not checked
    pub, prv = _build(n, (0, 0, 0))
    inp = liquidate.inputs(pub, prv)
    inp["new_pos"] = [units.encode_signed(x, units.POSITION_BITS) for x in new]
    assert_unsat(cc, inp, "reduce", lie=(new[0] == -11))


def test_expired_position_is_settled_not_taken_over(cc):
    """A note failing maintenance that still holds an expired call (settled
    at 2,000 a lot): the call is closed at its settlement value by the
    settlement, so nothing of it is reduced or taken over; only the live
    short goes to the backstop.  Naming the expired slot as taken over is
    refused natively and in constraints."""
    sc = scenario()
    n = notes.Note(
        sc.bob.account,
        sc.bob.npk,
        20_000,
        0,
        (notes.Slot(sc.perp.id, -10, -600_500), notes.Slot(sc.old_call.id, 3, 4_500)),
        8,
    )
    assert not margin.meets(n, sc.epoch, maintenance=True)
    pub, prv = _build(n, (0, 0, 0))
    assert liquidate.check(pub, prv)
    assert cc.solve(liquidate.inputs(pub, prv)).public == pub.proof_values()
    assert liquidate.taken_of(pub) == [(sc.perp.id, -10, -600_000), (0, 0, 0), (0, 0, 0)]
    # the penalty is on the live position only; the call's 6,000 is equity
    assert pub.penalty == units.mul_bps_ceil(600_000, margin.LIQUIDATION_PENALTY_BPS)
    assert prv.new_note.collateral == margin.equity(n, sc.epoch) - pub.penalty
    for field, delta in (("taken_size", 3), ("taken_instrument", sc.old_call.id)):
        inp = liquidate.inputs(pub, prv)
        inp[field][1] += delta
        assert_unsat(cc, inp)
        with pytest.raises(InputError):
            liquidate.check(pub.replace(**{field: tuple(inp[field])}), prv)

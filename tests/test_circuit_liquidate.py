"""The ``liquidate`` circuit: positions only shrink toward zero at the mark
with a capped penalty; a position that grows or flips is rejected natively
and in circuit (also with lying hints)."""

from dataclasses import replace

import pytest

from venue_helpers import compiled
from zkats.circuits import liquidate
from zkats.circuits._scenario import scenario
from zkats.circuits._state import Spend
from zkats.errors import InputError
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_unsat
from zkats.venue import margin, notes, units

N_CONSTRAINTS = 9411


@pytest.fixture(scope="module")
def cc():
    return compiled(liquidate.Liquidate)


def _note(collateral=100_000):
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
    assert cc.solve(liquidate.inputs(pub, prv)).public == pub.signals()
    for s, x in zip(prv.new_note.slots, new):
        assert s.position == x


def test_constraint_count_pinned(cc):
    assert cc.n_constraints == N_CONSTRAINTS
    assert cc.n_pub_in == len(liquidate.PUBLIC_SIGNALS)


def test_penalty_and_price():
    sc = scenario()
    n = _note()
    new, paid = margin.liquidate(n, sc.epoch, (0, 0, 0), salt=1)
    closed = 10 * 60_000 + 4 * 2_500
    assert paid == units.mul_bps_ceil(closed, margin.LIQUIDATION_PENALTY_BPS) == 6_100
    assert new.slots[0].cost == -600_500 + 10 * 60_000 and new.collateral == n.collateral - paid
    poor, paid = margin.liquidate(replace(n, collateral=1_000), sc.epoch, (0, 0, 0), salt=1)
    assert paid == 1_000 and poor.collateral == 0  # capped


def test_capped_penalty_proves(cc):
    pub, prv = _build(_note(collateral=1_000), (0, 0, 0))
    cc.solve(liquidate.inputs(pub, prv))
    inp = liquidate.inputs(pub, prv)
    inp["paid"] -= 1  # underpaying while collateral remains
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

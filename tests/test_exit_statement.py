"""The ``exit`` statement (the escrow's exit game): the owner takes its whole
equity at the epoch's marks out, every position goes to the backstop at the
mark, the change note is empty.  Honest exits (in profit, in loss, with
funding and an expired option, without positions) prove; every wrong
statement is rejected by the native check AND by the constraints."""

from dataclasses import replace

import pytest

from venue_helpers import compiled, resign
from zkats.circuits import exit as ex
from zkats.circuits._groups import NewNote, TakenOver
from zkats.circuits._scenario import scenario
from zkats.circuits._spend import Spend, authorise
from zkats.circuits.deposit import ASSET
from zkats.domain import keys, margin, notes, oracle, units
from zkats.errors import InputError
from zkats.gadgets.eddsa import eddsa_sign_poseidon
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_native_rejects, assert_unsat

N_CONSTRAINTS = 16839
RECIPIENT = 0xE1E1


@pytest.fixture(scope="module")
def cc():
    return compiled(ex.Exit)


def _epoch(perp_mark=60_000, funding=0):
    """The scenario's epoch (id 42: the perpetual, a live call, an expired
    in-the-money call and an expired future) with the perpetual moved."""
    sc = scenario()
    entries = tuple(
        replace(e, mark=perp_mark, underlying=perp_mark, funding=funding, risk=())
        if e.instrument == sc.perp.id
        else e
        for e in sc.epoch.entries
        if e.instrument
    )
    return oracle.Epoch(sc.epoch.epoch_id, entries)


def _note(collateral=100_000, slots=None):
    """Bob short 10 perpetuals at 60,050 and long 4 calls at 2,250."""
    sc = scenario()
    if slots is None:
        slots = (notes.Slot(sc.perp.id, -10, -600_500), notes.Slot(sc.call.id, 4, 9_000))
    return notes.Note(sc.bob.account, sc.bob.npk, collateral, 0, slots, 8)


def _build(note, epoch=None, key=None, salt=3):
    sc = scenario()
    tree = MerkleTree(units.TREE_DEPTH)
    i = tree.append(note.commitment())
    spend = Spend.from_tree(tree, i, note, key or sc.bob)
    return ex.build(spend, tree.root, RECIPIENT, epoch or sc.epoch, new_salt=salt)


def _honest(cc, note, epoch=None):
    epoch = epoch or scenario().epoch
    pub, prv = _build(note, epoch)
    assert ex.check(pub, prv)
    assert cc.solve(ex.inputs(pub, prv)).public == pub.proof_values()
    assert pub.amount == margin.equity(note, epoch)
    new = prv.new_note
    assert new.collateral == 0 and all(s.position == 0 and s.cost == 0 for s in new.slots)
    assert margin.equity(new, epoch) == 0
    assert (new.account, new.npk, new.model) == (note.account, note.npk, note.model)
    return pub, prv


def test_constraint_count_pinned(cc):
    assert cc.n_constraints == N_CONSTRAINTS
    assert cc.n_pub_in == ex.Exit.n_public()


def test_exit_in_profit(cc):
    """Short 10 perpetuals from 60,050 with the mark down to 55,000: the
    profit is paid out with the collateral; the backstop takes the short
    over at the mark."""
    sc = scenario()
    epoch = _epoch(55_000)
    pub, _ = _honest(cc, _note(), epoch)
    call = epoch.entry(sc.call.id).value
    assert pub.amount == 100_000 + (600_500 - 550_000) + (4 * call - 9_000)
    assert pub.amount > 100_000
    assert TakenOver.of(pub) == [
        (sc.perp.id, -10, -550_000),
        (sc.call.id, 4, 4 * call),
        (0, 0, 0),
    ]


def test_exit_in_loss(cc):
    """The same short with the mark up to 66,000: less than the collateral."""
    pub, _ = _honest(cc, _note(), _epoch(66_000))
    assert 0 < pub.amount < 100_000


def test_exit_with_funding_and_an_expired_option(cc):
    """Funding moves the value mark (a short receives it); the expired call
    settles at its intrinsic value (2,000) and is not taken over."""
    sc = scenario()
    slots = (
        notes.Slot(sc.perp.id, -10, -600_500),
        notes.Slot(sc.old_call.id, 3, 3 * 1_500),
    )
    epoch = _epoch(60_000, funding=120)
    pub, _ = _honest(cc, _note(slots=slots), epoch)
    assert pub.amount == 100_000 + (600_500 - 10 * (60_000 - 120)) + (3 * 2_000 - 4_500)
    assert TakenOver.of(pub) == [(sc.perp.id, -10, -10 * 59_880), (0, 0, 0), (0, 0, 0)]


def test_exit_without_positions(cc):
    """A realised profit left in an empty slot's cost is paid out too."""
    sc = scenario()
    pub, _ = _honest(cc, _note(50_000, (notes.Slot(sc.perp.id, 0, -7_000),)))
    assert pub.amount == 57_000
    assert TakenOver.of(pub) == [(0, 0, 0)] * units.N_SLOTS


def _bankrupt_statement(note, epoch, amount):
    """The attacker's statement for a note whose equity is not positive:
    every position taken over at the mark, ``amount`` paid, an empty note."""
    sc = scenario()
    tree = MerkleTree(units.TREE_DEPTH)
    i = tree.append(note.commitment())
    spend = Spend.from_tree(tree, i, note, sc.bob)
    taken = []
    for s in note.slots:
        v = epoch.entry(s.instrument).value if s.position else 0
        taken.append((s.instrument, s.position, s.position * v) if s.position else (0, 0, 0))
    empty = replace(
        note, collateral=0, slots=tuple(notes.Slot(s.instrument, 0, 0) for s in note.slots)
    ).with_salt(3)
    pub = ex.Exit.public(
        root=tree.root,
        nullifier=note.nullifier(spend.nk),
        **NewNote.public(empty, spend.view),
        asset=ASSET,
        amount=amount,
        recipient=RECIPIENT,
        epoch_id=epoch.epoch_id,
        epoch_hash=epoch.hash(),
        **TakenOver.public(taken),
    )
    return pub, authorise(pub, ex.ExitPrivate(spend, empty, epoch), sc.bob)


@pytest.mark.parametrize("collateral, amount", [(0, 1), (-8_000, 1), (0, 0)])
def test_no_exit_without_positive_equity(cc, collateral, amount):
    """Equity 0 (and -8,000, a bankrupt note) at 60,000: nothing to take
    out, whatever amount is claimed (0, or 1 out of nowhere)."""
    sc = scenario()
    note = _note(0, (notes.Slot(sc.perp.id, -10, -600_000 - collateral),))
    assert margin.equity(note, sc.epoch) == collateral
    with pytest.raises(InputError, match="nothing to take out"):
        _build(note)
    pub, prv = _bankrupt_statement(note, sc.epoch, amount)
    assert_native_rejects(ex.check, pub, prv, "nothing to take out|exit amount")
    assert_unsat(cc, ex.inputs(pub, prv))


@pytest.mark.parametrize("delta", [1, -1, 50_000])
def test_amount_must_be_the_equity(cc, delta):
    pub, prv = _build(_note(), _epoch(55_000))
    bad, prv2 = resign(pub, prv, scenario().bob, amount=pub.amount + delta)
    assert_native_rejects(ex.check, bad, prv2, "not the account's equity")
    assert_unsat(cc, ex.inputs(bad, prv2))


@pytest.mark.parametrize(
    "field, j, delta",
    [
        ("taken_size", 0, 1),  # the backstop takes one lot less
        ("taken_size", 0, -1),
        ("taken_notional", 0, -1),  # at another price
        ("taken_notional", 1, 1),
        ("taken_instrument", 0, 1),  # another instrument
        ("taken_instrument", 2, 7),  # naming an empty slot
    ],
)
def test_taken_over_positions_bound(cc, field, j, delta):
    pub, prv = _build(_note())
    vals = list(getattr(pub, field))
    vals[j] += delta
    bad, prv2 = resign(pub, prv, scenario().bob, **{field: tuple(vals)})
    assert_native_rejects(ex.check, bad, prv2, "taken-over positions")
    assert_unsat(cc, ex.inputs(bad, prv2), "take_over")


def _tampered_note(pub, prv, new_note, **changes):
    """The owner's statement with another change note (re-signed: only the
    rule can reject it)."""
    view = prv.spend.view
    bad = pub.replace(**NewNote.public(new_note, view), **changes)
    return bad, authorise(bad, replace(prv, new_note=new_note), scenario().bob)


def test_no_position_left_open(cc):
    """Keeping a position (at its settled cost) in the change note while
    the backstop takes only the rest, or takes it all: refused."""
    sc = scenario()
    pub, prv = _build(_note())
    kept = replace(
        prv.new_note,
        slots=(notes.Slot(sc.perp.id, -10, -600_000),) + prv.new_note.slots[1:],
    )
    for changes in (
        {},
        {"taken_size": (units.encode_signed(0, units.POSITION_BITS),) + tuple(pub.taken_size[1:])},
    ):
        bad, prv2 = _tampered_note(pub, prv, kept, **changes)
        assert_native_rejects(ex.check, bad, prv2, "new note is not|taken-over")
        assert_unsat(cc, ex.inputs(bad, prv2))


def test_change_note_keeps_no_collateral(cc):
    pub, prv = _build(_note())
    for amount, coll in ((pub.amount - 1, 1), (pub.amount, 1)):
        kept = replace(prv.new_note, collateral=coll)
        bad, prv2 = _tampered_note(pub, prv, kept, amount=amount)
        assert_native_rejects(ex.check, bad, prv2, "new note is not|equity")
        assert_unsat(cc, ex.inputs(bad, prv2))


def test_at_another_epoch(cc):
    """The public epoch must be the one the prover opened: another id, or
    another epoch's hash, is refused."""
    pub, prv = _build(_note())
    other = _epoch(50_000)
    for changes in ({"epoch_id": pub.epoch_id + 1}, {"epoch_hash": other.hash()}):
        bad, prv2 = resign(pub, prv, scenario().bob, **changes)
        assert_native_rejects(ex.check, bad, prv2, "wrong oracle epoch")
        assert_unsat(cc, ex.inputs(bad, prv2), "epoch")


def _forge(pub, prv, sign):
    sig = sign(pub.statement.message(pub))
    return replace(prv, spend=replace(prv.spend, auth=sig))


def test_only_the_owner_signs(cc):
    """Not the holder of the opening and nk (the operator), not the
    liquidation capability (the risk engine), not another key."""
    sc = scenario()
    cap = sc.bob.liquidation_capability()
    pub, prv = _build(_note(), key=sc.bob.view)
    assert prv.spend.auth is None  # a viewing key cannot sign
    with pytest.raises(InputError, match="needs the owner's spending key"):
        authorise(pub, prv, cap)
    for sign in (
        cap.sign,
        keys.SpendingKey.from_seed(b"thief").sign,
        lambda msg: eddsa_sign_poseidon(sc.bob.nk.to_bytes(32, "big"), msg),
    ):
        forged = _forge(pub, prv, sign)
        assert_native_rejects(ex.check, pub, forged, "not authorised by the owner's spending key")
        assert_unsat(cc, ex.inputs(pub, forged), "authorisation")
    good = authorise(pub, prv, sc.bob)
    assert ex.check(pub, good)


def test_recipient_bound_by_the_signature(cc):
    pub, prv = _build(_note())
    moved = pub.replace(recipient=0xBAD)
    assert_native_rejects(ex.check, moved, prv, "not authorised")
    assert_unsat(cc, ex.inputs(moved, prv), "authorisation")

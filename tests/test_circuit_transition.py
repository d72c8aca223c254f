"""The ``transition`` circuit: both legs of a trade apply; under-margined
results, wrong leg openings, stolen legs, wrong slots and wrong fees are
rejected natively and in circuit."""

from dataclasses import replace

import pytest

from venue_helpers import compiled
from zkats.circuits import transition
from zkats.circuits._groups import NewNote
from zkats.circuits._scenario import scenario
from zkats.circuits._spend import Spend, sign_if_held
from zkats.domain import notes, units
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_native_rejects, assert_unsat

N_CONSTRAINTS = 22780


@pytest.fixture(scope="module")
def cc():
    return compiled(transition.Transition)


def spend_of(note, key):
    tree = MerkleTree(units.TREE_DEPTH)
    tree.append(12345)
    i = tree.append(note.commitment())
    return Spend.from_tree(tree, i, note, key), tree.root


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_both_legs_apply(cc, who):
    sc = scenario()
    leg = sc.match.legs()[0 if who == "alice" else 1]
    pub, prv = transition.build(sc.spend(who), sc.root, leg, sc.epoch, new_salt=5)
    assert transition.check(pub, prv)
    assert cc.solve(transition.inputs(pub, prv)).public == pub.proof_values()
    assert prv.new_note.slots[prv.slot].position == leg.d


def test_constraint_count_pinned(cc):
    assert cc.n_constraints == N_CONSTRAINTS
    assert cc.n_pub_in == transition.Transition.n_public()


def test_under_margined(cc):
    sc = scenario()
    leg = sc.match.legs()[0]  # +6 @ 60000: IM 10% = 36000
    fee = notes.trade_fee(abs(leg.n))
    for coll, ok in ((36_000 + fee, True), (36_000 + fee - 1, False)):
        note = notes.Note.open(sc.alice, collateral=coll, salt=9)
        sp, root = spend_of(note, sc.alice)
        slot = note.slot_for(leg.instrument)
        new = note.apply_leg(leg.instrument, leg.d, leg.n, slot=slot, salt=3)
        pub = transition.Transition.public(
            root=root,
            nullifier=note.nullifier(sc.alice.nk),
            instrument=leg.instrument,
            leg=leg.commitment(),
            tag=leg.tag(),
            epoch_id=sc.epoch.epoch_id,
            epoch_hash=sc.epoch.hash(),
            fee=fee,
            **NewNote.public(new, sc.alice.view),
        )
        prv = sign_if_held(pub, transition.TransitionPrivate(sp, leg, slot, new, sc.epoch))
        if ok:
            assert transition.check(pub, prv)
            cc.solve(transition.inputs(pub, prv))
        else:
            assert_native_rejects(transition.check, pub, prv, "initial margin not met")
            assert_unsat(cc, transition.inputs(pub, prv), "margin", lie=True)


def test_wrong_leg_opening(cc):
    sc = scenario()
    leg = sc.match.legs()[0]
    pub, prv = transition.build(sc.spend("alice"), sc.root, leg, sc.epoch, new_salt=5)
    # claim a bigger fill than the leg commits to
    big = replace(leg, d=leg.d * 2, n=leg.n * 2)
    new = sc.spend("alice").note.apply_leg(big.instrument, big.d, big.n, slot=prv.slot, salt=5)
    bad_pub = pub.replace(commitment=new.commitment())
    bad_prv = replace(prv, leg=big, new_note=new)
    assert_native_rejects(transition.check, bad_pub, bad_prv, "wrong leg opening")
    assert_unsat(cc, transition.inputs(bad_pub, bad_prv), "leg")


def test_stolen_leg(cc):
    # alice applies bob's (seller) leg, whose tag binds it to bob's account
    sc = scenario()
    leg_b = sc.match.legs()[1]
    stolen = replace(leg_b, account=sc.alice.account)
    pub, prv = transition.build(sc.spend("alice"), sc.root, stolen, sc.epoch, new_salt=5)
    bad_pub = pub.replace(tag=leg_b.tag())
    assert_native_rejects(transition.check, bad_pub, prv, "not bound to this account")
    assert_unsat(cc, transition.inputs(bad_pub, prv), "leg")


def test_slot_holding_another_instrument(cc):
    sc = scenario()
    n0 = notes.Note(
        sc.alice.account, sc.alice.npk, 2_000_000, 0, (notes.Slot(sc.call.id, 1, 2500),), 9
    )
    sp, root = spend_of(n0, sc.alice)
    leg = sc.match.legs()[0]
    pub, prv = transition.build(sp, root, leg, sc.epoch, new_salt=4)
    assert prv.slot == 1
    cc.solve(transition.inputs(pub, prv))
    with pytest.raises(Exception, match="holds another instrument"):
        n0.apply_leg(leg.instrument, leg.d, leg.n, slot=0)
    inp = transition.inputs(pub, prv)
    inp["slot"] = 0
    # slot 0's opened entry is the call's: not the leg's instrument
    assert_unsat(cc, inp, "funding")


def test_wrong_fee_or_position(cc):
    sc = scenario()
    pub, prv = transition.build(
        sc.spend("alice"), sc.root, sc.match.legs()[0], sc.epoch, new_salt=5
    )
    inp = transition.inputs(pub, prv)
    inp["fee"] -= 1
    assert_unsat(cc, inp, "apply", lie=True)
    inp = transition.inputs(pub, prv)
    inp["nullifier"] = inp["nullifier"] + 1
    assert_unsat(cc, inp, "spend")
    inp = transition.inputs(pub, prv)
    inp["root"] = 1
    assert_unsat(cc, inp, "spend")

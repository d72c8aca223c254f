"""The ``deposit`` and ``withdraw`` circuits: amounts are conserved exactly;
overdrafts, under-margined withdrawals, non-empty fresh accounts and wrong
assets are rejected natively and in circuit."""

from dataclasses import replace

import pytest

from venue_helpers import compiled, resign
from zkats.circuits import deposit, withdraw
from zkats.circuits._scenario import scenario
from zkats.circuits._spend import Spend
from zkats.domain import keys, notes, units
from zkats.gadgets.merkle import MerkleTree
from zkats.testing import assert_native_rejects, assert_unsat


@pytest.fixture(scope="module")
def dep():
    return compiled(deposit.Deposit)


@pytest.fixture(scope="module")
def wd():
    return compiled(withdraw.Withdraw)


def test_counts(dep, wd):
    assert (dep.n_constraints, wd.n_constraints) == (11115, 21320)
    assert dep.n_pub_in == deposit.Deposit.n_public()
    assert wd.n_pub_in == withdraw.Withdraw.n_public()


def test_deposit_existing_and_fresh(dep):
    sc = scenario()
    pub, prv = deposit.build(sc.spend("alice"), sc.root, 12_345, new_salt=4, signer=sc.alice)
    assert deposit.check(pub, prv)
    assert dep.solve(deposit.inputs(pub, prv)).public == pub.proof_values()
    assert prv.new_note.collateral == sc.spend("alice").note.collateral + 12_345
    carol = keys.SpendingKey.from_seed(b"carol")
    empty = notes.Note.open(carol, salt=99)
    pub, prv = deposit.build(
        Spend.fresh(empty, carol), sc.root, 500, fresh=True, new_salt=4, signer=carol
    )
    assert pub.nullifier == notes.genesis_nullifier(carol.nk)
    assert deposit.check(pub, prv)
    dep.solve(deposit.inputs(pub, prv))
    # a "fresh" account that is not empty (minting collateral) is rejected
    rich = replace(empty, collateral=10**6)
    pub, prv = deposit.build(
        Spend.fresh(rich, carol), sc.root, 500, fresh=True, new_salt=4, signer=carol
    )
    assert_native_rejects(deposit.check, pub, prv, "starts from the empty note")
    assert_unsat(dep, deposit.inputs(pub, prv), "fresh_is_empty")


def test_deposit_amount_conserved(dep):
    sc = scenario()
    pub, prv = deposit.build(sc.spend("alice"), sc.root, 100, new_salt=4, signer=sc.alice)
    bad, prv2 = resign(pub, prv, sc.alice, amount=99)  # note gains 100, escrow 99
    assert_native_rejects(deposit.check, bad, prv2, "plus the amount")
    assert_unsat(dep, deposit.inputs(bad, prv2))
    bad, prv2 = resign(pub, prv, sc.alice, asset=pub.asset + 1)
    assert_native_rejects(deposit.check, bad, prv2, "collateral asset")
    assert_unsat(dep, deposit.inputs(bad, prv2))


def test_withdraw(wd):
    sc = scenario()
    pub, prv = withdraw.build(
        sc.spend("alice"), sc.root, 1_000, 0xBEEF, sc.epoch, new_salt=4, signer=sc.alice
    )
    assert withdraw.check(pub, prv)
    assert wd.solve(withdraw.inputs(pub, prv)).public == pub.proof_values()


def test_withdraw_overdraft_and_margin(wd):
    sc = scenario()
    # overdraft: more than the collateral
    n = notes.Note.open(sc.alice, collateral=1_000, salt=5)
    tree = MerkleTree(units.TREE_DEPTH)
    i = tree.append(n.commitment())
    sp = Spend.from_tree(tree, i, n, sc.alice)
    pub, prv = withdraw.build(sp, tree.root, 1_000, 1, sc.epoch, new_salt=4, signer=sc.alice)
    over_new = replace(prv.new_note, collateral=0)
    bad, prv2 = resign(pub, prv, sc.alice, amount=1_001)
    inp = withdraw.inputs(bad, prv2)
    inp["new_salt"] = over_new.salt
    assert_native_rejects(withdraw.check, bad, prv2, "exceeds")
    assert_unsat(wd, inp)
    # margin: a long position needs 10% of 6 * 60000 = 36000 after withdrawing
    n = notes.Note(
        sc.alice.account, sc.alice.npk, 40_000, 0, (notes.Slot(sc.perp.id, 6, 360_000),), 5
    )
    tree = MerkleTree(units.TREE_DEPTH)
    i = tree.append(n.commitment())
    sp = Spend.from_tree(tree, i, n, sc.alice)
    pub, prv = withdraw.build(sp, tree.root, 4_000, 1, sc.epoch, new_salt=4, signer=sc.alice)
    assert withdraw.check(pub, prv)
    wd.solve(withdraw.inputs(pub, prv))
    pub, prv = withdraw.build(sp, tree.root, 4_001, 1, sc.epoch, new_salt=4, signer=sc.alice)
    assert_native_rejects(withdraw.check, pub, prv, "initial margin not met")
    assert_unsat(wd, withdraw.inputs(pub, prv), "margin", lie=True)

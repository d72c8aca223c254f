"""The ``cancel`` circuit: the owner of an order withdraws it.  Each attack
is rejected by the native check AND by the constraints: a cancel signed by
another key (a non-owner), the order's own signature replayed as the
cancel's authorisation, another account's keys, a wrong opening, a
signature moved to another order.  A remainder (not re-signed) can be
cancelled by its owner."""

from dataclasses import replace

import pytest

from venue_helpers import compiled, with_keys_of, wrong_openings
from zkats.circuits import cancel
from zkats.circuits._scenario import scenario
from zkats.domain import orders
from zkats.errors import InputError
from zkats.gadgets.babyjubjub import L
from zkats.testing import assert_native_rejects, assert_unsat

N_CONSTRAINTS = 6777


@pytest.fixture(scope="module")
def cc():
    return compiled(cancel.Cancel)


@pytest.fixture(scope="module")
def valid():
    return cancel.build(scenario().buy, scenario().alice)


def test_valid_cancel_proves(cc, valid):
    pub, prv = valid
    assert cancel.check(pub, prv)
    w = cc.solve(cancel.inputs(pub, prv))
    assert w.public == pub.proof_values() == list(scenario().buy.commitment)
    assert cc.n_pub_in == cancel.Cancel.n_public() == 2


def test_constraint_count_pinned(cc):
    assert cc.n_constraints == N_CONSTRAINTS


def test_public_signals_are_the_order_commitment_only():
    assert cancel.Cancel.public_names() == ("order",)


def test_cancel_by_a_non_owner(cc, valid):
    """bob holds alice's order opening (as an operator would) and signs with his key."""
    sc = scenario()
    pub, prv = valid
    forged = replace(prv, auth=sc.bob.sign(cancel.Cancel.message(pub)))
    assert_native_rejects(cancel.check, pub, forged, "not authorised by the owner")
    assert_unsat(cc, cancel.inputs(pub, forged), "authorisation")
    # the key refuses to sign for another account's order at all
    with pytest.raises(InputError, match="not the order's account"):
        cancel.build(sc.buy, sc.bob)


def test_order_signature_is_not_a_cancel(cc, valid):
    """The order's own signature (the operator holds it) is over another message."""
    pub, prv = valid
    replayed = replace(prv, auth=prv.signed.sig)
    assert_native_rejects(cancel.check, pub, replayed, "not authorised")
    assert_unsat(cc, cancel.inputs(pub, replayed), "authorisation")


def test_another_accounts_keys(cc, valid):
    """bob's keys with his own signature: not the order's account."""
    sc = scenario()
    pub, prv = valid
    auth = sc.bob.sign(cancel.Cancel.message(pub))
    bad = cancel.CancelPrivate(with_keys_of(prv.signed, sc.bob), auth)
    assert_native_rejects(cancel.check, pub, bad, "not the order's account")
    assert_unsat(cc, cancel.inputs(pub, bad), "owner")


def test_wrong_opening(cc, valid):
    pub, prv = valid
    for bad_so in wrong_openings(prv.signed):
        bad = replace(prv, signed=bad_so)
        assert_native_rejects(cancel.check, pub, bad, "wrong order opening")
        assert_unsat(cc, cancel.inputs(pub, bad), "opening")


def test_authorisation_bound_to_the_order(cc, valid):
    """alice's cancel of one order does not cancel her other order."""
    sc = scenario()
    pub, prv = valid
    other = orders.sign_order(sc.alice, replace(sc.buy.order, nonce=2), blinding=13)
    opub = cancel.Cancel.public(order=other.commitment)
    moved = cancel.CancelPrivate(other, prv.auth)
    assert_native_rejects(cancel.check, opub, moved, "not authorised")
    assert_unsat(cc, cancel.inputs(opub, moved), "authorisation")
    s = prv.auth
    malleated = replace(prv, auth=(s[0], s[1] + L))  # the same point equation, S >= L
    assert_native_rejects(cancel.check, pub, malleated, "not authorised")
    assert_unsat(cc, cancel.inputs(pub, malleated), "authorisation")


def test_remainder_cancelled_by_its_owner(cc):
    """A partial fill's remainder (not re-signed, any size, expiry past) is
    the owner's to cancel."""
    sc = scenario()
    rem_a, _ = sc.match.remainders()
    assert rem_a.order.size == 4
    pub, prv = cancel.build(rem_a, sc.alice)
    assert cancel.check(pub, prv)
    assert cc.solve(cancel.inputs(pub, prv)).public == list(rem_a.commitment)

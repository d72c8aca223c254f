"""The ``order`` circuit: valid signed orders prove; forged signatures, wrong
openings, expired orders, zero sizes are rejected natively and in circuit."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from venue_helpers import compiled, with_keys_of, wrong_openings
from zkats.circuits import order
from zkats.circuits._scenario import NOW, scenario
from zkats.domain import orders
from zkats.gadgets.babyjubjub import L
from zkats.testing import assert_native_rejects, assert_unsat

N_CONSTRAINTS = 7034


@pytest.fixture(scope="module")
def cc():
    return compiled(order.Order)


@pytest.fixture(scope="module")
def valid():
    return order.build(scenario().buy, NOW)


def test_valid_order_proves(cc, valid):
    pub, prv = valid
    assert order.check(pub, prv)
    w = cc.solve(order.inputs(pub, prv))
    assert w.public == pub.proof_values()
    assert cc.n_pub_in == order.Order.n_public()


def test_constraint_count_pinned(cc):
    assert cc.n_constraints == N_CONSTRAINTS


def test_forged_signature(cc, valid):
    pub, prv = valid
    so = prv.signed
    bad = replace(prv, signed=replace(so, sig=(so.sig[0], (so.sig[1] + 1) % L)))
    assert_native_rejects(order.check, pub, bad, "bad signature")
    assert_unsat(cc, order.inputs(pub, bad), "eddsa")


def test_signature_by_another_key(cc, valid):
    sc = scenario()
    pub, prv = valid
    so = prv.signed
    msg = orders.signing_message(so.commitment)
    bad = replace(prv, signed=replace(so, sig=sc.bob.sign(msg)))
    assert_native_rejects(order.check, pub, bad, "bad signature")
    assert_unsat(cc, order.inputs(pub, bad), "eddsa")
    stolen = replace(prv, signed=with_keys_of(so, sc.bob, sig=sc.bob.sign(msg)))
    assert_native_rejects(order.check, pub, stolen, "not the order's account")
    assert_unsat(cc, order.inputs(pub, stolen), "signature")


def test_wrong_opening(cc, valid):
    pub, prv = valid
    for bad in wrong_openings(prv.signed):
        bprv = replace(prv, signed=bad)
        assert_native_rejects(order.check, pub, bprv, "wrong commitment opening")
        assert_unsat(cc, order.inputs(pub, bprv), "commitment")


def test_expired(cc, valid):
    pub, prv = valid
    for now in (prv.signed.order.expiry, prv.signed.order.expiry + 1000):
        bpub = pub.replace(now=now)
        assert_native_rejects(order.check, bpub, prv, "expired")
        assert_unsat(cc, order.inputs(bpub, prv), "fields", lie=True)


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    size=st.integers(1, (1 << 32) - 1),
    limit=st.integers(1, (1 << 40) - 1),
    side=st.sampled_from([0, 1]),
    nonce=st.integers(0, (1 << 64) - 1),
)
def test_random_valid_orders(cc, size, limit, side, nonce):
    sc = scenario()
    o = orders.Order(sc.perp.id, side, size, limit, NOW + 10, sc.alice.account, nonce)
    pub, prv = order.build(orders.sign_order(sc.alice, o), NOW)
    assert order.check(pub, prv)
    assert cc.solve(order.inputs(pub, prv)).public == pub.proof_values()

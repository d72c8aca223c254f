"""The ``match`` circuit: crossing orders match; crossed limits, oversize
fills, wrong openings, same-side and expired orders are rejected natively
and in circuit (also with lying hints)."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from venue_helpers import compiled
from zkats.circuits import match
from zkats.circuits._scenario import NOW, scenario
from zkats.commit import pedersen
from zkats.domain import orders
from zkats.gadgets.pedersen import blinding_generator, value_generators
from zkats.testing import assert_native_rejects, assert_unsat

N_CONSTRAINTS = 9281


@pytest.fixture(scope="module")
def cc():
    return compiled(match.Match)


def _case(**kw):
    m = replace(scenario().match, **kw)
    return match.build(m, NOW)


def test_valid_match_proves(cc):
    pub, prv = _case()
    assert match.check(pub, prv)
    assert cc.solve(match.inputs(pub, prv)).public == pub.proof_values()
    assert cc.n_pub_in == match.Match.n_public()


def test_revealed_price(cc):
    pub, prv = _case(reveal_price=1)
    assert pub.price == 60_000
    assert cc.solve(match.inputs(pub, prv)).public == pub.proof_values()
    bad = pub.replace(price=59_999)
    assert_native_rejects(match.check, bad, prv, "published price")
    assert_unsat(cc, match.inputs(bad, prv), "price")


def test_constraint_count_pinned(cc):
    assert cc.n_constraints == N_CONSTRAINTS


@pytest.mark.parametrize("price, why", [(60_101, "do not cross"), (59_899, "do not cross")])
def test_price_outside_limits(cc, price, why):
    pub, prv = _case(price=price)
    assert_native_rejects(match.check, pub, prv, why)
    assert_unsat(cc, match.inputs(pub, prv), "cross", lie=True)


def test_crossed_limits_never_match(cc):
    # buy limit below sell limit: no price works
    sc = scenario()
    low_buy = orders.sign_order(sc.alice, replace(sc.buy.order, limit=59_000), blinding=11)
    pub, prv = _case(a=low_buy, price=59_500)
    assert_native_rejects(match.check, pub, prv, "do not cross")
    assert_unsat(cc, match.inputs(pub, prv), "cross", lie=True)


def test_oversize_fill(cc):
    m = replace(scenario().match, fill=7)  # the sell order has 6
    g1, h = value_generators(2)[1], blinding_generator()
    rem = [
        pedersen.add(so.commitment, pedersen.sub(pedersen.mul(h, d), pedersen.mul(g1, 7)))
        for so, d in ((m.a, m.rem_a_delta), (m.b, m.rem_b_delta))
    ]
    legs = m.legs()
    pub = match.Match.public(
        instrument=m.a.order.instrument,
        now=NOW,
        reveal_price=0,
        price=0,
        order_a=m.a.commitment,
        order_b=m.b.commitment,
        rem_a=rem[0],
        rem_b=rem[1],
        leg_a=legs[0].commitment(),
        leg_b=legs[1].commitment(),
        tag_a=legs[0].tag(),
        tag_b=legs[1].tag(),
    )
    prv = match.MatchPrivate(m)
    assert_native_rejects(match.check, pub, prv, "larger than")
    assert_unsat(cc, match.inputs(pub, prv), "order_b", lie=True)


def test_wrong_opening(cc):
    pub, prv = _case()
    sc = scenario()
    bad = replace(prv, match=replace(prv.match, a=replace(sc.buy, blinding=12)))
    assert_native_rejects(match.check, pub, bad, "wrong order opening")
    assert_unsat(cc, match.inputs(pub, bad), "order_a")


def test_wrong_leg_and_remainder(cc):
    pub, prv = _case()
    good = pub.leg_a
    bad = pub.replace(leg_a=pub.leg_b, leg_b=good)  # legs swapped
    assert_native_rejects(match.check, bad, prv, "wrong leg")
    assert_unsat(cc, match.inputs(bad, prv), "leg_a")
    bad = pub.replace(rem_a=pub.order_a)  # remainder not reduced
    assert_native_rejects(match.check, bad, prv, "wrong remainder")
    assert_unsat(cc, match.inputs(bad, prv), "remainder_a")


def test_expired_order(cc):
    sc = scenario()
    pub, prv = match.build(sc.match, sc.buy.order.expiry)
    assert_native_rejects(match.check, pub, prv, "expired")
    assert_unsat(cc, match.inputs(pub, prv), "order_a", lie=True)


def test_same_side(cc):
    sc = scenario()
    buy2 = orders.sign_order(sc.bob, replace(sc.sell.order, side=orders.BUY), blinding=12)
    pub, prv = _case(b=buy2)
    assert_native_rejects(match.check, pub, prv, "same side")
    assert_unsat(cc, match.inputs(pub, prv), "cross")


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_crossing_orders_match(cc, data):
    sc = scenario()
    sell_lim = data.draw(st.integers(1, (1 << 40) - 2))
    buy_lim = data.draw(st.integers(sell_lim, (1 << 40) - 1))
    price = data.draw(st.integers(sell_lim, buy_lim))
    sizes = data.draw(st.tuples(st.integers(1, (1 << 32) - 1), st.integers(1, (1 << 32) - 1)))
    fill = data.draw(st.integers(1, min(sizes)))
    buy = orders.sign_order(
        sc.alice,
        orders.Order(sc.perp.id, orders.BUY, sizes[0], buy_lim, NOW + 5, sc.alice.account, 3),
    )
    sell = orders.sign_order(
        sc.bob,
        orders.Order(sc.perp.id, orders.SELL, sizes[1], sell_lim, NOW + 5, sc.bob.account, 4),
    )
    a, b = (buy, sell) if data.draw(st.booleans()) else (sell, buy)
    pub, prv = match.build(orders.make_match(a, b, fill, price), NOW)
    assert match.check(pub, prv)
    assert cc.solve(match.inputs(pub, prv)).public == pub.proof_values()

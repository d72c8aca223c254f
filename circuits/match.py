"""``match``: two committed orders cross, and the fill is split correctly.

Statement (public: ``instrument, now, reveal_price, price``, the order
commitments ``order_a, order_b``, the remainder commitments ``rem_a,
rem_b``, the legs ``leg_a, leg_b`` and their account tags ``tag_a,
tag_b``): the prover knows openings of both order commitments
(:mod:`zkats.domain.orders`: digest of (instrument, side, expiry, account,
nonce), size, limit, blinding) with the public instrument, opposite sides,
neither expired at ``now``, a fill ``1 <= q <= min(size_a, size_b)`` and a
price ``p`` with ``sell limit <= p <= buy limit``, such that

* ``rem_X = order_X - q*G_1 + delta_X*H`` (a commitment to the same order
  with size ``size_X - q``),
* ``leg_X = sign_X * (q*G_0 + q*p*G_1 + rho_X*H)`` (+ buyer, - seller) and
  ``tag_X = Poseidon(LEG, account_X, rho_X)``,
* if ``reveal_price == 1`` then ``price == p``, else ``price == 0``.

Sizes and (unless revealed) the price stay hidden.  Native twin:
:func:`check` (``orders.check_match`` plus the openings).
"""

from dataclasses import dataclass

from zkats.circuit import Private, Public, register
from zkats.domain import orders, tags, units
from zkats.errors import InputError
from zkats.gadgets.babyjubjub import babyjub_add, babyjub_msm_fixed, babyjub_neg_plain
from zkats.gadgets.bits import num2bits, range_check
from zkats.gadgets.mux import select
from zkats.gadgets.pedersen import blinding_generator, value_generators

from ._common import (
    NOTIONAL_BITS,
    assert_point,
    blinding_bits,
    leg_point,
    order_commitment,
    poseidon,
)
from ._statement import Statement, witness_inputs

#: order fields in the private ``order_a``/``order_b`` arrays
ORDER_FIELDS = ("side", "expiry", "account", "nonce", "size", "limit", "blinding")


@dataclass(frozen=True)
class MatchPrivate:
    match: orders.Match

    def inputs(self):
        m = self.match
        return {
            "a": _order_fields(m.a),
            "b": _order_fields(m.b),
            "fill": m.fill,
            "fill_price": m.price,
            "delta_a": m.rem_a_delta,
            "delta_b": m.rem_b_delta,
            "rho_a": m.leg_a_blinding,
            "rho_b": m.leg_b_blinding,
        }


def build(m, now):
    legs = m.legs()
    ra, rb = m.remainders()
    pub = Match.public(
        instrument=m.a.order.instrument,
        now=now,
        reveal_price=m.reveal_price,
        price=m.price if m.reveal_price else 0,
        order_a=m.a.commitment,
        order_b=m.b.commitment,
        rem_a=ra.commitment,
        rem_b=rb.commitment,
        leg_a=legs[0].commitment(),
        leg_b=legs[1].commitment(),
        tag_a=legs[0].tag(),
        tag_b=legs[1].tag(),
    )
    return pub, MatchPrivate(m)


def check(pub, prv):
    """The native twin: raises InputError naming the failed rule."""
    m = prv.match
    orders.check_match(m, pub.now)
    if m.a.order.instrument != pub.instrument:
        raise InputError("match: wrong instrument")
    if m.a.commitment != tuple(pub.order_a) or m.b.commitment != tuple(pub.order_b):
        raise InputError("match: wrong order opening")
    ra, rb = m.remainders()
    if ra.commitment != tuple(pub.rem_a) or rb.commitment != tuple(pub.rem_b):
        raise InputError("match: wrong remainder commitment")
    la, lb = m.legs()
    if (
        la.commitment() != tuple(pub.leg_a)
        or lb.commitment() != tuple(pub.leg_b)
        or la.tag() != pub.tag_a
        or lb.tag() != pub.tag_b
    ):
        raise InputError("match: wrong leg commitment")
    if pub.reveal_price != m.reveal_price or pub.price != (m.price if m.reveal_price else 0):
        raise InputError("match: wrong published price")
    for v in (
        m.rem_a_delta,
        m.rem_b_delta,
        m.leg_a_blinding,
        m.leg_b_blinding,
        m.a.blinding,
        m.b.blinding,
    ):
        if not 0 <= v < 1 << 252:
            raise InputError("match: blinding out of range")
    return True


def _order_fields(so):
    o = so.order
    return [o.side, o.expiry, o.account, o.nonce, o.size, o.limit, so.blinding]


def examples(sc):
    """The example scenario's match: alice's buy with bob's sell."""
    return {"match": build(sc.match, sc.now)}


inputs = witness_inputs


@register("match")
class Match(Statement):
    """Two committed orders cross; the fill, remainders and legs are derived correctly."""

    instrument = Public()
    now = Public()
    reveal_price = Public()
    price = Public()
    order_a = Public(n=2)
    order_b = Public(n=2)
    rem_a = Public(n=2)
    rem_b = Public(n=2)
    leg_a = Public(n=2)
    leg_b = Public(n=2)
    tag_a = Public()
    tag_b = Public()
    a = Private(n=len(ORDER_FIELDS))
    b = Private(n=len(ORDER_FIELDS))
    fill = Private()
    fill_price = Private()
    delta_a = Private()
    delta_b = Private()
    rho_a = Private()
    rho_b = Private()

    def define(self, api):
        g = value_generators(3)
        h = blinding_generator()
        api.inverse(self.instrument)  # instrument != 0
        range_check(api, self.now, units.TIME_BITS)
        fill_bits = num2bits(api, self.fill, units.SIZE_BITS)
        range_check(api, self.fill - 1, units.SIZE_BITS)  # fill >= 1
        num2bits(api, self.fill_price, units.PRICE_BITS)
        notional = api.mul(self.fill, self.fill_price)  # < 2^72, no wrap
        n_bits = num2bits(api, notional, NOTIONAL_BITS)
        sides = []
        for name, o, pub, rem, delta, leg, rho, tag in (
            (
                "a",
                self.a,
                self.order_a,
                self.rem_a,
                self.delta_a,
                self.leg_a,
                self.rho_a,
                self.tag_a,
            ),
            (
                "b",
                self.b,
                self.order_b,
                self.rem_b,
                self.delta_b,
                self.leg_b,
                self.rho_b,
                self.tag_b,
            ),
        ):
            side, expiry, account, nonce, size, limit, blinding = o
            with api.scope(f"order_{name}"):
                api.assert_bool(side)
                range_check(api, expiry, units.TIME_BITS)
                range_check(api, expiry - self.now - 1, units.TIME_BITS)  # now < expiry
                range_check(api, nonce, units.NONCE_BITS)
                size_bits = num2bits(api, size, units.SIZE_BITS)
                limit_bits = num2bits(api, limit, units.PRICE_BITS)
                c = order_commitment(
                    api,
                    self.instrument,
                    side,
                    expiry,
                    account,
                    nonce,
                    size_bits,
                    limit_bits,
                    blinding,
                )
                assert_point(api, c, pub)
                range_check(api, size - self.fill, units.SIZE_BITS)  # fill <= size
            with api.scope(f"remainder_{name}"):
                step = babyjub_msm_fixed(
                    api, [(blinding_bits(api, delta), h), (fill_bits, babyjub_neg_plain(g[1]))]
                )
                assert_point(api, babyjub_add(api, pub, step), rem)
            with api.scope(f"leg_{name}"):
                assert_point(api, leg_point(api, side, fill_bits, n_bits, rho), leg)
                api.assert_equal(poseidon(api, [tags.LEG, account, rho]), tag)
            sides.append((side, limit))
        (side_a, lim_a), (side_b, lim_b) = sides
        with api.scope("cross"):
            api.assert_equal(side_a + side_b, 1)
            buy_lim = select(api, side_a, lim_b, lim_a)  # a sells -> b buys
            sell_lim = lim_a + lim_b - buy_lim
            range_check(api, buy_lim - self.fill_price, units.PRICE_BITS)
            range_check(api, self.fill_price - sell_lim, units.PRICE_BITS)
        with api.scope("price"):
            api.assert_bool(self.reveal_price)
            api.assert_product(self.fill_price - self.price, self.reveal_price, 0)
            api.assert_product(self.price, 1 - api.lc(self.reveal_price), 0)

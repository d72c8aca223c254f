"""``match``: two committed orders cross, and the fill is split correctly.

Statement (public: ``instrument, now, reveal_price, price_pub``, the order
commitments ``order_a, order_b``, the remainder commitments ``rem_a,
rem_b``, the legs ``leg_a, leg_b`` and their account tags ``tag_a,
tag_b``): the prover knows openings of both order commitments
(:mod:`zkats.venue.orders`: digest of (instrument, side, expiry, account,
nonce), size, limit, blinding) with the public instrument, opposite sides,
neither expired at ``now``, a fill ``1 <= q <= min(size_a, size_b)`` and a
price ``p`` with ``sell limit <= p <= buy limit``, such that

* ``rem_X = order_X - q*G_1 + delta_X*H`` (a commitment to the same order
  with size ``size_X - q``),
* ``leg_X = sign_X * (q*G_0 + q*p*G_1 + rho_X*H)`` (+ buyer, - seller) and
  ``tag_X = Poseidon(LEG, account_X, rho_X)``,
* if ``reveal_price == 1`` then ``price_pub == p``, else ``price_pub == 0``.

Sizes and (unless revealed) the price stay hidden.  Native twin:
:func:`check` (``orders.check_match`` plus the openings).
"""

from dataclasses import dataclass

from zkats.circuit import Circuit, Private, Public, register
from zkats.errors import InputError
from zkats.gadgets.babyjubjub import babyjub_add, babyjub_msm_fixed, babyjub_neg_plain
from zkats.gadgets.bits import num2bits, num2bits_strict, range_check
from zkats.gadgets.mux import select
from zkats.gadgets.pedersen import blinding_generator, value_generators
from zkats.venue import orders, tags, units

from ._common import NOTIONAL_BITS, assert_point, blinding_bits, leg_point, poseidon

PUBLIC_SIGNALS = (
    "instrument",
    "now",
    "reveal_price",
    "price",
    "order_a_x",
    "order_a_y",
    "order_b_x",
    "order_b_y",
    "rem_a_x",
    "rem_a_y",
    "rem_b_x",
    "rem_b_y",
    "leg_a_x",
    "leg_a_y",
    "leg_b_x",
    "leg_b_y",
    "tag_a",
    "tag_b",
)
#: order fields in the private ``order_a``/``order_b`` arrays
ORDER_FIELDS = ("side", "expiry", "account", "nonce", "size", "limit", "blinding")


@dataclass(frozen=True)
class MatchPublic:
    instrument: int
    now: int
    reveal_price: int
    price: int
    order_a: tuple
    order_b: tuple
    rem_a: tuple
    rem_b: tuple
    leg_a: tuple
    leg_b: tuple
    tag_a: int
    tag_b: int

    def signals(self):
        out = [self.instrument, self.now, self.reveal_price, self.price]
        for p in (self.order_a, self.order_b, self.rem_a, self.rem_b, self.leg_a, self.leg_b):
            out += list(p)
        return out + [self.tag_a, self.tag_b]


@dataclass(frozen=True)
class MatchPrivate:
    match: orders.Match


def build(m, now):
    legs = m.legs()
    ra, rb = m.remainders()
    pub = MatchPublic(
        m.a.order.instrument,
        now,
        m.reveal_price,
        m.price if m.reveal_price else 0,
        m.a.commitment,
        m.b.commitment,
        ra.commitment,
        rb.commitment,
        legs[0].commitment(),
        legs[1].commitment(),
        legs[0].tag(),
        legs[1].tag(),
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


def inputs(pub, prv):
    m = prv.match
    d = {
        "instrument": pub.instrument,
        "now": pub.now,
        "reveal_price": pub.reveal_price,
        "price_pub": pub.price,
    }
    for k in ("order_a", "order_b", "rem_a", "rem_b", "leg_a", "leg_b"):
        d[k] = list(getattr(pub, k))
    d.update(
        {
            "tag_a": pub.tag_a,
            "tag_b": pub.tag_b,
            "a": _order_fields(m.a),
            "b": _order_fields(m.b),
            "fill": m.fill,
            "price": m.price,
            "delta_a": m.rem_a_delta,
            "delta_b": m.rem_b_delta,
            "rho_a": m.leg_a_blinding,
            "rho_b": m.leg_b_blinding,
        }
    )
    return d


@register("match")
class Match(Circuit):
    """Two committed orders cross; the fill, remainders and legs are derived correctly."""

    instrument = Public()
    now = Public()
    reveal_price = Public()
    price_pub = Public()
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
    price = Private()
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
        num2bits(api, self.price, units.PRICE_BITS)
        notional = api.mul(self.fill, self.price)  # < 2^72, no wrap
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
                digest = poseidon(api, [tags.ORDER, self.instrument, side, expiry, account, nonce])
                d_bits = num2bits_strict(api, digest)[: orders.DIGEST_BITS]
                c = babyjub_msm_fixed(
                    api,
                    [
                        (d_bits, g[0]),
                        (size_bits, g[1]),
                        (limit_bits, g[2]),
                        (blinding_bits(api, blinding), h),
                    ],
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
            range_check(api, buy_lim - self.price, units.PRICE_BITS)
            range_check(api, self.price - sell_lim, units.PRICE_BITS)
        with api.scope("price"):
            api.assert_bool(self.reveal_price)
            api.assert_product(self.price - self.price_pub, self.reveal_price, 0)
            api.assert_product(self.price_pub, 1 - api.lc(self.reveal_price), 0)

"""Orders as committed intents, trade legs, and the two flows that end in a match.

An order is ``(instrument, side, size, limit, expiry, account, nonce)``
(side 0 buy, 1 sell; size in lots, limit price in collateral units per lot,
expiry unix seconds; see :mod:`zkats.domain.units`).  It is committed as a
Pedersen vector commitment over three values::

    digest = Poseidon(tags.ORDER, instrument, side, expiry, account, nonce)
    C      = low248(digest) * G_0 + size * G_1 + limit * G_2 + r * H

(``low248`` keeps the low 248 bits so the scalar is below the subgroup order
L; collisions of the truncated digest cost 2^124 work.)  Size and limit are
separate components so a match can derive the remainder commitment
``C' = C - fill*G_1 + delta*H`` (blinding ``r + delta``).  The
trader signs ``m = Poseidon(tags.ORDER_SIG, C.x, C.y)`` with EdDSA-Poseidon.

A fill of ``q`` lots at price ``p`` gives each side a *leg*: the signed size
``d`` (+q buyer, -q seller) and signed notional ``n = d*p``, committed as
``leg = sign * (q*G_0 + |n|*G_1 + rho*H)`` (a commitment to the signed
values ``(d, n)`` with blinding ``sign*rho``, so the two legs of a trade sum
to a multiple of ``H``: see :mod:`zkats.commit.netting`), and bound to its
account by the public tag ``Poseidon(tags.LEG, account, rho)`` (unlinkable
without ``rho``) so that only that account's transition can apply it.

Flows: a limit order rests in an :class:`OrderBook` and an incoming order
that crosses it is matched at the resting order's limit; in an RFQ a taker
sends a :class:`Request`, a maker answers with a signed order as a
:class:`Quote`, and the taker accepts by signing an order at the quoted
price.  Both produce a :class:`Match`, the input of the ``match`` circuit.
"""

from dataclasses import dataclass, field, replace

from ..errors import InputError
from ..field import R
from . import tags, units

BUY, SELL = 0, 1
DIGEST_BITS = 248


def _poseidon(xs):
    from ..gadgets.poseidon_hash import poseidon_plain

    return poseidon_plain(xs)


@dataclass(frozen=True)
class Order:
    instrument: int
    side: int
    size: int
    limit: int
    expiry: int
    account: int
    nonce: int

    def __post_init__(self):
        if not (isinstance(self.instrument, int) and 0 < self.instrument < R):
            raise InputError("order instrument: must be a non-zero field element")
        if self.side not in (BUY, SELL):
            raise InputError("order side: 0 (buy) or 1 (sell)")
        units.check_unsigned(self.size, units.SIZE_BITS, "order size")  # 0: a filled remainder
        if units.check_unsigned(self.limit, units.PRICE_BITS, "order limit") == 0:
            raise InputError("order limit: must be positive")
        units.check_unsigned(self.expiry, units.TIME_BITS, "order expiry")
        if not (isinstance(self.account, int) and 0 <= self.account < R):
            raise InputError("order account: must be a field element")
        units.check_unsigned(self.nonce, units.NONCE_BITS, "order nonce")

    def digest(self):
        return _poseidon(
            [tags.ORDER, self.instrument, self.side, self.expiry, self.account, self.nonce]
        )

    def commit(self, r):
        """The order commitment point for blinding ``r`` (0 <= r < L)."""
        return order_commitment(self.digest(), self.size, self.limit, r)

    def with_size(self, size):
        return replace(self, size=size)


def low248(x):
    return x & ((1 << DIGEST_BITS) - 1)


def order_commitment(digest, size, limit, r):
    from ..gadgets.pedersen import pedersen_commit_plain

    return pedersen_commit_plain([low248(digest), size, limit], r)


def signing_message(commitment):
    return _poseidon([tags.ORDER_SIG, commitment[0], commitment[1]])


@dataclass(frozen=True)
class SignedOrder:
    """An order with its opening and signature (what its owner keeps)."""

    order: Order
    blinding: int = field(repr=False)
    ak: tuple  # the account's spend-authorising key, which signs orders
    npk: int
    lk: tuple  # the account's liquidation key (part of the account id)
    sig: tuple  # ((R8x, R8y), S)

    @property
    def commitment(self):
        return self.order.commit(self.blinding)

    def remainder(self, fill, delta):
        """The order left after ``fill`` lots, its blinding moved by ``delta``
        (``C' = C - fill*G_1 + delta*H``; not re-signed: the match proof
        carries its validity)."""
        from ..gadgets.babyjubjub import L

        return replace(
            self,
            order=self.order.with_size(self.order.size - fill),
            blinding=(self.blinding + delta) % L,
        )


def sign_order(key, order, blinding=None):
    from ..gadgets.pedersen import random_blinding

    if order.size == 0:
        raise InputError("order size: must be positive")
    if order.account != key.account:
        raise InputError("order account: not the signing key's account")
    r = random_blinding() if blinding is None else blinding
    c = order.commit(r)
    return SignedOrder(order, r, key.ak, key.npk, key.lk, key.sign(signing_message(c)))


def check_signed_order(so, now):
    """The native twin of the ``order`` circuit: raises InputError with the reason."""
    from ..gadgets.eddsa import eddsa_verify_poseidon_plain
    from .keys import account_id

    o = so.order
    if account_id(so.ak, so.npk, so.lk) != o.account:
        raise InputError("order: the signing key is not the order's account")
    if not eddsa_verify_poseidon_plain(so.ak, signing_message(so.commitment), so.sig):
        raise InputError("order: bad signature")
    units.check_unsigned(now, units.TIME_BITS, "time")
    if not now < o.expiry:
        raise InputError("order: expired")


# ------------------------------------------------------------------ legs
@dataclass(frozen=True)
class Leg:
    """One side of a fill: signed size ``d``, signed notional ``n = d*p``.

    ``blinding`` is the leg's secret ``rho``; the commitment is
    ``sign * (|d|*G_0 + |n|*G_1 + rho*H)``, i.e. a commitment to ``(d, n)``
    with blinding ``sign*rho mod L`` (:attr:`signed_blinding`, what netting sums)."""

    instrument: int
    account: int
    d: int
    n: int
    blinding: int = field(repr=False)

    @property
    def signed_blinding(self):
        from ..gadgets.babyjubjub import L

        return self.blinding % L if self.d >= 0 else (-self.blinding) % L

    def commitment(self):
        from ..commit.pedersen import commit_signed

        return commit_signed([self.d, self.n], self.signed_blinding)

    def tag(self):
        return leg_tag(self.account, self.blinding)


def leg_tag(account, blinding):
    return _poseidon([tags.LEG, account, blinding])


# ----------------------------------------------------------------- match
@dataclass(frozen=True)
class Match:
    """Two signed orders (either may already be a remainder), the fill, the
    execution price, and the fresh blindings of the remainders and legs."""

    a: SignedOrder
    b: SignedOrder
    fill: int
    price: int
    rem_a_delta: int = field(repr=False)
    rem_b_delta: int = field(repr=False)
    leg_a_blinding: int = field(repr=False)
    leg_b_blinding: int = field(repr=False)
    reveal_price: int = 0

    def legs(self):
        out = []
        for so, r in ((self.a, self.leg_a_blinding), (self.b, self.leg_b_blinding)):
            sgn = 1 if so.order.side == BUY else -1
            out.append(
                Leg(
                    so.order.instrument,
                    so.order.account,
                    sgn * self.fill,
                    sgn * self.fill * self.price,
                    r,
                )
            )
        return out

    def remainders(self):
        return (
            self.a.remainder(self.fill, self.rem_a_delta),
            self.b.remainder(self.fill, self.rem_b_delta),
        )


def check_match(m, now):
    """The native twin of the ``match`` circuit: raises InputError with the reason."""
    a, b = m.a.order, m.b.order
    if a.instrument != b.instrument:
        raise InputError("match: different instruments")
    if a.side + b.side != 1:
        raise InputError("match: both orders are on the same side")
    buy, sell = (a, b) if a.side == BUY else (b, a)
    units.check_unsigned(m.price, units.PRICE_BITS, "match price")
    units.check_unsigned(m.fill, units.SIZE_BITS, "match fill")
    if not sell.limit <= m.price <= buy.limit:
        raise InputError("match: price outside the limits (orders do not cross)")
    if m.fill == 0:
        raise InputError("match: empty fill")
    if m.fill > a.size or m.fill > b.size:
        raise InputError("match: fill larger than an order's remaining size")
    units.check_unsigned(now, units.TIME_BITS, "time")
    if not (now < a.expiry and now < b.expiry):
        raise InputError("match: an order has expired")
    if m.reveal_price not in (0, 1):
        raise InputError("match: reveal_price is 0 or 1")


def make_match(a, b, fill, price, reveal_price=0):
    from ..gadgets.pedersen import random_blinding

    return Match(
        a,
        b,
        fill,
        price,
        random_blinding(),
        random_blinding(),
        random_blinding(),
        random_blinding(),
        reveal_price,
    )


def netting_proof(m, context=0):
    """The matcher's netting proof for the two legs of ``m``."""
    from ..commit import netting

    legs = m.legs()
    return netting.prove([l.commitment() for l in legs], [l.signed_blinding for l in legs], context)


class OrderBook:
    """A minimal price-time limit order book of signed orders (one instrument).

    Incoming orders match resting ones at the resting order's limit; the
    unfilled remainder rests.  Each fill is a :class:`Match`."""

    def __init__(self, instrument):
        self.instrument = instrument
        self.resting = []  # SignedOrder, arrival order

    def submit(self, so, now):
        check_signed_order(so, now)
        if so.order.instrument != self.instrument:
            raise InputError("order book: wrong instrument")
        matches = []
        incoming = so
        while True:
            best = self._best(incoming.order, now)
            if best is None:
                break
            fill = min(incoming.order.size, best.order.size)
            m = make_match(incoming, best, fill, best.order.limit)
            check_match(m, now)
            matches.append(m)
            rem_in, rem_best = m.remainders()
            self.resting.remove(best)
            if rem_best.order.size:
                self.resting.insert(0, rem_best)
            if not rem_in.order.size:
                return matches
            incoming = rem_in
        self.resting.append(incoming)
        return matches

    def _best(self, o, now):
        cands = [
            r
            for r in self.resting
            if r.order.side != o.side
            and now < r.order.expiry
            and (r.order.limit <= o.limit if o.side == BUY else r.order.limit >= o.limit)
        ]
        if not cands:
            return None
        key = (lambda r: r.order.limit) if o.side == BUY else (lambda r: -r.order.limit)
        return min(cands, key=key)


# ------------------------------------------------------------------- RFQ
@dataclass(frozen=True)
class Request:
    """A taker's request for quote: instrument, side, size (no price)."""

    instrument: int
    side: int
    size: int
    expiry: int


@dataclass(frozen=True)
class Quote:
    request: Request
    maker_order: SignedOrder  # opposite side, size >= requested, limit = quoted price

    @property
    def price(self):
        return self.maker_order.order.limit


def quote(request, maker_key, price, nonce, expiry=None):
    o = Order(
        request.instrument,
        1 - request.side,
        request.size,
        price,
        request.expiry if expiry is None else expiry,
        maker_key.account,
        nonce,
    )
    return Quote(request, sign_order(maker_key, o))


def accept(q, taker_key, nonce, now):
    """The taker signs an order at the quoted price; returns the Match."""
    req = q.request
    if q.maker_order.order.side == req.side or q.maker_order.order.instrument != req.instrument:
        raise InputError("quote: does not answer the request")
    check_signed_order(q.maker_order, now)
    o = Order(req.instrument, req.side, req.size, q.price, req.expiry, taker_key.account, nonce)
    taker = sign_order(taker_key, o)
    m = make_match(taker, q.maker_order, req.size, q.price)
    check_match(m, now)
    return m

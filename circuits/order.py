"""``order``: a commitment opens to a well-formed order signed by its account.

Statement (public: the order commitment ``commitment (x, y)`` and ``now``):
the prover knows an order (instrument, side, size, limit, expiry, account,
nonce) and blinding with ``commitment = low248(digest)*G_0 + size*G_1 +
limit*G_2 + r*H`` (:mod:`zkats.venue.orders`), sizes and prices within
their bounds and non-zero, ``now < expiry``, ``account =
Poseidon(ACCOUNT, A, npk)`` for the public key ``A`` that signed
``Poseidon(ORDER_SIG, commitment)`` (EdDSA-Poseidon).  Everything but the
commitment stays hidden, including who signed.  Native twin:
:func:`check` (``orders.check_signed_order``).
"""

from dataclasses import dataclass

from zkats.circuit import Circuit, Private, Public, register
from zkats.errors import InputError
from zkats.gadgets.babyjubjub import babyjub_msm_fixed
from zkats.gadgets.bits import num2bits, num2bits_strict, range_check
from zkats.gadgets.eddsa import eddsa_verify_poseidon
from zkats.gadgets.pedersen import blinding_generator, value_generators
from zkats.venue import orders, tags, units

from ._common import account_id, assert_point, blinding_bits, poseidon

PUBLIC_SIGNALS = ("commitment_x", "commitment_y", "now")


@dataclass(frozen=True)
class OrderPublic:
    commitment: tuple
    now: int

    def signals(self):
        return [self.commitment[0], self.commitment[1], self.now]


@dataclass(frozen=True)
class OrderPrivate:
    signed: orders.SignedOrder


def build(so, now):
    return OrderPublic(so.commitment, now), OrderPrivate(so)


def check(pub, prv):
    so = prv.signed
    if so.commitment != tuple(pub.commitment):
        raise InputError("order: wrong commitment opening")
    if so.order.size == 0:
        raise InputError("order size: must be positive")
    if not 0 <= so.blinding < 1 << 252:
        raise InputError("order: blinding out of range")
    orders.check_signed_order(so, pub.now)
    return True


def inputs(pub, prv):
    so = prv.signed
    o = so.order
    return {
        "commitment": list(pub.commitment),
        "now": pub.now,
        "instrument": o.instrument,
        "side": o.side,
        "size": o.size,
        "limit": o.limit,
        "expiry": o.expiry,
        "account": o.account,
        "nonce": o.nonce,
        "blinding": so.blinding,
        "pk": list(so.pub),
        "npk": so.npk,
        "sig_r8": list(so.sig[0]),
        "sig_s": so.sig[1],
    }


@register("order")
class Order(Circuit):
    """A commitment opens to a well-formed, unexpired order signed by its account."""

    commitment = Public(n=2)
    now = Public()
    instrument = Private()
    side = Private()
    size = Private()
    limit = Private()
    expiry = Private()
    account = Private()
    nonce = Private()
    blinding = Private()
    pk = Private(n=2)
    npk = Private()
    sig_r8 = Private(n=2)
    sig_s = Private()

    def define(self, api):
        g = value_generators(3)
        with api.scope("fields"):
            api.inverse(self.instrument)  # instrument != 0
            api.assert_bool(self.side)
            size_bits = num2bits(api, self.size, units.SIZE_BITS)
            range_check(api, self.size - 1, units.SIZE_BITS)  # size >= 1
            limit_bits = num2bits(api, self.limit, units.PRICE_BITS)
            range_check(api, self.limit - 1, units.PRICE_BITS)  # limit >= 1
            range_check(api, self.now, units.TIME_BITS)
            range_check(api, self.expiry, units.TIME_BITS)
            range_check(api, self.expiry - self.now - 1, units.TIME_BITS)  # now < expiry
            range_check(api, self.nonce, units.NONCE_BITS)
        with api.scope("commitment"):
            digest = poseidon(
                api, [tags.ORDER, self.instrument, self.side, self.expiry, self.account, self.nonce]
            )
            d_bits = num2bits_strict(api, digest)[: orders.DIGEST_BITS]
            c = babyjub_msm_fixed(
                api,
                [
                    (d_bits, g[0]),
                    (size_bits, g[1]),
                    (limit_bits, g[2]),
                    (blinding_bits(api, self.blinding), blinding_generator()),
                ],
            )
            assert_point(api, c, self.commitment)
        with api.scope("signature"):
            api.assert_equal(account_id(api, self.pk, self.npk), self.account)
            msg = poseidon(api, [tags.ORDER_SIG, self.commitment[0], self.commitment[1]])
            eddsa_verify_poseidon(api, self.pk, msg, self.sig_r8, self.sig_s)

"""``order``: a commitment opens to a well-formed order signed by its account.

Statement (public: the order commitment ``commitment (x, y)`` and ``now``):
the prover knows an order (instrument, side, size, limit, expiry, account,
nonce) and blinding with ``commitment = low248(digest)*G_0 + size*G_1 +
limit*G_2 + r*H`` (:mod:`zkats.domain.orders`), sizes and prices within
their bounds and non-zero, ``now < expiry``, ``account =
Poseidon(ACCOUNT, ak, npk, lk)`` for the spend-authorising key ``ak`` that signed
``Poseidon(ORDER_SIG, commitment)`` (EdDSA-Poseidon).  Everything but the
commitment stays hidden, including who signed.  Native twin:
:func:`check` (``orders.check_signed_order``).
"""

from dataclasses import dataclass

from zkats.circuit import Private, Public, register
from zkats.domain import orders, tags, units
from zkats.errors import InputError
from zkats.gadgets.bits import num2bits, range_check
from zkats.gadgets.eddsa import eddsa_verify_poseidon

from ._common import poseidon
from ._groups import OrderOpening
from ._statement import Statement, witness_inputs


@dataclass(frozen=True)
class OrderPrivate:
    signed: orders.SignedOrder

    def inputs(self):
        so = self.signed
        return {
            **OrderOpening.inputs(so),
            "sig_r8": list(so.sig[0]),
            "sig_s": so.sig[1],
        }


def build(so, now):
    return Order.public(commitment=so.commitment, now=now), OrderPrivate(so)


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


def examples(sc):
    """The example scenario's order (``circuits/examples/order.json``): alice's buy."""
    return {"order": build(sc.buy, sc.now)}


inputs = witness_inputs


@register("order")
class Order(Statement):
    """A commitment opens to a well-formed, unexpired order signed by its account."""

    commitment = Public(n=2)
    now = Public()
    instrument, side, size, limit, expiry, account, nonce, blinding, ak, npk, lk = (
        OrderOpening.declare()
    )
    sig_r8 = Private(n=2)
    sig_s = Private()

    def define(self, api):
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
            OrderOpening.commitment(api, self, size_bits, limit_bits, self.commitment)
        with api.scope("signature"):
            OrderOpening.owner(api, self)
            msg = poseidon(api, [tags.ORDER_SIG, self.commitment[0], self.commitment[1]])
            eddsa_verify_poseidon(api, self.ak, msg, self.sig_r8, self.sig_s)

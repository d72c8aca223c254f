"""``cancel``: the owner of a committed order withdraws it.

Statement (public: the order commitment ``order (x, y)``): the prover knows
an opening of ``order`` (instrument, side, size, limit, expiry, account,
nonce, blinding: :mod:`zkats.domain.orders`) whose ``account =
Poseidon(ACCOUNT, ak, npk, lk)``, and an EdDSA-Poseidon signature by that
``ak`` over :meth:`Cancel.message` (the circuit's tag and the commitment).
So only the holder of the account's spending key can cancel its orders;
the order's opening (which the operator holds) and the order's own
signature (over another message, ``Poseidon(ORDER_SIG, C)``) are not
enough.  Nothing but the commitment is public: not the account, the key,
nor any field of the order.  The ledger consumes the commitment, so the
order (or a match's remainder) can never be matched afterwards, and a
replayed cancel is refused because the order is already consumed.

Any open order can be cancelled: an original (signed) order, or the
remainder a partial fill left (its size may be any value, its expiry
already past).  Native twin: :func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Private, Public, register
from zkats.domain import keys, orders, units
from zkats.errors import InputError
from zkats.gadgets.bits import num2bits
from zkats.gadgets.eddsa import eddsa_verify_poseidon, eddsa_verify_poseidon_plain

from ._groups import OrderOpening
from ._statement import Statement, witness_inputs


@dataclass(frozen=True)
class CancelPrivate:
    """The order's opening (a :class:`orders.SignedOrder`: its ``sig`` is not
    used) and the owner's authorisation ``((R8x, R8y), S)``."""

    signed: orders.SignedOrder
    auth: tuple | None = None

    def inputs(self):
        d = OrderOpening.inputs(self.signed)
        if self.auth is not None:
            (rx, ry), s = self.auth
            d.update(auth_r8=[rx, ry], auth_s=s)
        return d


def build(so, signer=None):
    """(public, private) cancelling the order ``so``; signed by ``signer``
    (the owner's SpendingKey) when given (else sign with :func:`authorise`)."""
    pub = Cancel.public(order=so.commitment)
    prv = CancelPrivate(so)
    return pub, (prv if signer is None else authorise(pub, prv, signer))


def authorise(pub, prv, signer):
    """``prv`` signed by the owner's spending key over ``Cancel.message(pub)``."""
    if not isinstance(signer, keys.SpendingKey):
        raise InputError("cancel: needs the owner's spending key")
    if signer.account != prv.signed.order.account:
        raise InputError("cancel: the key is not the order's account")
    return CancelPrivate(prv.signed, signer.sign(Cancel.message(pub)))


def check(pub, prv):
    """The native twin: raises InputError naming the failed rule."""
    so = prv.signed
    o = so.order
    if not 0 <= so.blinding < 1 << 252:
        raise InputError("cancel: blinding out of range")
    if so.commitment != tuple(pub.order):
        raise InputError("cancel: wrong order opening")
    if keys.account_id(so.ak, so.npk, so.lk) != o.account:
        raise InputError("cancel: the keys are not the order's account")
    if prv.auth is None or not eddsa_verify_poseidon_plain(so.ak, Cancel.message(pub), prv.auth):
        raise InputError("cancel: not authorised by the owner's spending key")
    return True


def examples(sc):
    """The example scenario's cancel: alice withdraws her buy order."""
    return {"cancel": build(sc.buy, sc.alice)}


inputs = witness_inputs


@register("cancel")
class Cancel(Statement):
    """The order's owner withdraws it: an opening of the commitment and a
    signature by the account's ``ak`` over the statement."""

    AUTHORITY = "ak"

    order = Public(n=2)
    instrument, side, size, limit, expiry, account, nonce, blinding, ak, npk, lk = (
        OrderOpening.declare()
    )
    auth_r8 = Private(n=2)
    auth_s = Private()

    def define(self, api):
        with api.scope("opening"):
            api.assert_bool(self.side)
            size_bits = num2bits(api, self.size, units.SIZE_BITS)
            limit_bits = num2bits(api, self.limit, units.PRICE_BITS)
            OrderOpening.commitment(api, self, size_bits, limit_bits, self.order)
        with api.scope("owner"):
            OrderOpening.owner(api, self)
        with api.scope("authorisation"):
            eddsa_verify_poseidon(api, self.ak, self.message_gadget(api), self.auth_r8, self.auth_s)

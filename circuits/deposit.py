"""``deposit``: a public amount of collateral enters escrow and the account's note.

Statement (public: ``root, nullifier, commitment, account, asset,
amount``): the prover owns ``account`` (knows its key and nullifier key)
and either spends its live note (a leaf under ``root``, nullifier revealed)
or, for a fresh account (private ``fresh = 1``), starts from the empty note
and reveals the account's one-time genesis nullifier instead; the new note
``commitment`` is the old one with ``collateral + amount`` (both
range-checked, so nothing wraps), same positions, keys and model.  ``asset``
must be the venue's collateral asset (:data:`ASSET`).  The escrow gains
exactly ``amount``; the note gains exactly ``amount``.  Native twin:
:func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Circuit, Private, Public, register
from zkats.errors import InputError
from zkats.gadgets.bits import range_check
from zkats.domain import instruments, keys, notes, units

from ._common import NOTE_FIELDS, note_commitment, note_fields, slots_of, spend
from ._state import Spend

#: the venue's collateral asset id (its symbol as a field element)
ASSET = instruments.symbol("USDC")
PUBLIC_SIGNALS = ("root", "nullifier", "commitment", "account", "asset", "amount")


@dataclass(frozen=True)
class DepositPublic:
    root: int
    nullifier: int
    commitment: int
    account: int
    asset: int
    amount: int

    def signals(self):
        return [self.root, self.nullifier, self.commitment, self.account, self.asset, self.amount]


@dataclass(frozen=True)
class DepositPrivate:
    spend: Spend
    fresh: int
    new_note: notes.Note


def build(spend_, root, amount, fresh=False, new_salt=None):
    old = spend_.note
    new = old.with_collateral(old.collateral + amount, salt=new_salt)
    nf = notes.genesis_nullifier(spend_.nk) if fresh else old.nullifier(spend_.nk)
    return (
        DepositPublic(root, nf, new.commitment(), old.account, ASSET, amount),
        DepositPrivate(spend_, int(bool(fresh)), new),
    )


def check(pub, prv):
    old = prv.spend.note
    if prv.fresh:
        empty = notes.Note(old.account, old.npk, 0, old.model, (), old.salt)
        if old != empty:
            raise InputError("deposit: a fresh account starts from the empty note")
        if (
            keys.nullifier_public(prv.spend.nk) != old.npk
            or keys.account_id(prv.spend.pub, old.npk) != old.account
        ):
            raise InputError("deposit: the keys do not match the account")
        if pub.nullifier != notes.genesis_nullifier(prv.spend.nk):
            raise InputError("deposit: wrong genesis nullifier")
    else:
        prv.spend.check(pub.root, pub.nullifier, "deposit")
    if pub.account != old.account:
        raise InputError("deposit: the note is not this account's")
    if pub.asset != ASSET:
        raise InputError("deposit: not the venue's collateral asset")
    units.check_unsigned(pub.amount, units.COLLATERAL_BITS, "deposit amount")
    expected = old.with_collateral(old.collateral + pub.amount, salt=prv.new_note.salt)
    if expected != prv.new_note or expected.commitment() != pub.commitment:
        raise InputError("deposit: the new note is not the old one plus the amount")
    return True


def inputs(pub, prv):
    d = {
        "root": pub.root,
        "nullifier": pub.nullifier,
        "commitment": pub.commitment,
        "account": pub.account,
        "asset": pub.asset,
        "amount": pub.amount,
        "fresh": prv.fresh,
        "new_salt": prv.new_note.salt,
    }
    d.update(prv.spend.inputs())
    return d


@register("deposit")
class Deposit(Circuit):
    """A public amount enters escrow and the account's note (or opens a fresh account)."""

    root = Public()
    nullifier = Public()
    commitment = Public()
    account = Public()
    asset = Public()
    amount = Public()
    old_note = Private(n=NOTE_FIELDS)
    old_salt = Private()
    nk = Private()
    pk = Private(n=2)
    path_bits = Private(n=units.TREE_DEPTH)
    siblings = Private(n=units.TREE_DEPTH)
    fresh = Private()
    new_salt = Private()

    def define(self, api):
        f = self.old_note
        api.assert_bool(self.fresh)
        spend(
            api,
            f,
            self.old_salt,
            self.nk,
            self.pk,
            self.path_bits,
            self.siblings,
            self.root,
            self.nullifier,
            fresh=self.fresh,
        )
        with api.scope("fresh_is_empty"):
            api.assert_product(self.fresh, f[2], 0)
            for inst, pos, cost in slots_of(f):
                api.assert_product(self.fresh, inst, 0)
                api.assert_product(self.fresh, pos - units.offset(units.POSITION_BITS), 0)
                api.assert_product(self.fresh, cost - units.offset(units.COST_BITS), 0)
        api.assert_equal(f[0], self.account)
        api.assert_equal(self.asset, ASSET)
        range_check(api, self.amount, units.COLLATERAL_BITS)
        collateral = f[2] + self.amount
        range_check(api, collateral, units.COLLATERAL_BITS)
        new = note_fields(f[0], f[1], collateral, f[3], slots_of(f))
        api.assert_equal(note_commitment(api, new, self.new_salt), self.commitment)

"""``deposit``: a public amount of collateral enters escrow and the account's note.

Statement (public: ``root, nullifier, commitment, account, asset, amount,
ciphertext_hash``; carried beside the proof:
``ciphertext``):
the prover owns ``account`` and either spends its live note (a leaf under
``root``, nullifier revealed) or, for a fresh account (private ``fresh =
1``), starts from the empty note (collateral 0, every slot empty, model in
{0, 1}) and reveals the account's one-time genesis nullifier instead; the new
note ``commitment`` is the old one with ``collateral + amount`` (both
range-checked, so nothing wraps), same positions, keys and model.  ``asset``
must be the venue's collateral asset (:data:`ASSET`); ``amount >= 1``.  The
owner's spending key signs the whole statement (:class:`AuthorisedSpend`),
so nobody else can re-salt (and so lock) the account's note with a
zero-value deposit.  Native twin: :func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Private, Public, register
from zkats.domain import instruments, keys, notes, units
from zkats.errors import InputError
from zkats.gadgets.bits import range_check

from ._common import note_fields, slots_of
from ._groups import NewNote
from ._spend import AuthorisedSpend, Spend, sign_if_held
from ._statement import witness_inputs

#: the venue's collateral asset id (its symbol as a field element)
ASSET = instruments.symbol("USDC")


@dataclass(frozen=True)
class DepositPrivate:
    spend: Spend
    fresh: int
    new_note: notes.Note

    def inputs(self):
        return {
            "fresh": self.fresh,
            **NewNote.inputs(self.new_note),
            **self.spend.inputs(),
        }


def build(spend_, root, amount, fresh=False, new_salt=None, signer=None):
    """(public, private), signed by ``signer`` or the key the spend holds (:func:`sign_if_held`)."""
    old = spend_.note
    new = old.with_collateral(old.collateral + amount, salt=new_salt)
    nf = notes.genesis_nullifier(spend_.nk) if fresh else old.nullifier(spend_.nk)
    pub = Deposit.public(
        root=root,
        nullifier=nf,
        account=old.account,
        **NewNote.public(new, spend_.view),
        asset=ASSET,
        amount=amount,
    )
    prv = DepositPrivate(spend_, int(bool(fresh)), new)
    return pub, sign_if_held(pub, prv, signer)


def check(pub, prv):
    old = prv.spend.note
    if prv.fresh:
        empty = notes.Note(old.account, old.npk, 0, old.model, (), old.salt)
        if old != empty:
            raise InputError("deposit: a fresh account starts from the empty note")
        if (
            keys.nullifier_public(prv.spend.nk, prv.spend.view.vsk) != old.npk
            or prv.spend.view.account != old.account
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
    if pub.amount < 1:
        raise InputError("deposit amount: must be positive")
    expected = old.with_collateral(old.collateral + pub.amount, salt=prv.new_note.salt)
    NewNote.check(
        pub, prv.new_note, expected, "deposit", "the old one plus the amount", prv.spend.view
    )
    prv.spend.check_auth(Deposit, pub, "deposit")
    return True


def examples(sc):
    """The example scenario's deposit: alice's."""
    return {"deposit": build(sc.spend("alice"), sc.root, 250_000, new_salt=504)}


inputs = witness_inputs


@register("deposit")
class Deposit(AuthorisedSpend):
    """A public amount enters escrow and the account's note (or opens a fresh account)."""

    fresh = Private()
    commitment, new_salt = NewNote.declare()
    account = Public()
    asset = Public()
    amount = Public()
    ciphertext, ciphertext_hash = NewNote.ciphertext()

    def define(self, api):
        f = self.old_note
        api.assert_bool(self.fresh)
        self.spend_note(api, fresh=self.fresh)
        api.assert_bool(f[3])  # margin model in {0, 1}, fresh or not
        with api.scope("fresh_is_empty"):
            api.assert_product(self.fresh, f[2], 0)
            for inst, pos, cost in slots_of(f):
                api.assert_product(self.fresh, inst, 0)
                api.assert_product(self.fresh, pos - units.offset(units.POSITION_BITS), 0)
                api.assert_product(self.fresh, cost - units.offset(units.COST_BITS), 0)
        api.assert_equal(f[0], self.account)
        api.assert_equal(self.asset, ASSET)
        range_check(api, self.amount - 1, units.COLLATERAL_BITS)  # amount >= 1
        collateral = f[2] + self.amount
        range_check(api, collateral, units.COLLATERAL_BITS)
        new = note_fields(f[0], f[1], collateral, f[3], slots_of(f))
        NewNote.constrain(api, self, new)

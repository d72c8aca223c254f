"""``withdraw``: a public amount of collateral leaves the account and escrow.

Statement (public: ``root, nullifier, commitment, account, asset, amount,
recipient, epoch_id, epoch_hash``): the prover spends the live note of
``account`` (a leaf under ``root``, nullifier revealed) and creates the
note ``commitment`` equal to it with ``collateral - amount`` (range-checked:
no overdraft), same positions, keys and model, which still meets initial
margin at the epoch.  ``recipient`` (the payout address) is bound to the
proof so a relayer cannot redirect the funds.  Native twin: :func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Circuit, Private, Public, register
from zkats.errors import InputError
from zkats.gadgets.bits import range_check
from zkats.domain import margin, notes, oracle, units

from ._common import (
    NOTE_FIELDS,
    epoch_check,
    margin_check,
    note_commitment,
    note_fields,
    slots_of,
    spend,
)
from ._state import Spend, entry_indices
from .deposit import ASSET

PUBLIC_SIGNALS = (
    "root",
    "nullifier",
    "commitment",
    "account",
    "asset",
    "amount",
    "recipient",
    "epoch_id",
    "epoch",
)


@dataclass(frozen=True)
class WithdrawPublic:
    root: int
    nullifier: int
    commitment: int
    account: int
    asset: int
    amount: int
    recipient: int
    epoch_id: int
    epoch_hash: int

    def signals(self):
        return [
            self.root,
            self.nullifier,
            self.commitment,
            self.account,
            self.asset,
            self.amount,
            self.recipient,
            self.epoch_id,
            self.epoch_hash,
        ]


@dataclass(frozen=True)
class WithdrawPrivate:
    spend: Spend
    new_note: notes.Note
    epoch: oracle.Epoch


def build(spend_, root, amount, recipient, epoch, new_salt=None):
    old = spend_.note
    if amount > old.collateral:
        raise InputError("withdraw: amount exceeds the note's collateral")
    new = old.with_collateral(old.collateral - amount, salt=new_salt)
    return (
        WithdrawPublic(
            root,
            old.nullifier(spend_.nk),
            new.commitment(),
            old.account,
            ASSET,
            amount,
            recipient,
            epoch.epoch_id,
            epoch.hash(),
        ),
        WithdrawPrivate(spend_, new, epoch),
    )


def check(pub, prv):
    prv.spend.check(pub.root, pub.nullifier, "withdraw")
    old = prv.spend.note
    if pub.account != old.account:
        raise InputError("withdraw: the note is not this account's")
    if pub.asset != ASSET:
        raise InputError("withdraw: not the venue's collateral asset")
    units.check_unsigned(pub.amount, units.COLLATERAL_BITS, "withdraw amount")
    if pub.amount > old.collateral:
        raise InputError("withdraw: amount exceeds the note's collateral")
    expected = old.with_collateral(old.collateral - pub.amount, salt=prv.new_note.salt)
    if expected != prv.new_note or expected.commitment() != pub.commitment:
        raise InputError("withdraw: the new note is not the old one minus the amount")
    if prv.epoch.epoch_id != pub.epoch_id or prv.epoch.hash() != pub.epoch_hash:
        raise InputError("withdraw: wrong oracle epoch")
    margin.check(prv.new_note, prv.epoch, maintenance=False, what="withdraw")
    return True


def inputs(pub, prv):
    d = {
        "root": pub.root,
        "nullifier": pub.nullifier,
        "commitment": pub.commitment,
        "account": pub.account,
        "asset": pub.asset,
        "amount": pub.amount,
        "recipient": pub.recipient,
        "epoch_id": pub.epoch_id,
        "epoch_hash": pub.epoch_hash,
        "new_salt": prv.new_note.salt,
        "epoch": prv.epoch.circuit_inputs()["epoch"],
        "entry_index": entry_indices(prv.new_note, prv.epoch),
    }
    d.update(prv.spend.inputs())
    return d


@register("withdraw")
class Withdraw(Circuit):
    """A public amount leaves the account's note and escrow; initial margin still met."""

    root = Public()
    nullifier = Public()
    commitment = Public()
    account = Public()
    asset = Public()
    amount = Public()
    recipient = Public()
    epoch_id = Public()
    epoch_hash = Public()
    old_note = Private(n=NOTE_FIELDS)
    old_salt = Private()
    nk = Private()
    pk = Private(n=2)
    path_bits = Private(n=units.TREE_DEPTH)
    siblings = Private(n=units.TREE_DEPTH)
    new_salt = Private()
    epoch = Private(n=(units.EPOCH_SIZE, 7))
    entry_index = Private(n=units.N_SLOTS)

    def define(self, api):
        f = self.old_note
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
        )
        api.assert_equal(f[0], self.account)
        api.assert_equal(self.asset, ASSET)
        api.assert_product(self.recipient, self.recipient, api.mul(self.recipient, self.recipient))
        range_check(api, self.amount, units.COLLATERAL_BITS)
        new = note_fields(f[0], f[1], f[2] - self.amount, f[3], slots_of(f))
        api.assert_equal(note_commitment(api, new, self.new_salt), self.commitment)
        epoch_check(api, self.epoch_id, self.epoch_hash, self.epoch)
        margin_check(
            api, new, self.epoch, self.entry_index, maintenance=False
        )  # checks collateral >= 0

"""``withdraw``: a public amount of collateral leaves the account and escrow.

Statement (public: ``root, nullifier, commitment, asset, amount, recipient,
epoch_id, epoch_hash, ciphertext_hash``; carried beside the proof:
``ciphertext``): the prover spends an account's live note (a leaf
under ``root``, nullifier revealed) and creates the note ``commitment``
equal to it settled to the epoch's marks (:meth:`Note.settle`: realised and
unrealised profit or loss move into collateral) with ``collateral -
amount`` (range-checked: no overdraft; ``amount >= 1``), same positions,
keys and model, which still meets initial margin at the epoch.  So a
trader can withdraw its profit, down to what initial margin requires.
The owner's spending key signs the whole statement
(amount, ``recipient``, the new note, the epoch), so neither a relayer nor a
holder of the note opening and ``nk`` can redirect or invent a withdrawal.
The account id is not public: two withdrawals of one account share no
public value.  Native twin: :func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Public, register
from zkats.domain import margin, notes, oracle, units
from zkats.errors import InputError
from zkats.gadgets.bits import range_check

from ._common import margin_check, note_fields, settle
from ._groups import AtEpoch, NewNote
from ._spend import AuthorisedSpend, Spend, sign_if_held
from ._statement import witness_inputs
from .deposit import ASSET


@dataclass(frozen=True)
class WithdrawPrivate:
    spend: Spend
    new_note: notes.Note
    epoch: oracle.Epoch

    def inputs(self):
        return {
            **NewNote.inputs(self.new_note),
            **AtEpoch.inputs(self.epoch, self.spend.note, self.new_note),
            **self.spend.inputs(),
        }


def build(spend_, root, amount, recipient, epoch, new_salt=None, signer=None):
    """(public, private), signed by ``signer`` or the key the spend holds (:func:`sign_if_held`)."""
    old = spend_.note.settle(epoch)
    if amount > old.collateral:
        raise InputError(
            f"withdraw: amount exceeds the account's equity at the marks ({old.collateral})"
        )
    new = old.with_collateral(old.collateral - amount, salt=new_salt)
    pub = Withdraw.public(
        root=root,
        nullifier=spend_.note.nullifier(spend_.nk),
        **NewNote.public(new, spend_.view),
        asset=ASSET,
        amount=amount,
        recipient=recipient,
        epoch_id=epoch.epoch_id,
        epoch_hash=epoch.hash(),
    )
    prv = WithdrawPrivate(spend_, new, epoch)
    return pub, sign_if_held(pub, prv, signer)


def check(pub, prv):
    prv.spend.check(pub.root, pub.nullifier, "withdraw")
    AtEpoch.check(pub, prv.epoch, "withdraw")
    old = prv.spend.note.settle(prv.epoch)
    if pub.asset != ASSET:
        raise InputError("withdraw: not the venue's collateral asset")
    units.check_unsigned(pub.amount, units.COLLATERAL_BITS, "withdraw amount")
    if pub.amount < 1:
        raise InputError("withdraw amount: must be positive")
    if pub.amount > old.collateral:
        raise InputError("withdraw: amount exceeds the account's equity at the marks")
    expected = old.with_collateral(old.collateral - pub.amount, salt=prv.new_note.salt)
    NewNote.check(
        pub,
        prv.new_note,
        expected,
        "withdraw",
        "the old one settled, minus the amount",
        prv.spend.view,
    )
    margin.check(prv.new_note, prv.epoch, maintenance=False, what="withdraw")
    prv.spend.check_auth(Withdraw, pub, "withdraw")
    return True


def examples(sc):
    """The example scenario's withdrawal: alice's."""
    return {
        "withdraw": build(sc.spend("alice"), sc.root, 150_000, 0xC0FFEE, sc.epoch, new_salt=505)
    }


inputs = witness_inputs


@register("withdraw")
class Withdraw(AuthorisedSpend):
    """A public amount leaves the account's note and escrow; initial margin still met."""

    commitment, new_salt = NewNote.declare()
    asset = Public()
    amount = Public()
    recipient = Public()
    epoch_id, epoch_hash, epoch_root, slot_entry, slot_path, slot_bits = AtEpoch.declare()
    bucket, bucket_asset = AtEpoch.buckets()
    ciphertext, ciphertext_hash = NewNote.ciphertext()
    worst = AtEpoch.worst()

    def define(self, api):
        f = self.old_note
        self.spend_note(api)
        api.assert_equal(self.asset, ASSET)
        range_check(api, self.amount - 1, units.COLLATERAL_BITS)  # amount >= 1
        epoch = AtEpoch.constrain(api, self)
        collateral, settled = settle(api, f, epoch)
        new = note_fields(f[0], f[1], collateral - self.amount, f[3], settled)
        NewNote.constrain(api, self, new)
        # range-checks the new collateral (no overdraft) and shows initial margin
        margin_check(api, new, epoch, self.bucket, self.bucket_asset, self.worst, False)

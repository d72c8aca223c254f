"""``exit``: the trader takes its whole equity out, positions and all.

Statement (public: ``root, nullifier, commitment, asset, amount, recipient,
epoch_id, epoch_hash, taken_instrument[], taken_size[], taken_notional[],
ciphertext_hash``; carried beside the proof:
``ciphertext``): the prover spends the account's live note (a leaf under
``root``, nullifier revealed), settles it to the epoch's marks exactly as
``withdraw`` and ``liquidate`` do (:func:`._common.settle`: realised and
unrealised profit or loss, funding, an expired instrument closed at its
settlement value), so its collateral is its equity ``E``, and per
:func:`zkats.domain.margin.exit_all`:

* every position still open closes at the mark and the venue's backstop
  (the insurance fund) takes it over there, exactly as a liquidation's
  closed part (:class:`._groups.TakenOver`: per slot the instrument, size
  and notional ``size * value`` are public);
* ``amount = E`` leaves the escrow to the public ``recipient``
  (range-checked ``amount >= 1``: a note with zero or negative equity cannot
  exit; there is no zero-amount exit);
* the change note ``commitment`` has collateral 0 and no position (same
  account, keys, model and instruments), so the account goes on like a
  bankrupt-liquidated one.

No penalty, no fee, no margin check: nothing remains.  The owner's spending
key signs the whole statement (:class:`AuthorisedSpend`, as ``withdraw``):
neither a holder of the note opening and ``nk`` nor the liquidation
capability can make one, and nobody can redirect it.  This is the
statement of the escrow's exit game (``docs/escrow.md``): a trader alone
proves it at the latest epoch against a root the escrow knows.  Native
twin: :func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Public, register
from zkats.domain import margin, notes, oracle, units
from zkats.errors import InputError
from zkats.gadgets.bits import range_check

from ._common import note_fields, settle, value_mark
from ._groups import AtEpoch, NewNote, TakenOver
from ._spend import AuthorisedSpend, Spend, sign_if_held
from ._statement import witness_inputs
from .deposit import ASSET


@dataclass(frozen=True)
class ExitPrivate:
    spend: Spend
    new_note: notes.Note
    epoch: oracle.Epoch

    def inputs(self):
        opened = AtEpoch.inputs(self.epoch, self.spend.note, self.new_note)
        for k in ("bucket", "bucket_asset", "worst"):  # no margin check
            opened.pop(k, None)
        return {**NewNote.inputs(self.new_note), **opened, **self.spend.inputs()}


def build(spend_, root, recipient, epoch, new_salt=None, signer=None):
    """(public, private) of the exit of ``spend_``'s note at ``epoch``,
    signed by ``signer`` or the key the spend holds (:func:`sign_if_held`:
    only the owner's spending key can).  InputError if the note's equity at
    the marks is below 1."""
    ex = margin.exit_all(spend_.note, epoch, salt=new_salt)
    pub = Exit.public(
        root=root,
        nullifier=spend_.note.nullifier(spend_.nk),
        **NewNote.public(ex.note, spend_.view),
        asset=ASSET,
        amount=ex.amount,
        recipient=recipient,
        epoch_id=epoch.epoch_id,
        epoch_hash=epoch.hash(),
        **TakenOver.public(ex.taken),
    )
    prv = ExitPrivate(spend_, ex.note, epoch)
    return pub, sign_if_held(pub, prv, signer)


def check(pub, prv):
    prv.spend.check(pub.root, pub.nullifier, "exit")
    AtEpoch.check(pub, prv.epoch, "exit")
    if pub.asset != ASSET:
        raise InputError("exit: not the venue's collateral asset")
    units.check_unsigned(pub.amount, units.COLLATERAL_BITS, "exit amount")
    ex = margin.exit_all(prv.spend.note, prv.epoch, salt=prv.new_note.salt)
    if pub.amount != ex.amount:
        raise InputError(f"exit: the amount is not the account's equity at the marks ({ex.amount})")
    TakenOver.check(pub, ex.taken, "exit")
    NewNote.check(
        pub,
        prv.new_note,
        ex.note,
        "exit",
        "the account emptied (collateral 0, every position closed)",
        prv.spend.view,
    )
    prv.spend.check_auth(Exit, pub, "exit")
    return True


def examples(sc):
    """The example scenario's exit: carol (long 100 perpetuals) takes her
    whole equity out; the backstop takes her position over at the mark."""
    return {"exit": build(sc.spend("carol"), sc.root, 0xE71, sc.epoch, new_salt=507)}


inputs = witness_inputs


@register("exit")
class Exit(AuthorisedSpend):
    """The account's whole equity at the marks leaves the escrow; every
    position goes to the backstop at the mark; the change note is empty."""

    commitment, new_salt = NewNote.declare()
    asset = Public()
    amount = Public()
    recipient = Public()
    epoch_id, epoch_hash, epoch_root, slot_entry, slot_path, slot_bits = AtEpoch.declare()
    taken_instrument, taken_size, taken_notional = TakenOver.declare()
    ciphertext, ciphertext_hash = NewNote.ciphertext()

    def define(self, api):
        f = self.old_note
        self.spend_note(api)
        api.assert_equal(self.asset, ASSET)
        range_check(api, self.amount - 1, units.COLLATERAL_BITS)  # amount >= 1
        epoch = AtEpoch.constrain(api, self)
        equity, settled = settle(api, f, epoch)
        api.assert_equal(equity, self.amount)  # the whole equity leaves
        empty = []
        for j, (inst, pos, _) in enumerate(settled):
            with api.scope("take_over"):
                # the settled position (0 if expired) goes to the backstop at the mark
                x = api.lc(pos) - units.offset(units.POSITION_BITS)
                TakenOver.constrain(api, self, j, inst, x, value_mark(epoch[j]))
            empty.append((inst, units.offset(units.POSITION_BITS), units.offset(units.COST_BITS)))
        new = note_fields(f[0], f[1], 0, f[3], empty)
        NewNote.constrain(api, self, new)

"""``health``: an account meets maintenance margin at an oracle epoch.

Statement (public: ``root, nullifier, account, epoch_id, epoch_hash``): the
prover knows a note of ``account`` that is a leaf under ``root``, with
nullifier ``nullifier`` (revealed but NOT spent: the ledger checks it is
unspent, so the proof is about the account's live note), that meets
maintenance margin (:func:`zkats.domain.margin.meets`, ``maintenance=True``)
at the epoch whose data hashes to ``epoch_hash``.  Nothing moves, so no
authorisation is needed: a holder of the viewing key can prove it.  Native
twin: :func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Public, register
from zkats.domain import margin, oracle
from zkats.errors import InputError

from ._common import margin_check
from ._groups import AtEpoch
from ._spend import Spend, SpendsNote
from ._statement import witness_inputs


@dataclass(frozen=True)
class HealthPrivate:
    spend: Spend
    epoch: oracle.Epoch

    def inputs(self):
        return {**AtEpoch.inputs(self.epoch, self.spend.note), **self.spend.inputs()}


def build(spend_, root, epoch):
    n = spend_.note
    pub = Health.public(
        root=root,
        nullifier=n.nullifier(spend_.nk),
        account=n.account,
        epoch_id=epoch.epoch_id,
        epoch_hash=epoch.hash(),
    )
    return pub, HealthPrivate(spend_, epoch)


def check(pub, prv):
    prv.spend.check(pub.root, pub.nullifier, "health")
    if prv.spend.note.account != pub.account:
        raise InputError("health: the note is not this account's")
    AtEpoch.check(pub, prv.epoch, "health")
    margin.check(prv.spend.note, prv.epoch, maintenance=True, what="health")
    return True


def examples(sc):
    """The example scenario's health proof: bob's."""
    return {"health": build(sc.spend("bob"), sc.root, sc.epoch)}


inputs = witness_inputs


@register("health")
class Health(SpendsNote):
    """An account's live note meets maintenance margin at an oracle epoch."""

    account = Public()
    epoch_id, epoch_hash, epoch_root, slot_entry, slot_path, slot_bits = AtEpoch.declare()
    bucket, bucket_asset = AtEpoch.buckets()
    worst = AtEpoch.worst()

    def define(self, api):
        f = self.old_note
        self.spend_note(api)
        api.assert_equal(f[0], self.account)
        epoch = AtEpoch.constrain(api, self)
        margin_check(api, f, epoch, self.bucket, self.bucket_asset, self.worst, True)

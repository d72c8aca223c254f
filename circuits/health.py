"""``health``: an account meets maintenance margin at an oracle epoch.

Statement (public: ``root, nullifier, account, epoch_id, epoch_hash``): the
prover knows a note of ``account`` that is a leaf under ``root``, with
nullifier ``nullifier`` (revealed but NOT spent: the ledger checks it is
unspent, so the proof is about the account's live note), that meets
maintenance margin (:func:`zkats.domain.margin.meets`, ``maintenance=True``)
at the epoch whose data hashes to ``epoch_hash``.  Nothing else is
revealed.  Native twin: :func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Circuit, Private, Public, register
from zkats.errors import InputError
from zkats.domain import margin, oracle, units

from ._common import NOTE_FIELDS, epoch_check, margin_check, spend
from ._state import Spend, entry_indices

PUBLIC_SIGNALS = ("root", "nullifier", "account", "epoch_id", "epoch")


@dataclass(frozen=True)
class HealthPublic:
    root: int
    nullifier: int
    account: int
    epoch_id: int
    epoch_hash: int

    def signals(self):
        return [self.root, self.nullifier, self.account, self.epoch_id, self.epoch_hash]


@dataclass(frozen=True)
class HealthPrivate:
    spend: Spend
    epoch: oracle.Epoch


def build(spend_, root, epoch):
    n = spend_.note
    return (
        HealthPublic(root, n.nullifier(spend_.nk), n.account, epoch.epoch_id, epoch.hash()),
        HealthPrivate(spend_, epoch),
    )


def check(pub, prv):
    prv.spend.check(pub.root, pub.nullifier, "health")
    if prv.spend.note.account != pub.account:
        raise InputError("health: the note is not this account's")
    if prv.epoch.epoch_id != pub.epoch_id or prv.epoch.hash() != pub.epoch_hash:
        raise InputError("health: wrong oracle epoch")
    margin.check(prv.spend.note, prv.epoch, maintenance=True, what="health")
    return True


def inputs(pub, prv):
    d = {
        "root": pub.root,
        "nullifier": pub.nullifier,
        "account": pub.account,
        "epoch_id": pub.epoch_id,
        "epoch_hash": pub.epoch_hash,
        "epoch": prv.epoch.circuit_inputs()["epoch"],
        "entry_index": entry_indices(prv.spend.note, prv.epoch),
    }
    d.update(prv.spend.inputs())
    return d


@register("health")
class Health(Circuit):
    """An account's live note meets maintenance margin at an oracle epoch."""

    root = Public()
    nullifier = Public()
    account = Public()
    epoch_id = Public()
    epoch_hash = Public()
    old_note = Private(n=NOTE_FIELDS)
    old_salt = Private()
    nk = Private()
    pk = Private(n=2)
    path_bits = Private(n=units.TREE_DEPTH)
    siblings = Private(n=units.TREE_DEPTH)
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
        epoch_check(api, self.epoch_id, self.epoch_hash, self.epoch)
        margin_check(api, f, self.epoch, self.entry_index, maintenance=True)

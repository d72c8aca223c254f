"""``liquidate``: an account that did not prove health in time is reduced.

Statement (public: ``root, nullifier, commitment, account, epoch_id,
epoch_hash``): the prover spends the live note of ``account`` (a leaf under
``root``, nullifier revealed; the ledger accepts this only for an account
without a health proof for the epoch by its deadline) and creates the note
``commitment`` per :func:`zkats.venue.margin.liquidate`: each position only
shrinks toward zero (never grows, never flips sign), the closed part
trades at the epoch's mark price, and a penalty of
``LIQUIDATION_PENALTY_BPS`` on the closed notional is paid from collateral
(capped at the collateral).  Owner, keys and model are unchanged.

Who proves it: the venue's risk engine, which the trader gave the note
opening and ``nk`` when opening the account (the operator column of
docs/venue.md).  Native twin: :func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Circuit, Private, Public, register
from zkats.errors import InputError
from zkats.gadgets.bits import range_check
from zkats.venue import margin, notes, oracle, units

from ._common import (
    NOTE_FIELDS,
    epoch_check,
    fee_check,
    note_commitment,
    note_fields,
    select_entry,
    signed,
    slots_of,
    spend,
)
from ._state import Spend, entry_indices

PUBLIC_SIGNALS = ("root", "nullifier", "commitment", "account", "epoch_id", "epoch")


@dataclass(frozen=True)
class LiquidatePublic:
    root: int
    nullifier: int
    commitment: int
    account: int
    epoch_id: int
    epoch_hash: int

    def signals(self):
        return [
            self.root,
            self.nullifier,
            self.commitment,
            self.account,
            self.epoch_id,
            self.epoch_hash,
        ]


@dataclass(frozen=True)
class LiquidatePrivate:
    spend: Spend
    new_positions: tuple[int, ...]
    new_note: notes.Note
    epoch: oracle.Epoch


def build(spend_, root, epoch, new_positions=None, new_salt=None):
    """Defaults to closing every position."""
    old = spend_.note
    new_positions = tuple(new_positions or (0,) * units.N_SLOTS)
    new, _ = margin.liquidate(old, epoch, new_positions, salt=new_salt)
    return (
        LiquidatePublic(
            root,
            old.nullifier(spend_.nk),
            new.commitment(),
            old.account,
            epoch.epoch_id,
            epoch.hash(),
        ),
        LiquidatePrivate(spend_, new_positions, new, epoch),
    )


def check(pub, prv):
    prv.spend.check(pub.root, pub.nullifier, "liquidate")
    old = prv.spend.note
    if pub.account != old.account:
        raise InputError("liquidate: the note is not this account's")
    if prv.epoch.epoch_id != pub.epoch_id or prv.epoch.hash() != pub.epoch_hash:
        raise InputError("liquidate: wrong oracle epoch")
    expected, _ = margin.liquidate(old, prv.epoch, prv.new_positions, salt=prv.new_note.salt)
    if expected != prv.new_note or expected.commitment() != pub.commitment:
        raise InputError("liquidate: the new note does not follow the liquidation rule")
    return True


def inputs(pub, prv):
    old = prv.spend.note
    closed = sum(
        (abs(s.position) - abs(x2)) * (prv.epoch.entry(s.instrument).mark if s.position else 0)
        for s, x2 in zip(old.slots, prv.new_positions)
    )
    d = {
        "root": pub.root,
        "nullifier": pub.nullifier,
        "commitment": pub.commitment,
        "account": pub.account,
        "epoch_id": pub.epoch_id,
        "epoch_hash": pub.epoch_hash,
        "new_pos": [units.encode_signed(x, units.POSITION_BITS) for x in prv.new_positions],
        "penalty": units.mul_bps_ceil(closed, margin.LIQUIDATION_PENALTY_BPS),
        "paid": old.collateral - prv.new_note.collateral,
        "new_salt": prv.new_note.salt,
        "epoch": prv.epoch.circuit_inputs()["epoch"],
        "entry_index": entry_indices(old, prv.epoch),
    }
    d.update(prv.spend.inputs())
    return d


@register("liquidate")
class Liquidate(Circuit):
    """An account's positions shrink toward zero at the mark, with a capped penalty."""

    root = Public()
    nullifier = Public()
    commitment = Public()
    account = Public()
    epoch_id = Public()
    epoch_hash = Public()
    old_note = Private(n=NOTE_FIELDS)
    old_salt = Private()
    nk = Private()
    pk = Private(n=2)
    path_bits = Private(n=units.TREE_DEPTH)
    siblings = Private(n=units.TREE_DEPTH)
    new_pos = Private(n=units.N_SLOTS)
    penalty = Private()
    paid = Private()
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
        epoch_check(api, self.epoch_id, self.epoch_hash, self.epoch)
        closed = api.constant(0)
        new_slots = []
        for j, (inst, pos, cost) in enumerate(slots_of(f)):
            with api.scope("reduce"):
                x, s_old = signed(api, pos, units.POSITION_BITS)
                x2, s_new = signed(api, self.new_pos[j], units.POSITION_BITS)
                ax = api.mul(s_old * 2 - 1, x)
                ax2 = api.mul(s_new * 2 - 1, x2)
                range_check(api, ax - ax2, units.POSITION_BITS)  # |x'| <= |x|
                api.assert_product(s_new - s_old, x2, 0)  # no flip
                mark = select_entry(api, self.epoch, self.entry_index[j], inst, x)[1]
                new_cost = cost + api.mul(x2 - x, mark)
                range_check(api, new_cost, units.COST_BITS)
                closed = closed + api.mul(ax - ax2, mark)
                new_slots.append((inst, self.new_pos[j], new_cost))
        with api.scope("penalty"):
            fee_check(api, self.penalty, closed, margin.LIQUIDATION_PENALTY_BPS)
            range_check(api, self.paid, units.COLLATERAL_BITS)
            range_check(api, self.penalty - self.paid, units.COLLATERAL_BITS)  # paid <= penalty
            collateral = f[2] - self.paid
            range_check(api, collateral, units.COLLATERAL_BITS)  # paid <= collateral
            api.assert_product(self.penalty - self.paid, collateral, 0)  # capped only at 0
        new = note_fields(f[0], f[1], collateral, f[3], new_slots)
        api.assert_equal(note_commitment(api, new, self.new_salt), self.commitment)

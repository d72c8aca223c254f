"""``liquidate``: an account that fails maintenance margin is reduced.

Statement (public: ``root, nullifier, commitment, account, epoch_id,
epoch_hash, penalty``): the prover spends the live note of ``account`` (a
leaf under ``root``, nullifier revealed), shows in constraints that the note
FAILS maintenance margin at the epoch's marks (:func:`margin_fails`: a
healthy account cannot be liquidated, whatever the ledger lists), and
creates the note ``commitment`` per :func:`zkats.domain.margin.liquidate`:
each position only shrinks toward zero (never grows, never flips sign), the
closed part trades at the epoch's mark price, and a penalty of
``LIQUIDATION_PENALTY_BPS`` on the closed notional (capped at the
collateral) leaves the note; ``penalty`` (what was paid) is public and goes
to the venue's insurance fund.  Owner, keys and model are unchanged.  The
ledger further accepts it only at the latest closed epoch, for an account
without a health proof for it.

Who proves it: the risk engine, with the account's liquidation capability
(``lsk`` signs the statement, :class:`AuthorisedSpend` with ``AUTHORITY =
"lk"``); the owner's spending key is not needed and the capability can
authorise nothing else.  Native twin: :func:`check`.
"""

from dataclasses import dataclass

from zkats.circuit import Private, Public, register
from zkats.domain import margin, notes, oracle, units
from zkats.errors import InputError
from zkats.gadgets.bits import range_check

from ._common import (
    fee_check,
    margin_fails,
    note_fields,
    select_entry,
    signed,
    slots_of,
)
from ._groups import AtEpoch, NewNote
from ._spend import AuthorisedSpend, Spend, sign_if_held
from ._statement import witness_inputs


@dataclass(frozen=True)
class LiquidatePrivate:
    spend: Spend
    new_positions: tuple[int, ...]
    new_note: notes.Note
    epoch: oracle.Epoch

    def inputs(self):
        old, ep = self.spend.note, self.epoch
        closed = sum(
            (abs(s.position) - abs(x2)) * (ep.entry(s.instrument).mark if s.position else 0)
            for s, x2 in zip(old.slots, self.new_positions)
        )
        return {
            "new_pos": [units.encode_signed(x, units.POSITION_BITS) for x in self.new_positions],
            "penalty_due": units.mul_bps_ceil(closed, margin.LIQUIDATION_PENALTY_BPS),
            **NewNote.inputs(self.new_note),
            **AtEpoch.inputs(old, ep),
            "scenario": failing_scenario(old, ep),
            **self.spend.inputs(),
        }


def failing_scenario(note, epoch):
    """The first maintenance scenario whose slack is negative (0 if none)."""
    for k, v in enumerate(margin.slacks(note, epoch, maintenance=True)):
        if v < 0:
            return k
    return 0


def build(spend_, root, epoch, new_positions=None, new_salt=None, signer=None):
    """Defaults to closing every position.  Before authorisation (see
    :meth:`Spend.authorise`, by the liquidation capability)."""
    old = spend_.note
    if margin.meets(old, epoch, maintenance=True):
        raise InputError("liquidate: the account meets maintenance margin at this epoch")
    new_positions = tuple(new_positions or (0,) * units.N_SLOTS)
    new, paid = margin.liquidate(old, epoch, new_positions, salt=new_salt)
    pub = Liquidate.public(
        root=root,
        nullifier=old.nullifier(spend_.nk),
        commitment=new.commitment(),
        account=old.account,
        epoch_id=epoch.epoch_id,
        epoch_hash=epoch.hash(),
        penalty=paid,
    )
    prv = LiquidatePrivate(spend_, new_positions, new, epoch)
    return pub, sign_if_held(pub, prv, signer)


def check(pub, prv):
    prv.spend.check(pub.root, pub.nullifier, "liquidate")
    old = prv.spend.note
    if pub.account != old.account:
        raise InputError("liquidate: the note is not this account's")
    AtEpoch.check(pub, prv.epoch, "liquidate")
    if margin.meets(old, prv.epoch, maintenance=True):
        raise InputError("liquidate: the account meets maintenance margin at this epoch")
    expected, paid = margin.liquidate(old, prv.epoch, prv.new_positions, salt=prv.new_note.salt)
    NewNote.check(pub, prv.new_note, expected, "liquidate", "the liquidation rule's")
    if paid != pub.penalty:
        raise InputError("liquidate: the public penalty is not the one the rule charges")
    prv.spend.check_auth(Liquidate, pub, "liquidate")
    return True


def examples(sc):
    """The example scenario's liquidation: carol, below maintenance, signed
    with her liquidation capability."""
    return {"liquidate": build(sc.spend("carol"), sc.root, sc.epoch, new_salt=503)}


inputs = witness_inputs


@register("liquidate")
class Liquidate(AuthorisedSpend):
    """An account failing maintenance shrinks toward zero at the mark; the
    capped penalty goes to the insurance fund."""

    AUTHORITY = "lk"

    new_pos = Private(n=units.N_SLOTS)
    penalty_due = Private()
    commitment, new_salt = NewNote.declare()
    account = Public()
    epoch_id, epoch_hash, epoch, entry_index = AtEpoch.declare()
    penalty = Public()
    scenario = Private()

    def define(self, api):
        f = self.old_note
        self.spend_note(api)
        api.assert_equal(f[0], self.account)
        AtEpoch.constrain(api, self)
        margin_fails(api, f, self.epoch, self.entry_index, self.scenario, maintenance=True)
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
            fee_check(api, self.penalty_due, closed, margin.LIQUIDATION_PENALTY_BPS)
            range_check(api, self.penalty, units.COLLATERAL_BITS)
            # paid <= due
            range_check(api, self.penalty_due - self.penalty, units.COLLATERAL_BITS)
            collateral = f[2] - self.penalty
            range_check(api, collateral, units.COLLATERAL_BITS)  # paid <= collateral
            # capped only at 0
            api.assert_product(self.penalty_due - self.penalty, collateral, 0)
        new = note_fields(f[0], f[1], collateral, f[3], new_slots)
        NewNote.constrain(api, self, new)

"""``liquidate``: an account that fails maintenance margin is reduced.

Statement (public: ``root, nullifier, commitment, account, epoch_id,
epoch_hash, penalty, shortfall, taken_instrument[], taken_size[],
taken_notional[], ciphertext``): the prover spends the live note of
``account`` (a leaf under ``root``, nullifier revealed), shows in
constraints that the note FAILS maintenance margin at the epoch's marks
(:func:`margin_fails`: a healthy account cannot be liquidated, whatever the
ledger lists), and creates the note ``commitment`` per
:func:`zkats.domain.margin.liquidate`: the note is settled to the marks (its
collateral becomes its equity ``E``), each position only shrinks toward
zero (never grows, never flips sign) at the mark, and a penalty of
``LIQUIDATION_PENALTY_BPS`` on the closed notional, capped at ``max(E, 0)``,
leaves the note.  ``penalty`` (what was paid) is public and goes to the
venue's insurance fund.  If ``E < 0`` the account is bankrupt: every
position closes, the new collateral is 0 and ``shortfall = -E`` is public
(the ledger's default waterfall covers it); otherwise ``shortfall = 0``.
Every closed part ``x - x'`` is taken over by the venue's backstop (the
insurance fund) at the mark: per slot, ``taken_size = x - x'`` and
``taken_notional = (x - x') * mark`` (signed encodings) and the instrument
(0 for a slot not reduced) are public, so the fund's positions are public
and every position keeps its counterparty.
Owner, keys and model are unchanged.  The ledger further accepts it only at
the latest closed epoch, for an account without a health proof for it.

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
    settle,
    signed,
    slot_entry,
    value_mark,
)
from ._groups import AtEpoch, NewNote, TakenOver
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
            (abs(x) - abs(x2)) * (ep.entry(s.instrument).mark if x else 0)
            for s, x, x2 in zip(old.slots, margin.settled_positions(old, ep), self.new_positions)
        )
        return {
            "new_pos": [units.encode_signed(x, units.POSITION_BITS) for x in self.new_positions],
            "penalty_due": units.mul_bps_ceil(closed, margin.LIQUIDATION_PENALTY_BPS),
            "new_collateral": self.new_note.collateral,
            **NewNote.inputs(self.new_note),
            **AtEpoch.inputs(ep, old, worst=False),
            "scenario": margin.failing_witness(old, ep),
            **self.spend.inputs(),
        }


#: the public ``taken_*`` signals of a liquidation's ``taken`` (:class:`TakenOver`)
taken_signals = TakenOver.public
#: ``[(instrument, size, notional)]`` decoded from a statement's public signals
taken_of = TakenOver.of


def build(spend_, root, epoch, new_positions=None, new_salt=None, signer=None):
    """Defaults to closing every position.  Before authorisation (see
    :meth:`Spend.authorise`, by the liquidation capability)."""
    old = spend_.note
    if margin.meets(old, epoch, maintenance=True):
        raise InputError("liquidate: the account meets maintenance margin at this epoch")
    new_positions = tuple(new_positions or (0,) * units.N_SLOTS)
    new, paid, shortfall, taken = margin.liquidate(old, epoch, new_positions, salt=new_salt)
    pub = Liquidate.public(
        root=root,
        nullifier=old.nullifier(spend_.nk),
        account=old.account,
        epoch_id=epoch.epoch_id,
        epoch_hash=epoch.hash(),
        penalty=paid,
        shortfall=shortfall,
        **taken_signals(taken),
        **NewNote.public(new, spend_.view),
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
    expected, paid, shortfall, taken = margin.liquidate(
        old, prv.epoch, prv.new_positions, salt=prv.new_note.salt
    )
    TakenOver.check(pub, taken, "liquidate")
    NewNote.check(
        pub, prv.new_note, expected, "liquidate", "the liquidation rule's", prv.spend.view
    )
    if paid != pub.penalty:
        raise InputError("liquidate: the public penalty is not the one the rule charges")
    if shortfall != pub.shortfall:
        raise InputError("liquidate: the public shortfall is not the account's negative equity")
    prv.spend.check_auth(Liquidate, pub, "liquidate")
    return True


def examples(sc):
    """The example scenario's liquidation: carol, below maintenance, signed
    with her liquidation capability."""
    return {"liquidate": build(sc.spend("carol"), sc.root, sc.epoch, new_salt=503)}


inputs = witness_inputs


@register("liquidate")
class Liquidate(AuthorisedSpend):
    """An account failing maintenance is settled to the mark and shrinks
    toward zero; the capped penalty goes to the insurance fund, a bankrupt
    account's shortfall is public."""

    AUTHORITY = "lk"

    new_pos = Private(n=units.N_SLOTS)
    penalty_due = Private()
    new_collateral = Private()
    commitment, new_salt = NewNote.declare()
    account = Public()
    epoch_id, epoch_hash, epoch_root, slot_entry, slot_path, slot_bits = AtEpoch.declare()
    bucket, bucket_asset = AtEpoch.buckets()
    penalty = Public()
    shortfall = Public()
    taken_instrument, taken_size, taken_notional = TakenOver.declare()
    ciphertext = NewNote.public_ciphertext()
    scenario = Private(n=units.N_UNDERLYINGS)

    def define(self, api):
        f = self.old_note
        self.spend_note(api)
        api.assert_equal(f[0], self.account)
        epoch = AtEpoch.constrain(api, self)
        margin_fails(api, f, epoch, self.bucket, self.bucket_asset, self.scenario, True)
        equity, settled = settle(api, f, epoch)
        closed = api.constant(0)
        new_slots = []
        for j, (inst, pos, settled_cost) in enumerate(settled):
            with api.scope("reduce"):
                # the settled position: 0 if its instrument expired (closed
                # at its settlement value by the settlement above)
                x, s_old = signed(api, pos, units.POSITION_BITS)
                x2, s_new = signed(api, self.new_pos[j], units.POSITION_BITS)
                ax = api.mul(s_old * 2 - 1, x)
                ax2 = api.mul(s_new * 2 - 1, x2)
                range_check(api, ax - ax2, units.POSITION_BITS)  # |x'| <= |x|
                api.assert_product(s_new - s_old, x2, 0)  # no flip
                api.assert_product(self.shortfall, x2, 0)  # bankrupt: every position closes
                e = slot_entry(epoch, j, inst, api, x)
                mark, value = e[1], value_mark(e)
                # settled cost x * value, plus the closed part (x' - x) at the mark
                new_cost = settled_cost + api.mul(x2 - x, value)
                closed = closed + api.mul(ax - ax2, mark)
                # the backstop takes over x - x' at the mark (instrument 0 if none)
                TakenOver.constrain(api, self, j, inst, api.lc(x) - x2, value)
                new_slots.append((inst, self.new_pos[j], new_cost))
        with api.scope("penalty"):
            fee_check(api, self.penalty_due, closed, margin.LIQUIDATION_PENALTY_BPS)
            paid, c2 = self.penalty, self.new_collateral
            range_check(api, paid, units.COLLATERAL_BITS)
            range_check(api, self.penalty_due - paid, units.COLLATERAL_BITS)  # paid <= due
            range_check(api, c2, units.COLLATERAL_BITS)
            range_check(api, self.shortfall, margin.SHORTFALL_BITS)
            # E = c2 + paid - shortfall, with exactly one of:
            #   paid == due                      (E >= due: c2 = E - due)
            #   c2 == 0, shortfall == 0          (0 <= E < due: paid = E)
            #   c2 == 0, paid == 0               (E < 0: shortfall = -E)
            api.assert_equal(equity, api.lc(c2) + paid - self.shortfall)
            api.assert_product(self.penalty_due - paid, c2, 0)
            api.assert_product(self.shortfall, paid, 0)
            api.assert_product(self.shortfall, c2, 0)
        new = note_fields(f[0], f[1], c2, f[3], new_slots)
        NewNote.constrain(api, self, new)

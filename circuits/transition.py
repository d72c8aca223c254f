"""``transition``: an account applies one trade leg to its note.

Statement (public: ``root, nullifier, commitment, instrument, leg (x, y),
tag, epoch_id, epoch_hash, fee, ciphertext_hash``; carried beside the proof:
``ciphertext``): the prover knows an account note that
is a leaf under ``root`` whose nullifier is ``nullifier``, the opening of
the leg commitment (side, size ``q``, notional ``|n|``, blinding ``rho``)
bound to this account by ``tag``, and a position slot, such that the new
note with commitment ``commitment`` is the old one settled to the epoch's
marks (:meth:`Note.settle`: every slot's profit or loss moves into
collateral, realised profit becomes withdrawable), then with the slot's
position moved by ``d = +-q`` and cost by ``+-|n|`` in ``instrument``
(the slot held that instrument or a zero position), collateral reduced by
the public ``fee = ceil(|n| * TRADE_FEE_BPS / 10000)`` (credited to the
venue's fee account), same owner, model and keys, and the new note meets
initial margin at the oracle epoch whose data hashes to ``epoch_hash``.
The owner's spending key signs the whole
statement (:class:`AuthorisedSpend`): holding the note opening and ``nk``,
or the trade confirmation, is not enough to move the account.

Native twin: :func:`check` (``Note.settle``, ``Note.apply_leg``, ``margin.check``).
"""

from dataclasses import dataclass

from zkats.circuit import Private, Public, register
from zkats.domain import margin, notes, oracle, orders, tags, units
from zkats.errors import InputError
from zkats.gadgets.bits import num2bits

from ._common import (
    EXPIRED,
    FUNDING,
    NOTIONAL_BITS,
    assert_point,
    fee_check,
    leg_point,
    margin_check,
    note_fields,
    one_hot,
    poseidon,
    settle,
)
from ._groups import AtEpoch, NewNote
from ._spend import AuthorisedSpend, Spend, sign_if_held
from ._statement import witness_inputs


@dataclass(frozen=True)
class TransitionPrivate:
    spend: Spend
    leg: orders.Leg
    slot: int
    new_note: notes.Note
    epoch: oracle.Epoch

    def inputs(self):
        leg = self.leg
        return {
            "side": 0 if leg.d >= 0 else 1,
            "size": abs(leg.d),
            "notional": abs(leg.n),
            "rho": leg.blinding,
            "slot": self.slot,
            **NewNote.inputs(self.new_note),
            # a slot closed by this leg is settled at its instrument's entry too
            **AtEpoch.inputs(
                self.epoch, self.spend.note, self.new_note, leg=(self.slot, leg.instrument)
            ),
            **self.spend.inputs(),
        }


def _funding(epoch, leg):
    """The funding index the leg is booked at (InputError if the epoch has
    no entry for the leg's instrument, or if the instrument has expired)."""
    e = epoch.entry(leg.instrument)
    if e.expired:
        raise InputError(
            f"transition: the instrument has expired (epoch {epoch.epoch_id}): "
            "it can no longer be traded"
        )
    return e.funding


def build(spend_, root, leg, epoch, new_salt=None, signer=None):
    """(public, private) for applying ``leg`` to the spent note."""
    old = spend_.note
    slot = old.slot_for(leg.instrument)
    new = old.settle(epoch).apply_leg(
        leg.instrument, leg.d, leg.n, slot=slot, salt=new_salt, funding=_funding(epoch, leg)
    )
    pub = Transition.public(
        root=root,
        nullifier=old.nullifier(spend_.nk),
        instrument=leg.instrument,
        leg=leg.commitment(),
        tag=leg.tag(),
        epoch_id=epoch.epoch_id,
        epoch_hash=epoch.hash(),
        fee=notes.trade_fee(abs(leg.n)),
        **NewNote.public(new, spend_.view),
    )
    prv = TransitionPrivate(spend_, leg, slot, new, epoch)
    return pub, sign_if_held(pub, prv, signer)


def check(pub, prv):
    """The native twin: raises InputError naming the failed rule."""
    prv.spend.check(pub.root, pub.nullifier, "transition")
    old, leg = prv.spend.note, prv.leg
    if leg.account != old.account or leg.tag() != pub.tag:
        raise InputError("transition: the leg is not bound to this account")
    if leg.instrument != pub.instrument or leg.commitment() != tuple(pub.leg):
        raise InputError("transition: wrong leg opening")
    if (
        abs(leg.n) % max(abs(leg.d), 1)
        or abs(leg.d) >= 1 << units.SIZE_BITS
        or abs(leg.n) >= 1 << NOTIONAL_BITS
        or (leg.d >= 0) != (leg.n >= 0)
    ):
        raise InputError("transition: malformed leg")
    AtEpoch.check(pub, prv.epoch, "transition")
    if pub.fee != notes.trade_fee(abs(leg.n)):
        raise InputError("transition: the public fee is not the venue's fee on the notional")
    expected = old.settle(prv.epoch).apply_leg(
        leg.instrument,
        leg.d,
        leg.n,
        slot=prv.slot,
        salt=prv.new_note.salt,
        funding=_funding(prv.epoch, leg),
    )
    NewNote.check(
        pub,
        prv.new_note,
        expected,
        "transition",
        "the old one settled to the marks with the leg applied",
        prv.spend.view,
    )
    margin.check(prv.new_note, prv.epoch, maintenance=False, what="transition")
    prv.spend.check_auth(Transition, pub, "transition")
    return True


def examples(sc):
    """The example scenario's two transitions: alice buys (linear margin),
    bob sells (portfolio margin)."""
    legs = sc.match.legs()
    return {
        "transition": build(sc.spend("alice"), sc.root, legs[0], sc.epoch, new_salt=501),
        "transition_seller": build(sc.spend("bob"), sc.root, legs[1], sc.epoch, new_salt=502),
    }


inputs = witness_inputs


@register("transition")
class Transition(AuthorisedSpend):
    """An account note applies one trade leg and still meets initial margin."""

    # the leg's opening and the slot (private), then the new note: wire order
    side = Private()
    size = Private()
    notional = Private()
    rho = Private()
    slot = Private()
    commitment, new_salt = NewNote.declare()
    instrument = Public()
    leg = Public(n=2)
    tag = Public()
    epoch_id, epoch_hash, epoch_root, slot_entry, slot_path, slot_bits = AtEpoch.declare()
    bucket, bucket_asset = AtEpoch.buckets()
    fee = Public()
    ciphertext, ciphertext_hash = NewNote.ciphertext()
    worst = AtEpoch.worst()

    def define(self, api):
        f = self.old_note
        self.spend_note(api)
        with api.scope("leg"):
            api.assert_bool(self.side)
            q_bits = num2bits(api, self.size, units.SIZE_BITS)
            n_bits = num2bits(api, self.notional, NOTIONAL_BITS)
            assert_point(api, leg_point(api, self.side, q_bits, n_bits, self.rho), self.leg)
            api.assert_equal(poseidon(api, [tags.LEG, f[0], self.rho]), self.tag)
            d = self.size - 2 * api.mul(self.side, self.size)
            n = self.notional - 2 * api.mul(self.side, self.notional)
        epoch = AtEpoch.constrain(api, self)
        collateral, settled = settle(api, f, epoch)
        sel = one_hot(api, self.slot, units.N_SLOTS)
        with api.scope("funding"):
            # the leg's slot's entry is the leg's instrument's, whatever the
            # positions: the fill is booked at cost n - d * funding (Note.apply_leg)
            def pick(f):
                return api.sum([api.mul(b, e[f]) for b, e in zip(sel, epoch)])

            api.assert_equal(pick(0), self.instrument)
            n = n - api.mul(d, pick(FUNDING) - units.offset(units.FUNDING_BITS))
            api.assert_equal(pick(EXPIRED), 0)  # an expired instrument is not traded
        with api.scope("apply"):
            api.inverse(self.instrument)  # instrument != 0
            new_slots = []
            for j, (inst, pos, cost) in enumerate(settled):
                held = api.mul(inst - self.instrument, pos - units.offset(units.POSITION_BITS))
                api.assert_product(sel[j], held, 0)
                new_slots.append(
                    (
                        inst + api.mul(sel[j], self.instrument - inst),
                        pos + api.mul(sel[j], d),
                        cost + api.mul(sel[j], n),
                    )
                )
            fee_check(api, self.fee, self.notional, notes.TRADE_FEE_BPS)
            new = note_fields(f[0], f[1], collateral - self.fee, f[3], new_slots)
            NewNote.constrain(api, self, new)
        margin_check(api, new, epoch, self.bucket, self.bucket_asset, self.worst, False)

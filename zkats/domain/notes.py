"""Account state notes, their commitments and nullifiers.

A note is an account's whole state::

    Note(account, npk, collateral, model, slots, salt)

* ``account``: the owner's account id (:func:`zkats.domain.keys.account_id`);
* ``npk``: the owner's nullifier public key (``Poseidon(tags.NULLIFIER_KEY, nk)``);
* ``collateral``: unsigned, ``units.COLLATERAL_BITS``;
* ``model``: the margin model, 0 linear, 1 scenario (risk arrays per underlying);
* ``slots``: exactly ``units.N_SLOTS`` :class:`Slot` ``(instrument,
  position, cost)``: a signed position in lots and its signed cost basis (the
  collateral paid for it, net: buying ``q`` at ``p`` adds ``q*p``, selling
  subtracts it).  The slot's value at mark ``m`` is ``position*m - cost``.
  An empty slot is ``(0, 0, 0)``; a slot whose position is 0 may be reused
  for another instrument (its cost is plain cash and stays);
* ``salt``: a random field element (hiding, and uniqueness of commitments).

Commitment (the Merkle leaf)::

    cm = Poseidon(tags.NOTE, account, npk, collateral, model,
                  inst_0, enc(pos_0), enc(cost_0), ..., salt)      # 15 inputs

Nullifier: ``Poseidon(tags.NULLIFIER, nk, cm)``.  Only the holder of ``nk``
can compute it (the note holds only ``npk``); it is deterministic per note
(spending twice reveals the same nullifier) and unlinkable to ``cm``.

Trade application (:meth:`Note.apply_leg`) is the rule the ``transition``
circuit states: the leg's signed size ``d`` and signed notional ``n = d*p``
are added to one slot's position and cost, the fee
``ceil(|n| * TRADE_FEE_BPS / 10000)`` comes out of collateral.
"""

from dataclasses import dataclass, field, replace

from ..errors import InputError
from ..field import R
from . import tags, units

#: venue trading fee, charged to both sides on the notional (basis points)
TRADE_FEE_BPS = 5


@dataclass(frozen=True)
class Slot:
    instrument: int = 0
    position: int = 0
    cost: int = 0

    def __post_init__(self):
        if not (isinstance(self.instrument, int) and 0 <= self.instrument < R):
            raise InputError("slot instrument: must be a field element")
        units.check_signed(self.position, units.POSITION_BITS, "slot position")
        units.check_signed(self.cost, units.COST_BITS, "slot cost")

    def fields(self):
        return [
            self.instrument,
            units.encode_signed(self.position, units.POSITION_BITS),
            units.encode_signed(self.cost, units.COST_BITS),
        ]


EMPTY_SLOT = Slot()


def _field(x, what):
    if not (isinstance(x, int) and 0 <= x < R):
        raise InputError(f"{what}: must be a field element")
    return x


@dataclass(frozen=True)
class Note:
    account: int
    npk: int
    collateral: int
    model: int = 0
    slots: tuple[Slot, ...] = ()
    salt: int = field(default=0, repr=False)

    def __post_init__(self):
        _field(self.account, "note account")
        _field(self.npk, "note npk")
        _field(self.salt, "note salt")
        units.check_unsigned(self.collateral, units.COLLATERAL_BITS, "note collateral")
        if self.model not in (0, 1):
            raise InputError("note model: 0 (linear) or 1 (scenario)")
        slots = tuple(self.slots)
        if len(slots) > units.N_SLOTS:
            raise InputError(f"note: at most {units.N_SLOTS} slots, got {len(slots)}")
        object.__setattr__(self, "slots", slots + (EMPTY_SLOT,) * (units.N_SLOTS - len(slots)))

    @classmethod
    def open(cls, key, collateral=0, model=0, salt=None):
        """A fresh note of ``key``'s account with no positions."""
        from .keys import random_field

        return cls(
            key.account, key.npk, collateral, model, (), random_field() if salt is None else salt
        )

    def fields(self):
        """The 14 committed fields before the salt (circuit input order)."""
        out = [self.account, self.npk, self.collateral, self.model]
        for s in self.slots:
            out += s.fields()
        return out

    def commitment(self):
        from ..gadgets.poseidon_hash import poseidon_long_plain

        return poseidon_long_plain([tags.NOTE] + self.fields() + [self.salt])

    def nullifier(self, nk):
        return nullifier(nk, self.commitment())

    def circuit_inputs(self, prefix):
        """``{prefix_account, ..., prefix_slots: [[inst, enc pos, enc cost]...], prefix_salt}``."""
        return {
            f"{prefix}_account": self.account,
            f"{prefix}_npk": self.npk,
            f"{prefix}_collateral": self.collateral,
            f"{prefix}_model": self.model,
            f"{prefix}_slots": [s.fields() for s in self.slots],
            f"{prefix}_salt": self.salt,
        }

    # ------------------------------------------------------------ updates
    def with_salt(self, salt=None):
        from .keys import random_field

        return replace(self, salt=random_field() if salt is None else salt)

    def slot_for(self, instrument):
        """The index of the slot that takes a trade in ``instrument``: the slot
        already holding it with a non-zero position, else the first slot with
        a zero position (InputError if none)."""
        for i, s in enumerate(self.slots):
            if s.instrument == instrument and s.position != 0:
                return i
        for i, s in enumerate(self.slots):
            if s.instrument == instrument:
                return i
        for i, s in enumerate(self.slots):
            if s.position == 0:
                return i
        raise InputError("note: no free position slot for this instrument")

    def apply_leg(self, instrument, d, n, slot=None, salt=None, funding=0):
        """The note after a fill of signed size ``d`` and signed notional ``n``
        (buyer: ``d = q, n = q*p``; seller: ``d = -q, n = -q*p``) and the fee,
        at an epoch whose funding index for the instrument is ``funding``:
        the cost grows by ``n - d * funding`` (the fill at the value mark's
        scale, :mod:`zkats.domain.oracle`)."""
        i = self.slot_for(instrument) if slot is None else slot
        s = self.slots[i]
        if s.position != 0 and s.instrument != instrument:
            raise InputError(f"note slot {i}: holds another instrument")
        fee = trade_fee(abs(n))
        if fee > self.collateral:
            raise InputError("note collateral: does not cover the trading fee")
        new_slot = Slot(instrument, s.position + d, s.cost + n - d * funding)  # bounds checked
        slots = list(self.slots)
        slots[i] = new_slot
        return replace(self, collateral=self.collateral - fee, slots=tuple(slots)).with_salt(salt)

    def with_collateral(self, collateral, salt=None):
        return replace(self, collateral=collateral).with_salt(salt)

    def settle(self, epoch):
        """The note settled to ``epoch``'s marks (variation margin, as a
        clearing house settles daily, and funding): each slot's profit or
        loss since its cost basis, ``position * value - cost`` (``value =
        mark - funding``), moves into collateral and the cost becomes
        ``position * value`` (an empty slot's leftover cost, the
        realised profit or loss of a closed position, moves entirely).  A
        slot whose instrument has expired (:mod:`zkats.domain.oracle`) is
        closed at its settlement value: position and cost become 0.
        Equity is unchanged; realised and unrealised profit become
        collateral, which withdrawals draw on (subject to initial margin).
        The salt is unchanged.  InputError if the equity at these marks is
        below zero: such a note can only be liquidated."""
        pnl, slots = 0, []
        for s in self.slots:
            e = epoch.entry(s.instrument) if s.position else None
            value = e.value if e else 0
            pnl += s.position * value - s.cost
            if e is not None and e.expired:  # closed at its settlement value
                slots.append(Slot(s.instrument, 0, 0))
            else:
                slots.append(Slot(s.instrument, s.position, s.position * value))
        collateral = self.collateral + pnl
        if collateral < 0:
            raise InputError(
                "note: equity is below zero at the epoch's marks (only a liquidation can spend it)"
            )
        units.check_unsigned(collateral, units.COLLATERAL_BITS, "settled collateral")
        return replace(self, collateral=collateral, slots=tuple(slots))


def trade_fee(notional):
    """The trading fee on an (unsigned) notional: ``ceil(notional * TRADE_FEE_BPS / 10000)``."""
    return units.mul_bps_ceil(notional, TRADE_FEE_BPS)


def nullifier(nk, cm):
    from ..gadgets.poseidon_hash import poseidon_plain

    return poseidon_plain([tags.NULLIFIER, nk, cm])


def genesis_nullifier(nk):
    """The nullifier a fresh account's first deposit reveals: ``Poseidon(NULLIFIER,
    nk, 0)``.  One per account (the ledger refuses it twice), so an account
    has exactly one live note."""
    from ..gadgets.poseidon_hash import poseidon_plain

    return poseidon_plain([tags.NULLIFIER, nk, 0])

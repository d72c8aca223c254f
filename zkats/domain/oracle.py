"""Oracle epochs: mark prices, underlying prices, Greeks and margin rates.

An epoch is ``(epoch_id, entries)`` with exactly ``units.EPOCH_SIZE``
entries (unused ones are :data:`EMPTY`).  An entry carries, for one
instrument: ``mark`` (collateral units per lot), ``underlying`` (the value
``S`` of the underlying quantity of one lot; for futures and perpetuals
``S = mark``), ``delta`` and ``gamma`` (signed, fixed point
``units.GREEK_SCALE``; see :mod:`zkats.domain.margin` for their meaning),
the linear model's initial/maintenance rates ``im_bps >= mm_bps``, for
a perpetual its cumulative **funding index** ``funding`` (signed, collateral
units per lot, 0 for other instruments), and what the instrument pays at
expiry: ``payoff`` (:data:`LINEAR` for perpetuals and bespoke specs, which
never expire here; :data:`FUTURE`; :data:`CALL`; :data:`PUT`), the option's
``strike`` (0 otherwise) and ``expired``.

Expiry and exercise (Deribit and CME style: cash settlement at a settlement
price, automatic exercise of what is in the money): once an instrument has
expired, the oracle publishes its entry with ``expired = 1``, ``underlying
= S`` the settlement price of the underlying, and ``mark`` the settlement
value of one lot, which the circuits check (:meth:`EpochEntry.settlement`):
``S`` for a future, ``max(S - K, 0)`` for a call, ``max(K - S, 0)`` for a
put; no funding, Greeks or margin rates.  Every spend settles the note to
the marks, and a slot whose instrument has expired is then closed (position
and cost 0): its whole profit or loss is in collateral, an out-of-the-money
option pays nothing, and the instrument can no longer be traded (the
transition refuses a leg in it).  The oracle keeps an expired instrument's
settlement entry in every later epoch, so a note that holds it settles
whenever it is next spent.

Funding (a perpetual's long pays its short when the perpetual trades above
its index): between two epochs a position ``x`` pays ``x * (F_t - F_s)``.
The venue never moves that cash separately: a slot is valued at the
**value mark** ``mark - funding`` (:attr:`EpochEntry.value`) and a trade
books its cost at ``price - funding`` of its epoch, so each spend's
settlement to the marks (:meth:`zkats.domain.notes.Note.settle`, in every
circuit that settles) pays exactly the funding accrued since the note's
cost was last set, and longs' and shorts' payments cancel.  The oracle's
policy for the index is :func:`next_funding` (dYdX's and BitMEX's premium
index with a cap).

Risk (:mod:`zkats.domain.margin`'s scenario model, SPAN-style): each entry
names the ``asset`` its instrument's price follows (``asset_id("BTC")``;
by default the instrument's own id, which margins it as its own underlying)
and carries its **risk array** ``risk``: the profit (+) or loss (-) of ONE
long lot in each of the ``margin.N_SCENARIOS`` scenarios of
``margin.GRID``, by full revaluation, weighted, rounded down (a short lot's
is ``-risk - 1``: losses round up on both sides).  For perpetuals and
futures the entry computes it exactly (:func:`linear_risk`); an option's
comes from the pricing module (the venue's oracle publishes it), and an
option entry without one is refused.  An expired entry's array is zero.

The epoch's public face is one field element, its hash, over a wide
Merkle tree of its entries (:mod:`zkats.gadgets.wide_merkle`: arity
``EPOCH_ARITY = 8``, ``EPOCH_LEVELS`` levels, ``EPOCH_SIZE = 8^EPOCH_LEVELS``
leaves, unused ones the hash of :data:`EMPTY`), so a statement opens only
the entries its note's slots use and its cost does not grow with the
number of listed instruments::

    risk_hash  = Poseidon(enc(risk_0), ..., enc(risk_15))
    entry_hash = Poseidon(tags.EPOCH_ENTRY, id, mark, underlying,
                          enc(delta), enc(gamma), im_bps, mm_bps, enc(funding),
                          payoff + 4 * expired, strike, asset, risk_hash)
    epoch_root = WideMerkleRoot8(entry_hash_0, ..., entry_hash_{EPOCH_SIZE-1})
    epoch_hash = Poseidon(tags.EPOCH, epoch_id, epoch_root)

(``enc`` is the signed encoding of :mod:`zkats.domain.units`).  Circuits
take one opened entry per note slot as private inputs (its fields and its
path), recompute the root and this hash and expose it with the epoch id;
the ledger accepts only hashes of epochs it has published.
"""

from dataclasses import dataclass
from functools import cached_property, lru_cache

from ..errors import InputError
from ..field import R
from . import tags, units
from .scenario_grid import GRID, N_SCENARIOS

#: what an entry's instrument pays at expiry (``EpochEntry.payoff``)
LINEAR, FUTURE, CALL, PUT = 0, 1, 2, 3
PAYOFF_NAMES = {LINEAR: "perpetual", FUTURE: "future", CALL: "call", PUT: "put"}


def settlement_value(payoff, underlying, strike):
    """The value of one lot at expiry when the underlying settles at
    ``underlying``: the settlement price for a future, the intrinsic value
    of an option (automatic exercise in the money, nothing out of it)."""
    if payoff == FUTURE:
        return underlying
    if payoff == CALL:
        return max(underlying - strike, 0)
    if payoff == PUT:
        return max(strike - underlying, 0)
    raise InputError("epoch entry: a perpetual (linear payoff) does not expire")


@dataclass(frozen=True)
class EpochEntry:
    instrument: int
    mark: int
    underlying: int
    delta: int
    gamma: int
    im_bps: int
    mm_bps: int
    funding: int = 0
    payoff: int = LINEAR
    strike: int = 0
    expired: int = 0
    #: the underlying asset its price follows (0: the instrument's own id)
    asset: int = 0
    #: profit or loss of one long lot per scenario (``()``: computed for a
    #: perpetual or future, zero once expired; an option must give it)
    risk: tuple = ()

    def __post_init__(self):
        what = "epoch entry"
        if not (isinstance(self.instrument, int) and 0 <= self.instrument < R):
            raise InputError(f"{what} instrument: must be a field element")
        if not (isinstance(self.asset, int) and 0 <= self.asset < R):
            raise InputError(f"{what} asset: must be a field element")
        if self.asset == 0:
            object.__setattr__(self, "asset", self.instrument)
        self._check_prices(what)
        risk = tuple(self.risk)
        if not risk:
            risk = self._default_risk(what)
        if len(risk) != N_SCENARIOS:
            raise InputError(f"{what} risk: need {N_SCENARIOS} values, got {len(risk)}")
        for k, v in enumerate(risk):
            units.check_signed(v, units.RISK_BITS, f"{what} risk[{k}]")
        if self.expired and any(risk):
            raise InputError(f"{what}: an expired instrument has no risk")
        object.__setattr__(self, "risk", risk)

    def _default_risk(self, what):
        if self.expired or self.instrument == 0:
            return (0,) * N_SCENARIOS
        if self.payoff in (LINEAR, FUTURE):
            return linear_risk(self.underlying)
        raise InputError(
            f"{what}: an option's entry needs its risk array (the pricing module computes it)"
        )

    def _check_prices(self, what):
        units.check_unsigned(self.mark, units.PRICE_BITS, f"{what} mark")
        units.check_unsigned(self.underlying, units.PRICE_BITS, f"{what} underlying")
        units.check_signed(self.delta, units.DELTA_BITS, f"{what} delta")
        units.check_signed(self.gamma, units.GAMMA_BITS, f"{what} gamma")
        units.check_unsigned(self.im_bps, units.BPS_BITS, f"{what} im_bps")
        units.check_unsigned(self.mm_bps, units.BPS_BITS, f"{what} mm_bps")
        units.check_signed(self.funding, units.FUNDING_BITS, f"{what} funding index")
        if self.im_bps > units.BPS or self.mm_bps > self.im_bps:
            raise InputError(f"{what}: need mm_bps <= im_bps <= 10000")
        if self.payoff not in PAYOFF_NAMES:
            raise InputError(f"{what} payoff: one of {sorted(PAYOFF_NAMES)}")
        units.check_unsigned(self.strike, units.PRICE_BITS, f"{what} strike")
        if (self.strike > 0) != (self.payoff in (CALL, PUT)):
            raise InputError(f"{what} strike: an option has one (> 0), nothing else does")
        if self.funding and self.payoff != LINEAR:
            raise InputError(f"{what} funding index: only perpetuals have one")
        if self.expired not in (0, 1):
            raise InputError(f"{what} expired: 0 or 1")
        if self.expired:
            if self.payoff == LINEAR:
                raise InputError(f"{what}: a perpetual does not expire")
            if self.delta or self.gamma or self.im_bps or self.mm_bps:
                raise InputError(f"{what}: an expired instrument has no Greeks or margin rates")
            value = settlement_value(self.payoff, self.underlying, self.strike)
            if self.mark != value:
                raise InputError(
                    f"{what}: an expired {PAYOFF_NAMES[self.payoff]} settles at {value} "
                    f"(underlying {self.underlying}), not {self.mark}"
                )

    def fields(self):
        """The entry as circuit inputs (signed values encoded)."""
        return [
            self.instrument,
            self.mark,
            self.underlying,
            units.encode_signed(self.delta, units.DELTA_BITS),
            units.encode_signed(self.gamma, units.GAMMA_BITS),
            self.im_bps,
            self.mm_bps,
            units.encode_signed(self.funding, units.FUNDING_BITS),
            self.payoff + 4 * self.expired,
            self.strike,
            self.asset,
        ] + [units.encode_signed(v, units.RISK_BITS) for v in self.risk]

    def to_list(self):
        """The entry as plain integers (``EpochEntry(*to_list())`` rebuilds it)."""
        return [
            int(v)
            for v in (
                self.instrument,
                self.mark,
                self.underlying,
                self.delta,
                self.gamma,
                self.im_bps,
                self.mm_bps,
                self.funding,
                self.payoff,
                self.strike,
                self.expired,
                self.asset,
            )
        ] + [int(v) for v in self.risk]

    @classmethod
    def from_list(cls, values):
        """Inverse of :meth:`to_list`."""
        values = [int(v) for v in values]
        if len(values) != 12 + N_SCENARIOS:
            raise InputError(f"epoch entry: expected {12 + N_SCENARIOS} integers")
        v = values
        return cls(
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], tuple(v[12:])
        )

    @classmethod
    def settled(cls, instrument, payoff, underlying, strike=0):
        """The entry of an expired instrument whose underlying settled at ``underlying``."""
        return cls(
            instrument,
            settlement_value(payoff, underlying, strike),
            underlying,
            0,
            0,
            0,
            0,
            0,
            payoff,
            strike,
            1,
        )

    @property
    def value(self):
        """The value mark ``mark - funding``: a slot is worth ``position *
        value - cost`` (funding included)."""
        return self.mark - self.funding

    def hash(self):
        return _entry_hash(self)


@lru_cache(maxsize=4096)
def _entry_hash(entry):
    from .fast_hash import poseidon_plain  # the native core (a witness reads many)

    f = entry.fields()
    n = len(f) - N_SCENARIOS
    return poseidon_plain([tags.EPOCH_ENTRY] + f[:n] + [poseidon_plain(f[n:])])


def asset_id(name):
    """The field element naming an underlying asset (its UTF-8 name, big
    endian; at most 31 bytes)."""
    raw = str(name).encode()
    if not 0 < len(raw) <= 31:
        raise InputError(f"asset {name!r}: a name of 1 to 31 bytes")
    return int.from_bytes(raw, "big")


def linear_risk(underlying):
    """The risk array of one long lot of a perpetual or future worth
    ``underlying``: ``floor(S * move * weight)`` per scenario (exact)."""
    return tuple(underlying * m * w // (units.BPS * units.BPS) for m, _, w in GRID)


#: the padding entry (instrument id 0 never names a real instrument)
EMPTY = EpochEntry(0, 0, 0, 0, 0, 0, 0)


@dataclass(frozen=True)
class Epoch:
    epoch_id: int
    entries: tuple[EpochEntry, ...]

    def __post_init__(self):
        units.check_unsigned(self.epoch_id, 64, "epoch id")
        entries = tuple(self.entries)
        if len(entries) > units.EPOCH_SIZE:
            raise InputError(f"epoch: at most {units.EPOCH_SIZE} entries, got {len(entries)}")
        entries = entries + (EMPTY,) * (units.EPOCH_SIZE - len(entries))
        ids = [e.instrument for e in entries if e.instrument]
        if len(set(ids)) != len(ids):
            raise InputError("epoch: an instrument appears twice")
        object.__setattr__(self, "entries", entries)

    def index_of(self, instrument):
        """Index of the entry for ``instrument`` (InputError if absent)."""
        for i, e in enumerate(self.entries):
            if e.instrument == instrument and instrument != 0:
                return i
        raise InputError(f"epoch {self.epoch_id}: no mark price for instrument {instrument}")

    def entry(self, instrument):
        return self.entries[self.index_of(instrument)]

    @cached_property
    def _tree(self):
        from ..gadgets.wide_merkle import WideMerkleTree

        leaves = [e.hash() for e in self.entries]
        return WideMerkleTree(leaves, units.EPOCH_ARITY, units.EPOCH_LEVELS)

    @property
    def root(self):
        """The root of the epoch tree: entry hashes as leaves, in order."""
        return self._tree.root

    def hash(self):
        from ..gadgets.poseidon_hash import poseidon_plain

        return poseidon_plain([tags.EPOCH, self.epoch_id, self.root])

    def opening(self, index):
        """``(fields, children, bits)``: entry ``index`` and its path in the
        epoch tree (per level the row of children, and the index bits)."""
        children, bits = self._tree.path(index)
        return self.entries[index].fields(), children, bits

    def circuit_inputs(self):
        """``{"epoch_id", "epoch_hash"}``: the epoch's public face."""
        return {"epoch_id": self.epoch_id, "epoch_hash": self.hash()}


#: funding interval the rate is quoted for (seconds; 8 hours, as dYdX and BitMEX)
FUNDING_INTERVAL = 8 * 3600
#: cap on the premium per interval, in bps of the index price
FUNDING_CAP_BPS = 75


def next_funding(funding, mark, index_price, seconds, cap_bps=FUNDING_CAP_BPS):
    """The venue's funding policy: the cumulative index after ``seconds``.

    The premium is the perpetual's mark over its index price, capped at
    ``cap_bps`` of the index per 8-hour interval (BitMEX/dYdX style: longs
    pay shorts when the perpetual trades rich), accrued pro rata to the time
    elapsed and rounded toward zero (the venue never creates a payment out of
    rounding)::

        premium = clamp(mark - index, -cap, +cap),  cap = index * cap_bps / 10^4
        F' = F + trunc(premium * seconds / FUNDING_INTERVAL)
    """
    for v, what in ((mark, "mark"), (index_price, "index price")):
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise InputError(f"funding: the {what} must be a positive integer")
    if not isinstance(seconds, int) or seconds < 0:
        raise InputError("funding: the elapsed time must be a non-negative integer")
    cap = index_price * cap_bps // units.BPS
    premium = max(-cap, min(cap, mark - index_price))
    step = abs(premium) * seconds // FUNDING_INTERVAL
    out = funding + (step if premium >= 0 else -step)
    units.check_signed(out, units.FUNDING_BITS, "funding index")
    return out

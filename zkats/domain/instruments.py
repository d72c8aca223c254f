"""Instruments: perpetuals, dated futures, European options, bespoke specs.

An instrument is named by its id: the Poseidon hash of its canonical spec
encoding ``[tags.INSTRUMENT, kind, underlying, quote, lot, tick, expiry,
strike, right, extra]`` (10 field elements):

* ``kind``: 0 perpetual, 1 dated future, 2 European option, 3 bespoke;
* ``underlying``, ``quote``: asset symbols (ASCII, at most 31 bytes) as
  big-endian integers;
* ``lot``: the underlying amount of one lot, in the underlying's base units;
* ``tick``: the price increment, in collateral units per lot;
* ``expiry``: unix seconds (0 for a perpetual);
* ``strike``: collateral units per lot (options only, else 0);
* ``right``: 0 call, 1 put (options only, else 0);
* ``extra``: for bespoke specs, a field element committing to the terms
  (e.g. Poseidon of the term sheet); 0 otherwise.

Validation is strict (kind-specific fields must be zero where unused) so
one instrument has exactly one encoding and one id.
"""

from dataclasses import dataclass

from ..errors import InputError
from ..field import R
from . import tags, units

PERPETUAL, FUTURE, OPTION, BESPOKE = 0, 1, 2, 3
KIND_NAMES = {PERPETUAL: "perpetual", FUTURE: "future", OPTION: "option", BESPOKE: "bespoke"}
CALL, PUT = 0, 1


def symbol(s):
    """An asset symbol as a field element (ASCII, 1..31 bytes, big-endian)."""
    b = s.encode("ascii") if isinstance(s, str) else bytes(s)
    if not 1 <= len(b) <= 31:
        raise InputError(f"symbol {s!r}: must be 1..31 ASCII bytes")
    return int.from_bytes(b, "big")


@dataclass(frozen=True)
class Instrument:
    kind: int
    underlying: str
    quote: str
    lot: int
    tick: int
    expiry: int = 0
    strike: int = 0
    right: int = 0
    extra: int = 0

    def __post_init__(self):
        if self.kind not in KIND_NAMES:
            raise InputError(f"instrument kind: {self.kind} is not one of {sorted(KIND_NAMES)}")
        symbol(self.underlying)
        symbol(self.quote)
        if units.check_unsigned(self.lot, 64, "instrument lot") == 0:
            raise InputError("instrument lot: must be positive")
        if units.check_unsigned(self.tick, units.PRICE_BITS, "instrument tick") == 0:
            raise InputError("instrument tick: must be positive")
        units.check_unsigned(self.expiry, units.TIME_BITS, "instrument expiry")
        units.check_unsigned(self.strike, units.PRICE_BITS, "instrument strike")
        if self.right not in (CALL, PUT):
            raise InputError("instrument right: must be 0 (call) or 1 (put)")
        if not (isinstance(self.extra, int) and 0 <= self.extra < R):
            raise InputError("instrument extra: must be a field element")
        k = self.kind
        if k == PERPETUAL and self.expiry:
            raise InputError("instrument expiry: a perpetual has none (0)")
        if k in (FUTURE, OPTION) and not self.expiry:
            raise InputError(f"instrument expiry: a {KIND_NAMES[k]} needs one")
        if k != OPTION and (self.strike or self.right):
            raise InputError("instrument strike/right: only options have them")
        if k == OPTION and (not self.strike or self.strike % self.tick):
            raise InputError("instrument strike: must be a positive multiple of the tick")
        if k != BESPOKE and self.extra:
            raise InputError("instrument extra: only bespoke specs have one")

    def encoding(self):
        """The canonical spec encoding (list of field elements) hashed into the id."""
        return [
            tags.INSTRUMENT,
            self.kind,
            symbol(self.underlying),
            symbol(self.quote),
            self.lot,
            self.tick,
            self.expiry,
            self.strike,
            self.right,
            self.extra,
        ]

    @property
    def id(self):
        from ..gadgets.poseidon_hash import poseidon_plain

        return poseidon_plain(self.encoding())

    def check_price(self, price, what="price"):
        """A price must be a positive multiple of the tick within PRICE_BITS."""
        units.check_unsigned(price, units.PRICE_BITS, what)
        if price == 0 or price % self.tick:
            raise InputError(f"{what}: {price} is not a positive multiple of the tick {self.tick}")
        return price

    def to_json(self):
        return {
            "kind": KIND_NAMES[self.kind],
            "underlying": self.underlying,
            "quote": self.quote,
            "lot": self.lot,
            "tick": self.tick,
            "expiry": self.expiry,
            "strike": self.strike,
            "right": "put" if self.right == PUT else "call",
            "extra": str(self.extra),
        }

    @classmethod
    def from_json(cls, d, what="instrument"):
        """The instrument of :meth:`to_json` (strictly validated)."""
        if not isinstance(d, dict):
            raise InputError(f"{what}: expected an object")
        kinds = {v: k for k, v in KIND_NAMES.items()}
        try:
            kind = kinds[d["kind"]]
            right = {"call": CALL, "put": PUT}[d.get("right", "call")]
            extra = int(d.get("extra", "0"))
            ints = [d[k] for k in ("lot", "tick")] + [d.get(k, 0) for k in ("expiry", "strike")]
        except (KeyError, TypeError, ValueError) as err:
            raise InputError(f"{what}: malformed ({err})") from None
        if any(isinstance(v, bool) or not isinstance(v, int) for v in ints):
            raise InputError(f"{what}: lot, tick, expiry and strike must be integers")
        lot, tick, expiry, strike = ints
        return cls(kind, d["underlying"], d["quote"], lot, tick, expiry, strike, right, extra)

    @property
    def payoff(self):
        """What the instrument pays at expiry, as the oracle's entries say it
        (:data:`zkats.domain.oracle.LINEAR` for perpetuals and bespoke specs)."""
        from . import oracle

        if self.kind == FUTURE:
            return oracle.FUTURE
        if self.kind == OPTION:
            return oracle.PUT if self.right == PUT else oracle.CALL
        return oracle.LINEAR

    def expired(self, now):
        """Has a dated instrument expired at unix time ``now``?"""
        return self.kind in (FUTURE, OPTION) and self.expiry <= now


def perpetual(underlying, quote="USDC", lot=1, tick=1):
    return Instrument(PERPETUAL, underlying, quote, lot, tick)


def future(underlying, expiry, quote="USDC", lot=1, tick=1):
    return Instrument(FUTURE, underlying, quote, lot, tick, expiry=expiry)


def option(underlying, expiry, strike, right, quote="USDC", lot=1, tick=1):
    r = {"call": CALL, "put": PUT}.get(right, right)
    return Instrument(OPTION, underlying, quote, lot, tick, expiry=expiry, strike=strike, right=r)


def bespoke(underlying, terms_hash, quote="USDC", lot=1, tick=1, expiry=0):
    return Instrument(BESPOKE, underlying, quote, lot, tick, expiry=expiry, extra=terms_hash)

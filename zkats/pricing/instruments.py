"""Instrument specs as plain data: what the pricing module values.

Prices and strikes are in currency units (the quote currency, e.g. USD) per
ONE unit of the underlying, as markets quote them (a BTC 60000 call has
``strike=60000.0``).  ``lot`` is the amount of underlying in one lot (e.g.
0.01 BTC); every per-lot result is the per-unit one times ``lot``.  Expiries
are unix seconds.  The venue's registry (``zkats.venue.instruments``) stores
strikes per lot in collateral units: ``strike * lot * scale`` there, where
``scale`` is collateral units per currency unit.
"""

import math
from dataclasses import dataclass

from ..errors import InputError
from .surface import check_symbol

CALL, PUT = "call", "put"


def _lot(lot, what):
    if isinstance(lot, bool) or not isinstance(lot, (int, float)):
        raise InputError(f"{what} lot: expected a number")
    if not (math.isfinite(lot) and lot > 0):
        raise InputError(f"{what} lot: must be finite and > 0, got {lot!r}")


def _expiry(expiry, what):
    if isinstance(expiry, bool) or not isinstance(expiry, int) or expiry <= 0:
        raise InputError(f"{what} expiry: expected unix seconds > 0, got {expiry!r}")


@dataclass(frozen=True)
class Perpetual:
    """A perpetual future; marked at the underlying's index (funding is not valued)."""

    underlying: str
    lot: float = 1.0

    def __post_init__(self):
        check_symbol(self.underlying, "perpetual underlying")
        _lot(self.lot, f"{self.underlying} perpetual")

    @property
    def name(self):
        return f"{self.underlying}-PERP"


@dataclass(frozen=True)
class Future:
    """A dated future, marked at the forward ``S exp(carry T)``."""

    underlying: str
    expiry: int
    lot: float = 1.0

    def __post_init__(self):
        check_symbol(self.underlying, "future underlying")
        _expiry(self.expiry, f"{self.underlying} future")
        _lot(self.lot, f"{self.underlying} future")

    @property
    def name(self):
        return f"{self.underlying}-{self.expiry}"


@dataclass(frozen=True)
class Option:
    """A European option on the underlying's forward to ``expiry``, cash-settled."""

    underlying: str
    strike: float
    expiry: int
    right: str
    lot: float = 1.0

    def __post_init__(self):
        check_symbol(self.underlying, "option underlying")
        what = f"{self.underlying} option"
        _expiry(self.expiry, what)
        if isinstance(self.strike, bool) or not isinstance(self.strike, (int, float)):
            raise InputError(f"{what} strike: expected a number")
        if not (math.isfinite(self.strike) and self.strike > 0):
            raise InputError(f"{what} strike: must be finite and > 0, got {self.strike!r}")
        if self.right not in (CALL, PUT):
            raise InputError(f"{what} right: must be 'call' or 'put', got {self.right!r}")
        _lot(self.lot, what)

    @property
    def call(self):
        return self.right == CALL

    @property
    def name(self):
        return f"{self.underlying}-{self.expiry}-{self.strike:.15g}-{self.right[0].upper()}"


def parse(name, lot=1.0):
    """The instrument a :attr:`name` names: ``BTC-PERP``, ``BTC-<expiry>`` (a dated
    future) or ``BTC-<expiry>-<strike>-C`` / ``-P`` (expiry in unix seconds)."""
    parts = name.split("-") if isinstance(name, str) else []
    try:
        if len(parts) == 2 and parts[1] == "PERP":
            return Perpetual(parts[0], lot)
        if len(parts) == 2 and parts[1].isdigit():
            return Future(parts[0], int(parts[1]), lot)
        if len(parts) == 4 and parts[1].isdigit() and parts[3] in ("C", "P"):
            right = CALL if parts[3] == "C" else PUT
            return Option(parts[0], float(parts[2]), int(parts[1]), right, lot)
    except ValueError as e:
        raise InputError(f"instrument {name!r}: {e}") from None
    raise InputError(
        f"instrument {name!r}: expected UND-PERP, UND-EXPIRY or UND-EXPIRY-STRIKE-C|P "
        "(expiry in unix seconds)"
    )

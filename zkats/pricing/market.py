"""Market data at one valuation time: spot, carry and vol surface per underlying.

``Market(now, {"BTC": Underlying(spot=60000.0, carry=0.0, surface=...)},
rate=0.0)``.  ``spot`` is the index price (currency units per unit of
underlying), ``carry`` the annual continuously compounded basis that makes
the forward to ``T`` years ``F = spot * exp(carry * T)``, ``rate`` the
discount rate of option premiums (0 for a venue whose premiums settle at
expiry in collateral that earns nothing: the default).

JSON form (strict)::

    {"format": "zkats.market", "version": 1, "now": 1764979200, "rate": 0.0,
     "underlyings": {"BTC": {"spot": 60000.0, "carry": 0.0,
                             "surface": {... vol-surface JSON ... } or null}}}
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import InputError
from .surface import VolSurface, _keys, _number, check_symbol, strict_json, surface_from_json

FORMAT = "zkats.market"
VERSION = 1


@dataclass(frozen=True)
class Underlying:
    spot: float
    carry: float = 0.0
    surface: VolSurface | None = None


@dataclass(frozen=True)
class Market:
    now: int
    underlyings: Mapping[str, Underlying]
    rate: float = 0.0

    def __post_init__(self):
        if isinstance(self.now, bool) or not isinstance(self.now, int) or self.now < 0:
            raise InputError(f"market now: expected unix seconds >= 0, got {self.now!r}")
        _number(self.rate, "market rate")
        if not self.underlyings:
            raise InputError("market: needs at least one underlying")
        for name, u in self.underlyings.items():
            check_symbol(name, "market underlying")
            if not isinstance(u, Underlying):
                raise InputError(f"market {name}: expected an Underlying")
            if not (_number(u.spot, f"market {name} spot") > 0):
                raise InputError(f"market {name} spot: must be > 0, got {u.spot!r}")
            if abs(_number(u.carry, f"market {name} carry")) > 10:
                raise InputError(f"market {name} carry: {u.carry!r} is not an annual rate")
            if u.surface is not None:
                if u.surface.underlying != name:
                    raise InputError(f"market {name}: surface is for {u.surface.underlying!r}")
                u.surface.check_calendar(self.now, u.carry)

    def underlying(self, name):
        try:
            return self.underlyings[name]
        except KeyError:
            raise InputError(f"market: no data for underlying {name!r}") from None

    def forward(self, name, years):
        u = self.underlying(name)
        return u.spot * math.exp(u.carry * years)

    def to_json(self):
        return {
            "format": FORMAT,
            "version": VERSION,
            "now": self.now,
            "rate": self.rate,
            "underlyings": {
                n: {
                    "spot": u.spot,
                    "carry": u.carry,
                    "surface": u.surface.to_json() if u.surface else None,
                }
                for n, u in self.underlyings.items()
            },
        }


def market_from_json(obj, what="market"):
    """A :class:`Market` from its JSON object (strictly validated)."""
    _keys(obj, ("format", "version", "now", "rate", "underlyings"), what)
    if obj["format"] != FORMAT or obj["version"] != VERSION:
        raise InputError(f"{what}: expected format {FORMAT!r} version {VERSION}")
    if not isinstance(obj["underlyings"], dict):
        raise InputError(f"{what} underlyings: expected an object")
    unds = {}
    for name, u in obj["underlyings"].items():
        w = f"{what} underlyings.{name}"
        _keys(u, ("spot", "carry", "surface"), w)
        surf = None if u["surface"] is None else surface_from_json(u["surface"], f"{w}.surface")
        unds[name] = Underlying(
            _number(u["spot"], f"{w} spot"), _number(u["carry"], f"{w} carry"), surf
        )
    return Market(obj["now"], unds, _number(obj["rate"], f"{what} rate"))


def load_market(path):
    """Read and validate a market JSON file."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read ({e.__class__.__name__})") from None
    return market_from_json(strict_json(text, str(path)), str(path))

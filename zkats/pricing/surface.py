"""Implied-volatility surfaces: a grid of vols by strike and expiry, per underlying.

A surface holds one *smile* per listed expiry (unix seconds): strictly
increasing strikes (currency units per unit of underlying, as options are
quoted) and the implied vol at each (0.55 = 55%).  Looking up ``(K, expiry)``
at valuation time ``now`` with the underlying's annual carry ``c``
(``F(T) = S exp(c T)``):

* **across strikes**, each smile is linear in log-strike between its nodes
  (equivalently in log-moneyness ``ln(K/F)``: ``F`` is fixed per expiry) and
  flat beyond its first and last strike.  Linear interpolation is monotone:
  it never overshoots the nodes;
* **across expiries**, total variance ``w = vol^2 T`` is linear in ``T`` at
  constant log-moneyness (smile ``i`` is read at ``K exp(c (T_i - T))``,
  the strike with the same ``ln(K/F)``), so ``vol = sqrt(w / T)``;
* before the first live expiry the vol is the first smile's (flat vol),
  after the last one the last smile's.  Smiles whose expiry is not after
  ``now`` are ignored; a surface with none left cannot be used.

The surface is *sticky-strike*: a move of the spot does not move the
smile, so scenario revaluation reads the same vol for the same strike.

JSON form (strict: exactly these keys, numbers as JSON numbers)::

    {"format": "zkats.vol-surface", "version": 1, "underlying": "BTC",
     "smiles": [{"expiry": 1767225600,
                 "strikes": [50000, 60000, 70000], "vols": [0.62, 0.55, 0.58]}]}

The loader checks: expiries strictly increasing positive integers; strikes
strictly increasing, positive, finite; ``0 < vol <= MAX_VOL``; equal lengths;
and it has at least one smile.  Calendar arbitrage (total variance falling
from one expiry to the next at a listed strike) depends on the valuation
time, so :meth:`VolSurface.check_calendar` runs when a market is built.
"""

import itertools
import json
import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .black76 import YEAR_SECONDS

FORMAT = "zkats.vol-surface"
VERSION = 1
#: the largest implied vol a surface may list (500%)
MAX_VOL = 5.0


def check_symbol(s, what):
    """An asset symbol: 1..31 printable ASCII characters, no spaces."""
    if (
        not isinstance(s, str)
        or not 1 <= len(s) <= 31
        or not s.isascii()
        or not s.isprintable()
        or " " in s
    ):
        raise InputError(f"{what}: {s!r} is not a symbol (1..31 printable ASCII, no spaces)")
    return s


def _number(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise InputError(f"{what}: expected a finite number, got {v!r}")
    return float(v)


@dataclass(frozen=True)
class Smile:
    expiry: int
    strikes: tuple[float, ...]
    vols: tuple[float, ...]

    def __post_init__(self):
        where = "smile"
        if isinstance(self.expiry, bool) or not isinstance(self.expiry, int) or self.expiry <= 0:
            raise InputError(f"{where} expiry: expected unix seconds > 0, got {self.expiry!r}")
        if not self.strikes or len(self.strikes) != len(self.vols):
            raise InputError(f"{where} {self.expiry}: need as many vols as strikes (at least 1)")
        prev = 0.0
        for k, v in zip(self.strikes, self.vols):
            k = _number(k, f"{where} {self.expiry} strike")
            if k <= prev:
                raise InputError(f"{where} {self.expiry} strike {k}: strikes must increase, > 0")
            if not 0 < _number(v, f"{where} {self.expiry} vol") <= MAX_VOL:
                raise InputError(f"{where} {self.expiry} vol at {k}: must be in (0, {MAX_VOL}]")
            prev = k
        object.__setattr__(self, "strikes", tuple(float(k) for k in self.strikes))
        object.__setattr__(self, "vols", tuple(float(v) for v in self.vols))

    def vol_at(self, strike):
        """Linear in log-strike between the nodes, flat outside."""
        return self.vol_at_log(np.log(strike))

    def vol_at_log(self, log_strike):
        return np.interp(log_strike, np.log(self.strikes), self.vols)


@dataclass(frozen=True)
class VolSurface:
    underlying: str
    smiles: tuple[Smile, ...]

    def __post_init__(self):
        what = f"vol surface {self.underlying!r}"
        check_symbol(self.underlying, "vol surface underlying")
        if not self.smiles:
            raise InputError(f"{what}: needs at least one smile")
        for a, b in zip(self.smiles, self.smiles[1:]):
            if b.expiry <= a.expiry:
                raise InputError(f"{what}: expiry {b.expiry} is not after {a.expiry}")

    def check_calendar(self, now, carry=0.0):
        """Raise unless total variance grows with expiry at every listed strike (at ``now``).

        ``w_i = vol_i^2 (T_i - now)`` depends on ``now``, so this is checked when a
        surface meets a valuation time (:class:`zkats.pricing.market.Market` does)."""
        live = [s for s in self.smiles if s.expiry > now]
        for a, b in itertools.pairwise(live):
            ta, tb = (a.expiry - now) / YEAR_SECONDS, (b.expiry - now) / YEAR_SECONDS
            for k in sorted(set(a.strikes) | set(b.strikes)):
                wa = float(a.vol_at(k)) ** 2 * ta
                wb = float(b.vol_at_log(math.log(k) + carry * (tb - ta))) ** 2 * tb
                if wb < wa * (1 - 1e-12):
                    raise InputError(
                        f"vol surface {self.underlying!r}: total variance falls from expiry "
                        f"{a.expiry} to {b.expiry} at strike {k:g} (calendar arbitrage)"
                    )

    def vol(self, strike, expiry, now, carry=0.0):
        """Implied vol for ``strike`` (array ok) expiring at ``expiry`` (unix s), at ``now``."""
        live = [s for s in self.smiles if s.expiry > now]
        if not live:
            raise InputError(f"vol surface {self.underlying!r}: every smile has expired at {now}")
        x = np.log(np.asarray(strike, dtype=float))
        T = max(float(expiry) - float(now), 0.0) / YEAR_SECONDS
        Ts = [(s.expiry - now) / YEAR_SECONDS for s in live]

        def at(i):  # smile i at the strike with the same log-moneyness: ln K + c (T_i - T)
            return live[i].vol_at_log(x + carry * (Ts[i] - T))

        if T <= Ts[0]:
            return at(0)
        if T >= Ts[-1]:
            return at(-1)
        j = int(np.searchsorted(Ts, T)) - 1
        t0, t1 = Ts[j], Ts[j + 1]
        w0, w1 = at(j) ** 2 * t0, at(j + 1) ** 2 * t1
        w = w0 + (w1 - w0) * (T - t0) / (t1 - t0)
        return np.sqrt(w / T)

    def to_json(self):
        return {
            "format": FORMAT,
            "version": VERSION,
            "underlying": self.underlying,
            "smiles": [
                {"expiry": s.expiry, "strikes": list(s.strikes), "vols": list(s.vols)}
                for s in self.smiles
            ],
        }


def flat_surface(underlying, vol):
    """A surface with one vol at every strike and expiry (e.g. from a command-line flag):
    one smile with one strike, expiring at the end of the venue's time range."""
    return VolSurface(underlying, (Smile((1 << 40) - 1, (1.0,), (vol,)),))


def _keys(obj, keys, what):
    if not isinstance(obj, dict):
        raise InputError(f"{what}: expected a JSON object")
    if set(obj) != set(keys):
        missing, extra = sorted(set(keys) - set(obj)), sorted(set(obj) - set(keys))
        raise InputError(f"{what}: missing keys {missing}, unknown keys {extra}")


def surface_from_json(obj, what="vol surface"):
    """A :class:`VolSurface` from its JSON object (strictly validated)."""
    _keys(obj, ("format", "version", "underlying", "smiles"), what)
    if obj["format"] != FORMAT or obj["version"] != VERSION:
        raise InputError(f"{what}: expected format {FORMAT!r} version {VERSION}")
    if not isinstance(obj["smiles"], list):
        raise InputError(f"{what} smiles: expected a list")
    smiles = []
    for i, sm in enumerate(obj["smiles"]):
        w = f"{what} smiles[{i}]"
        _keys(sm, ("expiry", "strikes", "vols"), w)
        for key in ("strikes", "vols"):
            if not isinstance(sm[key], list):
                raise InputError(f"{w} {key}: expected a list of numbers")
        strikes = tuple(_number(k, f"{w} strike") for k in sm["strikes"])
        vols = tuple(_number(v, f"{w} vol") for v in sm["vols"])
        smiles.append(Smile(sm["expiry"], strikes, vols))
    return VolSurface(obj["underlying"], tuple(smiles))


def strict_json(text, what):
    """Parse JSON text refusing NaN/Infinity and duplicate keys."""

    def pairs(items):
        d = {}
        for k, v in items:
            if k in d:
                raise InputError(f"{what}: duplicate key {k!r}")
            d[k] = v
        return d

    def constant(name):
        raise InputError(f"{what}: {name} is not a JSON number")

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as e:
        raise InputError(f"{what}: not JSON ({e.msg} at line {e.lineno})") from None


def load_surface(path):
    """Read and validate a vol-surface JSON file."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read ({e.__class__.__name__})") from None
    return surface_from_json(strict_json(text, str(path)), str(path))

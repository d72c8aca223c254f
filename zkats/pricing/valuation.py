"""Marks and Greeks of instruments from a market, as floats and as venue integers.

Per-lot values in currency units (``lot`` units of underlying):

* perpetual: ``S``; dated future: ``F = S exp(c T)``; option: Black-76 on
  ``F`` with the surface's vol at ``(strike, expiry)`` and discount
  ``exp(-rate T)``.  An instrument at or past expiry is worth its intrinsic
  value at the current forward (the venue settles expiry elsewhere).

Greeks of one lot, all with respect to the underlying's SPOT ``S`` (the
scenarios move the spot):

* ``delta = dV/dS`` (underlying units: 1 lot of a perpetual has ``delta =
  lot``), ``gamma = d2V/dS2``;
* ``vega = dV/dvol`` per 1.00 of vol; ``theta = dV/dt`` per year as calendar
  time passes with spot and implied vol held (includes the forward's roll
  ``-c F`` for a future).

Integer form for the oracle (:func:`fixed_marks`), with ``scale`` collateral
units per currency unit and the instrument's ``tick`` in collateral units:
``mark`` (collateral units per lot, nearest multiple of the tick, at least one
tick: the venue has no zero price), ``underlying`` (``S * lot * scale``
rounded), ``delta`` (``dV/dS`` per unit of underlying, times ``GREEK_SCALE``:
dimensionless) and ``gamma`` (the "percent gamma" ``S d2V/dS2`` per unit,
times ``GREEK_SCALE``) as the venue's epoch entries define them, and
``vega``/``theta`` in collateral units per lot per vol point / per day.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .black76 import black76, years_between
from .instruments import Future, Option, Perpetual

#: fixed-point scale of the published delta and gamma (the venue's GREEK_SCALE)
GREEK_SCALE = 10**6


@dataclass(frozen=True)
class Valuation:
    """Value and Greeks of ONE lot (currency units), and the inputs used."""

    price: float
    delta: float
    gamma: float
    vega: float
    theta: float
    spot: float
    forward: float
    vol: float
    years: float


def _kind(instrument):
    if not isinstance(instrument, (Perpetual, Future, Option)):
        raise InputError(f"pricing: {instrument!r} is not a Perpetual, Future or Option")


def surface_vol(option, market):
    """The surface's vol for ``option`` at the market's time (0 once expired: unused)."""
    u = market.underlying(option.underlying)
    if option.expiry <= market.now:
        return 0.0
    if u.surface is None:
        raise InputError(
            f"market: no vol surface for {option.underlying} (needed by {option.name})"
        )
    return float(u.surface.vol(option.strike, option.expiry, market.now, u.carry))


def per_unit(instrument, market, spot_factor=1.0, vol_factor=1.0):
    """Value and Greeks per UNIT of underlying, with the spot scaled by
    ``spot_factor`` and the implied vol by ``vol_factor`` (arrays broadcast:
    this is the scenario revaluation).  Returns ``(value, delta, gamma, vega,
    theta)`` as arrays, Greeks with respect to the spot."""
    _kind(instrument)
    u = market.underlying(instrument.underlying)
    S = u.spot * np.asarray(spot_factor, dtype=float)
    if isinstance(instrument, Perpetual):
        one, zero = np.ones_like(S), np.zeros_like(S)
        return S, one, zero, zero, zero
    T = float(years_between(market.now, instrument.expiry))
    c = u.carry if T > 0 else 0.0  # an expired forward no longer rolls
    roll = math.exp(c * T)  # dF/dS
    F = S * roll
    if isinstance(instrument, Future):
        zero = np.zeros_like(S)
        return F, roll * np.ones_like(S), zero, zero, -c * F
    vol = surface_vol(instrument, market) * np.asarray(vol_factor, dtype=float)
    b = black76(F, instrument.strike, T, vol, instrument.call, market.rate)
    # theta with S held: F rolls down at dF/dt = -c F as time passes
    theta = np.asarray(b.theta) - np.asarray(b.delta) * c * F
    return b.price, b.delta * roll, b.gamma * roll * roll, b.vega, theta


def valuation(instrument, market):
    """The :class:`Valuation` of one lot of ``instrument``."""
    v, d, g, vg, th = (float(x) * instrument.lot for x in per_unit(instrument, market))
    u = market.underlying(instrument.underlying)
    T = (
        0.0
        if isinstance(instrument, Perpetual)
        else float(years_between(market.now, instrument.expiry))
    )
    vol = surface_vol(instrument, market) if isinstance(instrument, Option) else 0.0
    return Valuation(v, d, g, vg, th, u.spot, u.spot * math.exp(u.carry * T), vol, T)


def check_scale(scale, tick):
    for what, v in (("scale", scale), ("tick", tick)):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise InputError(f"pricing {what}: expected a positive integer, got {v!r}")


def to_tick(amount, tick):
    """``amount`` (collateral units) to the nearest multiple of ``tick``, at least one tick."""
    return max(tick, math.floor(amount / tick + 0.5) * tick)


@dataclass(frozen=True)
class FixedMarks:
    """What the oracle publishes for one instrument (integers; see the module doc)."""

    mark: int
    underlying: int
    delta: int
    gamma: int
    vega: int
    theta: int


def mark(instrument, market, scale=1, tick=1):
    """The published mark: collateral units per lot, a positive multiple of ``tick``."""
    check_scale(scale, tick)
    v = float(per_unit(instrument, market)[0])
    return to_tick(v * instrument.lot * scale, tick)


def fixed_marks(instrument, market, scale=1, tick=1):
    """:class:`FixedMarks` of ``instrument`` (``scale`` collateral units per currency unit)."""
    check_scale(scale, tick)
    v, d, g, vg, th = (float(x) for x in per_unit(instrument, market))
    S = market.underlying(instrument.underlying).spot
    per_lot = instrument.lot * scale
    return FixedMarks(
        mark=to_tick(v * per_lot, tick),
        underlying=round(S * per_lot),
        delta=round(d * GREEK_SCALE),
        gamma=round(g * S * GREEK_SCALE),
        vega=round(vg * per_lot / 100),
        theta=round(th * per_lot / 365),
    )

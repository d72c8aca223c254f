"""RFQ quotes from the model, with a spread and a liquidity premium.

``quote(instrument, size, side, market, spread_bps)`` prices ``size`` lots
around the model value ``v`` (collateral units per lot, unrounded)::

    liquidity_bps = impact_bps * sqrt(size / depth)       (the square-root law)
    half_bps      = spread_bps / 2 + liquidity_bps
    bid = floor_to_tick(v * (1 - half_bps / 10^4))
    ask = ceil_to_tick (v * (1 + half_bps / 10^4)),  at least one tick

``depth`` is the size (lots) the maker is happy to take at the bare spread
and ``impact_bps`` the premium at that size: the premium grows like the
square root of the size, the shape of market impact measured across markets
(Almgren, Thum, Hauptmann, Li, "Direct estimation of equity market impact",
2005; Toth et al., "Anomalous price impact and the critical nature of
liquidity in financial markets", 2011).  Rounding favours the maker (the bid
down, the ask up, to the tick).  ``side`` is the REQUESTER's: ``"buy"`` gets
the ask, ``"sell"`` the bid.  A bid below one tick is no bid (0): selling
then raises :class:`InputError`, since the venue has no zero price.
"""

import math
from dataclasses import dataclass

from ..errors import InputError
from .valuation import check_scale, per_unit

BUY, SELL = "buy", "sell"


@dataclass(frozen=True)
class Quote:
    bid: int
    ask: int
    price: int
    model: float
    half_spread_bps: float
    liquidity_bps: float


def _nonneg(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
        raise InputError(f"quote {what}: expected a finite number >= 0, got {v!r}")
    return float(v)


def quote(instrument, size, side, market, spread_bps, depth=100, impact_bps=50.0, scale=1, tick=1):
    """A :class:`Quote` for ``size`` lots (see the module doc for the rule)."""
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise InputError(f"quote size: expected a positive number of lots, got {size!r}")
    if side not in (BUY, SELL):
        raise InputError(f"quote side: must be 'buy' or 'sell', got {side!r}")
    if _nonneg(spread_bps, "spread_bps") >= 10_000:
        raise InputError(f"quote spread_bps: {spread_bps} is not below 10000")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth <= 0:
        raise InputError(f"quote depth: expected a positive number of lots, got {depth!r}")
    _nonneg(impact_bps, "impact_bps")
    check_scale(scale, tick)
    v = float(per_unit(instrument, market)[0]) * instrument.lot * scale
    liq = impact_bps * math.sqrt(size / depth)
    half = spread_bps / 2 + liq
    bid = math.floor(v * max(0.0, 1 - half / 10_000) / tick) * tick
    ask = max(tick, math.ceil(v * (1 + half / 10_000) / tick) * tick)
    if side == SELL and bid < tick:
        raise InputError(
            f"quote {instrument.name}: no bid for {size} lots (model value {v:.6g} is below "
            f"one tick after the spread)"
        )
    return Quote(bid, ask, ask if side == BUY else bid, v, spread_bps / 2, liq)
